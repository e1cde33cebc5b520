//! The theming engine: every comment analysed once with the shared analyzer, its tokens shared by
//! sentiment, touchpoints and codebook themes, in parallel and deterministically; then the model's labels
//! and discovered themes added, and the run summarised.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chorus_core::{
    AnnotationTable, Annotations, CatalogEntry, Comment, Direction, FftScore, QuestionKind,
    SentimentLabel, SentimentScore, ThemeAssignment, ThemeCatalog, ThemeSource,
};
use rayon::prelude::*;

use crate::codebook::Codebook;
use crate::crosswalk::{self, Crosswalk};
use crate::discover::{
    ChunkTerms, ClusterCount, DiscoverDoc, DiscoverOptions, DocTerms, DocTexts, discover_terms,
};
use crate::error::Error;
use crate::lexicon::Lexicon;
use crate::model::{Prediction, Predictor, ThemeModel};

mod analyser;
mod summary;

pub use analyser::{CommentAnalyser, ExplainedClause, ExplainedReason, Explanation};
use summary::summarise;
pub use summary::{EntrySummary, RunSummary, SentimentCounts, Timings};

/// What a theming run uses: codebooks, lexicon, and optionally a trained model and discovery.
#[derive(Debug, Clone)]
pub struct ThemeConfig {
    /// Journey touchpoints (default: the built-in journey).
    pub touchpoints: Codebook,
    /// Codebook themes (default: the built-in themes).
    pub themes: Codebook,
    /// The sentiment lexicon (default: the built-in one).
    pub lexicon: Lexicon,
    /// A trained model whose labels become themes with source `model`; if it predicts sentiment, that
    /// becomes the comment's sentiment (touchpoints and codebook themes keep the lexicon's, clause by
    /// clause).
    pub model: Option<ThemeModel>,
    /// Where the model's labels are reported (default: the built-in v6 → v7 crosswalk); labels it does
    /// not place keep their names.
    pub crosswalk: Crosswalk,
    /// Discover themes by clustering, with these options.
    pub discover: Option<DiscoverOptions>,
    /// Leave comments that a codebook or model theme already explains out of discovery, so that it finds
    /// what the codebook misses.
    pub set_aside_explained: bool,
    /// Appended to the run description in the catalog (e.g. the model's file and the time of the run).
    pub note: String,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig {
            touchpoints: Codebook::builtin_touchpoints(),
            themes: Codebook::builtin_themes(),
            lexicon: Lexicon::builtin(),
            model: None,
            crosswalk: Crosswalk::builtin(),
            discover: None,
            set_aside_explained: false,
            note: String::new(),
        }
    }
}

/// The result of [`analyse`] or a [`Themer`].
#[derive(Debug, Clone)]
pub struct ThemeRun {
    /// One row per input comment, in input order; none for a comment with no text (`no_comment`), which
    /// is not analysed: reports count it as "no comment", not as neutral.
    pub table: AnnotationTable,
    /// The touchpoints, themes and discovered themes of the run.
    pub catalog: ThemeCatalog,
    /// Counts and timings.
    pub summary: RunSummary,
}

impl ThemeRun {
    /// Every comment's annotations, in input order (for small runs and tests: a store reads them from the
    /// table as it needs them).
    pub fn annotations(&self) -> Vec<Option<Annotations>> {
        (0..self.table.len()).map(|i| self.table.get(i)).collect()
    }
}

/// The sentiment of a comment the model scored (`model`) and the lexicon scored (`lexicon`): the
/// model's, except that a model whose scale has no "mixed" (the middle of the 1–5 scale means neutral or
/// mixed) calls a comment that praises and complains "neutral", and the lexicon, which scored each
/// clause, tells the two apart. On the v6 file, every comment this makes mixed is gold-labelled neutral
/// or mixed (41 of 41).
fn model_sentiment(
    model: SentimentScore,
    lexicon: SentimentScore,
    model_knows_mixed: bool,
) -> SentimentScore {
    let mixed = !model_knows_mixed
        && model.label == SentimentLabel::Neutral
        && lexicon.label == SentimentLabel::Mixed;
    SentimentScore {
        label: if mixed {
            SentimentLabel::Mixed
        } else {
            model.label
        },
        score: model.score,
    }
}

/// The direction of a model label from its wording: praise and thanks are good news, complaints bad.
fn model_label_direction(label: &str) -> Direction {
    let label = label.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| label.contains(w));
    if has(&["positive", "gratitude", "praise", "compliment", "thanks"]) {
        Direction::HigherIsBetter
    } else if has(&[
        "negative",
        "complaint",
        "poor",
        "problem",
        "dissatisf",
        "delay",
    ]) {
        Direction::LowerIsBetter
    } else {
        Direction::Neutral
    }
}

