//! How often a discordance flag agrees with the human sentiment label of fft-v6-dev.csv: a flag is
//! confirmed when the labeller's sentiment contradicts the FFT score too (scored 1–2 and labelled 4–5, or
//! scored 4–5 and labelled 1–2).
//!
//! `cargo run --release -p chorus-themes --example discordance_eval [show]`

#[path = "../tests/common/corpora.rs"]
mod corpora;

use chorus_core::{Comment, FftScore, QuestionKind, SourceRef};
use chorus_themes::CommentAnalyser;
use chorus_themes::evaluation::Polarity;

fn main() {
    let show = std::env::args().nth(1).is_some();
    let Some(rows) = corpora::v6() else { return };
    let mut analyser = CommentAnalyser::builtin();
    let (mut flagged, mut confirmed, mut contradictions) = (0u32, 0u32, 0u32);
    for row in rows {
        let score = FftScore::from_code(row.fft.unwrap_or(7));
        let question = match row.kind {
            QuestionKind::Improve => "What could we do better?",
            QuestionKind::WhatWasGood => "What was good?",
            _ => "FFT Why?",
        };
        let comment = Comment {
            id: String::new(),
            respondent: String::new(),
            question: question.into(),
            text: row.text.clone(),
            no_comment: false,
            date: None,
            score,
            service: None,
            organisation: None,
            attributes: Default::default(),
            source: SourceRef::default(),
            annotations: None,
        };
        let Some(a) = analyser.annotate(&comment) else {
            continue;
        };
        let contradiction = (score.is_positive() && row.gold == Polarity::Negative)
            || (matches!(score, FftScore::Poor | FftScore::VeryPoor)
                && row.gold == Polarity::Positive);
        contradictions += u32::from(contradiction);
        if a.discordant {
            flagged += 1;
            confirmed += u32::from(contradiction);
            if show && !contradiction {
                println!(
                    "unconfirmed: {score:?} {:?} {:?}: {}",
                    row.kind, row.gold, row.text
                );
            }
        }
    }
    println!(
        "flagged {flagged}; confirmed by the human label {confirmed} ({:.0}%); human-labelled contradictions {contradictions}",
        100.0 * f64::from(confirmed) / f64::from(flagged.max(1))
    );
}
