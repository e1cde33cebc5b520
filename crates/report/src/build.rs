//! Computing [`ReportData`] from comments, the catalog and the options: one parallel pass to survey the
//! comments (dates, theme names), one to aggregate everything (what "what changed" needs of each comment
//! included), then small finishing steps on the aggregates, which read back only the comments they quote. The comments come
//! from a [`CommentSource`], so a store is read batch by batch and never held whole: the report's memory
//! does not grow with the store. Nothing is quadratic in the number of comments: co-occurrence is counted
//! per comment over its own few themes.

use std::collections::BTreeSet;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chorus_core::{
    Comment, CommentSource, Date, Direction, Fetched, FftScore, RespondentAnswer, ScoreTally,
    SentimentLabel, ThemeCatalog, ThemeSource, YearMonth,
};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

mod changed;

use crate::Error;
use crate::breakdown::{NOT_RECORDED, RawBreakdown};
use crate::model::{
    Change, Cooccurrence, Discordant, Headline, Highlight, NamedCount, Period, PreviousHeadline,
    ReportData, Scope, SentimentSplit, SpcChart, ThemePair, ThemeRow, TouchpointRow, WhatChanged,
    long_date, month_label, percent,
};
use crate::options::{BreakdownBy, ChangeNote, MIN_SPC_POINTS, ReportOptions};
use crate::quotes::{self, Rank, SHORT_QUOTE_CHARS, STORY_QUOTE_CHARS, TopK};
use crate::spc::{self, ImprovementDirection};
use crate::stats;

/// Touchpoints in journey order, used when the catalog lists none.
pub const DEFAULT_TOUCHPOINTS: [&str; 10] = [
    "access",
    "travel",
    "arrival",
    "waiting",
    "assessment",
    "treatment",
    "information",
    "medication",
    "stay",
    "discharge",
];

/// Themes shown in the co-occurrence grid.
const COOCCURRENCE_THEMES: usize = 12;
/// Pairs listed in the co-occurrence table.
const COOCCURRENCE_PAIRS: usize = 20;
/// Themes in "what went well" and in "what to improve" (the same number: praise gets as much room).
const HIGHLIGHTS: usize = 5;
/// Complex comments listed.
const COMPLEX_COMMENTS: usize = 10;
/// A comment this long (in bytes of text) or with this many themes is complex.
const COMPLEX_LENGTH: usize = 600;
const COMPLEX_THEMES: usize = 4;
/// Discordant comments listed (all are counted).
const DISCORDANT_LISTED: usize = 50;
/// Top themes per touchpoint.
const TOUCHPOINT_THEMES: usize = 3;

/// Builds the report from comments in memory. The comments are read in parallel; the result depends
/// only on the inputs.
pub fn build(
    comments: &[Comment],
    catalog: &ThemeCatalog,
    options: &ReportOptions,
) -> Result<ReportData, Error> {
    build_from(comments, catalog, options)
}

/// Builds the report from `source`, pass by pass, without holding its comments: the same report as
/// [`build`] on the same comments.
pub fn build_from<S: CommentSource + ?Sized>(
    source: &S,
    catalog: &ThemeCatalog,
    options: &ReportOptions,
) -> Result<ReportData, Error> {
    options.validate()?;
    let breakdowns = options.breakdowns();
    let want_attributes = breakdowns
        .iter()
        .any(|b| matches!(b, BreakdownBy::Attribute(_)));
    let service = options.service.as_deref().map(str::trim);
    let survey = survey(source, service, want_attributes)?;
    let breakdowns = resolve_breakdowns(breakdowns, &survey.attributes)?;
    let registry = Registry::new(catalog, &survey);
    let plan = Plan::new(options, &survey, registry, breakdowns, service);

    let table = changed::DimsTable::default();
    let mut acc = aggregate(source, &plan, &table)?;
    let heard = std::mem::take(&mut acc.heard);
    let what_changed =
        changed::what_changed(source, &plan, options, &acc.respondents, heard, table)?;
    let quoted = Fetched::from_source(source, acc.quoted()).map_err(Error::Read)?;
    let mut data = finish(acc, &plan, &quoted, options, what_changed);
    data.method.extend(catalog_notes(catalog));
    Ok(data)
}

/// Calls `each` with every batch of `source` and its first comment's position.
fn scan<S: CommentSource + ?Sized>(
    source: &S,
    mut each: impl FnMut(usize, &[Comment]),
) -> Result<(), Error> {
    source
        .scan(&mut |start, batch| {
            each(start, batch);
            Ok(())
        })
        .map_err(Error::Read)
}

/// The aggregation pass: every comment counted once, on all cores.
fn aggregate<S: CommentSource + ?Sized>(
    source: &S,
    plan: &Plan,
    table: &changed::DimsTable,
) -> Result<Acc, Error> {
    let mut total = Acc::new(plan);
    scan(source, |start, batch| {
        let chunk = (batch.len() / (rayon::current_num_threads() * 4)).max(4096);
        let acc = batch
            .par_chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let mut acc = Acc::new(plan);
                for (i, comment) in part.iter().enumerate() {
                    acc.add(plan, table, start + n * chunk + i, comment);
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.merge(plan, b);
                a
            });
        if let Some(acc) = acc {
            total.merge(plan, acc);
        }
    })?;
    Ok(total)
}

/// What the touchpoints mean (their codebook's descriptions) and where a model's names come from, for the
/// method note.
fn catalog_notes(catalog: &ThemeCatalog) -> Vec<String> {
    let mut notes = Vec::new();
    let defined: Vec<String> = catalog
        .touchpoints
        .iter()
        .filter(|e| !e.description.trim().is_empty())
        .map(|e| {
            format!(
                "{}: {}",
                e.label,
                e.description.trim().trim_end_matches('.')
            )
        })
        .collect();
    if !defined.is_empty() {
        notes.push(format!(
            "Touchpoints are the steps of the care journey a comment speaks about, not words it happens to use; a comment can have none, one or several, and staff attitude or overall praise alone is no touchpoint. {}.",
            defined.join(". ")
        ));
    }
    if catalog
        .themes
        .iter()
        .any(|e| e.source == ThemeSource::Model && e.category.is_some())
    {
        notes.push("The trained model's themes are reported under the sub-categories and categories of NHS England's FFT qualitative framework version 7, through Chorus's crosswalk from the version 6 labels the public data carries: Chorus's reading of the v7 descriptions, editable with `chorus themes --crosswalk`.".to_string());
    }
    notes
}

