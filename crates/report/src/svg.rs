//! The pack's charts as inline SVG, drawn here so the pack needs nothing from the network: theme bars
//! with the sentiment split, the journey's emotional map, SPC charts and the co-occurrence grid.
//!
//! Colours are the Okabe–Ito palette, safe for the common colour-vision deficiencies, and never the
//! only cue: negative bars are hatched, points have shapes and numbers are written on the chart. Every
//! chart has a `<title>` and `<desc>` for screen readers.

use std::fmt::Write;

use crate::escape::html as esc;
use chorus_core::YearMonth;

use crate::model::{Cooccurrence, SentimentSplit, SpcChart, ThemeRow, TouchpointRow, month_label};
use crate::spc::PointClass;

/// Positive sentiment and SPC improvement.
pub const BLUE: &str = "#0072B2";
/// Mixed sentiment and SPC concern.
pub const ORANGE: &str = "#E69F00";
/// Negative sentiment.
pub const VERMILLION: &str = "#D55E00";
/// Neutral sentiment.
pub const GREY: &str = "#B8B8B8";
/// Special cause with no better direction.
pub const PURPLE: &str = "#7B3294";
/// Common cause points and lines.
pub const DARK: &str = "#4D4D4D";
/// SPC concern, as Making Data Count colours it.
pub const CONCERN: &str = ORANGE;

/// Shared pattern definitions (the negative hatch), emitted once per chart.
fn defs(id: &str) -> String {
    format!(
        "<defs><pattern id=\"{id}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"{VERMILLION}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#fff\" stroke-width=\"1.6\" stroke-opacity=\"0.55\"/></pattern></defs>"
    )
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Splits text into at most `lines` lines of about `width` characters at spaces, the last one shortened
/// with "…" if the text does not fit.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let fits =
            current.is_empty() || current.chars().count() + 1 + word.chars().count() <= width;
        if !fits {
            if out.len() + 1 == lines {
                let rest = words[i..].join(" ");
                out.push(truncate(&format!("{current} {rest}"), width));
                return out;
            }
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        out.push(truncate(&current, width));
    }
    out
}

fn open(out: &mut String, width: f64, height: f64, title: &str, desc: &str, class: &str) {
    let _ = write!(
        out,
        "<svg class=\"{class}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" aria-labelledby=\"t-{class}\"><title id=\"t-{class}\">{}</title><desc>{}</desc>",
        esc(title),
        esc(desc)
    );
}

/// Horizontal bars of the most mentioned themes, split by sentiment, with counts written on.
pub fn theme_bars(themes: &[ThemeRow], max: usize, total_comments: u64) -> String {
    let rows: Vec<&ThemeRow> = themes.iter().filter(|t| t.comments > 0).take(max).collect();
    let label_w = 200.0;
    let bar_w = 400.0;
    let row_h = 24.0;
    let top = 34.0;
    let height = top + row_h * rows.len() as f64 + 8.0;
    let width = 720.0;
    let biggest = rows.iter().map(|t| t.comments).max().unwrap_or(1).max(1) as f64;
    let mut out = String::new();
    let desc = rows
        .iter()
        .map(|t| {
            format!(
                "{}: {} comments, {} positive, {} mixed, {} neutral, {} negative",
                t.name,
                t.comments,
                t.sentiment.positive,
                t.sentiment.mixed,
                t.sentiment.neutral,
                t.sentiment.negative
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    open(
        &mut out,
        width,
        height,
        "Most mentioned themes, split by how comments feel about them",
        &desc,
        "themes-chart",
    );
    out.push_str(&defs("hatch-themes"));
    legend(&mut out, label_w, 14.0, "hatch-themes");
    for (i, t) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"lbl\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            esc(&truncate(&t.name, 30))
        );
        let mut x = label_w;
        for (value, fill, name) in segments(&t.sentiment, "hatch-themes") {
            if value == 0 {
                continue;
            }
            let w = bar_w * value as f64 / biggest;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}: {value} {name}</title></rect>",
                y + 3.0,
                row_h - 7.0,
                esc(&t.name)
            );
            if w >= 24.0 {
                let ink = if name == "neutral" || name == "mixed" {
                    "#000"
                } else {
                    "#fff"
                };
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"num\" fill=\"{ink}\">{value}</text>",
                    x + w / 2.0,
                    y + 15.0
                );
            }
            x += w;
        }
        let pct = if total_comments > 0 {
            format!(
                " ({:.0}%)",
                100.0 * t.comments as f64 / total_comments as f64
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"lbl\">{}{pct}</text>",
            x + 6.0,
            y + 15.0,
            t.comments
        );
    }
    out.push_str("</svg>");
    out
}

