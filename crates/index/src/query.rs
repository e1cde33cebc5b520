//! The query language of `chorus search`: words, "exact phrases", AND/OR/NOT (and +/-), parentheses,
//! `field:value` and ranges (`score:[4 TO 5]`, `date:[2021-10-01 TO 2021-12-31]`).
//!
//! Words and phrases go through the shared analyzer, so `waiting` finds "waited" and "waits"; words that
//! are only stop words ("the") are dropped. Words next to each other must all match (AND is the default).
//! Field values are matched whole and case-insensitively (`service:"urgent care"`). Errors point at the
//! bad part with a column and a caret.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;

use chorus_core::{Date, SentimentLabel};
use chorus_text::Analyzer;
use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::filters::{
    bool_query, constant, label_query, parse_kind, parse_month, parse_score, u64_query,
};
use crate::schema::{self, Fields};

/// A query that could not be parsed, with the part of it that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// The whole query.
    pub query: String,
    /// Byte offset of the bad part's start.
    pub start: usize,
    /// Byte offset just past the bad part.
    pub end: usize,
    /// What is wrong and how to write it instead.
    pub message: String,
}

impl QueryError {
    /// The 1-based column (in characters) where the bad part starts.
    pub fn column(&self) -> usize {
        self.query[..self.start.min(self.query.len())]
            .chars()
            .count()
            + 1
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = self.column();
        let width = self.query[self.start.min(self.query.len())..self.end.min(self.query.len())]
            .chars()
            .count()
            .max(1);
        let shown: String = self
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        write!(
            f,
            "invalid query at column {col}: {}\n  {shown}\n  {}{}",
            self.message,
            " ".repeat(col - 1),
            "^".repeat(width)
        )
    }
}

impl std::error::Error for QueryError {}

/// A parsed query: what to run, and the text terms to highlight in hits.
pub(crate) struct ParsedQuery {
    pub query: Box<dyn Query>,
    /// Terms of words and phrases that are not negated.
    pub highlight: BTreeSet<String>,
    /// Word and phrase clauses, not negated, in order: each a list of (position offset, term).
    pub phrases: Vec<Vec<(usize, String)>>,
}

/// The fields the query language knows, and the names users may write for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    Text,
    Id,
    Respondent,
    Question,
    Service,
    Organisation,
    Source,
    Attribute,
    Score,
    Date,
    Month,
    Touchpoint,
    Theme,
    ThemeSource,
    Sentiment,
    Discordant,
    Discovered,
    NoComment,
    Themed,
}

const FIELD_NAMES: &str = "text, id, respondent, question, service, organisation, source, attribute, score, date, month, touchpoint, theme, theme_source, sentiment, discordant, discovered, no_comment, themed";

fn field_name(name: &str) -> Option<Name> {
    Some(match name.to_ascii_lowercase().as_str() {
        "text" | "comment" => Name::Text,
        "id" => Name::Id,
        "respondent" => Name::Respondent,
        "question" | "question_kind" | "kind" => Name::Question,
        "service" => Name::Service,
        "organisation" | "organization" | "org" | "trust" => Name::Organisation,
        "source" => Name::Source,
        "attribute" | "attr" => Name::Attribute,
        "score" | "fft" => Name::Score,
        "date" => Name::Date,
        "month" => Name::Month,
        "touchpoint" => Name::Touchpoint,
        "theme" => Name::Theme,
        "theme_source" => Name::ThemeSource,
        "sentiment" => Name::Sentiment,
        "discordant" => Name::Discordant,
        "discovered" | "cluster" => Name::Discovered,
        "no_comment" => Name::NoComment,
        "themed" => Name::Themed,
        _ => return None,
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    LParen,
    RParen,
    Open { inclusive: bool },
    Close { inclusive: bool },
    Colon,
    Plus,
    Minus,
    And,
    Or,
    Not,
}

#[derive(Clone, Debug)]
struct Lexed {
    tok: Tok,
    start: usize,
    end: usize,
}

fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '"' | ':')
}

