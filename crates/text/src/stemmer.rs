//! English stemming, so "waiting", "waited" and "waits" are one term.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use rust_stemmers::Algorithm;

use crate::analyzer::TokenFilter;
use crate::token::{Token, TokenKind};

/// Snowball English (Porter 2) stemming of words; numbers and emoji pass through.
///
/// Feedback reuses a small vocabulary, so each analyzer keeps the stems it has computed: a hash lookup is
/// several times cheaper than running the stemmer again. The cache is per analyzer (each thread clones its
/// own), is dropped when it grows past [`Stemmer::CACHE_LIMIT`] words, and never changes a result.
pub struct Stemmer {
    stemmer: rust_stemmers::Stemmer,
    cache: HashMap<String, String, FxBuildHasher>,
}

impl Stemmer {
    /// The most words kept in the cache before it is cleared.
    pub const CACHE_LIMIT: usize = 200_000;

    /// The English stemmer.
    pub fn english() -> Stemmer {
        Stemmer {
            stemmer: rust_stemmers::Stemmer::create(Algorithm::English),
            cache: HashMap::default(),
        }
    }

    /// The stem of one normalised word.
    pub fn stem<'a>(&'a mut self, word: &str) -> &'a str {
        if !self.cache.contains_key(word) {
            if self.cache.len() >= Self::CACHE_LIMIT {
                self.cache.clear();
            }
            let stem = self.stemmer.stem(word).into_owned();
            self.cache.insert(word.to_owned(), stem);
        }
        self.cache.get(word).map_or("", String::as_str)
    }
}

impl Clone for Stemmer {
    fn clone(&self) -> Self {
        Stemmer::english()
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stemmer")
            .field("cached", &self.cache.len())
            .finish()
    }
}

impl TokenFilter for Stemmer {
    fn filter(&mut self, _text: &str, tokens: &mut [Token]) {
        for token in tokens {
            if token.kind != TokenKind::Word {
                continue;
            }
            let stem = self.stem(&token.term);
            if stem != token.term {
                let stem = stem.to_owned();
                token.term.clear();
                token.term.push_str(&stem);
            }
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_stem() {
        let mut stemmer = Stemmer::english();
        for word in ["waiting", "waited", "waits", "wait"] {
            assert_eq!(stemmer.stem(word), "wait", "{word}");
        }
        assert_eq!(stemmer.stem("parking"), "park");
        let care = stemmer.stem("care").to_owned();
        assert_eq!(stemmer.stem("caring"), care);
    }
}
