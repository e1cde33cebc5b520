//! `chorus export` gives each comment's clauses with their labels (JSON lines and CSV), so a reader
//! sees why a comment is both praise and complaint; hostile words in a clause stay inert.

use std::path::Path;

use crate::support::{chorus_ok, temp_dir, themed_store};

const EXPORT: &str = "Response ID,Date,Service,FFT score,Question,Comment\n\
1,01/05/2024,Ward 1,Good,Please tell us why,\"The nurses were lovely and kind, but the car park was full and I couldn't get parked.\"\n\
2,02/05/2024,Ward 1,Poor,Please tell us why,\"=HYPERLINK(\"\"http://x\"\") the doctor was brilliant <b>but</b> we waited <script>4</script> hours\"\n\
3,03/05/2024,Ward 1,Very good,Please tell us why,Lovely staff\n";

fn export(store: &Path, out: &Path, format: &str) {
    chorus_ok([
        "export".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
    ]);
}

#[test]
fn the_export_gives_a_mixed_comments_clauses_with_their_labels() {
    let dir = temp_dir();
    let store = themed_store(dir.path(), EXPORT);
    let jsonl = dir.path().join("out.jsonl");
    export(&store, &jsonl, "jsonl");
    let text = std::fs::read_to_string(&jsonl).expect("the export");
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let mixed = &rows[0];
    assert_eq!(mixed["sentiment"]["label"], "mixed", "{mixed}");
    let clauses = mixed["clauses"].as_array().expect("clauses");
    assert!(clauses.len() >= 2, "{mixed}");
    let first = &clauses[0];
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .starts_with("The nurses were lovely")
    );
    assert_eq!(first["sentiment"], "positive");
    let parking = clauses
        .iter()
        .find(|k| k["text"].as_str().unwrap().contains("car park"))
        .expect("the parking clause");
    assert_eq!(parking["sentiment"], "negative", "{parking}");
    assert!(
        parking["touchpoints"]
            .as_array()
            .unwrap()
            .contains(&"travel".into()),
        "{parking}"
    );
    assert!(!text.contains('<'), "the lines stay safe to embed");

    let csv_path = dir.path().join("out.csv");
    export(&store, &csv_path, "csv");
    let bytes = std::fs::read(&csv_path).expect("the CSV");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let at = reader
        .headers()
        .expect("a header")
        .iter()
        .position(|h| h == "clauses")
        .expect("a clauses column");
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.expect("a row")[at].to_string())
        .collect();
    assert!(
        cells[0].starts_with("The nurses were lovely and kind [positive"),
        "{}",
        cells[0]
    );
    assert!(cells[0].contains(" | "), "{}", cells[0]);
    assert!(cells[0].contains("[negative: travel"), "{}", cells[0]);
    // Clauses start at a word, and a cell is neutralised all the same: none starts a formula.
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell}"
        );
    }
    assert!(cells[1].contains("[negative: waiting"), "{}", cells[1]);
}
