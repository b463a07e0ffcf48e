//! The verdict rules: the one place that says which data make a claim **supported**,
//! **contradicted** or **mixed**, and when there is **not enough data** to say. (What
//! interval a *wording* commits to — "fivefold" = 4–6, "more than half" = 0.5–1 — is
//! sitrep-extract's one table, `sitrep_extract::tolerance`.)
//!
//! ## Query variants (AggChecker semantics)
//!
//! A claim becomes a query (see [`crate::query`]). Because a writer's period and event
//! definition are rarely exact, each claim is also evaluated on *reasonable variants*:
//! both periods' boundaries moved by ±[`BOUNDARY_SHIFT_MONTHS`] month, and all violent
//! event types ([`VIOLENT_TYPES`]) against the closest single type the text names
//! ("battles" → battle). Every variant is reported with its number.
//!
//! | claim | a variant *supports* when | *opposes* when |
//! |---|---|---|
//! | change ×N, by N %, "to N % of" | measured new/old rate ratio is inside the wording's interval | outside |
//! | level ("50 attacks", "20,000 killed per year") | measured count or rate is inside the interval | outside |
//! | comparison ("NRF attacks surpassed IS-KP's") | first count > second (or < for "fewer than") | otherwise |
//! | record ("highest since", "more than ever") | the period's busiest (quietest) month beats every earlier covered month | otherwise |
//! | direction "rising"/"fell" (weak, moderate) | the per-quarter rate ratio's 95 % interval lies above 1 (below 1 for a fall): a significant Poisson trend at α = [`ALPHA`] | the interval lies on the other side of 1 |
//! | direction "rising rapidly", "sharp decline" (strong) | as above *and* the ratio is ≥ [`STRONG_RATIO_PER_QUARTER`] per quarter (≤ 1/1.5 for a fall) | the interval lies on the other side of 1 |
//! | "remained stable" | the interval contains 1 | it excludes 1 |
//! | "did not rise" / "has not fallen" | the interval does not lie above 1 / below 1 | it does |
//! | share of a total ("more than half of attacks … cannot be attributed") | count(part) / count(whole) over the period is inside the share word's interval | outside |
//!
//! A share's whole is the claim's scope; its part is what the words after the cue
//! select (a perpetrator, the attribution words, a place): the wording rules are in
//! `sitrep_extract::tolerance`. The verdict also shows the share's 95 % Wilson interval.
//!
//! A direction claim **without a period** ("attacks are rising rapidly") is read over
//! the [`sitrep_extract::tolerance::DEFAULT_TREND_MONTHS`] months before the article
//! date (the day before it is the last), named in the verdict and its flags; the rules
//! above then apply (slope within that window, and its rate against the window before).
//!
//! A direction claim has two variants: the Poisson log-linear slope over the claim's
//! period (IRLS, `sitrep_stats::rules::generic::poisson_trend`, per-week slope × 13 =
//! per quarter, Wald interval), and the period's weekly rate against the preceding
//! period of the same length (exact conditional rate-ratio interval), scaled to a
//! quarter. Other outcomes are *inconclusive*.
//!
//! ## From variants to a verdict ([`combine`])
//!
//! * Value claims (change, level, comparison, record): **supported** if *some*
//!   variant supports (AggChecker: "erroneous if no reasonable query rounds to the
//!   claimed value"), else **contradicted**.
//! * Direction claims: **supported** if some variant supports and none opposes;
//!   **contradicted** if some opposes and none supports; **mixed** if they disagree
//!   or none is significant either way (the data neither show nor rule it out).
//! * Sources: where two or more sources each cover the period, the claim is also
//!   judged on each alone; if their verdicts disagree the claim is **mixed**
//!   (QuanTemp's "conflicting").
//! * **Not enough data**: a period the selected sources do not cover on every day
//!   (named with what they do cover), no period (other than for a trend) or baseline period stated, an actor
//!   or place that did not resolve, a share of a part sitrep cannot select, a trend
//!   resting on fewer than [`MIN_TREND_EVENTS`] events or [`MIN_TREND_BUCKETS`]
//!   complete weeks, or a measure the store does not hold (wounded).
//!
//! ## Honesty checks (flags on the verdict; anchors G4.3)
//!
//! * **Incomplete bucket**: a week of the trend that is not wholly inside the period
//!   (the latest week still running, or cut by the period's start) is dropped from
//!   the fit and named.
//! * **Fragile**: a ratio whose smaller count is below [`FRAGILE_BASE`] events ("1 → 5
//!   is fivefold too").
//! * **Sources disagree**: per-source values differ by more than
//!   [`SOURCES_DISAGREE`] (25 %) of the larger.
//! * **Partial coverage**: a period only partly covered makes counts lower bounds;
//!   the analysis layer's warning is carried into the verdict.
//! * **Basis**: country-level fatalities per calendar year are judged on the UCDP
//!   country-year totals ([`crate::country_year`]), named as the basis, because event
//!   subsets undercount deaths; the store's own sum is shown beside them.

use serde::Serialize;
use sitrep_extract::{Direction, Strength};
use sitrep_model::EventType;

