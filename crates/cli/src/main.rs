//! `segmenter`: the engine on local files (see `cli-contract` in the README).
//! Argument parsing and files only; every number comes from the engine.

use std::fs::{self, File};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use segmenter_engine::cluster::features::Feature;
use segmenter_engine::cluster::ClusterOptions;
use segmenter_engine::demo::{DemoStore, Shape};
use segmenter_engine::export::activation::{write_export, Format};
use segmenter_engine::export::{is_free_column_name, write_customers_csv, write_rejected_csv};
use segmenter_engine::ingest::{ColumnMap, FileOptions};
use segmenter_engine::pipeline::{self, Progress, Sink};
use segmenter_engine::segments::campaign::{lift, read_results, Holdout};
use segmenter_engine::segments::{self, SegmentDefinition};
use segmenter_engine::summary::Summary;
use segmenter_engine::timing::StageTime;
use segmenter_engine::{Analysis, Date, Options};

mod read;

#[derive(Parser)]
#[command(
    name = "segmenter",
    version,
    about = "Privacy-first customer segmentation of store exports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse order exports; write summary.json, customers.csv and
    /// rejected.csv (every row left out, with why) to DIR.
    Analyze {
        /// Input files (format detected from the header row).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Analyse the data as it stood at the end of this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// A segment NAME=QUERY in the segment query language (repeatable).
        #[arg(long = "segment", value_name = "NAME=QUERY")]
        segments: Vec<String>,
        /// Comma list of shopify,klaviyo,meta,google,tiktok,csv,json.
        #[arg(long, value_name = "FORMATS")]
        export: Option<String>,
        /// Seed for the randomised steps (results are deterministic per seed).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The worksheet to read from .xlsx inputs (default: the first sheet
        /// whose header is recognised).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Which column holds what, for order tables whose header is not
        /// recognised: ROLE=COLUMN, repeatable. Roles: customer, email, order,
        /// date, amount, unit_price, quantity, currency, product, category,
        /// discount, country. Applies to every input whose header has all the
        /// columns named.
        #[arg(long = "column", value_name = "ROLE=COLUMN", value_parser = parse_column)]
        columns: Vec<(String, String)>,
        /// Keep this share (0–1, e.g. 0.1) of every segment out of the
        /// campaign as a control group: a seeded hash split, written into
        /// the exports (ad audiences get the treatment group only).
        #[arg(long, value_name = "SHARE", value_parser = parse_share)]
        holdout: Option<f64>,
        /// A campaign results file (customer or email, converted 1/0,
        /// revenue): conversion and revenue lift of treatment over control
        /// per segment, with 95 % intervals, under `campaign`. Needs
        /// --segment and --holdout as they were when exporting.
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
        /// Number of customer clusters, 2 to 12 (default: the number with
        /// the best silhouette).
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(2..=12))]
        clusters: Option<u8>,
        /// Comma list of the features to cluster on (default: all the data
        /// has): spend, orders, recency, tenure, order_value,
        /// discount_share, predicted_value, chance_active, item_views,
        /// cart_abandonment.
        #[arg(long, value_name = "LIST")]
        cluster_features: Option<String>,
        /// Add how long each stage took to summary.json (`timings`).
        #[arg(long)]
        timings: bool,
        /// Threads reading a large order file in pieces at the same time
        /// (default: one per core; 1 reads every file in one piece). The
        /// results are the same either way.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Option<u16>,
    },
    /// Write the built-in demo store as a Shopify orders export.
    Demo {
        /// Output CSV file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value_t = DemoStore::default().seed)]
        seed: u64,
        #[arg(long, default_value_t = DemoStore::default().customers)]
        customers: u32,
        /// `shopify` (the 79-column orders export) or `narrow` (8 columns:
        /// order_id, email, order_date, product, category, quantity, price,
        /// country).
        #[arg(long, default_value = "shopify", value_parser = parse_shape)]
        shape: Shape,
        /// Sizes or colours per product, for a larger catalogue. Anything
        /// but the page's demo (narrow, or variants) is streamed to the
        /// file oldest order first, so any size fits in memory.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        variants: u32,
    },
}