/// What a first pass learns: the date range, theme names and attributes present.
#[derive(Default)]
struct Survey {
    min: Option<Date>,
    max: Option<Date>,
    themes: FxHashSet<(ThemeSource, Arc<str>)>,
    discovered: FxHashSet<u32>,
    touchpoints: FxHashSet<Arc<str>>,
    attributes: BTreeSet<String>,
}

impl Survey {
    fn merge(mut self, other: Survey) -> Survey {
        self.min = min_opt(self.min, other.min);
        self.max = self.max.max(other.max);
        self.themes.extend(other.themes);
        self.discovered.extend(other.discovered);
        self.touchpoints.extend(other.touchpoints);
        self.attributes.extend(other.attributes);
        self
    }
}

fn min_opt(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn in_service(comment: &Comment, service: Option<&str>) -> bool {
    match service {
        None => true,
        Some(wanted) => comment
            .service
            .as_deref()
            .is_some_and(|s| s.trim().to_lowercase() == wanted.to_lowercase()),
    }
}

fn survey<S: CommentSource + ?Sized>(
    source: &S,
    service: Option<&str>,
    want_attributes: bool,
) -> Result<Survey, Error> {
    let mut total = Survey::default();
    scan(source, |_, batch| {
        let part = survey_batch(batch, service, want_attributes);
        total = std::mem::take(&mut total).merge(part);
    })?;
    Ok(total)
}

fn survey_batch(comments: &[Comment], service: Option<&str>, want_attributes: bool) -> Survey {
    comments
        .par_chunks(8192)
        .map(|part| {
            let mut s = Survey::default();
            for c in part.iter().filter(|c| in_service(c, service)) {
                if let Some(d) = c.date {
                    s.min = min_opt(s.min, Some(d));
                    s.max = s.max.max(Some(d));
                }
                if want_attributes {
                    for key in c.attributes.names() {
                        if !s.attributes.contains(key) {
                            s.attributes.insert(key.to_owned());
                        }
                    }
                }
                if let Some(a) = &c.annotations {
                    for t in &a.themes {
                        let key = (t.source, t.name.clone());
                        if !s.themes.contains(&key) {
                            s.themes.insert(key);
                        }
                    }
                    if let Some(id) = a.discovered_theme {
                        s.discovered.insert(id);
                    }
                    for m in &a.touchpoints {
                        if !s.touchpoints.contains(&m.id) {
                            s.touchpoints.insert(m.id.clone());
                        }
                    }
                }
            }
            s
        })
        .reduce(Survey::default, Survey::merge)
}

/// Matches `--by` attribute names to the attribute keys the comments have, ignoring case.
fn resolve_breakdowns(
    wanted: Vec<BreakdownBy>,
    attributes: &BTreeSet<String>,
) -> Result<Vec<BreakdownBy>, Error> {
    wanted
        .into_iter()
        .map(|by| match by {
            BreakdownBy::Attribute(name) => attributes
                .iter()
                .find(|a| a.trim().eq_ignore_ascii_case(name.trim()))
                .map(|a| BreakdownBy::Attribute(a.clone()))
                .ok_or_else(|| Error::UnknownAttribute {
                    name,
                    available: attributes.iter().cloned().collect(),
                }),
            other => Ok(other),
        })
        .collect()
}

struct ThemeInfo {
    name: String,
    source: ThemeSource,
    direction: Direction,
    description: String,
    /// The framework category, for grouping (a model's themes under a crosswalk).
    category: Option<String>,
}

/// Themes and touchpoints with dense indices, catalog first, then names only the comments use.
struct Registry {
    themes: Vec<ThemeInfo>,
    lookup: [FxHashMap<String, usize>; 3],
    discovered: FxHashMap<u32, usize>,
    touchpoints: Vec<(String, String)>,
    touch_lookup: FxHashMap<String, usize>,
    /// Touchpoints listed by the catalog (or the default journey): shown even when not mentioned.
    journey_len: usize,
}

fn source_slot(source: ThemeSource) -> usize {
    match source {
        ThemeSource::Codebook => 0,
        ThemeSource::Model => 1,
        ThemeSource::Discovered => 2,
    }
}

fn capitalise(id: &str) -> String {
    let mut chars = id.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace(['-', '_'], " "),
        None => String::new(),
    }
}

