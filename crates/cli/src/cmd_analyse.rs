//! `chorus analyse`: the whole job in one command, for a team that wants the meeting pack from an export
//! without learning the stages first. It runs the same code as `chorus ingest`, `chorus themes` and
//! `chorus report`, in that order, so its results are exactly what the three commands give.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chorus_ingest::{DateOrder, parse_size};
use chorus_report::Format;

use crate::cmd_ingest::{self, IngestArgs};
use crate::cmd_report::{self, ReportArgs};
use crate::cmd_themes::{self, ThemesArgs};
use crate::output::Outputs;
use chorus_themes::discover::ClusterCount;

/// Ingest survey exports, theme every comment and write the reports, in one go.
///
/// Writes into the output folder: `store/` (the story index, for `chorus search --store`), `pack.html`
/// (the self-contained QI meeting pack), `report.xlsx` (one sheet per table) and `report.md`. Running it
/// again with new exports adds only the new comments and refreshes the themes and reports. Records that
/// could not be read are reported on stderr and in the pack, and make the exit status 1.
#[derive(Debug, clap::Args)]
#[command(after_help = cmd_ingest::EXIT_CODES)]
pub struct AnalyseArgs {
    /// Exports to read: CSV or TSV, Excel, JSON lines, or a folder of .txt stories.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The folder to write the store and reports into (created if needed).
    #[arg(short, long, value_name = "DIR", default_value = "chorus-output")]
    pub output: PathBuf,
    /// Give a column a role, overriding detection (as in `chorus ingest --map`).
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,
    /// A file of names to redact wherever they appear (one per line).
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// How to read all-numeric dates: dmy (UK) or mdy (American).
    #[arg(long, value_name = "ORDER", default_value = "dmy")]
    pub date_order: DateOrder,
    /// A model trained with `chorus train`, whose labels become themes.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Discover themes by clustering: a number of themes, `auto`, or `off`.
    #[arg(long, value_name = "K|auto|off", default_value = "auto")]
    pub discover: Discover,
    /// Seed for discovery; the same seed gives the same themes.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Mark a change (a PDSA cycle) on the SPC charts, e.g. `--annotate "2024-06-01=New triage"`.
    #[arg(long, value_name = "DATE=TEXT")]
    pub annotate: Vec<String>,
    /// Refuse a workbook that unzips to more than this (as in `chorus ingest`).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_unzipped_size: u64,
    /// Refuse a workbook with a cell bigger than this (as in `chorus ingest`).
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub max_cell_size: u64,
    /// Replace reports in the output folder that chorus did not write (a report.md of your own);
    /// never an input file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `chorus analyse`.
pub fn run_analyse(args: AnalyseArgs) -> anyhow::Result<ExitCode> {
    let pack = args.output.join("pack.html");
    let reports = [
        (Format::Html, pack.clone()),
        (Format::Xlsx, args.output.join("report.xlsx")),
        (Format::Markdown, args.output.join("report.md")),
    ];
    // Before any work: a file of the user's in the way is refused now, not after the theming.
    let guard = [args.names.as_ref(), args.model.as_ref()]
        .into_iter()
        .flatten()
        .chain(&args.files)
        .fold(Outputs::new(args.force), |guard, input| guard.input(input));
    for (_, path) in &reports {
        guard.check(path)?;
    }
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating the output folder {}", args.output.display()))?;
    let store = args.output.join("store");
    let annotate = args
        .annotate
        .iter()
        .map(|note| note.parse())
        .collect::<Result<Vec<_>, chorus_report::Error>>()?;

    step("1/3", "reading the exports")?;
    let ingested = cmd_ingest::ingest(IngestArgs {
        files: args.files,
        store: store.clone(),
        map: args.map,
        source_name: None,
        names: args.names,
        date_order: args.date_order,
        max_unzipped_size: args.max_unzipped_size,
        max_cell_size: args.max_cell_size,
        json: false,
    })?;
    // What could not be read is said now and again at the end, where it is not scrolled away; the pack
    // says it too. The rest is in the store, so the reports are made from it.
    let set_aside = cmd_ingest::set_aside_messages(&ingested);
    eprint!("{set_aside}");
    let stored = chorus_index::Store::open(&store)
        .map(|s| s.len())
        .with_context(|| format!("opening the store {}", store.display()))?;
    if stored == 0 {
        anyhow::bail!(
            "there is nothing to analyse: no comment could be read from the exports given (see above)"
        );
    }

    step("2/3", "theming the comments")?;
    let Discover(discover) = args.discover;
    cmd_themes::run_themes(ThemesArgs {
        store: store.clone(),
        codebook: None,
        touchpoints: None,
        model: args.model,
        crosswalk: None,
        discover,
        seed: args.seed,
        set_aside_explained: false,
        json: false,
    })?;

    step("3/3", "writing the reports")?;
    cmd_report::write_reports(
        ReportArgs {
            store: store.clone(),
            format: None,
            output: args.output.clone(),
            from: None,
            to: None,
            service: None,
            by: Vec::new(),
            compare_previous: false,
            annotate,
            baseline: None,
            suppress_below: 5,
            force: args.force,
        },
        &reports,
        &guard,
    )?;

    crate::display::print(&format!(
        "\nThe meeting pack is {}\nOpen it in a browser, or print it to A4. The tables are also in report.xlsx and report.md,\nand `chorus search --store {} QUERY` finds comments.\n",
        display_path(&pack),
        store.display()
    ))?;
    crate::display::print(&format!(
        "To read, search and correct them in the browser: chorus serve {}\n",
        args.output.display()
    ))?;
    if !set_aside.is_empty() {
        eprintln!();
        eprint!("{set_aside}");
        eprintln!(
            "chorus: the pack says how many records were set aside and why, in \"What was read\""
        );
    }
    Ok(cmd_ingest::exit_code(&ingested))
}

fn step(number: &str, what: &str) -> std::io::Result<()> {
    crate::display::print(&format!("\n== {number} {what}\n"))
}

/// The absolute path where it can be worked out, so the user can paste it into a browser.
fn display_path(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// `--discover` of `chorus analyse`: what `chorus themes --discover` takes, or `off`.
#[derive(Clone, Copy, Debug)]
pub struct Discover(Option<ClusterCount>);

impl std::str::FromStr for Discover {
    type Err = String;

    fn from_str(spec: &str) -> Result<Discover, String> {
        match spec.trim() {
            "off" | "none" | "no" => Ok(Discover(None)),
            spec => spec
                .parse()
                .map(|count| Discover(Some(count)))
                .map_err(|e: String| format!("{e}, or `off`")),
        }
    }
}
