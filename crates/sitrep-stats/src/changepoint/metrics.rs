//! TCPDBench evaluation metrics (van den Burg & Williams 2020): F1 with a margin and
//! segmentation covering, written from the benchmark's published definitions.
//!
//! As in the benchmark, index 0 is always treated as a change point (added to every
//! annotation set and to the predictions) for the F1 score.

use std::collections::BTreeSet;

/// Indices of `truth` matched by a distinct prediction within `margin`; each prediction
/// matches at most one truth (the nearest, ties to the smaller index), truths taken in
/// ascending order.
fn true_positives(truth: &BTreeSet<usize>, preds: &BTreeSet<usize>, margin: usize) -> usize {
    let mut left = preds.clone();
    let mut hits = 0;
    for &tau in truth {
        let best = left
            .range(tau.saturating_sub(margin)..=tau.saturating_add(margin))
            .min_by_key(|&&x| (x.abs_diff(tau), x))
            .copied();
        if let Some(x) = best {
            left.remove(&x);
            hits += 1;
        }
    }
    hits
}

/// F1 score of `predictions` against several annotators' change points, with a match
/// `margin` (TCPDBench uses 5): precision against the union of all annotations, recall
/// averaged over annotators, `F = P·R / (R/2 + P/2)`. Returns 0 when both are 0.
pub fn f_measure(annotations: &[Vec<usize>], predictions: &[usize], margin: usize) -> f64 {
    if annotations.is_empty() {
        return f64::NAN;
    }
    let sets: Vec<BTreeSet<usize>> = annotations
        .iter()
        .map(|a| a.iter().copied().chain([0]).collect())
        .collect();
    let x: BTreeSet<usize> = predictions.iter().copied().chain([0]).collect();
    let union: BTreeSet<usize> = sets.iter().flatten().copied().collect();
    let p = true_positives(&union, &x, margin) as f64 / x.len() as f64;
    let r = sets
        .iter()
        .map(|t| true_positives(t, &x, margin) as f64 / t.len() as f64)
        .sum::<f64>()
        / sets.len() as f64;
    if p + r == 0.0 {
        return 0.0;
    }
    p * r / (0.5 * r + 0.5 * p)
}

/// Segments `0..n` cut at `cps` (values ≥ `n` and 0 ignored), as `(start, end)`.
fn partition(cps: &[usize], n: usize) -> Vec<(usize, usize)> {
    let cuts: BTreeSet<usize> = cps.iter().copied().filter(|&c| c > 0 && c < n).collect();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut s = 0;
    for c in cuts.into_iter().chain([n]) {
        out.push((s, c));
        s = c;
    }
    out
}

fn jaccard(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = (a.1 - a.0) + (b.1 - b.0) - inter;
    inter as f64 / union as f64
}

/// Segmentation covering of `predictions` for a series of `n` points, averaged over
/// annotators: for each annotator, `Σ_R |R|·max_R' J(R, R') / n` over the annotator's
/// segments `R` and predicted segments `R'`, `J` the Jaccard index.
pub fn covering(annotations: &[Vec<usize>], predictions: &[usize], n: usize) -> f64 {
    if annotations.is_empty() || n == 0 {
        return f64::NAN;
    }
    let pred = partition(predictions, n);
    let mut total = 0.0;
    for a in annotations {
        let truth = partition(a, n);
        let c: f64 = truth
            .iter()
            .map(|&r| {
                let best = pred.iter().map(|&p| jaccard(r, p)).fold(0.0, f64::max);
                (r.1 - r.0) as f64 * best
            })
            .sum();
        total += c / n as f64;
    }
    total / annotations.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code, clippy::type_complexity)]
    mod oracle {
        include!("../../tests/oracle/changepoint_values.rs");
    }

    fn close7(a: f64, b: f64) {
        // the anchors print seven decimals
        assert!((a - b).abs() < 5e-8, "{a} vs {b}");
    }

    #[test]
    fn tcpdbench_doctest_vectors() {
        let f1 = f_measure(
            &[vec![10, 20], vec![11, 20], vec![10], vec![0, 5]],
            &[10, 20],
            5,
        );
        close7(f1, 1.0);
        close7(
            f_measure(&[vec![], vec![10], vec![50]], &[10], 5),
            0.9090909,
        );
        close7(f_measure(&[vec![], vec![10], vec![50]], &[], 5), 0.8);
        close7(
            covering(&[vec![10, 20], vec![10], vec![0, 5]], &[10, 20], 45),
            0.7962963,
        );
        close7(
            covering(&[vec![], vec![10], vec![40]], &[10], 45),
            0.7954145,
        );
        // and to full precision against the oracle script's transcription
        let got = [
            f1,
            f_measure(&[vec![], vec![10], vec![50]], &[10], 5),
            f_measure(&[vec![], vec![10], vec![50]], &[], 5),
            covering(&[vec![10, 20], vec![10], vec![0, 5]], &[10, 20], 45),
            covering(&[vec![], vec![10], vec![40]], &[10], 45),
        ];
        for (g, w) in got.iter().zip(oracle::ORACLE_TCPD) {
            assert!((g - w).abs() < 1e-14, "{g} vs {w}");
        }
    }

    #[test]
    fn empty_inputs() {
        assert!(f_measure(&[], &[3], 5).is_nan());
        assert!(covering(&[vec![3]], &[3], 0).is_nan());
        assert_eq!(covering(&[vec![]], &[], 10), 1.0);
    }
}
