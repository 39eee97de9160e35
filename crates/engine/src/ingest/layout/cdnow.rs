//! CDNOW, the classic data set of customer-lifetime-value research (Fader &
//! Hardie): whitespace-separated `customer_id date number_of_cds
//! dollar_value`, with a header line in the full file; the 1/10 sample has
//! no header and an extra sample id (`master_id sample_id yyyymmdd cds
//! dollars`). Every line is one purchase.

use super::{fold_name, OrderLine, Row, RowOutcome};
use crate::ingest::quality::RowIssue;

/// Column positions in a CDNOW file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cdnow {
    customer: usize,
    date: usize,
    dollars: usize,
}

impl Cdnow {
    /// Recognises the named header, or a headerless first line of 4 or 5
    /// numbers whose third-last is a `YYYYMMDD` date. Returns the layout,
    /// whether the first line is data, and column names for messages.
    pub fn detect(first_row: &[String]) -> Option<(Self, bool, Vec<String>)> {
        let folded: Vec<String> = first_row.iter().map(|h| fold_name(h)).collect();
        let find = |name: &str| folded.iter().position(|h| h == name);
        if let (Some(customer), Some(date), Some(dollars)) =
            (find("customer_id"), find("date"), find("dollar_value"))
        {
            return Some((
                Cdnow {
                    customer,
                    date,
                    dollars,
                },
                false,
                first_row.to_vec(),
            ));
        }
        let n = first_row.len();
        let numeric = first_row
            .iter()
            .all(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        let dated = n >= 4 && first_row[n - 3].len() == 8;
        if !(numeric && dated && (n == 4 || n == 5)) {
            return None;
        }
        let names: &[&str] = if n == 5 {
            &["master_id", "sample_id", "date", "cds", "dollars"]
        } else {
            &["customer_id", "date", "cds", "dollars"]
        };
        let layout = Cdnow {
            customer: 0,
            date: n - 3,
            dollars: n - 1,
        };
        Some((layout, true, names.iter().map(|s| s.to_string()).collect()))
    }

    pub fn date_column(&self) -> usize {
        self.date
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        if let Err(issue) = row.check_width() {
            return RowOutcome::Excluded(issue);
        }
        let mut line = OrderLine {
            customer: row.non_empty(self.customer),
            ..OrderLine::default()
        };
        let values = || -> Result<_, RowIssue> {
            Ok((row.date(self.date)?, row.amount(self.dollars)?.value))
        };
        match values() {
            Ok((date, dollars)) => {
                line.line_date = Some(date);
                line.line_amount = Some(dollars);
            }
            Err(issue) => line.broken = Some(issue),
        }
        RowOutcome::Line(line)
    }
}