fn segments(s: &SentimentSplit, hatch: &str) -> [(u64, String, &'static str); 4] {
    [
        (s.positive, BLUE.to_string(), "positive"),
        (s.mixed, ORANGE.to_string(), "mixed"),
        (s.neutral, GREY.to_string(), "neutral"),
        (s.negative, format!("url(#{hatch})"), "negative"),
    ]
}

fn legend(out: &mut String, x0: f64, y: f64, hatch: &str) {
    let mut x = x0;
    for (_, fill, name) in segments(&SentimentSplit::default(), hatch) {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{fill}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"lbl\">{name}</text>",
            y - 10.0,
            x + 16.0,
            y
        );
        x += 90.0;
    }
}

/// A touchpoint's sentiment band on the journey map, from its net sentiment: the one place that decides
/// it, for the map's markers and the pack's cards alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    /// Net sentiment of +20 or more.
    Positive,
    /// Between −20 and +20.
    Mixed,
    /// Net sentiment of −20 or less.
    Negative,
    /// No mentions.
    NotMentioned,
}

impl Band {
    /// The band of a net sentiment (`None`: not mentioned).
    pub fn of(net: Option<f64>) -> Band {
        match net {
            None => Band::NotMentioned,
            Some(n) if n >= 20.0 => Band::Positive,
            Some(n) if n <= -20.0 => Band::Negative,
            Some(_) => Band::Mixed,
        }
    }

    /// The colour.
    pub fn colour(self) -> &'static str {
        match self {
            Band::Positive => BLUE,
            Band::Mixed => ORANGE,
            Band::Negative => VERMILLION,
            Band::NotMentioned => GREY,
        }
    }

    /// The words.
    pub fn word(self) -> &'static str {
        match self {
            Band::Positive => "mostly positive",
            Band::Mixed => "mixed",
            Band::Negative => "mostly negative",
            Band::NotMentioned => "not mentioned",
        }
    }

    /// The text mark, shaped like the map's marker.
    pub fn mark(self) -> &'static str {
        match self {
            Band::Positive => "▲",
            Band::Mixed => "●",
            Band::Negative => "▼",
            Band::NotMentioned => "○",
        }
    }
}

fn marker(out: &mut String, x: f64, y: f64, r: f64, net: Option<f64>, title: &str) {
    let band = Band::of(net);
    let fill = band.colour();
    let shape = match band {
        Band::Positive => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
            y - r * 1.15,
            x + r,
            y + r * 0.75,
            x - r,
            y + r * 0.75
        ),
        Band::Negative => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
            y + r * 1.15,
            x + r,
            y - r * 0.75,
            x - r,
            y - r * 0.75
        ),
        Band::Mixed => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
            r * 0.85
        ),
        Band::NotMentioned => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"#fff\" stroke=\"{GREY}\" stroke-width=\"2\"/>",
            r * 0.6
        ),
    };
    let _ = write!(out, "<g><title>{}</title>{shape}</g>", esc(title));
}

