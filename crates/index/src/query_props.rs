//! Property tests of the query language: no input makes the parser or the search panic (however deep
//! it nests), errors point inside the query, and a parsed query prints back as a query that parses to
//! the same tree.
//!
//! `PROPTEST_CASES` sets the number of cases (256 by default); the long run in the closing note of issue
//! 10 is `PROPTEST_CASES=1000000 cargo test --release -p chorus-index --lib query_props`.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use tantivy::collector::Count;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, Searcher};

use chorus_core::{Comment, FftScore, SourceRef};

use crate::query::{MAX_DEPTH, parse};
use crate::schema::{self, Fields};
use crate::tokenizer;

/// A small in-memory index, so that queries run against real term dictionaries.
fn index() -> (Fields, IndexReader) {
    let schema: Schema = schema::build_schema();
    let index = Index::create_in_ram(schema.clone());
    tokenizer::register(index.tokenizers());
    let fields = Fields::new(&schema).unwrap();
    let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let texts = [
        "Waited four hours in A&E, staff were kind though",
        "The care I received was excellent, very happy",
        "Parking was impossible and the car park is expensive",
        "Lovely nurses, no waiting at all 😊",
        "Appointment letters came late; théâtre closed",
    ];
    for (i, text) in texts.iter().enumerate() {
        let comment = Comment {
            id: i.to_string(),
            respondent: i.to_string(),
            question: "FFT Why?".into(),
            text: (*text).to_owned(),
            no_comment: false,
            date: chorus_core::Date::from_ymd(2021, 10, 1 + i as u32),
            score: FftScore::from_code(1 + i as i64),
            service: Some("A&E".into()),
            organisation: None,
            attributes: Default::default(),
            source: SourceRef::default(),
            annotations: None,
        };
        writer
            .add_document(
                schema::to_document(&fields, &comment, &comment.keys(), i as u64).unwrap(),
            )
            .unwrap();
    }
    writer.commit().unwrap();
    (fields, index.reader().unwrap())
}

/// Pieces a query is made of: words, operators, fields, ranges, and the syntax of other engines.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "wait",
            "waiting",
            "the",
            "A&E",
            "parking",
            "x",
            "théâtre",
            "😊",
            "10:30",
            "nurse's",
            "AND",
            "OR",
            "NOT",
            "&&",
            "||",
            "+",
            "-",
            "(",
            ")",
            "\"",
            ":",
            "[",
            "]",
            "{",
            "}",
            "*",
            "~",
            "~1",
            "~9",
            "^",
            "^2",
            "?",
            "/",
            "TO",
            "to",
            "score",
            "date",
            "month",
            "service",
            "text",
            "attribute",
            "discovered",
            "sentiment",
            "4",
            "2021-10",
            "2021-10-04",
            "very_good",
            "age=35",
            "wait*",
            "wa*t",
            "waitng~1",
            "recieved~",
            "/wait/",
            " ",
            "\t",
            "\n",
            "\u{0}",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9]{1,8}",
        "\\PC{1,4}",
    ]
}

/// A query of pieces, each followed by a space or nothing.
fn query() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), prop::bool::ANY), 0..30).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, space)| if space { p + " " } else { p })
            .collect()
    })
}

/// A query nested deeper than the limit or just inside it, closed or not.
fn nested() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["(", "NOT (", "-(", "+(", "NOT ", "(NOT "]),
        0..(3 * MAX_DEPTH),
        query(),
        prop::bool::ANY,
    )
        .prop_map(|(open, depth, inner, close)| {
            let closing = if close {
                ")".repeat(depth)
            } else {
                String::new()
            };
            format!("{}x {inner}{closing}", open.repeat(depth))
        })
}

fn check(text: &str, fields: &Fields, searcher: &Searcher) -> Result<(), TestCaseError> {
    match parse(text, fields) {
        Err(e) => {
            prop_assert!(e.start <= e.end && e.end <= text.len(), "{e:?}");
            prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
            let shown = e.to_string();
            prop_assert!(shown.starts_with("invalid query at column"), "{shown}");
            prop_assert!(shown.lines().count() == 3, "{shown}");
        }
        Ok(node) => {
            let printed = node.to_string();
            let again = parse(&printed, fields);
            prop_assert_eq!(
                again.as_ref(),
                Ok(&node),
                "`{}` printed as `{}`",
                text,
                printed
            );
            let parsed = node.to_query(fields, searcher, None).unwrap();
            searcher.search(&*parsed.query, &Count).unwrap();
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn queries_never_panic_and_print_back(text in query()) {
        thread_local!(static INDEX: (Fields, IndexReader) = index());
        INDEX.with(|(fields, reader)| check(&text, fields, &reader.searcher()))?;
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash(text in nested()) {
        thread_local!(static INDEX: (Fields, IndexReader) = index());
        INDEX.with(|(fields, reader)| check(&text, fields, &reader.searcher()))?;
    }

    #[test]
    fn any_text_never_panics(text in "\\PC{0,60}") {
        thread_local!(static INDEX: (Fields, IndexReader) = index());
        INDEX.with(|(fields, reader)| check(&text, fields, &reader.searcher()))?;
    }
}

#[test]
fn the_reported_crashes_are_errors() {
    let (fields, _reader) = index();
    for text in [
        format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)),
        "(".repeat(30_000),
        "NOT (".repeat(20_000),
        "NOT ".repeat(50_000) + "x",
    ] {
        let err = parse(&text, &fields).unwrap_err();
        assert!(err.message.contains("nests more than 100 levels"), "{err}");
        // The message shows a window of the query, not all of it.
        assert!(err.to_string().len() < 400, "{}", err.to_string().len());
    }
}
