//! The JSON API under `/api/`, which the page's script and researchers' scripts share (documented in
//! README.md):
//!
//! - `GET /api/search?q=…&<filters>&offset=&limit=`: what `chorus search --json` prints, with people's
//!   corrections on the hits, plus `attributes` (the attribute columns' counts).
//! - `GET /api/comments/{key}`: one comment, its labels (corrected), what people changed (its clauses are in its
//!   annotations).
//! - `GET /api/comments?id=…`: the comments with an export's id.
//! - `GET /api/themes`: the touchpoints and themes of the store, with counts.
//! - `GET /api/corrections`: every correction, oldest first.
//! - `POST /api/comments/{key}/corrections` with a JSON object (`{"action": "remove_theme", "theme":
//!   "Parking", "source": "codebook"}`): records a correction; `Content-Type: application/json` is
//!   required, which no other site's page can send here.

use std::collections::BTreeMap;

use chorus_core::corrections::{CommentKey, Correction, Review};
use chorus_core::{Annotations, Comment};
use chorus_index::{AttributeFacet, JsonSearch, SearchRequest};
use serde::Serialize;

use crate::App;
use crate::corrections::{action_from_fields, field, parse_key, record};
use crate::errors::Failure;
use crate::http::{Method, Request, Response};
use crate::pages::search::{ATTRIBUTE_VALUES, correct_hits};
use crate::params::{MAX_OFFSET, MAX_PER_PAGE, Selection};

pub(crate) fn route(app: &App, request: &Request, rest: &[&str]) -> Result<Response, Failure> {
    let get = matches!(request.method, Method::Get | Method::Head);
    let post = request.method == Method::Post;
    match (rest, get, post) {
        (["search"], true, _) => search(app, request),
        (["comments"], true, _) => by_id(app, request),
        (["comments", key], true, _) => comment(app, key),
        (["comments", key, "corrections"], _, true) => correct(app, request, key),
        (["themes"], true, _) => themes(app),
        (["corrections"], true, _) => corrections(app),
        (
            ["search" | "comments" | "themes" | "corrections"]
            | ["comments", _]
            | ["comments", _, "corrections"],
            _,
            _,
        ) => Err(Failure::method()),
        _ => Err(Failure::not_found(
            "there is no such API address: see /api/search, /api/comments/{key}, /api/themes, /api/corrections",
        )),
    }
}

fn json(value: &impl Serialize) -> Result<Response, Failure> {
    Ok(Response::json(200, encode(value)?).with_header("Cache-Control", "no-store"))
}

/// JSON with `<`, `>` and `&` escaped inside strings, so no answer can be read as markup even by a
/// careless consumer.
fn encode(value: &impl Serialize) -> Result<String, Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::new(500, format!("the answer could not be written: {e}")))?;
    Ok(chorus_report::json::html_safe(&text))
}

#[derive(Serialize)]
struct SearchAnswer<'a> {
    #[serde(flatten)]
    search: JsonSearch<'a>,
    attributes: Vec<AttributeFacet>,
}

fn search(app: &App, request: &Request) -> Result<Response, Failure> {
    let selection = Selection::from_query(&request.query)?;
    let number = |name: &str, default: usize, max: usize| -> Result<usize, Failure> {
        match request.param(name).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    Failure::bad(format!("{name}=`{v}` is not a number from 0 to {max}"))
                }),
        }
    };
    let search = SearchRequest {
        query: selection.q.clone(),
        filters: selection.filters()?,
        limit: number("limit", 10, MAX_PER_PAGE)?,
        offset: number("offset", 0, MAX_OFFSET)?,
        sort: selection.sort,
        ..SearchRequest::default()
    };
    let mut results = app.store.search(&search).map_err(Failure::store)?;
    correct_hits(app, &mut results.hits);
    let attributes = if request.param("attributes") == Some("0") {
        Vec::new()
    } else {
        app.store
            .attribute_facets(&search.query, &search.filters, ATTRIBUTE_VALUES)
            .map_err(Failure::store)?
    };
    json(&SearchAnswer {
        search: JsonSearch::new(&search, &results),
        attributes,
    })
}

#[derive(Serialize)]
struct CommentAnswer<'a> {
    key: CommentKey,
    #[serde(flatten)]
    comment: &'a Comment,
    question_kind: &'static str,
    /// The machine's labels before people's corrections.
    machine_annotations: Option<&'a Annotations>,
    review: Review,
    corrections: &'a [Correction],
}

