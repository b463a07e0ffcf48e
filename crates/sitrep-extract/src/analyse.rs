//! Sentence analysis: put the parsers together and classify each sentence as
//! checkable (with an assertion candidate) or not (with a reason).

use chrono::NaiveDate;
use serde::Serialize;

use crate::compare::{find_cues, CompareKind, Cue, CueMention, RecordKind, ShareOf};
use crate::lexicon::{Lexicon, Match};
use crate::measure::{measure_word, people_word, per_at, unmeasured_topic, Measure, MeasureKind};
use crate::numbers::{find_numbers, number_at, NumberMention};
use crate::period::{find_periods, DateContext, Period, PeriodMention, PeriodValue};
use crate::text::{sentences, Sentence, Span};
use crate::tokens::{tokenize, word, Token};
use crate::tolerance::{from_to, Hedge, Magnitude};
use crate::trend::{find_trends, Direction, Strength, TrendMention};

/// How the claimed magnitude relates to the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Relation {
    /// A level: "a dozen or more attacks per week", "20,000 to 40,000 fatalities per year".
    Level { value: Magnitude },
    /// A multiplicative change ×N. `factor` ≥ 1 is read in `direction`: "fell
    /// fivefold" is factor 4–6 with direction Decrease, i.e. new/old in 1/6–1/4.
    Change {
        factor: Magnitude,
        direction: Direction,
    },
    /// A change by a percentage ("by 40%", "by a third"), in `direction`.
    PercentChange {
        percent: Magnitude,
        direction: Direction,
    },
    /// Direction only: "rose", "fell", "remained stable".
    Direction {
        direction: Direction,
        strength: Strength,
    },
    /// A fraction of a total ("more than half of attacks") or of a baseline
    /// ("to 18 per cent of previous levels").
    Share { fraction: Magnitude, of: ShareOf },
    /// A comparison between actors, places or periods: "NRF attacks surpassed IS-KP's".
    Comparison { kind: CompareKind },
    /// "highest since", "lowest since", "more attacks than ever".
    Record { kind: RecordKind },
}

impl Relation {
    /// For changes: the interval of new/old implied by the relation.
    pub fn new_over_old(&self) -> Option<(f64, f64)> {
        match self {
            Relation::Change { factor, direction } => {
                let (lo, hi) = (factor.lo?, factor.hi?);
                match direction {
                    Direction::Increase => Some((lo, hi)),
                    Direction::Decrease => Some((1.0 / hi, 1.0 / lo)),
                    _ => None,
                }
            }
            Relation::PercentChange { percent, direction } => {
                let (lo, hi) = (percent.lo?, percent.hi?);
                match direction {
                    Direction::Increase => Some((1.0 + lo / 100.0, 1.0 + hi / 100.0)),
                    Direction::Decrease => Some((1.0 - hi / 100.0, 1.0 - lo / 100.0)),
                    _ => None,
                }
            }
            Relation::Share {
                fraction,
                of: ShareOf::Baseline,
            } => Some((fraction.lo?, fraction.hi?)),
            _ => None,
        }
    }
}

/// What an actor does in the claim, as far as word order tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    /// "NRF attacks", "attacks by IS-KP", "IS-KP launched".
    Perpetrator,
    /// "attacks on Taliban personnel", "against the Taliban".
    Target,
    Mentioned,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorRef {
    pub id: String,
    pub surface: String,
    pub span: Span,
    pub role: Role,
}

/// A structured, checkable claim candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssertionCandidate {
    pub measure: Measure,
    pub relation: Relation,
    pub actors: Vec<ActorRef>,
    pub places: Vec<Match>,
    /// The period the claim is about.
    pub period_a: Option<Period>,
    /// The period it is compared with, if any ("the same period a year earlier").
    pub period_b: Option<Period>,
    /// Time expressions that could not be resolved, with the reason.
    pub unresolved_periods: Vec<String>,
    pub hedge: Option<Hedge>,
    /// No actor and no place resolved: the claim is about the article's default scope.
    pub default_scope: bool,
    /// The words that carry the claim, within the sentence.
    pub cue: Span,
    /// The sentence in the cleaned document.
    pub source: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// No number, trend or comparison.
    NoSignal,
    /// A signal about something sitrep has no measure for.
    NoMeasure,
    /// The claim refers to an actor or place by anaphora and none was resolved.
    NoActorOrPlace,
    /// A possibility, forecast or condition ("could lead to rising violence"), not a
    /// claim about what happened.
    Hypothetical,
}

