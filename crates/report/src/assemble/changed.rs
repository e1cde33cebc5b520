//! "What changed": every group (everything, each service, each value of a grouping column such as `Site`) ×
//! every touchpoint and theme, complaints and praise apart, and % positive, as a monthly SPC series; the
//! lasting shifts, ranked.
//!
//! Complaints and praise are counted in respondents, not comments: the share of the month's respondents
//! with text who complained (or praised) in any of their answers. FFT respondents often say the same thing
//! under "why" and "what could we do better"; counted twice, a month's rate would lean on who wrote two
//! answers, and the binomial tests below would treat one person's two answers as two independent trials
//! (which lists false alarms). Which months are charted still follows the comments, as in every chart of
//! the pack.
//!
//! A series is a shift when all of these hold, which keep the false alarms of scanning hundreds of series
//! down: 1. its XmR chart (the same [`crate::spc`] rules as every chart) has a special-cause point on the
//! new side at or after the shift; 2. the shift is the month that best splits the series into a before and
//! an after (largest binomial likelihood ratio), with at least [`MIN_SIDE`] months on each side; 3. it
//! lasts: at least [`PERSIST`] of the months after it are on the new side of the rate before; 4. before and
//! after differ beyond chance with a Bonferroni correction for the series scanned.
//!
//! Shifts that count mostly the same comments (a theme and its touchpoint, a service and its site) are
//! listed once, under the strongest, with the others named.

use std::collections::BTreeMap;

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use chorus_core::{
    Attributes, Comment, CommentSource, Fetched, FftScore, ScoreTally, SentimentLabel, YearMonth,
    keys,
};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::{NOT_RECORDED, Plan, Series, slug, spc_chart};
use crate::Error;
use crate::model::{BetterOrWorse, ChangeFound, Polarity, Quote, RateSpan, Shift, WhatChanged};
use crate::options::{ChangeNote, MIN_SPC_POINTS, ReportOptions};
use crate::quotes::{self, SHORT_QUOTE_CHARS};
use crate::spc::{self, ImprovementDirection};
use crate::stats;

/// Changes listed; the others found are counted.
pub(crate) const LISTED: usize = 8;
/// A column with more distinct values than this is no grouping (free text, ids, dates); nor is a
/// column of numbers.
const MAX_GROUPS: usize = 60;
/// A series needs this many mentions in its charted months to be scanned.
const MIN_MENTIONS: u64 = 20;
/// Months at least on each side of a shift.
const MIN_SIDE: usize = 3;
/// Share of the months after a shift that must be on its new side of the rate before.
const PERSIST: f64 = 0.75;
/// Chance of one false alarm among all series scanned (Bonferroni).
const ALPHA: f64 = 0.05;
/// Quotes per change.
const QUOTES: usize = 3;
/// A marked change this many months from a shift is shown with it.
const NEAR: i32 = 2;
/// A cluster's member carrying this share of its largest shift (in respondents a month) can represent it.
const CARRIES: f64 = 0.6;
/// Two shifts counting this share of the smaller one's comments are one change.
const SAME_COMMENTS: f64 = 0.5;

/// A grouping: the service, or an attribute column.
enum Dim {
    Service,
    Organisation,
    Attribute(String),
}

impl Dim {
    fn name(&self) -> &str {
        match self {
            Dim::Service => "service",
            Dim::Organisation => "organisation",
            Dim::Attribute(name) => name,
        }
    }

    fn value<'d>(&self, d: &'d Dims) -> Option<&'d str> {
        let value = match self {
            Dim::Service => d.service.as_deref(),
            Dim::Organisation => d.organisation.as_deref(),
            Dim::Attribute(name) => d.attributes.get(name),
        }?
        .trim();
        (!value.is_empty() && value != NOT_RECORDED).then_some(value)
    }
}

/// A record's values of every possible grouping (service, organisation, attribute columns), kept until
/// the groups are chosen, once all are counted.
#[derive(Clone, Debug, Default)]
struct Dims {
    service: Option<Arc<str>>,
    organisation: Option<Arc<str>>,
    attributes: Attributes,
}

impl Dims {
    fn of(c: &Comment) -> Dims {
        Dims {
            service: c.service.clone(),
            organisation: c.organisation.clone(),
            attributes: c.attributes.clone(),
        }
    }

    fn is_of(&self, c: &Comment) -> bool {
        self.service == c.service
            && self.organisation == c.organisation
            && self.attributes == c.attributes
    }
}

/// Every distinct combination of grouping values among the records, by number: a record keeps the
/// number, not the strings, since most records share a few hundred combinations. Numbers are given in
/// the order records arrive from the threads, so they never reach the report: only what they stand
/// for does.
#[derive(Default)]
pub(super) struct DimsTable {
    inner: Mutex<DimsInner>,
}

#[derive(Default)]
struct DimsInner {
    by_hash: FxHashMap<u64, Vec<u32>>,
    all: Vec<Dims>,
}