fn lex(query: &str) -> Result<Vec<Lexed>, QueryError> {
    let mut out = Vec::new();
    let mut chars = query.char_indices().peekable();
    // Whether the previous character allows a `+`/`-` operator to start here.
    let mut at_term_start = true;
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            at_term_start = true;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::Open { inclusive: true }),
            '{' => Some(Tok::Open { inclusive: false }),
            ']' => Some(Tok::Close { inclusive: true }),
            '}' => Some(Tok::Close { inclusive: false }),
            ':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(tok) = single {
            chars.next();
            at_term_start = matches!(tok, Tok::LParen);
            out.push(Lexed {
                tok,
                start,
                end: start + 1,
            });
            continue;
        }
        if c == '"' {
            chars.next();
            let mut text = String::new();
            let mut closed = None;
            for (i, c) in chars.by_ref() {
                if c == '"' {
                    closed = Some(i);
                    break;
                }
                text.push(c);
            }
            let Some(close) = closed else {
                return Err(QueryError {
                    query: query.to_owned(),
                    start,
                    end: start + 1,
                    message: "this quote is never closed: add a closing `\"`".to_owned(),
                });
            };
            out.push(Lexed {
                tok: Tok::Phrase(text),
                start,
                end: close + 1,
            });
            at_term_start = false;
            continue;
        }
        if (c == '+' || c == '-') && at_term_start {
            let mut ahead = chars.clone();
            ahead.next();
            if ahead
                .peek()
                .is_some_and(|&(_, n)| !n.is_whitespace() && n != '+' && n != '-')
            {
                chars.next();
                out.push(Lexed {
                    tok: if c == '+' { Tok::Plus } else { Tok::Minus },
                    start,
                    end: start + 1,
                });
                continue;
            }
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if is_special(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let word = &query[start..end];
        let tok = match word {
            "AND" | "&&" => Tok::And,
            "OR" | "||" => Tok::Or,
            "NOT" => Tok::Not,
            _ => Tok::Word(word.to_owned()),
        };
        out.push(Lexed { tok, start, end });
        at_term_start = false;
    }
    Ok(out)
}

/// Parses a query for a store's fields. An empty query matches every comment.
pub(crate) fn parse(query: &str, fields: &Fields) -> Result<ParsedQuery, QueryError> {
    let tokens = lex(query)?;
    let mut parser = Parser {
        query,
        tokens,
        pos: 0,
        fields,
        analyzer: Analyzer::english(),
        negated: 0,
        highlight: BTreeSet::new(),
        phrases: Vec::new(),
    };
    if parser.tokens.is_empty() {
        return Ok(ParsedQuery {
            query: Box::new(AllQuery),
            highlight: BTreeSet::new(),
            phrases: Vec::new(),
        });
    }
    let parsed = parser.parse_or()?;
    if let Some(extra) = parser.tokens.get(parser.pos) {
        let message = match extra.tok {
            Tok::RParen => "this `)` has no `(` before it: remove it or add the `(`",
            _ => "unexpected text here",
        };
        return Err(parser.error_at(extra.start, extra.end, message));
    }
    let Some(query_obj) = parsed else {
        return Err(parser.error_at(
            0,
            query.len(),
            "the query has only common words (such as `the`, `was`), which are not indexed: add a more specific word",
        ));
    };
    Ok(ParsedQuery {
        query: query_obj,
        highlight: parser.highlight,
        phrases: parser.phrases,
    })
}

struct Parser<'a> {
    query: &'a str,
    tokens: Vec<Lexed>,
    pos: usize,
    fields: &'a Fields,
    analyzer: Analyzer,
    negated: u32,
    highlight: BTreeSet<String>,
    phrases: Vec<Vec<(usize, String)>>,
}

type Parsed = Option<Box<dyn Query>>;

