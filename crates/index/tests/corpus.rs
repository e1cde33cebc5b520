//! Quality checks on real NHS feedback (fft-v6-dev.csv from ../shared/corpora): search results are compared
//! with expectations computed independently, by brute force over the corpus with the shared analyzer.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use chorus_core::{Attributes, Comment, Date, FftScore, SourceRef};
use chorus_index::{Filters, KwicRequest, SearchRequest, Store};
use chorus_text::Analyzer;

fn corpus_path() -> Option<PathBuf> {
    chorus_testdata::file("fft-v6-dev.csv")
}

/// The corpus as comments, read with the csv crate independently of chorus-ingest.
fn load(path: &PathBuf) -> Vec<Comment> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, trust, resp, date, service, score, question, answer) = (
        col("Comment ID"),
        col("Trust"),
        col("Respondent ID"),
        col("Date"),
        col("Service type 1"),
        col("FFT categorical answer"),
        col("FFT question"),
        col("FFT answer"),
    );
    reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap();
            let date = {
                let parts: Vec<&str> = r[date].split('/').collect();
                (parts.len() == 3)
                    .then(|| {
                        Date::from_ymd(
                            parts[2].parse().ok()?,
                            parts[1].parse().ok()?,
                            parts[0].parse().ok()?,
                        )
                    })
                    .flatten()
            };
            let text = r[answer].trim().to_owned();
            Comment {
                id: r[id].into(),
                respondent: r[resp].to_owned(),
                question: r[question].into(),
                no_comment: text.is_empty(),
                text,
                date,
                score: FftScore::parse(&r[score]),
                service: Some(r[service].trim())
                    .filter(|s| !s.is_empty())
                    .map(Arc::from),
                organisation: Some(r[trust].into()),
                attributes: Attributes::new(),
                source: SourceRef {
                    name: "fft-v6-dev.csv".into(),
                    line: i as u64 + 2,
                    column: "FFT answer".into(),
                },
                annotations: None,
            }
        })
        .collect()
}

fn terms(analyzer: &mut Analyzer, text: &str) -> BTreeSet<String> {
    analyzer
        .analyze(text)
        .content_terms()
        .map(str::to_owned)
        .collect()
}

fn all(store: &Store, query: &str, filters: Filters) -> chorus_index::SearchResults {
    store
        .search(&SearchRequest {
            query: query.to_owned(),
            filters,
            limit: 100_000,
            ..SearchRequest::default()
        })
        .unwrap()
}

