//! Per-customer aggregates, held column by column.
//!
//! Customers are interned once during ingest ([`Identities`]); every
//! per-customer measure is then a flat vector indexed by customer position,
//! which keeps the scoring passes cache-friendly and the memory per customer
//! small whatever the size of the input.

use rustc_hash::FxHashMap;

use crate::date::Date;

/// Interned customer identities, in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    index: FxHashMap<Box<str>, u32>,
    ids: Vec<Box<str>>,
    emails: Vec<Option<Box<str>>>,
}

impl Identities {
    /// The index of customer `key`, adding it if new. The first email seen
    /// for a customer is kept.
    pub fn intern(&mut self, key: &str, email: Option<&str>) -> u32 {
        if let Some(&index) = self.index.get(key) {
            let slot = &mut self.emails[index as usize];
            if slot.is_none() {
                *slot = email.map(Box::from);
            }
            return index;
        }
        let index = self.ids.len() as u32;
        self.index.insert(key.into(), index);
        self.ids.push(key.into());
        self.emails.push(email.map(Box::from));
        index
    }

    /// Number of identities interned.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no identity has been interned.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// One counted purchase (an order) of one customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    pub customer: u32,
    pub date: Date,
    /// Net amount (total less partial refunds).
    pub amount: f64,
}

/// Customers with at least one counted purchase, sorted by customer id, with
/// their aggregates as of the analysis date.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTable {
    /// The customer key: normalised email for Shopify orders, else the id.
    pub id: Vec<Box<str>>,
    pub email: Vec<Option<Box<str>>>,
    pub orders: Vec<u32>,
    /// Net revenue over all counted orders.
    pub revenue: Vec<f64>,
    pub first_order: Vec<Date>,
    pub last_order: Vec<Date>,
    /// The day the measures below are taken at (end of that day).
    pub as_of: Date,
}

impl CustomerTable {
    /// Aggregates `purchases` per customer. Identities without a purchase
    /// (all their orders excluded) are not customers of the table.
    pub fn from_purchases(
        identities: Identities,
        purchases: &[Purchase],
        as_of: Date,
    ) -> CustomerTable {
        let n = identities.len();
        let mut orders = vec![0u32; n];
        let mut revenue = vec![0.0f64; n];
        let mut first = vec![Date::from_days(i32::MAX); n];
        let mut last = vec![Date::from_days(i32::MIN); n];
        for p in purchases {
            let c = p.customer as usize;
            orders[c] += 1;
            revenue[c] += p.amount;
            first[c] = first[c].min(p.date);
            last[c] = last[c].max(p.date);
        }

        // Stable output: sorted by id, whatever the order of the files.
        let mut keep: Vec<usize> = (0..n).filter(|&c| orders[c] > 0).collect();
        keep.sort_unstable_by(|&a, &b| identities.ids[a].cmp(&identities.ids[b]));

        let Identities {
            mut ids,
            mut emails,
            ..
        } = identities;
        CustomerTable {
            id: keep.iter().map(|&c| std::mem::take(&mut ids[c])).collect(),
            email: keep.iter().map(|&c| emails[c].take()).collect(),
            orders: keep.iter().map(|&c| orders[c]).collect(),
            revenue: keep.iter().map(|&c| revenue[c]).collect(),
            first_order: keep.iter().map(|&c| first[c]).collect(),
            last_order: keep.iter().map(|&c| last[c]).collect(),
            as_of,
        }
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the table has no customers.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Days from the last order to the analysis date.
    pub fn recency_days(&self, i: usize) -> i32 {
        self.as_of.days_since(self.last_order[i])
    }

    /// Days from the first order to the analysis date (the customer's age, T).
    pub fn tenure_days(&self, i: usize) -> i32 {
        self.as_of.days_since(self.first_order[i])
    }

    /// Repeat purchases: orders after the first.
    pub fn frequency(&self, i: usize) -> u32 {
        self.orders[i].saturating_sub(1)
    }

    /// Average order value.
    pub fn aov(&self, i: usize) -> f64 {
        self.revenue[i] / f64::from(self.orders[i].max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Date {
        Date::from_ymd(2025, 3, d).expect("valid")
    }

    #[test]
    fn aggregates_per_customer() {
        let mut ids = Identities::default();
        let zed = ids.intern("zed@x", Some("zed@x"));
        let amy = ids.intern("amy@x", None);
        let ghost = ids.intern("ghost@x", None);
        assert_eq!(ids.intern("amy@x", Some("amy@x")), amy);
        let purchases = [
            Purchase {
                customer: zed,
                date: day(5),
                amount: 10.0,
            },
            Purchase {
                customer: amy,
                date: day(1),
                amount: 20.0,
            },
            Purchase {
                customer: amy,
                date: day(9),
                amount: 30.0,
            },
        ];
        let _ = ghost;
        let table = CustomerTable::from_purchases(ids, &purchases, day(10));
        assert_eq!(
            table.len(),
            2,
            "the identity without purchases is no customer"
        );
        assert_eq!(&*table.id[0], "amy@x");
        assert_eq!(table.email[0].as_deref(), Some("amy@x"));
        assert_eq!(table.orders, vec![2, 1]);
        assert_eq!(table.revenue, vec![50.0, 10.0]);
        assert_eq!(table.recency_days(0), 1);
        assert_eq!(table.tenure_days(0), 9);
        assert_eq!(table.frequency(0), 1);
        assert_eq!(table.frequency(1), 0);
        assert_eq!(table.aov(0), 25.0);
    }

    #[test]
    fn empty_input_gives_an_empty_table() {
        let table = CustomerTable::from_purchases(Identities::default(), &[], day(1));
        assert!(table.is_empty());
    }
}
