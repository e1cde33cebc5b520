//! A comment's labels as the codes a project gives it: what the export writes and what `import-codings`
//! compares, so the two agree on what "unchanged" means.
//!
//! Two views of a comment's annotations:
//! - the **machine** view, as the Chorus user codes it: the comment-level labels, the labels of its
//!   clauses, and its overall sentiment (the clauses' own sentiments are detail, not labels);
//! - the **reviewed** view, as the reviewer user codes a corrected comment: the comment-level labels
//!   after `Corrections::apply`, and the overall sentiment.

use std::collections::{BTreeMap, BTreeSet};

use chorus_core::{Annotations, SentimentLabel, ThemeSource};

use crate::codes::Kind;

/// A label: which family, and its name (touchpoint id, theme name, sentiment).
pub(crate) type Label = (Kind, String);

/// Names compare trimmed and without case, as corrections do.
pub(crate) fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The kind of code a theme from `source` is.
pub(crate) fn theme_kind(source: ThemeSource) -> Kind {
    match source {
        ThemeSource::Codebook => Kind::Theme,
        ThemeSource::Model => Kind::Framework,
        ThemeSource::Discovered => Kind::Discovered,
    }
}

/// The theme source of a kind of code, if it is a theme.
pub(crate) fn theme_source(kind: Kind) -> Option<ThemeSource> {
    match kind {
        Kind::Theme => Some(ThemeSource::Codebook),
        Kind::Framework => Some(ThemeSource::Model),
        Kind::Discovered => Some(ThemeSource::Discovered),
        _ => None,
    }
}

/// A comment's labels other than sentiment, by kind and folded name (the value is the name as written),
/// and its sentiment labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Labels {
    /// Touchpoints and themes.
    pub names: BTreeMap<(Kind, String), String>,
    /// Sentiment labels coded.
    pub sentiment: BTreeSet<SentimentLabel>,
}

impl Labels {
    /// Adds a label.
    pub fn add(&mut self, kind: Kind, name: &str) {
        if kind == Kind::Sentiment {
            if let Some(label) = SentimentLabel::ALL
                .into_iter()
                .find(|l| l.as_str() == fold(name))
            {
                self.sentiment.insert(label);
            }
        } else {
            self.names
                .entry((kind, fold(name)))
                .or_insert_with(|| name.trim().to_owned());
        }
    }

    /// Every label, sentiment included, with its name as written.
    pub fn all(&self) -> Vec<Label> {
        let mut out: Vec<Label> = self
            .names
            .iter()
            .map(|((kind, _), name)| (*kind, name.clone()))
            .collect();
        out.extend(
            self.sentiment
                .iter()
                .map(|s| (Kind::Sentiment, s.as_str().to_owned())),
        );
        out
    }
}

/// The machine view of annotations (see the module's documentation).
pub(crate) fn machine(a: &Annotations, text: &str) -> Labels {
    let mut out = reviewed(a);
    for clause in &a.clauses {
        if clause.start >= clause.end || clause.end as usize > text.len() {
            continue;
        }
        for t in &clause.touchpoints {
            out.add(Kind::Touchpoint, t);
        }
        for t in &clause.themes {
            out.add(Kind::Theme, t);
        }
    }
    out
}

/// The reviewed view of (corrected) annotations (see the module's documentation).
pub(crate) fn reviewed(a: &Annotations) -> Labels {
    let mut out = Labels::default();
    for t in &a.touchpoints {
        out.add(Kind::Touchpoint, &t.id);
    }
    for t in &a.themes {
        out.add(theme_kind(t.source), &t.name);
    }
    out.sentiment.insert(a.sentiment.label);
    out
}

/// One sentiment for a set a person coded: the label itself, mixed when positive and negative (or
/// mixed) are there, and a polar label over neutral.
pub(crate) fn overall(labels: &BTreeSet<SentimentLabel>) -> Option<SentimentLabel> {
    use SentimentLabel::*;
    let has = |l| labels.contains(&l);
    if labels.is_empty() {
        None
    } else if has(Mixed) || (has(Positive) && has(Negative)) {
        Some(Mixed)
    } else if has(Positive) {
        Some(Positive)
    } else if has(Negative) {
        Some(Negative)
    } else {
        Some(Neutral)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SentimentLabel::*;

    #[test]
    fn a_set_of_sentiments_reads_as_one() {
        let set = |l: &[SentimentLabel]| l.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(overall(&set(&[])), None);
        assert_eq!(overall(&set(&[Neutral])), Some(Neutral));
        assert_eq!(overall(&set(&[Positive, Neutral])), Some(Positive));
        assert_eq!(overall(&set(&[Negative, Neutral])), Some(Negative));
        assert_eq!(overall(&set(&[Positive, Negative])), Some(Mixed));
        assert_eq!(overall(&set(&[Mixed, Positive])), Some(Mixed));
    }

    #[test]
    fn labels_fold_names_and_keep_them_as_written() {
        let mut labels = Labels::default();
        labels.add(Kind::Theme, " Parking ");
        labels.add(Kind::Theme, "parking");
        labels.add(Kind::Sentiment, "Negative");
        labels.add(Kind::Sentiment, "grumpy");
        assert_eq!(
            labels.all(),
            [
                (Kind::Theme, "Parking".to_owned()),
                (Kind::Sentiment, "negative".to_owned())
            ]
        );
    }
}
