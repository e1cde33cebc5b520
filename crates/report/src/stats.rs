//! Change against the previous period: a two-proportion z-test, or Fisher's exact test when counts are
//! small, at p < 0.05 two-sided.

use serde::Serialize;

/// The significance level for flagging a change.
pub const ALPHA: f64 = 0.05;

/// Which test produced a p-value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    /// Two-proportion z-test with the pooled proportion, two-sided.
    TwoProportionZ,
    /// Fisher's exact test on the 2×2 table, two-sided (sum of tables no more likely than the one
    /// observed, as R's `fisher.test`).
    FisherExact,
}

impl TestMethod {
    /// A short name for tables: `z-test` or `Fisher exact`.
    pub fn label(self) -> &'static str {
        match self {
            TestMethod::TwoProportionZ => "two-proportion z-test",
            TestMethod::FisherExact => "Fisher exact test",
        }
    }
}

/// A test of whether the share `k1/n1` differs from `k2/n2`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ProportionTest {
    /// The test used.
    pub method: TestMethod,
    /// Two-sided p-value.
    pub p_value: f64,
}

impl ProportionTest {
    /// p < [`ALPHA`].
    pub fn significant(&self) -> bool {
        self.p_value < ALPHA
    }
}

/// Compares two proportions: the z-test when every expected cell of the 2×2 table is at least 5 (the
/// usual condition for the normal approximation), otherwise Fisher's exact test. `None` when either
/// group is empty or nobody in either has the feature and the test is meaningless.
pub fn compare_proportions(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<ProportionTest> {
    if n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2 {
        return None;
    }
    let with = k1 + k2;
    let total = n1 + n2;
    if with == 0 || with == total {
        return None;
    }
    let expected_min = [n1, n2]
        .iter()
        .flat_map(|&n| [n as f64 * with as f64, n as f64 * (total - with) as f64])
        .fold(f64::INFINITY, f64::min)
        / total as f64;
    if expected_min >= 5.0 {
        Some(ProportionTest {
            method: TestMethod::TwoProportionZ,
            p_value: two_proportion_z_test(k1, n1, k2, n2),
        })
    } else {
        Some(ProportionTest {
            method: TestMethod::FisherExact,
            p_value: fisher_exact(k1, n1 - k1, k2, n2 - k2),
        })
    }
}

/// Two-sided p-value of the pooled two-proportion z-test.
pub fn two_proportion_z_test(k1: u64, n1: u64, k2: u64, n2: u64) -> f64 {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let p1 = k1 as f64 / n1f;
    let p2 = k2 as f64 / n2f;
    let pooled = (k1 + k2) as f64 / (n1f + n2f);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se == 0.0 {
        return 1.0;
    }
    let z = (p1 - p2) / se;
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Two-sided p-value of Fisher's exact test for the table `[[a, b], [c, d]]`: the total probability of
/// every table with the same margins that is no more likely than the observed one (with R's relative
/// tolerance of 1e-7 for ties).
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let col1 = a + c;
    let n = a + b + c + d;
    let lo = col1.saturating_sub(c + d);
    let hi = row1.min(col1);
    let log_p =
        |x: u64| -> f64 { ln_choose(col1, x) + ln_choose(n - col1, row1 - x) - ln_choose(n, row1) };
    let observed = log_p(a);
    let threshold = observed + (1.0 + 1e-7f64).ln();
    let mut total = 0.0;
    for x in lo..=hi {
        let lp = log_p(x);
        if lp <= threshold {
            total += lp.exp();
        }
    }
    total.clamp(0.0, 1.0)
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// ln(n!), exact by summation for small n and by the Lanczos log-gamma beyond.
fn ln_factorial(n: u64) -> f64 {
    if n < 64 {
        (2..=n).map(|i| (i as f64).ln()).sum()
    } else {
        ln_gamma(n as f64 + 1.0)
    }
}

/// Lanczos approximation (g = 7, nine coefficients), accurate to about 15 significant digits for x > 0.5.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The complementary error function, from the Chebyshev fit of Numerical Recipes (`erfcc`), relative
/// error below 1.2e-7 everywhere: ample for a p-value compared with 0.05.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    #[test]
    fn z_test_matches_hand_worked_examples() {
        // 60/200 vs 40/200: pooled p = 100/400 = 0.25; se = sqrt(0.25 × 0.75 × (1/200 + 1/200))
        // = sqrt(0.001875) = 0.043301; z = (0.30 − 0.20) / 0.043301 = 2.3094;
        // two-sided p = 2 × (1 − Φ(2.3094)) = 0.02092.
        close(two_proportion_z_test(60, 200, 40, 200), 0.02092, 2e-5);
        // 50/100 vs 45/100: pooled 0.475; se = sqrt(0.475 × 0.525 × 0.02) = 0.070622;
        // z = 0.05 / 0.070622 = 0.70799; p = 0.4790.
        close(two_proportion_z_test(50, 100, 45, 100), 0.4790, 2e-4);
        // Equal shares: z = 0, p = 1.
        close(two_proportion_z_test(10, 100, 20, 200), 1.0, 1e-6);
    }

    #[test]
    fn fisher_matches_r() {
        // Fisher's tea-tasting table [[3, 1], [1, 3]]: the tables with a = 0..4 have probabilities
        // 1/70, 16/70, 36/70, 16/70, 1/70; those no more likely than a = 3 (16/70) sum to 34/70 = 0.4857.
        close(fisher_exact(3, 1, 1, 3), 34.0 / 70.0, 1e-9);
        // [[1, 9], [11, 3]]: R's fisher.test gives p = 0.002759.
        close(fisher_exact(1, 9, 11, 3), 0.002759, 2e-6);
        // An empty corner: [[0, 5], [5, 0]] has probability 1/252 each way: p = 2/252.
        close(fisher_exact(0, 5, 5, 0), 2.0 / 252.0, 1e-9);
    }

    #[test]
    fn small_counts_use_fisher_and_large_counts_the_z_test() {
        let small = compare_proportions(3, 20, 0, 20).unwrap();
        assert_eq!(small.method, TestMethod::FisherExact);
        // [[3, 17], [0, 20]]: P(a = 3) = C(20,3) C(20,0) / C(40,3) = 1140 / 9880 = 0.11538; the other
        // tail holds a = 0 with the same probability; a = 1, 2 are more likely: p = 0.23077.
        close(small.p_value, 2.0 * 1140.0 / 9880.0, 1e-9);
        let large = compare_proportions(60, 200, 40, 200).unwrap();
        assert_eq!(large.method, TestMethod::TwoProportionZ);
        assert!(large.significant());
        assert_eq!(compare_proportions(0, 10, 0, 10), None);
        assert_eq!(compare_proportions(1, 10, 0, 0), None);
    }

    #[test]
    fn ln_gamma_agrees_with_exact_factorials() {
        let exact: f64 = (2..=100u64).map(|i| (i as f64).ln()).sum();
        close(ln_factorial(100), exact, 1e-9);
        close(
            ln_gamma(70.0),
            (2..=69u64).map(|i| (i as f64).ln()).sum(),
            1e-9,
        );
    }
}
