//! RFM: recency, frequency and monetary scores 1–5 by quintile within the
//! store, and Shopify's named `rfm_group` from a fixed R × FM grid.
//!
//! # Scores
//! A customer's score for a measure is `1 + ⌊5 · below / n⌋` (at most 5),
//! where `below` counts customers with a strictly worse value and `n` all
//! customers. So a score of 5 means at least 80 % of customers do worse (the
//! top quintile), equal values always share a score, and scores never fall as
//! the value improves. With many ties a score can be skipped: when 60 % of
//! customers bought once, they all get F = 1 and the next value gets F = 4.
//!
//! Recency is scored on the day of the last order (later is better),
//! frequency on the number of orders, monetary on net revenue.
//!
//! # Groups
//! Shopify chooses the group from R and FM = (F + M) / 2 but does not publish
//! its cell boundaries. Ours is [`GRID`]: rows R = 5 … 1, columns
//! FM = 1, 1.5, …, 5. Every (R, FM) cell holds exactly one group, so the
//! groups are disjoint and cover every customer with orders by construction.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::customers::CustomerTable;

/// Shopify's RFM group names (`rfm_group` in the segment editor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RfmGroup {
    Champions,
    Loyal,
    Active,
    New,
    Promising,
    NeedsAttention,
    AtRisk,
    PreviouslyLoyal,
    AlmostLost,
    Dormant,
    /// No orders yet (customers from a customers export without orders).
    Prospects,
}

impl RfmGroup {
    /// Every group, from the best to the least engaged.
    pub const ALL: [RfmGroup; 11] = [
        RfmGroup::Champions,
        RfmGroup::Loyal,
        RfmGroup::Active,
        RfmGroup::New,
        RfmGroup::Promising,
        RfmGroup::NeedsAttention,
        RfmGroup::AtRisk,
        RfmGroup::PreviouslyLoyal,
        RfmGroup::AlmostLost,
        RfmGroup::Dormant,
        RfmGroup::Prospects,
    ];

    /// The value as Shopify writes it (`CHAMPIONS`, `NEEDS_ATTENTION`, ...).
    pub fn code(self) -> &'static str {
        match self {
            RfmGroup::Champions => "CHAMPIONS",
            RfmGroup::Loyal => "LOYAL",
            RfmGroup::Active => "ACTIVE",
            RfmGroup::New => "NEW",
            RfmGroup::Promising => "PROMISING",
            RfmGroup::NeedsAttention => "NEEDS_ATTENTION",
            RfmGroup::AtRisk => "AT_RISK",
            RfmGroup::PreviouslyLoyal => "PREVIOUSLY_LOYAL",
            RfmGroup::AlmostLost => "ALMOST_LOST",
            RfmGroup::Dormant => "DORMANT",
            RfmGroup::Prospects => "PROSPECTS",
        }
    }

    /// A name for people (`Needs attention`).
    pub fn label(self) -> &'static str {
        match self {
            RfmGroup::Champions => "Champions",
            RfmGroup::Loyal => "Loyal",
            RfmGroup::Active => "Active",
            RfmGroup::New => "New",
            RfmGroup::Promising => "Promising",
            RfmGroup::NeedsAttention => "Needs attention",
            RfmGroup::AtRisk => "At risk",
            RfmGroup::PreviouslyLoyal => "Previously loyal",
            RfmGroup::AlmostLost => "Almost lost",
            RfmGroup::Dormant => "Dormant",
            RfmGroup::Prospects => "Prospects",
        }
    }

    /// What the group means, in Shopify's words.
    pub fn meaning(self) -> &'static str {
        match self {
            RfmGroup::Champions => "Very recent, many orders, most spend",
            RfmGroup::Loyal => "Recent, many orders, most spend",
            RfmGroup::Active => "Recent, some orders, moderate spend",
            RfmGroup::New => "Very recent, few orders, low spend",
            RfmGroup::Promising => "Recent, few orders, low spend",
            RfmGroup::NeedsAttention => "Fairly recent, some orders, moderate spend",
            RfmGroup::AtRisk => "Not recent, strong history",
            RfmGroup::PreviouslyLoyal => "Not recent, very strong history",
            RfmGroup::AlmostLost => "Not recent, fewer orders, lower spend",
            RfmGroup::Dormant => "Not recent, infrequent, low spend",
            RfmGroup::Prospects => "No orders yet",
        }
    }
}

