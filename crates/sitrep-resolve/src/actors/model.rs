//! The actor registry's data model and its TOML file format.
//!
//! One file holds any number of `[[actor]]` tables:
//!
//! ```toml
//! [[actor]]
//! id = "nrf"                                  # slug, unique across all files
//! name = "National Resistance Front"
//! kind = "rebel"                              # see ActorKind
//! parent = "…"                                # optional: a faction rolls up to it
//! countries = ["Afghanistan"]
//! ucdp_ids = [8114]
//! description = "…"
//! aliases = [
//!   "NRF: National Resistance Front",         # unscoped
//!   { name = "NRF", country = "Afghanistan" },# only for records in that country
//!   { name = "Government of Afghanistan", country = "Afghanistan", from = "2021-08-15" },
//! ]
//! [[actor.relation]]
//! kind = "rival"                              # see RelationKind
//! with = "taliban"
//! from = "2021-08-15"                         # dates are quoted ISO strings
//! citation = "Crisis Group 2022, section III.B: \"…\""
//! [[actor.leader]]
//! name = "Ahmad Massoud"
//! role = "leader"
//! status = "active"
//! citation = "…"
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What sort of actor this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// The government of the country where the event happens (or its forces).
    State,
    /// An armed group fighting a government for power or territory.
    Rebel,
    /// A transnational or jihadist armed group.
    Jihadist,
    /// A militia, warlord's forces or local armed group.
    Militia,
    /// The government (or forces) of another country.
    ForeignState,
    /// Unarmed civilians.
    Civilians,
    /// An unidentified armed group.
    Unidentified,
}

impl ActorKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Rebel => "rebel",
            ActorKind::Jihadist => "jihadist",
            ActorKind::Militia => "militia",
            ActorKind::ForeignState => "foreign_state",
            ActorKind::Civilians => "civilians",
            ActorKind::Unidentified => "unidentified",
        }
    }
}

/// A period during which an actor had another kind (the Taliban: rebel until
/// 27 Sep 1996 and from 2002, state 1996–2001 and from 15 Aug 2021).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindPeriod {
    /// The kind in this period.
    pub kind: ActorKind,
    /// First day (open if absent).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day (open if absent).
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// A name a source uses for an actor, optionally only in one country and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    /// The name, as sources write it.
    pub name: String,
    /// Applies only to records in this country.
    pub country: Option<String>,
    /// Applies only from this day.
    pub from: Option<NaiveDate>,
    /// Applies only up to this day (inclusive).
    pub to: Option<NaiveDate>,
    /// Why the scope is what it is.
    pub note: Option<String>,
}

impl Alias {
    /// True when the alias has a country or date scope.
    pub fn is_scoped(&self) -> bool {
        self.country.is_some() || self.from.is_some() || self.to.is_some()
    }
}

/// How two actors relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Allied (symmetric).
    Ally,
    /// Fighting or competing (symmetric).
    Rival,
    /// Broke away from the other actor.
    SplinterOf,
    /// Gives the other actor sanctuary or a base.
    Hosts,
    /// A merger with the other actor was claimed (not necessarily real).
    ClaimedMerger,
    /// Reported to cooperate in some operations (symmetric).
    Cooperates,
    /// A regional branch or affiliate of the other actor that is analysed on its own
    /// (IS-KP of the Islamic State, AQIS of al-Qaeda). Unlike `parent`, it does not
    /// roll up.
    BranchOf,
}

impl RelationKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Ally => "ally",
            RelationKind::Rival => "rival",
            RelationKind::SplinterOf => "splinter_of",
            RelationKind::Hosts => "hosts",
            RelationKind::ClaimedMerger => "claimed_merger",
            RelationKind::Cooperates => "cooperates",
            RelationKind::BranchOf => "branch_of",
        }
    }
    /// True for relations that read the same both ways.
    pub fn is_symmetric(self) -> bool {
        matches!(
            self,
            RelationKind::Ally | RelationKind::Rival | RelationKind::Cooperates
        )
    }
}

