//! Claims of responsibility, Admiralty grades, attribution verdicts, journal entries
//! and user roles: the types the claims ledger (sitrep-claims), the server and the CLI
//! share. No I/O and no rules here; sitrep-claims computes verdicts and keeps the
//! journal.

use crate::figure::Attribution;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which incident a claim is about: a source record's identity (`source` and the
/// source's own event id), stable across versions of the record. Written
/// `source:event_id` (the first `:` separates).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct IncidentRef {
    /// Source name given at ingest (`curated-afg`, `ucdp-ged251`, `gtd`).
    pub source: String,
    /// The source's own event id.
    pub event_id: String,
}

impl IncidentRef {
    /// A reference from its two parts.
    pub fn new(source: impl Into<String>, event_id: impl Into<String>) -> IncidentRef {
        IncidentRef {
            source: source.into(),
            event_id: event_id.into(),
        }
    }
    /// Parses `source:event_id`.
    pub fn parse(s: &str) -> Option<IncidentRef> {
        let (src, id) = s.split_once(':')?;
        let (src, id) = (src.trim(), id.trim());
        (!src.is_empty() && !id.is_empty()).then(|| IncidentRef::new(src, id))
    }
}

impl fmt::Display for IncidentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.event_id)
    }
}

impl From<IncidentRef> for String {
    fn from(r: IncidentRef) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for IncidentRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IncidentRef::parse(&s)
            .ok_or_else(|| format!("expected an incident as SOURCE:EVENT_ID, found {s:?}"))
    }
}

/// What a claim says about who is responsible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// The claimant says it did it (or a state acknowledges its own operation).
    Claims,
    /// The claimant says it did not do it.
    Denies,
    /// The claimant (officials, witnesses, a rights group) says `target` did it.
    Attributes,
    /// The claimant contradicts another account on substance (who fired first, whether
    /// the claimed attack happened) without naming a perpetrator.
    Disputes,
    /// The claimant describes the act or its authors ("criminals", "mine explosion")
    /// without taking or assigning responsibility. Never decides a verdict.
    Frames,
}

impl Stance {
    /// All stances, in display order.
    pub const ALL: [Stance; 5] = [
        Stance::Claims,
        Stance::Denies,
        Stance::Attributes,
        Stance::Disputes,
        Stance::Frames,
    ];
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Claims => "claims",
            Stance::Denies => "denies",
            Stance::Attributes => "attributes",
            Stance::Disputes => "disputes",
            Stance::Frames => "frames",
        }
    }
    /// Parses a name (`claims`, `denies`, `attributes`, `disputes`, `frames`; also
    /// `claim`, `deny`, `attribute`, `dispute`, `frame`).
    pub fn parse(s: &str) -> Option<Stance> {
        let s = s.trim().to_ascii_lowercase();
        Stance::ALL
            .into_iter()
            .find(|st| st.as_str() == s || st.as_str().trim_end_matches('s') == s)
            .or(match s.as_str() {
                "deny" => Some(Stance::Denies),
                _ => None,
            })
    }
}

/// How a claim was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A written statement or communiqué (Amaq, a ministry statement).
    Statement,
    /// A post on social media or a messaging channel (Telegram, X).
    SocialMedia,
    /// A video.
    Video,
    /// A named spokesperson speaking (press conference, interview).
    Spokesperson,
    /// Reported by the media without a primary statement.
    MediaReport,
    /// Not stated.
    #[default]
    Unknown,
}

impl Channel {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Statement => "statement",
            Channel::SocialMedia => "social_media",
            Channel::Video => "video",
            Channel::Spokesperson => "spokesperson",
            Channel::MediaReport => "media_report",
            Channel::Unknown => "unknown",
        }
    }
    /// Parses a channel name, or guesses one from a free-text description ("Amaq
    /// statement on Telegram" → social media; "press conference" → spokesperson).
    /// Order of the guesses: video, social media, spokesperson, statement, media.
    pub fn guess(s: &str) -> Channel {
        let l = s.trim().to_ascii_lowercase();
        if l.is_empty() {
            return Channel::Unknown;
        }
        for c in [
            Channel::Statement,
            Channel::SocialMedia,
            Channel::Video,
            Channel::Spokesperson,
            Channel::MediaReport,
            Channel::Unknown,
        ] {
            if l == c.as_str() || l.replace(' ', "_") == c.as_str() {
                return c;
            }
        }
        let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
        if has(&["video"]) {
            Channel::Video
        } else if has(&[
            "telegram", "twitter", "x (", "x/", "social", "facebook", "website", "post",
        ]) {
            Channel::SocialMedia
        } else if has(&[
            "spokes",
            "press conference",
            "interview",
            "address",
            "told",
            "officials to media",
        ]) {
            Channel::Spokesperson
        } else if has(&[
            "statement",
            "amaq",
            "communiqu",
            "letter",
            "naba",
            "confirmation",
        ]) {
            Channel::Statement
        } else if has(&["media", "report", "via", "relayed", "sources"]) {
            Channel::MediaReport
        } else {
            Channel::Unknown
        }
    }
}

