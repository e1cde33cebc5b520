//! From rows to comments: decoding, placeholders, redaction, scores and dates in parallel batches, then
//! deduplication, storing and quarantine in input order.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use chorus_core::{Attributes, Comment, Date, FftScore, QuestionKind, SourceRef};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};

use chorus_core::keys::CommentKeys;
use rayon::prelude::*;

use crate::dates::{DateProblem, parse_date};
use crate::dedup::{DedupOutcome, Deduplicator};
use crate::encoding::{self, Decoded, Sniff, TextEncoding};
use crate::entities::decode_entities;
use crate::format::{self, InputFormat, delimiter_name};
use crate::ids::{self, Occurrences};
use crate::mapping::Mapping;
use crate::placeholder::is_no_comment;
use crate::printable::printable_owned;
use crate::quarantine::{QuarantineEntry, QuarantineWriter, reason_kind};
use crate::readers::lines::split_lines;
use crate::readers::{self, Cells, CountingReader, Row, RowConsumer, Value, format_number};
use crate::redact::RedactionCounts;
use crate::report::{DateExample, FileReport, MappedColumn};
use crate::{CommentSink, Error, IngestOptions};

/// Examples kept per kind of problem.
const EXAMPLES: usize = 5;

/// Ingests one file or story folder. Never fails as a whole: a file that cannot be read comes back with
/// [`FileReport::error`] set (and whatever was read before the problem counted).
pub(crate) fn ingest_file(
    path: &Path,
    options: &IngestOptions,
    dedup: &mut Deduplicator,
    sink: &mut dyn CommentSink,
    quarantine: &mut QuarantineWriter,
    progress: &mut dyn FnMut(u64),
) -> FileReport {
    let source = printable_owned(options.source_name.clone().unwrap_or_else(|| {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }));
    let mut pipeline = Pipeline {
        path,
        file_label: printable_owned(path.display().to_string()),
        options,
        dedup,
        sink,
        quarantine,
        progress,
        context: None,
        batch: Vec::new(),
        in_flight: VecDeque::new(),
        report: FileReport {
            path: path.to_owned(),
            source: source.clone(),
            ..FileReport::default()
        },
        source,
        encoding: TextEncoding::Utf8,
        delimiter: b',',
        date_values: 0,
        wrong_order: 0,
        score_values: 0,
        score_valid: 0,
        occurrences: Occurrences::default(),
        content_id_duplicates: 0,
    };
    let result = pipeline.run();
    let flushed = pipeline.flush();
    let mut report = std::mem::take(&mut pipeline.report);
    pipeline.add_warnings(&mut report);
    if let Err(error) = result.and(flushed) {
        report.error = Some(printable_owned(error.with_causes()));
    }
    report
}

struct Pipeline<'a> {
    path: &'a Path,
    file_label: String,
    options: &'a IngestOptions,
    dedup: &'a mut Deduplicator,
    sink: &'a mut dyn CommentSink,
    quarantine: &'a mut QuarantineWriter,
    progress: &'a mut dyn FnMut(u64),
    context: Option<Arc<Context>>,
    batch: Vec<Row>,
    /// Batches being processed by the worker threads, oldest first.
    in_flight: VecDeque<Receiver<Vec<(Row, Processed)>>>,
    report: FileReport,
    source: String,
    encoding: TextEncoding,
    delimiter: u8,
    /// Non-blank date cells seen, and how many were only valid in the other day/month order.
    date_values: u64,
    wrong_order: u64,
    /// Non-blank score cells seen, and how many were FFT answers.
    score_values: u64,
    score_valid: u64,
    /// How often each row content has been seen, for ids made from content.
    occurrences: Occurrences,
    /// Records with an id made from content that were counted as duplicates.
    content_id_duplicates: u64,
}

/// What processing a row needs, shared read-only by the worker threads.
struct Context {
    mapping: Mapping,
    /// The question of each text column when the file has no question column (or several text columns).
    text_questions: Vec<Arc<str>>,
    text_headers: Vec<Arc<str>>,
    attribute_keys: Vec<(usize, Arc<str>)>,
    source: Arc<str>,
    /// The cells whose content makes a row's id when it has no id or respondent (see [`crate::ids`]).
    content_cells: Vec<Option<usize>>,
    encoding: TextEncoding,
    delimiter: u8,
    date_order: crate::DateOrder,
    redactor: crate::Redactor,
    /// The kind of each text column's question, when it comes from the header.
    question_kinds: Vec<QuestionKind>,
}

