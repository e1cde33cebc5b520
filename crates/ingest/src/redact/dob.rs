//! Dates of birth: a full date (day, month, year) after "DOB", "date of birth", "born" or "birthday", or
//! any full date in the 1900s, which in feedback on care is a date of birth far more often than a visit.
//! A date of a visit ("on 12/03/2024 I attended") is no identifier and is left alone; so are a year alone
//! ("since 2019") and a month and year ("in March 2022").

use std::sync::LazyLock;

use regex::Regex;

use super::{IdentifierKind, Span};

/// "01/02/1950", "12.03.48", "23-11-1944".
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    // Fixed patterns, tested below: failing to compile one is a bug, not bad input.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?-u)\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})\b").unwrap()
});

/// "3rd March 1961", "2nd of June 2019", "14 July 1939", "March 3rd, 1961".
static WORDS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"(?i-u)\b(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m1>[a-z]{3,9})\.?,?|(?P<m2>[a-z]{3,9})\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?)\s+(?P<year>[0-9]{4}|'[0-9]{2})\b",
    )
    .unwrap()
});

/// What comes right before a date of birth: "DOB", "d.o.b:", "date of birth is", "born on", "dob (".
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"(?i)(?:\bd\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|\bborn|birthday)\s*(?:(?:is|was|on|of|:|-|=|,|\()\s*){0,3}$",
    )
    .unwrap()
});

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november",
    "dec", "december",
];

/// Finds dates of birth.
pub(super) fn find_dates_of_birth(text: &str, spans: &mut Vec<Span>) {
    for found in NUMERIC.find_iter(text) {
        let parts: Vec<&str> = found.as_str().split(['/', '.', '-']).collect();
        let [a, b, year] = parts[..] else {
            continue;
        };
        let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
            continue;
        };
        // Day and month in either order: "23-11-1944", and an American "11/23/1944".
        let plausible = (1..=31).contains(&a) && (1..=31).contains(&b) && (a <= 12 || b <= 12);
        if plausible && is_birth(text, found.start(), year) {
            push(spans, text, found.as_str());
        }
    }
    // Finding first and capturing only in what was found keeps the search on the fast engines.
    for found in WORDS.find_iter(text) {
        let Some(caps) = WORDS.captures(found.as_str()) else {
            continue;
        };
        let month = caps
            .name("m1")
            .or_else(|| caps.name("m2"))
            .map(|m| m.as_str());
        if !month.is_some_and(|m| MONTHS.contains(&m.to_ascii_lowercase().as_str())) {
            continue;
        }
        if is_birth(text, found.start(), caps["year"].trim_start_matches('\'')) {
            push(spans, text, found.as_str());
        }
    }
}

fn push(spans: &mut Vec<Span>, text: &str, matched: &str) {
    // `matched` is a slice of `text`; its offset is where it starts.
    let start = matched.as_ptr() as usize - text.as_ptr() as usize;
    spans.push(Span {
        start,
        end: start + matched.len(),
        kind: IdentifierKind::DateOfBirth,
    });
}

/// Whether the date starting at `start`, with year `year` as written, is a date of birth.
fn is_birth(text: &str, start: usize, year: &str) -> bool {
    if year.len() == 4 && year.starts_with("19") {
        return true;
    }
    let mut from = start.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    CUE.is_match(&text[from..start])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        find_dates_of_birth(text, &mut spans);
        spans.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn dates_after_a_cue_or_in_the_1900s_are_dates_of_birth() {
        assert_eq!(found("my date of birth is 01/02/1950"), ["01/02/1950"]);
        assert_eq!(found("DOB: 3rd March 2019"), ["3rd March 2019"]);
        assert_eq!(found("(dob 5/6/72)"), ["5/6/72"]);
        assert_eq!(found("born on 14 July 1939"), ["14 July 1939"]);
        assert_eq!(found("the letter said 17/09/1958"), ["17/09/1958"]);
        assert_eq!(found("d.o.b. March 3rd, 2001"), ["March 3rd, 2001"]);
    }

    #[test]
    fn visit_dates_are_not() {
        for text in [
            "on 12/03/2024 I attended",
            "appointment on 3rd May 2023",
            "between 1/6/23 and 3/6/23",
            "in March 2022",
            "since 2019",
            "co-codamol 30/500",
            "seen 10.30 12.45",
            "on 3 Mayor 2020",
            "on 45/67/1950",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
