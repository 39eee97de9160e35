//! The data-quality ledger: every input row is either used or excluded for a
//! named reason, and the first few problems of each kind are kept with their
//! exact position so that the merchant can find and fix them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Why rows were left out of the customer models. The order of the variants
/// is the order in which an order's rows are checked (see `orders::classify`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The row is not a well-formed row of its file (wrong number of fields, an
    /// unclosed quote, no order id where the layout needs one).
    MalformedRow,
    /// A date that could not be read; its whole order is left out.
    InvalidDate,
    /// An amount that could not be read; its whole order is left out.
    InvalidAmount,
    /// No customer identity (guest checkout without email, empty customer id).
    NoCustomer,
    /// `Cancelled at` is set.
    Cancelled,
    /// Financial status `voided`.
    Voided,
    /// Fully refunded (status `refunded`, or refunds reach the order total).
    Refunded,
    /// Line items whose order row (the first row of a Shopify order, which
    /// carries its total and status) is not in the file.
    IncompleteOrder,
    /// The order was placed after the analysis date (`--as-of`).
    AfterAsOf,
    /// A line that is no sale: zero or negative quantity or price outside a
    /// cancellation (returns, adjustments, samples, write-offs).
    NotASale,
    /// Rows of an order already read from an earlier file.
    Duplicate,
}

impl Exclusion {
    /// Every reason, in display order.
    pub const ALL: [Exclusion; 11] = [
        Exclusion::Cancelled,
        Exclusion::Voided,
        Exclusion::Refunded,
        Exclusion::NoCustomer,
        Exclusion::AfterAsOf,
        Exclusion::NotASale,
        Exclusion::Duplicate,
        Exclusion::IncompleteOrder,
        Exclusion::InvalidDate,
        Exclusion::InvalidAmount,
        Exclusion::MalformedRow,
    ];

    /// The key used in `summary.json` (`rows_excluded`).
    pub fn code(self) -> &'static str {
        match self {
            Exclusion::MalformedRow => "malformed_row",
            Exclusion::InvalidDate => "invalid_date",
            Exclusion::InvalidAmount => "invalid_amount",
            Exclusion::NoCustomer => "no_customer",
            Exclusion::Cancelled => "cancelled",
            Exclusion::Voided => "voided",
            Exclusion::Refunded => "refunded",
            Exclusion::IncompleteOrder => "incomplete_order",
            Exclusion::AfterAsOf => "after_as_of",
            Exclusion::NotASale => "not_a_sale",
            Exclusion::Duplicate => "duplicate",
        }
    }

    /// A short name for people.
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::MalformedRow => "Malformed rows",
            Exclusion::InvalidDate => "Unreadable dates",
            Exclusion::InvalidAmount => "Unreadable amounts",
            Exclusion::NoCustomer => "No customer identity",
            Exclusion::Cancelled => "Cancelled",
            Exclusion::Voided => "Voided",
            Exclusion::Refunded => "Fully refunded",
            Exclusion::IncompleteOrder => "Incomplete orders",
            Exclusion::AfterAsOf => "After the analysis date",
            Exclusion::NotASale => "Not sales",
            Exclusion::Duplicate => "Duplicates",
        }
    }

    /// A plain-language explanation for the data-quality panel.
    pub fn explain(self) -> &'static str {
        match self {
            Exclusion::MalformedRow => {
                "Rows that are not well-formed (wrong number of columns, an unclosed quote, or no order number)."
            }
            Exclusion::InvalidDate => "Orders whose date could not be read.",
            Exclusion::InvalidAmount => "Orders whose amount could not be read.",
            Exclusion::NoCustomer => {
                "Rows without any customer identity: guest checkouts without an email address, customer rows without email or Customer ID."
            }
            Exclusion::Cancelled => "Cancelled orders (Cancelled at is set).",
            Exclusion::Voided => "Voided orders (payment voided).",
            Exclusion::Refunded => "Fully refunded orders: they are not purchases.",
            Exclusion::IncompleteOrder => {
                "Line items whose order row (with the order total and status) is missing from the file."
            }
            Exclusion::AfterAsOf => "Orders placed after the analysis date.",
            Exclusion::NotASale => {
                "Lines that are not sales: zero or negative quantity or price outside a cancellation (returns, adjustments, samples, write-offs)."
            }
            Exclusion::Duplicate => {
                "Rows of an order already read from another file (overlapping exports, or the same file twice): each order counts once."
            }
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem with one row, positioned so the merchant can find it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowIssue {
    pub file: String,
    /// 1-based line of the file on which the row starts.
    pub line: u64,
    /// The column's header name, when the problem is one field.
    pub column: Option<String>,
    /// The offending value (shortened), when the problem is one field.
    pub value: Option<String>,
    /// What was expected instead.
    pub expected: String,
    /// The reason under which the row (and its order) was excluded.
    pub reason: Exclusion,
}

impl RowIssue {
    /// What was wrong, without the position (`column "x": "v": expected …`).
    pub fn detail(&self) -> String {
        let mut text = String::new();
        if let Some(column) = &self.column {
            text.push_str(&format!("column \"{column}\": "));
        }
        if let Some(value) = &self.value {
            text.push_str(&format!("{value:?}: "));
        }
        text.push_str("expected ");
        text.push_str(&self.expected);
        text
    }
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}, {}", self.file, self.line, self.detail())
    }
}

