//! Order and transaction tables from any shop system or spreadsheet: a
//! customer (id or email), a date and an amount, with optional order id,
//! quantity and currency, the columns named in English, German, French,
//! Spanish, Italian, Dutch or Portuguese. Rows with the same order id are one
//! order; a row without one is an order of its own.

use serde::{Deserialize, Serialize};

use super::{fold_name, row_currency, LineItem, OrderLine, Row, RowOutcome};
use crate::ingest::amount::{Currency, DecimalMark};
use crate::ingest::dates::DateValue;
use crate::ingest::error::IngestError;
use crate::ingest::identity::{normalise_customer_id, normalise_email};
use crate::ingest::quality::RowIssue;

/// Folded header names (see `fold_name`) for each role, best first.
#[rustfmt::skip]
const CUSTOMER: &[&str] = &[
    "customer_id", "customerid", "customer", "customer_number", "customer_no", "client_id",
    "client", "user_id", "kunden_id", "kundennummer", "kunden_nr", "kunde", "id_client",
    "numero_client", "id_cliente", "cliente", "codice_cliente", "klant_id", "klantnummer", "klant",
];
#[rustfmt::skip]
const EMAIL: &[&str] = &[
    "email", "e_mail", "email_address", "customer_email", "mail", "courriel", "correo",
    "correo_electronico",
];
#[rustfmt::skip]
const ORDER: &[&str] = &[
    "order_id", "orderid", "order", "order_number", "order_no", "invoice", "invoice_id",
    "invoice_no", "invoice_number", "transaction_id", "bestellnummer", "bestellung",
    "auftragsnummer", "rechnungsnummer", "commande", "numero_commande", "id_commande", "pedido",
    "numero_pedido", "id_pedido", "ordine", "numero_ordine", "bestelling", "bestelnummer",
    "encomenda",
];
#[rustfmt::skip]
const DATE: &[&str] = &[
    "order_date", "date", "purchase_date", "transaction_date", "invoice_date", "created_at",
    "created", "timestamp", "bestelldatum", "datum", "rechnungsdatum", "date_commande",
    "date_de_commande", "fecha", "fecha_pedido", "data", "data_ordine", "besteldatum",
    "data_pedido",
];
/// Amounts that are the line's or order's total.
#[rustfmt::skip]
const AMOUNT: &[&str] = &[
    "amount", "total", "order_total", "total_amount", "revenue", "sales", "value", "line_total",
    "betrag", "gesamtbetrag", "umsatz", "summe", "montant", "montant_total", "importe",
    "importe_total", "total_pedido", "importo", "totale", "bedrag", "totaal", "valor",
    "valor_total",
];
/// Unit prices: the amount is price × quantity when a quantity is given.
#[rustfmt::skip]
const UNIT_PRICE: &[&str] = &[
    "price", "unit_price", "unitprice", "item_price", "preis", "einzelpreis", "prix",
    "prix_unitaire", "precio", "precio_unitario", "prezzo", "prijs", "preco",
];
#[rustfmt::skip]
const QUANTITY: &[&str] = &[
    "quantity", "qty", "units", "menge", "anzahl", "quantite", "cantidad", "quantita", "aantal",
    "quantidade",
];
#[rustfmt::skip]
const CURRENCY: &[&str] = &[
    "currency", "currency_code", "wahrung", "devise", "moneda", "valuta", "moeda",
];

/// Which column holds what in an order table, by header name: what
/// detection guessed, or what the merchant chose when it could not tell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    pub customer: Option<String>,
    pub email: Option<String>,
    pub order: Option<String>,
    pub date: Option<String>,
    /// The order's or line's total.
    pub amount: Option<String>,
    /// A unit price, multiplied by `quantity` (used when there is no total).
    pub unit_price: Option<String>,
    pub quantity: Option<String>,
    pub currency: Option<String>,
    pub product: Option<String>,
    pub category: Option<String>,
    /// Discount given; subtracted from price × quantity, not from a total.
    pub discount: Option<String>,
    pub country: Option<String>,
}

