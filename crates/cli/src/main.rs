//! The `chorus` command. It parses arguments, calls the library crates and prints what they return;
//! everything a test or another front end could reuse lives in `crates/`.

mod cmd_analyse;
mod cmd_check;
mod cmd_import;
mod cmd_ingest;
mod cmd_report;
mod cmd_search;
mod cmd_serve;
mod cmd_show;
mod cmd_themes;
mod cmd_train;
mod display;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: tantivy's indexing threads and the ingest workers allocate
/// and free from several threads at once, where glibc's allocator spends a fifth of the index build in
/// its arena locks and free lists (see BENCHMARKS.md, "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Chorus: narrative feedback analysis for experience-of-care teams.
///
/// The whole job at once: `chorus analyse export.csv -o out` (writes out/pack.html). Stage by stage:
/// `chorus ingest export.csv --store feedback`, then `chorus themes --store feedback
/// --discover auto`, then `chorus report --store feedback --format html -o pack.html`.
#[derive(Debug, Parser)]
#[command(name = "chorus", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The whole job: ingest exports, theme every comment, write the meeting pack and tables.
    Analyse(cmd_analyse::AnalyseArgs),
    /// Read survey exports (CSV, TSV, Excel, JSON lines, folders of stories) into a store.
    Ingest(cmd_ingest::IngestArgs),
    /// Search the comments of a store, with filters, facets and highlighted quotes.
    Search(cmd_search::SearchArgs),
    /// One comment or story whole, with its labels, clauses and the respondent's other answers.
    Show(cmd_show::ShowArgs),
    /// Keyword-in-context concordance lines for a word.
    Kwic(cmd_search::KwicArgs),
    /// Counts, respondents, date range, services, scores and % positive of a store.
    Stats(cmd_search::StatsArgs),
    /// Find touchpoints, sentiment and themes for every comment of a store.
    Themes(cmd_themes::ThemesArgs),
    /// Train a theme (and sentiment) model from labelled comments.
    Train(cmd_train::TrainArgs),
    /// Check or print codebooks.
    Codebook(cmd_themes::CodebookArgs),
    /// Export the comments a query and filters select, with their themes: JSON lines, CSV or a REFI-QDA
    /// project (.qdpx).
    Export(cmd_report::ExportArgs),
    /// Bring a REFI-QDA project's codings (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder) back as
    /// people's labels on the matching comments.
    ImportCodings(cmd_import::ImportCodingsArgs),
    /// Theme tables, trends and SPC charts as CSV, Excel, Markdown, JSON or an HTML meeting pack.
    Report(cmd_report::ReportArgs),
    /// The story explorer: a local web page to search, read and correct the comments of a store.
    Serve(cmd_serve::ServeArgs),
    /// Verify a store (every file against its checksum, every comment) and repair it.
    Check(cmd_check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyse(args) => cmd_analyse::run_analyse(args),
        Command::Ingest(args) => cmd_ingest::run(args),
        Command::Search(args) => cmd_search::run_search(args),
        Command::Show(args) => cmd_show::run_show(args),
        Command::Kwic(args) => cmd_search::run_kwic(args),
        Command::Stats(args) => cmd_search::run_stats(args),
        Command::Themes(args) => cmd_themes::run_themes(args),
        Command::Train(args) => cmd_train::run_train(args),
        Command::Codebook(args) => cmd_themes::run_codebook(args),
        Command::Export(args) => cmd_report::run_export(args),
        Command::ImportCodings(args) => cmd_import::run(args),
        Command::Report(args) => cmd_report::run_report(args),
        Command::Serve(args) => cmd_serve::run(args),
        Command::Check(args) => cmd_check::run_check(args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`chorus search … | head -1`): not an error, as in ripgrep.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chorus: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether an error comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
