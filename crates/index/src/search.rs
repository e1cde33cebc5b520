//! `Store::search`: the query and filters, ranked hits with highlighted snippets, and facet counts over
//! every match, computed from fast-field columns in one pass (no document is loaded to count).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::ops::Range;
use std::sync::Arc;

use chorus_core::{Comment, FftScore, Interner, QuestionKind, SentimentLabel};
use chorus_text::Analyzer;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facets::AnnotationFacets;
use crate::filters::Filters;
use crate::query::{self, ParsedQuery};
use crate::schema::{self, names};
use crate::sidecar::Annotated;
use crate::{Error, Store};

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first (BM25 on the comment text); ties, and queries without words, in ingest order.
    #[default]
    Relevance,
    /// Newest first; undated comments last.
    Date,
    /// Oldest first; undated comments last.
    DateAsc,
}

impl std::str::FromStr for SortOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "relevance" => Ok(SortOrder::Relevance),
            "date" | "date-desc" | "newest" => Ok(SortOrder::Date),
            "date-asc" | "oldest" => Ok(SortOrder::DateAsc),
            _ => Err(format!(
                "unknown sort `{s}`: use relevance, date or date-asc"
            )),
        }
    }
}

/// A search: a query in the query language, filters, and which page of hits to return.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchRequest {
    /// The query (see the `query` module docs); empty matches every comment.
    pub query: String,
    /// Filters that every hit must pass.
    pub filters: Filters,
    /// How many hits to return.
    pub limit: usize,
    /// How many of the best hits to skip first (for paging).
    pub offset: usize,
    /// The order of hits.
    pub sort: SortOrder,
    /// The longest snippet, in characters; longer comments are cut around their matches.
    pub snippet_chars: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            limit: 10,
            offset: 0,
            sort: SortOrder::Relevance,
            snippet_chars: 240,
        }
    }
}

impl SearchRequest {
    /// A request for a query with the default page, order and no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }
}

/// What a search found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many comments match (all of them, not just this page).
    pub total: u64,
    /// The requested page of hits, best first.
    pub hits: Vec<Hit>,
    /// Counts over every match.
    pub facets: Facets,
}

/// One matching comment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    /// The comment, as stored.
    pub comment: Comment,
    /// Its relevance (0 when the query has no words).
    pub relevance: f32,
    /// The text (or the part of it around the matches) with the matched words marked.
    pub snippet: Snippet,
}

/// A piece of comment text with the byte ranges of the words that matched.
///
/// Line breaks and tabs are shown as spaces, so a snippet is one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The text, with `…` where it was cut.
    pub text: String,
    /// Byte ranges of matched words in `text`, in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The text with each matched word wrapped in `open` and `close` (e.g. `**`/`**`, or ANSI bold).
    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 8);
        let mut at = 0;
        for h in &self.highlights {
            out.push_str(&self.text[at..h.start]);
            out.push_str(open);
            out.push_str(&self.text[h.clone()]);
            out.push_str(close);
            at = h.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// One value of a facet and how many matching comments have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`(none)`, `undated` or `not themed` for comments without one).
    pub value: String,
    /// Matching comments with it.
    pub count: u64,
}

/// Counts of the matching comments by field.
///
/// Single-valued facets (service, organisation, score, month, question kind, sentiment) add up to the total:
/// comments without a value are counted under `(none)`, `undated` or `not themed`. A comment counts once
/// under each of its touchpoints and themes, so those do not add up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By service, most first.
    pub service: Vec<FacetCount>,
    /// By organisation, most first.
    pub organisation: Vec<FacetCount>,
    /// By FFT answer, in scale order (slugs: `very_good` … `not_given`), only those present.
    pub score: Vec<FacetCount>,
    /// By month (`YYYY-MM`), oldest first, then `undated`.
    pub month: Vec<FacetCount>,
    /// By question kind (`why`, `what_was_good`, `improve`, `other`), only those present.
    pub question_kind: Vec<FacetCount>,
    /// By touchpoint, most first.
    pub touchpoint: Vec<FacetCount>,
    /// By theme, most first.
    pub theme: Vec<FacetCount>,
    /// By overall sentiment, positive to negative, then `not themed`.
    pub sentiment: Vec<FacetCount>,
}

