//! Numbers as merchants read them. Presentation only: the values come from
//! the engine already computed.

/// `1234567` → `1,234,567`.
pub fn int(n: u64) -> String {
    segmenter_engine::wording::thousands(n)
}

/// Money with two decimals and thousands separators, in the store's currency.
pub fn money(amount: f64, currency: Option<&str>) -> String {
    let negative = amount < 0.0;
    let cents = (amount.abs() * 100.0).round() as u64;
    let body = format!("{}.{:02}", int(cents / 100), cents % 100);
    with_currency(negative, &body, currency)
}

/// `body` (digits) with its sign and the currency's symbol or code.
fn with_currency(negative: bool, body: &str, currency: Option<&str>) -> String {
    let sign = if negative { "-" } else { "" };
    match currency {
        Some("USD") => format!("{sign}${body}"),
        Some("EUR") => format!("{sign}€{body}"),
        Some("GBP") => format!("{sign}£{body}"),
        Some(code) => format!("{sign}{body} {code}"),
        None => format!("{sign}{body}"),
    }
}

/// Money in a few characters for chart labels: `$950`, `$1.2k`, `€25k`,
/// `$1.5M`.
pub fn short_money(amount: f64, currency: Option<&str>) -> String {
    let magnitude = amount.abs();
    let body = if magnitude >= 1e6 {
        trim_zero(format!("{:.1}", magnitude / 1e6)) + "M"
    } else if magnitude >= 1e4 {
        format!("{:.0}k", magnitude / 1e3)
    } else if magnitude >= 1e3 {
        trim_zero(format!("{:.1}", magnitude / 1e3)) + "k"
    } else if magnitude.fract() == 0.0 || magnitude >= 10.0 {
        format!("{magnitude:.0}")
    } else {
        format!("{magnitude:.2}")
    };
    with_currency(amount < 0.0, &body, currency)
}

fn trim_zero(text: String) -> String {
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

/// A quantity: whole units without decimals, else two.
pub fn units(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        int(n.abs() as u64)
    } else {
        format!("{n:.2}")
    }
}

/// A share 0–1 as a percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A mean with one decimal, or a dash when there is nothing to average.
pub fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

/// Bytes as KB / MB / GB (decimal units, as file managers show them).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Milliseconds as `0.42 s` or `850 ms`.
pub fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(int(0), "0");
        assert_eq!(int(1_234_567), "1,234,567");
        assert_eq!(money(1234.5, Some("USD")), "$1,234.50");
        assert_eq!(money(-3.0, Some("INR")), "-3.00 INR");
        assert_eq!(money(0.005, None), "0.01");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(units(12000.0), "12,000");
        assert_eq!(units(2.5), "2.50");
        assert_eq!(mean(None), "–");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(8_505_138), "8.5 MB");
        assert_eq!(duration(850.2), "850 ms");
        assert_eq!(duration(1234.0), "1.23 s");
        assert_eq!(short_money(950.0, Some("USD")), "$950");
        assert_eq!(short_money(1234.0, Some("USD")), "$1.2k");
        assert_eq!(short_money(2000.0, Some("EUR")), "€2k");
        assert_eq!(short_money(25_000.0, Some("EUR")), "€25k");
        assert_eq!(short_money(1_500_000.0, None), "1.5M");
        assert_eq!(short_money(2.5, Some("GBP")), "£2.50");
    }
}
