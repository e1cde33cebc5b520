//! XmR (individuals) charts with the Making Data Count special-cause rules, as NHSRplotthedots 0.2.2
//! applies them.
//!
//! Followed from NHSRplotthedots (`R/ptd_spc_standard.R`, `R/ptd_calculate_point_type.R` and
//! `R/ptd_add_short_group_warnings.R`):
//!
//! - Limits: mean ± 2.66 × mean moving range; the "two sigma" lines at mean ± 2 × (2.66 / 3) × mean
//!   moving range. Mean and moving ranges come from the first `baseline` points of each segment when a
//!   baseline is fixed (`fix_after_n_points`), else from all of its points. Moving ranges of 3.267 ×
//!   their mean or more are screened out and the mean moving range recalculated (`screen_outliers =
//!   TRUE`, the package default).
//! - No limits when there is no moving range to average: a segment of one point, or one whose moving
//!   ranges are all zero (the reference screens every range out, `0 < 3.267 × 0` being false, and its
//!   limits are `NaN`). Without limits no point is outside them or close to them; runs and trends are
//!   still tested, as the reference does. (When screening leaves only zero ranges, the reference draws
//!   zero-width limits at the mean, and so does this.)
//! - Trial limits: a segment of fewer than [`MIN_SPC_POINTS`] points still gets its limits and its rules
//!   tested, marked as trial limits to be revised as points are added (the reference warns "trial limits
//!   created by groups of fewer than 12 points").
//! - Each rebase (`--annotate`) starts a new segment: its own mean, limits and rules; no run, trend or
//!   moving range crosses a segment boundary. Unlike the reference, a rebase takes effect only once its
//!   segment has [`MIN_SPC_POINTS`] points: until then the limits of the whole series stand, so a change
//!   that worked shows as a signal against them rather than vanishing into a few points of trial limits.
//! - Outside the limits: strictly above the upper or below the lower process limit.
//! - Shift: 7 consecutive points on the same side of the mean (`sign(y − mean)` equal and non-zero for
//!   the point and the 6 before it); a point on the mean breaks the run. All 7 are flagged.
//! - Trend: 7 consecutive points each strictly higher (or lower) than the one before, i.e. 6 increases;
//!   an equal neighbour breaks it. All 7 are flagged, and a point is classed by the direction of the
//!   trend it belongs to (the right-hand one where two trends meet).
//! - Two in three: in some window of 3 consecutive points, all on the same side of the mean, at least 2
//!   lie beyond the two-sigma line but inside the process limits; only those close-to-limit points are
//!   flagged (points outside the limits are flagged by the first rule).
//! - Precedence when several apply: outside limits, then trend, then two in three, then shift.
//! - A special-cause point is an improvement or a concern by its side (or trend direction) and the
//!   measure's improvement direction; for a neutral measure it is "neither" high or low.
//! - The chart's variation, as the Making Data Count icon says it, is the class of its last point.
//!
//! Arithmetic: the reference computes in R, whose `mean` sums in extended precision and corrects the
//! result with a second pass, so the mean of twelve equal values is that value. Here the mean is a
//! compensated sum with the same correction, and every comparison (side of the mean, beyond a limit, a
//! step up or down) treats values within [`TOLERANCE`] of each other as equal, so rounding in the last
//! bits never turns a point on the mean into a point above it.

use std::cmp::Ordering;

use serde::Serialize;

use crate::options::MIN_SPC_POINTS;

/// Process limit constant: 3 / d2 with d2 = 1.128 for moving ranges of two.
pub const LIMIT: f64 = 2.66;
/// Moving ranges at or above this multiple of their mean are screened out before the limits are set.
pub const MR_SCREEN: f64 = 3.267;
/// Two values closer than this, relative to the larger of them (or absolutely, below 1), are equal:
/// far above the rounding of a mean of thousands of percentages (about 1e-14), far below any difference
/// a monthly share can show (two shares k/n differ by at least 1 / n²).
pub const TOLERANCE: f64 = 1e-9;

/// Whether a higher value of the measure is better, worse, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImprovementDirection {
    /// Higher is better (% positive, % praising a team).
    Increase,
    /// Lower is better (% complaining about waiting).
    Decrease,
    /// Neither direction is an improvement.
    Neutral,
}

