//! Shopify "Export customers": one row per customer, with consent, address,
//! tags and the shop's own lifetime totals. Current exports start
//! `Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default
//! Address …`; older ones have no `Customer ID` and name the address columns
//! plainly (`Company, Address1, …, Country Code`). IDs, zip codes and phones
//! may carry a leading apostrophe; marketing flags are `yes`/`no`.

use super::{Row, RowOutcome};
use crate::customers::Profile;
use crate::ingest::identity::{normalise_customer_id, normalise_email};
use crate::ingest::quality::Exclusion;

/// One customers-export row: who it is, and what is known of them.
#[derive(Debug, PartialEq)]
pub struct ProfileRow {
    /// Normalised email: the key that joins customers to their orders.
    pub email: Option<String>,
    pub profile: Profile,
}

/// Column positions in a Shopify customers export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopifyCustomers {
    customer_id: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    email: usize,
    accepts_email: Option<usize>,
    accepts_sms: Option<usize>,
    country_code: Option<usize>,
    province_code: Option<usize>,
    city: Option<usize>,
    zip: Option<usize>,
    phone: Option<usize>,
    tags: Option<usize>,
    total_spent: Option<usize>,
    total_orders: Option<usize>,
}

impl ShopifyCustomers {
    /// Recognises the header: `Email` with `Total Spent` or `Total Orders`
    /// and a `First Name` (exact, case-sensitive Shopify names).
    pub fn detect(header: &[String]) -> Option<Self> {
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        let any = |names: &[&str]| names.iter().find_map(|n| find(n));
        let email = find("Email")?;
        find("First Name")?;
        if find("Total Spent").is_none() && find("Total Orders").is_none() {
            return None;
        }
        Some(ShopifyCustomers {
            customer_id: find("Customer ID"),
            first_name: find("First Name"),
            last_name: find("Last Name"),
            email,
            accepts_email: any(&["Accepts Email Marketing", "Accepts Marketing"]),
            accepts_sms: find("Accepts SMS Marketing"),
            country_code: any(&["Default Address Country Code", "Country Code"]),
            province_code: any(&["Default Address Province Code", "Province Code"]),
            city: any(&["Default Address City", "City"]),
            zip: any(&["Default Address Zip", "Zip"]),
            phone: any(&["Phone", "Default Address Phone"]),
            tags: find("Tags"),
            total_spent: find("Total Spent"),
            total_orders: find("Total Orders"),
        })
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        if let Err(issue) = row.check_width() {
            return RowOutcome::Excluded(issue);
        }
        let text = |column: Option<usize>| -> Option<Box<str>> {
            let value = row.non_empty(column?)?;
            Some(value.trim_start_matches('\'').into())
        };
        let flag = |column: Option<usize>| -> Option<bool> {
            match row.non_empty(column?)?.to_ascii_lowercase().as_str() {
                "yes" | "true" | "subscribed" => Some(true),
                "no" | "false" | "unsubscribed" | "not_subscribed" => Some(false),
                _ => None,
            }
        };
        let email = row
            .non_empty(self.email)
            .map(|e| normalise_email(e).into_owned());
        let shop_id = self
            .customer_id
            .and_then(|c| row.non_empty(c))
            .map(|id| normalise_customer_id(id).into_owned().into_boxed_str());
        if email.is_none() && shop_id.is_none() {
            return RowOutcome::Excluded(row.issue(
                self.email,
                "an email address or a Customer ID to tell who the customer is",
                Exclusion::NoCustomer,
            ));
        }
        // Shopify's totals are informative only: a bad one is left out, not fatal.
        let total_spent = self
            .total_spent
            .and_then(|c| row.optional_amount(c).ok().flatten())
            .map(|a| a.value);
        let total_orders = self
            .total_orders
            .and_then(|c| row.non_empty(c))
            .and_then(|n| n.parse::<u32>().ok());
        RowOutcome::Profile(ProfileRow {
            email,
            profile: Profile {
                shop_id,
                first_name: text(self.first_name),
                last_name: text(self.last_name),
                accepts_email_marketing: flag(self.accepts_email),
                accepts_sms_marketing: flag(self.accepts_sms),
                country_code: text(self.country_code),
                province_code: text(self.province_code),
                city: text(self.city),
                zip: text(self.zip),
                phone: text(self.phone),
                tags: text(self.tags),
                total_spent,
                total_orders,
            },
        })
    }
}
