//! The store directory: its manifest, the tantivy index, the theme catalog, quarantine files, and the
//! writer that adds comments.
//!
//! ## Store format (version [`STORE_FORMAT_VERSION`])
//!
//! ```text
//! STORE/
//!   chorus-store.json     manifest: {"format": "chorus-store", "format_version", "analyzer_version", "created_by"}
//!   index/                the tantivy index: one document per comment (see the schema module for fields),
//!                         each with its ingest sequence number `seq`
//!   annotations.chorus    what the last theming run found, keyed by `seq`, with its theme catalog (the
//!                         `sidecar` module): written whole and atomically, never inside the index
//!   quarantine/           ingest-0001.csv, ingest-0002.csv…: rejected records of each ingest
//! ```
//!
//! Every change is one tantivy commit: tantivy writes new segment files, then atomically replaces
//! `meta.json`, so a crash at any point leaves the last commit readable, and unreferenced files are
//! collected by the next writer (which collects them before it writes anything, so a disk filled by a
//! failed ingest is freed by the next command that writes, and by the failed write itself where it can).
//! Theming writes only `annotations.chorus`, whole, with its catalog inside, so the two cannot disagree
//! after a crash, and no index document is rewritten; comments ingested after a theming run have no
//! annotations until the next one. An ingest commits every [`COMMIT_EVERY`] comments, so a killed ingest keeps what it
//! had done and a re-run skips those comments as duplicates. The writer lock
//! (`index/.tantivy-writer.lock`) is an OS file lock: a killed process releases it, and the file left
//! behind is harmless. Reading takes no lock where the folder is read-only (see the `directory` module).
//!
//! tantivy does not check its files' checksums when it reads them, so a flipped bit could change a
//! comment's text silently: [`Store::comments`] (what theming, reports and exports read) checks them
//! first, and a failed read is diagnosed the same way, so damage is reported as [`Error::Damaged`] with
//! what to do, never as tantivy's own message. [`Store::check`] verifies everything and
//! [`Store::repair`] rebuilds a damaged store from what can still be read.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chorus_core::keys::CommentKeys;
use chorus_core::{
    AnnotationTable, Comment, CommentSink, FftScore, Interner, QuestionKind, SinkError,
    ThemeCatalog,
};
use chorus_text::Analyzer;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::indexer::UserOperation;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentOrdinal,
    SegmentReader, TantivyDocument, TantivyError,
};

use crate::Error;
use crate::directory::{StoreDirectory, is_read_only};
use crate::schema::{self, Fields, names};
use crate::sidecar::{self, Annotated};
use crate::tokenizer;

/// The manifest's file name inside a store directory.
pub const MANIFEST_FILE: &str = "chorus-store.json";
/// The version of the store layout and schema; a store with another version is refused.
pub const STORE_FORMAT_VERSION: u32 = 2;
/// The earlier store format `chorus check --repair` brings up to date: format 1 kept the annotations
/// and the catalog inside the index, whose schema (a superset of format 2's) format 2 can read. Its
/// themes are not carried over (theming again rebuilds them).
pub(crate) const UPGRADABLE_FORMAT: u32 = 1;
const MANIFEST_FORMAT: &str = "chorus-store";
pub(crate) const INDEX_DIR: &str = "index";
/// The store's folder inside the output folder of `chorus analyse`.
const ANALYSE_STORE_DIR: &str = "store";
/// Comments an ingest adds between commits: a killed ingest keeps what it had committed. Each commit
/// flushes a segment per indexing thread, which the background merges join again (see BENCHMARKS.md for
/// what it costs at a million comments).
pub const COMMIT_EVERY: u64 = 100_000;
const QUARANTINE_DIR: &str = "quarantine";
/// Two indexing threads (the target machines have two cores) sharing this arena: big enough that a million
/// comments make two segments (one per thread) without flushing early or merging; at that size the arena
/// is all the memory an ingest needs beyond its duplicate keys (see BENCHMARKS.md).
const WRITER_MEMORY: usize = 512 * 1024 * 1024;
const WRITER_THREADS: usize = 2;
/// Documents per message to the indexing threads (tantivy keeps up to four in a message without
/// allocating).
const SEND_BATCH: usize = 4;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    analyzer_version: u32,
    #[serde(default)]
    created_by: String,
}

/// A store: a directory holding every comment in a tantivy index, the theme catalog and quarantine files.
///
/// Reads see the state of the last commit made through this `Store` (or when it was opened); open the
/// store again to see commits made by other processes.
pub struct Store {
    dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The annotation file, read the first time something needs it (`None` inside: not read yet).
    annotated: Mutex<Option<Option<Arc<Annotated>>>>,
    /// People's corrections, read from `corrections.jsonl` the first time something needs them and kept
    /// up to date by [`Store::add_corrections`]: the one list of them in a process.
    pub(crate) corrections: Mutex<Option<Arc<chorus_core::corrections::Corrections>>>,
    /// The attribute terms of every document, read the first time attributes are counted.
    pub(crate) attribute_columns: Mutex<Option<Arc<crate::attributes::AttributeColumns>>>,
}

/// Comment texts by sequence number ([`Store::texts`]).
pub struct SeqTexts {
    places: Vec<Option<(SegmentOrdinal, DocId)>>,
    readers: Vec<tantivy::store::StoreReader>,
    text: tantivy::schema::Field,
}

impl std::fmt::Debug for SeqTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeqTexts")
            .field("comments", &self.places.len())
            .finish_non_exhaustive()
    }
}

