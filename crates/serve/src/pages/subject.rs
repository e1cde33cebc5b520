//! A page per theme and per touchpoint: what the codebook says it is, how many comments and how they
//! feel, the FFT answers they came with, the SPC chart, breakdowns (small counts suppressed as in the
//! pack), what it travels with, and quotes leading to all its comments. And the list of them all.
//!
//! The counts come from searches with the theme or touchpoint as a filter (facets and attribute counts,
//! so any selection in the address narrows them); the sentiment towards it and the quotes from the
//! overview's report, when it is ready.

use chorus_core::{CatalogEntry, ThemeSource};
use chorus_index::{AttributeFacet, FacetCount, Filters, SearchRequest, SearchResults};
use chorus_report::spc::ImprovementDirection;
use chorus_report::{Quote, SentimentSplit, suppress, svg};
use maud::{Markup, html};

use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::layout::{self, Page, n, pct, share};
use crate::pages::overview::quote;
use crate::pages::search::{ATTRIBUTE_VALUES, comment_meta, correct_hits};
use crate::params::Selection;
use crate::summary::{chart_of, improvement, month_series};
use crate::{App, url};

/// Rows of a breakdown shown.
const BREAKDOWN_ROWS: usize = 15;
/// Themes it travels with.
const TRAVELS_WITH: usize = 10;

/// What a subject page is about.
struct Subject<'a> {
    kind: &'static str,
    /// The filter value (theme name or touchpoint id).
    value: String,
    label: String,
    description: String,
    source: Option<ThemeSource>,
    direction: ImprovementDirection,
    entry: Option<&'a CatalogEntry>,
}

pub(crate) fn theme(app: &App, request: &Request, name: &str) -> Result<Response, Failure> {
    let catalog = app.catalog.as_ref();
    let entry = catalog.and_then(|c| {
        c.themes
            .iter()
            .find(|t| t.label.eq_ignore_ascii_case(name) || t.id.eq_ignore_ascii_case(name))
    });
    let discovered = catalog.and_then(|c| {
        c.discovered
            .iter()
            .find(|d| d.label.eq_ignore_ascii_case(name))
    });
    let subject = Subject {
        kind: "theme",
        value: entry.map_or_else(
            || discovered.map_or_else(|| name.to_owned(), |d| d.label.clone()),
            |e| e.label.clone(),
        ),
        label: entry.map_or_else(
            || discovered.map_or_else(|| name.to_owned(), |d| d.label.clone()),
            |e| e.label.clone(),
        ),
        description: match (entry, discovered) {
            (Some(e), _) => e.description.clone(),
            (None, Some(d)) => format!(
                "Found by clustering the comments; its key phrases: {}.",
                d.key_phrases.join(", ")
            ),
            (None, None) => String::new(),
        },
        source: entry
            .map(|e| e.source)
            .or(discovered.map(|_| ThemeSource::Discovered)),
        direction: entry.map_or(ImprovementDirection::Neutral, |e| improvement(e.direction)),
        entry,
    };
    subject_page(app, request, subject)
}

pub(crate) fn touchpoint(app: &App, request: &Request, id: &str) -> Result<Response, Failure> {
    let entry = app
        .catalog
        .as_ref()
        .and_then(|c| c.touchpoints.iter().find(|t| t.id.eq_ignore_ascii_case(id)));
    let subject = Subject {
        kind: "touchpoint",
        value: entry.map_or_else(|| id.to_owned(), |e| e.id.clone()),
        label: entry.map_or_else(|| id.to_owned(), |e| e.label.clone()),
        description: entry.map_or_else(String::new, |e| e.description.clone()),
        source: None,
        direction: ImprovementDirection::Neutral,
        entry,
    };
    subject_page(app, request, subject)
}

