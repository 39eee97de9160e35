//! Item-to-item recommendations: products are similar when the same
//! customers buy both (cosine of their buyer sets, over pairs seen often
//! enough to trust); a customer's candidates are the products similar to
//! what they bought, summed, less what they already have. Where that gives
//! fewer than asked (new stores, one-product customers), the most popular
//! products fill the list, as a merchant would.
//!
//! The proof is a time split: recommend from the purchases before a cutoff
//! and count how many customers then bought one of their top products
//! after it, against recommending the most popular products.

use serde::{Deserialize, Serialize};

use super::baskets::Baskets;
use super::cooccurrence::CoCounts;

/// Products recommended per customer.
pub const TOP_N: usize = 5;
/// Similar products kept per product.
const NEIGHBOURS: usize = 25;
/// A pair counts only when this many customers bought both.
pub const MIN_TOGETHER: u32 = 3;
/// The evaluation's holdout: the last days before the analysis date.
pub const HOLDOUT_DAYS: i32 = 90;
/// Customers needed in the holdout for a hit rate worth showing.
const MIN_EVALUATED: u64 = 30;

/// Products similar to each product, most similar first.
#[derive(Clone, Debug, Default)]
pub struct Neighbours {
    similar: Vec<Vec<(u32, f32)>>,
    /// Products by buyers, most first (ties by product number).
    popular: Vec<u32>,
}

impl Neighbours {
    pub fn from_counts(counts: &CoCounts) -> Neighbours {
        let mut similar: Vec<Vec<(u32, f32)>> = vec![Vec::new(); counts.product.len()];
        for ((a, b), n) in counts.pairs() {
            if n < MIN_TOGETHER {
                continue;
            }
            let na = f64::from(counts.product[a as usize]);
            let nb = f64::from(counts.product[b as usize]);
            let cosine = (f64::from(n) / (na * nb).sqrt()) as f32;
            similar[a as usize].push((b, cosine));
            similar[b as usize].push((a, cosine));
        }
        for list in &mut similar {
            list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            list.truncate(NEIGHBOURS);
        }
        let mut popular: Vec<u32> = (0..counts.product.len() as u32)
            .filter(|&p| counts.product[p as usize] > 0)
            .collect();
        popular.sort_by(|&a, &b| {
            counts.product[b as usize]
                .cmp(&counts.product[a as usize])
                .then(a.cmp(&b))
        });
        Neighbours { similar, popular }
    }

    /// Up to `n` products for a customer who owns `owned` (sorted), best
    /// first: similar products by summed similarity, then popular ones.
    pub fn recommend(&self, owned: &[u32], n: usize) -> Vec<u32> {
        self.recommender().recommend(owned, n)
    }

    /// A recommender with its own scratch space, for recommending to many
    /// customers in a row without allocating per customer.
    pub fn recommender(&self) -> Recommender<'_> {
        Recommender {
            neighbours: self,
            score: vec![0.0; self.similar.len()],
            owned: vec![false; self.similar.len()],
            touched: Vec::new(),
            ranked: Vec::new(),
        }
    }

    /// The popularity baseline: the `n` most bought products not owned.
    pub fn popular_for(&self, owned: &[u32], n: usize) -> Vec<u32> {
        let mut chosen = Vec::with_capacity(n);
        self.fill_popular(owned, &mut chosen, n);
        chosen
    }

    fn fill_popular(&self, owned: &[u32], chosen: &mut Vec<u32>, n: usize) {
        for &p in &self.popular {
            if chosen.len() >= n {
                break;
            }
            if owned.binary_search(&p).is_err() && !chosen.contains(&p) {
                chosen.push(p);
            }
        }
    }
}

/// Recommends from [`Neighbours`] with a dense score per product, reset
/// after each customer (a hash map per customer cost most of the time),
/// and the customer's products marked in a dense table (a binary search
/// per neighbour was the next cost).
pub struct Recommender<'n> {
    neighbours: &'n Neighbours,
    score: Vec<f32>,
    owned: Vec<bool>,
    /// Products scored for the current customer.
    touched: Vec<u32>,
    /// The scored products, ranked (kept for its allocation).
    ranked: Vec<(u32, f32)>,
}

