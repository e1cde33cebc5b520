//! Built-in sentiment: the lexicon applied clause by clause with negation, intensifiers, capitals,
//! exclamation, requests and the question the comment answers, then rolled up to the comment.
//!
//! How a clause is scored:
//! 1. Lexicon words and phrases are found, longest first; a phrase uses up its words, so "could not fault"
//!    (+3) is read instead of "fault" (−1).
//! 2. A word in a negator's scope that no phrase covers is flipped and softened: "not kind" is negative,
//!    "not rude" only faintly positive. "Not only", "no doubt" do not negate.
//! 3. Intensifiers before a word scale it ("very kind"; "a bit slow"); inside a negation they soften it
//!    ("not very good" is milder than "not good"). "Too" before a plain word is a complaint ("too hot").
//!    A word in capitals in a text that is not all capitals counts more.
//! 4. Word pairs from the lexicon's `[[together]]` rules: "waited" with "hours" is a complaint.
//! 5. A request ("more staff", "it would be nice to have a TV") is mildly negative, and praise words after
//!    its opening ("better parking", "would be nice") do not count as praise.
//! 6. "Nothing" and "everything" answers take their meaning from the question: "Nothing." answering
//!    "What could we do better?" is praise, answering "What was good?" a complaint. A clause with no
//!    opinion is mildly positive answering "What was good?" and a mild request answering "What could we do
//!    better?".
//! 7. The raw sum is squashed into −1..1; an exclamation mark after the clause strengthens it.
//!
//! The comment's score is the mean of its scored clauses, with a clause opened by "but", "however" or
//! "except" weighing more and the clause before it less. Labels: positive or negative beyond a threshold;
//! mixed when clearly positive and clearly negative clauses balance; otherwise neutral.

use std::ops::Range;

use chorus_core::{QuestionKind, SentimentLabel};
use chorus_text::{Token, TokenKind};

use crate::lexicon::{
    BREAK, CANCEL, CompiledLexicon, EVERYTHING, FILLER, FIRM, LEAD_IN, MODAL, MODAL_FOLLOW,
    NOTHING, OBLIGATION, OPENER, THAN, TOO,
};
use crate::patterns::{self, Doc, Sym};

/// How much a negated positive word keeps, flipped ("not kind").
const NEGATED_POSITIVE: f32 = -0.8;
/// How much a negated negative word keeps, flipped ("not rude").
const NEGATED_NEGATIVE: f32 = -0.4;
/// Softness of the squash from a raw sum to −1..1: higher needs more evidence for a strong score.
const ALPHA: f32 = 3.0;
/// Added to every scored clause answering "What was good?".
const GOOD_PRIOR: f32 = 0.8;
/// Added to every scored clause answering "What could we do better?" that is not a "nothing" answer.
const IMPROVE_PRIOR: f32 = -0.3;
/// A request's raw score.
const REQUEST: f32 = -0.8;
/// "Too" before a plain word ("too hot").
const TOO_PLAIN: f32 = -1.2;
/// "Too" before a negative word strengthens it.
const TOO_NEGATIVE: f32 = 1.3;
/// A word written in capitals in a text that is not all capitals.
const CAPITALS: f32 = 1.4;
/// An exclamation mark after the clause.
const EXCLAMATION: f32 = 1.2;
/// An emoticon such as ":)" or ":(".
const EMOTICON: f32 = 1.8;
/// The clause after "but", "however", "except" weighs this much…
const AFTER_CONTRAST: f32 = 1.5;
/// …and the clause before it this much.
const BEFORE_CONTRAST: f32 = 0.6;
/// A score at or beyond this is positive or negative.
pub(crate) const THRESHOLD: f32 = 0.15;
/// A clause at or beyond this counts as clearly positive or negative, for "mixed".
pub(crate) const CLEAR: f32 = 0.3;
/// Praise and complaint in the same clause both count, for "mixed", from this strength.
const SIDE_CLEAR: f32 = 0.75;
/// Below this overall strength, clearly positive and negative clauses make a comment mixed.
const MIXED_BELOW: f32 = 0.35;

/// How close the positive and negative parts must be for "mixed" (the smaller at least this share of the
/// larger).
const MIXED_BALANCE: f32 = 0.5;

