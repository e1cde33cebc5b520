//! The overview's figures, computed once in the background and kept: the report (as `chorus report`
//! builds it, with people's corrections applied) and an SPC chart of every theme and touchpoint, to
//! find those going up or down. Built when the server starts and again after a correction; pages show
//! the last one ready (and say when a newer one is being prepared), so no request waits for it.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chorus_core::{Direction, YearMonth};
use chorus_index::{FacetCount, Filters, SearchRequest, StoreStats};
use chorus_report::spc::ImprovementDirection;
use chorus_report::{MonthlySeries, ReportData, ReportOptions, SpcChart, monthly_spc_chart};

use crate::App;

/// What the overview shows.
pub(crate) struct Summary {
    /// Counts of the whole store.
    pub stats: StoreStats,
    /// The report of the whole store; `None` before theming.
    pub report: Option<ReportData>,
    /// Themes and touchpoints whose SPC chart shows special causes, the most recent signals first.
    pub changes: Vec<Change>,
    /// Comments with text per month over the whole store (the denominator of every chart).
    pub months: Option<(YearMonth, Vec<u64>)>,
    /// Labels people changed, over all comments.
    pub corrected_labels: u64,
    /// How long it took to prepare.
    pub took: Duration,
}

/// A theme or touchpoint going up or down.
pub(crate) struct Change {
    /// `theme` or `touchpoint`.
    pub kind: &'static str,
    /// The theme's name or the touchpoint's id.
    pub name: String,
    /// What to call it.
    pub label: String,
    /// Its chart.
    pub chart: SpcChart,
}

#[derive(Default)]
struct State {
    ready: Option<Arc<Summary>>,
    building: bool,
    /// The figures are out of date (the server started, or a correction came in).
    dirty: bool,
    failed: Option<String>,
}

/// The summary being prepared and the last one ready.
#[derive(Default)]
pub(crate) struct SummaryCell {
    state: Mutex<State>,
    wake: Condvar,
}

/// What a page can show.
pub(crate) enum Status {
    /// The figures, and whether newer ones are being prepared.
    Ready(Arc<Summary>, bool),
    /// Not ready yet.
    Building,
    /// Preparing failed (with why); search and comment pages still work.
    Failed(String),
}

impl SummaryCell {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The last summary ready.
    pub fn status(&self) -> Status {
        let state = self.lock();
        match (&state.ready, &state.failed) {
            (Some(s), _) => Status::Ready(Arc::clone(s), state.building || state.dirty),
            (None, Some(why)) if !state.building && !state.dirty => Status::Failed(why.clone()),
            _ => Status::Building,
        }
    }

    /// The last summary ready, if any.
    pub fn ready(&self) -> Option<Arc<Summary>> {
        self.lock().ready.clone()
    }

    /// Asks for the figures to be prepared again (after a correction).
    pub fn invalidate(&self) {
        self.lock().dirty = true;
        self.wake.notify_all();
    }
}

/// Starts the thread that prepares the summary now and again whenever it is invalidated.
pub(crate) fn start(app: Arc<App>) {
    app.summary.invalidate();
    let worker = Arc::clone(&app);
    let spawned = std::thread::Builder::new()
        .name("chorus-summary".into())
        .spawn(move || {
            let app = worker;
            loop {
                {
                    let mut state = app.summary.lock();
                    while !state.dirty {
                        state = app
                            .summary
                            .wake
                            .wait(state)
                            .unwrap_or_else(|e| e.into_inner());
                    }
                    state.dirty = false;
                    state.building = true;
                }
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| prepare(&app)));
                let mut state = app.summary.lock();
                match result {
                    Ok(Ok(summary)) => {
                        state.ready = Some(Arc::new(summary));
                        state.failed = None;
                        // Pages kept so far were made without these figures, or with older ones.
                        app.pages.clear();
                    }
                    Ok(Err(why)) => state.failed = Some(why),
                    Err(_) => state.failed = Some("preparing the overview failed".to_owned()),
                }
                state.building = false;
            }
        });
    if spawned.is_err() {
        let mut state = app.summary.lock();
        state.dirty = false;
        state.failed = Some("could not start preparing the overview".to_owned());
    }
}

fn prepare(app: &App) -> Result<Summary, String> {
    let started = Instant::now();
    let stats = app.store.stats().map_err(|e| e.to_string())?;
    let mut corrected_labels = 0;
    let report = match &app.catalog {
        None => None,
        Some(catalog) => {
            // The corrections as they stand now: one made meanwhile marks these figures stale and they
            // are prepared again. The store is read in batches, pass after pass: the server never holds
            // it whole.
            let corrections = app.corrections();
            let options = ReportOptions {
                source: format!("store {}", app.store.dir().display()),
                ..ReportOptions::default()
            };
            let reported = chorus_pipeline::report(&app.store, catalog, &corrections, &options)
                .map_err(|e| with_cause(&e))?;
            corrected_labels = reported.corrected_labels;
            Some(reported.report)
        }
    };
    let months = month_series(app, "", Filters::default()).map_err(|e| e.to_string())?;
    let changes = match (&report, &months) {
        (Some(report), Some(base)) => changes(app, report, base).map_err(|e| e.to_string())?,
        _ => Vec::new(),
    };
    Ok(Summary {
        stats,
        report,
        changes,
        months,
        corrected_labels,
        took: started.elapsed(),
    })
}

