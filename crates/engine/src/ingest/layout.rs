//! Recognising a file's layout from its header row, and reading its rows
//! into order lines.
//!
//! Each layout knows which columns it needs and turns one CSV record into a
//! [`RowOutcome`]: a line of some order, or a row excluded with a reason and a
//! positioned issue. Grouping lines into orders is `orders`' job.

use std::borrow::Cow;

use super::csv::Record;
use super::error::IngestError;
use super::quality::{shorten, Exclusion, RowIssue};
use super::value::{normalise_email, parse_amount, AmountError};
use crate::date::Date;

/// The layouts this version reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Shopify "Export orders": one row per line item; order fields on the
    /// order's first row only.
    ShopifyOrders(ShopifyColumns),
    /// `customer_id,order_id,order_date,amount` (any column order, extra
    /// columns ignored): one row per order or per line.
    GenericOrders(GenericColumns),
}

impl Layout {
    /// Short name used in reports (`shopify_orders`, `generic_orders`).
    pub fn code(&self) -> &'static str {
        match self {
            Layout::ShopifyOrders(_) => "shopify_orders",
            Layout::GenericOrders(_) => "generic_orders",
        }
    }

    /// Recognises the layout from the header row of `file`.
    pub fn detect(file: &str, header: &[String]) -> Result<Layout, IngestError> {
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        // Shopify's header names are case-sensitive and fixed; these three
        // together appear in no other layout we know.
        if find("Name").is_some()
            && find("Financial Status").is_some()
            && find("Created at").is_some()
        {
            let required = |name: &'static str| {
                find(name).ok_or_else(|| IngestError::MissingColumns {
                    file: file.to_string(),
                    layout: "Shopify orders export",
                    missing: vec![name.to_string()],
                })
            };
            return Ok(Layout::ShopifyOrders(ShopifyColumns {
                width: header.len(),
                name: required("Name")?,
                email: required("Email")?,
                financial_status: required("Financial Status")?,
                created_at: required("Created at")?,
                total: required("Total")?,
                currency: find("Currency"),
                cancelled_at: find("Cancelled at"),
                refunded_amount: find("Refunded Amount"),
                header: header.to_vec(),
            }));
        }

        let generic = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_") == name)
        };
        let (customer, order, date, amount) = (
            generic("customer_id"),
            generic("order_id"),
            generic("order_date"),
            generic("amount"),
        );
        if customer.is_some() || date.is_some() || amount.is_some() {
            let missing: Vec<String> = [
                ("customer_id", customer),
                ("order_date", date),
                ("amount", amount),
            ]
            .iter()
            .filter(|(_, found)| found.is_none())
            .map(|(name, _)| name.to_string())
            .collect();
            if let (Some(customer), Some(date), Some(amount)) = (customer, date, amount) {
                return Ok(Layout::GenericOrders(GenericColumns {
                    width: header.len(),
                    customer_id: customer,
                    order_id: order,
                    order_date: date,
                    amount,
                    header: header.to_vec(),
                }));
            }
            return Err(IngestError::MissingColumns {
                file: file.to_string(),
                layout: "order table (customer_id, order_id, order_date, amount)",
                missing,
            });
        }
        Err(IngestError::UnrecognisedHeader {
            file: file.to_string(),
            found: header.iter().take(12).map(|h| shorten(h)).collect(),
        })
    }

    /// Reads one data record (not the header).
    pub fn read<'r>(&self, file: &str, record: &Record<'r>) -> RowOutcome<'r> {
        match self {
            Layout::ShopifyOrders(columns) => columns.read(file, record),
            Layout::GenericOrders(columns) => columns.read(file, record),
        }
    }
}

/// What one data row contributes.
#[derive(Debug, PartialEq)]
pub enum RowOutcome<'r> {
    /// A line of an order (an order id of `None` makes the row its own order).
    Line(OrderLine<'r>),
    /// The row cannot belong to any order; it is excluded on its own.
    Excluded(RowIssue),
}

/// One row's contribution to its order.
#[derive(Debug, Default, PartialEq)]
pub struct OrderLine<'r> {
    pub order_id: Option<Cow<'r, str>>,
    /// Normalised customer identity (email for Shopify orders).
    pub customer: Option<Cow<'r, str>>,
    pub email: Option<Cow<'r, str>>,
    /// Order-level fields, present on the row that carries them.
    pub order: Option<OrderFields<'r>>,
    /// The amount of this line, for layouts whose rows each carry one.
    pub line_amount: Option<f64>,
    /// The date of this line, for layouts whose rows each carry one.
    pub line_date: Option<Date>,
    /// A problem that rules out the whole order.
    pub broken: Option<RowIssue>,
}

/// Fields that describe a whole order.
#[derive(Debug, Default, PartialEq)]
pub struct OrderFields<'r> {
    pub date: Option<Date>,
    pub total: f64,
    pub refunded: f64,
    pub cancelled: bool,
    pub voided: bool,
    pub refunded_status: bool,
    pub currency: Option<Cow<'r, str>>,
}

/// Column positions in a Shopify orders export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopifyColumns {
    width: usize,
    name: usize,
    email: usize,
    financial_status: usize,
    created_at: usize,
    total: usize,
    currency: Option<usize>,
    cancelled_at: Option<usize>,
    refunded_amount: Option<usize>,
    header: Vec<String>,
}

/// Column positions in the generic order layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericColumns {
    width: usize,
    customer_id: usize,
    order_id: Option<usize>,
    order_date: usize,
    amount: usize,
    header: Vec<String>,
}

/// Field `index` as text; invalid UTF-8 is replaced rather than fatal
/// (names and notes in old exports are sometimes Latin-1).
fn text<'r>(record: &Record<'r>, index: usize) -> Cow<'r, str> {
    String::from_utf8_lossy(record.get(index).unwrap_or_default())
}

