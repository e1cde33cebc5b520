//! What an ingest did, file by file: counts that reconcile, and what went wrong where.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chorus_core::ScoreTally;
use serde::Serialize;

use crate::dates::DateProblem;
use crate::format::InputFormat;
use crate::mapping::ColumnRole;
use crate::redact::RedactionCounts;

/// A column and the role it was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    /// The role.
    pub role: ColumnRole,
    /// The column header.
    pub column: String,
}

/// A date that could not be read, with where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateExample {
    /// The 1-based line or Excel row.
    pub line: u64,
    /// The date column.
    pub column: String,
    /// The cell as written.
    pub value: String,
    /// Why it could not be read.
    pub problem: DateProblem,
}

/// The summary of one input file (or story folder).
///
/// Counting rules: a **row** is one data record of the file (a CSV record, a worksheet row, a JSON line, a
/// story file), the header excluded. A **record** is one row × one free-text column: a row with two text
/// columns is two records; a row rejected as a whole (ragged, undecodable, not JSON) is one record. Rows
/// whose every cell is empty are counted in `blank_rows` and are not records. Every record ends up in
/// exactly one of `stored`, `duplicates` or `quarantined`, so `records = stored + duplicates +
/// quarantined` ([`FileReport::reconciles`]). Score and date counts are per row.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileReport {
    /// The file or folder as given.
    pub path: PathBuf,
    /// The source name recorded on its comments.
    pub source: String,
    /// The format read, once known.
    pub format: Option<InputFormat>,
    /// The encoding, e.g. `UTF-8`; for a folder, each encoding with its number of files.
    pub encoding: Option<String>,
    /// Rows of a UTF-8 file that were not valid UTF-8 and were read as Windows-1252.
    pub encoding_fallback_rows: u64,
    /// The delimiter of a delimited file (`comma`, `tab`, `semicolon`, `pipe`).
    pub delimiter: Option<String>,
    /// The columns with a role (id, text, question…), in role order.
    pub mapping: Vec<MappedColumn>,
    /// The columns kept as attributes.
    pub attributes: Vec<String>,
    /// Data rows read.
    pub rows: u64,
    /// Rows with every cell empty (not records).
    pub blank_rows: u64,
    /// Records read (see the counting rules above).
    pub records: u64,
    /// Records stored as comments.
    pub stored: u64,
    /// Of the stored, those recorded as "no comment" (blank or a placeholder such as "Did not answer").
    pub stored_no_comment: u64,
    /// Records already stored (or seen earlier in this ingest), not stored again.
    pub duplicates: u64,
    /// Records written to the quarantine file.
    pub quarantined: u64,
    /// Quarantined records by kind of problem (the reason up to its first `: `, e.g. `ragged row`).
    pub quarantine_reasons: BTreeMap<String, u64>,
    /// Of the stored, records whose id was already stored with different content, stored under a new id
    /// (`ID~2`).
    pub id_clashes: u64,
    /// Up to five of those, as `line N: `ID` stored as `ID~2``.
    pub id_clash_examples: Vec<String>,
    /// Entries of a story folder that were not read although they may be stories: symbolic links that
    /// lead out of the folder.
    pub skipped: Vec<String>,
    /// FFT answers of the stored comments; "% positive" follows from it.
    pub scores: ScoreTally,
    /// Rows whose score cell is blank or not an FFT answer (kept as "not given").
    pub scores_not_given: u64,
    /// Of those, rows with a non-blank value that is not on the FFT scale (e.g. `7`).
    pub scores_unrecognised: u64,
    /// Up to five unrecognised score values, as written.
    pub score_examples: Vec<String>,
    /// Rows with a readable date.
    pub dates_read: u64,
    /// Rows whose date could not be read; their comments are stored without a date.
    pub dates_unreadable: u64,
    /// Up to five unreadable dates with where they are.
    pub date_examples: Vec<DateExample>,
    /// Identifiers redacted, by kind (in comment text and attributes).
    pub redactions: RedactionCounts,
    /// Things a person should look at (a whole column of unreadable dates, a date order that looks wrong).
    pub warnings: Vec<String>,
    /// Things worth knowing (files in a folder that were skipped).
    pub notes: Vec<String>,
    /// Why the file could not be read (or stopped part-way); the counts cover what was read before.
    pub error: Option<String>,
}

