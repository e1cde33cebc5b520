//! Clauses: the units a comment's themes and sentiments are found in.

use std::ops::Range;

use crate::analyzer::TokenFilter;
use crate::token::Token;
use crate::wordlist;

/// Normalised words that start a contrasting clause ("lovely staff *but* a long wait"). Sorted.
pub const CONTRAST_WORDS: &[&str] = &["although", "but", "except", "however", "though", "whereas"];

/// One clause of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The clause number, from 0.
    pub index: u32,
    /// The clause's tokens, as a range into the token buffer.
    pub tokens: Range<usize>,
    /// Byte offset of the clause's first word in the text.
    pub start: usize,
    /// Byte offset just past the clause's last word.
    pub end: usize,
    /// The clause opens with a contrast word, so it usually carries the writer's weight.
    pub contrast: bool,
}

/// Numbers each token's clause. A new clause starts after a sentence end (`.`, `!`, `?`), a semicolon, a
/// colon or a line break, and at a contrast word (see [`CONTRAST_WORDS`]). Full stops after titles and
/// abbreviations ("Dr.", "e.g.") and inside numbers do not end a sentence. Runs after
/// [`crate::Normaliser`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ClauseMarker;

/// Normalised words after which a full stop is an abbreviation, not a sentence end.
pub(crate) const ABBREVIATIONS: &[&str] = &[
    "dr", "e.g", "etc", "i.e", "mr", "mrs", "ms", "no", "st", "vs",
];

fn breaks_clause(gap: &str) -> bool {
    gap.contains(['.', '!', '?', ';', ':', '\n', '\r', '•'])
}

impl TokenFilter for ClauseMarker {
    fn filter(&mut self, text: &str, tokens: &mut [Token]) {
        let mut clause = 0u32;
        let mut previous: Option<(usize, bool)> = None;
        let mut words_in_clause = 0usize;
        for token in tokens.iter_mut() {
            let flags = wordlist::flags(&token.term);
            if let Some((previous_end, previous_is_abbreviation)) = previous {
                let gap = text.get(previous_end..token.start).unwrap_or("");
                let sentence_break =
                    breaks_clause(gap) && !(previous_is_abbreviation && gap.trim() == ".");
                let contrast = flags & wordlist::CONTRAST != 0;
                if (sentence_break || contrast) && words_in_clause > 0 {
                    clause += 1;
                    words_in_clause = 0;
                }
                token.contrast = contrast;
            } else {
                token.contrast = flags & wordlist::CONTRAST != 0;
            }
            token.clause = clause;
            words_in_clause += 1;
            previous = Some((token.end, flags & wordlist::ABBREVIATION != 0));
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use crate::Analyzer;

    fn clauses(text: &str) -> Vec<(&str, bool)> {
        let mut analyzer = Analyzer::english();
        let tokens = analyzer.analyze(text);
        tokens
            .clauses()
            .map(|c| (&text[c.start..c.end], c.contrast))
            .collect()
    }

    #[test]
    fn contrast_words_split_clauses() {
        assert_eq!(
            clauses("staff lovely but waited 4 hours"),
            [("staff lovely", false), ("but waited 4 hours", true)]
        );
    }

    #[test]
    fn sentences_and_lines_split_clauses() {
        assert_eq!(
            clauses("Great care! Food cold; parking awful\nThanks"),
            [
                ("Great care", false),
                ("Food cold", false),
                ("parking awful", false),
                ("Thanks", false)
            ]
        );
    }

    #[test]
    fn titles_and_decimals_do_not_end_a_sentence() {
        assert_eq!(
            clauses("Dr. Patel gave 2.5mg. Fine"),
            [("Dr. Patel gave 2.5mg", false), ("Fine", false)]
        );
    }

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(super::CONTRAST_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(super::ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_text_without_words_has_no_clauses() {
        assert!(clauses("!!! ...").is_empty());
    }
}
