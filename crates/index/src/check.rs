//! `chorus check`: verifies a store (its manifest, every file of every segment against its checksum,
//! every stored comment, the annotation file) and repairs what can be repaired.
//!
//! A segment whose comments file (`.store`) is damaged cannot be trusted: tantivy compresses comments
//! in blocks without a checksum of their own, so a changed byte may have changed a comment's text with
//! no error. Repair removes such a segment's comments, and says which exports to ingest again: ingestion
//! skips the comments still stored as duplicates, so exactly the removed ones come back. A segment whose
//! other files (the search index, counts, ranking norms) are damaged is rebuilt from its comments, with
//! nothing lost.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chorus_core::{Comment, Interner};
use serde::Serialize;
use tantivy::index::{Segment, SegmentComponent};
use tantivy::store::StoreReader;
use tantivy::{Index, SegmentReader, TantivyDocument};

use crate::Error;
use crate::corrections;
use crate::schema::{self, Fields, names};
use crate::sidecar;
use crate::store::{self, Store};

/// One thing `check` found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The part of the store: `segment 33612cc1`, `theme catalog`.
    pub part: String,
    /// What is wrong with it.
    pub what: String,
}

/// What [`Store::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The store directory.
    pub store: PathBuf,
    /// Segments (groups of comments written together).
    pub segments: usize,
    /// Comments the store lists.
    pub comments: u64,
    /// What is wrong; empty for a sound store.
    pub problems: Vec<Problem>,
    /// Comments whose text cannot be trusted: repair removes them (re-ingest their exports to restore
    /// them).
    pub unrecoverable: u64,
    /// Comments in segments whose search files are damaged but whose text is sound: repair re-indexes
    /// them.
    pub rebuildable: u64,
    /// The exports (source names) the comments that can be read came from, to ingest again after a
    /// repair.
    pub sources: Vec<String>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What [`Store::repair`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RepairReport {
    /// Comments kept as they were.
    pub kept: u64,
    /// Comments re-indexed from their sound text.
    pub rebuilt: u64,
    /// Comments removed because their text could not be trusted.
    pub removed: u64,
    /// The exports the remaining comments came from.
    pub sources: Vec<String>,
    /// The earlier store format the store was brought up from, if it was one (its themes were not
    /// kept: theming again rebuilds them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgraded_from: Option<u32>,
}

/// One segment as `check` sees it.
struct SegmentState {
    segment: Segment,
    /// Damaged or missing files, with what is wrong.
    damaged: Vec<(SegmentComponent, String)>,
    reader: Option<SegmentReader>,
}

impl SegmentState {
    fn text_sound(&self) -> bool {
        !self
            .damaged
            .iter()
            .any(|(c, _)| matches!(c, SegmentComponent::Store | SegmentComponent::Delete))
    }

    fn short_id(&self) -> String {
        self.segment.id().short_uuid_string()
    }
}

const COMPONENTS: [SegmentComponent; 6] = [
    SegmentComponent::Store,
    SegmentComponent::Postings,
    SegmentComponent::Positions,
    SegmentComponent::Terms,
    SegmentComponent::FastFields,
    SegmentComponent::FieldNorms,
];

fn describe(component: &SegmentComponent) -> &'static str {
    match component {
        SegmentComponent::Store => "the comments",
        SegmentComponent::Postings | SegmentComponent::Positions | SegmentComponent::Terms => {
            "the search index"
        }
        SegmentComponent::FastFields => "counts and keys",
        SegmentComponent::FieldNorms => "word counts for ranking",
        SegmentComponent::Delete => "which comments were replaced",
        _ => "index data",
    }
}