/// An error's message followed by its causes, as the overview shows a failure.
fn with_cause(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    message
}

/// Comments with text that a query and filters match, per month (`None` when none is dated).
pub(crate) fn month_series(
    app: &App,
    query: &str,
    filters: Filters,
) -> Result<Option<(YearMonth, Vec<u64>)>, chorus_index::Error> {
    let query = if query.trim().is_empty() {
        "no_comment:false".to_owned()
    } else {
        format!("({query}) AND no_comment:false")
    };
    let found = app.store.search(&SearchRequest {
        query,
        filters,
        limit: 0,
        ..SearchRequest::default()
    })?;
    Ok(months(&found.facets.month))
}

/// A month facet as a dense series from its first month.
pub(crate) fn months(facet: &[FacetCount]) -> Option<(YearMonth, Vec<u64>)> {
    let dated: Vec<(YearMonth, u64)> = facet
        .iter()
        .filter_map(|c| Some((c.value.parse::<YearMonth>().ok()?, c.count)))
        .collect();
    let first = dated.iter().map(|(m, _)| *m).min()?;
    let last = dated.iter().map(|(m, _)| *m).max()?;
    let mut series = vec![0; first.months_until(last) as usize + 1];
    for (m, count) in dated {
        series[first.months_until(m) as usize] += count;
    }
    Some((first, series))
}

/// `series` (starting at `start`) laid over the months of `base` (starting at `base_start`).
pub(crate) fn align(
    base_start: YearMonth,
    len: usize,
    start: YearMonth,
    series: &[u64],
) -> Vec<u64> {
    let mut out = vec![0; len];
    for (i, &count) in series.iter().enumerate() {
        let at = base_start.months_until(start) + i as i32;
        if at >= 0 && (at as usize) < len {
            out[at as usize] = count;
        }
    }
    out
}

/// The SPC chart of the comments a filter picks, as a share of all comments with text per month.
pub(crate) fn chart_of(
    app: &App,
    id: String,
    title: String,
    direction: ImprovementDirection,
    (query, filters): (&str, Filters),
    base: &(YearMonth, Vec<u64>),
) -> Result<SpcChart, chorus_index::Error> {
    let numerators = match month_series(app, query, filters)? {
        Some((start, series)) => align(base.0, base.1.len(), start, &series),
        None => vec![0; base.1.len()],
    };
    Ok(monthly_spc_chart(
        MonthlySeries {
            id,
            title,
            direction,
            start: base.0,
            numerators,
            denominators: base.1.clone(),
        },
        &ReportOptions::default(),
    ))
}

/// The improvement direction of a theme or touchpoint.
pub(crate) fn improvement(direction: Direction) -> ImprovementDirection {
    match direction {
        Direction::HigherIsBetter => ImprovementDirection::Increase,
        Direction::LowerIsBetter => ImprovementDirection::Decrease,
        Direction::Neutral => ImprovementDirection::Neutral,
    }
}

/// Every theme and touchpoint with a special cause on its chart.
fn changes(
    app: &App,
    report: &ReportData,
    base: &(YearMonth, Vec<u64>),
) -> Result<Vec<Change>, chorus_index::Error> {
    let mut out = Vec::new();
    for row in report.touchpoints.iter().filter(|t| t.mentions > 0) {
        let chart = chart_of(
            app,
            format!("touchpoint-{}", row.id),
            format!("% of comments about {}", row.name),
            ImprovementDirection::Neutral,
            (
                "",
                Filters {
                    touchpoints: vec![row.id.clone()],
                    ..Filters::default()
                },
            ),
            base,
        )?;
        out.push(Change {
            kind: "touchpoint",
            name: row.id.clone(),
            label: row.name.clone(),
            chart,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for row in report.themes.iter().filter(|t| t.comments > 0) {
        if !seen.insert(row.name.to_lowercase()) {
            continue;
        }
        let chart = chart_of(
            app,
            format!("theme-{}", chorus_report::slug(&row.name)),
            format!("% of comments about {}", row.name),
            improvement(row.direction),
            (
                "",
                Filters {
                    themes: vec![row.name.clone()],
                    ..Filters::default()
                },
            ),
            base,
        )?;
        out.push(Change {
            kind: "theme",
            name: row.name.clone(),
            label: row.name.clone(),
            chart,
        });
    }
    out.retain(|c| !c.chart.signals.is_empty());
    // Charts whose latest point is a special cause first, then by how many signals they show.
    out.sort_by_key(|c| {
        let current = !matches!(
            c.chart.variation,
            chorus_report::spc::Variation::CommonCause
                | chorus_report::spc::Variation::NotEnoughData
        );
        (!current, std::cmp::Reverse(c.chart.signals.len()))
    });
    Ok(out)
}
