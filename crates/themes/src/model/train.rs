//! Training: features → NB-scaled linear SVMs per label (and per sentiment class) → thresholds and
//! calibration from an inner cross-validation → a [`ThemeModel`]; and the outer cross-validation that
//! reports how well the method does on comments it has not seen.
//!
//! One *fit* on a set of training comments learns the vocabulary, runs an inner 3-fold cross-validation
//! (grouped by respondent) to get held-out scores for every training comment, chooses each label's
//! threshold and Platt calibration (and the sentiment `C`) from them, and trains the final SVMs on all
//! the training comments. The runs of a fit are independent and go in parallel; their results are
//! combined in a fixed order, so a seed gives the same model on any number of threads.

use std::collections::BTreeMap;

use chorus_core::{QuestionKind, SentimentLabel};
use rayon::prelude::*;
use serde::Serialize;

use super::cv::{self, LabelScore};
use super::data::LabelledData;
use super::features::{Csr, Extractor, RawDoc, Vocabulary};
use super::format::{
    self, ClassifierSettings, CvSummary, FeatureSettings, LabelInfo, ModelHeader, SentimentInfo,
    TrainingSummary,
};
use super::thresholds::{self, Counts, Platt};
use super::{ThemeModel, nb, svm};
use crate::Error;

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Outer cross-validation folds for the reported scores (0 or 1: no cross-validation).
    pub folds: usize,
    /// Seed of every shuffle.
    pub seed: u64,
    /// Labels with fewer positives than this are trained but left out of the reported macro and micro
    /// F1 (their F1 is too noisy to mean anything).
    pub min_positives: usize,
    /// SVM cost for the theme labels.
    pub c: f32,
    /// Costs tried for sentiment, chosen by the inner cross-validation.
    pub sentiment_c: Vec<f32>,
    /// Inner folds for thresholds, calibration and the sentiment cost.
    pub inner_folds: usize,
    /// Keep n-grams found in at least this many training comments. 2 drops the n-grams of a single
    /// comment (typos, names), which halves the model without changing its F1.
    pub min_df: u32,
    /// Solver passes over the training comments at most. The F1 of the v6 set is the same after 5 passes
    /// as after the 30 that full convergence takes, at a sixth of the time.
    pub max_epochs: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            folds: 5,
            seed: 42,
            min_positives: 5,
            c: 0.1,
            sentiment_c: vec![0.1, 0.2, 0.5, 1.0],
            inner_folds: 3,
            min_df: 2,
            max_epochs: 6,
        }
    }
}

/// Label names that mean "no theme applies": trained (they teach the model what an unthemed comment
/// looks like) but never given to a comment as a theme, and not counted in the F1 scores.
pub const NO_THEME_LABELS: &[&str] = &[
    "labelling not possible",
    "labeling not possible",
    "not assigned",
    "unassigned",
    "no theme",
    "none",
];

/// Whether a label name means "no theme applies".
pub fn is_no_theme_label(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    NO_THEME_LABELS.contains(&name.as_str())
}

/// Held-out scores of a cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    /// The summary stored in the model.
    pub summary: CvSummary,
    /// Each trained label's held-out scores, in the order of the trained labels.
    pub labels: Vec<LabelScore>,
    /// The trained labels' names.
    pub names: Vec<String>,
    /// Training positives of each trained label.
    pub positives: Vec<usize>,
}

/// What lanes a fit trains: one per trained label, then one per sentiment class for each candidate `C`.
#[derive(Debug, Clone)]
struct Layout {
    /// Data label index of each label lane.
    labels: Vec<usize>,
    /// Whether each label lane is a theme (not "Labelling not possible").
    themes: Vec<bool>,
    /// The sentiment classes, in [`SentimentLabel::ALL`] order.
    classes: Vec<SentimentLabel>,
    /// Candidate sentiment costs.
    sentiment_c: Vec<f32>,
    theme_c: f32,
}

impl Layout {
    /// Lanes used.
    fn used(&self) -> usize {
        self.labels.len() + self.classes.len() * self.sentiment_c.len()
    }

    /// Lanes including the padding the solver wants (padding lanes have target 0 and learn nothing).
    fn lanes(&self) -> usize {
        svm::padded(self.used())
    }

    fn costs(&self) -> Vec<f32> {
        let mut c = vec![self.theme_c; self.labels.len()];
        for &sc in &self.sentiment_c {
            c.extend(std::iter::repeat_n(sc, self.classes.len()));
        }
        c.resize(self.lanes(), 1.0);
        c
    }

