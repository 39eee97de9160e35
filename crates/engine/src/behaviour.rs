//! Shopping behaviour from analytics events (Google Analytics 4): per
//! visitor, how often they viewed items, added to cart, began checkout and
//! bought, how often a cart was left behind, and when they were last active.
//!
//! Events arrive one at a time from ingest ([`Activity::add`]) in any order
//! and from several files. A visitor is a signed-in user (GA4 `user_id`,
//! which shops set to their customer id or email) or an anonymous browser
//! (`user_pseudo_id`). When an event carries both, the browser's anonymous
//! events are credited to the user too ([`Activity::finish`]), so what a
//! customer did before signing in counts.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::date::Date;

/// The events that measure shopping intent; every other event only tells
/// that the visitor was active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    ViewItem,
    AddToCart,
    BeginCheckout,
    Purchase,
    Other,
}

impl EventKind {
    /// The kind of a GA4 event name (the recommended ecommerce events).
    pub fn from_name(name: &str) -> EventKind {
        match name.trim() {
            "view_item" => EventKind::ViewItem,
            "add_to_cart" => EventKind::AddToCart,
            "begin_checkout" => EventKind::BeginCheckout,
            "purchase" => EventKind::Purchase,
            _ => EventKind::Other,
        }
    }
}

/// One event, as ingest reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<'a> {
    /// The shop's id for a signed-in user, normalised (email or customer id).
    pub user_id: Option<&'a str>,
    /// The browser's anonymous id.
    pub pseudo_id: Option<&'a str>,
    pub date: Date,
    pub kind: EventKind,
    /// GA4's `ga_session_id`, when the export carries it.
    pub session: Option<u64>,
}

/// A visitor's shopping behaviour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    pub item_views: u32,
    pub add_to_carts: u32,
    pub checkouts_begun: u32,
    /// Purchases the analytics saw (the order files stay the record of sales).
    pub purchases: u32,
    /// Sessions in which something went into the cart or checkout began.
    pub cart_sessions: u32,
    /// Those of them that ended without a purchase.
    pub abandoned_sessions: u32,
    pub events: u32,
    pub first_active: Option<Date>,
    pub last_active: Option<Date>,
    /// The latest day a checkout began in a session that ended without a
    /// purchase (Shopify's `abandoned_checkout_date`, from the events).
    #[serde(default)]
    pub abandoned_checkout: Option<Date>,
}

impl Behaviour {
    /// Share of cart sessions that ended without a purchase; `None` when the
    /// visitor never filled a cart.
    pub fn abandonment_rate(&self) -> Option<f64> {
        (self.cart_sessions > 0)
            .then(|| f64::from(self.abandoned_sessions) / f64::from(self.cart_sessions))
    }

    fn count(&mut self, kind: EventKind, date: Date) {
        self.events += 1;
        match kind {
            EventKind::ViewItem => self.item_views += 1,
            EventKind::AddToCart => self.add_to_carts += 1,
            EventKind::BeginCheckout => self.checkouts_begun += 1,
            EventKind::Purchase => self.purchases += 1,
            EventKind::Other => {}
        }
        self.first_active = Some(self.first_active.map_or(date, |d| d.min(date)));
        self.last_active = Some(self.last_active.map_or(date, |d| d.max(date)));
    }

    /// Adds another visitor's counts (one person seen under two ids).
    pub fn absorb(&mut self, other: &Behaviour) {
        self.item_views += other.item_views;
        self.add_to_carts += other.add_to_carts;
        self.checkouts_begun += other.checkouts_begun;
        self.purchases += other.purchases;
        self.cart_sessions += other.cart_sessions;
        self.abandoned_sessions += other.abandoned_sessions;
        self.events += other.events;
        self.first_active = min_date(self.first_active, other.first_active);
        self.last_active = max_date(self.last_active, other.last_active);
        self.abandoned_checkout = max_date(self.abandoned_checkout, other.abandoned_checkout);
    }
}

