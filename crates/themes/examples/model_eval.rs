//! Cross-validated quality and time of trained models on the v6 set (the figures `chorus train` reports
//! and `tests/model_quality.rs` asserts), for trying training options.
//!
//! `cargo run --release -p chorus-themes --example model_eval [FILE]`; set `CHORUS_LABELS=1` for the
//! per-label table, and `CHORUS_C`, `CHORUS_MIN_DF` or `CHORUS_EPOCHS` to try other settings.

use std::path::PathBuf;
use std::time::Instant;

use chorus_themes::model::{TrainOptions, cross_validate, read_labelled};

#[path = "../tests/common/corpora.rs"]
mod corpora;

fn main() {
    let path = match std::env::args().nth(1) {
        Some(path) => PathBuf::from(path),
        None => match corpora::corpus("fft-v6-dev.csv") {
            Some(path) => path,
            None => return,
        },
    };
    let spec = corpora::v6_spec();
    let data = match read_labelled(&path, &spec) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let mut options = TrainOptions::default();
    if let Some(c) = std::env::var("CHORUS_C").ok().and_then(|c| c.parse().ok()) {
        options.c = c;
    }
    if let Some(c) = std::env::var("CHORUS_MIN_DF")
        .ok()
        .and_then(|c| c.parse().ok())
    {
        options.min_df = c;
    }
    if let Some(e) = std::env::var("CHORUS_EPOCHS")
        .ok()
        .and_then(|c| c.parse().ok())
    {
        options.max_epochs = e;
    }
    let cv = match cross_validate(&data, &options) {
        Ok(cv) => cv,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let s = &cv.summary;
    if std::env::var_os("CHORUS_LABELS").is_some() {
        for ((name, score), n) in cv.names.iter().zip(&cv.labels).zip(&cv.positives) {
            println!(
                "{n:5} {:.3} P {:.3} R {:.3} {name}",
                score.f1, score.precision, score.recall
            );
        }
    }
    println!(
        "{} comments; micro F1 {:.3} (P {:.3} R {:.3}), macro F1 {:.3} over {} labels; sentiment {:.3}; {:.1} s",
        data.examples.len(),
        s.micro_f1,
        s.micro_precision,
        s.micro_recall,
        s.macro_f1,
        s.evaluated_labels,
        s.sentiment_accuracy.unwrap_or(0.0),
        started.elapsed().as_secs_f64()
    );
}