/// The journey's emotional map: touchpoints in order along the x axis, net sentiment (% positive −
/// % negative mentions) up the y axis, each point shaped and coloured by its band and labelled with its
/// number.
pub fn journey(touchpoints: &[TouchpointRow]) -> String {
    let width = 720.0;
    let height = 310.0;
    let (left, right, top, bottom) = (46.0, 20.0, 26.0, 196.0);
    let n = touchpoints.len().max(1);
    let step = (width - left - right) / n as f64;
    let x_of = |i: usize| left + step * (i as f64 + 0.5);
    let y_of = |net: f64| top + (100.0 - net.clamp(-100.0, 100.0)) / 200.0 * (bottom - top);
    let mut out = String::new();
    let desc = touchpoints
        .iter()
        .enumerate()
        .map(|(i, t)| match t.sentiment.net() {
            Some(net) => format!(
                "{}. {}: {} mentions, net sentiment {net:+.0} ({})",
                i + 1,
                t.name,
                t.mentions,
                Band::of(Some(net)).word()
            ),
            None => format!("{}. {}: not mentioned", i + 1, t.name),
        })
        .collect::<Vec<_>>()
        .join("; ");
    open(
        &mut out,
        width,
        height,
        "The journey: how comments feel about each step, in order",
        &desc,
        "journey-chart",
    );
    // Background bands and axis.
    let _ = write!(
        out,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#EEF5FB\"/>\
<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#FBF0EA\"/>",
        width - left - right,
        y_of(0.0) - top,
        y_of(0.0),
        width - left - right,
        bottom - y_of(0.0)
    );
    for (net, label) in [
        (100.0, "+100"),
        (50.0, "+50"),
        (0.0, "0"),
        (-50.0, "−50"),
        (-100.0, "−100"),
    ] {
        let y = y_of(net);
        let dash = if net == 0.0 {
            ""
        } else {
            " stroke-dasharray=\"2 3\""
        };
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#9AA5B1\" stroke-width=\"{}\"{dash}/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"axis\">{label}</text>",
            width - right,
            if net == 0.0 { 1.2 } else { 0.6 },
            left - 6.0,
            y + 4.0
        );
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\">more praise</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\">more complaint</text>",
        left + 4.0,
        top + 12.0,
        left + 4.0,
        bottom - 5.0
    );
    // The path through the mentioned touchpoints.
    let mut path = String::new();
    for (i, t) in touchpoints.iter().enumerate() {
        if let Some(net) = t.sentiment.net() {
            let _ = write!(
                path,
                "{}{:.1},{:.1} ",
                if path.is_empty() { "M" } else { "L" },
                x_of(i),
                y_of(net)
            );
        }
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"#6B7785\" stroke-width=\"2\" stroke-linejoin=\"round\"/>",
            path.trim_end()
        );
    }
    for (i, t) in touchpoints.iter().enumerate() {
        let x = x_of(i);
        let net = t.sentiment.net();
        let y = net.map_or(y_of(0.0), y_of);
        let title = match net {
            Some(v) => format!(
                "{}: {} mentions; {} positive, {} mixed, {} neutral, {} negative; net {v:+.0}",
                t.name,
                t.mentions,
                t.sentiment.positive,
                t.sentiment.mixed,
                t.sentiment.neutral,
                t.sentiment.negative
            ),
            None => format!("{}: not mentioned", t.name),
        };
        marker(&mut out, x, y, 9.0, net, &title);
        if let Some(v) = net {
            let above = v < 70.0;
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"num-dark\">{}</text>",
                if above { y - 14.0 } else { y + 24.0 },
                signed(v)
            );
        }
        // Names alternate between two rows so that neighbours never overlap, and wrap onto two lines.
        let lines = wrap(&t.name, 15, 2);
        let row = if i % 2 == 0 { 0.0 } else { 46.0 };
        if row > 0.0 {
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#C5CCD3\"/>",
                bottom + 20.0,
                bottom + 20.0 + row
            );
        }
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"step\">{}</text>",
            bottom + 15.0,
            i + 1
        );
        for (n, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"lbl\">{}</text>",
                bottom + 31.0 + row + 12.5 * n as f64,
                esc(line)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
            bottom + 31.0 + row + 12.5 * lines.len() as f64,
            if t.mentions > 0 {
                format!("n = {}", t.mentions)
            } else {
                "not mentioned".to_string()
            }
        );
    }
    out.push_str("</svg>");
    out
}

/// "+42", "0" or "−28" (with a true minus sign).
fn signed(v: f64) -> String {
    format!("{v:+.0}").replace('-', "−")
}

