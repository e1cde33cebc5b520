//! `Store::attribute_facets`: counts of the attribute columns (age band, ethnicity, ward…) over the
//! comments a search matches.
//!
//! Attributes are indexed as `name=value` terms, not as fast columns (their names differ from one export
//! to the next), so they are counted from the postings: the matches are marked in a bit set per segment,
//! then each attribute term's postings are walked (or, when the matches are few, seeked) against it. The
//! cost grows with the store (every comment has a value per attribute), about what one facet column
//! costs per attribute.

use std::collections::BTreeMap;

use chorus_core::Interner;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

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
        let mut terms: BTreeMap<Vec<u8>, TermCount> = BTreeMap::new();
        for (ord, set, count) in matches {
            if count == 0 {
                continue;
            }
            let segment = searcher.segment_reader(ord);
            self.count_terms(segment, ord, &set, count, &mut terms)?;
        }
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

    /// Adds, for each attribute term of a segment, how many of the marked documents have it.
    fn count_terms(
        &self,
        segment: &SegmentReader,
        ord: SegmentOrdinal,
        set: &BitSet,
        marked: u64,
        terms: &mut BTreeMap<Vec<u8>, TermCount>,
    ) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io {
            path: self.dir().to_owned(),
            source: e,
        };
        let inverted = segment
            .inverted_index(self.fields.attribute)
            .map_err(|e| self.index_error(e))?;
        let mut stream = inverted.terms().stream().map_err(io)?;
        // With few matches, jump through each posting list to them rather than walk it whole.
        let sparse = marked * 16 < u64::from(segment.max_doc());
        let marked_docs: Vec<DocId> = if sparse {
            (0..segment.max_doc())
                .filter(|&d| set.contains(d))
                .collect()
        } else {
            Vec::new()
        };
        while stream.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                .map_err(io)?;
            let first = postings.doc();
            if first == TERMINATED {
                continue;
            }
            let mut count = 0u64;
            if sparse {
                for &doc in &marked_docs {
                    if postings.seek(doc) == doc {
                        count += 1;
                    } else if postings.doc() == TERMINATED {
                        break;
                    }
                }
            } else {
                let mut doc = first;
                while doc != TERMINATED {
                    if set.contains(doc) {
                        count += 1;
                    }
                    doc = postings.advance();
                }
            }
            if count > 0 {
                terms
                    .entry(stream.key().to_vec())
                    .or_insert(TermCount {
                        count: 0,
                        example: (ord, first),
                    })
                    .count += count;
            }
        }
        Ok(())
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
