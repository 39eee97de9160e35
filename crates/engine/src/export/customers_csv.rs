//! `customers.csv`: one row per customer with every per-customer field, in
//! the column order of the CLI contract. The page's "Download customers CSV"
//! writes the same bytes.

use std::io::{self, Write};

use super::csv_writer::write_record;
use crate::customer_rows::CustomerColumn;
use crate::pipeline::Analysis;

/// A value, or an empty field where there is none (prospects' order fields).
fn blank_or<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes the customers of `analysis`, sorted by customer id.
pub fn write_customers_csv<W: Write>(analysis: &Analysis, out: &mut W) -> io::Result<()> {
    let header: Vec<&str> = CustomerColumn::ALL.iter().map(|c| c.code()).collect();
    write_record(out, &header)?;
    for i in 0..analysis.customers.len() {
        let row = analysis.customer_row(i);
        write_record(
            out,
            &[
                row.customer_id,
                row.email.unwrap_or_default(),
                row.orders.to_string(),
                format!("{:.2}", row.revenue),
                blank_or(row.first_order),
                blank_or(row.last_order),
                blank_or(row.recency_days),
                row.frequency.to_string(),
                blank_or(row.tenure_days),
                row.aov.map(|a| format!("{a:.2}")).unwrap_or_default(),
                blank_or(row.r),
                blank_or(row.f),
                blank_or(row.m),
                row.rfm_group.code().to_string(),
            ],
        )?;
    }
    Ok(())
}
