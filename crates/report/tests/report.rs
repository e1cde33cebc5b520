//! The report against independent counts, hostile comments in every format, small-number suppression
//! and determinism.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chorus_core::{
    Annotations, Attributes, CatalogEntry, Comment, Date, Direction, FftScore, ScoreTally,
    SentimentLabel, SentimentScore, SourceRef, ThemeAssignment, ThemeCatalog, ThemeSource,
    TouchpointMention,
};
use chorus_report::export::{ExportFilter, write_csv, write_jsonl};
use chorus_report::stats::TestMethod;
use chorus_report::{
    BreakdownBy, Count, Error, Format, ReportData, ReportOptions, build, csv, html, json, markdown,
    synthetic, tables, write_report, xlsx,
};

fn date(y: i32, m: u32, d: u32) -> Option<Date> {
    Date::from_ymd(y, m, d)
}

/// A comment with themes (codebook, with their sentiment) and touchpoints.
fn comment(
    id: &str,
    when: Option<Date>,
    score: FftScore,
    text: &str,
    themes: &[(&str, SentimentLabel)],
    touchpoints: &[(&str, SentimentLabel)],
) -> Comment {
    let pos = themes
        .iter()
        .filter(|t| t.1 == SentimentLabel::Positive)
        .count();
    let neg = themes
        .iter()
        .filter(|t| t.1 == SentimentLabel::Negative)
        .count();
    let label = match (pos, neg) {
        (0, 0) => SentimentLabel::Neutral,
        (_, 0) => SentimentLabel::Positive,
        (0, _) => SentimentLabel::Negative,
        _ => SentimentLabel::Mixed,
    };
    Comment {
        id: id.into(),
        respondent: format!("resp-{id}"),
        question: "Please tell us why".into(),
        text: text.into(),
        no_comment: text.is_empty(),
        date: when,
        score,
        service: Some("Ward 1".into()),
        organisation: None,
        attributes: Attributes::new(),
        source: SourceRef::default(),
        annotations: (!text.is_empty()).then(|| Annotations {
            sentiment: SentimentScore { label, score: 0.0 },
            touchpoints: touchpoints
                .iter()
                .map(|(id, s)| TouchpointMention {
                    id: (*id).into(),
                    sentiment: *s,
                    score: match s {
                        SentimentLabel::Positive => 0.8,
                        SentimentLabel::Negative => -0.8,
                        _ => 0.0,
                    },
                })
                .collect(),
            themes: themes
                .iter()
                .map(|(name, s)| ThemeAssignment {
                    name: (*name).into(),
                    source: ThemeSource::Codebook,
                    confidence: 1.0,
                    sentiment: *s,
                })
                .collect(),
            discovered_theme: None,
            discordant: false,
            clauses: Vec::new(),
        }),
    }
}

fn catalog(themes: &[(&str, Direction)]) -> ThemeCatalog {
    ThemeCatalog {
        themes: themes
            .iter()
            .map(|(name, direction)| CatalogEntry {
                id: name.to_lowercase().replace(' ', "-"),
                label: name.to_string(),
                source: ThemeSource::Codebook,
                description: String::new(),
                direction: *direction,
                category: None,
            })
            .collect(),
        ..ThemeCatalog::default()
    }
}

/// Themes of a comment as the report should count them: distinct (source, name).
fn theme_keys(c: &Comment) -> HashSet<(ThemeSource, String)> {
    c.annotations
        .iter()
        .flat_map(|a| a.themes.iter())
        .map(|t| (t.source, t.name.to_string()))
        .collect()
}

fn has_text(c: &Comment) -> bool {
    !c.no_comment && !c.text.trim().is_empty()
}