impl Registry {
    fn new(catalog: &ThemeCatalog, survey: &Survey) -> Registry {
        let mut r = Registry {
            themes: Vec::new(),
            lookup: Default::default(),
            discovered: FxHashMap::default(),
            touchpoints: Vec::new(),
            touch_lookup: FxHashMap::default(),
            journey_len: 0,
        };
        for entry in &catalog.themes {
            let slot = source_slot(entry.source);
            if r.lookup[slot].contains_key(&entry.id) || r.lookup[slot].contains_key(&entry.label) {
                continue;
            }
            let idx = r.themes.len();
            r.themes.push(ThemeInfo {
                name: if entry.label.trim().is_empty() {
                    entry.id.clone()
                } else {
                    entry.label.clone()
                },
                source: entry.source,
                direction: entry.direction,
                description: entry.description.clone(),
                category: entry.category.clone(),
            });
            r.lookup[slot].insert(entry.id.clone(), idx);
            r.lookup[slot].insert(entry.label.clone(), idx);
        }
        let slot = source_slot(ThemeSource::Discovered);
        for d in &catalog.discovered {
            let idx = match r.lookup[slot].get(&d.label) {
                Some(&idx) => idx,
                None => {
                    let idx = r.themes.len();
                    r.themes.push(ThemeInfo {
                        name: d.label.clone(),
                        source: ThemeSource::Discovered,
                        direction: Direction::Neutral,
                        description: d.key_phrases.join(", "),
                        category: None,
                    });
                    r.lookup[slot].insert(d.label.clone(), idx);
                    idx
                }
            };
            r.discovered.entry(d.id).or_insert(idx);
        }
        let mut unknown: Vec<&(ThemeSource, Arc<str>)> = survey
            .themes
            .iter()
            .filter(|(source, name)| !r.lookup[source_slot(*source)].contains_key(&**name))
            .collect();
        unknown.sort();
        for (source, name) in unknown {
            let idx = r.themes.len();
            r.themes.push(ThemeInfo {
                name: name.to_string(),
                source: *source,
                direction: Direction::Neutral,
                description: String::new(),
                category: None,
            });
            r.lookup[source_slot(*source)].insert(name.to_string(), idx);
        }
        let mut unknown_ids: Vec<u32> = survey
            .discovered
            .iter()
            .copied()
            .filter(|id| !r.discovered.contains_key(id))
            .collect();
        unknown_ids.sort_unstable();
        for id in unknown_ids {
            let name = format!("Discovered theme {id}");
            let idx = match r.lookup[slot].get(&name) {
                Some(&idx) => idx,
                None => {
                    let idx = r.themes.len();
                    r.themes.push(ThemeInfo {
                        name: name.clone(),
                        source: ThemeSource::Discovered,
                        direction: Direction::Neutral,
                        description: String::new(),
                        category: None,
                    });
                    r.lookup[slot].insert(name, idx);
                    idx
                }
            };
            r.discovered.insert(id, idx);
        }

        if catalog.touchpoints.is_empty() {
            for id in DEFAULT_TOUCHPOINTS {
                r.add_touchpoint(id.to_string(), capitalise(id));
            }
        } else {
            for entry in &catalog.touchpoints {
                let label = if entry.label.trim().is_empty() {
                    capitalise(&entry.id)
                } else {
                    entry.label.clone()
                };
                r.add_touchpoint(entry.id.clone(), label);
            }
        }
        r.journey_len = r.touchpoints.len();
        let mut extra: Vec<&Arc<str>> = survey
            .touchpoints
            .iter()
            .filter(|id| !r.touch_lookup.contains_key(&***id))
            .collect();
        extra.sort();
        for id in extra {
            r.add_touchpoint(id.to_string(), capitalise(id));
        }
        r
    }

    fn add_touchpoint(&mut self, id: String, label: String) {
        if !self.touch_lookup.contains_key(&id) {
            self.touch_lookup.insert(id.clone(), self.touchpoints.len());
            self.touchpoints.push((id, label));
        }
    }

    fn theme(&self, source: ThemeSource, name: &str) -> Option<usize> {
        self.lookup[source_slot(source)].get(name).copied()
    }
}

/// Everything fixed before the aggregation pass.
struct Plan<'a> {
    registry: Registry,
    service: Option<&'a str>,
    period: Option<Period>,
    explicit_period: bool,
    previous: Option<Period>,
    /// First month of the SPC history and the number of months up to the period's end.
    history_start: Option<YearMonth>,
    months: usize,
    breakdowns: Vec<BreakdownBy>,
    quotes_k: usize,
}

impl<'a> Plan<'a> {
    fn new(
        options: &ReportOptions,
        survey: &Survey,
        registry: Registry,
        breakdowns: Vec<BreakdownBy>,
        service: Option<&'a str>,
    ) -> Plan<'a> {
        let from = options.from.or(survey.min);
        let to = options.to.or(survey.max);
        let period = match (from, to) {
            (Some(from), Some(to)) if from <= to => Some(Period { from, to }),
            _ => None,
        };
        let previous = period.filter(|_| options.compare_previous).map(|p| Period {
            from: p.from.add_days(-p.days()),
            to: p.from.add_days(-1),
        });
        let history_start = survey.min.map(Date::year_month);
        let months = match (history_start, period) {
            (Some(start), Some(p)) => (start.months_until(p.to.year_month()) + 1).max(0) as usize,
            _ => 0,
        };
        Plan {
            registry,
            service,
            period,
            explicit_period: options.from.is_some() || options.to.is_some(),
            previous,
            history_start,
            months,
            breakdowns,
            // Candidates kept per theme and bucket: a few spare for duplicates.
            quotes_k: options.quotes_per_theme.max(1) + 3,
        }
    }

    fn themes(&self) -> usize {
        self.registry.themes.len()
    }

    fn touchpoints(&self) -> usize {
        self.registry.touchpoints.len()
    }

    fn in_current(&self, date: Option<Date>) -> bool {
        if !self.explicit_period {
            return true;
        }
        match (date, self.period) {
            (Some(d), Some(p)) => p.contains(d),
            _ => false,
        }
    }

    fn in_previous(&self, date: Option<Date>) -> bool {
        matches!((date, self.previous), (Some(d), Some(p)) if p.contains(d))
    }

    fn month_index(&self, date: Option<Date>) -> Option<usize> {
        let start = self.history_start?;
        let offset = start.months_until(date?.year_month());
        (offset >= 0 && (offset as usize) < self.months).then_some(offset as usize)
    }

    fn group_value<'c>(&self, by: &BreakdownBy, comment: &'c Comment) -> GroupKey<'c> {
        let text = |value: Option<&'c str>| match value.map(str::trim) {
            Some(v) if !v.is_empty() => GroupKey::Text(v),
            _ => GroupKey::Text(NOT_RECORDED),
        };
        match by {
            BreakdownBy::Service => text(comment.service.as_deref()),
            BreakdownBy::Question => text(Some(&comment.question)),
            BreakdownBy::Attribute(name) => text(comment.attributes.get(name)),
            BreakdownBy::Month => match comment.date {
                Some(d) => GroupKey::Month(d.year_month()),
                None => GroupKey::Text(NOT_RECORDED),
            },
        }
    }
}

enum GroupKey<'c> {
    Text(&'c str),
    Month(YearMonth),
}

#[derive(Clone)]
struct ThemeAcc {
    comments: u64,
    sentiment: SentimentSplit,
    tally: ScoreTally,
}

#[derive(Clone, Default)]
struct TouchAcc {
    mentions: u64,
    sentiment: SentimentSplit,
    best: Option<(Rank, usize)>,
    worst: Option<(Rank, usize)>,
}

struct GroupAcc {
    comments: u64,
    themes: Vec<u64>,
}

/// A respondent's one FFT answer, with the date of the record that gives it (which places the
/// respondent in a period and a month) and its groupings (which place it in what changed's groups).
type Respondent = RespondentAnswer<Answered>;

/// What a respondent's answer keeps of the record that gives it.
struct Answered {
    date: Option<Date>,
    /// The number of its grouping values in the [`changed::DimsTable`].
    dims: u32,
}