impl DimsTable {
    /// The number of `c`'s combination.
    pub(super) fn id(&self, c: &Comment) -> u32 {
        let mut hasher = FxHasher::default();
        c.service.hash(&mut hasher);
        c.organisation.hash(&mut hasher);
        c.attributes.hash(&mut hasher);
        let hash = hasher.finish();
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ids) = inner.by_hash.get(&hash)
            && let Some(&id) = ids.iter().find(|&&id| inner.all[id as usize].is_of(c))
        {
            return id;
        }
        let id = inner.all.len() as u32;
        inner.all.push(Dims::of(c));
        inner.by_hash.entry(hash).or_default().push(id);
        id
    }

    fn into_all(self) -> Vec<Dims> {
        self.inner
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .all
    }
}

/// A group of comments: everything (`dim` `None`) or one value of a grouping.
struct Group {
    dim: Option<usize>,
    value: String,
}

/// Comments with text per grouping value, in the months charted.
#[derive(Default)]
struct Census {
    services: FxHashMap<String, u64>,
    organisations: FxHashMap<String, u64>,
    attributes: FxHashMap<String, FxHashMap<String, u64>>,
}

/// Adds `n` to `key`'s count, allocating its name only the first time.
fn bump(counts: &mut FxHashMap<String, u64>, key: &str, n: u64) {
    match counts.get_mut(key) {
        Some(count) => *count += n,
        None => {
            counts.insert(key.to_owned(), n);
        }
    }
}

impl Census {
    /// The census of the comments that spoke, whose combinations of values are `dims`.
    fn of(spoken: &[Spoken], dims: &[Dims]) -> Census {
        let mut per_dims = vec![0u64; dims.len()];
        for c in spoken {
            per_dims[c.dims as usize] += 1;
        }
        let mut census = Census::default();
        for (d, n) in dims.iter().zip(per_dims).filter(|(_, n)| *n > 0) {
            census.add(d, n);
        }
        census
    }

    /// Counts `n` comments with values `d`.
    fn add(&mut self, d: &Dims, n: u64) {
        if let Some(s) = Dim::Service.value(d) {
            bump(&mut self.services, s, n);
        }
        if let Some(s) = Dim::Organisation.value(d) {
            bump(&mut self.organisations, s, n);
        }
        for (name, value) in d.attributes.iter() {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match self.attributes.get_mut(name) {
                Some(values) => bump(values, value, n),
                None => {
                    let mut values = FxHashMap::default();
                    values.insert(value.to_owned(), n);
                    self.attributes.insert(name.to_owned(), values);
                }
            }
        }
    }
}

/// Monthly counts of one group: comments (which decide the months charted, as in every chart),
/// respondents with text (the denominator), and respondents per subject and polarity.
#[derive(Clone)]
struct Counts {
    comments: Vec<u64>,
    respondents: Vec<u64>,
    /// `[(month × subjects + subject) × 2 + polarity]`, polarity 0 complaints, 1 praise.
    mentions: Vec<u64>,
    scores: Vec<ScoreTally>,
}

/// Everything the scan needs of the groups chosen.
struct Frame {
    dims: Vec<Dim>,
    groups: Vec<Group>,
    lookup: Vec<FxHashMap<String, usize>>,
    /// Groupings with groups too small to scan, and how many.
    small_groups: u64,
    subjects: usize,
    touchpoints: usize,
}

impl Frame {
    fn new(census: &Census, plan: &Plan, options: &ReportOptions) -> Frame {
        let big = (MIN_SPC_POINTS as u64) * options.spc_min_month.max(1);
        let mut dims = Vec::new();
        let mut candidates: Vec<Vec<(&str, u64)>> = Vec::new();
        if plan.service.is_none() && census.services.len() >= 2 {
            dims.push(Dim::Service);
            candidates.push(census.services.iter().map(|(k, v)| (&**k, *v)).collect());
        }
        if (2..=MAX_GROUPS).contains(&census.organisations.len()) {
            dims.push(Dim::Organisation);
            candidates.push(
                census
                    .organisations
                    .iter()
                    .map(|(k, v)| (&**k, *v))
                    .collect(),
            );
        }
        let mut names: Vec<&String> = census.attributes.keys().collect();
        names.sort();
        for name in names {
            let values = &census.attributes[name];
            // A column of numbers is a score or a code (a labeller's rating), not a place or a group.
            let numbers = values.keys().all(|v| v.parse::<f64>().is_ok());
            if (2..=MAX_GROUPS).contains(&values.len()) && !numbers {
                dims.push(Dim::Attribute(name.to_string()));
                candidates.push(values.iter().map(|(k, v)| (&**k, *v)).collect());
            }
        }
        let mut groups = vec![Group {
            dim: None,
            value: String::new(),
        }];
        let mut lookup = Vec::new();
        let mut small_groups = 0;
        for (d, mut values) in candidates.into_iter().enumerate() {
            values.sort();
            let mut map = FxHashMap::default();
            for (value, n) in values {
                if value == NOT_RECORDED {
                    continue;
                }
                if n < big {
                    small_groups += 1;
                    continue;
                }
                map.insert(value.to_string(), groups.len());
                groups.push(Group {
                    dim: Some(d),
                    value: value.to_string(),
                });
            }
            lookup.push(map);
        }
        let touchpoints = plan.touchpoints();
        Frame {
            dims,
            groups,
            lookup,
            small_groups,
            subjects: touchpoints + plan.themes(),
            touchpoints,
        }
    }