impl Parser<'_> {
    fn error_at(&self, start: usize, end: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            query: self.query.to_owned(),
            start,
            end,
            message: message.into(),
        }
    }

    fn error(&self, at: &Lexed, message: impl Into<String>) -> QueryError {
        self.error_at(at.start, at.end, message)
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|l| &l.tok)
    }

    fn next(&mut self) -> Option<Lexed> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// The position just past the end, for errors about a missing part.
    fn end_error(&self, message: impl Into<String>) -> QueryError {
        self.error_at(self.query.len(), self.query.len(), message)
    }

    fn ends_clause(tok: Option<&Tok>) -> bool {
        matches!(tok, None | Some(Tok::RParen | Tok::Or | Tok::And))
    }

    fn parse_or(&mut self) -> Result<Parsed, QueryError> {
        if let Some(Tok::Or) = self.peek() {
            let op = self.tokens[self.pos].clone();
            return Err(self.error(&op, "OR needs a query before it, e.g. `parking OR car`"));
        }
        let mut parts = vec![self.parse_and()?];
        while let Some(Tok::Or) = self.peek() {
            let op = self.next().unwrap_or_else(unreachable_token);
            if Self::ends_clause(self.peek()) {
                return Err(self.error(&op, "OR needs a query after it, e.g. `parking OR car`"));
            }
            parts.push(self.parse_and()?);
        }
        let parts: Vec<Box<dyn Query>> = parts.into_iter().flatten().collect();
        Ok(match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(Box::new(BooleanQuery::new(
                parts.into_iter().map(|q| (Occur::Should, q)).collect(),
            ))),
        })
    }

    fn parse_and(&mut self) -> Result<Parsed, QueryError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut any = false;
        loop {
            match self.peek() {
                None | Some(Tok::RParen | Tok::Or) => break,
                Some(Tok::And) => {
                    let op = self.tokens[self.pos].clone();
                    if !any {
                        return Err(self.error(&op, "AND needs a query before it"));
                    }
                    self.pos += 1;
                    if Self::ends_clause(self.peek()) {
                        return Err(self.error(&op, "AND needs a query after it"));
                    }
                }
                Some(_) => {
                    let (occur, query) = self.parse_unary()?;
                    any = true;
                    if let Some(q) = query {
                        clauses.push((occur, q));
                    }
                }
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            // "NOT parking" means every comment except those.
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            return Ok(clauses.pop().map(|(_, q)| q));
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    fn parse_unary(&mut self) -> Result<(Occur, Parsed), QueryError> {
        match self.peek() {
            Some(Tok::Not | Tok::Minus) => {
                let op = self.next().unwrap_or_else(unreachable_token);
                if Self::ends_clause(self.peek()) {
                    return Err(self.error(&op, "NOT needs a query after it, e.g. `NOT parking`"));
                }
                self.negated += 1;
                let (inner, query) = self.parse_unary()?;
                self.negated -= 1;
                let occur = if inner == Occur::MustNot {
                    Occur::Must
                } else {
                    Occur::MustNot
                };
                Ok((occur, query))
            }
            Some(Tok::Plus) => {
                self.pos += 1;
                let (_, query) = self.parse_unary()?;
                Ok((Occur::Must, query))
            }
            _ => Ok((Occur::Must, self.parse_primary()?)),
        }
    }

    fn parse_primary(&mut self) -> Result<Parsed, QueryError> {
        let Some(token) = self.next() else {
            return Err(self.end_error("the query ends too early"));
        };
        match token.tok.clone() {
            Tok::LParen => {
                if let Some(Tok::RParen) = self.peek() {
                    return Err(self.error_at(
                        token.start,
                        self.tokens[self.pos].end,
                        "empty parentheses: put a query inside or remove them",
                    ));
                }
                let inner = self.parse_or()?;
                match self.next() {
                    Some(Lexed {
                        tok: Tok::RParen, ..
                    }) => Ok(inner),
                    _ => Err(self.error(&token, "this `(` is never closed: add a `)`")),
                }
            }
            Tok::RParen => Err(self.error(&token, "this `)` has no `(` before it")),
            Tok::Word(word) => {
                if let Some(Tok::Colon) = self.peek() {
                    let colon = self.next().unwrap_or_else(unreachable_token);
                    let Some(name) = field_name(&word) else {
                        return Err(self.error(
                            &token,
                            format!(
                                "unknown field `{word}`: use one of {FIELD_NAMES} (to search for the text itself, put it in quotes: \"{word}:…\")"
                            ),
                        ));
                    };
                    self.parse_field_value(name, &word, &colon)
                } else {
                    Ok(self.text_query(&word))
                }
            }
            Tok::Phrase(text) => Ok(self.text_query(&text)),
            Tok::Colon => Err(self.error(
                &token,
                "`:` needs a field name before it, e.g. `service:111`",
            )),
            Tok::Open { .. } | Tok::Close { .. } => Err(self.error(
                &token,
                "a range needs a field before it, e.g. `score:[4 TO 5]`",
            )),
            Tok::And | Tok::Or | Tok::Not | Tok::Plus | Tok::Minus => {
                Err(self.error(&token, "an operator is not expected here"))
            }
        }
    }

    /// A word or phrase of comment text, through the shared analyzer; `None` if it holds only stop words.
    fn text_query(&mut self, text: &str) -> Parsed {
        let (query, terms) = text_clause(self.fields.text, &mut self.analyzer, text)?;
        if self.negated == 0 {
            self.highlight.extend(terms.iter().map(|(_, t)| t.clone()));
            self.phrases.push(terms);
        }
        Some(query)
    }

    fn parse_field_value(
        &mut self,
        name: Name,
        written: &str,
        colon: &Lexed,
    ) -> Result<Parsed, QueryError> {
        let Some(value) = self.next() else {
            return Err(self.error(
                colon,
                format!("`{written}:` needs a value after the colon, e.g. `{written}:…`"),
            ));
        };
        match value.tok.clone() {
            Tok::Word(v) | Tok::Phrase(v) => self.field_value(name, &v, &value).map(Some),
            Tok::Open { inclusive } => self.parse_range(name, written, &value, inclusive).map(Some),
            Tok::LParen => Err(self.error(
                &value,
                format!("write alternatives in full: `{written}:A OR {written}:B`"),
            )),
            _ => Err(self.error(
                &value,
                format!("`{written}:` needs a value after the colon"),
            )),
        }
    }

    fn field_value(
        &mut self,
        name: Name,
        value: &str,
        at: &Lexed,
    ) -> Result<Box<dyn Query>, QueryError> {
        let f = self.fields;
        let bad = |message: String| self.error(at, message);
        Ok(match name {
            Name::Text => {
                return self.text_query(value).ok_or_else(|| {
                    self.error(at, "only common words here, which are not indexed")
                });
            }
            Name::Id => label_query(f.id, value),
            Name::Respondent => label_query(f.respondent, value),
            Name::Service => label_query(f.service, value),
            Name::Organisation => label_query(f.organisation, value),
            Name::Source => label_query(f.source, value),
            Name::Touchpoint => label_query(f.touchpoint, value),
            Name::Theme => label_query(f.theme, value),
            Name::Attribute => {
                if !value.contains('=') {
                    return Err(bad(format!(
                        "write an attribute as name=value, e.g. attribute:\"age band=35-44\" (got `{value}`)"
                    )));
                }
                label_query(f.attribute, value)
            }
            Name::ThemeSource => match value.to_ascii_lowercase().as_str() {
                v @ ("codebook" | "model" | "discovered") => label_query(f.theme_source, v),
                _ => {
                    return Err(bad(
                        "use theme_source:codebook, model or discovered".to_owned()
                    ));
                }
            },
            Name::Sentiment => {
                let label: SentimentLabel = value.parse().map_err(&bad)?;
                label_query(f.sentiment, label.as_str())
            }
            Name::Question => match parse_kind(value) {
                Some(kind) => u64_query(f.question_kind, schema::kind_code(kind)),
                None => label_query(f.question, value),
            },
            Name::Score => u64_query(
                f.score,
                schema::score_code(parse_score(value).map_err(&bad)?),
            ),
            Name::Date => {
                let (lo, hi) = date_span(value).ok_or_else(|| {
                    bad(format!(
                        "`{value}` is not a date: use YYYY-MM-DD, a month YYYY-MM or a year YYYY"
                    ))
                })?;
                date_range(f.date, Bound::Included(lo), Bound::Included(hi))
            }
            Name::Month => {
                let month = parse_month(value).ok_or_else(|| {
                    bad(format!(
                        "`{value}` is not a month: use YYYY-MM, e.g. 2021-10"
                    ))
                })?;
                u64_query(f.month, schema::month_code(month.first_day()))
            }
            Name::Discovered => {
                let n: u64 = value
                    .parse()
                    .map_err(|_| bad(format!("`{value}` is not a discovered theme number")))?;
                u64_query(f.discovered, n)
            }
            Name::Discordant => bool_query(
                f.discordant,
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            ),
            Name::NoComment => bool_query(
                f.no_comment,
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            ),
            Name::Themed => bool_query(
                f.themed,
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            ),
        })
    }

    fn parse_range(
        &mut self,
        name: Name,
        written: &str,
        open: &Lexed,
        lo_inclusive: bool,
    ) -> Result<Box<dyn Query>, QueryError> {
        let shape = format!("write a range as {written}:[LOW TO HIGH], with * for an open end");
        let lo = self
            .next()
            .ok_or_else(|| self.error(open, format!("this `[` is never closed: {shape}")))?;
        let to = self
            .next()
            .ok_or_else(|| self.error(open, format!("this `[` is never closed: {shape}")))?;
        if !matches!(&to.tok, Tok::Word(w) if w.eq_ignore_ascii_case("to")) {
            return Err(self.error(&to, format!("expected TO here: {shape}")));
        }
        let hi = self
            .next()
            .ok_or_else(|| self.error(open, format!("this `[` is never closed: {shape}")))?;
        let close = self.next();
        let hi_inclusive = match close.as_ref().map(|c| &c.tok) {
            Some(Tok::Close { inclusive }) => *inclusive,
            _ => return Err(self.error(open, format!("this `[` is never closed: {shape}"))),
        };
        let bound_text = |l: &Lexed| -> Result<Option<String>, QueryError> {
            match &l.tok {
                Tok::Word(w) if w == "*" => Ok(None),
                Tok::Word(w) | Tok::Phrase(w) => Ok(Some(w.clone())),
                _ => Err(self.error(l, format!("expected a value here: {shape}"))),
            }
        };
        let (lo_text, hi_text) = (bound_text(&lo)?, bound_text(&hi)?);
        let whole = self.error_at(open.start, close.as_ref().map_or(open.end, |c| c.end), "");
        let empty = |what: &str| QueryError {
            message: format!("the range is empty ({what}): write the lower value first"),
            ..whole.clone()
        };
        let f = self.fields;
        // Each kind of field turns a bound's text into an inclusive u64/i64 limit.
        match name {
            Name::Score | Name::Month | Name::Discovered => {
                let parse =
                    |text: &Option<String>, at: &Lexed| -> Result<Option<u64>, QueryError> {
                        let Some(t) = text else { return Ok(None) };
                        let v = match name {
                            Name::Score => {
                                let s = parse_score(t).map_err(|m| self.error(at, m))?;
                                u64::from(s.code().ok_or_else(|| {
                                    self.error(at, "`not_given` cannot be part of a range")
                                })?)
                            }
                            Name::Month => {
                                let m = parse_month(t).ok_or_else(|| {
                                    self.error(at, format!("`{t}` is not a month: use YYYY-MM"))
                                })?;
                                schema::month_code(m.first_day())
                            }
                            _ => t
                                .parse()
                                .map_err(|_| self.error(at, format!("`{t}` is not a number")))?,
                        };
                        Ok(Some(v))
                    };
                let lo_v = parse(&lo_text, &lo)?;
                let hi_v = parse(&hi_text, &hi)?;
                if let (Some(a), Some(b)) = (lo_v, hi_v)
                    && (a > b || (a == b && !(lo_inclusive && hi_inclusive)))
                {
                    return Err(empty(&format!(
                        "{} is after {}",
                        lo_text.unwrap_or_default(),
                        hi_text.unwrap_or_default()
                    )));
                }
                let field = match name {
                    Name::Score => f.score,
                    Name::Month => f.month,
                    _ => f.discovered,
                };
                let bound = |v: Option<u64>, inclusive: bool| match v {
                    None => Bound::Unbounded,
                    Some(v) if inclusive => Bound::Included(Term::from_field_u64(field, v)),
                    Some(v) => Bound::Excluded(Term::from_field_u64(field, v)),
                };
                let mut lower = bound(lo_v, lo_inclusive);
                if name == Name::Score && lo_v.is_none() {
                    // `not given` is stored as 0: an open lower end means "from very good".
                    lower = Bound::Included(Term::from_field_u64(field, 1));
                }
                if lower == Bound::Unbounded && bound(hi_v, hi_inclusive) == Bound::Unbounded {
                    return Err(
                        self.error(open, format!("a range needs at least one end: {shape}"))
                    );
                }
                Ok(constant(Box::new(RangeQuery::new(
                    lower,
                    bound(hi_v, hi_inclusive),
                ))))
            }
            Name::Date => {
                let parse =
                    |text: &Option<String>, at: &Lexed| -> Result<Option<(i64, i64)>, QueryError> {
                        let Some(t) = text else { return Ok(None) };
                        date_span(t).map(Some).ok_or_else(|| {
                            self.error(
                                at,
                                format!("`{t}` is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)"),
                            )
                        })
                    };
                let lo_span = parse(&lo_text, &lo)?;
                let hi_span = parse(&hi_text, &hi)?;
                // A month or year as a bound covers all its days: [2021-10 TO 2021-12] is Oct 1 – Dec 31.
                let lower = match lo_span {
                    None => Bound::Unbounded,
                    Some((first, _)) if lo_inclusive => Bound::Included(first),
                    Some((_, last)) => Bound::Excluded(last),
                };
                let upper = match hi_span {
                    None => Bound::Unbounded,
                    Some((_, last)) if hi_inclusive => Bound::Included(last),
                    Some((first, _)) => Bound::Excluded(first),
                };
                if lower == Bound::Unbounded && upper == Bound::Unbounded {
                    return Err(
                        self.error(open, format!("a range needs at least one end: {shape}"))
                    );
                }
                let lo_day = match lower {
                    Bound::Included(d) => Some(d),
                    Bound::Excluded(d) => Some(d + 1),
                    Bound::Unbounded => None,
                };
                let hi_day = match upper {
                    Bound::Included(d) => Some(d),
                    Bound::Excluded(d) => Some(d - 1),
                    Bound::Unbounded => None,
                };
                if let (Some(a), Some(b)) = (lo_day, hi_day)
                    && a > b
                {
                    return Err(empty(&format!(
                        "{} is after {}",
                        lo_text.unwrap_or_default(),
                        hi_text.unwrap_or_default()
                    )));
                }
                Ok(date_range(f.date, lower, upper))
            }
            _ => Err(self.error(
                open,
                format!(
                    "`{written}` has no ranges: ranges work on score, date, month and discovered"
                ),
            )),
        }
    }
}

/// The terms of a word or phrase with their position offsets from the first.
pub(crate) type PhraseTerms = Vec<(usize, String)>;

/// The query for a word or phrase of comment text, with its terms and their position offsets; `None` if
/// it holds only stop words.
pub(crate) fn text_clause(
    field: Field,
    analyzer: &mut Analyzer,
    text: &str,
) -> Option<(Box<dyn Query>, PhraseTerms)> {
    let tokens = analyzer.analyze(text);
    let mut content = tokens.iter().filter(|t| !t.stop).peekable();
    let first = content.peek()?.position;
    let terms: Vec<(usize, String)> = content
        .map(|t| ((t.position - first) as usize, t.term.clone()))
        .collect();
    let query: Box<dyn Query> = if terms.len() == 1 {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &terms[0].1),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new_with_offset(
            terms
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                .collect(),
        ))
    };
    Some((query, terms))
}