impl Recommender<'_> {
    /// What [`Neighbours::recommend`] gives.
    pub fn recommend(&mut self, owned: &[u32], n: usize) -> Vec<u32> {
        let mut chosen = Vec::with_capacity(n);
        self.recommend_into(owned, n, &mut chosen);
        chosen
    }

    /// [`Recommender::recommend`] into `chosen` (emptied first), for many
    /// customers without an allocation each.
    pub fn recommend_into(&mut self, owned: &[u32], n: usize, chosen: &mut Vec<u32>) {
        chosen.clear();
        let marks = self.owned.len();
        for &a in owned {
            if let Some(mark) = self.owned.get_mut(a as usize) {
                *mark = true;
            }
        }
        for &a in owned {
            let similar = self.neighbours.similar.get(a as usize);
            for &(b, s) in similar.map_or(&[][..], Vec::as_slice) {
                // Neighbours are products of the same table: b < marks.
                if !self.owned[b as usize] {
                    let slot = &mut self.score[b as usize];
                    if *slot == 0.0 {
                        self.touched.push(b);
                    }
                    *slot += s;
                }
            }
        }
        for &a in owned {
            if (a as usize) < marks {
                self.owned[a as usize] = false;
            }
        }
        self.ranked.clear();
        for p in self.touched.drain(..) {
            self.ranked
                .push((p, std::mem::take(&mut self.score[p as usize])));
        }
        let order = |x: &(u32, f32), y: &(u32, f32)| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0));
        if self.ranked.len() > n && n > 0 {
            self.ranked.select_nth_unstable_by(n - 1, order);
            self.ranked.truncate(n);
        }
        self.ranked.sort_by(order);
        chosen.extend(self.ranked.iter().take(n).map(|&(p, _)| p));
        self.neighbours.fill_popular(owned, chosen, n);
    }
}

/// The top-N hit rate on a time split, against the popularity baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub holdout_days: i32,
    pub top_n: usize,
    /// Customers who bought before the cutoff and bought a product new to
    /// them after it.
    pub customers: u64,
    /// Share of them who bought at least one of their recommended products.
    pub hit_rate: f64,
    /// The same for the most popular products they did not have.
    pub baseline_hit_rate: f64,
}

/// Hit rates of recommendations made from `before` (per customer) on what
/// each customer bought new in `after`; `None` when too few customers
/// bought anything new.
pub fn evaluate(before: &Baskets, after: &Baskets, products: usize) -> Option<Evaluation> {
    let counts = CoCounts::count(before, products);
    let neighbours = Neighbours::from_counts(&counts);
    let mut recommender = neighbours.recommender();
    let (mut customers, mut hits, mut baseline) = (0u64, 0u64, 0u64);
    let mut recommended = Vec::with_capacity(TOP_N);
    for c in 0..before.len().min(after.len()) {
        let owned = before.get(c);
        if owned.is_empty() {
            continue;
        }
        let new: Vec<u32> = after
            .get(c)
            .iter()
            .copied()
            .filter(|p| owned.binary_search(p).is_err())
            .collect();
        if new.is_empty() {
            continue;
        }
        customers += 1;
        let hit = |list: &[u32]| list.iter().any(|p| new.binary_search(p).is_ok());
        recommender.recommend_into(owned, TOP_N, &mut recommended);
        hits += u64::from(hit(&recommended));
        baseline += u64::from(hit(&neighbours.popular_for(owned, TOP_N)));
    }
    (customers >= MIN_EVALUATED).then(|| Evaluation {
        holdout_days: HOLDOUT_DAYS,
        top_n: TOP_N,
        customers,
        hit_rate: hits as f64 / customers as f64,
        baseline_hit_rate: baseline as f64 / customers as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `groups` customers of each kind: kind k buys products 2k and 2k+1;
    /// everyone also buys product 100 (popular, but says nothing).
    fn planted(kinds: u32, per_kind: u32) -> Baskets {
        let mut pairs = Vec::new();
        for k in 0..kinds {
            for i in 0..per_kind {
                let c = k * per_kind + i;
                pairs.extend([(c, 2 * k), (c, 2 * k + 1), (c, 100)]);
            }
        }
        Baskets::from_pairs(pairs, (kinds * per_kind) as usize)
    }

    #[test]
    fn recommends_the_partner_product_before_popular_ones() {
        let baskets = planted(4, 10);
        let neighbours = Neighbours::from_counts(&CoCounts::count(&baskets, 101));
        // A customer with only product 4 gets its partner 5 first.
        assert_eq!(neighbours.recommend(&[4], 3)[0], 5);
        // Nothing they own is recommended, and the list is filled.
        let list = neighbours.recommend(&[4, 100], 3);
        assert_eq!(list.len(), 3);
        assert!(!list.contains(&4) && !list.contains(&100));
    }

    #[test]
    fn the_time_split_beats_popularity_on_planted_pairs() {
        // Before: each customer owns the first of their kind's pair; after:
        // they buy the second. Popular product 100 is owned by no one yet.
        let kinds = 12;
        let per_kind = 10;
        let mut before = Vec::new();
        let mut after = Vec::new();
        for k in 0..kinds {
            for i in 0..per_kind {
                let c = k * per_kind + i;
                before.push((c, 2 * k));
                // Half of each kind already own both (they teach the pair).
                if i < per_kind / 2 {
                    before.push((c, 2 * k + 1));
                } else {
                    after.push((c, 2 * k + 1));
                }
            }
        }
        let n = (kinds * per_kind) as usize;
        let evaluation = evaluate(
            &Baskets::from_pairs(before, n),
            &Baskets::from_pairs(after, n),
            2 * kinds as usize,
        )
        .expect("enough customers");
        assert_eq!(evaluation.customers, 60);
        assert_eq!(evaluation.hit_rate, 1.0);
        assert!(evaluation.baseline_hit_rate < 0.5, "{evaluation:?}");
    }
}
