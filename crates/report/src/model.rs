//! The report as data: [`ReportData`] is computed once from the comments, the catalog and the options,
//! and every writer renders it.

use chorus_core::{Date, Direction, FftScore, SentimentLabel, ThemeSource, YearMonth};
use serde::Serialize;

use crate::breakdown::Breakdown;
use crate::clauses::QuoteClause;
use crate::options::ChangeNote;
use crate::spc::{ImprovementDirection, Variation, Xmr};
use crate::stats::ProportionTest;

/// Everything a report shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportData {
    /// "Generated from …": where the comments came from, as the caller described it.
    pub source: String,
    /// The period, its comparison period and the service filter.
    pub scope: Scope,
    /// Headline figures.
    pub headline: Headline,
    /// One row per theme (codebook, model and discovered), most mentioned first.
    pub themes: Vec<ThemeRow>,
    /// One row per touchpoint, in journey order.
    pub touchpoints: Vec<TouchpointRow>,
    /// The themes most often praised, with a quote each: learning from excellence.
    pub went_well: Vec<Highlight>,
    /// The themes most often criticised, with a quote each.
    pub to_improve: Vec<Highlight>,
    /// Themes by service, month, question or attribute, with small counts suppressed.
    pub breakdowns: Vec<Breakdown>,
    /// Which themes travel together.
    pub cooccurrence: Cooccurrence,
    /// Long comments or comments touching many themes, for a person to read in full.
    pub complex_comments: Vec<Quote>,
    /// Comments whose text contradicts their FFT score.
    pub discordant: Discordant,
    /// Where things changed: every group × touchpoint and theme (and % positive) scanned as monthly SPC
    /// series, the lasting shifts listed most important first.
    pub what_changed: WhatChanged,
    /// SPC charts: % positive, then the top themes and touchpoints.
    pub spc: Vec<SpcChart>,
    /// Changes marked on the SPC charts.
    pub change_notes: Vec<ChangeNote>,
    /// How the figures were made, in plain words.
    pub method: Vec<String>,
    /// Records that ingestion could not read, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<SetAside>,
}

/// Records that ingestion set aside (the store's quarantine): they are in no table of the report, and the
/// report says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SetAside {
    /// Records set aside, each counted once however often its file was ingested.
    pub records: u64,
    /// Comments in the store, for the share set aside.
    pub stored: u64,
    /// How many for each kind of problem (`ragged row`, `undecodable bytes`…).
    pub by_reason: Vec<(String, u64)>,
    /// Where they are listed with their reasons, e.g. `feedback/quarantine/`.
    pub location: String,
}

impl SetAside {
    /// The share of all records read that was set aside (0–1).
    pub fn share(&self) -> f64 {
        let read = self.records + self.stored;
        if read == 0 {
            0.0
        } else {
            self.records as f64 / read as f64
        }
    }

    /// Whether so much was set aside that the figures are incomplete: more than 1 % (ingestion's rule).
    pub fn incomplete(&self) -> bool {
        self.share() > 0.01
    }

    /// One sentence for every format: how many, their share, why, and where they are.
    pub fn summary(&self) -> String {
        let reasons: Vec<String> = self
            .by_reason
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        format!(
            "{}{} record{} ({:.1}% of {} read) could not be read when the exports were ingested and {} in no figure of this report: {}. Each is listed with its reason in {}.",
            if self.incomplete() {
                "Incomplete: "
            } else {
                ""
            },
            self.records,
            if self.records == 1 { "" } else { "s" },
            100.0 * self.share(),
            self.records + self.stored,
            if self.records == 1 { "is" } else { "are" },
            reasons.join(", "),
            self.location
        )
    }
}

/// A period of whole days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

impl Period {
    /// Days in the period, both ends included.
    pub fn days(&self) -> i32 {
        self.to.days_since_epoch() - self.from.days_since_epoch() + 1
    }

    /// "1 Apr 2022 to 30 Jun 2022".
    pub fn label(&self) -> String {
        format!("{} to {}", long_date(self.from), long_date(self.to))
    }

    /// Whether a date falls in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
}

/// "1 Apr 2022".
pub fn long_date(date: Date) -> String {
    let (y, m, d) = date.ymd();
    format!("{d} {} {y}", month_abbreviation(m))
}

/// "Apr 2022".
pub fn month_label(month: YearMonth) -> String {
    format!("{} {}", month_abbreviation(month.month), month.year)
}

fn month_abbreviation(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(month.clamp(1, 12) - 1) as usize]
}

