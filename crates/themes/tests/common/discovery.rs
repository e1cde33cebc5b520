//! Reading the public corpora for discovery and scoring it against the v6 labels (normalised mutual
//! information), shared by the `discover_quality` test and the `discover_eval` example.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chorus_themes::discover::Discovery;

pub fn corpora_dir() -> Option<PathBuf> {
    chorus_testdata::existing_dir()
}

/// Whether a v6 "FFT answer" is a placeholder rather than a comment.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').trim().to_lowercase();
    matches!(
        t.as_str(),
        "" | "did not answer" | "n/a" | "na" | "n.a" | "-" | "--" | "nil"
    )
}

pub fn read(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("a header row").clone();
    (headers, reader.records().filter_map(Result::ok).collect())
}

pub fn column(headers: &csv::StringRecord, name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

/// v6 comments with real text, each with its label when it has exactly one.
pub fn v6(dir: &Path) -> Vec<(String, Option<usize>)> {
    let (headers, rows) = read(&dir.join("fft-v6-dev.csv"));
    let text = column(&headers, "FFT answer");
    let first_label = column(&headers, "Comment sentiment") + 1;
    rows.iter()
        .filter_map(|r| {
            let t = r.get(text)?;
            if is_placeholder(t) {
                return None;
            }
            let labels: Vec<usize> = (first_label..r.len())
                .filter(|&c| r.get(c).is_some_and(|v| v.trim() == "1"))
                .collect();
            Some((t.to_owned(), (labels.len() == 1).then(|| labels[0])))
        })
        .collect()
}

/// The `feedback` column of a phase 1 style file.
pub fn feedback(dir: &Path, file: &str) -> Vec<String> {
    texts(dir, file, "feedback")
}

/// The non-blank cells of column `name` of a corpus file.
pub fn texts(dir: &Path, file: &str, name: &str) -> Vec<String> {
    let (headers, rows) = read(&dir.join(file));
    let text = column(&headers, name);
    rows.iter()
        .filter_map(|r| r.get(text))
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn entropy(counts: impl Iterator<Item = usize>, n: f64) -> f64 {
    counts
        .filter(|&c| c > 0)
        .map(|c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

/// NMI with arithmetic normalisation: I(U; V) / ((H(U) + H(V)) / 2), 1 when both are one cluster.
pub fn nmi(a: &[i64], b: &[i64]) -> f64 {
    let n = a.len() as f64;
    let mut ca: HashMap<i64, usize> = HashMap::new();
    let mut cb: HashMap<i64, usize> = HashMap::new();
    let mut joint: HashMap<(i64, i64), usize> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *ca.entry(x).or_default() += 1;
        *cb.entry(y).or_default() += 1;
        *joint.entry((x, y)).or_default() += 1;
    }
    let (ha, hb) = (
        entropy(ca.values().copied(), n),
        entropy(cb.values().copied(), n),
    );
    if ha == 0.0 && hb == 0.0 {
        return 1.0;
    }
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| {
            let pxy = c as f64 / n;
            pxy * (pxy * n * n / (ca[&x] as f64 * cb[&y] as f64)).ln()
        })
        .sum();
    let denominator = (ha + hb) / 2.0;
    if denominator == 0.0 {
        0.0
    } else {
        (mi / denominator).max(0.0)
    }
}

/// The NMI of a discovery with the labels of the first `labels.len()` docs; an unplaced doc counts as a
/// theme of its own kind, so leaving hard comments out is not rewarded.
pub fn score(found: &Discovery, labels: &[Option<usize>]) -> f64 {
    let (mut truth, mut got) = (Vec::new(), Vec::new());
    for (label, assignment) in labels.iter().zip(&found.assignments) {
        if let Some(label) = label {
            truth.push(*label as i64);
            got.push(assignment.map_or(-1, |(id, _)| i64::from(id)));
        }
    }
    nmi(&truth, &got)
}
