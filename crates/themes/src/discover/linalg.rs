//! The little linear algebra discovery needs: a sparse matrix (CSR) times a dense one, Gram matrices,
//! symmetric eigendecomposition (Jacobi) and orthonormalisation, and the randomized SVD built from them.
//!
//! Hand-written rather than a BLAS/LAPACK binding or `nalgebra`/`ndarray`: the matrices are small (the
//! dense ones are at most vocabulary × ~120), the only decompositions needed are of matrices of at most
//! ~120 × 120, and a C toolchain dependency or a large crate would cost more build time than these ~300
//! lines. Every parallel reduction sums fixed-size chunks in a fixed order, so results do not depend on
//! the number of threads.

use rayon::prelude::*;

use super::rng::Rng;

/// Rows per parallel chunk of a reduction. Fixed (not derived from the thread count) so that floating-
/// point sums are added in the same order on every machine.
const CHUNK_ROWS: usize = 512;

/// A dense row-major matrix of `f64`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Dense {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f64>,
}

impl Dense {
    /// A `rows × cols` matrix of zeros.
    pub(crate) fn zeros(rows: usize, cols: usize) -> Dense {
        Dense {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `i`.
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// `self · small`, where `small` is `self.cols × small.cols`.
    pub(crate) fn mul_small(&self, small: &Dense) -> Dense {
        debug_assert_eq!(self.cols, small.rows);
        let mut out = Dense::zeros(self.rows, small.cols);
        if small.cols == 0 {
            return out;
        }
        out.data
            .par_chunks_mut(small.cols)
            .enumerate()
            .for_each(|(i, out_row)| {
                for (k, &a) in self.row(i).iter().enumerate() {
                    if a != 0.0 {
                        for (o, &b) in out_row.iter_mut().zip(small.row(k)) {
                            *o += a * b;
                        }
                    }
                }
            });
        out
    }

    /// `selfᵀ · self` (`cols × cols`), summed over fixed chunks of rows.
    pub(crate) fn gram(&self) -> Dense {
        let n = self.cols;
        let partials: Vec<Vec<f64>> = self
            .data
            .par_chunks(CHUNK_ROWS * n.max(1))
            .map(|chunk| {
                let mut g = vec![0.0; n * n];
                for row in chunk.chunks_exact(n.max(1)) {
                    add_outer_upper(&mut g, row);
                }
                g
            })
            .collect();
        Dense::symmetric_from_upper(n, &partials)
    }

    /// The symmetric `n × n` matrix whose upper triangle is the sum of `partials` (each `n × n`,
    /// row-major, upper triangle filled), summed in their order so the result does not depend on threads.
    pub(crate) fn symmetric_from_upper(n: usize, partials: &[Vec<f64>]) -> Dense {
        let mut g = Dense::zeros(n, n);
        for partial in partials {
            for (a, b) in g.data.iter_mut().zip(partial) {
                *a += b;
            }
        }
        for i in 0..n {
            for j in 0..i {
                g.data[i * n + j] = g.data[j * n + i];
            }
        }
        g
    }
}

/// Adds the outer product `row · rowᵀ` to the upper triangle of `g` (`row.len()` squared, row-major).
pub(crate) fn add_outer_upper(g: &mut [f64], row: &[f64]) {
    let n = row.len();
    for (i, &a) in row.iter().enumerate() {
        if a != 0.0 {
            for (g, &b) in g[i * n + i..(i + 1) * n].iter_mut().zip(&row[i..]) {
                *g += a * b;
            }
        }
    }
}

/// A sparse matrix in compressed sparse row form, with `f32` values.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) indptr: Vec<usize>,
    pub(crate) indices: Vec<u32>,
    pub(crate) values: Vec<f32>,
}

impl Csr {
    /// The transpose, by counting sort (columns come out sorted within each row).
    pub(crate) fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.cols + 1];
        for &j in &self.indices {
            counts[j as usize + 1] += 1;
        }
        for j in 0..self.cols {
            counts[j + 1] += counts[j];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.indices.len()];
        let mut values = vec![0f32; self.values.len()];
        for i in 0..self.rows {
            for k in self.indptr[i]..self.indptr[i + 1] {
                let j = self.indices[k] as usize;
                indices[next[j]] = i as u32;
                values[next[j]] = self.values[k];
                next[j] += 1;
            }
        }
        Csr {
            rows: self.cols,
            cols: self.rows,
            indptr,
            indices,
            values,
        }
    }

    /// `self · x` for a dense `x` (`self.cols × x.cols`); each output row is computed by one thread in
    /// column order, so the result is the same on any number of threads.
    pub(crate) fn mul_dense(&self, x: &Dense) -> Dense {
        debug_assert_eq!(self.cols, x.rows);
        let mut out = Dense::zeros(self.rows, x.cols);
        if x.cols == 0 {
            return out;
        }
        out.data
            .par_chunks_mut(x.cols)
            .enumerate()
            .for_each(|(i, out_row)| {
                for k in self.indptr[i]..self.indptr[i + 1] {
                    let v = f64::from(self.values[k]);
                    for (o, &b) in out_row.iter_mut().zip(x.row(self.indices[k] as usize)) {
                        *o += v * b;
                    }
                }
            });
        out
    }
}

