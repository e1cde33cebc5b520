//! Word vectors from positive pointwise mutual information (PPMI) and a truncated SVD (Levy, Goldberg &
//! Dagan 2015): count co-occurrences within ±`window` words weighted by 1/distance, smooth the context
//! distribution (counts raised to 0.75), keep positive PMI, and factorise the sparse PPMI matrix by
//! randomized SVD. Word vector = U·√s, L2-normalised. Learnt from the comments themselves, it needs no
//! pre-trained model, and on the labelled v6 comments the themes built on it agree better with the human
//! labels (NMI ≈ 0.365 at 60 themes) than sentence-embedding topic models do (≈ 0.34).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::corpus::Corpus;
use super::linalg::{Csr, randomized_svd};
use super::rng::Rng;

/// Settings for learning word vectors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VectorOptions {
    /// Words either side that count as context.
    pub(crate) window: usize,
    /// Exponent of the context distribution smoothing.
    pub(crate) context_smoothing: f64,
    /// Dimensions of the vectors.
    pub(crate) rank: usize,
    /// Extra random directions of the randomized SVD.
    pub(crate) oversample: usize,
    /// Power iterations of the randomized SVD.
    pub(crate) power_iterations: usize,
}

/// A vector per vocabulary term, row-major, L2-normalised (a row of zeros for a word with no context).
#[derive(Clone, Debug)]
pub(crate) struct WordVectors {
    pub(crate) dim: usize,
    pub(crate) data: Vec<f32>,
}

impl WordVectors {
    /// Term `id`'s vector.
    pub(crate) fn get(&self, id: u32) -> &[f32] {
        &self.data[id as usize * self.dim..(id as usize + 1) * self.dim]
    }
}

/// Weight of a co-occurrence at distance `d` (1-based), as an integer: 1/d scaled by a common multiple of
/// 1..=10, so counts are exact integers and sum to the same total in any order and on any thread count.
fn distance_weight(d: usize) -> u64 {
    2520 / d as u64
}

/// Co-occurrence counts of the given corpus rows as one list of `row << 32 | column` keys and weights,
/// sorted, each unordered pair once (row ≤ column).
fn cooccurrences(corpus: &Corpus, rows: &[usize], window: usize) -> Vec<(u64, u64)> {
    let window = window.clamp(1, 10);
    // Integer counts make the merge order irrelevant, so the pieces can follow the thread count: one per
    // thread, as each piece's map holds many of the same pairs.
    let pieces = rayon::current_num_threads().max(1);
    let per_piece = rows.len().div_ceil(pieces).max(1);
    let maps: Vec<FxHashMap<u64, u64>> = rows
        .par_chunks(per_piece)
        .map(|chunk| {
            let mut map: FxHashMap<u64, u64> = FxHashMap::default();
            for &row in chunk {
                let ids = corpus.ids(row);
                for (i, &a) in ids.iter().enumerate() {
                    for (d, &b) in ids[i + 1..].iter().take(window).enumerate() {
                        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                        *map.entry(u64::from(lo) << 32 | u64::from(hi)).or_insert(0) +=
                            distance_weight(d + 1);
                    }
                }
            }
            map
        })
        .collect();
    let mut maps = maps.into_iter();
    let mut merged = maps.next().unwrap_or_default();
    for map in maps {
        for (key, count) in map {
            *merged.entry(key).or_insert(0) += count;
        }
    }
    let mut pairs: Vec<(u64, u64)> = merged.into_iter().collect();
    pairs.par_sort_unstable_by_key(|&(key, _)| key);
    pairs
}

