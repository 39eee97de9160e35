//! How often products are bought together: per pair, the transactions
//! holding both, and from that the association rules' support, confidence
//! and lift (Agrawal's measures, as market-basket tools report them).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::baskets::Baskets;

/// Products of one transaction counted into pairs: beyond this many (a
/// wholesaler's history), the pairs would grow with its square.
const MAX_PRODUCTS_PAIRED: usize = 40;

/// Pair and product counts over a set of transactions.
#[derive(Clone, Debug, Default)]
pub struct CoCounts {
    /// Transactions with at least one product.
    pub transactions: u64,
    /// Transactions holding each product (indexed by product).
    pub product: Vec<u32>,
    /// Transactions holding both of (a, b), a < b.
    pub pair: FxHashMap<(u32, u32), u32>,
}

/// "Customers who bought `from` also bought `to`" (or, over orders, "bought
/// together"), with its measures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub from: String,
    pub to: String,
    /// Transactions holding both.
    pub together: u64,
    /// Share of all transactions holding both.
    pub support: f64,
    /// Share of `from`'s transactions also holding `to`.
    pub confidence: f64,
    /// Confidence over `to`'s share of all transactions: above 1, buying
    /// `from` makes `to` more likely than it is anyway.
    pub lift: f64,
}

impl CoCounts {
    pub fn count(baskets: &Baskets, products: usize) -> CoCounts {
        let mut counts = CoCounts {
            product: vec![0; products],
            ..CoCounts::default()
        };
        for t in 0..baskets.len() {
            let items = baskets.get(t);
            if items.is_empty() {
                continue;
            }
            counts.transactions += 1;
            for &p in items {
                counts.product[p as usize] += 1;
            }
            let paired = &items[..items.len().min(MAX_PRODUCTS_PAIRED)];
            for (i, &a) in paired.iter().enumerate() {
                for &b in &paired[i + 1..] {
                    *counts.pair.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
        counts
    }

    /// Transactions holding both `a` and `b`.
    pub fn together(&self, a: u32, b: u32) -> u32 {
        let key = if a < b { (a, b) } else { (b, a) };
        self.pair.get(&key).copied().unwrap_or(0)
    }

    /// The rule `from → to`'s (support, confidence, lift).
    pub fn measures(&self, from: u32, to: u32) -> (f64, f64, f64) {
        let n = self.transactions as f64;
        let both = f64::from(self.together(from, to));
        let n_from = f64::from(self.product[from as usize]);
        let n_to = f64::from(self.product[to as usize]);
        if n == 0.0 || n_from == 0.0 || n_to == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let confidence = both / n_from;
        (both / n, confidence, confidence / (n_to / n))
    }

    /// The strongest rules (both directions of each pair seen in at least
    /// `min_together` transactions), by lift, then by how often, then by
    /// name; at most `limit`.
    pub fn top_rules(
        &self,
        min_together: u32,
        limit: usize,
        name: impl Fn(u32) -> String,
    ) -> Vec<Rule> {
        // Each rule's lift once (a hash lookup), not once per comparison.
        let mut rules: Vec<(f64, u32, u32, u32)> = self
            .pair
            .iter()
            .filter(|(_, &n)| n >= min_together)
            .flat_map(|(&(a, b), &n)| [(a, b, n), (b, a, n)])
            .map(|(a, b, n)| (self.measures(a, b).2, a, b, n))
            .collect();
        rules.sort_by(|x, y| {
            y.0.total_cmp(&x.0)
                .then(y.3.cmp(&x.3))
                .then((x.1, x.2).cmp(&(y.1, y.2)))
        });
        rules.truncate(limit);
        rules
            .into_iter()
            .map(|(_, a, b, n)| {
                let (support, confidence, lift) = self.measures(a, b);
                Rule {
                    from: name(a),
                    to: name(b),
                    together: u64::from(n),
                    support,
                    confidence,
                    lift,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_follow_their_definitions() {
        // Four transactions: {0,1}, {0,1}, {0,2}, {2}.
        let baskets = Baskets::from_pairs(
            vec![(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 2), (3, 2)],
            4,
        );
        let counts = CoCounts::count(&baskets, 3);
        assert_eq!(counts.transactions, 4);
        assert_eq!(counts.product, vec![3, 2, 2]);
        assert_eq!(counts.together(1, 0), 2);
        let (support, confidence, lift) = counts.measures(1, 0);
        assert_eq!(support, 0.5);
        assert_eq!(confidence, 1.0);
        assert!((lift - 4.0 / 3.0).abs() < 1e-12);
        let (_, confidence, lift) = counts.measures(0, 1);
        assert!((confidence - 2.0 / 3.0).abs() < 1e-12);
        assert!((lift - 4.0 / 3.0).abs() < 1e-12);
    }
}
