//! The generator is deterministic and writes an export that `chorus ingest` reads without options: every
//! record stored, both question kinds, dates and scores read. Small sizes only: nothing at scale runs in
//! `cargo test`.

use std::path::{Path, PathBuf};

use chorus_bench::corpus::SentencePool;
use chorus_bench::generate::generate;
use chorus_core::{Comment, QuestionKind};
use chorus_ingest::{Deduplicator, IngestOptions, QuarantineWriter, ingest};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The sample export alone, as on a machine without `../shared/corpora`.
fn sample_pool() -> SentencePool {
    SentencePool::load(
        &repo().join("no-such-corpora"),
        &repo().join("corpora/sample-fft.csv"),
    )
    .expect("the repository's sample export is readable")
}

fn bytes(pool: &SentencePool, n: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    generate(pool, n, seed, &mut out).expect("generating into memory works");
    out
}

fn ingested(csv: &[u8]) -> (chorus_ingest::IngestReport, Vec<Comment>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("generated.csv");
    std::fs::write(&path, csv).expect("writing the export");
    let mut comments = Vec::new();
    let report = ingest(
        &[path],
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        &mut comments,
        &mut QuarantineWriter::counting_only(),
        &mut |_| {},
    );
    (report, comments)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let pool = sample_pool();
    let a = bytes(&pool, 1000, 42);
    assert_eq!(a, bytes(&pool, 1000, 42));
    assert_ne!(a, bytes(&pool, 1000, 43));
}

#[test]
fn ingest_reads_every_generated_comment_with_its_fields() {
    let (report, comments) = ingested(&bytes(&sample_pool(), 1000, 42));
    assert!(report.reconciles());
    let t = &report.totals;
    assert_eq!(
        (t.records, t.stored, t.duplicates, t.quarantined),
        (1000, 1000, 0, 0)
    );
    assert_eq!(t.dates_unreadable, 0);
    let kinds = |kind: QuestionKind| {
        comments
            .iter()
            .filter(|c| c.question_kind() == kind)
            .count()
    };
    assert_eq!(kinds(QuestionKind::Why), 500);
    assert_eq!(kinds(QuestionKind::Improve), 500);
    let no_comment = comments.iter().filter(|c| c.no_comment).count();
    assert!(
        (100..500).contains(&no_comment),
        "{no_comment} comments without text"
    );
    assert!(
        comments
            .iter()
            .all(|c| c.organisation.is_some() && c.service.is_some())
    );
    let dated = comments.iter().filter(|c| c.date.is_some()).count();
    assert!(dated > 980, "{dated} dated");
    let positive = comments.iter().filter(|c| c.score.is_positive()).count();
    assert!((700..950).contains(&positive), "{positive} positive");
    let organisations: std::collections::BTreeSet<_> = comments
        .iter()
        .filter_map(|c| c.organisation.as_deref())
        .collect();
    assert_eq!(organisations.len(), 5);
}

#[test]
fn the_real_corpora_feed_the_generator_when_present() {
    let shared = repo().join("../shared/corpora");
    if !shared.join("fft-v6-dev.csv").is_file() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let pool = SentencePool::load(&shared, &repo().join("corpora/sample-fft.csv"))
        .expect("the corpora are readable");
    assert_eq!(pool.sources.len(), 3);
    assert!(pool.len() > 10_000, "{} sentences", pool.len());
    let (report, _) = ingested(&bytes(&pool, 1000, 7));
    assert!(report.reconciles());
    assert_eq!(report.totals.stored, 1000);
}
