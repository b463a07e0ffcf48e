//! Trend words with direction and strength, and negation ("did not rise", "no longer").

use serde::Serialize;

use crate::text::Span;
use crate::tokens::{any_seq, span_of, tokenize, word, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    Increase,
    Decrease,
    Stable,
    /// A negated increase: "did not rise", "no longer rising".
    NotIncrease,
    /// A negated decrease: "has not fallen".
    NotDecrease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Strength {
    Weak,
    Moderate,
    Strong,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendMention {
    pub span: Span,
    #[serde(skip)]
    pub tok_start: usize,
    #[serde(skip)]
    pub tok_end: usize,
    pub direction: Direction,
    pub strength: Strength,
    pub negated: bool,
}

/// Single trend words: (direction, inherent strength).
fn trend_word(w: &str) -> Option<(Direction, Option<Strength>)> {
    use Direction::*;
    use Strength::*;
    Some(match w {
        "rise" | "rises" | "rose" | "risen" | "rising" | "increase" | "increased" | "increases"
        | "increasing" | "increasingly" | "grow" | "grew" | "grown" | "growing" | "grows"
        | "climb" | "climbed" | "climbing" | "mounting" | "mounted" | "intensified"
        | "intensify" | "intensifying" | "escalate" | "escalated" | "escalating" | "escalation"
        | "upward" | "upwards" | "expanded" | "heightened" => (Increase, None),
        "surge" | "surged" | "surging" | "soared" | "soar" | "soaring" | "spike" | "spiked"
        | "spiking" | "jumped" | "jump" | "skyrocketed" | "upsurge" | "exploded" => {
            (Increase, Some(Strong))
        }
        "uptick" | "upticks" => (Increase, Some(Weak)),
        "fall" | "falls" | "fell" | "fallen" | "falling" | "drop" | "dropped" | "drops"
        | "dropping" | "decline" | "declined" | "declines" | "declining" | "decrease"
        | "decreased" | "decreases" | "decreasing" | "diminish" | "diminished" | "diminishing"
        | "reduced" | "reduction" | "subsided" | "subside" | "eased" | "slowdown" | "downward"
        | "downturn" | "waned" | "waning" | "receded" => (Decrease, None),
        "dwindle" | "dwindled" | "dwindling" => (Decrease, Some(Weak)),
        "plummeted" | "plunged" | "slumped" | "plummet" | "plunge" => (Decrease, Some(Strong)),
        "stable" | "steady" | "unchanged" | "flat" | "plateaued" | "stabilised" | "stabilized" => {
            (Stable, None)
        }
        _ => return None,
    })
}

fn strength_word(w: &str) -> Option<Strength> {
    use Strength::*;
    Some(match w {
        "rapidly" | "rapid" | "sharply" | "sharp" | "dramatically" | "dramatic"
        | "significantly" | "significant" | "steeply" | "steep" | "substantially"
        | "substantial" | "considerably" | "considerable" | "markedly" | "marked" | "massively"
        | "drastically" | "precipitously" | "quickly" | "fast" => Strong,
        "slowly" | "slow" | "slightly" | "slight" | "modestly" | "modest" | "gradually"
        | "gradual" | "marginally" | "marginal" | "somewhat" | "little" | "moderately" => Weak,
        _ => return None,
    })
}

/// Words after "grow" that make it a change of state: "grown accustomed", "grew harder".
const NOT_AMOUNTS: &[&str] = &[
    "accustomed",
    "used",
    "harder",
    "easier",
    "tired",
    "weary",
    "up",
    "older",
    "closer",
    "apart",
    "frustrated",
    "wary",
    "suspicious",
    "impatient",
    "worried",
    "concerned",
];

const NEGATIONS: &[&[&str]] = &[
    &["no", "longer"],
    &["not"],
    &["never"],
    &["didnt"],
    &["hasnt"],
    &["havent"],
    &["hadnt"],
    &["wasnt"],
    &["werent"],
    &["isnt"],
    &["arent"],
    &["doesnt"],
    &["dont"],
    &["failed", "to"],
];

/// Find trend words. `masked[i]` marks tokens claimed by other parsers ("the fall of Kabul").
pub fn find_trends(toks: &[Token], masked: &[bool]) -> Vec<TrendMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if masked.get(i).copied().unwrap_or(false) || !toks[i].is_word() {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut end = i + 1;
        let found = if let Some(e) = any_seq(
            toks,
            i,
            &[
                &["drop", "-", "off"],
                &["ramped", "up"],
                &["picked", "up"],
                &["stepped", "up"],
                &["on", "the", "rise"],
                &["on", "the", "increase"],
                &["on", "the", "decline"],
                &["levelled", "off"],
                &["leveled", "off"],
                &["held", "steady"],
                &["remained", "stable"],
                &["remained", "steady"],
                &["remained", "flat"],
                &["remained", "unchanged"],
                &["remained", "constant"],
                &["trending", "upward"],
                &["tick", "up"],
                &["ticked", "up"],
                &["ticking", "up"],
                &["trending", "downward"],
                &["tapered", "off"],
            ],
        ) {
            end = e;
            let phrase: Vec<&str> = (i..e).map(|k| toks[k].lower.as_str()).collect();
            match phrase.as_slice() {
                ["drop", ..]
                | [_, "the", "decline"]
                | ["trending", "downward"]
                | ["tapered", ..] => Some((Direction::Decrease, None)),
                ["ramped", ..]
                | ["picked", ..]
                | ["stepped", ..]
                | [_, "the", "rise"]
                | [_, "the", "increase"]
                | ["trending", "upward"] => Some((Direction::Increase, None)),
                [_, "up"] => Some((Direction::Increase, Some(Strength::Weak))),
                _ => Some((Direction::Stable, None)),
            }
        } else {
            trend_word(&toks[i].lower)
        };
        // "fall" as a noun of place/event ("the fall of Kabul") is masked by periods;
        // "trends" / "trend" are nouns without direction and are not listed.
        let Some((mut dir, inherent)) = found else {
            i += 1;
            continue;
        };
        // "had grown accustomed", "grew harder": a change of state, not of a count.
        if matches!(
            toks[i].lower.as_str(),
            "grow" | "grew" | "grown" | "growing" | "grows"
        ) && NOT_AMOUNTS.contains(&word(toks, i + 1))
        {
            i += 1;
            continue;
        }
        // "a sharp decline", "rising rapidly", "slowly dwindled".
        let mut strength = inherent;
        for k in [i.wrapping_sub(1), i.wrapping_sub(2), end, end + 1] {
            if k >= toks.len() || (k >= i && k < end) {
                continue;
            }
            if let Some(s) = strength_word(word(toks, k)) {
                // Do not reach across another trend word.
                let lo = k.min(i);
                let hi = k.max(end);
                if (lo..hi)
                    .all(|m| m == k || (m >= i && m < end) || trend_word(word(toks, m)).is_none())
                {
                    strength = Some(match (strength, s) {
                        (Some(Strength::Strong), _) => Strength::Strong,
                        (_, s) => s,
                    });
                    if k < i {
                        start = start.min(k);
                    } else {
                        end = end.max(k + 1);
                    }
                    break;
                }
            }
        }
        // Negation within three tokens before: "did not rise", "no longer rising".
        let mut negated = false;
        let from = i.saturating_sub(3);
        for k in from..i {
            if any_seq(toks, k, NEGATIONS).is_some_and(|e| e <= i) {
                negated = true;
                start = start.min(k);
                break;
            }
        }
        if negated {
            dir = match dir {
                Direction::Increase => Direction::NotIncrease,
                Direction::Decrease => Direction::NotDecrease,
                d => d,
            };
        }
        out.push(TrendMention {
            span: span_of(toks, start, end),
            tok_start: start,
            tok_end: end,
            direction: dir,
            strength: strength.unwrap_or(Strength::Moderate),
            negated,
        });
        i = end;
    }
    out
}

/// Convenience: trend words in `text`.
pub fn parse_trends(text: &str) -> Vec<TrendMention> {
    let toks = tokenize(text);
    find_trends(&toks, &vec![false; toks.len()])
}