fn parse_shape(text: &str) -> Result<Shape, String> {
    match text {
        "shopify" => Ok(Shape::Shopify),
        "narrow" => Ok(Shape::Narrow),
        _ => Err(format!("{text:?} is not a shape: shopify or narrow")),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    let valid_shape = text.len() == 10;
    Date::parse_timestamp(text)
        .filter(|_| valid_shape)
        .ok_or_else(|| format!("{text:?} is not a date in the form YYYY-MM-DD"))
}

fn parse_features(text: &str) -> Result<Vec<Feature>> {
    text.split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| {
            Feature::from_key(key).ok_or_else(|| {
                let known: Vec<&str> = Feature::ALL.iter().map(|f| f.key()).collect();
                anyhow::anyhow!(
                    "--cluster-features: unknown feature {key:?}; use {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!(
            "{text:?} is not a share between 0 and 1 (e.g. 0.1)"
        )),
    }
}

fn parse_column(text: &str) -> Result<(String, String), String> {
    let (role, column) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not ROLE=COLUMN"))?;
    Ok((role.trim().to_string(), column.to_string()))
}

/// The `--column` pairs as a map of the engine's roles.
fn column_map(pairs: &[(String, String)]) -> Result<Option<ColumnMap>> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut map = ColumnMap::default();
    for (role, column) in pairs {
        let slot = match role.as_str() {
            "customer" | "customer_id" => &mut map.customer,
            "email" => &mut map.email,
            "order" | "order_id" => &mut map.order,
            "date" | "order_date" => &mut map.date,
            "amount" => &mut map.amount,
            "unit_price" | "price" => &mut map.unit_price,
            "quantity" => &mut map.quantity,
            "currency" => &mut map.currency,
            "product" => &mut map.product,
            "category" => &mut map.category,
            "discount" => &mut map.discount,
            "country" => &mut map.country,
            other => bail!(
                "--column {other}=...: unknown role; use customer, email, order, date, amount, unit_price, quantity, currency, product, category, discount or country"
            ),
        };
        *slot = Some(column.clone());
    }
    let missing = map.missing();
    if !missing.is_empty() {
        bail!(
            "--column: also name the column(s) for {}",
            missing.join(", ")
        );
    }
    Ok(Some(map))
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: scripts read the reason from stderr.
            let message = format!("{error:#}").replace('\n', " ");
            eprintln!("segmenter: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Analyze {
            files,
            out,
            as_of,
            segments,
            export,
            seed,
            sheet,
            columns,
            clusters,
            cluster_features,
            holdout,
            results,
            timings,
            threads,
        } => {
            if results.is_some() && (holdout.is_none() || segments.is_empty()) {
                bail!("--results needs --segment and --holdout, as they were when the campaign was exported");
            }
            let holdout = holdout.map(|control_share| Holdout {
                control_share,
                seed,
            });
            let segments = segment_definitions(&segments)?;
            let exports = match export.as_deref().map(Format::parse_list) {
                None => Vec::new(),
                Some(Ok(formats)) => formats,
                Some(Err(unknown)) => bail!(
                    "--export: unknown format {unknown:?}; use shopify, klaviyo, meta, google, tiktok, csv or json"
                ),
            };
            let file_options = FileOptions {
                sheet,
                columns: column_map(&columns)?,
            };
            analyze(
                &files,
                &out,
                &Options {
                    as_of,
                    seed,
                    clusters: ClusterOptions {
                        features: cluster_features
                            .as_deref()
                            .map(parse_features)
                            .transpose()?,
                        k: clusters.map(usize::from),
                    },
                },
                &file_options,
                Activation {
                    segments: &segments,
                    exports: &exports,
                    holdout: holdout.as_ref(),
                    results: results.as_deref(),
                },
                timings,
                threads.map_or_else(
                    || std::thread::available_parallelism().map_or(1, |n| n.get()),
                    usize::from,
                ),
            )
        }
        Command::Demo {
            out,
            seed,
            customers,
            shape,
            variants,
        } => {
            let store = DemoStore {
                seed,
                customers,
                variants,
                ..DemoStore::default()
            };
            let context = || format!("cannot write {}", out.display());
            if shape == Shape::Shopify && variants == 1 {
                // Byte for byte the page's demo store.
                return fs::write(&out, store.generate()).with_context(context);
            }
            let file = File::create(&out).with_context(context)?;
            let mut writer = BufWriter::with_capacity(1 << 20, file);
            store.write(shape, &mut writer).with_context(context)?;
            writer.flush().with_context(context)
        }
    }
}

