//! `theme`: a store's comments read once, in order and in batches, themed with one analysis pass each,
//! and the annotations saved beside the index.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use chorus_core::{FftScore, QuestionKind, ThemeCatalog};
use chorus_index::{SeqTexts, Store, TextRow};
use chorus_themes::discover::DocTexts;
use chorus_themes::{RunSummary, ThemeConfig, ThemeInput, Themer};
use serde::Serialize;

use crate::Error;

/// Comments read and themed per batch: large enough to keep both cores busy, small enough that the
/// batch's texts are a few megabytes.
const BATCH: usize = 16_384;

/// Where the time of a theming run went, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ThemeSeconds {
    /// Reading the comments from the store.
    pub read: f64,
    /// The analysis pass: sentiment, touchpoints and codebook themes.
    pub analysis: f64,
    /// The model's share of the analysis pass.
    pub model: f64,
    /// Discovered themes.
    pub discovery: f64,
    /// Writing the annotations.
    pub save: f64,
    /// The whole run.
    pub total: f64,
}

/// What [`theme`] did.
#[derive(Clone, Debug)]
pub struct Themed {
    /// Counts of the run.
    pub summary: RunSummary,
    /// What the run used and found.
    pub catalog: ThemeCatalog,
    /// Where the time went.
    pub seconds: ThemeSeconds,
}

/// A comment left out of theming: a number no stored comment has (one removed by `chorus check
/// --repair`), kept as a blank so every later comment keeps its place.
const GAP: ThemeInput<'static> = ThemeInput {
    text: "",
    question_kind: QuestionKind::Other,
    score: FftScore::NotGiven,
    no_comment: true,
};

/// Themes every comment of `store` with `config` and saves the annotations (with the run's catalog)
/// beside the index, replacing any earlier run's. Takes the store's writer lock first, so a run started
/// while another command writes fails at once.
pub fn theme(store: &Store, config: &ThemeConfig) -> Result<Themed, Error> {
    let started = Instant::now();
    let annotator = store.annotator()?;
    let mut themer = Themer::new(config)?;
    let mut reading = Instant::now();
    let mut read = Duration::ZERO;
    store.for_each_text(BATCH, |rows: Vec<TextRow>| {
        read += reading.elapsed();
        let mut inputs = Vec::with_capacity(rows.len());
        for row in &rows {
            while ((themer.len() + inputs.len()) as u64) < row.seq {
                inputs.push(GAP);
            }
            inputs.push(ThemeInput {
                text: &row.text,
                question_kind: row.question_kind,
                score: row.score,
                no_comment: row.no_comment,
            });
        }
        themer.add(&inputs);
        reading = Instant::now();
        Ok::<(), Error>(())
    })?;
    while (themer.len() as u64) < store.next_seq()? {
        themer.add(&[GAP]);
    }
    let texts = StoreTexts(store.texts()?);
    let run = themer.finish(&texts);
    let saving = Instant::now();
    annotator.save(&run.table, &run.catalog)?;
    let t = run.summary.timings;
    Ok(Themed {
        seconds: ThemeSeconds {
            read: read.as_secs_f64(),
            analysis: t.analysis_seconds,
            model: t.model_seconds,
            discovery: t.discovery_seconds,
            save: saving.elapsed().as_secs_f64(),
            total: started.elapsed().as_secs_f64(),
        },
        summary: run.summary,
        catalog: run.catalog,
    })
}

/// Discovery reads the texts it quotes from the store, by sequence number (each comment's place in the
/// run).
struct StoreTexts(SeqTexts);

impl DocTexts for StoreTexts {
    fn text(&self, doc: usize) -> Cow<'_, str> {
        Cow::Owned(self.0.text(doc as u64).unwrap_or_default())
    }
}
