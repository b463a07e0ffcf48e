//! One assertion candidate → one [`ClaimCheck`]: the queries (with variants), the
//! numbers, the verdict by [`crate::rules`], the coverage, the record ids and a small
//! figure's data.

use crate::country_year;
use crate::query::{self, QueryRef};
use crate::rules::{self, ClaimKind, Outcome, Verdict};
use crate::CheckError;
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use sitrep_analysis::{Analysis, AnalysisError, SeriesQuery};
use sitrep_extract::compare::{CompareKind, RecordKind, ShareOf};
use sitrep_extract::measure::{MeasureKind, Per};
use sitrep_extract::{AssertionCandidate, Direction, Magnitude, Relation, Strength};
use sitrep_model::coverage::BucketCoverage;
use sitrep_model::figure::{Bucket, Filters, Measure, Period};
use sitrep_resolve::Gazetteer;

/// What the checker needs besides the text.
pub struct Ctx<'a> {
    /// The series engine over the store.
    pub analysis: &'a Analysis,
    /// For regions and places.
    pub gazetteer: &'a Gazetteer,
    /// The store's sources (for per-source judgements).
    pub sources: Vec<String>,
    /// The theatre.
    pub country: &'a str,
    /// The article's date (a trend claim without a period is read against it).
    pub article_date: NaiveDate,
}

/// The window a trend claim without a period is read as being about: the
/// [`sitrep_extract::tolerance::DEFAULT_TREND_MONTHS`] months before the article date
/// (ending the day before it).
pub fn default_trend_window(article_date: NaiveDate) -> Option<Period> {
    let to = article_date.pred_opt()?;
    let from = article_date.checked_sub_months(chrono::Months::new(
        sitrep_extract::tolerance::DEFAULT_TREND_MONTHS,
    ))?;
    Period::new(from, to)
}

/// A number the data gave, with its 95 % interval when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// The value compared with the claim (a ratio new/old, a count, a rate).
    pub value: f64,
    /// Lower end of its 95 % interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    /// Upper end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// For people.
    pub text: String,
}

/// One query variant and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantResult {
    /// Which variant: "as written", "boundaries 1 month earlier", "battle only" …
    pub label: String,
    /// Its number, when the data could give one.
    pub value: Option<f64>,
    /// For people (or why it has no number).
    pub text: String,
    /// What it says about the claim; `None` when it could not be computed.
    pub outcome: Option<Outcome>,
}

impl VariantResult {
    /// A variant the data could not give a number for, and why.
    fn unmeasured(label: String, why: String) -> VariantResult {
        VariantResult {
            label,
            value: None,
            text: why,
            outcome: None,
        }
    }
}

/// The claim judged on one source alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceResult {
    /// Source name (or the basis, for country-year totals).
    pub source: String,
    /// Its number.
    pub value: f64,
    /// Its verdict alone.
    pub verdict: Verdict,
}

/// Record ids behind the numbers: how many, and the first few.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Records {
    /// Distinct records counted.
    pub count: usize,
    /// The first (sorted) ids; each is a page at `/incidents/{id}`.
    pub sample: Vec<String>,
}

/// A small figure: weekly values of the claim's selection with its periods shaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// `week` or `month`.
    pub bucket: &'static str,
    /// Bucket starts.
    pub starts: Vec<NaiveDate>,
    /// One line per selection (a comparison has two).
    pub lines: Vec<FigureLine>,
    /// Periods to shade: A (and B).
    pub shaded: Vec<(String, Period)>,
}

/// One line of a [`Figure`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureLine {
    /// Label.
    pub label: String,
    /// Values; `None` where no source covers.
    pub values: Vec<Option<f64>>,
}

/// One checked claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimCheck {
    /// The words that carry the claim.
    pub claim: String,
    /// `change`, `percent_change`, `level`, `direction`, `share`, `comparison`, `record`.
    pub kind: &'static str,
    /// What the text commits to, for people ("fell 4–6-fold (new/old 0.167–0.25)").
    pub claimed: String,
    /// The verdict.
    pub verdict: Verdict,
    /// One sentence saying why.
    pub why: String,
    /// What is counted: `incidents` or `fatalities_best`.
    pub measure: &'static str,
    /// The period the claim is about.
    pub period_a: Option<Period>,
    /// The period it is compared with.
    pub period_b: Option<Period>,
    /// The interval of the claimed value, when it is one (bounds inclusive; `None` open).
    pub claimed_interval: Option<(Option<f64>, Option<f64>)>,
    /// The data's number for the claim as written.
    pub measured: Option<Measured>,
    /// What the verdict rests on: the store's sources, or the UCDP country-year totals.
    pub basis: String,
    /// How the periods are covered.
    pub coverage: Vec<String>,
    /// Honesty checks that fired.
    pub flags: Vec<String>,
    /// Every query variant.
    pub variants: Vec<VariantResult>,
    /// Per-source results, where two or more sources cover the period.
    pub sources: Vec<SourceResult>,
    /// The query as written, to re-run.
    pub query: Option<QueryRef>,
    /// Records behind the numbers.
    pub records: Option<Records>,
    /// Data for a small figure.
    pub figure: Option<Figure>,
}

impl ClaimCheck {
    fn new(c: &AssertionCandidate, sentence: &str) -> ClaimCheck {
        let claim = sentence
            .get(c.cue.start..c.cue.end)
            .unwrap_or(sentence)
            .to_string();
        ClaimCheck {
            claim,
            kind: kind(&c.relation),
            claimed: claimed_text(c),
            verdict: Verdict::NotEnoughData,
            why: String::new(),
            measure: "incidents",
            period_a: c.period_a.as_ref().and_then(query::inclusive),
            period_b: c.period_b.as_ref().and_then(query::inclusive),
            claimed_interval: interval(&c.relation),
            measured: None,
            basis: String::new(),
            coverage: Vec::new(),
            flags: Vec::new(),
            variants: Vec::new(),
            sources: Vec::new(),
            query: None,
            records: None,
            figure: None,
        }
    }

    fn no_data(mut self, why: impl Into<String>) -> ClaimCheck {
        self.verdict = Verdict::NotEnoughData;
        self.why = why.into();
        self
    }
}

