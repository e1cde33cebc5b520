//! Corrections: what a person changed about a comment's labels, and the rule that a person's label wins.
//!
//! A reviewer reading a comment (in `chorus serve`) can remove a wrong theme or touchpoint, add one, set
//! the sentiment, and mark the comment as a quote for the meeting. Each change is one [`Correction`],
//! kept append-only in the store (the index crate owns the file). Theming never sees them: whoever reads
//! annotations for people (the server, reports, exports, training data) applies them with
//! [`Corrections::apply`], so a new theming run cannot undo what a person decided.
//!
//! For each label of a comment, the last correction about it wins: a theme removed and added again is
//! there; a sentiment set twice is the second one.
//!
//! ```
//! use chorus_core::corrections::{CommentKey, Correction, CorrectionAction, Corrections};
//! use chorus_core::{Annotations, SentimentLabel, SentimentScore, ThemeAssignment, ThemeSource};
//!
//! let mut annotations = Annotations {
//!     sentiment: SentimentScore { label: SentimentLabel::Negative, score: -0.4 },
//!     touchpoints: vec![],
//!     themes: vec![ThemeAssignment {
//!         name: "Parking".into(),
//!         source: ThemeSource::Codebook,
//!         confidence: 1.0,
//!         sentiment: SentimentLabel::Negative,
//!     }],
//!     ..Annotations::default()
//! };
//! let key = CommentKey(42);
//! let log = Corrections::new(vec![Correction::new(
//!     "2025-01-06T10:00:00Z",
//!     None,
//!     key,
//!     CorrectionAction::RemoveTheme { theme: "Parking".into(), source: ThemeSource::Codebook },
//! )]);
//! let mut some = Some(annotations);
//! let review = log.apply(key, chorus_core::FftScore::Poor, &mut some);
//! assert!(some.unwrap().themes.is_empty());
//! assert_eq!(review.changed_labels, 1);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    Annotations, FftScore, SentimentLabel, SentimentScore, ThemeAssignment, ThemeSource,
    TouchpointMention,
};

/// A stored comment's identity key ([`crate::Comment::identity_key`]: organisation, id and question),
/// which names one comment of a store for as long as the store exists. Written as 16 hex digits, in
/// corrections and in the server's addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommentKey(pub u64);

impl fmt::Display for CommentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for CommentKey {
    type Err = String;

    /// Exactly 16 hex digits, as [`CommentKey`]'s `Display` writes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a comment key (16 hex digits)"));
        }
        u64::from_str_radix(s, 16)
            .map(CommentKey)
            .map_err(|e| e.to_string())
    }
}

impl Serialize for CommentKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CommentKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a reviewer changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CorrectionAction {
    /// The theme is wrong for this comment.
    RemoveTheme {
        /// The theme's name, as in the annotations.
        theme: String,
        /// Which source's assignment is wrong.
        source: ThemeSource,
    },
    /// The comment is about this theme (from the codebook or the model's labels).
    AddTheme {
        /// The theme's name.
        theme: String,
        /// The codebook or model it comes from.
        source: ThemeSource,
    },
    /// The comment does not speak about this touchpoint.
    RemoveTouchpoint {
        /// The touchpoint id.
        touchpoint: String,
    },
    /// The comment speaks about this touchpoint.
    AddTouchpoint {
        /// The touchpoint id.
        touchpoint: String,
    },
    /// The comment's overall sentiment.
    SetSentiment {
        /// The label a person gave.
        sentiment: SentimentLabel,
    },
    /// Quote this comment in the meeting pack.
    MarkQuote,
    /// No longer quote it.
    UnmarkQuote,
}

impl CorrectionAction {
    /// What the action is about, so that the last action about the same thing wins.
    fn subject(&self) -> Subject {
        match self {
            CorrectionAction::RemoveTheme { theme, source }
            | CorrectionAction::AddTheme { theme, source } => Subject::Theme(fold(theme), *source),
            CorrectionAction::RemoveTouchpoint { touchpoint }
            | CorrectionAction::AddTouchpoint { touchpoint } => {
                Subject::Touchpoint(fold(touchpoint))
            }
            CorrectionAction::SetSentiment { .. } => Subject::Sentiment,
            CorrectionAction::MarkQuote | CorrectionAction::UnmarkQuote => Subject::Quote,
        }
    }

