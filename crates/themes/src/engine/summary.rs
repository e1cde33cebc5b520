//! What a theming run found, counted: comments by sentiment, per touchpoint and theme, and timings.

use chorus_core::{AnnotationTable, CatalogEntry, SentimentLabel, ThemeCatalog, ThemeSource};
use serde::Serialize;

/// Comments by sentiment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SentimentCounts {
    /// Positive.
    pub positive: u64,
    /// Neutral.
    pub neutral: u64,
    /// Mixed.
    pub mixed: u64,
    /// Negative.
    pub negative: u64,
}

impl SentimentCounts {
    fn add(&mut self, label: SentimentLabel) {
        match label {
            SentimentLabel::Positive => self.positive += 1,
            SentimentLabel::Neutral => self.neutral += 1,
            SentimentLabel::Mixed => self.mixed += 1,
            SentimentLabel::Negative => self.negative += 1,
        }
    }
}

/// How many comments a touchpoint or theme got, and how they felt about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntrySummary {
    /// Catalog id (for discovered themes, the cluster number).
    pub id: String,
    /// Label.
    pub label: String,
    /// Codebook, model or discovered.
    pub source: ThemeSource,
    /// Comments with it.
    pub comments: u64,
    /// Their sentiment about it.
    pub sentiment: SentimentCounts,
}

/// Seconds spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Analysis, sentiment, touchpoints and codebook themes.
    pub analysis_seconds: f64,
    /// Model prediction.
    pub model_seconds: f64,
    /// Discovery.
    pub discovery_seconds: f64,
}

/// What a run did, for the command's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Comments given.
    pub comments: u64,
    /// Of which had no text.
    pub no_comment: u64,
    /// Of which were analysed.
    pub analysed: u64,
    /// Analysed comments with at least one touchpoint or theme.
    pub themed: u64,
    /// Analysed comments by overall sentiment.
    pub sentiment: SentimentCounts,
    /// Comments whose text contradicts their score.
    pub discordant: u64,
    /// Per touchpoint, in journey order.
    pub touchpoints: Vec<EntrySummary>,
    /// Per codebook and model theme, in catalog order.
    pub themes: Vec<EntrySummary>,
    /// Per discovered theme, by id.
    pub discovered: Vec<EntrySummary>,
    /// Where the time went.
    pub timings: Timings,
}

/// Counts a run's annotations (one per comment given).
pub(super) fn summarise(
    table: &AnnotationTable,
    catalog: &ThemeCatalog,
    timings: Timings,
) -> RunSummary {
    let entry = |e: &CatalogEntry| EntrySummary {
        id: e.id.clone(),
        label: e.label.clone(),
        source: e.source,
        comments: 0,
        sentiment: SentimentCounts::default(),
    };
    let mut touchpoints: Vec<EntrySummary> = catalog.touchpoints.iter().map(entry).collect();
    let mut themes: Vec<EntrySummary> = catalog.themes.iter().map(entry).collect();
    let mut discovered: Vec<EntrySummary> = catalog
        .discovered
        .iter()
        .map(|d| EntrySummary {
            id: d.id.to_string(),
            label: d.label.clone(),
            source: ThemeSource::Discovered,
            comments: 0,
            sentiment: SentimentCounts::default(),
        })
        .collect();
    // The table numbers its names; each number's row, found once.
    let touchpoint_row: Vec<Option<usize>> = table
        .touchpoint_names()
        .iter()
        .map(|id| touchpoints.iter().position(|r| *r.id == **id))
        .collect();
    let theme_row: Vec<Option<usize>> = table
        .theme_names()
        .iter()
        .map(|(source, name)| {
            themes
                .iter()
                .position(|r| r.source == *source && *r.label == **name)
        })
        .collect();
    let discovered_row = |id: u32| discovered.iter().position(|r| r.id == id.to_string());
    let discovered_rows: Vec<Option<usize>> = (0..catalog.discovered.len() as u32)
        .map(discovered_row)
        .collect();
    let mut summary = RunSummary {
        comments: table.len() as u64,
        no_comment: 0,
        analysed: 0,
        themed: 0,
        sentiment: SentimentCounts::default(),
        discordant: 0,
        touchpoints: Vec::new(),
        themes: Vec::new(),
        discovered: Vec::new(),
        timings,
    };
    for i in 0..table.len() {
        let Some(sentiment) = table.sentiment(i) else {
            summary.no_comment += 1;
            continue;
        };
        summary.analysed += 1;
        summary.sentiment.add(sentiment);
        summary.discordant += u64::from(table.is_discordant(i));
        if table.touchpoints_of(i).next().is_some() || table.themes_of(i).next().is_some() {
            summary.themed += 1;
        }
        for (number, feeling) in table.touchpoint_cells(i) {
            if let Some(row) = touchpoint_row[usize::from(number)] {
                touchpoints[row].comments += 1;
                touchpoints[row].sentiment.add(feeling);
            }
        }
        for (number, feeling) in table.theme_cells(i) {
            if let Some(row) = theme_row[number as usize] {
                themes[row].comments += 1;
                themes[row].sentiment.add(feeling);
            }
        }
        let placed = table
            .discovered(i)
            .and_then(|id| discovered_rows.get(id as usize).copied().flatten());
        if let Some(row) = placed {
            discovered[row].comments += 1;
            discovered[row].sentiment.add(sentiment);
        }
    }
    summary.touchpoints = touchpoints;
    summary.themes = themes;
    summary.discovered = discovered;
    summary
}
