//! Touchpoints against the hand-labelled development set (`corpora/touchpoints-dev.csv`, texts read from
//! `../shared/corpora`): precision, recall and F1 per touchpoint, micro and macro F1, and the share of
//! comments with no touchpoint left with none — the figures `tests/touchpoint_quality.rs` asserts.
//!
//! `cargo run --release -p chorus-themes --example touchpoints_eval [FILE.toml] [errors]` scores the
//! built-in touchpoints codebook (or FILE.toml); `errors` also prints each comment tagged wrongly, with
//! what was missed (`-`) and added (`+`), for reading against the definitions.

use std::collections::BTreeSet;
use std::path::Path;

use chorus_themes::{Codebook, ThemeConfig, analyse};

#[path = "../tests/common/touchpoints.rs"]
mod touchpoints;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let set = match args.iter().find_map(|a| a.strip_prefix("set=")) {
        Some(path) => touchpoints::labelled_set(Path::new(path)),
        None => touchpoints::dev_set(),
    };
    let Some(set) = set else {
        return;
    };
    let errors = args.iter().any(|a| a == "errors");
    let mut config = ThemeConfig::default();
    if let Some(path) = args.iter().find(|a| a.ends_with(".toml")) {
        config.touchpoints = Codebook::load(Path::new(path)).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
    }
    let comments: Vec<_> = set.iter().map(touchpoints::comment).collect();
    if args.iter().any(|a| a == "model") {
        model_experiment(&set, &comments, &config);
        return;
    }
    if args.iter().any(|a| a == "proxy") {
        proxy(&set, &config);
        return;
    }
    if args.iter().any(|a| a == "matrix") {
        matrix(&set, &comments, &config);
        return;
    }
    if args.iter().any(|a| a == "terms") {
        terms(&set, &comments, &config);
        return;
    }
    let predicted = predict(&comments, &config);
    if errors {
        for (c, p) in set.iter().zip(&predicted) {
            if c.gold != *p {
                let missed: Vec<_> = c.gold.difference(p).collect();
                let added: Vec<_> = p.difference(&c.gold).collect();
                println!(
                    "--- {} {} -{missed:?} +{added:?}\n{}",
                    c.corpus,
                    c.id,
                    c.text.trim()
                );
            }
        }
    }
    println!("{}", touchpoints::score(&set, &predicted));
}

fn predict(comments: &[chorus_core::Comment], config: &ThemeConfig) -> Vec<BTreeSet<String>> {
    let run = analyse(comments, config).expect("the configuration compiles");
    run.annotations
        .iter()
        .map(|a| {
            a.iter()
                .flat_map(|a| a.touchpoints.iter().map(|t| t.id.to_string()))
                .collect()
        })
        .collect()
}

/// Each word and phrase of each entry on its own: the comments it tags rightly and wrongly.
fn terms(set: &[touchpoints::DevComment], comments: &[chorus_core::Comment], config: &ThemeConfig) {
    for entry in &config.touchpoints.entries {
        let items: Vec<(&str, String)> = entry
            .terms
            .iter()
            .map(|t| ("term", t.clone()))
            .chain(entry.exact.iter().map(|t| ("exact", t.clone())))
            .chain(entry.phrases.iter().map(|t| ("phrase", t.clone())))
            .chain(entry.contextual.iter().map(|t| ("contextual", t.clone())))
            .collect();
        for (kind, item) in items {
            let mut one = entry.clone();
            one.terms.clear();
            one.exact.clear();
            one.phrases.clear();
            one.contextual.clear();
            match kind {
                "term" => one.terms.push(item.clone()),
                "exact" => one.exact.push(item.clone()),
                "phrase" => one.phrases.push(item.clone()),
                _ => one.contextual.push(item.clone()),
            }
            let mut c = config.clone();
            c.touchpoints.entries = vec![one];
            let predicted = predict(comments, &c);
            let (mut tp, mut fp) = (0, 0);
            for (d, p) in set.iter().zip(&predicted) {
                if p.contains(&entry.id) {
                    if d.gold.contains(&entry.id) {
                        tp += 1
                    } else {
                        fp += 1
                    }
                }
            }
            if tp + fp > 0 {
                println!("{}\t{kind}\t{item}\ttp {tp}\tfp {fp}", entry.id);
            }
        }
    }
}

/// The v6 labels that stand for each touchpoint, roughly: a second opinion on what changes to the codebook
/// do beyond the development set (the v6 framework is not the touchpoints' definitions, so only the
/// direction of a change means something).
const V6_PROXY: &[(&str, &[&str])] = &[
    (
        "access",
        &[
            "Contacting services",
            "Appointment arrangements",
            "Appointment method",
        ],
    ),
    (
        "travel",
        &["Transport to/ from services", "Service location", "Parking"],
    ),
    ("arrival", &["Admission"]),
    ("waiting", &["Timeliness of care"]),
    ("assessment", &["Diagnosis & triage"]),
    (
        "treatment",
        &["Impact of treatment/ care", "Pain management"],
    ),
    (
        "information",
        &[
            "Information directly from staff during care",
            "Information provision & guidance",
            "Being kept informed, clarity & consistency of information",
        ],
    ),
    ("medication", &["Supplying & understanding medication"]),
    (
        "stay",
        &[
            "Environment & Facilities",
            "Cleanliness, tidiness & infection control",
            "Sensory experience",
            "Food & drink provision & facilities",
            "Activities & access to fresh air",
            "Electronic entertainment",
            "Provision of medical equipment",
        ],
    ),
    ("discharge", &["Discharge", "Referals & continuity of care"]),
];

