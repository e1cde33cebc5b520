//! The report from the aggregates: tables, highlights, breakdowns, co-occurrence, the comments quoted and
//! the method notes.

use chorus_core::{Fetched, SentimentLabel};
use rustc_hash::FxHashSet;

use crate::breakdown::RawBreakdown;
use crate::model::{
    Change, Cooccurrence, Discordant, Headline, Highlight, NamedCount, PreviousHeadline,
    ReportData, Scope, SentimentSplit, ThemePair, ThemeRow, TouchpointRow, WhatChanged, long_date,
    percent,
};
use crate::options::{MIN_SPC_POINTS, ReportOptions};
use crate::quotes::{self, SHORT_QUOTE_CHARS, STORY_QUOTE_CHARS, TopK};
use crate::stats;

use super::*;

/// The report from the aggregates; `quoted` holds the comments [`Acc::quoted`] names.
pub(super) fn finish(
    acc: Acc,
    plan: &Plan,
    quoted: &Fetched,
    options: &ReportOptions,
    what_changed: WhatChanged,
) -> ReportData {
    let registry = &plan.registry;
    let t = plan.themes();
    let tallies = tallies(&acc, plan);
    let headline = Headline {
        comments: acc.comments,
        respondents: tallies.current_respondents,
        records: acc.records,
        blank_answers: acc.blank,
        fft_answers: tallies.current.valid(),
        percent_positive: tallies.current.percent_positive(),
        percent_negative: tallies.current.percent_negative(),
        themed_comments: acc.themed,
        sentiment: acc.sentiment,
        discordant_comments: acc.discordant.len() as u64,
        previous: plan.previous.map(|_| PreviousHeadline {
            comments: acc.previous_comments,
            respondents: tallies.previous_respondents,
            percent_positive: tallies.previous.percent_positive(),
        }),
    };

    // Themes, most mentioned first; the themes of one framework category together, where their most
    // mentioned one would come.
    let mut order: Vec<usize> = (0..t)
        .filter(|&i| acc.theme[i].comments > 0 || acc.previous_theme[i] > 0)
        .collect();
    let group_size = |i: usize| match &registry.themes[i].category {
        Some(category) => order
            .iter()
            .filter(|&&j| registry.themes[j].category.as_ref() == Some(category))
            .map(|&j| acc.theme[j].comments)
            .max()
            .unwrap_or(0),
        None => acc.theme[i].comments,
    };
    let groups: Vec<u64> = (0..t).map(group_size).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&registry.themes[a], &registry.themes[b]);
        groups[b]
            .cmp(&groups[a])
            .then_with(|| ta.category.cmp(&tb.category))
            .then_with(|| acc.theme[b].comments.cmp(&acc.theme[a].comments))
            .then_with(|| ta.name.cmp(&tb.name))
            .then_with(|| ta.source.cmp(&tb.source))
    });
    let short_quote = |index: usize| {
        quoted
            .get(index)
            .map(|c| quotes::quote(c, SHORT_QUOTE_CHARS, false, vec![]))
    };
    let themes: Vec<ThemeRow> = order
        .iter()
        .map(|&i| {
            let info = &registry.themes[i];
            let a = &acc.theme[i];
            ThemeRow {
                key: format!("{}:{}", info.source, info.name),
                name: info.name.clone(),
                source: info.source,
                direction: info.direction,
                description: info.description.clone(),
                category: info.category.clone(),
                comments: a.comments,
                percent: percent(a.comments, acc.comments),
                sentiment: a.sentiment,
                mean_fft: a.tally.mean_rating(),
                percent_fft_positive: a.tally.percent_positive(),
                change: plan.previous.map(|_| {
                    change(
                        a.comments,
                        acc.comments,
                        acc.previous_theme[i],
                        acc.previous_comments,
                    )
                }),
                quotes: exemplars(
                    &acc.quotes[i],
                    &a.sentiment,
                    options.quotes_per_theme,
                    quoted,
                )
                .into_iter()
                .filter_map(short_quote)
                .collect(),
            }
        })
        .collect();

    let touchpoints: Vec<TouchpointRow> = registry
        .touchpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < registry.journey_len || acc.touch[*i].mentions > 0)
        .map(|(i, (id, label))| {
            let a = &acc.touch[i];
            let row = &acc.touch_theme[i * t..(i + 1) * t];
            let mut top: Vec<usize> = (0..t).filter(|&j| row[j] > 0).collect();
            top.sort_by(|&x, &y| {
                row[y]
                    .cmp(&row[x])
                    .then_with(|| registry.themes[x].name.cmp(&registry.themes[y].name))
            });
            TouchpointRow {
                id: id.clone(),
                name: label.clone(),
                mentions: a.mentions,
                percent: percent(a.mentions, acc.comments),
                sentiment: a.sentiment,
                top_themes: top
                    .into_iter()
                    .take(TOUCHPOINT_THEMES)
                    .map(|j| NamedCount {
                        name: registry.themes[j].name.clone(),
                        count: row[j],
                    })
                    .collect(),
                best_quote: a.best.and_then(|(_, index)| short_quote(index)),
                worst_quote: a.worst.and_then(|(_, index)| short_quote(index)),
            }
        })
        .collect();

    let highlight = |label: SentimentLabel, bucket: usize| -> Vec<Highlight> {
        let mut ranked: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| acc.theme[i].sentiment.get(label) > 0)
            .collect();
        ranked.sort_by(|&a, &b| {
            let (x, y) = (
                acc.theme[a].sentiment.get(label),
                acc.theme[b].sentiment.get(label),
            );
            y.cmp(&x)
                .then_with(|| registry.themes[a].name.cmp(&registry.themes[b].name))
        });
        ranked
            .into_iter()
            .take(HIGHLIGHTS)
            .map(|i| {
                let n = acc.theme[i].sentiment.get(label);
                Highlight {
                    theme: registry.themes[i].name.clone(),
                    source: registry.themes[i].source,
                    comments: n,
                    percent: percent(n, acc.comments),
                    quote: acc.quotes[i][bucket].indices().next().and_then(short_quote),
                }
            })
            .collect()
    };
    let went_well = highlight(SentimentLabel::Positive, POSITIVE);
    let to_improve = highlight(SentimentLabel::Negative, NEGATIVE);

    let shown: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| acc.theme[i].comments > 0)
        .collect();
    let breakdowns = plan
        .breakdowns
        .iter()
        .zip(&acc.groups)
        .map(|(by, groups)| {
            let names: Vec<&String> = groups.keys().collect();
            RawBreakdown {
                by: by.clone(),
                groups: names
                    .iter()
                    .map(|n| ((*n).clone(), groups[*n].comments))
                    .collect(),
                rows: shown
                    .iter()
                    .map(|&i| {
                        (
                            registry.themes[i].name.clone(),
                            registry.themes[i].source,
                            names.iter().map(|n| groups[*n].themes[i]).collect(),
                        )
                    })
                    .collect(),
            }
            .finish(options.suppress_below)
        })
        .collect();

    let cooccurrence = cooccurrence(&acc, plan, &shown);

    let complex_comments = acc
        .complex
        .indices()
        .filter_map(|index| quoted.get(index))
        .map(|c| {
            let mut names: Vec<String> = c
                .annotations
                .iter()
                .flat_map(|a| a.themes.iter())
                .filter_map(|t| registry.theme(t.source, &t.name))
                .map(|i| registry.themes[i].name.clone())
                .collect();
            names.dedup();
            quotes::quote(c, STORY_QUOTE_CHARS, true, names)
        })
        .collect();

    let discordant = Discordant {
        total: acc.discordant.len() as u64,
        comments: acc
            .discordant_listed()
            .into_iter()
            .filter_map(short_quote)
            .collect(),
    };

    let spc = spc_charts(&acc, plan, &tallies, &themes, &order, &touchpoints, options);
    let mut method = method_notes(plan, options, &headline, tallies.conflicting);
    method.push(what_changed.method.clone());
    let mut change_notes = options.annotations.clone();
    change_notes.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.text.cmp(&b.text)));

    ReportData {
        source: options.source.clone(),
        scope: Scope {
            period: plan.period,
            previous: plan.previous,
            service: options.service.clone(),
            undated_comments: acc.undated,
        },
        headline,
        themes,
        touchpoints,
        went_well,
        to_improve,
        breakdowns,
        cooccurrence,
        complex_comments,
        discordant,
        what_changed,
        spc,
        change_notes,
        method,
        set_aside: options.set_aside.clone().filter(|s| s.records > 0),
    }
}

