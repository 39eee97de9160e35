//! One page's session with the engine: runs analyses, keeps the last one,
//! and answers the page's questions about it (customer pages, exports).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use segmenter_engine::cluster::ClusterOptions;
use segmenter_engine::customer_rows::{CustomerPage, CustomerQuery};
use segmenter_engine::demo::{DemoStore, DEMO_FILE_NAME};
use segmenter_engine::export::activation::{write_export, Format};
use segmenter_engine::export::{write_customers_csv, write_rejected_csv};
use segmenter_engine::ingest::split::{self, SplitPlan};
use segmenter_engine::ingest::{FileOptions, PartReader};
use segmenter_engine::pipeline::{Analysis, Error, Options, Progress, Run, Sink, CHUNK_BYTES};
use segmenter_engine::protocol::{Event, Request, SegmentAnswer};
use segmenter_engine::segments::campaign::{lift, read_results, Holdout};
use segmenter_engine::segments::complete::complete;
use segmenter_engine::segments::library::Library;
use segmenter_engine::segments::movement::movement;
use segmenter_engine::segments::{self, SegmentDefinition};
use segmenter_engine::summary::Summary;
use segmenter_engine::Date;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::envelope::{self, describe};
use crate::pool::{self, Pool};
use crate::reader::SliceReader;

/// A customer order for one sort, filter and search, kept so scrolling
/// through it is instant.
struct SortedCustomers {
    /// The query it answers (any window of the same list).
    list: CustomerQuery,
    order: Vec<u32>,
}

pub struct Session {
    scope: DedicatedWorkerGlobalScope,
    analysis: Option<Analysis>,
    /// The options of the last analysis (its seed is used to recluster).
    options: Options,
    /// The segment editor's templates, attributes and values for it.
    library: Library,
    /// What the last analysis read, to read it again as of another date.
    source: Option<Source>,
    sorted: Option<SortedCustomers>,
    /// Set by a Cancel message; checked between slices.
    cancel: Rc<Cell<bool>>,
    running: bool,
    /// Helper workers for reading large files.
    pool: Rc<Pool>,
}

/// What to analyse.
#[derive(Clone)]
enum Source {
    /// The merchant's files, each with how to read it.
    Files(Vec<(File, FileOptions)>),
    Demo(DemoStore),
}

impl Session {
    pub fn new(scope: DedicatedWorkerGlobalScope, pool: Rc<Pool>) -> Session {
        Session {
            pool,
            scope,
            analysis: None,
            options: Options::default(),
            library: Library::default(),
            source: None,
            sorted: None,
            cancel: Rc::new(Cell::new(false)),
            running: false,
        }
    }

    fn post(&self, event: &Event) {
        envelope::post(&self.scope, event, None);
    }

    /// Handles one message from the page.
    pub fn receive(this: &Rc<RefCell<Session>>, data: JsValue) {
        let incoming = match envelope::open(&data) {
            Ok(incoming) => incoming,
            Err(message) => {
                this.borrow().post(&Event::failed(message));
                return;
            }
        };
        match incoming.request {
            Request::Analyze { files, options } => {
                // The files travel beside the message, in the same order.
                let files = incoming
                    .files
                    .into_iter()
                    .zip(
                        files
                            .into_iter()
                            .map(|info| info.options)
                            .chain(std::iter::repeat_with(FileOptions::default)),
                    )
                    .collect();
                Session::start(this, Source::Files(files), options);
            }
            Request::Demo { seed, options } => {
                let store = DemoStore {
                    seed,
                    ..DemoStore::default()
                };
                Session::start(this, Source::Demo(store), options);
            }
            Request::Cancel => this.borrow().cancel.set(true),
            Request::Customers(query) => this.borrow_mut().customers(query),
            Request::ExportCustomers => this.borrow().export(Export::Customers),
            Request::ExportRejected => this.borrow().export(Export::Rejected),
            Request::Recluster(clusters) => this.borrow_mut().recluster(clusters),
            Request::Segment { id, query, cursor } => this.borrow().segment(id, &query, cursor),
            Request::Movement { from } => Session::movement(this, from),
            Request::ExportSegments {
                format,
                segments,
                holdout,
            } => this
                .borrow()
                .export_segments(format, &segments, holdout.as_ref()),
            Request::Guard { segments } => this.borrow().guard(&segments),
            Request::ReadPiece { plan, start, end } => match incoming.files.into_iter().next() {
                Some(file) => this.borrow().read_piece(file, *plan, start, end),
                None => this
                    .borrow()
                    .post(&Event::failed("No file came with the piece to read.")),
            },
            Request::CampaignResults { segments, holdout } => {
                match incoming.files.into_iter().next() {
                    Some(file) => Session::campaign(this, file, segments, holdout),
                    None => this
                        .borrow()
                        .post(&Event::failed("No results file came with the request.")),
                }
            }
        }
    }