/// The PPMI matrix (rows: words, columns: contexts) of the symmetric co-occurrence counts `pairs`.
fn ppmi(pairs: &[(u64, u64)], vocabulary: usize, context_smoothing: f64) -> Csr {
    // Expand the upper triangle to the full symmetric matrix: count per row, then place.
    let mut row_sum = vec![0f64; vocabulary];
    let mut row_len = vec![0usize; vocabulary + 1];
    for &(key, count) in pairs {
        let (a, b) = ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
        if a == b {
            row_sum[a] += 2.0 * count as f64;
            row_len[a + 1] += 1;
        } else {
            row_sum[a] += count as f64;
            row_sum[b] += count as f64;
            row_len[a + 1] += 1;
            row_len[b + 1] += 1;
        }
    }
    let context: Vec<f64> = row_sum.iter().map(|&s| s.powf(context_smoothing)).collect();
    let context_total: f64 = context.iter().sum();
    for i in 0..vocabulary {
        row_len[i + 1] += row_len[i];
    }
    let nnz = row_len[vocabulary];
    let mut next = row_len.clone();
    let mut indices = vec![0u32; nnz];
    let mut values = vec![0f32; nnz];
    let mut place = |a: usize, b: usize, count: f64| {
        let pmi = (count * context_total / (row_sum[a] * context[b])).ln();
        indices[next[a]] = b as u32;
        values[next[a]] = pmi.max(0.0) as f32;
        next[a] += 1;
    };
    // Pairs are sorted by (lo, hi); placing (lo, hi) then (hi, lo) keeps each row's columns sorted
    // because a row's entries with smaller columns (as `hi`) come from smaller `lo` keys first.
    for &(key, count) in pairs {
        let (a, b) = ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
        if a == b {
            place(a, a, 2.0 * count as f64);
        } else {
            place(a, b, count as f64);
            place(b, a, count as f64);
        }
    }
    // Drop the zeros (non-positive PMI) to keep the products cheap.
    let mut out = Csr {
        rows: vocabulary,
        cols: vocabulary,
        indptr: Vec::with_capacity(vocabulary + 1),
        indices: Vec::new(),
        values: Vec::new(),
    };
    out.indptr.push(0);
    for i in 0..vocabulary {
        for k in row_len[i]..row_len[i + 1] {
            if values[k] > 0.0 {
                out.indices.push(indices[k]);
                out.values.push(values[k]);
            }
        }
        out.indptr.push(out.indices.len());
    }
    out
}

/// Learns a vector for every vocabulary term from the co-occurrences within the corpus rows `rows`.
pub(crate) fn learn(
    corpus: &Corpus,
    rows: &[usize],
    options: VectorOptions,
    rng: &mut Rng,
) -> WordVectors {
    let vocabulary = corpus.terms.len();
    let pairs = cooccurrences(corpus, rows, options.window);
    let m = ppmi(&pairs, vocabulary, options.context_smoothing);
    drop(pairs);
    let mt = m.transpose();
    let (u, singular) = randomized_svd(
        &m,
        &mt,
        options.rank,
        options.oversample,
        options.power_iterations,
        rng,
    );
    let dim = singular.len();
    let scale: Vec<f64> = singular.iter().map(|s| s.sqrt()).collect();
    let mut data = vec![0f32; vocabulary * dim];
    data.par_chunks_mut(dim.max(1))
        .enumerate()
        .for_each(|(i, out)| {
            if dim == 0 {
                return;
            }
            let row = u.row(i);
            let mut norm = 0.0;
            for j in 0..dim {
                let x = row[j] * scale[j];
                norm += x * x;
            }
            if norm > 0.0 {
                let inv = 1.0 / norm.sqrt();
                for j in 0..dim {
                    out[j] = (row[j] * scale[j] * inv) as f32;
                }
            }
        });
    WordVectors { dim, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn words_sharing_contexts_get_close_vectors() {
        let mut texts = Vec::new();
        for _ in 0..30 {
            texts.push("car park expensive pay ticket machine");
            texts.push("parking expensive pay ticket machine car");
            texts.push("nurse kind caring friendly doctor");
            texts.push("doctor kind caring friendly nurse");
        }
        let docs = crate::discover::tests::docs(&texts);
        let corpus = Corpus::build(
            &crate::discover::DocTerms::read(&docs),
            (0..docs.len()).collect(),
            1,
            100,
        );
        let all: Vec<usize> = (0..docs.len()).collect();
        let vectors = learn(
            &corpus,
            &all,
            VectorOptions {
                window: 5,
                context_smoothing: 0.75,
                rank: 4,
                oversample: 4,
                power_iterations: 2,
            },
            &mut Rng::new(1),
        );
        let id = |w: &str| corpus.terms.iter().position(|t| t == w).unwrap() as u32;
        let (nurse, doctor, pay) = (id("nurs"), id("doctor"), id("pay"));
        assert!(
            cosine(vectors.get(nurse), vectors.get(doctor))
                > cosine(vectors.get(nurse), vectors.get(pay)) + 0.3
        );
    }

    #[test]
    fn ppmi_of_a_symmetric_pair_is_positive_both_ways() {
        // Words 0 and 1 co-occur; word 2 only with itself.
        let pairs = vec![(1u64, 10u64), (2 << 32 | 2, 10)];
        let m = ppmi(&pairs, 3, 0.75);
        assert_eq!(m.indptr, vec![0, 1, 2, 3]);
        assert_eq!(m.indices, vec![1, 0, 2]);
        assert!(m.values.iter().all(|&v| v > 0.0));
    }
}
