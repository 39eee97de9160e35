//! Errors that make a whole file unusable. Problems with single rows are not
//! errors: they are counted and explained in the data-quality report.

use thiserror::Error;

/// A file the engine cannot read at all.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IngestError {
    #[error("{file}: the file is empty (no header row)")]
    Empty { file: String },

    #[error("{file}: this is not a text file (it holds binary data); export the data as CSV and try again")]
    Binary { file: String },

    #[error("{file}: this is an Excel workbook or ZIP archive, not a CSV file; open it and save it as CSV (UTF-8), then try again")]
    Workbook { file: String },

    #[error(
        "{file}: the header row is not one we know. Expected a Shopify orders export \
         (Name, Email, Financial Status, Created at, Total, ...) or an order table with \
         customer_id, order_id, order_date, amount; found: {}", found.join(", ")
    )]
    UnrecognisedHeader { file: String, found: Vec<String> },

    #[error("{file}: looks like {layout} but lacks the column(s) {}", missing.join(", "))]
    MissingColumns {
        file: String,
        layout: &'static str,
        missing: Vec<String>,
    },

    #[error("{file}: could not be read: {message}")]
    Read { file: String, message: String },

    #[error("no rows to analyse: {0}")]
    NoData(String),
}
