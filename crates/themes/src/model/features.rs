//! What the models see of a comment: stemmed word n-grams, character n-grams within words, the question
//! kind, and words crossed with the question kind, as tf-idf vectors over a vocabulary learnt in training.
//!
//! Features are 64-bit hashes rather than strings: a model file then holds 12 bytes per feature, and a
//! lookup is one hash-map probe. The hashes are written out here (FNV-1a steps and a SplitMix finaliser),
//! never taken from the standard library or `rustc-hash`, because model files store them and they must
//! not change between releases (a test pins them). With 64 bits, two n-grams of one vocabulary share a
//! hash with odds of about 10⁻⁸, so this is a vocabulary, not lossy feature hashing.

use std::ops::Range;

use chorus_core::QuestionKind;
use chorus_core::keys::{FNV_OFFSET, fnv1a, fnv1a_step};
use chorus_text::{Analyzer, Tokens};
use rustc_hash::FxHashMap;

/// Word n-grams are unigrams and bigrams of stemmed terms.
pub(crate) const WORD_NGRAMS: (usize, usize) = (1, 2);
/// Character n-grams are 2 to 5 characters long, within words padded with a space each side (as
/// scikit-learn's `char_wb`), so that misspellings and compounds still share most of their features.
pub(crate) const CHAR_NGRAMS: (usize, usize) = (2, 5);
/// The weight of the question × word block relative to the plain word block: enough for "nothing" to
/// mean something else under "What could we improve?" without doubling every word's weight.
pub(crate) const CROSS_WEIGHT: f32 = 0.5;

/// Salts keep the blocks apart: the word "ok" and the characters "ok" are different features.
const WORD_SALT: u64 = 0x9e37_79b9_7f4a_7c15;
const BIGRAM_SALT: u64 = 0xd1b5_4a32_d192_ed03;
const CHAR_SALT: u64 = 0x8cb9_2ba7_2f3d_8dd7;
const QUESTION_SALT: u64 = 0x5851_f42d_4c95_7f2d;
const CROSS_SALT: u64 = 0x2545_f491_4f6c_dd1d;

/// SplitMix64's finaliser: spreads FNV's weak low bits so every bit of the key is usable.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The feature of a question kind.
pub(crate) fn question_hash(kind: QuestionKind) -> u64 {
    mix(QUESTION_SALT ^ kind_index(kind) as u64)
}

/// The feature of a word n-gram seen under a question kind.
#[inline]
pub(crate) fn cross_hash(word: u64, kind: QuestionKind) -> u64 {
    mix(word ^ CROSS_SALT.wrapping_mul(kind_index(kind) as u64 + 1))
}

/// A question kind's position in [`QuestionKind::ALL`].
pub(crate) fn kind_index(kind: QuestionKind) -> usize {
    match kind {
        QuestionKind::Why => 0,
        QuestionKind::WhatWasGood => 1,
        QuestionKind::Improve => 2,
        QuestionKind::Other => 3,
    }
}

/// Turns text into feature hashes with the shared analyzer. One per thread: it keeps buffers.
#[derive(Debug, Clone)]
pub(crate) struct Extractor {
    analyzer: Analyzer,
    tokens: Tokens,
    chars: Vec<char>,
    term_hashes: Vec<u64>,
}

impl Extractor {
    pub(crate) fn new() -> Extractor {
        Extractor {
            analyzer: Analyzer::english(),
            tokens: Tokens::new(),
            chars: Vec::new(),
            term_hashes: Vec::new(),
        }
    }

    /// Appends the hashes of the word n-grams of `text` to `words` and of its character n-grams to
    /// `chars` (one entry per occurrence, unsorted).
    pub(crate) fn extract(&mut self, text: &str, words: &mut Vec<u64>, chars: &mut Vec<u64>) {
        self.analyzer.analyze_into(text, &mut self.tokens);
        word_ngrams(&self.tokens, &mut self.term_hashes, words);
        for token in self.tokens.iter() {
            char_ngrams(&mut self.chars, &text[token.start..token.end], chars);
        }
    }
}

