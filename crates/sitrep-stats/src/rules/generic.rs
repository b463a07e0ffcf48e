//! Generic rules: threshold, crossing, trend, anomaly, share.

use super::{mean, percent, ratio, window, Evaluation, Evidence, Status};
use crate::dist::{gamma_q, CountDist, NegBinomial, Poisson};
use crate::interval::{clopper_pearson, wilson, Z_95};

/// A comparison with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// Fires when `value ≥ threshold`.
    AtLeast,
    /// Fires when `value ≤ threshold`.
    AtMost,
}

/// Fires on each bucket whose value is `≥` (or `≤`) `threshold`.
pub fn threshold(xs: &[Option<f64>], cmp: Comparator, threshold: f64) -> Vec<Evaluation> {
    xs.iter()
        .map(|x| {
            let Some(v) = *x else {
                return Evaluation::no_data();
            };
            let hit = match cmp {
                Comparator::AtLeast => v >= threshold,
                Comparator::AtMost => v <= threshold,
            };
            Evaluation {
                status: if hit { Status::Fired } else { Status::Quiet },
                evidence: Evidence {
                    value: Some(v),
                    threshold: Some(threshold),
                    ..Default::default()
                },
                detail: (),
            }
        })
        .collect()
}

/// Fires on the bucket where `a` overtakes `b`: `a[t] > b[t]` and `a[t−1] ≤ b[t−1]`.
/// The first bucket, and any bucket where one of the four values is missing, is
/// `NoData`. Evidence: value = `a[t]`, baseline = `b[t]`.
pub fn crossing(a: &[Option<f64>], b: &[Option<f64>]) -> Vec<Evaluation> {
    let n = a.len().min(b.len());
    (0..n)
        .map(|t| {
            if t == 0 {
                return Evaluation::no_data();
            }
            let (Some(a0), Some(b0), Some(a1), Some(b1)) = (a[t - 1], b[t - 1], a[t], b[t]) else {
                return Evaluation::no_data();
            };
            Evaluation {
                status: if a1 > b1 && a0 <= b0 {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(a1),
                    baseline: Some(b1),
                    ratio: Some(ratio(a1, b1)),
                    percent_change: Some(percent(a1, b1)),
                    ..Default::default()
                },
                detail: (),
            }
        })
        .collect()
}

/// A Poisson log-linear trend fitted on a window.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Trend {
    /// Slope β of `log E[y_i] = α + β·i` (per bucket).
    pub slope: f64,
    /// Its standard error from the Fisher information.
    pub se: f64,
    /// `exp(β)`: the multiplicative change per bucket.
    pub rate_ratio: f64,
    /// Two-sided Wald p-value, `P(χ²₁ ≥ (β / se)²)`.
    pub p_wald: f64,
    /// Likelihood-ratio p-value against a constant rate, `P(χ²₁ ≥ D₀ − D₁)`.
    pub p_lr: f64,
}

