//! End-to-end tests of `chorus train`: train on a small labelled file, apply the model with `chorus themes
//! --model` to a store of the sample export and find its themes in `chorus export`; and the errors a user
//! meets first (a missing column, a bad label cell, a file that is not a model).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{chorus, chorus_ok, sample_corpus, temp_dir, write_file};

/// A small labelled file: staff, waiting and parking comments with sentiment, two answers per
/// respondent, and placeholder rows that must be skipped.
fn labelled_csv(dir: &Path) -> PathBuf {
    let staff = [
        "The staff were lovely and kind",
        "Nurses so caring and kind to my mum",
        "Friendly helpful staff throughout",
        "The doctor was kind and listened",
        "Lovely nurses, nothing was too much trouble",
    ];
    let waiting = [
        "We waited four hours to be seen",
        "The wait in A&E was far too long",
        "Long waiting times, nobody told us why",
        "Waited hours for a bed",
        "Too long a wait for the appointment",
    ];
    let parking = [
        "Parking was impossible",
        "No parking spaces, had to drive round for ages",
        "The car park is too expensive",
        "Could not find anywhere to park",
    ];
    let mut csv = String::from(
        "Respondent ID,Question,Comment,Sentiment,Staff attitude,Waiting,Parking,Labelling not possible\n",
    );
    let mut respondent = 0;
    for round in 0..4 {
        for (i, text) in staff.iter().enumerate() {
            respondent += 1;
            let q = if (i + round) % 2 == 0 {
                "Please tell us why"
            } else {
                "What was good?"
            };
            csv.push_str(&format!("r{respondent},{q},\"{text}\",1,1,0,0,0\n"));
        }
        for text in waiting {
            respondent += 1;
            csv.push_str(&format!(
                "r{respondent},What could we do better?,\"{text}\",5,0,1,,0\n"
            ));
        }
        for text in parking {
            respondent += 1;
            csv.push_str(&format!(
                "r{respondent},What could we do better?,\"{text}\",4,,,1,\n"
            ));
        }
        csv.push_str(&format!(
            "r{respondent},Please tell us why,It was fine,3,0,0,0,1\n"
        ));
        csv.push_str(&format!(
            "r{respondent},Please tell us why,Did not answer,,0,0,0,1\n"
        ));
    }
    write_file(dir, "labelled.csv", csv)
}

fn s(path: &Path) -> String {
    path.to_str().expect("UTF-8 path").to_owned()
}

fn train_args(file: &Path, model: &Path) -> Vec<String> {
    [
        "train",
        &s(file),
        "--text-column",
        "Comment",
        "--label-columns-after",
        "Sentiment",
        "--question-column",
        "Question",
        "--sentiment-column",
        "Sentiment",
        "--folds",
        "3",
        "-o",
        &s(model),
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect()
}

#[test]
fn a_trained_model_themes_the_sample_export() {
    let dir = temp_dir();
    let file = labelled_csv(dir.path());
    let model = dir.path().join("small.model");

    let mut args = train_args(&file, &model);
    args.push("--json".to_owned());
    let summary: Value = serde_json::from_str(&chorus_ok(&args)).expect("train --json prints JSON");
    let header = &summary["model"];
    assert_eq!(header["format"], "chorus-model");
    assert_eq!(header["training"]["rows_read"], 64);
    assert_eq!(
        header["training"]["rows_used"], 60,
        "the 4 placeholders are skipped"
    );
    let labels: Vec<&str> = header["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| l["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        labels,
        [
            "Staff attitude",
            "Waiting",
            "Parking",
            "Labelling not possible"
        ]
    );
    let micro = header["cv"]["micro_f1"].as_f64().expect("cross-validated");
    assert!(micro > 0.8, "micro F1 {micro} on an easy set");
    assert!(header["sentiment"]["classes"].as_array().is_some());
    assert!(model.is_file());

    // The human summary and --describe say the same things.
    let described = chorus_ok(["train", "--describe", &s(&model)]);
    assert!(described.contains("labelled.csv"), "{described}");
    assert!(
        described.contains("Labelling not possible (no theme)"),
        "{described}"
    );
    assert!(described.contains("micro F1"), "{described}");

    let store = dir.path().join("store");
    chorus_ok(["ingest", &s(&sample_corpus()), "--store", &s(&store)]);
    chorus_ok([
        "themes",
        "--store",
        &s(&store),
        "--model",
        &s(&model),
        "--json",
    ]);
    let jsonl = chorus_ok(["export", "--store", &s(&store), "-o", "-"]);
    let mut model_themes = 0;
    let mut waiting_hits = 0;
    for line in jsonl.lines().filter(|l| l.starts_with('{')) {
        let record: Value = serde_json::from_str(line).expect("a JSON line");
        let text = record["text"].as_str().unwrap_or("").to_lowercase();
        for theme in record["themes"].as_array().into_iter().flatten() {
            if theme["source"] != "model" {
                continue;
            }
            model_themes += 1;
            let confidence = theme["confidence"].as_f64().expect("confidence");
            assert!((0.0..=1.0).contains(&confidence), "{theme}");
            assert_ne!(
                theme["name"], "Labelling not possible",
                "no-theme labels are not themes"
            );
            if theme["name"] == "Waiting" && text.contains("wait") {
                waiting_hits += 1;
            }
        }
    }
    assert!(model_themes > 100, "{model_themes} model themes");
    assert!(
        waiting_hits > 10,
        "{waiting_hits} waiting comments themed Waiting"
    );
}

#[test]
fn a_missing_column_lists_the_columns_there_are() {
    let dir = temp_dir();
    let file = labelled_csv(dir.path());
    let model = dir.path().join("m.model");
    let mut args = train_args(&file, &model);
    args[3] = "Feedback".to_owned();
    let output = chorus(&args);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("labelled.csv: no column named `Feedback` (for --text-column)"),
        "{stderr}"
    );
    assert!(stderr.contains("`Comment`, `Sentiment`"), "{stderr}");
    assert!(!model.exists());
}