fn nice_step(range: f64, ticks: f64) -> f64 {
    let raw = (range / ticks).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 2.5 {
        2.5
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn class_style(class: PointClass) -> (&'static str, &'static str) {
    match class {
        PointClass::Improvement => (BLUE, "improvement"),
        PointClass::Concern => (CONCERN, "concern"),
        PointClass::NeutralHigh | PointClass::NeutralLow => (PURPLE, "special cause"),
        PointClass::CommonCause => (DARK, "common cause"),
    }
}

/// The chart's time axis: one slot per calendar month from the first month charted or left out to the
/// last, so a month left out for too few comments stays in its place as a gap.
struct TimeAxis {
    first: YearMonth,
    slots: usize,
}

impl TimeAxis {
    fn new(chart: &SpcChart) -> TimeAxis {
        let months = chart
            .months
            .iter()
            .chain(chart.sparse_months.iter().map(|(m, _)| m));
        let first = months.clone().min().copied();
        let last = months.max().copied();
        match (first, last) {
            (Some(first), Some(last)) => TimeAxis {
                first,
                slots: (first.months_until(last) + 1).max(1) as usize,
            },
            _ => TimeAxis {
                first: YearMonth {
                    year: 2000,
                    month: 1,
                },
                slots: 1,
            },
        }
    }

    /// The slot of a month (clamped to the axis).
    fn slot(&self, month: YearMonth) -> usize {
        (self.first.months_until(month).max(0) as usize).min(self.slots - 1)
    }

    fn month(&self, slot: usize) -> YearMonth {
        let mut month = self.first;
        for _ in 0..slot {
            month = month.next();
        }
        month
    }
}

/// An XmR chart on a calendar axis: the monthly values (the line broken where a month is missing, each
/// missing month shaded), each segment's mean (solid) and process limits (dashed; dotted and labelled
/// when they are trial limits), changes marked by vertical lines, and special-cause points shaped and
/// coloured as improvement (blue triangle), concern (orange diamond) or neither (purple square).
pub fn spc(chart: &SpcChart, id: &str) -> String {
    let width = 720.0;
    let height = 250.0;
    let (left, right, top, bottom) = (48.0, 18.0, 22.0, 200.0);
    let values: Vec<f64> = chart.chart.points.iter().map(|p| p.value).collect();
    let axis = TimeAxis::new(chart);
    let slots: Vec<usize> = chart.months.iter().map(|m| axis.slot(*m)).collect();
    let (lo, hi, step) = value_range(chart, &values);
    let n = axis.slots;
    let dx = (width - left - right) / n as f64;
    let x_of = |slot: f64| left + dx * (slot + 0.5);
    let y_of = |v: f64| bottom - (v.clamp(lo, hi) - lo) / (hi - lo) * (bottom - top);

    let mut out = String::new();
    let desc = format!(
        "{}. {}{}. {} monthly points{}{}.",
        chart.verdict,
        chart.direction.phrase(),
        chart
            .limits_note
            .as_ref()
            .map(|n| format!(". {n}"))
            .unwrap_or_default(),
        values.len(),
        if chart.sparse_months.is_empty() {
            String::new()
        } else {
            format!(
                ", {} month{} left out for too few comments",
                chart.sparse_months.len(),
                if chart.sparse_months.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )
        },
        if chart.signals.is_empty() {
            String::new()
        } else {
            format!("; signals: {}", chart.signals.join("; "))
        }
    );
    let _ = write!(
        out,
        "<svg class=\"spc-chart\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" aria-labelledby=\"t-{id}\"><title id=\"t-{id}\">{}</title><desc>{}</desc>",
        esc(&format!("SPC chart: {}", chart.title)),
        esc(&desc)
    );
    // Months left out: shaded gaps.
    for (month, count) in &chart.sparse_months {
        let x = x_of(axis.slot(*month) as f64) - dx / 2.0;
        let _ = write!(
            out,
            "<rect class=\"gap\" x=\"{x:.1}\" y=\"{top}\" width=\"{dx:.1}\" height=\"{:.1}\" fill=\"#F1F3F5\"><title>{}: {count} comments, too few to chart</title></rect>",
            bottom - top,
            esc(&month_label(*month))
        );
    }
    // Grid and y axis.
    let mut v = lo;
    while v <= hi + step / 2.0 {
        let y = y_of(v);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#E3E7EB\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"axis\">{}%</text>",
            width - right,
            left - 6.0,
            y + 4.0,
            trim_number(v)
        );
        v += step;
    }
    // Month labels, thinned to fit.
    let every = n.div_ceil(12).max(1);
    for slot in 0..n {
        let last_fits = slot + 1 == n && (slot % every) * 2 > every;
        if slot % every == 0 || last_fits {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
                x_of(slot as f64),
                bottom + 16.0,
                esc(&month_label(axis.month(slot)))
            );
        }
    }
    centre_and_limits(&mut out, chart, &slots, dx, &x_of, &y_of, (lo, hi));
    // Changes marked, at the start of the month they fall in.
    for (_, note) in &chart.annotations {
        let x = x_of(axis.slot(note.date.year_month()) as f64) - dx / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"{PURPLE}\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"note\">{}</text>",
            x + 4.0,
            top - 6.0,
            esc(&truncate(
                &format!("{}: {}", crate::model::long_date(note.date), note.text),
                48
            ))
        );
    }
    // The line, broken where a month is missing, and the points.
    let mut path = String::new();
    for (i, v) in values.iter().enumerate() {
        let joined = i > 0 && slots[i] == slots[i - 1] + 1;
        let _ = write!(
            path,
            "{}{:.1},{:.1}",
            match (i, joined) {
                (0, _) => "M",
                (_, true) => " L",
                (_, false) => " M",
            },
            x_of(slots[i] as f64),
            y_of(*v)
        );
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{path}\" fill=\"none\" stroke=\"#8A949E\" stroke-width=\"1.5\"/>"
        );
    }
    for (i, p) in chart.chart.points.iter().enumerate() {
        let (x, y) = (x_of(slots[i] as f64), y_of(p.value));
        let (_, word) = class_style(p.class);
        let title = format!(
            "{}: {:.1}% ({} of {}){}",
            month_label(chart.months[i]),
            p.value,
            chart.numerators[i],
            chart.denominators[i],
            p.cause
                .map(|c| format!(" – {word}: {}", c.describe()))
                .unwrap_or_default()
        );
        let _ = write!(
            out,
            "<g><title>{}</title>{}</g>",
            esc(&title),
            point_shape(p.class, x, y)
        );
    }
    spc_legend(&mut out, chart, left, height - 18.0);
    out.push_str("</svg>");
    out
}

