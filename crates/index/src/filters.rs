//! Filters (`--score 4..5 --service "111"`…) and the tantivy queries that both filters and the query
//! language's `field:value` clauses turn into.

use std::ops::Bound;
use std::sync::Arc;

use chorus_core::{
    AnnotationTable, Date, FftScore, QuestionKind, SentimentLabel, ThemeCatalog, YearMonth,
};
use serde::Serialize;
use tantivy::Term;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::Error;
use crate::annotated::Predicate;
use crate::schema::{self, Fields};
use crate::sidecar::Annotated;

/// Restrictions on which comments a search, kwic or count considers. Values within one filter are
/// alternatives (any may match); different filters must all hold. Empty means "any".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Filters {
    /// On or after this day (undated comments are excluded when a date bound is set).
    pub from: Option<Date>,
    /// On or before this day.
    pub to: Option<Date>,
    /// FFT answers.
    pub scores: Vec<FftScore>,
    /// Services, matched whole and case-insensitively.
    pub services: Vec<String>,
    /// Organisations, matched whole and case-insensitively.
    pub organisations: Vec<String>,
    /// Question kinds.
    pub question_kinds: Vec<QuestionKind>,
    /// Touchpoint ids (after theming).
    pub touchpoints: Vec<String>,
    /// Theme names (after theming).
    pub themes: Vec<String>,
    /// Overall sentiment labels (after theming).
    pub sentiments: Vec<SentimentLabel>,
    /// Only comments whose text contradicts their score.
    pub discordant: bool,
    /// Attribute columns (`("Age band", "75+")`), matched whole and case-insensitively: values of the
    /// same attribute are alternatives, different attributes must all hold.
    pub attributes: Vec<(String, String)>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// [`Error::Filter`] for a touchpoint or theme the last theming run does not know (say `--touchpoint
    /// parking`, whose id is `travel`), listing the ones it knows: such a filter would match nothing,
    /// and a silent 0 reads as "nobody mentioned it".
    pub fn check_names(
        &self,
        catalog: &ThemeCatalog,
        table: &AnnotationTable,
    ) -> Result<(), Error> {
        let mut touchpoints: Vec<&str> =
            catalog.touchpoints.iter().map(|e| e.id.as_str()).collect();
        let mut themes: Vec<&str> = catalog.themes.iter().map(|e| e.label.as_str()).collect();
        themes.extend(catalog.discovered.iter().map(|d| d.label.as_str()));
        // What the comments carry counts too, whatever the catalog lists.
        for name in table.touchpoint_names() {
            if !touchpoints.contains(&&**name) {
                touchpoints.push(name);
            }
        }
        for (_, name) in table.theme_names() {
            if !themes.contains(&&**name) {
                themes.push(name);
            }
        }
        let known = |value: &str, names: &[&str]| {
            names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(value.trim()))
        };
        for value in &self.touchpoints {
            if !known(value, &touchpoints) {
                return Err(unknown_name(
                    "touchpoint",
                    value,
                    "touchpoint ids",
                    &touchpoints,
                ));
            }
        }
        for value in &self.themes {
            if !known(value, &themes) {
                return Err(unknown_name("theme", value, "themes", &themes));
            }
        }
        Ok(())
    }

    /// Parses a `--from`/`--to` date (`YYYY-MM-DD`).
    pub fn parse_date(flag: &'static str, value: &str) -> Result<Date, Error> {
        Date::parse_iso(value).ok_or_else(|| Error::Filter {
            flag,
            value: value.to_owned(),
            reason: "use a date in the form YYYY-MM-DD, e.g. 2021-10-01".to_owned(),
        })
    }

    /// Parses a `--score` value: a code (`4`), a name (`very_poor`, `"very poor"`), a range of either
    /// (`4..5`, `good..poor`), or a comma-separated list of those (`1,2`).
    pub fn parse_scores(value: &str) -> Result<Vec<FftScore>, Error> {
        let bad = |reason: String| Error::Filter {
            flag: "score",
            value: value.to_owned(),
            reason,
        };
        let mut out = Vec::new();
        for part in value.split(',').map(str::trim) {
            if let Some((lo, hi)) = part.split_once("..") {
                let lo = parse_score(lo).map_err(&bad)?;
                let hi = parse_score(hi).map_err(&bad)?;
                let (lo, hi) = (score_code(lo)?, score_code(hi)?);
                if lo > hi {
                    return Err(bad(format!(
                        "the range is empty: {lo} is after {hi} (write the lower code first, e.g. 4..5)"
                    )));
                }
                out.extend((lo..=hi).map(|code| FftScore::from_code(i64::from(code))));
            } else {
                out.push(parse_score(part).map_err(&bad)?);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Parses a `--question-kind` value (`why`, `what_was_good` or `good`, `improve`, `other`).
    pub fn parse_question_kind(value: &str) -> Result<QuestionKind, Error> {
        parse_kind(value).ok_or_else(|| Error::Filter {
            flag: "question-kind",
            value: value.to_owned(),
            reason: "use why, what_was_good, improve or other".to_owned(),
        })
    }

    /// Parses a `--sentiment` value.
    pub fn parse_sentiment(value: &str) -> Result<SentimentLabel, Error> {
        value.parse().map_err(|reason| Error::Filter {
            flag: "sentiment",
            value: value.to_owned(),
            reason,
        })
    }

    /// The filters as query clauses that must all hold.
    pub(crate) fn clauses(
        &self,
        fields: &Fields,
        annotated: Option<&Arc<Annotated>>,
    ) -> Vec<Box<dyn Query>> {
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if self.from.is_some() || self.to.is_some() {
            let bound = |d: Option<Date>| {
                d.map_or(Bound::Unbounded, |d| {
                    Bound::Included(Term::from_field_i64(
                        fields.date,
                        i64::from(d.days_since_epoch()),
                    ))
                })
            };
            out.push(constant(Box::new(RangeQuery::new(
                bound(self.from),
                bound(self.to),
            ))));
        }
        let any = |queries: Vec<Box<dyn Query>>| -> Option<Box<dyn Query>> {
            match queries.len() {
                0 => None,
                1 => queries.into_iter().next(),
                _ => Some(Box::new(BooleanQuery::new(
                    queries.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))),
            }
        };
        let labels = |field: Field, values: &[String]| {
            any(values.iter().map(|v| label_query(field, v)).collect())
        };
        out.extend(any(self
            .scores
            .iter()
            .map(|s| u64_query(fields.score, schema::score_code(*s)))
            .collect()));
        out.extend(labels(fields.service, &self.services));
        out.extend(labels(fields.organisation, &self.organisations));
        out.extend(any(self
            .question_kinds
            .iter()
            .map(|k| u64_query(fields.question_kind, schema::kind_code(*k)))
            .collect()));
        let annotation = |predicates: Vec<Predicate>| {
            any(predicates.iter().map(|p| p.to_query(annotated)).collect())
        };
        out.extend(annotation(
            self.touchpoints
                .iter()
                .map(|t| Predicate::Touchpoint(t.clone()))
                .collect(),
        ));
        out.extend(annotation(
            self.themes
                .iter()
                .map(|t| Predicate::Theme(t.clone()))
                .collect(),
        ));
        out.extend(annotation(
            self.sentiments
                .iter()
                .map(|s| Predicate::Sentiment(*s))
                .collect(),
        ));
        if self.discordant {
            out.push(Predicate::Discordant(true).to_query(annotated));
        }
        let mut names: Vec<&str> = self.attributes.iter().map(|(n, _)| n.trim()).collect();
        names.sort_unstable_by_key(|n| n.to_lowercase());
        names.dedup_by_key(|n| n.to_lowercase());
        for name in names {
            out.extend(any(self
                .attributes
                .iter()
                .filter(|(n, _)| n.trim().to_lowercase() == name.to_lowercase())
                .map(|(n, v)| label_query(fields.attribute, &attribute_term(n, v)))
                .collect()));
        }
        out
    }
}

/// How an attribute is indexed (then trimmed and lowercased): `name=value`, as the `attribute:` field of the query language takes it.
pub(crate) fn attribute_term(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

fn score_code(score: FftScore) -> Result<u8, Error> {
    score.code().ok_or_else(|| Error::Filter {
        flag: "score",
        value: "not_given".to_owned(),
        reason: "`not_given` cannot be part of a range; give it on its own".to_owned(),
    })
}

/// A score from a code, slug or label; the error lists what is accepted.
pub(crate) fn parse_score(value: &str) -> Result<FftScore, String> {
    let v = value.trim();
    let folded = v
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .replace('\'', "");
    if let Some(score) = FftScore::ALL.iter().find(|s| s.slug() == folded) {
        return Ok(*score);
    }
    if folded == "0" || folded == "none" {
        return Ok(FftScore::NotGiven);
    }
    match v.parse::<i64>() {
        Ok(code @ 1..=6) => Ok(FftScore::from_code(code)),
        _ => Err(format!(
            "`{v}` is not an FFT answer: use a code 1–6, or very_good, good, neither, poor, very_poor, dont_know, not_given"
        )),
    }
}

/// A question kind from its slug or a short alias.
pub(crate) fn parse_kind(value: &str) -> Option<QuestionKind> {
    let folded = value.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match folded.as_str() {
        "good" | "what_went_well" | "went_well" => Some(QuestionKind::WhatWasGood),
        "better" | "do_better" => Some(QuestionKind::Improve),
        other => QuestionKind::ALL.into_iter().find(|k| k.slug() == other),
    }
}

/// A `yyyy-mm` month.
pub(crate) fn parse_month(value: &str) -> Option<YearMonth> {
    let (y, m) = value.trim().split_once('-')?;
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    YearMonth::new(y.parse().ok()?, m.parse().ok()?)
}

/// A query that filters without changing relevance: only words of the text rank results.
pub(crate) fn constant(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

pub(crate) fn label_query(field: Field, value: &str) -> Box<dyn Query> {
    constant(Box::new(TermQuery::new(
        Term::from_field_text(field, &schema::label(value)),
        IndexRecordOption::Basic,
    )))
}

pub(crate) fn u64_query(field: Field, value: u64) -> Box<dyn Query> {
    constant(Box::new(TermQuery::new(
        Term::from_field_u64(field, value),
        IndexRecordOption::Basic,
    )))
}

pub(crate) fn bool_query(field: Field, value: bool) -> Box<dyn Query> {
    constant(Box::new(TermQuery::new(
        Term::from_field_bool(field, value),
        IndexRecordOption::Basic,
    )))
}

/// The error for a name a filter does not know, with the ones it does.
fn unknown_name(flag: &'static str, value: &str, what: &str, names: &[&str]) -> Error {
    Error::Filter {
        flag,
        value: value.to_owned(),
        reason: if names.is_empty() {
            format!("the last theming run found no {what}")
        } else {
            format!(
                "the last theming run has no such name; its {what} are: {}",
                names.join(", ")
            )
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, expected: &[u8]) {
        let scores = Filters::parse_scores(value).unwrap();
        let codes: Vec<u8> = scores.iter().map(|s| s.code().unwrap_or(0)).collect();
        assert_eq!(codes, expected, "{value}");
    }

    #[test]
    fn score_filters_accept_codes_names_ranges_and_lists() {
        check("4", &[4]);
        check("4..5", &[4, 5]);
        check("very_poor", &[5]);
        check("Very poor", &[5]);
        check("good..poor", &[2, 3, 4]);
        check("1,2", &[1, 2]);
        check("dont_know", &[6]);
        check("don't know", &[6]);
        check("not_given", &[0]);
        check("5, 1..2", &[1, 2, 5]);
    }

    #[test]
    fn bad_score_filters_say_what_is_accepted() {
        for (value, expected) in [
            ("7", "not an FFT answer"),
            ("excellent", "use a code 1–6"),
            ("5..4", "the range is empty"),
            ("1..not_given", "cannot be part of a range"),
            ("", "not an FFT answer"),
        ] {
            let err = Filters::parse_scores(value).unwrap_err().to_string();
            assert!(err.contains(expected), "{value}: {err}");
            assert!(err.starts_with("invalid filter --score"), "{err}");
        }
    }

    #[test]
    fn kinds_months_and_dates_parse() {
        assert_eq!(parse_kind("good"), Some(QuestionKind::WhatWasGood));
        assert_eq!(parse_kind("What_was_good"), Some(QuestionKind::WhatWasGood));
        assert_eq!(parse_kind("improve"), Some(QuestionKind::Improve));
        assert_eq!(parse_kind("how"), None);
        assert_eq!(parse_month("2021-10"), YearMonth::new(2021, 10));
        assert_eq!(parse_month("2021-13"), None);
        assert_eq!(parse_month("21-10"), None);
        assert!(Filters::parse_date("from", "2021-02-30").is_err());
        assert!(Filters::parse_question_kind("sometimes").is_err());
        assert!(Filters::parse_sentiment("angry").is_err());
    }
}
