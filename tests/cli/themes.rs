//! End-to-end tests of the themes stage: `chorus themes` and `chorus codebook` on stores made by `chorus
//! ingest` from the repo's synthetic sample export (whose planted patterns are known) and the real corpora.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chorus_core::{Comment, SentimentLabel};
use chorus_index::Store;
use serde_json::Value;

use crate::support::{
    chorus, chorus_ok, repo_root, sample_corpus, shared_corpus, temp_dir, write_file,
};

/// Ingests `export` into `dir/store` and returns the store path.
fn ingest(dir: &Path, export: &Path) -> PathBuf {
    let store = dir.join("store");
    chorus_ok([
        "ingest".as_ref(),
        export.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    store
}

/// Runs `chorus themes --store STORE --json ARGS` and returns the parsed output.
fn themes_json(store: &Path, args: &[&str]) -> Value {
    let mut all = vec![
        "themes",
        "--store",
        store.to_str().expect("UTF-8"),
        "--json",
    ];
    all.extend_from_slice(args);
    serde_json::from_str(&chorus_ok(&all)).expect("themes --json prints JSON")
}

fn comments(store: &Path) -> Vec<Comment> {
    Store::open(store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back")
}

/// The truth file of the sample export, by Response ID.
fn truth() -> HashMap<String, BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(repo_root().join("corpora").join("sample-fft-truth.csv"))
            .expect("truth file");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a record");
            let row: BTreeMap<String, String> = headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect();
            (row["Response ID"].clone(), row)
        })
        .collect()
}

#[test]
fn themes_annotates_every_comment_with_text_and_stores_the_catalog() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    let out = themes_json(&store, &[]);
    let s = &out["summary"];
    assert_eq!(s["comments"], 2416);
    assert_eq!(s["no_comment"], 677);
    assert_eq!(s["analysed"], 1739);
    let sentiment = &s["sentiment"];
    let total: u64 = ["positive", "neutral", "mixed", "negative"]
        .iter()
        .map(|k| sentiment[k].as_u64().expect("a count"))
        .sum();
    assert_eq!(total, 1739);
    assert!(s["themed"].as_u64().expect("themed") > 1200, "{s}");
    let ids: Vec<&str> = s["touchpoints"]
        .as_array()
        .expect("touchpoints")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "access",
            "travel",
            "arrival",
            "waiting",
            "assessment",
            "treatment",
            "information",
            "medication",
            "stay",
            "discharge"
        ]
    );
    assert!(
        out["run"].as_str().expect("run").contains("run at 20"),
        "{}",
        out["run"]
    );
    for stage in ["read", "analysis", "save", "total"] {
        assert!(out["seconds"][stage].as_f64().is_some(), "{stage}");
    }

    // What was printed is what was stored.
    let stored = comments(&store);
    let mut discordant = 0;
    for c in &stored {
        assert_eq!(c.annotations.is_some(), !c.no_comment, "{c:?}");
        discordant += u64::from(c.annotations.as_ref().is_some_and(|a| a.discordant));
    }
    assert_eq!(s["discordant"].as_u64(), Some(discordant));
    let catalog = Store::open(&store)
        .expect("opens")
        .catalog()
        .expect("reads")
        .expect("a catalog after theming");
    assert_eq!(catalog.touchpoints.len(), 10);
    assert!(catalog.themes.iter().any(|t| t.id == "waiting-times"));
    assert_eq!(catalog.run, out["run"].as_str().expect("run"));

    // The search stage sees the annotations.
    let found: Value = serde_json::from_str(&chorus_ok([
        "search",
        "--store",
        store.to_str().expect("UTF-8"),
        "--discordant",
        "--json",
    ]))
    .expect("JSON");
    assert_eq!(found["total"].as_u64(), Some(discordant));
}

