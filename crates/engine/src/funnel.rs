//! Funnel friction by segment, from analytics events: of a group's
//! customers the events name, how many viewed a product, added to the cart,
//! began checkout and bought, the conversion at each step, and the step
//! where the group drops off most. A step counts everyone who went further
//! (a purchase without a recorded view still passed the view), so the
//! counts never rise from one step to the next.

use serde::{Deserialize, Serialize};

use crate::behaviour::Behaviour;
use crate::pipeline::Analysis;
use crate::rfm::RfmGroup;

/// Customers needed at a step's start to call it the weakest.
const MIN_AT_STEP: u64 = 10;

/// The three steps between the four stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    ViewToCart,
    CartToCheckout,
    CheckoutToPurchase,
}

impl Step {
    pub const ALL: [Step; 3] = [
        Step::ViewToCart,
        Step::CartToCheckout,
        Step::CheckoutToPurchase,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::ViewToCart => "view → cart",
            Step::CartToCheckout => "cart → checkout",
            Step::CheckoutToPurchase => "checkout → purchase",
        }
    }
}

/// One group's funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// `None` for all customers.
    pub group: Option<RfmGroup>,
    /// Customers of the group the events name.
    pub customers: u64,
    pub viewed: u64,
    pub added_to_cart: u64,
    pub began_checkout: u64,
    pub purchased: u64,
    /// Customers with a checkout begun and not finished (Shopify's
    /// `abandoned_checkout_date` is set).
    pub abandoned_checkout: u64,
    /// The step with the lowest conversion (among steps with enough
    /// customers at their start).
    pub weakest: Option<Step>,
}

impl Funnel {
    fn of<'a>(group: Option<RfmGroup>, customers: impl Iterator<Item = &'a Behaviour>) -> Funnel {
        let mut f = Funnel {
            group,
            customers: 0,
            viewed: 0,
            added_to_cart: 0,
            began_checkout: 0,
            purchased: 0,
            abandoned_checkout: 0,
            weakest: None,
        };
        for b in customers {
            f.customers += 1;
            let purchased = b.purchases > 0;
            let checkout = purchased || b.checkouts_begun > 0;
            let cart = checkout || b.add_to_carts > 0;
            let viewed = cart || b.item_views > 0;
            f.viewed += u64::from(viewed);
            f.added_to_cart += u64::from(cart);
            f.began_checkout += u64::from(checkout);
            f.purchased += u64::from(purchased);
            f.abandoned_checkout += u64::from(b.abandoned_checkout.is_some());
        }
        f.weakest = Step::ALL
            .iter()
            .copied()
            .filter(|&s| f.at_start(s) >= MIN_AT_STEP)
            .min_by(|&a, &b| {
                let (x, y) = (
                    f.conversion(a).unwrap_or(1.0),
                    f.conversion(b).unwrap_or(1.0),
                );
                x.total_cmp(&y)
            });
        f
    }

    fn at_start(&self, step: Step) -> u64 {
        match step {
            Step::ViewToCart => self.viewed,
            Step::CartToCheckout => self.added_to_cart,
            Step::CheckoutToPurchase => self.began_checkout,
        }
    }

    fn at_end(&self, step: Step) -> u64 {
        match step {
            Step::ViewToCart => self.added_to_cart,
            Step::CartToCheckout => self.began_checkout,
            Step::CheckoutToPurchase => self.purchased,
        }
    }

    /// Share of the step's starters who went on; `None` with none.
    pub fn conversion(&self, step: Step) -> Option<f64> {
        let start = self.at_start(step);
        (start > 0).then(|| self.at_end(step) as f64 / start as f64)
    }
}

/// The funnel of the segment `members` (one flag per customer); `None`
/// without events or when the events name none of its members.
pub fn of_members(analysis: &Analysis, members: &[bool]) -> Option<Funnel> {
    analysis.behaviour.as_ref()?;
    let c = &analysis.customers;
    let f = Funnel::of(
        None,
        (0..c.len())
            .filter(|&i| members.get(i).copied().unwrap_or(false))
            .filter_map(|i| c.behaviour(i)),
    );
    (f.customers > 0).then_some(f)
}

