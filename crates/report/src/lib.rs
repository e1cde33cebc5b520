//! Theme tables, trends and the QI meeting pack.
//!
//! [`build`] reads annotated [`Comment`](chorus_core::Comment)s and the
//! [`ThemeCatalog`](chorus_core::ThemeCatalog) of the theming run once, in parallel, and returns a
//! [`ReportData`]: headline figures, the themes table ([`ThemeRow`]), the touchpoint journey
//! ([`TouchpointRow`]), "what went well" and "what to improve", [`Breakdown`]s with small-number
//! suppression, theme co-occurrence, complex and discordant comments, and [`SpcChart`]s with the Making
//! Data Count rules ([`spc`]). [`ReportOptions`] chooses the period, service, breakdowns, comparison
//! and SPC settings.
//!
//! Every writer renders the same `ReportData`: [`csv`] (one formula-safe file per table), [`xlsx`] (one
//! sheet per table), [`markdown`], [`json`] and [`html`] (the self-contained meeting pack).
//! [`write_report`] picks one by [`Format`]. [`export`] writes every comment with its annotations as
//! JSON lines or CSV for analysis elsewhere.
//!
//! Comment text is untrusted: it is HTML-escaped in the pack, backslash-escaped in Markdown and
//! neutralised in spreadsheets ([`escape`]).
//!
//! ```
//! use chorus_core::{Comment, FftScore, SourceRef, ThemeCatalog, Date};
//! use chorus_report::{ReportOptions, build, markdown};
//!
//! let comment = Comment {
//!     id: "1".into(),
//!     respondent: "r1".into(),
//!     question: "Please tell us why".into(),
//!     text: "=HYPERLINK(\"http://x\") <b>Kind</b> staff".into(),
//!     no_comment: false,
//!     date: Date::from_ymd(2022, 4, 1),
//!     score: FftScore::VeryGood,
//!     service: Some("Ward 1".into()),
//!     organisation: None,
//!     attributes: Default::default(),
//!     source: SourceRef::default(),
//!     annotations: None,
//! };
//! let report = build(&[comment], &ThemeCatalog::default(), &ReportOptions::default()).unwrap();
//! assert_eq!(report.headline.comments, 1);
//! assert_eq!(report.headline.percent_positive, Some(100.0));
//! let md = markdown::render(&report);
//! assert!(md.contains("| Comments | 1 |"));
//! ```
#![deny(missing_docs)]

mod assemble;
mod breakdown;
pub mod clauses;
pub mod csv;
mod error;
pub mod escape;
pub mod export;
pub mod html;
pub mod json;
pub mod markdown;
mod model;
mod options;
mod quotes;
pub mod spc;
pub mod stats;
pub mod svg;
pub mod synthetic;
pub mod tables;
pub mod xlsx;

use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use assemble::{
    DEFAULT_TOUCHPOINTS, MonthlySeries, build, build_from, format_p, monthly_spc_chart, slug,
};
pub use breakdown::{Breakdown, Cell as BreakdownCell, Count, Group, NOT_RECORDED, Row, suppress};
pub use error::Error;
pub use model::{
    BetterOrWorse, Change, ChangeFound, Cooccurrence, Discordant, Headline, Highlight, NamedCount,
    Period, Polarity, PreviousHeadline, Quote, RateSpan, ReportData, Scope, SentimentSplit,
    SetAside, Shift, SpcChart, ThemePair, ThemeRow, TouchpointRow, WhatChanged,
};
pub use options::{BreakdownBy, ChangeNote, MIN_SPC_POINTS, ReportOptions};
pub use quotes::shorten;

/// An output format of `chorus report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One CSV file per table in a directory.
    Csv,
    /// One Excel workbook, one sheet per table.
    Xlsx,
    /// One Markdown file.
    Markdown,
    /// The self-contained HTML meeting pack.
    Html,
    /// The whole report as JSON.
    Json,
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            other => Err(Error::InvalidOption {
                option: "--format",
                reason: format!(
                    "`{other}` is not a report format: use csv, xlsx, md, html or json"
                ),
            }),
        }
    }
}

/// Writes the report in one format to `path` (a directory for CSV, created if needed; a file
/// otherwise) and returns the files written.
pub fn write_report(data: &ReportData, format: Format, path: &Path) -> Result<Vec<PathBuf>, Error> {
    match format {
        Format::Csv => csv::write_dir(data, path),
        Format::Xlsx => xlsx::write(data, path).map(|()| vec![path.to_path_buf()]),
        Format::Markdown => write_text(path, &markdown::render(data)),
        Format::Html => write_text(path, &html::render(data)),
        Format::Json => write_text(
            path,
            &json::render(data).map_err(|source| Error::Json {
                path: path.to_path_buf(),
                source,
            })?,
        ),
    }
}

fn write_text(path: &Path, text: &str) -> Result<Vec<PathBuf>, Error> {
    std::fs::write(path, text).map_err(Error::io(path))?;
    Ok(vec![path.to_path_buf()])
}
