//! Bayesian online change-point detection (Adams & MacKay 2007) with a Poisson–Gamma
//! conjugate model.
//!
//! Model: within a run, counts are Poisson with a rate drawn from Gamma(`prior_shape`,
//! rate `prior_rate`); a new run starts before each bucket with probability
//! `H = 1 / lambda` (constant hazard; `lambda` is the *expected run length*, as the
//! `changepoint` crate's `Bocpd::new(lambda, prior)` takes it). The predictive of a
//! run that has seen `k` buckets summing to `s` is negative binomial with size
//! `prior_shape + s` and mean `(prior_shape + s) / (prior_rate + k)`
//! ([`crate::dist::NegBinomial`]); the first bucket of a new run is predicted by the
//! prior alone.
//!
//! Counts are rounded to the nearest integer for the predictive.

use super::breaks::{Break, BreakBasis};
use super::PoissonCost;
use crate::dist::{CountDist, NegBinomial};

/// BOCPD settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bocpd {
    /// Expected run length λ (hazard `1/λ`), in buckets; must be > 1.
    pub lambda: f64,
    /// Gamma prior shape for the Poisson rate.
    pub prior_shape: f64,
    /// Gamma prior rate (inverse scale); the prior mean count is `shape / rate`.
    pub prior_rate: f64,
    /// Run lengths in the tail of the posterior holding less than this total mass are
    /// dropped after each step (truncation for speed; 0 keeps everything).
    pub truncate_mass: f64,
}

impl Bocpd {
    /// The anchors' setting: λ = 24, Gamma(1, 0.2), truncation at 1e-12.
    pub fn new(lambda: f64, prior_shape: f64, prior_rate: f64) -> Self {
        Bocpd {
            lambda,
            prior_shape,
            prior_rate,
            truncate_mass: 1e-12,
        }
    }

    /// Runs the filter over `xs`.
    pub fn run(&self, xs: &[f64]) -> BocpdOutput {
        let h = (1.0 / self.lambda).clamp(0.0, 1.0);
        let prior = NegBinomial {
            mu: self.prior_shape / self.prior_rate,
            size: self.prior_shape,
        };
        let mut posteriors: Vec<Vec<f64>> = Vec::with_capacity(xs.len());
        // sums[l - 1]: sum of the last l buckets, for each run length l still tracked.
        let mut sums: Vec<f64> = Vec::new();
        for (t, &x) in xs.iter().enumerate() {
            let k = x.max(0.0).round() as u64;
            let cur = if t == 0 {
                sums.push(x);
                vec![1.0]
            } else {
                let prev = &posteriors[t - 1];
                let mut cur = Vec::with_capacity(prev.len() + 1);
                cur.push(prev.iter().sum::<f64>() * h * prior.pmf(k));
                for (l, &p) in prev.iter().enumerate() {
                    let seen = (l + 1) as f64;
                    let shape = self.prior_shape + sums[l];
                    let pred = NegBinomial {
                        mu: shape / (self.prior_rate + seen),
                        size: shape,
                    };
                    cur.push(p * (1.0 - h) * pred.pmf(k));
                }
                let total: f64 = cur.iter().sum();
                if total > 0.0 && total.is_finite() {
                    cur.iter_mut().for_each(|v| *v /= total);
                } else {
                    // every hypothesis underflowed: restart the run here
                    cur.iter_mut().for_each(|v| *v = 0.0);
                    cur[0] = 1.0;
                }
                for s in sums.iter_mut() {
                    *s += x;
                }
                sums.insert(0, x);
                // truncation: drop the longest run lengths holding < truncate_mass
                let mut tail = 0.0;
                let mut keep = cur.len();
                while keep > 1 && tail + cur[keep - 1] < self.truncate_mass {
                    tail += cur[keep - 1];
                    keep -= 1;
                }
                if keep < cur.len() {
                    cur.truncate(keep);
                    sums.truncate(keep);
                    let s: f64 = cur.iter().sum();
                    cur.iter_mut().for_each(|v| *v /= s);
                }
                cur
            };
            posteriors.push(cur);
        }
        BocpdOutput {
            series: xs.to_vec(),
            posteriors,
        }
    }
}

/// The run-length posteriors of a BOCPD pass and what is read off them.
#[derive(Debug, Clone, PartialEq)]
pub struct BocpdOutput {
    series: Vec<f64>,
    /// `posteriors[t][l - 1]`: probability that the run containing bucket `t` started
    /// at `t + 1 − l` (has length `l`), given buckets `0..=t`.
    pub posteriors: Vec<Vec<f64>>,
}

impl BocpdOutput {
    /// MAP segment starts, including 0: walking back from the last bucket, take the
    /// most probable run length `l` at `t`, record the start `t + 1 − l`, continue at
    /// the bucket before it. Empty for an empty series.
    pub fn segment_starts(&self) -> Vec<usize> {
        let mut starts = Vec::new();
        let mut t = self.posteriors.len();
        while t > 0 {
            let (l, _) = argmax(&self.posteriors[t - 1]);
            let s = t - (l + 1);
            starts.push(s);
            t = s;
        }
        starts.reverse();
        starts
    }