    /// Row-major targets of examples `rows`.
    fn targets(&self, data: &LabelledData, rows: &[usize]) -> Vec<i8> {
        let lanes = self.lanes();
        let mut y = vec![-1i8; rows.len() * lanes];
        for (k, &r) in rows.iter().enumerate() {
            let e = &data.examples[r];
            let row = &mut y[k * lanes..(k + 1) * lanes];
            row[self.used()..].fill(0);
            for (lane, &label) in self.labels.iter().enumerate() {
                if e.labels.binary_search(&(label as u16)).is_ok() {
                    row[lane] = 1;
                }
            }
            let sentiment = &mut row[self.labels.len()..];
            for (m, _) in self.sentiment_c.iter().enumerate() {
                for (c, &class) in self.classes.iter().enumerate() {
                    sentiment[m * self.classes.len() + c] = match e.sentiment {
                        None => 0,
                        Some(s) if s == class => 1,
                        Some(_) => -1,
                    };
                }
            }
        }
        y
    }
}

/// What a fit learnt, and its scores for the comments it was asked to predict.
struct Fitted {
    vocabulary: Vocabulary,
    /// Label lanes then the chosen sentiment classes' lanes.
    weights: svm::Weights,
    thresholds: Vec<f32>,
    label_platt: Vec<Platt>,
    sentiment_c: Option<f32>,
    sentiment_platt: Vec<Platt>,
    /// Inner cross-validation accuracy of the chosen sentiment cost.
    sentiment_inner_accuracy: Option<f64>,
    /// Row-major scores (model lanes) of the `predict` examples.
    predicted: Vec<f32>,
    epochs: usize,
}

/// Held-out scores of an inner run: (position in the training set, score per lane).
type HeldOut = Vec<(usize, Vec<f32>)>;

