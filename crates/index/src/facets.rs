//! Facet counts of annotations over the comments a search matched: each comment counts once per
//! distinct touchpoint, once per distinct theme name (a name two sources share counts once), and once
//! under its sentiment (or "not themed").
//!
//! A search sets one bit per matched comment, by sequence number; the counts are then the bits it
//! shares with each label's set of comments ([`LabelBits`], made once per theming run), 64 comments at
//! a time. Looking each matched comment's labels up in the table cost a few cache misses each: at a
//! million comments a common word took tens of milliseconds, the bits take one.
//!
//! People's corrections win: a corrected comment that matched is taken out of the bits and counted on
//! its final labels.

use std::sync::{Arc, OnceLock};

use chorus_core::{AnnotationTable, Annotations, SentimentLabel};

use crate::annotated::NamedCounts;
use crate::sidecar::Annotated;

/// The comments of each machine label, as bits by sequence number: made once per theming run, shared
/// by every search (and kept while people's corrections change, since those are counted apart).
#[derive(Debug)]
pub(crate) struct LabelBits {
    words: usize,
    /// Comments the run analysed: the others are "not themed".
    annotated: Vec<u64>,
    /// In the order of [`SentimentLabel::ALL`].
    sentiment: Vec<Vec<u64>>,
    /// By the table's touchpoint number.
    touchpoints: Vec<Vec<u64>>,
    /// By facet slot: themes of one name share a slot.
    themes: Vec<Vec<u64>>,
    /// The name of each facet slot.
    slot_names: Vec<Arc<str>>,
}

/// Where [`LabelBits`] are kept: made on the first search that counts facets.
pub(crate) type LabelBitsCell = Arc<OnceLock<Arc<LabelBits>>>;

impl LabelBits {
    fn new(table: &AnnotationTable) -> LabelBits {
        // The facet slot of each theme number: themes of the same name share a slot.
        let mut slot_names: Vec<Arc<str>> = Vec::new();
        let theme_slot: Vec<usize> = table
            .theme_names()
            .iter()
            .map(
                |(_, name)| match slot_names.iter().position(|n| n == name) {
                    Some(slot) => slot,
                    None => {
                        slot_names.push(Arc::clone(name));
                        slot_names.len() - 1
                    }
                },
            )
            .collect();
        let words = table.len().div_ceil(64);
        let empty = || vec![0u64; words];
        let mut bits = LabelBits {
            words,
            annotated: empty(),
            sentiment: SentimentLabel::ALL.iter().map(|_| empty()).collect(),
            touchpoints: table.touchpoint_names().iter().map(|_| empty()).collect(),
            themes: slot_names.iter().map(|_| empty()).collect(),
            slot_names,
        };
        for ordinal in 0..table.len() {
            let Some(sentiment) = table.sentiment(ordinal) else {
                continue;
            };
            let (word, bit) = (ordinal / 64, 1u64 << (ordinal % 64));
            bits.annotated[word] |= bit;
            let label = SentimentLabel::ALL
                .iter()
                .position(|l| *l == sentiment)
                .unwrap_or(1);
            bits.sentiment[label][word] |= bit;
            for t in table.touchpoints_of(ordinal) {
                bits.touchpoints[usize::from(t)][word] |= bit;
            }
            for t in table.themes_of(ordinal) {
                bits.themes[theme_slot[t as usize]][word] |= bit;
            }
        }
        bits
    }
}

/// Adds one to the count of each distinct name of `labels` found in `names`.
fn count_once<'a>(
    names: &[Arc<str>],
    labels: impl Iterator<Item = &'a Arc<str>>,
    counts: &mut [u64],
) {
    let mut seen: Vec<usize> = Vec::new();
    for label in labels {
        if let Some(n) = names.iter().position(|name| name == label)
            && !seen.contains(&n)
        {
            seen.push(n);
            counts[n] += 1;
        }
    }
}

/// How many of `matched`'s bits `set` has.
fn shared(matched: &[u64], set: &[u64]) -> u64 {
    matched
        .iter()
        .zip(set)
        .map(|(a, b)| u64::from((a & b).count_ones()))
        .sum()
}

