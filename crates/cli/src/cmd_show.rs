//! `chorus show`: one comment or story whole, with its metadata, clauses and labels, and the other
//! answers of the same respondent.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chorus_core::Comment;
use chorus_index::Store;
use serde::Serialize;

use crate::cmd_search::{clean, who_and_when};
use crate::display::print;

/// Print one comment or story whole: its metadata, clauses and labels, and the respondent's other
/// answers.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The comment's id, as `chorus search` shows it (a row that answered several questions has one
    /// comment per question: all are shown).
    #[arg(value_name = "ID")]
    pub id: String,
    /// The store (made by `chorus ingest`), or a `chorus analyse` output folder.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Print JSON: the comments (with their annotations) and the respondent's other answers.
    #[arg(long)]
    pub json: bool,
}

/// What `chorus show --json` prints.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    comments: &'a [Comment],
    other_answers: &'a [Comment],
}

/// Runs `chorus show`.
pub fn run_show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.store)
        .with_context(|| format!("opening the store {}", args.store.display()))?;
    // A person's label wins, as on the server's comment page.
    let corrections = store.corrections()?;
    let mut comments = store.comments_with_id(&args.id)?;
    corrections.apply_all(&mut comments);
    let Some(first) = comments.first() else {
        anyhow::bail!(
            "no comment has the id `{}` in {}: `chorus search --store {} WORDS` shows the ids",
            clean(&args.id),
            args.store.display(),
            args.store.display()
        );
    };
    let mut others: Vec<Comment> = store
        .respondent_comments(first.organisation.as_deref(), &first.respondent)?
        .into_iter()
        .filter(|c| !comments.iter().any(|s| s.keys() == c.keys()))
        .collect();
    corrections.apply_all(&mut others);
    if args.json {
        let shown = Shown {
            comments: &comments,
            other_answers: &others,
        };
        print(&format!("{}\n", serde_json::to_string_pretty(&shown)?))?;
    } else {
        print(&human(&comments, &others))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The comments, each whole with its labels and clauses, then the respondent's other answers.
fn human(comments: &[Comment], others: &[Comment]) -> String {
    let mut out = String::new();
    for (i, c) in comments.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        describe(&mut out, c);
    }
    if let Some(first) = comments.first()
        && !others.is_empty()
    {
        let _ = writeln!(
            out,
            "\nOther answers of respondent {}:",
            clean(&first.respondent)
        );
        for c in others {
            let text = if c.no_comment {
                "(no comment)".to_owned()
            } else {
                clean(&c.text)
            };
            let _ = writeln!(out, "  {} · {}: {text}", clean(&c.id), clean(&c.question));
        }
    }
    out
}

/// One comment: a header line, the question, the whole text (its paragraphs kept), the attributes, the
/// labels and the clauses.
fn describe(out: &mut String, c: &Comment) {
    let mut header = who_and_when(c);
    if let Some(organisation) = &c.organisation {
        header.push(clean(organisation));
    }
    header.push(format!("score: {}", c.score.label()));
    let _ = writeln!(out, "{}", header.join(" · "));
    let _ = writeln!(out, "Question: {}", clean(&c.question));
    let _ = writeln!(
        out,
        "Source: {}, line {}, column `{}`",
        clean(&c.source.name),
        c.source.line,
        clean(&c.source.column)
    );
    for (name, value) in &c.attributes {
        let _ = writeln!(out, "{}: {}", clean(name), clean(value));
    }
    out.push('\n');
    if c.no_comment {
        let _ = writeln!(out, "(no comment)");
    } else {
        for line in c.text.lines() {
            let _ = writeln!(out, "  {}", clean(line));
        }
    }
    labels(out, c);
}

/// The annotations of a comment, or that theming has not run on it.
fn labels(out: &mut String, c: &Comment) {
    let Some(a) = &c.annotations else {
        let _ = writeln!(out, "\nNot themed yet (run `chorus themes`).");
        return;
    };
    let _ = writeln!(
        out,
        "\nSentiment: {} ({:+.2}){}",
        a.sentiment.label,
        a.sentiment.score,
        if a.discordant {
            " · discordant with the score"
        } else {
            ""
        }
    );
    let touchpoints: Vec<String> = a
        .touchpoints
        .iter()
        .map(|t| format!("{} ({})", t.id, t.sentiment))
        .collect();
    let _ = writeln!(out, "Touchpoints: {}", list(&touchpoints));
    let themes: Vec<String> = a
        .themes
        .iter()
        .map(|t| {
            format!(
                "{} ({}, {}, {:.2})",
                clean(&t.name),
                t.source.as_str(),
                t.sentiment,
                t.confidence
            )
        })
        .collect();
    let _ = writeln!(out, "Themes: {}", list(&themes));
    if a.clauses.len() > 1 {
        let _ = writeln!(out, "Clauses:");
        for (i, k) in a.clauses.iter().enumerate() {
            let mut labels = vec![k.sentiment.to_string()];
            labels.extend(k.touchpoints.iter().map(|t| t.to_string()));
            labels.extend(k.themes.iter().map(|t| clean(t)));
            let _ = writeln!(
                out,
                "  {}. \"{}\" · {}",
                i + 1,
                clean(k.text(&c.text)),
                labels.join(" · ")
            );
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
