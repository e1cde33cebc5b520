//! The one error type of the store: what went wrong, with the path or query position it concerns.

use std::path::PathBuf;

/// Everything that can go wrong opening, writing or searching a store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory exists but holds no store manifest.
    #[error(
        "{} is not a chorus store (no {} inside): pass the folder given to `chorus ingest --store`, or ingest into a new folder",
        path.display(),
        crate::store::MANIFEST_FILE
    )]
    NotAStore {
        /// The directory.
        path: PathBuf,
    },
    /// The directory does not exist.
    #[error(
        "there is no store at {}: run `chorus ingest FILE --store {}` first, or check the path",
        path.display(),
        path.display()
    )]
    NoStore {
        /// The directory.
        path: PathBuf,
    },
    /// The manifest is unreadable or not a chorus manifest.
    #[error("{} is not a valid chorus store manifest: {reason}", path.display())]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store was written by a version of chorus whose format or analyzer differs from this one.
    #[error(
        "the store {} was made with store format {found_format} and analyzer {found_analyzer}, but this chorus uses format {format} and analyzer {analyzer}: re-ingest the exports into a new store (or use the chorus version that made it)",
        path.display()
    )]
    IncompatibleVersion {
        /// The store directory.
        path: PathBuf,
        /// The store format version recorded in the manifest.
        found_format: u32,
        /// The analyzer version recorded in the manifest.
        found_analyzer: u32,
        /// The store format version of this build.
        format: u32,
        /// The analyzer version of this build.
        analyzer: u32,
    },
    /// The store was made by an earlier chorus, in a format `chorus check --repair` brings up to date.
    #[error(
        "the store {} was made by an earlier chorus (store format {found}): run `chorus check --store {} --repair` once to bring it up to date, then `chorus themes` again",
        path.display(),
        path.display()
    )]
    OlderStore {
        /// The store directory.
        path: PathBuf,
        /// The store format version recorded in the manifest.
        found: u32,
    },
    /// Another process (or another writer in this one) is writing to the store.
    #[error(
        "another chorus command is writing to the store {}: wait for it to finish and try again",
        path.display()
    )]
    Busy {
        /// The store directory.
        path: PathBuf,
    },
    /// The store is on a disk or in a folder that cannot be written to.
    #[error(
        "the store {} is read-only: chorus can search and report on it, but to ingest or theme, copy the folder somewhere you can write to (or ask for write access)",
        path.display()
    )]
    ReadOnly {
        /// The store directory.
        path: PathBuf,
    },
    /// The disk (or the user's quota) is full. What was saved before stays; the unfinished files of
    /// the failed write were removed.
    #[error(
        "the disk is full: the store {} could not be written; what was saved before stays and the unfinished files were removed, so free some space and run the command again (comments already stored are skipped as duplicates)",
        path.display()
    )]
    DiskFull {
        /// The store directory.
        path: PathBuf,
    },
    /// A file of the store was changed after chorus wrote it (a disk or copy error).
    #[error(
        "the store {} is damaged ({what}): run `chorus check --store {}` to see what is wrong and how to repair it",
        path.display(),
        path.display()
    )]
    Damaged {
        /// The store directory.
        path: PathBuf,
        /// Which files, and what they hold.
        what: String,
    },
    /// The annotation file is damaged or not one this chorus reads.
    #[error(
        "the annotations of the store ({}) cannot be used: {reason}; run `chorus themes` on the store to make them again",
        path.display()
    )]
    DamagedAnnotations {
        /// The annotation file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file or folder of the store could not be read or written.
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The search engine failed.
    #[error("the index in {} failed", path.display())]
    Index {
        /// The store directory.
        path: PathBuf,
        /// The underlying error.
        source: tantivy::TantivyError,
    },
    /// A stored record could not be read back (a damaged store or a bug).
    #[error(
        "the store {} holds a damaged record (document {doc} of segment {segment}: {reason}): run `chorus check --store {}` to see what is wrong and how to repair it",
        path.display(),
        path.display()
    )]
    BadRecord {
        /// The store directory.
        path: PathBuf,
        /// The segment id.
        segment: String,
        /// The document number in the segment.
        doc: u32,
        /// What could not be read.
        reason: String,
    },
    /// A comment or catalog could not be encoded (e.g. a NaN score in the annotations).
    #[error("comment {id} cannot be stored: {reason}")]
    Encode {
        /// The comment id (or `catalog`).
        id: String,
        /// Why.
        reason: String,
    },
    /// A theming run's annotations do not cover the store's comments.
    #[error(
        "the comments to annotate do not match the store ({reason}): the store changed since they were read; run `chorus themes` again"
    )]
    StaleComments {
        /// What differs.
        reason: String,
    },
    /// The query could not be parsed.
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    /// A filter value is not valid.
    #[error("invalid filter --{flag} `{value}`: {reason}")]
    Filter {
        /// The filter's name, as on the command line.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// A line of the corrections file is not a correction (the file was edited or damaged).
    #[error(
        "{} line {line} is not a correction ({reason}): restore the file from a backup, or remove that line to drop it",
        path.display()
    )]
    BadCorrection {
        /// The corrections file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What could not be read.
        reason: String,
    },
}
