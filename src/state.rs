//! The page's state: what the worker last told us, as signals, and the
//! actions a merchant can take (each one a request to the worker).

use std::sync::Arc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use segmenter_engine::cluster::ClusterOptions;
use segmenter_engine::customer_rows::{CustomerPage, CustomerQuery};
use segmenter_engine::demo::DemoStore;
use segmenter_engine::export::activation::Format;
use segmenter_engine::ingest::{ColumnsNeeded, FileOptions};
use segmenter_engine::pipeline::{Options, Progress};
use segmenter_engine::protocol::{Event, FileInfo, Request, SegmentAnswer};
use segmenter_engine::segments::campaign::{Holdout, Lift};
use segmenter_engine::segments::guard::Guard;
use segmenter_engine::segments::library::Library;
use segmenter_engine::segments::movement::Movement;
use segmenter_engine::segments::SegmentDefinition;
use segmenter_engine::summary::Summary;
use segmenter_engine::Date;
use wasm_bindgen::JsCast;
use web_sys::File;

use crate::bridge;
use crate::storage::{self, Remembered, Settings};

/// Where the page is in its one job.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing loaded yet.
    Idle,
    /// The worker is analysing `source`, since `started_ms` (page clock).
    Running {
        source: String,
        started_ms: f64,
    },
    Done,
    Cancelled,
    Failed(String),
}

/// A finished analysis as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub summary: Summary,
    pub elapsed_ms: f64,
    /// What was analysed, in words ("orders_export.csv", "the demo store").
    pub source: String,
}

/// All page state; `Copy`, so components take it from context by value.
#[derive(Clone, Copy)]
pub struct AppState {
    pub engine_ready: RwSignal<bool>,
    /// How long the worker's warm-up took, once it has finished (ms).
    pub engine_warmed_ms: RwSignal<Option<f64>>,
    pub phase: RwSignal<Phase>,
    pub progress: RwSignal<Option<Progress>>,
    pub finished: RwSignal<Option<Arc<Finished>>>,
    pub query: RwSignal<CustomerQuery>,
    /// What the customer list is narrowed to, in words ("Champions",
    /// "R 5 · F 3"); its segment query is `query.filter`.
    pub drill_label: RwSignal<Option<String>>,
    /// A query for the segment editor to open (from the drill-down).
    pub editor_request: RwSignal<Option<String>>,
    pub page: RwSignal<Option<CustomerPage>>,
    /// Set when the last run could not tell a file's columns apart.
    pub columns_needed: RwSignal<Option<ColumnsNeeded>>,
    /// The clusters are being recomputed with the merchant's choices.
    pub reclustering: RwSignal<bool>,
    /// Why regrouping failed, shown in the clusters panel.
    pub recluster_error: RwSignal<Option<String>>,
    /// The segment editor's templates, attributes and values.
    pub library: RwSignal<Option<Arc<Library>>>,
    /// The answer to the latest segment query.
    pub segment: RwSignal<Option<SegmentAnswer>>,
    /// Id of the latest segment query sent (older answers are dropped).
    segment_id: StoredValue<u32>,
    /// What the last download holds and left out.
    pub export_note: RwSignal<Option<String>>,
    /// The analysis date the merchant chose (`None`: the latest order).
    pub as_of: RwSignal<Option<Date>>,
    /// Movement between groups since an earlier date, when asked for.
    pub movement: RwSignal<Option<Arc<Movement>>>,
    pub movement_busy: RwSignal<bool>,
    pub movement_error: RwSignal<Option<String>>,
    /// Campaign lift from a results file, and rows naming nobody.
    pub campaign: RwSignal<Option<(Vec<Lift>, u64)>>,
    pub campaign_busy: RwSignal<bool>,
    pub campaign_error: RwSignal<Option<String>>,
    /// Segments the merchant saved (kept across analyses of the session).
    pub saved: RwSignal<Vec<SegmentDefinition>>,
    pub guard: RwSignal<Option<Guard>>,
    guard_busy: RwSignal<bool>,
    pub guard_error: RwSignal<Option<String>>,
    /// Percent of each segment held out of campaigns (0: none).
    pub holdout_percent: RwSignal<f64>,
    /// The merchant asked to keep the last analysis in this browser.
    pub remember: RwSignal<bool>,
    /// What the browser's storage last did or could not do, in words.
    pub storage_note: RwSignal<Option<String>>,
    /// The service worker holds the app's files: the page opens offline.
    pub offline_ready: RwSignal<bool>,
    /// The files of the last run and how each is read, to run again with a
    /// worksheet or columns the merchant chose.
    files: StoredValue<Vec<(File, FileOptions)>, LocalStorage>,
}