impl fmt::Display for RfmGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for RfmGroup {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RfmGroup::ALL
            .into_iter()
            .find(|g| g.code() == s)
            .ok_or_else(|| format!("unknown rfm_group {s:?}"))
    }
}

use RfmGroup::{
    Active as Ac, AlmostLost as AL, AtRisk as AR, Champions as Ch, Dormant as Do, Loyal as Lo,
    NeedsAttention as NA, New as Nw, PreviouslyLoyal as PL, Promising as Pr,
};

/// The R × FM grid. Row `5 - R` (R = 5 first), column `F + M - 2`, i.e.
/// FM = 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5.
#[rustfmt::skip]
pub const GRID: [[RfmGroup; 9]; 5] = [
    //   FM: 1    1.5  2    2.5  3    3.5  4    4.5  5
    /* R5 */ [Nw, Nw,  Pr,  Pr,  Ac,  Ac,  Lo,  Ch,  Ch],
    /* R4 */ [Pr, Pr,  Pr,  Pr,  Ac,  Ac,  Lo,  Lo,  Lo],
    /* R3 */ [AL, AL,  NA,  NA,  NA,  NA,  Lo,  Lo,  Lo],
    /* R2 */ [Do, Do,  AL,  AL,  AR,  AR,  AR,  PL,  PL],
    /* R1 */ [Do, Do,  Do,  Do,  AL,  AL,  AR,  PL,  PL],
];

/// The group of a customer with scores `r`, `f`, `m` (each 1–5).
pub fn group(r: u8, f: u8, m: u8) -> RfmGroup {
    let r = r.clamp(1, 5);
    let fm = f.clamp(1, 5) + m.clamp(1, 5);
    GRID[usize::from(5 - r)][usize::from(fm - 2)]
}

/// Quintile scores 1–5 for `values` (higher value, higher score); see the
/// module documentation. NaN values (never produced by ingest) score 1.
pub fn quintile_scores(values: &[f64]) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut scores = vec![1u8; n];
    let mut start = 0;
    while start < n {
        let value = values[order[start]];
        let mut end = start + 1;
        while end < n && values[order[end]].total_cmp(&value).is_eq() {
            end += 1;
        }
        let score = if value.is_nan() {
            1
        } else {
            (1 + 5 * start / n).min(5) as u8
        };
        for &i in &order[start..end] {
            scores[i] = score;
        }
        start = end;
    }
    scores
}

/// RFM scores and groups, one entry per customer of a [`CustomerTable`].
/// Scores are ranks among buyers only; prospects (no counted order) have
/// score 0 and the group PROSPECTS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rfm {
    pub r: Vec<u8>,
    pub f: Vec<u8>,
    pub m: Vec<u8>,
    pub group: Vec<RfmGroup>,
}

impl Rfm {
    /// Scores every customer of `customers`.
    pub fn score(customers: &CustomerTable) -> Rfm {
        let n = customers.len();
        let buyers: Vec<usize> = (0..n).filter(|&i| customers.is_buyer(i)).collect();
        let measure = |value: &dyn Fn(usize) -> f64| {
            let values: Vec<f64> = buyers.iter().map(|&i| value(i)).collect();
            let mut scores = vec![0u8; n];
            for (&i, score) in buyers.iter().zip(quintile_scores(&values)) {
                scores[i] = score;
            }
            scores
        };
        let last_day = |i: usize| customers.last_order[i].map_or(f64::NAN, |d| f64::from(d.days()));
        let r = measure(&last_day);
        let f = measure(&|i| f64::from(customers.orders[i]));
        let m = measure(&|i| customers.revenue[i]);
        let group = (0..n)
            .map(|i| {
                if customers.is_buyer(i) {
                    group(r[i], f[i], m[i])
                } else {
                    RfmGroup::Prospects
                }
            })
            .collect();
        Rfm { r, f, m, group }
    }

    /// Customer `i`'s score in `scores` (one of `r`, `f`, `m`); `None` for
    /// prospects.
    pub fn score_of(&self, scores: &[u8], i: usize) -> Option<u8> {
        scores.get(i).copied().filter(|&s| s > 0)
    }

