//! The model file: self-describing and versioned.
//!
//! ```text
//! chorus-model 1\n          signature and format version, so `head -2 FILE` tells what it is
//! {…header JSON…}\n         one line: labels, thresholds, features, training data, scores (ModelHeader)
//! binary                    little-endian: feature hashes (u64), idf (f32), bias per lane (f32),
//!                           weights (f32, feature-major: every lane of a feature side by side)
//! ```
//!
//! The signature and version come first so that a file from a newer or older chorus is refused with a
//! message saying so before anything else is parsed; the binary part's length and FNV-1a checksum are in
//! the header, so a truncated or damaged copy is refused rather than giving wrong themes.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chorus_core::SentimentLabel;
use serde::{Deserialize, Serialize};

use super::cv::LabelScore;
use super::data::{Skipped, UsedColumns};
use super::features::{self, Blocks, Vocabulary};
use super::svm::Weights;
use super::thresholds::Platt;
use crate::Error;

/// The format's name, first in every model file.
pub const FORMAT_NAME: &str = "chorus-model";
/// The format version this build writes and reads. Bump it whenever the features, their hashes or the
/// binary layout change.
pub const FORMAT_VERSION: u32 = 1;

/// Everything a model file says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelHeader {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the chorus that wrote it.
    pub version: u32,
    /// `chorus X.Y.Z`.
    pub created_by: String,
    /// The `chorus_text` analyzer version the features were made with.
    pub analyzer_version: u32,
    /// How comments become features.
    pub features: FeatureSettings,
    /// How the labels were learnt.
    pub classifier: ClassifierSettings,
    /// What it was trained on.
    pub training: TrainingSummary,
    /// The labels trained, in lane order.
    pub labels: Vec<LabelInfo>,
    /// The sentiment model, if trained with a sentiment column.
    pub sentiment: Option<SentimentInfo>,
    /// Cross-validated scores, if the training cross-validated.
    pub cv: Option<CvSummary>,
    /// The binary part.
    pub weights: BinaryLayout,
}

/// How comments become features.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FeatureSettings {
    /// Word n-gram lengths (stemmed terms of the shared analyzer).
    pub word_ngrams: [usize; 2],
    /// Character n-gram lengths, within words padded with spaces.
    pub char_wb_ngrams: [usize; 2],
    /// Weight of the question-kind × word block.
    pub question_word_weight: f32,
    /// N-grams kept when seen in at least this many training comments.
    pub min_df: u32,
    /// Term weighting.
    pub weighting: String,
    /// Features per block.
    pub vocabulary: VocabularySizes,
}

impl FeatureSettings {
    pub(crate) fn current(vocabulary: &Vocabulary, min_df: u32) -> FeatureSettings {
        let b = &vocabulary.blocks;
        FeatureSettings {
            word_ngrams: [features::WORD_NGRAMS.0, features::WORD_NGRAMS.1],
            char_wb_ngrams: [features::CHAR_NGRAMS.0, features::CHAR_NGRAMS.1],
            question_word_weight: features::CROSS_WEIGHT,
            min_df,
            weighting: "tf-idf: sublinear tf, smooth idf, L2 per block; question kind one-hot"
                .to_owned(),
            vocabulary: VocabularySizes {
                words: b.words.len(),
                chars: b.chars.len(),
                questions: b.questions.len(),
                question_words: b.cross.len(),
            },
        }
    }
}

/// Features per block, in the order the binary part stores them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct VocabularySizes {
    /// Word unigrams and bigrams.
    pub words: usize,
    /// Character n-grams.
    pub chars: usize,
    /// Question kinds.
    pub questions: usize,
    /// Words crossed with question kinds.
    pub question_words: usize,
}

impl VocabularySizes {
    fn total(self) -> usize {
        self.words + self.chars + self.questions + self.question_words
    }

    fn blocks(self) -> Blocks {
        let chars = self.words;
        let questions = chars + self.chars;
        let cross = questions + self.questions;
        Blocks {
            words: 0..chars,
            chars: chars..questions,
            questions: questions..cross,
            cross: cross..cross + self.question_words,
        }
    }
}

/// How the labels were learnt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifierSettings {
    /// The method.
    pub method: String,
    /// The loss and solver.
    pub loss: String,
    /// SVM cost of the theme labels.
    pub c: f32,
    /// Sentiment costs tried.
    pub sentiment_c_tried: Vec<f32>,
    /// Naive-Bayes smoothing.
    pub nb_alpha: f32,
    /// How thresholds were chosen.
    pub thresholds: String,
    /// What a confidence is.
    pub confidence: String,
    /// Solver epochs of the final training.
    pub epochs: usize,
}

