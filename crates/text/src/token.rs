//! Tokens and the reusable buffer that holds them.

use std::ops::Deref;

use crate::clauses::Clause;

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (possibly with digits, apostrophes or an ampersand, as in "a&e").
    Word,
    /// Digits, possibly with a decimal point ("4", "2.5").
    Number,
    /// A pictograph such as 😊 or 👍, which carries sentiment in feedback.
    Emoji,
}

/// One analysed word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The term after every filter: normalised, perhaps stemmed. This is what is indexed and matched.
    pub term: String,
    /// Byte offset of the word's start in the original text.
    pub start: usize,
    /// Byte offset just past the word's end in the original text.
    pub end: usize,
    /// The word's position in the text, counting stop words, so phrase queries see the gaps.
    pub position: u32,
    /// The clause the word belongs to, counting from 0 (see [`crate::ClauseMarker`]).
    pub clause: u32,
    /// Word, number or emoji.
    pub kind: TokenKind,
    /// A function word: kept in the stream (sentiment reads "very"), left out of the index.
    pub stop: bool,
    /// The word negates what follows it ("not", "never", "didn't", "without").
    pub negator: bool,
    /// The word is within the scope of a preceding negator ("not *rude*").
    pub negated: bool,
    /// The word is a contrast word ("but", "however") that opens its clause.
    pub contrast: bool,
}

impl Token {
    fn empty() -> Token {
        Token {
            term: String::new(),
            start: 0,
            end: 0,
            position: 0,
            clause: 0,
            kind: TokenKind::Word,
            stop: false,
            negator: false,
            negated: false,
            contrast: false,
        }
    }
}

/// The tokens of one text, in order. Reuse one buffer across texts with [`crate::Analyzer::analyze_into`]
/// to avoid allocating per token.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    slots: Vec<Token>,
    len: usize,
}

impl Tokens {
    /// An empty buffer.
    pub fn new() -> Tokens {
        Tokens::default()
    }

    /// Forgets the tokens but keeps their allocations.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends a token slot, reusing an old one's string allocation, and returns it reset.
    pub(crate) fn push_slot(&mut self) -> &mut Token {
        if self.len == self.slots.len() {
            self.slots.push(Token::empty());
        }
        let slot = &mut self.slots[self.len];
        self.len += 1;
        slot.term.clear();
        slot.start = 0;
        slot.end = 0;
        slot.position = 0;
        slot.clause = 0;
        slot.kind = TokenKind::Word;
        slot.stop = false;
        slot.negator = false;
        slot.negated = false;
        slot.contrast = false;
        slot
    }

    /// The tokens, mutable, for filters.
    pub fn as_mut_slice(&mut self) -> &mut [Token] {
        &mut self.slots[..self.len]
    }

    /// The terms of the tokens that are not stop words: what the index holds and codebooks match.
    pub fn content_terms(&self) -> impl Iterator<Item = &str> {
        self.iter().filter(|t| !t.stop).map(|t| t.term.as_str())
    }

    /// The clauses, in order, each with its token range and byte range.
    pub fn clauses(&self) -> impl Iterator<Item = Clause> + '_ {
        let tokens = &**self;
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= tokens.len() {
                return None;
            }
            let clause = tokens[start].clause;
            let end = tokens[start..]
                .iter()
                .position(|t| t.clause != clause)
                .map_or(tokens.len(), |n| start + n);
            let found = Clause {
                index: clause,
                tokens: start..end,
                start: tokens[start].start,
                end: tokens[end - 1].end,
                contrast: tokens[start].contrast,
            };
            start = end;
            Some(found)
        })
    }
}

impl Deref for Tokens {
    type Target = [Token];

    fn deref(&self) -> &[Token] {
        &self.slots[..self.len]
    }
}