impl SeqTexts {
    /// The text of the comment with sequence number `seq`, if the store holds it and it can be read.
    pub fn text(&self, seq: u64) -> Option<String> {
        let (ord, doc) = (*self.places.get(usize::try_from(seq).ok()?)?)?;
        let stored: TantivyDocument = self.readers.get(ord as usize)?.get(doc).ok()?;
        stored
            .get_first(self.text)
            .and_then(|v| tantivy::schema::Value::as_str(&v))
            .map(str::to_owned)
    }
}

/// What theming reads of a stored comment ([`Store::for_each_text`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TextRow {
    /// The comment's sequence number (its place in ingest order).
    pub seq: u64,
    /// The redacted text (empty for a blank answer).
    pub text: String,
    /// The kind of question answered.
    pub question_kind: QuestionKind,
    /// The FFT answer that came with it.
    pub score: FftScore,
    /// The respondent left the question blank.
    pub no_comment: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Creates the store directory (and manifest) if absent, else opens it.
    ///
    /// An existing, non-empty directory that is not a store is refused rather than written into.
    pub fn create_or_open(dir: &Path) -> Result<Store, Error> {
        let dir = &Store::locate(dir);
        let manifest = dir.join(MANIFEST_FILE);
        if manifest.is_file() {
            return Store::open(dir);
        }
        if dir.exists() {
            let entries: Vec<_> = fs::read_dir(dir)
                .map_err(|source| io(dir, source))?
                .collect::<Result<_, _>>()
                .map_err(|source| io(dir, source))?;
            let unfinished = entries.len() == 1 && entries[0].file_name() == INDEX_DIR;
            if unfinished {
                // A creation killed before its manifest was written: nothing was ever stored in it.
                let index_dir = dir.join(INDEX_DIR);
                fs::remove_dir_all(&index_dir).map_err(|source| io(&index_dir, source))?;
            } else if !entries.is_empty() {
                return Err(Error::NotAStore {
                    path: dir.to_owned(),
                });
            }
        }
        fs::create_dir_all(dir.join(INDEX_DIR)).map_err(|source| io(dir, source))?;
        let index = Index::builder()
            .schema(schema::build_schema())
            .create_in_dir(dir.join(INDEX_DIR))
            .map_err(|source| index_error(dir, source))?;
        drop(index);
        // The manifest comes last: a directory without one is an unfinished creation, never a store.
        write_manifest(dir)?;
        Store::open(dir)
    }

    /// Where the store given as `dir` is: `dir` itself, or `dir/store` when `dir` is the output folder
    /// of `chorus analyse` (which holds a store there and no manifest of its own).
    pub fn locate(dir: &Path) -> PathBuf {
        let inner = dir.join(ANALYSE_STORE_DIR);
        if !dir.join(MANIFEST_FILE).is_file() && inner.join(MANIFEST_FILE).is_file() {
            inner
        } else {
            dir.to_owned()
        }
    }

    /// Opens an existing store (or the store of an output folder of `chorus analyse`, see
    /// [`Store::locate`]); a clear error if it is not a store or was made by an incompatible version.
    /// A store on a read-only disk opens for reading.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        let dir = &Store::locate(dir);
        let (index, fields) = open_index(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|source| read_failure(&index, dir, source))?;
        Ok(Store {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            annotated: Mutex::new(None),
            corrections: Mutex::new(None),
            attribute_columns: Mutex::new(None),
        })
    }

    /// What the last theming run found (every themed comment's annotations by sequence number, and the
    /// catalog), or `None` if theming never ran. Read once, then shared.
    ///
    /// The table holds the machine's labels; [`Annotated::corrected`] holds people's corrections of
    /// them (read from the corrections file at the same time), which search predicates and facets see.
    pub fn annotated(&self) -> Result<Option<Arc<Annotated>>, Error> {
        let mut cached = self.annotated_cache();
        if let Some(annotated) = &*cached {
            return Ok(annotated.clone());
        }
        let mut loaded = sidecar::load(&self.dir)?;
        if let Some(annotated) = loaded.as_mut().and_then(Arc::get_mut) {
            let corrections = self.corrections()?;
            if !corrections.is_empty() {
                annotated.corrected = self.corrected_labels(&annotated.table, &corrections)?;
            }
        }
        *cached = Some(loaded.clone());
        Ok(loaded)
    }

    /// The cache of [`Store::annotated`], locked.
    pub(crate) fn annotated_cache(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<Option<Arc<Annotated>>>> {
        self.annotated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many comments the store holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the store holds no comment.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The error for a failed read: [`Error::Damaged`] if a file of the store fails its checksum.
    pub(crate) fn index_error(&self, source: TantivyError) -> Error {
        read_failure(&self.index, &self.dir, source)
    }

    /// A damaged record, or the damage that explains it.
    fn bad_record(&self, segment: String, doc: DocId, reason: String) -> Error {
        match damage(&self.index) {
            Some(what) => Error::Damaged {
                path: self.dir.clone(),
                what,
            },
            None => Error::BadRecord {
                path: self.dir.clone(),
                segment,
                doc,
                reason,
            },
        }
    }

    /// The comment stored at `doc` of segment `segment`, for a search hit; its repeated strings shared
    /// through `interner`.
    pub(crate) fn hit_comment(
        &self,
        searcher: &Searcher,
        segment: SegmentOrdinal,
        doc: DocId,
        interner: &mut Interner,
    ) -> Result<Comment, Error> {
        let stored: TantivyDocument = searcher
            .doc(DocAddress::new(segment, doc))
            .map_err(|e| self.index_error(e))?;
        schema::from_document(&self.fields, &stored, interner)
            .map_err(|reason| self.bad_record(segment.to_string(), doc, reason))
    }

    /// Keys of every stored comment, for duplicate detection by ingestion, in ingest order.
    ///
    /// Read from fast-field columns, without touching the stored documents: about 25 MB and a few tens of
    /// milliseconds at a million comments.
    pub fn known_keys(&self) -> Result<Vec<CommentKeys>, Error> {
        let mut keyed = self.key_rows()?;
        keyed.sort_unstable_by_key(|row| row.seq);
        Ok(keyed.into_iter().map(|row| row.keys).collect())
    }

    /// The sequence number and keys of every live document.
    fn key_rows(&self) -> Result<Vec<KeyRow>, Error> {
        let searcher = self.searcher();
        let mut rows = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let ff = segment.fast_fields();
            let col = |name: &str| ff.u64(name).map_err(|e| self.index_error(e));
            let (seq, identity, content, respondent) = (
                col(names::SEQ)?,
                col(names::KEY_IDENTITY)?,
                col(names::KEY_CONTENT)?,
                col(names::KEY_RESPONDENT)?,
            );
            for doc in segment.doc_ids_alive() {
                rows.push(KeyRow {
                    seq: seq.first(doc).unwrap_or(0),
                    keys: CommentKeys {
                        identity: identity.first(doc).unwrap_or(0),
                        content: content.first(doc).unwrap_or(0),
                        respondent: respondent.first(doc).unwrap_or(0),
                    },
                });
            }
        }
        Ok(rows)
    }

    /// A writer that adds comments; nothing is visible until [`StoreWriter::commit`].
    ///
    /// Only one writer can exist at a time, across processes: a second gets [`Error::Busy`].
    pub fn writer(&self) -> Result<StoreWriter, Error> {
        let writer = self.tantivy_writer()?;
        // Read the state only once the lock is held, so no other writer can change it underneath.
        self.reader.reload().map_err(|e| self.index_error(e))?;
        let rows = self.key_rows()?;
        let next_seq = rows.iter().map(|r| r.seq + 1).max().unwrap_or(0);
        let known = rows.iter().map(|r| key_triple(&r.keys)).collect();
        Ok(StoreWriter {
            writer: Some(writer),
            reader: self.reader.clone(),
            fields: self.fields.clone(),
            dir: self.dir.clone(),
            next_seq,
            known,
            pending: Vec::with_capacity(SEND_BATCH),
            added: 0,
            skipped: 0,
            commit_every: COMMIT_EVERY,
            since_commit: 0,
            failed: None,
        })
    }

    fn tantivy_writer(&self) -> Result<IndexWriter<TantivyDocument>, Error> {
        writer_for(&self.index, &self.dir)
    }

    /// Every comment with its annotations (if theming ran), in ingest order (stable, deterministic).
    ///
    /// Holds the whole store: at a million comments of the benchmark export the returned comments take
    /// about 0.8 GiB (each batch's repeated strings shared through one [`Interner`]). Stream with
    /// [`Store::for_each_comment`] instead where one pass will do; use `Store::search` or
    /// `Store::stats` when counts are enough.
    pub fn comments(&self) -> Result<Vec<Comment>, Error> {
        let mut all = Vec::with_capacity(self.len() as usize);
        self.for_each_comment(65_536, |batch| {
            all.extend(batch.into_iter().map(|(_, c)| c));
            Ok::<(), Error>(())
        })?;
        Ok(all)
    }

    /// Every live comment's place, in ingest order: (sequence number, segment, document).
    pub(crate) fn in_order(
        &self,
        searcher: &Searcher,
    ) -> Result<Vec<(u64, SegmentOrdinal, DocId)>, Error> {
        let mut order = Vec::with_capacity(searcher.num_docs() as usize);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let seq = segment
                .fast_fields()
                .u64(names::SEQ)
                .map_err(|e| self.index_error(e))?;
            for doc in segment.doc_ids_alive() {
                order.push((seq.first(doc).unwrap_or(0), ord as SegmentOrdinal, doc));
            }
        }
        order.par_sort_unstable();
        Ok(order)
    }

    /// Reads the stored documents of `places` (in that order) on all cores, each turned into a `T` by
    /// `read`.
    fn read_places<T: Send>(
        &self,
        searcher: &Searcher,
        places: &[(u64, SegmentOrdinal, DocId)],
        read: impl Fn(&mut Interner, &SegmentReader, u64, DocId, TantivyDocument) -> Result<T, Error>
        + Sync,
    ) -> Result<Vec<T>, Error> {
        /// Documents a task reads with its own readers: enough to amortise opening them.
        const TASK: usize = 2048;
        let parts: Vec<Vec<T>> = places
            .par_chunks(TASK)
            .map(|chunk| {
                let mut readers: Vec<Option<tantivy::store::StoreReader>> =
                    (0..searcher.segment_readers().len())
                        .map(|_| None)
                        .collect();
                let mut out = Vec::with_capacity(chunk.len());
                let mut interner = Interner::new();
                for &(seq, ord, doc) in chunk {
                    let segment = &searcher.segment_readers()[ord as usize];
                    let reader = match &mut readers[ord as usize] {
                        Some(reader) => reader,
                        slot => slot.insert(
                            segment
                                .get_store_reader(8)
                                .map_err(|e| self.index_error(e.into()))?,
                        ),
                    };
                    let stored: TantivyDocument = reader.get(doc).map_err(|e| {
                        self.bad_record(
                            segment.segment_id().short_uuid_string(),
                            doc,
                            e.to_string(),
                        )
                    })?;
                    out.push(read(&mut interner, segment, seq, doc, stored)?);
                }
                Ok(out)
            })
            .collect::<Result<_, Error>>()?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Calls `f` with every comment, with its annotations, in ingest order, `batch` at a time, so that
    /// a store of any size is read once and never held whole (reports and exports stream through it).
    /// Each comment comes with its sequence number.
    pub fn for_each_comment<E: From<Error>>(
        &self,
        batch: usize,
        f: impl FnMut(Vec<(u64, Comment)>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.check_sound()?;
        let searcher = self.searcher();
        let order = self.in_order(&searcher)?;
        self.read_comments(&searcher, &order, batch, f)
    }

    /// Calls `f` with the comments whose sequence numbers are `seqs`, in that order (any order: an export
    /// groups them), `batch` at a time, as [`Store::for_each_comment`] does. A number the store does not
    /// hold is skipped.
    pub fn for_each_comment_of<E: From<Error>>(
        &self,
        seqs: &[u64],
        batch: usize,
        f: impl FnMut(Vec<(u64, Comment)>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.check_sound()?;
        let searcher = self.searcher();
        let order = self.in_order(&searcher)?;
        let places: Vec<(u64, SegmentOrdinal, DocId)> = seqs
            .iter()
            .filter_map(|&seq| {
                let at = order.binary_search_by_key(&seq, |p| p.0).ok()?;
                Some(order[at])
            })
            .collect();
        drop(order);
        self.read_comments(&searcher, &places, batch, f)
    }

    /// The comments at `places`, with their annotations, to `f` in batches.
    pub(crate) fn read_comments<E: From<Error>>(
        &self,
        searcher: &Searcher,
        places: &[(u64, SegmentOrdinal, DocId)],
        batch: usize,
        mut f: impl FnMut(Vec<(u64, Comment)>) -> Result<(), E>,
    ) -> Result<(), E> {
        let annotated = self.annotated()?;
        for window in places.chunks(batch.max(1)) {
            let comments =
                self.read_places(searcher, window, |interner, segment, seq, doc, stored| {
                    let mut comment = schema::from_document(&self.fields, &stored, interner)
                        .map_err(|reason| {
                            self.bad_record(segment.segment_id().short_uuid_string(), doc, reason)
                        })?;
                    comment.annotations =
                        annotated.as_ref().and_then(|a| a.table.get(seq as usize));
                    Ok((seq, comment))
                })?;
            f(comments)?;
        }
        Ok(())
    }

    /// Calls `f` with what theming reads of every comment, in ingest order, `batch` at a time: its
    /// text from the stored document (the rest of the record is not parsed) and its question kind,
    /// score and blank flag from the fast fields (classified once, at ingest).
    pub fn for_each_text<E: From<Error>>(
        &self,
        batch: usize,
        mut f: impl FnMut(Vec<TextRow>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.check_sound()?;
        let searcher = self.searcher();
        let order = self.in_order(&searcher)?;
        let fields = &self.fields;
        for window in order.chunks(batch.max(1)) {
            let rows = self.read_places(&searcher, window, |_, segment, seq, doc, stored| {
                let ff = segment.fast_fields();
                let e = |e| self.index_error(e);
                let kind = ff.u64(names::QUESTION_KIND).map_err(e)?.first(doc);
                let score = ff.u64(names::SCORE).map_err(e)?.first(doc);
                let no_comment = ff.bool(names::NO_COMMENT).map_err(e)?.first(doc);
                Ok(TextRow {
                    seq,
                    text: stored
                        .get_first(fields.text)
                        .and_then(|v| tantivy::schema::Value::as_str(&v))
                        .unwrap_or("")
                        .to_owned(),
                    question_kind: schema::kind_from_code(kind.unwrap_or(3)),
                    score: schema::score_from_code(score.unwrap_or(0)),
                    no_comment: no_comment.unwrap_or(false),
                })
            })?;
            f(rows)?;
        }
        Ok(())
    }

    /// A reader of single comments' texts by sequence number, for the few a theming run quotes.
    pub fn texts(&self) -> Result<SeqTexts, Error> {
        let searcher = self.searcher();
        let order = self.in_order(&searcher)?;
        let mut places = vec![None; order.last().map_or(0, |p| p.0 as usize + 1)];
        for &(seq, ord, doc) in &order {
            places[seq as usize] = Some((ord, doc));
        }
        let readers = searcher
            .segment_readers()
            .iter()
            .map(|s| s.get_store_reader(4))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.index_error(e.into()))?;
        Ok(SeqTexts {
            places,
            readers,
            text: self.fields.text,
        })
    }

    /// [`Error::Damaged`] if a file of the index fails its checksum: everything read whole reaches
    /// reports and exports, and a changed byte must not become a changed quote.
    pub(crate) fn check_sound(&self) -> Result<(), Error> {
        match damage(&self.index) {
            Some(what) => Err(Error::Damaged {
                path: self.dir.clone(),
                what,
            }),
            None => Ok(()),
        }
    }

    /// Stores annotations for the store's comments (as [`Store::comments`] returned them, with
    /// `annotations` set by theming) and the catalog, atomically, beside the index: see
    /// [`Annotator::replace_annotations`].
    pub fn replace_annotations(
        &self,
        comments: &[Comment],
        catalog: &ThemeCatalog,
    ) -> Result<(), Error> {
        self.annotator()?.replace_annotations(comments, catalog)
    }

    /// Takes the writer lock for a theming run, before it reads and computes, so that a run started
    /// while another command writes fails at once with [`Error::Busy`] (not after minutes of work), and
    /// no ingest can change the store while it computes.
    pub fn annotator(&self) -> Result<Annotator<'_>, Error> {
        Ok(Annotator {
            store: self,
            writer: self.tantivy_writer()?,
        })
    }
    /// The catalog of the last theming run, if any.
    pub fn catalog(&self) -> Result<Option<ThemeCatalog>, Error> {
        Ok(self.annotated()?.map(|a| a.catalog.clone()))
    }

    /// The sequence number the next comment ingested will get: one past the last stored. A theming
    /// run's table has a row for every number below it.
    pub fn next_seq(&self) -> Result<u64, Error> {
        Ok(self
            .key_rows()?
            .iter()
            .map(|r| r.seq + 1)
            .max()
            .unwrap_or(0))
    }

    /// A new file path inside the store where ingestion writes this run's quarantine
    /// (`quarantine/ingest-0003.csv`): one more than the highest number already there. The folder is
    /// created; the file is not.
    pub fn new_quarantine_path(&self) -> Result<PathBuf, Error> {
        let dir = self.dir.join(QUARANTINE_DIR);
        fs::create_dir_all(&dir).map_err(|source| {
            if is_read_only(&source) {
                Error::ReadOnly {
                    path: self.dir.clone(),
                }
            } else {
                io(&dir, source)
            }
        })?;
        let mut highest = 0u32;
        for entry in fs::read_dir(&dir).map_err(|source| io(&dir, source))? {
            let entry = entry.map_err(|source| io(&dir, source))?;
            let name = entry.file_name();
            let number = name
                .to_str()
                .and_then(|n| n.strip_prefix("ingest-"))
                .and_then(|n| n.split('.').next())
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(n) = number {
                highest = highest.max(n);
            }
        }
        Ok(dir.join(format!("ingest-{:04}.csv", highest + 1)))
    }
}

/// The writer lock of a theming run (see [`Store::annotator`]); dropping it releases the lock.
pub struct Annotator<'a> {
    store: &'a Store,
    writer: IndexWriter<TantivyDocument>,
}