impl ColumnMap {
    /// The columns whose names say what they hold (possibly not all needed).
    pub fn guess(header: &[String]) -> ColumnMap {
        let folded: Vec<String> = header.iter().map(|h| fold_name(h)).collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| folded.iter().position(|h| h == name))
                .map(|i| header[i].clone())
        };
        let amount = find(AMOUNT);
        let unit_price = match amount {
            Some(_) => None,
            None => find(UNIT_PRICE),
        };
        let quantity = find(QUANTITY);
        ColumnMap {
            customer: find(CUSTOMER),
            email: find(EMAIL),
            order: find(ORDER),
            date: find(DATE),
            amount,
            unit_price,
            quantity,
            currency: find(CURRENCY),
            product: find(PRODUCT),
            category: find(CATEGORY),
            discount: find(DISCOUNT),
            country: find(COUNTRY),
        }
    }

    /// The needed roles that more than one column of `header` could fill,
    /// with the candidates (the first is the one guessed): what the merchant
    /// should check.
    pub fn ambiguities(header: &[String]) -> Vec<(&'static str, Vec<String>)> {
        let folded: Vec<String> = header.iter().map(|h| fold_name(h)).collect();
        let candidates = |names: &[&str]| -> Vec<String> {
            // In synonym order, so the first is the one `guess` takes.
            names
                .iter()
                .flat_map(|name| folded.iter().enumerate().filter(move |(_, h)| h == name))
                .map(|(i, _)| header[i].clone())
                .collect()
        };
        [
            ("customer", candidates(CUSTOMER)),
            ("order date", candidates(DATE)),
            ("amount", candidates(AMOUNT)),
        ]
        .into_iter()
        .filter(|(_, columns)| columns.len() > 1)
        .collect()
    }

    /// The roles an order table cannot do without that this map lacks.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.customer.is_none() && self.email.is_none() {
            missing.push("customer_id (or email)".to_string());
        }
        if self.date.is_none() {
            missing.push("order_date".to_string());
        }
        if self.amount.is_none() && self.unit_price.is_none() {
            missing.push("amount".to_string());
        }
        missing
    }

    /// How many of the three roles (customer, date, amount) are filled.
    fn roles(&self) -> usize {
        [
            self.customer.is_some() || self.email.is_some(),
            self.date.is_some(),
            self.amount.is_some() || self.unit_price.is_some(),
        ]
        .iter()
        .filter(|&&filled| filled)
        .count()
    }

    /// Whether every column the map names is in `header`.
    pub fn fits(&self, header: &[String]) -> bool {
        self.names()
            .all(|name| header.iter().any(|h| h.trim() == name.trim()))
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        [
            &self.customer,
            &self.email,
            &self.order,
            &self.date,
            &self.amount,
            &self.unit_price,
            &self.quantity,
            &self.currency,
            &self.product,
            &self.category,
            &self.discount,
            &self.country,
        ]
        .into_iter()
        .flatten()
    }
}

#[rustfmt::skip]
const PRODUCT: &[&str] = &[
    "product", "product_name", "item_name", "description", "product_title", "artikel",
    "artikelname", "produkt", "produktname", "produit", "nom_produit", "producto", "articulo",
    "prodotto", "articolo", "productnaam", "produto",
];
#[rustfmt::skip]
const CATEGORY: &[&str] = &[
    "category", "product_category", "product_type", "kategorie", "warengruppe", "categorie",
    "categoria",
];
#[rustfmt::skip]
const DISCOUNT: &[&str] = &[
    "discount", "discount_amount", "rabatt", "remise", "descuento", "sconto", "korting",
    "desconto",
];
#[rustfmt::skip]
const COUNTRY: &[&str] = &[
    "country", "billing_country", "country_code", "land", "pays", "pais", "paese",
];

/// The numbers of one row.
struct Values {
    date: DateValue,
    /// What the row adds to its order.
    amount: f64,
    quantity: f64,
    price: f64,
    discount: f64,
    currency: Option<Currency>,
}

