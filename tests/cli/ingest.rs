//! End-to-end tests of the ingest stage: `chorus ingest` on the sample export, on the real corpora, on
//! bad inputs next to good ones, and with each of its flags, checked through its summary and the store.

use std::path::Path;

use chorus_index::Store;
use serde_json::Value;

use crate::support::{chorus, chorus_ok, sample_corpus, shared_corpus, temp_dir, write_file};

/// Runs `chorus ingest ... --json` and returns the parsed summary, asserting success.
fn ingest_json(store: &Path, args: &[&str]) -> Value {
    let mut all: Vec<String> = vec!["ingest".into()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all.extend([
        "--store".into(),
        store.display().to_string(),
        "--json".into(),
    ]);
    let stdout = chorus_ok(&all);
    serde_json::from_str(&stdout).expect("the summary is JSON")
}

fn totals(summary: &Value, key: &str) -> u64 {
    summary["totals"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("no total {key} in {summary}"))
}

#[test]
fn the_sample_export_ingests_once_and_a_second_run_stores_nothing() {
    let dir = temp_dir();
    let store = dir.path().join("store");
    let sample = sample_corpus();
    let sample = sample.to_str().expect("a UTF-8 path");

    let first = ingest_json(&store, &[sample]);
    assert_eq!(totals(&first, "records"), 2424);
    assert_eq!(totals(&first, "stored"), 2416);
    assert_eq!(totals(&first, "duplicates"), 8);
    assert_eq!(totals(&first, "quarantined"), 0);
    assert_eq!(totals(&first, "stored_no_comment"), 677);
    let file = &first["files"][0];
    assert_eq!(file["encoding"], "UTF-8");
    assert_eq!(file["delimiter"], "comma");
    assert_eq!(file["redactions"]["nhs_number"], 2);
    assert_eq!(file["redactions"]["name"], 3);
    assert_eq!(
        Store::open(&store).expect("the store opens").len(),
        2416,
        "the store holds what the summary says"
    );

    let second = ingest_json(&store, &[sample]);
    assert_eq!(totals(&second, "stored"), 0);
    assert_eq!(totals(&second, "duplicates"), 2424);
    assert_eq!(Store::open(&store).expect("the store opens").len(), 2416);

    let stored = Store::open(&store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back");
    let all_text: String = stored.iter().map(|c| c.text.as_str()).collect();
    for secret in ["Dr Patel", "nurse Kelly", "07700 900482", "943 476 5919"] {
        assert!(!all_text.contains(secret), "{secret} reached the store");
    }
}

#[test]
fn the_human_summary_says_how_each_file_was_read() {
    let dir = temp_dir();
    let csv = write_file(
        dir.path(),
        "export.csv",
        "Comment ID;Date;FFT score;Comments;Age band\n1;03/04/2022;1;Lovely staff;65-74\n2;31/02/2022;9;N/A;\n",
    );
    let stdout = chorus_ok([
        "ingest".as_ref(),
        csv.as_os_str(),
        "--store".as_ref(),
        dir.path().join("store").as_os_str(),
    ]);
    for expected in [
        "read as: delimited text, encoding UTF-8, semicolon-separated",
        "columns: id = \"Comment ID\"; text = \"Comments\"; date = \"Date\"; score = \"FFT score\"",
        "attributes: Age band",
        "rows 2; records 2: stored 2 (of which no comment 1), duplicates 0, quarantined 0",
        "scores: not given 1 (1 not on the FFT scale, e.g. `9`)",
        "dates: read 1, unreadable 1 (stored undated)",
        "line 3, column \"Date\": `31/02/2022`: no such day",
        "total: 1 file (0 failed), 2 rows, 2 records: 2 stored (1 no comment), 0 duplicates, 0 quarantined",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn a_bad_file_fails_alone_with_advice_and_a_nonzero_status() {
    let dir = temp_dir();
    let good = write_file(dir.path(), "good.csv", "id,comment\n1,Kind staff\n");
    let no_text = write_file(dir.path(), "scores.csv", "id,score\n1,2\n");
    let missing = dir.path().join("missing.csv");
    let store = dir.path().join("store");
    let output = chorus([
        "ingest".as_ref(),
        no_text.as_os_str(),
        missing.as_os_str(),
        good.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    // Status 1: the good file is stored, the others are reported (2 is for errors that stop the command).
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "no free-text column found in {}: pass --map text=COLUMN; columns are: `id`, `score`",
            no_text.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("missing.csv"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("total: 3 files (2 failed)"), "{stdout}");
    assert_eq!(Store::open(&store).expect("the store opens").len(), 1);
}

#[test]
fn quarantined_records_go_to_a_file_in_the_store_that_the_summary_names() {
    let dir = temp_dir();
    let csv = write_file(
        dir.path(),
        "a.csv",
        "id,comment\n1,fine\n2,an, unquoted comma\n3,also fine\n",
    );
    let store = dir.path().join("store");
    let output = chorus([
        "ingest".as_ref(),
        csv.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(1), "a record was set aside");
    let summary: Value = serde_json::from_slice(&output.stdout).expect("the summary is JSON");
    assert_eq!(totals(&summary, "quarantined"), 1);
    assert_eq!(summary["files"][0]["quarantine_reasons"]["ragged row"], 1);
    assert_eq!(totals(&summary, "stored"), 2);
    let path = summary["quarantine_file"]
        .as_str()
        .expect("a quarantine file");
    assert!(Path::new(path).starts_with(&store), "{path}");
    let mut reader = csv::Reader::from_path(path).expect("the quarantine is CSV");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(&rows[0][1], "3");
    assert!(rows[0][3].starts_with("ragged row"), "{:?}", rows[0]);
    assert_eq!(&rows[0][4], "2,an, unquoted comma");
}

#[test]
fn map_names_and_date_order_flags_change_what_is_stored() {
    let dir = temp_dir();
    let csv = write_file(
        dir.path(),
        "a.csv",
        "Ref,Notes,When,Patient name\nA1,Thanks to kelly on ward 3,12/25/2021,Jo Bloggs\n",
    );
    let names = write_file(dir.path(), "names.txt", "# staff\nKelly\n");
    let store = dir.path().join("store");
    let summary = ingest_json(
        &store,
        &[
            csv.to_str().expect("a UTF-8 path"),
            "--map",
            "id=Ref",
            "--map",
            "text=Notes",
            "--map",
            "date=When",
            "--map",
            "ignore=Patient name",
            "--names",
            names.to_str().expect("a UTF-8 path"),
            "--date-order",
            "mdy",
            "--source-name",
            "December export",
        ],
    );
    assert_eq!(summary["files"][0]["redactions"]["name"], 1);
    let comments = Store::open(&store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back");
    let c = &comments[0];
    assert_eq!(c.id, "A1");
    assert_eq!(c.text, "Thanks to [NAME] on ward 3");
    assert_eq!(c.date.map(|d| d.to_string()).as_deref(), Some("2021-12-25"));
    assert!(c.attributes.is_empty(), "{:?}", c.attributes);
    assert_eq!(&*c.source.name, "December export");

    let output = chorus([
        "ingest".as_ref(),
        csv.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
        "--map".as_ref(),
        "colour=Notes".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown role `colour`"), "{stderr}");
}

#[test]
fn utf16_text_json_lines_and_story_folders_through_the_command() {
    let dir = temp_dir();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "id\tcomment\n1\t£5 parking – “awful”\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let tsv = write_file(dir.path(), "unicode.txt", utf16);
    let jsonl = write_file(
        dir.path(),
        "a.jsonl",
        "{\"id\": \"j1\", \"comment\": \"Quick and kind\"}\n",
    );
    let stories = dir.path().join("stories");
    std::fs::create_dir(&stories).expect("a folder");
    write_file(&stories, "one.txt", "The nurse sat with my mum all night.");
    let store = dir.path().join("store");
    let summary = ingest_json(
        &store,
        &[
            tsv.to_str().expect("a UTF-8 path"),
            jsonl.to_str().expect("a UTF-8 path"),
            stories.to_str().expect("a UTF-8 path"),
        ],
    );
    assert_eq!(totals(&summary, "stored"), 3);
    let formats: Vec<&str> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["format"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(formats, ["delimited", "json-lines", "story-folder"]);
    assert_eq!(summary["files"][0]["encoding"], "UTF-16LE");
    let texts: Vec<String> = Store::open(&store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back")
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(
        texts,
        [
            "£5 parking – “awful”",
            "Quick and kind",
            "The nurse sat with my mum all night."
        ]
    );
}

#[test]
fn the_real_corpora_ingest_with_no_flags_and_reconcile() {
    let dir = temp_dir();
    let names = [
        "fft-v6-dev.csv",
        "phase1-text-data.csv",
        "care-opinion-stories.csv",
    ];
    let paths: Vec<String> = names
        .iter()
        .filter_map(|name| shared_corpus(name))
        .map(|p| p.display().to_string())
        .collect();
    if paths.is_empty() {
        return;
    }
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let summary = ingest_json(&dir.path().join("store"), &args);
    assert_eq!(totals(&summary, "failed_files"), 0);
    for file in summary["files"].as_array().expect("files") {
        let n = |key: &str| file[key].as_u64().unwrap_or(u64::MAX);
        assert_eq!(
            n("records"),
            n("stored") + n("duplicates") + n("quarantined"),
            "{} does not reconcile",
            file["path"]
        );
        assert!(n("stored") > 1000, "{}", file["path"]);
        assert_eq!(n("quarantined"), 0, "{}", file["path"]);
    }
    // Care Opinion stories carry `&nbsp;` between paragraphs: stored text reads as written.
    let export = dir.path().join("all.jsonl");
    let store = dir.path().join("store");
    chorus_ok([
        "export".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "-o".as_ref(),
        export.as_os_str(),
    ]);
    let exported = std::fs::read_to_string(&export).expect("the export is written");
    assert!(!exported.contains("&nbsp;"), "HTML references are decoded");
}

/// Runs `chorus ingest FILES --store STORE` and returns (status, stdout, stderr).
fn ingest_raw(store: &Path, files: &[&Path]) -> (Option<i32>, String, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["ingest".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend(["--store".as_ref(), store.as_os_str()]);
    let output = chorus(args);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn records_set_aside_are_said_on_stderr_and_exit_with_status_1() {
    let dir = temp_dir();
    let store = dir.path().join("store");
    // 1 bad row in 200 (0.5 %): set aside, said, status 1.
    let mut few = String::from("id,comment\n");
    for i in 0..200 {
        few.push_str(&format!("{i},comment {i}\n"));
    }
    few.push_str("200,an, unquoted comma\n");
    let few = write_file(dir.path(), "few.csv", few);
    let (status, _, stderr) = ingest_raw(&store, &[&few]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains("1 of 201 records of") && stderr.contains("(1 ragged row)"),
        "{stderr}"
    );
    assert!(!stderr.contains("INCOMPLETE"), "{stderr}");
    assert!(stderr.contains("quarantine/ingest-0001.csv"), "{stderr}");

    // 99 of 100 (a file with unquoted commas throughout): the file's figures are called incomplete.
    let mut most = String::from("id,comment\n1,fine\n");
    for i in 2..=100 {
        most.push_str(&format!("{i},slow, then kind\n"));
    }
    let most = write_file(dir.path(), "most.csv", most);
    let (status, _, stderr) = ingest_raw(&store, &[&most]);
    assert_eq!(status, Some(1));
    assert!(
        stderr.contains("INCOMPLETE: 99 of 100 records of") && stderr.contains("(99.0%)"),
        "{stderr}"
    );

    // Everything stored or recognised: status 0, nothing on stderr.
    let good = write_file(dir.path(), "good.csv", "id,comment\n1,fine\n");
    let (status, _, stderr) = ingest_raw(&store, &[&good]);
    assert_eq!((status, stderr.as_str()), (Some(0), ""));

    let help = chorus_ok(["ingest", "--help"]);
    assert!(
        help.contains("Exit status:") && help.contains("1  done, but something was set aside"),
        "{help}"
    );
}

#[test]
fn cr_only_exports_and_same_named_files_from_two_folders_are_stored_whole() {
    let dir = temp_dir();
    let store = dir.path().join("store");
    // Old Mac Excel: CR line ends; no id column.
    let mut mac = String::from("Date,Comment\r");
    for i in 0..100 {
        mac.push_str(&format!("{:02}/01/2024,Comment number {i}\r", 1 + i % 28));
    }
    let mac = write_file(dir.path(), "mac.csv", mac);
    let (status, stdout, stderr) = ingest_raw(&store, &[&mac]);
    assert_eq!(status, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("stored 100"), "{stdout}");
    // January and February, both FFT_export.csv, with Response IDs.
    let mut files = Vec::new();
    for (month, first) in [("jan", 1000), ("feb", 2000)] {
        let folder = dir.path().join(month);
        std::fs::create_dir(&folder).expect("a folder");
        let mut csv = String::from("Response ID,Comment\r\n");
        for i in 0..30 {
            csv.push_str(&format!("{},Comment {month} {i}\r\n", first + i));
        }
        files.push(write_file(&folder, "FFT_export.csv", csv));
    }
    for file in &files {
        let (status, stdout, stderr) = ingest_raw(&store, &[file]);
        assert_eq!(status, Some(0), "{stdout}{stderr}");
        assert!(stdout.contains("stored 30"), "{stdout}");
    }
    let comments = Store::open(&store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back");
    assert_eq!(comments.len(), 160);
    // CRLF: the first data row is on line 2, as an editor shows it.
    let feb = comments
        .iter()
        .find(|c| c.id == "2000")
        .expect("February's first");
    assert_eq!(feb.source.line, 2);
}

#[cfg(unix)]
#[test]
fn links_out_of_a_story_folder_are_not_followed_and_names_are_printable() {
    let dir = temp_dir();
    let stories = dir.path().join("stories");
    std::fs::create_dir(&stories).expect("a folder");
    write_file(&stories, "one.txt", "The nurse sat with my mum all night.");
    write_file(&stories, "two\nlines\u{1b}[2J.txt", "Kind porters.");
    std::os::unix::fs::symlink("/etc/passwd", stories.join("passwd.txt")).expect("a link");
    let store = dir.path().join("store");
    let (status, stdout, stderr) = ingest_raw(&store, &[&stories]);
    assert_eq!(status, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("did not follow 1 symbolic links that lead out of the folder: passwd.txt"),
        "{stderr}"
    );
    assert!(
        !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
        "{stdout}{stderr}"
    );
    let comments = Store::open(&store)
        .expect("the store opens")
        .comments()
        .expect("the comments read back");
    assert_eq!(comments.len(), 2);
    assert!(comments.iter().all(|c| !c.text.contains("root:")));
    assert!(
        comments
            .iter()
            .all(|c| !c.id.contains('\n') && !c.source.name.contains('\n'))
    );
}

#[test]
fn workbook_limits_are_flags_with_sizes() {
    let dir = temp_dir();
    let csv = write_file(dir.path(), "a.csv", "id,comment\n1,fine\n");
    let output = chorus([
        "ingest".as_ref(),
        csv.as_os_str(),
        "--store".as_ref(),
        dir.path().join("store").as_os_str(),
        "--max-cell-size".as_ref(),
        "lots".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`lots` is not a size"), "{stderr}");
    chorus_ok([
        "ingest".as_ref(),
        csv.as_os_str(),
        "--store".as_ref(),
        dir.path().join("store").as_os_str(),
        "--max-unzipped-size".as_ref(),
        "512M".as_ref(),
        "--max-cell-size".as_ref(),
        "64K".as_ref(),
    ]);
}

#[test]
fn a_date_cell_with_a_symbol_after_a_digit_is_unreadable_not_a_crash() {
    // `1€` once cut the euro sign in two inside the date parser: the whole ingest aborted.
    let dir = temp_dir();
    let csv = write_file(
        dir.path(),
        "a.csv",
        "id,Date,comment\n1,1€,Kind staff\n2,01/02/2024 £14:00,Quick\n",
    );
    let summary = ingest_json(
        &dir.path().join("store"),
        &[csv.to_str().expect("a UTF-8 path")],
    );
    assert_eq!(totals(&summary, "stored"), 2);
    assert_eq!(totals(&summary, "dates_unreadable"), 2);
}
