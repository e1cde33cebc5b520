//! The hand-labelled touchpoint development set (`corpora/touchpoints-dev.csv`: ids and labels only) with
//! its texts read from `../shared/corpora` at run time, and the scores of a run against it: precision,
//! recall and F1 per touchpoint, micro and macro F1, and the share of comments with no touchpoint that are
//! left with none. Shared by the `touchpoint_quality` test and the `touchpoints_eval` example.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use chorus_core::{Comment, FftScore, SourceRef};
use chorus_themes::model::{LabelledData, read_labelled};

/// The touchpoints, in journey order.
pub const TOUCHPOINTS: [&str; 10] = [
    "access",
    "travel",
    "arrival",
    "waiting",
    "assessment",
    "treatment",
    "information",
    "medication",
    "stay",
    "discharge",
];

/// One labelled comment of the development set.
#[derive(Clone, Debug)]
pub struct DevComment {
    /// `fft-v6-dev`, `phase1-text-data` or `care-opinion-stories`.
    pub corpus: String,
    /// Its id in that corpus (`Comment ID` or `row_index`).
    pub id: String,
    /// Its cross-validation group: the same respondent, or the same text, is one group.
    pub group: usize,
    /// The v6 respondent, for leaving them out of a model's training data.
    pub respondent: Option<String>,
    /// The question it answers.
    pub question: String,
    /// The text, read from the corpus.
    pub text: String,
    /// The touchpoints it was labelled with.
    pub gold: BTreeSet<String>,
}

/// The folder of the real corpora, or `None` with a `skipping:` message.
pub fn corpora_dir() -> Option<PathBuf> {
    chorus_testdata::dir_with("fft-v6-dev.csv")
}

fn read(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("a header row").clone();
    (headers, reader.records().filter_map(Result::ok).collect())
}

