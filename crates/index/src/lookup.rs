//! Finding particular comments: one by its key, those with an id, a respondent's other answers, every
//! comment a search matches (for exports), and the comments most like one (for a reader who wants more).

use std::collections::BTreeSet;
use std::sync::Arc;

use chorus_core::corrections::CommentKey;
use chorus_core::{Comment, Interner};
use chorus_text::Analyzer;
use rayon::prelude::*;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query};
use tantivy::schema::OwnedValue;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::filters::{Filters, label_query};
use crate::query;
use crate::schema::names;
use crate::search::{Hit, snippet};
use crate::{Annotated, Error, Store};

/// The most comments one id or one respondent can return: ids and respondents name a row, which holds
/// a few answers.
const MAX_PER_ID: usize = 1000;

impl Store {
    /// The comment whose identity key is `key`, if the store holds it.
    ///
    /// Found from the key column without touching other documents: a few milliseconds at a million
    /// comments.
    pub fn comment(&self, key: CommentKey) -> Result<Option<Comment>, Error> {
        let searcher = self.searcher();
        let Some(address) = self.address_of(&searcher, key)? else {
            return Ok(None);
        };
        let annotated = self.annotated()?;
        let comment = self.annotated_comment(
            &searcher,
            (address.segment_ord, address.doc_id),
            annotated.as_ref(),
            &mut Interner::new(),
        )?;
        Ok(Some(comment))
    }

    /// The comment at an address, with the annotations of the last theming run.
    fn annotated_comment(
        &self,
        searcher: &tantivy::Searcher,
        (segment, doc): (SegmentOrdinal, DocId),
        annotated: Option<&Arc<Annotated>>,
        interner: &mut Interner,
    ) -> Result<Comment, Error> {
        let mut comment = self.hit_comment(searcher, segment, doc, interner)?;
        if let Some(annotated) = annotated {
            let seq = searcher
                .segment_reader(segment)
                .fast_fields()
                .u64(names::SEQ)
                .map_err(|e| self.index_error(e))?
                .first(doc);
            comment.annotations = seq.and_then(|seq| annotated.table.get(seq as usize));
        }
        Ok(comment)
    }

    /// A query and filters as one tantivy query.
    pub(crate) fn selection(
        &self,
        searcher: &tantivy::Searcher,
        query: &str,
        filters: &Filters,
    ) -> Result<Box<dyn Query>, Error> {
        let annotated = self.annotated()?;
        let parsed = query::parse(query, &self.fields)?
            .to_query(&self.fields, searcher, annotated.as_ref())
            .map_err(|e| self.index_error(e))?;
        let query = self.with_filters(&parsed, filters, annotated.as_ref());
        Ok(query)
    }

