//! One data row as a layout sees it: its fields by column, and positioned
//! issues for the fields that cannot be read.

use std::borrow::Cow;

use crate::ingest::amount::{parse_amount, Amount, AmountError, DecimalMark};
use crate::ingest::csv::Record;
use crate::ingest::dates::{parse_date, DateValue};
use crate::ingest::quality::{shorten, Exclusion, RowIssue};

/// A record with what is needed to read and report on it.
pub struct Row<'a, 'r> {
    pub file: &'a str,
    pub record: &'a Record<'r>,
    /// The file's header row (column names for messages).
    pub header: &'a [String],
    /// The file's decimal mark where a value does not tell.
    pub mark: DecimalMark,
}

const DATE_EXPECTED: &str =
    "a date like 2025-10-07, 2025-10-07 09:50:26 +0200, 10/7/2025 or 07.10.2025";

impl<'a, 'r> Row<'a, 'r> {
    /// Line on which the row starts.
    pub fn line(&self) -> u64 {
        self.record.line
    }

    /// Field `column` as text; invalid UTF-8 is replaced rather than fatal
    /// (names in old exports are sometimes Latin-1).
    pub fn text(&self, column: usize) -> Cow<'r, str> {
        String::from_utf8_lossy(self.record.get(column).unwrap_or_default())
    }

    /// Trimmed, non-empty field text.
    pub fn non_empty(&self, column: usize) -> Option<Cow<'r, str>> {
        match self.text(column) {
            Cow::Borrowed(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
            Cow::Owned(s) => Some(s.trim().to_string())
                .filter(|s| !s.is_empty())
                .map(Cow::Owned),
        }
    }

    /// An issue with the whole row.
    pub fn row_issue(&self, expected: String, reason: Exclusion) -> RowIssue {
        RowIssue {
            file: self.file.to_string(),
            line: self.line(),
            column: None,
            value: None,
            expected,
            reason,
        }
    }

    /// An issue with field `column`.
    pub fn issue(&self, column: usize, expected: &str, reason: Exclusion) -> RowIssue {
        RowIssue {
            file: self.file.to_string(),
            line: self.line(),
            column: self.header.get(column).cloned(),
            value: Some(shorten(&self.text(column))),
            expected: expected.to_string(),
            reason,
        }
    }

    /// A row with too few or too many fields usually means a broken quote
    /// upstream: its columns cannot be trusted.
    pub fn check_width(&self) -> Result<(), RowIssue> {
        let width = self.header.len();
        let expected = if self.record.unterminated_quote {
            "a closing quote for the quoted field that starts on this line (the rest of the file was read as one field)".to_string()
        } else if self.record.len() != width {
            format!(
                "{width} fields as in the header, found {} (a quote or line break out of place?)",
                self.record.len()
            )
        } else {
            return Ok(());
        };
        Err(self.row_issue(expected, Exclusion::MalformedRow))
    }

    /// The date in `column`.
    pub fn date(&self, column: usize) -> Result<DateValue, RowIssue> {
        parse_date(&self.text(column))
            .ok_or_else(|| self.issue(column, DATE_EXPECTED, Exclusion::InvalidDate))
    }

    /// The amount in `column`, which must not be empty.
    pub fn amount(&self, column: usize) -> Result<Amount, RowIssue> {
        parse_amount(self.non_empty(column).as_deref(), self.mark)
            .map_err(|error| self.amount_issue(column, error))
    }

    /// The amount in `column`, or `None` when it is empty.
    pub fn optional_amount(&self, column: usize) -> Result<Option<Amount>, RowIssue> {
        match parse_amount(self.non_empty(column).as_deref(), self.mark) {
            Ok(amount) => Ok(Some(amount)),
            Err(AmountError::Missing) => Ok(None),
            Err(error) => Err(self.amount_issue(column, error)),
        }
    }

    fn amount_issue(&self, column: usize, error: AmountError) -> RowIssue {
        let expected = match error {
            AmountError::Missing => "an amount (the field is empty)",
            AmountError::NotANumber => "an amount like 1299.00, 1,299.00 or 1.299,00",
        };
        self.issue(column, expected, Exclusion::InvalidAmount)
    }
}
