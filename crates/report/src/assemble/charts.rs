//! The SPC charts: the trust-wide measures the pack charts, and any monthly measure a page charts.

use chorus_core::{FftScore, ScoreTally, YearMonth};

use crate::model::{SpcChart, ThemeRow, TouchpointRow, month_label};
use crate::options::{ChangeNote, MIN_SPC_POINTS, ReportOptions};
use crate::spc::{self, ImprovementDirection};

use super::*;

/// One measure's monthly series.
pub(super) struct Series {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) direction: ImprovementDirection,
    pub(super) numerators: Vec<u64>,
    pub(super) denominators: Vec<u64>,
}

pub(super) fn spc_charts(
    acc: &Acc,
    plan: &Plan,
    tallies: &Tallies,
    themes: &[ThemeRow],
    order: &[usize],
    touchpoints: &[TouchpointRow],
    options: &ReportOptions,
) -> Vec<SpcChart> {
    let Some(start) = plan.history_start else {
        return Vec::new();
    };
    let t = plan.themes();
    let p = plan.touchpoints();
    let months = plan.months;
    let mut series = vec![Series {
        id: "percent-positive".into(),
        title: "% positive (FFT very good or good)".into(),
        direction: ImprovementDirection::Increase,
        numerators: tallies
            .months
            .iter()
            .map(|t| t.count(FftScore::VeryGood) + t.count(FftScore::Good))
            .collect(),
        denominators: tallies.months.iter().map(ScoreTally::valid).collect(),
    }];
    // A theme is charted by what people say of it, complaints and praise apart (a theme that counts
    // both is neither better higher nor lower): its larger side, and the other too when it is at least
    // a third as large.
    for (row, &i) in themes
        .iter()
        .zip(order)
        .filter(|(row, _)| row.comments > 0)
        .take(options.spc_top)
    {
        let column = |data: &[u64]| (0..months).map(|m| data[m * t + i]).collect::<Vec<u64>>();
        let slug = format!("theme-{}-{}", row.source, slug(&row.name));
        let (neg, pos) = (row.sentiment.negative, row.sentiment.positive);
        let complaints = Series {
            id: format!("{slug}-complaints"),
            title: format!("% of comments complaining about {}", row.name),
            direction: ImprovementDirection::Decrease,
            numerators: column(&acc.month_theme_complain),
            denominators: acc.month_comments.clone(),
        };
        let praise = Series {
            id: format!("{slug}-praise"),
            title: format!("% of comments praising {}", row.name),
            direction: ImprovementDirection::Increase,
            numerators: column(&acc.month_theme_praise),
            denominators: acc.month_comments.clone(),
        };
        let (major, minor, minor_n, major_n) = if neg >= pos {
            (complaints, praise, pos, neg)
        } else {
            (praise, complaints, neg, pos)
        };
        series.push(major);
        if minor_n > 0 && minor_n * 3 >= major_n {
            series.push(minor);
        }
    }
    let mut busiest: Vec<(usize, &TouchpointRow)> = touchpoints
        .iter()
        .enumerate()
        .filter(|(_, row)| row.mentions > 0)
        .collect();
    busiest.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(&b.0)));
    let mut charted = 0;
    for (_, row) in busiest {
        if charted == options.spc_top {
            break;
        }
        let Some(&i) = plan.registry.touch_lookup.get(&row.id) else {
            continue;
        };
        let column = |data: &[u64]| (0..months).map(|m| data[m * p + i]).collect::<Vec<u64>>();
        let praised = row.sentiment.positive > row.sentiment.negative;
        let candidate = Series {
            id: format!("touchpoint-{}", slug(&row.id)),
            title: if praised {
                format!("% of comments praising {}", row.name)
            } else {
                format!("% of comments complaining about {}", row.name)
            },
            direction: if praised {
                ImprovementDirection::Increase
            } else {
                ImprovementDirection::Decrease
            },
            numerators: column(if praised {
                &acc.month_touch_praise
            } else {
                &acc.month_touch_complain
            }),
            denominators: acc.month_comments.clone(),
        };
        // Never two near-identical charts: a touchpoint counting nearly the same comments each month
        // as a theme already charted ("Waiting" and "Waiting times") gives way to the next one.
        if series.iter().any(|s| {
            s.direction == candidate.direction
                && near_identical(&s.numerators, &candidate.numerators)
        }) {
            continue;
        }
        series.push(candidate);
        charted += 1;
    }
    series
        .into_iter()
        .map(|s| {
            spc_chart(
                s,
                start,
                &options.annotations,
                options.baseline,
                options.spc_min_month,
            )
        })
        .collect()
}

/// Whether two monthly counts are nearly the same series: they differ by at most a fifth of their
/// total, month by month.
pub(super) fn near_identical(a: &[u64], b: &[u64]) -> bool {
    let total: u64 = a.iter().zip(b).map(|(x, y)| x.max(y)).sum();
    let apart: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).sum();
    total > 0 && apart * 5 <= total
}

