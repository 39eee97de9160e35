//! Recognising a file's layout from its first row, and reading its rows into
//! order lines.
//!
//! Each layout (one module each) knows which columns it needs and turns a
//! [`Row`] into a [`RowOutcome`]: a line of some order, or a row excluded on
//! its own with a positioned issue. Grouping lines into orders is `orders`'
//! job.

mod cdnow;
mod ga4_events;
mod generic;
mod online_retail;
mod row;
mod shopify_customers;
mod shopify_orders;

use std::borrow::Cow;

pub use self::ga4_events::EventRow;
pub use self::generic::ColumnMap;
pub use self::row::Row;
pub use self::shopify_customers::ProfileRow;

use self::cdnow::Cdnow;
use self::ga4_events::Ga4Events;
use self::generic::GenericOrders;
use self::online_retail::OnlineRetail;
use self::shopify_customers::ShopifyCustomers;
use self::shopify_orders::ShopifyOrders;
use super::amount::{Currency, DecimalMark};
use super::dates::DateValue;
use super::dialect::Delimiter;
use super::error::IngestError;
use super::quality::{shorten, RowIssue};

/// The layouts this version reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// Shopify "Export orders": one row per line item; order fields on the
    /// order's first row only.
    ShopifyOrders(ShopifyOrders),
    /// Shopify "Export customers": one row per customer profile.
    ShopifyCustomers(ShopifyCustomers),
    /// The UCI "Online Retail" data sets (I and II): one row per invoice line.
    OnlineRetail(OnlineRetail),
    /// CDNOW: `customer date cds dollars`, separated by spaces.
    Cdnow(Cdnow),
    /// Any order or transaction table with a customer (or email), a date and
    /// an amount, its columns named in one of several languages.
    GenericOrders(GenericOrders),
    /// Google Analytics 4 events (JSON lines or a flattened CSV): behaviour,
    /// not orders.
    Ga4Events(Ga4Events),
}

/// A recognised layout and how to treat the file's first row.
#[derive(Debug)]
pub struct Detected {
    pub layout: Layout,
    /// The first row is data, not a header (headerless CDNOW files).
    pub first_row_is_data: bool,
    /// Column names for messages (invented for headerless files).
    pub header: Vec<String>,
}

impl Layout {
    /// Short name used in reports.
    pub fn code(&self) -> &'static str {
        match self {
            Layout::ShopifyOrders(_) => "shopify_orders",
            Layout::ShopifyCustomers(_) => "shopify_customers",
            Layout::OnlineRetail(_) => "online_retail",
            Layout::Cdnow(_) => "cdnow",
            Layout::GenericOrders(_) => "generic_orders",
            Layout::Ga4Events(_) => "ga4_events",
        }
    }

    /// Recognises the layout of `file` from its first row. Columns the
    /// merchant named (`columns`) win over detection when the header has
    /// them all.
    pub fn detect(
        file: &str,
        first_row: &[String],
        delimiter: Delimiter,
        columns: Option<&ColumnMap>,
    ) -> Result<Detected, IngestError> {
        let header = || first_row.to_vec();
        let detected = |layout| Detected {
            layout,
            first_row_is_data: false,
            header: header(),
        };
        if let Some(columns) = columns.filter(|c| c.fits(first_row)) {
            let layout =
                GenericOrders::from_map(file, first_row, columns.clone(), decimal_mark(delimiter))?;
            return Ok(detected(Layout::GenericOrders(layout)));
        }
        if delimiter == Delimiter::JsonLines {
            let first_line = first_row.first().map_or("", String::as_str);
            return match Ga4Events::detect_json(first_line) {
                Some(layout) => Ok(Detected {
                    layout: Layout::Ga4Events(layout),
                    first_row_is_data: true,
                    header: vec!["event".to_string()],
                }),
                None => Err(IngestError::UnrecognisedJson {
                    file: file.to_string(),
                }),
            };
        }
        if let Some(layout) = ShopifyOrders::detect(file, first_row)? {
            return Ok(detected(Layout::ShopifyOrders(layout)));
        }
        if let Some(layout) = ShopifyCustomers::detect(first_row) {
            return Ok(detected(Layout::ShopifyCustomers(layout)));
        }
        if let Some(layout) = OnlineRetail::detect(first_row) {
            return Ok(detected(Layout::OnlineRetail(layout)));
        }
        if let Some(layout) = Ga4Events::detect_csv(first_row) {
            return Ok(detected(Layout::Ga4Events(layout)));
        }
        if delimiter == Delimiter::Whitespace {
            if let Some((layout, is_data, names)) = Cdnow::detect(first_row) {
                return Ok(Detected {
                    layout: Layout::Cdnow(layout),
                    first_row_is_data: is_data,
                    header: names,
                });
            }
        }
        if let Some(layout) = GenericOrders::detect(file, first_row, decimal_mark(delimiter))? {
            return Ok(detected(Layout::GenericOrders(layout)));
        }
        Err(IngestError::UnrecognisedHeader {
            file: file.to_string(),
            found: first_row.iter().take(12).map(|h| shorten(h)).collect(),
            header: first_row.to_vec(),
        })
    }

    /// Whether the layout's rows are orders (not customer profiles).
    pub fn holds_orders(&self) -> bool {
        !matches!(self, Layout::ShopifyCustomers(_) | Layout::Ga4Events(_))
    }

    /// The columns of an order table, by name (generic tables only).
    pub fn columns(&self) -> Option<&ColumnMap> {
        match self {
            Layout::GenericOrders(layout) => Some(&layout.columns),
            _ => None,
        }
    }

    /// The file's decimal mark where a value does not tell.
    pub fn decimal_mark(&self) -> DecimalMark {
        match self {
            Layout::GenericOrders(layout) => layout.mark,
            _ => DecimalMark::Point,
        }
    }

    /// The column whose dates place orders in time (for reports).
    pub fn date_column<'h>(&self, header: &'h [String]) -> &'h str {
        let index = match self {
            Layout::ShopifyOrders(l) => Some(l.date_column()),
            Layout::ShopifyCustomers(_) => None,
            Layout::OnlineRetail(l) => Some(l.date_column()),
            Layout::Cdnow(l) => Some(l.date_column()),
            Layout::GenericOrders(l) => Some(l.date_column()),
            Layout::Ga4Events(l) => l.date_column(),
        };
        index
            .and_then(|i| header.get(i))
            .map_or("date", String::as_str)
    }

    /// Reads one data row.
    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        match self {
            Layout::ShopifyOrders(layout) => layout.read(row),
            Layout::ShopifyCustomers(layout) => layout.read(row),
            Layout::OnlineRetail(layout) => layout.read(row),
            Layout::Cdnow(layout) => layout.read(row),
            Layout::GenericOrders(layout) => layout.read(row),
            Layout::Ga4Events(layout) => layout.read(row),
        }
    }
}

