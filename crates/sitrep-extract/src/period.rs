//! Time expressions resolved against the article date into half-open date intervals
//! `[start, end)` with a precision.
//!
//! Conventions (documented once, here):
//! * seasons are meteorological, northern hemisphere: spring = Mar–May, summer =
//!   Jun–Aug, autumn/fall = Sep–Nov, winter Y = Dec Y – Feb Y+1; a season with no year is
//!   the latest one that has started by the article date;
//! * "early / mid / late" split a year into Jan–Apr / May–Aug / Sep–Dec, a season into
//!   its first / second / third month, a month into days 1–10 / 11–20 / 21–end;
//!   "the early months of" and "the final months of" a year are early / late;
//! * open-ended expressions ("since October 2021", "the past six months", "this year")
//!   end at the article date (exclusive);
//! * a month name with no year is the latest such month that has started by the
//!   article date; month names must be capitalised ("May", not "may");
//! * named events ("the Taliban takeover" = 15 Aug 2021) come from a table the caller
//!   can extend ([`DateContext::with_event`]);
//! * "a year earlier" / "the same period last year" is not resolved here but returned
//!   as [`PeriodValue::ShiftOfPrevious`], to be applied to the sentence's first period.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::numbers::{is_year_token, number_at};
use crate::text::Span;
use crate::tokens::{any_seq, seq, span_of, tokenize, word, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Precision {
    Day,
    Month,
    Season,
    Quarter,
    Half,
    Year,
    /// Several whole years ("between 2019 and 2021", "the 1990s").
    Years,
    /// Fuzzy bounds: "early 2022", "the past few months", "the months following …".
    Approximate,
}

/// How the period relates to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Anchor {
    /// During the period ("in 2022", "spring 2022").
    In,
    /// From its start to the article date ("since October 2021").
    Since,
    /// By the end of it ("by mid-2022"): the period is when the state held.
    By,
    /// Up to it ("until June 2022").
    Until,
}

