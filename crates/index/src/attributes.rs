//! `Store::attribute_facets`: counts of the attribute columns (age band, ethnicity, ward…) over the
//! comments a search matches.
//!
//! Attributes are indexed as `name=value` terms, not as fast columns (their names differ from one export
//! to the next). The first count reads every attribute term's postings once into [`AttributeColumns`], a
//! compact list of each document's attribute terms per segment, which the store keeps for as long as
//! its segments stay the same (a server answers many searches). A count then marks the matches in a bit
//! set per segment and adds up the terms of the marked documents: its cost follows the matches, not the
//! size of the store.

use std::collections::BTreeMap;
use std::sync::Arc;

use chorus_core::Interner;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::filters::{Filters, attribute_term};
use crate::search::FacetCount;
use crate::{Error, Store};

/// The counts of one attribute column over the matching comments.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AttributeFacet {
    /// The column's header, as in the export.
    pub name: String,
    /// Its most frequent values among the matches, most first (ties by value), as in the export.
    pub values: Vec<FacetCount>,
    /// How many distinct values the matches have (more than `values` holds when cut).
    pub distinct: usize,
}

/// One attribute term's count, and a document that has it (to read the value as written).
struct TermCount {
    count: u64,
    example: (SegmentOrdinal, DocId),
}

impl Store {
    /// Counts each attribute value over the comments that `query` and `filters` match: up to
    /// `max_values` values per attribute, attributes in name order. Comments without the attribute are
    /// not counted, so the values need not add up to the total.
    pub fn attribute_facets(
        &self,
        query: &str,
        filters: &Filters,
        max_values: usize,
    ) -> Result<Vec<AttributeFacet>, Error> {
        let searcher = self.searcher();
        let query = self.selection(&searcher, query, filters)?;
        let matches = searcher
            .search(&*query, &Matches)
            .map_err(|e| self.index_error(e))?;
        let columns = self.attribute_columns(&searcher)?;
        let mut counts = vec![0u64; columns.terms.len()];
        for (ord, set, count) in matches {
            if count > 0 {
                columns.count(ord, &set, &mut counts);
            }
        }
        let terms: BTreeMap<Vec<u8>, TermCount> = counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(id, &count)| {
                let term = columns.terms[id].clone();
                let example = columns.examples[id];
                (term, TermCount { count, example })
            })
            .collect();
        // Group by name (the part before the first `=`), most frequent values first.
        let mut by_name: BTreeMap<String, Vec<(Vec<u8>, TermCount)>> = BTreeMap::new();
        for (term, count) in terms {
            let text = String::from_utf8_lossy(&term);
            let name = text.split_once('=').map_or(&*text, |(n, _)| n).to_owned();
            by_name.entry(name).or_default().push((term, count));
        }
        let mut interner = Interner::new();
        let mut out = Vec::with_capacity(by_name.len());
        for (_, mut values) in by_name {
            values.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
            let distinct = values.len();
            let mut name = None;
            let mut counts = Vec::new();
            for (term, count) in values.into_iter().take(max_values.max(1)) {
                let (segment, doc) = count.example;
                let comment = self.hit_comment(&searcher, segment, doc, &mut interner)?;
                // The term is the lowercased `name=value`: find the attribute that wrote it.
                let Some((n, v)) = comment.attributes.iter().find(|(n, v)| {
                    crate::schema::label(&attribute_term(n, v)).as_bytes() == term.as_slice()
                }) else {
                    continue;
                };
                name.get_or_insert_with(|| n.to_string());
                counts.push(FacetCount {
                    value: v.to_string(),
                    count: count.count,
                });
            }
            if let Some(name) = name {
                counts.truncate(max_values);
                out.push(AttributeFacet {
                    name,
                    values: counts,
                    distinct,
                });
            }
        }
        out.sort_by_key(|a| a.name.to_lowercase());
        Ok(out)
    }

    /// The attribute terms of every document, read from the postings the first time and kept until the
    /// index's segments change.
    fn attribute_columns(&self, searcher: &Searcher) -> Result<Arc<AttributeColumns>, Error> {
        let segments: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        let mut kept = self
            .attribute_columns
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(columns) = kept.as_ref().filter(|c| c.segments == segments) {
            return Ok(Arc::clone(columns));
        }
        let columns = Arc::new(self.read_attribute_columns(searcher, segments)?);
        *kept = Some(Arc::clone(&columns));
        Ok(columns)
    }

    fn read_attribute_columns(
        &self,
        searcher: &Searcher,
        segments: Vec<SegmentId>,
    ) -> Result<AttributeColumns, Error> {
        let io = |e: std::io::Error| Error::Io {
            path: self.dir().to_owned(),
            source: e,
        };
        let mut ids: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
        let mut columns = AttributeColumns {
            segments,
            ..AttributeColumns::default()
        };
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment
                .inverted_index(self.fields.attribute)
                .map_err(|e| self.index_error(e))?;
            let mut stream = inverted.terms().stream().map_err(io)?;
            let mut pairs: Vec<(DocId, u32)> = Vec::new();
            while stream.advance() {
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                    .map_err(io)?;
                let first = postings.doc();
                if first == TERMINATED {
                    continue;
                }
                let next = columns.terms.len() as u32;
                let id = *ids.entry(stream.key().to_vec()).or_insert_with(|| {
                    columns.terms.push(stream.key().to_vec());
                    columns.examples.push((ord as SegmentOrdinal, first));
                    next
                });
                let mut doc = first;
                while doc != TERMINATED {
                    pairs.push((doc, id));
                    doc = postings.advance();
                }
            }
            columns
                .segments_terms
                .push(DocTerms::new(segment.max_doc(), pairs));
        }
        Ok(columns)
    }
}

