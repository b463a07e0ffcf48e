//! Views: the state of every subject after folding the journal up to a point.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sitrep_model::{Claim, IncidentRef, JournalEntry, Override};
use std::collections::BTreeMap;

/// Up to which point the journal is folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AsOf {
    /// Everything.
    #[default]
    Now,
    /// Entries made at or before this instant.
    Time(DateTime<Utc>),
    /// Entries up to and including this sequence number.
    Seq(u64),
}

impl AsOf {
    /// Parses `YYYY-MM-DD` (the end of that day, UTC), an RFC 3339 timestamp, or `#N` /
    /// `seq:N` (after journal entry N).
    pub fn parse(s: &str) -> Result<AsOf, String> {
        let s = s.trim();
        if let Some(n) = s.strip_prefix('#').or_else(|| s.strip_prefix("seq:")) {
            return n.parse().map(AsOf::Seq).map_err(|_| {
                format!(
                    "expected an entry number after `{}`, found {n:?}",
                    &s[..s.len() - n.len()]
                )
            });
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(AsOf::Time(t.with_timezone(&Utc)));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            let end = d
                .and_hms_nano_opt(23, 59, 59, 999_999_999)
                .expect("valid time")
                .and_utc();
            return Ok(AsOf::Time(end));
        }
        Err(format!(
            "expected --as-of as YYYY-MM-DD, an RFC 3339 time (2026-11-22T05:10:00Z) or #N (after journal entry N), found {s:?}"
        ))
    }

    /// True when `e` is inside the view.
    pub fn includes(&self, e: &JournalEntry) -> bool {
        match self {
            AsOf::Now => true,
            AsOf::Time(t) => e.at <= *t,
            AsOf::Seq(n) => e.seq <= *n,
        }
    }
}

/// Every subject's value after folding the journal ("subject ← after", in order).
#[derive(Debug, Clone, Default)]
pub struct View {
    subjects: BTreeMap<String, Value>,
    /// The last entry folded in (0 for none).
    pub last_seq: u64,
}

impl View {
    /// Folds `entries` up to `as_of`.
    pub fn build(entries: &[JournalEntry], as_of: AsOf) -> View {
        let mut v = View::default();
        for e in entries.iter().filter(|e| as_of.includes(e)) {
            v.apply(e);
        }
        v
    }

    /// Applies one entry.
    pub fn apply(&mut self, e: &JournalEntry) {
        for c in &e.changes {
            match &c.after {
                Some(a) => {
                    self.subjects.insert(c.subject.clone(), a.clone());
                }
                None => {
                    self.subjects.remove(&c.subject);
                }
            }
        }
        self.last_seq = e.seq;
    }

    /// A subject's current value.
    pub fn get(&self, subject: &str) -> Option<&Value> {
        self.subjects.get(subject)
    }

    /// Subjects whose key starts with `prefix`.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.subjects
            .range(prefix.to_string()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Every claim in force.
    pub fn claims(&self) -> Vec<Claim> {
        self.with_prefix("claim:")
            .filter_map(|(_, v)| serde_json::from_value(v.clone()).ok())
            .collect()
    }

    /// Claims in force, grouped by incident.
    pub fn claims_by_incident(&self) -> BTreeMap<IncidentRef, Vec<Claim>> {
        let mut m: BTreeMap<IncidentRef, Vec<Claim>> = BTreeMap::new();
        for c in self.claims() {
            m.entry(c.incident.clone()).or_default().push(c);
        }
        m
    }

    /// Overrides in force.
    pub fn overrides(&self) -> BTreeMap<IncidentRef, Override> {
        self.with_prefix("override:")
            .filter_map(|(k, v)| {
                let r = IncidentRef::parse(&k["override:".len()..])?;
                Some((r, serde_json::from_value(v.clone()).ok()?))
            })
            .collect()
    }
}

/// The subject key of a claim.
pub fn claim_subject(id: &str) -> String {
    format!("claim:{id}")
}

/// The subject key of an incident's verdict override.
pub fn override_subject(r: &IncidentRef) -> String {
    format!("override:{r}")
}
