//! Searching a small store: the query language, filters, sorting, facets, snippets, kwic and stats.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::BTreeMap;

use chorus_core::{
    Annotations, Attributes, Comment, Date, FftScore, QuestionKind, SentimentLabel, SentimentScore,
    SourceRef, ThemeAssignment, ThemeCatalog, ThemeSource, TouchpointMention,
};
use chorus_index::{Error, Filters, KwicRequest, SearchRequest, SortOrder, Store};

struct Row {
    id: &'static str,
    text: &'static str,
    date: Option<(i32, u32, u32)>,
    score: FftScore,
    service: &'static str,
    question: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        id: "1",
        text: "Waited four hours in A&E, staff were kind though",
        date: Some((2021, 10, 4)),
        score: FftScore::Poor,
        service: "A&E",
        question: "FFT Why?",
    },
    Row {
        id: "2",
        text: "Parking was impossible and the car park is expensive",
        date: Some((2021, 10, 20)),
        score: FftScore::VeryPoor,
        service: "Outpatients",
        question: "What could we do better?",
    },
    Row {
        id: "3",
        text: "Lovely nurses, no waiting at all",
        date: Some((2021, 11, 2)),
        score: FftScore::VeryGood,
        service: "Outpatients",
        question: "What was good?",
    },
    Row {
        id: "4",
        text: "The wait for the doctor was long",
        date: Some((2021, 12, 31)),
        score: FftScore::Neither,
        service: "A&E",
        question: "FFT Why?",
    },
    Row {
        id: "5",
        text: "Excellent care, thank you",
        date: None,
        score: FftScore::Good,
        service: "Maternity",
        question: "FFT Why?",
    },
    Row {
        id: "6",
        text: "",
        date: Some((2022, 1, 1)),
        score: FftScore::DontKnow,
        service: "Maternity",
        question: "FFT Why?",
    },
    Row {
        id: "7",
        text: "waiting waiting waiting. Parking fine.",
        date: Some((2022, 1, 15)),
        score: FftScore::NotGiven,
        service: "",
        question: "FFT Why?",
    },
];

fn comments() -> Vec<Comment> {
    ROWS.iter()
        .map(|r| Comment {
            id: r.id.into(),
            respondent: format!("resp{}", r.id),
            question: r.question.into(),
            text: r.text.to_owned(),
            no_comment: r.text.is_empty(),
            date: r.date.and_then(|(y, m, d)| Date::from_ymd(y, m, d)),
            score: r.score,
            service: (!r.service.is_empty()).then(|| r.service.into()),
            organisation: Some("Trust A".into()),
            attributes: Attributes::from_iter([("Age band", "35-44")]),
            source: SourceRef {
                name: "oct.csv".into(),
                line: 2,
                column: "text".into(),
            },
            annotations: None,
        })
        .collect()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let mut writer = store.writer().unwrap();
    for c in comments() {
        writer.add(&c).unwrap();
    }
    writer.commit().unwrap();
    (dir, store)
}

/// Ids of all hits for a query (in result order).
fn ids(store: &Store, query: &str) -> Vec<String> {
    ids_with(store, query, Filters::default(), SortOrder::Relevance)
}

