//! Theming: what each comment is about, and how it feels.
//!
//! For every comment with text, [`analyse`] finds:
//! - **sentiment** from a built-in lexicon written for patient feedback ([`Lexicon`]), clause by clause
//!   with negation, intensifiers, contrast and the question the comment answers, rolled up to a label and
//!   a score in −1..1 (or a trained model's sentiment);
//! - **touchpoints** of the care journey (access, travel, arrival, waiting, assessment, treatment,
//!   information, medication, stay, discharge) from an editable [`Codebook`], each with its own sentiment;
//! - **themes** from a codebook of common feedback themes, a trained [`model::ThemeModel`] (`chorus
//!   train`), and themes [`discover`]ed by clustering;
//! - **discordance**: text that clearly contradicts the FFT score.
//!
//! The analysis works on the shared `chorus_text` analyzer's tokens, once per comment, in parallel and
//! deterministically: the tokens of that one pass serve sentiment, touchpoints, codebook themes, the
//! model's features and discovery's terms. [`ThemeConfig`] says what a run uses; [`Themer`] takes the
//! comments in batches (a store of any size is read once, never held whole) and [`analyse`] takes a
//! slice; [`ThemeRun`] holds the annotations aligned with the input, the
//! [`chorus_core::ThemeCatalog`] and a [`RunSummary`]. [`CommentAnalyser`] does the same
//! for one comment at a time, and [`codebook::check`] finds the mistakes of an edited codebook.
//!
//! ```
//! use chorus_core::{QuestionKind, SentimentLabel};
//! use chorus_themes::CommentAnalyser;
//!
//! let mut analyser = CommentAnalyser::builtin();
//! let s = analyser.sentiment("Staff could not have been kinder, thank you", QuestionKind::Why);
//! assert_eq!(s.label, SentimentLabel::Positive);
//! let s = analyser.sentiment("Nothing.", QuestionKind::Improve);
//! assert_eq!(s.label, SentimentLabel::Positive);
//! let s = analyser.sentiment("Nothing.", QuestionKind::WhatWasGood);
//! assert_eq!(s.label, SentimentLabel::Negative);
//! ```
#![deny(missing_docs)]

pub mod codebook;
pub mod crosswalk;
mod discordance;
pub mod discover;
mod engine;
mod error;
pub mod evaluation;
mod lexicon;
pub mod model;
mod patterns;
mod sentiment;

pub use codebook::{CheckReport, Codebook, CodebookEntry, Finding, Severity};
pub use crosswalk::Crosswalk;
pub use engine::{
    CommentAnalyser, EntrySummary, ExplainedClause, ExplainedReason, Explanation, RunSummary,
    SentimentCounts, ThemeConfig, ThemeInput, ThemeRun, Themer, Timings, analyse, match_counts,
};
pub use error::Error;
pub use lexicon::{BUILTIN_LEXICON, Lexicon};
