//! The aggregation pass: every count of the report, the quote candidates and each respondent's one answer,
//! per chunk of comments and merged.

use std::collections::hash_map::Entry;

use chorus_core::{Comment, Date, RespondentAnswer, ScoreTally, SentimentLabel, ThemeSource};
use rustc_hash::FxHashMap;

use crate::model::SentimentSplit;
use crate::quotes::{self, Rank, TopK};

use super::*;

#[derive(Clone)]
pub(super) struct ThemeAcc {
    pub(super) comments: u64,
    pub(super) sentiment: SentimentSplit,
    pub(super) tally: ScoreTally,
}

#[derive(Clone, Default)]
pub(super) struct TouchAcc {
    pub(super) mentions: u64,
    pub(super) sentiment: SentimentSplit,
    pub(super) best: Option<(Rank, usize)>,
    pub(super) worst: Option<(Rank, usize)>,
}

pub(super) struct GroupAcc {
    pub(super) comments: u64,
    pub(super) themes: Vec<u64>,
}

/// A respondent's one FFT answer, with the date of the record that gives it (which places the
/// respondent in a period and a month) and its groupings (which place it in what changed's groups).
pub(super) type Respondent = RespondentAnswer<Answered>;

/// What a respondent's answer keeps of the record that gives it.
pub(super) struct Answered {
    pub(super) date: Option<Date>,
    /// The number of its grouping values in the [`changed::DimsTable`].
    pub(super) dims: u32,
}

/// Quote buckets per theme.
pub(super) const ANY: usize = 0;
pub(super) const POSITIVE: usize = 1;
pub(super) const NEGATIVE: usize = 2;

pub(super) struct Acc {
    pub(super) records: u64,
    pub(super) blank: u64,
    pub(super) comments: u64,
    pub(super) undated: u64,
    pub(super) themed: u64,
    pub(super) sentiment: SentimentSplit,
    /// Discordant comments' dates and positions (the newest are listed).
    pub(super) discordant: Vec<(Option<Date>, usize)>,
    pub(super) theme: Vec<ThemeAcc>,
    pub(super) previous_comments: u64,
    pub(super) previous_theme: Vec<u64>,
    pub(super) touch: Vec<TouchAcc>,
    pub(super) touch_theme: Vec<u64>,
    pub(super) pairs: Vec<u64>,
    pub(super) groups: Vec<FxHashMap<String, GroupAcc>>,
    pub(super) month_comments: Vec<u64>,
    pub(super) month_theme: Vec<u64>,
    pub(super) month_theme_praise: Vec<u64>,
    pub(super) month_theme_complain: Vec<u64>,
    pub(super) month_touch_praise: Vec<u64>,
    pub(super) month_touch_complain: Vec<u64>,
    pub(super) quotes: Vec<[TopK; 3]>,
    pub(super) complex: TopK,
    pub(super) respondents: FxHashMap<u64, Respondent>,
    pub(super) heard: changed::Heard,
    pub(super) scratch_themes: Vec<(usize, SentimentLabel, f32)>,
    pub(super) scratch_touch: Vec<(usize, SentimentLabel, f32)>,
}

impl Acc {
    pub(super) fn new(plan: &Plan) -> Acc {
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

    pub(super) fn add(
        &mut self,
        plan: &Plan,
        table: &changed::DimsTable,
        index: usize,
        c: &Comment,
    ) {
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
    pub(super) fn resolve(&mut self, plan: &Plan, c: &Comment) {
        resolve(plan, c, &mut self.scratch_themes, &mut self.scratch_touch);
    }

    pub(super) fn add_current(&mut self, plan: &Plan, index: usize, c: &Comment) {
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

    pub(super) fn merge(&mut self, plan: &Plan, other: Acc) {
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
    pub(super) fn discordant_listed(&self) -> Vec<usize> {
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
    pub(super) fn quoted(&self) -> Vec<usize> {
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
    pub(super) fn new(themes: usize) -> GroupAcc {
        GroupAcc {
            comments: 0,
            themes: vec![0; themes],
        }
    }
}

/// A comment's distinct themes and touchpoints (registry indices), each with its sentiment and
/// strength: its discovered theme counts when no theme of its list is a discovered one.
pub(super) fn resolve(
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

pub(super) fn add_all(into: &mut [u64], from: &[u64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

pub(super) fn keep_best(slot: &mut Option<(Rank, usize)>, rank: Rank, index: usize) {
    if slot.is_none_or(|(best, _)| rank < best) {
        *slot = Some((rank, index));
    }
}

/// Respondent tallies by period and month, each respondent counted once.
pub(super) struct Tallies {
    pub(super) current: ScoreTally,
    pub(super) current_respondents: u64,
    pub(super) previous: ScoreTally,
    pub(super) previous_respondents: u64,
    /// Respondents in the period whose rows gave different valid answers.
    pub(super) conflicting: u64,
    pub(super) months: Vec<ScoreTally>,
}

pub(super) fn tallies(acc: &Acc, plan: &Plan) -> Tallies {
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
