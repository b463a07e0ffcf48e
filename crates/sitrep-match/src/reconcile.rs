//! One incident from a cluster of records: ranges across members and disagreements.

use crate::prep::normalise;
use sitrep_model::{Cluster, Fatalities, MatchRecord};
use std::collections::BTreeMap;

/// Reconciles the records `members` (indices into `records`) into a [`Cluster`].
///
/// The primary member is the most precise (date precision, then place precision, then
/// the smallest reference); its fields represent the incident. Dates span every
/// member; fatalities take the lowest low, the primary's best and the highest high.
/// A disagreement is listed for event type, each actor (by resolved id where both
/// have one, else by normalised name), best fatality figure, first day and province.
pub fn reconcile(records: &[MatchRecord], members: &[usize]) -> Cluster {
    let mut ms: Vec<&MatchRecord> = members.iter().map(|&i| &records[i]).collect();
    ms.sort_by(|a, b| {
        (a.date_precision, a.geo_precision, &a.event).cmp(&(
            b.date_precision,
            b.geo_precision,
            &b.event,
        ))
    });
    let primary = ms[0];
    let mut sources: Vec<&str> = ms.iter().map(|r| r.event.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    let lows = ms.iter().filter_map(|r| r.fatalities.low);
    let highs: Vec<Option<u64>> = ms.iter().map(|r| r.fatalities.high).collect();
    let bests: Vec<u64> = ms.iter().filter_map(|r| r.fatalities.best).collect();
    let fatalities = Fatalities {
        low: lows.min(),
        best: primary.fatalities.best,
        // Unknown if any member leaves its high open: the range is open above.
        high: if highs.iter().all(Option::is_some) {
            highs.iter().flatten().copied().max()
        } else {
            None
        },
    };
    let mut disagreements = Vec::new();
    let mut check = |field: &str, value: &dyn Fn(&MatchRecord) -> Option<String>| {
        let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut shown: BTreeMap<String, String> = BTreeMap::new();
        for r in &ms {
            if let Some(v) = value(r) {
                let k = normalise(&v);
                seen.entry(k.clone()).or_default().push(&r.event.source);
                shown.entry(k).or_insert(v);
            }
        }
        if seen.len() > 1 {
            // Each value with the sources that give it, in order of source name.
            let mut parts: Vec<(Vec<&str>, &String)> = seen
                .iter()
                .map(|(k, srcs)| {
                    let mut s = srcs.clone();
                    s.sort_unstable();
                    s.dedup();
                    (s, &shown[k])
                })
                .collect();
            parts.sort();
            let parts: Vec<String> = parts
                .into_iter()
                .map(|(s, v)| format!("{}={v}", s.join(",")))
                .collect();
            disagreements.push(format!("{field}: {}", parts.join(" | ")));
        }
    };
    check("event_type", &|r| Some(r.event_type.as_str().to_string()));
    for k in 0..2 {
        let both_ids = ms.iter().all(|r| r.actor_ids[k].is_some());
        let field = if k == 0 { "actor1" } else { "actor2" };
        if both_ids {
            check(field, &|r| r.actor_ids[k].clone());
        } else {
            check(field, &|r| r.actors[k].clone());
        }
    }
    check("fatalities_best", &|r| {
        r.fatalities.best.map(|b| b.to_string())
    });
    check("date_start", &|r| Some(r.date_start.to_string()));
    check("province", &|r| r.province.clone());
    Cluster {
        id: primary.event.to_string(),
        primary: primary.record_id.clone(),
        members: ms.iter().map(|r| r.record_id.clone()).collect(),
        corroboration: sources.len() as u32,
        date_start: ms.iter().map(|r| r.date_start).min().expect("members"),
        date_end: ms.iter().map(|r| r.date_end).max().expect("members"),
        fatalities,
        best_range: bests.iter().min().copied().zip(bests.iter().max().copied()),
        disagreements,
    }
}
