//! REFI-QDA for Chorus: hand a store's coded comments to qualitative data analysis tools (NVivo,
//! ATLAS.ti, MAXQDA, QualCoder) as a `.qdpx` project, and codebooks as `.qdc` files.
//!
//! - [`write_project`]: the comments a selection picks (`chorus_index::Store::matching`) as a project:
//!   sources, the code system of [`codes`], clause-level codings, cases and variables; streamed.
//! - [`codebook`]: codebooks out as `.qdc`, and `.qdc` files in as Chorus codebooks.
//! - [`guid::Guid`]: identifiers derived from what they identify, so two exports are byte-identical.
//! - [`xml`]: escaping untrusted text and counting offsets in code points, as the standard does.
#![deny(missing_docs)]

pub mod codebook;
pub mod codes;
mod error;
pub mod guid;
mod project;
pub mod xml;

pub use error::Error;
pub use project::{
    CHORUS_USER, ProjectSummary, SOURCES_DIR, catalog_codes, chorus_user, comment_guid,
    write_project,
};
