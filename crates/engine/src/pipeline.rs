//! The whole analysis, from files to scored customers.
//!
//! Two drivers share these stages: [`analyze_readers`] for anything that is
//! `std::io::Read` (the CLI, tests), and the browser worker, which pushes
//! `Blob` slices into [`Ingest`] itself and then calls [`Analysis::new`].
//! Progress goes to a [`Sink`], whose answer decides whether to go on.

use std::io::Read;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::behaviour::BehaviourSummary;
use crate::cluster::{ClusterInput, ClusterOptions, Clustering};
use crate::customers::CustomerTable;
use crate::date::Date;
use crate::ingest::{
    DataQuality, FileOptions, Ingest, IngestError, Ingested, Part, PartFrames, Totals,
};
use crate::interest::Interest;
use crate::models::scores::Predictions;
use crate::rfm::Rfm;
use crate::sales::Sales;
use crate::timing::{StageTime, Stopwatch};

/// Bytes read from an input per step: large enough to keep per-call overhead
/// negligible, small enough for frequent progress and a prompt cancel.
pub const CHUNK_BYTES: usize = 8 << 20;

/// Options of one analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Analyse the data as it stood at the end of this day; later orders are
    /// excluded. Defaults to the day of the last counted order.
    pub as_of: Option<Date>,
    /// Seed of the randomised steps (clustering): the same seed gives the
    /// same results, in the page and the CLI alike.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The features and number of clusters, when the merchant chose them.
    #[serde(default)]
    pub clusters: ClusterOptions,
}

/// The seed the page and the CLI use unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

fn default_seed() -> u64 {
    DEFAULT_SEED
}

impl Default for Options {
    fn default() -> Self {
        Options {
            as_of: None,
            seed: DEFAULT_SEED,
            clusters: ClusterOptions::default(),
        }
    }
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

    /// The host's clock in milliseconds, for the stage timings; the engine
    /// has none of its own (wasm32 has no `Instant`). `None`: no timings.
    fn now_ms(&mut self) -> Option<f64> {
        None
    }

    /// The most memory the host has held so far (bytes), when it can tell.
    fn peak_memory_bytes(&mut self) -> Option<f64> {
        None
    }
}

/// How long the stages took, when the host has a clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Reading and parsing every file, and building the customer table.
    pub ingest_ms: f64,
    pub rfm_ms: f64,
    /// Grouping the histories and fitting the repeat-buying model in use.
    pub fit_ms: f64,
    /// All model work: both repeat-buying models, spend, backtests,
    /// propensity and every customer's scores, then the clusters.
    pub models_ms: f64,
    /// Every stage in the order it ran, finer than the totals above.
    #[serde(default)]
    pub stages: Vec<StageTime>,
    /// The most memory the analysis held, as the host sees it: the wasm
    /// memory in the browser, the peak resident set natively (bytes).
    #[serde(default)]
    pub peak_memory_bytes: Option<f64>,
    /// Pieces of files read in parallel and merged (0: every file was
    /// read in one piece).
    #[serde(default)]
    pub pieces_merged: u64,
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
    pub totals: Totals,
    pub rfm: Rfm,
    /// Store-level analytics figures, when events were read.
    pub behaviour: Option<BehaviourSummary>,
    /// What the counted purchases sold.
    pub sales: Sales,
    /// The fitted models and every customer's predictions.
    pub predictions: Predictions,
    /// Stage timings, when the host gave a clock.
    pub timings: Option<Timings>,
    /// Customer clusters.
    pub clustering: Clustering,
    /// Recommendations, cross-sells, bundles and replenishment.
    pub interest: Interest,
    /// Customers and RFM groups only: the models, clusters and
    /// recommendations are still being worked out (see [`Analysis::staged`]).
    pub provisional: bool,
}

impl Analysis {
    /// Scores ingested customers.
    pub fn new(ingested: Ingested) -> Analysis {
        Analysis::timed(ingested, &Options::default(), &mut || None)
    }

    /// Scores ingested customers, timing the stages with `clock` (ms).
    pub fn timed(
        ingested: Ingested,
        options: &Options,
        clock: &mut dyn FnMut() -> Option<f64>,
    ) -> Analysis {
        Analysis::staged(ingested, options, clock, &mut |_| {})
    }