/// The share of a file's records that may be set aside before its results are called incomplete: 1 %.
///
/// Any record set aside makes `chorus ingest` exit with status 1 (a script can tell); above this share the
/// summary and the meeting pack also say that the file's figures are incomplete, because the set-aside
/// records could then move its headline figure, % positive, by more than a percentage point. A file of
/// fewer than 100 records is incomplete as soon as one record is set aside.
pub const INCOMPLETE_SHARE: f64 = 0.01;

impl FileReport {
    /// Whether every record is accounted for: `records = stored + duplicates + quarantined`.
    pub fn reconciles(&self) -> bool {
        self.records == self.stored + self.duplicates + self.quarantined
    }

    /// Whether the file could not be ingested (completely).
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Whether anything the file holds was not stored or counted as a duplicate: records quarantined,
    /// entries skipped, or the file not read (completely).
    pub fn set_aside(&self) -> bool {
        self.quarantined > 0 || !self.skipped.is_empty() || self.failed()
    }

    /// The share of records quarantined (0 for a file with no records).
    pub fn quarantined_share(&self) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            self.quarantined as f64 / self.records as f64
        }
    }

    /// Whether so much was set aside that the file's figures are incomplete: it failed, entries were
    /// skipped, or more than [`INCOMPLETE_SHARE`] of its records were quarantined.
    pub fn incomplete(&self) -> bool {
        self.failed() || !self.skipped.is_empty() || self.quarantined_share() > INCOMPLETE_SHARE
    }
}

/// Totals over every file of an ingest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Files (and folders) given.
    pub files: u64,
    /// Files that could not be read, or stopped part-way.
    pub failed_files: u64,
    /// Data rows.
    pub rows: u64,
    /// Records (see [`FileReport`]).
    pub records: u64,
    /// Stored comments.
    pub stored: u64,
    /// Of which "no comment".
    pub stored_no_comment: u64,
    /// Duplicates, not stored.
    pub duplicates: u64,
    /// Quarantined records.
    pub quarantined: u64,
    /// Records stored under a new id because theirs was taken.
    pub id_clashes: u64,
    /// Folder entries skipped (links out of the folder).
    pub skipped: u64,
    /// Rows with no FFT answer.
    pub scores_not_given: u64,
    /// Rows with an unreadable date.
    pub dates_unreadable: u64,
    /// Identifiers redacted.
    pub redactions: RedactionCounts,
}

/// The summary of a whole ingest.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    /// One report per file or folder, in the order given.
    pub files: Vec<FileReport>,
    /// Sums over the files.
    pub totals: Totals,
    /// Where quarantined records were written, if any were.
    pub quarantine_file: Option<PathBuf>,
}

impl IngestReport {
    /// A report over `files`, with totals.
    pub fn new(files: Vec<FileReport>, quarantine_file: Option<PathBuf>) -> IngestReport {
        let mut totals = Totals::default();
        for f in &files {
            totals.files += 1;
            totals.failed_files += u64::from(f.failed());
            totals.rows += f.rows;
            totals.records += f.records;
            totals.stored += f.stored;
            totals.stored_no_comment += f.stored_no_comment;
            totals.duplicates += f.duplicates;
            totals.quarantined += f.quarantined;
            totals.id_clashes += f.id_clashes;
            totals.skipped += f.skipped.len() as u64;
            totals.scores_not_given += f.scores_not_given;
            totals.dates_unreadable += f.dates_unreadable;
            totals.redactions.merge(&f.redactions);
        }
        IngestReport {
            files,
            totals,
            quarantine_file,
        }
    }

    /// Whether every file reconciles.
    pub fn reconciles(&self) -> bool {
        self.files.iter().all(FileReport::reconciles)
            && self.totals.records
                == self.totals.stored + self.totals.duplicates + self.totals.quarantined
    }

    /// Whether any file could not be ingested.
    pub fn any_failed(&self) -> bool {
        self.totals.failed_files > 0
    }

    /// Whether anything was set aside: records quarantined, folder entries skipped or files not read.
    /// `chorus ingest` then exits with status 1.
    pub fn set_aside(&self) -> bool {
        self.files.iter().any(FileReport::set_aside)
    }

    /// Quarantined records by kind of problem, over all files.
    pub fn quarantine_reasons(&self) -> BTreeMap<String, u64> {
        let mut reasons = BTreeMap::new();
        for file in &self.files {
            for (reason, count) in &file.quarantine_reasons {
                *reasons.entry(reason.clone()).or_default() += count;
            }
        }
        reasons
    }
}
