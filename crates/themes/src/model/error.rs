//! What can go wrong reading training data, training, or loading a model file: each error names the file
//! and, where there is one, the line and column, and says what to do.

use std::path::PathBuf;

/// An error of training or loading a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file could not be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a model made by `chorus train`.
    #[error("{} is not a chorus model file ({reason}): give a file written by `chorus train -o`", path.display())]
    NotAModel {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The model file was written in a format version this chorus does not read.
    #[error(
        "{} is a chorus model in format version {found}, but this chorus reads version {supported}: retrain it with `chorus train` (or use the chorus that made it)",
        path.display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The model was trained with another version of the text analyzer, so its features would not match.
    #[error(
        "{} was trained with text analyzer version {found}, but this chorus analyses text with version {expected}: retrain it with `chorus train`",
        path.display()
    )]
    Analyzer {
        /// The file.
        path: PathBuf,
        /// The analyzer version in the file.
        found: u32,
        /// This build's analyzer version.
        expected: u32,
    },
    /// The model file is damaged.
    #[error("{} is damaged ({reason}): copy it again or retrain it with `chorus train`", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A column named on the command line is not in the training file.
    #[error(
        "{}: no column named `{column}` (for {role}); the columns are: {}",
        path.display(),
        available.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumn {
        /// The training file.
        path: PathBuf,
        /// The name given.
        column: String,
        /// What it was for (`--text-column`…).
        role: &'static str,
        /// The headers of the file.
        available: Vec<String>,
    },
    /// A cell of the training file holds a value that its column cannot have.
    #[error("{}:{line}: column `{column}`: {message}", path.display())]
    Cell {
        /// The training file.
        path: PathBuf,
        /// 1-based line of the record.
        line: u64,
        /// The column's header.
        column: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The training file is not readable as CSV or TSV.
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        /// The training file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What the parser said.
        message: String,
    },
    /// The training data cannot train a model (no rows, no positive examples…).
    #[error("{}: {message}", path.display())]
    Data {
        /// The training file.
        path: PathBuf,
        /// What is missing and what to do.
        message: String,
    },
    /// Training options that cannot work together.
    #[error("{0}")]
    Options(String),
}