impl ImprovementDirection {
    /// "higher is better", "lower is better" or "no better direction".
    pub fn phrase(self) -> &'static str {
        match self {
            ImprovementDirection::Increase => "higher is better",
            ImprovementDirection::Decrease => "lower is better",
            ImprovementDirection::Neutral => "no better direction",
        }
    }

    fn sign(self) -> i8 {
        match self {
            ImprovementDirection::Increase => 1,
            ImprovementDirection::Decrease => -1,
            ImprovementDirection::Neutral => 0,
        }
    }
}

/// The rule a special-cause point broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCause {
    /// Above the upper process limit.
    AboveUpperLimit,
    /// Below the lower process limit.
    BelowLowerLimit,
    /// Part of 7 points each higher than the last.
    TrendIncreasing,
    /// Part of 7 points each lower than the last.
    TrendDecreasing,
    /// Two of three points beyond the upper two-sigma line.
    TwoInThreeAbove,
    /// Two of three points beyond the lower two-sigma line.
    TwoInThreeBelow,
    /// Part of a run of 7 above the mean.
    ShiftAbove,
    /// Part of a run of 7 below the mean.
    ShiftBelow,
}

impl SpecialCause {
    /// Plain words for the rule.
    pub fn describe(self) -> &'static str {
        match self {
            SpecialCause::AboveUpperLimit => "above the upper process limit",
            SpecialCause::BelowLowerLimit => "below the lower process limit",
            SpecialCause::TrendIncreasing => "part of 7 points rising in a row",
            SpecialCause::TrendDecreasing => "part of 7 points falling in a row",
            SpecialCause::TwoInThreeAbove => "two of three points near the upper limit",
            SpecialCause::TwoInThreeBelow => "two of three points near the lower limit",
            SpecialCause::ShiftAbove => "part of a run of 7 above the mean",
            SpecialCause::ShiftBelow => "part of a run of 7 below the mean",
        }
    }

    /// +1 for high (above, increasing), −1 for low.
    fn side(self) -> i8 {
        match self {
            SpecialCause::AboveUpperLimit
            | SpecialCause::TrendIncreasing
            | SpecialCause::TwoInThreeAbove
            | SpecialCause::ShiftAbove => 1,
            _ => -1,
        }
    }
}

/// How a point reads on a Making Data Count chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointClass {
    /// No rule broken.
    CommonCause,
    /// Special cause in the better direction.
    Improvement,
    /// Special cause in the worse direction.
    Concern,
    /// Special cause, high, on a measure with no better direction.
    NeutralHigh,
    /// Special cause, low, on a measure with no better direction.
    NeutralLow,
}

/// One point of an XmR chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct XmrPoint {
    /// The value.
    pub value: f64,
    /// The segment (0 before the first rebase).
    pub segment: usize,
    /// The rule broken, if any (the first by precedence).
    pub cause: Option<SpecialCause>,
    /// Improvement, concern, neutral or common cause.
    pub class: PointClass,
}

/// Process limits of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Limits {
    /// Mean moving range after screening.
    pub mean_moving_range: f64,
    /// Lower process limit.
    pub lower: f64,
    /// Upper process limit.
    pub upper: f64,
    /// Lower two-sigma line.
    pub lower_two_sigma: f64,
    /// Upper two-sigma line.
    pub upper_two_sigma: f64,
}

/// A run of points sharing one mean and one set of limits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct XmrSegment {
    /// Index of the first point.
    pub start: usize,
    /// Number of points.
    pub len: usize,
    /// The centre line: the mean of the points the segment rests on.
    pub mean: f64,
    /// How many points the mean and limits rest on (the first `baseline` points, else all).
    pub based_on: usize,
    /// Trial limits: they rest on fewer than [`MIN_SPC_POINTS`] points and will change as points are
    /// added.
    pub trial: bool,
    /// `None` when there is no moving range to set limits by: a single point, or every moving range
    /// zero (then no point is outside or near the limits; runs and trends are still tested).
    pub limits: Option<Limits>,
}

/// The computed chart: points with their classes and the segments' limits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Xmr {
    /// The points, in time order.
    pub points: Vec<XmrPoint>,
    /// The segments, in order; together they cover every point (none without points).
    pub segments: Vec<XmrSegment>,
    /// Rebases asked for that have not taken effect yet, as point indices: each waits until
    /// [`MIN_SPC_POINTS`] points follow it.
    pub pending_rebases: Vec<usize>,
}