    /// MAP change points in this crate's convention (first bucket of each new segment,
    /// no leading 0), comparable with [`super::pelt`].
    pub fn change_points(&self) -> Vec<usize> {
        self.segment_starts()
            .into_iter()
            .filter(|&s| s > 0)
            .collect()
    }

    /// MAP change points in the `changepoint` crate's convention: 0, then the index
    /// *before* each change (the anchors' `[0, 23, 47]` for breaks at 24 and 48).
    pub fn changepoint_crate_convention(&self) -> Vec<usize> {
        let starts = self.segment_starts();
        starts
            .iter()
            .map(|&s| s.saturating_sub(1))
            .collect::<Vec<_>>()
    }

    /// The MAP breaks with rates either side and the location range holding 95 % of the
    /// run-length posterior at the last bucket of the new segment.
    pub fn breaks(&self) -> Vec<Break> {
        let starts = self.segment_starts();
        let n = self.series.len();
        let cost = PoissonCost::new(&self.series);
        let mut out = Vec::new();
        for i in 1..starts.len() {
            let (prev, s) = (starts[i - 1], starts[i]);
            let next = starts.get(i + 1).copied().unwrap_or(n);
            let t = next - 1;
            let post = &self.posteriors[t];
            // start of the run = t + 1 − l, for l = idx + 1
            let mut by_prob: Vec<(usize, f64)> =
                post.iter().enumerate().map(|(j, &p)| (t - j, p)).collect();
            by_prob.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut mass = 0.0;
            let (mut lo, mut hi) = (s, s);
            for &(pos, p) in &by_prob {
                if mass >= 0.95 {
                    break;
                }
                mass += p;
                lo = lo.min(pos);
                hi = hi.max(pos);
            }
            let map_probability = post[t - s];
            let mass_in: f64 = post
                .iter()
                .enumerate()
                .filter(|(j, _)| (lo..=hi).contains(&(t - j)))
                .map(|(_, p)| p)
                .sum();
            out.push(Break::new(
                &cost,
                (prev, s, next),
                lo,
                hi,
                BreakBasis::RunLengthPosterior {
                    mass: mass_in,
                    map_probability,
                },
            ));
        }
        out
    }
}

fn argmax(v: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &p) in v.iter().enumerate() {
        if p > best.1 {
            best = (i, p);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code, clippy::type_complexity)]
    mod oracle {
        include!("../../tests/oracle/changepoint_values.rs");
    }
    use oracle::*;

    #[test]
    fn matches_python_reference() {
        for (idx, lambda, a, b, starts, head) in ORACLE_BOCPD {
            let xs: Vec<f64> = ORACLE_SEGMENT[*idx].1.iter().map(|&x| x as f64).collect();
            let mut d = Bocpd::new(*lambda, *a, *b);
            d.truncate_mass = 0.0;
            let out = d.run(&xs);
            assert_eq!(&out.segment_starts(), starts, "fixture {idx}");
            let last = out.posteriors.last().unwrap();
            for (g, w) in last.iter().zip(head.iter()) {
                assert!((g - w).abs() <= 1e-9 * w.max(1e-300), "{idx}: {g} vs {w}");
            }
            // truncation does not change the MAP
            assert_eq!(
                &Bocpd::new(*lambda, *a, *b).run(&xs).segment_starts(),
                starts
            );
        }
    }

    #[test]
    fn anchor_map_in_both_conventions() {
        let xs: Vec<f64> = ORACLE_SEGMENT[0].1.iter().map(|&x| x as f64).collect();
        let out = Bocpd::new(24.0, 1.0, 0.2).run(&xs);
        assert_eq!(out.change_points(), vec![24, 48]);
        assert_eq!(out.changepoint_crate_convention(), vec![0, 23, 47]);
        let breaks = out.breaks();
        assert_eq!(breaks.len(), 2);
        for b in &breaks {
            assert!(b.lo <= b.index && b.index <= b.hi);
            match b.basis {
                BreakBasis::RunLengthPosterior {
                    mass,
                    map_probability,
                } => {
                    assert!((0.95 - 1e-12..=1.0 + 1e-12).contains(&mass));
                    assert!(map_probability > 0.0 && map_probability <= mass);
                }
                _ => panic!("wrong basis"),
            }
        }
        assert!(breaks[0].ratio > 3.0);
        assert!(breaks[1].ratio < 0.5);
    }

    #[test]
    fn degenerate_series() {
        let d = Bocpd::new(24.0, 1.0, 0.2);
        assert!(d.run(&[]).change_points().is_empty());
        assert!(d.run(&[]).changepoint_crate_convention().is_empty());
        assert!(d.run(&[7.0]).change_points().is_empty());
        assert!(d.run(&[0.0; 40]).change_points().is_empty());
        assert!(d.run(&[4.0; 40]).change_points().is_empty());
        for row in &d.run(&[0.0, 3.0, 500.0, 2.0]).posteriors {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
