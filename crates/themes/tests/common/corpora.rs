//! Loading the labelled public corpora in `../shared/corpora` for evaluation (shared by the tests and
//! the `sentiment_eval`, `discordance_eval` and `model_*` examples). Each loader returns `None`, with a message, when its file is
//! absent.

#![allow(dead_code)]

use std::path::PathBuf;

use chorus_core::QuestionKind;
use chorus_themes::evaluation::Polarity;
use chorus_themes::model::{LabelColumns, LabelSpec};

/// One labelled comment.
pub struct Labelled {
    pub text: String,
    pub kind: QuestionKind,
    pub gold: Polarity,
    /// The FFT score code, where the set has one.
    pub fft: Option<i64>,
}

/// A corpus file, or `None` with a message on stderr when absent.
pub fn corpus(name: &str) -> Option<PathBuf> {
    chorus_testdata::file(name)
}

/// Whether a v6 "FFT answer" is a placeholder rather than a comment.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').trim().to_lowercase();
    matches!(
        t.as_str(),
        "" | "did not answer" | "n/a" | "na" | "n.a" | "-" | "--" | "nil"
    )
}

fn rows(path: &PathBuf) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("the corpus opens");
    let headers = reader.headers().expect("a header row").clone();
    let rows = reader.records().filter_map(Result::ok).collect();
    (headers, rows)
}

fn column(headers: &csv::StringRecord, name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} in the corpus"))
}

/// fft-v6-dev.csv: the held-out check. Rows with a sentiment label and a real comment.
pub fn v6() -> Option<Vec<Labelled>> {
    let path = corpus("fft-v6-dev.csv")?;
    let (headers, rows) = rows(&path);
    let (text, question, label, score) = (
        column(&headers, "FFT answer"),
        column(&headers, "FFT question"),
        column(&headers, "Comment sentiment"),
        column(&headers, "FFT categorical answer"),
    );
    Some(
        rows.iter()
            .filter_map(|r| {
                let gold = Polarity::from_v6(r.get(label)?.trim().parse().ok()?)?;
                let t = r.get(text)?;
                if is_placeholder(t) {
                    return None;
                }
                Some(Labelled {
                    text: t.to_owned(),
                    kind: QuestionKind::classify(r.get(question)?),
                    gold,
                    fft: r.get(score).and_then(|s| s.trim().parse().ok()),
                })
            })
            .collect(),
    )
}

/// The question kind of each anonymised phase 1 question, read off its answers ("Nothing." is rated +3 in
/// Trust A Q1 and Trust C Q2, so those ask what could be better; Trust A Q2's answers list what was good;
/// Trust B Q1 and Trust C Q1 ("Because…") ask why).
fn phase1_kind(question: &str) -> QuestionKind {
    match question {
        "Trust A - Q1" | "Trust C - Q2" => QuestionKind::Improve,
        "Trust A - Q2" => QuestionKind::WhatWasGood,
        "Trust B - Q1" | "Trust C - Q1" => QuestionKind::Why,
        _ => QuestionKind::Other,
    }
}

/// phase1-text-data.csv: the development set.
pub fn phase1() -> Option<Vec<Labelled>> {
    let path = corpus("phase1-text-data.csv")?;
    let (headers, rows) = rows(&path);
    let (text, question, crit) = (
        column(&headers, "feedback"),
        column(&headers, "question"),
        column(&headers, "criticality"),
    );
    Some(
        rows.iter()
            .filter_map(|r| {
                let gold = Polarity::from_criticality(r.get(crit)?.trim().parse().ok()?)?;
                let t = r.get(text)?;
                if is_placeholder(t) {
                    return None;
                }
                Some(Labelled {
                    text: t.to_owned(),
                    kind: phase1_kind(r.get(question)?),
                    gold,
                    fft: None,
                })
            })
            .collect(),
    )
}

/// care-opinion-stories.csv: long stories, the second development set.
pub fn care_opinion() -> Option<Vec<Labelled>> {
    let path = corpus("care-opinion-stories.csv")?;
    let (headers, rows) = rows(&path);
    let (text, crit) = (
        column(&headers, "feedback"),
        column(&headers, "criticality"),
    );
    Some(
        rows.iter()
            .filter_map(|r| {
                let gold = Polarity::from_criticality(r.get(crit)?.trim().parse().ok()?)?;
                let t = r.get(text)?;
                if is_placeholder(t) {
                    return None;
                }
                Some(Labelled {
                    text: t.to_owned(),
                    kind: QuestionKind::Other,
                    gold,
                    fft: None,
                })
            })
            .collect(),
    )
}

/// The columns of fft-v6-dev.csv, as `chorus train` is told them (grouped by respondent for folds).
pub fn v6_spec() -> LabelSpec {
    LabelSpec {
        text_column: "FFT answer".into(),
        labels: LabelColumns::After("Comment sentiment".into()),
        question_column: Some("FFT question".into()),
        sentiment_column: Some("Comment sentiment".into()),
        group_column: Some("Respondent ID".into()),
    }
}
