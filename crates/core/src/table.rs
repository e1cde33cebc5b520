//! Every comment's annotations in one compact, columnar table, keyed by the comment's ordinal (its place
//! in ingest order), and the table's versioned, checksummed byte form: what a store keeps beside its text
//! index, so that theming never rewrites the index and search, reports and exports read annotations
//! without parsing JSON.
//!
//! A million comments take about 150 MB here against about 1 GB as [`Annotations`] values: names are
//! stored once and referred to by number, and each comment's touchpoints, themes and clauses sit in flat
//! arrays.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::{
    Annotations, Clause, SentimentLabel, SentimentScore, ThemeAssignment, ThemeSource,
    TouchpointMention,
};

/// The first bytes of an encoded table.
const MAGIC: &[u8; 8] = b"CHORUSAT";
/// The version of the byte form; another version is refused with [`TableError::Version`].
pub const TABLE_FORMAT_VERSION: u32 = 1;
/// No discovered theme.
const NONE: u32 = u32::MAX;
/// In the clause name pool, a theme's index has this bit set; a touchpoint's does not.
const THEME_BIT: u32 = 1 << 31;

const ANNOTATED: u8 = 1;
const DISCORDANT: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq)]
struct TouchpointCell {
    name: u16,
    sentiment: u8,
    score: f32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct ThemeCell {
    name: u32,
    sentiment: u8,
    confidence: f32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct ClauseCell {
    start: u32,
    end: u32,
    sentiment: u8,
    score: f32,
    names_from: u32,
    names_len: u16,
}

/// Rows of variable length, one after another.
#[derive(Clone, Debug, PartialEq)]
struct Ragged<T> {
    offsets: Vec<u32>,
    cells: Vec<T>,
}

impl<T> Default for Ragged<T> {
    fn default() -> Self {
        Ragged {
            offsets: vec![0],
            cells: Vec::new(),
        }
    }
}

impl<T> Ragged<T> {
    fn row(&self, i: usize) -> &[T] {
        &self.cells[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    fn end_row(&mut self) {
        self.offsets.push(self.cells.len() as u32);
    }
}

/// The annotations of every comment of a store, by ordinal; `None` for a comment not analysed (no text,
/// or added after the last theming run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnnotationTable {
    touchpoint_names: Vec<Arc<str>>,
    theme_names: Vec<(ThemeSource, Arc<str>)>,
    touchpoint_index: HashMap<Arc<str>, u16>,
    theme_index: HashMap<(ThemeSource, Arc<str>), u32>,
    flags: Vec<u8>,
    sentiment: Vec<u8>,
    score: Vec<f32>,
    discovered: Vec<u32>,
    discovered_confidence: Vec<f32>,
    /// The name index of each discovered theme, by its id.
    discovered_names: Vec<u32>,
    touchpoints: Ragged<TouchpointCell>,
    themes: Ragged<ThemeCell>,
    clauses: Ragged<ClauseCell>,
    clause_names: Vec<u32>,
}

fn sentiment_code(label: SentimentLabel) -> u8 {
    match label {
        SentimentLabel::Positive => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Mixed => 2,
        SentimentLabel::Negative => 3,
    }
}

fn sentiment_of(code: u8) -> SentimentLabel {
    match code {
        0 => SentimentLabel::Positive,
        2 => SentimentLabel::Mixed,
        3 => SentimentLabel::Negative,
        _ => SentimentLabel::Neutral,
    }
}

fn source_code(source: ThemeSource) -> u8 {
    match source {
        ThemeSource::Codebook => 0,
        ThemeSource::Model => 1,
        ThemeSource::Discovered => 2,
    }
}

fn source_of(code: u8) -> Option<ThemeSource> {
    match code {
        0 => Some(ThemeSource::Codebook),
        1 => Some(ThemeSource::Model),
        2 => Some(ThemeSource::Discovered),
        _ => None,
    }
}

impl AnnotationTable {
    /// An empty table.
    pub fn new() -> AnnotationTable {
        AnnotationTable::default()
    }

    /// How many comments it covers.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether it covers no comment.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    fn touchpoint_name(&mut self, id: &Arc<str>) -> u16 {
        if let Some(&i) = self.touchpoint_index.get(id) {
            return i;
        }
        let i = self.touchpoint_names.len() as u16;
        self.touchpoint_names.push(Arc::clone(id));
        self.touchpoint_index.insert(Arc::clone(id), i);
        i
    }

    fn theme_name(&mut self, source: ThemeSource, name: &Arc<str>) -> u32 {
        if let Some(&i) = self.theme_index.get(&(source, Arc::clone(name))) {
            return i;
        }
        let i = self.theme_names.len() as u32;
        self.theme_names.push((source, Arc::clone(name)));
        self.theme_index.insert((source, Arc::clone(name)), i);
        i
    }

    /// Appends the next comment's annotations. A discovered theme among them is kept as the comment's
    /// discovered theme only through [`AnnotationTable::set_discovered`]; here it is stored like any
    /// other theme.
    pub fn push(&mut self, annotations: Option<&Annotations>) {
        let Some(a) = annotations else {
            self.flags.push(0);
            self.sentiment.push(sentiment_code(SentimentLabel::Neutral));
            self.score.push(0.0);
            self.discovered.push(NONE);
            self.discovered_confidence.push(0.0);
            self.touchpoints.end_row();
            self.themes.end_row();
            self.clauses.end_row();
            return;
        };
        self.flags
            .push(ANNOTATED | if a.discordant { DISCORDANT } else { 0 });
        self.sentiment.push(sentiment_code(a.sentiment.label));
        self.score.push(a.sentiment.score);
        self.discovered.push(a.discovered_theme.unwrap_or(NONE));
        self.discovered_confidence.push(0.0);
        for t in &a.touchpoints {
            let cell = TouchpointCell {
                name: self.touchpoint_name(&t.id),
                sentiment: sentiment_code(t.sentiment),
                score: t.score,
            };
            self.touchpoints.cells.push(cell);
        }
        self.touchpoints.end_row();
        for t in &a.themes {
            let cell = ThemeCell {
                name: self.theme_name(t.source, &t.name),
                sentiment: sentiment_code(t.sentiment),
                confidence: t.confidence,
            };
            self.themes.cells.push(cell);
        }
        self.themes.end_row();
        for c in &a.clauses {
            let names_from = self.clause_names.len() as u32;
            for id in &c.touchpoints {
                let i = u32::from(self.touchpoint_name(id));
                self.clause_names.push(i);
            }
            for name in &c.themes {
                let i = self.theme_name(ThemeSource::Codebook, name);
                self.clause_names.push(i | THEME_BIT);
            }
            let cell = ClauseCell {
                start: c.start,
                end: c.end,
                sentiment: sentiment_code(c.sentiment),
                score: c.score,
                names_from,
                names_len: (self.clause_names.len() as u32 - names_from) as u16,
            };
            self.clauses.cells.push(cell);
        }
        self.clauses.end_row();
    }

    /// Places comments in discovered themes: `labels[id]` is theme `id`'s label, `assignments[i]` comment
    /// `i`'s theme and similarity (comments beyond the slice, and `None`, are in none). Each placed,
    /// analysed comment gains the theme as its discovered theme and as its last theme (source
    /// `discovered`, confidence the similarity clamped to 0–1).
    pub fn set_discovered(&mut self, labels: &[String], assignments: &[Option<(u32, f32)>]) {
        self.discovered_names = labels
            .iter()
            .map(|label| self.theme_name(ThemeSource::Discovered, &Arc::from(label.as_str())))
            .collect();
        for i in 0..self.len() {
            let placed =
                assignments.get(i).copied().flatten().filter(|&(id, _)| {
                    (id as usize) < labels.len() && self.flags[i] & ANNOTATED != 0
                });
            match placed {
                Some((id, similarity)) => {
                    self.discovered[i] = id;
                    self.discovered_confidence[i] = similarity.clamp(0.0, 1.0);
                }
                None => {
                    self.discovered[i] = NONE;
                    self.discovered_confidence[i] = 0.0;
                }
            }
        }
    }

    /// Comment `ordinal`'s annotations, if it was analysed (and is in the table).
    pub fn get(&self, ordinal: usize) -> Option<Annotations> {
        if !self.is_annotated(ordinal) {
            return None;
        }
        let sentiment = sentiment_of(self.sentiment[ordinal]);
        let touchpoints = self
            .touchpoints
            .row(ordinal)
            .iter()
            .map(|c| TouchpointMention {
                id: Arc::clone(&self.touchpoint_names[c.name as usize]),
                sentiment: sentiment_of(c.sentiment),
                score: c.score,
            })
            .collect();
        let mut themes: Vec<ThemeAssignment> = self
            .themes
            .row(ordinal)
            .iter()
            .map(|c| {
                let (source, name) = &self.theme_names[c.name as usize];
                ThemeAssignment {
                    name: Arc::clone(name),
                    source: *source,
                    confidence: c.confidence,
                    sentiment: sentiment_of(c.sentiment),
                }
            })
            .collect();
        let discovered = self.discovered(ordinal);
        if let Some(&name) = discovered.and_then(|id| self.discovered_names.get(id as usize)) {
            themes.push(ThemeAssignment {
                name: Arc::clone(&self.theme_names[name as usize].1),
                source: ThemeSource::Discovered,
                confidence: self.discovered_confidence[ordinal],
                sentiment,
            });
        }
        let clauses = self
            .clauses
            .row(ordinal)
            .iter()
            .map(|c| self.clause(c))
            .collect();
        Some(Annotations {
            sentiment: SentimentScore {
                label: sentiment,
                score: self.score[ordinal],
            },
            touchpoints,
            themes,
            discovered_theme: discovered,
            discordant: self.flags[ordinal] & DISCORDANT != 0,
            clauses,
        })
    }

    fn clause(&self, c: &ClauseCell) -> Clause {
        let names = &self.clause_names[c.names_from as usize..][..usize::from(c.names_len)];
        let mut clause = Clause {
            start: c.start,
            end: c.end,
            sentiment: sentiment_of(c.sentiment),
            score: c.score,
            touchpoints: Vec::new(),
            themes: Vec::new(),
        };
        for &n in names {
            if n & THEME_BIT != 0 {
                let (_, name) = &self.theme_names[(n & !THEME_BIT) as usize];
                clause.themes.push(Arc::clone(name));
            } else {
                clause
                    .touchpoints
                    .push(Arc::clone(&self.touchpoint_names[n as usize]));
            }
        }
        clause
    }

    /// Whether comment `ordinal` was analysed.
    pub fn is_annotated(&self, ordinal: usize) -> bool {
        self.flags.get(ordinal).is_some_and(|f| f & ANNOTATED != 0)
    }

    /// Comment `ordinal`'s overall sentiment, if it was analysed.
    pub fn sentiment(&self, ordinal: usize) -> Option<SentimentLabel> {
        self.is_annotated(ordinal)
            .then(|| sentiment_of(self.sentiment[ordinal]))
    }

    /// Whether comment `ordinal`'s text contradicts its score.
    pub fn is_discordant(&self, ordinal: usize) -> bool {
        self.flags.get(ordinal).is_some_and(|f| f & DISCORDANT != 0)
    }

    /// Comment `ordinal`'s discovered theme.
    pub fn discovered(&self, ordinal: usize) -> Option<u32> {
        self.discovered.get(ordinal).copied().filter(|&d| d != NONE)
    }

    /// The touchpoint ids the table names, by number.
    pub fn touchpoint_names(&self) -> &[Arc<str>] {
        &self.touchpoint_names
    }

    /// The themes the table names (source and name), by number; discovered themes included.
    pub fn theme_names(&self) -> &[(ThemeSource, Arc<str>)] {
        &self.theme_names
    }

    /// The number of touchpoint `id`, if any comment mentions it.
    pub fn touchpoint_number(&self, id: &str) -> Option<u16> {
        self.touchpoint_names
            .iter()
            .position(|n| &**n == id)
            .map(|i| i as u16)
    }

    /// Comment `ordinal`'s touchpoints, by number (see [`AnnotationTable::touchpoint_names`]).
    pub fn touchpoints_of(&self, ordinal: usize) -> impl Iterator<Item = u16> + '_ {
        self.row_or_empty(ordinal, &self.touchpoints)
            .iter()
            .map(|c| c.name)
    }

    /// Comment `ordinal`'s themes, by number (see [`AnnotationTable::theme_names`]), its discovered theme
    /// included.
    pub fn themes_of(&self, ordinal: usize) -> impl Iterator<Item = u32> + '_ {
        let discovered = self
            .discovered(ordinal)
            .filter(|_| self.is_annotated(ordinal))
            .and_then(|id| self.discovered_names.get(id as usize).copied());
        self.row_or_empty(ordinal, &self.themes)
            .iter()
            .map(|c| c.name)
            .chain(discovered)
    }

