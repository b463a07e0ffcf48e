//! Gradient-boosted regression trees with a Poisson objective, one model per horizon
//! ("direct" forecasting), with a negative-binomial predictive around the boosted mean.
//!
//! A small learner written here rather than a dependency (this crate has none):
//! histogram splits on per-feature quantile bins, depth-limited trees, second-order
//! (Newton) leaf values `−G/(H + λ)` of the Poisson deviance under a log link
//! (gradient `μ − y`, hessian `μ`), shrinkage, a fixed number of rounds.
//!
//! Features of unit `u` at origin `t0` (only months `< t0` are read; uncovered months
//! are skipped, never read as zero), target month `t0 + h − 1`, see [`FEATURES`]:
//! `log1p` of the last covered value and of the values 2, 3, 6 and 12 months back
//! (the last covered value at or before that month); `log1p` of the mean of the last
//! 3, 12 and 36 covered months and of all covered history (the unit's "conflictology"
//! level); the share of the last 12 covered months with an event; months since the
//! last event (capped at 120); `log1p` of the neighbours' mean last value and mean of
//! their last 12; the target's calendar month (when known).
//!
//! The size of the predictive negative binomial is the maximum-likelihood size
//! ([`super::glm::ml_size`]) of the training targets around the boosted means. The
//! model is refitted every [`GbmConfig::refit_every`] months of new history (and
//! whenever the earlier history it was fitted on changed); between refits the
//! features are still computed at the current origin, so nothing after the origin is
//! ever read.

use super::glm::ml_size;
use super::{FitReport, Forecaster, Panel, Predictive};

/// Feature names, in column order.
pub const FEATURES: [&str; 15] = [
    "log1p_last1",
    "log1p_lag2",
    "log1p_lag3",
    "log1p_lag6",
    "log1p_lag12",
    "log1p_mean3",
    "log1p_mean12",
    "log1p_mean36",
    "log1p_mean_all",
    "share_active12",
    "months_since_event",
    "log1p_neighbours_last",
    "log1p_neighbours_mean12",
    "month_of_year",
    "covered_months",
];
const NF: usize = FEATURES.len();

/// Settings for [`Gbm`].
#[derive(Debug, Clone, PartialEq)]
pub struct GbmConfig {
    /// Horizons fitted: `1..=max_horizon`; longer horizons use the last model.
    pub max_horizon: usize,
    /// Boosting rounds.
    pub rounds: usize,
    /// Shrinkage (learning rate).
    pub shrinkage: f64,
    /// Tree depth (≤ 3 keeps it fast and smooth).
    pub depth: usize,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Smallest hessian sum (≈ expected count) in a leaf.
    pub min_hessian: f64,
    /// Quantile bins per feature.
    pub bins: usize,
    /// First training origin: rows need this many months of history.
    pub min_history: usize,
    /// Train only on origins in the last this-many months of the history.
    pub train_window: Option<usize>,
    /// Refit after this many new months of history (1: every origin).
    pub refit_every: usize,
}

impl Default for GbmConfig {
    fn default() -> Self {
        GbmConfig {
            max_horizon: 6,
            rounds: 100,
            shrinkage: 0.1,
            depth: 3,
            lambda: 1.0,
            min_hessian: 1.0,
            bins: 32,
            min_history: 12,
            train_window: Some(180),
            refit_every: 6,
        }
    }
}

/// One tree: internal nodes split `feature ≤ threshold` to the left.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf(f64),
}

/// A boosted model for one horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct GbmFit {
    /// Horizon (1-based).
    pub horizon: usize,
    /// Starting log-mean.
    pub base: f64,
    trees: Vec<Vec<Node>>,
    /// Predictive size (`None`: Poisson).
    pub size: Option<f64>,
    /// Training rows.
    pub n_rows: usize,
}

impl GbmFit {
    fn eta(&self, x: &[f64]) -> f64 {
        let mut e = self.base;
        for t in &self.trees {
            let mut i = 0;
            loop {
                match &t[i] {
                    Node::Leaf(v) => {
                        e += v;
                        break;
                    }
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        i = if x[*feature] <= *threshold {
                            *left
                        } else {
                            *right
                        }
                    }
                }
            }
        }
        e.clamp(-30.0, 20.0)
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }
}

