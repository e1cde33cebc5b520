//! Exports of a selection: the comments as CSV (formula-safe), Excel or JSON lines, and the meeting
//! pack of the selection, all with people's corrections applied.

use chorus_core::corrections::corrected_note;
use chorus_report::export::{ExportFilter, write_csv, write_jsonl, xlsx_bytes};
use chorus_report::{ReportOptions, html};

use crate::App;
use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::params::Selection;

pub(crate) fn download(app: &App, request: &Request, file: &str) -> Result<Response, Failure> {
    let selection = Selection::from_query(&request.query)?;
    let filters = selection.filters()?;
    let mut comments = app
        .store
        .matching_comments(&selection.q, &filters)
        .map_err(Failure::store)?;
    let corrected_labels = app.corrections().apply_all(&mut comments);
    let all = ExportFilter::default();
    let failed = |e: &dyn std::fmt::Display| Failure::new(500, format!("the export failed: {e}"));
    let (body, content_type, name) = match file {
        "comments.csv" => {
            let mut out = Vec::new();
            write_csv(&comments, &all, &mut out).map_err(|e| failed(&e))?;
            (out, "text/csv; charset=utf-8", "chorus-comments.csv")
        }
        "comments.jsonl" => {
            let mut out = Vec::new();
            write_jsonl(&comments, &all, &mut out).map_err(|e| failed(&e))?;
            (
                out,
                "application/x-ndjson; charset=utf-8",
                "chorus-comments.jsonl",
            )
        }
        "comments.xlsx" => {
            let (out, _) = xlsx_bytes(&comments, &all).map_err(|e| failed(&e))?;
            (
                out,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "chorus-comments.xlsx",
            )
        }
        "pack.html" => {
            let catalog = app.catalog.as_ref().ok_or_else(|| {
                Failure::new(
                    409,
                    "the store has not been themed yet: run `chorus themes` first",
                )
            })?;
            if comments.is_empty() {
                return Err(Failure::new(
                    409,
                    "no comment matches: the pack would be empty",
                ));
            }
            let options = ReportOptions {
                // The pack says how far its labels are people's rather than the machine's.
                source: format!(
                    "store {} ({}; {})",
                    app.store.dir().display(),
                    describe(&selection),
                    corrected_note(corrected_labels)
                ),
                ..ReportOptions::default()
            };
            let report =
                chorus_report::build(&comments, catalog, &options).map_err(|e| failed(&e))?;
            (
                html::render(&report).into_bytes(),
                "text/html; charset=utf-8",
                "chorus-pack.html",
            )
        }
        _ => {
            return Err(Failure::not_found(
                "exports are comments.csv, comments.xlsx, comments.jsonl and pack.html",
            ));
        }
    };
    Ok(Response::new(200, content_type, body)
        .with_header(
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        )
        .with_header("Cache-Control", "no-store"))
}

/// The selection in words, for the pack's "generated from".
fn describe(s: &Selection) -> String {
    let pairs = s.pairs();
    if pairs.is_empty() {
        return "all comments".to_owned();
    }
    pairs
        .iter()
        .filter(|(n, _)| !matches!(*n, "sort" | "per"))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}
