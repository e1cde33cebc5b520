//! People's corrections (made in `chorus serve`, kept in `STORE/corrections.jsonl`) as the command line
//! sees them: search filters and facets, hits, `report`, `export`, `show`, and `chorus train --store`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::serve::sample_output;
use crate::support::{chorus, chorus_ok, temp_dir};

const PARKING: &str = "Parking and transport";

/// `chorus search --store STORE --json ARGS…`.
fn search(store: &Path, args: &[&str]) -> Value {
    let mut all = vec!["search", "--store", store.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&chorus_ok(&all)).expect("search --json prints JSON")
}

fn keys(found: &Value) -> Vec<&str> {
    found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect()
}

fn facet(found: &Value, facet: &str, name: &str) -> u64 {
    found["facets"][facet]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["value"] == name)
        .map_or(0, |f| f["count"].as_u64().unwrap())
}

/// Appends corrections as the server writes them.
fn correct(store: &Path, key: &str, actions: &[Value]) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(store.join("corrections.jsonl"))
        .unwrap();
    for action in actions {
        let mut line = json!({"time": "2025-01-06T10:00:00Z", "key": key});
        for (k, v) in action.as_object().unwrap() {
            line[k] = v.clone();
        }
        writeln!(file, "{line}").unwrap();
    }
}