    /// The groups a comment belongs to: everything first.
    fn groups_of(&self, c: &Dims, out: &mut Vec<usize>) {
        out.clear();
        out.push(0);
        for (d, dim) in self.dims.iter().enumerate() {
            if let Some(&g) = dim.value(c).and_then(|v| self.lookup[d].get(v)) {
                out.push(g);
            }
        }
    }

    fn empty_counts(&self, months: usize) -> Counts {
        Counts {
            comments: vec![0; months],
            respondents: vec![0; months],
            mentions: vec![0; months * self.subjects * 2],
            scores: vec![ScoreTally::default(); months],
        }
    }

    fn scope(&self, g: usize, options: &ReportOptions) -> (BTreeMap<String, String>, String) {
        let mut scope = BTreeMap::new();
        if let Some(service) = &options.service {
            scope.insert("service".to_string(), service.trim().to_string());
        }
        let group = &self.groups[g];
        let label = match group.dim {
            None => options
                .service
                .as_deref()
                .map_or_else(|| "All comments".to_string(), |s| s.trim().to_string()),
            Some(d) => {
                let dim = &self.dims[d];
                scope.insert(dim.name().to_string(), group.value.clone());
                match dim {
                    Dim::Service | Dim::Organisation => group.value.clone(),
                    Dim::Attribute(name) => format!("{name}: {}", group.value),
                }
            }
        };
        (scope, label)
    }
}

/// What one comment with text says, kept from the report's aggregation pass for the series and for
/// choosing quotes without reading the comment again.
struct Spoken {
    who: u64,
    month: u32,
    position: u32,
    /// Its combination of grouping values ([`DimsTable`]).
    dims: u32,
    /// Each touchpoint (subject `i`) and theme (subject `touchpoints + i`) it mentions, with its
    /// sentiment and strength (0–1).
    mentions: Box<[(u32, SentimentLabel, f32)]>,
    overall: Option<SentimentLabel>,
    /// How many touchpoints it mentions, as a quote's focus counts them.
    topics: u8,
    quote: quotes::QuoteKey,
}

/// Where a comment is: its position, its charted month and its combination of grouping values
/// ([`DimsTable`]).
#[derive(Clone, Copy)]
pub(super) struct Place {
    pub(super) position: usize,
    pub(super) month: usize,
    pub(super) dims: u32,
}

/// Everything what changed needs from the comments, gathered in the report's aggregation pass
/// ([`Heard::add`]), so that it does not read them again.
#[derive(Default)]
pub(super) struct Heard {
    spoken: Vec<Spoken>,
}

impl Heard {
    /// Takes in comment `c` with text, of the service reported on, at `place`, whose distinct themes
    /// and touchpoints are `themes` and `touch` (registry indices).
    pub(super) fn add(
        &mut self,
        plan: &Plan,
        c: &Comment,
        place: Place,
        themes: &[(usize, SentimentLabel, f32)],
        touch: &[(usize, SentimentLabel, f32)],
    ) {
        let Place {
            position,
            month,
            dims,
        } = place;
        let p = plan.touchpoints();
        // A touchpoint's score runs from -1 (complaint) to 1 (praise).
        let mentions = touch
            .iter()
            .map(|&(i, label, score)| (i as u32, label, score.abs().min(1.0)))
            .chain(
                themes
                    .iter()
                    .map(|&(i, label, confidence)| ((p + i) as u32, label, confidence)),
            )
            .collect();
        self.spoken.push(Spoken {
            who: keys::respondent_id_key(c.organisation.as_deref(), &c.respondent),
            month: month as u32,
            position: position as u32,
            dims,
            mentions,
            overall: c.annotations.as_ref().map(|a| a.sentiment.label),
            topics: c
                .annotations
                .as_ref()
                .map_or(1, |a| a.touchpoints.len())
                .min(u8::MAX as usize) as u8,
            quote: quotes::QuoteKey::of(c),
        });
    }

    pub(super) fn merge(&mut self, other: Heard) {
        self.spoken.extend(other.spoken);
    }
}