/// Fits `log E[y_i] = α + β·i`, `i = 0..k`, by iteratively reweighted least squares.
/// Returns `None` when the window is empty or has no events (no slope to speak of).
pub fn poisson_trend(ys: &[f64]) -> Option<Trend> {
    let k = ys.len();
    let total: f64 = ys.iter().sum();
    if k < 2 || total <= 0.0 {
        return None;
    }
    let c = (k as f64 - 1.0) / 2.0; // centre i for a well-conditioned fit
    let xs: Vec<f64> = (0..k).map(|i| i as f64 - c).collect();
    let mut alpha = (total / k as f64).ln();
    let mut beta = 0.0;
    for _ in 0..100 {
        // score and Fisher information at (alpha, beta)
        let (mut s0, mut s1) = (0.0, 0.0);
        let mut info = [[0.0; 2]; 2];
        for (y, x) in ys.iter().zip(&xs) {
            let mu = (alpha + beta * x).exp();
            s0 += y - mu;
            s1 += (y - mu) * x;
            info[0][0] += mu;
            info[0][1] += mu * x;
            info[1][1] += mu * x * x;
        }
        let det = info[0][0] * info[1][1] - info[0][1] * info[0][1];
        if det.is_nan() || det <= 0.0 {
            break;
        }
        let da = (info[1][1] * s0 - info[0][1] * s1) / det;
        let db = (info[0][0] * s1 - info[0][1] * s0) / det;
        alpha += da;
        beta += db;
        if da.abs() < 1e-12 && db.abs() < 1e-12 {
            break;
        }
        if beta.abs() > 50.0 {
            break; // separation: all events at one end; the LR p-value still holds
        }
    }
    // information at the final estimate
    let mut info = [[0.0; 2]; 2];
    for x in &xs {
        let mu = (alpha + beta * x).exp();
        info[0][0] += mu;
        info[0][1] += mu * x;
        info[1][1] += mu * x * x;
    }
    let det = info[0][0] * info[1][1] - info[0][1] * info[0][1];
    let se = (info[0][0] / det).sqrt();
    let dev = |mus: &dyn Fn(f64) -> f64| -> f64 {
        2.0 * ys
            .iter()
            .zip(&xs)
            .map(|(y, x)| {
                let mu = mus(*x);
                let t = if *y > 0.0 { y * (y / mu).ln() } else { 0.0 };
                t - (y - mu)
            })
            .sum::<f64>()
    };
    let mean = total / k as f64;
    let d0 = dev(&|_| mean);
    let d1 = dev(&|x| (alpha + beta * x).exp());
    let lr = (d0 - d1).max(0.0);
    let z2 = (beta / se).powi(2);
    Some(Trend {
        slope: beta,
        se,
        rate_ratio: beta.exp(),
        p_wald: chi2_1_sf(z2),
        p_lr: chi2_1_sf(lr),
    })
}

/// `P(χ²₁ ≥ x)`.
fn chi2_1_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    gamma_q(0.5, x / 2.0)
}

/// Trend over the last `k` buckets ending at each bucket, by Poisson log-linear
/// regression. Fires when the likelihood-ratio p-value is below `alpha` and the slope
/// is positive (a significant rise; use the detail's slope for falls). The
/// likelihood-ratio test is the decision because the Wald test is unreliable with few
/// events; both p-values are in the detail. Evidence: value = `exp(β)` (change per
/// bucket), p-value = LR p, threshold = `alpha`; windows without events are quiet.
pub fn trend(xs: &[Option<f64>], k: usize, alpha: f64) -> Vec<Evaluation<Option<Trend>>> {
    (0..xs.len())
        .map(|t| {
            let Some(v) = window(xs, t as isize + 1 - k as isize, t + 1) else {
                return Evaluation::no_data();
            };
            let fit = poisson_trend(&v);
            let status = match fit {
                Some(f) if f.p_lr < alpha && f.slope > 0.0 => Status::Fired,
                _ => Status::Quiet,
            };
            Evaluation {
                status,
                evidence: Evidence {
                    value: fit.map(|f| f.rate_ratio),
                    p_value: fit.map(|f| f.p_lr),
                    threshold: Some(alpha),
                    ..Default::default()
                },
                detail: fit,
            }
        })
        .collect()
}

/// Tail probabilities behind an anomaly verdict.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Anomaly {
    /// `P(X ≥ value)` under a Poisson with the baseline mean.
    pub p_poisson: f64,
    /// `P(X ≥ value)` under a negative binomial fitted by moments on the baseline
    /// window; `None` when the window is not over-dispersed (then it equals the
    /// Poisson).
    pub p_negbin: Option<f64>,
    /// The fitted negative-binomial size, if any.
    pub size: Option<f64>,
}

