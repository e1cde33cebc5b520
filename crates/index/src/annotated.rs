//! Search over annotations that live beside the index: the query language's `theme:`, `touchpoint:`,
//! `sentiment:`, `theme_source:`, `discordant:`, `discovered:` and `themed:` clauses, and the matching
//! filters, become per-document predicates that read a document's `seq` fast field and look its
//! annotations up in the store's [`AnnotationTable`]. tantivy evaluates a predicate only on the documents
//! the rest of the query leaves, so a filter on a word costs a lookup per matching comment, not one per
//! comment of the store.
//!
//! People's corrections win here too: a comment a person corrected is tested and counted on its final
//! labels ([`Annotated::corrected`]), looked up by sequence number before the table. Without
//! corrections that lookup is skipped, so a store nobody corrected searches exactly as fast.

use std::sync::Arc;

use chorus_core::{AnnotationTable, Annotations, SentimentLabel, ThemeSource};
use tantivy::query::doc_predicate_query::{DocPredicateQuery, FunctionPredicate};
use tantivy::query::{EmptyQuery, Query};
use tantivy::{DocId, SegmentReader};

use crate::schema::names;
use crate::sidecar::Annotated;

/// Counts by name, in the table's order.
pub(crate) type NamedCounts = Vec<(Arc<str>, u64)>;

/// A condition on a comment's annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Predicate {
    /// Mentions this touchpoint id (matched case-insensitively).
    Touchpoint(String),
    /// Has a theme of this name, from any source (matched case-insensitively).
    Theme(String),
    /// Has a theme from this source.
    ThemeSource(ThemeSource),
    /// Its overall sentiment is this.
    Sentiment(SentimentLabel),
    /// Its text contradicts its score, or does not.
    Discordant(bool),
    /// It sits in this discovered theme.
    Discovered(u32),
    /// Theming analysed it, or did not.
    Themed(bool),
}

/// A predicate with its names turned into the table's numbers, ready to test a comment.
#[derive(Clone, Debug)]
enum Resolved {
    Touchpoint(u16),
    Themes(Vec<u32>),
    Sentiment(SentimentLabel),
    Discordant(bool),
    Discovered(u32),
    Themed(bool),
    Nothing,
}

impl Predicate {
    fn resolve(&self, table: &AnnotationTable) -> Resolved {
        let named = |wanted: &str, name: &str| name.eq_ignore_ascii_case(wanted.trim());
        match self {
            Predicate::Touchpoint(id) => table
                .touchpoint_names()
                .iter()
                .position(|name| named(id, name))
                .map_or(Resolved::Nothing, |n| Resolved::Touchpoint(n as u16)),
            Predicate::Theme(wanted) => {
                Resolved::Themes(themes_where(table, |_, name| named(wanted, name)))
            }
            Predicate::ThemeSource(source) => {
                Resolved::Themes(themes_where(table, |s, _| s == *source))
            }
            Predicate::Sentiment(label) => Resolved::Sentiment(*label),
            Predicate::Discordant(value) => Resolved::Discordant(*value),
            Predicate::Discovered(id) => Resolved::Discovered(*id),
            Predicate::Themed(value) => Resolved::Themed(*value),
        }
    }

    /// The tantivy query of comments that meet the predicate. Without annotations (theming never ran),
    /// only `themed:false` matches anything.
    pub(crate) fn to_query(&self, annotated: Option<&Arc<Annotated>>) -> Box<dyn Query> {
        let empty = Arc::new(Annotated {
            table: Arc::new(AnnotationTable::new()),
            catalog: Default::default(),
            corrected: Default::default(),
            label_bits: Default::default(),
        });
        let annotated = annotated.map_or(empty, Arc::clone);
        let resolved = self.resolve(&annotated.table);
        let none_in_table = matches!(&resolved, Resolved::Nothing)
            || matches!(&resolved, Resolved::Themes(names) if names.is_empty());
        // A name the machine never gave may still be one a person gave.
        let corrected_match = || annotated.corrected.iter().any(|(_, a)| self.holds_for(a));
        if none_in_table && !corrected_match() {
            return Box::new(EmptyQuery);
        }
        let this = self.clone();
        let predicate = FunctionPredicate::from(move |segment: &SegmentReader| {
            let seq = segment.fast_fields().u64(names::SEQ)?;
            let annotated = Arc::clone(&annotated);
            let resolved = resolved.clone();
            let this = this.clone();
            Ok(move |doc: DocId| {
                let ordinal = seq.first(doc).map_or(usize::MAX, |s| s as usize);
                if !annotated.corrected.is_empty()
                    && let Some(corrected) = annotated.corrected.get(ordinal as u64)
                {
                    return this.holds_for(corrected);
                }
                holds(&annotated.table, &resolved, ordinal)
            })
        });
        Box::new(DocPredicateQuery::from(predicate))
    }

    /// Whether a comment with these annotations (`None`: not themed) meets the predicate, by name: for
    /// the few comments people corrected, whose labels are not in the table.
    fn holds_for(&self, annotations: Option<&Annotations>) -> bool {
        let named = |wanted: &str, name: &str| name.eq_ignore_ascii_case(wanted.trim());
        let Some(a) = annotations else {
            return matches!(self, Predicate::Themed(false));
        };
        match self {
            Predicate::Touchpoint(id) => a.touchpoints.iter().any(|t| named(id, &t.id)),
            Predicate::Theme(wanted) => a.themes.iter().any(|t| named(wanted, &t.name)),
            Predicate::ThemeSource(source) => a.themes.iter().any(|t| t.source == *source),
            Predicate::Sentiment(label) => a.sentiment.label == *label,
            Predicate::Discordant(value) => a.discordant == *value,
            Predicate::Discovered(id) => a.discovered_theme == Some(*id),
            Predicate::Themed(value) => *value,
        }
    }
}

/// The numbers of the table's themes that `keep` (source, name) accepts.
fn themes_where(table: &AnnotationTable, keep: impl Fn(ThemeSource, &str) -> bool) -> Vec<u32> {
    table
        .theme_names()
        .iter()
        .enumerate()
        .filter(|(_, (source, name))| keep(*source, name))
        .map(|(i, _)| i as u32)
        .collect()
}

fn holds(table: &AnnotationTable, resolved: &Resolved, ordinal: usize) -> bool {
    match resolved {
        Resolved::Touchpoint(n) => table.touchpoints_of(ordinal).any(|t| t == *n),
        Resolved::Themes(numbers) => table.themes_of(ordinal).any(|t| numbers.contains(&t)),
        Resolved::Sentiment(label) => table.sentiment(ordinal) == Some(*label),
        Resolved::Discordant(value) => {
            table.is_annotated(ordinal) && table.is_discordant(ordinal) == *value
        }
        Resolved::Discovered(id) => {
            table.is_annotated(ordinal) && table.discovered(ordinal) == Some(*id)
        }
        Resolved::Themed(value) => table.is_annotated(ordinal) == *value,
        Resolved::Nothing => false,
    }
}
