//! What a discovered theme is called and how it is shown: key phrases and quotes.
//!
//! **Key phrases** are the stems and two-word phrases that mark a theme off from the rest: scored by
//! p(phrase | theme) · ln(p(phrase | theme) / p(phrase)), a term of the KL divergence of the theme from
//! all comments, which needs a phrase to be both common in the theme and rarer elsewhere. Counts are of
//! comments, not words, so one long story cannot make a theme's label. Each phrase is shown in its most
//! frequent written form ("park" → "parking", "car park").
//!
//! **The name** is a phrase a person would write: the theme's most distinctive two-word phrase (with
//! the stop words written between: "waiting for hours") found in at least 5 % of its comments, else a
//! word found in a quarter of them, else none ("unnamed group 7"); never a phrase of words that say
//! nothing alone ("nothing else"), and never the name of a larger theme.
//!
//! **Quotes** are 3–5 short comments (or, from a long comment, its sentence closest to the theme) chosen
//! by maximal marginal relevance: close to the centroid, and unlike the quotes already chosen (Jaccard
//! over stems), so the list shows the theme's range rather than five wordings of one comment.

use chorus_text::Tokens;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::DocTexts;
use super::content::{is_redaction_mark, says_nothing};
use super::corpus::{Corpus, Reader};
use super::sif::Embedder;

/// Key phrases kept per theme.
const KEY_PHRASES: usize = 8;
/// Fewest of a theme's comments a two-word phrase must be found in to name it.
const NAME_SHARE: f64 = 0.05;
/// Fewest of a theme's comments a single word must be found in to name it.
const NAME_WORD_SHARE: f64 = 0.25;
/// Candidate names kept per theme (a larger theme may have taken the first).
const NAMES: usize = 5;
/// Most quotes per theme.
const QUOTES: usize = 5;
/// Fewest quotes wanted per theme (when the theme has that many usable comments).
const MIN_QUOTES: usize = 3;
/// Longest quote, in characters, before a long comment is represented by one of its sentences.
const QUOTE_CHARS: usize = 200;
/// Fewest known words in a quote: "Good." says nothing about a theme.
const QUOTE_WORDS: usize = 2;
/// Distinct quote candidates gathered, closest to the centroid first, before choosing.
const CANDIDATES: usize = 60;
/// Most members read while gathering them (a theme of one-word answers may need many).
const SCANNED: usize = 5_000;
/// Weight of closeness to the centroid against difference from the quotes chosen so far.
const MMR_LAMBDA: f32 = 0.7;
/// Quotes sharing more than this fraction of their stems count as the same quote.
const NEAR_DUPLICATE: f32 = 0.6;
/// Most stop words between the two words of a two-word phrase ("waiting *for* hours").
const PHRASE_GAP: usize = 2;

/// A cluster to describe: its members (doc index and cosine with the centroid, most similar first) and
/// its centroid.
pub(crate) struct Cluster {
    pub(crate) members: Vec<(usize, f32)>,
    pub(crate) centroid: Vec<f32>,
}

/// A theme's description.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Description {
    pub(crate) label: String,
    pub(crate) key_phrases: Vec<String>,
    /// Candidate names, best first, in their written forms.
    pub(crate) names: Vec<String>,
    pub(crate) quotes: Vec<String>,
}

/// A unigram or bigram of vocabulary ids, as one key: `a << 32 | b`, with `b = UNIGRAM` for one word.
type Phrase = u64;
const UNIGRAM: u64 = 0xFFFF_FFFF;

fn unigram(a: u32) -> Phrase {
    u64::from(a) << 32 | UNIGRAM
}

fn bigram(a: u32, b: u32) -> Phrase {
    u64::from(a) << 32 | u64::from(b)
}

fn words(p: Phrase) -> (u32, Option<u32>) {
    let b = p & UNIGRAM;
    ((p >> 32) as u32, (b != UNIGRAM).then_some(b as u32))
}

