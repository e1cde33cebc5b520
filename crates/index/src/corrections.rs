//! The corrections people made to comments' labels, kept in the store: `STORE/corrections.jsonl`.
//!
//! One [`Correction`] per line, as JSON, appended and never rewritten: each is written with one `write`
//! to a file opened for appending, then synced to disk before it is reported saved. A crash during a
//! write can leave a torn last line (no newline at its end): reading skips it, since it was never
//! reported saved, and the next write cuts it off first. Theming never reads or rewrites this file, so a
//! new `chorus themes` run keeps every correction; readers apply them with
//! [`chorus_core::corrections::Corrections::apply`].
//!
//! Search sees people's labels too: when the store reads its annotations it also reads this file and
//! keeps the corrected comments' final labels by sequence number ([`CorrectedLabels`]), which the
//! predicates of `theme:`, `touchpoint:`, `sentiment:`… and the facets consult before the machine's
//! table. Corrections are few, so the map is small; a store without corrections has an empty one and
//! its searches never look at it.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chorus_core::corrections::{CommentKey, Correction, Corrections};
use chorus_core::{AnnotationTable, Annotations, FftScore};
use tantivy::Searcher;

use crate::schema::{names, score_from_code};
use crate::{Error, Store};

/// The corrections file's name inside a store directory.
pub const CORRECTIONS_FILE: &str = "corrections.jsonl";

/// The longest correction line accepted (a theme name, a reviewer and an id fit many times over).
const MAX_LINE: usize = 16 * 1024;

impl Store {
    /// The corrections file of this store.
    pub fn corrections_path(&self) -> PathBuf {
        self.dir().join(CORRECTIONS_FILE)
    }