/// `--segment NAME=QUERY` pairs, checked for usable, distinct names.
fn segment_definitions(pairs: &[String]) -> Result<Vec<SegmentDefinition>> {
    let mut definitions: Vec<SegmentDefinition> = Vec::new();
    for pair in pairs {
        let Some((name, query)) = pair.split_once('=') else {
            bail!("--segment {pair:?} is not NAME=QUERY");
        };
        let name = name.trim();
        if !is_free_column_name(name) {
            bail!(
                "--segment {name:?}: the name must be non-empty and not a column of customers.csv"
            );
        }
        if definitions.iter().any(|d| d.name == name) {
            bail!("--segment {name:?} is given twice");
        }
        // Syntax now, before a long analysis; attributes once the data is read.
        if let Err(error) = segments::parser::parse(query.trim()) {
            bail!("segment {name}: {error}");
        }
        definitions.push(SegmentDefinition {
            name: name.to_string(),
            query: query.trim().to_string(),
        });
    }
    Ok(definitions)
}

/// What the segments and campaign part of `analyze` was asked for.
struct Activation<'a> {
    segments: &'a [SegmentDefinition],
    exports: &'a [Format],
    holdout: Option<&'a Holdout>,
    results: Option<&'a Path>,
}

fn analyze(
    files: &[PathBuf],
    out: &Path,
    options: &Options,
    file_options: &FileOptions,
    activation: Activation<'_>,
    timings: bool,
    threads: usize,
) -> Result<()> {
    let Activation {
        segments: segment_definitions,
        exports,
        holdout,
        results,
    } = activation;
    for path in files {
        File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    }
    let inputs: Vec<(PathBuf, FileOptions)> = files
        .iter()
        .map(|path| (path.clone(), file_options.clone()))
        .collect();
    let mut sink = StderrProgress::new();
    if timings {
        sink.clock = Some(Instant::now());
    }
    let analysis = match read::analyze_files(&inputs, options, &mut sink, threads) {
        Ok(analysis) => analysis,
        Err(pipeline::Error::Ingest(error)) if error.columns_needed().is_some() => {
            sink.clear();
            bail!("{error}. Name the columns with --column customer=COLUMN --column date=COLUMN --column amount=COLUMN");
        }
        Err(error) => return Err(error.into()),
    };
    sink.clear();

    // What the page does for a segment as it is typed (its members, make-up
    // and funnel), timed for the benchmarks beside the analysis's stages.
    let started = Instant::now();
    let segments = segments::build(&analysis, segment_definitions)?;
    let mut queries = started.elapsed();
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut summary = Summary::of(&analysis);
    summary.segments = segments
        .iter()
        .map(|s| (s.definition.name.clone(), s.count))
        .collect();
    if !segments.is_empty() {
        let guard = segments::guard::guard(&segments);
        for warning in &guard.warnings {
            eprintln!("warning: {warning}");
        }
        summary.segment_guard = Some(guard);
    }
    let started = Instant::now();
    for segment in &segments {
        let make_up =
            segments::fairness::make_up(&analysis, &segment.definition.query, &segment.members);
        for warning in make_up.iter().flat_map(|d| &d.warnings) {
            eprintln!("warning: segment {}: {warning}", segment.definition.name);
        }
        summary
            .segment_make_up
            .insert(segment.definition.name.clone(), make_up);
        if let Some(funnel) = segmenter_engine::funnel::of_members(&analysis, &segment.members) {
            summary
                .segment_funnels
                .insert(segment.definition.name.clone(), funnel);
        }
    }
    queries += started.elapsed();
    if let (Some(timings), false) = (summary.timings.as_mut(), segments.is_empty()) {
        timings.stages.push(StageTime {
            stage: "segment queries".to_string(),
            ms: queries.as_secs_f64() * 1e3,
        });
    }
    if let (Some(path), Some(holdout)) = (results, holdout) {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let (outcomes, unknown) = read_results(&path.display().to_string(), &bytes, &analysis)?;
        if unknown > 0 {
            eprintln!(
                "warning: {} in {} name no customer of these files",
                segmenter_engine::wording::count(unknown, "row", "rows"),
                path.display()
            );
        }
        summary.campaign = lift(&analysis, &segments, holdout, &outcomes);
        for l in &summary.campaign {
            eprintln!("{}", l.summary);
        }
    }
    if !exports.is_empty() {
        let dir = out.join("exports");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for &format in exports {
            let mut report = None;
            write_file(&dir.join(format.file_name()), |w| {
                report = Some(write_export(format, &analysis, &segments, holdout, w)?);
                Ok(())
            })?;
            if let Some(report) = report {
                let left: Vec<String> = report
                    .left_out
                    .iter()
                    .map(|(why, n)| format!("{n} {why}"))
                    .collect();
                eprintln!(
                    "exports/{}: {}{}",
                    report.file_name,
                    segmenter_engine::wording::count(report.rows, "customer", "customers"),
                    if left.is_empty() {
                        String::new()
                    } else {
                        format!(" (left out: {})", left.join(", "))
                    }
                );
                summary.exports.push(report);
            }
        }
    }
    write_file(&out.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        writeln!(w)?;
        Ok(())
    })?;
    write_file(&out.join("customers.csv"), |w| {
        write_customers_csv(&analysis, &segments, w)?;
        Ok(())
    })?;
    write_file(&out.join("rejected.csv"), |w| {
        write_rejected_csv(&analysis.quality, w)?;
        Ok(())
    })?;
    for warning in &analysis.quality.warnings {
        eprintln!("warning: {warning}");
    }
    if analysis.customers.is_empty() {
        bail!("no purchases to analyse: {}", exclusion_summary(&analysis));
    }
    Ok(())
}

