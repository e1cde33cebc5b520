//! `chorus export`: the selection of `chorus search` as CSV and JSON lines with the attribute columns,
//! and as a REFI-QDA project (`--format qdpx`) that validates against the published schema and imports
//! into a QDA tool (`qc init --import` of the PyPI package `qualitative-coding`), installed at test time
//! by `.ci/run` (tests skip, saying so, where the tools are absent).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{chorus, chorus_ok, sample_corpus, temp_dir, write_file};

/// Comments no XML writer should trust: markup, `]]>`, control characters, RTL marks, emoji, accents.
const HOSTILE: &str = "Response ID,Respondent,Date,Service,FFT score,Question,Comment,Age band\n\
1,R1,01/05/2024,A&E <North>,Poor,Please tell us why,\"The nurse was kind 😀 but we waited <4> hours & the parking ]]> was awful\",=1+1\n\
2,R1,01/05/2024,A&E <North>,Poor,What could we do better,\"Café naïve: l'accueil était très bien\u{7} mais l'attente \u{200F}trop longue\u{202E} 👨‍👩‍👧 hélas\",35-44\n\
3,R2,02/06/2024,Ward 1,Very good,Please tell us why,\"Lovely staff, clean ward; ☕ tea was cold\r\nbut the doctor explained everything\",65+\n\
4,R3,03/06/2024,Ward 1,Good,Please tell us why,,\n";

/// A themed store made from `csv` in `dir`.
fn themed_store(dir: &Path, csv: &str) -> PathBuf {
    let input = write_file(dir, "fft.csv", csv);
    let store = dir.join("store");
    chorus_ok([
        "ingest".as_ref(),
        input.as_os_str(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    chorus_ok(["themes".as_ref(), "--store".as_ref(), store.as_os_str()]);
    store
}

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
