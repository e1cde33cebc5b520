//! Calendar dates without time zones, as surveys record them, and calendar months for trends.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A day in the proleptic Gregorian calendar, stored as days since 1970-01-01.
///
/// Feedback is dated to the day; nothing in Chorus needs times or zones, so a day count keeps dates `Copy`,
/// cheap to compare and cheap to store in the index as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i32,
}

/// A calendar month, the unit of trend and SPC charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// The year, e.g. 2022.
    pub year: i32,
    /// The month, 1 (January) to 12.
    pub month: u32,
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month, or `None` for a month outside 1..=12.
pub(crate) fn days_in_month(year: i32, month: u32) -> Option<u32> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return None,
    })
}

impl Date {
    /// The date for a year, month (1–12) and day, or `None` if no such day exists (31 April, 29 February
    /// 2023, month 13).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year, month)? {
            return None;
        }
        // Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date {
            days: era * 146_097 + doe - 719_468,
        })
    }

    /// The date `days` days after 1970-01-01 (negative for earlier dates).
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date { days }
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.days
    }

    /// The year, month (1–12) and day of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// The calendar month this date falls in.
    pub fn year_month(self) -> YearMonth {
        let (year, month, _) = self.ymd();
        YearMonth { year, month }
    }

    /// The date `days` days later (or earlier, for a negative count).
    pub fn add_days(self, days: i32) -> Date {
        Date {
            days: self.days + days,
        }
    }

    /// Parses an ISO 8601 calendar date, `YYYY-MM-DD`, optionally followed by a time (`T…` or ` …`), which
    /// is ignored.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let text = text.trim();
        let date_part = text.split(['T', ' ']).next().unwrap_or(text);
        let mut parts = date_part.split('-');
        let year = parts.next()?;
        let month = parts.next()?;
        let day = parts.next()?;
        if parts.next().is_some() || year.len() != 4 || month.len() > 2 || day.len() > 2 {
            return None;
        }
        Date::from_ymd(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_iso(s).ok_or_else(|| format!("`{s}` is not a date in the form YYYY-MM-DD"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl YearMonth {
    /// The month, or `None` when `month` is outside 1..=12.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date { days: 0 })
    }

    /// The last day of the month.
    pub fn last_day(self) -> Date {
        self.next().first_day().add_days(-1)
    }

    /// The following month.
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The preceding month.
    pub fn previous(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32
    }

    /// Every month from `self` to `last`, both included, in order.
    pub fn range_inclusive(self, last: YearMonth) -> impl Iterator<Item = YearMonth> {
        let mut next = Some(self);
        std::iter::from_fn(move || {
            let current = next?;
            next = (current < last).then(|| current.next());
            Some(current)
        })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("`{s}` is not a month in the form YYYY-MM");
        let (year, month) = s.trim().split_once('-').ok_or_else(err)?;
        YearMonth::new(
            year.parse().map_err(|_| err())?,
            month.parse().map_err(|_| err())?,
        )
        .ok_or_else(err)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_centuries_and_leap_days() {
        for days in (-700_000..2_900_000).step_by(37) {
            let date = Date::from_days_since_epoch(days);
            let (y, m, d) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(date), "{days}");
        }
        assert_eq!(
            Date::from_ymd(1970, 1, 1).map(Date::days_since_epoch),
            Some(0)
        );
        assert_eq!(
            Date::from_ymd(2000, 3, 1).map(Date::days_since_epoch),
            Some(11_017)
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(Date::from_ymd(2022, 4, 31), None);
        assert_eq!(Date::from_ymd(2022, 13, 1), None);
        assert_eq!(Date::from_ymd(2022, 1, 0), None);
    }

    #[test]
    fn iso_dates_parse_with_or_without_a_time() {
        let expected = Date::from_ymd(2021, 9, 30);
        assert_eq!(Date::parse_iso("2021-09-30"), expected);
        assert_eq!(Date::parse_iso("2021-09-30T14:05:00Z"), expected);
        assert_eq!(Date::parse_iso("2021-09-30 14:05"), expected);
        assert_eq!(Date::parse_iso("30/09/2021"), None);
        assert_eq!(Date::parse_iso("2021-09-31"), None);
    }

    #[test]
    fn months_step_over_year_ends() {
        let december = YearMonth::new(2021, 12).unwrap();
        assert_eq!(december.next().to_string(), "2022-01");
        assert_eq!(december.next().previous(), december);
        assert_eq!(december.last_day().to_string(), "2021-12-31");
        let months: Vec<_> = december
            .range_inclusive(YearMonth::new(2022, 2).unwrap())
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2021-12", "2022-01", "2022-02"]);
        assert_eq!(december.months_until(YearMonth::new(2023, 1).unwrap()), 13);
    }

    #[test]
    fn dates_serialise_as_iso_strings() {
        let date = Date::from_ymd(2022, 1, 5).unwrap();
        let json = serde_json::to_string(&date).unwrap();
        assert_eq!(json, "\"2022-01-05\"");
        assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), date);
    }
}