/// Appends the hashes of the word unigrams and bigrams of analysed `tokens` to `words`
/// (`term_hashes` is scratch).
pub(crate) fn word_ngrams(tokens: &Tokens, term_hashes: &mut Vec<u64>, words: &mut Vec<u64>) {
    term_hashes.clear();
    for token in tokens.iter() {
        // Stop words stay: "not", "no" and "nothing" carry much of what a short comment means, and
        // scikit-learn's research pipeline that set the quality bar kept them too.
        let h = fnv1a(FNV_OFFSET, token.term.as_bytes());
        term_hashes.push(h);
        words.push(mix(h ^ WORD_SALT));
    }
    for pair in term_hashes.windows(2) {
        words.push(mix(pair[0].rotate_left(17) ^ pair[1] ^ BIGRAM_SALT));
    }
}

/// The most distinct words a [`CharCache`] keeps before it starts again: bounds its memory on any input
/// (a vocabulary of a million comments is a few hundred thousand written forms).
const CHAR_CACHE_WORDS: usize = 200_000;

/// The in-vocabulary character n-grams of each written word, remembered: a word's n-grams depend on the
/// word alone, and a few thousand words make up most of what people write, so prediction hashes and
/// looks up each distinct word's n-grams once rather than every time it occurs.
#[derive(Debug, Default, Clone)]
pub(crate) struct CharCache {
    words: FxHashMap<Box<str>, Range<u32>>,
    /// (hash, feature index) of each word's n-grams in the vocabulary, one entry per occurrence.
    pool: Vec<(u64, u32)>,
    chars: Vec<char>,
    hashes: Vec<u64>,
}

impl CharCache {
    /// Appends the (hash, feature index) of each in-vocabulary character n-gram of `word` to `out`.
    pub(crate) fn extend(
        &mut self,
        vocabulary: &Vocabulary,
        word: &str,
        out: &mut Vec<(u64, u32)>,
    ) {
        if let Some(range) = self.words.get(word) {
            out.extend_from_slice(&self.pool[range.start as usize..range.end as usize]);
            return;
        }
        if self.words.len() >= CHAR_CACHE_WORDS || self.pool.len() > u32::MAX as usize / 2 {
            self.words.clear();
            self.pool.clear();
        }
        self.hashes.clear();
        char_ngrams(&mut self.chars, word, &mut self.hashes);
        let start = self.pool.len();
        for &h in &self.hashes {
            if let Some(&i) = vocabulary.map.get(&h) {
                self.pool.push((h, i));
            }
        }
        out.extend_from_slice(&self.pool[start..]);
        self.words
            .insert(word.into(), start as u32..self.pool.len() as u32);
    }
}

/// The character n-grams of one word, lowercased and padded with a space each side (`chars` is scratch).
fn char_ngrams(chars: &mut Vec<char>, word: &str, out: &mut Vec<u64>) {
    chars.clear();
    chars.push(' ');
    for c in word.chars() {
        if c.is_ascii() {
            chars.push(c.to_ascii_lowercase());
        } else {
            chars.extend(c.to_lowercase());
        }
    }
    chars.push(' ');
    let (min, max) = CHAR_NGRAMS;
    for start in 0..chars.len() {
        let mut hash = CHAR_SALT;
        for (n, &c) in chars[start..].iter().take(max).enumerate() {
            hash = fnv1a_step(hash, u64::from(c));
            if n + 1 >= min {
                out.push(mix(hash));
            }
        }
    }
}

/// The hashed n-grams of one training comment, counted: what a [`Vocabulary`] is fitted on.
#[derive(Debug, Clone)]
pub(crate) struct RawDoc {
    /// Word n-gram hashes with their counts, sorted by hash.
    pub words: Vec<(u64, u32)>,
    /// Character n-gram hashes with their counts, sorted by hash.
    pub chars: Vec<(u64, u32)>,
    /// The question the comment answers.
    pub kind: QuestionKind,
}

impl Default for RawDoc {
    fn default() -> Self {
        RawDoc {
            words: Vec::new(),
            chars: Vec::new(),
            kind: QuestionKind::Other,
        }
    }
}

/// Sorts hashes and counts the runs, into `out`.
pub(crate) fn count_sorted(hashes: &mut [u64], out: &mut Vec<(u64, u32)>) {
    hashes.sort_unstable();
    out.clear();
    for &h in hashes.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == h => *n += 1,
            _ => out.push((h, 1)),
        }
    }
}

