//! Reading one piece of a file on its own ([`PartReader`]), and merging what
//! it read into the whole file's ingest ([`Ingest::absorb`]) as if the rows
//! had been read there in order.
//!
//! A piece's reader numbers customers, labels and currencies in its own
//! order and counts lines from the piece's start; the merge renumbers them.
//! Reading a file in pieces gives the same analysis as reading it in one
//! go, to the line numbers in messages (a property test checks it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::csv::CsvTokenizer;
use super::error::IngestError;
use super::file::FileState;
use super::orders::{BookIndex, BookItem, Intern, Merge, Order, Renumbering};
use super::quality::{DataQuality, Exclusion, Rejection, RowIssue, REJECTIONS_LISTED};
use super::split::SplitPlan;
use super::{Ingest, Names};
use crate::interner::Interner;
use crate::sales::Labels;

/// Reads the bytes of one piece of a file (after the first), cut by
/// `split` at a record start.
#[derive(Debug)]
pub struct PartReader {
    file: FileState,
    names: Names,
    quality: DataQuality,
    /// The line number, as this reader counts, of the piece's first byte.
    first_line: u64,
    /// The header's bytes, read before the piece's.
    header_bytes: u64,
}

/// What a [`PartReader`] read: the piece's orders and its row accounting,
/// ready to be merged into the whole file's ingest, here or (encoded, see
/// [`Part::encode`]) in another worker.
#[derive(Debug)]
pub struct Part {
    head: PartHead,
    orders: Vec<Order>,
    items: Vec<BookItem>,
}

/// A part less its orders and product lines.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PartHead {
    /// Whether the piece ended where a record ends. If not, the cut after it
    /// was no record start, and the next piece cannot be merged.
    clean_end: bool,
    /// Bytes of the piece.
    bytes: u64,
    /// The layout its rows were read as (equal to the whole file's).
    format: String,
    pub(super) first_line: u64,
    /// Line breaks in the piece.
    lines: u64,
    rows_read: u64,
    rows_used: u64,
    rows_excluded: BTreeMap<Exclusion, u64>,
    book: BookIndex,
    /// How many orders and product lines follow the head.
    pub(super) orders: u64,
    pub(super) items: u64,
    /// Customers (keys, and first emails back to back with their lengths,
    /// 0 for none), labels and currency codes in the piece's numbering.
    customers: Interner,
    emails: (String, Vec<u32>),
    labels: Labels,
    currencies: Vec<String>,
    issues: Vec<RowIssue>,
    rejected: Vec<Rejection>,
}

