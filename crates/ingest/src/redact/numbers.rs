//! Numbers that identify a person: NHS numbers (a valid check digit, or any ten digits after "NHS
//! number"), UK phone numbers (in their usual groupings, with dots, or digit by digit), and hospital,
//! unit, MRN and reference numbers (a code such as `RX1234567`, or six digits or more after "hospital
//! number", "MRN", "patient ID", "ref").

use std::sync::LazyLock;

use regex::Regex;

use super::{IdentifierKind, Span};

/// Finds NHS numbers and UK phone numbers: runs of digit groups separated by single spaces or hyphens,
/// optionally starting with `+`, then the sub-run of groups that forms a valid number.
pub(super) fn find_numbers(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_run = b.is_ascii_digit()
            || (b == b'+' || b == b'(') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        // Not inside a word, a decimal or a date ("A12", "3.14159265", "12/03/2022").
        let prev_ok = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'.' | b'/' | b','));
        if !starts_run || !prev_ok {
            i += 1;
            continue;
        }
        let groups = digit_groups(bytes, i);
        let run_end = groups.last().map_or(i + 1, |g| g.end);
        let followed_ok = run_end >= bytes.len()
            || !(bytes[run_end].is_ascii_alphanumeric()
                || matches!(bytes[run_end], b'/' | b':')
                || bytes[run_end] == b'.'
                    && bytes.get(run_end + 1).is_some_and(u8::is_ascii_digit));
        let mut g = 0;
        while g < groups.len() {
            if let Some((len, kind)) = longest_number(
                bytes,
                &groups[g..],
                g + groups[g..].len() == groups.len() && !followed_ok,
            ) {
                spans.push(Span {
                    start: groups[g].start,
                    end: groups[g + len - 1].end,
                    kind,
                });
                g += len;
            } else {
                g += 1;
            }
        }
        i = run_end.max(i + 1);
    }
}

/// A group of digits, with where it starts (including a leading `+` or `(`) and ends.
#[derive(Clone, Copy, Debug)]
struct Group {
    start: usize,
    end: usize,
    digits_start: usize,
    plus: bool,
    paren: bool,
}

fn digit_groups(bytes: &[u8], mut i: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    loop {
        let start = i;
        let plus = bytes.get(i) == Some(&b'+');
        let paren = bytes.get(i) == Some(&b'(');
        if plus || paren {
            i += 1;
        }
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            break;
        }
        let mut end = i;
        if paren {
            if bytes.get(i) == Some(&b')') {
                i += 1;
                end = i;
            } else {
                break;
            }
        }
        groups.push(Group {
            start,
            end,
            digits_start,
            plus,
            paren,
        });
        // One separator, then another group.
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b' ' | b'-'), Some(n)) if n.is_ascii_digit() || *n == b'(' => i += 1,
            // "943.476.5919": dots between groups, never before a bracket.
            (Some(b'.'), Some(n)) if n.is_ascii_digit() => i += 1,
            (Some(b'('), _) => {}
            // "(0)20 7946 0000": a bracketed group runs straight into the next.
            (Some(n), _) if paren && n.is_ascii_digit() => {}
            _ => break,
        }
    }
    groups
}

/// The most groups from the start of `groups` that form an NHS number or a UK phone number.
fn longest_number(
    bytes: &[u8],
    groups: &[Group],
    last_is_glued: bool,
) -> Option<(usize, IdentifierKind)> {
    let first = groups.first()?;
    if first.paren && &bytes[first.digits_start..first.end - 1] == b"0" {
        return None;
    }
    // Up to six groups, or thirteen single digits ("0 7 7 0 0 9 0 0 4 8 2").
    for len in (1..=groups.len().min(13)).rev() {
        if len == groups.len() && last_is_glued {
            continue;
        }
        let chosen = &groups[..len];
        let mut digits = String::with_capacity(16);
        for g in chosen {
            let end = if g.paren { g.end - 1 } else { g.end };
            digits.push_str(std::str::from_utf8(&bytes[g.digits_start..end]).unwrap_or(""));
        }
        let sizes: Vec<usize> = chosen
            .iter()
            .map(|g| {
                if g.paren {
                    g.end - 1 - g.digits_start
                } else {
                    g.end - g.digits_start
                }
            })
            .collect();
        if len > 6 && sizes.iter().any(|&s| s > 1) {
            continue;
        }
        if !first.plus
            && !first.paren
            && digits.len() == 10
            && (sizes == [10] || sizes == [3, 3, 4])
            && nhs_check_digit_ok(&digits)
        {
            return Some((len, IdentifierKind::NhsNumber));
        }
        if is_uk_phone(&digits, &sizes, chosen) {
            return Some((len, IdentifierKind::Phone));
        }
    }
    None
}

