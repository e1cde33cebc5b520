//! `chorus themes` (sentiment, touchpoints and themes for every comment of a store) and `chorus codebook`
//! (check or print codebooks).

use crate::display::{n, print};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use chorus_core::{Date, ThemeSource};
use chorus_index::Store;
use chorus_pipeline::ThemeSeconds;
use chorus_qda::codes::Kind;
use chorus_themes::codebook::{self, BUILTIN_THEMES, BUILTIN_TOUCHPOINTS};
use chorus_themes::crosswalk::{BUILTIN_CROSSWALK, Crosswalk};
use chorus_themes::discover::{ClusterCount, DiscoverOptions};
use chorus_themes::model::ThemeModel;
use chorus_themes::{
    CheckReport, Codebook, EntrySummary, RunSummary, SentimentCounts, Severity, ThemeConfig,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Find touchpoints, sentiment and themes for every comment of a store.
///
/// Every comment with text gets an overall sentiment (positive, neutral, mixed or negative, with a score
/// from −1 to 1), the journey touchpoints it speaks about with the sentiment of each, codebook themes,
/// and optionally a trained model's themes and discovered themes; comments whose text contradicts their
/// FFT score are flagged as discordant. Comments without text are left unthemed. The results replace
/// those of any earlier run in the store.
#[derive(Debug, clap::Args)]
pub struct ThemesArgs {
    /// The store (made by `chorus ingest`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// A themes codebook to use instead of the built-in one (start from `chorus codebook print themes`).
    #[arg(long, value_name = "FILE")]
    pub codebook: Option<PathBuf>,
    /// A journey touchpoints codebook to use instead of the built-in one (start from `chorus codebook
    /// print touchpoints`).
    #[arg(long, value_name = "FILE")]
    pub touchpoints: Option<PathBuf>,
    /// A model trained with `chorus train`: its labels become themes; if it predicts sentiment, that
    /// becomes each comment's overall sentiment.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Where the model's labels are reported: a crosswalk to use instead of the built-in one, which
    /// reports the national v6 framework's labels under the v7 sub-categories and categories (start
    /// from `chorus codebook print crosswalk`).
    #[arg(long, value_name = "FILE")]
    pub crosswalk: Option<PathBuf>,
    /// Discover themes by clustering: a number of themes (2 or more) or `auto`.
    #[arg(long, value_name = "K|auto")]
    pub discover: Option<ClusterCount>,
    /// Seed for discovery; the same seed gives the same themes.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Leave comments already explained by a codebook or model theme out of discovery, so it finds what
    /// the codebook misses.
    #[arg(long)]
    pub set_aside_explained: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `chorus themes --json` prints.
#[derive(Debug, Serialize)]
struct ThemesOutput<'a> {
    store: String,
    run: &'a str,
    summary: &'a RunSummary,
    seconds: ThemeSeconds,
}

/// Runs `chorus themes`.
pub fn run_themes(args: ThemesArgs) -> anyhow::Result<ExitCode> {
    let mut config = ThemeConfig::default();
    if let Some(path) = &args.touchpoints {
        config.touchpoints = load_codebook(path)?;
    }
    if let Some(path) = &args.codebook {
        config.themes = load_codebook(path)?;
    }
    let mut notes = Vec::new();
    if let Some(path) = &args.model {
        config.model = Some(
            ThemeModel::load(path)
                .map_err(anyhow::Error::new)
                .with_context(|| format!("loading the model {}", path.display()))?,
        );
        notes.push(format!("model file: {}", path.display()));
    }
    if let Some(path) = &args.crosswalk {
        config.crosswalk = Crosswalk::load(path).context("loading the crosswalk")?;
        notes.push(format!("crosswalk file: {}", path.display()));
    }
    if let Some(count) = args.discover {
        config.discover = Some(DiscoverOptions {
            count,
            seed: args.seed,
        });
        config.set_aside_explained = args.set_aside_explained;
    } else if args.set_aside_explained {
        anyhow::bail!("--set-aside-explained needs --discover K or --discover auto");
    }
    notes.push(format!("run at {}", utc_now()));
    config.note = notes.join("; ");

    let spinner = spinner();
    spinner.set_message("theming the comments");
    let store = Store::open(&args.store)
        .with_context(|| format!("opening the store {}", args.store.display()))?;
    let themed = chorus_pipeline::theme(&store, &config)
        .with_context(|| format!("theming the comments of {}", args.store.display()))?;
    spinner.finish_and_clear();
    let seconds = themed.seconds;
    if args.json {
        let output = ThemesOutput {
            store: args.store.display().to_string(),
            run: &themed.catalog.run,
            summary: &themed.summary,
            seconds,
        };
        print(&format!("{}\n", serde_json::to_string_pretty(&output)?))?;
    } else {
        print(&human_summary(&themed.summary, &seconds))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads a codebook, printing its warnings and refusing it if the check finds errors.
fn load_codebook(path: &Path) -> anyhow::Result<Codebook> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the codebook {}", path.display()))?;
    let report = codebook::check(&text, path);
    for finding in &report.findings {
        if finding.severity == Severity::Warning {
            eprintln!("chorus: warning: {}", located(path, finding));
        }
    }
    if report.errors() > 0 {
        for finding in report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            eprintln!("chorus: {}", located(path, finding));
        }
        anyhow::bail!(
            "the codebook {} has {} error(s): fix them (see `chorus codebook check {}`)",
            path.display(),
            report.errors(),
            path.display()
        );
    }
    report
        .codebook
        .with_context(|| format!("reading the codebook {}", path.display()))
}

/// The current time in UTC as `YYYY-MM-DDTHH:MM:SSZ`, to label the run in the catalog.
fn utc_now() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (now / 86_400) as i32;
    let rest = now % 86_400;
    let (y, m, d) = Date::from_days_since_epoch(days).ymd();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn spinner() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn table(out: &mut String, title: &str, rows: &[&EntrySummary], show_id: bool) {
    if rows.is_empty() {
        return;
    }
    let name = |r: &EntrySummary| {
        if show_id {
            format!("{} ({})", r.label, r.id)
        } else {
            r.label.clone()
        }
    };
    let width = rows
        .iter()
        .map(|r| name(r).chars().count())
        .max()
        .unwrap_or(0)
        .max(title.len());
    let _ = writeln!(
        out,
        "{title:<w$}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
        "comments",
        "positive",
        "neutral",
        "mixed",
        "negative",
        w = width + 2
    );
    for r in rows {
        let SentimentCounts {
            positive,
            neutral,
            mixed,
            negative,
        } = r.sentiment;
        let _ = writeln!(
            out,
            "  {:<w$}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
            name(r),
            n(r.comments),
            n(positive),
            n(neutral),
            n(mixed),
            n(negative),
            w = width
        );
    }
}

fn human_summary(s: &RunSummary, seconds: &ThemeSeconds) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "themed {} comments: {} with text ({} with a touchpoint or theme, {}), {} without text left unthemed",
        n(s.comments),
        n(s.analysed),
        n(s.themed),
        percent(s.themed, s.analysed),
        n(s.no_comment)
    );
    let c = &s.sentiment;
    let _ = writeln!(
        out,
        "sentiment: positive {} ({}), neutral {}, mixed {}, negative {} ({})",
        n(c.positive),
        percent(c.positive, s.analysed),
        n(c.neutral),
        n(c.mixed),
        n(c.negative),
        percent(c.negative, s.analysed)
    );
    let _ = writeln!(
        out,
        "discordant (text contradicts the FFT score): {}",
        n(s.discordant)
    );
    out.push('\n');
    let touchpoints: Vec<&EntrySummary> = s.touchpoints.iter().collect();
    table(&mut out, "touchpoints", &touchpoints, true);
    for (source, title) in [
        (ThemeSource::Codebook, "codebook themes"),
        (ThemeSource::Model, "model themes"),
    ] {
        let rows: Vec<&EntrySummary> = s.themes.iter().filter(|t| t.source == source).collect();
        if !rows.is_empty() {
            out.push('\n');
            table(&mut out, title, &rows, false);
        }
    }
    if !s.discovered.is_empty() {
        out.push('\n');
        let rows: Vec<&EntrySummary> = s.discovered.iter().collect();
        table(&mut out, "discovered themes", &rows, true);
    }
    let _ = writeln!(
        out,
        "\ntime: read {:.2} s, analysis {:.2} s, model {:.2} s, discovery {:.2} s, save {:.2} s, total {:.2} s",
        seconds.read,
        seconds.analysis,
        seconds.model,
        seconds.discovery,
        seconds.save,
        seconds.total
    );
    out
}