/// Touchpoints against the v6 labels of the comments outside the development set.
fn proxy(set: &[touchpoints::DevComment], config: &ThemeConfig) {
    let Some(data) = touchpoints::v6_training_without(set) else {
        return;
    };
    let proxies: Vec<touchpoints::DevComment> = data
        .examples
        .iter()
        .map(|e| touchpoints::DevComment {
            corpus: "fft-v6-dev".into(),
            id: e.line.to_string(),
            group: 0,
            respondent: None,
            question: String::new(),
            text: e.text.clone(),
            gold: V6_PROXY
                .iter()
                .filter(|(_, labels)| {
                    e.labels
                        .iter()
                        .any(|&l| labels.contains(&data.label_names[l as usize].as_str()))
                })
                .map(|(t, _)| (*t).to_owned())
                .collect(),
        })
        .collect();
    let comments: Vec<_> = proxies.iter().map(touchpoints::comment).collect();
    let predicted = predict(&comments, config);
    println!(
        "v6 labels as a proxy:\n{}",
        touchpoints::score(&proxies, &predicted)
    );
}

fn model_experiment(
    set: &[touchpoints::DevComment],
    comments: &[chorus_core::Comment],
    config: &ThemeConfig,
) {
    use chorus_themes::model::{ModelInput, ThemeModel, TrainOptions, train};
    let cache = Path::new("/tmp/touch/v6-nodev.model");
    let model = match ThemeModel::load(cache) {
        Ok(m) => m,
        Err(_) => {
            let data = touchpoints::v6_training_without(set).expect("corpora");
            let started = std::time::Instant::now();
            let m = train(
                &data,
                &TrainOptions {
                    folds: 0,
                    ..TrainOptions::default()
                },
            )
            .expect("trains");
            eprintln!("trained in {:.1} s", started.elapsed().as_secs_f64());
            m.save(cache).expect("saves");
            m
        }
    };
    let inputs: Vec<ModelInput<'_>> = comments
        .iter()
        .map(|c| ModelInput {
            text: &c.text,
            question_kind: c.question_kind(),
        })
        .collect();
    let predictions = model.predict_batch(&inputs);
    let codebook = predict(comments, config);
    for threshold in [0.0f32, 0.3, 0.5, 0.7, 0.9, 2.0] {
        let mut union = Vec::new();
        let mut only = Vec::new();
        for (p, cb) in predictions.iter().zip(&codebook) {
            let mut m = BTreeSet::new();
            for &(label, conf) in &p.labels {
                if conf < threshold {
                    continue;
                }
                let name = &model.labels()[label];
                for (t, labels) in V6_PROXY {
                    if labels.contains(&name.as_str()) {
                        m.insert((*t).to_owned());
                    }
                }
            }
            only.push(m.clone());
            m.extend(cb.iter().cloned());
            union.push(m);
        }
        let v6: Vec<usize> = (0..set.len())
            .filter(|&i| set[i].corpus == "fft-v6-dev")
            .collect();
        let sub = |v: &[BTreeSet<String>]| -> Vec<BTreeSet<String>> {
            v6.iter().map(|&i| v[i].clone()).collect()
        };
        let subset: Vec<touchpoints::DevComment> = v6
            .iter()
            .map(|&i| touchpoints::DevComment {
                corpus: set[i].corpus.clone(),
                id: set[i].id.clone(),
                group: 0,
                respondent: None,
                question: String::new(),
                text: String::new(),
                gold: set[i].gold.clone(),
            })
            .collect();
        println!(
            "threshold {threshold}: union all {}",
            touchpoints::score(set, &union)
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
        );
        println!(
            "   union v6 {}",
            touchpoints::score(&subset, &sub(&union))
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
        );
        println!(
            "   model only v6 {}",
            touchpoints::score(&subset, &sub(&only))
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
        );
        println!(
            "   codebook v6 {}",
            touchpoints::score(&subset, &sub(&codebook))
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
        );
        if threshold == 0.5 {
            println!("{}", touchpoints::score(set, &union));
        }
    }
}

/// Which items fire in which comment, as TSV: comment index, group, gold, entry, item.
fn matrix(
    set: &[touchpoints::DevComment],
    comments: &[chorus_core::Comment],
    config: &ThemeConfig,
) {
    for (i, c) in set.iter().enumerate() {
        let gold: Vec<&str> = c.gold.iter().map(String::as_str).collect();
        println!("G\t{i}\t{}\t{}", c.group, gold.join(";"));
    }
    for entry in &config.touchpoints.entries {
        let items: Vec<(&str, String)> = entry
            .terms
            .iter()
            .map(|t| ("term", t.clone()))
            .chain(entry.exact.iter().map(|t| ("exact", t.clone())))
            .chain(entry.phrases.iter().map(|t| ("phrase", t.clone())))
            .chain(entry.contextual.iter().map(|t| ("contextual", t.clone())))
            .collect();
        for (kind, item) in items {
            let mut one = entry.clone();
            one.terms.clear();
            one.exact.clear();
            one.phrases.clear();
            one.contextual.clear();
            match kind {
                "term" => one.terms.push(item.clone()),
                "exact" => one.exact.push(item.clone()),
                "phrase" => one.phrases.push(item.clone()),
                _ => one.contextual.push(item.clone()),
            }
            let mut c = config.clone();
            c.touchpoints.entries = vec![one];
            let predicted = predict(comments, &c);
            for (i, p) in predicted.iter().enumerate() {
                if p.contains(&entry.id) {
                    println!("{i}\t{}\t{}\t{item}", set[i].group, entry.id);
                }
            }
        }
    }
}
