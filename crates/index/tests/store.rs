//! The store's life cycle: create, add, read back, annotate, crash and reopen, refuse foreign stores.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::Path;

use chorus_core::{
    Annotations, Attributes, CatalogEntry, Comment, Date, Direction, DiscoveredTheme, FftScore,
    SentimentLabel, SentimentScore, SourceRef, ThemeAssignment, ThemeCatalog, ThemeSource,
    TouchpointMention,
};
use chorus_index::{Error, MANIFEST_FILE, STORE_FORMAT_VERSION, Store};

fn comment(id: &str, text: &str) -> Comment {
    Comment {
        id: id.into(),
        respondent: format!("r{id}"),
        question: "FFT Why?".into(),
        text: text.to_owned(),
        no_comment: text.is_empty(),
        date: Date::from_ymd(2021, 10, 3),
        score: FftScore::Good,
        service: Some("Urgent Care".into()),
        organisation: Some("NEAS".into()),
        attributes: Attributes::from_iter([("Age band", "35-44")]),
        source: SourceRef {
            name: "october.csv".into(),
            line: 2,
            column: "FFT answer".into(),
        },
        annotations: None,
    }
}

fn annotations(theme: &str) -> Annotations {
    Annotations {
        sentiment: SentimentScore {
            label: SentimentLabel::Mixed,
            score: -0.125,
        },
        touchpoints: vec![TouchpointMention {
            id: "waiting".into(),
            sentiment: SentimentLabel::Negative,
            score: -0.6,
        }],
        themes: vec![ThemeAssignment {
            name: theme.into(),
            source: ThemeSource::Codebook,
            confidence: 1.0,
            sentiment: SentimentLabel::Negative,
        }],
        discovered_theme: Some(3),
        discordant: true,
        clauses: Vec::new(),
    }
}

fn add_all(store: &Store, comments: &[Comment]) -> u64 {
    let mut writer = store.writer().unwrap();
    for c in comments {
        writer.add(c).unwrap();
    }
    writer.commit().unwrap()
}

fn texts(store: &Store) -> Vec<String> {
    store
        .comments()
        .unwrap()
        .into_iter()
        .map(|c| c.text)
        .collect()
}

#[test]
fn comments_round_trip_exactly_in_ingest_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let mut odd = comment(
        "2",
        "Nurse’s attitude ﬁne 😊 <b>&amp;</b> =SUM(A1)\n\"quoted\"",
    );
    odd.date = None;
    odd.service = None;
    odd.organisation = None;
    odd.attributes.clear();
    odd.score = FftScore::NotGiven;
    let mut blank = comment("3", "");
    blank.score = FftScore::DontKnow;
    let comments = vec![comment("1", "Waited four hours"), odd, blank];
    assert_eq!(add_all(&store, &comments), 3);
    assert_eq!(store.comments().unwrap(), comments);
    // And from a fresh process's point of view.
    let reopened = Store::open(store.dir()).unwrap();
    assert_eq!(reopened.comments().unwrap(), comments);
    assert_eq!(reopened.len(), 3);
}

#[test]
fn adding_a_new_month_adds_only_new_comments() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    add_all(&store, &[comment("1", "first"), comment("2", "second")]);
    let known = store.known_keys().unwrap();
    assert_eq!(
        known,
        vec![comment("1", "first").keys(), comment("2", "second").keys()]
    );
    // The same rows again (a re-run) plus a new one: the writer skips what the store holds.
    let mut writer = store.writer().unwrap();
    for c in [
        comment("1", "first"),
        comment("3", "third"),
        comment("3", "third"),
    ] {
        writer.add(&c).unwrap();
    }
    assert_eq!(writer.skipped(), 2);
    assert_eq!(writer.commit().unwrap(), 1);
    assert_eq!(texts(&store), ["first", "second", "third"]);
    // Same id, different text: not the same comment, so it is kept (ingestion decides about clashes).
    add_all(&store, &[comment("1", "edited")]);
    assert_eq!(texts(&store), ["first", "second", "third", "edited"]);
}