    fn start(this: &Rc<RefCell<Session>>, source: Source, options: Options) {
        let (scope, cancel) = {
            let mut session = this.borrow_mut();
            if session.running {
                session.post(&Event::failed(
                    "An analysis is already running; cancel it first.",
                ));
                return;
            }
            session.running = true;
            session.cancel.set(false);
            (session.scope.clone(), session.cancel.clone())
        };
        let this = this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let started = js_sys::Date::now();
            let early_scope = scope.clone();
            let mut sink = PostingSink { scope, cancel };
            let kept = source.clone();
            // The segments go to the page as soon as they are known; the
            // models follow in the Finished event.
            let mut early = |analysis: &Analysis| {
                let summary = Box::new(Summary::of(analysis));
                envelope::post(&early_scope, &Event::Provisional { summary }, None);
            };
            let pool = this.borrow().pool.clone();
            let result = run(source, &options, &mut sink, &mut early, &pool).await;
            replenish_soon(pool);
            let mut session = this.borrow_mut();
            session.running = false;
            match result {
                Ok(analysis) => {
                    session.options = options;
                    session.source = Some(kept);
                    let summary = Summary::of(&analysis);
                    session.library = Library::of(&analysis);
                    session.analysis = Some(analysis);
                    session.sorted = None;
                    session.post(&Event::Finished {
                        summary: Box::new(summary),
                        elapsed_ms: js_sys::Date::now() - started,
                    });
                    session.post(&Event::Library(Box::new(session.library.clone())));
                }
                Err(Failure::Engine(Error::Cancelled)) => session.post(&Event::Cancelled),
                Err(failure) => session.post(&Event::Failed {
                    message: failure.to_string(),
                    columns_needed: match &failure {
                        Failure::Engine(Error::Ingest(error)) => {
                            error.columns_needed().map(Box::new)
                        }
                        _ => None,
                    },
                }),
            }
        });
    }

    fn recluster(&mut self, clusters: ClusterOptions) {
        if self.running {
            self.post(&Event::failed(
                "An analysis is running; change the clusters when it is done.",
            ));
            return;
        }
        let Some(analysis) = &mut self.analysis else {
            self.post(&Event::failed(
                "No analysis yet: load a file or the demo store first.",
            ));
            return;
        };
        let started = js_sys::Date::now();
        analysis.recluster(self.options.seed, &clusters);
        self.options.clusters = clusters;
        // The cluster column of the table changed: sorted orders are stale.
        self.sorted = None;
        let event = Event::Reclustered {
            clusters: Box::new(analysis.clustering.summary.clone()),
            elapsed_ms: js_sys::Date::now() - started,
        };
        // Cluster names and template counts change with the clusters.
        self.library = Library::of(analysis);
        self.post(&event);
        self.post(&Event::Library(Box::new(self.library.clone())));
    }

    /// Reads the last files again as of `from` and compares the groups
    /// then with the groups now.
    fn movement(this: &Rc<RefCell<Session>>, from: Date) {
        let (source, options, cancel, pool) = {
            let mut session = this.borrow_mut();
            let (Some(source), Some(_)) = (session.source.clone(), &session.analysis) else {
                session.post(&Event::failed(
                    "No analysis yet: load a file or the demo store first.",
                ));
                return;
            };
            if session.running {
                session.post(&Event::failed(
                    "An analysis is already running; cancel it first.",
                ));
                return;
            }
            session.running = true;
            session.cancel.set(false);
            let options = Options {
                as_of: Some(from),
                ..session.options.clone()
            };
            (
                source,
                options,
                session.cancel.clone(),
                session.pool.clone(),
            )
        };
        let this = this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut sink = QuietSink { cancel };
            let earlier = run(source, &options, &mut sink, &mut |_| {}, &pool).await;
            replenish_soon(pool);
            let mut session = this.borrow_mut();
            session.running = false;
            match (earlier, &session.analysis) {
                (Ok(earlier), Some(now)) => {
                    let event = Event::Movement(Box::new(movement(&earlier, now)));
                    session.post(&event);
                }
                (Err(Failure::Engine(Error::Cancelled)), _) => session.post(&Event::Cancelled),
                (Err(failure), _) => session.post(&Event::failed(format!(
                    "Could not read the files as of {from}: {failure}"
                ))),
                (Ok(_), None) => {}
            }
        });
    }

    /// Reads a results file and measures the campaign's lift.
    fn campaign(
        this: &Rc<RefCell<Session>>,
        file: File,
        definitions: Vec<SegmentDefinition>,
        holdout: Holdout,
    ) {
        let this = this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let file_name = file.name();
            let mut reader = SliceReader::new(file.into(), CHUNK_BYTES);
            let mut bytes = Vec::new();
            let mut buffer = Vec::new();
            loop {
                match reader.next_into(&mut buffer).await {
                    Ok(Some(len)) => bytes.extend_from_slice(&buffer[..len]),
                    Ok(None) => break,
                    Err(e) => {
                        this.borrow().post(&Event::failed(format!(
                            "{file_name}: the browser could not read the file ({})",
                            describe(e)
                        )));
                        return;
                    }
                }
            }
            let session = this.borrow();
            let Some(analysis) = &session.analysis else {
                session.post(&Event::failed("No analysis yet: load your orders first."));
                return;
            };
            let segments = match segments::build(analysis, &definitions) {
                Ok(s) => s,
                Err(error) => return session.post(&Event::failed(error.to_string())),
            };
            match read_results(&file_name, &bytes, analysis) {
                Ok((outcomes, unknown)) => session.post(&Event::Campaign {
                    lifts: lift(analysis, &segments, &holdout, &outcomes),
                    unknown,
                }),
                Err(error) => session.post(&Event::failed(error.to_string())),
            }
        });
    }

    /// As a helper: reads bytes `start..end` of `file`, one piece of a file
    /// another worker is reading, and posts back what it read.
    fn read_piece(&self, file: File, plan: SplitPlan, start: u64, end: u64) {
        let scope = self.scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = async {
                let mut reader = PartReader::new(&plan).map_err(|e| e.to_string())?;
                reader.expect_bytes(end - start);
                let blob = file
                    .slice_with_f64_and_f64(start as f64, end as f64)
                    .map_err(describe)?;
                let mut slices = SliceReader::new(blob, CHUNK_BYTES);
                let mut buffer = Vec::new();
                while let Some(len) = slices.next_into(&mut buffer).await.map_err(describe)? {
                    reader.push(&buffer[..len]).map_err(|e| e.to_string())?;
                }
                // Each frame leaves this worker's memory as it is made.
                let frames = Array::new();
                reader.finish().encode(|frame| {
                    frames.push(&Uint8Array::from(frame));
                });
                Ok::<_, String>(frames)
            };
            match outcome.await {
                Ok(frames) => envelope::post_frames(&scope, &Event::Piece, &frames),
                Err(message) => envelope::post(&scope, &Event::failed(message), None),
            }
        });
    }

    fn guard(&self, definitions: &[SegmentDefinition]) {
        let Some(analysis) = &self.analysis else {
            self.post(&Event::failed(
                "No analysis yet: load a file or the demo store first.",
            ));
            return;
        };
        match segments::build(analysis, definitions) {
            Ok(built) => self.post(&Event::Guard(Box::new(segments::guard::guard(&built)))),
            Err(error) => self.post(&Event::failed(error.to_string())),
        }
    }

    fn export_segments(
        &self,
        format: Format,
        definitions: &[SegmentDefinition],
        holdout: Option<&Holdout>,
    ) {
        let Some(analysis) = &self.analysis else {
            self.post(&Event::failed("No analysis yet: nothing to export."));
            return;
        };
        let built = match segments::build(analysis, definitions) {
            Ok(built) => built,
            Err(error) => {
                self.post(&Event::failed(error.to_string()));
                return;
            }
        };
        let mut bytes = Vec::new();
        match write_export(format, analysis, &built, holdout, &mut bytes) {
            Ok(report) => {
                let event = Event::Export {
                    file_name: report.file_name,
                    rows: report.rows,
                    left_out: report.left_out,
                };
                envelope::post(&self.scope, &event, Some(Uint8Array::from(&bytes[..])));
            }
            Err(error) => self.post(&Event::failed(format!(
                "Could not write the export: {error}"
            ))),
        }
    }

    fn segment(&self, id: u32, query: &str, cursor: u32) {
        let Some(analysis) = &self.analysis else {
            self.post(&Event::failed(
                "No analysis yet: load a file or the demo store first.",
            ));
            return;
        };
        let (preview, error) = match segments::preview(analysis, query) {
            Ok(preview) => (Some(preview), None),
            Err(error) => (None, Some(error)),
        };
        let answer = SegmentAnswer {
            id,
            preview,
            error,
            completion: complete(query, cursor as usize, &self.library),
        };
        self.post(&Event::Segment(Box::new(answer)));
    }

    fn customers(&mut self, query: CustomerQuery) {
        let Some(analysis) = &self.analysis else {
            self.post(&Event::failed(
                "No analysis yet: load a file or the demo store first.",
            ));
            return;
        };
        if self
            .sorted
            .as_ref()
            .is_none_or(|s| !s.list.same_list(&query))
        {
            match analysis.customer_order(&query) {
                Ok(order) => {
                    self.sorted = Some(SortedCustomers {
                        list: query.clone(),
                        order,
                    })
                }
                Err(error) => {
                    let page = CustomerPage {
                        query,
                        total: 0,
                        rows: Vec::new(),
                        error: Some(error.to_string()),
                    };
                    envelope::post(&self.scope, &Event::Customers(page), None);
                    return;
                }
            }
        }
        if let Some(sorted) = &self.sorted {
            let page = analysis.customer_page(&sorted.order, query);
            envelope::post(&self.scope, &Event::Customers(page), None);
        }
    }

    fn export(&self, kind: Export) {
        let Some(analysis) = &self.analysis else {
            self.post(&Event::failed("No analysis yet: nothing to export."));
            return;
        };
        let mut bytes = Vec::new();
        let (written, file_name, rows) = match kind {
            Export::Customers => (
                write_customers_csv(analysis, &[], &mut bytes),
                "customers.csv",
                analysis.customers.len(),
            ),
            Export::Rejected => (
                write_rejected_csv(&analysis.quality, &mut bytes),
                "rejected-rows.csv",
                analysis.quality.rejected.len(),
            ),
        };
        if let Err(error) = written {
            self.post(&Event::failed(format!(
                "Could not write {file_name}: {error}"
            )));
            return;
        }
        let event = Event::Export {
            file_name: file_name.into(),
            rows: rows as u64,
            left_out: Default::default(),
        };
        envelope::post(&self.scope, &event, Some(Uint8Array::from(&bytes[..])));
    }
}