/// The y axis: lowest value, highest value and tick step, covering the points, means and limits
/// (within 0–100 %).
fn value_range(chart: &SpcChart, values: &[f64]) -> (f64, f64, f64) {
    let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for s in &chart.chart.segments {
        lo = lo.min(s.mean);
        hi = hi.max(s.mean);
        if let Some(l) = s.limits {
            lo = lo.min(l.lower.max(0.0));
            hi = hi.max(l.upper.min(100.0));
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        lo = 0.0;
        hi = 100.0;
    }
    if hi - lo < 2.0 {
        let mid = (hi + lo) / 2.0;
        lo = mid - 1.0;
        hi = mid + 1.0;
    }
    let step = nice_step(hi - lo, 5.0);
    let lo = ((lo / step).floor() * step).max(0.0);
    let hi = ((hi / step).ceil() * step).min(100.0).max(lo + step);
    (lo, hi, step)
}

/// Each segment's mean, and its process limits where it has them: dashed, or dotted and labelled
/// "trial limits" when they rest on too few points to be firm.
fn centre_and_limits(
    out: &mut String,
    chart: &SpcChart,
    slots: &[usize],
    dx: f64,
    x_of: &dyn Fn(f64) -> f64,
    y_of: &dyn Fn(f64) -> f64,
    (lo, hi): (f64, f64),
) {
    for s in &chart.chart.segments {
        let x1 = x_of(slots[s.start] as f64) - dx * 0.4;
        let x2 = x_of(slots[s.start + s.len - 1] as f64) + dx * 0.4;
        let _ = write!(
            out,
            "<line x1=\"{x1:.1}\" x2=\"{x2:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1F2933\" stroke-width=\"1.4\"><title>Mean {:.1}%</title></line>",
            y_of(s.mean),
            y_of(s.mean),
            s.mean
        );
        let label = match (s.limits, s.trial) {
            (Some(_), true) => "trial limits, ",
            _ => "",
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"axis\">{label}mean {:.1}%</text>",
            x2,
            y_of(s.mean) - 4.0,
            s.mean
        );
        let Some(l) = s.limits else { continue };
        let (dash, kind) = if s.trial {
            ("2 3", "Trial ")
        } else {
            ("6 4", "")
        };
        for (value, name) in [
            (l.upper, "upper process limit"),
            (l.lower, "lower process limit"),
        ] {
            if value >= lo && value <= hi {
                let _ = write!(
                    out,
                    "<line x1=\"{x1:.1}\" x2=\"{x2:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#5B6773\" stroke-width=\"1.2\" stroke-dasharray=\"{dash}\"><title>{}{name} {value:.1}%</title></line>",
                    y_of(value),
                    y_of(value),
                    if kind.is_empty() {
                        capitalise_first(name)
                    } else {
                        format!("{kind}{name}")
                    }
                );
            }
        }
    }
}

fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn point_shape(class: PointClass, x: f64, y: f64) -> String {
    let (fill, _) = class_style(class);
    match class {
        PointClass::Improvement => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" fill=\"{fill}\"/>",
            y - 6.5,
            x + 6.0,
            y + 4.5,
            x - 6.0,
            y + 4.5
        ),
        PointClass::Concern => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z\" fill=\"{fill}\"/>",
            y - 6.5,
            x + 6.5,
            y + 6.5,
            x - 6.5
        ),
        PointClass::NeutralHigh | PointClass::NeutralLow => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{fill}\"/>",
            x - 5.0,
            y - 5.0
        ),
        PointClass::CommonCause => {
            format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\" fill=\"{fill}\"/>")
        }
    }
}

