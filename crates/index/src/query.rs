//! The query language of `chorus search`: words, "exact phrases", AND/OR/NOT (and +/-), parentheses,
//! `field:value` and ranges (`score:[4 TO 5]`, `date:[2021-10-01 TO 2021-12-31]`), prefixes (`wait*`) and
//! near spellings (`recieved~`, `waitng~1`).
//!
//! Words and phrases go through the shared analyzer, so `waiting` finds "waited" and "waits"; words that
//! are only stop words ("the") are dropped. Words next to each other must all match (AND is the default).
//! Field values are matched whole and case-insensitively (`service:"urgent care"`). Errors point at the
//! bad part with a column and a caret; syntax of other search engines that Chorus does not support
//! (`^` boosts, `?` wildcards, `/regular expressions/`, `"phrase"~N` proximity) is an error that says
//! what is supported, never a silent empty result.
//!
//! Parsing gives a [`Node`] tree, which needs no index: it prints back as a query ([`Node`]'s `Display`,
//! so a parsed query re-parses to the same tree) and becomes a tantivy query with [`Node::to_query`],
//! where prefixes and near spellings are looked up in the index's term dictionary (the `expand`
//! module). Nesting (parentheses and NOT) is limited to [`MAX_DEPTH`] levels, so no query can exhaust
//! the stack.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;

use std::sync::Arc;

use chorus_core::{Date, SentimentLabel, ThemeSource};
use chorus_text::{Analyzer, Normaliser, WordSegmenter};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, TantivyError, Term};

use crate::annotated::Predicate;
use crate::expand;
use crate::filters::{
    bool_query, constant, label_query, parse_kind, parse_month, parse_score, u64_query,
};
use crate::schema::{self, Fields};
use crate::sidecar::Annotated;

/// The deepest nesting of parentheses and NOT a query may have. A person never writes more than a few
/// levels; a limit keeps a hostile query (ten thousand `(`) from overflowing the stack.
pub const MAX_DEPTH: usize = 100;

/// The query syntax Chorus supports, for error messages about syntax it does not.
const SUPPORTED: &str = "Chorus supports words, \"phrases\", AND, OR, NOT, (…), field:value, ranges like score:[4 TO 5], prefixes like wait* and near spellings like waitng~1";

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
        // A long query is shown as a window around the bad part, so the caret stays on screen.
        const BEFORE: usize = 40;
        const SHOWN: usize = 100;
        let col = self.column();
        let chars: Vec<char> = self
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let width = self.query[self.start.min(self.query.len())..self.end.min(self.query.len())]
            .chars()
            .count()
            .max(1);
        let (from, to) = if chars.len() <= SHOWN {
            (0, chars.len())
        } else {
            let from = (col - 1).saturating_sub(BEFORE);
            (from, (from + SHOWN).min(chars.len()))
        };
        let lead = if from > 0 { "…" } else { "" };
        let tail = if to < chars.len() { "…" } else { "" };
        let shown: String = chars[from..to].iter().collect();
        let caret_at = col - 1 - from + lead.chars().count();
        let width = width.min(to + 1 - (col - 1).min(to));
        write!(
            f,
            "invalid query at column {col}: {}\n  {lead}{shown}{tail}\n  {}{}",
            self.message,
            " ".repeat(caret_at),
            "^".repeat(width.max(1))
        )
    }
}

impl std::error::Error for QueryError {}

/// A parsed query made runnable: what to run, and the text terms to highlight in hits.
pub(crate) struct ParsedQuery {
    pub query: Box<dyn Query>,
    /// Terms of words, phrases, prefixes and near spellings that are not negated.
    pub highlight: BTreeSet<String>,
    /// Whether the query has words (not negated) to rank hits by.
    pub has_words: bool,
}

/// A clause on a field other than the text, already checked: what [`Node::to_query`] turns into a
/// filter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Clause {
    /// A label matched whole (lowercased when the query is built).
    Label(Field, String),
    /// A number code.
    U64(Field, u64),
    /// A yes/no field.
    Bool(Field, bool),
    /// A range of number codes.
    U64Range(Field, Bound<u64>, Bound<u64>),
    /// A range of days since 1970.
    DateRange(Bound<i64>, Bound<i64>),
    /// A condition on the annotations, which live beside the index.
    Annotation(Predicate),
}

/// What a parsed query becomes a tantivy query against: the index and the annotations beside it.
struct Target<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    annotated: Option<&'a Arc<Annotated>>,
}

