//! The stages, each run in its own process (`chorus-bench __stage NAME …`) so that its peak memory is its
//! own. A stage times only its own work; what it must read first (the store's comments, for theming and
//! the report) is timed separately and reported as a figure, but does count in its peak memory, as it does
//! in the `chorus` command that runs that stage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use chorus_core::{Comment, QuestionKind};
use chorus_index::{Filters, KwicRequest, SearchRequest, SortOrder, Store};
use chorus_ingest::{Deduplicator, FnSink, IngestOptions, QuarantineWriter};
use chorus_report::{Format, ReportOptions};
use chorus_text::{Analyzer, Tokens};
use chorus_themes::ThemeConfig;
use chorus_themes::discover::{ClusterCount, DiscoverOptions};
use chorus_themes::model::ThemeModel;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::generate::{IMPROVE_COLUMN, WHY_COLUMN};

/// The files of one benchmark data folder.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The folder (default `target/bench-data`).
    pub dir: PathBuf,
    /// The trained model to use, if any.
    pub model: Option<PathBuf>,
}

impl Layout {
    /// The generated export of `n` comments.
    pub fn csv(&self, n: u64) -> PathBuf {
        self.dir.join(format!("fft-{n}.csv"))
    }

    /// The store the stages build from it.
    pub fn store(&self, n: u64) -> PathBuf {
        self.dir.join(format!("store-{n}"))
    }

    /// The HTML pack the report stage writes.
    pub fn report(&self, n: u64) -> PathBuf {
        self.dir.join(format!("report-{n}.html"))
    }

    /// The store of the end-to-end run.
    pub fn e2e_store(&self, n: u64) -> PathBuf {
        self.dir.join(format!("e2e-store-{n}"))
    }

    /// The HTML pack of the end-to-end run.
    pub fn e2e_report(&self, n: u64) -> PathBuf {
        self.dir.join(format!("e2e-report-{n}.html"))
    }

    /// Where `chorus train` writes the model the harness trains.
    pub fn trained_model(&self) -> PathBuf {
        self.dir.join("model.json")
    }
}

/// A stage of the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// Read the export and tokenize both text columns with the shared analyzer (the floor).
    Floor,
    /// `chorus_ingest::ingest` into a sink that only counts: parse, decode, map, redact, deduplicate.
    Ingest,
    /// Ingest into a new store: ingestion plus the index build and commit (what `chorus ingest` does).
    Index,
    /// `Store::comments`: every comment read back from the store.
    Read,
    /// Lexicon sentiment, touchpoints and codebook themes (`analyse` with the built-in configuration).
    Sentiment,
    /// The trained model's themes and sentiment (needs a model; the analysis runs first, untimed).
    Model,
    /// Discovered themes, `--discover auto` (the analysis runs first, untimed).
    Discover,
    /// `Store::replace_annotations`: the index rewritten with the annotations (the analysis runs first).
    Save,
    /// `chorus_pipeline::report` of the themed store read in batches (timed), and the HTML pack.
    Report,
    /// A fixed set of 20 queries with facets and snippets on the themed store.
    Query,
}

impl Stage {
    /// Every stage, in the order the suite runs them (each needs the ones before it).
    pub const ALL: [Stage; 10] = [
        Stage::Floor,
        Stage::Ingest,
        Stage::Index,
        Stage::Read,
        Stage::Sentiment,
        Stage::Model,
        Stage::Discover,
        Stage::Save,
        Stage::Report,
        Stage::Query,
    ];

    /// The name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Floor => "floor",
            Stage::Ingest => "ingest",
            Stage::Index => "index",
            Stage::Read => "read",
            Stage::Sentiment => "sentiment",
            Stage::Model => "model",
            Stage::Discover => "discover",
            Stage::Save => "save",
            Stage::Report => "report",
            Stage::Query => "query",
        }
    }
}

/// What a stage reports, as one JSON line on its stdout.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageOutput {
    /// The stage's name.
    pub stage: String,
    /// Comments in the export.
    pub size: u64,
    /// Comments (or, for `query`, queries) the timed work processed.
    pub items: u64,
    /// Seconds of the timed work.
    pub seconds: f64,
    /// Other figures: `read_seconds`, `median_ms`…
    pub figures: BTreeMap<String, f64>,
    /// Why it was skipped, or what to know about the figure.
    pub note: Option<String>,
    /// Whether the stage could not run (e.g. no model).
    pub skipped: bool,
}

