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
//! - [`forecast`]: panel count forecasts: scores, baselines, IRLS GLMs, rolling-origin back-tests.
//! - [`rng`]: seeded xoshiro256** with uniform, normal, Gamma, Poisson and NB draws.
//!
//! ## What it may not touch
//!
//! No sitrep crate: it sits beside `sitrep-model` at the bottom of the path and is
//! used by `sitrep-analysis`. No dependencies, so it builds in seconds.

pub mod dist;
pub mod forecast;
pub mod rng;