/// The relation's kind as a word.
pub fn kind(r: &Relation) -> &'static str {
    match r {
        Relation::Level { .. } => "level",
        Relation::Change { .. } => "change",
        Relation::PercentChange { .. } => "percent_change",
        Relation::Direction { .. } => "direction",
        Relation::Share { .. } => "share",
        Relation::Comparison { .. } => "comparison",
        Relation::Record { .. } => "record",
    }
}

fn interval(r: &Relation) -> Option<(Option<f64>, Option<f64>)> {
    match r {
        Relation::Level { value } => Some((value.lo, value.hi)),
        Relation::Share {
            fraction,
            of: ShareOf::Total,
        } => Some((fraction.lo, fraction.hi)),
        _ => r.new_over_old().map(|(l, h)| (Some(l), Some(h))),
    }
}

/// A number for people: 3 significant digits, thousands separated.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "n/a".into()
        } else {
            "∞".into()
        };
    }
    let a = x.abs();
    if x.fract() == 0.0 && a < 1000.0 {
        return format!("{x:.0}");
    }
    let s = if a >= 1000.0 {
        let n = x.round() as i64;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    s
}

fn magnitude_text(m: &Magnitude) -> String {
    match (m.lo, m.hi) {
        (Some(l), Some(h)) if (l - h).abs() < 1e-12 => fmt(l),
        (Some(l), Some(h)) => format!("{}–{}", fmt(l), fmt(h)),
        (Some(l), None) => format!("≥ {}", fmt(l)),
        (None, Some(h)) => format!("≤ {}", fmt(h)),
        (None, None) => "any".into(),
    }
}

fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Increase => "rose",
        Direction::Decrease => "fell",
        Direction::Stable => "stayed stable",
        Direction::NotIncrease => "did not rise",
        Direction::NotDecrease => "did not fall",
    }
}

fn claimed_text(c: &AssertionCandidate) -> String {
    match &c.relation {
        Relation::Level { value } => {
            let per = match c.measure.per {
                Some(Per::Day) => " per day",
                Some(Per::Week) => " per week",
                Some(Per::Month) => " per month",
                Some(Per::Year) => " per year",
                None => "",
            };
            format!("{} {}{per}", magnitude_text(value), measure_word(c))
        }
        Relation::Change { factor, direction } => {
            let (l, h) = c.relation.new_over_old().unwrap_or((f64::NAN, f64::NAN));
            format!(
                "{} {}-fold (new/old {}–{})",
                dir_word(*direction),
                magnitude_text(factor),
                fmt(l),
                fmt(h)
            )
        }
        Relation::PercentChange { percent, direction } => {
            let (l, h) = c.relation.new_over_old().unwrap_or((f64::NAN, f64::NAN));
            format!(
                "{} by {} % (new/old {}–{})",
                dir_word(*direction),
                magnitude_text(percent),
                fmt(l),
                fmt(h)
            )
        }
        Relation::Direction {
            direction,
            strength,
        } => {
            let s = match strength {
                Strength::Strong => " strongly",
                _ => "",
            };
            format!("{} {}{s}", measure_word(c), dir_word(*direction))
        }
        Relation::Share { fraction, of } => match of {
            ShareOf::Total => format!(
                "a share of {} of {}",
                magnitude_text(fraction),
                measure_word(c)
            ),
            ShareOf::Baseline => format!(
                "{} at {} of an earlier level",
                measure_word(c),
                magnitude_text(fraction)
            ),
        },
        Relation::Comparison { kind } => {
            let names: Vec<&str> = c.actors.iter().map(|a| a.surface.as_str()).collect();
            let verb = match kind {
                CompareKind::Exceeds => "exceeded",
                CompareKind::Outnumbers => "outnumbered",
                CompareKind::FallsBelow => "fell below",
            };
            match names.as_slice() {
                [a, b, ..] => format!("{a} {} {verb} {b}'s", measure_word(c)),
                _ => format!("{} {verb} another's", measure_word(c)),
            }
        }
        Relation::Record { kind } => format!(
            "{} at a record {}",
            measure_word(c),
            match kind {
                RecordKind::Highest => "high",
                RecordKind::Lowest => "low",
            }
        ),
    }
}

fn measure_word(c: &AssertionCandidate) -> &'static str {
    match c.measure.kind {
        MeasureKind::Events => "events",
        MeasureKind::Fatalities => "fatalities",
        MeasureKind::Wounded => "wounded",
        MeasureKind::Casualties => "casualties",
    }
}

/// An input-class analysis error is "not enough data" (its message says why);
/// anything else is the checker's failure.
fn soft(e: AnalysisError) -> Result<String, CheckError> {
    if e.is_input() {
        Ok(e.to_string())
    } else {
        Err(CheckError::Analysis(e))
    }
}

fn cov_text(label: &str, p: Period, c: &BucketCoverage) -> String {
    let status = c.cell();
    format!("{label} {p}: {status} ({} days)", c.days)
}

fn with_dates(f: &Filters, p: Period) -> Filters {
    let mut f = f.clone();
    f.from = Some(p.from);
    f.to = Some(p.to);
    f
}

/// Evaluates one candidate from `sentence`.
pub async fn evaluate(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    sentence: &str,
) -> Result<ClaimCheck, CheckError> {
    let mut out = ClaimCheck::new(c, sentence);
    let measure = match c.measure.kind {
        MeasureKind::Events => Measure::Incidents,
        MeasureKind::Fatalities => Measure::FatalitiesBest,
        MeasureKind::Wounded | MeasureKind::Casualties => {
            return Ok(out.no_data(
                "the store holds deaths, not wounded or casualty counts: no measure for it",
            ))
        }
    };
    out.measure = if measure == Measure::Incidents {
        "incidents"
    } else {
        "fatalities_best"
    };
    let scope = match query::scope(c, ctx.gazetteer, ctx.country) {
        Ok(f) => f,
        Err(e) => return Ok(out.no_data(e)),
    };
    out.basis = basis(ctx);
    // A trend without a period: the default window before the article date.
    let mut defaulted = None;
    if out.period_a.is_none()
        && c.unresolved_periods.is_empty()
        && matches!(c.relation, Relation::Direction { .. })
    {
        if let Some(w) = default_trend_window(ctx.article_date) {
            out.period_a = Some(w);
            defaulted = Some(format!(
                "no period stated: read as the {} months before the article date ({w})",
                sitrep_extract::tolerance::DEFAULT_TREND_MONTHS
            ));
        }
    }
    if let Some(note) = &defaulted {
        out.flags.push(note.clone());
        let mut r = evaluate_period(ctx, c, sentence, &scope, measure, out).await?;
        r.why = format!("{note}; {}", r.why);
        return Ok(r);
    }
    evaluate_period(ctx, c, sentence, &scope, measure, out).await
}