    /// A short description for people: "removed theme Parking (codebook)".
    pub fn describe(&self) -> String {
        match self {
            CorrectionAction::RemoveTheme { theme, source } => {
                format!("removed theme {theme} ({source})")
            }
            CorrectionAction::AddTheme { theme, source } => {
                format!("added theme {theme} ({source})")
            }
            CorrectionAction::RemoveTouchpoint { touchpoint } => {
                format!("removed touchpoint {touchpoint}")
            }
            CorrectionAction::AddTouchpoint { touchpoint } => {
                format!("added touchpoint {touchpoint}")
            }
            CorrectionAction::SetSentiment { sentiment } => format!("set sentiment to {sentiment}"),
            CorrectionAction::MarkQuote => "marked as a quote for the meeting".to_owned(),
            CorrectionAction::UnmarkQuote => "unmarked as a quote for the meeting".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Theme(String, ThemeSource),
    Touchpoint(String),
    Sentiment,
    Quote,
}

/// Names compare trimmed and without case, as the index matches labels.
fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// One change a person made to one comment's labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// When, in UTC (`2025-01-06T10:00:00Z`; see [`utc_timestamp`]).
    pub time: String,
    /// Who, if the reviewer gave a name (`chorus serve --reviewer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// The comment.
    pub key: CommentKey,
    /// The comment's id and question, for a person reading the file (the key alone names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<CommentLabel>,
    /// What changed.
    #[serde(flatten)]
    pub action: CorrectionAction,
}

/// A comment's id and question, as written beside its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentLabel {
    /// [`crate::Comment::id`].
    pub id: String,
    /// [`crate::Comment::question`].
    pub question: String,
}

impl Correction {
    /// A correction without the comment's label.
    pub fn new(
        time: impl Into<String>,
        reviewer: Option<String>,
        key: CommentKey,
        action: CorrectionAction,
    ) -> Correction {
        Correction {
            time: time.into(),
            reviewer,
            key,
            comment: None,
            action,
        }
    }
}

/// What applying corrections did to one comment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Labels (themes, touchpoints, sentiment) whose value a person changed from the machine's.
    pub changed_labels: u32,
    /// A person marked the comment as a quote for the meeting.
    pub quote: bool,
    /// Corrections recorded for the comment, including those that changed nothing.
    pub corrections: u32,
}

/// Every correction of a store, by comment, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Corrections {
    by_key: BTreeMap<CommentKey, Vec<Correction>>,
    len: usize,
}

impl Corrections {
    /// The corrections, in the order they were made.
    pub fn new(entries: Vec<Correction>) -> Corrections {
        let mut log = Corrections::default();
        for entry in entries {
            log.push(entry);
        }
        log
    }

    /// Adds a correction made after the others.
    pub fn push(&mut self, correction: Correction) {
        self.by_key
            .entry(correction.key)
            .or_default()
            .push(correction);
        self.len += 1;
    }

    /// How many corrections there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The corrections of one comment, oldest first.
    pub fn of(&self, key: CommentKey) -> &[Correction] {
        self.by_key.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The comments with at least one correction.
    pub fn keys(&self) -> impl Iterator<Item = CommentKey> + '_ {
        self.by_key.keys().copied()
    }

    /// The comments a person marked as quotes for the meeting (and did not unmark).
    pub fn quotes(&self) -> Vec<CommentKey> {
        self.by_key
            .iter()
            .filter(|(_, list)| {
                matches!(
                    final_actions(list).get(&Subject::Quote),
                    Some(CorrectionAction::MarkQuote)
                )
            })
            .map(|(key, _)| *key)
            .collect()
    }

    /// Applies the corrections of comment `key` to its annotations: a person's label wins over the
    /// machine's. `score` is the comment's FFT answer, against which a person's sentiment decides
    /// discordance. A comment that theming left without annotations gets some if a person labelled it.
    pub fn apply(
        &self,
        key: CommentKey,
        score: FftScore,
        annotations: &mut Option<Annotations>,
    ) -> Review {
        let list = self.of(key);
        let mut review = Review {
            corrections: list.len() as u32,
            ..Review::default()
        };
        if list.is_empty() {
            return review;
        }
        for action in final_actions(list).into_values() {
            match action {
                CorrectionAction::MarkQuote => review.quote = true,
                CorrectionAction::UnmarkQuote => {}
                labelling => {
                    let a = annotations.get_or_insert_with(Annotations::default);
                    if apply_one(a, labelling, score) {
                        review.changed_labels += 1;
                    }
                }
            }
        }
        review
    }

    /// [`Corrections::apply`] on a comment.
    pub fn apply_to(&self, comment: &mut crate::Comment) -> Review {
        let key = CommentKey(comment.identity_key());
        self.apply(key, comment.score, &mut comment.annotations)
    }

    /// [`Corrections::apply`] on every comment, as whoever shows comments to people does (the server's
    /// pages and exports, `chorus report`, `export`, `show`): how many labels people changed in all.
    /// Costs nothing when there are no corrections.
    pub fn apply_all(&self, comments: &mut [crate::Comment]) -> u64 {
        if self.is_empty() {
            return 0;
        }
        comments
            .iter_mut()
            .map(|c| u64::from(self.apply_to(c).changed_labels))
            .sum()
    }
}

