//! What the counted purchases sold: their product lines and the labels that
//! describe them (country, sales channel, discount code, product names),
//! interned once so that a million lines cost a few integers each.
//!
//! Ingest fills this for the purchases that count; later stages read it for
//! product statistics, per-customer product and discount behaviour,
//! recommendations and segment conditions on products.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::customers::Purchase;
use crate::interner::Interner;

/// Interned text values, shared by every file of an analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    names: Interner,
}

impl Labels {
    /// The number of `text`, adding it if new.
    pub fn intern(&mut self, text: &str) -> u32 {
        self.names.intern(text)
    }

    /// The number of `text`, if it was interned.
    pub fn get(&self, text: &str) -> Option<u32> {
        self.names.get(text)
    }

    /// The text of label `i`.
    pub fn name(&self, i: u32) -> &str {
        self.names.name(i)
    }

    /// Every label, in number order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter()
    }
}

/// An `Option<u32>` in four bytes (`u32::MAX` for none: no store has four
/// billion customers or labels). Orders and product lines are held a
/// million at a time, with up to five of these each: as `Option`s they took
/// a third of an order's bytes in tags and padding. Serialised as the
/// `Option`, so the binary form is as short.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Option<u32>", into = "Option<u32>")]
pub struct Maybe(u32);

impl Maybe {
    pub const NONE: Maybe = Maybe(u32::MAX);

    pub const fn some(value: u32) -> Maybe {
        Maybe(value)
    }

    pub fn get(self) -> Option<u32> {
        (self != Maybe::NONE).then_some(self.0)
    }

    pub fn is_none(self) -> bool {
        self == Maybe::NONE
    }

    pub fn is_some(self) -> bool {
        !self.is_none()
    }

    /// `self` if set, else `other`.
    pub fn or(self, other: Maybe) -> Maybe {
        if self.is_none() {
            other
        } else {
            self
        }
    }
}

impl From<Option<u32>> for Maybe {
    fn from(value: Option<u32>) -> Maybe {
        value.map_or(Maybe::NONE, Maybe)
    }
}

impl From<Maybe> for Option<u32> {
    fn from(value: Maybe) -> Option<u32> {
        value.get()
    }
}

impl std::fmt::Debug for Maybe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// One product line of a counted purchase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SoldItem {
    /// Index of the purchase in `Sales::purchases`.
    pub purchase: u32,
    pub customer: u32,
    pub product: u32,
    pub sku: Maybe,
    pub category: Maybe,
    pub quantity: f32,
    /// Unit price before discounts.
    pub price: f64,
    /// Discount on the whole line.
    pub discount: f64,
}

impl SoldItem {
    /// What the line sold for: price × quantity less its discount.
    pub fn revenue(&self) -> f64 {
        self.price * f64::from(self.quantity) - self.discount
    }
}

/// The counted purchases and their product lines, customers numbered by
/// their position in the customer table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sales {
    /// In file order; `SoldItem::purchase` indexes this.
    pub purchases: Vec<Purchase>,
    pub items: Vec<SoldItem>,
    pub labels: Labels,
}

/// One product's figures over the counted purchases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductStats {
    pub product: String,
    pub units: f64,
    pub revenue: f64,
    pub orders: u64,
    pub customers: u64,
}

/// The store's products at a glance (`products` in `summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    /// Distinct products sold.
    pub distinct: u64,
    /// Product lines of counted purchases.
    pub lines: u64,
    /// The best sellers by revenue, best first.
    pub top: Vec<ProductStats>,
}

impl Sales {
    /// One more than the highest product number sold: the length of a
    /// table indexed by product.
    pub fn product_slots(&self) -> usize {
        self.items
            .iter()
            .map(|i| i.product as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Product figures; `top` holds at most `limit` products.
    pub fn product_summary(&self, limit: usize) -> ProductSummary {
        #[derive(Default)]
        struct Acc {
            units: f64,
            revenue: f64,
            orders: Vec<u32>,
            customers: Vec<u32>,
        }
        let mut by_product: FxHashMap<u32, Acc> = FxHashMap::default();
        for item in &self.items {
            let acc = by_product.entry(item.product).or_default();
            acc.units += f64::from(item.quantity);
            acc.revenue += item.revenue();
            acc.orders.push(item.purchase);
            acc.customers.push(item.customer);
        }
        let distinct = by_product.len() as u64;
        let mut stats: Vec<ProductStats> = by_product
            .into_iter()
            .map(|(product, mut acc)| {
                acc.orders.sort_unstable();
                acc.orders.dedup();
                acc.customers.sort_unstable();
                acc.customers.dedup();
                ProductStats {
                    product: self.labels.name(product).to_string(),
                    units: acc.units,
                    revenue: crate::summary::cents(acc.revenue),
                    orders: acc.orders.len() as u64,
                    customers: acc.customers.len() as u64,
                }
            })
            .collect();
        // Ties by name, so the order is the same on every run.
        stats.sort_by(|a, b| {
            b.revenue
                .total_cmp(&a.revenue)
                .then_with(|| a.product.cmp(&b.product))
        });
        stats.truncate(limit);
        ProductSummary {
            distinct,
            lines: self.items.len() as u64,
            top: stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_sellers_by_revenue_with_distinct_orders_and_customers() {
        let mut sales = Sales::default();
        let mug = sales.labels.intern("Mug");
        let tee = sales.labels.intern("Tee");
        assert_eq!(sales.labels.intern("Mug"), mug);
        let item = |purchase, customer, product, quantity, price| SoldItem {
            purchase,
            customer,
            product,
            sku: Maybe::NONE,
            category: Maybe::NONE,
            quantity,
            price,
            discount: 0.0,
        };
        sales.items = vec![
            item(0, 0, mug, 2.0, 10.0),
            item(0, 0, tee, 1.0, 25.0),
            item(1, 0, mug, 1.0, 10.0),
            item(2, 1, mug, 1.0, 10.0),
        ];
        sales.items[3].discount = 5.0;
        let summary = sales.product_summary(1);
        assert_eq!((summary.distinct, summary.lines), (2, 4));
        assert_eq!(summary.top.len(), 1);
        let mug = &summary.top[0];
        assert_eq!(mug.product, "Mug");
        assert_eq!(
            (mug.units, mug.revenue, mug.orders, mug.customers),
            (4.0, 35.0, 3, 2)
        );
    }
}