/// Files separated by `;` come from locales that write decimal commas.
fn decimal_mark(delimiter: Delimiter) -> DecimalMark {
    match delimiter {
        Delimiter::Semicolon => DecimalMark::Comma,
        _ => DecimalMark::Point,
    }
}

/// What one data row contributes.
// Returned by value for every row and taken apart at once: boxing the
// common `Line` to shrink the rare variants would cost an allocation a row.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
pub enum RowOutcome<'r> {
    /// A line of an order (an order id of `None` makes the row its own order).
    Line(OrderLine<'r>),
    /// A customer profile (customers exports).
    Profile(ProfileRow),
    /// An analytics event (GA4 exports).
    Event(EventRow<'r>),
    /// The row cannot belong to any order; it is excluded on its own.
    Excluded(RowIssue),
}

/// One row's contribution to its order.
#[derive(Debug, Default, PartialEq)]
pub struct OrderLine<'r> {
    pub order_id: Option<Cow<'r, str>>,
    /// Normalised customer identity.
    pub customer: Option<Cow<'r, str>>,
    pub email: Option<Cow<'r, str>>,
    /// Order-level fields, present on the row that carries them.
    pub order: Option<OrderFields>,
    /// The amount of this line, for layouts whose rows each carry one.
    pub line_amount: Option<f64>,
    /// The date of this line, for layouts whose rows each carry one.
    pub line_date: Option<DateValue>,
    /// The currency the row names (a column, or a symbol in the amount).
    pub currency: Option<Cow<'r, str>>,
    /// The row says its order was cancelled (e.g. a `C…` invoice).
    pub cancelled: bool,
    /// The product this row sold, for layouts that name one.
    pub item: Option<LineItem<'r>>,
    /// Order-level descriptions some layouts give on every row (a country).
    pub labels: OrderLabels<'r>,
    /// A problem that rules out the whole order.
    pub broken: Option<RowIssue>,
}

/// One product line of an order.
#[derive(Debug, Default, PartialEq)]
pub struct LineItem<'r> {
    /// The product's name as the file writes it (Shopify `Lineitem name`,
    /// Online Retail `Description`, a generic `product` column).
    pub product: Cow<'r, str>,
    pub sku: Option<Cow<'r, str>>,
    pub category: Option<Cow<'r, str>>,
    pub quantity: f64,
    /// Unit price before discounts.
    pub price: f64,
    /// Discount on the line (all units together).
    pub discount: f64,
}

/// What describes an order beyond money and date: where it went, where it
/// came from, which code it used.
#[derive(Debug, Default, PartialEq)]
pub struct OrderLabels<'r> {
    pub country: Option<Cow<'r, str>>,
    pub source: Option<Cow<'r, str>>,
    pub discount_code: Option<Cow<'r, str>>,
    pub tags: Option<Cow<'r, str>>,
}

/// Fields that describe a whole order.
#[derive(Debug, Default, PartialEq)]
pub struct OrderFields {
    pub date: Option<DateValue>,
    pub total: f64,
    pub refunded: f64,
    /// Discounts on the order (Shopify `Discount Amount`).
    pub discount: f64,
    pub cancelled: bool,
    pub voided: bool,
    pub refunded_status: bool,
}

/// The currency of a row: its currency column, else the one its amount named.
pub(crate) fn row_currency<'r>(
    row: &Row<'_, 'r>,
    column: Option<usize>,
    from_amount: Option<Currency>,
) -> Option<Cow<'r, str>> {
    column
        .and_then(|c| row.non_empty(c))
        .or_else(|| from_amount.map(|c| Cow::Owned(c.to_string())))
}

/// Header names folded for matching: lower case, accents removed, runs of
/// anything but letters and digits as one `_` (`Kunden-Nr.` → `kunden_nr`).
pub(crate) fn fold_name(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ß' => 's',
            c => c,
        };
        if c.is_alphanumeric() {
            folded.push(c);
        } else if !folded.is_empty() && !folded.ends_with('_') {
            folded.push('_');
        }
    }
    while folded.ends_with('_') {
        folded.pop();
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_header_names() {
        assert_eq!(fold_name(" Kunden-Nr. "), "kunden_nr");
        assert_eq!(fold_name("Quantité"), "quantite");
        assert_eq!(fold_name("Order Date"), "order_date");
        assert_eq!(fold_name("order_date"), "order_date");
        assert_eq!(fold_name("Straße"), "strase");
    }
}
