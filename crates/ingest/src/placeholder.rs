//! Recognising answers that are not answers: "Did not answer", "N/A", "-", blank cells.

use chorus_core::QuestionKind;

/// What exports and respondents write when there is no comment, after folding case, curly apostrophes and
/// surrounding punctuation. Deliberately short: "Nothing." and "None." answer "What could we do better?"
/// (they are praise) and stay comments.
const PLACEHOLDERS: &[&str] = &[
    "did not answer",
    "didnt answer",
    "not answered",
    "no answer",
    "no answer given",
    "n/a",
    "n a",
    "na",
    "#n/a",
    "none given",
    "no comment",
    "no comments",
    "no comment given",
    "no comments given",
    "no comment made",
    "no response",
    "no response given",
    "not applicable",
    "not given",
    "blank",
    "null",
    "no text",
    "left blank",
    "declined to comment",
];

/// Answers that say nothing when the question asks *why* ("Please tell us why you gave your answer":
/// "Nothing"), though they are real answers, and praise, to "What could we do better?".
const EMPTY_REASONS: &[&str] = &[
    "nothing",
    "none",
    "no",
    "nil",
    "nothing to say",
    "no reason",
];

/// Whether an answer to `question` holds no comment: a placeholder ([`is_placeholder`]) for any question,
/// and also a bare "Nothing", "None" or "No" when the question asks why (see
/// [`chorus_core::QuestionKind::Why`]): it gives no reason. To "What could we do better?" the same words are
/// a comment (praise), so they are kept there.
pub fn is_no_comment(text: &str, question: QuestionKind) -> bool {
    if is_placeholder(text) {
        return true;
    }
    question == QuestionKind::Why && EMPTY_REASONS.contains(&fold(text).as_str())
}

/// Whether a cell of a free-text column holds no comment whatever the question: empty, only punctuation
/// (`-`, `.`, `...`, `?`), or a placeholder such as "Did not answer" or "N/A".
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_filler_punctuation(c));
    if trimmed.is_empty() {
        return true;
    }
    if trimmed.len() > 24 {
        return false;
    }
    PLACEHOLDERS.contains(&fold(trimmed).as_str())
}

/// Lowercase, apostrophes dropped, inner whitespace single, surrounding punctuation gone.
fn fold(text: &str) -> String {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_filler_punctuation(c));
    let mut folded = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '’' | '\'' => {}
            c if c.is_whitespace() => {
                if !folded.ends_with(' ') {
                    folded.push(' ');
                }
            }
            c => folded.extend(c.to_lowercase()),
        }
    }
    folded
}

fn is_filler_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | '–'
            | '—'
            | '.'
            | '…'
            | '?'
            | '!'
            | '_'
            | '*'
            | '/'
            | '\\'
            | ','
            | ';'
            | ':'
            | '('
            | ')'
            | '['
            | ']'
            | '"'
            | '\''
            | '`'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_comments_but_short_real_answers_are() {
        let placeholders = [
            "",
            "  ",
            "-",
            "–",
            ".",
            "...",
            "?",
            "Did not answer",
            "did not answer ",
            "N/A",
            "n/a",
            "NA",
            "#N/A",
            "None given",
            "no comment",
            "No comments.",
            "(blank)",
            "Didn’t answer",
            "[No response]",
            "Not applicable",
        ];
        for text in placeholders {
            assert!(is_placeholder(text), "{text:?} should be a placeholder");
        }
        let comments = [
            "Nothing.",
            "None.",
            "None",
            "nothing",
            "No",
            "Nil",
            "ok",
            "Good",
            "N/A - all fine",
            "No comment on the food, but the staff were great",
            "10/10",
            "5*",
        ];
        for text in comments {
            assert!(!is_placeholder(text), "{text:?} should be a comment");
        }
    }

    #[test]
    fn nothing_is_no_reason_but_is_an_answer_to_what_could_be_better() {
        let cases = [
            ("Nothing", QuestionKind::Why, true),
            ("nothing.", QuestionKind::Why, true),
            ("None", QuestionKind::Why, true),
            ("Nothing.", QuestionKind::Improve, false),
            ("None.", QuestionKind::Improve, false),
            ("Nothing", QuestionKind::WhatWasGood, false),
            ("Nothing, it was perfect", QuestionKind::Why, false),
            ("N/A", QuestionKind::Improve, true),
        ];
        for (text, kind, expected) in cases {
            assert_eq!(is_no_comment(text, kind), expected, "{text:?} {kind:?}");
        }
    }
}