/// What a model was trained on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The training file's name.
    pub file: String,
    /// Data rows in it.
    pub rows_read: u64,
    /// Rows trained on.
    pub rows_used: u64,
    /// Rows left out, by reason.
    pub skipped: Vec<Skipped>,
    /// The columns used.
    pub columns: UsedColumns,
    /// Training comments per question kind (`why`, `improve`…).
    pub question_kinds: BTreeMap<String, u64>,
    /// Label columns without a single positive in the rows used: not trained, never predicted.
    pub untrained_labels: Vec<String>,
}

/// One trained label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelInfo {
    /// The label (the column header).
    pub name: String,
    /// Training comments with the label.
    pub positives: usize,
    /// False for labels that mean "no theme applies" ("Labelling not possible", "Not assigned"): they
    /// are learnt but never given as themes.
    pub theme: bool,
    /// Score threshold.
    pub threshold: f32,
    /// Score → confidence.
    pub platt: Platt,
    /// Cross-validated scores.
    pub cv: Option<LabelScore>,
}

/// The trained sentiment model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentimentInfo {
    /// The classes, in lane order.
    pub classes: Vec<SentimentLabel>,
    /// The cost chosen by the inner cross-validation.
    pub c: f32,
    /// Score → probability per class.
    pub platt: Vec<Platt>,
    /// Training comments with a sentiment.
    pub rows: u64,
    /// Accuracy of the chosen cost in the inner cross-validation.
    pub inner_cv_accuracy: f64,
}

/// Cross-validated scores of the training method on the training file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvSummary {
    /// Folds.
    pub folds: usize,
    /// Shuffle seed.
    pub seed: u64,
    /// The column whose rows were kept in one fold.
    pub grouped_by: Option<String>,
    /// Labels with fewer positives were left out of the F1 scores.
    pub min_positives: usize,
    /// Labels in the F1 scores.
    pub evaluated_labels: usize,
    /// Micro-averaged F1 over the evaluated labels.
    pub micro_f1: f64,
    /// Micro-averaged precision.
    pub micro_precision: f64,
    /// Micro-averaged recall.
    pub micro_recall: f64,
    /// Mean F1 of the evaluated labels.
    pub macro_f1: f64,
    /// Share of sentiment-labelled comments whose sentiment was predicted right.
    pub sentiment_accuracy: Option<f64>,
    /// Comments with a sentiment label.
    pub sentiment_rows: u64,
}

/// The binary part's shape and checksum.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BinaryLayout {
    /// Features.
    pub features: usize,
    /// Lanes: the labels, then the sentiment classes.
    pub lanes: usize,
    /// Bytes.
    pub bytes: usize,
    /// FNV-1a 64 of the bytes, in hex.
    pub checksum: String,
}

fn checksum(bytes: &[u8]) -> String {
    let hash = chorus_core::keys::fnv1a(chorus_core::keys::FNV_OFFSET, bytes);
    format!("{hash:016x}")
}

