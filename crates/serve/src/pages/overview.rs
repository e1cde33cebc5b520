//! The overview: the period, comments, respondents, % positive, the touchpoint journey, the themes going
//! up or down, and discordant comments; every count a link to the comments behind it.

use chorus_core::SentimentLabel;
use chorus_report::{Quote, ReportData, svg};
use maud::{Markup, html};

use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::layout::{self, Page, n, pct};
use crate::summary::{Status, Summary};
use crate::{App, url};

/// Discordant comments listed.
const DISCORDANT: usize = 8;
/// Charts of themes going up or down drawn in full; the rest are listed.
const CHARTS: usize = 6;

pub(crate) fn page(app: &App, _request: &Request) -> Result<Response, Failure> {
    let body = match app.summary.status() {
        Status::Ready(summary, updating) => ready(app, &summary, updating),
        Status::Building => building(app)?,
        Status::Failed(why) => html! {
            h1 { "Overview" }
            p.error role="alert" { "The overview could not be prepared: " (why) }
            p { a href="/search" { "Search the comments" } " still works." }
        },
    };
    Ok(Response::html(
        200,
        layout::page(
            app,
            Page {
                title: "Overview",
                nav: "overview",
                body,
            },
        ),
    ))
}

/// While the report is being prepared: the store's counts, and a note that refreshes itself.
fn building(app: &App) -> Result<Markup, Failure> {
    let stats = app.store.stats().map_err(Failure::store)?;
    Ok(html! {
        h1 { "Overview" }
        p.note role="status" data-refresh="2" {
            "Preparing the overview of " (n(stats.comments)) " comments… "
            a href="/" { "Reload" } " in a moment. Search works already."
        }
        (cards_from_stats(&stats))
    })
}

fn cards_from_stats(stats: &chorus_index::StoreStats) -> Markup {
    html! {
        div.cards {
            div.card { div.label { "Comments" } div.big { a href="/search?q=no_comment%3Afalse" { (n(stats.with_text)) } } div.sub { "with text" } }
            div.card { div.label { "Respondents" } div.big { (n(stats.respondents)) } }
            div.card { div.label { "% positive (FFT)" } div.big { (pct(stats.percent_positive)) } }
        }
    }
}

fn ready(app: &App, s: &Summary, updating: bool) -> Markup {
    let Some(report) = &s.report else {
        return html! {
            h1 { "Overview" }
            p.note { "This store has not been themed yet: run " code { "chorus themes --store " (app.store.dir().display()) } " to find touchpoints, sentiment and themes. Search works already." }
            (cards_from_stats(&s.stats))
        };
    };
    let period = report
        .scope
        .period
        .map_or_else(|| "All comments (no dates)".to_owned(), |p| p.label());
    html! {
        h1 { "Overview" span.sub { (period) } }
        @if updating { p.note role="status" { "Updating the figures with the latest corrections…" } }
        (headline(report, s))
        (journey(report))
        (changes(s))
        (themes(report))
        (discordant(report))
        p.note { "Prepared in " (format!("{:.1}", s.took.as_secs_f64())) " s from " (n(s.stats.comments)) " records. "
            a href="/export/pack.html" { "Download the meeting pack" } }
    }
}

fn headline(report: &ReportData, s: &Summary) -> Markup {
    let h = &report.headline;
    let positive = "/search?score=very_good&score=good";
    html! {
        section aria-labelledby="h-headline" {
            h2 #h-headline.visually-hidden { "Headline figures" }
            div.cards {
                div.card { div.label { "Comments" } div.big { a href="/search?q=no_comment%3Afalse" { (n(h.comments)) } } div.sub { "with text, from " (n(h.records)) " records" } }
                div.card { div.label { "Respondents" } div.big { (n(h.respondents)) } div.sub { (n(h.blank_answers)) " left no comment" } }
                div.card { div.label { "% positive (FFT)" } div.big { a href=(positive) { (pct(h.percent_positive)) } } div.sub { "very good or good, of " (n(h.fft_answers)) " answers" } }
                div.card { div.label { "Discordant" } div.big { a href="/search?discordant=1" { (n(h.discordant_comments)) } } div.sub { "text and score disagree" } }
            }
            p.facts {
                "Text sentiment: "
                @for label in SentimentLabel::ALL {
                    a href={ "/search?sentiment=" (label.as_str()) } { (pct(h.sentiment.percent(label))) " " (label.as_str()) }
                    " "
                }
                @if s.corrected_labels > 0 {
                    " · " (n(s.corrected_labels)) " labels corrected by people"
                }
            }
        }
    }
}