#[test]
fn a_writer_dropped_without_commit_leaves_the_last_commit_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let store = Store::create_or_open(&path).unwrap();
    add_all(&store, &[comment("1", "committed")]);
    {
        let mut writer = store.writer().unwrap();
        for i in 2..500 {
            writer
                .add(&comment(&i.to_string(), "lost in the crash"))
                .unwrap();
        }
        // Dropped: as if the process were killed before commit.
    }
    let reopened = Store::open(&path).unwrap();
    assert_eq!(texts(&reopened), ["committed"]);
    // A lock file left by a killed process does not block the next writer: the lock is an OS lock.
    std::fs::write(path.join("index").join(".tantivy-writer.lock"), b"").unwrap();
    let rerun: Vec<Comment> = (1..500)
        .map(|i| {
            comment(
                &i.to_string(),
                if i == 1 {
                    "committed"
                } else {
                    "lost in the crash"
                },
            )
        })
        .collect();
    assert_eq!(add_all(&reopened, &rerun), 498);
    assert_eq!(reopened.len(), 499);
}

#[test]
fn a_second_writer_is_told_the_store_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let _first = store.writer().unwrap();
    let other = Store::open(store.dir()).unwrap();
    let err = other.writer().unwrap_err();
    assert!(matches!(err, Error::Busy { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("another chorus command is writing"),
        "{err}"
    );
}

#[test]
fn annotations_and_catalog_are_replaced_together_and_survive_later_ingests() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    add_all(
        &store,
        &[comment("1", "Waited ages"), comment("2", "Lovely staff")],
    );
    assert_eq!(store.catalog().unwrap(), None);
    let mut comments = store.comments().unwrap();
    comments[0].annotations = Some(annotations("Waiting times"));
    comments[1].annotations = Some(annotations("Staff attitude"));
    let catalog = ThemeCatalog {
        touchpoints: vec![CatalogEntry {
            id: "waiting".into(),
            label: "Waiting".to_owned(),
            source: ThemeSource::Codebook,
            description: "Waiting to be seen".to_owned(),
            direction: Direction::LowerIsBetter,
            category: None,
        }],
        themes: vec![],
        discovered: vec![DiscoveredTheme {
            id: 3,
            label: "ages / wait".to_owned(),
            key_phrases: vec!["ages".to_owned()],
            quotes: vec!["Waited ages".to_owned()],
            size: 2,
        }],
        run: "codebook default, seed 1".to_owned(),
    };
    store.replace_annotations(&comments, &catalog).unwrap();
    assert_eq!(store.comments().unwrap(), comments);
    assert_eq!(store.catalog().unwrap().as_ref(), Some(&catalog));

    // A later ingest keeps both the annotations and the catalog; the new comment is not yet themed.
    add_all(&store, &[comment("3", "Parking was awful")]);
    let reopened = Store::open(store.dir()).unwrap();
    let now = reopened.comments().unwrap();
    assert_eq!(&now[..2], &comments[..]);
    assert_eq!(now[2].annotations, None);
    assert_eq!(reopened.catalog().unwrap(), Some(catalog.clone()));

    // Annotations computed before that ingest no longer match the store.
    let err = reopened
        .replace_annotations(&comments, &catalog)
        .unwrap_err();
    assert!(matches!(err, Error::StaleComments { .. }), "{err}");
    let mut reordered = now.clone();
    reordered.swap(0, 1);
    let err = reopened
        .replace_annotations(&reordered, &catalog)
        .unwrap_err();
    assert!(err.to_string().contains("comment 1 (`2`)"), "{err}");
    assert_eq!(reopened.comments().unwrap(), now);
}

#[test]
fn foreign_and_incompatible_directories_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let check = |path: &Path, expected: &str| {
        let err = Store::open(path).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
    };
    check(&dir.path().join("absent"), "run `chorus ingest");

    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), "hello").unwrap();
    check(&plain, "is not a chorus store");
    let err = Store::create_or_open(&plain).unwrap_err().to_string();
    assert!(err.contains("is not a chorus store"), "{err}");

    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let manifest = store.dir().join(MANIFEST_FILE);
    let original = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        original.replace(
            &format!("\"format_version\": {STORE_FORMAT_VERSION}"),
            "\"format_version\": 99",
        ),
    )
    .unwrap();
    check(store.dir(), "made with store format 99");
    check(store.dir(), "re-ingest");
    std::fs::write(
        &manifest,
        original.replace(
            &format!(
                "\"analyzer_version\": {}",
                chorus_text::Analyzer::ENGLISH_VERSION
            ),
            "\"analyzer_version\": 0",
        ),
    )
    .unwrap();
    check(store.dir(), "analyzer 0");
    std::fs::write(&manifest, "{not json").unwrap();
    check(store.dir(), "not a valid chorus store manifest");
    std::fs::write(&manifest, original.replace("chorus-store\"", "other\"")).unwrap();
    check(store.dir(), "its format is `other`");
    std::fs::write(&manifest, &original).unwrap();
    assert!(Store::open(store.dir()).is_ok());
}

