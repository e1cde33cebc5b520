//! Held-out quality of trained theme and sentiment models on the national v6 framework
//! (`../shared/corpora/fft-v6-dev.csv`): grouped 5-fold cross-validation, as `chorus train` reports it.
//!
//! Bars: themes micro F1 ≥ 0.70 and macro F1 ≥ 0.50 over the labels with at least 5 examples (not
//! "Labelling not possible" or "Not assigned"); sentiment folded to positive / neutral-or-mixed /
//! negative, accuracy ≥ 0.82. Skips with a message when the corpora are absent.

use std::time::Instant;

mod common {
    pub mod corpora;
}

use chorus_core::QuestionKind;
use chorus_themes::model::{
    LabelledData, ModelInput, TrainOptions, cross_validate, read_labelled, train,
};
use common::corpora::{corpus, v6_spec};

/// The labelled v6 file, or `None` (with a message) when the corpora are absent.
fn v6_data() -> Option<LabelledData> {
    let path = corpus("fft-v6-dev.csv")?;
    Some(read_labelled(&path, &v6_spec()).expect("the v6 file reads"))
}

#[test]
fn v6_themes_and_sentiment_meet_the_bars_on_held_out_folds() {
    let Some(data) = v6_data() else {
        return;
    };
    eprintln!(
        "{} rows read, {} used, skipped: {:?}",
        data.rows_read,
        data.examples.len(),
        data.skipped
    );
    let started = Instant::now();
    let cv = cross_validate(&data, &TrainOptions::default()).expect("cross-validates");
    let s = &cv.summary;
    let sentiment = s.sentiment_accuracy.unwrap_or(0.0);
    eprintln!(
        "v6 grouped {}-fold CV over {} labels: micro F1 {:.3} (P {:.3} R {:.3}), macro F1 {:.3}; sentiment accuracy {:.3} on {} comments; {:.1} s",
        s.folds,
        s.evaluated_labels,
        s.micro_f1,
        s.micro_precision,
        s.micro_recall,
        s.macro_f1,
        sentiment,
        s.sentiment_rows,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        s.evaluated_labels, 40,
        "labels with ≥ 5 examples, not LNP/NA"
    );
    assert!(s.micro_f1 >= 0.70, "micro F1 {:.3} < 0.70", s.micro_f1);
    assert!(s.macro_f1 >= 0.50, "macro F1 {:.3} < 0.50", s.macro_f1);
    assert!(
        sentiment >= 0.82,
        "sentiment accuracy {sentiment:.3} < 0.82"
    );
}

/// A comment answering a question the model never saw (a trust's own survey question, classified
/// "other") gets about as many themes as the same comment answering the FFT question it was trained on,
/// not every label whose bias the question's weight used to cancel (20 and more before the fix).
#[test]
fn comments_to_unseen_questions_get_as_many_themes_as_fft_answers() {
    let Some(data) = v6_data() else {
        return;
    };
    assert!(
        data.examples
            .iter()
            .all(|e| e.question_kind != QuestionKind::Other),
        "the v6 questions are all FFT questions"
    );
    let options = TrainOptions {
        folds: 0,
        ..TrainOptions::default()
    };
    let model = train(&data, &options).expect("trains");
    let mean_labels = |kind: Option<QuestionKind>| {
        let inputs: Vec<ModelInput<'_>> = data
            .examples
            .iter()
            .map(|e| ModelInput {
                text: &e.text,
                question_kind: kind.unwrap_or(e.question_kind),
            })
            .collect();
        let predictions = model.predict_batch(&inputs);
        predictions.iter().map(|p| p.labels.len()).sum::<usize>() as f64 / inputs.len() as f64
    };
    let (own, other) = (mean_labels(None), mean_labels(Some(QuestionKind::Other)));
    eprintln!("mean themes per comment: {own:.2} as answered, {other:.2} as an unseen question");
    assert!(
        other <= own * 1.5 && other >= own * 0.5,
        "{other:.2} themes a comment as an unseen question, {own:.2} as answered"
    );
}
