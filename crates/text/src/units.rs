//! One spelling for each unit of time, which waiting comments are full of.

use crate::analyzer::TokenFilter;
use crate::token::{Token, TokenKind};

/// Rewrites abbreviations of time units to one word, so "2hrs", "2 hr" and "2 hours" are all `2` `hour`
/// and "waited 45 mins" matches a search for "45 minutes". Runs after [`crate::Normaliser`].
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitNormaliser;

/// Abbreviation → unit. Only forms that are unambiguous in feedback: "min" is a unit, "mo" is not listed
/// because it is also a name.
const UNITS: &[(&str, &str)] = &[
    ("h", "hour"),
    ("hr", "hour"),
    ("hrs", "hour"),
    ("hour", "hour"),
    ("hours", "hour"),
    ("min", "minute"),
    ("mins", "minute"),
    ("minute", "minute"),
    ("minutes", "minute"),
    ("sec", "second"),
    ("secs", "second"),
    ("wk", "week"),
    ("wks", "week"),
    ("week", "week"),
    ("weeks", "week"),
    ("mth", "month"),
    ("mths", "month"),
    ("month", "month"),
    ("months", "month"),
    ("yr", "year"),
    ("yrs", "year"),
    ("year", "year"),
    ("years", "year"),
    ("day", "day"),
    ("days", "day"),
];

impl TokenFilter for UnitNormaliser {
    fn filter(&mut self, _text: &str, tokens: &mut [Token]) {
        for token in tokens.iter_mut() {
            if token.kind != TokenKind::Word || token.term.len() > 7 {
                continue;
            }
            if let Some((_, unit)) = UNITS.iter().find(|(from, _)| *from == token.term) {
                token.term.clear();
                token.term.push_str(unit);
            }
        }
    }

    fn box_clone(&self) -> Box<dyn TokenFilter> {
        Box::new(*self)
    }
}
