//! Reading the dates survey exports write: UK day-first by default, ISO 8601, month names, Excel serials.

use std::fmt;
use std::str::FromStr;

use chorus_core::Date;
use serde::Serialize;

/// Which number comes first in an all-numeric date such as `03/04/2022`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day, month, year: the UK default (`03/04/2022` is 3 April).
    #[default]
    Dmy,
    /// Month, day, year: American exports (`03/04/2022` is 4 March).
    Mdy,
}

impl FromStr for DateOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" => Ok(DateOrder::Dmy),
            "mdy" => Ok(DateOrder::Mdy),
            other => Err(format!("unknown date order `{other}`: use dmy or mdy")),
        }
    }
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        })
    }
}

/// Why a date could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateProblem {
    /// Not in any date format Chorus knows.
    Unrecognised,
    /// In a known format, but no such day (31/02/2022, month 13).
    Impossible,
    /// Impossible in the chosen order but valid in the other (`12/25/2021` read day-first): the file may
    /// use the other order.
    WrongOrder,
}

impl DateProblem {
    /// A short explanation for summaries.
    pub fn describe(self, order: DateOrder) -> &'static str {
        match (self, order) {
            (DateProblem::Unrecognised, _) => "not a date format Chorus reads",
            (DateProblem::Impossible, _) => "no such day",
            (DateProblem::WrongOrder, DateOrder::Dmy) => {
                "only valid as month/day/year: if the file is American, use --date-order mdy"
            }
            (DateProblem::WrongOrder, DateOrder::Mdy) => {
                "only valid as day/month/year: drop --date-order mdy"
            }
        }
    }
}

