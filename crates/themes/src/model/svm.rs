//! Linear SVMs (L2-regularised squared hinge loss) trained by dual coordinate descent, as liblinear's
//! `-s 1` (Hsieh et al., 2008), for many binary problems ("lanes") on the same documents at once.
//!
//! Lanes are trained in lockstep: every lane visits the documents in the same shuffled order, and the
//! weights are stored feature-major (the weights of all lanes for one feature side by side). A document's
//! scores for every lane are then one pass over its features with contiguous, vectorisable rows, instead
//! of one pass per lane: about ten times faster for 40-odd labels. Each lane may scale the features by its
//! own factors (the naive-Bayes ratios of NBSVM) and have its own `C`.
//!
//! Given the same problem and seed, the result is the same bit for bit: one thread, fixed order.

use super::features::Csr;

/// A training problem: `rows` of `x`, each with a target per lane.
#[derive(Debug)]
pub(crate) struct Problem<'a> {
    /// The documents.
    pub x: &'a Csr,
    /// Which rows of `x` to train on.
    pub rows: &'a [usize],
    /// Row-major targets, `rows.len() × lanes`: +1, −1, or 0 to leave the row out of that lane.
    pub y: &'a [i8],
    /// How many lanes.
    pub lanes: usize,
    /// Feature-major squared feature scales, `x.columns × lanes` (the NB ratio squared; 1 for none).
    pub scale: &'a [f32],
    /// The cost `C` of each lane: lower is smoother.
    pub c: &'a [f32],
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Stop when every lane's projected-gradient spread is below this (liblinear's `-e`; 0.1 is its
    /// default for the dual solvers and gives the same F1 as tighter values at a fraction of the epochs).
    pub tolerance: f32,
    /// Stop after this many passes over the documents whatever the gradient says.
    pub max_epochs: usize,
    /// Seed of the document order.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tolerance: 0.1,
            max_epochs: 200,
            seed: 1,
        }
    }
}

/// Trained lanes: `score = bias + Σ value × weight`, on the *unscaled* features (the lane's scale is folded
/// into its weights).
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    /// How many lanes.
    pub lanes: usize,
    /// The lanes padded to a multiple of [`LANE_GROUP`]: the row length of `w` and the length of `bias`.
    pub stride: usize,
    /// Feature-major weights, `columns × stride` (padding lanes are 0).
    pub w: Vec<f32>,
    /// One bias per lane (and 0 for the padding).
    pub bias: Vec<f32>,
    /// Epochs run.
    pub epochs: usize,
}

impl Weights {
    /// Every lane's score for one row of `x`, into `out` (length `stride`).
    #[inline]
    pub(crate) fn scores(&self, x: &Csr, row: usize, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        let (indices, values) = x.row(row);
        let stride = self.stride;
        for (&j, &v) in indices.iter().zip(values) {
            let start = j as usize * stride;
            axpy(out, v, &self.w[start..start + stride]);
        }
    }

    /// Weights from unpadded rows (`columns × lanes`) and biases.
    pub(crate) fn from_unpadded(lanes: usize, w: &[f32], bias: &[f32], epochs: usize) -> Weights {
        let stride = padded(lanes);
        let mut padded_w = vec![0.0; w.len() / lanes.max(1) * stride];
        for (to, from) in padded_w
            .chunks_exact_mut(stride)
            .zip(w.chunks_exact(lanes.max(1)))
        {
            to[..lanes].copy_from_slice(from);
        }
        let mut padded_bias = vec![0.0; stride];
        padded_bias[..lanes].copy_from_slice(bias);
        Weights {
            lanes,
            stride,
            w: padded_w,
            bias: padded_bias,
            epochs,
        }
    }

    /// The lanes `keep`, in that order.
    pub(crate) fn select(&self, keep: &[usize]) -> Weights {
        let stride = padded(keep.len());
        let mut w = Vec::with_capacity(self.w.len() / self.stride.max(1) * stride);
        for row in self.w.chunks_exact(self.stride.max(1)) {
            w.extend(keep.iter().map(|&l| row[l]));
            w.extend(std::iter::repeat_n(0.0, stride - keep.len()));
        }
        let mut bias: Vec<f32> = keep.iter().map(|&l| self.bias[l]).collect();
        bias.resize(stride, 0.0);
        Weights {
            lanes: keep.len(),
            stride,
            w,
            bias,
            epochs: self.epochs,
        }
    }

    /// The weights without padding, row by row, then the biases.
    pub(crate) fn unpadded(&self) -> (impl Iterator<Item = f32> + '_, &[f32]) {
        let lanes = self.lanes;
        let w = self
            .w
            .chunks_exact(self.stride.max(1))
            .flat_map(move |row| row[..lanes].iter().copied());
        (w, &self.bias[..lanes])
    }
}

/// A small deterministic generator (SplitMix64) for shuffles: seeded, and the same on every platform.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x853c_49e6_748f_ea9b)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        super::features::mix(self.0)
    }

    /// A uniform integer below `n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Fisher–Yates.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Lanes are processed in groups of this many, which the compiler turns into SIMD; problems pad their