/// Calls `f` with each phrase of a text that may name a theme, and the byte range it covers: each word
/// discovery reads, and each pair of such words that follow one another in a clause with at most
/// [`PHRASE_GAP`] stop words and no punctuation between them ("car park", "waiting for hours", not
/// "nothing. good").
fn for_each_phrase(
    text: &str,
    terms: &[(u32, usize)],
    tokens: &Tokens,
    mut f: impl FnMut(Phrase, usize, usize),
) {
    for (i, &(a, ta)) in terms.iter().enumerate() {
        let first = &tokens[ta];
        f(unigram(a), first.start, first.end);
        let Some(&(b, tb)) = terms.get(i + 1) else {
            continue;
        };
        let second = &tokens[tb];
        let joined = a != b
            && first.clause == second.clause
            && tb - ta <= PHRASE_GAP + 1
            && tokens[ta + 1..tb].iter().all(|t| t.stop)
            && !text[first.end..second.start]
                .contains(|c: char| c.is_ascii_punctuation() && !matches!(c, '-' | '\'' | '&'));
        if joined {
            f(bigram(a, b), first.start, second.end);
        }
    }
}

/// Describes every cluster: key phrases, label and quotes.
pub(crate) fn describe(
    texts: &dyn DocTexts,
    corpus: &Corpus,
    embedder: &Embedder<'_>,
    clusters: &[Cluster],
) -> Vec<Description> {
    let vocabulary = corpus.lookup();
    let new_reader = || (Reader::new(&vocabulary), Vec::new());
    // Comment counts of every phrase per cluster (integers, so the overall sum is order-free).
    let per_cluster: Vec<FxHashMap<Phrase, u32>> = clusters
        .par_iter()
        .map_init(new_reader, |(reader, terms), cluster| {
            let mut counts: FxHashMap<Phrase, u32> = FxHashMap::default();
            let mut seen: Vec<Phrase> = Vec::new();
            for &(doc, _) in &cluster.members {
                let text = texts.text(doc);
                let text = &*text;
                reader.read(text, terms);
                seen.clear();
                for_each_phrase(text, terms, reader.tokens(), |p, _, _| seen.push(p));
                seen.sort_unstable();
                seen.dedup();
                for &p in &seen {
                    *counts.entry(p).or_insert(0) += 1;
                }
            }
            counts
        })
        .collect();
    let mut overall: FxHashMap<Phrase, u32> = FxHashMap::default();
    for counts in &per_cluster {
        for (&p, &c) in counts {
            *overall.entry(p).or_insert(0) += c;
        }
    }
    let total_docs: usize = clusters.iter().map(|c| c.members.len()).sum();
    // "not", "nothing" or "improve" alone says nothing about a theme ("not told", "no complaints" or
    // "improve parking" does), and nor does "xxxx", the mark some exports leave where they removed a
    // name.
    let says_nothing: Vec<bool> = corpus.terms.iter().map(|t| says_nothing(t)).collect();
    clusters
        .par_iter()
        .zip(&per_cluster)
        .map_init(new_reader, |(reader, terms), (cluster, counts)| {
            let phrases = key_phrases(
                cluster.members.len(),
                counts,
                &overall,
                total_docs,
                &says_nothing,
            );
            let names = name_phrases(
                &corpus.terms,
                cluster.members.len(),
                counts,
                &overall,
                total_docs,
                &says_nothing,
            );
            let wanted: Vec<Phrase> = phrases.iter().chain(&names).copied().collect();
            let mut forms = written_forms(reader, terms, texts, cluster, &wanted, corpus);
            // A name is a phrase people wrote: its written form itself must be in enough comments
            // ("staff very helpful" is one form of the phrase "staff helpful", maybe a rare one).
            let least = (NAME_SHARE * cluster.members.len() as f64).ceil() as u32;
            let names = forms
                .split_off(phrases.len())
                .into_iter()
                .filter(|(_, count)| *count >= least)
                .map(|(form, _)| form)
                .collect();
            let forms = forms.into_iter().map(|(form, _)| form).collect();
            let quotes = quotes(reader, terms, texts, cluster, embedder);
            Description {
                label: String::new(),
                key_phrases: forms,
                names,
                quotes,
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .enumerate()
        .scan(FxHashSet::default(), |used, (id, mut d)| {
            d.label = label(id, &d.names, used);
            Some(d)
        })
        .collect()
}

/// A theme's name: its first candidate phrase not already the name of a larger theme, with a capital
/// letter ("Car park"), or "unnamed group N" (N its id) when it has none.
fn label(id: usize, names: &[String], used: &mut FxHashSet<String>) -> String {
    for name in names {
        if used.insert(name.clone()) {
            let mut chars = name.chars();
            return chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            });
        }
    }
    format!("unnamed group {id}")
}

/// The phrases that could name a cluster of `size` comments, best first: the two-word phrases (with
/// the stop words between them as written: "waiting for hours") found in at least [`NAME_SHARE`] of its
/// comments, then the single words found in at least [`NAME_WORD_SHARE`], ranked as key phrases are
/// (common in the theme and rarer elsewhere). A phrase must name something and end on it: its last
/// word says something alone ("not told", not "staff not" nor "nothing else"), and no word of it is a
/// redaction mark.
fn name_phrases(
    terms: &[String],
    size: usize,
    counts: &FxHashMap<Phrase, u32>,
    overall: &FxHashMap<Phrase, u32>,
    total_docs: usize,
    says_nothing: &[bool],
) -> Vec<Phrase> {
    let nothing = |id: u32| says_nothing.get(id as usize).copied().unwrap_or(true);
    let redacted = |id: u32| terms.get(id as usize).is_none_or(|t| is_redaction_mark(t));
    let least = |share: f64| ((share * size as f64).ceil() as u32).max(2.min(size as u32));
    let (phrase_least, word_least) = (least(NAME_SHARE), least(NAME_WORD_SHARE));
    let mut scored: Vec<(bool, f64, Phrase)> = counts
        .iter()
        .filter(|&(&p, &c)| match words(p) {
            (a, Some(b)) => c >= phrase_least && !nothing(b) && !redacted(a),
            (a, None) => c >= word_least && !nothing(a),
        })
        .map(|(&p, &c)| {
            let score = distinctiveness(c, size, overall[&p], total_docs);
            (words(p).1.is_none(), score, p)
        })
        .filter(|&(_, score, _)| score > 0.0)
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    scored.into_iter().take(NAMES).map(|(_, _, p)| p).collect()
}

/// How well a phrase in `count` of a cluster's `size` comments (and `everywhere` of all `total`)
/// marks the cluster off: p(phrase | theme) · ln(p(phrase | theme) / p(phrase)), plus a small frequency
/// term that orders phrases when there is nothing to contrast with (one theme).
fn distinctiveness(count: u32, size: usize, everywhere: u32, total: usize) -> f64 {
    let in_cluster = f64::from(count) / size as f64;
    let overall = f64::from(everywhere) / total as f64;
    in_cluster * (in_cluster / overall).ln() + 1e-6 * in_cluster
}

/// The most distinctive phrases of a cluster of `size` comments, best first, without redundancy: a word
/// already inside a chosen phrase is skipped, and so is a phrase both of whose words were chosen. A word
/// that names nothing alone (`says_nothing[id]`: a negator, a redaction mark) counts only inside a
/// two-word phrase.
fn key_phrases(
    size: usize,
    counts: &FxHashMap<Phrase, u32>,
    overall: &FxHashMap<Phrase, u32>,
    total_docs: usize,
    says_nothing: &[bool],
) -> Vec<Phrase> {
    // A phrase must recur to name a theme; in a tiny theme, twice is enough.
    let min_count = if size >= 50 { 3 } else { 2.min(size as u32) };
    let mut scored: Vec<(f64, Phrase)> = counts
        .iter()
        .filter(|&(_, &c)| c >= min_count)
        .map(|(&p, &c)| (distinctiveness(c, size, overall[&p], total_docs), p))
        .filter(|&(score, _)| score > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<Phrase> = Vec::new();
    let mut chosen_words: FxHashSet<u32> = FxHashSet::default();
    let mut in_bigrams: FxHashSet<u32> = FxHashSet::default();
    for (_, p) in scored {
        match words(p) {
            (a, None) => {
                if in_bigrams.contains(&a) || says_nothing.get(a as usize).copied().unwrap_or(false)
                {
                    continue;
                }
                chosen_words.insert(a);
            }
            (a, Some(b)) => {
                if chosen_words.contains(&a) && chosen_words.contains(&b) {
                    continue;
                }
                in_bigrams.insert(a);
                in_bigrams.insert(b);
            }
        }
        chosen.push(p);
        if chosen.len() == KEY_PHRASES {
            break;
        }
    }
    chosen
}

/// Each phrase in its most frequent written form among the cluster's comments (ties: the alphabetically
/// first), lowercased, with how many times that form was written.
fn written_forms(
    reader: &mut Reader<'_>,
    terms: &mut Vec<(u32, usize)>,
    texts: &dyn DocTexts,
    cluster: &Cluster,
    phrases: &[Phrase],
    corpus: &Corpus,
) -> Vec<(String, u32)> {
    let wanted: FxHashSet<Phrase> = phrases.iter().copied().collect();
    let mut forms: FxHashMap<Phrase, FxHashMap<String, u32>> = FxHashMap::default();
    // Each form once per comment: the count is of comments that wrote it.
    let mut in_doc: FxHashSet<(Phrase, String)> = FxHashSet::default();
    for &(doc, _) in &cluster.members {
        let text = texts.text(doc);
        let text = &*text;
        reader.read(text, terms);
        in_doc.clear();
        for_each_phrase(text, terms, reader.tokens(), |p, start, end| {
            if wanted.contains(&p) {
                in_doc.insert((p, surface(&text[start..end])));
            }
        });
        for (p, form) in in_doc.drain() {
            *forms.entry(p).or_default().entry(form).or_insert(0) += 1;
        }
    }
    phrases
        .iter()
        .map(|&p| {
            forms
                .get(&p)
                .and_then(|f| {
                    f.iter()
                        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                        .map(|(s, n)| (s.clone(), *n))
                })
                .unwrap_or_else(|| {
                    // Every counted phrase was seen in a member; stems are a safe fallback all the same.
                    let (a, b) = words(p);
                    let mut s = corpus.terms[a as usize].clone();
                    if let Some(b) = b {
                        s.push(' ');
                        s.push_str(&corpus.terms[b as usize]);
                    }
                    (s, 0)
                })
        })
        .collect()
}

/// A quote candidate.
struct Candidate {
    text: String,
    stems: Vec<u32>,
    similarity: f32,
}

/// 3–5 short, representative, diverse quotes.
fn quotes(
    reader: &mut Reader<'_>,
    terms: &mut Vec<(u32, usize)>,
    texts: &dyn DocTexts,
    cluster: &Cluster,
    embedder: &Embedder<'_>,
) -> Vec<String> {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut fallback: Vec<Candidate> = Vec::new();
    let mut vector = vec![0f32; embedder.dim()];
    // Candidates differ in their words, not just in case or punctuation ("Nothing." and "nothing!!").
    let mut seen: FxHashSet<Vec<u32>> = FxHashSet::default();
    let stems = |reader: &mut Reader<'_>, terms: &mut Vec<(u32, usize)>, text: &str| {
        reader.read(text, terms);
        sorted_unique(terms.iter().map(|t| t.0).collect())
    };
    for &(doc, similarity) in cluster.members.iter().take(SCANNED) {
        if candidates.len() >= CANDIDATES {
            break;
        }
        let text = texts.text(doc);
        let text = tidy(&text);
        if text.chars().count() <= QUOTE_CHARS {
            let stems = stems(reader, terms, &text);
            if !stems.is_empty() && seen.insert(stems.clone()) {
                let candidate = Candidate {
                    stems,
                    text,
                    similarity,
                };
                if candidate.stems.len() >= QUOTE_WORDS {
                    candidates.push(candidate);
                } else {
                    fallback.push(candidate);
                }
            }
            continue;
        }
        // A long comment: its sentence closest to the theme.
        let mut best: Option<Candidate> = None;
        for sentence in sentences(&text) {
            if sentence.chars().count() > QUOTE_CHARS {
                continue;
            }
            reader.read(sentence, terms);
            let ids: Vec<u32> = terms.iter().map(|t| t.0).collect();
            if ids.len() < QUOTE_WORDS || !embedder.embed(&ids, &mut vector) {
                continue;
            }
            let s: f32 = vector
                .iter()
                .zip(&cluster.centroid)
                .map(|(a, b)| a * b)
                .sum();
            if best.as_ref().is_none_or(|b| s > b.similarity) {
                best = Some(Candidate {
                    text: sentence.to_owned(),
                    stems: sorted_unique(ids),
                    similarity: s,
                });
            }
        }
        if let Some(b) = best
            && seen.insert(b.stems.clone())
        {
            candidates.push(b);
        }
    }
    if candidates.len() < MIN_QUOTES {
        candidates.extend(fallback);
    }
    select(candidates)
}

fn sorted_unique(mut ids: Vec<u32>) -> Vec<u32> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Maximal marginal relevance: repeatedly take the candidate with the best trade-off between closeness
/// to the theme and difference from the quotes already taken, skipping near-duplicates.
fn select(mut candidates: Vec<Candidate>) -> Vec<String> {
    let mut chosen: Vec<Candidate> = Vec::new();
    while chosen.len() < QUOTES && !candidates.is_empty() {
        let mut best: Option<(f32, usize)> = None;
        for (i, c) in candidates.iter().enumerate() {
            let overlap = chosen
                .iter()
                .map(|q| jaccard(&c.stems, &q.stems))
                .fold(0f32, f32::max);
            if overlap > NEAR_DUPLICATE {
                continue;
            }
            let score = MMR_LAMBDA * c.similarity - (1.0 - MMR_LAMBDA) * overlap;
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        let Some((_, i)) = best else { break };
        chosen.push(candidates.swap_remove(i));
        // swap_remove reorders; ties are broken by position, so restore a stable order for determinism.
        candidates.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.text.cmp(&b.text))
        });
    }
    chosen.into_iter().map(|c| c.text).collect()
}

