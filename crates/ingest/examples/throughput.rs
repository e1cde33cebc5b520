//! Measures ingestion throughput (parse, decode, map, redact, deduplicate) into a sink that only counts,
//! so the figure is ingestion's own, without the store:
//! `cargo run --release -p chorus-ingest --example throughput -- FILE...`.

use std::path::PathBuf;
use std::time::Instant;

use chorus_ingest::{Deduplicator, FnSink, IngestOptions, QuarantineWriter, ingest};

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut stored = 0u64;
    let mut text_bytes = 0u64;
    let mut sink = FnSink(|comment: chorus_core::Comment| {
        stored += 1;
        text_bytes += comment.text.len() as u64;
        Ok(())
    });
    let start = Instant::now();
    let report = ingest(
        &paths,
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        &mut sink,
        &mut QuarantineWriter::counting_only(),
        &mut |_| {},
    );
    let seconds = start.elapsed().as_secs_f64();
    let t = report.totals;
    println!(
        "{} records ({} stored, {} duplicates, {} quarantined, {} text bytes) in {seconds:.2} s: {:.0} records/s; reconciles: {}",
        t.records,
        stored,
        t.duplicates,
        t.quarantined,
        text_bytes,
        t.records as f64 / seconds,
        report.reconciles()
    );
}
