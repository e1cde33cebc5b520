//! Spherical k-means (Dhillon & Modha 2001) with k-means++ seeding: clusters of unit vectors by cosine,
//! with centroids renormalised to unit length. Several restarts, keeping the best total cosine, because
//! one unlucky seeding can merge two themes and split another.
//!
//! Two things keep it fast without changing what it computes: Hamerly's bounds (2010) skip the points
//! that cannot have changed centroid since the last iteration, and the cosines of a point with all
//! centroids are computed in register tiles. On large inputs the restarts run on a sample and only the
//! best is refined on all points.

use rayon::prelude::*;

use super::rng::{Rng, sample_indices};

/// Points per chunk of a parallel reduction: fixed, so that sums are added in the same order on any
/// number of threads and the result is byte-for-byte reproducible.
const CHUNK: usize = 1024;

/// Unit vectors, row-major.
#[derive(Clone, Debug, Default)]
pub(crate) struct Points {
    pub(crate) dim: usize,
    pub(crate) data: Vec<f32>,
}

impl Points {
    /// The number of points.
    pub(crate) fn len(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Point `i`.
    pub(crate) fn get(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// How hard to search.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KMeansOptions {
    /// Independent seedings; the best is kept.
    pub(crate) restarts: usize,
    /// Most Lloyd iterations per restart (fewer when assignments stop changing).
    pub(crate) iterations: usize,
    /// Most points the restarts run on: beyond it, restarts run on a sample and the best is refined on
    /// all points, which on large inputs costs a fraction of running every restart on all of them (the
    /// restarts only have to find a good basin; refining from there takes few iterations, and the bounds
    /// skip nearly every point).
    pub(crate) restart_points: usize,
}

/// Centroids per scoring tile: the cosines of a few points with this many centroids at once stay in
/// registers.
const TILE: usize = 8;
/// Points scored together, so each centroid value loaded serves four multiply-adds.
const BLOCK: usize = 4;

/// Centroids laid out for fast scoring: in tiles of [`TILE`] centroids, dimension-major within a tile, so
/// that a block of points is scored against a tile with every running sum in a register and every sum
/// added in dimension order (vectorised across centroids, never reassociated, so results are exact
/// functions of the inputs whatever the blocking).
#[derive(Clone, Debug)]
pub(crate) struct Centroids {
    pub(crate) k: usize,
    dim: usize,
    tiles: Vec<f32>,
}

impl Centroids {
    /// From `k` row-major unit centroids.
    pub(crate) fn new(rows: &[f32], dim: usize) -> Centroids {
        let k = rows.len().checked_div(dim).unwrap_or(0);
        let tiles = k.div_ceil(TILE);
        let mut data = vec![0f32; tiles * dim * TILE];
        for c in 0..k {
            let (t, lane) = (c / TILE, c % TILE);
            for j in 0..dim {
                data[(t * dim + j) * TILE + lane] = rows[c * dim + j];
            }
        }
        Centroids {
            k,
            dim,
            tiles: data,
        }
    }

    /// Centroid `c`, copied out.
    pub(crate) fn row(&self, c: usize) -> Vec<f32> {
        let (t, lane) = (c / TILE, c % TILE);
        (0..self.dim)
            .map(|j| self.tiles[(t * self.dim + j) * TILE + lane])
            .collect()
    }

    /// The two most similar centroids' cosines for each of `BLOCK` points: (best centroid, its cosine,
    /// the second-best cosine).
    fn top2_block(&self, xs: [&[f32]; BLOCK]) -> [(usize, f32, f32); BLOCK] {
        let dim = self.dim;
        let xs = xs.map(|x| &x[..dim]);
        let mut best = [(0usize, f32::NEG_INFINITY, f32::NEG_INFINITY); BLOCK];
        for (t, tile) in self.tiles.chunks_exact(dim * TILE).enumerate() {
            let mut acc = [[0f32; TILE]; BLOCK];
            for (j, c) in tile.chunks_exact(TILE).enumerate() {
                for p in 0..BLOCK {
                    let x = xs[p][j];
                    for l in 0..TILE {
                        acc[p][l] += x * c[l];
                    }
                }
            }
            for p in 0..BLOCK {
                for (l, &s) in acc[p].iter().enumerate() {
                    let c = t * TILE + l;
                    if c >= self.k {
                        break;
                    }
                    if s > best[p].1 {
                        best[p] = (c, s, best[p].1);
                    } else if s > best[p].2 {
                        best[p].2 = s;
                    }
                }
            }
        }
        best
    }

    /// The most similar centroid to `x` and the cosine (the same result as scoring it in a block).
    pub(crate) fn nearest(&self, x: &[f32]) -> (usize, f32) {
        let (c, s, _) = self.top2_block([x; BLOCK])[0];
        (c, s)
    }

    /// [`Centroids::top2_block`] for many points, in blocks; `f` gets each point's position in the
    /// iterator and its result.
    fn top2_all<'x>(
        &self,
        points: impl Iterator<Item = &'x [f32]>,
        mut f: impl FnMut(usize, (usize, f32, f32)),
    ) {
        let mut block: [&[f32]; BLOCK] = [&[]; BLOCK];
        let mut filled = 0;
        let mut start = 0;
        for (i, x) in points.enumerate() {
            if filled == 0 {
                start = i;
            }
            block[filled] = x;
            filled += 1;
            if filled == BLOCK {
                for (o, b) in self.top2_block(block).into_iter().enumerate() {
                    f(start + o, b);
                }
                filled = 0;
            }
        }
        if filled > 0 {
            for slot in filled..BLOCK {
                block[slot] = block[0];
            }
            for (o, b) in self.top2_block(block).into_iter().take(filled).enumerate() {
                f(start + o, b);
            }
        }
    }
}

/// A clustering of the points.
#[derive(Clone, Debug)]
pub(crate) struct Clustering {
    /// The centroids (possibly fewer than asked, when there are fewer distinct points).
    pub(crate) centroids: Centroids,
    /// The centroids, row-major.
    rows: Vec<f32>,
    /// Total cosine of the points with their centroids (higher is better).
    pub(crate) objective: f64,
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight running sums: lets the compiler vectorise without reassociating one long sum.
    let mut acc = [0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() / 8 * 8);
    let (b8, b_rest) = b.split_at(a8.len());
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// k-means++ seeding on the sphere: each new centroid is a point drawn with probability proportional
/// to its squared distance (2 − 2·cos) from the nearest centroid so far. Stops early when every point
/// coincides with a centroid (fewer distinct points than `k`).
fn seed(points: &Points, k: usize, rng: &mut Rng) -> Vec<f32> {
    let n = points.len();
    let mut rows: Vec<f32> = Vec::with_capacity(k * points.dim);
    rows.extend_from_slice(points.get(rng.below(n)));
    let mut best = vec![f32::NEG_INFINITY; n];
    while rows.len() / points.dim < k {
        let newest = &rows[rows.len() - points.dim..];
        let weights: Vec<f64> = best
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(chunk, best)| {
                let mut total = 0f64;
                for (o, b) in best.iter_mut().enumerate() {
                    let s = dot(points.get(chunk * CHUNK + o), newest);
                    if s > *b {
                        *b = s;
                    }
                    total += f64::from((2.0 - 2.0 * *b).max(0.0));
                }
                total
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if total <= 1e-9 {
            break;
        }
        let mut target = rng.next_f64() * total;
        // Find the chunk, then the point, without a second pass over all points.
        let mut chunk = 0;
        while chunk + 1 < weights.len() && target >= weights[chunk] {
            target -= weights[chunk];
            chunk += 1;
        }
        let start = chunk * CHUNK;
        let end = (start + CHUNK).min(n);
        let mut chosen = end - 1;
        for (i, &b) in best[start..end].iter().enumerate() {
            let w = f64::from((2.0 - 2.0 * b).max(0.0));
            if target < w {
                chosen = start + i;
                break;
            }
            target -= w;
        }
        rows.extend_from_slice(points.get(chosen));
    }
    rows
}

/// The Euclidean distance between unit vectors with cosine `cos`: ordering by it is ordering by cosine,
/// and unlike the cosine it obeys the triangle inequality that Hamerly's bounds need.
fn distance(cos: f32) -> f32 {
    (2.0 - 2.0 * cos).max(0.0).sqrt()
}

/// Slack added to the bounds test, so that rounding in a cosine never lets a point skip a comparison it
/// needed; it only costs a few extra comparisons.
const SLACK: f32 = 1e-4;

/// Per point: its centroid, an upper bound on the distance to it, and a lower bound on the distance to
/// any other centroid (Hamerly 2010).
#[derive(Clone, Copy, Debug)]
struct Bounds {
    label: u32,
    upper: f32,
    lower: f32,
}

/// Total cosine of every point with its nearest centroid.
fn objective(points: &Points, centroids: &Centroids) -> f64 {
    let partials: Vec<f64> = (0..points.len().div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let end = ((chunk + 1) * CHUNK).min(points.len());
            let mut total = 0f64;
            centroids.top2_all(
                (chunk * CHUNK..end).map(|i| points.get(i)),
                |_, (_, s, _)| {
                    total += f64::from(s);
                },
            );
            total
        })
        .collect();
    partials.iter().sum()
}

/// Per-cluster sums of the points and counts, over fixed chunks added in order.
fn cluster_sums(points: &Points, bounds: &[Bounds], k: usize) -> (Vec<f64>, Vec<u64>) {
    let dim = points.dim;
    let partials: Vec<(Vec<f64>, Vec<u64>)> = bounds
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, bounds)| {
            let mut sums = vec![0f64; k * dim];
            let mut counts = vec![0u64; k];
            for (o, b) in bounds.iter().enumerate() {
                let c = b.label as usize;
                counts[c] += 1;
                let sum = &mut sums[c * dim..(c + 1) * dim];
                for (s, &v) in sum.iter_mut().zip(points.get(chunk * CHUNK + o)) {
                    *s += f64::from(v);
                }
            }
            (sums, counts)
        })
        .collect();
    let mut sums = vec![0f64; k * dim];
    let mut counts = vec![0u64; k];
    for (s, c) in &partials {
        sums.iter_mut().zip(s).for_each(|(a, b)| *a += b);
        counts.iter_mut().zip(c).for_each(|(a, b)| *a += b);
    }
    (sums, counts)
}

