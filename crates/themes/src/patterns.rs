//! Words and phrases compiled to symbol sequences, and matched against the analysed tokens of a clause.
//!
//! The lexicon and both codebooks share one [`Vocab`], so each token of a comment costs one hash lookup
//! however many word lists look at it. A phrase matches its symbols in order within a clause; stop words
//! of the text that the phrase does not name may come between ("thank you so much" matches "thank much"),
//! while a stop word written in the phrase must be there ("looked after"). `not` in a phrase stands for any
//! negator and `#` for any number. A word compiled with [`compile_exact`] matches only as spelt
//! ("caring", not "care", though both stem to `care`).

use std::collections::HashMap;

use chorus_text::{Analyzer, Token, TokenKind};
use rustc_hash::FxBuildHasher;

/// A term's number in the [`Vocab`].
pub(crate) type Sym = u32;

/// The symbol of a term that no word list names.
pub(crate) const UNKNOWN: Sym = u32::MAX;

/// Every term that any word list names, numbered.
#[derive(Debug, Default, Clone)]
pub(crate) struct Vocab {
    ids: HashMap<Box<str>, Sym, FxBuildHasher>,
    len: u32,
    /// The spellings exact words must have, lower case, numbered by [`Elem::Exact`].
    forms: Vec<Box<str>>,
}

impl Vocab {
    /// The symbol of `term`, adding it if new.
    pub(crate) fn intern(&mut self, term: &str) -> Sym {
        if let Some(&sym) = self.ids.get(term) {
            return sym;
        }
        let sym = self.len;
        self.len += 1;
        self.ids.insert(term.into(), sym);
        sym
    }

    /// The symbol of `term`, or [`UNKNOWN`].
    pub(crate) fn get(&self, term: &str) -> Sym {
        self.ids.get(term).copied().unwrap_or(UNKNOWN)
    }

    /// How many terms.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The number of the spelling `form` (lower case), adding it if new.
    fn intern_form(&mut self, form: &str) -> u32 {
        match self.forms.iter().position(|f| **f == *form) {
            Some(i) => i as u32,
            None => {
                self.forms.push(form.into());
                (self.forms.len() - 1) as u32
            }
        }
    }

    /// The spellings of exact words, for [`Doc::forms`].
    pub(crate) fn forms(&self) -> &[Box<str>] {
        &self.forms
    }
}

/// One element of a compiled phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Elem {
    /// This exact (stemmed) term.
    Term(Sym),
    /// This stemmed term, spelt in the text as the form numbered here (see [`Vocab::forms`]).
    Exact(Sym, u32),
    /// Any negator ("not", "never", "no", "can't"…), written `not`.
    AnyNegator,
    /// Any number, written `#`.
    AnyNumber,
}

/// A compiled word or phrase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Pattern {
    /// The elements, in order.
    pub(crate) elems: Vec<Elem>,
    /// How many elements are not stop words.
    pub(crate) content: usize,
}

/// Compiles `text` with the shared analyzer. `None` when it has no words at all.
pub(crate) fn compile(text: &str, analyzer: &mut Analyzer, vocab: &mut Vocab) -> Option<Pattern> {
    let mut elems = Vec::new();
    let mut content = 0;
    for piece in text.split_whitespace() {
        if piece == "#" {
            elems.push(Elem::AnyNumber);
            content += 1;
            continue;
        }
        let tokens = analyzer.analyze(piece);
        for token in tokens.iter() {
            if token.negator && piece[token.start..token.end].eq_ignore_ascii_case("not") {
                elems.push(Elem::AnyNegator);
            } else {
                elems.push(Elem::Term(vocab.intern(&token.term)));
            }
            if !token.stop {
                content += 1;
            }
        }
    }
    (!elems.is_empty()).then_some(Pattern { elems, content })
}

/// Compiles one word that must match as spelt (any case), not on its stem. `None` when `word` is not
/// exactly one word, or is a stop word.
pub(crate) fn compile_exact(
    word: &str,
    analyzer: &mut Analyzer,
    vocab: &mut Vocab,
) -> Option<Pattern> {
    let tokens = analyzer.analyze(word.trim());
    let [token] = &tokens[..] else {
        return None;
    };
    if token.stop {
        return None;
    }
    let sym = vocab.intern(&token.term);
    let form = vocab.intern_form(&word.trim().to_lowercase());
    Some(Pattern {
        elems: vec![Elem::Exact(sym, form)],
        content: 1,
    })
}