fn exclusion_summary(analysis: &Analysis) -> String {
    let q = &analysis.quality;
    let reasons: Vec<String> = q
        .rows_excluded
        .iter()
        .map(|(reason, n)| format!("{reason}: {n}"))
        .collect();
    format!(
        "all {} rows were excluded ({})",
        q.rows_read,
        reasons.join(", ")
    )
}

fn write_file(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = BufWriter::new(file);
    write(&mut writer).with_context(|| format!("cannot write {}", path.display()))?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Draws a one-line progress report on a terminal; silent otherwise.
struct StderrProgress {
    enabled: bool,
    drawn: bool,
    /// Set with `--timings`: stage timings go into summary.json.
    clock: Option<Instant>,
}

impl StderrProgress {
    fn new() -> Self {
        StderrProgress {
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
            clock: None,
        }
    }

    fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[K");
            self.drawn = false;
        }
    }
}

impl Sink for StderrProgress {
    fn now_ms(&mut self) -> Option<f64> {
        self.clock
            .map(|start| start.elapsed().as_secs_f64() * 1000.0)
    }

    /// The process's peak resident set (Linux reports it; elsewhere none).
    fn peak_memory_bytes(&mut self) -> Option<f64> {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024.0)
    }

    fn progress(&mut self, p: &Progress) -> bool {
        if self.enabled {
            let percent = p
                .bytes_total
                .filter(|&t| t > 0)
                .map(|t| format!(" {:>3}%", p.bytes_done * 100 / t))
                .unwrap_or_default();
            eprint!("\r\x1b[K{}{percent} · {} rows", p.file, p.rows_done);
            self.drawn = true;
        }
        true
    }
}
