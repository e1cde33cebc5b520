//! The theming engine: every comment analysed once with the shared analyzer, its tokens shared by
//! sentiment, touchpoints and codebook themes, in parallel and deterministically; then the model's labels
//! and discovered themes added, and the run summarised.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chorus_core::{
    Annotations, CatalogEntry, Comment, Direction, QuestionKind, SentimentLabel, SentimentScore,
    ThemeAssignment, ThemeCatalog, ThemeSource, TouchpointMention,
};
use chorus_text::{Analyzer, Tokens};
use rayon::prelude::*;
use serde::Serialize;

use crate::codebook::{Codebook, CompiledCodebook, RawMatch};
use crate::crosswalk::{self, Crosswalk};
use crate::discordance::is_discordant;
use crate::discover::{ClusterCount, DiscoverDoc, DiscoverOptions, discover};
use crate::error::Error;
use crate::lexicon::{CompiledLexicon, Lexicon};
use crate::model::{ModelInput, ThemeModel};
use crate::patterns::{Doc, Sym, Vocab};
use crate::sentiment::{self, ClauseScore, CommentSentiment};

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

/// The result of [`analyse`].
#[derive(Debug, Clone)]
pub struct ThemeRun {
    /// One per input comment, in input order; `None` for a comment with no text (`no_comment`), which is
    /// not analysed: reports count it as "no comment", not as neutral.
    pub annotations: Vec<Option<Annotations>>,
    /// The touchpoints, themes and discovered themes of the run.
    pub catalog: ThemeCatalog,
    /// Counts and timings.
    pub summary: RunSummary,
}

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

/// Everything compiled once per run and shared by the threads.
#[derive(Debug)]
struct Compiled {
    vocab: Vocab,
    lexicon: CompiledLexicon,
    touchpoints: CompiledCodebook,
    themes: CompiledCodebook,
    /// Shared by every annotation that names them (see `chorus_core::Interner`).
    touchpoint_ids: Vec<Arc<str>>,
    theme_labels: Vec<Arc<str>>,
}

impl Compiled {
    fn new(config: &ThemeConfig) -> Result<Compiled, Error> {
        let mut analyzer = Analyzer::english();
        let mut vocab = Vocab::default();
        let mut lexicon = config.lexicon.compile(&mut analyzer, &mut vocab)?;
        let mut touchpoints = config.touchpoints.compile(&mut analyzer, &mut vocab);
        let mut themes = config.themes.compile(&mut analyzer, &mut vocab);
        lexicon.finish(vocab.len());
        touchpoints.finish(vocab.len());
        themes.finish(vocab.len());
        Ok(Compiled {
            vocab,
            lexicon,
            touchpoints,
            themes,
            touchpoint_ids: config
                .touchpoints
                .entries
                .iter()
                .map(|e| Arc::from(e.id.as_str()))
                .collect(),
            theme_labels: config
                .themes
                .entries
                .iter()
                .map(|e| Arc::from(e.label.as_str()))
                .collect(),
        })
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

/// Analyses one comment at a time with a compiled configuration: sentiment, touchpoints and codebook
/// themes (the model and discovery work on whole runs, in [`analyse`]). Clone one per thread; clones share
/// the compiled codebooks and lexicon.
#[derive(Debug, Clone)]
pub struct CommentAnalyser {
    compiled: Arc<Compiled>,
    analyzer: Analyzer,
    tokens: Tokens,
    syms: Vec<Sym>,
    negated: Vec<bool>,
    clause_ranges: Vec<std::ops::Range<usize>>,
    clauses: Vec<ClauseScore>,
    scratch: sentiment::Scratch,
    matches: Vec<RawMatch>,
    entries: Vec<u32>,
    found: Vec<(u32, u32)>,
    last_question: Option<(String, QuestionKind)>,
}

/// Why a text got its sentiment, from [`CommentAnalyser::explain`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The comment's sentiment.
    pub sentiment: SentimentScore,
    /// Each clause, in order.
    pub clauses: Vec<ExplainedClause>,
}

/// One clause of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedClause {
    /// The clause's text.
    pub text: String,
    /// Its score, −1..1.
    pub score: f32,
    /// Its weight in the comment's mean (more after "but").
    pub weight: f32,
    /// Whether it counted at all (a clause with no opinion does not).
    pub judged: bool,
    /// What moved the score.
    pub reasons: Vec<ExplainedReason>,
}

