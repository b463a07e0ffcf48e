//! Breaks as an analyst reads them: where, how sure about where, and the rate on each
//! side with exact intervals (what the claim checker tests "rose fivefold" against).

use super::Cost;
use crate::interval::{poisson_rate_interval, rate_ratio_interval};

/// Profile-cost delta for [`describe_breaks`]: the 95 % point of χ² with one degree of
/// freedom. Costs are −2·log-likelihood, so positions within this delta of the best are
/// those a likelihood-ratio test would not reject at 5 % (an approximation: a change
/// point's location is not a regular parameter).
pub const DEFAULT_PROFILE_DELTA: f64 = 3.841_458_820_694_124;

/// A segment's rate with its exact 95 % interval.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRate {
    /// First bucket of the segment.
    pub start: usize,
    /// One past the last bucket.
    pub end: usize,
    /// Total count in the segment.
    pub total: f64,
    /// Mean count per bucket.
    pub rate: f64,
    /// Lower end of the exact (Garwood) 95 % interval for the rate.
    pub rate_lo: f64,
    /// Upper end of that interval.
    pub rate_hi: f64,
}

impl SegmentRate {
    /// The rate of `xs`-derived totals on `start..end`, from a cost's prefix sums.
    pub fn of<C: Cost + ?Sized>(cost: &C, start: usize, end: usize) -> Self {
        let total = cost.total(start, end);
        let len = (end - start) as f64;
        let (rate_lo, rate_hi) = poisson_rate_interval(total, len, 0.95);
        SegmentRate {
            start,
            end,
            total,
            rate: total / len,
            rate_lo,
            rate_hi,
        }
    }
}

/// How a break's location range was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakBasis {
    /// Positions whose two-segment cost (neighbouring breaks held fixed) is within
    /// `delta` of the best position's.
    ProfileCost {
        /// The cost delta used.
        delta: f64,
    },
    /// The smallest set of start positions holding at least 95 % of the BOCPD
    /// run-length posterior at the segment's last bucket; `mass` is what it holds and
    /// `map_probability` the posterior of the reported position.
    RunLengthPosterior {
        /// Posterior mass inside `lo..=hi`.
        mass: f64,
        /// Posterior probability of `index` itself.
        map_probability: f64,
    },
}

/// One change point with its uncertainty and the rates either side.
#[derive(Debug, Clone, PartialEq)]
pub struct Break {
    /// First bucket of the new segment.
    pub index: usize,
    /// Earliest plausible position of the break (inclusive).
    pub lo: usize,
    /// Latest plausible position (inclusive).
    pub hi: usize,
    /// How `lo..=hi` was obtained.
    pub basis: BreakBasis,
    /// The segment before the break.
    pub before: SegmentRate,
    /// The segment after the break.
    pub after: SegmentRate,
    /// `after.rate / before.rate` (infinite when the rate before is 0, NaN if both are).
    pub ratio: f64,
    /// Exact 95 % interval for the ratio (conditional binomial, Clopper–Pearson).
    pub ratio_lo: f64,
    /// Upper end of that interval.
    pub ratio_hi: f64,
}

impl Break {
    pub(crate) fn new<C: Cost + ?Sized>(
        cost: &C,
        bounds: (usize, usize, usize),
        lo: usize,
        hi: usize,
        basis: BreakBasis,
    ) -> Self {
        let (s, index, e) = bounds;
        let before = SegmentRate::of(cost, s, index);
        let after = SegmentRate::of(cost, index, e);
        let (ratio_lo, ratio_hi) = rate_ratio_interval(
            before.total,
            (index - s) as f64,
            after.total,
            (e - index) as f64,
            0.95,
        );
        Break {
            index,
            lo,
            hi,
            basis,
            ratio: after.rate / before.rate,
            ratio_lo,
            ratio_hi,
            before,
            after,
        }
    }
}

/// Describes the change points `cps` (ascending, as [`super::pelt`] or
/// [`super::binseg`] return them) of the series behind `cost`.
///
/// The location range of each break comes from its profile cost: holding the
/// neighbouring breaks fixed, every position `τ` leaving both sides at least
/// `min_seg_len` long whose `cost(prev, τ) + cost(τ, next)` is within `delta` of the
/// best such position (use [`DEFAULT_PROFILE_DELTA`]); `lo`/`hi` are the extreme ones.
pub fn describe_breaks<C: Cost + ?Sized>(
    cost: &C,
    cps: &[usize],
    min_seg_len: usize,
    delta: f64,
) -> Vec<Break> {
    let n = cost.len();
    let m = min_seg_len.max(1);
    let mut out = Vec::with_capacity(cps.len());
    for (i, &c) in cps.iter().enumerate() {
        let prev = if i == 0 { 0 } else { cps[i - 1] };
        let next = cps.get(i + 1).copied().unwrap_or(n);
        if !(prev < c && c < next) {
            continue;
        }
        let (first, last) = (prev + m, next.saturating_sub(m));
        let profile = |t: usize| cost.cost(prev, t) + cost.cost(t, next);
        let (mut lo, mut hi) = (c, c);
        if first <= last {
            let best = (first..=last).map(profile).fold(f64::INFINITY, f64::min);
            let within: Vec<usize> = (first..=last)
                .filter(|&t| profile(t) <= best + delta)
                .collect();
            lo = within.first().copied().unwrap_or(c).min(c);
            hi = within.last().copied().unwrap_or(c).max(c);
        }
        out.push(Break::new(
            cost,
            (prev, c, next),
            lo,
            hi,
            BreakBasis::ProfileCost { delta },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{pelt, Penalty, PoissonCost};
    use super::*;

    #[test]
    fn fivefold_rise_has_rates_and_ratio() {
        // 24 buckets at 3, 24 at 15: ratio 5, intervals from the exact formulas.
        let mut xs = vec![3.0; 24];
        xs.extend(vec![15.0; 24]);
        let c = PoissonCost::new(&xs);
        let cps = pelt(&c, &Penalty::Mbic, 2);
        assert_eq!(cps, vec![24]);
        let b = &describe_breaks(&c, &cps, 2, DEFAULT_PROFILE_DELTA)[0];
        assert_eq!(b.index, 24);
        assert!(b.lo <= 24 && 24 <= b.hi && b.hi - b.lo <= 2, "{b:?}");
        assert_eq!(b.before.rate, 3.0);
        assert_eq!(b.after.rate, 15.0);
        assert!((b.ratio - 5.0).abs() < 1e-12);
        // same totals as the oracle's (72, 24, 360, 24) row
        let (lo, hi) = rate_ratio_interval(72.0, 24.0, 360.0, 24.0, 0.95);
        assert_eq!((b.ratio_lo, b.ratio_hi), (lo, hi));
        assert!(b.ratio_lo < 5.0 && 5.0 < b.ratio_hi);
        assert!(b.before.rate_lo < 3.0 && 3.0 < b.before.rate_hi);
    }

    #[test]
    fn no_breaks_no_descriptions() {
        let c = PoissonCost::new(&[]);
        assert!(describe_breaks(&c, &[], 2, DEFAULT_PROFILE_DELTA).is_empty());
    }
}
