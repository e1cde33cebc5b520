//! The sentiment lexicon: a readable TOML file of feedback words and phrases with weights, intensifiers,
//! the answers whose meaning depends on the question, and the signs of a request rather than a judgement.
//!
//! The built-in lexicon (`lexicon/sentiment.toml`, embedded) is written for patient feedback; its header
//! explains the format. [`Lexicon::parse`] reads another file in the same format.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chorus_text::Analyzer;
use rustc_hash::FxBuildHasher;
use serde::Deserialize;

use crate::error::{Error, line_column};
use crate::patterns::{self, Elem, PatternSet, Sym, UNKNOWN, Vocab};

/// The built-in lexicon's text.
pub const BUILTIN_LEXICON: &str = include_str!("../lexicon/sentiment.toml");

/// A parsed sentiment lexicon, ready to be compiled with the codebooks of a run.
#[derive(Debug, Clone)]
pub struct Lexicon {
    raw: RawLexicon,
    origin: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    intensifiers: BTreeMap<String, f32>,
    #[serde(default)]
    negation: RawNegation,
    #[serde(default)]
    answers: RawAnswers,
    #[serde(default)]
    suggestions: RawSuggestions,
    #[serde(default)]
    together: Vec<RawTogether>,
    #[serde(default)]
    exact: BTreeMap<String, f32>,
    #[serde(default)]
    words: BTreeMap<String, BTreeMap<String, f32>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNegation {
    #[serde(default)]
    cancel: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswers {
    #[serde(default)]
    nothing: Vec<String>,
    #[serde(default)]
    everything: Vec<String>,
    #[serde(default)]
    filler: Vec<String>,
    #[serde(default, rename = "break")]
    break_: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuggestions {
    #[serde(default)]
    openers: Vec<String>,
    #[serde(default)]
    lead_in: Vec<String>,
    #[serde(default)]
    modals: Vec<String>,
    #[serde(default)]
    modal_follow: Vec<String>,
    #[serde(default)]
    obligations: Vec<String>,
    #[serde(default)]
    markers: Vec<String>,
    #[serde(default)]
    firm: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTogether {
    when: Vec<String>,
    with: Vec<String>,
    weight: f32,
}

impl Lexicon {
    /// The built-in lexicon for patient feedback.
    pub fn builtin() -> Lexicon {
        Lexicon::parse(BUILTIN_LEXICON, Path::new("<built-in lexicon>"))
            .expect("the built-in lexicon parses (a test checks it)")
    }

    /// Parses a lexicon file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Lexicon, Error> {
        let raw: RawLexicon = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
            Error::Syntax {
                path: origin.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        if raw.together.len() > 8 {
            return Err(Error::Lexicon {
                path: origin.to_owned(),
                message: "at most 8 [[together]] rules are supported: merge some".to_owned(),
            });
        }
        Ok(Lexicon {
            raw,
            origin: origin.to_owned(),
        })
    }

    /// How many words and phrases carry a weight.
    pub fn len(&self) -> usize {
        self.raw.words.values().map(BTreeMap::len).sum::<usize>() + self.raw.exact.len()
    }

    /// Whether the lexicon has no weighted words.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Compiles the lexicon into `vocab`. Fails when two single words share a stem but not a weight
    /// (one of them belongs under `[exact]`), or a word is both under `[exact]` and elsewhere.
    pub(crate) fn compile(
        &self,
        analyzer: &mut Analyzer,
        vocab: &mut Vocab,
    ) -> Result<CompiledLexicon, Error> {
        let fail = |message: String| Error::Lexicon {
            path: self.origin.clone(),
            message,
        };
        let raw = &self.raw;
        let mut out = CompiledLexicon::default();
        let mut problems: Vec<String> = Vec::new();

        // Single words by stem, to catch two spellings that would silently share one weight.
        let mut single: BTreeMap<Sym, (String, f32)> = BTreeMap::new();
        let mut phrases: BTreeMap<patterns::Pattern, (String, f32)> = BTreeMap::new();
        for (group, words) in &raw.words {
            for (word, &weight) in words {
                if raw.exact.contains_key(word) {
                    problems.push(format!(
                        "`{word}` is both under [exact] and [words.{group}]: keep one"
                    ));
                    continue;
                }
                let Some(pattern) = patterns::compile(word, analyzer, vocab) else {
                    problems.push(format!("`{word}` in [words.{group}] has no words"));
                    continue;
                };
                if let [Elem::Term(sym)] = pattern.elems[..] {
                    if let Some((other, other_weight)) = single.get(&sym) {
                        if (other_weight - weight).abs() > f32::EPSILON {
                            problems.push(format!(
                                "`{word}` ({weight}) and `{other}` ({other_weight}) share a stem but not a weight: \
                                 give them one weight or list the exact spellings under [exact]"
                            ));
                        }
                        continue;
                    }
                    single.insert(sym, (word.clone(), weight));
                }
                if let Some((other, other_weight)) = phrases.get(&pattern) {
                    if (other_weight - weight).abs() > f32::EPSILON {
                        problems.push(format!(
                            "`{word}` ({weight}) and `{other}` ({other_weight}) are the same phrase \
                             with different weights: keep one"
                        ));
                    }
                    continue;
                }
                phrases.insert(pattern, (word.clone(), weight));
            }
        }
        if !problems.is_empty() {
            return Err(fail(format!(
                "{} problem(s): {}",
                problems.len(),
                problems.join("; ")
            )));
        }
        for (pattern, (_, weight)) in phrases {
            out.phrases.push(pattern, weight);
        }

        for (word, &weight) in &raw.exact {
            let tokens = analyzer.analyze(word);
            let [token] = &tokens[..] else {
                problems.push(format!("[exact] `{word}` must be one word"));
                continue;
            };
            let sym = vocab.intern(&token.term);
            out.exact
                .entry(sym)
                .or_default()
                .push((word.to_lowercase().into_boxed_str(), weight));
        }

        let mut infos: HashMap<Sym, SymInfo, FxBuildHasher> = HashMap::default();
        let mut mark =
            |analyzer: &mut Analyzer, vocab: &mut Vocab, word: &str, f: &dyn Fn(&mut SymInfo)| {
                for token in analyzer.analyze(word).iter() {
                    f(infos.entry(vocab.intern(&token.term)).or_default());
                }
            };
        for (word, &m) in &raw.intensifiers {
            mark(analyzer, vocab, word, &|i| i.intensity = m);
        }
        let lists: [(&[String], u16); 11] = [
            (&raw.suggestions.obligations, OBLIGATION),
            (&raw.answers.break_, BREAK),
            (&raw.suggestions.lead_in, LEAD_IN),
            (&raw.negation.cancel, CANCEL),
            (&raw.answers.nothing, NOTHING),
            (&raw.answers.everything, EVERYTHING),
            (&raw.answers.filler, FILLER),
            (&raw.suggestions.openers, OPENER),
            (&raw.suggestions.modals, MODAL),
            (&raw.suggestions.modal_follow, MODAL_FOLLOW),
            (&raw.suggestions.firm, FIRM),
        ];
        for (words, flag) in lists {
            for word in words {
                mark(analyzer, vocab, word, &|i| i.flags |= flag);
            }
        }
        for (rule, together) in raw.together.iter().enumerate() {
            let bit = 1u8 << rule;
            for word in &together.when {
                mark(analyzer, vocab, word, &|i| i.when |= bit);
            }
            for word in &together.with {
                mark(analyzer, vocab, word, &|i| i.with |= bit);
            }
            out.together.push(together.weight);
        }
        out.opener_forms = raw
            .suggestions
            .openers
            .iter()
            .map(|w| w.to_lowercase().into_boxed_str())
            .collect();
        out.opener_forms.sort();
        mark(analyzer, vocab, "too", &|i| i.flags |= TOO);
        mark(analyzer, vocab, "than", &|i| i.flags |= THAN);
        for word in &raw.suggestions.markers {
            if let Some(pattern) = patterns::compile(word, analyzer, vocab) {
                out.markers.push(pattern, ());
            }
        }
        out.pending_infos = infos.into_iter().collect();
        out.pending_infos.sort_by_key(|(sym, _)| *sym);
        Ok(out)
    }
}

/// The token is in a negator's scope but the negator is followed by one of these ("not only").
pub(crate) const CANCEL: u16 = 1;
/// A "nothing" answer word.
pub(crate) const NOTHING: u16 = 2;
/// An "everything" answer word.
pub(crate) const EVERYTHING: u16 = 4;
/// May stand beside "nothing" or "everything".
pub(crate) const FILLER: u16 = 8;
/// Opens a request ("more staff").
pub(crate) const OPENER: u16 = 16;
/// A modal verb.
pub(crate) const MODAL: u16 = 32;
/// Makes a preceding modal hypothetical.
pub(crate) const MODAL_FOLLOW: u16 = 64;
/// Stays an opinion in a hypothetical clause.
pub(crate) const FIRM: u16 = 128;
/// "too".
pub(crate) const TOO: u16 = 256;
/// "than".
pub(crate) const THAN: u16 = 512;
/// After a clause-opening "nothing", starts a new thought ("Nothing they were great").
pub(crate) const BREAK: u16 = 1024;
/// May come before a request's opener ("to", "please", "just").
pub(crate) const LEAD_IN: u16 = 2048;
/// "should", "must": with a negator still a request ("should not have to wait").
pub(crate) const OBLIGATION: u16 = 4096;

/// What the lexicon knows about one term besides its weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SymInfo {
    pub(crate) intensity: f32,
    pub(crate) flags: u16,
    pub(crate) when: u8,
    pub(crate) with: u8,
}

impl Default for SymInfo {
    fn default() -> Self {
        SymInfo {
            intensity: 1.0,
            flags: 0,
            when: 0,
            with: 0,
        }
    }
}

/// The lexicon compiled against a run's vocabulary.
#[derive(Debug, Clone, Default)]
pub(crate) struct CompiledLexicon {
    /// Weighted words and phrases.
    pub(crate) phrases: PatternSet<f32>,
    /// Exact spellings by stem.
    pub(crate) exact: HashMap<Sym, Vec<(Box<str>, f32)>, FxBuildHasher>,
    /// Request markers ("wish", "need to").
    pub(crate) markers: PatternSet<()>,
    /// Weights of the `[[together]]` rules.
    pub(crate) together: Vec<f32>,
    /// Request openers, exact lower-case spellings, sorted ("listen" opens a request, "listened" not).
    opener_forms: Vec<Box<str>>,
    infos: Vec<SymInfo>,
    pending_infos: Vec<(Sym, SymInfo)>,
}

impl CompiledLexicon {
    /// Builds the indexes once the vocabulary is complete.
    pub(crate) fn finish(&mut self, vocab_len: usize) {
        self.phrases.finish(vocab_len);
        self.markers.finish(vocab_len);
        self.infos = vec![SymInfo::default(); vocab_len];
        for &(sym, info) in &self.pending_infos {
            self.infos[sym as usize] = info;
        }
    }

    /// Whether `word` (as written) opens a request.
    pub(crate) fn is_opener(&self, word: &str) -> bool {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            let lower = word.to_ascii_lowercase();
            self.opener_forms
                .binary_search_by(|f| (**f).cmp(lower.as_str()))
                .is_ok()
        } else {
            self.opener_forms
                .binary_search_by(|f| (**f).cmp(word))
                .is_ok()
        }
    }

    /// What the lexicon knows about a term.
    #[inline]
    pub(crate) fn info(&self, sym: Sym) -> SymInfo {
        if sym == UNKNOWN {
            SymInfo::default()
        } else {
            self.infos.get(sym as usize).copied().unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_lexicon_compiles_without_conflicts() {
        let lexicon = Lexicon::builtin();
        assert!(lexicon.len() > 500, "{}", lexicon.len());
        let mut vocab = Vocab::default();
        lexicon
            .compile(&mut Analyzer::english(), &mut vocab)
            .expect("no conflicts");
    }

    #[test]
    fn conflicting_stems_are_reported() {
        let text = "version = 1\n[words.a]\nhelp = 1.0\nhelpful = 2.0\n";
        let lexicon = Lexicon::parse(text, Path::new("x.toml")).expect("parses");
        let error = lexicon
            .compile(&mut Analyzer::english(), &mut Vocab::default())
            .expect_err("conflict");
        assert!(error.to_string().contains("[exact]"), "{error}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let error = Lexicon::parse("version = 1\n[words.a]\nkind = \n", Path::new("x.toml"))
            .expect_err("bad toml");
        assert!(error.to_string().starts_with("x.toml:3:"), "{error}");
    }
}
