//! Stop words: function words that a search or a theme should not match on.

use crate::analyzer::TokenFilter;
use crate::token::Token;
use crate::wordlist;

/// Marks function words as stop words. They stay in the stream, with their positions, so that sentiment
/// can read intensifiers ("very") and phrases keep their gaps; the index leaves them out.
///
/// The list is deliberately short. It keeps what carries meaning in feedback: negators ("not", "no",
/// "never", "nothing", "without"), "wait", comparison and quantity ("more", "less", "too", "enough"),
/// "again", "still", "only", "out" (as in "out of hours"), and pronouns that matter to a story ("i" is a
/// stop word; "they" too; "staff" of course is not).
#[derive(Clone, Copy, Debug, Default)]
pub struct StopWords;

/// Sorted, for binary search.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "during",
    "each",
    "for",
    "from",
    "get",
    "go",
    "going",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "ive",
    "just",
    "ll",
    "m",
    "me",
    "might",
    "my",
    "myself",
    "of",
    "on",
    "one",
    "or",
    "our",
    "ours",
    "ourselves",
    "quite",
    "re",
    "really",
    "s",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "theyre",
    "this",
    "those",
    "through",
    "to",
    "until",
    "up",
    "us",
    "ve",
    "very",
    "was",
    "we",
    "went",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether a normalised (unstemmed) term is a stop word. Negators never are.
pub fn is_stop_word(term: &str) -> bool {
    wordlist::flags(term) & wordlist::STOP != 0
}

impl TokenFilter for StopWords {
    fn filter(&mut self, _text: &str, tokens: &mut [Token]) {
        for token in tokens {
            token.stop = wordlist::flags(&token.term) & wordlist::STOP != 0;
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_that_carry_meaning_in_feedback_are_not_stop_words() {
        for word in [
            "not", "no", "never", "nothing", "without", "wait", "more", "too", "again", "staff",
        ] {
            assert!(!is_stop_word(word), "{word}");
        }
        for word in ["the", "and", "was", "very", "i"] {
            assert!(is_stop_word(word), "{word}");
        }
    }
}
