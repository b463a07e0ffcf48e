//! Plain serialisable views for the CLI and the server: `sitrep places list|show`,
//! `sitrep actors list|show`. Lookups (`locate`, `resolve`, `unresolved`) already
//! return serialisable types ([`crate::Location`], [`crate::Resolution`],
//! [`crate::UnresolvedReport`]).

use crate::actors::{Actor, ActorKind, Alias, Leader, Registry, RelationKind};
use crate::gazetteer::{DistrictJoin, Gazetteer};
use chrono::NaiveDate;
use serde::Serialize;

/// One province in `places list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceSummary {
    /// ISO 3166-2 code.
    pub code: String,
    /// Canonical name.
    pub name: String,
    /// Group in the active grouping.
    pub region: Option<String>,
    /// Capital's name.
    pub capital: Option<String>,
    /// Number of districts.
    pub districts: usize,
}

/// One province in `places show`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceDetail {
    /// ISO 3166-2 code.
    pub code: String,
    /// Canonical name.
    pub name: String,
    /// Other spellings.
    pub variants: Vec<String>,
    /// Group in the active grouping, and the grouping's name.
    pub region: Option<String>,
    /// Name of the active grouping.
    pub grouping: String,
    /// The capital with coordinates and their source.
    pub capital: Option<CapitalView>,
    /// Bounding box: [min lon, min lat, max lon, max lat].
    pub bbox: Option<[f64; 4]>,
    /// Districts, by name, with how each was joined.
    pub districts: Vec<DistrictView>,
}

/// A capital in [`PlaceDetail`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapitalView {
    /// Name.
    pub name: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Source of the coordinates.
    pub source: String,
}

/// A district in [`PlaceDetail`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictView {
    /// Name.
    pub name: String,
    /// Representative point (lat, lon).
    pub point: (f64, f64),
    /// How it was assigned to the province.
    pub join: DistrictJoin,
}

/// All provinces, in configuration order.
pub fn place_list(g: &Gazetteer) -> Vec<PlaceSummary> {
    g.provinces()
        .iter()
        .enumerate()
        .map(|(i, p)| PlaceSummary {
            code: p.code.clone(),
            name: p.name.clone(),
            region: g.region_of(i).map(str::to_string),
            capital: p.capital.as_ref().map(|c| c.name.clone()),
            districts: g.districts_of(i).len(),
        })
        .collect()
}

/// One province by code or any spelling (`None` if unknown).
pub fn place_show(g: &Gazetteer, name: &str) -> Option<PlaceDetail> {
    use geo::BoundingRect;
    let i = g.province_index(name)?;
    let p = &g.provinces()[i];
    let mut districts: Vec<DistrictView> = g
        .districts_of(i)
        .iter()
        .map(|&d| {
            let d = &g.districts()[d];
            DistrictView {
                name: d.name.clone(),
                point: d.representative_point,
                join: d.join,
            }
        })
        .collect();
    districts.sort_by(|a, b| a.name.cmp(&b.name));
    Some(PlaceDetail {
        code: p.code.clone(),
        name: p.name.clone(),
        variants: p.variants.clone(),
        region: g.region_of(i).map(str::to_string),
        grouping: g.grouping_name().to_string(),
        capital: p.capital.as_ref().map(|c| CapitalView {
            name: c.name.clone(),
            lat: c.lat,
            lon: c.lon,
            source: c.source.clone(),
        }),
        bbox: p
            .geometry
            .bounding_rect()
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        districts,
    })
}

/// One actor in `actors list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ActorKind,
    /// Parent id.
    pub parent: Option<String>,
    /// Root id (itself when no parent).
    pub root: String,
    /// Number of aliases.
    pub aliases: usize,
    /// Registry file.
    pub file: String,
}

/// All actors, in file order.
pub fn actor_list(r: &Registry) -> Vec<ActorSummary> {
    r.actors()
        .iter()
        .map(|a| ActorSummary {
            id: a.id.clone(),
            name: a.name.clone(),
            kind: a.kind,
            parent: a.parent.clone(),
            root: r
                .root_of(&a.id)
                .map_or_else(|| a.id.clone(), |x| x.id.clone()),
            aliases: a.aliases.len(),
            file: a.file.clone(),
        })
        .collect()
}

/// One actor in `actors show`, with relations in both directions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorDetail {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ActorKind,
    /// Kinds by period.
    pub kind_history: Vec<crate::actors::KindPeriod>,
    /// Parent id.
    pub parent: Option<String>,
    /// Root id.
    pub root: String,
    /// Faction ids.
    pub factions: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Countries.
    pub countries: Vec<String>,
    /// UCDP actor ids.
    pub ucdp_ids: Vec<u32>,
    /// Aliases with their scopes.
    pub aliases: Vec<Alias>,
    /// Relations, outgoing and incoming.
    pub relations: Vec<RelationView>,
    /// Leaders.
    pub leaders: Vec<Leader>,
    /// Registry file.
    pub file: String,
}

/// A relation seen from one actor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationView {
    /// The relation kind.
    pub kind: RelationKind,
    /// `outgoing` (this actor → other) or `incoming` (other → this actor).
    pub direction: &'static str,
    /// The other actor's id.
    pub other_id: String,
    /// The other actor's name.
    pub other_name: String,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Evidence.
    pub citation: String,
}

/// One actor by id, or by any name that resolves without scope (`None` if unknown).
pub fn actor_show(r: &Registry, id_or_name: &str) -> Option<ActorDetail> {
    let a: &Actor = match r.get(id_or_name) {
        Some(a) => a,
        None => r.get(r.resolve_ids(id_or_name, None, None)?.0)?,
    };
    let relations = r
        .relations_of(&a.id)
        .into_iter()
        .map(|(incoming, from_actor, rel)| {
            let other = if incoming {
                from_actor
            } else {
                r.get(&rel.with).unwrap_or(from_actor)
            };
            RelationView {
                kind: rel.kind,
                direction: if incoming { "incoming" } else { "outgoing" },
                other_id: other.id.clone(),
                other_name: other.name.clone(),
                from: rel.from,
                to: rel.to,
                citation: rel.citation.clone(),
            }
        })
        .collect();
    Some(ActorDetail {
        id: a.id.clone(),
        name: a.name.clone(),
        kind: a.kind,
        kind_history: a.kind_history.clone(),
        parent: a.parent.clone(),
        root: r
            .root_of(&a.id)
            .map_or_else(|| a.id.clone(), |x| x.id.clone()),
        factions: a.factions.clone(),
        description: a.description.clone(),
        countries: a.countries.clone(),
        ucdp_ids: a.ucdp_ids.clone(),
        aliases: a.aliases.clone(),
        relations,
        leaders: a.leaders.clone(),
        file: a.file.clone(),
    })
}