fn catalog_entries(codebook: &Codebook) -> Vec<CatalogEntry> {
    codebook
        .entries
        .iter()
        .map(|e| CatalogEntry {
            id: e.id.clone(),
            label: e.label.clone(),
            source: ThemeSource::Codebook,
            description: e.description.clone(),
            direction: e.direction,
            category: None,
        })
        .collect()
}

fn describe(config: &ThemeConfig) -> String {
    let mut parts = vec![
        format!(
            "touchpoints: {} ({} entries)",
            config.touchpoints.origin.display(),
            config.touchpoints.entries.len()
        ),
        format!(
            "themes: {} ({} entries)",
            config.themes.origin.display(),
            config.themes.entries.len()
        ),
        format!("lexicon: {} entries", config.lexicon.len()),
    ];
    if let Some(model) = &config.model {
        parts.push(format!(
            "model: {} labels{}",
            model.labels().len(),
            if model.has_sentiment() {
                " with sentiment"
            } else {
                ""
            }
        ));
        if !config.crosswalk.categories.is_empty() {
            parts.push(format!("reported under {}", config.crosswalk.name));
        }
    }
    if let Some(options) = &config.discover {
        let count = match options.count {
            ClusterCount::Fixed(k) => k.to_string(),
            ClusterCount::Auto => "auto".to_owned(),
        };
        parts.push(format!(
            "discovery: {count} themes, seed {}{}",
            options.seed,
            if config.set_aside_explained {
                ", explained comments set aside"
            } else {
                ""
            }
        ));
    }
    if !config.note.is_empty() {
        parts.push(config.note.clone());
    }
    parts.join("; ")
}

/// What theming reads of a comment.
#[derive(Debug, Clone, Copy)]
pub struct ThemeInput<'a> {
    /// The comment text (empty when `no_comment`).
    pub text: &'a str,
    /// The kind of question it answers (stores keep it, so it is classified once, at ingest).
    pub question_kind: QuestionKind,
    /// The FFT score that came with it, for discordance.
    pub score: FftScore,
    /// The respondent left the question blank: not analysed.
    pub no_comment: bool,
}

impl<'a> ThemeInput<'a> {
    /// What theming reads of `comment`, which answers a question of kind `question_kind`.
    pub fn new(comment: &'a Comment, question_kind: QuestionKind) -> ThemeInput<'a> {
        ThemeInput {
            text: &comment.text,
            question_kind,
            score: comment.score,
            no_comment: comment.no_comment,
        }
    }
}

/// Analyses every comment: sentiment, touchpoints and codebook themes in parallel, then the model's labels
/// and discovered themes if configured. Deterministic for the same comments and configuration.
pub fn analyse(comments: &[Comment], config: &ThemeConfig) -> Result<ThemeRun, Error> {
    let mut themer = Themer::new(config)?;
    let inputs: Vec<ThemeInput<'_>> = comments
        .iter()
        .map(|c| ThemeInput::new(c, c.question_kind()))
        .collect();
    themer.add(&inputs);
    let texts: Vec<DiscoverDoc<'_>> = comments
        .iter()
        .map(|c| DiscoverDoc {
            text: &c.text,
            include: false,
        })
        .collect();
    Ok(themer.finish(&texts.as_slice()))
}

/// A theming run fed its comments in batches, in order, so that a store of any size is read once and
/// never held whole: each comment is analysed once with the shared analyzer, and its tokens serve
/// sentiment, touchpoints, codebook themes, the model's features and discovery's terms. Discovery, which
/// needs every comment, runs at [`Themer::finish`] from the terms gathered on the way.
pub struct Themer<'c> {
    config: &'c ThemeConfig,
    workers: Vec<Mutex<Worker<'c>>>,
    /// The name each model label's themes take (by label index), under the crosswalk.
    model_labels: Vec<Arc<str>>,
    /// The model's catalog entries, one per name, in framework order.
    model_entries: Vec<CatalogEntry>,
    table: AnnotationTable,
    /// Discovery's terms of every comment, and which comments it clusters.
    terms: DocTerms,
    include: Vec<bool>,
    pass_seconds: f64,
}

impl std::fmt::Debug for Themer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Themer")
            .field("comments", &self.table.len())
            .finish_non_exhaustive()
    }
}

/// One thread's analyser and model predictor, and the time it spent working and predicting.
struct Worker<'m> {
    analyser: CommentAnalyser,
    predictor: Option<Predictor<'m>>,
    busy_seconds: f64,
    model_seconds: f64,
}

