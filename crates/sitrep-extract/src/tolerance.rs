//! The one table of tolerances: how far a stated magnitude may be from the data and
//! still be "what the text said". Every interval in this crate's output comes from here.
//!
//! | Expression                       | Interval                                       |
//! |----------------------------------|------------------------------------------------|
//! | exact number "20,000", "18"      | its rounding: ± half a unit of the last significant digit, at most 10 %, 0.5 below 100: 20,000 → 18,000–22,000; 400 → 360–440; 18 → 17.5–18.5; 1.5 → 1.45–1.55 |
//! | change "from A to B"             | (B ∓ rounding) / (A ± rounding): from 10 to 20 → 1.86–2.16 |
//! | "about/around/some/roughly X"    | X ± 10 %                                       |
//! | "nearly/almost/close to X"       | 0.9·X – X                                      |
//! | "more than/over/above X"         | > X (no upper bound)                           |
//! | "at least/no fewer than X", "X or more" | ≥ X                                     |
//! | "less than/fewer than/under X"   | 0 – X                                          |
//! | "up to/as many as X"             | 0 – X                                          |
//! | "a few" / "several" / "a handful"| 2–5 / 3–9 / 2–6                                |
//! | "dozens of" / "scores of"        | 24–143 / 40–199                                |
//! | "hundreds of" / "thousands of"   | 200–999 / 2,000–9,999                          |
//! | "tens of thousands of"           | 20,000–99,999                                  |
//! | "hundreds of thousands of"       | 200,000–999,999                                |
//! | "millions of"                    | ≥ 2,000,000                                    |
//! | N-fold / N times / doubled …, N ≤ 4 | N ± 15 %: doubled 1.7–2.3, tripled 2.55–3.45, quadrupled 3.4–4.6 |
//! | N-fold, N ≥ 5                    | N ± 20 %: fivefold 4–6, tenfold 8–12           |
//! | halved / cut in half             | factor 2 down, as "doubled": 1.7–2.3           |
//! | percent change "by 40 %"         | ± 12.5 % of the figure, at least its rounding: 35–45 |
//! | "by a third" / "by a quarter" / "by half" | 33.3 / 25 / 50 per cent, ± 12.5 %     |
//! | share "more than half", "the majority of" | > 0.5 – 1                             |
//! | share "half of" / "a third of" / "a quarter of" | 0.45–0.55 / 0.30–0.37 / 0.22–0.28 |
//! | share "less than half"           | 0 – 0.5                                        |
//! | "rapidly/sharply/surged" (strong trend) | ratio ≥ 1.5 per quarter (used by the verdict layer) |
//!
//! **Shares of a total** ("more than half of attacks … cannot be attributed") are
//! measured as count(part) / count(whole) over the claim's period, the whole being the
//! claim's scope (country, violent event types, target actors, places) and the part
//! selected by the first of these that the words after the share cue name:
//!
//! | words after the cue | the part |
//! |---|---|
//! | a perpetrator ("claimed by IS-KP", "carried out by the NRF") | incidents of that actor (either side) |
//! | [`UNATTRIBUTED_WORDS`]: "cannot be attributed", "unattributed", "unclaimed", "no group claimed" … | attribution verdict `unattributed` |
//! | [`CLAIMED_WORDS`]: "were claimed", "was claimed" (no claimant named) | attribution `claimed` or `contested` |
//! | a place ("were in the east", "in Panjshir") | incidents there |
//!
//! The measured share must lie inside the share word's interval above (inclusive) in
//! some reasonable variant (period boundaries ± 1 month, all violent types or the
//! closest type): **supported**; in none: **contradicted**; a whole of 0 events, or a
//! part sitrep cannot select: **not enough data**.
//!
//! **Trends without a period** ("attacks are rising rapidly", "a sharp decline in
//! violence"): the claim is read as being about the [`DEFAULT_TREND_MONTHS`] months
//! before the article date (the article's month excluded when it has just begun: the
//! window ends the day before the article date) and judged by the verdict layer's
//! trend rules over that window — the Poisson slope within it, and its weekly rate
//! against the [`DEFAULT_TREND_MONTHS`] months before. The verdict names the window
//! ("no period stated: read as the 12 months before the article date").
//!
//! A *factor* is always ≥ 1 and read in the direction of the change: "fell fivefold"
//! is factor 4–6 downwards, i.e. new/old in 1/6–1/4 (see [`crate::analyse::Relation`]).

use serde::Serialize;

/// A stated magnitude and the interval the text commits to. Bounds are inclusive;
/// `None` means unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Magnitude {
    pub stated: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