/// Learns from `train` examples and scores `predict` examples.
fn fit(
    data: &LabelledData,
    docs: &[RawDoc],
    layout: &Layout,
    train: &[usize],
    predict: &[usize],
    options: &TrainOptions,
    seed: u64,
) -> Fitted {
    let vocabulary = Vocabulary::fit(docs, train, options.min_df);
    let all: Vec<usize> = train.iter().chain(predict).copied().collect();
    let x = Csr::build(&vocabulary, docs, &all);
    let lanes = layout.lanes();
    let labels = layout.labels.len();
    let y = layout.targets(data, train);
    let costs = layout.costs();
    let use_nb: Vec<bool> = (0..lanes).map(|l| l < labels).collect();
    let inner = group_folds_of(data, train, options.inner_folds, seed);

    // Trains on the rows of inner folds other than `leave_out` (all rows for `None`).
    let run = |leave_out: Option<usize>| {
        let local: Vec<usize> = (0..train.len())
            .filter(|&k| leave_out != Some(inner[k]))
            .collect();
        let y_run: Vec<i8> = local
            .iter()
            .flat_map(|&k| y[k * lanes..(k + 1) * lanes].iter().copied())
            .collect();
        let scale = nb::squared_ratios(&x, &local, &y_run, lanes, &use_nb, 1.0);
        let problem = svm::Problem {
            x: &x,
            rows: &local,
            y: &y_run,
            lanes,
            scale: &scale,
            c: &costs,
        };
        let run_seed = leave_out.map_or(0, |f| f as u64 + 1);
        let settings = svm::Settings {
            max_epochs: options.max_epochs,
            seed: seed ^ run_seed.wrapping_mul(0x9e37_79b9),
            ..svm::Settings::default()
        };
        svm::train(&problem, settings)
    };
    // The inner runs (each scoring the fold it left out) and the final run are independent.
    let (held_out, full): (Vec<HeldOut>, svm::Weights) = rayon::join(
        || {
            (0..options.inner_folds)
                .into_par_iter()
                .map(|f| {
                    let weights = run(Some(f));
                    (0..train.len())
                        .filter(|&k| inner[k] == f)
                        .map(|k| {
                            let mut s = vec![0.0; weights.stride];
                            weights.scores(&x, k, &mut s);
                            s.truncate(lanes);
                            (k, s)
                        })
                        .collect()
                })
                .collect()
        },
        || run(None),
    );
    let mut oof = vec![0.0f32; train.len() * lanes];
    for (k, s) in held_out.into_iter().flatten() {
        oof[k * lanes..(k + 1) * lanes].copy_from_slice(&s);
    }
    let epochs = full.epochs;

    // Thresholds and calibration of the labels from the held-out scores.
    let positives: Vec<usize> = (0..labels)
        .map(|l| (0..train.len()).filter(|&k| y[k * lanes + l] > 0).count())
        .collect();
    // The global threshold is the micro-F1 best over every label, "no theme" ones too, as in the method
    // this ports.
    let in_global = vec![true; labels];
    let (thresholds, _) = thresholds::choose(&oof, &y, lanes, labels, &positives, &in_global);
    let label_platt: Vec<Platt> = (0..labels)
        .map(|l| Platt::fit((0..train.len()).map(|k| (oof[k * lanes + l], y[k * lanes + l] > 0))))
        .collect();

    // The sentiment cost with the best held-out accuracy (the smaller on a tie: smoother).
    let classes = layout.classes.len();
    let mut chosen: Option<(usize, f64)> = None;
    if classes > 0 {
        let rows: Vec<usize> = (0..train.len())
            .filter(|&k| y[k * lanes + labels] != 0)
            .collect();
        for m in 0..layout.sentiment_c.len() {
            let base = labels + m * classes;
            let correct = rows
                .iter()
                .filter(|&&k| {
                    let s = &oof[k * lanes + base..k * lanes + base + classes];
                    let truth = &y[k * lanes + base..k * lanes + base + classes];
                    truth.get(argmax(s)).is_some_and(|&t| t > 0)
                })
                .count();
            let accuracy = correct as f64 / rows.len().max(1) as f64;
            if chosen.is_none_or(|(_, best)| accuracy > best) {
                chosen = Some((m, accuracy));
            }
        }
    }
    let sentiment_platt: Vec<Platt> = match chosen {
        Some((m, _)) => (0..classes)
            .map(|c| {
                let lane = labels + m * classes + c;
                Platt::fit(
                    (0..train.len())
                        .filter(|&k| y[k * lanes + lane] != 0)
                        .map(|k| (oof[k * lanes + lane], y[k * lanes + lane] > 0)),
                )
            })
            .collect(),
        None => Vec::new(),
    };

    // Keep the label lanes and the chosen sentiment lanes.
    let mut keep: Vec<usize> = (0..labels).collect();
    if let Some((m, _)) = chosen {
        keep.extend((0..classes).map(|c| labels + m * classes + c));
    }
    let weights = full.select(&keep);
    let out_lanes = weights.stride;
    let mut predicted = vec![0.0f32; predict.len() * out_lanes];
    for (k, chunk) in predicted.chunks_exact_mut(out_lanes.max(1)).enumerate() {
        weights.scores(&x, train.len() + k, chunk);
    }
    Fitted {
        vocabulary,
        weights,
        thresholds,
        label_platt,
        sentiment_c: chosen.map(|(m, _)| layout.sentiment_c[m]),
        sentiment_platt,
        sentiment_inner_accuracy: chosen.map(|(_, a)| a),
        predicted,
        epochs,
    }
}

fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}

fn group_folds_of(data: &LabelledData, rows: &[usize], k: usize, seed: u64) -> Vec<usize> {
    cv::group_folds(
        rows.iter().map(|&r| data.examples[r].group.as_str()),
        k,
        seed,
    )
}

/// The hashed n-grams of every example, in parallel.
fn raw_docs(data: &LabelledData) -> Vec<RawDoc> {
    data.examples
        .par_iter()
        .map_init(Extractor::new, |ex, e| {
            RawDoc::new(ex, &e.text, e.question_kind)
        })
        .collect()
}

