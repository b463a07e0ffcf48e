//! Attribution verdicts: from an incident's claims and the actors its records name.
//!
//! The rules, in order (the first that applies decides):
//!
//! 1. **contested** when a claim [`Stance::Disputes`] the account; or someone denies
//!    while someone else is held responsible (claim vs denial); or two different
//!    parties claim it (a joint claim, `ALF + NRF`, is one party); or a claim and an
//!    attribution, or two attributions, name different parties; or, when nobody
//!    claims it, attributions and records name different actors (a record's side A
//!    beside a claim by another group does not contest the claim).
//! 2. **attributed** when one party claims it and an attribution or a record names
//!    the same party, or when nobody claims it and the attributions and records agree
//!    on one party.
//! 3. **claimed** when one party claims it and nothing else names a perpetrator.
//! 4. **unattributed** otherwise (framings and denials alone decide nothing).
//!
//! Confidence, 0–1, combines the weights of the items behind the verdict as
//! independent evidence, `1 − Π(1 − wᵢ)`, where a claim weighs its grade's
//! [`Grade::weight`](sitrep_model::Grade::weight) and a record naming an actor weighs
//! [`RECORD_WEIGHT`]. For *contested* the items are the contradicting ones (how well
//! the contest is documented); for *unattributed* it is `1 − 0.5ᵏ` over the `k`
//! sources that recorded the incident without naming anyone (absence of a claim is
//! weak evidence).

use crate::text::party_key;
use sitrep_model::figure::Attribution;
use sitrep_model::{Claim, ConfidenceLevel, IncidentRef, Stance, Verdict};
use std::collections::BTreeMap;

/// How much a source record naming an actor weighs as evidence (an ungraded coded
/// dataset: between "cannot be judged" and "usually reliable, probably true").
pub const RECORD_WEIGHT: f64 = 0.5;

/// An actor a source record names (its resolved `actor1_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordActor {
    /// The record's source.
    pub source: String,
    /// Canonical actor id, `None` when the record names nobody the registry knows.
    pub actor: Option<String>,
}

fn combine(ws: impl IntoIterator<Item = f64>) -> f64 {
    1.0 - ws
        .into_iter()
        .fold(1.0, |acc, w| acc * (1.0 - w.clamp(0.0, 1.0)))
}

/// One party held responsible and the evidence naming it.
#[derive(Default)]
struct Party<'a> {
    name: String,
    claims: Vec<&'a Claim>,
    attributions: Vec<&'a Claim>,
    records: Vec<&'a RecordActor>,
}