impl Magnitude {
    pub fn between(stated: f64, lo: f64, hi: f64) -> Self {
        Magnitude {
            stated,
            lo: Some(lo),
            hi: Some(hi),
        }
    }
    /// Whether `x` lies in the interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo.is_none_or(|l| x >= l - 1e-9) && self.hi.is_none_or(|h| x <= h + 1e-9)
    }
    /// Multiply stated value and bounds by `k > 0`.
    pub fn scaled(&self, k: f64) -> Self {
        Magnitude {
            stated: round6(self.stated * k),
            lo: self.lo.map(|v| round6(v * k)),
            hi: self.hi.map(|v| round6(v * k)),
        }
    }
}

/// How a number is hedged in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Hedge {
    Exact,
    About,
    Nearly,
    MoreThan,
    AtLeast,
    LessThan,
    UpTo,
    /// A vague quantity word: "hundreds of", "dozens of", "several".
    Vague,
}

pub const ABOUT_REL: f64 = 0.10;
pub const NEARLY_LO: f64 = 0.90;
pub const FOLD_SMALL_REL: f64 = 0.15;
pub const FOLD_LARGE_REL: f64 = 0.20;
pub const FOLD_LARGE_FROM: f64 = 5.0;
pub const PERCENT_CHANGE_REL: f64 = 0.125;
pub const STRONG_RATIO_PER_QUARTER: f64 = 1.5;
/// Months before the article date that a trend claim without a period is read as
/// being about (and the length of the window it is compared with).
pub const DEFAULT_TREND_MONTHS: u32 = 12;

/// Words that make a share's part "not attributed to anyone".
pub const UNATTRIBUTED_WORDS: &[&str] = &[
    "cannot be attributed",
    "can not be attributed",
    "could not be attributed",
    "can't be attributed",
    "cannot be attributed to any group",
    "were not attributed",
    "was not attributed",
    "remain unattributed",
    "unattributed",
    "went unclaimed",
    "remain unclaimed",
    "remained unclaimed",
    "were unclaimed",
    "was unclaimed",
    "unclaimed",
    "were not claimed",
    "was not claimed",
    "no group claimed",
    "nobody claimed",
    "no one claimed",
];

/// Words that make a share's part "claimed" (no claimant named).
pub const CLAIMED_WORDS: &[&str] = &["were claimed", "was claimed", "have been claimed"];

