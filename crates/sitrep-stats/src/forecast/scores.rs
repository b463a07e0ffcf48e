//! Proper scores for count forecasts, as the VIEWS prediction challenge computes them.
//!
//! - CRPS: the standard (not "fair") ensemble CRPS of `properscoring.crps_ensemble`,
//!   `E|X − y| − ½ E|X − X'|`, and the exact CRPS of a Poisson or negative-binomial
//!   predictive (`Σ_k (F(k) − 1[y ≤ k])²` over integer steps).
//! - MIS: interval score at level `1 − α` with quantile bounds (numpy's default linear
//!   quantile).
//! - IGN: ignorance (−log2) of the bin the observation falls in, bins
//!   [`VIEWS_BINS`], smoothed `(c + 1 − a)/(n + 1 − a)` with `a = 1/3`.
//! - Brier for `y > 0` and `y ≥ 25`, squared error on `log1p`, interval coverage.

use crate::dist::CountDist;

/// Standard ensemble CRPS of `samples` against observation `y`.
pub fn crps_ensemble(y: f64, samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    crps_ensemble_sorted(y, &s)
}

/// [`crps_ensemble`] for samples already sorted ascending (O(n)).
///
/// Uses `Σ_{i,j} |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i)` (0-based ranks).
pub fn crps_ensemble_sorted(y: f64, sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let mut abs_dev = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs_dev += (x - y).abs();
        spread += (2.0 * i as f64 - nf + 1.0) * x;
    }
    abs_dev / nf - spread / (nf * nf)
}

/// Exact CRPS of a count distribution (support 0, 1, 2, …) against `y`:
/// `∫ (F(x) − 1[x ≥ y])² dx` with `F` a step function, summed interval by interval.
/// The upper tail uses the distribution's own survival function, so it stays accurate.
pub fn crps_count<D: CountDist>(y: f64, d: &D) -> f64 {
    let mean = d.mean();
    let mut total = if y < 0.0 { -y } else { 0.0 };
    let mut k = 0u64;
    loop {
        let kf = k as f64;
        let f = d.cdf(k);
        // 1 − F(k), accurately when F is close to 1.
        let sf = if f > 0.5 { d.sf_ge(k + 1) } else { 1.0 - f };
        total += if kf + 1.0 <= y {
            f * f
        } else if kf >= y {
            sf * sf
        } else {
            (y - kf) * f * f + (kf + 1.0 - y) * sf * sf
        };
        if kf >= mean && sf < 1e-18 {
            // From here on F = 1 to within 1e-18: each whole step below y adds 1.
            if y > kf + 1.0 {
                total += y - (kf + 1.0);
            }
            return total;
        }
        k += 1;
        if k > 100_000_000 {
            return total;
        }
    }
}

/// Quantile of sorted samples at probability `p`, numpy's default ("linear"):
/// position `p·(n − 1)`, interpolated.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = pos - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// Interval score of `[lower, upper]` at level `1 − alpha`:
/// `width + (2/α)(l − y)·1[y < l] + (2/α)(y − u)·1[y > u]`.
pub fn interval_score(y: f64, lower: f64, upper: f64, alpha: f64) -> f64 {
    let mut s = upper - lower;
    if y < lower {
        s += 2.0 / alpha * (lower - y);
    }
    if y > upper {
        s += 2.0 / alpha * (y - upper);
    }
    s
}

/// The central `1 − alpha` interval of sorted samples: quantiles `α/2` and `1 − α/2`.
pub fn central_interval(sorted: &[f64], alpha: f64) -> (f64, f64) {
    (
        quantile_sorted(sorted, alpha / 2.0),
        quantile_sorted(sorted, 1.0 - alpha / 2.0),
    )
}

/// Interval score of sorted samples (bounds from [`central_interval`]).
pub fn interval_score_sorted(y: f64, sorted: &[f64], alpha: f64) -> f64 {
    let (l, u) = central_interval(sorted, alpha);
    interval_score(y, l, u, alpha)
}

