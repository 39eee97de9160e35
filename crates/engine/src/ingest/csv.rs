//! A push-based CSV tokenizer that knows nothing of I/O.
//!
//! Bytes arrive in chunks of any size (a `Blob` slice in the worker, a
//! `read` buffer in the CLI) and records come out with the line they started
//! on, so that every message about a row can name its line. A record may span
//! chunks and lines (quoted fields hold newlines, as Shopify's `Notes` do);
//! the tokenizer keeps its state between chunks, so feeding a file in one
//! chunk or in a thousand gives the same records (a property test checks it).
//!
//! Dialect: RFC 4180 with the leniencies real exports need: LF, CRLF or lone
//! CR line ends; blank lines are skipped (they are not rows); a quote inside
//! an unquoted field is kept as a literal; text after a closing quote is kept
//! (`"ab"c` reads `abc`). A quoted field still open at the end of the input is
//! reported on the record, so the caller can say where it began.

use memchr::{memchr, memchr3};

/// One record, borrowed from the tokenizer until the callback returns.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    bytes: &'a [u8],
    ends: &'a [usize],
    /// 1-based line on which the record starts.
    pub line: u64,
    /// Set on the last record of the input when a quoted field was never closed.
    pub unterminated_quote: bool,
}

impl<'a> Record<'a> {
    /// A record over `bytes`, whose fields end at `ends`.
    pub(crate) fn new(
        bytes: &'a [u8],
        ends: &'a [usize],
        line: u64,
        unterminated_quote: bool,
    ) -> Self {
        Record {
            bytes,
            ends,
            line,
            unterminated_quote,
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields (never produced; here for clippy's sake).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The raw bytes of field `index` (quotes removed, `""` unescaped).
    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.bytes[start..end])
    }

    /// Iterates over the fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (possibly the first field of a record).
    StartField,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just read a quote inside a quoted field: an escaped quote, or the end.
    QuoteInQuoted,
    /// Just ended a record on `\r`: a following `\n` belongs to it.
    AfterCr,
}

/// The tokenizer. Feed it chunks with [`CsvTokenizer::feed`], then call
/// [`CsvTokenizer::finish`] once at the end of the input.
#[derive(Debug)]
pub struct CsvTokenizer {
    delimiter: u8,
    state: State,
    /// Unescaped bytes of the current record's fields, back to back.
    bytes: Vec<u8>,
    /// End offset in `bytes` of each completed field of the current record.
    ends: Vec<usize>,
    /// Line number at the read position (1-based).
    line: u64,
    /// Line on which the current record started.
    record_line: u64,
    /// Whether the current record has begun (any byte of it consumed).
    in_record: bool,
}

impl CsvTokenizer {
    /// A tokenizer for fields separated by `delimiter` (`b','` for CSV).
    pub fn new(delimiter: u8) -> Self {
        CsvTokenizer {
            delimiter,
            state: State::StartField,
            bytes: Vec::with_capacity(1024),
            ends: Vec::with_capacity(96),
            line: 1,
            record_line: 1,
            in_record: false,
        }
    }

    /// Current line number (1-based) at the read position.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Whether the input so far ended at the end of a record (or of a blank
    /// line), outside any quoted field: the next byte starts a record.
    pub fn at_record_start(&self) -> bool {
        !self.in_record && self.state == State::StartField
    }

    /// Counts `lines` line breaks read elsewhere (a piece of the same file
    /// tokenized in parallel and merged), so later records keep their lines.
    pub fn skip_lines(&mut self, lines: u64) {
        self.line += lines;
    }