/// Lloyd iterations from the centroids `rows` until the assignments settle, with Hamerly's bounds to
/// skip the points that cannot have changed centroid (after the first few iterations, nearly all). The
/// assignments are those of plain Lloyd iterations, up to rounding within [`SLACK`].
fn lloyd(points: &Points, mut rows: Vec<f32>, iterations: usize) -> Clustering {
    let dim = points.dim;
    let n = points.len();
    let k = rows.len() / dim;
    let mut centroids = Centroids::new(&rows, dim);
    let mut bounds = vec![
        Bounds {
            label: 0,
            upper: 0.0,
            lower: 0.0,
        };
        n
    ];
    bounds
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, bounds)| {
            let base = chunk * CHUNK;
            centroids.top2_all(
                (0..bounds.len()).map(|o| points.get(base + o)),
                |o, (c, s, second)| {
                    bounds[o] = Bounds {
                        label: c as u32,
                        upper: distance(s),
                        lower: distance(second),
                    };
                },
            );
        });
    for _ in 0..iterations.saturating_sub(1) {
        // Move each centroid to the normalised mean of its points; an emptied cluster takes the point
        // with the loosest bound (the worst served), so k clusters stay in play.
        let (sums, counts) = cluster_sums(points, &bounds, k);
        let mut moved = vec![0f32; k];
        let mut taken: Vec<usize> = Vec::new();
        for c in 0..k {
            let sum = &sums[c * dim..(c + 1) * dim];
            let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
            let new: Vec<f32> = if counts[c] > 0 && norm > 0.0 {
                sum.iter().map(|&x| (x / norm) as f32).collect()
            } else {
                let worst = (0..n)
                    .filter(|p| !taken.contains(p))
                    .max_by(|&a, &b| bounds[a].upper.total_cmp(&bounds[b].upper).then(b.cmp(&a)));
                match worst {
                    Some(p) => {
                        taken.push(p);
                        points.get(p).to_vec()
                    }
                    None => rows[c * dim..(c + 1) * dim].to_vec(),
                }
            };
            let old = &mut rows[c * dim..(c + 1) * dim];
            moved[c] = old
                .iter()
                .zip(&new)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f32>()
                .sqrt();
            old.copy_from_slice(&new);
        }
        centroids = Centroids::new(&rows, dim);
        // Half the distance from each centroid to its nearest other: a point closer than that to its
        // own centroid cannot be closer to another.
        let half_gap: Vec<f32> = (0..k)
            .map(|c| {
                let row = &rows[c * dim..(c + 1) * dim];
                (0..k)
                    .filter(|&o| o != c)
                    .map(|o| distance(dot(row, &rows[o * dim..(o + 1) * dim])))
                    .fold(f32::INFINITY, f32::min)
                    * 0.5
            })
            .collect();
        let (mut most, mut most_at, mut second) = (0f32, usize::MAX, 0f32);
        for (c, &m) in moved.iter().enumerate() {
            if m > most {
                (second, most, most_at) = (most, m, c);
            } else if m > second {
                second = m;
            }
        }
        let changed: usize = bounds
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(chunk, bounds)| {
                let base = chunk * CHUNK;
                let mut recheck: Vec<usize> = Vec::new();
                for (o, b) in bounds.iter_mut().enumerate() {
                    let a = b.label as usize;
                    b.upper += moved[a];
                    b.lower -= if a == most_at { second } else { most };
                    let limit = half_gap[a].max(b.lower) - SLACK;
                    if b.upper <= limit {
                        continue;
                    }
                    b.upper = distance(dot(points.get(base + o), &rows[a * dim..(a + 1) * dim]));
                    if b.upper <= limit {
                        continue;
                    }
                    recheck.push(o);
                }
                let mut changed = 0;
                centroids.top2_all(
                    recheck.iter().map(|&o| points.get(base + o)),
                    |r, (c, s, second)| {
                        let b = &mut bounds[recheck[r]];
                        changed += usize::from(b.label != c as u32);
                        *b = Bounds {
                            label: c as u32,
                            upper: distance(s),
                            lower: distance(second),
                        };
                    },
                );
                changed
            })
            .sum();
        if changed == 0 {
            break;
        }
    }
    let objective = objective(points, &centroids);
    Clustering {
        centroids,
        rows,
        objective,
    }
}

