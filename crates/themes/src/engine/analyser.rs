//! One comment at a time: the shared analyzer's tokens, then sentiment clause by clause, touchpoints and
//! codebook themes from the same tokens.

use std::sync::Arc;

use chorus_core::{
    Annotations, Clause, Comment, QuestionKind, SentimentScore, ThemeAssignment, ThemeSource,
    TouchpointMention,
};
use chorus_text::{Analyzer, Tokens};
use serde::Serialize;

use super::{ThemeConfig, ThemeInput};
use crate::codebook::{CompiledCodebook, RawMatch};
use crate::discordance::is_discordant;
use crate::error::Error;
use crate::lexicon::CompiledLexicon;
use crate::patterns::{Doc, Sym, Vocab};
use crate::sentiment::{self, ClauseScore, CommentSentiment};

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

/// Analyses one comment at a time with a compiled configuration: sentiment, touchpoints and codebook
/// themes (the model and discovery work on whole runs, in [`super::analyse`]). Clone one per thread; clones share
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
    clauses: Vec<Clause>,
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
        let kind = self.question_kind(&comment.question);
        self.annotate_input(&ThemeInput::new(comment, kind))
    }

    /// [`CommentAnalyser::annotate`] for what theming reads of a comment. The tokens of its text stay
    /// in [`CommentAnalyser::tokens`] until the next call, for the model and discovery.
    pub fn annotate_input(&mut self, input: &ThemeInput<'_>) -> Option<Annotations> {
        if input.no_comment {
            return None;
        }
        let analysis = self.run(input.text, input.question_kind);
        Some(Annotations {
            sentiment: SentimentScore {
                label: analysis.sentiment.label,
                score: analysis.sentiment.score,
            },
            touchpoints: analysis.touchpoints,
            themes: analysis.themes,
            discovered_theme: None,
            discordant: is_discordant(input.score, input.question_kind, &analysis.sentiment),
            clauses: analysis.clauses,
        })
    }

    /// The tokens of the text last analysed.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Analyses `text` for its tokens alone (a blank comment's text, read only by discovery).
    pub(crate) fn tokenize(&mut self, text: &str) -> &Tokens {
        self.analyzer.analyze_into(text, &mut self.tokens);
        &self.tokens
    }

    /// The codebook-theme entries a text matches, by index, without sentiment.
    pub(super) fn theme_entries(&mut self, text: &str) -> Vec<u32> {
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
                clauses: Vec::new(),
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
        let mut in_clauses = Vec::new();
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
            in_clauses.extend(self.found.iter().map(|&(e, c)| (c, !is_touchpoints, e)));
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
            clauses: self.clause_annotations(&mut in_clauses),
        }
    }

    /// Each clause of the text last analysed with its sentiment, and the touchpoints and codebook themes
    /// matched in it (`found`: clause, is a theme, entry).
    fn clause_annotations(&self, found: &mut [(u32, bool, u32)]) -> Vec<Clause> {
        let compiled = &*self.compiled;
        found.sort_unstable();
        let mut found = found.iter().peekable();
        let mut out = Vec::with_capacity(self.clauses.len());
        for (index, scored) in self.clauses.iter().enumerate() {
            let range = &scored.tokens;
            if range.is_empty() {
                continue;
            }
            let (sentiment, score) = sentiment::roll_up_some(std::iter::once(scored));
            let mut clause = Clause {
                start: self.tokens[range.start].start as u32,
                end: self.tokens[range.end - 1].end as u32,
                sentiment,
                score,
                touchpoints: Vec::new(),
                themes: Vec::new(),
            };
            while let Some(&(_, is_theme, entry)) = found.next_if(|f| f.0 as usize == index) {
                if is_theme {
                    clause
                        .themes
                        .push(compiled.theme_labels[entry as usize].clone());
                } else {
                    clause
                        .touchpoints
                        .push(compiled.touchpoint_ids[entry as usize].clone());
                }
            }
            out.push(clause);
        }
        out
    }
}