/// Trimmed, non-empty field text.
fn non_empty<'r>(record: &Record<'r>, index: usize) -> Option<Cow<'r, str>> {
    let value = text(record, index);
    match value {
        Cow::Borrowed(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
        Cow::Owned(s) => Some(s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(Cow::Owned),
    }
}

/// Checks the field count: a row with too few or too many fields usually
/// means a broken quote upstream, and its columns cannot be trusted.
fn check_width(file: &str, record: &Record<'_>, width: usize) -> Option<RowIssue> {
    let expected = if record.unterminated_quote {
        "a closing quote for the quoted field that starts on this line (the rest of the file was read as one field)".to_string()
    } else if record.len() != width {
        format!(
            "{width} fields as in the header, found {} (a quote or line break out of place?)",
            record.len()
        )
    } else {
        return None;
    };
    Some(RowIssue {
        file: file.to_string(),
        line: record.line,
        column: None,
        value: None,
        expected,
        reason: Exclusion::MalformedRow,
    })
}

/// An issue about one field of a row.
fn field_issue(
    file: &str,
    record: &Record<'_>,
    header: &[String],
    index: usize,
    expected: &str,
    reason: Exclusion,
) -> RowIssue {
    RowIssue {
        file: file.to_string(),
        line: record.line,
        column: header.get(index).cloned(),
        value: Some(shorten(&text(record, index))),
        expected: expected.to_string(),
        reason,
    }
}

const DATE_EXPECTED: &str = "a date like 2025-10-07 or 2025-10-07 09:50:26 +0200";

fn amount_expected(error: AmountError) -> &'static str {
    match error {
        AmountError::Missing => "an amount (the field is empty)",
        AmountError::NotANumber => "a number like 1299.00",
    }
}

impl ShopifyColumns {
    fn read<'r>(&self, file: &str, record: &Record<'r>) -> RowOutcome<'r> {
        if let Some(issue) = check_width(file, record, self.width) {
            return RowOutcome::Excluded(issue);
        }
        let Some(order_id) = non_empty(record, self.name) else {
            return RowOutcome::Excluded(field_issue(
                file,
                record,
                &self.header,
                self.name,
                "the order number (like #1001) that groups an order's line items",
                Exclusion::MalformedRow,
            ));
        };
        let email = non_empty(record, self.email).map(normalise_email);
        let mut line = OrderLine {
            order_id: Some(order_id),
            customer: email.clone(),
            email,
            ..OrderLine::default()
        };

        // Only an order's first row carries its status and totals.
        let status = non_empty(record, self.financial_status);
        let total_text = non_empty(record, self.total);
        if status.is_none() && total_text.is_none() {
            return RowOutcome::Line(line);
        }
        let date = match Date::parse_timestamp(&text(record, self.created_at)) {
            Some(date) => date,
            None => {
                line.broken = Some(field_issue(
                    file,
                    record,
                    &self.header,
                    self.created_at,
                    DATE_EXPECTED,
                    Exclusion::InvalidDate,
                ));
                return RowOutcome::Line(line);
            }
        };
        let total = match parse_amount(total_text.as_deref()) {
            Ok(total) => total,
            Err(error) => {
                line.broken = Some(field_issue(
                    file,
                    record,
                    &self.header,
                    self.total,
                    amount_expected(error),
                    Exclusion::InvalidAmount,
                ));
                return RowOutcome::Line(line);
            }
        };
        let refunded = match self.refunded_amount {
            None => 0.0,
            Some(index) => match parse_amount(non_empty(record, index).as_deref()) {
                Ok(amount) => amount,
                Err(AmountError::Missing) => 0.0,
                Err(error) => {
                    line.broken = Some(field_issue(
                        file,
                        record,
                        &self.header,
                        index,
                        amount_expected(error),
                        Exclusion::InvalidAmount,
                    ));
                    return RowOutcome::Line(line);
                }
            },
        };
        let status = status.as_deref().unwrap_or_default();
        line.order = Some(OrderFields {
            date: Some(date),
            total,
            refunded,
            cancelled: self
                .cancelled_at
                .is_some_and(|index| non_empty(record, index).is_some()),
            voided: status.eq_ignore_ascii_case("voided"),
            refunded_status: status.eq_ignore_ascii_case("refunded"),
            currency: self.currency.and_then(|index| non_empty(record, index)),
        });
        RowOutcome::Line(line)
    }
}

impl GenericColumns {
    fn read<'r>(&self, file: &str, record: &Record<'r>) -> RowOutcome<'r> {
        if let Some(issue) = check_width(file, record, self.width) {
            return RowOutcome::Excluded(issue);
        }
        let customer = non_empty(record, self.customer_id);
        let mut line = OrderLine {
            order_id: self.order_id.and_then(|index| non_empty(record, index)),
            customer,
            ..OrderLine::default()
        };
        match Date::parse_timestamp(&text(record, self.order_date)) {
            Some(date) => line.line_date = Some(date),
            None => {
                line.broken = Some(field_issue(
                    file,
                    record,
                    &self.header,
                    self.order_date,
                    DATE_EXPECTED,
                    Exclusion::InvalidDate,
                ));
                return RowOutcome::Line(line);
            }
        }
        match parse_amount(non_empty(record, self.amount).as_deref()) {
            Ok(amount) => line.line_amount = Some(amount),
            Err(error) => {
                line.broken = Some(field_issue(
                    file,
                    record,
                    &self.header,
                    self.amount,
                    amount_expected(error),
                    Exclusion::InvalidAmount,
                ));
            }
        }
        RowOutcome::Line(line)
    }
}
