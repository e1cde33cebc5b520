//! `chorus train`: learn a theme (and sentiment) model from labelled comments, report its cross-validated
//! scores and write the model file; `chorus train --describe MODEL` prints what a model file says.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chorus_index::Store;
use chorus_pipeline::training::{CorrectedData, combine, corrected_data};
use chorus_themes::model::{
    LabelColumns, LabelSpec, LabelledData, ModelHeader, ThemeModel, TrainOptions, read_labelled,
    train,
};
use serde::Serialize;

use crate::display::n;

/// Train a theme (and sentiment) model from labelled comments.
///
/// Each row of FILE (CSV or TSV) is a comment with one column per label holding 1 where the label applies
/// (0 or blank where not). The model learns every label with at least one example, using the words,
/// their characters and the question asked; the summary gives each label's cross-validated F1 and the
/// micro and macro F1 (rows of one respondent stay in one fold). Apply the model with `chorus themes
/// --store DIR --model MODEL`.
///
/// Example (the national v6 framework): `chorus train fft-v6-dev.csv --text-column "FFT answer"
/// --label-columns-after "Comment sentiment" --question-column "FFT question" --sentiment-column
/// "Comment sentiment" -o v6.model`
///
/// With `--store DIR` the labelled comments are those people corrected in `chorus serve`: a comment
/// counts when a person added or removed one of its themes of the store's model (of its codebook if it
/// was themed without a model); its themes of that source after the corrections are its labels, and
/// its sentiment is learnt where a person set it. Comments where only the sentiment, a touchpoint or
/// the quote mark was corrected do not count. At least 10 labelled comments are needed (6 with
/// `--folds 0`). With FILE too, the corrected comments are added to the file's rows, their themes
/// joining the file's label columns of the same name: `chorus train --store feedback -o v2.model`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The labelled comments (CSV or TSV).
    #[arg(value_name = "FILE", required_unless_present_any = ["describe", "store"])]
    file: Option<PathBuf>,
    /// Learn from the comments people corrected in this store (with FILE: as well as its rows).
    ///
    /// A comment counts as labelled when a person added or removed one of its themes of the store's
    /// model (of its codebook if the store was themed without a model) in `chorus serve`: its themes
    /// of that source after the corrections are its labels, and its sentiment is learnt where a
    /// person set it. Comments where only the sentiment, a touchpoint or the quote mark was corrected
    /// do not count. At least 10 labelled comments are needed (6 with --folds 0). With FILE, they are
    /// added to the file's rows, their themes joining the file's label columns of the same name.
    #[arg(long, value_name = "DIR", conflicts_with = "describe")]
    store: Option<PathBuf>,
    /// The column of FILE holding the comment text.
    #[arg(long, value_name = "NAME", requires = "file")]
    text_column: Option<String>,
    /// Every column after this one is a label (a one-hot block at the end of the file).
    #[arg(long, value_name = "NAME", conflicts_with = "label_column")]
    label_columns_after: Option<String>,
    /// A label column (repeat, or give several names).
    #[arg(long = "label-column", value_name = "NAME", num_args = 1..)]
    label_column: Vec<String>,
    /// The column holding the question each comment answers (recommended: its kind is a feature).
    #[arg(long, value_name = "NAME")]
    question_column: Option<String>,
    /// Also learn sentiment from this column: 1–5 (1 very positive, 3 neither or mixed, 5 very
    /// negative) or positive / neutral / mixed / negative; blank cells are not used for sentiment.
    #[arg(long, value_name = "NAME")]
    sentiment_column: Option<String>,
    /// Rows with the same value here stay in one cross-validation fold (default: a "Respondent ID" column
    /// if there is one).
    #[arg(long, value_name = "NAME")]
    group_column: Option<String>,
    /// Where to write the model.
    #[arg(
        long,
        short,
        value_name = "MODEL",
        required_unless_present = "describe"
    )]
    output: Option<PathBuf>,
    /// Cross-validation folds for the reported scores (0: train without cross-validating).
    #[arg(long, value_name = "N", default_value_t = 5)]
    folds: usize,
    /// Seed of every shuffle: the same seed and file give the same model.
    #[arg(long, value_name = "N", default_value_t = 42)]
    seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Print what a model file says about itself (labels, training data, scores) and exit.
    #[arg(long, value_name = "MODEL", conflicts_with_all = ["file", "output"])]
    describe: Option<PathBuf>,
}

