//! A mixed comment's clauses, each with its labels, in every output a reader opens: the JSON lines and
//! CSV exports, the export's workbook, the report's workbook and CSV tables, and the pack; with hostile
//! words in a clause kept inert.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chorus_core::{
    Annotations, Attributes, Clause, Comment, Date, FftScore, SentimentLabel, SentimentScore,
    SourceRef, ThemeAssignment, ThemeCatalog, ThemeSource, TouchpointMention,
};
use chorus_report::export::{ExportFilter, write_csv, write_jsonl, xlsx_bytes};
use chorus_report::{ReportOptions, build, csv, html, xlsx};

const MIXED: &str = "The staff were great,  but I couldn't get parked.";
const MIXED_CLAUSES: &str = "The staff were great [positive: Staff attitude] | but I couldn't get parked [negative: travel, Parking]";
const HOSTILE: &str = "=cmd|' /C calc'!A0 <script>alert(1)</script> kind nurse; <img src=x onerror=alert(1)> rude porter";

fn clause(text: &str, words: &str, sentiment: SentimentLabel, tp: &[&str], th: &[&str]) -> Clause {
    let start = text.find(words).expect("the words are in the text");
    Clause {
        start: start as u32,
        end: (start + words.len()) as u32,
        sentiment,
        score: 0.0,
        touchpoints: tp.iter().map(|t| (*t).into()).collect(),
        themes: th.iter().map(|t| (*t).into()).collect(),
    }
}

/// A mixed comment, scored very good (so discordant), with its clauses.
fn mixed(id: &str, text: &str, clauses: Vec<Clause>) -> Comment {
    Comment {
        id: id.into(),
        respondent: format!("resp-{id}"),
        question: "Please tell us why".into(),
        text: text.into(),
        no_comment: false,
        date: Date::from_ymd(2024, 5, 1),
        score: FftScore::VeryGood,
        service: Some("Ward 1".into()),
        organisation: None,
        attributes: Attributes::new(),
        source: SourceRef::default(),
        annotations: Some(Annotations {
            sentiment: SentimentScore {
                label: SentimentLabel::Mixed,
                score: 0.0,
            },
            touchpoints: vec![TouchpointMention {
                id: "travel".into(),
                sentiment: SentimentLabel::Negative,
                score: -0.6,
            }],
            themes: clauses
                .iter()
                .flat_map(|k| k.themes.iter().map(move |t| (t, k.sentiment)))
                .map(|(name, sentiment)| ThemeAssignment {
                    name: name.clone(),
                    source: ThemeSource::Codebook,
                    confidence: 1.0,
                    sentiment,
                })
                .collect(),
            discovered_theme: None,
            discordant: true,
            clauses,
        }),
    }
}

fn comments() -> Vec<Comment> {
    use SentimentLabel::{Negative, Positive};
    vec![
        mixed(
            "m1",
            MIXED,
            vec![
                clause(
                    MIXED,
                    "The staff were great",
                    Positive,
                    &[],
                    &["Staff attitude"],
                ),
                clause(
                    MIXED,
                    "but I couldn't get parked",
                    Negative,
                    &["travel"],
                    &["Parking"],
                ),
            ],
        ),
        mixed(
            "h1",
            HOSTILE,
            vec![
                clause(
                    HOSTILE,
                    "=cmd|' /C calc'!A0 <script>alert(1)</script> kind nurse",
                    Positive,
                    &[],
                    &["<b>Staff</b>"],
                ),
                clause(
                    HOSTILE,
                    "<img src=x onerror=alert(1)> rude porter",
                    Negative,
                    &["arrival"],
                    &[],
                ),
            ],
        ),
    ]
}