/// What the report covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scope {
    /// The period reported on; `None` when no comment has a date.
    pub period: Option<Period>,
    /// The previous period of equal length, when a comparison was asked for.
    pub previous: Option<Period>,
    /// Only this service, if filtered.
    pub service: Option<String>,
    /// Comments without a date are in the tables (no period was given) but not in trends.
    pub undated_comments: u64,
}

/// The figures at the top of the pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    /// Comments with text in the period.
    pub comments: u64,
    /// Distinct respondents in the period (with or without text).
    pub respondents: u64,
    /// Records in the period, including blank answers.
    pub records: u64,
    /// Respondents who left the question blank or wrote a placeholder.
    pub blank_answers: u64,
    /// Respondents with a valid FFT answer (1–6).
    pub fft_answers: u64,
    /// % of valid FFT answers that are very good or good, one answer per respondent.
    pub percent_positive: Option<f64>,
    /// % of valid FFT answers that are poor or very poor.
    pub percent_negative: Option<f64>,
    /// Comments with at least one theme.
    pub themed_comments: u64,
    /// Text sentiment of the comments: positive, neutral, mixed, negative.
    pub sentiment: SentimentSplit,
    /// Comments whose text contradicts their score.
    pub discordant_comments: u64,
    /// The same figures for the previous period, when compared.
    pub previous: Option<PreviousHeadline>,
}

/// Headline figures of the comparison period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreviousHeadline {
    /// Comments with text.
    pub comments: u64,
    /// Distinct respondents.
    pub respondents: u64,
    /// % positive.
    pub percent_positive: Option<f64>,
}

/// Counts of each sentiment label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SentimentSplit {
    /// Positive.
    pub positive: u64,
    /// Neutral.
    pub neutral: u64,
    /// Mixed.
    pub mixed: u64,
    /// Negative.
    pub negative: u64,
}

impl SentimentSplit {
    /// Counts one label.
    pub fn add(&mut self, label: SentimentLabel) {
        *self.get_mut(label) += 1;
    }

    /// The count of one label.
    pub fn get(&self, label: SentimentLabel) -> u64 {
        match label {
            SentimentLabel::Positive => self.positive,
            SentimentLabel::Neutral => self.neutral,
            SentimentLabel::Mixed => self.mixed,
            SentimentLabel::Negative => self.negative,
        }
    }

    fn get_mut(&mut self, label: SentimentLabel) -> &mut u64 {
        match label {
            SentimentLabel::Positive => &mut self.positive,
            SentimentLabel::Neutral => &mut self.neutral,
            SentimentLabel::Mixed => &mut self.mixed,
            SentimentLabel::Negative => &mut self.negative,
        }
    }

    /// All four added up.
    pub fn total(&self) -> u64 {
        self.positive + self.neutral + self.mixed + self.negative
    }

    /// Adds another split.
    pub fn merge(&mut self, other: &SentimentSplit) {
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.mixed += other.mixed;
        self.negative += other.negative;
    }

    /// A label's share of the total, as a percentage.
    pub fn percent(&self, label: SentimentLabel) -> Option<f64> {
        percent(self.get(label), self.total())
    }

    /// % positive − % negative, from −100 to 100.
    pub fn net(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| 100.0 * (self.positive as f64 - self.negative as f64) / total as f64)
    }
}

/// `part` as a percentage of `whole`, `None` when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// A comment quoted in a report (text already redacted at ingest).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quote {
    /// The comment's id, to trace the quote to its row.
    pub comment_id: String,
    /// The respondent (Response ID) who wrote it.
    pub respondent: String,
    /// The text, shortened at a sentence or word boundary with "…" when `truncated`.
    pub text: String,
    /// Whether the text was shortened.
    pub truncated: bool,
    /// When the comment was made.
    pub date: Option<Date>,
    /// The service.
    pub service: Option<String>,
    /// The question answered.
    pub question: String,
    /// The FFT answer.
    pub score: FftScore,
    /// The comment's text sentiment.
    pub sentiment: Option<SentimentLabel>,
    /// The themes of the comment (for complex comments).
    pub themes: Vec<String>,
    /// The comment's clauses within the quote, each with its labels (empty for a comment of one
    /// clause), so a reader sees why a comment is both praise and complaint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<QuoteClause>,
}