impl Pipeline<'_> {
    fn run(&mut self) -> Result<(), Error> {
        let path = self.path;
        let metadata = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        if metadata.is_dir() {
            self.report.format = Some(InputFormat::StoryFolder);
            let info = readers::stories::read_folder(path, self)?;
            self.report.encoding = Some(
                info.encodings
                    .iter()
                    .map(|(label, n)| {
                        format!("{label} ({n} {})", if *n == 1 { "file" } else { "files" })
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            if !info.skipped.is_empty() {
                self.report.notes.push(format!(
                    "skipped {} entries that are not .txt files: {}",
                    info.skipped.len(),
                    info.skipped.join(", ")
                ));
            }
            if !info.links_out.is_empty() {
                self.report.warnings.push(format!(
                    "did not follow {} symbolic links that lead out of the folder (copy the stories into it to read them): {}",
                    info.links_out.len(),
                    info.links_out.join(", ")
                ));
                self.report.skipped = info.links_out;
            }
            return Ok(());
        }
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let (mut counted, bytes) = CountingReader::new(file);
        let prefix = encoding::read_prefix(&mut counted, encoding::SNIFF_LEN).map_err(io_error)?;
        if prefix.is_empty() {
            return Err(Error::EmptyFile {
                path: path.to_owned(),
            });
        }
        let format =
            format::detect(path, false, &prefix).map_err(|reason| Error::UnsupportedFormat {
                path: path.to_owned(),
                reason,
            })?;
        if format == InputFormat::Excel {
            self.report.format = Some(InputFormat::Excel);
            drop(counted);
            let zipped = prefix.starts_with(b"PK\x03\x04");
            let sheet =
                readers::excel::read(path, metadata.len(), zipped, self.options.limits, self)?;
            self.report
                .notes
                .push(format!("read the first worksheet, `{sheet}`"));
            return Ok(());
        }
        let encoding = match encoding::sniff(&prefix) {
            Sniff::Text(encoding) => encoding,
            Sniff::Binary => {
                return Err(Error::UnsupportedFormat {
                    path: path.to_owned(),
                    reason: "it holds binary data, not text".to_owned(),
                });
            }
        };
        self.encoding = encoding;
        self.report.encoding = Some(encoding.label().to_owned());
        self.report.format = Some(format);
        let stream = encoding::text_stream(encoding, prefix, counted);
        let bytes_read = move || bytes.get();
        if format == InputFormat::JsonLines {
            return readers::jsonl::read(path, stream, encoding, &bytes_read, self);
        }
        let lone_txt = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("text"));
        match readers::delimited::read(path, stream, encoding, lone_txt, &bytes_read, self)? {
            readers::delimited::Outcome::Read { delimiter } => {
                self.delimiter = delimiter;
                self.report.delimiter = Some(delimiter_name(delimiter));
            }
            readers::delimited::Outcome::NotDelimited => {
                self.report.format = Some(InputFormat::Story);
                self.header(readers::stories::COLUMNS.map(String::from).to_vec())?;
                let name = path.file_name().map_or_else(String::new, |n| {
                    printable_owned(n.to_string_lossy().into_owned())
                });
                let mut encodings = BTreeMap::new();
                let (row, len) = readers::stories::read_story(path, &name, &mut encodings);
                if let Some(label) = encodings.keys().next() {
                    self.report.encoding = Some((*label).to_owned());
                }
                self.row(row)?;
                self.progress(len);
            }
        }
        Ok(())
    }

    /// Sends the pending batch to the worker threads, then accounts for the batch before it: the workers
    /// process one batch while this thread parses the next and stores the last, and batches are accounted
    /// in input order.
    fn dispatch(&mut self) -> Result<(), Error> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let Some(context) = &self.context else {
            self.batch.clear();
            return Ok(());
        };
        let batch = std::mem::take(&mut self.batch);
        let context = Arc::clone(context);
        let (done, receive) = mpsc::sync_channel(1);
        rayon::spawn(move || {
            let processed: Vec<(Row, Processed)> = batch
                .into_par_iter()
                .map(|mut row| {
                    validate_utf8(&mut row);
                    let processed = process_row(&context, &row);
                    (row, processed)
                })
                .collect();
            // The receiver is gone only if ingestion already stopped on an error.
            let _ = done.send(processed);
        });
        self.in_flight.push_back(receive);
        while self.in_flight.len() > 1 {
            self.collect_one()?;
        }
        Ok(())
    }

    /// Waits for the oldest batch in flight and accounts for it.
    fn collect_one(&mut self) -> Result<(), Error> {
        let Some(receive) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let processed = receive.recv().map_err(|_| Error::Worker {
            path: self.path.to_owned(),
        })?;
        let mut rows = Vec::with_capacity(processed.len());
        for (row, processed) in processed {
            self.account(&row, processed)?;
            rows.push(row);
        }
        // Freeing a batch of rows is a measurable share of this thread's time; the workers can do it.
        rayon::spawn(move || drop(rows));
        Ok(())
    }

    /// Processes everything still pending.
    fn flush(&mut self) -> Result<(), Error> {
        self.dispatch()?;
        while !self.in_flight.is_empty() {
            self.collect_one()?;
        }
        Ok(())
    }

    /// Counts one processed row and sends its records to the sink, the duplicates count or the
    /// quarantine.
    fn account(&mut self, row: &Row, processed: Processed) -> Result<(), Error> {
        let report = &mut self.report;
        report.rows += 1;
        if processed.blank {
            report.blank_rows += 1;
            return Ok(());
        }
        report.redactions.merge(&processed.redactions);
        report.encoding_fallback_rows += u64::from(processed.fallback);
        match processed.date {
            DateStatus::None => {}
            DateStatus::Read => {
                report.dates_read += 1;
                self.date_values += 1;
            }
            DateStatus::Problem(problem, value) => {
                self.date_values += 1;
                report.dates_unreadable += 1;
                if problem == DateProblem::WrongOrder {
                    self.wrong_order += 1;
                }
                if report.date_examples.len() < EXAMPLES {
                    let column = self
                        .context
                        .as_ref()
                        .and_then(|c| c.mapping.date.map(|i| c.mapping.columns[i].clone()))
                        .unwrap_or_default();
                    report.date_examples.push(DateExample {
                        line: row.line,
                        column,
                        value: printable_owned(value),
                        problem,
                    });
                }
            }
        }
        match processed.score {
            ScoreStatus::NoColumn => {}
            ScoreStatus::Blank => report.scores_not_given += 1,
            ScoreStatus::Valid => {
                self.score_values += 1;
                self.score_valid += 1;
            }
            ScoreStatus::Unrecognised(value) => {
                self.score_values += 1;
                report.scores_not_given += 1;
                report.scores_unrecognised += 1;
                let value = printable_owned(value);
                if report.score_examples.len() < EXAMPLES && !report.score_examples.contains(&value)
                {
                    report.score_examples.push(value);
                }
            }
        }
        // The n-th row of the file with the same content gets `-n`, so identical answers are all kept.
        let occurrence = processed
            .row_key
            .map(|key| (key, self.occurrences.next(key)));
        for output in processed.outputs {
            self.report.records += 1;
            match output {
                Output::Comment(mut comment, mut keys) => {
                    if let Some((key, n)) = occurrence.filter(|&(_, n)| n > 1) {
                        ids::set_id(&mut comment, ids::content_id(key, n));
                        keys = comment.keys();
                    }
                    match self.dedup.check(keys) {
                        DedupOutcome::New => self.store(comment, keys)?,
                        DedupOutcome::Duplicate => {
                            self.report.duplicates += 1;
                            self.content_id_duplicates += u64::from(occurrence.is_some());
                        }
                        DedupOutcome::Conflict => self.rename_or_quarantine(row, comment)?,
                    }
                }
                Output::Reject { column, reason } => {
                    self.quarantine_record(row, &column, &reason)?
                }
            }
        }
        Ok(())
    }

    /// Sends a new comment to the sink.
    fn store(&mut self, comment: Comment, keys: CommentKeys) -> Result<(), Error> {
        self.report.scores.add(comment.score);
        self.report.stored_no_comment += u64::from(comment.no_comment);
        let line = comment.source.line;
        self.sink
            .add_keyed(comment, keys)
            .map_err(|source| Error::Sink {
                path: self.path.to_owned(),
                line,
                source,
            })?;
        self.report.stored += 1;
        Ok(())
    }

    /// A comment whose id is already stored with different content: stored as `ID~2` (or the first of
    /// `ID~3`, `ID~4`… not taken), or counted as a duplicate if one of those holds this very comment
    /// (a re-ingest). Quarantined only if the id is shared by more records than any id could be.
    fn rename_or_quarantine(&mut self, row: &Row, mut comment: Comment) -> Result<(), Error> {
        let base = comment.id.clone();
        for n in 2..=ids::MAX_REUSE {
            ids::set_id(&mut comment, ids::renamed(&base, n));
            let keys = comment.keys();
            match self.dedup.check(keys) {
                DedupOutcome::New => {
                    self.report.id_clashes += 1;
                    if self.report.id_clash_examples.len() < EXAMPLES {
                        self.report.id_clash_examples.push(format!(
                            "line {}: `{base}` stored as `{}`",
                            row.line, comment.id
                        ));
                    }
                    return self.store(comment, keys);
                }
                DedupOutcome::Duplicate => {
                    self.report.duplicates += 1;
                    return Ok(());
                }
                DedupOutcome::Conflict => {}
            }
        }
        let reason = format!(
            "id reused too often: `{base}` is already stored with {} different texts for question `{}`; if the column `{}` is not an id, pass --map id= (ids are then made from each row's content)",
            ids::MAX_REUSE,
            comment.question,
            self.context
                .as_ref()
                .and_then(|c| c
                    .mapping
                    .id
                    .or(c.mapping.respondent)
                    .map(|i| c.mapping.columns[i].as_str()))
                .unwrap_or("id")
        );
        self.quarantine_record(row, &comment.source.column, &reason)
    }

    fn quarantine_record(&mut self, row: &Row, column: &str, reason: &str) -> Result<(), Error> {
        let raw = raw_record(row, self.encoding, self.delimiter);
        let (raw, _) = self.options.redactor.redact(&raw);
        let file = match &row.file {
            Some(name) => printable_owned(self.path.join(name).display().to_string()),
            None => self.file_label.clone(),
        };
        self.quarantine.write(&QuarantineEntry {
            file: &file,
            line: row.line,
            column,
            reason,
            record: &raw,
        })?;
        self.report.quarantined += 1;
        *self
            .report
            .quarantine_reasons
            .entry(reason_kind(reason).to_owned())
            .or_default() += 1;
        Ok(())
    }

    /// Loud messages for problems that affect a whole column.
    fn add_warnings(&self, report: &mut FileReport) {
        let Some(context) = &self.context else {
            return;
        };
        self.add_id_notes(context, report);
        let order = self.options.date_order;
        if let Some(i) = context.mapping.date {
            let column = &context.mapping.columns[i];
            let example = report
                .date_examples
                .first()
                .map(|e| format!(" (e.g. `{}` at line {})", e.value, e.line))
                .unwrap_or_default();
            if self.date_values > 0 && report.dates_read == 0 {
                report.warnings.push(format!(
                    "none of the {} dates in column `{column}` could be read{example}: its comments are stored undated; if it is not a date column, pass --map date= (or --map date=COLUMN for the right one)",
                    self.date_values
                ));
            } else if report.dates_unreadable > 0 {
                report.warnings.push(format!(
                    "{} of {} dates in column `{column}` could not be read{example}: those comments are stored undated",
                    report.dates_unreadable, self.date_values
                ));
            }
            if self.wrong_order > 0 {
                let (flag, shape) = match order {
                    crate::DateOrder::Dmy => ("--date-order mdy", "month/day/year"),
                    crate::DateOrder::Mdy => ("--date-order dmy", "day/month/year"),
                };
                report.warnings.push(format!(
                    "{} dates in column `{column}` only make sense as {shape}: if the whole file is written that way, ingest it into a new store with {flag}",
                    self.wrong_order
                ));
            }
        }
        if let Some(i) = context.mapping.score
            && self.score_values > 0
            && self.score_valid == 0
        {
            report.warnings.push(format!(
                "none of the {} values in column `{}` is an FFT answer (e.g. `{}`): every score is stored as not given; if it is not the FFT column, pass --map score= (or --map score=COLUMN)",
                self.score_values,
                context.mapping.columns[i],
                report.score_examples.first().map_or("", String::as_str)
            ));
        }
        if report.encoding_fallback_rows > 0 {
            report
                .notes
                .push(if self.encoding == TextEncoding::Windows1252 {
                    format!(
                        "{} rows were valid UTF-8 and were read as UTF-8",
                        report.encoding_fallback_rows
                    )
                } else {
                    format!(
                        "{} rows were not valid UTF-8 and were read as Windows-1252",
                        report.encoding_fallback_rows
                    )
                });
        }
    }
}

