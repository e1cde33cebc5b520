//! Stepping through a comment word by word, forwards and backwards from a place in it, as the name and
//! address rules need: a word is written as names are ("O'Brien", "Smith-Jones", "Ní"), and the text
//! between two words (the gap) says whether they belong together (" ", ", ", ". ").

/// A word and where it is.
#[derive(Clone, Copy, Debug)]
pub(super) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

impl Word<'_> {
    /// Written with a capital and some lower case: "Jo", "McAllister" (not "JO", not "jo").
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
            && self.text.chars().any(char::is_lowercase)
    }

    /// Written with no lower-case letter: "JO", "NHS".
    pub fn is_all_caps(&self) -> bool {
        !self.text.chars().any(char::is_lowercase)
    }

    /// The word less a possessive "'s" ("Patel's" → "Patel").
    pub fn bare(&self) -> Word<'_> {
        let text = strip_possessive(self.text);
        Word {
            start: self.start,
            end: self.start + text.len(),
            text,
        }
    }

    /// Lower-case, with curly apostrophes made straight and a possessive dropped.
    pub fn folded(&self) -> String {
        fold(strip_possessive(self.text))
    }
}

/// Lower-case, with curly apostrophes made straight, for comparing words.
pub(super) fn fold(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars()
            .map(|c| if c == '’' { '\'' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    }
}

pub(super) fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .or_else(|| word.strip_suffix("'S"))
        .unwrap_or(word)
}

/// The byte length of the letter starting at `i`, if one does.
pub(super) fn letter_at(text: &str, i: usize) -> Option<usize> {
    let b = *text.as_bytes().get(i)?;
    if b.is_ascii_alphabetic() {
        return Some(1);
    }
    if b < 0x80 {
        return None;
    }
    let c = text.get(i..)?.chars().next()?;
    c.is_alphabetic().then(|| c.len_utf8())
}

/// The byte length of the letter ending at `i`, if one does.
pub(super) fn letter_before(text: &str, i: usize) -> Option<usize> {
    let b = *text.as_bytes().get(i.checked_sub(1)?)?;
    if b.is_ascii_alphabetic() {
        return Some(1);
    }
    if b < 0x80 {
        return None;
    }
    let c = text.get(..i)?.chars().next_back()?;
    c.is_alphabetic().then(|| c.len_utf8())
}

/// The length of an apostrophe or hyphen at `i` that joins two letters ("O'Brien"), if one does.
fn joiner_at(text: &str, i: usize) -> usize {
    let len = match text.as_bytes().get(i) {
        Some(b'\'' | b'-') => 1,
        Some(0xE2) if text.get(i..).is_some_and(|t| t.starts_with('’')) => 3,
        _ => return 0,
    };
    if letter_before(text, i).is_some() && letter_at(text, i + len).is_some() {
        len
    } else {
        0
    }
}

/// The word that starts at `start` (a letter).
pub(super) fn word_from(text: &str, start: usize) -> Word<'_> {
    let mut end = start;
    loop {
        if let Some(len) = letter_at(text, end) {
            end += len;
            continue;
        }
        let joiner = joiner_at(text, end);
        if joiner == 0 {
            break;
        }
        end += joiner;
    }
    Word {
        start,
        end,
        text: &text[start..end],
    }
}

/// The next word after byte `from`, with the text between, if one starts within `max_gap` bytes.
pub(super) fn next_word(text: &str, from: usize, max_gap: usize) -> Option<(&str, Word<'_>)> {
    let mut i = from;
    while i < text.len() && i - from <= max_gap {
        if letter_at(text, i).is_some() {
            return Some((&text[from..i], word_from(text, i)));
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The word before byte `before`, with the text between, if one ends within `max_gap` bytes.
pub(super) fn prev_word(text: &str, before: usize, max_gap: usize) -> Option<(Word<'_>, &str)> {
    let mut end = before;
    while letter_before(text, end).is_none() {
        if end == 0 || before - end >= max_gap {
            return None;
        }
        end -= text[..end].chars().next_back().map_or(1, char::len_utf8);
    }
    let mut start = end;
    loop {
        if let Some(len) = letter_before(text, start) {
            start -= len;
            continue;
        }
        let joiner = match text[..start].chars().next_back() {
            Some(c @ ('\'' | '-' | '’')) => c.len_utf8(),
            _ => 0,
        };
        if joiner > 0 && letter_before(text, start - joiner).is_some() {
            start -= joiner;
            continue;
        }
        break;
    }
    Some((
        Word {
            start,
            end,
            text: &text[start..end],
        },
        &text[end..before],
    ))
}

/// Words as names are written, with their byte offsets, from the start of the text.
pub(super) fn words(text: &str) -> impl Iterator<Item = Word<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let (_, word) = next_word(text, pos, usize::MAX)?;
        pos = word.end;
        Some(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_over_words_both_ways() {
        let text = "the nurse, O'Brien-Smith’s ward; Ní Bhriain";
        let all: Vec<&str> = words(text).map(|w| w.text).collect();
        assert_eq!(
            all,
            ["the", "nurse", "O'Brien-Smith’s", "ward", "Ní", "Bhriain"]
        );
        let (gap, w) = next_word(text, 9, 3).unwrap();
        assert_eq!(
            (gap, w.text, w.bare().text),
            (", ", "O'Brien-Smith’s", "O'Brien-Smith")
        );
        let (w, gap) = prev_word(text, w.start, 3).unwrap();
        assert_eq!((w.text, gap), ("nurse", ", "));
        let (w, _) = prev_word(text, text.len(), 0).unwrap();
        assert_eq!(w.text, "Bhriain");
        assert!(prev_word(text, 0, 5).is_none());
        assert!(next_word("a    b", 1, 2).is_none());
        assert!(prev_word("'x", 2, 3).is_some_and(|(w, _)| w.text == "x"));
    }
}
