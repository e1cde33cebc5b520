//! Throughput of `analyse()` (analysis, sentiment, touchpoints, codebook themes) on 100,000 real comments
//! from the public corpora (or synthetic ones when they are absent). The target is at least 100,000
//! comments a second on two cores. Run with `cargo bench -p chorus-themes`; for a whole million, use the
//! `throughput` example.

#[path = "../tests/common/corpora.rs"]
mod corpora;

use std::hint::black_box;

use chorus_core::{Comment, FftScore, SourceRef};
use chorus_themes::{ThemeConfig, analyse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const N: usize = 100_000;

fn comments() -> Vec<Comment> {
    let mut texts: Vec<(String, &str)> = Vec::new();
    if let Some(rows) = corpora::v6() {
        texts.extend(rows.into_iter().map(|r| (r.text, "FFT Why?")));
    }
    if let Some(rows) = corpora::phase1() {
        texts.extend(
            rows.into_iter()
                .map(|r| (r.text, "What could we do better?")),
        );
    }
    if texts.is_empty() {
        texts = [
            "Staff were lovely but I waited 4 hours",
            "Nothing",
            "Parking was a nightmare and nobody told us anything",
            "Excellent care, thank you",
        ]
        .iter()
        .map(|t| ((*t).to_owned(), "FFT Why?"))
        .collect();
    }
    (0..N)
        .map(|i| {
            let (text, question) = &texts[i % texts.len()];
            Comment {
                id: i.to_string(),
                respondent: i.to_string(),
                question: (*question).into(),
                text: text.clone(),
                no_comment: false,
                date: None,
                score: FftScore::from_code((i % 5) as i64 + 1),
                service: None,
                organisation: None,
                attributes: Default::default(),
                source: SourceRef::default(),
                annotations: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let comments = comments();
    let config = ThemeConfig::default();
    // The bench measures the right thing only if every comment is analysed and most are themed.
    let check = analyse(&comments, &config).expect("the built-in configuration compiles");
    assert_eq!(check.summary.analysed, N as u64);
    assert!(
        check.summary.themed * 2 > N as u64,
        "{:?}",
        check.summary.themed
    );

    let mut group = c.benchmark_group("themes");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("analyse 100k comments", |b| {
        b.iter(|| analyse(black_box(&comments), &config).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
