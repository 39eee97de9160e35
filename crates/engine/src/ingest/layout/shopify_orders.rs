//! Shopify "Export orders": one row per line item. The order's status and
//! totals are on its first row only; later rows of the same order (same
//! `Name`) leave them empty. Timestamps are the shop's local time with its
//! offset (`2025-10-07 09:50:26 +0200`).

use super::{row_currency, LineItem, OrderFields, OrderLabels, OrderLine, Row, RowOutcome};
use crate::ingest::error::IngestError;
use crate::ingest::identity::normalise_email;
use crate::ingest::quality::Exclusion;

/// Column positions in a Shopify orders export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopifyOrders {
    name: usize,
    email: usize,
    financial_status: usize,
    created_at: usize,
    total: usize,
    currency: Option<usize>,
    cancelled_at: Option<usize>,
    refunded_amount: Option<usize>,
    discount_code: Option<usize>,
    discount_amount: Option<usize>,
    country: Option<usize>,
    shipping_country: Option<usize>,
    tags: Option<usize>,
    source: Option<usize>,
    item_name: Option<usize>,
    item_quantity: Option<usize>,
    item_price: Option<usize>,
    item_sku: Option<usize>,
    item_discount: Option<usize>,
    /// The line's vendor: orders exports carry no product type, and the
    /// vendor is the grouping of products they do carry (a brand or a
    /// product line), so it stands in as the line's category.
    item_vendor: Option<usize>,
}

impl ShopifyOrders {
    /// Recognises the header: `Name`, `Financial Status` and `Created at`
    /// together appear in no other layout (Shopify's names are fixed and
    /// case-sensitive). Older exports lack some later columns; those are
    /// optional here.
    pub fn detect(file: &str, header: &[String]) -> Result<Option<Self>, IngestError> {
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        if find("Name").is_none()
            || find("Financial Status").is_none()
            || find("Created at").is_none()
        {
            return Ok(None);
        }
        let missing: Vec<String> = ["Email", "Total"]
            .into_iter()
            .filter(|name| find(name).is_none())
            .map(str::to_string)
            .collect();
        let (Some(email), Some(total)) = (find("Email"), find("Total")) else {
            return Err(IngestError::MissingColumns {
                file: file.to_string(),
                layout: "a Shopify orders export",
                missing,
                header: header.to_vec(),
            });
        };
        Ok(Some(ShopifyOrders {
            name: find("Name").unwrap_or_default(),
            email,
            financial_status: find("Financial Status").unwrap_or_default(),
            created_at: find("Created at").unwrap_or_default(),
            total,
            currency: find("Currency"),
            cancelled_at: find("Cancelled at"),
            refunded_amount: find("Refunded Amount"),
            discount_code: find("Discount Code"),
            discount_amount: find("Discount Amount"),
            country: find("Billing Country"),
            shipping_country: find("Shipping Country"),
            tags: find("Tags"),
            source: find("Source"),
            item_name: find("Lineitem name"),
            item_quantity: find("Lineitem quantity"),
            item_price: find("Lineitem price"),
            item_sku: find("Lineitem sku"),
            item_discount: find("Lineitem discount"),
            item_vendor: find("Vendor"),
        }))
    }

    pub fn date_column(&self) -> usize {
        self.created_at
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        if let Err(issue) = row.check_width() {
            return RowOutcome::Excluded(issue);
        }
        let Some(order_id) = row.non_empty(self.name) else {
            return RowOutcome::Excluded(row.issue(
                self.name,
                "the order number (like #1001) that groups an order's line items",
                Exclusion::MalformedRow,
            ));
        };
        let email = row.non_empty(self.email).map(normalise_email);
        let mut line = OrderLine {
            order_id: Some(order_id),
            customer: email.clone(),
            email,
            item: self.item(row),
            ..OrderLine::default()
        };
        // Only an order's first row carries its status and totals.
        let status = row.non_empty(self.financial_status);
        if status.is_none() && row.non_empty(self.total).is_none() {
            return RowOutcome::Line(line);
        }
        let text = |column: Option<usize>| column.and_then(|c| row.non_empty(c));
        line.labels = OrderLabels {
            country: text(self.country).or_else(|| text(self.shipping_country)),
            source: text(self.source),
            discount_code: text(self.discount_code),
            tags: text(self.tags),
        };
        match self.order_fields(row, status.as_deref().unwrap_or_default()) {
            Ok(fields) => {
                line.currency = row_currency(row, self.currency, None);
                line.order = Some(fields);
            }
            Err(issue) => line.broken = Some(issue),
        }
        RowOutcome::Line(line)
    }

    /// The row's line item. Its numbers are descriptive (the order's
    /// `Total` is what counts), so one that cannot be read is left at zero
    /// rather than ruling the order out.
    fn item<'r>(&self, row: &Row<'_, 'r>) -> Option<LineItem<'r>> {
        let product = row.non_empty(self.item_name?)?;
        let number = |column: Option<usize>| {
            column
                .and_then(|c| row.optional_amount(c).ok().flatten())
                .map_or(0.0, |a| a.value)
        };
        Some(LineItem {
            product,
            sku: self.item_sku.and_then(|c| row.non_empty(c)),
            category: self.item_vendor.and_then(|c| row.non_empty(c)),
            quantity: number(self.item_quantity),
            price: number(self.item_price),
            discount: number(self.item_discount),
        })
    }

    fn order_fields(
        &self,
        row: &Row<'_, '_>,
        status: &str,
    ) -> Result<OrderFields, super::RowIssue> {
        let date = row.date(self.created_at)?;
        let total = row.amount(self.total)?.value;
        let refunded = match self.refunded_amount {
            Some(column) => row.optional_amount(column)?.map_or(0.0, |a| a.value),
            None => 0.0,
        };
        let discount = match self.discount_amount {
            Some(column) => row.optional_amount(column)?.map_or(0.0, |a| a.value),
            None => 0.0,
        };
        Ok(OrderFields {
            date: Some(date),
            total,
            refunded,
            discount,
            cancelled: self
                .cancelled_at
                .is_some_and(|column| row.non_empty(column).is_some()),
            voided: status.eq_ignore_ascii_case("voided"),
            refunded_status: status.eq_ignore_ascii_case("refunded"),
        })
    }
}