/// Check or print codebooks.
#[derive(Debug, clap::Args)]
pub struct CodebookArgs {
    #[command(subcommand)]
    command: CodebookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CodebookCommand {
    /// Check an edited codebook: syntax (with line numbers), duplicate or malformed ids, entries that
    /// can never match, words that are only stop words, terms shared by two entries; with --store, how
    /// many comments each entry matches and which match none. Exits with status 1 if it finds errors.
    Check(CheckArgs),
    /// Write a built-in codebook, to start editing your own.
    Print(PrintArgs),
    /// Write codebooks as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA or QualCoder.
    Export(QdcExportArgs),
    /// Turn a REFI-QDA codebook (.qdc, from NVivo, ATLAS.ti…) into a Chorus codebook (TOML) to edit.
    Import(QdcImportArgs),
}

#[derive(Debug, clap::Args)]
struct QdcExportArgs {
    /// `touchpoints`, `themes` (the built-in ones) or codebook files (TOML); both built-ins by default.
    #[arg(value_name = "CODEBOOK")]
    codebooks: Vec<String>,
    /// The format: qdc.
    #[arg(long, value_name = "FORMAT", default_value = "qdc")]
    format: String,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Replace an existing file that chorus did not write.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, clap::Args)]
struct QdcImportArgs {
    /// The REFI-QDA codebook (.qdc).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The Chorus codebook to write (TOML).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// The codebook's name (the file's name by default).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Replace an existing file that chorus did not write (never the input).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The codebook file (TOML).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Also count the comments of this store that each entry matches.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

/// The codebooks built into Chorus, which `chorus codebook print` writes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum BuiltinCodebook {
    /// The care journey.
    Touchpoints,
    /// Common feedback themes.
    Themes,
    /// Where a v6 model's labels go in the v7 framework.
    Crosswalk,
}