/// Monthly counts of every group, from what each comment said: complaints and praise counted once per
/// respondent and month (a respondent who complains about the wait in "why" and again in "what could
/// we do better" is one person complaining, and counting people keeps the binomial test's trials
/// independent), and each respondent's one FFT answer in the groups of the record that gives it.
fn count(
    spoken: &mut [Spoken],
    plan: &Plan,
    frame: &Frame,
    groups_of: &[Vec<usize>],
    respondents: &FxHashMap<u64, super::Respondent>,
) -> Vec<Counts> {
    let months = plan.months;
    let s = frame.subjects;
    spoken.par_sort_unstable_by_key(|x| (x.who, x.month, x.position));
    let people: Vec<&[Spoken]> = spoken
        .chunk_by(|a, b| (a.who, a.month) == (b.who, b.month))
        .collect();
    let mut counts = people
        .par_chunks(8192)
        // One set of counts per thread, not per chunk: they are months × subjects × groups large.
        .fold(
            || vec![frame.empty_counts(months); frame.groups.len()],
            |mut counts, part| {
                let mut said = Vec::new();
                for person in part {
                    // The first comment of the respondent's month gives the groups.
                    let (m, first) = (person[0].month as usize, &person[0]);
                    said.clear();
                    for comment in *person {
                        said.extend(comment.mentions.iter().filter_map(|&(subject, label, _)| {
                            match label {
                                SentimentLabel::Negative => Some((subject as usize, 0)),
                                SentimentLabel::Positive => Some((subject as usize, 1)),
                                _ => None,
                            }
                        }));
                    }
                    said.sort_unstable();
                    said.dedup();
                    for &g in &groups_of[first.dims as usize] {
                        for &(subject, polarity) in &said {
                            counts[g].mentions[(m * s + subject) * 2 + polarity] += 1;
                        }
                        counts[g].comments[m] += person.len() as u64;
                        counts[g].respondents[m] += 1;
                    }
                }
                counts
            },
        )
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                super::add_all(&mut x.comments, &y.comments);
                super::add_all(&mut x.respondents, &y.respondents);
                super::add_all(&mut x.mentions, &y.mentions);
            }
            a
        })
        .unwrap_or_else(|| vec![frame.empty_counts(months); frame.groups.len()]);
    // % positive: each respondent's one answer, in the groups of the record that gives it.
    for r in respondents.values() {
        let Some(m) = plan.month_index(r.record.date) else {
            continue;
        };
        for &g in &groups_of[r.record.dims as usize] {
            counts[g].scores[m].add(r.score);
        }
    }
    counts
}

/// One series to scan.
#[derive(Clone, Copy)]
struct Key {
    group: usize,
    /// `None` for % positive.
    subject: Option<usize>,
    polarity: Polarity,
}

/// A series that shifted.
struct Candidate {
    key: Key,
    numerators: Vec<u64>,
    denominators: Vec<u64>,
    /// Index into the raw months of the first month after the shift.
    first: usize,
    /// The earliest and latest first months the data allow (raw month indices).
    range: (usize, usize),
    up: bool,
    before: RateSpan,
    after: RateSpan,
    p_value: f64,
    impact: f64,
    score: f64,
    /// The shift from the data's own best month, when a marked change moved this one's start: judged
    /// in its place if this one does not pass the p-value.
    fallback: Option<Box<Candidate>>,
}

/// The months charted (enough comments) of a series.
fn charted(denominators: &[u64], min_month: u64) -> Vec<usize> {
    (0..denominators.len())
        .filter(|&m| denominators[m] > 0 && denominators[m] >= min_month)
        .collect()
}

fn log_likelihood(k: u64, n: u64) -> f64 {
    let term = |x: u64| {
        if x == 0 {
            0.0
        } else {
            x as f64 * (x as f64 / n as f64).ln()
        }
    };
    term(k) + term(n - k)
}

/// Where a series splits into before and after: the best split (largest binomial likelihood ratio)
/// and the span of splits whose ratio is within [`INTERVAL`] of it (a 95% likelihood interval for the
/// month of the change), as point indices.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    best: usize,
    earliest: usize,
    latest: usize,
}

/// The drop in log-likelihood ratio that bounds a 95% interval (half the χ² 95% point on 1 degree of
/// freedom, 3.84).
const INTERVAL: f64 = 1.92;

fn best_split(k: &[u64], n: &[u64]) -> Option<Split> {
    let (kt, nt): (u64, u64) = (k.iter().sum(), n.iter().sum());
    let whole = log_likelihood(kt, nt);
    let mut ratios: Vec<(usize, f64)> = Vec::new();
    let (mut k1, mut n1) = (0, 0);
    for split in 1..k.len() {
        k1 += k[split - 1];
        n1 += n[split - 1];
        if split < MIN_SIDE || k.len() - split < MIN_SIDE {
            continue;
        }
        let ratio = log_likelihood(k1, n1) + log_likelihood(kt - k1, nt - n1) - whole;
        ratios.push((split, ratio));
    }
    let (at, max) = ratios.iter().enumerate().fold(
        None,
        |best: Option<(usize, f64)>, (i, &(_, r))| match best {
            Some((_, b)) if b + 1e-12 >= r => best,
            _ => Some((i, r)),
        },
    )?;
    let within = |i: &usize| ratios[*i].1 >= max - INTERVAL;
    let first = (0..=at).rev().take_while(within).last().unwrap_or(at);
    let last = (at..ratios.len()).take_while(within).last().unwrap_or(at);
    Some(Split {
        best: ratios[at].0,
        earliest: ratios[first].0,
        latest: ratios[last].0,
    })
}

