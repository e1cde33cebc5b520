//! Trained theme and sentiment models (`chorus train`): learn a multi-label theme framework, and
//! optionally sentiment, from labelled comments; predict both, with a confidence per label, for any
//! number of comments.
//!
//! The method is NBSVM over tf-idf features, which beat the alternatives on the national v6 framework:
//!
//! - **features**: stemmed word unigrams and bigrams from the shared
//!   `chorus_text` analyzer, character 2–5-grams within words, the question kind
//!   ([`chorus_core::QuestionKind`]) and every word crossed with the question kind, because "Nothing" to
//!   "What could we improve?" is not "Nothing" to "What was good?";
//! - **labels**: one linear SVM per label on naive-Bayes-scaled features, thresholds and Platt
//!   calibration from an inner cross-validation, and at least the best label for every comment;
//! - **sentiment**: one linear SVM per class, the cost chosen by the inner cross-validation.
//!
//! [`read_labelled`] reads a training file, [`train`] fits a [`ThemeModel`] (cross-validating the method
//! first, so the model file carries its own held-out scores), [`ThemeModel::save`] writes it and
//! [`ThemeModel::load`] reads it back (refusing, with a message saying what to do, a file of another
//! format version, another text analyzer, or damaged); [`ThemeModel::predict_batch`] predicts in
//! parallel. The file is a signature line with the format version, a one-line JSON [`ModelHeader`]
//! (labels, thresholds, features, training data, cross-validated scores), then the binary weights;
//! `chorus train --describe MODEL` prints the header.
//!
//! ```
//! use chorus_core::QuestionKind;
//! use chorus_themes::model::{Example, LabelledData, ModelInput, TrainOptions, train};
//!
//! let texts = [
//!     ("Lovely kind staff", 0),
//!     ("The nurses were kind", 0),
//!     ("Staff so kind and caring", 0),
//!     ("Waited hours to be seen", 1),
//!     ("The wait was too long", 1),
//!     ("Long waiting times", 1),
//! ];
//! let examples = texts
//!     .iter()
//!     .cycle()
//!     .take(24)
//!     .enumerate()
//!     .map(|(i, &(text, label))| Example {
//!         text: text.to_owned(),
//!         question_kind: QuestionKind::Why,
//!         labels: vec![label],
//!         sentiment: None,
//!         group: i.to_string(),
//!         line: 0,
//!     })
//!     .collect();
//! let data = LabelledData::new("example", vec!["Staff".into(), "Waiting".into()], examples);
//! let model = train(&data, &TrainOptions { folds: 0, ..TrainOptions::default() })?;
//! let input = ModelInput { text: "we waited so long", question_kind: QuestionKind::Why };
//! let prediction = &model.predict_batch(&[input])[0];
//! assert_eq!(model.labels()[prediction.labels[0].0], "Waiting");
//! # Ok::<(), chorus_themes::Error>(())
//! ```

mod cv;
mod data;
mod features;
mod format;
mod nb;
mod svm;
mod thresholds;
mod train;

use std::path::Path;

use crate::Error;

use chorus_core::{QuestionKind, SentimentLabel, SentimentScore};
use rayon::prelude::*;

pub use cv::LabelScore;
pub use data::{
    Example, LabelColumns, LabelSpec, LabelledData, Skipped, UsedColumns, read_labelled,
};
pub use format::{
    BinaryLayout, ClassifierSettings, CvSummary, FORMAT_NAME, FORMAT_VERSION, FeatureSettings,
    LabelInfo, ModelHeader, SentimentInfo, TrainingSummary, VocabularySizes,
};
pub use thresholds::Platt;
pub use train::{
    CrossValidation, NO_THEME_LABELS, TrainOptions, cross_validate, is_no_theme_label, train,
};

use chorus_text::{Analyzer, Tokens};
use features::{CharBlock, CharCache, Vocabulary, count_sorted};

