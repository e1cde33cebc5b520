//! The errors of REFI-QDA export and import.

use std::path::PathBuf;

/// What can go wrong writing or reading a REFI-QDA file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the store.
    #[error("reading the store")]
    Store(#[from] chorus_index::Error),
    /// Writing the project or codebook (the disk, or a closed pipe).
    #[error("writing the project")]
    Write(#[source] std::io::Error),
    /// The zip container.
    #[error("writing the zip container")]
    Zip(#[source] zip::result::ZipError),
    /// A file that is not a REFI-QDA file Chorus can read.
    #[error("{path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        reason: String,
    },
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Write(e)
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Error {
        match e {
            zip::result::ZipError::Io(io) => Error::Write(io),
            other => Error::Zip(other),
        }
    }
}
