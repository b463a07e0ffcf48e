//! The ledger of one store: its journal, its users, and the operations analysts make.

use crate::journal::{Journal, Verified};
use crate::rules::{claim_id, ClaimRules, Row};
use crate::users::Users;
use crate::verdict::{compute, RecordActor};
use crate::view::{
    alias_subject, claim_subject, match_subject, override_subject, ActorAlias, AsOf, MatchValue,
    View,
};
use crate::ClaimsError;
use chrono::Utc;
use serde::Serialize;
use sitrep_model::figure::Attribution;
use sitrep_model::{
    Action, Claim, Decision, DecisionKind, IncidentRef, JournalEntry, Override, Verdict,
};
use sitrep_resolve::Registry;
use sitrep_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The claims ledger of one store: `<store>/ledger/journal.log` and
/// `<store>/ledger/users.json`.
#[derive(Debug, Clone)]
pub struct Ledger {
    dir: PathBuf,
    journal: Journal,
    users: Users,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Claims new to the ledger.
    pub added: usize,
    /// Claims whose content changed.
    pub changed: usize,
    /// Claims already there as given.
    pub unchanged: usize,
    /// The journal entry recording the import (none when nothing changed).
    pub entry: Option<u64>,
}

/// An incident's verdict: the computed one and, if set, the analyst's override.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentVerdict {
    /// What the rules say.
    pub computed: Verdict,
    /// The override in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Override>,
}

impl IncidentVerdict {
    /// The status in force: the override's if set, else the computed one.
    pub fn status(&self) -> Attribution {
        self.overridden
            .as_ref()
            .map_or(self.computed.status, |o| o.status)
    }
}

/// What `sitrep journal verify` reports.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Acknowledged entries.
    pub entries: usize,
    /// Bytes of an unfinished last frame ignored.
    pub torn_tail: u64,
    /// Hash of the last entry.
    pub head: String,
    /// Users defined.
    pub users: usize,
}

fn to_value<T: Serialize>(v: &T) -> Result<serde_json::Value, ClaimsError> {
    serde_json::to_value(v).map_err(|e| ClaimsError::Internal(e.to_string()))
}

fn need_reason(reason: &str, what: &str) -> Result<(), ClaimsError> {
    if reason.trim().is_empty() {
        Err(ClaimsError::Invalid(format!("{what} needs a reason")))
    } else {
        Ok(())
    }
}

impl Ledger {
    /// The ledger of the store at `store_root` (its files are made on first write).
    pub fn for_store(store_root: &Path) -> Ledger {
        let dir = store_root.join("ledger");
        Ledger {
            journal: Journal::at(dir.join("journal.log")),
            users: Users::at(dir.join("users.json")),
            dir,
        }
    }

    /// True when the store has a journal.
    pub fn exists(&self) -> bool {
        self.journal.path().exists()
    }

    /// The ledger directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The journal: other crates record their decisions through
    /// [`Journal::append`] (matching: `match_confirmed` / `match_rejected` entries
    /// with `match:<a>|<b>` subjects).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The users.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// Reads and verifies the journal and the users file.
    pub fn verify(&self) -> Result<VerifyReport, ClaimsError> {
        let Verified {
            entries,
            torn_tail,
            head,
        } = self.journal.open()?;
        let users = self.users.list()?.len();
        Ok(VerifyReport {
            entries: entries.len(),
            torn_tail,
            head,
            users,
        })
    }

    /// Every acknowledged entry.
    pub fn entries(&self) -> Result<Vec<JournalEntry>, ClaimsError> {
        Ok(self.journal.open()?.entries)
    }

    /// The state as of a point.
    pub fn view(&self, as_of: AsOf) -> Result<View, ClaimsError> {
        Ok(View::build(&self.entries()?, as_of))
    }

