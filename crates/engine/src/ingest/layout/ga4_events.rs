//! Google Analytics 4 event exports: the BigQuery export as newline-delimited
//! JSON (one event per line, nested fields as JSON or, in some dumps, as
//! text), or the same columns flattened into a CSV. Each row is one event of
//! one visitor; only the fields behaviour needs are read.

use std::borrow::Cow;

use serde::Deserialize;

use super::{fold_name, Row, RowOutcome};
use crate::behaviour::EventKind;
use crate::date::Date;
use crate::ingest::dates::{parse_date, DateValue};
use crate::ingest::identity::{normalise_customer_id, normalise_email};
use crate::ingest::quality::{shorten, Exclusion, RowIssue};

/// Where a GA4 file keeps its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ga4Events {
    /// One JSON object per line.
    Json,
    /// A flattened table.
    Csv(Ga4Columns),
}

/// Column positions of a flattened GA4 table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ga4Columns {
    name: usize,
    date: Option<usize>,
    timestamp: Option<usize>,
    user_id: Option<usize>,
    pseudo_id: Option<usize>,
    /// A `ga_session_id` column, or the nested `event_params` text to find it in.
    session: Option<usize>,
    params: Option<usize>,
}

/// One event as read from a row.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow<'r> {
    /// Normalised signed-in user id (email or customer id).
    pub user_id: Option<Cow<'r, str>>,
    pub pseudo_id: Option<Cow<'r, str>>,
    pub date: Date,
    pub kind: EventKind,
    pub session: Option<u64>,
}

/// The fields of a BigQuery GA4 event this reads; serde skips the rest.
#[derive(Deserialize)]
struct JsonEvent<'a> {
    #[serde(borrow, default)]
    event_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event_timestamp: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_pseudo_id: Option<Cow<'a, str>>,
}

/// BigQuery writes INT64 values as JSON strings; other tools as numbers.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar<'a> {
    Int(i64),
    Float(f64),
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

impl Scalar<'_> {
    fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Float(f) if f.is_finite() => Some(*f as i64),
            Scalar::Float(_) => None,
            Scalar::Text(t) => t.trim().parse().ok(),
        }
    }
}

const EVENT_EXPECTED: &str =
    "a GA4 event: a JSON object with event_name, event_date or event_timestamp, and user_pseudo_id or user_id";

impl Ga4Events {
    /// Recognises the first line of a JSON-lines file as a GA4 event.
    pub fn detect_json(first_line: &str) -> Option<Ga4Events> {
        let event: JsonEvent<'_> = serde_json::from_str(first_line).ok()?;
        let has_time = event.event_date.is_some() || event.event_timestamp.is_some();
        let has_visitor = event.user_id.is_some() || event.user_pseudo_id.is_some();
        (event.event_name.is_some() && has_time && has_visitor).then_some(Ga4Events::Json)
    }

    /// Recognises a flattened GA4 header: `event_name`, a date or timestamp
    /// and a visitor id.
    pub fn detect_csv(header: &[String]) -> Option<Ga4Events> {
        let folded: Vec<String> = header.iter().map(|h| fold_name(h)).collect();
        let find = |name: &str| folded.iter().position(|h| h == name);
        let columns = Ga4Columns {
            name: find("event_name")?,
            date: find("event_date"),
            timestamp: find("event_timestamp"),
            user_id: find("user_id"),
            pseudo_id: find("user_pseudo_id"),
            session: folded
                .iter()
                .position(|h| h.ends_with("ga_session_id") || h == "session_id"),
            params: find("event_params"),
        };
        let has_time = columns.date.is_some() || columns.timestamp.is_some();
        let has_visitor = columns.user_id.is_some() || columns.pseudo_id.is_some();
        (has_time && has_visitor).then_some(Ga4Events::Csv(columns))
    }

    /// The column whose dates place events (for reports).
    pub fn date_column(&self) -> Option<usize> {
        match self {
            Ga4Events::Json => None,
            Ga4Events::Csv(c) => c.date.or(c.timestamp),
        }
    }