/// Up to `k` exemplar comment indices: the dominant sentiment's best, then the other side's best, then
/// the rest, without repeating a text.
pub(super) fn exemplars(
    buckets: &[TopK; 3],
    sentiment: &SentimentSplit,
    k: usize,
    quoted: &Fetched,
) -> Vec<usize> {
    let (first, second) = if sentiment.negative > sentiment.positive {
        (NEGATIVE, POSITIVE)
    } else {
        (POSITIVE, NEGATIVE)
    };
    let lists: Vec<Vec<usize>> = [first, second, ANY]
        .iter()
        .map(|&b| buckets[b].indices().collect())
        .collect();
    let mut order = Vec::new();
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for list in &lists {
            if let Some(&index) = list.get(i) {
                order.push(index);
            }
        }
    }
    let mut seen_text = FxHashSet::default();
    let mut out = Vec::new();
    for index in order {
        if out.len() == k {
            break;
        }
        if out.contains(&index) {
            continue;
        }
        let Some(comment) = quoted.get(index) else {
            continue;
        };
        if seen_text.insert(quotes::same_text_key(&comment.text)) {
            out.push(index);
        }
    }
    out
}

pub(super) fn change(k1: u64, n1: u64, k2: u64, n2: u64) -> Change {
    let now = percent(k1, n1);
    let then = percent(k2, n2);
    let test = stats::compare_proportions(k1, n1, k2, n2);
    let flag = match (test, now, then) {
        (Some(test), Some(now), Some(then)) if test.significant() => Some(format!(
            "{} often than the previous period ({now:.1}% vs {then:.1}% of comments; {}, {})",
            if now > then { "More" } else { "Less" },
            format_p(test.p_value),
            test.method.label()
        )),
        _ => None,
    };
    Change {
        previous_comments: k2,
        previous_total: n2,
        previous_percent: then,
        difference_points: now.zip(then).map(|(a, b)| a - b),
        test,
        flag,
    }
}