/// Significance level of trend and ratio tests.
pub const ALPHA: f64 = 0.05;
/// z for a two-sided 95 % Wald interval.
pub const Z95: f64 = 1.959_963_984_540_054;
/// "Rapidly", "sharply", "surged": at least this rate ratio per quarter (or its
/// inverse for a fall), with the interval excluding 1.
pub const STRONG_RATIO_PER_QUARTER: f64 = sitrep_extract::tolerance::STRONG_RATIO_PER_QUARTER;
/// Weeks in a quarter, to scale per-week slopes.
pub const WEEKS_PER_QUARTER: f64 = 13.0;
/// Fewer events than this over a trend's period: not enough data.
pub const MIN_TREND_EVENTS: f64 = 10.0;
/// Fewer complete weekly buckets than this: not enough data for a slope.
pub const MIN_TREND_BUCKETS: usize = 4;
/// A ratio whose smaller count is below this is flagged fragile.
pub const FRAGILE_BASE: f64 = 10.0;
/// Per-source values further apart than this share of the larger: flagged.
pub const SOURCES_DISAGREE: f64 = 0.25;
/// Period boundary variants: ± this many months.
pub const BOUNDARY_SHIFT_MONTHS: u32 = 1;
/// The event types "violence", "attacks", "incidents" count.
pub const VIOLENT_TYPES: [EventType; 3] = [
    EventType::Battle,
    EventType::Explosion,
    EventType::ViolenceAgainstCivilians,
];

/// The four verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Some reasonable query reproduces the claim.
    Supported,
    /// No reasonable query reproduces it.
    Contradicted,
    /// Variants or sources disagree, or the data neither show nor rule it out.
    Mixed,
    /// The data cannot decide: coverage, period, actor or measure missing.
    NotEnoughData,
}

impl Verdict {
    /// For people: "supported", "not enough data".
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Mixed => "mixed",
            Verdict::NotEnoughData => "not enough data",
        }
    }
}

/// What one variant says about the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The variant reproduces the claim.
    Supports,
    /// The variant shows the opposite (or a value outside the interval).
    Opposes,
    /// Not significant either way.
    Inconclusive,
}

/// The kind of claim, for [`combine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimKind {
    /// A value inside an interval (change, level, comparison, record).
    Value,
    /// A direction (trend word).
    Direction,
}

/// Interval containment: a value claim's variant.
pub fn within(lo: Option<f64>, hi: Option<f64>, x: f64) -> Outcome {
    let ok = x.is_finite() && lo.is_none_or(|l| x >= l - 1e-9) && hi.is_none_or(|h| x <= h + 1e-9);
    if ok {
        Outcome::Supports
    } else {
        Outcome::Opposes
    }
}

/// A direction claim's variant from a per-quarter rate ratio and its 95 % interval.
pub fn trend_outcome(
    direction: Direction,
    strength: Strength,
    ratio: f64,
    lo: f64,
    hi: f64,
) -> Outcome {
    let up = lo > 1.0;
    let down = hi < 1.0;
    let strong = strength == Strength::Strong;
    match direction {
        Direction::Increase if up => {
            if !strong || ratio >= STRONG_RATIO_PER_QUARTER {
                Outcome::Supports
            } else {
                Outcome::Inconclusive
            }
        }
        Direction::Decrease if down => {
            if !strong || ratio <= 1.0 / STRONG_RATIO_PER_QUARTER {
                Outcome::Supports
            } else {
                Outcome::Inconclusive
            }
        }
        Direction::Increase if down => Outcome::Opposes,
        Direction::Decrease if up => Outcome::Opposes,
        Direction::Increase | Direction::Decrease => Outcome::Inconclusive,
        Direction::Stable => {
            if up || down {
                Outcome::Opposes
            } else {
                Outcome::Supports
            }
        }
        Direction::NotIncrease => {
            if up {
                Outcome::Opposes
            } else {
                Outcome::Supports
            }
        }
        Direction::NotDecrease => {
            if down {
                Outcome::Opposes
            } else {
                Outcome::Supports
            }
        }
    }
}

/// The verdict from the variants' outcomes (see the module doc). `None` when there
/// is no outcome at all (every variant lacked data).
pub fn combine(kind: ClaimKind, outcomes: &[Outcome]) -> Option<Verdict> {
    if outcomes.is_empty() {
        return None;
    }
    let supports = outcomes.contains(&Outcome::Supports);
    let opposes = outcomes.contains(&Outcome::Opposes);
    Some(match kind {
        ClaimKind::Value => {
            if supports {
                Verdict::Supported
            } else {
                Verdict::Contradicted
            }
        }
        ClaimKind::Direction => match (supports, opposes) {
            (true, false) => Verdict::Supported,
            (false, true) => Verdict::Contradicted,
            _ => Verdict::Mixed,
        },
    })
}

/// Per-source verdicts that disagree (one supported, another contradicted) make a
/// claim mixed.
pub fn sources_conflict(verdicts: &[Verdict]) -> bool {
    verdicts.contains(&Verdict::Supported) && verdicts.contains(&Verdict::Contradicted)
}

