//! Writing CSV fields with RFC 4180 quoting.

use std::borrow::Cow;
use std::io::{self, Write};

/// A text cell made safe for spreadsheets: one that starts like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, so that
/// a customer named `=HYPERLINK(…)` stays text when the file is opened.
/// For text fields only: numbers are written as they are.
pub(crate) fn safe_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one record, quoting fields that hold a delimiter, quote or line break.
pub(crate) fn write_record<W: Write, S: AsRef<str>>(out: &mut W, fields: &[S]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, field.as_ref())?;
    }
    out.write_all(b"\n")
}

fn write_field<W: Write>(out: &mut W, field: &str) -> io::Result<()> {
    if !field.contains([',', '"', '\n', '\r']) {
        return out.write_all(field.as_bytes());
    }
    out.write_all(b"\"")?;
    out.write_all(field.replace('"', "\"\"").as_bytes())?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::csv::CsvTokenizer;
    use proptest::prelude::*;

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_text("+1 555"), "'+1 555");
        assert_eq!(safe_text("ann@example.com"), "ann@example.com");
    }

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        write_record(&mut out, &["a", "b,c", "say \"hi\"", "x\ny"]).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\n"
        );
    }

    proptest! {
        /// What we write, our own reader reads back unchanged.
        #[test]
        fn writer_and_reader_agree(fields in proptest::collection::vec("[a-z ,\"\n]{1,8}", 1..6)) {
            let mut out = Vec::new();
            write_record(&mut out, &fields).expect("write");
            let mut got = Vec::new();
            let mut tokenizer = CsvTokenizer::new(b',');
            let mut collect = |r: crate::ingest::csv::Record<'_>| -> Result<(), ()> {
                got.push(r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>());
                Ok(())
            };
            tokenizer.feed(&out, &mut collect).expect("feed");
            tokenizer.finish(&mut collect).expect("finish");
            prop_assert_eq!(got, vec![fields]);
        }
    }
}
