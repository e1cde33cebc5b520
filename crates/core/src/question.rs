//! What a free-text question asks, which changes what its answers mean.

use serde::{Deserialize, Serialize};

/// The kind of free-text question a comment answers.
///
/// "Nothing." answering "What could we do better?" is praise; answering "What was good?" it is a complaint.
/// Sentiment and the trained models read this kind rather than the exact wording, which differs between
/// trusts and survey versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// "Please tell us why", "FFT Why?": the reason for the score, good or bad.
    Why,
    /// "What was good?", "What went well?": asks for praise.
    WhatWasGood,
    /// "What could we do better?", "How could we improve?": asks for criticism.
    Improve,
    /// A story or an unknown question.
    Other,
}

impl QuestionKind {
    /// Every kind.
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::Why,
        QuestionKind::WhatWasGood,
        QuestionKind::Improve,
        QuestionKind::Other,
    ];

    /// Classifies question wording by the phrases surveys use.
    pub fn classify(question: &str) -> QuestionKind {
        let q = question.to_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| q.contains(n));
        if has(&[
            "better",
            "improve",
            "improvement",
            "change",
            "differently",
            "could we do",
            "could have been",
            "dissatisfied with",
        ]) && !has(&["satisfied and/or", "satisfied and or"])
        {
            QuestionKind::Improve
        } else if has(&[
            "what was good",
            "went well",
            "what did we do well",
            "good about",
            "did well",
            "what was positive",
            "liked",
        ]) {
            QuestionKind::WhatWasGood
        } else if has(&[
            "why",
            "reason",
            "tell us",
            "overall",
            "experience",
            "satisfied",
            "fft",
        ]) {
            QuestionKind::Why
        } else {
            QuestionKind::Other
        }
    }

    /// A short name (`why`, `what_was_good`, `improve`, `other`).
    pub fn slug(self) -> &'static str {
        match self {
            QuestionKind::Why => "why",
            QuestionKind::WhatWasGood => "what_was_good",
            QuestionKind::Improve => "improve",
            QuestionKind::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_fft_question_wordings_are_classified() {
        let cases = [
            ("FFT Why?", QuestionKind::Why),
            ("Please tell us why you gave your answer", QuestionKind::Why),
            ("What was good?", QuestionKind::WhatWasGood),
            ("What could we do better?", QuestionKind::Improve),
            ("How could we improve?", QuestionKind::Improve),
            (
                "Please describe any things about the 111 service that\nyou were particularly satisfied and/or dissatisfied with",
                QuestionKind::Why,
            ),
            ("Care Opinion - Q1", QuestionKind::Other),
            ("", QuestionKind::Other),
        ];
        for (question, expected) in cases {
            assert_eq!(QuestionKind::classify(question), expected, "{question:?}");
        }
    }
}
