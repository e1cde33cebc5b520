//! `chorus report` and the server's overview: a store's report as people see it, read batch by batch
//! with their corrections applied (never the whole store), its source saying how many labels they
//! corrected.

use chorus_core::ThemeCatalog;
use chorus_core::corrections::{Corrections, corrected_note};
use chorus_index::{Store, StoreComments};
use chorus_report::{ReportData, ReportOptions};

use crate::Error;

/// A report and how many labels people's corrections changed in it.
#[derive(Debug)]
pub struct Reported {
    /// The report.
    pub report: ReportData,
    /// Labels people changed, over the comments reported on.
    pub corrected_labels: u64,
}

/// The report of `store` themed by `catalog`, with `corrections` (the store's own, or a server's copy)
/// applied. When there are corrections, the report's source line says how many labels they changed.
pub fn report(
    store: &Store,
    catalog: &ThemeCatalog,
    corrections: &Corrections,
    options: &ReportOptions,
) -> Result<Reported, Error> {
    let comments = StoreComments::new(store, corrections)?;
    let mut report = chorus_report::build_from(&comments, catalog, options)?;
    let corrected_labels = comments.corrected_labels();
    if !corrections.is_empty() {
        report.source = format!("{} ({})", options.source, corrected_note(corrected_labels));
    }
    Ok(Reported {
        report,
        corrected_labels,
    })
}
