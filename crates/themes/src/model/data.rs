//! Reading labelled comments for training from a CSV or TSV file: which columns hold the text, the
//! labels, the question, the sentiment and the respondent, and every row checked with its line number.

use std::path::{Path, PathBuf};

use chorus_core::{QuestionKind, SentimentLabel};
use chorus_ingest::normalise_header;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Which columns are labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelColumns {
    /// Every column after the one named (a one-hot block at the end of the file, as in the v6 set).
    After(String),
    /// The columns named, in this order.
    Named(Vec<String>),
}

/// Which columns of a training file mean what.
#[derive(Debug, Clone)]
pub struct LabelSpec {
    /// The comment text.
    pub text_column: String,
    /// The label columns: 1 where the label applies, 0 or blank where not.
    pub labels: LabelColumns,
    /// The question each comment answers (its kind is a feature); without it every comment counts as
    /// answering an unknown question.
    pub question_column: Option<String>,
    /// Sentiment to learn: 1–5 with 1 very positive (3, neither or mixed, folds to neutral), or the words
    /// positive, neutral, mixed, negative; blank where not labelled.
    pub sentiment_column: Option<String>,
    /// Rows with the same value here (a respondent's answers to two questions) are kept in the same
    /// cross-validation fold. Default: a column called "Respondent ID" or "Respondent" if there is one,
    /// else every row alone.
    pub group_column: Option<String>,
}

/// One labelled comment.
#[derive(Debug, Clone)]
pub struct Example {
    /// The text.
    pub text: String,
    /// The question it answers.
    pub question_kind: QuestionKind,
    /// The labels that apply, as indices into [`LabelledData::label_names`], ascending.
    pub labels: Vec<u16>,
    /// Its sentiment, where labelled.
    pub sentiment: Option<SentimentLabel>,
    /// Its cross-validation group.
    pub group: String,
    /// The line of the file it came from (0 when made in code).
    pub line: u64,
}

/// Rows left out of training, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Why.
    pub reason: String,
    /// How many rows.
    pub rows: u64,
}

/// The labelled comments of a training file.
#[derive(Debug, Clone)]
pub struct LabelledData {
    /// The file (or a name for data made in code).
    pub path: PathBuf,
    /// The label names, from the headers.
    pub label_names: Vec<String>,
    /// The comments used.
    pub examples: Vec<Example>,
    /// Data rows in the file.
    pub rows_read: u64,
    /// Rows not used, by reason.
    pub skipped: Vec<Skipped>,
    /// The columns used, by role, for the model's description.
    pub columns: UsedColumns,
}

/// The columns a training run used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedColumns {
    /// The text column.
    pub text: String,
    /// The question column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The sentiment column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<String>,
    /// The grouping column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl LabelledData {
    /// Labelled data made in code (tests, evaluations): every example used, none skipped.
    pub fn new(name: &str, label_names: Vec<String>, examples: Vec<Example>) -> LabelledData {
        LabelledData {
            path: PathBuf::from(name),
            label_names,
            rows_read: examples.len() as u64,
            examples,
            skipped: Vec::new(),
            columns: UsedColumns::default(),
        }
    }

    /// The file name without its folder, as recorded in a model.
    pub fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Whether any example has a sentiment label.
    pub fn has_sentiment(&self) -> bool {
        self.examples.iter().any(|e| e.sentiment.is_some())
    }
}

const NO_COMMENT: &str = "no comment (blank, or a placeholder such as \"Did not answer\")";

