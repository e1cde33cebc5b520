//! The one error type of theming, codebooks, training and model files, with the file, line and column
//! of whatever went wrong, and what to do.

use std::path::PathBuf;

/// What can go wrong while loading codebooks or the lexicon, reading training data, training, loading a
/// model file, or running a theming pass.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A codebook or lexicon file is not valid TOML or does not have the expected fields.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file (or a name such as `<built-in touchpoints>`).
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A codebook has problems that make it unusable (duplicate ids, entries that can never match…).
    #[error(
        "{}: {} problem(s), first: line {line}: {message}; run `chorus codebook check {}` to see them all",
        path.display(),
        count,
        path.display()
    )]
    Codebook {
        /// The codebook file.
        path: PathBuf,
        /// How many errors the check found.
        count: usize,
        /// The line of the first.
        line: usize,
        /// The first error.
        message: String,
    },
    /// The built-in or a user lexicon is inconsistent.
    #[error("{}: {message}", path.display())]
    Lexicon {
        /// The lexicon file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
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
    TrainingSyntax {
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

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::{Error, line_column};

    /// `{:#}` of anyhow prints a message and then its cause: the message must not hold it too.
    #[test]
    fn messages_do_not_repeat_their_cause() {
        let error = Error::Io {
            action: "read",
            path: "x.toml".into(),
            source: std::io::Error::other("the disk said no"),
        };
        assert_eq!(error.to_string(), "cannot read x.toml");
        let model = Error::Io {
            action: "read",
            path: "m.model".into(),
            source: std::io::Error::other("the disk said no"),
        };
        assert_eq!(model.to_string(), "cannot read m.model");
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}