/// Weights of the "nothing" and "everything" answers for each question kind.
fn answer_weight(kind: QuestionKind, nothing: bool) -> f32 {
    match (kind, nothing) {
        (QuestionKind::Improve, true) => 1.5,
        (QuestionKind::Improve, false) => -1.2,
        (QuestionKind::WhatWasGood, true) => -1.5,
        (QuestionKind::WhatWasGood, false) => 2.0,
        (_, true) => 0.0,
        (_, false) => 1.5,
    }
}

/// One scored clause.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClauseScore {
    /// Token range.
    pub(crate) tokens: Range<usize>,
    /// −1..1.
    pub(crate) score: f32,
    /// The clause has something to score (an opinion, an answer, a request or a question default).
    pub(crate) judged: bool,
    /// The clause asks for a change.
    pub(crate) request: bool,
    /// Sum of the absolute lexicon weights (not counting what the question alone implies).
    pub(crate) evidence: f32,
    /// Strength (0–1) of the clause's praise alone and of its complaint alone: "great doctors, terrible
    /// parking" is one clause with both.
    pub(crate) positive: f32,
    pub(crate) negative: f32,
    /// Weight in the comment's mean.
    pub(crate) weight: f32,
}

/// A comment's rolled-up sentiment with what discordance needs to know.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CommentSentiment {
    pub(crate) label: SentimentLabel,
    pub(crate) score: f32,
    pub(crate) evidence: f32,
    pub(crate) positive_clauses: u32,
    /// The strongest praise and complaint of any clause (0–1), even when outweighed within it.
    pub(crate) praise: f32,
    pub(crate) complaint: f32,
    pub(crate) negative_clauses: u32,
    pub(crate) request_clauses: u32,
}

impl Default for CommentSentiment {
    fn default() -> Self {
        CommentSentiment {
            label: SentimentLabel::Neutral,
            score: 0.0,
            evidence: 0.0,
            positive_clauses: 0,
            praise: 0.0,
            complaint: 0.0,
            negative_clauses: 0,
            request_clauses: 0,
        }
    }
}

/// One lexicon hit in a clause.
#[derive(Clone, Copy, Debug)]
struct Hit {
    start: usize,
    end: usize,
    weight: f32,
    phrase: bool,
    /// Stays an opinion inside a request: a phrase of three or more words or one opening with a negator
    /// ("keep up the good work", "couldn't be better"), unlike "better" in "better parking".
    firm: bool,
}

/// Buffers reused between comments.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scratch {
    used: Vec<bool>,
    hits: Vec<Hit>,
    emoticons: Vec<(usize, f32)>,
    /// When set, every reason is recorded here, for [`crate::CommentAnalyser::explain`].
    pub(crate) trace: Option<Vec<Reason>>,
}

/// One reason for a clause's score.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reason {
    pub(crate) clause: usize,
    pub(crate) bytes: Range<usize>,
    pub(crate) weight: f32,
    pub(crate) why: &'static str,
}

/// The label for a score, given the weight of its clearly positive and clearly negative clauses: mixed
/// when both are there, neither outweighs the other by more than [`MIXED_BALANCE`], and the score is not
/// strong. A long story that describes an illness and praises its care is positive, not mixed.
pub(crate) fn label_for(score: f32, positive: f32, negative: f32) -> SentimentLabel {
    let balanced = positive > 0.0
        && negative > 0.0
        && positive.min(negative) >= MIXED_BALANCE * positive.max(negative);
    if balanced && score.abs() < MIXED_BELOW {
        SentimentLabel::Mixed
    } else if score >= THRESHOLD {
        SentimentLabel::Positive
    } else if score <= -THRESHOLD {
        SentimentLabel::Negative
    } else if balanced {
        SentimentLabel::Mixed
    } else {
        SentimentLabel::Neutral
    }
}

fn squash(raw: f32) -> f32 {
    raw / (raw * raw + ALPHA).sqrt()
}

fn is_caps(word: &str) -> bool {
    word.len() >= 3
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || !b.is_ascii_alphabetic())
        && word.bytes().any(|b| b.is_ascii_uppercase())
}