impl std::fmt::Debug for Annotator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Annotator")
            .field("dir", &self.store.dir)
            .finish()
    }
}

impl Annotator<'_> {
    /// [`Annotator::save`] for comments as [`Store::comments`] returned them (all of them, in order),
    /// each with the annotations to store: for small stores and tests, which hold their comments anyway.
    /// Comments that are not the store's give [`Error::StaleComments`].
    pub fn replace_annotations(
        self,
        comments: &[Comment],
        catalog: &ThemeCatalog,
    ) -> Result<(), Error> {
        let store = self.store;
        store.reader.reload().map_err(|e| store.index_error(e))?;
        let mut rows = store.key_rows()?;
        rows.sort_unstable_by_key(|row| row.seq);
        if rows.len() != comments.len() {
            return Err(Error::StaleComments {
                reason: format!(
                    "the store holds {} comments, {} were given",
                    rows.len(),
                    comments.len()
                ),
            });
        }
        let mut table = AnnotationTable::new();
        for (i, (row, c)) in rows.iter().zip(comments).enumerate() {
            if row.keys.identity != c.identity_key() || row.keys.content != c.content_key() {
                return Err(Error::StaleComments {
                    reason: format!(
                        "comment {} (`{}`) is not the store's comment at that place",
                        i + 1,
                        c.id
                    ),
                });
            }
            while (table.len() as u64) < row.seq {
                table.push(None);
            }
            table.push(c.annotations.as_ref());
        }
        self.save(&table, catalog)
    }

    /// Stores a theming run's results, replacing the last run's, atomically: `table` has a row for
    /// every sequence number of the store (see [`Store::next_seq`]), and the lock held since
    /// [`Store::annotator`] means no comment was added meanwhile. The text index is not touched.
    pub fn save(self, table: &AnnotationTable, catalog: &ThemeCatalog) -> Result<(), Error> {
        let store = self.store;
        store.reader.reload().map_err(|e| store.index_error(e))?;
        let expected = store.next_seq()?;
        if table.len() as u64 != expected {
            return Err(Error::StaleComments {
                reason: format!(
                    "the store's comments run to number {expected}, the annotations cover {}",
                    table.len()
                ),
            });
        }
        sidecar::save(&store.dir, table, catalog)?;
        *store
            .annotated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        drop(self.writer);
        Ok(())
    }
}