    pub fn read<'r>(&self, row: &Row<'_, 'r>) -> RowOutcome<'r> {
        let read = match self {
            Ga4Events::Json => read_json(row),
            Ga4Events::Csv(columns) => read_csv(columns, row),
        };
        match read {
            Ok(event) => RowOutcome::Event(event),
            Err(issue) => RowOutcome::Excluded(issue),
        }
    }
}

fn read_json<'r>(row: &Row<'_, 'r>) -> Result<EventRow<'r>, RowIssue> {
    let line: &'r [u8] = row.record.get(0).unwrap_or_default();
    let event: JsonEvent<'r> = serde_json::from_slice(line).map_err(|error| RowIssue {
        file: row.file.to_string(),
        line: row.line(),
        column: Some(format!("character {}", error.column())),
        value: Some(shorten(&String::from_utf8_lossy(line))),
        expected: format!("{EVENT_EXPECTED} ({error})"),
        reason: Exclusion::MalformedRow,
    })?;
    let missing = |what: &str, reason| RowIssue {
        file: row.file.to_string(),
        line: row.line(),
        column: Some(what.to_string()),
        value: None,
        expected: format!("{what} (the event has none)"),
        reason,
    };
    let name = event
        .event_name
        .ok_or_else(|| missing("event_name", Exclusion::MalformedRow))?;
    let date = match (&event.event_date, &event.event_timestamp) {
        (Some(date), _) => day_of(date),
        (None, Some(ts)) => ts.as_i64().and_then(day_of_timestamp),
        (None, None) => None,
    }
    .ok_or_else(|| RowIssue {
        value: event.event_date.as_deref().map(shorten).or_else(|| {
            event
                .event_timestamp
                .as_ref()
                .and_then(|t| t.as_i64())
                .map(|t| t.to_string())
        }),
        expected: "event_date as YYYYMMDD or event_timestamp in microseconds".to_string(),
        ..missing("event_date", Exclusion::InvalidDate)
    })?;
    let (user_id, pseudo_id) = visitor(event.user_id, event.user_pseudo_id);
    if user_id.is_none() && pseudo_id.is_none() {
        return Err(missing("user_pseudo_id or user_id", Exclusion::NoCustomer));
    }
    Ok(EventRow {
        user_id,
        pseudo_id,
        date,
        kind: EventKind::from_name(&name),
        session: session_in(line),
    })
}

fn read_csv<'r>(columns: &Ga4Columns, row: &Row<'_, 'r>) -> Result<EventRow<'r>, RowIssue> {
    row.check_width()?;
    let Some(name) = row.non_empty(columns.name) else {
        return Err(row.issue(columns.name, "an event name", Exclusion::MalformedRow));
    };
    let from_date = columns
        .date
        .and_then(|c| row.non_empty(c))
        .and_then(|d| day_of(&d));
    let date = from_date.or_else(|| {
        columns
            .timestamp
            .and_then(|c| row.non_empty(c))
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(day_of_timestamp)
    });
    let Some(date) = date else {
        let column = columns.date.or(columns.timestamp).unwrap_or(0);
        return Err(row.issue(
            column,
            "event_date as YYYYMMDD or event_timestamp in microseconds",
            Exclusion::InvalidDate,
        ));
    };
    let (user_id, pseudo_id) = visitor(
        columns.user_id.and_then(|c| row.non_empty(c)),
        columns.pseudo_id.and_then(|c| row.non_empty(c)),
    );
    if user_id.is_none() && pseudo_id.is_none() {
        let column = columns.pseudo_id.or(columns.user_id).unwrap_or(0);
        return Err(row.issue(column, "a user_pseudo_id or user_id", Exclusion::NoCustomer));
    }
    let session = match (columns.session, columns.params) {
        (Some(c), _) => row.non_empty(c).and_then(|s| s.trim().parse().ok()),
        (None, Some(c)) => session_in(row.record.get(c).unwrap_or_default()),
        (None, None) => None,
    };
    Ok(EventRow {
        user_id,
        pseudo_id,
        date,
        kind: EventKind::from_name(&name),
        session,
    })
}

