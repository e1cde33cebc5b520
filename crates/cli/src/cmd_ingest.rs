//! `chorus ingest`: read survey exports into a store, and say what happened to every record.

use crate::display::n;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chorus_index::Store;
use chorus_ingest::{
    ColumnOverride, ColumnRole, DateOrder, Deduplicator, FileReport, IngestOptions, IngestReport,
    Limits, QuarantineWriter, Redactor, parse_size, printable,
};
use indicatif::{ProgressBar, ProgressStyle};

/// What `chorus ingest` and `chorus analyse` exit with, for `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit status:
  0  every record was stored or recognised as a duplicate
  1  done, but something was set aside: records quarantined (they are in the store's quarantine/ folder
     with their reasons), a file that could not be read, or links out of a story folder not followed;
     everything else was stored
  2  an error stopped the command (a bad flag, a store that cannot be opened or written)";

/// Read survey exports into a store.
///
/// Each free-text column of a row becomes its own comment; personal identifiers are redacted before
/// anything is stored; comments already in the store are counted as duplicates, not stored twice; records
/// that cannot be stored go to a quarantine file in the store with the reason. The summary reconciles:
/// records = stored + duplicates + quarantined. Anything set aside is reported on stderr and makes the
/// exit status 1 (see `--help`).
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct IngestArgs {
    /// Exports to read: CSV or TSV (.csv, .tsv, .txt; delimiter sniffed), Excel (.xlsx, .xls, .ods; first
    /// sheet), JSON lines (.jsonl), or a folder of .txt stories (one story per file).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The store (a directory; created if it does not exist).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Give a column a role, overriding detection. Roles: id, text (repeat for several free-text
    /// columns), question, date, score, service, organisation (or site), respondent, attribute, ignore
    /// (not stored at all). `ROLE=` with no column clears a role.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,
    /// The source name recorded on each comment (default: the file name).
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,
    /// A file of names to redact wherever they appear (one per line, whole words, any case).
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// How to read all-numeric dates: dmy (UK, 03/04/2022 is 3 April) or mdy (American).
    #[arg(long, value_name = "ORDER", default_value = "dmy")]
    pub date_order: DateOrder,
    /// Refuse a workbook (.xlsx, .ods) that unzips to more than this (e.g. 512M, 2G): a zip bomb.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_unzipped_size: u64,
    /// Refuse a workbook with a cell (or XML tag) bigger than this (e.g. 64K, 4M). Excel itself keeps
    /// at most 32,767 characters in a cell.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub max_cell_size: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `chorus ingest`.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let report = ingest(args)?;
    eprint!("{}", set_aside_messages(&report));
    Ok(exit_code(&report))
}

