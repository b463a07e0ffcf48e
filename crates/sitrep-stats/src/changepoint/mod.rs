//! Change points in count series: segment costs, penalties, PELT, binary segmentation,
//! the CROPS penalty path, Bayesian online change-point detection, and the TCPDBench
//! evaluation metrics.
//!
//! ## Conventions
//!
//! * A series is `&[f64]` of non-negative counts, one per bucket (week, month).
//! * A **change point** is the index of the *first bucket of a new segment*, as in R
//!   `changepoint`'s `cpts()` minus the final `n`, and in `ruptures`' breakpoints minus
//!   the final `n`: breaks at 24 and 48 in a 60-bucket series mean segments `0..24`,
//!   `24..48`, `48..60`. An empty list means "no change".
//! * Segments are half-open `start..end`.
//!
//! ## R parity (`cpt.meanvar(test.stat = "Poisson", method = "PELT", penalty = "MBIC")`)
//!
//! * Cost: [`PoissonCost`], R's `mll_meanvar_poisson`, `2·x·(ln n − ln x)` for a
//!   segment of length `n` and sum `x`, 0 when `x = 0`.
//! * Under [`Penalty::Mbic`] every segment also pays `ln n` (R's `mbic_meanvar_poisson`;
//!   as in R, a segment whose sum is 0 pays nothing), see [`Cost::mbic_term`].
//! * Penalty per change point: R's `penalty_decision` with `diffparam = 1` (what
//!   `multiple.meanvar.poisson` passes), see [`Penalty::value`].
//! * Minimum segment length 2 ([`DEFAULT_MIN_SEG_LEN`]).
//! * Ties go to the earliest last change, as R's `min_which`.
//! * R prunes PELT with `K = 0`, which is exact for a pure likelihood cost but not
//!   provably so once the MBIC `ln n` per segment is added (splitting a segment can
//!   raise that term by up to `ln(n/4)`), nor with a minimum segment length. [`pelt`]
//!   prunes only when it is provably safe, so it always returns the optimal
//!   partition; on every committed fixture R's pruning gives the same answer (the oracle
//!   script runs both and asserts it).

mod bocpd;
mod breaks;
mod metrics;

pub use bocpd::{Bocpd, BocpdOutput};
pub use breaks::{describe_breaks, Break, BreakBasis, SegmentRate, DEFAULT_PROFILE_DELTA};
pub use metrics::{covering, f_measure};

use crate::dist::NegBinomial;

/// R `changepoint`'s default minimum segment length for a change in mean and variance.
pub const DEFAULT_MIN_SEG_LEN: usize = 2;

/// R `changepoint`'s default maximum number of change points for binary segmentation
/// (`Q = 5`).
pub const DEFAULT_MAX_CPS: usize = 5;

/// A segment cost computed in O(1) from prefix sums.
///
/// `cost(start, end)` is twice the negative log-likelihood of `xs[start..end]` at its
/// maximum-likelihood parameters, up to terms that are the same for every
/// segmentation of the series (so they cancel when segmentations are compared).
pub trait Cost {
    /// Length of the series the cost was built on.
    fn len(&self) -> usize;
    /// Whether the series is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Cost of the half-open segment `start..end` (`start < end ≤ len`).
    fn cost(&self, start: usize, end: usize) -> f64;
    /// The extra per-segment term the MBIC penalty adds: `ln(end − start)`.
    fn mbic_term(&self, start: usize, end: usize) -> f64 {
        ((end - start) as f64).ln()
    }
    /// The segment's total count (used for rates).
    fn total(&self, start: usize, end: usize) -> f64;
}

fn prefix_sums(xs: &[f64]) -> Vec<f64> {
    let mut p = Vec::with_capacity(xs.len() + 1);
    let mut acc = 0.0;
    p.push(0.0);
    for x in xs {
        acc += x;
        p.push(acc);
    }
    p
}

/// Poisson segment cost, R `changepoint`'s `mll_meanvar_poisson`:
/// `2·x·(ln n − ln x)`, 0 when the segment sum `x` is 0.
#[derive(Debug, Clone)]
pub struct PoissonCost {
    prefix: Vec<f64>,
}

impl PoissonCost {
    /// Builds the prefix sums of `xs` (non-negative counts).
    pub fn new(xs: &[f64]) -> Self {
        PoissonCost {
            prefix: prefix_sums(xs),
        }
    }
}

fn poisson_segment_cost(x: f64, n: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        2.0 * x * (n.ln() - x.ln())
    }
}