impl Pipeline<'_> {
    /// What the user should know about ids: where they came from, and which were taken already.
    fn add_id_notes(&self, context: &Context, report: &mut FileReport) {
        let mapping = &context.mapping;
        let story = matches!(
            report.format,
            Some(InputFormat::Story | InputFormat::StoryFolder)
        );
        if !story && mapping.id.is_none() {
            match mapping.respondent {
                Some(i) => report.notes.push(format!(
                    "no id column: the respondent column `{}` is each row's id",
                    mapping.columns[i]
                )),
                None => report.notes.push(
                    "no id column: each row's id is made from its date, score, service, question and text, so ingesting the file again is still recognised".to_owned(),
                ),
            }
        }
        if self.content_id_duplicates > 0 && mapping.date.is_none() {
            report.warnings.push(format!(
                "{} rows have no id and no date, and match comments already stored (same text, score and service): they were counted as duplicates; if they are new feedback, add an id or date column",
                self.content_id_duplicates
            ));
        }
        if report.id_clashes > 0 {
            report.warnings.push(format!(
                "{} records reuse an id already stored with different text, and were stored under new ids ({}): if this export corrects an earlier one, both versions are now stored",
                report.id_clashes,
                report.id_clash_examples.join("; ")
            ));
        }
    }
}

