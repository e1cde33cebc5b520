//! Discordance: comments whose words clearly contradict their FFT score, for a QI team to read.
//!
//! Deliberately conservative, because every flag costs someone's time:
//! - a "very good" or "good" score with text that only complains: clearly negative, no positive clause,
//!   real opinion words (not only what the question implies), and no request. Answering "What could we do
//!   better?", complaints are what was asked for, so only strong, well-evidenced ones count; a suggestion
//!   never does; nor does a clause with strong praise beside the complaint;
//! - a "poor" or "very poor" score with text that only praises, on the same terms, except answering "What
//!   was good?" (praise is what was asked for, even from someone unhappy overall) or "What could we do
//!   better?" (an unhappy patient's answer there that reads as praise is a wish: "actually caring");
//! - "neither", "don't know" and missing scores are never discordant.

use chorus_core::{FftScore, QuestionKind, SentimentLabel};

use crate::sentiment::{CLEAR, CommentSentiment};

/// Whether the comment's text contradicts its score.
pub(crate) fn is_discordant(score: FftScore, kind: QuestionKind, s: &CommentSentiment) -> bool {
    if s.request_clauses > 0 {
        return false;
    }
    match score {
        FftScore::VeryGood | FftScore::Good => {
            let (bar, evidence) = if kind == QuestionKind::Improve {
                (-0.65, 4.0)
            } else {
                (-0.5, 2.5)
            };
            s.label == SentimentLabel::Negative
                && s.score <= bar
                && s.positive_clauses == 0
                && s.praise < CLEAR
                && s.evidence >= evidence
        }
        FftScore::Poor | FftScore::VeryPoor => {
            !matches!(kind, QuestionKind::WhatWasGood | QuestionKind::Improve)
                && s.label == SentimentLabel::Positive
                && s.score >= 0.5
                && s.negative_clauses == 0
                && s.complaint < CLEAR
                && s.evidence >= 2.5
        }
        FftScore::Neither | FftScore::DontKnow | FftScore::NotGiven => false,
    }
}
