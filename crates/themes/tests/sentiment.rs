//! Built-in sentiment, case by case: what a patient-experience team would expect each comment to read as.

use chorus_core::QuestionKind::{self, Improve, Other, WhatWasGood, Why};
use chorus_core::SentimentLabel::{self, Mixed, Negative, Neutral, Positive};
use chorus_themes::CommentAnalyser;

fn check(cases: &[(&str, QuestionKind, SentimentLabel)]) {
    let mut analyser = CommentAnalyser::builtin();
    let mut failures = Vec::new();
    for &(text, kind, expected) in cases {
        let got = analyser.sentiment(text, kind);
        assert!(
            (-1.0..=1.0).contains(&got.score),
            "{text:?}: score {}",
            got.score
        );
        if got.label != expected {
            failures.push(format!(
                "{text:?} ({kind:?}): expected {expected}, got {}\n{}",
                got.label,
                analyser.explain(text, kind)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn plain_praise_and_complaint() {
    check(&[
        ("Staff were lovely and kind", Why, Positive),
        ("Excellent care from start to finish", Why, Positive),
        ("The nurse was rude and dismissive", Why, Negative),
        ("Waited ages and nobody told us anything", Why, Negative),
        ("Went above and beyond", Why, Positive),
        ("Thank you", Why, Positive),
        ("Appointment at 10am in clinic 4", Why, Neutral),
        ("Five star service", Why, Positive),
        ("Dirty toilets and cold food", Why, Negative),
        ("Felt safe and well looked after", Why, Positive),
    ]);
}

#[test]
fn negation() {
    check(&[
        ("Could not fault the care", Why, Positive),
        ("Couldn't fault them", Why, Positive),
        ("No complaints at all", Why, Positive),
        ("Nothing was too much trouble", Why, Positive),
        ("Staff were not rude", Why, Positive),
        ("Not happy with the service", Why, Negative),
        ("The doctor did not listen to me", Why, Negative),
        ("Never been treated so badly", Why, Negative),
        ("Nobody called me back", Why, Negative),
        ("Couldn't have been better", Why, Positive),
        ("Can't thank you enough", Why, Positive),
        ("Not only kind but also very professional", Why, Positive),
        ("Seen without delay", Why, Positive),
        ("Not good enough", Why, Negative),
        ("Didn't have to wait long at all", Why, Positive),
        // Negation stops at punctuation: the comma separates "no" from "happy".
        ("No, happy with everything", Improve, Positive),
    ]);
}

#[test]
fn intensifiers_and_capitals_strengthen() {
    let mut analyser = CommentAnalyser::builtin();
    let plain = analyser.sentiment("The staff were kind", Why).score;
    let very = analyser.sentiment("The staff were very kind", Why).score;
    let extremely = analyser
        .sentiment("The staff were extremely kind", Why)
        .score;
    assert!(
        plain < very && very < extremely,
        "{plain} {very} {extremely}"
    );
    let bit = analyser.sentiment("The wait was a bit slow", Why).score;
    let slow = analyser.sentiment("The wait was slow", Why).score;
    assert!(bit > slow, "a bit slow {bit} vs slow {slow}");
    let not_very = analyser.sentiment("The food was not very good", Why).score;
    let not_good = analyser.sentiment("The food was not good", Why).score;
    assert!(
        not_very > not_good && not_very < 0.0,
        "{not_very} {not_good}"
    );
    let caps = analyser.sentiment("The receptionist was RUDE", Why).score;
    let lower = analyser.sentiment("The receptionist was rude", Why).score;
    assert!(caps < lower, "{caps} {lower}");
    // A comment written all in capitals is not all shouting.
    let all_caps = analyser.sentiment("THE RECEPTIONIST WAS RUDE", Why).score;
    assert!(all_caps > caps, "{all_caps} {caps}");
    let bang = analyser.sentiment("Brilliant staff!", Why).score;
    let calm = analyser.sentiment("Brilliant staff", Why).score;
    assert!(bang > calm, "{bang} {calm}");
}

#[test]
fn the_clause_after_but_weighs_more() {
    check(&[
        ("Staff were nice but I waited 6 hours", Why, Negative),
        (
            "The wait was long but the staff were wonderful",
            Why,
            Positive,
        ),
        (
            "Good care however the food was awful and the ward was dirty",
            Why,
            Negative,
        ),
    ]);
    let mut analyser = CommentAnalyser::builtin();
    let a = analyser
        .sentiment("Lovely staff but the parking is bad", Why)
        .score;
    let b = analyser
        .sentiment("The parking is bad but lovely staff", Why)
        .score;
    assert!(a < b, "{a} {b}");
}

#[test]
fn mixed_when_praise_and_complaint_balance() {
    check(&[
        ("The nurses were lovely. The food was awful.", Why, Mixed),
        ("Great doctors, terrible parking", Why, Mixed),
    ]);
}

#[test]
fn the_question_changes_what_an_answer_means() {
    check(&[
        ("Nothing", Improve, Positive),
        ("Nothing.", WhatWasGood, Negative),
        ("Nothing", Why, Neutral),
        ("Nothing at all, keep up the good work", Improve, Positive),
        ("Nothing really", Improve, Positive),
        ("None", Improve, Positive),
        ("Can't think of anything", Improve, Positive),
        ("Not a thing", Improve, Positive),
        ("Everything", WhatWasGood, Positive),
        ("Everything", Improve, Negative),
        ("Nothing they were all brilliant", Improve, Positive),
        ("Nothing - perfect", Improve, Positive),
        (
            "There is nothing you could have done better",
            Improve,
            Positive,
        ),
        (
            "Absolutely nothing was good about this service",
            WhatWasGood,
            Negative,
        ),
        // A topic named answering "What was good?" is praise of it.
        ("The physio sessions", WhatWasGood, Positive),
        ("Not sure", Improve, Neutral),
    ]);
}

#[test]
fn suggestions_are_mild_not_harsh() {
    let mut analyser = CommentAnalyser::builtin();
    for text in [
        "More staff",
        "Better parking",
        "It would be nice to have a TV in the day room",
        "Listen to patients more",
        "Perhaps more information before the appointment",
    ] {
        let s = analyser.sentiment(text, Improve);
        assert_eq!(s.label, Negative, "{text}");
        assert!(
            s.score > -0.6,
            "{text}: a request is not a harsh complaint ({})",
            s.score
        );
        let complaint = analyser.sentiment("The staff were rude and the ward was filthy", Improve);
        assert!(complaint.score < s.score, "{text}");
    }
    // Praise words inside a request are not praise; a past-tense verb is no request.
    check(&[
        ("Better communication between teams", Why, Negative),
        ("Listened to me and explained everything", Why, Positive),
        ("I would recommend this service", Why, Positive),
        ("Keep up the good work", Improve, Positive),
    ]);
}

#[test]
fn emoji_and_emoticons() {
    check(&[
        ("Thanks 😊", Other, Positive),
        ("❤️❤️", Other, Positive),
        ("👍", Other, Positive),
        ("Waited 3 hours 😡", Other, Negative),
        ("Seen on time :)", Other, Positive),
        ("Still no appointment :(", Other, Negative),
    ]);
}

#[test]
fn waiting_with_a_long_duration_is_a_complaint() {
    check(&[
        ("Waited 4 hours to be seen", Why, Negative),
        ("We sat in A&E all night", Why, Negative),
        ("Seen within 10 minutes of arriving", Why, Neutral),
        ("Hardly any wait at all", Why, Positive),
    ]);
}

/// Edge cases a lexicon gets wrong, asserting today's behaviour so that a change is noticed. Sarcasm
/// needs more than words: "Great, another 4 hour wait" reads as mixed rather than the complaint it is.
#[test]
fn sarcasm_and_other_known_limits() {
    check(&[
        ("Thanks for nothing", Why, Negative),
        ("Great, another 4 hour wait", Why, Mixed),
        ("Not bad", Why, Positive),
        (
            "Patients are ill and in pain, yet the nurses were calm and kind",
            Why,
            Positive,
        ),
    ]);
}

#[test]
fn empty_and_odd_text_is_neutral() {
    check(&[
        ("", Why, Neutral),
        ("...", Why, Neutral),
        ("123", Why, Neutral),
        ("N/A", Why, Neutral),
        ("病院はとても良かった", Why, Neutral),
    ]);
}