/// Reliability of a source (Admiralty/NATO code, letter): A completely reliable …
/// E unreliable, F cannot be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reliability {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged.
    F,
}

/// Credibility of a piece of information (Admiralty/NATO code, digit): 1 confirmed …
/// 5 improbable, 6 cannot be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Credibility {
    /// Confirmed by other sources.
    #[serde(rename = "1")]
    Confirmed,
    /// Probably true.
    #[serde(rename = "2")]
    Probable,
    /// Possibly true.
    #[serde(rename = "3")]
    Possible,
    /// Doubtful.
    #[serde(rename = "4")]
    Doubtful,
    /// Improbable.
    #[serde(rename = "5")]
    Improbable,
    /// Truth cannot be judged.
    #[serde(rename = "6")]
    Unknown,
}

/// An Admiralty grade such as `B2`: the reporting source's reliability and the
/// information's credibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Grade {
    /// A–F.
    pub reliability: Reliability,
    /// 1–6.
    pub credibility: Credibility,
}

impl Grade {
    /// `F6`: nothing can be judged. The grade of a claim nobody graded.
    pub const UNGRADED: Grade = Grade {
        reliability: Reliability::F,
        credibility: Credibility::Unknown,
    };

    /// Parses `B2`, `b2`, `B-2` or `B 2`.
    pub fn parse(s: &str) -> Option<Grade> {
        let t: Vec<char> = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '/'))
            .collect();
        if t.len() != 2 {
            return None;
        }
        let reliability = match t[0].to_ascii_uppercase() {
            'A' => Reliability::A,
            'B' => Reliability::B,
            'C' => Reliability::C,
            'D' => Reliability::D,
            'E' => Reliability::E,
            'F' => Reliability::F,
            _ => return None,
        };
        let credibility = match t[1] {
            '1' => Credibility::Confirmed,
            '2' => Credibility::Probable,
            '3' => Credibility::Possible,
            '4' => Credibility::Doubtful,
            '5' => Credibility::Improbable,
            '6' => Credibility::Unknown,
            _ => return None,
        };
        Some(Grade {
            reliability,
            credibility,
        })
    }

    /// How much a claim with this grade weighs, 0–1: the product of a reliability
    /// factor (A 1.0, B 0.8, C 0.6, D 0.4, E 0.2, F 0.5) and a credibility factor
    /// (1 1.0, 2 0.8, 3 0.6, 4 0.4, 5 0.2, 6 0.5). "Cannot be judged" sits at the
    /// midpoint: it neither supports nor undermines.
    pub fn weight(self) -> f64 {
        let r = match self.reliability {
            Reliability::A => 1.0,
            Reliability::B => 0.8,
            Reliability::C => 0.6,
            Reliability::D => 0.4,
            Reliability::E => 0.2,
            Reliability::F => 0.5,
        };
        let c = match self.credibility {
            Credibility::Confirmed => 1.0,
            Credibility::Probable => 0.8,
            Credibility::Possible => 0.6,
            Credibility::Doubtful => 0.4,
            Credibility::Improbable => 0.2,
            Credibility::Unknown => 0.5,
        };
        r * c
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = match self.credibility {
            Credibility::Confirmed => '1',
            Credibility::Probable => '2',
            Credibility::Possible => '3',
            Credibility::Doubtful => '4',
            Credibility::Improbable => '5',
            Credibility::Unknown => '6',
        };
        write!(f, "{:?}{c}", self.reliability)
    }
}

impl From<Grade> for String {
    fn from(g: Grade) -> String {
        g.to_string()
    }
}

impl TryFrom<String> for Grade {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Grade::parse(&s).ok_or_else(|| {
            format!("expected an Admiralty grade such as B2 (A-F then 1-6), found {s:?}")
        })
    }
}

impl Default for Grade {
    fn default() -> Self {
        Grade::UNGRADED
    }
}

