//! Splitting text into words: UAX #29 with the corrections free-text feedback needs.

use unicode_segmentation::UnicodeSegmentation;

use crate::token::{TokenKind, Tokens};

/// Finds the words, numbers and emoji of a text by Unicode word boundaries (UAX #29), then:
///
/// - splits digits from letters, so "2hrs" and "2 hrs" give the same tokens, and "4pm" gives `4` `pm`;
///   but keeps ordinals whole ("1st", "22nd"), or "1st class" would leave a word `st`;
/// - splits words run together by a full stop ("great.staff"), which UAX #29 keeps whole, but not
///   abbreviations with one-letter parts ("e.g.");
/// - joins single letters around an ampersand ("A&E", "A & E" stays two), the name of a department;
/// - keeps emoji as tokens and drops every other segment (spaces, punctuation).
///
/// Token terms are the original text; filters normalise them later.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordSegmenter;

impl WordSegmenter {
    /// Appends the tokens of `text` to `tokens`, with offsets and positions.
    pub fn segment(&self, text: &str, tokens: &mut Tokens) {
        if text.is_ascii() {
            assemble(text, AsciiWords::new(text), tokens);
        } else {
            assemble(text, unicode_segments(text), tokens);
        }
    }
}

/// The word, emoji and ampersand segments of a text by UAX #29.
fn unicode_segments(text: &str) -> impl Iterator<Item = (usize, &str)> + Clone {
    text.split_word_bound_indices()
        .filter(|(_, s)| *s == "&" || is_emoji(s) || s.chars().any(char::is_alphanumeric))
}

/// The same segments as [`unicode_segments`] for ASCII text, several times faster. For ASCII, UAX #29
/// joins letters and digits (and `_`) into words, keeps a `'`, `.` or `:` between two letters and a `'`,
/// `.`, `,` or `;` between two digits, and splits everything else; so does this.
#[derive(Clone)]
struct AsciiWords<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl<'a> AsciiWords<'a> {
    fn new(text: &'a str) -> AsciiWords<'a> {
        AsciiWords {
            bytes: text.as_bytes(),
            text,
            at: 0,
        }
    }
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let bytes = self.bytes;
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        while self.at < bytes.len() && !is_word(bytes[self.at]) && bytes[self.at] != b'&' {
            self.at += 1;
        }
        if self.at >= bytes.len() {
            return None;
        }
        let start = self.at;
        if bytes[start] == b'&' {
            self.at += 1;
            return Some((start, &self.text[start..start + 1]));
        }
        let mut end = start;
        loop {
            while end < bytes.len() && is_word(bytes[end]) {
                end += 1;
            }
            // A middle character joins only between two letters or two digits.
            if end + 1 < bytes.len() && end > start {
                let (before, middle, after) = (bytes[end - 1], bytes[end], bytes[end + 1]);
                let letters = before.is_ascii_alphabetic()
                    && after.is_ascii_alphabetic()
                    && matches!(middle, b'\'' | b'.' | b':');
                let digits = before.is_ascii_digit()
                    && after.is_ascii_digit()
                    && matches!(middle, b'\'' | b'.' | b',' | b';');
                if letters || digits {
                    end += 2;
                    continue;
                }
            }
            break;
        }
        self.at = end;
        Some((start, &self.text[start..end]))
    }
}

/// Turns segments into tokens: joins "A&E", splits words (see [`split_word`]), numbers positions.
fn assemble<'a>(
    text: &str,
    segments: impl Iterator<Item = (usize, &'a str)> + Clone,
    tokens: &mut Tokens,
) {
    let mut position = 0u32;
    let mut segments = segments.peekable();
    while let Some((start, segment)) = segments.next() {
        if segment == "&" {
            continue;
        }
        if is_emoji(segment) {
            let slot = tokens.push_slot();
            slot.term.push_str(segment);
            slot.start = start;
            slot.end = start + segment.len();
            slot.kind = TokenKind::Emoji;
            slot.position = position;
            position += 1;
            continue;
        }
        // "A&E": a single letter, '&', a single letter, with nothing between them.
        if is_single_letter(segment) && segments.peek() == Some(&(start + segment.len(), "&")) {
            let mut lookahead = segments.clone();
            lookahead.next();
            if let Some((e_start, e)) = lookahead.next()
                && e_start == start + segment.len() + 1
                && is_single_letter(e)
            {
                let end = e_start + e.len();
                let slot = tokens.push_slot();
                slot.term.push_str(&text[start..end]);
                slot.start = start;
                slot.end = end;
                slot.position = position;
                position += 1;
                segments.next();
                segments.next();
                continue;
            }
        }
        split_word(segment, start, &mut position, tokens);
    }
}

/// "st", "nd", "rd" or "th", the rest of a word after its digits.
fn is_ordinal_suffix(rest: &str) -> bool {
    ["st", "nd", "rd", "th"]
        .iter()
        .any(|suffix| rest.eq_ignore_ascii_case(suffix))
}