pub(super) fn spc_chart(
    s: Series,
    start: YearMonth,
    notes: &[ChangeNote],
    baseline: Option<usize>,
    min_month: u64,
) -> SpcChart {
    let month_at = |m: usize| {
        let mut month = start;
        for _ in 0..m {
            month = month.next();
        }
        month
    };
    // Months with no denominator have no value and months with a tiny one an unstable value: both are
    // left out rather than drawn as zero or as a wild swing.
    let kept: Vec<usize> = (0..s.denominators.len())
        .filter(|&m| s.denominators[m] > 0 && s.denominators[m] >= min_month)
        .collect();
    let sparse_months: Vec<(YearMonth, u64)> = (0..s.denominators.len())
        .filter(|&m| s.denominators[m] > 0 && s.denominators[m] < min_month)
        .map(|m| (month_at(m), s.denominators[m]))
        .collect();
    let months: Vec<YearMonth> = kept.iter().map(|&m| month_at(m)).collect();
    let values: Vec<f64> = kept
        .iter()
        .map(|&m| 100.0 * s.numerators[m] as f64 / s.denominators[m] as f64)
        .collect();
    let mut annotations = Vec::new();
    let mut rebase_at = Vec::new();
    let mut sorted_notes: Vec<&ChangeNote> = notes.iter().collect();
    sorted_notes.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.text.cmp(&b.text)));
    for note in sorted_notes {
        let month = note.date.year_month();
        if let Some(at) = months.iter().position(|m| *m >= month) {
            annotations.push((at, note.clone()));
            rebase_at.push(at);
        }
    }
    let chart = spc::xmr(&values, &rebase_at, baseline, s.direction);
    let variation = chart.variation();
    let verdict = if values.is_empty() {
        format!("No month has {min_month} or more comments: there is nothing to chart")
    } else {
        variation.describe(s.direction)
    };
    let limits_note = limits_note(&chart, &months);
    let signals = signals(&chart, &months);
    SpcChart {
        id: s.id,
        title: s.title,
        direction: s.direction,
        months,
        numerators: kept.iter().map(|&m| s.numerators[m]).collect(),
        denominators: kept.iter().map(|&m| s.denominators[m]).collect(),
        chart,
        variation,
        verdict,
        limits_note,
        signals,
        annotations,
        sparse_months,
    }
}

/// What a reader should know about a chart's limits, in words: trial limits, no limits, or a change
/// whose new limits wait for more months. `None` when every segment has firm limits.
pub(super) fn limits_note(chart: &spc::Xmr, months: &[YearMonth]) -> Option<String> {
    let mut notes = Vec::new();
    let several = chart.segments.len() > 1;
    for s in &chart.segments {
        let from = if several {
            format!("From {}: ", month_label(months[s.start]))
        } else {
            String::new()
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match (&s.limits, s.trial) {
            (None, _) if s.based_on == 1 => notes.push(format!(
                "{from}no process limits: one month has no month-to-month variation to set them by."
            )),
            (None, _) => notes.push(format!(
                "{from}no process limits: the value is the same every month, so there is no variation to set them by; runs and trends are still tested."
            )),
            (Some(_), true) => notes.push(format!(
                "{from}trial limits, from {} month{}: they will move as months are added, until {MIN_SPC_POINTS} give firm limits.",
                s.based_on,
                plural(s.based_on)
            )),
            (Some(_), false) => {}
        }
    }
    for &at in &chart.pending_rebases {
        let after = chart.points.len() - at;
        notes.push(format!(
            "New limits from {} once {MIN_SPC_POINTS} months follow the change ({after} so far); until then the limits before it stand, so the change can show as a signal against them.",
            month_label(months[at])
        ));
    }
    (!notes.is_empty()).then(|| {
        let mut text = notes.join(" ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text
    })
}

/// Runs of points breaking the same rule, in words: "Mar 2022 – Sep 2022: part of a run of 7 below
/// the mean (concern)".
pub(super) fn signals(chart: &spc::Xmr, months: &[YearMonth]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chart.points.len() {
        let Some(cause) = chart.points[i].cause else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j + 1 < chart.points.len()
            && chart.points[j + 1].cause == Some(cause)
            && chart.points[j + 1].segment == chart.points[i].segment
        {
            j += 1;
        }
        let class = match chart.points[i].class {
            spc::PointClass::Improvement => "improvement",
            spc::PointClass::Concern => "concern",
            _ => "neither improvement nor concern",
        };
        let when = if i == j {
            month_label(months[i])
        } else {
            format!("{} – {}", month_label(months[i]), month_label(months[j]))
        };
        out.push(format!("{when}: {} ({class})", cause.describe()));
        i = j + 1;
    }
    out
}

/// A lowercase id made of letters, digits and hyphens.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One monthly measure to chart: `numerators[m]` of `denominators[m]` in the `m`-th month from `start`
/// (every month in between, zeros included), for [`monthly_spc_chart`].
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlySeries {
    /// A stable id (`theme-waiting`).
    pub id: String,
    /// The measure, e.g. "% of comments about Waiting".
    pub title: String,
    /// Whether higher is better.
    pub direction: ImprovementDirection,
    /// The first month.
    pub start: YearMonth,
    /// Comments with the measure, per month.
    pub numerators: Vec<u64>,
    /// All comments, per month.
    pub denominators: Vec<u64>,
}

/// The SPC chart of any monthly measure, made exactly as the pack makes its own (sparse months left
/// out, limits rebased at the options' change notes, the verdict and signals in words), for a page that
/// charts a theme or touchpoint the pack does not.
pub fn monthly_spc_chart(series: MonthlySeries, options: &ReportOptions) -> SpcChart {
    let start = series.start;
    spc_chart(
        Series {
            id: series.id,
            title: series.title,
            direction: series.direction,
            numerators: series.numerators,
            denominators: series.denominators,
        },
        start,
        &options.annotations,
        options.baseline,
        options.spc_min_month,
    )
}
