//! Computing [`ReportData`] from comments, the catalog and the options: one parallel pass to survey the
//! comments (`survey.rs`: dates, theme and touchpoint names, attribute columns, then the `Plan` of
//! `plan.rs`), one to aggregate everything (`acc.rs`, what "what changed" needs of each comment included),
//! then small finishing steps on the aggregates (`finish.rs`, `charts.rs`, `changed.rs`), which read back
//! only the comments they quote. The comments come from a [`CommentSource`], so a store is read batch by
//! batch and never held whole: the report's memory does not grow with the store. Nothing is quadratic in
//! the number of comments: co-occurrence is counted per comment over its own few themes.

use chorus_core::{Comment, CommentSource, Fetched, ThemeCatalog, ThemeSource};
use rayon::prelude::*;

use crate::Error;
use crate::breakdown::NOT_RECORDED;
use crate::model::ReportData;
use crate::options::{BreakdownBy, ReportOptions};

mod acc;
mod changed;
mod charts;
mod finish;
mod plan;
mod survey;

use acc::*;
use charts::*;
use finish::*;
use plan::*;
use survey::*;

pub use charts::{MonthlySeries, monthly_spc_chart, slug};
pub use finish::format_p;

/// Touchpoints in journey order, used when the catalog lists none.
pub const DEFAULT_TOUCHPOINTS: [&str; 10] = [
    "access",
    "travel",
    "arrival",
    "waiting",
    "assessment",
    "treatment",
    "information",
    "medication",
    "stay",
    "discharge",
];

/// Themes shown in the co-occurrence grid.
const COOCCURRENCE_THEMES: usize = 12;
/// Pairs listed in the co-occurrence table.
const COOCCURRENCE_PAIRS: usize = 20;
/// Themes in "what went well" and in "what to improve" (the same number: praise gets as much room).
const HIGHLIGHTS: usize = 5;
/// Complex comments listed.
const COMPLEX_COMMENTS: usize = 10;
/// A comment this long (in bytes of text) or with this many themes is complex.
const COMPLEX_LENGTH: usize = 600;
const COMPLEX_THEMES: usize = 4;
/// Discordant comments listed (all are counted).
const DISCORDANT_LISTED: usize = 50;
/// Top themes per touchpoint.
const TOUCHPOINT_THEMES: usize = 3;

/// Builds the report from comments in memory. The comments are read in parallel; the result depends
/// only on the inputs.
pub fn build(
    comments: &[Comment],
    catalog: &ThemeCatalog,
    options: &ReportOptions,
) -> Result<ReportData, Error> {
    build_from(comments, catalog, options)
}

/// Builds the report from `source`, pass by pass, without holding its comments: the same report as
/// [`build`] on the same comments.
pub fn build_from<S: CommentSource + ?Sized>(
    source: &S,
    catalog: &ThemeCatalog,
    options: &ReportOptions,
) -> Result<ReportData, Error> {
    options.validate()?;
    let breakdowns = options.breakdowns();
    let want_attributes = breakdowns
        .iter()
        .any(|b| matches!(b, BreakdownBy::Attribute(_)));
    let service = options.service.as_deref().map(str::trim);
    let survey = survey(source, service, want_attributes)?;
    let breakdowns = resolve_breakdowns(breakdowns, &survey.attributes)?;
    let registry = Registry::new(catalog, &survey);
    let plan = Plan::new(options, &survey, registry, breakdowns, service);

    let table = changed::DimsTable::default();
    let mut acc = aggregate(source, &plan, &table)?;
    let heard = std::mem::take(&mut acc.heard);
    let what_changed =
        changed::what_changed(source, &plan, options, &acc.respondents, heard, table)?;
    let quoted = Fetched::from_source(source, acc.quoted()).map_err(Error::Read)?;
    let mut data = finish(acc, &plan, &quoted, options, what_changed);
    data.method.extend(catalog_notes(catalog));
    Ok(data)
}

/// Calls `each` with every batch of `source` and its first comment's position.
fn scan<S: CommentSource + ?Sized>(
    source: &S,
    mut each: impl FnMut(usize, &[Comment]),
) -> Result<(), Error> {
    source
        .scan(&mut |start, batch| {
            each(start, batch);
            Ok(())
        })
        .map_err(Error::Read)
}

/// The aggregation pass: every comment counted once, on all cores.
fn aggregate<S: CommentSource + ?Sized>(
    source: &S,
    plan: &Plan,
    table: &changed::DimsTable,
) -> Result<Acc, Error> {
    let mut total = Acc::new(plan);
    scan(source, |start, batch| {
        let chunk = (batch.len() / (rayon::current_num_threads() * 4)).max(4096);
        let acc = batch
            .par_chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let mut acc = Acc::new(plan);
                for (i, comment) in part.iter().enumerate() {
                    acc.add(plan, table, start + n * chunk + i, comment);
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.merge(plan, b);
                a
            });
        if let Some(acc) = acc {
            total.merge(plan, acc);
        }
    })?;
    Ok(total)
}

/// What the touchpoints mean (their codebook's descriptions) and where a model's names come from, for the
/// method note.
fn catalog_notes(catalog: &ThemeCatalog) -> Vec<String> {
    let mut notes = Vec::new();
    let defined: Vec<String> = catalog
        .touchpoints
        .iter()
        .filter(|e| !e.description.trim().is_empty())
        .map(|e| {
            format!(
                "{}: {}",
                e.label,
                e.description.trim().trim_end_matches('.')
            )
        })
        .collect();
    if !defined.is_empty() {
        notes.push(format!(
            "Touchpoints are the steps of the care journey a comment speaks about, not words it happens to use; a comment can have none, one or several, and staff attitude or overall praise alone is no touchpoint. {}.",
            defined.join(". ")
        ));
    }
    if catalog
        .themes
        .iter()
        .any(|e| e.source == ThemeSource::Model && e.category.is_some())
    {
        notes.push("The trained model's themes are reported under the sub-categories and categories of NHS England's FFT qualitative framework version 7, through Chorus's crosswalk from the version 6 labels the public data carries: Chorus's reading of the v7 descriptions, editable with `chorus themes --crosswalk`.".to_string());
    }
    notes
}
