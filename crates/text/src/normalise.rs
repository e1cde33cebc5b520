//! Unicode normalisation, lowercasing and apostrophes.

use unicode_normalization::UnicodeNormalization;

use crate::analyzer::TokenFilter;
use crate::token::{Token, TokenKind};

/// Makes spellings that mean the same word into one term:
///
/// - Unicode NFKC, so "ﬁne" (a ligature) and full-width letters match their plain forms;
/// - lowercase, so "WAITED" and "waited" match;
/// - possessives dropped: "nurse's", "nurse’s" → `nurse`;
/// - other apostrophes removed, so "didn't", "didn’t" and "didnt" are all `didnt`;
/// - emoji lose variation selectors and skin tones, so 👍🏽 matches 👍.
#[derive(Clone, Copy, Debug, Default)]
pub struct Normaliser;

impl TokenFilter for Normaliser {
    fn filter(&mut self, _text: &str, tokens: &mut [Token]) {
        let mut scratch = String::new();
        for token in tokens {
            match token.kind {
                TokenKind::Emoji => {
                    token
                        .term
                        .retain(|c| !matches!(c as u32, 0xFE0F | 0x1F3FB..=0x1F3FF));
                }
                TokenKind::Number => {
                    // "1,000" and "1000" are the same number.
                    token.term.retain(|c| c != ',');
                }
                TokenKind::Word => normalise_word(&mut token.term, &mut scratch),
            }
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(*self)
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´')
}

fn normalise_word(term: &mut String, scratch: &mut String) {
    if term.is_ascii() {
        term.make_ascii_lowercase();
    } else {
        scratch.clear();
        scratch.extend(term.nfkc().flat_map(char::to_lowercase));
        std::mem::swap(term, scratch);
    }
    if !term.contains(is_apostrophe) {
        return;
    }
    // Possessive 's at the end goes; any other apostrophe is closed up.
    let trimmed_len = {
        let mut chars = term.char_indices().rev();
        match (chars.next(), chars.next()) {
            (Some((_, 's')), Some((i, c))) if is_apostrophe(c) => Some(i),
            _ => None,
        }
    };
    if let Some(len) = trimmed_len {
        term.truncate(len);
    }
    term.retain(|c| !is_apostrophe(c));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Tokens, WordSegmenter};

    fn check(text: &str, expected: &[&str]) {
        let mut tokens = Tokens::new();
        WordSegmenter.segment(text, &mut tokens);
        Normaliser.filter(text, tokens.as_mut_slice());
        let terms: Vec<&str> = tokens.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, expected, "{text:?}");
    }

    #[test]
    fn case_and_apostrophes() {
        check(
            "WAITED Didn’t didn't didnt",
            &["waited", "didnt", "didnt", "didnt"],
        );
        check(
            "the nurse's care, the nurse’s care",
            &["the", "nurse", "care", "the", "nurse", "care"],
        );
        check("it's A&E", &["it", "a&e"]);
    }

    #[test]
    fn unicode_forms_fold() {
        check("ﬁne ＳＴＡＦＦ Très", &["fine", "staff", "très"]);
    }

    #[test]
    fn numbers_lose_thousands_separators() {
        check("1,000 patients", &["1000", "patients"]);
    }

    #[test]
    fn emoji_variants_fold() {
        check("👍🏽 ❤️", &["👍", "❤"]);
    }
}
