//! Customer identities: the keys that make two rows the same customer.

use std::borrow::Cow;

/// Normalises an email address to the customer key: trimmed and lower-cased
/// (Shopify and the ad platforms treat addresses case-insensitively).
/// Borrows when the address is already normal.
pub fn normalise_email(email: Cow<'_, str>) -> Cow<'_, str> {
    let trimmed_len = email.trim().len();
    let needs_work = trimmed_len != email.len()
        || email.bytes().any(|b| b.is_ascii_uppercase())
        || !email.is_ascii();
    if !needs_work {
        return email;
    }
    Cow::Owned(email.trim().to_lowercase())
}

/// Normalises a customer id as exports write it: trimmed, without the
/// leading apostrophe spreadsheets use to keep long numbers as text
/// (`'8779761975521`), and without the `.0` that numeric columns gain when
/// a spreadsheet saved them as floats (`17850.0`).
pub fn normalise_customer_id(id: Cow<'_, str>) -> Cow<'_, str> {
    let trimmed = id.trim().trim_start_matches('\'');
    let digits = trimmed
        .strip_suffix(".0")
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let normal = digits.unwrap_or(trimmed);
    if normal.len() == id.len() {
        return id;
    }
    Cow::Owned(normal.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn customer_ids() {
        assert_eq!(
            normalise_customer_id("'8779761975521".into()),
            "8779761975521"
        );
        assert_eq!(normalise_customer_id(" 17850.0 ".into()), "17850");
        assert_eq!(normalise_customer_id("A-17.0".into()), "A-17.0");
        assert!(matches!(
            normalise_customer_id("C1".into()),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalise_email(" Ann@Example.COM ".into()),
            "ann@example.com"
        );
        assert!(matches!(
            normalise_email("ann@example.com".into()),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            normalise_email("ÉLODIE@exemple.fr".into()),
            "élodie@exemple.fr"
        );
    }

    proptest! {
        #[test]
        fn email_normalisation_is_idempotent(email in "\\PC{0,30}") {
            let once = normalise_email(Cow::Borrowed(&email)).into_owned();
            let twice = normalise_email(Cow::Borrowed(&once)).into_owned();
            prop_assert_eq!(once, twice);
        }
    }
}
