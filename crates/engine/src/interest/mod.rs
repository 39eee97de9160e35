//! What customers are interested in, from the product lines of their
//! orders: what to offer whom (item-to-item recommendations, cross-sells
//! and bundles with support, confidence and lift, proven on a time split
//! against popularity; each customer's category affinity) and when
//! (replenishment cycles and who is due).

mod affinity;
mod baskets;
mod cooccurrence;
mod recommend;
mod replenishment;

use serde::{Deserialize, Serialize};

pub use affinity::{Affinity, CategoryShare, TOP_CATEGORIES};
pub use baskets::Baskets;
pub use cooccurrence::{CoCounts, Rule};
pub use recommend::{evaluate, Evaluation, Neighbours, HOLDOUT_DAYS, MIN_TOGETHER, TOP_N};
pub use replenishment::{Cycle, Due, Replenishment, DUE_WITHIN_DAYS};

use crate::date::Date;
use crate::sales::Sales;
use crate::timing::Stopwatch;

/// Rules listed in the summary.
const RULES_SHOWN: usize = 20;

/// Recommendations and replenishment for every customer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interest {
    /// [`TOP_N`] slots per customer, best first; `u32::MAX` is an empty slot.
    recommended: Vec<u32>,
    pub replenishment: Replenishment,
    /// Each customer's top categories with their affinity.
    pub affinity: Affinity,
    pub summary: InterestSummary,
}

/// The store-level findings (`interest` in `summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InterestSummary {
    /// "Customers who bought … also bought …", strongest lift first.
    pub cross_sells: Vec<Rule>,
    /// Products bought together in one order, strongest lift first (one
    /// rule per pair).
    pub bundles: Vec<Rule>,
    /// The top-N hit rate on a time split, against popularity.
    pub evaluation: Option<Evaluation>,
}

/// The strongest bundles (products bought together in one order) among
/// `lines` (order, product), one rule per pair, lift above 1; at most
/// `limit`.
pub fn bundles(sales: &Sales, lines: Vec<(u32, u32)>, limit: usize) -> Vec<Rule> {
    let counts = CoCounts::count(
        &Baskets::from_pairs(lines, sales.purchases.len()),
        sales.product_slots(),
    );
    let mut rules = counts.top_rules(MIN_TOGETHER, 2 * limit, |p| {
        sales.labels.name(p).to_string()
    });
    // Both directions of a pair have the same lift: keep one.
    rules.retain(|r| r.from < r.to && r.lift > 1.0);
    rules.truncate(limit);
    rules
}

impl Interest {
    /// From the counted purchases' product lines, as of `as_of`.
    pub fn find(sales: &Sales, customers: usize, as_of: Option<Date>) -> Interest {
        Interest::find_timed(sales, customers, as_of, &mut Stopwatch::off())
    }

    /// [`Interest::find`], marking each stage on `watch`.
    pub fn find_timed(
        sales: &Sales,
        customers: usize,
        as_of: Option<Date>,
        watch: &mut Stopwatch<'_>,
    ) -> Interest {
        if sales.items.is_empty() {
            return Interest::default();
        }
        let products = sales.product_slots();
        let day = |item: &crate::sales::SoldItem| sales.purchases[item.purchase as usize].date;
        let owned = Baskets::from_pairs(
            sales
                .items
                .iter()
                .map(|i| (i.customer, i.product))
                .collect(),
            customers,
        );
        let by_customer = CoCounts::count(&owned, products);
        let neighbours = Neighbours::from_counts(&by_customer);
        let mut recommended = vec![u32::MAX; customers * TOP_N];
        let mut recommender = neighbours.recommender();
        let mut chosen = Vec::with_capacity(TOP_N);
        for (c, slots) in recommended.chunks_exact_mut(TOP_N).enumerate() {
            recommender.recommend_into(owned.get(c), TOP_N, &mut chosen);
            slots[..chosen.len()].copy_from_slice(&chosen);
        }
        watch.lap("recommendations");
        let name = |p: u32| sales.labels.name(p).to_string();
        let bundles = bundles(
            sales,
            sales
                .items
                .iter()
                .map(|i| (i.purchase, i.product))
                .collect(),
            RULES_SHOWN,
        );
        watch.lap("bundles");

        let as_of = as_of.or_else(|| sales.purchases.iter().map(|p| p.date).max());
        let evaluation = as_of.and_then(|as_of| {
            let cutoff = as_of.add_days(-HOLDOUT_DAYS);
            let split = |keep: &dyn Fn(Date) -> bool| {
                Baskets::from_pairs(
                    sales
                        .items
                        .iter()
                        .filter(|i| keep(day(i)))
                        .map(|i| (i.customer, i.product))
                        .collect(),
                    customers,
                )
            };
            evaluate(&split(&|d| d <= cutoff), &split(&|d| d > cutoff), products)
        });
        watch.lap("recommendations: time-split check");
        let replenishment = as_of.map_or_else(Replenishment::default, |as_of| {
            Replenishment::find(
                sales
                    .items
                    .iter()
                    .map(|i| (i.customer, i.product, day(i)))
                    .collect(),
                as_of,
            )
        });
        watch.lap("replenishment");
        let affinity = Affinity::find(sales, customers);
        watch.lap("category affinity");
        let cross_sells = by_customer.top_rules(MIN_TOGETHER, RULES_SHOWN, name);
        watch.lap("recommendations");
        Interest {
            recommended,
            replenishment,
            affinity,
            summary: InterestSummary {
                cross_sells,
                bundles,
                evaluation,
            },
        }
    }

    /// Customer `i`'s recommended products, best first.
    pub fn recommended(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.recommended
            .get(i * TOP_N..(i + 1) * TOP_N)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&p| p != u32::MAX)
    }
}

#[cfg(test)]
mod tests;
