//! What a theming run found, beyond the per-comment annotations: the touchpoints and themes it used, the
//! discovered themes with their key phrases and quotes, and the model it applied.

use serde::{Deserialize, Serialize};

use crate::ThemeSource;

/// Whether more of a measure is good or bad news, for SPC charts and change flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (praise, gratitude).
    HigherIsBetter,
    /// More is worse (complaints about waiting).
    LowerIsBetter,
    /// Neither (a topic mentioned both ways).
    Neutral,
}

/// A touchpoint or theme that a run could assign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Stable id (`waiting`, `staff-attitude`; for model labels, the label itself).
    pub id: String,
    /// Human label as shown in reports.
    pub label: String,
    /// Where it comes from.
    pub source: ThemeSource,
    /// What it covers, for the reader of a report.
    pub description: String,
    /// Whether more comments with this theme is good or bad news.
    pub direction: Direction,
    /// The framework category it belongs to, for grouping in reports (a model's themes under a crosswalk,
    /// such as "Staff" for "Staffing levels & responsiveness"); `None` for codebook and discovered themes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// A theme found by clustering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoveredTheme {
    /// The cluster id, as in [`crate::Annotations::discovered_theme`].
    pub id: u32,
    /// A short label made from the key phrases.
    pub label: String,
    /// The most distinctive words and phrases of the cluster, best first.
    pub key_phrases: Vec<String>,
    /// 3–5 short, diverse, representative quotes (redacted text).
    pub quotes: Vec<String>,
    /// Comments in the cluster.
    pub size: u64,
}

/// Everything a theming run records about itself, stored beside the index and read by reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThemeCatalog {
    /// Journey touchpoints, in journey order.
    pub touchpoints: Vec<CatalogEntry>,
    /// Codebook and model themes.
    pub themes: Vec<CatalogEntry>,
    /// Discovered themes, if discovery ran.
    pub discovered: Vec<DiscoveredTheme>,
    /// A one-line description of the run: codebooks, model, seed, when.
    pub run: String,
}