    /// Every correction people made in this store, oldest first (none if there is no file yet).
    ///
    /// A torn last line (a crash while writing it) is skipped; any other line that is not a correction
    /// is an error naming the file and line, since it means the file was edited or damaged.
    ///
    /// Read once, then kept: the server, search and every report of this `Store` share one list, which
    /// [`Store::add_corrections`] brings up to date.
    pub fn corrections(&self) -> Result<Arc<Corrections>, Error> {
        let mut cached = self.corrections_cache();
        if let Some(corrections) = &*cached {
            return Ok(Arc::clone(corrections));
        }
        let loaded = Arc::new(load(self.dir())?);
        *cached = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    fn corrections_cache(&self) -> std::sync::MutexGuard<'_, Option<Arc<Corrections>>> {
        self.corrections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends a correction and syncs it to disk; once this returns, the correction survives a crash.
    ///
    /// Fails on a store that cannot be written (a read-only folder): corrections are the only thing a
    /// reader of the store writes, and only here.
    pub fn add_correction(&self, correction: &Correction) -> Result<(), Error> {
        self.add_corrections(std::slice::from_ref(correction))
    }

    /// Appends corrections in one write and syncs them to disk once (an import of a project's codings
    /// adds thousands): once this returns, they all survive a crash; a crash during the write can leave
    /// a torn last line, which reading skips.
    pub fn add_corrections(&self, corrections: &[Correction]) -> Result<(), Error> {
        let path = self.corrections_path();
        let mut line = Vec::new();
        for correction in corrections {
            let encoded = serde_json::to_vec(correction).map_err(|e| Error::Encode {
                id: correction.key.to_string(),
                reason: e.to_string(),
            })?;
            if encoded.len() > MAX_LINE {
                return Err(Error::Encode {
                    id: correction.key.to_string(),
                    reason: format!("the correction is longer than {MAX_LINE} bytes"),
                });
            }
            line.extend_from_slice(&encoded);
            line.push(b'\n');
        }
        if line.is_empty() {
            return Ok(());
        }
        // The list is held while the file is appended to: a reader sees it before or after, whole, and
        // two writers one after the other.
        let mut cached = self.corrections_cache();
        let mut known = match &*cached {
            Some(known) => Corrections::clone(known),
            None => load(self.dir())?,
        };
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        cut_torn_line(&mut file).map_err(io)?;
        file.write_all(&line).map_err(io)?;
        file.sync_all().map_err(io)?;
        for correction in corrections {
            known.push(correction.clone());
        }
        let known = Arc::new(known);
        *cached = Some(Arc::clone(&known));
        drop(cached);
        match corrections {
            [one] => self.corrected_one(one, &known),
            // Many at once (an import): the annotations are read again, with every correction, when
            // next needed, in one pass over the key column instead of one per correction.
            _ => {
                *self.annotated_cache() = None;
                Ok(())
            }
        }
    }

    /// The final labels of every comment `corrections` are about, over the machine's `table`.
    pub(crate) fn corrected_labels(
        &self,
        table: &AnnotationTable,
        corrections: &Corrections,
    ) -> Result<CorrectedLabels, Error> {
        let searcher = self.searcher();
        let mut labels = CorrectedLabels::default();
        let keys: Vec<CommentKey> = corrections.keys().collect();
        let places = self.places_of(&searcher, &keys)?;
        for key in keys {
            labels.update(places.get(&key).copied(), table, corrections, key);
        }
        Ok(labels)
    }

    /// Brings the annotations read by this store up to date with a correction just saved, so that its
    /// next searches see it (the server searches right after a reviewer's change).
    fn corrected_one(
        &self,
        correction: &Correction,
        corrections: &Corrections,
    ) -> Result<(), Error> {
        let mut cached = self.annotated_cache();
        let Some(Some(annotated)) = &*cached else {
            return Ok(());
        };
        let mut corrected = annotated.corrected.clone();
        let place = self.place_of(&self.searcher(), correction.key)?;
        corrected.update(place, &annotated.table, corrections, correction.key);
        let updated = crate::Annotated {
            table: std::sync::Arc::clone(&annotated.table),
            catalog: annotated.catalog.clone(),
            corrected,
            // The same table: its bits stay good (corrected comments are counted apart).
            label_bits: std::sync::Arc::clone(&annotated.label_bits),
        };
        *cached = Some(Some(std::sync::Arc::new(updated)));
        Ok(())
    }

    /// The sequence number and FFT score of each comment with one of these keys, in one pass over the
    /// key column (looking each key up would scan it once per key).
    fn places_of(
        &self,
        searcher: &Searcher,
        keys: &[CommentKey],
    ) -> Result<BTreeMap<CommentKey, (u64, FftScore)>, Error> {
        let wanted: HashSet<u64> = keys.iter().map(|k| k.0).collect();
        let mut found = BTreeMap::new();
        for segment in searcher.segment_readers() {
            let ff = segment.fast_fields();
            let column = |name: &str| ff.u64(name).map_err(|e| self.index_error(e));
            let (identity, seq, score) = (
                column(names::KEY_IDENTITY)?,
                column(names::SEQ)?,
                column(names::SCORE)?,
            );
            for doc in segment.doc_ids_alive() {
                if let Some(key) = identity.first(doc)
                    && wanted.contains(&key)
                    && let Some(seq) = seq.first(doc)
                {
                    let score = score_from_code(score.first(doc).unwrap_or(0));
                    found.insert(CommentKey(key), (seq, score));
                }
            }
        }
        Ok(found)
    }

    /// The sequence number and FFT score of the comment with this key, if the store holds it.
    fn place_of(
        &self,
        searcher: &Searcher,
        key: CommentKey,
    ) -> Result<Option<(u64, FftScore)>, Error> {
        let Some(address) = self.address_of(searcher, key)? else {
            return Ok(None);
        };
        let ff = searcher.segment_reader(address.segment_ord).fast_fields();
        let e = |e| self.index_error(e);
        let seq = ff.u64(names::SEQ).map_err(e)?.first(address.doc_id);
        let score = ff.u64(names::SCORE).map_err(e)?.first(address.doc_id);
        Ok(seq.map(|seq| (seq, score_from_code(score.unwrap_or(0)))))
    }
}

/// People's final labels of the comments they corrected, by sequence number: what search consults
/// before the machine's [`AnnotationTable`].
#[derive(Clone, Debug, Default)]
pub struct CorrectedLabels {
    /// Only comments whose labels people changed; `None`: no annotations even so.
    by_seq: BTreeMap<u64, Option<Annotations>>,
}

impl CorrectedLabels {
    /// Whether no comment's labels were changed (searches then never look here).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.by_seq.is_empty()
    }

    /// How many comments have labels people changed from the machine's.
    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    /// The corrected comment's final annotations, or `None` if no person changed its labels.
    #[inline]
    pub fn get(&self, seq: u64) -> Option<Option<&Annotations>> {
        self.by_seq.get(&seq).map(Option::as_ref)
    }

