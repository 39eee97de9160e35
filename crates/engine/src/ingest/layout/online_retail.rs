//! The UCI "Online Retail" data sets, a widely used public record of a UK
//! gift retailer's invoices: one row per invoice line.
//! I: `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`;
//! II: `Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country`.
//! Invoices starting with `C` are cancellations; other lines with a zero or
//! negative quantity or price are adjustments, not sales; customer ids may
//! be empty or written as floats (`17850.0`); dates look like `12/1/2010 8:26`.

use super::{fold_name, LineItem, OrderLine, Row, RowOutcome};
use crate::ingest::dates::DateValue;
use crate::ingest::identity::normalise_customer_id;
use crate::ingest::quality::{Exclusion, RowIssue};

/// Column positions in an Online Retail file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlineRetail {
    invoice: usize,
    quantity: usize,
    date: usize,
    price: usize,
    customer: usize,
    description: Option<usize>,
    stock_code: Option<usize>,
    country: Option<usize>,
}

impl OnlineRetail {
    pub fn detect(header: &[String]) -> Option<Self> {
        let folded: Vec<String> = header.iter().map(|h| fold_name(h)).collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| folded.iter().position(|h| h == n))
        };
        // StockCode and InvoiceDate together are this layout's signature.
        let stock_code = find(&["stockcode"])?;
        Some(OnlineRetail {
            description: find(&["description"]),
            stock_code: Some(stock_code),
            country: find(&["country"]),
            invoice: find(&["invoiceno", "invoice"])?,
            quantity: find(&["quantity"])?,
            date: find(&["invoicedate"])?,
            price: find(&["unitprice", "price"])?,
            customer: find(&["customerid", "customer_id"])?,
        })
    }

    pub fn date_column(&self) -> usize {
        self.date
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        if let Err(issue) = row.check_width() {
            return RowOutcome::Excluded(issue);
        }
        let Some(invoice) = row.non_empty(self.invoice) else {
            return RowOutcome::Excluded(row.issue(
                self.invoice,
                "the invoice number that groups an invoice's lines",
                Exclusion::MalformedRow,
            ));
        };
        let mut line = OrderLine {
            cancelled: invoice.starts_with(['C', 'c']),
            order_id: Some(invoice),
            customer: row.non_empty(self.customer).map(normalise_customer_id),
            ..OrderLine::default()
        };
        match self.values(row) {
            Ok((date, quantity, price)) => {
                if !line.cancelled && (quantity <= 0.0 || price <= 0.0) {
                    return RowOutcome::Excluded(row.row_issue(
                        format!(
                            "a sale: a positive quantity and price (found {quantity} at {price})"
                        ),
                        Exclusion::NotASale,
                    ));
                }
                line.line_date = Some(date);
                line.line_amount = Some(quantity * price);
                line.labels.country = self.country.and_then(|c| row.non_empty(c));
                line.item = self
                    .description
                    .and_then(|c| row.non_empty(c))
                    .map(|product| LineItem {
                        product,
                        sku: self.stock_code.and_then(|c| row.non_empty(c)),
                        category: None,
                        quantity,
                        price,
                        discount: 0.0,
                    });
            }
            Err(issue) => line.broken = Some(issue),
        }
        RowOutcome::Line(line)
    }

    fn values(&self, row: &Row<'_, '_>) -> Result<(DateValue, f64, f64), RowIssue> {
        Ok((
            row.date(self.date)?,
            row.amount(self.quantity)?.value,
            row.amount(self.price)?.value,
        ))
    }
}
