//! Which column plays which role: auto-detection of common FFT export headers, and `--map` overrides.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Error;

/// What a column means to Chorus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// The comment id.
    Id,
    /// A free-text answer; each text column of a row becomes its own comment.
    Text,
    /// The question the text answers.
    Question,
    /// When the feedback was given.
    Date,
    /// The FFT answer.
    Score,
    /// Service, department or ward.
    Service,
    /// Trust, organisation or site.
    Organisation,
    /// Who answered, to link a respondent's answers to several questions.
    Respondent,
    /// Kept as an attribute for breakdowns (the default for any other column).
    Attribute,
    /// Dropped: not stored at all (for a column of names or other identifying data).
    Ignore,
}

impl ColumnRole {
    /// Every role, in the order summaries print them.
    pub const ALL: [ColumnRole; 10] = [
        ColumnRole::Id,
        ColumnRole::Text,
        ColumnRole::Question,
        ColumnRole::Date,
        ColumnRole::Score,
        ColumnRole::Service,
        ColumnRole::Organisation,
        ColumnRole::Respondent,
        ColumnRole::Attribute,
        ColumnRole::Ignore,
    ];

    /// The role's name as `--map` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::Id => "id",
            ColumnRole::Text => "text",
            ColumnRole::Question => "question",
            ColumnRole::Date => "date",
            ColumnRole::Score => "score",
            ColumnRole::Service => "service",
            ColumnRole::Organisation => "organisation",
            ColumnRole::Respondent => "respondent",
            ColumnRole::Attribute => "attribute",
            ColumnRole::Ignore => "ignore",
        }
    }
}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "id" | "comment_id" | "comment-id" => ColumnRole::Id,
            "text" | "comment" | "answer" | "feedback" => ColumnRole::Text,
            "question" => ColumnRole::Question,
            "date" => ColumnRole::Date,
            "score" | "fft" | "rating" => ColumnRole::Score,
            "service" | "department" | "ward" => ColumnRole::Service,
            "organisation" | "organization" | "site" | "trust" => ColumnRole::Organisation,
            "respondent" => ColumnRole::Respondent,
            "attribute" => ColumnRole::Attribute,
            "ignore" | "drop" => ColumnRole::Ignore,
            other => {
                return Err(format!(
                    "unknown role `{other}`: use one of {}",
                    ColumnRole::ALL.map(ColumnRole::as_str).join(", ")
                ));
            }
        })
    }
}

/// One `--map ROLE=COLUMN` flag. An empty column (`--map date=`) means "no column has this role".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnOverride {
    /// The role.
    pub role: ColumnRole,
    /// The column header, matched exactly, else ignoring case, spaces and punctuation.
    pub column: String,
}

impl FromStr for ColumnOverride {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| Error::InvalidMap {
            spec: spec.to_owned(),
            reason,
        };
        let (role, column) = spec.split_once('=').ok_or_else(|| {
            invalid("write it as ROLE=COLUMN, e.g. text=\"Please tell us why\"".into())
        })?;
        Ok(ColumnOverride {
            role: role.parse().map_err(invalid)?,
            column: column.trim().to_owned(),
        })
    }
}

/// The roles of a file's columns: which column is the id, which are free text, and so on. Every column
/// that has no role and is not ignored is an attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The column headers as the file has them.
    pub columns: Vec<String>,
    /// The comment id column.
    pub id: Option<usize>,
    /// The free-text columns, in file order.
    pub text: Vec<usize>,
    /// The question column.
    pub question: Option<usize>,
    /// The date column.
    pub date: Option<usize>,
    /// The FFT score column.
    pub score: Option<usize>,
    /// The service column.
    pub service: Option<usize>,
    /// The organisation or site column.
    pub organisation: Option<usize>,
    /// The respondent column.
    pub respondent: Option<usize>,
    /// Columns dropped with `--map ignore=COLUMN`.
    pub ignored: Vec<usize>,
    /// Every other column, kept as an attribute.
    pub attributes: Vec<usize>,
}

/// Lowercase words of a header, without punctuation: `"FFT answer "` → `"fft answer"`.
pub fn normalise_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for word in header
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