/// Emoticons written with punctuation, which the analyzer does not keep as words.
fn find_emoticons(text: &str, out: &mut Vec<(usize, f32)>) {
    out.clear();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b':' | b';' | b'=' | b'<') {
            continue;
        }
        let mut j = i + 1;
        if b == b'<' {
            if bytes.get(j) == Some(&b'3') && bytes.get(j + 1).is_none_or(|c| !c.is_ascii_digit()) {
                out.push((i, EMOTICON));
            }
            continue;
        }
        if matches!(bytes.get(j), Some(b'-' | b'\'')) {
            j += 1;
        }
        let after = bytes.get(j + 1);
        let weight = match bytes.get(j) {
            Some(b')' | b']') => EMOTICON,
            Some(b'D') if after.is_none_or(|c| !c.is_ascii_alphanumeric()) && b != b';' => EMOTICON,
            Some(b'(' | b'[') if b != b';' => -EMOTICON,
            _ => continue,
        };
        // "(see note: )" is not a smile: need no space before a colon-based face's mouth.
        out.push((i, weight));
    }
}

/// Scores every clause of an analysed comment into `out`.
pub(crate) fn score_clauses(
    lexicon: &CompiledLexicon,
    doc: Doc<'_>,
    kind: QuestionKind,
    clauses: &[Range<usize>],
    scratch: &mut Scratch,
    out: &mut Vec<ClauseScore>,
) {
    let (text, tokens) = (doc.text, doc.tokens);
    out.clear();
    scratch.used.clear();
    scratch.used.resize(tokens.len(), false);
    find_emoticons(text, &mut scratch.emoticons);

    let (words, capitals) = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Word && t.end - t.start >= 3)
        .fold((0usize, 0usize), |(w, c), t| {
            (w + 1, c + usize::from(is_caps(&text[t.start..t.end])))
        });
    let shouting_everywhere = words > 0 && capitals * 2 > words;

    for (index, range) in clauses.iter().enumerate() {
        let next_start = clauses
            .get(index + 1)
            .map_or(text.len(), |r| tokens[r.start].start);
        let byte_start = if index == 0 {
            0
        } else {
            tokens[range.start].start
        };
        let span = ClauseSpan {
            index,
            tokens: range.clone(),
            bytes: byte_start..next_start,
        };
        let clause = score_clause(lexicon, doc, kind, scratch, span, shouting_everywhere);
        out.push(clause);
    }
    // Contrast: "lovely staff but a long wait" leans on the wait.
    for index in 0..out.len() {
        let opener = &tokens[out[index].tokens.start];
        if opener.contrast && matches!(opener.term.as_str(), "but" | "howev" | "except" | "yet") {
            out[index].weight *= AFTER_CONTRAST;
            if index > 0 {
                out[index - 1].weight *= BEFORE_CONTRAST;
            }
        }
    }
}

/// Marks which tokens are really negated: in a negator's scope, unless the negator is followed by a
/// canceller ("not only", "no doubt"), or is a "nothing" that answers on its own at the start of a clause
/// before a new sentence left unpunctuated ("Nothing they were all brilliant", "Nothing - perfect").
pub(crate) fn effective_negation(
    lexicon: &CompiledLexicon,
    text: &str,
    tokens: &[Token],
    syms: &[Sym],
    out: &mut Vec<bool>,
) {
    out.clear();
    out.resize(tokens.len(), false);
    let mut cancelled = false;
    for (i, token) in tokens.iter().enumerate() {
        if token.negator {
            cancelled = tokens.get(i + 1).is_some_and(|next| {
                let next_flags = lexicon.info(syms[i + 1]).flags;
                if next.negator {
                    return false;
                }
                if next_flags & CANCEL != 0 {
                    return true;
                }
                let opens_clause = i == 0 || tokens[i - 1].clause != token.clause;
                opens_clause
                    && lexicon.info(syms[i]).flags & NOTHING != 0
                    && next.clause == token.clause
                    && (next_flags & BREAK != 0
                        || text[token.end..next.start].contains(['-', '–', '—', '(', ',', '.']))
            });
            continue;
        }
        out[i] = token.negated && !cancelled;
    }
}

/// Whether the negator at `i` was cut off from what follows (see [`effective_negation`]).
fn breaks_after(tokens: &[Token], negated: &[bool], i: usize) -> bool {
    tokens[i].negator
        && tokens
            .get(i + 1)
            .is_some_and(|next| next.negated && !negated[i + 1] && next.clause == tokens[i].clause)
}

/// Which clause, as token and byte ranges (the bytes run to the next clause, to catch a closing "!").
struct ClauseSpan {
    index: usize,
    tokens: Range<usize>,
    bytes: Range<usize>,
}