fn subject_page(app: &App, request: &Request, subject: Subject<'_>) -> Result<Response, Failure> {
    let selection = Selection::from_query(&request.query)?;
    let mut filters = selection.filters()?;
    let theme = subject.kind == "theme";
    if theme {
        filters.themes = vec![subject.value.clone()];
    } else {
        filters.touchpoints = vec![subject.value.clone()];
    }
    let unknown = subject.entry.is_none() && subject.source.is_none();
    let absent = || {
        Failure::not_found(format!(
            "there is no {} `{}` in this store: see the list of themes and touchpoints",
            subject.kind, subject.value
        ))
    };
    let found = match app.store.search(&SearchRequest {
        query: selection.q.clone(),
        filters: filters.clone(),
        limit: 6,
        sort: chorus_index::SortOrder::Date,
        ..SearchRequest::default()
    }) {
        // A name the last run does not know is refused by the filter: here it is a page that is not.
        Err(chorus_index::Error::Filter { .. }) if unknown => return Err(absent()),
        found => found.map_err(Failure::store)?,
    };
    if found.total == 0 && unknown {
        return Err(absent());
    }
    let attributes = app
        .store
        .attribute_facets(&selection.q, &filters, ATTRIBUTE_VALUES)
        .map_err(Failure::store)?;
    let base_filters = Filters {
        themes: Vec::new(),
        touchpoints: Vec::new(),
        ..filters.clone()
    };
    // The whole store's months are prepared with the overview; a narrower selection counts its own.
    let summary = app.summary.ready();
    let base = match summary.as_ref().and_then(|s| s.months.clone()) {
        Some(months) if base_filters == Filters::default() && selection.q.trim().is_empty() => {
            Some(months)
        }
        _ => month_series(app, &selection.q, base_filters).map_err(Failure::store)?,
    };
    let chart = match base {
        Some(base) => Some(
            chart_of(
                app,
                format!("{}-chart", subject.kind),
                format!("% of comments about {}", subject.label),
                subject.direction,
                (&selection.q, filters.clone()),
                &base,
            )
            .map_err(Failure::store)?,
        ),
        None => None,
    };
    let all = selection_for(&selection, &subject).href("/search");
    let mut recent = found.hits.clone();
    correct_hits(app, &mut recent);
    let from_report = summary
        .as_ref()
        .and_then(|s| s.report.as_ref())
        .map(|r| report_figures(r, &subject));
    let body = html! {
        p.crumbs { a href="/themes" { "Themes and journey" } " › " (if theme { "Theme" } else { "Touchpoint" }) }
        h1 { (subject.label)
            @if let Some(source) = subject.source { " " span.badge { (source.as_str()) } }
        }
        @if !subject.description.is_empty() { p.lead { (subject.description) } }
        @if !selection.is_everything() {
            p.note { "Within the selection " a href=(selection.href("/search")) { "in the address" } ". " a href={ "/" (subject.kind) "s/" (url::encode(&subject.value)) } { "Show all comments" } }
        }
        div.cards {
            div.card { div.label { "Comments" } div.big { a href=(all) { (n(found.total)) } } div.sub { "mention " (if theme { "this theme" } else { "this step" }) } }
            @if let Some(f) = &from_report {
                div.card { div.label { "Share of comments" } div.big { (pct(f.percent)) } div.sub { "of all comments with text" } }
                div.card { div.label { "Feeling about it" } div.big.small { (layout::svg(svg::mini_bar(&f.sentiment, "subject-sent"))) }
                    div.sub { (pct(f.sentiment.percent(chorus_core::SentimentLabel::Positive))) " positive · " (pct(f.sentiment.percent(chorus_core::SentimentLabel::Negative))) " negative" } }
            }
        }
        (fft_mix(&selection_for(&selection, &subject), &found))
        @if let Some(chart) = &chart {
            section aria-labelledby="h-spc" {
                h2 #h-spc { "Month by month" }
                p { span.verdict { (chart.verdict) } }
                figure.spc { (layout::svg(svg::spc(chart, &chart.id))) }
                @if !chart.signals.is_empty() { ul.signals { @for s in &chart.signals { li { (s) } } } }
            }
        }
        (quotes(from_report.as_ref(), &recent, &all, found.total))
        (breakdowns(&selection_for(&selection, &subject), &found, &attributes))
        (travels_with(app, &selection, &subject, &found))
    };
    Ok(Response::html(
        200,
        layout::page(
            app,
            Page {
                title: &subject.label,
                nav: "themes",
                body,
            },
        ),
    ))
}

/// The selection in the address with this subject's filter added: "all its comments".
fn selection_for(selection: &Selection, subject: &Subject<'_>) -> Selection {
    if selection.has(subject.kind, &subject.value) {
        selection.clone()
    } else {
        selection.toggled(subject.kind, &subject.value)
    }
}

/// What the overview's report says of the subject.
struct Figures {
    percent: Option<f64>,
    sentiment: SentimentSplit,
    quotes: Vec<Quote>,
}