    /// [`Analysis::timed`], first handing `early` the provisional analysis
    /// (customers and RFM groups, no model yet) so a host can show the
    /// segments while the models fit: RFM takes milliseconds, the models
    /// and clusters seconds on a large store.
    pub fn staged(
        ingested: Ingested,
        options: &Options,
        clock: &mut dyn FnMut() -> Option<f64>,
        early: &mut dyn FnMut(&Analysis),
    ) -> Analysis {
        let Ingested {
            quality,
            customers,
            totals,
            behaviour,
            sales,
        } = ingested;
        let mut watch = Stopwatch::start(clock);
        let rfm = Rfm::score(&customers);
        let rfm_ms = watch.lap("RFM");
        let n = customers.len();
        let mut analysis = Analysis {
            quality,
            customers,
            totals,
            rfm,
            behaviour,
            sales,
            predictions: Predictions::pending(n),
            timings: None,
            clustering: Clustering::pending(n),
            interest: Interest::default(),
            provisional: true,
        };
        early(&analysis);
        // The empty scores were for the first look only (200 bytes a
        // customer: 200 MB for a million, held through the models' peak).
        analysis.predictions.scores = Vec::new();
        analysis.clustering = Clustering::pending(0);
        watch.lap("showing the segments");
        let models_start = watch.now();
        let predictions = Predictions::fit(&analysis.sales, &analysis.customers, &mut watch);
        let clustering = Clustering::run_timed(
            &ClusterInput {
                customers: &analysis.customers,
                scores: &predictions.scores,
                sales: &analysis.sales,
                rfm: &analysis.rfm.group,
            },
            options.seed,
            &options.clusters,
            &mut watch,
        );
        let interest = Interest::find_timed(&analysis.sales, n, analysis.totals.as_of, &mut watch);
        let models_end = watch.now();
        analysis.timings = match (rfm_ms, models_start, models_end) {
            (Some(rfm_ms), Some(start), Some(end)) => Some(Timings {
                ingest_ms: 0.0,
                rfm_ms,
                fit_ms: predictions.fit_ms.unwrap_or(0.0),
                models_ms: end - start,
                stages: watch.into_stages(),
                peak_memory_bytes: None,
                pieces_merged: 0,
            }),
            _ => None,
        };
        analysis.predictions = predictions;
        analysis.clustering = clustering;
        analysis.interest = interest;
        analysis.provisional = false;
        analysis
    }
}

impl Analysis {
    /// Clusters the customers again with other features or another number
    /// of groups; everything else stays as it is.
    pub fn recluster(&mut self, seed: u64, options: &ClusterOptions) {
        self.clustering = Clustering::run(
            &ClusterInput {
                customers: &self.customers,
                scores: &self.predictions.scores,
                sales: &self.sales,
                rfm: &self.rfm.group,
            },
            seed,
            options,
        );
    }
}

/// An input: a display name, its size if known, its bytes, and how to read
/// it where detection cannot tell.
pub struct Input<R> {
    pub name: String,
    pub size: Option<u64>,
    pub reader: R,
    pub options: FileOptions,
}

/// One analysis under way: the stages in order, with progress reported to a
/// [`Sink`] after every chunk. Drivers only move bytes: `analyze_readers`
/// from `Read`ers, the browser worker from `Blob` slices.
pub struct Run<'s, S: Sink> {
    ingest: Ingest,
    sink: &'s mut S,
    progress: Progress,
    started_ms: Option<f64>,
    /// Time spent inside `push` (tokenizing and reading rows into orders);
    /// the rest of the ingest until `finish` is the host fetching bytes.
    parse_ms: f64,
    /// Time spent merging pieces read elsewhere (inside `absorb`).
    merge_ms: f64,
    pieces_merged: u64,
    options: Options,
}

impl<'s, S: Sink> Run<'s, S> {
    /// Starts an analysis of `files` inputs of `bytes_total` bytes in all
    /// (when known).
    pub fn new(options: &Options, sink: &'s mut S, files: usize, bytes_total: Option<u64>) -> Self {
        let started_ms = sink.now_ms();
        Run {
            ingest: Ingest::new(options.as_of),
            started_ms,
            parse_ms: 0.0,
            merge_ms: 0.0,
            pieces_merged: 0,
            options: options.clone(),
            sink,
            progress: Progress {
                stage: Stage::Reading,
                file: String::new(),
                file_index: 0,
                files,
                bytes_done: 0,
                bytes_total,
                rows_done: 0,
            },
        }
    }

    /// Starts the next input file, of `size` bytes when known (the book
    /// then makes room for its orders at once).
    pub fn begin_file(
        &mut self,
        name: &str,
        options: FileOptions,
        size: Option<u64>,
    ) -> Result<(), Error> {
        if !self.progress.file.is_empty() {
            self.progress.file_index += 1;
        }
        self.progress.file = name.to_string();
        self.ingest.begin_file_with(name, options)?;
        if let Some(size) = size {
            self.ingest.expect_bytes(size);
        }
        Ok(())
    }