    /// Records claims read from a file or a mapped source as one entry: new claims
    /// are added, changed ones replaced, identical ones left alone. Re-importing the
    /// same file changes nothing.
    pub fn import(
        &self,
        claims: Vec<Claim>,
        user: &str,
        reason: &str,
    ) -> Result<ImportOutcome, ClaimsError> {
        let mut outcome = ImportOutcome::default();
        for c in &claims {
            c.validate()
                .map_err(|m| ClaimsError::Invalid(format!("claim {}: {m}", c.id)))?;
        }
        let stored = self.journal.append_with(|entries| {
            let view = View::build(entries, AsOf::Now);
            let mut e = JournalEntry::new(user, Action::ClaimsImported, reason);
            let mut seen = std::collections::HashSet::new();
            for c in &claims {
                if !seen.insert(c.id.clone()) {
                    return Err(ClaimsError::Invalid(format!(
                        "claim id {} appears twice in one import",
                        c.id
                    )));
                }
                let subject = claim_subject(&c.id);
                let after = to_value(c)?;
                match view.get(&subject) {
                    Some(before) if *before == after => outcome.unchanged += 1,
                    Some(before) => {
                        outcome.changed += 1;
                        e = e.change(subject, Some(before.clone()), Some(after));
                    }
                    None => {
                        outcome.added += 1;
                        e = e.change(subject, None, Some(after));
                    }
                }
            }
            Ok(if e.changes.is_empty() {
                vec![]
            } else {
                vec![e]
            })
        })?;
        outcome.entry = stored.first().map(|e| e.seq);
        Ok(outcome)
    }

    /// Adds a claim by hand. Its id is made from its content and the time when empty.
    pub fn add_claim(
        &self,
        mut claim: Claim,
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        claim.validate().map_err(ClaimsError::Invalid)?;
        if claim.id.is_empty() {
            claim.id = claim_id(&[
                &claim.incident.to_string(),
                &claim.claimant,
                claim.stance.as_str(),
                &Utc::now().to_rfc3339(),
            ]);
        }
        let subject = claim_subject(&claim.id);
        let after = to_value(&claim)?;
        self.one(|view| {
            if view.get(&subject).is_some() {
                return Err(ClaimsError::Conflict(format!(
                    "claim {} exists; edit it instead",
                    claim.id
                )));
            }
            Ok(JournalEntry::new(user, Action::ClaimAdded, reason).change(
                subject.clone(),
                None,
                Some(after.clone()),
            ))
        })
    }

    /// Changes a claim: `edit` receives the claim in force.
    pub fn edit_claim(
        &self,
        id: &str,
        edit: impl FnOnce(&mut Claim) -> Result<(), ClaimsError>,
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        let subject = claim_subject(id);
        self.one(|view| {
            let before = view
                .get(&subject)
                .cloned()
                .ok_or_else(|| ClaimsError::NotFound(format!("no claim {id}")))?;
            let mut claim: Claim = serde_json::from_value(before.clone())
                .map_err(|e| ClaimsError::Internal(e.to_string()))?;
            edit(&mut claim)?;
            claim.validate().map_err(ClaimsError::Invalid)?;
            claim.id = id.to_string();
            let after = to_value(&claim)?;
            if after == before {
                return Err(ClaimsError::Invalid(format!(
                    "the edit leaves claim {id} as it was"
                )));
            }
            Ok(JournalEntry::new(user, Action::ClaimEdited, reason).change(
                subject.clone(),
                Some(before),
                Some(after),
            ))
        })
    }