    /// Comment `ordinal`'s touchpoints by number, each with how the comment feels about it.
    pub fn touchpoint_cells(
        &self,
        ordinal: usize,
    ) -> impl Iterator<Item = (u16, SentimentLabel)> + '_ {
        self.row_or_empty(ordinal, &self.touchpoints)
            .iter()
            .map(|c| (c.name, sentiment_of(c.sentiment)))
    }

    /// Comment `ordinal`'s codebook and model themes by number, each with how the comment feels about
    /// it (its discovered theme is [`AnnotationTable::discovered`]).
    pub fn theme_cells(&self, ordinal: usize) -> impl Iterator<Item = (u32, SentimentLabel)> + '_ {
        self.row_or_empty(ordinal, &self.themes)
            .iter()
            .map(|c| (c.name, sentiment_of(c.sentiment)))
    }

    fn row_or_empty<'a, T>(&self, ordinal: usize, ragged: &'a Ragged<T>) -> &'a [T] {
        if ordinal < self.len() {
            ragged.row(ordinal)
        } else {
            &[]
        }
    }
}

/// Why bytes are not a table this build can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The bytes do not start as a table does.
    NotATable,
    /// A table of another format version.
    Version(u32),
    /// The bytes end before the table does, or do not match their checksum.
    Damaged(String),
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::NotATable => f.write_str("it is not a chorus annotation table"),
            TableError::Version(v) => write!(
                f,
                "it is an annotation table of format version {v}, and this chorus reads version {TABLE_FORMAT_VERSION}"
            ),
            TableError::Damaged(reason) => write!(f, "it is damaged ({reason})"),
        }
    }
}