/// The annotation facets of one search, gathered segment by segment and counted once at the end.
#[derive(Debug)]
pub(crate) struct AnnotationFacets {
    annotated: Arc<Annotated>,
    bits: Arc<LabelBits>,
    /// The matched comments the table covers, by sequence number.
    matched: Vec<u64>,
    slot_names: Vec<Arc<str>>,
    /// The table's touchpoint names, then those only people gave.
    touchpoint_names: Vec<Arc<str>>,
    /// Counts of the comments the bits do not hold (beyond the table, or corrected), then all.
    pub(crate) touchpoints: Vec<u64>,
    pub(crate) themes: Vec<u64>,
    /// Positive, neutral, mixed, negative, then not themed.
    pub(crate) sentiment: [u64; 5],
}

impl AnnotationFacets {
    /// Empty counts over the annotations of `annotated`.
    pub(crate) fn new(annotated: Arc<Annotated>) -> AnnotationFacets {
        let bits = Arc::clone(
            annotated
                .label_bits
                .get_or_init(|| Arc::new(LabelBits::new(&annotated.table))),
        );
        // The table's slots, then names only people gave.
        let mut slot_names = bits.slot_names.clone();
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
            matched: vec![0; bits.words],
            bits,
            touchpoints: vec![0; touchpoint_names.len()],
            themes: vec![0; slot_names.len()],
            touchpoint_names,
            sentiment: [0; 5],
            slot_names,
            annotated,
        }
    }

    /// Counts the comment with sequence number `ordinal`.
    #[inline]
    pub(crate) fn add(&mut self, ordinal: usize) {
        if ordinal < self.annotated.table.len() {
            self.matched[ordinal / 64] |= 1 << (ordinal % 64);
            return;
        }
        // Added after the last theming run: not themed, unless a person labelled it.
        let annotated = Arc::clone(&self.annotated);
        match annotated.corrected.get(ordinal as u64) {
            Some(corrected) => self.add_labels(corrected),
            None => self.sentiment[4] += 1,
        }
    }

    /// Takes in the counts of another part of the same search.
    pub(crate) fn merge(&mut self, other: AnnotationFacets) {
        for (a, b) in self.matched.iter_mut().zip(&other.matched) {
            *a |= b;
        }
        for (a, b) in self.touchpoints.iter_mut().zip(&other.touchpoints) {
            *a += b;
        }
        for (a, b) in self.themes.iter_mut().zip(&other.themes) {
            *a += b;
        }
        for (a, b) in self.sentiment.iter_mut().zip(other.sentiment) {
            *a += b;
        }
    }

    /// Counts the matched comments' labels: people's for those they corrected, the bits' for the rest.
    fn count(&mut self) {
        if !self.annotated.corrected.is_empty() {
            let annotated = Arc::clone(&self.annotated);
            for (seq, labels) in annotated.corrected.iter() {
                let seq = seq as usize;
                let (word, bit) = (seq / 64, 1u64 << (seq % 64));
                if self.matched.get(word).is_some_and(|w| w & bit != 0) {
                    self.matched[word] &= !bit;
                    self.add_labels(labels);
                }
            }
        }
        let bits = Arc::clone(&self.bits);
        let matched = std::mem::take(&mut self.matched);
        if matched.iter().all(|w| *w == 0) {
            return;
        }
        let total: u64 = matched.iter().map(|w| u64::from(w.count_ones())).sum();
        let themed = shared(&matched, &bits.annotated);
        self.sentiment[4] += total - themed;
        for (count, set) in self.sentiment.iter_mut().zip(&bits.sentiment) {
            *count += shared(&matched, set);
        }
        for (count, set) in self.touchpoints.iter_mut().zip(&bits.touchpoints) {
            *count += shared(&matched, set);
        }
        for (count, set) in self.themes.iter_mut().zip(&bits.themes) {
            *count += shared(&matched, set);
        }
    }

    /// Counts a comment on these final labels (a person's).
    fn add_labels(&mut self, annotations: Option<&Annotations>) {
        let Some(a) = annotations else {
            self.sentiment[4] += 1;
            return;
        };
        let slot = SentimentLabel::ALL
            .iter()
            .position(|l| *l == a.sentiment.label)
            .unwrap_or(1);
        self.sentiment[slot] += 1;
        let touchpoints = a.touchpoints.iter().map(|t| &t.id);
        count_once(&self.touchpoint_names, touchpoints, &mut self.touchpoints);
        count_once(
            &self.slot_names,
            a.themes.iter().map(|t| &t.name),
            &mut self.themes,
        );
    }

    /// The touchpoint and theme counts by name without the zeros, and the sentiment counts
    /// (positive, neutral, mixed, negative, not themed).
    pub(crate) fn named(mut self) -> (NamedCounts, NamedCounts, [u64; 5]) {
        self.count();
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
        (touchpoints, themes, self.sentiment)
    }
}
