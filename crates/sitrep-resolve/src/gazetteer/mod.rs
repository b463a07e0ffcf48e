//! The gazetteer: provinces, districts, capitals and regions of one country, with
//! point-in-province lookup and distance to the nearest provincial capital.
//!
//! Lookups use two R-trees over polygon bounding boxes (provinces, districts) to find
//! candidates and `geo::Contains` to decide. A point in no province but within the
//! snapping tolerance of one is assigned to the nearest ([`PlaceFlag::Snapped`]);
//! farther points are [`PlaceFlag::Outside`] and get no province and no capital
//! distance. Capital distances are great-circle (haversine, GRS80 mean radius).

mod config;

pub use config::{
    CapitalConfig, GazetteerConfig, GroupConfig, GroupingConfig, LayerConfig, MatchBy,
    ProvinceConfig,
};

use crate::error::ResolveError;
use crate::text;
use geo::{
    BoundingRect, Closest, ClosestPoint, Contains, Distance, Haversine, InteriorPoint,
    MultiPolygon, Point,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::Serialize;
use sitrep_model::PlaceFlag;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type PointEntry = GeomWithData<[f64; 2], usize>;

const BUNDLED_CONFIG_NAME: &str = "data/geo/afg_gazetteer.toml";
const BUNDLED_CONFIG: &str = include_str!("../../../../data/geo/afg_gazetteer.toml");
const BUNDLED_ADM1: &str = include_str!("../../../../data/geo/afg_adm1_provinces.geojson");
const BUNDLED_ADM2: &str =
    include_str!("../../../../data/geo/afg_adm2_districts_simplified.geojson");

/// Mean Earth radius used for degree/km conversions in bounds (km).
const EARTH_RADIUS_KM: f64 = 6371.0;
const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;

/// A provincial capital.
#[derive(Debug, Clone, Serialize)]
pub struct Capital {
    /// Name used in outputs.
    pub name: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// Where the coordinates come from (`GeoNames 1138958`, `Wikipedia: …`).
    pub source: String,
    /// Other spellings.
    pub aliases: Vec<String>,
}

/// How a district was assigned to its province.
///
/// The district (admin 2) and province (admin 1) layers come from different
/// sources and do not nest exactly: their borders disagree by up to a few km, more
/// around Panjshir and Kapisa (see data/geo/README.md). Each district goes to the
/// province that holds most of its area, estimated on a grid of sample points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistrictJoin {
    /// Assigned to the province holding the largest share of the district's sample
    /// points (ties go to the province containing its representative point).
    Majority {
        /// Share (0..1) of the district's sample points inside this province.
        share: f64,
    },
    /// No sample point lies in any province polygon (a sliver on the border); the
    /// province nearest to the representative point was taken, `km` away.
    Nearest {
        /// Distance from the representative point to that province, km.
        km: f64,
    },
}

/// A first-level unit with its polygon.
#[derive(Debug, Clone)]
pub struct Province {
    /// Canonical code (ISO 3166-2).
    pub code: String,
    /// Canonical name.
    pub name: String,
    /// Other spellings (including the GeoJSON's own name when it differs).
    pub variants: Vec<String>,
    /// Region in the default grouping.
    pub default_region: Option<String>,
    /// The provincial capital, when configured.
    pub capital: Option<Capital>,
    /// The boundary.
    pub geometry: MultiPolygon<f64>,
}

/// A second-level unit with its polygon and its province.
#[derive(Debug, Clone)]
pub struct District {
    /// Name as the boundary file writes it.
    pub name: String,
    /// Index into [`Gazetteer::provinces`].
    pub province: usize,
    /// A point guaranteed to lie inside the district (lat, lon).
    pub representative_point: (f64, f64),
    /// How the province was found.
    pub join: DistrictJoin,
    /// The boundary.
    pub geometry: MultiPolygon<f64>,
}

/// A province's code and name, as returned by lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvinceRef {
    /// Canonical code (ISO 3166-2).
    pub code: String,
    /// Canonical name.
    pub name: String,
}

/// Where a point lies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// The province (none when outside).
    pub province: Option<ProvinceRef>,
    /// The district, when the point lies in (or within tolerance of) one.
    pub district: Option<String>,
    /// The province's group in the active grouping.
    pub region: Option<String>,
    /// Inside, snapped or outside.
    pub flag: PlaceFlag,
    /// For snapped points, the distance to the province's border in km.
    pub snapped_km: Option<f64>,
    /// Nearest provincial capital (none when outside).
    pub capital_name: Option<String>,
    /// Great-circle distance to that capital, km (none when outside).
    pub capital_distance_km: Option<f64>,
}

