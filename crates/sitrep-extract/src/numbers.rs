//! Numbers: digits with separators, number words, vague quantity words, hedges,
//! ranges and percentages. Works on tokens, so only whole words are read.

use serde::Serialize;

use crate::text::Span;
use crate::tokens::{any_seq, seq, span_of, tokenize, word, Token};
use crate::tolerance::{hedged, Hedge, Magnitude};

/// A number found in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberMention {
    /// Span of the whole expression (hedge included) in the sentence.
    pub span: Span,
    #[serde(skip)]
    pub tok_start: usize,
    #[serde(skip)]
    pub tok_end: usize,
    /// Index of the token where the number itself starts (after the hedge).
    #[serde(skip)]
    pub num_start: usize,
    /// The value as written (the lower end of a range).
    pub value: f64,
    /// The upper end of a range ("between 10 and 20", "10–20").
    pub range_hi: Option<f64>,
    pub hedge: Hedge,
    /// Followed by "%", "per cent" or "percent".
    pub percent: bool,
    /// The interval the text commits to (see [`crate::tolerance`]).
    pub magnitude: Magnitude,
}

fn unit_value(w: &str) -> Option<f64> {
    Some(match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        _ => return None,
    })
}

fn tens_value(w: &str) -> Option<f64> {
    Some(match w {
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

fn scale_value(w: &str) -> Option<f64> {
    Some(match w {
        "thousand" => 1e3,
        "million" => 1e6,
        "billion" => 1e9,
        _ => return None,
    })
}

/// A word that is a number on its own ("five", "twenty", "dozen"), for multiplier parsing.
pub fn simple_number_word(w: &str) -> Option<f64> {
    unit_value(w).or_else(|| tens_value(w)).or(match w {
        "hundred" => Some(100.0),
        "dozen" => Some(12.0),
        _ => None,
    })
}

/// Parse a cardinal number (digits or words) at `i`: (value, end index, decimals, vague).
pub fn number_at(toks: &[Token], i: usize) -> Option<(f64, usize, usize, bool)> {
    let t = toks.get(i)?;
    if t.is_num() {
        let v = t.num()?;
        let decimals = t.lower.split('.').nth(1).map(|d| d.len()).unwrap_or(0);
        // Glued letters ("1st", "1990s", "F16") make it something else.
        if let Some(n) = toks.get(i + 1) {
            if n.is_word() && !n.space_before {
                return None;
            }
        }
        if i > 0 && toks[i - 1].is_word() && !t.space_before {
            return None;
        }
        let mut end = i + 1;
        let mut v = v;
        if let Some(s) = scale_value(word(toks, end)) {
            v *= s;
            end += 1;
        } else if word(toks, end) == "hundred" {
            v *= 100.0;
            end += 1;
        }
        return Some((v, end, if end > i + 1 { 0 } else { decimals }, false));
    }
    if !t.is_word() {
        return None;
    }
    // Vague quantity words.
    let vague: &[(&[&str], f64)] = &[
        (&["hundreds", "of", "thousands", "of"], 200_000.0),
        (&["tens", "of", "thousands", "of"], 20_000.0),
        (&["hundreds", "of"], 200.0),
        (&["thousands", "of"], 2_000.0),
        (&["millions", "of"], 2_000_000.0),
        (&["dozens", "of"], 24.0),
        (&["scores", "of"], 40.0),
        (&["a", "handful", "of"], 6.0),
        (&["a", "few"], 2.0),
        (&["several"], 3.0),
    ];
    for (pat, v) in vague {
        if let Some(end) = seq(toks, i, pat) {
            // "of" is consumed so the unit follows directly.
            return Some((*v, end, 0, true));
        }
    }
    // "a dozen", "half a dozen", "a hundred", "a thousand".
    if let Some(end) = seq(toks, i, &["half", "a", "dozen"]) {
        return Some((6.0, end, 0, false));
    }
    if t.lower == "a" {
        match word(toks, i + 1) {
            "dozen" => return Some((12.0, i + 2, 0, false)),
            "hundred" | "thousand" | "million" => {
                let (v, end, _, _) = number_words(toks, i + 1)?;
                return Some((v, end, 0, false));
            }
            _ => return None,
        }
    }
    number_words(toks, i)
}

/// Number words: "twenty-three", "two hundred and fifty", "three thousand", "two dozen".
fn number_words(toks: &[Token], i: usize) -> Option<(f64, usize, usize, bool)> {
    let mut total = 0.0;
    let mut current = 0.0;
    let mut j = i;
    let mut any = false;
    let mut seen_scale = false;
    loop {
        let w = word(toks, j);
        if let Some(v) = unit_value(w) {
            if any && current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
        } else if let Some(v) = tens_value(w) {
            if any && current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
            // "twenty-three": hyphen glued on both sides.
            if toks.get(j).is_some_and(|t| t.is_dash() && !t.space_before)
                && toks.get(j + 1).is_some_and(|t| !t.space_before)
            {
                if let Some(u) = unit_value(word(toks, j + 1)) {
                    if u < 10.0 {
                        current += u;
                        j += 2;
                    }
                }
            }
        } else if w == "hundred" && any {
            current = if current == 0.0 {
                100.0
            } else {
                current * 100.0
            };
            j += 1;
            seen_scale = true;
        } else if w == "dozen" && any {
            current *= 12.0;
            j += 1;
            break;
        } else if let Some(s) = scale_value(w).filter(|_| any) {
            total += if current == 0.0 { 1.0 } else { current } * s;
            current = 0.0;
            j += 1;
            seen_scale = true;
        } else if w == "and" && seen_scale && any {
            let nw = word(toks, j + 1);
            if unit_value(nw).is_some() || tens_value(nw).is_some() {
                j += 1;
                continue;
            }
            break;
        } else {
            break;
        }
        any = true;
    }
    if !any {
        return None;
    }
    Some((total + current, j, 0, false))
}

/// Hedge words before a number: (hedge, number of tokens).
fn hedge_before(toks: &[Token], i: usize) -> Option<(Hedge, usize)> {
    let table: &[(&[&str], Hedge)] = &[
        (&["no", "fewer", "than"], Hedge::AtLeast),
        (&["no", "less", "than"], Hedge::AtLeast),
        (&["in", "excess", "of"], Hedge::MoreThan),
        (&["upwards", "of"], Hedge::MoreThan),
        (&["more", "than"], Hedge::MoreThan),
        (&["greater", "than"], Hedge::MoreThan),
        (&["just", "over"], Hedge::MoreThan),
        (&["well", "over"], Hedge::MoreThan),
        (&["over"], Hedge::MoreThan),
        (&["above"], Hedge::MoreThan),
        (&["exceeding"], Hedge::MoreThan),
        (&["at", "least"], Hedge::AtLeast),
        (&["a", "minimum", "of"], Hedge::AtLeast),
        (&["up", "to"], Hedge::UpTo),
        (&["as", "many", "as"], Hedge::UpTo),
        (&["at", "most"], Hedge::UpTo),
        (&["just", "under"], Hedge::Nearly),
        (&["close", "to"], Hedge::Nearly),
        (&["nearly"], Hedge::Nearly),
        (&["almost"], Hedge::Nearly),
        (&["less", "than"], Hedge::LessThan),
        (&["fewer", "than"], Hedge::LessThan),
        (&["under"], Hedge::LessThan),
        (&["below"], Hedge::LessThan),
        (&["an", "estimated"], Hedge::About),
        (&["estimated"], Hedge::About),
        (&["approximately"], Hedge::About),
        (&["roughly"], Hedge::About),
        (&["around"], Hedge::About),
        (&["about"], Hedge::About),
        (&["some"], Hedge::About),
        (&["circa"], Hedge::About),
        (&["~"], Hedge::About),
    ];
    for (pat, h) in table {
        if let Some(end) = seq(toks, i, pat) {
            return Some((*h, end - i));
        }
    }
    None
}

/// Tokens that make the following number a reference, not a quantity.
const REFERENCE_WORDS: &[&str] = &[
    "figure",
    "fig",
    "figs",
    "no",
    "nos",
    "number",
    "resolution",
    "article",
    "section",
    "chapter",
    "page",
    "pages",
    "p",
    "pp",
    "table",
    "paragraph",
    "para",
    "annex",
    "map",
    "chart",
    "footnote",
    "note",
    "vol",
    "volume",
    "phase",
    "level",
    "tier",
    "box",
    "appendix",
    "item",
    "point",
    "clause",
    "protocol",
    "decree",
    "law",
    "route",
    "highway",
    "district",
];

/// Whether the number token at `i` is a reference ("No. 5", "Figure 2", "Resolution 2593").
pub fn is_reference(toks: &[Token], i: usize) -> bool {
    let mut j = i;
    if j > 0 && toks[j - 1].lower == "." {
        j -= 1;
    }
    j > 0 && toks[j - 1].is_word() && REFERENCE_WORDS.contains(&toks[j - 1].lower.as_str())
}

/// Whether the integer token at `i` looks like a year (1900–2100, no separators).
pub fn is_year_token(t: &Token) -> bool {
    t.is_num()
        && t.lower.len() == 4
        && t.lower.bytes().all(|b| b.is_ascii_digit())
        && (1900..=2100).contains(&t.lower.parse::<u32>().unwrap_or(0))
}

/// Find numbers in tokens. `masked[i]` marks tokens already claimed by another parser
/// (periods); years, references and glued ordinals are never numbers here.
pub fn find_numbers(toks: &[Token], masked: &[bool]) -> Vec<NumberMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if masked.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        let (hedge, hlen) = hedge_before(toks, i).unwrap_or((Hedge::Exact, 0));
        // "between 10 and 20"
        let between = seq(toks, i + hlen, &["between"]).is_some();
        let ns = i + hlen + usize::from(between);
        let Some((v, mut end, decimals, vague)) = number_at(toks, ns) else {
            i += 1;
            continue;
        };
        if masked.get(ns).copied().unwrap_or(false)
            || (toks[ns].is_num() && (is_year_token(&toks[ns]) || is_reference(toks, ns)))
        {
            i = ns.max(i) + 1;
            continue;
        }
        // Bare "some"/"over"/"under" are only hedges if a number follows, which it does here.
        let mut range_hi = None;
        let sep: &[&[&str]] = if between {
            &[&["and"]]
        } else {
            &[&["to"], &["-"], &["\u{2013}"], &["and"]]
        };
        if let Some(after_sep) = any_seq(toks, end, sep) {
            let is_and = toks[end].lower == "and";
            if !is_and || between {
                if let Some((v2, e2, _, _)) = number_at(toks, after_sep) {
                    if v2 > v && !masked.get(after_sep).copied().unwrap_or(false) {
                        range_hi = Some(v2);
                        end = e2;
                    }
                }
            }
        }
        if between && range_hi.is_none() {
            i += 1;
            continue;
        }
        let mut hedge = if vague { Hedge::Vague } else { hedge };
        // Postfix hedges: "a dozen or more", "50 or so", "50-plus".
        if let Some(e) = seq(toks, end, &["or", "more"]) {
            hedge = Hedge::AtLeast;
            end = e;
        } else if let Some(e) = seq(toks, end, &["or", "so"]) {
            hedge = Hedge::About;
            end = e;
        } else if let Some(e) = any_seq(toks, end, &[&["+"], &["-", "plus"], &["plus"]]) {
            if toks[end].lower != "plus" || !toks[end].space_before {
                hedge = Hedge::AtLeast;
                end = e;
            }
        }
        let mut percent = false;
        if let Some(e) = any_seq(
            toks,
            end,
            &[&["%"], &["per", "cent"], &["percent"], &["pc"]],
        ) {
            percent = true;
            end = e;
        }
        let magnitude = match range_hi {
            Some(hi) => Magnitude::between((v + hi) / 2.0, v, hi),
            None => hedged(v, hedge, decimals),
        };
        out.push(NumberMention {
            span: span_of(toks, i, end),
            tok_start: i,
            tok_end: end,
            num_start: ns,
            value: v,
            range_hi,
            hedge,
            percent,
            magnitude,
        });
        i = end;
    }
    out
}

/// Convenience for tests and callers: all numbers in a piece of text, with years,
/// references and ordinals excluded.
pub fn parse_numbers(text: &str) -> Vec<NumberMention> {
    let toks = tokenize(text);
    find_numbers(&toks, &vec![false; toks.len()])
}
