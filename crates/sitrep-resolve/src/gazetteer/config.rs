//! The TOML configuration that turns a country's boundary files into a gazetteer.
//!
//! Afghanistan's is `data/geo/afg_gazetteer.toml`; another country needs its own file
//! of the same shape plus GeoJSON boundaries (admin 1 required, admin 2 optional).

use serde::Deserialize;

/// A country's gazetteer configuration (one TOML file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GazetteerConfig {
    /// Country name as sources write it (`Afghanistan`).
    pub country: String,
    /// Other names and codes of the country (`AFG`, `AF`).
    #[serde(default)]
    pub country_aliases: Vec<String>,
    /// Points outside every province but within this many km of one snap to it.
    #[serde(default = "default_tolerance")]
    pub snap_tolerance_km: f64,
    /// Name of the grouping given by the provinces' `region` fields.
    #[serde(default = "default_grouping")]
    pub default_grouping: String,
    /// The first-level units (provinces): required.
    pub admin1: LayerConfig,
    /// The second-level units (districts), assigned to provinces by spatial join.
    #[serde(default)]
    pub admin2: Option<LayerConfig>,
    /// One entry per province: code, names, region, capital.
    #[serde(rename = "province")]
    pub provinces: Vec<ProvinceConfig>,
}

fn default_tolerance() -> f64 {
    5.0
}

fn default_grouping() -> String {
    "regions".into()
}

/// One boundary layer: a GeoJSON file of polygon features.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    /// Path of the GeoJSON file, relative to the configuration file.
    pub file: String,
    /// Feature property holding the unit's name.
    pub name_property: String,
    /// Feature property holding the unit's code, if any.
    #[serde(default)]
    pub code_property: Option<String>,
    /// How admin 1 features are matched to `[[province]]` entries.
    #[serde(default)]
    pub match_by: MatchBy,
}

/// How a GeoJSON feature is matched to a configured province.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    /// By code: the feature's `code_property` equals the province's `source_code`
    /// (or `code` when there is no `source_code`).
    #[default]
    Code,
    /// By name: the feature's `name_property` is the province's name or a variant.
    Name,
}

/// One province in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceConfig {
    /// Canonical code (ISO 3166-2, e.g. `AF-KAB`).
    pub code: String,
    /// The code as the GeoJSON writes it, when it differs from `code`.
    #[serde(default)]
    pub source_code: Option<String>,
    /// Canonical name.
    pub name: String,
    /// Other spellings, matched after normalisation.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Region in the default grouping.
    #[serde(default)]
    pub region: Option<String>,
    /// The provincial capital.
    #[serde(default)]
    pub capital: Option<CapitalConfig>,
}

/// A provincial capital with its coordinates and their source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapitalConfig {
    /// Name used in outputs.
    pub name: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// GeoNames id when the coordinates come from GeoNames.
    #[serde(default)]
    pub geonames_id: Option<u64>,
    /// The GeoNames name of that id.
    #[serde(default)]
    pub geonames_name: Option<String>,
    /// Source of the coordinates when not GeoNames.
    #[serde(default)]
    pub source: Option<String>,
    /// Other spellings of the capital's name.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A custom grouping of provinces (regions, theatres), loaded from TOML:
///
/// ```toml
/// name = "Crisis Group theatres"
/// [[group]]
/// name = "NRF heartland"
/// provinces = ["Panjshir", "Parwan", "Kapisa", "Baghlan"]
/// ```
///
/// Provinces may be named by code or any spelling variant; provinces left out have
/// no group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupingConfig {
    /// Name of the grouping.
    pub name: String,
    /// The groups in display order.
    #[serde(rename = "group")]
    pub groups: Vec<GroupConfig>,
}

/// One group of a [`GroupingConfig`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// Group name.
    pub name: String,
    /// Member provinces (codes or names).
    pub provinces: Vec<String>,
}