/// The same as [`Location`] with indices instead of strings: what `enrich` uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawLocation {
    /// Index of the province.
    pub province: Option<usize>,
    /// Index of the district.
    pub district: Option<usize>,
    /// Inside, snapped or outside.
    pub flag: PlaceFlag,
    /// Distance to the border for snapped points, km.
    pub snapped_km: Option<f64>,
    /// Index of the province whose capital is nearest, and the distance in km.
    pub capital: Option<(usize, f64)>,
}

/// Districts with their R-tree and each province's list.
#[derive(Debug)]
struct DistrictIndex {
    list: Vec<District>,
    tree: RTree<BoxEntry>,
    of_province: Vec<Vec<usize>>,
}

/// The active grouping: a name and one optional group per province.
#[derive(Debug, Clone)]
struct Grouping {
    name: String,
    order: Vec<String>,
    of_province: Vec<Option<String>>,
}

/// Provinces, districts, capitals and regions of one country. Build it with
/// [`Gazetteer::bundled`] (Afghanistan, compiled in) or [`Gazetteer::load`].
#[derive(Debug)]
pub struct Gazetteer {
    country: String,
    country_aliases: Vec<String>,
    snap_tolerance_km: f64,
    provinces: Vec<Province>,
    /// Districts, joined to provinces on first use (the join samples every district's
    /// area: most of a gazetteer's build time, which commands that never look at a
    /// district should not pay).
    districts: std::sync::OnceLock<DistrictIndex>,
    /// The district features until the join takes them.
    pending_districts: std::sync::Mutex<Option<Vec<Feature>>>,
    province_tree: RTree<BoxEntry>,
    capital_tree: RTree<PointEntry>,
    /// Largest |latitude| of any capital: bounds the degree→km conversion.
    capital_max_abs_lat: f64,
    names: HashMap<String, usize>,
    skeletons: HashMap<String, Option<usize>>,
    grouping: Grouping,
    default_grouping: String,
    version: String,
}

impl Gazetteer {
    /// Afghanistan's gazetteer from the files compiled into the binary
    /// (`data/geo/afg_gazetteer.toml` and the geoBoundaries GeoJSON).
    pub fn bundled() -> Result<Self, ResolveError> {
        Self::from_sources(
            BUNDLED_CONFIG,
            Path::new(BUNDLED_CONFIG_NAME),
            |file| match file {
                "afg_adm1_provinces.geojson" => Ok(Cow::Borrowed(BUNDLED_ADM1)),
                "afg_adm2_districts_simplified.geojson" => Ok(Cow::Borrowed(BUNDLED_ADM2)),
                other => Err(ResolveError::Invalid {
                    file: PathBuf::from(BUNDLED_CONFIG_NAME),
                    line: None,
                    message: format!("bundled gazetteer has no file {other:?}"),
                }),
            },
        )
    }

    /// A gazetteer from a configuration file on disk; its GeoJSON paths are relative
    /// to the configuration file.
    pub fn load(config_path: impl AsRef<Path>) -> Result<Self, ResolveError> {
        let config_path = config_path.as_ref();
        let text = read(config_path)?;
        let dir = config_path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::from_sources(&text, config_path, |file| {
            read(&dir.join(file)).map(Cow::Owned)
        })
    }

