//! The JSON form of a search, shared by `chorus search --json` and the server's `/api/search`, so that
//! a script reads the same fields from both.

use std::collections::BTreeMap;

use chorus_core::corrections::CommentKey;
use serde::Serialize;

use crate::{Facets, SearchRequest, SearchResults};

/// A search as JSON: the query, the total, the page asked for, the hits and the facets.
#[derive(Clone, Debug, Serialize)]
pub struct JsonSearch<'a> {
    /// The query as given.
    pub query: &'a str,
    /// How many comments match.
    pub total: u64,
    /// The hits skipped before this page.
    pub offset: usize,
    /// The page's size.
    pub limit: usize,
    /// The page of hits, best first.
    pub hits: Vec<JsonHit<'a>>,
    /// Counts over every match.
    pub facets: &'a Facets,
}

/// One hit as JSON: the comment's fields, its labels and its snippet.
#[derive(Clone, Debug, Serialize)]
pub struct JsonHit<'a> {
    /// The comment's key (16 hex digits), which names it in the server's addresses and corrections.
    pub key: CommentKey,
    /// The export's comment id.
    pub id: &'a str,
    /// The respondent (the export's response id, else the row).
    pub respondent: &'a str,
    /// `YYYY-MM-DD`, or null.
    pub date: Option<String>,
    /// The service, or null.
    pub service: Option<&'a str>,
    /// The organisation, or null.
    pub organisation: Option<&'a str>,
    /// The FFT answer's slug (`very_good` … `not_given`).
    pub score: &'static str,
    /// The question answered.
    pub question: &'a str,
    /// The question's kind (`why`, `what_was_good`, `improve`, `other`).
    pub question_kind: &'static str,
    /// The respondent left the question blank.
    pub no_comment: bool,
    /// BM25 relevance (0 without words in the query).
    pub relevance: f32,
    /// The whole text.
    pub text: &'a str,
    /// The snippet with matched words wrapped in `**`.
    pub snippet: String,
    /// The overall sentiment, or null before theming.
    pub sentiment: Option<&'static str>,
    /// Theme names, every source.
    pub themes: Vec<&'a str>,
    /// Touchpoint ids.
    pub touchpoints: Vec<&'a str>,
    /// Text and score disagree; null before theming.
    pub discordant: Option<bool>,
    /// The export's other columns, by header.
    pub attributes: BTreeMap<&'a str, &'a str>,
    /// The comment's clauses, each with its words, sentiment, touchpoints and themes, so a reader sees
    /// why a comment is both praise and complaint (empty before theming).
    pub clauses: Vec<JsonClause<'a>>,
}

/// One clause of a hit.
#[derive(Clone, Debug, Serialize)]
pub struct JsonClause<'a> {
    /// The clause's words, as in the text.
    pub text: &'a str,
    /// How the clause feels.
    pub sentiment: &'static str,
    /// Touchpoint ids it speaks about.
    pub touchpoints: Vec<&'a str>,
    /// Codebook themes matched in it.
    pub themes: Vec<&'a str>,
}

impl<'a> JsonSearch<'a> {
    /// The JSON of a request and its results.
    pub fn new(request: &'a SearchRequest, results: &'a SearchResults) -> JsonSearch<'a> {
        JsonSearch {
            query: &request.query,
            total: results.total,
            offset: request.offset,
            limit: request.limit,
            hits: results.hits.iter().map(JsonHit::new).collect(),
            facets: &results.facets,
        }
    }
}

impl<'a> JsonHit<'a> {
    /// The JSON of one hit.
    pub fn new(h: &'a crate::Hit) -> JsonHit<'a> {
        let c = &h.comment;
        let a = c.annotations.as_ref();
        JsonHit {
            key: CommentKey(c.identity_key()),
            id: &c.id,
            respondent: &c.respondent,
            date: c.date.map(|d| d.to_string()),
            service: c.service.as_deref(),
            organisation: c.organisation.as_deref(),
            score: c.score.slug(),
            question: &c.question,
            question_kind: c.question_kind().slug(),
            no_comment: c.no_comment,
            relevance: h.relevance,
            text: &c.text,
            snippet: h.snippet.render("**", "**"),
            sentiment: a.map(|a| a.sentiment.label.as_str()),
            themes: a.map_or_else(Vec::new, |a| a.themes.iter().map(|t| &*t.name).collect()),
            touchpoints: a
                .map_or_else(Vec::new, |a| a.touchpoints.iter().map(|t| &*t.id).collect()),
            discordant: a.map(|a| a.discordant),
            attributes: c.attributes.iter().collect(),
            clauses: a.map_or_else(Vec::new, |a| {
                a.clauses
                    .iter()
                    .map(|k| JsonClause {
                        text: k.text(&c.text),
                        sentiment: k.sentiment.as_str(),
                        touchpoints: k.touchpoints.iter().map(|t| &**t).collect(),
                        themes: k.themes.iter().map(|t| &**t).collect(),
                    })
                    .collect()
            }),
        }
    }
}