fn journey(report: &ReportData) -> Markup {
    html! {
        section aria-labelledby="h-journey" {
            h2 #h-journey { "The journey" }
            p.lead { "Each step of the care journey: how many comments speak of it and how they feel." }
            figure.chart { (layout::svg(svg::journey(&report.touchpoints))) }
            table.data {
                caption.visually-hidden { "Touchpoints in journey order" }
                thead { tr { th scope="col" { "Step" } th.n scope="col" { "Comments" } th scope="col" { "Sentiment" } th.n scope="col" { "Positive" } th.n scope="col" { "Negative" } } }
                tbody {
                    @for (i, t) in report.touchpoints.iter().enumerate() {
                        tr {
                            th scope="row" { a href={ "/touchpoints/" (url::encode(&t.id)) } { (i + 1) ". " (t.name) } }
                            td.n { a href={ "/search?touchpoint=" (url::encode(&t.id)) } { (n(t.mentions)) } }
                            td { (layout::svg(svg::mini_bar(&t.sentiment, &format!("tp{i}")))) }
                            td.n { a href={ "/search?touchpoint=" (url::encode(&t.id)) "&sentiment=positive" } { (pct(t.sentiment.percent(SentimentLabel::Positive))) } }
                            td.n { a href={ "/search?touchpoint=" (url::encode(&t.id)) "&sentiment=negative" } { (pct(t.sentiment.percent(SentimentLabel::Negative))) } }
                        }
                    }
                }
            }
        }
    }
}

fn changes(s: &Summary) -> Markup {
    html! {
        section aria-labelledby="h-changes" {
            h2 #h-changes { "Going up or down" }
            @if s.changes.is_empty() {
                p { "No theme or touchpoint shows a special cause on its SPC chart: what changes from month to month is common cause variation." }
            } @else {
                p.lead { "Themes and touchpoints whose monthly share of comments shows a special cause (Making Data Count rules), the most recent first." }
                @for c in s.changes.iter().take(CHARTS) {
                    figure.spc {
                        figcaption {
                            a href={ "/" (c.kind) "s/" (url::encode(&c.name)) } { (c.chart.title) }
                            span.verdict { (c.chart.verdict) }
                        }
                        (layout::svg(svg::spc(&c.chart, &c.chart.id)))
                        ul.signals { @for signal in &c.chart.signals { li { (signal) } } }
                    }
                }
                @if s.changes.len() > CHARTS {
                    p { "Also with signals: "
                        @for (i, c) in s.changes.iter().skip(CHARTS).enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/" (c.kind) "s/" (url::encode(&c.name)) } { (c.label) }
                        }
                    }
                }
            }
        }
    }
}

fn themes(report: &ReportData) -> Markup {
    html! {
        section aria-labelledby="h-themes" {
            h2 #h-themes { "Themes" }
            table.data {
                thead { tr { th scope="col" { "Theme" } th scope="col" { "Source" } th.n scope="col" { "Comments" } th.n scope="col" { "Share" } th scope="col" { "Sentiment" } } }
                tbody {
                    @for (i, t) in report.themes.iter().filter(|t| t.comments > 0).take(25).enumerate() {
                        tr {
                            th scope="row" { a href={ "/themes/" (url::encode(&t.name)) } { (t.name) } }
                            td { span.badge { (t.source.as_str()) } }
                            td.n { a href={ "/search?theme=" (url::encode(&t.name)) } { (n(t.comments)) } }
                            td.n { (pct(t.percent)) }
                            td { (layout::svg(svg::mini_bar(&t.sentiment, &format!("th{i}")))) }
                        }
                    }
                }
            }
            p { a href="/themes" { "Every theme and touchpoint" } }
        }
    }
}

fn discordant(report: &ReportData) -> Markup {
    html! {
        section aria-labelledby="h-discordant" {
            h2 #h-discordant { "Discordant comments" }
            p.lead {
                a href="/search?discordant=1" { (n(report.discordant.total)) " comments" }
                " whose text contradicts their FFT score, the most recent first."
            }
            @for q in report.discordant.comments.iter().take(DISCORDANT) {
                (quote(q))
            }
        }
    }
}

/// A quote from the report, linked to its comment.
pub(crate) fn quote(q: &Quote) -> Markup {
    let href = format!(
        "/comments?{}",
        url::query_string([
            ("id", q.comment_id.as_str()),
            ("question", q.question.as_str())
        ])
    );
    html! {
        blockquote.quote {
            p { (q.text) }
            footer {
                a href=(href) { "Comment " (q.comment_id) }
                @if let Some(d) = q.date { " · " (d.to_string()) }
                @if let Some(s) = &q.service { " · " (s) }
                " · FFT: " (q.score.label())
                @if let Some(s) = q.sentiment { " · " (layout::sentiment(s)) }
            }
        }
    }
}