/// Computes an XmR chart. `rebase_at` lists point indices that start a new segment (ignored at 0 or past
/// the end; waiting, in [`Xmr::pending_rebases`], while fewer than [`MIN_SPC_POINTS`] points would be
/// in the new segment); `baseline` fixes each segment's limits on its first N points.
pub fn xmr(
    values: &[f64],
    rebase_at: &[usize],
    baseline: Option<usize>,
    direction: ImprovementDirection,
) -> Xmr {
    if values.is_empty() {
        return Xmr {
            points: Vec::new(),
            segments: Vec::new(),
            pending_rebases: Vec::new(),
        };
    }
    let (starts, pending_rebases) = segment_starts(values.len(), rebase_at);
    let mut points = Vec::with_capacity(values.len());
    let mut segments = Vec::with_capacity(starts.len());
    for (segment, &start) in starts.iter().enumerate() {
        let end = starts.get(segment + 1).copied().unwrap_or(values.len());
        let y = &values[start..end];
        let fixed = &y[..baseline.unwrap_or(usize::MAX).min(y.len())];
        let centre = mean(fixed);
        let limits = limits(fixed, centre);
        for (value, cause) in y.iter().zip(special_causes(y, centre, limits.as_ref())) {
            points.push(XmrPoint {
                value: *value,
                segment,
                cause,
                class: cause.map_or(PointClass::CommonCause, |c| classify(c, direction)),
            });
        }
        segments.push(XmrSegment {
            start,
            len: y.len(),
            mean: centre,
            based_on: fixed.len(),
            trial: fixed.len() < MIN_SPC_POINTS,
            limits,
        });
    }
    Xmr {
        points,
        segments,
        pending_rebases,
    }
}

/// The first point of each segment (0 first), and the rebases left waiting: working back from the
/// end, a rebase takes effect when at least [`MIN_SPC_POINTS`] points lie between it and the next one
/// that did (or the end).
fn segment_starts(len: usize, rebase_at: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut asked: Vec<usize> = rebase_at
        .iter()
        .copied()
        .filter(|&i| i > 0 && i < len)
        .collect();
    asked.sort_unstable();
    asked.dedup();
    let mut starts = vec![];
    let mut pending = vec![];
    let mut end = len;
    for &at in asked.iter().rev() {
        if end - at >= MIN_SPC_POINTS {
            starts.push(at);
            end = at;
        } else {
            pending.push(at);
        }
    }
    starts.push(0);
    starts.reverse();
    pending.reverse();
    (starts, pending)
}

fn classify(cause: SpecialCause, direction: ImprovementDirection) -> PointClass {
    let side = cause.side();
    match direction.sign() {
        0 if side > 0 => PointClass::NeutralHigh,
        0 => PointClass::NeutralLow,
        d if d == side => PointClass::Improvement,
        _ => PointClass::Concern,
    }
}