#[test]
fn tables_agree_with_independent_counts() {
    let comments = synthetic::comments(4000, 3);
    let catalog = synthetic::catalog();
    let from = Date::from_ymd(2022, 1, 1).unwrap();
    let to = Date::from_ymd(2022, 6, 30).unwrap();
    let options = ReportOptions {
        from: Some(from),
        to: Some(to),
        compare_previous: true,
        by: vec![BreakdownBy::Service, "Age band".parse().unwrap()],
        ..ReportOptions::default()
    };
    let report = build(&comments, &catalog, &options).unwrap();
    let in_period = |c: &&Comment| c.date.is_some_and(|d| from <= d && d <= to);
    let current: Vec<&Comment> = comments.iter().filter(in_period).collect();
    let texts: Vec<&Comment> = current.iter().copied().filter(|c| has_text(c)).collect();

    // Headline.
    assert_eq!(report.headline.comments, texts.len() as u64);
    assert_eq!(report.headline.records, current.len() as u64);
    // Each respondent counts once, by their first record.
    let mut first: HashMap<&str, &Comment> = HashMap::new();
    for c in &comments {
        first.entry(&c.respondent).or_insert(c);
    }
    let mut tally = ScoreTally::default();
    let mut respondents = 0;
    for c in first.values().filter(|c| in_period(c)) {
        tally.add(c.score);
        respondents += 1;
    }
    assert_eq!(report.headline.respondents, respondents);
    assert_eq!(report.headline.percent_positive, tally.percent_positive());

    // Themes table: counts, sentiment split, mean FFT and % FFT positive.
    for row in &report.themes {
        let with: Vec<&Comment> = texts
            .iter()
            .copied()
            .filter(|c| theme_keys(c).contains(&(row.source, row.name.clone())))
            .collect();
        assert_eq!(row.comments, with.len() as u64, "{}", row.name);
        let positive = with
            .iter()
            .filter(|c| {
                c.annotations.as_ref().unwrap().themes.iter().any(|t| {
                    *t.name == *row.name
                        && t.source == row.source
                        && t.sentiment == SentimentLabel::Positive
                })
            })
            .count();
        assert_eq!(row.sentiment.positive, positive as u64, "{}", row.name);
        let mut t = ScoreTally::default();
        with.iter().for_each(|c| t.add(c.score));
        assert_eq!(row.mean_fft, t.mean_rating(), "{}", row.name);
        assert_eq!(
            row.percent_fft_positive,
            t.percent_positive(),
            "{}",
            row.name
        );
        // The previous period: the 181 days before.
        let change = row.change.as_ref().unwrap();
        let prev_from = from.add_days(-181);
        let previous: Vec<&Comment> = comments
            .iter()
            .filter(|c| has_text(c) && c.date.is_some_and(|d| prev_from <= d && d < from))
            .collect();
        assert_eq!(change.previous_total, previous.len() as u64);
        let prev_with = previous
            .iter()
            .filter(|c| theme_keys(c).contains(&(row.source, row.name.clone())))
            .count();
        assert_eq!(change.previous_comments, prev_with as u64, "{}", row.name);
    }
    let sorted: Vec<u64> = report.themes.iter().map(|t| t.comments).collect();
    assert!(
        sorted.windows(2).all(|w| w[0] >= w[1]),
        "most mentioned first"
    );

    // Touchpoints in journey order, with independent mention counts.
    let ids: Vec<&str> = report.touchpoints.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, chorus_report::DEFAULT_TOUCHPOINTS);
    for t in &report.touchpoints {
        let mentions = texts
            .iter()
            .filter(|c| {
                c.annotations
                    .as_ref()
                    .is_some_and(|a| a.touchpoints.iter().any(|m| *m.id == *t.id))
            })
            .count();
        assert_eq!(t.mentions, mentions as u64, "{}", t.id);
    }

    // Co-occurrence pairs.
    for pair in &report.cooccurrence.pairs {
        let both = texts
            .iter()
            .filter(|c| {
                let names: HashSet<String> = theme_keys(c).into_iter().map(|k| k.1).collect();
                names.contains(&pair.a) && names.contains(&pair.b)
            })
            .count();
        assert_eq!(pair.both, both as u64, "{} + {}", pair.a, pair.b);
    }

    // Breakdown by service: every shown cell matches, every hidden one hides a small count or is a
    // partner of one.
    let by_service = &report.breakdowns[0];
    assert_eq!(by_service.by, BreakdownBy::Service);
    for row in &by_service.rows {
        for (group, cell) in by_service.groups.iter().zip(&row.cells) {
            let count = texts
                .iter()
                .filter(|c| c.service.as_deref() == Some(group.name.as_str()))
                .filter(|c| theme_keys(c).iter().any(|k| k.1 == row.theme))
                .count() as u64;
            match cell.count {
                Count::Value(n) => assert_eq!(n, count, "{} / {}", row.theme, group.name),
                Count::Small(5) => assert!((1..5).contains(&count)),
                Count::Hidden => {
                    assert!(row.cells.iter().any(|c| matches!(c.count, Count::Small(_))));
                }
                Count::Small(other) => panic!("threshold {other}"),
            }
        }
    }
    // The attribute was matched regardless of case.
    assert_eq!(
        report.breakdowns[1].by,
        BreakdownBy::Attribute("Age band".into())
    );
}

