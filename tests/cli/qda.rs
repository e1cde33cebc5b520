//! `chorus export`: the selection of `chorus search` as CSV and JSON lines with the attribute columns,
//! and as a REFI-QDA project (`--format qdpx`) that validates against the published schema and imports
//! into a QDA tool (`qc init --import` of the PyPI package `qualitative-coding`), installed at test time
//! by `.ci/run` (tests skip, saying so, where the tools are absent).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{
    chorus, chorus_ok, ingested_store, sample_corpus, temp_dir, themed_store, write_file,
};

/// Comments no XML writer should trust: markup, `]]>`, control characters, RTL marks, emoji, accents.
const HOSTILE: &str = "Response ID,Respondent,Date,Service,FFT score,Question,Comment,Age band\n\
1,R1,01/05/2024,A&E <North>,Poor,Please tell us why,\"The nurse was kind 😀 but we waited <4> hours & the parking ]]> was awful\",=1+1\n\
2,R1,01/05/2024,A&E <North>,Poor,What could we do better,\"Café naïve: l'accueil était très bien\u{7} mais l'attente \u{200F}trop longue\u{202E} 👨‍👩‍👧 hélas\",35-44\n\
3,R2,02/06/2024,Ward 1,Very good,Please tell us why,\"Lovely staff, clean ward; ☕ tea was cold\r\nbut the doctor explained everything\",65+\n\
4,R3,03/06/2024,Ward 1,Good,Please tell us why,,\n";

fn export(store: &Path, out: &Path, args: &[&str]) -> String {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "export".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    chorus_ok(all)
}

/// The entries of a zip, by name.
fn unzip(path: &Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(path).expect("the project exists");
    let mut zip = zip::ZipArchive::new(file).expect("the project is a zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("an entry");
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("UTF-8 entries");
        let name = entry.name().expect("a name").to_string();
        out.insert(name, text);
    }
    out
}

/// The value of `name="…"` in a tag, unescaped.
fn attr(tag: &str, name: &str) -> String {
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("{name} in {tag}"))
        + name.len()
        + 3;
    let end = start + tag[start..].find('"').expect("closing quote");
    tag[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#13;", "\r")
        .replace("&#10;", "\n")
        .replace("&#9;", "\t")
        .replace("&amp;", "&")
}

/// A selection's name, start and end.
type Selection = (String, usize, usize);

/// (source text, its selections) for every text source of a project.
fn selections(files: &BTreeMap<String, String>) -> Vec<(String, Vec<Selection>)> {
    let qde = &files["project.qde"];
    let mut out = Vec::new();
    for source in qde.split("<TextSource ").skip(1) {
        let head = &source[..source.find('>').expect("tag end")];
        let path = attr(head, "plainTextPath").replace("internal://", "sources/");
        let text = files[&path].clone();
        let mut found = Vec::new();
        for sel in source.split("<PlainTextSelection ").skip(1) {
            let tag = &sel[..sel.find('>').expect("tag end")];
            let number = |n| attr(tag, n).parse::<usize>().expect("a position");
            found.push((
                attr(tag, "name"),
                number("startPosition"),
                number("endPosition"),
            ));
        }
        out.push((text, found));
    }
    out
}

