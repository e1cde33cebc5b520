//! What theming says about a comment: sentiment, touchpoints, themes and discordance.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The sentiment of a comment, a clause or a touchpoint mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    /// Praise, thanks, a good experience.
    Positive,
    /// Neither: a fact, a question, a suggestion without feeling.
    Neutral,
    /// Both praise and complaint ("staff lovely but waited 4 hours").
    Mixed,
    /// Complaint, distress, a bad experience.
    Negative,
}

impl SentimentLabel {
    /// Every label, from positive to negative.
    pub const ALL: [SentimentLabel; 4] = [
        SentimentLabel::Positive,
        SentimentLabel::Neutral,
        SentimentLabel::Mixed,
        SentimentLabel::Negative,
    ];

    /// `positive`, `neutral`, `mixed` or `negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "positive",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Mixed => "mixed",
            SentimentLabel::Negative => "negative",
        }
    }
}

impl fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SentimentLabel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "positive" | "pos" => Ok(SentimentLabel::Positive),
            "neutral" => Ok(SentimentLabel::Neutral),
            "mixed" => Ok(SentimentLabel::Mixed),
            "negative" | "neg" => Ok(SentimentLabel::Negative),
            _ => Err(format!(
                "unknown sentiment `{s}`: use positive, neutral, mixed or negative"
            )),
        }
    }
}

/// A sentiment label with its strength.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentimentScore {
    /// The label.
    pub label: SentimentLabel,
    /// From −1 (very negative) to 1 (very positive).
    pub score: f32,
}

/// Where a theme came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeSource {
    /// Matched by the terms of an editable codebook.
    Codebook,
    /// Predicted by a model trained on labelled comments.
    Model,
    /// Found by clustering.
    Discovered,
}

impl ThemeSource {
    /// `codebook`, `model` or `discovered`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeSource::Codebook => "codebook",
            ThemeSource::Model => "model",
            ThemeSource::Discovered => "discovered",
        }
    }
}

impl fmt::Display for ThemeSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A touchpoint of the care journey that a comment speaks about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TouchpointMention {
    /// The touchpoint id from the journey codebook (`access`, `waiting`, `discharge`…).
    pub id: Arc<str>,
    /// How the comment feels about this touchpoint, from the clauses that mention it.
    pub sentiment: SentimentLabel,
    /// From −1 to 1.
    pub score: f32,
}

/// A theme assigned to a comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThemeAssignment {
    /// The theme's name (codebook label, model label or discovered theme label).
    pub name: Arc<str>,
    /// Which of the three sources assigned it.
    pub source: ThemeSource,
    /// 0–1: the model's probability, 1 for a codebook match, similarity to the centroid for a discovered
    /// theme.
    pub confidence: f32,
    /// How the comment feels about this theme: from the matching clauses for codebook themes, otherwise the
    /// comment's sentiment.
    pub sentiment: SentimentLabel,
}

/// One clause of a comment ("The staff were great | but I couldn't get parked") with what theming found
/// in it, so a reader sees why a comment is both praise and complaint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    /// Byte offsets of the clause in the comment's text (from its first word to its last).
    pub start: u32,
    /// End, exclusive.
    pub end: u32,
    /// How the clause feels.
    pub sentiment: SentimentLabel,
    /// From −1 to 1.
    pub score: f32,
    /// Touchpoint ids the clause speaks about, in journey order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touchpoints: Vec<Arc<str>>,
    /// Codebook themes matched in the clause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<Arc<str>>,
}

impl Clause {
    /// The clause's words in `text` (the comment it belongs to); empty if the offsets do not fit it.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// Everything theming records about one comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    /// The comment's overall sentiment.
    pub sentiment: SentimentScore,
    /// Touchpoints mentioned, in journey order.
    pub touchpoints: Vec<TouchpointMention>,
    /// Themes from every source.
    pub themes: Vec<ThemeAssignment>,
    /// The discovered cluster the comment belongs to, if discovery ran and placed it.
    pub discovered_theme: Option<u32>,
    /// The text sentiment contradicts the FFT score (scored very good, text complains, or the reverse).
    pub discordant: bool,
    /// The comment's clauses, in order, each with its sentiment, touchpoints and codebook themes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<Clause>,
}

impl Default for Annotations {
    /// A neutral comment about nothing in particular.
    fn default() -> Self {
        Annotations {
            sentiment: SentimentScore {
                label: SentimentLabel::Neutral,
                score: 0.0,
            },
            touchpoints: Vec::new(),
            themes: Vec::new(),
            discovered_theme: None,
            discordant: false,
            clauses: Vec::new(),
        }
    }
}