    /// A gazetteer from a configuration text and a function that returns the text of
    /// each file the configuration names.
    pub fn from_sources<'a>(
        config_text: &str,
        config_name: &Path,
        mut open: impl FnMut(&str) -> Result<Cow<'a, str>, ResolveError>,
    ) -> Result<Self, ResolveError> {
        let config: GazetteerConfig = toml::from_str(config_text)
            .map_err(|e| ResolveError::toml(config_name, config_text, &e))?;
        let mut hasher = crate::Fnv::new();
        hasher.write(config_text.as_bytes());
        let adm1_text = open(&config.admin1.file)?;
        hasher.write(adm1_text.as_bytes());
        let adm1 = read_layer(&adm1_text, Path::new(&config.admin1.file), &config.admin1)?;
        let adm2 = match &config.admin2 {
            Some(layer) => {
                let t = open(&layer.file)?;
                hasher.write(t.as_bytes());
                Some(read_layer(&t, Path::new(&layer.file), layer)?)
            }
            None => None,
        };
        let mut g = Self::build(
            config,
            config_text,
            config_name,
            adm1,
            adm2.unwrap_or_default(),
        )?;
        g.version = format!("{:016x}", hasher.finish());
        Ok(g)
    }

    fn build(
        config: GazetteerConfig,
        config_text: &str,
        config_name: &Path,
        adm1: Vec<Feature>,
        adm2: Vec<Feature>,
    ) -> Result<Self, ResolveError> {
        let mut errors = Vec::new();
        let mut provinces = Vec::with_capacity(config.provinces.len());
        let mut used = vec![false; adm1.len()];
        for p in &config.provinces {
            let offset = config_text.find(&format!("code = \"{}\"", p.code));
            let found = adm1.iter().position(|f| match config.admin1.match_by {
                MatchBy::Code => {
                    let want = p.source_code.as_deref().unwrap_or(&p.code);
                    f.code.as_deref() == Some(want)
                }
                MatchBy::Name => {
                    let key = text::compact(&f.name);
                    std::iter::once(&p.name)
                        .chain(&p.variants)
                        .any(|n| text::compact(n) == key)
                }
            });
            let Some(i) = found else {
                errors.push(ResolveError::invalid_at(
                    config_name,
                    config_text,
                    offset,
                    format!(
                        "province {} ({}) has no feature in {} (matching by {:?})",
                        p.code, p.name, config.admin1.file, config.admin1.match_by
                    ),
                ));
                continue;
            };
            if used[i] {
                errors.push(ResolveError::invalid_at(
                    config_name,
                    config_text,
                    offset,
                    format!(
                        "province {} matches a feature already used by another province",
                        p.code
                    ),
                ));
                continue;
            }
            used[i] = true;
            let mut variants = p.variants.clone();
            if text::compact(&adm1[i].name) != text::compact(&p.name)
                && !variants
                    .iter()
                    .any(|v| text::compact(v) == text::compact(&adm1[i].name))
            {
                variants.push(adm1[i].name.clone());
            }
            provinces.push(Province {
                code: p.code.clone(),
                name: p.name.clone(),
                variants,
                default_region: p.region.clone(),
                capital: p.capital.as_ref().map(|c| Capital {
                    name: c.name.clone(),
                    lat: c.lat,
                    lon: c.lon,
                    source: match (&c.source, c.geonames_id) {
                        (Some(s), _) => s.clone(),
                        (None, Some(id)) => format!("GeoNames {id}"),
                        (None, None) => "unspecified".into(),
                    },
                    aliases: c.aliases.clone(),
                }),
                geometry: adm1[i].geometry.clone(),
            });
        }
        for (i, f) in adm1.iter().enumerate() {
            if !used[i] {
                errors.push(ResolveError::Invalid {
                    file: PathBuf::from(&config.admin1.file),
                    line: None,
                    message: format!(
                        "feature {:?} (code {:?}) matches no [[province]] in {}",
                        f.name,
                        f.code,
                        config_name.display()
                    ),
                });
            }
        }
        // Names: canonical name, variants, code, and the code's suffix (KAB).
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut skeleton_sets: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in provinces.iter().enumerate() {
            let mut keys: Vec<&str> = vec![&p.name, &p.code];
            keys.extend(p.variants.iter().map(String::as_str));
            for k in keys {
                let key = province_key(k);
                if let Some(&other) = names.get(&key) {
                    if other != i {
                        errors.push(ResolveError::Invalid {
                            file: config_name.to_path_buf(),
                            line: None,
                            message: format!(
                                "name {k:?} is given for both {} and {}",
                                provinces[other].code, p.code
                            ),
                        });
                    }
                }
                names.insert(key, i);
                let s = text::skeleton(text::strip_admin_words(&text::fold(k)));
                let v = skeleton_sets.entry(s).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        ResolveError::collect(errors)?;
        // Ambiguous skeletons resolve to nothing rather than to a guess.
        let skeletons = skeleton_sets
            .into_iter()
            .map(|(k, v)| (k, (v.len() == 1).then(|| v[0])))
            .collect();

        let province_tree = RTree::bulk_load(
            provinces
                .iter()
                .enumerate()
                .filter_map(|(i, p)| bbox_entry(&p.geometry, i))
                .collect(),
        );
        let capital_tree = RTree::bulk_load(
            provinces
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    p.capital
                        .as_ref()
                        .map(|c| GeomWithData::new([c.lon, c.lat], i))
                })
                .collect(),
        );
        let capital_max_abs_lat = provinces
            .iter()
            .filter_map(|p| p.capital.as_ref().map(|c| c.lat.abs()))
            .fold(0.0, f64::max);

        let grouping = Grouping {
            name: config.default_grouping.clone(),
            order: {
                let mut order: Vec<String> = Vec::new();
                for p in &provinces {
                    if let Some(r) = &p.default_region {
                        if !order.contains(r) {
                            order.push(r.clone());
                        }
                    }
                }
                order
            },
            of_province: provinces.iter().map(|p| p.default_region.clone()).collect(),
        };

        let g = Gazetteer {
            country: config.country,
            country_aliases: config.country_aliases,
            snap_tolerance_km: config.snap_tolerance_km,
            provinces,
            districts: std::sync::OnceLock::new(),
            pending_districts: std::sync::Mutex::new(Some(adm2)),
            province_tree,
            capital_tree,
            capital_max_abs_lat,
            names,
            skeletons,
            grouping,
            default_grouping: config.default_grouping,
            version: String::new(),
        };
        Ok(g)
    }

    /// The districts and their index, joined on first use.
    fn district_index(&self) -> &DistrictIndex {
        self.districts.get_or_init(|| {
            let adm2 = self
                .pending_districts
                .lock()
                .map(|mut p| p.take())
                .ok()
                .flatten()
                .unwrap_or_default();
            self.join_districts(adm2)
        })
    }

    /// Indices into [`Gazetteer::districts`] of a province's districts.
    pub fn districts_of(&self, province: usize) -> &[usize] {
        self.district_index()
            .of_province
            .get(province)
            .map_or(&[], Vec::as_slice)
    }

    /// Assign each district to the province containing its representative point
    /// (or, failing that, the nearest province).
    fn join_districts(&self, adm2: Vec<Feature>) -> DistrictIndex {
        let mut districts = Vec::with_capacity(adm2.len());
        for f in adm2 {
            let Some(rep) = f.geometry.interior_point() else {
                continue;
            };
            let (province, join) = match self.majority_province(&f.geometry, rep) {
                Some((i, share)) => (i, DistrictJoin::Majority { share }),
                None => match self.nearest_province(rep, f64::INFINITY) {
                    Some((i, km)) => (i, DistrictJoin::Nearest { km }),
                    None => continue,
                },
            };
            districts.push(District {
                name: f.name,
                province,
                representative_point: (rep.y(), rep.x()),
                join,
                geometry: f.geometry,
            });
        }
        let mut of_province = vec![Vec::new(); self.provinces.len()];
        for (d, district) in districts.iter().enumerate() {
            of_province[district.province].push(d);
        }
        let tree = RTree::bulk_load(
            districts
                .iter()
                .enumerate()
                .filter_map(|(i, d)| bbox_entry(&d.geometry, i))
                .collect(),
        );
        DistrictIndex {
            list: districts,
            tree,
            of_province,
        }
    }

    /// The province holding most of a district's area (sampled on a 12×12 grid over
    /// its bounding box plus its representative point), with that share.
    fn majority_province(&self, g: &MultiPolygon<f64>, rep: Point<f64>) -> Option<(usize, f64)> {
        const N: usize = 12;
        let r = g.bounding_rect()?;
        let mut counts = vec![0usize; self.provinces.len()];
        let mut total = 0usize;
        let mut tally = |p: Point<f64>, counts: &mut Vec<usize>| {
            total += 1;
            if let Some(&i) = self.provinces_containing_point(p).first() {
                counts[i] += 1;
            }
        };
        tally(rep, &mut counts);
        for i in 0..N {
            for j in 0..N {
                let x = r.min().x + r.width() * (i as f64 + 0.5) / N as f64;
                let y = r.min().y + r.height() * (j as f64 + 0.5) / N as f64;
                let p = Point::new(x, y);
                if g.contains(&p) {
                    tally(p, &mut counts);
                }
            }
        }
        let rep_province = self.provinces_containing_point(rep).first().copied();
        let max = *counts.iter().max()?;
        if max == 0 {
            return None;
        }
        let best = rep_province
            .filter(|&i| counts[i] == max)
            .or_else(|| counts.iter().position(|&c| c == max))?;
        Some((best, max as f64 / total as f64))
    }

    /// Load a custom grouping (see [`GroupingConfig`]) and make it the active one.
    /// Fails, listing every unknown province name, when a name does not resolve.
    pub fn set_grouping_file(&mut self, path: impl AsRef<Path>) -> Result<(), ResolveError> {
        let path = path.as_ref();
        let text = read(path)?;
        self.set_grouping_str(&text, path)
    }

    /// Like [`Gazetteer::set_grouping_file`], from a TOML text (`name` is used in errors).
    pub fn set_grouping_str(&mut self, toml_text: &str, name: &Path) -> Result<(), ResolveError> {
        let cfg: GroupingConfig =
            toml::from_str(toml_text).map_err(|e| ResolveError::toml(name, toml_text, &e))?;
        let mut of_province = vec![None; self.provinces.len()];
        let mut errors = Vec::new();
        for g in &cfg.groups {
            for p in &g.provinces {
                match self.province_index(p) {
                    Some(i) => {
                        if let Some(prev) = &of_province[i] {
                            errors.push(ResolveError::invalid_at(
                                name,
                                toml_text,
                                toml_text.find(&format!("\"{p}\"")),
                                format!("{p} is in both {prev:?} and {:?}", g.name),
                            ));
                        }
                        of_province[i] = Some(g.name.clone());
                    }
                    None => errors.push(ResolveError::invalid_at(
                        name,
                        toml_text,
                        toml_text.find(&format!("\"{p}\"")),
                        format!("unknown province {p:?} in group {:?}", g.name),
                    )),
                }
            }
        }
        ResolveError::collect(errors)?;
        self.grouping = Grouping {
            name: cfg.name,
            order: cfg.groups.iter().map(|g| g.name.clone()).collect(),
            of_province,
        };
        Ok(())
    }

    /// Restore the default grouping of the configuration (UN OCHA regions for Afghanistan).
    pub fn reset_grouping(&mut self) {
        let mut order = Vec::new();
        for p in &self.provinces {
            if let Some(r) = &p.default_region {
                if !order.contains(r) {
                    order.push(r.clone());
                }
            }
        }
        self.grouping = Grouping {
            name: self.default_grouping.clone(),
            order,
            of_province: self
                .provinces
                .iter()
                .map(|p| p.default_region.clone())
                .collect(),
        };
    }

    /// Name of the active grouping.
    pub fn grouping_name(&self) -> &str {
        &self.grouping.name
    }

    /// Group names of the active grouping, in display order.
    pub fn groups(&self) -> &[String] {
        &self.grouping.order
    }

    /// The country this gazetteer covers.
    pub fn country(&self) -> &str {
        &self.country
    }

    /// True when `name` names this gazetteer's country (case and diacritics ignored).
    pub fn is_country(&self, name: &str) -> bool {
        let k = text::fold(name);
        text::fold(&self.country) == k || self.country_aliases.iter().any(|a| text::fold(a) == k)
    }

    /// The snapping tolerance in km.
    pub fn snap_tolerance_km(&self) -> f64 {
        self.snap_tolerance_km
    }

    /// Change the snapping tolerance (km; 0 disables snapping).
    pub fn set_snap_tolerance_km(&mut self, km: f64) {
        self.snap_tolerance_km = km.max(0.0);
    }

    /// A hash of the configuration and boundary files (hex).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// All provinces, in configuration order.
    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    /// For each province (by index), the provinces whose boundaries touch it: some
    /// vertex of one lies within ~1 km (0.01°) of a vertex of the other. For
    /// models that borrow strength from neighbours (forecasts).
    pub fn province_neighbours(&self) -> Vec<Vec<usize>> {
        let tol = 0.01;
        let pts: Vec<Vec<(f64, f64)>> = self
            .provinces
            .iter()
            .map(|p| {
                p.geometry
                    .0
                    .iter()
                    .flat_map(|poly| poly.exterior().0.iter().map(|c| (c.x, c.y)))
                    .collect()
            })
            .collect();
        let bbox: Vec<(f64, f64, f64, f64)> = pts
            .iter()
            .map(|v| {
                v.iter().fold(
                    (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
                    |(a, b, c, d), (x, y)| (a.min(*x), b.min(*y), c.max(*x), d.max(*y)),
                )
            })
            .collect();
        let n = pts.len();
        let mut out = vec![Vec::new(); n];
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (bbox[i], bbox[j]);
                if a.0 > b.2 + tol || b.0 > a.2 + tol || a.1 > b.3 + tol || b.1 > a.3 + tol {
                    continue;
                }
                let touch = pts[i].iter().any(|(x, y)| {
                    pts[j]
                        .iter()
                        .any(|(u, v)| (x - u).abs() < tol && (y - v).abs() < tol)
                });
                if touch {
                    out[i].push(j);
                    out[j].push(i);
                }
            }
        }
        out
    }

    /// All districts.
    pub fn districts(&self) -> &[District] {
        &self.district_index().list
    }

    /// The group of a province (by index) in the active grouping.
    pub fn region_of(&self, province: usize) -> Option<&str> {
        self.grouping.of_province.get(province)?.as_deref()
    }

    /// The province a name or code refers to, tolerant of spelling: case,
    /// diacritics, hyphens and spaces, a `province` suffix, and vowel variants
    /// (`Ningarhar`, `Sari Pul`, `Hilmand`, `AF-KAB`, `kab`).
    pub fn province_by_name(&self, name: &str) -> Option<&Province> {
        self.province_index(name).map(|i| &self.provinces[i])
    }

    /// Index form of [`Gazetteer::province_by_name`].
    pub fn province_index(&self, name: &str) -> Option<usize> {
        let key = province_key(name);
        if key.is_empty() {
            return None;
        }
        if let Some(&i) = self.names.get(&key) {
            return Some(i);
        }
        // ISO code suffix alone (KAB), when unambiguous.
        if key.len() == 3 {
            let mut hits = self.provinces.iter().enumerate().filter(|(_, p)| {
                p.code
                    .rsplit(['-', '_'])
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case(&key))
            });
            if let (Some((i, _)), None) = (hits.next(), hits.next()) {
                return Some(i);
            }
        }
        let s = text::skeleton(text::strip_admin_words(&text::fold(name)));
        self.skeletons.get(&s).copied().flatten()
    }

    /// Province indices whose polygon contains the point.
    fn provinces_containing_point(&self, p: Point<f64>) -> Vec<usize> {
        let env = AABB::from_point([p.x(), p.y()]);
        self.province_tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .filter(|&i| self.provinces[i].geometry.contains(&p))
            .collect()
    }

    /// Provinces (codes) whose polygon contains the point: normally one, none outside
    /// the country, two only on a shared border vertex.
    pub fn provinces_containing(&self, lat: f64, lon: f64) -> Vec<&str> {
        self.provinces_containing_point(Point::new(lon, lat))
            .into_iter()
            .map(|i| self.provinces[i].code.as_str())
            .collect()
    }

    /// Nearest province within `max_km` of a point outside all of them, and the distance.
    fn nearest_province(&self, p: Point<f64>, max_km: f64) -> Option<(usize, f64)> {
        let candidates: Vec<usize> = if max_km.is_finite() {
            let env = expanded_envelope(p, max_km);
            self.province_tree
                .locate_in_envelope_intersecting(&env)
                .map(|e| e.data)
                .collect()
        } else {
            (0..self.provinces.len()).collect()
        };
        nearest_of(candidates, p, |i| &self.provinces[i].geometry).filter(|&(_, km)| km <= max_km)
    }

    /// Where a point lies, with indices (no allocation): see [`Gazetteer::locate`].
    pub fn locate_raw(&self, lat: f64, lon: f64) -> RawLocation {
        if !lat.is_finite() || !lon.is_finite() || lat.abs() > 90.0 || lon.abs() > 180.0 {
            return RawLocation {
                province: None,
                district: None,
                flag: PlaceFlag::NoPoint,
                snapped_km: None,
                capital: None,
            };
        }
        let p = Point::new(lon, lat);
        let env = AABB::from_point([lon, lat]);
        let inside = self
            .province_tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .find(|&i| self.provinces[i].geometry.contains(&p));
        let (province, flag, snapped_km) = match inside {
            Some(i) => (Some(i), PlaceFlag::Inside, None),
            None => match self.nearest_province(p, self.snap_tolerance_km) {
                // A point exactly on a border is not `contained` but is inside.
                Some((i, km)) if km <= 0.0 => (Some(i), PlaceFlag::Inside, None),
                Some((i, km)) => (Some(i), PlaceFlag::Snapped, Some(km)),
                None => (None, PlaceFlag::Outside, None),
            },
        };
        let Some(pi) = province else {
            return RawLocation {
                province: None,
                district: None,
                flag,
                snapped_km: None,
                capital: None,
            };
        };
        let dx = self.district_index();
        let district = dx
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .filter(|&d| dx.list[d].province == pi)
            .find(|&d| dx.list[d].geometry.contains(&p))
            .or_else(|| {
                // Gaps between simplified district polygons, or a snapped point: the
                // nearest district of the same province within the tolerance.
                let tol = self.snap_tolerance_km.max(0.0);
                let cands: Vec<usize> = dx
                    .tree
                    .locate_in_envelope_intersecting(&expanded_envelope(
                        p,
                        tol + snapped_km.unwrap_or(0.0),
                    ))
                    .map(|e| e.data)
                    .filter(|&d| dx.list[d].province == pi)
                    .collect();
                nearest_of(cands, p, |d| &dx.list[d].geometry)
                    .filter(|&(_, km)| km <= tol + snapped_km.unwrap_or(0.0))
                    .map(|(d, _)| d)
            });
        RawLocation {
            province,
            district,
            flag,
            snapped_km,
            capital: self.nearest_capital_raw(lat, lon),
        }
    }

    /// Where a point lies: province, district, region, flag, and the nearest
    /// provincial capital with its great-circle distance. Points outside the country
    /// (beyond the snapping tolerance) get only `flag: Outside`.
    pub fn locate(&self, lat: f64, lon: f64) -> Location {
        let raw = self.locate_raw(lat, lon);
        self.describe(&raw)
    }

    /// Turn a [`RawLocation`] into a [`Location`].
    pub fn describe(&self, raw: &RawLocation) -> Location {
        let province = raw.province.map(|i| &self.provinces[i]);
        let capital = raw.capital.and_then(|(i, km)| {
            self.provinces[i]
                .capital
                .as_ref()
                .map(|c| (c.name.clone(), km))
        });
        Location {
            province: province.map(|p| ProvinceRef {
                code: p.code.clone(),
                name: p.name.clone(),
            }),
            district: raw.district.map(|d| self.districts()[d].name.clone()),
            region: raw
                .province
                .and_then(|i| self.region_of(i))
                .map(str::to_string),
            flag: raw.flag,
            snapped_km: raw.snapped_km,
            capital_name: capital.as_ref().map(|c| c.0.clone()),
            capital_distance_km: capital.map(|c| c.1),
        }
    }

    /// The nearest provincial capital to a point and its distance in km, whether or
    /// not the point is in the country.
    pub fn nearest_capital(&self, lat: f64, lon: f64) -> Option<(&Capital, f64)> {
        self.nearest_capital_raw(lat, lon)
            .and_then(|(i, km)| self.provinces[i].capital.as_ref().map(|c| (c, km)))
    }

    /// R-tree neighbours come in planar degree order; a degree of longitude shrinks
    /// with latitude, so the planar order is not the great-circle order. We walk the
    /// planar order and stop once a lower bound on the great-circle distance of the
    /// remaining candidates (planar degrees × km per degree × cos of the largest
    /// latitude involved) exceeds the best distance found: exact, usually 2–4 steps.
    fn nearest_capital_raw(&self, lat: f64, lon: f64) -> Option<(usize, f64)> {
        let p = Point::new(lon, lat);
        let max_lat = lat.abs().max(self.capital_max_abs_lat).min(89.0);
        let shrink = max_lat.to_radians().cos() * 0.99;
        let mut best: Option<(usize, f64)> = None;
        for (entry, d2) in self
            .capital_tree
            .nearest_neighbor_iter_with_distance_2(&[lon, lat])
        {
            let lower_km = d2.sqrt() * KM_PER_DEGREE * shrink;
            if let Some((_, b)) = best {
                if lower_km > b {
                    break;
                }
            }
            let c = Point::new(entry.geom()[0], entry.geom()[1]);
            let km = Haversine.distance(p, c) / 1000.0;
            if best.is_none_or(|(_, b)| km < b) {
                best = Some((entry.data, km));
            }
        }
        best
    }
}