/// All customers the events name, then each RFM group with any of them.
pub fn funnels(analysis: &Analysis) -> Vec<Funnel> {
    let c = &analysis.customers;
    if analysis.behaviour.is_none() {
        return Vec::new();
    }
    let with_events = |group: Option<RfmGroup>| {
        (0..c.len())
            .filter(move |&i| group.is_none_or(|g| analysis.rfm.group[i] == g))
            .filter_map(|i| c.behaviour(i))
    };
    std::iter::once(Funnel::of(None, with_events(None)))
        .chain(
            RfmGroup::ALL
                .iter()
                .map(|&g| Funnel::of(Some(g), with_events(Some(g)))),
        )
        .filter(|f| f.customers > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Ingest;

    const EVENTS: &[u8] = include_bytes!("../tests/data/ga4_events_store.jsonl");
    const ORDERS: &[u8] = include_bytes!("../tests/data/shopify_orders_small.csv");
    const CUSTOMERS: &[u8] = include_bytes!("../tests/data/shopify_customers_small.csv");

    fn analysis() -> Analysis {
        let mut ingest = Ingest::new(None);
        for (name, bytes) in [
            ("customers_export.csv", CUSTOMERS),
            ("orders_export.csv", ORDERS),
            ("events.jsonl", EVENTS),
        ] {
            ingest.begin_file(name).expect("begin");
            ingest.push(bytes).expect("push");
            ingest.end_file().expect("end");
        }
        Analysis::new(ingest.finish().expect("finish"))
    }

    /// Counted by hand from the fixture: Ann viewed, carted, checked out
    /// and bought (session 100); Ben browsed anonymously, carted, signed in
    /// at checkout and left. Zoe viewed but is no customer of the files.
    #[test]
    fn the_funnel_matches_the_hand_count() {
        let funnels = funnels(&analysis());
        let all = &funnels[0];
        assert_eq!(all.group, None);
        assert_eq!(
            (
                all.customers,
                all.viewed,
                all.added_to_cart,
                all.began_checkout,
                all.purchased
            ),
            (2, 2, 2, 2, 1)
        );
        assert_eq!(all.abandoned_checkout, 1);
        assert_eq!(all.conversion(Step::CheckoutToPurchase), Some(0.5));
        assert_eq!(all.conversion(Step::ViewToCart), Some(1.0));
        // Too few customers to name a weakest step.
        assert_eq!(all.weakest, None);
        let groups: Vec<(Option<RfmGroup>, u64, u64)> = funnels[1..]
            .iter()
            .map(|f| (f.group, f.customers, f.purchased))
            .collect();
        assert_eq!(
            groups,
            vec![
                (Some(RfmGroup::Loyal), 1, 1),
                (Some(RfmGroup::NeedsAttention), 1, 0)
            ]
        );
    }

    #[test]
    fn the_weakest_step_is_the_lowest_conversion() {
        let b = |views, carts, checkouts, purchases| Behaviour {
            item_views: views,
            add_to_carts: carts,
            checkouts_begun: checkouts,
            purchases,
            ..Behaviour::default()
        };
        // 40 viewers, 30 carts, 12 checkouts, 10 purchases.
        let people: Vec<Behaviour> = (0..40)
            .map(|i| match i {
                0..10 => b(1, 1, 1, 1),
                10..12 => b(1, 1, 1, 0),
                12..30 => b(1, 1, 0, 0),
                _ => b(1, 0, 0, 0),
            })
            .collect();
        let f = Funnel::of(None, people.iter());
        assert_eq!(
            (f.viewed, f.added_to_cart, f.began_checkout, f.purchased),
            (40, 30, 12, 10)
        );
        assert_eq!(f.weakest, Some(Step::CartToCheckout));
    }
}