/// What `chorus train --json` prints.
#[derive(Debug, Serialize)]
struct TrainOutput<'a> {
    output: String,
    bytes: u64,
    seconds: f64,
    model: &'a ModelHeader,
}

/// Runs `chorus train`.
pub fn run_train(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let json = args.json;
    if let Some(path) = &args.describe {
        let header = ThemeModel::describe(path)?;
        if args.json {
            crate::display::print(&format!("{}\n", serde_json::to_string_pretty(&header)?))?;
        } else {
            crate::display::print(&describe(&header))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(output) = args.output.clone() else {
        anyhow::bail!("chorus train needs -o MODEL (or --describe MODEL)");
    };
    let options = TrainOptions {
        folds: args.folds,
        seed: args.seed,
        ..TrainOptions::default()
    };
    let started = Instant::now();
    let (data, from) = training_data(args, &options)?;
    let model = train(&data, &options).with_context(|| format!("training on {from}"))?;
    model.save(&output)?;
    let bytes = std::fs::metadata(&output).map_or(0, |m| m.len());
    let seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    let header = model.header();
    if json {
        let summary = TrainOutput {
            output: output.display().to_string(),
            bytes,
            seconds,
            model: header,
        };
        crate::display::print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    } else {
        let mut out = describe(header);
        let _ = writeln!(
            out,
            "\nmodel written to {} ({:.1} MB) in {:.1} s; apply it with `chorus themes --store DIR --model {}`",
            output.display(),
            bytes as f64 / 1e6,
            seconds,
            output.display()
        );
        crate::display::print(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The labelled comments of FILE, of the store's corrections, or of both; and what they are, for
/// messages.
fn training_data(
    args: TrainArgs,
    options: &TrainOptions,
) -> anyhow::Result<(LabelledData, String)> {
    let corrected = match &args.store {
        // Alone, the store's comments must be enough to train on; with FILE, any number adds to it.
        Some(dir) => Some(store_data(dir, args.file.is_none().then_some(options))?),
        None => None,
    };
    let Some(file) = args.file else {
        let (data, from) = corrected.context("chorus train needs FILE or --store DIR")?;
        return Ok((data.data, from));
    };
    let Some(text_column) = args.text_column else {
        anyhow::bail!(
            "say which column of {} holds the comment text: --text-column NAME",
            file.display()
        );
    };
    let labels = match (args.label_columns_after, args.label_column.is_empty()) {
        (Some(after), _) => LabelColumns::After(after),
        (None, false) => LabelColumns::Named(args.label_column),
        (None, true) => anyhow::bail!(
            "say which columns are labels: --label-columns-after NAME (every column after NAME) or --label-column NAME..."
        ),
    };
    let spec = LabelSpec {
        text_column,
        labels,
        question_column: args.question_column,
        sentiment_column: args.sentiment_column,
        group_column: args.group_column,
    };
    let data = read_labelled(&file, &spec)?;
    Ok(match corrected {
        None => (data, file.display().to_string()),
        Some((corrected, from)) => (
            combine(data, corrected),
            format!("{} and {from}", file.display()),
        ),
    })
}

/// The store's corrected comments as training data, refused when there are none (or, given the
/// options they will be trained with alone, too few).
fn store_data(dir: &Path, alone: Option<&TrainOptions>) -> anyhow::Result<(CorrectedData, String)> {
    let store = Store::open(dir).with_context(|| format!("opening the store {}", dir.display()))?;
    let corrected = corrected_data(&store)?;
    let from = format!("the corrected comments of {}", dir.display());
    if corrected.data.examples.is_empty() {
        anyhow::bail!(
            "no comment of {} has {} themes corrected by a person{}: in `chorus serve {}`, add or remove themes on comments, then train again",
            dir.display(),
            corrected.source,
            match corrected.not_labelled {
                0 => String::new(),
                n => format!(
                    " ({n} corrected comments changed only sentiment, touchpoints or quote marks)"
                ),
            },
            dir.display()
        );
    }
    let needed = alone.map_or(0, |o| 2 * o.folds.max(o.inner_folds));
    let labelled = corrected.data.examples.len();
    if labelled < needed {
        anyhow::bail!(
            "only {labelled} comment{} of {} {} {} themes corrected by a person, too few to train on: at least {needed} are needed{}; correct more in `chorus serve {}`, or add them to a labelled FILE",
            if labelled == 1 { "" } else { "s" },
            dir.display(),
            if labelled == 1 {
                "has its"
            } else {
                "have their"
            },
            corrected.source,
            if alone.is_some_and(|o| o.folds > 0) {
                " (fewer with --folds 0)"
            } else {
                ""
            },
            dir.display()
        );
    }
    Ok((corrected, from))
}

/// A human summary of a model: training data, labels with their scores, cross-validation.
fn describe(h: &ModelHeader) -> String {
    let mut out = String::new();
    let t = &h.training;
    let _ = writeln!(
        out,
        "{} (format {} version {}, {}, text analyzer {})",
        t.file, h.format, h.version, h.created_by, h.analyzer_version
    );
    let skipped: u64 = t.skipped.iter().map(|s| s.rows).sum();
    let _ = writeln!(
        out,
        "rows: {} read, {} used, {} skipped",
        n(t.rows_read),
        n(t.rows_used),
        n(skipped)
    );
    for s in &t.skipped {
        let _ = writeln!(out, "  {} skipped: {}", n(s.rows), s.reason);
    }
    let kinds: Vec<String> = t
        .question_kinds
        .iter()
        .map(|(k, c)| format!("{k} {}", n(*c)))
        .collect();
    let _ = writeln!(out, "question kinds: {}", kinds.join(", "));
    let themes = h.labels.iter().filter(|l| l.theme).count();
    let _ = writeln!(
        out,
        "labels: {} trained ({} themes, {} meaning no theme){}",
        h.labels.len(),
        themes,
        h.labels.len() - themes,
        if t.untrained_labels.is_empty() {
            String::new()
        } else {
            format!(
                "; not trained (no examples): {}",
                t.untrained_labels.join(", ")
            )
        }
    );
    let v = &h.features.vocabulary;
    let _ = writeln!(
        out,
        "features: {} words, {} character n-grams, {} question kinds, {} question × word",
        n(v.words as u64),
        n(v.chars as u64),
        v.questions,
        n(v.question_words as u64)
    );
    if let Some(cv) = &h.cv {
        let _ = writeln!(
            out,
            "cross-validation ({} folds{}, {} labels with at least {} examples): micro F1 {:.3} (precision {:.3}, recall {:.3}), macro F1 {:.3}",
            cv.folds,
            cv.grouped_by
                .as_deref()
                .map_or(String::new(), |g| format!(" grouped by {g}")),
            cv.evaluated_labels,
            cv.min_positives,
            cv.micro_f1,
            cv.micro_precision,
            cv.micro_recall,
            cv.macro_f1
        );
    }
    if let Some(s) = &h.sentiment {
        let classes: Vec<&str> = s.classes.iter().map(|c| c.as_str()).collect();
        let accuracy =
            h.cv.as_ref()
                .and_then(|cv| cv.sentiment_accuracy)
                .map_or(String::new(), |a| {
                    format!(", cross-validated accuracy {a:.3}")
                });
        let _ = writeln!(
            out,
            "sentiment: {} labelled comments, classes {}, C {}{accuracy}",
            n(s.rows),
            classes.join(" / "),
            s.c
        );
    }
    let names: Vec<String> = h
        .labels
        .iter()
        .map(|l| {
            if l.theme {
                l.name.clone()
            } else {
                format!("{} (no theme)", l.name)
            }
        })
        .collect();
    let width = names
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "\n  {:<width$}  {:>8}  {:>9}  {:>6}  {:>9}  {:>6}",
        "label", "examples", "threshold", "F1", "precision", "recall"
    );
    for (l, name) in h.labels.iter().zip(&names) {
        let (f1, p, r) =
            l.cv.map_or(("-".to_owned(), "-".to_owned(), "-".to_owned()), |s| {
                (
                    format!("{:.3}", s.f1),
                    format!("{:.3}", s.precision),
                    format!("{:.3}", s.recall),
                )
            });
        let _ = writeln!(
            out,
            "  {name:<width$}  {:>8}  {:>9.3}  {f1:>6}  {p:>9}  {r:>6}",
            n(l.positives as u64),
            l.threshold,
        );
    }
    out
}
