//! Everything fixed before the aggregation pass: the registry, the period and its months, the breakdowns.

use chorus_core::{Comment, Date, YearMonth};

use crate::breakdown::NOT_RECORDED;
use crate::model::Period;
use crate::options::{BreakdownBy, ReportOptions};

use super::*;

/// Everything fixed before the aggregation pass.
pub(super) struct Plan<'a> {
    pub(super) registry: Registry,
    pub(super) service: Option<&'a str>,
    pub(super) period: Option<Period>,
    pub(super) explicit_period: bool,
    pub(super) previous: Option<Period>,
    /// First month of the SPC history and the number of months up to the period's end.
    pub(super) history_start: Option<YearMonth>,
    pub(super) months: usize,
    pub(super) breakdowns: Vec<BreakdownBy>,
    pub(super) quotes_k: usize,
}

impl<'a> Plan<'a> {
    pub(super) fn new(
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

    pub(super) fn themes(&self) -> usize {
        self.registry.themes.len()
    }

    pub(super) fn touchpoints(&self) -> usize {
        self.registry.touchpoints.len()
    }

    pub(super) fn in_current(&self, date: Option<Date>) -> bool {
        if !self.explicit_period {
            return true;
        }
        match (date, self.period) {
            (Some(d), Some(p)) => p.contains(d),
            _ => false,
        }
    }

    pub(super) fn in_previous(&self, date: Option<Date>) -> bool {
        matches!((date, self.previous), (Some(d), Some(p)) if p.contains(d))
    }

    pub(super) fn month_index(&self, date: Option<Date>) -> Option<usize> {
        let start = self.history_start?;
        let offset = start.months_until(date?.year_month());
        (offset >= 0 && (offset as usize) < self.months).then_some(offset as usize)
    }

    pub(super) fn group_value<'c>(&self, by: &BreakdownBy, comment: &'c Comment) -> GroupKey<'c> {
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

pub(super) enum GroupKey<'c> {
    Text(&'c str),
    Month(YearMonth),
}
