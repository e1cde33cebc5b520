//! `chorus export` as JSON lines or CSV: the comments a query and filters select, streamed from the
//! store in batches (never the whole store) into `chorus-report`'s writers.

use std::collections::BTreeSet;
use std::io::Write;

use chorus_index::{Filters, Store};
use chorus_report::export::{CsvExport, JsonlExport};

use crate::Error;

/// Comments read from the store at a time.
const BATCH: usize = 4096;

/// Which comments to export: a query in the store's query language (empty: every comment) and filters,
/// as `chorus search` takes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// The query.
    pub query: String,
    /// The filters.
    pub filters: Filters,
}

/// The row formats of [`export_rows`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// One JSON object per line.
    Jsonl,
    /// One formula-safe CSV row per comment, with a column per attribute.
    Csv,
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exported {
    /// Comments written.
    pub written: u64,
    /// Comments in the store.
    pub total: u64,
    /// Labels of the written comments that people corrected, if the store has corrections.
    pub corrected: Option<u64>,
}

/// The sequence numbers of the comments `selection` picks, in ingest order.
pub fn select(store: &Store, selection: &Selection) -> Result<Vec<u64>, Error> {
    Ok(store.matching(&selection.query, &selection.filters)?)
}

/// Writes the selected comments, in ingest order, with their annotations as people corrected them (and, for CSV, a column for
/// every attribute name the selection has, which costs a first pass over it).
pub fn export_rows<W: Write>(
    store: &Store,
    selection: &Selection,
    format: RowFormat,
    out: W,
) -> Result<Exported, Error> {
    let seqs = select(store, selection)?;
    // A person's label wins over the machine's, as everywhere people read the comments.
    let corrections = store.corrections()?;
    let mut corrected_labels = 0;
    let written = match format {
        RowFormat::Jsonl => {
            let mut export = JsonlExport::new(out);
            store.for_each_comment_of(&seqs, BATCH, |mut batch| {
                for (_, c) in &mut batch {
                    if !corrections.is_empty() {
                        corrected_labels += u64::from(corrections.apply_to(c).changed_labels);
                    }
                    export.write(c).map_err(Error::Write)?;
                }
                Ok::<(), Error>(())
            })?;
            export.finish().map_err(Error::Write)?
        }
        RowFormat::Csv => {
            let mut names = BTreeSet::new();
            store.for_each_comment_of(&seqs, BATCH, |batch| {
                for (_, c) in &batch {
                    for name in c.attributes.names() {
                        if !names.contains(name) {
                            names.insert(name.to_owned());
                        }
                    }
                }
                Ok::<(), Error>(())
            })?;
            let mut export = CsvExport::new(out, names.into_iter().collect()).map_err(csv_error)?;
            store.for_each_comment_of(&seqs, BATCH, |mut batch| {
                for (_, c) in &mut batch {
                    if !corrections.is_empty() {
                        corrected_labels += u64::from(corrections.apply_to(c).changed_labels);
                    }
                    export.write(c).map_err(csv_error)?;
                }
                Ok::<(), Error>(())
            })?;
            export.finish().map_err(csv_error)?
        }
    };
    Ok(Exported {
        written,
        total: store.len(),
        corrected: (!corrections.is_empty()).then_some(corrected_labels),
    })
}

/// A CSV writer's error as an I/O error (csv keeps its I/O error inside, out of the chain), so that a
/// closed pipe is recognised as one.
fn csv_error(e: csv::Error) -> Error {
    if !e.is_io_error() {
        return Error::Write(std::io::Error::other(e.to_string()));
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Write(io),
        other => Error::Write(std::io::Error::other(format!("{other:?}"))),
    }
}
