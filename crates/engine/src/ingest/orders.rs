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
use crate::sales::Maybe;

/// Index of an interned customer identity.
pub type CustomerIndex = u32;

/// No day yet, for `Order::min_known`: later than any, so `min` with it
/// gives the other day.
const NO_DAY: Date = Date::from_days(i32::MAX);

/// `Order::min_known` on the wire as an `Option` (`None` is one byte).
mod earliest_day {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Date, NO_DAY};

    pub fn serialize<S: Serializer>(day: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        (*day != NO_DAY).then_some(*day).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        Ok(Option::<Date>::deserialize(deserializer)?.unwrap_or(NO_DAY))
    }
}

/// One order as assembled from its rows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    pub customer: Maybe,
    /// As read; a day/month pair until `OrderBook::resolve_dates`.
    date: Option<DateValue>,
    /// The earliest known day of its dated lines: what a later line that
    /// is not a day/month pair can still move the date to (kept so that two
    /// halves of an order read apart merge as if read in one go).
    /// `NO_DAY` until one is known.
    #[serde(with = "earliest_day")]
    min_known: Date,
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
    pub country: Maybe,
    pub source: Maybe,
    pub discount_code: Maybe,
    pub tags: Maybe,
}

// The book holds every order and product line of a file at once: keep
// them small.
const _: () = assert!(std::mem::size_of::<Order>() <= 80);
const _: () = assert!(std::mem::size_of::<BookItem>() <= 40);

/// A product line of an order in the book.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookItem {
    pub order: u32,
    pub product: u32,
    pub sku: Maybe,
    pub category: Maybe,
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
            customer: Maybe::NONE,
            date: None,
            min_known: NO_DAY,
            amount: 0.0,
            refunded: 0.0,
            currency: None,
            rows: 0,
            first_line: 0,
            flags: 0,
            broken: None,
            discount_order: 0.0,
            discount_lines: 0.0,
            country: Maybe::NONE,
            source: Maybe::NONE,
            discount_code: Maybe::NONE,
            tags: Maybe::NONE,
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
#[derive(Debug, Default)]
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
    last_id: String,
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
                order.customer = Maybe::some(intern.customer(customer, line.email.as_deref()));
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
                *slot = text.as_deref().map(|t| intern.label(t)).into();
            }
        }
        if let Some(item) = line.item {
            order.discount_lines += item.discount;
            self.items.push(BookItem {
                order: index as u32,
                product: intern.label(&item.product),
                sku: item.sku.as_deref().map(|s| intern.label(s)).into(),
                category: item.category.as_deref().map(|c| intern.label(c)).into(),
                quantity: item.quantity as f32,
                price: item.price,
                discount: item.discount,
            });
        }
        if let Some(date) = line.line_date {
            self.dates.observe(date);
            if let DateValue::Known(day) = date {
                order.min_known = order.min_known.min(day);
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
    /// The number of the piece's `index`th entry of `list` (customers,
    /// labels or currencies) in the whole file's numbering.
    fn look_up<T: Copy>(list: &[T], index: usize, what: &str) -> Result<T, String> {
        list.get(index)
            .copied()
            .ok_or_else(|| format!("{what} {index} of {}", list.len()))
    }

    fn label(&self, label: u32) -> Result<u32, String> {
        Self::look_up(self.labels, label as usize, "label")
    }

    /// An optional number from `list`, as `look_up`.
    fn maybe(list: &[u32], value: Maybe, what: &str) -> Result<Maybe, String> {
        match value.get() {
            Some(index) => Self::look_up(list, index as usize, what).map(Maybe::some),
            None => Ok(Maybe::NONE),
        }
    }
}

impl Order {
    /// Into the whole file's numbering; an error for a number the piece
    /// does not have (a damaged piece).
    fn renumber(&mut self, map: &Renumbering<'_>) -> Result<(), String> {
        self.customer = Renumbering::maybe(map.customers, self.customer, "customer")?;
        self.currency = self
            .currency
            .map(|c| Renumbering::look_up(map.currencies, c as usize, "currency"))
            .transpose()?;
        for slot in [
            &mut self.country,
            &mut self.source,
            &mut self.discount_code,
            &mut self.tags,
        ] {
            *slot = Renumbering::maybe(map.labels, *slot, "label")?;
        }
        self.first_line = u32::try_from(u64::from(self.first_line) + map.lines).unwrap_or(u32::MAX);
        Ok(())
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
                        Some(DateValue::Known(a.min(later.min_known)))
                    }
                    (Some(first), _) => Some(first),
                    (None, date) => date,
                };
                self.flags |= HAS_ORDER_ROW;
            }
        }
        self.min_known = self.min_known.min(later.min_known);
        ignored
    }
}

/// An order book less its orders and product lines: what merging them into
/// another book needs besides them.
#[derive(Debug, Serialize, Deserialize)]
pub struct BookIndex {
    ids: Interner,
    order_of_id: Vec<u32>,
    dates: DateEvidence,
    details: FxHashMap<u32, Box<str>>,
}

/// A piece's orders being merged into a book ([`OrderBook::merging`]):
/// orders first, each in the piece's order, then product lines. Fed one at
/// a time, so a piece that arrives in frames never needs to be whole.
pub struct Merge<'a> {
    book: &'a mut OrderBook,
    map: &'a Renumbering<'a>,
    index: BookIndex,
    /// For each of the piece's orders, its id's number in `index.ids`
    /// (`NO_ID` for an order without an id).
    id_of_order: Vec<u32>,
    /// Where each of the piece's orders merged so far went in the book.
    position: Vec<u32>,
    orders: usize,
    items: usize,
    items_seen: usize,
}

