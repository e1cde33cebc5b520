//! The one error type of the report stage.

use std::path::PathBuf;

/// Everything that can stop a report or an export.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A report option is out of range or inconsistent.
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option as the user wrote it (`--baseline`, `--annotate`…).
        option: &'static str,
        /// What is wrong and what to do instead.
        reason: String,
    },
    /// `--by ATTRIBUTE` names an attribute that no comment has.
    #[error(
        "no comment has the attribute `{name}` to break down by: use service, month, question{}",
        if available.is_empty() { String::new() } else { format!(" or one of: {}", available.join(", ")) }
    )]
    UnknownAttribute {
        /// The attribute asked for.
        name: String,
        /// The attributes the comments do have, sorted.
        available: Vec<String>,
    },
    /// Reading or writing a file failed.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing a CSV file failed.
    #[error("cannot write CSV {}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: csv::Error,
    },
    /// Writing the Excel workbook failed.
    #[error("cannot write Excel workbook {}", path.display())]
    Xlsx {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: rust_xlsxwriter::XlsxError,
    },
    /// Reading the comments (a store's batches) failed.
    #[error("cannot read the comments to report on")]
    Read(#[source] chorus_core::SourceError),
    /// Serialising JSON failed.
    #[error("cannot write JSON {}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{:#}` of anyhow prints a message and then its cause: a message that also held the cause printed
    /// it twice ("File exists (os error 17): File exists (os error 17)").
    #[test]
    fn messages_do_not_repeat_their_cause() {
        let error = Error::io("out.csv")(std::io::Error::other("the disk said no"));
        assert_eq!(error.to_string(), "cannot write out.csv");
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("the disk said no"));
    }
}