fn code_point_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn export_takes_the_search_query_and_filters_and_writes_attribute_columns() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), HOSTILE);
    let csv_path = dir.path().join("out.csv");
    let said = export(
        &store,
        &csv_path,
        &["--format", "csv", "--service", "Ward 1"],
    );
    assert!(said.starts_with("exported 2 of 4 comments"), "{said}");
    let bytes = std::fs::read(&csv_path).expect("the CSV");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let age = header
        .iter()
        .position(|h| h == "Age band")
        .expect("an Age band column");
    assert!(
        age > header
            .iter()
            .position(|h| h == "discordant")
            .expect("the fixed columns")
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][age], "65+");

    // The query language, as `chorus search` takes it: attributes and words; a formula is neutralised.
    let jsonl = dir.path().join("out.jsonl");
    let said = export(&store, &jsonl, &["parking", "attribute:\"age band==1+1\""]);
    assert!(said.starts_with("exported 1 of 4 comments"), "{said}");
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&jsonl).expect("jsonl").trim()).expect("json");
    assert_eq!(line["question"], "Please tell us why");
    assert_eq!(line["attributes"]["Age band"], "=1+1");
    export(
        &store,
        &csv_path,
        &["--format", "csv", "--force", "parking"],
    );
    let text = std::fs::read_to_string(&csv_path).expect("the CSV");
    assert!(text.contains(",'=1+1"), "{text}");

    // Filters that need theming, and nothing matching, are the search's too.
    let said = export(
        &store,
        &jsonl,
        &["--sentiment", "positive", "--service", "nowhere"],
    );
    assert!(said.starts_with("exported 0 of 4 comments"), "{said}");
}

#[test]
fn a_qdpx_keeps_hostile_text_and_counts_offsets_in_code_points() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), HOSTILE);
    let out = dir.path().join("project.qdpx");
    let said = export(&store, &out, &["--format", "qdpx"]);
    assert!(
        said.contains("exported 3 comments (1 blank answer left out"),
        "{said}"
    );
    let files = unzip(&out);
    let qde = &files["project.qde"];
    assert!(!qde.contains("]]>"));
    assert!(!qde.contains('\u{7}'));
    assert!(
        qde.contains("name=\"A&amp;E &lt;North&gt; 2024-05\""),
        "{qde}"
    );
    let comments: BTreeMap<&str, &str> = [
        ("R1 · Please tell us why", "The nurse was kind 😀 but we waited <4> hours & the parking ]]> was awful"),
        ("R1 · What could we do better", "Café naïve: l'accueil était très bien mais l'attente \u{200F}trop longue\u{202E} 👨‍👩‍👧 hélas"),
        ("R2 · Please tell us why", "Lovely staff, clean ward; ☕ tea was cold \nbut the doctor explained everything"),
    ]
    .into_iter()
    .collect();
    let mut seen = 0;
    let mut clauses = 0;
    for (text, found) in selections(&files) {
        for (name, start, end) in found {
            let words = code_point_slice(&text, start, end);
            if let Some(expected) = comments.get(name.as_str()) {
                // The bell became a space, one for one; the carriage return too.
                assert_eq!(words.replace(' ', ""), expected.replace(' ', ""), "{name}");
                assert_eq!(words.chars().count(), end - start);
                seen += 1;
            } else {
                let (id, rest) = name.split_once(" · ").expect("an id");
                let question = rest.split(" · ").next().expect("a question");
                let whole = comments[format!("{id} · {question}").as_str()];
                assert!(
                    whole.replace(' ', "").contains(&words.replace(' ', ""))
                        && !words.trim().is_empty(),
                    "clause {name:?} at {start}..{end} is {words:?}, not part of {whole:?}"
                );
                clauses += 1;
            }
        }
    }
    assert_eq!(seen, 3);
    assert!(clauses >= 4, "clauses were coded: {clauses}");
    assert!(qde.contains("name=\"Sentiment\""));
    assert!(qde.contains("<SelectionRef"), "cases refer to comments");
    assert!(
        qde.contains("<TextValue>65+</TextValue>"),
        "attribute variables"
    );
}

#[test]
fn exporting_twice_gives_byte_identical_projects() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), HOSTILE);
    let first = dir.path().join("project.qdpx");
    export(&store, &first, &["--format", "qdpx"]);
    // A second later, in another folder, under the same name (the project is named after the file).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = dir.path().join("again");
    std::fs::create_dir(&again).expect("a folder");
    let second = again.join("project.qdpx");
    export(&store, &second, &["--format", "qdpx"]);
    let first = std::fs::read(first).expect("the first");
    assert!(first.len() > 1000);
    assert!(
        first == std::fs::read(second).expect("the second"),
        "byte-identical"
    );
}

