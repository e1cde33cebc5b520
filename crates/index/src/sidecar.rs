//! The store's annotation file, `annotations.chorus`: what the last theming run found about every
//! comment (a [`chorus_core::AnnotationTable`] keyed by the comment's sequence number) and its theme
//! catalog, beside the text index rather than inside it, so that theming never rewrites the index.
//!
//! The file is written whole and atomically (a temporary file, fsync, rename, fsync of the folder): a
//! crash leaves the old annotations or the new ones, never a mix. It carries its format version and a
//! checksum; a damaged or foreign file is refused with what to do, never trusted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chorus_core::{AnnotationTable, TableError, ThemeCatalog};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::corrections::CorrectedLabels;
use crate::facets::LabelBitsCell;

/// The annotation file's name inside a store directory.
pub const ANNOTATIONS_FILE: &str = "annotations.chorus";

/// What is kept with the table: the run that made it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Header {
    /// The run's catalog: touchpoints, themes, discovered themes and the run's description.
    catalog: ThemeCatalog,
    /// How many comments (sequence numbers `0..comments`) the run themed; comments ingested after it
    /// have none until theming runs again.
    comments: u64,
}

/// A theming run's results, as read from a store.
#[derive(Debug)]
pub struct Annotated {
    /// Every themed comment's annotations, by sequence number: the machine's, as the run wrote them.
    pub table: Arc<AnnotationTable>,
    /// What the run used and found.
    pub catalog: ThemeCatalog,
    /// People's final labels of the comments they corrected, which search predicates and facets see
    /// instead of the table's (empty without corrections).
    pub corrected: CorrectedLabels,
    /// The table's labels as bits, for facet counts: made on the first search that counts them.
    pub(crate) label_bits: LabelBitsCell,
}

impl Annotated {
    /// Whether the comment with sequence number `seq` has annotations, after people's corrections.
    #[inline]
    pub fn is_annotated(&self, seq: usize) -> bool {
        if !self.corrected.is_empty()
            && let Some(corrected) = self.corrected.get(seq as u64)
        {
            return corrected.is_some();
        }
        self.table.is_annotated(seq)
    }
}

/// The annotation file of the store at `dir`.
pub(crate) fn path(dir: &Path) -> PathBuf {
    dir.join(ANNOTATIONS_FILE)
}

/// Reads the store's annotations; `None` when theming never ran.
pub(crate) fn load(dir: &Path) -> Result<Option<Arc<Annotated>>, Error> {
    let file = path(dir);
    let bytes = match fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io { path: file, source });
        }
    };
    let damaged = |reason: String| Error::DamagedAnnotations {
        path: file.clone(),
        reason,
    };
    let (table, header) =
        AnnotationTable::decode(&bytes).map_err(|e: TableError| damaged(e.to_string()))?;
    let header: Header = serde_json::from_slice(&header)
        .map_err(|e| damaged(format!("its catalog is not valid: {e}")))?;
    if header.comments != table.len() as u64 {
        return Err(damaged(format!(
            "it says it covers {} comments but holds {}",
            header.comments,
            table.len()
        )));
    }
    Ok(Some(Arc::new(Annotated {
        table: Arc::new(table),
        catalog: header.catalog,
        corrected: CorrectedLabels::default(),
        label_bits: LabelBitsCell::default(),
    })))
}

/// Writes the store's annotations atomically, replacing any earlier run's.
pub(crate) fn save(
    dir: &Path,
    table: &AnnotationTable,
    catalog: &ThemeCatalog,
) -> Result<(), Error> {
    let header = serde_json::to_vec(&Header {
        catalog: catalog.clone(),
        comments: table.len() as u64,
    })
    .map_err(|e| Error::Encode {
        id: "catalog".to_owned(),
        reason: e.to_string(),
    })?;
    let bytes = table.encode(&header);
    let file = path(dir);
    let tmp = dir.join(format!(".{ANNOTATIONS_FILE}.tmp-{}", std::process::id()));
    let written = write_synced(&tmp, &bytes).and_then(|()| fs::rename(&tmp, &file));
    if let Err(source) = written {
        // A failed write (a full disk) must not leave its half-written copy behind.
        let _ = fs::remove_file(&tmp);
        return Err(if crate::directory::is_read_only(&source) {
            Error::ReadOnly {
                path: dir.to_owned(),
            }
        } else {
            crate::store::io(&file, source)
        });
    }
    // The rename is durable once the folder's entry is.
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