impl RowConsumer for Pipeline<'_> {
    fn header(&mut self, columns: Vec<String>) -> Result<(), Error> {
        if columns.is_empty() {
            return Err(Error::EmptyFile {
                path: self.path.to_owned(),
            });
        }
        let mapping = if self.report.format == Some(InputFormat::StoryFolder)
            || self.report.format == Some(InputFormat::Story)
        {
            Mapping {
                columns: columns.clone(),
                id: Some(0),
                text: vec![1],
                question: None,
                date: None,
                score: None,
                service: None,
                organisation: None,
                respondent: None,
                ignored: Vec::new(),
                attributes: Vec::new(),
            }
        } else {
            Mapping::detect(&columns, &self.options.overrides, self.path)?
        };
        self.report.mapping = mapping
            .describe()
            .into_iter()
            .map(|(role, column)| MappedColumn { role, column })
            .collect();
        self.report.attributes = mapping
            .attributes
            .iter()
            .map(|&i| columns[i].clone())
            .collect();
        let is_story = mapping.columns.first().map(String::as_str) == Some("file")
            && matches!(
                self.report.format,
                Some(InputFormat::StoryFolder | InputFormat::Story)
            );
        let text_headers: Vec<Arc<str>> = mapping
            .text
            .iter()
            .map(|&i| Arc::from(columns[i].as_str()))
            .collect();
        let text_questions: Vec<Arc<str>> = text_headers
            .iter()
            .map(|h| {
                if is_story {
                    Arc::from("Story")
                } else {
                    Arc::from(collapse_whitespace(h))
                }
            })
            .collect();
        let question_kinds = text_questions
            .iter()
            .map(|q| QuestionKind::classify(q))
            .collect();
        let content_cells = content_cells(&mapping);
        self.context = Some(Arc::new(Context {
            attribute_keys: mapping
                .attributes
                .iter()
                .map(|&i| (i, Arc::from(columns[i].as_str())))
                .collect(),
            text_questions,
            text_headers,
            mapping,
            source: Arc::from(self.source.as_str()),
            content_cells,
            encoding: self.encoding,
            delimiter: self.delimiter,
            date_order: self.options.date_order,
            redactor: self.options.redactor.clone(),
            question_kinds,
        }));
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<(), Error> {
        self.batch.push(row);
        if self.batch.len() >= self.options.batch_size.max(1) {
            self.dispatch()?;
        }
        Ok(())
    }

    fn progress(&mut self, bytes: u64) {
        (self.progress)(bytes);
    }

    fn delimiter(&mut self, delimiter: u8) {
        self.delimiter = delimiter;
    }
}