/// Tests one series; `Some` when it shifted for good (the p-value is checked later, against the
/// number of series scanned).
fn shift(
    key: Key,
    numerators: Vec<u64>,
    denominators: Vec<u64>,
    kept: &[usize],
    marks: &[usize],
) -> Shifted {
    let k: Vec<u64> = kept.iter().map(|&m| numerators[m]).collect();
    let n: Vec<u64> = kept.iter().map(|&m| denominators[m]).collect();
    let values: Vec<f64> = k
        .iter()
        .zip(&n)
        .map(|(&k, &n)| 100.0 * k as f64 / n as f64)
        .collect();
    let direction = match key.polarity {
        Polarity::Complaints => ImprovementDirection::Decrease,
        _ => ImprovementDirection::Increase,
    };
    let chart = spc::xmr(&values, &[], None, direction);
    let signalled = chart.points.iter().any(|p| p.cause.is_some());
    let Some(Split {
        best,
        earliest,
        latest,
    }) = best_split(&k, &n)
    else {
        return Shifted::No { signalled };
    };
    let series = Judged {
        key,
        numerators,
        denominators,
        kept,
        k,
        n,
        values,
        chart,
        range: (kept[earliest], kept[latest]),
    };
    // A marked change inside the interval is taken as the start: the team knows when it acted. If the
    // shift does not pass from that month, the data's own best month is judged instead (the note is
    // still shown when it falls near), so a note never hides a change.
    let marked = marks
        .iter()
        .filter_map(|&m| kept.iter().position(|&x| x >= m))
        .filter(|at| (earliest..=latest).contains(at) && *at != best)
        .min_by_key(|&at| at.abs_diff(best));
    let at_best = series.judge(best);
    match marked.and_then(|at| series.judge(at)) {
        Some(mut candidate) => {
            candidate.fallback = at_best.map(Box::new);
            Shifted::Yes(Box::new(candidate))
        }
        None => at_best.map_or(Shifted::No { signalled }, |c| Shifted::Yes(Box::new(c))),
    }
}

/// One series with its chart and interval, to judge a shift starting at a given point.
struct Judged<'a> {
    key: Key,
    numerators: Vec<u64>,
    denominators: Vec<u64>,
    kept: &'a [usize],
    k: Vec<u64>,
    n: Vec<u64>,
    values: Vec<f64>,
    chart: spc::Xmr,
    range: (usize, usize),
}

impl Judged<'_> {
    /// The shift starting at point `split`, if it has an SPC signal on the new side and lasts (the
    /// p-value is checked later, against the number of series scanned).
    fn judge(&self, split: usize) -> Option<Candidate> {
        let (k, n, values) = (&self.k, &self.n, &self.values);
        let span = |range: std::ops::Range<usize>| {
            let count: u64 = k[range.clone()].iter().sum();
            let total: u64 = n[range.clone()].iter().sum();
            RateSpan {
                rate: 100.0 * count as f64 / total.max(1) as f64,
                count,
                total,
                months: range.len(),
            }
        };
        let before = span(0..split);
        let after = span(split..k.len());
        let up = after.rate > before.rate;
        let side: i8 = if up { 1 } else { -1 };
        let spc_signal = self.chart.points[split..]
            .iter()
            .any(|p| p.cause.is_some_and(|c| c.side() == side));
        let lasting = values[split..]
            .iter()
            .filter(|&&v| if up { v > before.rate } else { v < before.rate })
            .count();
        if !spc_signal || (lasting as f64) < PERSIST * after.months as f64 {
            return None;
        }
        let test =
            stats::compare_proportions(after.count, after.total, before.count, before.total)?;
        let impact =
            (after.rate - before.rate).abs() / 100.0 * after.total as f64 / after.months as f64;
        let age = (self.kept.len() - split) as f64;
        Some(Candidate {
            key: self.key,
            numerators: self.numerators.clone(),
            denominators: self.denominators.clone(),
            first: self.kept[split],
            range: self.range,
            up,
            before,
            after,
            p_value: test.p_value,
            impact,
            score: impact / (1.0 + age / 12.0),
            fallback: None,
        })
    }
}

enum Shifted {
    Yes(Box<Candidate>),
    No { signalled: bool },
}

/// Scans every series; returns the shifts found (unsorted) and the scan's counts.
fn scan(
    counts: &[Counts],
    frame: &Frame,
    options: &ReportOptions,
    marks: &[usize],
) -> (Vec<Candidate>, Tally) {
    let months = counts.first().map_or(0, |c| c.comments.len());
    let s = frame.subjects;
    let min_month = options.spc_min_month;
    let mut tally = Tally::default();
    let mut found = Vec::new();
    // `volume` decides the months charted: comments for complaints and praise (as in every chart),
    // answers for % positive. A month not charted gets a zero denominator, so its chart leaves it out.
    let mut consider = |key: Key,
                        numerators: Vec<u64>,
                        mut denominators: Vec<u64>,
                        volume: &[u64],
                        mentions: bool| {
        let kept = charted(volume, min_month);
        for (m, d) in denominators.iter_mut().enumerate() {
            if kept.binary_search(&m).is_err() {
                *d = 0;
            }
        }
        let charted_mentions: u64 = kept.iter().map(|&m| numerators[m]).sum();
        if kept.len() < MIN_SPC_POINTS || (mentions && charted_mentions < MIN_MENTIONS) {
            tally.too_small += 1;
            return;
        }
        tally.scanned += 1;
        match shift(key, numerators, denominators, &kept, marks) {
            Shifted::Yes(candidate) => {
                tally.signalled += 1;
                found.push(*candidate);
            }
            Shifted::No { signalled } => tally.signalled += u64::from(signalled),
        }
    };
    for (g, c) in counts.iter().enumerate() {
        let positive = c
            .scores
            .iter()
            .map(|t| t.count(FftScore::VeryGood) + t.count(FftScore::Good))
            .collect();
        let valid: Vec<u64> = c.scores.iter().map(ScoreTally::valid).collect();
        let key = Key {
            group: g,
            subject: None,
            polarity: Polarity::Score,
        };
        consider(key, positive, valid.clone(), &valid, false);
        for subject in 0..s {
            for (slot, polarity) in [(0, Polarity::Complaints), (1, Polarity::Praise)] {
                let numerators: Vec<u64> = (0..months)
                    .map(|m| c.mentions[(m * s + subject) * 2 + slot])
                    .collect();
                if numerators.iter().all(|&x| x == 0) {
                    continue;
                }
                let key = Key {
                    group: g,
                    subject: Some(subject),
                    polarity,
                };
                consider(key, numerators, c.respondents.clone(), &c.comments, true);
            }
        }
    }
    (found, tally)
}