pub(crate) const NONE: &str = "(none)";
pub(crate) const UNDATED: &str = "undated";
pub(crate) const NOT_THEMED: &str = "not themed";

impl Store {
    /// Runs a search: the total, a page of hits with snippets, and facet counts over all matches.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, Error> {
        let searcher = self.searcher();
        let annotated = self.annotated()?;
        if let Some(a) = &annotated {
            request.filters.check_names(&a.catalog, &a.table)?;
        }
        let parsed = query::parse(&request.query, &self.fields)?
            .to_query(&self.fields, &searcher, annotated.as_ref())
            .map_err(|e| self.index_error(e))?;
        let has_words = parsed.has_words;
        let query = self.with_filters(&parsed, &request.filters, annotated.as_ref());
        let collector = SearchCollector {
            order: match request.sort {
                SortOrder::Relevance if has_words => Order::Relevance,
                SortOrder::Relevance => Order::Ingest,
                SortOrder::Date => Order::DateDesc,
                SortOrder::DateAsc => Order::DateAsc,
            },
            top: request.offset.saturating_add(request.limit),
            facets: true,
            annotated: annotated.clone(),
        };
        let found = searcher
            .search(&*query, &collector)
            .map_err(|e| self.index_error(e))?;
        let mut analyzer = Analyzer::english();
        let mut hits = Vec::with_capacity(request.limit);
        let mut interner = Interner::new();
        for ranked in found.top.into_iter().skip(request.offset) {
            let mut comment =
                self.hit_comment(&searcher, ranked.segment, ranked.doc, &mut interner)?;
            comment.annotations = annotated
                .as_ref()
                .and_then(|a| a.table.get(ranked.seq as usize));
            let snippet = snippet(
                &mut analyzer,
                &comment.text,
                &parsed.highlight,
                request.snippet_chars,
            );
            hits.push(Hit {
                comment,
                relevance: ranked.relevance,
                snippet,
            });
        }
        Ok(SearchResults {
            total: found.total,
            hits,
            facets: found.facets.into_facets(),
        })
    }

    /// The sequence numbers of every comment that `query` (the query language; empty matches all) and
    /// `filters` match, in ingest order: what an export of a selection reads, 8 bytes a match.
    pub fn matching(&self, query: &str, filters: &Filters) -> Result<Vec<u64>, Error> {
        let searcher = self.searcher();
        let annotated = self.annotated()?;
        let parsed = query::parse(query, &self.fields)?
            .to_query(&self.fields, &searcher, annotated.as_ref())
            .map_err(|e| self.index_error(e))?;
        let query = self.with_filters(&parsed, filters, annotated.as_ref());
        let found = searcher
            .search(&*query, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.index_error(e))?;
        let mut columns = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            columns.push(
                segment
                    .fast_fields()
                    .u64(names::SEQ)
                    .map_err(|e| self.index_error(e))?,
            );
        }
        let mut seqs: Vec<u64> = found
            .into_iter()
            .filter_map(|address| columns[address.segment_ord as usize].first(address.doc_id))
            .collect();
        seqs.sort_unstable();
        Ok(seqs)
    }

    /// The parsed query with every filter as a further required clause.
    pub(crate) fn with_filters(
        &self,
        parsed: &ParsedQuery,
        filters: &Filters,
        annotated: Option<&Arc<Annotated>>,
    ) -> Box<dyn Query> {
        let clauses = filters.clauses(&self.fields, annotated);
        if clauses.is_empty() {
            return parsed.query.box_clone();
        }
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, parsed.query.box_clone())];
        all.extend(clauses.into_iter().map(|q| (Occur::Must, q)));
        Box::new(BooleanQuery::new(all))
    }
}