/// [`evaluate`] once the claim's scope and measure are known.
async fn evaluate_period(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    sentence: &str,
    scope: &Filters,
    measure: Measure,
    out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let scope = scope.clone();
    if out.period_a.is_none() {
        let why = if c.unresolved_periods.is_empty() {
            "no period stated: the claim does not say when".to_string()
        } else {
            format!("period unresolved ({})", c.unresolved_periods.join("; "))
        };
        return Ok(out.no_data(why));
    }
    if !scope.actors.is_empty() {
        for p in [out.period_a, out.period_b].into_iter().flatten() {
            if let Some(why) = actors_unnamed(ctx, &scope, p).await? {
                return Ok(out.no_data(why));
            }
        }
    }
    match &c.relation {
        Relation::Change { .. }
        | Relation::PercentChange { .. }
        | Relation::Share {
            of: ShareOf::Baseline,
            ..
        } => change(ctx, c, &scope, measure, out).await,
        Relation::Level { value } => level(ctx, c, &scope, measure, *value, out).await,
        Relation::Direction {
            direction,
            strength,
        } => trend(ctx, &scope, measure, *direction, *strength, out).await,
        Relation::Comparison { kind } => comparison(ctx, c, &scope, measure, *kind, out).await,
        Relation::Record { kind } => record(ctx, &scope, measure, *kind, out).await,
        Relation::Share {
            fraction,
            of: ShareOf::Total,
        } => share(ctx, c, sentence, &scope, measure, *fraction, out).await,
    }
}

/// A share of a total: count(part) / count(whole) over the claim's period, in every
/// reasonable variant; the wording's interval (`sitrep_extract::tolerance`) decides.
async fn share(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    sentence: &str,
    scope: &Filters,
    measure: Measure,
    fraction: Magnitude,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let Some(p) = out.period_a else {
        return Ok(out.no_data("no period stated"));
    };
    let sp = match query::share_part(c, scope, sentence) {
        Ok(sp) => sp,
        Err(why) => return Ok(out.no_data(why)),
    };
    let pct = |x: f64| format!("{:.1} %", 100.0 * x);
    let mut outcomes = Vec::new();
    let mut base = None;
    for (label_t, whole) in type_variants(c, &sp.whole) {
        let mut part = sp.part.clone();
        part.event_types = whole.event_types.clone();
        for (months, label_p) in query::boundary_shifts() {
            let Some(p2) = query::shift(p, months) else {
                continue;
            };
            let label = format!("{label_t}, {label_p}");
            let counted = async {
                let w = ctx.analysis.compare(&whole, measure, p2, p2).await?;
                let n = ctx.analysis.compare(&part, measure, p2, p2).await?;
                Ok::<_, AnalysisError>((n, w))
            }
            .await;
            match counted {
                Ok((n, w)) if w.count_a > 0.0 => {
                    let x = n.count_a / w.count_a;
                    let o = rules::within(fraction.lo, fraction.hi, x);
                    outcomes.push(o);
                    out.variants.push(VariantResult {
                        label,
                        value: Some(x),
                        text: format!(
                            "{} ({} of {} {})",
                            pct(x),
                            fmt(n.count_a),
                            fmt(w.count_a),
                            out.measure
                        ),
                        outcome: Some(o),
                    });
                    if base.is_none() && months == 0 {
                        base = Some((whole.clone(), part.clone(), n, w));
                    }
                }
                Ok(_) => out.variants.push(VariantResult::unmeasured(
                    label,
                    format!("no {} in the whole: no share", out.measure),
                )),
                Err(e) => {
                    let why = soft(e)?;
                    if months == 0 && base.is_none() && label_t.starts_with("all") {
                        return Ok(out.no_data(why));
                    }
                    out.variants.push(VariantResult::unmeasured(label, why));
                }
            }
        }
    }
    let Some((whole, part, n, w)) = base else {
        let why = format!("no {} in the whole ({p}): a share of nothing", out.measure);
        return Ok(out.no_data(why));
    };
    let x = n.count_a / w.count_a;
    let (lo, hi) = sitrep_stats::interval::wilson(n.count_a, w.count_a, rules::Z95);
    out.measured = Some(Measured {
        value: x,
        ci_low: Some(lo),
        ci_high: Some(hi),
        text: format!(
            "{} of {} {} are {} ({}, 95% Wilson CI {}–{})",
            fmt(n.count_a),
            fmt(w.count_a),
            out.measure,
            sp.label,
            pct(x),
            pct(lo),
            pct(hi)
        ),
    });
    out.coverage = vec![cov_text("period", p, &w.coverage_a)];
    out.flags.extend(w.warnings.iter().cloned());
    if w.count_a < rules::FRAGILE_BASE {
        out.flags.push(format!(
            "fragile: the share rests on {} {} (fewer than {})",
            fmt(w.count_a),
            out.measure,
            rules::FRAGILE_BASE
        ));
    }
    out.verdict = rules::combine(ClaimKind::Value, &outcomes).unwrap_or(Verdict::NotEnoughData);
    out.why = format!(
        "measured {} ({} of {} {}, {}) against the claimed {}{}",
        pct(x),
        fmt(n.count_a),
        fmt(w.count_a),
        out.measure,
        sp.label,
        magnitude_text(&fraction),
        if out.verdict == Verdict::Supported {
            ""
        } else {
            " (no variant inside)"
        }
    );
    out.query = Some(query::query_ref(&with_dates(&part, p), measure));
    out.records = Some(records(ctx, &part, &[p]).await?);
    out.figure = figure(
        ctx,
        &[("part", &part), ("whole", &whole)],
        measure,
        p,
        &[("period", p)],
    )
    .await?;
    Ok(out)
}

