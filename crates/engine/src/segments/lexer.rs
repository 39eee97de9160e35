//! Tokens of the segment query language, each with where it stands in the
//! query (byte offsets), so that every error can point at its place.

use super::QueryError;
use crate::date::Date;

/// A relative date's unit: `-30d`, `-2w`, `-1m`, `-1y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// An attribute, parameter or bare enum value (`rfm_group`, `CHAMPIONS`).
    Word(String),
    /// `'quoted text'`, escapes removed.
    Text(String),
    Number(f64),
    Date(Date),
    /// An offset from the analysis date (negative: the past).
    Relative(i32, Unit),
    /// `=`, `!=`, `>`, `>=`, `<`, `<=`.
    Op(&'static str),
    Open,
    Close,
    Comma,
    End,
}

impl Token {
    /// The token in the words of an error message.
    pub fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Text(t) => format!("'{t}'"),
            Token::Number(n) => format!("the number {n}"),
            Token::Date(d) => format!("the date {d}"),
            Token::Relative(..) => "a relative date".to_string(),
            Token::Op(op) => format!("`{op}`"),
            Token::Open => "`(`".to_string(),
            Token::Close => "`)`".to_string(),
            Token::Comma => "`,`".to_string(),
            Token::End => "the end of the query".to_string(),
        }
    }

    /// Whether this is the keyword `word` (any case).
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }
}

/// A token and its byte range in the query.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

/// Splits `query` into tokens, ending with `Token::End`.
pub fn tokens(query: &str) -> Result<Vec<Spanned>, QueryError> {
    let bytes = query.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        if c.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let token = match c {
            b'(' => {
                at += 1;
                Token::Open
            }
            b')' => {
                at += 1;
                Token::Close
            }
            b',' => {
                at += 1;
                Token::Comma
            }
            b'=' => {
                at += 1;
                Token::Op("=")
            }
            b'!' if bytes.get(at + 1) == Some(&b'=') => {
                at += 2;
                Token::Op("!=")
            }
            b'<' | b'>' => {
                let wide = bytes.get(at + 1) == Some(&b'=');
                at += 1 + usize::from(wide);
                Token::Op(match (c, wide) {
                    (b'<', false) => "<",
                    (b'<', true) => "<=",
                    (_, false) => ">",
                    (_, true) => ">=",
                })
            }
            b'\'' | b'"' => {
                let (text, next) = quoted(query, at)?;
                at = next;
                Token::Text(text)
            }
            b'-' | b'+' | b'0'..=b'9' | b'.' => {
                let (token, next) = number_or_date(query, at)?;
                at = next;
                token
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while at < bytes.len()
                    && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_' || bytes[at] == b'.')
                {
                    at += 1;
                }
                Token::Word(query[start..at].to_string())
            }
            _ => {
                let ch = query[at..].chars().next().unwrap_or('?');
                return Err(QueryError::at(
                    query,
                    at,
                    format!("unexpected character `{ch}`"),
                ));
            }
        };
        out.push(Spanned {
            token,
            start,
            end: at,
        });
    }
    out.push(Spanned {
        token: Token::End,
        start: bytes.len(),
        end: bytes.len(),
    });
    Ok(out)
}

/// A quoted text from `start` (at the quote): `\'` and `\\` escape.
fn quoted(query: &str, start: usize) -> Result<(String, usize), QueryError> {
    let quote = query.as_bytes()[start] as char;
    let mut text = String::new();
    let mut chars = query[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => break,
            },
            c if c == quote => return Ok((text, start + 1 + i + 1)),
            c => text.push(c),
        }
    }
    Err(QueryError::at(
        query,
        start,
        format!("this text has no closing {quote}"),
    ))
}