/// Great-circle (haversine) distance between two WGS84 points in km, with the GRS80
/// mean Earth radius (the measure used for capital distances).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// Normalised lookup key of a province name: folded, admin words stripped, no spaces.
fn province_key(name: &str) -> String {
    let folded = text::fold(name);
    text::strip_admin_words(&folded).replace(' ', "")
}

fn bbox_entry(g: &MultiPolygon<f64>, i: usize) -> Option<BoxEntry> {
    let r = g.bounding_rect()?;
    Some(GeomWithData::new(
        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        i,
    ))
}

/// The envelope of all points within `km` of `p` (conservative in both axes).
fn expanded_envelope(p: Point<f64>, km: f64) -> AABB<[f64; 2]> {
    let dlat = km / KM_PER_DEGREE * 1.05 + 1e-9;
    let cos = p.y().to_radians().cos().max(0.01);
    let dlon = km / (KM_PER_DEGREE * cos) * 1.05 + 1e-9;
    AABB::from_corners([p.x() - dlon, p.y() - dlat], [p.x() + dlon, p.y() + dlat])
}

/// The candidate whose polygon border is nearest to `p` (great-circle km to the
/// planar closest point, accurate at the few-km scale used for snapping).
fn nearest_of<'g>(
    candidates: Vec<usize>,
    p: Point<f64>,
    geometry: impl Fn(usize) -> &'g MultiPolygon<f64>,
) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for i in candidates {
        let q = match geometry(i).closest_point(&p) {
            Closest::Intersection(q) | Closest::SinglePoint(q) => q,
            Closest::Indeterminate => continue,
        };
        let km = Haversine.distance(p, q) / 1000.0;
        if best.is_none_or(|(_, b)| km < b) {
            best = Some((i, km));
        }
    }
    best
}