impl Cost for PoissonCost {
    fn len(&self) -> usize {
        self.prefix.len() - 1
    }
    fn cost(&self, start: usize, end: usize) -> f64 {
        poisson_segment_cost(self.total(start, end), (end - start) as f64)
    }
    /// As R's `mbic_meanvar_poisson`: `ln n`, but 0 when the segment sum is 0.
    fn mbic_term(&self, start: usize, end: usize) -> f64 {
        if self.total(start, end) <= 0.0 {
            0.0
        } else {
            ((end - start) as f64).ln()
        }
    }
    fn total(&self, start: usize, end: usize) -> f64 {
        self.prefix[end] - self.prefix[start]
    }
}

/// Negative-binomial segment cost with one size (dispersion) for the whole series.
///
/// The size is fitted once, by moments, on the whole series
/// ([`NegBinomial::fit_moments`]); each segment then gets its own mean (its MLE, the
/// segment mean), so the cost is
/// `−2·[n·r·ln(r / (r + μ)) + x·ln(μ / (r + μ))]` with `μ = x / n`, and 0 when `x = 0`.
/// The terms `ln Γ(y + r) − ln Γ(r) − ln y!` are the same for every segmentation and
/// are dropped. When the series is not over-dispersed the size is `None` and the cost
/// is exactly [`PoissonCost`]'s.
///
/// Why a fixed size: a size per segment would need a numerical MLE per candidate
/// segment (no O(1) cost). The price: a series with large level shifts looks
/// over-dispersed as a whole, so the fitted size is small and the cost is more
/// conservative than a Poisson cost (fewer change points) — which is what is wanted
/// for bursty conflict counts, where a Poisson cost splits every burst.
#[derive(Debug, Clone)]
pub struct NegBinomialCost {
    prefix: Vec<f64>,
    size: Option<f64>,
}

impl NegBinomialCost {
    /// Builds the prefix sums and fits the size by moments on `xs`.
    pub fn new(xs: &[f64]) -> Self {
        NegBinomialCost {
            prefix: prefix_sums(xs),
            size: NegBinomial::fit_moments(xs).map(|d| d.size),
        }
    }
    /// The fitted size, or `None` when the Poisson cost is used.
    pub fn size(&self) -> Option<f64> {
        self.size
    }
}

impl Cost for NegBinomialCost {
    fn len(&self) -> usize {
        self.prefix.len() - 1
    }
    fn cost(&self, start: usize, end: usize) -> f64 {
        let x = self.total(start, end);
        let n = (end - start) as f64;
        let Some(r) = self.size else {
            return poisson_segment_cost(x, n);
        };
        if x <= 0.0 {
            return 0.0;
        }
        let mu = x / n;
        -2.0 * (n * r * (r / (r + mu)).ln() + x * (mu / (r + mu)).ln())
    }
    fn total(&self, start: usize, end: usize) -> f64 {
        self.prefix[end] - self.prefix[start]
    }
}

/// Penalty per change point, as R `changepoint`'s `penalty_decision` computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Penalty {
    /// Modified BIC (R's default): `(diffparam + 1)·ln n` per change point, plus
    /// [`Cost::mbic_term`] per segment.
    Mbic,
    /// BIC / SIC: `diffparam·ln n`.
    Bic,
    /// AIC: `2·diffparam`.
    Aic,
    /// Hannan–Quinn: `2·diffparam·ln ln n`.
    HannanQuinn,
    /// A penalty chosen by the caller (must be ≥ 0).
    Manual(f64),
}

/// Parameters that change at a change point in a Poisson mean-and-variance model:
/// one (R's `multiple.meanvar.poisson` sets `diffparam = 1`).
pub const DIFFPARAM: f64 = 1.0;

impl Penalty {
    /// The penalty per change point for a series of length `n`.
    pub fn value(&self, n: usize) -> f64 {
        let ln_n = (n.max(1) as f64).ln();
        match self {
            Penalty::Mbic => (DIFFPARAM + 1.0) * ln_n,
            Penalty::Bic => DIFFPARAM * ln_n,
            Penalty::Aic => 2.0 * DIFFPARAM,
            Penalty::HannanQuinn => 2.0 * DIFFPARAM * ln_n.max(f64::MIN_POSITIVE).ln().max(0.0),
            Penalty::Manual(v) => v.max(0.0),
        }
    }
    /// Whether segments also pay [`Cost::mbic_term`].
    pub fn adds_segment_term(&self) -> bool {
        matches!(self, Penalty::Mbic)
    }
}