/// An analysed comment as the matchers see it: its text, tokens, each token's symbol, and whether each
/// token is really negated (see `sentiment::effective_negation`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Doc<'a> {
    pub(crate) text: &'a str,
    pub(crate) tokens: &'a [Token],
    pub(crate) syms: &'a [Sym],
    pub(crate) negated: &'a [bool],
    /// The spellings of exact words ([`Vocab::forms`]).
    pub(crate) forms: &'a [Box<str>],
}

/// Whether `elem` matches the token `sym`/`token` of `doc`.
#[inline]
fn elem_matches(elem: Elem, sym: Sym, token: &Token, doc: &Doc<'_>) -> bool {
    match elem {
        Elem::Term(s) => s == sym,
        Elem::Exact(s, form) => {
            s == sym
                && doc
                    .forms
                    .get(form as usize)
                    .is_some_and(|form| doc.text[token.start..token.end].eq_ignore_ascii_case(form))
        }
        Elem::AnyNegator => token.negator,
        Elem::AnyNumber => token.kind == TokenKind::Number,
    }
}

/// At most this many stop words of the text may come between two words of a phrase: "nothing was done"
/// is a complaint, "nothing that could have been done better" is not.
const MAX_SKIP: usize = 2;

/// Matches `pattern` starting exactly at token `start`, within `start..end`; returns the end (exclusive)
/// of the match. A few stop words of the text may be skipped between elements, but no punctuation: "No,
/// happy with it" is not "not happy". A phrase that opens with a negator ("not fault") also needs its next
/// word in that negator's scope (`negated`), so a "nothing" cut off from what follows does not start one.
#[inline]
pub(crate) fn match_at(doc: Doc<'_>, start: usize, end: usize, pattern: &Pattern) -> Option<usize> {
    let Doc {
        text,
        tokens,
        syms,
        negated,
        ..
    } = doc;
    let mut j = start;
    let negation = tokens[start].negator;
    for (k, &elem) in pattern.elems.iter().enumerate() {
        let mut skipped = 0;
        loop {
            if j >= end {
                return None;
            }
            if k > 0 && has_punctuation(&text[tokens[j - 1].end..tokens[j].start]) {
                return None;
            }
            let in_scope = k != 1 || !negation || negated[j] || tokens[j].negator;
            if in_scope && elem_matches(elem, syms[j], &tokens[j], &doc) {
                j += 1;
                break;
            }
            if k > 0 && tokens[j].stop && skipped < MAX_SKIP {
                j += 1;
                skipped += 1;
                continue;
            }
            return None;
        }
    }
    Some(j)
}

/// Whether the text between two words holds punctuation that separates them (an apostrophe or a hyphen
/// inside a compound does not).
#[inline]
fn has_punctuation(gap: &str) -> bool {
    gap.bytes().any(|b| {
        matches!(
            b,
            b',' | b'.' | b';' | b':' | b'!' | b'?' | b'(' | b')' | b'\n'
        )
    })
}

/// Patterns with a payload, indexed by their first element so that each token looks at only the patterns
/// that could start there.
#[derive(Debug, Clone)]
pub(crate) struct PatternSet<T> {
    pub(crate) items: Vec<(Pattern, T)>,
    offsets: Vec<u32>,
    ids: Vec<u32>,
    negator_ids: Vec<u32>,
    number_ids: Vec<u32>,
}

impl<T> Default for PatternSet<T> {
    fn default() -> Self {
        PatternSet {
            items: Vec::new(),
            offsets: Vec::new(),
            ids: Vec::new(),
            negator_ids: Vec::new(),
            number_ids: Vec::new(),
        }
    }
}

impl<T> PatternSet<T> {
    /// Adds a pattern; call [`PatternSet::finish`] once all are added.
    pub(crate) fn push(&mut self, pattern: Pattern, payload: T) {
        self.items.push((pattern, payload));
    }