/// Checks every file of every segment and opens what can be opened.
fn segments(index: &Index) -> Result<Vec<SegmentState>, tantivy::TantivyError> {
    let mut out = Vec::new();
    for segment in index.searchable_segments()? {
        let meta = segment.meta();
        let mut components = COMPONENTS.to_vec();
        if meta.has_deletes() {
            components.push(SegmentComponent::Delete);
        }
        let mut damaged = Vec::new();
        for component in components {
            let path = meta.relative_path(component.clone());
            let what = match index.directory().validate_checksum(&path) {
                Ok(true) => continue,
                Ok(false) => "is not what chorus wrote (a disk or copy error)".to_owned(),
                Err(e) => format!("cannot be read ({e})"),
            };
            damaged.push((
                component.clone(),
                format!(
                    "{}/{} ({}) {what}",
                    store::INDEX_DIR,
                    path.display(),
                    describe(&component)
                ),
            ));
        }
        // The reader gives the ingest order (fast fields) and the replaced comments (deletes): it is
        // used only where those files are sound.
        let order_sound = !damaged
            .iter()
            .any(|(c, _)| matches!(c, SegmentComponent::FastFields | SegmentComponent::Delete));
        let reader = if order_sound {
            SegmentReader::open(&segment).ok()
        } else {
            None
        };
        out.push(SegmentState {
            segment,
            damaged,
            reader,
        });
    }
    Ok(out)
}

/// Every live comment of a segment whose text is sound, with its ingest sequence number where the
/// counts are sound too; the documents that cannot be read go to `unreadable`.
fn segment_comments(
    state: &SegmentState,
    fields: &Fields,
    unreadable: &mut Vec<(u32, String)>,
) -> Result<Vec<(Option<u64>, Comment)>, String> {
    let file = state
        .segment
        .open_read(SegmentComponent::Store)
        .map_err(|e| e.to_string())?;
    let store = StoreReader::open(file, 1).map_err(|e| e.to_string())?;
    let seq = state
        .reader
        .as_ref()
        .and_then(|r| r.fast_fields().u64(names::SEQ).ok());
    if state.reader.is_none() && state.segment.meta().has_deletes() {
        // Without the reader, replaced comments could come back.
        return Err("the list of its replaced comments cannot be read".to_owned());
    }
    let alive = state
        .reader
        .as_ref()
        .and_then(|r| r.alive_bitset().cloned());
    let mut interner = Interner::new();
    let mut out = Vec::new();
    for doc in 0..state.segment.meta().max_doc() {
        if alive.as_ref().is_some_and(|a| a.is_deleted(doc)) {
            continue;
        }
        let read = store
            .get::<TantivyDocument>(doc)
            .map_err(|e| e.to_string())
            .and_then(|stored| schema::from_document(fields, &stored, &mut interner));
        match read {
            Ok(comment) => out.push((seq.as_ref().and_then(|s| s.first(doc)), comment)),
            Err(reason) => unreadable.push((doc, reason)),
        }
    }
    Ok(out)
}