/// What a clause's opinions add up to, as the steps of [`score_clause`] find them.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    /// The signed sum, before squashing.
    raw: f32,
    /// The sum of absolute opinion weights.
    evidence: f32,
    /// The praise and the complaint alone.
    praise: f32,
    complaint: f32,
    /// Something in the clause was an opinion (even one that ended up not counted).
    any_hit: bool,
}

impl Tally {
    /// Counts one opinion of `weight`.
    fn add(&mut self, weight: f32) {
        self.raw += weight;
        self.evidence += weight.abs();
        if weight > 0.0 {
            self.praise += weight;
        } else {
            self.complaint -= weight;
        }
    }
}

/// Where a clause's reasons go when [`CommentAnalyser::explain`](crate::CommentAnalyser::explain) asks
/// for them.
struct Notes<'a> {
    trace: &'a mut Option<Vec<Reason>>,
    clause: usize,
}

impl Notes<'_> {
    fn note(&mut self, bytes: Range<usize>, weight: f32, why: &'static str) {
        if let Some(trace) = self.trace.as_mut() {
            trace.push(Reason {
                clause: self.clause,
                bytes,
                weight,
                why,
            });
        }
    }
}

/// The bytes of tokens `from..to`.
fn token_bytes(tokens: &[Token], from: usize, to: usize) -> Range<usize> {
    tokens[from].start..tokens[to - 1].end
}

/// Scores one clause, step by step: (1) lexicon words and phrases and "too", (2) where a request starts,
/// (3) each opinion weighed by negation, intensifiers and capitals, (4) word pairs, (5) emoticons,
/// (6) "nothing" and "everything" answers, (7) what the question implies and a closing "!".
fn score_clause(
    lexicon: &CompiledLexicon,
    doc: Doc<'_>,
    kind: QuestionKind,
    scratch: &mut Scratch,
    span: ClauseSpan,
    shouting_everywhere: bool,
) -> ClauseScore {
    let Scratch {
        used,
        hits,
        emoticons,
        trace,
    } = scratch;
    let mut notes = Notes {
        trace,
        clause: span.index,
    };
    let clause = Clause {
        lexicon,
        doc,
        kind,
        range: span.tokens.clone(),
    };
    find_hits(&clause, used, hits);
    apply_too(&clause, used, hits);
    let request = find_request(&clause);
    let mut tally = Tally::default();
    weigh_hits(
        &clause,
        Weighing {
            used,
            hits,
            request: &request,
            shouting_everywhere,
        },
        &mut tally,
        &mut notes,
    );
    add_word_pairs(&clause, used, &mut tally, &mut notes);
    for &(at, weight) in emoticons.iter() {
        if span.bytes.contains(&at) {
            notes.note(at..at + 2, weight, "emoticon");
            tally.add(weight);
            tally.any_hit = true;
        }
    }
    let answered = add_answer(&clause, hits, &request, &mut tally, &mut notes);
    finish_clause(&clause, span, request, answered, tally, &mut notes)
}

/// (1) The lexicon's words and phrases in tokens `range`, longest first, into `hits` (marking their
/// tokens `used`).
fn find_hits(clause: &Clause<'_>, used: &mut [bool], hits: &mut Vec<Hit>) {
    let Clause {
        lexicon,
        doc,
        range,
        ..
    } = clause;
    let Doc {
        text, tokens, syms, ..
    } = *doc;
    hits.clear();
    let end = range.end;
    for i in range.clone() {
        if used[i] {
            continue;
        }
        let mut best: Option<(usize, f32, usize)> = None;
        for (pattern, weight) in lexicon.phrases.candidates(syms[i], &tokens[i]) {
            if best.is_some_and(|(_, _, len)| len >= pattern.elems.len()) {
                continue;
            }
            if let Some(stop) = patterns::match_at(*doc, i, end, pattern) {
                best = Some((stop, *weight, pattern.elems.len()));
            }
        }
        let exact = lexicon.exact.get(&syms[i]).and_then(|forms| {
            let word = &text[tokens[i].start..tokens[i].end];
            forms
                .iter()
                .find(|(form, _)| word.eq_ignore_ascii_case(form))
                .map(|&(_, w)| w)
        });
        let hit = match (best, exact) {
            (Some((stop, weight, len)), _) if len > 1 => Some(Hit {
                start: i,
                end: stop,
                weight,
                phrase: true,
                firm: len >= 3 || tokens[i].negator,
            }),
            (_, Some(weight)) => Some(Hit {
                start: i,
                end: i + 1,
                weight,
                phrase: false,
                firm: false,
            }),
            (Some((stop, weight, _)), None) => Some(Hit {
                start: i,
                end: stop,
                weight,
                phrase: false,
                firm: false,
            }),
            (None, None) => None,
        };
        if let Some(hit) = hit {
            used[hit.start..hit.end].iter_mut().for_each(|u| *u = true);
            hits.push(hit);
        }
    }
}

