//! Excel workbooks (`.xlsx`): each row of a worksheet becomes a `Record` of
//! text fields, so workbooks flow through the same layouts and row
//! accounting as CSV files.
//!
//! An `.xlsx` is a ZIP archive whose directory sits at its end, so the
//! compressed bytes are held whole (they are a fraction of the sheet's
//! size); the sheet itself is decompressed and read cell by cell, never
//! loaded as a grid. Cells become the text a CSV export of the sheet would
//! hold: dates as `YYYY-MM-DD HH:MM:SS`, numbers in their shortest form.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use super::csv::Record;
use super::error::IngestError;

/// The largest workbook held for reading (compressed size).
pub const MAX_WORKBOOK_BYTES: usize = 1 << 30;

/// An opened workbook.
pub struct Workbook {
    file: String,
    xlsx: Xlsx<Cursor<Vec<u8>>>,
    sheets: Vec<String>,
}

impl Workbook {
    /// Opens the bytes of `file` as an `.xlsx` workbook.
    pub fn open(file: &str, bytes: Vec<u8>) -> Result<Workbook, IngestError> {
        let opened = guarded(file, || Ok(Xlsx::new(Cursor::new(bytes))))?;
        let xlsx = opened.map_err(|error| not_a_workbook(file, &error))?;
        let sheets = xlsx.sheet_names();
        Ok(Workbook {
            file: file.to_string(),
            xlsx,
            sheets,
        })
    }

    /// Worksheet names in workbook order.
    pub fn sheets(&self) -> &[String] {
        &self.sheets
    }

    /// Reads worksheet `sheet` row by row. Empty rows are skipped, as blank
    /// lines are in CSV files; a record's line is the sheet's row number.
    pub fn for_each_row(
        &mut self,
        sheet: &str,
        on_record: impl FnMut(Record<'_>) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let file = self.file.clone();
        guarded(&file, || self.read_rows(sheet, on_record))
    }

    fn read_rows(
        &mut self,
        sheet: &str,
        mut on_record: impl FnMut(Record<'_>) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let file = self.file.clone();
        let mut cells = self
            .xlsx
            .worksheet_cells_reader(sheet)
            .map_err(|error| not_a_workbook(&file, &error))?;
        // Columns count from the sheet's first used column, so a table that
        // starts in column B reads like one that starts in A.
        let first_column = cells.dimensions().start.1;
        let mut row = RowBuilder::default();
        while let Some(cell) = cells.next_cell().map_err(|error| IngestError::Read {
            file: file.clone(),
            message: format!("worksheet \"{sheet}\" is damaged: {error}"),
        })? {
            let (r, c) = cell.get_position();
            if row.number != Some(r) {
                row.emit(&mut on_record)?;
                row.number = Some(r);
            }
            row.set(c.saturating_sub(first_column) as usize, cell.get_value());
        }
        row.emit(&mut on_record)
    }
}

/// Runs `read`, turning a panic inside the workbook reader into an error.
/// Damaged workbooks have been seen to trip arithmetic checks in the ZIP
/// and XML layers (the property test flips bytes); a merchant's file must
/// never take the analysis down. (On wasm32 a panic aborts instead: the
/// page then restarts the worker and says the engine stopped.)
fn guarded<T>(file: &str, read: impl FnOnce() -> Result<T, IngestError>) -> Result<T, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(IngestError::NotAWorkbook {
            file: file.to_string(),
            message: "its contents are damaged".to_string(),
        })
    })
}

fn not_a_workbook(file: &str, error: &XlsxError) -> IngestError {
    IngestError::NotAWorkbook {
        file: file.to_string(),
        message: error.to_string(),
    }
}

/// The fields of the row being read.
#[derive(Default)]
struct RowBuilder {
    /// Fields in the first row (the header): a sheet stores no trailing
    /// empty cells, so shorter rows are filled out to it.
    width: Option<usize>,
    /// 0-based sheet row, `None` before the first cell.
    number: Option<u32>,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    text: String,
}

impl RowBuilder {
    /// Puts a cell's text in column `column`, after empty fields for any
    /// columns skipped.
    fn set(&mut self, column: usize, value: &DataRef<'_>) {
        while self.ends.len() < column {
            self.ends.push(self.bytes.len());
        }
        if self.ends.len() > column {
            return; // cells come in column order; a repeat is ignored
        }
        self.text.clear();
        cell_text(value, &mut self.text);
        self.bytes.extend_from_slice(self.text.trim().as_bytes());
        self.ends.push(self.bytes.len());
    }

    fn emit(
        &mut self,
        on_record: &mut impl FnMut(Record<'_>) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let blank = self.bytes.is_empty();
        if !blank {
            let width = *self.width.get_or_insert(self.ends.len());
            while self.ends.len() < width {
                self.ends.push(self.bytes.len());
            }
        }
        let result = match self.number {
            Some(number) if !blank => on_record(Record::new(
                &self.bytes,
                &self.ends,
                u64::from(number) + 1,
                false,
            )),
            _ => Ok(()),
        };
        self.bytes.clear();
        self.ends.clear();
        result
    }
}

/// A cell as the text a CSV export of it would hold.
fn cell_text(value: &DataRef<'_>, out: &mut String) {
    use std::fmt::Write;
    match value {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        // `{}` prints the shortest text that reads back as the same number
        // (17850.0 as `17850`, 0.1 as `0.1`).
        DataRef::Float(f) => {
            let _ = write!(out, "{f}");
        }
        DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
        }
        DataRef::DateTime(dt) => {
            let _ = write!(out, "{}", dt.as_f64());
        }
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_the_reader_is_an_error_for_the_file() {
        let result: Result<(), IngestError> = guarded("orders.xlsx", || panic!("overflow"));
        let error = result.expect_err("caught");
        assert_eq!(
            error.to_string(),
            "orders.xlsx: a ZIP archive that is not a readable Excel workbook (its contents are damaged); if it holds CSV files, unzip it and drop those"
        );
    }
}
