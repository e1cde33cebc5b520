//! The floor of the end-to-end run: a raw tantivy index of the same export, built the plainest way tantivy
//! offers (its default English analyzer, `en_stem`, two indexing threads), with nothing of Chorus in it.
//! Whatever Chorus does beyond this (redaction, deduplication, annotations, theming, the report) is what
//! its end-to-end time is compared against: the goal of issue 11 is at most three times this.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::schema::{STORED, Schema, TEXT};
use tantivy::{Index, TantivyDocument};

use crate::generate::{IMPROVE_COLUMN, WHY_COLUMN};

/// Indexing threads: the two cores of the reference machine.
const THREADS: usize = 2;
/// The indexing memory budget, shared by the threads (tantivy's usual 50 MB a thread, doubled).
const BUDGET_BYTES: usize = 200_000_000;

/// What the floor did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FloorOutput {
    /// Rows of the export read.
    pub rows: u64,
    /// Non-empty comments indexed (each text column of each row is one document).
    pub documents: u64,
    /// Seconds from opening the export to the index committed.
    pub seconds: f64,
}

/// Indexes the two text columns of the export `csv` into a new tantivy index in `dir` (which must not
/// exist), each non-empty comment one document, stored and indexed with `en_stem`.
pub fn tantivy_floor(csv: &Path, dir: &Path) -> anyhow::Result<FloorOutput> {
    let started = Instant::now();
    let mut schema = Schema::builder();
    let text = schema.add_text_field("text", TEXT | STORED);
    std::fs::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let index = Index::create_in_dir(dir, schema.build())?;
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(THREADS, BUDGET_BYTES)?;
    let mut reader =
        csv::Reader::from_path(csv).with_context(|| format!("opening {}", csv.display()))?;
    let headers = reader.headers()?.clone();
    let columns: Vec<usize> = [WHY_COLUMN, IMPROVE_COLUMN]
        .iter()
        .filter_map(|name| headers.iter().position(|h| h == *name))
        .collect();
    anyhow::ensure!(
        !columns.is_empty(),
        "{} has neither text column of a generated export",
        csv.display()
    );
    let mut out = FloorOutput::default();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record)? {
        out.rows += 1;
        for &c in &columns {
            let value = record.get(c).unwrap_or("").trim();
            if !value.is_empty() {
                let mut doc = TantivyDocument::default();
                doc.add_text(text, value);
                writer.add_document(doc)?;
                out.documents += 1;
            }
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_indexes_every_comment_of_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("fft.csv");
        std::fs::write(
            &csv,
            format!("Response ID,{WHY_COLUMN},{IMPROVE_COLUMN}\n1,Waited hours,Shorter waits\n2,Lovely staff,\n"),
        )
        .unwrap();
        let out = tantivy_floor(&csv, &dir.path().join("index")).unwrap();
        assert_eq!((out.rows, out.documents), (2, 3));
        let index = Index::open_in_dir(dir.path().join("index")).unwrap();
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 3);
    }
}
