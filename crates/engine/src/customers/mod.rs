//! Per-customer aggregates, held column by column.
//!
//! Customers are interned once during ingest ([`Identities`]); every
//! per-customer measure is then a flat vector indexed by customer position,
//! which keeps the scoring passes cache-friendly and the memory per customer
//! small whatever the size of the input.

mod profile;

use rustc_hash::FxHashMap;

pub use self::profile::Profile;
use crate::behaviour::{Behaviour, DayActivity};
use crate::date::Date;
use crate::interner::Interner;
use crate::sales::Maybe;

/// Interned customer identities, in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    keys: Interner,
    emails: Vec<Option<Box<str>>>,
}

impl Identities {
    /// The index of customer `key`, adding it if new. The first email seen
    /// for a customer is kept.
    pub fn intern(&mut self, key: &str, email: Option<&str>) -> u32 {
        let (index, new) = self.keys.intern_new(key);
        if new {
            self.emails.push(email.map(Box::from));
        } else {
            let slot = &mut self.emails[index as usize];
            if slot.is_none() {
                *slot = email.map(Box::from);
            }
        }
        index
    }

    /// The index of customer `key`, if interned.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.keys.get(key)
    }

    /// Number of identities interned.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys, and every email in index order written back to back with
    /// their lengths (0: none; emails are never empty): the compact form
    /// in which a piece of a file read elsewhere sends its customers.
    pub fn into_lists(self) -> (Interner, (String, Vec<u32>)) {
        let mut text = String::new();
        let lengths = self
            .emails
            .iter()
            .map(|email| {
                let email = email.as_deref().unwrap_or_default();
                text.push_str(email);
                email.len() as u32
            })
            .collect();
        (self.keys, (text, lengths))
    }

    /// Whether no identity has been interned.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One counted purchase (an order) of one customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    pub customer: u32,
    pub date: Date,
    /// Net amount (total less partial refunds).
    pub amount: f64,
    /// Discounts given on the order.
    pub discount: f64,
    /// Refunded on the order (a part: fully refunded orders are no purchase).
    pub refunded: f64,
    /// Interned labels (see `sales::Labels`), four bytes each: a store
    /// holds a purchase per order, hundreds of thousands of them.
    pub country: Maybe,
    pub source: Maybe,
    pub discount_code: Maybe,
}

// 48 bytes, not 56: the labels are `Maybe`s.
const _: () = assert!(std::mem::size_of::<Purchase>() <= 48);

impl Purchase {
    /// A purchase with no discount or labels.
    pub fn new(customer: u32, date: Date, amount: f64) -> Purchase {
        Purchase {
            customer,
            date,
            amount,
            discount: 0.0,
            refunded: 0.0,
            country: Maybe::NONE,
            source: Maybe::NONE,
            discount_code: Maybe::NONE,
        }
    }

    /// Whether a discount or discount code went with the order.
    pub fn discounted(&self) -> bool {
        self.discount > 0.0 || self.discount_code.is_some()
    }
}

/// Every customer: those with at least one counted purchase (buyers) and
/// those a customers export names without one (prospects), sorted by
/// customer id, with their aggregates as of the analysis date.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTable {
    /// The customer key: the shop's customer id when a customers export
    /// gives one, else the normalised email (Shopify orders) or the id.
    pub id: Vec<Box<str>>,
    pub email: Vec<Option<Box<str>>>,
    /// Counted orders; 0 for prospects.
    pub orders: Vec<u32>,
    /// Net revenue over all counted orders.
    pub revenue: Vec<f64>,
    /// Counted orders with a discount or discount code.
    pub discounted_orders: Vec<u32>,
    /// Money refunded: partial refunds of counted purchases and fully
    /// refunded orders up to the analysis date.
    pub refunded: Vec<f64>,
    /// The country of the customer's latest order that names one (a label).
    pub country: Vec<Option<u32>>,
    /// `None` for prospects.
    pub first_order: Vec<Option<Date>>,
    pub last_order: Vec<Option<Date>>,
    /// Index into `profiles` for customers a customers export describes.
    profile: Vec<Option<u32>>,
    pub profiles: Vec<Profile>,
    /// Shopping behaviour from analytics events, per customer; empty when no
    /// events were read.
    behaviour: Vec<Option<Behaviour>>,
    /// The same customers' activity day by day (empty without events).
    activity: Vec<Vec<DayActivity>>,
    /// The day the measures below are taken at (end of that day).
    pub as_of: Date,
}

