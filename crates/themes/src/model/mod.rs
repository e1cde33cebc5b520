//! Trained theme and sentiment models (STUB: the API the engine calls; being implemented).

use std::path::Path;

use chorus_core::{QuestionKind, SentimentScore};

/// A trained multi-label theme model, optionally with a sentiment model.
#[derive(Debug, Clone)]
pub struct ThemeModel {
    labels: Vec<String>,
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
#[derive(Debug, Clone, Default)]
pub struct Prediction {
    /// Labels over their thresholds: (index into `labels()`, confidence 0–1), best first.
    pub labels: Vec<(usize, f32)>,
    /// Sentiment, if the model was trained with a sentiment column.
    pub sentiment: Option<SentimentScore>,
}

/// Model errors (stub).
#[derive(Debug)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

impl ThemeModel {
    /// Loads a model file.
    pub fn load(path: &Path) -> Result<ThemeModel, ModelError> {
        Err(ModelError(format!(
            "cannot load {}: models are not built yet",
            path.display()
        )))
    }

    /// The label names, in the model's order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Whether the model predicts sentiment.
    pub fn has_sentiment(&self) -> bool {
        false
    }

    /// Predicts for many comments at once (in parallel), in input order.
    pub fn predict_batch(&self, inputs: &[ModelInput<'_>]) -> Vec<Prediction> {
        vec![Prediction::default(); inputs.len()]
    }
}
