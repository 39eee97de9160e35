//! Which character separates the fields of a file, guessed from its first
//! line: exports use `,`, European spreadsheets `;`, database dumps tab or
//! `|`, and the CDNOW research data runs of spaces. Analytics exports
//! (BigQuery) are JSON, one object per line.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How fields are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
    Pipe,
    /// Any run of spaces or tabs; leading blanks are ignored (no quoting).
    Whitespace,
    /// Newline-delimited JSON: each line one object (a record of one field).
    JsonLines,
}

impl Delimiter {
    /// The byte of a single-character delimiter.
    pub fn byte(self) -> Option<u8> {
        match self {
            Delimiter::Comma => Some(b','),
            Delimiter::Semicolon => Some(b';'),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Pipe => Some(b'|'),
            Delimiter::Whitespace | Delimiter::JsonLines => None,
        }
    }
}

impl fmt::Display for Delimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Pipe => "pipe",
            Delimiter::Whitespace => "spaces",
            Delimiter::JsonLines => "JSON lines",
        })
    }
}

/// How many bytes of a file's start are enough to see its first line.
pub const SNIFF_BYTES: usize = 64 << 10;

/// Whether `head` holds at least one complete line (or is long enough).
pub fn has_first_line(head: &[u8]) -> bool {
    let text = skip_blank_lines(head);
    text.contains(&b'\n') || text.contains(&b'\r') || head.len() >= SNIFF_BYTES
}

fn skip_blank_lines(head: &[u8]) -> &[u8] {
    let start = head
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(head.len());
    &head[start..]
}

/// Guesses the delimiter from the first non-blank line of `head`: the
/// candidate that occurs most often outside quotes wins (ties go to the
/// earlier of `,` `;` tab `|`). A line with none of them but several
/// blank-separated words is whitespace-separated.
pub fn sniff(head: &[u8]) -> Delimiter {
    let text = skip_blank_lines(head);
    let end = text
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(text.len());
    let line = &text[..end];
    if matches!(
        line.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        return Delimiter::JsonLines;
    }

    let candidates = [
        Delimiter::Comma,
        Delimiter::Semicolon,
        Delimiter::Tab,
        Delimiter::Pipe,
    ];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (i, candidate) in candidates.iter().enumerate() {
                if candidate.byte() == Some(byte) {
                    counts[i] += 1;
                }
            }
        }
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|(_, &c)| c)
        .unwrap_or((0, &0));
    if count > 0 {
        return candidates[best];
    }
    let words = line.split(|b| *b == b' ').filter(|w| !w.is_empty()).count();
    if words > 1 {
        Delimiter::Whitespace
    } else {
        Delimiter::Comma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff(b"a,b,c\n1,2,3\n"), Delimiter::Comma);
        assert_eq!(sniff(b"Kunde;Datum;Betrag\r\n"), Delimiter::Semicolon);
        assert_eq!(sniff(b"a\tb\tc\n"), Delimiter::Tab);
        assert_eq!(sniff(b"a|b|c"), Delimiter::Pipe);
        assert_eq!(
            sniff(b" 00001 19970101  1   11.77\r\n"),
            Delimiter::Whitespace
        );
        assert_eq!(sniff(b"\n\nid;name\n"), Delimiter::Semicolon);
        assert_eq!(sniff(b"{\"event_name\": \"a,b\"}\n"), Delimiter::JsonLines);
        assert_eq!(sniff(b"  [\n"), Delimiter::JsonLines);
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        assert_eq!(sniff(b"\"a;b;c;d\",x,y\n"), Delimiter::Comma);
        assert_eq!(sniff(b"\"Name, first\";\"Total\"\n"), Delimiter::Semicolon);
    }

    #[test]
    fn ties_and_single_columns() {
        assert_eq!(sniff(b"a,b;c\n"), Delimiter::Comma);
        assert_eq!(sniff(b"email\n"), Delimiter::Comma);
        assert_eq!(sniff(b""), Delimiter::Comma);
    }

    #[test]
    fn first_line_detection() {
        assert!(!has_first_line(b"Name,Email"));
        assert!(has_first_line(b"Name,Email\n"));
        assert!(!has_first_line(b"\n\n"));
        assert!(has_first_line(&vec![b'a'; SNIFF_BYTES]));
    }
}
