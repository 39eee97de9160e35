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

/// Field bytes as text: valid UTF-8 is borrowed (checked with the standard
/// library's fast path), anything else has its invalid bytes replaced
/// (names in old exports are sometimes Latin-1).
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// An ASCII byte that `str::trim` keeps once `trim_ascii` has run (the
/// vertical tab is Unicode white space but not ASCII white space).
fn plain(byte: u8) -> bool {
    byte.is_ascii() && byte != 0x0b
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
        utf8(self.record.get(column).unwrap_or_default())
    }

    /// Trimmed, non-empty field text.
    pub fn non_empty(&self, column: usize) -> Option<Cow<'r, str>> {
        // Most fields of a wide export are empty or plain ASCII with no
        // space around them: trim the ASCII spaces on the bytes first, so
        // only what is left is checked as UTF-8.
        let bytes = self.record.get(column).unwrap_or_default().trim_ascii();
        if bytes.is_empty() {
            return None;
        }
        match utf8(bytes) {
            // What `str::trim` would still remove (a no-break space pasted
            // from a spreadsheet, a vertical tab) can only be at an end whose
            // byte is not plain ASCII.
            Cow::Borrowed(s) if plain(bytes[0]) && plain(bytes[bytes.len() - 1]) => {
                Some(Cow::Borrowed(s))
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn non_empty(field: &[u8]) -> Option<String> {
        let ends = [field.len()];
        let record = Record::new(field, &ends, 1, false);
        let row = Row {
            file: "f.csv",
            record: &record,
            header: &[],
            mark: DecimalMark::Point,
        };
        row.non_empty(0).map(Cow::into_owned)
    }

    #[test]
    fn trims_unicode_and_ascii_space() {
        assert_eq!(non_empty(b"  a b \t").as_deref(), Some("a b"));
        assert_eq!(
            non_empty("\u{a0}Zoë\u{a0}".as_bytes()).as_deref(),
            Some("Zoë")
        );
        assert_eq!(non_empty(b"\x0bx\x0b").as_deref(), Some("x"));
        assert_eq!(non_empty(b" \r\n"), None);
        assert_eq!(non_empty(b"caf\xe9 ").as_deref(), Some("caf\u{fffd}"));
    }

    proptest! {
        /// The fast paths read every field as the plain definition does:
        /// lossy UTF-8, then `str::trim`, empty as none.
        #[test]
        fn non_empty_is_lossy_text_trimmed(field in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(0x0b_u8), Just(0xa0_u8), Just(0xc2_u8), any::<u8>(), 0x20u8..0x7f],
            0..12,
        )) {
            let plain = String::from_utf8_lossy(&field).trim().to_string();
            prop_assert_eq!(non_empty(&field), Some(plain).filter(|s| !s.is_empty()));
        }
    }
}