/// (1) "Too" before a plain word is a complaint; before a negative one it strengthens it.
fn apply_too(clause: &Clause<'_>, used: &mut [bool], hits: &mut Vec<Hit>) {
    let Clause {
        lexicon,
        doc,
        range,
        ..
    } = clause;
    let Doc {
        text, tokens, syms, ..
    } = *doc;
    for i in range.start..range.end.saturating_sub(1) {
        if used[i] || lexicon.info(syms[i]).flags & TOO == 0 || tokens[i + 1].stop {
            continue;
        }
        if text[tokens[i].end..tokens[i + 1].start].contains([',', '.', ';', '!', '?']) {
            continue;
        }
        if let Some(hit) = hits.iter_mut().find(|h| h.start == i + 1) {
            if hit.weight < 0.0 {
                hit.weight *= TOO_NEGATIVE;
            }
        } else if !used[i + 1] && tokens[i + 1].kind == TokenKind::Word {
            used[i + 1] = true;
            hits.push(Hit {
                start: i + 1,
                end: i + 2,
                weight: TOO_PLAIN,
                phrase: false,
                firm: false,
            });
        }
    }
}

/// Where a clause's request or hypothetical starts, if it has one.
struct Request {
    /// The first token of the request (the clause's end when there is none).
    from: usize,
    /// The clause asks for a change.
    present: bool,
    /// A negated modal ("I don't think you could have done more"): not a request but a "nothing".
    negated_modal: bool,
}

/// (2) Where a request or hypothetical starts: an opener, a modal with its follower, or a marker.
fn find_request(clause: &Clause<'_>) -> Request {
    let Clause {
        lexicon,
        doc,
        range,
        ..
    } = clause;
    let doc = *doc;
    let Doc {
        text,
        tokens,
        syms,
        negated,
        ..
    } = doc;
    let (start, end) = (range.start, range.end);
    let mut from = end;
    let mut negated_modal = false;
    for i in start..end {
        let info = lexicon.info(syms[i]);
        if info.flags & OPENER != 0 && !negated[i] {
            let word = &text[tokens[i].start..tokens[i].end];
            let next_is_than = i + 1 < end && lexicon.info(syms[i + 1]).flags & THAN != 0;
            if lexicon.is_opener(word) && !next_is_than {
                from = start;
                break;
            }
        }
        if !(tokens[i].stop && info.flags & LEAD_IN != 0) {
            break;
        }
    }
    for i in start..end.saturating_sub(1) {
        if i >= from {
            break;
        }
        if lexicon.info(syms[i]).flags & OBLIGATION != 0 && tokens[i + 1].negator {
            // "You should not have to wait 4 hours" asks for a change.
            from = i;
            break;
        }
        if lexicon.info(syms[i]).flags & MODAL != 0
            && lexicon.info(syms[i + 1]).flags & MODAL_FOLLOW != 0
            && !tokens[i + 1].negator
        {
            if negated[i] {
                negated_modal = true;
            } else {
                from = i;
            }
            break;
        }
    }
    for i in start..from.min(end) {
        if lexicon.markers.has_term_start(syms[i])
            && !negated[i]
            && lexicon
                .markers
                .candidates(syms[i], &tokens[i])
                .any(|(p, _)| patterns::match_at(doc, i, end, p).is_some())
        {
            from = i;
            break;
        }
    }
    Request {
        from,
        present: from < end,
        negated_modal,
    }
}

/// The clause [`score_clause`]'s steps work on: tokens `range` of `doc`, answering a question of kind
/// `kind`.
struct Clause<'a> {
    lexicon: &'a CompiledLexicon,
    doc: Doc<'a>,
    kind: QuestionKind,
    range: Range<usize>,
}