/// A parsed query, before it meets an index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// A word or "phrase" of comment text: its analyzed terms with position offsets.
    Text {
        /// As written (without the quotes of a phrase).
        written: String,
        /// Whether it was a quoted phrase.
        quoted: bool,
        terms: PhraseTerms,
    },
    /// `wait*`: every term starting with `prefix` (normalised, not stemmed), and the term `stem`.
    Prefix {
        written: String,
        prefix: String,
        stem: String,
    },
    /// `waitng~1`: terms of words within `distance` edits of `word` (normalised, not stemmed).
    Fuzzy {
        written: String,
        word: String,
        distance: u32,
    },
    /// `field:value` or `field:[range]`, printed as written.
    Field { written: String, clause: Clause },
    /// Every comment: what "NOT x" keeps the rest of.
    All,
    /// Clauses that must (or must not) all hold.
    And(Vec<(Occur, Node)>),
    /// Alternatives.
    Or(Vec<Node>),
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
            // After a group, a range or a phrase, `-x` is NOT x, as after a space; after `:` and `[` it
            // is a value ("score:-1").
            at_term_start = !matches!(tok, Tok::Colon | Tok::Open { .. });
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
            at_term_start = true;
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
pub(crate) fn parse(query: &str, fields: &Fields) -> Result<Node, QueryError> {
    let tokens = lex(query)?;
    let mut parser = Parser {
        query,
        tokens,
        pos: 0,
        depth: 0,
        fields,
        analyzer: Analyzer::english(),
        words: Analyzer::builder(WordSegmenter).filter(Normaliser).build(),
    };
    if parser.tokens.is_empty() {
        return Ok(Node::All);
    }
    let parsed = parser.parse_or()?;
    if let Some(extra) = parser.tokens.get(parser.pos) {
        let message = match extra.tok {
            Tok::RParen => "this `)` has no `(` before it: remove it or add the `(`",
            _ => "unexpected text here",
        };
        return Err(parser.error_at(extra.start, extra.end, message));
    }
    parsed.ok_or_else(|| {
        parser.error_at(
            0,
            query.len(),
            "the query has only common words (such as `the`, `was`), which are not indexed: add a more specific word",
        )
    })
}

struct Parser<'a> {
    query: &'a str,
    tokens: Vec<Lexed>,
    pos: usize,
    /// Parentheses and NOTs open around the current token.
    depth: usize,
    fields: &'a Fields,
    analyzer: Analyzer,
    /// Normalised words without stemming, for prefixes and near spellings.
    words: Analyzer,
}

