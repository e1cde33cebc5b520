//! Docs as sequences of vocabulary ids, read with the shared analyzer.
//!
//! Discovery sees the words search sees (`chorus_text::Analyzer::english`): stems, without stop words
//! (they carry topic only by accident, and dropping them lets the ±5-word windows of the word vectors
//! reach further) and without numbers ("4 hours" is about the hours). Negators ("not", "never",
//! "nothing") stay as words of their own, and the words they govern are left unmarked. Both choices were
//! measured on the labelled v6 comments at 60 themes: marking negated words (`not_listen`) lowered the
//! agreement with the human labels from NMI 0.364 to 0.350, as it splits every word's counts in two on
//! ~20,000 comments; keeping stop words lowered it to 0.326.
//!
//! The vocabulary keeps the words seen often enough to earn a meaningful vector.

use chorus_text::{Analyzer, TokenKind, Tokens};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::DiscoverDoc;

/// Docs per parallel chunk. Any size gives the same result (counts are integers and the vocabulary is
/// sorted by count and term); this one keeps per-chunk dictionaries small.
const CHUNK_DOCS: usize = 2048;

/// The vocabulary, and the in-vocabulary term ids of the docs discovery learns from (a sample, on large
/// inputs: the other docs are read once, while they are assigned, and never stored).
#[derive(Debug, Default)]
pub(crate) struct Corpus {
    /// Terms by id, most frequent first.
    pub(crate) terms: Vec<String>,
    /// How often each term occurs in the analysed docs.
    pub(crate) counts: Vec<u64>,
    /// Sum of `counts`.
    pub(crate) total: u64,
    /// The input index of each analysed doc (a row), increasing.
    docs: Vec<usize>,
    offsets: Vec<usize>,
    ids: Vec<u32>,
}

/// Calls `f` with each term discovery reads in the analysed `tokens`, and the term's index in `tokens`.
pub(crate) fn for_each_term<'t>(tokens: &'t Tokens, mut f: impl FnMut(&'t str, usize)) {
    for (index, t) in tokens.iter().enumerate() {
        if !t.stop && t.kind != TokenKind::Number {
            f(&t.term, index);
        }
    }
}

/// One chunk's analysis: its own dictionary, and its docs as ids into it.
struct ChunkTerms {
    dictionary: Vec<String>,
    counts: Vec<u64>,
    lengths: Vec<u32>,
    ids: Vec<u32>,
}

impl Corpus {
    /// Analyses the docs `which` (input indices, increasing) and keeps the terms seen at least
    /// `min_count` times, at most `max_terms` of them (the most frequent, ties broken by the term so the
    /// vocabulary is deterministic).
    pub(crate) fn build(
        docs: &[DiscoverDoc<'_>],
        which: Vec<usize>,
        min_count: u64,
        max_terms: usize,
    ) -> Corpus {
        debug_assert!(which.windows(2).all(|w| w[0] < w[1]));
        let chunks: Vec<ChunkTerms> = which
            .par_chunks(CHUNK_DOCS)
            .map_init(
                || (Analyzer::english(), Tokens::new()),
                |(analyzer, tokens), chunk| {
                    let mut index: FxHashMap<String, u32> = FxHashMap::default();
                    let mut out = ChunkTerms {
                        dictionary: Vec::new(),
                        counts: Vec::new(),
                        lengths: Vec::with_capacity(chunk.len()),
                        ids: Vec::new(),
                    };
                    for &doc in chunk {
                        analyzer.analyze_into(docs[doc].text, tokens);
                        let before = out.ids.len();
                        for_each_term(tokens, |t, _| {
                            let id = match index.get(t) {
                                Some(&id) => id,
                                None => {
                                    let id = out.dictionary.len() as u32;
                                    index.insert(t.to_owned(), id);
                                    out.dictionary.push(t.to_owned());
                                    out.counts.push(0);
                                    id
                                }
                            };
                            out.counts[id as usize] += 1;
                            out.ids.push(id);
                        });
                        out.lengths.push((out.ids.len() - before) as u32);
                    }
                    out
                },
            )
            .collect();

        // Merge the chunk dictionaries (integer counts: the order does not matter).
        let mut global: FxHashMap<&str, u32> = FxHashMap::default();
        let mut all_terms: Vec<&str> = Vec::new();
        let mut all_counts: Vec<u64> = Vec::new();
        let mut to_global: Vec<Vec<u32>> = Vec::with_capacity(chunks.len());
        for chunk in &chunks {
            let mut map = Vec::with_capacity(chunk.dictionary.len());
            for (term, &count) in chunk.dictionary.iter().zip(&chunk.counts) {
                let id = *global.entry(term.as_str()).or_insert_with(|| {
                    all_terms.push(term.as_str());
                    all_counts.push(0);
                    (all_terms.len() - 1) as u32
                });
                all_counts[id as usize] += count;
                map.push(id);
            }
            to_global.push(map);
        }
        let mut kept: Vec<u32> = (0..all_terms.len() as u32)
            .filter(|&g| all_counts[g as usize] >= min_count.max(1))
            .collect();
        kept.sort_by(|&a, &b| {
            all_counts[b as usize]
                .cmp(&all_counts[a as usize])
                .then_with(|| all_terms[a as usize].cmp(all_terms[b as usize]))
        });
        kept.truncate(max_terms);
        let mut final_id = vec![u32::MAX; all_terms.len()];
        for (new, &g) in kept.iter().enumerate() {
            final_id[g as usize] = new as u32;
        }

        let mut corpus = Corpus {
            terms: kept
                .iter()
                .map(|&g| all_terms[g as usize].to_owned())
                .collect(),
            counts: kept.iter().map(|&g| all_counts[g as usize]).collect(),
            total: 0,
            offsets: Vec::with_capacity(which.len() + 1),
            docs: which,
            ids: Vec::new(),
        };
        corpus.total = corpus.counts.iter().sum();
        corpus.offsets.push(0);
        for (chunk, map) in chunks.iter().zip(&to_global) {
            let mut at = 0usize;
            for &len in &chunk.lengths {
                for &local in &chunk.ids[at..at + len as usize] {
                    let id = final_id[map[local as usize] as usize];
                    if id != u32::MAX {
                        corpus.ids.push(id);
                    }
                }
                at += len as usize;
                corpus.offsets.push(corpus.ids.len());
            }
        }
        corpus
    }

    /// Row `row`'s in-vocabulary term ids, in text order.
    pub(crate) fn ids(&self, row: usize) -> &[u32] {
        &self.ids[self.offsets[row]..self.offsets[row + 1]]
    }

    /// The input index of row `row`.
    pub(crate) fn doc_of(&self, row: usize) -> usize {
        self.docs[row]
    }

    /// The row of input doc `doc`, if it was analysed.
    pub(crate) fn row_of(&self, doc: usize) -> Option<usize> {
        self.docs.binary_search(&doc).ok()
    }

    /// A corpus with only term counts, for tests of what depends on them alone.
    #[cfg(test)]
    pub(crate) fn from_counts(counts: Vec<u64>) -> Corpus {
        Corpus {
            total: counts.iter().sum(),
            terms: (0..counts.len()).map(|i| format!("w{i}")).collect(),
            counts,
            ..Corpus::default()
        }
    }

    /// A term → id map, to read docs that were not analysed here.
    pub(crate) fn lookup(&self) -> FxHashMap<&str, u32> {
        self.terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect()
    }
}

/// Reads texts into in-vocabulary term ids as [`Corpus::build`] does: for the docs not analysed there,
/// and for labels and quotes.
pub(crate) struct Reader<'v> {
    analyzer: Analyzer,
    tokens: Tokens,
    vocabulary: &'v FxHashMap<&'v str, u32>,
}