fn segment_cost<C: Cost + ?Sized>(c: &C, s: usize, e: usize, mbic: bool) -> f64 {
    let v = c.cost(s, e);
    if mbic {
        v + c.mbic_term(s, e)
    } else {
        v
    }
}

/// PELT (Killick, Fearnhead & Eckley 2012): the exact optimal partition minimising
/// `Σ segment cost + penalty · (number of change points)`, with pruning.
///
/// Returns the change points (first index of each new segment), ascending. A series
/// shorter than `2·min_seg_len` has none. `min_seg_len` is raised to at least 1.
pub fn pelt<C: Cost + ?Sized>(cost: &C, penalty: &Penalty, min_seg_len: usize) -> Vec<usize> {
    let n = cost.len();
    pelt_raw(
        cost,
        penalty.value(n),
        penalty.adds_segment_term(),
        min_seg_len,
    )
}

/// PELT with a raw penalty value, and whether segments pay the MBIC term.
fn pelt_raw<C: Cost + ?Sized>(cost: &C, beta: f64, mbic: bool, min_seg_len: usize) -> Vec<usize> {
    let n = cost.len();
    let m = min_seg_len.max(1);
    if n < 2 * m {
        return Vec::new();
    }
    // Pruning is safe when C(s, T) ≥ C(s, t) + C(t, T) − slack for every s < t < T:
    // the likelihood part only falls when a segment is split; the MBIC ln-length part
    // can rise by at most ln(ab / (a + b)) ≤ ln(n / 4).
    let slack = if mbic {
        ((n as f64) / 4.0).ln().max(0.0)
    } else {
        0.0
    };
    let mut f = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    // A candidate s pruned at t may still be the best for T < t + m (t itself is not a
    // valid last change for those), so it is only dropped from t + m on.
    let mut dead_from = vec![usize::MAX; n + 1];
    f[0] = -beta;
    let mut candidates: Vec<usize> = vec![0];
    let mut scratch: Vec<f64> = Vec::new();
    for t in m..=n {
        if t >= 2 * m {
            candidates.push(t - m);
        }
        candidates.retain(|&s| dead_from[s] > t);
        scratch.clear();
        let mut best = f64::INFINITY;
        let mut arg = 0;
        for &s in &candidates {
            let v = f[s] + segment_cost(cost, s, t, mbic);
            scratch.push(v);
            if v + beta < best {
                best = v + beta;
                arg = s;
            }
        }
        f[t] = best;
        last[t] = arg;
        for (&s, v) in candidates.iter().zip(&scratch) {
            if v - slack > best && dead_from[s] == usize::MAX {
                dead_from[s] = t + m;
            }
        }
    }
    backtrack(&last, n)
}

fn backtrack(last: &[usize], n: usize) -> Vec<usize> {
    let mut cps = Vec::new();
    let mut t = n;
    while t > 0 {
        t = last[t];
        if t > 0 {
            cps.push(t);
        }
    }
    cps.reverse();
    cps
}

/// Binary segmentation as R `changepoint` runs it: `max_cps` greedy splits, each the
/// single split (both sides at least `min_seg_len` long) that lowers the total cost
/// most over all current segments; the sequence of gains is made non-increasing (each
/// capped by the one before), and the leading splits whose gain is ≥ the penalty are
/// kept. Returns the kept change points, ascending.
pub fn binseg<C: Cost + ?Sized>(
    cost: &C,
    penalty: &Penalty,
    min_seg_len: usize,
    max_cps: usize,
) -> Vec<usize> {
    let n = cost.len();
    let mbic = penalty.adds_segment_term();
    let beta = penalty.value(n);
    let m = min_seg_len.max(1);
    let mut bounds = vec![0, n];
    let mut found: Vec<(usize, f64)> = Vec::new();
    let mut cap = f64::INFINITY;
    for _ in 0..max_cps {
        let mut best: Option<(usize, f64)> = None;
        for w in bounds.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b < a + 2 * m {
                continue;
            }
            let whole = segment_cost(cost, a, b, mbic);
            for j in (a + m)..=(b - m) {
                let gain = whole - segment_cost(cost, a, j, mbic) - segment_cost(cost, j, b, mbic);
                if best.is_none_or(|(_, g)| gain > g) {
                    best = Some((j, gain));
                }
            }
        }
        let Some((j, gain)) = best else { break };
        cap = cap.min(gain);
        found.push((j, cap));
        let pos = bounds.partition_point(|&b| b < j);
        bounds.insert(pos, j);
    }
    let mut kept: Vec<usize> = found
        .iter()
        .take_while(|(_, g)| *g >= beta)
        .map(|(j, _)| *j)
        .collect();
    kept.sort_unstable();
    kept
}