/// The legend: point shapes, mean, limits, and trial limits and gaps when the chart has them.
fn spc_legend(out: &mut String, chart: &SpcChart, left: f64, ly: f64) {
    let trial = chart
        .chart
        .segments
        .iter()
        .any(|s| s.trial && s.limits.is_some());
    let mut items = vec![
        ("common", "common cause"),
        ("improvement", "improvement"),
        ("concern", "concern"),
        ("mean", "mean"),
        ("limit", "process limits"),
    ];
    if trial {
        items.push(("trial", "trial limits"));
    }
    if !chart.sparse_months.is_empty() {
        items.push(("gap", "too few comments"));
    }
    let mut lx = left;
    for (kind, label) in items {
        let mark = match kind {
            "common" | "improvement" | "concern" => point_shape(
                match kind {
                    "common" => PointClass::CommonCause,
                    "improvement" => PointClass::Improvement,
                    _ => PointClass::Concern,
                },
                lx + 6.0,
                ly - 4.0,
            ),
            "mean" => format!(
                "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1F2933\" stroke-width=\"1.4\"/>",
                lx + 14.0,
                ly - 4.0,
                ly - 4.0
            ),
            "gap" => format!(
                "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"14\" height=\"12\" fill=\"#F1F3F5\" stroke=\"#C5CCD3\"/>",
                ly - 10.0
            ),
            _ => format!(
                "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#5B6773\" stroke-width=\"1.2\" stroke-dasharray=\"{}\"/>",
                lx + 18.0,
                ly - 4.0,
                ly - 4.0,
                if kind == "trial" { "2 3" } else { "6 4" }
            ),
        };
        let _ = write!(
            out,
            "{mark}<text x=\"{:.1}\" y=\"{ly:.1}\" class=\"axis\">{label}</text>",
            lx + 22.0
        );
        lx += 22.0 + label.len() as f64 * 6.2 + 18.0;
    }
}

