//! How often products are bought together: per pair, the transactions
//! holding both, and from that the association rules' support, confidence
//! and lift (Agrawal's measures, as market-basket tools report them).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::baskets::Baskets;

/// Products of one transaction counted into pairs: beyond this many (a
/// wholesaler's history), the pairs would grow with its square.
const MAX_PRODUCTS_PAIRED: usize = 40;

/// Up to this many products, pairs are counted in a dense table (at most
/// 16 MiB); past it, in a map of the pairs seen.
const DENSE_PRODUCTS: usize = 2048;

/// Pair and product counts over a set of transactions.
#[derive(Clone, Debug, Default)]
pub struct CoCounts {
    /// Transactions with at least one product.
    pub transactions: u64,
    /// Transactions holding each product (indexed by product).
    pub product: Vec<u32>,
    /// Transactions holding both of (a, b), a < b.
    pair: Pairs,
}

/// Counts per product pair (a, b), a < b. A catalogue of a few hundred
/// products has every pair in a table indexed by both, which costs an
/// increment per pair where hashing the pair cost most of the counting.
#[derive(Clone, Debug)]
enum Pairs {
    /// At `a * products + b`.
    Dense {
        products: usize,
        counts: Vec<u32>,
    },
    Sparse(FxHashMap<(u32, u32), u32>),
}

impl Default for Pairs {
    fn default() -> Pairs {
        Pairs::Sparse(FxHashMap::default())
    }
}

impl Pairs {
    fn for_products(products: usize) -> Pairs {
        if products <= DENSE_PRODUCTS {
            Pairs::Dense {
                products,
                counts: vec![0; products * products],
            }
        } else {
            Pairs::default()
        }
    }

    /// Counts every pair of `items` (sorted, distinct).
    fn add_all(&mut self, items: &[u32]) {
        match self {
            Pairs::Dense { products, counts } => {
                for (i, &a) in items.iter().enumerate() {
                    let row = &mut counts[a as usize * *products..(a as usize + 1) * *products];
                    for &b in &items[i + 1..] {
                        row[b as usize] += 1;
                    }
                }
            }
            Pairs::Sparse(map) => {
                for (i, &a) in items.iter().enumerate() {
                    for &b in &items[i + 1..] {
                        *map.entry((a, b)).or_insert(0) += 1;
                    }
                }
            }
        }
    }

    fn get(&self, a: u32, b: u32) -> u32 {
        match self {
            Pairs::Dense { products, counts } => counts
                .get(a as usize * products + b as usize)
                .copied()
                .filter(|_| (b as usize) < *products)
                .unwrap_or(0),
            Pairs::Sparse(map) => map.get(&(a, b)).copied().unwrap_or(0),
        }
    }

    /// Every pair counted at least once, with its count (in no particular
    /// order: callers sort what they keep).
    fn iter(&self) -> Box<dyn Iterator<Item = ((u32, u32), u32)> + '_> {
        match self {
            Pairs::Dense { products, counts } => Box::new(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(move |(i, &n)| (((i / products) as u32, (i % products) as u32), n)),
            ),
            Pairs::Sparse(map) => Box::new(map.iter().map(|(&pair, &n)| (pair, n))),
        }
    }
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
        CoCounts::count_into(baskets, products, Pairs::for_products(products))
    }

    fn count_into(baskets: &Baskets, products: usize, pair: Pairs) -> CoCounts {
        let mut counts = CoCounts {
            transactions: 0,
            product: vec![0; products],
            pair,
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
            counts
                .pair
                .add_all(&items[..items.len().min(MAX_PRODUCTS_PAIRED)]);
        }
        counts
    }

    /// Every pair (a, b), a < b, bought together at least once, with the
    /// transactions holding both; in no particular order.
    pub fn pairs(&self) -> impl Iterator<Item = ((u32, u32), u32)> + '_ {
        self.pair.iter()
    }

    /// Transactions holding both `a` and `b`.
    pub fn together(&self, a: u32, b: u32) -> u32 {
        let key = if a < b { (a, b) } else { (b, a) };
        self.pair.get(key.0, key.1)
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
            .pairs()
            .filter(|&(_, n)| n >= min_together)
            .flat_map(|((a, b), n)| [(a, b, n), (b, a, n)])
            .map(|(a, b, n)| (self.measures(a, b).2, a, b, n))
            .collect();
        let order = |x: &(f64, u32, u32, u32), y: &(f64, u32, u32, u32)| {
            y.0.total_cmp(&x.0)
                .then(y.3.cmp(&x.3))
                .then((x.1, x.2).cmp(&(y.1, y.2)))
        };
        // The best `limit` first, then only those sorted (the order is
        // total: each directed pair once).
        if rules.len() > limit && limit > 0 {
            rules.select_nth_unstable_by(limit - 1, order);
        }
        rules.truncate(limit);
        rules.sort_by(order);
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
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_dense_table_counts_what_the_map_counts(
            pairs in prop::collection::vec((0u32..30, 0u32..12), 0..300),
        ) {
            let baskets = Baskets::from_pairs(pairs, 30);
            let dense = CoCounts::count(&baskets, 12);
            let is_dense = matches!(dense.pair, Pairs::Dense { .. });
            prop_assert!(is_dense);
            let sparse = CoCounts::count_into(&baskets, 12, Pairs::default());
            let sorted = |c: &CoCounts| {
                let mut all: Vec<_> = c.pairs().collect();
                all.sort_unstable();
                all
            };
            prop_assert_eq!(sorted(&dense), sorted(&sparse));
            prop_assert_eq!(&dense.product, &sparse.product);
            prop_assert_eq!(dense.transactions, sparse.transactions);
            for a in 0..12 {
                for b in 0..12 {
                    prop_assert_eq!(dense.together(a, b), sparse.together(a, b));
                }
            }
        }
    }

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