impl AppState {
    /// Creates the state, starts the worker and wires its events in.
    pub fn start() -> AppState {
        let state = AppState {
            engine_ready: RwSignal::new(false),
            engine_warmed_ms: RwSignal::new(None),
            phase: RwSignal::new(Phase::Idle),
            progress: RwSignal::new(None),
            finished: RwSignal::new(None),
            query: RwSignal::new(CustomerQuery::default()),
            drill_label: RwSignal::new(None),
            editor_request: RwSignal::new(None),
            page: RwSignal::new(None),
            columns_needed: RwSignal::new(None),
            reclustering: RwSignal::new(false),
            recluster_error: RwSignal::new(None),
            library: RwSignal::new(None),
            segment: RwSignal::new(None),
            segment_id: StoredValue::new(0),
            export_note: RwSignal::new(None),
            as_of: RwSignal::new(None),
            movement: RwSignal::new(None),
            movement_busy: RwSignal::new(false),
            movement_error: RwSignal::new(None),
            campaign: RwSignal::new(None),
            campaign_busy: RwSignal::new(false),
            campaign_error: RwSignal::new(None),
            saved: RwSignal::new(Vec::new()),
            guard: RwSignal::new(None),
            guard_busy: RwSignal::new(false),
            guard_error: RwSignal::new(None),
            holdout_percent: RwSignal::new(0.0),
            remember: RwSignal::new(storage::is_on()),
            storage_note: RwSignal::new(None),
            offline_ready: RwSignal::new(false),
            files: StoredValue::new_local(Vec::new()),
        };
        bridge::start(move |event, bytes| state.apply(event, bytes));

        // Whenever the query or the analysis changes, ask for the page to show.
        Effect::new(move |_| {
            let query = state.query.get();
            if state.finished.with(Option::is_some) {
                bridge::send(&Request::Customers(query), &[]);
            }
        });
        state
    }

    fn apply(self, event: Event, bytes: Option<Uint8Array>) {
        match event {
            Event::Ready { .. } => self.engine_ready.set(true),
            Event::Warmed { elapsed_ms } => self.engine_warmed_ms.set(Some(elapsed_ms)),
            Event::Progress(progress) => self.progress.set(Some(progress)),
            Event::Provisional { summary } => {
                // The segments, while the worker goes on with the models:
                // shown at once, the rest of the page follows on Finished.
                let (source, started_ms) = match self.phase.get_untracked() {
                    Phase::Running { source, started_ms } => (source, started_ms),
                    _ => (String::new(), js_sys::Date::now()),
                };
                self.page.set(None);
                self.drill_label.set(None);
                self.query.set(CustomerQuery::default());
                self.finished.set(Some(Arc::new(Finished {
                    summary: *summary,
                    elapsed_ms: js_sys::Date::now() - started_ms,
                    source,
                })));
            }
            Event::Finished {
                summary,
                elapsed_ms,
            } => {
                let source = match self.phase.get_untracked() {
                    Phase::Running { source, .. } => source,
                    _ => String::new(),
                };
                self.page.set(None);
                self.drill_label.set(None);
                self.query.set(CustomerQuery::default());
                self.finished.set(Some(Arc::new(Finished {
                    summary: *summary,
                    elapsed_ms,
                    source,
                })));
                self.progress.set(None);
                self.phase.set(Phase::Done);
                // Saved segments are checked against the new analysis.
                self.check_saved();
                self.persist();
            }
            Event::Reclustered { clusters, .. } => {
                self.reclustering.set(false);
                self.finished.update(|finished| {
                    if let Some(f) = finished {
                        let mut next = (**f).clone();
                        next.summary.clusters = *clusters;
                        *f = Arc::new(next);
                    }
                });
            }
            Event::Library(library) => self.library.set(Some(Arc::new(*library))),
            Event::Guard(guard) => {
                self.guard_busy.set(false);
                self.guard.set(Some(*guard));
            }
            Event::Campaign { lifts, unknown } => {
                self.campaign_busy.set(false);
                self.campaign.set(Some((lifts, unknown)));
            }
            Event::Movement(movement) => {
                self.movement_busy.set(false);
                self.movement.set(Some(Arc::new(*movement)));
            }
            Event::Segment(answer) => {
                if answer.id == self.segment_id.get_value() {
                    self.segment.set(Some(*answer));
                }
            }
            Event::Customers(page) => {
                // A late answer about another list is not what is asked for
                // now; a window of the same list still fills rows in view.
                let same_list = self.query.with_untracked(|q| q.same_list(&page.query));
                if same_list {
                    self.page.set(Some(page));
                }
            }
            Event::Export {
                file_name,
                rows,
                left_out,
            } => {
                if let Some(bytes) = bytes {
                    save_file(&file_name, &bytes);
                }
                // The note belongs to the segment editor's platform files.
                if !Format::ALL.iter().any(|f| f.file_name() == file_name) {
                    return;
                }
                let left: Vec<String> = left_out
                    .iter()
                    .map(|(why, n)| format!("{} {why}", crate::format::int(*n)))
                    .collect();
                self.export_note.set(Some(format!(
                    "{file_name}: {}{}",
                    segmenter_engine::wording::count(rows, "customer", "customers"),
                    if left.is_empty() {
                        String::new()
                    } else {
                        format!(" (left out: {})", left.join(", "))
                    }
                )));
            }
            // Helpers answer the worker with pieces, never the page.
            Event::Piece => {}
            Event::Cancelled => {
                if self.movement_busy.get_untracked() {
                    self.movement_busy.set(false);
                    return;
                }
                self.progress.set(None);
                self.phase.set(Phase::Cancelled);
            }
            Event::Failed {
                message,
                columns_needed,
            } => {
                if self.movement_busy.get_untracked() {
                    self.movement_busy.set(false);
                    self.movement_error.set(Some(message));
                    return;
                }
                if self.guard_busy.get_untracked() {
                    self.guard_busy.set(false);
                    self.guard.set(None);
                    self.guard_error.set(Some(message));
                    return;
                }
                if self.campaign_busy.get_untracked() {
                    self.campaign_busy.set(false);
                    self.campaign_error.set(Some(message));
                    return;
                }
                if self.reclustering.get_untracked() {
                    // Regrouping failed; the analysis itself stands.
                    self.reclustering.set(false);
                    self.recluster_error.set(Some(message));
                    return;
                }
                self.progress.set(None);
                self.columns_needed.set(columns_needed.map(|c| *c));
                self.phase.set(Phase::Failed(message));
            }
        }
    }

