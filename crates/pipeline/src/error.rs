//! The one error type of the pipeline: whichever stage failed, with its own error inside.

/// What can go wrong running a stage over a store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the store.
    #[error("the store")]
    Store(#[from] chorus_index::Error),
    /// Theming (a codebook, the lexicon or the model).
    #[error("theming")]
    Themes(#[from] chorus_themes::Error),
    /// Building a report: its own message says what (an option, or reading the comments).
    #[error(transparent)]
    Report(#[from] chorus_report::Error),
    /// Writing an export.
    #[error("writing the export")]
    Write(#[source] std::io::Error),
}