#[test]
fn changes_are_flagged_only_when_significant() {
    // Previous quarter: 100 comments, 10 about waiting. This quarter: 100 comments, 30 about waiting.
    // 30/100 vs 10/100: pooled 0.2, se = sqrt(0.2 × 0.8 × 0.02) = 0.05657, z = 3.536, p = 0.0004.
    // Parking: 5 then 7 of 100: expected counts 6 ≥ 5, z-test: pooled 0.06, se = 0.03359,
    // z = 0.595, p = 0.55: no flag. Food: 0 then 3 of 100: expected 1.5 < 5, Fisher: p = 0.2462.
    let mut comments = Vec::new();
    for i in 0..100 {
        let mut themes = Vec::new();
        if i < 10 {
            themes.push(("Waiting", SentimentLabel::Negative));
        }
        if i < 5 {
            themes.push(("Parking", SentimentLabel::Negative));
        }
        comments.push(comment(
            &format!("p{i}"),
            date(2022, 1, 1 + (i % 28) as u32),
            FftScore::Good,
            "Previous quarter comment",
            &themes,
            &[],
        ));
    }
    for i in 0..100 {
        let mut themes = Vec::new();
        if i < 30 {
            themes.push(("Waiting", SentimentLabel::Negative));
        }
        if i < 7 {
            themes.push(("Parking", SentimentLabel::Negative));
        }
        if i < 3 {
            themes.push(("Food", SentimentLabel::Negative));
        }
        comments.push(comment(
            &format!("c{i}"),
            date(2022, 4, 1 + (i % 28) as u32),
            FftScore::Good,
            "Current quarter comment",
            &themes,
            &[],
        ));
    }
    let options = ReportOptions {
        from: date(2022, 4, 1),
        to: date(2022, 6, 30),
        compare_previous: true,
        ..ReportOptions::default()
    };
    let cat = catalog(&[
        ("Waiting", Direction::LowerIsBetter),
        ("Parking", Direction::LowerIsBetter),
        ("Food", Direction::Neutral),
    ]);
    let report = build(&comments, &cat, &options).unwrap();
    let previous = report.scope.previous.unwrap();
    // 1 April to 30 June is 91 days; the 91 days before start on 31 December.
    assert_eq!(previous.from.to_string(), "2021-12-31");
    assert_eq!(previous.to.to_string(), "2022-03-31");
    let row = |name: &str| report.themes.iter().find(|t| t.name == name).unwrap();
    let waiting = row("Waiting").change.clone().unwrap();
    assert_eq!(waiting.difference_points, Some(20.0));
    let test = waiting.test.unwrap();
    assert_eq!(test.method, TestMethod::TwoProportionZ);
    assert!((test.p_value - 0.000406).abs() < 1e-5, "{}", test.p_value);
    assert_eq!(
        waiting.flag.as_deref(),
        Some(
            "More often than the previous period (30.0% vs 10.0% of comments; p < 0.001, two-proportion z-test)"
        )
    );
    let parking = row("Parking").change.clone().unwrap();
    assert_eq!(parking.test.unwrap().method, TestMethod::TwoProportionZ);
    assert!((parking.test.unwrap().p_value - 0.5517).abs() < 1e-3);
    assert_eq!(parking.flag, None);
    let food = row("Food").change.clone().unwrap();
    assert_eq!(food.test.unwrap().method, TestMethod::FisherExact);
    assert!((food.test.unwrap().p_value - 0.24623).abs() < 1e-4);
    assert_eq!(food.flag, None);
    assert_eq!(report.headline.previous.as_ref().unwrap().comments, 100);
}

#[test]
fn spc_points_are_the_monthly_shares() {
    // 14 months, 20 comments a month; the share about waiting is month index + 1 out of 20.
    let mut comments = Vec::new();
    let mut month = chorus_core::YearMonth {
        year: 2021,
        month: 1,
    };
    for m in 0..14 {
        for i in 0..20 {
            let themes: &[(&str, SentimentLabel)] = if i <= m {
                &[("Waiting", SentimentLabel::Negative)]
            } else {
                &[("Staff", SentimentLabel::Positive)]
            };
            comments.push(comment(
                &format!("{m}-{i}"),
                date(month.year, month.month, 1 + i as u32),
                if i < 15 {
                    FftScore::VeryGood
                } else {
                    FftScore::Poor
                },
                "text",
                themes,
                &[("waiting", SentimentLabel::Negative)],
            ));
        }
        month = month.next();
    }
    let cat = catalog(&[
        ("Waiting", Direction::LowerIsBetter),
        ("Staff", Direction::Neutral),
    ]);
    let report = build(&comments, &cat, &ReportOptions::default()).unwrap();
    let positive = &report.spc[0];
    assert_eq!(positive.id, "percent-positive");
    assert!(
        positive
            .chart
            .points
            .iter()
            .all(|p| (p.value - 75.0).abs() < 1e-9)
    );
    let waiting = report
        .spc
        .iter()
        .find(|c| c.title == "% of comments complaining about Waiting")
        .unwrap();
    let values: Vec<f64> = waiting.chart.points.iter().map(|p| p.value).collect();
    let expected: Vec<f64> = (1..=14).map(|k| 100.0 * k as f64 / 20.0).collect();
    assert_eq!(values, expected);
    // A steady rise: mean 37.5, every moving range 5, limits 37.5 ± 13.3 = 24.2..50.8. The first four
    // (5–20%) are below the lower limit: low, which is an improvement where lower is better; the
    // middle six rise as part of a trend (concern) and the last four are above the upper limit.
    use chorus_report::spc::PointClass::{Concern, Improvement};
    let classes: Vec<_> = waiting.chart.points.iter().map(|p| p.class).collect();
    assert_eq!(classes[..4], [Improvement; 4]);
    assert_eq!(classes[4..], [Concern; 10]);
    assert_eq!(
        waiting.verdict,
        "Special cause variation – concern (lower is better)"
    );
    assert_eq!(
        waiting.signals,
        [
            "Jan 2021 – Apr 2021: below the lower process limit (improvement)",
            "May 2021 – Oct 2021: part of 7 points rising in a row (concern)",
            "Nov 2021 – Feb 2022: above the upper process limit (concern)",
        ]
    );
}

