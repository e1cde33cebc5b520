//! A comment's page: the whole text with its clauses marked (sentiment, touchpoints, codebook themes),
//! its labels with people's corrections and the forms to make more, its metadata, the respondent's other
//! answers, and similar comments. And the lookup of a comment by the export's id.

use chorus_core::corrections::{CommentKey, Correction};
use chorus_core::{Clause, Comment, SentimentLabel, ThemeSource};
use maud::{Markup, html};

use crate::corrections::{parse_key, touchpoint_ids};
use crate::errors::Failure;
use crate::http::{Request, Response};
use crate::layout::{self, Page};
use crate::pages::search::{comment_meta, correct_hits};
use crate::{App, url};

/// Similar comments listed.
const SIMILAR: usize = 5;

pub(crate) fn page(app: &App, _request: &Request, key: &str) -> Result<Response, Failure> {
    let key = parse_key(key)?;
    let (comment, review) = app.reviewed(key)?;
    let history: Vec<Correction> = app.corrections().of(key).to_vec();
    let others: Vec<Comment> = app
        .store
        .respondent_comments(comment.organisation.as_deref(), &comment.respondent)
        .map_err(Failure::store)?
        .into_iter()
        .filter(|c| c.identity_key() != key.0)
        .collect();
    let mut similar = app.store.similar(key, SIMILAR).map_err(Failure::store)?;
    correct_hits(app, &mut similar);
    let title = format!("Comment {}", comment.id);
    let body = html! {
        p.crumbs { a href="/search" { "Search" } " › Comment" }
        h1 { (title) span.sub { (comment.question) } }
        (comment_meta(&comment))
        @if review.quote { p.flag.quote-mark { "★ Marked as a quote for the meeting" } }
        section aria-labelledby="h-text" {
            h2 #h-text.visually-hidden { "The comment" }
            @if comment.no_comment {
                p.story { em { "The respondent left this question blank." } }
            } @else {
                (text_with_clauses(app, &comment))
            }
        }
        (labels(app, key, &comment, review.changed_labels))
        @if !history.is_empty() { (history_list(&history)) }
        (metadata(&comment))
        @if !others.is_empty() {
            section aria-labelledby="h-others" {
                h2 #h-others { "The same respondent's other answers" }
                ul.others { @for o in &others { li {
                    a href={ "/comments/" (CommentKey(o.identity_key())) } { (o.question) }
                    ": " @if o.no_comment { em { "(no comment)" } } @else { (chorus_report::shorten(&o.text, 200).0) }
                } } }
            }
        }
        @if !similar.is_empty() {
            section aria-labelledby="h-similar" {
                h2 #h-similar { "Similar comments" }
                ol.hits { @for h in &similar { li.hit {
                    (comment_meta(&h.comment))
                    p.snippet { (layout::highlighted(&h.snippet.text, &h.snippet.highlights)) }
                } } }
            }
        }
    };
    Ok(Response::html(
        200,
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

/// The text, each clause marked with its sentiment and the touchpoints and codebook themes theming
/// found in it that the comment (as corrected) still has.
fn text_with_clauses(app: &App, c: &Comment) -> Markup {
    let text = &c.text;
    let (clauses, touchpoints, themes): (&[Clause], Vec<&str>, Vec<&str>) = match &c.annotations {
        Some(a) => (
            &a.clauses,
            a.touchpoints.iter().map(|t| &*t.id).collect(),
            a.themes
                .iter()
                .filter(|t| t.source == ThemeSource::Codebook)
                .map(|t| &*t.name)
                .collect(),
        ),
        None => (&[], Vec::new(), Vec::new()),
    };
    let mut at = 0;
    let mut pieces: Vec<Markup> = Vec::new();
    for clause in clauses {
        let (start, end) = (clause.start as usize, clause.end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        pieces.push(html! { (&text[at..start]) });
        let tps: Vec<&str> = clause
            .touchpoints
            .iter()
            .map(|t| &**t)
            .filter(|t| touchpoints.iter().any(|k| k.eq_ignore_ascii_case(t)))
            .collect();
        let ths: Vec<&str> = clause
            .themes
            .iter()
            .map(|t| &**t)
            .filter(|t| themes.iter().any(|k| k.eq_ignore_ascii_case(t)))
            .collect();
        let class = format!("clause {}", clause.sentiment.as_str());
        // A neutral clause (most of a factual story) says nothing worth a tag.
        let feeling =
            (clause.sentiment != SentimentLabel::Neutral).then(|| clause.sentiment.as_str());
        let tags: Vec<String> = feeling
            .map(str::to_owned)
            .into_iter()
            .chain(tps.iter().map(|t| app.touchpoint_name(t)))
            .chain(ths.iter().map(|t| t.to_string()))
            .collect();
        pieces.push(html! {
            span class=(class) { (&text[start..end]) }
            @if !tags.is_empty() { " " span.tags { "[" (tags.join(" · ")) "]" } }
        });
        at = end;
    }
    pieces.push(html! { (&text[at..]) });
    html! {
        div.story { @for p in pieces { (p) } }
        p.hint { "Each clause is underlined by its sentiment (solid: positive, dotted: negative, dashed: mixed) with its touchpoints and codebook themes in brackets." }
    }
}

fn labels(app: &App, key: CommentKey, c: &Comment, changed: u32) -> Markup {
    let writable = !app.read_only;
    let catalog_themes: Vec<(String, ThemeSource)> = app
        .catalog
        .as_ref()
        .map(|cat| {
            cat.themes
                .iter()
                .filter(|t| matches!(t.source, ThemeSource::Codebook | ThemeSource::Model))
                .map(|t| (t.label.clone(), t.source))
                .collect()
        })
        .unwrap_or_default();
    let action = format!("/comments/{key}/corrections");
    let hidden = |name: &str, value: &str| html! { input type="hidden" name=(name) value=(value); };
    let token = hidden("token", &app.session);
    let a = c.annotations.as_ref();
    html! {
        section #labels aria-labelledby="h-labels" data-key=(key) {
            h2 #h-labels { "Labels" }
            @if changed > 0 { p.note { (changed) " of these labels were set by a person, and win over the machine's." } }
            @if a.is_none() && !c.no_comment { p.note { "This comment has not been themed yet." } }
            dl.labels-list {
                dt { "Sentiment" }
                dd {
                    @if let Some(a) = a { (layout::sentiment(a.sentiment.label)) @if a.discordant { " " span.flag { "discordant: the text contradicts the score" } } }
                    @if writable && !c.no_comment {
                        form.inline.correction method="post" action=(action) {
                            (token) (hidden("action", "set_sentiment"))
                            label for="set-sentiment" { "Set to" }
                            select #set-sentiment name="sentiment" {
                                @for s in SentimentLabel::ALL { option value=(s.as_str()) selected[a.is_some_and(|a| a.sentiment.label == s)] { (s.as_str()) } }
                            }
                            button type="submit" { "Set sentiment" }
                        }
                    }
                }
                dt { "Touchpoints" }
                dd {
                    @if a.is_none_or(|a| a.touchpoints.is_empty()) { span.hint { "none" } }
                    ul.labels {
                        @for t in a.map_or(&[][..], |a| a.touchpoints.as_slice()) {
                            li {
                                a.chip.tp href={ "/touchpoints/" (url::encode(&t.id)) } { (app.touchpoint_name(&t.id)) } " " (layout::sentiment(t.sentiment))
                                @if writable {
                                    form.inline.correction method="post" action=(action) {
                                        (token) (hidden("action", "remove_touchpoint")) (hidden("touchpoint", &t.id))
                                        button.remove type="submit" aria-label={ "Remove touchpoint " (app.touchpoint_name(&t.id)) } { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                    @if writable && !c.no_comment {
                        form.inline.correction method="post" action=(action) {
                            (token) (hidden("action", "add_touchpoint"))
                            label for="add-touchpoint" { "Add touchpoint" }
                            select #add-touchpoint name="touchpoint" {
                                @for id in touchpoint_ids(app) { option value=(id) { (app.touchpoint_name(&id)) } }
                            }
                            button type="submit" { "Add" }
                        }
                    }
                }
                dt { "Themes" }
                dd {
                    @if a.is_none_or(|a| a.themes.is_empty()) { span.hint { "none" } }
                    ul.labels {
                        @for t in a.map_or(&[][..], |a| a.themes.as_slice()) {
                            li {
                                a.chip href={ "/themes/" (url::encode(&t.name)) } { (t.name) } " " span.badge { (t.source.as_str()) }
                                @if writable {
                                    form.inline.correction method="post" action=(action) {
                                        (token) (hidden("action", "remove_theme")) (hidden("theme", &t.name)) (hidden("source", t.source.as_str()))
                                        button.remove type="submit" aria-label={ "Remove theme " (t.name) } { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                    @if writable && !c.no_comment && !catalog_themes.is_empty() {
                        form.inline.correction method="post" action=(action) {
                            (token) (hidden("action", "add_theme"))
                            label for="add-theme" { "Add theme" }
                            select #add-theme name="theme_choice" {
                                @for (name, source) in &catalog_themes { option value={ (source.as_str()) ":" (name) } { (name) " (" (source.as_str()) ")" } }
                            }
                            button type="submit" { "Add" }
                        }
                    }
                }
                @if let Some(cluster) = a.and_then(|a| a.discovered_theme) {
                    dt { "Discovered cluster" } dd { (cluster) }
                }
                @if writable && !c.no_comment {
                    dt { "For the meeting" }
                    dd {
                        form.inline.correction method="post" action=(action) {
                            (token)
                            @if app.corrections().quotes().contains(&key) {
                                (hidden("action", "unmark_quote")) button type="submit" { "Unmark as a quote" }
                            } @else {
                                (hidden("action", "mark_quote")) button type="submit" { "Mark as a quote for the meeting" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn history_list(history: &[Correction]) -> Markup {
    html! {
        section aria-labelledby="h-history" {
            h2 #h-history { "Corrections" }
            ol.history { @for c in history { li {
                time { (c.time) } " · " (c.action.describe())
                @if let Some(r) = &c.reviewer { " · by " (r) }
            } } }
        }
    }
}

fn metadata(c: &Comment) -> Markup {
    html! {
        section aria-labelledby="h-meta" {
            h2 #h-meta { "About this comment" }
            table.data.meta-table { tbody {
                tr { th scope="row" { "Comment id" } td { (c.id) } }
                tr { th scope="row" { "Respondent" } td { (c.respondent) } }
                tr { th scope="row" { "Question" } td { (c.question) " (" (layout::kind_label(c.question_kind().slug())) ")" } }
                tr { th scope="row" { "Date" } td { (c.date.map_or_else(|| "undated".to_owned(), |d| d.to_string())) } }
                tr { th scope="row" { "FFT answer" } td { (c.score.label()) } }
                @if let Some(s) = &c.service { tr { th scope="row" { "Service" } td { a href={ "/search?service=" (url::encode(s)) } { (s) } } } }
                @if let Some(o) = &c.organisation { tr { th scope="row" { "Organisation" } td { a href={ "/search?organisation=" (url::encode(o)) } { (o) } } } }
                @for (name, value) in &c.attributes {
                    tr { th scope="row" { (name) } td { a href={ "/search?attr=" (url::encode(&format!("{name}={value}"))) } { (value) } } }
                }
                tr { th scope="row" { "Read from" } td { (c.source.name) ", line " (c.source.line) ", column " (c.source.column) } }
            } }
        }
    }
}

/// `/comments?id=…[&question=…]`: the comment with that id (and question), or a list when the id has
/// several answers.
pub(crate) fn lookup(app: &App, request: &Request) -> Result<Response, Failure> {
    let id = request
        .param("id")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| Failure::bad("give the comment's id, as /comments?id=1234"))?;
    let mut found = app.store.comments_with_id(id).map_err(Failure::store)?;
    if let Some(question) = request.param("question").filter(|q| !q.is_empty()) {
        let same: Vec<Comment> = found
            .iter()
            .filter(|c| &*c.question == question)
            .cloned()
            .collect();
        if !same.is_empty() {
            found = same;
        }
    }
    match found.as_slice() {
        [] => Err(Failure::not_found(format!("no comment has the id `{id}`"))),
        [one] => Ok(Response::see_other(&format!(
            "/comments/{}",
            CommentKey(one.identity_key())
        ))),
        many => {
            let body = html! {
                h1 { "Comments with the id " (id) }
                ul.others { @for c in many { li {
                    a href={ "/comments/" (CommentKey(c.identity_key())) } { (c.question) }
                    @if let Some(o) = &c.organisation { " · " (o) }
                } } }
            };
            Ok(Response::html(
                200,
                layout::page(
                    app,
                    Page {
                        title: "Comments with this id",
                        nav: "search",
                        body,
                    },
                ),
            ))
        }
    }
}