/// One segmentation on the CROPS penalty path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathSegmentation {
    /// Change points, ascending.
    pub change_points: Vec<usize>,
    /// Unpenalised cost (sum of segment costs, no MBIC term).
    pub cost: f64,
    /// Lowest penalty in the requested range for which this segmentation is optimal.
    pub penalty_lo: f64,
    /// Highest penalty in the requested range for which it is optimal.
    pub penalty_hi: f64,
}

/// CROPS (Haynes, Eckley & Fearnhead 2017): every distinct optimal segmentation for
/// penalties in `[pen_min, pen_max]`, each with the penalty interval on which it is
/// optimal, ordered from most change points (low penalties) to fewest.
///
/// Uses the plain cost (no MBIC per-segment term), as R's CROPS does with a manual
/// penalty. Segmentations optimal at a single penalty only are omitted. Needs
/// `0 ≤ pen_min ≤ pen_max`; returns an empty path otherwise.
pub fn crops<C: Cost + ?Sized>(
    cost: &C,
    pen_min: f64,
    pen_max: f64,
    min_seg_len: usize,
) -> Vec<PathSegmentation> {
    if !(pen_min >= 0.0 && pen_max >= pen_min) {
        return Vec::new();
    }
    let solve = |beta: f64| {
        let cps = pelt_raw(cost, beta, false, min_seg_len);
        let q = segmentation_cost(cost, &cps, false);
        (cps, q)
    };
    // number of change points → (change points, unpenalised cost)
    let mut found: std::collections::BTreeMap<usize, (Vec<usize>, f64)> = Default::default();
    let lo = solve(pen_min);
    let hi = solve(pen_max);
    let mut stack = vec![(lo.clone(), hi.clone())];
    found.insert(lo.0.len(), lo);
    found.entry(hi.0.len()).or_insert(hi);
    while let Some(((ca, qa), (cb, qb))) = stack.pop() {
        let (ka, kb) = (ca.len(), cb.len());
        if ka <= kb + 1 {
            continue;
        }
        let beta = (qb - qa) / (ka - kb) as f64;
        let mid = solve(beta);
        let km = mid.0.len();
        if km != ka && km != kb && !found.contains_key(&km) {
            found.insert(km, mid.clone());
            stack.push(((ca, qa), mid.clone()));
            stack.push((mid, (cb, qb)));
        }
    }
    let list: Vec<(Vec<usize>, f64)> = found.into_values().rev().collect();
    let mut out = Vec::with_capacity(list.len());
    for (i, (cps, q)) in list.iter().enumerate() {
        let lo = if i == 0 {
            pen_min
        } else {
            let (pc, pq) = &list[i - 1];
            ((q - pq) / (pc.len() - cps.len()) as f64).max(pen_min)
        };
        let hi = if i + 1 == list.len() {
            pen_max
        } else {
            let (nc, nq) = &list[i + 1];
            ((nq - q) / (cps.len() - nc.len()) as f64).min(pen_max)
        };
        if hi - lo > 1e-12 {
            out.push(PathSegmentation {
                change_points: cps.clone(),
                cost: *q,
                penalty_lo: lo,
                penalty_hi: hi,
            });
        }
    }
    out
}