/// Marks the words of `text` whose terms are in `terms`, keeping at most `max_chars` characters around
/// the densest run of matches.
pub(crate) fn snippet(
    analyzer: &mut Analyzer,
    text: &str,
    terms: &BTreeSet<String>,
    max_chars: usize,
) -> Snippet {
    let marks: Vec<Range<usize>> = if terms.is_empty() {
        Vec::new()
    } else {
        analyzer
            .analyze(text)
            .iter()
            .filter(|t| !t.stop && terms.contains(&t.term))
            .map(|t| t.start..t.end)
            .collect()
    };
    let max_chars = max_chars.max(20);
    let (start, end) = if text.chars().count() <= max_chars {
        (0, text.len())
    } else {
        window(text, &marks, max_chars)
    };
    let mut out = String::new();
    let prefix = if start > 0 { "…" } else { "" };
    out.push_str(prefix);
    out.extend(text[start..end].chars().map(|c| {
        if c == '\n' || c == '\r' || c == '\t' {
            ' '
        } else {
            c
        }
    }));
    if end < text.len() {
        out.push('…');
    }
    let shift = prefix.len();
    let highlights = marks
        .into_iter()
        .filter(|m| m.start >= start && m.end <= end)
        .map(|m| m.start - start + shift..m.end - start + shift)
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

/// The byte range of at most `max_chars` characters holding the most marks, starting a little before the
/// first of them and cut at spaces.
fn window(text: &str, marks: &[Range<usize>], max_chars: usize) -> (usize, usize) {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let char_at = |byte: usize| boundaries.partition_point(|&b| b < byte);
    let lead = max_chars / 4;
    let mut best = (0usize, 0usize); // (marks inside, start char)
    for (i, m) in marks.iter().enumerate() {
        let start_char = char_at(m.start).saturating_sub(lead);
        let end_byte = boundaries[(start_char + max_chars).min(boundaries.len() - 1)];
        let inside = marks[i..].iter().take_while(|n| n.end <= end_byte).count();
        if inside > best.0 {
            best = (inside, start_char);
        }
    }
    let start_char = best.1;
    let mut start = boundaries[start_char];
    let mut end = boundaries[(start_char + max_chars).min(boundaries.len() - 1)];
    // Cut at spaces so no word is split, unless that would lose a mark or most of the window.
    if start > 0
        && let Some((space, c)) = text[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        && space < max_chars / 3
        && marks
            .iter()
            .all(|m| m.start >= start + space || m.end <= start)
    {
        // The space may be wider than one byte (a no-break space).
        start += space + c.len_utf8();
    }
    if end < text.len()
        && let Some(space) = text[start..end].rfind(char::is_whitespace)
        && text[start + space..end].chars().count() < max_chars / 3
        && marks
            .iter()
            .all(|m| m.end <= start + space || m.start >= end)
    {
        end = start + space;
    }
    (start, end)
}

/// The order the collector ranks documents in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Relevance,
    Ingest,
    DateDesc,
    DateAsc,
}

/// A document in the top list. Ordered best first: `a < b` means `a` ranks above `b`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ranked {
    /// Higher is better (relevance bits, date, or minus date).
    primary: i64,
    pub seq: u64,
    pub relevance: f32,
    pub segment: SegmentOrdinal,
    pub doc: DocId,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .primary
            .cmp(&self.primary)
            .then(self.seq.cmp(&other.seq))
    }
}

/// Counts, the top documents and facets in one pass over the matches.
pub(crate) struct SearchCollector {
    pub order: Order,
    /// How many of the best documents to keep.
    pub top: usize,
    /// Whether to count facets.
    pub facets: bool,
    /// The annotations beside the index, for their facets.
    pub annotated: Option<Arc<Annotated>>,
}

pub(crate) struct Found {
    pub total: u64,
    /// Best first.
    pub top: Vec<Ranked>,
    pub facets: FacetTally,
}

