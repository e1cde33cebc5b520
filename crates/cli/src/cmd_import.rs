//! `chorus import-codings`: a REFI-QDA project's codings back into a store as people's labels.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use chorus_core::corrections::utc_timestamp;
use chorus_index::Store;
use chorus_ingest::parse_size;
use chorus_qda::{ImportOptions, ImportSummary};

use crate::display::{count, n, print};

/// What `chorus import-codings` exits with, for `--help`.
const EXIT_CODES: &str = "\
Exit status:
  0  every coding of the project was matched to a comment and a code Chorus knows
  1  done, but something was set aside: coded selections matched to no comment, or codes Chorus does
     not know (listed with their counts); everything else was imported
  2  an error stopped the command (a file that is not a .qdpx, a hostile zip, a store that cannot be
     opened or written)";

/// Bring the codings of a REFI-QDA project (.qdpx) back as people's labels.
///
/// A project Chorus exported and a researcher recoded in NVivo, ATLAS.ti, MAXQDA or QualCoder (or one
/// made elsewhere from the same comments): each coded selection is matched to its comment, by the GUIDs
/// Chorus gave or else by its text; codes map by the tree Chorus exports (Touchpoints, Themes,
/// Framework, Discovered, Sentiment). For each comment the file covers, a label coded that the comment
/// did not have is added, one it had and the file no longer codes is removed, and a changed sentiment is
/// set, all as corrections in the store (a person's label wins, as in `chorus serve`). Importing an
/// unchanged export changes nothing.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct ImportCodingsArgs {
    /// The project (.qdpx).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The store whose comments were coded.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Who made the codings, as recorded in each correction (default: the project's user).
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Refuse a project that unzips to more than this (e.g. 512M, 2G): a zip bomb.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    max_unzipped: u64,
}

/// Imports the codings and prints the reconciliation.
pub fn run(args: ImportCodingsArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.store)
        .with_context(|| format!("opening the store {}", args.store.display()))?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let options = ImportOptions {
        reviewer: args.reviewer.clone(),
        time: utc_timestamp(now),
        dry_run: args.dry_run,
        max_unzipped: args.max_unzipped,
    };
    let summary = chorus_qda::import_codings(&store, &args.file, &options)
        .with_context(|| format!("importing the codings of {}", args.file.display()))?;
    print(&reconciliation(&args, &summary))?;
    warn(&args, &summary);
    Ok(match summary.set_aside() {
        true => ExitCode::from(1),
        false => ExitCode::SUCCESS,
    })
}

fn reconciliation(args: &ImportCodingsArgs, s: &ImportSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "read {} on {} of {}",
        count(s.codings, "coding", "codings"),
        count(s.selections, "text selection", "text selections"),
        args.file.display()
    );
    let _ = writeln!(
        out,
        "  comments matched: {} ({} by GUID, {} by text)",
        n(s.matched_by_guid + s.matched_by_text),
        n(s.matched_by_guid),
        n(s.matched_by_text)
    );
    let _ = writeln!(
        out,
        "  labels: {} added, {} removed, {} set, {} unchanged",
        n(s.added),
        n(s.removed),
        count(s.sentiment_set, "sentiment", "sentiments"),
        n(s.unchanged)
    );
    let unmatched: u64 = s.unmatched.values().sum();
    let unknown: u64 = s.unknown_codes.values().sum();
    let _ = writeln!(
        out,
        "  set aside: {} matched to no comment, {} with a code Chorus does not know",
        count(unmatched, "coded selection", "coded selections"),
        count(unknown, "coding", "codings")
    );
    let who = s
        .reviewer
        .as_deref()
        .map_or_else(String::new, |r| format!(" by {r}"));
    if args.dry_run {
        let _ = writeln!(
            out,
            "dry run: {} would be written{who}; nothing was written",
            count(s.corrections.len() as u64, "correction", "corrections")
        );
        for c in &s.corrections {
            let comment = c.comment.as_ref().map_or_else(
                || c.key.to_string(),
                |l| format!("{} · {}", l.id, l.question),
            );
            let _ = writeln!(out, "  {comment}: {}", c.action.describe());
        }
    } else {
        let _ = writeln!(
            out,
            "{} written{who} to {}",
            count(s.corrections.len() as u64, "correction", "corrections"),
            store_file(args).display()
        );
    }
    out
}

fn store_file(args: &ImportCodingsArgs) -> PathBuf {
    args.store.join(chorus_index::CORRECTIONS_FILE)
}

/// What was set aside, on stderr, with the reasons and the codes' names.
fn warn(args: &ImportCodingsArgs, s: &ImportSummary) {
    let file = args.file.display();
    if !s.unmatched.is_empty() {
        let total: u64 = s.unmatched.values().sum();
        eprintln!(
            "chorus: warning: {file}: {} matched to no comment of the store (not imported):",
            count(total, "coded selection", "coded selections")
        );
        for (reason, k) in &s.unmatched {
            eprintln!("  {:>7}  {reason}", n(*k));
        }
    }
    if !s.unknown_codes.is_empty() {
        let total: u64 = s.unknown_codes.values().sum();
        eprintln!(
            "chorus: warning: {file}: {} with codes Chorus does not know (not imported; Chorus reads \
             Touchpoints, Themes, Framework, Discovered and Sentiment codes):",
            count(total, "coding", "codings")
        );
        for (code, k) in &s.unknown_codes {
            eprintln!("  {:>7}  {code}", n(*k));
        }
    }
}