/// Frames of an encoded part after its head. Orders and lines travel a few
/// thousand at a time, so that neither side holds the piece's whole binary
/// form, and the receiver, decoding and merging a frame at a time, never
/// holds the piece whole: decoded at once, it took as much memory again as
/// the file's whole book at the page's peak.
#[derive(Serialize)]
enum FrameOut<'a> {
    Orders(&'a [Order]),
    Items(&'a [BookItem]),
}

/// [`FrameOut`] as decoded (the same binary form).
#[derive(Deserialize)]
enum FrameIn {
    Orders(Vec<Order>),
    Items(Vec<BookItem>),
}

const ORDERS_PER_FRAME: usize = 8192;
const ITEMS_PER_FRAME: usize = 16384;

/// The frames of an encoded part ([`Part::encode`]), wherever they are (in
/// the page, buffers outside the worker's memory), copied out one at a time.
pub trait PartFrames {
    fn count(&self) -> usize;
    /// Copies frame `i` (`i < count()`) into `into`, replacing its content.
    fn copy_into(&self, i: usize, into: &mut Vec<u8>);
}

impl PartFrames for [Vec<u8>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn copy_into(&self, i: usize, into: &mut Vec<u8>) {
        into.clear();
        into.extend_from_slice(&self[i]);
    }
}

impl Part {
    /// The part in a compact binary form, to post to another worker, frame
    /// by frame: `frame` is called with each (the head, then orders, then
    /// product lines), in one buffer reused between calls.
    pub fn encode(self, frame: impl FnMut(&[u8])) {
        self.encode_in(ORDERS_PER_FRAME, ITEMS_PER_FRAME, frame);
    }

    /// [`Part::encode`] with frames of at most the given numbers of orders
    /// and product lines (tests use small frames).
    pub(super) fn encode_in(
        self,
        orders_per_frame: usize,
        items_per_frame: usize,
        mut frame: impl FnMut(&[u8]),
    ) {
        let Part {
            head,
            orders,
            items,
        } = self;
        let mut buffer = Vec::new();
        emit(&mut buffer, &head, &mut frame);
        for chunk in orders.chunks(orders_per_frame.max(1)) {
            emit(&mut buffer, &FrameOut::Orders(chunk), &mut frame);
        }
        // Given back before the lines are encoded: the helper's peak.
        drop(orders);
        for chunk in items.chunks(items_per_frame.max(1)) {
            emit(&mut buffer, &FrameOut::Items(chunk), &mut frame);
        }
    }
}

/// Encodes `value` into `buffer` and hands it to `frame`.
fn emit(buffer: &mut Vec<u8>, value: &impl Serialize, frame: &mut impl FnMut(&[u8])) {
    buffer.clear();
    // Every field has a binary form: serialising cannot fail (and if it
    // did, the receiver would find the frame damaged).
    if let Ok(encoded) = postcard::to_extend(value, std::mem::take(buffer)) {
        *buffer = encoded;
    }
    frame(buffer);
}

impl PartReader {
    /// A reader for a piece of the file `plan` describes: it reads the
    /// header first, so it recognises the same layout.
    pub fn new(plan: &SplitPlan) -> Result<PartReader, IngestError> {
        let mut file = FileState::new(&plan.file, plan.options.clone());
        let mut names = Names::default();
        let mut quality = DataQuality::default();
        file.push(&plan.header, &mut names, &mut quality)?;
        // The header's line breaks, counted as the piece's tokenizer will.
        let mut header = CsvTokenizer::new(plan.delimiter);
        header
            .feed(&plan.header, |_| Ok::<(), ()>(()))
            .unwrap_or_default();
        Ok(PartReader {
            file,
            names,
            // Warnings about the header were given for the whole file.
            quality: DataQuality::default(),
            first_line: header.line(),
            header_bytes: plan.header.len() as u64,
        })
    }

    /// Says how many bytes the piece has (see `Ingest::expect_bytes`).
    pub fn expect_bytes(&mut self, piece: u64) {
        self.file.expect_bytes(self.header_bytes + piece);
    }

    /// Reads the next bytes of the piece.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), IngestError> {
        self.file.push(bytes, &mut self.names, &mut self.quality)
    }

    /// Data rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.file.report.rows_read
    }

    /// Ends the piece. A record cut off at its end is not read: the piece
    /// is then not `clean_end`, and the file's reader reads on from here.
    pub fn finish(self) -> Part {
        let PartReader {
            file,
            names,
            quality,
            first_line,
            header_bytes,
        } = self;
        let clean_end = file.at_record_start();
        let lines = file.line() - first_line;
        let report = file.report.clone();
        let (customers, emails) = names.identities.into_lists();
        let (book, orders, items) = file.into_book().into_parts();
        let head = PartHead {
            clean_end,
            bytes: report.bytes - header_bytes,
            format: report.format,
            first_line,
            lines,
            rows_read: report.rows_read,
            rows_used: report.rows_used,
            rows_excluded: report.rows_excluded,
            book,
            orders: orders.len() as u64,
            items: items.len() as u64,
            customers,
            emails,
            labels: names.labels,
            currencies: names.currencies.iter().map(|c| c.to_string()).collect(),
            issues: quality.issues,
            rejected: quality.rejected,
        };
        Part {
            head,
            orders,
            items,
        }
    }
}

impl Ingest {
    /// Merges `part`, the piece of the current file that starts where the
    /// bytes read so far end. Returns the piece's bytes, or `None`, merging
    /// nothing, when that is not a record start or `part` did not end at
    /// one: then the caller pushes the file's bytes from the piece's start
    /// on instead.
    pub fn absorb(&mut self, part: Part) -> Result<Option<u64>, IngestError> {
        let Part {
            head,
            orders,
            items,
        } = part;
        self.merge(head, |merge| {
            orders
                .into_iter()
                .try_for_each(|order| merge.order(order))?;
            items.into_iter().try_for_each(|item| merge.item(item))
        })
    }

