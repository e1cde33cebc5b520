//! `chorus report` and `chorus export`: theme tables, trends and the meeting pack, and every comment with
//! its annotations for analysis elsewhere.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chorus_core::Date;
use chorus_index::Store;
use chorus_pipeline::export::{RowFormat, Selection};
use chorus_report::{BreakdownBy, ChangeNote, Format, ReportOptions};

use crate::display::{count, print};
use crate::output::Outputs;

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse_iso(text).ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

fn parse_by(text: &str) -> Result<BreakdownBy, String> {
    text.parse()
        .map_err(|e: chorus_report::Error| e.to_string())
}

fn parse_note(text: &str) -> Result<ChangeNote, String> {
    text.parse()
        .map_err(|e: chorus_report::Error| e.to_string())
}

/// Arguments of `chorus report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The store to report on.
    #[arg(long, value_name = "DIR")]
    pub(crate) store: PathBuf,
    /// csv (a folder with one file per table), xlsx, md, html (the meeting pack) or json; guessed from
    /// the output's extension when left out.
    #[arg(long, value_name = "FORMAT", value_parser = parse_report_format)]
    pub(crate) format: Option<Format>,
    /// Where to write: a file, or a folder for csv.
    #[arg(short, long, value_name = "PATH")]
    pub(crate) output: PathBuf,
    /// First day of the period (YYYY-MM-DD); the first comment's date by default.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) from: Option<Date>,
    /// Last day of the period (YYYY-MM-DD); the last comment's date by default.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub(crate) to: Option<Date>,
    /// Only comments of this service.
    #[arg(long, value_name = "NAME")]
    pub(crate) service: Option<String>,
    /// Break the themes down by service, month, question or any attribute column (age band,
    /// ethnicity…); repeat or separate with commas. Default: service and month.
    #[arg(long, value_name = "DIMENSION", value_delimiter = ',', value_parser = parse_by)]
    pub(crate) by: Vec<BreakdownBy>,
    /// Compare each theme with the previous period of the same length, with significance tests.
    #[arg(long)]
    pub(crate) compare_previous: bool,
    /// Mark a change (a PDSA cycle) on the SPC charts and recalculate their limits from it once 12
    /// months follow it, e.g. `--annotate "2022-03-01=New discharge lounge"`; repeatable.
    #[arg(long, value_name = "DATE=TEXT", value_parser = parse_note)]
    pub(crate) annotate: Vec<ChangeNote>,
    /// Fix each SPC chart's limits on its first N points (at least 12).
    #[arg(long, value_name = "N")]
    pub(crate) baseline: Option<usize>,
    /// Show breakdown counts below this as "<N".
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) suppress_below: u64,
    /// Replace an existing file that chorus did not write (never an input of the command).
    #[arg(long)]
    pub(crate) force: bool,
}

fn guess_format(path: &Path) -> anyhow::Result<Format> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match extension.as_deref() {
        Some("html" | "htm") => Format::Html,
        Some("md" | "markdown") => Format::Markdown,
        Some("json") => Format::Json,
        Some("xlsx") => Format::Xlsx,
        Some("csv") | None => Format::Csv,
        Some(other) => bail!(
            "cannot tell the format from `.{other}`: add --format csv, xlsx, md, html or json"
        ),
    })
}

fn open_store(dir: &Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("opening the store {}", dir.display()))
}

/// Builds the report and writes it in one format.
pub fn run_report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Some(f) => f,
        None => guess_format(&args.output)?,
    };
    let output = args.output.clone();
    let guard = Outputs::new(args.force).input(&Store::locate(&args.store));
    write_reports(args, &[(format, output)], &guard)?;
    Ok(ExitCode::SUCCESS)
}

/// Builds the report once from `args` (its `format` and `output` are ignored) and writes it in each of
/// the formats asked for, so that several outputs cost one read of the store. Every output is checked
/// with `guard` before any work, and recorded as chorus's once written.
pub(crate) fn write_reports(
    args: ReportArgs,
    outputs: &[(Format, PathBuf)],
    guard: &Outputs,
) -> anyhow::Result<()> {
    for (format, output) in outputs {
        match format {
            Format::Csv => guard.check_folder(output)?,
            _ => guard.check(output)?,
        }
    }
    let store = open_store(&args.store)?;
    let Some(catalog) = store
        .catalog()
        .with_context(|| format!("reading the theme catalog of {}", args.store.display()))?
    else {
        bail!(
            "the store {} has not been themed yet: run `chorus themes --store {}` first",
            args.store.display(),
            args.store.display()
        );
    };
    // A person's label wins, as on the server's pages; the report says how many there were. The store
    // is read in batches, pass after pass, never whole.
    let corrections = store.corrections()?;
    let options = ReportOptions {
        from: args.from,
        to: args.to,
        service: args.service,
        by: args.by,
        compare_previous: args.compare_previous,
        annotations: args.annotate,
        baseline: args.baseline,
        suppress_below: args.suppress_below,
        source: format!("store {}", args.store.display()),
        set_aside: crate::cmd_ingest::set_aside_in(&store)?,
        ..ReportOptions::default()
    };
    let report = chorus_pipeline::report(&store, &catalog, &corrections, &options)?.report;
    if report.headline.records == 0 {
        bail!(
            "no comment matches the period and service asked for: check --from, --to and --service"
        );
    }
    let period = report
        .scope
        .period
        .map_or_else(|| "no dates".to_string(), |p| p.label());
    print(&format!(
        "{} from {}, {period}: {}, {}, {}\n",
        count(report.headline.comments, "comment", "comments"),
        count(report.headline.respondents, "respondent", "respondents"),
        count(report.themes.len() as u64, "theme", "themes"),
        count(report.touchpoints.len() as u64, "touchpoint", "touchpoints"),
        count(report.spc.len() as u64, "SPC chart", "SPC charts"),
    ))?;
    for (format, output) in outputs {
        let written = chorus_report::write_report(&report, *format, output)
            .with_context(|| format!("writing the report to {}", output.display()))?;
        guard.record(&written);
        if written.len() == 1 {
            print(&format!("wrote {}\n", written[0].display()))?;
        } else {
            print(&format!(
                "wrote {} files to {}\n",
                written.len(),
                output.display()
            ))?;
        }
    }
    Ok(())
}