/// One GeoJSON feature: name, code and polygon(s).
#[derive(Debug)]
struct Feature {
    name: String,
    code: Option<String>,
    geometry: MultiPolygon<f64>,
}

fn read_layer(text: &str, file: &Path, layer: &LayerConfig) -> Result<Vec<Feature>, ResolveError> {
    let bad = |message: String| ResolveError::GeoJson {
        file: file.to_path_buf(),
        message,
    };
    let fc: geojson::FeatureCollection = text
        .parse()
        .map_err(|e: geojson::Error| bad(format!("not a GeoJSON FeatureCollection: {e}")))?;
    let mut out = Vec::with_capacity(fc.features.len());
    let mut errors = Vec::new();
    for (n, f) in fc.features.into_iter().enumerate() {
        let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).map(str::to_string);
        let Some(name) = prop(&layer.name_property) else {
            errors.push(bad(format!(
                "feature {n} has no string property {:?}",
                layer.name_property
            )));
            continue;
        };
        let code = layer
            .code_property
            .as_deref()
            .and_then(prop)
            .filter(|c| !c.is_empty());
        let Some(geom) = f.geometry else {
            errors.push(bad(format!("feature {n} ({name}) has no geometry")));
            continue;
        };
        let geometry = match geo::Geometry::<f64>::try_from(geom) {
            Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
            Ok(geo::Geometry::MultiPolygon(m)) => m,
            Ok(_) => {
                errors.push(bad(format!("feature {n} ({name}) is not a polygon")));
                continue;
            }
            Err(e) => {
                errors.push(bad(format!("feature {n} ({name}): {e}")));
                continue;
            }
        };
        out.push(Feature {
            name,
            code,
            geometry,
        });
    }
    ResolveError::collect(errors)?;
    Ok(out)
}