/// Quote buckets per theme.
const ANY: usize = 0;
const POSITIVE: usize = 1;
const NEGATIVE: usize = 2;

struct Acc {
    records: u64,
    blank: u64,
    comments: u64,
    undated: u64,
    themed: u64,
    sentiment: SentimentSplit,
    /// Discordant comments' dates and positions (the newest are listed).
    discordant: Vec<(Option<Date>, usize)>,
    theme: Vec<ThemeAcc>,
    previous_comments: u64,
    previous_theme: Vec<u64>,
    touch: Vec<TouchAcc>,
    touch_theme: Vec<u64>,
    pairs: Vec<u64>,
    groups: Vec<FxHashMap<String, GroupAcc>>,
    month_comments: Vec<u64>,
    month_theme: Vec<u64>,
    month_theme_praise: Vec<u64>,
    month_theme_complain: Vec<u64>,
    month_touch_praise: Vec<u64>,
    month_touch_complain: Vec<u64>,
    quotes: Vec<[TopK; 3]>,
    complex: TopK,
    respondents: FxHashMap<u64, Respondent>,
    heard: changed::Heard,
    scratch_themes: Vec<(usize, SentimentLabel, f32)>,
    scratch_touch: Vec<(usize, SentimentLabel, f32)>,
}

impl Acc {
    fn new(plan: &Plan) -> Acc {
        let t = plan.themes();
        let p = plan.touchpoints();
        let m = plan.months;
        Acc {
            records: 0,
            blank: 0,
            comments: 0,
            undated: 0,
            themed: 0,
            sentiment: SentimentSplit::default(),
            discordant: Vec::new(),
            theme: vec![
                ThemeAcc {
                    comments: 0,
                    sentiment: SentimentSplit::default(),
                    tally: ScoreTally::default(),
                };
                t
            ],
            previous_comments: 0,
            previous_theme: vec![0; t],
            touch: vec![TouchAcc::default(); p],
            touch_theme: vec![0; p * t],
            pairs: vec![0; t * t],
            groups: plan
                .breakdowns
                .iter()
                .map(|_| FxHashMap::default())
                .collect(),
            month_comments: vec![0; m],
            month_theme: vec![0; m * t],
            month_theme_praise: vec![0; m * t],
            month_theme_complain: vec![0; m * t],
            month_touch_praise: vec![0; m * p],
            month_touch_complain: vec![0; m * p],
            quotes: vec![Default::default(); t],
            complex: TopK::default(),
            respondents: FxHashMap::default(),
            heard: changed::Heard::default(),
            scratch_themes: Vec::new(),
            scratch_touch: Vec::new(),
        }
    }

    fn add(&mut self, plan: &Plan, table: &changed::DimsTable, index: usize, c: &Comment) {
        if !in_service(c, plan.service) {
            return;
        }
        let current = plan.in_current(c.date);
        let previous = plan.in_previous(c.date);
        let month = plan.month_index(c.date);
        if !current && !previous && month.is_none() {
            return;
        }
        let key = chorus_core::keys::respondent_id_key(c.organisation.as_deref(), &c.respondent);
        let dims = table.id(c);
        let seen = Respondent::new(index as u64, c.score, Answered { date: c.date, dims });
        match self.respondents.entry(key) {
            Entry::Occupied(mut r) => r.get_mut().merge(seen),
            Entry::Vacant(slot) => {
                slot.insert(seen);
            }
        }

        let has_text = !c.no_comment && !c.text.trim().is_empty();
        if current {
            self.records += 1;
            if !has_text {
                self.blank += 1;
            }
        }
        if !has_text {
            return;
        }
        self.resolve(plan, c);
        if let Some(m) = month {
            let (themes, touch) = (&self.scratch_themes, &self.scratch_touch);
            let place = changed::Place {
                position: index,
                month: m,
                dims,
            };
            self.heard.add(plan, c, place, themes, touch);
        }
        let t = plan.themes();
        if current {
            self.add_current(plan, index, c);
        }
        if previous {
            self.previous_comments += 1;
            for &(idx, _, _) in &self.scratch_themes {
                self.previous_theme[idx] += 1;
            }
        }
        if let Some(m) = month {
            self.month_comments[m] += 1;
            for &(idx, label, _) in &self.scratch_themes {
                self.month_theme[m * t + idx] += 1;
                match label {
                    SentimentLabel::Positive => self.month_theme_praise[m * t + idx] += 1,
                    SentimentLabel::Negative => self.month_theme_complain[m * t + idx] += 1,
                    _ => {}
                }
            }
            let p = plan.touchpoints();
            for &(idx, label, _) in &self.scratch_touch {
                match label {
                    SentimentLabel::Positive => self.month_touch_praise[m * p + idx] += 1,
                    SentimentLabel::Negative => self.month_touch_complain[m * p + idx] += 1,
                    _ => {}
                }
            }
        }
    }

    /// Fills the scratch buffers with this comment's distinct themes and touchpoints.
    fn resolve(&mut self, plan: &Plan, c: &Comment) {
        resolve(plan, c, &mut self.scratch_themes, &mut self.scratch_touch);
    }

