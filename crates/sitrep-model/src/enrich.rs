//! The extension point through which later crates add derived columns to incidents.

use crate::Record;
use serde::{Deserialize, Serialize};

/// How a record's point relates to the gazetteer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PlaceFlag {
    /// The point lies inside a province.
    Inside,
    /// The point lies just outside the border and was snapped to the nearest province.
    Snapped,
    /// The point lies outside every province (beyond the snapping tolerance).
    Outside,
    /// The record has no coordinates.
    #[default]
    NoPoint,
    /// No gazetteer was applied.
    NotChecked,
}

impl PlaceFlag {
    /// The snake_case name stored in the `place_flag` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceFlag::Inside => "inside",
            PlaceFlag::Snapped => "snapped",
            PlaceFlag::Outside => "outside",
            PlaceFlag::NoPoint => "no_point",
            PlaceFlag::NotChecked => "not_checked",
        }
    }
}

/// Columns derived from a record by places and actors. Every field is optional: an
/// enricher fills what it knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// ISO 3166-2 code of the province the point lies in (e.g. `AF-KAB`).
    pub province_code: Option<String>,
    /// Gazetteer name of that province.
    pub province_name: Option<String>,
    /// District (admin 2) name from the gazetteer.
    pub district: Option<String>,
    /// Region (default grouping: UN OCHA's eight regions for Afghanistan).
    pub region: Option<String>,
    /// Nearest provincial capital.
    pub capital_name: Option<String>,
    /// Great-circle distance to that capital in km.
    pub capital_distance_km: Option<f64>,
    /// How the point relates to the gazetteer.
    pub place_flag: PlaceFlag,
    /// `Some(false)` when the source's own admin1 names another province than the point.
    pub admin1_agrees: Option<bool>,
    /// Canonical actor id of `actor1`.
    pub actor1_id: Option<String>,
    /// Canonical actor id of `actor2`.
    pub actor2_id: Option<String>,
    /// Parent (top-level) actor id of `actor1` (factions rolled up).
    pub actor1_root: Option<String>,
    /// Parent (top-level) actor id of `actor2`.
    pub actor2_root: Option<String>,
}

/// Adds derived columns to records. Implemented by sitrep-resolve; the store calls it
/// when it builds the incidents table and stores `version()` beside the result, so a
/// changed gazetteer or registry triggers a rebuild.
pub trait Enricher: Send + Sync {
    /// A short identifier of the enricher's data (e.g. a hash of the registry files).
    fn version(&self) -> String;
    /// The derived columns for one record.
    fn enrich(&self, record: &Record) -> Enrichment;
}

/// An enricher that adds nothing (flags every record `not_checked`).
pub struct NoEnrichment;

impl Enricher for NoEnrichment {
    fn version(&self) -> String {
        "none".into()
    }
    fn enrich(&self, _record: &Record) -> Enrichment {
        Enrichment {
            place_flag: PlaceFlag::NotChecked,
            ..Enrichment::default()
        }
    }
}
