//! The report as flat tables of typed cells, shared by the CSV, Excel and Markdown writers, so that every
//! format shows the same rows and columns.

use chorus_core::{Direction, SentimentLabel};

use crate::assemble::slug;
use crate::breakdown::Count;
use crate::model::{Quote, ReportData, SetAside};
use crate::options::MIN_SPC_POINTS;
use crate::spc::PointClass;
use crate::{clauses, quotes};

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text (untrusted when it comes from a comment: writers escape it).
    Text(String),
    /// A count.
    Int(u64),
    /// A measurement, shown with this many decimals.
    Number(f64, u8),
    /// A suppressed count: `<5` or `[c]`.
    Suppressed(String),
    /// A day (a real date in Excel).
    Date(chorus_core::Date),
    /// A calendar month (its first day in Excel, shown as the month).
    Month(chorus_core::YearMonth),
}

impl Value {
    /// The cell as text, numbers rounded to their decimals.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) | Value::Suppressed(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Number(x, decimals) => format!("{x:.*}", *decimals as usize),
            Value::Date(d) => d.to_string(),
            Value::Month(m) => m.to_string(),
        }
    }

    fn opt(value: Option<f64>, decimals: u8) -> Value {
        value.map_or(Value::Empty, |v| Value::Number(v, decimals))
    }

    fn count(count: &Count) -> Value {
        match count {
            Count::Value(n) => Value::Int(*n),
            other => Value::Suppressed(other.display()),
        }
    }

    fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }
}

/// What a column holds, for widths and number formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Short text.
    Text,
    /// Comment text: wide and wrapped.
    Quote,
    /// Whole numbers.
    Count,
    /// Percentages (0–100), one decimal.
    Percent,
    /// Other decimals.
    Decimal,
}

/// A column header and its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The header.
    pub header: String,
    /// What it holds.
    pub kind: Kind,
}

/// One table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// A file-name-safe name (`themes`, `breakdown-service`).
    pub name: String,
    /// A human title.
    pub title: String,
    /// What the reader should know to read it.
    pub note: Option<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

fn col(header: impl Into<String>, kind: Kind) -> Column {
    Column {
        header: header.into(),
        kind,
    }
}

fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "more is better",
        Direction::LowerIsBetter => "less is better",
        Direction::Neutral => "either",
    }
}

fn quote_text(quote: Option<&Quote>) -> Value {
    quote.map_or(Value::Empty, |q| Value::text(quotes::text_with_note(q)))
}

/// Every table of the report, in reading order.
pub fn tables(data: &ReportData) -> Vec<Table> {
    let mut out = vec![what_changed(data), headline(data)];
    if let Some(set_aside) = &data.set_aside {
        out.push(set_aside_table(set_aside));
    }
    out.extend([themes(data), touchpoints(data)]);
    out.push(highlights(data, true));
    out.push(highlights(data, false));
    for b in &data.breakdowns {
        out.push(breakdown(b));
        out.push(breakdown_long(b));
    }
    out.push(cooccurrence(data));
    out.push(spc_summary(data));
    out.push(spc_points(data));
    out.push(quotes_table(
        "discordant",
        "Discordant comments: the score says one thing, the text another",
        Some(format!(
            "{} discordant comments in the period; the {} most recent are listed.",
            data.discordant.total,
            data.discordant.comments.len()
        )),
        &data.discordant.comments,
        false,
    ));
    out.push(quotes_table(
        "complex",
        "Complex comments to read in full",
        Some("Long comments, or comments touching many themes: often the richest stories.".into()),
        &data.complex_comments,
        true,
    ));
    out.push(Table {
        name: "method".into(),
        title: "How these figures were made".into(),
        note: None,
        columns: vec![col("Note", Kind::Quote)],
        rows: data
            .method
            .iter()
            .map(|m| vec![Value::text(m.clone())])
            .collect(),
    });
    out
}

