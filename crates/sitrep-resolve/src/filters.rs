//! Canonical filters: the query model's names made into the values incidents carry.
//!
//! A [`Filters`] as a user writes it may name a province `Nangarhar` or `ningarhar`,
//! an actor `Daesh Khorasan` or `iskp`, a region `eastern`. [`canonical`] turns each
//! into the stored value (`AF-NAN`, `is-kp`, `Eastern`) or refuses with a precise
//! [`FilterNameError`] (with a "did you mean" where one is close). CLI, API, pages and
//! figures all call it before `sitrep-store` compiles the filters, so a name means the
//! same thing everywhere and an unknown name is an error, never a silent zero.

use crate::{Gazetteer, Registry};
use sitrep_model::Filters;

/// A name in a filter that the registry or gazetteer does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterNameError {
    /// No actor has this id, name or alias.
    #[error("unknown actor `{given}`{}; use an actor id such as `taliban` (list: `sitrep actors list`, /api/v1/actors)", did_you_mean(closest))]
    UnknownActor {
        /// As written.
        given: String,
        /// The closest actor id, when one is close.
        closest: Option<String>,
    },
    /// No province has this code or name.
    #[error("unknown province `{given}`; use an ISO 3166-2 code such as AF-KAB or a name (list: `sitrep places list`, /api/v1/places)")]
    UnknownProvince {
        /// As written.
        given: String,
    },
    /// Not a region of the gazetteer's grouping.
    #[error("unknown region `{given}`; expected one of: {}", known.join(", "))]
    UnknownRegion {
        /// As written.
        given: String,
        /// The regions there are.
        known: Vec<String>,
    },
    /// No district has this name.
    #[error("unknown district `{given}`; districts are listed by `sitrep places show PROVINCE` and /api/v1/places/{{code}}")]
    UnknownDistrict {
        /// As written.
        given: String,
    },
}

fn did_you_mean(closest: &Option<String>) -> String {
    closest
        .as_ref()
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

impl FilterNameError {
    /// The query key or flag the name was given for (`actor`, `province`, …).
    pub fn key(&self) -> &'static str {
        match self {
            FilterNameError::UnknownActor { .. } => "actor",
            FilterNameError::UnknownProvince { .. } => "province",
            FilterNameError::UnknownRegion { .. } => "region",
            FilterNameError::UnknownDistrict { .. } => "district",
        }
    }
}

/// The regions of the gazetteer's active grouping, in province order, de-duplicated.
pub fn regions(g: &Gazetteer) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in 0..g.provinces().len() {
        if let Some(r) = g.region_of(i) {
            if !out.iter().any(|o| o == r) {
                out.push(r.to_string());
            }
        }
    }
    out
}

/// The actor id `name` stands for: an id, else a name or alias the registry resolves
/// (without country or date scope).
pub fn actor_id(reg: &Registry, name: &str) -> Result<String, FilterNameError> {
    let name = name.trim();
    if let Some(a) = reg.get(name) {
        return Ok(a.id.clone());
    }
    let lower = name.to_ascii_lowercase();
    if let Some(a) = reg.get(&lower) {
        return Ok(a.id.clone());
    }
    if let Some((id, _)) = reg.resolve_ids(name, None, None) {
        return Ok(id.to_string());
    }
    let closest = reg
        .actors()
        .iter()
        .map(|a| (strsim::levenshtein(&a.id, &lower), &a.id))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, id)| id.clone());
    Err(FilterNameError::UnknownActor {
        given: name.to_string(),
        closest,
    })
}

/// The filters with every actor, province, region and district name replaced by the
/// value incidents carry. Without a registry (or gazetteer) those names are kept as
/// written; the rest of the filters is returned unchanged.
pub fn canonical(
    f: &Filters,
    registry: Option<&Registry>,
    gazetteer: Option<&Gazetteer>,
) -> Result<Filters, FilterNameError> {
    let mut out = f.clone();
    fn dedupe(v: &mut Vec<String>) {
        let mut seen = std::collections::HashSet::new();
        v.retain(|x| seen.insert(x.clone()));
    }
    if let Some(reg) = registry {
        out.actors = f
            .actors
            .iter()
            .map(|a| actor_id(reg, a))
            .collect::<Result<_, _>>()?;
        dedupe(&mut out.actors);
    }
    if let Some(g) = gazetteer {
        out.provinces = f
            .provinces
            .iter()
            .map(|v| {
                let norm = v.trim().to_ascii_uppercase().replace('_', "-");
                g.province_index(v.trim())
                    .or_else(|| g.province_index(&norm))
                    .map(|i| g.provinces()[i].code.clone())
                    .ok_or_else(|| FilterNameError::UnknownProvince { given: v.clone() })
            })
            .collect::<Result<_, _>>()?;
        dedupe(&mut out.provinces);
        if !f.regions.is_empty() {
            let known = regions(g);
            out.regions = f
                .regions
                .iter()
                .map(|v| {
                    known
                        .iter()
                        .find(|r| r.eq_ignore_ascii_case(v.trim()))
                        .cloned()
                        .ok_or_else(|| FilterNameError::UnknownRegion {
                            given: v.clone(),
                            known: known.clone(),
                        })
                })
                .collect::<Result<_, _>>()?;
            dedupe(&mut out.regions);
        }
        out.districts = f
            .districts
            .iter()
            .map(|v| {
                g.districts()
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(v.trim()))
                    .map(|d| d.name.clone())
                    .ok_or_else(|| FilterNameError::UnknownDistrict { given: v.clone() })
            })
            .collect::<Result<_, _>>()?;
        dedupe(&mut out.districts);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_stored_values_or_precise_errors() {
        let reg = Registry::bundled().unwrap();
        let g = Gazetteer::bundled().unwrap();
        let f = Filters {
            actors: vec!["Taleban".into(), "taliban".into(), "NRF".into()],
            provinces: vec!["Ningarhar".into(), "af_kab".into()],
            regions: vec!["eastern".into()],
            districts: vec!["jalalabad".into()],
            ..Filters::default()
        };
        let c = canonical(&f, Some(&reg), Some(&g)).unwrap();
        assert_eq!(c.actors, ["taliban", "nrf"]);
        assert_eq!(c.provinces, ["AF-NAN", "AF-KAB"]);
        assert_eq!(c.regions, ["Eastern"]);
        assert_eq!(c.districts, ["Jalalabad"]);

        let bad = Filters {
            actors: vec!["is-kpp".into()],
            ..Filters::default()
        };
        let e = canonical(&bad, Some(&reg), Some(&g)).unwrap_err();
        assert_eq!(
            e,
            FilterNameError::UnknownActor {
                given: "is-kpp".into(),
                closest: Some("is-kp".into())
            }
        );
        assert_eq!(e.key(), "actor");
        let e = canonical(
            &Filters {
                provinces: vec!["Atlantis".into()],
                ..Filters::default()
            },
            Some(&reg),
            Some(&g),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("unknown province `Atlantis`"),
            "{e}"
        );
        // Without a registry and gazetteer, names pass through unchanged.
        assert_eq!(canonical(&f, None, None).unwrap(), f);
    }
}