#[test]
fn short_histories_get_trial_limits_and_sparse_months_are_gaps() {
    // Eight months from January 2022: 10 comments a month with 6, 7, 8, 6, 7, 8 of them "good" (the
    // rest "poor"), then July with only 3 comments (too few to chart), then August with 9 of 10.
    // Seven points: 60, 70, 80, 60, 70, 80, 90 %. Mean 72.86; moving ranges 10, 10, 20, 10, 10, 10
    // (none screened), mean 11.67; trial limits 72.86 ± 31.03: all common cause, as the reference
    // (NHSRplotthedots 0.2.2) draws them, with its warning that fewer than 12 points give trial limits.
    let good = [6, 7, 8, 6, 7, 8, 3, 9];
    let mut comments = Vec::new();
    for (m, &k) in good.iter().enumerate() {
        let n = if m == 6 { 3 } else { 10 };
        for i in 0..n {
            comments.push(comment(
                &format!("{m}-{i}"),
                date(2022, m as u32 + 1, 5),
                if i < k {
                    FftScore::Good
                } else {
                    FftScore::Poor
                },
                "fine",
                &[("Staff", SentimentLabel::Positive)],
                &[],
            ));
        }
    }
    let report = build(&comments, &catalog(&[]), &ReportOptions::default()).unwrap();
    let chart = &report.spc[0];
    assert_eq!(chart.id, "percent-positive");
    let values: Vec<f64> = chart.chart.points.iter().map(|p| p.value).collect();
    assert_eq!(values, [60.0, 70.0, 80.0, 60.0, 70.0, 80.0, 90.0]);
    assert_eq!(chart.months.last().unwrap().to_string(), "2022-08");
    assert_eq!(
        chart
            .sparse_months
            .iter()
            .map(|(m, n)| format!("{m}:{n}"))
            .collect::<Vec<_>>(),
        ["2022-07:3"]
    );
    let segment = &chart.chart.segments[0];
    assert!(segment.trial);
    let limits = segment.limits.expect("trial limits are drawn");
    assert!((segment.mean - 510.0 / 7.0).abs() < 1e-9);
    assert!((limits.upper - (510.0 / 7.0 + 2.66 * 70.0 / 6.0)).abs() < 1e-9);
    assert_eq!(chart.verdict, "Common cause variation");
    assert_eq!(
        chart.limits_note.as_deref(),
        Some(
            "Trial limits, from 7 months: they will move as months are added, until 12 give firm limits."
        )
    );
    let page = html::render(&report);
    assert!(page.contains("Trial limits, from 7 months"));
    assert!(page.contains("trial limits, mean 72.9%"));
    assert!(page.contains("Trial lower process limit"));
    assert!(page.contains("Left out for too few comments, shown as gaps: Jul 2022 (3)."));
    // July keeps its place: a shaded gap, and the line breaks there ("M" starts a new stretch).
    assert!(page.contains("Jul 2022: 3 comments, too few to chart"));
    let svg = &page[page.find("spc-chart").unwrap()..];
    let path = &svg[svg.find("<path d=\"M").unwrap()..];
    let path = &path[..path.find("\" fill").unwrap()];
    assert_eq!(path.matches(" M").count(), 1, "{path}");
    let points = tables::tables(&report)
        .into_iter()
        .find(|t| t.name == "spc-points")
        .unwrap();
    let limits_column = points
        .columns
        .iter()
        .position(|c| c.header == "Limits")
        .unwrap();
    assert_eq!(points.rows[0][limits_column].display(), "trial");
}