    /// Feeds the next bytes of the current file and reports progress;
    /// `Err(Cancelled)` when the sink asks to stop.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let start = self.sink.now_ms();
        self.ingest.push(bytes)?;
        if let (Some(start), Some(end)) = (start, self.sink.now_ms()) {
            self.parse_ms += end - start;
        }
        self.progress.bytes_done += bytes.len() as u64;
        self.report()
    }

    /// Merges a piece of the current file read elsewhere, the one that
    /// starts where the bytes pushed so far end (see `ingest::split`).
    /// `Ok(false)`: it cannot be merged (the cut was no record start), and
    /// the driver pushes the file's bytes from the piece's start instead.
    pub fn absorb(&mut self, part: Part) -> Result<bool, Error> {
        self.merged(|ingest| ingest.absorb(part))
    }

    /// As [`Run::absorb`], for a piece encoded by another worker
    /// ([`Part::encode`]).
    pub fn absorb_encoded(&mut self, frames: &(impl PartFrames + ?Sized)) -> Result<bool, Error> {
        self.merged(|ingest| ingest.absorb_encoded(frames))
    }

    fn merged(
        &mut self,
        merge: impl FnOnce(&mut Ingest) -> Result<Option<u64>, IngestError>,
    ) -> Result<bool, Error> {
        let start = self.sink.now_ms();
        let merged = merge(&mut self.ingest)?;
        if let (Some(start), Some(end)) = (start, self.sink.now_ms()) {
            self.merge_ms += end - start;
        }
        let Some(bytes) = merged else {
            return Ok(false);
        };
        self.pieces_merged += 1;
        self.progress.bytes_done += bytes;
        self.report()?;
        Ok(true)
    }

    /// Ends the current file.
    pub fn end_file(&mut self) -> Result<(), Error> {
        Ok(self.ingest.end_file()?)
    }

    /// Scores the customers of every file read.
    pub fn finish(self) -> Result<Analysis, Error> {
        self.finish_staged(&mut |_| {})
    }

    /// [`Run::finish`], handing `early` the provisional analysis first
    /// (see [`Analysis::staged`]).
    pub fn finish_staged(mut self, early: &mut dyn FnMut(&Analysis)) -> Result<Analysis, Error> {
        self.progress.stage = Stage::Scoring;
        self.report()?;
        let finish_start = self.sink.now_ms();
        let ingested = self.ingest.finish()?;
        let ingest_end = self.sink.now_ms();
        let sink = &mut *self.sink;
        let mut analysis = Analysis::staged(ingested, &self.options, &mut || sink.now_ms(), early);
        if let (Some(timings), Some(start), Some(finish_start), Some(end)) = (
            analysis.timings.as_mut(),
            self.started_ms,
            finish_start,
            ingest_end,
        ) {
            timings.ingest_ms = end - start;
            // "reading" is the rest: the host fetching bytes, and waiting
            // for the pieces other workers or threads read.
            let ingest = [
                (
                    "reading",
                    finish_start - start - self.parse_ms - self.merge_ms,
                ),
                ("parsing", self.parse_ms),
                ("merging pieces", self.merge_ms),
                ("orders and customers", end - finish_start),
            ];
            timings.stages.splice(
                0..0,
                ingest
                    .into_iter()
                    .filter(|&(stage, ms)| stage != "merging pieces" || ms > 0.0)
                    .map(|(stage, ms)| StageTime {
                        stage: stage.to_string(),
                        ms,
                    }),
            );
            timings.peak_memory_bytes = self.sink.peak_memory_bytes();
            timings.pieces_merged = self.pieces_merged;
        }
        Ok(analysis)
    }

    fn report(&mut self) -> Result<(), Error> {
        self.progress.rows_done = self.ingest.rows_read();
        if self.sink.progress(&self.progress) {
            Ok(())
        } else {
            Err(Error::Cancelled)
        }
    }
}

/// Reads every input in chunks and analyses them together.
pub fn analyze_readers<R: Read>(
    inputs: Vec<Input<R>>,
    options: &Options,
    sink: &mut impl Sink,
) -> Result<Analysis, Error> {
    let bytes_total = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let mut run = Run::new(options, sink, inputs.len(), bytes_total);
    let mut buffer = vec![0u8; CHUNK_BYTES];
    for mut input in inputs {
        run.begin_file(&input.name, input.options, input.size)?;
        loop {
            match input.reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => run.push(&buffer[..read])?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(Error::Io {
                        file: input.name,
                        source,
                    })
                }
            }
        }
        run.end_file()?;
    }
    run.finish()
}

