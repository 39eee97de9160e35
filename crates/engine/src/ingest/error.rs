//! Errors that make a whole file unusable. Problems with single rows are not
//! errors: they are counted and explained in the data-quality report.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::layout::ColumnMap;

/// A file the engine cannot read at all.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IngestError {
    #[error("{file}: the file is empty (no header row)")]
    Empty { file: String },

    #[error("{file}: this is not a text file (it holds binary data); export the data as CSV and try again")]
    Binary { file: String },

    #[error("{file}: this is an Excel 97-2003 workbook (.xls), which is not read; open it and save it as an Excel workbook (.xlsx) or as CSV (UTF-8), then try again")]
    LegacyWorkbook { file: String },

    #[error("{file}: a ZIP archive that is not a readable Excel workbook ({message}); if it holds CSV files, unzip it and drop those")]
    NotAWorkbook { file: String, message: String },

    #[error("{file}: the workbook has no worksheet named \"{sheet}\"; its sheets are: {}", sheets.join(", "))]
    NoSuchSheet {
        file: String,
        sheet: String,
        sheets: Vec<String>,
    },

    #[error("{file}: the workbook is larger than {} MB; save the sheet as CSV, which is read without this limit", max_bytes >> 20)]
    WorkbookTooLarge { file: String, max_bytes: usize },

    #[error(
        "{file}: the header row is not one we know. Expected a Shopify orders export \
         (Name, Email, Financial Status, Created at, Total, ...) or an order table with \
         customer_id, order_id, order_date, amount; found: {}", found.join(", ")
    )]
    UnrecognisedHeader {
        file: String,
        /// The first column names, shortened, for the message.
        found: Vec<String>,
        /// Every column name, so the merchant can say which holds what.
        header: Vec<String>,
    },

    #[error(
        "{file}: a JSON file, but not Google Analytics 4 events one per line. Expected \
         newline-delimited JSON (BigQuery's JSON export of the GA4 events table: event_name, \
         event_date, user_pseudo_id or user_id on every line); JSON arrays and documents \
         spread over several lines are not read"
    )]
    UnrecognisedJson { file: String },

    #[error("{file}: looks like {layout} but lacks the column(s) {}", missing.join(", "))]
    MissingColumns {
        file: String,
        layout: &'static str,
        missing: Vec<String>,
        header: Vec<String>,
    },

    #[error("{file}: could not be read: {message}")]
    Read { file: String, message: String },

    #[error("no rows to analyse: {0}")]
    NoData(String),
}

/// A file whose columns detection could not tell, with what the merchant
/// needs to tell them: the header and the columns guessed so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnsNeeded {
    pub file: String,
    pub header: Vec<String>,
    pub guess: ColumnMap,
}

impl IngestError {
    /// For header errors, what a column-mapping step needs.
    pub fn columns_needed(&self) -> Option<ColumnsNeeded> {
        match self {
            IngestError::UnrecognisedHeader { file, header, .. }
            | IngestError::MissingColumns { file, header, .. } => Some(ColumnsNeeded {
                file: file.clone(),
                header: header.clone(),
                guess: ColumnMap::guess(header),
            }),
            _ => None,
        }
    }
}