    /// Where the comment with this key is.
    pub(crate) fn address_of(
        &self,
        searcher: &tantivy::Searcher,
        key: CommentKey,
    ) -> Result<Option<DocAddress>, Error> {
        let mut found = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let column = segment
                .fast_fields()
                .u64(names::KEY_IDENTITY)
                .map_err(|e| self.index_error(e))?;
            found.clear();
            column.get_docids_for_value_range(key.0..=key.0, 0..segment.max_doc(), &mut found);
            let live = found
                .iter()
                .find(|&&doc| !segment.is_deleted(doc) && column.first(doc) == Some(key.0));
            if let Some(&doc) = live {
                return Ok(Some(DocAddress::new(ord as SegmentOrdinal, doc)));
            }
        }
        Ok(None)
    }

    /// The comments whose id is `id` (matched whole, any case): one per question the row answered, in
    /// ingest order.
    pub fn comments_with_id(&self, id: &str) -> Result<Vec<Comment>, Error> {
        let query = label_query(self.fields.id, id);
        let mut comments = self.collect_comments(&*query, MAX_PER_ID)?;
        comments.retain(|c| c.id.trim().to_lowercase() == id.trim().to_lowercase());
        Ok(comments)
    }

    /// Every answer of one respondent of one organisation, in ingest order: the other questions of the
    /// same survey response.
    pub fn respondent_comments(
        &self,
        organisation: Option<&str>,
        respondent: &str,
    ) -> Result<Vec<Comment>, Error> {
        let query = label_query(self.fields.respondent, respondent);
        let mut comments = self.collect_comments(&*query, MAX_PER_ID)?;
        comments
            .retain(|c| c.respondent == respondent && c.organisation.as_deref() == organisation);
        Ok(comments)
    }

    /// Every comment that a query and filters match, in ingest order, without snippets or facets: what
    /// an export of a search writes. Loads the matching comments (about 0.8 KiB each), so a search that
    /// matches the whole store costs what [`Store::comments`] does.
    pub fn matching_comments(&self, query: &str, filters: &Filters) -> Result<Vec<Comment>, Error> {
        let query = self.selection(&self.searcher(), query, filters)?;
        self.collect_comments(&*query, usize::MAX)
    }

    /// Up to `limit` comments of the query, in ingest order.
    fn collect_comments(&self, query: &dyn Query, limit: usize) -> Result<Vec<Comment>, Error> {
        let searcher = self.searcher();
        let annotated = self.annotated()?;
        let found = searcher
            .search(query, &InOrder)
            .map_err(|e| self.index_error(e))?;
        let mut found: Vec<(u64, SegmentOrdinal, DocId)> = found.into_iter().flatten().collect();
        found.sort_unstable();
        found.truncate(limit);
        // Read in document order within each chunk (the document store is compressed in blocks), on
        // all cores, then put back in ingest order.
        let chunks: Vec<&[(u64, SegmentOrdinal, DocId)]> = found.chunks(4096).collect();
        let parts = chunks
            .into_par_iter()
            .map(|chunk| {
                let mut interner = Interner::new();
                let mut by_doc: Vec<(SegmentOrdinal, DocId, u64)> =
                    chunk.iter().map(|&(seq, s, d)| (s, d, seq)).collect();
                by_doc.sort_unstable();
                let mut out = Vec::with_capacity(by_doc.len());
                for (segment, doc, seq) in by_doc {
                    let mut comment = self.hit_comment(&searcher, segment, doc, &mut interner)?;
                    comment.annotations =
                        annotated.as_ref().and_then(|a| a.table.get(seq as usize));
                    out.push((seq, comment));
                }
                Ok(out)
            })
            .collect::<Result<Vec<Vec<(u64, Comment)>>, Error>>()?;
        let mut all: Vec<(u64, Comment)> = parts.into_iter().flatten().collect();
        all.sort_unstable_by_key(|(seq, _)| *seq);
        Ok(all.into_iter().map(|(_, c)| c).collect())
    }

    /// The comments whose words are most like those of the comment `key` (a "more like this" query on
    /// its distinctive words), best first, without the comment itself; empty for a comment the store
    /// does not hold or one without text.
    pub fn similar(&self, key: CommentKey, limit: usize) -> Result<Vec<Hit>, Error> {
        let Some(comment) = self.comment(key)? else {
            return Ok(Vec::new());
        };
        if comment.no_comment || comment.text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_min_term_frequency(1)
            .with_max_query_terms(25)
            .with_min_word_length(3)
            .with_document_fields(vec![(
                self.fields.text,
                vec![OwnedValue::Str(comment.text.clone())],
            )]);
        // Only comments with text are alike; the comment's own duplicates (the same words) would lead
        // the list, so an exact copy of the text is skipped below.
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like) as Box<dyn Query>),
            (
                Occur::MustNot,
                crate::filters::bool_query(self.fields.no_comment, true),
            ),
        ]);
        let searcher = self.searcher();
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(limit.saturating_mul(2) + 1).order_by_score(),
            )
            .map_err(|e| self.index_error(e))?;
        let mut analyzer = Analyzer::english();
        let terms: BTreeSet<String> = analyzer.content_terms(&comment.text).into_iter().collect();
        let mut interner = Interner::new();
        let annotated = self.annotated()?;
        let mut hits = Vec::with_capacity(limit);
        for (score, address) in top {
            if hits.len() == limit {
                break;
            }
            let other = self.annotated_comment(
                &searcher,
                (address.segment_ord, address.doc_id),
                annotated.as_ref(),
                &mut interner,
            )?;
            if other.identity_key() == key.0 || other.text == comment.text {
                continue;
            }
            let snippet = snippet(&mut analyzer, &other.text, &terms, 240);
            hits.push(Hit {
                comment: other,
                relevance: score,
                snippet,
            });
        }
        Ok(hits)
    }
}

/// Collects the ingest sequence number and address of every match.
struct InOrder;

struct InOrderSegment {
    segment: SegmentOrdinal,
    seq: tantivy::columnar::Column<u64>,
    found: Vec<(u64, SegmentOrdinal, DocId)>,
}

impl Collector for InOrder {
    type Fruit = Vec<Vec<(u64, SegmentOrdinal, DocId)>>;
    type Child = InOrderSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<InOrderSegment> {
        Ok(InOrderSegment {
            segment,
            seq: reader.fast_fields().u64(names::SEQ)?,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(u64, SegmentOrdinal, DocId)>>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for InOrderSegment {
    type Fruit = Vec<(u64, SegmentOrdinal, DocId)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let seq = self.seq.first(doc).unwrap_or(u64::MAX);
        self.found.push((seq, self.segment, doc));
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}