fn report_figures(report: &chorus_report::ReportData, subject: &Subject<'_>) -> Figures {
    if subject.kind == "theme" {
        let row = report
            .themes
            .iter()
            .filter(|t| t.name.eq_ignore_ascii_case(&subject.value))
            .max_by_key(|t| t.comments);
        Figures {
            percent: row.and_then(|r| r.percent),
            sentiment: row.map(|r| r.sentiment).unwrap_or_default(),
            quotes: row.map(|r| r.quotes.clone()).unwrap_or_default(),
        }
    } else {
        let row = report.touchpoints.iter().find(|t| t.id == subject.value);
        Figures {
            percent: row.and_then(|r| r.percent),
            sentiment: row.map(|r| r.sentiment).unwrap_or_default(),
            quotes: row
                .map(|r| {
                    r.best_quote
                        .iter()
                        .chain(r.worst_quote.iter())
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

fn fft_mix(s: &Selection, found: &SearchResults) -> Markup {
    let counts = &found.facets.score;
    let total: u64 = counts.iter().map(|c| c.count).sum();
    html! {
        @if total > 0 {
            section aria-labelledby="h-fft" {
                h2 #h-fft { "The FFT answers they came with" }
                table.data {
                    thead { tr { th scope="col" { "Answer" } th.n scope="col" { "Comments" } th.n scope="col" { "Share" } } }
                    tbody {
                        @for c in counts {
                            tr {
                                th scope="row" { (layout::score_label(&c.value)) }
                                td.n { a href=(s.toggled("score", &c.value).href("/search")) { (n(c.count)) } }
                                td.n { (pct(share(c.count, total))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn quotes(
    figures: Option<&Figures>,
    recent: &[chorus_index::Hit],
    all: &str,
    total: u64,
) -> Markup {
    let chosen = figures.map_or(&[][..], |f| f.quotes.as_slice());
    html! {
        section aria-labelledby="h-quotes" {
            h2 #h-quotes { "What people said" }
            @for q in chosen { (quote(q)) }
            @if chosen.is_empty() {
                @for hit in recent.iter().filter(|h| !h.comment.no_comment).take(3) {
                    blockquote.quote {
                        p { (chorus_report::shorten(&hit.comment.text, 400).0) }
                        footer { (comment_meta(&hit.comment)) }
                    }
                }
            }
            p { a href=(all) { "Read all " (n(total)) " comments" } }
        }
    }
}

fn breakdowns(s: &Selection, found: &SearchResults, attributes: &[AttributeFacet]) -> Markup {
    let f = &found.facets;
    let months: Vec<FacetCount> = f.month.iter().rev().cloned().collect();
    html! {
        section aria-labelledby="h-breakdowns" {
            h2 #h-breakdowns { "Where and when" }
            p.lead { "Counts below 5 are shown as <5, and a second count is hidden ([c]) where it would reveal one, as in the meeting pack." }
            div.grid {
                (breakdown(s, "Service", "service", &f.service))
                (breakdown(s, "Organisation", "organisation", &f.organisation))
                (breakdown(s, "Month (latest first)", "month", &months))
                @for a in attributes {
                    (breakdown(s, &a.name, &format!("attr:{}", a.name), &a.values))
                }
            }
        }
    }
}

/// One breakdown table; each shown count a link to its comments.
fn breakdown(s: &Selection, title: &str, filter: &str, counts: &[FacetCount]) -> Markup {
    let rows: Vec<&FacetCount> = counts
        .iter()
        .filter(|c| c.value != "(none)")
        .take(BREAKDOWN_ROWS)
        .collect();
    let published = suppress(&rows.iter().map(|c| c.count).collect::<Vec<_>>(), 5);
    let link = |value: &str| -> Option<String> {
        if filter == "month" {
            let month = value.parse::<chorus_core::YearMonth>().ok()?;
            let within = Selection {
                from: Some(month.first_day().to_string()),
                to: Some(month.last_day().to_string()),
                page: 1,
                ..s.clone()
            };
            return Some(within.href("/search"));
        }
        Some(match filter.strip_prefix("attr:") {
            Some(name) => s
                .toggled("attr", &format!("{name}={value}"))
                .href("/search"),
            None => s.toggled(filter, value).href("/search"),
        })
    };
    html! {
        @if !rows.is_empty() {
            table.data.breakdown {
                caption { (title) }
                tbody {
                    @for (c, p) in rows.iter().zip(&published) {
                        tr {
                            th scope="row" { (c.value) }
                            td.n {
                                @match (p.value(), link(&c.value)) {
                                    (Some(v), Some(href)) => a href=(href) { (n(v)) },
                                    _ => (p.display()),
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn travels_with(app: &App, s: &Selection, subject: &Subject<'_>, found: &SearchResults) -> Markup {
    let themes: Vec<&FacetCount> = found
        .facets
        .theme
        .iter()
        .filter(|c| !(subject.kind == "theme" && c.value.eq_ignore_ascii_case(&subject.value)))
        .take(TRAVELS_WITH)
        .collect();
    let touchpoints: Vec<&FacetCount> = found
        .facets
        .touchpoint
        .iter()
        .filter(|c| !(subject.kind == "touchpoint" && c.value == subject.value))
        .collect();
    let base = selection_for(s, subject);
    let both = |kind: &str, value: &str| -> String {
        // Within one filter values are alternatives; "both" is a query clause.
        if value.contains('"') {
            return format!("/{kind}s/{}", url::encode(value));
        }
        let mut with = base.clone();
        let clause = format!("{kind}:\"{value}\"");
        with.q = if with.q.trim().is_empty() {
            clause
        } else {
            format!("({}) AND {clause}", with.q)
        };
        with.href("/search")
    };
    let label = |id: &str| {
        app.catalog
            .as_ref()
            .and_then(|c| c.touchpoints.iter().find(|t| t.id == id))
            .map_or_else(|| id.to_owned(), |t| t.label.clone())
    };
    html! {
        section aria-labelledby="h-with" {
            h2 #h-with { "What it travels with" }
            div.grid {
                @if !themes.is_empty() {
                    table.data {
                        caption { "Themes in the same comments" }
                        tbody { @for c in &themes { tr {
                            th scope="row" { a href={ "/themes/" (url::encode(&c.value)) } { (c.value) } }
                            td.n { a href=(both("theme", &c.value)) { (n(c.count)) } }
                            td.n { (pct(share(c.count, found.total))) }
                        } } }
                    }
                }
                @if !touchpoints.is_empty() {
                    table.data {
                        caption { "Touchpoints in the same comments" }
                        tbody { @for c in &touchpoints { tr {
                            th scope="row" { a href={ "/touchpoints/" (url::encode(&c.value)) } { (label(&c.value)) } }
                            td.n { a href=(both("touchpoint", &c.value)) { (n(c.count)) } }
                            td.n { (pct(share(c.count, found.total))) }
                        } } }
                    }
                }
            }
        }
    }
}

/// Every touchpoint and theme with its count.
pub(crate) fn index(app: &App, _request: &Request) -> Result<Response, Failure> {
    let found = app
        .store
        .search(&SearchRequest {
            limit: 0,
            ..SearchRequest::default()
        })
        .map_err(Failure::store)?;
    let count = |facet: &[FacetCount], value: &str| {
        facet
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(value))
            .map_or(0, |c| c.count)
    };
    let catalog = app.catalog.clone().unwrap_or_default();
    let body = html! {
        h1 { "Themes and journey" }
        @if app.catalog.is_none() {
            p.note { "This store has not been themed yet: run " code { "chorus themes" } " first." }
        }
        section aria-labelledby="h-tp" {
            h2 #h-tp { "The journey's touchpoints" }
            table.data {
                thead { tr { th scope="col" { "Step" } th scope="col" { "What it covers" } th.n scope="col" { "Comments" } } }
                tbody { @for (i, t) in catalog.touchpoints.iter().enumerate() { tr {
                    th scope="row" { a href={ "/touchpoints/" (url::encode(&t.id)) } { (i + 1) ". " (t.label) } }
                    td { (t.description) }
                    td.n { a href={ "/search?touchpoint=" (url::encode(&t.id)) } { (n(count(&found.facets.touchpoint, &t.id))) } }
                } } }
            }
        }
        section aria-labelledby="h-th" {
            h2 #h-th { "Themes" }
            table.data {
                thead { tr { th scope="col" { "Theme" } th scope="col" { "Source" } th scope="col" { "What it covers" } th.n scope="col" { "Comments" } } }
                tbody {
                    @for t in &catalog.themes { tr {
                        th scope="row" { a href={ "/themes/" (url::encode(&t.label)) } { (t.label) } }
                        td { span.badge { (t.source.as_str()) } }
                        td { (t.description) }
                        td.n { a href={ "/search?theme=" (url::encode(&t.label)) } { (n(count(&found.facets.theme, &t.label))) } }
                    } }
                    @for d in &catalog.discovered { tr {
                        th scope="row" { a href={ "/themes/" (url::encode(&d.label)) } { (d.label) } }
                        td { span.badge { "discovered" } }
                        td { (d.key_phrases.join(", ")) }
                        td.n { a href={ "/search?theme=" (url::encode(&d.label)) } { (n(count(&found.facets.theme, &d.label))) } }
                    } }
                }
            }
        }
    };
    Ok(Response::html(
        200,
        layout::page(
            app,
            Page {
                title: "Themes and journey",
                nav: "themes",
                body,
            },
        ),
    ))
}
