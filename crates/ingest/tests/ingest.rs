//! End-to-end tests of the ingestion library: every format, encoding and bad input a user may hand it,
//! redaction through the whole pipeline, deduplication across ingests, and the real corpora.

#![allow(clippy::unwrap_used)] // Tests fail loudly on a broken fixture.

use std::path::{Path, PathBuf};

use chorus_core::{Comment, FftScore};
use chorus_ingest::{
    ColumnOverride, Deduplicator, FileReport, IngestOptions, IngestReport, InputFormat,
    QuarantineWriter, Redactor, ingest,
};

/// What one ingest produced.
struct Outcome {
    report: IngestReport,
    comments: Vec<Comment>,
    /// The quarantine CSV's rows (header excluded), empty if nothing was quarantined.
    quarantine: Vec<Vec<String>>,
}

impl Outcome {
    fn file(&self) -> &FileReport {
        &self.report.files[0]
    }

    fn texts(&self) -> Vec<&str> {
        self.comments.iter().map(|c| c.text.as_str()).collect()
    }
}

fn run_with(
    paths: &[PathBuf],
    options: &IngestOptions,
    dedup: &mut Deduplicator,
    dir: &Path,
) -> Outcome {
    let quarantine_path = dir.join(format!("quarantine-{}.csv", dedup.len()));
    let mut quarantine = QuarantineWriter::new(&quarantine_path);
    let mut comments = Vec::new();
    let report = ingest(
        paths,
        options,
        dedup,
        &mut comments,
        &mut quarantine,
        &mut |_| {},
    );
    drop(quarantine);
    assert!(report.reconciles(), "does not reconcile: {report:#?}");
    let quarantine = if quarantine_path.exists() {
        let mut reader = csv::Reader::from_path(&quarantine_path).unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    } else {
        Vec::new()
    };
    Outcome {
        report,
        comments,
        quarantine,
    }
}

/// Writes `contents` to a file named `name` in a fresh folder and ingests it with default options.
fn ingest_bytes(name: &str, contents: impl AsRef<[u8]>) -> Outcome {
    ingest_bytes_with(name, contents, &IngestOptions::default())
}

fn ingest_bytes_with(name: &str, contents: impl AsRef<[u8]>, options: &IngestOptions) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    run_with(&[path], options, &mut Deduplicator::new(), dir.path())
}

fn options_with_map(maps: &[&str]) -> IngestOptions {
    IngestOptions {
        overrides: maps
            .iter()
            .map(|m| m.parse::<ColumnOverride>().unwrap())
            .collect(),
        ..IngestOptions::default()
    }
}

const SIMPLE_CSV: &str = "Comment ID,Date,FFT categorical answer,FFT answer,Age band\n\
1,30/09/2021,1,“Lovely” staff – £5 parking,65-74\n\
2,01/10/2021,Very poor,Waited 4 hours,\n\
3,02/10/2021,,N/A,18-24\n";

fn check_simple(outcome: &Outcome) {
    let file = outcome.file();
    assert_eq!(file.error, None);
    assert_eq!((file.rows, file.records, file.stored), (3, 3, 3));
    assert_eq!(file.stored_no_comment, 1);
    assert_eq!(
        outcome.texts(),
        ["“Lovely” staff – £5 parking", "Waited 4 hours", ""]
    );
    let c = &outcome.comments[0];
    assert_eq!(c.id, "1");
    assert_eq!(&*c.question, "FFT answer");
    assert_eq!(c.score, FftScore::VeryGood);
    assert_eq!(c.date.map(|d| d.to_string()).as_deref(), Some("2021-09-30"));
    assert_eq!(c.attributes.get("Age band"), Some("65-74"));
    assert_eq!(outcome.comments[1].score, FftScore::VeryPoor);
    assert_eq!(outcome.comments[2].score, FftScore::NotGiven);
    assert!(outcome.comments[2].no_comment);
    assert_eq!(file.scores_not_given, 1);
    assert_eq!(file.scores.percent_positive(), Some(50.0));
}

#[test]
fn csv_tsv_and_semicolon_files_read_alike() {
    let cases = [
        ("a.csv", SIMPLE_CSV.to_owned(), "comma"),
        ("a.tsv", SIMPLE_CSV.replace(',', "\t"), "tab"),
        ("a.txt", SIMPLE_CSV.replace(',', "\t"), "tab"),
        ("a.csv", SIMPLE_CSV.replace(',', ";"), "semicolon"),
    ];
    for (name, contents, delimiter) in cases {
        let outcome = ingest_bytes(name, contents);
        check_simple(&outcome);
        assert_eq!(outcome.file().format, Some(InputFormat::Delimited));
        assert_eq!(
            outcome.file().delimiter.as_deref(),
            Some(delimiter),
            "{name}"
        );
    }
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

#[test]
fn every_encoding_is_detected_reported_and_decoded() {
    let tsv = SIMPLE_CSV.replace(',', "\t");
    let windows_1252: Vec<u8> = SIMPLE_CSV
        .chars()
        .map(|c| match c {
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '£' => 0xA3,
            c => c as u8,
        })
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.csv", SIMPLE_CSV.as_bytes().to_vec(), "UTF-8"),
        (
            "a.csv",
            [&b"\xEF\xBB\xBF"[..], SIMPLE_CSV.as_bytes()].concat(),
            "UTF-8 with BOM",
        ),
        ("a.txt", utf16(&tsv, true), "UTF-16LE"),
        ("a.txt", utf16(&tsv, false), "UTF-16BE"),
        ("a.csv", windows_1252, "Windows-1252"),
    ];
    for (name, bytes, encoding) in cases {
        let outcome = ingest_bytes(name, bytes);
        check_simple(&outcome);
        assert_eq!(outcome.file().encoding.as_deref(), Some(encoding));
        // The BOM must not leak into the first header.
        assert_eq!(outcome.file().mapping[0].column, "Comment ID", "{encoding}");
    }
}