/// Comments per parallel chunk: small enough to balance two cores, large enough that a chunk's
/// discovery dictionary is worth merging.
const CHUNK: usize = 1024;

impl<'c> Themer<'c> {
    /// Compiles the configuration (codebooks, lexicon) for a run.
    pub fn new(config: &'c ThemeConfig) -> Result<Themer<'c>, Error> {
        let analyser = CommentAnalyser::new(config)?;
        let workers = (0..rayon::current_num_threads().max(1))
            .map(|_| {
                Mutex::new(Worker {
                    analyser: analyser.clone(),
                    predictor: config.model.as_ref().map(ThemeModel::predictor),
                    busy_seconds: 0.0,
                    model_seconds: 0.0,
                })
            })
            .collect();
        let (names, model_entries) = config
            .model
            .as_ref()
            .map_or_else(Default::default, |model| {
                crosswalk::model_themes(model.labels(), &config.crosswalk, model_label_direction)
            });
        let model_labels = names.iter().map(|l| Arc::from(l.as_str())).collect();
        Ok(Themer {
            config,
            workers,
            model_labels,
            model_entries,
            table: AnnotationTable::new(),
            terms: DocTerms::default(),
            include: Vec::new(),
            pass_seconds: 0.0,
        })
    }

    /// Themes the next comments (in parallel); their annotations follow those of earlier batches.
    pub fn add(&mut self, batch: &[ThemeInput<'_>]) {
        let started = Instant::now();
        let discovering = self.config.discover.is_some();
        let chunks: Vec<(Vec<Option<Annotations>>, ChunkTerms)> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let slot = rayon::current_thread_index().unwrap_or(0) % self.workers.len();
                // Only this thread uses its slot, so the lock is never contended; a poisoned one (a
                // panic in another chunk) still holds a valid analyser.
                let mut worker = self.workers[slot]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let began = Instant::now();
                let mut terms = ChunkTerms::default();
                let annotations = chunk
                    .iter()
                    .map(|input| {
                        self.theme_one(&mut worker, input, discovering.then_some(&mut terms))
                    })
                    .collect();
                worker.busy_seconds += began.elapsed().as_secs_f64();
                (annotations, terms)
            })
            .collect();
        for (annotations, terms) in chunks {
            let set_aside = self.config.set_aside_explained;
            self.include.extend(annotations.iter().map(|a| {
                a.as_ref().is_some_and(|a| {
                    !(set_aside && a.themes.iter().any(|t| t.source != ThemeSource::Discovered))
                })
            }));
            for a in &annotations {
                self.table.push(a.as_ref());
            }
            if discovering {
                self.terms.append(terms);
            }
        }
        self.pass_seconds += started.elapsed().as_secs_f64();
    }

    /// One comment: the analyser's annotations, the model's on top, and discovery's terms.
    fn theme_one(
        &self,
        worker: &mut Worker<'c>,
        input: &ThemeInput<'_>,
        terms: Option<&mut ChunkTerms>,
    ) -> Option<Annotations> {
        let mut annotations = worker.analyser.annotate_input(input);
        if let (Some(a), Some(predictor)) = (annotations.as_mut(), worker.predictor.as_mut()) {
            let began = Instant::now();
            let prediction =
                predictor.predict(input.text, worker.analyser.tokens(), input.question_kind);
            self.add_prediction(a, prediction);
            worker.model_seconds += began.elapsed().as_secs_f64();
        }
        if let Some(terms) = terms {
            if annotations.is_some() {
                terms.push(input.text, worker.analyser.tokens());
            } else if input.text.is_empty() {
                terms.push_empty();
            } else {
                terms.push(input.text, worker.analyser.tokenize(input.text));
            }
        }
        annotations
    }

    /// The model's sentiment and labels, added to a comment's annotations.
    fn add_prediction(&self, a: &mut Annotations, prediction: Prediction) {
        let Some(model) = &self.config.model else {
            return;
        };
        if let Some(predicted) = prediction.sentiment {
            let knows_mixed = model
                .header()
                .sentiment
                .as_ref()
                .is_some_and(|info| info.classes.contains(&SentimentLabel::Mixed));
            let s = model_sentiment(predicted, a.sentiment, knows_mixed);
            // Discordance stays conservative: it needs the lexicon and the model to agree.
            if a.discordant && s.label != a.sentiment.label {
                a.discordant = false;
            }
            a.sentiment = s;
        }
        for (label, confidence) in prediction.labels {
            if let Some(name) = self.model_labels.get(label) {
                // Two labels under one sub-category make one theme, at the higher confidence (first).
                let seen = |t: &ThemeAssignment| t.source == ThemeSource::Model && t.name == *name;
                if a.themes.iter().any(seen) {
                    continue;
                }
                a.themes.push(ThemeAssignment {
                    name: Arc::clone(name),
                    source: ThemeSource::Model,
                    confidence,
                    sentiment: a.sentiment.label,
                });
            }
        }
    }