/// Column positions in a generic order table.
#[derive(Clone, Debug, PartialEq)]
pub struct GenericOrders {
    customer: Option<usize>,
    email: Option<usize>,
    order: Option<usize>,
    date: usize,
    amount: usize,
    quantity: Option<usize>,
    /// `amount` is a unit price, to multiply by the quantity.
    unit_price: bool,
    currency: Option<usize>,
    product: Option<usize>,
    category: Option<usize>,
    discount: Option<usize>,
    country: Option<usize>,
    pub(crate) mark: DecimalMark,
    /// The columns as names, for reports and for the merchant to adjust.
    pub(crate) columns: ColumnMap,
}

impl GenericOrders {
    /// Recognises a table with a customer or email, a date and an amount.
    /// A header that has some of these but not all is an error naming what
    /// is missing.
    pub fn detect(
        file: &str,
        header: &[String],
        mark: DecimalMark,
    ) -> Result<Option<Self>, IngestError> {
        let guess = ColumnMap::guess(header);
        // Two of the three roles make an order table with a column missing;
        // one alone (a `Price` in a product list) is some other file.
        if guess.roles() < 2 {
            return Ok(None);
        }
        Self::from_map(file, header, guess, mark).map(Some)
    }

    /// The table as `columns` describes it.
    pub fn from_map(
        file: &str,
        header: &[String],
        columns: ColumnMap,
        mark: DecimalMark,
    ) -> Result<Self, IngestError> {
        let missing = columns.missing();
        let position = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| header.iter().position(|h| h.trim() == n.trim()))
        };
        let amount_column = columns.amount.as_ref().or(columns.unit_price.as_ref());
        let (Some(date), Some(amount), true) = (
            position(&columns.date),
            position(&amount_column.cloned()),
            missing.is_empty(),
        ) else {
            return Err(IngestError::MissingColumns {
                file: file.to_string(),
                layout: "an order table (customer_id, order_id, order_date, amount)",
                missing,
                header: header.to_vec(),
            });
        };
        Ok(GenericOrders {
            customer: position(&columns.customer),
            email: position(&columns.email),
            order: position(&columns.order),
            date,
            amount,
            quantity: position(&columns.quantity),
            unit_price: columns.amount.is_none(),
            currency: position(&columns.currency),
            product: position(&columns.product),
            category: position(&columns.category),
            discount: position(&columns.discount),
            country: position(&columns.country),
            mark,
            columns,
        })
    }

    pub fn date_column(&self) -> usize {
        self.date
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        if let Err(issue) = row.check_width() {
            return RowOutcome::Excluded(issue);
        }
        let email = self
            .email
            .and_then(|c| row.non_empty(c))
            .map(normalise_email);
        // Identity: the customer id when present, else the email.
        let customer = self
            .customer
            .and_then(|c| row.non_empty(c))
            .map(normalise_customer_id)
            .or_else(|| email.clone());
        let mut line = OrderLine {
            order_id: self.order.and_then(|c| row.non_empty(c)),
            customer,
            email,
            ..OrderLine::default()
        };
        line.labels.country = self.country.and_then(|c| row.non_empty(c));
        match self.values(row) {
            Ok(values) => {
                line.line_date = Some(values.date);
                line.line_amount = Some(values.amount);
                line.currency = row_currency(row, self.currency, values.currency);
                line.item = self
                    .product
                    .and_then(|c| row.non_empty(c))
                    .map(|product| LineItem {
                        product,
                        sku: None,
                        category: self.category.and_then(|c| row.non_empty(c)),
                        quantity: values.quantity,
                        price: values.price,
                        discount: values.discount,
                    });
            }
            Err(issue) => line.broken = Some(issue),
        }
        RowOutcome::Line(line)
    }

    /// The row's numbers: a total is taken as written; a unit price is
    /// multiplied by the quantity and the discount subtracted.
    fn values(&self, row: &Row<'_, '_>) -> Result<Values, RowIssue> {
        let date = row.date(self.date)?;
        let amount = row.amount(self.amount)?;
        let quantity = match self.quantity {
            Some(column) => row.optional_amount(column)?.map(|q| q.value),
            None => None,
        };
        let discount = match self.discount {
            Some(column) => row.optional_amount(column)?.map_or(0.0, |d| d.value.abs()),
            None => 0.0,
        };
        let (price, total) = if self.unit_price {
            let quantity = quantity.unwrap_or(1.0);
            (amount.value, amount.value * quantity - discount)
        } else {
            let units = quantity.unwrap_or(1.0);
            let price = if units != 0.0 {
                (amount.value + discount) / units
            } else {
                amount.value
            };
            (price, amount.value)
        };
        Ok(Values {
            date,
            amount: total,
            quantity: quantity.unwrap_or(1.0),
            price,
            discount,
            currency: amount.currency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn detect(names: &[&str]) -> Result<Option<GenericOrders>, IngestError> {
        GenericOrders::detect("f.csv", &header(names), DecimalMark::Point)
    }

    #[test]
    fn recognises_columns_in_several_languages() {
        let german = detect(&["Kunden-Nr.", "Bestellnummer", "Datum", "Betrag"])
            .expect("ok")
            .expect("found");
        assert_eq!(
            (german.customer, german.order, german.date, german.amount),
            (Some(0), Some(1), 2, 3)
        );
        assert_eq!(german.columns.date.as_deref(), Some("Datum"));
        let french = detect(&["Courriel", "Date de commande", "Montant"])
            .expect("ok")
            .expect("found");
        assert_eq!(
            (french.customer, french.email, french.date),
            (None, Some(0), 1)
        );
        let spanish = detect(&["cliente", "fecha", "precio", "cantidad"])
            .expect("ok")
            .expect("found");
        assert_eq!(
            (spanish.amount, spanish.quantity, spanish.unit_price),
            (2, Some(3), true)
        );
    }

    #[test]
    fn a_total_beats_a_unit_price() {
        let both = detect(&["customer", "date", "price", "qty", "total"])
            .expect("ok")
            .expect("found");
        assert_eq!(
            (both.amount, both.quantity, both.unit_price),
            (4, Some(3), false)
        );
    }

    #[test]
    fn partial_headers_name_what_is_missing() {
        let err = detect(&["customer_id", "total"]).expect_err("incomplete");
        assert!(
            err.to_string().ends_with("lacks the column(s) order_date"),
            "{err}"
        );
        assert!(detect(&["Handle", "Title"]).expect("ok").is_none());
        // A product list has a price but is no order table.
        assert!(detect(&["Handle", "Title", "Price"]).expect("ok").is_none());
    }

    #[test]
    fn roles_that_several_columns_could_fill_are_named() {
        let header = header(&["customer_id", "date", "created_at", "total", "amount"]);
        let guess = ColumnMap::guess(&header);
        assert_eq!(guess.date.as_deref(), Some("date"));
        assert_eq!(guess.amount.as_deref(), Some("amount"));
        assert_eq!(
            ColumnMap::ambiguities(&header),
            [
                (
                    "order date",
                    vec!["date".to_string(), "created_at".to_string()]
                ),
                ("amount", vec!["amount".to_string(), "total".to_string()]),
            ]
        );
    }

    #[test]
    fn a_map_names_the_columns_detection_cannot() {
        let header = header(&["Käufer", "Wann", "Summe €", "Notiz"]);
        assert!(GenericOrders::detect("f.csv", &header, DecimalMark::Point)
            .expect("ok")
            .is_none());
        let map = ColumnMap {
            customer: Some("Käufer".into()),
            date: Some("Wann".into()),
            amount: Some("Summe €".into()),
            ..ColumnMap::default()
        };
        assert!(map.fits(&header));
        let layout =
            GenericOrders::from_map("f.csv", &header, map, DecimalMark::Comma).expect("ok");
        assert_eq!(
            (layout.customer, layout.date, layout.amount),
            (Some(0), 1, 2)
        );

        let incomplete = ColumnMap {
            customer: Some("Käufer".into()),
            ..ColumnMap::default()
        };
        let err = GenericOrders::from_map("f.csv", &header, incomplete, DecimalMark::Point)
            .expect_err("no date or amount");
        assert!(
            err.to_string()
                .ends_with("lacks the column(s) order_date, amount"),
            "{err}"
        );
    }
}