fn comment(app: &App, key: &str) -> Result<Response, Failure> {
    let key = parse_key(key)?;
    let machine = app
        .store
        .comment(key)
        .map_err(Failure::store)?
        .ok_or_else(|| Failure::not_found("there is no comment with this key in the store"))?;
    let mut corrected = machine.clone();
    let corrections = app.corrections();
    let review = corrections.apply_to(&mut corrected);
    json(&CommentAnswer {
        key,
        comment: &corrected,
        question_kind: corrected.question_kind().slug(),
        machine_annotations: machine.annotations.as_ref(),
        review,
        corrections: corrections.of(key),
    })
}

#[derive(Serialize)]
struct Listed<'a> {
    key: CommentKey,
    #[serde(flatten)]
    comment: &'a Comment,
}

fn by_id(app: &App, request: &Request) -> Result<Response, Failure> {
    let id = request
        .param("id")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| Failure::bad("give a comment id, as /api/comments?id=1234"))?;
    let mut found = app.store.comments_with_id(id).map_err(Failure::store)?;
    let corrections = app.corrections();
    for c in &mut found {
        corrections.apply_to(c);
    }
    let listed: Vec<Listed<'_>> = found
        .iter()
        .map(|c| Listed {
            key: CommentKey(c.identity_key()),
            comment: c,
        })
        .collect();
    json(&BTreeMap::from([("comments", listed)]))
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    source: &'static str,
    description: &'a str,
    direction: Option<chorus_core::Direction>,
    comments: u64,
}

#[derive(Serialize)]
struct ThemesAnswer<'a> {
    themed: bool,
    touchpoints: Vec<Entry<'a>>,
    themes: Vec<Entry<'a>>,
}

fn themes(app: &App) -> Result<Response, Failure> {
    let found = app
        .store
        .search(&SearchRequest {
            limit: 0,
            ..SearchRequest::default()
        })
        .map_err(Failure::store)?;
    let count = |facet: &[chorus_index::FacetCount], value: &str| {
        facet
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(value))
            .map_or(0, |c| c.count)
    };
    let empty = chorus_core::ThemeCatalog::default();
    let catalog = app.catalog.as_ref().unwrap_or(&empty);
    let touchpoints = catalog
        .touchpoints
        .iter()
        .map(|t| Entry {
            id: &t.id,
            name: &t.label,
            source: t.source.as_str(),
            description: &t.description,
            direction: Some(t.direction),
            comments: count(&found.facets.touchpoint, &t.id),
        })
        .collect();
    let themes = catalog
        .themes
        .iter()
        .map(|t| Entry {
            id: &t.id,
            name: &t.label,
            source: t.source.as_str(),
            description: &t.description,
            direction: Some(t.direction),
            comments: count(&found.facets.theme, &t.label),
        })
        .chain(catalog.discovered.iter().map(|d| Entry {
            id: &d.label,
            name: &d.label,
            source: "discovered",
            description: "",
            direction: None,
            comments: count(&found.facets.theme, &d.label),
        }))
        .collect();
    json(&ThemesAnswer {
        themed: app.catalog.is_some(),
        touchpoints,
        themes,
    })
}

fn corrections(app: &App) -> Result<Response, Failure> {
    let corrections = app.corrections();
    let all: Vec<&Correction> = corrections.keys().flat_map(|k| corrections.of(k)).collect();
    let mut all = all;
    all.sort_by(|a, b| a.time.cmp(&b.time));
    json(&all)
}

#[derive(Serialize)]
struct Recorded<'a> {
    correction: &'a Correction,
    annotations: Option<&'a Annotations>,
}

fn correct(app: &App, request: &Request, key: &str) -> Result<Response, Failure> {
    app.same_origin(request)?;
    let json_body = request.header("content-type").is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json_body {
        return Err(Failure::new(
            415,
            "send the correction as JSON, with Content-Type: application/json",
        ));
    }
    let key = parse_key(key)?;
    let body: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&request.body)
        .map_err(|e| Failure::bad(format!("the correction is not a JSON object: {e}")))?;
    let fields: Vec<(String, String)> = body
        .iter()
        .filter_map(|(n, v)| Some((n.clone(), v.as_str()?.to_owned())))
        .collect();
    let action = action_from_fields(&fields)?;
    let reviewer = Some(field(&fields, "reviewer").trim())
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect::<String>()
        });
    let correction = record(app, key, action, reviewer)?;
    let comment = app.comment(key)?;
    let body = encode(&Recorded {
        correction: &correction,
        annotations: comment.annotations.as_ref(),
    })?;
    Ok(Response::json(201, body))
}
