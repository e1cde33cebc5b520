//! `chorus search`, `chorus kwic` and `chorus stats`: read a store the way a researcher does.

use crate::display::{count, n, print};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chorus_core::{Comment, FftScore};
use chorus_index::{
    FacetCount, Filters, JsonSearch, KwicRequest, SearchRequest, SearchResults, SortOrder, Store,
    StoreStats,
};

/// Filters shared by `search` and `kwic`. Repeat a flag for alternatives (`--service A --service B`);
/// different flags must all hold.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only comments on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only comments on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// FFT answers: a code (4), a range (4..5), a name (very_poor) or a list (1,2).
    #[arg(long, value_name = "SCORE")]
    pub score: Vec<String>,
    /// A service, matched whole, any case.
    #[arg(long, value_name = "NAME")]
    pub service: Vec<String>,
    /// An organisation (trust or site), matched whole, any case.
    #[arg(long, value_name = "NAME")]
    pub organisation: Vec<String>,
    /// A question kind: why, what_was_good, improve or other.
    #[arg(long, value_name = "KIND")]
    pub question_kind: Vec<String>,
    /// A journey touchpoint id (after `chorus themes`).
    #[arg(long, value_name = "ID")]
    pub touchpoint: Vec<String>,
    /// A theme name (after `chorus themes`).
    #[arg(long, value_name = "NAME")]
    pub theme: Vec<String>,
    /// Overall sentiment: positive, neutral, mixed or negative (after `chorus themes`).
    #[arg(long, value_name = "LABEL")]
    pub sentiment: Vec<String>,
    /// Only comments whose text contradicts their FFT score (after `chorus themes`).
    #[arg(long)]
    pub discordant: bool,
}

impl FilterArgs {
    pub(crate) fn to_filters(&self) -> anyhow::Result<Filters> {
        let mut scores = Vec::new();
        for s in &self.score {
            scores.extend(Filters::parse_scores(s)?);
        }
        scores.sort();
        scores.dedup();
        Ok(Filters {
            from: self
                .from
                .as_deref()
                .map(|d| Filters::parse_date("from", d))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .map(|d| Filters::parse_date("to", d))
                .transpose()?,
            scores,
            services: self.service.clone(),
            organisations: self.organisation.clone(),
            question_kinds: self
                .question_kind
                .iter()
                .map(|k| Filters::parse_question_kind(k))
                .collect::<Result<_, _>>()?,
            touchpoints: self.touchpoint.clone(),
            themes: self.theme.clone(),
            sentiments: self
                .sentiment
                .iter()
                .map(|s| Filters::parse_sentiment(s))
                .collect::<Result<_, _>>()?,
            discordant: self.discordant,
            attributes: Vec::new(),
        })
    }
}

/// Search the comments of a store.
///
/// The query: words (all must match; "waiting" also finds "waited"), "exact phrases", AND, OR, NOT (or
/// +word, -word), parentheses, field:value (service:, organisation:, score:, question:, month:, date:, id:,
/// touchpoint:, theme:, sentiment:, discordant:…), ranges (score:[4 TO 5],
/// date:[2021-10-01 TO 2021-12-31]), prefixes (appoint* finds appointment, appointed…) and near
/// spellings (recieved~ or waitng~1: within 1 or 2 edits, first letter right). No query lists every
/// comment.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query; several words are joined with spaces.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// The store (a directory made by `chorus ingest`, or the output folder of `chorus analyse`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many hits to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// How many of the best hits to skip (for the next page).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Order of hits: relevance, date (newest first) or date-asc.
    #[arg(long, default_value = "relevance", value_name = "ORDER")]
    pub sort: SortOrder,
    /// Print one JSON document (total, hits, facets) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Keyword-in-context lines for a word or phrase: every form of it, with the text around it.
#[derive(Debug, clap::Args)]
pub struct KwicArgs {
    /// The word (or words, as a phrase) to look for, as written in comments.
    #[arg(required = true, value_name = "WORD")]
    pub word: Vec<String>,
    /// The store (a directory made by `chorus ingest`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Characters of context on each side.
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub width: usize,
    /// The most lines to show.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
    /// Print the lines as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Counts of a store: comments, respondents, dates, services, scores, % positive, theming.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The store (a directory made by `chorus ingest`).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

fn open_store(dir: &Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("opening the store {}", dir.display()))
}

/// Bold on a terminal (unless NO_COLOR is set), `**…**` otherwise, so piped output stays readable.
fn marks() -> (&'static str, &'static str) {
    if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    }
}