    fn add_current(&mut self, plan: &Plan, index: usize, c: &Comment) {
        let t = plan.themes();
        self.comments += 1;
        if c.date.is_none() {
            self.undated += 1;
        }
        if let Some(a) = &c.annotations {
            self.sentiment.add(a.sentiment.label);
            if a.discordant {
                self.discordant.push((c.date, index));
            }
        }
        if !self.scratch_themes.is_empty() {
            self.themed += 1;
        }
        let k = plan.quotes_k;
        let overall = c.annotations.as_ref().map(|a| a.sentiment.label);
        let topics = self.scratch_themes.len();
        for (n, &(idx, label, confidence)) in self.scratch_themes.iter().enumerate() {
            let acc = &mut self.theme[idx];
            acc.comments += 1;
            acc.sentiment.add(label);
            acc.tally.add(c.score);
            let rank = quotes::rank(c, index, topics, confidence, true);
            self.quotes[idx][ANY].offer(k, rank, index);
            // Praise is best shown by a comment that is praise as a whole ("lovely staff" from a
            // furious comment is a poor example), and likewise for criticism.
            let whole = overall == Some(label);
            let rank = quotes::rank(c, index, topics, confidence, whole);
            match label {
                SentimentLabel::Positive => self.quotes[idx][POSITIVE].offer(k, rank, index),
                SentimentLabel::Negative => self.quotes[idx][NEGATIVE].offer(k, rank, index),
                _ => {}
            }
            for &(other, _, _) in &self.scratch_themes[n + 1..] {
                let (a, b) = if idx < other {
                    (idx, other)
                } else {
                    (other, idx)
                };
                self.pairs[a * t + b] += 1;
            }
        }
        let topics = self.scratch_touch.len();
        for &(tp, label, score) in &self.scratch_touch {
            let acc = &mut self.touch[tp];
            acc.mentions += 1;
            acc.sentiment.add(label);
            match label {
                SentimentLabel::Positive => {
                    let whole = overall == Some(SentimentLabel::Positive);
                    let rank = quotes::rank(c, index, topics, (score + 1.0) / 2.0, whole);
                    keep_best(&mut acc.best, rank, index);
                }
                SentimentLabel::Negative => {
                    let whole = overall == Some(SentimentLabel::Negative);
                    let rank = quotes::rank(c, index, topics, (1.0 - score) / 2.0, whole);
                    keep_best(&mut acc.worst, rank, index);
                }
                _ => {}
            }
            for &(idx, _, _) in &self.scratch_themes {
                self.touch_theme[tp * t + idx] += 1;
            }
        }
        for (slot, by) in plan.breakdowns.iter().enumerate() {
            let groups = &mut self.groups[slot];
            let acc = match plan.group_value(by, c) {
                GroupKey::Text(value) => {
                    if !groups.contains_key(value) {
                        groups.insert(value.to_string(), GroupAcc::new(t));
                    }
                    groups.get_mut(value)
                }
                GroupKey::Month(month) => Some(
                    groups
                        .entry(month.to_string())
                        .or_insert_with(|| GroupAcc::new(t)),
                ),
            };
            if let Some(acc) = acc {
                acc.comments += 1;
                for &(idx, _, _) in &self.scratch_themes {
                    acc.themes[idx] += 1;
                }
            }
        }
        let theme_count = self.scratch_themes.len();
        if c.text.len() >= COMPLEX_LENGTH || theme_count >= COMPLEX_THEMES {
            // More themes first, then touchpoints, then length.
            let weight =
                (theme_count * 200 + self.scratch_touch.len() * 100 + c.text.len().min(3000) / 10)
                    .min(u16::MAX as usize) as u16;
            self.complex.offer(
                COMPLEX_COMMENTS,
                (0, 0, u16::MAX - weight, quotes::shuffle_key(c), index),
                index,
            );
        }
    }

    fn merge(&mut self, plan: &Plan, other: Acc) {
        self.records += other.records;
        self.blank += other.blank;
        self.comments += other.comments;
        self.undated += other.undated;
        self.themed += other.themed;
        self.sentiment.merge(&other.sentiment);
        self.discordant.extend(other.discordant);
        for (a, b) in self.theme.iter_mut().zip(other.theme) {
            a.comments += b.comments;
            a.sentiment.merge(&b.sentiment);
            for (x, y) in a.tally.counts.iter_mut().zip(b.tally.counts) {
                *x += y;
            }
        }
        self.previous_comments += other.previous_comments;
        add_all(&mut self.previous_theme, &other.previous_theme);
        for (a, b) in self.touch.iter_mut().zip(other.touch) {
            a.mentions += b.mentions;
            a.sentiment.merge(&b.sentiment);
            if let Some((rank, index)) = b.best {
                keep_best(&mut a.best, rank, index);
            }
            if let Some((rank, index)) = b.worst {
                keep_best(&mut a.worst, rank, index);
            }
        }
        add_all(&mut self.touch_theme, &other.touch_theme);
        add_all(&mut self.pairs, &other.pairs);
        for (mine, theirs) in self.groups.iter_mut().zip(other.groups) {
            for (name, acc) in theirs {
                match mine.get_mut(&name) {
                    Some(existing) => {
                        existing.comments += acc.comments;
                        add_all(&mut existing.themes, &acc.themes);
                    }
                    None => {
                        mine.insert(name, acc);
                    }
                }
            }
        }
        add_all(&mut self.month_comments, &other.month_comments);
        add_all(&mut self.month_theme, &other.month_theme);
        add_all(&mut self.month_theme_praise, &other.month_theme_praise);
        add_all(&mut self.month_theme_complain, &other.month_theme_complain);
        add_all(&mut self.month_touch_praise, &other.month_touch_praise);
        add_all(&mut self.month_touch_complain, &other.month_touch_complain);
        for (mine, theirs) in self.quotes.iter_mut().zip(other.quotes) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(plan.quotes_k, b);
            }
        }
        self.complex.merge(COMPLEX_COMMENTS, other.complex);
        for (key, r) in other.respondents {
            match self.respondents.entry(key) {
                Entry::Occupied(mut mine) => mine.get_mut().merge(r),
                Entry::Vacant(slot) => {
                    slot.insert(r);
                }
            }
        }
        self.heard.merge(other.heard);
    }

    /// The discordant comments listed: the newest first.
    fn discordant_listed(&self) -> Vec<usize> {
        let mut order = self.discordant.clone();
        order.sort_by_key(|&(date, i)| (std::cmp::Reverse(date), i));
        order
            .into_iter()
            .take(DISCORDANT_LISTED)
            .map(|(_, i)| i)
            .collect()
    }

    /// The positions of every comment the report may quote: the candidates kept for each theme and
    /// touchpoint, the complex comments and the discordant ones listed.
    fn quoted(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .quotes
            .iter()
            .flatten()
            .flat_map(TopK::indices)
            .collect();
        out.extend(
            self.touch
                .iter()
                .flat_map(|t| [t.best, t.worst])
                .flatten()
                .map(|(_, i)| i),
        );
        out.extend(self.complex.indices());
        out.extend(self.discordant_listed());
        out
    }
}

impl GroupAcc {
    fn new(themes: usize) -> GroupAcc {
        GroupAcc {
            comments: 0,
            themes: vec![0; themes],
        }
    }
}

