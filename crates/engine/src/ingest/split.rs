//! Cutting a large order file into pieces that can be read at the same time
//! (in several Web Workers, or threads natively) and merged in file order.
//!
//! A cut must fall where a record starts, and from the middle of a CSV file
//! no one can tell for sure: a line break may sit inside a quoted field (a
//! Shopify note). So a cut is a guess, checked afterwards. [`record_start`]
//! takes the first line start from which the next records all have the
//! header's number of fields; the piece before the cut, read from a true
//! record start, must then end exactly there (`CsvTokenizer::at_record_start`)
//! or its successor is not merged and the rest of the file is read in one
//! go instead (see `Ingest::absorb`). A wrong guess costs time, never a
//! different result.

use memchr::memchr_iter;
use serde::{Deserialize, Serialize};

use super::csv::{CsvTokenizer, Record};
use super::dialect::{self, Delimiter};
use super::encoding::{self, Decoder};
use super::layout::Layout;
use super::FileOptions;

/// Files smaller than this are read in one piece: the pieces would finish
/// before the workers that read them had started.
pub const MIN_SPLIT_BYTES: u64 = 16 << 20;

/// How many bytes of the file's start [`plan`] needs to see its header.
pub const HEAD_BYTES: usize = 256 << 10;

/// How many bytes from a cut [`record_start`] looks at.
pub const WINDOW_BYTES: usize = 256 << 10;

/// How many records after a candidate start must have the header's width.
const RECORDS_CHECKED: usize = 4;

/// What a reader of a piece needs to know about the file: everything the
/// first reader learnt from its header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitPlan {
    /// The file's name, for messages.
    pub file: String,
    pub options: FileOptions,
    /// The header record's bytes (byte-order mark excluded), given to every
    /// piece's reader ahead of its bytes so it recognises the same layout.
    pub header: Vec<u8>,
    /// Where the first data row starts in the file.
    pub data_start: u64,
    /// The header's number of fields.
    pub fields: usize,
    pub delimiter: u8,
}

/// Whether the file starting with `head` can be read in pieces, and how.
/// Only delimited text in UTF-8 whose header names an order table
/// qualifies: workbooks, UTF-16, whitespace-separated and JSON-lines files,
/// customers exports and analytics events are read in one piece.
pub fn plan(file: &str, options: &FileOptions, head: &[u8]) -> Option<SplitPlan> {
    if encoding::is_zip(head) {
        return None;
    }
    let (decoder, bom) = Decoder::detect(file, head).ok()?;
    if !matches!(decoder, Decoder::Utf8) {
        return None;
    }
    let text = &head[bom..];
    let delimiter = dialect::sniff(text);
    let byte = match delimiter {
        Delimiter::Whitespace | Delimiter::JsonLines => return None,
        _ => delimiter.byte()?,
    };
    let (end, header) = first_record(text, byte)?;
    let detected = Layout::detect(file, &header, delimiter, options.columns.as_ref()).ok()?;
    let splittable = detected.layout.holds_orders()
        && !detected.first_row_is_data
        && !matches!(detected.layout, Layout::Ga4Events(_));
    splittable.then(|| SplitPlan {
        file: file.to_string(),
        options: options.clone(),
        header: text[..end].to_vec(),
        data_start: (bom + end) as u64,
        fields: header.len(),
        delimiter: byte,
    })
}

/// The end of the first record of `text` (after its line break) and its
/// fields, when a line break ends it within `text`.
fn first_record(text: &[u8], delimiter: u8) -> Option<(usize, Vec<String>)> {
    for newline in memchr_iter(b'\n', text) {
        let end = newline + 1;
        let mut tokenizer = CsvTokenizer::new(delimiter);
        let mut records = Vec::new();
        let _ = tokenizer.feed(&text[..end], |record: Record<'_>| -> Result<(), ()> {
            records.push(
                record
                    .iter()
                    .map(|field| String::from_utf8_lossy(field).trim().to_string())
                    .collect::<Vec<_>>(),
            );
            Ok(())
        });
        if tokenizer.at_record_start() && !records.is_empty() {
            return records.into_iter().next().map(|header| (end, header));
        }
    }
    None
}

