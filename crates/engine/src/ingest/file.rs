//! Reading one file: its encoding from the first bytes, its delimiter from
//! the first line, its layout from the first row, then each row into the
//! file's order book (or, for customers exports, into the shared profiles).

use super::csv::{CsvTokenizer, Record};
use super::dialect::{self, Delimiter};
use super::encoding::{self, Decoder};
use super::error::IngestError;
use super::layout::{Layout, Row, RowOutcome};
use super::lines::LineTokenizer;
use super::orders::OrderBook;
use super::quality::{self, DataQuality, Exclusion, FileReport, Rejection, RowIssue};
use super::whitespace::WhitespaceTokenizer;
use super::workbook::{Workbook, MAX_WORKBOOK_BYTES};
use super::{ColumnMap, FileOptions, Names};

/// A file read to its end, its orders not yet judged.
#[derive(Debug)]
pub(super) struct DoneFile {
    pub(super) report: FileReport,
    pub(super) book: OrderBook,
    /// Name of the column whose dates place its orders.
    pub(super) date_column: String,
    /// Whether its layout holds orders (not customer profiles).
    pub(super) holds_orders: bool,
}

#[derive(Debug)]
pub(super) struct FileState {
    pub(super) report: FileReport,
    /// Chosen from the first bytes: `None` until enough have arrived.
    decoder: Option<Decoder>,
    /// The first raw bytes, held until they tell the encoding.
    raw_head: Vec<u8>,
    /// UTF-16 input transcoded to UTF-8 (reused between chunks).
    scratch: Vec<u8>,
    /// Chosen from the first line: `None` until it has been seen.
    tokenizer: Option<Tokenizer>,
    /// The first text, held until the first line is complete.
    text_head: Vec<u8>,
    layout: Option<Layout>,
    /// Column names, for messages.
    header: Vec<String>,
    book: OrderBook,
    /// The bytes of a workbook, read whole at the end (see `workbook`).
    workbook: Option<Vec<u8>>,
    options: FileOptions,
    /// The size of the file, when known and large, until room for its
    /// orders has been made (see `FileState::expect_bytes`).
    expected_bytes: Option<u64>,
}

/// Read before the book makes room for the whole file's orders: enough
/// rows to tell their bytes per order and per line.
const SAMPLE_BYTES: u64 = 4 << 20;

impl FileState {
    pub(super) fn new(name: &str, options: FileOptions) -> FileState {
        FileState {
            workbook: None,
            options,
            report: FileReport {
                name: name.to_string(),
                ..FileReport::default()
            },
            decoder: None,
            raw_head: Vec::new(),
            scratch: Vec::new(),
            tokenizer: None,
            text_head: Vec::new(),
            layout: None,
            header: Vec::new(),
            book: OrderBook::default(),
            expected_bytes: None,
        }
    }

    /// Says how many bytes the file (or the piece this reader reads, and
    /// those to be merged into it) has. Once a sample has been read, the
    /// book makes room for all of their orders and lines at once: grown
    /// by doubling, it copies itself again and again, and each old copy's
    /// memory is left behind (a worker's memory in the page never shrinks).
    pub(super) fn expect_bytes(&mut self, total: u64) {
        self.expected_bytes = Some(total).filter(|&total| total > SAMPLE_BYTES);
    }

    /// Whether the bytes so far ended where a record ends (see `split`).
    pub(super) fn at_record_start(&self) -> bool {
        match &self.tokenizer {
            Some(Tokenizer::Csv(tokenizer)) => tokenizer.at_record_start(),
            _ => false,
        }
    }

    /// The line number at the read position (1 before anything is read).
    pub(super) fn line(&self) -> u64 {
        match &self.tokenizer {
            Some(Tokenizer::Csv(tokenizer)) => tokenizer.line(),
            _ => 1,
        }
    }

    /// Counts the line breaks of a piece read elsewhere and merged here.
    pub(super) fn skip_lines(&mut self, lines: u64) {
        if let Some(Tokenizer::Csv(tokenizer)) = &mut self.tokenizer {
            tokenizer.skip_lines(lines);
        }
    }

    /// The orders read so far (a piece's, to merge into the whole file's).
    pub(super) fn into_book(self) -> OrderBook {
        self.book
    }

    /// The order book, to merge a piece read elsewhere into.
    pub(super) fn book_mut(&mut self) -> &mut OrderBook {
        &mut self.book
    }

