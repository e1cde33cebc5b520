//! REFI-QDA for Chorus: hand a store's coded comments to qualitative data analysis tools (NVivo,
//! ATLAS.ti, MAXQDA, QualCoder) as a `.qdpx` project, and codebooks as `.qdc` files.
//!
//! - [`write_project`]: the comments a selection picks (`chorus_index::Store::matching`) as a project:
//!   sources, the code system of [`codes`], clause-level codings, cases and variables; streamed.
//! - [`import_codings`]: a `.qdpx` a researcher coded (or recoded) in their tool, back as corrections:
//!   people's labels on the comments its selections match, by GUID or by text.
//! - [`codebook`]: codebooks out as `.qdc`, and `.qdc` files in as Chorus codebooks.
//! - [`guid::Guid`]: identifiers derived from what they identify, so two exports are byte-identical.
//! - [`xml`]: escaping untrusted text and counting offsets in code points, as the standard does.
#![deny(missing_docs)]

pub mod codebook;
pub mod codes;
mod error;
pub mod guid;
mod import;
mod labels;
mod project;
pub mod xml;

pub use error::Error;
pub use import::{ImportOptions, ImportSummary, import_codings};
pub use project::{
    CHORUS_USER, ProjectSummary, REVIEWER_USER, SOURCES_DIR, catalog_codes, chorus_user,
    comment_guid, reviewer_user, write_project,
};