/// What the words after a share cue select, by attribution: `Some(true)` for the
/// unattributed, `Some(false)` for the claimed, `None` when neither is named.
/// Case-insensitive; the first match in the text decides, unattributed words first
/// at equal position ("were not claimed" is not "were claimed").
pub fn share_part_attribution(after_cue: &str) -> Option<bool> {
    let t = after_cue.to_lowercase();
    let first = |words: &[&str]| words.iter().filter_map(|w| t.find(w)).min();
    match (first(UNATTRIBUTED_WORDS), first(CLAIMED_WORDS)) {
        (Some(u), Some(c)) => Some(u <= c),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}

/// The rounding tolerance of a number as written (`decimals` digits after the point):
/// half a unit of the last decimal; for integers below 100, 0.5; for larger integers
/// half a unit of the last significant digit, at most 10 % of the value
/// (20,000 → ±2,000; 1,250 → ±5; 400 → ±40).
pub fn rounding(x: f64, decimals: usize) -> f64 {
    if decimals > 0 {
        return 0.5 * 10f64.powi(-(decimals as i32));
    }
    let mut n = x.abs().round() as u64;
    if n < 100 {
        return 0.5;
    }
    let mut unit: f64 = 1.0;
    while n % 10 == 0 && n >= 10 {
        n /= 10;
        unit *= 10.0;
    }
    (0.5 * unit).min(0.1 * x.abs()).max(0.5)
}

/// The interval of a hedged number. `decimals`: digits after the point as written.
pub fn hedged(x: f64, hedge: Hedge, decimals: usize) -> Magnitude {
    match hedge {
        Hedge::Exact => {
            let r = rounding(x, decimals);
            Magnitude::between(x, round6(x - r), round6(x + r))
        }
        Hedge::About => Magnitude::between(
            x,
            round6(x * (1.0 - ABOUT_REL)),
            round6(x * (1.0 + ABOUT_REL)),
        ),
        Hedge::Nearly => Magnitude::between(x, round6(x * NEARLY_LO), x),
        Hedge::MoreThan | Hedge::AtLeast => Magnitude {
            stated: x,
            lo: Some(x),
            hi: None,
        },
        Hedge::LessThan | Hedge::UpTo => Magnitude::between(x, 0.0, x),
        Hedge::Vague => vague(x),
    }
}

/// Vague quantity words, keyed by the value the number parser gives them
/// (its lower bound).
pub fn vague(lower: f64) -> Magnitude {
    let (lo, hi) = match lower as u64 {
        2 => (2.0, Some(5.0)),
        3 => (3.0, Some(9.0)),
        6 => (2.0, Some(6.0)),
        24 => (24.0, Some(143.0)),
        40 => (40.0, Some(199.0)),
        200 => (200.0, Some(999.0)),
        2_000 => (2_000.0, Some(9_999.0)),
        20_000 => (20_000.0, Some(99_999.0)),
        200_000 => (200_000.0, Some(999_999.0)),
        _ => (lower, None),
    };
    Magnitude {
        stated: lower,
        lo: Some(lo),
        hi,
    }
}

/// The interval of an N-fold factor.
pub fn fold(n: f64) -> Magnitude {
    let rel = if n >= FOLD_LARGE_FROM {
        FOLD_LARGE_REL
    } else {
        FOLD_SMALL_REL
    };
    Magnitude::between(n, round6(n * (1.0 - rel)), round6(n * (1.0 + rel)))
}

/// The interval of a percent change "by p %" (p as written, with `decimals`).
pub fn percent_change(p: f64, decimals: usize) -> Magnitude {
    let tol = (p * PERCENT_CHANGE_REL).max(rounding(p, decimals));
    Magnitude::between(p, round6(p - tol), round6(p + tol))
}

/// A percent change given as a fraction word ("by a third"): p = 100·fraction.
pub fn fraction_change(fraction: f64) -> Magnitude {
    let p = fraction * 100.0;
    let tol = p * PERCENT_CHANGE_REL;
    Magnitude::between(round6(p), round6(p - tol), round6(p + tol))
}

/// Share words ("more than half", "a third of") as a fraction interval.
pub fn share_word(words: &str) -> Option<Magnitude> {
    Some(match words {
        "more than half" | "over half" | "the majority of" | "a majority of" | "majority" => {
            Magnitude {
                stated: 0.5,
                lo: Some(0.5),
                hi: Some(1.0),
            }
        }
        "less than half" | "fewer than half" | "under half" => Magnitude::between(0.5, 0.0, 0.5),
        "half" => Magnitude::between(0.5, 0.45, 0.55),
        "a third" | "one third" | "one-third" => Magnitude::between(1.0 / 3.0, 0.30, 0.37),
        "a quarter" | "one quarter" => Magnitude::between(0.25, 0.22, 0.28),
        "two thirds" | "two-thirds" => Magnitude::between(2.0 / 3.0, 0.63, 0.70),
        "three quarters" => Magnitude::between(0.75, 0.72, 0.78),
        _ => return None,
    })
}

/// Round to 6 decimals so that table values compare exactly (0.175, not 0.17500000000000002).
fn round6(x: f64) -> f64 {
    if x.abs() > 1e9 {
        return x;
    }
    (x * 1e6).round() / 1e6
}

/// The factor (≥ 1) of a change "from A to B", values given with their decimals as
/// written, with both roundings as tolerance: from 10 to 20 is 19.5/10.5 – 20.5/9.5.
/// The flag is true for an increase.
pub fn from_to(a: (f64, usize), b: (f64, usize)) -> Option<(Magnitude, bool)> {
    let ((a, da), (b, db)) = (a, b);
    if a <= 0.0 || b <= 0.0 || a == b {
        return None;
    }
    let (ra, rb) = (rounding(a, da), rounding(b, db));
    let up = b > a;
    let (old, new, r_old, r_new) = if up { (a, b, ra, rb) } else { (b, a, rb, ra) };
    let hi = (old - r_old > 0.0).then(|| round6((new + r_new) / (old - r_old)));
    Some((
        Magnitude {
            stated: round6(new / old),
            lo: Some(round6((new - r_new) / (old + r_old))),
            hi,
        },
        up,
    ))
}

#[cfg(test)]
mod share_tests {
    use super::share_part_attribution as part;

    #[test]
    fn share_parts_by_attribution() {
        assert_eq!(
            part(" of attacks on Taliban personnel since October 2021 cannot be attributed."),
            Some(true)
        );
        assert_eq!(part(" of the attacks went unclaimed"), Some(true));
        assert_eq!(
            part(" of attacks were not claimed by any group"),
            Some(true)
        );
        assert_eq!(part(" of attacks were claimed"), Some(false));
        assert_eq!(part(" of attacks took place in Kabul"), None);
        assert_eq!(part(" of attacks were Unattributed"), Some(true));
    }
}
