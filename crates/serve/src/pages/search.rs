//! The search page: the query language, filters with facet counts that follow the query, highlighted
//! snippets, sort, paging and exports, all held in the address.

use chorus_core::Comment;
use chorus_index::{AttributeFacet, FacetCount, Hit, SearchResults, SortOrder};
use maud::{Markup, html};

use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::layout::{self, Page, n};
use crate::params::{Selection, sort_slug};
use crate::{App, url};

/// Values of a facet listed before "more".
const FACET_VALUES: usize = 12;
/// Values counted per attribute column.
pub(crate) const ATTRIBUTE_VALUES: usize = 30;

pub(crate) fn page(app: &App, request: &Request) -> Result<Response, Failure> {
    let selection = Selection::from_query(&request.query);
    let (selection, problem) = match selection {
        Ok(s) => (s, None),
        Err(f) => (Selection::from_query(&[]).unwrap_or_default(), Some(f)),
    };
    let found = match &problem {
        Some(_) => None,
        None => Some(search(app, &selection)),
    };
    let (results, problem) = match found {
        Some(Ok(r)) => (Some(r), problem),
        Some(Err(f)) => (None, Some(f)),
        None => (None, problem),
    };
    let status = problem.as_ref().map_or(200, |p| p.status);
    let title = if selection.q.trim().is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {}", selection.q.trim())
    };
    let body = html! {
        h1 { "Search the comments" }
        (form(&selection, problem.as_ref()))
        @if let Some((results, attributes)) = &results {
            div.results-layout {
                aside.facets aria-label="Filters" { (facets(app, &selection, results, attributes)) }
                section.results aria-label="Comments found" { (hits(&selection, results)) }
            }
        }
    };
    Ok(Response::html(
        status,
        layout::page(
            app,
            Page {
                title: &title,
                nav: "search",
                body,
            },
        ),
    ))
}

/// The hits, facets and attribute counts of a selection, with people's corrections shown on the hits.
pub(crate) fn search(
    app: &App,
    selection: &Selection,
) -> Result<(SearchResults, Vec<AttributeFacet>), Failure> {
    let request = selection.request()?;
    let mut results = app.store.search(&request).map_err(Failure::store)?;
    correct_hits(app, &mut results.hits);
    let attributes = app
        .store
        .attribute_facets(&request.query, &request.filters, ATTRIBUTE_VALUES)
        .map_err(Failure::store)?;
    Ok((results, attributes))
}

/// Applies people's corrections to the comments of hits.
pub(crate) fn correct_hits(app: &App, hits: &mut [Hit]) {
    let corrections = app.corrections();
    if corrections.is_empty() {
        return;
    }
    for hit in hits {
        corrections.apply_to(&mut hit.comment);
    }
}

fn form(s: &Selection, problem: Option<&Failure>) -> Markup {
    let kept: Vec<(&str, String)> = s
        .pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "q" | "from" | "to" | "sort"))
        .collect();
    html! {
        form.search role="search" aria-label="Search the comments" action="/search" method="get" {
            div.field.grow {
                label for="q" { "Words, phrases or a query" }
                input #q type="search" name="q" value=(s.q) autocomplete="off" spellcheck="false"
                    aria-describedby="q-help q-live";
                p #q-help.hint { "All words must match; \"a phrase\"; OR, NOT, (…); wait* for prefixes; field:value such as service:\"Outpatients\" or score:[4 TO 5]." }
                p #q-live.hint aria-live="polite" {}
            }
            div.field {
                label for="from" { "From" }
                input #from type="date" name="from" value=[s.from.as_deref()];
            }
            div.field {
                label for="to" { "To" }
                input #to type="date" name="to" value=[s.to.as_deref()];
            }
            div.field {
                label for="sort" { "Order" }
                select #sort name="sort" {
                    @for (order, label) in [(SortOrder::Relevance, "Best match"), (SortOrder::Date, "Newest first"), (SortOrder::DateAsc, "Oldest first")] {
                        option value=(sort_slug(order)) selected[s.sort == order] { (label) }
                    }
                }
            }
            @for (name, value) in &kept { input type="hidden" name=(name) value=(value); }
            div.field { button type="submit" { "Search" } }
        }
        @if let Some(p) = problem {
            div.error role="alert" {
                p { (p.message) }
                @if let Some(detail) = &p.detail { pre.caret { (detail) } }
            }
        }
    }
}