/// Writes the manifest of a store of this build's format.
pub(crate) fn write_manifest(dir: &Path) -> Result<(), Error> {
    let manifest_json = serde_json::to_vec_pretty(&Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        format_version: STORE_FORMAT_VERSION,
        analyzer_version: Analyzer::ENGLISH_VERSION,
        created_by: format!("chorus {}", env!("CARGO_PKG_VERSION")),
    })
    .map_err(|e| Error::Encode {
        id: "manifest".to_owned(),
        reason: e.to_string(),
    })?;
    atomic_write(&dir.join(MANIFEST_FILE), &manifest_json)
}

/// The index of the store at `dir` (already located), after checking its manifest, with its fields.
pub(crate) fn open_index(dir: &Path) -> Result<(Index, Fields), Error> {
    let (index, fields, older) = open_index_of_any_format(dir)?;
    match older {
        Some(found) => Err(Error::OlderStore {
            path: dir.to_owned(),
            found,
        }),
        None => Ok((index, fields)),
    }
}

/// [`open_index`], accepting a store of [`UPGRADABLE_FORMAT`] too, whose format it returns:
/// `chorus check --repair` brings such a store up to date.
pub(crate) fn open_index_of_any_format(dir: &Path) -> Result<(Index, Fields, Option<u32>), Error> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let bytes = match fs::read(&manifest_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(if dir.exists() {
                Error::NotAStore {
                    path: dir.to_owned(),
                }
            } else {
                Error::NoStore {
                    path: dir.to_owned(),
                }
            });
        }
        Err(source) => return Err(io(&manifest_path, source)),
    };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| Error::BadManifest {
        path: manifest_path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(Error::BadManifest {
            path: manifest_path,
            reason: format!(
                "its format is `{}`, not `{MANIFEST_FORMAT}`",
                manifest.format
            ),
        });
    }
    let older = manifest.format_version == UPGRADABLE_FORMAT
        && manifest.analyzer_version == Analyzer::ENGLISH_VERSION;
    if !older
        && (manifest.format_version != STORE_FORMAT_VERSION
            || manifest.analyzer_version != Analyzer::ENGLISH_VERSION)
    {
        return Err(Error::IncompatibleVersion {
            path: dir.to_owned(),
            found_format: manifest.format_version,
            found_analyzer: manifest.analyzer_version,
            format: STORE_FORMAT_VERSION,
            analyzer: Analyzer::ENGLISH_VERSION,
        });
    }
    let index_dir = dir.join(INDEX_DIR);
    let directory = StoreDirectory::open(&index_dir).map_err(|source| index_error(dir, source))?;
    let index = Index::open(directory).map_err(|source| damaged_meta(dir, source))?;
    tokenizer::register(index.tokenizers());
    let fields = Fields::new(&index.schema()).map_err(|reason| Error::BadManifest {
        path: manifest_path.clone(),
        reason: format!(
            "the index does not match store format {}: {reason}",
            manifest.format_version
        ),
    })?;
    Ok((index, fields, older.then_some(manifest.format_version)))
}