/// Comment-derived text for the terminal: control characters (which could move the cursor or recolour
/// the screen) become spaces.
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Runs `chorus search`.
pub fn run_search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.store)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        filters: args.filters.to_filters()?,
        limit: args.limit,
        offset: args.offset,
        sort: args.sort,
        ..SearchRequest::default()
    };
    let mut results = store.search(&request)?;
    // The filters and facets already see people's labels; the hits show them too, as the server's do.
    let corrections = store.corrections()?;
    if !corrections.is_empty() {
        for hit in &mut results.hits {
            corrections.apply_to(&mut hit.comment);
        }
    }
    if args.json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&JsonSearch::new(&request, &results))?
        ))?;
    } else {
        print(&human_search(&request, &results, marks()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn human_search(
    request: &SearchRequest,
    results: &SearchResults,
    (open, close): (&str, &str),
) -> String {
    let mut out = String::new();
    let what = if request.query.trim().is_empty() {
        String::new()
    } else {
        format!(" `{}`", clean(request.query.trim()))
    };
    let noun = if results.total == 1 {
        "comment matches"
    } else {
        "comments match"
    };
    let _ = write!(out, "{} {noun}{what}", n(results.total));
    if results.hits.is_empty() {
        out.push('\n');
    } else {
        let first = request.offset + 1;
        let _ = writeln!(
            out,
            " (showing {}–{})",
            first,
            request.offset + results.hits.len()
        );
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{:>3}. {}",
            request.offset + i + 1,
            hit_header(&hit.comment)
        );
        let text = if hit.comment.no_comment {
            "(no comment)".to_owned()
        } else {
            clean(&hit.snippet.render(open, close))
        };
        let _ = writeln!(out, "     {text}");
        if !hit.comment.attributes.is_empty() {
            let attributes: Vec<String> = hit
                .comment
                .attributes
                .iter()
                .map(|(name, value)| format!("{}: {}", clean(name), clean(value)))
                .collect();
            let _ = writeln!(out, "     {}", attributes.join(" · "));
        }
    }
    if results.total > 0 {
        let f = &results.facets;
        let _ = writeln!(out, "\nCounts over all {} matches", n(results.total));
        facet_line(&mut out, "service", &f.service);
        facet_line(&mut out, "organisation", &f.organisation);
        // Scripts get the slugs (`very_good`); people read the answers as the survey words them.
        let scores: Vec<FacetCount> = f
            .score
            .iter()
            .map(|c| FacetCount {
                value: FftScore::ALL
                    .iter()
                    .find(|s| s.slug() == c.value)
                    .map_or_else(|| c.value.clone(), |s| s.label().to_owned()),
                count: c.count,
            })
            .collect();
        facet_line(&mut out, "score", &scores);
        facet_line(&mut out, "month", &f.month);
        facet_line(&mut out, "question", &f.question_kind);
        facet_line(&mut out, "touchpoint", &f.touchpoint);
        facet_line(&mut out, "theme", &f.theme);
        if f.sentiment.iter().any(|c| c.value != "not themed") {
            facet_line(&mut out, "sentiment", &f.sentiment);
        }
    }
    out
}

/// Who answered and when, as a hit's header and `chorus show` begin: the id, the respondent (where
/// they differ), the date and the service.
pub(crate) fn who_and_when(c: &Comment) -> Vec<String> {
    let mut parts = vec![clean(&c.id)];
    if c.respondent != c.id {
        parts.push(format!("respondent {}", clean(&c.respondent)));
    }
    parts.push(
        c.date
            .map_or_else(|| "undated".to_owned(), |d| d.to_string()),
    );
    if let Some(service) = &c.service {
        parts.push(clean(service));
    }
    parts
}

fn hit_header(c: &Comment) -> String {
    let mut parts = who_and_when(c);
    parts.push(format!("score: {}", c.score.label()));
    parts.push(clean(&c.question));
    if let Some(a) = &c.annotations {
        parts.push(format!("sentiment: {}", a.sentiment.label));
        if a.discordant {
            parts.push("discordant".to_owned());
        }
        if !a.themes.is_empty() {
            let themes: Vec<String> = a.themes.iter().map(|t| clean(&t.name)).collect();
            parts.push(format!("themes: {}", themes.join(", ")));
        }
    }
    parts.join(" · ")
}

/// One line of facet counts, at most 12 values, the rest summed.
fn facet_line(out: &mut String, name: &str, counts: &[FacetCount]) {
    const SHOWN: usize = 12;
    if counts.is_empty() {
        return;
    }
    let mut items: Vec<String> = counts
        .iter()
        .take(SHOWN)
        .map(|c| format!("{} {}", clean(&c.value), n(c.count)))
        .collect();
    if counts.len() > SHOWN {
        let rest: u64 = counts[SHOWN..].iter().map(|c| c.count).sum();
        items.push(format!("{} more {}", counts.len() - SHOWN, n(rest)));
    }
    let _ = writeln!(out, "  {name:<13}{}", items.join(" · "));
}

/// Runs `chorus kwic`.
pub fn run_kwic(args: KwicArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.store)?;
    let request = KwicRequest {
        word: args.word.join(" "),
        filters: args.filters.to_filters()?,
        width: args.width,
        limit: args.limit,
    };
    let lines = store.kwic(&request)?;
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&lines)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        print(&format!("no comment contains `{}`\n", clean(&request.word)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (open, close) = marks();
    let id_width = lines
        .iter()
        .map(|l| l.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for line in &lines {
        let left = clean(&line.left);
        let pad = request.width.saturating_sub(left.chars().count());
        let _ = writeln!(
            out,
            "{:<id_width$}  {}{left} {open}{}{close} {}",
            clean(&line.id),
            " ".repeat(pad),
            clean(&line.keyword),
            clean(&line.right),
        );
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `chorus stats`.
pub fn run_stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.store)?;
    let stats = store.stats()?;
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&stats)?))?;
    } else {
        print(&human_stats(&args.store, &stats))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn human_stats(dir: &Path, s: &StoreStats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Store {}", dir.display());
    let _ = writeln!(
        out,
        "  comments      {} ({} with text, {} no comment)",
        n(s.comments),
        n(s.with_text),
        n(s.no_comment)
    );
    let _ = writeln!(out, "  respondents   {}", n(s.respondents));
    match (s.first_date, s.last_date) {
        (Some(a), Some(b)) => {
            let _ = writeln!(out, "  dates         {a} to {b} ({} undated)", n(s.undated));
        }
        _ => {
            let _ = writeln!(out, "  dates         none ({} undated)", n(s.undated));
        }
    }
    let blank = if s.no_comment > 0 {
        format!(
            "; {} without text {} left unthemed",
            n(s.no_comment),
            if s.no_comment == 1 { "is" } else { "are" }
        )
    } else {
        String::new()
    };
    let themed = if s.with_text == 0 {
        "no comments with text yet".to_owned()
    } else if s.not_themed == 0 {
        format!(
            "all {} with text{blank}",
            count(s.with_text, "comment", "comments")
        )
    } else {
        format!(
            "{} of {} with text ({} not yet themed: run `chorus themes --store {}`{blank})",
            n(s.themed),
            count(s.with_text, "comment", "comments"),
            n(s.not_themed),
            dir.display()
        )
    };
    let _ = writeln!(out, "  themed        {themed}");
    if s.corrected > 0 {
        let _ = writeln!(
            out,
            "  corrected     {} by people (their labels count as the people left them)",
            count(s.corrected, "comment", "comments")
        );
    }
    let tally = &s.respondent_scores;
    let _ = writeln!(out, "\nFFT answers (one per respondent)");
    for score in FftScore::ALL {
        let count = tally.count(score);
        let share = if tally.total() > 0 {
            100.0 * count as f64 / tally.total() as f64
        } else {
            0.0
        };
        let _ = writeln!(out, "  {:<22}{:>9}  {share:5.1}%", score.label(), n(count));
    }
    match s.percent_positive {
        Some(p) => {
            let _ = writeln!(
                out,
                "  % positive            {p:.1}% (very good + good of {} valid answers 1–6)",
                n(tally.valid())
            );
        }
        None => {
            let _ = writeln!(out, "  % positive            none (no valid answers)");
        }
    }
    if s.conflicting_respondents > 0 {
        let _ = writeln!(
            out,
            "  {} gave different answers on different rows: the first valid answer counts",
            match s.conflicting_respondents {
                1 => "1 respondent".to_owned(),
                many => format!("{} respondents", n(many)),
            }
        );
    }
    for (title, counts) in [
        ("Services", &s.services),
        ("Organisations", &s.organisations),
    ] {
        let _ = writeln!(out, "\n{title} ({})", counts.len());
        for c in counts {
            let _ = writeln!(out, "  {:<40}{:>9}", clean(&c.value), n(c.count));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        for (value, expected) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(n(value), expected);
        }
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("ok\x1b[31mred\x07\n"), "ok [31mred  ");
    }
}