/// |a ∩ b| / |a ∪ b| of two sorted, distinct lists.
fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f32 / union as f32
    }
}

/// A written form for display: lowercase, one space between words.
fn surface(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The text on one line: runs of white space (new lines included) become one space.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sentences of a tidied text: split after `.`, `!` or `?` followed by a space.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .char_indices()
            .zip(rest.char_indices().skip(1))
            .find(|((_, c), (_, next))| matches!(c, '.' | '!' | '?') && *next == ' ')
            .map_or(rest.len(), |((_, _), (at, _))| at);
        let (sentence, after) = rest.split_at(cut);
        rest = after.trim_start();
        Some(sentence.trim())
    })
    .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_end_marks() {
        let s: Vec<&str> = sentences("Parking was dear. Staff lovely! Why? 3.5 hours").collect();
        assert_eq!(
            s,
            ["Parking was dear.", "Staff lovely!", "Why?", "3.5 hours"]
        );
        assert_eq!(sentences("").count(), 0);
    }

    #[test]
    fn jaccard_of_sorted_lists() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
    }

    #[test]
    fn mmr_skips_near_duplicates() {
        let c = |text: &str, stems: Vec<u32>, similarity| Candidate {
            text: text.to_owned(),
            stems,
            similarity,
        };
        let chosen = select(vec![
            c("a", vec![1, 2, 3], 0.9),
            c("a again", vec![1, 2, 3], 0.89),
            c("b", vec![4, 5, 6], 0.5),
        ]);
        assert_eq!(chosen, ["a", "b"]);
    }

    #[test]
    fn a_negator_names_a_theme_only_inside_a_phrase() {
        // Ids: 0 "not", 1 "told", 2 "call"; the cluster is half of 100 comments, and every phrase in it
        // is twice as common there as overall.
        let says_nothing = [true, false, false];
        let counts: FxHashMap<Phrase, u32> = [
            (unigram(0), 40),
            (unigram(1), 30),
            (unigram(2), 20),
            (bigram(0, 1), 25),
        ]
        .into_iter()
        .collect();
        let overall: FxHashMap<Phrase, u32> = counts.iter().map(|(&p, &c)| (p, c)).collect();
        let chosen = key_phrases(50, &counts, &overall, 100, &says_nothing);
        assert!(!chosen.contains(&unigram(0)), "`not` alone");
        assert!(chosen.contains(&bigram(0, 1)), "`not told`");
        assert!(chosen.contains(&unigram(2)));
    }

    #[test]
    fn tidy_and_surface_collapse_white_space() {
        assert_eq!(tidy(" Car\n park  fees "), "Car park fees");
        assert_eq!(surface("Car \n Park"), "car park");
    }
}