const NO_ID: u32 = u32::MAX;

impl OrderBook {
    /// Splits the book for sending elsewhere: its index, orders and lines.
    pub fn into_parts(self) -> (BookIndex, Vec<Order>, Vec<BookItem>) {
        let OrderBook {
            ids,
            order_of_id,
            orders,
            dates,
            details,
            items,
            ..
        } = self;
        let index = BookIndex {
            ids,
            order_of_id,
            dates,
            details,
        };
        (index, orders, items)
    }

    /// Starts adding the `orders` orders and `items` product lines of a
    /// piece, the next stretch of the same file read on its own (`index` is
    /// its book's index), as if its rows had been added here one by one: an
    /// order whose rows straddle the cut (or come back later) is folded into
    /// the order already here, new orders and product lines follow in file
    /// order.
    pub fn merging<'a>(
        &'a mut self,
        index: BookIndex,
        orders: usize,
        items: usize,
        map: &'a Renumbering<'a>,
    ) -> Merge<'a> {
        let mut id_of_order = vec![NO_ID; orders];
        for (id, &order) in index.order_of_id.iter().enumerate() {
            if let Some(slot) = id_of_order.get_mut(order as usize) {
                *slot = id as u32;
            }
        }
        self.dates.add(&index.dates);
        // Room for exactly the piece: amortised doubling would leave up to
        // a whole book of slack at the ingest's peak.
        self.orders.reserve_exact(orders);
        self.items.reserve_exact(items);
        Merge {
            book: self,
            map,
            index,
            id_of_order,
            position: Vec::with_capacity(orders),
            orders,
            items,
            items_seen: 0,
        }
    }
}

impl Merge<'_> {
    /// Adds the piece's next order; an error when the piece has no more.
    pub fn order(&mut self, mut order: Order) -> Result<(), String> {
        let j = self.position.len();
        if j == self.orders {
            return Err(format!("more than its {} orders", self.orders));
        }
        let book = &mut *self.book;
        order.renumber(self.map)?;
        let detail = self.index.details.remove(&(j as u32));
        let earlier = match self.id_of_order[j] {
            NO_ID => None,
            id => {
                let (number, new) = book.ids.intern_new(self.index.ids.name(id));
                if new {
                    book.order_of_id.push(book.orders.len() as u32);
                    None
                } else {
                    Some(book.order_of_id[number as usize])
                }
            }
        };
        let (at, detail) = match earlier {
            Some(at) => {
                let target = &mut book.orders[at as usize];
                // Only what broke an order first is listed.
                let detail = detail.filter(|_| target.broken.is_none());
                if let Some(date) = target.absorb(order) {
                    book.dates.unobserve(date);
                }
                (at, detail)
            }
            None => {
                book.orders.push(order);
                ((book.orders.len() - 1) as u32, detail)
            }
        };
        if let Some(detail) = detail {
            if book.details.len() < super::quality::REJECTIONS_LISTED {
                book.details.insert(at, detail);
            }
        }
        self.position.push(at);
        Ok(())
    }

    /// Adds the piece's next product line, once all its orders are in.
    pub fn item(&mut self, item: BookItem) -> Result<(), String> {
        if self.position.len() != self.orders {
            return Err("a product line before all the orders".to_string());
        }
        if self.items_seen == self.items {
            return Err(format!("more than its {} product lines", self.items));
        }
        let Some(&order) = self.position.get(item.order as usize) else {
            return Err(format!("a product line of order {}", item.order));
        };
        self.items_seen += 1;
        let map = self.map;
        self.book.items.push(BookItem {
            order,
            product: map.label(item.product)?,
            sku: Renumbering::maybe(map.labels, item.sku, "label")?,
            category: Renumbering::maybe(map.labels, item.category, "label")?,
            ..item
        });
        Ok(())
    }

    /// Ends the merge; an error when orders or lines are missing.
    pub fn finish(self) -> Result<(), String> {
        if self.position.len() != self.orders || self.items_seen != self.items {
            return Err(format!(
                "{} of {} orders and {} of {} product lines arrived",
                self.position.len(),
                self.orders,
                self.items_seen,
                self.items
            ));
        }
        Ok(())
    }
}

impl OrderBook {
    /// Makes room for the orders and lines of `total` bytes of a file, from
    /// those of the first `read` bytes (what is here now), with a margin:
    /// a later stretch with more orders per byte only grows the book again.
    pub(super) fn reserve_share(&mut self, read: u64, total: u64) {
        let scale = |now: usize| {
            let all = (now as u128 * u128::from(total) / u128::from(read.max(1))) as usize;
            all.saturating_add(all / 16).saturating_sub(now)
        };
        self.orders.reserve_exact(scale(self.orders.len()));
        self.order_of_id
            .reserve_exact(scale(self.order_of_id.len()));
        self.items.reserve_exact(scale(self.items.len()));
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
    fn a_compact_option_travels_as_an_option() {
        for value in [None, Some(0), Some(7), Some(u32::MAX - 1)] {
            let compact = Maybe::from(value);
            assert_eq!(compact.get(), value);
            let bytes = postcard::to_allocvec(&compact).expect("encodes");
            assert_eq!(bytes, postcard::to_allocvec(&value).expect("encodes"));
            assert_eq!(
                postcard::from_bytes::<Maybe>(&bytes).expect("decodes"),
                compact
            );
        }
        let mut order = Order::new();
        order.min_known = Date::from_days(20_000);
        for order in [Order::new(), order] {
            let bytes = postcard::to_allocvec(&order).expect("encodes");
            let back: Order = postcard::from_bytes(&bytes).expect("decodes");
            assert_eq!(back.min_known, order.min_known);
        }
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