#[test]
fn search_on_real_feedback_matches_brute_force_expectations() {
    let Some(path) = corpus_path() else { return };
    let comments = load(&path);
    assert!(comments.len() > 4000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_open(&dir.path().join("s")).unwrap();
    let mut writer = store.writer().unwrap();
    for c in &comments {
        writer.add(c).unwrap();
    }
    let added = writer.commit().unwrap();
    assert_eq!(added, store.len());
    // Exact repeats (same keys) are stored once; every stored comment round-trips exactly.
    let mut seen = BTreeSet::new();
    let unique: Vec<Comment> = comments
        .iter()
        .filter(|c| {
            let k = c.keys();
            seen.insert((k.identity, k.content, k.respondent))
        })
        .cloned()
        .collect();
    assert_eq!(store.comments().unwrap(), unique);
    let comments = unique;

    let mut analyzer = Analyzer::english();
    let comment_terms: Vec<BTreeSet<String>> = comments
        .iter()
        .map(|c| terms(&mut analyzer, &c.text))
        .collect();

    // The hit count for a word equals a brute-force count, and every hit holds a form of the word.
    for word in [
        "parking",
        "staff",
        "waiting",
        "rude",
        "ambulance",
        "listened",
        "thank",
    ] {
        let term = analyzer.content_terms(word).remove(0);
        let expected: BTreeSet<&str> = comments
            .iter()
            .zip(&comment_terms)
            .filter(|(_, t)| t.contains(&term))
            .map(|(c, _)| c.id.as_str())
            .collect();
        let results = all(&store, word, Filters::default());
        assert_eq!(results.total as usize, expected.len(), "{word}");
        assert!(!expected.is_empty(), "{word} is in the corpus");
        for hit in &results.hits {
            assert!(
                terms(&mut analyzer, &hit.comment.text).contains(&term),
                "{word}: {}",
                hit.comment.text
            );
            assert!(
                !hit.snippet.highlights.is_empty(),
                "{word}: {}",
                hit.comment.text
            );
            for h in &hit.snippet.highlights {
                let marked = &hit.snippet.text[h.clone()];
                assert_eq!(
                    analyzer.content_terms(marked),
                    std::slice::from_ref(&term),
                    "{word}: marked {marked:?}"
                );
            }
        }
        // Ranked by relevance, documents are counted one by one; sorted by date, in blocks: same counts.
        let by_date = store
            .search(&SearchRequest {
                query: word.to_owned(),
                sort: chorus_index::SortOrder::Date,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(by_date.facets, results.facets, "{word}");
        // Facets count every match: single-valued ones add up to the total.
        let f = &results.facets;
        for (name, counts) in [
            ("service", &f.service),
            ("organisation", &f.organisation),
            ("score", &f.score),
            ("month", &f.month),
            ("question_kind", &f.question_kind),
            ("sentiment", &f.sentiment),
        ] {
            assert_eq!(
                counts.iter().map(|c| c.count).sum::<u64>(),
                results.total,
                "{word}: {name}"
            );
        }
    }

    // Filters exclude exactly what they should.
    let (from, to) = (
        Date::from_ymd(2021, 10, 1).unwrap(),
        Date::from_ymd(2021, 12, 31).unwrap(),
    );
    let filters = Filters {
        from: Some(from),
        to: Some(to),
        ..Filters::default()
    };
    let in_q4 = comments
        .iter()
        .filter(|c| c.date.is_some_and(|d| d >= from && d <= to))
        .count();
    assert!(in_q4 > 0);
    let results = all(&store, "", filters.clone());
    assert_eq!(results.total as usize, in_q4);
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.comment.date.is_some_and(|d| d >= from && d <= to))
    );
    let same = all(
        &store,
        "date:[2021-10-01 TO 2021-12-31]",
        Filters::default(),
    );
    assert_eq!(same.total as usize, in_q4);

    let poor = comments.iter().filter(|c| c.score.is_negative()).count();
    let results = all(
        &store,
        "",
        Filters {
            scores: Filters::parse_scores("4..5").unwrap(),
            ..Filters::default()
        },
    );
    assert_eq!(results.total as usize, poor);
    assert!(results.hits.iter().all(|h| h.comment.score.is_negative()));
    assert_eq!(
        all(&store, "score:[4 TO 5]", Filters::default()).total as usize,
        poor
    );

    // Word and filters together: brute force again.
    let staff_poor_q4 = comments
        .iter()
        .zip(&comment_terms)
        .filter(|(c, t)| {
            t.contains("staff")
                && c.score.is_negative()
                && c.date.is_some_and(|d| d >= from && d <= to)
        })
        .count();
    let results = all(&store, "staff score:[4 TO 5]", filters);
    assert_eq!(results.total as usize, staff_poor_q4);

    // Every kwic line's keyword is a form of the word, in the exact original text.
    let lines = store
        .kwic(&KwicRequest {
            limit: 10_000,
            ..KwicRequest::new("parking")
        })
        .unwrap();
    let parking_mentions: usize = comment_terms
        .iter()
        .zip(&comments)
        .map(|(_, c)| {
            analyzer
                .analyze(&c.text)
                .iter()
                .filter(|t| !t.stop && t.term == "park")
                .count()
        })
        .sum();
    assert_eq!(lines.len(), parking_mentions);
    let by_id: BTreeMap<&str, &Comment> = comments.iter().map(|c| (c.id.as_str(), c)).collect();
    for line in &lines {
        assert_eq!(analyzer.content_terms(&line.keyword), ["park"]);
        let text = by_id[line.id.as_str()]
            .text
            .replace(['\n', '\r', '\t'], " ");
        assert!(
            text.contains(&format!("{}{}{}", line.left, line.keyword, line.right)),
            "{line:?}"
        );
    }

    // Stats: one score per respondent.
    let stats = store.stats().unwrap();
    let respondents: BTreeSet<(&Option<Arc<str>>, &str)> = comments
        .iter()
        .map(|c| (&c.organisation, c.respondent.as_str()))
        .collect();
    assert_eq!(stats.respondents as usize, respondents.len());
    assert_eq!(stats.respondent_scores.total() as usize, respondents.len());
    assert_eq!(stats.comments as usize, comments.len());
}