#[test]
fn a_second_run_replaces_the_first_with_the_same_annotations() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    themes_json(&store, &[]);
    let first: Vec<_> = comments(&store)
        .into_iter()
        .map(|c| c.annotations)
        .collect();
    themes_json(&store, &[]);
    let second: Vec<_> = comments(&store)
        .into_iter()
        .map(|c| c.annotations)
        .collect();
    assert_eq!(first, second);
}

#[test]
fn planted_discordant_comments_are_found_and_few_others_are_flagged() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    themes_json(&store, &[]);
    let truth = truth();
    let (mut found, mut extra, mut planted) = (0, 0, 0);
    let mut seen = std::collections::HashSet::new();
    for c in comments(&store) {
        if c.no_comment
            || c.question_kind() != chorus_core::QuestionKind::Why
            || !seen.insert(c.respondent.clone())
        {
            continue;
        }
        let is_planted = !truth[&c.respondent]["Discordant"].is_empty();
        let flagged = c.annotations.as_ref().is_some_and(|a| a.discordant);
        planted += u32::from(is_planted);
        match (is_planted, flagged) {
            (true, true) => found += 1,
            (false, true) => extra += 1,
            _ => {}
        }
    }
    assert_eq!(planted, 41);
    // Conservative: most of the planted ones, and at least four flags in five right.
    assert!(found >= 25, "found {found} of 41");
    assert!(
        found * 4 >= (found + extra) * 3,
        "found {found}, extra {extra}"
    );
}

#[test]
fn planted_parking_complaints_at_northgate_show_as_negative_travel() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    themes_json(&store, &[]);
    let truth = truth();
    let (mut planted, mut found) = (0, 0);
    for c in comments(&store) {
        if c.no_comment || c.question_kind() != chorus_core::QuestionKind::Why {
            continue;
        }
        if truth[&c.respondent]["Parking complaint"] == "1" {
            planted += 1;
            let a = c.annotations.as_ref().expect("annotated");
            found += u32::from(a.touchpoints.iter().any(|t| {
                &*t.id == "travel"
                    && matches!(
                        t.sentiment,
                        SentimentLabel::Negative | SentimentLabel::Mixed
                    )
            }));
        }
    }
    assert!(planted >= 54, "{planted}");
    assert!(
        found * 10 >= planted * 8,
        "{found} of {planted} parking complaints read as negative travel"
    );
}

