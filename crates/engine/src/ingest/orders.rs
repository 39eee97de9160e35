//! Grouping rows into orders, and deciding which orders are purchases.
//!
//! A Shopify export writes one row per line item and puts the order's status
//! and totals on its first row only; other layouts write one row per order or
//! per line. Either way the unit of a purchase is the order, and every row
//! shares the fate of its order: used when the order counts, excluded under
//! the order's reason when it does not.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::dates::{DateEvidence, DateValue};
use super::layout::{OrderFields, OrderLine};
use super::quality::{Exclusion, RowIssue};
use crate::date::Date;
use crate::interner::Interner;

/// Index of an interned customer identity.
pub type CustomerIndex = u32;

/// One order as assembled from its rows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    pub customer: Option<CustomerIndex>,
    /// As read; a day/month pair until `OrderBook::resolve_dates`.
    date: Option<DateValue>,
    /// The earliest known day of its dated lines: what a later line that
    /// is not a day/month pair can still move the date to (kept so that two
    /// halves of an order read apart merge as if read in one go).
    min_known: Option<Date>,
    /// Order total (Shopify) or the sum of line amounts (other layouts).
    pub amount: f64,
    pub refunded: f64,
    pub currency: Option<u16>,
    /// Rows of the input that belong to this order.
    pub rows: u32,
    /// Line of its first row in the file.
    pub first_line: u32,
    flags: u8,
    /// A problem with one of its rows that rules the whole order out.
    pub broken: Option<Exclusion>,
    /// The order's discount (Shopify `Discount Amount`), else its lines'.
    discount_order: f64,
    discount_lines: f64,
    /// Interned labels (see `Intern::label`).
    pub country: Option<u32>,
    pub source: Option<u32>,
    pub discount_code: Option<u32>,
    pub tags: Option<u32>,
}

/// A product line of an order in the book.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookItem {
    pub order: u32,
    pub product: u32,
    pub sku: Option<u32>,
    pub category: Option<u32>,
    pub quantity: f32,
    pub price: f64,
    pub discount: f64,
}

const HAS_ORDER_ROW: u8 = 1;
/// From the order-level fields (`Cancelled at`).
const CANCELLED: u8 = 2;
const VOIDED: u8 = 4;
const REFUNDED_STATUS: u8 = 8;
/// A line said the order was cancelled (a `C…` invoice).
const CANCELLED_LINE: u8 = 16;
/// The order's fields came from an order row (Shopify), not from dated lines.
const FROM_FIELDS: u8 = 32;
/// What the order row's fields set, as opposed to what any line sets.
const FIELD_FLAGS: u8 = HAS_ORDER_ROW | CANCELLED | VOIDED | REFUNDED_STATUS | FROM_FIELDS;

impl Order {
    fn new() -> Order {
        Order {
            customer: None,
            date: None,
            min_known: None,
            amount: 0.0,
            refunded: 0.0,
            currency: None,
            rows: 0,
            first_line: 0,
            flags: 0,
            broken: None,
            discount_order: 0.0,
            discount_lines: 0.0,
            country: None,
            source: None,
            discount_code: None,
            tags: None,
        }
    }

    /// Discounts given on the order.
    pub fn discount(&self) -> f64 {
        if self.discount_order > 0.0 {
            self.discount_order
        } else {
            self.discount_lines
        }
    }

    /// The day the order was placed, once its date is resolved.
    pub fn date(&self) -> Option<Date> {
        match self.date? {
            DateValue::Known(date) => Some(date),
            DateValue::Pair { .. } => None,
        }
    }

    /// Net amount of the purchase: total less refunds.
    pub fn net(&self) -> f64 {
        self.amount - self.refunded
    }

    /// The fate of the order before the analysis date is known: `Ok` when it
    /// is a purchase, else the reason its rows are excluded. The checks run in
    /// this order, so an order is reported under its first failing check.
    pub fn classify(&self) -> Result<(), Exclusion> {
        if let Some(reason) = self.broken {
            return Err(reason);
        }
        if self.customer.is_none() {
            return Err(Exclusion::NoCustomer);
        }
        if self.flags & (CANCELLED | CANCELLED_LINE) != 0 {
            return Err(Exclusion::Cancelled);
        }
        if self.flags & VOIDED != 0 {
            return Err(Exclusion::Voided);
        }
        if self.flags & HAS_ORDER_ROW == 0 || self.date().is_none() {
            return Err(Exclusion::IncompleteOrder);
        }
        // Refunds that reach the total (to the cent) make the order no purchase.
        let fully_refunded = self.refunded > 0.0 && self.net() < 0.005;
        if self.flags & REFUNDED_STATUS != 0 || fully_refunded || self.net() < 0.0 {
            return Err(Exclusion::Refunded);
        }
        Ok(())
    }
}