/// A trained multi-label theme model, optionally with a sentiment model.
#[derive(Clone)]
pub struct ThemeModel {
    header: ModelHeader,
    vocabulary: Vocabulary,
    weights: svm::Weights,
    /// The theme labels' names (what [`ThemeModel::labels`] indexes).
    labels: Vec<String>,
    /// Per label lane: its index in `labels`, or `None` for a "no theme" label.
    lane_theme: Vec<Option<usize>>,
    /// Per label lane: whether it is a theme.
    is_theme: Vec<bool>,
    thresholds: Vec<f32>,
    platt: Vec<Platt>,
}

/// Names and sizes only: the weights are megabytes.
impl std::fmt::Debug for ThemeModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThemeModel")
            .field("file", &self.header.training.file)
            .field("labels", &self.labels)
            .field("sentiment", &self.has_sentiment())
            .field("features", &self.vocabulary.len())
            .finish_non_exhaustive()
    }
}

/// One comment to predict for.
#[derive(Debug, Clone, Copy)]
pub struct ModelInput<'a> {
    /// The comment text.
    pub text: &'a str,
    /// The question it answers.
    pub question_kind: QuestionKind,
}

/// What the model predicts for one comment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prediction {
    /// Labels over their thresholds (or the best one, if none is): (index into `labels()`, calibrated
    /// probability 0–1 that the label applies), most confident over its threshold first.
    pub labels: Vec<(usize, f32)>,
    /// Sentiment, if the model was trained with a sentiment column.
    pub sentiment: Option<SentimentScore>,
}

/// Predicts for one comment at a time from the tokens the caller has already analysed (theming analyses
/// each comment once and shares its tokens). One per thread: it keeps buffers, and remembers each
/// written word's character n-grams, so a comment costs no allocation once they have grown.
#[derive(Debug)]
pub struct Predictor<'m> {
    model: &'m ThemeModel,
    chars: CharCache,
    term_hashes: Vec<u64>,
    words: Vec<u64>,
    counted: Vec<(u64, u32)>,
    found: Vec<(u64, u32)>,
    vector: Vec<(u32, f32)>,
    cross: Vec<u64>,
    scores: Vec<f32>,
    decided: Vec<usize>,
}

impl ThemeModel {
    /// Puts a trained model together, checking that its parts agree.
    fn from_parts(
        mut header: ModelHeader,
        vocabulary: Vocabulary,
        weights: svm::Weights,
    ) -> Result<ThemeModel, Error> {
        let binary = format::encode(&vocabulary, &weights);
        format::describe_binary(&mut header, &binary, vocabulary.len(), weights.lanes);
        Ok(ThemeModel::assemble(header, vocabulary, weights))
    }

    fn assemble(header: ModelHeader, vocabulary: Vocabulary, weights: svm::Weights) -> ThemeModel {
        let mut labels = Vec::new();
        let lane_theme = header
            .labels
            .iter()
            .map(|l| {
                l.theme.then(|| {
                    labels.push(l.name.clone());
                    labels.len() - 1
                })
            })
            .collect();
        ThemeModel {
            is_theme: header.labels.iter().map(|l| l.theme).collect(),
            thresholds: header.labels.iter().map(|l| l.threshold).collect(),
            platt: header.labels.iter().map(|l| l.platt).collect(),
            lane_theme,
            labels,
            header,
            vocabulary,
            weights,
        }
    }