/// The report as JSON, and its theme row's comment count.
fn report(store: &Path, out: &Path) -> (Value, u64) {
    chorus_ok([
        "report",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let parking = report["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == PARKING)
        .map_or(0, |t| t["comments"].as_u64().unwrap());
    (report, parking)
}

#[test]
fn a_persons_labels_are_what_filters_facets_reports_and_exports_see() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let store = out.join("store");
    let query = format!("theme:\"{PARKING}\"");
    let found = search(
        &store,
        &[&format!("{query} NOT touchpoint:discharge"), "--limit", "1"],
    );
    let key = found["hits"][0]["key"].as_str().unwrap().to_owned();
    let text = found["hits"][0]["text"].as_str().unwrap().to_owned();
    let id = found["hits"][0]["id"].as_str().unwrap().to_owned();
    let before = search(&store, &[&query, "--limit", "0"])["total"]
        .as_u64()
        .unwrap();
    let facet_before = facet(&search(&store, &["--limit", "0"]), "theme", PARKING);
    let (_, report_before) = report(&store, &dir.path().join("before.json"));

    correct(
        &store,
        &key,
        &[
            json!({"action": "remove_theme", "theme": PARKING, "source": "codebook"}),
            json!({"action": "add_touchpoint", "touchpoint": "discharge"}),
        ],
    );

    // Filters and facets: the removed theme no longer matches or counts; the added touchpoint does.
    let by_query = search(&store, &[&query, "--limit", "1000"]);
    assert_eq!(by_query["total"].as_u64().unwrap(), before - 1);
    assert!(!keys(&by_query).contains(&key.as_str()));
    let by_filter = search(&store, &["--theme", PARKING, "--limit", "1000"]);
    assert_eq!(by_filter["total"].as_u64().unwrap(), before - 1);
    assert!(!keys(&by_filter).contains(&key.as_str()));
    assert_eq!(
        facet(&search(&store, &["--limit", "0"]), "theme", PARKING),
        facet_before - 1,
        "the facet counts the person's labels"
    );
    for args in [
        &["touchpoint:discharge", "--limit", "1000"][..],
        &["--touchpoint", "discharge", "--limit", "1000"][..],
    ] {
        assert!(
            keys(&search(&store, args)).contains(&key.as_str()),
            "{args:?}"
        );
    }
    // The hits show them too.
    let hit = search(&store, &[&format!("id:\"{id}\""), "--limit", "50"])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["key"] == key.as_str())
        .cloned()
        .unwrap();
    assert!(!hit["themes"].as_array().unwrap().contains(&json!(PARKING)));
    assert!(
        hit["touchpoints"]
            .as_array()
            .unwrap()
            .contains(&json!("discharge"))
    );

    // The report counts the person's labels and says how many there are.
    let (after, report_after) = report(&store, &dir.path().join("after.json"));
    assert_eq!(report_after, report_before - 1);
    let source = after["source"].as_str().unwrap();
    assert!(source.contains("2 labels corrected by people"), "{source}");

    // The export writes them.
    let csv_path = dir.path().join("comments.csv");
    let said = chorus_ok([
        "export",
        "--store",
        store.to_str().unwrap(),
        "--format",
        "csv",
        "-o",
        csv_path.to_str().unwrap(),
    ]);
    assert!(said.contains("2 labels corrected by people"), "{said}");
    let mut rows = csv::Reader::from_path(&csv_path).unwrap();
    let headers = rows.headers().unwrap().clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (text_at, themes_at, touchpoints_at) =
        (column("text"), column("themes"), column("touchpoints"));
    let row = rows
        .records()
        .map(Result::unwrap)
        .find(|r| r[text_at] == text)
        .expect("the comment is exported");
    assert!(!row[themes_at].contains(PARKING), "{:?}", &row[themes_at]);
    assert!(
        row[touchpoints_at].contains("discharge"),
        "{:?}",
        &row[touchpoints_at]
    );

    // `chorus stats` counts the corrected comment.
    let stats: Value = serde_json::from_str(&chorus_ok([
        "stats",
        "--store",
        store.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(stats["corrected"], 1);

    // So does `chorus show`.
    let shown: Value = serde_json::from_str(&chorus_ok([
        "show",
        "--store",
        store.to_str().unwrap(),
        &id,
        "--json",
    ]))
    .unwrap();
    let comment = shown["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == text.as_str())
        .unwrap();
    let themes: Vec<&str> = comment["annotations"]["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(!themes.contains(&PARKING), "{themes:?}");
}

#[test]
fn train_learns_from_the_comments_people_corrected() {
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let store = out.join("store");
    let model = dir.path().join("people.model");
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--store",
            store.to_str().unwrap(),
            "-o",
            model.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        chorus(&args)
    };
    let none = train(&[]);
    assert!(!none.status.success());
    let message = String::from_utf8_lossy(&none.stderr);
    assert!(message.contains("no comment of"), "{message}");

    // People decide that twelve parking comments are about food and drink instead.
    let found = search(
        &store,
        &[
            &format!("theme:\"{PARKING}\" NOT theme:\"Food and drink\""),
            "--limit",
            "12",
        ],
    );
    let picked = keys(&found);
    assert_eq!(picked.len(), 12);
    for (i, key) in picked.iter().enumerate() {
        correct(
            &store,
            key,
            &[
                json!({"action": "remove_theme", "theme": PARKING, "source": "codebook"}),
                json!({"action": "add_theme", "theme": "Food and drink", "source": "codebook"}),
            ],
        );
        if i == 0 {
            // Too few yet: refused, saying how many are needed.
            let few = train(&[]);
            assert!(!few.status.success());
            let message = String::from_utf8_lossy(&few.stderr);
            assert!(message.contains("only 1 comment of"), "{message}");
            assert!(message.contains("at least 10"), "{message}");
        }
    }
    let trained = train(&["--folds", "3", "--seed", "7"]);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let summary: Value = serde_json::from_slice(&trained.stdout).unwrap();
    assert_eq!(summary["model"]["training"]["rows_used"], 12);
    let labels: Vec<&str> = summary["model"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"Food and drink"),
        "a label only people gave: {labels:?}"
    );
    assert!(
        !labels.contains(&PARKING),
        "a label people took away: {labels:?}"
    );
    assert!(model.exists());
}

#[test]
fn the_servers_filters_and_facets_follow_a_correction_at_once() {
    use crate::serve::{correct as post_correction, get, serve};
    let dir = temp_dir();
    let out = sample_output(dir.path());
    let s = serve(&out, &[]);
    let filter = "/api/search?theme=Parking%20and%20transport&per=100";
    let before = get(&s, filter).json();
    let key = get(
        &s,
        "/api/search?theme=Parking%20and%20transport&touchpoint=travel&per=1",
    )
    .json()["hits"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(keys(&before).contains(&key.as_str()));
    let total = before["total"].as_u64().unwrap();
    let facet_before = facet(&get(&s, "/api/search?per=1").json(), "theme", PARKING);
    let listed = |s: &crate::serve::Served| {
        get(s, "/search?theme=Parking%20and%20transport&per=100")
            .text()
            .contains(&key)
    };
    assert!(listed(&s));
    // The theme's page is kept for the next visitor; a correction must not leave it stale.
    let theme_page = "/themes/Parking%20and%20transport";
    let count_shown =
        |s: &crate::serve::Served, n: u64| get(s, theme_page).text().contains(&format!(">{n}</a>"));
    assert!(
        count_shown(&s, total),
        "the theme page counts its {total} comments"
    );
    assert!(count_shown(&s, total), "and again from the kept page");
    let page = get(&s, &format!("/comments/{key}")).text();
    assert!(
        page.contains("Travel and parking"),
        "touchpoints are shown by name, not id"
    );
    let removed = post_correction(
        &s,
        &key,
        r#"{"action":"remove_theme","theme":"Parking and transport","source":"codebook"}"#,
    );
    assert_eq!(removed.status, 201, "{}", removed.text());
    let after = get(&s, filter).json();
    assert_eq!(after["total"].as_u64().unwrap(), total - 1);
    assert!(!keys(&after).contains(&key.as_str()));
    assert_eq!(
        facet(&get(&s, "/api/search?per=1").json(), "theme", PARKING),
        facet_before - 1
    );
    let page = get(&s, "/search?theme=Parking%20and%20transport&per=100").text();
    assert!(
        !page.contains(&key),
        "the search page follows the correction too"
    );
    assert!(
        count_shown(&s, total - 1),
        "the theme page follows the correction, not the page kept from before it"
    );
}
