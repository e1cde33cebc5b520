//! The Chorus store: every comment in a tantivy index, searchable by researchers.
//!
//! A [`Store`] is a directory (its format is described in the `store` module docs and in
//! ARCHITECTURE.md): a manifest, a tantivy index holding one document per comment, beside it the
//! annotations and theme catalog of the last theming run ([`Annotated`]), and the quarantine files of
//! each ingest.
//!
//! - [`Store::create_or_open`] / [`Store::open`], then [`Store::writer`] → [`StoreWriter::add`] →
//!   [`StoreWriter::commit`] to add comments (ingestion), [`Store::known_keys`] for duplicate detection.
//! - [`Store::comments`] reads every comment back in ingest order, with its annotations;
//!   [`Store::annotator`] takes the writer lock for a theming run and [`Annotator::save`] stores what it
//!   found (a [`chorus_core::AnnotationTable`] and the [`chorus_core::ThemeCatalog`]) in one atomic
//!   write beside the index; [`Store::annotated`] reads them back.
//! - [`Store::search`] runs a [`SearchRequest`] (the query language of the `query` module, [`Filters`],
//!   sort and page) and returns [`SearchResults`]: the total, [`Hit`]s with highlighted [`Snippet`]s, and
//!   [`Facets`] over every match; [`Store::attribute_facets`] counts the attribute columns.
//!   [`Store::kwic`] gives [`KwicLine`]s; [`Store::stats`] a [`StoreStats`].
//! - [`Store::comment`] finds one comment by its key, [`Store::comments_with_id`] and
//!   [`Store::respondent_comments`] a row's answers, [`Store::matching_comments`] everything a search
//!   matches (for exports), [`Store::similar`] the comments most like one.
//! - [`Store::corrections`] and [`Store::add_correction`] keep what people changed about comments'
//!   labels, beside the index (`corrections.jsonl`), so that theming runs never undo them.
//!
//! Text is indexed with `chorus-text`'s [`chorus_text::Analyzer::english`] through the
//! [`ChorusTokenizer`] adapter, so a search for "waiting" finds "waited". This is the only crate that
//! names tantivy types.
//!
//! ```
//! use chorus_core::{Comment, FftScore, SourceRef};
//! use chorus_index::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::create_or_open(&dir.path().join("store")).unwrap();
//! let mut writer = store.writer().unwrap();
//! writer
//!     .add(&Comment {
//!         id: "1".into(),
//!         respondent: "1".into(),
//!         question: "FFT Why?".into(),
//!         text: "Waited four hours in A&E".into(),
//!         no_comment: false,
//!         date: None,
//!         score: FftScore::Poor,
//!         service: Some("A&E".into()),
//!         organisation: None,
//!         attributes: Default::default(),
//!         source: SourceRef::default(),
//!         annotations: None,
//!     })
//!     .unwrap();
//! assert_eq!(writer.commit().unwrap(), 1);
//! assert_eq!(store.comments().unwrap()[0].text, "Waited four hours in A&E");
//! ```
#![deny(missing_docs)]

mod annotated;
mod attributes;
mod check;
mod corrections;
mod directory;
mod error;
mod expand;
mod facets;
mod filters;
mod kwic;
mod lookup;
mod query;
#[cfg(test)]
mod query_props;
mod schema;
mod search;
mod search_json;
mod sidecar;
mod source;
mod stats;
mod store;
mod tokenizer;

pub use attributes::AttributeFacet;
pub use check::{CheckReport, Problem, RepairReport};
pub use corrections::{CORRECTIONS_FILE, CorrectedLabels};
pub use error::Error;
pub use filters::Filters;
pub use kwic::{KwicLine, KwicRequest};
pub use query::QueryError;
pub use search::{FacetCount, Facets, Hit, SearchRequest, SearchResults, Snippet, SortOrder};
pub use search_json::{JsonClause, JsonHit, JsonSearch};
pub use sidecar::{ANNOTATIONS_FILE, Annotated};
pub use source::StoreComments;
pub use stats::StoreStats;
pub use store::{
    Annotator, COMMIT_EVERY, MANIFEST_FILE, STORE_FORMAT_VERSION, SeqTexts, Store, StoreWriter,
    TextRow,
};
pub use tokenizer::{ChorusTokenStream, ChorusTokenizer, LABEL_TOKENIZER, TEXT_TOKENIZER};
