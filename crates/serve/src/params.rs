//! A selection of comments as the address holds it: the query, the filters, the order and the page. The
//! whole state of a search lives in its address, so a search can be bookmarked, shared and reloaded, and
//! the back button works.
//!
//! | parameter | filter | repeatable |
//! | --- | --- | --- |
//! | `q` | the query language of `chorus search` | |
//! | `from`, `to` | dates, `YYYY-MM-DD` | |
//! | `service`, `organisation` | whole value, any case | yes |
//! | `score` | FFT code, name, range or list (`4..5`, `very_poor`) | yes |
//! | `question` | question kind: `why`, `what_was_good`, `improve`, `other` | yes |
//! | `touchpoint`, `theme` | touchpoint id, theme name | yes |
//! | `sentiment` | `positive`, `neutral`, `mixed`, `negative` | yes |
//! | `attr` | an attribute column as `Name=Value` | yes |
//! | `discordant` | `1`: only comments whose text contradicts their score | |
//! | `sort` | `relevance`, `date` (newest first), `date-asc` | |
//! | `page`, `per` | page number from 1, hits per page (up to 100) | |

use chorus_index::{Filters, SearchRequest, SortOrder};

use crate::errors::Failure;
use crate::url;

/// The most hits on one page.
pub(crate) const MAX_PER_PAGE: usize = 100;
/// Hits on a page unless `per` says otherwise.
pub(crate) const PER_PAGE: usize = 20;
/// The deepest page offered: deeper pages would rank a large part of the store for one view.
pub(crate) const MAX_OFFSET: usize = 10_000;
/// The most values one filter may list.
const MAX_VALUES: usize = 50;

/// The query, filters, order and page of a search.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Selection {
    pub q: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub services: Vec<String>,
    pub organisations: Vec<String>,
    pub scores: Vec<String>,
    pub questions: Vec<String>,
    pub touchpoints: Vec<String>,
    pub themes: Vec<String>,
    pub sentiments: Vec<String>,
    pub attributes: Vec<(String, String)>,
    pub discordant: bool,
    pub sort: SortOrder,
    pub page: usize,
    pub per: usize,
}