type Parsed = Option<Node>;

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

    /// Enters one more level of nesting at `at` (a `(` or a NOT), refusing past [`MAX_DEPTH`].
    fn descend(&mut self, at: &Lexed) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                at,
                format!(
                    "the query nests more than {MAX_DEPTH} levels of parentheses and NOT here: write it more simply"
                ),
            ));
        }
        Ok(())
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
        let mut parts: Vec<Node> = parts.into_iter().flatten().collect();
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::Or(parts)),
        })
    }

    fn parse_and(&mut self) -> Result<Parsed, QueryError> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
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
                    let (occur, node) = self.parse_unary()?;
                    any = true;
                    if let Some(n) = node {
                        clauses.push((occur, n));
                    }
                }
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            // "NOT parking" means every comment except those.
            clauses.push((Occur::Must, Node::All));
        }
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            return Ok(clauses.pop().map(|(_, n)| n));
        }
        Ok(Some(Node::And(clauses)))
    }

    fn parse_unary(&mut self) -> Result<(Occur, Parsed), QueryError> {
        match self.peek() {
            Some(Tok::Not | Tok::Minus) => {
                let op = self.next().unwrap_or_else(unreachable_token);
                if Self::ends_clause(self.peek()) {
                    return Err(self.error(&op, "NOT needs a query after it, e.g. `NOT parking`"));
                }
                self.descend(&op)?;
                let (inner, node) = self.parse_unary()?;
                self.depth -= 1;
                let occur = if inner == Occur::MustNot {
                    Occur::Must
                } else {
                    Occur::MustNot
                };
                Ok((occur, node))
            }
            Some(Tok::Plus) => {
                let op = self.next().unwrap_or_else(unreachable_token);
                self.descend(&op)?;
                let (_, node) = self.parse_unary()?;
                self.depth -= 1;
                Ok((Occur::Must, node))
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
                self.descend(&token)?;
                let inner = self.parse_or()?;
                self.depth -= 1;
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
                    self.parse_field_value(name, &word, token.start, &colon)
                } else {
                    self.word_node(&word, &token)
                }
            }
            Tok::Phrase(text) => {
                if let Some(next) = self.tokens.get(self.pos)
                    && next.start == token.end
                    && matches!(&next.tok, Tok::Word(w) if w.starts_with('~'))
                {
                    let next = next.clone();
                    return Err(self.error(
                        &next,
                        format!("searching for words near each other (\"…\"~N) is not supported: {SUPPORTED}"),
                    ));
                }
                Ok(self.text_node(&text, true))
            }
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

    /// A word of comment text outside quotes: a plain word, a prefix (`wait*`) or a near spelling
    /// (`waitng~1`); syntax of other search engines is an error. `None` if it holds only stop words.
    fn word_node(&mut self, word: &str, at: &Lexed) -> Result<Parsed, QueryError> {
        let unsupported = |offset: usize, message: String| {
            let start = at.start + offset;
            let len = word[offset..].chars().next().map_or(1, char::len_utf8);
            self.error_at(start, start + len, message)
        };
        if word.len() > 1 && word.starts_with('/') {
            return Err(unsupported(
                0,
                format!("regular expressions (/…/) are not supported: {SUPPORTED}"),
            ));
        }
        if let Some(i) = word.find('^') {
            return Err(unsupported(
                i,
                format!("boosting a word with `^` is not supported: {SUPPORTED}"),
            ));
        }
        let body = word.trim_end_matches('?');
        if let Some(i) = body.find('?') {
            return Err(unsupported(
                i,
                format!("`?` wildcards are not supported: {SUPPORTED}"),
            ));
        }
        if let Some(i) = word.find('~') {
            return self.fuzzy_node(word, i, at).map(Some);
        }
        if let Some(i) = word.find('*') {
            if i + 1 != word.len() || i == 0 {
                return Err(unsupported(
                    i,
                    format!(
                        "`*` works only at the end of a word, for words that start with it (wait* finds waiting, waits…): {SUPPORTED}"
                    ),
                ));
            }
            return self.prefix_node(word, at).map(Some);
        }
        Ok(self.text_node(word, false))
    }

    /// The one normalised word of `text` (not stemmed), or an error at `at` saying what `what` takes.
    fn one_word(&mut self, text: &str, at: &Lexed, what: &str) -> Result<String, QueryError> {
        let tokens = self.words.analyze(text);
        let mut words = tokens.iter();
        match (words.next(), words.next()) {
            (Some(word), None) => Ok(word.term.clone()),
            _ => Err(self.error(
                at,
                format!(
                    "{what} takes one word of letters or digits, e.g. {}",
                    match what {
                        "a prefix" => "wait*",
                        _ => "waitng~1",
                    }
                ),
            )),
        }
    }

    fn prefix_node(&mut self, word: &str, at: &Lexed) -> Result<Node, QueryError> {
        let prefix = self.one_word(&word[..word.len() - 1], at, "a prefix")?;
        let stem = self
            .analyzer
            .analyze(&prefix)
            .iter()
            .next()
            .map_or_else(|| prefix.clone(), |t| t.term.clone());
        Ok(Node::Prefix {
            written: word.to_owned(),
            prefix,
            stem,
        })
    }

    /// `word~` (the distance from the word's length, as for Elasticsearch's AUTO) or `word~N`.
    fn fuzzy_node(&mut self, word: &str, tilde: usize, at: &Lexed) -> Result<Node, QueryError> {
        let shape = "write a near spelling as a word then ~ and 0, 1 or 2 edits (waitng~1), or ~ alone to let the length of the word decide";
        let digits = &word[tilde + 1..];
        if tilde == 0 {
            return Err(self.error(at, format!("`~` goes right after a word: {shape}")));
        }
        let distance = match digits {
            "" => None,
            "0" => Some(0),
            "1" => Some(1),
            "2" => Some(2),
            _ => return Err(self.error(at, format!("`{word}` is not a near spelling: {shape}"))),
        };
        let base = self.one_word(&word[..tilde], at, "a near spelling")?;
        let distance = distance.unwrap_or(match base.chars().count() {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        });
        Ok(Node::Fuzzy {
            written: word.to_owned(),
            word: base,
            distance,
        })
    }

    /// A word or phrase of comment text, through the shared analyzer; `None` if it holds only stop words.
    fn text_node(&mut self, text: &str, quoted: bool) -> Parsed {
        let terms = text_terms(&mut self.analyzer, text)?;
        Some(Node::Text {
            written: text.to_owned(),
            quoted,
            terms,
        })
    }

    /// The value after `field:`; `start` is where the field name starts, for printing the clause as
    /// written.
    fn parse_field_value(
        &mut self,
        name: Name,
        written: &str,
        start: usize,
        colon: &Lexed,
    ) -> Result<Option<Node>, QueryError> {
        let Some(value) = self.next() else {
            return Err(self.error(
                colon,
                format!("`{written}:` needs a value after the colon, e.g. `{written}:…`"),
            ));
        };
        let clause = match value.tok.clone() {
            Tok::Word(v) if name == Name::Text => {
                let node = self.word_node(&v, &value)?;
                return node.map(Some).ok_or_else(|| {
                    self.error(&value, "only common words here, which are not indexed")
                });
            }
            Tok::Phrase(v) if name == Name::Text => {
                let node = self.text_node(&v, true);
                return node.map(Some).ok_or_else(|| {
                    self.error(&value, "only common words here, which are not indexed")
                });
            }
            Tok::Word(v) | Tok::Phrase(v) => self.field_value(name, &v, &value)?,
            Tok::Open { inclusive } => self.parse_range(name, written, &value, inclusive)?,
            Tok::LParen => {
                return Err(self.error(
                    &value,
                    format!("write alternatives in full: `{written}:A OR {written}:B`"),
                ));
            }
            _ => {
                return Err(self.error(
                    &value,
                    format!("`{written}:` needs a value after the colon"),
                ));
            }
        };
        let end = self.tokens[self.pos - 1].end;
        Ok(Some(Node::Field {
            written: self.query[start..end].to_owned(),
            clause,
        }))
    }

    fn field_value(&mut self, name: Name, value: &str, at: &Lexed) -> Result<Clause, QueryError> {
        let f = self.fields;
        let bad = |message: String| self.error(at, message);
        let label = |field: Field, value: &str| Clause::Label(field, value.to_owned());
        Ok(match name {
            Name::Text => return Err(bad("a word of the text is not a field value".to_owned())),
            Name::Id => label(f.id, value),
            Name::Respondent => label(f.respondent, value),
            Name::Service => label(f.service, value),
            Name::Organisation => label(f.organisation, value),
            Name::Source => label(f.source, value),
            Name::Touchpoint => Clause::Annotation(Predicate::Touchpoint(value.to_owned())),
            Name::Theme => Clause::Annotation(Predicate::Theme(value.to_owned())),
            Name::Attribute => {
                if !value.contains('=') {
                    return Err(bad(format!(
                        "write an attribute as name=value, e.g. attribute:\"age band=35-44\" (got `{value}`)"
                    )));
                }
                label(f.attribute, value)
            }
            Name::ThemeSource => match value.to_ascii_lowercase().as_str() {
                "codebook" => Clause::Annotation(Predicate::ThemeSource(ThemeSource::Codebook)),
                "model" => Clause::Annotation(Predicate::ThemeSource(ThemeSource::Model)),
                "discovered" => Clause::Annotation(Predicate::ThemeSource(ThemeSource::Discovered)),
                _ => {
                    return Err(bad(
                        "use theme_source:codebook, model or discovered".to_owned()
                    ));
                }
            },
            Name::Sentiment => {
                let sentiment: SentimentLabel = value.parse().map_err(&bad)?;
                Clause::Annotation(Predicate::Sentiment(sentiment))
            }
            Name::Question => match parse_kind(value) {
                Some(kind) => Clause::U64(f.question_kind, schema::kind_code(kind)),
                None => label(f.question, value),
            },
            Name::Score => Clause::U64(
                f.score,
                schema::score_code(parse_score(value).map_err(&bad)?),
            ),
            Name::Date => {
                let (lo, hi) = date_span(value).ok_or_else(|| {
                    bad(format!(
                        "`{value}` is not a date: use YYYY-MM-DD, a month YYYY-MM or a year YYYY"
                    ))
                })?;
                Clause::DateRange(Bound::Included(lo), Bound::Included(hi))
            }
            Name::Month => {
                let month = parse_month(value).ok_or_else(|| {
                    bad(format!(
                        "`{value}` is not a month: use YYYY-MM, e.g. 2021-10"
                    ))
                })?;
                Clause::U64(f.month, schema::month_code(month.first_day()))
            }
            Name::Discovered => {
                let n: u32 = value
                    .parse()
                    .map_err(|_| bad(format!("`{value}` is not a discovered theme number")))?;
                Clause::Annotation(Predicate::Discovered(n))
            }
            Name::Discordant => Clause::Annotation(Predicate::Discordant(
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            )),
            Name::NoComment => Clause::Bool(
                f.no_comment,
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            ),
            Name::Themed => Clause::Annotation(Predicate::Themed(
                parse_bool(value).ok_or_else(|| bad(bool_hint(value)))?,
            )),
        })
    }

    fn parse_range(
        &mut self,
        name: Name,
        written: &str,
        open: &Lexed,
        lo_inclusive: bool,
    ) -> Result<Clause, QueryError> {
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
            Name::Score | Name::Month => {
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
                let field = if name == Name::Score {
                    f.score
                } else {
                    f.month
                };
                let bound = |v: Option<u64>, inclusive: bool| match v {
                    None => Bound::Unbounded,
                    Some(v) if inclusive => Bound::Included(v),
                    Some(v) => Bound::Excluded(v),
                };
                let mut lower = bound(lo_v, lo_inclusive);
                if name == Name::Score && lo_v.is_none() {
                    // `not given` is stored as 0: an open lower end means "from very good".
                    lower = Bound::Included(1);
                }
                if lower == Bound::Unbounded && bound(hi_v, hi_inclusive) == Bound::Unbounded {
                    return Err(
                        self.error(open, format!("a range needs at least one end: {shape}"))
                    );
                }
                Ok(Clause::U64Range(field, lower, bound(hi_v, hi_inclusive)))
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
                Ok(Clause::DateRange(lower, upper))
            }
            _ => Err(self.error(
                open,
                format!("`{written}` has no ranges: ranges work on score, date and month"),
            )),
        }
    }
}

