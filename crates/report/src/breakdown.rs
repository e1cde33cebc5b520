//! Breakdowns of themes by service, month, question or attribute, with small-number suppression so that
//! no one can be picked out.
//!
//! Primary suppression: a count from 1 to `threshold − 1` is shown as `<5` (for the default threshold
//! 5). Zeros are shown: they disclose nothing about a person.
//!
//! Secondary suppression: every row of a breakdown adds up to a figure published elsewhere (a theme's
//! total in the themes table; the comments of the period in the headline), so a row with a single
//! suppressed cell would give it away by subtraction. In such a row the smallest other cell is hidden
//! too and shown as `[c]` (the ONS mark for "confidential"). Percentages are never shown for a hidden
//! count, nor for any cell of a group whose size is hidden, since a percentage and a count give back
//! the other.

use chorus_core::ThemeSource;
use serde::{Serialize, Serializer};

use crate::model::percent;
use crate::options::BreakdownBy;

/// The group that comments without a value fall into.
pub const NOT_RECORDED: &str = "(not recorded)";

/// A count as published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Shown as it is.
    Value(u64),
    /// Primary suppression: a small count, shown as `<threshold`.
    Small(u64),
    /// Secondary suppression: hidden so that a small count cannot be worked out, shown as `[c]`.
    Hidden,
}

impl Count {
    /// The published form: the number, `<5` or `[c]`.
    pub fn display(&self) -> String {
        match self {
            Count::Value(n) => n.to_string(),
            Count::Small(threshold) => format!("<{threshold}"),
            Count::Hidden => "[c]".to_string(),
        }
    }

    /// The number, when it is shown.
    pub fn value(&self) -> Option<u64> {
        match self {
            Count::Value(n) => Some(*n),
            _ => None,
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Value(n) => serializer.serialize_u64(*n),
            other => serializer.serialize_str(&other.display()),
        }
    }
}

/// Applies primary and secondary suppression to one row of counts whose total is published elsewhere.
pub fn suppress(counts: &[u64], threshold: u64) -> Vec<Count> {
    let mut out: Vec<Count> = counts
        .iter()
        .map(|&n| {
            if n > 0 && n < threshold {
                Count::Small(threshold)
            } else {
                Count::Value(n)
            }
        })
        .collect();
    let small = out.iter().filter(|c| matches!(c, Count::Small(_))).count();
    if small == 1 {
        // Hide the smallest other cell (zeros included: hiding a zero still leaves two unknowns).
        let partner = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| matches!(out[*i], Count::Value(_)))
            .min_by_key(|(i, n)| (**n, *i))
            .map(|(i, _)| i);
        if let Some(i) = partner {
            out[i] = Count::Hidden;
        }
    }
    out
}

/// One group (column) of a breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    /// The value: a service, a month (`2022-04`), a question, an attribute value, or
    /// [`NOT_RECORDED`].
    pub name: String,
    /// Comments in the group, as published.
    pub comments: Count,
}

/// One cell: a theme's comments in a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// The count as published.
    pub count: Count,
    /// % of the group's comments, unless suppression hides it.
    pub percent: Option<f64>,
}

/// One theme's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Theme label.
    pub theme: String,
    /// Theme source.
    pub source: ThemeSource,
    /// One cell per group, in the order of [`Breakdown::groups`].
    pub cells: Vec<Cell>,
}

/// Themes by one dimension.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Breakdown {
    /// The dimension.
    pub by: BreakdownBy,
    /// The groups, in display order.
    pub groups: Vec<Group>,
    /// One row per theme, in the themes table's order.
    pub rows: Vec<Row>,
    /// The suppression threshold used.
    pub threshold: u64,
}

/// The number a group name starts with ("16-24" → 16), so "5-15" sorts before "16-24".
fn leading_number(name: &str) -> u64 {
    name.chars()
        .take_while(char::is_ascii_digit)
        .fold(0u64, |n, c| {
            n.saturating_mul(10)
                .saturating_add(u64::from(c as u8 - b'0'))
        })
}

/// Raw counts of one breakdown before suppression.
pub struct RawBreakdown {
    /// The dimension.
    pub by: BreakdownBy,
    /// Group names with their comment counts.
    pub groups: Vec<(String, u64)>,
    /// Theme label, source and one count per group.
    pub rows: Vec<(String, ThemeSource, Vec<u64>)>,
}