impl Selection {
    /// The selection an address describes; unknown parameters are ignored, bad values are a 400 that
    /// names the parameter.
    pub fn from_query(pairs: &[(String, String)]) -> Result<Selection, Failure> {
        let mut s = Selection {
            page: 1,
            per: PER_PAGE,
            ..Selection::default()
        };
        for (name, value) in pairs {
            let value = value.trim();
            let list = |list: &mut Vec<String>| {
                if !value.is_empty() && !list.iter().any(|v| v == value) {
                    list.push(value.to_owned());
                }
            };
            match name.as_str() {
                "q" => s.q = value.to_owned(),
                "from" if !value.is_empty() => s.from = Some(value.to_owned()),
                "to" if !value.is_empty() => s.to = Some(value.to_owned()),
                "service" => list(&mut s.services),
                "organisation" => list(&mut s.organisations),
                "score" => list(&mut s.scores),
                "question" => list(&mut s.questions),
                "touchpoint" => list(&mut s.touchpoints),
                "theme" => list(&mut s.themes),
                "sentiment" => list(&mut s.sentiments),
                "attr" => {
                    let (n, v) = value.split_once('=').ok_or_else(|| {
                        Failure::bad(format!(
                            "the filter attr=`{value}` needs a column and a value, as attr=Age band=75+"
                        ))
                    })?;
                    let pair = (n.trim().to_owned(), v.trim().to_owned());
                    if !s.attributes.contains(&pair) {
                        s.attributes.push(pair);
                    }
                }
                "discordant" => s.discordant = matches!(value, "1" | "true" | "yes" | "on"),
                "sort" if !value.is_empty() => {
                    s.sort = value.parse().map_err(|e: String| Failure::bad(e))?;
                }
                "page" if !value.is_empty() => {
                    s.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|&p| p >= 1)
                        .ok_or_else(|| {
                            Failure::bad(format!("page=`{value}` is not a page number (1, 2, …)"))
                        })?;
                }
                "per" if !value.is_empty() => {
                    s.per = value
                        .parse::<usize>()
                        .ok()
                        .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                        .ok_or_else(|| {
                            Failure::bad(format!(
                                "per=`{value}` is not a page size from 1 to {MAX_PER_PAGE}"
                            ))
                        })?;
                }
                _ => {}
            }
        }
        let lists = [
            &s.services,
            &s.organisations,
            &s.scores,
            &s.questions,
            &s.touchpoints,
            &s.themes,
            &s.sentiments,
        ];
        if lists.iter().any(|l| l.len() > MAX_VALUES) || s.attributes.len() > MAX_VALUES {
            return Err(Failure::bad(format!(
                "a filter lists more than {MAX_VALUES} values: narrow the selection"
            )));
        }
        if s.offset() > MAX_OFFSET {
            return Err(Failure::bad(format!(
                "page {} is too deep: pages go to hit {MAX_OFFSET}; narrow the search or export it",
                s.page
            )));
        }
        s.filters()?;
        Ok(s)
    }

    /// The hits to skip.
    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1)).saturating_mul(self.per)
    }

    /// The filters, checked.
    pub fn filters(&self) -> Result<Filters, Failure> {
        let bad = |e: chorus_index::Error| Failure::bad(e.to_string());
        let mut scores = Vec::new();
        for s in &self.scores {
            scores.extend(Filters::parse_scores(s).map_err(bad)?);
        }
        scores.sort();
        scores.dedup();
        let date = |flag, value: &Option<String>| {
            value
                .as_deref()
                .map(|d| Filters::parse_date(flag, d))
                .transpose()
                .map_err(bad)
        };
        Ok(Filters {
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            scores,
            services: self.services.clone(),
            organisations: self.organisations.clone(),
            question_kinds: self
                .questions
                .iter()
                .map(|k| Filters::parse_question_kind(k))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            touchpoints: self.touchpoints.clone(),
            themes: self.themes.clone(),
            sentiments: self
                .sentiments
                .iter()
                .map(|s| Filters::parse_sentiment(s))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            discordant: self.discordant,
            attributes: self.attributes.clone(),
        })
    }

    /// The search for this page of the selection.
    pub fn request(&self) -> Result<SearchRequest, Failure> {
        Ok(SearchRequest {
            query: self.q.clone(),
            filters: self.filters()?,
            limit: self.per,
            offset: self.offset(),
            sort: self.sort,
            snippet_chars: 280,
        })
    }

    /// Whether nothing narrows the selection.
    pub fn is_everything(&self) -> bool {
        let plain = Selection {
            q: self.q.trim().to_owned(),
            sort: SortOrder::Relevance,
            page: 1,
            per: PER_PAGE,
            ..self.clone()
        };
        plain
            == Selection {
                page: 1,
                per: PER_PAGE,
                ..Selection::default()
            }
    }

    /// The parameters, in a stable order, without the page (links to other views start on page 1).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        out.extend(self.from.iter().map(|v| ("from", v.clone())));
        out.extend(self.to.iter().map(|v| ("to", v.clone())));
        for (name, list) in [
            ("service", &self.services),
            ("organisation", &self.organisations),
            ("score", &self.scores),
            ("question", &self.questions),
            ("touchpoint", &self.touchpoints),
            ("theme", &self.themes),
            ("sentiment", &self.sentiments),
        ] {
            out.extend(list.iter().map(|v| (name, v.clone())));
        }
        out.extend(
            self.attributes
                .iter()
                .map(|(n, v)| ("attr", format!("{n}={v}"))),
        );
        if self.discordant {
            out.push(("discordant", "1".to_owned()));
        }
        if self.sort != SortOrder::Relevance {
            out.push(("sort", sort_slug(self.sort).to_owned()));
        }
        if self.per != PER_PAGE {
            out.push(("per", self.per.to_string()));
        }
        out
    }

    /// `path?…` for this selection (page 1).
    pub fn href(&self, path: &str) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return path.to_owned();
        }
        format!(
            "{path}?{}",
            url::query_string(pairs.iter().map(|(n, v)| (*n, v.as_str())))
        )
    }

    /// `path?…` for another page of this selection.
    pub fn page_href(&self, path: &str, page: usize) -> String {
        let mut pairs = self.pairs();
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        format!(
            "{path}?{}",
            url::query_string(pairs.iter().map(|(n, v)| (*n, v.as_str())))
        )
    }

    /// The selection with one value of a filter added, or removed if it was there.
    pub fn toggled(&self, filter: &str, value: &str) -> Selection {
        let mut s = self.clone();
        s.page = 1;
        let toggle = |list: &mut Vec<String>| {
            if let Some(i) = list.iter().position(|v| v.eq_ignore_ascii_case(value)) {
                list.remove(i);
            } else {
                list.push(value.to_owned());
            }
        };
        match filter {
            "service" => toggle(&mut s.services),
            "organisation" => toggle(&mut s.organisations),
            "score" => toggle(&mut s.scores),
            "question" => toggle(&mut s.questions),
            "touchpoint" => toggle(&mut s.touchpoints),
            "theme" => toggle(&mut s.themes),
            "sentiment" => toggle(&mut s.sentiments),
            "discordant" => s.discordant = !s.discordant,
            "from" => s.from = None,
            "to" => s.to = None,
            "q" => s.q.clear(),
            _ => {
                if let Some((n, v)) = value.split_once('=').filter(|_| filter == "attr") {
                    let pair = (n.to_owned(), v.to_owned());
                    if let Some(i) = s.attributes.iter().position(|p| *p == pair) {
                        s.attributes.remove(i);
                    } else {
                        s.attributes.push(pair);
                    }
                }
            }
        }
        s
    }

    /// Whether a filter holds a value.
    pub fn has(&self, filter: &str, value: &str) -> bool {
        let within = |list: &[String]| list.iter().any(|v| v.eq_ignore_ascii_case(value));
        match filter {
            "service" => within(&self.services),
            "organisation" => within(&self.organisations),
            "score" => within(&self.scores),
            "question" => within(&self.questions),
            "touchpoint" => within(&self.touchpoints),
            "theme" => within(&self.themes),
            "sentiment" => within(&self.sentiments),
            "attr" => value.split_once('=').is_some_and(|(n, v)| {
                self.attributes
                    .iter()
                    .any(|(an, av)| an.eq_ignore_ascii_case(n) && av.eq_ignore_ascii_case(v))
            }),
            _ => false,
        }
    }
}

