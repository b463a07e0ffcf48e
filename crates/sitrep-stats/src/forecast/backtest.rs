//! Rolling-origin back-tests with skill against baselines and a baseline-first verdict.
//!
//! At each origin `o` every forecaster is fitted on [`Panel::history`]`(o)`, which
//! holds only months `< o`, and predicts horizons `1..=H` (months `o .. o + H − 1`).
//! A cell is scored only when its target month is covered (`Some`); uncovered months
//! are neither zero nor scored. Each scored cell gets an ensemble of samples (seeded
//! per model, unit, origin and horizon, so results do not depend on thread count or
//! order) and every [`CellScores`] score.
//!
//! Skill of a model against a baseline is `1 − CRPS_model / CRPS_baseline` over the
//! same cells, with a percentile bootstrap interval that resamples units and origins
//! (both with replacement, independently). The [`Verdict`] keeps the best baseline
//! unless the best model beats it with an interval that excludes zero.

use super::scores::CellScores;
use super::{FitReport, Forecaster, Panel, Predictive};
use crate::rng::{derive_seed, Rng};

/// How predictive ensembles are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Random draws from the predictive (the VIEWS challenge format).
    Random,
    /// The deterministic quantile ensemble [`Predictive::quantile_ensemble`]:
    /// reproducible outside this crate, lower Monte-Carlo noise.
    Quantiles,
}

/// Back-test settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestConfig {
    /// Forecast origins (month indexes); a model at origin `o` sees months `< o`.
    pub origins: Vec<usize>,
    /// Horizons scored: `1..=max_horizon`.
    pub max_horizon: usize,
    /// Ensemble size per cell.
    pub n_samples: usize,
    /// Seed for the ensembles and the bootstrap.
    pub seed: u64,
    /// How ensembles are drawn.
    pub sampling: Sampling,
    /// Bootstrap replicates for skill intervals.
    pub n_boot: usize,
    /// Worker threads (0: as many as the machine has).
    pub threads: usize,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            origins: Vec::new(),
            max_horizon: 6,
            n_samples: 1000,
            seed: 1,
            sampling: Sampling::Random,
            n_boot: 1000,
            threads: 0,
        }
    }
}

/// The scores of one forecast cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRecord {
    /// Index into [`BacktestReport::forecasters`].
    pub forecaster: usize,
    /// Unit index.
    pub unit: usize,
    /// Index into [`BacktestConfig::origins`].
    pub origin: usize,
    /// Horizon (1-based).
    pub horizon: usize,
    /// The scores.
    pub scores: CellScores,
}

/// Mean scores of one forecaster at one horizon (or pooled over horizons).
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Forecaster name.
    pub forecaster: String,
    /// Horizon, or `None` for all horizons pooled.
    pub horizon: Option<usize>,
    /// Scored cells.
    pub n: usize,
    /// Scored cells with `y > 0`.
    pub n_active: usize,
    /// Mean CRPS.
    pub crps: f64,
    /// Mean CRPS over cells with `y > 0` (NaN when there are none).
    pub crps_active: f64,
    /// Mean 90 % interval score.
    pub mis: f64,
    /// Mean VIEWS ignorance.
    pub ign: f64,
    /// Share of cells inside the 90 % interval.
    pub coverage90: f64,
    /// The same on active cells.
    pub coverage90_active: f64,
    /// Mean width of the 90 % interval.
    pub width90: f64,
    /// Mean squared error on log1p.
    pub mse_log1p: f64,
    /// Mean Brier score for `y > 0`.
    pub brier_pos: f64,
    /// Mean Brier score for `y ≥ 25`.
    pub brier_25: f64,
}

/// Skill of a model against a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Skill {
    /// Model name.
    pub model: String,
    /// Baseline name.
    pub baseline: String,
    /// Horizon, or `None` for all horizons pooled.
    pub horizon: Option<usize>,
    /// `1 − CRPS_model / CRPS_baseline`; positive means the model is better.
    pub skill: f64,
    /// Bootstrap 2.5 % quantile.
    pub lo: f64,
    /// Bootstrap 97.5 % quantile.
    pub hi: f64,
}