/// Eigenvalues (descending) and eigenvectors (as the columns of a matrix) of a symmetric matrix, by the
/// cyclic Jacobi method: slow for big matrices but exact to rounding and simple, and ours are ≤ ~120².
pub(crate) fn symmetric_eigen(a: &Dense) -> (Vec<f64>, Dense) {
    let n = a.rows;
    let mut m = a.data.clone();
    let mut v = Dense::zeros(n, n);
    for i in 0..n {
        v.data[i * n + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-14 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let app = m[p * n + p];
                let aqq = m[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = m[k * n + p];
                    let akq = m[k * n + q];
                    m[k * n + p] = c * akp - s * akq;
                    m[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = m[p * n + k];
                    let aqk = m[q * n + k];
                    m[p * n + k] = c * apk - s * aqk;
                    m[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v.data[k * n + p];
                    let vkq = v.data[k * n + q];
                    v.data[k * n + p] = c * vkp - s * vkq;
                    v.data[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vectors = Dense::zeros(n, n);
    for (new, &old) in order.iter().enumerate() {
        for k in 0..n {
            vectors.data[k * n + new] = v.data[k * n + old];
        }
    }
    (values, vectors)
}

/// An orthonormal basis of the column space of `y` (tall), as a matrix with orthonormal columns, from
/// the eigendecomposition of the Gram matrix: columns whose eigenvalue is negligible are dropped, so a
/// rank-deficient `y` gives fewer columns rather than NaNs. One pass loses some orthogonality when `y` is
/// ill-conditioned (the error grows with the square of its condition number); a second pass on the result
/// restores it (as in CholeskyQR2).
pub(crate) fn orthonormalise(y: &Dense) -> Dense {
    let (values, vectors) = symmetric_eigen(&y.gram());
    let top = values.first().copied().unwrap_or(0.0);
    let keep: Vec<usize> = (0..values.len())
        .filter(|&i| top > 0.0 && values[i] > top * 1e-12)
        .collect();
    let mut t = Dense::zeros(y.cols, keep.len());
    for (new, &i) in keep.iter().enumerate() {
        let scale = 1.0 / values[i].sqrt();
        for k in 0..y.cols {
            t.data[k * keep.len() + new] = vectors.data[k * y.cols + i] * scale;
        }
    }
    y.mul_small(&t)
}

/// The leading `rank` left singular vectors and singular values of `m` (whose transpose is `mt`), by
/// randomized SVD (Halko, Martinsson & Tropp 2011): project onto a random Gaussian subspace a little
/// larger than `rank`, sharpen it with `power_iterations` rounds of `m mᵀ`, then take the exact SVD of the
/// small projected matrix. Fewer than `rank` vectors come back when `m` has lower rank.
pub(crate) fn randomized_svd(
    m: &Csr,
    mt: &Csr,
    rank: usize,
    oversample: usize,
    power_iterations: usize,
    rng: &mut Rng,
) -> (Dense, Vec<f64>) {
    let width = (rank + oversample).min(m.rows).min(m.cols);
    let mut omega = Dense::zeros(m.cols, width);
    for x in &mut omega.data {
        *x = rng.normal();
    }
    // Between power iterations one orthonormalising pass is enough (its small loss of orthogonality is
    // washed out by the next product); the basis the SVD is taken in gets two.
    let mut q = orthonormalise(&m.mul_dense(&omega));
    for _ in 0..power_iterations {
        q = orthonormalise(&mt.mul_dense(&q));
        q = orthonormalise(&m.mul_dense(&q));
    }
    if q.cols > 0 {
        q = orthonormalise(&q);
    }
    // B = qᵀ m; its left singular vectors are the eigenvectors of B Bᵀ = (mᵀ q)ᵀ (mᵀ q).
    let bt = mt.mul_dense(&q);
    let (values, vectors) = symmetric_eigen(&bt.gram());
    let keep = values
        .iter()
        .take(rank)
        .take_while(|&&v| v > values[0] * 1e-12 && v > 0.0)
        .count();
    let mut w = Dense::zeros(q.cols, keep);
    for k in 0..q.cols {
        for j in 0..keep {
            w.data[k * keep + j] = vectors.data[k * q.cols + j];
        }
    }
    let singular = values[..keep].iter().map(|v| v.sqrt()).collect();
    (q.mul_small(&w), singular)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(rows: usize, cols: usize, dense: &[f32]) -> Csr {
        let mut m = Csr {
            rows,
            cols,
            indptr: vec![0],
            ..Csr::default()
        };
        for i in 0..rows {
            for j in 0..cols {
                if dense[i * cols + j] != 0.0 {
                    m.indices.push(j as u32);
                    m.values.push(dense[i * cols + j]);
                }
            }
            m.indptr.push(m.indices.len());
        }
        m
    }

    #[test]
    fn jacobi_finds_known_eigenvalues() {
        let a = Dense {
            rows: 2,
            cols: 2,
            data: vec![2.0, 1.0, 1.0, 2.0],
        };
        let (values, vectors) = symmetric_eigen(&a);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        assert!((vectors.data[0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn orthonormalise_drops_dependent_columns() {
        let y = Dense {
            rows: 3,
            cols: 2,
            data: vec![1.0, 2.0, 1.0, 2.0, 0.0, 0.0],
        };
        let q = orthonormalise(&y);
        assert_eq!(q.cols, 1);
        assert_eq!(orthonormalise(&Dense::zeros(3, 2)).cols, 0);
        let g = q.gram();
        assert!((g.data[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn randomized_svd_recovers_a_low_rank_matrix() {
        // Rank 2: singular values 3 and 1 on orthogonal patterns.
        let dense = [
            3.0, 3.0, 0.0, 0.0, //
            3.0, 3.0, 0.0, 0.0, //
            0.0, 0.0, 1.0, 1.0, //
            0.0, 0.0, 1.0, 1.0,
        ];
        let m = csr(4, 4, &dense);
        let (u, s) = randomized_svd(&m, &m.transpose(), 3, 2, 1, &mut Rng::new(1));
        assert_eq!(s.len(), 2);
        assert!(
            (s[0] - 6.0).abs() < 1e-9 && (s[1] - 2.0).abs() < 1e-9,
            "{s:?}"
        );
        assert!((u.data[0].abs() - 0.5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn transpose_round_trips() {
        let m = csr(2, 3, &[1.0, 0.0, 2.0, 0.0, 3.0, 0.0]);
        let t = m.transpose();
        assert_eq!((t.rows, t.cols), (3, 2));
        assert_eq!(t.indptr, vec![0, 1, 2, 3]);
        assert_eq!(t.values, vec![1.0, 3.0, 2.0]);
        let back = t.transpose();
        assert_eq!(back.indices, m.indices);
    }
}
