//! "What changed": planted shifts are found in the right group and month, steady noise across many
//! groups and subjects lists nothing, and every format carries the list.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chorus_core::{
    Annotations, Attributes, Comment, Date, FftScore, SentimentLabel, SentimentScore, SourceRef,
    ThemeCatalog, TouchpointMention,
};
use chorus_report::{
    BetterOrWorse, Polarity, ReportOptions, Shift, build, html, json, tables, xlsx,
};

/// A deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const TOUCHPOINTS: [&str; 6] = [
    "access",
    "travel",
    "waiting",
    "treatment",
    "information",
    "stay",
];

/// 24 months (April 2022 on) of `per_month` comments for each of `services` services at two sites;
/// each touchpoint is complained about with probability 0.12 and praised with 0.15, except where
/// `planted` says otherwise: (service, touchpoint, from month index, new complaint rate).
fn comments(
    services: usize,
    per_month: usize,
    planted: &[(usize, &str, usize, f64)],
    seed: u64,
) -> Vec<Comment> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    for month in 0..24u32 {
        let (year, m) = (2022 + ((3 + month) / 12) as i32, (3 + month) % 12 + 1);
        for service in 0..services {
            for n in 0..per_month {
                let id = format!("{month}-{service}-{n}");
                let mut touchpoints = Vec::new();
                for tp in TOUCHPOINTS {
                    let rate = planted
                        .iter()
                        .find(|(s, t, from, _)| {
                            *s == service && *t == tp && month as usize >= *from
                        })
                        .map_or(0.12, |p| p.3);
                    if rng.chance(rate) {
                        touchpoints.push((tp, SentimentLabel::Negative));
                    } else if rng.chance(0.15) {
                        touchpoints.push((tp, SentimentLabel::Positive));
                    }
                }
                let negative = touchpoints
                    .iter()
                    .any(|(_, s)| *s == SentimentLabel::Negative);
                // The score is drawn apart from the text, so % positive is steady everywhere.
                let score = if rng.chance(0.6) {
                    FftScore::VeryGood
                } else {
                    FftScore::Poor
                };
                let text = if negative {
                    format!("Comment {id}: it was not good at all, {}", touchpoints[0].0)
                } else {
                    format!("Comment {id}: a good visit overall, thank you")
                };
                out.push(Comment {
                    id: id.clone(),
                    respondent: format!("r{id}"),
                    question: "Please tell us why".into(),
                    text,
                    no_comment: false,
                    date: Date::from_ymd(year, m, 1 + (n % 28) as u32),
                    score,
                    service: Some(format!("Service {service}").into()),
                    organisation: Some(if service % 2 == 0 { "North" } else { "South" }.into()),
                    attributes: Attributes::new(),
                    source: SourceRef::default(),
                    annotations: Some(Annotations {
                        sentiment: SentimentScore {
                            label: if negative {
                                SentimentLabel::Negative
                            } else {
                                SentimentLabel::Positive
                            },
                            score: 0.0,
                        },
                        touchpoints: touchpoints
                            .iter()
                            .map(|(id, s)| TouchpointMention {
                                id: (*id).into(),
                                sentiment: *s,
                                score: 0.0,
                            })
                            .collect(),
                        ..Annotations::default()
                    }),
                });
            }
        }
    }
    out
}

