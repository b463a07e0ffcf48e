//! The query model: one [`Filters`] type says which incidents a series, figure, map,
//! table, export, API answer or page counts, everywhere in sitrep.
//!
//! A `Filters` is written three ways, all read into this one type: a figure or report
//! spec's `[filters]` table (TOML, serde), the CLI's filter flags, and the HTTP API's
//! query keys ([`Filters::from_query_pairs`] / [`Filters::to_query_pairs`], which
//! round-trip). Values are *as written* until `sitrep-resolve` canonicalises them
//! (province names to ISO codes, actor names and aliases to registry ids); the one
//! compiler to SQL is `sitrep-store`'s `query` module.
//!
//! **One actor semantics.** An actor filter matches an incident when the actor is on
//! a side the [`Role`] allows. [`ActorMatch`] says whether a faction's incidents count
//! for its parent (`with_factions`, the default everywhere: `taliban` includes the
//! Haqqani network) or only the actor's own (`exact`). Grouping by actor follows the
//! same field: with factions, a faction's incidents are grouped under its parent.
//!
//! ```
//! use sitrep_model::query::{Filters, ActorMatch};
//! use sitrep_model::{EventType, GeoPrecision};
//! let f = Filters::from_query_pairs(&[
//!     ("from", "2021-08-15"), ("actor", "nrf,is-kp"), ("type", "battle"),
//!     ("coarsest_geo", "3"),
//! ]).unwrap();
//! assert_eq!(f.actors, ["nrf", "is-kp"]);
//! assert_eq!(f.event_types, [EventType::Battle]);
//! assert_eq!(f.coarsest_geo, Some(GeoPrecision::District));
//! assert_eq!(f.actor_match, ActorMatch::WithFactions);
//! let back = Filters::from_query_pairs(&f.to_query_pairs()).unwrap();
//! assert_eq!(back, f);
//! ```

use crate::figure::{join_key, opt_date, SpecError};
use crate::{DatePrecision, EventType, GeoPrecision};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which side of an event an actor filter matches (UCDP's side A / side B, ACLED's
/// actor1 / actor2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Either side.
    #[default]
    Any,
    /// Side A / actor 1 only.
    A,
    /// Side B / actor 2 only.
    B,
}

impl Role {
    /// The name in specs, flags and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Any => "any",
            Role::A => "a",
            Role::B => "b",
        }
    }
    /// Reads `any`, `a` or `b`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "any" => Some(Role::Any),
            "a" => Some(Role::A),
            "b" => Some(Role::B),
            _ => None,
        }
    }
}

/// Whether an actor filter (and grouping by actor) counts a faction's incidents for
/// its parent. One rule for CLI, API, pages and figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorMatch {
    /// The actor's own incidents and those of its factions (registry `parent`):
    /// `taliban` matches the Haqqani network's incidents too. Grouping by actor puts a
    /// faction's incidents under its parent.
    #[default]
    WithFactions,
    /// Only incidents coded to this very actor id; grouping by actor keeps factions apart.
    Exact,
}

impl ActorMatch {
    /// The name in specs, flags and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorMatch::WithFactions => "with_factions",
            ActorMatch::Exact => "exact",
        }
    }
    /// Reads `with_factions` or `exact` (`-` may stand for `_`).
    pub fn parse(s: &str) -> Option<ActorMatch> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "with_factions" => Some(ActorMatch::WithFactions),
            "exact" => Some(ActorMatch::Exact),
            _ => None,
        }
    }
}

/// Attribution verdict of an incident (see the claims ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The perpetrator is established.
    Attributed,
    /// One group claimed it and nothing contradicts the claim.
    Claimed,
    /// Several groups claim it, or a claim is denied or doubted.
    Contested,
    /// Nobody is known to be responsible.
    Unattributed,
}

