//! The one error type of ingestion: what went wrong with which file, and what to do about it.

use std::path::PathBuf;

use chorus_core::SinkError;

use crate::mapping::ColumnRole;

/// Why a file (or the names list, or a `--map` flag) could not be ingested.
///
/// Problems with single records are not errors: they are quarantined and counted in the
/// [`FileReport`](crate::FileReport), so one bad row never stops a month of feedback from loading.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file or folder could not be opened or read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes at all.
    #[error("{} is empty: there is nothing to ingest (check that the export finished)", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// Not a format Chorus reads.
    #[error(
        "{} is not a supported format ({reason}): use CSV or TSV (.csv, .tsv, .txt), Excel (.xlsx, .xls, .ods), JSON lines (.jsonl) or a folder of .txt stories",
        path.display()
    )]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// No column looks like free text and none was named with `--map text=COLUMN`.
    #[error(
        "no free-text column found in {}: pass --map text=COLUMN; columns are: {}",
        path.display(),
        quoted_list(columns)
    )]
    NoTextColumn {
        /// The file.
        path: PathBuf,
        /// Its column headers.
        columns: Vec<String>,
    },
    /// A `--map ROLE=COLUMN` names a column the file does not have.
    #[error(
        "--map {role}={column}: {} has no column `{column}`; columns are: {}",
        path.display(),
        quoted_list(columns)
    )]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The role it was meant for.
        role: ColumnRole,
        /// The column as given.
        column: String,
        /// The file's column headers.
        columns: Vec<String>,
    },
    /// A `--map` flag that is not `ROLE=COLUMN` with a known role.
    #[error("invalid --map `{spec}`: {reason}")]
    InvalidMap {
        /// The flag's value.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The delimited file could not be read (an I/O error part-way through).
    #[error("cannot read {} at line {line}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line reached.
        line: u64,
        /// The reader's error.
        #[source]
        source: csv::Error,
    },
    /// The workbook could not be opened or a sheet could not be read.
    #[error("cannot read {} as an Excel workbook: {message}; if it is password-protected or damaged, save it again from Excel or export it as CSV", path.display())]
    Excel {
        /// The file.
        path: PathBuf,
        /// What calamine said.
        message: String,
    },
    /// A workbook that unzips to more than the limits allow (a zip bomb, or a genuine giant).
    #[error("{} is too big to read safely: {reason}", path.display())]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Which limit, and how to raise it.
        reason: String,
    },
    /// The sink (usually the store) refused a comment.
    #[error("could not store the comment from {} line {line}", path.display())]
    Sink {
        /// The input file.
        path: PathBuf,
        /// The record's line.
        line: u64,
        /// The sink's error.
        #[source]
        source: SinkError,
    },
    /// The quarantine file could not be written.
    #[error("cannot write the quarantine file {}", path.display())]
    Quarantine {
        /// The quarantine file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A worker thread stopped without handing back its rows (a bug).
    #[error("processing the rows of {} stopped unexpectedly: this is a bug, please report it", path.display())]
    Worker {
        /// The input file.
        path: PathBuf,
    },
    /// The `--names` list could not be read.
    #[error("cannot read the names list {}", path.display())]
    NamesList {
        /// The names file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The message followed by its causes ("cannot read x.csv: Permission denied"), for where the error
    /// is kept as text (a file's report): the message itself never repeats its cause, which `{:#}` of
    /// `anyhow` prints after it.
    pub fn with_causes(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

fn quoted_list(columns: &[String]) -> String {
    if columns.is_empty() {
        return "(none)".to_owned();
    }
    columns
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{:#}` of anyhow prints a message and then its cause: a message that also held the cause printed
    /// it twice ("No such file or directory (os error 2): No such file or directory (os error 2)").
    #[test]
    fn messages_do_not_repeat_their_cause() {
        let cause = || std::io::Error::other("the disk said no");
        let path = PathBuf::from("x.csv");
        for error in [
            Error::Io {
                path: path.clone(),
                source: cause(),
            },
            Error::Quarantine {
                path: path.clone(),
                source: cause(),
            },
            Error::NamesList {
                path: path.clone(),
                source: cause(),
            },
            Error::Sink {
                path: path.clone(),
                line: 3,
                source: Box::new(cause()),
            },
        ] {
            assert!(!error.to_string().contains("the disk said no"), "{error}");
            assert_eq!(error.with_causes().matches("the disk said no").count(), 1);
        }
    }
}