/// The orders of one file, in order of first appearance.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OrderBook {
    /// The order ids seen, and for each the position of its order.
    ids: Interner,
    order_of_id: Vec<u32>,
    pub orders: Vec<Order>,
    /// What the file's slash dates showed about day/month order.
    dates: DateEvidence,
    /// What broke each broken order (for the list of rejected rows).
    details: FxHashMap<u32, Box<str>>,
    /// Product lines, in file order.
    pub items: Vec<BookItem>,
    /// The order of the previous row: exports list an order's line items
    /// together, so most rows find their order here without hashing.
    #[serde(skip)]
    last_id: String,
    #[serde(skip)]
    last_index: Option<u32>,
}

/// Interning of text values that repeat on every row.
pub trait Intern {
    fn customer(&mut self, key: &str, email: Option<&str>) -> CustomerIndex;
    fn currency(&mut self, code: &str) -> u16;
    /// A descriptive text value (product, country, channel, code).
    fn label(&mut self, text: &str) -> u32;
}

impl OrderBook {
    /// Adds one row's line to its order (a line without an order id is an
    /// order of its own). Returns the issue that broke the order, if any.
    pub fn add(
        &mut self,
        line: OrderLine<'_>,
        line_no: u64,
        intern: &mut impl Intern,
    ) -> Option<RowIssue> {
        let index = match &line.order_id {
            Some(id) => self.index_of(id),
            None => {
                self.orders.push(Order::new());
                self.orders.len() - 1
            }
        };
        let order = &mut self.orders[index];
        if order.rows == 0 {
            order.first_line = u32::try_from(line_no).unwrap_or(u32::MAX);
        }
        order.rows += 1;
        if order.customer.is_none() {
            if let Some(customer) = &line.customer {
                order.customer = Some(intern.customer(customer, line.email.as_deref()));
            }
        }
        if let Some(amount) = line.line_amount {
            order.amount += amount;
        }
        if line.cancelled {
            order.flags |= CANCELLED_LINE;
        }
        if order.currency.is_none() {
            order.currency = line.currency.as_deref().map(|c| intern.currency(c));
        }
        let labels = line.labels;
        for (slot, text) in [
            (&mut order.country, labels.country),
            (&mut order.source, labels.source),
            (&mut order.discount_code, labels.discount_code),
            (&mut order.tags, labels.tags),
        ] {
            if slot.is_none() {
                *slot = text.as_deref().map(|t| intern.label(t));
            }
        }
        if let Some(item) = line.item {
            order.discount_lines += item.discount;
            self.items.push(BookItem {
                order: index as u32,
                product: intern.label(&item.product),
                sku: item.sku.as_deref().map(|s| intern.label(s)),
                category: item.category.as_deref().map(|c| intern.label(c)),
                quantity: item.quantity as f32,
                price: item.price,
                discount: item.discount,
            });
        }
        if let Some(date) = line.line_date {
            self.dates.observe(date);
            if let DateValue::Known(day) = date {
                order.min_known = Some(order.min_known.map_or(day, |d| d.min(day)));
            }
            order.date = Some(earliest(order.date, date));
            order.flags |= HAS_ORDER_ROW;
        }
        if let Some(fields) = line.order {
            if order.flags & HAS_ORDER_ROW == 0 {
                if let Some(date) = fields.date {
                    self.dates.observe(date);
                }
                apply_order_fields(order, fields);
            }
        }
        if let Some(issue) = line.broken {
            if order.broken.is_none() {
                order.broken = Some(issue.reason);
                if self.details.len() < super::quality::REJECTIONS_LISTED {
                    self.details.insert(index as u32, issue.detail().into());
                }
            }
            return Some(issue);
        }
        None
    }
}

/// How the numbers of a piece of a file, read on its own, map onto those of
/// the whole: its customers, labels and currencies were numbered in the
/// piece's own order, and its lines counted from the piece's start.
pub struct Renumbering<'a> {
    pub customers: &'a [CustomerIndex],
    pub labels: &'a [u32],
    pub currencies: &'a [u16],
    /// Added to the piece's line numbers.
    pub lines: u64,
}