#[test]
fn the_jsonl_export_gives_each_clause_its_words_and_labels() {
    let mut out = Vec::new();
    write_jsonl(&comments(), &ExportFilter::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('<'), "the lines stay safe to embed");
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["sentiment"]["label"], "mixed",
        "a mixed comment stays mixed"
    );
    let clauses = first["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 2);
    assert_eq!(clauses[0]["text"], "The staff were great");
    assert_eq!(clauses[0]["sentiment"], "positive");
    assert_eq!(clauses[0]["themes"][0], "Staff attitude");
    assert_eq!(clauses[1]["text"], "but I couldn't get parked");
    assert_eq!(clauses[1]["sentiment"], "negative");
    assert_eq!(clauses[1]["touchpoints"][0], "travel");
    assert_eq!(clauses[1]["themes"][0], "Parking");
    let hostile: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(
        hostile["clauses"][1]["text"],
        "<img src=x onerror=alert(1)> rude porter"
    );
}

/// The column named `name` of the CSV export, row by row.
fn csv_column(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    write_csv(&comments(), &ExportFilter::default(), &mut out).expect("the CSV is written");
    let mut reader = ::csv::Reader::from_reader(&out[3..]);
    let at = reader
        .headers()
        .expect("a header")
        .iter()
        .position(|h| h == name)
        .expect("the column");
    reader
        .records()
        .map(|r| r.expect("a row")[at].to_string())
        .collect()
}

#[test]
fn the_csv_export_has_a_readable_clauses_column_safe_from_formulas() {
    let cells = csv_column("clauses");
    assert_eq!(cells[0], MIXED_CLAUSES);
    assert!(cells[1].starts_with("'=cmd"), "{}", cells[1]);
    assert!(cells[1].contains("[positive: <b>Staff</b>] | <img"));
    assert!(cells[1].ends_with("rude porter [negative: arrival]"));
    assert_eq!(csv_column("sentiment")[0], "mixed");
}

/// The rows of a sheet as strings, header first.
fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    let formulas = book.worksheet_formula(name).expect("the sheet's formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let range = book.worksheet_range(name).expect("the sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let at = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no {header} column in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

#[test]
fn the_export_workbook_has_the_clauses_column() {
    let (bytes, n) = xlsx_bytes(&comments(), &ExportFilter::default()).unwrap();
    assert_eq!(n, 2);
    let rows = sheet(bytes, "Comments");
    let cells = column(&rows, "clauses");
    assert_eq!(cells[0], MIXED_CLAUSES);
}

#[test]
fn the_reports_comment_sheets_and_tables_show_the_clauses() {
    let report = build(
        &comments(),
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    let rows = sheet(xlsx::to_bytes(&report).unwrap(), "discordant");
    let cells = column(&rows, "Clauses");
    // A quote's clauses keep their punctuation.
    assert_eq!(
        cells[0],
        "The staff were great, [positive: Staff attitude] | but I couldn't get parked. [negative: travel, Parking]"
    );
    // Text in a workbook is a string, never a formula, and kept as written.
    assert!(cells.iter().any(|c| c.starts_with("=cmd")), "{cells:?}");

    let dir = tempfile::tempdir().unwrap();
    csv::write_dir(&report, dir.path()).unwrap();
    let mut reader = ::csv::Reader::from_path(dir.path().join("discordant.csv")).unwrap();
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "Clauses")
        .unwrap();
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect();
    assert!(cells.iter().any(|c| c.starts_with("'=cmd")), "{cells:?}");
}

#[test]
fn the_pack_shows_a_mixed_quotes_clauses_with_their_labels_escaped() {
    let report = build(
        &comments(),
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    let page = html::render(&report);
    assert!(
        page.contains(
            "The staff were great, <span class=\"cl pos\">positive: Staff attitude</span>"
        ),
        "the first clause with its labels"
    );
    assert!(page.contains(
        "but I couldn&#39;t get parked. <span class=\"cl neg\">negative: travel, Parking</span>"
    ));
    for raw in ["<script", "<img", "<b>Staff</b>"] {
        assert!(!page.contains(raw), "raw {raw} in the pack");
    }
    assert!(page.contains("&lt;b&gt;Staff&lt;/b&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt; rude porter"));
}
