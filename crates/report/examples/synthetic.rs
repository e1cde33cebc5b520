//! Builds a report from synthetic comments and writes every format: a demonstration of the pack and a
//! quick measurement of `build` on large inputs.
//!
//! `cargo run --release -p chorus-report --example synthetic -- 1000000 /tmp/synthetic-report`

use std::path::PathBuf;
use std::time::Instant;

use chorus_report::{ChangeNote, Format, ReportOptions, build, synthetic, write_report};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "synthetic-report".into()));
    std::fs::create_dir_all(&dir)?;

    let started = Instant::now();
    let comments = synthetic::comments(n, 42);
    let catalog = synthetic::catalog();
    eprintln!("generated {n} comments in {:.2?}", started.elapsed());

    let options = ReportOptions {
        from: chorus_core::Date::from_ymd(2022, 7, 1),
        to: chorus_core::Date::from_ymd(2022, 12, 31),
        compare_previous: true,
        annotations: vec![ChangeNote {
            date: synthetic::change_date(),
            text: "New discharge lounge".into(),
        }],
        by: vec![
            "service".parse()?,
            "month".parse()?,
            "question".parse()?,
            "age band".parse()?,
        ],
        source: format!("synthetic data ({n} comments)"),
        ..ReportOptions::default()
    };
    let whole = ReportOptions {
        by: options.by.clone(),
        annotations: options.annotations.clone(),
        source: options.source.clone(),
        ..ReportOptions::default()
    };
    for (label, opts) in [
        ("last six months, compared", &options),
        ("whole store", &whole),
    ] {
        for round in 0..3 {
            let started = Instant::now();
            let report = build(&comments, &catalog, opts)?;
            eprintln!(
                "{label}, round {round}: built the report of {} comments ({} in the tables) in {:.3?}",
                comments.len(),
                report.headline.comments,
                started.elapsed()
            );
        }
    }
    let report = build(&comments, &catalog, &options)?;
    for (format, name) in [
        (Format::Html, "pack.html"),
        (Format::Markdown, "report.md"),
        (Format::Json, "report.json"),
        (Format::Xlsx, "report.xlsx"),
        (Format::Csv, "csv"),
    ] {
        let started = Instant::now();
        let written = write_report(&report, format, &dir.join(name))?;
        eprintln!(
            "wrote {} file(s) for {name} in {:.2?}",
            written.len(),
            started.elapsed()
        );
    }
    Ok(())
}
