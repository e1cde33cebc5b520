//! Choosing quotes: short, clear, deterministic, and chosen in one pass over millions of comments.

use chorus_core::{Comment, keys};

use crate::model::Quote;

/// Exemplar quotes are cut to about this many characters.
pub const SHORT_QUOTE_CHARS: usize = 280;

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
    let strength = (1.0 - strength.clamp(0.0, 1.0)) * 1000.0;
    (
        length_band(comment.text.len()),
        topics.clamp(1, 4) as u8 + if coherent { 0 } else { 8 },
        strength as u16,
        shuffle_key(comment),
        index,
    )
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
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
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
        .rfind(|&end| end >= min && head[end..].starts_with(' '));
    let end = sentence_end.unwrap_or_else(|| head.rfind(' ').filter(|&i| i >= min).unwrap_or(cut));
    let mut out = head[..end].trim_end().to_string();
    out.push('…');
    (out, true)
}

/// A quote from a comment, shortened to `max_chars` (or whole with `None`).
pub(crate) fn quote(comment: &Comment, max_chars: Option<usize>, themes: Vec<String>) -> Quote {
    let (text, truncated) = match max_chars {
        Some(max) => shorten(&comment.text, max),
        None => (comment.text.trim().to_string(), false),
    };
    Quote {
        comment_id: comment.id.clone(),
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
