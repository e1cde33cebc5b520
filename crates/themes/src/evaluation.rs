//! Measuring sentiment against human labels: the three-way fold (positive / neutral-or-mixed / negative)
//! that labelled feedback sets share, and a confusion matrix.
//!
//! Labelled sets use different scales: the national v6 framework's "Comment sentiment" runs 1 (very
//! positive) to 5 (very negative) with mixed comments at 3; the earlier framework's `criticality` runs −5
//! to +5. Both fold to [`Polarity`], and so do our four labels (mixed and neutral together).

use std::fmt;

use chorus_core::SentimentLabel;
use serde::Serialize;

/// Three-way sentiment, for comparing with human labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Positive.
    Positive,
    /// Neutral or mixed.
    NeutralOrMixed,
    /// Negative.
    Negative,
}

impl Polarity {
    /// In order, positive first.
    pub const ALL: [Polarity; 3] = [
        Polarity::Positive,
        Polarity::NeutralOrMixed,
        Polarity::Negative,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The v6 framework's "Comment sentiment" code: 1–2 positive, 3 neutral or mixed, 4–5 negative.
    pub fn from_v6(code: i64) -> Option<Polarity> {
        match code {
            1 | 2 => Some(Polarity::Positive),
            3 => Some(Polarity::NeutralOrMixed),
            4 | 5 => Some(Polarity::Negative),
            _ => None,
        }
    }

    /// The earlier framework's `criticality` (−5..+5): −2 or below negative, −1 to +1 neutral or mixed
    /// (mild requests and faint praise), +2 or above positive. 0 is `None`: in the public phase 1 data it
    /// marks rows that were not rated (one trust has 2,563 zeros on plainly positive comments).
    pub fn from_criticality(value: i64) -> Option<Polarity> {
        match value {
            -5..=-2 => Some(Polarity::Negative),
            -1 | 1 => Some(Polarity::NeutralOrMixed),
            2..=5 => Some(Polarity::Positive),
            _ => None,
        }
    }

    /// Short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Positive => "positive",
            Polarity::NeutralOrMixed => "neutral/mixed",
            Polarity::Negative => "negative",
        }
    }
}

impl From<SentimentLabel> for Polarity {
    fn from(label: SentimentLabel) -> Polarity {
        match label {
            SentimentLabel::Positive => Polarity::Positive,
            SentimentLabel::Neutral | SentimentLabel::Mixed => Polarity::NeutralOrMixed,
            SentimentLabel::Negative => Polarity::Negative,
        }
    }
}

/// Counts of (human label, predicted label) pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// `counts[gold][predicted]`, in [`Polarity::ALL`] order.
    pub counts: [[u64; 3]; 3],
}

impl Confusion {
    /// Records one comparison.
    pub fn add(&mut self, gold: Polarity, predicted: Polarity) {
        self.counts[gold.index()][predicted.index()] += 1;
    }

    /// How many comparisons.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Share of predictions that match, 0 when there are none.
    pub fn accuracy(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        let right: u64 = (0..3).map(|i| self.counts[i][i]).sum();
        right as f64 / total as f64
    }
}

impl fmt::Display for Confusion {
    /// A small table: rows are the human labels, columns the predictions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>15} |", "gold \\ predicted")?;
        for p in Polarity::ALL {
            write!(f, " {:>13}", p.as_str())?;
        }
        writeln!(f)?;
        for g in Polarity::ALL {
            write!(f, "{:>16} |", g.as_str())?;
            for p in Polarity::ALL {
                write!(f, " {:>13}", self.counts[g.index()][p.index()])?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "accuracy {:.3} over {} comments",
            self.accuracy(),
            self.total()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_accuracy() {
        assert_eq!(Polarity::from_v6(2), Some(Polarity::Positive));
        assert_eq!(Polarity::from_v6(3), Some(Polarity::NeutralOrMixed));
        assert_eq!(Polarity::from_v6(7), None);
        assert_eq!(Polarity::from_criticality(0), None);
        assert_eq!(
            Polarity::from_criticality(-1),
            Some(Polarity::NeutralOrMixed)
        );
        assert_eq!(Polarity::from_criticality(-3), Some(Polarity::Negative));
        assert_eq!(
            Polarity::from(SentimentLabel::Mixed),
            Polarity::NeutralOrMixed
        );
        let mut c = Confusion::default();
        c.add(Polarity::Positive, Polarity::Positive);
        c.add(Polarity::Negative, Polarity::NeutralOrMixed);
        assert_eq!(c.total(), 2);
        assert!((c.accuracy() - 0.5).abs() < 1e-9);
        assert!(c.to_string().contains("accuracy 0.500 over 2 comments"));
    }
}