#[test]
fn a_qdpx_is_never_written_to_stdout_nor_over_a_users_file() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), HOSTILE);
    let out = chorus([
        "export".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "--format".as_ref(),
        "qdpx".as_ref(),
        "-o".as_ref(),
        "-".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give a file name"));
    let mine = write_file(dir.path(), "mine.qdpx", "precious");
    let out = chorus([
        "export".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "--format".as_ref(),
        "qdpx".as_ref(),
        "-o".as_ref(),
        mine.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&mine).expect("kept"), "precious");
}

/// A Python with `xmlschema` and `qualitative_coding` (`.ci/run` makes one in `target/qda-venv`), or
/// the one named by `CHORUS_QDA_PYTHON`.
fn qda_python() -> Option<PathBuf> {
    let python = std::env::var_os("CHORUS_QDA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::support::repo_root().join("target/qda-venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import xmlschema, qualitative_coding"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// Validates a project's `project.qde` against the schema `qualitative-coding` ships.
fn validate(python: &Path, qdpx: &Path) {
    let script = "import sys, zipfile, importlib.resources, xmlschema\n\
        schema = xmlschema.XMLSchema(str(importlib.resources.files('qualitative_coding') / 'refi_qda' / 'schema.xsd'))\n\
        with zipfile.ZipFile(sys.argv[1]) as z:\n    schema.validate(z.read('project.qde').decode('utf-8'))\n\
        print('valid')\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(qdpx)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{} does not validate:\n{}",
        qdpx.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_exported_project_validates_against_the_refi_qda_schema_and_imports_into_qc() {
    let Some(python) = qda_python() else {
        eprintln!(
            "skipping: no Python with xmlschema and qualitative-coding (run .ci/run, or set CHORUS_QDA_PYTHON)"
        );
        return;
    };
    let dir = temp_dir();
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).expect("a folder");
    let hostile = themed_store(&hostile, HOSTILE);
    let sample = dir.path().join("sample");
    chorus_ok([
        "analyse".as_ref(),
        sample_corpus().as_os_str(),
        "-o".as_ref(),
        sample.as_os_str(),
    ]);
    let projects = [
        (hostile, "hostile.qdpx", vec![]),
        (sample.clone(), "sample.qdpx", vec![]),
        (
            sample,
            "parking.qdpx",
            vec!["parking", "--service", "Emergency Department"],
        ),
    ];
    for (store, name, args) in &projects {
        let out = dir.path().join(name);
        let mut all = vec!["--format", "qdpx"];
        all.extend(args.iter().copied());
        export(store, &out, &all);
        validate(&python, &out);
    }
    // Import the sample's project into a new qc project, as a researcher would.
    let qc = python.with_file_name("qc");
    let project = dir.path().join("qc");
    std::fs::create_dir(&project).expect("a folder");
    let out = Command::new(&qc)
        .args(["init", "--import"])
        .arg(dir.path().join("sample.qdpx"))
        .current_dir(&project)
        .env("PYTHONBREAKPOINT", "0")
        .output()
        .expect("qc runs");
    assert!(
        out.status.success(),
        "qc import failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = unzip(&dir.path().join("sample.qdpx"));
    let sources = files.keys().filter(|k| k.starts_with("sources/")).count();
    let imported = std::fs::read_dir(project.join("corpus"))
        .expect("qc's corpus")
        .count();
    assert_eq!(imported, sources, "every source imported");
    let codebook = std::fs::read_to_string(project.join("codebook.yaml")).expect("qc's codebook");
    for group in [
        "Touchpoints",
        "Themes",
        "Discovered",
        "Sentiment",
        "Waiting",
    ] {
        assert!(
            codebook.contains(group),
            "{group} in qc's codebook:\n{codebook}"
        );
    }
}

#[test]
fn codebooks_go_out_as_qdc_and_come_back_as_a_codebook_chorus_checks() {
    let dir = temp_dir();
    let qdc = dir.path().join("chorus.qdc");
    let said = chorus_ok([
        "codebook".as_ref(),
        "export".as_ref(),
        "-o".as_ref(),
        qdc.as_os_str(),
    ]);
    assert!(said.starts_with("wrote 27 codes"), "{said}");
    let text = std::fs::read_to_string(&qdc).expect("the qdc");
    assert!(text.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
    let toml = dir.path().join("codebook.toml");
    chorus_ok([
        "codebook".as_ref(),
        "import".as_ref(),
        qdc.as_os_str(),
        "-o".as_ref(),
        toml.as_os_str(),
    ]);
    let check = chorus(["codebook".as_ref(), "check".as_ref(), toml.as_os_str()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The imported codebook themes a store.
    let store = themed_store(dir.path(), HOSTILE);
    chorus_ok([
        "themes".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "--codebook".as_ref(),
        toml.as_os_str(),
    ]);
    // Never over the input, nor over a file chorus did not write.
    let out = chorus([
        "codebook".as_ref(),
        "import".as_ref(),
        qdc.as_os_str(),
        "-o".as_ref(),
        qdc.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let mine = write_file(dir.path(), "mine.toml", "mine");
    let out = chorus([
        "codebook".as_ref(),
        "import".as_ref(),
        qdc.as_os_str(),
        "-o".as_ref(),
        mine.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(mine).expect("kept"), "mine");
}

// ---------------------------------------------------------------------------------------------------
// `chorus import-codings`: codings back from a QDA tool.

/// Comments that theming labels plainly: touchpoints, codebook themes and a sentiment each; two
/// comments share a text.
const SMALL: &str = "Response ID,Respondent,Date,Service,FFT score,Question,Comment\n\
1,R1,01/05/2024,Emergency Department,Poor,Please tell us why,\"We waited four hours and the parking was expensive\"\n\
2,R2,02/05/2024,Ward 1,Very good,Please tell us why,\"The nurses were kind and the ward was clean\"\n\
3,R3,03/05/2024,Ward 1,Very good,Please tell us why,All good\n\
4,R4,03/05/2024,Ward 1,Very good,Please tell us why,All good\n";

/// Runs `chorus import-codings FILE --store STORE ARGS…`.
fn import_codings(file: &Path, store: &Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "import-codings".as_ref(),
        file.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    chorus(all)
}

/// The corrections of a store, one JSON object per line (none if it has no file).
fn corrections(store: &Path) -> Vec<serde_json::Value> {
    match std::fs::read_to_string(store.join("corrections.jsonl")) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a correction"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A correction as `action what (source)`, to compare sets.
fn described(c: &serde_json::Value) -> String {
    let field = |k: &str| c[k].as_str().unwrap_or("").to_owned();
    let what = [field("theme"), field("touchpoint"), field("sentiment")].concat();
    format!(
        "{} {} {what} {}",
        field("key"),
        field("action"),
        field("source")
    )
    .trim()
    .to_owned()
}

/// The GUID of the code `leaf` under the top-level code `group` in a project.
fn code_guid_in(qde: &str, group: &str, leaf: &str) -> String {
    let from = qde
        .find(&format!("name=\"{group}\""))
        .unwrap_or_else(|| panic!("{group} in the code book"));
    let at = from
        + qde[from..]
            .find(&format!("name=\"{leaf}\""))
            .unwrap_or_else(|| panic!("{leaf} under {group}"));
    let tag_start = qde[..at].rfind("<Code ").expect("a code tag");
    attr(&qde[tag_start..at + 1], "guid")
}

/// Copies a project, passing its `project.qde` through `edit`.
fn rewrite_project(from: &Path, to: &Path, edit: impl Fn(&str) -> String) {
    let files = unzip(from);
    let out = std::fs::File::create(to).expect("a new project");
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in &files {
        zip.start_file(name.as_str(), options).expect("an entry");
        let text = match name.as_str() {
            "project.qde" => edit(text),
            _ => text.clone(),
        };
        std::io::Write::write_all(&mut zip, text.as_bytes()).expect("written");
    }
    zip.finish().expect("a zip");
}

/// A project of `entries` (name, bytes), written as given.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let out = std::fs::File::create(path).expect("a project");
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, options).expect("an entry");
        std::io::Write::write_all(&mut zip, bytes).expect("written");
    }
    zip.finish().expect("a zip");
}

#[test]
fn an_edited_export_comes_back_as_exactly_its_edits_and_an_unchanged_one_as_nothing() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), SMALL);
    let qdpx = dir.path().join("project.qdpx");
    export(&store, &qdpx, &["--format", "qdpx"]);

    // Unchanged: nothing to write.
    let out = import_codings(&qdpx, &store, &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("4 by GUID, 0 by text"), "{said}");
    assert!(
        said.contains("0 added, 0 removed, 0 sentiments set"),
        "{said}"
    );
    assert!(said.contains("0 corrections written"), "{said}");
    assert!(corrections(&store).is_empty());

    // A researcher removes Parking from comment 1 (its clauses too), adds Cleanliness and reads it as
    // positive.
    let qde = &unzip(&qdpx)["project.qde"];
    let parking = code_guid_in(qde, "Themes", "Parking and transport");
    let cleanliness = code_guid_in(qde, "Themes", "Cleanliness");
    let negative = code_guid_in(qde, "Sentiment", "negative");
    let positive = code_guid_in(qde, "Sentiment", "positive");
    let edited = dir.path().join("edited.qdpx");
    rewrite_project(&qdpx, &edited, |qde| {
        let mut out = String::new();
        let mut selection = String::new();
        for line in qde.lines() {
            if line.trim_start().starts_with("<PlainTextSelection ") {
                selection = attr(line, "name");
            }
            let ours = selection.starts_with("R1 · ");
            let whole = selection == "R1 · Please tell us why";
            if ours && line.contains(&format!("targetGUID=\"{parking}\"")) {
                continue;
            }
            if whole && line.contains(&format!("targetGUID=\"{negative}\"")) {
                out.push_str(&line.replace(&negative, &positive));
            } else {
                out.push_str(line);
            }
            out.push('\n');
            if whole && line.trim_start().starts_with("<Description>") {
                out.push_str(&format!(
                    "\t\t\t\t<Coding guid=\"00000000-0000-4000-8000-000000000001\" creatingUser=\"00000000-0000-4000-8000-000000000002\"><CodeRef targetGUID=\"{cleanliness}\"/></Coding>\n"
                ));
            }
        }
        out
    });
    assert!(unzip(&edited)["project.qde"] != *qde, "the edit took");
    let dry = import_codings(&edited, &store, &["--dry-run", "--reviewer", "Dr Test"]);
    let said = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(0), "{said}");
    assert!(
        said.contains("3 corrections would be written by Dr Test"),
        "{said}"
    );
    assert!(
        said.contains("R1 · Please tell us why: removed theme Parking and transport (codebook)"),
        "{said}"
    );
    assert!(corrections(&store).is_empty(), "a dry run writes nothing");

    let out = import_codings(&edited, &store, &["--reviewer", "Dr Test"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("1 added, 1 removed, 1 sentiment set"),
        "{said}"
    );
    let written = corrections(&store);
    let key = written[0]["key"].as_str().expect("a key").to_owned();
    let mut got: Vec<String> = written.iter().map(described).collect();
    got.sort();
    let mut expected = vec![
        format!("{key} remove_theme Parking and transport codebook"),
        format!("{key} add_theme Cleanliness codebook"),
        format!("{key} set_sentiment positive"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert!(
        written
            .iter()
            .all(|c| c["reviewer"] == "Dr Test" && c["comment"]["id"] == "R1")
    );

    // Importing the edit again changes nothing more.
    let again = import_codings(&edited, &store, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 corrections written"));
    assert_eq!(corrections(&store).len(), 3);

    // Exported now, the corrections are a second user's codings beside the machine's, and that
    // project comes back unchanged too.
    let reviewed = dir.path().join("reviewed.qdpx");
    export(&store, &reviewed, &["--format", "qdpx"]);
    let qde = &unzip(&reviewed)["project.qde"];
    assert!(qde.contains("name=\"Dr Test\" id=\"reviewer\""), "{qde}");
    let reviewer = attr(
        &qde[qde
            .find("id=\"reviewer\"")
            .map(|e| qde[..e].rfind("<User ").expect("a user"))
            .expect("the reviewer")..],
        "guid",
    );
    let by_reviewer = |code: &str| {
        qde.lines()
            .filter(|l| l.contains(&format!("creatingUser=\"{reviewer}\"")) && l.contains(code))
            .count()
    };
    assert_eq!(by_reviewer(&cleanliness), 1);
    assert_eq!(by_reviewer(&positive), 1);
    assert_eq!(by_reviewer(&parking), 0, "the person removed it");
    assert!(
        qde.lines()
            .any(|l| l.contains(&parking) && l.contains("creatingUser=\"0f617925")),
        "the machine's codings stay as the machine made them"
    );
    let out = import_codings(&reviewed, &store, &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("0 corrections written"), "{said}");
    assert_eq!(corrections(&store).len(), 3);
    if let Some(python) = qda_python() {
        validate(&python, &reviewed);
    } else {
        eprintln!("skipping the schema check: no Python with xmlschema and qualitative-coding");
    }
}

/// A project made by another tool from the same comments: no Chorus GUIDs, its own code tree, the text
/// in `Sources/` (capital S, as some tools write it).
fn elsewhere_project(path: &Path) {
    let text = "THE NURSES were kind and   the ward was clean\n\nall good\n\nSomething nobody wrote here\n";
    let span = |words: &str| {
        let start = text.find(words).expect("the words are in the text");
        (start, start + words.len())
    };
    let selection = |guid: &str, words: &str, codes: &[&str]| {
        let (start, end) = span(words);
        let codings: String = codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                format!(
                    "<Coding guid=\"{}-0000-4000-8000-00000000000{i}\" creatingUser=\"11111111-1111-4111-8111-111111111111\"><CodeRef targetGUID=\"{code}\"/></Coding>",
                    &guid[..8]
                )
            })
            .collect();
        format!(
            "<PlainTextSelection guid=\"{guid}\" startPosition=\"{start}\" endPosition=\"{end}\" creatingUser=\"11111111-1111-4111-8111-111111111111\">{codings}</PlainTextSelection>\n"
        )
    };
    const CLEAN: &str = "aaaaaaa2-0000-4000-8000-000000000000";
    const POSITIVE: &str = "aaaaaaa4-0000-4000-8000-000000000000";
    const JOY: &str = "aaaaaaa6-0000-4000-8000-000000000000";
    const WARD: &str = "aaaaaaa8-0000-4000-8000-000000000000";
    let qde = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"elsewhere\" creatingUserGUID=\"11111111-1111-4111-8111-111111111111\">\n\
<Users><User guid=\"11111111-1111-4111-8111-111111111111\" name=\"Ann\"/></Users>\n\
<CodeBook><Codes>\n\
<Code guid=\"aaaaaaa1-0000-4000-8000-000000000000\" name=\"Themes\" isCodable=\"false\"><Code guid=\"{CLEAN}\" name=\"cleanliness\" isCodable=\"true\"/></Code>\n\
<Code guid=\"aaaaaaa3-0000-4000-8000-000000000000\" name=\"Sentiment\" isCodable=\"false\"><Code guid=\"{POSITIVE}\" name=\"Positive\" isCodable=\"true\"/></Code>\n\
<Code guid=\"aaaaaaa5-0000-4000-8000-000000000000\" name=\"Emotions\" isCodable=\"false\"><Code guid=\"{JOY}\" name=\"Joy\" isCodable=\"true\"/></Code>\n\
<Code guid=\"aaaaaaa7-0000-4000-8000-000000000000\" name=\"Touchpoints\" isCodable=\"false\"><Code guid=\"{WARD}\" name=\"Ward and environment\" isCodable=\"true\"/></Code>\n\
</Codes></CodeBook>\n\
<Sources><TextSource guid=\"bbbbbbbb-0000-4000-8000-000000000000\" name=\"interviews\" plainTextPath=\"internal://doc.txt\">\n{}{}{}{}</TextSource></Sources>\n\
</Project>\n",
        selection(
            "cccccc01-0000-4000-8000-000000000000",
            "the ward was clean",
            &[CLEAN, JOY, WARD]
        ),
        selection(
            "cccccc02-0000-4000-8000-000000000000",
            "THE NURSES were kind",
            &[POSITIVE]
        ),
        selection("cccccc03-0000-4000-8000-000000000000", "all good", &[CLEAN]),
        selection(
            "cccccc04-0000-4000-8000-000000000000",
            "nobody wrote",
            &[CLEAN]
        ),
    );
    write_zip(
        path,
        &[
            ("project.qde", qde.as_bytes()),
            ("Sources/doc.txt", text.as_bytes()),
        ],
    );
}

#[test]
fn a_project_made_elsewhere_is_matched_by_text_and_what_is_left_over_is_reported() {
    let dir = temp_dir();
    let store = ingested_store(dir.path(), SMALL);
    let qdpx = dir.path().join("elsewhere.qdpx");
    elsewhere_project(&qdpx);
    let out = import_codings(&qdpx, &store, &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    let warned = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "set aside: exit 1\n{said}\n{warned}"
    );
    assert!(
        said.contains("comments matched: 1 (0 by GUID, 1 by text)"),
        "{said}"
    );
    assert!(
        warned.contains("its text is the text of 2 comments (ambiguous)"),
        "{warned}"
    );
    assert!(
        warned.contains("no comment of the store has its text"),
        "{warned}"
    );
    assert!(warned.contains("Emotions / Joy"), "{warned}");
    assert!(
        said.contains("2 coded selections matched to no comment"),
        "{said}"
    );
    let written = corrections(&store);
    let mut got: Vec<String> = written
        .iter()
        .map(|c| described(c).split_once(' ').expect("a key").1.to_owned())
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "add_theme Cleanliness codebook",
            "add_touchpoint stay",
            "set_sentiment positive"
        ]
    );
    assert!(
        written
            .iter()
            .all(|c| c["reviewer"] == "Ann" && c["comment"]["id"] == "R2")
    );
}

#[test]
fn a_hostile_or_broken_project_is_refused_and_the_store_left_alone() {
    let dir = temp_dir();
    let store = ingested_store(dir.path(), SMALL);
    let qde =
        b"<?xml version=\"1.0\"?><Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"x\"></Project>";
    let refused = |name: &str, entries: &[(&str, &[u8])], args: &[&str], says: &str| {
        let path = dir.path().join(name);
        write_zip(&path, entries);
        let out = import_codings(&path, &store, args);
        let error = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {error}");
        assert!(
            error.contains(name) && error.contains(says),
            "{name}: {error}"
        );
    };
    refused(
        "traversal.qdpx",
        &[
            ("project.qde", qde),
            ("sources/../../../evil.txt", b"pwned"),
        ],
        &[],
        "points outside the project",
    );
    refused(
        "backslash.qdpx",
        &[("project.qde", qde), ("..\\..\\evil.txt", b"pwned")],
        &[],
        "points outside the project",
    );
    let huge = vec![b' '; 3 << 20];
    refused(
        "huge.qdpx",
        &[("project.qde", &huge)],
        &["--max-unzipped", "1M"],
        "zip bomb",
    );
    refused(
        "malformed.qdpx",
        &[("project.qde", b"<Project><Users></Project>")],
        &[],
        "project.qde: not well-formed XML at byte",
    );
    refused(
        "empty.qdpx",
        &[("notes.txt", b"hello")],
        &[],
        "no project.qde in it",
    );
    let not_zip = write_file(dir.path(), "text.qdpx", "just text");
    let out = import_codings(&not_zip, &store, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a .qdpx project"));
    assert!(corrections(&store).is_empty());
    for place in [dir.path().to_owned(), dir.path().join(".."), store.clone()] {
        assert!(!place.join("evil.txt").exists());
    }
}

#[test]
fn codings_round_trip_from_a_themed_store_to_a_fresh_one_on_the_real_corpus() {
    let Some(file) = crate::support::shared_corpus("fft-v6-dev.csv") else {
        return;
    };
    let dir = temp_dir();
    let a = dir.path().join("a");
    chorus_ok([
        "analyse".as_ref(),
        file.as_os_str(),
        "-o".as_ref(),
        a.as_os_str(),
    ]);
    let qdpx = dir.path().join("a.qdpx");
    export(&a.join("store"), &qdpx, &["--format", "qdpx"]);
    let b = dir.path().join("b");
    chorus_ok([
        "ingest".as_ref(),
        file.as_os_str(),
        "--store".as_ref(),
        b.as_os_str(),
    ]);
    let out = import_codings(&qdpx, &b, &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A's labels, as exported.
    let jsonl = dir.path().join("a.jsonl");
    export(&a.join("store"), &jsonl, &[]);
    let log = chorus_core::corrections::Corrections::new(
        corrections(&b)
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("a correction"))
            .collect(),
    );
    let mut compared = 0;
    for line in std::fs::read_to_string(&jsonl).expect("the export").lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("a row");
        if row["no_comment"] == true || row["sentiment"].is_null() {
            continue;
        }
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let key = chorus_core::keys::identity_key(
            row["organisation"].as_str(),
            row["id"].as_str().expect("an id"),
            row["question"].as_str().expect("a question"),
        );
        let mut labels = None;
        log.apply(
            chorus_core::corrections::CommentKey(key),
            chorus_core::FftScore::NotGiven,
            &mut labels,
        );
        let labels = labels.unwrap_or_default();
        let mut touchpoints_a: Vec<String> = row["touchpoints"]
            .as_array()
            .expect("touchpoints")
            .iter()
            .filter_map(|t| text(&t["id"]))
            .collect();
        let mut touchpoints_b: Vec<String> = labels
            .touchpoints
            .iter()
            .map(|t| t.id.to_string())
            .collect();
        touchpoints_a.sort();
        touchpoints_b.sort();
        let themes = |source: &str| {
            let mut a: Vec<String> = row["themes"]
                .as_array()
                .expect("themes")
                .iter()
                .filter(|t| t["source"] == source)
                .filter_map(|t| text(&t["name"]))
                .collect();
            let mut b: Vec<String> = labels
                .themes
                .iter()
                .filter(|t| t.source.as_str() == source)
                .map(|t| t.name.to_string())
                .collect();
            a.sort();
            b.sort();
            (a, b)
        };
        let id = &row["id"];
        assert_eq!(touchpoints_a, touchpoints_b, "touchpoints of {id}");
        let (a_themes, b_themes) = themes("codebook");
        assert_eq!(a_themes, b_themes, "codebook themes of {id}");
        let (a_found, b_found) = themes("discovered");
        assert_eq!(a_found, b_found, "discovered themes of {id}");
        assert_eq!(
            row["sentiment"]["label"].as_str(),
            Some(labels.sentiment.label.as_str()),
            "sentiment of {id}"
        );
        compared += 1;
    }
    assert!(compared > 1000, "compared {compared} comments");
    // And the same project once more changes nothing.
    let again = import_codings(&qdpx, &b, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 corrections written"));
}