/// Checks the data and lays out the lanes.
fn layout(data: &LabelledData, options: &TrainOptions) -> Result<(Layout, Vec<usize>), Error> {
    if options.folds == 1 || options.inner_folds < 2 {
        return Err(Error::Options(
            "cross-validation needs at least 2 folds (or --folds 0 for none)".to_owned(),
        ));
    }
    let mut positives = vec![0usize; data.label_names.len()];
    for e in &data.examples {
        for &l in &e.labels {
            positives[usize::from(l)] += 1;
        }
    }
    let min_rows = options.inner_folds.max(options.folds) * 2;
    if data.examples.len() < min_rows {
        return Err(Error::Data {
            path: data.path.clone(),
            message: format!(
                "{} labelled comments are too few to train and cross-validate (at least {min_rows} are needed)",
                data.examples.len()
            ),
        });
    }
    let labels: Vec<usize> = (0..data.label_names.len())
        .filter(|&l| positives[l] > 0)
        .collect();
    let themes: Vec<bool> = labels
        .iter()
        .map(|&l| !is_no_theme_label(&data.label_names[l]))
        .collect();
    if !themes.iter().any(|&t| t) {
        return Err(Error::Data {
            path: data.path.clone(),
            message: "no theme label has a positive example (a 1) in the rows used: check the label columns".to_owned(),
        });
    }
    let classes: Vec<SentimentLabel> = SentimentLabel::ALL
        .into_iter()
        .filter(|&s| data.examples.iter().any(|e| e.sentiment == Some(s)))
        .collect();
    if classes.len() == 1 {
        return Err(Error::Data {
            path: data.path.clone(),
            message:
                "every labelled sentiment is the same: a sentiment model needs at least two kinds"
                    .to_owned(),
        });
    }
    let layout = Layout {
        labels,
        themes,
        classes,
        sentiment_c: if data.has_sentiment() {
            options.sentiment_c.clone()
        } else {
            Vec::new()
        },
        theme_c: options.c,
    };
    Ok((layout, positives))
}

/// The predicted themes (label lanes) and sentiment class of one comment from its model-lane scores.
fn decide_row(
    scores: &[f32],
    layout: &Layout,
    thresholds: &[f32],
    out: &mut Vec<usize>,
) -> Option<usize> {
    let labels = layout.labels.len();
    thresholds::decide(&scores[..labels], thresholds, &layout.themes, out);
    let classes = layout.classes.len();
    (classes > 0).then(|| argmax(&scores[labels..labels + classes]))
}

/// Cross-validates the method on `data`: `options.folds` folds grouped by respondent, each fold predicted
/// by a model fitted (with its own inner cross-validation) on the others, the predictions pooled.
pub fn cross_validate(
    data: &LabelledData,
    options: &TrainOptions,
) -> Result<CrossValidation, Error> {
    let (layout, positives) = layout(data, options)?;
    if options.folds < 2 {
        return Err(Error::Options(
            "cross-validation needs at least 2 folds".to_owned(),
        ));
    }
    let docs = raw_docs(data);
    Ok(cross_validate_with(
        data, &docs, &layout, &positives, options,
    ))
}

fn cross_validate_with(
    data: &LabelledData,
    docs: &[RawDoc],
    layout: &Layout,
    positives: &[usize],
    options: &TrainOptions,
) -> CrossValidation {
    let n = data.examples.len();
    let all: Vec<usize> = (0..n).collect();
    let folds = group_folds_of(data, &all, options.folds, options.seed);
    let results: Vec<(Vec<usize>, Fitted)> = (0..options.folds)
        .into_par_iter()
        .map(|f| {
            let train: Vec<usize> = all.iter().copied().filter(|&r| folds[r] != f).collect();
            let test: Vec<usize> = all.iter().copied().filter(|&r| folds[r] == f).collect();
            let seed = options.seed.wrapping_add(f as u64 + 1);
            let fitted = fit(data, docs, layout, &train, &test, options, seed);
            (test, fitted)
        })
        .collect();

    let labels = layout.labels.len();
    let mut counts = vec![Counts::default(); labels];
    let (mut correct, mut judged) = (0u64, 0u64);
    let mut predicted = Vec::new();
    for (test, fitted) in &results {
        let lanes = fitted.weights.stride;
        for (k, &r) in test.iter().enumerate() {
            let scores = &fitted.predicted[k * lanes..(k + 1) * lanes];
            let class = decide_row(scores, layout, &fitted.thresholds, &mut predicted);
            let e = &data.examples[r];
            for (lane, &label) in layout.labels.iter().enumerate() {
                let actual = e.labels.binary_search(&(label as u16)).is_ok();
                counts[lane].add(predicted.contains(&lane), actual);
            }
            if let (Some(class), Some(truth)) = (class, e.sentiment) {
                judged += 1;
                correct += u64::from(layout.classes[class] == truth);
            }
        }
    }
    let evaluated: Vec<bool> = layout
        .labels
        .iter()
        .zip(&layout.themes)
        .map(|(&l, &theme)| theme && positives[l] >= options.min_positives)
        .collect();
    let (micro, macro_f1) = cv::micro_macro(&counts, &evaluated);
    CrossValidation {
        summary: CvSummary {
            folds: options.folds,
            seed: options.seed,
            grouped_by: data.columns.group.clone(),
            min_positives: options.min_positives,
            evaluated_labels: evaluated.iter().filter(|&&e| e).count(),
            micro_f1: micro.f1(),
            micro_precision: micro.precision(),
            micro_recall: micro.recall(),
            macro_f1,
            sentiment_accuracy: (judged > 0).then(|| correct as f64 / judged as f64),
            sentiment_rows: judged,
        },
        labels: counts.into_iter().map(LabelScore::from).collect(),
        names: layout
            .labels
            .iter()
            .map(|&l| data.label_names[l].clone())
            .collect(),
        positives: layout.labels.iter().map(|&l| positives[l]).collect(),
    }
}

