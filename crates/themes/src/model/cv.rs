//! Cross-validation: folds that keep a respondent's answers together, and the scores of pooled held-out
//! predictions (micro and macro F1 over labels, sentiment accuracy).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::svm::Rng;
use super::thresholds::Counts;

/// The fold (0..k) of each item: items with the same group share a fold, so a respondent's second answer
/// never tests a model that learnt from the first. Groups, in order of first appearance, are shuffled with
/// `seed` and dealt out in turn, which balances the number of groups per fold.
pub(crate) fn group_folds<'a>(
    groups: impl Iterator<Item = &'a str>,
    k: usize,
    seed: u64,
) -> Vec<usize> {
    let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
    let item_group: Vec<usize> = groups
        .map(|g| {
            let next = ids.len();
            *ids.entry(g).or_insert(next)
        })
        .collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    Rng::new(seed).shuffle(&mut order);
    let mut fold_of_group = vec![0; ids.len()];
    for (position, &g) in order.iter().enumerate() {
        fold_of_group[g] = position % k.max(1);
    }
    item_group.into_iter().map(|g| fold_of_group[g]).collect()
}

/// Held-out quality of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// F1.
    pub f1: f64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
}

impl From<Counts> for LabelScore {
    fn from(c: Counts) -> LabelScore {
        LabelScore {
            f1: c.f1(),
            precision: c.precision(),
            recall: c.recall(),
        }
    }
}

/// Micro and macro F1 over the labels marked in `evaluated`, from per-label counts.
pub(crate) fn micro_macro(counts: &[Counts], evaluated: &[bool]) -> (Counts, f64) {
    let mut total = Counts::default();
    let mut macro_sum = 0.0;
    let mut n = 0usize;
    for (c, _) in counts.iter().zip(evaluated).filter(|(_, e)| **e) {
        total.tp += c.tp;
        total.fp += c.fp;
        total.fn_ += c.fn_;
        macro_sum += c.f1();
        n += 1;
    }
    (total, if n == 0 { 0.0 } else { macro_sum / n as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_stay_together_and_folds_are_balanced() {
        let groups: Vec<String> = (0..100).map(|i| format!("r{}", i / 2)).collect();
        let folds = group_folds(groups.iter().map(String::as_str), 5, 42);
        for pair in folds.chunks(2) {
            assert_eq!(pair[0], pair[1], "a respondent's answers share a fold");
        }
        let mut sizes = [0; 5];
        for &f in &folds {
            sizes[f] += 1;
        }
        assert_eq!(sizes, [20; 5]);
        let again = group_folds(groups.iter().map(String::as_str), 5, 42);
        assert_eq!(folds, again, "seeded");
        let other = group_folds(groups.iter().map(String::as_str), 5, 43);
        assert_ne!(folds, other);
    }

    #[test]
    fn micro_pools_counts_and_macro_averages_f1() {
        let a = Counts {
            tp: 9,
            fp: 1,
            fn_: 0,
        };
        let b = Counts {
            tp: 0,
            fp: 0,
            fn_: 10,
        };
        let ignored = Counts {
            tp: 0,
            fp: 100,
            fn_: 0,
        };
        let (micro, macro_f1) = micro_macro(&[a, b, ignored], &[true, true, false]);
        assert!((micro.f1() - 18.0 / 29.0).abs() < 1e-12);
        assert!((macro_f1 - (18.0 / 19.0) / 2.0).abs() < 1e-12);
    }
}