/// Files the page can ask for.
enum Export {
    Customers,
    Rejected,
}

/// Posts progress to the page; a Cancel message turns its answer to "stop".
struct PostingSink {
    scope: DedicatedWorkerGlobalScope,
    cancel: Rc<Cell<bool>>,
}

impl Sink for PostingSink {
    fn progress(&mut self, progress: &Progress) -> bool {
        envelope::post(&self.scope, &Event::Progress(progress.clone()), None);
        !self.cancel.get()
    }

    fn now_ms(&mut self) -> Option<f64> {
        // Sub-millisecond, monotonic; Date.now() would round every stage.
        Some(
            self.scope
                .performance()
                .map_or_else(js_sys::Date::now, |p| p.now()),
        )
    }

    /// The wasm memory only grows, so its size now is its peak.
    fn peak_memory_bytes(&mut self) -> Option<f64> {
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().ok()?;
        let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into().ok()?;
        Some(f64::from(buffer.byte_length()))
    }
}

/// Reports no progress (a second reading in the background), but still
/// stops on Cancel.
pub(crate) struct QuietSink {
    cancel: Rc<Cell<bool>>,
}

impl QuietSink {
    pub(crate) fn new(cancel: Rc<Cell<bool>>) -> QuietSink {
        QuietSink { cancel }
    }
}

