//! The rate-ratio interval: exact conditional (Clopper–Pearson) on Poisson counts.

// The incomplete beta function and its quantile are sitrep-stats' (checked against
// scipy there).
use sitrep_stats::interval::beta_quantile;

/// Clopper–Pearson interval (level 1 − `alpha`) for a binomial proportion with `x`
/// successes in `n` trials. `(0, 1)` when `n` is 0.
pub fn clopper_pearson(x: u64, n: u64, alpha: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (xf, nf) = (x as f64, n as f64);
    let lo = if x == 0 {
        0.0
    } else {
        beta_quantile(alpha / 2.0, xf, nf - xf + 1.0)
    };
    let hi = if x >= n {
        1.0
    } else {
        beta_quantile(1.0 - alpha / 2.0, xf + 1.0, nf - xf)
    };
    (lo, hi)
}

/// Ratio of two Poisson rates, `(count_a / exposure_a) / (count_b / exposure_b)`, with
/// an exact 95% interval.
///
/// Method: conditional on the total `n = a + b`, `a` is binomial with
/// `p = r·ea / (r·ea + eb)` where `r` is the rate ratio; the Clopper–Pearson interval
/// `(pL, pU)` for `p` maps to `r = p/(1−p) · eb/ea`. This is the exact test R's
/// `poisson.test(c(a, b), c(ea, eb))` reports. Zero counts do not panic: `a = 0` gives
/// ratio 0 and lower bound 0; `b = 0` gives an infinite ratio and upper bound; both 0
/// give a NaN ratio and the interval (0, ∞).
///
/// Returns `(ratio, ci_low, ci_high)`.
pub fn rate_ratio(count_a: u64, exposure_a: f64, count_b: u64, exposure_b: f64) -> (f64, f64, f64) {
    let ratio = if count_b == 0 {
        if count_a == 0 {
            f64::NAN
        } else {
            f64::INFINITY
        }
    } else {
        (count_a as f64 / exposure_a) / (count_b as f64 / exposure_b)
    };
    let (pl, pu) = clopper_pearson(count_a, count_a + count_b, 0.05);
    let to_r = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * exposure_b / exposure_a
        }
    };
    (ratio, to_r(pl), to_r(pu))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_stats::dist::{beta_i as inc_beta, ln_gamma};

    /// P(X ≥ x) for X ~ Binomial(n, p), summed term by term (independent of `inc_beta`).
    fn upper_tail(x: u64, n: u64, p: f64) -> f64 {
        let mut total = 0.0;
        for k in x..=n {
            let ln_c = ln_gamma(n as f64 + 1.0)
                - ln_gamma(k as f64 + 1.0)
                - ln_gamma((n - k) as f64 + 1.0);
            total += (ln_c + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp();
        }
        total
    }

    #[test]
    fn gamma_and_beta_by_hand() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        // I_x(1, 1) = x; I_x(2, 1) = x²; I_0.5(a, a) = 0.5.
        assert!((inc_beta(1.0, 1.0, 0.3) - 0.3).abs() < 1e-12);
        assert!((inc_beta(2.0, 1.0, 0.3) - 0.09).abs() < 1e-12);
        assert!((inc_beta(7.0, 7.0, 0.5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn clopper_pearson_matches_tails_and_r() {
        // R: binom.test(10, 30)$conf.int = 0.1728742 0.5281200
        let (lo, hi) = clopper_pearson(10, 30, 0.05);
        assert!((lo - 0.172_874_2).abs() < 1e-6, "{lo}");
        assert!((hi - 0.528_120_0).abs() < 1e-6, "{hi}");
        // Definition: P(X ≥ 10 | pL) = 0.025 and P(X ≤ 10 | pU) = 0.025.
        assert!((upper_tail(10, 30, lo) - 0.025).abs() < 1e-9);
        assert!((1.0 - upper_tail(11, 30, hi) - 0.025).abs() < 1e-9);
        assert_eq!(clopper_pearson(0, 0, 0.05), (0.0, 1.0));
        let (lo, hi) = clopper_pearson(0, 5, 0.05);
        assert_eq!(lo, 0.0);
        // 1 - 0.025^(1/5)
        assert!((hi - (1.0 - 0.025f64.powf(0.2))).abs() < 1e-9);
    }

    #[test]
    fn rate_ratio_by_hand() {
        // 10 events in 2 weeks against 20 in 2 weeks: ratio 0.5; interval from the
        // binomial interval above: p/(1-p).
        let (r, lo, hi) = rate_ratio(10, 2.0, 20, 2.0);
        assert_eq!(r, 0.5);
        assert!(
            (lo - 0.172_874_2 / (1.0 - 0.172_874_2)).abs() < 1e-5,
            "{lo}"
        );
        assert!(
            (hi - 0.528_120_0 / (1.0 - 0.528_120_0)).abs() < 1e-5,
            "{hi}"
        );
        // Unequal exposure: 10 in 1 week against 20 in 4 weeks: rates 10 and 5.
        let (r, lo2, hi2) = rate_ratio(10, 1.0, 20, 4.0);
        assert_eq!(r, 2.0);
        assert!((lo2 - lo * 4.0).abs() < 1e-9 && (hi2 - hi * 4.0).abs() < 1e-9);
        // Zero counts never panic.
        let (r, lo, hi) = rate_ratio(0, 1.0, 5, 1.0);
        assert_eq!((r, lo), (0.0, 0.0));
        assert!(hi.is_finite() && hi > 0.0);
        let (r, lo, hi) = rate_ratio(5, 1.0, 0, 1.0);
        assert!(r.is_infinite() && lo > 0.0 && hi.is_infinite());
        let (r, lo, hi) = rate_ratio(0, 1.0, 0, 1.0);
        assert!(r.is_nan() && lo == 0.0 && hi.is_infinite());
    }
}