fn set_aside_table(set_aside: &SetAside) -> Table {
    Table {
        name: "set-aside".into(),
        title: "Records set aside when the exports were read".into(),
        note: Some(set_aside.summary()),
        columns: vec![col("Problem", Kind::Text), col("Records", Kind::Count)],
        rows: set_aside
            .by_reason
            .iter()
            .map(|(reason, n)| vec![Value::text(reason.clone()), Value::Int(*n)])
            .collect(),
    }
}

fn headline(data: &ReportData) -> Table {
    let h = &data.headline;
    let mut rows = vec![
        vec![
            Value::text("Period"),
            data.scope
                .period
                .map_or(Value::text("no dates"), |p| Value::text(p.label())),
        ],
        vec![
            Value::text("Service"),
            Value::text(data.scope.service.clone().unwrap_or_else(|| "all".into())),
        ],
        vec![Value::text("Comments"), Value::Int(h.comments)],
        vec![Value::text("Respondents"), Value::Int(h.respondents)],
        vec![Value::text("Records"), Value::Int(h.records)],
        vec![Value::text("Blank answers"), Value::Int(h.blank_answers)],
        vec![Value::text("Valid FFT answers"), Value::Int(h.fft_answers)],
        vec![Value::text("% positive"), Value::opt(h.percent_positive, 1)],
        vec![Value::text("% negative"), Value::opt(h.percent_negative, 1)],
        vec![
            Value::text("Themed comments"),
            Value::Int(h.themed_comments),
        ],
    ];
    for label in SentimentLabel::ALL {
        rows.push(vec![
            Value::text(format!("Comments with {label} text")),
            Value::Int(h.sentiment.get(label)),
        ]);
    }
    rows.push(vec![
        Value::text("Discordant comments"),
        Value::Int(h.discordant_comments),
    ]);
    if let (Some(prev), Some(period)) = (&h.previous, data.scope.previous) {
        rows.push(vec![
            Value::text("Previous period"),
            Value::text(period.label()),
        ]);
        rows.push(vec![
            Value::text("Previous period: comments"),
            Value::Int(prev.comments),
        ]);
        rows.push(vec![
            Value::text("Previous period: respondents"),
            Value::Int(prev.respondents),
        ]);
        rows.push(vec![
            Value::text("Previous period: % positive"),
            Value::opt(prev.percent_positive, 1),
        ]);
    }
    if !data.source.is_empty() {
        rows.push(vec![
            Value::text("Generated from"),
            Value::text(data.source.clone()),
        ]);
    }
    Table {
        name: "headline".into(),
        title: "Headline figures".into(),
        note: None,
        columns: vec![col("Measure", Kind::Text), col("Value", Kind::Text)],
        rows,
    }
}