impl RawDoc {
    /// The n-grams of `text` answering `kind`.
    pub(crate) fn new(extractor: &mut Extractor, text: &str, kind: QuestionKind) -> RawDoc {
        let mut words = Vec::new();
        let mut chars = Vec::new();
        extractor.extract(text, &mut words, &mut chars);
        let mut doc = RawDoc {
            kind,
            ..RawDoc::default()
        };
        count_sorted(&mut words, &mut doc.words);
        count_sorted(&mut chars, &mut doc.chars);
        doc
    }
}

/// Where each block of features sits in the vocabulary's index space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blocks {
    /// Word unigrams and bigrams.
    pub words: Range<usize>,
    /// Character n-grams.
    pub chars: Range<usize>,
    /// Question kinds seen in training.
    pub questions: Range<usize>,
    /// Word n-grams crossed with the question kind, as seen in training.
    pub cross: Range<usize>,
}

/// The features a model knows, each with its inverse document frequency. Features absent from training
/// are dropped when a comment is vectorised: no weight could have been learnt for them.
#[derive(Debug, Clone)]
pub(crate) struct Vocabulary {
    map: FxHashMap<u64, u32>,
    /// Hash of each feature, by index (what a model file stores).
    pub hashes: Vec<u64>,
    /// Smoothed idf of each feature; for a question kind, its share of the training comments (see
    /// [`Vocabulary::vectorise`]; files written before kept 1 there, read as equal shares); unused for
    /// crossed words, which take their word's value.
    pub idf: Vec<f32>,
    /// The blocks.
    pub blocks: Blocks,
}

impl Vocabulary {
    /// Learns the vocabulary and idf from the documents `rows` of `docs`, keeping n-grams found in at
    /// least `min_df` of them.
    pub(crate) fn fit(docs: &[RawDoc], rows: &[usize], min_df: u32) -> Vocabulary {
        let mut word_df: FxHashMap<u64, u32> = FxHashMap::default();
        let mut char_df: FxHashMap<u64, u32> = FxHashMap::default();
        let mut cross_df: FxHashMap<u64, u32> = FxHashMap::default();
        let mut kinds = [0u32; 4];
        for &r in rows {
            let doc = &docs[r];
            kinds[kind_index(doc.kind)] += 1;
            for &(h, _) in &doc.words {
                *word_df.entry(h).or_default() += 1;
            }
            for &(h, _) in &doc.chars {
                *char_df.entry(h).or_default() += 1;
            }
        }
        for &r in rows {
            let doc = &docs[r];
            for &(h, _) in &doc.words {
                if word_df.get(&h).is_some_and(|&df| df >= min_df) {
                    *cross_df.entry(cross_hash(h, doc.kind)).or_default() += 1;
                }
            }
        }
        let n = rows.len() as f64;
        // scikit-learn's smooth idf: as if one extra document held every term once.
        let idf = |df: u32| ((1.0 + n) / (1.0 + f64::from(df))).ln() as f32 + 1.0;
        // Within a block, the most frequent n-grams come first: their weight rows, which almost every
        // comment touches, then share cache lines and pages, which makes training several times faster
        // than a hash order that scatters them over the whole weight matrix.
        let ordered = |df: FxHashMap<u64, u32>, min_df: u32| {
            let mut v: Vec<(u64, u32)> = df.into_iter().filter(|&(_, d)| d >= min_df).collect();
            v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        };
        let words = ordered(word_df, min_df);
        let chars = ordered(char_df, min_df);
        let cross: Vec<u64> = ordered(cross_df, 1).into_iter().map(|(h, _)| h).collect();

        let mut hashes = Vec::with_capacity(words.len() + chars.len() + 4 + cross.len());
        let mut idfs = Vec::with_capacity(hashes.capacity());
        for &(h, df) in words.iter().chain(&chars) {
            hashes.push(h);
            idfs.push(idf(df));
        }
        for kind in QuestionKind::ALL {
            let count = kinds[kind_index(kind)];
            if count > 0 {
                hashes.push(question_hash(kind));
                idfs.push((f64::from(count) / n) as f32);
            }
        }
        let questions_end = hashes.len();
        for &h in &cross {
            hashes.push(h);
            idfs.push(0.0);
        }
        let blocks = Blocks {
            words: 0..words.len(),
            chars: words.len()..words.len() + chars.len(),
            questions: words.len() + chars.len()..questions_end,
            cross: questions_end..hashes.len(),
        };
        Vocabulary::from_parts(hashes, idfs, blocks)
    }