impl StageOutput {
    fn new(stage: Stage, size: u64) -> StageOutput {
        StageOutput {
            stage: stage.name().to_owned(),
            size,
            ..StageOutput::default()
        }
    }

    fn figure(&mut self, name: &str, value: f64) {
        self.figures.insert(name.to_owned(), value);
    }
}

/// Runs one stage in this process and returns its figures.
pub fn run(stage: Stage, layout: &Layout, size: u64) -> anyhow::Result<StageOutput> {
    let mut out = StageOutput::new(stage, size);
    match stage {
        Stage::Floor => floor(layout, size, &mut out)?,
        Stage::Ingest => ingest(layout, size, &mut out)?,
        Stage::Index => index(layout, size, &mut out)?,
        Stage::Read => {
            read(layout, size, &mut out)?;
            out.seconds = out.figures["read_seconds"];
            out.items = size;
        }
        Stage::Sentiment | Stage::Model | Stage::Discover | Stage::Save => {
            theming(stage, layout, size, &mut out)?
        }
        Stage::Report => report(layout, size, &mut out)?,
        Stage::Query => query(layout, size, &mut out)?,
    }
    out.figure("stage_peak_mib", crate::measure::own_peak_mib());
    Ok(out)
}

/// Wall and CPU time of a piece of work.
struct Timer {
    wall: Instant,
    cpu: f64,
}

impl Timer {
    fn start() -> Timer {
        Timer {
            wall: Instant::now(),
            cpu: crate::measure::own_cpu_seconds(),
        }
    }

    /// Seconds since the start, and records the CPU seconds as `cpu_seconds`.
    fn stop(&self, out: &mut StageOutput) -> f64 {
        out.figure("cpu_seconds", crate::measure::own_cpu_seconds() - self.cpu);
        self.wall.elapsed().as_secs_f64()
    }
}

/// One analyzer per rayon thread, kept warm for the whole run, as theming does.
struct PerThread<T>(Vec<Mutex<T>>);

