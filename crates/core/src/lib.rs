//! The data model every Chorus stage shares.
//!
//! A [`Comment`] is one free-text answer (or the record that a respondent gave no answer) with what the
//! survey export said about it: the [`FftScore`], the [`Date`], the question (classified as a
//! [`QuestionKind`]), service, organisation and any other attributes. Theming adds [`Annotations`].
//! [`keys`] gives the stable hashes used to recognise duplicates across ingests.
//!
//! This crate does no I/O and names no other Chorus crate: ingestion produces these types, the index
//! stores them, theming annotates them and reports read them.
//!
//! ```
//! use chorus_core::{Date, FftScore, QuestionKind};
//!
//! let date = Date::from_ymd(2022, 2, 28).unwrap();
//! assert_eq!(date.to_string(), "2022-02-28");
//! assert_eq!(date.year_month().to_string(), "2022-02");
//! assert!(FftScore::from_code(2).is_positive());
//! assert_eq!(QuestionKind::classify("What could we do better?"), QuestionKind::Improve);
//! ```
#![deny(missing_docs)]

mod annotations;
mod catalog;
mod comment;
pub mod corrections;
mod date;
pub mod keys;
mod question;
mod score;
mod shared;
mod source;
mod table;

pub use annotations::{
    Annotations, Clause, SentimentLabel, SentimentScore, ThemeAssignment, ThemeSource,
    TouchpointMention,
};
pub use catalog::{CatalogEntry, Direction, DiscoveredTheme, ThemeCatalog};
pub use comment::{Comment, SourceRef};
pub use date::{Date, YearMonth};
pub use question::QuestionKind;
pub use score::{FftScore, RespondentAnswer, ScoreTally};
pub use shared::{Attributes, Interner};
pub use source::{BatchFn, CommentSink, CommentSource, Fetched, SinkError, SourceError};
pub use table::{AnnotationTable, TABLE_FORMAT_VERSION, TableError};
