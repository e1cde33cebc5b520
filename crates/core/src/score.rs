//! The Friends and Family Test answer scale and "% positive".

use std::fmt;

use serde::{Deserialize, Serialize};

/// An answer to "Overall, how was your experience of our service?" on the national FFT scale.
///
/// Exports code the answers 1–6; any other code, or a blank, is [`FftScore::NotGiven`]: kept and counted,
/// never dropped, and left out of "% positive".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FftScore {
    /// 1: very good.
    VeryGood,
    /// 2: good.
    Good,
    /// 3: neither good nor poor.
    Neither,
    /// 4: poor.
    Poor,
    /// 5: very poor.
    VeryPoor,
    /// 6: don't know.
    DontKnow,
    /// No answer, or a code outside the national scale.
    NotGiven,
}

impl FftScore {
    /// Every value, in scale order, `NotGiven` last.
    pub const ALL: [FftScore; 7] = [
        FftScore::VeryGood,
        FftScore::Good,
        FftScore::Neither,
        FftScore::Poor,
        FftScore::VeryPoor,
        FftScore::DontKnow,
        FftScore::NotGiven,
    ];

    /// The answer for a national code 1–6; any other code is `NotGiven`.
    pub fn from_code(code: i64) -> FftScore {
        match code {
            1 => FftScore::VeryGood,
            2 => FftScore::Good,
            3 => FftScore::Neither,
            4 => FftScore::Poor,
            5 => FftScore::VeryPoor,
            6 => FftScore::DontKnow,
            _ => FftScore::NotGiven,
        }
    }

    /// The national code 1–6, or `None` for `NotGiven`.
    pub fn code(self) -> Option<u8> {
        match self {
            FftScore::VeryGood => Some(1),
            FftScore::Good => Some(2),
            FftScore::Neither => Some(3),
            FftScore::Poor => Some(4),
            FftScore::VeryPoor => Some(5),
            FftScore::DontKnow => Some(6),
            FftScore::NotGiven => None,
        }
    }

    /// The wording on the national scale ("Very good" … "Don't know"), or "Not given".
    pub fn label(self) -> &'static str {
        match self {
            FftScore::VeryGood => "Very good",
            FftScore::Good => "Good",
            FftScore::Neither => "Neither good nor poor",
            FftScore::Poor => "Poor",
            FftScore::VeryPoor => "Very poor",
            FftScore::DontKnow => "Don't know",
            FftScore::NotGiven => "Not given",
        }
    }

    /// A short machine-friendly name (`very_good` … `not_given`), as used in JSON and filters.
    pub fn slug(self) -> &'static str {
        match self {
            FftScore::VeryGood => "very_good",
            FftScore::Good => "good",
            FftScore::Neither => "neither",
            FftScore::Poor => "poor",
            FftScore::VeryPoor => "very_poor",
            FftScore::DontKnow => "dont_know",
            FftScore::NotGiven => "not_given",
        }
    }

    /// Reads a code or the wording of an answer as exports write it: "1", "1.0", "Very good",
    /// "very good", "Neither good nor poor", "Don't know", "Dont know". Anything else is `NotGiven`.
    pub fn parse(text: &str) -> FftScore {
        let text = text.trim();
        if text.is_empty() {
            return FftScore::NotGiven;
        }
        if let Ok(code) = text.parse::<i64>() {
            return FftScore::from_code(code);
        }
        if let Ok(value) = text.parse::<f64>() {
            if value.fract() == 0.0 && value.abs() < 1e6 {
                return FftScore::from_code(value as i64);
            }
            return FftScore::NotGiven;
        }
        let folded: String = text
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        match folded.as_str() {
            "very good" | "extremely likely" => FftScore::VeryGood,
            "good" | "likely" => FftScore::Good,
            "neither good nor poor"
            | "neither good or poor"
            | "neither"
            | "neutral"
            | "neither likely nor unlikely" => FftScore::Neither,
            "poor" | "unlikely" => FftScore::Poor,
            "very poor" | "extremely unlikely" => FftScore::VeryPoor,
            "dont know" | "don t know" | "do not know" => FftScore::DontKnow,
            _ => FftScore::NotGiven,
        }
    }

    /// Very good or good.
    pub fn is_positive(self) -> bool {
        matches!(self, FftScore::VeryGood | FftScore::Good)
    }

    /// Poor or very poor.
    pub fn is_negative(self) -> bool {
        matches!(self, FftScore::Poor | FftScore::VeryPoor)
    }

    /// A valid answer on the national scale (1–6, including "don't know"): the denominator of "% positive"
    /// as NHS England publishes it.
    pub fn is_valid_answer(self) -> bool {
        self != FftScore::NotGiven
    }

    /// The answer as a number where 1 is best and 5 worst, for means; `None` for "don't know" and not
    /// given, which have no place on that line.
    pub fn rating(self) -> Option<f64> {
        match self {
            FftScore::DontKnow | FftScore::NotGiven => None,
            other => other.code().map(f64::from),
        }
    }
}