/// One row of the themes table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemeRow {
    /// `source:name`, unique in the report.
    pub key: String,
    /// The theme's label.
    pub name: String,
    /// Codebook, model or discovered.
    pub source: ThemeSource,
    /// Whether more mentions are good or bad news.
    pub direction: Direction,
    /// What the theme covers, from the catalog.
    pub description: String,
    /// The framework category it is grouped under (a model's themes under a crosswalk), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Comments with the theme in the period.
    pub comments: u64,
    /// As a % of all comments with text.
    pub percent: Option<f64>,
    /// How those comments feel about the theme.
    pub sentiment: SentimentSplit,
    /// Mean FFT answer of those comments (1 very good … 5 very poor).
    pub mean_fft: Option<f64>,
    /// % of those comments' valid FFT answers that are very good or good.
    pub percent_fft_positive: Option<f64>,
    /// Change against the previous period, when compared.
    pub change: Option<Change>,
    /// Short exemplar quotes.
    pub quotes: Vec<Quote>,
}

/// The change of a theme's share of comments against the previous period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Comments with the theme in the previous period.
    pub previous_comments: u64,
    /// All comments with text in the previous period.
    pub previous_total: u64,
    /// The theme's share then.
    pub previous_percent: Option<f64>,
    /// Now minus then, in percentage points.
    pub difference_points: Option<f64>,
    /// The test, when both periods have comments.
    pub test: Option<ProportionTest>,
    /// A plain-language flag, only when the change is statistically significant.
    pub flag: Option<String>,
}

/// A touchpoint row: the emotional map of the journey.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TouchpointRow {
    /// Touchpoint id (`waiting`).
    pub id: String,
    /// Label (`Waiting`).
    pub name: String,
    /// Comments mentioning it.
    pub mentions: u64,
    /// As a % of comments with text.
    pub percent: Option<f64>,
    /// How those mentions feel.
    pub sentiment: SentimentSplit,
    /// The themes most often found with it, most frequent first.
    pub top_themes: Vec<NamedCount>,
    /// The most positive mention.
    pub best_quote: Option<Quote>,
    /// The most negative mention.
    pub worst_quote: Option<Quote>,
}

/// A theme with a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedCount {
    /// Theme label.
    pub name: String,
    /// Comments.
    pub count: u64,
}

/// A theme in "what went well" or "what to improve".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Highlight {
    /// Theme label.
    pub theme: String,
    /// Where it came from.
    pub source: ThemeSource,
    /// Comments praising (or criticising) it.
    pub comments: u64,
    /// As a % of all comments with text.
    pub percent: Option<f64>,
    /// A quote that says it.
    pub quote: Option<Quote>,
}

/// Theme × theme co-occurrence among the most frequent themes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cooccurrence {
    /// Theme labels, most frequent first.
    pub themes: Vec<String>,
    /// Comments with both themes: `counts[i][j]`; the diagonal holds each theme's own count.
    pub counts: Vec<Vec<u64>>,
    /// The pairs seen most often together, over all themes.
    pub pairs: Vec<ThemePair>,
}

/// Two themes that appear in the same comments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemePair {
    /// First theme.
    pub a: String,
    /// Second theme.
    pub b: String,
    /// Comments with both.
    pub both: u64,
    /// % of the first theme's comments that also have the second.
    pub percent_of_a: Option<f64>,
    /// % of the second theme's comments that also have the first.
    pub percent_of_b: Option<f64>,
    /// How much more often they meet than if independent: P(a and b) / (P(a) P(b)).
    pub lift: Option<f64>,
}

/// Comments whose text and score disagree.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Discordant {
    /// How many in the period.
    pub total: u64,
    /// The most recent ones, with their score and sentiment.
    pub comments: Vec<Quote>,
}

/// One SPC chart with what it says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpcChart {
    /// A stable id (`percent-positive`, `theme-codebook-waiting`).
    pub id: String,
    /// The measure, e.g. "% of comments complaining about Waiting".
    pub title: String,
    /// Whether higher is better.
    pub direction: ImprovementDirection,
    /// The months, one per point, in order; months left out (see `sparse_months`) are gaps.
    pub months: Vec<YearMonth>,
    /// Numerator per month.
    pub numerators: Vec<u64>,
    /// Denominator per month.
    pub denominators: Vec<u64>,
    /// The computed chart.
    pub chart: Xmr,
    /// What the variation icon would say, in words.
    pub variation: Variation,
    /// The variation in words, e.g. "Special cause variation – improvement (higher is better)".
    pub verdict: String,
    /// What to know about the limits, when they are trial limits (fewer than 12 points), absent (no
    /// month-to-month variation), or waiting for months after a marked change.
    pub limits_note: Option<String>,
    /// The signals, in words, e.g. "Mar 2022: above the upper process limit".
    pub signals: Vec<String>,
    /// Where changes were marked: point index and note.
    pub annotations: Vec<(usize, ChangeNote)>,
    /// Months left out because they had too few comments, with their denominators.
    pub sparse_months: Vec<(YearMonth, u64)>,
}