/// Ingests the files and prints the summary; `chorus analyse` shares it.
pub(crate) fn ingest(args: IngestArgs) -> anyhow::Result<IngestReport> {
    let overrides = args
        .map
        .iter()
        .map(|spec| spec.parse::<ColumnOverride>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut redactor = Redactor::new();
    if let Some(names) = &args.names {
        redactor = redactor.with_names_file(names)?;
    }
    let options = IngestOptions {
        overrides,
        source_name: args.source_name.clone(),
        date_order: args.date_order,
        redactor,
        limits: Limits {
            max_unzipped: args.max_unzipped_size,
            max_cell: args.max_cell_size,
        },
        ..IngestOptions::default()
    };

    let store = Store::create_or_open(&args.store)
        .with_context(|| format!("opening the store {}", args.store.display()))?;
    let mut dedup = Deduplicator::from_keys(
        store
            .known_keys()
            .with_context(|| format!("reading the keys of {}", args.store.display()))?,
    );
    let mut quarantine = QuarantineWriter::new(
        store
            .new_quarantine_path()
            .with_context(|| format!("preparing the quarantine in {}", args.store.display()))?,
    );

    let bar = progress_bar(chorus_ingest::total_bytes(&args.files));
    let mut reports = Vec::with_capacity(args.files.len());
    let mut done = 0u64;
    for path in &args.files {
        bar.set_message(path.display().to_string());
        // One commit per file: a failure in a later file keeps the earlier ones.
        let mut writer = store
            .writer()
            .with_context(|| format!("opening {} for writing", args.store.display()))?;
        let report = chorus_ingest::ingest_file(
            path,
            &options,
            &mut dedup,
            &mut writer,
            &mut quarantine,
            &mut |bytes| bar.set_position(done + bytes),
        );
        writer
            .commit()
            .with_context(|| format!("saving the comments of {} to the store", path.display()))?;
        done += chorus_ingest::total_bytes(std::slice::from_ref(path));
        bar.set_position(done);
        reports.push(report);
    }
    bar.finish_and_clear();
    quarantine.flush()?;
    let report = IngestReport::new(reports, quarantine.path().map(PathBuf::from));

    if args.json {
        crate::display::print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        crate::display::print(&human_summary(&report, args.date_order))?;
    }
    Ok(report)
}

/// 0 when everything was stored or recognised, 1 when anything was set aside (see [`EXIT_CODES`]).
pub(crate) fn exit_code(report: &IngestReport) -> ExitCode {
    if report.set_aside() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One loud line per file that had something set aside, for stderr: how much, why, and where it is.
/// Files with more than [`chorus_ingest::INCOMPLETE_SHARE`] set aside are called incomplete.
pub(crate) fn set_aside_messages(report: &IngestReport) -> String {
    let mut out = String::new();
    for file in report.files.iter().filter(|f| f.set_aside()) {
        let path = printable(&file.path.display().to_string()).into_owned();
        if let Some(error) = &file.error {
            let _ = writeln!(out, "chorus: error: {error}");
        }
        if file.quarantined > 0 {
            let reasons: Vec<String> = file
                .quarantine_reasons
                .iter()
                .map(|(reason, count)| format!("{} {reason}", n(*count)))
                .collect();
            let _ = writeln!(
                out,
                "chorus: warning: {}{} of {} records of {path} ({:.1}%) were set aside, not stored ({}){}{}",
                if file.incomplete() {
                    "INCOMPLETE: "
                } else {
                    ""
                },
                n(file.quarantined),
                n(file.records),
                100.0 * file.quarantined_share(),
                reasons.join(", "),
                if file.incomplete() {
                    ": figures from this file are incomplete"
                } else {
                    ""
                },
                report
                    .quarantine_file
                    .as_ref()
                    .map(|q| format!("; the records and reasons are in {}", q.display()))
                    .unwrap_or_default()
            );
        }
        if !file.skipped.is_empty() {
            let _ = writeln!(
                out,
                "chorus: warning: {path}: did not follow {} symbolic links that lead out of the folder: {}",
                file.skipped.len(),
                file.skipped.join(", ")
            );
        }
    }
    out
}

/// What the store's quarantine holds, for the reports to state; `None` when nothing was set aside.
pub(crate) fn set_aside_in(store: &Store) -> anyhow::Result<Option<chorus_report::SetAside>> {
    let dir = store.dir().join("quarantine");
    let summary = chorus_ingest::summarise_quarantine(&dir)
        .with_context(|| format!("reading the quarantine in {}", dir.display()))?;
    if summary.records == 0 {
        return Ok(None);
    }
    Ok(Some(chorus_report::SetAside {
        records: summary.records,
        stored: store.len(),
        by_reason: summary.reasons.into_iter().collect(),
        location: format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR),
    }))
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {wide_msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn human_summary(report: &IngestReport, order: DateOrder) -> String {
    let mut out = String::new();
    for file in &report.files {
        file_summary(&mut out, file, report, order);
    }
    let t = &report.totals;
    let _ = writeln!(
        out,
        "total: {} file{} ({} failed), {} rows, {} records: {} stored ({} no comment), {} duplicates, {} quarantined{}{}",
        n(t.files),
        if t.files == 1 { "" } else { "s" },
        n(t.failed_files),
        n(t.rows),
        n(t.records),
        n(t.stored),
        n(t.stored_no_comment),
        n(t.duplicates),
        n(t.quarantined),
        if t.quarantined > 0 {
            let reasons: Vec<String> = report
                .quarantine_reasons()
                .iter()
                .map(|(reason, count)| format!("{} {reason}", n(*count)))
                .collect();
            format!(" ({})", reasons.join(", "))
        } else {
            String::new()
        },
        if report.reconciles() {
            ""
        } else {
            " (DOES NOT RECONCILE: please report this)"
        }
    );
    if let Some(path) = &report.quarantine_file {
        let _ = writeln!(out, "quarantine file: {}", path.display());
    }
    out
}

fn file_summary(out: &mut String, file: &FileReport, report: &IngestReport, order: DateOrder) {
    let _ = writeln!(out, "{}", printable(&file.path.display().to_string()));
    if file.failed() && file.records == 0 && file.rows == 0 {
        let _ = writeln!(out, "  FAILED: {}", file.error.as_deref().unwrap_or(""));
        return;
    }
    let mut how: Vec<String> = Vec::new();
    if let Some(format) = file.format {
        how.push(format.label().to_owned());
    }
    if let Some(encoding) = &file.encoding {
        how.push(format!("encoding {encoding}"));
    }
    if let Some(delimiter) = &file.delimiter {
        how.push(format!("{delimiter}-separated"));
    }
    if !how.is_empty() {
        let _ = writeln!(out, "  read as: {}", how.join(", "));
    }
    if !file.mapping.is_empty() {
        let columns: Vec<String> = file
            .mapping
            .iter()
            .map(|m| format!("{} = {:?}", m.role, m.column))
            .collect();
        let _ = writeln!(out, "  columns: {}", columns.join("; "));
    }
    if !file.attributes.is_empty() {
        const SHOWN: usize = 8;
        let shown: Vec<&str> = file
            .attributes
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect();
        let more = file.attributes.len().saturating_sub(SHOWN);
        let _ = writeln!(
            out,
            "  attributes: {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        out,
        "  rows {}{}; records {}: stored {} (of which no comment {}), duplicates {}, quarantined {}",
        n(file.rows),
        if file.blank_rows > 0 {
            format!(" ({} blank)", n(file.blank_rows))
        } else {
            String::new()
        },
        n(file.records),
        n(file.stored),
        n(file.stored_no_comment),
        n(file.duplicates),
        n(file.quarantined),
    );
    if file.quarantined > 0 {
        let reasons: Vec<String> = file
            .quarantine_reasons
            .iter()
            .map(|(reason, count)| format!("{} {reason}", n(*count)))
            .collect();
        let _ = writeln!(out, "  quarantined: {}", reasons.join(", "));
        if let Some(path) = &report.quarantine_file {
            let _ = writeln!(out, "  quarantined records are in {}", path.display());
        }
    }
    let has_score = file.mapping.iter().any(|m| m.role == ColumnRole::Score);
    if has_score {
        let positive = file
            .scores
            .percent_positive()
            .map_or_else(|| "n/a".to_owned(), |p| format!("{p:.1}%"));
        let unrecognised = if file.scores_unrecognised > 0 {
            format!(
                " ({} not on the FFT scale, e.g. {})",
                n(file.scores_unrecognised),
                file.score_examples
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  scores: not given {}{unrecognised}; % positive (stored comments) {positive}",
            n(file.scores_not_given)
        );
    }
    if file.mapping.iter().any(|m| m.role == ColumnRole::Date) {
        let _ = writeln!(
            out,
            "  dates: read {}, unreadable {} (stored undated)",
            n(file.dates_read),
            n(file.dates_unreadable)
        );
        for example in &file.date_examples {
            let _ = writeln!(
                out,
                "    line {}, column {:?}: `{}`: {}",
                example.line,
                example.column,
                example.value,
                example.problem.describe(order)
            );
        }
    }
    let redactions: Vec<String> = file
        .redactions
        .by_kind()
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| format!("{} {}", n(*count), kind.marker()))
        .collect();
    let _ = writeln!(
        out,
        "  redacted: {}",
        if redactions.is_empty() {
            "nothing".to_owned()
        } else {
            redactions.join(", ")
        }
    );
    for note in &file.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for warning in &file.warnings {
        let _ = writeln!(out, "  WARNING: {warning}");
    }
    if let Some(error) = &file.error {
        let _ = writeln!(out, "  FAILED: {error}");
    }
    if !file.reconciles() {
        let _ = writeln!(
            out,
            "  DOES NOT RECONCILE: {} records but {} stored + {} duplicates + {} quarantined",
            file.records, file.stored, file.duplicates, file.quarantined
        );
    }
}