/// A number (`100`, `1000.99`, `-3`), a date (`2024-05-30`, optionally
/// with a time `T14:00:00`) or a relative date (`-30d`, `+14d`).
fn number_or_date(query: &str, start: usize) -> Result<(Token, usize), QueryError> {
    let bytes = query.as_bytes();
    let mut at = start;
    let sign = match bytes[at] {
        b'-' => {
            at += 1;
            -1
        }
        b'+' => {
            at += 1;
            1
        }
        _ => 1,
    };
    let digits_start = at;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        at += 1;
    }
    let digits = &query[digits_start..at];
    // A date: four digits, '-', and the rest of YYYY-MM-DD.
    if sign == 1 && digits.len() == 4 && bytes.get(at) == Some(&b'-') && start == digits_start {
        let mut end = at;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit() || matches!(bytes[end], b'-' | b'T' | b':'))
        {
            end += 1;
        }
        let text = &query[start..end];
        return match Date::parse_timestamp(text).filter(|_| text.len() == 10 || text.len() >= 16) {
            Some(date) => Ok((Token::Date(date), end)),
            None => Err(QueryError::at(
                query,
                start,
                format!("`{text}` is not a date; write dates as 2024-05-30"),
            )),
        };
    }
    // A relative date: digits then one of d, w, m, y.
    if !digits.is_empty() && start != digits_start {
        if let Some(&u) = bytes.get(at) {
            let unit = match u.to_ascii_lowercase() {
                b'd' => Some(Unit::Day),
                b'w' => Some(Unit::Week),
                b'm' => Some(Unit::Month),
                b'y' => Some(Unit::Year),
                _ => None,
            };
            let ends = bytes
                .get(at + 1)
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
            if let (Some(unit), true) = (unit, ends) {
                let amount: i32 = digits.parse().map_err(|_| {
                    QueryError::at(query, start, "this offset is too large".to_string())
                })?;
                return Ok((Token::Relative(sign * amount, unit), at + 1));
            }
        }
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
    }
    let text = &query[start..at];
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && at > digits_start => {
            if bytes
                .get(at)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            {
                return Err(QueryError::at(
                    query,
                    start,
                    format!(
                        "`{}` is neither a number nor a relative date (write -30d, -2w, -1m or -1y)",
                        word_at(query, start)
                    ),
                ));
            }
            Ok((Token::Number(n), at))
        }
        _ => Err(QueryError::at(
            query,
            start,
            format!("`{}` is not a number", word_at(query, start)),
        )),
    }
}

/// The run of non-space characters at `start`, for messages.
fn word_at(query: &str, start: usize) -> &str {
    let rest = &query[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ')' || c == ',')
        .unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(query: &str) -> Vec<Token> {
        tokens(query)
            .expect("tokens")
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    #[test]
    fn reads_every_kind_of_token() {
        assert_eq!(
            kinds("amount_spent BETWEEN 100 AND 1000.99"),
            [
                Token::Word("amount_spent".into()),
                Token::Word("BETWEEN".into()),
                Token::Number(100.0),
                Token::Word("AND".into()),
                Token::Number(1000.99),
                Token::End
            ]
        );
        assert_eq!(
            kinds("last_order_date < -30d"),
            [
                Token::Word("last_order_date".into()),
                Token::Op("<"),
                Token::Relative(-30, Unit::Day),
                Token::End
            ]
        );
        let date = Date::from_ymd(2024, 5, 30).expect("valid");
        assert_eq!(kinds("2024-05-30")[0], Token::Date(date));
        assert_eq!(kinds("2024-05-30T14:00:00")[0], Token::Date(date));
        assert_eq!(kinds(r"'it\'s'")[0], Token::Text("it's".into()));
        assert_eq!(kinds("+14d")[0], Token::Relative(14, Unit::Day));
        assert_eq!(kinds("-12m")[0], Token::Relative(-12, Unit::Month));
        assert_eq!(kinds("-3")[0], Token::Number(-3.0));
        assert_eq!(
            kinds(">= <= != =")[..4],
            [
                Token::Op(">="),
                Token::Op("<="),
                Token::Op("!="),
                Token::Op("=")
            ]
        );
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = tokens("amount_spent > 10 # x").expect_err("bad char");
        assert_eq!(e.column, 19);
        assert!(e.message.contains('#'), "{e}");
        let e = tokens("customer_tags CONTAINS 'vip").expect_err("open quote");
        assert_eq!(e.column, 24);
        let e = tokens("last_order_date < 2024-13-01").expect_err("bad date");
        assert!(e.message.contains("not a date"), "{e}");
        let e = tokens("last_order_date < -30x").expect_err("bad unit");
        assert!(e.message.contains("relative date"), "{e}");
    }
}