impl Attribution {
    /// Every verdict, in order.
    pub const ALL: [Attribution; 4] = [
        Attribution::Attributed,
        Attribution::Claimed,
        Attribution::Contested,
        Attribution::Unattributed,
    ];
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribution::Attributed => "attributed",
            Attribution::Claimed => "claimed",
            Attribution::Contested => "contested",
            Attribution::Unattributed => "unattributed",
        }
    }
    /// Reads a verdict name (case-insensitive).
    pub fn parse(s: &str) -> Option<Attribution> {
        let s = s.trim().to_ascii_lowercase();
        Attribution::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Which incidents are counted. Every field is optional; an empty list means "no
/// restriction". Lists are alternatives (any of), fields combine with AND.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Filters {
    /// First day counted (included), by `date_start`.
    #[serde(with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day counted (included), by `date_start`.
    #[serde(with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Country names as the sources write them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Actor ids (`taliban`, `is-kp`, `nrf`); names and aliases before resolution.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Which side the actors must be on.
    #[serde(skip_serializing_if = "is_default")]
    pub role: Role,
    /// Whether a faction's incidents count for its parent (default: they do).
    #[serde(skip_serializing_if = "is_default")]
    pub actor_match: ActorMatch,
    /// Common event types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub event_types: Vec<EventType>,
    /// The sources' own event types, verbatim.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_types: Vec<String>,
    /// Province ISO 3166-2 codes (`AF-KAB`); names before resolution.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provinces: Vec<String>,
    /// Region names from the gazetteer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// District names from the gazetteer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<String>,
    /// Distance band labels (`"0–5 km"`) as made by
    /// [`crate::figure::distance_band_labels`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distance_bands: Vec<String>,
    /// The coarsest location kept: [`GeoPrecision::District`] keeps points, places
    /// near a known place and district-level records, and drops province- and
    /// country-level ones. Written as a code 1 (exact place) … 5 (country only).
    #[serde(
        alias = "min_geo_precision",
        with = "geo_code",
        skip_serializing_if = "Option::is_none"
    )]
    pub coarsest_geo: Option<GeoPrecision>,
    /// The coarsest date kept, as a code 1 (day) … 4 (longer than a month).
    #[serde(
        alias = "min_date_precision",
        with = "date_code",
        skip_serializing_if = "Option::is_none"
    )]
    pub coarsest_date: Option<DatePrecision>,
    /// Source names given at ingest (`ucdp-ged251`, `acled`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Attribution verdicts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attribution: Vec<Attribution>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

macro_rules! code_serde {
    ($name:ident, $ty:ty, $what:expr) => {
        mod $name {
            use super::*;
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
                let n = u8::deserialize(d)?;
                <$ty>::from_code(n).map(Some).ok_or_else(|| {
                    serde::de::Error::custom(format!("must be {}, found {n}", $what))
                })
            }
            pub fn serialize<S: Serializer>(v: &Option<$ty>, s: S) -> Result<S::Ok, S::Error> {
                match v {
                    Some(p) => s.serialize_u8(p.code()),
                    None => s.serialize_none(),
                }
            }
        }
    };
}
code_serde!(geo_code, GeoPrecision, GEO_CODES);
code_serde!(date_code, DatePrecision, DATE_CODES);

/// What a geo precision code means, for messages.
pub const GEO_CODES: &str = "1 (exact place) … 5 (country only)";
/// What a date precision code means, for messages.
pub const DATE_CODES: &str = "1 (day) … 4 (longer than a month)";

/// A filter written in a URL or on a command line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct FilterError {
    /// The query key or flag (`from`, `type`, `coarsest_geo`).
    pub key: String,
    /// What is wrong and how to write it.
    pub message: String,
}

