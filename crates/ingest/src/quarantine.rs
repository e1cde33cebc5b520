//! The quarantine: records that could not be stored, with where they came from and why.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chorus_core::keys::stable_hash;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::Error;

/// Writes quarantined records to a CSV file (`file,line,column,reason,record`), created only when the
/// first record is quarantined, so a clean ingest leaves no empty file behind.
///
/// The raw record is redacted like everything else that is stored, and cells that a spreadsheet would
/// run as a formula are prefixed with `'`.
pub struct QuarantineWriter {
    path: Option<PathBuf>,
    writer: Option<csv::Writer<BufWriter<File>>>,
    written: u64,
}

impl std::fmt::Debug for QuarantineWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuarantineWriter")
            .field("path", &self.path)
            .field("written", &self.written)
            .finish()
    }
}

/// One quarantined record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantineEntry<'a> {
    /// The input file (for a story folder, the story's file).
    pub file: &'a str,
    /// The 1-based line (or Excel row).
    pub line: u64,
    /// The column concerned, empty when the whole record was rejected.
    pub column: &'a str,
    /// Why it was not stored.
    pub reason: &'a str,
    /// The record as read (redacted).
    pub record: &'a str,
}

impl QuarantineWriter {
    /// A quarantine that will write to `path` if anything is quarantined.
    pub fn new(path: impl Into<PathBuf>) -> QuarantineWriter {
        QuarantineWriter {
            path: Some(path.into()),
            writer: None,
            written: 0,
        }
    }

    /// A quarantine that only counts: for dry runs and tests that do not need the file.
    pub fn counting_only() -> QuarantineWriter {
        QuarantineWriter {
            path: None,
            writer: None,
            written: 0,
        }
    }

    /// Records quarantined so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The quarantine file, once something has been written to it.
    pub fn path(&self) -> Option<&Path> {
        self.writer.as_ref().and(self.path.as_deref())
    }

    /// Appends one record.
    pub fn write(&mut self, entry: &QuarantineEntry<'_>) -> Result<(), Error> {
        self.written += 1;
        let Some(path) = &self.path else {
            return Ok(());
        };
        let io_error = |source: std::io::Error| Error::Quarantine {
            path: path.clone(),
            source,
        };
        if self.writer.is_none() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_error)?;
            }
            let file = File::create(path).map_err(io_error)?;
            let mut writer = csv::Writer::from_writer(BufWriter::new(file));
            writer
                .write_record(["file", "line", "column", "reason", "record"])
                .map_err(|e| io_error(e.into()))?;
            self.writer = Some(writer);
        }
        if let Some(writer) = &mut self.writer {
            let line = entry.line.to_string();
            writer
                .write_record([
                    neutralise_formula(entry.file).as_ref(),
                    line.as_str(),
                    neutralise_formula(entry.column).as_ref(),
                    neutralise_formula(entry.reason).as_ref(),
                    neutralise_formula(entry.record).as_ref(),
                ])
                .map_err(|e| io_error(e.into()))?;
        }
        Ok(())
    }

    /// Flushes the file to disk.
    pub fn flush(&mut self) -> Result<(), Error> {
        if let (Some(writer), Some(path)) = (&mut self.writer, &self.path) {
            writer.flush().map_err(|source| Error::Quarantine {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

impl Drop for QuarantineWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// What a store's quarantine holds: every record its ingests set aside, counted once however often it was
/// ingested again, by kind of problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QuarantineSummary {
    /// Distinct records set aside (by file, line and column).
    pub records: u64,
    /// Of those, how many for each kind of problem ([`reason_kind`]), the latest reason of each record.
    pub reasons: BTreeMap<String, u64>,
    /// The quarantine files read, in order.
    pub files: Vec<PathBuf>,
}

/// Reads every quarantine file (`*.csv`) in `dir`, oldest first, into a [`QuarantineSummary`]. A missing
/// folder is an empty quarantine.
pub fn summarise_quarantine(dir: &Path) -> Result<QuarantineSummary, Error> {
    let io_error = |path: &Path, source: std::io::Error| Error::Quarantine {
        path: path.to_owned(),
        source,
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_error(dir, e)),
    };
    files.sort();
    // The key of (file, line, column) → the kind of its latest reason.
    let mut latest: FxHashMap<u64, String> = FxHashMap::default();
    for path in &files {
        let mut reader = csv::Reader::from_path(path).map_err(|e| io_error(path, e.into()))?;
        let mut record = csv::ByteRecord::new();
        while reader
            .read_byte_record(&mut record)
            .map_err(|e| io_error(path, e.into()))?
        {
            let field = |i: usize| record.get(i).unwrap_or_default();
            let reason = String::from_utf8_lossy(field(3));
            latest.insert(
                stable_hash(&[field(0), field(1), field(2)]),
                reason_kind(&reason).to_owned(),
            );
        }
    }
    let mut reasons = BTreeMap::new();
    for kind in latest.into_values() {
        *reasons.entry(kind).or_default() += 1;
    }
    Ok(QuarantineSummary {
        records: reasons.values().sum(),
        reasons,
        files,
    })
}

/// The kind of problem a quarantine reason names: the reason up to its first `: ` (`ragged row`,
/// `undecodable bytes`, `not valid JSON`…), or the whole reason when it has no details. Reasons are
/// written that way so that summaries (the ingest summary, the meeting pack) can count them by kind.
pub fn reason_kind(reason: &str) -> &str {
    reason.split_once(": ").map_or(reason, |(kind, _)| kind)
}

/// A cell that Excel would evaluate (`=`, `+`, `-`, `@`, tab, CR at the start) gets a leading `'`.
pub(crate) fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_only_when_something_is_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q").join("quarantine-1.csv");
        let mut q = QuarantineWriter::new(&path);
        q.flush().unwrap();
        assert!(!path.exists());
        q.write(&QuarantineEntry {
            file: "a.csv",
            line: 7,
            column: "",
            reason: "ragged row: 3 fields, the header has 4",
            record: "=HYPERLINK(\"x\"),b",
        })
        .unwrap();
        drop(q);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "file,line,column,reason,record\na.csv,7,,\"ragged row: 3 fields, the header has 4\",\"'=HYPERLINK(\"\"x\"\"),b\"\n"
        );
    }

    #[test]
    fn the_summary_counts_each_record_once_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            summarise_quarantine(&dir.path().join("none")).unwrap(),
            QuarantineSummary::default()
        );
        let entry = |line, reason| QuarantineEntry {
            file: "a.csv",
            line,
            column: "",
            reason,
            record: "x",
        };
        // The same file ingested twice: its bad rows are in both quarantine files.
        for name in ["ingest-0001.csv", "ingest-0002.csv"] {
            let mut q = QuarantineWriter::new(dir.path().join(name));
            q.write(&entry(3, "ragged row: 3 fields")).unwrap();
            q.write(&entry(9, "undecodable bytes: column `c`")).unwrap();
            q.write(&entry(12, "empty story file")).unwrap();
        }
        let summary = summarise_quarantine(dir.path()).unwrap();
        assert_eq!(summary.records, 3);
        assert_eq!(
            summary.reasons.into_iter().collect::<Vec<_>>(),
            [
                ("empty story file".to_owned(), 1),
                ("ragged row".to_owned(), 1),
                ("undecodable bytes".to_owned(), 1)
            ]
        );
        assert_eq!(summary.files.len(), 2);
    }
}
