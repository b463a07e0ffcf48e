//! Count distributions: Poisson and negative binomial, with the special functions they
//! rest on.
//!
//! The negative binomial is parameterised as analysts and R's `dnbinom(mu=, size=)` do:
//! a mean `mu` and a size (dispersion) `size`, so that the variance is
//! `mu + mu² / size`. A very large size tends to the Poisson.
//!
//! Tail probabilities are computed from the regularised incomplete gamma and beta
//! functions rather than by summing the pmf, so they stay accurate far in the tail
//! (an anomaly rule asks for `P(X ≥ 400)` under a mean of 40).

use std::f64::consts::PI;

/// Lanczos coefficients (g = 7, n = 9), accurate to about 1e-15 relative.
const LANCZOS: [f64; 9] = [
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

/// Natural logarithm of the gamma function for `x > 0`.
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (PI / (PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    let t = x + 7.5;
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// `ln(k!)`.
pub fn ln_factorial(k: u64) -> f64 {
    ln_gamma(k as f64 + 1.0)
}

const EPS: f64 = 1e-15;
const MAX_ITER: usize = 10_000;

/// Regularised lower incomplete gamma `P(a, x) = γ(a, x) / Γ(a)`.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x < a + 1.0 {
        gamma_series(a, x)
    } else {
        1.0 - gamma_cont_frac(a, x)
    }
}

/// Regularised upper incomplete gamma `Q(a, x) = 1 − P(a, x)`, accurate when small.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_series(a, x)
    } else {
        gamma_cont_frac(a, x)
    }
}

fn gamma_series(a: f64, x: f64) -> f64 {
    let mut sum = 1.0 / a;
    let mut term = sum;
    let mut n = a;
    for _ in 0..MAX_ITER {
        n += 1.0;
        term *= x / n;
        sum += term;
        if term.abs() < sum.abs() * EPS {
            break;
        }
    }
    (sum.ln() - x + a * x.ln() - ln_gamma(a)).exp()
}

/// Lentz's continued fraction for `Q(a, x)`.
fn gamma_cont_frac(a: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITER {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// Regularised incomplete beta `I_x(a, b)`.
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_cont_frac(a, b, x)) / a
    } else {
        1.0 - (ln_front.exp() * beta_cont_frac(b, a, 1.0 - x)) / b
    }
}

fn beta_cont_frac(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// A Poisson distribution with mean `mu ≥ 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poisson {
    pub mu: f64,
}

/// A negative binomial with mean `mu` and size `size` (variance `mu + mu²/size`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegBinomial {
    pub mu: f64,
    pub size: f64,
}

/// What every count distribution here answers.
pub trait CountDist {
    /// `ln P(X = k)`.
    fn ln_pmf(&self, k: u64) -> f64;
    /// `P(X ≤ k)`.
    fn cdf(&self, k: u64) -> f64;
    /// `P(X ≥ k)`: the upper tail an anomaly rule reports.
    fn sf_ge(&self, k: u64) -> f64;
    fn mean(&self) -> f64;
    fn variance(&self) -> f64;
    /// `P(X = k)`.
    fn pmf(&self, k: u64) -> f64 {
        self.ln_pmf(k).exp()
    }
    /// `P(X ≤ k)` for the lower tail.
    fn lower_tail(&self, k: u64) -> f64 {
        self.cdf(k)
    }
}

impl CountDist for Poisson {
    fn ln_pmf(&self, k: u64) -> f64 {
        if self.mu == 0.0 {
            return if k == 0 { 0.0 } else { f64::NEG_INFINITY };
        }
        k as f64 * self.mu.ln() - self.mu - ln_factorial(k)
    }
    fn cdf(&self, k: u64) -> f64 {
        if self.mu == 0.0 {
            return 1.0;
        }
        gamma_q(k as f64 + 1.0, self.mu)
    }
    fn sf_ge(&self, k: u64) -> f64 {
        if k == 0 {
            return 1.0;
        }
        if self.mu == 0.0 {
            return 0.0;
        }
        gamma_p(k as f64, self.mu)
    }
    fn mean(&self) -> f64 {
        self.mu
    }
    fn variance(&self) -> f64 {
        self.mu
    }
}

