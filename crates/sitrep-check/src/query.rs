//! Assertion → query: the [`Filters`] a claim speaks about, its periods as inclusive
//! [`Period`]s, the reasonable variants of both, and how a reader re-runs the query
//! (an `/explore` URL and a `sitrep series` command line).
//!
//! **Scope.** The country is the theatre ([`crate::lexicon::COUNTRY`]). Event types
//! are the violent ones ([`crate::rules::VIOLENT_TYPES`]). Actors: the perpetrators the
//! sentence names ("NRF attacks", "attacks by IS-KP"), the one nearest the claim when
//! several; else the targets ("attacks on Taliban personnel"); else every actor
//! named. The actor filter matches either side (`role = any`): sources' sides A/B are
//! not perpetrator/target. Places: provinces (ISO codes), districts, and compass
//! regions mapped to the gazetteer's regions by [`COMPASS`].
//!
//! **Periods.** The extractor's half-open `[start, end)` becomes the inclusive
//! `start ..= end − 1 day`.

use crate::rules::{BOUNDARY_SHIFT_MONTHS, VIOLENT_TYPES};
use chrono::{Days, Months, NaiveDate};
use sitrep_extract::measure::EventHint;
use sitrep_extract::{AssertionCandidate, MatchKind, Role as TextRole};
use sitrep_model::figure::{Filters, Measure, Period};
use sitrep_model::EventType;
use sitrep_resolve::Gazetteer;

/// Compass words → the bundled gazetteer's regions (UN OCHA's eight).
pub const COMPASS: &[(&str, &[&str])] = &[
    ("north", &["Northern", "North-Eastern"]),
    ("northeast", &["North-Eastern"]),
    ("northwest", &["Northern"]),
    ("east", &["Eastern"]),
    ("southeast", &["South-Eastern"]),
    ("south", &["Southern"]),
    ("southwest", &["Southern"]),
    ("west", &["Western"]),
];

/// The claim's scope as filters without dates, or why it has none.
pub fn scope(
    c: &AssertionCandidate,
    gazetteer: &Gazetteer,
    country: &str,
) -> Result<Filters, String> {
    let mut f = Filters {
        countries: vec![country.to_string()],
        event_types: VIOLENT_TYPES.to_vec(),
        ..Filters::default()
    };
    f.actors = actor_ids(c);
    let known = sitrep_resolve::filters::regions(gazetteer);
    for p in &c.places {
        if let Some(dir) = p.id.strip_prefix("region:") {
            let Some((_, regions)) = COMPASS.iter().find(|(d, _)| *d == dir) else {
                return Err(format!("no region of the gazetteer for \"{}\"", p.surface));
            };
            for r in *regions {
                if !known.iter().any(|k| k == r) {
                    return Err(format!(
                        "\"{}\" maps to region {r}, which the gazetteer's grouping does not have",
                        p.surface
                    ));
                }
                if !f.regions.iter().any(|x| x == r) {
                    f.regions.push(r.to_string());
                }
            }
        } else if let Some(d) = p.id.strip_prefix("district:") {
            f.districts.push(d.to_string());
        } else if p.id.starts_with("country:") {
        } else if p.kind == MatchKind::Place && !f.provinces.contains(&p.id) {
            f.provinces.push(p.id.clone());
        }
    }
    Ok(f)
}

/// The actors a claim is about (see the module doc).
pub fn actor_ids(c: &AssertionCandidate) -> Vec<String> {
    let by = |role: TextRole| -> Vec<&sitrep_extract::ActorRef> {
        c.actors.iter().filter(|a| a.role == role).collect()
    };
    let perps = by(TextRole::Perpetrator);
    let chosen: Vec<&sitrep_extract::ActorRef> = if perps.len() > 1 {
        let d = |a: &&&sitrep_extract::ActorRef| {
            let (s, e) = (a.span.start, a.span.end);
            if e <= c.cue.start {
                c.cue.start - e
            } else {
                s.saturating_sub(c.cue.end)
            }
        };
        perps.iter().min_by_key(d).into_iter().copied().collect()
    } else if perps.len() == 1 {
        perps
    } else if !by(TextRole::Target).is_empty() {
        by(TextRole::Target)
    } else {
        c.actors.iter().collect()
    };
    let mut ids: Vec<String> = Vec::new();
    for a in chosen {
        if !ids.contains(&a.id) {
            ids.push(a.id.clone());
        }
    }
    ids
}

