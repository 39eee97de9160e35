//! A tokenizer for newline-delimited JSON: every non-blank line is a record
//! of one field, the line itself (JSON escapes newlines inside strings, so a
//! line break always ends a record). Same push interface and `Record`s as
//! the CSV tokenizer, so JSON files flow through the same row accounting.

use super::csv::Record;

/// See the module documentation.
#[derive(Debug)]
pub struct LineTokenizer {
    bytes: Vec<u8>,
    ends: [usize; 1],
    /// Just ended a line on `\r`: a following `\n` belongs to it.
    after_cr: bool,
    line: u64,
}

impl Default for LineTokenizer {
    fn default() -> Self {
        LineTokenizer::new()
    }
}

impl LineTokenizer {
    pub fn new() -> Self {
        LineTokenizer {
            bytes: Vec::new(),
            ends: [0],
            after_cr: false,
            line: 1,
        }
    }

    /// Tokenizes `input`, calling `on_record` for every completed line.
    pub fn feed<E>(
        &mut self,
        mut input: &[u8],
        mut on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        while !input.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if input[0] == b'\n' {
                    input = &input[1..];
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', input) {
                Some(end) => {
                    self.bytes.extend_from_slice(&input[..end]);
                    self.after_cr = input[end] == b'\r';
                    input = &input[end + 1..];
                    self.emit(&mut on_record)?;
                    self.line += 1;
                }
                None => {
                    self.bytes.extend_from_slice(input);
                    input = &[];
                }
            }
        }
        Ok(())
    }

    /// Ends the input: completes a last line without a line break.
    pub fn finish<E>(
        &mut self,
        mut on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.emit(&mut on_record)
    }

    /// Emits the current line unless it is blank.
    fn emit<E>(
        &mut self,
        on_record: &mut impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let result = if self.bytes.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            self.ends[0] = self.bytes.len();
            on_record(Record::new(&self.bytes, &self.ends, self.line, false))
        };
        self.bytes.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::convert::Infallible;

    fn lines(input: &[u8], chunk: usize) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        let mut tokenizer = LineTokenizer::new();
        let mut collect = |r: Record<'_>| -> Result<(), Infallible> {
            out.push((
                r.line,
                String::from_utf8_lossy(r.get(0).unwrap_or_default()).into_owned(),
            ));
            Ok(())
        };
        for part in input.chunks(chunk.max(1)) {
            tokenizer.feed(part, &mut collect).unwrap();
        }
        tokenizer.finish(&mut collect).unwrap();
        out
    }

    #[test]
    fn one_record_per_line_with_line_numbers() {
        let got = lines(b"{\"a\":1}\r\n\r\n{\"b\":\"x\\ny\"}\n  \n{\"c\":3}", 1000);
        assert_eq!(
            got,
            vec![
                (1, "{\"a\":1}".to_string()),
                (3, "{\"b\":\"x\\ny\"}".to_string()),
                (5, "{\"c\":3}".to_string()),
            ]
        );
    }

    proptest! {
        #[test]
        fn chunking_does_not_change_the_lines(
            text in "[{}a\":,\r\n ]{0,200}",
            chunk in 1usize..50,
        ) {
            prop_assert_eq!(lines(text.as_bytes(), chunk), lines(text.as_bytes(), usize::MAX));
        }
    }
}