/// What one row became, before deduplication.
struct Processed {
    blank: bool,
    outputs: Vec<Output>,
    redactions: RedactionCounts,
    fallback: bool,
    date: DateStatus,
    score: ScoreStatus,
    /// The row's content key, when its id was made from its content.
    row_key: Option<u64>,
}

// Boxing the comment would add an allocation per comment on the hot path; outputs live only until
// accounted.
#[allow(clippy::large_enum_variant)]
enum Output {
    Comment(Comment, CommentKeys),
    Reject { column: String, reason: String },
}

enum DateStatus {
    None,
    Read,
    Problem(DateProblem, String),
}

enum ScoreStatus {
    NoColumn,
    Blank,
    Valid,
    Unrecognised(String),
}

/// One cell, decoded.
enum CellView<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Date(Date),
    Missing,
}

impl<'a> CellView<'a> {
    /// The cell as trimmed text.
    fn into_text(self) -> Cow<'a, str> {
        match self {
            CellView::Text(Cow::Borrowed(t)) => Cow::Borrowed(t.trim()),
            CellView::Text(Cow::Owned(t)) => Cow::Owned(t.trim().to_owned()),
            CellView::Number(n) => Cow::Owned(format_number(n)),
            CellView::Date(d) => Cow::Owned(d.to_string()),
            CellView::Missing => Cow::Borrowed(""),
        }
    }
}