/// One statement about who is responsible for an incident, as reported by a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Stable id (imported claims: derived from source row and rule; added claims:
    /// from their content and time).
    pub id: String,
    /// The incident the claim is about.
    pub incident: IncidentRef,
    /// Who makes the statement, as the source names them (`IS-KP`, `Taliban (IEA)`,
    /// `Amnesty International`); empty when the source does not say.
    pub claimant: String,
    /// The claimant's canonical actor id when the registry knows the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimant_id: Option<String>,
    /// Others named as claiming jointly with the claimant (`ALF + NRF`): one claim,
    /// not competing ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint: Vec<String>,
    /// What the claim says.
    pub stance: Stance,
    /// For [`Stance::Attributes`] (and optionally [`Stance::Denies`]): who is said to
    /// be responsible, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The target's canonical actor id when the registry knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// When the claim was made, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// How it was made.
    #[serde(default)]
    pub channel: Channel,
    /// The channel as the source describes it ("Amaq statement on Telegram").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel_text: String,
    /// The reporting source (outlet, dataset, analyst log).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reported_by: String,
    /// URL or other reference of the report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// The reporting source's Admiralty grade.
    #[serde(default)]
    pub grade: Grade,
    /// The claim's wording or a summary of it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub statement: String,
}

impl Claim {
    /// Refuses a claim that says nothing checkable: a `claims` or `denies` statement
    /// needs its claimant, an `attributes` statement its target (who is held
    /// responsible). The ledger enforces it on every write (add, edit, import), so
    /// every entry point refuses the same claims with the same words.
    ///
    /// ```
    /// use sitrep_model::{Claim, Stance};
    /// let mut c: Claim = serde_json::from_value(serde_json::json!({
    ///     "id": "c1", "incident": "ucdp:1", "claimant": "", "stance": "claims"
    /// })).unwrap();
    /// assert_eq!(c.validate().unwrap_err(), "a `claims` claim needs a claimant (who makes the statement)");
    /// c.claimant = "IS-KP".into();
    /// assert!(c.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        match self.stance {
            Stance::Claims | Stance::Denies if self.claimant.trim().is_empty() => Err(format!(
                "a `{}` claim needs a claimant (who makes the statement)",
                self.stance.as_str()
            )),
            Stance::Attributes if self.target.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                Err("an `attributes` claim needs a target (who is held responsible)".into())
            }
            _ => Ok(()),
        }
    }
}

/// How sure a verdict is, from the grades of the claims behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    /// Below 0.4.
    Low,
    /// 0.4 up to 0.7.
    Medium,
    /// 0.7 and above.
    High,
}

impl ConfidenceLevel {
    /// The level of a score in 0–1.
    pub fn of(score: f64) -> ConfidenceLevel {
        if score >= 0.7 {
            ConfidenceLevel::High
        } else if score >= 0.4 {
            ConfidenceLevel::Medium
        } else {
            ConfidenceLevel::Low
        }
    }
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfidenceLevel::Low => "low",
            ConfidenceLevel::Medium => "medium",
            ConfidenceLevel::High => "high",
        }
    }
}

/// The attribution of one incident: computed from its records and claims, possibly
/// overridden by an analyst (the computed verdict stays beside the override).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The incident.
    pub incident: IncidentRef,
    /// Attributed, claimed, contested or unattributed.
    pub status: Attribution,
    /// The actor held responsible (attributed, claimed), canonical id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// 0–1, from the grades of the claims behind the verdict.
    pub confidence: f64,
    /// The band of `confidence`.
    pub level: ConfidenceLevel,
    /// One line a reader can check against the claims: what decided the verdict.
    pub basis: String,
    /// Ids of the claims that decided it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<String>,
}

/// An analyst's override of a computed verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// The verdict the analyst sets.
    pub status: Attribution,
    /// The actor held responsible, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Who set it.
    pub user: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What an analyst did, as recorded in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Claims read from a file or a mapped source.
    ClaimsImported,
    /// A claim added by hand.
    ClaimAdded,
    /// A claim changed.
    ClaimEdited,
    /// A claim withdrawn (kept in history, no longer counted).
    ClaimRetracted,
    /// A verdict overridden.
    VerdictOverridden,
    /// An override removed: the computed verdict applies again.
    OverrideCleared,
    /// A cross-source match confirmed.
    MatchConfirmed,
    /// A cross-source match rejected.
    MatchRejected,
    /// An actor alias added.
    ActorAliasAdded,
    /// Incidents merged.
    IncidentMerged,
    /// An incident split.
    IncidentSplit,
    /// An earlier entry undone (its changes reversed).
    Undo,
}