impl Sink for QuietSink {
    fn progress(&mut self, _: &Progress) -> bool {
        !self.cancel.get()
    }
}

/// Why a run failed, in the merchant's words.
enum Failure {
    Engine(Error),
    Read { file: String, message: String },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Engine(error) => write!(f, "{error}"),
            Failure::Read { file, message } => {
                write!(f, "{file}: the browser could not read the file ({message})")
            }
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Engine(error)
    }
}

/// The engine's `Run`, fed with slices read asynchronously from `File`s (or
/// with the demo store's bytes); awaiting between slices lets a Cancel in.
/// Reads `source` and analyses it; `early` gets the provisional analysis
/// (customers and RFM groups) before the models fit.
async fn run(
    source: Source,
    options: &Options,
    sink: &mut impl Sink,
    early: &mut dyn FnMut(&Analysis),
    pool: &Pool,
) -> Result<Analysis, Failure> {
    match source {
        Source::Demo(store) => {
            let bytes = store.generate();
            Ok(analyse_bytes(DEMO_FILE_NAME, &bytes, options, sink, early).await?)
        }
        Source::Files(files) => {
            let total = files.iter().map(|(f, _)| f.size() as u64).sum();
            let mut run = Run::new(options, sink, files.len(), Some(total));
            for (file, file_options) in files {
                let name = file.name();
                run.begin_file(&name, file_options.clone(), Some(file.size() as u64))?;
                read_file(&mut run, &file, &file_options, pool).await?;
                run.end_file()?;
            }
            yield_now().await;
            Ok(run.finish_staged(early)?)
        }
    }
}