impl CustomerTable {
    /// Aggregates `purchases` per customer. Identities with neither a
    /// purchase nor a profile (all their orders excluded) are left out.
    /// Also returns each identity's position in the table (`None` for those
    /// left out), to renumber what refers to identities.
    pub fn build(
        identities: Identities,
        purchases: &[Purchase],
        mut profiles: FxHashMap<u32, Profile>,
        mut behaviour: FxHashMap<u32, (Behaviour, Vec<DayActivity>)>,
        as_of: Date,
    ) -> (CustomerTable, Vec<Option<u32>>) {
        let n = identities.len();
        let mut orders = vec![0u32; n];
        let mut revenue = vec![0.0f64; n];
        let mut first: Vec<Option<Date>> = vec![None; n];
        let mut last: Vec<Option<Date>> = vec![None; n];
        let mut discounted = vec![0u32; n];
        let mut refunded = vec![0.0f64; n];
        let mut country: Vec<Option<(Date, u32)>> = vec![None; n];
        for p in purchases {
            let c = p.customer as usize;
            orders[c] += 1;
            revenue[c] += p.amount;
            discounted[c] += u32::from(p.discounted());
            refunded[c] += p.refunded;
            if let Some(label) = p.country.get() {
                if country[c].is_none_or(|(day, _)| p.date >= day) {
                    country[c] = Some((p.date, label));
                }
            }
            first[c] = Some(first[c].map_or(p.date, |d| d.min(p.date)));
            last[c] = Some(last[c].map_or(p.date, |d| d.max(p.date)));
        }

        let Identities { keys, mut emails } = identities;
        let mut ids: Vec<&str> = keys.iter().collect();
        // A customers export's own id becomes the key of its customer.
        for (&c, profile) in &profiles {
            if let Some(shop_id) = &profile.shop_id {
                ids[c as usize] = shop_id;
            }
        }
        // Stable output: sorted by id, whatever the order of the files.
        let mut keep: Vec<usize> = (0..n)
            .filter(|&c| orders[c] > 0 || profiles.contains_key(&(c as u32)))
            .collect();
        keep.sort_unstable_by(|&a, &b| ids[a].cmp(ids[b]));
        let mut position = vec![None; n];
        for (at, &c) in keep.iter().enumerate() {
            position[c] = Some(at as u32);
        }
        let id: Vec<Box<str>> = keep.iter().map(|&c| Box::from(ids[c])).collect();

        let mut dense = Vec::with_capacity(profiles.len());
        let profile = keep
            .iter()
            .map(|&c| {
                profiles.remove(&(c as u32)).map(|p| {
                    dense.push(p);
                    (dense.len() - 1) as u32
                })
            })
            .collect();
        let table = CustomerTable {
            id,
            email: keep.iter().map(|&c| emails[c].take()).collect(),
            orders: keep.iter().map(|&c| orders[c]).collect(),
            revenue: keep.iter().map(|&c| revenue[c]).collect(),
            discounted_orders: keep.iter().map(|&c| discounted[c]).collect(),
            refunded: keep.iter().map(|&c| refunded[c]).collect(),
            country: keep.iter().map(|&c| country[c].map(|(_, l)| l)).collect(),
            first_order: keep.iter().map(|&c| first[c]).collect(),
            last_order: keep.iter().map(|&c| last[c]).collect(),
            behaviour: if behaviour.is_empty() {
                Vec::new()
            } else {
                keep.iter()
                    .map(|&c| behaviour.get(&(c as u32)).map(|(b, _)| *b))
                    .collect()
            },
            activity: if behaviour.is_empty() {
                Vec::new()
            } else {
                keep.iter()
                    .map(|&c| {
                        behaviour
                            .remove(&(c as u32))
                            .map(|(_, d)| d)
                            .unwrap_or_default()
                    })
                    .collect()
            },
            profile,
            profiles: dense,
            as_of,
        };
        (table, position)
    }

    /// Customer `i`'s shopping behaviour, if analytics events name them.
    pub fn behaviour(&self, i: usize) -> Option<&Behaviour> {
        self.behaviour.get(i).and_then(Option::as_ref)
    }

    /// Customer `i`'s analytics activity by day (empty when none).
    pub fn activity(&self, i: usize) -> &[DayActivity] {
        self.activity.get(i).map_or(&[], Vec::as_slice)
    }

    /// Whether any analytics events were joined to customers.
    pub fn has_activity(&self) -> bool {
        !self.activity.is_empty()
    }

    /// Customers with analytics behaviour.
    pub fn with_behaviour(&self) -> usize {
        self.behaviour.iter().filter(|b| b.is_some()).count()
    }

    /// Number of customers, prospects included.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the table has no customers.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Whether customer `i` has a counted purchase.
    pub fn is_buyer(&self, i: usize) -> bool {
        self.orders[i] > 0
    }

    /// Customers with a counted purchase.
    pub fn buyers(&self) -> usize {
        self.orders.iter().filter(|&&o| o > 0).count()
    }

    /// What a customers export says of customer `i`, if anything.
    pub fn profile(&self, i: usize) -> Option<&Profile> {
        self.profile[i].map(|p| &self.profiles[p as usize])
    }