const ID_HEADERS: &[&str] = &[
    "comment id",
    "commentid",
    "comment ref",
    "comment reference",
    "row index",
    "id",
    "record id",
    "unique id",
    "feedback id",
    "story id",
    "uid",
];
const RESPONDENT_HEADERS: &[&str] = &[
    "respondent id",
    "respondent",
    "respondentid",
    "response id",
    "responseid",
    "respondent ref",
    "submission id",
];
const QUESTION_HEADERS: &[&str] = &[
    "fft question",
    "question",
    "question text",
    "survey question",
];
const TEXT_HEADERS: &[&str] = &[
    "fft answer",
    "feedback",
    "comment",
    "comments",
    "free text",
    "freetext",
    "free text comment",
    "free text comments",
    "free text response",
    "text",
    "story",
    "answer",
    "response text",
    "verbatim",
    "fft comment",
    "fft comments",
    "fft why",
    "patient comment",
    "patient comments",
    "your comments",
    "additional comments",
    "other comments",
    "any other comments",
    "feedback text",
    "comment text",
    "reason",
    "reason for score",
    "why",
];
const DATE_HEADERS: &[&str] = &[
    "date",
    "response date",
    "survey date",
    "date of response",
    "date submitted",
    "submitted",
    "submission date",
    "completed",
    "date completed",
    "completion date",
    "visit date",
    "date of visit",
    "appointment date",
    "attendance date",
    "discharge date",
    "feedback date",
    "comment date",
    "date received",
    "received",
    "created",
    "created at",
    "timestamp",
];
const SCORE_HEADERS: &[&str] = &[
    "fft categorical answer",
    "fft score",
    "fft rating",
    "fft response",
    "fft result",
    "fft answer code",
    "fft categorical",
    "categorical answer",
    "fft",
    "score",
    "rating",
    "overall rating",
    "overall score",
    "overall experience",
    "experience rating",
    "recommend",
    "likelihood to recommend",
];
const SERVICE_HEADERS: &[&str] = &[
    "service type 1",
    "service",
    "service type",
    "service name",
    "department",
    "dept",
    "ward",
    "ward name",
    "specialty",
    "speciality",
    "directorate",
    "division",
    "service line",
    "care group",
    "team",
    "unit",
    "clinic",
    "location",
    "area",
];
const ORGANISATION_HEADERS: &[&str] = &[
    "trust",
    "trust name",
    "organisation",
    "organization",
    "organisation name",
    "organization name",
    "org",
    "provider",
    "provider name",
    "site",
    "site name",
    "hospital",
    "hospital name",
    "practice",
    "practice name",
];

/// How a question-shaped header starts ("Please tell us why…", "What could we do better?").
const QUESTION_OPENINGS: &[&str] = &[
    "please",
    "what",
    "how could",
    "how can",
    "how would",
    "why",
    "tell us",
    "is there anything",
    "anything else",
    "if you",
    "if there",
    "was there anything",
];
/// Words that make a question-shaped header a free-text question, not "What is your age band?".
const FREE_TEXT_CUES: &[&str] = &[
    "why",
    "better",
    "improve",
    "good",
    "well",
    "comment",
    "comments",
    "tell",
    "describe",
    "explain",
    "anything",
    "change",
    "differently",
    "experience",
    "feedback",
    "suggest",
    "suggestions",
    "liked",
    "like",
    "reason",
    "else",
];

/// The role a header suggests on its own, with a rank (lower is a stronger match) to choose between two
/// columns that both look like, say, a service.
fn suggested_role(header: &str) -> Option<(ColumnRole, usize)> {
    let h = normalise_header(header);
    let rank = |list: &[&str]| list.iter().position(|candidate| *candidate == h);
    let tables: [(ColumnRole, &[&str]); 8] = [
        (ColumnRole::Id, ID_HEADERS),
        (ColumnRole::Respondent, RESPONDENT_HEADERS),
        (ColumnRole::Question, QUESTION_HEADERS),
        (ColumnRole::Text, TEXT_HEADERS),
        (ColumnRole::Date, DATE_HEADERS),
        (ColumnRole::Score, SCORE_HEADERS),
        (ColumnRole::Service, SERVICE_HEADERS),
        (ColumnRole::Organisation, ORGANISATION_HEADERS),
    ];
    for (role, list) in tables {
        if let Some(r) = rank(list) {
            return Some((role, r));
        }
    }
    let words: Vec<&str> = h.split(' ').collect();
    if words.len() >= 3
        && QUESTION_OPENINGS.iter().any(|o| h.starts_with(o))
        && words.iter().any(|w| FREE_TEXT_CUES.contains(w))
        && !h.contains("how was your experience")
    {
        return Some((ColumnRole::Text, 100));
    }
    if h.contains("how was your experience") || h.contains("friends and family") {
        return Some((ColumnRole::Score, 100));
    }
    if words.contains(&"date") && !words.contains(&"birth") && !words.contains(&"dob") {
        return Some((ColumnRole::Date, 100));
    }
    None
}