fn max_date(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_date(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One visitor's activity on one day, kept so that features can be taken
/// as of any date (the purchase-propensity model looks back from past cut
/// dates, and must not see later events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayActivity {
    pub date: Date,
    pub item_views: u32,
    pub add_to_carts: u32,
    pub events: u32,
}

/// A session's cart state.
const HAD_CART: u8 = 1;
const HAD_PURCHASE: u8 = 2;
const HAD_CHECKOUT: u8 = 4;

/// Events gathered so far, per visitor.
#[derive(Debug, Default)]
pub struct Activity {
    /// Visitor keys: `u:` + user id, or `p:` + pseudo id.
    index: FxHashMap<Box<str>, u32>,
    keys: Vec<Box<str>>,
    counts: Vec<Behaviour>,
    /// Anonymous visitor → the signed-in visitor it turned out to be.
    signed_in_as: FxHashMap<u32, u32>,
    /// Cart state per (visitor, session); the day stands in for the session
    /// where the export has no session id.
    /// Per (visitor, session): what happened (flags) and the latest day a
    /// checkout began in it.
    sessions: FxHashMap<(u32, u64), (u8, Option<Date>)>,
    /// Events per kind over everyone, anonymous included.
    funnel: Behaviour,
    /// Per (visitor, day): item views, add-to-carts, events.
    days: FxHashMap<(u32, i32), [u32; 3]>,
    /// Reused to build visitor keys: no allocation per event.
    key: String,
}

/// The events, credited to visitors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visitors {
    /// Signed-in visitors by user id (normalised), with their behaviour.
    pub signed_in: Vec<(Box<str>, Behaviour)>,
    /// Their activity day by day (same order), anonymous days included.
    pub timelines: Vec<Vec<DayActivity>>,
    pub anonymous: u64,
    /// Store-wide totals, anonymous visitors included.
    pub funnel: Behaviour,
}

impl Activity {
    /// Whether no event has been added.
    pub fn is_empty(&self) -> bool {
        self.funnel.events == 0
    }

    /// Adds one event. Events without any visitor id are the caller's to
    /// reject; here they only count towards the store-wide funnel.
    pub fn add(&mut self, event: &Event<'_>) {
        self.funnel.count(event.kind, event.date);
        let user = event.user_id.map(|id| self.visitor("u:", id));
        let browser = event.pseudo_id.map(|id| self.visitor("p:", id));
        if let (Some(user), Some(browser)) = (user, browser) {
            self.signed_in_as.entry(browser).or_insert(user);
        }
        let Some(visitor) = user.or(browser) else {
            return;
        };
        self.counts[visitor as usize].count(event.kind, event.date);
        let day = self.days.entry((visitor, event.date.days())).or_default();
        day[0] += u32::from(event.kind == EventKind::ViewItem);
        day[1] += u32::from(event.kind == EventKind::AddToCart);
        day[2] += 1;
        let session = event
            .session
            .unwrap_or_else(|| u64::from(event.date.days().unsigned_abs()));
        let flag = match event.kind {
            EventKind::AddToCart => HAD_CART,
            EventKind::BeginCheckout => HAD_CART | HAD_CHECKOUT,
            EventKind::Purchase => HAD_PURCHASE,
            _ => 0,
        };
        if flag != 0 {
            let entry = self.sessions.entry((visitor, session)).or_default();
            entry.0 |= flag;
            if event.kind == EventKind::BeginCheckout {
                entry.1 = max_date(entry.1, Some(event.date));
            }
        }
    }

    fn visitor(&mut self, prefix: &str, id: &str) -> u32 {
        self.key.clear();
        self.key.push_str(prefix);
        self.key.push_str(id);
        if let Some(&index) = self.index.get(self.key.as_str()) {
            return index;
        }
        let index = self.keys.len() as u32;
        self.keys.push(self.key.as_str().into());
        self.index.insert(self.key.as_str().into(), index);
        self.counts.push(Behaviour::default());
        index
    }