/// The writer of an index: takes the writer lock, then deletes the files no commit refers to (what a
/// killed or failed write left behind), so that a disk a failed ingest filled has room again.
pub(crate) fn writer_for(index: &Index, dir: &Path) -> Result<IndexWriter<TantivyDocument>, Error> {
    let writer = index
        .writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)
        .map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => Error::Busy {
                path: dir.to_owned(),
            },
            other => write_error(dir, other),
        })?;
    writer
        .garbage_collect_files()
        .wait()
        .map_err(|e| write_error(dir, e))?;
    Ok(writer)
}

/// Replaces every document of the index with `comments` (sequence number and comment, in order) in one
/// commit.
pub(crate) fn rewrite(
    writer: IndexWriter<TantivyDocument>,
    fields: &Fields,
    comments: &[(u64, Comment)],
    dir: &Path,
) -> Result<(), Error> {
    writer
        .delete_all_documents()
        .map_err(|e| write_error(dir, e))?;
    let mut batch = Vec::with_capacity(SEND_BATCH);
    for (seq, comment) in comments {
        let doc =
            schema::to_document(fields, comment, &comment.keys(), *seq).map_err(|reason| {
                Error::Encode {
                    id: comment.id.clone(),
                    reason,
                }
            })?;
        batch.push(doc);
        if batch.len() == SEND_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(SEND_BATCH));
            send_in_batches(&writer, full).map_err(|e| write_error(dir, e))?;
        }
    }
    send_in_batches(&writer, batch).map_err(|e| write_error(dir, e))?;
    commit(writer, dir)
}

