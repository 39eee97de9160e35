//! Reading dates as exports write them: ISO (`2025-10-07`, with a time and a
//! UTC offset), `20251007`, `2025/10/07`, European `07.10.2025`, and the
//! slash or dash forms `10/7/2025 8:26` and `07-10-2025`, which may be
//! month-first (US) or day-first (most other places).
//!
//! A slash or dash date is kept as its two numbers until the whole column
//! has been seen: one value with a first number above 12 shows the column is
//! day-first, one with a second number above 12 that it is month-first.
//! When no value tells, month-first is assumed and the report says so.

use crate::date::Date;

/// A date as read from one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DateValue {
    Known(Date),
    /// `first/second/year`, order to be decided by the column.
    Pair {
        first: u8,
        second: u8,
        year: i16,
    },
}

/// Which number of a slash date is the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayOrder {
    MonthFirst,
    DayFirst,
}

impl DateValue {
    /// The calendar date, reading a pair in `order` unless its numbers
    /// allow only the other order.
    pub fn resolve(self, order: DayOrder) -> Option<Date> {
        match self {
            DateValue::Known(date) => Some(date),
            DateValue::Pair {
                first,
                second,
                year,
            } => {
                let order = if first > 12 {
                    DayOrder::DayFirst
                } else if second > 12 {
                    DayOrder::MonthFirst
                } else {
                    order
                };
                let (month, day) = match order {
                    DayOrder::MonthFirst => (first, second),
                    DayOrder::DayFirst => (second, first),
                };
                Date::from_ymd(i32::from(year), u32::from(month), u32::from(day))
            }
        }
    }
}

/// Parses a date (with an optional time after a space or `T`).
pub fn parse_date(text: &str) -> Option<DateValue> {
    let text = text.trim();
    if let Some(date) = Date::parse_timestamp(text) {
        return Some(DateValue::Known(date));
    }
    let (date, rest) = split_time(text);
    if !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = date.as_bytes();
    // 20251007
    if bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) {
        let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().ok();
        return Date::from_ymd(n(0..4)? as i32, n(4..6)?, n(6..8)?).map(DateValue::Known);
    }
    let separator = bytes
        .iter()
        .copied()
        .find(|b| matches!(b, b'/' | b'.' | b'-'))?;
    let parts: Vec<&str> = date.split(separator as char).collect();
    let [a, b, c] = parts[..] else { return None };
    if ![a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|d| d.is_ascii_digit()))
    {
        return None;
    }
    let (a, b, c): (u32, u32, u32) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
    if parts[0].len() == 4 {
        // 2025/10/07, 2025.10.07
        return Date::from_ymd(a as i32, b, c).map(DateValue::Known);
    }
    let year = match parts[2].len() {
        4 => c as i32,
        // Two-digit years: 00–69 are 2000s, 70–99 are 1900s.
        2 => (if c < 70 { 2000 } else { 1900 }) + c as i32,
        _ => return None,
    };
    if separator == b'.' {
        // 07.10.2025: dotted dates are day-first wherever they are written.
        return Date::from_ymd(year, b, a).map(DateValue::Known);
    }
    let pair = DateValue::Pair {
        first: u8::try_from(a).ok()?,
        second: u8::try_from(b).ok()?,
        year: i16::try_from(year).ok()?,
    };
    // At least one reading must be a real day.
    let valid =
        pair.resolve(DayOrder::MonthFirst).is_some() || pair.resolve(DayOrder::DayFirst).is_some();
    valid.then_some(pair)
}

/// Splits `2010-12-01 08:26` or `12/1/2010 8:26 AM` into date and time.
fn split_time(text: &str) -> (&str, &str) {
    match text.find([' ', 'T']) {
        Some(at) => (&text[..at], text[at + 1..].trim_start()),
        None => (text, ""),
    }
}

/// What the slash dates of one column have shown about their order.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateEvidence {
    /// Values whose first number is above 12 (only day-first fits).
    pub day_first: u64,
    /// Values whose second number is above 12 (only month-first fits).
    pub month_first: u64,
    /// Values that fit either order.
    pub either: u64,
}

impl DateEvidence {
    /// Adds what another part of the same column showed.
    pub fn add(&mut self, other: &DateEvidence) {
        self.day_first += other.day_first;
        self.month_first += other.month_first;
        self.either += other.either;
    }

