//! A tokenizer for whitespace-separated text (the CDNOW research data):
//! fields are separated by any run of spaces or tabs, blanks at the start
//! and end of a line are ignored, and there is no quoting. Same push
//! interface and `Record`s as the CSV tokenizer.

use super::csv::Record;

/// See the module documentation.
#[derive(Debug, Default)]
pub struct WhitespaceTokenizer {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Inside a field (its bytes are being collected).
    in_field: bool,
    /// Just ended a line on `\r`: a following `\n` belongs to it.
    after_cr: bool,
    line: u64,
    record_line: u64,
}

impl WhitespaceTokenizer {
    pub fn new() -> Self {
        WhitespaceTokenizer {
            line: 1,
            record_line: 1,
            ..WhitespaceTokenizer::default()
        }
    }

    /// Tokenizes `input`, calling `on_record` for every completed line.
    pub fn feed<E>(
        &mut self,
        input: &[u8],
        mut on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        for &byte in input {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b' ' | b'\t' => self.end_field(),
                b'\n' | b'\r' => {
                    self.end_field();
                    self.after_cr = byte == b'\r';
                    self.line += 1;
                    self.emit(&mut on_record)?;
                }
                _ => {
                    if !self.in_field {
                        if self.ends.is_empty() {
                            self.record_line = self.line;
                        }
                        self.in_field = true;
                    }
                    self.bytes.push(byte);
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
        self.end_field();
        self.emit(&mut on_record)
    }

    fn end_field(&mut self) {
        if self.in_field {
            self.ends.push(self.bytes.len());
            self.in_field = false;
        }
    }

    /// Emits the current line unless it was blank.
    fn emit<E>(
        &mut self,
        on_record: &mut impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.ends.is_empty() {
            return Ok(());
        }
        let result = on_record(Record::new(
            &self.bytes,
            &self.ends,
            self.record_line,
            false,
        ));
        self.bytes.clear();
        self.ends.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::convert::Infallible;

    fn records(input: &[u8], chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        let mut tokenizer = WhitespaceTokenizer::new();
        let mut collect = |r: Record<'_>| -> Result<(), Infallible> {
            out.push((
                r.line,
                r.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            ));
            Ok(())
        };
        for piece in input.chunks(chunk.max(1)) {
            tokenizer.feed(piece, &mut collect).expect("infallible");
        }
        tokenizer.finish(&mut collect).expect("infallible");
        out
    }

    #[test]
    fn cdnow_lines() {
        let got = records(b" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n\r\n 00002 19970112\t1 12.00", usize::MAX);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0].1,
            ["customer_id", "date", "number_of_cds", "dollar_value"]
        );
        assert_eq!(
            got[1],
            (
                2,
                vec![
                    "00001".into(),
                    "19970101".into(),
                    "1".into(),
                    "11.77".into()
                ]
            )
        );
        assert_eq!(got[2].0, 4);
        assert_eq!(got[2].1, ["00002", "19970112", "1", "12.00"]);
    }

    proptest! {
        #[test]
        fn chunking_never_changes_records(text in "[a1 \t\r\n]{0,80}", chunk in 1usize..9) {
            prop_assert_eq!(records(text.as_bytes(), usize::MAX), records(text.as_bytes(), chunk));
        }
    }
}