#[test]
fn a_stray_windows_1252_byte_late_in_a_utf8_file_costs_one_row_a_fallback() {
    let mut bytes = SIMPLE_CSV.as_bytes().to_vec();
    // Past the 64 KiB sniffing window the file still looks like UTF-8.
    for i in 0..3000 {
        bytes.extend(
            format!(
                "{},01/11/2021,2,Comment number {i} was fine enough\n",
                i + 10
            )
            .as_bytes(),
        );
    }
    bytes.extend(b"9999,01/11/2021,2,Caf\xE9 was shut,\n");
    let outcome = ingest_bytes("a.csv", bytes);
    assert_eq!(outcome.file().encoding.as_deref(), Some("UTF-8"));
    assert_eq!(outcome.file().encoding_fallback_rows, 1);
    assert_eq!(outcome.comments.last().unwrap().text, "Café was shut");
}

#[test]
fn xlsx_workbooks_with_date_and_number_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Comment ID", "Date", "FFT score", "Comments", "Ward"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 101).unwrap();
    let date = ExcelDateTime::from_ymd(2022, 4, 3).unwrap();
    sheet
        .write_datetime_with_format(1, 1, &date, &date_format)
        .unwrap();
    sheet.write_number(1, 2, 1).unwrap();
    sheet.write_string(1, 3, "Dr Patel was kind").unwrap();
    sheet.write_string(1, 4, "Ward 7").unwrap();
    // A date typed as a plain number (the serial) and a text date.
    sheet.write_number(2, 0, 102).unwrap();
    sheet.write_number(2, 1, 44_469).unwrap();
    sheet.write_string(2, 2, "Poor").unwrap();
    sheet.write_string(2, 3, "Did not answer").unwrap();
    sheet.write_number(3, 0, 103).unwrap();
    sheet.write_string(3, 1, "31/02/2022").unwrap();
    sheet.write_number(3, 2, 7).unwrap();
    sheet.write_string(3, 3, "Cold food").unwrap();
    // A row with a value beyond the header is ragged; an empty row in between is skipped.
    sheet.write_number(5, 0, 104).unwrap();
    sheet.write_string(5, 3, "ok").unwrap();
    sheet.write_string(5, 7, "stray note").unwrap();
    workbook.save(&path).unwrap();

    let outcome = run_with(
        &[path],
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let file = outcome.file();
    assert_eq!(file.format, Some(InputFormat::Excel));
    assert_eq!(
        (file.rows, file.records, file.stored, file.quarantined),
        (4, 4, 3, 1)
    );
    let c = &outcome.comments;
    assert_eq!(c[0].id, "101");
    assert_eq!(c[0].text, "Dr [NAME] was kind");
    assert_eq!(c[0].date.unwrap().to_string(), "2022-04-03");
    assert_eq!(c[0].service.as_deref(), Some("Ward 7"));
    assert_eq!(c[0].source.line, 2);
    assert_eq!(c[1].date.unwrap().to_string(), "2021-09-30");
    assert!(c[1].no_comment);
    assert_eq!(c[1].score, FftScore::Poor);
    assert_eq!(c[2].date, None);
    assert_eq!(c[2].score, FftScore::NotGiven);
    assert_eq!(file.dates_unreadable, 1);
    assert_eq!(file.scores_unrecognised, 1);
    assert_eq!(outcome.quarantine[0][1], "6");
    assert!(
        outcome.quarantine[0][3].starts_with("ragged row"),
        "{:?}",
        outcome.quarantine
    );
}

#[test]
fn json_lines_with_missing_and_extra_keys_and_broken_lines() {
    let jsonl = concat!(
        r#"{"id": "a1", "comment": "Great care", "score": 1, "date": "2022-03-01"}"#,
        "\n",
        "\n",
        r#"{"id": "a2", "score": "2"}"#,
        "\n",
        r#"{"id": "a3", "comment": "Rude receptionist", "score": null, "ward": "ED", "age band": "75+"}"#,
        "\n",
        "not json at all\n",
        r#"["an", "array"]"#,
        "\n",
    );
    let outcome = ingest_bytes("a.jsonl", jsonl);
    let file = outcome.file();
    assert_eq!(file.format, Some(InputFormat::JsonLines));
    assert_eq!(
        (file.rows, file.records, file.stored, file.quarantined),
        (5, 5, 2, 3)
    );
    assert_eq!(outcome.texts(), ["Great care", "Rude receptionist"]);
    assert_eq!(outcome.comments[0].score, FftScore::VeryGood);
    assert_eq!(outcome.comments[1].service.as_deref(), Some("ED"));
    assert_eq!(outcome.comments[1].attributes.get("age band"), Some("75+"));
    let reasons: Vec<(&str, &str)> = outcome
        .quarantine
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        reasons[0],
        ("3", "missing text: the JSON object has no `comment` key")
    );
    assert_eq!(reasons[1].0, "5");
    assert!(reasons[1].1.starts_with("not valid JSON"), "{reasons:?}");
    assert!(reasons[2].1.starts_with("not a JSON object"), "{reasons:?}");
}