/// Poisson gradient boosting per horizon, implementing [`Forecaster`].
#[derive(Debug, Clone)]
pub struct Gbm {
    config: GbmConfig,
    fits: Vec<GbmFit>,
    at_origin: Vec<[f64; NF]>,
    origin: usize,
    calendar: Option<u8>,
    /// The history the current fits were trained on (to refit when it changed).
    trained_on: Option<Panel>,
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// The last covered value of `unit` at or before month `t` (`t < before` enforced).
fn value_at_or_before(panel: &Panel, unit: usize, t: Option<usize>) -> f64 {
    match t {
        Some(t) => panel.y[unit][..=t]
            .iter()
            .rev()
            .flatten()
            .next()
            .copied()
            .unwrap_or(0.0),
        None => 0.0,
    }
}

/// Features of `unit` at origin `t0` for target month `target` (reads months `< t0`).
fn features(panel: &Panel, unit: usize, t0: usize, target: usize, stats: &UnitStats) -> [f64; NF] {
    let lag = |k: usize| value_at_or_before(panel, unit, t0.checked_sub(k)).ln_1p();
    let last36 = panel.last_covered(unit, t0, 36);
    let last12 = &last36[..last36.len().min(12)];
    let last3 = &last36[..last36.len().min(3)];
    let since = panel.y[unit][..t0]
        .iter()
        .rev()
        .flatten()
        .position(|v| *v > 0.0)
        .unwrap_or(120)
        .min(120) as f64;
    let (mut nb_last, mut nb_mean12) = (Vec::new(), Vec::new());
    if let Some(ns) = panel.neighbours.get(unit) {
        for &v in ns {
            let l = panel.last_covered(v, t0, 12);
            if let Some(x) = l.first() {
                nb_last.push(*x);
                nb_mean12.push(mean(&l));
            }
        }
    }
    let (sum, n) = stats.prefix(t0);
    [
        lag(1),
        lag(2),
        lag(3),
        lag(6),
        lag(12),
        mean(last3).ln_1p(),
        mean(last12).ln_1p(),
        mean(&last36).ln_1p(),
        if n > 0.0 { (sum / n).ln_1p() } else { 0.0 },
        if last12.is_empty() {
            0.0
        } else {
            last12.iter().filter(|v| **v > 0.0).count() as f64 / last12.len() as f64
        },
        since,
        mean(&nb_last).ln_1p(),
        mean(&nb_mean12).ln_1p(),
        panel.month_of_year(target).map_or(-1.0, |m| m as f64),
        n.min(240.0),
    ]
}

/// Per-unit prefix sums of covered values and covered-month counts.
struct UnitStats {
    sum: Vec<f64>,
    n: Vec<f64>,
}

impl UnitStats {
    fn new(panel: &Panel, unit: usize) -> Self {
        let (mut sum, mut n) = (vec![0.0], vec![0.0]);
        for v in &panel.y[unit] {
            sum.push(sum.last().unwrap() + v.unwrap_or(0.0));
            n.push(n.last().unwrap() + if v.is_some() { 1.0 } else { 0.0 });
        }
        UnitStats { sum, n }
    }
    /// Sum and count of covered months `< t0`.
    fn prefix(&self, t0: usize) -> (f64, f64) {
        (self.sum[t0], self.n[t0])
    }
}

/// Per-feature bin edges (upper bounds, ascending) from quantiles of the rows.
fn bin_edges(x: &[[f64; NF]], bins: usize) -> Vec<Vec<f64>> {
    (0..NF)
        .map(|f| {
            let mut v: Vec<f64> = x.iter().map(|r| r[f]).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            if v.len() <= bins {
                return v;
            }
            let mut e: Vec<f64> = (1..bins).map(|i| v[(i * v.len()) / bins - 1]).collect();
            e.push(*v.last().unwrap());
            e.dedup();
            e
        })
        .collect()
}

/// Boosts one horizon's model.
fn boost(x: &[[f64; NF]], y: &[f64], c: &GbmConfig, horizon: usize) -> GbmFit {
    let n = y.len();
    let base = mean(y).max(1e-6).ln();
    let edges = bin_edges(x, c.bins.clamp(2, 255));
    let binned: Vec<[u8; NF]> = x
        .iter()
        .map(|r| {
            let mut b = [0u8; NF];
            for f in 0..NF {
                b[f] = edges[f]
                    .partition_point(|e| *e < r[f])
                    .min(edges[f].len() - 1) as u8;
            }
            b
        })
        .collect();
    let mut eta = vec![base; n];
    let mut trees = Vec::with_capacity(c.rounds);
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n];
    let mut node_of = vec![0usize; n];
    let nb = c.bins.clamp(2, 255);
    for _ in 0..c.rounds {
        for i in 0..n {
            let mu = eta[i].exp();
            g[i] = mu - y[i];
            h[i] = mu;
        }
        node_of.iter_mut().for_each(|v| *v = 0);
        let mut tree = vec![Node::Leaf(0.0)];
        let mut frontier = vec![0usize];
        for _depth in 0..c.depth {
            // Histograms of (g, h) per frontier node, feature and bin.
            let slot: std::collections::HashMap<usize, usize> =
                frontier.iter().enumerate().map(|(k, n)| (*n, k)).collect();
            let mut hist = vec![(0.0f64, 0.0f64); frontier.len() * NF * nb];
            for i in 0..n {
                let Some(&k) = slot.get(&node_of[i]) else {
                    continue;
                };
                let base_k = k * NF * nb;
                for f in 0..NF {
                    let e = &mut hist[base_k + f * nb + binned[i][f] as usize];
                    e.0 += g[i];
                    e.1 += h[i];
                }
            }
            let mut next = Vec::new();
            let mut children = Vec::new();
            for (k, &node) in frontier.iter().enumerate() {
                let hs = &hist[k * NF * nb..(k + 1) * NF * nb];
                let (gt, ht) = hs[..nb]
                    .iter()
                    .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
                let parent = gt * gt / (ht + c.lambda);
                let mut best: Option<(f64, usize, usize)> = None;
                for f in 0..NF {
                    let (mut gl, mut hl) = (0.0, 0.0);
                    for b in 0..edges[f].len().saturating_sub(1) {
                        gl += hs[f * nb + b].0;
                        hl += hs[f * nb + b].1;
                        let (gr, hr) = (gt - gl, ht - hl);
                        if hl < c.min_hessian || hr < c.min_hessian {
                            continue;
                        }
                        let gain = gl * gl / (hl + c.lambda) + gr * gr / (hr + c.lambda) - parent;
                        if gain > 1e-9 && best.is_none_or(|(bg, _, _)| gain > bg) {
                            best = Some((gain, f, b));
                        }
                    }
                }
                if let Some((_, f, b)) = best {
                    let (l, r) = (tree.len(), tree.len() + 1);
                    tree.push(Node::Leaf(0.0));
                    tree.push(Node::Leaf(0.0));
                    tree[node] = Node::Split {
                        feature: f,
                        threshold: edges[f][b],
                        left: l,
                        right: r,
                    };
                    children.push((node, f, b as u8, l, r));
                    next.push(l);
                    next.push(r);
                }
            }
            if children.is_empty() {
                break;
            }
            for i in 0..n {
                if let Some(&(_, f, b, l, r)) = children.iter().find(|c| c.0 == node_of[i]) {
                    node_of[i] = if binned[i][f] <= b { l } else { r };
                }
            }
            frontier = next;
        }
        // Newton leaf values with shrinkage.
        let mut sums = vec![(0.0f64, 0.0f64); tree.len()];
        for i in 0..n {
            sums[node_of[i]].0 += g[i];
            sums[node_of[i]].1 += h[i];
        }
        for (k, node) in tree.iter_mut().enumerate() {
            if let Node::Leaf(v) = node {
                *v = -c.shrinkage * sums[k].0 / (sums[k].1 + c.lambda);
            }
        }
        for i in 0..n {
            if let Node::Leaf(v) = tree[node_of[i]] {
                eta[i] = (eta[i] + v).clamp(-30.0, 20.0);
            }
        }
        trees.push(tree);
    }
    let mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    GbmFit {
        horizon,
        base,
        trees,
        size: ml_size(y, &mu),
        n_rows: n,
    }
}

