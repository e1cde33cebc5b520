//! Touchpoints and codebook themes: what each comment is matched to, and what `codebook check` says about
//! an edited codebook.

use std::path::Path;

use chorus_core::{Comment, FftScore, SentimentLabel, SourceRef};
use chorus_themes::codebook::{self, BUILTIN_THEMES, BUILTIN_TOUCHPOINTS};
use chorus_themes::{Codebook, CommentAnalyser, Severity, ThemeConfig};

fn comment(text: &str, question: &str) -> Comment {
    Comment {
        id: "1".into(),
        respondent: "1".into(),
        question: question.into(),
        text: text.into(),
        no_comment: false,
        date: None,
        score: FftScore::VeryGood,
        service: None,
        organisation: None,
        attributes: Default::default(),
        source: SourceRef::default(),
        annotations: None,
    }
}

/// Asserts the touchpoint ids (in journey order) found in each text.
fn check_touchpoints(cases: &[(&str, &[&str])]) {
    let mut analyser = CommentAnalyser::builtin();
    let mut failures = Vec::new();
    for &(text, expected) in cases {
        let a = analyser.annotate(&comment(text, "FFT Why?")).expect("text");
        let got: Vec<&str> = a.touchpoints.iter().map(|t| &*t.id).collect();
        if got != expected {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Asserts the codebook theme labels found in each text.
fn check_themes(cases: &[(&str, &[&str])]) {
    let mut analyser = CommentAnalyser::builtin();
    let mut failures = Vec::new();
    for &(text, expected) in cases {
        let a = analyser.annotate(&comment(text, "FFT Why?")).expect("text");
        let got: Vec<&str> = a.themes.iter().map(|t| &*t.name).collect();
        if got != expected {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn touchpoints_by_stem_and_phrase() {
    check_touchpoints(&[
        (
            "Could not get an appointment for weeks",
            &["access", "waiting"],
        ),
        ("Phoned three times and nobody called back", &["access"]),
        ("Parking was a nightmare", &["travel"]),
        ("The receptionist was lovely when we arrived", &["arrival"]),
        ("Waited 5 hours in A&E", &["waiting"]),
        (
            "Blood tests and an x ray, then the diagnosis",
            &["assessment"],
        ),
        ("The physio sessions helped my pain", &["treatment"]),
        (
            "Everything was explained clearly and they listened",
            &["information"],
        ),
        (
            "My tablets were late from pharmacy",
            &["waiting", "medication"],
        ),
        ("The ward was spotless and the food was hot", &["stay"]),
        (
            "Sent home without a follow up appointment",
            &["access", "discharge"],
        ),
        ("Kind staff", &[]),
    ]);
}

/// The hard cases of the touchpoints' definitions: timeliness is waiting, an ambulance arriving is waiting
/// or arrival (never travel), a driver's manner and praise of staff or of "the care" are no touchpoint, and
/// onward referral is discharge.
#[test]
fn touchpoints_follow_their_definitions() {
    check_touchpoints(&[
        ("It took over an hour for them to arrive", &["waiting"]),
        (
            "Came quickly and very caring and professional",
            &["waiting"],
        ),
        ("Swift professional approach", &["waiting"]),
        ("The ambulance arrived very quick", &["waiting"]),
        ("Transport arrived on time", &["waiting"]),
        ("Answered within the hour", &["waiting"]),
        ("It took 5 hours", &["waiting"]),
        (
            "When the ambulance arrived both crew were friendly",
            &["arrival"],
        ),
        ("Drivers very pleasant, always ready to help", &[]),
        ("Safe drivers and a comfortable vehicle", &["travel"]),
        ("Staff were lovely", &[]),
        ("Excellent service, nothing to improve", &[]),
        ("The treatment I received was second to none", &[]),
        ("The care was excellent", &[]),
        ("The treatment helped my back", &["treatment"]),
        (
            "The services arranged for me to go to an urgent care centre who arranged for me to be admitted",
            &["discharge"],
        ),
        (
            "The GP referred me to the memory clinic",
            &["access", "discharge"],
        ),
        (
            "My therapy sessions ended too soon",
            &["treatment", "discharge"],
        ),
        ("Slow to answer the phone", &["access", "waiting"]),
    ]);
}

/// A stay measured in hours is a wait, wherever it was spent, and the misspellings FFT comments are full of
/// still count ("wating").
#[test]
fn hours_spent_somewhere_and_misspelt_waits_are_waiting() {
    check_touchpoints(&[
        ("8 hours in a&e is not acceptable", &["waiting"]),
        ("9hrs in A&E is not acceptable", &["waiting"]),
        (
            "5 hours on a plastic chair when you're in that much pain is cruel",
            &["waiting", "stay"],
        ),
        (
            "We were in A&E from teatime until gone 3 in the morning",
            &["waiting"],
        ),
        ("The wating times in A&E are a joke", &["waiting"]),
        ("Tell people the waitng times", &["waiting"]),
    ]);
}

/// `unless` stops a contextual word in its clause only; with `context`, a contextual word also needs one.
#[test]
fn unless_stops_contextual_words_in_their_clause() {
    let text = r##"
[[entry]]
id = "arrival"
label = "Arrival"
terms = ["reception"]
contextual = ["arrived"]
unless = ["quickly", "# minute"]

[[entry]]
id = "waiting"
label = "Waiting"
terms = ["quickly"]
contextual = ["answer"]
context = ["phone"]
unless = ["question"]
"##;
    let config = ThemeConfig {
        touchpoints: Codebook::parse(text, Path::new("t.toml")).expect("parses"),
        ..ThemeConfig::default()
    };
    let mut analyser = CommentAnalyser::new(&config).expect("compiles");
    let cases: [(&str, &[&str]); 7] = [
        ("They arrived with a smile", &["arrival"]),
        ("They arrived quickly", &["waiting"]),
        ("They arrived 20 minutes later", &[]),
        ("Reception checked me in quickly", &["arrival", "waiting"]),
        (
            "They arrived quickly. Reception was kind",
            &["arrival", "waiting"],
        ),
        ("Slow to answer the phone", &["waiting"]),
        ("Hard to answer the question on the phone", &[]),
    ];
    for (text, expected) in cases {
        let a = analyser.annotate(&comment(text, "FFT Why?")).expect("text");
        let got: Vec<&str> = a.touchpoints.iter().map(|t| &*t.id).collect();
        assert_eq!(got, expected, "{text:?}");
    }
    assert!(
        codebook::check(text, Path::new("t.toml"))
            .findings
            .is_empty()
    );
    let useless = "[[entry]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"x\"]\nunless = [\"y\"]\n";
    let findings = codebook::check(useless, Path::new("u.toml")).findings;
    assert!(
        findings
            .iter()
            .any(|f| f.message.contains("`unless` does nothing")),
        "{findings:?}"
    );
}

/// Words that share a stem with a travel word are not travel.
#[test]
fn travel_is_not_training_signing_or_an_extra_mile() {
    check_touchpoints(&[
        ("She goes the extra mile", &[]),
        ("Staff training", &[]),
        ("I was signed off work", &[]),
        ("Came by train", &["travel"]),
        ("Six miles to drive", &["travel"]),
    ]);
}

#[test]
fn negation_does_not_remove_a_touchpoint() {
    check_touchpoints(&[
        ("No parking anywhere", &["travel"]),
        ("Never told what was happening", &["information"]),
        ("Didn't have to wait", &["waiting"]),
    ]);
}

#[test]
fn exclusions_cancel_what_they_cover() {
    check_touchpoints(&[
        // "waiting room" is the place, not the wait.
        ("The waiting room was dirty", &["arrival", "stay"]),
        // The wait is still there outside the exclusion.
        (
            "Waited 2 hours in the waiting room",
            &["arrival", "waiting"],
        ),
        // "can't wait to" is eagerness.
        ("Can't wait to go home", &["discharge"]),
        // "care home" is onward care, not treatment.
        ("Discharged to a care home", &["discharge"]),
    ]);
}

#[test]
fn touchpoints_carry_their_own_sentiment() {
    let mut analyser = CommentAnalyser::builtin();
    let a = analyser
        .annotate(&comment(
            "The nurses were lovely and the physio was brilliant but parking was awful",
            "FFT Why?",
        ))
        .expect("text");
    let feeling = |id: &str| {
        a.touchpoints
            .iter()
            .find(|t| &*t.id == id)
            .map(|t| t.sentiment)
    };
    assert_eq!(
        feeling("treatment"),
        Some(SentimentLabel::Positive),
        "{a:?}"
    );
    assert_eq!(feeling("travel"), Some(SentimentLabel::Negative), "{a:?}");
}

#[test]
fn themes_match_with_context_and_exclusions() {
    check_themes(&[
        ("The staff were lovely", &["Staff attitude"]),
        // "lovely" counts for staff attitude only beside a word for staff.
        ("The weather was lovely", &[]),
        ("Rude receptionist", &["Staff attitude"]),
        (
            "Waited ages for a bed",
            &["Waiting times", "Environment and facilities"],
        ),
        (
            "Food was cold and the toilets were filthy",
            &[
                "Cleanliness",
                "Food and drink",
                "Environment and facilities",
            ],
        ),
        ("No parking spaces", &["Parking and transport"]),
        (
            "Not enough staff on the ward, they were run off their feet",
            &["Staffing levels", "Environment and facilities"],
        ),
        ("Thank you so much", &["Thanks and gratitude"]),
        ("Thanks for nothing", &[]),
        (
            "Always a different doctor, I had to repeat my story",
            &["Continuity of care"],
        ),
        (
            "Pain relief took hours",
            &["Waiting times", "Pain management"],
        ),
    ]);
}

/// `exact` words match only as spelt: a stem shared with a common word would make the theme match it.
#[test]
fn exact_words_match_only_as_spelt() {
    check_themes(&[
        ("Caring and helpful", &["Staff attitude"]),
        ("CARING", &["Staff attitude"]),
        ("The care was good", &[]),
        ("Can someone help me", &[]),
        (
            "An experienced midwife",
            &["Professionalism and competence"],
        ),
        ("My experience was good", &[]),
        ("She went against my wishes", &["Listening and involvement"]),
        ("I wish there was more parking", &["Parking and transport"]),
        // "ages" is a phrase now: "age" alone is not waiting.
        ("He plays with children his own age", &[]),
        ("Waited for ages", &["Waiting times"]),
        ("No continuity of care", &["Continuity of care"]),
        ("The door kept banging continually", &[]),
        ("Medication was late", &["Waiting times", "Medication"]),
        ("The medical staff", &[]),
        ("I feel safe here", &["Dignity and respect"]),
        ("Brought home safely", &[]),
    ]);
}

#[test]
fn codebook_themes_are_certain_and_felt_from_their_clauses() {
    let mut analyser = CommentAnalyser::builtin();
    let a = analyser
        .annotate(&comment(
            "Food was cold. Thank you to the lovely nurses",
            "FFT Why?",
        ))
        .expect("text");
    for theme in &a.themes {
        assert_eq!(theme.confidence, 1.0);
    }
    let food = a
        .themes
        .iter()
        .find(|t| &*t.name == "Food and drink")
        .expect("food");
    assert_eq!(food.sentiment, SentimentLabel::Negative);
    let thanks = a
        .themes
        .iter()
        .find(|t| &*t.name == "Thanks and gratitude")
        .expect("thanks");
    assert_eq!(thanks.sentiment, SentimentLabel::Positive);
}

#[test]
fn a_custom_codebook_replaces_the_default() {
    let text = r#"
name = "our themes"
[[entry]]
id = "hearing-loop"
label = "Hearing loop"
direction = "lower_is_better"
terms = ["loop"]
phrases = ["hearing aid"]
exclude = ["loop the loop"]
"#;
    let themes = Codebook::parse(text, Path::new("ours.toml")).expect("parses");
    let config = ThemeConfig {
        themes,
        ..ThemeConfig::default()
    };
    let mut analyser = CommentAnalyser::new(&config).expect("compiles");
    let a = analyser
        .annotate(&comment("No hearing loop at reception", "FFT Why?"))
        .expect("text");
    let names: Vec<&str> = a.themes.iter().map(|t| &*t.name).collect();
    assert_eq!(names, ["Hearing loop"]);
    let a = analyser
        .annotate(&comment("Loop the loop", "FFT Why?"))
        .expect("text");
    assert!(a.themes.is_empty());
}

/// (severity, line, a word of the message) of each finding.
fn check(text: &str, expected: &[(Severity, usize, &str)]) {
    let report = codebook::check(text, Path::new("edited.toml"));
    let got: Vec<(Severity, usize, String)> = report
        .findings
        .iter()
        .map(|f| (f.severity, f.line, f.message.clone()))
        .collect();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((severity, line, message), (want_severity, want_line, word)) in got.iter().zip(expected) {
        assert_eq!((severity, line), (want_severity, want_line), "{message}");
        assert!(
            message.contains(word),
            "{message:?} should mention {word:?}"
        );
    }
}

#[test]
fn check_reports_bad_toml_with_its_line() {
    check(
        "[[entry]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"wait\"\n",
        &[(Severity::Error, 4, "")],
    );
    check(
        "[[entry]]\nid = \"a\"\nlabel = \"A\"\nterm = [\"wait\"]\n",
        &[(Severity::Error, 4, "term")],
    );
    check(
        "[[entry]]\nid = \"a\"\nlabel = \"A\"\ndirection = \"up\"\nterms = [\"x\"]\n",
        &[(Severity::Error, 4, "up")],
    );
}

#[test]
fn check_reports_duplicates_empty_entries_and_stop_words() {
    let text = r#"[[entry]]
id = "waiting"
label = "Waiting"
terms = ["wait", "the"]

[[entry]]
id = "waiting"
label = "Waiting again"
terms = ["queue"]

[[entry]]
id = "Empty Entry"
label = "Nothing here"
terms = []
exact = ["very kind"]
"#;
    check(
        text,
        &[
            (Severity::Warning, 4, "stop words"),
            (
                Severity::Error,
                7,
                "duplicate id `waiting` (first at line 2)",
            ),
            (Severity::Error, 12, "never match"),
            (Severity::Error, 12, "lower-case"),
            (
                Severity::Warning,
                15,
                "exact word `very kind` is not one word",
            ),
        ],
    );
}

#[test]
fn check_reports_overlaps_multiword_terms_and_self_cancelling_exclusions() {
    let text = r#"[[entry]]
id = "access"
label = "Access"
terms = ["appointment", "car park"]

[[entry]]
id = "waiting"
label = "Waiting"
terms = ["appointments", "queue"]
exclude = ["queues"]
"#;
    check(
        text,
        &[
            (Severity::Warning, 4, "several words"),
            (Severity::Warning, 9, "also in `access`"),
            (Severity::Warning, 10, "cancels"),
        ],
    );
}

#[test]
fn builtin_codebooks_check_clean_and_cover_the_journey() {
    for text in [BUILTIN_TOUCHPOINTS, BUILTIN_THEMES] {
        let report = codebook::check(text, Path::new("builtin.toml"));
        assert_eq!(
            report.findings,
            [],
            "the shipped codebooks have no findings"
        );
    }
    let themes = Codebook::builtin_themes();
    assert!(themes.entries.len() >= 15);
    for entry in &themes.entries {
        assert!(!entry.description.is_empty(), "{}", entry.id);
    }
}

#[test]
fn load_refuses_a_codebook_with_errors() {
    let dir = std::env::temp_dir().join(format!("chorus-themes-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[[entry]]\nid = \"a\"\nlabel = \"A\"\n").expect("write");
    let error = Codebook::load(&path).expect_err("no terms");
    let message = error.to_string();
    assert!(
        message.contains("never match") && message.contains("codebook check"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