fn ids_with(store: &Store, query: &str, filters: Filters, sort: SortOrder) -> Vec<String> {
    let results = store
        .search(&SearchRequest {
            query: query.to_owned(),
            filters,
            sort,
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    let ids: Vec<String> = results.hits.into_iter().map(|h| h.comment.id).collect();
    assert_eq!(results.total as usize, ids.len(), "{query}");
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn the_query_language_finds_what_a_researcher_means() {
    let (_dir, store) = store();
    let check = |query: &str, expected: &[&str]| {
        assert_eq!(sorted(ids(&store, query)), expected, "{query}");
    };
    check("waiting", &["1", "3", "4", "7"]); // waited, waiting, wait
    check("WAITED", &["1", "3", "4", "7"]);
    check("parking", &["2", "7"]);
    check("park", &["2", "7"]);
    check("parking waiting", &["7"]);
    check("parking AND waiting", &["7"]);
    check("parking OR nurses", &["2", "3", "7"]);
    check("waiting NOT parking", &["1", "3", "4"]);
    check("waiting -parking", &["1", "3", "4"]);
    check("+waiting -parking", &["1", "3", "4"]);
    check("NOT waiting", &["2", "5", "6"]);
    check("-waiting -parking", &["5", "6"]);
    check("(parking OR nurses) AND NOT car", &["3", "7"]);
    check("\"car park\"", &["2"]);
    check("\"park car\"", &[]);
    check("\"wait doctor\"", &[]); // "for the" sits between them: positions keep the gap
    check("\"wait for the doctor\"", &["4"]);
    check("4hrs", &[]);
    check("\"four hours\"", &["1"]);
    check("a&e", &["1"]);
    check("service:a&e", &["1", "4"]);
    check("service:\"A&E\" waiting", &["1", "4"]);
    check(
        "service:outpatients OR service:maternity",
        &["2", "3", "5", "6"],
    );
    check("score:4", &["1"]);
    check("score:very_poor", &["2"]);
    check("score:\"very poor\"", &["2"]);
    check("score:[4 TO 5]", &["1", "2"]);
    check("score:[* TO 2]", &["3", "5"]);
    check("score:{1 TO 3]", &["4", "5"]);
    check("score:not_given", &["7"]);
    check("date:[2021-10-01 TO 2021-12-31]", &["1", "2", "3", "4"]);
    check("date:[2021-10-05 TO 2021-12-30]", &["2", "3"]);
    check("date:{2021-10-04 TO 2021-12-31}", &["2", "3"]);
    check("date:[2022-01-01 TO *]", &["6", "7"]);
    check("date:2021-10", &["1", "2"]);
    check("date:[2021-11 TO 2021-12]", &["3", "4"]);
    check("date:2021", &["1", "2", "3", "4"]);
    check("date:2021-10-20", &["2"]);
    check("month:2021-10", &["1", "2"]);
    check("month:[2021-11 TO 2022-01]", &["3", "4", "6", "7"]);
    check("question:improve", &["2"]);
    check("question:good", &["3"]);
    check("question:why", &["1", "4", "5", "6", "7"]);
    check("question:\"fft why?\"", &["1", "4", "5", "6", "7"]);
    check("id:3", &["3"]);
    check("respondent:RESP3", &["3"]);
    check("organisation:\"trust a\" score:1", &["3"]);
    check("attribute:\"age band=35-44\" id:1", &["1"]);
    check("no_comment:true", &["6"]);
    check("source:oct.csv id:2", &["2"]);
    check("themed:false id:2", &["2"]);
}

#[test]
fn prefixes_and_near_spellings_find_what_people_meant() {
    let (_dir, store) = store();
    let check = |query: &str, expected: &[&str]| {
        assert_eq!(sorted(ids(&store, query)), expected, "{query}");
    };
    let waiting = ["1", "3", "4", "7"];
    check("wait*", &waiting);
    check("wai*", &waiting);
    // The word whole, with its ending: its term is the stem `wait`.
    check("waiting*", &waiting);
    check("Park*", &["2", "7"]);
    check("doc*", &["4"]);
    check("zzz*", &[]);
    // Before, `waitng~1` found nothing: `~` was dropped as punctuation and "waitng" is no word.
    check("waitng", &[]);
    check("waitng~1", &waiting);
    check("waitng~", &waiting);
    check("docter~1", &["4"]);
    check("parkign~", &["2", "7"]);
    check("nurseing~1", &["3"]);
    check("waitng~0", &[]);
    check("parkign~ -waitng~1", &["2"]);
    check("text:wait*", &waiting);
    // Prefix and near-spelling matches are highlighted like words.
    let hit = store.search(&SearchRequest::new("wai* docter~1")).unwrap();
    assert_eq!(
        hit.hits[0].snippet.render("[", "]"),
        "The [wait] for the [doctor] was long"
    );
}

#[test]
fn malformed_queries_are_clear_errors_pointing_at_the_bad_part() {
    let (_dir, store) = store();
    // (query, column, words the message must contain)
    let cases: &[(&str, usize, &str)] = &[
        ("\"parking", 1, "quote is never closed"),
        ("staff \"car park", 7, "quote is never closed"),
        ("(parking OR car", 1, "`(` is never closed"),
        ("parking)", 8, "has no `(`"),
        ("()", 1, "empty parentheses"),
        ("colour:red", 1, "unknown field `colour`"),
        ("parking colour:red", 9, "use one of text, id"),
        ("score:[4 TO 5", 7, "never closed"),
        ("score:[4 5]", 10, "expected TO"),
        ("score:[5 TO 4]", 7, "the range is empty"),
        ("score:[9 TO 10]", 8, "not an FFT answer"),
        ("score:excellent", 7, "not an FFT answer"),
        (
            "date:[2021-13-01 TO 2021-12-31]",
            7,
            "`2021-13-01` is not a date",
        ),
        ("date:[2021-12-31 TO 2021-10-01]", 6, "the range is empty"),
        ("date:yesterday", 6, "is not a date"),
        ("date:[* TO *]", 6, "at least one end"),
        ("month:2021-13", 7, "is not a month"),
        ("service:[a TO b]", 9, "has no ranges"),
        ("service:", 8, "needs a value"),
        ("service:(a OR b)", 9, "write alternatives in full"),
        ("sentiment:angry", 11, "unknown sentiment"),
        ("discordant:maybe", 12, "not true or false"),
        ("attribute:age", 11, "name=value"),
        (":parking", 1, "needs a field name"),
        ("[4 TO 5]", 1, "needs a field"),
        ("AND parking", 1, "needs a query before it"),
        ("parking AND", 9, "needs a query after it"),
        ("parking OR", 9, "needs a query after it"),
        ("OR parking", 1, "needs a query before it"),
        ("parking NOT", 9, "NOT needs a query after it"),
        ("the was", 1, "only common words"),
        ("théâtre colour:😡", 9, "unknown field"),
        // Syntax of other search engines: an error saying what is supported, not a silent 0.
        ("wa?t", 3, "`?` wildcards are not supported"),
        ("wait^2", 5, "boosting a word with `^` is not supported"),
        ("/wait.*/", 1, "regular expressions (/…/) are not supported"),
        ("\"long wait\"~3", 12, "words near each other"),
        ("*ing", 1, "`*` works only at the end of a word"),
        ("wa*t", 3, "Chorus supports words"),
        ("x~3", 1, "not a near spelling"),
        ("parking ~1", 9, "goes right after a word"),
        ("car-park~1", 1, "takes one word"),
        // Nesting that used to overflow the stack (exit 134).
        ("((((x))))", 0, ""),
    ];
    let deep = [
        format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)),
        "(".repeat(30_000),
        "NOT (".repeat(20_000),
    ];
    let deep_cases = [
        (deep[0].as_str(), 101, "nests more than 100 levels"),
        (deep[1].as_str(), 101, "nests more than 100 levels"),
        (deep[2].as_str(), 251, "nests more than 100 levels"),
    ];
    for &(query, column, words) in cases.iter().chain(&deep_cases) {
        if column == 0 {
            store.search(&SearchRequest::new(query)).unwrap();
            continue;
        }
        let err = store.search(&SearchRequest::new(query)).unwrap_err();
        let Error::Query(q) = &err else {
            panic!("{query}: not a query error: {err}")
        };
        let message = err.to_string();
        assert!(message.contains(words), "{query}: {message}");
        assert_eq!(q.column(), column, "{query}: {message}");
        assert!(
            message.starts_with(&format!("invalid query at column {column}:")),
            "{message}"
        );
        // The caret line points at the column; a long query is shown around it.
        let shown: Vec<char> = message.lines().nth(1).unwrap().chars().collect();
        let caret = message.lines().nth(2).unwrap();
        let at = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(
            shown[at],
            query.chars().nth(column - 1).unwrap(),
            "{query}:\n{message}"
        );
        if query.chars().count() <= 100 {
            assert_eq!(at, column + 1, "{query}:\n{message}");
        } else {
            assert!(message.len() < 500, "{query}:\n{message}");
        }
    }
}

#[test]
fn odd_but_valid_queries_work() {
    let (_dir, store) = store();
    for query in [
        "",
        "   ",
        "parking the",
        "\"\"  parking",
        "Parking!!",
        "😊",
        "a - b parking",
        "10:30",
    ] {
        let result = store.search(&SearchRequest::new(query));
        match query {
            "10:30" => assert!(result.is_err(), "{query}"),
            _ => {
                result.unwrap_or_else(|e| panic!("{query:?}: {e}"));
            }
        }
    }
    assert_eq!(ids(&store, "").len(), 7);
    assert_eq!(ids(&store, "parking the"), ids(&store, "parking"));
}

#[test]
fn filters_narrow_like_the_equivalent_query() {
    let (_dir, store) = store();
    let f = |edit: &dyn Fn(&mut Filters)| {
        let mut filters = Filters::default();
        edit(&mut filters);
        sorted(ids_with(&store, "", filters, SortOrder::Relevance))
    };
    assert_eq!(
        f(&|x| x.from = Date::from_ymd(2021, 10, 5)),
        ["2", "3", "4", "6", "7"]
    );
    assert_eq!(f(&|x| x.to = Date::from_ymd(2021, 10, 20)), ["1", "2"]);
    assert_eq!(
        f(&|x| {
            x.from = Date::from_ymd(2021, 10, 5);
            x.to = Date::from_ymd(2021, 12, 31);
        }),
        ["2", "3", "4"]
    );
    assert_eq!(
        f(&|x| x.scores = Filters::parse_scores("4..5").unwrap()),
        ["1", "2"]
    );
    assert_eq!(
        f(&|x| x.services = vec!["a&e".into(), "MATERNITY".into()]),
        ["1", "4", "5", "6"]
    );
    assert_eq!(
        f(&|x| x.question_kinds = vec![QuestionKind::Improve]),
        ["2"]
    );
    assert_eq!(
        f(&|x| x.organisations = vec!["Trust B".into()]),
        Vec::<String>::new()
    );
    assert_eq!(f(&|x| x.discordant = true), Vec::<String>::new());
    let filters = Filters {
        services: vec!["A&E".into()],
        ..Filters::default()
    };
    assert_eq!(
        sorted(ids_with(&store, "waiting", filters, SortOrder::Relevance)),
        ["1", "4"]
    );
}

#[test]
fn sorting_paging_and_relevance() {
    let (_dir, store) = store();
    assert_eq!(
        ids_with(&store, "", Filters::default(), SortOrder::Date),
        ["7", "6", "4", "3", "2", "1", "5"]
    );
    assert_eq!(
        ids_with(&store, "", Filters::default(), SortOrder::DateAsc),
        ["1", "2", "3", "4", "6", "7", "5"]
    );
    // No words: ingest order.
    assert_eq!(
        ids(&store, "score:[1 TO 6]"),
        ["1", "2", "3", "4", "5", "6"]
    );
    // "waiting" three times ranks first.
    assert_eq!(ids(&store, "waiting")[0], "7");
    let page = store
        .search(&SearchRequest {
            limit: 2,
            offset: 2,
            sort: SortOrder::DateAsc,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(page.total, 7);
    let page_ids: Vec<&str> = page.hits.iter().map(|h| h.comment.id.as_str()).collect();
    assert_eq!(page_ids, ["3", "4"]);
    let none = store
        .search(&SearchRequest {
            limit: 0,
            ..SearchRequest::new("parking")
        })
        .unwrap();
    assert_eq!((none.total, none.hits.len()), (2, 0));
}

#[test]
fn facets_count_every_match_not_just_the_page() {
    let (_dir, store) = store();
    let results = store
        .search(&SearchRequest {
            limit: 1,
            ..SearchRequest::new("")
        })
        .unwrap();
    let pairs = |v: &[chorus_index::FacetCount]| -> Vec<(String, u64)> {
        v.iter().map(|f| (f.value.clone(), f.count)).collect()
    };
    let f = &results.facets;
    let p = |a: &str, n: u64| (a.to_owned(), n);
    assert_eq!(
        pairs(&f.service),
        [
            p("A&E", 2),
            p("Maternity", 2),
            p("Outpatients", 2),
            p("(none)", 1)
        ]
    );
    assert_eq!(
        pairs(&f.score),
        [
            p("very_good", 1),
            p("good", 1),
            p("neither", 1),
            p("poor", 1),
            p("very_poor", 1),
            p("dont_know", 1),
            p("not_given", 1)
        ]
    );
    assert_eq!(
        pairs(&f.month),
        [
            p("2021-10", 2),
            p("2021-11", 1),
            p("2021-12", 1),
            p("2022-01", 2),
            p("undated", 1)
        ]
    );
    assert_eq!(
        pairs(&f.question_kind),
        [p("why", 5), p("what_was_good", 1), p("improve", 1)]
    );
    assert_eq!(pairs(&f.sentiment), [p("not themed", 7)]);
    assert_eq!(pairs(&f.organisation), [p("Trust A", 7)]);
    assert!(f.touchpoint.is_empty() && f.theme.is_empty());
    let parking = store.search(&SearchRequest::new("parking")).unwrap();
    assert_eq!(
        pairs(&parking.facets.service),
        [p("Outpatients", 1), p("(none)", 1)]
    );
}

#[test]
fn snippets_mark_every_form_of_the_words_exactly() {
    let (_dir, store) = store();
    let results = store
        .search(&SearchRequest::new("waiting -parking"))
        .unwrap();
    let rendered: BTreeMap<String, String> = results
        .hits
        .iter()
        .map(|h| (h.comment.id.clone(), h.snippet.render("[", "]")))
        .collect();
    assert_eq!(
        rendered["1"],
        "[Waited] four hours in A&E, staff were kind though"
    );
    assert_eq!(rendered["3"], "Lovely nurses, no [waiting] at all");
    assert_eq!(rendered["4"], "The [wait] for the doctor was long");
    // Negated words are not marked.
    let r = store
        .search(&SearchRequest::new("parking -nurses"))
        .unwrap();
    assert_eq!(
        r.hits[0].snippet.render("**", "**"),
        "**Parking** was impossible and the car **park** is expensive"
    );
}

#[test]
fn long_comments_are_cut_around_their_matches() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let mut c = comments().remove(0);
    c.text = format!(
        "{}The parking was a nightmare.\nThen {}",
        "Lorem ipsum dolor sit amet. ".repeat(20),
        "more filler words here. ".repeat(20)
    );
    let mut w = store.writer().unwrap();
    w.add(&c).unwrap();
    w.commit().unwrap();
    let hit = store
        .search(&SearchRequest {
            snippet_chars: 80,
            ..SearchRequest::new("nightmare")
        })
        .unwrap()
        .hits
        .remove(0);
    let text = hit.snippet.render("[", "]");
    assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
    assert!(text.contains("[nightmare]. Then"), "{text}");
    assert!(text.chars().count() <= 80 + 4, "{text}");
    assert!(!text.contains('\n'));
}

/// Annotates the comments of `store()` as a theming run would: waiting, parking (codebook and model).
fn annotate(store: &Store) {
    let mut all = store.comments().unwrap();
    for c in &mut all {
        let negative = c.score.is_negative();
        c.annotations = Some(Annotations {
            sentiment: SentimentScore {
                label: if negative {
                    SentimentLabel::Negative
                } else {
                    SentimentLabel::Positive
                },
                score: if negative { -0.5 } else { 0.5 },
            },
            touchpoints: if c.text.to_lowercase().contains("wait") {
                vec![TouchpointMention {
                    id: "waiting".into(),
                    sentiment: SentimentLabel::Negative,
                    score: -0.5,
                }]
            } else {
                vec![]
            },
            themes: if c.text.to_lowercase().contains("park") {
                vec![
                    ThemeAssignment {
                        name: "Parking".into(),
                        source: ThemeSource::Codebook,
                        confidence: 1.0,
                        sentiment: SentimentLabel::Negative,
                    },
                    ThemeAssignment {
                        name: "Car parks".into(),
                        source: ThemeSource::Model,
                        confidence: 0.8,
                        sentiment: SentimentLabel::Negative,
                    },
                ]
            } else {
                vec![]
            },
            discovered_theme: Some(1),
            discordant: c.id == "3",
            clauses: Vec::new(),
        });
    }
    store
        .replace_annotations(&all, &ThemeCatalog::default())
        .unwrap();
}

#[test]
fn annotations_are_searchable_filterable_and_faceted() {
    let (_dir, store) = store();
    annotate(&store);
    let check = |query: &str, expected: &[&str]| {
        assert_eq!(sorted(ids(&store, query)), expected, "{query}")
    };
    check("touchpoint:waiting", &["1", "3", "4", "7"]);
    check("theme:parking", &["2", "7"]);
    check("theme:\"car parks\" theme_source:model", &["2", "7"]);
    check("sentiment:negative", &["1", "2"]);
    check("sentiment:neg", &["1", "2"]);
    check("discordant:true", &["3"]);
    check("discovered:1 id:5", &["5"]);
    check("themed:true -touchpoint:waiting", &["2", "5", "6"]);
    let filters = Filters {
        themes: vec!["Parking".into()],
        sentiments: vec![SentimentLabel::Positive],
        ..Filters::default()
    };
    assert_eq!(ids_with(&store, "", filters, SortOrder::Relevance), ["7"]);
    let filters = Filters {
        touchpoints: vec!["waiting".into()],
        discordant: true,
        ..Filters::default()
    };
    assert_eq!(ids_with(&store, "", filters, SortOrder::Relevance), ["3"]);
    let facets = store.search(&SearchRequest::new("")).unwrap().facets;
    let pairs: Vec<(String, u64)> = facets
        .theme
        .iter()
        .map(|f| (f.value.clone(), f.count))
        .collect();
    assert_eq!(
        pairs,
        [("Car parks".to_owned(), 2), ("Parking".to_owned(), 2)]
    );
    assert_eq!(facets.touchpoint[0].count, 4);
    let sentiment: Vec<(String, u64)> = facets
        .sentiment
        .iter()
        .map(|f| (f.value.clone(), f.count))
        .collect();
    assert_eq!(
        sentiment,
        [("positive".to_owned(), 5), ("negative".to_owned(), 2)]
    );
}

#[test]
fn searches_and_facets_see_the_labels_people_corrected() {
    use chorus_core::corrections::{CommentKey, Correction, CorrectionAction};
    let (dir, store) = store();
    annotate(&store);
    let key = |id: &str| {
        let c = store.comments_with_id(id).unwrap().remove(0);
        CommentKey(c.identity_key())
    };
    let check = |store: &Store, query: &str, expected: &[&str]| {
        assert_eq!(sorted(ids(store, query)), expected, "{query}")
    };
    check(&store, "theme:parking", &["2", "7"]);
    let two = key("2");
    for action in [
        CorrectionAction::RemoveTheme {
            theme: "Parking".into(),
            source: ThemeSource::Codebook,
        },
        // A theme the machine gave to no comment at all.
        CorrectionAction::AddTheme {
            theme: "Food".into(),
            source: ThemeSource::Codebook,
        },
        CorrectionAction::SetSentiment {
            sentiment: SentimentLabel::Positive,
        },
    ] {
        store
            .add_correction(&Correction::new("2025-01-06T10:00:00Z", None, two, action))
            .unwrap();
    }
    let reopened = Store::open(&dir.path().join("s")).unwrap();
    for store in [&store, &reopened] {
        check(store, "theme:parking", &["7"]);
        check(store, "theme:\"car parks\"", &["2", "7"]);
        check(store, "theme:food", &["2"]);
        check(store, "sentiment:negative", &["1"]);
        let facets = store.search(&SearchRequest::new("")).unwrap().facets;
        let themes: Vec<(String, u64)> = facets
            .theme
            .iter()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        assert_eq!(
            themes,
            [
                ("Car parks".to_owned(), 2),
                ("Food".to_owned(), 1),
                ("Parking".to_owned(), 1)
            ]
        );
        assert_eq!(store.stats().unwrap().corrected, 1);
    }
    // The machine's labels are still there for whoever reads them raw.
    let raw = store.comments_with_id("2").unwrap().remove(0);
    assert_eq!(raw.annotations.unwrap().themes.len(), 2);
}

#[test]
fn kwic_lines_show_each_form_in_its_exact_context() {
    let (_dir, store) = store();
    let lines = store
        .kwic(&KwicRequest {
            width: 12,
            ..KwicRequest::new("waits")
        })
        .unwrap();
    let shown: Vec<(&str, &str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l.id.as_str(),
                l.left.as_str(),
                l.keyword.as_str(),
                l.right.as_str(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("1", "", "Waited", " four hours "),
            ("3", " nurses, no ", "waiting", " at all"),
            ("4", "The ", "wait", " for the doc"),
            ("7", "", "waiting", " waiting wai"),
            ("7", "waiting ", "waiting", " waiting. Pa"),
            ("7", "ing waiting ", "waiting", ". Parking fi"),
        ]
    );
    let limited = store
        .kwic(&KwicRequest {
            limit: 2,
            ..KwicRequest::new("waiting")
        })
        .unwrap();
    assert_eq!(limited.len(), 2);
    let filters = Filters {
        services: vec!["A&E".into()],
        ..Filters::default()
    };
    let filtered = store
        .kwic(&KwicRequest {
            filters,
            ..KwicRequest::new("wait")
        })
        .unwrap();
    assert_eq!(
        filtered.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["1", "4"]
    );
    let phrase = store.kwic(&KwicRequest::new("car parks")).unwrap();
    assert_eq!(phrase.len(), 1);
    assert_eq!(phrase[0].keyword, "car park");
    let err = store
        .kwic(&KwicRequest::new("the"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("only common words"), "{err}");
}

#[test]
fn stats_count_respondents_once() {
    let (_dir, store) = store();
    // A second answer by respondent 1, with another score: still one respondent and one score.
    let mut extra = comments().remove(0);
    extra.question = "What could we do better?".into();
    extra.text = "Shorter waits".into();
    extra.score = FftScore::VeryGood;
    let mut w = store.writer().unwrap();
    w.add(&extra).unwrap();
    w.commit().unwrap();
    let s = store.stats().unwrap();
    assert_eq!((s.comments, s.with_text, s.no_comment), (8, 7, 1));
    assert_eq!(s.respondents, 7);
    assert_eq!(s.first_date, Date::from_ymd(2021, 10, 4));
    assert_eq!(s.last_date, Date::from_ymd(2022, 1, 15));
    assert_eq!(s.undated, 1);
    assert_eq!(s.respondent_scores.total(), 7);
    assert_eq!(s.respondent_scores.count(FftScore::Poor), 1); // the first answer counts
    assert_eq!(s.respondent_scores.count(FftScore::VeryGood), 1);
    // Very good + good = 2 of 6 valid answers (not given is left out).
    assert_eq!(
        s.percent_positive.map(|p| (p * 10.0).round() / 10.0),
        Some(33.3)
    );
    let services: Vec<(String, u64)> = s
        .services
        .iter()
        .map(|f| (f.value.clone(), f.count))
        .collect();
    assert_eq!(
        services,
        [
            ("A&E".into(), 3),
            ("Maternity".into(), 2),
            ("Outpatients".into(), 2),
            ("(none)".into(), 1)
        ]
    );
    // One of the eight is a blank answer, which theming leaves unthemed on purpose.
    assert_eq!((s.themed, s.not_themed), (0, 7));
}

#[test]
fn an_export_selects_what_the_search_finds_and_reads_it_in_any_order() {
    let (_dir, store) = store();
    for (query, filters) in [
        ("", Filters::default()),
        ("wait*", Filters::default()),
        (
            "",
            Filters {
                scores: vec![FftScore::VeryPoor, FftScore::Poor],
                ..Filters::default()
            },
        ),
        ("nothingmatchesthis", Filters::default()),
    ] {
        let seqs = store.matching(query, &filters).unwrap();
        let mut read = Vec::new();
        store
            .for_each_comment_of(&seqs, 2, |batch| {
                read.extend(batch.into_iter().map(|(_, c)| c.id));
                Ok::<(), chorus_index::Error>(())
            })
            .unwrap();
        // The same comments as the search, in ingest order.
        let found = ids_with(&store, query, filters.clone(), SortOrder::Relevance);
        assert_eq!(sorted(read.clone()), sorted(found), "{query}");
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{query}: ingest order"
        );
    }
    // Any order, and numbers the store does not hold are skipped.
    let mut read = Vec::new();
    store
        .for_each_comment_of(&[2, 0, 999, 1], 10, |batch| {
            read.extend(batch.into_iter().map(|(seq, _)| seq));
            Ok::<(), chorus_index::Error>(())
        })
        .unwrap();
    assert_eq!(read, [2, 0, 1]);
}

#[test]
fn attribute_counts_follow_the_query_across_segments_and_new_comments() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let add = |rows: &[(&str, &str, &str)]| {
        let mut writer = store.writer().unwrap();
        for (id, text, ward) in rows {
            let mut c = comments()[0].clone();
            c.id = (*id).into();
            c.respondent = format!("r{id}");
            c.text = (*text).into();
            c.attributes = Attributes::from_iter([("Ward", *ward), ("Age band", "75+")]);
            writer.add(&c).unwrap();
        }
        writer.commit().unwrap();
    };
    let wards = |query: &str| -> Vec<(String, u64)> {
        let facets = store
            .attribute_facets(query, &Filters::default(), 10)
            .unwrap();
        let ward = facets.iter().find(|f| f.name == "Ward");
        ward.map(|f| {
            f.values
                .iter()
                .map(|v| (v.value.clone(), v.count))
                .collect()
        })
        .unwrap_or_default()
    };
    add(&[
        ("a", "waited hours", "Ward 7"),
        ("b", "lovely staff", "Ward 7"),
    ]);
    add(&[
        ("c", "waited a week", "Bay 4"),
        ("d", "waited again", "Ward 7"),
    ]);
    assert_eq!(
        wards("waited"),
        vec![("Ward 7".to_owned(), 2), ("Bay 4".to_owned(), 1)]
    );
    assert_eq!(wards("lovely"), vec![("Ward 7".to_owned(), 1)]);
    assert_eq!(wards("nobody wrote this"), Vec::new());
    // Comments added after a count are counted by the next one.
    add(&[("e", "waited forever", "Bay 4"), ("f", "waited", "Bay 4")]);
    assert_eq!(
        wards("waited"),
        vec![("Bay 4".to_owned(), 3), ("Ward 7".to_owned(), 2)]
    );
}
