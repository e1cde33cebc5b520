//! The one error type of theming, with the file, line and column of whatever went wrong.

use std::path::PathBuf;

/// What can go wrong while loading codebooks or the lexicon, or running a theming pass.
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
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The trained model could not be used.
    #[error("the theme model failed: {0}")]
    Model(String),
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
            path: "x.toml".into(),
            source: std::io::Error::other("the disk said no"),
        };
        assert_eq!(error.to_string(), "cannot read x.toml");
        let model = crate::model::ModelError::Io {
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