/// Trains a model on all of `data`, after cross-validating the method if `options.folds` ≥ 2 (the
/// scores go into the model's header).
pub fn train(data: &LabelledData, options: &TrainOptions) -> Result<ThemeModel, Error> {
    let (layout, positives) = layout(data, options)?;
    let docs = raw_docs(data);
    let all: Vec<usize> = (0..data.examples.len()).collect();
    let (validation, fitted) = rayon::join(
        || {
            (options.folds >= 2)
                .then(|| cross_validate_with(data, &docs, &layout, &positives, options))
        },
        || fit(data, &docs, &layout, &all, &[], options, options.seed),
    );

    let labels = layout
        .labels
        .iter()
        .enumerate()
        .map(|(lane, &l)| LabelInfo {
            name: data.label_names[l].clone(),
            positives: positives[l],
            theme: layout.themes[lane],
            threshold: fitted.thresholds[lane],
            platt: fitted.label_platt[lane],
            cv: validation.as_ref().map(|v| v.labels[lane]),
        })
        .collect();
    let mut question_kinds = BTreeMap::new();
    for kind in QuestionKind::ALL {
        let count = data
            .examples
            .iter()
            .filter(|e| e.question_kind == kind)
            .count();
        if count > 0 {
            question_kinds.insert(kind.slug().to_owned(), count as u64);
        }
    }
    let sentiment = fitted.sentiment_c.map(|c| SentimentInfo {
        classes: layout.classes.clone(),
        c,
        platt: fitted.sentiment_platt.clone(),
        rows: data
            .examples
            .iter()
            .filter(|e| e.sentiment.is_some())
            .count() as u64,
        inner_cv_accuracy: fitted.sentiment_inner_accuracy.unwrap_or(0.0),
    });
    let vocabulary = &fitted.vocabulary;
    let header = ModelHeader {
        format: format::FORMAT_NAME.to_owned(),
        version: format::FORMAT_VERSION,
        created_by: format!("chorus {}", env!("CARGO_PKG_VERSION")),
        analyzer_version: chorus_text::Analyzer::ENGLISH_VERSION,
        features: FeatureSettings::current(vocabulary, options.min_df),
        classifier: ClassifierSettings {
            method: "one-vs-rest NBSVM: naive-Bayes-scaled linear SVM per label".to_owned(),
            loss: "squared hinge, L2-regularised, dual coordinate descent".to_owned(),
            c: options.c,
            sentiment_c_tried: layout.sentiment_c.clone(),
            nb_alpha: 1.0,
            thresholds: format!(
                "per label F1-best on {} inner folds over -1..1 step 0.05, shrunk to the global best with weight {}",
                options.inner_folds,
                thresholds::SHRINK
            ),
            confidence: "Platt scaling on inner-fold scores".to_owned(),
            epochs: fitted.epochs,
        },
        training: TrainingSummary {
            file: data.file_name(),
            rows_read: data.rows_read,
            rows_used: data.examples.len() as u64,
            skipped: data.skipped.clone(),
            columns: data.columns.clone(),
            question_kinds,
            untrained_labels: data
                .label_names
                .iter()
                .zip(&positives)
                .filter(|&(_, &p)| p == 0)
                .map(|(n, _)| n.clone())
                .collect(),
        },
        labels,
        sentiment,
        cv: validation.map(|v| v.summary),
        weights: format::BinaryLayout::default(),
    };
    // No training time in the header: the same data and seed give the same file, byte for byte.
    ThemeModel::from_parts(header, fitted.vocabulary, fitted.weights)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::data::Example;
    use crate::model::{ModelInput, ThemeModel};

    /// A small made-up set: staff praise, waiting complaints and parking, with sentiment.
    pub(crate) fn toy_data() -> LabelledData {
        let mut examples = Vec::new();
        let staff = [
            "The staff were lovely and kind",
            "Nurses were so kind and caring",
            "Lovely friendly staff",
            "Staff were kind, thank you",
            "The doctor was caring and kind",
            "Friendly and kind nurses",
        ];
        let waiting = [
            "Waited four hours to be seen",
            "The wait was far too long",
            "Long waiting times in A&E",
            "We waited hours and nobody came",
            "Waiting time was awful",
            "Too long a wait for an appointment",
        ];
        let parking = [
            "Parking was impossible",
            "No parking spaces at all",
            "Car park too expensive",
            "Could not find parking",
        ];
        let mut push = |text: &str, labels: Vec<u16>, sentiment: SentimentLabel, i: usize| {
            examples.push(Example {
                text: text.to_owned(),
                question_kind: if i.is_multiple_of(2) {
                    QuestionKind::Why
                } else {
                    QuestionKind::Improve
                },
                labels,
                sentiment: Some(sentiment),
                group: format!("g{i}"),
                line: i as u64 + 2,
            });
        };
        for round in 0..3 {
            for (i, t) in staff.iter().enumerate() {
                push(t, vec![0], SentimentLabel::Positive, round * 100 + i);
            }
            for (i, t) in waiting.iter().enumerate() {
                push(t, vec![1], SentimentLabel::Negative, round * 100 + 10 + i);
            }
            for (i, t) in parking.iter().enumerate() {
                push(t, vec![2], SentimentLabel::Negative, round * 100 + 20 + i);
            }
            push(
                "Did the job",
                vec![3],
                SentimentLabel::Neutral,
                round * 100 + 30,
            );
            push(
                "It was ok",
                vec![3],
                SentimentLabel::Neutral,
                round * 100 + 31,
            );
        }
        LabelledData::new(
            "toy.csv",
            vec![
                "Staff".into(),
                "Waiting".into(),
                "Parking".into(),
                "Labelling not possible".into(),
                "Never used".into(),
            ],
            examples,
        )
    }

    #[test]
    fn a_toy_model_learns_its_labels_and_sentiment() {
        let data = toy_data();
        let options = TrainOptions {
            folds: 3,
            ..TrainOptions::default()
        };
        let model = train(&data, &options).expect("trains");
        assert_eq!(model.labels(), ["Staff", "Waiting", "Parking"]);
        assert!(model.has_sentiment());
        assert_eq!(model.header.training.untrained_labels, ["Never used"]);
        let cv = model.header.cv.as_ref().expect("cross-validated");
        assert!(cv.micro_f1 > 0.8, "{cv:?}");
        let inputs = [
            ModelInput {
                text: "the nurses were really kind",
                question_kind: QuestionKind::Why,
            },
            ModelInput {
                text: "we waited so long",
                question_kind: QuestionKind::Why,
            },
            ModelInput {
                text: "",
                question_kind: QuestionKind::Why,
            },
        ];
        let predictions = model.predict_batch(&inputs);
        assert_eq!(predictions[0].labels[0].0, 0, "{:?}", predictions[0]);
        assert_eq!(predictions[1].labels[0].0, 1, "{:?}", predictions[1]);
        let s = predictions[0].sentiment.expect("sentiment");
        assert_eq!(s.label, SentimentLabel::Positive);
        assert!(s.score > 0.0);
        assert_eq!(
            predictions[1].sentiment.map(|s| s.label),
            Some(SentimentLabel::Negative)
        );
        for p in &predictions {
            for &(_, confidence) in &p.labels {
                assert!((0.0..=1.0).contains(&confidence));
            }
        }

        // The same seed gives the same model, byte for byte.
        let again = train(&data, &options).expect("trains");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        model.write_to(&mut a).expect("writes");
        again.write_to(&mut b).expect("writes");
        assert!(a == b, "the model files differ");

        // A saved model loads back and predicts the same.
        let loaded = ThemeModel::read_from(&a, std::path::Path::new("toy.model")).expect("loads");
        let again = loaded.predict_batch(&inputs);
        for (p, q) in predictions.iter().zip(&again) {
            assert_eq!(p.labels, q.labels);
        }
    }

    #[test]
    fn no_theme_labels_are_recognised() {
        assert!(is_no_theme_label("Labelling not possible"));
        assert!(is_no_theme_label(" Not assigned "));
        assert!(!is_no_theme_label("Staff manner & personal attributes"));
    }

    #[test]
    fn too_few_rows_is_a_clear_error() {
        let mut data = toy_data();
        data.examples.truncate(3);
        let message = train(&data, &TrainOptions::default())
            .expect_err("fails")
            .to_string();
        assert!(message.contains("too few"), "{message}");
    }
}