/// A row's cells, read in place: most rows are valid UTF-8 records whose fields are borrowed one at a
/// time, without building a vector of cells per row.
enum RowView<'a> {
    Strings(&'a csv::StringRecord),
    Decoded(Vec<CellView<'a>>),
    Values(&'a [Value]),
}

impl<'a> RowView<'a> {
    fn cell(&self, i: usize) -> CellView<'a> {
        match self {
            RowView::Strings(record) => CellView::Text(Cow::Borrowed(record.get(i).unwrap_or(""))),
            RowView::Decoded(cells) => match &cells[i] {
                CellView::Text(Cow::Borrowed(t)) => CellView::Text(Cow::Borrowed(t)),
                CellView::Text(Cow::Owned(t)) => CellView::Text(Cow::Owned(t.clone())),
                CellView::Number(n) => CellView::Number(*n),
                CellView::Date(d) => CellView::Date(*d),
                CellView::Missing => CellView::Missing,
            },
            RowView::Values(values) => match &values[i] {
                Value::Empty => CellView::Text(Cow::Borrowed("")),
                Value::Missing => CellView::Missing,
                Value::Text(t) => CellView::Text(Cow::Borrowed(t.as_str())),
                Value::Number(n) => CellView::Number(*n),
                Value::Date(d) => CellView::Date(*d),
            },
        }
    }
}

fn rejected(column: &str, reason: String) -> Processed {
    Processed {
        blank: false,
        outputs: vec![Output::Reject {
            column: column.to_owned(),
            reason,
        }],
        redactions: RedactionCounts::default(),
        fallback: false,
        date: DateStatus::None,
        score: ScoreStatus::NoColumn,
        row_key: None,
    }
}

/// Validates a UTF-8 record in one pass (rather than field by field); a record that is not valid UTF-8
/// stays as bytes and is decoded field by field, with the Windows-1252 fallback. Records of a Windows-1252
/// file are validated too: a record that is valid UTF-8 is read as UTF-8 ([`encoding::decode_field`]).
fn validate_utf8(row: &mut Row) {
    if !matches!(row.cells, Cells::Bytes(_)) {
        return;
    }
    if let Cells::Bytes(record) = std::mem::replace(&mut row.cells, Cells::Values(Vec::new())) {
        row.cells = match csv::StringRecord::from_byte_record(record) {
            Ok(record) => Cells::Strings(record),
            Err(error) => Cells::Bytes(error.into_byte_record()),
        };
    }
}

/// A field holding three or more lines that look like whole rows of the file (as many delimiters as the
/// header) is a missing closing quote that swallowed the rows after it: quarantined whole, so those rows
/// are not stored as one comment's text.
fn swallowed_rows<'f>(ctx: &Context, fields: impl Iterator<Item = &'f [u8]>) -> Option<Processed> {
    let width = ctx.mapping.columns.len();
    if width < 2 {
        return None;
    }
    for (i, field) in fields.enumerate() {
        if memchr::memchr2(b'\n', b'\r', field).is_none() {
            continue;
        }
        let mut lines = 0;
        let mut rows = 0;
        for line in split_lines(field).skip(1) {
            lines += 1;
            rows += usize::from(bytecount(line, ctx.delimiter) + 1 == width);
        }
        // Most lines must look like rows: a long story has the odd line with that many commas.
        if rows >= 3 && rows * 2 >= lines {
            let column = &ctx.mapping.columns[i];
            return Some(rejected(
                column,
                format!(
                    "missing closing quote: column `{column}` holds {rows} lines that look like rows of the file (the rows after the quote are in this record)"
                ),
            ));
        }
    }
    None
}

fn bytecount(line: &[u8], byte: u8) -> usize {
    memchr::memchr_iter(byte, line).count()
}

fn ragged(fields: usize, width: usize) -> Processed {
    rejected(
        "",
        format!(
            "ragged row: {fields} fields where the header has {width} (an unquoted delimiter or line break in a comment?)"
        ),
    )
}