/// Anomaly of each bucket against the `w` buckets before it: the upper-tail
/// probability of the bucket's count under a Poisson with the window's mean and under
/// a negative binomial fitted by moments on the window ([`NegBinomial::fit_moments`]).
/// Fires when the negative-binomial p-value (the Poisson one when the window is not
/// over-dispersed) is below `alpha`: the conservative choice for bursty counts.
/// Counts are rounded to integers for the tail. Evidence: value, baseline = mean,
/// p-value, threshold = `alpha`.
pub fn anomaly(xs: &[Option<f64>], w: usize, alpha: f64) -> Vec<Evaluation<Option<Anomaly>>> {
    (0..xs.len())
        .map(|t| {
            let Some(v) = window(xs, t as isize - w as isize, t + 1) else {
                return Evaluation::no_data();
            };
            if w == 0 {
                return Evaluation::no_data();
            }
            let (base, x) = (&v[..w], v[w]);
            let m = mean(base);
            let k = x.max(0.0).round() as u64;
            let p_poisson = Poisson { mu: m }.sf_ge(k);
            let nb = NegBinomial::fit_moments(base);
            let p_negbin = nb.map(|d| d.sf_ge(k));
            let p = p_negbin.unwrap_or(p_poisson);
            Evaluation {
                status: if p < alpha {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(x),
                    baseline: Some(m),
                    ratio: Some(ratio(x, m)),
                    percent_change: Some(percent(x, m)),
                    p_value: Some(p),
                    threshold: Some(alpha),
                    ..Default::default()
                },
                detail: Some(Anomaly {
                    p_poisson,
                    p_negbin,
                    size: nb.map(|d| d.size),
                }),
            }
        })
        .collect()
}

/// The interval used by [`share`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareInterval {
    /// Wilson score interval (95 %).
    Wilson,
    /// Clopper–Pearson exact interval (95 %).
    Exact,
}