/// What [`weigh_hits`] reads besides the clause.
struct Weighing<'a> {
    used: &'a [bool],
    hits: &'a [Hit],
    request: &'a Request,
    shouting_everywhere: bool,
}

/// (3) Each hit weighed by negation, intensifiers and capitals; praise inside a request does not count.
fn weigh_hits(
    clause: &Clause<'_>,
    weighing: Weighing<'_>,
    tally: &mut Tally,
    notes: &mut Notes<'_>,
) {
    let Doc {
        text,
        tokens,
        syms,
        negated,
        ..
    } = clause.doc;
    let Clause { lexicon, range, .. } = clause;
    let Weighing {
        used,
        hits,
        request,
        shouting_everywhere,
    } = weighing;
    for hit in hits {
        let mut weight = hit.weight;
        if weight == 0.0 {
            // A neutral phrase ("not sure") is a judgement; a word listed at 0 only masks its stem.
            tally.any_hit |= hit.phrase;
            continue;
        }
        tally.any_hit = true;
        let first = &tokens[hit.start];
        if negated[hit.start] && !first.negator {
            weight *= if weight > 0.0 {
                NEGATED_POSITIVE
            } else {
                NEGATED_NEGATIVE
            };
        }
        let mut k = hit.start;
        let floor = hit.start.saturating_sub(3).max(range.start);
        while k > floor {
            k -= 1;
            if tokens[k].negator || (used[k] && hits.iter().any(|o| o.start <= k && k < o.end)) {
                break;
            }
            let intensity = lexicon.info(syms[k]).intensity;
            if intensity != 1.0 {
                weight *= if negated[k] {
                    1.0 / intensity
                } else {
                    intensity
                };
            }
        }
        if first.negator {
            // "not very good" is milder than "not good".
            for k in hit.start + 1..hit.end {
                let intensity = lexicon.info(syms[k]).intensity;
                if tokens[k].stop && intensity != 1.0 {
                    weight /= intensity;
                }
            }
        }
        if !shouting_everywhere
            && (hit.start..hit.end).any(|t| is_caps(&text[tokens[t].start..tokens[t].end]))
        {
            weight *= CAPITALS;
        }
        let bytes = token_bytes(tokens, hit.start, hit.end);
        if request.present
            && hit.start >= request.from
            && weight > 0.0
            && !hit.firm
            && lexicon.info(syms[hit.start]).flags & FIRM == 0
        {
            notes.note(bytes, 0.0, "praise word in a request: not counted");
            continue;
        }
        let why = if negated[hit.start] && !first.negator {
            "negated"
        } else if hit.phrase {
            "phrase"
        } else {
            "word"
        };
        notes.note(bytes, weight, why);
        tally.add(weight);
    }
}

/// (4) Word pairs: a "when" word and a "with" word of one rule anywhere in the clause.
fn add_word_pairs(clause: &Clause<'_>, used: &[bool], tally: &mut Tally, notes: &mut Notes<'_>) {
    let Clause { lexicon, range, .. } = clause;
    let Doc {
        tokens,
        syms,
        negated,
        ..
    } = clause.doc;
    for (rule, &pair_weight) in lexicon.together.iter().enumerate() {
        let bit = 1u8 << rule;
        // Prefer words outside any negation: "would not wait 5 minutes ... had to wait 2 hours" is about
        // the 2 hours.
        let mut when: Option<usize> = None;
        let mut with: Option<usize> = None;
        for i in range.clone() {
            let info = lexicon.info(syms[i]);
            let better = |current: Option<usize>| current.is_none_or(|c| negated[c] && !negated[i]);
            if info.when & bit != 0 && better(when) {
                when = Some(i);
            }
            if info.with & bit != 0 && better(with) {
                with = Some(i);
            }
        }
        if let (Some(a), Some(b)) = (when, with)
            && a != b
            && !(used[a] && used[b])
        {
            let mut weight = pair_weight;
            if negated[a] || negated[b] {
                weight *= if weight > 0.0 {
                    NEGATED_POSITIVE
                } else {
                    NEGATED_NEGATIVE
                };
            }
            notes.note(
                token_bytes(tokens, a.min(b), a.max(b) + 1),
                weight,
                "words together",
            );
            tally.add(weight);
            tally.any_hit = true;
        }
    }
}