impl Reason {
    pub fn text(&self) -> &'static str {
        match self {
            Reason::NoSignal => "no number, trend or comparison",
            Reason::NoMeasure => "no measure for it",
            Reason::NoActorOrPlace => "no actor or place resolved",
            Reason::Hypothetical => "a possibility or forecast, not a claim about the data",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Class {
    Checkable {
        candidate: Box<AssertionCandidate>,
        /// Further candidates in the same sentence.
        others: Vec<AssertionCandidate>,
    },
    NotCheckable {
        reason: Reason,
        /// E.g. the unmeasured topic: "economy".
        detail: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceAnalysis {
    pub sentence: Sentence,
    pub class: Class,
    pub numbers: Vec<NumberMention>,
    pub trends: Vec<TrendMention>,
    pub cues: Vec<CueMention>,
    pub periods: Vec<PeriodMention>,
}

impl SentenceAnalysis {
    pub fn candidate(&self) -> Option<&AssertionCandidate> {
        match &self.class {
            Class::Checkable { candidate, .. } => Some(candidate),
            _ => None,
        }
    }
    pub fn reason(&self) -> Option<Reason> {
        match &self.class {
            Class::NotCheckable { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

/// Analyse an article: clean, split, classify every sentence. Periods resolve against
/// `article_date` and the bundled named events.
pub fn analyse(
    text: &str,
    article_date: NaiveDate,
    lexicon: &dyn Lexicon,
) -> Vec<SentenceAnalysis> {
    analyse_with(text, &DateContext::new(article_date), lexicon)
}

/// As [`analyse`], with a caller-supplied date context (extra named events).
pub fn analyse_with(text: &str, ctx: &DateContext, lexicon: &dyn Lexicon) -> Vec<SentenceAnalysis> {
    sentences(text)
        .into_iter()
        .map(|s| analyse_sentence(s, ctx, lexicon))
        .collect()
}

/// What a backward/forward search found.
enum Subject {
    Measure(usize),
    Topic(&'static str),
}

fn subject_at(toks: &[Token], k: usize) -> Option<Subject> {
    let w = word(toks, k);
    if measure_word(w).is_some() {
        Some(Subject::Measure(k))
    } else {
        unmeasured_topic(w).map(Subject::Topic)
    }
}

/// The measure a signal at `[a, b)` talks about: backward within 16 tokens (across
/// commas, not semicolons), then forward within the clause.
fn find_subject(toks: &[Token], a: usize, b: usize, masked: &[bool]) -> Option<Subject> {
    let mut k = a;
    let mut n = 0;
    while k > 0 && n < 16 {
        k -= 1;
        n += 1;
        if matches!(toks[k].lower.as_str(), ";" | ".") {
            break;
        }
        if masked[k] {
            continue;
        }
        if let Some(s) = subject_at(toks, k) {
            return Some(s);
        }
    }
    forward_subject(toks, b, masked)
}

fn forward_subject(toks: &[Token], b: usize, masked: &[bool]) -> Option<Subject> {
    forward_within(toks, b, masked, 6)
}

fn forward_within(toks: &[Token], b: usize, masked: &[bool], reach: usize) -> Option<Subject> {
    for k in b..(b + reach).min(toks.len()) {
        if toks[k].is_clause_break() || toks[k].lower == "." {
            break;
        }
        if masked[k] {
            continue;
        }
        if let Some(s) = subject_at(toks, k) {
            return Some(s);
        }
    }
    None
}

/// Build the measure around the measure word at `k`: the head of a compound
/// ("battle fatalities" → fatalities), event hints nearby, and a rate after it.
fn measure_from(toks: &[Token], mut k: usize) -> Measure {
    while k + 1 < toks.len() && measure_word(word(toks, k + 1)).is_some() {
        k += 1;
    }
    let (kind, _) = measure_word(word(toks, k)).unwrap_or((MeasureKind::Events, None));
    let mut hints = Vec::new();
    if kind == MeasureKind::Events {
        for j in k.saturating_sub(8)..=k {
            if let Some((MeasureKind::Events, Some(h))) = measure_word(word(toks, j)) {
                if !hints.contains(&h) {
                    hints.push(h);
                }
            }
        }
    }
    let mut per = None;
    for j in k + 1..(k + 4).min(toks.len()) {
        if let Some((p, _)) = per_at(toks, j) {
            per = Some(p);
            break;
        }
        if toks[j].is_clause_break() {
            break;
        }
    }
    Measure { kind, per, hints }
}

/// The measure a number counts: "50 attacks", "a dozen or more attacks per week",
/// "20,000 to 40,000 battle fatalities", "killed at least 50 members".
fn number_measure(toks: &[Token], n: &NumberMention) -> Option<Measure> {
    let mut people_at = None;
    for k in n.tok_end..(n.tok_end + 5).min(toks.len()) {
        if toks[k].is_clause_break()
            || matches!(word(toks, k), "than" | "in" | "of" | "since" | "per")
        {
            break;
        }
        if measure_word(word(toks, k)).is_some() {
            return Some(measure_from(toks, k));
        }
        if people_word(word(toks, k)) {
            people_at = Some(k);
            break;
        }
    }
    // "killed at least 50 …", "50 civilians were killed".
    let verb_before = (n.tok_start.saturating_sub(2)..n.tok_start).find(|&k| {
        matches!(
            measure_word(word(toks, k)),
            Some((MeasureKind::Fatalities | MeasureKind::Wounded, _))
        )
    });
    if let Some(k) = verb_before {
        return Some(measure_from(toks, k));
    }
    if let Some(p) = people_at {
        for k in p + 1..(p + 4).min(toks.len()) {
            if matches!(
                measure_word(word(toks, k)),
                Some((MeasureKind::Fatalities | MeasureKind::Wounded, _))
            ) {
                return Some(measure_from(toks, k));
            }
        }
    }
    None
}

/// A trend within `reach` tokens of `[a, b)`.
fn trend_near(trends: &[TrendMention], a: usize, b: usize, reach: usize) -> Option<usize> {
    trends
        .iter()
        .position(|t| t.tok_end + reach >= a && t.tok_start <= b + reach)
}

struct Draft {
    a: usize,
    b: usize,
    relation: Relation,
    subject: Option<Subject>,
    measure: Option<Measure>,
    hedge: Option<Hedge>,
    hypothetical: bool,
}

/// Analyse one sentence.
pub fn analyse_sentence(
    sentence: Sentence,
    ctx: &DateContext,
    lexicon: &dyn Lexicon,
) -> SentenceAnalysis {
    let toks = tokenize(&sentence.text);
    let n = toks.len();
    let periods = find_periods(&toks, ctx);
    let mut masked = vec![false; n];
    for p in &periods {
        masked[p.tok_start..p.tok_end]
            .iter_mut()
            .for_each(|m| *m = true);
    }
    let cues = find_cues(&toks, &masked);
    let mut masked2 = masked.clone();
    for c in &cues {
        masked2[c.tok_start..c.tok_end.min(n)]
            .iter_mut()
            .for_each(|m| *m = true);
    }
    let trends = find_trends(&toks, &masked2);
    let numbers = find_numbers(&toks, &masked2);

    let mut drafts: Vec<Draft> = Vec::new();
    let mut used_trends = vec![false; trends.len()];

    for c in &cues {
        let (a, b) = (c.tok_start, c.tok_end);
        let tr = trend_near(&trends, a, b, 3);
        let (relation, subj_range) = match &c.cue {
            Cue::Fold { factor, direction } => {
                let dir = tr
                    .map(|t| trends[t].direction)
                    .or(*direction)
                    .unwrap_or(Direction::Increase);
                (
                    Relation::Change {
                        factor: *factor,
                        direction: dir,
                    },
                    tr,
                )
            }
            Cue::PercentChange { percent, direction } => {
                let Some(dir) = tr.map(|t| trends[t].direction).or(*direction) else {
                    continue;
                };
                (
                    Relation::PercentChange {
                        percent: *percent,
                        direction: dir,
                    },
                    tr,
                )
            }
            Cue::Share { fraction, of } => (
                Relation::Share {
                    fraction: *fraction,
                    of: *of,
                },
                tr.filter(|_| *of == ShareOf::Baseline),
            ),
            Cue::Compare { kind } => (Relation::Comparison { kind: *kind }, None),
            Cue::Record { kind } => (Relation::Record { kind: *kind }, None),
        };
        if let Some(t) = subj_range {
            used_trends[t] = true;
        }
        // Shares look forward first ("more than half of attacks").
        // A measure word inside the cue itself: "more attacks than ever".
        let inside = (a..b.min(n)).find(|&k| measure_word(word(&toks, k)).is_some());
        let subject = match (&c.cue, subj_range) {
            _ if inside.is_some() => inside.map(Subject::Measure),
            // "surpassed IS-KP as the most active opposition": the object may be long.
            (Cue::Compare { .. }, _) => {
                find_subject(&toks, a, b, &masked).or_else(|| forward_within(&toks, b, &masked, 10))
            }
            (
                Cue::Share {
                    of: ShareOf::Total, ..
                },
                _,
            ) => forward_subject(&toks, b, &masked).or_else(|| find_subject(&toks, a, b, &masked)),
            (_, Some(t)) => find_subject(
                &toks,
                trends[t].tok_start.min(a),
                trends[t].tok_end.max(b),
                &masked,
            ),
            _ => find_subject(&toks, a, b, &masked),
        };
        let hedge = match &c.cue {
            Cue::Share { fraction, .. } if fraction.hi == Some(1.0) => Some(Hedge::MoreThan),
            _ => None,
        };
        drafts.push(Draft {
            a: a.min(subj_range.map(|t| trends[t].tok_start).unwrap_or(a)),
            b,
            relation,
            subject,
            measure: None,
            hedge,
            hypothetical: false,
        });
    }
    // "rose from 10 to 20 attacks", "fell from 40 to 10": a change with its factor.
    let mut from_to_spans: Vec<(usize, usize)> = Vec::new();
    for (ti, t) in trends.iter().enumerate() {
        let Some((k, a, b, e)) = (t.tok_end..(t.tok_end + 3).min(n)).find_map(|k| {
            if word(&toks, k) != "from" {
                return None;
            }
            let (a, ea, da, _) = number_at(&toks, k + 1)?;
            if word(&toks, ea) != "to" {
                return None;
            }
            let (b, eb, db, _) = number_at(&toks, ea + 1)?;
            Some((k, (a, da), (b, db), eb))
        }) else {
            continue;
        };
        let Some((factor, up)) = from_to(a, b) else {
            continue;
        };
        let direction = if up {
            Direction::Increase
        } else {
            Direction::Decrease
        };
        used_trends[ti] = true;
        from_to_spans.push((k, e));
        drafts.push(Draft {
            a: t.tok_start,
            b: e,
            relation: Relation::Change { factor, direction },
            subject: find_subject(&toks, t.tok_start, t.tok_end, &masked)
                .or_else(|| forward_subject(&toks, e, &masked)),
            measure: None,
            hedge: None,
            hypothetical: false,
        });
    }
    for num in &numbers {
        if num.percent
            || from_to_spans
                .iter()
                .any(|&(a, b)| num.tok_start >= a && num.tok_start < b)
        {
            continue;
        }
        if let Some(m) = number_measure(&toks, num) {
            drafts.push(Draft {
                a: num.tok_start,
                b: num.tok_end,
                relation: Relation::Level {
                    value: num.magnitude,
                },
                subject: None,
                measure: Some(m),
                hedge: Some(num.hedge),
                hypothetical: false,
            });
        }
    }
    for (ti, t) in trends.iter().enumerate() {
        if used_trends[ti] {
            continue;
        }
        drafts.push(Draft {
            a: t.tok_start,
            b: t.tok_end,
            relation: Relation::Direction {
                direction: t.direction,
                strength: t.strength,
            },
            subject: find_subject(&toks, t.tok_start, t.tok_end, &masked),
            measure: None,
            hedge: None,
            hypothetical: false,
        });
    }

    let signal =
        !drafts.is_empty() || !numbers.is_empty() || !trends.is_empty() || !cues.is_empty();
    let actors = lexicon.actors(&sentence.text);
    let places = lexicon.places(&sentence.text);
    let tok_of = |byte: usize| toks.iter().position(|t| t.span.end > byte).unwrap_or(n);

    let mut candidates = Vec::new();
    let mut topic: Option<&'static str> = None;
    let mut anaphora = false;
    let mut hypothetical = false;
    for mut d in drafts {
        d.hypothetical = modal_before(&toks, d.a);
        if d.hypothetical {
            hypothetical = true;
            continue;
        }
        let measure = match (d.measure, d.subject) {
            (Some(m), _) => m,
            (None, Some(Subject::Measure(k))) => measure_from(&toks, k),
            (None, Some(Subject::Topic(t))) => {
                topic.get_or_insert(t);
                continue;
            }
            (None, None) => continue,
        };
        // Periods: the resolved one nearest the signal is A.
        let resolved: Vec<(usize, &Period)> = periods
            .iter()
            .filter_map(|p| {
                p.resolved()
                    .map(|r| (dist(p.tok_start, p.tok_end, d.a, d.b), r))
            })
            .collect();
        let period_a = resolved.iter().min_by_key(|(dd, _)| *dd).map(|(_, p)| **p);
        let mut period_b = None;
        if let Some(a) = period_a {
            for p in &periods {
                if let PeriodValue::ShiftOfPrevious { months } = p.value {
                    period_b = a.shifted_back(months);
                }
            }
        }
        let unresolved_periods = periods
            .iter()
            .filter_map(|p| match &p.value {
                PeriodValue::Unresolved { reason } => Some(format!(
                    "{}: {reason}",
                    &sentence.text[p.span.start..p.span.end]
                )),
                _ => None,
            })
            .collect();
        let actor_refs: Vec<ActorRef> = actors
            .iter()
            .map(|m| {
                let k = tok_of(m.span.start);
                let ke = tok_of(m.span.end.saturating_sub(1)) + 1;
                ActorRef {
                    id: m.id.clone(),
                    surface: m.surface.clone(),
                    span: m.span,
                    role: role(&toks, k, ke),
                }
            })
            .collect();
        let default_scope = actor_refs.is_empty() && places.is_empty();
        if default_scope && anaphoric(&toks, d.a) {
            anaphora = true;
            continue;
        }
        let cue = Span::new(
            toks[d.a.min(n - 1)].span.start,
            toks[(d.b.max(d.a + 1) - 1).min(n - 1)].span.end,
        );
        candidates.push(AssertionCandidate {
            measure,
            relation: d.relation,
            actors: actor_refs,
            places: places.clone(),
            period_a,
            period_b,
            unresolved_periods,
            hedge: d.hedge,
            default_scope,
            cue,
            source: sentence.span,
        });
    }
    // Primary: the most specific relation first.
    candidates.sort_by_key(|c| rank(&c.relation));
    let class = if !candidates.is_empty() {
        let candidate = candidates.remove(0);
        Class::Checkable {
            candidate: Box::new(candidate),
            others: candidates,
        }
    } else if hypothetical {
        Class::NotCheckable {
            reason: Reason::Hypothetical,
            detail: None,
        }
    } else if anaphora {
        Class::NotCheckable {
            reason: Reason::NoActorOrPlace,
            detail: None,
        }
    } else if signal || topic.is_some() {
        // Name the topic if the subject search did not: the first unmeasured word.
        let topic = topic.or_else(|| toks.iter().find_map(|t| unmeasured_topic(&t.lower)));
        Class::NotCheckable {
            reason: Reason::NoMeasure,
            detail: topic.map(str::to_string),
        }
    } else {
        Class::NotCheckable {
            reason: Reason::NoSignal,
            detail: None,
        }
    };
    SentenceAnalysis {
        sentence,
        class,
        numbers,
        trends,
        cues,
        periods,
    }
}

fn dist(pa: usize, pb: usize, a: usize, b: usize) -> usize {
    if pb <= a {
        a - pb
    } else {
        pa.saturating_sub(b)
    }
}

fn rank(r: &Relation) -> u8 {
    match r {
        Relation::Change { .. } => 0,
        Relation::PercentChange { .. } => 1,
        Relation::Record { .. } => 2,
        Relation::Comparison { .. } => 3,
        Relation::Share { .. } => 4,
        Relation::Level { .. } => 5,
        Relation::Direction { .. } => 6,
    }
}

fn role(toks: &[Token], k: usize, ke: usize) -> Role {
    let mut p = k;
    while p > 0 && matches!(word(toks, p - 1), "the" | "a") {
        p -= 1;
    }
    if p > 0 && matches!(word(toks, p - 1), "on" | "against" | "targeting" | "upon") {
        return Role::Target;
    }
    if p > 0 && word(toks, p - 1) == "by" {
        return Role::Perpetrator;
    }
    if (ke..(ke + 2).min(toks.len())).any(|j| {
        matches!(measure_word(word(toks, j)), Some((MeasureKind::Events, _)))
            || matches!(
                word(toks, j),
                "launched" | "conducted" | "carried" | "claimed"
            )
    }) {
        return Role::Perpetrator;
    }
    Role::Mentioned
}

/// "the group", "this front", "its attacks" before the signal, in its clause.
fn anaphoric(toks: &[Token], a: usize) -> bool {
    let from = a.saturating_sub(10);
    (from..a).any(|k| {
        (matches!(word(toks, k), "the" | "this" | "that")
            && matches!(
                word(toks, k + 1),
                "group" | "front" | "movement" | "organisation" | "organization" | "council"
            ))
            || (word(toks, k) == "its" && measure_word(word(toks, k + 1)).is_some())
    })
}

/// A modal or conditional word shortly before the signal, in its clause: "could lead
/// to rising violence", "if attacks rise", "will probably increase".
fn modal_before(toks: &[Token], a: usize) -> bool {
    let mut k = a;
    let mut steps = 0;
    while k > 0 && steps < 4 {
        k -= 1;
        steps += 1;
        if toks[k].is_clause_break() {
            return false;
        }
        let w = toks[k].lower.as_str();
        if matches!(
            w,
            "could" | "would" | "might" | "will" | "if" | "unless" | "should"
        ) || (w == "may" && !toks[k].capital)
        {
            return true;
        }
    }
    false
}
