//! `customers.csv`: one row per customer with every per-customer field, in
//! the column order of the CLI contract. The page's "Download customers CSV"
//! writes the same bytes.

use std::io::{self, Write};

use super::csv_writer::write_record;
use crate::customer_rows::CustomerColumn;
use crate::pipeline::Analysis;

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
                row.first_order.to_string(),
                row.last_order.to_string(),
                row.recency_days.to_string(),
                row.frequency.to_string(),
                row.tenure_days.to_string(),
                format!("{:.2}", row.aov),
                row.r.to_string(),
                row.f.to_string(),
                row.m.to_string(),
                row.rfm_group.code().to_string(),
            ],
        )?;
    }
    Ok(())
}