#[test]
fn a_planted_shift_is_found_in_its_service_and_month() {
    // Service 2's waiting complaints go from 12% to 40% from month 17 (September 2023).
    let comments = comments(4, 30, &[(2, "waiting", 17, 0.40)], 7);
    let report = build(
        &comments,
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    let wc = &report.what_changed;
    assert!(wc.series_scanned > 50, "{}", wc.series_scanned);
    assert_eq!(
        wc.changes.len(),
        1,
        "{:#?}",
        wc.changes.iter().map(|c| c.headline()).collect::<Vec<_>>()
    );
    let c = &wc.changes[0];
    assert_eq!(
        c.scope.get("service").map(String::as_str),
        Some("Service 2")
    );
    assert_eq!(c.subject, "waiting");
    assert_eq!(c.polarity, Polarity::Complaints);
    assert_eq!(c.direction, Shift::Up);
    assert_eq!(c.better_or_worse, BetterOrWorse::Worse);
    // The month that best splits the data, and the interval the data allow, which holds the planted one.
    let planted: chorus_core::YearMonth = "2023-09".parse().unwrap();
    let (earliest, latest) = c.first_month_range;
    assert!(
        earliest <= planted && planted <= latest,
        "{earliest} to {latest}"
    );
    assert!(earliest <= c.first_month && c.first_month <= latest);
    assert!(
        planted.months_until(c.first_month).abs() <= 2,
        "{}",
        c.first_month
    );
    assert_eq!(c.before.months + c.after.months, 24);
    assert!(c.before.rate < 20.0 && c.after.rate > 30.0, "{c:?}");
    // Seen also trust-wide and at its site: listed once, here, where it is sharpest.
    assert!(!c.also_seen_in.is_empty());
    assert_eq!(c.quotes.len(), 3);
    assert!(c.quotes.iter().all(|q| q.text.contains("not good")));
    assert!(
        c.chart
            .chart
            .points
            .iter()
            .skip(17)
            .any(|p| p.cause.is_some())
    );
}

#[test]
fn steady_noise_in_hundreds_of_series_lists_nothing() {
    for seed in [1, 2, 3] {
        let comments = comments(6, 25, &[], seed);
        let report = build(
            &comments,
            &ThemeCatalog::default(),
            &ReportOptions::default(),
        )
        .unwrap();
        let wc = &report.what_changed;
        assert!(wc.series_scanned >= 100, "{}", wc.series_scanned);
        assert!(
            wc.changes.is_empty(),
            "seed {seed}: {:?}",
            wc.changes.iter().map(|c| c.headline()).collect::<Vec<_>>()
        );
        // Scanning that many series raises signals by chance; the rules set them aside.
        assert!(wc.signals_set_aside > 0);
        assert!(wc.method.contains(&format!(
            "{} monthly series were scanned",
            wc.series_scanned
        )));
    }
}

#[test]
fn every_format_carries_what_changed_first() {
    let comments = comments(4, 30, &[(1, "travel", 18, 0.45)], 11);
    let report = build(
        &comments,
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    assert_eq!(report.what_changed.changes.len(), 1);

    let value: serde_json::Value = serde_json::from_str(&json::render(&report).unwrap()).unwrap();
    let c = &value["what_changed"]["changes"][0];
    assert_eq!(c["scope"]["service"], "Service 1");
    assert_eq!(c["subject"], "travel");
    assert_eq!(c["polarity"], "complaints");
    assert_eq!(c["direction"], "up");
    assert_eq!(c["better_or_worse"], "worse");
    assert_eq!(c["first_month"], "2023-10");
    assert!(c["before"]["rate"].is_number() && c["after"]["count"].is_number());

    let page = html::render(&report);
    let section = page.find("id=\"what-changed\"").expect("the section");
    assert!(page.find("class=\"cards\"").unwrap() < section);
    assert!(section < page.find("What went well").unwrap());
    assert!(page[section..].contains("Service 1: complaints about Travel up from Oct 2023"));

    assert_eq!(tables::tables(&report)[0].name, "what-changed");
    let bytes = xlsx::to_bytes(&report).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names()[0], "what-changed");
    let sheet = book.worksheet_range("what-changed").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = sheet.rows().nth(1).unwrap();
    // A month is a real date, a rate a fraction.
    assert!(
        matches!(row[col("From month")], Data::DateTime(_)),
        "{:?}",
        row[col("From month")]
    );
    match &row[col("Rate after %")] {
        Data::Float(x) => assert!(*x > 0.2 && *x < 1.0, "{x}"),
        other => panic!("{other:?}"),
    }
}

/// Each respondent of `comments` also answers "what could we do better?" with the same complaints,
/// as FFT respondents often do.
fn with_second_answers(comments: Vec<Comment>) -> Vec<Comment> {
    comments
        .into_iter()
        .flat_map(|c| {
            let mut second = c.clone();
            second.question = "What could we do better?".into();
            second.text = format!("{} (again)", c.text);
            [c, second]
        })
        .collect()
}

#[test]
fn a_respondent_who_complains_in_both_answers_counts_once() {
    let planted = [(2, "waiting", 17, 0.40)];
    let once = build(
        &comments(4, 30, &planted, 7),
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    let twice = build(
        &with_second_answers(comments(4, 30, &planted, 7)),
        &ThemeCatalog::default(),
        &ReportOptions::default(),
    )
    .unwrap();
    let (a, b) = (&once.what_changed.changes, &twice.what_changed.changes);
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1, "the same people, the same change");
    // The rates and counts are of respondents: a second answer saying the same adds no one.
    assert_eq!(a[0].before, b[0].before);
    assert_eq!(a[0].after, b[0].after);
    assert_eq!(a[0].first_month, b[0].first_month);
    assert_eq!(a[0].before.total, 17 * 30);
}
