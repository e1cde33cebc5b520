//! Comments that say nothing: "Nothing", "No comment", "N/A", "nothing to improve", "can't think of
//! anything", "no", "none". Answers like these fill a free-text box without naming anything, so they
//! would cluster with each other by their shared filler words and make themes of their own ("nothing ·
//! nothing to add") that a meeting cannot act on. Discovery leaves them out of its themes (they keep
//! their sentiment and any codebook theme; only clustering passes them by).
//!
//! The rule is general, not a list of answers: a comment says something when, after the stop words the
//! shared analyzer drops and the numbers discovery ignores, it has a word that is neither a negator
//! ("no", "not", "nothing", "can't") nor a **filler**: the words people use to answer without saying
//! anything (pronouns of nothing in particular, "comment", "improve", "think", "add", "else", "as
//! above"…), nor a redaction mark ("xxxx"). "Nothing, all good" says something (it praises: "good");
//! "Nothing to improve" does not.

use std::sync::LazyLock;

use chorus_text::{Analyzer, is_negator};
use rustc_hash::FxHashSet;

use super::corpus::for_each_term;

/// Words people write to answer a free-text question without naming anything: indefinite pronouns and
/// amounts (much, a lot, a thing), intensifiers (absolutely, totally), "because", the questions' own words (comment, improve, better, change, suggest), verbs
/// of having nothing to say (think, know, add, say, mention, done), and references to another answer
/// ("as above", "same").
/// Unstemmed; read through the shared analyzer so they match the stems discovery sees.
const FILLER_WORDS: &str = "nothing anything something everything all whatever none nil nope nah \
    n/a na applicable comment comments commented add adding added else more further other \
    particular particularly especially specific really honestly overall at all thing things \
    absolutely totally completely entirely whatsoever truly simply certainly definitely \
    because reason \
    say said saying mention mentioned state stated see seen above previous previously already same \
    think thought thinking know known knowing sure idea mind come comes came \
    improve improved improvement improvements improving better change changed changes changing \
    suggest suggestion suggestions answer answered question questions reply response \
    do done doing much lot lots bit can could would wish like want yes ok okay";

/// The stems of [`FILLER_WORDS`] as discovery reads them.
static FILLERS: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
    let tokens = Analyzer::english().analyze(FILLER_WORDS);
    let mut stems = FxHashSet::default();
    for_each_term(&tokens, |term, _| {
        stems.insert(term.to_owned());
    });
    stems
});

/// Whether a term (as discovery reads it) names nothing on its own: a negator, a filler or a
/// redaction mark.
pub(crate) fn says_nothing(term: &str) -> bool {
    is_negator(term) || FILLERS.contains(term) || is_redaction_mark(term)
}

/// "xxx", "xxxx"…: what some exports put where they removed a name.
pub(crate) fn is_redaction_mark(term: &str) -> bool {
    term.len() >= 3 && term.bytes().all(|b| b == b'x')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a text has a word that says something.
    fn says_something(text: &str) -> bool {
        let tokens = Analyzer::english().analyze(text);
        let mut found = false;
        for_each_term(&tokens, |term, _| found |= !says_nothing(term));
        found
    }

    #[test]
    fn runs_of_x_are_redaction_marks() {
        assert!(is_redaction_mark("xxxx") && is_redaction_mark("xxx"));
        assert!(
            !is_redaction_mark("xx") && !is_redaction_mark("xray") && !is_redaction_mark("box")
        );
    }

    #[test]
    fn answers_that_say_nothing_are_recognised() {
        for text in [
            "Nothing",
            "No comment",
            "No comments.",
            "N/A",
            "n/a",
            "nothing to improve",
            "Can't think of anything",
            "I can't think of anything else to add",
            "no",
            "None",
            "Nothing really, nothing at all!",
            "Not sure",
            "Don't know",
            "See above",
            "As above",
            "Nothing could be improved",
            "Nothing - it could not be better",
            "Nothing could have been done better",
            "Not much",
            "Not a lot really",
            "Absolutely nothing whatsoever",
            "Not a thing",
            "Because",
            "10/10",
            "xxxx",
        ] {
            assert!(!says_something(text), "{text}");
        }
    }

    #[test]
    fn answers_that_name_something_are_kept() {
        for text in [
            "Nothing, all good",
            "No parking",
            "Nothing to improve, the nurses were lovely",
            "The wait",
            "Excellent",
            "Better communication",
            "More staff",
            "Everything was explained",
            "Thank you",
        ] {
            assert!(says_something(text), "{text}");
        }
    }
}
