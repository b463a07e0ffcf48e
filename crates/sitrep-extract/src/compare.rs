//! Multipliers and comparisons: "fivefold", "five times", "doubled", "halved",
//! "by a third", "by 40%", "to 18 per cent of", "more than half", "surpassed",
//! "outnumbered", "highest since".

use serde::Serialize;

use crate::numbers::{number_at, simple_number_word};
use crate::text::Span;
use crate::tokens::{any_seq, seq, span_of, tokenize, word, Token};
use crate::tolerance::{fold, fraction_change, percent_change, share_word, Magnitude};
use crate::trend::Direction;

/// What a share is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ShareOf {
    /// Part of a total: "more than half of attacks".
    Total,
    /// Relative to an earlier level: "to 18 per cent of previous levels".
    Baseline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CompareKind {
    /// "surpassed", "exceeded", "overtook", "outpaced", "more … than".
    Exceeds,
    /// "outnumbered".
    Outnumbers,
    /// "fewer … than", "fell behind".
    FallsBelow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecordKind {
    Highest,
    Lowest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cue {
    /// An N-fold change; the factor is ≥ 1. `direction` when the word implies it
    /// ("doubled" up, "halved" down).
    Fold {
        factor: Magnitude,
        direction: Option<Direction>,
    },
    /// "by 40%", "by a third", "up 40%", "a 40 per cent increase". `direction` when
    /// the words imply it ("up", "down").
    PercentChange {
        percent: Magnitude,
        direction: Option<Direction>,
    },
    /// A fraction (0–1) of a total or of a baseline.
    Share {
        fraction: Magnitude,
        of: ShareOf,
    },
    Compare {
        kind: CompareKind,
    },
    Record {
        kind: RecordKind,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueMention {
    pub span: Span,
    #[serde(skip)]
    pub tok_start: usize,
    #[serde(skip)]
    pub tok_end: usize,
    pub cue: Cue,
}

fn fold_word(w: &str) -> Option<f64> {
    // "fivefold", "tenfold", "twofold".
    let stem = w.strip_suffix("fold")?;
    simple_number_word(stem)
}

/// A cue at `i`: (cue, end).
fn cue_at(toks: &[Token], i: usize) -> Option<(Cue, usize)> {
    let w = word(toks, i);
    // "fivefold"
    if let Some(n) = fold_word(w) {
        return Some((
            Cue::Fold {
                factor: fold(n),
                direction: None,
            },
            i + 1,
        ));
    }
    // "five-fold", "5-fold", "5 fold", "five times (more|higher|as …)".
    if let Some((n, e, _, vague)) = number_at(toks, i) {
        if !vague && n >= 1.5 {
            let e2 = if toks.get(e).is_some_and(|t| t.is_dash()) {
                e + 1
            } else {
                e
            };
            if word(toks, e2) == "fold" {
                return Some((
                    Cue::Fold {
                        factor: fold(n),
                        direction: None,
                    },
                    e2 + 1,
                ));
            }
            if word(toks, e) == "times" {
                let next = word(toks, e + 1);
                let dir = match next {
                    "more" | "higher" | "greater" | "larger" | "bigger" | "as" | "the" | "over" => {
                        Some(None)
                    }
                    "fewer" | "less" | "lower" | "smaller" => Some(Some(Direction::Decrease)),
                    _ => None,
                };
                if let Some(d) = dir {
                    return Some((
                        Cue::Fold {
                            factor: fold(n),
                            direction: d,
                        },
                        e + 1,
                    ));
                }
            }
        }
    }
    // "up 40%", "down 40 per cent".
    if w == "up" || w == "down" {
        if let Some((p, e, dec, _)) = number_at(toks, i + 1) {
            if let Some(e2) = any_seq(toks, e, &[&["%"], &["per", "cent"], &["percent"]]) {
                let direction = Some(if w == "up" {
                    Direction::Increase
                } else {
                    Direction::Decrease
                });
                return Some((
                    Cue::PercentChange {
                        percent: percent_change(p, dec),
                        direction,
                    },
                    e2,
                ));
            }
        }
    }
    // "a 40 per cent increase", "a 25% drop": the trend word follows and is read by the
    // trend finder.
    if let Some((p, e, dec, _)) = number_at(toks, i) {
        if let Some(e2) = any_seq(toks, e, &[&["%"], &["per", "cent"], &["percent"]]) {
            if matches!(
                word(toks, e2),
                "increase"
                    | "rise"
                    | "jump"
                    | "surge"
                    | "drop"
                    | "decline"
                    | "fall"
                    | "decrease"
                    | "reduction"
                    | "growth"
            ) {
                return Some((
                    Cue::PercentChange {
                        percent: percent_change(p, dec),
                        direction: None,
                    },
                    e2,
                ));
            }
        }
    }
    // Idioms that are not multipliers: "doubling down", "doubled down".
    if matches!(w, "doubled" | "doubling" | "double") && word(toks, i + 1) == "down" {
        return None;
    }
    let verbs: &[(&str, f64, Direction)] = &[
        ("doubled", 2.0, Direction::Increase),
        ("doubling", 2.0, Direction::Increase),
        ("tripled", 3.0, Direction::Increase),
        ("trebled", 3.0, Direction::Increase),
        ("tripling", 3.0, Direction::Increase),
        ("quadrupled", 4.0, Direction::Increase),
        ("halved", 2.0, Direction::Decrease),
        ("halving", 2.0, Direction::Decrease),
    ];
    for (v, n, d) in verbs {
        if w == *v {
            return Some((
                Cue::Fold {
                    factor: fold(*n),
                    direction: Some(*d),
                },
                i + 1,
            ));
        }
    }
    if let Some(e) = any_seq(toks, i, &[&["cut", "in", "half"], &["cut", "by", "half"]]) {
        return Some((
            Cue::Fold {
                factor: fold(2.0),
                direction: Some(Direction::Decrease),
            },
            e,
        ));
    }
    // "by 40%", "by 40 per cent", "by a third".
    if w == "by" {
        if let Some((p, e, dec, _)) = number_at(toks, i + 1) {
            if let Some(e2) = any_seq(toks, e, &[&["%"], &["per", "cent"], &["percent"]]) {
                return Some((
                    Cue::PercentChange {
                        percent: percent_change(p, dec),
                        direction: None,
                    },
                    e2,
                ));
            }
        }
        for (pat, f) in [
            (&["a", "third"][..], 1.0 / 3.0),
            (&["one", "third"][..], 1.0 / 3.0),
            (&["a", "quarter"][..], 0.25),
            (&["half"][..], 0.5),
            (&["two", "thirds"][..], 2.0 / 3.0),
        ] {
            if let Some(e) = seq(toks, i + 1, pat) {
                return Some((
                    Cue::PercentChange {
                        percent: fraction_change(f),
                        direction: None,
                    },
                    e,
                ));
            }
        }
    }
    // "to 18 per cent of previous levels", "less than 1 per cent of previous peaks".
    {
        let j = if w == "to" || w == "only" { i + 1 } else { i };
        let j = if word(toks, j) == "only" { j + 1 } else { j };
        let (hedge_end, hedge) = match any_seq(
            toks,
            j,
            &[
                &["less", "than"],
                &["fewer", "than"],
                &["more", "than"],
                &["nearly"],
                &["about"],
            ],
        ) {
            Some(e) => (e, word(toks, j)),
            None => (j, ""),
        };
        if let Some((p, e, dec, _)) = number_at(toks, hedge_end) {
            if let Some(e2) = any_seq(toks, e, &[&["%"], &["per", "cent"], &["percent"]]) {
                if word(toks, e2) == "of" {
                    let h = match hedge {
                        "less" | "fewer" => crate::tolerance::Hedge::LessThan,
                        "more" => crate::tolerance::Hedge::MoreThan,
                        "nearly" => crate::tolerance::Hedge::Nearly,
                        "about" => crate::tolerance::Hedge::About,
                        _ => crate::tolerance::Hedge::Exact,
                    };
                    let m = crate::tolerance::hedged(p, h, dec).scaled(0.01);
                    let baseline = (e2 + 1..(e2 + 4).min(toks.len())).any(|k| {
                        matches!(
                            word(toks, k),
                            "previous"
                                | "earlier"
                                | "former"
                                | "prior"
                                | "pre"
                                | "levels"
                                | "peaks"
                                | "peak"
                        )
                    });
                    let of = if baseline {
                        ShareOf::Baseline
                    } else {
                        ShareOf::Total
                    };
                    return Some((Cue::Share { fraction: m, of }, e2 + 1));
                }
            }
        }
    }
    // Share words: "more than half of", "the majority of", "a third of".
    for pat in [
        &["more", "than", "half"][..],
        &["over", "half"][..],
        &["less", "than", "half"][..],
        &["fewer", "than", "half"][..],
        &["the", "majority", "of"][..],
        &["a", "majority", "of"][..],
        &["two", "thirds"][..],
        &["three", "quarters"][..],
        &["a", "third"][..],
        &["one", "third"][..],
        &["a", "quarter"][..],
        &["half"][..],
    ] {
        if let Some(e) = seq(toks, i, pat) {
            let key = pat.join(" ");
            let needs_of = !key.ends_with("of");
            if needs_of && word(toks, e) != "of" {
                continue;
            }
            let fraction = share_word(&key)?;
            let end = if needs_of { e + 1 } else { e };
            return Some((
                Cue::Share {
                    fraction,
                    of: ShareOf::Total,
                },
                end,
            ));
        }
    }
    // Comparisons.
    match w {
        "surpassed" | "surpass" | "surpassing" | "exceeded" | "exceed" | "exceeding"
        | "overtook" | "overtaken" | "outpaced" | "outstripped" => {
            return Some((
                Cue::Compare {
                    kind: CompareKind::Exceeds,
                },
                i + 1,
            ));
        }
        "outnumbered" | "outnumber" | "outnumbering" => {
            return Some((
                Cue::Compare {
                    kind: CompareKind::Outnumbers,
                },
                i + 1,
            ));
        }
        _ => {}
    }
    // "more attacks than", "fewer deaths than".
    if matches!(w, "more" | "fewer" | "less") {
        if let Some((mk, _)) = crate::measure::measure_word(word(toks, i + 1)) {
            let _ = mk;
            if word(toks, i + 2) == "than" {
                let kind = if w == "more" {
                    CompareKind::Exceeds
                } else {
                    CompareKind::FallsBelow
                };
                return Some((Cue::Compare { kind }, i + 3));
            }
        }
    }
    // Records: "highest since", "the lowest level since", "a record high".
    if matches!(
        w,
        "highest" | "lowest" | "deadliest" | "worst" | "fewest" | "most"
    ) {
        let kind = if matches!(w, "lowest" | "fewest") {
            RecordKind::Lowest
        } else {
            RecordKind::Highest
        };
        for k in i + 1..(i + 5).min(toks.len()) {
            if matches!(word(toks, k), "since" | "ever" | "on") {
                if word(toks, k) == "on" && word(toks, k + 1) != "record" {
                    break;
                }
                return Some((Cue::Record { kind }, k));
            }
        }
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[&["record", "high"], &["all", "-", "time", "high"]],
    ) {
        return Some((
            Cue::Record {
                kind: RecordKind::Highest,
            },
            e,
        ));
    }
    if let Some(e) = any_seq(toks, i, &[&["record", "low"], &["all", "-", "time", "low"]]) {
        return Some((
            Cue::Record {
                kind: RecordKind::Lowest,
            },
            e,
        ));
    }
    if seq(toks, i, &["more"]).is_some()
        && word(toks, i + 1) == "than"
        && word(toks, i + 2) == "ever"
    {
        return Some((
            Cue::Record {
                kind: RecordKind::Highest,
            },
            i + 3,
        ));
    }
    if let Some(e) = any_seq(toks, i, &[&["more", "attacks", "than", "ever"]]) {
        return Some((
            Cue::Record {
                kind: RecordKind::Highest,
            },
            e,
        ));
    }
    None
}

/// Find multiplier, share, comparison and record cues.
pub fn find_cues(toks: &[Token], masked: &[bool]) -> Vec<CueMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if masked.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        // "launched more attacks than ever" beats "more attacks than".
        let ever = seq(toks, i, &["more"])
            .and_then(|_| crate::measure::measure_word(word(toks, i + 1)))
            .and_then(|_| seq(toks, i + 2, &["than", "ever"]));
        if let Some(e) = ever {
            out.push(CueMention {
                span: span_of(toks, i, e),
                tok_start: i,
                tok_end: e,
                cue: Cue::Record {
                    kind: RecordKind::Highest,
                },
            });
            i = e;
            continue;
        }
        if let Some((cue, e)) = cue_at(toks, i) {
            out.push(CueMention {
                span: span_of(toks, i, e),
                tok_start: i,
                tok_end: e,
                cue,
            });
            i = e.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Convenience: cues in `text`.
pub fn parse_cues(text: &str) -> Vec<CueMention> {
    let toks = tokenize(text);
    find_cues(&toks, &vec![false; toks.len()])
}