#[test]
fn a_folder_of_stories_one_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let stories = dir.path().join("stories");
    std::fs::create_dir(&stories).unwrap();
    std::fs::write(
        stories.join("b-story.txt"),
        "The paramedic John was calm.\nThank you.",
    )
    .unwrap();
    std::fs::write(
        stories.join("a-story.txt"),
        b"\x93Kind\x94 staff, \xA310 parking",
    )
    .unwrap();
    std::fs::write(stories.join("c-empty.txt"), "  \n").unwrap();
    std::fs::write(stories.join("notes.pdf"), "x").unwrap();
    let outcome = run_with(
        std::slice::from_ref(&stories),
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let file = outcome.file();
    assert_eq!(file.format, Some(InputFormat::StoryFolder));
    assert_eq!(
        (file.rows, file.records, file.stored, file.quarantined),
        (3, 3, 2, 1)
    );
    assert_eq!(
        outcome.texts(),
        [
            "“Kind” staff, £10 parking",
            "The paramedic [NAME] was calm.\nThank you."
        ]
    );
    assert_eq!(outcome.comments[0].id, "a-story");
    assert_eq!(outcome.comments[0].question.as_ref(), "Story");
    assert_eq!(
        file.encoding.as_deref(),
        Some("UTF-8 (2 files), Windows-1252 (1 file)")
    );
    assert!(
        file.notes.iter().any(|n| n.contains("notes.pdf")),
        "{:?}",
        file.notes
    );
    assert_eq!(
        outcome.quarantine[0][0],
        stories.join("c-empty.txt").display().to_string()
    );
    assert_eq!(outcome.quarantine[0][3], "empty story file");
}

#[test]
fn a_lone_txt_without_delimiters_is_one_story() {
    let outcome = ingest_bytes("my-story.txt", "I was seen quickly.\nThe nurse was kind.");
    assert_eq!(outcome.file().format, Some(InputFormat::Story));
    assert_eq!(
        outcome.texts(),
        ["I was seen quickly.\nThe nurse was kind."]
    );
}

#[test]
fn several_text_columns_are_linked_comments_with_their_questions() {
    let csv = "Response ID,Site,Please tell us why you gave your answer,What could we do better?,FFT score\n\
               77,Riverside,Kind staff,Nothing.,1\n\
               78,Riverside,nothing,Parking,2\n";
    let outcome = ingest_bytes("wide.csv", csv);
    let file = outcome.file();
    assert_eq!(
        (file.rows, file.records, file.stored, file.stored_no_comment),
        (2, 4, 4, 1)
    );
    let c = &outcome.comments;
    assert_eq!(c[0].respondent, "77");
    assert_eq!(c[1].respondent, "77");
    assert_eq!(&*c[0].question, "Please tell us why you gave your answer");
    assert_eq!(&*c[1].question, "What could we do better?");
    // "Nothing." improves nothing (praise, kept); "nothing" gives no reason (no comment).
    assert_eq!((c[1].text.as_str(), c[1].no_comment), ("Nothing.", false));
    assert_eq!((c[2].text.as_str(), c[2].no_comment), ("", true));
    assert_eq!(c[0].organisation.as_deref(), Some("Riverside"));
    assert_ne!(c[0].identity_key(), c[1].identity_key());
}

#[test]
fn ragged_rows_and_undecodable_bytes_are_quarantined_with_line_and_reason() {
    let mut bytes = b"id,comment,score\n1,fine,1\n2,an, unquoted comma,2\n3,ok,1\n".to_vec();
    // Enough valid UTF-8 first that the file is read as UTF-8.
    bytes.extend(b"4,bytes \x81\x8D\x90 here,1\n");
    let outcome = ingest_bytes("a.csv", bytes);
    let file = outcome.file();
    assert_eq!(
        (file.rows, file.records, file.stored, file.quarantined),
        (4, 4, 2, 2)
    );
    let q = &outcome.quarantine;
    assert_eq!(q[0][1], "3");
    assert_eq!(
        q[0][3],
        "ragged row: 4 fields where the header has 3 (an unquoted delimiter or line break in a comment?)"
    );
    assert_eq!(q[0][4], "2,an, unquoted comma,2");
    assert_eq!(q[1][1], "5");
    assert_eq!(q[1][2], "comment");
    assert_eq!(
        q[1][3],
        "undecodable bytes: column `comment` is not valid UTF-8 or Windows-1252 text"
    );
}

