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

use chorus_themes::model::{TrainOptions, cross_validate, read_labelled};
use common::corpora::{corpus, v6_spec};

#[test]
fn v6_themes_and_sentiment_meet_the_bars_on_held_out_folds() {
    let Some(path) = corpus("fft-v6-dev.csv") else {
        return;
    };
    let data = read_labelled(&path, &v6_spec()).expect("the v6 file reads");
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