fn hostile_comments() -> (Vec<Comment>, ThemeCatalog) {
    let mut comments = Vec::new();
    let texts = [
        "<script>alert('pwned')</script> The staff were lovely",
        "=HYPERLINK(\"http://evil.example/steal\",\"Click for your results\")",
        "+SUM(1+1) | pipe | *stars* <b>bold</b>",
        "@cmd -2+3 waited & waited",
    ];
    for i in 0..40 {
        let mut c = comment(
            &format!("h{i}"),
            date(2022, 1 + (i % 12) as u32, 3),
            if i % 3 == 0 {
                FftScore::Poor
            } else {
                FftScore::VeryGood
            },
            texts[i % texts.len()],
            &[
                ("<img src=x onerror=alert(1)>", SentimentLabel::Negative),
                ("Staff attitude", SentimentLabel::Positive),
            ],
            &[("waiting", SentimentLabel::Negative)],
        );
        c.service = Some(if i % 2 == 0 {
            "=cmd|' /C calc'!A0".into()
        } else {
            "<i>Ward</i>".into()
        });
        c.attributes.insert("Age band", "-1+1");
        if let Some(a) = c.annotations.as_mut() {
            a.discordant = i % 3 == 0;
        }
        comments.push(c);
    }
    let cat = ThemeCatalog {
        run: "<script>run</script>".into(),
        ..catalog(&[("Staff attitude", Direction::HigherIsBetter)])
    };
    (comments, cat)
}

fn hostile_report() -> (ReportData, Vec<Comment>) {
    let (comments, cat) = hostile_comments();
    let options = ReportOptions {
        by: vec![
            BreakdownBy::Service,
            BreakdownBy::Month,
            "age band".parse().expect("a dimension"),
        ],
        annotations: vec![
            "2022-06-01=<script>x</script> =change"
                .parse()
                .expect("a change note"),
        ],
        source: "store <script>evil</script>".into(),
        ..ReportOptions::default()
    };
    (
        build(&comments, &cat, &options).expect("the report builds"),
        comments,
    )
}

#[test]
fn hostile_text_stays_inert_in_html() {
    let (report, _) = hostile_report();
    let page = html::render(&report);
    for raw in ["<script", "<img", "<b>bold", "<i>Ward", "onerror=alert(1)>"] {
        assert!(!page.contains(raw), "raw {raw} in the pack");
    }
    assert!(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // Self-contained: no external URL in any src or href, no script element at all.
    assert!(!page.contains("src=\"http"));
    assert!(!page.contains("href=\"http"));
    assert!(!page.contains("url(http"));
    assert!(page.contains("Content-Security-Policy"));
}

#[test]
fn hostile_text_stays_inert_in_markdown() {
    let (report, _) = hostile_report();
    let md = markdown::render(&report);
    // Every `<` is backslash-escaped, so no renderer passes HTML through.
    for (i, _) in md.match_indices('<') {
        assert_eq!(&md[i - 1..i], "\\", "unescaped < at {}", &md[i - 1..]);
    }
    assert!(md.contains("\\<script\\>"));
    assert!(md.contains("\\<img src=x onerror=alert(1)\\>"));
    assert!(md.contains("\\| pipe \\|"));
    // Every table line has as many unescaped pipes as its header.
    for block in md.split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        if let Some(header) = lines.first() {
            let pipes = |l: &str| l.matches('|').count() - l.matches("\\|").count();
            assert!(lines.iter().all(|l| pipes(l) == pipes(header)), "{block}");
        }
    }
}

fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn hostile_text_stays_inert_in_csv() {
    let (report, _) = hostile_report();
    let dir = tempfile::tempdir().unwrap();
    let files = csv::write_dir(&report, dir.path()).unwrap();
    assert!(files.len() >= 10);
    let mut saw_neutralised = false;
    for file in files {
        let mut reader = ::csv::Reader::from_path(&file).unwrap();
        let headers = reader.headers().unwrap().clone();
        for h in headers.iter() {
            assert!(!formula_like(h.trim_start_matches('\u{feff}')), "{h}");
        }
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                // Numbers may be negative; text may not start a formula.
                if cell.parse::<f64>().is_err() {
                    assert!(!formula_like(cell), "{} holds {cell:?}", file.display());
                }
                saw_neutralised |= cell.starts_with("'=HYPERLINK(");
            }
        }
    }
    assert!(saw_neutralised, "the HYPERLINK comment is quoted somewhere");
}

#[test]
fn hostile_text_is_a_string_never_a_formula_in_excel() {
    let (report, _) = hostile_report();
    let bytes = xlsx::to_bytes(&report).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheets = book.sheet_names().to_vec();
    assert!(sheets.contains(&"themes".to_string()));
    let mut saw_hyperlink = false;
    for sheet in &sheets {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
        let range = book.worksheet_range(sheet).unwrap();
        for (_, _, cell) in range.used_cells() {
            if let Data::String(s) = cell {
                saw_hyperlink |= s.starts_with("=HYPERLINK(");
            }
        }
    }
    assert!(saw_hyperlink, "the comment is kept verbatim as a string");
    // Numbers are numbers.
    let themes = book.worksheet_range("themes").unwrap();
    let header: Vec<String> = themes
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let comments_col = header.iter().position(|h| h == "Comments").unwrap();
    assert!(matches!(
        themes.rows().nth(1).unwrap()[comments_col],
        Data::Float(_)
    ));
}

