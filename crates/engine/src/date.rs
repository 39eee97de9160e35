//! Calendar dates as whole days since 1970-01-01.
//!
//! Everything the engine computes works in whole days: Shopify's segment
//! editor compares dates as whole days in the shop's time zone, and order
//! exports already carry the shop's local time. Keeping dates as a plain day
//! number makes recency and tenure a subtraction and keeps the hot ingest path
//! free of a calendar library.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date for a year, month (1–12) and day (1–31), or `None` when no
    /// such day exists (2025-02-29, month 13, ...).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// The date `days` days after 1970-01-01.
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// `(year, month, day)` of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// This date moved by `days` (negative moves back).
    pub const fn add_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// This date moved by `months` calendar months, the day kept where the
    /// month has it and else the month's last day (Mar 31 − 1 month is
    /// Feb 28 or 29), as relative dates in segment queries mean.
    pub fn add_months(self, months: i32) -> Date {
        let (year, month, day) = self.ymd();
        let index = year * 12 + month as i32 - 1 + months;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let day = day.min(days_in_month(year, month));
        Date(days_from_civil(year, month, day))
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub const fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }

    /// Parses the date at the start of a timestamp: `YYYY-MM-DD`, optionally
    /// followed by a time (`T` or space separated) and a UTC offset, as in
    /// Shopify's `2025-10-07 09:50:26 +0200`. The time and offset are
    /// validated loosely and ignored: exports write the shop's local time, and
    /// the local calendar day is the day the merchant means.
    pub fn parse_timestamp(text: &str) -> Option<Date> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = parse_digits(&bytes[0..4])?;
        let month = parse_digits(&bytes[5..7])?;
        let day = parse_digits(&bytes[8..10])?;
        let rest = &bytes[10..];
        if !rest.is_empty() {
            // A time must follow a separator and start with HH:MM.
            let time = match rest[0] {
                b'T' | b' ' => &rest[1..],
                _ => return None,
            };
            if time.len() < 5 || time[2] != b':' {
                return None;
            }
            let hour = parse_digits(&time[0..2])?;
            let minute = parse_digits(&time[3..5])?;
            if hour > 23 || minute > 59 {
                return None;
            }
        }
        Date::from_ymd(year as i32, month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// `YYYY-MM-DD` in JSON and other formats people read; the day number in
/// binary ones (the pieces of a file read in parallel travel between
/// workers that way: a million orders, a million dates).
impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_i32(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return i32::deserialize(deserializer).map(Date);
        }
        let text = String::deserialize(deserializer)?;
        Date::parse_timestamp(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a YYYY-MM-DD date: {text:?}")))
    }
}

fn parse_digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil` (chrono-compatible algorithms for
/// proleptic Gregorian dates): eras of 400 years, March-based years so the
/// leap day is the last day of the year.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32; // [0, 399]
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe as i32 - 719_468
}

/// Inverse of [`days_from_civil`] (same source).
fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe as i32 + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn epoch_and_known_days() {
        assert_eq!(Date::from_ymd(1970, 1, 1).map(Date::days), Some(0));
        assert_eq!(Date::from_ymd(2000, 3, 1).map(Date::days), Some(11_017));
        assert_eq!(Date::from_ymd(1969, 12, 31).map(Date::days), Some(-1));
    }

    #[test]
    fn months_move_on_the_calendar() {
        let d = |y, m, day| Date::from_ymd(y, m, day).expect("valid");
        assert_eq!(d(2025, 3, 31).add_months(-1), d(2025, 2, 28));
        assert_eq!(d(2024, 3, 31).add_months(-1), d(2024, 2, 29));
        assert_eq!(d(2025, 1, 15).add_months(-1), d(2024, 12, 15));
        assert_eq!(d(2025, 1, 15).add_months(-12), d(2024, 1, 15));
        assert_eq!(d(2025, 11, 30).add_months(3), d(2026, 2, 28));
        assert_eq!(d(2025, 6, 1).add_months(0), d(2025, 6, 1));
    }

    #[test]
    fn rejects_impossible_days() {
        assert_eq!(Date::from_ymd(2025, 2, 29), None);
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert_eq!(Date::from_ymd(2025, 13, 1), None);
        assert_eq!(Date::from_ymd(2025, 4, 31), None);
        assert_eq!(Date::from_ymd(2025, 1, 0), None);
    }

    #[test]
    fn parses_shopify_and_iso_timestamps() {
        let want = Date::from_ymd(2025, 10, 7);
        assert_eq!(Date::parse_timestamp("2025-10-07 09:50:26 +0200"), want);
        assert_eq!(Date::parse_timestamp("2025-10-07T23:59:59Z"), want);
        assert_eq!(Date::parse_timestamp("2025-10-07"), want);
        assert_eq!(Date::parse_timestamp(" 2025-10-07 "), want);
        assert_eq!(Date::parse_timestamp("2025-10-07 10:00"), want);
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for text in [
            "",
            "10/07/2025",
            "2025-1-07",
            "2025-10-07X",
            "2025-10-07 25:00",
            "2025-10-07 9:5",
            "2025-02-30",
            "yyyy-mm-dd",
        ] {
            assert_eq!(Date::parse_timestamp(text), None, "{text:?}");
        }
    }

    #[test]
    fn displays_as_iso() {
        let date = Date::from_ymd(2026, 3, 9).expect("valid");
        assert_eq!(date.to_string(), "2026-03-09");
        assert_eq!(
            serde_json::to_string(&date).expect("json"),
            "\"2026-03-09\""
        );
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i32..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }

        #[test]
        fn display_parse_round_trip(days in -100_000i32..100_000) {
            let date = Date(days);
            let (y, _, _) = date.ymd();
            prop_assume!((0..=9999).contains(&y));
            prop_assert_eq!(Date::parse_timestamp(&date.to_string()), Some(date));
        }
    }
}