#[derive(Debug, clap::Args)]
struct PrintArgs {
    /// Which one: `touchpoints` (the care journey), `themes` (common feedback themes) or `crosswalk`
    /// (where a v6 model's labels go in the v7 framework).
    #[arg(value_name = "touchpoints|themes|crosswalk")]
    which: BuiltinCodebook,
    /// Write to this file instead of the standard output (refuses to overwrite a file chorus did not
    /// write).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// One entry's matches in the store.
#[derive(Debug, Serialize)]
struct EntryCount {
    id: String,
    label: String,
    comments: u64,
}

/// What `chorus codebook check --json` prints.
#[derive(Debug, Serialize)]
struct CheckOutput<'a> {
    file: String,
    entries: usize,
    errors: usize,
    warnings: usize,
    findings: &'a [codebook::Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<Vec<EntryCount>>,
}

/// Runs `chorus codebook`.
pub fn run_codebook(args: CodebookArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        CodebookCommand::Check(check) => run_check(check),
        CodebookCommand::Print(print) => run_print(print),
        CodebookCommand::Export(export) => run_qdc_export(export),
        CodebookCommand::Import(import) => run_qdc_import(import),
    }
}

fn run_qdc_export(args: QdcExportArgs) -> anyhow::Result<ExitCode> {
    if !args.format.trim().eq_ignore_ascii_case("qdc") {
        anyhow::bail!("`{}` is not a codebook format: use qdc", args.format);
    }
    let names = if args.codebooks.is_empty() {
        vec!["touchpoints".to_owned(), "themes".to_owned()]
    } else {
        args.codebooks
    };
    let mut guard = crate::output::Outputs::new(args.force);
    let mut books = Vec::new();
    for name in &names {
        let (book, kind) = match name.as_str() {
            "touchpoints" => (Codebook::builtin_touchpoints(), Kind::Touchpoint),
            "themes" => (Codebook::builtin_themes(), Kind::Theme),
            file => {
                guard = guard.input(Path::new(file));
                let book = Codebook::load(Path::new(file))
                    .with_context(|| format!("reading the codebook {file}"))?;
                (book, Kind::Theme)
            }
        };
        books.push((book, kind));
    }
    guard.check(&args.output)?;
    let file = std::fs::File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let refs: Vec<(&Codebook, Kind)> = books.iter().map(|(b, k)| (b, *k)).collect();
    chorus_qda::codebook::write_qdc(&refs, std::io::BufWriter::new(file))
        .with_context(|| format!("writing {}", args.output.display()))?;
    guard.record(std::slice::from_ref(&args.output));
    let codes: usize = books.iter().map(|(b, _)| b.entries.len()).sum();
    print(&format!(
        "wrote {codes} codes to {}\n",
        args.output.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn run_qdc_import(args: QdcImportArgs) -> anyhow::Result<ExitCode> {
    let guard = crate::output::Outputs::new(args.force).input(&args.file);
    guard.check(&args.output)?;
    let codes = chorus_qda::codebook::read_qdc(&args.file)?;
    let name = args.name.unwrap_or_else(|| {
        args.file.file_stem().map_or_else(
            || "imported".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        )
    });
    let origin = args.file.file_name().map_or_else(
        || "a .qdc file".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let toml = chorus_qda::codebook::codebook_toml(&codes, &name, &origin);
    std::fs::write(&args.output, &toml)
        .with_context(|| format!("writing {}", args.output.display()))?;
    guard.record(std::slice::from_ref(&args.output));
    let entries = codes.iter().filter(|c| c.codable).count();
    print(&format!(
        "wrote {entries} entries to {}: their terms are the words of each code's name; edit them, then run `chorus codebook check {}`\n",
        args.output.display(),
        args.output.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn located(path: &Path, f: &codebook::Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let place = match (f.line, f.column) {
        (0, _) => path.display().to_string(),
        (line, 0) => format!("{}:{line}", path.display()),
        (line, column) => format!("{}:{line}:{column}", path.display()),
    };
    format!("{place}: {severity}: {}", f.message)
}

fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading the codebook {}", args.file.display()))?;
    let mut report: CheckReport = codebook::check(&text, &args.file);
    let mut matches = None;
    if let (Some(dir), Some(book)) = (&args.store, &report.codebook) {
        let store =
            Store::open(dir).with_context(|| format!("opening the store {}", dir.display()))?;
        let comments = store
            .comments()
            .with_context(|| format!("reading the comments of {}", dir.display()))?;
        let counts = chorus_themes::match_counts(book, &comments)
            .context("matching the codebook against the store")?;
        for (entry, &count) in book.entries.iter().zip(&counts) {
            if count == 0 {
                report.findings.push(codebook::Finding {
                    severity: Severity::Warning,
                    line: entry.line,
                    column: 0,
                    entry: Some(entry.id.clone()),
                    message: format!(
                        "entry `{}` matches no comment in {}: check its words against how people write",
                        entry.id,
                        dir.display()
                    ),
                });
            }
        }
        report.findings.sort_by_key(|f| (f.line, f.column));
        matches = Some(
            book.entries
                .iter()
                .zip(counts)
                .map(|(e, comments)| EntryCount {
                    id: e.id.clone(),
                    label: e.label.clone(),
                    comments,
                })
                .collect::<Vec<_>>(),
        );
    }
    let entries = report.codebook.as_ref().map_or(0, |c| c.entries.len());
    if args.json {
        let output = CheckOutput {
            file: args.file.display().to_string(),
            entries,
            errors: report.errors(),
            warnings: report.warnings(),
            findings: &report.findings,
            matches,
        };
        print(&format!("{}\n", serde_json::to_string_pretty(&output)?))?;
    } else {
        let mut out = String::new();
        for finding in &report.findings {
            let _ = writeln!(out, "{}", located(&args.file, finding));
        }
        if let Some(matches) = &matches {
            let width = matches
                .iter()
                .map(|m| m.id.chars().count())
                .max()
                .unwrap_or(0)
                .max(5);
            let _ = writeln!(out, "\n{:<width$}  {:>9}  label", "entry", "comments");
            for m in matches {
                let _ = writeln!(out, "{:<width$}  {:>9}  {}", m.id, n(m.comments), m.label);
            }
        }
        let _ = writeln!(
            out,
            "{}: {} entries, {} error(s), {} warning(s)",
            args.file.display(),
            entries,
            report.errors(),
            report.warnings()
        );
        print(&out)?;
    }
    Ok(if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_print(args: PrintArgs) -> anyhow::Result<ExitCode> {
    let text = match args.which {
        BuiltinCodebook::Touchpoints => BUILTIN_TOUCHPOINTS,
        BuiltinCodebook::Themes => BUILTIN_THEMES,
        BuiltinCodebook::Crosswalk => BUILTIN_CROSSWALK,
    };
    match &args.output {
        Some(path) => {
            let guard = crate::output::Outputs::new(false);
            guard.check(path)?;
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            guard.record(std::slice::from_ref(path));
        }
        None => print(text)?,
    }
    Ok(ExitCode::SUCCESS)
}
