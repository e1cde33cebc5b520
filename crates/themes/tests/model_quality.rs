//! Held-out quality of trained theme and sentiment models on the national v6 framework
//! (`../shared/corpora/fft-v6-dev.csv`): grouped 5-fold cross-validation, as `chorus train` reports it.
//!
//! Bars: themes micro F1 ≥ 0.70 and macro F1 ≥ 0.50 over the labels with at least 5 examples (not
//! "Labelling not possible" or "Not assigned"); sentiment folded to positive / neutral-or-mixed /
//! negative, accuracy ≥ 0.82. Skips with a message when the corpora are absent.

use std::path::PathBuf;
use std::time::Instant;

use chorus_themes::model::{LabelColumns, LabelSpec, TrainOptions, cross_validate, read_labelled};

fn corpus(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CHORUS_SHARED_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    let path = dir.join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: ../shared/corpora not found ({} is absent; set CHORUS_SHARED_CORPORA to the folder of the real corpora)",
            path.display()
        );
        None
    }
}

/// The columns of the v6 file, as `chorus train` is told them.
pub fn v6_spec() -> LabelSpec {
    LabelSpec {
        text_column: "FFT answer".into(),
        labels: LabelColumns::After("Comment sentiment".into()),
        question_column: Some("FFT question".into()),
        sentiment_column: Some("Comment sentiment".into()),
        group_column: Some("Respondent ID".into()),
    }
}

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