    /// Tokenizes `input`, calling `on_record` for every record it completes.
    /// A record cut by the end of the chunk is completed by a later call.
    /// Stops at the first error the callback returns.
    pub fn feed<E>(
        &mut self,
        input: &[u8],
        mut on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let delimiter = self.delimiter;
        let mut pos = 0;
        while pos < input.len() {
            match self.state {
                State::AfterCr => {
                    if input[pos] == b'\n' {
                        pos += 1;
                    }
                    self.state = State::StartField;
                }
                State::StartField => {
                    let byte = input[pos];
                    if !self.in_record && (byte == b'\n' || byte == b'\r') {
                        // A blank line: not a record.
                        pos += 1;
                        self.line += 1;
                        if byte == b'\r' {
                            self.state = State::AfterCr;
                        }
                        continue;
                    }
                    if !self.in_record {
                        self.in_record = true;
                        self.record_line = self.line;
                    }
                    pos += 1;
                    if byte == b'"' {
                        self.state = State::Quoted;
                    } else if byte == delimiter {
                        self.end_field();
                    } else if byte == b'\n' || byte == b'\r' {
                        self.end_field();
                        self.end_line(byte);
                        self.emit(false, &mut on_record)?;
                    } else {
                        self.bytes.push(byte);
                        self.state = State::Unquoted;
                    }
                }
                State::Unquoted => {
                    let rest = &input[pos..];
                    match memchr3(delimiter, b'\n', b'\r', rest) {
                        None => {
                            self.bytes.extend_from_slice(rest);
                            pos = input.len();
                        }
                        Some(at) => {
                            self.bytes.extend_from_slice(&rest[..at]);
                            let byte = rest[at];
                            pos += at + 1;
                            self.end_field();
                            if byte == delimiter {
                                self.state = State::StartField;
                            } else {
                                self.end_line(byte);
                                self.emit(false, &mut on_record)?;
                            }
                        }
                    }
                }
                State::Quoted => {
                    let rest = &input[pos..];
                    let span = memchr(b'"', rest).unwrap_or(rest.len());
                    self.line += memchr::memchr_iter(b'\n', &rest[..span]).count() as u64;
                    self.bytes.extend_from_slice(&rest[..span]);
                    pos += span;
                    if span < rest.len() {
                        pos += 1;
                        self.state = State::QuoteInQuoted;
                    }
                }
                State::QuoteInQuoted => {
                    let byte = input[pos];
                    pos += 1;
                    if byte == b'"' {
                        self.bytes.push(b'"');
                        self.state = State::Quoted;
                    } else if byte == delimiter {
                        self.end_field();
                        self.state = State::StartField;
                    } else if byte == b'\n' || byte == b'\r' {
                        self.end_field();
                        self.end_line(byte);
                        self.emit(false, &mut on_record)?;
                    } else {
                        // Lenient: `"ab"c` keeps the stray text.
                        self.bytes.push(byte);
                        self.state = State::Unquoted;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the input: completes a record that has no final line break.
    pub fn finish<E>(
        &mut self,
        mut on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        if !self.in_record {
            return Ok(());
        }
        let unterminated = self.state == State::Quoted;
        self.end_field();
        self.emit(unterminated, &mut on_record)
    }

    fn end_field(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// Counts the line break that ended a record and remembers a `\r`, whose
    /// `\n` (if any) must not count as a second line.
    fn end_line(&mut self, byte: u8) {
        self.line += 1;
        self.state = if byte == b'\r' {
            State::AfterCr
        } else {
            State::StartField
        };
    }

    fn emit<E>(
        &mut self,
        unterminated_quote: bool,
        on_record: &mut impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let record = Record {
            bytes: &self.bytes,
            ends: &self.ends,
            line: self.record_line,
            unterminated_quote,
        };
        let result = on_record(record);
        self.bytes.clear();
        self.ends.clear();
        self.in_record = false;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::convert::Infallible;

    /// Fields and start line of every record, feeding `input` in pieces of `chunk` bytes.
    fn records(input: &[u8], chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        let mut tokenizer = CsvTokenizer::new(b',');
        let mut collect = |r: Record<'_>| -> Result<(), Infallible> {
            let fields = r
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((r.line, fields));
            Ok(())
        };
        for piece in input.chunks(chunk.max(1)) {
            tokenizer.feed(piece, &mut collect).expect("infallible");
        }
        tokenizer.finish(&mut collect).expect("infallible");
        out
    }

    fn fields(input: &str) -> Vec<Vec<String>> {
        records(input.as_bytes(), usize::MAX)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    #[test]
    fn plain_records_with_and_without_final_newline() {
        assert_eq!(fields("a,b\n1,2\n"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(fields("a,b\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    #[test]
    fn empty_fields_are_kept() {
        assert_eq!(fields(",a,,\n"), vec![vec!["", "a", "", ""]]);
        assert_eq!(fields("a,"), vec![vec!["a", ""]]);
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_newlines() {
        let input = "name,note\n#1,\"Leave at door, \"\"please\"\"\nthanks\"\n#2,x\n";
        let got = records(input.as_bytes(), usize::MAX);
        assert_eq!(got[1].1, vec!["#1", "Leave at door, \"please\"\nthanks"]);
        assert_eq!(got[1].0, 2);
        // The record after a two-line record starts on line 4.
        assert_eq!(got[2], (4, vec!["#2".to_string(), "x".to_string()]));
    }

    #[test]
    fn crlf_lone_cr_and_blank_lines() {
        let got = records(b"a,b\r\n\r\n1,2\r3,4\n\n5,6", usize::MAX);
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 4, 6]);
        assert_eq!(got[3].1, vec!["5", "6"]);
    }

    #[test]
    fn lenient_quotes() {
        assert_eq!(fields("ab\"c,d\n"), vec![vec!["ab\"c", "d"]]);
        assert_eq!(fields("\"ab\"c,d\n"), vec![vec!["abc", "d"]]);
        assert_eq!(fields("\"\",x\n"), vec![vec!["", "x"]]);
    }

    #[test]
    fn unterminated_quote_is_flagged() {
        let mut flagged = Vec::new();
        let mut tokenizer = CsvTokenizer::new(b',');
        let mut collect = |r: Record<'_>| -> Result<(), Infallible> {
            flagged.push((r.line, r.unterminated_quote, r.len()));
            Ok(())
        };
        tokenizer
            .feed(b"a,b\n1,\"open\n2,3\n", &mut collect)
            .expect("infallible");
        tokenizer.finish(&mut collect).expect("infallible");
        assert_eq!(flagged, vec![(1, false, 2), (2, true, 2)]);
    }

    #[test]
    fn other_delimiters() {
        let mut out = Vec::new();
        let mut tokenizer = CsvTokenizer::new(b';');
        tokenizer
            .feed(b"a;\"b;c\"\n", |r: Record<'_>| -> Result<(), Infallible> {
                out.push(r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
                Ok(())
            })
            .expect("infallible");
        assert_eq!(out, vec![vec![b"a".to_vec(), b"b;c".to_vec()]]);
    }

    #[test]
    fn callback_error_stops_feeding() {
        let mut tokenizer = CsvTokenizer::new(b',');
        let mut seen = 0;
        let result = tokenizer.feed(b"1\n2\n3\n", |_r| {
            seen += 1;
            if seen == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert_eq!(result, Err("stop"));
        assert_eq!(seen, 2);
    }

    /// Writes fields as CSV, quoting where needed, the way exports do.
    fn write_csv(rows: &[Vec<String>], line_end: &str) -> String {
        let mut out = String::new();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .map(|f| {
                    if f.contains([',', '"', '\n', '\r']) || f.is_empty() {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str(line_end);
        }
        out
    }

    proptest! {
        /// Chunked parsing equals whole-input parsing, at every chunk size.
        #[test]
        fn chunking_never_changes_records(
            text in "[a-c,\"\r\n]{0,80}",
            chunk in 1usize..9,
        ) {
            let whole = records(text.as_bytes(), usize::MAX);
            let chunked = records(text.as_bytes(), chunk);
            prop_assert_eq!(whole, chunked);
        }

        /// Whatever fields are written with quoting, the same fields come back.
        #[test]
        fn quoting_round_trips(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-z ,\"\n\r]{0,6}", 1..5), 1..6),
            crlf in any::<bool>(),
            chunk in 1usize..7,
        ) {
            let text = write_csv(&rows, if crlf { "\r\n" } else { "\n" });
            let got: Vec<Vec<String>> =
                records(text.as_bytes(), chunk).into_iter().map(|(_, f)| f).collect();
            prop_assert_eq!(got, rows);
        }
    }
}