fn column(headers: &csv::StringRecord, name: &str) -> usize {
    headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

/// (question, text, respondent) by id, for one corpus.
type Texts = HashMap<String, (String, String, Option<String>)>;

fn texts(dir: &Path, corpus: &str) -> Texts {
    let (file, id, question, text, respondent) = match corpus {
        "fft-v6-dev" => (
            "fft-v6-dev.csv",
            "Comment ID",
            "FFT question",
            "FFT answer",
            Some("Respondent ID"),
        ),
        "phase1-text-data" => (
            "phase1-text-data.csv",
            "row_index",
            "question",
            "feedback",
            None,
        ),
        "care-opinion-stories" => (
            "care-opinion-stories.csv",
            "row_index",
            "question",
            "feedback",
            None,
        ),
        other => panic!("unknown corpus {other} in touchpoints-dev.csv"),
    };
    let (headers, rows) = read(&dir.join(file));
    let (id, question, text) = (
        column(&headers, id),
        column(&headers, question),
        column(&headers, text),
    );
    let respondent = respondent.map(|name| column(&headers, name));
    rows.iter()
        .map(|r| {
            let get = |c: usize| r.get(c).unwrap_or("").to_owned();
            (
                get(id),
                (
                    get(question),
                    get(text),
                    respondent.map(|c| format!("{corpus}:{}", get(c))),
                ),
            )
        })
        .collect()
}

/// The development set with its texts, in file order; `None` (with a message) when the corpora are absent.
pub fn dev_set() -> Option<Vec<DevComment>> {
    labelled_set(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpora/touchpoints-dev.csv"),
    )
}

/// A file of touchpoint labels in the development set's format (corpus, id, touchpoints) with its texts.
pub fn labelled_set(labels: &Path) -> Option<Vec<DevComment>> {
    let dir = corpora_dir()?;
    let (headers, rows) = read(labels);
    let (corpus, id, touchpoints) = (
        column(&headers, "corpus"),
        column(&headers, "id"),
        column(&headers, "touchpoints"),
    );
    let mut by_corpus: BTreeMap<String, Texts> = BTreeMap::new();
    let mut set = Vec::new();
    for row in &rows {
        let name = row.get(corpus).expect("a corpus").to_owned();
        let texts = by_corpus
            .entry(name.clone())
            .or_insert_with(|| texts(&dir, &name));
        let key = row.get(id).expect("an id").to_owned();
        let (question, text, respondent) = texts
            .get(&key)
            .unwrap_or_else(|| panic!("{name} has no comment {key}"))
            .clone();
        let gold: BTreeSet<String> = row
            .get(touchpoints)
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        for t in &gold {
            assert!(TOUCHPOINTS.contains(&t.as_str()), "unknown touchpoint {t}");
        }
        set.push(DevComment {
            corpus: name,
            id: key,
            group: 0,
            respondent,
            question,
            text,
            gold,
        });
    }
    assign_groups(&mut set);
    Some(set)
}

/// Numbers the groups: comments of one respondent, or with the same text, share one.
fn assign_groups(set: &mut [DevComment]) {
    let mut parent: Vec<usize> = (0..set.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, c) in set.iter().enumerate() {
        let text = format!("text:{}", c.text.trim().to_lowercase());
        for key in std::iter::once(text).chain(c.respondent.clone()) {
            let j = *first.entry(key).or_insert(i);
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    for (i, c) in set.iter_mut().enumerate() {
        c.group = root(&mut parent, i);
    }
}

/// The fold (0..k) of each comment: whole groups, spread by a fixed hash of the group so that no split is
/// chosen by hand.
pub fn folds(set: &[DevComment], k: usize) -> Vec<usize> {
    set.iter()
        .map(|c| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in format!("{}:{}", set[c.group].corpus, set[c.group].id).bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            (h % k as u64) as usize
        })
        .collect()
}

/// The comment as `chorus themes` sees it.
pub fn comment(c: &DevComment) -> Comment {
    Comment {
        id: c.id.clone(),
        respondent: c.respondent.clone().unwrap_or_else(|| c.id.clone()),
        question: c.question.as_str().into(),
        text: c.text.clone(),
        no_comment: false,
        date: None,
        score: FftScore::NotGiven,
        service: None,
        organisation: None,
        attributes: Default::default(),
        source: SourceRef::default(),
        annotations: None,
    }
}

/// fft-v6-dev.csv for training a model, without the respondents of the development set, so that the
/// model never saw the comments it is scored on.
pub fn v6_training_without(set: &[DevComment]) -> Option<LabelledData> {
    let dir = corpora_dir()?;
    let spec = chorus_themes::model::LabelSpec {
        text_column: "FFT answer".into(),
        labels: chorus_themes::model::LabelColumns::After("Comment sentiment".into()),
        question_column: Some("FFT question".into()),
        sentiment_column: Some("Comment sentiment".into()),
        group_column: Some("Respondent ID".into()),
    };
    let mut data = read_labelled(&dir.join("fft-v6-dev.csv"), &spec).expect("the v6 file reads");
    let held: BTreeSet<&str> = set
        .iter()
        .filter_map(|c| c.respondent.as_deref()?.strip_prefix("fft-v6-dev:"))
        .collect();
    data.examples.retain(|e| !held.contains(e.group.as_str()));
    Some(data)
}

/// Precision, recall and F1 of one touchpoint.
#[derive(Clone, Copy, Debug, Default)]
pub struct Prf {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// The scores of a run over the development set.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    pub per_touchpoint: Vec<(&'static str, Prf)>,
    pub micro: Prf,
    /// Comments labelled with no touchpoint, and of those, how many got none.
    pub none_gold: u32,
    pub none_kept: u32,
    pub comments: u32,
}

impl Scores {
    pub fn micro_f1(&self) -> f64 {
        self.micro.f1()
    }
    pub fn macro_f1(&self) -> f64 {
        self.per_touchpoint.iter().map(|(_, p)| p.f1()).sum::<f64>()
            / self.per_touchpoint.len() as f64
    }
    pub fn none_kept_share(&self) -> f64 {
        ratio(self.none_kept, self.none_gold)
    }
}

/// Scores predictions (one set of touchpoint ids per comment) against the gold labels.
pub fn score(set: &[DevComment], predicted: &[BTreeSet<String>]) -> Scores {
    assert_eq!(set.len(), predicted.len());
    let mut scores = Scores {
        per_touchpoint: TOUCHPOINTS.iter().map(|&t| (t, Prf::default())).collect(),
        ..Scores::default()
    };
    for (c, p) in set.iter().zip(predicted) {
        scores.comments += 1;
        if c.gold.is_empty() {
            scores.none_gold += 1;
            scores.none_kept += u32::from(p.is_empty());
        }
        for (t, prf) in &mut scores.per_touchpoint {
            match (c.gold.contains(*t), p.contains(*t)) {
                (true, true) => prf.tp += 1,
                (false, true) => prf.fp += 1,
                (true, false) => prf.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    for (_, prf) in &scores.per_touchpoint {
        scores.micro.tp += prf.tp;
        scores.micro.fp += prf.fp;
        scores.micro.fn_ += prf.fn_;
    }
    scores
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| touchpoint | gold | precision | recall | F1 |\n| --- | ---: | ---: | ---: | ---: |"
        )?;
        for (t, p) in &self.per_touchpoint {
            writeln!(
                f,
                "| {t} | {} | {:.2} | {:.2} | {:.2} |",
                p.tp + p.fn_,
                p.precision(),
                p.recall(),
                p.f1()
            )?;
        }
        write!(
            f,
            "micro P {:.3} R {:.3} F1 {:.3}; macro F1 {:.3}; no-touchpoint comments left with none {}/{} = {:.3} ({} comments)",
            self.micro.precision(),
            self.micro.recall(),
            self.micro_f1(),
            self.macro_f1(),
            self.none_kept,
            self.none_gold,
            self.none_kept_share(),
            self.comments
        )
    }
}
