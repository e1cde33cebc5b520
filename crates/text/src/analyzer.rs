//! The analyzer: a segmenter and a chain of filters.

use crate::clauses::ClauseMarker;
use crate::negation::NegationMarker;
use crate::normalise::Normaliser;
use crate::segmenter::WordSegmenter;
use crate::stemmer::Stemmer;
use crate::stopwords::StopWords;
use crate::token::{Token, Tokens};
use crate::units::UnitNormaliser;

/// One step of analysis, applied to all of a text's tokens at once (so that clause and negation filters
/// can look at neighbours). A filter may change terms and flags; it never changes offsets.
pub trait TokenFilter: Send + Sync + std::fmt::Debug {
    /// Applies the filter to the tokens of `text`.
    fn filter(&mut self, text: &str, tokens: &mut [Token]);

    /// A copy of the filter, for another thread.
    fn box_clone(&self) -> Box<dyn TokenFilter>;
}

/// Turns text into [`Tokens`]: a [`WordSegmenter`] followed by [`TokenFilter`]s.
///
/// Analyzers are cheap to clone; clone one per thread. Analysis takes `&mut self` because filters keep
/// caches ([`Stemmer`]).
#[derive(Debug)]
pub struct Analyzer {
    segmenter: WordSegmenter,
    filters: Vec<Box<dyn TokenFilter>>,
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer {
            segmenter: self.segmenter,
            filters: self.filters.iter().map(|f| f.box_clone()).collect(),
        }
    }
}

/// Builds an [`Analyzer`] filter by filter.
#[derive(Debug)]
pub struct AnalyzerBuilder {
    analyzer: Analyzer,
}

impl AnalyzerBuilder {
    /// Adds a filter after those already added.
    pub fn filter(mut self, filter: impl TokenFilter + 'static) -> AnalyzerBuilder {
        self.analyzer.filters.push(Box::new(filter));
        self
    }

    /// The analyzer.
    pub fn build(self) -> Analyzer {
        self.analyzer
    }
}

impl Analyzer {
    /// Starts an analyzer with a segmenter and no filters.
    pub fn builder(segmenter: WordSegmenter) -> AnalyzerBuilder {
        AnalyzerBuilder {
            analyzer: Analyzer {
                segmenter,
                filters: Vec::new(),
            },
        }
    }

    /// The analyzer every part of Chorus shares: segmenter, [`Normaliser`], [`UnitNormaliser`],
    /// [`ClauseMarker`], [`NegationMarker`], [`StopWords`], [`Stemmer`]. Changing it changes what stored
    /// indexes contain, so the index records [`Analyzer::ENGLISH_VERSION`].
    pub fn english() -> Analyzer {
        Analyzer::builder(WordSegmenter)
            .filter(Normaliser)
            .filter(UnitNormaliser)
            .filter(ClauseMarker)
            .filter(NegationMarker::default())
            .filter(StopWords)
            .filter(Stemmer::english())
            .build()
    }

    /// The version of [`Analyzer::english`]'s output; bumped whenever a change would give different terms
    /// for the same text.
    pub const ENGLISH_VERSION: u32 = 2;

    /// Analyses `text` into `tokens`, replacing what they held and reusing their allocations.
    pub fn analyze_into(&mut self, text: &str, tokens: &mut Tokens) {
        tokens.clear();
        self.segmenter.segment(text, tokens);
        for filter in &mut self.filters {
            filter.filter(text, tokens.as_mut_slice());
        }
    }

    /// Analyses `text` into a new buffer.
    pub fn analyze(&mut self, text: &str) -> Tokens {
        let mut tokens = Tokens::new();
        self.analyze_into(text, &mut tokens);
        tokens
    }

    /// The content terms (not stop words) of a short text such as a codebook phrase or a query word.
    pub fn content_terms(&mut self, text: &str) -> Vec<String> {
        self.analyze(text)
            .content_terms()
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        Analyzer::english().content_terms(text)
    }

    #[test]
    fn search_and_theme_words_meet() {
        assert_eq!(terms("waiting"), terms("waited"));
        assert_eq!(terms("2hrs"), terms("2 hours"));
        assert_eq!(terms("didn’t"), terms("didnt"));
        assert_eq!(terms("PARKING!!"), terms("parking"));
    }

    #[test]
    fn tricky_text() {
        assert_eq!(terms("great!!staff"), ["great", "staff"]);
        assert_eq!(terms("Nurse’s attitude"), ["nurs", "attitud"]);
        assert_eq!(terms("follow-up"), ["follow"]);
        assert_eq!(terms("A&E was heaving 😡"), ["a&e", "heav", "😡"]);
        assert_eq!(terms("ALL CAPS ANGER"), ["cap", "anger"]);
        assert_eq!(terms("Très bien 🙂"), ["très", "bien", "🙂"]);
        // Text without spaces between words: UAX #29 has no dictionary for Japanese, so it splits
        // into characters, and a word ("病院", hospital) written inside a sentence is found there as
        // the same terms in the same order, which is what a phrase search for it matches.
        let word = terms("病院");
        assert_eq!(word, ["病", "院"]);
        let sentence = terms("病院はとても良かった");
        assert!(
            sentence.windows(word.len()).any(|w| w == word),
            "{sentence:?} does not contain {word:?}"
        );
    }

    #[test]
    fn offsets_always_slice_the_original() {
        let texts = [
            "Nurse’s attitude ﬁne; ＳＴＡＦＦ great!!😊 2hrs A&E e.g. 1,000",
            "",
            "Diolch yn fawr — très bien",
        ];
        let mut analyzer = Analyzer::english();
        for text in texts {
            let tokens = analyzer.analyze(text);
            for token in tokens.iter() {
                assert!(
                    text.get(token.start..token.end).is_some(),
                    "{token:?} in {text:?}"
                );
                assert!(!token.term.is_empty(), "{token:?} in {text:?}");
            }
        }
    }

    #[test]
    fn clones_give_the_same_tokens() {
        let mut a = Analyzer::english();
        let mut b = a.clone();
        let text = "Waited ages, not happy but staff were kind";
        assert_eq!(&*a.analyze(text), &*b.analyze(text));
    }
}
