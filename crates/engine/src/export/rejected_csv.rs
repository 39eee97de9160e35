//! `rejected.csv`: every row left out of the analysis, with why, so that a
//! merchant can find each one in their file (the data-quality panel shows
//! only the first few of each reason).

use std::io::{self, Write};

use super::csv_writer::write_record;
use crate::ingest::DataQuality;

/// Writes the rejected rows of `quality`, in file and line order.
pub fn write_rejected_csv<W: Write>(quality: &DataQuality, out: &mut W) -> io::Result<()> {
    write_record(out, &["file", "line", "rows", "order", "reason", "detail"])?;
    for r in &quality.rejected {
        write_record(
            out,
            &[
                r.file.as_str(),
                &r.line.to_string(),
                &r.rows.to_string(),
                r.order.as_deref().unwrap_or_default(),
                r.reason.code(),
                r.detail.as_deref().unwrap_or_default(),
            ],
        )?;
    }
    Ok(())
}