impl RawBreakdown {
    /// Orders the groups (months and numbered bands in order, others largest first; the not-recorded
    /// group last), then suppresses.
    pub fn finish(mut self, threshold: u64) -> Breakdown {
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        // Months and numbered bands ("16-24", "80+") read best in their own order; names (services,
        // ethnic groups) largest first.
        let ordinal = self.by == BreakdownBy::Month
            || self
                .groups
                .iter()
                .filter(|(name, _)| name != NOT_RECORDED)
                .all(|(name, _)| name.starts_with(|c: char| c.is_ascii_digit()));
        order.sort_by(|&a, &b| {
            let (name_a, n_a) = &self.groups[a];
            let (name_b, n_b) = &self.groups[b];
            let missing = |name: &str| name == NOT_RECORDED;
            missing(name_a).cmp(&missing(name_b)).then_with(|| {
                if ordinal {
                    leading_number(name_a)
                        .cmp(&leading_number(name_b))
                        .then_with(|| name_a.cmp(name_b))
                } else {
                    n_b.cmp(n_a).then_with(|| name_a.cmp(name_b))
                }
            })
        });
        let groups: Vec<(String, u64)> = order
            .iter()
            .map(|&i| std::mem::take(&mut self.groups[i]))
            .collect();
        let totals: Vec<u64> = groups.iter().map(|(_, n)| *n).collect();
        let published_totals = suppress(&totals, threshold);
        let rows = self
            .rows
            .into_iter()
            .map(|(theme, source, counts)| {
                let counts: Vec<u64> = order.iter().map(|&i| counts[i]).collect();
                let shown = suppress(&counts, threshold);
                let cells = shown
                    .into_iter()
                    .zip(&counts)
                    .zip(&published_totals)
                    .zip(&totals)
                    .map(|(((count, &n), total_shown), &total)| Cell {
                        count,
                        percent: match (count, total_shown) {
                            (Count::Value(_), Count::Value(_)) => percent(n, total),
                            _ => None,
                        },
                    })
                    .collect();
                Row {
                    theme,
                    source,
                    cells,
                }
            })
            .collect();
        Breakdown {
            by: self.by,
            groups: groups
                .into_iter()
                .zip(published_totals)
                .map(|((name, _), comments)| Group { name, comments })
                .collect(),
            rows,
            threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(counts: &[u64], expected: &[&str]) {
        let shown: Vec<String> = suppress(counts, 5).iter().map(Count::display).collect();
        assert_eq!(shown, expected, "{counts:?}");
    }

    #[test]
    fn small_counts_are_suppressed_and_cannot_be_derived() {
        check(&[12, 30, 7], &["12", "30", "7"]);
        // One small cell: the smallest other cell is hidden too.
        check(&[1, 10, 20], &["<5", "[c]", "20"]);
        check(&[20, 4, 9, 9], &["20", "<5", "[c]", "9"]);
        // Zeros are shown, but a zero can be the partner: otherwise 3 = total − 12.
        check(&[3, 0, 12], &["<5", "[c]", "12"]);
        // Two small cells protect each other.
        check(&[2, 3, 10], &["<5", "<5", "10"]);
        check(&[0, 0, 7], &["0", "0", "7"]);
        check(&[5, 4], &["[c]", "<5"]);
        check(&[4], &["<5"]);
        check(&[], &[]);
    }

    #[test]
    fn percentages_of_hidden_counts_and_hidden_groups_are_not_shown() {
        let raw = RawBreakdown {
            by: BreakdownBy::Service,
            groups: vec![
                ("Ward A".into(), 100),
                ("Ward B".into(), 3),
                ("Ward C".into(), 50),
            ],
            rows: vec![("Waiting".into(), ThemeSource::Codebook, vec![20, 2, 10])],
        };
        let b = raw.finish(5);
        let names: Vec<&str> = b.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Ward A", "Ward C", "Ward B"], "largest first");
        let totals: Vec<String> = b.groups.iter().map(|g| g.comments.display()).collect();
        assert_eq!(totals, ["100", "[c]", "<5"]);
        let row = &b.rows[0];
        let shown: Vec<String> = row.cells.iter().map(|c| c.count.display()).collect();
        assert_eq!(shown, ["20", "[c]", "<5"]);
        assert_eq!(row.cells[0].percent, Some(20.0));
        assert_eq!(row.cells[1].percent, None, "Ward C's size is hidden");
        assert_eq!(row.cells[2].percent, None);
    }

    #[test]
    fn months_and_bands_sort_in_order_and_missing_values_last() {
        let raw = RawBreakdown {
            by: BreakdownBy::Month,
            groups: vec![
                (NOT_RECORDED.into(), 50),
                ("2022-03".into(), 10),
                ("2022-01".into(), 30),
            ],
            rows: vec![],
        };
        let names: Vec<String> = raw.finish(5).groups.into_iter().map(|g| g.name).collect();
        assert_eq!(names, ["2022-01", "2022-03", NOT_RECORDED]);
        let bands = RawBreakdown {
            by: BreakdownBy::Attribute("Age band".into()),
            groups: vec![
                ("80+".into(), 50),
                ("16-24".into(), 10),
                ("5-15".into(), 30),
                (NOT_RECORDED.into(), 70),
            ],
            rows: vec![],
        };
        let names: Vec<String> = bands.finish(5).groups.into_iter().map(|g| g.name).collect();
        assert_eq!(names, ["5-15", "16-24", "80+", NOT_RECORDED]);
    }
}