/// The first place in `window` (bytes from somewhere in the file) that
/// looks like the start of a record: just after a line break, with the next
/// records (up to [`RECORDS_CHECKED`], at least one) all as wide as the
/// header. `None` when no line start in the window qualifies.
pub fn record_start(plan: &SplitPlan, window: &[u8]) -> Option<usize> {
    memchr_iter(b'\n', window)
        .map(|newline| newline + 1)
        .find(|&start| {
            let mut tokenizer = CsvTokenizer::new(plan.delimiter);
            let mut matching = 0;
            let outcome = tokenizer.feed(&window[start..], |record: Record<'_>| {
                if record.len() != plan.fields {
                    return Err(false);
                }
                matching += 1;
                if matching == RECORDS_CHECKED {
                    return Err(true);
                }
                Ok(())
            });
            match outcome {
                Err(verdict) => verdict,
                // The window ended first: enough if any record fitted.
                Ok(()) => matching > 0,
            }
        })
}

/// Where to cut a file of `size` bytes into `pieces` pieces of about equal
/// size: the offsets at which to look for a record start (with
/// [`record_start`] on a window read there). Empty when the file is too
/// small to be worth it.
pub fn cut_offsets(plan: &SplitPlan, size: u64, pieces: usize) -> Vec<u64> {
    if size < MIN_SPLIT_BYTES || pieces < 2 {
        return Vec::new();
    }
    let data = size.saturating_sub(plan.data_start);
    (1..pieces as u64)
        .map(|i| plan.data_start + data * i / pieces as u64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOPIFY: &[u8] = include_bytes!("../../tests/data/shopify_orders_small.csv");

    #[test]
    fn plans_order_tables_only() {
        let options = FileOptions::default();
        let plan = plan("orders.csv", &options, SHOPIFY).expect("a Shopify export splits");
        assert_eq!(plan.delimiter, b',');
        assert_eq!(plan.header.last(), Some(&b'\n'));
        assert_eq!(plan.data_start as usize, plan.header.len());
        assert!(plan.fields > 70);

        let mut bom = b"\xEF\xBB\xBFcustomer_id,order_date,amount\n".to_vec();
        let with_bom = super::plan("t.csv", &options, &bom).expect("generic");
        assert_eq!(with_bom.data_start, 3 + with_bom.header.len() as u64);
        assert_eq!(with_bom.fields, 3);
        bom.truncate(10);
        assert!(
            super::plan("t.csv", &options, &bom).is_none(),
            "no whole header"
        );

        for refused in [
            &include_bytes!("../../tests/data/shopify_customers_small.csv")[..],
            b"event_name,event_date,user_pseudo_id\nview_item,20250101,a\n",
            b"{\"event_name\":\"x\"}\n",
            b"00001 19970101 1 11.77\n",
            b"\xFF\xFEc\0,\0",
            b"PK\x03\x04rest",
        ] {
            assert!(super::plan("f", &options, refused).is_none());
        }
    }

    #[test]
    fn finds_a_record_start_past_quoted_line_breaks() {
        let plan = SplitPlan {
            file: "f.csv".into(),
            options: FileOptions::default(),
            header: b"a,b,c\n".to_vec(),
            data_start: 6,
            fields: 3,
            delimiter: b',',
        };
        // A window that starts inside a note with line breaks and commas:
        // the note's next lines are not record starts ("x,y" has two
        // fields, so has "z\",3" read from outside the quotes).
        let window = b"in a note\nx,y\nz\",3\n2,b,c\n3,b,c\n";
        let start = record_start(&plan, window).expect("a start");
        assert_eq!(&window[start..start + 6], b"2,b,c\n");
        assert_eq!(record_start(&plan, b"no line break"), None);
        assert_eq!(record_start(&plan, b"x\n1,2\n"), None, "too narrow");
    }

    #[test]
    fn cuts_are_spread_over_the_data() {
        let plan = SplitPlan {
            file: "f.csv".into(),
            options: FileOptions::default(),
            header: b"a\n".to_vec(),
            data_start: 2,
            fields: 1,
            delimiter: b',',
        };
        assert!(cut_offsets(&plan, 1000, 4).is_empty(), "too small");
        let size = 4 * MIN_SPLIT_BYTES + 2;
        assert_eq!(
            cut_offsets(&plan, size, 4),
            [1, 2, 3].map(|i| 2 + i * MIN_SPLIT_BYTES)
        );
        assert!(cut_offsets(&plan, size, 1).is_empty());
    }
}
