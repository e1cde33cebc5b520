//! Comment vectors by smooth inverse frequency (SIF, Arora, Liang & Ma 2017): the average of the word
//! vectors weighted by a/(a + p(w)), so frequent words ("staff", "good") count less than telling ones
//! ("parking"), then minus the projection on the first principal component, which every comment shares
//! (mostly "this is feedback") and which would otherwise dominate the cosine between comments.

use rayon::prelude::*;

use super::corpus::Corpus;
use super::linalg::{Dense, add_outer_upper, symmetric_eigen};
use super::vectors::WordVectors;

/// Docs per chunk of a reduction: fixed, so sums run in the same order on any number of threads.
const CHUNK_DOCS: usize = 1024;

/// Turns a doc's term ids into a unit vector.
#[derive(Clone, Debug)]
pub(crate) struct Embedder<'a> {
    vectors: &'a WordVectors,
    weights: Vec<f32>,
    /// The common direction removed from every vector (unit length), if any.
    common: Vec<f32>,
}

impl<'a> Embedder<'a> {
    /// SIF weights from the corpus frequencies; no common component yet.
    pub(crate) fn new(corpus: &Corpus, vectors: &'a WordVectors, a: f64) -> Embedder<'a> {
        let total = corpus.total.max(1) as f64;
        let weights = corpus
            .counts
            .iter()
            .map(|&c| (a / (a + c as f64 / total)) as f32)
            .collect();
        Embedder {
            vectors,
            weights,
            common: Vec::new(),
        }
    }

    /// The vector's dimension.
    pub(crate) fn dim(&self) -> usize {
        self.vectors.dim
    }

    /// The weighted average of the word vectors of `ids` into `out`, before removing the common
    /// component. All zeros when `ids` is empty.
    fn average(&self, ids: &[u32], out: &mut [f32]) {
        out.fill(0.0);
        for &id in ids {
            let w = self.weights[id as usize];
            for (o, &v) in out.iter_mut().zip(self.vectors.get(id)) {
                *o += w * v;
            }
        }
        if !ids.is_empty() {
            let inv = 1.0 / ids.len() as f32;
            out.iter_mut().for_each(|o| *o *= inv);
        }
    }

    /// The unit vector of `ids` into `out`; false (and `out` unusable) when the doc has no direction:
    /// no known words, or nothing left after removing the common component.
    pub(crate) fn embed(&self, ids: &[u32], out: &mut [f32]) -> bool {
        self.average(ids, out);
        let before: f32 = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if before <= 0.0 {
            return false;
        }
        if !self.common.is_empty() {
            let projection: f32 = out.iter().zip(&self.common).map(|(x, c)| x * c).sum();
            for (o, &c) in out.iter_mut().zip(&self.common) {
                *o -= projection * c;
            }
        }
        let norm: f32 = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        // A doc lying (almost) exactly on the common direction carries no topic; with a one-word
        // vocabulary every doc does, so fall back to the plain average rather than lose them all.
        if norm <= before * 1e-4 {
            self.average(ids, out);
            out.iter_mut().for_each(|o| *o /= before);
            return true;
        }
        out.iter_mut().for_each(|o| *o /= norm);
        true
    }

    /// Finds the first principal component (uncentred, as in SIF) of the averages of the corpus rows
    /// `rows` and removes it from every later embedding.
    pub(crate) fn remove_common_component(&mut self, corpus: &Corpus, rows: &[usize]) {
        let dim = self.dim();
        if dim < 2 {
            // Removing the only direction would leave nothing.
            return;
        }
        let partials: Vec<Vec<f64>> = rows
            .par_chunks(CHUNK_DOCS)
            .map(|chunk| {
                let mut g = vec![0f64; dim * dim];
                let mut v = vec![0f32; dim];
                let mut wide = vec![0f64; dim];
                for &row in chunk {
                    self.average(corpus.ids(row), &mut v);
                    for (w, &x) in wide.iter_mut().zip(&v) {
                        *w = f64::from(x);
                    }
                    add_outer_upper(&mut g, &wide);
                }
                g
            })
            .collect();
        let gram = Dense::symmetric_from_upper(dim, &partials);
        let (values, vectors) = symmetric_eigen(&gram);
        if values.first().is_some_and(|&v| v > 0.0) {
            self.common = (0..dim).map(|k| vectors.data[k * dim] as f32).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedding_is_unit_length_and_empty_docs_have_none() {
        let vectors = WordVectors {
            dim: 2,
            data: vec![1.0, 0.0, 0.0, 1.0],
        };
        let corpus = Corpus::from_counts(vec![10, 1]);
        let embedder = Embedder::new(&corpus, &vectors, 0.03);
        let mut out = vec![0.0; 2];
        assert!(!embedder.embed(&[], &mut out));
        assert!(embedder.embed(&[0, 1], &mut out));
        let norm: f32 = out.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // The rare word weighs more.
        assert!(out[1] > out[0]);
    }
}