impl Renumbering<'_> {
    fn label(&self, label: u32) -> u32 {
        self.labels[label as usize]
    }
}

impl Order {
    fn renumber(&mut self, map: &Renumbering<'_>) {
        self.customer = self.customer.map(|c| map.customers[c as usize]);
        self.currency = self.currency.map(|c| map.currencies[c as usize]);
        for slot in [
            &mut self.country,
            &mut self.source,
            &mut self.discount_code,
            &mut self.tags,
        ] {
            *slot = slot.map(|l| map.label(l));
        }
        self.first_line = u32::try_from(u64::from(self.first_line) + map.lines).unwrap_or(u32::MAX);
    }

    /// Folds in `later`: the same order's lines from further on in the file,
    /// gathered on their own. The result is what `OrderBook::add` gives on
    /// all the lines in file order. Returns the date of `later`'s order row
    /// when that row is ignored (an order's first order row wins), which
    /// `later`'s date evidence counted and reading in one go would not.
    fn absorb(&mut self, later: Order) -> Option<DateValue> {
        let mut ignored = None;
        self.rows += later.rows;
        self.customer = self.customer.or(later.customer);
        self.currency = self.currency.or(later.currency);
        self.country = self.country.or(later.country);
        self.source = self.source.or(later.source);
        self.discount_code = self.discount_code.or(later.discount_code);
        self.tags = self.tags.or(later.tags);
        self.broken = self.broken.or(later.broken);
        self.discount_lines += later.discount_lines;
        self.flags |= later.flags & CANCELLED_LINE;
        if later.flags & FROM_FIELDS != 0 {
            if self.flags & HAS_ORDER_ROW == 0 {
                // Its order row is the order's first: as `apply_order_fields`.
                self.flags |= later.flags & FIELD_FLAGS;
                self.date = later.date;
                self.amount = later.amount;
                self.refunded = later.refunded;
                self.discount_order = later.discount_order;
            } else {
                ignored = later.date;
            }
        } else {
            self.amount += later.amount;
            if later.flags & HAS_ORDER_ROW != 0 {
                // Dated lines: `earliest` applied to each of `later`'s lines.
                self.date = match (self.date, later.date) {
                    (Some(DateValue::Known(a)), _) => {
                        Some(DateValue::Known(later.min_known.map_or(a, |b| a.min(b))))
                    }
                    (Some(first), _) => Some(first),
                    (None, date) => date,
                };
                self.flags |= HAS_ORDER_ROW;
            }
        }
        self.min_known = match (self.min_known, later.min_known) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ignored
    }
}

impl OrderBook {
    /// Adds the orders of `piece`, the next stretch of the same file read on
    /// its own, as if its rows had been added here one by one: an order
    /// whose rows straddle the cut (or come back later) is folded into the
    /// order already here, new orders and product lines follow in file order.
    pub fn absorb(&mut self, piece: OrderBook, map: &Renumbering<'_>) {
        let OrderBook {
            ids,
            order_of_id,
            orders,
            dates,
            mut details,
            items,
            ..
        } = piece;
        let mut id_of_order = vec![None; orders.len()];
        for (id, &order) in order_of_id.iter().enumerate() {
            id_of_order[order as usize] = Some(id as u32);
        }
        self.dates.add(&dates);
        // Room for exactly the piece: amortised doubling would leave up to
        // a whole book of slack at the ingest's peak.
        self.orders.reserve_exact(orders.len());
        self.items.reserve_exact(items.len());
        let mut position = Vec::with_capacity(orders.len());
        for (j, mut order) in orders.into_iter().enumerate() {
            order.renumber(map);
            let detail = details.remove(&(j as u32));
            let earlier = id_of_order[j].and_then(|id| {
                let (number, new) = self.ids.intern_new(ids.name(id));
                if new {
                    self.order_of_id.push(self.orders.len() as u32);
                    None
                } else {
                    Some(self.order_of_id[number as usize])
                }
            });
            let (at, detail) = match earlier {
                Some(at) => {
                    let target = &mut self.orders[at as usize];
                    // Only what broke an order first is listed.
                    let detail = detail.filter(|_| target.broken.is_none());
                    if let Some(date) = target.absorb(order) {
                        self.dates.unobserve(date);
                    }
                    (at, detail)
                }
                None => {
                    self.orders.push(order);
                    ((self.orders.len() - 1) as u32, detail)
                }
            };
            if let Some(detail) = detail {
                if self.details.len() < super::quality::REJECTIONS_LISTED {
                    self.details.insert(at, detail);
                }
            }
            position.push(at);
        }
        self.items.extend(items.into_iter().map(|item| BookItem {
            order: position[item.order as usize],
            product: map.label(item.product),
            sku: item.sku.map(|l| map.label(l)),
            category: item.category.map(|l| map.label(l)),
            ..item
        }));
    }