#[test]
fn hostile_text_survives_json_and_exports_intact() {
    let (report, comments) = hostile_report();
    let text = json::render(&report).unwrap();
    assert!(!text.contains('<'), "the JSON is safe to embed in a page");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["source"], "store <script>evil</script>");

    let mut lines = Vec::new();
    let n = write_jsonl(&comments, &ExportFilter::default(), &mut lines).unwrap();
    assert_eq!(n, comments.len() as u64);
    let lines = String::from_utf8(lines).unwrap();
    assert!(!lines.contains('<'));
    for (line, c) in lines.lines().zip(&comments) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["text"], c.text.as_str());
        assert_eq!(v["id"], c.id.as_str());
        assert_eq!(v["themes"][0]["source"], "codebook");
        assert_eq!(v["touchpoints"][0]["id"], "waiting");
        assert_eq!(v["touchpoints"][0]["sentiment"], "negative");
        assert_eq!(v["discovered_theme"], serde_json::Value::Null);
        assert!(v["sentiment"]["label"].is_string());
        assert!(v["discordant"].is_boolean());
        assert_eq!(v["date"], c.date.unwrap().to_string().as_str());
    }

    let mut out = Vec::new();
    write_csv(&comments, &ExportFilter::default(), &mut out).unwrap();
    let mut reader = ::csv::Reader::from_reader(&out[3..]);
    let mut rows = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            if cell.parse::<f64>().is_err() {
                assert!(!formula_like(cell), "{cell:?}");
            }
        }
        rows += 1;
    }
    assert_eq!(rows, comments.len());
}

#[test]
fn small_counts_are_suppressed_in_every_format() {
    // Ward A: 40 comments about staff; Ward B: 3; Ward C: 12 (so B's 3 would be derivable from the
    // total of 55 without hiding C too).
    let mut comments = Vec::new();
    for (ward, n) in [("Ward A", 40), ("Ward B", 3), ("Ward C", 12)] {
        for i in 0..n {
            let mut c = comment(
                &format!("{ward}-{i}"),
                date(2022, 5, 1 + (i % 28) as u32),
                FftScore::Good,
                "Staff were kind",
                &[("Staff", SentimentLabel::Positive)],
                &[],
            );
            c.service = Some(ward.into());
            comments.push(c);
        }
    }
    let options = ReportOptions {
        by: vec![BreakdownBy::Service],
        ..ReportOptions::default()
    };
    let report = build(
        &comments,
        &catalog(&[("Staff", Direction::Neutral)]),
        &options,
    )
    .unwrap();
    let b = &report.breakdowns[0];
    let groups: Vec<(String, String)> = b
        .groups
        .iter()
        .map(|g| (g.name.clone(), g.comments.display()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Ward A".to_string(), "40".to_string()),
            ("Ward C".to_string(), "[c]".to_string()),
            ("Ward B".to_string(), "<5".to_string())
        ]
    );
    let cells: Vec<String> = b.rows[0].cells.iter().map(|c| c.count.display()).collect();
    assert_eq!(cells, ["40", "[c]", "<5"]);
    assert_eq!(b.rows[0].cells[0].percent, Some(100.0));
    assert!(b.rows[0].cells[1..].iter().all(|c| c.percent.is_none()));

    // The table every writer renders carries the marks, and no writer leaks the 3 or the 12.
    let table = tables::tables(&report)
        .into_iter()
        .find(|t| t.name == "breakdown-service")
        .unwrap();
    let row: Vec<String> = table.rows[1].iter().map(|v| v.display()).collect();
    assert_eq!(
        row,
        ["Staff", "codebook", "40", "100.0", "[c]", "", "<5", ""]
    );
    let md = markdown::render(&report);
    assert!(md.contains("| Staff | codebook | 40 | 100.0 | \\[c\\] |  | \\<5 |  |"));
    let page = html::render(&report);
    let section = &page[page.find("Themes by service").unwrap()..];
    let section = &section[..section.find("</table>").unwrap()];
    assert!(section.contains("&lt;5") && section.contains("[c]"));
    assert!(!section.contains(">3<") && !section.contains(">12<"));
}

#[test]
fn unknown_attributes_are_refused_with_the_ones_available() {
    let (comments, cat) = hostile_comments();
    let options = ReportOptions {
        by: vec!["ethnicity".parse().unwrap()],
        ..ReportOptions::default()
    };
    let err = build(&comments, &cat, &options).unwrap_err();
    assert!(matches!(err, Error::UnknownAttribute { .. }));
    assert_eq!(
        err.to_string(),
        "no comment has the attribute `ethnicity` to break down by: use service, month, question or one of: Age band"
    );
}