    /// Whether an analysis is under way (tracked: for views).
    pub fn busy(self) -> bool {
        self.phase.with(|p| matches!(p, Phase::Running { .. }))
    }

    /// Whether the page shows the early look (segments, no models yet).
    pub fn provisional(self) -> bool {
        self.finished
            .with(|f| f.as_ref().is_some_and(|f| f.summary.provisional))
    }

    fn busy_now(self) -> bool {
        self.phase
            .with_untracked(|p| matches!(p, Phase::Running { .. }))
    }

    /// Analyses the merchant's files.
    pub fn analyze_files(self, files: Vec<File>) {
        if files.is_empty() || self.busy_now() {
            return;
        }
        self.as_of.set(None);
        let files = files
            .into_iter()
            .map(|f| (f, FileOptions::default()))
            .collect();
        self.files.set_value(files);
        self.run_files();
    }

    /// Analyses the last files again, reading `file` with `options`.
    pub fn rerun_with(self, file: &str, options: FileOptions) {
        if self.busy_now() {
            return;
        }
        self.files.update_value(|files| {
            for (f, o) in files.iter_mut() {
                if f.name() == file {
                    *o = options.clone();
                }
            }
        });
        self.run_files();
    }

    fn run_files(self) {
        let (infos, files): (Vec<FileInfo>, Vec<File>) = self.files.with_value(|files| {
            files
                .iter()
                .map(|(f, options)| {
                    let info = FileInfo {
                        name: f.name(),
                        size: f.size() as u64,
                        options: options.clone(),
                    };
                    (info, f.clone())
                })
                .unzip()
        });
        if files.is_empty() {
            return;
        }
        let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
        self.begin(names.join(", "));
        let request = Request::Analyze {
            files: infos,
            options: self.options(),
        };
        bridge::send(&request, &files);
    }

    /// How file `name` of the last run was read.
    pub fn file_options(self, name: &str) -> FileOptions {
        self.files.with_value(|files| {
            files
                .iter()
                .find(|(f, _)| f.name() == name)
                .map(|(_, o)| o.clone())
                .unwrap_or_default()
        })
    }