    /// The position of order `id`, added if new.
    fn index_of(&mut self, id: &str) -> usize {
        if let Some(index) = self.last_index {
            if self.last_id == id {
                return index as usize;
            }
        }
        let (id_number, new) = self.ids.intern_new(id);
        let index = if new {
            let index = self.orders.len() as u32;
            self.order_of_id.push(index);
            self.orders.push(Order::new());
            index
        } else {
            self.order_of_id[id_number as usize]
        };
        // A reused buffer: remembering the id costs no allocation.
        self.last_id.clear();
        self.last_id.push_str(id);
        self.last_index = Some(index);
        index as usize
    }

    /// Marks the orders whose id is already in `seen` (from earlier files of
    /// the same layout) as duplicates, and adds the others to it when a
    /// later file needs them (`remember`).
    pub fn mark_duplicates<'a>(
        &'a mut self,
        seen: &mut rustc_hash::FxHashSet<&'a str>,
        remember: bool,
    ) -> u64 {
        let mut duplicates = 0;
        for (id, &index) in self.ids.iter().zip(&self.order_of_id) {
            let duplicate = if remember {
                !seen.insert(id)
            } else {
                seen.contains(id)
            };
            if duplicate {
                self.orders[index as usize].broken = Some(Exclusion::Duplicate);
                duplicates += 1;
            }
        }
        duplicates
    }

    /// The order ids, by order position (`None` for rows that were orders
    /// of their own).
    pub fn ids(&self) -> Vec<Option<&str>> {
        let mut ids = vec![None; self.orders.len()];
        for (id, &index) in self.ids.iter().zip(&self.order_of_id) {
            ids[index as usize] = Some(id);
        }
        ids
    }

    /// The product lines alone, the orders and their ids dropped: what
    /// is left of the book once each order's fate is known.
    pub fn into_items(self) -> Vec<BookItem> {
        self.items
    }

    /// What broke order `index`, if a field did.
    pub fn detail(&self, index: usize) -> Option<&str> {
        self.details.get(&(index as u32)).map(|d| &**d)
    }

    /// Reads every day/month pair in the order the file's dates show, and
    /// says so when that needed a choice (see `DateEvidence::decide`).
    pub fn resolve_dates(&mut self, column: &str) -> Option<String> {
        let (order, note) = self.dates.decide(column);
        for o in &mut self.orders {
            if let Some(value @ DateValue::Pair { .. }) = o.date {
                o.date = value.resolve(order).map(DateValue::Known);
            }
        }
        note
    }
}

/// The date of an order placed at `so_far` when another of its lines is
/// dated `line`: its earliest known day, though an order whose first dated
/// line is a day/month pair keeps that pair (resolved with the file's
/// dates at its end).
fn earliest(so_far: Option<DateValue>, line: DateValue) -> DateValue {
    match (so_far, line) {
        (Some(DateValue::Known(a)), DateValue::Known(b)) => DateValue::Known(a.min(b)),
        (Some(first), _) => first,
        (None, date) => date,
    }
}

