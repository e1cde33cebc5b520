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

/// A respondent's one FFT answer, and the rule for which of their records gives it.
///
/// An export repeats a respondent's FFT answer on each of their rows (one row per question), so
/// "% positive, one answer per respondent" needs one rule for which row speaks for the respondent. This
/// is it; `chorus stats` (the store's counts) and every report use it, so they cannot disagree:
///
/// - the respondent's answer is their **first valid answer** (1–6, "don't know" included) in ingest
///   order: a blank or unreadable score on an earlier row (a second question with its score column
///   left empty) does not hide a valid one on a later row;
/// - a respondent with no valid answer on any row counts as a respondent, "not given", outside the
///   denominator;
/// - the same answer on two questions counts once;
/// - rows that disagree (Good on one, Poor on another: a respondent id reused across visits, or a slip
///   in the export) still count once, with the first valid answer, and the respondent is marked
///   [`conflicting`](Self::conflicting) so that the disagreement can be reported.
///
/// [`merge`](Self::merge) gives the same result whatever order the records arrive in, so parallel
/// passes can each keep a map from respondent to answer and merge them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RespondentAnswer<T> {
    /// The place in ingest order of the record that gives the answer (lower is earlier).
    pub order: u64,
    /// The answer.
    pub score: FftScore,
    /// What the caller keeps of the record that gives the answer (a report keeps its date, to place
    /// the respondent in a period and a month).
    pub record: T,
    /// Whether two of the respondent's rows gave different valid answers.
    pub conflicting: bool,
}

impl<T> RespondentAnswer<T> {
    /// The answer of one record, the respondent's only one so far.
    pub fn new(order: u64, score: FftScore, record: T) -> Self {
        RespondentAnswer {
            order,
            score,
            record,
            conflicting: false,
        }
    }

    /// Takes in another record (or the merged records) of the same respondent.
    pub fn merge(&mut self, other: RespondentAnswer<T>) {
        // Each side's answer stands for all its valid rows unless that side already conflicts, so
        // comparing the two answers finds any disagreement between the sides.
        let conflicting = self.conflicting
            || other.conflicting
            || (self.score.is_valid_answer()
                && other.score.is_valid_answer()
                && self.score != other.score);
        if other.precedence() < self.precedence() {
            *self = other;
        }
        self.conflicting = conflicting;
    }

    /// Lower speaks first: a valid answer before none, then the earlier record.
    fn precedence(&self) -> (bool, u64) {
        (!self.score.is_valid_answer(), self.order)
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

    /// The rows of one respondent, as (ingest order, score); the answer that speaks for them, and
    /// whether they conflict, in every order the rows could be merged.
    fn answer_of(rows: &[(u64, FftScore)]) -> (FftScore, bool) {
        let mut seen = None;
        for perm in permutations(rows) {
            let mut answer = RespondentAnswer::new(perm[0].0, perm[0].1, ());
            for &(order, score) in &perm[1..] {
                answer.merge(RespondentAnswer::new(order, score, ()));
            }
            let result = (answer.score, answer.conflicting);
            assert!(seen.is_none_or(|s| s == result), "{rows:?}: order matters");
            seen = Some(result);
        }
        seen.expect("at least one row")
    }

    fn permutations(rows: &[(u64, FftScore)]) -> Vec<Vec<(u64, FftScore)>> {
        if rows.len() <= 1 {
            return vec![rows.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..rows.len() {
            let mut rest = rows.to_vec();
            let first = rest.remove(i);
            for mut tail in permutations(&rest) {
                tail.insert(0, first);
                out.push(tail);
            }
        }
        out
    }

    #[test]
    fn one_answer_per_respondent_is_the_first_valid_one() {
        use FftScore::*;
        // A blank score on the first question does not hide the answer on the second.
        assert_eq!(
            answer_of(&[(0, NotGiven), (1, VeryGood)]),
            (VeryGood, false)
        );
        // The same answer on two questions counts once, and does not conflict.
        assert_eq!(answer_of(&[(0, Good), (1, Good)]), (Good, false));
        // Rows that disagree: the first valid answer, marked as conflicting.
        assert_eq!(answer_of(&[(3, Poor), (5, Good), (7, Poor)]), (Poor, true));
        assert_eq!(
            answer_of(&[(4, NotGiven), (5, Good), (9, VeryPoor)]),
            (Good, true)
        );
        // "Don't know" is a valid answer (it is in the denominator).
        assert_eq!(
            answer_of(&[(0, NotGiven), (1, DontKnow)]),
            (DontKnow, false)
        );
        // No valid answer anywhere: not given.
        assert_eq!(
            answer_of(&[(2, NotGiven), (1, NotGiven)]),
            (NotGiven, false)
        );

        // Two respondents: A's first row has no score, B said Poor. 50 %, not 0 %.
        let mut tally = ScoreTally::default();
        for rows in [&[(0, NotGiven), (1, VeryGood)][..], &[(2, Poor)][..]] {
            tally.add(answer_of(rows).0);
        }
        assert_eq!(tally.percent_positive(), Some(50.0));
    }
}