/// Analyses `bytes` held in memory (the demo store, the warm-up's stores)
/// as one file named `name`, yielding between slices.
pub(crate) async fn analyse_bytes(
    name: &str,
    bytes: &[u8],
    options: &Options,
    sink: &mut impl Sink,
    early: &mut dyn FnMut(&Analysis),
) -> Result<Analysis, Error> {
    let mut run = Run::new(options, sink, 1, Some(bytes.len() as u64));
    run.begin_file(name, FileOptions::default(), Some(bytes.len() as u64))?;
    for piece in bytes.chunks(CHUNK_BYTES / 8) {
        run.push(piece)?;
        yield_now().await;
    }
    run.end_file()?;
    run.finish_staged(early)
}

/// Pushes one file into `run`: a large order file in pieces, the first read
/// here while the pool's helper workers read the others, merged in order; a
/// piece that cannot be merged is read again here with the rest of the file.
async fn read_file(
    run: &mut Run<'_, impl Sink>,
    file: &File,
    options: &FileOptions,
    pool: &Pool,
) -> Result<(), Failure> {
    let size = file.size() as u64;
    let pieces = match pool.wanted() {
        0 => None,
        _ if size < split::MIN_SPLIT_BYTES => None,
        helpers => find_cuts(file, options, size, helpers + 1).await?,
    };
    let Some((plan, cuts)) = pieces else {
        return push_range(run, file, 0, size).await;
    };
    let ends = cuts.iter().skip(1).copied().chain([size]);
    let ranges: Vec<(u64, u64)> = cuts.iter().copied().zip(ends).collect();
    // Each helper lives until it has answered (dropping it ends it).
    let mut started = Vec::with_capacity(ranges.len());
    for &(start, end) in &ranges {
        match pool.take() {
            Ok(helper) => {
                let answer = helper.read_piece(file.clone(), plan.clone(), start, end);
                started.push((helper, answer));
            }
            Err(error) => {
                web_sys::console::warn_1(&error);
                return push_range(run, file, 0, size).await;
            }
        }
    }
    push_range(run, file, 0, cuts[0]).await?;
    for ((helper, answer), &(start, _)) in started.into_iter().zip(&ranges) {
        let merged = match pool::part_of(answer, helper).await {
            Some(part) => run.absorb_encoded(&part)?,
            None => false,
        };
        if !merged {
            return push_range(run, file, start, size).await;
        }
    }
    Ok(())
}

