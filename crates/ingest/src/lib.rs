//! Ingestion: survey exports in, redacted and deduplicated [`Comment`]s out, and nothing lost on the way.
//!
//! [`ingest`] reads CSV and TSV files (delimiter sniffed), Excel workbooks, JSON lines and folders of
//! `.txt` stories ([`InputFormat`]) in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252 ([`TextEncoding`]).
//! For each file it:
//!
//! 1. maps columns to roles ([`Mapping`], [`ColumnRole`]): common FFT export headers are recognised and
//!    `--map ROLE=COLUMN` ([`ColumnOverride`]) overrides them; each free-text column of a row becomes its
//!    own comment;
//! 2. reads FFT scores ([`chorus_core::FftScore::parse`]) and dates ([`parse_date`], [`DateOrder`]);
//! 3. records placeholders such as "Did not answer" as "no comment" ([`is_no_comment`]);
//! 4. replaces personal identifiers with typed markers ([`Redactor`]);
//! 5. drops duplicates of comments already stored ([`Deduplicator`]);
//! 6. hands new comments to a [`CommentSink`] (the store), and writes records it cannot store to the
//!    [`QuarantineWriter`] with the reason.
//!
//! The [`IngestReport`] says what happened to every record, per file: `records = stored + duplicates +
//! quarantined` ([`FileReport::reconciles`]). A file that cannot be read at all is reported with its
//! error and the other files still ingest.
//!
//! Files are streamed: rows are parsed in batches, processed in parallel (order is kept), and memory
//! does not grow with the input, only with the number of distinct comments the deduplicator remembers.
//! (`.xls`, `.xlsb` and `.ods` are the exception: calamine reads their first sheet whole.)
//!
//! # Decisions worth knowing
//!
//! - **Ids** never depend on a file's name: the id is the id column, else the respondent column
//!   (`Response ID`), else made from the row's content (`row-…`, with `-2`, `-3` for repeats of the same
//!   content in the file), so the same export under another name is recognised and two exports of the
//!   same name are not confused. The respondent is the respondent column, else the id. Identity is
//!   organisation + id + question, so the several text columns of a row are distinct comments. Ids and
//!   file names lose their control characters ([`printable`]).
//! - **Lines** are those a text editor shows: CR, LF and CRLF each end a line, and a quoted comment over
//!   three lines counts three.
//! - **Encodings** are decided per field where the file is UTF-8 or Windows-1252: valid UTF-8 is read as
//!   UTF-8, anything else as Windows-1252, so one stray byte costs one field, not the file.
//! - **Questions.** A question column gives the question when the file has one text column; otherwise
//!   each text column's header is its question. Runs of whitespace in questions become one space.
//! - **No comment.** Blank cells, punctuation and placeholders ("Did not answer", "N/A") are stored as "no
//!   comment" with empty text and their score; a bare "Nothing"/"None" is "no comment" only when the
//!   question asks *why* ([`is_no_comment`]): to "What could we do better?" it is praise and is kept.
//! - **Dates** that cannot be read (31/02/2022, `soon`, `12/25/2021` in day-first order) leave the
//!   comment stored **undated**, counted per row with examples (line, column, value); a column with no
//!   readable date, or with dates only valid in the other day/month order, adds a warning.
//! - **Scores** outside the FFT scale (`7`, `excellent`) are stored as not given and counted.
//! - **Redaction** covers the comment text, every attribute value and JSON keys kept as attributes, and
//!   the raw records written to the quarantine. Ids, respondent ids, service, organisation and question
//!   are categories and keys and are left as they are: map an identifying column to `ignore`.
//! - **Duplicates.** A comment whose identity is already stored with the same content, or whose respondent
//!   already gave the same answer to the same question, is a duplicate. Same identity, different content
//!   is stored under a new id (`ID~2`) and reported ([`FileReport::id_clashes`]): never dropped,
//!   overwritten or quarantined.
//! - **Quarantine** rows are `file,line,column,reason,record`: ragged rows, undecodable bytes, a missing
//!   closing quote, invalid JSON lines, JSON objects without the text key or with a key twice, empty story
//!   files. Each reason starts with its kind (`ragged row: …`), which summaries count ([`reason_kind`]).
//! - **Limits.** A zipped workbook is inflated once, counting, before it is opened: past [`Limits`] it is
//!   refused with an error naming the file (zip bombs). Story folders are read without following links
//!   out of them.
//! - **JSON lines**: the columns are the keys of the first 1,000 objects; later new keys are kept as
//!   attributes.
//!
//! ```
//! use chorus_ingest::{ingest, Deduplicator, IngestOptions, QuarantineWriter};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("fft.csv");
//! std::fs::write(
//!     &path,
//!     "Comment ID,Date,FFT categorical answer,FFT answer\n\
//!      1,30/09/2021,1,Dr Patel was lovely\n\
//!      2,01/10/2021,7,Did not answer\n",
//! )?;
//! let mut comments = Vec::new();
//! let report = ingest(
//!     &[path],
//!     &IngestOptions::default(),
//!     &mut Deduplicator::new(),
//!     &mut comments,
//!     &mut QuarantineWriter::counting_only(),
//!     &mut |_bytes| {},
//! );
//! assert!(report.reconciles());
//! assert_eq!(report.totals.stored, 2);
//! assert_eq!(comments[0].text, "Dr [NAME] was lovely");
//! assert_eq!(comments[0].date.unwrap().to_string(), "2021-09-30");
//! assert!(comments[1].no_comment);
//! assert_eq!(report.files[0].scores_unrecognised, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod dates;
mod dedup;
mod encoding;
mod entities;
mod error;
mod format;
mod ids;
mod limits;
mod mapping;
mod pipeline;
mod placeholder;
mod printable;
#[cfg(test)]
mod proptests;
mod quarantine;
mod readers;
mod redact;
mod report;

