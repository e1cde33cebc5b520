//! The terms a prefix (`wait*`) or a near spelling (`waitng~1`) stands for, read from the index's term
//! dictionaries.
//!
//! The index holds stems ("waiting" is `wait`), not the words people wrote, so a near spelling cannot be
//! compared with the terms directly: "waitng" is one edit from "waiting" but two from `wait`. A term
//! matches when one of its inflections (the term plus a common English ending, such as `wait` + `ing`,
//! that the stemmer turns back into the term) is within the distance of the word, or when the term is
//! Distances count insertions, deletions, substitutions and swaps of two neighbouring letters (optimal
//! string alignment), in bytes; as in most spelling checkers, the first letter must be right, which
//! keeps far-fetched matches out ("apointment" is not "pointment") and the search fast.

use std::collections::{BTreeMap, BTreeSet};

use chorus_text::Stemmer;
use tantivy::schema::Field;
use tantivy::{Searcher, TantivyError};
use tantivy_fst::Automaton;

/// The most terms a near spelling expands to, nearest and most frequent first (as Lucene's
/// `maxExpansions`): enough for the forms of a word, few enough to stay fast.
const MAX_NEAR_TERMS: usize = 50;

/// Endings the English stemmer removes, to rebuild words from a stem; a rebuilt word counts only if
/// the stemmer turns it back into the stem, so a long list costs nothing in precision.
const ENDINGS: &[&str] = &[
    "", "s", "es", "e", "ed", "ing", "ings", "er", "ers", "est", "ly", "y", "ies", "ied", "ment",
    "ments", "ness", "ful", "fully", "ion", "ions", "ation", "ations", "al", "ally", "ive", "able",
    "ably", "ible", "ity", "ous", "ist", "ists", "ism", "ise", "ised", "ises", "ize", "ized",
    "ance", "ence", "ant", "ent", "ently", "ic", "ical",
];

/// The longest of [`ENDINGS`], in bytes.
const LONGEST_ENDING: usize = 6;

/// Every term of `field` starting with `prefix`, and the term `stem` if the index has it (so `waiting*`
/// finds "waiting", whose term is `wait`).
pub(crate) fn prefix_terms(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    stem: &str,
) -> Result<BTreeSet<String>, TantivyError> {
    let mut out = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let terms = index.terms();
        let mut stream = terms.range().ge(prefix.as_bytes()).into_stream()?;
        while let Some((key, _)) = stream.next() {
            if !key.starts_with(prefix.as_bytes()) {
                break;
            }
            if let Ok(term) = std::str::from_utf8(key) {
                out.insert(term.to_owned());
            }
        }
        if terms.get(stem.as_bytes())?.is_some() {
            out.insert(stem.to_owned());
        }
    }
    Ok(out)
}

/// The terms of `field` whose words are within `distance` edits of `word` (normalised, not stemmed), at
/// most [`MAX_NEAR_TERMS`] of them, nearest then most frequent first, each with its distance.
pub(crate) fn near_terms(
    searcher: &Searcher,
    field: Field,
    word: &str,
    distance: u32,
) -> Result<Vec<(String, u32)>, TantivyError> {
    let mut stemmer = Stemmer::english();
    // Candidates are terms close to some beginning of the word (the rest being its ending); one edit
    // more than asked, for stems that change a letter ("happi" from "happy").
    let automaton = NearPrefix {
        word: word.as_bytes(),
        max: distance + 1,
        shortest: word
            .len()
            .saturating_sub(LONGEST_ENDING + distance as usize + 1),
    };
    // term → (distance, documents)
    let mut found: BTreeMap<String, (u32, u64)> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().search(&automaton).into_stream()?;
        while let Some((key, info)) = stream.next() {
            let Ok(term) = std::str::from_utf8(key) else {
                continue;
            };
            let Some(d) = term_distance(term, word, distance, &mut stemmer) else {
                continue;
            };
            let entry = found.entry(term.to_owned()).or_insert((d, 0));
            entry.0 = entry.0.min(d);
            entry.1 += u64::from(info.doc_freq);
        }
    }
    let mut ranked: Vec<(String, (u32, u64))> = found.into_iter().collect();
    ranked.sort_by(|(a, (da, na)), (b, (db, nb))| da.cmp(db).then(nb.cmp(na)).then(a.cmp(b)));
    Ok(ranked
        .into_iter()
        .take(MAX_NEAR_TERMS)
        .map(|(t, (d, _))| (t, d))
        .collect())
}