    /// Withdraws a claim (history keeps it).
    pub fn retract_claim(
        &self,
        id: &str,
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "retracting a claim")?;
        let subject = claim_subject(id);
        self.one(|view| {
            let before = view
                .get(&subject)
                .cloned()
                .ok_or_else(|| ClaimsError::NotFound(format!("no claim {id}")))?;
            Ok(
                JournalEntry::new(user, Action::ClaimRetracted, reason).change(
                    subject.clone(),
                    Some(before),
                    None,
                ),
            )
        })
    }

    /// Overrides an incident's verdict.
    pub fn override_verdict(
        &self,
        incident: &IncidentRef,
        status: Attribution,
        actor: Option<String>,
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "overriding a verdict")?;
        let subject = override_subject(incident);
        let o = Override {
            status,
            actor,
            reason: reason.to_string(),
            user: user.to_string(),
            at: Utc::now(),
        };
        let after = to_value(&o)?;
        self.one(|view| {
            Ok(
                JournalEntry::new(user, Action::VerdictOverridden, reason).change(
                    subject.clone(),
                    view.get(&subject).cloned(),
                    Some(after.clone()),
                ),
            )
        })
    }

    /// Removes an incident's override.
    pub fn clear_override(
        &self,
        incident: &IncidentRef,
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "clearing an override")?;
        let subject = override_subject(incident);
        self.one(|view| {
            let before = view.get(&subject).cloned().ok_or_else(|| {
                ClaimsError::NotFound(format!("incident {incident} has no override"))
            })?;
            Ok(
                JournalEntry::new(user, Action::OverrideCleared, reason).change(
                    subject.clone(),
                    Some(before),
                    None,
                ),
            )
        })
    }

    /// Adds an actor alias (replacing one of the same actor and name). `check` sees
    /// every alias that would be in force and refuses with a message when they do not
    /// make a valid registry; nothing is written then.
    pub fn add_alias(
        &self,
        alias: ActorAlias,
        user: &str,
        reason: &str,
        check: impl FnOnce(&[ActorAlias]) -> Result<(), String>,
    ) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "adding an actor alias")?;
        let subject = alias_subject(&alias);
        let after = to_value(&alias)?;
        self.one(|view| {
            let mut all: Vec<ActorAlias> = view
                .aliases()
                .into_iter()
                .filter(|a| alias_subject(a) != subject)
                .collect();
            all.push(alias.clone());
            check(&all).map_err(ClaimsError::Invalid)?;
            Ok(
                JournalEntry::new(user, Action::ActorAliasAdded, reason).change(
                    subject.clone(),
                    view.get(&subject).cloned(),
                    Some(after.clone()),
                ),
            )
        })
    }

    /// Records match decisions as one entry (`action` is `MatchConfirmed`,
    /// `MatchRejected`, `IncidentMerged` or `IncidentSplit`).
    pub fn decide_matches(
        &self,
        action: Action,
        decisions: &[Decision],
        user: &str,
        reason: &str,
    ) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "a match decision")?;
        self.one(|view| {
            let mut e = JournalEntry::new(user, action, reason);
            for d in decisions {
                let subject = match_subject(d);
                let value = MatchValue {
                    confirmed: d.kind == DecisionKind::Confirm,
                    by: d.by.clone(),
                    at: d.at.clone(),
                    why: d.why.clone(),
                };
                e = e.change(
                    subject.clone(),
                    view.get(&subject).cloned(),
                    Some(to_value(&value)?),
                );
            }
            Ok(e)
        })
    }

    /// True when some entry ever touched a `match:` subject: the journal, not the
    /// store's decision list, then holds the match decisions in force.
    pub fn has_match_history(&self) -> Result<bool, ClaimsError> {
        Ok(self
            .entries()?
            .iter()
            .any(|e| e.changes.iter().any(|c| c.subject.starts_with("match:"))))
    }

    /// Undoes entry `seq`: every subject it changed goes back to its value before.
    /// Refused when a later entry changed one of those subjects (undo that first).
    pub fn undo(&self, seq: u64, user: &str, reason: &str) -> Result<JournalEntry, ClaimsError> {
        need_reason(reason, "undoing an entry")?;
        let stored = self.journal.append_with(|entries| {
            let target = entries
                .iter()
                .find(|e| e.seq == seq)
                .ok_or_else(|| ClaimsError::NotFound(format!("no journal entry {seq}")))?;
            let view = View::build(entries, AsOf::Now);
            let mut e = JournalEntry::new(user, Action::Undo, reason);
            e.undoes = Some(seq);
            for c in &target.changes {
                let current = view.get(&c.subject).cloned();
                if current != c.after {
                    let by = entries
                        .iter()
                        .rev()
                        .find(|x| x.seq > seq && x.changes.iter().any(|y| y.subject == c.subject))
                        .map_or(0, |x| x.seq);
                    return Err(ClaimsError::Conflict(format!(
                        "{} changed again in entry {by}; undo that entry first",
                        c.subject
                    )));
                }
                e = e.change(c.subject.clone(), current, c.before.clone());
            }
            Ok(vec![e])
        })?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| ClaimsError::Internal("undo appended nothing".into()))
    }

    /// Entries that touched an incident's claims or override, oldest first.
    pub fn history(&self, incident: &IncidentRef) -> Result<Vec<JournalEntry>, ClaimsError> {
        let entries = self.entries()?;
        let ov = override_subject(incident);
        let inc = incident.to_string();
        Ok(entries
            .into_iter()
            .filter_map(|mut e| {
                e.changes.retain(|c| {
                    c.subject == ov
                        || (c.subject.starts_with("claim:")
                            && [&c.before, &c.after].iter().any(|v| {
                                v.as_ref()
                                    .and_then(|v| v.get("incident"))
                                    .and_then(|i| i.as_str())
                                    == Some(inc.as_str())
                            }))
                });
                (!e.changes.is_empty()).then_some(e)
            })
            .collect())
    }

    fn one(
        &self,
        make: impl FnOnce(&View) -> Result<JournalEntry, ClaimsError>,
    ) -> Result<JournalEntry, ClaimsError> {
        let stored = self.journal.append_with(|entries| {
            let view = View::build(entries, AsOf::Now);
            Ok(vec![make(&view)?])
        })?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| ClaimsError::Internal("nothing appended".into()))
    }
}