/// `Some(reason)` when the records in `p` (scope without actors) name no resolved
/// actor at all: an actor's count there would be a false zero.
async fn actors_unnamed(
    ctx: &Ctx<'_>,
    scope: &Filters,
    p: Period,
) -> Result<Option<String>, CheckError> {
    let mut f = with_dates(scope, p);
    f.actors.clear();
    let q = SeriesQuery {
        filters: f,
        bucket: Bucket::Year,
        by: sitrep_model::figure::GroupBy::Actor,
        ..SeriesQuery::default()
    };
    let frame = match ctx.analysis.series(&q).await {
        Ok(fr) => fr,
        Err(e) => return Ok(Some(soft(e)?)),
    };
    let named = frame
        .lines
        .iter()
        .any(|l| l.label != "(unresolved)" && l.values.iter().flatten().any(|v| *v > 0.0));
    let any = frame
        .lines
        .iter()
        .any(|l| l.values.iter().flatten().any(|v| *v > 0.0));
    Ok((any && !named).then(|| {
        format!(
            "no actor resolved in the data: the records of {p} name no actor sitrep can resolve, so a count for {} would be a false zero",
            scope.actors.join(", ")
        )
    }))
}

fn basis(ctx: &Ctx<'_>) -> String {
    format!(
        "event data in the store (sources: {})",
        ctx.sources.join(", ")
    )
}

/// Type variants: all violent types, and the closest single type when narrower.
fn type_variants(c: &AssertionCandidate, scope: &Filters) -> Vec<(String, Filters)> {
    let mut v = vec![("all violent event types".to_string(), scope.clone())];
    if let Some(t) = query::closest_types(c) {
        let names: Vec<&str> = t.iter().map(|t| t.as_str()).collect();
        let mut f = scope.clone();
        f.event_types = t;
        v.push((format!("{} only", names.join(", ")), f));
    }
    v
}

async fn change(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    scope: &Filters,
    measure: Measure,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let (Some(a), Some(lohi)) = (out.period_a, c.relation.new_over_old()) else {
        return Ok(out.no_data("no claimed ratio"));
    };
    let Some(b) = out.period_b else {
        return Ok(out.no_data(
            "no baseline period stated (\"previous levels\", \"before\"): nothing to compare with",
        ));
    };
    let (lo, hi) = lohi;
    let decrease = hi <= 1.0;
    let describe = |r: f64, cl: Option<(f64, f64)>| {
        let ci = cl
            .map(|(l, h)| format!(", 95% CI {}–{}", fmt(l), fmt(h)))
            .unwrap_or_default();
        if decrease && r > 0.0 {
            format!("fell {}-fold (new/old {}{ci})", fmt(1.0 / r), fmt(r))
        } else if r >= 1.0 {
            format!("rose {}-fold (new/old {}{ci})", fmt(r), fmt(r))
        } else {
            format!("new/old {}{ci}", fmt(r))
        }
    };
    let mut outcomes = Vec::new();
    let mut base = None;
    for (label_t, f) in type_variants(c, scope) {
        for (months, label_p) in query::boundary_shifts() {
            let (Some(a2), Some(b2)) = (query::shift(a, months), query::shift(b, months)) else {
                continue;
            };
            let label = format!("{label_t}, {label_p}");
            match ctx.analysis.compare(&f, measure, a2, b2).await {
                Ok(cmp) => {
                    let o = rules::within(Some(lo), Some(hi), cmp.ratio);
                    outcomes.push(o);
                    out.variants.push(VariantResult {
                        label,
                        value: Some(cmp.ratio),
                        text: format!(
                            "{} ({} vs {} {})",
                            describe(cmp.ratio, None),
                            fmt(cmp.count_a),
                            fmt(cmp.count_b),
                            out.measure
                        ),
                        outcome: Some(o),
                    });
                    if base.is_none() && months == 0 {
                        base = Some((f.clone(), cmp));
                    }
                }
                Err(e) => {
                    let why = soft(e)?;
                    if months == 0 && base.is_none() && label_t.starts_with("all") {
                        return Ok(out.no_data(why));
                    }
                    out.variants.push(VariantResult::unmeasured(label, why));
                }
            }
        }
    }
    let Some((f, cmp)) = base else {
        return Ok(out.no_data("no variant could be computed"));
    };
    out.measured = Some(Measured {
        value: cmp.ratio,
        ci_low: Some(cmp.ci_low),
        ci_high: Some(cmp.ci_high),
        text: format!(
            "{}: {} {} in A ({}/week) vs {} in B ({}/week)",
            describe(cmp.ratio, Some((cmp.ci_low, cmp.ci_high))),
            fmt(cmp.count_a),
            out.measure,
            fmt(cmp.rate_a),
            fmt(cmp.count_b),
            fmt(cmp.rate_b)
        ),
    });
    out.coverage = vec![
        cov_text("A", a, &cmp.coverage_a),
        cov_text("B", b, &cmp.coverage_b),
    ];
    out.flags.extend(cmp.warnings.iter().cloned());
    if rules::fragile(cmp.count_a, cmp.count_b) {
        out.flags.push(format!(
            "fragile: the ratio rests on {} vs {} events (fewer than {} on one side)",
            fmt(cmp.count_a),
            fmt(cmp.count_b),
            rules::FRAGILE_BASE
        ));
    }
    let mut verdict = rules::combine(ClaimKind::Value, &outcomes).unwrap_or(Verdict::NotEnoughData);
    // Sources alone.
    if ctx.sources.len() > 1 {
        for s in &ctx.sources {
            let mut fs = f.clone();
            fs.sources = vec![s.clone()];
            if let Ok(cs) = ctx.analysis.compare(&fs, measure, a, b).await {
                if cs.count_a + cs.count_b > 0.0 {
                    let v = rules::combine(
                        ClaimKind::Value,
                        &[rules::within(Some(lo), Some(hi), cs.ratio)],
                    )
                    .unwrap_or(Verdict::NotEnoughData);
                    out.sources.push(SourceResult {
                        source: s.clone(),
                        value: cs.ratio,
                        verdict: v,
                    });
                }
            }
        }
        verdict = sources_verdict(&mut out, verdict);
    }
    out.verdict = verdict;
    out.why = match verdict {
        Verdict::Supported => format!(
            "the data {} — inside the claimed {}–{}",
            describe_best(&out),
            fmt(lo),
            fmt(hi)
        ),
        Verdict::Contradicted => format!(
            "the data {} — outside the claimed {}–{} in every variant",
            describe_best(&out),
            fmt(lo),
            fmt(hi)
        ),
        _ => out.why.clone(),
    };
    let span = Period::new(b.from.min(a.from), a.to.max(b.to)).unwrap_or(a);
    out.query = Some(query::query_ref(&with_dates(&f, span), measure));
    out.records = Some(records(ctx, &f, &[a, b]).await?);
    out.figure = figure(ctx, &[("", &f)], measure, span, &[("A", a), ("B", b)]).await?;
    Ok(out)
}

