//! Chorus's stages as library calls over a store: what the `chorus` command, its web server and the
//! benchmarks call, so that no glue between the stage crates is written twice (as ripgrep's `grep` crate
//! is for its parts).
//!
//! - [`theme`]: reads every comment of a store once, in batches (never the whole store), themes each
//!   with one analysis pass, and stores the annotations beside the index.
//! - [`report()`]: a store's report, read in batches with people's corrections applied.
//! - [`export::export_rows`]: the comments a query and filters select, streamed to JSON lines or CSV.
//!
//! ```
//! use chorus_core::{Comment, FftScore, SourceRef};
//! use chorus_index::Store;
//! use chorus_themes::ThemeConfig;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::create_or_open(&dir.path().join("store")).unwrap();
//! let mut writer = store.writer().unwrap();
//! writer
//!     .add(&Comment {
//!         id: "1".into(),
//!         respondent: "1".into(),
//!         question: "Please tell us why".into(),
//!         text: "Waited four hours to be seen".into(),
//!         no_comment: false,
//!         date: None,
//!         score: FftScore::Poor,
//!         service: None,
//!         organisation: None,
//!         attributes: Default::default(),
//!         source: SourceRef::default(),
//!         annotations: None,
//!     })
//!     .unwrap();
//! writer.commit().unwrap();
//! let themed = chorus_pipeline::theme(&store, &ThemeConfig::default()).unwrap();
//! assert_eq!(themed.summary.analysed, 1);
//! let comment = &store.comments().unwrap()[0];
//! assert_eq!(&*comment.annotations.as_ref().unwrap().touchpoints[0].id, "waiting");
//! ```
#![deny(missing_docs)]

mod error;
pub mod export;
mod report;
mod theme;
pub mod training;

pub use error::Error;
pub use report::{Reported, report};
pub use theme::{ThemeSeconds, Themed, theme};