/// Verdicts for every incident of the store and every incident a claim names.
pub fn verdicts(
    view: &View,
    evidence: &BTreeMap<IncidentRef, Vec<RecordActor>>,
) -> BTreeMap<IncidentRef, IncidentVerdict> {
    let claims = view.claims_by_incident();
    let overrides = view.overrides();
    let mut keys: Vec<&IncidentRef> = evidence.keys().chain(claims.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let cs = claims.get(k).map(Vec::as_slice).unwrap_or(&[]);
            let rs = evidence.get(k).map(Vec::as_slice).unwrap_or(&[]);
            (
                k.clone(),
                IncidentVerdict {
                    computed: compute(k, cs, rs),
                    overridden: overrides.get(k).cloned(),
                },
            )
        })
        .collect()
}

/// The actor each current record of the store names (`actor1_id`), by incident.
pub async fn evidence(
    store: &Store,
) -> Result<BTreeMap<IncidentRef, Vec<RecordActor>>, ClaimsError> {
    let mut out: BTreeMap<IncidentRef, Vec<RecordActor>> = BTreeMap::new();
    for r in store.snapshot().await?.record_sides().await? {
        out.entry(IncidentRef::new(&r.source, r.source_event_id))
            .or_default()
            .push(RecordActor {
                source: r.source,
                actor: r.actor1_id,
            });
    }
    Ok(out)
}

/// Computes the verdicts as of `as_of` and makes them the store's `attribution`
/// column (for series, filters and figures). Returns them.
pub async fn attach_attribution(
    store: &mut Store,
    ledger: &Ledger,
    as_of: AsOf,
) -> Result<BTreeMap<IncidentRef, IncidentVerdict>, ClaimsError> {
    let view = ledger.view(as_of)?;
    let ev = evidence(store).await?;
    let v = verdicts(&view, &ev);
    store.set_attribution(
        v.iter()
            .map(|(k, iv)| {
                [
                    k.source.clone(),
                    k.event_id.clone(),
                    iv.status().as_str().to_string(),
                ]
            })
            .collect(),
    );
    Ok(v)
}