/// The closest single event type the claim's words name, if narrower than all
/// violent types ("battles" → battle; "bombings" → explosion).
pub fn closest_types(c: &AssertionCandidate) -> Option<Vec<EventType>> {
    let h = &c.measure.hints;
    if h.is_empty() || h.contains(&EventHint::Violence) || h.contains(&EventHint::Attacks) {
        return None;
    }
    let mut t = Vec::new();
    if h.contains(&EventHint::Battles) {
        t.push(EventType::Battle);
    }
    if h.contains(&EventHint::Explosions) {
        t.push(EventType::Explosion);
    }
    (!t.is_empty() && t.len() < VIOLENT_TYPES.len()).then_some(t)
}

/// The extractor's half-open period as an inclusive one.
pub fn inclusive(p: &sitrep_extract::Period) -> Option<Period> {
    Period::new(p.start, p.end.checked_sub_days(Days::new(1))?)
}

/// `p` moved by `months` (negative: earlier).
pub fn shift(p: Period, months: i32) -> Option<Period> {
    let m = Months::new(months.unsigned_abs());
    let mv = |d: NaiveDate| {
        if months < 0 {
            d.checked_sub_months(m)
        } else {
            d.checked_add_months(m)
        }
    };
    Period::new(mv(p.from)?, mv(p.to)?)
}

/// A period variant: a label and the shift in months (0 = as written).
pub fn boundary_shifts() -> [(i32, &'static str); 3] {
    let m = BOUNDARY_SHIFT_MONTHS as i32;
    [
        (0, "as written"),
        (-m, "boundaries 1 month earlier"),
        (m, "boundaries 1 month later"),
    ]
}

/// The period of the same length right before `p`.
pub fn preceding(p: Period) -> Option<Period> {
    let days = p.days();
    let to = p.from.checked_sub_days(Days::new(1))?;
    let from = p.from.checked_sub_days(Days::new(days as u64))?;
    Period::new(from, to)
}

/// How a reader re-runs a query.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueryRef {
    /// The filters, dates included (period A, or A through B's span).
    pub filters: Filters,
    /// What is summed.
    pub measure: &'static str,
    /// The dashboard's explore page on these filters.
    pub explore_url: String,
    /// The same series on the command line.
    pub series_command: String,
}

/// Percent-encodes a URL query value.
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::Incidents => "incidents",
        Measure::FatalitiesLow => "fatalities_low",
        Measure::FatalitiesBest => "fatalities_best",
        Measure::FatalitiesHigh => "fatalities_high",
        Measure::CivilianDeaths => "civilian_deaths",
    }
}