/// Which forecaster to use, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The forecaster chosen.
    pub chosen: String,
    /// Whether the chosen one is a baseline.
    pub chosen_is_baseline: bool,
    /// Best baseline by pooled CRPS.
    pub best_baseline: Option<String>,
    /// Best model by pooled CRPS.
    pub best_model: Option<String>,
    /// Pooled skill of the best model against the best baseline.
    pub skill: Option<Skill>,
    /// One sentence for a report.
    pub explanation: String,
}

/// Everything a back-test produced.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestReport {
    /// Forecaster names: models first, then baselines.
    pub forecasters: Vec<String>,
    /// Whether each forecaster is a baseline.
    pub is_baseline: Vec<bool>,
    /// Per-cell scores.
    pub cells: Vec<CellRecord>,
    /// Per forecaster: horizons `1..=H`, then pooled.
    pub aggregates: Vec<Aggregate>,
    /// Per model × baseline: horizons `1..=H`, then pooled.
    pub skills: Vec<Skill>,
    /// The choice.
    pub verdict: Verdict,
    /// Fit warnings (non-convergence …), prefixed by origin.
    pub warnings: Vec<String>,
}

impl BacktestReport {
    /// The aggregate of `forecaster` at `horizon` (`None`: pooled).
    pub fn aggregate(&self, forecaster: &str, horizon: Option<usize>) -> Option<&Aggregate> {
        self.aggregates
            .iter()
            .find(|a| a.forecaster == forecaster && a.horizon == horizon)
    }

    /// The skill of `model` against `baseline` at `horizon` (`None`: pooled).
    pub fn skill(&self, model: &str, baseline: &str, horizon: Option<usize>) -> Option<&Skill> {
        self.skills
            .iter()
            .find(|s| s.model == model && s.baseline == baseline && s.horizon == horizon)
    }
}

/// Fits `forecaster` on the months before `origin` and returns its predictives,
/// `[unit][horizon − 1]` for horizons `1..=max_horizon`.
pub fn forecast_at(
    forecaster: &mut dyn Forecaster,
    panel: &Panel,
    origin: usize,
    max_horizon: usize,
) -> (FitReport, Vec<Vec<Predictive>>) {
    let history = panel.history(origin);
    let report = forecaster.fit(&history);
    let preds = (0..panel.n_units())
        .map(|u| {
            (1..=max_horizon)
                .map(|h| forecaster.predict(u, h))
                .collect()
        })
        .collect();
    (report, preds)
}