impl Action {
    /// The name used in the journal (`claim_added` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ClaimsImported => "claims_imported",
            Action::ClaimAdded => "claim_added",
            Action::ClaimEdited => "claim_edited",
            Action::ClaimRetracted => "claim_retracted",
            Action::VerdictOverridden => "verdict_overridden",
            Action::OverrideCleared => "override_cleared",
            Action::MatchConfirmed => "match_confirmed",
            Action::MatchRejected => "match_rejected",
            Action::ActorAliasAdded => "actor_alias_added",
            Action::IncidentMerged => "incident_merged",
            Action::IncidentSplit => "incident_split",
            Action::Undo => "undo",
        }
    }
}

/// One subject's value before and after an entry. Subjects are namespaced keys:
/// `claim:<id>`, `override:<source:event_id>`, `match:<a>|<b>`, `alias:<actor>|<name>`.
/// `None` means "absent". Views are the fold "subject ← after" over the journal, so
/// any crate can record its decisions here without this crate knowing their shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The subject key.
    pub subject: String,
    /// Its value before the entry (JSON), `None` if absent.
    pub before: Option<serde_json::Value>,
    /// Its value after the entry (JSON), `None` if removed.
    pub after: Option<serde_json::Value>,
}

/// One durable, append-only journal entry: who did what, when, why, with the values
/// before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// 1, 2, 3… in journal order (assigned on append).
    pub seq: u64,
    /// When it was appended (assigned on append).
    pub at: DateTime<Utc>,
    /// The authenticated user (or the OS user for the CLI).
    pub user: String,
    /// What was done.
    pub action: Action,
    /// Why (free text; required for overrides and undo).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// For [`Action::Undo`]: the entry undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<u64>,
    /// The subjects changed.
    pub changes: Vec<Change>,
}

impl JournalEntry {
    /// A new entry (seq and time are set when it is appended).
    pub fn new(user: impl Into<String>, action: Action, reason: impl Into<String>) -> Self {
        JournalEntry {
            seq: 0,
            at: DateTime::<Utc>::MIN_UTC,
            user: user.into(),
            action,
            reason: reason.into(),
            undoes: None,
            changes: Vec::new(),
        }
    }
    /// Adds one change.
    pub fn change(
        mut self,
        subject: impl Into<String>,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        self.changes.push(Change {
            subject: subject.into(),
            before,
            after,
        });
        self
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read everything the server serves.
    Viewer,
    /// Also add and edit claims, override verdicts, undo entries.
    Analyst,
    /// Also manage users.
    Admin,
}

impl Role {
    /// `viewer`, `analyst` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
    /// True when this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_parse_print_and_weigh() {
        let g = Grade::parse("b-2").unwrap();
        assert_eq!(g.to_string(), "B2");
        assert!((g.weight() - 0.64).abs() < 1e-9);
        assert!(Grade::parse("G1").is_none());
        assert!(Grade::parse("A7").is_none());
        assert!(Grade::parse("A12").is_none());
        let j = serde_json::to_string(&g).unwrap();
        assert_eq!(j, "\"B2\"");
    }

    #[test]
    fn stances_and_channels_parse() {
        assert_eq!(Stance::parse("deny"), Some(Stance::Denies));
        assert_eq!(Stance::parse("Claims"), Some(Stance::Claims));
        assert_eq!(Stance::parse("claim"), Some(Stance::Claims));
        assert_eq!(Stance::parse("blames"), None);
        assert_eq!(Channel::guess("Amaq"), Channel::Statement);
        assert_eq!(Channel::guess("Telegram statement"), Channel::SocialMedia);
        assert_eq!(Channel::guess("video/statement"), Channel::Video);
        assert_eq!(
            Channel::guess("press conference / Twitter"),
            Channel::SocialMedia
        );
        assert_eq!(Channel::guess(""), Channel::Unknown);
    }

    #[test]
    fn incident_refs_round_trip_and_roles_order() {
        let r = IncidentRef::parse("curated-afg:AFG-CUR-0006").unwrap();
        assert_eq!(r.event_id, "AFG-CUR-0006");
        assert_eq!(IncidentRef::parse("nocolon"), None);
        assert!(Role::Admin.allows(Role::Analyst));
        assert!(!Role::Viewer.allows(Role::Analyst));
    }
}