/// How to cut `file` into `pieces` pieces: its plan and where the pieces
/// after the first start. `None` when it is not an order table that can be
/// cut, or no cut was found.
async fn find_cuts(
    file: &File,
    options: &FileOptions,
    size: u64,
    pieces: usize,
) -> Result<Option<(SplitPlan, Vec<u64>)>, Failure> {
    let head = read_range(file, 0, split::HEAD_BYTES as u64).await?;
    let Some(plan) = split::plan(&file.name(), options, &head) else {
        return Ok(None);
    };
    let mut cuts: Vec<u64> = Vec::new();
    for offset in split::cut_offsets(&plan, size, pieces) {
        let window = read_range(file, offset, split::WINDOW_BYTES as u64).await?;
        if let Some(start) = split::record_start(&plan, &window) {
            let cut = offset + start as u64;
            if cut < size && cuts.last().is_none_or(|&last| cut > last) {
                cuts.push(cut);
            }
        }
    }
    Ok((!cuts.is_empty()).then_some((plan, cuts)))
}

/// Up to `len` bytes of `file` from `start`.
async fn read_range(file: &File, start: u64, len: u64) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    each_slice(file, start, start.saturating_add(len), |slice| {
        bytes.extend_from_slice(slice);
        Ok(())
    })
    .await?;
    Ok(bytes)
}

/// Pushes bytes `start..end` of `file` into `run`.
async fn push_range(
    run: &mut Run<'_, impl Sink>,
    file: &File,
    start: u64,
    end: u64,
) -> Result<(), Failure> {
    each_slice(file, start, end, |slice| Ok(run.push(slice)?)).await
}

/// Calls `each` on bytes `start..end` of `file`, slice by slice.
async fn each_slice(
    file: &File,
    start: u64,
    end: u64,
    mut each: impl FnMut(&[u8]) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let unreadable = |error: JsValue| Failure::Read {
        file: file.name(),
        message: describe(error),
    };
    let end = end.min(file.size() as u64);
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(unreadable)?;
    let mut reader = SliceReader::new(blob, CHUNK_BYTES);
    let mut buffer = Vec::new();
    while let Some(len) = reader.next_into(&mut buffer).await.map_err(unreadable)? {
        each(&buffer[..len])?;
    }
    Ok(())
}

/// Lets queued messages (a Cancel) in before going on.
pub(crate) async fn yield_now() {
    sleep(0).await;
}

/// Waits `ms` milliseconds, letting messages in meanwhile.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global: DedicatedWorkerGlobalScope =
            wasm_bindgen::JsCast::unchecked_into(js_sys::global());
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Starts the next file's helpers a little after an analysis (or the
/// warm-up) ends, once the page has drawn it: their loading and warm-up
/// would otherwise take a core from that.
pub(crate) fn replenish_soon(pool: Rc<Pool>) {
    wasm_bindgen_futures::spawn_local(async move {
        sleep(REPLENISH_AFTER_MS).await;
        pool.replenish();
    });
}

const REPLENISH_AFTER_MS: i32 = 1500;