    /// Days from the last order to the analysis date.
    pub fn recency_days(&self, i: usize) -> Option<i32> {
        self.last_order[i].map(|d| self.as_of.days_since(d))
    }

    /// Days from the first order to the analysis date (the customer's age, T).
    pub fn tenure_days(&self, i: usize) -> Option<i32> {
        self.first_order[i].map(|d| self.as_of.days_since(d))
    }

    /// Repeat purchases: orders after the first.
    pub fn frequency(&self, i: usize) -> u32 {
        self.orders[i].saturating_sub(1)
    }

    /// Share of the customer's orders with a discount; `None` without orders.
    pub fn discount_share(&self, i: usize) -> Option<f64> {
        (self.orders[i] > 0)
            .then(|| f64::from(self.discounted_orders[i]) / f64::from(self.orders[i]))
    }

    /// Average order value; `None` without orders.
    /// Adds fully refunded orders (by identity, as numbered before the
    /// table was built; `position` maps identities to rows).
    pub fn add_full_refunds(&mut self, refunds: &[(u32, f64)], position: &[Option<u32>]) {
        for &(identity, amount) in refunds {
            if let Some(Some(row)) = position.get(identity as usize) {
                self.refunded[*row as usize] += amount;
            }
        }
    }

    /// Share of what customer `i` paid that was refunded (0..1); `None`
    /// without any payment.
    pub fn refund_rate(&self, i: usize) -> Option<f64> {
        let refunded = self.refunded.get(i).copied().unwrap_or(0.0);
        let paid = self.revenue[i] + refunded;
        (paid > 0.0).then(|| (refunded / paid).clamp(0.0, 1.0))
    }

    pub fn aov(&self, i: usize) -> Option<f64> {
        (self.orders[i] > 0).then(|| self.revenue[i] / f64::from(self.orders[i]))
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
            Purchase::new(zed, day(5), 10.0),
            Purchase {
                refunded: 5.0,
                ..Purchase::new(amy, day(1), 20.0)
            },
            Purchase::new(amy, day(9), 30.0),
        ];
        let (mut table, position) = CustomerTable::build(
            ids,
            &purchases,
            FxHashMap::default(),
            FxHashMap::default(),
            day(10),
        );
        assert_eq!(position[ghost as usize], None, "left out");
        assert_eq!(position[amy as usize], Some(0));
        assert_eq!(
            table.len(),
            2,
            "the identity without purchases is no customer"
        );
        assert_eq!(&*table.id[0], "amy@x");
        assert_eq!(table.email[0].as_deref(), Some("amy@x"));
        assert_eq!(table.orders, vec![2, 1]);
        assert_eq!(table.revenue, vec![50.0, 10.0]);
        assert_eq!(table.recency_days(0), Some(1));
        assert_eq!(table.tenure_days(0), Some(9));
        assert_eq!(table.frequency(0), 1);
        assert_eq!(table.frequency(1), 0);
        assert_eq!(table.aov(0), Some(25.0));
        // Refunds: amy's partial 5, then a fully refunded order of 15 (no
        // purchase); the ghost's refund has no row and is dropped.
        table.add_full_refunds(&[(amy, 15.0), (ghost, 9.0)], &position);
        assert_eq!(table.refunded, vec![20.0, 0.0]);
        assert_eq!(table.refund_rate(0), Some(20.0 / 70.0));
        assert_eq!(table.refund_rate(1), Some(0.0));
    }

    #[test]
    fn empty_input_gives_an_empty_table() {
        let (table, _) = CustomerTable::build(
            Identities::default(),
            &[],
            FxHashMap::default(),
            FxHashMap::default(),
            day(1),
        );
        assert!(table.is_empty());
    }

    #[test]
    fn profiles_without_purchases_are_prospects_keyed_by_shop_id() {
        let mut ids = Identities::default();
        let buyer = ids.intern("b@x", Some("b@x"));
        let prospect = ids.intern("p@x", Some("p@x"));
        let mut profiles = FxHashMap::default();
        profiles.insert(
            prospect,
            Profile {
                shop_id: Some("777".into()),
                ..Profile::default()
            },
        );
        let purchases = [Purchase::new(buyer, day(2), 5.0)];
        let (table, position) =
            CustomerTable::build(ids, &purchases, profiles, FxHashMap::default(), day(3));
        assert_eq!(position, [Some(1), Some(0)]);
        assert_eq!(table.len(), 2);
        assert_eq!(table.buyers(), 1);
        // "777" sorts before "b@x".
        assert_eq!(&*table.id[0], "777");
        assert_eq!(table.email[0].as_deref(), Some("p@x"));
        assert!(!table.is_buyer(0));
        assert_eq!(table.recency_days(0), None);
        assert_eq!(table.aov(0), None);
        assert!(table.profile(0).is_some());
        assert!(table.profile(1).is_none());
    }
}