    /// How many comments have been added.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no comment has been added.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Discovers themes (if configured) and summarises the run. `texts` gives the text of comment `i`
    /// (the `i`-th added), for the few that discovered themes are labelled and quoted from.
    pub fn finish(self, texts: &dyn DocTexts) -> ThemeRun {
        let config = self.config;
        let mut table = self.table;
        let mut catalog = ThemeCatalog {
            touchpoints: catalog_entries(&config.touchpoints),
            themes: catalog_entries(&config.themes),
            discovered: Vec::new(),
            run: describe(config),
        };
        catalog.themes.extend(self.model_entries);
        // The pass's wall time, split between analysis and the model by the threads' own time.
        let (busy, model) = self
            .workers
            .into_iter()
            .map(|w| {
                w.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            })
            .fold((0.0, 0.0), |(b, m), w| {
                (b + w.busy_seconds, m + w.model_seconds)
            });
        let model_share = if busy > 0.0 { model / busy } else { 0.0 };
        let model_seconds = self.pass_seconds * model_share;

        let mut discovery_seconds = 0.0;
        if let Some(options) = &config.discover {
            let started = Instant::now();
            let discovery = discover_terms(&self.terms, &self.include, texts, options);
            drop(self.terms);
            let labels: Vec<String> = discovery.themes.iter().map(|t| t.label.clone()).collect();
            table.set_discovered(&labels, &discovery.assignments);
            catalog.discovered = discovery.themes;
            discovery_seconds = started.elapsed().as_secs_f64();
        }

        let summary = summarise(
            &table,
            &catalog,
            Timings {
                analysis_seconds: self.pass_seconds - model_seconds,
                model_seconds,
                discovery_seconds,
            },
        );
        ThemeRun {
            table,
            catalog,
            summary,
        }
    }
}

/// Maps `f` over the comments in parallel, in order, with one analyser per worker thread. Each keeps its
/// analyzer's stem cache warm for the whole run: rayon's `map_init` would start a fresh one for every split
/// of the work.
fn per_thread<T: Send>(
    analyser: &CommentAnalyser,
    comments: &[Comment],
    f: impl Fn(&mut CommentAnalyser, &Comment) -> T + Sync,
) -> Vec<T> {
    const CHUNK: usize = 1024;
    let pool: Vec<Mutex<CommentAnalyser>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::new(analyser.clone()))
        .collect();
    let chunks: Vec<Vec<T>> = comments
        .par_chunks(CHUNK)
        .map(|chunk| {
            let slot = rayon::current_thread_index().unwrap_or(0) % pool.len();
            // Only this thread uses its slot, so the lock is never contended; a poisoned one (a panic in
            // another chunk) is still a valid analyser.
            let mut a = pool[slot]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            chunk.iter().map(|c| f(&mut a, c)).collect()
        })
        .collect();
    chunks.into_iter().flatten().collect()
}

/// Comments with text that match each entry of a codebook, in entry order, for `chorus codebook check
/// --store`.
pub fn match_counts(codebook: &Codebook, comments: &[Comment]) -> Result<Vec<u64>, Error> {
    let config = ThemeConfig {
        touchpoints: Codebook {
            entries: Vec::new(),
            ..codebook.clone()
        },
        themes: codebook.clone(),
        ..ThemeConfig::default()
    };
    let analyser = CommentAnalyser::new(&config)?;
    let per_comment: Vec<Vec<u32>> = per_thread(&analyser, comments, |a, comment| {
        if comment.no_comment {
            Vec::new()
        } else {
            a.theme_entries(&comment.text)
        }
    });
    let mut counts = vec![0u64; codebook.entries.len()];
    for entries in per_comment {
        for e in entries {
            counts[e as usize] += 1;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(label: SentimentLabel) -> SentimentScore {
        SentimentScore { label, score: 0.1 }
    }

    #[test]
    fn a_model_without_mixed_defers_to_the_lexicon_only_between_neutral_and_mixed() {
        use SentimentLabel::*;
        let merged =
            |model, lexicon, knows| model_sentiment(score(model), score(lexicon), knows).label;
        assert_eq!(merged(Neutral, Mixed, false), Mixed);
        // The model decides everything else.
        assert_eq!(merged(Positive, Mixed, false), Positive);
        assert_eq!(merged(Neutral, Negative, false), Neutral);
        assert_eq!(
            merged(Neutral, Mixed, true),
            Neutral,
            "a model that knows mixed"
        );
    }
}