pub(crate) fn read(path: &Path) -> Result<String, ResolveError> {
    std::fs::read_to_string(path).map_err(|source| ResolveError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Gazetteer {
        // Two unit squares side by side, with capitals at their centres.
        let adm1 = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"n":"West","c":"XX-W"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
          {"type":"Feature","properties":{"n":"East","c":"XX-E"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}"#;
        let cfg = r#"
            country = "Testland"
            snap_tolerance_km = 5.0
            [admin1]
            file = "a.geojson"
            name_property = "n"
            code_property = "c"
            [[province]]
            code = "XX-W"
            name = "West"
            variants = ["Westia"]
            region = "R1"
            capital = { name = "Wcap", lat = 0.5, lon = 0.5 }
            [[province]]
            code = "XX-E"
            name = "East"
            region = "R2"
            capital = { name = "Ecap", lat = 0.5, lon = 1.5 }
        "#;
        Gazetteer::from_sources(cfg, Path::new("t.toml"), |_| Ok(Cow::Borrowed(adm1))).unwrap()
    }

    #[test]
    fn inside_snapped_outside() {
        let g = tiny();
        let l = g.locate(0.5, 0.2);
        assert_eq!(l.province.unwrap().code, "XX-W");
        assert_eq!(l.flag, PlaceFlag::Inside);
        assert_eq!(l.region.as_deref(), Some("R1"));
        // ~3.3 km west of the western border: snapped.
        let l = g.locate(0.5, -0.03);
        assert_eq!(
            (l.flag, l.province.map(|p| p.code)),
            (PlaceFlag::Snapped, Some("XX-W".into()))
        );
        assert!(
            (l.snapped_km.unwrap() - 3.34).abs() < 0.1,
            "{:?}",
            l.snapped_km
        );
        // ~11 km out: outside, no capital distance.
        let l = g.locate(0.5, -0.1);
        assert_eq!(l.flag, PlaceFlag::Outside);
        assert_eq!(l.capital_distance_km, None);
        assert_eq!(g.locate(f64::NAN, 0.0).flag, PlaceFlag::NoPoint);
    }

    #[test]
    fn nearest_capital_matches_brute_force() {
        let g = Gazetteer::bundled().unwrap();
        for i in 0..40 {
            for j in 0..40 {
                let lat = 29.0 + i as f64 * 0.25;
                let lon = 60.0 + j as f64 * 0.3;
                let (c, km) = g.nearest_capital(lat, lon).unwrap();
                let brute = g
                    .provinces()
                    .iter()
                    .filter_map(|p| p.capital.as_ref())
                    .map(|c| {
                        (
                            c,
                            Haversine.distance(Point::new(lon, lat), Point::new(c.lon, c.lat))
                                / 1000.0,
                        )
                    })
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                assert_eq!(c.name, brute.0.name, "at {lat},{lon}");
                assert!((km - brute.1).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn config_errors_name_the_province_and_line() {
        let adm1 = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"n":"West","c":"XX-W"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;
        let cfg = "country = \"T\"\n[admin1]\nfile = \"a\"\nname_property = \"n\"\ncode_property = \"c\"\n[[province]]\ncode = \"XX-Q\"\nname = \"Q\"\n";
        let err = Gazetteer::from_sources(cfg, Path::new("t.toml"), |_| Ok(Cow::Borrowed(adm1)))
            .unwrap_err();
        let s = err.to_string();
        assert!(
            s.contains("t.toml:7: province XX-Q (Q) has no feature"),
            "{s}"
        );
        assert!(s.contains("\"West\""), "{s}");
    }

    #[test]
    fn custom_grouping_replaces_regions_and_rejects_unknown_names() {
        let mut g = tiny();
        g.set_grouping_str(
            "name = \"G\"\n[[group]]\nname = \"All\"\nprovinces = [\"Westia\", \"XX-E\"]\n",
            Path::new("g.toml"),
        )
        .unwrap();
        assert_eq!(g.locate(0.5, 1.5).region.as_deref(), Some("All"));
        assert_eq!(g.grouping_name(), "G");
        let err = g
            .set_grouping_str(
                "name = \"G\"\n[[group]]\nname = \"A\"\nprovinces = [\"Nowhere\"]\n",
                Path::new("g.toml"),
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("g.toml:4: unknown province \"Nowhere\""),
            "{err}"
        );
    }
}