impl Mapping {
    /// Assigns roles to `columns` by their headers, then applies `overrides` in order. `path` names the
    /// file in errors.
    pub fn detect(
        columns: &[String],
        overrides: &[ColumnOverride],
        path: &std::path::Path,
    ) -> Result<Mapping, Error> {
        let mut roles: Vec<ColumnRole> = vec![ColumnRole::Attribute; columns.len()];
        // For single-column roles, keep the best-ranked candidate; the rest stay attributes.
        let mut best: Vec<(ColumnRole, usize, usize)> = Vec::new();
        for (index, header) in columns.iter().enumerate() {
            let Some((role, rank)) = suggested_role(header) else {
                continue;
            };
            if role == ColumnRole::Text {
                roles[index] = ColumnRole::Text;
                continue;
            }
            match best.iter_mut().find(|(r, _, _)| *r == role) {
                Some(entry) if rank < entry.1 => *entry = (role, rank, index),
                Some(_) => {}
                None => best.push((role, rank, index)),
            }
        }
        for (role, _, index) in best {
            roles[index] = role;
        }

        let mut text_overridden = false;
        for o in overrides {
            if o.column.is_empty() {
                if o.role == ColumnRole::Text {
                    return Err(Error::InvalidMap {
                        spec: format!("{}=", o.role),
                        reason: "name the free-text column: text=COLUMN".into(),
                    });
                }
                for role in roles.iter_mut().filter(|r| **r == o.role) {
                    *role = ColumnRole::Attribute;
                }
                continue;
            }
            let index = find_column(columns, &o.column).ok_or_else(|| Error::UnknownColumn {
                path: path.to_owned(),
                role: o.role,
                column: o.column.clone(),
                columns: columns.to_vec(),
            })?;
            match o.role {
                ColumnRole::Text => {
                    if !text_overridden {
                        // Naming text columns replaces the detected ones rather than adding to them.
                        for role in roles.iter_mut().filter(|r| **r == ColumnRole::Text) {
                            *role = ColumnRole::Attribute;
                        }
                        text_overridden = true;
                    }
                }
                ColumnRole::Attribute | ColumnRole::Ignore => {}
                single => {
                    for role in roles.iter_mut().filter(|r| **r == single) {
                        *role = ColumnRole::Attribute;
                    }
                }
            }
            roles[index] = o.role;
        }

        let first = |role: ColumnRole| roles.iter().position(|r| *r == role);
        let all = |role: ColumnRole| -> Vec<usize> {
            roles
                .iter()
                .enumerate()
                .filter(|(_, r)| **r == role)
                .map(|(i, _)| i)
                .collect()
        };
        let mapping = Mapping {
            columns: columns.to_vec(),
            id: first(ColumnRole::Id),
            text: all(ColumnRole::Text),
            question: first(ColumnRole::Question),
            date: first(ColumnRole::Date),
            score: first(ColumnRole::Score),
            service: first(ColumnRole::Service),
            organisation: first(ColumnRole::Organisation),
            respondent: first(ColumnRole::Respondent),
            ignored: all(ColumnRole::Ignore),
            attributes: all(ColumnRole::Attribute),
        };
        if mapping.text.is_empty() {
            return Err(Error::NoTextColumn {
                path: path.to_owned(),
                columns: columns.to_vec(),
            });
        }
        Ok(mapping)
    }

    /// The role of each column with a role other than attribute, as `(role, header)` in role order, for
    /// summaries.
    pub fn describe(&self) -> Vec<(ColumnRole, String)> {
        let mut out = Vec::new();
        let mut push = |role: ColumnRole, index: Option<usize>| {
            if let Some(i) = index {
                out.push((role, self.columns[i].clone()));
            }
        };
        push(ColumnRole::Id, self.id);
        for &i in &self.text {
            push(ColumnRole::Text, Some(i));
        }
        push(ColumnRole::Question, self.question);
        push(ColumnRole::Date, self.date);
        push(ColumnRole::Score, self.score);
        push(ColumnRole::Service, self.service);
        push(ColumnRole::Organisation, self.organisation);
        push(ColumnRole::Respondent, self.respondent);
        for &i in &self.ignored {
            push(ColumnRole::Ignore, Some(i));
        }
        out
    }
}

