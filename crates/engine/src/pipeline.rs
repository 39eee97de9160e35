//! The whole analysis, from files to scored customers.
//!
//! Two drivers share these stages: [`analyze_readers`] for anything that is
//! `std::io::Read` (the CLI, tests), and the browser worker, which pushes
//! `Blob` slices into [`Ingest`] itself and then calls [`Analysis::new`].
//! Progress goes to a [`Sink`], whose answer decides whether to go on.

use std::io::Read;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::customers::CustomerTable;
use crate::date::Date;
use crate::ingest::{DataQuality, Ingest, IngestError, Ingested};
use crate::rfm::Rfm;

/// Bytes read from an input per step: large enough to keep per-call overhead
/// negligible, small enough for frequent progress and a prompt cancel.
pub const CHUNK_BYTES: usize = 8 << 20;

/// Options of one analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Analyse the data as it stood at the end of this day; later orders are
    /// excluded. Defaults to the day of the last counted order.
    pub as_of: Option<Date>,
}

/// A stage of the analysis, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reading,
    Scoring,
}

/// Where the analysis is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    /// Name of the file being read.
    pub file: String,
    /// 0-based index of that file, and the number of files.
    pub file_index: usize,
    pub files: usize,
    /// Bytes read over all files, and their total size when known.
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    /// Data rows read over all files.
    pub rows_done: u64,
}

/// Receives progress; returns `false` to cancel the analysis.
pub trait Sink {
    fn progress(&mut self, progress: &Progress) -> bool;
}

/// A sink that ignores progress and never cancels.
impl Sink for () {
    fn progress(&mut self, _: &Progress) -> bool {
        true
    }
}

/// Why an analysis did not complete.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
}

/// Everything computed for one store.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub quality: DataQuality,
    pub customers: CustomerTable,
    pub rfm: Rfm,
    /// Counted purchases and their net revenue.
    pub orders: u64,
    pub revenue: f64,
    pub currency: Option<String>,
    pub first_order: Option<Date>,
    pub last_order: Option<Date>,
    pub as_of: Option<Date>,
}

impl Analysis {
    /// Scores ingested customers.
    pub fn new(ingested: Ingested) -> Analysis {
        let rfm = Rfm::score(&ingested.customers);
        Analysis {
            quality: ingested.quality,
            customers: ingested.customers,
            rfm,
            orders: ingested.orders,
            revenue: ingested.revenue,
            currency: ingested.currency,
            first_order: ingested.first_order,
            last_order: ingested.last_order,
            as_of: ingested.as_of,
        }
    }
}

/// An input: a display name, its size if known, and its bytes.
pub struct Input<R> {
    pub name: String,
    pub size: Option<u64>,
    pub reader: R,
}

/// Reads every input in chunks and analyses them together.
pub fn analyze_readers<R: Read>(
    inputs: Vec<Input<R>>,
    options: &Options,
    sink: &mut impl Sink,
) -> Result<Analysis, Error> {
    let files = inputs.len();
    let bytes_total = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let mut ingest = Ingest::new(options.as_of);
    let mut buffer = vec![0u8; CHUNK_BYTES];
    let mut bytes_done = 0u64;
    for (file_index, mut input) in inputs.into_iter().enumerate() {
        ingest.begin_file(&input.name)?;
        loop {
            let read = match input.reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(Error::Io {
                        file: input.name,
                        source,
                    })
                }
            };
            ingest.push(&buffer[..read])?;
            bytes_done += read as u64;
            let progress = Progress {
                stage: Stage::Reading,
                file: input.name.clone(),
                file_index,
                files,
                bytes_done,
                bytes_total,
                rows_done: ingest.rows_read(),
            };
            if !sink.progress(&progress) {
                return Err(Error::Cancelled);
            }
        }
        ingest.end_file()?;
    }
    let scoring = Progress {
        stage: Stage::Scoring,
        file: String::new(),
        file_index: files.saturating_sub(1),
        files,
        bytes_done,
        bytes_total,
        rows_done: ingest.rows_read(),
    };
    if !sink.progress(&scoring) {
        return Err(Error::Cancelled);
    }
    Ok(Analysis::new(ingest.finish()?))
}

/// Analyses in-memory bytes (tests, the demo store).
pub fn analyze_bytes(name: &str, bytes: &[u8], options: &Options) -> Result<Analysis, Error> {
    let input = Input {
        name: name.to_string(),
        size: Some(bytes.len() as u64),
        reader: bytes,
    };
    analyze_readers(vec![input], options, &mut ())
}
