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
//! - [`forecast`]: count forecasts on a units × months panel with gaps: scores
//!   (CRPS, MIS, IGN, Brier), naive baselines, Poisson/NB GLMs by IRLS, and rolling-origin
//!   back-tests with bootstrap skill intervals and a baseline-first verdict.
//! - [`rng`]: a seeded deterministic generator (xoshiro256**) with uniform, normal,
//!   Gamma, Poisson and negative-binomial draws, for predictive samples and simulation.
//!
//! ## What it may not touch
//!
//! No sitrep crate: it sits beside `sitrep-model` at the bottom of the path and is
//! used by `sitrep-analysis`. No dependencies, so it builds in seconds.

pub mod dist;
pub mod forecast;
pub mod rng;