/// A comment's distinct themes and touchpoints (registry indices), each with its sentiment and
/// strength: its discovered theme counts when no theme of its list is a discovered one.
fn resolve(
    plan: &Plan,
    c: &Comment,
    themes: &mut Vec<(usize, SentimentLabel, f32)>,
    touch: &mut Vec<(usize, SentimentLabel, f32)>,
) {
    themes.clear();
    touch.clear();
    let Some(a) = &c.annotations else { return };
    let mut has_discovered = false;
    for t in &a.themes {
        has_discovered |= t.source == ThemeSource::Discovered;
        if let Some(idx) = plan.registry.theme(t.source, &t.name)
            && !themes.iter().any(|(i, _, _)| *i == idx)
        {
            themes.push((idx, t.sentiment, t.confidence));
        }
    }
    if !has_discovered
        && let Some(idx) = a
            .discovered_theme
            .and_then(|id| plan.registry.discovered.get(&id).copied())
        && !themes.iter().any(|(i, _, _)| *i == idx)
    {
        themes.push((idx, a.sentiment.label, 1.0));
    }
    for m in &a.touchpoints {
        if let Some(&idx) = plan.registry.touch_lookup.get(&*m.id)
            && !touch.iter().any(|(i, _, _)| *i == idx)
        {
            touch.push((idx, m.sentiment, m.score));
        }
    }
}

fn add_all(into: &mut [u64], from: &[u64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

fn keep_best(slot: &mut Option<(Rank, usize)>, rank: Rank, index: usize) {
    if slot.is_none_or(|(best, _)| rank < best) {
        *slot = Some((rank, index));
    }
}

/// Respondent tallies by period and month, each respondent counted once.
struct Tallies {
    current: ScoreTally,
    current_respondents: u64,
    previous: ScoreTally,
    previous_respondents: u64,
    /// Respondents in the period whose rows gave different valid answers.
    conflicting: u64,
    months: Vec<ScoreTally>,
}

fn tallies(acc: &Acc, plan: &Plan) -> Tallies {
    let mut t = Tallies {
        current: ScoreTally::default(),
        current_respondents: 0,
        previous: ScoreTally::default(),
        previous_respondents: 0,
        conflicting: 0,
        months: vec![ScoreTally::default(); plan.months],
    };
    for r in acc.respondents.values() {
        if plan.in_current(r.record.date) {
            t.current.add(r.score);
            t.current_respondents += 1;
            t.conflicting += u64::from(r.conflicting);
        }
        if plan.in_previous(r.record.date) {
            t.previous.add(r.score);
            t.previous_respondents += 1;
        }
        if let Some(m) = plan.month_index(r.record.date) {
            t.months[m].add(r.score);
        }
    }
    t
}

/// The report from the aggregates; `quoted` holds the comments [`Acc::quoted`] names.
fn finish(
    acc: Acc,
    plan: &Plan,
    quoted: &Fetched,
    options: &ReportOptions,
    what_changed: WhatChanged,
) -> ReportData {
    let registry = &plan.registry;
    let t = plan.themes();
    let tallies = tallies(&acc, plan);
    let headline = Headline {
        comments: acc.comments,
        respondents: tallies.current_respondents,
        records: acc.records,
        blank_answers: acc.blank,
        fft_answers: tallies.current.valid(),
        percent_positive: tallies.current.percent_positive(),
        percent_negative: tallies.current.percent_negative(),
        themed_comments: acc.themed,
        sentiment: acc.sentiment,
        discordant_comments: acc.discordant.len() as u64,
        previous: plan.previous.map(|_| PreviousHeadline {
            comments: acc.previous_comments,
            respondents: tallies.previous_respondents,
            percent_positive: tallies.previous.percent_positive(),
        }),
    };

    // Themes, most mentioned first; the themes of one framework category together, where their most
    // mentioned one would come.
    let mut order: Vec<usize> = (0..t)
        .filter(|&i| acc.theme[i].comments > 0 || acc.previous_theme[i] > 0)
        .collect();
    let group_size = |i: usize| match &registry.themes[i].category {
        Some(category) => order
            .iter()
            .filter(|&&j| registry.themes[j].category.as_ref() == Some(category))
            .map(|&j| acc.theme[j].comments)
            .max()
            .unwrap_or(0),
        None => acc.theme[i].comments,
    };
    let groups: Vec<u64> = (0..t).map(group_size).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&registry.themes[a], &registry.themes[b]);
        groups[b]
            .cmp(&groups[a])
            .then_with(|| ta.category.cmp(&tb.category))
            .then_with(|| acc.theme[b].comments.cmp(&acc.theme[a].comments))
            .then_with(|| ta.name.cmp(&tb.name))
            .then_with(|| ta.source.cmp(&tb.source))
    });
    let short_quote = |index: usize| {
        quoted
            .get(index)
            .map(|c| quotes::quote(c, SHORT_QUOTE_CHARS, false, vec![]))
    };
    let themes: Vec<ThemeRow> = order
        .iter()
        .map(|&i| {
            let info = &registry.themes[i];
            let a = &acc.theme[i];
            ThemeRow {
                key: format!("{}:{}", info.source, info.name),
                name: info.name.clone(),
                source: info.source,
                direction: info.direction,
                description: info.description.clone(),
                category: info.category.clone(),
                comments: a.comments,
                percent: percent(a.comments, acc.comments),
                sentiment: a.sentiment,
                mean_fft: a.tally.mean_rating(),
                percent_fft_positive: a.tally.percent_positive(),
                change: plan.previous.map(|_| {
                    change(
                        a.comments,
                        acc.comments,
                        acc.previous_theme[i],
                        acc.previous_comments,
                    )
                }),
                quotes: exemplars(
                    &acc.quotes[i],
                    &a.sentiment,
                    options.quotes_per_theme,
                    quoted,
                )
                .into_iter()
                .filter_map(short_quote)
                .collect(),
            }
        })
        .collect();

    let touchpoints: Vec<TouchpointRow> = registry
        .touchpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < registry.journey_len || acc.touch[*i].mentions > 0)
        .map(|(i, (id, label))| {
            let a = &acc.touch[i];
            let row = &acc.touch_theme[i * t..(i + 1) * t];
            let mut top: Vec<usize> = (0..t).filter(|&j| row[j] > 0).collect();
            top.sort_by(|&x, &y| {
                row[y]
                    .cmp(&row[x])
                    .then_with(|| registry.themes[x].name.cmp(&registry.themes[y].name))
            });
            TouchpointRow {
                id: id.clone(),
                name: label.clone(),
                mentions: a.mentions,
                percent: percent(a.mentions, acc.comments),
                sentiment: a.sentiment,
                top_themes: top
                    .into_iter()
                    .take(TOUCHPOINT_THEMES)
                    .map(|j| NamedCount {
                        name: registry.themes[j].name.clone(),
                        count: row[j],
                    })
                    .collect(),
                best_quote: a.best.and_then(|(_, index)| short_quote(index)),
                worst_quote: a.worst.and_then(|(_, index)| short_quote(index)),
            }
        })
        .collect();

    let highlight = |label: SentimentLabel, bucket: usize| -> Vec<Highlight> {
        let mut ranked: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| acc.theme[i].sentiment.get(label) > 0)
            .collect();
        ranked.sort_by(|&a, &b| {
            let (x, y) = (
                acc.theme[a].sentiment.get(label),
                acc.theme[b].sentiment.get(label),
            );
            y.cmp(&x)
                .then_with(|| registry.themes[a].name.cmp(&registry.themes[b].name))
        });
        ranked
            .into_iter()
            .take(HIGHLIGHTS)
            .map(|i| {
                let n = acc.theme[i].sentiment.get(label);
                Highlight {
                    theme: registry.themes[i].name.clone(),
                    source: registry.themes[i].source,
                    comments: n,
                    percent: percent(n, acc.comments),
                    quote: acc.quotes[i][bucket].indices().next().and_then(short_quote),
                }
            })
            .collect()
    };
    let went_well = highlight(SentimentLabel::Positive, POSITIVE);
    let to_improve = highlight(SentimentLabel::Negative, NEGATIVE);

    let shown: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| acc.theme[i].comments > 0)
        .collect();
    let breakdowns = plan
        .breakdowns
        .iter()
        .zip(&acc.groups)
        .map(|(by, groups)| {
            let names: Vec<&String> = groups.keys().collect();
            RawBreakdown {
                by: by.clone(),
                groups: names
                    .iter()
                    .map(|n| ((*n).clone(), groups[*n].comments))
                    .collect(),
                rows: shown
                    .iter()
                    .map(|&i| {
                        (
                            registry.themes[i].name.clone(),
                            registry.themes[i].source,
                            names.iter().map(|n| groups[*n].themes[i]).collect(),
                        )
                    })
                    .collect(),
            }
            .finish(options.suppress_below)
        })
        .collect();

    let cooccurrence = cooccurrence(&acc, plan, &shown);

    let complex_comments = acc
        .complex
        .indices()
        .filter_map(|index| quoted.get(index))
        .map(|c| {
            let mut names: Vec<String> = c
                .annotations
                .iter()
                .flat_map(|a| a.themes.iter())
                .filter_map(|t| registry.theme(t.source, &t.name))
                .map(|i| registry.themes[i].name.clone())
                .collect();
            names.dedup();
            quotes::quote(c, STORY_QUOTE_CHARS, true, names)
        })
        .collect();

    let discordant = Discordant {
        total: acc.discordant.len() as u64,
        comments: acc
            .discordant_listed()
            .into_iter()
            .filter_map(short_quote)
            .collect(),
    };

    let spc = spc_charts(&acc, plan, &tallies, &themes, &order, &touchpoints, options);
    let mut method = method_notes(plan, options, &headline, tallies.conflicting);
    method.push(what_changed.method.clone());
    let mut change_notes = options.annotations.clone();
    change_notes.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.text.cmp(&b.text)));

    ReportData {
        source: options.source.clone(),
        scope: Scope {
            period: plan.period,
            previous: plan.previous,
            service: options.service.clone(),
            undated_comments: acc.undated,
        },
        headline,
        themes,
        touchpoints,
        went_well,
        to_improve,
        breakdowns,
        cooccurrence,
        complex_comments,
        discordant,
        what_changed,
        spc,
        change_notes,
        method,
        set_aside: options.set_aside.clone().filter(|s| s.records > 0),
    }
}

