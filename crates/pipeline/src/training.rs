//! Training data from people's corrections: `chorus train --store DIR` learns from the comments a
//! reviewer corrected in `chorus serve`, with the labels as the person left them.
//!
//! A comment counts as labelled when a person added or removed one of its themes of the source being
//! learnt: having looked at its themes, they left it with the themes it should have, so its final
//! themes of that source are its labels (themes it lacks are its negatives). A comment whose only
//! correction was its sentiment or a touchpoint is not, since its themes are still the machine's. The
//! sentiment is learnt only where a person set it.

use std::collections::BTreeMap;

use chorus_core::corrections::{CorrectionAction, Corrections};
use chorus_core::{Comment, SentimentLabel, ThemeSource};
use chorus_index::Store;
use chorus_themes::model::{Example, LabelledData, UsedColumns};

use crate::Error;

/// The labelled comments of a store's corrections, and which source's themes they label.
#[derive(Debug)]
pub struct CorrectedData {
    /// The examples, with the source's theme names as labels (every name of the store's catalog, so
    /// that a theme nobody gave is still known to be absent).
    pub data: LabelledData,
    /// The themes learnt: the model's if the store was themed with one, else the codebook's.
    pub source: ThemeSource,
    /// Comments with corrections that are not labelled (only their sentiment, touchpoints or quote
    /// mark changed, or no longer in the store).
    pub not_labelled: u64,
}

/// The comments people corrected in `store`, as training data (see the module's description).
pub fn corrected_data(store: &Store) -> Result<CorrectedData, Error> {
    let catalog = store.catalog()?.unwrap_or_default();
    let source = if catalog
        .themes
        .iter()
        .any(|t| t.source == ThemeSource::Model)
    {
        ThemeSource::Model
    } else {
        ThemeSource::Codebook
    };
    let mut label_names: Vec<String> = catalog
        .themes
        .iter()
        .filter(|t| t.source == source)
        .map(|t| t.label.clone())
        .collect();
    let corrections = store.corrections()?;
    let mut examples = Vec::new();
    let mut not_labelled = 0;
    for key in corrections.keys() {
        let comment = match store.comment(key)? {
            Some(c) if !c.no_comment && themes_corrected(&corrections, key, source) => c,
            _ => {
                not_labelled += 1;
                continue;
            }
        };
        examples.push(example(&corrections, comment, source, &mut label_names));
    }
    // One sentiment class teaches nothing (and a sentiment model needs two): learn themes only.
    let sentiments: Vec<SentimentLabel> = examples.iter().filter_map(|e| e.sentiment).collect();
    if sentiments.windows(2).all(|w| w[0] == w[1]) {
        for e in &mut examples {
            e.sentiment = None;
        }
    }
    let mut data = LabelledData::new(
        &store.corrections_path().display().to_string(),
        label_names,
        examples,
    );
    data.columns = UsedColumns {
        text: "text".to_owned(),
        question: Some("question".to_owned()),
        sentiment: data
            .has_sentiment()
            .then(|| "sentiment set by people".to_owned()),
        group: Some("respondent".to_owned()),
    };
    Ok(CorrectedData {
        data,
        source,
        not_labelled,
    })
}

/// Whether a person added or removed a theme of `source` on the comment.
fn themes_corrected(
    corrections: &Corrections,
    key: chorus_core::corrections::CommentKey,
    source: ThemeSource,
) -> bool {
    corrections.of(key).iter().any(|c| {
        matches!(&c.action,
            CorrectionAction::AddTheme { source: s, .. } | CorrectionAction::RemoveTheme { source: s, .. }
            if *s == source)
    })
}

/// The comment with its final labels; a theme name not yet in `label_names` is added to it.
fn example(
    corrections: &Corrections,
    mut comment: Comment,
    source: ThemeSource,
    label_names: &mut Vec<String>,
) -> Example {
    let key = chorus_core::corrections::CommentKey(comment.identity_key());
    let sentiment_set = corrections
        .of(key)
        .iter()
        .rev()
        .find_map(|c| match c.action {
            CorrectionAction::SetSentiment { sentiment } => Some(sentiment),
            _ => None,
        });
    corrections.apply_to(&mut comment);
    let mut labels: Vec<u16> = Vec::new();
    for theme in comment.annotations.iter().flat_map(|a| &a.themes) {
        if theme.source != source {
            continue;
        }
        let index = match label_names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&theme.name))
        {
            Some(i) => i,
            None => {
                label_names.push(theme.name.to_string());
                label_names.len() - 1
            }
        };
        labels.push(index as u16);
    }
    labels.sort_unstable();
    labels.dedup();
    Example {
        question_kind: comment.question_kind(),
        text: comment.text.trim().to_owned(),
        labels,
        sentiment: sentiment_set,
        group: format!(
            "{}\u{1f}{}",
            comment.organisation.as_deref().unwrap_or(""),
            comment.respondent
        ),
        line: 0,
    }
}

/// `file`'s rows and the store's corrected comments as one set of training data: the store's labels
/// join the file's columns of the same name (any case), and a theme only the store has becomes a new
/// label (absent from every row of the file).
pub fn combine(mut file: LabelledData, store: CorrectedData) -> LabelledData {
    let mut index_of: BTreeMap<usize, u16> = BTreeMap::new();
    for (i, name) in store.data.label_names.iter().enumerate() {
        let at = match file
            .label_names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
        {
            Some(at) => at,
            None => {
                file.label_names.push(name.clone());
                file.label_names.len() - 1
            }
        };
        index_of.insert(i, at as u16);
    }
    let added = store.data.examples.len() as u64;
    for mut e in store.data.examples {
        e.labels = e
            .labels
            .iter()
            .map(|l| index_of[&usize::from(*l)])
            .collect();
        e.labels.sort_unstable();
        e.group = format!("store\u{1f}{}", e.group);
        file.examples.push(e);
    }
    file.rows_read += added;
    file
}