/// A time-bounded relation from one actor to another, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    /// The kind of relation.
    pub kind: RelationKind,
    /// The other actor's id.
    pub with: String,
    /// First day (open if absent).
    pub from: Option<NaiveDate>,
    /// Last day (open if absent).
    pub to: Option<NaiveDate>,
    /// The evidence: a quoted sentence and its source.
    pub citation: String,
    /// Free-text remark.
    pub note: Option<String>,
}

/// What became of a leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaderStatus {
    /// In post.
    Active,
    /// Left the post.
    Former,
    /// Killed.
    Killed,
    /// Died otherwise.
    Died,
    /// Detained.
    Detained,
    /// Not known.
    Unknown,
}

/// A leader or named commander of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    /// Name.
    pub name: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Role (leader, commander, spokesman…).
    pub role: String,
    /// First day in the role.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day in the role.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Current status.
    pub status: LeaderStatus,
    /// Where this comes from.
    #[serde(default)]
    pub citation: Option<String>,
}

/// A canonical actor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    /// Slug id (`taliban`, `is-kp`, `nrf`).
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Kind (for actors whose kind changed, the latest; see `kind_history`).
    pub kind: ActorKind,
    /// Earlier or other kinds by period.
    pub kind_history: Vec<KindPeriod>,
    /// The actor this one is a faction of.
    pub parent: Option<String>,
    /// Ids of the actors whose parent this is (filled at load).
    pub factions: Vec<String>,
    /// What the actor is.
    pub description: Option<String>,
    /// Countries where it operates.
    pub countries: Vec<String>,
    /// UCDP actor ids.
    pub ucdp_ids: Vec<u32>,
    /// Names sources use (the canonical name is always an alias too).
    pub aliases: Vec<Alias>,
    /// Relations from this actor to others.
    pub relations: Vec<Relation>,
    /// Leaders and named commanders.
    pub leaders: Vec<Leader>,
    /// The registry file that defines it.
    pub file: String,
}

impl Actor {
    /// The kind on a given day (`kind_history` first, then `kind`).
    pub fn kind_on(&self, date: NaiveDate) -> ActorKind {
        self.kind_history
            .iter()
            .find(|p| p.from.is_none_or(|f| f <= date) && p.to.is_none_or(|t| date <= t))
            .map_or(self.kind, |p| p.kind)
    }
}

// ---- the file format (serde) ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileDoc {
    #[serde(rename = "actor", default)]
    pub actors: Vec<ActorDoc>,
    /// Aliases of actors defined in any file (`[[alias]] actor = "taliban"
    /// name = "…"`): how an analyst's additions are kept apart from the registry.
    #[serde(rename = "alias", default)]
    pub aliases: Vec<ExtraAliasDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExtraAliasDoc {
    pub actor: toml::Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActorDoc {
    pub id: toml::Spanned<String>,
    pub name: String,
    pub kind: ActorKind,
    #[serde(default)]
    pub kind_history: Vec<KindPeriod>,
    #[serde(default)]
    pub parent: Option<toml::Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub ucdp_ids: Vec<u32>,
    #[serde(default)]
    pub aliases: Vec<AliasDoc>,
    #[serde(rename = "relation", default)]
    pub relations: Vec<RelationDoc>,
    #[serde(rename = "leader", default)]
    pub leaders: Vec<Leader>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum AliasDoc {
    Plain(String),
    Scoped {
        name: String,
        #[serde(default)]
        country: Option<String>,
        #[serde(default)]
        from: Option<NaiveDate>,
        #[serde(default)]
        to: Option<NaiveDate>,
        #[serde(default)]
        note: Option<String>,
    },
}

impl From<AliasDoc> for Alias {
    fn from(a: AliasDoc) -> Self {
        match a {
            AliasDoc::Plain(name) => Alias {
                name,
                country: None,
                from: None,
                to: None,
                note: None,
            },
            AliasDoc::Scoped {
                name,
                country,
                from,
                to,
                note,
            } => Alias {
                name,
                country,
                from,
                to,
                note,
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelationDoc {
    pub kind: RelationKind,
    pub with: toml::Spanned<String>,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    pub citation: String,
    #[serde(default)]
    pub note: Option<String>,
}