/// Up to `k` exemplar comment indices: the dominant sentiment's best, then the other side's best, then
/// the rest, without repeating a text.
fn exemplars(
    buckets: &[TopK; 3],
    sentiment: &SentimentSplit,
    k: usize,
    quoted: &Fetched,
) -> Vec<usize> {
    let (first, second) = if sentiment.negative > sentiment.positive {
        (NEGATIVE, POSITIVE)
    } else {
        (POSITIVE, NEGATIVE)
    };
    let lists: Vec<Vec<usize>> = [first, second, ANY]
        .iter()
        .map(|&b| buckets[b].indices().collect())
        .collect();
    let mut order = Vec::new();
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for list in &lists {
            if let Some(&index) = list.get(i) {
                order.push(index);
            }
        }
    }
    let mut seen_text = FxHashSet::default();
    let mut out = Vec::new();
    for index in order {
        if out.len() == k {
            break;
        }
        if out.contains(&index) {
            continue;
        }
        let Some(comment) = quoted.get(index) else {
            continue;
        };
        if seen_text.insert(quotes::same_text_key(&comment.text)) {
            out.push(index);
        }
    }
    out
}

fn change(k1: u64, n1: u64, k2: u64, n2: u64) -> Change {
    let now = percent(k1, n1);
    let then = percent(k2, n2);
    let test = stats::compare_proportions(k1, n1, k2, n2);
    let flag = match (test, now, then) {
        (Some(test), Some(now), Some(then)) if test.significant() => Some(format!(
            "{} often than the previous period ({now:.1}% vs {then:.1}% of comments; {}, {})",
            if now > then { "More" } else { "Less" },
            format_p(test.p_value),
            test.method.label()
        )),
        _ => None,
    };
    Change {
        previous_comments: k2,
        previous_total: n2,
        previous_percent: then,
        difference_points: now.zip(then).map(|(a, b)| a - b),
        test,
        flag,
    }
}

/// A p-value as people read it: "p = 0.012", "p < 0.001".
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