    /// As [`Ingest::absorb`], for a part as [`Part::encode`] wrote it,
    /// decoded and merged a frame at a time. Bytes that are not such a part
    /// are an error (after the head, the book may then hold half a piece).
    pub fn absorb_encoded(
        &mut self,
        frames: &(impl PartFrames + ?Sized),
    ) -> Result<Option<u64>, IngestError> {
        let mut buffer = Vec::new();
        let head = match frames.count() {
            0 => Err("no frames".to_string()),
            _ => {
                frames.copy_into(0, &mut buffer);
                postcard::from_bytes::<PartHead>(&buffer).map_err(|e| e.to_string())
            }
        };
        let head = head.map_err(|message| IngestError::Read {
            file: self.current_name(),
            message: damaged(&message),
        })?;
        self.merge(head, |merge| {
            for i in 1..frames.count() {
                frames.copy_into(i, &mut buffer);
                match postcard::from_bytes(&buffer).map_err(|e| e.to_string())? {
                    FrameIn::Orders(orders) => orders
                        .into_iter()
                        .try_for_each(|order| merge.order(order))?,
                    FrameIn::Items(items) => {
                        items.into_iter().try_for_each(|item| merge.item(item))?
                    }
                }
            }
            Ok(())
        })
    }

    /// The name of the file being read.
    fn current_name(&self) -> String {
        self.current
            .as_ref()
            .map(|file| file.report.name.clone())
            .unwrap_or_default()
    }

    /// Merges a part: its head, and its orders and lines as `feed` gives
    /// them to the merge.
    fn merge(
        &mut self,
        head: PartHead,
        feed: impl FnOnce(&mut Merge<'_>) -> Result<(), String>,
    ) -> Result<Option<u64>, IngestError> {
        let Some(file) = self.current.as_mut() else {
            return Ok(None);
        };
        if !head.clean_end
            || !file.at_record_start()
            || file.report.format != head.format
            || head.emails.1.len() != head.customers.len()
        {
            return Ok(None);
        }
        let names = &mut self.names;
        let (text, lengths) = &head.emails;
        let mut start = 0usize;
        let mut customers = Vec::with_capacity(head.customers.len());
        for (key, &length) in head.customers.iter().zip(lengths) {
            let end = start + length as usize;
            let email = text.get(start..end).filter(|e| !e.is_empty());
            start = end;
            customers.push(names.customer(key, email));
        }
        let labels: Vec<u32> = head.labels.iter().map(|l| names.label(l)).collect();
        let currencies: Vec<u16> = head.currencies.iter().map(|c| names.currency(c)).collect();
        // Lines of the piece are counted from its reader's first line (the
        // header's end, which this reader has passed: else a damaged head).
        let offset = file.line().checked_sub(head.first_line);
        let map = Renumbering {
            customers: &customers,
            labels: &labels,
            currencies: &currencies,
            lines: offset.unwrap_or_default(),
        };
        // Every order and product line comes from a row: more of them than
        // rows is a damaged head, found before room is made for them.
        let fed = if head.orders.max(head.items) > head.rows_read {
            Err(format!(
                "{} orders and {} product lines from {} rows",
                head.orders, head.items, head.rows_read
            ))
        } else if offset.is_none() {
            Err(format!("a piece that starts on line {}", head.first_line))
        } else {
            let mut merge =
                file.book_mut()
                    .merging(head.book, head.orders as usize, head.items as usize, &map);
            feed(&mut merge).and_then(|()| merge.finish())
        };
        if let Err(message) = fed {
            return Err(IngestError::Read {
                file: file.report.name.clone(),
                message: damaged(&message),
            });
        }
        file.skip_lines(head.lines);
        let report = &mut file.report;
        report.bytes += head.bytes;
        report.rows_read += head.rows_read;
        report.rows_used += head.rows_used;
        for (reason, rows) in head.rows_excluded {
            *report.rows_excluded.entry(reason).or_default() += rows;
        }
        for mut issue in head.issues {
            issue.line += map.lines;
            self.quality.note_issue(issue);
        }
        for mut rejection in head.rejected {
            if self.quality.rejected.len() >= REJECTIONS_LISTED {
                break;
            }
            rejection.line += map.lines;
            self.quality.rejected.push(rejection);
        }
        Ok(Some(head.bytes))
    }
}

fn damaged(what: &str) -> String {
    format!("a piece of it read by a helper came back damaged ({what})")
}