    /// Analyses the built-in demo store.
    pub fn load_demo(self) {
        self.as_of.set(None);
        self.run_demo();
    }

    fn run_demo(self) {
        if self.busy_now() {
            return;
        }
        self.files.set_value(Vec::new());
        self.begin("the demo store".into());
        let request = Request::Demo {
            seed: DemoStore::default().seed,
            options: self.options(),
        };
        bridge::send(&request, &[]);
    }

    /// One file, one result: the previous result leaves the page when a new
    /// analysis starts.
    fn begin(self, source: String) {
        self.columns_needed.set(None);
        self.recluster_error.set(None);
        self.library.set(None);
        self.segment.set(None);
        self.export_note.set(None);
        self.movement.set(None);
        self.movement_error.set(None);
        self.campaign.set(None);
        self.campaign_error.set(None);
        self.finished.set(None);
        self.page.set(None);
        self.progress.set(None);
        self.phase.set(Phase::Running {
            source,
            started_ms: js_sys::Date::now(),
        });
    }

    pub fn cancel(self) {
        bridge::send(&Request::Cancel, &[]);
    }

    /// Clusters the customers again with the merchant's features and k.
    pub fn recluster(self, options: ClusterOptions) {
        if self.busy_now() || self.reclustering.get_untracked() {
            return;
        }
        self.reclustering.set(true);
        self.recluster_error.set(None);
        bridge::send(&Request::Recluster(options), &[]);
    }

    fn options(self) -> Options {
        Options {
            as_of: self.as_of.get_untracked(),
            ..Options::default()
        }
    }

    /// Analyses the same data again as it stood at the end of `as_of`
    /// (`None`: up to the latest order).
    pub fn analyse_as_of(self, as_of: Option<Date>) {
        if self.busy_now() {
            return;
        }
        self.as_of.set(as_of);
        if self.files.with_value(Vec::is_empty) {
            self.run_demo();
        } else {
            self.run_files();
        }
    }

    /// Compares the groups now with the groups as of `from`.
    pub fn compare_with(self, from: Date) {
        if self.busy_now() || self.movement_busy.get_untracked() {
            return;
        }
        self.movement_busy.set(true);
        self.movement_error.set(None);
        bridge::send(&Request::Movement { from }, &[]);
    }

    /// Asks the worker for the size of `query` and completions at `cursor`.
    pub fn ask_segment(self, query: String, cursor: u32) {
        if self.busy_now() || self.finished.with_untracked(Option::is_none) {
            return;
        }
        let id = self.segment_id.get_value().wrapping_add(1);
        self.segment_id.set_value(id);
        bridge::send(&Request::Segment { id, query, cursor }, &[]);
    }

    /// Downloads a platform file of the segment `query` named `name`.
    pub fn export_segments(
        self,
        format: Format,
        segments: Vec<SegmentDefinition>,
        holdout: Option<Holdout>,
    ) {
        let request = Request::ExportSegments {
            format,
            segments,
            holdout,
        };
        bridge::send(&request, &[]);
    }

    /// The holdout the merchant set, if any.
    pub fn holdout(self) -> Option<Holdout> {
        let share = self.holdout_percent.get_untracked() / 100.0;
        (share > 0.0 && share < 1.0).then_some(Holdout {
            control_share: share,
            seed: segmenter_engine::pipeline::DEFAULT_SEED,
        })
    }

    /// Saves (or replaces, by name) a segment and checks the saved ones.
    pub fn save_segment(self, definition: SegmentDefinition) {
        self.saved.update(|saved| {
            saved.retain(|d| d.name != definition.name);
            saved.push(definition);
        });
        self.check_saved();
        self.persist();
    }

    pub fn remove_saved(self, name: &str) {
        self.saved.update(|saved| saved.retain(|d| d.name != name));
        self.check_saved();
        self.persist();
    }

    /// Asks for the saved segments' sizes, overlaps and warnings.
    fn check_saved(self) {
        let saved = self.saved.get_untracked();
        if saved.is_empty() {
            self.guard.set(None);
            return;
        }
        if self.finished.with_untracked(Option::is_none) {
            return;
        }
        self.guard_busy.set(true);
        self.guard_error.set(None);
        bridge::send(&Request::Guard { segments: saved }, &[]);
    }

    /// Measures a campaign on the segment from a results file.
    pub fn campaign_results(self, file: File, segments: Vec<SegmentDefinition>, holdout: Holdout) {
        if self.busy_now() {
            return;
        }
        self.campaign_busy.set(true);
        self.campaign_error.set(None);
        let request = Request::CampaignResults { segments, holdout };
        bridge::send(&request, &[file]);
    }

