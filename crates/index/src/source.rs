//! The store as a [`CommentSource`]: a report reads it in batches, pass after pass, and never holds it
//! whole.

use std::sync::atomic::{AtomicU64, Ordering};

use chorus_core::corrections::Corrections;
use chorus_core::{BatchFn, Comment, CommentSource, SourceError};
use tantivy::{DocId, Searcher, SegmentOrdinal};

use crate::{Error, Store};

/// Comments read per batch: enough to keep every core busy decoding, few enough that a batch in memory
/// (about 90 MiB of short comments with their annotations) is a small part of a report's peak.
const BATCH: usize = 65_536;

/// A store's comments in ingest order, with people's corrections applied, as every reader that shows
/// labels to people sees them. Positions are fixed when it is made: comments added to the store later
/// are not seen.
pub struct StoreComments<'s> {
    store: &'s Store,
    corrections: &'s Corrections,
    searcher: Searcher,
    order: Vec<(u64, SegmentOrdinal, DocId)>,
    corrected: AtomicU64,
}

impl<'s> StoreComments<'s> {
    /// The comments of `store` as they are now, corrected by `corrections` (the store's own, or the
    /// server's copy of them).
    pub fn new(store: &'s Store, corrections: &'s Corrections) -> Result<StoreComments<'s>, Error> {
        store.check_sound()?;
        let searcher = store.searcher();
        let order = store.in_order(&searcher)?;
        Ok(StoreComments {
            store,
            corrections,
            searcher,
            order,
            corrected: AtomicU64::new(0),
        })
    }

    /// How many comments there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// How many labels people's corrections changed in the last whole scan (what a report says of them).
    pub fn corrected_labels(&self) -> u64 {
        self.corrected.load(Ordering::Relaxed)
    }

    /// Reads the comments at `places` to `f` in batches, corrected; how many labels the corrections
    /// changed.
    fn read(
        &self,
        places: &[(u64, SegmentOrdinal, DocId)],
        mut f: impl FnMut(Vec<(u64, Comment)>) -> Result<(), SourceError>,
    ) -> Result<u64, SourceError> {
        let mut corrected = 0;
        self.store
            .read_comments(&self.searcher, places, BATCH, |mut batch| {
                if !self.corrections.is_empty() {
                    for (_, comment) in &mut batch {
                        corrected += u64::from(self.corrections.apply_to(comment).changed_labels);
                    }
                }
                f(batch).map_err(Reading)
            })
            .map_err(|Reading(inner)| inner)?;
        Ok(corrected)
    }
}

/// A caller's error carried through [`Store::read_comments`], which speaks in the store's errors.
struct Reading(SourceError);

impl From<Error> for Reading {
    fn from(e: Error) -> Reading {
        Reading(Box::new(e))
    }
}

impl CommentSource for StoreComments<'_> {
    fn scan(&self, f: &mut BatchFn<'_>) -> Result<(), SourceError> {
        let mut at = 0;
        let corrected = self.read(&self.order, |batch| {
            let comments: Vec<Comment> = batch.into_iter().map(|(_, c)| c).collect();
            f(at, &comments)?;
            at += comments.len();
            Ok(())
        })?;
        self.corrected.store(corrected, Ordering::Relaxed);
        Ok(())
    }

    fn fetch(&self, positions: &[usize]) -> Result<Vec<(usize, Comment)>, SourceError> {
        let mut positions: Vec<usize> = positions
            .iter()
            .copied()
            .filter(|&p| p < self.order.len())
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let places: Vec<_> = positions.iter().map(|&p| self.order[p]).collect();
        let mut out = Vec::with_capacity(positions.len());
        let mut next = positions.into_iter();
        self.read(&places, |batch| {
            out.extend(
                batch
                    .into_iter()
                    .filter_map(|(_, c)| Some((next.next()?, c))),
            );
            Ok(())
        })?;
        Ok(out)
    }
}