    /// Customers per group, in [`RfmGroup::ALL`] order (zeros included).
    pub fn counts(&self) -> Vec<(RfmGroup, u64)> {
        RfmGroup::ALL
            .iter()
            .map(|&g| (g, self.group.iter().filter(|&&x| x == g).count() as u64))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn grid_covers_every_cell_once_and_uses_every_group_with_orders() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(group(r, f, m));
                }
            }
        }
        let expected: std::collections::BTreeSet<_> = RfmGroup::ALL
            .into_iter()
            .filter(|&g| g != RfmGroup::Prospects)
            .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn grid_reads_as_documented() {
        assert_eq!(group(5, 5, 5), RfmGroup::Champions);
        assert_eq!(group(5, 1, 1), RfmGroup::New);
        assert_eq!(group(1, 1, 1), RfmGroup::Dormant);
        assert_eq!(group(1, 5, 5), RfmGroup::PreviouslyLoyal);
        assert_eq!(group(2, 3, 4), RfmGroup::AtRisk);
        assert_eq!(group(3, 2, 3), RfmGroup::NeedsAttention);
        assert_eq!(group(4, 3, 3), RfmGroup::Active);
    }

    #[test]
    fn better_recency_never_lowers_the_group_to_a_lapsed_one() {
        // Every R = 4 or 5 cell is an engaged group, every R ≤ 2 cell a lapsed one.
        let engaged = [
            RfmGroup::Champions,
            RfmGroup::Loyal,
            RfmGroup::Active,
            RfmGroup::New,
            RfmGroup::Promising,
        ];
        for f in 1..=5 {
            for m in 1..=5 {
                assert!(engaged.contains(&group(5, f, m)));
                assert!(engaged.contains(&group(4, f, m)));
                assert!(!engaged.contains(&group(2, f, m)));
                assert!(!engaged.contains(&group(1, f, m)));
            }
        }
    }

    #[test]
    fn group_codes_round_trip() {
        for g in RfmGroup::ALL {
            assert_eq!(g.code().parse::<RfmGroup>(), Ok(g));
            assert_eq!(
                serde_json::to_string(&g).expect("json"),
                format!("\"{}\"", g.code())
            );
        }
    }

    #[test]
    fn quintiles_of_distinct_values_are_even() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let scores = quintile_scores(&values);
        for s in 1..=5u8 {
            assert_eq!(scores.iter().filter(|&&x| x == s).count(), 20);
        }
        assert_eq!(scores[0], 1);
        assert_eq!(scores[99], 5);
    }

    #[test]
    fn ties_share_the_score_where_the_tie_begins() {
        // 6 of 10 customers bought once: all F = 1; the next value starts at 60 %.
        let values = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 9.0];
        assert_eq!(quintile_scores(&values), vec![1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    }

    #[test]
    fn edge_cases() {
        assert!(quintile_scores(&[]).is_empty());
        assert_eq!(quintile_scores(&[42.0]), vec![1]);
        assert_eq!(quintile_scores(&[3.0; 7]), vec![1; 7]);
        assert_eq!(quintile_scores(&[f64::NAN, 1.0]), vec![1, 1]);
    }

    proptest! {
        #[test]
        fn scores_are_monotone_tied_and_in_range(values in proptest::collection::vec(-1e6f64..1e6, 0..200)) {
            let scores = quintile_scores(&values);
            for i in 0..values.len() {
                prop_assert!((1..=5).contains(&scores[i]));
                for j in 0..values.len() {
                    if values[i] < values[j] {
                        prop_assert!(scores[i] <= scores[j]);
                    }
                    if values[i] == values[j] {
                        prop_assert_eq!(scores[i], scores[j]);
                    }
                }
            }
        }

        #[test]
        fn top_score_means_top_fifth(values in proptest::collection::vec(0u32..50, 1..200)) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let scores = quintile_scores(&values);
            let n = values.len();
            for (i, &s) in scores.iter().enumerate() {
                let below = values.iter().filter(|&&v| v < values[i]).count();
                // Score s means at least (s - 1) fifths of customers do worse.
                prop_assert!(5 * below >= (usize::from(s) - 1) * n);
                if s < 5 {
                    prop_assert!(5 * below < usize::from(s) * n);
                }
            }
        }
    }
}