/// The claims the rules make from the current records of `source` in the store.
pub async fn claims_from_records(
    store: &Store,
    source: &str,
    rules: &ClaimRules,
    registry: &Registry,
) -> Result<Vec<Claim>, ClaimsError> {
    let mut out = Vec::new();
    for r in store.snapshot().await?.source_rows(source).await? {
        let (id, raw, date, country) = (r.source_event_id, r.raw, r.date, r.country);
        let obj: BTreeMap<String, serde_json::Value> = serde_json::from_str(&raw).map_err(|e| {
            ClaimsError::Internal(format!("record {id}: raw row is not a JSON object: {e}"))
        })?;
        let row: Row = obj
            .into_iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, s)
            })
            .collect();
        out.extend(rules.apply(
            &IncidentRef::new(source, id),
            &row,
            date,
            country.as_deref(),
            registry,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::Action;

    #[test]
    fn other_crates_journal_their_decisions_and_undo_them() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::for_store(dir.path());
        // A matching crate confirms a match through the plain journal API.
        let e = JournalEntry::new("mia", Action::MatchConfirmed, "same attack, 2 km apart").change(
            "match:ucdp:1|acled:AFG9",
            None,
            Some(serde_json::json!({ "confirmed": true })),
        );
        let stored = l.journal().append(vec![e]).unwrap();
        assert_eq!(stored[0].seq, 1);
        let v = l.view(AsOf::Now).unwrap();
        assert_eq!(v.with_prefix("match:").count(), 1);
        l.undo(1, "mia", "different days after all").unwrap();
        assert_eq!(l.view(AsOf::Now).unwrap().with_prefix("match:").count(), 0);
        assert_eq!(
            l.view(AsOf::Seq(1)).unwrap().with_prefix("match:").count(),
            1
        );
        // Undoing the first entry again conflicts: its subject changed since.
        let err = l.undo(1, "mia", "again").unwrap_err();
        assert!(matches!(err, ClaimsError::Conflict(_)), "{err}");
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::for_store(dir.path());
        let threads: Vec<_> =
            (0..4)
                .map(|t| {
                    let l = l.clone();
                    std::thread::spawn(move || {
                        for i in 0..25 {
                            let e = JournalEntry::new(format!("t{t}"), Action::ClaimAdded, "")
                                .change(format!("test:{t}:{i}"), None, Some(serde_json::json!(i)));
                            l.journal().append(vec![e]).unwrap();
                        }
                    })
                })
                .collect();
        for t in threads {
            t.join().unwrap();
        }
        let r = l.verify().unwrap();
        assert_eq!((r.entries, r.torn_tail), (100, 0));
        let seqs: Vec<u64> = l.entries().unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
    }

    #[test]
    fn every_write_path_refuses_a_claim_without_claimant_or_target() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::for_store(dir.path());
        let claim = |stance: &str, claimant: &str, target: Option<&str>| -> Claim {
            serde_json::from_value(serde_json::json!({
                "id": format!("c-{stance}"), "incident": "curated-afg:AFG-CUR-0006",
                "claimant": claimant, "stance": stance, "target": target,
            }))
            .unwrap()
        };
        let msg = |e: ClaimsError| match e {
            ClaimsError::Invalid(m) => m,
            e => panic!("{e}"),
        };
        // Add.
        let e = l
            .add_claim(claim("claims", " ", None), "ana", "test")
            .unwrap_err();
        assert_eq!(
            msg(e),
            "a `claims` claim needs a claimant (who makes the statement)"
        );
        let e = l
            .add_claim(claim("attributes", "UNAMA", None), "ana", "test")
            .unwrap_err();
        assert_eq!(
            msg(e),
            "an `attributes` claim needs a target (who is held responsible)"
        );
        // Import (all or nothing).
        let e = l
            .import(
                vec![claim("claims", "IS-KP", None), claim("denies", "", None)],
                "ana",
                "test",
            )
            .unwrap_err();
        assert_eq!(
            msg(e),
            "claim c-denies: a `denies` claim needs a claimant (who makes the statement)"
        );
        assert_eq!(l.entries().unwrap().len(), 0, "nothing was written");
        // Edit: a valid claim cannot be edited into an invalid one.
        l.add_claim(claim("claims", "IS-KP", None), "ana", "test")
            .unwrap();
        let e = l
            .edit_claim(
                "c-claims",
                |c| {
                    c.claimant = String::new();
                    Ok(())
                },
                "ana",
                "test",
            )
            .unwrap_err();
        assert_eq!(
            msg(e),
            "a `claims` claim needs a claimant (who makes the statement)"
        );
        assert_eq!(l.entries().unwrap().len(), 1);
    }
}