/// The binary part of a model.
pub(crate) fn encode(vocabulary: &Vocabulary, weights: &Weights) -> Vec<u8> {
    let n = vocabulary.len();
    let mut out = Vec::with_capacity(n * 12 + (n + 1) * weights.lanes * 4);
    for &h in &vocabulary.hashes {
        out.extend_from_slice(&h.to_le_bytes());
    }
    let (w, bias) = weights.unpadded();
    for x in vocabulary.idf.iter().chain(bias).copied().chain(w) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Fills in the header's binary layout for `binary`.
pub(crate) fn describe_binary(
    header: &mut ModelHeader,
    binary: &[u8],
    features: usize,
    lanes: usize,
) {
    header.weights = BinaryLayout {
        features,
        lanes,
        bytes: binary.len(),
        checksum: checksum(binary),
    };
}

/// Writes a model file.
pub(crate) fn write(
    out: &mut dyn Write,
    header: &ModelHeader,
    binary: &[u8],
) -> std::io::Result<()> {
    writeln!(out, "{FORMAT_NAME} {FORMAT_VERSION}")?;
    let json = serde_json::to_string(header).map_err(std::io::Error::other)?;
    out.write_all(json.as_bytes())?;
    out.write_all(b"\n")?;
    out.write_all(binary)
}

/// Splits a model file into its header and binary part, checking the signature and version.
pub(crate) fn read_header<'a>(
    bytes: &'a [u8],
    path: &Path,
) -> Result<(ModelHeader, &'a [u8]), Error> {
    let not_a_model = |reason: &str| Error::NotAModel {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let corrupt = |reason: String| Error::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let first_end = bytes
        .iter()
        .take(64)
        .position(|&b| b == b'\n')
        .ok_or_else(|| not_a_model("it does not start with `chorus-model`"))?;
    let first = std::str::from_utf8(&bytes[..first_end])
        .map_err(|_| not_a_model("it does not start with `chorus-model`"))?;
    let version = first
        .strip_prefix(FORMAT_NAME)
        .map(str::trim)
        .ok_or_else(|| not_a_model("it does not start with `chorus-model`"))?;
    let version: u32 = version
        .parse()
        .map_err(|_| not_a_model("its first line has no format version"))?;
    if version != FORMAT_VERSION {
        return Err(Error::Version {
            path: path.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let rest = &bytes[first_end + 1..];
    let header_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| corrupt("the header is cut short".to_owned()))?;
    let header: ModelHeader = serde_json::from_slice(&rest[..header_end])
        .map_err(|e| corrupt(format!("its header cannot be read: {e}")))?;
    if header.format != FORMAT_NAME || header.version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "its header says format `{}` version {}",
            header.format, header.version
        )));
    }
    let expected = chorus_text::Analyzer::ENGLISH_VERSION;
    if header.analyzer_version != expected {
        return Err(Error::Analyzer {
            path: path.to_owned(),
            found: header.analyzer_version,
            expected,
        });
    }
    Ok((header, &rest[header_end + 1..]))
}

/// The vocabulary and weights of a binary part, checked against its header.
pub(crate) fn decode(
    header: &ModelHeader,
    binary: &[u8],
    path: &Path,
) -> Result<(Vocabulary, Weights), Error> {
    let corrupt = |reason: String| Error::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let layout = &header.weights;
    let sizes = header.features.vocabulary;
    let classes = header.sentiment.as_ref().map_or(0, |s| s.classes.len());
    if sizes.total() != layout.features {
        return Err(corrupt(format!(
            "its vocabulary blocks add up to {} features, not {}",
            sizes.total(),
            layout.features
        )));
    }
    if header.labels.len() + classes != layout.lanes {
        return Err(corrupt(format!(
            "{} labels and {classes} sentiment classes, but {} weight lanes",
            header.labels.len(),
            layout.lanes
        )));
    }
    if let Some(s) = &header.sentiment
        && s.platt.len() != s.classes.len()
    {
        return Err(corrupt(
            "sentiment calibration does not match its classes".to_owned(),
        ));
    }
    let (n, lanes) = (layout.features, layout.lanes);
    let expected = n
        .checked_mul(12)
        .and_then(|a| {
            n.checked_mul(lanes)
                .and_then(|b| b.checked_mul(4))
                .map(|b| (a, b))
        })
        .and_then(|(a, b)| a.checked_add(b))
        .and_then(|a| a.checked_add(lanes * 4))
        .ok_or_else(|| corrupt("its sizes are impossible".to_owned()))?;
    if binary.len() != expected || layout.bytes != expected {
        return Err(corrupt(format!(
            "its weights are {} bytes, expected {expected} (the file may be cut short)",
            binary.len()
        )));
    }
    if checksum(binary) != layout.checksum {
        return Err(corrupt("its weights fail the checksum".to_owned()));
    }
    let (hash_bytes, rest) = binary.split_at(n * 8);
    let hashes: Vec<u64> = hash_bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect();
    let mut floats = rest
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    let idf: Vec<f32> = floats.by_ref().take(n).collect();
    let bias: Vec<f32> = floats.by_ref().take(lanes).collect();
    let w: Vec<f32> = floats.collect();
    if idf.iter().chain(&bias).chain(&w).any(|x| !x.is_finite()) {
        return Err(corrupt(
            "its weights hold values that are not numbers".to_owned(),
        ));
    }
    let vocabulary = Vocabulary::from_parts(hashes, idf, sizes.blocks());
    if !vocabulary.is_consistent() {
        return Err(corrupt("its vocabulary repeats a feature".to_owned()));
    }
    Ok((
        vocabulary,
        Weights::from_unpadded(lanes, &w, &bias, header.classifier.epochs),
    ))
}