#[test]
fn the_period_filter_and_undated_comments() {
    let comments = vec![
        comment("a", date(2022, 1, 5), FftScore::Good, "in", &[], &[]),
        comment("b", date(2022, 3, 5), FftScore::Poor, "out", &[], &[]),
        comment("c", None, FftScore::Poor, "undated", &[], &[]),
    ];
    let all = build(&comments, &catalog(&[]), &ReportOptions::default()).unwrap();
    assert_eq!(all.headline.comments, 3);
    assert_eq!(all.scope.undated_comments, 1);
    assert_eq!(
        all.scope.period.unwrap().label(),
        "5 Jan 2022 to 5 Mar 2022"
    );
    let january = ReportOptions {
        from: date(2022, 1, 1),
        to: date(2022, 1, 31),
        ..ReportOptions::default()
    };
    let one = build(&comments, &catalog(&[]), &january).unwrap();
    assert_eq!(one.headline.comments, 1);
    assert_eq!(one.headline.percent_positive, Some(100.0));
    let service = ReportOptions {
        service: Some("WARD 1".into()),
        ..ReportOptions::default()
    };
    assert_eq!(
        build(&comments, &catalog(&[]), &service)
            .unwrap()
            .headline
            .comments,
        3
    );
}

#[test]
fn output_is_deterministic_and_every_format_is_written() {
    let comments = synthetic::comments(3000, 11);
    let catalog = synthetic::catalog();
    let options = ReportOptions {
        compare_previous: true,
        from: date(2022, 7, 1),
        annotations: vec!["2022-01-01=New discharge lounge".parse().unwrap()],
        ..ReportOptions::default()
    };
    let a = build(&comments, &catalog, &options).unwrap();
    let b = build(&comments, &catalog, &options).unwrap();
    assert_eq!(a, b);
    assert_eq!(html::render(&a), html::render(&b));
    assert_eq!(xlsx::to_bytes(&a).unwrap(), xlsx::to_bytes(&b).unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [
        (Format::Csv, "csv"),
        (Format::Xlsx, "r.xlsx"),
        (Format::Markdown, "r.md"),
        (Format::Html, "r.html"),
        (Format::Json, "r.json"),
    ] {
        let written = write_report(&a, format, &dir.path().join(name)).unwrap();
        assert!(
            written.iter().all(|p| p.metadata().unwrap().len() > 100),
            "{name}"
        );
    }
    // Praise gets as much room as problems.
    assert_eq!(a.went_well.len(), a.to_improve.len());
    assert!(a.went_well.iter().all(|h| h.quote.is_some()));
}

#[test]
fn praise_is_quoted_from_comments_that_praise_as_a_whole() {
    // The furious comment mentions staff kindly but is negative overall: whatever order or hash, the
    // quote for "what went well" is the wholly positive one, and the reverse for "what to improve".
    for furious_first in [true, false] {
        let mut furious = comment(
            "furious",
            date(2022, 1, 5),
            FftScore::Poor,
            "I'm furious. Lovely friendly staff but the worst service I've had",
            &[("Staff", SentimentLabel::Positive)],
            &[],
        );
        furious.annotations.as_mut().unwrap().sentiment.label = SentimentLabel::Negative;
        let glad = comment(
            "glad",
            date(2022, 1, 6),
            FftScore::VeryGood,
            "The staff were lovely and kind to my mum all week",
            &[("Staff", SentimentLabel::Positive)],
            &[],
        );
        let comments = if furious_first {
            vec![furious, glad]
        } else {
            vec![glad, furious]
        };
        let report = build(&comments, &catalog(&[]), &ReportOptions::default()).unwrap();
        let quote = report.went_well[0].quote.as_ref().unwrap();
        assert_eq!(quote.comment_id, "glad");
    }
}

/// A model's themes under a framework crosswalk come grouped by their category, where the category's most
/// mentioned theme would come, with the category in the tables and as a heading row in the pack; the
/// touchpoints' definitions and the crosswalk are in the method note.
#[test]
fn model_themes_are_grouped_by_their_framework_category() {
    use SentimentLabel::Positive;
    let model = |name: &str, category: Option<&str>| CatalogEntry {
        id: name.into(),
        label: name.into(),
        source: ThemeSource::Model,
        description: String::new(),
        direction: Direction::Neutral,
        category: category.map(Into::into),
    };
    let mut catalog = catalog(&[("Waiting times", Direction::LowerIsBetter)]);
    catalog.themes.extend([
        model("Staff manner & personal attributes", Some("Staff")),
        model("Staffing levels & responsiveness", Some("Staff")),
        model(
            "Timeliness of care",
            Some("Access to medical care & support"),
        ),
    ]);
    catalog.touchpoints = vec![CatalogEntry {
        id: "waiting".into(),
        label: "Waiting".into(),
        source: ThemeSource::Codebook,
        description: "Waiting and timeliness: delays, punctuality, speed of response".into(),
        direction: Direction::LowerIsBetter,
        category: None,
    }];
    let counts = [
        ("Staff manner & personal attributes", 5, ThemeSource::Model),
        ("Timeliness of care", 4, ThemeSource::Model),
        ("Waiting times", 3, ThemeSource::Codebook),
        ("Staffing levels & responsiveness", 1, ThemeSource::Model),
    ];
    let mut comments = Vec::new();
    for (name, n, source) in counts {
        for k in 0..n {
            let mut c = comment(
                &format!("{name}{k}"),
                date(2024, 1, 2),
                FftScore::Good,
                "Some text",
                &[(name, Positive)],
                &[],
            );
            if let Some(a) = c.annotations.as_mut() {
                a.themes[0].source = source;
            }
            comments.push(c);
        }
    }
    let data = build(&comments, &catalog, &ReportOptions::default()).unwrap();
    let order: Vec<(&str, Option<&str>)> = data
        .themes
        .iter()
        .map(|t| (t.name.as_str(), t.category.as_deref()))
        .collect();
    assert_eq!(
        order,
        [
            ("Staff manner & personal attributes", Some("Staff")),
            ("Staffing levels & responsiveness", Some("Staff")),
            (
                "Timeliness of care",
                Some("Access to medical care & support")
            ),
            ("Waiting times", None),
        ]
    );
    let page = html::render(&data);
    assert_eq!(page.matches("<tr class=\"category\">").count(), 2, "{page}");
    assert!(page.contains(">Access to medical care &amp; support</td></tr>"));
    let themes = tables::tables(&data)
        .into_iter()
        .find(|t| t.name == "themes")
        .unwrap();
    assert_eq!(themes.columns[1].header, "Category");
    assert!(
        data.method
            .iter()
            .any(|m| m.contains("Waiting: Waiting and timeliness") && m.contains("not words")),
        "{:?}",
        data.method
    );
    assert!(data.method.iter().any(|m| m.contains("version 7")));
}

#[test]
fn a_huge_story_is_quoted_short_everywhere_and_whole_in_the_export() {
    // A 2.2 MB story among ordinary comments: long enough to be a story to read in full, and the
    // best quote of its theme. Every output that shows quotes shows about 2,000 characters of it and
    // says where the rest is; the JSON-lines export (the whole data) keeps it whole.
    let sentence = "We waited and nobody came to tell us anything at all. ";
    let story = sentence.repeat(40_000);
    let mut comments = vec![comment(
        "story-1",
        date(2024, 5, 1),
        FftScore::Poor,
        &story,
        &[
            ("Waiting", SentimentLabel::Negative),
            ("Communication", SentimentLabel::Negative),
        ],
        &[("waiting", SentimentLabel::Negative)],
    )];
    for i in 0..20 {
        comments.push(comment(
            &format!("c{i}"),
            date(2024, 5, 2),
            FftScore::Good,
            "Kind staff",
            &[("Staff", SentimentLabel::Positive)],
            &[],
        ));
    }
    let report = build(&comments, &catalog(&[]), &ReportOptions::default()).unwrap();
    let note = "(quote shortened; the whole comment is in the store and its export, id story-1)";
    let story_quote = &report.complex_comments[0];
    assert!(story_quote.truncated);
    assert!(story_quote.text.ends_with('…'));
    assert!(story_quote.text.chars().count() <= 2_001);
    let a_lot = &story[..10_000];
    for (format, text) in [
        ("html", html::render(&report)),
        ("markdown", markdown::render(&report)),
        ("json", json::render(&report).unwrap()),
    ] {
        assert!(text.len() < 100_000, "{format}: {} bytes", text.len());
        assert!(!text.contains(a_lot), "{format} holds the whole story");
        assert!(text.contains("story-1"), "{format} names the comment");
    }
    assert!(html::render(&report).contains(note));
    assert!(markdown::render(&report).contains(&chorus_report::escape::markdown(note).to_string()));
    let complex = tables::tables(&report)
        .into_iter()
        .find(|t| t.name == "complex")
        .unwrap();
    let comment_column = complex
        .columns
        .iter()
        .position(|c| c.header == "Comment")
        .unwrap();
    let cell = complex.rows[0][comment_column].display();
    assert!(cell.ends_with(&format!("… {note}")), "{cell}");
    assert!(csv::to_bytes(&complex).unwrap().len() < 10_000);
    assert!(xlsx::to_bytes(&report).unwrap().len() < 100_000);
    assert!(
        report
            .method
            .iter()
            .any(|m| m.contains("The store keeps every comment whole"))
    );

    let mut lines = Vec::new();
    write_jsonl(&comments, &ExportFilter::default(), &mut lines).unwrap();
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8(lines).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["text"], story.as_str());
}