/// Share `numerator / denominator` per bucket (e.g. events against civilians among
/// all events) with a 95 % interval. Fires when the *lower* end of the interval is at
/// least `threshold`, so an alert means the share is credibly that high, not just noisy
/// on a small denominator. A zero denominator is [`Status::Ineligible`]. Evidence:
/// value = share, lo/hi = interval, threshold.
pub fn share(
    numerator: &[Option<f64>],
    denominator: &[Option<f64>],
    threshold: f64,
    interval: ShareInterval,
) -> Vec<Evaluation> {
    let n = numerator.len().min(denominator.len());
    (0..n)
        .map(|t| {
            let (Some(k), Some(d)) = (numerator[t], denominator[t]) else {
                return Evaluation::no_data();
            };
            if d <= 0.0 {
                return Evaluation {
                    status: Status::Ineligible,
                    evidence: Evidence {
                        threshold: Some(threshold),
                        ..Default::default()
                    },
                    detail: (),
                };
            }
            let (lo, hi) = match interval {
                ShareInterval::Wilson => wilson(k, d, Z_95),
                ShareInterval::Exact => clopper_pearson(k, d, 0.95),
            };
            Evaluation {
                status: if lo >= threshold {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(k / d),
                    threshold: Some(threshold),
                    lo: Some(lo),
                    hi: Some(hi),
                    ..Default::default()
                },
                detail: (),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code, clippy::type_complexity)]
    mod oracle {
        include!("../../tests/oracle/rules_values.rs");
    }
    use oracle::*;

    fn s(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&x| Some(x)).collect()
    }

    fn close(a: f64, b: f64, rel: f64) {
        assert!(
            (a - b).abs() <= rel * b.abs().max(1e-300),
            "{a} vs {b} (rel {rel})"
        );
    }

    #[test]
    fn threshold_both_ways_and_gaps() {
        let ev = threshold(
            &[Some(4.0), Some(5.0), None, Some(6.0)],
            Comparator::AtLeast,
            5.0,
        );
        let st: Vec<Status> = ev.iter().map(|e| e.status).collect();
        assert_eq!(
            st,
            [Status::Quiet, Status::Fired, Status::NoData, Status::Fired]
        );
        let ev = threshold(&s(&[4.0, 5.0, 6.0]), Comparator::AtMost, 5.0);
        assert_eq!(ev[1].status, Status::Fired);
        assert_eq!(ev[2].status, Status::Quiet);
    }

    #[test]
    fn crossing_fires_on_the_overtaking_bucket_only() {
        let a = s(&[1.0, 2.0, 3.0, 5.0, 6.0, 2.0, 4.0]);
        let b = s(&[4.0, 4.0, 3.0, 4.0, 4.0, 4.0, 4.0]);
        let st: Vec<Status> = crossing(&a, &b).iter().map(|e| e.status).collect();
        // equal at 2 (not yet over), over at 3 → fires at 3; back under at 5;
        // a = b at 6 is not "overtaking"
        assert_eq!(
            st,
            [
                Status::NoData,
                Status::Quiet,
                Status::Quiet,
                Status::Fired,
                Status::Quiet,
                Status::Quiet,
                Status::Quiet
            ]
        );
        let mut a2 = a.clone();
        a2[2] = None;
        let ev = crossing(&a2, &b);
        assert_eq!(ev[3].status, Status::NoData);
    }

    #[test]
    fn trend_matches_scipy_fit() {
        for (ys, slope, se, p_wald, p_lr) in ORACLE_TREND {
            let f = poisson_trend(ys).unwrap();
            close(f.slope, *slope, 1e-8);
            close(f.se, *se, 1e-8);
            close(f.p_wald, *p_wald, 1e-7);
            close(f.p_lr, *p_lr, 1e-7);
        }
        assert!(poisson_trend(&[0.0, 0.0, 0.0]).is_none());
        assert!(poisson_trend(&[3.0]).is_none());
    }

    #[test]
    fn trend_rule_fires_on_significant_rise() {
        let (ys, ..) = ORACLE_TREND[0];
        let xs = s(ys);
        let ev = trend(&xs, ys.len(), 0.05);
        let last = ev.last().unwrap();
        assert_eq!(last.status, Status::Fired);
        assert!(ev[..ys.len() - 1]
            .iter()
            .all(|e| e.status == Status::NoData));
        let flat = trend(&s(&[5.0; 8]), 8, 0.05);
        assert_eq!(flat[7].status, Status::Quiet);
        assert_eq!(trend(&s(&[0.0; 8]), 8, 0.05)[7].status, Status::Quiet);
        let mut gap = xs.clone();
        gap[1] = None;
        assert_eq!(
            trend(&gap, ys.len(), 0.05).last().unwrap().status,
            Status::NoData
        );
    }

    #[test]
    fn anomaly_tails_match_scipy() {
        for (base, x, pp, pnb) in ORACLE_ANOMALY {
            let mut v: Vec<f64> = base.to_vec();
            v.push(*x);
            let ev = anomaly(&s(&v), base.len(), 0.01);
            let e = ev.last().unwrap();
            let d = e.detail.unwrap();
            close(d.p_poisson, *pp, 1e-10);
            if *pnb < 0.0 {
                assert_eq!(d.p_negbin, None);
            } else {
                close(d.p_negbin.unwrap(), *pnb, 1e-10);
            }
        }
    }

    #[test]
    fn anomaly_status_and_gaps() {
        let mut v = vec![10.0; 12];
        v.push(30.0);
        let ev = anomaly(&s(&v), 12, 0.01);
        assert_eq!(ev[12].status, Status::Fired); // Poisson(10) P(X ≥ 30) ≈ 7e-7
        assert!(ev[..12].iter().all(|e| e.status == Status::NoData));
        let mut g = s(&v);
        g[3] = None;
        assert_eq!(anomaly(&g, 12, 0.01)[12].status, Status::NoData);
    }

    #[test]
    fn share_intervals_match_scipy() {
        let near =
            |a: f64, b: f64| assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-6), "{a} vs {b}");
        for (k, n, wl, wh, el, eh) in ORACLE_SHARE {
            let w = share(&[Some(*k)], &[Some(*n)], 0.0, ShareInterval::Wilson);
            near(w[0].evidence.lo.unwrap(), *wl);
            near(w[0].evidence.hi.unwrap(), *wh);
            let e = share(&[Some(*k)], &[Some(*n)], 0.0, ShareInterval::Exact);
            near(e[0].evidence.lo.unwrap(), *el);
            near(e[0].evidence.hi.unwrap(), *eh);
        }
    }

    #[test]
    fn share_rule_uses_the_lower_bound() {
        // 6/10 = 60 % but the lower bound (~0.31) is below 0.5 → quiet; 60/100 fires
        let ev = share(
            &[Some(6.0), Some(60.0), Some(1.0), None],
            &[Some(10.0), Some(100.0), Some(0.0), Some(5.0)],
            0.5,
            ShareInterval::Wilson,
        );
        assert_eq!(ev[0].status, Status::Quiet);
        assert_eq!(ev[1].status, Status::Fired); // Wilson lower bound 0.502
        assert_eq!(ev[2].status, Status::Ineligible);
        assert_eq!(ev[3].status, Status::NoData);
    }
}
