//! Built-in sentiment against the human labels of the public corpora: accuracy and confusion matrices.
//!
//! `cargo run --release -p chorus-themes --example sentiment_eval [dev|phase1|stories|heldout|all] [N]` prints each set's
//! confusion matrix; with N, also N misread development comments with the clause-by-clause explanation.
//! The development sets (phase 1, Care Opinion) are for tuning; fft-v6-dev is the held-out check and is
//! only scored.

#[path = "../tests/common/corpora.rs"]
mod corpora;

use chorus_themes::CommentAnalyser;
use chorus_themes::evaluation::{Confusion, Polarity};

fn evaluate(name: &str, rows: &[corpora::Labelled], show: usize) {
    let mut analyser = CommentAnalyser::builtin();
    let mut confusion = Confusion::default();
    let mut shown = 0;
    for row in rows {
        let s = analyser.sentiment(&row.text, row.kind);
        let predicted = Polarity::from(s.label);
        confusion.add(row.gold, predicted);
        if predicted != row.gold && shown < show {
            shown += 1;
            println!(
                "--- gold {} predicted {} ({:.2}) [{:?}]\n{}",
                row.gold.as_str(),
                s.label,
                s.score,
                row.kind,
                analyser.explain(&row.text, row.kind)
            );
        }
    }
    println!("== {name}\n{confusion}\n");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "all".to_owned());
    let show: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let wants = |set: &str| which == "all" || which == set || (which == "dev" && set != "heldout");
    if wants("phase1")
        && let Some(rows) = corpora::phase1()
    {
        evaluate("phase1 (development)", &rows, show);
    }
    if wants("stories")
        && let Some(rows) = corpora::care_opinion()
    {
        evaluate("care opinion stories (development)", &rows, show);
    }
    if wants("heldout")
        && let Some(rows) = corpora::v6()
    {
        evaluate("fft-v6-dev (held out)", &rows, 0);
    }
}
