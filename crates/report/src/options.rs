//! What the user asked of a report: period, service, breakdowns, comparison and SPC settings.

use std::fmt;
use std::str::FromStr;

use chorus_core::Date;
use serde::Serialize;

use crate::Error;

/// The fewest points that give firm process limits: limits from fewer are trial limits, drawn and marked
/// as such (NHSRplotthedots warns of trial limits below 12 points; Making Data Count asks for 15–20
/// where possible). A marked change starts new limits only once this many points follow it.
pub const MIN_SPC_POINTS: usize = 12;

/// A dimension to break the themes down by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum BreakdownBy {
    /// The comment's service or department.
    Service,
    /// The calendar month of the comment.
    Month,
    /// The question the comment answers.
    Question,
    /// Any other column of the export (age band, ethnicity…), by its header.
    Attribute(String),
}

impl BreakdownBy {
    /// A label for headings: `service`, `month`, `question` or the attribute's name.
    pub fn label(&self) -> &str {
        match self {
            BreakdownBy::Service => "service",
            BreakdownBy::Month => "month",
            BreakdownBy::Question => "question",
            BreakdownBy::Attribute(name) => name,
        }
    }
}

impl FromStr for BreakdownBy {
    type Err = Error;

    /// `service`, `month` and `question` name the built-in dimensions; anything else is an attribute.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidOption {
                option: "--by",
                reason: "give service, month, question or the name of an attribute column".into(),
            });
        }
        Ok(match trimmed.to_ascii_lowercase().as_str() {
            "service" => BreakdownBy::Service,
            "month" => BreakdownBy::Month,
            "question" => BreakdownBy::Question,
            _ => BreakdownBy::Attribute(trimmed.to_string()),
        })
    }
}

impl fmt::Display for BreakdownBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A change to the process (a PDSA cycle, a new rota) marked on every SPC chart; limits are
/// recalculated from the month it falls in once [`MIN_SPC_POINTS`] months follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeNote {
    /// When the change was made.
    pub date: Date,
    /// What changed, as the team describes it.
    pub text: String,
}

impl FromStr for ChangeNote {
    type Err = Error;

    /// Parses `DATE=TEXT`, e.g. `2022-03-01=New discharge lounge`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (date, text) = s.split_once('=').ok_or_else(|| Error::InvalidOption {
            option: "--annotate",
            reason: format!("`{s}` is not DATE=TEXT, e.g. 2022-03-01=New discharge lounge"),
        })?;
        let date = Date::parse_iso(date).ok_or_else(|| Error::InvalidOption {
            option: "--annotate",
            reason: format!("`{}` is not a date in the form YYYY-MM-DD", date.trim()),
        })?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidOption {
                option: "--annotate",
                reason: format!("the change on {date} needs a description after `=`"),
            });
        }
        Ok(ChangeNote {
            date,
            text: text.to_string(),
        })
    }
}

/// Everything that shapes a report. `Default` is the whole store, no comparison, breakdowns by service
/// and month.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// First day of the period; the first comment's date when absent.
    pub from: Option<Date>,
    /// Last day of the period; the last comment's date when absent.
    pub to: Option<Date>,
    /// Only comments of this service (case-insensitive).
    pub service: Option<String>,
    /// Breakdowns to tabulate; empty means service and month.
    pub by: Vec<BreakdownBy>,
    /// Compare each theme with the previous period of equal length.
    pub compare_previous: bool,
    /// Changes to mark on SPC charts; each rebases the limits once enough months follow it.
    pub annotations: Vec<ChangeNote>,
    /// Fix the process limits of each chart segment on its first N points.
    pub baseline: Option<usize>,
    /// Counts below this are shown as `<N` in breakdowns.
    pub suppress_below: u64,
    /// How many themes and how many touchpoints get an SPC chart (besides % positive).
    pub spc_top: usize,
    /// Months with fewer comments (or FFT answers, for % positive) than this are left out of SPC
    /// charts: a percentage of two or three comments swings so wildly that it would distort the limits.
    pub spc_min_month: u64,
    /// Exemplar quotes per theme.
    pub quotes_per_theme: usize,
    /// Where the comments came from, printed as "Generated from …" (e.g. `store feedback`).
    pub source: String,
    /// Records ingestion set aside, which the report states (the CLI reads them from the store).
    pub set_aside: Option<crate::model::SetAside>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            from: None,
            to: None,
            service: None,
            by: Vec::new(),
            compare_previous: false,
            annotations: Vec::new(),
            baseline: None,
            suppress_below: 5,
            spc_top: 3,
            spc_min_month: 10,
            quotes_per_theme: 3,
            source: String::new(),
            set_aside: None,
        }
    }
}

impl ReportOptions {
    /// Checks the options against each other before any work is done.
    pub fn validate(&self) -> Result<(), Error> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(Error::InvalidOption {
                option: "--from",
                reason: format!("{from} is after --to {to}: swap them"),
            });
        }
        if let Some(n) = self.baseline
            && n < MIN_SPC_POINTS
        {
            return Err(Error::InvalidOption {
                option: "--baseline",
                reason: format!(
                    "{n} points are too few for process limits: use at least {MIN_SPC_POINTS}"
                ),
            });
        }
        if self.suppress_below > 100 {
            return Err(Error::InvalidOption {
                option: "suppress_below",
                reason: format!("{} is above 100", self.suppress_below),
            });
        }
        Ok(())
    }

    /// The breakdowns to build: the ones asked for, else service and month.
    pub fn breakdowns(&self) -> Vec<BreakdownBy> {
        if self.by.is_empty() {
            vec![BreakdownBy::Service, BreakdownBy::Month]
        } else {
            let mut seen = Vec::new();
            for by in &self.by {
                if !seen.contains(by) {
                    seen.push(by.clone());
                }
            }
            seen
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_notes_parse_and_explain_mistakes() {
        let note: ChangeNote = "2022-03-01=New discharge lounge".parse().unwrap();
        assert_eq!(note.date.to_string(), "2022-03-01");
        assert_eq!(note.text, "New discharge lounge");
        for bad in ["2022-03-01", "March=x", "2022-03-01=  "] {
            let err = bad.parse::<ChangeNote>().unwrap_err().to_string();
            assert!(err.starts_with("invalid option --annotate"), "{err}");
        }
    }

    #[test]
    fn breakdown_names_map_to_dimensions() {
        let check = |text: &str, expected: BreakdownBy| {
            assert_eq!(text.parse::<BreakdownBy>().unwrap(), expected, "{text}");
        };
        check("service", BreakdownBy::Service);
        check("Month", BreakdownBy::Month);
        check("question", BreakdownBy::Question);
        check("Age band", BreakdownBy::Attribute("Age band".into()));
        assert!("".parse::<BreakdownBy>().is_err());
    }

    #[test]
    fn options_are_checked() {
        let mut options = ReportOptions {
            baseline: Some(6),
            ..ReportOptions::default()
        };
        assert!(options.validate().is_err());
        options.baseline = Some(12);
        assert!(options.validate().is_ok());
        options.from = Date::from_ymd(2022, 5, 1);
        options.to = Date::from_ymd(2022, 4, 1);
        assert!(options.validate().is_err());
        assert_eq!(
            ReportOptions::default().breakdowns(),
            [BreakdownBy::Service, BreakdownBy::Month]
        );
    }
}