/// Clusters unit-length `points` into at most `k` clusters; `None` when there are no points or `k` is 0.
pub(crate) fn spherical_kmeans(
    points: &Points,
    k: usize,
    options: KMeansOptions,
    rng: &Rng,
) -> Option<Clustering> {
    if points.len() == 0 || k == 0 || points.dim == 0 {
        return None;
    }
    let k = k.min(points.len());
    let sample = sample_indices(
        points.len(),
        options.restart_points.max(k),
        &mut rng.fork(u64::MAX),
    );
    let subset = if sample.len() < points.len() {
        let mut data = Vec::with_capacity(sample.len() * points.dim);
        for &i in &sample {
            data.extend_from_slice(points.get(i));
        }
        Some(Points {
            dim: points.dim,
            data,
        })
    } else {
        None
    };
    let restart_on = subset.as_ref().unwrap_or(points);
    let mut best: Option<Clustering> = None;
    for restart in 0..options.restarts.max(1) {
        let rows = seed(restart_on, k, &mut rng.fork(restart as u64));
        let clustering = lloyd(restart_on, rows, options.iterations);
        if best
            .as_ref()
            .is_none_or(|b| clustering.objective > b.objective)
        {
            best = Some(clustering);
        }
    }
    match (subset, best) {
        (Some(_), Some(best)) => Some(lloyd(points, best.rows, options.iterations)),
        (_, best) => best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn separates_two_directions() {
        let mut data = Vec::new();
        for i in 0..20 {
            let e = i as f32 * 0.01;
            data.extend(unit(&[1.0, e, 0.0]));
            data.extend(unit(&[0.0, e, 1.0]));
        }
        let points = Points { dim: 3, data };
        let options = KMeansOptions {
            restarts: 3,
            iterations: 20,
            restart_points: 1000,
        };
        let c = spherical_kmeans(&points, 2, options, &Rng::new(5)).unwrap();
        assert_eq!(c.centroids.k, 2);
        let labels: Vec<usize> = (0..points.len())
            .map(|i| c.centroids.nearest(points.get(i)).0)
            .collect();
        for i in 0..20 {
            assert_eq!(labels[2 * i], labels[0]);
            assert_eq!(labels[2 * i + 1], labels[1]);
        }
        assert_ne!(labels[0], labels[1]);
        assert!(c.objective > 39.0);
    }

    #[test]
    fn fewer_distinct_points_than_k_gives_fewer_clusters() {
        let mut data = Vec::new();
        for _ in 0..5 {
            data.extend([1.0, 0.0]);
        }
        data.extend([0.0, 1.0]);
        let points = Points { dim: 2, data };
        let options = KMeansOptions {
            restarts: 2,
            iterations: 10,
            restart_points: 1000,
        };
        let c = spherical_kmeans(&points, 4, options, &Rng::new(1)).unwrap();
        assert_eq!(c.centroids.k, 2);
        assert!(spherical_kmeans(&Points::default(), 3, options, &Rng::new(1)).is_none());
    }

    #[test]
    fn dot_matches_a_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 / 10.0).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-3);
    }
}