fn is_single_letter(segment: &str) -> bool {
    let mut chars = segment.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

/// Pictographs and symbols that people use as words: emoticons, hearts, thumbs, stars.
fn is_emoji(segment: &str) -> bool {
    segment.chars().any(|c| {
        matches!(c as u32,
            0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55)
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Digit,
    Other,
}

/// Splits one UAX #29 word at letter/digit boundaries and at full stops between multi-letter parts.
fn split_word(word: &str, offset: usize, position: &mut u32, tokens: &mut Tokens) {
    let mut emit = |from: usize, to: usize, position: &mut u32| {
        let raw = &word[from..to];
        let piece = raw.trim_start_matches(|c: char| !c.is_alphanumeric());
        let lead = raw.len() - piece.len();
        let piece = piece.trim_end_matches(|c: char| !c.is_alphanumeric());
        if piece.is_empty() {
            return;
        }
        let slot = tokens.push_slot();
        slot.term.push_str(piece);
        slot.start = offset + from + lead;
        slot.end = slot.start + piece.len();
        slot.kind = if piece
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        slot.position = *position;
        *position += 1;
    };

    let mut piece_start = 0;
    let mut previous: Option<(usize, char)> = None;
    let bytes_len = word.len();
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some((_, p)) = previous {
            let boundary = match (class(p), class(c)) {
                // digits and letters meet: "2hrs", "4pm", "covid19"; not "1st"
                (Class::Digit, Class::Other) if c.is_alphabetic() => !is_ordinal_suffix(&word[i..]),
                (Class::Other, Class::Digit) if p.is_alphabetic() => true,
                _ => false,
            };
            if boundary {
                emit(piece_start, i, position);
                piece_start = i;
            }
        }
        // A full stop inside a word: split unless it joins one-letter parts ("e.g") or digits ("2.5").
        if c == '.' {
            let before = &word[piece_start..i];
            let after_len = word[i + 1..]
                .chars()
                .take_while(|c| c.is_alphabetic())
                .count();
            let before_len = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .count();
            let next_is_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
            let prev_is_digit = previous.is_some_and(|(_, p)| p.is_ascii_digit());
            if !(prev_is_digit && next_is_digit) && (before_len > 1 || after_len > 1) {
                emit(piece_start, i, position);
                piece_start = i + 1;
                previous = None;
                continue;
            }
        }
        previous = Some((i, c));
    }
    if piece_start < bytes_len {
        emit(piece_start, bytes_len, position);
    }
}

fn class(c: char) -> Class {
    if c.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[&str]) {
        let mut tokens = Tokens::new();
        WordSegmenter.segment(text, &mut tokens);
        let words: Vec<&str> = tokens.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, expected, "{text:?}");
        let terms: Vec<&str> = tokens.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, expected, "terms of {text:?}");
        for (i, t) in tokens.iter().enumerate() {
            assert_eq!(t.position as usize, i);
        }
    }

    #[test]
    fn words_and_punctuation() {
        check("Staff were lovely.", &["Staff", "were", "lovely"]);
        check("great!!staff", &["great", "staff"]);
        check("great.staff,fab", &["great", "staff", "fab"]);
        check("  ", &[]);
        check("...!!!", &[]);
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        check("didn't don’t", &["didn't", "don’t"]);
        check("nurse's patients'", &["nurse's", "patients"]);
    }

    #[test]
    fn hyphens_split() {
        check("follow-up well-being", &["follow", "up", "well", "being"]);
    }

    #[test]
    fn numbers_split_from_units() {
        check("2hrs 4 hours", &["2", "hrs", "4", "hours"]);
        check("4pm 2.5mg", &["4", "pm", "2.5", "mg"]);
        check("covid19", &["covid", "19"]);
        check("10:30", &["10", "30"]);
    }

    #[test]
    fn ordinals_stay_whole() {
        check(
            "1st class, 2ND time, 23rd 4th",
            &["1st", "class", "2ND", "time", "23rd", "4th"],
        );
        // Only the whole rest of the word: "1sts" and "5star" split as usual.
        check("1sts 5star", &["1", "sts", "5", "star"]);
    }

    #[test]
    fn abbreviations_with_single_letters_stay_whole() {
        check("e.g. i.e.", &["e.g", "i.e"]);
    }

    #[test]
    fn a_and_e_is_one_word() {
        check("went to A&E today", &["went", "to", "A&E", "today"]);
        check("salt & pepper", &["salt", "pepper"]);
    }

    #[test]
    fn emoji_are_tokens() {
        let text = "brilliant 😊👍 thanks";
        let mut tokens = Tokens::new();
        WordSegmenter.segment(text, &mut tokens);
        let kinds: Vec<_> = tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Word,
                TokenKind::Emoji,
                TokenKind::Emoji,
                TokenKind::Word
            ]
        );
    }

    #[test]
    fn ascii_fast_path_agrees_with_unicode_word_bounds() {
        let texts = [
            "Staff were lovely. great!!staff great.staff,fab e.g. i.e. didn't nurse's patients' \
             follow-up 2hrs 4 hours 4pm 2.5mg covid19 10:30 1,000 1;2 a:b A&E A & E salt & pepper \
             snake_case x&y& &z (brackets) \"quoted\" it's--fine 3.5.6 a.b.c ab.cd. 'single' 'quote",
            "...!!! & && a&",
            "",
        ];
        for text in texts {
            let fast: Vec<_> = AsciiWords::new(text).collect();
            let unicode: Vec<_> = unicode_segments(text).collect();
            assert_eq!(fast, unicode, "{text:?}");
        }
    }

    #[test]
    fn non_english_text_is_segmented_without_loss() {
        check("Très bien, merci", &["Très", "bien", "merci"]);
        check("Diolch yn fawr", &["Diolch", "yn", "fawr"]);
    }
}