    /// Loads a model file written by [`ThemeModel::save`]. A file of another format version, made with
    /// another text analyzer, or damaged, is refused with a message that names it and says what to do.
    pub fn load(path: &Path) -> Result<ThemeModel, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        ThemeModel::read_from(&bytes, path)
    }

    /// Reads a model from the bytes of a model file (`path` names it in errors).
    pub fn read_from(bytes: &[u8], path: &Path) -> Result<ThemeModel, Error> {
        let (header, binary) = format::read_header(bytes, path)?;
        let (vocabulary, weights) = format::decode(&header, binary, path)?;
        Ok(ThemeModel::assemble(header, vocabulary, weights))
    }

    /// Reads only the header of a model file: what `chorus train --describe` prints.
    pub fn describe(path: &Path) -> Result<ModelHeader, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        format::read_header(&bytes, path).map(|(header, _)| header)
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            action: "write",
            path: path.to_owned(),
            source,
        };
        let mut bytes = Vec::new();
        self.write_to(&mut bytes).map_err(io)?;
        std::fs::write(path, bytes).map_err(io)
    }

    /// Writes the model file's bytes to `out`.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let binary = format::encode(&self.vocabulary, &self.weights);
        format::write(out, &self.header, &binary)
    }

    /// What the model says about itself: labels, thresholds, training data, scores.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The theme label names, in the model's order (labels meaning "no theme" are not among them).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Whether the model predicts sentiment.
    pub fn has_sentiment(&self) -> bool {
        self.header.sentiment.is_some()
    }

    /// Predicts for many comments at once (in parallel), in input order.
    pub fn predict_batch(&self, inputs: &[ModelInput<'_>]) -> Vec<Prediction> {
        inputs
            .par_iter()
            .with_min_len(256)
            .map_init(
                || (Analyzer::english(), Tokens::new(), self.predictor()),
                |(analyzer, tokens, predictor), input| {
                    analyzer.analyze_into(input.text, tokens);
                    predictor.predict(input.text, tokens, input.question_kind)
                },
            )
            .collect()
    }

    /// A predictor for comments whose tokens the caller has (one per thread).
    pub fn predictor(&self) -> Predictor<'_> {
        Predictor {
            model: self,
            chars: CharCache::default(),
            term_hashes: Vec::new(),
            words: Vec::new(),
            counted: Vec::new(),
            found: Vec::new(),
            vector: Vec::new(),
            cross: Vec::new(),
            scores: vec![0.0; self.weights.stride],
            decided: Vec::new(),
        }
    }
}

impl Predictor<'_> {
    /// Labels (and sentiment) for `text`, answering a question of kind `kind`, whose tokens from the
    /// shared analyzer (`chorus_text::Analyzer::english`) are `tokens`.
    pub fn predict(&mut self, text: &str, tokens: &Tokens, kind: QuestionKind) -> Prediction {
        let model = self.model;
        self.words.clear();
        features::word_ngrams(tokens, &mut self.term_hashes, &mut self.words);
        count_sorted(&mut self.words, &mut self.counted);
        self.found.clear();
        for token in tokens.iter() {
            let word = text.get(token.start..token.end).unwrap_or("");
            self.chars.extend(&model.vocabulary, word, &mut self.found);
        }
        // Sorted by hash, as the counted n-grams are: the values and their order (and so every float
        // sum below) are those of `Vocabulary::vectorise`.
        self.found.sort_unstable();
        model.vocabulary.vectorise_parts(
            &self.counted,
            CharBlock::Found(&self.found),
            kind,
            &mut self.vector,
            &mut self.cross,
        );
        model.score(&self.vector, &mut self.scores, &mut self.decided)
    }
}

impl ThemeModel {
    /// The labels and sentiment of a comment's feature vector.
    fn score(
        &self,
        vector: &[(u32, f32)],
        scores: &mut [f32],
        decided: &mut Vec<usize>,
    ) -> Prediction {
        let stride = self.weights.stride;
        scores.copy_from_slice(&self.weights.bias);
        for &(j, v) in vector {
            let start = j as usize * stride;
            svm::axpy(scores, v, &self.weights.w[start..start + stride]);
        }

        let n_labels = self.thresholds.len();
        let (label_scores, rest) = scores.split_at(n_labels);
        let class_scores = &rest[..self.weights.lanes - n_labels];
        thresholds::decide(label_scores, &self.thresholds, &self.is_theme, decided);
        let labels = decided
            .iter()
            .filter_map(|&lane| {
                self.lane_theme[lane].map(|t| (t, self.platt[lane].probability(label_scores[lane])))
            })
            .collect();
        let sentiment = self
            .header
            .sentiment
            .as_ref()
            .map(|info| sentiment_of(info, class_scores));
        Prediction { labels, sentiment }
    }
}