fn apply_order_fields(order: &mut Order, fields: OrderFields) {
    order.flags |= HAS_ORDER_ROW | FROM_FIELDS;
    order.date = fields.date;
    order.amount = fields.total;
    order.refunded = fields.refunded;
    order.discount_order = fields.discount;
    if fields.cancelled {
        order.flags |= CANCELLED;
    }
    if fields.voided {
        order.flags |= VOIDED;
    }
    if fields.refunded_status {
        order.flags |= REFUNDED_STATUS;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[derive(Default)]
    struct Names {
        customers: Vec<String>,
        currencies: Vec<String>,
    }

    impl Intern for Names {
        fn customer(&mut self, key: &str, _email: Option<&str>) -> CustomerIndex {
            intern(&mut self.customers, key) as CustomerIndex
        }
        fn currency(&mut self, code: &str) -> u16 {
            intern(&mut self.currencies, code) as u16
        }
        fn label(&mut self, text: &str) -> u32 {
            intern(&mut self.currencies, text) as u32
        }
    }

    fn intern(names: &mut Vec<String>, name: &str) -> usize {
        names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        })
    }

    fn order_row(id: &str, email: &str, total: f64) -> OrderLine<'static> {
        OrderLine {
            order_id: Some(Cow::Owned(id.into())),
            customer: Some(Cow::Owned(email.into())),
            email: Some(Cow::Owned(email.into())),
            order: Some(OrderFields {
                date: Date::from_ymd(2025, 1, 2).map(DateValue::Known),
                total,
                ..OrderFields::default()
            }),
            currency: Some("USD".into()),
            ..OrderLine::default()
        }
    }

    fn item_row(id: &str, email: &str) -> OrderLine<'static> {
        OrderLine {
            order_id: Some(Cow::Owned(id.into())),
            customer: Some(Cow::Owned(email.into())),
            ..OrderLine::default()
        }
    }

    #[test]
    fn line_items_join_their_order_even_out_of_sequence() {
        let mut book = OrderBook::default();
        let mut names = Names::default();
        book.add(item_row("#2", "a@x"), 0, &mut names);
        book.add(order_row("#1", "a@x", 10.0), 0, &mut names);
        book.add(order_row("#2", "a@x", 25.0), 0, &mut names);
        book.add(item_row("#1", "a@x"), 0, &mut names);
        assert_eq!(book.orders.len(), 2);
        assert_eq!(book.orders[0].rows, 2);
        assert_eq!(book.orders[0].amount, 25.0);
        assert_eq!(book.orders[1].amount, 10.0);
        assert!(book.orders.iter().all(|o| o.classify().is_ok()));
    }

    #[test]
    fn classification_follows_the_documented_order() {
        let mut names = Names::default();
        let classify = |line: OrderLine<'static>, names: &mut Names| {
            let mut book = OrderBook::default();
            book.add(line, 0, names);
            book.orders[0].classify()
        };
        let mut guest = order_row("#1", "", 10.0);
        guest.customer = None;
        assert_eq!(classify(guest, &mut names), Err(Exclusion::NoCustomer));

        let mut cancelled = order_row("#1", "a@x", 10.0);
        if let Some(f) = cancelled.order.as_mut() {
            f.cancelled = true;
            f.voided = true;
        }
        assert_eq!(classify(cancelled, &mut names), Err(Exclusion::Cancelled));

        let mut refunded = order_row("#1", "a@x", 10.0);
        if let Some(f) = refunded.order.as_mut() {
            f.refunded = 10.0;
        }
        assert_eq!(classify(refunded, &mut names), Err(Exclusion::Refunded));

        let mut partial = order_row("#1", "a@x", 10.0);
        if let Some(f) = partial.order.as_mut() {
            f.refunded = 4.0;
        }
        assert_eq!(classify(partial, &mut names), Ok(()));

        assert_eq!(
            classify(item_row("#1", "a@x"), &mut names),
            Err(Exclusion::IncompleteOrder)
        );
        // A free order is still a purchase.
        assert_eq!(classify(order_row("#1", "a@x", 0.0), &mut names), Ok(()));
    }

    #[test]
    fn partial_refunds_are_netted() {
        let mut book = OrderBook::default();
        let mut names = Names::default();
        let mut row = order_row("#1", "a@x", 100.0);
        if let Some(f) = row.order.as_mut() {
            f.refunded = 30.0;
        }
        book.add(row, 0, &mut names);
        assert_eq!(book.orders[0].net(), 70.0);
    }

    #[test]
    fn dated_lines_sum_into_one_order() {
        let mut book = OrderBook::default();
        let mut names = Names::default();
        for (day, amount) in [(3, 5.0), (2, 7.5)] {
            book.add(
                OrderLine {
                    order_id: Some("A".into()),
                    customer: Some("c1".into()),
                    line_amount: Some(amount),
                    line_date: Date::from_ymd(2025, 1, day).map(DateValue::Known),
                    ..OrderLine::default()
                },
                0,
                &mut names,
            );
        }
        // Rows without an order id are orders of their own.
        book.add(
            OrderLine {
                customer: Some("c1".into()),
                line_amount: Some(1.0),
                line_date: Date::from_ymd(2025, 1, 4).map(DateValue::Known),
                ..OrderLine::default()
            },
            0,
            &mut names,
        );
        assert_eq!(book.orders.len(), 2);
        assert_eq!(book.orders[0].amount, 12.5);
        assert_eq!(book.orders[0].date(), Date::from_ymd(2025, 1, 2));
    }
}