impl<T: Clone> PerThread<T> {
    fn new(value: T) -> PerThread<T> {
        PerThread(
            (0..rayon::current_num_threads().max(1))
                .map(|_| Mutex::new(value.clone()))
                .collect(),
        )
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let slot = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        let mut guard = self.0[slot]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// The floor: read every record of the export (csv crate) and tokenize its two text columns with
/// `Analyzer::english`, in parallel batches of 8,192 rows like ingestion. Nothing is kept.
fn floor(layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    const BATCH: usize = 8192;
    let path = layout.csv(size);
    let timer = Timer::start();
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let columns: Vec<usize> = [WHY_COLUMN, IMPROVE_COLUMN]
        .iter()
        .map(|name| headers.iter().position(|h| h == *name))
        .collect::<Option<_>>()
        .context("the export lacks the generated text columns")?;
    let analyzers = PerThread::new((Analyzer::english(), Tokens::new()));
    let mut batch: Vec<csv::StringRecord> = vec![csv::StringRecord::new(); BATCH];
    let (mut comments, mut tokens) = (0u64, 0u64);
    loop {
        let mut filled = 0;
        while filled < BATCH && reader.read_record(&mut batch[filled])? {
            filled += 1;
        }
        if filled == 0 {
            break;
        }
        tokens += batch[..filled]
            .par_iter()
            .map(|record| {
                analyzers.with(|(analyzer, buffer)| {
                    columns
                        .iter()
                        .map(|&c| {
                            analyzer.analyze_into(record.get(c).unwrap_or(""), buffer);
                            buffer.len() as u64
                        })
                        .sum::<u64>()
                })
            })
            .sum::<u64>();
        comments += (filled * columns.len()) as u64;
    }
    out.seconds = timer.stop(out);
    out.items = comments;
    out.figure("tokens", tokens as f64);
    anyhow::ensure!(
        comments == size,
        "the floor read {comments} comments, not {size}"
    );
    Ok(())
}

/// Ingestion alone: every record parsed, mapped, redacted and deduplicated into a counting sink.
fn ingest(layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    let path = layout.csv(size);
    let mut stored = 0u64;
    let mut sink = FnSink(|_comment: Comment| {
        stored += 1;
        Ok(())
    });
    let timer = Timer::start();
    let report = chorus_ingest::ingest(
        &[path],
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        &mut sink,
        &mut QuarantineWriter::counting_only(),
        &mut |_| {},
    );
    out.seconds = timer.stop(out);
    let t = &report.totals;
    anyhow::ensure!(
        report.reconciles() && t.records == size && t.stored == size && t.failed_files == 0,
        "ingestion did not store every generated comment: {t:?}"
    );
    out.items = t.records;
    out.figure("no_comment", t.stored_no_comment as f64);
    Ok(())
}

/// `chorus ingest` through the library: a new store, one writer, one commit.
fn index(layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    let dir = layout.store(size);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let timer = Timer::start();
    let store = Store::create_or_open(&dir)?;
    let mut dedup = Deduplicator::from_keys(store.known_keys()?);
    let mut quarantine = QuarantineWriter::new(store.new_quarantine_path()?);
    let mut writer = store.writer()?;
    let report = chorus_ingest::ingest(
        &[layout.csv(size)],
        &IngestOptions::default(),
        &mut dedup,
        &mut writer,
        &mut quarantine,
        &mut |_| {},
    );
    let added = writer.commit()?;
    out.seconds = timer.stop(out);
    anyhow::ensure!(
        report.reconciles() && added == size && store.len() == size,
        "the store holds {} comments, not {size}: {:?}",
        store.len(),
        report.totals
    );
    out.items = added;
    out.figure("store_mib", dir_bytes(&dir) as f64 / (1 << 20) as f64);
    Ok(())
}

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Opens the store and reads every comment back, timed as `read_seconds`.
fn read(
    layout: &Layout,
    size: u64,
    out: &mut StageOutput,
) -> anyhow::Result<(Store, Vec<Comment>)> {
    let dir = layout.store(size);
    let started = Instant::now();
    let store = Store::open(&dir)
        .with_context(|| format!("opening {} (run the index stage first)", dir.display()))?;
    let comments = store.comments()?;
    out.figure("read_seconds", started.elapsed().as_secs_f64());
    // What holding the comments costs, against the peak of reading them.
    out.figure("held_mib", crate::measure::own_rss_mib());
    out.figure("read_peak_mib", crate::measure::own_peak_mib());
    anyhow::ensure!(
        comments.len() as u64 == size,
        "the store holds {} comments, not {size}",
        comments.len()
    );
    Ok((store, comments))
}

/// Sentiment, model, discovery and saving: `analyse` with what the stage needs, the stage's own part
/// timed.
fn theming(stage: Stage, layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    let mut config = ThemeConfig::default();
    match stage {
        Stage::Model => {
            let Some(path) = layout.model.as_deref().filter(|p| p.is_file()) else {
                out.skipped = true;
                out.note = Some("no trained model (see the train step)".to_owned());
                return Ok(());
            };
            match ThemeModel::load(path) {
                Ok(model) => config.model = Some(model),
                Err(e) => {
                    out.skipped = true;
                    out.note = Some(format!("the model does not load: {e}"));
                    return Ok(());
                }
            }
        }
        Stage::Discover => {
            config.discover = Some(DiscoverOptions {
                count: ClusterCount::Auto,
                seed: 42,
            });
        }
        _ => {}
    }
    let (store, mut comments) = read(layout, size, out)?;
    let timer = Timer::start();
    let run = chorus_themes::analyse(&comments, &config)?;
    let analyse_seconds = timer.stop(out);
    if stage != Stage::Sentiment {
        // The CPU time covers the analysis too: keep it apart from the stage's own figure.
        if let Some(cpu) = out.figures.remove("cpu_seconds") {
            out.figure("analyse_cpu_seconds", cpu);
        }
    }
    let t = &run.summary.timings;
    out.figure("analysis_seconds", t.analysis_seconds);
    out.figure("analyse_seconds", analyse_seconds);
    out.figure("themed", run.summary.themed as f64);
    out.items = run.summary.analysed;
    anyhow::ensure!(
        run.table.len() == comments.len() && run.summary.analysed > size / 2,
        "theming analysed only {} of {size} comments",
        run.summary.analysed
    );
    match stage {
        Stage::Sentiment => out.seconds = t.analysis_seconds,
        Stage::Model => out.seconds = t.model_seconds,
        Stage::Discover => {
            out.seconds = t.discovery_seconds;
            out.figure("discovered_themes", run.catalog.discovered.len() as f64);
            if run.catalog.discovered.is_empty() {
                out.note = Some("discovery found no theme (is it still a stub?)".to_owned());
            }
        }
        _ => {
            for (comment, annotations) in comments.iter_mut().zip(run.annotations()) {
                comment.annotations = annotations;
            }
            let timer = Timer::start();
            store.replace_annotations(&comments, &run.catalog)?;
            out.seconds = timer.stop(out);
            out.items = comments.len() as u64;
        }
    }
    Ok(())
}

/// The report of the themed store as `chorus report` makes it: built from the store read in batches
/// (the reading is timed with the building), then the HTML pack.
fn report(layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    let dir = layout.store(size);
    let store = Store::open(&dir)
        .with_context(|| format!("opening {} (run the index stage first)", dir.display()))?;
    let catalog = store
        .catalog()?
        .context("the store is not themed: run the save stage first")?;
    let corrections = store.corrections()?;
    let timer = Timer::start();
    let options = ReportOptions {
        source: format!("store {}", dir.display()),
        ..ReportOptions::default()
    };
    let report = chorus_pipeline::report(&store, &catalog, &corrections, &options)?.report;
    let built = timer.wall.elapsed().as_secs_f64();
    let path = layout.report(size);
    chorus_report::write_report(&report, Format::Html, &path)?;
    out.seconds = timer.stop(out);
    out.figure("build_seconds", built);
    out.figure("html_seconds", out.seconds - built);
    out.figure(
        "html_mib",
        std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64,
    );
    anyhow::ensure!(
        report.headline.records == size,
        "the report covers {} comments, not {size}",
        report.headline.records
    );
    out.items = size;
    Ok(())
}

/// The fixed query set: word, phrase, boolean, field and range queries, a third with a service filter and
/// some sorted by date, each with facets and ten highlighted hits.
pub const QUERIES: [&str; 20] = [
    "parking",
    "staff",
    "waiting",
    "rude",
    "\"car park\"",
    "staff AND rude",
    "parking OR car",
    "waiting -staff",
    "service:maternity",
    "score:[4 TO 5] waiting",
    "date:[2024-01-01 TO 2024-03-31] staff",
    "nurse kind",
    "appointment cancelled",
    "\"waiting time\"",
    "food",
    "theme:\"waiting times\" parking",
    "sentiment:negative discharge",
    "touchpoint:waiting",
    "month:2024-03",
    "question:improve communication",
];

/// Runs the query set: the first query after opening (cold, as a `chorus search` process), one warm-up
/// round, then five timed rounds; plus `stats` and a `kwic`.
fn query(layout: &Layout, size: u64, out: &mut StageOutput) -> anyhow::Result<()> {
    const ROUNDS: usize = 5;
    let dir = layout.store(size);
    let started = Instant::now();
    let store = Store::open(&dir).with_context(|| format!("opening {}", dir.display()))?;
    let first = store.search(&SearchRequest::new(QUERIES[0]))?;
    out.figure("open_first_query_ms", started.elapsed().as_secs_f64() * 1e3);
    anyhow::ensure!(first.total > 0, "`{}` matched nothing", QUERIES[0]);
    let request = |i: usize| {
        let mut r = SearchRequest::new(QUERIES[i]);
        if i % 3 == 1 {
            r.filters = Filters {
                services: vec!["Outpatients".to_owned()],
                ..Filters::default()
            };
        }
        if i % 5 == 2 {
            r.sort = SortOrder::Date;
        }
        r
    };
    let mut matched = 0;
    for i in 0..QUERIES.len() {
        matched += usize::from(store.search(&request(i))?.total > 0);
    }
    anyhow::ensure!(
        matched >= QUERIES.len() - 2,
        "only {matched} of {} queries matched anything",
        QUERIES.len()
    );
    let mut times = Vec::with_capacity(ROUNDS * QUERIES.len());
    let all = Instant::now();
    for _ in 0..ROUNDS {
        for i in 0..QUERIES.len() {
            let t = Instant::now();
            std::hint::black_box(store.search(&request(i))?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    out.seconds = all.elapsed().as_secs_f64();
    out.items = times.len() as u64;
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    out.figure("median_ms", pct(0.5));
    out.figure("p99_ms", pct(0.99));
    out.figure("max_ms", pct(1.0));
    let t = Instant::now();
    let everything = store.search(&SearchRequest::new(""))?;
    out.figure("match_all_ms", t.elapsed().as_secs_f64() * 1e3);
    anyhow::ensure!(
        everything.total == size,
        "match-all found {}",
        everything.total
    );
    let t = Instant::now();
    std::hint::black_box(store.stats()?);
    out.figure("stats_ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let mut kwic = KwicRequest::new("wait");
    kwic.filters.question_kinds = vec![QuestionKind::Why];
    std::hint::black_box(store.kwic(&kwic)?);
    out.figure("kwic_ms", t.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