    /// The corrected comments' final annotations, by sequence number.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Option<&Annotations>)> + '_ {
        self.by_seq.iter().map(|(seq, a)| (*seq, a.as_ref()))
    }

    /// Recomputes one comment's final labels from the machine's and its corrections; a comment that
    /// is no longer in the store is left out.
    fn update(
        &mut self,
        place: Option<(u64, FftScore)>,
        table: &AnnotationTable,
        corrections: &Corrections,
        key: CommentKey,
    ) {
        if let Some((seq, score)) = place {
            let mut annotations = table.get(seq as usize);
            // Labels back where the machine had them (or only a quote mark) need no entry.
            if corrections
                .apply(key, score, &mut annotations)
                .changed_labels
                > 0
            {
                self.by_seq.insert(seq, annotations);
            } else {
                self.by_seq.remove(&seq);
            }
        }
    }
}

/// Reads the corrections of the store at `dir` (see [`Store::corrections`]).
pub(crate) fn load(dir: &Path) -> Result<Corrections, Error> {
    let path = dir.join(CORRECTIONS_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Corrections::default()),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let complete = complete_len(&bytes);
    let mut entries = Vec::new();
    for (i, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let correction: Correction =
            serde_json::from_slice(line).map_err(|e| Error::BadCorrection {
                path: path.clone(),
                line: i + 1,
                reason: e.to_string(),
            })?;
        entries.push(correction);
    }
    Ok(Corrections::new(entries))
}

/// The length of the part of the file made of whole lines.
fn complete_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1)
}

/// Cuts a last line that has no newline (left by a crash during a write), so the next line starts on
/// a line of its own.
fn cut_torn_line(file: &mut fs::File) -> io::Result<()> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    // Read back at most one line's worth from the end to find the last newline.
    let tail = len.min(MAX_LINE as u64 * 2 + 2);
    file.seek(SeekFrom::Start(len - tail))?;
    let mut buf = Vec::with_capacity(tail as usize);
    Read::by_ref(file).take(tail).read_to_end(&mut buf)?;
    if buf.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match buf.iter().rposition(|&b| b == b'\n') {
        Some(newline) => len - tail + newline as u64 + 1,
        None if tail == len => 0,
        // No newline in the last two lines' worth: not a torn line of ours; leave the file alone.
        None => return Ok(()),
    };
    file.set_len(keep)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::ThemeSource;
    use chorus_core::corrections::{CommentKey, CorrectionAction};

    fn correction(n: u64) -> Correction {
        Correction::new(
            "2025-01-06T10:00:00Z",
            Some("AB".into()),
            CommentKey(n),
            CorrectionAction::RemoveTheme {
                theme: "Parking".into(),
                source: ThemeSource::Codebook,
            },
        )
    }

    #[test]
    fn corrections_are_appended_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create_or_open(&dir.path().join("s")).unwrap();
        assert!(store.corrections().unwrap().is_empty());
        store.add_correction(&correction(1)).unwrap();
        store.add_correction(&correction(2)).unwrap();
        let log = store.corrections().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log.of(CommentKey(2)), [correction(2)]);
    }

    #[test]
    fn a_batch_is_appended_in_order_after_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create_or_open(&dir.path().join("s")).unwrap();
        store.add_correction(&correction(1)).unwrap();
        store
            .add_corrections(&[correction(2), correction(3)])
            .unwrap();
        store.add_corrections(&[]).unwrap();
        let log = store.corrections().unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log.keys().collect::<Vec<_>>(), [1, 2, 3].map(CommentKey));
    }

    #[test]
    fn a_torn_last_line_is_skipped_then_cut() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create_or_open(&dir.path().join("s")).unwrap();
        store.add_correction(&correction(1)).unwrap();
        let path = store.corrections_path();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"time":"2025-01-06T1"#).unwrap();
        drop(file);
        // A store reads its corrections once: the next process sees the torn line.
        let store = Store::open(&dir.path().join("s")).unwrap();
        assert_eq!(
            store.corrections().unwrap().len(),
            1,
            "the torn line is skipped"
        );
        store.add_correction(&correction(3)).unwrap();
        let log = store.corrections().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log.of(CommentKey(3)).len(), 1);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
    }

    #[test]
    fn a_damaged_line_is_reported_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create_or_open(&dir.path().join("s")).unwrap();
        store.add_correction(&correction(1)).unwrap();
        let path = store.corrections_path();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"not json\n").unwrap();
        drop(file);
        let store = Store::open(&dir.path().join("s")).unwrap();
        let error = store.corrections().unwrap_err().to_string();
        assert!(error.contains("corrections.jsonl line 2"), "{error}");
    }
}