#[test]
fn a_creation_killed_before_its_manifest_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    Store::create_or_open(&path).unwrap();
    std::fs::remove_file(path.join(MANIFEST_FILE)).unwrap();
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("is not a chorus store"), "{err}");
    let store = Store::create_or_open(&path).unwrap();
    assert!(store.is_empty());
    assert!(path.join(MANIFEST_FILE).is_file());
}

#[test]
fn quarantine_paths_are_numbered_after_the_existing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let first = store.new_quarantine_path().unwrap();
    assert_eq!(
        first,
        store.dir().join("quarantine").join("ingest-0001.csv")
    );
    std::fs::write(&first, "").unwrap();
    std::fs::write(store.dir().join("quarantine").join("ingest-0007.csv"), "").unwrap();
    assert!(
        store
            .new_quarantine_path()
            .unwrap()
            .ends_with("ingest-0008.csv")
    );
}

/// `n` comments with distinct texts.
fn many(prefix: &str, n: usize) -> Vec<Comment> {
    (0..n)
        .map(|i| {
            comment(
                &format!("{prefix}{i}"),
                &format!("comment {prefix} number {i} about parking"),
            )
        })
        .collect()
}

#[test]
fn a_killed_ingest_keeps_what_it_committed_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let all = many("c", 250);
    let mut writer = store.writer().unwrap();
    writer.set_commit_every(100);
    for c in &all {
        writer.add(c).unwrap();
    }
    // Killed before its final commit: before, nothing at all was kept (one commit per file).
    drop(writer);
    let store = Store::open(&dir.path().join("s")).unwrap();
    assert_eq!(store.len(), 200);
    let mut writer = store.writer().unwrap();
    for c in &all {
        writer.add(c).unwrap();
    }
    assert_eq!(writer.skipped(), 200);
    assert_eq!(writer.commit().unwrap(), 50);
    let ids: Vec<String> = store
        .comments()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let expected: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn theming_takes_the_lock_before_it_computes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    add_all(&store, &many("c", 3));
    let writer = store.writer().unwrap();
    let err = store.annotator().unwrap_err();
    assert!(matches!(err, Error::Busy { .. }), "{err}");
    drop(writer);
    let annotator = store.annotator().unwrap();
    assert!(matches!(store.writer().unwrap_err(), Error::Busy { .. }));
    let mut comments = store.comments().unwrap();
    comments[0].annotations = Some(annotations("Parking"));
    annotator
        .replace_annotations(&comments, &ThemeCatalog::default())
        .unwrap();
    assert!(store.comments().unwrap()[0].annotations.is_some());
}

#[test]
fn the_store_of_an_analyse_output_folder_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("out").join("store")).unwrap();
    add_all(&store, &many("c", 2));
    let found = Store::open(&dir.path().join("out")).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found.dir(), dir.path().join("out").join("store"));
    assert_eq!(
        Store::create_or_open(&dir.path().join("out"))
            .unwrap()
            .len(),
        2
    );
}

/// The files of the store's segments with this extension, largest segment first.
fn segment_files(store_dir: &Path, extension: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(store_dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).unwrap().len()));
    files
}