#[test]
fn unreadable_dates_are_stored_undated_counted_and_a_dead_column_is_flagged() {
    let csv = "id,Date,comment\n1,31/02/2022,a\n2,12/25/2021,b\n3,03/04/2022,c\n";
    let outcome = ingest_bytes("a.csv", csv);
    let file = outcome.file();
    assert_eq!(file.stored, 3);
    assert_eq!((file.dates_read, file.dates_unreadable), (1, 2));
    assert_eq!(outcome.comments[2].date.unwrap().to_string(), "2022-04-03");
    assert_eq!(file.date_examples[0].line, 2);
    assert_eq!(file.date_examples[0].value, "31/02/2022");
    assert!(
        file.warnings.iter().any(|w| w.contains("--date-order mdy")),
        "{:?}",
        file.warnings
    );

    let american = IngestOptions {
        date_order: "mdy".parse().unwrap(),
        ..IngestOptions::default()
    };
    let outcome = ingest_bytes_with(
        "a.csv",
        "id,Date,comment\n1,12/25/2021,a\n2,03/04/2022,b\n",
        &american,
    );
    assert_eq!(outcome.comments[1].date.unwrap().to_string(), "2022-03-04");
    assert_eq!(outcome.file().dates_unreadable, 0);

    let outcome = ingest_bytes("a.csv", "id,Date,comment\n1,soon,a\n2,later,b\n");
    assert_eq!(outcome.file().stored, 2);
    assert!(
        outcome.file().warnings[0]
            .starts_with("none of the 2 dates in column `Date` could be read")
    );
}

#[test]
fn files_that_cannot_be_read_fail_alone_with_a_message_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, SIMPLE_CSV).unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let no_text = dir.path().join("scores.csv");
    std::fs::write(&no_text, "id,score\n1,2\n").unwrap();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, "%PDF-1.4").unwrap();
    let binary = dir.path().join("binary.csv");
    std::fs::write(&binary, b"\x00\x01\x02\x03\x00\xff\xfe\x00\x00").unwrap();
    let missing = dir.path().join("missing.csv");
    let paths = vec![empty.clone(), no_text, pdf, missing, binary, good];
    let outcome = run_with(
        &paths,
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let errors: Vec<String> = outcome
        .report
        .files
        .iter()
        .map(|f| f.error.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        errors[0],
        format!(
            "{} is empty: there is nothing to ingest (check that the export finished)",
            empty.display()
        )
    );
    assert!(
        errors[1].ends_with("scores.csv: pass --map text=COLUMN; columns are: `id`, `score`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains("`.pdf` files are not read"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with(&format!("cannot read {}", paths[3].display())),
        "{}",
        errors[3]
    );
    assert!(errors[4].contains("binary data"), "{}", errors[4]);
    assert_eq!(errors[5], "");
    assert_eq!(outcome.report.totals.failed_files, 5);
    assert_eq!(outcome.report.totals.stored, 3);
}

#[test]
fn map_overrides_detection_and_ignore_drops_a_column() {
    let csv = "Ref,Notes,Patient name,When\nA,Kind staff,Jo Bloggs,01/02/2022\n";
    let options = options_with_map(&["id=Ref", "text=Notes", "ignore=Patient name", "date=when"]);
    let outcome = ingest_bytes_with("a.csv", csv, &options);
    let c = &outcome.comments[0];
    assert_eq!((c.id.as_str(), c.text.as_str()), ("A", "Kind staff"));
    assert!(c.attributes.is_empty(), "{:?}", c.attributes);
    assert_eq!(c.date.unwrap().to_string(), "2022-02-01");

    let outcome = ingest_bytes_with("a.csv", csv, &options_with_map(&["text=Nope"]));
    let error = outcome.file().error.clone().unwrap();
    assert!(
        error.contains("--map text=Nope") && error.contains("`Notes`"),
        "{error}"
    );
}

#[test]
fn identifiers_are_redacted_in_text_and_attributes_and_counted() {
    let csv = "id,comment,Other comments\n\
        1,\"Dr Patel and nurse Kelly, call 07700 900123 or jo@example.com, NHS 943 476 5919, NE1 4LP\",ask for Sister O'Brien\n\
        2,\"Rang 111 at 10:30 on 03/04/2022, waited 4 hours; code 943 476 5918\",\n";
    let options = options_with_map(&["text=comment"]);
    let outcome = ingest_bytes_with("a.csv", csv, &options);
    assert_eq!(
        outcome.texts(),
        [
            "Dr [NAME] and nurse [NAME], call [PHONE] or [EMAIL], NHS [NHS_NUMBER], [POSTCODE]",
            "Rang 111 at 10:30 on 03/04/2022, waited 4 hours; code 943 476 5918",
        ]
    );
    assert_eq!(
        outcome.comments[0].attributes.get("Other comments"),
        Some("ask for Sister [NAME]")
    );
    let r = outcome.file().redactions;
    assert_eq!(
        (r.nhs_number, r.phone, r.email, r.postcode, r.name),
        (1, 1, 1, 1, 3)
    );

    let names = IngestOptions {
        redactor: Redactor::new().with_names(["Kelly", "Bloggs"]),
        ..IngestOptions::default()
    };
    let outcome = ingest_bytes_with(
        "a.csv",
        "id,comment\n1,kelly and Mr BLOGGS were kind\n",
        &names,
    );
    assert_eq!(outcome.texts(), ["[NAME] and Mr [NAME] were kind"]);
}

#[test]
fn quarantined_raw_records_are_redacted_too() {
    let outcome = ingest_bytes("a.csv", "id,comment\n1,\"call 07700 900123\",extra\n");
    assert_eq!(outcome.quarantine[0][4], "1,call [PHONE],extra");
}

#[test]
fn re_ingesting_stores_nothing_and_changed_text_is_stored_under_a_new_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(&path, SIMPLE_CSV).unwrap();
    let mut dedup = Deduplicator::new();
    let options = IngestOptions::default();
    let first = run_with(
        std::slice::from_ref(&path),
        &options,
        &mut dedup,
        dir.path(),
    );
    assert_eq!(first.file().stored, 3);
    let second = run_with(
        std::slice::from_ref(&path),
        &options,
        &mut dedup,
        dir.path(),
    );
    assert_eq!((second.file().stored, second.file().duplicates), (0, 3));

    // The same file again under another name, with one comment edited.
    let edited = dir.path().join("b.csv");
    std::fs::write(
        &edited,
        SIMPLE_CSV.replace("Waited 4 hours", "Waited 5 hours"),
    )
    .unwrap();
    let third = run_with(
        std::slice::from_ref(&edited),
        &options,
        &mut dedup,
        dir.path(),
    );
    let file = third.file();
    assert_eq!((file.stored, file.duplicates, file.quarantined), (1, 2, 0));
    assert_eq!(third.comments[0].id, "2~2");
    assert_eq!(third.comments[0].text, "Waited 5 hours");
    assert_eq!(file.id_clashes, 1);
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("line 3: `2` stored as `2~2`")),
        "{:?}",
        file.warnings
    );
    // Both versions are recognised when they come again.
    let fourth = run_with(&[edited, path], &options, &mut dedup, dir.path());
    assert_eq!(fourth.report.totals.duplicates, 6);
    assert_eq!(fourth.report.totals.stored, 0);
}

