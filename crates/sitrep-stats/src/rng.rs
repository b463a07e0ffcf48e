//! A small seeded, deterministic pseudo-random generator for simulation and
//! predictive sampling: xoshiro256** seeded through splitmix64.
//!
//! Not cryptographic. The same seed gives the same stream on every platform, so
//! back-tests and synthetic panels are reproducible. Draws: uniform, standard
//! normal, Gamma, Poisson and negative binomial (as a Gamma–Poisson mixture).

use crate::dist::ln_factorial;

/// One step of splitmix64: advances `state` and returns a well-mixed 64-bit value.
/// Also used to derive independent seeds from a tuple of indexes.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mixes a base seed with a list of indexes into a new seed, so that a stream per
/// (model, unit, origin, horizon) is independent of the order cells are visited in.
pub fn derive_seed(base: u64, parts: &[u64]) -> u64 {
    let mut s = base;
    let mut out = splitmix64(&mut s);
    for p in parts {
        s ^= p.wrapping_mul(0xD1B5_4A32_D192_ED03).wrapping_add(out);
        out = splitmix64(&mut s);
    }
    out
}

/// xoshiro256** generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose state is filled from `seed` by splitmix64.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { s }
    }

    /// The next raw 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on `(0, 1]`: safe to take the logarithm of.
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// Uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift with rejection.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }

    /// Standard normal by the Box–Muller transform (one value per two uniforms).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform_open0();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Gamma with shape `shape > 0` and scale `scale > 0` (mean `shape·scale`), by
    /// Marsaglia and Tsang's squeeze method; shapes below 1 use the `U^{1/shape}` boost.
    pub fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform_open0();
            return self.gamma(shape + 1.0, scale) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform_open0();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
                return d * v * scale;
            }
        }
    }

    /// Poisson with mean `mu ≥ 0`: inversion by sequential search below 12, Hörmann's
    /// transformed rejection (PTRS) above.
    pub fn poisson(&mut self, mu: f64) -> u64 {
        if mu <= 0.0 || !mu.is_finite() {
            return 0;
        }
        if mu < 12.0 {
            let u = self.uniform();
            let mut p = (-mu).exp();
            let mut cdf = p;
            let mut k = 0u64;
            while u >= cdf && k < 1_000 {
                k += 1;
                p *= mu / k as f64;
                cdf += p;
            }
            return k;
        }
        let slam = mu.sqrt();
        let loglam = mu.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let v_r = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform_open0();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + mu + 0.43).floor();
            if us >= 0.07 && v <= v_r {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            let lhs = v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln();
            let rhs = -mu + k * loglam - ln_factorial(k as u64);
            if lhs <= rhs {
                return k as u64;
            }
        }
    }

    /// Negative binomial with mean `mu` and size `size` (variance `mu + mu²/size`), as
    /// a Poisson whose mean is Gamma(size, mu/size).
    pub fn neg_binomial(&mut self, mu: f64, size: f64) -> u64 {
        if mu <= 0.0 {
            return 0;
        }
        if !size.is_finite() {
            return self.poisson(mu);
        }
        let lambda = self.gamma(size, mu / size);
        self.poisson(lambda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, v)
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
        assert_ne!(derive_seed(7, &[1, 2]), derive_seed(7, &[2, 1]));
    }

    #[test]
    fn uniform_and_below_are_in_range_and_balanced() {
        let mut r = Rng::new(3);
        let mut counts = [0usize; 7];
        for _ in 0..70_000 {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            counts[r.below(7)] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{c}");
        }
    }

    #[test]
    fn normal_and_gamma_moments() {
        let mut r = Rng::new(11);
        let xs: Vec<f64> = (0..200_000).map(|_| r.normal()).collect();
        let (m, v) = moments(&xs);
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
        for (shape, scale) in [(0.3, 2.0), (1.0, 1.0), (4.5, 0.5), (50.0, 3.0)] {
            let xs: Vec<f64> = (0..200_000).map(|_| r.gamma(shape, scale)).collect();
            let (m, v) = moments(&xs);
            let (em, ev) = (shape * scale, shape * scale * scale);
            assert!(
                (m - em).abs() < 0.01 * em + 0.005,
                "{shape}: mean {m} vs {em}"
            );
            assert!((v - ev).abs() < 0.04 * ev, "{shape}: var {v} vs {ev}");
        }
    }

    #[test]
    fn poisson_moments_and_pmf_small_and_large() {
        let mut r = Rng::new(5);
        for mu in [0.2, 3.0, 11.9, 12.0, 40.0, 1_000.0] {
            let xs: Vec<f64> = (0..200_000).map(|_| r.poisson(mu) as f64).collect();
            let (m, v) = moments(&xs);
            assert!((m - mu).abs() < 0.01 * mu + 0.005, "{mu}: mean {m}");
            assert!((v - mu).abs() < 0.03 * mu + 0.005, "{mu}: var {v}");
        }
        // Frequencies against the pmf around the PTRS switch.
        use crate::dist::{CountDist, Poisson};
        let mu = 15.0;
        let n = 400_000;
        let mut counts = vec![0usize; 60];
        for _ in 0..n {
            counts[(r.poisson(mu) as usize).min(59)] += 1;
        }
        for (k, c) in counts.iter().enumerate().take(35) {
            let p = Poisson { mu }.pmf(k as u64);
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!((*c as f64 - n as f64 * p).abs() < 5.0 * sd + 2.0, "k={k}");
        }
    }

    #[test]
    fn neg_binomial_moments() {
        let mut r = Rng::new(9);
        for (mu, size) in [(3.0, 0.5), (20.0, 2.0), (200.0, 10.0)] {
            let xs: Vec<f64> = (0..200_000)
                .map(|_| r.neg_binomial(mu, size) as f64)
                .collect();
            let (m, v) = moments(&xs);
            let ev = mu + mu * mu / size;
            assert!((m - mu).abs() < 0.02 * mu, "{mu}: mean {m}");
            assert!((v - ev).abs() < 0.06 * ev, "{mu}: var {v} vs {ev}");
        }
    }
}