#[derive(Default)]
struct Tally {
    scanned: u64,
    too_small: u64,
    /// Series whose chart shows any special cause.
    signalled: u64,
}

/// A comment of a candidate's after-period: its position, how strongly it says it (0–1) and its rank as
/// a quote.
type Said = (usize, f32, quotes::Rank);

/// For each candidate, the comments its after-period counts (for overlap and quotes), in order of
/// position.
fn after_comments(
    spoken: &[Spoken],
    groups_of: &[Vec<usize>],
    candidates: &[Candidate],
) -> Vec<Vec<Said>> {
    if candidates.is_empty() {
        return Vec::new();
    }
    spoken
        .par_chunks(8192)
        .map(|part| after_part(groups_of, candidates, part))
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.extend(y);
            }
            a
        })
        .unwrap_or_else(|| vec![Vec::new(); candidates.len()])
        .into_iter()
        .map(|mut set| {
            set.sort_unstable_by_key(|&(i, _, _)| i);
            set
        })
        .collect()
}

/// The polarity a candidate's comments must say it with.
fn wanted(cand: &Candidate) -> SentimentLabel {
    match (cand.key.polarity, cand.up) {
        (Polarity::Complaints, _) | (Polarity::Score, false) => SentimentLabel::Negative,
        _ => SentimentLabel::Positive,
    }
}

/// [`after_comments`] of some comments.
fn after_part(
    groups_of: &[Vec<usize>],
    candidates: &[Candidate],
    part: &[Spoken],
) -> Vec<Vec<Said>> {
    let mut sets = vec![Vec::new(); candidates.len()];
    for c in part {
        let m = c.month as usize;
        let groups = &groups_of[c.dims as usize];
        for (slot, cand) in candidates.iter().enumerate() {
            if m < cand.first || !groups.contains(&cand.key.group) {
                continue;
            }
            let wanted = wanted(cand);
            let says = match cand.key.subject {
                None => (c.overall == Some(wanted)).then_some(1.0),
                Some(subject) => c
                    .mentions
                    .iter()
                    .find(|&&(t, label, _)| t as usize == subject && label == wanted)
                    .map(|&(_, _, strength)| strength),
            };
            if let Some(strength) = says {
                let position = c.position as usize;
                // Best quoted by a comment that says it as a whole.
                let whole = c.overall == Some(wanted);
                let rank = c.quote.rank(position, c.topics as usize, strength, whole);
                sets[slot].push((position, strength, rank));
            }
        }
    }
    sets
}

fn overlap(a: &[Said], b: &[Said]) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    let set: FxHashSet<usize> = a.iter().map(|&(i, _, _)| i).collect();
    b.iter().filter(|(i, _, _)| set.contains(i)).count() as f64 / smaller as f64
}