impl std::error::Error for TableError {}

/// A 64-bit checksum, eight bytes a step (FNV-1a's multiply on words, then a final mix): enough to tell a
/// damaged file (a flipped byte, a torn write) from a whole one, at memory speed.
fn checksum(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01b3);
        hash ^= hash >> 29;
    }
    for &b in words.remainder() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|&x| self.u32(x));
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TableError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| TableError::Damaged("cut short".to_owned()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], TableError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, TableError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, TableError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, TableError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, TableError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, TableError> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    /// A length that must fit in what is left, at `unit` bytes an item.
    fn len(&mut self, unit: usize) -> Result<usize, TableError> {
        let n = usize::try_from(self.u64()?).unwrap_or(usize::MAX);
        if n.saturating_mul(unit) > self.bytes.len() - self.at {
            return Err(TableError::Damaged("a length runs past the end".to_owned()));
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Result<&'a [u8], TableError> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn string(&mut self) -> Result<Arc<str>, TableError> {
        std::str::from_utf8(self.bytes()?)
            .map(Arc::from)
            .map_err(|_| TableError::Damaged("a name is not UTF-8".to_owned()))
    }
    fn vec<T>(
        &mut self,
        unit: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, TableError>,
    ) -> Result<Vec<T>, TableError> {
        let n = self.len(unit)?;
        (0..n).map(|_| item(self)).collect()
    }
}

