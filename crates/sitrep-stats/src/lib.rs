//! # sitrep-stats
//!
//! Pure numerics for the analysis layer. Everything here works on plain numbers
//! (`&[f64]`, `&[u64]`) handed in by `sitrep-analysis`; nothing reads a file, a store
//! or a clock, so every function is deterministic and testable against the anchors'
//! own reference implementations (R `changepoint`, `ruptures`, `properscoring`, scipy).
//!
//! ## Map
//!
//! - [`dist`]: log-gamma, regularised incomplete gamma and beta, and the Poisson and
//!   negative-binomial pmf / cdf / tail probabilities used by anomaly rules, change
//!   points and forecast scores.
//! - [`interval`]: gamma / beta quantiles and exact intervals for Poisson rates, rate
//!   ratios and proportions (Garwood, conditional binomial, Clopper–Pearson, Wilson).
//! - [`changepoint`]: Poisson / negative-binomial segment costs, R `changepoint`
//!   penalties, PELT, binary segmentation, the CROPS penalty path, Poisson–Gamma BOCPD,
//!   breaks with location ranges and rate ratios, and the TCPDBench F1 / covering metrics.
//! - [`rules`]: indicator rules over bucketed counts where a missing bucket is `None`
//!   and yields `NoData`: ACLED change level, surge / threat trackers, emerging actors,
//!   volatility & risk; HDX "N-year high"; ForecastBench's ACLED questions; threshold,
//!   crossing, Poisson trend, anomaly (Poisson / negative-binomial tails) and share.
//! - [`forecast`]: panel count forecasts: scores, baselines, IRLS GLMs, rolling-origin back-tests.
//! - [`rng`]: seeded xoshiro256** with uniform, normal, Gamma, Poisson and NB draws.
//!
//! ## What it may not touch
//!
//! No sitrep crate: it sits beside `sitrep-model` at the bottom of the path and is
//! used by `sitrep-analysis`. No dependencies, so it builds in seconds.

pub mod changepoint;
pub mod dist;
pub mod forecast;
pub mod interval;
pub mod rng;
pub mod rules;