/// The column a `--map` names: exactly, else by normalised header.
fn find_column(columns: &[String], wanted: &str) -> Option<usize> {
    columns.iter().position(|c| c == wanted).or_else(|| {
        let wanted = normalise_header(wanted);
        columns.iter().position(|c| normalise_header(c) == wanted)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn detect(headers: &[&str], overrides: &[&str]) -> Result<Mapping, Error> {
        let columns: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let overrides: Vec<ColumnOverride> = overrides.iter().map(|o| o.parse().unwrap()).collect();
        Mapping::detect(&columns, &overrides, Path::new("x.csv"))
    }

    fn roles(headers: &[&str], overrides: &[&str]) -> Vec<(ColumnRole, String)> {
        detect(headers, overrides).unwrap().describe()
    }

    fn r(role: ColumnRole, header: &str) -> (ColumnRole, String) {
        (role, header.to_owned())
    }

    #[test]
    fn fft_v6_headers_are_detected() {
        let headers = [
            "Comment ID",
            "Trust",
            "Respondent ID",
            "Date",
            "Service type 1",
            "Service type 2",
            "FFT categorical answer",
            "FFT question",
            "FFT answer",
            "Person identifiable info?",
            "Comment sentiment",
            "Staff manner & personal attributes",
            "Safeguarding concerns?",
        ];
        use ColumnRole::*;
        assert_eq!(
            roles(&headers, &[]),
            [
                r(Id, "Comment ID"),
                r(Text, "FFT answer"),
                r(Question, "FFT question"),
                r(Date, "Date"),
                r(Score, "FFT categorical answer"),
                r(Service, "Service type 1"),
                r(Organisation, "Trust"),
                r(Respondent, "Respondent ID"),
            ]
        );
    }

    #[test]
    fn phase1_and_common_variants_are_detected() {
        use ColumnRole::*;
        assert_eq!(
            roles(
                &[
                    "code",
                    "label",
                    "subcategory",
                    "feedback",
                    "criticality",
                    "organization",
                    "question",
                    "row_index"
                ],
                &[]
            ),
            [
                r(Id, "row_index"),
                r(Text, "feedback"),
                r(Question, "question"),
                r(Organisation, "organization"),
            ]
        );
        assert_eq!(
            roles(
                &[
                    "Ward",
                    "Site",
                    "Age band",
                    "Please tell us why you gave your answer",
                    "What could we do better?",
                    "What is your ethnicity?",
                    "Date of birth"
                ],
                &[]
            ),
            [
                r(Text, "Please tell us why you gave your answer"),
                r(Text, "What could we do better?"),
                r(Service, "Ward"),
                r(Organisation, "Site"),
            ]
        );
        assert_eq!(
            roles(&["Department", "Ward", "Free Text", "Comments"], &[]),
            [
                r(Text, "Free Text"),
                r(Text, "Comments"),
                r(Service, "Department")
            ]
        );
    }

    #[test]
    fn overrides_replace_detection() {
        use ColumnRole::*;
        assert_eq!(
            roles(
                &["ID", "Comments", "Notes", "When"],
                &["text=notes", "date=When", "id="]
            ),
            [r(Text, "Notes"), r(Date, "When")]
        );
        assert_eq!(
            roles(&["id", "comment", "Patient name"], &["ignore=Patient name"]),
            [r(Id, "id"), r(Text, "comment"), r(Ignore, "Patient name")]
        );
        let mapping = detect(&["id", "comment", "Age band"], &[]).unwrap();
        assert_eq!(mapping.attributes, [2]);
    }

    #[test]
    fn a_file_without_free_text_says_which_columns_it_has() {
        let error = detect(&["id", "score"], &[]).unwrap_err().to_string();
        assert_eq!(
            error,
            "no free-text column found in x.csv: pass --map text=COLUMN; columns are: `id`, `score`"
        );
        let error = detect(&["id", "comment"], &["text=Nope"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("has no column `Nope`"), "{error}");
        let error = "colour=x"
            .parse::<ColumnOverride>()
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown role `colour`"), "{error}");
    }
}