pub(crate) struct SearchSegmentCollector {
    order: Order,
    top: usize,
    segment: SegmentOrdinal,
    seq: Column<u64>,
    date: Column<i64>,
    heap: BinaryHeap<Ranked>,
    total: u64,
    facets: Option<SegmentFacets>,
}

struct SegmentFacets {
    service: Option<StrColumn>,
    organisation: Option<StrColumn>,
    /// The annotations' facets, counted by sequence number.
    annotations: Option<AnnotationFacets>,
    seq: Column<u64>,
    score: Column<u64>,
    month: Column<u64>,
    kind: Column<u64>,
    /// Per term ordinal (the last slot counts documents without a value).
    service_counts: Vec<u64>,
    organisation_counts: Vec<u64>,
    /// Comments without annotations: "not themed".
    unthemed: u64,
    score_counts: [u64; 7],
    kind_counts: [u64; 4],
    /// By month code minus the segment's smallest; the last slot counts undated documents.
    month_counts: Vec<u64>,
    month_min: u64,
    /// Reused buffer for a block of column values.
    values: Vec<Option<u64>>,
}

fn str_counts(column: &Option<StrColumn>) -> Vec<u64> {
    vec![0; column.as_ref().map_or(0, |c| c.num_terms()) + 1]
}

impl SegmentFacets {
    fn new(
        segment: &SegmentReader,
        annotated: Option<&Arc<Annotated>>,
    ) -> tantivy::Result<SegmentFacets> {
        let ff = segment.fast_fields();
        let service = ff.str(names::SERVICE)?;
        let organisation = ff.str(names::ORGANISATION)?;
        let month = ff.u64(names::MONTH)?;
        let (month_min, month_max) = if month.num_docs() > 0 {
            (month.min_value(), month.max_value())
        } else {
            (0, 0)
        };
        // Month codes (yyyymm) of one segment span a few hundred values at most; guard against junk.
        let span = (month_max.saturating_sub(month_min) as usize).min(1_000_000);
        Ok(SegmentFacets {
            service_counts: str_counts(&service),
            organisation_counts: str_counts(&organisation),
            unthemed: 0,
            service,
            organisation,
            annotations: annotated.map(|a| AnnotationFacets::new(Arc::clone(a))),
            seq: ff.u64(names::SEQ)?,
            score: ff.u64(names::SCORE)?,
            kind: ff.u64(names::QUESTION_KIND)?,
            month,
            score_counts: [0; 7],
            kind_counts: [0; 4],
            month_counts: vec![0; span + 2],
            month_min,
            values: Vec::new(),
        })
    }

    #[inline]
    fn collect(&mut self, doc: DocId) {
        single(&self.service, &mut self.service_counts, doc);
        single(&self.organisation, &mut self.organisation_counts, doc);
        match &mut self.annotations {
            Some(facets) => facets.add(self.seq.first(doc).map_or(usize::MAX, |s| s as usize)),
            None => self.unthemed += 1,
        }
        let score = self.score.first(doc).unwrap_or(0) as usize;
        // Index 0..5 are codes 1..6, index 6 is "not given" (code 0).
        let slot = if (1..=6).contains(&score) {
            score - 1
        } else {
            6
        };
        self.score_counts[slot] += 1;
        let kind = self.kind.first(doc).unwrap_or(3) as usize;
        self.kind_counts[kind.min(3)] += 1;
        let undated = self.month_counts.len() - 1;
        let slot = self.month.first(doc).map_or(undated, |m| {
            (m.saturating_sub(self.month_min) as usize).min(undated - 1)
        });
        self.month_counts[slot] += 1;
    }

