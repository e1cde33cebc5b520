//! Choosing quotes: short, clear, deterministic, and chosen in one pass over millions of comments.

use chorus_core::{Comment, keys};

use crate::model::Quote;

/// Exemplar quotes (themes, touchpoints, highlights, discordant comments) are cut to about this many
/// characters.
pub const SHORT_QUOTE_CHARS: usize = 280;
/// "Stories to read in full" are cut to about this many characters: most stories whole (97 % of the Care
/// Opinion stories in the real corpora are shorter), about half a page of the pack, and never a
/// megabyte story copied whole into every output. The store keeps every comment whole.
pub const STORY_QUOTE_CHARS: usize = 2_000;

/// A candidate's rank: lower is better. Length band, then focus (whether the comment as a whole says
/// the same, then how many other things it is about), then strength, then a stable shuffle; the comment's position breaks the last ties, so the
/// choice does not depend on how the comments were split between threads.
pub(crate) type Rank = (u8, u8, u16, u64, usize);

/// How well a text's length suits a quote: 0 for 40–220 bytes, then 1, 2, and 3 for scraps under 20.
pub(crate) fn length_band(len: usize) -> u8 {
    match len {
        40..=220 => 0,
        20..=39 | 221..=400 => 1,
        0..=19 => 3,
        _ => 2,
    }
}

/// A stable pseudo-random tie-breaker per comment, so quotes vary across themes but never across runs.
pub(crate) fn shuffle_key(comment: &Comment) -> u64 {
    keys::stable_hash(&[comment.id.as_bytes(), comment.question.as_bytes()])
}

/// Rank of a comment as a quote, preferring suitable length, then comments whose overall sentiment
/// agrees with what the quote is to show (`coherent`), then comments about fewer things (`topics`: its
/// themes or touchpoints), then `strength` (0–1, higher better).
pub(crate) fn rank(
    comment: &Comment,
    index: usize,
    topics: usize,
    strength: f32,
    coherent: bool,
) -> Rank {
    QuoteKey::of(comment).rank(index, topics, strength, coherent)
}

/// What [`rank`] reads of a comment itself, kept where the comment is not.
#[derive(Clone, Copy, Debug)]
pub(crate) struct QuoteKey {
    band: u8,
    shuffle: u64,
}

impl QuoteKey {
    pub(crate) fn of(comment: &Comment) -> QuoteKey {
        QuoteKey {
            band: length_band(comment.text.len()),
            shuffle: shuffle_key(comment),
        }
    }

    /// [`rank`] of the comment this key was made from.
    pub(crate) fn rank(self, index: usize, topics: usize, strength: f32, coherent: bool) -> Rank {
        let strength = (1.0 - strength.clamp(0.0, 1.0)) * 1000.0;
        (
            self.band,
            topics.clamp(1, 4) as u8 + if coherent { 0 } else { 8 },
            strength as u16,
            self.shuffle,
            index,
        )
    }
}

/// The best `k` candidates seen so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct TopK {
    items: Vec<(Rank, usize)>,
}

impl TopK {
    pub(crate) fn offer(&mut self, k: usize, rank: Rank, index: usize) {
        if self.items.len() == k && self.items.last().is_some_and(|(worst, _)| rank >= *worst) {
            return;
        }
        let at = self.items.partition_point(|(r, _)| *r < rank);
        self.items.insert(at, (rank, index));
        self.items.truncate(k);
    }

    pub(crate) fn merge(&mut self, k: usize, other: TopK) {
        for (rank, index) in other.items {
            self.offer(k, rank, index);
        }
    }

    /// Comment indices, best first.
    pub(crate) fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.items.iter().map(|(_, i)| *i)
    }
}

/// Shortens text to about `max_chars` characters at a sentence end (or else a word boundary), collapsing
/// runs of white space; returns the text and whether it was cut.
pub fn shorten(text: &str, max_chars: usize) -> (String, bool) {
    cut(text, max_chars, false)
}

/// Shortens text to about `max_chars` characters as [`shorten`] does; with `keep_lines`, keeps its line
/// breaks (a run of blank lines becomes one), for stories whose paragraphs help the reader.
fn cut(text: &str, max_chars: usize, keep_lines: bool) -> (String, bool) {
    let (collapsed, longer) = collapse(text, max_chars, keep_lines);
    if !longer {
        return (collapsed, false);
    }
    let cut = collapsed
        .char_indices()
        .nth(max_chars)
        .map(|(i, _)| i)
        .unwrap_or(collapsed.len());
    let head = &collapsed[..cut];
    let min = head.len() * 2 / 5;
    let sentence_end = head
        .match_indices(['.', '!', '?'])
        .map(|(i, _)| i + 1)
        .rfind(|&end| end >= min && head[end..].starts_with([' ', '\n']));
    let end = sentence_end
        .unwrap_or_else(|| head.rfind([' ', '\n']).filter(|&i| i >= min).unwrap_or(cut));
    let mut out = head[..end].trim_end().to_string();
    out.push('…');
    (out, true)
}