/// Every document's attribute terms, per segment, with the terms numbered across segments.
#[derive(Default)]
pub(crate) struct AttributeColumns {
    /// The segments read, in the searcher's order.
    segments: Vec<SegmentId>,
    /// Each term (`name=value`, lowercased) by its number.
    terms: Vec<Vec<u8>>,
    /// A document with each term, to read the value as written.
    examples: Vec<(SegmentOrdinal, DocId)>,
    /// By segment ordinal.
    segments_terms: Vec<DocTerms>,
}

impl AttributeColumns {
    /// Adds the terms of the documents marked in `set` (of segment `ord`) to `counts`, by term number.
    fn count(&self, ord: SegmentOrdinal, set: &BitSet, counts: &mut [u64]) {
        let Some(docs) = self.segments_terms.get(ord as usize) else {
            return;
        };
        for doc in 0..docs.starts.len().saturating_sub(1) as DocId {
            if set.contains(doc) {
                for &id in docs.of(doc) {
                    counts[id as usize] += 1;
                }
            }
        }
    }
}

/// The term numbers of each document of a segment, in one array (`starts[doc]..starts[doc + 1]`).
#[derive(Default)]
struct DocTerms {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl DocTerms {
    fn new(max_doc: DocId, mut pairs: Vec<(DocId, u32)>) -> DocTerms {
        pairs.sort_unstable();
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut at = 0;
        for doc in 0..=max_doc {
            while at < pairs.len() && pairs[at].0 < doc {
                at += 1;
            }
            starts.push(at as u32);
        }
        DocTerms {
            starts,
            ids: pairs.into_iter().map(|(_, id)| id).collect(),
        }
    }

    fn of(&self, doc: DocId) -> &[u32] {
        let (from, to) = (self.starts[doc as usize], self.starts[doc as usize + 1]);
        &self.ids[from as usize..to as usize]
    }
}

/// Marks every live match in a bit set per segment.
struct Matches;

struct SegmentMatches {
    ord: SegmentOrdinal,
    set: BitSet,
    count: u64,
}

impl Collector for Matches {
    type Fruit = Vec<(SegmentOrdinal, BitSet, u64)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            ord,
            set: BitSet::with_max_value(reader.max_doc()),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, BitSet, u64)>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (SegmentOrdinal, BitSet, u64);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.set.insert(doc);
        self.count += 1;
    }

    fn harvest(self) -> Self::Fruit {
        (self.ord, self.set, self.count)
    }
}