/// Compares two values, treating those within [`TOLERANCE`] of each other as equal.
pub fn compare(a: f64, b: f64) -> Ordering {
    let scale = a.abs().max(b.abs()).max(1.0);
    if (a - b).abs() <= TOLERANCE * scale {
        Ordering::Equal
    } else if a < b {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// +1, 0 or −1 as `a` is above, equal to (within [`TOLERANCE`]) or below `b`.
fn side(a: f64, b: f64) -> i8 {
    match compare(a, b) {
        Ordering::Greater => 1,
        Ordering::Equal => 0,
        Ordering::Less => -1,
    }
}

/// The mean as R computes it: a compensated (Neumaier) sum divided by the count, then corrected by the
/// mean of the residuals, so that the mean of equal values is that value. 0 for no values.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let first = compensated_sum(values.iter().copied()) / n;
    first + compensated_sum(values.iter().map(|v| v - first)) / n
}

fn compensated_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        compensation += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

/// Screened mean moving range and limits about `centre`, or `None` without a non-zero moving range.
fn limits(y: &[f64], centre: f64) -> Option<Limits> {
    let ranges: Vec<f64> = y.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    if y.windows(2).all(|w| side(w[1], w[0]) == 0) {
        return None;
    }
    let raw = mean(&ranges);
    let kept: Vec<f64> = ranges
        .iter()
        .copied()
        .filter(|&r| r < MR_SCREEN * raw)
        .collect();
    // The smallest range is below 3.267 × the mean of them all, so something is always kept.
    let amr = mean(&kept);
    let close = 2.0 * (LIMIT / 3.0);
    Some(Limits {
        mean_moving_range: amr,
        lower: centre - LIMIT * amr,
        upper: centre + LIMIT * amr,
        lower_two_sigma: centre - close * amr,
        upper_two_sigma: centre + close * amr,
    })
}

fn special_causes(y: &[f64], centre: f64, l: Option<&Limits>) -> Vec<Option<SpecialCause>> {
    let n = y.len();
    let sides: Vec<i8> = y.iter().map(|&v| side(v, centre)).collect();
    let outside: Vec<bool> = y
        .iter()
        .map(|&v| l.is_some_and(|l| side(v, l.upper) > 0 || side(v, l.lower) < 0))
        .collect();
    let close: Vec<bool> = y
        .iter()
        .zip(&outside)
        .map(|(&v, &out)| {
            !out && l
                .is_some_and(|l| side(v, l.upper_two_sigma) > 0 || side(v, l.lower_two_sigma) < 0)
        })
        .collect();

    // Shift: runs of 7 on one side; mark all 7 points ending at each qualifying point.
    let mut shift = vec![false; n];
    for end in 6..n {
        let s = sides[end];
        if s != 0 && sides[end - 6..end].iter().all(|&x| x == s) {
            shift[end - 6..=end].iter_mut().for_each(|f| *f = true);
        }
    }

    // Trend: 7 points with 6 strict steps in one direction.
    let step: Vec<i8> = y.windows(2).map(|w| side(w[1], w[0])).collect();
    let mut trend = vec![false; n];
    for end in 6..n {
        let s = step[end - 1];
        if s != 0 && step[end - 6..end].iter().all(|&x| x == s) {
            trend[end - 6..=end].iter_mut().for_each(|f| *f = true);
        }
    }

    // Two in three: windows of 3 all on one side with at least two close to the limits.
    let mut two_in_three = vec![false; n];
    for start in 0..n.saturating_sub(2) {
        let window = start..start + 3;
        let on_one_side: i8 = sides[window.clone()].iter().sum();
        let near = close[window.clone()].iter().filter(|&&c| c).count();
        if on_one_side.abs() == 3 && near >= 2 {
            for i in window {
                if close[i] {
                    two_in_three[i] = true;
                }
            }
        }
    }

    (0..n)
        .map(|i| {
            let high = sides[i] > 0;
            if outside[i] {
                Some(if high {
                    SpecialCause::AboveUpperLimit
                } else {
                    SpecialCause::BelowLowerLimit
                })
            } else if trend[i] {
                // The trend's direction: to the right when the next point shares the trend, else from
                // the left (NHSRplotthedots' `sdy`).
                let dir = if i + 1 < n && trend[i + 1] {
                    step[i]
                } else if i > 0 {
                    step[i - 1]
                } else {
                    0
                };
                Some(if dir > 0 {
                    SpecialCause::TrendIncreasing
                } else {
                    SpecialCause::TrendDecreasing
                })
            } else if two_in_three[i] {
                Some(if high {
                    SpecialCause::TwoInThreeAbove
                } else {
                    SpecialCause::TwoInThreeBelow
                })
            } else if shift[i] {
                Some(if high {
                    SpecialCause::ShiftAbove
                } else {
                    SpecialCause::ShiftBelow
                })
            } else {
                None
            }
        })
        .collect()
}

/// What the Making Data Count variation icon would say of a chart, from its last point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    /// The last point breaks no rule.
    CommonCause,
    /// The last point is a special cause in the better direction.
    Improvement,
    /// The last point is a special cause in the worse direction.
    Concern,
    /// Special cause, high, with no better direction.
    NeutralHigh,
    /// Special cause, low, with no better direction.
    NeutralLow,
    /// No points to chart.
    NotEnoughData,
}

impl Xmr {
    /// The chart's variation: the class of its last point.
    pub fn variation(&self) -> Variation {
        match self.points.last().map(|p| p.class) {
            Some(PointClass::CommonCause) => Variation::CommonCause,
            Some(PointClass::Improvement) => Variation::Improvement,
            Some(PointClass::Concern) => Variation::Concern,
            Some(PointClass::NeutralHigh) => Variation::NeutralHigh,
            Some(PointClass::NeutralLow) => Variation::NeutralLow,
            None => Variation::NotEnoughData,
        }
    }
}