    /// Narrows the customer list to those `filter` (a segment query)
    /// selects, named `label`, and brings the list into view.
    pub fn show_customers(self, label: impl Into<String>, filter: impl Into<String>) {
        self.drill_label.set(Some(label.into()));
        let filter = filter.into();
        self.query.update(|q| q.filter = Some(filter));
        if let Some(heading) = document()
            .get_element_by_id("customers-title")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            heading.scroll_into_view();
            // Keyboard and screen-reader users land where the list is.
            let _ = heading.focus();
        }
    }

    /// Opens the customer list's filter in the segment editor, to refine,
    /// save or export it.
    pub fn edit_as_segment(self) {
        let Some(filter) = self.query.with_untracked(|q| q.filter.clone()) else {
            return;
        };
        self.editor_request.set(Some(filter));
        if let Some(heading) = document().get_element_by_id("segment-builder") {
            heading.scroll_into_view();
        }
    }

    /// Downloads the customers the list is narrowed to, as a CSV with
    /// every per-customer figure.
    pub fn download_shown(self) {
        let (Some(label), Some(query)) = (
            self.drill_label.get_untracked(),
            self.query.with_untracked(|q| q.filter.clone()),
        ) else {
            return;
        };
        let definition = SegmentDefinition { name: label, query };
        self.export_segments(Format::Csv, vec![definition], None);
    }

    pub fn show_all_customers(self) {
        self.drill_label.set(None);
        self.query.update(|q| q.filter = None);
    }

    /// Turns remembering the last analysis in this browser on (keeping it
    /// now) or off (deleting what was kept).
    pub fn set_remember(self, on: bool) {
        self.remember.set(on);
        if on {
            self.persist();
        } else {
            self.forget_everything();
        }
    }

    /// Keeps the current analysis's files and settings, when remembering.
    fn persist(self) {
        if !self.remember.get_untracked() {
            return;
        }
        if self.finished.with_untracked(Option::is_none) {
            self.storage_note.set(Some(
                "Your next analysis will be kept in this browser.".into(),
            ));
            return;
        }
        let files = self.files.get_value();
        let remembered = Remembered {
            settings: Settings {
                demo: files.is_empty(),
                as_of: self.as_of.get_untracked(),
                options: Vec::new(),
                saved: self.saved.get_untracked(),
            },
            files,
        };
        let note = self.storage_note;
        wasm_bindgen_futures::spawn_local(async move {
            note.set(Some(match storage::save(&remembered).await {
                Ok(()) => {
                    "This analysis is kept in this browser; it will be back when you return.".into()
                }
                Err(e) => format!("Could not keep the analysis in this browser: {e}"),
            }));
        });
    }

    /// Opens the analysis kept by an earlier visit, if the merchant asked
    /// to keep it.
    pub fn restore(self) {
        if !storage::is_on() {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            match storage::load().await {
                Ok(Some(remembered)) => {
                    let Remembered { files, settings } = remembered;
                    self.saved.set(settings.saved);
                    self.as_of.set(settings.as_of);
                    if settings.demo {
                        self.run_demo();
                    } else if !files.is_empty() {
                        self.files.set_value(files);
                        self.run_files();
                    }
                    self.storage_note
                        .set(Some("Opened the analysis kept in this browser.".into()));
                }
                Ok(None) => {}
                Err(e) => self
                    .storage_note
                    .set(Some(format!("Could not open the kept analysis: {e}"))),
            }
        });
    }

    /// Deletes everything the page stored in this browser.
    pub fn forget_everything(self) {
        self.remember.set(false);
        let note = self.storage_note;
        wasm_bindgen_futures::spawn_local(async move {
            note.set(Some(match storage::forget().await {
                Ok(()) => "Forgotten: nothing from this page is stored in this browser.".into(),
                Err(e) => format!("Could not delete everything: {e}"),
            }));
        });
    }

    pub fn download_customers(self) {
        bridge::send(&Request::ExportCustomers, &[]);
    }

    pub fn download_rejected(self) {
        bridge::send(&Request::ExportRejected, &[]);
    }
}

/// Offers `bytes` to the merchant as a download named `file_name`.
fn save_file(file_name: &str, bytes: &Uint8Array) {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(if file_name.ends_with(".json") {
        "application/json"
    } else {
        "text/csv;charset=utf-8"
    });
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