impl Store {
    /// Verifies the store at `dir` (or the store of an output folder of `chorus analyse`): manifest,
    /// the checksums of every segment's files, every stored comment, and the annotation file.
    ///
    /// Errors only where the store cannot be examined at all (no store, a store of another version);
    /// everything else is a [`Problem`] in the report.
    pub fn check(dir: &Path) -> Result<CheckReport, Error> {
        let dir = Store::locate(dir);
        let (index, fields, older) = match store::open_index_of_any_format(&dir) {
            Ok(opened) => opened,
            Err(Error::Damaged { what, .. }) => {
                return Ok(CheckReport {
                    store: dir,
                    problems: vec![Problem {
                        part: "index".to_owned(),
                        what,
                    }],
                    ..CheckReport::default()
                });
            }
            Err(e) => return Err(e),
        };
        let mut report = CheckReport {
            store: dir.clone(),
            ..CheckReport::default()
        };
        if let Some(found) = older {
            report.problems.push(Problem {
                part: "format".to_owned(),
                what: format!(
                    "the store was made by an earlier chorus (store format {found}, this chorus reads {})",
                    store::STORE_FORMAT_VERSION
                ),
            });
        }
        let states = segments(&index).map_err(|e| store::index_error(&dir, e))?;
        let mut sources = BTreeSet::new();
        for state in &states {
            let part = format!("segment {}", state.short_id());
            let count = u64::from(state.segment.meta().num_docs());
            report.segments += 1;
            report.comments += count;
            for (_, what) in &state.damaged {
                report.problems.push(Problem {
                    part: part.clone(),
                    what: what.clone(),
                });
            }
            if !state.text_sound() {
                report.unrecoverable += count;
                continue;
            }
            let mut unreadable = Vec::new();
            match segment_comments(state, &fields, &mut unreadable) {
                Ok(comments) => {
                    sources.extend(comments.iter().map(|(_, c)| c.source.name.to_string()));
                }
                Err(reason) => {
                    report.problems.push(Problem {
                        part: part.clone(),
                        what: format!("its comments cannot be read: {reason}"),
                    });
                    report.unrecoverable += count;
                    continue;
                }
            }
            for (doc, reason) in &unreadable {
                report.problems.push(Problem {
                    part: part.clone(),
                    what: format!("comment {doc} cannot be read: {reason}"),
                });
            }
            report.unrecoverable += unreadable.len() as u64;
            if !state.damaged.is_empty() {
                report.rebuildable += count - unreadable.len() as u64;
            }
        }
        if let Err(e) = sidecar::load(&dir) {
            report.problems.push(Problem {
                part: "annotations".to_owned(),
                what: e.to_string(),
            });
        }
        if let Err(e) = corrections::load(&dir) {
            report.problems.push(Problem {
                part: "corrections".to_owned(),
                what: e.to_string(),
            });
        }
        report.sources = sources.into_iter().collect();
        Ok(report)
    }

    /// Rebuilds the store at `dir` from every comment that can be trusted (see the module docs): sound
    /// segments are kept, segments with damaged search files are re-indexed from their comments, and
    /// the comments of segments whose text is damaged are removed. Takes the writer lock.
    pub fn repair(dir: &Path) -> Result<RepairReport, Error> {
        let dir = Store::locate(dir);
        let (index, fields, older) = store::open_index_of_any_format(&dir)?;
        let writer = store::writer_for(&index, &dir)?;
        let states = segments(&index).map_err(|e| store::index_error(&dir, e))?;
        let mut report = RepairReport {
            upgraded_from: older,
            ..RepairReport::default()
        };
        let mut kept: Vec<(Option<u64>, Comment)> = Vec::new();
        for state in &states {
            let count = u64::from(state.segment.meta().num_docs());
            if !state.text_sound() {
                report.removed += count;
                continue;
            }
            let mut unreadable = Vec::new();
            let Ok(comments) = segment_comments(state, &fields, &mut unreadable) else {
                report.removed += count;
                continue;
            };
            report.removed += unreadable.len() as u64;
            if state.damaged.is_empty() {
                report.kept += comments.len() as u64;
            } else {
                report.rebuilt += comments.len() as u64;
            }
            kept.extend(comments);
        }
        // Ingest order where it is known; comments whose order was lost with their counts go last.
        let next = kept
            .iter()
            .filter_map(|(s, _)| *s)
            .max()
            .map_or(0, |s| s + 1);
        let mut numbered: Vec<(u64, Comment)> = Vec::with_capacity(kept.len());
        let mut unknown = next;
        for (seq, comment) in kept {
            let seq = seq.unwrap_or_else(|| {
                unknown += 1;
                unknown - 1
            });
            numbered.push((seq, comment));
        }
        numbered.sort_by_key(|(seq, _)| *seq);
        report.sources = numbered
            .iter()
            .map(|(_, c)| c.source.name.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        store::rewrite(writer, &fields, &numbered, &dir)?;
        if older.is_some() {
            // Last, as at creation: a crash before it leaves a store of the old format, which the
            // next repair brings up to date again.
            store::write_manifest(&dir)?;
        }
        Ok(report)
    }
}