/// lane count to a multiple of it ([`padded`]).
pub(crate) const LANE_GROUP: usize = 8;

/// `lanes` rounded up to a multiple of [`LANE_GROUP`].
pub(crate) fn padded(lanes: usize) -> usize {
    lanes.div_ceil(LANE_GROUP) * LANE_GROUP
}

/// `acc += v · row`, in groups of [`LANE_GROUP`] (lengths are multiples of it).
#[inline(always)]
pub(crate) fn axpy(acc: &mut [f32], v: f32, row: &[f32]) {
    for (a, r) in acc
        .chunks_exact_mut(LANE_GROUP)
        .zip(row.chunks_exact(LANE_GROUP))
    {
        for i in 0..LANE_GROUP {
            a[i] += v * r[i];
        }
    }
}

/// `w += v · d ∘ s`, in groups of [`LANE_GROUP`].
#[inline(always)]
fn scaled_axpy(w: &mut [f32], v: f32, d: &[f32], s: &[f32]) {
    for ((wc, dc), sc) in w
        .chunks_exact_mut(LANE_GROUP)
        .zip(d.chunks_exact(LANE_GROUP))
        .zip(s.chunks_exact(LANE_GROUP))
    {
        for i in 0..LANE_GROUP {
            wc[i] += v * dc[i] * sc[i];
        }
    }
}

