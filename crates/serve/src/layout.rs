//! The frame every page shares (header, navigation, footer) and small pieces pages repeat: numbers,
//! percentages, score and sentiment labels, links that keep a selection.
//!
//! Pages are `maud` templates: every value inserted is HTML-escaped, so a comment, a service or a
//! theme name can never become markup. The only unescaped HTML inserted is SVG made by
//! `chorus-report`, which escapes the text it draws.

use chorus_core::{FftScore, SentimentLabel};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::App;

/// A page's parts.
pub(crate) struct Page<'a> {
    /// The `<title>` and first heading's words.
    pub title: &'a str,
    /// Which navigation entry is current (`overview`, `search`, `themes`).
    pub nav: &'a str,
    /// The page's content.
    pub body: Markup,
}

/// The whole document.
pub(crate) fn page(app: &App, p: Page<'_>) -> String {
    let nav_item = |id: &str, href: &str, label: &str| {
        html! {
            li { a href=(href) aria-current=[(p.nav == id).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (p.title) " · Chorus · " (app.store_name) }
                link rel="stylesheet" href="/static/chorus.css";
                script src="/static/chorus.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header.top {
                    div.wrap {
                        a.brand href="/" { "Chorus" span.store { (app.store_name) } }
                        nav aria-label="Main" {
                            ul {
                                (nav_item("overview", "/", "Overview"))
                                (nav_item("search", "/search", "Search"))
                                (nav_item("themes", "/themes", "Themes and journey"))
                            }
                        }
                        form.quick role="search" aria-label="Quick search" action="/search" method="get" {
                            label.visually-hidden for="quick-q" { "Search the comments" }
                            input #quick-q type="search" name="q" placeholder="Search the comments";
                            button type="submit" { "Search" }
                        }
                    }
                }
                main #main.wrap tabindex="-1" { (p.body) }
                footer.wrap {
                    p {
                        "Comment text is shown as redacted at ingest. "
                        @if app.read_only { "Read-only: corrections are off. " }
                        @else if let Some(r) = &app.reviewer { "Corrections are recorded as " (r) ". " }
                        a href="/api/search" { "JSON API" }
                    }
                }
            }
        }
    }
    .into_string()
}

/// `12,345`.
pub(crate) fn n(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `42%`, or `–` when there is nothing to divide by.
pub(crate) fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}%"))
}

/// `part` of `whole` as a percentage.
pub(crate) fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The FFT answer as the survey words it, from a facet slug.
pub(crate) fn score_label(slug: &str) -> String {
    FftScore::ALL
        .iter()
        .find(|s| s.slug() == slug)
        .map_or_else(|| slug.to_owned(), |s| s.label().to_owned())
}

/// A sentiment label with a word and a class, never colour alone.
pub(crate) fn sentiment(label: SentimentLabel) -> Markup {
    html! { span class={ "sent " (label.as_str()) } { (label.as_str()) } }
}

/// The question kind's words, from its slug.
pub(crate) fn kind_label(slug: &str) -> &str {
    match slug {
        "why" => "Why (reason for the score)",
        "what_was_good" => "What was good",
        "improve" => "What could be better",
        "other" => "Other questions",
        other => other,
    }
}

/// SVG made by `chorus-report` (which escapes every text it draws).
pub(crate) fn svg(markup: String) -> PreEscaped<String> {
    PreEscaped(markup)
}

/// Text with the byte ranges in `marks` wrapped in `<mark>`, each piece escaped.
pub(crate) fn highlighted(text: &str, marks: &[std::ops::Range<usize>]) -> Markup {
    let mut pieces: Vec<(&str, bool)> = Vec::with_capacity(marks.len() * 2 + 1);
    let mut at = 0;
    for m in marks {
        let fits = m.start >= at
            && m.end <= text.len()
            && text.is_char_boundary(m.start)
            && text.is_char_boundary(m.end);
        if fits {
            pieces.push((&text[at..m.start], false));
            pieces.push((&text[m.start..m.end], true));
            at = m.end;
        }
    }
    pieces.push((&text[at..], false));
    html! {
        @for (piece, marked) in pieces {
            @if marked { mark { (piece) } } @else { (piece) }
        }
    }
}