    /// The same counts as [`SegmentFacets::collect`] for a block of documents, reading each column for
    /// the whole block at once (several times faster when a query matches most of the store).
    fn collect_block(&mut self, docs: &[DocId]) {
        let values = &mut self.values;
        for (column, counts) in [
            (&self.service, &mut self.service_counts),
            (&self.organisation, &mut self.organisation_counts),
        ] {
            let missing = counts.len() - 1;
            match column {
                Some(c) => {
                    read(c.ords(), docs, values);
                    for v in values.iter() {
                        counts[v.map_or(missing, |o| (o as usize).min(missing))] += 1;
                    }
                }
                None => counts[missing] += docs.len() as u64,
            }
        }
        match &mut self.annotations {
            Some(facets) => {
                read(&self.seq, docs, values);
                for v in values.iter() {
                    facets.add(v.map_or(usize::MAX, |s| s as usize));
                }
            }
            None => self.unthemed += docs.len() as u64,
        }
        read(&self.score, docs, values);
        for v in values.iter() {
            let score = v.unwrap_or(0) as usize;
            let slot = if (1..=6).contains(&score) {
                score - 1
            } else {
                6
            };
            self.score_counts[slot] += 1;
        }
        read(&self.kind, docs, values);
        for v in values.iter() {
            self.kind_counts[(v.unwrap_or(3) as usize).min(3)] += 1;
        }
        read(&self.month, docs, values);
        let undated = self.month_counts.len() - 1;
        for v in values.iter() {
            let slot = v.map_or(undated, |m| {
                (m.saturating_sub(self.month_min) as usize).min(undated - 1)
            });
            self.month_counts[slot] += 1;
        }
    }

    fn harvest(self) -> FacetTally {
        let mut tally = FacetTally::default();
        let named = |column: &Option<StrColumn>,
                     counts: &[u64],
                     into: &mut BTreeMap<String, u64>,
                     missing: Option<&str>| {
            let mut name = String::new();
            for (ord, &count) in counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let value = if ord + 1 == counts.len() {
                    match missing {
                        Some(m) => m.to_owned(),
                        None => continue,
                    }
                } else {
                    name.clear();
                    match column.as_ref().map(|c| c.ord_to_str(ord as u64, &mut name)) {
                        Some(Ok(true)) => name.clone(),
                        _ => continue,
                    }
                };
                *into.entry(value).or_default() += count;
            }
        };
        named(
            &self.service,
            &self.service_counts,
            &mut tally.service,
            Some(NONE),
        );
        named(
            &self.organisation,
            &self.organisation_counts,
            &mut tally.organisation,
            Some(NONE),
        );
        // The annotations are counted once the segments' matches are together.
        tally.annotations = self.annotations;
        let mut sentiment = [0u64; 5];
        sentiment[4] = self.unthemed;
        tally.add_sentiment(sentiment);
        tally.score = self.score_counts;
        tally.kind = self.kind_counts;
        let undated = self.month_counts.len() - 1;
        for (slot, &count) in self.month_counts.iter().enumerate() {
            if count > 0 {
                let key = if slot == undated {
                    u64::MAX
                } else {
                    self.month_min + slot as u64
                };
                *tally.month.entry(key).or_default() += count;
            }
        }
        tally
    }
}

/// The first value of each document of a block.
fn read(column: &Column<u64>, docs: &[DocId], values: &mut Vec<Option<u64>>) {
    values.clear();
    values.resize(docs.len(), None);
    column.first_vals(docs, values);
}

#[inline]
fn single(column: &Option<StrColumn>, counts: &mut [u64], doc: DocId) {
    let missing = counts.len() - 1;
    let slot = column
        .as_ref()
        .and_then(|c| c.ords().first(doc))
        .map_or(missing, |o| o as usize);
    counts[slot.min(missing)] += 1;
}

/// Facet counts keyed for merging across segments.
#[derive(Default)]
pub(crate) struct FacetTally {
    service: BTreeMap<String, u64>,
    organisation: BTreeMap<String, u64>,
    touchpoint: BTreeMap<String, u64>,
    theme: BTreeMap<String, u64>,
    sentiment: BTreeMap<String, u64>,
    score: [u64; 7],
    kind: [u64; 4],
    /// By month code; `u64::MAX` is undated.
    month: BTreeMap<u64, u64>,
    /// The annotations of the comments matched, not counted yet.
    annotations: Option<AnnotationFacets>,
}