    /// A vocabulary from what a model file holds.
    pub(crate) fn from_parts(hashes: Vec<u64>, idf: Vec<f32>, blocks: Blocks) -> Vocabulary {
        let mut map = FxHashMap::default();
        map.reserve(hashes.len());
        for (i, &h) in hashes.iter().enumerate() {
            map.insert(h, i as u32);
        }
        Vocabulary {
            map,
            hashes,
            idf,
            blocks,
        }
    }

    /// How many features.
    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the hashes are all distinct (a model file with duplicates is damaged).
    pub(crate) fn is_consistent(&self) -> bool {
        self.map.len() == self.hashes.len()
    }

    /// The tf-idf vector of a document as (feature, value) pairs, into `out`: sublinear tf, each block
    /// L2-normalised on its own (so long comments do not drown the question features), the question kind
    /// as a 1, and the question × word block at [`CROSS_WEIGHT`].
    ///
    /// A comment answering a kind of question the model never saw in training (a trust's own survey
    /// question, classified "other", for a model trained on FFT answers) gets every seen kind at once,
    /// each weighted by its share of the training comments: its scores are the average of its scores as
    /// an answer to each. With no question feature at all, the bias alone would stand where the
    /// question's weight always stood in training, and such comments would be given many labels.
    ///
    /// `cross_hashes` is scratch space, kept by the caller to save an allocation per comment.
    pub(crate) fn vectorise(
        &self,
        doc: &RawDoc,
        out: &mut Vec<(u32, f32)>,
        cross_hashes: &mut Vec<u64>,
    ) {
        self.vectorise_parts(
            &doc.words,
            CharBlock::Counted(&doc.chars),
            doc.kind,
            out,
            cross_hashes,
        );
    }

    /// [`Vocabulary::vectorise`] from a comment's counted word n-grams and its character n-grams in
    /// either form.
    pub(crate) fn vectorise_parts(
        &self,
        words: &[(u64, u32)],
        chars: CharBlock<'_>,
        kind: QuestionKind,
        out: &mut Vec<(u32, f32)>,
        cross_hashes: &mut Vec<u64>,
    ) {
        out.clear();
        cross_hashes.clear();
        let word_start = out.len();
        self.block(words, out, Some(cross_hashes));
        let word_end = out.len();
        match chars {
            CharBlock::Counted(counts) => self.block(counts, out, None),
            CharBlock::Found(pairs) => block_found(&self.idf, pairs, out),
        }
        debug_assert!(word_end - word_start == cross_hashes.len());
        if self.map.contains_key(&question_hash(kind)) {
            self.push_question(kind, 1.0, word_start, cross_hashes, out);
            return;
        }
        let seen = |kind: QuestionKind| {
            self.map
                .get(&question_hash(kind))
                .map(|&q| (kind, self.idf[q as usize].max(0.0)))
        };
        let total: f32 = QuestionKind::ALL
            .into_iter()
            .filter_map(seen)
            .map(|(_, w)| w)
            .sum();
        if total > 0.0 {
            for (kind, weight) in QuestionKind::ALL.into_iter().filter_map(seen) {
                self.push_question(kind, weight / total, word_start, cross_hashes, out);
            }
        }
    }

    /// Appends the question kind's feature at `weight`, and the words (their values at `word_start`,
    /// their hashes in `cross_hashes`) crossed with it.
    fn push_question(
        &self,
        kind: QuestionKind,
        weight: f32,
        word_start: usize,
        cross_hashes: &[u64],
        out: &mut Vec<(u32, f32)>,
    ) {
        if let Some(&q) = self.map.get(&question_hash(kind)) {
            out.push((q, weight));
        }
        for (k, &h) in cross_hashes.iter().enumerate() {
            if let Some(&j) = self.map.get(&cross_hash(h, kind)) {
                let value = out[word_start + k].1;
                out.push((j, weight * CROSS_WEIGHT * value));
            }
        }
    }

    /// Appends one block's normalised tf-idf values; with `keep`, also the hash of each value appended.
    fn block(
        &self,
        counts: &[(u64, u32)],
        out: &mut Vec<(u32, f32)>,
        mut keep: Option<&mut Vec<u64>>,
    ) {
        let start = out.len();
        for &(h, count) in counts {
            if let Some(&i) = self.map.get(&h) {
                out.push((i, tf_idf(count, self.idf[i as usize])));
                if let Some(keep) = keep.as_deref_mut() {
                    keep.push(h);
                }
            }
        }
        normalise(&mut out[start..]);
    }
}