fn themes(data: &ReportData) -> Table {
    let compared = data.scope.previous.is_some();
    let quotes = data
        .themes
        .iter()
        .map(|t| t.quotes.len())
        .max()
        .unwrap_or(0);
    let mut columns = vec![
        col("Theme", Kind::Text),
        col("Category", Kind::Text),
        col("Source", Kind::Text),
        col("Direction", Kind::Text),
        col("Comments", Kind::Count),
        col("% of comments", Kind::Percent),
        col("Positive", Kind::Count),
        col("Mixed", Kind::Count),
        col("Neutral", Kind::Count),
        col("Negative", Kind::Count),
        col("Mean FFT score (1 very good, 5 very poor)", Kind::Decimal),
        col("% FFT positive", Kind::Percent),
    ];
    if compared {
        columns.extend([
            col("Previous comments", Kind::Count),
            col("Previous % of comments", Kind::Percent),
            col("Change (percentage points)", Kind::Decimal),
            col("p-value", Kind::Decimal),
            col("Test", Kind::Text),
            col("Change flag", Kind::Text),
        ]);
    }
    for i in 1..=quotes {
        columns.push(col(format!("Quote {i}"), Kind::Quote));
    }
    let rows = data
        .themes
        .iter()
        .map(|t| {
            let mut row = vec![
                Value::text(t.name.clone()),
                t.category.clone().map_or(Value::Empty, Value::Text),
                Value::text(t.source.as_str()),
                Value::text(direction_label(t.direction)),
                Value::Int(t.comments),
                Value::opt(t.percent, 1),
                Value::Int(t.sentiment.positive),
                Value::Int(t.sentiment.mixed),
                Value::Int(t.sentiment.neutral),
                Value::Int(t.sentiment.negative),
                Value::opt(t.mean_fft, 2),
                Value::opt(t.percent_fft_positive, 1),
            ];
            if compared {
                match &t.change {
                    Some(c) => row.extend([
                        Value::Int(c.previous_comments),
                        Value::opt(c.previous_percent, 1),
                        Value::opt(c.difference_points, 1),
                        Value::opt(c.test.map(|t| t.p_value), 4),
                        c.test
                            .map_or(Value::Empty, |t| Value::text(t.method.label())),
                        c.flag.clone().map_or(Value::Empty, Value::Text),
                    ]),
                    None => row.extend(std::iter::repeat_n(Value::Empty, 6)),
                }
            }
            for i in 0..quotes {
                row.push(quote_text(t.quotes.get(i)));
            }
            row
        })
        .collect();
    Table {
        name: "themes".into(),
        title: "Themes".into(),
        note: compared.then(|| {
            "Change flags appear only where the change in share is significant at p < 0.05 (two-proportion z-test, or Fisher exact test for small counts).".to_string()
        }),
        columns,
        rows,
    }
}