impl AnnotationTable {
    /// The table's byte form, with `header` (the caller's own record, such as the run's catalog) kept
    /// beside it: magic, version, header, names, columns, then a checksum of all that.
    pub fn encode(&self, header: &[u8]) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + self.len() * 64));
        w.0.extend_from_slice(MAGIC);
        w.u32(TABLE_FORMAT_VERSION);
        w.bytes(header);
        w.u64(self.touchpoint_names.len() as u64);
        for name in &self.touchpoint_names {
            w.bytes(name.as_bytes());
        }
        w.u64(self.theme_names.len() as u64);
        for (source, name) in &self.theme_names {
            w.u8(source_code(*source));
            w.bytes(name.as_bytes());
        }
        w.bytes(&self.flags);
        w.bytes(&self.sentiment);
        w.u64(self.score.len() as u64);
        self.score.iter().for_each(|&x| w.f32(x));
        w.u32s(&self.discovered);
        w.u64(self.discovered_confidence.len() as u64);
        self.discovered_confidence.iter().for_each(|&x| w.f32(x));
        w.u32s(&self.discovered_names);
        w.u32s(&self.touchpoints.offsets);
        w.u64(self.touchpoints.cells.len() as u64);
        for c in &self.touchpoints.cells {
            w.u16(c.name);
            w.u8(c.sentiment);
            w.f32(c.score);
        }
        w.u32s(&self.themes.offsets);
        w.u64(self.themes.cells.len() as u64);
        for c in &self.themes.cells {
            w.u32(c.name);
            w.u8(c.sentiment);
            w.f32(c.confidence);
        }
        w.u32s(&self.clauses.offsets);
        w.u64(self.clauses.cells.len() as u64);
        for c in &self.clauses.cells {
            w.u32(c.start);
            w.u32(c.end);
            w.u8(c.sentiment);
            w.f32(c.score);
            w.u32(c.names_from);
            w.u16(c.names_len);
        }
        w.u32s(&self.clause_names);
        let sum = checksum(&w.0);
        w.u64(sum);
        w.0
    }

    /// Reads a table written by [`AnnotationTable::encode`], and the header kept with it. Damaged bytes
    /// are refused, never trusted: every offset and name number is checked.
    pub fn decode(bytes: &[u8]) -> Result<(AnnotationTable, Vec<u8>), TableError> {
        if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(TableError::NotATable);
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != TABLE_FORMAT_VERSION {
            return Err(TableError::Version(version));
        }
        if bytes.len() < 20 {
            return Err(TableError::Damaged("cut short".to_owned()));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut sum_bytes = [0u8; 8];
        sum_bytes.copy_from_slice(sum);
        if checksum(body) != u64::from_le_bytes(sum_bytes) {
            return Err(TableError::Damaged(
                "its checksum does not match".to_owned(),
            ));
        }
        let mut r = Reader {
            bytes: body,
            at: 12,
        };
        let header = r.bytes()?.to_vec();
        let mut table = AnnotationTable {
            touchpoint_names: r.vec(8, Reader::string)?,
            theme_names: r.vec(9, |r| {
                let source = source_of(r.u8()?)
                    .ok_or_else(|| TableError::Damaged("an unknown theme source".to_owned()))?;
                Ok((source, r.string()?))
            })?,
            flags: r.bytes()?.to_vec(),
            sentiment: r.bytes()?.to_vec(),
            score: r.vec(4, Reader::f32)?,
            discovered: r.vec(4, Reader::u32)?,
            discovered_confidence: r.vec(4, Reader::f32)?,
            discovered_names: r.vec(4, Reader::u32)?,
            ..AnnotationTable::default()
        };
        table.touchpoints = Ragged {
            offsets: r.vec(4, Reader::u32)?,
            cells: r.vec(7, |r| {
                Ok(TouchpointCell {
                    name: r.u16()?,
                    sentiment: r.u8()?,
                    score: r.f32()?,
                })
            })?,
        };
        table.themes = Ragged {
            offsets: r.vec(4, Reader::u32)?,
            cells: r.vec(9, |r| {
                Ok(ThemeCell {
                    name: r.u32()?,
                    sentiment: r.u8()?,
                    confidence: r.f32()?,
                })
            })?,
        };
        table.clauses = Ragged {
            offsets: r.vec(4, Reader::u32)?,
            cells: r.vec(19, |r| {
                Ok(ClauseCell {
                    start: r.u32()?,
                    end: r.u32()?,
                    sentiment: r.u8()?,
                    score: r.f32()?,
                    names_from: r.u32()?,
                    names_len: r.u16()?,
                })
            })?,
        };
        table.clause_names = r.vec(4, Reader::u32)?;
        if r.at != body.len() {
            return Err(TableError::Damaged("bytes left after the table".to_owned()));
        }
        table.check()?;
        table.touchpoint_index = table
            .touchpoint_names
            .iter()
            .enumerate()
            .map(|(i, n)| (Arc::clone(n), i as u16))
            .collect();
        table.theme_index = table
            .theme_names
            .iter()
            .enumerate()
            .map(|(i, (s, n))| ((*s, Arc::clone(n)), i as u32))
            .collect();
        Ok((table, header))
    }

    /// Checks that every column has a row per comment and every number points at something.
    fn check(&self) -> Result<(), TableError> {
        let n = self.flags.len();
        let bad = |what: &str| {
            Err(TableError::Damaged(format!(
                "{what} does not fit the table"
            )))
        };
        if [
            self.sentiment.len(),
            self.score.len(),
            self.discovered.len(),
            self.discovered_confidence.len(),
        ]
        .iter()
        .any(|&len| len != n)
        {
            return bad("a column");
        }
        fn offsets_ok<T>(r: &Ragged<T>, n: usize) -> bool {
            r.offsets.len() == n + 1
                && r.offsets.first() == Some(&0)
                && r.offsets.windows(2).all(|w| w[0] <= w[1])
                && r.offsets
                    .last()
                    .is_some_and(|&l| l as usize == r.cells.len())
        }
        if !offsets_ok(&self.touchpoints, n)
            || !offsets_ok(&self.themes, n)
            || !offsets_ok(&self.clauses, n)
        {
            return bad("a row");
        }
        let touchpoints = self.touchpoint_names.len();
        let themes = self.theme_names.len();
        if self
            .touchpoints
            .cells
            .iter()
            .any(|c| usize::from(c.name) >= touchpoints)
            || self.themes.cells.iter().any(|c| c.name as usize >= themes)
            || self.discovered_names.iter().any(|&c| c as usize >= themes)
        {
            return bad("a name");
        }
        let pool = self.clause_names.len();
        if self
            .clauses
            .cells
            .iter()
            .any(|c| c.names_from as usize + usize::from(c.names_len) > pool)
        {
            return bad("a clause");
        }
        if self.clause_names.iter().any(|&n| {
            if n & THEME_BIT != 0 {
                (n & !THEME_BIT) as usize >= themes
            } else {
                n as usize >= touchpoints
            }
        }) {
            return bad("a clause's name");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(i: usize) -> Option<Annotations> {
        if i % 4 == 3 {
            return None;
        }
        let label = SentimentLabel::ALL[i % 4];
        Some(Annotations {
            sentiment: SentimentScore {
                label,
                score: i as f32 / 10.0,
            },
            touchpoints: vec![TouchpointMention {
                id: Arc::from(if i.is_multiple_of(2) {
                    "waiting"
                } else {
                    "travel"
                }),
                sentiment: SentimentLabel::Negative,
                score: -0.5,
            }],
            themes: vec![ThemeAssignment {
                name: Arc::from("Staff attitude"),
                source: if i.is_multiple_of(2) {
                    ThemeSource::Codebook
                } else {
                    ThemeSource::Model
                },
                confidence: 0.75,
                sentiment: label,
            }],
            discovered_theme: None,
            discordant: i == 1,
            clauses: vec![Clause {
                start: 0,
                end: 5,
                sentiment: SentimentLabel::Positive,
                score: 0.4,
                touchpoints: vec![Arc::from("waiting")],
                themes: vec![Arc::from("Staff attitude")],
            }],
        })
    }

    fn table(n: usize) -> AnnotationTable {
        let mut t = AnnotationTable::new();
        for i in 0..n {
            t.push(sample(i).as_ref());
        }
        t
    }

    #[test]
    fn annotations_come_back_as_they_went_in() {
        let t = table(9);
        assert_eq!(t.len(), 9);
        for i in 0..9 {
            assert_eq!(t.get(i), sample(i), "comment {i}");
        }
        assert_eq!(t.get(9), None);
        assert!(t.is_discordant(1) && !t.is_discordant(0));
        assert_eq!(t.sentiment(3), None);
        assert_eq!(t.touchpoints_of(1).collect::<Vec<_>>(), [1]);
        // The same name from two sources is two themes.
        assert_eq!(t.theme_names().len(), 2);
    }

    #[test]
    fn discovered_themes_come_last_with_the_comments_sentiment() {
        let mut t = table(4);
        t.set_discovered(
            &["parking · car park".to_owned()],
            &[Some((0, 0.9)), Some((0, 1.5)), None, Some((0, 0.3))],
        );
        let a = t.get(0).expect("annotated");
        assert_eq!(a.discovered_theme, Some(0));
        let last = a.themes.last().expect("a theme");
        assert_eq!(last.source, ThemeSource::Discovered);
        assert_eq!(&*last.name, "parking · car park");
        assert_eq!(last.sentiment, a.sentiment.label);
        assert_eq!(
            t.get(1).and_then(|a| a.themes.last().map(|t| t.confidence)),
            Some(1.0)
        );
        assert_eq!(t.discovered(2), None);
        // A comment that was not analysed is placed in no theme.
        assert_eq!(t.discovered(3), None);
        assert_eq!(t.themes_of(0).count(), 2);
    }

    #[test]
    fn bytes_round_trip_and_damage_is_refused() {
        let mut t = table(7);
        t.set_discovered(&["a".to_owned(), "b".to_owned()], &[Some((1, 0.5)); 7]);
        let bytes = t.encode(b"{\"catalog\":1}");
        let (back, header) = AnnotationTable::decode(&bytes).expect("decodes");
        assert_eq!(header, b"{\"catalog\":1}");
        for i in 0..7 {
            assert_eq!(back.get(i), t.get(i));
        }
        assert_eq!(
            AnnotationTable::decode(b"nonsense"),
            Err(TableError::NotATable)
        );
        for cut in [12, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(
                    AnnotationTable::decode(&bytes[..cut]),
                    Err(TableError::Damaged(_))
                ),
                "cut at {cut}"
            );
        }
        for at in (12..bytes.len()).step_by(7) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x40;
            assert!(AnnotationTable::decode(&flipped).is_err(), "flip at {at}");
        }
        let mut other = bytes.clone();
        other[8] = 9;
        assert_eq!(AnnotationTable::decode(&other), Err(TableError::Version(9)));
    }

    #[test]
    fn an_empty_table_round_trips() {
        let t = AnnotationTable::new();
        let (back, header) = AnnotationTable::decode(&t.encode(b"")).expect("decodes");
        assert!(back.is_empty() && header.is_empty());
    }
}