#[test]
fn duplicates_within_one_file_count_once() {
    let csv = "Respondent ID,Comment ID,comment\nr1,1,Great\nr1,1,Great\nr1,2,Great\nr2,3,Great\n";
    let outcome = ingest_bytes("a.csv", csv);
    let file = outcome.file();
    // Row 3: same identity and text; row 4: same respondent, question and text under another id.
    assert_eq!((file.records, file.stored, file.duplicates), (4, 2, 2));
}

#[test]
fn progress_reaches_the_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(&path, SIMPLE_CSV).unwrap();
    let mut last = 0;
    let mut sink = Vec::new();
    ingest(
        &[path],
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        &mut sink,
        &mut QuarantineWriter::counting_only(),
        &mut |bytes| last = bytes,
    );
    assert_eq!(last, SIMPLE_CSV.len() as u64);
}

fn shared_corpus(name: &str) -> Option<PathBuf> {
    chorus_testdata::file(name)
}

#[test]
fn the_real_corpora_ingest_without_flags_and_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    // (file, rows, text column, no-comment at least)
    let cases = [
        ("fft-v6-dev.csv", 4773, "FFT answer", 900),
        ("phase1-text-data.csv", 10_334, "feedback", 0),
        ("care-opinion-stories.csv", 1977, "feedback", 0),
    ];
    for (name, rows, text, no_comment) in cases {
        let Some(path) = shared_corpus(name) else {
            continue;
        };
        let outcome = run_with(
            &[path],
            &IngestOptions::default(),
            &mut Deduplicator::new(),
            dir.path(),
        );
        let file = outcome.file();
        assert_eq!(file.error, None, "{name}");
        assert_eq!(file.rows, rows, "{name}");
        assert_eq!(file.records, rows, "{name}");
        assert_eq!(file.quarantined, 0, "{name}");
        assert!(
            file.stored_no_comment >= no_comment,
            "{name}: {}",
            file.stored_no_comment
        );
        assert!(
            file.mapping.iter().any(|m| m.column == text),
            "{name}: {:?}",
            file.mapping
        );
        assert!(file.stored + file.duplicates == rows, "{name}");
    }
    if let Some(path) = shared_corpus("fft-v6-dev.csv") {
        let outcome = run_with(
            &[path],
            &IngestOptions::default(),
            &mut Deduplicator::new(),
            dir.path(),
        );
        let file = outcome.file();
        // "7" is not on the scale: kept as not given, never dropped.
        assert_eq!(file.score_examples, ["7"]);
        assert_eq!(file.scores_unrecognised, 241);
        // A block of the file is written month-first; the report says so.
        assert!(file.warnings.iter().any(|w| w.contains("--date-order mdy")));
        let c = &outcome.comments[0];
        assert_eq!(c.organisation.as_deref(), Some("NEAS"));
        assert!(
            c.attributes.get("Service type 2").is_some()
                || c.attributes.get("Comment sentiment").is_some()
        );
        // The two spellings of the 111 question (one with a space before the line break) are one.
        let questions: std::collections::BTreeSet<&str> =
            outcome.comments.iter().map(|c| &*c.question).collect();
        assert_eq!(questions.len(), 5, "{questions:?}");
    }
}

