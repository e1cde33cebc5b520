//! Time and memory of discovery on N comments: the public corpora's texts (v6 FFT comments, phase 1
//! comments, Care Opinion stories) resampled deterministically to N, all included, as a store holding
//! them would offer them to `chorus themes --discover`.
//!
//! `cargo run --release -p chorus-themes --example discover_speed -- [N] [K|auto] [varied]` (defaults
//! 1,000,000 and auto). Prints seconds, themes and peak resident memory (VmHWM) before and after
//! discovery.
//!
//! Resampling ~16,000 real texts repeats each one many times, so the vocabulary and the co-occurrence
//! matrix stay those of 16,000 comments, far smaller than a real million comments would give. `varied`
//! stresses those steps: it appends to every comment three made-up words drawn from a Zipf distribution
//! over 200,000 (letters only, like "qbxk"), which fills the vocabulary to its cap and multiplies the
//! distinct co-occurrences, as a large real corpus would. It measures cost, not quality.

use std::time::Instant;

use chorus_themes::discover::{ClusterCount, DiscoverDoc, DiscoverOptions, discover};

#[path = "common/cpu.rs"]
mod cpu;
#[path = "../tests/common/discovery.rs"]
mod discovery;

use cpu::cpu_seconds;
use discovery::{corpora_dir, texts};

/// Peak resident memory of this process, in MiB (VmHWM in /proc/self/status; 0 where unavailable).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let count = match args.next().as_deref() {
        None | Some("auto") => ClusterCount::Auto,
        Some(k) => ClusterCount::Fixed(k.parse().expect("K is a number or `auto`")),
    };
    let varied = args.next().as_deref() == Some("varied");
    let Some(dir) = corpora_dir() else {
        eprintln!("skipping: ../shared/corpora not found");
        return;
    };
    let mut pool = texts(&dir, "fft-v6-dev.csv", "FFT answer");
    pool.extend(texts(&dir, "phase1-text-data.csv", "feedback"));
    pool.extend(texts(&dir, "care-opinion-stories.csv", "feedback"));
    // SplitMix64 picks: deterministic, and unlike `i % len` not in corpus order.
    let mut state = 0x5EED_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let texts: Vec<String> = (0..n)
        .map(|_| {
            let mut text = pool[(next() % pool.len() as u64) as usize].clone();
            if varied {
                for _ in 0..3 {
                    // Zipf(1) over 1..=200,000 by inversion: rank = 200,000^u.
                    let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                    let mut rank = 200_000f64.powf(u) as u64;
                    text.push_str(" q");
                    while rank > 0 {
                        text.push((b'a' + (rank % 26) as u8) as char);
                        rank /= 26;
                    }
                }
            }
            text
        })
        .collect();
    drop(pool);
    let bytes: usize = texts.iter().map(String::len).sum();
    let docs: Vec<DiscoverDoc<'_>> = texts
        .iter()
        .map(|text| DiscoverDoc {
            text,
            include: true,
        })
        .collect();
    let before = peak_rss_mib();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let found = discover(&docs, &DiscoverOptions { count, seed: 42 });
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let placed = found.assignments.iter().flatten().count();
    assert_eq!(
        found.themes.iter().map(|t| t.size as usize).sum::<usize>(),
        placed,
        "theme sizes add up to the placed comments"
    );
    println!(
        "{n} comments ({:.0} MB of text): discovery {seconds:.2} s ({cpu:.2} s of CPU) on {} threads, \
         {} themes, {placed} placed; peak RSS {:.0} MiB before discovery, {:.0} MiB after",
        bytes as f64 / 1e6,
        rayon::current_num_threads(),
        found.themes.len(),
        before,
        peak_rss_mib()
    );
    for theme in found.themes.iter().take(5) {
        println!("  {:>7}  {}", theme.size, theme.label);
    }
}