struct KeyRow {
    seq: u64,
    keys: CommentKeys,
}

fn key_triple(keys: &CommentKeys) -> (u64, u64, u64) {
    (keys.identity, keys.content, keys.respondent)
}

/// Adds comments to a store. Dropping it without [`StoreWriter::commit`] discards what was added.
pub struct StoreWriter {
    /// `None` once a write failed: the writer's threads were joined and its unfinished files deleted.
    writer: Option<IndexWriter<TantivyDocument>>,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
    next_seq: u64,
    known: FxHashSet<(u64, u64, u64)>,
    /// Built documents not yet sent to the indexing threads (fewer than [`SEND_BATCH`]).
    pending: Vec<TantivyDocument>,
    added: u64,
    skipped: u64,
    commit_every: u64,
    since_commit: u64,
    /// Why an earlier write failed: the writer was closed, so nothing more may be added.
    failed: Option<Failure>,
}

/// What a failed write said, to say it again if the writer is used after it.
#[derive(Clone, Copy, Debug)]
enum Failure {
    DiskFull,
    ReadOnly,
    Other,
}

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWriter")
            .field("dir", &self.dir)
            .field("added", &self.added)
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Ingestion writes straight into the store.
impl CommentSink for StoreWriter {
    fn add(&mut self, comment: Comment) -> Result<(), SinkError> {
        StoreWriter::add(self, &comment).map_err(|e| Box::new(e) as SinkError)
    }

