//! Measures the store at scale: build rate, query latency with facets, `comments()` and
//! `replace_annotations` at N comments made from the real corpora (default 1,000,000), and peak memory.
//!
//! `cargo run --release -p chorus-index --example scale -- [N] [TEXTS_PER_COMMENT]` (reads ../shared/corpora or
//! $CHORUS_SHARED_CORPORA; prints figures to stdout).

use std::path::PathBuf;
use std::time::Instant;

use chorus_core::{
    Annotations, Comment, Date, FftScore, SentimentLabel, SentimentScore, SourceRef,
    ThemeAssignment, ThemeCatalog, ThemeSource, TouchpointMention,
};
use chorus_index::{Filters, SearchRequest, SortOrder, Store};

fn corpus_texts() -> Vec<String> {
    let dir = std::env::var_os("CHORUS_SHARED_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    let mut texts = Vec::new();
    for (file, column) in [
        ("fft-v6-dev.csv", "FFT answer"),
        ("phase1-text-data.csv", "feedback"),
    ] {
        let Ok(mut reader) = csv::Reader::from_path(dir.join(file)) else {
            eprintln!("{} is absent", dir.join(file).display());
            continue;
        };
        let headers = reader.headers().cloned().unwrap_or_default();
        let Some(col) = headers.iter().position(|h| h == column) else {
            continue;
        };
        for record in reader.records().flatten() {
            let text = record.get(col).unwrap_or("").trim();
            if !text.is_empty() {
                texts.push(text.to_owned());
            }
        }
    }
    texts
}

fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // Clock ticks are 100 per second on Linux.
    fields
        .get(10)
        .zip(fields.get(11))
        .map_or(f64::NAN, |(u, s)| (u + s) / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |a| a.parse())?;
    let per_comment: usize = std::env::args().nth(2).map_or(Ok(1), |a| a.parse())?;
    let texts = corpus_texts();
    if texts.is_empty() {
        return Err("no corpus texts".into());
    }
    let services = [
        "Emergency Department",
        "Maternity",
        "Outpatients",
        "Community Mental Health",
        "111",
        "Patient Transport",
        "Ward 7",
        "Ward 9",
        "Paediatrics",
        "Radiology",
    ];
    let start_day = Date::from_ymd(2021, 1, 1).ok_or("date")?;
    let make = |i: usize| Comment {
        id: format!("C{i}"),
        respondent: format!("R{}", i / 2),
        question: if i.is_multiple_of(2) {
            "FFT Why?".into()
        } else {
            "What could we do better?".into()
        },
        // Corpus texts as they are (72 bytes on average, like real FFT comments), or several joined for
        // longer ones.
        text: (0..per_comment)
            .map(|k| texts[(i * (2 * k + 1) + 3 * k) % texts.len()].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        no_comment: false,
        date: Some(start_day.add_days((i % 1095) as i32)),
        score: FftScore::from_code((i % 7 + 1) as i64),
        service: Some(services[i % services.len()].into()),
        organisation: Some(format!("Trust {}", i % 3)),
        attributes: Default::default(),
        source: SourceRef {
            name: "scale".into(),
            line: i as u64 + 2,
            column: "text".into(),
        },
        annotations: None,
    };
    let dir = tempfile::tempdir()?;
    let store = Store::create_or_open(&dir.path().join("store"))?;

    let cpu = cpu_seconds();
    for i in 0..n {
        std::hint::black_box(make(i));
    }
    let making = cpu_seconds() - cpu;
    println!("making the comments alone: {making:.1} CPU-s (included in the build figures below)");
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut writer = store.writer()?;
    for i in 0..n {
        writer.add(&make(i))?;
    }
    writer.commit()?;
    let build = t.elapsed().as_secs_f64();
    println!(
        "build: {n} comments in {build:.1}s = {:.0} comments/s (peak {:.0} MiB)",
        n as f64 / build,
        peak_memory_mib()
    );
    let build_cpu = cpu_seconds() - cpu;
    // On a shared machine wall time hides how much CPU the build needs; two idle cores give at most this.
    println!(
        "build CPU: {build_cpu:.1}s = {:.0} comments per CPU-second (two idle cores: up to {:.0}/s)",
        n as f64 / build_cpu,
        2.0 * n as f64 / build_cpu
    );

    let t = Instant::now();
    let keys = store.known_keys()?;
    println!(
        "known_keys: {} in {:.0} ms",
        keys.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    drop(keys);

    let queries = [
        "parking",
        "staff",
        "waiting",
        "rude",
        "\"car park\"",
        "staff AND rude",
        "parking OR car",
        "waiting -staff",
        "service:maternity",
        "score:[4 TO 5] waiting",
        "date:[2021-10-01 TO 2021-12-31] staff",
        "nurse kind",
        "appointment cancelled",
        "\"waiting time\"",
        "food",
        "discharge",
        "pain",
        "thank",
        "month:2022-03",
        "question:improve communication",
    ];
    let mut times = Vec::new();
    let mut totals = Vec::new();
    for round in 0..5 {
        for (qi, q) in queries.iter().enumerate() {
            let mut request = SearchRequest::new(*q);
            if qi % 4 == 1 {
                request.filters = Filters {
                    services: vec!["Outpatients".into()],
                    ..Filters::default()
                };
            }
            if qi % 5 == 2 {
                request.sort = SortOrder::Date;
            }
            let t = Instant::now();
            let r = store.search(&request)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round > 0 {
                times.push(ms);
            } else {
                totals.push((q, r.total));
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "search (with facets, 10 hits + snippets): median {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} queries",
        pct(0.5),
        pct(0.99),
        pct(1.0),
        times.len()
    );
    for (q, total) in totals.iter().take(6) {
        println!("  {q:<24} {total} matches");
    }
    let t = Instant::now();
    let all = store.search(&SearchRequest::new(""))?;
    println!(
        "match-all with facets: {} in {:.1} ms",
        all.total,
        t.elapsed().as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let stats = store.stats()?;
    println!(
        "stats: {} respondents in {:.0} ms",
        stats.respondents,
        t.elapsed().as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let mut comments = store.comments()?;
    println!(
        "comments(): {} in {:.1}s (peak {:.0} MiB)",
        comments.len(),
        t.elapsed().as_secs_f64(),
        peak_memory_mib()
    );
    for c in &mut comments {
        c.annotations = Some(Annotations {
            sentiment: SentimentScore {
                label: SentimentLabel::Mixed,
                score: -0.2,
            },
            touchpoints: vec![TouchpointMention {
                id: "waiting".into(),
                sentiment: SentimentLabel::Negative,
                score: -0.5,
            }],
            themes: vec![ThemeAssignment {
                name: "Waiting times".into(),
                source: ThemeSource::Codebook,
                confidence: 1.0,
                sentiment: SentimentLabel::Negative,
            }],
            discovered_theme: Some(2),
            discordant: false,
        });
    }
    let t = Instant::now();
    let cpu = cpu_seconds();
    store.replace_annotations(&comments, &ThemeCatalog::default())?;
    let secs = t.elapsed().as_secs_f64();
    println!("replace_annotations CPU: {:.1}s", cpu_seconds() - cpu);
    println!(
        "replace_annotations: {} in {secs:.1}s = {:.0} comments/s (peak {:.0} MiB)",
        comments.len(),
        comments.len() as f64 / secs,
        peak_memory_mib()
    );
    drop(comments);
    // The first query after the rewrite opens the new segments (as a fresh `chorus search` process
    // would); the next ones are warm.
    for round in ["first", "second", "third"] {
        let t = Instant::now();
        let r = store.search(&SearchRequest::new("theme:\"waiting times\" parking"))?;
        println!(
            "after theming, {round} theme query: {} matches in {:.1} ms",
            r.total,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    // A fresh process: open the store, then one query.
    let t = Instant::now();
    let reopened = Store::open(store.dir())?;
    let r = reopened.search(&SearchRequest::new("parking"))?;
    println!(
        "open + first query (as a `chorus search` process does): {} matches in {:.1} ms",
        r.total,
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