    /// Credits anonymous browsing to the users it belongs to, counts cart
    /// sessions, and hands the visitors over.
    pub fn finish(self) -> Visitors {
        let Activity {
            keys,
            mut counts,
            signed_in_as,
            sessions,
            mut funnel,
            days,
            ..
        } = self;
        let owner = |visitor: u32| signed_in_as.get(&visitor).copied().unwrap_or(visitor);
        // A session browsed anonymously and finished signed in is one session.
        let mut merged: FxHashMap<(u32, u64), (u8, Option<Date>)> = FxHashMap::default();
        for (&(visitor, session), &(flags, checkout)) in &sessions {
            let entry = merged.entry((owner(visitor), session)).or_default();
            entry.0 |= flags;
            entry.1 = max_date(entry.1, checkout);
        }
        for (&(visitor, _), &(flags, checkout)) in &merged {
            if flags & HAD_CART != 0 {
                let c = &mut counts[visitor as usize];
                c.cart_sessions += 1;
                funnel.cart_sessions += 1;
                if flags & HAD_PURCHASE == 0 {
                    c.abandoned_sessions += 1;
                    funnel.abandoned_sessions += 1;
                    if flags & HAD_CHECKOUT != 0 {
                        c.abandoned_checkout = max_date(c.abandoned_checkout, checkout);
                    }
                }
            }
        }
        for (&browser, &user) in &signed_in_as {
            let anonymous = std::mem::take(&mut counts[browser as usize]);
            // Cart sessions were counted on the owner already.
            let anonymous = Behaviour {
                cart_sessions: 0,
                abandoned_sessions: 0,
                ..anonymous
            };
            counts[user as usize].absorb(&anonymous);
        }
        let mut by_owner: FxHashMap<u32, FxHashMap<i32, [u32; 3]>> = FxHashMap::default();
        for (&(visitor, day), c) in &days {
            let slot = by_owner
                .entry(owner(visitor))
                .or_default()
                .entry(day)
                .or_default();
            for k in 0..3 {
                slot[k] += c[k];
            }
        }
        let mut signed_in = Vec::new();
        let mut timelines = Vec::new();
        let mut anonymous = 0;
        for (index, (key, behaviour)) in keys.iter().zip(counts).enumerate() {
            if let Some(user) = key.strip_prefix("u:") {
                signed_in.push((Box::from(user), behaviour));
                let mut timeline: Vec<DayActivity> = by_owner
                    .remove(&(index as u32))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(day, c)| DayActivity {
                        date: Date::from_days(day),
                        item_views: c[0],
                        add_to_carts: c[1],
                        events: c[2],
                    })
                    .collect();
                timeline.sort_by_key(|d| d.date);
                timelines.push(timeline);
            } else if !signed_in_as.contains_key(&(index as u32)) {
                anonymous += 1;
            }
        }
        Visitors {
            signed_in,
            timelines,
            anonymous,
            funnel,
        }
    }
}

/// The store-level figures of the analytics events (`behaviour` in
/// `summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BehaviourSummary {
    pub events: u64,
    /// Distinct visitors: signed-in users plus anonymous browsers never seen
    /// signed in.
    pub visitors: u64,
    pub signed_in: u64,
    /// Signed-in users matched to a customer of the store files.
    pub matched_customers: u64,
    pub item_views: u64,
    pub add_to_carts: u64,
    pub checkouts_begun: u64,
    pub purchases: u64,
    pub cart_sessions: u64,
    pub abandoned_sessions: u64,
    /// Share of cart sessions left without a purchase, store-wide.
    pub abandonment_rate: Option<f64>,
    pub first_event: Option<Date>,
    pub last_event: Option<Date>,
}

impl BehaviourSummary {
    pub fn of(visitors: &Visitors, matched_customers: u64) -> BehaviourSummary {
        let f = &visitors.funnel;
        BehaviourSummary {
            events: u64::from(f.events),
            visitors: visitors.signed_in.len() as u64 + visitors.anonymous,
            signed_in: visitors.signed_in.len() as u64,
            matched_customers,
            item_views: u64::from(f.item_views),
            add_to_carts: u64::from(f.add_to_carts),
            checkouts_begun: u64::from(f.checkouts_begun),
            purchases: u64::from(f.purchases),
            cart_sessions: u64::from(f.cart_sessions),
            abandoned_sessions: u64::from(f.abandoned_sessions),
            abandonment_rate: f.abandonment_rate(),
            first_event: f.first_active,
            last_event: f.last_active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Date {
        Date::from_ymd(2025, 3, d).expect("valid")
    }

    fn event<'a>(
        user: Option<&'a str>,
        browser: Option<&'a str>,
        d: u32,
        name: &str,
        session: Option<u64>,
    ) -> Event<'a> {
        Event {
            user_id: user,
            pseudo_id: browser,
            date: day(d),
            kind: EventKind::from_name(name),
            session,
        }
    }

