//! Every comment with its annotations, for analysis elsewhere: JSON lines (one object per comment) or
//! CSV (one formula-safe row per comment, one column per attribute). [`JsonlExport`] and [`CsvExport`]
//! take comments one at a time, so an export streams through a store of any size.

use std::io::Write;

use chorus_core::{Attributes, Comment, Date};
use serde::Serialize;

use crate::{clauses, escape};

/// Which comments to export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// First day (inclusive); comments without a date are left out when set.
    pub from: Option<Date>,
    /// Last day (inclusive); comments without a date are left out when set.
    pub to: Option<Date>,
    /// Only this service (case-insensitive).
    pub service: Option<String>,
}

impl ExportFilter {
    /// Whether a comment passes.
    pub fn accepts(&self, comment: &Comment) -> bool {
        if let Some(service) = &self.service {
            let matches = comment
                .service
                .as_deref()
                .is_some_and(|s| s.trim().to_lowercase() == service.trim().to_lowercase());
            if !matches {
                return false;
            }
        }
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        match comment.date {
            None => false,
            Some(d) => self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t),
        }
    }
}

/// One exported comment, as a JSON object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportRecord<'a> {
    /// The comment id.
    pub id: &'a str,
    /// The respondent.
    pub respondent: &'a str,
    /// The redacted text (empty for a blank answer).
    pub text: &'a str,
    /// The respondent left the question blank.
    pub no_comment: bool,
    /// The question answered.
    pub question: &'a str,
    /// The question's kind (`why`, `what_was_good`, `improve`, `other`).
    pub question_kind: &'static str,
    /// `YYYY-MM-DD`, or null.
    pub date: Option<Date>,
    /// The service, or null.
    pub service: Option<&'a str>,
    /// The organisation, or null.
    pub organisation: Option<&'a str>,
    /// The FFT code 1–6, or null when not given.
    pub score: Option<u8>,
    /// The FFT answer in words.
    pub score_label: &'static str,
    /// Text sentiment, or null before theming.
    pub sentiment: Option<ExportSentiment>,
    /// Touchpoints in journey order.
    pub touchpoints: Vec<ExportTouchpoint<'a>>,
    /// Themes from every source.
    pub themes: Vec<ExportTheme<'a>>,
    /// The discovered cluster, or null.
    pub discovered_theme: Option<u32>,
    /// Text and score disagree.
    pub discordant: bool,
    /// The export's other columns (age band, ethnicity, ward…), by name.
    pub attributes: &'a Attributes,
    /// The comment's clauses, each with its words and labels (empty before theming), so a reader sees
    /// why a comment is both praise and complaint.
    pub clauses: Vec<ExportClause<'a>>,
    /// The comment's text, to read the clauses' words from.
    #[serde(skip)]
    comment: &'a Comment,
}

/// One clause of an exported comment, with the fields `chorus search --json` gives a clause.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportClause<'a> {
    /// The clause's words, as in the text.
    pub text: &'a str,
    /// How the clause feels.
    pub sentiment: &'static str,
    /// Touchpoint ids it speaks about, in journey order.
    pub touchpoints: Vec<&'a str>,
    /// Codebook themes matched in it.
    pub themes: Vec<&'a str>,
}

/// Sentiment label and score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportSentiment {
    /// `positive`, `neutral`, `mixed` or `negative`.
    pub label: &'static str,
    /// −1 to 1.
    pub score: f32,
}

/// A touchpoint mention.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportTouchpoint<'a> {
    /// Touchpoint id.
    pub id: &'a str,
    /// Sentiment of the mention.
    pub sentiment: &'static str,
}

/// A theme assignment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportTheme<'a> {
    /// Theme name.
    pub name: &'a str,
    /// `codebook`, `model` or `discovered`.
    pub source: &'static str,
    /// 0–1.
    pub confidence: f32,
    /// Sentiment towards the theme.
    pub sentiment: &'static str,
}