/// How many labels people corrected, as a report or pack says it: "3 labels corrected by people".
pub fn corrected_note(changed_labels: u64) -> String {
    match changed_labels {
        0 => "no label corrected by people".to_owned(),
        1 => "1 label corrected by people".to_owned(),
        n => format!("{n} labels corrected by people"),
    }
}

/// The last action about each subject.
fn final_actions(list: &[Correction]) -> BTreeMap<Subject, &CorrectionAction> {
    let mut last = BTreeMap::new();
    for c in list {
        last.insert(c.action.subject(), &c.action);
    }
    last
}

/// Applies one final action; whether it changed anything.
fn apply_one(a: &mut Annotations, action: &CorrectionAction, score: FftScore) -> bool {
    let label = a.sentiment.label;
    match action {
        CorrectionAction::RemoveTheme { theme, source } => {
            let before = a.themes.len();
            a.themes
                .retain(|t| !(t.source == *source && fold(&t.name) == fold(theme)));
            a.themes.len() != before
        }
        CorrectionAction::AddTheme { theme, source } => {
            if a.themes
                .iter()
                .any(|t| t.source == *source && fold(&t.name) == fold(theme))
            {
                return false;
            }
            a.themes.push(ThemeAssignment {
                name: Arc::from(theme.trim()),
                source: *source,
                confidence: 1.0,
                sentiment: label,
            });
            true
        }
        CorrectionAction::RemoveTouchpoint { touchpoint } => {
            let before = a.touchpoints.len();
            a.touchpoints.retain(|t| fold(&t.id) != fold(touchpoint));
            a.touchpoints.len() != before
        }
        CorrectionAction::AddTouchpoint { touchpoint } => {
            if a.touchpoints
                .iter()
                .any(|t| fold(&t.id) == fold(touchpoint))
            {
                return false;
            }
            a.touchpoints.push(TouchpointMention {
                id: Arc::from(touchpoint.trim()),
                sentiment: label,
                score: a.sentiment.score,
            });
            true
        }
        CorrectionAction::SetSentiment { sentiment } => {
            let changed = a.sentiment.label != *sentiment;
            if changed {
                a.sentiment = SentimentScore {
                    label: *sentiment,
                    score: typical_score(*sentiment),
                };
            }
            // A person's reading is the evidence: the text contradicts the score exactly when the
            // person's label is the opposite of the score's.
            a.discordant = match sentiment {
                SentimentLabel::Negative => matches!(score, FftScore::VeryGood | FftScore::Good),
                SentimentLabel::Positive => matches!(score, FftScore::Poor | FftScore::VeryPoor),
                SentimentLabel::Neutral | SentimentLabel::Mixed => false,
            };
            changed
        }
        CorrectionAction::MarkQuote | CorrectionAction::UnmarkQuote => false,
    }
}

/// The score given with a person's sentiment label, in the middle of the label's band.
fn typical_score(label: SentimentLabel) -> f32 {
    match label {
        SentimentLabel::Positive => 0.6,
        SentimentLabel::Negative => -0.6,
        SentimentLabel::Neutral | SentimentLabel::Mixed => 0.0,
    }
}