/// A p-value as people read it: "p = 0.012", "p < 0.001".
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

pub(super) fn cooccurrence(acc: &Acc, plan: &Plan, shown: &[usize]) -> Cooccurrence {
    let t = plan.themes();
    let registry = &plan.registry;
    let both = |a: usize, b: usize| {
        let (x, y) = if a < b { (a, b) } else { (b, a) };
        if x == y {
            acc.theme[x].comments
        } else {
            acc.pairs[x * t + y]
        }
    };
    let grid: Vec<usize> = shown.iter().copied().take(COOCCURRENCE_THEMES).collect();
    let mut pairs: Vec<(usize, usize, u64)> = Vec::new();
    for (n, &a) in shown.iter().enumerate() {
        for &b in &shown[n + 1..] {
            let count = both(a, b);
            if count > 0 {
                pairs.push((a, b, count));
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.2.cmp(&x.2)
            .then_with(|| registry.themes[x.0].name.cmp(&registry.themes[y.0].name))
            .then_with(|| registry.themes[x.1].name.cmp(&registry.themes[y.1].name))
    });
    let n = acc.comments as f64;
    Cooccurrence {
        themes: grid
            .iter()
            .map(|&i| registry.themes[i].name.clone())
            .collect(),
        counts: grid
            .iter()
            .map(|&a| grid.iter().map(|&b| both(a, b)).collect())
            .collect(),
        pairs: pairs
            .into_iter()
            .take(COOCCURRENCE_PAIRS)
            .map(|(a, b, count)| {
                let (ca, cb) = (acc.theme[a].comments, acc.theme[b].comments);
                ThemePair {
                    a: registry.themes[a].name.clone(),
                    b: registry.themes[b].name.clone(),
                    both: count,
                    percent_of_a: percent(count, ca),
                    percent_of_b: percent(count, cb),
                    lift: (ca > 0 && cb > 0).then(|| count as f64 * n / (ca as f64 * cb as f64)),
                }
            })
            .collect(),
    }
}

pub(super) fn method_notes(
    plan: &Plan,
    options: &ReportOptions,
    headline: &Headline,
    conflicting: u64,
) -> Vec<String> {
    let mut notes = vec![
        "Comments are answers with text. Blank answers and placeholders (\"N/A\", \"Did not answer\") count towards respondents and % positive only.".to_string(),
        format!(
            "% positive is the share of valid FFT answers (1–6, including \"don't know\") that are very good or good, counting each respondent once, as NHS England publishes it: a respondent's answer is the first valid one on their rows, in the order the rows were ingested.{}",
            match conflicting {
                0 => String::new(),
                1 => " One respondent's rows gave different answers; the first counts.".to_string(),
                n => format!(" {n} respondents' rows gave different answers; the first counts."),
            }
        ),
        "A theme's % FFT positive is different: it counts the FFT answer of each comment with the theme, so a respondent with two such comments counts twice.".to_string(),
        "Themes come from three sources: codebook (editable term lists), model (trained on labelled comments) and discovered (clusters found in the text). A comment can carry several themes, so theme counts add up to more than the comments.".to_string(),
        "Sentiment is read from the text. A comment is discordant when its text contradicts its FFT score (a very good score with a complaint, or the reverse).".to_string(),
        format!(
            "Breakdowns suppress counts from 1 to {} (shown as \"<{}\") and, where a single small count could be worked out from the published totals, hide one more cell (shown as \"[c]\"); percentages of hidden counts are not shown.",
            options.suppress_below.saturating_sub(1),
            options.suppress_below
        ),
        format!(
            "SPC charts are XmR charts of monthly values following NHS England's Making Data Count rules as implemented by NHSRplotthedots: process limits at the mean ± 2.66 × the mean moving range (moving ranges over 3.267 × their mean screened out); special cause for a point outside the limits, 7 points in a row on one side of the mean, 7 points rising or falling, or 2 of 3 points beyond two sigma on the same side. Charts use every month with at least {} comments up to the end of the period, so the limits rest on as much history as there is; months with fewer are left out of the calculation and shown as gaps on the time axis. With fewer than {MIN_SPC_POINTS} months the limits are trial limits, marked as such, which move as months are added; when the value is the same every month there are no limits, and only runs and trends are tested.",
            options.spc_min_month
        ),
        "Quotes are redacted at ingest: names, phone numbers, emails and other identifiers are replaced by markers such as [NAME].".to_string(),
        format!(
            "Quotes are shortened at a sentence or word boundary to about {SHORT_QUOTE_CHARS} characters, and stories to read in full to about {STORY_QUOTE_CHARS}; a shortened quote ends with \"…\" and says so, with its comment id. The store keeps every comment whole, and `chorus export` writes them whole."
        ),
    ];
    if let Some(prev) = plan.previous {
        notes.push(format!(
            "Changes compare each theme's share of comments with the previous period of equal length ({}), using a two-proportion z-test, or Fisher's exact test when an expected count is below 5, and are flagged at p < 0.05 (two-sided). With many themes about 1 in 20 unchanged themes can be flagged by chance: treat a flag as a prompt to look, not proof.",
            prev.label()
        ));
    }
    if let Some(n) = options.baseline {
        notes.push(format!(
            "Process limits are fixed on the first {n} points of each chart segment."
        ));
    }
    if !options.annotations.is_empty() {
        notes.push(format!(
            "Each marked change starts new process limits from the month it falls in, once {MIN_SPC_POINTS} months follow it; until then the limits before it stand, so that an effect of the change shows as a signal against them."
        ));
    }
    if plan.explicit_period {
        if let Some(p) = plan.period {
            notes.push(format!(
                "Only comments dated {} to {} are in the tables.",
                long_date(p.from),
                long_date(p.to)
            ));
        }
    } else if headline.comments > 0 {
        notes
            .push("No period was given: the tables cover every comment, dated or not.".to_string());
    }
    notes
}
