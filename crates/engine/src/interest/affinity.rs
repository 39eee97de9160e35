//! Category affinity: each customer's share of spend per category (product
//! type, Shopify's vendor, or a category column), their top categories, and
//! an affinity score per category: their share over the store's share, so
//! 2.0 means twice as keen on the category as the average customer's
//! spend would suggest.

use serde::{Deserialize, Serialize};

use crate::sales::Sales;

/// Categories kept per customer.
pub const TOP_CATEGORIES: usize = 3;

/// One of a customer's top categories.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    pub category: u32,
    /// Of the customer's spend on categorised lines (0–1).
    pub share: f32,
    /// `share` over the category's share of the store's spend.
    pub affinity: f32,
}

/// Every customer's top categories, [`TOP_CATEGORIES`] slots each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Affinity {
    slots: Vec<Option<CategoryShare>>,
}

impl Affinity {
    pub fn find(sales: &Sales, customers: usize) -> Affinity {
        let mut lines: Vec<(u32, u32, f64)> = sales
            .items
            .iter()
            .filter_map(|i| Some((i.customer, i.category.get()?, i.revenue().max(0.0))))
            .collect();
        if lines.is_empty() {
            return Affinity::default();
        }
        lines.sort_unstable_by_key(|l| (l.0, l.1));
        let categories = lines.iter().map(|l| l.1 as usize + 1).max().unwrap_or(0);
        let mut store = vec![0.0f64; categories];
        for &(_, category, spend) in &lines {
            store[category as usize] += spend;
        }
        let store_total: f64 = store.iter().sum();
        let mut slots = vec![None; customers * TOP_CATEGORIES];
        for run in lines.chunk_by(|a, b| a.0 == b.0) {
            let customer = run[0].0 as usize;
            if customer >= customers {
                continue;
            }
            let total: f64 = run.iter().map(|l| l.2).sum();
            if total <= 0.0 || store_total <= 0.0 {
                continue;
            }
            let mut shares: Vec<CategoryShare> = run
                .chunk_by(|a, b| a.1 == b.1)
                .map(|c| {
                    let category = c[0].1;
                    let share = c.iter().map(|l| l.2).sum::<f64>() / total;
                    let store_share = store[category as usize] / store_total;
                    CategoryShare {
                        category,
                        share: share as f32,
                        affinity: if store_share > 0.0 {
                            (share / store_share) as f32
                        } else {
                            0.0
                        },
                    }
                })
                .collect();
            shares.sort_by(|a, b| {
                b.share
                    .total_cmp(&a.share)
                    .then(a.category.cmp(&b.category))
            });
            for (slot, share) in shares.into_iter().take(TOP_CATEGORIES).enumerate() {
                slots[customer * TOP_CATEGORIES + slot] = Some(share);
            }
        }
        Affinity { slots }
    }

    /// Customer `i`'s top categories, largest share first.
    pub fn of(&self, i: usize) -> impl Iterator<Item = CategoryShare> + '_ {
        self.slots
            .get(i * TOP_CATEGORIES..(i + 1) * TOP_CATEGORIES)
            .unwrap_or(&[])
            .iter()
            .flatten()
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::Purchase;
    use crate::date::Date;
    use crate::sales::Maybe;
    use crate::sales::SoldItem;

    #[test]
    fn shares_and_affinity_follow_their_definitions() {
        let mut sales = Sales::default();
        let coffee = sales.labels.intern("Coffee");
        let home = sales.labels.intern("Home");
        let day = Date::from_ymd(2025, 1, 1).expect("a date");
        sales.purchases = vec![Purchase::new(0, day, 100.0), Purchase::new(1, day, 100.0)];
        let line = |purchase, customer, category, price| SoldItem {
            purchase,
            customer,
            product: 0,
            sku: Maybe::NONE,
            category: Maybe::some(category),
            quantity: 1.0,
            price,
            discount: 0.0,
        };
        // Customer 0: 75 coffee, 25 home; customer 1: 100 home.
        sales.items = vec![
            line(0, 0, coffee, 75.0),
            line(0, 0, home, 25.0),
            line(1, 1, home, 100.0),
        ];
        let affinity = Affinity::find(&sales, 3);
        let first: Vec<CategoryShare> = affinity.of(0).collect();
        assert_eq!(first.len(), 2);
        assert_eq!((first[0].category, first[0].share), (coffee, 0.75));
        // The store spent 75 of 200 on coffee: 0.75 / 0.375 = 2.
        assert!((first[0].affinity - 2.0).abs() < 1e-6);
        assert_eq!(
            affinity.of(1).map(|c| c.category).collect::<Vec<_>>(),
            vec![home]
        );
        assert_eq!(affinity.of(2).count(), 0);
    }
}