/// The class with the highest score, and a score from −1 to 1: the calibrated probability of positive
/// minus that of negative, the probabilities normalised to sum to 1.
fn sentiment_of(info: &SentimentInfo, scores: &[f32]) -> SentimentScore {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    let probabilities: Vec<f32> = info
        .platt
        .iter()
        .zip(scores)
        .map(|(p, &s)| p.probability(s))
        .collect();
    let total: f32 = probabilities.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    let mut score = 0.0;
    for (&class, &p) in info.classes.iter().zip(&probabilities) {
        match class {
            SentimentLabel::Positive => score += p / total,
            SentimentLabel::Negative => score -= p / total,
            SentimentLabel::Neutral | SentimentLabel::Mixed => {}
        }
    }
    SentimentScore {
        label: info
            .classes
            .get(best)
            .copied()
            .unwrap_or(SentimentLabel::Neutral),
        score: score.clamp(-1.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_bytes() -> Vec<u8> {
        let data = train::tests::toy_data();
        let model = train(
            &data,
            &TrainOptions {
                folds: 0,
                ..TrainOptions::default()
            },
        )
        .expect("trains");
        let mut bytes = Vec::new();
        model.write_to(&mut bytes).expect("writes");
        bytes
    }

    fn load_error(bytes: &[u8]) -> String {
        ThemeModel::read_from(bytes, Path::new("m.model"))
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn wrong_old_and_damaged_files_are_refused_clearly() {
        let bytes = model_bytes();
        assert!(ThemeModel::read_from(&bytes, Path::new("m.model")).is_ok());

        let message = load_error(b"{\"labels\": []}");
        assert!(
            message.contains("m.model is not a chorus model file"),
            "{message}"
        );
        assert!(message.contains("chorus train"), "{message}");
        assert!(load_error(b"").contains("not a chorus model"));

        let mut old = b"chorus-model 0\n".to_vec();
        old.extend_from_slice(&bytes[15..]);
        let message = load_error(&old);
        assert!(message.contains("format version 0"), "{message}");
        assert!(message.contains("retrain"), "{message}");

        let message = load_error(&bytes[..bytes.len() - 10]);
        assert!(message.contains("m.model is damaged"), "{message}");
        assert!(message.contains("cut short"), "{message}");

        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x55;
        assert!(load_error(&flipped).contains("checksum"));

        let header_end = 15
            + bytes[15..]
                .iter()
                .position(|&b| b == b'\n')
                .expect("header");
        let message = load_error(&bytes[..header_end - 5]);
        assert!(message.contains("damaged"), "{message}");

        let text = String::from_utf8_lossy(&bytes[..header_end]).replace(
            &format!(
                "\"analyzer_version\":{}",
                chorus_text::Analyzer::ENGLISH_VERSION
            ),
            "\"analyzer_version\":99",
        );
        let mut other = text.into_bytes();
        other.extend_from_slice(&bytes[header_end..]);
        let message = load_error(&other);
        assert!(message.contains("text analyzer version 99"), "{message}");
    }

    #[test]
    fn sentiment_scores_run_from_negative_to_positive() {
        let info = SentimentInfo {
            classes: vec![
                SentimentLabel::Positive,
                SentimentLabel::Neutral,
                SentimentLabel::Negative,
            ],
            c: 0.1,
            platt: vec![Platt { a: -4.0, b: 0.0 }; 3],
            rows: 0,
            inner_cv_accuracy: 0.0,
        };
        let s = sentiment_of(&info, &[1.0, -1.0, -1.0]);
        assert_eq!(s.label, SentimentLabel::Positive);
        assert!(s.score > 0.9);
        let s = sentiment_of(&info, &[-1.0, -1.0, 1.0]);
        assert_eq!(s.label, SentimentLabel::Negative);
        assert!(s.score < -0.9);
        let s = sentiment_of(&info, &[-1.0, 1.0, -1.0]);
        assert_eq!(s.label, SentimentLabel::Neutral);
        assert!(s.score.abs() < 0.1);
    }
}
