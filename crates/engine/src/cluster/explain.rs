//! Clusters in words: a name from the two measures on which the cluster's
//! centre stands furthest from the store's typical customer, a sentence
//! with the numbers behind it, and what to do about the group.

use super::features::Feature;
use crate::wording::capitalise;

/// How a cluster's centre stands on one feature, in scaled units (0 is
/// the store's median; ±1 an interquartile range away).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standing {
    pub feature: Feature,
    pub z: f64,
}

/// The words for a feature far above (`true`) or below the store;
/// `categories` names the store's top categories.
fn phrase(feature: Feature, high: bool, categories: &[String]) -> String {
    let category = |n: u8| {
        categories
            .get(usize::from(n))
            .map_or_else(|| format!("category {}", n + 1), Clone::clone)
    };
    let fixed = match (feature, high) {
        (Feature::Spend, true) => "high spenders",
        (Feature::Spend, false) => "low spenders",
        (Feature::Orders, true) => "frequent buyers",
        (Feature::Orders, false) => "one-time buyers",
        (Feature::Recency, true) => "lapsed",
        (Feature::Recency, false) => "recent",
        (Feature::Tenure, true) => "long-standing",
        (Feature::Tenure, false) => "new",
        (Feature::OrderValue, true) => "big baskets",
        (Feature::OrderValue, false) => "small baskets",
        (Feature::DiscountShare, true) => "deal seekers",
        (Feature::DiscountShare, false) => "full-price buyers",
        (Feature::PredictedValue, true) => "high future value",
        (Feature::PredictedValue, false) => "low future value",
        (Feature::ChanceActive, true) => "likely active",
        (Feature::ChanceActive, false) => "likely gone",
        (Feature::ItemViews, true) => "keen browsers",
        (Feature::ItemViews, false) => "rarely browse",
        (Feature::CartAbandonment, true) => "cart abandoners",
        (Feature::CartAbandonment, false) => "finish checkout",
        (Feature::RefundRate, true) => "frequent returners",
        (Feature::RefundRate, false) => "rarely return",
        (Feature::Category(n), true) => return format!("{} buyers", category(n)),
        (Feature::Category(n), false) => return format!("buy little {}", category(n)),
    };
    fixed.to_string()
}

/// How far from the store's median (in interquartile ranges) a centre must
/// be for a measure to describe the cluster.
const DISTINCT: f64 = 0.3;

/// The most distinctive standings first.
pub fn ranked(standings: &[Standing]) -> Vec<Standing> {
    let mut ranked = standings.to_vec();
    ranked.sort_by(|a, b| b.z.abs().total_cmp(&a.z.abs()));
    ranked
}

/// "Recent · frequent buyers": the two most distinctive standings; a
/// cluster close to the store on everything is "Typical customers".
pub fn name(standings: &[Standing], categories: &[String]) -> String {
    // "Buy little coffee" says less than the next measure does.
    let top: Vec<String> = ranked(standings)
        .iter()
        .filter(|s| s.z.abs() >= DISTINCT)
        .filter(|s| !matches!(s.feature, Feature::Category(_)) || s.z > 0.0)
        .take(2)
        .map(|s| phrase(s.feature, s.z > 0.0, categories))
        .collect();
    match top.as_slice() {
        [] => "Typical customers".to_string(),
        [one] => capitalise(one),
        [one, two, ..] => format!("{} · {two}", capitalise(one)),
    }
}

/// What to do about a cluster: the action for its most distinctive
/// measure that calls for one (slipping away weighs most when the cluster
/// was valuable).
pub fn action(standings: &[Standing]) -> &'static str {
    let high = |f: Feature| standings.iter().any(|s| s.feature == f && s.z >= DISTINCT);
    let low = |f: Feature| standings.iter().any(|s| s.feature == f && s.z <= -DISTINCT);
    let slipping = high(Feature::Recency) || low(Feature::ChanceActive);
    let valuable = high(Feature::Orders) || high(Feature::Spend);
    if slipping && valuable {
        return "Win them back now with a personal offer: they were valuable and are slipping away.";
    }
    for s in ranked(standings).iter().filter(|s| s.z.abs() >= DISTINCT) {
        let up = s.z > 0.0;
        let action = match (s.feature, up) {
            (Feature::Recency, true) | (Feature::ChanceActive, false) => {
                "Keep them on a low-cost reactivation series; spend little until they respond."
            }
            (Feature::Orders, true) | (Feature::Spend, true) | (Feature::PredictedValue, true) => {
                "Reward them (early access, loyalty perks) and ask for reviews and referrals."
            }
            (Feature::Tenure, false) => {
                "Welcome them with an onboarding series that leads to a second order."
            }
            (Feature::DiscountShare, true) => {
                "Reach them with promotions, and watch the margin they cost."
            }
            (Feature::CartAbandonment, true) => "Send cart reminders soon after they leave a cart.",
            (Feature::RefundRate, true) => {
                "Find out why they return (sizing, descriptions, quality) before spending on offers."
            }
            (Feature::Category(_), true) => {
                "Show them what is new in their favourite category, and one related product."
            }
            (Feature::Spend, false) | (Feature::OrderValue, false) => {
                "Lift their basket: bundles, add-ons and a free-shipping threshold."
            }
            _ => continue,
        };
        return action;
    }
    "Keep them in your regular campaigns."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_most_distinctive_measures() {
        let standings = [
            Standing {
                feature: Feature::Spend,
                z: 0.3,
            },
            Standing {
                feature: Feature::Orders,
                z: 1.8,
            },
            Standing {
                feature: Feature::Recency,
                z: -1.1,
            },
        ];
        assert_eq!(name(&standings, &[]), "Frequent buyers · recent");
        assert!(action(&standings).starts_with("Reward them"));
        let typical = [Standing {
            feature: Feature::Spend,
            z: 0.1,
        }];
        assert_eq!(name(&typical, &[]), "Typical customers");
        let coffee = [Standing {
            feature: Feature::Category(0),
            z: 2.0,
        }];
        assert_eq!(name(&coffee, &["Coffee".to_string()]), "Coffee buyers");
        assert!(action(&coffee).starts_with("Show them what is new"));
        assert_eq!(action(&typical), "Keep them in your regular campaigns.");
    }
}
