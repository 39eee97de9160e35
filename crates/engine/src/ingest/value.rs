//! Reading single values: amounts and customer identities.

use std::borrow::Cow;

/// Why a text is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// The field is empty.
    Missing,
    /// The field holds something other than a finite decimal number.
    NotANumber,
}

/// Parses a plain decimal amount (`1299.00`, `-5`, `0.5`). Exports from
/// Shopify and the generic layout write amounts without currency symbols or
/// thousands separators; anything else is reported, never guessed.
pub fn parse_amount(text: Option<&str>) -> Result<f64, AmountError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let text = text.ok_or(AmountError::Missing)?;
    // `f64::from_str` also takes `inf`, `NaN` and `1e5`; only digits, one
    // point and a leading sign are amounts.
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit());
    if !plain {
        return Err(AmountError::NotANumber);
    }
    text.parse::<f64>().map_err(|_| AmountError::NotANumber)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount(Some("1299.00")), Ok(1299.0));
        assert_eq!(parse_amount(Some(" -5 ")), Ok(-5.0));
        assert_eq!(parse_amount(Some("+.5")), Ok(0.5));
        assert_eq!(parse_amount(Some("0")), Ok(0.0));
        assert_eq!(parse_amount(None), Err(AmountError::Missing));
        assert_eq!(parse_amount(Some("  ")), Err(AmountError::Missing));
        for bad in [
            "NaN", "inf", "1e5", "1,299.00", "$12", "12.3.4", ".", "-", "12 EUR",
        ] {
            assert_eq!(
                parse_amount(Some(bad)),
                Err(AmountError::NotANumber),
                "{bad}"
            );
        }
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

        #[test]
        fn formatted_amounts_parse_back(cents in -10_000_000i64..10_000_000) {
            let text = format!("{:.2}", cents as f64 / 100.0);
            let parsed = parse_amount(Some(&text)).expect("a number");
            prop_assert!((parsed * 100.0 - cents as f64).abs() < 1e-6);
        }
    }
}
