//! Negators and their scope, so that "not rude" is not a complaint about rudeness.

use crate::analyzer::TokenFilter;
use crate::token::{Token, TokenKind};

/// Marks negators and the words they govern.
///
/// A negator's scope runs over the following words until punctuation (`, . ; : ! ?` or a bracket), the end
/// of the clause, or [`NegationMarker::max_scope`] words, whichever comes first: "could not fault the
/// care, staff were rude" negates "fault" and "care" but not "rude". Runs after [`crate::Normaliser`] and
/// [`crate::ClauseMarker`], before stemming, on normalised terms.
#[derive(Clone, Copy, Debug)]
pub struct NegationMarker {
    /// The most words a negation reaches, counting stop words.
    pub max_scope: usize,
}

impl Default for NegationMarker {
    fn default() -> Self {
        NegationMarker { max_scope: 5 }
    }
}

/// Normalised negators, sorted for binary search. Contractions appear closed up ("didnt"), as the
/// [`crate::Normaliser`] leaves them.
pub(crate) const NEGATORS: &[&str] = &[
    "aint", "arent", "barely", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt",
    "hardly", "hasnt", "havent", "isnt", "lack", "lacked", "lacking", "mustnt", "neednt",
    "neither", "never", "no", "nobody", "none", "nor", "not", "nothing", "nowhere", "shouldnt",
    "wasnt", "werent", "without", "wont", "wouldnt",
];

/// Whether a normalised (unstemmed) term negates what follows it.
pub fn is_negator(term: &str) -> bool {
    crate::wordlist::flags(term) & crate::wordlist::NEGATOR != 0
}

fn ends_scope(gap: &str) -> bool {
    gap.contains([',', '.', ';', ':', '!', '?', '(', ')', '\n', '—', '–'])
}

impl TokenFilter for NegationMarker {
    fn filter(&mut self, text: &str, tokens: &mut [Token]) {
        let mut remaining = 0usize;
        let mut clause = u32::MAX;
        let mut previous_end = 0usize;
        for token in tokens.iter_mut() {
            let gap = text.get(previous_end..token.start).unwrap_or("");
            if token.clause != clause || ends_scope(gap) {
                remaining = 0;
            }
            clause = token.clause;
            previous_end = token.end;
            token.negator = token.kind == TokenKind::Word && is_negator(&token.term);
            if token.negator {
                // "not only", "no doubt": a negator followed by another does not flip it back.
                remaining = self.max_scope;
                continue;
            }
            if remaining > 0 {
                token.negated = true;
                remaining -= 1;
            }
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, ClauseMarker, Normaliser, Tokens, WordSegmenter};

    /// Returns the original words that are negated.
    fn negated(text: &str) -> Vec<&str> {
        let mut analyzer = Analyzer::builder(WordSegmenter)
            .filter(Normaliser)
            .filter(ClauseMarker)
            .filter(NegationMarker::default())
            .build();
        let mut tokens = Tokens::new();
        analyzer.analyze_into(text, &mut tokens);
        tokens
            .iter()
            .filter(|t| t.negated)
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn scope_ends_at_punctuation() {
        assert_eq!(
            negated("could not fault the care, staff were rude"),
            ["fault", "the", "care"]
        );
    }

    #[test]
    fn scope_ends_at_a_contrast_clause() {
        assert_eq!(negated("not rude but slow"), ["rude"]);
    }

    #[test]
    fn scope_is_bounded() {
        assert_eq!(
            negated("nothing was too much trouble for any of the staff"),
            ["was", "too", "much", "trouble", "for"]
        );
    }

    #[test]
    fn contractions_with_either_apostrophe_negate() {
        assert_eq!(negated("didn’t listen. wasn't told"), ["listen", "told"]);
    }

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(NEGATORS.windows(2).all(|w| w[0] < w[1]));
    }
}