/// The `sort` parameter's value for an order.
pub(crate) fn sort_slug(sort: SortOrder) -> &'static str {
    match sort {
        SortOrder::Relevance => "relevance",
        SortOrder::Date => "date",
        SortOrder::DateAsc => "date-asc",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<Selection, Failure> {
        Selection::from_query(&url::parse_query(query))
    }

    #[test]
    fn an_address_round_trips() {
        let s = parse("q=wait*&service=A%26E&score=4..5&attr=Age%20band%3D75%2B&discordant=1&sort=date&page=2")
            .unwrap();
        assert_eq!(s.services, ["A&E"]);
        assert_eq!(s.attributes, [("Age band".to_owned(), "75+".to_owned())]);
        assert_eq!(s.offset(), PER_PAGE);
        let again = parse(s.page_href("/search", 2).split_once('?').unwrap().1).unwrap();
        assert_eq!(again, s);
        let filters = s.filters().unwrap();
        assert_eq!(filters.scores.len(), 2);
        assert!(filters.discordant);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (query, expected) in [
            ("score=7", "--score"),
            ("from=yesterday", "--from"),
            ("page=0", "page="),
            ("per=1000", "per="),
            ("sort=best", "unknown sort"),
            ("attr=nocolumn", "attr="),
            ("question=sometimes", "--question-kind"),
            ("page=100000", "too deep"),
        ] {
            let failure = parse(query).unwrap_err();
            assert_eq!(failure.status, 400);
            assert!(
                failure.message.contains(expected),
                "{query}: {}",
                failure.message
            );
        }
    }

    #[test]
    fn toggling_adds_and_removes() {
        let s = parse("theme=Waiting&page=3").unwrap();
        let t = s.toggled("theme", "Parking");
        assert_eq!(t.themes, ["Waiting", "Parking"]);
        assert_eq!(t.page, 1);
        assert!(t.toggled("theme", "waiting").themes == ["Parking"]);
        assert!(s.has("theme", "waiting"));
        assert!(parse("").unwrap().is_everything());
        assert!(!s.is_everything());
    }
}