/// One word, phrase or rule behind a clause's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedReason {
    /// The words of the comment concerned.
    pub words: String,
    /// The weight it added (after negation, intensifiers and capitals).
    pub weight: f32,
    /// Which rule.
    pub why: &'static str,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} ({:+.2})", self.sentiment.label, self.sentiment.score)?;
        for clause in &self.clauses {
            write!(
                f,
                "  [{}{:+.2} x{:.1}] {}",
                if clause.judged { "" } else { "unscored " },
                clause.score,
                clause.weight,
                clause.text
            )?;
            for reason in &clause.reasons {
                write!(
                    f,
                    "\n      {:+.2} {:?}: {}",
                    reason.weight, reason.words, reason.why
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// One comment's analysis before it becomes [`Annotations`].
struct Analysis {
    sentiment: CommentSentiment,
    touchpoints: Vec<TouchpointMention>,
    themes: Vec<ThemeAssignment>,
}

impl CommentAnalyser {
    /// Compiles a configuration (its codebooks and lexicon; the model and discovery are not used here).
    pub fn new(config: &ThemeConfig) -> Result<CommentAnalyser, Error> {
        Ok(CommentAnalyser {
            compiled: Arc::new(Compiled::new(config)?),
            analyzer: Analyzer::english(),
            tokens: Tokens::new(),
            syms: Vec::new(),
            negated: Vec::new(),
            clause_ranges: Vec::new(),
            clauses: Vec::new(),
            scratch: sentiment::Scratch::default(),
            matches: Vec::new(),
            entries: Vec::new(),
            found: Vec::new(),
            last_question: None,
        })
    }

    /// The built-in configuration: built-in touchpoints, themes and lexicon.
    pub fn builtin() -> CommentAnalyser {
        CommentAnalyser::new(&ThemeConfig::default())
            .expect("the built-in configuration compiles (a test checks it)")
    }

    /// The sentiment of a text answering a question of the given kind.
    pub fn sentiment(&mut self, text: &str, kind: QuestionKind) -> SentimentScore {
        let analysis = self.run(text, kind);
        SentimentScore {
            label: analysis.sentiment.label,
            score: analysis.sentiment.score,
        }
    }

    /// Sentiment, touchpoints, codebook themes and discordance for one comment; `None` when it has no text
    /// (`no_comment`).
    pub fn annotate(&mut self, comment: &Comment) -> Option<Annotations> {
        if comment.no_comment {
            return None;
        }
        let kind = self.question_kind(&comment.question);
        let analysis = self.run(&comment.text, kind);
        Some(Annotations {
            sentiment: SentimentScore {
                label: analysis.sentiment.label,
                score: analysis.sentiment.score,
            },
            touchpoints: analysis.touchpoints,
            themes: analysis.themes,
            discovered_theme: None,
            discordant: is_discordant(comment.score, kind, &analysis.sentiment),
        })
    }

    /// The codebook-theme entries a text matches, by index, without sentiment.
    fn theme_entries(&mut self, text: &str) -> Vec<u32> {
        let compiled = &*self.compiled;
        self.analyzer.analyze_into(text, &mut self.tokens);
        let tokens = &self.tokens[..];
        self.syms.clear();
        self.syms
            .extend(tokens.iter().map(|t| compiled.vocab.get(&t.term)));
        self.negated.clear();
        self.negated.extend(tokens.iter().map(|t| t.negated));
        let mut all = Vec::new();
        for clause in self.tokens.clauses() {
            self.entries.clear();
            let doc = Doc {
                text,
                tokens,
                syms: &self.syms,
                negated: &self.negated,
                forms: compiled.vocab.forms(),
            };
            compiled
                .themes
                .match_clause(doc, clause.tokens, &mut self.matches, &mut self.entries);
            all.extend_from_slice(&self.entries);
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Why a text gets its sentiment: each clause with its score and the words, phrases and rules behind
    /// it. For people checking a surprising label, and for tuning the lexicon.
    pub fn explain(&mut self, text: &str, kind: QuestionKind) -> Explanation {
        self.scratch.trace = Some(Vec::new());
        let analysis = self.run(text, kind);
        let reasons = self.scratch.trace.take().unwrap_or_default();
        let clauses = self
            .clauses
            .iter()
            .enumerate()
            .map(|(index, clause)| {
                let range = &clause.tokens;
                let bytes = if range.is_empty() {
                    0..0
                } else {
                    self.tokens[range.start].start..self.tokens[range.end - 1].end
                };
                ExplainedClause {
                    text: text[bytes].to_owned(),
                    score: clause.score,
                    weight: clause.weight,
                    judged: clause.judged,
                    reasons: reasons
                        .iter()
                        .filter(|r| r.clause == index)
                        .map(|r| ExplainedReason {
                            words: text.get(r.bytes.clone()).unwrap_or("").to_owned(),
                            weight: r.weight,
                            why: r.why,
                        })
                        .collect(),
                }
            })
            .collect();
        Explanation {
            sentiment: SentimentScore {
                label: analysis.sentiment.label,
                score: analysis.sentiment.score,
            },
            clauses,
        }
    }

    fn question_kind(&mut self, question: &str) -> QuestionKind {
        if let Some((last, kind)) = &self.last_question
            && last == question
        {
            return *kind;
        }
        let kind = QuestionKind::classify(question);
        self.last_question = Some((question.to_owned(), kind));
        kind
    }

    fn run(&mut self, text: &str, kind: QuestionKind) -> Analysis {
        let compiled = &*self.compiled;
        self.analyzer.analyze_into(text, &mut self.tokens);
        let tokens = &self.tokens[..];
        if tokens.is_empty() {
            return Analysis {
                sentiment: CommentSentiment::default(),
                touchpoints: Vec::new(),
                themes: Vec::new(),
            };
        }
        self.syms.clear();
        self.syms
            .extend(tokens.iter().map(|t| compiled.vocab.get(&t.term)));
        self.clause_ranges.clear();
        self.clause_ranges
            .extend(self.tokens.clauses().map(|c| c.tokens));
        sentiment::effective_negation(
            &compiled.lexicon,
            text,
            tokens,
            &self.syms,
            &mut self.negated,
        );
        let doc = Doc {
            text,
            tokens,
            syms: &self.syms,
            negated: &self.negated,
            forms: compiled.vocab.forms(),
        };
        sentiment::score_clauses(
            &compiled.lexicon,
            doc,
            kind,
            &self.clause_ranges,
            &mut self.scratch,
            &mut self.clauses,
        );
        let comment = sentiment::roll_up(&self.clauses);

        let mut mentions = Vec::new();
        let mut themes = Vec::new();
        for (codebook, is_touchpoints) in [(&compiled.touchpoints, true), (&compiled.themes, false)]
        {
            if codebook.len() == 0 {
                continue;
            }
            self.found.clear();
            for (clause, range) in self.clause_ranges.iter().enumerate() {
                self.entries.clear();
                codebook.match_clause(doc, range.clone(), &mut self.matches, &mut self.entries);
                self.found
                    .extend(self.entries.iter().map(|&e| (e, clause as u32)));
            }
            self.found.sort_unstable();
            let mut k = 0;
            while k < self.found.len() {
                let entry = self.found[k].0;
                let mut j = k;
                while j < self.found.len() && self.found[j].0 == entry {
                    j += 1;
                }
                let clauses = &self.clauses;
                let (label, score) = sentiment::roll_up_some(
                    self.found[k..j].iter().map(|&(_, c)| &clauses[c as usize]),
                );
                if is_touchpoints {
                    mentions.push(TouchpointMention {
                        id: compiled.touchpoint_ids[entry as usize].clone(),
                        sentiment: label,
                        score,
                    });
                } else {
                    themes.push(ThemeAssignment {
                        name: compiled.theme_labels[entry as usize].clone(),
                        source: ThemeSource::Codebook,
                        confidence: 1.0,
                        sentiment: label,
                    });
                }
                k = j;
            }
        }
        Analysis {
            sentiment: comment,
            touchpoints: mentions,
            themes,
        }
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

/// Analyses every comment: sentiment, touchpoints and codebook themes in parallel, then the model's labels
/// and discovered themes if configured. Deterministic for the same comments and configuration.
pub fn analyse(comments: &[Comment], config: &ThemeConfig) -> Result<ThemeRun, Error> {
    let started = Instant::now();
    let analyser = CommentAnalyser::new(config)?;
    let mut annotations: Vec<Option<Annotations>> =
        per_thread(&analyser, comments, |a, comment| a.annotate(comment));
    let analysis_seconds = started.elapsed().as_secs_f64();

    let mut catalog = ThemeCatalog {
        touchpoints: catalog_entries(&config.touchpoints),
        themes: catalog_entries(&config.themes),
        discovered: Vec::new(),
        run: describe(config),
    };

    let mut model_seconds = 0.0;
    if let Some(model) = &config.model {
        let started = Instant::now();
        let rows: Vec<usize> = (0..comments.len())
            .filter(|&i| annotations[i].is_some())
            .collect();
        let inputs: Vec<ModelInput<'_>> = rows
            .iter()
            .map(|&i| ModelInput {
                text: &comments[i].text,
                question_kind: comments[i].question_kind(),
            })
            .collect();
        let predictions = model.predict_batch(&inputs);
        let (names, entries) =
            crosswalk::model_themes(model.labels(), &config.crosswalk, model_label_direction);
        let shared_labels: Vec<Arc<str>> = names.iter().map(|l| Arc::from(l.as_str())).collect();
        let model_knows_mixed = model
            .header()
            .sentiment
            .as_ref()
            .is_some_and(|info| info.classes.contains(&SentimentLabel::Mixed));
        for (&i, prediction) in rows.iter().zip(&predictions) {
            let Some(a) = annotations[i].as_mut() else {
                continue;
            };
            if let Some(predicted) = prediction.sentiment {
                let s = model_sentiment(predicted, a.sentiment, model_knows_mixed);
                // Discordance stays conservative: it needs the lexicon and the model to agree.
                if a.discordant && s.label != a.sentiment.label {
                    a.discordant = false;
                }
                a.sentiment = s;
            }
            for &(label, confidence) in &prediction.labels {
                if let Some(name) = shared_labels.get(label) {
                    // Two labels under one sub-category make one theme, at the higher confidence (first).
                    let seen =
                        |t: &ThemeAssignment| t.source == ThemeSource::Model && t.name == *name;
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
        catalog.themes.extend(entries);
        model_seconds = started.elapsed().as_secs_f64();
    }

    let mut discovery_seconds = 0.0;
    if let Some(options) = &config.discover {
        let started = Instant::now();
        let docs: Vec<DiscoverDoc<'_>> = comments
            .iter()
            .zip(&annotations)
            .map(|(comment, a)| DiscoverDoc {
                text: &comment.text,
                include: a.as_ref().is_some_and(|a| {
                    !(config.set_aside_explained
                        && a.themes.iter().any(|t| t.source != ThemeSource::Discovered))
                }),
            })
            .collect();
        let discovery = discover(&docs, options);
        let labels: Vec<Arc<str>> = discovery
            .themes
            .iter()
            .map(|t| Arc::from(t.label.as_str()))
            .collect();
        for (a, assignment) in annotations.iter_mut().zip(&discovery.assignments) {
            let (Some(a), Some((id, similarity))) = (a.as_mut(), assignment) else {
                continue;
            };
            if let Some(place) = discovery.themes.iter().position(|t| t.id == *id) {
                a.discovered_theme = Some(*id);
                a.themes.push(ThemeAssignment {
                    name: Arc::clone(&labels[place]),
                    source: ThemeSource::Discovered,
                    confidence: similarity.clamp(0.0, 1.0),
                    sentiment: a.sentiment.label,
                });
            }
        }
        catalog.discovered = discovery.themes;
        discovery_seconds = started.elapsed().as_secs_f64();
    }

    let summary = summarise(
        comments,
        &annotations,
        &catalog,
        Timings {
            analysis_seconds,
            model_seconds,
            discovery_seconds,
        },
    );
    Ok(ThemeRun {
        annotations,
        catalog,
        summary,
    })
}

fn summarise(
    comments: &[Comment],
    annotations: &[Option<Annotations>],
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
    let mut summary = RunSummary {
        comments: comments.len() as u64,
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
    for a in annotations {
        let Some(a) = a else {
            summary.no_comment += 1;
            continue;
        };
        summary.analysed += 1;
        summary.sentiment.add(a.sentiment.label);
        summary.discordant += u64::from(a.discordant);
        if !a.touchpoints.is_empty() || !a.themes.is_empty() {
            summary.themed += 1;
        }
        for mention in &a.touchpoints {
            if let Some(row) = touchpoints.iter_mut().find(|r| *r.id == *mention.id) {
                row.comments += 1;
                row.sentiment.add(mention.sentiment);
            }
        }
        for theme in &a.themes {
            let row = match theme.source {
                ThemeSource::Discovered => a
                    .discovered_theme
                    .and_then(|id| discovered.iter_mut().find(|r| r.id == id.to_string())),
                source => themes
                    .iter_mut()
                    .find(|r| r.source == source && *r.label == *theme.name),
            };
            if let Some(row) = row {
                row.comments += 1;
                row.sentiment.add(theme.sentiment);
            }
        }
    }
    summary.touchpoints = touchpoints;
    summary.themes = themes;
    summary.discovered = discovered;
    summary
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
