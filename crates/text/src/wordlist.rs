//! One hash lookup for every word list the filters consult.
//!
//! Stop words, negators, contrast words and abbreviations are each small, but filters test every token
//! against several of them; one table of flags keyed by the normalised term makes that a single lookup.

use std::collections::HashMap;
use std::sync::LazyLock;

use rustc_hash::FxBuildHasher;

/// The word is a stop word (see [`crate::StopWords`]).
pub(crate) const STOP: u8 = 1;
/// The word negates what follows (see [`crate::NegationMarker`]).
pub(crate) const NEGATOR: u8 = 2;
/// The word opens a contrasting clause (see [`crate::ClauseMarker`]).
pub(crate) const CONTRAST: u8 = 4;
/// A full stop after the word is an abbreviation's, not a sentence end.
pub(crate) const ABBREVIATION: u8 = 8;

static TABLE: LazyLock<HashMap<&'static str, u8, FxBuildHasher>> = LazyLock::new(|| {
    let mut table: HashMap<&'static str, u8, FxBuildHasher> = HashMap::default();
    let lists: [(&[&'static str], u8); 4] = [
        (crate::stopwords::STOP_WORDS, STOP),
        (crate::negation::NEGATORS, NEGATOR),
        (crate::clauses::CONTRAST_WORDS, CONTRAST),
        (crate::clauses::ABBREVIATIONS, ABBREVIATION),
    ];
    for (words, flag) in lists {
        for word in words {
            *table.entry(word).or_default() |= flag;
        }
    }
    // Negators are never stop words, whatever the lists say.
    for flags in table.values_mut() {
        if *flags & NEGATOR != 0 {
            *flags &= !STOP;
        }
    }
    table
});

/// The flags of a normalised (unstemmed) term; 0 for an ordinary word.
pub(crate) fn flags(term: &str) -> u8 {
    // No listed word is longer than "themselves"; long words skip the hash.
    if term.len() > 10 {
        return 0;
    }
    TABLE.get(term).copied().unwrap_or(0)
}