/// Reads the labelled comments of a CSV or TSV file (UTF-8 with or without a byte-order mark, UTF-16
/// with one, or Windows-1252). Rows whose text is blank or a placeholder ("Did not answer") are skipped and
/// counted (by `chorus ingest`'s placeholder rules); a label or sentiment cell that cannot be read stops the reading with its line and column.
pub fn read_labelled(path: &Path, spec: &LabelSpec) -> Result<LabelledData, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    let Some((_, text)) = chorus_ingest::decode_whole(&bytes) else {
        return Err(Error::TrainingSyntax {
            path: path.to_owned(),
            line: 1,
            message:
                "the file is not text in UTF-8, UTF-16 or Windows-1252: save it as CSV (UTF-8)"
                    .to_owned(),
        });
    };
    let delimiter = delimiter(path, &text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let syntax = |e: csv::Error| Error::TrainingSyntax {
        path: path.to_owned(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(syntax)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let find = |name: &str, role: &'static str| -> Result<usize, Error> {
        find_column(&headers, name).ok_or_else(|| Error::MissingColumn {
            path: path.to_owned(),
            column: name.to_owned(),
            role,
            available: headers.clone(),
        })
    };
    let text_col = find(&spec.text_column, "--text-column")?;
    let label_cols: Vec<usize> = match &spec.labels {
        LabelColumns::After(name) => {
            let after = find(name, "--label-columns-after")?;
            (after + 1..headers.len()).collect()
        }
        LabelColumns::Named(names) => names
            .iter()
            .map(|n| find(n, "--label-column"))
            .collect::<Result<_, _>>()?,
    };
    if label_cols.is_empty() {
        return Err(Error::Data {
            path: path.to_owned(),
            message: "no label columns: name them with --label-column, or give the column before them with --label-columns-after".to_owned(),
        });
    }
    if let Some(&c) = label_cols.iter().find(|&&c| c == text_col) {
        return Err(Error::Options(format!(
            "the text column `{}` cannot also be a label column",
            headers[c]
        )));
    }
    let question_col = spec
        .question_column
        .as_deref()
        .map(|n| find(n, "--question-column"))
        .transpose()?;
    let sentiment_col = spec
        .sentiment_column
        .as_deref()
        .map(|n| find(n, "--sentiment-column"))
        .transpose()?;
    let group_col = match &spec.group_column {
        Some(n) => Some(find(n, "--group-column")?),
        None => headers.iter().position(|h| {
            matches!(
                normalise_header(h).as_str(),
                "respondent id" | "respondent" | "respondentid"
            )
        }),
    };

    let mut examples = Vec::new();
    let mut rows_read = 0u64;
    let mut no_comment = 0u64;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(syntax(e)),
        }
        rows_read += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |c: usize| record.get(c).unwrap_or("");
        let question_kind =
            question_col.map_or(QuestionKind::Other, |c| QuestionKind::classify(cell(c)));
        let text = cell(text_col);
        // Placeholders only: a bare "Nothing" to a why-question is stored as no comment by ingest, but
        // here it is a labelled row ("Labelling not possible") that teaches the model what says nothing.
        if chorus_ingest::is_placeholder(text) {
            no_comment += 1;
            continue;
        }
        let cell_error = |c: usize, message: String| Error::Cell {
            path: path.to_owned(),
            line,
            column: headers[c].clone(),
            message,
        };
        let mut labels = Vec::new();
        for (k, &c) in label_cols.iter().enumerate() {
            match cell(c).trim() {
                "" | "0" | "0.0" => {}
                "1" | "1.0" => labels.push(k as u16),
                other => {
                    return Err(cell_error(
                        c,
                        format!(
                            "`{other}` is not a label value: use 1 where the label applies, 0 or blank where not"
                        ),
                    ));
                }
            }
        }
        let sentiment = match sentiment_col {
            Some(c) => parse_sentiment(cell(c)).map_err(|m| cell_error(c, m))?,
            None => None,
        };
        examples.push(Example {
            text: text.trim().to_owned(),
            question_kind,
            labels,
            sentiment,
            group: group_col.map_or_else(|| format!("line {line}"), |c| cell(c).to_owned()),
            line,
        });
    }
    let skipped = if no_comment > 0 {
        vec![Skipped {
            reason: NO_COMMENT.to_owned(),
            rows: no_comment,
        }]
    } else {
        Vec::new()
    };
    Ok(LabelledData {
        path: path.to_owned(),
        label_names: label_cols.iter().map(|&c| headers[c].clone()).collect(),
        examples,
        rows_read,
        skipped,
        columns: UsedColumns {
            text: headers[text_col].clone(),
            question: question_col.map(|c| headers[c].clone()),
            sentiment: sentiment_col.map(|c| headers[c].clone()),
            group: group_col.map(|c| headers[c].clone()),
        },
    })
}

/// A header by exact name, else by name ignoring case, spaces and punctuation.
fn find_column(headers: &[String], name: &str) -> Option<usize> {
    let name = name.trim();
    headers.iter().position(|h| h == name).or_else(|| {
        let wanted = normalise_header(name);
        headers.iter().position(|h| normalise_header(h) == wanted)
    })
}