impl Variation {
    /// The words of the icon, e.g. "Special cause variation – improvement (higher is better)".
    pub fn describe(self, direction: ImprovementDirection) -> String {
        let phrase = direction.phrase();
        match self {
            Variation::CommonCause => "Common cause variation".into(),
            Variation::Improvement => format!("Special cause variation – improvement ({phrase})"),
            Variation::Concern => format!("Special cause variation – concern ({phrase})"),
            Variation::NeutralHigh => {
                "Special cause variation – higher, neither improvement nor concern".into()
            }
            Variation::NeutralLow => {
                "Special cause variation – lower, neither improvement nor concern".into()
            }
            Variation::NotEnoughData => "No monthly points to chart".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PointClass::*;
    use SpecialCause::*;

    fn close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    /// The chart's causes, one letter per point: `.` none, `U`/`L` outside upper/lower, `I`/`D` trend,
    /// `a`/`b` two in three above/below, `A`/`B` shift above/below.
    fn letters(chart: &Xmr) -> String {
        chart
            .points
            .iter()
            .map(|p| match p.cause {
                None => '.',
                Some(AboveUpperLimit) => 'U',
                Some(BelowLowerLimit) => 'L',
                Some(TrendIncreasing) => 'I',
                Some(TrendDecreasing) => 'D',
                Some(TwoInThreeAbove) => 'a',
                Some(TwoInThreeBelow) => 'b',
                Some(ShiftAbove) => 'A',
                Some(ShiftBelow) => 'B',
            })
            .collect()
    }

    /// Charts `series` (higher is better) and checks every point's cause against `expected_signals`,
    /// written as [`letters`] does.
    fn check(series: &[f64], expected_signals: &str) -> Xmr {
        check_with(series, &[], None, expected_signals)
    }

    /// [`check`] with rebases and a fixed baseline.
    fn check_with(
        series: &[f64],
        rebase: &[usize],
        baseline: Option<usize>,
        expected_signals: &str,
    ) -> Xmr {
        let chart = xmr(series, rebase, baseline, ImprovementDirection::Increase);
        assert_eq!(letters(&chart), expected_signals, "series {series:?}");
        chart
    }

    fn repeat(value: f64, n: usize) -> Vec<f64> {
        vec![value; n]
    }

    /// A share of a month's comments, as the report computes it.
    fn share(k: u64, n: u64) -> f64 {
        100.0 * k as f64 / n as f64
    }

    /// `set.seed(123); rnorm(20)` in R, the data of NHSRplotthedots' own tests
    /// (`tests/testthat/test-ptd_spc_standard.R`), to 8 decimals.
    const RNORM_123: [f64; 20] = [
        -0.56047565,
        -0.23017749,
        1.55870831,
        0.07050839,
        0.12928774,
        1.71506499,
        0.46091621,
        -1.26506123,
        -0.68685285,
        -0.44566197,
        1.22408180,
        0.35981383,
        0.40077145,
        0.11068272,
        -0.55584113,
        1.78691314,
        0.49785048,
        -1.96661716,
        0.70135590,
        -0.47279141,
    ];

    #[test]
    fn limits_match_the_reference_snapshots() {
        // `_snaps/ptd_spc_standard.md`, r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627.
        let chart = check(&RNORM_123, &".".repeat(20));
        let s = &chart.segments[0];
        let l = s.limits.unwrap();
        assert!((s.mean - 0.1416238).abs() < 1e-6);
        assert!((l.lower - -3.01138).abs() < 1e-5);
        assert!((l.upper - 3.294627).abs() < 1e-5);
        // r2: y[15] (R counts from 1) set to 10: its moving ranges are screened out; mean_col
        // 0.6694159, lpl -2.383666, upl 3.722497, and the 10 is above the upper limit.
        let mut outlier = RNORM_123;
        outlier[14] = 10.0;
        let chart = check(&outlier, "..............U.....");
        let (s, l) = (&chart.segments[0], chart.segments[0].limits.unwrap());
        assert!((s.mean - 0.6694159).abs() < 1e-6);
        assert!((l.lower - -2.383666).abs() < 1e-5);
        assert!((l.upper - 3.722497).abs() < 1e-5);
        // `_snaps/ptd_spc.md`, facets of 10 points: trial limits (fewer than 12 points), still drawn
        // and tested: 0.0746 (-2.60, 2.75) and 0.209 (-3.28, 3.70), all common cause.
        for (part, mean, lower, upper) in [
            (&RNORM_123[..10], 0.0746, -2.60, 2.75),
            (&RNORM_123[10..], 0.209, -3.28, 3.70),
        ] {
            let chart = check(part, &".".repeat(10));
            let s = &chart.segments[0];
            let l = s.limits.unwrap();
            assert!(s.trial && s.based_on == 10);
            assert!((s.mean - mean).abs() < 5e-4 && (l.lower - lower).abs() < 5e-3);
            assert!((l.upper - upper).abs() < 5e-3);
        }
    }

    #[test]
    fn limits_and_an_outlier_by_hand() {
        // 10, 12 alternating (12 values), then 30, then 10, 12 alternating again: 25 points.
        // mean = (132 + 30 + 132) / 25 = 294 / 25 = 11.76.
        // Moving ranges: 11 of 2, |30 − 12| = 18, |10 − 30| = 20, 11 of 2: raw mean = 82 / 24 = 3.4167;
        // 18 and 20 are ≥ 3.267 × 3.4167 = 11.16, so they are screened: mean moving range = 44 / 22 = 2.
        // Limits: 11.76 ± 2.66 × 2 = 6.44 and 17.08; two-sigma: 11.76 ± 1.7733 × 2 = 8.213 and
        // 15.307. The 10s and 12s alternate about the mean and stay inside: only 30 is special.
        let block: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
            .collect();
        let mut values = block.clone();
        values.push(30.0);
        values.extend(&block);
        let chart = check(&values, "............U............");
        let l = chart.segments[0].limits.unwrap();
        close(chart.segments[0].mean, 11.76);
        close(l.mean_moving_range, 2.0);
        close(l.lower, 6.44);
        close(l.upper, 17.08);
        close(l.upper_two_sigma, 11.76 + 2.0 * 2.66 / 3.0 * 2.0);
        assert!(!chart.segments[0].trial);
        assert_eq!(chart.points[12].class, Improvement);
        assert_eq!(chart.variation(), Variation::CommonCause);
        let worse = xmr(&values, &[], None, ImprovementDirection::Decrease);
        assert_eq!(worse.points[12].class, Concern);
        // Ending on the outlier, the chart's variation is the outlier's.
        let ending = xmr(&values[..13], &[], None, ImprovementDirection::Increase);
        assert_eq!(ending.variation(), Variation::Improvement);
    }

    /// The 12-point baseline used below: 10, 12 alternating. Mean 11; every moving range is 2 (none
    /// screened: 2 < 3.267 × 2); limits 11 ± 5.32 = 5.68 and 16.32; two-sigma lines 11 ± 3.5467 =
    /// 7.4533 and 14.5467. With `Some(12)` the limits stay fixed on these points.
    fn baseline_then(tail: &[f64]) -> Vec<f64> {
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
            .collect();
        values.extend_from_slice(tail);
        values
    }

    #[test]
    fn the_fixed_baseline_by_hand() {
        let chart = check_with(
            &baseline_then(&[17.0, 5.0]),
            &[],
            Some(12),
            "............UL",
        );
        let s = &chart.segments[0];
        let l = s.limits.unwrap();
        close(s.mean, 11.0);
        close(l.mean_moving_range, 2.0);
        close(l.lower, 5.68);
        close(l.upper, 16.32);
        close(l.lower_two_sigma, 11.0 - 2.0 * 2.66 / 3.0 * 2.0);
        assert_eq!(s.based_on, 12);
        assert_eq!(chart.points[13].class, Concern);
    }

    /// One chart to check: what it shows, the series, rebases, baseline and the expected causes (as
    /// [`letters`] writes them).
    type Case = (
        &'static str,
        Vec<f64>,
        &'static [usize],
        Option<usize>,
        String,
    );

    /// Each case: what it shows, the reference's rule it follows, the series, rebases, baseline and
    /// the expected causes. Every expectation was worked out from NHSRplotthedots 0.2.2's R source
    /// (and agrees with a line-by-line port of it, R's `NA` semantics included).
    #[test]
    fn signals_follow_the_reference_rules() {
        let (lo, mid, hi) = (share(9, 30), share(10, 30), share(11, 30));
        let cases: Vec<Case> = vec![
            (
                // ptd_seven_point_one_side_mean: the point and the 6 before it share a non-zero
                // sign(y − mean); ptd_part_of_seven_trend flags all 7. The baseline ends on 12.
                "a run of 7 above the mean",
                baseline_then(&[13.0, 12.0, 13.0, 12.0, 13.0, 12.0]),
                &[],
                Some(12),
                "...........AAAAAAA".into(),
            ),
            (
                // sign(11 − 11) = 0 breaks the run: 12, 13, 12, then 11, then six above.
                "a point on the mean breaks a run",
                baseline_then(&[13.0, 12.0, 11.0, 13.0, 12.0, 13.0, 12.0, 13.0, 12.0]),
                &[],
                Some(12),
                ".".repeat(21),
            ),
            (
                // ptd_seven_point_trend: sign(diff) equal for 6 steps (7 points); outside limits
                // first, then the trend before two in three (6 and 7 are also beyond two sigma).
                "a trend of 7 points rising",
                baseline_then(&[6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]),
                &[],
                Some(12),
                "............IIIIIII".into(),
            ),
            (
                // 12 → 16 rises, then 6 falls: a falling trend at indices 12–18; index 11 is left
                // with the run of 8 above the mean (shift comes last in precedence).
                "a falling trend inside a run",
                baseline_then(&[16.0, 15.0, 14.0, 13.0, 12.0, 11.5, 11.2]),
                &[],
                Some(12),
                "...........ADDDDDDD".into(),
            ),
            (
                // An equal neighbour has sign(diff) 0: no trend; 6 and 7 beyond the lower two-sigma
                // line with 8 below the mean make two in three (ptd_two_in_three).
                "a tie breaks a trend",
                baseline_then(&[6.0, 7.0, 8.0, 8.0, 9.0, 10.0, 11.0]),
                &[],
                Some(12),
                "............bb.....".into(),
            ),
            (
                // ptd_part_of_two_in_three flags only the close points of the window: 15 and 15.5,
                // not the 12 between them.
                "two of three near the upper limit",
                baseline_then(&[15.0, 12.0, 15.5, 9.0]),
                &[],
                Some(12),
                "............a.a.".into(),
            ),
            (
                // abs(sum(relative_to_mean)) must be 3: the middle point below the mean spoils it
                // (the 0.2.2 fix of issue #143).
                "two close points on opposite sides are no signal",
                baseline_then(&[15.0, 10.0, 15.5, 12.0]),
                &[],
                Some(12),
                ".".repeat(16),
            ),
            (
                // 10 of 30 every month. R's mean of equal values is that value and every moving range
                // is 0, so every range is screened out (0 < 3.267 × 0 is false): limits NaN, no
                // point outside them, none off the mean. A plain float sum put the mean 7e-15 below
                // the points: all "above the upper limit" of a zero-width chart.
                "a flat series has no limits and no signal",
                repeat(mid, 12),
                &[],
                None,
                ".".repeat(12),
            ),
            (
                // 9, 11 and 10 of 30: the mean is exactly 10 of 30, so the six 10s are on it (sign 0)
                // and no run of 7 forms; summed plainly, the mean fell below them and indices 5–12
                // made a run of 8 above it. Limits 33.33 ± 10.64: nothing else.
                "points on the mean are not above it",
                [
                    lo, hi, lo, hi, lo, hi, mid, hi, mid, hi, mid, hi, mid, lo, lo, lo,
                ]
                .to_vec(),
                &[],
                None,
                ".".repeat(16),
            ),
            (
                // Baseline fixed on 12 equal points: no moving range, so no limits (NaN in the
                // reference) and the next change is not "outside" them; relative_to_mean still
                // works, so 7 points above the mean are a shift.
                "no limits after a flat baseline, but runs still count",
                [repeat(50.0, 12), repeat(60.0, 7)].concat(),
                &[],
                Some(12),
                format!("{}{}", ".".repeat(12), "A".repeat(7)),
            ),
            (
                // The same without the run: one changed point is no signal.
                "no limits, one change",
                [repeat(50.0, 12), vec![60.0]].concat(),
                &[],
                Some(12),
                ".".repeat(13),
            ),
            (
                // Not a flat series: 11 zero ranges and one of 10, which the 3.267 screen removes.
                // The reference then has a mean moving range of 0 and zero-width limits at the mean
                // 50.83: every 50 is below the lower limit and the 60 above the upper one. Followed
                // as it is, odd as it reads.
                "screening that leaves zero ranges draws zero-width limits, as the reference does",
                [repeat(50.0, 11), vec![60.0]].concat(),
                &[],
                None,
                format!("{}U", "L".repeat(11)),
            ),
            (
                // Trial limits (6 points): mean 14, ranges 2, 2, 2, 2, 18 (screened: 18 ≥ 3.267 ×
                // 5.2), so limits 14 ± 5.32 = 8.68..19.32 and two-sigma 10.45..17.55: 30 is above,
                // and the 10s sit beyond the lower two-sigma line in windows all below the mean.
                "trial limits are tested like any others",
                vec![10.0, 12.0, 10.0, 12.0, 10.0, 30.0],
                &[],
                None,
                "b.b.bU".into(),
            ),
            (
                "a single point has no limits",
                vec![42.0],
                &[],
                None,
                ".".into(),
            ),
            (
                // 12 points of 10/12 then 12 of 20/22, rebased at 12: two segments, each stable.
                "a rebase with 12 points after it",
                baseline_then(&[
                    20.0, 22.0, 20.0, 22.0, 20.0, 22.0, 20.0, 22.0, 20.0, 22.0, 20.0, 22.0,
                ]),
                &[12],
                None,
                ".".repeat(24),
            ),
            (
                // The same rebase with only 5 points after it waits: the series keeps one set of
                // limits (mean 12.94, screened mean moving range 2) and the step up shows as a
                // signal, as the reference shows it without the rebase.
                "a rebase with too few points after it waits",
                baseline_then(&[20.0, 22.0, 20.0, 22.0, 20.0]),
                &[12],
                None,
                "bBbBbBbBbBbBUUUUU".into(),
            ),
        ];
        for (what, series, rebase, baseline, expected) in cases {
            let chart = xmr(&series, rebase, baseline, ImprovementDirection::Increase);
            assert_eq!(letters(&chart), expected, "{what}: {series:?}");
        }
    }

    #[test]
    fn the_mean_of_equal_values_is_that_value() {
        for n in 1..200 {
            for value in [share(10, 30), share(1, 3), share(2, 7), 0.1, 99.9] {
                let values = repeat(value, n);
                assert_eq!(mean(&values), value, "{n} × {value}");
            }
        }
        let chart = check(&repeat(share(10, 30), 24), &".".repeat(24));
        assert_eq!(chart.segments[0].mean, share(10, 30));
        assert_eq!(chart.segments[0].limits, None);
        assert_eq!(chart.variation(), Variation::CommonCause);
    }

    #[test]
    fn rebases_wait_for_enough_points() {
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
            .collect();
        values.extend((0..12).map(|i| if i % 2 == 0 { 20.0 } else { 22.0 }));
        let rebased = check_with(&values, &[12], None, &".".repeat(24));
        assert_eq!(rebased.segments.len(), 2);
        assert_eq!(rebased.segments[1].start, 12);
        close(rebased.segments[1].mean, 21.0);
        assert!(rebased.pending_rebases.is_empty());

        // 5 points after the change: one segment, the rebase pending, the signal visible.
        let waiting = xmr(&values[..17], &[12], None, ImprovementDirection::Increase);
        assert_eq!(waiting.segments.len(), 1);
        assert_eq!(waiting.pending_rebases, [12]);
        assert_eq!(waiting.variation(), Variation::Improvement);

        // Two changes: the later one has 12 points after it, the earlier only 4 before the later
        // one, so the earlier waits (and will not take effect: its points now belong to the later).
        let two = xmr(&values, &[8, 12], None, ImprovementDirection::Increase);
        assert_eq!(
            two.segments.iter().map(|s| s.start).collect::<Vec<_>>(),
            [0, 12]
        );
        assert_eq!(two.pending_rebases, [8]);
        // The first segment may be short: it gets trial limits.
        let early = xmr(&values, &[5], None, ImprovementDirection::Increase);
        assert_eq!(early.segments[0].len, 5);
        assert!(early.segments[0].trial && !early.segments[1].trial);
    }

    #[test]
    fn neutral_measures_are_high_or_low() {
        let values = baseline_then(&[17.0]);
        let chart = xmr(&values, &[], Some(12), ImprovementDirection::Neutral);
        assert_eq!(chart.points[12].class, NeutralHigh);
        assert_eq!(
            chart.variation().describe(ImprovementDirection::Neutral),
            "Special cause variation – higher, neither improvement nor concern"
        );
        assert_eq!(
            Variation::Improvement.describe(ImprovementDirection::Increase),
            "Special cause variation – improvement (higher is better)"
        );
    }
}