/// The terms of a word or phrase with their position offsets from the first.
pub(crate) type PhraseTerms = Vec<(usize, String)>;

/// The terms of a word or phrase of comment text with their position offsets; `None` if it holds only
/// stop words.
pub(crate) fn text_terms(analyzer: &mut Analyzer, text: &str) -> Option<PhraseTerms> {
    let tokens = analyzer.analyze(text);
    let mut content = tokens.iter().filter(|t| !t.stop).peekable();
    let first = content.peek()?.position;
    Some(
        content
            .map(|t| ((t.position - first) as usize, t.term.clone()))
            .collect(),
    )
}

/// The query for the terms of a word (one term) or phrase.
pub(crate) fn terms_query(field: Field, terms: &PhraseTerms) -> Box<dyn Query> {
    if let [(_, term)] = terms.as_slice() {
        Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new_with_offset(
            terms
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                .collect(),
        ))
    }
}

/// The query for a word or phrase of comment text, with its terms and their position offsets; `None` if
/// it holds only stop words.
pub(crate) fn text_clause(
    field: Field,
    analyzer: &mut Analyzer,
    text: &str,
) -> Option<(Box<dyn Query>, PhraseTerms)> {
    let terms = text_terms(analyzer, text)?;
    Some((terms_query(field, &terms), terms))
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

impl Node {
    /// The tantivy query for this tree, with the terms to highlight; prefixes and near spellings are
    /// looked up in the searcher's term dictionaries.
    pub(crate) fn to_query(
        &self,
        fields: &Fields,
        searcher: &Searcher,
        annotated: Option<&Arc<Annotated>>,
    ) -> Result<ParsedQuery, TantivyError> {
        let mut highlight = BTreeSet::new();
        let mut has_words = false;
        let on = Target {
            fields,
            searcher,
            annotated,
        };
        let query = self.build(&on, false, &mut highlight, &mut has_words)?;
        Ok(ParsedQuery {
            query,
            highlight,
            has_words,
        })
    }

    fn build(
        &self,
        on: &Target<'_>,
        negated: bool,
        highlight: &mut BTreeSet<String>,
        has_words: &mut bool,
    ) -> Result<Box<dyn Query>, TantivyError> {
        let Target {
            fields, searcher, ..
        } = *on;
        let mut words = |terms: &mut dyn Iterator<Item = &String>| {
            if !negated {
                *has_words = true;
                highlight.extend(terms.cloned());
            }
        };
        Ok(match self {
            Node::Text { terms, .. } => {
                words(&mut terms.iter().map(|(_, t)| t));
                terms_query(fields.text, terms)
            }
            Node::Prefix { prefix, stem, .. } => {
                let terms = expand::prefix_terms(searcher, fields.text, prefix, stem)?;
                words(&mut terms.iter());
                if terms.is_empty() {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(TermSetQuery::new(
                        terms.iter().map(|t| Term::from_field_text(fields.text, t)),
                    ))
                }
            }
            Node::Fuzzy { word, distance, .. } => {
                let terms = expand::near_terms(searcher, fields.text, word, *distance)?;
                words(&mut terms.iter().map(|(t, _)| t));
                if terms.is_empty() {
                    Box::new(EmptyQuery)
                } else {
                    // Nearer spellings rank higher: half the weight for each edit.
                    Box::new(BooleanQuery::new(
                        terms
                            .iter()
                            .map(|(t, d)| {
                                let term: Box<dyn Query> = Box::new(TermQuery::new(
                                    Term::from_field_text(fields.text, t),
                                    IndexRecordOption::WithFreqs,
                                ));
                                let boost = 0.5f32.powi(*d as i32);
                                let q: Box<dyn Query> = Box::new(BoostQuery::new(term, boost));
                                (Occur::Should, q)
                            })
                            .collect(),
                    ))
                }
            }
            Node::Field { clause, .. } => clause.to_query(fields, on.annotated),
            Node::All => Box::new(AllQuery),
            Node::And(clauses) => {
                let mut out = Vec::with_capacity(clauses.len());
                for (occur, node) in clauses {
                    let negated = negated || *occur == Occur::MustNot;
                    out.push((*occur, node.build(on, negated, highlight, has_words)?));
                }
                Box::new(BooleanQuery::new(out))
            }
            Node::Or(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                for node in parts {
                    out.push((
                        Occur::Should,
                        node.build(on, negated, highlight, has_words)?,
                    ));
                }
                Box::new(BooleanQuery::new(out))
            }
        })
    }

    /// The node as one operand: groups in parentheses.
    fn operand(&self) -> String {
        match self {
            Node::And(_) | Node::Or(_) => format!("({self})"),
            _ => self.to_string(),
        }
    }
}

/// A query in the query language that parses back to the same tree.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text {
                written,
                quoted: true,
                ..
            } => write!(f, "\"{written}\""),
            Node::Text { written, .. }
            | Node::Prefix { written, .. }
            | Node::Fuzzy { written, .. }
            | Node::Field { written, .. } => f.write_str(written),
            Node::All => Ok(()),
            Node::And(clauses) => {
                // The `All` that "NOT x" gets is added again by the parser.
                let shown = clauses
                    .iter()
                    .filter(|(o, n)| !(*o == Occur::Must && *n == Node::All));
                for (i, (occur, node)) in shown.enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    if *occur == Occur::MustNot {
                        f.write_str("NOT ")?;
                    }
                    f.write_str(&node.operand())?;
                }
                Ok(())
            }
            Node::Or(parts) => {
                for (i, node) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    // AND binds tighter than OR: an AND needs no parentheses here, and adding them
                    // would nest the printed query deeper than the one parsed.
                    match node {
                        Node::And(_) => write!(f, "{node}")?,
                        _ => f.write_str(&node.operand())?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl Clause {
    fn to_query(&self, fields: &Fields, annotated: Option<&Arc<Annotated>>) -> Box<dyn Query> {
        match self {
            Clause::Annotation(predicate) => predicate.to_query(annotated),
            Clause::Label(field, value) => label_query(*field, value),
            Clause::U64(field, value) => u64_query(*field, *value),
            Clause::Bool(field, value) => bool_query(*field, *value),
            Clause::U64Range(field, lo, hi) => {
                let term = |b: &Bound<u64>| match b {
                    Bound::Included(v) => Bound::Included(Term::from_field_u64(*field, *v)),
                    Bound::Excluded(v) => Bound::Excluded(Term::from_field_u64(*field, *v)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                constant(Box::new(RangeQuery::new(term(lo), term(hi))))
            }
            Clause::DateRange(lo, hi) => date_range(fields.date, *lo, *hi),
        }
    }
}
