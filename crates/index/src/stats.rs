//! `Store::stats`: what a store holds, counted from fast-field columns without loading comments.

use std::collections::{BTreeMap, HashMap};

use chorus_core::{Date, RespondentAnswer, ScoreTally};
use serde::Serialize;

use crate::schema::{names, score_from_code};
use crate::search::{FacetCount, NONE};
use crate::{Error, Store};

/// Counts that describe a store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreStats {
    /// Every stored comment, including "no comment" records.
    pub comments: u64,
    /// Comments with text.
    pub with_text: u64,
    /// Records of a question left blank or answered with a placeholder.
    pub no_comment: u64,
    /// Distinct respondents (organisation + respondent id).
    pub respondents: u64,
    /// The earliest date.
    pub first_date: Option<Date>,
    /// The latest date.
    pub last_date: Option<Date>,
    /// Comments without a date.
    pub undated: u64,
    /// Comments per service, most first, `(none)` last.
    pub services: Vec<FacetCount>,
    /// Comments per organisation, most first, `(none)` last.
    pub organisations: Vec<FacetCount>,
    /// FFT answers counted once per respondent, by [`RespondentAnswer`]'s rule (a respondent's first
    /// valid answer, in ingest order), since one FFT answer comes with all of a respondent's comments.
    pub respondent_scores: ScoreTally,
    /// Respondents whose rows gave different valid FFT answers (their first valid answer counts).
    pub conflicting_respondents: u64,
    /// Very good + good over valid answers (1–6) of respondents, as a percentage.
    pub percent_positive: Option<f64>,
    /// Comments that theming has annotated.
    pub themed: u64,
    /// Comments with text not yet annotated (added since the last theming run, or never themed); blank
    /// answers are left unthemed on purpose and not counted here.
    pub not_themed: u64,
    /// Comments whose labels people changed from the machine's (in `chorus serve`); their labels are
    /// the people's in every count.
    pub corrected: u64,
}

impl Store {
    /// Counts comments, respondents, dates, services, organisations, scores and theming.
    pub fn stats(&self) -> Result<StoreStats, Error> {
        let searcher = self.searcher();
        let annotated = self.annotated()?;
        let mut stats = StoreStats {
            comments: 0,
            with_text: 0,
            no_comment: 0,
            respondents: 0,
            first_date: None,
            last_date: None,
            undated: 0,
            services: Vec::new(),
            organisations: Vec::new(),
            respondent_scores: ScoreTally::default(),
            conflicting_respondents: 0,
            percent_positive: None,
            themed: 0,
            not_themed: 0,
            corrected: annotated.as_ref().map_or(0, |a| a.corrected.len() as u64),
        };
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        let mut services: BTreeMap<String, u64> = BTreeMap::new();
        let mut organisations: BTreeMap<String, u64> = BTreeMap::new();
        let mut respondents: HashMap<u64, RespondentAnswer<()>> = HashMap::new();
        for segment in searcher.segment_readers() {
            let ff = segment.fast_fields();
            let e = |e| self.index_error(e);
            let no_comment = ff.bool(names::NO_COMMENT).map_err(e)?;
            let date = ff.i64(names::DATE).map_err(e)?;
            let seq = ff.u64(names::SEQ).map_err(e)?;
            let score = ff.u64(names::SCORE).map_err(e)?;
            let who = ff.u64(names::RESPONDENT_HASH).map_err(e)?;
            let service = ff.str(names::SERVICE).map_err(e)?;
            let organisation = ff.str(names::ORGANISATION).map_err(e)?;
            let mut service_counts = vec![0u64; service.as_ref().map_or(0, |c| c.num_terms()) + 1];
            let mut org_counts = vec![0u64; organisation.as_ref().map_or(0, |c| c.num_terms()) + 1];
            for doc in segment.doc_ids_alive() {
                stats.comments += 1;
                if no_comment.first(doc).unwrap_or(false) {
                    stats.no_comment += 1;
                }
                let ordinal = seq.first(doc).map_or(usize::MAX, |s| s as usize);
                if annotated.as_ref().is_some_and(|a| a.is_annotated(ordinal)) {
                    stats.themed += 1;
                }
                match date.first(doc) {
                    Some(d) => {
                        first = first.min(d);
                        last = last.max(d);
                    }
                    None => stats.undated += 1,
                }
                let count = |column: &Option<tantivy::columnar::StrColumn>,
                             counts: &mut Vec<u64>| {
                    let missing = counts.len() - 1;
                    let slot = column
                        .as_ref()
                        .and_then(|c| c.ords().first(doc))
                        .map_or(missing, |o| (o as usize).min(missing));
                    counts[slot] += 1;
                };
                count(&service, &mut service_counts);
                count(&organisation, &mut org_counts);
                let answer = RespondentAnswer::new(
                    seq.first(doc).unwrap_or(0),
                    score_from_code(score.first(doc).unwrap_or(0)),
                    (),
                );
                respondents
                    .entry(who.first(doc).unwrap_or(0))
                    .and_modify(|known| known.merge(answer))
                    .or_insert(answer);
            }
            for (column, counts, into) in [
                (&service, &service_counts, &mut services),
                (&organisation, &org_counts, &mut organisations),
            ] {
                let mut name = String::new();
                for (ord, &n) in counts.iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    let key = if ord + 1 == counts.len() {
                        NONE.to_owned()
                    } else {
                        name.clear();
                        match column.as_ref().map(|c| c.ord_to_str(ord as u64, &mut name)) {
                            Some(Ok(true)) => name.clone(),
                            _ => continue,
                        }
                    };
                    *into.entry(key).or_default() += n;
                }
            }
        }
        stats.with_text = stats.comments - stats.no_comment;
        // Blank answers are left unthemed on purpose: only comments with text wait for a run.
        stats.not_themed = stats.with_text.saturating_sub(stats.themed);
        stats.respondents = respondents.len() as u64;
        for answer in respondents.into_values() {
            stats.respondent_scores.add(answer.score);
            stats.conflicting_respondents += u64::from(answer.conflicting);
        }
        stats.percent_positive = stats.respondent_scores.percent_positive();
        if first <= last {
            let day = |d: i64| Date::from_days_since_epoch(d as i32);
            stats.first_date = Some(day(first));
            stats.last_date = Some(day(last));
        }
        stats.services = most_first(services);
        stats.organisations = most_first(organisations);
        Ok(stats)
    }
}

fn most_first(map: BTreeMap<String, u64>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = map
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| {
        (a.value == NONE)
            .cmp(&(b.value == NONE))
            .then(b.count.cmp(&a.count))
            .then(a.value.cmp(&b.value))
    });
    v
}
