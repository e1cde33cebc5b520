//! The QI meeting pack: one self-contained HTML file (inline CSS and SVG, no scripts, no fonts or images
//! from anywhere) that opens offline and prints to A4. Every piece of comment text is HTML-escaped, and
//! a Content-Security-Policy forbids the page from loading anything at all.

use chorus_core::keys::thousands;
use std::fmt::Write;

use chorus_core::{Direction, SentimentLabel, ThemeSource};

use crate::assemble::format_p;
use crate::breakdown::{Breakdown, Count};
use crate::escape::html as esc;
use crate::model::{
    BetterOrWorse, Polarity, Quote, ReportData, Shift, SpcChart, ThemeRow, long_date, month_label,
};
use crate::options::BreakdownBy;
use crate::spc::Variation;
use crate::svg;
use crate::{clauses, quotes};

/// Groups shown per breakdown in the pack (the largest, or the latest months); every group is in the
/// CSV and Excel outputs.
const PACK_GROUPS: usize = 10;
/// Discovered themes in the pack's themes table (the largest); all are in the CSV and Excel outputs.
pub const PACK_DISCOVERED: usize = 12;
/// Themes in the bar chart.
const CHART_THEMES: usize = 15;

const STYLE: &str = r#"
@page { size: A4; margin: 12mm 11mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #E9EEF2; color: #1F2933; font-family: Arial, "Liberation Sans", "Helvetica Neue", Helvetica, sans-serif; font-size: 10pt; line-height: 1.4; }
main { max-width: 200mm; margin: 0 auto; background: #fff; padding: 0 9mm 9mm; }
header.cover { background: #005EB8; color: #fff; margin: 0 -9mm 5mm; padding: 8mm 9mm 6mm; }
header.cover .kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 8.5pt; opacity: 0.9; margin: 0; }
header.cover h1 { font-size: 24pt; margin: 1mm 0 1.5mm; line-height: 1.15; }
header.cover p { margin: 0; font-size: 10.5pt; }
header.cover .source { font-size: 8.5pt; opacity: 0.85; margin-top: 2mm; }
h2 { font-size: 15pt; color: #003087; margin: 7mm 0 1.5mm; padding-bottom: 1mm; border-bottom: 2px solid #005EB8; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
p.lead { margin: 0 0 3mm; color: #425563; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin-bottom: 3mm; }
.card { border: 1px solid #D8DDE3; border-top: 4px solid #005EB8; padding: 2.5mm 3mm; background: #fff; }
.card .label { font-size: 8.5pt; color: #425563; text-transform: uppercase; letter-spacing: 0.04em; }
.card .big { font-size: 22pt; font-weight: 700; line-height: 1.1; margin: 1mm 0 0.5mm; }
.card .big.small { font-size: 12.5pt; padding-top: 2mm; }
.card .sub { font-size: 8.5pt; color: #425563; }
.facts { display: flex; flex-wrap: wrap; gap: 2mm 6mm; font-size: 9pt; color: #425563; margin: 0 0 2mm; }
.facts b { color: #1F2933; }
.twocol { display: grid; grid-template-columns: 1fr 1fr; gap: 5mm; }
.panel { border: 1px solid #D8DDE3; padding: 2mm 3.5mm 3mm; }
.panel.well { border-top: 5px solid #0072B2; background: #F4F9FD; }
.panel.improve { border-top: 5px solid #D55E00; background: #FDF7F3; }
.panel h3 { margin-top: 1mm; }
.panel.well h3 { color: #005A8C; }
.panel.improve h3 { color: #A33F00; }
.panel ol { padding-left: 5mm; margin: 0; }
.panel li { margin-bottom: 2mm; }
.panel li .what { font-weight: 700; }
.panel li .n { color: #425563; font-size: 9pt; }
blockquote { margin: 1mm 0 1.5mm; padding: 1.2mm 2.5mm; border-left: 3px solid #AEB7BF; background: #F7F9FA; font-style: italic; font-size: 9pt; }
blockquote.pos { border-left-color: #0072B2; }
blockquote.neg { border-left-color: #D55E00; }
blockquote .meta { display: block; font-style: normal; color: #5F6B76; font-size: 7.5pt; margin-top: 0.5mm; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure svg { display: block; }
figcaption { font-size: 8.5pt; color: #425563; margin-top: 1mm; }
svg text { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; }
svg .lbl { font-size: 11px; fill: #1F2933; }
svg .num { font-size: 10px; font-weight: 700; }
svg .num-dark { font-size: 11px; font-weight: 700; fill: #1F2933; }
svg .axis { font-size: 10px; fill: #5F6B76; }
svg .step { font-size: 10px; font-weight: 700; fill: #005EB8; }
svg .note { font-size: 10px; fill: #7B3294; }
.journey-cards { display: grid; grid-template-columns: 1fr 1fr; gap: 2.5mm; }
.tp { border: 1px solid #D8DDE3; border-left-width: 5px; padding: 1.5mm 2.5mm 2mm; break-inside: avoid; }
.tp h3 { margin: 0.5mm 0 0.5mm; font-size: 10pt; }
.tp .band { font-size: 8pt; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
.tp .stats { font-size: 8.5pt; color: #425563; }
.tp.quiet { color: #5F6B76; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 1mm 0 3mm; }
th { background: #E8EDF2; text-align: left; font-weight: 700; }
th, td { padding: 1mm 1.5mm; border-bottom: 1px solid #E1E5EA; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.q { font-style: italic; font-size: 8pt; color: #333F48; }
td.q div + div { margin-top: 1mm; }
table.themes tr.theme td { border-bottom: none; padding-top: 1.6mm; }
table.themes tr.said td { font-style: italic; font-size: 8pt; color: #425563; padding: 0 1.5mm 1.6mm 4mm; }
table.themes tr.said q { quotes: "“" "”"; margin-right: 2mm; }
table.themes tr.theme { break-after: avoid; }
table.themes tr.category td { font-weight: 600; color: #005eb8; border-bottom: 1px solid #005eb8; padding-top: 2.4mm; break-after: avoid; }
th .pct, td .pct { display: block; color: #5F6B76; font-size: 7.5pt; }
.badge { display: inline-block; font-size: 7pt; padding: 0 1.2mm; border-radius: 2mm; background: #E8EDF2; color: #425563; font-style: normal; text-transform: uppercase; letter-spacing: 0.03em; vertical-align: 1px; }
.flag { font-weight: 700; }
.flag { display: block; }
.flag.good { color: #005A8C; }
.flag.bad { color: #A33F00; }
.flag.neutral { color: #37424D; }
.verdict { display: inline-block; font-weight: 700; padding: 0.6mm 2mm; border-radius: 1mm; font-size: 9pt; margin: 0 0 1mm; }
.verdict.improvement { background: #DCEBF7; color: #004C77; }
.verdict.concern { background: #FCEBD0; color: #7A4A00; }
.verdict.neutral { background: #EDE0F3; color: #55215F; }
.verdict.common { background: #ECEFF1; color: #37424D; }
.verdict.short { background: #F4F4F4; color: #5F6B76; font-weight: 400; }
ul.signals { margin: 0.5mm 0 0; padding-left: 5mm; font-size: 8.5pt; }
.spc { border-top: 1px solid #E1E5EA; padding-top: 2mm; }
figure.change { border-top: 1px solid #E1E5EA; padding-top: 2mm; }
figure.change .facts { margin: 1mm 0; }
.wide { max-width: 100%; overflow-x: auto; }
table.breakdown { table-layout: fixed; }
table.breakdown th:first-child { width: 26%; }
table.breakdown th.n { white-space: normal; overflow-wrap: anywhere; hyphens: auto; }
table.breakdown td:first-child { overflow-wrap: anywhere; }
.story { border: 1px solid #D8DDE3; padding: 2mm 3mm; margin-bottom: 2.5mm; break-inside: avoid; }
.story p { margin: 0 0 1mm; white-space: pre-wrap; font-size: 9pt; }
.story .meta { font-size: 8pt; color: #5F6B76; }
.chips span { display: inline-block; background: #E8EDF2; border-radius: 2mm; padding: 0 1.5mm; margin: 0 1mm 1mm 0; font-size: 7.5pt; }
.note { font-size: 8pt; color: #5F6B76; }
.set-aside { border-left: 4px solid #5F6B76; padding: 1mm 3mm; }
.set-aside.incomplete { border-color: #B00020; background: #FDECEE; }
.clause .cl { display: inline-block; font-style: normal; font-size: 7pt; line-height: 1.3; padding: 0 1mm; margin: 0 0.5mm; border-radius: 1mm; border: 1px solid currentColor; vertical-align: 1px; overflow-wrap: anywhere; }
.clause .cl.pos { background: #DCEBF7; color: #004C77; }
.clause .cl.neg { background: #FCEBD0; color: #7A4A00; }
.clause .cl.neu { background: #ECEFF1; color: #37424D; }
.cut { font-style: normal; font-size: 7.5pt; color: #5F6B76; white-space: normal; }
.method li { margin-bottom: 1mm; font-size: 8.5pt; }
footer { margin-top: 6mm; padding-top: 2mm; border-top: 1px solid #D8DDE3; font-size: 8pt; color: #5F6B76; }
.page { break-before: page; }
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  header.cover { margin: 0 0 5mm; }
  thead { display: table-header-group; }
  tr, blockquote { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"#;

/// The meeting pack as one HTML document.
pub fn render(data: &ReportData) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let period = data
        .scope
        .period
        .map_or_else(|| "All comments (no dates)".to_string(), |p| p.label());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Patient experience meeting pack: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&period)
    );
    cover(&mut out, data, &period);
    headline(&mut out, data);
    what_changed(&mut out, data);
    set_aside(&mut out, data);
    highlights(&mut out, data);
    journey(&mut out, data);
    themes(&mut out, data);
    spc(&mut out, data);
    cooccurrence(&mut out, data);
    breakdowns(&mut out, data);
    discordant(&mut out, data);
    complex(&mut out, data);
    method(&mut out, data);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn cover(out: &mut String, data: &ReportData, period: &str) {
    let _ = write!(
        out,
        "<header class=\"cover\"><p class=\"kicker\">Patient experience · Friends and Family Test · QI meeting pack</p>\
<h1>What people told us</h1><p>{}{}</p>",
        esc(period),
        data.scope
            .service
            .as_ref()
            .map(|s| format!(" · {}", esc(s)))
            .unwrap_or_default()
    );
    if !data.source.is_empty() {
        let _ = write!(
            out,
            "<p class=\"source\">Generated from {}</p>",
            esc(&data.source)
        );
    }
    out.push_str("</header>\n");
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.0}%"))
}

fn pct1(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}%"))
}

fn headline(out: &mut String, data: &ReportData) {
    let h = &data.headline;
    let period_card = match data.scope.period {
        Some(p) => format!(
            "<div class=\"big small\">{}<br>to {}</div><div class=\"sub\">{} days</div>",
            esc(&long_date(p.from)),
            esc(&long_date(p.to)),
            p.days()
        ),
        None => "<div class=\"big small\">No dates</div>".to_string(),
    };
    let previous = |now: u64, then: Option<u64>| match then {
        Some(then) => format!(" · {} in the previous period", thousands(then)),
        None => {
            let _ = now;
            String::new()
        }
    };
    let prev = h.previous.as_ref();
    let _ = write!(
        out,
        "<section aria-label=\"Headline figures\"><div class=\"cards\">\
<div class=\"card\"><div class=\"label\">Comments</div><div class=\"big\">{}</div><div class=\"sub\">with text{}</div></div>\
<div class=\"card\"><div class=\"label\">Respondents</div><div class=\"big\">{}</div><div class=\"sub\">{} left no comment{}</div></div>\
<div class=\"card\"><div class=\"label\">% positive (FFT)</div><div class=\"big\">{}</div><div class=\"sub\">{}{}</div></div>\
<div class=\"card\"><div class=\"label\">Period</div>{period_card}</div>\
</div>",
        thousands(h.comments),
        previous(h.comments, prev.map(|p| p.comments)),
        thousands(h.respondents),
        thousands(h.blank_answers),
        previous(h.respondents, prev.map(|p| p.respondents)),
        pct(h.percent_positive),
        if h.fft_answers == 0 {
            "no FFT answers with these comments".to_string()
        } else {
            format!("very good or good, of {} answers", thousands(h.fft_answers))
        },
        prev.and_then(|p| p.percent_positive)
            .map(|p| format!(" · {p:.0}% before"))
            .unwrap_or_default(),
    );
    let s = &h.sentiment;
    let _ = write!(
        out,
        "<p class=\"facts\"><span><b>{}</b> of comments themed</span><span>Text sentiment: <b>{}</b> positive, <b>{}</b> mixed, <b>{}</b> neutral, <b>{}</b> negative</span><span><b>{}</b> discordant (score and text disagree)</span><span><b>{}</b> FFT poor or very poor</span></p></section>",
        pct(crate::model::percent(h.themed_comments, h.comments)),
        pct(s.percent(SentimentLabel::Positive)),
        pct(s.percent(SentimentLabel::Mixed)),
        pct(s.percent(SentimentLabel::Neutral)),
        pct(s.percent(SentimentLabel::Negative)),
        thousands(h.discordant_comments),
        pct(h.percent_negative),
    );
    out.push('\n');
}

fn quote_meta(q: &Quote) -> String {
    let mut parts = Vec::new();
    if let Some(d) = q.date {
        parts.push(long_date(d));
    }
    if let Some(s) = &q.service {
        parts.push(s.clone());
    }
    if q.score != chorus_core::FftScore::NotGiven {
        parts.push(format!("FFT: {}", q.score.label()));
    }
    esc(&parts.join(" · ")).into_owned()
}

/// The note after a shortened quote (where the whole comment is), or nothing.
fn cut_note(q: &Quote) -> String {
    quotes::shortened_note(q)
        .map(|note| format!(" <span class=\"cut\">{}</span>", esc(&note)))
        .unwrap_or_default()
}

/// A quote's words, escaped: for a mixed comment, clause by clause, each followed by its labels
/// (sentiment, touchpoints, codebook themes), so a reader sees why it is both praise and complaint.
fn quote_body(q: &Quote) -> String {
    if !clauses::is_mixed(q.sentiment, &q.clauses) {
        return esc(&q.text).into_owned();
    }
    let mut out = String::new();
    for (i, k) in q.clauses.iter().enumerate() {
        let class = match k.sentiment {
            SentimentLabel::Positive => "pos",
            SentimentLabel::Negative => "neg",
            SentimentLabel::Mixed | SentimentLabel::Neutral => "neu",
        };
        let _ = write!(
            out,
            "{}<span class=\"clause\">{} <span class=\"cl {class}\">{}</span></span>",
            if i == 0 { "" } else { " " },
            esc(&k.text),
            esc(&clauses::label(k.sentiment, &k.touchpoints, &k.themes))
        );
    }
    if q.truncated {
        out.push('…');
    }
    out
}

fn blockquote(out: &mut String, q: &Quote, class: &str) {
    let _ = write!(
        out,
        "<blockquote class=\"{class}\">“{}”{}<span class=\"meta\">{}</span></blockquote>",
        quote_body(q),
        cut_note(q),
        quote_meta(q)
    );
}

fn highlights(out: &mut String, data: &ReportData) {
    out.push_str(
        "<section><h2>What went well, and what to improve</h2><p class=\"lead\">The themes patients most often praised sit beside the ones they most often criticised: learning from excellence gets as much room as the problems.</p><div class=\"twocol\">",
    );
    for (list, class, title, word, qclass) in [
        (&data.went_well, "well", "What went well", "praising", "pos"),
        (
            &data.to_improve,
            "improve",
            "What to improve",
            "criticising",
            "neg",
        ),
    ] {
        let _ = write!(out, "<div class=\"panel {class}\"><h3>{title}</h3>");
        if list.is_empty() {
            out.push_str("<p class=\"note\">No themed comments in this period.</p>");
        } else {
            out.push_str("<ol>");
            for h in list.iter() {
                let _ = write!(
                    out,
                    "<li><span class=\"what\">{}</span> <span class=\"n\">{} comments {word} ({})</span>",
                    esc(&h.theme),
                    thousands(h.comments),
                    pct(h.percent)
                );
                if let Some(q) = &h.quote {
                    blockquote(out, q, qclass);
                }
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        out.push_str("</div>");
    }
    out.push_str("</div></section>\n");
}

fn journey(out: &mut String, data: &ReportData) {
    out.push_str("<section class=\"page\"><h2>The journey</h2><p class=\"lead\">Each step of care in order, placed by net sentiment (% positive minus % negative mentions): ▲ mostly positive, ● mixed, ▼ mostly negative, ○ not mentioned.</p>");
    let _ = write!(out, "<figure>{}</figure>", svg::journey(&data.touchpoints));
    out.push_str("<div class=\"journey-cards\">");
    for (i, t) in data.touchpoints.iter().enumerate() {
        let net = t.sentiment.net();
        let band = svg::Band::of(net);
        let (color, word, mark) = (band.colour(), band.word(), band.mark());
        let _ = write!(
            out,
            "<div class=\"tp{}\" style=\"border-left-color:{color}\"><span class=\"band\" style=\"color:{}\">{mark} {word}</span><h3>{}. {}</h3>",
            if t.mentions == 0 { " quiet" } else { "" },
            if color == svg::ORANGE {
                "#8A5A00"
            } else {
                color
            },
            i + 1,
            esc(&t.name)
        );
        if t.mentions > 0 {
            let _ = write!(
                out,
                "<div class=\"stats\">{} mentions ({} of comments) · {} positive · {} negative{}</div>",
                thousands(t.mentions),
                pct(t.percent),
                pct(t.sentiment.percent(SentimentLabel::Positive)),
                pct(t.sentiment.percent(SentimentLabel::Negative)),
                if t.top_themes.is_empty() {
                    String::new()
                } else {
                    format!(
                        " · with {}",
                        esc(&t
                            .top_themes
                            .iter()
                            .map(|n| n.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                    )
                }
            );
            if let Some(q) = &t.best_quote {
                blockquote(out, q, "pos");
            }
            if let Some(q) = &t.worst_quote {
                blockquote(out, q, "neg");
            }
        } else {
            out.push_str("<div class=\"stats\">Not mentioned in this period.</div>");
        }
        out.push_str("</div>");
    }
    out.push_str("</div></section>\n");
}

fn change_cell(t: &ThemeRow) -> String {
    let Some(c) = &t.change else {
        return String::new();
    };
    let diff = c
        .difference_points
        .map_or_else(|| "–".to_string(), |d| format!("{d:+.1} pts"));
    let mut cell = format!(
        "{diff}<span class=\"pct\">was {} ({})</span>",
        pct1(c.previous_percent),
        thousands(c.previous_comments)
    );
    if let (Some(_), Some(test), Some(d)) = (&c.flag, c.test, c.difference_points) {
        let up = d > 0.0;
        // Good or bad news: by the theme's direction, else by how its comments mostly feel.
        let good = match t.direction {
            Direction::HigherIsBetter => Some(up),
            Direction::LowerIsBetter => Some(!up),
            Direction::Neutral if t.sentiment.positive > t.sentiment.negative => Some(up),
            Direction::Neutral if t.sentiment.negative > t.sentiment.positive => Some(!up),
            Direction::Neutral => None,
        };
        let class = match good {
            Some(true) => "good",
            Some(false) => "bad",
            None => "neutral",
        };
        let _ = write!(
            cell,
            "<span class=\"flag {class}\">{} significantly ({}, {})</span>",
            if up { "▲ Up" } else { "▼ Down" },
            esc(&format_p(test.p_value)),
            test.method.label()
        );
    }
    cell
}

fn themes(out: &mut String, data: &ReportData) {
    out.push_str("<section class=\"page\"><h2>Themes</h2><p class=\"lead\">What comments are about, most mentioned first, and how they feel about it. A comment can carry several themes.</p>");
    if data.themes.is_empty() {
        out.push_str("<p class=\"note\">No comment in this period has a theme yet: run <code>chorus themes</code> on the store first.</p></section>\n");
        return;
    }
    let _ = write!(
        out,
        "<figure>{}<figcaption>The {} most mentioned themes. Bars: comments with the theme, split by how they feel about it (negative is hatched).</figcaption></figure>",
        svg::theme_bars(&data.themes, CHART_THEMES, data.headline.comments),
        data.themes.len().min(CHART_THEMES)
    );
    let compared = data.scope.previous.is_some();
    let columns = if compared { 6 } else { 5 };
    let _ = write!(
        out,
        "<table class=\"themes\"><thead><tr><th>Theme</th><th class=\"n\">Comments</th><th>How they feel</th><th class=\"n\">Mean FFT<span class=\"pct\">1 best, 5 worst</span></th><th class=\"n\">FFT positive</th>{}</tr></thead><tbody>",
        if compared {
            "<th class=\"n\">Change</th>"
        } else {
            ""
        }
    );
    let mut category: Option<&str> = None;
    let mut discovered = 0;
    for (i, t) in data.themes.iter().enumerate() {
        // Discovered themes: the largest few, as many as a meeting can read; the rest are in Excel.
        if t.source == ThemeSource::Discovered {
            discovered += 1;
            if discovered > PACK_DISCOVERED {
                continue;
            }
        }
        // A framework's themes come grouped under their category.
        if t.category.as_deref() != category {
            category = t.category.as_deref();
            if let Some(name) = category {
                let _ = write!(
                    out,
                    "<tr class=\"category\"><td colspan=\"{columns}\">{}</td></tr>",
                    esc(name)
                );
            }
        }
        let _ = write!(
            out,
            "<tr class=\"theme\"><td><b>{}</b> <span class=\"badge\">{}</span></td><td class=\"n\">{}<span class=\"pct\">{} of comments</span></td><td>{}<span class=\"pct\">{} positive · {} mixed · {} negative</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&t.name),
            t.source.as_str(),
            thousands(t.comments),
            pct1(t.percent),
            svg::mini_bar(&t.sentiment, &format!("hatch-t{i}")),
            t.sentiment.positive,
            t.sentiment.mixed,
            t.sentiment.negative,
            t.mean_fft
                .map_or_else(|| "–".to_string(), |m| format!("{m:.2}")),
            pct(t.percent_fft_positive),
        );
        if compared {
            let _ = write!(out, "<td class=\"n\">{}</td>", change_cell(t));
        }
        out.push_str("</tr>");
        if !t.quotes.is_empty() {
            let _ = write!(out, "<tr class=\"said\"><td colspan=\"{columns}\">");
            for q in t.quotes.iter().take(2) {
                let _ = write!(out, "<q>{}</q>{} ", quote_body(q), cut_note(q));
            }
            out.push_str("</td></tr>");
        }
    }
    out.push_str("</tbody></table>");
    if discovered > PACK_DISCOVERED {
        let _ = write!(
            out,
            "<p class=\"note\">The {PACK_DISCOVERED} largest of {discovered} discovered themes are shown; the Excel workbook and CSV tables have them all.</p>"
        );
    }
    if compared && let Some(prev) = data.scope.previous {
        let _ = write!(
            out,
            "<p class=\"note\">Change: percentage points of comments against {}. Flagged only where significant at p &lt; 0.05 (two-proportion z-test, or Fisher exact test when counts are small).</p>",
            esc(&prev.label())
        );
    }
    out.push_str("</section>\n");
}

/// "What changed": the lasting shifts the scan found, each with its chart, rates and quotes.
fn what_changed(out: &mut String, data: &ReportData) {
    let wc = &data.what_changed;
    out.push_str("<section id=\"what-changed\"><h2>What changed</h2><p class=\"lead\">Where complaints, praise or % positive moved for good, found by scanning every service and group for every touchpoint and theme; most important first (respondents a month the change adds or removes, recent before old). The method note says how false alarms were kept down.</p>");
    if wc.series_scanned == 0 {
        let _ = write!(out, "<p class=\"note\">{}</p>", esc(&wc.method));
    } else {
        let _ = write!(
            out,
            "<p class=\"note\">{} monthly series scanned ({} too small to scan); {} lasting change{} found; {} other series with a signal did not pass the rules against false alarms (see “How these figures were made”).</p>",
            wc.series_scanned,
            wc.series_too_small,
            wc.changes.len() as u64 + wc.not_listed,
            if wc.changes.len() as u64 + wc.not_listed == 1 {
                ""
            } else {
                "s"
            },
            wc.signals_set_aside
        );
    }
    for (i, c) in wc.changes.iter().enumerate() {
        let class = match c.better_or_worse {
            BetterOrWorse::Better => "improvement",
            BetterOrWorse::Worse => "concern",
        };
        let (earliest, latest) = c.first_month_range;
        let range = if earliest == latest {
            String::new()
        } else {
            format!(
                " (the data allow {} to {})",
                month_label(earliest),
                month_label(latest)
            )
        };
        let unit = c.unit();
        let _ = write!(
            out,
            "<figure class=\"change\"><h3>{}. {}</h3><span class=\"verdict {class}\">{}</span><p class=\"facts\"><span>From <b>{}</b>{}</span><span>Before: <b>{:.1}%</b> ({} of {} {unit}, {} months)</span><span>After: <b>{:.1}%</b> ({} of {} {unit}, {} months)</span><span>{}</span></p>",
            i + 1,
            esc(&c.headline()),
            match c.better_or_worse {
                BetterOrWorse::Better => "Better",
                BetterOrWorse::Worse => "Worse",
            },
            esc(&month_label(c.first_month)),
            esc(&range),
            c.before.rate,
            c.before.count,
            c.before.total,
            c.before.months,
            c.after.rate,
            c.after.count,
            c.after.total,
            c.after.months,
            esc(&format_p(c.p_value)),
        );
        if let Some(note) = &c.annotation {
            let _ = write!(
                out,
                "<p class=\"note\">Marked change: {} – {}</p>",
                esc(&long_date(note.date)),
                esc(&note.text)
            );
        }
        out.push_str(&svg::spc(&c.chart, &format!("changed-{i}")));
        for q in &c.quotes {
            let qclass = match c.polarity {
                Polarity::Complaints => "neg",
                Polarity::Praise => "pos",
                Polarity::Score if c.direction == Shift::Up => "pos",
                Polarity::Score => "neg",
            };
            blockquote(out, q, qclass);
        }
        if !c.also_seen_in.is_empty() {
            let _ = write!(
                out,
                "<p class=\"note\">Also seen in: {}.</p>",
                esc(&c.also_seen_in.join("; "))
            );
        }
        out.push_str("</figure>");
    }
    if wc.not_listed > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{} more lasting change{} found: see the Excel workbook.</p>",
            wc.not_listed,
            if wc.not_listed == 1 { "" } else { "s" }
        );
    }
    out.push_str("</section>\n");
}

fn verdict_class(chart: &SpcChart) -> &'static str {
    match chart.variation {
        Variation::Improvement => "improvement",
        Variation::Concern => "concern",
        Variation::NeutralHigh | Variation::NeutralLow => "neutral",
        Variation::CommonCause => "common",
        Variation::NotEnoughData => "short",
    }
}

fn spc(out: &mut String, data: &ReportData) {
    out.push_str("<section class=\"page\"><h2>Trends: statistical process control</h2><p class=\"lead\">Monthly XmR charts read with NHS England's Making Data Count rules. Common cause variation is the noise of a stable process; special cause variation is a signal worth asking about.</p>");
    if data.spc.is_empty() {
        out.push_str("<p class=\"note\">No dated comments: there is nothing to chart.</p>");
    }
    if !data.change_notes.is_empty() {
        out.push_str("<p class=\"note\">Changes marked: ");
        let notes: Vec<String> = data
            .change_notes
            .iter()
            .map(|n| format!("{} – {}", long_date(n.date), n.text))
            .collect();
        out.push_str(&esc(&notes.join("; ")));
        let _ = write!(
            out,
            ". Limits are recalculated from each once {} months follow it.</p>",
            crate::MIN_SPC_POINTS
        );
    }
    for (i, chart) in data.spc.iter().enumerate() {
        let span = match (chart.months.first(), chart.months.last()) {
            (Some(a), Some(b)) => format!("{} to {}", month_label(*a), month_label(*b)),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<figure class=\"spc\"><h3>{}</h3><span class=\"verdict {}\">{}</span>{}{}",
            esc(&chart.title),
            verdict_class(chart),
            esc(&chart.verdict),
            chart
                .limits_note
                .as_ref()
                .map(|n| format!("<p class=\"note limits\">{}</p>", esc(n)))
                .unwrap_or_default(),
            svg::spc(chart, &format!("spc-{i}"))
        );
        let _ = write!(
            out,
            "<figcaption>{} months, {} ({}).",
            chart.months.len(),
            esc(&span),
            chart.direction.phrase()
        );
        if !chart.sparse_months.is_empty() {
            let left_out: Vec<String> = chart
                .sparse_months
                .iter()
                .map(|(m, n)| format!("{} ({n})", month_label(*m)))
                .collect();
            let _ = write!(
                out,
                " Left out for too few comments, shown as gaps: {}.",
                esc(&left_out.join(", "))
            );
        }
        if !chart.signals.is_empty() {
            out.push_str("</figcaption><ul class=\"signals\">");
            for s in &chart.signals {
                let _ = write!(out, "<li>{}</li>", esc(s));
            }
            out.push_str("</ul>");
        } else {
            out.push_str(" No special cause signals.</figcaption>");
        }
        out.push_str("</figure>");
    }
    out.push_str("</section>\n");
}

fn cooccurrence(out: &mut String, data: &ReportData) {
    let co = &data.cooccurrence;
    out.push_str("<section class=\"page\"><h2>Themes that travel together</h2><p class=\"lead\">How often two themes appear in the same comment. Problems that travel together often share a cause.</p>");
    if co.themes.len() < 2 {
        out.push_str(
            "<p class=\"note\">Fewer than two themes: nothing to compare.</p></section>\n",
        );
        return;
    }
    let _ = write!(
        out,
        "<figure>{}<figcaption>The {} most mentioned themes. Darker cells: more comments with both themes; the grey diagonal is each theme's own count.</figcaption></figure>",
        svg::heatmap(co),
        co.themes.len()
    );
    if !co.pairs.is_empty() {
        out.push_str("<table><thead><tr><th>Theme</th><th>With</th><th class=\"n\">Comments with both</th><th class=\"n\">% of first</th><th class=\"n\">% of second</th><th class=\"n\">Lift</th></tr></thead><tbody>");
        for p in co.pairs.iter().take(12) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&p.a),
                esc(&p.b),
                thousands(p.both),
                pct(p.percent_of_a),
                pct(p.percent_of_b),
                p.lift
                    .map_or_else(|| "–".to_string(), |l| format!("{l:.1}×"))
            );
        }
        out.push_str("</tbody></table><p class=\"note\">Lift: how many times more often the two meet than if they were unrelated.</p>");
    }
    out.push_str("</section>\n");
}

fn breakdowns(out: &mut String, data: &ReportData) {
    if data.breakdowns.is_empty() {
        return;
    }
    out.push_str("<section class=\"page\"><h2>Breakdowns</h2>");
    if let Some(b) = data.breakdowns.first() {
        let _ = write!(
            out,
            "<p class=\"lead\">Themes by group. To protect people, counts from 1 to {} show as “&lt;{}”, and “[c]” hides one more count where a small one could otherwise be worked out from the totals.</p>",
            b.threshold.saturating_sub(1),
            b.threshold
        );
    }
    for b in &data.breakdowns {
        breakdown_table(out, b);
    }
    out.push_str("</section>\n");
}

fn breakdown_table(out: &mut String, b: &Breakdown) {
    let n = b.groups.len();
    // Months: the latest; other dimensions: the largest (groups come largest first).
    let shown: Vec<usize> = if b.by == BreakdownBy::Month {
        let dated: Vec<usize> = (0..n)
            .filter(|&i| b.groups[i].name != crate::NOT_RECORDED)
            .collect();
        dated[dated.len().saturating_sub(PACK_GROUPS)..].to_vec()
    } else {
        (0..n).take(PACK_GROUPS).collect()
    };
    let _ = write!(out, "<h3>Themes by {}</h3>", esc(b.by.label()));
    if shown.is_empty() {
        out.push_str(if b.by == BreakdownBy::Month {
            "<p class=\"note\">No comment in this period has a date.</p>"
        } else {
            "<p class=\"note\">No groups.</p>"
        });
        return;
    }
    out.push_str("<div class=\"wide\"><table class=\"breakdown\"><thead><tr><th>Theme</th>");
    for &g in &shown {
        let group = &b.groups[g];
        let _ = write!(
            out,
            "<th class=\"n\">{}<span class=\"pct\">n = {}</span></th>",
            esc(&group.name),
            esc(&group.comments.display())
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in b.rows.iter().take(25) {
        let _ = write!(out, "<tr><td>{}</td>", esc(&row.theme));
        for &g in &shown {
            let cell = &row.cells[g];
            let _ = write!(
                out,
                "<td class=\"n\">{}{}</td>",
                esc(&cell.count.display()),
                match (cell.count, cell.percent) {
                    (Count::Value(_), Some(p)) => format!("<span class=\"pct\">{p:.0}%</span>"),
                    _ => String::new(),
                }
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    let mut notes = Vec::new();
    if shown.len() < n {
        notes.push(format!(
            "{} of {} groups shown ({}); the CSV and Excel outputs have them all.",
            shown.len(),
            n,
            if b.by == BreakdownBy::Month {
                "the latest months"
            } else {
                "the largest"
            }
        ));
    }
    if b.rows.len() > 25 {
        notes.push(format!(
            "The 25 most mentioned of {} themes shown.",
            b.rows.len()
        ));
    }
    if !notes.is_empty() {
        let _ = write!(out, "<p class=\"note\">{}</p>", esc(&notes.join(" ")));
    }
}

fn discordant(out: &mut String, data: &ReportData) {
    let d = &data.discordant;
    let _ = write!(
        out,
        "<section class=\"page\"><h2>When the score and the words disagree</h2><p class=\"lead\">{} comments in this period say one thing with their FFT score and another in their text: a “very good” with a complaint, or a “poor” with thanks. They are worth reading: the score alone would hide them.</p>",
        thousands(d.total)
    );
    if d.comments.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>Date</th><th>Service</th><th>FFT score</th><th>Text reads</th><th>Comment</th></tr></thead><tbody>");
    for q in d.comments.iter().take(20) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"q\">“{}”{}</td></tr>",
            q.date.map(long_date).unwrap_or_default(),
            esc(q.service.as_deref().unwrap_or("")),
            q.score.label(),
            q.sentiment.map(|s| s.as_str()).unwrap_or(""),
            quote_body(q),
            cut_note(q)
        );
    }
    out.push_str("</tbody></table>");
    if d.total > 20 {
        let _ = write!(
            out,
            "<p class=\"note\">The 20 most recent of {} shown; the CSV, Excel and JSON outputs list {}.</p>",
            thousands(d.total),
            d.comments.len()
        );
    }
    out.push_str("</section>\n");
}

fn complex(out: &mut String, data: &ReportData) {
    out.push_str("<section class=\"page\"><h2>Stories to read in full</h2><p class=\"lead\">Long comments, or comments touching many themes. Counting cannot do them justice: they are often the richest accounts of what happened.</p>");
    if data.complex_comments.is_empty() {
        out.push_str("<p class=\"note\">No long or many-themed comments in this period.</p>");
    }
    for q in &data.complex_comments {
        let _ = write!(
            out,
            "<div class=\"story\"><p>“{}”{}</p><div class=\"meta\">{}</div>",
            quote_body(q),
            cut_note(q),
            quote_meta(q)
        );
        if !q.themes.is_empty() {
            out.push_str("<div class=\"chips\">");
            for t in &q.themes {
                let _ = write!(out, "<span>{}</span>", esc(t));
            }
            out.push_str("</div>");
        }
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

/// Records ingestion could not read: said right under the headline, in red when the figures are incomplete.
fn set_aside(out: &mut String, data: &ReportData) {
    let Some(set_aside) = &data.set_aside else {
        return;
    };
    let _ = writeln!(
        out,
        "<section class=\"set-aside{}\"><h2>What was read</h2><p>{}</p></section>",
        if set_aside.incomplete() {
            " incomplete"
        } else {
            ""
        },
        esc(&set_aside.summary())
    );
}

fn method(out: &mut String, data: &ReportData) {
    out.push_str("<section><h2>How these figures were made</h2><ul class=\"method\">");
    for m in &data.method {
        let _ = write!(out, "<li>{}</li>", esc(m));
    }
    out.push_str("</ul></section>\n<footer>");
    if !data.source.is_empty() {
        let _ = write!(out, "Generated from {}. ", esc(&data.source));
    }
    out.push_str("Made with Chorus. Comment text is redacted at ingest; quotes may still be recognisable to the people involved, so share this pack as you would the comments themselves.</footer>\n");
}