/// A sentiment cell: FFT-style 1–5 (1 very positive), or words.
fn parse_sentiment(cell: &str) -> Result<Option<SentimentLabel>, String> {
    let value = cell.trim().to_lowercase();
    Ok(Some(match value.as_str() {
        "" => return Ok(None),
        "1" | "2" | "1.0" | "2.0" | "positive" | "very positive" => SentimentLabel::Positive,
        // The v6 scale's 3 is "neither or mixed": it cannot tell the two apart, so neither can the model.
        "3" | "3.0" | "neutral" => SentimentLabel::Neutral,
        "mixed" => SentimentLabel::Mixed,
        "4" | "5" | "4.0" | "5.0" | "negative" | "very negative" => SentimentLabel::Negative,
        _ => {
            return Err(format!(
                "`{}` is not a sentiment: use 1–5 (1 very positive, 3 neither or mixed, 5 very negative), or positive, neutral, mixed or negative",
                cell.trim()
            ));
        }
    }))
}

/// Tab for `.tsv`/`.tab` files, else whichever of comma, tab and semicolon the header line has most of.
fn delimiter(path: &Path, text: &str) -> u8 {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("tsv" | "tab")) {
        return b'\t';
    }
    let header = text.lines().next().unwrap_or("");
    let count = |d: char| header.matches(d).count();
    let (comma, tab, semicolon) = (count(','), count('\t'), count(';'));
    if tab > comma && tab >= semicolon {
        b'\t'
    } else if semicolon > comma {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LabelSpec {
        LabelSpec {
            text_column: "Comment".into(),
            labels: LabelColumns::After("Sentiment".into()),
            question_column: Some("Question".into()),
            sentiment_column: Some("Sentiment".into()),
            group_column: None,
        }
    }

    fn read(contents: &str, spec: &LabelSpec) -> Result<LabelledData, Error> {
        let dir = std::env::temp_dir().join(format!("chorus-model-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!(
            "{:x}.csv",
            super::super::features::mix(contents.len() as u64)
        ));
        std::fs::write(&path, contents).expect("write");
        let result = read_labelled(&path, spec);
        let _ = std::fs::remove_file(&path);
        result
    }

    #[test]
    fn rows_are_read_with_labels_sentiment_and_groups() {
        let data = read(
            "Respondent ID,Question,Comment,Sentiment,Staff,Waiting\n\
             r1,FFT Why?,Lovely staff,1,1,\n\
             r1,How could we improve?,Nothing,2,0,0\n\
             r2,FFT Why?,Did not answer,,,\n\
             r3,FFT Why?,Waited hours,5,,1\n",
            &spec(),
        )
        .expect("reads");
        assert_eq!(data.label_names, ["Staff", "Waiting"]);
        assert_eq!(data.rows_read, 4);
        assert_eq!(data.examples.len(), 3);
        assert_eq!(data.skipped[0].rows, 1);
        let e = &data.examples[0];
        assert_eq!(
            (e.labels.as_slice(), e.sentiment),
            (&[0u16][..], Some(SentimentLabel::Positive))
        );
        assert_eq!(e.group, "r1");
        assert_eq!(data.examples[1].question_kind, QuestionKind::Improve);
        assert_eq!(data.examples[2].labels, [1]);
        assert_eq!(data.examples[2].line, 5);
        assert_eq!(data.columns.group.as_deref(), Some("Respondent ID"));
    }

    #[test]
    fn a_bad_label_cell_names_its_line_and_column() {
        let error =
            read("Question,Comment,Sentiment,Staff\nWhy?,ok,1,yes\n", &spec()).expect_err("fails");
        let message = error.to_string();
        assert!(
            message.contains(":2: column `Staff`: `yes` is not a label value"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_column_lists_the_columns() {
        let mut s = spec();
        s.text_column = "Text".into();
        let message = read("Question,Comment,Sentiment,Staff\n", &s)
            .expect_err("fails")
            .to_string();
        assert!(
            message.contains("no column named `Text` (for --text-column)"),
            "{message}"
        );
        assert!(
            message.contains("`Question`, `Comment`, `Sentiment`, `Staff`"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_sentiment_is_reported() {
        let message = read(
            "Question,Comment,Sentiment,Staff\nWhy?,ok,great,1\n",
            &spec(),
        )
        .expect_err("fails")
        .to_string();
        assert!(
            message.contains("column `Sentiment`: `great` is not a sentiment"),
            "{message}"
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter(Path::new("x.csv"), "a\tb\tc\n"), b'\t');
        assert_eq!(delimiter(Path::new("x.csv"), "a;b;c\n"), b';');
        assert_eq!(delimiter(Path::new("x.txt"), "a,\"b;c\"\n"), b',');
    }
}