/// The VIEWS bin edges for the ignorance score; the last bin is open above.
pub const VIEWS_BINS: [f64; 11] = [
    0.0, 0.5, 2.5, 5.5, 10.5, 25.5, 50.5, 100.5, 250.5, 500.5, 1000.5,
];

/// Index of the [`VIEWS_BINS`] bin holding `x` (`numpy.digitize(x, bins) − 1`, with
/// negative values clipped to 0 as VIEWS does).
pub fn views_bin(x: f64) -> usize {
    VIEWS_BINS
        .iter()
        .filter(|&&e| e <= x.max(0.0))
        .count()
        .max(1)
        - 1
}

/// Smoothing constant `a` of the VIEWS ignorance score (`prob_type = 2`).
pub const IGN_A: f64 = 1.0 / 3.0;

/// Ensemble ignorance score: `−log2((c + 1 − a)/(n + 1 − a))` with `c` the number of
/// the `n` samples in the observation's [`VIEWS_BINS`] bin and `a` = [`IGN_A`].
pub fn ignorance_ensemble(y: f64, samples: &[f64]) -> f64 {
    let b = views_bin(y);
    let c = samples.iter().filter(|&&x| views_bin(x) == b).count() as f64;
    let n = samples.len() as f64;
    -((c + 1.0 - IGN_A) / (n + 1.0 - IGN_A)).log2()
}

/// Brier score `(p − o)²` of probability `p` for binary outcome `o`.
pub fn brier(p: f64, outcome: bool) -> f64 {
    let o = if outcome { 1.0 } else { 0.0 };
    (p - o) * (p - o)
}

/// Brier score of the event `X ≥ threshold` with `p` the sample fraction at or above
/// the threshold. `threshold = 25` gives the VIEWS "≥ 25" event.
pub fn brier_at_least(y: f64, samples: &[f64], threshold: f64) -> f64 {
    let p = samples.iter().filter(|&&x| x >= threshold).count() as f64 / samples.len() as f64;
    brier(p, y >= threshold)
}

/// Brier score of the event `X > 0` (any violence).
pub fn brier_positive(y: f64, samples: &[f64]) -> f64 {
    let p = samples.iter().filter(|&&x| x > 0.0).count() as f64 / samples.len() as f64;
    brier(p, y > 0.0)
}

/// Squared error on the log1p scale, `(ln(1 + ŷ) − ln(1 + y))²`.
pub fn sq_err_log1p(y: f64, point: f64) -> f64 {
    let d = point.max(0.0).ln_1p() - y.max(0.0).ln_1p();
    d * d
}

/// Every score of one cell from an ensemble.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellScores {
    /// The observation.
    pub y: f64,
    /// Ensemble CRPS.
    pub crps: f64,
    /// 90 % interval score (α = 0.1).
    pub mis: f64,
    /// VIEWS binned ignorance.
    pub ign: f64,
    /// Brier for `y > 0`.
    pub brier_pos: f64,
    /// Brier for `y ≥ 25`.
    pub brier_25: f64,
    /// Whether `y` lies in the 90 % interval.
    pub covered90: bool,
    /// Width of the 90 % interval.
    pub width90: f64,
    /// Squared error on log1p of the ensemble mean.
    pub se_log1p: f64,
}

/// Level of the interval scored in [`CellScores`]: α = 0.1, a 90 % interval.
pub const ALPHA90: f64 = 0.1;