/// The best quotes among a change's after-period comments: suitable length, saying it as a whole,
/// distinct texts. Only the best ranked are read back, a few at a time, until enough distinct texts are
/// found.
fn change_quotes<S: CommentSource + ?Sized>(source: &S, set: &[Said]) -> Result<Vec<Quote>, Error> {
    /// Candidates read back at a time: enough for three distinct texts nearly always.
    const WINDOW: usize = 16;
    let mut ranked: Vec<(quotes::Rank, usize)> =
        set.iter().map(|&(i, _, rank)| (rank, i)).collect();
    ranked.sort_unstable();
    let mut seen = FxHashSet::default();
    let mut out = Vec::new();
    for window in ranked.chunks(WINDOW) {
        let fetched =
            Fetched::from_source(source, window.iter().map(|&(_, i)| i)).map_err(Error::Read)?;
        for &(_, i) in window {
            let Some(c) = fetched.get(i) else { continue };
            if seen.insert(quotes::same_text_key(&c.text)) {
                out.push(quotes::quote(c, SHORT_QUOTE_CHARS, false, vec![]));
                if out.len() == QUOTES {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}

/// Runs the scan.
pub(super) fn what_changed<S: CommentSource + ?Sized>(
    source: &S,
    plan: &Plan,
    options: &ReportOptions,
    respondents: &FxHashMap<u64, super::Respondent>,
    heard: Heard,
    dims: DimsTable,
) -> Result<WhatChanged, Error> {
    let Some(start) = plan.history_start else {
        return Ok(WhatChanged {
            method: "No comment has a date, so there are no monthly series to scan for changes."
                .to_string(),
            ..WhatChanged::default()
        });
    };
    let Heard { mut spoken } = heard;
    let dims = dims.into_all();
    let frame = Frame::new(&Census::of(&spoken, &dims), plan, options);
    // The groups of each combination of values, found once rather than for each comment.
    let groups_of: Vec<Vec<usize>> = dims
        .iter()
        .map(|d| {
            let mut groups = Vec::new();
            frame.groups_of(d, &mut groups);
            groups
        })
        .collect();
    drop(dims);
    let counts = count(&mut spoken, plan, &frame, &groups_of, respondents);
    let mut marks: Vec<usize> = options
        .annotations
        .iter()
        .filter_map(|n| usize::try_from(start.months_until(n.date.year_month())).ok())
        .collect();
    marks.sort_unstable();
    let (found, tally) = scan(&counts, &frame, options, &marks);
    let threshold = ALPHA / tally.scanned.max(1) as f64;
    let mut found: Vec<Candidate> = found
        .into_iter()
        .filter_map(|c| {
            if c.p_value < threshold {
                Some(c)
            } else {
                c.fallback.map(|b| *b).filter(|b| b.p_value < threshold)
            }
        })
        .collect();
    let accepted = found.len() as u64;
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.key.group.cmp(&b.key.group))
            .then_with(|| a.key.subject.cmp(&b.key.subject))
            .then_with(|| a.key.polarity.cmp(&b.key.polarity))
    });
    let sets = after_comments(&spoken, &groups_of, &found);
    drop(spoken);
    let label = |c: &Candidate| subject_label(plan, &frame, c);
    let clusters = clusters(&found, &sets);
    let distinct = clusters.len() as u64;
    let changes = clusters
        .into_iter()
        .take(LISTED)
        .map(|members| -> Result<_, Error> {
            let i = representative(&found, &members);
            let also = members
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| {
                    let (_, scope) = frame.scope(found[j].key.group, options);
                    format!(
                        "{scope}, {}",
                        measure(found[j].key.polarity, &label(&found[j]).1)
                    )
                })
                .collect();
            let quotes = change_quotes(source, &sets[i])?;
            Ok(entry(&found[i], plan, &frame, options, start, also, quotes))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let groupings: Vec<String> = frame.dims.iter().map(|d| d.name().to_string()).collect();
    let method = method(&tally, &frame, &groupings, threshold, options);
    Ok(WhatChanged {
        not_listed: distinct - changes.len() as u64,
        changes,
        series_scanned: tally.scanned,
        series_too_small: tally.too_small,
        signals_set_aside: tally.signalled.saturating_sub(accepted),
        groupings,
        method,
    })
}

/// Shifts that count mostly the same comments (a theme and its touchpoint, a service and its site),
/// as clusters of candidate indices in rank order, the clusters in the order of their best member.
fn clusters(found: &[Candidate], sets: &[Vec<Said>]) -> Vec<Vec<usize>> {
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for (i, cand) in found.iter().enumerate() {
        let same = clusters.iter_mut().find(|members| {
            members.iter().any(|&j| {
                let other = &found[j];
                let near = (other.first as i32 - cand.first as i32).abs() <= NEAR;
                let alike = other.up == cand.up
                    && (other.key.polarity == Polarity::Score)
                        == (cand.key.polarity == Polarity::Score);
                near && alike && overlap(&sets[j], &sets[i]) >= SAME_COMMENTS
            })
        });
        match same {
            Some(members) => members.push(i),
            None => clusters.push(vec![i]),
        }
    }
    clusters
}

/// The member a cluster is listed under: where the shift is sharpest (largest change of rate) among
/// the members that carry most of it (at least [`CARRIES`] of the largest respondents a month), so a
/// trust-wide shift made in one service is listed under that service, but not under one small ward.
fn representative(found: &[Candidate], members: &[usize]) -> usize {
    let most = members.iter().map(|&i| found[i].impact).fold(0.0, f64::max);
    let sharpness = |i: usize| (found[i].after.rate - found[i].before.rate).abs();
    members
        .iter()
        .copied()
        .filter(|&i| found[i].impact >= CARRIES * most)
        .fold(None, |best: Option<usize>, i| match best {
            Some(b) if sharpness(b) >= sharpness(i) => Some(b),
            _ => Some(i),
        })
        .unwrap_or(members[0])
}

/// (kind, label, id) of a candidate's subject.
fn subject_label(plan: &Plan, frame: &Frame, c: &Candidate) -> (&'static str, String, String) {
    match c.key.subject {
        None => ("score", "% positive".into(), "% positive".into()),
        Some(s) if s < frame.touchpoints => {
            let (id, label) = &plan.registry.touchpoints[s];
            ("touchpoint", label.clone(), id.clone())
        }
        Some(s) => {
            let name = &plan.registry.themes[s - frame.touchpoints].name;
            ("theme", name.clone(), name.clone())
        }
    }
}

fn measure(polarity: Polarity, label: &str) -> String {
    match polarity {
        Polarity::Complaints => format!("complaints about {label}"),
        Polarity::Praise => format!("praise for {label}"),
        Polarity::Score => "% positive".to_string(),
    }
}

fn entry(
    cand: &Candidate,
    plan: &Plan,
    frame: &Frame,
    options: &ReportOptions,
    start: YearMonth,
    also_seen_in: Vec<String>,
    quotes: Vec<Quote>,
) -> ChangeFound {
    let (scope, scope_label) = frame.scope(cand.key.group, options);
    let (kind, label, subject) = subject_label(plan, frame, cand);
    let month_at = |m: usize| (0..m).fold(start, |month, _| month.next());
    let first_month = month_at(cand.first);
    let (title, direction) = match cand.key.polarity {
        Polarity::Complaints => (
            format!("{scope_label}: % of respondents complaining about {label}"),
            ImprovementDirection::Decrease,
        ),
        Polarity::Praise => (
            format!("{scope_label}: % of respondents praising {label}"),
            ImprovementDirection::Increase,
        ),
        Polarity::Score => (
            format!("{scope_label}: % positive (FFT very good or good)"),
            ImprovementDirection::Increase,
        ),
    };
    let polarity_word = match cand.key.polarity {
        Polarity::Complaints => "complaints",
        Polarity::Praise => "praise",
        Polarity::Score => "score",
    };
    let series = Series {
        id: format!(
            "changed-{}-{}-{polarity_word}",
            slug(&scope_label),
            slug(&subject)
        ),
        title,
        direction,
        numerators: cand.numerators.clone(),
        denominators: cand.denominators.clone(),
    };
    // The scan already left out the months too small to chart (their denominators are zero).
    let mut chart = spc_chart(series, start, &[], None, 1);
    for note in &options.annotations {
        let month = note.date.year_month();
        if let Some(at) = chart.months.iter().position(|m| *m >= month) {
            chart.annotations.push((at, note.clone()));
        }
    }
    let annotation: Option<ChangeNote> = options
        .annotations
        .iter()
        .filter(|n| (n.date.year_month().months_until(first_month)).abs() <= NEAR)
        .min_by_key(|n| {
            (
                n.date.year_month().months_until(first_month).abs(),
                n.date,
                n.text.clone(),
            )
        })
        .cloned();
    let better = matches!(
        (cand.key.polarity, cand.up),
        (Polarity::Complaints, false) | (Polarity::Praise | Polarity::Score, true)
    );
    ChangeFound {
        scope,
        scope_label,
        subject,
        subject_label: label,
        subject_kind: kind.to_string(),
        polarity: cand.key.polarity,
        direction: if cand.up { Shift::Up } else { Shift::Down },
        better_or_worse: if better {
            BetterOrWorse::Better
        } else {
            BetterOrWorse::Worse
        },
        first_month,
        first_month_range: (month_at(cand.range.0), month_at(cand.range.1)),
        before: cand.before,
        after: cand.after,
        respondents_a_month: cand.impact,
        p_value: cand.p_value,
        also_seen_in,
        annotation,
        chart,
        quotes,
    }
}

fn method(
    tally: &Tally,
    frame: &Frame,
    groupings: &[String],
    threshold: f64,
    options: &ReportOptions,
) -> String {
    let groups = if groupings.is_empty() {
        "all comments together (the store has no grouping column with 2 to 60 values that are not numbers)".to_string()
    } else {
        format!(
            "all comments and each group of {} with at least {} comments ({} groups; {} smaller groups not scanned)",
            groupings.join(", "),
            MIN_SPC_POINTS as u64 * options.spc_min_month.max(1),
            frame.groups.len() - 1,
            frame.small_groups
        )
    };
    format!(
        "What changed scans {groups}, for every touchpoint and theme (complaints and praise apart, as the share of respondents who said so: someone who complains in both answers counts once) and % positive: {} monthly series were scanned; {} were too small to scan (fewer than {MIN_SPC_POINTS} months with {} or more comments, or fewer than {MIN_MENTIONS} mentions in those months). A series is listed when its SPC chart has a special-cause signal on the new side at or after the month that best splits it into a before and an after (at least {MIN_SIDE} months each), at least {:.0}% of the months after stay on the new side of the rate before, and before and after differ at p < {} (0.05 divided by the series scanned, so that scanning many series gives about one chance in twenty of a single false alarm). {} series had a signal that did not pass. Shifts that count mostly the same comments (a theme and its touchpoint, a service and its site) are listed once, under the strongest, with the others named. Changes are ranked by respondents a month the shift adds or removes (the change in rate × the monthly respondents after it), discounted for age (÷ (1 + months since it began / 12)), so a recent change ranks above an equally large older one; at most {LISTED} are listed.",
        tally.scanned,
        tally.too_small,
        options.spc_min_month,
        PERSIST * 100.0,
        small_number(threshold),
        tally.signalled,
    )
}

/// A small positive number in plain decimals with two significant digits: 0.00017.
fn small_number(x: f64) -> String {
    let decimals = (-x.log10()).ceil().max(0.0) as usize + 1;
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_split_is_where_the_rate_moves() {
        let n = vec![20; 24];
        let mut k = vec![8; 24];
        for x in &mut k[14..] {
            *x = 2;
        }
        let split = best_split(&k, &n).unwrap();
        assert_eq!(split.best, 14);
        assert!(split.earliest <= 14 && split.latest >= 14 && split.latest < 24);
        // Too close to either end to say.
        assert_eq!(best_split(&k[..5], &n[..5]), None);
    }
}
