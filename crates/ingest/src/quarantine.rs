//! The quarantine: records that could not be stored, with where they came from and why.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

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
}