fn touchpoints(data: &ReportData) -> Table {
    let rows = data
        .touchpoints
        .iter()
        .enumerate()
        .map(|(i, t)| {
            vec![
                Value::Int(i as u64 + 1),
                Value::text(t.name.clone()),
                Value::Int(t.mentions),
                Value::opt(t.percent, 1),
                Value::Int(t.sentiment.positive),
                Value::Int(t.sentiment.mixed),
                Value::Int(t.sentiment.neutral),
                Value::Int(t.sentiment.negative),
                Value::opt(t.sentiment.net(), 0),
                Value::text(
                    t.top_themes
                        .iter()
                        .map(|n| format!("{} ({})", n.name, n.count))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                quote_text(t.best_quote.as_ref()),
                quote_text(t.worst_quote.as_ref()),
            ]
        })
        .collect();
    Table {
        name: "touchpoints".into(),
        title: "The journey: touchpoints in order".into(),
        note: Some("Net sentiment is % positive minus % negative mentions.".into()),
        columns: vec![
            col("Step", Kind::Count),
            col("Touchpoint", Kind::Text),
            col("Mentions", Kind::Count),
            col("% of comments", Kind::Percent),
            col("Positive", Kind::Count),
            col("Mixed", Kind::Count),
            col("Neutral", Kind::Count),
            col("Negative", Kind::Count),
            col("Net sentiment", Kind::Decimal),
            col("Top themes", Kind::Text),
            col("Best quote", Kind::Quote),
            col("Worst quote", Kind::Quote),
        ],
        rows,
    }
}

fn highlights(data: &ReportData, well: bool) -> Table {
    let list = if well {
        &data.went_well
    } else {
        &data.to_improve
    };
    Table {
        name: if well { "went-well" } else { "to-improve" }.into(),
        title: if well {
            "What went well"
        } else {
            "What to improve"
        }
        .into(),
        note: None,
        columns: vec![
            col("Theme", Kind::Text),
            col("Source", Kind::Text),
            col(
                if well {
                    "Positive comments"
                } else {
                    "Negative comments"
                },
                Kind::Count,
            ),
            col("% of comments", Kind::Percent),
            col("Quote", Kind::Quote),
        ],
        rows: list
            .iter()
            .map(|h| {
                vec![
                    Value::text(h.theme.clone()),
                    Value::text(h.source.as_str()),
                    Value::Int(h.comments),
                    Value::opt(h.percent, 1),
                    quote_text(h.quote.as_ref()),
                ]
            })
            .collect(),
    }
}

fn breakdown(b: &crate::breakdown::Breakdown) -> Table {
    let mut columns = vec![col("Theme", Kind::Text), col("Source", Kind::Text)];
    for g in &b.groups {
        columns.push(col(g.name.clone(), Kind::Count));
        columns.push(col(format!("{} %", g.name), Kind::Percent));
    }
    let mut rows = Vec::with_capacity(b.rows.len() + 1);
    let mut totals = vec![Value::text("All comments"), Value::Empty];
    for g in &b.groups {
        totals.push(Value::count(&g.comments));
        totals.push(Value::Empty);
    }
    rows.push(totals);
    for r in &b.rows {
        let mut row = vec![Value::text(r.theme.clone()), Value::text(r.source.as_str())];
        for cell in &r.cells {
            row.push(Value::count(&cell.count));
            row.push(Value::opt(cell.percent, 1));
        }
        rows.push(row);
    }
    Table {
        name: format!("breakdown-{}", slug(b.by.label())),
        title: format!("Themes by {}", b.by.label()),
        note: Some(format!(
            "Counts from 1 to {} are shown as \"<{}\"; \"[c]\" hides a further count so that a small one cannot be worked out from the totals. % is of the group's comments.",
            b.threshold.saturating_sub(1),
            b.threshold
        )),
        columns,
        rows,
    }
}

/// A breakdown with one row per theme and group, for pivot tables: the count is a number (blank when
/// suppressed) and a separate column says whether and how it was suppressed.
fn breakdown_long(b: &crate::breakdown::Breakdown) -> Table {
    let label = b.by.label();
    let group_value = |name: &str| match (&b.by, name.parse::<chorus_core::YearMonth>()) {
        (crate::options::BreakdownBy::Month, Ok(month)) => Value::Month(month),
        _ => Value::text(name),
    };
    let mut rows = Vec::new();
    for r in &b.rows {
        for (g, cell) in b.groups.iter().zip(&r.cells) {
            let (count, suppressed) = match cell.count {
                Count::Value(n) => (Value::Int(n), Value::Empty),
                other => (Value::Empty, Value::text(other.display())),
            };
            let group_total = match g.comments {
                Count::Value(n) => Value::Int(n),
                _ => Value::Empty,
            };
            rows.push(vec![
                Value::text(r.theme.clone()),
                Value::text(r.source.as_str()),
                group_value(&g.name),
                count,
                Value::opt(cell.percent, 1),
                suppressed,
                group_total,
            ]);
        }
    }
    Table {
        name: format!("by-{}-rows", slug(label)),
        title: format!("Themes by {label}, one row per theme and group (for pivot tables)"),
        note: Some(format!(
            "Comments is blank where the count is suppressed, and Suppressed says why: \"<{}\" for counts from 1 to {}, \"[c]\" for a count hidden so that a small one cannot be worked out from the totals.",
            b.threshold,
            b.threshold.saturating_sub(1)
        )),
        columns: vec![
            col("Theme", Kind::Text),
            col("Source", Kind::Text),
            col(capitalise(label), Kind::Text),
            col("Comments", Kind::Count),
            col("% of group", Kind::Percent),
            col("Suppressed", Kind::Text),
            col("Group comments", Kind::Count),
        ],
        rows,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn cooccurrence(data: &ReportData) -> Table {
    Table {
        name: "cooccurrence".into(),
        title: "Themes that travel together".into(),
        note: Some(
            "Lift above 1 means the two themes meet more often than chance would have them.".into(),
        ),
        columns: vec![
            col("Theme A", Kind::Text),
            col("Theme B", Kind::Text),
            col("Comments with both", Kind::Count),
            col("% of A's comments", Kind::Percent),
            col("% of B's comments", Kind::Percent),
            col("Lift", Kind::Decimal),
        ],
        rows: data
            .cooccurrence
            .pairs
            .iter()
            .map(|p| {
                vec![
                    Value::text(p.a.clone()),
                    Value::text(p.b.clone()),
                    Value::Int(p.both),
                    Value::opt(p.percent_of_a, 1),
                    Value::opt(p.percent_of_b, 1),
                    Value::opt(p.lift, 2),
                ]
            })
            .collect(),
    }
}

fn spc_summary(data: &ReportData) -> Table {
    Table {
        name: "spc-summary".into(),
        title: "SPC charts: what they say".into(),
        note: None,
        columns: vec![
            col("Measure", Kind::Text),
            col("Better", Kind::Text),
            col("Months", Kind::Count),
            col("Variation", Kind::Text),
            col("Limits", Kind::Text),
            col("Signals", Kind::Quote),
        ],
        rows: data
            .spc
            .iter()
            .map(|c| {
                vec![
                    Value::text(c.title.clone()),
                    Value::text(c.direction.phrase()),
                    Value::Int(c.months.len() as u64),
                    Value::text(c.verdict.clone()),
                    Value::text(c.limits_note.as_deref().unwrap_or("firm")),
                    Value::text(c.signals.join("; ")),
                ]
            })
            .collect(),
    }
}

fn class_label(class: PointClass) -> &'static str {
    match class {
        PointClass::CommonCause => "common cause",
        PointClass::Improvement => "special cause: improvement",
        PointClass::Concern => "special cause: concern",
        PointClass::NeutralHigh => "special cause: high",
        PointClass::NeutralLow => "special cause: low",
    }
}

fn spc_points(data: &ReportData) -> Table {
    let mut rows = Vec::new();
    for c in &data.spc {
        for (i, p) in c.chart.points.iter().enumerate() {
            let segment = &c.chart.segments[p.segment];
            let limits = segment.limits;
            let kind = match (limits, segment.trial) {
                (None, _) => "none",
                (Some(_), true) => "trial",
                (Some(_), false) => "firm",
            };
            rows.push(vec![
                Value::text(c.title.clone()),
                Value::Month(c.months[i]),
                Value::Number(p.value, 2),
                Value::Int(c.numerators[i]),
                Value::Int(c.denominators[i]),
                Value::Number(segment.mean, 2),
                Value::opt(limits.map(|l| l.lower), 2),
                Value::opt(limits.map(|l| l.upper), 2),
                Value::text(kind),
                p.cause
                    .map_or(Value::Empty, |cause| Value::text(cause.describe())),
                Value::text(class_label(p.class)),
            ]);
        }
    }
    Table {
        name: "spc-points".into(),
        title: "SPC chart points".into(),
        note: Some(format!(
            "Limits: firm (from {MIN_SPC_POINTS} months or more), trial (from fewer: they will move as months are added) or none (the value is the same every month). Months with too few comments are not listed: they are gaps in the chart."
        )),
        columns: vec![
            col("Measure", Kind::Text),
            col("Month", Kind::Text),
            col("Value %", Kind::Percent),
            col("Numerator", Kind::Count),
            col("Denominator", Kind::Count),
            col("Mean", Kind::Decimal),
            col("Lower process limit", Kind::Decimal),
            col("Upper process limit", Kind::Decimal),
            col("Limits", Kind::Text),
            col("Signal", Kind::Text),
            col("Class", Kind::Text),
        ],
        rows,
    }
}

fn quotes_table(
    name: &str,
    title: &str,
    note: Option<String>,
    quotes: &[Quote],
    with_themes: bool,
) -> Table {
    let mut columns = vec![
        col("Comment id", Kind::Text),
        col("Response ID", Kind::Text),
        col("Date", Kind::Text),
        col("Service", Kind::Text),
        col("Question", Kind::Text),
        col("FFT score", Kind::Text),
        col("Text sentiment", Kind::Text),
    ];
    if with_themes {
        columns.push(col("Themes", Kind::Text));
    }
    columns.push(col("Comment", Kind::Quote));
    columns.push(col("Clauses", Kind::Quote));
    Table {
        name: name.into(),
        title: title.into(),
        note,
        columns,
        rows: quotes
            .iter()
            .map(|q| {
                let mut row = vec![
                    Value::text(q.comment_id.clone()),
                    Value::text(q.respondent.clone()),
                    q.date.map_or(Value::Empty, Value::Date),
                    q.service.clone().map_or(Value::Empty, Value::Text),
                    Value::text(q.question.clone()),
                    Value::text(q.score.label()),
                    q.sentiment
                        .map_or(Value::Empty, |s| Value::text(s.as_str())),
                ];
                if with_themes {
                    row.push(Value::text(q.themes.join("; ")));
                }
                row.push(Value::text(quotes::text_with_note(q)));
                row.push(match clauses::readable_quote(&q.clauses) {
                    readable if readable.is_empty() => Value::Empty,
                    readable => Value::Text(readable),
                });
                row
            })
            .collect(),
    }
}

/// "What changed": one row per lasting shift, most important first.
fn what_changed(data: &ReportData) -> Table {
    let wc = &data.what_changed;
    let rows = wc
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let quote = |n: usize| quote_text(c.quotes.get(n));
            let scope: Vec<String> = c.scope.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            vec![
                Value::Int(i as u64 + 1),
                Value::text(c.scope_label.clone()),
                Value::text(scope.join("; ")),
                Value::text(c.subject.clone()),
                Value::text(c.measure()),
                Value::text(match c.direction {
                    crate::model::Shift::Up => "up",
                    crate::model::Shift::Down => "down",
                }),
                Value::text(match c.better_or_worse {
                    crate::model::BetterOrWorse::Better => "better",
                    crate::model::BetterOrWorse::Worse => "worse",
                }),
                Value::Month(c.first_month),
                Value::Month(c.first_month_range.0),
                Value::Month(c.first_month_range.1),
                Value::Number(c.before.rate, 1),
                Value::Int(c.before.count),
                Value::Int(c.before.total),
                Value::Number(c.after.rate, 1),
                Value::Int(c.after.count),
                Value::Int(c.after.total),
                Value::Number(c.respondents_a_month, 2),
                Value::text(crate::assemble::format_p(c.p_value)),
                c.annotation.as_ref().map_or(Value::Empty, |n| {
                    Value::text(format!("{}: {}", n.date, n.text))
                }),
                Value::text(c.also_seen_in.join("; ")),
                quote(0),
                quote(1),
                quote(2),
            ]
        })
        .collect();
    Table {
        name: "what-changed".into(),
        title: "What changed: lasting shifts found by scanning every group, touchpoint and theme"
            .into(),
        note: Some(wc.method.clone()),
        columns: vec![
            col("Rank", Kind::Count),
            col("Where", Kind::Text),
            col("Scope", Kind::Text),
            col("Subject", Kind::Text),
            col("Measure", Kind::Text),
            col("Direction", Kind::Text),
            col("Better or worse", Kind::Text),
            col("From month", Kind::Text),
            col("Earliest possible", Kind::Text),
            col("Latest possible", Kind::Text),
            col("Rate before %", Kind::Percent),
            col("Count before", Kind::Count),
            col("Respondents or answers before", Kind::Count),
            col("Rate after %", Kind::Percent),
            col("Count after", Kind::Count),
            col("Respondents or answers after", Kind::Count),
            col("Respondents a month changed", Kind::Decimal),
            col("Test", Kind::Text),
            col("Marked change", Kind::Text),
            col("Also seen in", Kind::Text),
            col("Quote 1", Kind::Quote),
            col("Quote 2", Kind::Quote),
            col("Quote 3", Kind::Quote),
        ],
        rows,
    }
}