/// Computes the verdict of one incident.
pub fn compute(incident: &IncidentRef, claims: &[Claim], records: &[RecordActor]) -> Verdict {
    let mut parties: BTreeMap<String, Party<'_>> = BTreeMap::new();
    let mut claim_groups: Vec<String> = Vec::new();
    let mut denials = Vec::new();
    let mut disputes = Vec::new();
    let mut framings = 0usize;
    for c in claims {
        match c.stance {
            Stance::Claims => {
                let key = claim_group_key(c);
                if !claim_groups.contains(&key) {
                    claim_groups.push(key.clone());
                }
                let p = parties.entry(key).or_default();
                if p.name.is_empty() {
                    p.name = display_claimant(c);
                }
                p.claims.push(c);
            }
            Stance::Attributes => {
                let target = c.target_id.clone().or_else(|| c.target.clone());
                let Some(t) = target.filter(|t| !t.trim().is_empty()) else {
                    continue;
                };
                let key = c.target_id.clone().unwrap_or_else(|| party_key(&t));
                let p = parties.entry(key).or_default();
                if p.name.is_empty() {
                    p.name = t;
                }
                p.attributions.push(c);
            }
            Stance::Denies => denials.push(c),
            Stance::Disputes => disputes.push(c),
            Stance::Frames => framings += 1,
        }
    }
    let named: Vec<&RecordActor> = records.iter().filter(|r| r.actor.is_some()).collect();
    for r in &named {
        let id = r.actor.clone().unwrap_or_default();
        let p = parties.entry(id.clone()).or_default();
        if p.name.is_empty() {
            p.name = id;
        }
        p.records.push(r);
    }
    let claim_ids = |cs: &[&Claim]| cs.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let verdict = |status, actor: Option<String>, score: f64, basis: String, ids: Vec<String>| {
        let confidence = (score * 100.0).round() / 100.0;
        Verdict {
            incident: incident.clone(),
            status,
            actor,
            confidence,
            level: ConfidenceLevel::of(confidence),
            basis,
            claims: ids,
        }
    };
    let record_sources = |rs: &[&RecordActor]| {
        let mut s: Vec<&str> = rs.iter().map(|r| r.source.as_str()).collect();
        s.dedup();
        s.join(", ")
    };

    // 1. contested
    let mut reasons: Vec<String> = Vec::new();
    let mut against: Vec<&Claim> = Vec::new();
    if !disputes.is_empty() {
        reasons.push(format!(
            "disputed by {}",
            disputes
                .iter()
                .map(|c| describe(c))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        against.extend(&disputes);
    }
    if !denials.is_empty() && !parties.is_empty() {
        reasons.push(format!(
            "denied by {}",
            denials
                .iter()
                .map(|c| describe(c))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        against.extend(&denials);
    }
    if claim_groups.len() >= 2 {
        reasons.push(format!(
            "claimed by {} parties: {}",
            claim_groups.len(),
            claim_groups
                .iter()
                .map(|k| parties[k].name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for k in &claim_groups[1..] {
            against.extend(&parties[k].claims);
        }
    }
    // Records count as naming a perpetrator only when nobody claims the incident: a
    // dataset's side A beside a claim by another group is not a competing claim.
    let accused: Vec<&String> = parties
        .iter()
        .filter(|(_, p)| {
            !p.claims.is_empty()
                || !p.attributions.is_empty()
                || (claim_groups.is_empty() && !p.records.is_empty())
        })
        .map(|(k, _)| k)
        .collect();
    if claim_groups.len() < 2 && accused.len() >= 2 {
        reasons.push(format!(
            "held responsible: {}",
            accused
                .iter()
                .map(|k| parties[*k].name.clone())
                .collect::<Vec<_>>()
                .join(" vs ")
        ));
        for k in accused.iter().skip(1) {
            against.extend(&parties[*k].attributions);
        }
    }
    if !reasons.is_empty()
        && accused.len() == 1
        && claim_groups.is_empty()
        && !parties[accused[0]].attributions.is_empty()
    {
        let p = &parties[accused[0]];
        reasons.insert(
            0,
            format!(
                "attributed to {} by {}",
                p.name,
                p.attributions
                    .iter()
                    .map(|c| describe(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
    } else if !reasons.is_empty() && claim_groups.len() == 1 {
        reasons.insert(0, format!("claimed by {}", parties[&claim_groups[0]].name));
    }
    if !reasons.is_empty() {
        let mut ws: Vec<f64> = against.iter().map(|c| c.grade.weight()).collect();
        if accused.len() >= 2 && against.is_empty() {
            ws.push(RECORD_WEIGHT);
        }
        let ids: Vec<String> = claims
            .iter()
            .filter(|c| c.stance != Stance::Frames)
            .map(|c| c.id.clone())
            .collect();
        return verdict(
            Attribution::Contested,
            None,
            combine(ws),
            format!("contested: {}", reasons.join("; ")),
            ids,
        );
    }

    // 2./3. one party or none (anything else was contested above)
    if let Some(key) = accused.first() {
        let (key, p) = (*key, &parties[*key]);
        let mut ws: Vec<f64> = p.claims.iter().map(|c| c.grade.weight()).collect();
        ws.extend(p.attributions.iter().map(|c| c.grade.weight()));
        ws.extend(p.records.iter().map(|_| RECORD_WEIGHT));
        let mut ids = claim_ids(&p.claims);
        ids.extend(claim_ids(&p.attributions));
        let corroboration = {
            let mut parts = Vec::new();
            if !p.attributions.is_empty() {
                parts.push(format!(
                    "attributed by {}",
                    p.attributions
                        .iter()
                        .map(|c| describe(c))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            if !p.records.is_empty() {
                parts.push(format!(
                    "named by records of {}",
                    record_sources(&p.records)
                ));
            }
            parts
        };
        if !p.claims.is_empty() && corroboration.is_empty() {
            return verdict(
                Attribution::Claimed,
                Some(key.clone()),
                combine(ws),
                format!(
                    "claimed by {} ({}); no other source names a perpetrator",
                    p.name,
                    p.claims
                        .iter()
                        .map(|c| channel_grade(c))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                ids,
            );
        }
        let claim_part = if p.claims.is_empty() {
            "no claim".to_string()
        } else {
            format!(
                "claimed by {} ({})",
                p.name,
                p.claims
                    .iter()
                    .map(|c| channel_grade(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        return verdict(
            Attribution::Attributed,
            Some(key.clone()),
            combine(ws),
            format!(
                "attributed to {}: {}; {claim_part}",
                p.name,
                corroboration.join("; ")
            ),
            ids,
        );
    }

    // 4. unattributed
    let mut sources: Vec<&str> = records.iter().map(|r| r.source.as_str()).collect();
    sources.sort();
    sources.dedup();
    let k = sources.len().max(1) as i32;
    let mut extra = String::new();
    if !denials.is_empty() {
        extra.push_str(&format!("; {} denial(s), nobody blamed", denials.len()));
    }
    if framings > 0 {
        extra.push_str(&format!("; {framings} framing(s)"));
    }
    verdict(
        Attribution::Unattributed,
        None,
        1.0 - 0.5f64.powi(k),
        format!(
            "unattributed: no claim or attribution; {} record(s) from {} name no known actor{extra}",
            records.len(),
            if sources.is_empty() {
                "no source".to_string()
            } else {
                sources.join(", ")
            }
        ),
        Vec::new(),
    )
}

fn display_claimant(c: &Claim) -> String {
    let mut names = vec![c.claimant_id.clone().unwrap_or_else(|| c.claimant.clone())];
    names.extend(c.joint.iter().cloned());
    names.join(" + ")
}

/// Joint claimants form one party, whatever the order they are written in.
fn claim_group_key(c: &Claim) -> String {
    let mut keys = vec![c
        .claimant_id
        .clone()
        .unwrap_or_else(|| party_key(&c.claimant))];
    keys.extend(c.joint.iter().map(|j| party_key(j)));
    keys.sort();
    keys.join("+")
}

fn channel_grade(c: &Claim) -> String {
    let ch = if c.channel_text.is_empty() {
        c.channel.as_str().to_string()
    } else {
        c.channel_text.clone()
    };
    format!("{ch}, {}", c.grade)
}

fn describe(c: &Claim) -> String {
    let who = if c.claimant.is_empty() {
        "an unnamed party".to_string()
    } else {
        c.claimant.clone()
    };
    let what: String = c.statement.chars().take(80).collect();
    let what = if c.statement.chars().count() > 80 {
        format!("{what}…")
    } else {
        what
    };
    if what.is_empty() {
        format!("{who} ({})", c.grade)
    } else {
        format!("{who} ({}: {what})", c.grade)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::{Channel, Grade};

    fn claim(id: &str, who: &str, stance: Stance, grade: &str) -> Claim {
        Claim {
            id: id.into(),
            incident: IncidentRef::new("t", "1"),
            claimant: who.into(),
            claimant_id: (!who.is_empty()).then(|| who.to_ascii_lowercase()),
            joint: vec![],
            stance,
            target: None,
            target_id: None,
            date: None,
            channel: Channel::Statement,
            channel_text: String::new(),
            reported_by: "test".into(),
            reference: String::new(),
            grade: Grade::parse(grade).unwrap(),
            statement: String::new(),
        }
    }

    fn run(claims: &[Claim], records: &[RecordActor]) -> Verdict {
        compute(&IncidentRef::new("t", "1"), claims, records)
    }

    #[test]
    fn one_claim_is_claimed_with_its_grade() {
        let v = run(&[claim("a", "is-kp", Stance::Claims, "B2")], &[]);
        assert_eq!(v.status, Attribution::Claimed);
        assert_eq!(v.actor.as_deref(), Some("is-kp"));
        assert!((v.confidence - 0.64).abs() < 1e-9, "{}", v.confidence);
        assert!(v.basis.contains("claimed by is-kp"), "{}", v.basis);
    }

    #[test]
    fn two_claimants_and_a_denial_are_contested_with_all_claims_listed() {
        let v = run(
            &[
                claim("a", "is-kp", Stance::Claims, "B2"),
                claim("b", "nrf", Stance::Claims, "C3"),
                claim("c", "taliban", Stance::Denies, "B2"),
            ],
            &[],
        );
        assert_eq!(v.status, Attribution::Contested);
        assert_eq!(v.claims, ["a", "b", "c"]);
        assert!(v.basis.contains("claimed by 2 parties"), "{}", v.basis);
        assert!(v.basis.contains("denied by"), "{}", v.basis);
    }

    #[test]
    fn a_joint_claim_is_one_party() {
        let mut c = claim("a", "alf", Stance::Claims, "C3");
        c.joint = vec!["NRF".into()];
        let v = run(&[c], &[]);
        assert_eq!(v.status, Attribution::Claimed);
    }

    #[test]
    fn a_claim_corroborated_by_a_record_is_attributed() {
        let rec = RecordActor {
            source: "ucdp".into(),
            actor: Some("is-kp".into()),
        };
        let v = run(&[claim("a", "is-kp", Stance::Claims, "B2")], &[rec]);
        assert_eq!(v.status, Attribution::Attributed);
        assert!((v.confidence - 0.82).abs() < 1e-9, "{}", v.confidence);
        let other = RecordActor {
            source: "ucdp".into(),
            actor: Some("taliban".into()),
        };
        let v = run(&[claim("a", "is-kp", Stance::Claims, "B2")], &[other]);
        assert_eq!(v.status, Attribution::Claimed);
    }

    #[test]
    fn nothing_named_is_unattributed_and_denial_alone_decides_nothing() {
        let rec = RecordActor {
            source: "log".into(),
            actor: None,
        };
        let v = run(&[claim("d", "taliban", Stance::Denies, "B2")], &[rec]);
        assert_eq!(v.status, Attribution::Unattributed);
        assert!((v.confidence - 0.5).abs() < 1e-9);
    }
}