/// The signed-in id (normalised as an email or a customer id) and the
/// anonymous id, each `None` when empty.
fn visitor<'r>(
    user_id: Option<Cow<'r, str>>,
    pseudo_id: Option<Cow<'r, str>>,
) -> (Option<Cow<'r, str>>, Option<Cow<'r, str>>) {
    let user_id = user_id.filter(|u| !u.trim().is_empty()).map(|u| {
        if u.contains('@') {
            normalise_email(u)
        } else {
            normalise_customer_id(u)
        }
    });
    let pseudo_id = pseudo_id.filter(|p| !p.trim().is_empty());
    (user_id, pseudo_id)
}

/// `event_date` is the day in the property's time zone, as `YYYYMMDD`.
fn day_of(text: &str) -> Option<Date> {
    match parse_date(text)? {
        DateValue::Known(date) => Some(date),
        DateValue::Pair { .. } => None,
    }
}

/// `event_timestamp` is UTC microseconds; milliseconds and seconds are
/// accepted too, told apart by size.
fn day_of_timestamp(value: i64) -> Option<Date> {
    let seconds = match value.unsigned_abs() {
        v if v >= 100_000_000_000_000 => value / 1_000_000,
        v if v >= 100_000_000_000 => value / 1_000,
        _ => value,
    };
    let days = seconds.div_euclid(86_400);
    i32::try_from(days).ok().map(Date::from_days)
}

/// The `ga_session_id` event parameter, found in the text of the nested
/// `event_params` whether it is JSON (`"int_value":"123"`) or the Python
/// text some dumps write (`'int_value': 123`). Parsing the whole nested
/// structure for one number would cost more than the rest of the event.
fn session_in(text: &[u8]) -> Option<u64> {
    let key = memchr::memmem::find(text, b"ga_session_id")?;
    let rest = &text[key..text.len().min(key + 240)];
    let value = memchr::memmem::find(rest, b"int_value")? + b"int_value".len();
    let digits: Vec<u8> = rest[value..]
        .iter()
        .skip_while(|b| matches!(b, b'"' | b'\'' | b':' | b' '))
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_id_in_json_and_python_text() {
        let json = br#"{"event_params":[{"key":"ga_session_id","value":{"string_value":null,"int_value":"4863244888"}}]}"#;
        assert_eq!(session_in(json), Some(4_863_244_888));
        let python = b"[{'key': 'ga_session_id', 'value': {'string_value': None, 'int_value': 5381389438, 'float_value': None}}]";
        assert_eq!(session_in(python), Some(5_381_389_438));
        assert_eq!(session_in(b"{'key': 'page_title'}"), None);
    }

    #[test]
    fn timestamps_in_micro_milli_and_seconds() {
        let day = Date::from_ymd(2020, 11, 1).expect("valid");
        assert_eq!(day_of_timestamp(1_604_192_073_036_492), Some(day));
        assert_eq!(day_of_timestamp(1_604_192_073_036), Some(day));
        assert_eq!(day_of_timestamp(1_604_192_073), Some(day));
    }

    #[test]
    fn detects_json_and_csv_events() {
        let line = r#"{"event_date": "20201101", "event_name": "page_view", "user_id": null, "user_pseudo_id": "1.2"}"#;
        assert_eq!(Ga4Events::detect_json(line), Some(Ga4Events::Json));
        assert_eq!(Ga4Events::detect_json(r#"{"order": 1}"#), None);
        assert_eq!(Ga4Events::detect_json("{"), None);
        let header: Vec<String> = ["event_date", "event_name", "user_pseudo_id", "user_id"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(
            Ga4Events::detect_csv(&header),
            Some(Ga4Events::Csv(_))
        ));
        assert_eq!(Ga4Events::detect_csv(&header[..2]), None);
    }
}
