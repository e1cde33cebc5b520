//! Which clause of a comment says what, for a reader who wants to see where its labels come from.

use std::sync::Arc;

use chorus_core::{QuestionKind, SentimentLabel};
use serde::Serialize;

use super::CommentAnalyser;
use crate::patterns::Doc;
use crate::sentiment;

/// One clause of a comment, with the sentiment and the touchpoints and codebook themes found in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseLabels {
    /// Byte offset of the clause's first word in the text.
    pub start: usize,
    /// Byte offset just past its last word.
    pub end: usize,
    /// How the clause feels; `None` when it holds no opinion (it does not count towards the comment's).
    pub sentiment: Option<SentimentLabel>,
    /// −1..1.
    pub score: f32,
    /// Touchpoint ids found in the clause, in codebook order.
    pub touchpoints: Vec<Arc<str>>,
    /// Codebook themes found in the clause, in codebook order.
    pub themes: Vec<Arc<str>>,
}

impl CommentAnalyser {
    /// The clauses of a text answering a question of the given kind, each with its sentiment and the
    /// touchpoints and codebook themes it matches: the pieces [`CommentAnalyser::annotate`] rolls up
    /// into a comment's labels. Trained-model and discovered themes belong to the whole comment and are
    /// not here.
    pub fn clauses(&mut self, text: &str, kind: QuestionKind) -> Vec<ClauseLabels> {
        self.run(text, kind);
        let compiled = &*self.compiled;
        let tokens = &self.tokens[..];
        let mut out: Vec<ClauseLabels> = Vec::with_capacity(self.clause_ranges.len());
        for (index, range) in self.clause_ranges.iter().enumerate() {
            if range.is_empty() {
                continue;
            }
            let score = &self.clauses[index];
            let (label, value) = sentiment::roll_up_some(std::iter::once(score));
            let doc = Doc {
                text,
                tokens,
                syms: &self.syms,
                negated: &self.negated,
                forms: compiled.vocab.forms(),
            };
            let mut found = [Vec::new(), Vec::new()];
            for (slot, codebook, names) in [
                (0, &compiled.touchpoints, &compiled.touchpoint_ids),
                (1, &compiled.themes, &compiled.theme_labels),
            ] {
                self.entries.clear();
                codebook.match_clause(doc, range.clone(), &mut self.matches, &mut self.entries);
                self.entries.sort_unstable();
                self.entries.dedup();
                found[slot] = self
                    .entries
                    .iter()
                    .map(|&e| Arc::clone(&names[e as usize]))
                    .collect();
            }
            let [touchpoints, themes] = found;
            out.push(ClauseLabels {
                start: tokens[range.start].start,
                end: tokens[range.end - 1].end,
                sentiment: score.judged.then_some(label),
                score: value,
                touchpoints,
                themes,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clause_carries_its_own_labels() {
        let mut analyser = CommentAnalyser::builtin();
        let text = "The nurses were wonderful, but we waited five hours to be seen.";
        let clauses = analyser.clauses(text, QuestionKind::Why);
        assert!(clauses.len() >= 2, "{clauses:?}");
        let waiting = clauses
            .iter()
            .find(|c| c.touchpoints.iter().any(|t| &**t == "waiting"))
            .expect("a clause about waiting");
        assert!(text[waiting.start..waiting.end].contains("waited"));
        assert_eq!(waiting.sentiment, Some(SentimentLabel::Negative));
        let first = &clauses[0];
        assert!(text[first.start..first.end].contains("wonderful"));
        assert_eq!(first.sentiment, Some(SentimentLabel::Positive));
        for pair in clauses.windows(2) {
            assert!(pair[0].end <= pair[1].start, "clauses in order, apart");
        }
    }
}
