//! Reading money amounts as merchants' files write them: `1299.00`,
//! `1,299.00`, `1.299,00`, `1 299,00`, `€12,50`, `12.50 USD`, `(5.00)`,
//! `-$5`. The decimal mark is told by the value where it can be (the last
//! of `.` and `,` when both appear; a mark followed by other than three
//! digits); otherwise by the file's convention, which follows its delimiter
//! (files separated by `;` come from locales that write decimal commas).

use std::fmt;

/// Why a text is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// The field is empty.
    Missing,
    /// The field holds something other than an amount.
    NotANumber,
}

/// The decimal mark a file uses where a value alone does not tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DecimalMark {
    #[default]
    Point,
    Comma,
}

/// An ISO 4217 currency code such as `EUR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code, if `text` is three ASCII capital letters.
    pub fn from_code(text: &str) -> Option<Currency> {
        let bytes = text.as_bytes();
        (bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase))
            .then(|| Currency([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Always three ASCII letters (see the constructors).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed amount and the currency its text named, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub currency: Option<Currency>,
}

/// Symbols that name one currency. (`$` is read as US dollars: exports from
/// other dollar countries write their code, and a mix is reported.)
const SYMBOLS: [(&str, &str); 9] = [
    ("R$", "BRL"),
    ("US$", "USD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("zł", "PLN"),
];

/// Parses an amount; see the module documentation.
pub fn parse_amount(text: Option<&str>, mark: DecimalMark) -> Result<Amount, AmountError> {
    let mut text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AmountError::Missing)?;
    if let Some(value) = plain_decimal(text) {
        return Ok(Amount {
            value,
            currency: None,
        });
    }
    let mut negative = false;
    let mut currency = None;

    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner.trim();
    }
    // Signs and currency marks may come in either order at either end.
    loop {
        let before = text;
        if let Some(rest) = text.strip_prefix(['-', '−']) {
            negative = !negative;
            text = rest.trim_start();
        } else if let Some(rest) = text.strip_prefix('+') {
            text = rest.trim_start();
        } else if let Some(rest) = text.strip_suffix('-') {
            negative = !negative;
            text = rest.trim_end();
        }
        if let Some((rest, code)) = strip_currency(text) {
            if currency.is_some_and(|c| c != code) {
                return Err(AmountError::NotANumber);
            }
            currency = Some(code);
            text = rest;
        }
        if text == before {
            break;
        }
    }

    let mut digits = String::with_capacity(text.len());
    let (points, commas) = (text.matches('.').count(), text.matches(',').count());
    let decimal = match (points, commas) {
        (0, 0) => None,
        (_, 0) => decide_single(text, '.', points, mark == DecimalMark::Comma),
        (0, _) => decide_single(text, ',', commas, mark == DecimalMark::Point),
        _ => {
            // Both: the last one is the decimal mark, and appears once.
            let last = if text.rfind('.') > text.rfind(',') {
                '.'
            } else {
                ','
            };
            if text.matches(last).count() != 1 {
                return Err(AmountError::NotANumber);
            }
            Some(last)
        }
    };
    if !thousands_groups_are_sane(text, decimal) {
        return Err(AmountError::NotANumber);
    }
    let mut seen_digit = false;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                seen_digit = true;
                digits.push(c);
            }
            _ if Some(c) == decimal => digits.push('.'),
            // Thousands separators: the other mark, spaces, apostrophes.
            '.' | ',' | ' ' | '\u{a0}' | '\u{202f}' | '\'' if seen_digit => {}
            _ => return Err(AmountError::NotANumber),
        }
    }
    if !seen_digit {
        return Err(AmountError::NotANumber);
    }
    let value: f64 = digits.parse().map_err(|_| AmountError::NotANumber)?;
    if !value.is_finite() {
        return Err(AmountError::NotANumber);
    }
    Ok(Amount {
        value: if negative { -value } else { value },
        currency,
    })
}

/// The common case, read without allocating: an optional `-`, digits, and
/// at most one `.` not followed by exactly three digits (`1299.00`, `-5`).
fn plain_decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let bytes = digits.as_bytes();
    let point = bytes.iter().position(|&b| b == b'.');
    let plain = !bytes.is_empty()
        && bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b.is_ascii_digit() || Some(i) == point)
        && point.is_none_or(|p| p > 0 && p + 1 < bytes.len() && bytes.len() - p - 1 != 3);
    if !plain {
        return None;
    }
    text.parse().ok()
}

/// With only one kind of mark in `text`: several of them are thousands
/// separators; one followed by exactly three digits is a thousands separator
/// when `three_digits_mean_thousands` (the file's decimal mark is the
/// other); otherwise it is the decimal mark.
fn decide_single(
    text: &str,
    mark: char,
    count: usize,
    three_digits_mean_thousands: bool,
) -> Option<char> {
    if count > 1 {
        return None;
    }
    let after = text.rsplit(mark).next().unwrap_or("");
    let digits_after = after.chars().take_while(char::is_ascii_digit).count();
    if digits_after == 3 && three_digits_mean_thousands {
        None
    } else {
        Some(mark)
    }
}

/// Digit groups between thousands separators: after the first, two or
/// three digits (Indian grouping writes 1,23,456), the last one three.
fn thousands_groups_are_sane(text: &str, decimal: Option<char>) -> bool {
    let whole = match decimal {
        Some(mark) => text.rsplit_once(mark).map_or(text, |(whole, _)| whole),
        None => text,
    };
    let groups: Vec<&str> = whole
        .split(['.', ',', ' ', '\u{a0}', '\u{202f}', '\''])
        .collect();
    let Some((last, middle)) = groups[1..].split_last() else {
        return true;
    };
    last.len() == 3 && middle.iter().all(|g| (2..=3).contains(&g.len()))
}