use std::path::{Path, PathBuf};

use chorus_core::Comment;

pub use chorus_core::{CommentSink, SinkError};
pub use dates::{DateOrder, DateProblem, excel_serial_date, parse_date};
pub use dedup::{DedupOutcome, Deduplicator};
pub use encoding::{TextEncoding, decode_whole};
pub use error::Error;
pub use format::{InputFormat, delimiter_name};
pub use limits::{Limits, parse_size};
pub use mapping::{ColumnOverride, ColumnRole, Mapping, normalise_header};
pub use placeholder::{is_no_comment, is_placeholder};
pub use printable::printable;
pub use quarantine::{
    QuarantineEntry, QuarantineSummary, QuarantineWriter, reason_kind, summarise_quarantine,
};
pub use redact::{IdentifierKind, RedactionCounts, Redactor, nhs_check_digit_ok};
pub use report::{DateExample, FileReport, INCOMPLETE_SHARE, IngestReport, MappedColumn, Totals};

/// How to read the inputs.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// `--map ROLE=COLUMN` overrides of the detected column roles, applied in order.
    pub overrides: Vec<ColumnOverride>,
    /// The source name recorded on every comment (default: the file name without its folder).
    pub source_name: Option<String>,
    /// How to read all-numeric dates.
    pub date_order: DateOrder,
    /// The redactor (with the user's names list, if any).
    pub redactor: Redactor,
    /// Rows processed together in parallel.
    pub batch_size: usize,
    /// How big a workbook may get when unzipped.
    pub limits: Limits,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            overrides: Vec::new(),
            source_name: None,
            date_order: DateOrder::Dmy,
            redactor: Redactor::new(),
            batch_size: 8192,
            limits: Limits::default(),
        }
    }
}

/// A sink made of a closure.
pub struct FnSink<F>(pub F);

impl<F: FnMut(Comment) -> Result<(), SinkError>> CommentSink for FnSink<F> {
    fn add(&mut self, comment: Comment) -> Result<(), SinkError> {
        (self.0)(comment)
    }
}

/// Ingests one file or story folder. A file that cannot be read comes back with
/// [`FileReport::error`] set; what was read before a mid-file problem is counted and was sent on.
/// `progress` receives the bytes of this file consumed so far.
pub fn ingest_file(
    path: &Path,
    options: &IngestOptions,
    dedup: &mut Deduplicator,
    sink: &mut dyn CommentSink,
    quarantine: &mut QuarantineWriter,
    progress: &mut dyn FnMut(u64),
) -> FileReport {
    pipeline::ingest_file(path, options, dedup, sink, quarantine, progress)
}

/// Ingests several files in order, going on past files that fail. `progress` receives the bytes
/// consumed across all files (see [`total_bytes`] for the whole).
pub fn ingest(
    paths: &[PathBuf],
    options: &IngestOptions,
    dedup: &mut Deduplicator,
    sink: &mut dyn CommentSink,
    quarantine: &mut QuarantineWriter,
    progress: &mut dyn FnMut(u64),
) -> IngestReport {
    let mut files = Vec::with_capacity(paths.len());
    let mut done = 0u64;
    for path in paths {
        let mut file_progress = |bytes: u64| progress(done + bytes);
        let report = ingest_file(path, options, dedup, sink, quarantine, &mut file_progress);
        done += pipeline::total_bytes(std::slice::from_ref(path));
        progress(done);
        files.push(report);
    }
    let _ = quarantine.flush();
    IngestReport::new(files, quarantine.path().map(Path::to_owned))
}

/// The bytes `paths` hold (for folders, their `.txt` files): the length of a progress bar.
pub fn total_bytes(paths: &[PathBuf]) -> u64 {
    pipeline::total_bytes(paths)
}
