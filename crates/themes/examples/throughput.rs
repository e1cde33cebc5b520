//! Throughput of `analyse()` (analysis, sentiment, touchpoints, codebook themes; no model, no discovery) on
//! the real comments of the public corpora, repeated up to N comments.
//!
//! `cargo run --release -p chorus-themes --example throughput [N]` (default 1,000,000).

#[path = "../tests/common/corpora.rs"]
mod corpora;

use std::time::Instant;

use chorus_core::{Comment, FftScore, SourceRef};
use chorus_themes::{ThemeConfig, analyse};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut texts: Vec<(String, &'static str)> = Vec::new();
    for (rows, question) in [
        (corpora::v6(), "FFT Why?"),
        (corpora::phase1(), "What could we do better?"),
    ] {
        for row in rows.unwrap_or_default() {
            texts.push((row.text, question));
        }
    }
    if texts.is_empty() {
        eprintln!("no corpora: nothing to measure");
        return;
    }
    let comments: Vec<Comment> = (0..n)
        .map(|i| {
            let (text, question) = &texts[i % texts.len()];
            Comment {
                id: i.to_string(),
                respondent: i.to_string(),
                question: (*question).to_owned(),
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
        .collect();
    let bytes: usize = comments.iter().map(|c| c.text.len()).sum();
    let config = ThemeConfig::default();
    let started = Instant::now();
    let run = analyse(&comments, &config).expect("the built-in configuration compiles");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} comments ({:.1} MB of text) in {:.2} s: {:.0} comments/s on {} threads; themed {}, discordant {}",
        n,
        bytes as f64 / 1e6,
        seconds,
        n as f64 / seconds,
        rayon::current_num_threads(),
        run.summary.themed,
        run.summary.discordant
    );
}