fn cooccurrence(acc: &Acc, plan: &Plan, shown: &[usize]) -> Cooccurrence {
    let t = plan.themes();
    let registry = &plan.registry;
    let both = |a: usize, b: usize| {
        let (x, y) = if a < b { (a, b) } else { (b, a) };
        if x == y {
            acc.theme[x].comments
        } else {
            acc.pairs[x * t + y]
        }
    };
    let grid: Vec<usize> = shown.iter().copied().take(COOCCURRENCE_THEMES).collect();
    let mut pairs: Vec<(usize, usize, u64)> = Vec::new();
    for (n, &a) in shown.iter().enumerate() {
        for &b in &shown[n + 1..] {
            let count = both(a, b);
            if count > 0 {
                pairs.push((a, b, count));
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.2.cmp(&x.2)
            .then_with(|| registry.themes[x.0].name.cmp(&registry.themes[y.0].name))
            .then_with(|| registry.themes[x.1].name.cmp(&registry.themes[y.1].name))
    });
    let n = acc.comments as f64;
    Cooccurrence {
        themes: grid
            .iter()
            .map(|&i| registry.themes[i].name.clone())
            .collect(),
        counts: grid
            .iter()
            .map(|&a| grid.iter().map(|&b| both(a, b)).collect())
            .collect(),
        pairs: pairs
            .into_iter()
            .take(COOCCURRENCE_PAIRS)
            .map(|(a, b, count)| {
                let (ca, cb) = (acc.theme[a].comments, acc.theme[b].comments);
                ThemePair {
                    a: registry.themes[a].name.clone(),
                    b: registry.themes[b].name.clone(),
                    both: count,
                    percent_of_a: percent(count, ca),
                    percent_of_b: percent(count, cb),
                    lift: (ca > 0 && cb > 0).then(|| count as f64 * n / (ca as f64 * cb as f64)),
                }
            })
            .collect(),
    }
}

/// One measure's monthly series.
struct Series {
    id: String,
    title: String,
    direction: ImprovementDirection,
    numerators: Vec<u64>,
    denominators: Vec<u64>,
}

fn spc_charts(
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
fn near_identical(a: &[u64], b: &[u64]) -> bool {
    let total: u64 = a.iter().zip(b).map(|(x, y)| x.max(y)).sum();
    let apart: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).sum();
    total > 0 && apart * 5 <= total
}

fn spc_chart(
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
fn limits_note(chart: &spc::Xmr, months: &[YearMonth]) -> Option<String> {
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
fn signals(chart: &spc::Xmr, months: &[YearMonth]) -> Vec<String> {
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

fn method_notes(
    plan: &Plan,
    options: &ReportOptions,
    headline: &Headline,
    conflicting: u64,
) -> Vec<String> {
    let mut notes = vec![
        "Comments are answers with text. Blank answers and placeholders (\"N/A\", \"Did not answer\") count towards respondents and % positive only.".to_string(),
        format!(
            "% positive is the share of valid FFT answers (1–6, including \"don't know\") that are very good or good, counting each respondent once, as NHS England publishes it: a respondent's answer is the first valid one on their rows, in the order the rows were ingested.{}",
            match conflicting {
                0 => String::new(),
                1 => " One respondent's rows gave different answers; the first counts.".to_string(),
                n => format!(" {n} respondents' rows gave different answers; the first counts."),
            }
        ),
        "A theme's % FFT positive is different: it counts the FFT answer of each comment with the theme, so a respondent with two such comments counts twice.".to_string(),
        "Themes come from three sources: codebook (editable term lists), model (trained on labelled comments) and discovered (clusters found in the text). A comment can carry several themes, so theme counts add up to more than the comments.".to_string(),
        "Sentiment is read from the text. A comment is discordant when its text contradicts its FFT score (a very good score with a complaint, or the reverse).".to_string(),
        format!(
            "Breakdowns suppress counts from 1 to {} (shown as \"<{}\") and, where a single small count could be worked out from the published totals, hide one more cell (shown as \"[c]\"); percentages of hidden counts are not shown.",
            options.suppress_below.saturating_sub(1),
            options.suppress_below
        ),
        format!(
            "SPC charts are XmR charts of monthly values following NHS England's Making Data Count rules as implemented by NHSRplotthedots: process limits at the mean ± 2.66 × the mean moving range (moving ranges over 3.267 × their mean screened out); special cause for a point outside the limits, 7 points in a row on one side of the mean, 7 points rising or falling, or 2 of 3 points beyond two sigma on the same side. Charts use every month with at least {} comments up to the end of the period, so the limits rest on as much history as there is; months with fewer are left out of the calculation and shown as gaps on the time axis. With fewer than {MIN_SPC_POINTS} months the limits are trial limits, marked as such, which move as months are added; when the value is the same every month there are no limits, and only runs and trends are tested.",
            options.spc_min_month
        ),
        "Quotes are redacted at ingest: names, phone numbers, emails and other identifiers are replaced by markers such as [NAME].".to_string(),
        format!(
            "Quotes are shortened at a sentence or word boundary to about {SHORT_QUOTE_CHARS} characters, and stories to read in full to about {STORY_QUOTE_CHARS}; a shortened quote ends with \"…\" and says so, with its comment id. The store keeps every comment whole, and `chorus export` writes them whole."
        ),
    ];
    if let Some(prev) = plan.previous {
        notes.push(format!(
            "Changes compare each theme's share of comments with the previous period of equal length ({}), using a two-proportion z-test, or Fisher's exact test when an expected count is below 5, and are flagged at p < 0.05 (two-sided). With many themes about 1 in 20 unchanged themes can be flagged by chance: treat a flag as a prompt to look, not proof.",
            prev.label()
        ));
    }
    if let Some(n) = options.baseline {
        notes.push(format!(
            "Process limits are fixed on the first {n} points of each chart segment."
        ));
    }
    if !options.annotations.is_empty() {
        notes.push(format!(
            "Each marked change starts new process limits from the month it falls in, once {MIN_SPC_POINTS} months follow it; until then the limits before it stand, so that an effect of the change shows as a signal against them."
        ));
    }
    if plan.explicit_period {
        if let Some(p) = plan.period {
            notes.push(format!(
                "Only comments dated {} to {} are in the tables.",
                long_date(p.from),
                long_date(p.to)
            ));
        }
    } else if headline.comments > 0 {
        notes
            .push("No period was given: the tables cover every comment, dated or not.".to_string());
    }
    notes
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