impl fmt::Display for FftScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Counts of FFT answers, from which "% positive" and "% negative" follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreTally {
    /// Count per answer, indexed in [`FftScore::ALL`] order.
    pub counts: [u64; 7],
}

impl ScoreTally {
    /// Counts one answer.
    pub fn add(&mut self, score: FftScore) {
        self.counts[score as usize] += 1;
    }

    /// The count for one answer.
    pub fn count(&self, score: FftScore) -> u64 {
        self.counts[score as usize]
    }

    /// Valid answers (1–6).
    pub fn valid(&self) -> u64 {
        self.counts[..6].iter().sum()
    }

    /// Every answer, including not given.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Very good + good over all valid answers, as a percentage; `None` with no valid answers.
    pub fn percent_positive(&self) -> Option<f64> {
        let valid = self.valid();
        (valid > 0).then(|| {
            100.0 * (self.count(FftScore::VeryGood) + self.count(FftScore::Good)) as f64
                / valid as f64
        })
    }

    /// Poor + very poor over all valid answers, as a percentage; `None` with no valid answers.
    pub fn percent_negative(&self) -> Option<f64> {
        let valid = self.valid();
        (valid > 0).then(|| {
            100.0 * (self.count(FftScore::Poor) + self.count(FftScore::VeryPoor)) as f64
                / valid as f64
        })
    }

    /// Mean rating (1 best … 5 worst) over answers 1–5; `None` without any.
    pub fn mean_rating(&self) -> Option<f64> {
        let n: u64 = self.counts[..5].iter().sum();
        (n > 0).then(|| {
            self.counts[..5]
                .iter()
                .enumerate()
                .map(|(i, c)| (i as f64 + 1.0) * *c as f64)
                .sum::<f64>()
                / n as f64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_words_map_to_the_national_scale() {
        let cases = [
            ("1", FftScore::VeryGood),
            ("1.0", FftScore::VeryGood),
            (" 2 ", FftScore::Good),
            ("Very good", FftScore::VeryGood),
            ("VERY GOOD", FftScore::VeryGood),
            ("Neither good nor poor", FftScore::Neither),
            ("Poor", FftScore::Poor),
            ("Very poor", FftScore::VeryPoor),
            ("Don't know", FftScore::DontKnow),
            ("Don’t know", FftScore::DontKnow),
            ("6", FftScore::DontKnow),
            ("7", FftScore::NotGiven),
            ("0", FftScore::NotGiven),
            ("", FftScore::NotGiven),
            ("excellent", FftScore::NotGiven),
        ];
        for (text, expected) in cases {
            assert_eq!(FftScore::parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn percent_positive_counts_dont_know_as_valid_but_not_unknown_codes() {
        let mut tally = ScoreTally::default();
        for score in [
            FftScore::VeryGood,
            FftScore::Good,
            FftScore::Poor,
            FftScore::DontKnow,
            FftScore::NotGiven,
            FftScore::NotGiven,
        ] {
            tally.add(score);
        }
        assert_eq!(tally.valid(), 4);
        assert_eq!(tally.total(), 6);
        assert_eq!(tally.percent_positive(), Some(50.0));
        assert_eq!(tally.percent_negative(), Some(25.0));
        assert_eq!(ScoreTally::default().percent_positive(), None);
    }
}