/// The text with runs of white space collapsed to one space (or, keeping lines, one line break or one
/// blank line), stopping once it is longer than `max_chars` characters, so a story of megabytes costs no
/// more than its first words; and whether the text goes on past `max_chars`.
fn collapse(text: &str, max_chars: usize, keep_lines: bool) -> (String, bool) {
    let mut out = String::new();
    let mut chars = 0;
    let mut separator = "";
    for line in text.split('\n') {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            if keep_lines && !out.is_empty() {
                separator = "\n\n";
            }
            continue;
        }
        for word in words {
            let before = if out.is_empty() { "" } else { separator };
            out.push_str(before);
            out.push_str(word);
            chars += before.chars().count() + word.chars().count();
            if chars > max_chars {
                return (out, true);
            }
            separator = " ";
        }
        separator = if keep_lines { "\n" } else { " " };
    }
    (out, false)
}

/// A quote from a comment, shortened to about `max_chars` characters (keeping its line breaks with
/// `keep_lines`).
pub(crate) fn quote(
    comment: &Comment,
    max_chars: usize,
    keep_lines: bool,
    themes: Vec<String>,
) -> Quote {
    let (text, truncated) = cut(&comment.text, max_chars, keep_lines);
    let shown = text.chars().count() - usize::from(truncated);
    Quote {
        clauses: crate::clauses::of_quote(comment, shown),
        comment_id: comment.id.clone(),
        respondent: comment.respondent.to_string(),
        text,
        truncated,
        date: comment.date,
        service: comment.service.as_deref().map(str::to_owned),
        question: comment.question.to_string(),
        score: comment.score,
        sentiment: comment.annotations.as_ref().map(|a| a.sentiment.label),
        themes,
    }
}

/// What a shortened quote says after its text: that it was shortened and where the whole comment is.
pub(crate) fn shortened_note(quote: &Quote) -> Option<String> {
    quote.truncated.then(|| {
        format!(
            "(quote shortened; the whole comment is in the store and its export, id {})",
            quote.comment_id
        )
    })
}

/// The quote's text, followed by [`shortened_note`] when it was shortened: for table cells.
pub(crate) fn text_with_note(quote: &Quote) -> String {
    match shortened_note(quote) {
        Some(note) => format!("{} {note}", quote.text),
        None => quote.text.clone(),
    }
}

/// Normalised text for spotting the same quote twice.
pub(crate) fn same_text_key(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_sentence_or_word() {
        let check = |text: &str, max: usize, expected: &str, cut: bool| {
            assert_eq!(shorten(text, max), (expected.to_string(), cut), "{text}");
        };
        check("Lovely staff.", 50, "Lovely staff.", false);
        check("Lovely\n\nstaff   here", 50, "Lovely staff here", false);
        check(
            "The nurses were kind. The wait was long and nobody told us why at all",
            40,
            "The nurses were kind.…",
            true,
        );
        check(
            "Waiting for hours without anyone saying anything",
            20,
            "Waiting for hours…",
            true,
        );
        check("Supercalifragilistic", 5, "Super…", true);
    }

    #[test]
    fn stories_keep_their_paragraphs() {
        let story = "We arrived at 9.\r\n\r\n\r\nNobody   came.\nThen a nurse did.  ";
        assert_eq!(
            cut(story, 100, true),
            (
                "We arrived at 9.\n\nNobody came.\nThen a nurse did.".into(),
                false
            )
        );
        assert_eq!(
            cut(story, 31, true),
            ("We arrived at 9.\n\nNobody came.…".into(), true)
        );
        assert_eq!(
            shorten(story, 100),
            (
                "We arrived at 9. Nobody came. Then a nurse did.".into(),
                false
            )
        );
    }

    #[test]
    fn a_huge_story_is_cut_from_its_first_words() {
        // 8 MB of text: cut at a word boundary near 2,000 characters, without collapsing it all.
        let story = "waited and waited ".repeat(450_000);
        let (text, cut) = cut(&story, STORY_QUOTE_CHARS, true);
        assert!(cut);
        assert!(
            text.ends_with("waited…") || text.ends_with("and…"),
            "{text}"
        );
        let chars = text.chars().count();
        assert!((STORY_QUOTE_CHARS * 2 / 5..=STORY_QUOTE_CHARS + 1).contains(&chars));
    }

    #[test]
    fn top_k_keeps_the_best_regardless_of_order() {
        let mut a = TopK::default();
        let mut b = TopK::default();
        for (rank, i) in [(5u8, 0usize), (1, 1), (3, 2)] {
            a.offer(2, (rank, 0, 0, 0, i), i);
        }
        for (rank, i) in [(2u8, 3usize), (0, 4)] {
            b.offer(2, (rank, 0, 0, 0, i), i);
        }
        a.merge(2, b);
        assert_eq!(a.indices().collect::<Vec<_>>(), [4, 1]);
    }
}