impl NegBinomial {
    /// Success probability in the `(size, p)` parameterisation.
    fn p(&self) -> f64 {
        self.size / (self.size + self.mu)
    }
}

impl CountDist for NegBinomial {
    fn ln_pmf(&self, k: u64) -> f64 {
        if self.mu == 0.0 {
            return if k == 0 { 0.0 } else { f64::NEG_INFINITY };
        }
        let (r, kf) = (self.size, k as f64);
        ln_gamma(kf + r) - ln_gamma(r) - ln_factorial(k)
            + r * (r / (r + self.mu)).ln()
            + kf * (self.mu / (r + self.mu)).ln()
    }
    fn cdf(&self, k: u64) -> f64 {
        if self.mu == 0.0 {
            return 1.0;
        }
        beta_i(self.size, k as f64 + 1.0, self.p())
    }
    fn sf_ge(&self, k: u64) -> f64 {
        if k == 0 {
            return 1.0;
        }
        if self.mu == 0.0 {
            return 0.0;
        }
        // P(X ≥ k) = 1 − I_p(r, k) = I_{1−p}(k, r).
        beta_i(k as f64, self.size, 1.0 - self.p())
    }
    fn mean(&self) -> f64 {
        self.mu
    }
    fn variance(&self) -> f64 {
        self.mu + self.mu * self.mu / self.size
    }
}

impl NegBinomial {
    /// Method-of-moments fit; `None` when the sample is not over-dispersed (use the
    /// Poisson then) or has fewer than two values.
    pub fn fit_moments(xs: &[f64]) -> Option<Self> {
        if xs.len() < 2 {
            return None;
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean > 0.0 && var > mean).then(|| NegBinomial {
            mu: mean,
            size: mean * mean / (var - mean),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from scipy 1.17.1 (scipy.special.gammaln, scipy.stats.poisson /
    // nbinom with n = size, p = size / (size + mu)); the script is
    // tests/oracle/dist.py.
    fn close(a: f64, b: f64, rel: f64) {
        assert!(
            (a - b).abs() <= rel * b.abs().max(1e-300),
            "{a} vs {b} (rel {rel})"
        );
    }

    #[test]
    fn ln_gamma_matches_scipy() {
        for (x, want) in ORACLE_LN_GAMMA {
            // ln Γ(1) = ln Γ(2) = 0: compare absolutely near zero.
            assert!(
                (ln_gamma(*x) - want).abs() <= 1e-13 * want.abs().max(1.0),
                "{x}"
            );
        }
    }

    #[test]
    fn poisson_matches_scipy() {
        for (k, mu, pmf, cdf, sf_ge) in ORACLE_POISSON {
            let d = Poisson { mu: *mu };
            close(d.pmf(*k), *pmf, 1e-11);
            close(d.cdf(*k), *cdf, 1e-11);
            close(d.sf_ge(*k), *sf_ge, 1e-10);
        }
    }

    #[test]
    fn negative_binomial_matches_scipy() {
        for (k, mu, size, pmf, cdf, sf_ge) in ORACLE_NB {
            let d = NegBinomial {
                mu: *mu,
                size: *size,
            };
            close(d.pmf(*k), *pmf, 1e-11);
            close(d.cdf(*k), *cdf, 1e-11);
            close(d.sf_ge(*k), *sf_ge, 1e-10);
        }
    }

    #[test]
    fn degenerate_zero_mean() {
        let d = Poisson { mu: 0.0 };
        assert_eq!(d.pmf(0), 1.0);
        assert_eq!(d.pmf(3), 0.0);
        assert_eq!(d.sf_ge(1), 0.0);
        assert_eq!(d.sf_ge(0), 1.0);
    }

    #[test]
    fn moments_fit_refuses_underdispersed() {
        assert_eq!(NegBinomial::fit_moments(&[3.0, 3.0, 3.0]), None);
        let d = NegBinomial::fit_moments(&[0.0, 10.0, 2.0, 0.0]).unwrap();
        // mean 3, sample variance 22.666…: size = 9 / 19.666…
        close(d.mu, 3.0, 1e-15);
        close(d.size, 9.0 / (68.0 / 3.0 - 3.0), 1e-12);
    }

    include!("../tests/oracle/dist_values.rs");
}
