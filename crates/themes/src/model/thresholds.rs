//! From SVM scores to labels: a threshold per label chosen on held-out scores, confidence by Platt
//! scaling, and the rule that a comment gets at least its best label.
//!
//! A label's own F1-best threshold is noisy when it has a dozen examples, so it is pulled towards the
//! threshold that is best for all labels together, the more so the rarer the label:
//! `t = (n·t_label + 20·t_global) / (n + 20)` for a label with `n` training positives.

/// The thresholds tried: −1 to 1 in steps of 0.05.
pub(crate) fn grid() -> impl Iterator<Item = f32> + Clone {
    (-20..=20).map(|i| i as f32 * 0.05)
}

/// How strongly a label's threshold is pulled to the global one: as many pseudo-examples as this.
pub(crate) const SHRINK: f32 = 20.0;

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }

    pub(crate) fn f1(self) -> f64 {
        let denominator = 2 * self.tp + self.fp + self.fn_;
        if denominator == 0 {
            0.0
        } else {
            2.0 * self.tp as f64 / denominator as f64
        }
    }

    pub(crate) fn precision(self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub(crate) fn recall(self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Chooses the threshold of each of `lanes` label lanes from held-out `scores` (row-major, `stride`
/// columns per row) and the truth `y` (row-major, +1/−1, same layout). Returns the shrunk thresholds and
/// the global threshold.
pub(crate) fn choose(
    scores: &[f32],
    y: &[i8],
    stride: usize,
    lanes: usize,
    positives: &[usize],
    in_global: &[bool],
) -> (Vec<f32>, f32) {
    let rows = scores.len() / stride.max(1);
    let grid: Vec<f32> = grid().collect();
    let mut counts = vec![Counts::default(); lanes * grid.len()];
    for r in 0..rows {
        for l in 0..lanes {
            let s = scores[r * stride + l];
            let actual = y[r * stride + l] > 0;
            for (g, &t) in grid.iter().enumerate() {
                counts[l * grid.len() + g].add(s >= t, actual);
            }
        }
    }
    let global = (0..grid.len())
        .map(|g| {
            let mut total = Counts::default();
            for l in (0..lanes).filter(|&l| in_global[l]) {
                let c = counts[l * grid.len() + g];
                total.tp += c.tp;
                total.fp += c.fp;
                total.fn_ += c.fn_;
            }
            total.f1()
        })
        .enumerate()
        .fold(
            (0, f64::MIN),
            |best, (g, f)| if f > best.1 { (g, f) } else { best },
        );
    let t_global = grid[global.0];
    let thresholds = (0..lanes)
        .map(|l| {
            let (g, f) = (0..grid.len())
                .map(|g| (g, counts[l * grid.len() + g].f1()))
                .fold((0, f64::MIN), |best, x| if x.1 > best.1 { x } else { best });
            // A label never found at any threshold has no threshold of its own to offer.
            let own = if f > 0.0 { grid[g] } else { t_global };
            let n = positives[l] as f32;
            (n * own + SHRINK * t_global) / (n + SHRINK)
        })
        .collect();
    (thresholds, t_global)
}

/// Platt scaling: `P(label | score) = 1 / (1 + exp(a·score + b))`, fitted by Newton's method with the
/// regularised targets of Platt (1999), following Lin, Lin & Weng (2007) for numerical safety.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Platt {
    /// Slope (negative when higher scores mean the label).
    pub a: f32,
    /// Offset.
    pub b: f32,
}

impl Platt {
    /// The probability for a score.
    #[inline]
    pub fn probability(self, score: f32) -> f32 {
        let z = self.a * score + self.b;
        if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        }
    }

    /// Fits to `(score, is_positive)` pairs.
    pub(crate) fn fit(points: impl Iterator<Item = (f32, bool)> + Clone) -> Platt {
        let (mut prior1, mut prior0) = (0.0f64, 0.0f64);
        for (_, positive) in points.clone() {
            if positive {
                prior1 += 1.0;
            } else {
                prior0 += 1.0;
            }
        }
        let hi = (prior1 + 1.0) / (prior1 + 2.0);
        let lo = 1.0 / (prior0 + 2.0);
        let data: Vec<(f64, f64)> = points
            .map(|(s, p)| (f64::from(s), if p { hi } else { lo }))
            .collect();
        let mut a = 0.0f64;
        let mut b = ((prior0 + 1.0) / (prior1 + 1.0)).ln();
        let objective = |a: f64, b: f64| {
            data.iter()
                .map(|&(s, t)| {
                    let f = s * a + b;
                    if f >= 0.0 {
                        t * f + (1.0 + (-f).exp()).ln()
                    } else {
                        (t - 1.0) * f + (1.0 + f.exp()).ln()
                    }
                })
                .sum::<f64>()
        };
        let mut value = objective(a, b);
        let sigma = 1e-12;
        for _ in 0..100 {
            let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
            for &(s, t) in &data {
                let f = s * a + b;
                let (p, q) = if f >= 0.0 {
                    let e = (-f).exp();
                    (e / (1.0 + e), 1.0 / (1.0 + e))
                } else {
                    let e = f.exp();
                    (1.0 / (1.0 + e), e / (1.0 + e))
                };
                let d2 = p * q;
                h11 += s * s * d2;
                h22 += d2;
                h21 += s * d2;
                let d1 = t - p;
                g1 += s * d1;
                g2 += d1;
            }
            if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            let mut improved = false;
            while step >= 1e-10 {
                let (na, nb) = (a + step * da, b + step * db);
                let new = objective(na, nb);
                if new < value + 1e-4 * step * gd {
                    a = na;
                    b = nb;
                    value = new;
                    improved = true;
                    break;
                }
                step /= 2.0;
            }
            if !improved {
                break;
            }
        }
        let (a, b) = (a as f32, b as f32);
        if a.is_finite() && b.is_finite() {
            Platt { a, b }
        } else {
            // Degenerate scores (all equal): a confidence that follows the score, never NaN.
            Platt { a: -1.0, b: 0.0 }
        }
    }
}

/// The labels of one comment from its label-lane scores: every theme over its threshold, best margin
/// first; if none is, the top-scoring label alone, unless that label means "no theme" (then none).
/// `themes[l]` says whether lane `l` is a theme (false for "Labelling not possible" and the like).
pub(crate) fn decide(scores: &[f32], thresholds: &[f32], themes: &[bool], out: &mut Vec<usize>) {
    out.clear();
    let mut any = false;
    for (l, (&s, &t)) in scores.iter().zip(thresholds).enumerate() {
        if s >= t {
            any = true;
            if themes[l] {
                out.push(l);
            }
        }
    }
    if !any {
        let top = scores
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f32)>, (l, &s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((l, s)),
            });
        if let Some((l, _)) = top
            && themes[l]
        {
            out.push(l);
        }
    }
    out.sort_by(|&a, &b| {
        (scores[b] - thresholds[b])
            .total_cmp(&(scores[a] - thresholds[a]))
            .then(a.cmp(&b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_give_f1() {
        let c = Counts {
            tp: 2,
            fp: 1,
            fn_: 1,
        };
        assert!((c.f1() - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(Counts::default().f1(), 0.0);
    }

    #[test]
    fn thresholds_separate_and_rare_labels_shrink_to_the_global_one() {
        // Lane 0: positives score 0.5 and above, negatives −0.5 and below: any threshold between works
        // and the first best (−0.45) is found. Lane 1 is never positive.
        let scores = [0.6, -0.9, 0.5, -0.8, -0.5, -0.7, -0.6, -0.95];
        let y = [1, -1, 1, -1, -1, -1, -1, -1];
        let (t, global) = choose(&scores, &y, 2, 2, &[1000, 0], &[true, true]);
        assert!(t[0] > -0.5 && t[0] <= 0.5, "{t:?}");
        assert!(
            (t[1] - global).abs() < 1e-6,
            "no positives: the global threshold"
        );
        let (shrunk, _) = choose(&scores, &y, 2, 2, &[1, 0], &[true, true]);
        let expected = (t[0] * 0.0 + (-0.45) + 20.0 * global) / 21.0;
        assert!((shrunk[0] - expected).abs() < 1e-5, "{shrunk:?} {expected}");
    }

    #[test]
    fn platt_is_monotone_and_calibrated_on_separable_scores() {
        let points: Vec<(f32, bool)> = (0..200)
            .map(|i| {
                let s = i as f32 / 100.0 - 1.0;
                (s, s > 0.0)
            })
            .collect();
        let p = Platt::fit(points.iter().copied());
        assert!(p.a < 0.0);
        assert!(p.probability(0.8) > 0.9);
        assert!(p.probability(-0.8) < 0.1);
        assert!(p.probability(0.1) > p.probability(0.0));
    }

    #[test]
    fn platt_survives_one_class() {
        let p = Platt::fit([(0.1f32, false), (0.2, false)].into_iter());
        assert!(p.probability(0.0).is_finite());
        assert!(p.probability(0.0) < 0.5);
    }

    #[test]
    fn a_comment_gets_its_labels_or_its_best_theme() {
        let themes = [true, true, false];
        let t = [0.0, 0.0, 0.0];
        let mut out = Vec::new();
        decide(&[0.5, 0.9, -1.0], &t, &themes, &mut out);
        assert_eq!(out, [1, 0], "best margin first");
        decide(&[-0.5, -0.2, -1.0], &t, &themes, &mut out);
        assert_eq!(out, [1], "none passes: the top label");
        decide(&[-0.5, -0.2, -0.1], &t, &themes, &mut out);
        assert!(out.is_empty(), "the top label means no theme");
        decide(&[0.5, -0.2, 0.9], &t, &themes, &mut out);
        assert_eq!(
            out,
            [0],
            "a no-theme label over its threshold does not hide a theme"
        );
    }
}
