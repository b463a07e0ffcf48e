//! [`Resolver`]: the gazetteer and the registry applied to records, as the store's
//! [`Enricher`].

use crate::actors::Registry;
use crate::gazetteer::Gazetteer;
use crate::ResolveError;
use chrono::NaiveDate;
use sitrep_model::{Enricher, Enrichment, PlaceFlag, Record};
use std::collections::HashMap;
use std::sync::RwLock;

/// Cached actor resolutions: name → country ("" for none) → (date bucket, actor index).
type ActorCache = HashMap<String, HashMap<String, Vec<(u32, Option<usize>)>>>;

/// Places and actors for records: implements [`sitrep_model::Enricher`].
///
/// What `enrich` fills, per record:
///
/// - **Place** (when the record has coordinates): province code and name, district,
///   region (active grouping), `place_flag` (inside / snapped / outside). Records
///   without coordinates get `no_point`, and their province comes from the source's
///   own `admin1` when that names a province (flag stays `no_point`).
/// - **Capital distance**: the nearest provincial capital and the great-circle
///   distance to it, only for records located within a province or finer
///   ([`sitrep_model::GeoPrecision::locates_within_province`]). Records located only
///   to a province or the country sit on a capital's or a centroid's coordinates:
///   they keep their province but get no capital and no distance, so distance
///   analyses leave them out (and can count them by `capital_distance_km IS NULL`
///   with a province). Outside points get neither.
/// - **admin1_agrees**: `Some(true/false)` when the source's `admin1` names a
///   province of the gazetteer and the point has a province; `None` otherwise.
/// - **Actors**: `actor1_id`/`actor2_id` and their roots, resolved with the record's
///   `country` and `date_start`.
///
/// Resolutions are cached by (name, country, date bucket), where a bucket is an
/// interval between alias scope boundaries, so the cache is exact and small.
#[derive(Debug)]
pub struct Resolver {
    gazetteer: Gazetteer,
    registry: Registry,
    actor_cache: RwLock<ActorCache>,
    admin1_cache: RwLock<HashMap<String, Option<usize>>>,
}

impl Resolver {
    /// A resolver over a gazetteer and a registry.
    pub fn new(gazetteer: Gazetteer, registry: Registry) -> Self {
        Resolver {
            gazetteer,
            registry,
            actor_cache: RwLock::new(HashMap::new()),
            admin1_cache: RwLock::new(HashMap::new()),
        }
    }

    /// The bundled Afghanistan gazetteer and actor registry.
    pub fn bundled() -> Result<Self, ResolveError> {
        Ok(Self::new(Gazetteer::bundled()?, Registry::bundled()?))
    }

    /// The gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Actor index for a name, cached.
    fn actor(&self, name: &str, country: Option<&str>, date: Option<NaiveDate>) -> Option<usize> {
        let bucket = self.registry.date_bucket(date);
        let ckey = country.unwrap_or("");
        if let Ok(cache) = self.actor_cache.read() {
            if let Some(hit) = cache
                .get(name)
                .and_then(|m| m.get(ckey))
                .and_then(|v| v.iter().find(|(b, _)| *b == bucket))
            {
                return hit.1;
            }
        }
        let found = self.registry.resolve_actor_index(name, country, date);
        if let Ok(mut cache) = self.actor_cache.write() {
            cache
                .entry(name.to_string())
                .or_default()
                .entry(ckey.to_string())
                .or_default()
                .push((bucket, found));
        }
        found
    }

    /// Province index for a source's admin1 name, cached.
    fn admin1(&self, name: &str) -> Option<usize> {
        if let Ok(cache) = self.admin1_cache.read() {
            if let Some(hit) = cache.get(name) {
                return *hit;
            }
        }
        let found = self.gazetteer.province_index(name);
        if let Ok(mut cache) = self.admin1_cache.write() {
            cache.insert(name.to_string(), found);
        }
        found
    }

    fn fill_actor(
        &self,
        name: Option<&str>,
        country: Option<&str>,
        date: NaiveDate,
    ) -> (Option<String>, Option<String>) {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return (None, None);
        };
        match self.actor(name, country, Some(date)) {
            Some(i) => {
                let (id, root) = self.registry.ids_of(i);
                (Some(id.to_string()), Some(root.to_string()))
            }
            None => (None, None),
        }
    }
}

impl Enricher for Resolver {
    fn version(&self) -> String {
        format!(
            "resolve-g{}-a{}",
            self.gazetteer.version(),
            self.registry.version()
        )
    }

    fn enrich(&self, r: &Record) -> Enrichment {
        let g = &self.gazetteer;
        let mut e = Enrichment::default();
        let admin1 = r
            .admin1
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .and_then(|a| self.admin1(a));
        let point_province = match (r.latitude, r.longitude) {
            (Some(lat), Some(lon)) => {
                let raw = g.locate_raw(lat, lon);
                e.place_flag = raw.flag;
                if let Some(d) = raw.district {
                    e.district = Some(g.districts()[d].name.clone());
                }
                if r.geo_precision.locates_within_province() {
                    if let Some((ci, km)) = raw.capital {
                        e.capital_name = g.provinces()[ci].capital.as_ref().map(|c| c.name.clone());
                        e.capital_distance_km = Some(km);
                    }
                }
                raw.province
            }
            _ => {
                e.place_flag = PlaceFlag::NoPoint;
                None
            }
        };
        let province = point_province.or(if e.place_flag == PlaceFlag::NoPoint {
            admin1
        } else {
            None
        });
        if let Some(pi) = province {
            let p = &g.provinces()[pi];
            e.province_code = Some(p.code.clone());
            e.province_name = Some(p.name.clone());
            e.region = g.region_of(pi).map(str::to_string);
        }
        if let (Some(a), Some(p)) = (admin1, point_province) {
            e.admin1_agrees = Some(a == p);
        }
        let country = r.country.as_deref();
        (e.actor1_id, e.actor1_root) = self.fill_actor(r.actor1.as_deref(), country, r.date_start);
        (e.actor2_id, e.actor2_root) = self.fill_actor(r.actor2.as_deref(), country, r.date_start);
        e
    }
}
