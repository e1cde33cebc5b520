//! Touchpoints against the hand-labelled development set (`corpora/touchpoints-dev.csv`, texts read from
//! `../shared/corpora`): precision, recall and F1 per touchpoint, micro and macro F1, and the share of
//! comments with no touchpoint left with none — the figures `tests/touchpoint_quality.rs` asserts.
//!
//! `cargo run --release -p chorus-themes --example touchpoints_eval [FILE.toml] [set=LABELS.csv]
//! [errors|terms|proxy]` scores the built-in touchpoints codebook (or FILE.toml) on the development set
//! (or another file of labels in its format, such as `corpora/touchpoints-check.csv`). `errors` also
//! prints each comment tagged wrongly, with what was missed (`-`) and added (`+`), for reading against the
//! definitions; `terms` scores each word and phrase of the codebook on its own; `proxy` scores the
//! codebook against the v6 labels of the fft-v6-dev comments outside the set (a rough second opinion: the
//! v6 framework is not the touchpoints' definitions, so only the direction of a change means something).

use std::collections::BTreeSet;
use std::path::Path;

use chorus_themes::{Codebook, ThemeConfig, analyse};

#[path = "../tests/common/touchpoints.rs"]
mod touchpoints;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |word: &str| args.iter().any(|a| a == word);
    let set = match args.iter().find_map(|a| a.strip_prefix("set=")) {
        Some(path) => touchpoints::labelled_set(Path::new(path)),
        None => touchpoints::dev_set(),
    };
    let Some(mut set) = set else {
        return;
    };
    let mut config = ThemeConfig::default();
    if let Some(path) = args.iter().find(|a| a.ends_with(".toml")) {
        config.touchpoints = Codebook::load(Path::new(path)).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
    }
    if has("proxy") {
        let Some(proxies) = proxy_set(&set) else {
            return;
        };
        println!("v6 labels as a proxy for the touchpoints:");
        set = proxies;
    }
    let comments: Vec<_> = set.iter().map(touchpoints::comment).collect();
    if has("terms") {
        terms(&set, &comments, &config);
        return;
    }
    let predicted = predict(&comments, &config);
    if has("errors") {
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
    run.annotations()
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

/// The fft-v6-dev comments outside the development set, labelled with the touchpoints their v6 labels
/// stand for.
fn proxy_set(set: &[touchpoints::DevComment]) -> Option<Vec<touchpoints::DevComment>> {
    let data = touchpoints::v6_training_without(set)?;
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
    Some(proxies)
}
