//! `customers.csv`: one row per customer with every per-customer field, in
//! the column order of the CLI contract, then a 0/1 column per segment. The
//! page's "Download customers CSV" writes the same bytes.

use std::borrow::Cow;
use std::io::{self, Write};

use super::activation::product_list;
use super::csv_writer::{safe_text, write_record};
use crate::customer_rows::CustomerColumn;
use crate::pipeline::Analysis;
use crate::segments::campaign::Holdout;
use crate::segments::Segment;

/// A value, or an empty field where there is none (prospects' order fields).
fn blank_or<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A number with `decimals` places, or an empty field.
fn number(value: Option<f64>, decimals: usize) -> String {
    value.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

/// Columns added when analytics events were read.
const BEHAVIOUR_COLUMNS: [&str; 6] = [
    "item_views",
    "add_to_carts",
    "checkouts_begun",
    "web_purchases",
    "cart_abandonment_rate",
    "last_active",
];

/// Writes the customers of `analysis`, sorted by customer id, with a 0/1
/// column per segment (named by the segment).
pub fn write_customers_csv<W: Write>(
    analysis: &Analysis,
    segments: &[Segment],
    out: &mut W,
) -> io::Result<()> {
    let everyone: Vec<usize> = (0..analysis.customers.len()).collect();
    write_customer_rows(analysis, segments, None, &everyone, out).map(|_| ())
}

/// Writes the customers at positions `rows` (every column, then the
/// segments': 0/1, or with a holdout the member's group); returns how many.
pub(crate) fn write_customer_rows<W: Write>(
    analysis: &Analysis,
    segments: &[Segment],
    holdout: Option<&Holdout>,
    rows: &[usize],
    out: &mut W,
) -> io::Result<usize> {
    let with_behaviour = analysis.behaviour.is_some();
    let mut header: Vec<&str> = CustomerColumn::ALL.iter().map(|c| c.code()).collect();
    if with_behaviour {
        header.extend(BEHAVIOUR_COLUMNS);
    }
    let names: Vec<Cow<'_, str>> = segments
        .iter()
        .map(|s| safe_text(&s.definition.name))
        .collect();
    header.extend(names.iter().map(|n| n.as_ref()));
    write_record(out, &header)?;
    for &i in rows {
        let row = analysis.customer_row(i);
        let s = row.scores;
        let text = |t: Option<&str>| t.map(|t| safe_text(t).into_owned()).unwrap_or_default();
        let mut fields = vec![
            text(Some(&row.customer_id)),
            text(row.email.as_deref()),
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
            number(s.p_alive, 4),
            number(s.churn_probability(), 4),
            number(s.expected_purchases_30d, 4),
            number(s.expected_purchases_90d, 4),
            number(s.expected_purchases_365d, 4),
            number(s.predicted_clv_12m, 2),
            number(s.purchases_365d_low, 0),
            number(s.purchases_365d_high, 0),
            number(s.predicted_clv_12m_low, 2),
            number(s.predicted_clv_12m_high, 2),
            blank_or(s.expected_next_order),
            blank_or(s.predicted_spend_tier.map(|t| t.code())),
            number(s.avg_days_between_orders, 1),
            number(s.purchase_propensity, 4),
            blank_or(row.cluster),
            text(row.cluster_name.as_deref()),
            product_list(row.recommended_products.iter().map(String::as_str)),
            product_list(row.replenishment_due.iter().map(String::as_str)),
            number(row.cluster_probability, 3),
            text(row.country.as_deref()),
            number(row.discount_share, 3),
            number(row.refund_rate, 3),
            product_list(row.top_categories.iter().map(|c| c.category.as_str())),
        ];
        if with_behaviour {
            // A customer the events do not name has no behaviour: blanks, not zeros.
            let b = row.behaviour;
            fields.extend([
                blank_or(b.map(|b| b.item_views)),
                blank_or(b.map(|b| b.add_to_carts)),
                blank_or(b.map(|b| b.checkouts_begun)),
                blank_or(b.map(|b| b.purchases)),
                b.and_then(|b| b.abandonment_rate())
                    .map(|r| format!("{r:.3}"))
                    .unwrap_or_default(),
                blank_or(b.and_then(|b| b.last_active)),
            ]);
        }
        fields.extend(segments.iter().map(|s| {
            match (holdout, s.members[i]) {
                (Some(h), true) => h.arm(&s.definition.name, &analysis.customers.id[i]).code(),
                (Some(_), false) => "",
                (None, true) => "1",
                (None, false) => "0",
            }
            .to_string()
        }));
        write_record(out, &fields)?;
    }
    Ok(rows.len())
}

/// Whether `name` can head a segment column: not empty, and not the name
/// of another column.
pub fn is_free_column_name(name: &str) -> bool {
    !name.trim().is_empty()
        && !CustomerColumn::ALL.iter().any(|c| c.code() == name)
        && !BEHAVIOUR_COLUMNS.contains(&name)
}