/// (6) "Nothing" and "everything" answers: the clause's first segment (up to punctuation), made only of
/// answer words, fillers and stop words. Not after "but" ("but not all the time" is no answer). Says
/// whether the clause answered.
fn add_answer(
    clause: &Clause<'_>,
    hits: &[Hit],
    request: &Request,
    tally: &mut Tally,
    notes: &mut Notes<'_>,
) -> bool {
    let Clause {
        lexicon,
        kind,
        range,
        ..
    } = clause;
    let kind = *kind;
    let Doc {
        text,
        tokens,
        syms,
        negated,
        ..
    } = clause.doc;
    let (start, end) = (range.start, range.end);
    let mut answered = false;
    let mut segment_end = start;
    while segment_end < end {
        segment_end += 1;
        if segment_end == end
            || text[tokens[segment_end - 1].end..tokens[segment_end].start]
                .contains([',', '.', ';', ':', '!', '?', '-', '(', '–', '—'])
            || breaks_after(tokens, negated, segment_end - 1)
        {
            break;
        }
    }
    if !tokens[start].contrast {
        let (mut nothing, mut everything, mut other) = (0, 0, 0);
        for t in start..segment_end {
            let flags = lexicon.info(syms[t]).flags;
            if flags & NOTHING != 0 && tokens[t].kind == TokenKind::Word {
                nothing += 1;
            } else if flags & EVERYTHING != 0 {
                everything += 1;
            } else if !(tokens[t].stop || flags & FILLER != 0) {
                other += 1;
            }
        }
        let opinion_inside = hits
            .iter()
            .any(|h| h.start < segment_end && h.weight != 0.0);
        let is_nothing = if nothing > 0 && everything > 0 {
            kind == QuestionKind::Improve
        } else {
            nothing > 0
        };
        // "No, everything was fine" answering "What was good?" is not a complaint.
        let whole_clause = segment_end == end;
        if other == 0
            && nothing + everything > 0
            && (is_nothing || !opinion_inside)
            && (whole_clause || !(is_nothing && kind == QuestionKind::WhatWasGood))
        {
            let weight = answer_weight(kind, is_nothing);
            let why = if is_nothing {
                "\"nothing\" answer to this question"
            } else {
                "\"everything\" answer to this question"
            };
            notes.note(token_bytes(tokens, start, segment_end), weight, why);
            tally.raw += weight;
            answered = true;
        }
    }
    if request.negated_modal && kind == QuestionKind::Improve && !answered {
        let weight = answer_weight(kind, true);
        notes.note(
            token_bytes(tokens, start, end),
            weight,
            "nothing could be better, answering what could be better",
        );
        tally.raw += weight;
        answered = true;
    }
    answered
}

/// (7) What the question implies of a clause without an opinion, its lean, and a closing "!".
fn finish_clause(
    clause: &Clause<'_>,
    span: ClauseSpan,
    request: Request,
    answered: bool,
    tally: Tally,
    notes: &mut Notes<'_>,
) -> ClauseScore {
    let kind = clause.kind;
    let Doc { text, tokens, .. } = clause.doc;
    let (start, end) = (span.tokens.start, span.tokens.end);
    let mut raw = tally.raw;
    let has_content = (start..end).any(|i| !tokens[i].stop);
    let mut judged = tally.any_hit || answered;
    let mut is_request = false;
    if request.present {
        notes.note(
            token_bytes(tokens, request.from, end),
            REQUEST,
            "request or suggestion",
        );
        raw += REQUEST;
        judged = true;
        is_request = true;
    } else if !judged && has_content {
        match kind {
            QuestionKind::Improve => {
                notes.note(
                    token_bytes(tokens, start, end),
                    REQUEST,
                    "no opinion, answering what could be better",
                );
                raw += REQUEST;
                judged = true;
                is_request = true;
            }
            QuestionKind::WhatWasGood => {
                notes.note(
                    token_bytes(tokens, start, end),
                    0.8,
                    "no opinion, answering what was good",
                );
                raw += 0.8;
                judged = true;
            }
            QuestionKind::Why | QuestionKind::Other => {}
        }
    }
    // What the question leans towards: answers to "What was good?" are praise unless they say otherwise,
    // answers to "What could we do better?" mild criticism.
    if has_content && judged {
        match kind {
            QuestionKind::WhatWasGood => raw += GOOD_PRIOR,
            QuestionKind::Improve if !answered && raw != 0.0 => raw += IMPROVE_PRIOR,
            _ => {}
        }
    }
    let after = text.get(tokens[end - 1].end..span.bytes.end).unwrap_or("");
    if after.trim_start().starts_with('!') {
        notes.note(
            token_bytes(tokens, end - 1, end),
            EXCLAMATION,
            "exclamation mark (multiplies)",
        );
        raw *= EXCLAMATION;
    }
    ClauseScore {
        tokens: span.tokens,
        score: squash(raw),
        judged,
        request: is_request,
        evidence: tally.evidence,
        positive: squash(tally.praise),
        negative: squash(tally.complaint),
        weight: 1.0,
    }
}