impl CellScores {
    /// Scores an ensemble: sorts `samples` in place (clipping negatives to 0 as
    /// VIEWS does) and computes every score. The point forecast for the log1p error is
    /// the ensemble mean.
    pub fn from_ensemble(y: f64, samples: &mut [f64]) -> CellScores {
        for s in samples.iter_mut() {
            *s = s.max(0.0);
        }
        samples.sort_by(f64::total_cmp);
        let sorted: &[f64] = samples;
        let (l, u) = central_interval(sorted, ALPHA90);
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        CellScores {
            y,
            crps: crps_ensemble_sorted(y, sorted),
            mis: interval_score(y, l, u, ALPHA90),
            ign: ignorance_ensemble(y, sorted),
            brier_pos: brier_positive(y, sorted),
            brier_25: brier_at_least(y, sorted, 25.0),
            covered90: l <= y && y <= u,
            width90: u - l,
            se_log1p: sq_err_log1p(y, mean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{NegBinomial, Poisson};

    fn close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "{a} vs {b} (tol {tol})"
        );
    }

    #[test]
    fn crps_anchor_values() {
        close(
            crps_ensemble(3.0, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
            0.527_777_777_777_777_8,
            1e-12,
        );
        let mut v = vec![0.0; 9];
        v.push(10.0);
        close(crps_ensemble(0.0, &v), 0.1, 1e-12);
        close(crps_ensemble(12.0, &[3.0, 2.0, 4.0, 3.0, 1.0]), 8.84, 1e-12);
    }

    #[test]
    fn crps_ensemble_matches_properscoring() {
        for (y, xs, want) in ORACLE_CRPS_ENSEMBLE {
            close(crps_ensemble(*y, xs), *want, 1e-9);
        }
    }

    #[test]
    fn crps_poisson_and_nb_match_scoringrules() {
        for (y, mu, want_sr, want_sum) in ORACLE_CRPS_POISSON {
            let got = crps_count(*y, &Poisson { mu: *mu });
            close(got, *want_sum, 1e-9);
            // scoringrules overflows (NaN) at large means; the direct sum stands alone.
            if !want_sr.is_nan() {
                close(got, *want_sr, 1e-9);
            }
        }
        for (y, mu, size, want_sr, want_sum) in ORACLE_CRPS_NB {
            let got = crps_count(
                *y,
                &NegBinomial {
                    mu: *mu,
                    size: *size,
                },
            );
            close(got, *want_sum, 1e-9);
            close(got, *want_sr, 1e-9);
        }
    }

    #[test]
    fn crps_count_is_the_large_ensemble_limit() {
        // A quantile ensemble of the distribution approaches the exact CRPS.
        let d = NegBinomial { mu: 4.0, size: 1.5 };
        let q = super::super::Predictive::NegBinomial(d).quantile_ensemble(20_000);
        close(crps_ensemble_sorted(7.0, &q), crps_count(7.0, &d), 1e-3);
    }

    #[test]
    fn interval_ignorance_brier_match_oracle() {
        for (y, xs, mis, ign, bpos, b25, cov, width, se) in ORACLE_ENSEMBLE_SCORES {
            let mut s = xs.to_vec();
            let c = CellScores::from_ensemble(*y, &mut s);
            close(c.mis, *mis, 1e-9);
            close(c.ign, *ign, 1e-9);
            close(c.brier_pos, *bpos, 1e-9);
            close(c.brier_25, *b25, 1e-9);
            assert_eq!(c.covered90, *cov, "coverage y={y}");
            close(c.width90, *width, 1e-9);
            close(c.se_log1p, *se, 1e-9);
            close(interval_score_sorted(*y, &s, ALPHA90), *mis, 1e-9);
        }
    }

    #[test]
    fn views_bins() {
        assert_eq!(views_bin(0.0), 0);
        assert_eq!(views_bin(0.4), 0);
        assert_eq!(views_bin(0.5), 1);
        assert_eq!(views_bin(2.0), 1);
        assert_eq!(views_bin(25.0), 4);
        assert_eq!(views_bin(25.5), 5);
        assert_eq!(views_bin(1000.5), 10);
        assert_eq!(views_bin(1e9), 10);
        assert_eq!(views_bin(-3.0), 0);
    }

    include!("../../tests/oracle/scores_values.rs");
}