fn flip_byte(path: &Path, at: f64) {
    let mut bytes = std::fs::read(path).unwrap();
    let i = ((bytes.len() as f64) * at) as usize;
    bytes[i] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_byte_in_the_comments_is_found_and_repaired_by_removing_that_segment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let store = Store::create_or_open(&path).unwrap();
    let first = many("a", 300);
    let second = many("b", 20);
    add_all(&store, &first);
    add_all(&store, &second);
    drop(store);
    let files = segment_files(&path, "store");
    assert!(files.len() >= 2, "{files:?}");
    // A byte in the middle of the compressed comments: before, tantivy read on and returned altered
    // text, or failed with its own message.
    flip_byte(&files[0], 0.3);
    let store = Store::open(&path).unwrap();
    let err = store.comments().unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("chorus check --store"), "{message}");
    assert!(message.contains(".store (the comments)"), "{message}");
    drop(store);

    let report = Store::check(&path).unwrap();
    assert!(!report.is_sound());
    assert_eq!(report.comments, 320);
    assert!(report.unrecoverable > 0, "{report:?}");
    assert_eq!(report.sources, ["october.csv"]);
    let repaired = Store::repair(&path).unwrap();
    assert_eq!(repaired.kept + repaired.removed, 320, "{repaired:?}");
    assert_eq!(repaired.removed, report.unrecoverable);
    assert!(Store::check(&path).unwrap().is_sound());

    // Ingesting the same comments again brings back exactly the removed ones.
    let store = Store::open(&path).unwrap();
    let mut writer = store.writer().unwrap();
    for c in first.iter().chain(&second) {
        writer.add(c).unwrap();
    }
    assert_eq!(writer.commit().unwrap(), repaired.removed);
    assert_eq!(store.len(), 320);
}

#[test]
fn a_flipped_byte_in_the_search_index_is_repaired_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let store = Store::create_or_open(&path).unwrap();
    let mut comments = many("a", 200);
    add_all(&store, &comments);
    comments[0].annotations = Some(annotations("Parking"));
    store
        .replace_annotations(
            &store
                .comments()
                .unwrap()
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    if i == 0 {
                        c.annotations = Some(annotations("Parking"));
                    }
                    c
                })
                .collect::<Vec<_>>(),
            &ThemeCatalog::default(),
        )
        .unwrap();
    drop(store);
    flip_byte(&segment_files(&path, "idx")[0], 0.5);
    let report = Store::check(&path).unwrap();
    assert!(!report.is_sound());
    assert_eq!(report.unrecoverable, 0, "{report:?}");
    assert!(report.rebuildable > 0, "{report:?}");
    let repaired = Store::repair(&path).unwrap();
    assert_eq!(repaired.removed, 0);
    assert_eq!(repaired.kept + repaired.rebuilt, 200);
    let store = Store::open(&path).unwrap();
    let back = store.comments().unwrap();
    assert_eq!(back.len(), 200);
    assert_eq!(back[0].id, "a0");
    assert!(
        back[0].annotations.is_some(),
        "annotations survive a repair"
    );
    assert!(
        store.catalog().unwrap().is_some(),
        "the catalog survives a repair"
    );
    assert_eq!(
        store
            .search(&chorus_index::SearchRequest::new("parking"))
            .unwrap()
            .total,
        200
    );
}

/// Copies a folder tree (the fixtures are small and flat but for one level).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A store made by the chorus of store format 1 (five comments of our own, ingested and themed; the
/// annotations then lived inside the index) is refused with what to run, and `check --repair` brings
/// it up to date with every comment kept.
#[test]
fn a_format_1_store_is_brought_up_to_date_by_repair() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("old");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/format1-store"),
        &store,
    );
    let err = Store::open(&store).unwrap_err();
    assert!(matches!(err, Error::OlderStore { found: 1, .. }), "{err}");
    assert!(err.to_string().contains("--repair"), "{err}");

    let check = Store::check(&store).unwrap();
    assert!(!check.is_sound());
    assert_eq!(check.comments, 5);
    assert!(
        check.problems[0].what.contains("store format 1"),
        "{check:?}"
    );

    let repaired = Store::repair(&store).unwrap();
    assert_eq!((repaired.kept, repaired.removed), (5, 0));
    assert_eq!(repaired.upgraded_from, Some(1));
    assert!(Store::check(&store).unwrap().is_sound());

    let opened = Store::open(&store).unwrap();
    let comments = opened.comments().unwrap();
    let texts: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts.len(), 5);
    assert!(texts[1].starts_with("Waited four hours"), "{texts:?}");
    assert!(comments.iter().all(|c| c.annotations.is_none()));
    assert_eq!(opened.catalog().unwrap(), None);
}
