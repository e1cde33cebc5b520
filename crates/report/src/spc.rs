//! XmR (individuals) charts with the Making Data Count special-cause rules, as NHSRplotthedots applies
//! them.
//!
//! Followed from NHSRplotthedots (`R/ptd_spc_standard.R` and `R/ptd_calculate_point_type.R`):
//!
//! - Limits: mean ± 2.66 × mean moving range; the "two sigma" lines at mean ± 2 × (2.66 / 3) × mean moving
//!   range. Mean and moving ranges come from the first `baseline` points of each segment when a baseline
//!   is fixed (`fix_after_n_points`), else from all of its points. Moving ranges of 3.267 × their mean or
//!   more are screened out and the mean moving range recalculated (`screen_outliers = TRUE`, the
//!   package default).
//! - Each rebase (`--annotate`) starts a new segment: its own mean, limits and rules; no run, trend or
//!   moving range crosses a segment boundary.
//! - Outside the limits: strictly above the upper or below the lower process limit.
//! - Shift: 7 consecutive points on the same side of the mean (`sign(y − mean)` equal and non-zero for
//!   the point and the 6 before it); a point exactly on the mean breaks the run. All 7 are flagged.
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

use serde::Serialize;

use crate::options::MIN_SPC_POINTS;

/// Process limit constant: 3 / d2 with d2 = 1.128 for moving ranges of two.
pub const LIMIT: f64 = 2.66;
/// Moving ranges at or above this multiple of their mean are screened out before the limits are set.
pub const MR_SCREEN: f64 = 3.267;

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
    /// The point's segment has too few points for limits, so no rule was tested.
    NotTested,
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

/// Mean and limits of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Limits {
    /// Centre line.
    pub mean: f64,
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
    /// How many points the mean and limits rest on.
    pub based_on: usize,
}

/// A run of points sharing one mean and one set of limits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct XmrSegment {
    /// Index of the first point.
    pub start: usize,
    /// Number of points.
    pub len: usize,
    /// `None` when the segment has too few points for limits.
    pub limits: Option<Limits>,
}

/// The computed chart: points with their classes and the segments' limits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Xmr {
    /// The points, in time order.
    pub points: Vec<XmrPoint>,
    /// The segments, in order; together they cover every point.
    pub segments: Vec<XmrSegment>,
}