    fn add_keyed(&mut self, comment: Comment, keys: CommentKeys) -> Result<(), SinkError> {
        StoreWriter::add_keyed(self, &comment, keys).map_err(|e| Box::new(e) as SinkError)
    }
}
impl StoreWriter {
    /// Adds a comment after those already stored.
    ///
    /// A comment whose three keys all equal those of a stored (or already added) comment is the same
    /// comment read twice: it is skipped and counted by [`StoreWriter::skipped`], so a re-run after a crash
    /// never doubles a comment even if the caller did not filter with [`Store::known_keys`].
    pub fn add(&mut self, comment: &Comment) -> Result<(), Error> {
        self.add_keyed(comment, comment.keys())
    }

    /// [`StoreWriter::add`] with the comment's keys, as [`Comment::keys`] gives them, when the caller has
    /// them already (ingestion computes them to deduplicate).
    pub fn add_keyed(&mut self, comment: &Comment, keys: CommentKeys) -> Result<(), Error> {
        debug_assert_eq!(keys, comment.keys(), "the keys are not this comment's");
        self.check_not_failed()?;
        if !self.known.insert(key_triple(&keys)) {
            self.skipped += 1;
            return Ok(());
        }
        let doc =
            schema::to_document(&self.fields, comment, &keys, self.next_seq).map_err(|reason| {
                Error::Encode {
                    id: comment.id.clone(),
                    reason,
                }
            })?;
        // A few documents per message (see `send_in_batches`): tantivy's channel holds a bounded number
        // of messages, so a big batch would let many documents queue up in memory, and one document per
        // message costs a wake-up of an indexing thread per document.
        self.pending.push(doc);
        if self.pending.len() == SEND_BATCH {
            self.flush_pending()?;
        }
        self.next_seq += 1;
        self.added += 1;
        self.since_commit += 1;
        if self.since_commit >= self.commit_every {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Commits every `n` added comments instead of every [`COMMIT_EVERY`] (at least 1), e.g. to test
    /// what a killed ingest keeps.
    pub fn set_commit_every(&mut self, n: u64) {
        self.commit_every = n.max(1);
    }

    /// Comments added so far (not counting skipped ones).
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Comments skipped because the store already held them.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    fn flush_pending(&mut self) -> Result<(), Error> {
        let docs = std::mem::replace(&mut self.pending, Vec::with_capacity(SEND_BATCH));
        let Some(writer) = &self.writer else {
            return Err(self.closed());
        };
        let sent = send_in_batches(writer, docs);
        sent.map_err(|source| self.fail(source))
    }

    /// Commits what was added so far, keeping the writer: what a killed ingest keeps.
    fn checkpoint(&mut self) -> Result<(), Error> {
        self.flush_pending()?;
        let Some(writer) = self.writer.as_mut() else {
            return Err(self.closed());
        };
        let committed = writer.prepare_commit().and_then(|p| p.commit());
        committed.map_err(|source| self.fail(source))?;
        self.since_commit = 0;
        Ok(())
    }

    /// Why the writer is gone: the failure that closed it.
    fn closed(&self) -> Error {
        self.check_not_failed().err().unwrap_or_else(|| Error::Io {
            path: self.dir.clone(),
            source: io::Error::other("the store's writer was already closed"),
        })
    }

    /// After a failed write: stops the writer and deletes the files of the unfinished commit, so that a
    /// full disk is not left full; the error says what happened in words.
    fn fail(&mut self, source: TantivyError) -> Error {
        let Some(mut writer) = self.writer.take() else {
            return write_error(&self.dir, source);
        };
        // A dead indexing thread is reported as "killed"; its own error (a full disk) comes back when
        // the thread is joined, which preparing a commit does.
        let source = if matches!(source, TantivyError::ErrorInThread(_)) {
            match writer.prepare_commit() {
                Err(cause) => cause,
                Ok(prepared) => {
                    let _ = prepared.abort();
                    source
                }
            }
        } else {
            source
        };
        let error = write_error(&self.dir, source);
        // Let every indexing and merging thread end before cleaning up: one still writing after the
        // clean-up left megabytes on a full disk. A fresh writer then knows only the committed
        // segments, and deletes every other file as it opens.
        let index = writer.index().clone();
        let _ = writer.wait_merging_threads();
        wait_for_indexing_threads();
        drop(writer_for(&index, &self.dir));
        self.failed = Some(match error {
            Error::DiskFull { .. } => Failure::DiskFull,
            Error::ReadOnly { .. } => Failure::ReadOnly,
            _ => Failure::Other,
        });
        error
    }

    fn check_not_failed(&self) -> Result<(), Error> {
        let path = self.dir.clone();
        match self.failed {
            None => Ok(()),
            Some(Failure::DiskFull) => Err(Error::DiskFull { path }),
            Some(Failure::ReadOnly) => Err(Error::ReadOnly { path }),
            Some(Failure::Other) => Err(Error::Io {
                path,
                source: io::Error::other(
                    "an earlier write to the store failed (see above); nothing after the last save was kept",
                ),
            }),
        }
    }

    /// Makes the added comments durable and visible; returns how many were added.
    pub fn commit(mut self) -> Result<u64, Error> {
        self.check_not_failed()?;
        self.checkpoint()?;
        let added = self.added;
        let Some(writer) = self.writer.take() else {
            return Err(self.closed());
        };
        writer
            .wait_merging_threads()
            .map_err(|source| write_error(&self.dir, source))?;
        self.reader
            .reload()
            .map_err(|source| index_error(&self.dir, source))?;
        Ok(added)
    }
}

/// Waits (at most ten seconds) until no tantivy indexing thread runs in this process. Joining a writer
/// whose first thread failed returns at that thread and leaves the others running, detached, finishing
/// segment files; the clean-up after a failed write must come after them. Linux names threads in
/// `/proc`; elsewhere the next writer's clean-up on opening (see [`writer_for`]) deletes what is left.
fn wait_for_indexing_threads() {
    // Thread names are cut to 15 bytes: "thrd-tantivy-index0" reads "thrd-tantivy-in".
    const WORKER: &str = "thrd-tantivy-in";
    let running = || {
        std::fs::read_dir("/proc/self/task").is_ok_and(|tasks| {
            tasks.flatten().any(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.starts_with(WORKER))
            })
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while running() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Sends documents to the indexing threads in order, a few per message: one message per document cost a
/// futex wake-up per document, and tantivy's queue holds 10,000 messages, so [`SEND_BATCH`] documents per
/// message bound what can wait in the queue to 40,000 documents (about 50 MB).
fn send_in_batches(
    writer: &IndexWriter<TantivyDocument>,
    docs: Vec<TantivyDocument>,
) -> Result<(), TantivyError> {
    let mut docs = docs.into_iter().peekable();
    while docs.peek().is_some() {
        let batch: Vec<UserOperation<TantivyDocument>> = docs
            .by_ref()
            .take(SEND_BATCH)
            .map(UserOperation::Add)
            .collect();
        writer.run(batch)?;
    }
    Ok(())
}

/// Commits, then lets background merges finish so the next reader sees few segments.
fn commit(mut writer: IndexWriter<TantivyDocument>, dir: &Path) -> Result<(), Error> {
    writer.commit().map_err(|source| index_error(dir, source))?;
    writer
        .wait_merging_threads()
        .map_err(|source| index_error(dir, source))
}

pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
    if is_full(&source) {
        return Error::DiskFull {
            path: path.to_owned(),
        };
    }
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Whether an I/O error says the disk, or the user's quota, is full.
fn is_full(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

/// The I/O error inside a tantivy error, where it keeps one.
fn tantivy_io(source: &TantivyError) -> Option<&io::Error> {
    match source {
        TantivyError::IoError(e) | TantivyError::LockFailure(LockError::IoError(e), _) => Some(e),
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. })
        | TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. })
        | TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
            Some(io_error)
        }
        _ => None,
    }
}