    /// Feeds the next bytes of the file.
    pub(super) fn push(
        &mut self,
        chunk: &[u8],
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<(), IngestError> {
        self.report.bytes += chunk.len() as u64;
        self.accept_raw(chunk, false, names, quality)?;
        if let Some(total) = self.expected_bytes {
            if self.report.bytes >= SAMPLE_BYTES {
                self.expected_bytes = None;
                self.book.reserve_share(self.report.bytes, total);
            }
        }
        Ok(())
    }

    /// Reads what is held back and the last record, and hands the file's
    /// orders over for judging.
    pub(super) fn finish(
        mut self,
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<DoneFile, IngestError> {
        self.accept_raw(&[], true, names, quality)?;
        if let Some(bytes) = self.workbook.take() {
            self.read_workbook(bytes, names, quality)?;
        }
        let FileState {
            mut report,
            tokenizer,
            mut layout,
            mut header,
            mut book,
            options,
            ..
        } = self;
        if let Some(mut tokenizer) = tokenizer {
            tokenizer.finish(|record| {
                let mut parts = FileParts {
                    options: &options,
                    report: &mut report,
                    layout: &mut layout,
                    header: &mut header,
                    book: &mut book,
                };
                parts.on_record(names, quality, &record)
            })?;
        }
        let Some(layout) = layout else {
            return Err(IngestError::Empty { file: report.name });
        };
        Ok(DoneFile {
            date_column: layout.date_column(&header).to_string(),
            holds_orders: layout.holds_orders(),
            report,
            book,
        })
    }

    /// Takes raw bytes: holds the first few until they tell the encoding,
    /// then passes UTF-8 text on. `end` flushes whatever is held.
    fn accept_raw(
        &mut self,
        chunk: &[u8],
        end: bool,
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<(), IngestError> {
        if let Some(workbook) = self.workbook.as_mut() {
            if workbook.len() + chunk.len() > MAX_WORKBOOK_BYTES {
                return Err(IngestError::WorkbookTooLarge {
                    file: self.report.name.clone(),
                    max_bytes: MAX_WORKBOOK_BYTES,
                });
            }
            workbook.extend_from_slice(chunk);
            return Ok(());
        }
        let Some(decoder) = self.decoder.as_mut() else {
            self.raw_head.extend_from_slice(chunk);
            if self.raw_head.len() < encoding::MAGIC_BYTES && !end {
                return Ok(());
            }
            let head = std::mem::take(&mut self.raw_head);
            if encoding::is_zip(&head) {
                self.workbook = Some(head);
                return Ok(());
            }
            let (decoder, skip) = Decoder::detect(&self.report.name, &head)?;
            self.decoder = Some(decoder);
            return self.accept_raw(&head[skip..], end, names, quality);
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        let text = decoder.decode(chunk, &mut scratch);
        let result = self.accept_text(text, end, names, quality);
        self.scratch = scratch;
        result
    }

    /// Reads a workbook's chosen sheet, or else the first sheet whose header
    /// is one we know (a workbook often opens on a notes or pivot sheet).
    fn read_workbook(
        &mut self,
        bytes: Vec<u8>,
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<(), IngestError> {
        let mut workbook = Workbook::open(&self.report.name, bytes)?;
        let sheets = workbook.sheets().to_vec();
        self.report.sheets = sheets.clone();
        let candidates = match &self.options.sheet {
            Some(sheet) if sheets.contains(sheet) => vec![sheet.clone()],
            Some(sheet) => {
                return Err(IngestError::NoSuchSheet {
                    file: self.report.name.clone(),
                    sheet: sheet.clone(),
                    sheets,
                })
            }
            None => sheets,
        };
        let mut last_error = None;
        for sheet in candidates {
            self.report.sheet = Some(sheet.clone());
            self.layout = None;
            let FileState {
                report,
                layout,
                header,
                book,
                options,
                ..
            } = self;
            let mut parts = FileParts {
                options,
                report,
                layout,
                header,
                book,
            };
            let result =
                workbook.for_each_row(&sheet, |record| parts.on_record(names, quality, &record));
            match result {
                // Only the header can fail this way, before any row counted.
                Err(
                    error @ (IngestError::UnrecognisedHeader { .. }
                    | IngestError::MissingColumns { .. }),
                ) if self.options.sheet.is_none() => last_error = Some(error),
                Err(error) => return Err(error),
                Ok(()) if self.layout.is_none() => {} // an empty sheet
                Ok(()) => return Ok(()),
            }
        }
        match last_error {
            Some(error) => Err(error),
            None => Err(IngestError::Empty {
                file: self.report.name.clone(),
            }),
        }
    }

    /// Takes UTF-8 text: holds the first line until it tells the delimiter,
    /// then tokenizes.
    fn accept_text(
        &mut self,
        text: &[u8],
        end: bool,
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<(), IngestError> {
        if self.tokenizer.is_some() {
            return self.feed(text, names, quality);
        }
        self.text_head.extend_from_slice(text);
        if !end && !dialect::has_first_line(&self.text_head) {
            return Ok(());
        }
        let head = std::mem::take(&mut self.text_head);
        let delimiter = dialect::sniff(&head);
        self.report.delimiter = Some(delimiter);
        self.tokenizer = Some(match (delimiter, delimiter.byte()) {
            (_, Some(byte)) => Tokenizer::Csv(CsvTokenizer::new(byte)),
            (Delimiter::JsonLines, None) => Tokenizer::Lines(LineTokenizer::new()),
            (_, None) => Tokenizer::Whitespace(WhitespaceTokenizer::new()),
        });
        self.feed(&head, names, quality)
    }

    fn feed(
        &mut self,
        chunk: &[u8],
        names: &mut Names,
        quality: &mut DataQuality,
    ) -> Result<(), IngestError> {
        let FileState {
            report,
            tokenizer,
            layout,
            header,
            book,
            options,
            ..
        } = self;
        let Some(tokenizer) = tokenizer else {
            return Ok(());
        };
        let mut parts = FileParts {
            options,
            report,
            layout,
            header,
            book,
        };
        tokenizer.feed(chunk, |record| parts.on_record(names, quality, &record))
    }
}

/// The tokenizer for the file's delimiter.
#[derive(Debug)]
enum Tokenizer {
    Csv(CsvTokenizer),
    Whitespace(WhitespaceTokenizer),
    Lines(LineTokenizer),
}

impl Tokenizer {
    fn feed<E>(
        &mut self,
        chunk: &[u8],
        on_record: impl FnMut(Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Tokenizer::Csv(t) => t.feed(chunk, on_record),
            Tokenizer::Whitespace(t) => t.feed(chunk, on_record),
            Tokenizer::Lines(t) => t.feed(chunk, on_record),
        }
    }

    fn finish<E>(&mut self, on_record: impl FnMut(Record<'_>) -> Result<(), E>) -> Result<(), E> {
        match self {
            Tokenizer::Csv(t) => t.finish(on_record),
            Tokenizer::Whitespace(t) => t.finish(on_record),
            Tokenizer::Lines(t) => t.finish(on_record),
        }
    }
}

/// The parts of a file's state that records update (split from the
/// tokenizer, which lends the records).
struct FileParts<'f> {
    options: &'f FileOptions,
    report: &'f mut FileReport,
    layout: &'f mut Option<Layout>,
    header: &'f mut Vec<String>,
    book: &'f mut OrderBook,
}

impl FileParts<'_> {
    /// Handles one record: the first tells the layout (and is the header
    /// unless the layout has none); the others are data rows.
    fn on_record(
        &mut self,
        names: &mut Names,
        quality: &mut DataQuality,
        record: &Record<'_>,
    ) -> Result<(), IngestError> {
        if self.layout.is_none() {
            let first_row: Vec<String> = record
                .iter()
                .map(|field| String::from_utf8_lossy(field).trim().to_string())
                .collect();
            let delimiter = self.report.delimiter.unwrap_or(Delimiter::Comma);
            let detected = Layout::detect(
                &self.report.name,
                &first_row,
                delimiter,
                self.options.columns.as_ref(),
            )?;
            self.report.format = detected.layout.code().to_string();
            self.report.columns = detected.layout.columns().cloned();
            if self.report.columns.is_some() {
                self.report.header = detected.header.clone();
                // Columns the merchant chose are not second-guessed.
                if self.options.columns.is_none() {
                    for (role, columns) in ColumnMap::ambiguities(&detected.header) {
                        quality.warnings.push(format!(
                            "{}: several columns could hold the {role} ({}); \"{}\" was used. If that is wrong, choose another with \"Change columns\" (or --column on the command line).",
                            self.report.name,
                            columns.join(", "),
                            columns[0]
                        ));
                    }
                }
            }
            *self.header = detected.header;
            *self.layout = Some(detected.layout);
            if !detected.first_row_is_data {
                return Ok(());
            }
        }
        let Some(layout) = self.layout.as_ref() else {
            return Ok(());
        };
        self.report.rows_read += 1;
        let row = Row {
            file: &self.report.name,
            record,
            header: self.header,
            mark: layout.decimal_mark(),
        };
        match layout.read(&row) {
            RowOutcome::Excluded(issue) => self.exclude(quality, issue),
            RowOutcome::Event(event) if names.as_of.is_some_and(|as_of| event.date > as_of) => {
                let issue = row.row_issue(
                    format!(
                        "an event on or before the analysis date (it is on {})",
                        event.date
                    ),
                    Exclusion::AfterAsOf,
                );
                self.exclude(quality, issue);
            }
            RowOutcome::Event(event) => {
                self.report.rows_used += 1;
                names.activity.add(&crate::behaviour::Event {
                    user_id: event.user_id.as_deref(),
                    pseudo_id: event.pseudo_id.as_deref(),
                    date: event.date,
                    kind: event.kind,
                    session: event.session,
                });
            }
            RowOutcome::Line(line) => {
                if let Some(issue) = self.book.add(line, record.line, names) {
                    quality.note_issue(issue);
                }
            }
            RowOutcome::Profile(profile) => {
                self.report.rows_used += 1;
                names.add_profile(profile);
            }
        }
        Ok(())
    }

    /// Counts a row excluded on its own and lists it.
    fn exclude(&mut self, quality: &mut DataQuality, issue: RowIssue) {
        *self.report.rows_excluded.entry(issue.reason).or_default() += 1;
        if quality.rejected.len() < quality::REJECTIONS_LISTED {
            quality.rejected.push(Rejection {
                file: issue.file.clone(),
                line: issue.line,
                rows: 1,
                order: None,
                reason: issue.reason,
                detail: Some(issue.detail()),
            });
        }
        quality.note_issue(issue);
    }
}