/// How near the words of `term` come to `word`, if within `max`.
fn term_distance(term: &str, word: &str, max: u32, stemmer: &mut Stemmer) -> Option<u32> {
    if term.as_bytes().first() != word.as_bytes().first() {
        return None;
    }
    let mut best = None;
    let mut consider = |candidate: &str, stemmer: &mut Stemmer| {
        let d = osa(candidate, word);
        if d <= max && best.is_none_or(|b| d < b) && stemmer.stem(candidate) == term {
            best = Some(d);
        }
    };
    for ending in ENDINGS {
        consider(&format!("{term}{ending}"), stemmer);
    }
    // "happi" is the stem of "happy"; "hop" of "hopping".
    if let Some(base) = term.strip_suffix('i') {
        for ending in ["y", "ies", "ied", "iness", "ily"] {
            consider(&format!("{base}{ending}"), stemmer);
        }
    }
    if let Some(last) = term.chars().last().filter(char::is_ascii_alphabetic) {
        for ending in ["ing", "ed", "er", "ers", "est"] {
            consider(&format!("{term}{last}{ending}"), stemmer);
        }
    }
    best
}

/// The optimal string alignment distance between two strings, in bytes.
fn osa(a: &str, b: &str) -> u32 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<u32> = Vec::new();
    let mut row: Vec<u32> = (0..=b.len() as u32).collect();
    for (i, &x) in a.iter().enumerate() {
        let next = step(b, &prev, &row, i.checked_sub(1).map(|k| a[k]), x);
        prev = std::mem::replace(&mut row, next);
    }
    row[b.len()]
}

/// The next row of the edit-distance table of a string against `word`, after the byte `x` (the byte
/// before it `last`, for swaps).
fn step(word: &[u8], prev: &[u32], row: &[u32], last: Option<u8>, x: u8) -> Vec<u32> {
    let mut next = Vec::with_capacity(row.len());
    next.push(row[0] + 1);
    for j in 1..=word.len() {
        let cost = u32::from(word[j - 1] != x);
        let mut d = (row[j] + 1).min(next[j - 1] + 1).min(row[j - 1] + cost);
        if j > 1 && !prev.is_empty() && last == Some(word[j - 1]) && word[j - 2] == x {
            d = d.min(prev[j - 2] + 1);
        }
        next.push(d);
    }
    next
}

/// Terms within `max` edits of a beginning of `word` at least `shortest` bytes long: an automaton over
/// the term dictionary, so only the neighbourhood of the word is read.
struct NearPrefix<'a> {
    word: &'a [u8],
    max: u32,
    shortest: usize,
}

#[derive(Clone)]
struct Rows {
    prev: Vec<u32>,
    row: Vec<u32>,
    first: Option<u8>,
    last: Option<u8>,
}

impl Automaton for NearPrefix<'_> {
    type State = Rows;

    fn start(&self) -> Rows {
        Rows {
            prev: Vec::new(),
            row: (0..=self.word.len() as u32).collect(),
            first: None,
            last: None,
        }
    }

    fn is_match(&self, state: &Rows) -> bool {
        self.can_match(state) && state.row[self.shortest..].iter().any(|&d| d <= self.max)
    }

    fn can_match(&self, state: &Rows) -> bool {
        // The first letter must be right (see the module docs).
        let first_ok = match (state.first, self.word.first()) {
            (Some(a), Some(b)) => a == *b,
            _ => true,
        };
        first_ok && state.row.iter().any(|&d| d <= self.max)
    }

    fn accept(&self, state: &Rows, byte: u8) -> Rows {
        Rows {
            row: step(self.word, &state.prev, &state.row, state.last, byte),
            prev: state.row.clone(),
            first: state.first.or(Some(byte)),
            last: Some(byte),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_a_swap_as_one_edit() {
        assert_eq!(osa("recieved", "received"), 1);
        assert_eq!(osa("waitng", "waiting"), 1);
        assert_eq!(osa("", "abc"), 3);
        assert_eq!(osa("abc", "abc"), 0);
        assert_eq!(osa("ca", "abc"), 3);
    }

    #[test]
    fn a_term_is_near_when_one_of_its_words_is() {
        let mut stemmer = Stemmer::english();
        let near = term_distance;
        assert_eq!(near("wait", "waitng", 1, &mut stemmer), Some(1));
        assert_eq!(near("receiv", "recieved", 1, &mut stemmer), Some(1));
        assert_eq!(near("appoint", "apointment", 1, &mut stemmer), Some(1));
        assert_eq!(near("happi", "hapy", 1, &mut stemmer), Some(1));
        assert_eq!(near("park", "waitng", 2, &mut stemmer), None);
        assert_eq!(near("wait", "waitng", 0, &mut stemmer), None);
        // The first letter must be right.
        assert_eq!(near("point", "apointment", 1, &mut stemmer), None);
    }
}
