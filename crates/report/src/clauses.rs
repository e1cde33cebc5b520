//! A comment's clauses for people to read: each clause's words with what theming found in it
//! (sentiment, touchpoints, codebook themes), so a reader sees why a comment is both praise and
//! complaint. One owner for the readable form, which the CSV export, the Excel sheets and the pack
//! share: `The staff were great [positive: Staff attitude] | but I couldn't get parked [negative: travel]`.

use chorus_core::{Annotations, Clause, Comment, SentimentLabel};
use serde::Serialize;

/// Between two clauses in the readable form.
pub const SEPARATOR: &str = " | ";

/// One clause of a quote: its words (with the punctuation up to the next clause, so that a quote
/// read clause by clause keeps its commas and full stops) and its labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuoteClause {
    /// The clause's words, white space collapsed.
    pub text: String,
    /// How the clause feels.
    pub sentiment: SentimentLabel,
    /// Touchpoint ids the clause speaks about, in journey order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub touchpoints: Vec<String>,
    /// Codebook themes matched in the clause.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
}

/// A clause's labels as a reader sees them: `negative: travel, Parking` (sentiment, then touchpoints,
/// then themes), or just the sentiment.
pub fn label<S: AsRef<str>>(sentiment: SentimentLabel, touchpoints: &[S], themes: &[S]) -> String {
    let mut out = sentiment.as_str().to_string();
    let mut first = true;
    for name in touchpoints.iter().chain(themes) {
        out.push_str(if first { ": " } else { ", " });
        out.push_str(name.as_ref());
        first = false;
    }
    out
}

/// The readable form of a comment's clauses, `words [labels] | words [labels]`, white space collapsed;
/// empty when theming found no clauses. Not escaped: every writer escapes it for its format.
pub fn readable(text: &str, clauses: &[Clause]) -> String {
    clauses
        .iter()
        .map(|k| {
            format!(
                "{} [{}]",
                collapse(k.text(text)),
                label(k.sentiment, &k.touchpoints, &k.themes)
            )
        })
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}

/// The readable form of a quote's clauses, as [`readable`] writes a comment's.
pub fn readable_quote(clauses: &[QuoteClause]) -> String {
    clauses
        .iter()
        .map(|k| {
            format!(
                "{} [{}]",
                k.text,
                label(k.sentiment, &k.touchpoints, &k.themes)
            )
        })
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}

/// Whether a comment's clauses pull different ways (one praises, another complains), or theming
/// called the comment mixed and it has more than one clause: the quotes whose clauses the pack shows.
pub fn is_mixed(sentiment: Option<SentimentLabel>, clauses: &[QuoteClause]) -> bool {
    if clauses.len() < 2 {
        return false;
    }
    let has = |label| clauses.iter().any(|k| k.sentiment == label);
    sentiment == Some(SentimentLabel::Mixed)
        || (has(SentimentLabel::Positive) && has(SentimentLabel::Negative))
}

/// The clauses of a quote of `comment` that fall within its first `shown_chars` characters (white
/// space collapsed, as the quote's text is); empty when the comment has fewer than two clauses, since
/// one clause says no more than the comment's own labels.
pub(crate) fn of_quote(comment: &Comment, shown_chars: usize) -> Vec<QuoteClause> {
    let Some(a) = comment.annotations.as_ref() else {
        return Vec::new();
    };
    if a.clauses.len() < 2 {
        return Vec::new();
    }
    let text = comment.text.as_str();
    let shown = byte_after_collapsed_chars(text, shown_chars);
    segments(text, a)
        .filter(|(k, _)| k.end as usize <= shown)
        .map(|(k, words)| QuoteClause {
            text: collapse(words),
            sentiment: k.sentiment,
            touchpoints: k.touchpoints.iter().map(|t| t.to_string()).collect(),
            themes: k.themes.iter().map(|t| t.to_string()).collect(),
        })
        .collect()
}

/// Each clause with its words stretched to the next clause's start (the first from the text's start,
/// the last to its end), so that together they are the whole text, punctuation included.
fn segments<'t>(text: &'t str, a: &'t Annotations) -> impl Iterator<Item = (&'t Clause, &'t str)> {
    a.clauses.iter().enumerate().map(move |(i, k)| {
        let start = if i == 0 { 0 } else { k.start as usize };
        let end = a
            .clauses
            .get(i + 1)
            .map_or(text.len(), |next| next.start as usize);
        (k, text.get(start..end).unwrap_or_else(|| k.text(text)))
    })
}

/// Runs of white space as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The byte offset in `text` after its first `chars` characters counted with runs of white space
/// collapsed to one (as a quote counts them); the text's length when it is shorter.
fn byte_after_collapsed_chars(text: &str, chars: usize) -> usize {
    let mut counted = 0;
    let mut in_space = true;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                counted += 1;
                in_space = true;
            }
        } else {
            counted += 1;
            in_space = false;
        }
        if counted > chars {
            return i;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(start: u32, end: u32, sentiment: SentimentLabel, tp: &[&str], th: &[&str]) -> Clause {
        Clause {
            start,
            end,
            sentiment,
            score: 0.0,
            touchpoints: tp.iter().map(|t| (*t).into()).collect(),
            themes: th.iter().map(|t| (*t).into()).collect(),
        }
    }

    #[test]
    fn the_readable_form_names_each_clause_with_its_labels() {
        let text = "The staff were great,  but I couldn't\nget parked.";
        let clauses = [
            clause(0, 20, SentimentLabel::Positive, &[], &["Staff attitude"]),
            clause(23, 48, SentimentLabel::Negative, &["travel"], &["Parking"]),
        ];
        assert_eq!(
            readable(text, &clauses),
            "The staff were great [positive: Staff attitude] | but I couldn't get parked [negative: travel, Parking]"
        );
        assert_eq!(readable(text, &[]), "");
    }

    #[test]
    fn collapsed_characters_map_back_to_bytes() {
        assert_eq!(byte_after_collapsed_chars("ab  cd", 3), 4);
        assert_eq!(byte_after_collapsed_chars("ab  cd", 2), 2);
        assert_eq!(byte_after_collapsed_chars("ab", 9), 2);
        assert_eq!(byte_after_collapsed_chars("é b", 2), 3);
    }
}
