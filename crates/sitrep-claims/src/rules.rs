//! Claim rules: how the claim columns of a mapped CSV become [`Claim`]s. They live in
//! the mapping file beside `[fields]`, as `[[claims]]` tables (see
//! `mappings/README.md`, "Claims"); each rule makes at most one claim per row.
//!
//! ```toml
//! [[claims]]
//! rule = "claimant"                                         # unique; part of the claim id
//! when = { column = "claim_status", in = ["claimed", "disputed"] }
//! stance = "claims"
//! claimant = "claimant"                                     # a column…
//! joint = " + "                                             # "ALF + NRF": one joint claim
//! channel = "claim_channel"
//! reference = "source_urls"
//! grade = "B2"
//!
//! [[claims]]
//! rule = "denial"
//! when = { column = "claim_status", in = ["denied"] }
//! stance = "denies"
//! claimant = { constant = "Taliban (IEA)" }                 # …or a constant
//! statement = "taliban_framing"
//! ```
//!
//! A value is a column name, `{ constant = "…" }` or `{ first_of = ["a", "b"] }` (the
//! first non-empty column). `when` is one condition or a list (all must hold): `{ column, in = [...] }` or
//! `{ column, empty = true|false }`. A rule emits nothing for a row where the field it
//! needs is empty: the claimant (claims, denies), the target (attributes) or the
//! statement (disputes, frames).

use crate::text::resolve_name;
use crate::ClaimsError;
use chrono::NaiveDate;
use serde::Deserialize;
use sitrep_model::{Channel, Claim, Grade, IncidentRef, Stance};
use sitrep_resolve::Registry;
use std::collections::BTreeMap;

/// A value from a column or a constant.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// The column's value.
    Column(String),
    /// A constant.
    Constant {
        /// The value for every row.
        constant: String,
    },
    /// The first non-empty of several columns.
    FirstOf {
        /// Columns, in order of preference.
        first_of: Vec<String>,
    },
}

/// One condition on a row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The column tested.
    pub column: String,
    /// The value must be one of these (case-insensitive).
    #[serde(rename = "in")]
    pub any_of: Option<Vec<String>>,
    /// The value must be empty (true) or not (false).
    pub empty: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Conditions {
    One(Condition),
    Many(Vec<Condition>),
}

/// One claim rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique name; part of each claim's id, so re-ingesting a row updates its claims.
    pub rule: String,
    #[serde(default)]
    when: Option<Conditions>,
    /// claims, denies, attributes, disputes or frames.
    pub stance: String,
    /// Who makes the statement.
    pub claimant: Option<Value>,
    /// Separator of joint claimants inside the claimant value (`" + "`).
    pub joint: Option<String>,
    /// Who is held responsible (attributes).
    pub target: Option<Value>,
    /// How it was made (free text; the channel is guessed from it).
    pub channel: Option<Value>,
    /// Claim date (YYYY-MM-DD).
    pub date: Option<Value>,
    /// The reporting source (default: the record's source name).
    pub reported_by: Option<Value>,
    /// URL(s) or reference.
    pub reference: Option<Value>,
    /// Admiralty grade of the report (default F6, ungraded).
    pub grade: Option<String>,
    /// The claim's wording or summary.
    pub statement: Option<Value>,
}

/// The claim rules of one mapping, checked.
#[derive(Debug, Clone, Default)]
pub struct ClaimRules {
    rules: Vec<(Rule, Stance, Grade)>,
}

/// A row as the rules read it: header → value.
pub type Row = BTreeMap<String, String>;