/// A ratio whose smaller count is below [`FRAGILE_BASE`].
pub fn fragile(count_a: f64, count_b: f64) -> bool {
    count_a.min(count_b) < FRAGILE_BASE
}

/// How far apart per-source values are, as a share of the larger; `Some` only when
/// beyond [`SOURCES_DISAGREE`].
pub fn disagreement(values: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return None;
    }
    let max = finite.iter().copied().fold(f64::MIN, f64::max);
    let min = finite.iter().copied().fold(f64::MAX, f64::min);
    if max <= 0.0 {
        return None;
    }
    let d = (max - min) / max;
    (d > SOURCES_DISAGREE).then_some(d)
}

/// A per-week log-slope and its standard error as a per-quarter rate ratio with a
/// 95 % interval.
pub fn per_quarter(slope: f64, se: f64) -> (f64, f64, f64) {
    let q = WEEKS_PER_QUARTER;
    (
        (slope * q).exp(),
        ((slope - Z95 * se) * q).exp(),
        ((slope + Z95 * se) * q).exp(),
    )
}

/// A rate ratio between two periods whose midpoints are `weeks_apart` weeks apart,
/// rescaled to a quarter (ratio^(13 / weeks)).
pub fn to_quarter(ratio: f64, weeks_apart: f64) -> f64 {
    if weeks_apart <= 0.0 || !ratio.is_finite() || ratio <= 0.0 {
        return ratio;
    }
    ratio.powf(WEEKS_PER_QUARTER / weeks_apart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;
    use Outcome::*;
    use Strength::*;

    #[test]
    fn intervals() {
        assert_eq!(within(Some(1.0 / 6.0), Some(0.25), 0.2), Supports);
        assert_eq!(within(Some(1.0 / 6.0), Some(0.25), 1.0 / 1.2), Opposes);
        assert_eq!(within(Some(0.5), None, 0.51), Supports);
        assert_eq!(within(Some(0.5), None, f64::NAN), Opposes);
    }

    #[test]
    fn trend_words() {
        // "rising": significant, any size.
        assert_eq!(trend_outcome(Increase, Weak, 1.1, 1.01, 1.2), Supports);
        assert_eq!(trend_outcome(Increase, Weak, 1.1, 0.9, 1.2), Inconclusive);
        assert_eq!(trend_outcome(Increase, Weak, 0.8, 0.7, 0.9), Opposes);
        // "rising rapidly": ≥ 1.5 per quarter with the interval above 1.
        assert_eq!(trend_outcome(Increase, Strong, 1.6, 1.2, 2.0), Supports);
        assert_eq!(trend_outcome(Increase, Strong, 1.3, 1.1, 1.5), Inconclusive);
        assert_eq!(trend_outcome(Increase, Strong, 1.6, 0.9, 2.5), Inconclusive);
        // "sharp decline": ≤ 1/1.5.
        assert_eq!(trend_outcome(Decrease, Strong, 0.6, 0.5, 0.7), Supports);
        assert_eq!(trend_outcome(Decrease, Strong, 0.8, 0.7, 0.9), Inconclusive);
        assert_eq!(trend_outcome(Stable, Weak, 1.05, 0.9, 1.2), Supports);
        assert_eq!(trend_outcome(Stable, Weak, 1.5, 1.2, 1.9), Opposes);
        assert_eq!(trend_outcome(NotIncrease, Weak, 1.5, 1.2, 1.9), Opposes);
        assert_eq!(trend_outcome(NotDecrease, Weak, 1.0, 0.8, 1.2), Supports);
    }

    #[test]
    fn combining() {
        use ClaimKind::*;
        assert_eq!(
            combine(Value, &[Opposes, Supports]),
            Some(Verdict::Supported)
        );
        assert_eq!(combine(Value, &[Opposes]), Some(Verdict::Contradicted));
        assert_eq!(
            combine(Direction, &[Supports, Inconclusive]),
            Some(Verdict::Supported)
        );
        assert_eq!(
            combine(Direction, &[Supports, Opposes]),
            Some(Verdict::Mixed)
        );
        assert_eq!(combine(Direction, &[Inconclusive]), Some(Verdict::Mixed));
        assert_eq!(
            combine(Direction, &[Opposes, Inconclusive]),
            Some(Verdict::Contradicted)
        );
        assert_eq!(combine(Value, &[]), None);
        assert!(sources_conflict(&[
            Verdict::Supported,
            Verdict::Contradicted
        ]));
        assert!(!sources_conflict(&[Verdict::Supported, Verdict::Mixed]));
    }

    #[test]
    fn honesty() {
        assert!(fragile(1.0, 5.0));
        assert!(!fragile(20.0, 100.0));
        assert_eq!(disagreement(&[100.0, 80.0]), None);
        assert!((disagreement(&[100.0, 70.0]).unwrap() - 0.3).abs() < 1e-12);
        let (r, lo, hi) = per_quarter(0.0, 0.01);
        assert_eq!(r, 1.0);
        assert!(lo < 1.0 && hi > 1.0);
        assert!((to_quarter(4.0, 26.0) - 2.0).abs() < 1e-12);
    }
}