impl Gbm {
    /// A boosted model with the given settings.
    pub fn new(config: GbmConfig) -> Self {
        Gbm {
            config,
            fits: Vec::new(),
            at_origin: Vec::new(),
            origin: 0,
            calendar: None,
            trained_on: None,
        }
    }

    /// The fitted models, one per horizon.
    pub fn fits(&self) -> &[GbmFit] {
        &self.fits
    }

    /// Whether the fits can be reused for `history`: trained on a prefix of it, fewer
    /// than `refit_every` months ago, with the same units.
    fn reusable(&self, history: &Panel) -> bool {
        let Some(old) = &self.trained_on else {
            return false;
        };
        old.months <= history.months
            && history.months - old.months < self.config.refit_every
            && old.units == history.units
            && old.neighbours == history.neighbours
            && old
                .y
                .iter()
                .zip(&history.y)
                .all(|(a, b)| a[..] == b[..old.months])
    }
}

impl Default for Gbm {
    fn default() -> Self {
        Gbm::new(GbmConfig::default())
    }
}

impl Forecaster for Gbm {
    fn name(&self) -> &str {
        "gbm-poisson"
    }

    fn fit(&mut self, history: &Panel) -> FitReport {
        let months = history.months;
        let n_units = history.n_units();
        let stats: Vec<UnitStats> = (0..n_units).map(|u| UnitStats::new(history, u)).collect();
        self.origin = months;
        self.calendar = history.first_calendar_month;
        let mut report = FitReport::default();
        if !self.reusable(history) {
            let first = self.config.min_history.max(1);
            let first = match self.config.train_window {
                Some(w) => first.max(months.saturating_sub(w)),
                None => first,
            };
            self.fits.clear();
            for h in 1..=self.config.max_horizon {
                let (mut x, mut y) = (Vec::new(), Vec::new());
                for (u, st) in stats.iter().enumerate() {
                    for t0 in first..months {
                        let target = t0 + h - 1;
                        if target >= months {
                            break;
                        }
                        let Some(v) = history.y[u][target] else {
                            continue;
                        };
                        x.push(features(history, u, t0, target, st));
                        y.push(v);
                    }
                }
                if y.len() < 50 {
                    report.warnings.push(format!(
                        "gbm-poisson horizon {h}: only {} training rows; forecasting the mean",
                        y.len()
                    ));
                }
                let mut cfg = self.config.clone();
                if y.len() < 50 {
                    cfg.rounds = 0;
                }
                self.fits.push(boost(&x, &y, &cfg, h));
            }
            self.trained_on = Some(history.clone());
        }
        self.at_origin = (0..n_units)
            .flat_map(|u| (1..=self.config.max_horizon).map(move |h| (u, h)))
            .map(|(u, h)| features(history, u, months, months + h - 1, &stats[u]))
            .collect();
        report
    }

