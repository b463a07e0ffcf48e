//! Indicator rules over already-bucketed counts.
//!
//! Every rule takes `&[Option<f64>]`, one entry per bucket (day, week, month), where
//! `None` means *no source covered that bucket*. `None` is never read as 0: a rule
//! whose window touches a `None` (or reaches before the first bucket) returns
//! [`Status::NoData`] for that bucket, never "quiet" (the anchors' "VOID instead of a
//! false NO").
//!
//! Every evaluation carries a [`Status`] and the [`Evidence`] that decided it, so a UI
//! can show why; rules with a category (ACLED change level, volatility) or extra
//! numbers put them in [`Evaluation::detail`].
//!
//! * [`acled`]: ACLED Early Warning rules — change level, surge and threat trackers,
//!   emerging actors, volatility & risk.
//! * [`external`]: HDX Signals' "N-year high" and ForecastBench's two ACLED questions.
//! * [`generic`]: threshold, crossing, trend (Poisson log-linear regression), anomaly
//!   against a baseline window, share with an interval.

pub mod acled;
pub mod external;
pub mod generic;

/// The outcome of a rule for one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The rule's condition holds.
    Fired,
    /// The rule was evaluated on complete data and the condition does not hold.
    Quiet,
    /// The rule does not apply here (a gate such as "4-week average ≥ 1" is not met,
    /// or a ratio has a zero denominator); not an alert and not a "no".
    Ineligible,
    /// Some bucket the rule needs is not covered (or lies before the series starts):
    /// the rule says nothing.
    NoData,
}

/// The numbers behind a status; fields a rule does not use are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Evidence {
    /// The value tested (latest count, window sum, share, slope…).
    pub value: Option<f64>,
    /// What it was compared with (average of the reference window, rolling max…).
    pub baseline: Option<f64>,
    /// `value / baseline`.
    pub ratio: Option<f64>,
    /// `100 · (value − baseline) / baseline`.
    pub percent_change: Option<f64>,
    /// A p-value, when the rule is a test.
    pub p_value: Option<f64>,
    /// The threshold the value (or p-value) was compared with.
    pub threshold: Option<f64>,
    /// Lower end of an interval for `value`, when the rule gives one.
    pub lo: Option<f64>,
    /// Upper end of that interval.
    pub hi: Option<f64>,
}

/// One rule evaluation for one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation<D = ()> {
    /// Fired, quiet, ineligible or no data.
    pub status: Status,
    /// The numbers that decided it.
    pub evidence: Evidence,
    /// Rule-specific detail (a category, the actors that emerged…).
    pub detail: D,
}

impl<D: Default> Evaluation<D> {
    /// A `NoData` evaluation with no numbers.
    pub fn no_data() -> Self {
        Evaluation {
            status: Status::NoData,
            evidence: Evidence::default(),
            detail: D::default(),
        }
    }
}

/// The values of `xs[start..end]` if the range lies inside the series and every
/// bucket in it is covered.
pub(crate) fn window(xs: &[Option<f64>], start: isize, end: usize) -> Option<Vec<f64>> {
    if start < 0 || end > xs.len() || (start as usize) > end {
        return None;
    }
    xs[start as usize..end].iter().copied().collect()
}

pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// `100 · (value − base) / base`, infinite for a positive value over a zero base, 0 for
/// 0 over 0.
pub(crate) fn percent(value: f64, base: f64) -> f64 {
    if base == 0.0 {
        if value == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        100.0 * (value - base) / base
    }
}

/// `value / base` with the same conventions as [`percent`] (0/0 = 1).
pub(crate) fn ratio(value: f64, base: f64) -> f64 {
    if base == 0.0 {
        if value == 0.0 {
            1.0
        } else {
            f64::INFINITY
        }
    } else {
        value / base
    }
}