/// Trains every lane of `problem`. A lane count that is a multiple of [`LANE_GROUP`] saves a padded copy of
/// the problem (padding lanes have target 0 and train nothing).
pub(crate) fn train(problem: &Problem<'_>, settings: Settings) -> Weights {
    if !problem.lanes.is_multiple_of(LANE_GROUP) {
        let (lanes, stride) = (problem.lanes, padded(problem.lanes));
        let pad = |v: &[f32], fill: f32| -> Vec<f32> {
            v.chunks_exact(lanes)
                .flat_map(|row| {
                    row.iter()
                        .copied()
                        .chain(std::iter::repeat_n(fill, stride - lanes))
                })
                .collect()
        };
        let y: Vec<i8> = problem
            .y
            .chunks_exact(lanes)
            .flat_map(|row| {
                row.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0, stride - lanes))
            })
            .collect();
        let scale = pad(problem.scale, 0.0);
        let c = pad(problem.c, 1.0);
        let mut weights = train(
            &Problem {
                lanes: stride,
                y: &y,
                scale: &scale,
                c: &c,
                ..*problem
            },
            settings,
        );
        weights.lanes = lanes;
        return weights;
    }
    let lanes = problem.lanes;
    let n = problem.rows.len();
    let columns = problem.x.columns;
    debug_assert_eq!(problem.y.len(), n * lanes);
    debug_assert_eq!(problem.scale.len(), columns * lanes);
    // w here is u = w'∘r: the weights on unscaled features. Updating it by the square of the scale is the
    // same as liblinear's update of w' on scaled features, without building a scaled copy of x per lane.
    let mut w = vec![0.0f32; columns * lanes];
    let mut bias = vec![0.0f32; lanes];
    let mut alpha = vec![0.0f32; n * lanes];
    let diag: Vec<f32> = problem.c.iter().map(|&c| 0.5 / c).collect();

    // Q_ii + D_ii per row and lane; the bias is a feature of value 1, regularised like liblinear's.
    let mut qd = vec![0.0f32; n * lanes];
    for (k, &r) in problem.rows.iter().enumerate() {
        let q = &mut qd[k * lanes..(k + 1) * lanes];
        for (qv, &d) in q.iter_mut().zip(&diag) {
            *qv = 1.0 + d;
        }
        let (indices, values) = problem.x.row(r);
        for (&j, &v) in indices.iter().zip(values) {
            let s = &problem.scale[j as usize * lanes..(j as usize + 1) * lanes];
            for (qv, &s) in q.iter_mut().zip(s) {
                *qv += v * v * s;
            }
        }
    }

    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(settings.seed);
    let mut scores = vec![0.0f32; lanes];
    let mut delta = vec![0.0f32; lanes];
    let mut changed: Vec<usize> = Vec::with_capacity(lanes);
    let mut pg_max = vec![0.0f32; lanes];
    let mut pg_min = vec![0.0f32; lanes];
    let mut epochs = 0;
    while epochs < settings.max_epochs {
        epochs += 1;
        rng.shuffle(&mut order);
        pg_max.fill(f32::NEG_INFINITY);
        pg_min.fill(f32::INFINITY);
        for &k in &order {
            let r = problem.rows[k];
            let (indices, values) = problem.x.row(r);
            scores.copy_from_slice(&bias);
            for (&j, &v) in indices.iter().zip(values) {
                let start = j as usize * lanes;
                axpy(&mut scores, v, &w[start..start + lanes]);
            }
            changed.clear();
            let ys = &problem.y[k * lanes..(k + 1) * lanes];
            let alphas = &mut alpha[k * lanes..(k + 1) * lanes];
            let qs = &qd[k * lanes..(k + 1) * lanes];
            for l in 0..lanes {
                delta[l] = 0.0;
                let y = f32::from(ys[l]);
                if y == 0.0 {
                    continue;
                }
                let a = alphas[l];
                let g = y * scores[l] - 1.0 + diag[l] * a;
                let pg = if a == 0.0 { g.min(0.0) } else { g };
                pg_max[l] = pg_max[l].max(pg);
                pg_min[l] = pg_min[l].min(pg);
                if pg.abs() > 1e-12 {
                    let new = (a - g / qs[l]).max(0.0);
                    if new != a {
                        delta[l] = (new - a) * y;
                        alphas[l] = new;
                        changed.push(l);
                    }
                }
            }
            if changed.is_empty() {
                continue;
            }
            for &l in &changed {
                bias[l] += delta[l];
            }
            if changed.len() * 4 <= lanes {
                // Few lanes moved (the usual case once most documents are settled): strided updates
                // touch only their columns.
                for &l in &changed {
                    let d = delta[l];
                    for (&j, &v) in indices.iter().zip(values) {
                        let at = j as usize * lanes + l;
                        w[at] += v * d * problem.scale[at];
                    }
                }
            } else {
                for (&j, &v) in indices.iter().zip(values) {
                    let start = j as usize * lanes;
                    scaled_axpy(
                        &mut w[start..start + lanes],
                        v,
                        &delta,
                        &problem.scale[start..start + lanes],
                    );
                }
            }
        }
        let converged = (0..lanes)
            .all(|l| pg_max[l] == f32::NEG_INFINITY || pg_max[l] - pg_min[l] <= settings.tolerance);
        if converged {
            break;
        }
    }
    Weights {
        lanes,
        stride: lanes,
        w,
        bias,
        epochs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two features; lane 0 is "feature 0 present", lane 1 the opposite, lane 2 ignores odd rows.
    fn toy() -> (Csr, Vec<i8>) {
        let rows = vec![
            vec![(0, 1.0)],
            vec![(1, 1.0)],
            vec![(0, 0.8), (1, 0.6)],
            vec![(1, 0.9)],
            vec![(0, 1.0)],
            vec![(1, 1.0)],
        ];
        let x = Csr::from_rows(2, &rows);
        let y = vec![
            1, -1, 1, //
            -1, 1, 0, //
            1, -1, 1, //
            -1, 1, 0, //
            1, -1, 1, //
            -1, 1, 0,
        ];
        (x, y)
    }

    /// The weights learnt on [`toy`] with per-feature `scale` (2 features × 3 lanes) and cost `c` in
    /// every lane, and the toy's matrix for scoring.
    fn train_toy(scale: &[f32], c: f32) -> (Weights, Csr) {
        let (x, y) = toy();
        let rows: Vec<usize> = (0..6).collect();
        let problem = Problem {
            x: &x,
            rows: &rows,
            y: &y,
            lanes: 3,
            scale,
            c: &[c, c, c],
        };
        (train(&problem, Settings::default()), x)
    }

    #[test]
    fn separable_lanes_are_learnt_in_lockstep() {
        let (weights, x) = train_toy(&[1.0; 6], 10.0);
        let mut s = vec![0.0; weights.stride];
        for r in 0..6 {
            weights.scores(&x, r, &mut s);
            let expected = if r % 2 == 0 { 1.0 } else { -1.0 };
            assert!(s[0] * expected > 0.0, "row {r}: {s:?}");
            assert!(s[1] * expected < 0.0, "row {r}: {s:?}");
        }
        // Lane 2 saw only positives: everything scores positive there.
        weights.scores(&x, 1, &mut s);
        assert!(s[2] > 0.0);
        assert!(weights.epochs < 200, "converged");
    }

    #[test]
    fn lower_cost_means_smaller_weights() {
        let (soft, _) = train_toy(&[1.0; 6], 0.01);
        let (hard, _) = train_toy(&[1.0; 6], 10.0);
        assert!(soft.w[0].abs() < hard.w[0].abs());
    }

    #[test]
    fn a_zero_scale_silences_a_feature() {
        // NB scaling by 0 means "this feature says nothing about the label": it must get no weight even
        // though it separates the data.
        let (weights, _) = train_toy(&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0], 1.0);
        let (w, _) = weights.unpadded();
        let w: Vec<f32> = w.collect();
        assert_eq!(&w[..3], &[0.0, 0.0, 0.0]);
        assert!(w[3] < 0.0 && w[4] > 0.0);
    }

    #[test]
    fn the_same_seed_gives_the_same_weights() {
        let (a, _) = train_toy(&[1.0; 6], 0.1);
        let (b, _) = train_toy(&[1.0; 6], 0.1);
        assert_eq!(a.w, b.w);
        assert_eq!(a.bias, b.bias);
    }

    #[test]
    fn shuffles_are_permutations() {
        let mut v: Vec<usize> = (0..100).collect();
        Rng::new(7).shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