#[test]
fn a_bad_label_cell_is_reported_with_its_line_and_column() {
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "bad.csv",
        "Comment,Sentiment,Waiting\nlong wait,5,1\nlovely staff,1,yes\n",
    );
    let output = chorus(
        train_args(&file, &dir.path().join("m.model"))
            .into_iter()
            .filter(|a| a != "--question-column" && a != "Question"),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.csv:3: column `Waiting`: `yes` is not a label value"),
        "{stderr}"
    );
}

#[test]
fn themes_refuses_a_file_that_is_not_a_model() {
    let dir = temp_dir();
    let store = dir.path().join("store");
    chorus_ok(["ingest", &s(&sample_corpus()), "--store", &s(&store)]);
    let fake = write_file(dir.path(), "fake.model", "{\"labels\": []}\n");
    let output = chorus(["themes", "--store", &s(&store), "--model", &s(&fake)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("fake.model is not a chorus model file"),
        "{stderr}"
    );
    assert!(stderr.contains("chorus train"), "{stderr}");
}

/// `--crosswalk` reports a model's labels under a framework's sub-categories, with the category in the
/// store's catalog; the built-in crosswalk prints with `chorus codebook print crosswalk`; a crosswalk that
/// puts one label in two places is refused with its line.
#[test]
fn a_crosswalk_renames_model_themes_and_groups_them() {
    let dir = temp_dir();
    let file = labelled_csv(dir.path());
    let model = dir.path().join("small.model");
    chorus_ok(train_args(&file, &model));
    let builtin = chorus_ok(["codebook", "print", "crosswalk"]);
    assert!(builtin.contains("Staffing levels & responsiveness"));
    let crosswalk = write_file(
        dir.path(),
        "crosswalk.toml",
        "name = \"test framework\"\n[[category]]\nname = \"Access\"\n[[category.subcategory]]\n\
         name = \"Timeliness of care\"\nfrom = [\"Waiting\"]\n",
    );
    let store = dir.path().join("store");
    chorus_ok(["ingest", &s(&sample_corpus()), "--store", &s(&store)]);
    chorus_ok([
        "themes",
        "--store",
        &s(&store),
        "--model",
        &s(&model),
        "--crosswalk",
        &s(&crosswalk),
    ]);
    let jsonl = chorus_ok(["export", "--store", &s(&store), "-o", "-"]);
    let names: std::collections::BTreeSet<String> = jsonl
        .lines()
        .filter(|l| l.starts_with('{'))
        .flat_map(|line| {
            let record: Value = serde_json::from_str(line).expect("a JSON line");
            record["themes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["source"] == "model")
                .map(|t| t["name"].as_str().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(names.contains("Timeliness of care"), "{names:?}");
    assert!(!names.contains("Waiting"), "{names:?}");
    let catalog = chorus_index::Store::open(&store)
        .expect("opens")
        .catalog()
        .expect("reads")
        .expect("a catalog");
    let timeliness = catalog
        .themes
        .iter()
        .find(|t| t.label == "Timeliness of care")
        .expect("in the catalog");
    assert_eq!(timeliness.category.as_deref(), Some("Access"));

    let twice = write_file(
        dir.path(),
        "twice.toml",
        "[[category]]\nname = \"A\"\n[[category.subcategory]]\nname = \"X\"\nfrom = [\"Waiting\"]\n\
         [[category.subcategory]]\nname = \"Y\"\nfrom = [\"Waiting\"]\n",
    );
    let output = chorus([
        "themes",
        "--store",
        &s(&store),
        "--model",
        &s(&model),
        "--crosswalk",
        &s(&twice),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("twice.toml:8:") && stderr.contains("two sub-categories"),
        "{stderr}"
    );
}
