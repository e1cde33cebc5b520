//! Speed of trained models: training on the v6 set and on 5,000 labelled comments (with and without the
//! 5-fold cross-validation `chorus train` reports), and prediction throughput over N comments (default
//! 1,000,000) of real text, with the model file's size.
//!
//! `cargo run --release -p chorus-themes --example model_speed [N]`

use std::time::Instant;

use chorus_core::QuestionKind;
use chorus_themes::model::{LabelledData, ModelInput, TrainOptions, read_labelled, train};

#[path = "common/cpu.rs"]
mod cpu;

use cpu::cpu_seconds;

#[path = "../tests/common/corpora.rs"]
mod corpora;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let Some(path) = corpora::corpus("fft-v6-dev.csv") else {
        return;
    };
    let spec = corpora::v6_spec();
    let data = match read_labelled(&path, &spec) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let time_train = |data: &LabelledData, folds: usize| {
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let model = train(
            data,
            &TrainOptions {
                folds,
                ..TrainOptions::default()
            },
        );
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "  ({} rows, {folds} folds: {seconds:.2} s wall, {:.2} CPU-seconds)",
            data.examples.len(),
            cpu_seconds() - cpu_before
        );
        match model {
            Ok(model) => (model, seconds),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    };
    let (_, cv) = time_train(&data, 5);
    let (model, plain) = time_train(&data, 0);
    println!(
        "train on v6 ({} comments): {cv:.2} s with 5-fold CV, {plain:.2} s without",
        data.examples.len()
    );

    // 5,000 comments: the v6 comments and then again, each repeat its own respondent.
    let mut examples = data.examples.clone();
    let mut i = 0;
    while examples.len() < 5_000 {
        let mut e = data.examples[i % data.examples.len()].clone();
        e.group = format!("repeat {i}");
        examples.push(e);
        i += 1;
    }
    let five = LabelledData::new("5000", data.label_names.clone(), examples);
    let (_, cv5) = time_train(&five, 5);
    let (_, plain5) = time_train(&five, 0);
    println!("train on 5,000 comments: {cv5:.2} s with 5-fold CV, {plain5:.2} s without");

    let mut bytes = Vec::new();
    if model.write_to(&mut bytes).is_ok() {
        println!("model file: {:.1} MB", bytes.len() as f64 / 1e6);
    }

    let texts: Vec<(&str, QuestionKind)> = data
        .examples
        .iter()
        .map(|e| (e.text.as_str(), e.question_kind))
        .collect();
    let inputs: Vec<ModelInput<'_>> = (0..n)
        .map(|i| {
            let (text, question_kind) = texts[i % texts.len()];
            ModelInput {
                text,
                question_kind,
            }
        })
        .collect();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let predictions = model.predict_batch(&inputs);
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let labelled = predictions.iter().filter(|p| !p.labels.is_empty()).count();
    assert_eq!(predictions.len(), n);
    assert!(labelled > n / 2, "most comments get a theme");
    println!(
        "predict {n} comments: {seconds:.2} s on {} threads ({:.2} s per 1M; {} with a theme); {cpu:.2} CPU-seconds ({:.2} s per 1M on 2 idle cores)",
        rayon::current_num_threads(),
        seconds * 1e6 / n as f64,
        labelled,
        cpu * 1e6 / n as f64 / 2.0
    );
}