fn facets(
    app: &App,
    s: &Selection,
    results: &SearchResults,
    attributes: &[AttributeFacet],
) -> Markup {
    let f = &results.facets;
    let themed = f.sentiment.iter().any(|c| c.value != "not themed");
    html! {
        h2 { "Filters" }
        @if !s.is_everything() {
            p { a href="/search" { "Clear the search and all filters" } }
        }
        (active(s))
        (facet(s, "Service", "service", &f.service, |v| v.to_owned()))
        (facet(s, "Organisation", "organisation", &f.organisation, |v| v.to_owned()))
        (facet(s, "FFT answer", "score", &f.score, layout::score_label))
        (facet(s, "Question", "question", &f.question_kind, |v| layout::kind_label(v).to_owned()))
        @if themed {
            (facet(s, "Sentiment", "sentiment", &f.sentiment, |v| v.to_owned()))
            (facet(s, "Touchpoint", "touchpoint", &f.touchpoint, |v| app.touchpoint_name(v)))
            (facet(s, "Theme", "theme", &f.theme, |v| v.to_owned()))
            div.facet {
                h3 { "Discordance" }
                ul { li { a href=(s.toggled("discordant", "").href("/search")) aria-current=[s.discordant.then_some("true")] {
                    @if s.discordant { "✓ " } "Only comments whose text contradicts their score" } } }
            }
        }
        @for a in attributes {
            (attribute(s, a))
        }
        (month_facet(s, &f.month))
    }
}

/// The filters in force, each with a link that removes it.
fn active(s: &Selection) -> Markup {
    let pairs: Vec<(&'static str, String)> = s
        .pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "sort" | "per"))
        .collect();
    html! {
        @if !pairs.is_empty() {
            div.active {
                h3 { "In force" }
                ul {
                    @for (name, value) in &pairs {
                        li { a.chip href=(s.toggled(name, value).href("/search")) aria-label={ "Remove " (name) " " (value) } {
                            (name) ": " (value) " ✕"
                        } }
                    }
                }
            }
        }
    }
}

fn facet(
    s: &Selection,
    title: &str,
    filter: &str,
    counts: &[FacetCount],
    label: impl Fn(&str) -> String,
) -> Markup {
    let shown: Vec<&FacetCount> = counts
        .iter()
        .filter(|c| !matches!(c.value.as_str(), "(none)" | "not themed" | "undated"))
        .collect();
    html! {
        @if !shown.is_empty() {
            details.facet open[shown.len() <= FACET_VALUES || shown.iter().any(|c| s.has(filter, &c.value))] {
                summary { h3 { (title) } }
                ul {
                    @for c in &shown {
                        (facet_item(s, filter, &c.value, &label(&c.value), c.count))
                    }
                }
            }
        }
    }
}

fn facet_item(s: &Selection, filter: &str, value: &str, label: &str, count: u64) -> Markup {
    let on = s.has(filter, value);
    html! {
        li {
            a href=(s.toggled(filter, value).href("/search")) aria-current=[on.then_some("true")] {
                @if on { "✓ " } (label)
                @if on { span.visually-hidden { " (in force: select to remove)" } }
            }
            " " span.count { (n(count)) }
        }
    }
}

fn attribute(s: &Selection, a: &AttributeFacet) -> Markup {
    html! {
        details.facet open[a.values.len() <= FACET_VALUES || a.values.iter().any(|c| s.has("attr", &format!("{}={}", a.name, c.value)))] {
            summary { h3 { (a.name) } }
            ul {
                @for c in &a.values {
                    (facet_item(s, "attr", &format!("{}={}", a.name, c.value), &c.value, c.count))
                }
            }
            @if a.distinct > a.values.len() { p.hint { (a.distinct - a.values.len()) " more values" } }
        }
    }
}