/// Analyses in-memory bytes (tests, the demo store).
pub fn analyze_bytes(name: &str, bytes: &[u8], options: &Options) -> Result<Analysis, Error> {
    let input = Input {
        name: name.to_string(),
        size: Some(bytes.len() as u64),
        reader: bytes,
        options: FileOptions::default(),
    };
    analyze_readers(vec![input], options, &mut ())
}

/// The small Shopify customers and orders exports analysed together: the
/// store most feature tests run on.
#[cfg(test)]
pub(crate) fn small_shop() -> Analysis {
    let input = |name: &str, bytes: &'static [u8]| Input {
        name: name.to_string(),
        size: Some(bytes.len() as u64),
        reader: bytes,
        options: FileOptions::default(),
    };
    analyze_readers(
        vec![
            input(
                "customers.csv",
                include_bytes!("../tests/data/shopify_customers_small.csv"),
            ),
            input(
                "orders.csv",
                include_bytes!("../tests/data/shopify_orders_small.csv"),
            ),
        ],
        &Options::default(),
        &mut (),
    )
    .expect("the small shop analyses")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] =
        b"customer_id,order_id,order_date,amount\nC1,A,2025-01-01,5\nC2,B,2025-01-02,6\n";

    #[test]
    fn the_early_look_has_the_final_segments_and_no_predictions_yet() {
        let bytes = crate::demo::DemoStore {
            customers: 300,
            ..Default::default()
        }
        .generate();
        let mut ingest = Ingest::new(None);
        ingest.begin_file("demo.csv").expect("begin");
        ingest.push(&bytes).expect("push");
        let ingested = ingest.finish().expect("finish");
        let mut early = None;
        let final_analysis =
            Analysis::staged(ingested, &Options::default(), &mut || None, &mut |a| {
                early = Some(crate::summary::Summary::of(a));
            });
        let early = early.expect("called before the models");
        let done = crate::summary::Summary::of(&final_analysis);
        assert!(early.provisional && !done.provisional);
        assert_eq!(early.rfm_groups, done.rfm_groups);
        assert_eq!(early.rfm_group_stats, done.rfm_group_stats);
        assert_eq!(early.customers, done.customers);
        assert!(early.models.bgnbd.fit.params.is_none() && done.models.bgnbd.fit.params.is_some());
        assert!(early.clusters.clusters.is_empty() && !done.clusters.clusters.is_empty());
        // Never part of summary.json.
        let json = serde_json::to_value(&done).expect("json");
        assert!(json.get("provisional").is_none());
    }

    fn inputs(n: usize) -> Vec<Input<&'static [u8]>> {
        (0..n)
            .map(|i| Input {
                name: format!("f{i}.csv"),
                size: Some(FILE.len() as u64),
                reader: FILE,
                options: FileOptions::default(),
            })
            .collect()
    }

    /// Records every report; stops after `stop_after` reports if set.
    struct Recorder {
        seen: Vec<Progress>,
        stop_after: Option<usize>,
    }

    impl Sink for Recorder {
        fn progress(&mut self, progress: &Progress) -> bool {
            self.seen.push(progress.clone());
            self.stop_after.is_none_or(|n| self.seen.len() < n)
        }
    }

    #[test]
    fn progress_counts_bytes_rows_and_files_then_scoring() {
        let mut sink = Recorder {
            seen: Vec::new(),
            stop_after: None,
        };
        let analysis = analyze_readers(inputs(2), &Options::default(), &mut sink).expect("runs");
        assert_eq!(analysis.customers.len(), 2);
        let last = sink.seen.last().expect("reports");
        assert_eq!(last.stage, Stage::Scoring);
        assert_eq!(last.bytes_done, 2 * FILE.len() as u64);
        assert_eq!(last.bytes_total, Some(2 * FILE.len() as u64));
        assert_eq!(last.rows_done, 4);
        assert_eq!(
            sink.seen.iter().map(|p| p.file_index).collect::<Vec<_>>(),
            [0, 1, 1]
        );
        assert!(sink
            .seen
            .windows(2)
            .all(|w| w[0].bytes_done <= w[1].bytes_done));
    }

    #[test]
    fn a_sink_can_cancel() {
        let mut sink = Recorder {
            seen: Vec::new(),
            stop_after: Some(1),
        };
        let result = analyze_readers(inputs(2), &Options::default(), &mut sink);
        assert!(matches!(result, Err(Error::Cancelled)));
        assert_eq!(sink.seen.len(), 1);
    }

    #[test]
    fn read_errors_name_the_file() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let input = Input {
            name: "orders.csv".to_string(),
            size: None,
            reader: Broken,
            options: FileOptions::default(),
        };
        let error = analyze_readers(vec![input], &Options::default(), &mut ()).expect_err("fails");
        assert_eq!(error.to_string(), "orders.csv: disk on fire");
    }
}
