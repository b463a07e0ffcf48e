//! Views: the state of every subject after folding the journal up to a point.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sitrep_model::{Claim, Decision, DecisionKind, IncidentRef, JournalEntry, Override, RecordRef};
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

impl View {
    /// Actor aliases analysts added, in subject order.
    pub fn aliases(&self) -> Vec<ActorAlias> {
        self.with_prefix("alias:")
            .filter_map(|(_, v)| serde_json::from_value(v.clone()).ok())
            .collect()
    }

    /// Match decisions in force (`match:<a>|<b>` subjects), as the matcher takes them.
    pub fn match_decisions(&self) -> Vec<Decision> {
        self.with_prefix("match:")
            .filter_map(|(k, v)| {
                let (a, b) = k["match:".len()..].split_once('|')?;
                let d: MatchValue = serde_json::from_value(v.clone()).ok()?;
                Some(Decision {
                    kind: if d.confirmed {
                        DecisionKind::Confirm
                    } else {
                        DecisionKind::Reject
                    },
                    a: RecordRef::parse(a)?,
                    b: RecordRef::parse(b)?,
                    by: d.by,
                    at: d.at,
                    why: d.why,
                })
            })
            .collect()
    }
}

/// The value of a `match:` subject.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchValue {
    /// Linked (true) or kept apart (false).
    pub confirmed: bool,
    /// Who decided (older entries leave it to the entry's user).
    #[serde(default)]
    pub by: String,
    /// When (RFC 3339).
    #[serde(default)]
    pub at: String,
    /// Why.
    #[serde(default)]
    pub why: String,
}

/// The subject key of a match decision (the pair in canonical order).
pub fn match_subject(d: &Decision) -> String {
    let (a, b) = d.key();
    format!("match:{a}|{b}")
}

/// An actor alias an analyst added: a name some source uses for a registry actor,
/// optionally scoped to a country and a period. Journal subject `alias:<actor>|<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorAlias {
    /// The registry actor's id.
    pub actor: String,
    /// The name as sources write it.
    pub name: String,
    /// Only for records in this country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Only from this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Only up to this day (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// A note shown with the alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The subject key of an actor alias.
pub fn alias_subject(a: &ActorAlias) -> String {
    format!("alias:{}|{}", a.actor, a.name)
}

/// Aliases as a registry file of `[[alias]]` tables (what `Registry::bundled_with`
/// reads).
pub fn aliases_toml(aliases: &[ActorAlias]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        alias: &'a [ActorAlias],
    }
    toml::to_string(&Doc { alias: aliases }).unwrap_or_default()
}

/// The subject key of a claim.
pub fn claim_subject(id: &str) -> String {
    format!("claim:{id}")
}

/// The subject key of an incident's verdict override.
pub fn override_subject(r: &IncidentRef) -> String {
    format!("override:{r}")
}