    #[test]
    fn counts_the_funnel_and_abandoned_sessions() {
        let mut activity = Activity::default();
        for e in [
            event(Some("amy@x"), None, 1, "view_item", Some(1)),
            event(Some("amy@x"), None, 1, "add_to_cart", Some(1)),
            event(Some("amy@x"), None, 1, "purchase", Some(1)),
            event(Some("amy@x"), None, 4, "add_to_cart", Some(2)),
            event(Some("amy@x"), None, 5, "page_view", Some(3)),
        ] {
            activity.add(&e);
        }
        let visitors = activity.finish();
        assert_eq!(visitors.signed_in.len(), 1);
        let (id, amy) = &visitors.signed_in[0];
        assert_eq!(&**id, "amy@x");
        assert_eq!((amy.item_views, amy.add_to_carts, amy.purchases), (1, 2, 1));
        assert_eq!((amy.cart_sessions, amy.abandoned_sessions), (2, 1));
        assert_eq!(amy.abandonment_rate(), Some(0.5));
        assert_eq!(
            (amy.first_active, amy.last_active),
            (Some(day(1)), Some(day(5)))
        );
        assert_eq!(amy.events, 5);
    }

    #[test]
    fn anonymous_browsing_counts_for_the_user_it_turns_out_to_be() {
        let mut activity = Activity::default();
        // Browses and fills a cart anonymously, signs in and buys in the same session.
        activity.add(&event(None, Some("b1"), 2, "view_item", Some(7)));
        activity.add(&event(None, Some("b1"), 2, "add_to_cart", Some(7)));
        activity.add(&event(Some("42"), Some("b1"), 2, "purchase", Some(7)));
        // Another browser never signs in.
        activity.add(&event(None, Some("b2"), 3, "add_to_cart", None));
        let visitors = activity.finish();
        assert_eq!(visitors.anonymous, 1);
        let (_, user) = &visitors.signed_in[0];
        assert_eq!(
            (user.item_views, user.add_to_carts, user.purchases),
            (1, 1, 1)
        );
        assert_eq!(
            (user.cart_sessions, user.abandoned_sessions),
            (1, 0),
            "one session, bought"
        );
        let summary = BehaviourSummary::of(&visitors, 1);
        assert_eq!(summary.visitors, 2);
        assert_eq!(summary.cart_sessions, 2);
        assert_eq!(summary.abandoned_sessions, 1);
        assert_eq!(summary.abandonment_rate, Some(0.5));
        assert_eq!(summary.events, 4);
        // The user's timeline holds the anonymous day too.
        assert_eq!(visitors.timelines[0].len(), 1);
        assert_eq!(visitors.timelines[0][0].item_views, 1);
        assert_eq!(visitors.timelines[0][0].add_to_carts, 1);
        assert_eq!(visitors.timelines[0][0].events, 3);
    }

    #[test]
    fn without_session_ids_the_day_is_the_session() {
        let mut activity = Activity::default();
        activity.add(&event(Some("u"), None, 1, "add_to_cart", None));
        activity.add(&event(Some("u"), None, 1, "purchase", None));
        activity.add(&event(Some("u"), None, 2, "begin_checkout", None));
        let (_, u) = activity.finish().signed_in.remove(0);
        assert_eq!((u.cart_sessions, u.abandoned_sessions), (2, 1));
        assert_eq!(u.checkouts_begun, 1);
    }

    #[test]
    fn no_cart_means_no_abandonment_rate() {
        assert_eq!(Behaviour::default().abandonment_rate(), None);
    }
}