fn process_row(ctx: &Context, row: &Row) -> Processed {
    let redactor = &ctx.redactor;
    let width = ctx.mapping.columns.len();
    let mut fallback = false;
    let cells: RowView<'_> = match &row.cells {
        Cells::Broken { reason, .. } => return rejected("", reason.clone()),
        Cells::Strings(record) => {
            if record.iter().all(|f| f.trim().is_empty()) {
                return blank_row();
            }
            if record.len() != width {
                return ragged(record.len(), width);
            }
            fallback = ctx.encoding == TextEncoding::Windows1252 && !record.as_slice().is_ascii();
            // One scan of the whole record: most have no line break at all.
            if memchr::memchr2(b'\n', b'\r', record.as_slice().as_bytes()).is_some()
                && let Some(rejection) = swallowed_rows(ctx, record.iter().map(str::as_bytes))
            {
                return rejection;
            }
            RowView::Strings(record)
        }
        Cells::Bytes(record) => {
            if record.iter().all(|f| f.trim_ascii().is_empty()) {
                return blank_row();
            }
            if record.len() != width {
                return ragged(record.len(), width);
            }
            if let Some(rejection) = swallowed_rows(ctx, record.iter()) {
                return rejection;
            }
            let mut cells = Vec::with_capacity(width);
            for (i, field) in record.iter().enumerate() {
                match encoding::decode_field(field, ctx.encoding) {
                    Decoded::Text(text) => cells.push(CellView::Text(text)),
                    Decoded::Fallback(text) => {
                        fallback = true;
                        cells.push(CellView::Text(Cow::Owned(text)));
                    }
                    Decoded::Undecodable => {
                        let expected = match ctx.encoding {
                            TextEncoding::Utf16Le | TextEncoding::Utf16Be => ctx.encoding.label(),
                            _ => "UTF-8 or Windows-1252",
                        };
                        return rejected(
                            &ctx.mapping.columns[i],
                            format!(
                                "undecodable bytes: column `{}` is not valid {expected} text",
                                ctx.mapping.columns[i],
                            ),
                        );
                    }
                }
            }
            RowView::Decoded(cells)
        }
        Cells::Values(values) => {
            if values
                .iter()
                .all(|v| matches!(v, Value::Empty | Value::Missing))
                && row.extra.is_empty()
            {
                return blank_row();
            }
            if values.len() != width {
                return rejected(
                    "",
                    format!(
                        "ragged row: a value in column {} where the header has {width} columns",
                        values.len()
                    ),
                );
            }
            RowView::Values(values)
        }
    };
    let get = |index: Option<usize>| index.map(|i| cells.cell(i).into_text());
    let non_empty =
        |index: Option<usize>| get(index).filter(|t| !t.is_empty()).map(Cow::into_owned);

    let mut redactions = RedactionCounts::default();
    let mut row_key = None;
    let mut id = match non_empty(ctx.mapping.id).or_else(|| non_empty(ctx.mapping.respondent)) {
        Some(id) => printable_owned(id),
        None => {
            let content: Vec<Cow<'_, str>> = ctx
                .content_cells
                .iter()
                .map(|&i| i.map_or(Cow::Borrowed(""), |i| cells.cell(i).into_text()))
                .collect();
            let key = ids::row_key(content.iter().map(AsRef::as_ref));
            row_key = Some(key);
            ids::content_id(key, 1)
        }
    };
    let mut respondent =
        non_empty(ctx.mapping.respondent).map_or_else(|| id.clone(), printable_owned);
    let mut organisation = non_empty(ctx.mapping.organisation).map(Arc::<str>::from);
    let mut service = non_empty(ctx.mapping.service).map(Arc::<str>::from);

    let (date, date_status) = match ctx.mapping.date.map(|i| cells.cell(i)) {
        None => (None, DateStatus::None),
        Some(CellView::Date(d)) => (Some(d), DateStatus::Read),
        Some(CellView::Number(n)) if (18_264.0..73_416.0).contains(&n) => {
            (Some(crate::dates::excel_serial_date(n)), DateStatus::Read)
        }
        Some(cell) => {
            let text = cell.into_text();
            match parse_date(&text, ctx.date_order) {
                Ok(None) => (None, DateStatus::None),
                Ok(Some(d)) => (Some(d), DateStatus::Read),
                Err(problem) => (None, DateStatus::Problem(problem, text.into_owned())),
            }
        }
    };
    let (score, score_status) = match ctx.mapping.score.map(|i| cells.cell(i).into_text()) {
        None => (FftScore::NotGiven, ScoreStatus::NoColumn),
        Some(t) if t.is_empty() => (FftScore::NotGiven, ScoreStatus::Blank),
        Some(t) => match FftScore::parse(&t) {
            FftScore::NotGiven => (
                FftScore::NotGiven,
                ScoreStatus::Unrecognised(t.into_owned()),
            ),
            score => (score, ScoreStatus::Valid),
        },
    };

    let mut attributes = Attributes::new();
    for (i, key) in &ctx.attribute_keys {
        let value = cells.cell(*i).into_text();
        if value.is_empty() {
            continue;
        }
        let (value, counts) = redactor.redact(&value);
        redactions.merge(&counts);
        attributes.insert(key.clone(), value.into_owned());
    }
    for (key, value) in &row.extra {
        let value = value.trim();
        if !value.is_empty() {
            let (value, counts) = redactor.redact(value);
            redactions.merge(&counts);
            attributes.insert(key.as_str(), value.into_owned());
        }
    }

    let question_cell = if ctx.mapping.text.len() == 1 {
        non_empty(ctx.mapping.question).map(|q| Arc::<str>::from(collapse_whitespace(&q)))
    } else {
        None
    };
    let mut source_name = match &row.file {
        Some(file) => Arc::from(format!("{}/{file}", ctx.source)),
        None => Arc::clone(&ctx.source),
    };

    let mut outputs = Vec::with_capacity(ctx.mapping.text.len());
    for (k, &t) in ctx.mapping.text.iter().enumerate() {
        let header = &ctx.text_headers[k];
        let raw = match cells.cell(t) {
            CellView::Missing => {
                outputs.push(Output::Reject {
                    column: header.to_string(),
                    reason: format!("missing text: the JSON object has no `{header}` key"),
                });
                continue;
            }
            cell => cell.into_text(),
        };
        let decoded = match decode_entities(&raw) {
            Cow::Owned(decoded) => Some(decoded.trim().to_owned()),
            Cow::Borrowed(_) => None,
        };
        let raw = decoded.map_or(raw, Cow::Owned);
        let question = question_cell
            .clone()
            .unwrap_or_else(|| ctx.text_questions[k].clone());
        // Only short answers can be "no comment", so the question is classified only for those.
        let no_comment = raw.len() <= 32
            && is_no_comment(
                &raw,
                if question_cell.is_some() {
                    QuestionKind::classify(&question)
                } else {
                    ctx.question_kinds[k]
                },
            );
        let (text, no_comment) = if no_comment {
            (String::new(), true)
        } else {
            let (text, counts) = redactor.redact(&raw);
            redactions.merge(&counts);
            (text.into_owned(), false)
        };
        let last = k + 1 == ctx.mapping.text.len();
        let comment = Comment {
            id: if last {
                std::mem::take(&mut id)
            } else {
                id.clone()
            },
            respondent: if last {
                std::mem::take(&mut respondent)
            } else {
                respondent.clone()
            },
            question,
            text,
            no_comment,
            date,
            score,
            service: if last {
                service.take()
            } else {
                service.clone()
            },
            organisation: if last {
                organisation.take()
            } else {
                organisation.clone()
            },
            attributes: if last {
                std::mem::take(&mut attributes)
            } else {
                attributes.clone()
            },
            source: SourceRef {
                name: if last {
                    std::mem::take(&mut source_name)
                } else {
                    source_name.clone()
                },
                line: row.line,
                column: Arc::clone(header),
            },
            annotations: None,
        };
        let keys = comment.keys();
        outputs.push(Output::Comment(comment, keys));
    }
    Processed {
        blank: false,
        outputs,
        redactions,
        fallback,
        date: date_status,
        score: score_status,
        row_key,
    }
}