fn name_hash(name: &str) -> u64 {
    // FNV-1a: a stream per forecaster name, unaffected by the list order.
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Fits one forecaster at one origin and scores its covered cells.
fn run_one(
    f: &mut dyn Forecaster,
    idx: usize,
    panel: &Panel,
    origin_idx: usize,
    config: &BacktestConfig,
    warnings: &mut Vec<String>,
) -> Vec<CellRecord> {
    let origin = config.origins[origin_idx];
    let history = panel.history(origin);
    let report = f.fit(&history);
    warnings.extend(
        report
            .warnings
            .into_iter()
            .map(|w| format!("origin {origin}: {w}")),
    );
    let stream = name_hash(f.name());
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for u in 0..panel.n_units() {
        for h in 1..=config.max_horizon {
            let Some(y) = panel.get(u, origin + h - 1) else {
                continue;
            };
            let pred = f.predict(u, h);
            buf.clear();
            match config.sampling {
                Sampling::Random => {
                    let seed =
                        derive_seed(config.seed, &[stream, u as u64, origin as u64, h as u64]);
                    buf.extend(pred.sample(&mut Rng::new(seed), config.n_samples));
                }
                Sampling::Quantiles => buf.extend(pred.quantile_ensemble(config.n_samples)),
            }
            out.push(CellRecord {
                forecaster: idx,
                unit: u,
                origin: origin_idx,
                horizon: h,
                scores: CellScores::from_ensemble(y, &mut buf),
            });
        }
    }
    out
}

fn aggregate(name: &str, horizon: Option<usize>, cells: &[&CellScores]) -> Aggregate {
    let n = cells.len();
    let mean = |f: &dyn Fn(&CellScores) -> f64, cs: &[&CellScores]| -> f64 {
        if cs.is_empty() {
            f64::NAN
        } else {
            cs.iter().map(|c| f(c)).sum::<f64>() / cs.len() as f64
        }
    };
    let active: Vec<&CellScores> = cells.iter().filter(|c| c.y > 0.0).copied().collect();
    let cov = |c: &CellScores| if c.covered90 { 1.0 } else { 0.0 };
    Aggregate {
        forecaster: name.to_string(),
        horizon,
        n,
        n_active: active.len(),
        crps: mean(&|c| c.crps, cells),
        crps_active: mean(&|c| c.crps, &active),
        mis: mean(&|c| c.mis, cells),
        ign: mean(&|c| c.ign, cells),
        coverage90: mean(&cov, cells),
        coverage90_active: mean(&cov, &active),
        width90: mean(&|c| c.width90, cells),
        mse_log1p: mean(&|c| c.se_log1p, cells),
        brier_pos: mean(&|c| c.brier_pos, cells),
        brier_25: mean(&|c| c.brier_25, cells),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    super::scores::quantile_sorted(sorted, p)
}

/// Runs the back-test: `models` and `baselines` are fitted at every origin (models
/// first in the report), every covered target cell is scored, and skills and the
/// verdict are computed. Origins with no room for a horizon simply score fewer cells.
pub fn backtest(
    panel: &Panel,
    models: &mut [Box<dyn Forecaster>],
    baselines: &mut [Box<dyn Forecaster>],
    config: &BacktestConfig,
) -> BacktestReport {
    let n_models = models.len();
    let mut all: Vec<&mut Box<dyn Forecaster>> =
        models.iter_mut().chain(baselines.iter_mut()).collect();
    let names: Vec<String> = all.iter().map(|f| f.name().to_string()).collect();
    let is_baseline: Vec<bool> = (0..all.len()).map(|i| i >= n_models).collect();
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        config.threads
    }
    .clamp(1, all.len().max(1));

    let mut cells = Vec::new();
    let mut warnings = Vec::new();
    for oi in 0..config.origins.len() {
        // Round-robin the forecasters over threads; each owns its forecasters here.
        let mut groups: Vec<Vec<(usize, &mut Box<dyn Forecaster>)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (i, f) in all.iter_mut().enumerate() {
            groups[i % threads].push((i, f));
        }
        let results: Vec<(Vec<CellRecord>, Vec<String>)> = std::thread::scope(|s| {
            let handles: Vec<_> = groups
                .into_iter()
                .map(|group| {
                    s.spawn(move || {
                        let mut recs = Vec::new();
                        let mut warns = Vec::new();
                        for (i, f) in group {
                            recs.extend(run_one(f.as_mut(), i, panel, oi, config, &mut warns));
                        }
                        (recs, warns)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("forecaster panicked"))
                .collect()
        });
        for (r, w) in results {
            cells.extend(r);
            warnings.extend(w);
        }
    }
    cells.sort_by_key(|c| (c.forecaster, c.origin, c.unit, c.horizon));

    let h_max = config.max_horizon;
    let groups: Vec<Option<usize>> = (1..=h_max).map(Some).chain([None]).collect();
    let mut aggregates = Vec::new();
    for (fi, name) in names.iter().enumerate() {
        for &g in &groups {
            let cs: Vec<&CellScores> = cells
                .iter()
                .filter(|c| c.forecaster == fi && g.is_none_or(|h| c.horizon == h))
                .map(|c| &c.scores)
                .collect();
            aggregates.push(aggregate(name, g, &cs));
        }
    }

    let skills = skills(panel, &names, n_models, &cells, &groups, config);
    let verdict = verdict(&names, &is_baseline, &aggregates, &skills);
    BacktestReport {
        forecasters: names,
        is_baseline,
        cells,
        aggregates,
        skills,
        verdict,
        warnings,
    }
}

/// Point skills and bootstrap intervals for every model × baseline × horizon group.
fn skills(
    panel: &Panel,
    names: &[String],
    n_models: usize,
    cells: &[CellRecord],
    groups: &[Option<usize>],
    config: &BacktestConfig,
) -> Vec<Skill> {
    let (nu, no, nf, ng) = (
        panel.n_units(),
        config.origins.len(),
        names.len(),
        groups.len(),
    );
    // CRPS sums per forecaster, group, unit, origin. Every forecaster is scored on the
    // same cells, so ratios of sums are ratios of means.
    let mut sums = vec![0.0; nf * ng * nu * no];
    let at = |f: usize, g: usize, u: usize, o: usize| ((f * ng + g) * nu + u) * no + o;
    for c in cells {
        for (gi, g) in groups.iter().enumerate() {
            if g.is_none_or(|h| h == c.horizon) {
                sums[at(c.forecaster, gi, c.unit, c.origin)] += c.scores.crps;
            }
        }
    }
    let total = |w_u: &[f64], w_o: &[f64], f: usize, g: usize| -> f64 {
        let mut t = 0.0;
        for (u, wu) in w_u.iter().enumerate() {
            if *wu == 0.0 {
                continue;
            }
            let base = at(f, g, u, 0);
            let row: f64 = sums[base..base + no]
                .iter()
                .zip(w_o)
                .map(|(s, w)| s * w)
                .sum();
            t += wu * row;
        }
        t
    };
    let ones_u = vec![1.0; nu];
    let ones_o = vec![1.0; no];
    let point: Vec<f64> = (0..nf * ng)
        .map(|k| total(&ones_u, &ones_o, k / ng, k % ng))
        .collect();
    // Bootstrap totals: one resample of units and origins per replicate, shared by
    // all forecasters so that pairs stay paired.
    let mut rng = Rng::new(derive_seed(config.seed, &[0xB007]));
    let mut boot = vec![Vec::with_capacity(config.n_boot); nf * ng];
    let mut w_u = vec![0.0; nu];
    let mut w_o = vec![0.0; no];
    for _ in 0..config.n_boot {
        w_u.iter_mut().for_each(|w| *w = 0.0);
        w_o.iter_mut().for_each(|w| *w = 0.0);
        for _ in 0..nu {
            w_u[rng.below(nu)] += 1.0;
        }
        for _ in 0..no {
            w_o[rng.below(no)] += 1.0;
        }
        for f in 0..nf {
            for g in 0..ng {
                boot[f * ng + g].push(total(&w_u, &w_o, f, g));
            }
        }
    }
    let mut out = Vec::new();
    for m in 0..n_models {
        for b in n_models..nf {
            for (gi, g) in groups.iter().enumerate() {
                let (pm, pb) = (point[m * ng + gi], point[b * ng + gi]);
                let skill = 1.0 - pm / pb;
                let mut reps: Vec<f64> = boot[m * ng + gi]
                    .iter()
                    .zip(&boot[b * ng + gi])
                    .map(|(a, c)| 1.0 - a / c)
                    .filter(|s| s.is_finite())
                    .collect();
                reps.sort_by(f64::total_cmp);
                let (lo, hi) = if reps.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    (percentile(&reps, 0.025), percentile(&reps, 0.975))
                };
                out.push(Skill {
                    model: names[m].clone(),
                    baseline: names[b].clone(),
                    horizon: *g,
                    skill,
                    lo,
                    hi,
                });
            }
        }
    }
    out
}

fn verdict(
    names: &[String],
    is_baseline: &[bool],
    aggregates: &[Aggregate],
    skills: &[Skill],
) -> Verdict {
    let best = |want_baseline: bool| -> Option<String> {
        names
            .iter()
            .zip(is_baseline)
            .filter(|(_, b)| **b == want_baseline)
            .filter_map(|(n, _)| {
                aggregates
                    .iter()
                    .find(|a| &a.forecaster == n && a.horizon.is_none())
                    .filter(|a| a.crps.is_finite())
                    .map(|a| (n.clone(), a.crps))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, _)| n)
    };
    let best_baseline = best(true);
    let best_model = best(false);
    let skill = match (&best_model, &best_baseline) {
        (Some(m), Some(b)) => skills
            .iter()
            .find(|s| &s.model == m && &s.baseline == b && s.horizon.is_none())
            .cloned(),
        _ => None,
    };
    let (chosen, chosen_is_baseline, explanation) = match (&best_model, &best_baseline, &skill) {
        (Some(m), Some(b), Some(s)) if s.lo > 0.0 => (
            m.clone(),
            false,
            format!(
                "{m} beats the best baseline {b}: CRPS skill {:.3} (95% CI {:.3} to {:.3})",
                s.skill, s.lo, s.hi
            ),
        ),
        (Some(m), Some(b), Some(s)) => (
            b.clone(),
            true,
            format!(
                "{m} is not better than the best baseline {b}: CRPS skill {:.3} (95% CI {:.3} to {:.3}, includes 0 or below); keeping {b}",
                s.skill, s.lo, s.hi
            ),
        ),
        (None, Some(b), _) => (b.clone(), true, format!("no model given; best baseline {b}")),
        (Some(m), None, _) => (
            m.clone(),
            false,
            format!("no baseline given: {m} is chosen untested against a reference"),
        ),
        _ => (String::new(), true, "nothing was scored".to_string()),
    };
    Verdict {
        chosen,
        chosen_is_baseline,
        best_baseline,
        best_model,
        skill,
        explanation,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::baselines::{
        standard_baselines, Conflictology, NbClimatology, NoChange, Zero,
    };
    use super::super::gbm::Gbm;
    use super::super::glm::Glm;
    use super::super::{model_by_name, MODELS};
    use super::*;

    /// SYNTHETIC panel (not data): `units × months` counts from a negative binomial
    /// (size 2) whose log-rate is a unit-specific level plus an AR(1) (φ = 0.8,
    /// σ = 0.5), neighbours on a ring, and about 4 % of months uncovered (`None`).
    pub(crate) fn synthetic_panel(seed: u64, units: usize, months: usize) -> Panel {
        let mut rng = Rng::new(seed);
        let mut y = Vec::new();
        for u in 0..units {
            let level = 1.0 + 1.2 * rng.normal();
            let mut x = 0.0;
            let mut row = Vec::with_capacity(months);
            for t in 0..months {
                x = 0.8 * x + 0.5 * rng.normal();
                let v = rng.neg_binomial((level + x).exp(), 2.0) as f64;
                row.push(if (u * 7 + t) % 23 == 0 { None } else { Some(v) });
            }
            y.push(row);
        }
        let mut p = Panel::new((0..units).map(|u| format!("u{u:02}")).collect(), y).unwrap();
        p.neighbours = (0..units)
            .map(|u| vec![(u + units - 1) % units, (u + 1) % units])
            .collect();
        p.first_calendar_month = Some(1);
        p.validate().unwrap();
        p
    }

    #[test]
    fn a_spike_after_the_origin_changes_nothing_before_it() {
        let panel = synthetic_panel(3, 8, 60);
        let origin = 40;
        let mut spiked = panel.clone();
        for u in 0..8 {
            for t in origin..60 {
                spiked.y[u][t] = Some(1e6);
            }
        }
        let mut a = Glm::negative_binomial();
        let mut b = Glm::negative_binomial();
        let (_, pa) = forecast_at(&mut a, &panel, origin, 6);
        let (_, pb) = forecast_at(&mut b, &spiked, origin, 6);
        assert_eq!(a.fits(), b.fits());
        assert_eq!(pa, pb);
        let mut a = Gbm::default();
        let mut b = Gbm::default();
        let (_, pa) = forecast_at(&mut a, &panel, origin, 6);
        let (_, pb) = forecast_at(&mut b, &spiked, origin, 6);
        assert_eq!(a.fits(), b.fits());
        assert_eq!(pa, pb);
        // Every model, fitted at an origin after it, does see the spike.
        for name in MODELS {
            let mut f = model_by_name(name).unwrap();
            let (_, pa) = forecast_at(f.as_mut(), &panel, origin, 6);
            let mut f = model_by_name(name).unwrap();
            let (_, pb) = forecast_at(f.as_mut(), &spiked, origin, 6);
            assert_eq!(pa, pb, "{name}");
            let mut f = model_by_name(name).unwrap();
            let (_, pc) = forecast_at(f.as_mut(), &spiked, origin + 1, 6);
            assert!(
                pc[0][0].mean() > pa[0][0].mean() * 10.0,
                "{name} ignores data"
            );
        }
        // Through the whole back-test: identical scores wherever the target is before
        // the spike; origins after it differ.
        let mut spiked_late = panel.clone();
        spiked_late.y[2][50] = Some(1e6);
        let config = BacktestConfig {
            origins: vec![30, 40, 45],
            n_samples: 50,
            n_boot: 10,
            ..BacktestConfig::default()
        };
        let run = |p: &Panel| {
            let mut models: Vec<Box<dyn Forecaster>> =
                MODELS.iter().map(|n| model_by_name(n).unwrap()).collect();
            let mut base: Vec<Box<dyn Forecaster>> = vec![Box::new(Conflictology::new(12))];
            backtest(p, &mut models, &mut base, &config)
        };
        let (r1, r2) = (run(&panel), run(&spiked_late));
        assert_eq!(r1.cells.len(), r2.cells.len());
        for (c1, c2) in r1.cells.iter().zip(&r2.cells) {
            let target = config.origins[c1.origin] + c1.horizon - 1;
            if target < 50 {
                assert_eq!(c1, c2);
            }
            if c1.unit == 2 && target == 50 {
                assert!(c2.scores.crps > 1e5);
            }
        }
    }

    #[test]
    fn uncovered_target_months_are_not_scored() {
        let mut panel = synthetic_panel(4, 3, 40);
        for t in 30..33 {
            panel.y[1][t] = None;
        }
        let config = BacktestConfig {
            origins: vec![30],
            max_horizon: 4,
            n_samples: 20,
            n_boot: 5,
            ..BacktestConfig::default()
        };
        let mut models: Vec<Box<dyn Forecaster>> = vec![Box::new(NoChange::default())];
        let mut base: Vec<Box<dyn Forecaster>> = vec![Box::new(Zero)];
        let r = backtest(&panel, &mut models, &mut base, &config);
        let expected: usize = (0..3)
            .map(|u| (30..34).filter(|&t| panel.get(u, t).is_some()).count())
            .sum();
        assert_eq!(r.cells.len(), 2 * expected);
        assert!(r
            .cells
            .iter()
            .all(|c| panel.get(c.unit, 30 + c.horizon - 1).is_some()));
        assert!(!r.cells.iter().any(|c| c.unit == 1 && c.horizon <= 3));
    }

    #[test]
    fn verdict_keeps_the_baseline_when_the_model_is_the_baseline() {
        // A "model" identical to a baseline cannot show skill with an interval above 0.
        let panel = synthetic_panel(5, 6, 50);
        let config = BacktestConfig {
            origins: (30..44).collect(),
            n_samples: 100,
            n_boot: 200,
            ..BacktestConfig::default()
        };
        let mut models: Vec<Box<dyn Forecaster>> = vec![Box::new(Conflictology::new(12))];
        let mut base: Vec<Box<dyn Forecaster>> = vec![Box::new(Conflictology::new(12))];
        let r = backtest(&panel, &mut models, &mut base, &config);
        assert!(r.verdict.chosen_is_baseline, "{}", r.verdict.explanation);
        let s = r.verdict.skill.as_ref().unwrap();
        assert_eq!(s.skill, 0.0);
    }

    #[test]
    fn tiny_panel_aggregates_match_the_oracle_recomputation() {
        let (units, y, origins, h, n) = ORACLE_TINY_PANEL;
        let panel = Panel::new(
            units.iter().map(|s| s.to_string()).collect(),
            y.iter().map(|r| r.to_vec()).collect(),
        )
        .unwrap();
        let config = BacktestConfig {
            origins: origins.to_vec(),
            max_horizon: h,
            n_samples: n,
            sampling: Sampling::Quantiles,
            n_boot: 20,
            ..BacktestConfig::default()
        };
        let mut models: Vec<Box<dyn Forecaster>> = vec![
            Box::new(NoChange::default()),
            Box::new(Conflictology::new(3)),
        ];
        let mut base: Vec<Box<dyn Forecaster>> =
            vec![Box::new(Zero), Box::new(NbClimatology::new(None))];
        let r = backtest(&panel, &mut models, &mut base, &config);
        let close = |a: f64, b: f64, what: &str| {
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{what}: {a} vs {b}"
            );
        };
        for (name, hz, n, n_act, crps, crps_act, mis, ign, cov, width, mse) in ORACLE_TINY_AGG {
            let hz = if *hz == 0 { None } else { Some(*hz) };
            let a = r.aggregate(name, hz).unwrap();
            let what = format!("{name} h={hz:?}");
            assert_eq!((a.n, a.n_active), (*n, *n_act), "{what}");
            close(a.crps, *crps, &format!("{what} crps"));
            close(a.crps_active, *crps_act, &format!("{what} crps_active"));
            close(a.mis, *mis, &format!("{what} mis"));
            close(a.ign, *ign, &format!("{what} ign"));
            close(a.coverage90, *cov, &format!("{what} coverage"));
            close(a.width90, *width, &format!("{what} width"));
            close(a.mse_log1p, *mse, &format!("{what} mse"));
        }
        for (m, b, skill) in ORACLE_TINY_SKILL {
            close(
                r.skill(m, b, None).unwrap().skill,
                *skill,
                &format!("skill {m} vs {b}"),
            );
        }
    }

    fn synthetic_run(
        units: usize,
        months: usize,
        origins: Vec<usize>,
        n: usize,
        threads: usize,
    ) -> BacktestReport {
        let panel = synthetic_panel(2024, units, months);
        let config = BacktestConfig {
            origins,
            n_samples: n,
            n_boot: 500,
            seed: 7,
            threads,
            ..BacktestConfig::default()
        };
        let mut models: Vec<Box<dyn Forecaster>> =
            vec![Box::new(Glm::poisson()), Box::new(Glm::negative_binomial())];
        let mut base = standard_baselines();
        backtest(&panel, &mut models, &mut base, &config)
    }

    fn print_report(r: &BacktestReport) {
        println!("SYNTHETIC panel back-test (not data)");
        for a in r
            .aggregates
            .iter()
            .filter(|a| a.horizon.is_none() || a.horizon == Some(1))
        {
            println!(
                "{:18} h={:?} n={} crps={:.4} crps_act={:.4} mis={:.3} ign={:.4} cov={:.3} cov_act={:.3} width={:.2} mse={:.4}",
                a.forecaster, a.horizon, a.n, a.crps, a.crps_active, a.mis, a.ign, a.coverage90,
                a.coverage90_active, a.width90, a.mse_log1p
            );
        }
        for s in r.skills.iter().filter(|s| s.horizon.is_none()) {
            println!(
                "skill {} vs {}: {:.4} [{:.4}, {:.4}]",
                s.model, s.baseline, s.skill, s.lo, s.hi
            );
        }
        println!("verdict: {}", r.verdict.explanation);
        println!("warnings: {}", r.warnings.len());
    }

    #[test]
    fn synthetic_backtest_is_internally_consistent() {
        let r = synthetic_run(34, 120, (72..120).step_by(8).collect(), 100, 0);
        print_report(&r);
        // The GLMs beat zero, clearly.
        for m in ["glm-poisson", "glm-nb"] {
            let s = r.skill(m, "zero", None).unwrap();
            assert!(s.lo > 0.2, "{m} vs zero: {s:?}");
        }
        // Pooled aggregates are the cell-weighted means of the per-horizon ones.
        for name in &r.forecasters {
            let pooled = r.aggregate(name, None).unwrap();
            let per: Vec<&Aggregate> = (1..=6)
                .map(|h| r.aggregate(name, Some(h)).unwrap())
                .collect();
            let n: usize = per.iter().map(|a| a.n).sum();
            assert_eq!(n, pooled.n);
            let crps = per.iter().map(|a| a.crps * a.n as f64).sum::<f64>() / n as f64;
            assert!((crps - pooled.crps).abs() < 1e-9 * crps);
        }
        // Skill is 1 − ratio of the aggregates; the point lies inside its interval.
        for s in &r.skills {
            let m = r.aggregate(&s.model, s.horizon).unwrap().crps;
            let b = r.aggregate(&s.baseline, s.horizon).unwrap().crps;
            assert!((s.skill - (1.0 - m / b)).abs() < 1e-9);
            assert!(s.lo <= s.skill + 1e-12 && s.skill <= s.hi + 1e-12, "{s:?}");
        }
        // Same seed, same report; a different thread count changes nothing.
        let again = synthetic_run(34, 120, (72..120).step_by(8).collect(), 100, 1);
        assert_eq!(again.aggregates, r.aggregates);
        assert!(r.verdict.best_model.is_some() && r.verdict.best_baseline.is_some());
    }

    /// The size asked for: 34 units × 384 months, 72 origins, horizons 1–6, 1,000
    /// samples. Run with `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn synthetic_full_size_timing() {
        let t = std::time::Instant::now();
        let r = synthetic_run(34, 384, (312..384).collect(), 1000, 0);
        println!("elapsed {:?}", t.elapsed());
        print_report(&r);
    }

    include!("../../tests/oracle/backtest_values.rs");
}