fn describe_best(out: &ClaimCheck) -> String {
    out.measured
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Per-source verdicts: a conflict makes the claim mixed; a > 25 % spread is flagged.
fn sources_verdict(out: &mut ClaimCheck, verdict: Verdict) -> Verdict {
    if out.sources.len() < 2 {
        return verdict;
    }
    let values: Vec<f64> = out.sources.iter().map(|s| s.value).collect();
    if let Some(d) = rules::disagreement(&values) {
        out.flags.push(format!(
            "sources disagree by {:.0}%: {}",
            100.0 * d,
            out.sources
                .iter()
                .map(|s| format!("{} {}", s.source, fmt(s.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let vs: Vec<Verdict> = out.sources.iter().map(|s| s.verdict).collect();
    if rules::sources_conflict(&vs) {
        out.why = "sources disagree: the claim holds on one source and not on another".into();
        Verdict::Mixed
    } else {
        verdict
    }
}

fn per_days(per: Option<Per>) -> Option<f64> {
    per.map(|p| match p {
        Per::Day => 1.0,
        Per::Week => 7.0,
        Per::Month => 365.25 / 12.0,
        Per::Year => 365.25,
    })
}

fn whole_years(p: Period) -> Option<(i32, i32)> {
    (p.from.month() == 1 && p.from.day() == 1 && p.to.month() == 12 && p.to.day() == 31)
        .then(|| (p.from.year(), p.to.year()))
}

async fn level(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    scope: &Filters,
    measure: Measure,
    value: Magnitude,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let Some(p) = out.period_a else {
        return Ok(out.no_data("no period stated"));
    };
    let per = per_days(c.measure.per);
    let unit = |count: f64, days: f64| per.map_or(count, |d| count / (days / d));
    let per_word = match c.measure.per {
        Some(Per::Day) => "/day",
        Some(Per::Week) => "/week",
        Some(Per::Month) => "/month",
        Some(Per::Year) => "/year",
        None => "",
    };
    // Country-level deaths per calendar year: the UCDP country-year totals decide.
    let country_level = scope.actors.is_empty()
        && scope.provinces.is_empty()
        && scope.regions.is_empty()
        && scope.districts.is_empty();
    if measure == Measure::FatalitiesBest && country_level {
        if let Some((y0, y1)) = whole_years(p) {
            let battle = c
                .measure
                .hints
                .contains(&sitrep_extract::measure::EventHint::Battles);
            let mut total = country_year::Deaths::default();
            let mut missing = Vec::new();
            for y in y0..=y1 {
                match country_year::year(ctx.country, y) {
                    Some(row) => {
                        total = total + if battle { row.battle } else { row.all() };
                    }
                    None => missing.push(y),
                }
            }
            if missing.is_empty() {
                let n = (y1 - y0 + 1) as f64;
                let k = if c.measure.per == Some(Per::Year) {
                    n
                } else {
                    1.0
                };
                let best = total.best / k;
                let o = rules::within(value.lo, value.hi, best);
                out.basis = country_year::BASIS.to_string();
                let what = if battle {
                    "battle-related deaths (state-based + non-state)"
                } else {
                    "deaths in organised violence (state-based + non-state + one-sided)"
                };
                out.measured = Some(Measured {
                    value: best,
                    ci_low: Some(total.low / k),
                    ci_high: Some(total.high / k),
                    text: format!(
                        "UCDP: {} {what}{per_word} (low {}, high {}), {y0}–{y1}",
                        fmt(best),
                        fmt(total.low / k),
                        fmt(total.high / k)
                    ),
                });
                out.variants.push(VariantResult {
                    label: "UCDP country-year totals".into(),
                    value: Some(best),
                    text: format!("{}{per_word}", fmt(best)),
                    outcome: Some(o),
                });
                out.coverage.push(format!(
                    "UCDP country-year totals: {y0}–{y1} (every year present)"
                ));
                // The store's own sum beside it, when covered.
                if let Ok(cmp) = ctx.analysis.compare(scope, measure, p, p).await {
                    let v = unit(cmp.count_a, p.days() as f64);
                    out.sources.push(SourceResult {
                        source: "event data in the store".into(),
                        value: v,
                        verdict: rules::combine(
                            ClaimKind::Value,
                            &[rules::within(value.lo, value.hi, v)],
                        )
                        .unwrap_or(Verdict::NotEnoughData),
                    });
                    out.sources.insert(
                        0,
                        SourceResult {
                            source: "UCDP country-year totals".into(),
                            value: best,
                            verdict: rules::combine(ClaimKind::Value, &[o])
                                .unwrap_or(Verdict::NotEnoughData),
                        },
                    );
                    let vals: Vec<f64> = out.sources.iter().map(|s| s.value).collect();
                    if let Some(d) = rules::disagreement(&vals) {
                        out.flags.push(format!(
                            "the store's events sum to {}{per_word}, {:.0}% below or above the country-year total: event subsets undercount deaths",
                            fmt(v),
                            100.0 * d
                        ));
                    }
                }
                out.verdict =
                    rules::combine(ClaimKind::Value, &[o]).unwrap_or(Verdict::NotEnoughData);
                out.why = format!(
                    "{} {} the claimed {}",
                    out.measured
                        .as_ref()
                        .map(|m| m.text.clone())
                        .unwrap_or_default(),
                    if o == Outcome::Supports {
                        "is inside"
                    } else {
                        "is outside"
                    },
                    magnitude_text(&value)
                );
                return Ok(out);
            }
        }
    }
    let mut outcomes = Vec::new();
    let mut base = None;
    for (label_t, f) in type_variants(c, scope) {
        for (months, label_p) in query::boundary_shifts() {
            let Some(p2) = query::shift(p, months) else {
                continue;
            };
            let label = format!("{label_t}, {label_p}");
            match ctx.analysis.compare(&f, measure, p2, p2).await {
                Ok(cmp) => {
                    let v = unit(cmp.count_a, p2.days() as f64);
                    let o = rules::within(value.lo, value.hi, v);
                    outcomes.push(o);
                    out.variants.push(VariantResult {
                        label,
                        value: Some(v),
                        text: format!("{}{per_word}", fmt(v)),
                        outcome: Some(o),
                    });
                    if base.is_none() && months == 0 {
                        base = Some((f.clone(), cmp, v));
                    }
                }
                Err(e) => {
                    let why = soft(e)?;
                    if months == 0 && base.is_none() && label_t.starts_with("all") {
                        return Ok(out.no_data(why));
                    }
                    out.variants.push(VariantResult::unmeasured(label, why));
                }
            }
        }
    }
    let Some((f, cmp, v)) = base else {
        return Ok(out.no_data("no variant could be computed"));
    };
    let (cl, ch) = sitrep_stats::interval::poisson_rate_interval(
        cmp.count_a,
        per.map_or(1.0, |d| p.days() as f64 / d),
        0.95,
    );
    out.measured = Some(Measured {
        value: v,
        ci_low: Some(cl),
        ci_high: Some(ch),
        text: format!(
            "{}{per_word} ({} {} over {} days)",
            fmt(v),
            fmt(cmp.count_a),
            out.measure,
            p.days()
        ),
    });
    out.coverage = vec![cov_text("period", p, &cmp.coverage_a)];
    out.flags.extend(cmp.warnings.iter().cloned());
    out.verdict = rules::combine(ClaimKind::Value, &outcomes).unwrap_or(Verdict::NotEnoughData);
    out.why = format!(
        "measured {}{per_word} against the claimed {}{}",
        fmt(v),
        magnitude_text(&value),
        if out.verdict == Verdict::Supported {
            ""
        } else {
            " (no variant inside)"
        }
    );
    out.query = Some(query::query_ref(&with_dates(&f, p), measure));
    out.records = Some(records(ctx, &f, &[p]).await?);
    out.figure = figure(ctx, &[("", &f)], measure, p, &[("period", p)]).await?;
    Ok(out)
}

async fn trend(
    ctx: &Ctx<'_>,
    scope: &Filters,
    measure: Measure,
    direction: Direction,
    strength: Strength,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let Some(p) = out.period_a else {
        return Ok(out.no_data("no period stated"));
    };
    // Coverage of the claim's own period first: uncovered → not enough data.
    let cmp_self = match ctx.analysis.compare(scope, measure, p, p).await {
        Ok(c) => c,
        Err(e) => return Ok(out.no_data(soft(e)?)),
    };
    out.coverage
        .push(cov_text("period", p, &cmp_self.coverage_a));
    out.flags.extend(cmp_self.warnings.iter().cloned());
    let mut outcomes = Vec::new();
    // 1. The slope within the period, on complete weeks.
    let q = SeriesQuery {
        filters: with_dates(scope, p),
        bucket: Bucket::Week,
        measure,
        ..SeriesQuery::default()
    };
    let frame = match ctx.analysis.series(&q).await {
        Ok(f) => Some(f),
        Err(e) => {
            out.flags.push(soft(e)?);
            None
        }
    };
    let mut main: Option<Measured> = None;
    if let Some(frame) = &frame {
        let values = frame
            .lines
            .first()
            .map(|l| l.values.clone())
            .unwrap_or_default();
        let mut ys = Vec::new();
        let mut dropped = Vec::new();
        for (i, s) in frame.starts.iter().enumerate() {
            let end = *s + Days::new(6);
            let complete = *s >= p.from
                && end <= p.to
                && frame
                    .coverage
                    .get(i)
                    .is_none_or(|c| c.status == sitrep_model::CoverageStatus::Complete);
            match values.get(i).copied().flatten() {
                Some(v) if complete => ys.push(v),
                _ => dropped.push(*s),
            }
        }
        if let Some(last) = dropped.iter().rev().find(|d| **d + Days::new(6) > p.to) {
            out.flags.push(format!(
                "incomplete bucket: the week of {last} runs past the period's end (the latest is still running) and is left out of the trend"
            ));
        }
        let total: f64 = ys.iter().sum();
        if ys.len() < rules::MIN_TREND_BUCKETS || total < rules::MIN_TREND_EVENTS {
            out.variants.push(VariantResult {
                label: "trend within the period (weekly Poisson slope)".into(),
                value: None,
                text: format!(
                    "{} events over {} complete weeks: too few for a trend (needs {} events and {} weeks)",
                    fmt(total),
                    ys.len(),
                    rules::MIN_TREND_EVENTS,
                    rules::MIN_TREND_BUCKETS
                ),
                outcome: None,
            });
        } else if let Some(t) = sitrep_stats::rules::generic::poisson_trend(&ys) {
            let (r, lo, hi) = rules::per_quarter(t.slope, t.se);
            let o = rules::trend_outcome(direction, strength, r, lo, hi);
            outcomes.push(o);
            let text = format!(
                "×{} per quarter (95% CI {}–{}; p = {:.3}) over {} weeks, {} {}",
                fmt(r),
                fmt(lo),
                fmt(hi),
                t.p_wald,
                ys.len(),
                fmt(total),
                out.measure
            );
            main = Some(Measured {
                value: r,
                ci_low: Some(lo),
                ci_high: Some(hi),
                text: format!("trend {text}"),
            });
            out.variants.push(VariantResult {
                label: "trend within the period (weekly Poisson slope)".into(),
                value: Some(r),
                text,
                outcome: Some(o),
            });
        }
    }
    // 2. The period against the one before it.
    let mut span = p;
    if let Some(prev) = query::preceding(p) {
        match ctx.analysis.compare(scope, measure, p, prev).await {
            Ok(cmp) if cmp.count_a + cmp.count_b >= rules::MIN_TREND_EVENTS => {
                let weeks = p.days() as f64 / 7.0;
                let (r, lo, hi) = (
                    rules::to_quarter(cmp.ratio, weeks),
                    rules::to_quarter(cmp.ci_low, weeks),
                    rules::to_quarter(cmp.ci_high, weeks),
                );
                let o = rules::trend_outcome(direction, strength, r, lo, hi);
                outcomes.push(o);
                let text = format!(
                    "{} vs {} {} in the preceding {} days ({prev}): ratio {} (95% CI {}–{}), ×{} per quarter",
                    fmt(cmp.count_a),
                    fmt(cmp.count_b),
                    out.measure,
                    p.days(),
                    fmt(cmp.ratio),
                    fmt(cmp.ci_low),
                    fmt(cmp.ci_high),
                    fmt(r)
                );
                if main.is_none() {
                    main = Some(Measured {
                        value: r,
                        ci_low: Some(lo),
                        ci_high: Some(hi),
                        text: text.clone(),
                    });
                }
                out.coverage
                    .push(cov_text("preceding period", prev, &cmp.coverage_b));
                out.variants.push(VariantResult {
                    label: "against the preceding period".into(),
                    value: Some(r),
                    text,
                    outcome: Some(o),
                });
                span = Period::new(prev.from, p.to).unwrap_or(p);
            }
            Ok(cmp) => out.variants.push(VariantResult {
                label: "against the preceding period".into(),
                value: None,
                text: format!(
                    "{} + {} events: too few to compare",
                    fmt(cmp.count_a),
                    fmt(cmp.count_b)
                ),
                outcome: None,
            }),
            Err(e) => out.variants.push(VariantResult {
                label: "against the preceding period".into(),
                value: None,
                text: soft(e)?,
                outcome: None,
            }),
        }
    }
    out.measured = main;
    match rules::combine(ClaimKind::Direction, &outcomes) {
        None => {
            let why = format!(
                "too few events for a trend: {} {} in {p}",
                fmt(cmp_self.count_a),
                out.measure
            );
            out = out.no_data(why);
        }
        Some(v) => {
            out.verdict = v;
            out.why = match v {
                Verdict::Supported => "a significant change in the claimed direction (α = 0.05)".into(),
                Verdict::Contradicted => "the data show a significant change the other way, and no variant shows the claimed one".into(),
                _ if outcomes.iter().all(|o| *o == Outcome::Inconclusive) => {
                    if strength == Strength::Strong && outcomes.len() > 1 {
                        "no variant shows a significant change as strong as claimed (≥ 1.5× per quarter): the data neither confirm nor refute it".into()
                    } else {
                        "no variant shows a significant change (p ≥ 0.05): the data neither confirm nor refute it".into()
                    }
                }
                _ => "the variants disagree: one shows the claimed change, another the opposite".into(),
            };
        }
    }
    out.query = Some(query::query_ref(&with_dates(scope, p), measure));
    out.records = Some(records(ctx, scope, &[p]).await?);
    out.figure = figure(ctx, &[("", scope)], measure, span, &[("period", p)]).await?;
    Ok(out)
}

async fn comparison(
    ctx: &Ctx<'_>,
    c: &AssertionCandidate,
    scope: &Filters,
    measure: Measure,
    kind: CompareKind,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let Some(p) = out.period_a else {
        return Ok(out.no_data("no period stated"));
    };
    let mut ids: Vec<(String, String)> = Vec::new();
    for a in &c.actors {
        if !ids.iter().any(|(i, _)| *i == a.id) {
            ids.push((a.id.clone(), a.surface.clone()));
        }
    }
    if ids.len() < 2 {
        return Ok(out.no_data(
            "a comparison needs two actors resolved; the sentence names fewer (or compares periods or places, which the checker does not read yet)",
        ));
    }
    let (first, second) = (&ids[0], &ids[1]);
    let sel = |id: &str| {
        let mut f = scope.clone();
        f.actors = vec![id.to_string()];
        f
    };
    let (f1, f2) = (sel(&first.0), sel(&second.0));
    let mut outcomes = Vec::new();
    let mut base = None;
    for (months, label) in query::boundary_shifts() {
        let Some(p2) = query::shift(p, months) else {
            continue;
        };
        let r1 = ctx.analysis.compare(&f1, measure, p2, p2).await;
        let r2 = ctx.analysis.compare(&f2, measure, p2, p2).await;
        match (r1, r2) {
            (Ok(a), Ok(b)) => {
                let (x, y) = (a.count_a, b.count_a);
                let ok = match kind {
                    CompareKind::Exceeds | CompareKind::Outnumbers => x > y,
                    CompareKind::FallsBelow => x < y,
                };
                let o = if ok {
                    Outcome::Supports
                } else {
                    Outcome::Opposes
                };
                outcomes.push(o);
                out.variants.push(VariantResult {
                    label: label.to_string(),
                    value: Some(if y > 0.0 { x / y } else { f64::INFINITY }),
                    text: format!("{} {} vs {} {}", first.1, fmt(x), second.1, fmt(y)),
                    outcome: Some(o),
                });
                if months == 0 {
                    out.coverage = vec![cov_text("period", p, &a.coverage_a)];
                    out.flags.extend(a.warnings.iter().cloned());
                    base = Some((x, y));
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                let why = soft(e)?;
                if months == 0 {
                    return Ok(out.no_data(why));
                }
                out.variants.push(VariantResult {
                    label: label.to_string(),
                    value: None,
                    text: why,
                    outcome: None,
                });
            }
        }
    }
    let Some((x, y)) = base else {
        return Ok(out.no_data("no variant could be computed"));
    };
    if x + y == 0.0 {
        return Ok(out.no_data(format!(
            "no events of either {} or {} in {p}: nothing to order",
            first.1, second.1
        )));
    }
    let (lo, hi) = sitrep_stats::interval::rate_ratio_interval(y, 1.0, x, 1.0, 0.95);
    out.measured = Some(Measured {
        value: if y > 0.0 { x / y } else { f64::INFINITY },
        ci_low: Some(lo),
        ci_high: Some(hi),
        text: format!(
            "{} {} {} vs {} {} in {p} (ratio {}, 95% CI {}–{})",
            first.1,
            fmt(x),
            out.measure,
            second.1,
            fmt(y),
            fmt(if y > 0.0 { x / y } else { f64::INFINITY }),
            fmt(lo),
            fmt(hi)
        ),
    });
    if rules::fragile(x, y) {
        out.flags.push(format!(
            "fragile: {} vs {} events (fewer than {} on one side)",
            fmt(x),
            fmt(y),
            rules::FRAGILE_BASE
        ));
    }
    out.verdict = rules::combine(ClaimKind::Value, &outcomes).unwrap_or(Verdict::NotEnoughData);
    out.why = format!(
        "{}: {}",
        if out.verdict == Verdict::Supported {
            "the counts order as claimed"
        } else {
            "the counts do not order as claimed in any variant"
        },
        out.measured
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    );
    let mut both = scope.clone();
    both.actors = vec![first.0.clone(), second.0.clone()];
    out.query = Some(query::query_ref(&with_dates(&both, p), measure));
    out.records = Some(records(ctx, &both, &[p]).await?);
    out.figure = figure(
        ctx,
        &[(first.1.as_str(), &f1), (second.1.as_str(), &f2)],
        measure,
        p,
        &[("period", p)],
    )
    .await?;
    Ok(out)
}

async fn record(
    ctx: &Ctx<'_>,
    scope: &Filters,
    measure: Measure,
    kind: RecordKind,
    mut out: ClaimCheck,
) -> Result<ClaimCheck, CheckError> {
    let Some(p) = out.period_a else {
        return Ok(out.no_data("no period stated"));
    };
    if let Err(e) = ctx.analysis.compare(scope, measure, p, p).await {
        return Ok(out.no_data(soft(e)?));
    }
    let mut f = scope.clone();
    f.from = None;
    f.to = Some(p.to);
    let q = SeriesQuery {
        filters: f,
        bucket: Bucket::Month,
        measure,
        ..SeriesQuery::default()
    };
    let frame = match ctx.analysis.series(&q).await {
        Ok(fr) => fr,
        Err(e) => return Ok(out.no_data(soft(e)?)),
    };
    let values = frame
        .lines
        .first()
        .map(|l| l.values.clone())
        .unwrap_or_default();
    let (mut inside, mut before) = (Vec::new(), Vec::new());
    for (s, v) in frame.starts.iter().zip(&values) {
        let Some(v) = v else { continue };
        if *s >= sitrep_analysis::bucket_start(p.from, Bucket::Month) {
            inside.push(*v);
        } else {
            before.push(*v);
        }
    }
    if before.len() < 12 || inside.is_empty() {
        return Ok(out.no_data(format!(
            "a record needs at least 12 covered months before the period; the data have {}",
            before.len()
        )));
    }
    let (best_in, best_before, ok) = match kind {
        RecordKind::Highest => {
            let a = inside.iter().copied().fold(f64::MIN, f64::max);
            let b = before.iter().copied().fold(f64::MIN, f64::max);
            (a, b, a > b)
        }
        RecordKind::Lowest => {
            let a = inside.iter().copied().fold(f64::MAX, f64::min);
            let b = before.iter().copied().fold(f64::MAX, f64::min);
            (a, b, a < b)
        }
    };
    let o = if ok {
        Outcome::Supports
    } else {
        Outcome::Opposes
    };
    out.variants.push(VariantResult {
        label: "months of the period against every earlier covered month".into(),
        value: Some(best_in),
        text: format!(
            "{} in the period's {} month vs {} before ({} months)",
            fmt(best_in),
            if kind == RecordKind::Highest {
                "busiest"
            } else {
                "quietest"
            },
            fmt(best_before),
            before.len()
        ),
        outcome: Some(o),
    });
    out.measured = Some(Measured {
        value: best_in,
        ci_low: None,
        ci_high: None,
        text: out.variants[0].text.clone(),
    });
    out.verdict = rules::combine(ClaimKind::Value, &[o]).unwrap_or(Verdict::NotEnoughData);
    out.why = out.variants[0].text.clone();
    out.query = Some(query::query_ref(&with_dates(scope, p), measure));
    out.records = Some(records(ctx, scope, &[p]).await?);
    Ok(out)
}

/// Record ids of `f` in `periods`: count and the first ten.
async fn records(ctx: &Ctx<'_>, f: &Filters, periods: &[Period]) -> Result<Records, CheckError> {
    let mut ids: Vec<String> = Vec::new();
    for p in periods {
        let q = SeriesQuery {
            filters: with_dates(f, *p),
            bucket: Bucket::Year,
            ..SeriesQuery::default()
        };
        let mut y = p.from;
        while y <= p.to {
            match ctx.analysis.trace(&q, y, None).await {
                Ok(v) => ids.extend(v),
                Err(e) => {
                    soft(e)?;
                }
            }
            y = NaiveDate::from_ymd_opt(y.year() + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        }
    }
    ids.sort();
    ids.dedup();
    Ok(Records {
        count: ids.len(),
        sample: ids.into_iter().take(10).collect(),
    })
}

/// Weekly (or, over two years, monthly) values of each selection over `span`.
async fn figure(
    ctx: &Ctx<'_>,
    sels: &[(&str, &Filters)],
    measure: Measure,
    span: Period,
    shaded: &[(&str, Period)],
) -> Result<Option<Figure>, CheckError> {
    let bucket = if span.days() > 730 {
        Bucket::Month
    } else {
        Bucket::Week
    };
    let mut fig = Figure {
        bucket: if bucket == Bucket::Week {
            "week"
        } else {
            "month"
        },
        starts: Vec::new(),
        lines: Vec::new(),
        shaded: shaded.iter().map(|(l, p)| (l.to_string(), *p)).collect(),
    };
    for (label, f) in sels {
        let q = SeriesQuery {
            filters: with_dates(f, span),
            bucket,
            measure,
            ..SeriesQuery::default()
        };
        match ctx.analysis.series(&q).await {
            Ok(frame) => {
                fig.starts = frame.starts.clone();
                fig.lines.push(FigureLine {
                    label: label.to_string(),
                    values: frame
                        .lines
                        .first()
                        .map(|l| l.values.clone())
                        .unwrap_or_default(),
                });
            }
            Err(e) => {
                soft(e)?;
                return Ok(None);
            }
        }
    }
    Ok(Some(fig))
}