/// A comment's character n-grams, as [`Vocabulary::vectorise_parts`] takes them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CharBlock<'a> {
    /// Every n-gram's hash with its count, sorted by hash ([`RawDoc::chars`]).
    Counted(&'a [(u64, u32)]),
    /// The in-vocabulary n-grams as (hash, feature index), one entry per occurrence, sorted by hash
    /// (what a [`CharCache`] gives): the same values in the same order as `Counted`, without a lookup.
    Found(&'a [(u64, u32)]),
}

/// Appends the normalised tf-idf values of sorted (hash, feature index) occurrences, as
/// [`Vocabulary::vectorise`] does for counted hashes.
fn block_found(idf: &[f32], pairs: &[(u64, u32)], out: &mut Vec<(u32, f32)>) {
    let start = out.len();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let index = run[0].1;
        out.push((index, tf_idf(run.len() as u32, idf[index as usize])));
    }
    normalise(&mut out[start..]);
}

/// Sublinear tf times idf.
#[inline]
fn tf_idf(count: u32, idf: f32) -> f32 {
    (1.0 + (count as f32).ln()) * idf
}

/// Scales one block's values to unit length (a block of zeros stays as it is).
fn normalise(block: &mut [(u32, f32)]) {
    let mut norm = 0.0f32;
    for &(_, value) in block.iter() {
        norm += value * value;
    }
    if norm > 0.0 {
        let scale = 1.0 / norm.sqrt();
        for entry in block {
            entry.1 *= scale;
        }
    }
}

/// Sparse rows: the vectors of many documents, one after another.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    starts: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    /// The number of features (columns).
    pub columns: usize,
}

impl Csr {
    /// Vectorises the documents `rows` of `docs`, in that order, in parallel.
    pub(crate) fn build(vocabulary: &Vocabulary, docs: &[RawDoc], rows: &[usize]) -> Csr {
        use rayon::prelude::*;
        let vectors: Vec<Vec<(u32, f32)>> = rows
            .par_iter()
            .map(|&r| {
                let mut v = Vec::new();
                vocabulary.vectorise(&docs[r], &mut v, &mut Vec::new());
                v
            })
            .collect();
        let mut csr = Csr {
            starts: Vec::with_capacity(rows.len() + 1),
            columns: vocabulary.len(),
            ..Csr::default()
        };
        csr.starts.push(0);
        for v in vectors {
            for (i, x) in v {
                csr.indices.push(i);
                csr.values.push(x);
            }
            csr.starts.push(csr.indices.len());
        }
        csr
    }