/// Months as a list of counts (a date filter is set with the From and To fields).
fn month_facet(s: &Selection, months: &[FacetCount]) -> Markup {
    let dated: Vec<&FacetCount> = months.iter().filter(|c| c.value != "undated").collect();
    html! {
        @if !dated.is_empty() {
            details.facet {
                summary { h3 { "Month" } }
                ul.months {
                    @for c in dated.iter().rev() {
                        li {
                            @let (from, to) = month_bounds(&c.value);
                            @let m = Selection { from: Some(from), to: Some(to), page: 1, ..s.clone() };
                            a href=(m.href("/search")) { (c.value) } " " span.count { (n(c.count)) }
                        }
                    }
                }
            }
        }
    }
}

/// The first and last day of a `YYYY-MM` month.
fn month_bounds(month: &str) -> (String, String) {
    match month.parse::<chorus_core::YearMonth>() {
        Ok(m) => (m.first_day().to_string(), m.last_day().to_string()),
        Err(_) => (String::new(), String::new()),
    }
}

fn hits(s: &Selection, results: &SearchResults) -> Markup {
    let first = s.offset() + 1;
    let last = s.offset() + results.hits.len();
    let pages = (results.total as usize).div_ceil(s.per).max(1);
    html! {
        div.summary {
            p.total role="status" {
                @if results.total == 0 { "No comment matches." }
                @else if results.total == 1 { "1 comment matches." }
                @else { (n(results.total)) " comments match" @if !results.hits.is_empty() { ", showing " (n(first as u64)) "–" (n(last as u64)) } "." }
            }
            @if results.total > 0 {
                p.exports { "Export these " (n(results.total)) ": "
                    a href=(s.href("/export/comments.csv")) download { "CSV" } " · "
                    a href=(s.href("/export/comments.xlsx")) download { "Excel" } " · "
                    a href=(s.href("/export/comments.jsonl")) download { "JSON lines" } " · "
                    a href=(s.href("/export/pack.html")) download { "Meeting pack" }
                }
            }
        }
        ol.hits start=(first) {
            @for hit in &results.hits { (hit_item(hit)) }
        }
        @if pages > 1 {
            nav.pages aria-label="Pages" {
                @if s.page > 1 { a rel="prev" href=(s.page_href("/search", s.page - 1)) { "← Previous" } }
                span { "Page " (s.page) " of " (n(pages as u64)) }
                @if s.page < pages && s.offset() + s.per < crate::params::MAX_OFFSET { a rel="next" href=(s.page_href("/search", s.page + 1)) { "Next →" } }
            }
        }
    }
}

fn hit_item(hit: &Hit) -> Markup {
    let c = &hit.comment;
    html! {
        li.hit {
            (comment_meta(c))
            p.snippet {
                @if c.no_comment { em { "(no comment)" } }
                @else { (layout::highlighted(&hit.snippet.text, &hit.snippet.highlights)) }
            }
            (labels(c))
        }
    }
}

/// The line above a comment: its id (a link to it), date, service, score and question.
pub(crate) fn comment_meta(c: &Comment) -> Markup {
    let key = chorus_core::corrections::CommentKey(c.identity_key());
    html! {
        p.meta {
            a href={ "/comments/" (key) } { "Comment " (c.id) }
            " · " (c.date.map_or_else(|| "undated".to_owned(), |d| d.to_string()))
            @if let Some(s) = &c.service { " · " (s) }
            " · FFT: " (c.score.label())
            " · " span.question { (c.question) }
        }
    }
}

/// A comment's sentiment, touchpoints and themes as links.
pub(crate) fn labels(c: &Comment) -> Markup {
    html! {
        @if let Some(a) = &c.annotations {
            ul.labels aria-label="Labels" {
                li { (layout::sentiment(a.sentiment.label)) }
                @if a.discordant { li { span.flag { "discordant" } } }
                @for t in &a.touchpoints { li { a.chip.tp href={ "/touchpoints/" (url::encode(&t.id)) } { (t.id) } } }
                @for t in &a.themes { li { a.chip href={ "/themes/" (url::encode(&t.name)) } { (t.name) } } }
            }
        }
    }
}