/// The cells whose content makes a row's id when it has none: date, score, service, organisation,
/// question, then the free-text cells (see [`crate::ids`]).
fn content_cells(mapping: &Mapping) -> Vec<Option<usize>> {
    let mut cells = vec![
        mapping.date,
        mapping.score,
        mapping.service,
        mapping.organisation,
        mapping.question,
    ];
    cells.extend(mapping.text.iter().map(|&i| Some(i)));
    cells
}

fn blank_row() -> Processed {
    Processed {
        blank: true,
        outputs: Vec::new(),
        redactions: RedactionCounts::default(),
        fallback: false,
        date: DateStatus::None,
        score: ScoreStatus::NoColumn,
        row_key: None,
    }
}

/// Question wording with line breaks and runs of spaces made single spaces, so that the same question
/// exported with a stray space before a line break is one question.
fn collapse_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let tidy = bytes.iter().all(|&b| b == b' ' || !b.is_ascii_whitespace())
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    if tidy && text.is_ascii() {
        return text.to_owned();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The record as read, for the quarantine file: fields re-joined with the file's delimiter.
fn raw_record(row: &Row, encoding: TextEncoding, delimiter: u8) -> String {
    let join = |fields: Vec<String>| {
        let delimiter = char::from(delimiter);
        fields
            .iter()
            .map(|f| {
                if f.contains([delimiter, '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(&delimiter.to_string())
    };
    match &row.cells {
        Cells::Broken { raw, .. } => raw.clone(),
        Cells::Strings(record) => join(record.iter().map(str::to_owned).collect()),
        Cells::Bytes(record) => join(
            record
                .iter()
                .map(|f| match encoding::decode_field(f, encoding) {
                    Decoded::Text(t) => t.into_owned(),
                    Decoded::Fallback(t) => t,
                    Decoded::Undecodable => String::from_utf8_lossy(f).into_owned(),
                })
                .collect(),
        ),
        Cells::Values(values) => join(
            values
                .iter()
                .map(|v| match v {
                    Value::Empty | Value::Missing => String::new(),
                    Value::Text(t) => t.clone(),
                    Value::Number(n) => format_number(*n),
                    Value::Date(d) => d.to_string(),
                })
                .collect(),
        ),
    }
}

/// Total bytes of the inputs (folders: their `.txt` files), for a progress bar's length.
pub(crate) fn total_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .map(|p| match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => std::fs::read_dir(p)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| {
                            e.path()
                                .extension()
                                .is_some_and(|x| x.eq_ignore_ascii_case("txt"))
                        })
                        .filter_map(|e| e.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