impl FacetTally {
    fn merge(&mut self, other: FacetTally) {
        for (mine, theirs) in [
            (&mut self.service, other.service),
            (&mut self.organisation, other.organisation),
            (&mut self.touchpoint, other.touchpoint),
            (&mut self.theme, other.theme),
            (&mut self.sentiment, other.sentiment),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        for (a, b) in self.score.iter_mut().zip(other.score) {
            *a += b;
        }
        for (a, b) in self.kind.iter_mut().zip(other.kind) {
            *a += b;
        }
        for (k, v) in other.month {
            *self.month.entry(k).or_default() += v;
        }
        match (&mut self.annotations, other.annotations) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }

    /// Adds sentiment counts: positive, neutral, mixed, negative, then not themed.
    fn add_sentiment(&mut self, counts: [u64; 5]) {
        let labels = SentimentLabel::ALL.iter().map(|l| l.as_str());
        for (name, count) in labels.chain([NOT_THEMED]).zip(counts) {
            if count > 0 {
                *self.sentiment.entry(name.to_owned()).or_default() += count;
            }
        }
    }

    /// Counts the annotations of the comments matched into the touchpoint, theme and sentiment facets.
    fn count_annotations(&mut self) {
        let Some(facets) = self.annotations.take() else {
            return;
        };
        let (touchpoints, themes, sentiment) = facets.named();
        for (into, counts) in [
            (&mut self.touchpoint, touchpoints),
            (&mut self.theme, themes),
        ] {
            for (name, count) in counts {
                *into.entry(name.to_string()).or_default() += count;
            }
        }
        self.add_sentiment(sentiment);
    }

    pub(crate) fn into_facets(mut self) -> Facets {
        self.count_annotations();
        let most_first = |map: BTreeMap<String, u64>| {
            let mut v: Vec<FacetCount> = map
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect();
            // Most first; "(none)" last; ties by name, for a stable order.
            v.sort_by(|a, b| {
                (a.value == NONE)
                    .cmp(&(b.value == NONE))
                    .then(b.count.cmp(&a.count))
                    .then(a.value.cmp(&b.value))
            });
            v
        };
        let score = FftScore::ALL
            .iter()
            .zip(self.score)
            .filter(|(_, c)| *c > 0)
            .map(|(s, count)| FacetCount {
                value: s.slug().to_owned(),
                count,
            })
            .collect();
        let question_kind = QuestionKind::ALL
            .iter()
            .zip(self.kind)
            .filter(|(_, c)| *c > 0)
            .map(|(k, count)| FacetCount {
                value: k.slug().to_owned(),
                count,
            })
            .collect();
        let month = self
            .month
            .into_iter()
            .map(|(code, count)| FacetCount {
                value: if code == u64::MAX {
                    UNDATED.to_owned()
                } else {
                    schema::month_label(code)
                },
                count,
            })
            .collect();
        let mut sentiment_map = self.sentiment;
        let mut sentiment: Vec<FacetCount> = SentimentLabel::ALL
            .iter()
            .filter_map(|l| {
                sentiment_map.remove(l.as_str()).map(|count| FacetCount {
                    value: l.as_str().to_owned(),
                    count,
                })
            })
            .collect();
        sentiment.extend(
            sentiment_map
                .into_iter()
                .map(|(value, count)| FacetCount { value, count }),
        );
        Facets {
            service: most_first(self.service),
            organisation: most_first(self.organisation),
            score,
            month,
            question_kind,
            touchpoint: most_first(self.touchpoint),
            theme: most_first(self.theme),
            sentiment,
        }
    }
}

impl Collector for SearchCollector {
    type Fruit = Found;
    type Child = SearchSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SearchSegmentCollector> {
        let ff = segment.fast_fields();
        Ok(SearchSegmentCollector {
            order: self.order,
            top: self.top,
            segment: segment_ord,
            seq: ff.u64(names::SEQ)?,
            date: ff.i64(names::DATE)?,
            heap: BinaryHeap::with_capacity(self.top.min(10_000) + 1),
            total: 0,
            facets: if self.facets {
                Some(SegmentFacets::new(segment, self.annotated.as_ref())?)
            } else {
                None
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Order::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Found>) -> tantivy::Result<Found> {
        let mut total = 0;
        let mut top = Vec::new();
        let mut facets = FacetTally::default();
        for fruit in fruits {
            total += fruit.total;
            top.extend(fruit.top);
            facets.merge(fruit.facets);
        }
        top.sort_unstable();
        top.truncate(self.top);
        Ok(Found { total, top, facets })
    }
}

impl SegmentCollector for SearchSegmentCollector {
    type Fruit = Found;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        if let Some(f) = &mut self.facets {
            f.collect(doc);
        }
        self.rank(doc, score);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        if let Some(f) = &mut self.facets {
            f.collect_block(docs);
        }
        for &doc in docs {
            self.rank(doc, 0.0);
        }
    }

    fn harvest(self) -> Found {
        Found {
            total: self.total,
            top: self.heap.into_sorted_vec(),
            facets: self.facets.map(SegmentFacets::harvest).unwrap_or_default(),
        }
    }
}

impl SearchSegmentCollector {
    /// Keeps the document if it ranks among the best `top` so far.
    #[inline]
    fn rank(&mut self, doc: DocId, score: Score) {
        if self.top == 0 {
            return;
        }
        let primary = match self.order {
            Order::Relevance => i64::from(score.max(0.0).to_bits()),
            Order::Ingest => 0,
            Order::DateDesc => self.date.first(doc).unwrap_or(i64::MIN),
            Order::DateAsc => self.date.first(doc).map_or(i64::MIN, |d| -d),
        };
        let ranked = Ranked {
            primary,
            seq: self.seq.first(doc).unwrap_or(u64::MAX),
            relevance: score,
            segment: self.segment,
            doc,
        };
        if self.heap.len() < self.top {
            self.heap.push(ranked);
        } else if let Some(worst) = self.heap.peek()
            && ranked < *worst
        {
            self.heap.pop();
            self.heap.push(ranked);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, words: &[&str], max_chars: usize, expected: &str) {
        let mut analyzer = Analyzer::english();
        let terms: BTreeSet<String> = words
            .iter()
            .flat_map(|w| analyzer.content_terms(w))
            .collect();
        let got = snippet(&mut analyzer, text, &terms, max_chars).render("[", "]");
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn snippets_keep_short_texts_whole_and_cut_long_ones_at_spaces() {
        check("Waited ages", &["wait"], 100, "[Waited] ages");
        check("a\nb\tc waiting", &["wait"], 100, "a b c [waiting]");
        check("No match here", &["parking"], 100, "No match here");
        check(
            "one two three four five six seven eight nine ten parking eleven twelve thirteen fourteen",
            &["parking"],
            40,
            "…nine ten [parking] eleven twelve…",
        );
    }

    #[test]
    fn snippets_never_split_a_character() {
        // No-break spaces, emoji and accents around the cut points, at every width.
        let text = "Très\u{a0}bien 😊 personnel\u{a0}attentif, mais l'attente 😡 était longue\u{a0}: parking 🅿 payant \u{3000}全角 waiting";
        let mut analyzer = Analyzer::english();
        let terms: BTreeSet<String> = ["parking", "waiting", "bien"]
            .iter()
            .flat_map(|w| analyzer.content_terms(w))
            .collect();
        for max in 1..text.chars().count() + 2 {
            let s = snippet(&mut analyzer, text, &terms, max);
            for h in &s.highlights {
                assert!(s.text.get(h.clone()).is_some(), "{max}: {s:?}");
            }
        }
    }
}