/// A resolved period `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub precision: Precision,
    pub anchor: Anchor,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate, precision: Precision) -> Self {
        Period {
            start,
            end,
            precision,
            anchor: Anchor::In,
        }
    }
    /// The same period shifted back by `months`.
    pub fn shifted_back(&self, months: u32) -> Option<Period> {
        Some(Period {
            start: self.start.checked_sub_months(Months::new(months))?,
            end: self.end.checked_sub_months(Months::new(months))?,
            precision: self.precision,
            anchor: Anchor::In,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PeriodValue {
    Resolved(Period),
    /// "a year earlier", "the same period last year": the sentence's other period
    /// shifted back by this many months.
    ShiftOfPrevious {
        months: u32,
    },
    /// A time expression that cannot be resolved ("since then", "in previous years").
    Unresolved {
        reason: String,
    },
}

/// A time expression found in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodMention {
    pub span: Span,
    #[serde(skip)]
    pub tok_start: usize,
    #[serde(skip)]
    pub tok_end: usize,
    pub value: PeriodValue,
}

impl PeriodMention {
    pub fn resolved(&self) -> Option<&Period> {
        match &self.value {
            PeriodValue::Resolved(p) => Some(p),
            _ => None,
        }
    }
}

/// A named event that time expressions can refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedEvent {
    /// Lowercase phrases, without a leading "the" and without possessive "'s".
    pub names: Vec<String>,
    pub date: NaiveDate,
}

/// What periods are resolved against: the article date and named events.
#[derive(Debug, Clone, PartialEq)]
pub struct DateContext {
    pub article_date: NaiveDate,
    pub events: Vec<NamedEvent>,
}

impl DateContext {
    /// A context with the bundled events (the Taliban takeover, 15 August 2021).
    pub fn new(article_date: NaiveDate) -> Self {
        let takeover = NaiveDate::from_ymd_opt(2021, 8, 15).unwrap_or(article_date);
        let names = [
            "taliban takeover of afghanistan",
            "taliban takeover of kabul",
            "taliban takeover",
            "takeover of kabul",
            "takeover",
            "fall of kabul",
            "taliban victory",
            "taliban rule",
            "taliban government",
            "taliban seizure of power",
            "taliban sweep to power",
            "taliban seized power",
            "taliban took power",
            "taliban took over",
            "taliban came to power",
            "taliban ascent to power",
            "taliban return to power",
            "former ascent to power",
            "they took power",
            "they seized power",
        ];
        DateContext {
            article_date,
            events: vec![NamedEvent {
                names: names.iter().map(|s| s.to_string()).collect(),
                date: takeover,
            }],
        }
    }
    /// Add a named event (phrases lowercase, without "the").
    pub fn with_event(mut self, names: &[&str], date: NaiveDate) -> Self {
        self.events.push(NamedEvent {
            names: names.iter().map(|s| s.to_lowercase()).collect(),
            date,
        });
        self
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// First day of month `m` (may be > 12 or < 1) of year `y`.
fn month_start(y: i32, m: i32) -> Option<NaiveDate> {
    let z = y * 12 + (m - 1);
    ymd(z.div_euclid(12), (z.rem_euclid(12) + 1) as u32, 1)
}

fn add_months(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_months(Months::new(n as u32))
    } else {
        d.checked_sub_months(Months::new((-n) as u32))
    }
}

fn month_number(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// Season → first month.
fn season_start(w: &str) -> Option<i32> {
    Some(match w {
        "spring" => 3,
        "summer" => 6,
        "autumn" | "fall" => 9,
        "winter" => 12,
        _ => return None,
    })
}

fn ordinal(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        _ => return None,
    })
}

fn year_at(toks: &[Token], i: usize) -> Option<i32> {
    let t = toks.get(i)?;
    if is_year_token(t) {
        // Not a quantity: "2000 attacks" is a count.
        t.lower.parse().ok()
    } else {
        None
    }
}

/// Skip one optional word.
fn opt(toks: &[Token], i: usize, w: &str) -> usize {
    if word(toks, i) == w {
        i + 1
    } else {
        i
    }
}

/// Skip an optional glued hyphen ("mid-2022").
fn opt_dash(toks: &[Token], i: usize) -> usize {
    if toks.get(i).is_some_and(|t| t.is_dash()) {
        i + 1
    } else {
        i
    }
}

struct Raw {
    start: NaiveDate,
    end: NaiveDate,
    precision: Precision,
}

fn raw(start: NaiveDate, end: NaiveDate, precision: Precision) -> Option<Raw> {
    Some(Raw {
        start,
        end,
        precision,
    })
}

/// A named event at `i`: (date, end index).
fn event_at(toks: &[Token], i: usize, ctx: &DateContext) -> Option<(NaiveDate, usize)> {
    let j = opt(toks, i, "the");
    let mut best: Option<(NaiveDate, usize)> = None;
    for ev in &ctx.events {
        for name in &ev.names {
            // Compare word by word without allocating.
            let mut e = j;
            let mut ok = true;
            for w in name.split(' ') {
                if toks.get(e).is_some_and(|t| t.lower == w) {
                    e += 1;
                } else {
                    ok = false;
                    break;
                }
            }
            if ok {
                // "takeover" alone needs "the" before it.
                if e == j + 1 && j == i {
                    continue;
                }
                if best.is_none_or(|(_, be)| e > be) {
                    best = Some((ev.date, e));
                }
            }
        }
    }
    best
}

/// Which third of a span: early = 0, mid = 1, late = 2.
fn third(w: &str) -> Option<i32> {
    Some(match w {
        "early" | "earlier" => 0,
        "mid" | "middle" => 1,
        "late" | "later" => 2,
        _ => return None,
    })
}

fn latest_start_by(article: NaiveDate, month: i32) -> Option<i32> {
    // The latest year Y such that month `month` of Y has started by the article date.
    let y = article.year();
    let this = month_start(y, month)?;
    Some(if this <= article { y } else { y - 1 })
}

/// A bare date expression at `i` (no "since"/"by"/"between").
fn date_expr(toks: &[Token], i: usize, ctx: &DateContext) -> Option<(Raw, usize)> {
    let art = ctx.article_date;
    let the = opt(toks, i, "the");
    let w0 = word(toks, the);

    // Quarters and halves: "the first quarter of 2022", "the second half of 2021".
    if let Some(n) = ordinal(w0) {
        let w1 = word(toks, the + 1);
        if (w1 == "quarter" || w1 == "half") && word(toks, the + 2) == "of" {
            if let Some(y) = year_at(toks, the + 3) {
                let (len, max, prec) = if w1 == "quarter" {
                    (3, 4, Precision::Quarter)
                } else {
                    (6, 2, Precision::Half)
                };
                if n <= max {
                    let s = month_start(y, 1 + (n as i32 - 1) * len)?;
                    return Some((raw(s, add_months(s, len)?, prec)?, the + 4));
                }
            }
        }
    }
    // "Q1 2022"
    if w0 == "q" {
        if let Some(t) = toks.get(the + 1) {
            if t.is_num() && !t.space_before {
                let q = t.num()? as i32;
                if (1..=4).contains(&q) {
                    if let Some(y) = year_at(toks, the + 2) {
                        let s = month_start(y, 1 + (q - 1) * 3)?;
                        return Some((raw(s, add_months(s, 3)?, Precision::Quarter)?, the + 3));
                    }
                }
            }
        }
    }
    // "the first ten months of Taliban rule", "the first six months of 2022",
    // "the last three months of 2021".
    if matches!(w0, "first" | "last" | "final") {
        if let Some((n, e, _, _)) = number_at(toks, the + 1) {
            let unit = word(toks, e);
            let months = match unit {
                "months" | "month" => Some(n as i32),
                "years" | "year" => Some(12 * n as i32),
                _ => None,
            };
            let weeks = matches!(unit, "weeks" | "week").then_some(n as i64);
            if word(toks, e + 1) == "of" {
                let (base_start, base_end, end_idx) = if let Some(y) = year_at(toks, e + 2) {
                    (ymd(y, 1, 1)?, ymd(y + 1, 1, 1)?, e + 3)
                } else if let Some((d, ee)) = event_at(toks, e + 2, ctx) {
                    (d, art, ee)
                } else {
                    return None;
                };
                let first = w0 == "first";
                let (s, en) = match (months, weeks) {
                    (Some(m), _) if first => (base_start, add_months(base_start, m)?),
                    (Some(m), _) => (add_months(base_end, -m)?, base_end),
                    (None, Some(wk)) if first => {
                        (base_start, base_start + chrono::Duration::weeks(wk))
                    }
                    (None, Some(wk)) => (base_end - chrono::Duration::weeks(wk), base_end),
                    _ => return None,
                };
                let prec = if months.is_some() && base_start.day() == 1 {
                    Precision::Month
                } else {
                    Precision::Day
                };
                return Some((raw(s, en, prec)?, end_idx));
            }
        }
    }
    // "the early months of 2022", "the final months of 2021", "the first months of".
    if let Some(th) = match w0 {
        "early" | "first" | "opening" => Some(0),
        "final" | "last" | "closing" | "late" | "latter" => Some(2),
        _ => None,
    } {
        if word(toks, the + 1) == "months" && word(toks, the + 2) == "of" {
            if let Some(y) = year_at(toks, the + 3) {
                let s = month_start(y, 1 + th * 4)?;
                return Some((raw(s, add_months(s, 4)?, Precision::Approximate)?, the + 4));
            }
        }
    }
    // "the months following the Taliban takeover", "the weeks after …".
    if matches!(w0, "months" | "weeks") && matches!(word(toks, the + 1), "following" | "after") {
        if let Some((d, e)) = event_at(toks, the + 2, ctx) {
            let en = if w0 == "months" {
                add_months(d, 3)?
            } else {
                d + chrono::Duration::weeks(3)
            };
            return Some((raw(d, en, Precision::Approximate)?, e));
        }
    }
    // early / mid / late + year, season or month.
    if let Some(th) = third(w0) {
        let j = opt_dash(toks, the + 1);
        if let Some(y) = year_at(toks, j) {
            let s = month_start(y, 1 + th * 4)?;
            return Some((raw(s, add_months(s, 4)?, Precision::Approximate)?, j + 1));
        }
        if let Some((r, e)) = season_or_month(toks, j, ctx) {
            let (s, en) = match r.precision {
                Precision::Season => {
                    let s = add_months(r.start, th)?;
                    (s, add_months(s, 1)?)
                }
                _ => {
                    let s = r.start + chrono::Duration::days(10 * th as i64);
                    let en = if th == 2 {
                        r.end
                    } else {
                        s + chrono::Duration::days(10)
                    };
                    (s, en)
                }
            };
            return Some((raw(s, en, Precision::Approximate)?, e));
        }
    }
    if let Some(r) = season_or_month(toks, the, ctx) {
        return Some(r);
    }
    // Day month year: "15 August 2021".
    if let Some(t) = toks.get(i) {
        if t.is_num() && t.lower.len() <= 2 {
            if let (Some(d), Some(m)) = (t.num(), toks.get(i + 1).and_then(month_tok)) {
                if let Some(y) = year_at(toks, i + 2) {
                    let s = ymd(y, m, d as u32)?;
                    return Some((raw(s, s.succ_opt()?, Precision::Day)?, i + 3));
                }
            }
        }
    }
    // Years, year ranges "2019-2020", "2001–2021", decades "the 1990s".
    if let Some(y) = year_at(toks, the) {
        if let Some(t) = toks.get(the + 1) {
            if t.is_word() && t.lower == "s" && !t.space_before {
                let s = ymd(y, 1, 1)?;
                return Some((raw(s, ymd(y + 10, 1, 1)?, Precision::Years)?, the + 2));
            }
            if t.is_dash() && !t.space_before {
                if let Some(y2) = year_at(toks, the + 2) {
                    if y2 > y {
                        return Some((
                            raw(ymd(y, 1, 1)?, ymd(y2 + 1, 1, 1)?, Precision::Years)?,
                            the + 3,
                        ));
                    }
                }
            }
        }
        return Some((
            raw(ymd(y, 1, 1)?, ymd(y + 1, 1, 1)?, Precision::Year)?,
            the + 1,
        ));
    }
    None
}

fn month_tok(t: &Token) -> Option<u32> {
    if t.is_word() && t.capital {
        month_number(&t.lower)
    } else {
        None
    }
}

/// Season or month with optional year: "spring 2022", "the spring of 2022",
/// "summer", "October 2021", "July 15 2022", "May".
fn season_or_month(toks: &[Token], i: usize, ctx: &DateContext) -> Option<(Raw, usize)> {
    let art = ctx.article_date;
    let i = opt(toks, i, "the");
    let w = word(toks, i);
    if let Some(sm) = season_start(w) {
        let j = opt(toks, i + 1, "of");
        let (y, e) = match year_at(toks, j) {
            Some(y) => (y, j + 1),
            None if w == "fall" => return None,
            None => (latest_start_by(art, sm)?, i + 1),
        };
        let s = month_start(y, sm)?;
        return Some((raw(s, add_months(s, 3)?, Precision::Season)?, e));
    }
    let m = toks.get(i).and_then(month_tok)?;
    // "July 15 2022" / "July 15, 2022"
    if let Some(t) = toks.get(i + 1) {
        if t.is_num() && t.lower.len() <= 2 {
            let j = if word(toks, i + 2) == "," {
                i + 3
            } else {
                i + 2
            };
            if let Some(y) = year_at(toks, j) {
                let s = ymd(y, m, t.num()? as u32)?;
                return Some((raw(s, s.succ_opt()?, Precision::Day)?, j + 1));
            }
        }
    }
    let j = opt(toks, i + 1, "of");
    let (y, e) = match year_at(toks, j) {
        Some(y) => (y, j + 1),
        None => {
            // "may" as a verb is lowercase; a sentence-initial "May" without a year is
            // too ambiguous.
            if i == 0 {
                return None;
            }
            (latest_start_by(art, m as i32)?, i + 1)
        }
    };
    let s = ymd(y, m, 1)?;
    Some((raw(s, add_months(s, 1)?, Precision::Month)?, e))
}

/// Relative expressions: "this year", "last month", "the past six months".
fn relative(toks: &[Token], i: usize, ctx: &DateContext) -> Option<(Raw, usize)> {
    let art = ctx.article_date;
    let y = art.year();
    let m = art.month() as i32;
    if let Some(e) = any_seq(
        toks,
        i,
        &[&["so", "far", "this", "year"], &["this", "year"]],
    ) {
        return Some((raw(ymd(y, 1, 1)?, art, Precision::Year)?, e));
    }
    if let Some(e) = any_seq(toks, i, &[&["last", "year"], &["the", "previous", "year"]]) {
        return Some((raw(ymd(y - 1, 1, 1)?, ymd(y, 1, 1)?, Precision::Year)?, e));
    }
    if let Some(e) = seq(toks, i, &["this", "month"]) {
        return Some((raw(month_start(y, m)?, art, Precision::Month)?, e));
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[&["last", "month"], &["the", "previous", "month"]],
    ) {
        return Some((
            raw(month_start(y, m - 1)?, month_start(y, m)?, Precision::Month)?,
            e,
        ));
    }
    if let Some(e) = any_seq(toks, i, &[&["last", "week"], &["the", "past", "week"]]) {
        return Some((
            raw(art - chrono::Duration::weeks(1), art, Precision::Day)?,
            e,
        ));
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[
            &["recent", "months"],
            &["the", "past", "few", "months"],
            &["the", "last", "few", "months"],
            &["past", "few", "months"],
        ],
    ) {
        return Some((raw(add_months(art, -3)?, art, Precision::Approximate)?, e));
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[
            &["recent", "weeks"],
            &["the", "past", "few", "weeks"],
            &["the", "last", "few", "weeks"],
        ],
    ) {
        return Some((
            raw(
                art - chrono::Duration::weeks(3),
                art,
                Precision::Approximate,
            )?,
            e,
        ));
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[&["the", "past", "year"], &["the", "last", "year"]],
    ) {
        return Some((raw(add_months(art, -12)?, art, Precision::Month)?, e));
    }
    // "the past six months", "the last 12 months", "the previous two years".
    let j = opt(toks, i, "the");
    if matches!(word(toks, j), "past" | "last" | "previous") {
        let (n, e, _, _) = number_at(toks, j + 1)?;
        let n = n as i32;
        let (s, prec) = match word(toks, e) {
            "months" | "month" => (add_months(art, -n)?, Precision::Month),
            "years" | "year" => (add_months(art, -12 * n)?, Precision::Month),
            "weeks" | "week" => (art - chrono::Duration::weeks(n as i64), Precision::Day),
            "days" | "day" => (art - chrono::Duration::days(n as i64), Precision::Day),
            _ => return None,
        };
        return Some((raw(s, art, prec)?, e + 1));
    }
    None
}

fn resolved(r: Raw, anchor: Anchor) -> PeriodValue {
    PeriodValue::Resolved(Period {
        start: r.start,
        end: r.end,
        precision: r.precision,
        anchor,
    })
}

/// Try every pattern at `i`.
fn parse_at(toks: &[Token], i: usize, ctx: &DateContext) -> Option<(PeriodValue, usize)> {
    let art = ctx.article_date;
    let w = word(toks, i);
    // Shifts of the sentence's other period.
    if let Some(e) = any_seq(
        toks,
        i,
        &[
            &["the", "same", "period", "a", "year", "earlier"],
            &["the", "same", "period", "a", "year", "before"],
            &["the", "same", "period", "last", "year"],
            &["the", "same", "period", "of", "the", "previous", "year"],
            &["a", "year", "earlier"],
            &["a", "year", "before"],
            &["a", "year", "ago"],
        ],
    ) {
        return Some((PeriodValue::ShiftOfPrevious { months: 12 }, e));
    }
    if let Some(e) = any_seq(
        toks,
        i,
        &[
            &["since", "then"],
            &["at", "the", "time"],
            &["in", "previous", "years"],
            &["in", "recent", "years"],
        ],
    ) {
        return Some((
            PeriodValue::Unresolved {
                reason: "refers to a time the sentence does not name".into(),
            },
            e,
        ));
    }
    match w {
        "since" | "after" | "following" => {
            // Named events only count after these words: "attacks on the Taliban
            // government" is not a date.
            let (r, e) = date_expr(toks, i + 1, ctx).or_else(|| {
                let (d, e) = event_at(toks, i + 1, ctx)?;
                Some((raw(d, d.succ_opt()?, Precision::Day)?, e))
            })?;
            if r.start >= art {
                return None;
            }
            return Some((resolved(raw(r.start, art, r.precision)?, Anchor::Since), e));
        }
        "between" | "from" => {
            let (a, e) = date_expr(toks, i + 1, ctx)?;
            let sep = any_seq(
                toks,
                e,
                &[
                    &["and"],
                    &["to"],
                    &["until"],
                    &["through"],
                    &["-"],
                    &["\u{2013}"],
                ],
            );
            if let Some(s2) = sep {
                if (w == "between") == (word(toks, e) == "and") {
                    if let Some((b, e2)) = date_expr(toks, s2, ctx) {
                        if b.end <= a.start {
                            // "from March 2021 to June 2020": no period to check.
                            return Some((
                                PeriodValue::Unresolved {
                                    reason: "the range ends before it begins".into(),
                                },
                                e2,
                            ));
                        }
                        let prec = if a.precision == b.precision {
                            match a.precision {
                                Precision::Year => Precision::Years,
                                p => p,
                            }
                        } else {
                            Precision::Approximate
                        };
                        return Some((resolved(raw(a.start, b.end, prec)?, Anchor::In), e2));
                    }
                }
            }
            if w == "from" {
                // "from October 2021" alone: open-ended.
                return Some((
                    resolved(raw(a.start, art.max(a.end), a.precision)?, Anchor::Since),
                    e,
                ));
            }
            return None;
        }
        "by" | "until" | "till" | "through" | "throughout" => {
            let (r, e) = date_expr(toks, i + 1, ctx)?;
            let anchor = match w {
                "by" => Anchor::By,
                "throughout" => Anchor::In,
                _ => Anchor::Until,
            };
            return Some((resolved(r, anchor), e));
        }
        _ => {}
    }
    // Skip prepositions that add nothing.
    let j = if matches!(
        w,
        "in" | "during" | "over" | "for" | "into" | "on" | "of" | "within"
    ) {
        i + 1
    } else {
        i
    };
    if let Some((r, e)) = date_expr(toks, j, ctx) {
        return Some((resolved(r, Anchor::In), e));
    }
    if let Some((r, e)) = relative(toks, j, ctx) {
        return Some((resolved(r, Anchor::In), e));
    }
    None
}

/// Find time expressions in a tokenized sentence.
pub fn find_periods(toks: &[Token], ctx: &DateContext) -> Vec<PeriodMention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some((value, e)) = parse_at(toks, i, ctx) {
            if e > i {
                out.push(PeriodMention {
                    span: span_of(toks, i, e),
                    tok_start: i,
                    tok_end: e,
                    value,
                });
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Convenience: the first time expression in `text`.
pub fn parse_period(text: &str, article_date: NaiveDate) -> Option<PeriodValue> {
    let toks = tokenize(text);
    find_periods(&toks, &DateContext::new(article_date))
        .into_iter()
        .next()
        .map(|m| m.value)
}
