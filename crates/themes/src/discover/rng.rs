//! A small seeded random number generator (SplitMix64) for discovery.
//!
//! Discovery needs reproducible randomness (the same seed gives the same themes on every machine and
//! thread count), not cryptographic quality; SplitMix64 passes BigCrush and is a dozen lines, which beats a
//! dependency whose stream might change between versions.

/// SplitMix64: a 64-bit state advanced by a constant and scrambled on output.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent generator for one part of the work (`stream`), so that adding a random draw in
    /// one step does not change the draws of another.
    pub(crate) fn fork(&self, stream: u64) -> Rng {
        let mut mixer = Rng(self.0 ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        Rng(mixer.next_u64())
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift (Lemire), which has no modulo bias worth the name here.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A standard normal draw (Box–Muller; the second value is discarded for simplicity).
    pub(crate) fn normal(&mut self) -> f64 {
        let u = 1.0 - self.next_f64(); // in (0, 1], so the logarithm is finite
        let v = self.next_f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `count` distinct indices of `0..n`, chosen at random and returned in increasing order; all of them
/// when `count >= n`. A partial Fisher–Yates shuffle: exact, and O(n) memory only while sampling.
pub(crate) fn sample_indices(n: usize, count: usize, rng: &mut Rng) -> Vec<usize> {
    if count >= n {
        return (0..n).collect();
    }
    let mut all: Vec<u32> = (0..n as u32).collect();
    for i in 0..count {
        let j = i + rng.below(n - i);
        all.swap(i, j);
    }
    let mut chosen: Vec<usize> = all[..count].iter().map(|&i| i as usize).collect();
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_forks_differ() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let root = Rng::new(7);
        assert_ne!(root.fork(1).next_u64(), root.fork(2).next_u64());
    }

    #[test]
    fn draws_are_in_range() {
        let mut r = Rng::new(1);
        for n in 1..50 {
            assert!(r.below(n) < n);
            let x = r.next_f64();
            assert!((0.0..1.0).contains(&x));
            assert!(r.normal().is_finite());
        }
    }

    #[test]
    fn samples_are_distinct_sorted_and_complete_when_asked_for_all() {
        let mut r = Rng::new(3);
        let s = sample_indices(100, 10, &mut r);
        assert_eq!(s.len(), 10);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample_indices(5, 9, &mut r), vec![0, 1, 2, 3, 4]);
        assert!(sample_indices(0, 3, &mut r).is_empty());
    }
}