/// Reads a date as exports write it. `Ok(None)` for a blank cell.
///
/// Accepted: `dd/mm/yyyy`, `d/m/yy`, `dd-mm-yyyy`, `dd.mm.yyyy` (day and month swapped with
/// [`DateOrder::Mdy`]), ISO `yyyy-mm-dd` and `yyyy/mm/dd`, `30 Sep 2021`, `30-Sep-21`, `30th September
/// 2021`, `Sep 30, 2021`, an optional leading weekday and trailing time (`14:05`, `2:05 PM`,
/// `T14:05:00Z`), compact `yyyymmdd`, and Excel serial day numbers from 1950 to 2100 (`44469`,
/// `44469.5`).
pub fn parse_date(text: &str, order: DateOrder) -> Result<Option<Date>, DateProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date_part = strip_time(text);
    let tokens = tokenize(date_part);
    match tokens.as_slice() {
        [Tok::Num(n, len)] => whole_number(*n, *len),
        [Tok::Num(a, la), Tok::Num(b, _), Tok::Num(c, lc)] => {
            if *la == 4 {
                ymd(*a as i32, *b, *c)
            } else if *lc == 4 || *lc == 2 {
                let year = full_year(*c, *lc);
                let (first, second) = (*a, *b);
                let (day, month) = match order {
                    DateOrder::Dmy => (first, second),
                    DateOrder::Mdy => (second, first),
                };
                match Date::from_ymd(year, month, day) {
                    Some(date) => Ok(Some(date)),
                    None if month > 12 && Date::from_ymd(year, day, month).is_some() => {
                        Err(DateProblem::WrongOrder)
                    }
                    None => Err(DateProblem::Impossible),
                }
            } else {
                Err(DateProblem::Unrecognised)
            }
        }
        // 2021 Sep 30
        [Tok::Num(y, 4), Tok::Month(m), Tok::Num(d, _)] => ymd(*y as i32, *m, *d),
        // 30 Sep 2021, 30th September 2021
        [Tok::Num(d, _), Tok::Month(m), Tok::Num(y, ly)] => ymd(full_year(*y, *ly), *m, *d),
        // Sep 30 2021, September 30th, 2021
        [Tok::Month(m), Tok::Num(d, _), Tok::Num(y, ly)] => ymd(full_year(*y, *ly), *m, *d),
        _ => Err(DateProblem::Unrecognised),
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Result<Option<Date>, DateProblem> {
    Date::from_ymd(year, month, day)
        .map(Some)
        .ok_or(DateProblem::Impossible)
}

/// A lone number: compact `yyyymmdd` or an Excel serial day.
fn whole_number(n: u32, len: usize) -> Result<Option<Date>, DateProblem> {
    if len == 8 {
        return ymd((n / 10_000) as i32, n / 100 % 100, n % 100);
    }
    // Only serials from 1950 to 2100: a bare "2022" or "5" in a date column is not a 1905 or 1900 date.
    if (18_264..=73_415).contains(&n) {
        return Ok(Some(excel_serial_date(f64::from(n))));
    }
    Err(DateProblem::Unrecognised)
}

/// The day of an Excel serial date-time in the 1900 date system (the fraction is the time of day).
pub fn excel_serial_date(serial: f64) -> Date {
    // Day 0 of the 1900 system is 1899-12-30 once Excel's fictional 29 February 1900 is accounted for.
    let epoch = Date::from_ymd(1899, 12, 30).map_or(-25_569, Date::days_since_epoch);
    Date::from_days_since_epoch(epoch + serial.floor() as i32)
}

fn full_year(y: u32, len: usize) -> i32 {
    if len <= 2 {
        // Two-digit years in feedback exports are this century; 70–99 are the last one's.
        if y < 70 {
            2000 + y as i32
        } else {
            1900 + y as i32
        }
    } else {
        y as i32
    }
}

/// Cuts a trailing time: `T14:05:00Z`, ` 14:05`, ` 2:05 PM`, ` 14:05:00.000`.
fn strip_time(text: &str) -> &str {
    // ISO: a 'T' right after the day digits.
    if let Some(t) = text.find('T')
        && t >= 8
        && text.as_bytes()[t - 1].is_ascii_digit()
    {
        return &text[..t];
    }
    match text.find(':') {
        Some(colon) => {
            // Back up over the hour digits and the space before them.
            let before = &text[..colon];
            // Counted in bytes from the end: the character before the digits may be several bytes.
            let hour_start =
                before.len() - before.bytes().rev().take_while(u8::is_ascii_digit).count();
            before[..hour_start].trim_end_matches([' ', ',', 'T'])
        }
        None => text,
    }
}

#[derive(Debug, PartialEq)]
enum Tok {
    /// A number and its digit count.
    Num(u32, usize),
    /// A month, 1–12.
    Month(u32),
}

/// Splits a date into numbers and month names, dropping separators, weekday names and ordinal
/// suffixes; a token that is neither makes the list empty-of-meaning (it becomes an impossible shape).
fn tokenize(text: &str) -> Vec<Tok> {
    let mut tokens = Vec::with_capacity(3);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &text[start..i];
            if digits.len() > 9 {
                return vec![
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                ];
            }
            let value = digits.parse().unwrap_or(0);
            // "30th": skip the ordinal suffix. Compared as bytes: the next character may be "€".
            let rest = &bytes[i..];
            for suffix in ["st", "nd", "rd", "th"] {
                if rest.len() >= 2 && rest[..2].eq_ignore_ascii_case(suffix.as_bytes()) {
                    i += 2;
                    break;
                }
            }
            // "44469.5": an Excel serial with a time fraction.
            if i < bytes.len() && bytes[i] == b'.' && tokens.is_empty() && digits.len() == 5 {
                let frac_end = text[i + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(text.len(), |e| i + 1 + e);
                if frac_end == text.len() && frac_end > i + 1 {
                    tokens.push(Tok::Num(value, digits.len()));
                    return tokens;
                }
            }
            tokens.push(Tok::Num(value, digits.len()));
        } else if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = text[start..i].to_ascii_lowercase();
            if let Some(month) = month_number(&word) {
                tokens.push(Tok::Month(month));
            } else if !is_weekday(&word) {
                return vec![
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                    Tok::Num(0, 0),
                ];
            }
        } else if matches!(b, b'/' | b'-' | b'.' | b' ' | b',') {
            i += 1;
        } else {
            return vec![
                Tok::Num(0, 0),
                Tok::Num(0, 0),
                Tok::Num(0, 0),
                Tok::Num(0, 0),
            ];
        }
    }
    tokens
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| word.len() >= 3 && m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    word.len() >= 3 && DAYS.iter().any(|d| d.starts_with(word))
        || matches!(word, "tues" | "thur" | "thurs")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, order: DateOrder, expected: Result<Option<&str>, DateProblem>) {
        let got = parse_date(text, order).map(|d| d.map(|d| d.to_string()));
        assert_eq!(
            got,
            expected.map(|d| d.map(str::to_owned)),
            "{text:?} {order:?}"
        );
    }

    #[test]
    fn uk_dates_and_their_variants() {
        use DateOrder::Dmy;
        let ok = |s| Ok(Some(s));
        check("30/09/2021", Dmy, ok("2021-09-30"));
        check("03/04/2022", Dmy, ok("2022-04-03"));
        check("3/4/22", Dmy, ok("2022-04-03"));
        check("03-04-2022", Dmy, ok("2022-04-03"));
        check("03.04.2022", Dmy, ok("2022-04-03"));
        check("30/09/2021 14:05", Dmy, ok("2021-09-30"));
        check("30/09/2021 14:05:33", Dmy, ok("2021-09-30"));
        check("30/09/2021 2:05 PM", Dmy, ok("2021-09-30"));
        check("30 Sep 2021", Dmy, ok("2021-09-30"));
        check("30 September 2021", Dmy, ok("2021-09-30"));
        check("30th September 2021", Dmy, ok("2021-09-30"));
        check("30-Sep-21", Dmy, ok("2021-09-30"));
        check("Thu 30 Sep 2021 09:00", Dmy, ok("2021-09-30"));
        check("Sep 30, 2021", Dmy, ok("2021-09-30"));
        check("30 Sept 2021", Dmy, ok("2021-09-30"));
        check("  ", Dmy, Ok(None));
    }

    #[test]
    fn iso_compact_and_excel_serial_dates() {
        use DateOrder::Dmy;
        let ok = |s| Ok(Some(s));
        check("2021-09-30", Dmy, ok("2021-09-30"));
        check("2021-09-30T14:05:00Z", Dmy, ok("2021-09-30"));
        check("2021-09-30 14:05", Dmy, ok("2021-09-30"));
        check("2021/09/30", Dmy, ok("2021-09-30"));
        check("20210930", Dmy, ok("2021-09-30"));
        check("44469", Dmy, ok("2021-09-30"));
        check("44469.75", Dmy, ok("2021-09-30"));
        check("18264", Dmy, ok("1950-01-01"));
        check("2022", Dmy, Err(DateProblem::Unrecognised));
    }

    #[test]
    fn american_order_and_its_warning_sign() {
        check("03/04/2022", DateOrder::Mdy, Ok(Some("2022-03-04")));
        check("12/25/2021", DateOrder::Mdy, Ok(Some("2021-12-25")));
        check("12/25/2021", DateOrder::Dmy, Err(DateProblem::WrongOrder));
        check("25/12/2021", DateOrder::Mdy, Err(DateProblem::WrongOrder));
    }

    #[test]
    fn impossible_and_unreadable_dates_are_reported() {
        use DateOrder::Dmy;
        check("31/02/2022", Dmy, Err(DateProblem::Impossible));
        check("29/02/2023", Dmy, Err(DateProblem::Impossible));
        check("2022-13-01", Dmy, Err(DateProblem::Impossible));
        check("31/13/2022", Dmy, Err(DateProblem::Impossible));
        check("yesterday", Dmy, Err(DateProblem::Unrecognised));
        check("Q1 2022", Dmy, Err(DateProblem::Unrecognised));
        check("5", Dmy, Err(DateProblem::Unrecognised));
        check("1/2", Dmy, Err(DateProblem::Unrecognised));
        check("30/09/221", Dmy, Err(DateProblem::Unrecognised));
        // A digit before a multi-byte character once cut that character in two (a panic).
        check("1€", Dmy, Err(DateProblem::Unrecognised));
        check("3\u{1D54A}", Dmy, Err(DateProblem::Unrecognised));
        check("\u{10350}:", Dmy, Err(DateProblem::Unrecognised));
        check(
            "30/09/2021 \u{20AC}14:05",
            Dmy,
            Err(DateProblem::Unrecognised),
        );
    }
}