impl FilterError {
    /// An error about `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        FilterError {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// The URL query keys a [`Filters`] reads and writes, in the order written.
pub const QUERY_KEYS: [&str; 16] = [
    "from",
    "to",
    "source",
    "country",
    "type",
    "source_type",
    "province",
    "region",
    "district",
    "distance_band",
    "actor",
    "role",
    "actor_match",
    "coarsest_geo",
    "coarsest_date",
    "attribution",
];

/// Older spellings of query keys, still read: `min_geo_precision`, `min_date_precision`.
pub const QUERY_KEY_ALIASES: [(&str, &str); 2] = [
    ("min_geo_precision", "coarsest_geo"),
    ("min_date_precision", "coarsest_date"),
];

fn clip(v: &str) -> String {
    if v.chars().count() > 60 {
        format!("{}…", v.chars().take(60).collect::<String>())
    } else {
        v.to_string()
    }
}

impl Filters {
    /// Reads filters from URL query pairs. Keys not in [`QUERY_KEYS`] (or
    /// [`QUERY_KEY_ALIASES`]) are ignored, so pages may carry their own keys; list
    /// keys take comma-separated values and may repeat. Syntax is checked here (dates,
    /// event types, precisions, roles, verdicts); names are checked when
    /// `sitrep-resolve` canonicalises the filters.
    pub fn from_query_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: &[(K, V)],
    ) -> Result<Filters, FilterError> {
        let mut f = Filters::default();
        let key_of = |k: &str| -> Option<&'static str> {
            QUERY_KEYS.iter().find(|q| **q == k).copied().or_else(|| {
                QUERY_KEY_ALIASES
                    .iter()
                    .find(|(old, _)| *old == k)
                    .map(|(_, new)| *new)
            })
        };
        // Single-valued keys: (the key as written, for messages; the value).
        let mut single: std::collections::HashMap<&'static str, (String, String)> =
            Default::default();
        for (k, v) in pairs {
            let Some(key) = key_of(k.as_ref()) else {
                continue;
            };
            let v = v.as_ref().trim();
            let items = || {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let push = |list: &mut Vec<String>| {
                for i in items() {
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            };
            match key {
                "source" => push(&mut f.sources),
                "country" => push(&mut f.countries),
                "source_type" => push(&mut f.source_types),
                "province" => push(&mut f.provinces),
                "region" => push(&mut f.regions),
                "district" => push(&mut f.districts),
                "distance_band" => push(&mut f.distance_bands),
                "actor" => push(&mut f.actors),
                "type" => {
                    for t in items() {
                        let e = EventType::parse(&t).ok_or_else(|| {
                            FilterError::new(
                                key,
                                format!(
                                    "unknown event type `{}`; expected one of: {}",
                                    clip(&t),
                                    EventType::ALL.map(|t| t.as_str()).join(", ")
                                ),
                            )
                        })?;
                        if !f.event_types.contains(&e) {
                            f.event_types.push(e);
                        }
                    }
                }
                "attribution" => {
                    for a in items() {
                        let e = Attribution::parse(&a).ok_or_else(|| {
                            FilterError::new(
                                key,
                                format!(
                                    "unknown attribution `{}`; expected one of: {}",
                                    clip(&a),
                                    Attribution::ALL.map(|a| a.as_str()).join(", ")
                                ),
                            )
                        })?;
                        if !f.attribution.contains(&e) {
                            f.attribution.push(e);
                        }
                    }
                }
                _ => {
                    if v.is_empty() {
                        continue;
                    }
                    if let Some((_, prev)) = single.get(key) {
                        if prev != v {
                            return Err(FilterError::new(
                                key,
                                format!(
                                    "given twice (`{}` and `{}`); give it once",
                                    clip(prev),
                                    clip(v)
                                ),
                            ));
                        }
                    }
                    single.insert(key, (k.as_ref().to_string(), v.to_string()));
                }
            }
        }
        let date = |key: &str, v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                FilterError::new(
                    key,
                    format!(
                        "must be a date as YYYY-MM-DD (e.g. 2021-08-15), found `{}`",
                        clip(v)
                    ),
                )
            })
        };
        for (canonical, (key, v)) in &single {
            let (key, v) = (key.as_str(), v.as_str());
            match *canonical {
                "from" => f.from = Some(date(key, v)?),
                "to" => f.to = Some(date(key, v)?),
                "role" => {
                    f.role = Role::parse(v).ok_or_else(|| {
                        FilterError::new(key, format!("expected any, a or b, found `{}`", clip(v)))
                    })?
                }
                "actor_match" => {
                    f.actor_match = ActorMatch::parse(v).ok_or_else(|| {
                        FilterError::new(
                            key,
                            format!("expected with_factions or exact, found `{}`", clip(v)),
                        )
                    })?
                }
                "coarsest_geo" => {
                    f.coarsest_geo = Some(
                        v.parse::<u8>()
                            .ok()
                            .and_then(GeoPrecision::from_code)
                            .ok_or_else(|| {
                                FilterError::new(
                                    key,
                                    format!("must be {GEO_CODES}, found `{}`", clip(v)),
                                )
                            })?,
                    )
                }
                "coarsest_date" => {
                    f.coarsest_date = Some(
                        v.parse::<u8>()
                            .ok()
                            .and_then(DatePrecision::from_code)
                            .ok_or_else(|| {
                                FilterError::new(
                                    key,
                                    format!("must be {DATE_CODES}, found `{}`", clip(v)),
                                )
                            })?,
                    )
                }
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (f.from, f.to) {
            if a > b {
                return Err(FilterError::new("from", format!("{a} is after `to` ({b})")));
            }
        }
        Ok(f)
    }

    /// The filters as URL query pairs in [`QUERY_KEYS`] order (lists joined with
    /// commas; defaults left out). [`Filters::from_query_pairs`] reads them back.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(d) = self.from {
            out.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            out.push(("to", d.to_string()));
        }
        let types: Vec<String> = self
            .event_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        let lists: [(&'static str, &[String]); 9] = [
            ("source", &self.sources),
            ("country", &self.countries),
            ("type", &types),
            ("source_type", &self.source_types),
            ("province", &self.provinces),
            ("region", &self.regions),
            ("district", &self.districts),
            ("distance_band", &self.distance_bands),
            ("actor", &self.actors),
        ];
        for (k, v) in lists {
            if !v.is_empty() {
                out.push((k, v.join(",")));
            }
        }
        if self.role != Role::Any {
            out.push(("role", self.role.as_str().to_string()));
        }
        if self.actor_match != ActorMatch::default() {
            out.push(("actor_match", self.actor_match.as_str().to_string()));
        }
        if let Some(p) = self.coarsest_geo {
            out.push(("coarsest_geo", p.code().to_string()));
        }
        if let Some(p) = self.coarsest_date {
            out.push(("coarsest_date", p.code().to_string()));
        }
        if !self.attribution.is_empty() {
            let a: Vec<&str> = self.attribution.iter().map(|a| a.as_str()).collect();
            out.push(("attribution", a.join(",")));
        }
        out
    }

    /// These filters with `extra` laid over them: every field `extra` sets (a
    /// non-empty list, a date, a precision, a non-default role or actor match)
    /// replaces this one's. Used for line specs, report-wide filters and `--from/--to`.
    pub fn merged(&self, extra: &Filters) -> Filters {
        fn list<T: Clone>(base: &[T], over: &[T]) -> Vec<T> {
            if over.is_empty() {
                base.to_vec()
            } else {
                over.to_vec()
            }
        }
        Filters {
            from: extra.from.or(self.from),
            to: extra.to.or(self.to),
            countries: list(&self.countries, &extra.countries),
            actors: list(&self.actors, &extra.actors),
            role: if extra.role == Role::Any {
                self.role
            } else {
                extra.role
            },
            actor_match: if extra.actor_match == ActorMatch::default() {
                self.actor_match
            } else {
                extra.actor_match
            },
            event_types: list(&self.event_types, &extra.event_types),
            source_types: list(&self.source_types, &extra.source_types),
            provinces: list(&self.provinces, &extra.provinces),
            regions: list(&self.regions, &extra.regions),
            districts: list(&self.districts, &extra.districts),
            distance_bands: list(&self.distance_bands, &extra.distance_bands),
            coarsest_geo: extra.coarsest_geo.or(self.coarsest_geo),
            coarsest_date: extra.coarsest_date.or(self.coarsest_date),
            sources: list(&self.sources, &extra.sources),
            attribution: list(&self.attribution, &extra.attribution),
        }
    }

    /// One line for footers and methods sections:
    /// `2020-09-01 to 2022-07-31; actors: nrf (either side); types: battle, explosion`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match (self.from, self.to) {
            (Some(a), Some(b)) => parts.push(format!("{a} to {b}")),
            (Some(a), None) => parts.push(format!("from {a}")),
            (None, Some(b)) => parts.push(format!("to {b}")),
            (None, None) => parts.push("all dates".to_string()),
        }
        fn push(parts: &mut Vec<String>, name: &str, v: &[String]) {
            if !v.is_empty() {
                parts.push(format!("{name}: {}", v.join(", ")));
            }
        }
        push(&mut parts, "countries", &self.countries);
        if !self.actors.is_empty() {
            let side = match self.role {
                Role::Any => "either side",
                Role::A => "side A",
                Role::B => "side B",
            };
            let factions = match self.actor_match {
                ActorMatch::WithFactions => ", with factions",
                ActorMatch::Exact => ", exact",
            };
            parts.push(format!(
                "actors: {} ({side}{factions})",
                self.actors.join(", ")
            ));
        }
        let types: Vec<String> = self
            .event_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        push(&mut parts, "types", &types);
        push(&mut parts, "source types", &self.source_types);
        push(&mut parts, "provinces", &self.provinces);
        push(&mut parts, "regions", &self.regions);
        push(&mut parts, "districts", &self.districts);
        push(&mut parts, "distance", &self.distance_bands);
        if let Some(p) = self.coarsest_geo {
            parts.push(format!("geo precision ≤ {}", p.code()));
        }
        if let Some(p) = self.coarsest_date {
            parts.push(format!("date precision ≤ {}", p.code()));
        }
        push(&mut parts, "sources", &self.sources);
        let att: Vec<String> = self
            .attribution
            .iter()
            .map(|a| a.as_str().to_string())
            .collect();
        push(&mut parts, "attribution", &att);
        parts.join("; ")
    }

    /// Checks what a spec file can get wrong that serde cannot: dates in order,
    /// no empty actor ids. `key` is the dotted key of the table, for messages.
    pub(crate) fn validate(&self, key: &str) -> Result<(), SpecError> {
        let k = |leaf: &str| join_key(key, leaf);
        if let (Some(a), Some(b)) = (self.from, self.to) {
            if b < a {
                return Err(SpecError::invalid(
                    k("to"),
                    format!("{b} is before `from` ({a})"),
                ));
            }
        }
        if let Some(a) = self.actors.iter().find(|a| a.trim().is_empty()) {
            return Err(SpecError::invalid(
                k("actors"),
                format!("empty actor id {a:?}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_through_query_pairs() {
        let f = Filters {
            from: NaiveDate::from_ymd_opt(2021, 8, 15),
            to: NaiveDate::from_ymd_opt(2022, 6, 15),
            countries: vec!["Afghanistan".into()],
            actors: vec!["nrf".into(), "is-kp".into()],
            role: Role::B,
            actor_match: ActorMatch::Exact,
            event_types: vec![EventType::Battle, EventType::Explosion],
            source_types: vec!["State-based".into()],
            provinces: vec!["AF-KAB".into()],
            regions: vec!["Eastern".into()],
            districts: vec!["Jalalabad".into()],
            distance_bands: vec!["0–5 km".into()],
            coarsest_geo: Some(GeoPrecision::District),
            coarsest_date: Some(DatePrecision::from_code(2).unwrap()),
            sources: vec!["ucdp".into()],
            attribution: vec![Attribution::Contested],
        };
        let pairs = f.to_query_pairs();
        assert_eq!(pairs.len(), QUERY_KEYS.len());
        assert_eq!(Filters::from_query_pairs(&pairs).unwrap(), f);
        // TOML too.
        let toml = toml::to_string(&f).unwrap();
        let back: Filters = toml::from_str(&toml).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn old_precision_keys_are_read_and_bad_values_named() {
        let f = Filters::from_query_pairs(&[("min_geo_precision", "2")]).unwrap();
        assert_eq!(f.coarsest_geo, Some(GeoPrecision::Near));
        // An error names the key as the user wrote it.
        let e = Filters::from_query_pairs(&[("min_geo_precision", "7")]).unwrap_err();
        assert_eq!(e.key, "min_geo_precision");
        let t: Filters = toml::from_str("min_date_precision = 1").unwrap();
        assert_eq!(t.coarsest_date, DatePrecision::from_code(1));
        let e = Filters::from_query_pairs(&[("coarsest_geo", "9")]).unwrap_err();
        assert_eq!(e.key, "coarsest_geo");
        assert_eq!(
            e.to_string(),
            "`coarsest_geo`: must be 1 (exact place) … 5 (country only), found `9`"
        );
        let e = toml::from_str::<Filters>("coarsest_geo = 0").unwrap_err();
        assert!(e.to_string().contains("must be 1 (exact place)"), "{e}");
        let e = Filters::from_query_pairs(&[("type", "battle,war")]).unwrap_err();
        assert_eq!(e.key, "type");
        assert!(e.message.starts_with("unknown event type `war`"), "{e}");
        let e =
            Filters::from_query_pairs(&[("from", "2022-01-01"), ("to", "2021-01-01")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`from`: 2022-01-01 is after `to` (2021-01-01)"
        );
        let e = Filters::from_query_pairs(&[("role", "a"), ("role", "b")]).unwrap_err();
        assert_eq!(e.key, "role");
    }

    #[test]
    fn lists_split_dedupe_and_ignore_other_keys() {
        let f = Filters::from_query_pairs(&[
            ("province", "AF-KAB, AF-NAN"),
            ("province", "AF-KAB"),
            ("page", "3"),
            ("actor", ""),
        ])
        .unwrap();
        assert_eq!(f.provinces, ["AF-KAB", "AF-NAN"]);
        assert!(f.actors.is_empty());
        assert_eq!(
            f,
            Filters {
                provinces: vec!["AF-KAB".into(), "AF-NAN".into()],
                ..Filters::default()
            }
        );
    }
}
