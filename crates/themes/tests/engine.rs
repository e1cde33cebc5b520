//! The engine end to end: discordance, comments without text, determinism, the catalog and the summary.

#[path = "common/corpora.rs"]
mod corpora;

use chorus_core::{Comment, Direction, FftScore, SentimentLabel, SourceRef, ThemeSource};
use chorus_themes::discover::{ClusterCount, DiscoverOptions};
use chorus_themes::{CommentAnalyser, ThemeConfig, analyse};

fn comment(id: usize, text: &str, question: &str, score: FftScore) -> Comment {
    Comment {
        id: id.to_string(),
        respondent: id.to_string(),
        question: question.into(),
        text: text.into(),
        no_comment: text.is_empty(),
        date: None,
        score,
        service: None,
        organisation: None,
        attributes: Default::default(),
        source: SourceRef::default(),
        annotations: None,
    }
}

const WHY: &str = "Please tell us why you gave your answer";
const IMPROVE: &str = "What could we do better?";
const GOOD: &str = "What was good?";

#[test]
fn discordance_is_flagged_conservatively() {
    use FftScore::*;
    let cases = [
        // Scored very good, text only complains: the scale was probably read backwards.
        (
            "Rude staff, dirty ward and I waited 6 hours. Disgusting.",
            WHY,
            VeryGood,
            true,
        ),
        ("Appalling care, nobody listened", WHY, Good, true),
        // Scored very poor, text only praises.
        (
            "Excellent service, the staff were wonderful and kind",
            WHY,
            VeryPoor,
            true,
        ),
        ("Brilliant, thank you so much", WHY, Poor, true),
        // A suggestion answering "what could we do better?" from a very good scorer is not discordant.
        ("More parking spaces would help", IMPROVE, VeryGood, false),
        ("The wait was a bit long", IMPROVE, VeryGood, false),
        // Praise answering "what was good?" from a poor scorer is what was asked for.
        ("The nurses were lovely", GOOD, VeryPoor, false),
        // Mixed text is not a contradiction.
        ("Lovely staff but the wait was awful", WHY, VeryGood, false),
        ("Lovely staff but the wait was awful", WHY, VeryPoor, false),
        // Faint or question-only evidence is not enough.
        ("Nothing", IMPROVE, VeryPoor, false),
        ("It was ok", WHY, VeryPoor, false),
        ("Not great", WHY, VeryGood, false),
        // Agreement, neutral scores and missing scores never are.
        ("Rude staff and a dirty ward", WHY, VeryPoor, false),
        ("Rude staff and a dirty ward", WHY, Neither, false),
        ("Rude staff and a dirty ward", WHY, DontKnow, false),
        ("Rude staff and a dirty ward", WHY, NotGiven, false),
    ];
    let mut analyser = CommentAnalyser::builtin();
    let mut failures = Vec::new();
    for (text, question, score, expected) in cases {
        let a = analyser
            .annotate(&comment(1, text, question, score))
            .expect("text");
        if a.discordant != expected {
            failures.push(format!(
                "{text:?} ({question}, {score:?}): expected discordant={expected}\n{}",
                analyser.explain(text, chorus_core::QuestionKind::classify(question))
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sample() -> Vec<Comment> {
    let texts = [
        ("Staff were lovely and kind", WHY, FftScore::VeryGood),
        ("", WHY, FftScore::Good),
        (
            "Waited 5 hours in A&E, nobody told us anything",
            WHY,
            FftScore::VeryPoor,
        ),
        ("Nothing", IMPROVE, FftScore::VeryGood),
        ("Better parking please", IMPROVE, FftScore::Good),
        (
            "Rude receptionist and a dirty waiting room",
            WHY,
            FftScore::VeryGood,
        ),
        ("The physio sessions", GOOD, FftScore::Good),
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, (t, q, s))| comment(i, t, q, *s))
        .collect()
}

#[test]
fn comments_without_text_get_no_annotations() {
    let run = analyse(&sample(), &ThemeConfig::default()).expect("runs");
    assert_eq!(run.annotations().len(), 7);
    assert!(run.annotations()[1].is_none());
    assert!(
        run.annotations()
            .iter()
            .enumerate()
            .all(|(i, a)| a.is_some() == (i != 1))
    );
    assert_eq!(run.summary.comments, 7);
    assert_eq!(run.summary.no_comment, 1);
    assert_eq!(run.summary.analysed, 6);
}

#[test]
fn the_summary_counts_what_the_annotations_say() {
    let run = analyse(&sample(), &ThemeConfig::default()).expect("runs");
    let s = &run.summary;
    let labels: Vec<SentimentLabel> = run
        .annotations()
        .iter()
        .flatten()
        .map(|a| a.sentiment.label)
        .collect();
    let count = |l| labels.iter().filter(|&&x| x == l).count() as u64;
    assert_eq!(s.sentiment.positive, count(SentimentLabel::Positive));
    assert_eq!(s.sentiment.negative, count(SentimentLabel::Negative));
    assert_eq!(
        s.sentiment.positive + s.sentiment.neutral + s.sentiment.mixed + s.sentiment.negative,
        s.analysed
    );
    assert_eq!(s.discordant, 1, "the rude receptionist scored very good");
    assert!(run.annotations()[5].as_ref().expect("text").discordant);
    let waiting = s
        .touchpoints
        .iter()
        .find(|t| t.id == "waiting")
        .expect("row");
    assert_eq!(waiting.comments, 1);
    assert_eq!(waiting.sentiment.negative, 1);
    let themed = run
        .annotations()
        .iter()
        .flatten()
        .filter(|a| !a.touchpoints.is_empty() || !a.themes.is_empty())
        .count() as u64;
    assert_eq!(s.themed, themed);
    let ids: Vec<&str> = s.touchpoints.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids[0], "access");
    assert_eq!(ids[9], "discharge");
}

#[test]
fn the_catalog_lists_codebook_entries_with_directions() {
    let run = analyse(&sample(), &ThemeConfig::default()).expect("runs");
    let c = &run.catalog;
    assert_eq!(c.touchpoints.len(), 10);
    assert!(c.themes.iter().all(|t| t.source == ThemeSource::Codebook));
    let direction = |id: &str| c.themes.iter().find(|t| t.id == id).map(|t| t.direction);
    assert_eq!(direction("gratitude"), Some(Direction::HigherIsBetter));
    assert_eq!(direction("waiting-times"), Some(Direction::LowerIsBetter));
    assert!(c.discovered.is_empty());
    assert!(
        c.run.contains("touchpoints: <built-in touchpoints>"),
        "{}",
        c.run
    );
}

#[test]
fn discovery_options_are_recorded_and_no_comment_rows_are_left_out() {
    let config = ThemeConfig {
        discover: Some(DiscoverOptions {
            count: ClusterCount::Fixed(3),
            seed: 7,
        }),
        set_aside_explained: true,
        ..ThemeConfig::default()
    };
    let run = analyse(&sample(), &config).expect("runs");
    assert!(
        run.catalog
            .run
            .contains("discovery: 3 themes, seed 7, explained comments set aside")
    );
    // Whatever discovery finds, a comment without text is never placed.
    assert!(run.annotations()[1].is_none());
    for a in run.annotations().iter().flatten() {
        assert_eq!(
            a.discovered_theme.is_some(),
            a.themes.iter().any(|t| t.source == ThemeSource::Discovered)
        );
    }
}

#[test]
fn the_same_comments_give_the_same_output() {
    let comments: Vec<Comment> = match corpora::v6() {
        Some(rows) => rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let score = FftScore::from_code(r.fft.unwrap_or(7));
                comment(i, &r.text, WHY, score)
            })
            .collect(),
        None => sample(),
    };
    let config = ThemeConfig::default();
    let a = analyse(&comments, &config).expect("runs");
    let b = analyse(&comments, &config).expect("runs");
    assert_eq!(a.annotations(), b.annotations());
    assert_eq!(a.catalog, b.catalog);
    let mut sequential = CommentAnalyser::builtin();
    for (c, parallel) in comments.iter().zip(&a.annotations()) {
        assert_eq!(&sequential.annotate(c), parallel, "{:?}", c.text);
    }
}

/// A model trained on v6 labels reports its themes under the v7 sub-categories, with their categories in
/// the catalog; two v6 labels under one sub-category give a comment one theme. An empty crosswalk keeps
/// the model's own names.
#[test]
fn model_themes_are_reported_under_the_v7_framework() {
    use chorus_themes::Crosswalk;
    use chorus_themes::model::{Example, LabelledData, TrainOptions, train};
    let texts = [
        ("Not enough staff on shift", 0),
        ("They were short staffed all night", 0),
        ("Nobody came when I pressed the buzzer", 1),
        ("Staff slow to respond to the buzzer", 1),
        ("Waited hours to be seen", 2),
        ("The wait was far too long", 2),
    ];
    let examples = texts
        .iter()
        .cycle()
        .take(36)
        .enumerate()
        .map(|(i, &(text, label))| Example {
            text: text.to_owned(),
            question_kind: chorus_core::QuestionKind::Why,
            labels: vec![label],
            sentiment: None,
            group: i.to_string(),
            line: 0,
        })
        .collect();
    let labels = [
        "Number & deployment of staff",
        "Staff responsiveness",
        "Timeliness of care",
    ];
    let data = LabelledData::new("v6", labels.map(String::from).to_vec(), examples);
    let options = TrainOptions {
        folds: 0,
        ..TrainOptions::default()
    };
    let model = train(&data, &options).expect("trains");
    let comments = vec![
        comment(
            0,
            "Short staffed and slow to respond to the buzzer",
            WHY,
            FftScore::Poor,
        ),
        comment(1, "The wait was far too long", WHY, FftScore::Poor),
    ];
    let config = ThemeConfig {
        model: Some(model),
        ..ThemeConfig::default()
    };
    let run = analyse(&comments, &config).expect("runs");
    let model_themes = |i: usize| -> Vec<String> {
        run.annotations()[i]
            .iter()
            .flat_map(|a| &a.themes)
            .filter(|t| t.source == ThemeSource::Model)
            .map(|t| t.name.to_string())
            .collect()
    };
    assert_eq!(model_themes(0), ["Staffing levels & responsiveness"]);
    assert_eq!(model_themes(1), ["Timeliness of care"]);
    let catalog: Vec<(&str, Option<&str>)> = run
        .catalog
        .themes
        .iter()
        .filter(|t| t.source == ThemeSource::Model)
        .map(|t| (t.label.as_str(), t.category.as_deref()))
        .collect();
    assert_eq!(
        catalog,
        [
            ("Staffing levels & responsiveness", Some("Staff")),
            (
                "Timeliness of care",
                Some("Access to medical care & support")
            ),
        ]
    );
    let config = ThemeConfig {
        crosswalk: Crosswalk::default(),
        ..config
    };
    let run = analyse(&comments, &config).expect("runs");
    let names: Vec<&str> = run
        .catalog
        .themes
        .iter()
        .filter(|t| t.source == ThemeSource::Model)
        .map(|t| t.label.as_str())
        .collect();
    assert_eq!(names, labels);
}