impl<'v> Reader<'v> {
    /// A reader of the vocabulary `vocabulary` (from [`Corpus::lookup`]).
    pub(crate) fn new(vocabulary: &'v FxHashMap<&'v str, u32>) -> Reader<'v> {
        Reader {
            analyzer: Analyzer::english(),
            tokens: Tokens::new(),
            vocabulary,
        }
    }

    /// The in-vocabulary terms of `text` into `out`, each with the index of its token in
    /// [`Reader::tokens`] (for offsets and clauses).
    pub(crate) fn read(&mut self, text: &str, out: &mut Vec<(u32, usize)>) {
        out.clear();
        self.analyzer.analyze_into(text, &mut self.tokens);
        let vocabulary = self.vocabulary;
        for_each_term(&self.tokens, |t, index| {
            if let Some(&id) = vocabulary.get(t) {
                out.push((id, index));
            }
        });
    }

    /// The tokens of the last text read.
    pub(crate) fn tokens(&self) -> &Tokens {
        &self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::docs;

    fn words(corpus: &Corpus, row: usize) -> Vec<&str> {
        corpus
            .ids(row)
            .iter()
            .map(|&i| corpus.terms[i as usize].as_str())
            .collect()
    }

    #[test]
    fn stems_without_stop_words_or_numbers_and_vocabulary_order() {
        let texts = docs(&[
            "The staff were waiting 4 hours",
            "waited, staff did not listen",
            "",
        ]);
        let corpus = Corpus::build(&texts, vec![0, 1, 2], 1, 100);
        // "staff" and "wait" occur twice; ties go to the term.
        assert_eq!(corpus.terms[..2], ["staff", "wait"]);
        assert_eq!(words(&corpus, 0), ["staff", "wait", "hour"]);
        assert_eq!(words(&corpus, 1), ["wait", "staff", "not", "listen"]);
        assert!(corpus.ids(2).is_empty());
        assert_eq!(corpus.total, 7);
        assert_eq!(corpus.row_of(2), Some(2));
    }

    #[test]
    fn rare_words_are_dropped_the_cap_holds_and_readers_agree() {
        let texts = docs(&["parking parking food", "parking food", "nurse"]);
        let corpus = Corpus::build(&texts, vec![0, 2], 2, 1);
        assert_eq!(corpus.terms, ["park"]);
        assert_eq!(corpus.ids(0).len(), 2);
        assert!(corpus.ids(1).is_empty());
        assert_eq!((corpus.row_of(1), corpus.doc_of(1)), (None, 2));
        let lookup = corpus.lookup();
        let mut reader = Reader::new(&lookup);
        let mut out = Vec::new();
        reader.read("Parking, parking and food", &mut out);
        assert_eq!(out, [(0, 0), (0, 1)]);
        assert_eq!(&reader.tokens()[1].term, "park");
    }

    #[test]
    fn chunking_does_not_change_ids() {
        // More docs than one chunk: ids must follow the merged counts, not the chunk order.
        let mut texts = vec!["alpha beta"; CHUNK_DOCS + 5];
        texts.push("gamma gamma gamma");
        let texts = docs(&texts);
        let corpus = Corpus::build(&texts, (0..texts.len()).collect(), 1, 10);
        assert_eq!(corpus.terms.len(), 3);
        assert_eq!(corpus.counts[2], 3);
        assert_eq!(words(&corpus, CHUNK_DOCS + 5), ["gamma"; 3]);
    }
}
