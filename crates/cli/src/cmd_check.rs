//! `chorus check`: verify a store and, with `--repair`, rebuild it from what can be trusted.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chorus_index::{CheckReport, RepairReport, Store};

use crate::display::{n, print};

/// Verify a store: its manifest, every file against its checksum, every stored comment and the theme
/// catalog. Exits with status 1 if anything is wrong, and says what to run.
///
/// With --repair, rebuilds the store from every comment that can be trusted: the search files of a
/// damaged group of comments are rebuilt from their text; comments whose text is damaged are removed
/// (exit status 1), and the message says which exports to ingest again to restore them.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The store (a directory made by `chorus ingest`, or the output folder of `chorus analyse`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Rebuild a damaged store from what can be trusted.
    #[arg(long)]
    pub repair: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `chorus check`.
pub fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let report = Store::check(&args.store)
        .with_context(|| format!("checking the store {}", args.store.display()))?;
    if !args.repair || report.is_sound() {
        if args.json {
            print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        } else {
            print(&human_check(&args, &report))?;
        }
        return Ok(if report.is_sound() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let repaired = Store::repair(&args.store)
        .with_context(|| format!("repairing the store {}", args.store.display()))?;
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&repaired)?))?;
    } else {
        print(&human_repair(&args, &report, &repaired))?;
    }
    Ok(if repaired.removed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn human_check(args: &CheckArgs, r: &CheckReport) -> String {
    let store = args.store.display();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "store {store}: {} comments in {} segment{}",
        n(r.comments),
        r.segments,
        if r.segments == 1 { "" } else { "s" }
    );
    if r.is_sound() {
        let _ = writeln!(
            out,
            "ok: every file matches its checksum and every comment can be read"
        );
        return out;
    }
    for p in &r.problems {
        let _ = writeln!(out, "problem: {}: {}", p.part, p.what);
    }
    let _ = writeln!(out);
    if r.segments == 0 && r.comments == 0 {
        let _ = writeln!(
            out,
            "the store cannot be repaired: restore the folder from a backup, or ingest the exports into a new store"
        );
        return out;
    }
    let _ = write!(
        out,
        "to repair: `chorus check --store {store} --repair` rebuilds the store from what can be trusted"
    );
    if r.rebuildable > 0 {
        let _ = write!(
            out,
            "; {} comments are re-indexed from their text",
            n(r.rebuildable)
        );
    }
    if r.unrecoverable > 0 {
        let _ = write!(
            out,
            "; {} comments whose text cannot be trusted are removed: {}",
            n(r.unrecoverable),
            reingest(&store.to_string(), &r.sources)
        );
    }
    let _ = writeln!(out);
    out
}

fn human_repair(args: &CheckArgs, before: &CheckReport, r: &RepairReport) -> String {
    let store = args.store.display().to_string();
    let mut out = String::new();
    for p in &before.problems {
        let _ = writeln!(out, "problem: {}: {}", p.part, p.what);
    }
    let _ = writeln!(
        out,
        "repaired {store}: {} comments kept, {} re-indexed, {} removed",
        n(r.kept),
        n(r.rebuilt),
        n(r.removed)
    );
    if r.removed > 0 {
        let _ = writeln!(out, "{}", reingest(&store, &r.sources));
    }
    if let Some(found) = r.upgraded_from {
        let _ = writeln!(
            out,
            "brought up to date from store format {found}; the themes of earlier runs were not kept: run `chorus themes --store {store}` again"
        );
    }
    out
}

/// What to run to bring back removed comments.
fn reingest(store: &str, sources: &[String]) -> String {
    let from = if sources.is_empty() {
        "the exports they came from".to_owned()
    } else {
        format!("the exports they came from ({})", sources.join(", "))
    };
    format!(
        "to restore them, run `chorus ingest` with {from} and `--store {store}` (comments already stored are skipped as duplicates, so only the removed ones come back), then `chorus themes --store {store}`"
    )
}
