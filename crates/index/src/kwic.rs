//! Keyword-in-context lines: every occurrence of a word (in all its forms) with the exact original text
//! around it, as a concordance for reading how people use a word.

use chorus_core::{Date, Interner};
use chorus_text::Analyzer;
use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, Query};

use crate::filters::Filters;
use crate::query::{QueryError, text_clause};
use crate::search::{Order, SearchCollector};
use crate::{Error, Store};

/// A concordance request: a word or phrase, filters, the context width and how many lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KwicRequest {
    /// The word or phrase, as written in comments: every form the analyzer relates to it matches
    /// ("wait" finds "waiting", "waited"). Not the query language: quotes and operators are just text.
    pub word: String,
    /// Filters that comments must pass.
    pub filters: Filters,
    /// Characters of context on each side.
    pub width: usize,
    /// The most lines to return.
    pub limit: usize,
}

impl KwicRequest {
    /// A request with 40 characters each side and at most 50 lines.
    pub fn new(word: impl Into<String>) -> KwicRequest {
        KwicRequest {
            word: word.into(),
            filters: Filters::default(),
            width: 40,
            limit: 50,
        }
    }
}

/// One occurrence: the keyword as written, with the text before and after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KwicLine {
    /// The comment's id.
    pub id: String,
    /// The comment's question.
    pub question: String,
    /// The comment's date.
    pub date: Option<Date>,
    /// Up to `width` characters before the keyword (line breaks as spaces); align it to the right.
    pub left: String,
    /// The keyword exactly as written ("Waited", "WAITING").
    pub keyword: String,
    /// Up to `width` characters after the keyword.
    pub right: String,
}

impl Store {
    /// Keyword-in-context lines for a word or phrase, comments in ingest order, occurrences in text order.
    pub fn kwic(&self, request: &KwicRequest) -> Result<Vec<KwicLine>, Error> {
        let mut analyzer = Analyzer::english();
        let Some((word_query, terms)) = text_clause(self.fields.text, &mut analyzer, &request.word)
        else {
            return Err(Error::Query(QueryError {
                query: request.word.clone(),
                start: 0,
                end: request.word.len(),
                message: if request.word.trim().is_empty() {
                    "give a word to look for".to_owned()
                } else {
                    "only common words (such as `the`, `was`), which are not indexed: choose a more specific word".to_owned()
                },
            }));
        };
        let annotated = self.annotated()?;
        if let Some(a) = &annotated {
            request.filters.check_names(&a.catalog, &a.table)?;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, word_query)];
        clauses.extend(
            request
                .filters
                .clauses(&self.fields, annotated.as_ref())
                .into_iter()
                .map(|q| (Occur::Must, q)),
        );
        let query = BooleanQuery::new(clauses);
        let searcher = self.searcher();
        let found = searcher
            .search(
                &query,
                &SearchCollector {
                    order: Order::Ingest,
                    top: request.limit,
                    facets: false,
                    annotated: None,
                },
            )
            .map_err(|e| self.index_error(e))?;
        let mut lines = Vec::new();
        let mut interner = Interner::new();
        for ranked in found.top {
            if lines.len() >= request.limit {
                break;
            }
            let comment = self.hit_comment(&searcher, ranked.segment, ranked.doc, &mut interner)?;
            for (start, end) in occurrences(&mut analyzer, &comment.text, &terms) {
                if lines.len() >= request.limit {
                    break;
                }
                lines.push(KwicLine {
                    id: comment.id.clone(),
                    question: comment.question.to_string(),
                    date: comment.date,
                    left: last_chars(&comment.text[..start], request.width),
                    keyword: one_line(&comment.text[start..end]),
                    right: first_chars(&comment.text[end..], request.width),
                });
            }
        }
        Ok(lines)
    }
}

/// Byte ranges of the occurrences of a phrase's terms (with their position offsets) in `text`.
pub(crate) fn occurrences(
    analyzer: &mut Analyzer,
    text: &str,
    terms: &[(usize, String)],
) -> Vec<(usize, usize)> {
    let tokens = analyzer.analyze(text);
    let content: Vec<_> = tokens.iter().filter(|t| !t.stop).collect();
    let mut out = Vec::new();
    for (i, first) in content.iter().enumerate() {
        if first.term != terms[0].1 {
            continue;
        }
        let mut end = first.end;
        let all = terms[1..].iter().all(|(offset, term)| {
            let want = first.position as usize + offset;
            content[i + 1..]
                .iter()
                .find(|t| t.position as usize >= want)
                .filter(|t| t.position as usize == want && &t.term == term)
                .map(|t| end = t.end)
                .is_some()
        });
        if all {
            out.push((first.start, end));
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn last_chars(text: &str, n: usize) -> String {
    let count = text.chars().count();
    one_line(
        &text
            .chars()
            .skip(count.saturating_sub(n))
            .collect::<String>(),
    )
}

fn first_chars(text: &str, n: usize) -> String {
    one_line(&text.chars().take(n).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, word: &str, expected: &[&str]) {
        let mut analyzer = Analyzer::english();
        let terms: Vec<(usize, String)> = {
            let tokens = analyzer.analyze(word);
            let content: Vec<_> = tokens.iter().filter(|t| !t.stop).collect();
            content
                .iter()
                .map(|t| ((t.position - content[0].position) as usize, t.term.clone()))
                .collect()
        };
        let found: Vec<&str> = occurrences(&mut analyzer, text, &terms)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, expected, "{word} in {text}");
    }

    #[test]
    fn every_form_and_phrase_is_found_as_written() {
        check(
            "Waited ages. Still WAITING, waits",
            "wait",
            &["Waited", "WAITING", "waits"],
        );
        check(
            "long wait time and waiting times",
            "waiting time",
            &["wait time", "waiting times"],
        );
        check("the wait, time", "wait time", &["wait, time"]);
        check("waited for time", "wait time", &[]);
        check("Nurse’s care", "nurses", &["Nurse’s"]);
        check("nothing here", "wait", &[]);
    }

    #[test]
    fn context_is_cut_by_characters_and_kept_on_one_line() {
        assert_eq!(last_chars("très\nbien", 6), "s bien");
        assert_eq!(first_chars("😊 ok", 1), "😊");
        assert_eq!(last_chars("", 5), "");
    }
}