/// Whether digits grouped as `sizes` are a UK phone number: `0` then 9–10 digits, or `+44`/`0044` then
/// 9–10 digits (with an optional `(0)`). Groups of fewer than three digits are refused so that dates and
/// counts ("01-02-2022 03") are not read as numbers.
fn is_uk_phone(digits: &str, sizes: &[usize], groups: &[Group]) -> bool {
    let national = if let Some(rest) = digits.strip_prefix("44").filter(|_| groups[0].plus) {
        let rest = if groups.get(1).is_some_and(|g| g.paren) {
            rest.strip_prefix('0').unwrap_or(rest)
        } else {
            rest
        };
        // After +44 the area code may be two digits ("+44 20 7946 0000"); a bracketed "(0)" is one.
        if sizes
            .iter()
            .zip(groups)
            .skip(1)
            .any(|(&s, g)| s < 2 && !g.paren)
        {
            return false;
        }
        rest
    } else if let Some(rest) = digits.strip_prefix("0044") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0').filter(|_| !groups[0].plus) {
        // Digit by digit is a way of writing a number; otherwise short groups are dates and counts.
        let spelled_out = sizes.len() >= 10 && sizes.iter().all(|&s| s == 1);
        if !spelled_out && (sizes.len() > 6 || sizes.iter().any(|&s| s < 3)) {
            return false;
        }
        rest
    } else {
        return false;
    };
    (9..=10).contains(&national.len())
        && matches!(
            national.as_bytes()[0],
            b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9'
        )
}

/// The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits; 11 minus the remainder
/// (11 becomes 0, 10 is never issued) must equal the tenth.
pub fn nhs_check_digit_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if d.len() != 10 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

/// "hospital number RX1234567", "MRN: 00123456", "NHS No. 943.476.5919", "my reference is RTH-445566".
static AFTER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    // A fixed pattern, tested below: failing to compile it is a bug, not bad input.
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"(?i-u)\b(?:(?P<nhs>nhs)(?:\s*(?:number|num|no)\b\.?)?|(?:hospital|hosp|unit|patient|case|client|record|reference|ref|mrn|crn|pas|rio)(?:\s*(?:number|num|no|id)\b\.?)?)\s*(?:#\s*)?(?:(?:is|was)\s+)?[:#(=-]?\s*(?P<id>[A-Za-z]{0,4}[-/]?\d(?:\d|[ .-]\d)*)\b",
    )
    .unwrap()
});

/// Where the tenth digit of `id` ends, if a separator follows it.
fn tenth_digit_end(id: &str) -> Option<usize> {
    let (at, _) = id
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .nth(9)?;
    let end = at + 1;
    (!id[end..].starts_with(|c: char| c.is_ascii_digit())).then_some(end)
}

/// A code of a few letters and six digits or more, as hospitals number their patients: "RX1234567",
/// "K123456", "NHFT-123456".
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?-u)\b[A-Za-z]{1,4}-?[0-9]{6,12}\b").unwrap()
});

/// Finds hospital and reference numbers, and NHS numbers named as such whatever their check digit.
pub(super) fn find_id_numbers(text: &str, spans: &mut Vec<Span>) {
    // Finding first and capturing only in what was found keeps the search on the fast engines.
    for found in AFTER_CUE.find_iter(text) {
        let Some(caps) = AFTER_CUE.captures(found.as_str()) else {
            continue;
        };
        let Some(id) = caps.name("id") else {
            continue;
        };
        let offset = found.start();
        let digits = id.as_str().bytes().filter(u8::is_ascii_digit).count();
        let (end, kind) = if caps.name("nhs").is_some() {
            match digits {
                9..=11 => (id.end(), IdentifierKind::NhsNumber),
                // "my NHS number is 943 476 5919 111": the number is its first ten digits.
                12.. => match tenth_digit_end(id.as_str()) {
                    Some(len) => (id.start() + len, IdentifierKind::NhsNumber),
                    None => continue,
                },
                _ => continue,
            }
        } else if digits >= 6 {
            (id.end(), IdentifierKind::IdNumber)
        } else {
            continue;
        };
        spans.push(Span {
            start: offset + id.start(),
            end: offset + end,
            kind,
        });
    }
    for m in CODE.find_iter(text) {
        spans.push(Span {
            start: m.start(),
            end: m.end(),
            kind: IdentifierKind::IdNumber,
        });
    }
}