/// The "what changed" scan: the lasting shifts found, and what was scanned to find them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WhatChanged {
    /// The shifts, most important first.
    pub changes: Vec<ChangeFound>,
    /// Series scanned (enough months and mentions for SPC).
    pub series_scanned: u64,
    /// Series with at least one mention that were too small to scan.
    pub series_too_small: u64,
    /// Series with a special-cause signal that did not pass the rules against false alarms.
    pub signals_set_aside: u64,
    /// Lasting shifts found beyond those listed.
    pub not_listed: u64,
    /// The groupings scanned: `service` and grouping columns such as `Site`.
    pub groupings: Vec<String>,
    /// How the scan was done and ranked, in words.
    pub method: String,
}

/// Whether a series counts complaints, praise or the FFT score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Comments complaining about the subject: lower is better.
    Complaints,
    /// Comments praising the subject: higher is better.
    Praise,
    /// % positive FFT answers: higher is better.
    Score,
}

/// Up or down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    /// The rate went up.
    Up,
    /// The rate went down.
    Down,
}

/// Better or worse for patients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BetterOrWorse {
    /// Fewer complaints, more praise, a higher % positive.
    Better,
    /// More complaints, less praise, a lower % positive.
    Worse,
}

/// A rate over several months, with its counts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RateSpan {
    /// Percentage (0–100).
    pub rate: f64,
    /// Respondents who said it (or positive answers) counted.
    pub count: u64,
    /// Out of this many respondents with text (or valid answers): see [`ChangeFound::unit`].
    pub total: u64,
    /// Over this many months charted.
    pub months: usize,
}

/// One lasting shift in one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeFound {
    /// The group: `{}` for everything, `{"service": "Emergency Department"}`, `{"Site": "Northgate"}`.
    pub scope: std::collections::BTreeMap<String, String>,
    /// The group in words: "Emergency Department", "Site: Northgate", "All comments".
    pub scope_label: String,
    /// A touchpoint id, a theme name, or `% positive`.
    pub subject: String,
    /// The subject as the pack names it ("Waiting").
    pub subject_label: String,
    /// `touchpoint`, `theme` or `score`.
    pub subject_kind: String,
    /// Complaints, praise or score.
    pub polarity: Polarity,
    /// Up or down.
    pub direction: Shift,
    /// Better or worse.
    pub better_or_worse: BetterOrWorse,
    /// The first month after the shift: the month that best splits the series, or a marked change
    /// (`--annotate`) within `first_month_range`.
    pub first_month: YearMonth,
    /// The earliest and latest first months the data allow (a 95% likelihood interval).
    pub first_month_range: (YearMonth, YearMonth),
    /// The months before.
    pub before: RateSpan,
    /// The months from `first_month` on.
    pub after: RateSpan,
    /// Respondents a month the shift adds or removes: |after − before| × the monthly respondents after.
    pub respondents_a_month: f64,
    /// Two-proportion test of before against after.
    pub p_value: f64,
    /// The same shift seen in other series (counting mostly the same comments), listed once here.
    pub also_seen_in: Vec<String>,
    /// A marked change (`--annotate`) within two months of `first_month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<ChangeNote>,
    /// The series' SPC chart.
    pub chart: SpcChart,
    /// Comments from after the shift that say it.
    pub quotes: Vec<Quote>,
}

impl ChangeFound {
    /// "Complaints about Waiting", "Praise for Staff", "% positive".
    pub fn measure(&self) -> String {
        match self.polarity {
            Polarity::Complaints => format!("Complaints about {}", self.subject_label),
            Polarity::Praise => format!("Praise for {}", self.subject_label),
            Polarity::Score => "% positive".to_string(),
        }
    }

    /// What `before.total` and `after.total` count: respondents with text for complaints and praise,
    /// answers with a score for % positive.
    pub fn unit(&self) -> &'static str {
        match self.polarity {
            Polarity::Score => "answers",
            Polarity::Complaints | Polarity::Praise => "respondents",
        }
    }

    /// One line: "Emergency Department: complaints about Waiting down from Jun 2024 (42.0% → 18.0%)".
    pub fn headline(&self) -> String {
        let measure = self.measure();
        let measure = if self.polarity == Polarity::Score {
            measure
        } else {
            let mut m = measure;
            m[..1].make_ascii_lowercase();
            m
        };
        format!(
            "{}: {} {} from {} ({:.1}% → {:.1}%)",
            self.scope_label,
            measure,
            match self.direction {
                Shift::Up => "up",
                Shift::Down => "down",
            },
            month_label(self.first_month),
            self.before.rate,
            self.after.rate
        )
    }
}