/// Computes an XmR chart. `rebase_at` lists point indices that start a new segment (ignored at 0 or past
/// the end); `baseline` fixes each segment's limits on its first N points.
pub fn xmr(
    values: &[f64],
    rebase_at: &[usize],
    baseline: Option<usize>,
    direction: ImprovementDirection,
) -> Xmr {
    let mut starts: Vec<usize> = rebase_at
        .iter()
        .copied()
        .filter(|&i| i > 0 && i < values.len())
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts.insert(0, 0);
    let mut points = Vec::with_capacity(values.len());
    let mut segments = Vec::with_capacity(starts.len());
    for (segment, &start) in starts.iter().enumerate() {
        let end = starts.get(segment + 1).copied().unwrap_or(values.len());
        let y = &values[start..end];
        let fixed = &y[..baseline.unwrap_or(usize::MAX).min(y.len())];
        let limits = (fixed.len() >= MIN_SPC_POINTS).then(|| limits(fixed));
        let causes = match &limits {
            Some(l) => special_causes(y, l),
            None => vec![None; y.len()],
        };
        for (value, cause) in y.iter().zip(causes) {
            let class = match (limits.is_some(), cause) {
                (false, _) => PointClass::NotTested,
                (true, None) => PointClass::CommonCause,
                (true, Some(cause)) => classify(cause, direction),
            };
            points.push(XmrPoint {
                value: *value,
                segment,
                cause,
                class,
            });
        }
        segments.push(XmrSegment {
            start,
            len: y.len(),
            limits,
        });
    }
    Xmr { points, segments }
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

/// Mean and screened mean moving range of the points the limits rest on.
fn limits(y: &[f64]) -> Limits {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ranges: Vec<f64> = y.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let raw = mean_of(&ranges);
    let kept: Vec<f64> = ranges
        .iter()
        .copied()
        .filter(|&r| r < MR_SCREEN * raw)
        .collect();
    // With every range equal to zero nothing is below 3.267 × 0: keep the raw mean (zero).
    let amr = if kept.is_empty() { raw } else { mean_of(&kept) };
    let close = 2.0 * (LIMIT / 3.0);
    Limits {
        mean,
        mean_moving_range: amr,
        lower: mean - LIMIT * amr,
        upper: mean + LIMIT * amr,
        lower_two_sigma: mean - close * amr,
        upper_two_sigma: mean + close * amr,
        based_on: y.len(),
    }
}

fn mean_of(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn special_causes(y: &[f64], l: &Limits) -> Vec<Option<SpecialCause>> {
    let n = y.len();
    let side: Vec<i8> = y
        .iter()
        .map(|&v| {
            if v > l.mean {
                1
            } else if v < l.mean {
                -1
            } else {
                0
            }
        })
        .collect();
    let outside: Vec<bool> = y.iter().map(|&v| v > l.upper || v < l.lower).collect();
    let close: Vec<bool> = y
        .iter()
        .zip(&outside)
        .map(|(&v, &out)| !out && (v > l.upper_two_sigma || v < l.lower_two_sigma))
        .collect();

    // Shift: runs of 7 on one side; mark all 7 points ending at each qualifying point.
    let mut shift = vec![false; n];
    for end in 6..n {
        let s = side[end];
        if s != 0 && side[end - 6..end].iter().all(|&x| x == s) {
            shift[end - 6..=end].iter_mut().for_each(|f| *f = true);
        }
    }

    // Trend: 7 points with 6 strict steps in one direction.
    let step: Vec<i8> = y
        .windows(2)
        .map(|w| {
            if w[1] > w[0] {
                1
            } else if w[1] < w[0] {
                -1
            } else {
                0
            }
        })
        .collect();
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
        let sides: i8 = side[window.clone()].iter().sum();
        let near = close[window.clone()].iter().filter(|&&c| c).count();
        if sides.abs() == 3 && near >= 2 {
            for i in window {
                if close[i] {
                    two_in_three[i] = true;
                }
            }
        }
    }

    (0..n)
        .map(|i| {
            let high = side[i] > 0;
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
    /// Too few points for limits.
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
            Some(PointClass::NotTested) | None => Variation::NotEnoughData,
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
            Variation::NotEnoughData => format!(
                "Not enough data for process limits (at least {MIN_SPC_POINTS} points are needed)"
            ),
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

    fn causes(chart: &Xmr) -> Vec<Option<SpecialCause>> {
        chart.points.iter().map(|p| p.cause).collect()
    }

    /// Checks every point's cause against `expected`, written as one letter per point:
    /// `.` none, `U`/`L` outside upper/lower, `I`/`D` trend, `a`/`b` two in three above/below,
    /// `A`/`B` shift above/below.
    fn check(values: &[f64], rebase: &[usize], baseline: Option<usize>, expected: &str) -> Xmr {
        let chart = xmr(values, rebase, baseline, ImprovementDirection::Increase);
        let letters: String = causes(&chart)
            .iter()
            .map(|c| match c {
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
            .collect();
        assert_eq!(letters, expected, "values {values:?}");
        chart
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
        let chart = check(&values, &[], None, "............U............");
        let l = chart.segments[0].limits.unwrap();
        close(l.mean, 11.76);
        close(l.mean_moving_range, 2.0);
        close(l.lower, 6.44);
        close(l.upper, 17.08);
        close(l.upper_two_sigma, 11.76 + 2.0 * 2.66 / 3.0 * 2.0);
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
        let chart = check(
            &baseline_then(&[17.0, 5.0]),
            &[],
            Some(12),
            "............UL",
        );
        let l = chart.segments[0].limits.unwrap();
        close(l.mean, 11.0);
        close(l.mean_moving_range, 2.0);
        close(l.lower, 5.68);
        close(l.upper, 16.32);
        close(l.lower_two_sigma, 11.0 - 2.0 * 2.66 / 3.0 * 2.0);
        assert_eq!(l.based_on, 12);
        assert_eq!(chart.points[13].class, Concern);
    }

    #[test]
    fn a_run_of_seven_on_one_side_and_the_mean_breaks_it() {
        // The baseline ends on 12 (above 11); six more points above make 7 in a row: indices 11–17.
        check(
            &baseline_then(&[13.0, 12.0, 13.0, 12.0, 13.0, 12.0]),
            &[],
            Some(12),
            "...........AAAAAAA",
        );
        // A point exactly on the mean (11) breaks the run: 12, 13, 12 then 11 then six above = no 7.
        check(
            &baseline_then(&[13.0, 12.0, 11.0, 13.0, 12.0, 13.0, 12.0, 13.0, 12.0]),
            &[],
            Some(12),
            ".....................",
        );
    }

    #[test]
    fn a_trend_is_seven_points_and_ties_break_it() {
        // 12 (index 11) then 6, 7, 8, 9, 10, 11, 12: six increases, so indices 12–18 are a trend.
        // 6 and 7 are also below the lower two-sigma line (7.45) with 8 below the mean: two in three,
        // but the trend takes precedence.
        check(
            &baseline_then(&[6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]),
            &[],
            Some(12),
            "............IIIIIII",
        );
        // Falling: 16, 15, 14, 13, 12, 11.5, 11.2 after the 12 at index 11; 12 → 16 is a rise, so the
        // trend is indices 12–18 (six falls). Indices 11–18 are also 8 points above the mean (a shift)
        // and 16, 15 two in three: the trend takes precedence, leaving the shift on index 11 alone.
        check(
            &baseline_then(&[16.0, 15.0, 14.0, 13.0, 12.0, 11.5, 11.2]),
            &[],
            Some(12),
            "...........ADDDDDDD",
        );
        // A tie (8, 8) breaks the trend; what remains is two in three: 6 and 7 beyond the lower
        // two-sigma line with 8 on the same side of the mean.
        check(
            &baseline_then(&[6.0, 7.0, 8.0, 8.0, 9.0, 10.0, 11.0]),
            &[],
            Some(12),
            "............bb.....",
        );
    }

    #[test]
    fn two_in_three_flags_only_the_close_points_on_one_side() {
        // 15, 12, 15.5: all above 11; 15 and 15.5 lie between 14.547 and 16.32: both flagged, not 12.
        let chart = check(
            &baseline_then(&[15.0, 12.0, 15.5, 9.0]),
            &[],
            Some(12),
            "............a.a.",
        );
        assert_eq!(chart.points[12].class, Improvement);
        assert_eq!(
            chart.variation(),
            Variation::CommonCause,
            "the last point, 9, is common"
        );
        // The same two close points with the middle one below the mean: no window has all three on
        // one side, so no signal.
        check(
            &baseline_then(&[15.0, 10.0, 15.5, 12.0]),
            &[],
            Some(12),
            "................",
        );
    }

    #[test]
    fn rebasing_starts_new_limits_and_short_segments_get_none() {
        // 12 points at 10/12 then 12 points at 20/22, rebased at 12: each segment has mean 11 and 21,
        // moving range 2, and nothing special; without the rebase the second half is a shift.
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
            .collect();
        values.extend((0..12).map(|i| if i % 2 == 0 { 20.0 } else { 22.0 }));
        let rebased = check(&values, &[12], None, &".".repeat(24));
        close(rebased.segments[1].limits.unwrap().mean, 21.0);
        assert_eq!(rebased.segments[1].start, 12);
        // Not rebased: mean 16; ranges 2 (×22) and 8 (screened: 8 ≥ 3.267 × 52 / 23 = 7.39), so the
        // mean moving range is 2 and the limits 16 ± 5.32 = 10.68..21.32: the last point, 22, is above
        // the upper limit, a concern where lower is better.
        let flat = xmr(&values, &[], None, ImprovementDirection::Decrease);
        assert_eq!(flat.points[23].cause, Some(AboveUpperLimit));
        assert_eq!(flat.points[23].class, Concern);
        assert_eq!(flat.variation(), Variation::Concern);

        // A rebase leaving 5 points: that segment is not tested.
        let chart = xmr(&values[..17], &[12], None, ImprovementDirection::Increase);
        assert!(chart.segments[1].limits.is_none());
        assert_eq!(chart.points[16].class, NotTested);
        assert_eq!(chart.variation(), Variation::NotEnoughData);

        // Under 12 points: no limits at all.
        let short = xmr(&values[..11], &[], None, ImprovementDirection::Increase);
        assert!(short.segments[0].limits.is_none());
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