#[test]
fn custom_codebooks_replace_the_defaults_and_bad_ones_are_refused() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    let themes = write_file(
        dir.path(),
        "ours.toml",
        "name = \"ours\"\n[[entry]]\nid = \"parking\"\nlabel = \"Parking\"\ndirection = \"lower_is_better\"\nterms = [\"parking\", \"park\"]\nphrases = [\"pay and display\"]\n",
    );
    let out = themes_json(&store, &["--codebook", themes.to_str().expect("UTF-8")]);
    let rows = out["summary"]["themes"].as_array().expect("themes");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["label"], "Parking");
    assert!(rows[0]["comments"].as_u64().expect("count") >= 54);
    let catalog = Store::open(&store)
        .expect("opens")
        .catalog()
        .expect("reads")
        .expect("catalog");
    assert_eq!(catalog.themes.len(), 1);
    assert!(catalog.run.contains("ours.toml"));

    let bad = write_file(
        dir.path(),
        "bad.toml",
        "[[entry]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"x\"]\n\n[[entry]]\nid = \"a\"\nlabel = \"B\"\nterms = [\"y\"]\n",
    );
    let output = chorus([
        "themes",
        "--store",
        store.to_str().expect("UTF-8"),
        "--touchpoints",
        bad.to_str().expect("UTF-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml:7:6: error: duplicate id `a`"),
        "{stderr}"
    );
    assert!(stderr.contains("chorus codebook check"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    let store = store.to_str().expect("UTF-8");
    for (args, reason) in [
        (vec!["--discover", "1"], "2 to 500"),
        (vec!["--discover", "5000"], "2 to 500"),
        (vec!["--discover", "many"], "auto"),
        (vec!["--set-aside-explained"], "--discover"),
        (vec!["--model", "/nonexistent/model.json"], "model"),
    ] {
        let mut all = vec!["themes", "--store", store];
        all.extend(args.iter().copied());
        let output = chorus(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
    let missing = dir.path().join("no-store");
    let output = chorus(["themes", "--store", missing.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn discovery_runs_with_explained_comments_set_aside() {
    let dir = temp_dir();
    let store = ingest(dir.path(), &sample_corpus());
    let out = themes_json(
        &store,
        &["--discover", "auto", "--seed", "7", "--set-aside-explained"],
    );
    assert!(
        out["run"]
            .as_str()
            .expect("run")
            .contains("discovery: auto themes, seed 7, explained comments set aside"),
        "{}",
        out["run"]
    );
    let discovered = out["summary"]["discovered"]
        .as_array()
        .expect("discovered")
        .len();
    let catalog = Store::open(&store)
        .expect("opens")
        .catalog()
        .expect("reads")
        .expect("catalog");
    assert_eq!(catalog.discovered.len(), discovered);
}

#[test]
fn codebook_print_writes_the_defaults_which_check_clean() {
    let dir = temp_dir();
    for which in ["touchpoints", "themes"] {
        let text = chorus_ok(["codebook", "print", which]);
        assert!(text.contains("[[entry]]"));
        let path = write_file(dir.path(), &format!("{which}.toml"), &text);
        let report = chorus_ok(["codebook", "check", path.to_str().expect("UTF-8")]);
        assert!(report.contains("0 error(s), 0 warning(s)"), "{report}");
    }
    let out = dir.path().join("mine.toml");
    chorus_ok([
        "codebook",
        "print",
        "themes",
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(out.is_file());
    // The team edits the codebook: printing the defaults again must not wipe their edits.
    let edited = format!(
        "{}\n# our own entry\n",
        std::fs::read_to_string(&out).expect("written")
    );
    std::fs::write(&out, &edited).expect("edited");
    let again = chorus([
        "codebook",
        "print",
        "themes",
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an edited codebook is not overwritten"
    );
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), edited);
    let unknown = chorus(["codebook", "print", "colours"]);
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stderr);
    for name in ["touchpoints", "themes", "crosswalk"] {
        assert!(said.contains(name), "the codebooks there are: {said}");
    }
}

#[test]
fn codebook_check_points_at_lines_and_counts_matches_in_a_store() {
    let dir = temp_dir();
    let broken = write_file(
        dir.path(),
        "broken.toml",
        "[[entry]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"wait\"\n",
    );
    let output = chorus(["codebook", "check", broken.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("broken.toml:4:"), "{stdout}");

    let edited = write_file(
        dir.path(),
        "edited.toml",
        "[[entry]]\nid = \"parking\"\nlabel = \"Parking\"\nterms = [\"parking\", \"the\"]\n\n[[entry]]\nid = \"hearing\"\nlabel = \"Hearing loops\"\nterms = [\"loop\"]\n\n[[entry]]\nid = \"cars\"\nlabel = \"Cars\"\nterms = [\"parking\"]\n",
    );
    let store = ingest(dir.path(), &sample_corpus());
    let json: Value = serde_json::from_str(&chorus_ok([
        "codebook",
        "check",
        edited.to_str().expect("UTF-8"),
        "--store",
        store.to_str().expect("UTF-8"),
        "--json",
    ]))
    .expect("JSON");
    assert_eq!(json["errors"], 0);
    let messages: Vec<(u64, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().expect("line"),
                f["message"].as_str().expect("message").to_owned(),
            )
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|(l, m)| *l == 4 && m.contains("only stop words")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(l, m)| *l == 6 && m.contains("matches no comment")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(l, m)| *l == 14 && m.contains("also in `parking`")),
        "{messages:?}"
    );
    let matches = json["matches"].as_array().expect("matches");
    assert_eq!(matches[0]["id"], "parking");
    assert!(
        matches[0]["comments"].as_u64().expect("count") >= 40,
        "{matches:?}"
    );
    assert_eq!(matches[1]["comments"], 0);
    assert_eq!(matches[0]["comments"], matches[2]["comments"]);
}

#[test]
fn the_real_fft_corpus_themes_end_to_end() {
    let Some(export) = shared_corpus("fft-v6-dev.csv") else {
        return;
    };
    let dir = temp_dir();
    let store = ingest(dir.path(), &export);
    let out = themes_json(&store, &[]);
    let s = &out["summary"];
    let stored = comments(&store);
    assert_eq!(s["comments"].as_u64(), Some(stored.len() as u64));
    let with_text = stored.iter().filter(|c| !c.no_comment).count() as u64;
    assert_eq!(s["analysed"].as_u64(), Some(with_text));
    assert!(
        s["themed"].as_u64().expect("themed") * 10 >= with_text * 6,
        "{s}"
    );
    assert!(
        s["sentiment"]["positive"].as_u64() > s["sentiment"]["negative"].as_u64(),
        "{s}"
    );
}

/// Whether a comment says nothing a theme could be made of, judged here independently of discovery's
/// own rule: one of the usual empty answers, compared without case and punctuation.
fn says_nothing(text: &str) -> bool {
    let words: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    [
        "nothing",
        "no comment",
        "no comments",
        "n a",
        "na",
        "none",
        "no",
        "nothing to improve",
        "nothing at all",
        "nothing really",
        "absolutely nothing",
        "can t think of anything",
        "cant think of anything",
        "not sure",
        "don t know",
    ]
    .contains(&words.as_str())
}

#[test]
fn discovered_themes_on_the_real_corpus_are_named_by_their_comments_and_stable() {
    let Some(export) = shared_corpus("fft-v6-dev.csv") else {
        return;
    };
    let dir = temp_dir();
    let store = ingest(dir.path(), &export);
    let run = || {
        themes_json(&store, &["--discover", "auto"]);
        let catalog = Store::open(&store)
            .expect("opens")
            .catalog()
            .expect("reads")
            .expect("catalog");
        (catalog.discovered, comments(&store))
    };
    let (themes, stored) = run();
    assert!(themes.len() >= 10, "{} themes", themes.len());
    let empty: Vec<&Comment> = stored.iter().filter(|c| says_nothing(&c.text)).collect();
    assert!(empty.len() > 100, "the corpus has many empty answers");
    for c in &empty {
        let theme = c.annotations.as_ref().and_then(|a| a.discovered_theme);
        assert_eq!(theme, None, "{:?} is in a discovered theme", c.text);
    }
    let mut named = 0;
    for theme in &themes {
        if theme.label == format!("unnamed group {}", theme.id) {
            continue;
        }
        named += 1;
        assert!(!theme.label.contains('·'), "{}", theme.label);
        let name = theme.label.to_lowercase();
        let using = stored
            .iter()
            .filter(|c| {
                c.annotations.as_ref().and_then(|a| a.discovered_theme) == Some(theme.id)
                    && c.text
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                        .contains(&name)
            })
            .count() as u64;
        assert!(
            using * 20 >= theme.size,
            "`{}` is in {using} of its {} comments",
            theme.label,
            theme.size
        );
    }
    assert!(named * 4 >= themes.len() * 3, "most themes have a name");
    // The same store themed again: the same themes, names, numbers and members.
    let (again, stored_again) = run();
    assert_eq!(again, themes);
    let members = |cs: &[Comment]| -> Vec<Option<u32>> {
        cs.iter()
            .map(|c| c.annotations.as_ref().and_then(|a| a.discovered_theme))
            .collect()
    };
    assert_eq!(members(&stored_again), members(&stored));
}