fn unreachable_token() -> Lexed {
    // Only called right after `peek` returned a token.
    Lexed {
        tok: Tok::RParen,
        start: 0,
        end: 0,
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn bool_hint(value: &str) -> String {
    format!("`{value}` is not true or false")
}

/// The first and last day (days since 1970) of a date, a `YYYY-MM` month or a `YYYY` year.
fn date_span(text: &str) -> Option<(i64, i64)> {
    let text = text.trim();
    let day = |d: Date| i64::from(d.days_since_epoch());
    if let Some(d) = Date::parse_iso(text) {
        return Some((day(d), day(d)));
    }
    if let Some(m) = parse_month(text) {
        return Some((day(m.first_day()), day(m.last_day())));
    }
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year: i32 = text.parse().ok()?;
        return Some((
            day(Date::from_ymd(year, 1, 1)?),
            day(Date::from_ymd(year, 12, 31)?),
        ));
    }
    None
}

fn date_range(field: Field, lower: Bound<i64>, upper: Bound<i64>) -> Box<dyn Query> {
    let term = |b: Bound<i64>| match b {
        Bound::Included(d) => Bound::Included(Term::from_field_i64(field, d)),
        Bound::Excluded(d) => Bound::Excluded(Term::from_field_i64(field, d)),
        Bound::Unbounded => Bound::Unbounded,
    };
    constant(Box::new(RangeQuery::new(term(lower), term(upper))))
}