#[test]
fn the_sample_export_matches_its_documented_counts() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpora/sample-fft.csv");
    if !path.is_file() {
        eprintln!("skipping: {} is absent", path.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_with(
        &[path],
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let file = outcome.file();
    // 1,212 rows × 2 questions; 4 rows are exact duplicates (8 comments).
    assert_eq!(
        (
            file.rows,
            file.records,
            file.stored,
            file.duplicates,
            file.quarantined
        ),
        (1212, 2424, 2416, 8, 0)
    );
    // Why: 63 placeholders + 100 blank; improve: 82 placeholders + 432 blank (over distinct respondents).
    assert_eq!(file.stored_no_comment, 677);
    assert_eq!(file.scores_unrecognised, 6);
    let r = file.redactions;
    assert_eq!(
        (
            r.nhs_number,
            r.phone,
            r.email,
            r.postcode,
            r.address,
            r.name
        ),
        (2, 1, 1, 1, 1, 3)
    );
    let all: String = outcome.comments.iter().map(|c| c.text.as_str()).collect();
    for secret in [
        "Patel",
        "Kelly",
        "07700 900482",
        "sarah.j.walker",
        "RV4 7QT",
        "Mill Lane",
        "943 476 5919",
        "9991234578",
    ] {
        assert!(!all.contains(secret), "{secret} was not redacted");
    }
}

#[test]
fn a_missing_closing_quote_does_not_turn_following_rows_into_one_comment() {
    // The quote opened in row 1 closes in row 4, so the record even has the right number of fields.
    let csv =
        "id,comment,score\n1,\"oops,1\n2,Kind staff,1\n3,Slow,2\n4,Fine,1\n5,\"Long wait\",4\n";
    let outcome = ingest_bytes("a.csv", csv);
    let file = outcome.file();
    assert_eq!((file.rows, file.stored, file.quarantined), (1, 0, 1));
    assert!(
        outcome.quarantine[0][3].contains("missing closing quote"),
        "{:?}",
        outcome.quarantine
    );
    assert!(
        outcome.quarantine[0][4].contains("3,Slow,2"),
        "{:?}",
        outcome.quarantine
    );
    // A story with paragraphs (and commas) is not mistaken for that.
    let csv =
        "id,comment,score\n1,\"First, we waited.\nThen, the nurse came.\nAll good, thanks.\",1\n";
    assert_eq!(ingest_bytes("a.csv", csv).file().stored, 1);
}

/// Ingests `paths` in one run into `dedup`, with default options.
fn run_paths(paths: &[PathBuf], dedup: &mut Deduplicator, dir: &Path) -> Outcome {
    run_with(paths, &IngestOptions::default(), dedup, dir)
}

#[test]
fn the_same_file_name_in_two_folders_holds_different_comments() {
    // Two monthly exports, both FFT_export.csv; a Response ID column but no comment id column.
    let dir = tempfile::tempdir().unwrap();
    let (jan, feb) = (dir.path().join("jan"), dir.path().join("feb"));
    let mut paths = Vec::new();
    for (folder, first_id) in [(&jan, 1000), (&feb, 2000)] {
        std::fs::create_dir(folder).unwrap();
        let mut csv = String::from("Response ID,Date,FFT score,Please tell us why\n");
        for i in 0..50 {
            csv.push_str(&format!("{},01/01/2024,1,Comment {i}\n", first_id + i));
        }
        let path = folder.join("FFT_export.csv");
        std::fs::write(&path, csv).unwrap();
        paths.push(path);
    }
    let mut dedup = Deduplicator::new();
    let first = run_paths(&paths[..1], &mut dedup, dir.path());
    let second = run_paths(&paths[1..], &mut dedup, dir.path());
    assert_eq!((first.file().stored, first.file().quarantined), (50, 0));
    assert_eq!((second.file().stored, second.file().quarantined), (50, 0));
    assert_eq!(second.comments[0].id, "2000", "the Response ID is the id");
    // Again, in one run: everything is recognised.
    let again = run_paths(&paths, &mut dedup, dir.path());
    assert_eq!(again.report.totals.duplicates, 100);

    // Without any id column, a comment's id comes from its content, not from the file's name.
    let mut dedup = Deduplicator::new();
    for (folder, month) in [(&jan, "01"), (&feb, "02")] {
        let mut csv = String::from("Date,Comment\n");
        for i in 0..30 {
            csv.push_str(&format!("{:02}/{month}/2024,Comment {i}\n", 1 + i % 28));
        }
        std::fs::write(folder.join("FFT_export.csv"), csv).unwrap();
    }
    let first = run_paths(&paths[..1], &mut dedup, dir.path());
    let second = run_paths(&paths[1..], &mut dedup, dir.path());
    assert_eq!((first.file().stored, second.file().stored), (30, 30));
    assert_eq!(second.file().quarantined, 0);
    assert!(
        second.comments[0].id.starts_with("row-"),
        "{}",
        second.comments[0].id
    );
    // The same export saved under another name is still recognised.
    let renamed = dir.path().join("february copy.csv");
    std::fs::copy(&paths[1], &renamed).unwrap();
    let copy = run_paths(&[renamed], &mut dedup, dir.path());
    assert_eq!((copy.file().stored, copy.file().duplicates), (0, 30));
}

#[test]
fn identical_rows_without_ids_are_all_kept_and_recognised_again() {
    // Three people gave the same short answer on the same day.
    let csv = "Date,FFT score,Comment\n01/03/2024,1,Excellent\n01/03/2024,1,Excellent\n02/03/2024,2,Good\n01/03/2024,1,Excellent\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(&path, csv).unwrap();
    let mut dedup = Deduplicator::new();
    let first = run_paths(std::slice::from_ref(&path), &mut dedup, dir.path());
    assert_eq!((first.file().stored, first.file().duplicates), (4, 0));
    let ids: Vec<&str> = first.comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids[1], format!("{}-2", ids[0]));
    assert_eq!(ids[3], format!("{}-3", ids[0]));
    let again = run_paths(&[path], &mut dedup, dir.path());
    assert_eq!((again.file().stored, again.file().duplicates), (0, 4));
}

/// A CSV with `rows` rows after the header, its records ended by `ends` in turn.
fn csv_with_line_ends(header: &str, rows: &[String], ends: &[&str]) -> String {
    let mut csv = String::from(header);
    csv.push_str(ends[0]);
    for (i, row) in rows.iter().enumerate() {
        csv.push_str(row);
        csv.push_str(ends[(i + 1) % ends.len()]);
    }
    csv
}

#[test]
fn cr_only_and_mixed_line_endings_read_every_row_on_its_editor_line() {
    let rows: Vec<String> = (0..100)
        .map(|i| format!("{:02}/01/2024,Comment number {i}", 1 + i % 28))
        .collect();
    for ends in [&["\r"][..], &["\r\n", "\n", "\r"], &["\r\n"], &["\n"]] {
        let outcome = ingest_bytes("a.csv", csv_with_line_ends("Date,Comment", &rows, ends));
        let file = outcome.file();
        assert_eq!(
            (file.rows, file.stored, file.quarantined),
            (100, 100, 0),
            "{ends:?}"
        );
        let lines: Vec<u64> = outcome.comments.iter().map(|c| c.source.line).collect();
        assert_eq!(lines, (2..102).collect::<Vec<u64>>(), "{ends:?}");
    }
}

#[test]
fn line_numbers_count_quoted_line_breaks_and_blank_lines_as_an_editor_does() {
    // Line 1 header; line 2 one record; lines 3-5 a record whose comment spans three lines (CR, CRLF);
    // line 6 blank; line 7 a ragged row, quarantined with its line.
    let csv = "id,comment\r\n1,fine\r\n2,\"first\rsecond\r\nthird\"\r\n\r\n3,an, unquoted comma\r\n4,last\r\n";
    let outcome = ingest_bytes("a.csv", csv);
    let lines: Vec<(String, u64)> = outcome
        .comments
        .iter()
        .map(|c| (c.id.clone(), c.source.line))
        .collect();
    assert_eq!(lines, [("1".into(), 2), ("2".into(), 3), ("4".into(), 8)]);
    assert_eq!(outcome.quarantine[0][1], "7");
    // JSON lines too: a lone CR ends a line.
    let jsonl = "{\"id\": \"a\", \"comment\": \"one\"}\r{\"id\": \"b\", \"comment\": \"two\"}\r\n\r\n{\"id\": \"c\", \"comment\": \"three\"}\r";
    let outcome = ingest_bytes("a.jsonl", jsonl);
    let lines: Vec<u64> = outcome.comments.iter().map(|c| c.source.line).collect();
    assert_eq!(lines, [1, 2, 4]);
}

#[test]
fn one_windows_1252_byte_early_in_a_utf8_file_costs_one_field_not_the_file() {
    // U+1F610 is F0 9F 98 90 in UTF-8: 0x90 is not a Windows-1252 character, so reading the whole file
    // as Windows-1252 would lose these rows; curly quotes would come out as mojibake.
    let mut bytes = b"id,comment\n1,Caf\xE9 was shut\n".to_vec();
    for i in 2..=2000 {
        bytes.extend(format!("{i},\u{201C}Fine\u{201D} \u{1F610}\n").as_bytes());
    }
    let outcome = ingest_bytes("a.csv", bytes);
    let file = outcome.file();
    assert_eq!((file.stored, file.quarantined), (2000, 0));
    assert_eq!(file.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(file.encoding_fallback_rows, 1);
    assert_eq!(outcome.comments[0].text, "Café was shut");
    assert_eq!(
        outcome.comments[1999].text,
        "\u{201C}Fine\u{201D} \u{1F610}"
    );

    // A Windows-1252 file with a row pasted in from a UTF-8 one reads both.
    let bytes = [
        &b"id,comment\n1,\x93Kind\x94 staff \x96 \xA35\n2,\xE9t\xE9\n"[..],
        "3,\u{1F610} \u{2019}\n".as_bytes(),
    ]
    .concat();
    let outcome = ingest_bytes("a.csv", bytes);
    assert_eq!(outcome.file().encoding.as_deref(), Some("Windows-1252"));
    assert_eq!(
        outcome.texts(),
        [
            "\u{201C}Kind\u{201D} staff \u{2013} £5",
            "été",
            "\u{1F610} \u{2019}"
        ]
    );
}

#[test]
fn a_json_key_given_twice_quarantines_the_record_and_names_the_key() {
    let jsonl = concat!(
        r#"{"id": "a", "comment": "Kind staff", "comment": "Rude staff"}"#,
        "\n",
        r#"{"id": "b", "comment": "Quick"}"#,
        "\n",
    );
    let outcome = ingest_bytes("a.jsonl", jsonl);
    let file = outcome.file();
    assert_eq!((file.records, file.stored, file.quarantined), (2, 1, 1));
    assert_eq!(outcome.texts(), ["Quick"]);
    assert!(
        outcome.quarantine[0][3]
            .starts_with("duplicate JSON key: `comment` appears more than once"),
        "{:?}",
        outcome.quarantine
    );
    assert_eq!(file.quarantine_reasons.get("duplicate JSON key"), Some(&1));
}

#[cfg(unix)]
#[test]
fn a_story_folder_does_not_follow_links_out_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:the secret").unwrap();
    let stories = dir.path().join("stories");
    std::fs::create_dir(&stories).unwrap();
    std::fs::write(stories.join("a.txt"), "The nurse was kind.").unwrap();
    std::os::unix::fs::symlink(&secret, stories.join("passwd.txt")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", stories.join("etc.txt")).unwrap();
    // A link to a story inside the folder is fine.
    std::os::unix::fs::symlink(stories.join("a.txt"), stories.join("b.txt")).unwrap();
    let outcome = run_paths(
        std::slice::from_ref(&stories),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let file = outcome.file();
    assert_eq!(
        outcome.texts(),
        ["The nurse was kind.", "The nurse was kind."]
    );
    assert_eq!(file.skipped, ["etc.txt", "passwd.txt"]);
    assert!(file.set_aside() && file.incomplete());
    assert!(
        file.warnings
            .iter()
            .any(|w| w.contains("did not follow 2 symbolic links")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn control_characters_in_file_names_do_not_reach_ids_or_sources() {
    let dir = tempfile::tempdir().unwrap();
    let stories = dir.path().join("stories");
    std::fs::create_dir(&stories).unwrap();
    std::fs::write(stories.join("bad\nname\u{1b}[2J.txt"), "A story.").unwrap();
    std::fs::write(stories.join("empty\n.txt"), "").unwrap();
    let outcome = run_paths(
        std::slice::from_ref(&stories),
        &mut Deduplicator::new(),
        dir.path(),
    );
    let comment = &outcome.comments[0];
    assert_eq!(comment.id, "bad\u{FFFD}name\u{FFFD}[2J");
    assert!(
        !comment.source.name.chars().any(char::is_control),
        "{:?}",
        comment.source.name
    );
    assert!(
        !outcome.quarantine[0][0].contains('\n'),
        "{:?}",
        outcome.quarantine
    );
    // Headers too: they are printed and kept as attribute names.
    let outcome = ingest_bytes("a.csv", "id,comment,\"Age\u{1b}[31m\nband\"\n1,ok,65-74\n");
    assert_eq!(
        outcome.comments[0].attributes.get("Age\u{FFFD}[31m band"),
        Some("65-74")
    );
}

#[test]
fn a_zipped_workbook_that_unzips_past_the_limits_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "id").unwrap();
    sheet.write_string(0, 1, "comment").unwrap();
    for row in 1..200u32 {
        sheet.write_number(row, 0, f64::from(row)).unwrap();
        sheet
            .write_string(row, 1, format!("{row} {}", "x".repeat(5_000)))
            .unwrap();
    }
    workbook.save(&path).unwrap();
    let with_limits = |max_unzipped, max_cell| IngestOptions {
        limits: chorus_ingest::Limits {
            max_unzipped,
            max_cell,
        },
        ..IngestOptions::default()
    };
    let read = |options: &IngestOptions| {
        run_with(
            std::slice::from_ref(&path),
            options,
            &mut Deduplicator::new(),
            dir.path(),
        )
    };
    assert_eq!(read(&IngestOptions::default()).file().stored, 199);
    let error = read(&with_limits(1 << 30, 4096))
        .file()
        .error
        .clone()
        .unwrap();
    assert!(
        error.contains("big.xlsx is too big to read safely"),
        "{error}"
    );
    assert!(
        error.contains("more than 4 KiB") && error.contains("--max-cell-size"),
        "{error}"
    );
    let error = read(&with_limits(100_000, 1 << 20))
        .file()
        .error
        .clone()
        .unwrap();
    assert!(
        error.contains("unzips to more than 100000 bytes"),
        "{error}"
    );
    assert!(error.contains("--max-unzipped-size"), "{error}");
}
