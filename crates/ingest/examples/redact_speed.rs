//! The redactor's throughput on the real corpora (`../shared/corpora`, read at run time), in comments and
//! megabytes per CPU second on one thread; the comments are redacted `CHORUS_REPEAT` times (default 20).
//!
//! `cargo run --release -p chorus-ingest --example redact_speed`

use chorus_ingest::Redactor;

fn main() {
    let dir = chorus_testdata::dir();
    let mut texts = Vec::new();
    for (file, column) in [
        ("fft-v6-dev.csv", "FFT answer"),
        ("phase1-text-data.csv", "feedback"),
        ("care-opinion-stories.csv", "feedback"),
    ] {
        let Ok(mut reader) = csv::Reader::from_path(dir.join(file)) else {
            eprintln!("skipping: {} is absent", dir.join(file).display());
            return;
        };
        let Some(at) = reader
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|h| h == column))
        else {
            eprintln!("skipping: {file} has no column {column:?}");
            return;
        };
        texts.extend(
            reader
                .records()
                .filter_map(Result::ok)
                .filter_map(|r| r.get(at).map(str::to_owned)),
        );
    }
    let repeat: usize = std::env::var("CHORUS_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let redactor = Redactor::new();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut changed = 0;
    let start = cpu_seconds();
    for _ in 0..repeat {
        changed = texts
            .iter()
            .filter(|t| matches!(redactor.redact(t).0, std::borrow::Cow::Owned(_)))
            .count();
    }
    let seconds = (cpu_seconds() - start).max(1e-9);
    let n = (texts.len() * repeat) as f64;
    println!(
        "{} comments ({:.1} MB) x {repeat}: {:.0} comments/s, {:.1} MB/s (CPU time); {changed} changed",
        texts.len(),
        bytes as f64 / 1e6,
        n / seconds,
        (bytes * repeat) as f64 / 1e6 / seconds
    );
}

/// CPU time of this process so far (user + system), in seconds: on a shared machine, wall time says more
/// about the neighbours than about the code.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}