/// `unix_seconds` as a UTC timestamp, `2025-01-06T10:00:00Z`.
pub fn utc_timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let date = crate::Date::from_days_since_epoch(days as i32);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Annotations {
        Annotations {
            sentiment: SentimentScore {
                label: SentimentLabel::Negative,
                score: -0.5,
            },
            touchpoints: vec![TouchpointMention {
                id: "travel".into(),
                sentiment: SentimentLabel::Negative,
                score: -0.5,
            }],
            themes: vec![ThemeAssignment {
                name: "Parking".into(),
                source: ThemeSource::Codebook,
                confidence: 1.0,
                sentiment: SentimentLabel::Negative,
            }],
            discovered_theme: Some(3),
            discordant: true,
            clauses: Vec::new(),
        }
    }

    fn log(actions: Vec<CorrectionAction>) -> Corrections {
        Corrections::new(
            actions
                .into_iter()
                .enumerate()
                .map(|(i, a)| {
                    Correction::new(format!("2025-01-0{}T00:00:00Z", i + 1), None, KEY, a)
                })
                .collect(),
        )
    }

    const KEY: CommentKey = CommentKey(7);

    #[test]
    fn a_person_removes_and_adds_labels() {
        let corrections = log(vec![
            CorrectionAction::RemoveTheme {
                theme: "parking ".into(),
                source: ThemeSource::Codebook,
            },
            CorrectionAction::AddTheme {
                theme: "Waiting".into(),
                source: ThemeSource::Codebook,
            },
            CorrectionAction::RemoveTouchpoint {
                touchpoint: "travel".into(),
            },
            CorrectionAction::AddTouchpoint {
                touchpoint: "waiting".into(),
            },
        ]);
        let mut a = Some(machine());
        let review = corrections.apply(KEY, FftScore::VeryGood, &mut a);
        let a = a.unwrap();
        let themes: Vec<&str> = a.themes.iter().map(|t| &*t.name).collect();
        assert_eq!(themes, ["Waiting"]);
        let touchpoints: Vec<&str> = a.touchpoints.iter().map(|t| &*t.id).collect();
        assert_eq!(touchpoints, ["waiting"]);
        assert_eq!(review.changed_labels, 4);
        assert_eq!(review.corrections, 4);
        assert_eq!(
            a.discovered_theme,
            Some(3),
            "clusters are not people's labels"
        );
    }

    #[test]
    fn the_last_word_on_a_label_wins() {
        let remove = CorrectionAction::RemoveTheme {
            theme: "Parking".into(),
            source: ThemeSource::Codebook,
        };
        let add = CorrectionAction::AddTheme {
            theme: "Parking".into(),
            source: ThemeSource::Codebook,
        };
        let mut a = Some(machine());
        let review = log(vec![remove.clone(), add.clone()]).apply(KEY, FftScore::Poor, &mut a);
        assert_eq!(a.unwrap().themes.len(), 1, "removed, then added back");
        assert_eq!(review.changed_labels, 0, "back where the machine had it");
        let mut a = Some(machine());
        log(vec![add, remove]).apply(KEY, FftScore::Poor, &mut a);
        assert!(a.unwrap().themes.is_empty());
    }

    #[test]
    fn other_sources_and_other_comments_are_untouched() {
        let corrections = log(vec![CorrectionAction::RemoveTheme {
            theme: "Parking".into(),
            source: ThemeSource::Model,
        }]);
        let mut a = Some(machine());
        assert_eq!(
            corrections
                .apply(KEY, FftScore::Poor, &mut a)
                .changed_labels,
            0
        );
        assert_eq!(a, Some(machine()));
        let mut b = Some(machine());
        let review = corrections.apply(CommentKey(8), FftScore::Poor, &mut b);
        assert_eq!(review, Review::default());
        assert_eq!(b, Some(machine()));
    }

    #[test]
    fn a_persons_sentiment_decides_discordance() {
        let set = |label| CorrectionAction::SetSentiment { sentiment: label };
        let mut a = Some(machine());
        log(vec![set(SentimentLabel::Positive)]).apply(KEY, FftScore::VeryGood, &mut a);
        let a = a.unwrap();
        assert_eq!(a.sentiment.label, SentimentLabel::Positive);
        assert!(!a.discordant);
        let mut b = Some(machine());
        log(vec![set(SentimentLabel::Negative)]).apply(KEY, FftScore::Good, &mut b);
        assert!(b.unwrap().discordant);
    }

    #[test]
    fn quotes_are_marked_and_unmarked() {
        let corrections = log(vec![CorrectionAction::MarkQuote]);
        assert_eq!(corrections.quotes(), [KEY]);
        let mut a = Some(machine());
        assert!(corrections.apply(KEY, FftScore::Poor, &mut a).quote);
        assert_eq!(a, Some(machine()), "a quote mark changes no label");
        let corrections = log(vec![
            CorrectionAction::MarkQuote,
            CorrectionAction::UnmarkQuote,
        ]);
        assert!(corrections.quotes().is_empty());
    }

    #[test]
    fn unthemed_comments_get_a_persons_labels() {
        let mut a = None;
        log(vec![CorrectionAction::AddTouchpoint {
            touchpoint: "waiting".into(),
        }])
        .apply(KEY, FftScore::Poor, &mut a);
        assert_eq!(a.unwrap().touchpoints.len(), 1);
    }

    #[test]
    fn corrections_read_back_as_written() {
        let c = Correction {
            time: utc_timestamp(1_736_157_600),
            reviewer: Some("AB".into()),
            key: CommentKey(0xabc),
            comment: Some(CommentLabel {
                id: "17".into(),
                question: "Why?".into(),
            }),
            action: CorrectionAction::AddTheme {
                theme: "Waiting".into(),
                source: ThemeSource::Model,
            },
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"time":"2025-01-06T10:00:00Z","reviewer":"AB","key":"0000000000000abc","comment":{"id":"17","question":"Why?"},"action":"add_theme","theme":"Waiting","source":"model"}"#
        );
        assert_eq!(serde_json::from_str::<Correction>(&json).unwrap(), c);
        assert!("abc".parse::<CommentKey>().is_err());
        assert!("000000000000zabc".parse::<CommentKey>().is_err());
    }
}
