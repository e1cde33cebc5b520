//! Street addresses: a house number and a street ("14 Mill Lane", "Flat 3, 12 High Street", "7a church
//! road", "3 The Crescent"), or a street after "I live on" ("live on Mill Lane"). The town is left: it
//! names no one. Found from the street's last word (a cue word, see `lexicon.rs`) backwards, so most
//! comments, with no such word near a number, cost nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::names::Hit;
use super::{IdentifierKind, Span};

/// The text before a street's last word: a house number (and flat), then the street's other words.
static BEFORE_STREET: LazyLock<Regex> = LazyLock::new(|| {
    // A fixed pattern, tested below: failing to compile it is a bug, not bad input.
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"(?:^|[\s,(\[])(?P<address>(?:(?i:flat|apartment|apt)\s+[0-9]{1,4}[A-Za-z]?\s*,?\s+)?[0-9]{1,4}[A-Za-z]?,?\s+|(?i:live|lives|lived|living)\s+(?i:on|at|in)\s+)(?P<words>(?:\p{L}[\p{L}'’.-]*\s+){1,3})$",
    )
    .unwrap()
});

/// Words that come between a number and a street word without making an address: "a 5 minute drive",
/// "2 miles up the road".
#[rustfmt::skip]
const NOT_STREET_NAMES: &[&str] = &[
    "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "second", "seconds", "day",
    "days", "week", "weeks", "month", "months", "year", "years", "mile", "miles", "yard", "yards",
    "metre", "metres", "meter", "meters", "km", "foot", "feet", "step", "steps", "mph", "times",
    "x", "people", "car", "cars", "bus", "buses", "bed", "beds", "floor", "floors", "the", "a",
    "an", "of", "to", "up", "down", "in", "on", "at", "my", "our", "his", "her", "their", "this",
    "that", "and", "or", "from", "by", "for", "with", "very", "too", "so", "long", "short", "way",
    "ways", "other", "more", "less", "left", "right", "turn", "turns", "stars", "star", "out",
    "off",
];

/// Finds street addresses ending at the street words among `hits`.
pub(super) fn find_addresses(text: &str, hits: &[Hit], spans: &mut Vec<Span>) {
    for hit in hits {
        let Some(lower_case_ok) = hit.cue.street else {
            continue;
        };
        let suffix = &text[hit.start..hit.end];
        let capitalised = suffix.starts_with(|c: char| c.is_uppercase());
        if !capitalised && !lower_case_ok {
            continue;
        }
        let mut from = hit.start.saturating_sub(80);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let before = &text[from..hit.start];
        let lives = before.contains("liv") || before.contains("LIV");
        if !lives && !before.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(caps) = BEFORE_STREET.captures(before) else {
            continue;
        };
        let (Some(address), Some(words)) = (caps.name("address"), caps.name("words")) else {
            continue;
        };
        // A match at the window's cut must not be the tail of a longer number ("1223 Mill Lane").
        if address.start() == 0 && from > 0 && !text[..from].ends_with(char::is_whitespace) {
            continue;
        }
        let numbered = address.as_str().starts_with(|c: char| c.is_ascii_digit())
            || address
                .as_str()
                .get(..4)
                .is_some_and(|f| f.eq_ignore_ascii_case("flat"))
            || address
                .as_str()
                .get(..3)
                .is_some_and(|f| f.eq_ignore_ascii_case("apt"));
        if !street_name_ok(words.as_str(), capitalised, numbered) {
            continue;
        }
        let start = if numbered {
            from + address.start()
        } else {
            from + words.start()
        };
        spans.push(Span {
            start,
            end: hit.end,
            kind: IdentifierKind::Address,
        });
    }
}

/// Whether the words between a house number and a street word name a street: capitalised before a
/// capitalised street word ("Mill Lane", "St John's Street", "The Crescent"), or one or two ordinary
/// lower-case words before a lower-case one ("church road").
fn street_name_ok(words: &str, capitalised: bool, numbered: bool) -> bool {
    let words: Vec<&str> = words.split_whitespace().collect();
    let ordinary = |w: &&str| {
        let lower = w.to_lowercase();
        !NOT_STREET_NAMES.contains(&lower.trim_end_matches('.'))
    };
    if capitalised {
        let the = |w: &&str| w.eq_ignore_ascii_case("the");
        words
            .iter()
            .all(|w| w.starts_with(|c: char| c.is_uppercase()))
            && words.iter().all(|w| ordinary(w) || the(w))
            && !(words.len() == 1 && the(&words[0]) && !numbered)
    } else {
        numbered
            && words.len() <= 2
            && words
                .iter()
                .all(|w| !w.starts_with(|c: char| c.is_uppercase()) && ordinary(w))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Redactor;

    #[test]
    fn streets_with_a_house_number() {
        let r = Redactor::new();
        for (text, expected) in [
            ("from 14 Mill Lane, at 8", "from [ADDRESS], at 8"),
            (
                "my address is Flat 3, 12 High Street, Hexham",
                "my address is [ADDRESS], Hexham",
            ),
            (
                "sent to 7a church road instead",
                "sent to [ADDRESS] instead",
            ),
            ("pick up from 3 The Crescent", "pick up from [ADDRESS]"),
            ("went to 16 St John's Street", "went to [ADDRESS]"),
            ("I live on Beech Close now", "I live on [ADDRESS] now"),
            ("63 Elmwood Dr.", "[ADDRESS]."),
        ] {
            assert_eq!(r.redact(text).0, expected, "{text}");
        }
    }

    #[test]
    fn numbers_before_ordinary_words_are_not_addresses() {
        let r = Redactor::new();
        for text in [
            "a 5 minute drive away",
            "A 10 Minute Walk",
            "2 miles up the road",
            "parked on Station Road",
            "there are 2 car parks",
            "the 3 Park and Ride buses",
            "1223 Mill",
            "it took 2 long way round",
        ] {
            assert_eq!(r.redact(text).0, text);
        }
    }
}