fn shell_quote(v: &str) -> String {
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.,:/".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// The explore URL and `sitrep series` command for `filters` and `measure`.
pub fn query_ref(filters: &Filters, measure: Measure) -> QueryRef {
    let pairs = filters.to_query_pairs();
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let explore_url = format!("/explore?{}", q.join("&"));
    let mut cmd = vec!["sitrep series".to_string()];
    for (k, v) in &pairs {
        let flag = match *k {
            "coarsest_geo" => "coarsest-geo",
            "coarsest_date" => "coarsest-date",
            "actor_match" => "actor-match",
            "source_type" => "source-type",
            "distance_band" => "distance-band",
            k => k,
        };
        cmd.push(format!("--{flag} {}", shell_quote(v)));
    }
    cmd.push("--bucket week".into());
    cmd.push(format!("--measure {}", measure_name(measure)));
    QueryRef {
        filters: filters.clone(),
        measure: measure_name(measure),
        explore_url,
        series_command: cmd.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        let p = Period::new(d("2021-08-15"), d("2022-06-14")).unwrap();
        assert_eq!(shift(p, -1), Period::new(d("2021-07-15"), d("2022-05-14")));
        assert_eq!(preceding(p), Period::new(d("2020-10-15"), d("2021-08-14")));
        let half_open = sitrep_extract::Period::new(
            d("2022-01-01"),
            d("2022-07-01"),
            sitrep_extract::Precision::Month,
        );
        assert_eq!(
            inclusive(&half_open),
            Period::new(d("2022-01-01"), d("2022-06-30"))
        );
    }

    #[test]
    fn urls_and_commands() {
        let f = Filters {
            from: Some(d("2022-03-01")),
            to: Some(d("2022-05-31")),
            countries: vec!["Afghanistan".into()],
            actors: vec!["nrf".into()],
            regions: vec!["North-Eastern".into()],
            event_types: vec![EventType::Battle],
            ..Filters::default()
        };
        let q = query_ref(&f, Measure::Incidents);
        assert_eq!(q.explore_url, "/explore?from=2022-03-01&to=2022-05-31&country=Afghanistan&type=battle&region=North-Eastern&actor=nrf");
        assert_eq!(q.series_command, "sitrep series --from 2022-03-01 --to 2022-05-31 --country Afghanistan --type battle --region North-Eastern --actor nrf --bucket week --measure incidents");
    }
}

/// What a share of a total ("more than half of attacks … cannot be attributed") is a
/// share of, and which part it counts (the rules: `sitrep_extract::tolerance`).
#[derive(Debug, Clone, PartialEq)]
pub struct SharePart {
    /// The total: the claim's scope.
    pub whole: Filters,
    /// The part: the scope and what the words after the cue select.
    pub part: Filters,
    /// The part in words ("unattributed", "actor is-kp").
    pub label: String,
}

/// The whole and the part of a share claim, or why sitrep cannot select the part.
/// `sentence` is the sentence the candidate's spans point into.
pub fn share_part(
    c: &AssertionCandidate,
    scope: &Filters,
    sentence: &str,
) -> Result<SharePart, String> {
    use sitrep_model::query::Attribution;
    let after = sentence.get(c.cue.end..).unwrap_or("");
    let perps: Vec<&sitrep_extract::ActorRef> = c
        .actors
        .iter()
        .filter(|a| a.role == TextRole::Perpetrator && a.span.start >= c.cue.end)
        .collect();
    if !perps.is_empty() {
        let ids: Vec<String> = perps.iter().map(|a| a.id.clone()).collect();
        let mut whole = scope.clone();
        whole.actors.retain(|a| !ids.contains(a));
        if !whole.actors.is_empty() {
            return Err(format!(
                "a share of {}'s incidents among those of {}: sitrep selects incidents of any of several actors, not of both",
                ids.join(", "),
                whole.actors.join(", ")
            ));
        }
        let mut part = whole.clone();
        part.actors = ids.clone();
        return Ok(SharePart {
            whole,
            part,
            label: format!("incidents of {}", ids.join(", ")),
        });
    }
    if let Some(unattributed) = sitrep_extract::tolerance::share_part_attribution(after) {
        let mut part = scope.clone();
        part.attribution = if unattributed {
            vec![Attribution::Unattributed]
        } else {
            vec![Attribution::Claimed, Attribution::Contested]
        };
        return Ok(SharePart {
            whole: scope.clone(),
            part,
            label: if unattributed {
                "attribution unattributed".into()
            } else {
                "attribution claimed or contested".into()
            },
        });
    }
    let places: Vec<&sitrep_extract::Match> = c
        .places
        .iter()
        .filter(|p| p.span.start >= c.cue.end && !p.id.starts_with("country:"))
        .collect();
    if !places.is_empty() {
        let mut whole = scope.clone();
        whole.provinces.clear();
        whole.regions.clear();
        whole.districts.clear();
        let before: Vec<sitrep_extract::Match> = c
            .places
            .iter()
            .filter(|p| p.span.start < c.cue.end)
            .cloned()
            .collect();
        if !before.is_empty() {
            return Err(
                "a share of one place's incidents within another's: no query for it".into(),
            );
        }
        return Ok(SharePart {
            whole,
            part: scope.clone(),
            label: format!(
                "incidents in {}",
                places
                    .iter()
                    .map(|p| p.surface.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Err("a share of a part sitrep cannot select (the words after the share name no actor, place or attribution): no query for it".into())
}