    /// Builds the index for a vocabulary of `vocab_len` terms. Within a bucket, longer patterns come
    /// first, then the order they were added in.
    pub(crate) fn finish(&mut self, vocab_len: usize) {
        let mut order: Vec<u32> = (0..self.items.len() as u32).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.items[i as usize].0.elems.len()));
        let mut counts = vec![0u32; vocab_len + 1];
        self.negator_ids.clear();
        self.number_ids.clear();
        for &i in &order {
            match self.items[i as usize].0.elems[0] {
                Elem::Term(s) | Elem::Exact(s, _) => counts[s as usize + 1] += 1,
                Elem::AnyNegator => self.negator_ids.push(i),
                Elem::AnyNumber => self.number_ids.push(i),
            }
        }
        for k in 1..counts.len() {
            counts[k] += counts[k - 1];
        }
        self.offsets = counts.clone();
        self.ids = vec![0; *counts.last().unwrap_or(&0) as usize];
        let mut next = counts;
        for &i in &order {
            if let Elem::Term(s) | Elem::Exact(s, _) = self.items[i as usize].0.elems[0] {
                let slot = &mut next[s as usize];
                self.ids[*slot as usize] = i;
                *slot += 1;
            }
        }
    }

    /// The patterns whose first element matches the token, longest first within each kind.
    #[inline]
    pub(crate) fn candidates<'a>(
        &'a self,
        sym: Sym,
        token: &Token,
    ) -> impl Iterator<Item = &'a (Pattern, T)> + 'a {
        let by_term: &[u32] = if (sym as usize) + 1 < self.offsets.len() {
            &self.ids[self.offsets[sym as usize] as usize..self.offsets[sym as usize + 1] as usize]
        } else {
            &[]
        };
        let negators: &[u32] = if token.negator {
            &self.negator_ids
        } else {
            &[]
        };
        let numbers: &[u32] = if token.kind == TokenKind::Number {
            &self.number_ids
        } else {
            &[]
        };
        by_term
            .iter()
            .chain(negators)
            .chain(numbers)
            .map(move |&i| &self.items[i as usize])
    }

    /// Whether any pattern could start at a token with this symbol (ignoring negators and numbers).
    #[inline]
    pub(crate) fn has_term_start(&self, sym: Sym) -> bool {
        (sym as usize) + 1 < self.offsets.len()
            && self.offsets[sym as usize] != self.offsets[sym as usize + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(phrase: &str, text: &str) -> bool {
        let mut analyzer = Analyzer::english();
        let mut vocab = Vocab::default();
        let pattern = compile(phrase, &mut analyzer, &mut vocab).expect("a phrase");
        let tokens = analyzer.analyze(text);
        let syms: Vec<Sym> = tokens.iter().map(|t| vocab.get(&t.term)).collect();
        let negated: Vec<bool> = tokens.iter().map(|t| t.negated).collect();
        (0..tokens.len()).any(|i| {
            let doc = Doc {
                text,
                tokens: &tokens,
                syms: &syms,
                negated: &negated,
                forms: vocab.forms(),
            };
            match_at(doc, i, tokens.len(), &pattern).is_some()
        })
    }

    #[test]
    fn phrases_match_stems_in_order_skipping_stop_words() {
        let cases = [
            ("waiting room", "we waited in the waiting room", true),
            ("waiting room", "the room where we waited", false),
            ("thank much", "thank you so much", true),
            ("looked after", "I was looked after well", true),
            ("looked after", "they looked well", false),
            ("not fault", "could not fault them", true),
            ("not fault", "couldn't fault them", true),
            ("not fault", "can't fault the care", true),
            ("not fault", "it was my fault", false),
            ("couldnt fault", "could not fault", false),
            ("not happy", "not happy at all", true),
            ("not happy", "No, happy with it", false),
            ("waiting room", "waiting. Room was cold", false),
            ("nothing done", "nothing was done", true),
            (
                "nothing done",
                "nothing that could have been done better",
                false,
            ),
            ("wait # hours", "waited 4 hours", true),
            ("wait # hours", "waited hours", false),
            ("call back", "they called me back", true),
            ("call back", "call the ward back", false),
        ];
        for (phrase, text, expected) in cases {
            assert_eq!(matches(phrase, text), expected, "{phrase:?} in {text:?}");
        }
    }

    #[test]
    fn a_text_of_only_punctuation_compiles_to_nothing() {
        let mut analyzer = Analyzer::english();
        let mut vocab = Vocab::default();
        assert!(compile("--", &mut analyzer, &mut vocab).is_none());
        let stop = compile("the", &mut analyzer, &mut vocab).expect("a stop word is a word");
        assert_eq!(stop.content, 0);
    }
}
