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
use super::orders::{Intern, OrderBook, Renumbering};
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
/// ready to be sent to the reader of the whole file and merged there.
#[derive(Debug, Serialize, Deserialize)]
pub struct Part {
    /// Whether the piece ended where a record ends. If not, the cut after it
    /// was no record start, and the next piece cannot be merged.
    pub clean_end: bool,
    /// Bytes of the piece.
    pub bytes: u64,
    /// The layout its rows were read as (equal to the whole file's).
    format: String,
    first_line: u64,
    /// Line breaks in the piece.
    lines: u64,
    rows_read: u64,
    rows_used: u64,
    rows_excluded: BTreeMap<Exclusion, u64>,
    book: OrderBook,
    /// Customers (keys, and first emails back to back with their lengths,
    /// 0 for none), labels and currency codes in the piece's numbering.
    customers: Interner,
    emails: (String, Vec<u32>),
    labels: Labels,
    currencies: Vec<String>,
    issues: Vec<RowIssue>,
    rejected: Vec<Rejection>,
}

impl Part {
    /// The part in a compact binary form, to post to another worker.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Every field has a binary form; nothing here can fail.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A part from [`Part::to_bytes`]; an error when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Part, String> {
        postcard::from_bytes(bytes)
            .map_err(|e| format!("a piece of the file came back damaged: {e}"))
    }
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
        Part {
            clean_end,
            bytes: report.bytes - header_bytes,
            format: report.format,
            first_line,
            lines,
            rows_read: report.rows_read,
            rows_used: report.rows_used,
            rows_excluded: report.rows_excluded,
            book: file.into_book(),
            customers,
            emails,
            labels: names.labels,
            currencies: names.currencies.iter().map(|c| c.to_string()).collect(),
            issues: quality.issues,
            rejected: quality.rejected,
        }
    }
}

impl Ingest {
    /// Merges `part`, the piece of the current file that starts where the
    /// bytes read so far end. Returns `false`, merging nothing, when that is
    /// not a record start or `part` did not end at one: then the caller
    /// pushes the file's bytes from the piece's start on instead.
    pub fn absorb(&mut self, part: Part) -> Result<bool, IngestError> {
        let Some(file) = self.current.as_mut() else {
            return Ok(false);
        };
        if !part.clean_end
            || !file.at_record_start()
            || file.report.format != part.format
            || part.emails.1.len() != part.customers.len()
        {
            return Ok(false);
        }
        let names = &mut self.names;
        let (text, lengths) = &part.emails;
        let mut start = 0usize;
        let mut customers = Vec::with_capacity(part.customers.len());
        for (key, &length) in part.customers.iter().zip(lengths) {
            let end = start + length as usize;
            let email = text.get(start..end).filter(|e| !e.is_empty());
            start = end;
            customers.push(names.customer(key, email));
        }
        let labels: Vec<u32> = part.labels.iter().map(|l| names.label(l)).collect();
        let currencies: Vec<u16> = part.currencies.iter().map(|c| names.currency(c)).collect();
        // Lines of the piece are counted from its reader's first line.
        let offset = file.line() - part.first_line;
        file.book_mut().absorb(
            part.book,
            &Renumbering {
                customers: &customers,
                labels: &labels,
                currencies: &currencies,
                lines: offset,
            },
        );
        file.skip_lines(part.lines);
        let report = &mut file.report;
        report.bytes += part.bytes;
        report.rows_read += part.rows_read;
        report.rows_used += part.rows_used;
        for (reason, rows) in part.rows_excluded {
            *report.rows_excluded.entry(reason).or_default() += rows;
        }
        for mut issue in part.issues {
            issue.line += offset;
            self.quality.note_issue(issue);
        }
        for mut rejection in part.rejected {
            if self.quality.rejected.len() >= REJECTIONS_LISTED {
                break;
            }
            rejection.line += offset;
            self.quality.rejected.push(rejection);
        }
        Ok(true)
    }
}
