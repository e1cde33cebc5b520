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

/// Facet counts of annotations over the comments a search matched: each comment counts once per
/// distinct touchpoint, once per distinct theme name (a name two sources share counts once), and once
/// under its sentiment (or "not themed").
#[derive(Debug)]
pub(crate) struct AnnotationFacets {
    annotated: Arc<Annotated>,
    /// The facet slot of each theme number: themes of the same name share a slot.
    theme_slot: Vec<u32>,
    slot_names: Vec<Arc<str>>,
    /// The table's touchpoint names, then those only people gave.
    touchpoint_names: Vec<Arc<str>>,
    pub(crate) touchpoints: Vec<u64>,
    pub(crate) themes: Vec<u64>,
    /// Positive, neutral, mixed, negative, then not themed.
    pub(crate) sentiment: [u64; 5],
    seen: Vec<u32>,
}

impl AnnotationFacets {
    /// Empty counts over the annotations of `annotated`.
    pub(crate) fn new(annotated: Arc<Annotated>) -> AnnotationFacets {
        let mut slot_names: Vec<Arc<str>> = Vec::new();
        let theme_slot = annotated
            .table
            .theme_names()
            .iter()
            .map(
                |(_, name)| match slot_names.iter().position(|n| n == name) {
                    Some(slot) => slot as u32,
                    None => {
                        slot_names.push(Arc::clone(name));
                        (slot_names.len() - 1) as u32
                    }
                },
            )
            .collect();
        let mut touchpoint_names = annotated.table.touchpoint_names().to_vec();
        for (_, a) in annotated.corrected.iter() {
            for t in a.iter().flat_map(|a| &a.themes) {
                if !slot_names.contains(&t.name) {
                    slot_names.push(Arc::clone(&t.name));
                }
            }
            for t in a.iter().flat_map(|a| &a.touchpoints) {
                if !touchpoint_names.contains(&t.id) {
                    touchpoint_names.push(Arc::clone(&t.id));
                }
            }
        }
        AnnotationFacets {
            touchpoints: vec![0; touchpoint_names.len()],
            themes: vec![0; slot_names.len()],
            touchpoint_names,
            sentiment: [0; 5],
            theme_slot,
            slot_names,
            annotated,
            seen: Vec::new(),
        }
    }

    /// Counts the comment with sequence number `ordinal`.
    pub(crate) fn add(&mut self, ordinal: usize) {
        if !self.annotated.corrected.is_empty() {
            let annotated = Arc::clone(&self.annotated);
            if let Some(corrected) = annotated.corrected.get(ordinal as u64) {
                self.add_corrected(corrected);
                return;
            }
        }
        let table = &self.annotated.table;
        let Some(sentiment) = table.sentiment(ordinal) else {
            self.sentiment[4] += 1;
            return;
        };
        let slot = SentimentLabel::ALL
            .iter()
            .position(|l| *l == sentiment)
            .unwrap_or(1);
        self.sentiment[slot] += 1;
        self.seen.clear();
        for t in table.touchpoints_of(ordinal) {
            if !self.seen.contains(&u32::from(t)) {
                self.seen.push(u32::from(t));
                self.touchpoints[usize::from(t)] += 1;
            }
        }
        self.seen.clear();
        for t in table.themes_of(ordinal) {
            let slot = self.theme_slot[t as usize];
            if !self.seen.contains(&slot) {
                self.seen.push(slot);
                self.themes[slot as usize] += 1;
            }
        }
    }

    /// Counts a comment a person corrected, on its final labels.
    fn add_corrected(&mut self, annotations: Option<&Annotations>) {
        let Some(a) = annotations else {
            self.sentiment[4] += 1;
            return;
        };
        let slot = SentimentLabel::ALL
            .iter()
            .position(|l| *l == a.sentiment.label)
            .unwrap_or(1);
        self.sentiment[slot] += 1;
        self.seen.clear();
        for t in &a.touchpoints {
            if let Some(n) = self.touchpoint_names.iter().position(|n| *n == t.id)
                && !self.seen.contains(&(n as u32))
            {
                self.seen.push(n as u32);
                self.touchpoints[n] += 1;
            }
        }
        self.seen.clear();
        for t in &a.themes {
            if let Some(slot) = self.slot_names.iter().position(|n| *n == t.name)
                && !self.seen.contains(&(slot as u32))
            {
                self.seen.push(slot as u32);
                self.themes[slot] += 1;
            }
        }
    }

    /// The touchpoint and theme counts by name, without the zeros.
    pub(crate) fn named(&self) -> (NamedCounts, NamedCounts) {
        let touchpoints = self
            .touchpoint_names
            .iter()
            .zip(&self.touchpoints)
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| (Arc::clone(name), *n))
            .collect();
        let themes = self
            .slot_names
            .iter()
            .zip(&self.themes)
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| (Arc::clone(name), *n))
            .collect();
        (touchpoints, themes)
    }
}