    /// One row's feature indices and values.
    #[inline]
    pub(crate) fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.starts[r]..self.starts[r + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    /// A matrix from rows given as (feature, value) pairs, for tests.
    #[cfg(test)]
    pub(crate) fn from_rows(columns: usize, rows: &[Vec<(u32, f32)>]) -> Csr {
        let mut csr = Csr {
            starts: vec![0],
            columns,
            ..Csr::default()
        };
        for row in rows {
            for &(i, x) in row {
                csr.indices.push(i);
                csr.values.push(x);
            }
            csr.starts.push(csr.indices.len());
        }
        csr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str, kind: QuestionKind) -> RawDoc {
        RawDoc::new(&mut Extractor::new(), text, kind)
    }

    #[test]
    fn hashes_are_pinned_because_model_files_store_them() {
        // If this fails, every saved model reads different features: bump the model format version.
        assert_eq!(question_hash(QuestionKind::Why), 0xf2ee_2134_306f_f565);
        let doc = raw("Ok", QuestionKind::Why);
        assert_eq!(doc.words, vec![(0x0a35_343d_265a_fd44, 1)]);
        // " ok " has " o", "ok", "k ", " ok", "ok ", " ok ".
        assert_eq!(doc.chars.len(), 6);
    }

    #[test]
    fn words_are_stemmed_and_paired() {
        let a = raw("waiting times", QuestionKind::Why);
        let b = raw("waited time", QuestionKind::Why);
        assert_eq!(a.words, b.words, "stems and the bigram of stems agree");
        assert_eq!(a.words.len(), 3);
    }

    #[test]
    fn character_ngrams_survive_misspellings() {
        let a = raw("receptionist", QuestionKind::Why);
        let b = raw("receptionst", QuestionKind::Why);
        let shared = a
            .chars
            .iter()
            .filter(|(h, _)| b.chars.binary_search_by_key(h, |&(k, _)| k).is_ok())
            .count();
        assert!(shared * 2 > a.chars.len(), "{shared} of {}", a.chars.len());
        assert!(a.words != b.words);
    }

    #[test]
    fn repeated_ngrams_are_counted() {
        let doc = raw("good good", QuestionKind::Why);
        assert!(doc.words.iter().any(|&(_, n)| n == 2));
    }

    #[test]
    fn vectors_are_normalised_per_block_and_crossed_with_the_question() {
        let docs = vec![
            raw("kind staff", QuestionKind::Why),
            raw("nothing", QuestionKind::Improve),
            raw("nothing at all", QuestionKind::WhatWasGood),
        ];
        let vocab = Vocabulary::fit(&docs, &[0, 1, 2], 1);
        assert!(vocab.is_consistent());
        assert_eq!(vocab.blocks.questions.len(), 3, "three kinds seen");
        let mut v = Vec::new();
        vocab.vectorise(&docs[1], &mut v, &mut Vec::new());
        let in_block = |r: &Range<usize>| {
            v.iter()
                .filter(|(i, _)| r.contains(&(*i as usize)))
                .map(|&(_, x)| x * x)
                .sum::<f32>()
        };
        assert!((in_block(&vocab.blocks.words) - 1.0).abs() < 1e-5);
        assert!((in_block(&vocab.blocks.chars) - 1.0).abs() < 1e-5);
        assert!((in_block(&vocab.blocks.questions) - 1.0).abs() < 1e-6);
        let cross = in_block(&vocab.blocks.cross);
        assert!(
            (cross - CROSS_WEIGHT * CROSS_WEIGHT).abs() < 1e-5,
            "{cross}"
        );

        // "nothing" under a question kind never seen with it has no crossed feature.
        let unseen = raw("nothing", QuestionKind::Why);
        vocab.vectorise(&unseen, &mut v, &mut Vec::new());
        assert_eq!(in_block_count(&v, &vocab.blocks.cross), 0);
        // Unknown words are dropped.
        vocab.vectorise(
            &raw("zzzz qqqq", QuestionKind::Why),
            &mut v,
            &mut Vec::new(),
        );
        assert_eq!(v.len(), 1, "only the question: {v:?}");
    }

    #[test]
    fn a_question_kind_unseen_in_training_counts_as_each_seen_kind_by_its_share() {
        let docs = vec![
            raw("kind staff", QuestionKind::Why),
            raw("kind nurse", QuestionKind::Why),
            raw("kind doctor", QuestionKind::Why),
            raw("kind nothing", QuestionKind::Improve),
        ];
        let vocab = Vocabulary::fit(&docs, &[0, 1, 2, 3], 1);
        let mut v = Vec::new();
        vocab.vectorise(&raw("kind", QuestionKind::Other), &mut v, &mut Vec::new());
        let weight_of = |kind: QuestionKind| {
            let q = vocab.map[&question_hash(kind)];
            v.iter().find(|&&(i, _)| i == q).map(|&(_, x)| x)
        };
        assert_eq!(weight_of(QuestionKind::Why), Some(0.75));
        assert_eq!(weight_of(QuestionKind::Improve), Some(0.25));
        // "kind" crossed with each kind, at the kind's share of the cross weight.
        let word = v[0].1;
        let mut crossed: Vec<f32> = v
            .iter()
            .filter(|(i, _)| vocab.blocks.cross.contains(&(*i as usize)))
            .map(|&(_, x)| x / (CROSS_WEIGHT * word))
            .collect();
        crossed.sort_by(f32::total_cmp);
        assert_eq!(crossed, [0.25, 0.75]);
    }

    fn in_block_count(v: &[(u32, f32)], r: &Range<usize>) -> usize {
        v.iter().filter(|(i, _)| r.contains(&(*i as usize))).count()
    }

    #[test]
    fn min_df_drops_rare_ngrams() {
        let docs = vec![
            raw("staff kind", QuestionKind::Why),
            raw("staff rude", QuestionKind::Why),
        ];
        let all = Vocabulary::fit(&docs, &[0, 1], 1);
        let common = Vocabulary::fit(&docs, &[0, 1], 2);
        assert!(common.len() < all.len());
        assert_eq!(common.blocks.words.len(), 1, "only `staff` is in both");
    }
}
