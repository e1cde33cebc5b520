//! Prints the ingest report of files as JSON, with comments sent to no store: a quick look at what
//! ingestion makes of an export (`cargo run -p chorus-ingest --example ingest_report -- FILE...`).

use std::path::PathBuf;

use chorus_ingest::{Deduplicator, FnSink, IngestOptions, QuarantineWriter, ingest};

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut stored = 0u64;
    let mut sink = FnSink(|_comment| {
        stored += 1;
        Ok(())
    });
    let report = ingest(
        &paths,
        &IngestOptions::default(),
        &mut Deduplicator::new(),
        &mut sink,
        &mut QuarantineWriter::counting_only(),
        &mut |_| {},
    );
    match serde_json::to_string_pretty(&report) {
        Ok(json) => println!("{json}"),
        Err(error) => eprintln!("{error}"),
    }
}