/// One excluded row, or the rows of one excluded order, for the list of
/// rejected rows the merchant can download.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub file: String,
    /// The row's line (an order's first row's line).
    pub line: u64,
    /// Rows rejected with it: an order's line items share its fate.
    pub rows: u32,
    /// The order the rows belong to, when the layout has order ids.
    pub order: Option<String>,
    pub reason: Exclusion,
    /// What was wrong, when one field was (`column "x": "value": expected …`).
    pub detail: Option<String>,
}

/// Rejections are listed one by one up to this many; beyond it they are
/// still counted under their reason (keeps memory bounded on broken files).
pub const REJECTIONS_LISTED: usize = 200_000;

/// How many issues of each reason are kept as examples (all are counted).
pub const ISSUES_KEPT_PER_REASON: usize = 10;

/// Row accounting for one input file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub name: String,
    /// Detected layout (`shopify_orders`, `generic_orders`).
    pub format: String,
    /// Detected field separator.
    pub delimiter: Option<super::Delimiter>,
    /// The worksheet read, for workbooks (line numbers are its row numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Which column holds what, for order tables read by their column names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<super::ColumnMap>,
    /// The header of such tables, so the merchant can choose other columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<String>,
    /// Every worksheet of a workbook, so another can be chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<String>,
    pub bytes: u64,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_excluded: BTreeMap<Exclusion, u64>,
}

/// Row accounting over all files: `rows_used + Σ rows_excluded == rows_read`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DataQuality {
    pub files: Vec<FileReport>,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_excluded: BTreeMap<Exclusion, u64>,
    /// Example problems with their positions, at most
    /// [`ISSUES_KEPT_PER_REASON`] per reason.
    pub issues: Vec<RowIssue>,
    /// Things the merchant should know that are not row exclusions.
    pub warnings: Vec<String>,
    /// Every rejection (up to [`REJECTIONS_LISTED`]), in file and line order.
    /// Not serialised: it can be long; `export::write_rejected_csv` writes it.
    #[serde(skip)]
    pub rejected: Vec<Rejection>,
}

impl DataQuality {
    /// Adds a finished file's accounting to the totals.
    pub(crate) fn add_file(&mut self, file: FileReport) {
        self.rows_read += file.rows_read;
        self.rows_used += file.rows_used;
        for (&reason, &count) in &file.rows_excluded {
            *self.rows_excluded.entry(reason).or_default() += count;
        }
        self.files.push(file);
    }

    /// Keeps `issue` as an example unless enough of its reason are kept.
    pub(crate) fn note_issue(&mut self, issue: RowIssue) {
        let kept = self
            .issues
            .iter()
            .filter(|i| i.reason == issue.reason)
            .count();
        if kept < ISSUES_KEPT_PER_REASON {
            self.issues.push(issue);
        }
    }

    /// Rows excluded for any reason.
    pub fn rows_excluded_total(&self) -> u64 {
        self.rows_excluded.values().sum()
    }
}

pub(crate) use crate::wording::count;

/// Shortens a value for display in a message.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let mut short: String = value.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut codes: Vec<&str> = Exclusion::ALL.iter().map(|e| e.code()).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Exclusion::ALL.len());
    }

    #[test]
    fn serde_uses_the_codes() {
        for reason in Exclusion::ALL {
            let json = serde_json::to_string(&reason).expect("json");
            assert_eq!(json, format!("\"{}\"", reason.code()));
        }
    }

    #[test]
    fn issue_reads_like_a_sentence() {
        let issue = RowIssue {
            file: "orders.csv".into(),
            line: 17,
            column: Some("Created at".into()),
            value: Some("yesterday".into()),
            expected: "a date like 2025-10-07 09:50:26 +0200".into(),
            reason: Exclusion::InvalidDate,
        };
        assert_eq!(
            issue.to_string(),
            "orders.csv, line 17, column \"Created at\": \"yesterday\": expected a date like 2025-10-07 09:50:26 +0200"
        );
    }

    #[test]
    fn keeps_a_bounded_number_of_examples_per_reason() {
        let mut quality = DataQuality::default();
        for line in 0..25 {
            for reason in [Exclusion::InvalidDate, Exclusion::MalformedRow] {
                quality.note_issue(RowIssue {
                    file: "f".into(),
                    line,
                    column: None,
                    value: None,
                    expected: "x".into(),
                    reason,
                });
            }
        }
        assert_eq!(quality.issues.len(), 2 * ISSUES_KEPT_PER_REASON);
    }

    #[test]
    fn shortens_long_values() {
        assert_eq!(shorten("abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(shorten(&long).chars().count(), 61);
    }
}