/// Sum of segment costs of the segmentation given by `cps` (plus the MBIC term per
/// segment when `mbic`).
pub fn segmentation_cost<C: Cost + ?Sized>(cost: &C, cps: &[usize], mbic: bool) -> f64 {
    let n = cost.len();
    if n == 0 {
        return 0.0;
    }
    let mut total = 0.0;
    let mut s = 0;
    for &c in cps.iter().chain(std::iter::once(&n)) {
        if c > s {
            total += segment_cost(cost, s, c, mbic);
        }
        s = c;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code, clippy::type_complexity)]
    mod oracle {
        include!("../../tests/oracle/changepoint_values.rs");
    }
    use oracle::*;

    fn series(xs: &[u64]) -> Vec<f64> {
        xs.iter().map(|&x| x as f64).collect()
    }

    #[test]
    fn pelt_poisson_mbic_matches_r_reference() {
        for (name, xs, want, _, _, _, _) in ORACLE_SEGMENT {
            let c = PoissonCost::new(&series(xs));
            assert_eq!(&pelt(&c, &Penalty::Mbic, 2), want, "{name}");
        }
    }

    #[test]
    fn pelt_poisson_bic_matches_exact_partition() {
        for (name, xs, _, want, _, _, _) in ORACLE_SEGMENT {
            let c = PoissonCost::new(&series(xs));
            assert_eq!(&pelt(&c, &Penalty::Bic, 2), want, "{name}");
        }
    }

    #[test]
    fn binseg_matches_r_logic_reference() {
        for (name, xs, _, _, want, _, _) in ORACLE_SEGMENT {
            let c = PoissonCost::new(&series(xs));
            assert_eq!(
                &binseg(&c, &Penalty::Mbic, 2, DEFAULT_MAX_CPS),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn negative_binomial_pelt_matches_exact_partition() {
        for (name, xs, _, _, _, want, size) in ORACLE_SEGMENT {
            let c = NegBinomialCost::new(&series(xs));
            match c.size() {
                Some(r) => assert!((r - size).abs() <= 1e-12 * size, "{name}"),
                None => assert_eq!(*size, -1.0, "{name}"),
            }
            assert_eq!(&pelt(&c, &Penalty::Mbic, 2), want, "{name}");
        }
    }

    #[test]
    fn anchor_series_gives_24_and_48() {
        let (_, xs, ..) = ORACLE_SEGMENT[0];
        let c = PoissonCost::new(&series(xs));
        assert_eq!(pelt(&c, &Penalty::Mbic, 2), vec![24, 48]);
        assert_eq!(binseg(&c, &Penalty::Mbic, 2, 5), vec![24, 48]);
        // ruptures reports segment ends, the last being n.
        let ends = &ORACLE_RUPTURES_ANCHOR_ENDS[..ORACLE_RUPTURES_ANCHOR_ENDS.len() - 1];
        assert_eq!(pelt(&c, &Penalty::Mbic, 2), ends);
    }

    #[test]
    fn degenerate_series_have_no_change_points() {
        for xs in [
            vec![],
            vec![5.0],
            vec![0.0; 30],
            vec![4.0; 30],
            vec![1.0, 9.0, 1.0],
        ] {
            let c = PoissonCost::new(&xs);
            for p in [
                Penalty::Mbic,
                Penalty::Bic,
                Penalty::Aic,
                Penalty::HannanQuinn,
            ] {
                assert!(pelt(&c, &p, 2).is_empty(), "{xs:?} {p:?}");
                assert!(binseg(&c, &p, 2, 5).is_empty(), "{xs:?} {p:?}");
            }
            let nb = NegBinomialCost::new(&xs);
            assert!(pelt(&nb, &Penalty::Mbic, 2).is_empty());
            assert!(crops(&c, 1.0, 10.0, 2).len() <= 1);
        }
        // Cost of an all-zero segment is 0, not NaN (0·ln 0).
        let c = PoissonCost::new(&[0.0; 4]);
        assert_eq!(c.cost(0, 4), 0.0);
        assert_eq!(c.mbic_term(0, 4), 0.0);
    }

    #[test]
    fn penalties_follow_r_formulas() {
        let n = 60usize;
        let ln = (60f64).ln();
        assert_eq!(Penalty::Mbic.value(n), 2.0 * ln);
        assert_eq!(Penalty::Bic.value(n), ln);
        assert_eq!(Penalty::Aic.value(n), 2.0);
        assert_eq!(Penalty::HannanQuinn.value(n), 2.0 * ln.ln());
        assert_eq!(Penalty::Manual(7.5).value(n), 7.5);
    }

    #[test]
    fn crops_matches_exact_penalty_path() {
        for (idx, pmin, pmax, want) in ORACLE_CROPS {
            let (_, xs, ..) = ORACLE_SEGMENT[*idx];
            let c = PoissonCost::new(&series(xs));
            let path = crops(&c, *pmin, *pmax, 2);
            let got: Vec<usize> = path.iter().map(|p| p.change_points.len()).collect();
            let exp: Vec<usize> = want.iter().map(|w| w.0).collect();
            assert_eq!(got, exp, "fixture {idx}");
            for (p, (_, lo, hi)) in path.iter().zip(want.iter()) {
                assert!(
                    (p.penalty_lo - lo).abs() <= 1e-9 * lo.abs().max(1.0),
                    "{idx}"
                );
                assert!(
                    (p.penalty_hi - hi).abs() <= 1e-9 * hi.abs().max(1.0),
                    "{idx}"
                );
                // each listed segmentation is what PELT returns inside its interval
                let mid = 0.5 * (p.penalty_lo + p.penalty_hi);
                assert_eq!(pelt(&c, &Penalty::Manual(mid), 2), p.change_points);
            }
        }
    }
}
