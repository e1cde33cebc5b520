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
    /// The corpus id of each dictionary id of the [`DocTerms`] it was built from (`u32::MAX`: not in
    /// the vocabulary).
    final_id: Vec<u32>,
}

/// Calls `f` with each term discovery reads in the analysed `tokens`, and the term's index in `tokens`.
pub(crate) fn for_each_term<'t>(tokens: &'t Tokens, mut f: impl FnMut(&'t str, usize)) {
    for (index, t) in tokens.iter().enumerate() {
        if !t.stop && t.kind != TokenKind::Number {
            f(&t.term, index);
        }
    }
}

/// The terms discovery reads in some docs, as ids into a dictionary of their own: what one thread
/// gathers from a chunk of docs while theming analyses them.
#[derive(Debug, Default)]
pub struct ChunkTerms {
    index: FxHashMap<String, u32>,
    dictionary: Vec<String>,
    lengths: Vec<u32>,
    ids: Vec<u32>,
    bytes: u64,
}

impl ChunkTerms {
    /// Adds the next doc: its text and the tokens the shared analyzer made of it.
    pub fn push(&mut self, text: &str, tokens: &Tokens) {
        let before = self.ids.len();
        for_each_term(tokens, |t, _| {
            let id = match self.index.get(t) {
                Some(&id) => id,
                None => {
                    let id = self.dictionary.len() as u32;
                    self.index.insert(t.to_owned(), id);
                    self.dictionary.push(t.to_owned());
                    id
                }
            };
            self.ids.push(id);
        });
        self.lengths.push((self.ids.len() - before) as u32);
        self.bytes += text.len() as u64;
    }

    /// Adds a doc with no text (a comment left blank).
    pub fn push_empty(&mut self) {
        self.lengths.push(0);
    }

    /// How many docs it holds.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Whether it holds no doc.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }
}

/// The terms discovery reads in every doc, in doc order, as ids into one dictionary: gathered once, in
/// chunks, while the comments are analysed for theming, so that discovery never analyses a text again
/// except to label and quote the few it shows.
#[derive(Debug, Default)]
pub struct DocTerms {
    index: FxHashMap<String, u32>,
    dictionary: Vec<String>,
    offsets: Vec<usize>,
    ids: Vec<u32>,
    bytes: u64,
}

impl DocTerms {
    /// Appends a chunk's docs after those already held.
    pub fn append(&mut self, chunk: ChunkTerms) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let to_global: Vec<u32> = chunk
            .dictionary
            .into_iter()
            .map(|term| match self.index.get(term.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.dictionary.len() as u32;
                    self.dictionary.push(term.clone());
                    self.index.insert(term, id);
                    id
                }
            })
            .collect();
        let mut at = 0usize;
        for &len in &chunk.lengths {
            let end = at + len as usize;
            self.ids
                .extend(chunk.ids[at..end].iter().map(|&l| to_global[l as usize]));
            self.offsets.push(self.ids.len());
            at = end;
        }
        self.bytes += chunk.bytes;
    }

    /// Reads `docs` with the shared analyzer, in parallel.
    pub(crate) fn read(docs: &[DiscoverDoc<'_>]) -> DocTerms {
        let chunks: Vec<ChunkTerms> = docs
            .par_chunks(CHUNK_DOCS)
            .map_init(
                || (Analyzer::english(), Tokens::new()),
                |(analyzer, tokens), chunk| {
                    let mut out = ChunkTerms::default();
                    for doc in chunk {
                        analyzer.analyze_into(doc.text, tokens);
                        out.push(doc.text, tokens);
                    }
                    out
                },
            )
            .collect();
        let mut terms = DocTerms::default();
        for chunk in chunks {
            terms.append(chunk);
        }
        terms
    }

    /// How many docs.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there is no doc.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of text of all docs.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Which docs have a word that says something ([`super::content`]): the docs clustering may
    /// take in.
    pub(crate) fn says_something(&self) -> Vec<bool> {
        let nothing: Vec<bool> = self
            .dictionary
            .iter()
            .map(|t| super::content::says_nothing(t))
            .collect();
        (0..self.len())
            .map(|doc| self.doc(doc).iter().any(|&id| !nothing[id as usize]))
            .collect()
    }

    /// Doc `doc`'s terms, as dictionary ids in text order.
    fn doc(&self, doc: usize) -> &[u32] {
        &self.ids[self.offsets[doc]..self.offsets[doc + 1]]
    }
}

impl Corpus {
    /// The corpus of the docs `which` (increasing indices into `terms`): the terms seen at least
    /// `min_count` times in them, at most `max_terms` of them (the most frequent, ties broken by the
    /// term so the vocabulary is deterministic), and those docs as in-vocabulary ids.
    pub(crate) fn build(
        terms: &DocTerms,
        which: Vec<usize>,
        min_count: u64,
        max_terms: usize,
    ) -> Corpus {
        debug_assert!(which.windows(2).all(|w| w[0] < w[1]));
        let mut counts = vec![0u64; terms.dictionary.len()];
        for &doc in &which {
            for &id in terms.doc(doc) {
                counts[id as usize] += 1;
            }
        }
        let mut kept: Vec<u32> = (0..counts.len() as u32)
            .filter(|&g| counts[g as usize] >= min_count.max(1))
            .collect();
        kept.sort_by(|&a, &b| {
            counts[b as usize]
                .cmp(&counts[a as usize])
                .then_with(|| terms.dictionary[a as usize].cmp(&terms.dictionary[b as usize]))
        });
        kept.truncate(max_terms);
        let mut final_id = vec![u32::MAX; terms.dictionary.len()];
        for (new, &g) in kept.iter().enumerate() {
            final_id[g as usize] = new as u32;
        }

        let mut corpus = Corpus {
            terms: kept
                .iter()
                .map(|&g| terms.dictionary[g as usize].clone())
                .collect(),
            counts: kept.iter().map(|&g| counts[g as usize]).collect(),
            total: 0,
            offsets: Vec::with_capacity(which.len() + 1),
            docs: which,
            ids: Vec::new(),
            final_id,
        };
        corpus.total = corpus.counts.iter().sum();
        corpus.offsets.push(0);
        for &doc in &corpus.docs {
            corpus.ids.extend(
                terms
                    .doc(doc)
                    .iter()
                    .map(|&g| corpus.final_id[g as usize])
                    .filter(|&id| id != u32::MAX),
            );
            corpus.offsets.push(corpus.ids.len());
        }
        corpus
    }

    /// Any doc's in-vocabulary term ids, in text order, into `out` (for docs outside the corpus).
    pub(crate) fn read_ids(&self, terms: &DocTerms, doc: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend(
            terms
                .doc(doc)
                .iter()
                .map(|&g| self.final_id[g as usize])
                .filter(|&id| id != u32::MAX),
        );
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
        let corpus = Corpus::build(&DocTerms::read(&texts), vec![0, 1, 2], 1, 100);
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
        let corpus = Corpus::build(&DocTerms::read(&texts), vec![0, 2], 2, 1);
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
        let corpus = Corpus::build(&DocTerms::read(&texts), (0..texts.len()).collect(), 1, 10);
        assert_eq!(corpus.terms.len(), 3);
        assert_eq!(corpus.counts[2], 3);
        assert_eq!(words(&corpus, CHUNK_DOCS + 5), ["gamma"; 3]);
    }
}
