//! The claims ledger: who said they (or someone) did it, what that makes of each
//! incident's attribution, and the append-only journal of every analyst decision, with
//! the users allowed to make them.
//!
//! A [`Claim`](sitrep_model::Claim) links an incident (a source record's identity,
//! [`IncidentRef`](sitrep_model::IncidentRef)) to a claimant and a
//! [`Stance`](sitrep_model::Stance), with date, channel, reporting source and its
//! Admiralty [`Grade`](sitrep_model::Grade). Claims come from mapped sources
//! ([`ClaimRules`]: `[[claims]]` in a mapping file), from files ([`read_claims_csv`],
//! [`read_gtd`]) or by hand. [`compute`] turns an incident's claims and the actors its
//! records name ([`RecordActor`]) into a [`Verdict`](sitrep_model::Verdict) —
//! attributed, claimed, contested or unattributed — with a confidence and a one-line
//! basis (rules in [`verdict`]).
//!
//! Every change goes through the [`Journal`] (`<store>/ledger/journal.log`):
//! length-framed, hash-chained, `fsync`ed entries, verified whenever it is read. An
//! entry records who, when, what, why, and each changed subject's value before and
//! after ([`JournalEntry`](sitrep_model::JournalEntry)); a [`View`] is the fold
//! "subject ← after" up to any point ([`AsOf`]), so `--as-of` shows past state and an
//! undo is just another entry putting the old values back. The [`Ledger`] wraps the
//! journal with the analyst operations (import, add, edit, retract, override, undo)
//! and holds the [`Users`] (argon2id passwords, hashed API tokens, roles).
//! [`attach_attribution`] hands the verdicts to the store as its `attribution`
//! column, so series and figures split and filter by them.
//!
//! Other crates record their own decisions (cross-source matches, actor aliases)
//! through [`Journal::append`] with their own subjects (`match:<a>|<b>`).
//!
//! Out of scope: HTTP sessions and CSRF (sitrep-server), reading incident files
//! (sitrep-ingest), SQL (sitrep-store: this crate only runs read-only queries through
//! it).
//!
//! ```
//! use sitrep_claims::{compute, RecordActor};
//! use sitrep_model::{Claim, Grade, IncidentRef, Stance, figure::Attribution};
//! let inc = IncidentRef::new("curated-afg", "AFG-CUR-0006");
//! let amaq = Claim {
//!     id: "c1".into(), incident: inc.clone(), claimant: "IS-KP".into(),
//!     claimant_id: Some("is-kp".into()), joint: vec![], stance: Stance::Claims,
//!     target: None, target_id: None, date: None, channel: Default::default(),
//!     channel_text: "Amaq".into(), reported_by: "AFP".into(), reference: String::new(),
//!     grade: Grade::parse("B2").unwrap(), statement: String::new(),
//! };
//! let v = compute(&inc, &[amaq], &[RecordActor { source: "curated-afg".into(), actor: None }]);
//! assert_eq!(v.status, Attribution::Claimed);
//! assert_eq!(v.confidence, 0.64);
//! ```
#![deny(missing_docs)]

mod error;
pub mod import;
pub mod journal;
mod ledger;
pub mod rules;
pub mod text;
pub mod users;
pub mod verdict;
mod view;

pub use error::ClaimsError;
pub use import::{read_claims_csv, read_gtd, RowError};
pub use journal::{Journal, JournalError, Verified};
pub use ledger::{
    attach_attribution, claims_from_records, evidence, verdicts, ImportOutcome, IncidentVerdict,
    Ledger, VerifyReport,
};
pub use rules::{claim_id, ClaimRules};
pub use users::{random_token, User, Users};
pub use verdict::{compute, RecordActor};
pub use view::{
    alias_subject, aliases_toml, claim_subject, match_subject, override_subject, ActorAlias, AsOf,
    MatchValue, View,
};