/// Arguments of `chorus export`: the comments `chorus search` would find for the same query and filters.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A query in the search language (see `chorus search --help`); none exports every comment.
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// The store to export.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// jsonl (one JSON object per comment), csv (one formula-safe row per comment, a column per
    /// attribute) or qdpx (a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder).
    #[arg(long, value_name = "FORMAT", default_value = "jsonl", value_parser = parse_export_format)]
    format: ExportFormat,
    /// The file to write, or `-` for standard output (not for qdpx).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    filters: crate::cmd_search::FilterArgs,
    /// Replace an existing file that chorus did not write (never an input of the command).
    #[arg(long)]
    force: bool,
}

/// What `chorus export --format` names: rows of comments, or a REFI-QDA project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    /// JSON lines or CSV, streamed.
    Rows(RowFormat),
    /// A `.qdpx` project.
    Qdpx,
}

fn parse_export_format(text: &str) -> Result<ExportFormat, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "jsonl" | "json-lines" | "ndjson" => Ok(ExportFormat::Rows(RowFormat::Jsonl)),
        "csv" => Ok(ExportFormat::Rows(RowFormat::Csv)),
        "qdpx" => Ok(ExportFormat::Qdpx),
        other => Err(format!(
            "`{other}` is not an export format: use jsonl, csv or qdpx"
        )),
    }
}

fn parse_report_format(text: &str) -> Result<Format, String> {
    text.parse::<Format>().map_err(|e| match e {
        // clap names the option already.
        chorus_report::Error::InvalidOption { reason, .. } => reason,
        other => other.to_string(),
    })
}

/// Writes the comments the query and filters select, with their annotations.
pub fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        ExportFormat::Rows(format) => Some(format),
        ExportFormat::Qdpx => None,
    };
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout && format.is_none() {
        bail!("a qdpx project is a zip file: give a file name with -o, e.g. -o comments.qdpx");
    }
    let guard = Outputs::new(args.force).input(&Store::locate(&args.store));
    if !to_stdout {
        guard.check(&args.output)?;
    }
    let store = open_store(&args.store)?;
    let selection = Selection {
        query: args.query.join(" "),
        filters: args.filters.to_filters()?,
    };
    let written = || format!("writing {}", args.output.display());
    let message = match format {
        Some(format) => {
            let out: Box<dyn Write> = if to_stdout {
                Box::new(BufWriter::new(std::io::stdout().lock()))
            } else {
                Box::new(BufWriter::new(File::create(&args.output).with_context(
                    || format!("creating {}", args.output.display()),
                )?))
            };
            let done = chorus_pipeline::export::export_rows(&store, &selection, format, out)
                .with_context(written)?;
            let corrected = done.corrected.map_or(String::new(), |n| {
                format!(" ({})", chorus_core::corrections::corrected_note(n))
            });
            format!(
                "exported {} of {} comments{corrected}",
                done.written, done.total
            )
        }
        None => {
            let seqs = chorus_pipeline::export::select(&store, &selection)?;
            let file = File::create(&args.output)
                .with_context(|| format!("creating {}", args.output.display()))?;
            let name = args
                .output
                .file_stem()
                .map_or_else(|| "Chorus".to_owned(), |s| s.to_string_lossy().into_owned());
            let done = chorus_qda::write_project(&store, &seqs, &name, BufWriter::new(file))
                .with_context(written)?;
            let blank = match done.blank {
                0 => String::new(),
                1 => " (1 blank answer left out: no text to code)".to_owned(),
                n => format!(" ({n} blank answers left out: no text to code)"),
            };
            format!(
                "exported {} comments{blank} as {} sources, {} cases and {} codings",
                done.comments, done.sources, done.cases, done.codings
            )
        }
    };
    if to_stdout {
        eprintln!("{message}");
    } else {
        guard.record(std::slice::from_ref(&args.output));
        print(&format!("{message} to {}\n", args.output.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