impl<'a> ExportRecord<'a> {
    /// The record of one comment.
    pub fn new(c: &'a Comment) -> ExportRecord<'a> {
        let a = c.annotations.as_ref();
        ExportRecord {
            id: &c.id,
            respondent: &c.respondent,
            text: &c.text,
            no_comment: c.no_comment,
            question: &c.question,
            question_kind: c.question_kind().slug(),
            date: c.date,
            service: c.service.as_deref(),
            organisation: c.organisation.as_deref(),
            score: c.score.code(),
            score_label: c.score.label(),
            sentiment: a.map(|a| ExportSentiment {
                label: a.sentiment.label.as_str(),
                score: a.sentiment.score,
            }),
            touchpoints: a
                .map(|a| {
                    a.touchpoints
                        .iter()
                        .map(|t| ExportTouchpoint {
                            id: &t.id,
                            sentiment: t.sentiment.as_str(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            themes: a
                .map(|a| {
                    a.themes
                        .iter()
                        .map(|t| ExportTheme {
                            name: &t.name,
                            source: t.source.as_str(),
                            confidence: t.confidence,
                            sentiment: t.sentiment.as_str(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            discovered_theme: a.and_then(|a| a.discovered_theme),
            discordant: a.is_some_and(|a| a.discordant),
            attributes: &c.attributes,
            clauses: a.map_or_else(Vec::new, |a| {
                a.clauses
                    .iter()
                    .map(|k| ExportClause {
                        text: k.text(&c.text),
                        sentiment: k.sentiment.as_str(),
                        touchpoints: k.touchpoints.iter().map(|t| &**t).collect(),
                        themes: k.themes.iter().map(|t| &**t).collect(),
                    })
                    .collect()
            }),
            comment: c,
        }
    }

    /// The clauses in the readable form of [`clauses::readable`]: `words [labels] | words [labels]`.
    pub fn readable_clauses(&self) -> String {
        self.comment
            .annotations
            .as_ref()
            .map_or_else(String::new, |a| {
                clauses::readable(&self.comment.text, &a.clauses)
            })
    }
}

/// JSON lines, one comment at a time. As in the report's JSON, `<`, `>` and `&` are written as unicode
/// escapes.
#[derive(Debug)]
pub struct JsonlExport<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> JsonlExport<W> {
    /// An export into `out`.
    pub fn new(out: W) -> JsonlExport<W> {
        JsonlExport { out, written: 0 }
    }

    /// Writes one comment's line.
    pub fn write(&mut self, comment: &Comment) -> std::io::Result<()> {
        let line = serde_json::to_string(&ExportRecord::new(comment))?;
        self.out
            .write_all(crate::json::html_safe(&line).as_bytes())?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        Ok(())
    }

    /// Flushes and returns how many comments were written.
    pub fn finish(mut self) -> std::io::Result<u64> {
        self.out.flush()?;
        Ok(self.written)
    }
}

/// Writes one JSON object per line for every comment the filter accepts, in the given order; returns
/// how many were written.
pub fn write_jsonl<W: Write>(
    comments: &[Comment],
    filter: &ExportFilter,
    out: &mut W,
) -> std::io::Result<u64> {
    let mut export = JsonlExport::new(out);
    for c in comments.iter().filter(|c| filter.accepts(c)) {
        export.write(c)?;
    }
    export.finish()
}

/// The CSV columns of [`CsvExport`] before the attribute columns.
pub const CSV_HEADER: [&str; 18] = [
    "id",
    "respondent",
    "question",
    "question_kind",
    "date",
    "service",
    "organisation",
    "score",
    "score_label",
    "no_comment",
    "text",
    "sentiment",
    "sentiment_score",
    "touchpoints",
    "themes",
    "discovered_theme",
    "discordant",
    "clauses",
];

/// CSV, one row per comment (UTF-8 with a byte-order mark): the [`CSV_HEADER`] columns, then one
/// column per attribute name given (empty where a comment has no value). Lists are joined with `; `
/// (`waiting:negative`, `Staff attitude (codebook, 1.00)`); the clauses are in the readable form of
/// [`clauses::readable`] (`The staff were great [positive: Staff attitude] | but I couldn't get parked
/// [negative: travel]`), so a filter on "negative: travel" finds them. Every text cell is neutralised
/// against formula injection.
#[derive(Debug)]
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
    attributes: Vec<String>,
    written: u64,
}

impl<W: Write> CsvExport<W> {
    /// An export into `out` with these attribute columns; writes the byte-order mark and the header.
    pub fn new(mut out: W, attributes: Vec<String>) -> Result<CsvExport<W>, csv::Error> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(header(&attributes))?;
        Ok(CsvExport {
            writer,
            attributes,
            written: 0,
        })
    }

    /// Writes one comment's row.
    pub fn write(&mut self, comment: &Comment) -> Result<(), csv::Error> {
        self.writer
            .write_record(row(&ExportRecord::new(comment), &self.attributes))?;
        self.written += 1;
        Ok(())
    }

    /// Flushes and returns how many rows were written.
    pub fn finish(mut self) -> Result<u64, csv::Error> {
        self.writer.flush()?;
        Ok(self.written)
    }
}

/// The attribute names of `comments`, sorted: the attribute columns of a CSV export.
pub fn attribute_names<'c>(comments: impl IntoIterator<Item = &'c Comment>) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for c in comments {
        for name in c.attributes.names() {
            if !names.contains(name) {
                names.insert(name.to_owned());
            }
        }
    }
    names.into_iter().collect()
}

/// Writes one CSV row per accepted comment ([`CsvExport`], with a column for every attribute they
/// have). Returns how many rows were written.
pub fn write_csv<W: Write>(
    comments: &[Comment],
    filter: &ExportFilter,
    out: &mut W,
) -> Result<u64, csv::Error> {
    let accepted = || comments.iter().filter(|c| filter.accepts(c));
    let mut export = CsvExport::new(out, attribute_names(accepted()))?;
    for c in accepted() {
        export.write(c)?;
    }
    export.finish()
}

/// The same rows as [`write_csv`], as an Excel workbook of one sheet ("Comments"), every text cell
/// neutralised against formula injection. Returns the file's bytes and how many rows it holds.
pub fn xlsx_bytes(
    comments: &[Comment],
    filter: &ExportFilter,
) -> Result<(Vec<u8>, u64), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Comments")?;
    let bold = Format::new().set_bold();
    let attributes = attribute_names(comments.iter().filter(|c| filter.accepts(c)));
    for (col, name) in header(&attributes).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &bold)?;
    }
    let mut n = 0u64;
    for c in comments.iter().filter(|c| filter.accepts(c)) {
        n += 1;
        for (col, cell) in row(&ExportRecord::new(c), &attributes).iter().enumerate() {
            // Excel holds at most 32,767 characters in a cell.
            let cell: String = cell.chars().take(32_767).collect();
            sheet.write_string(n as u32, col as u16, &cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok((book.save_to_buffer()?, n))
}

fn header(attributes: &[String]) -> Vec<String> {
    CSV_HEADER
        .iter()
        .map(|h| h.to_string())
        .chain(
            attributes
                .iter()
                .map(|a| escape::spreadsheet(a).into_owned()),
        )
        .collect()
}

/// One comment's cells, as [`write_csv`] writes them.
fn row(r: &ExportRecord<'_>, attributes: &[String]) -> Vec<String> {
    let text = |s: &str| escape::spreadsheet(s).into_owned();
    let touchpoints = r
        .touchpoints
        .iter()
        .map(|t| format!("{}:{}", t.id, t.sentiment))
        .collect::<Vec<_>>()
        .join("; ");
    let themes = r
        .themes
        .iter()
        .map(|t| format!("{} ({}, {:.2})", t.name, t.source, t.confidence))
        .collect::<Vec<_>>()
        .join("; ");
    let mut cells = vec![
        text(r.id),
        text(r.respondent),
        text(r.question),
        r.question_kind.to_string(),
        r.date.map(|d| d.to_string()).unwrap_or_default(),
        text(r.service.unwrap_or("")),
        text(r.organisation.unwrap_or("")),
        r.score.map(|s| s.to_string()).unwrap_or_default(),
        r.score_label.to_string(),
        r.no_comment.to_string(),
        text(r.text),
        r.sentiment
            .as_ref()
            .map(|s| s.label.to_string())
            .unwrap_or_default(),
        r.sentiment
            .as_ref()
            .map(|s| format!("{:.3}", s.score))
            .unwrap_or_default(),
        text(&touchpoints),
        text(&themes),
        r.discovered_theme
            .map(|d| d.to_string())
            .unwrap_or_default(),
        r.discordant.to_string(),
        text(&r.readable_clauses()),
    ];
    cells.extend(
        attributes
            .iter()
            .map(|name| text(r.attributes.get(name).unwrap_or(""))),
    );
    cells
}