    fn predict(&self, unit: usize, horizon: usize) -> Predictive {
        let hmax = self.config.max_horizon;
        let Some(fit) = self.fits.get(horizon.clamp(1, self.fits.len().max(1)) - 1) else {
            return Predictive::PointMass(0.0);
        };
        let Some(x) = self.at_origin.get(unit * hmax + horizon.clamp(1, hmax) - 1) else {
            return Predictive::PointMass(0.0);
        };
        let mut x = *x;
        if horizon > hmax {
            // Beyond the fitted horizons: only the calendar month moves.
            x[13] = self.calendar.map_or(-1.0, |m| {
                ((m as usize - 1 + self.origin + horizon - 1) % 12) as f64
            });
        }
        let mu = fit.eta(&x).exp();
        Predictive::count(mu, fit.size)
    }
}

#[cfg(test)]
mod tests {
    use super::super::backtest::tests::synthetic_panel;
    use super::*;

    #[test]
    fn boosting_lowers_the_training_deviance_and_refits_when_history_changes() {
        let panel = synthetic_panel(9, 10, 80);
        let h = panel.history(70);
        let mut g = Gbm::default();
        g.fit(&h);
        assert_eq!(g.fits().len(), 6);
        assert!(g
            .fits()
            .iter()
            .all(|f| f.n_trees() == 100 && f.n_rows > 500));
        // Reused within refit_every months of a prefix, refitted otherwise.
        let before = g.fits().to_vec();
        g.fit(&panel.history(72));
        assert_eq!(g.fits(), &before[..]);
        let mut changed = panel.clone();
        changed.y[3][20] = Some(500.0);
        g.fit(&changed.history(72));
        let mut fresh = Gbm::default();
        fresh.fit(&changed.history(72));
        assert_eq!(g.fits(), fresh.fits());
        assert_ne!(g.fits(), &before[..]);
        // The boosted means fit the training targets better than their mean does.
        let rows: Vec<(usize, usize)> = (0..10)
            .flat_map(|u| (40..69).map(move |t| (u, t)))
            .collect();
        let dev = |mu: &dyn Fn(usize, usize) -> f64| -> f64 {
            rows.iter()
                .filter_map(|&(u, t)| h.get(u, t).map(|y| (u, t, y)))
                .map(|(u, t, y)| {
                    let m = mu(u, t);
                    2.0 * (if y > 0.0 { y * (y / m).ln() } else { 0.0 } - (y - m))
                })
                .sum()
        };
        let st: Vec<UnitStats> = (0..10).map(|u| UnitStats::new(&h, u)).collect();
        let fit = &fresh.fits()[0];
        let boosted = dev(&|u, t| fit.eta(&features(&h, u, t, t, &st[u])).exp());
        let flat = dev(&|_, _| fit.base.exp());
        assert!(boosted < 0.7 * flat, "{boosted} vs {flat}");
    }
}