/// The error for a failed write: a full disk and a read-only store in words.
fn write_error(dir: &Path, source: TantivyError) -> Error {
    let path = dir.to_owned();
    // The indexing threads report their I/O errors as text.
    let text = source.to_string();
    let full_text = [
        "No space left on device",
        "Disk quota exceeded",
        "(os error 28)",
        "(os error 122)",
    ]
    .iter()
    .any(|m| text.contains(m));
    match tantivy_io(&source) {
        Some(e) if is_full(e) => Error::DiskFull { path },
        _ if full_text => Error::DiskFull { path },
        Some(e) if is_read_only(e) => Error::ReadOnly { path },
        _ => index_error(dir, source),
    }
}

/// The error for a failed read of `index`: [`Error::Damaged`] if one of its files fails its checksum.
fn read_failure(index: &Index, dir: &Path, source: TantivyError) -> Error {
    match damage(index) {
        Some(what) => Error::Damaged {
            path: dir.to_owned(),
            what,
        },
        None => index_error(dir, source),
    }
}

/// The index's `meta.json` (the list of its segments) cannot be read.
fn damaged_meta(dir: &Path, source: TantivyError) -> Error {
    match source {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_))
        | TantivyError::DataCorruption(_)
        | TantivyError::OpenReadError(OpenReadError::IoError { .. }) => Error::Damaged {
            path: dir.to_owned(),
            what: format!("its list of files, {INDEX_DIR}/meta.json, cannot be read: {source}"),
        },
        other => index_error(dir, other),
    }
}

/// What is damaged in an index: the files whose checksums fail, or `None` if all are sound.
pub(crate) fn damage(index: &Index) -> Option<String> {
    match index.validate_checksum() {
        Ok(files) if files.is_empty() => None,
        Ok(files) => Some(describe_damage(&files)),
        Err(e) => Some(format!("its files cannot all be read: {e}")),
    }
}

/// "2 files are not what chorus wrote: index/….store (the comments), index/….idx (the search index)".
pub(crate) fn describe_damage(files: &HashSet<PathBuf>) -> String {
    let mut names: Vec<String> = files
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let holds = match p.extension().and_then(|e| e.to_str()) {
                Some("store") => "the comments",
                Some("idx" | "pos" | "term") => "the search index",
                Some("fast") => "counts and keys",
                Some("fieldnorm") => "word counts for ranking",
                _ => "index data",
            };
            format!("{INDEX_DIR}/{name} ({holds})")
        })
        .collect();
    names.sort();
    let (count, verb) = if names.len() == 1 {
        ("1 file".to_owned(), "is")
    } else {
        (format!("{} files", names.len()), "are")
    };
    format!(
        "{count} {verb} not what chorus wrote, a disk or copy error: {}",
        names.join(", ")
    )
}

pub(crate) fn index_error(dir: &Path, source: TantivyError) -> Error {
    Error::Index {
        path: dir.to_owned(),
        source,
    }
}

/// Writes a file so that a crash leaves either the old content or the new, never a torn file.
fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = path.with_extension("json.tmp");
    let mut file = fs::File::create(&tmp).map_err(|source| io(&tmp, source))?;
    file.write_all(bytes).map_err(|source| io(&tmp, source))?;
    file.sync_all().map_err(|source| io(&tmp, source))?;
    fs::rename(&tmp, path).map_err(|source| io(path, source))
}