/// Rolls clause scores up to the comment.
pub(crate) fn roll_up(clauses: &[ClauseScore]) -> CommentSentiment {
    let mut out = CommentSentiment::default();
    let mut masses = Masses::default();
    for clause in clauses.iter().filter(|c| c.judged) {
        masses.add(clause);
        out.evidence += clause.evidence;
        out.praise = out.praise.max(clause.positive);
        out.complaint = out.complaint.max(clause.negative);
        if clause.score >= CLEAR {
            out.positive_clauses += 1;
        } else if clause.score <= -CLEAR {
            out.negative_clauses += 1;
        }
        if clause.request {
            out.request_clauses += 1;
        }
    }
    (out.label, out.score) = masses.label();
    out
}

/// Running sums for a weighted mean and the weight of each side.
#[derive(Default)]
struct Masses {
    sum: f32,
    weights: f32,
    positive: f32,
    negative: f32,
}

impl Masses {
    fn add(&mut self, clause: &ClauseScore) {
        self.sum += clause.score * clause.weight;
        self.weights += clause.weight;
        // Within one clause, only strong praise beside strong complaint counts as both.
        let side = |x: f32| if x >= SIDE_CLEAR { x } else { 0.0 };
        let (praise, complaint) = if clause.score >= CLEAR {
            (clause.score.max(clause.positive), side(clause.negative))
        } else if clause.score <= -CLEAR {
            (side(clause.positive), (-clause.score).max(clause.negative))
        } else {
            (side(clause.positive), side(clause.negative))
        };
        if praise >= CLEAR {
            self.positive += praise * clause.weight;
        }
        if complaint >= CLEAR {
            self.negative += complaint * clause.weight;
        }
    }

    fn label(&self) -> (SentimentLabel, f32) {
        let score = if self.weights > 0.0 {
            (self.sum / self.weights).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        (label_for(score, self.positive, self.negative), score)
    }
}

/// Sentiment of a subset of clauses (a touchpoint's or a theme's), as (label, score).
pub(crate) fn roll_up_some<'a>(
    clauses: impl Iterator<Item = &'a ClauseScore>,
) -> (SentimentLabel, f32) {
    let mut masses = Masses::default();
    for clause in clauses.filter(|c| c.judged) {
        masses.add(clause);
    }
    masses.label()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoticons_are_found_but_not_times_or_notes() {
        let mut out = Vec::new();
        for (text, expected) in [
            ("great :) thanks", vec![EMOTICON]),
            ("awful :-( ", vec![-EMOTICON]),
            ("seen at 10:30", vec![]),
            ("Note:Dr Smith", vec![]),
            ("fab :D", vec![EMOTICON]),
            ("love <3", vec![EMOTICON]),
            ("wink ;)", vec![EMOTICON]),
        ] {
            find_emoticons(text, &mut out);
            let weights: Vec<f32> = out.iter().map(|&(_, w)| w).collect();
            assert_eq!(weights, expected, "{text:?}");
        }
    }

    #[test]
    fn labels_follow_thresholds_and_balance() {
        assert_eq!(label_for(0.5, 1.0, 0.0), SentimentLabel::Positive);
        assert_eq!(label_for(-0.5, 0.0, 1.0), SentimentLabel::Negative);
        assert_eq!(label_for(0.1, 1.0, 0.8), SentimentLabel::Mixed);
        assert_eq!(label_for(0.3, 3.0, 0.5), SentimentLabel::Positive);
        assert_eq!(label_for(0.05, 0.0, 0.0), SentimentLabel::Neutral);
    }
}