impl ClaimRules {
    /// Parses the `[[claims]]` tables of a mapping (`file` names it in errors).
    pub fn from_tables(tables: &[toml::Table], file: &str) -> Result<ClaimRules, ClaimsError> {
        let bad = |i: usize, message: String| ClaimsError::Rules {
            file: file.to_string(),
            rule: i + 1,
            message,
        };
        let mut rules = Vec::new();
        let mut names = Vec::new();
        for (i, t) in tables.iter().enumerate() {
            let r: Rule = toml::Value::Table(t.clone())
                .try_into()
                .map_err(|e: toml::de::Error| bad(i, e.message().to_string()))?;
            let stance = Stance::parse(&r.stance).ok_or_else(|| {
                bad(
                    i,
                    format!(
                        "stance {:?} is not one of claims, denies, attributes, disputes, frames",
                        r.stance
                    ),
                )
            })?;
            let grade = match &r.grade {
                None => Grade::UNGRADED,
                Some(g) => Grade::parse(g).ok_or_else(|| {
                    bad(i, format!("grade {g:?}: expected A-F then 1-6, e.g. B2"))
                })?,
            };
            if names.contains(&r.rule) {
                return Err(bad(i, format!("rule name {:?} is used twice", r.rule)));
            }
            let needs = match stance {
                Stance::Claims | Stance::Denies => ("claimant", r.claimant.is_some()),
                Stance::Attributes => ("target", r.target.is_some()),
                Stance::Disputes | Stance::Frames => ("statement", r.statement.is_some()),
            };
            if !needs.1 {
                return Err(bad(
                    i,
                    format!(
                        "a `{}` rule must say where `{}` comes from",
                        r.stance, needs.0
                    ),
                ));
            }
            names.push(r.rule.clone());
            rules.push((r, stance, grade));
        }
        Ok(ClaimRules { rules })
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Columns the rules read that `header` lacks.
    pub fn missing_columns(&self, header: &[String]) -> Vec<String> {
        let mut cols = Vec::new();
        for (r, _, _) in &self.rules {
            let mut add = |v: &Option<Value>| match v {
                Some(Value::Column(c)) => cols.push(c.clone()),
                Some(Value::FirstOf { first_of }) => cols.extend(first_of.iter().cloned()),
                _ => {}
            };
            add(&r.claimant);
            add(&r.target);
            add(&r.channel);
            add(&r.date);
            add(&r.reported_by);
            add(&r.reference);
            add(&r.statement);
            match &r.when {
                Some(Conditions::One(c)) => cols.push(c.column.clone()),
                Some(Conditions::Many(cs)) => cols.extend(cs.iter().map(|c| c.column.clone())),
                None => {}
            }
        }
        cols.sort();
        cols.dedup();
        cols.retain(|c| !header.contains(c));
        cols
    }

    /// The claims one row makes. `date` and `country` scope name resolution.
    pub fn apply(
        &self,
        incident: &IncidentRef,
        row: &Row,
        date: Option<NaiveDate>,
        country: Option<&str>,
        registry: &Registry,
    ) -> Vec<Claim> {
        let get = |v: &Option<Value>| -> String {
            match v {
                None => String::new(),
                Some(Value::Column(c)) => row.get(c).cloned().unwrap_or_default(),
                Some(Value::Constant { constant }) => constant.clone(),
                Some(Value::FirstOf { first_of }) => first_of
                    .iter()
                    .filter_map(|c| row.get(c))
                    .find(|v| !v.trim().is_empty())
                    .cloned()
                    .unwrap_or_default(),
            }
            .trim()
            .to_string()
        };
        let holds = |c: &Condition| {
            let v = row.get(&c.column).map(|s| s.trim()).unwrap_or("");
            let in_ok = c
                .any_of
                .as_ref()
                .is_none_or(|set| set.iter().any(|x| x.eq_ignore_ascii_case(v)));
            let empty_ok = c.empty.is_none_or(|e| e == v.is_empty());
            in_ok && empty_ok
        };
        let mut out = Vec::new();
        for (r, stance, grade) in &self.rules {
            let ok = match &r.when {
                None => true,
                Some(Conditions::One(c)) => holds(c),
                Some(Conditions::Many(cs)) => cs.iter().all(holds),
            };
            if !ok {
                continue;
            }
            let claimant_raw = get(&r.claimant);
            let target = get(&r.target);
            let statement = get(&r.statement);
            let needed = match stance {
                Stance::Claims | Stance::Denies => &claimant_raw,
                Stance::Attributes => &target,
                Stance::Disputes | Stance::Frames => &statement,
            };
            if needed.is_empty() {
                continue;
            }
            let mut names: Vec<String> = match &r.joint {
                Some(sep) if !sep.is_empty() => claimant_raw
                    .split(sep.as_str())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                _ => vec![claimant_raw.clone()],
            };
            if names.is_empty() {
                names.push(String::new());
            }
            let claimant = names.remove(0);
            let channel_text = get(&r.channel);
            let reported_by = match get(&r.reported_by) {
                s if s.is_empty() => incident.source.clone(),
                s => s,
            };
            let claim_date = NaiveDate::parse_from_str(&get(&r.date), "%Y-%m-%d").ok();
            let id = claim_id(&[&incident.source, &incident.event_id, &r.rule]);
            out.push(Claim {
                id,
                incident: incident.clone(),
                claimant_id: resolve_name(registry, &claimant, country, date),
                claimant,
                joint: names,
                stance: *stance,
                target_id: resolve_name(registry, &target, country, date),
                target: (!target.is_empty()).then_some(target),
                date: claim_date,
                channel: Channel::guess(&channel_text),
                channel_text,
                reported_by,
                reference: get(&r.reference),
                grade: *grade,
                statement,
            });
        }
        out
    }
}

/// A short stable id from parts (BLAKE3, 16 hex digits).
pub fn claim_id(parts: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Result<ClaimRules, ClaimsError> {
        #[derive(Deserialize)]
        struct F {
            claims: Vec<toml::Table>,
        }
        let f: F = toml::from_str(text).unwrap();
        ClaimRules::from_tables(&f.claims, "test.toml")
    }

    #[test]
    fn bad_rules_are_refused_with_their_number() {
        let e =
            rules("[[claims]]\nrule = \"a\"\nstance = \"blames\"\nclaimant = \"c\"\n").unwrap_err();
        assert!(e.to_string().contains("rule 1: stance \"blames\""), "{e}");
        let e = rules("[[claims]]\nrule = \"a\"\nstance = \"attributes\"\nclaimant = \"c\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("`target`"), "{e}");
        let e = rules("[[claims]]\nrule = \"a\"\nstance = \"claims\"\nclaimant = \"c\"\ngrade = \"Z9\"\n[[claims]]\nrule = \"a\"\nstance = \"frames\"\nstatement = \"s\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("rule 1: grade"), "{e}");
        let e = rules("[[claims]]\nrule = \"a\"\nstance = \"claims\"\nclaimant = \"c\"\n[[claims]]\nrule = \"a\"\nstance = \"frames\"\nstatement = \"s\"\n")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("rule 2: rule name \"a\" is used twice"),
            "{e}"
        );
    }

    #[test]
    fn conditions_joint_claimants_and_first_of() {
        let r = rules(
            r#"
[[claims]]
rule = "c"
when = [{ column = "status", in = ["Claimed"] }, { column = "who", empty = false }]
stance = "claims"
claimant = "who"
joint = " + "
grade = "B2"
[[claims]]
rule = "d"
stance = "disputes"
statement = { first_of = ["competing", "framing"] }
"#,
        )
        .unwrap();
        let reg = Registry::bundled().unwrap();
        let row = |status: &str, who: &str, competing: &str, framing: &str| -> Row {
            [
                ("status", status),
                ("who", who),
                ("competing", competing),
                ("framing", framing),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let inc = IncidentRef::new("log", "1");
        let cs = r.apply(
            &inc,
            &row("claimed", "ALF + NRF", "", "mine explosion"),
            None,
            None,
            &reg,
        );
        assert_eq!(cs.len(), 2);
        assert_eq!(
            (cs[0].claimant.as_str(), cs[0].joint.as_slice()),
            ("ALF", &["NRF".to_string()][..])
        );
        assert_eq!(cs[1].statement, "mine explosion");
        assert_eq!(cs[0].reported_by, "log");
        // Same row, same ids: re-ingesting updates, never duplicates.
        let again = r.apply(
            &inc,
            &row("claimed", "ALF + NRF", "x", ""),
            None,
            None,
            &reg,
        );
        assert_eq!(again[0].id, cs[0].id);
        assert_eq!(again[1].statement, "x");
        // Conditions fail: no claim; nothing to say: no dispute.
        assert!(r
            .apply(&inc, &row("suspected", "NRF", "", ""), None, None, &reg)
            .is_empty());
        assert_eq!(
            r.apply(&inc, &row("claimed", "", "", ""), None, None, &reg)
                .len(),
            0
        );
        assert_eq!(
            r.missing_columns(&["status".into()]),
            ["competing", "framing", "who"]
        );
    }
}