    /// Takes back one `observe` of `value`.
    pub fn unobserve(&mut self, value: DateValue) {
        let mut one = DateEvidence::default();
        one.observe(value);
        self.day_first -= one.day_first.min(self.day_first);
        self.month_first -= one.month_first.min(self.month_first);
        self.either -= one.either.min(self.either);
    }

    pub fn observe(&mut self, value: DateValue) {
        if let DateValue::Pair { first, second, .. } = value {
            if first > 12 {
                self.day_first += 1;
            } else if second > 12 {
                self.month_first += 1;
            } else {
                self.either += 1;
            }
        }
    }

    /// The order for the column, and a sentence for the report when the
    /// choice was not obvious.
    pub fn decide(&self, column: &str) -> (DayOrder, Option<String>) {
        let (day, month, either) = (self.day_first, self.month_first, self.either);
        match (day > 0, month > 0) {
            (true, false) => (DayOrder::DayFirst, None),
            (false, true) => (DayOrder::MonthFirst, None),
            (true, true) => {
                let order = if day > month { DayOrder::DayFirst } else { DayOrder::MonthFirst };
                let (kind, n) = match order {
                    DayOrder::DayFirst => ("day/month", day),
                    DayOrder::MonthFirst => ("month/day", month),
                };
                let message = format!(
                    "The dates in \"{column}\" mix month/day and day/month forms ({month} only fit month/day, {day} only fit day/month); {either} that fit both were read as {kind}, like the {n} that decide it."
                );
                (order, Some(message))
            }
            (false, false) if either > 0 => (
                DayOrder::MonthFirst,
                Some(format!(
                    "No date in \"{column}\" shows whether it is month/day or day/month (no number above 12); {either} dates were read as month/day (US)."
                )),
            ),
            (false, false) => (DayOrder::MonthFirst, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> Option<String> {
        match parse_date(text)? {
            DateValue::Known(date) => Some(date.to_string()),
            DateValue::Pair { .. } => None,
        }
    }

    fn pair(text: &str, order: DayOrder) -> Option<String> {
        parse_date(text)?.resolve(order).map(|d| d.to_string())
    }

    #[test]
    fn unambiguous_forms() {
        assert_eq!(
            known("2025-10-07 09:50:26 +0200").as_deref(),
            Some("2025-10-07")
        );
        assert_eq!(known("20251007").as_deref(), Some("2025-10-07"));
        assert_eq!(known("2025/10/07").as_deref(), Some("2025-10-07"));
        assert_eq!(known("07.10.2025").as_deref(), Some("2025-10-07"));
        assert_eq!(known("7.10.25 14:00").as_deref(), Some("2025-10-07"));
    }

    #[test]
    fn slash_and_dash_dates_wait_for_their_column() {
        use DayOrder::*;
        assert_eq!(
            pair("12/1/2010 8:26", MonthFirst).as_deref(),
            Some("2010-12-01")
        );
        assert_eq!(
            pair("12/1/2010 8:26", DayFirst).as_deref(),
            Some("2010-01-12")
        );
        // A number above 12 decides whatever the column says.
        assert_eq!(pair("13/1/2010", MonthFirst).as_deref(), Some("2010-01-13"));
        assert_eq!(pair("1/13/2010", DayFirst).as_deref(), Some("2010-01-13"));
        assert_eq!(pair("07-10-2025", DayFirst).as_deref(), Some("2025-10-07"));
        assert_eq!(
            pair("12/1/10 8:26 AM", MonthFirst).as_deref(),
            Some("2010-12-01")
        );
    }

    #[test]
    fn impossible_dates() {
        for bad in [
            "13/13/2010",
            "2/30/2025 ",
            "32.1.2025",
            "yesterday",
            "1/2",
            "1/2/3/4",
            "2025-13-01",
            "12/1/2010 noon",
            "1/1/123",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn evidence_decides_the_column() {
        let mut evidence = DateEvidence::default();
        for text in ["1/2/2025", "3/4/2025"] {
            evidence.observe(parse_date(text).expect("date"));
        }
        let (order, note) = evidence.decide("order_date");
        assert_eq!(order, DayOrder::MonthFirst);
        assert!(note
            .expect("reported")
            .contains("2 dates were read as month/day"));

        evidence.observe(parse_date("25/12/2025").expect("date"));
        assert_eq!(evidence.decide("order_date"), (DayOrder::DayFirst, None));

        evidence.observe(parse_date("12/26/2025").expect("date"));
        let (order, note) = evidence.decide("order_date");
        assert_eq!(order, DayOrder::MonthFirst);
        assert!(note.expect("reported").contains("mix"));
    }
}
