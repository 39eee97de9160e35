//! What a customers export says about a customer beyond their orders:
//! names, consent, address, tags, and the shop's own totals.

use serde::{Deserialize, Serialize};

/// One customer's profile. Kept only for customers a customers export
/// describes, so stores without one pay nothing for it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The shop's customer id (Shopify's `Customer ID`, apostrophe removed).
    pub shop_id: Option<Box<str>>,
    pub first_name: Option<Box<str>>,
    pub last_name: Option<Box<str>>,
    pub accepts_email_marketing: Option<bool>,
    pub accepts_sms_marketing: Option<bool>,
    /// ISO 3166-1 alpha-2, as the export writes it.
    pub country_code: Option<Box<str>>,
    pub province_code: Option<Box<str>>,
    pub city: Option<Box<str>>,
    pub zip: Option<Box<str>>,
    pub phone: Option<Box<str>>,
    /// Tags as one comma-separated cell (`vip, wholesale`).
    pub tags: Option<Box<str>>,
    /// The shop's lifetime totals (all orders ever, not only those in the
    /// order files).
    pub total_spent: Option<f64>,
    pub total_orders: Option<u32>,
}

impl Profile {
    /// Fills this profile's empty fields from `other` (a second row for the
    /// same customer): the first value seen wins.
    pub fn merge(&mut self, other: Profile) {
        fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
            if slot.is_none() {
                *slot = value;
            }
        }
        fill(&mut self.shop_id, other.shop_id);
        fill(&mut self.first_name, other.first_name);
        fill(&mut self.last_name, other.last_name);
        fill(
            &mut self.accepts_email_marketing,
            other.accepts_email_marketing,
        );
        fill(&mut self.accepts_sms_marketing, other.accepts_sms_marketing);
        fill(&mut self.country_code, other.country_code);
        fill(&mut self.province_code, other.province_code);
        fill(&mut self.city, other.city);
        fill(&mut self.zip, other.zip);
        fill(&mut self.phone, other.phone);
        fill(&mut self.tags, other.tags);
        fill(&mut self.total_spent, other.total_spent);
        fill(&mut self.total_orders, other.total_orders);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_the_first_value_and_fills_gaps() {
        let mut first = Profile {
            first_name: Some("Ann".into()),
            ..Profile::default()
        };
        first.merge(Profile {
            first_name: Some("Anne".into()),
            city: Some("Leeds".into()),
            ..Profile::default()
        });
        assert_eq!(first.first_name.as_deref(), Some("Ann"));
        assert_eq!(first.city.as_deref(), Some("Leeds"));
    }
}