/// Strips a currency symbol or code from either end of `text`.
fn strip_currency(text: &str) -> Option<(&str, Currency)> {
    for (symbol, code) in SYMBOLS {
        let currency = Currency::from_code(code)?;
        if let Some(rest) = text.strip_prefix(symbol) {
            return Some((rest.trim_start(), currency));
        }
        if let Some(rest) = text.strip_suffix(symbol) {
            return Some((rest.trim_end(), currency));
        }
    }
    let code_at = |code: &str| Currency::from_code(code);
    if text.len() > 3 {
        if let Some(code) = text.get(..3).and_then(code_at) {
            return Some((text[3..].trim_start(), code));
        }
        if let Some(code) = text.get(text.len() - 3..).and_then(code_at) {
            return Some((text[..text.len() - 3].trim_end(), code));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(text: &str, mark: DecimalMark) -> Result<f64, AmountError> {
        parse_amount(Some(text), mark).map(|a| a.value)
    }

    fn currency(text: &str) -> Option<String> {
        parse_amount(Some(text), DecimalMark::Point)
            .ok()
            .and_then(|a| a.currency)
            .map(|c| c.to_string())
    }

    #[test]
    fn plain_amounts() {
        use DecimalMark::Point;
        assert_eq!(value("1299.00", Point), Ok(1299.0));
        assert_eq!(value(" -5 ", Point), Ok(-5.0));
        assert_eq!(value("+.5", Point), Ok(0.5));
        assert_eq!(value("0", Point), Ok(0.0));
        assert_eq!(parse_amount(None, Point), Err(AmountError::Missing));
        assert_eq!(value("  ", Point), Err(AmountError::Missing));
    }

    #[test]
    fn thousands_and_decimal_marks() {
        use DecimalMark::{Comma, Point};
        assert_eq!(value("1,299.00", Point), Ok(1299.0));
        assert_eq!(value("1.299,00", Point), Ok(1299.0));
        assert_eq!(value("1 299,50", Comma), Ok(1299.5));
        assert_eq!(value("1\u{a0}299,50", Comma), Ok(1299.5));
        assert_eq!(value("1'299.50", Point), Ok(1299.5));
        assert_eq!(value("12,50", Point), Ok(12.5));
        assert_eq!(value("1,234,567", Point), Ok(1_234_567.0));
        assert_eq!(value("1.234.567", Comma), Ok(1_234_567.0));
        assert_eq!(value("1,23,456.00", Point), Ok(123_456.0));
        // Three digits after a single mark: the file's convention decides.
        assert_eq!(value("1,234", Point), Ok(1234.0));
        assert_eq!(value("1,234", Comma), Ok(1.234));
        assert_eq!(value("1.234", Comma), Ok(1234.0));
        assert_eq!(value("1.234", Point), Ok(1.234));
    }

    #[test]
    fn signs_and_currencies() {
        use DecimalMark::Point;
        assert_eq!(value("(5.00)", Point), Ok(-5.0));
        assert_eq!(value("-$5", Point), Ok(-5.0));
        assert_eq!(value("$-5", Point), Ok(-5.0));
        assert_eq!(value("5.00-", Point), Ok(-5.0));
        assert_eq!(value("−5", Point), Ok(-5.0));
        assert_eq!(value("€12,50", DecimalMark::Comma), Ok(12.5));
        assert_eq!(currency("€12,50"), Some("EUR".into()));
        assert_eq!(currency("12.50 USD"), Some("USD".into()));
        assert_eq!(currency("EUR 12.50"), Some("EUR".into()));
        assert_eq!(currency("R$ 10,00"), Some("BRL".into()));
        assert_eq!(currency("12.50"), None);
    }

    #[test]
    fn not_amounts() {
        for bad in [
            "NaN",
            "inf",
            "1e5",
            "12.3.4,5",
            ".",
            "-",
            "abc",
            "$",
            "12 EURO",
            "€5 $",
            "1,2,3.4.5",
            "1,2345.00",
            "12 34",
        ] {
            assert_eq!(
                value(bad, DecimalMark::Point),
                Err(AmountError::NotANumber),
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn formatted_amounts_parse_back(cents in -10_000_000_000i64..10_000_000_000) {
            let plain = format!("{:.2}", cents as f64 / 100.0);
            let parsed = value(&plain, DecimalMark::Point).expect("a number");
            prop_assert!((parsed * 100.0 - cents as f64).abs() < 1e-3);
            // The same amount written the European way.
            let european = plain.replace('.', ",");
            let parsed = value(&european, DecimalMark::Comma).expect("a number");
            prop_assert!((parsed * 100.0 - cents as f64).abs() < 1e-3);
        }

        #[test]
        fn thousands_grouping_never_changes_the_value(whole in 1_000u64..1_000_000_000, point in any::<bool>()) {
            let digits = whole.to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(if point { ',' } else { '.' });
                }
                grouped.push(c);
            }
            grouped.push_str(if point { ".25" } else { ",25" });
            let mark = if point { DecimalMark::Point } else { DecimalMark::Comma };
            prop_assert_eq!(value(&grouped, mark), Ok(whole as f64 + 0.25));
        }
    }
}