fn trim_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The theme × theme grid: each cell's shade and number is the comments with both themes; the diagonal
/// (hatched grey) holds each theme's own count.
pub fn heatmap(co: &Cooccurrence) -> String {
    let k = co.themes.len();
    let cell = 36.0;
    let label_w = 190.0;
    let top_h = 130.0;
    let width = label_w + cell * k as f64 + 10.0;
    let height = top_h + cell * k as f64 + 10.0;
    let max = co
        .counts
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().enumerate().filter(move |(j, _)| *j != i))
        .map(|(_, &v)| v)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut out = String::new();
    let mut pairs = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            if co.counts[i][j] > 0 {
                pairs.push(format!(
                    "{} and {}: {}",
                    co.themes[i], co.themes[j], co.counts[i][j]
                ));
            }
        }
    }
    open(
        &mut out,
        width,
        height,
        "Which themes appear in the same comments",
        &pairs.join("; "),
        "heatmap-chart",
    );
    for (j, name) in co.themes.iter().enumerate() {
        let x = label_w + cell * (j as f64 + 0.5);
        let _ = write!(
            out,
            "<text transform=\"translate({:.1},{:.1}) rotate(-45)\" class=\"lbl\">{}</text>",
            x - 2.0,
            top_h - 6.0,
            esc(&truncate(name, 22))
        );
    }
    for (i, name) in co.themes.iter().enumerate() {
        let y = top_h + cell * i as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"lbl\">{}</text>",
            label_w - 8.0,
            y + cell / 2.0 + 4.0,
            esc(&truncate(name, 30))
        );
        for j in 0..k {
            let x = label_w + cell * j as f64;
            let value = co.counts[i][j];
            let (fill, ink) = if i == j {
                ("#E4E7EB".to_string(), "#333")
            } else {
                let t = value as f64 / max;
                // Light to dark blue: lightness alone carries the value.
                let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
                let color = format!(
                    "#{:02X}{:02X}{:02X}",
                    mix(247.0, 8.0),
                    mix(251.0, 69.0),
                    mix(255.0, 148.0)
                );
                (color, if t > 0.5 { "#fff" } else { "#1F2933" })
            };
            let _ = write!(
                out,
                "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"num\" fill=\"{ink}\">{}</text></g>",
                esc(&if i == j {
                    format!("{}: {value} comments", co.themes[i])
                } else {
                    format!(
                        "{} and {}: {value} comments with both",
                        co.themes[i], co.themes[j]
                    )
                }),
                cell - 1.0,
                cell - 1.0,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0,
                value
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A small inline bar of a sentiment split, for tables.
pub fn mini_bar(s: &SentimentSplit, id: &str) -> String {
    let total = s.total();
    let mut out = format!(
        "<svg class=\"mini\" viewBox=\"0 0 120 12\" width=\"120\" height=\"12\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{} positive, {} mixed, {} neutral, {} negative</title>",
        s.positive, s.mixed, s.neutral, s.negative
    );
    if total == 0 {
        out.push_str("<rect width=\"120\" height=\"12\" fill=\"#F1F3F5\"/></svg>");
        return out;
    }
    out.push_str(&defs(id));
    let mut x = 0.0;
    for (value, fill, _) in segments(s, id) {
        let w = 120.0 * value as f64 / total as f64;
        if w > 0.0 {
            let _ = write!(
                out,
                "<rect x=\"{x:.2}\" width=\"{w:.2}\" height=\"12\" fill=\"{fill}\"/>"
            );
        }
        x += w;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_split_at_plus_and_minus_twenty() {
        let bands: Vec<Band> = [Some(20.0), Some(19.9), Some(-19.9), Some(-20.0), None]
            .into_iter()
            .map(Band::of)
            .collect();
        assert_eq!(
            bands,
            [
                Band::Positive,
                Band::Mixed,
                Band::Mixed,
                Band::Negative,
                Band::NotMentioned
            ]
        );
        assert_eq!(bands.iter().map(|b| b.mark()).collect::<String>(), "▲●●▼○");
    }

    #[test]
    fn labels_wrap_onto_two_lines_at_most() {
        let check =
            |text: &str, expected: &[&str]| assert_eq!(wrap(text, 15, 2), expected, "{text}");
        check("Waiting", &["Waiting"]);
        check("Access and appointments", &["Access and", "appointments"]);
        check(
            "Information and involvement",
            &["Information and", "involvement"],
        );
        check(
            "Discharge and onward care",
            &["Discharge and", "onward care"],
        );
        check(
            "Ward and environment and food",
            &["Ward and", "environment an…"],
        );
        check("Supercalifragilisticexpialidocious", &["Supercalifragi…"]);
    }
}
