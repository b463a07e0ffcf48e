//! Filters compiled to SQL over the `incidents` view, and reading results back.

use crate::AnalysisError;
use chrono::NaiveDate;
use sitrep_model::figure::{distance_band_labels, Filters, GroupBy, Role};
use sitrep_resolve::{Gazetteer, Registry};
use sitrep_store::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use sitrep_store::arrow::compute::cast;
use sitrep_store::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use std::collections::HashSet;

/// Quotes a string as a SQL literal.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn any_of(col: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("{col} IN ({})", list.join(", "))
}

/// What a compiler knows: the columns `incidents` has, the distance-band edges in
/// force, the actor registry used to check ids and the gazetteer used to read
/// province codes and names.
pub(crate) struct Compiler<'a> {
    pub columns: &'a HashSet<String>,
    pub edges: &'a [f64],
    pub registry: Option<&'a Registry>,
    pub gazetteer: Option<&'a Gazetteer>,
    /// Compile against the store's pre-aggregated `rollup` table instead of
    /// `incidents` (same dimension columns; measures summed, bands precomputed).
    pub preagg: bool,
}

impl Compiler<'_> {
    pub fn need(&self, column: &str, what: &str) -> Result<(), AnalysisError> {
        if self.columns.contains(column) {
            Ok(())
        } else {
            Err(AnalysisError::MissingColumn {
                column: column.to_string(),
                needed_for: what.to_string(),
            })
        }
    }

    /// Actor id columns for side A and B (roots when `rollup`).
    pub fn actor_columns(&self, rollup: bool) -> (&'static str, &'static str) {
        if rollup {
            ("actor1_root", "actor2_root")
        } else {
            ("actor1_id", "actor2_id")
        }
    }

    /// A province filter value (ISO code or any spelling) as the code incidents carry;
    /// an unknown province is an input error, never a silent zero.
    pub fn province_code(&self, v: &str) -> Result<String, AnalysisError> {
        let norm = v.trim().to_ascii_uppercase().replace('_', "-");
        let Some(g) = self.gazetteer else {
            return Ok(norm);
        };
        match g.province_index(v.trim()).or_else(|| g.province_index(&norm)) {
            Some(i) => Ok(g.provinces()[i].code.clone()),
            None => Err(AnalysisError::Invalid(format!(
                "unknown province `{v}`: use an ISO 3166-2 code such as AF-KAB or a name (list: `sitrep places list`)"
            ))),
        }
    }

    fn check_actor(&self, id: &str) -> Result<(), AnalysisError> {
        let Some(reg) = self.registry else {
            return Ok(());
        };
        if reg.get(id).is_some() {
            return Ok(());
        }
        let closest = reg
            .actors()
            .iter()
            .map(|a| (levenshtein(&a.id, &id.to_ascii_lowercase()), &a.id))
            .min()
            .filter(|(d, _)| *d <= 3)
            .map(|(_, id)| id.clone());
        Err(AnalysisError::UnknownActor {
            id: id.to_string(),
            closest,
        })
    }

    /// The index of a distance band among the edges' bands, by its label (`-` may
    /// stand for `–`), and the band's own label.
    pub fn band_index(&self, label: &str) -> Result<(usize, String), AnalysisError> {
        let labels = distance_band_labels(self.edges);
        let i = labels
            .iter()
            .position(|l| l == label || l.replace('–', "-") == label.replace('–', "-"))
            .ok_or_else(|| AnalysisError::UnknownDistanceBand {
                label: label.to_string(),
                known: labels.clone(),
            })?;
        Ok((i, labels[i].clone()))
    }

    /// SQL for one distance band by its label.
    pub fn band_predicate(&self, label: &str) -> Result<String, AnalysisError> {
        let (i, label) = self.band_index(label)?;
        if self.preagg {
            return Ok(format!("distance_band = {}", quote(&label)));
        }
        let lo = self.edges[i];
        Ok(match self.edges.get(i + 1) {
            Some(hi) => format!("(capital_distance_km >= {lo:?} AND capital_distance_km < {hi:?})"),
            None => format!("capital_distance_km >= {lo:?}"),
        })
    }

    /// The band label of `capital_distance_km` as a SQL expression (NULL when the
    /// distance is unknown or below the first edge).
    pub fn band_expr(&self) -> String {
        if self.preagg {
            return "distance_band".into();
        }
        let labels = distance_band_labels(self.edges);
        let mut s = String::from("CASE");
        for (i, l) in labels.iter().enumerate().rev() {
            s.push_str(&format!(
                " WHEN capital_distance_km >= {:?} THEN {}",
                self.edges[i],
                quote(l)
            ));
        }
        s.push_str(" END");
        s
    }

    /// The filters as a SQL predicate over `incidents` (`TRUE` when empty). Checks
    /// actor ids and distance-band labels; values are quoted, never spliced raw.
    pub fn predicate(&self, f: &Filters, with_dates: bool) -> Result<String, AnalysisError> {
        let mut parts: Vec<String> = Vec::new();
        if with_dates {
            if let Some(d) = f.from {
                parts.push(format!("date_start >= DATE '{d}'"));
            }
            if let Some(d) = f.to {
                parts.push(format!("date_start <= DATE '{d}'"));
            }
        }
        if !f.countries.is_empty() {
            parts.push(any_of("country", &f.countries));
        }
        if !f.actors.is_empty() {
            for a in &f.actors {
                self.check_actor(a)?;
            }
            let (c1, c2) = self.actor_columns(f.rollup);
            self.need(c1, "an actor filter")?;
            self.need(c2, "an actor filter")?;
            parts.push(match f.role {
                Role::Any => format!("({} OR {})", any_of(c1, &f.actors), any_of(c2, &f.actors)),
                Role::A => any_of(c1, &f.actors),
                Role::B => any_of(c2, &f.actors),
            });
        }
        if !f.event_types.is_empty() {
            let t: Vec<String> = f
                .event_types
                .iter()
                .map(|t| t.as_str().to_string())
                .collect();
            parts.push(any_of("event_type", &t));
        }
        if !f.source_types.is_empty() {
            parts.push(any_of("source_event_type", &f.source_types));
        }
        if !f.provinces.is_empty() {
            self.need("province_code", "a province filter")?;
            let codes = f
                .provinces
                .iter()
                .map(|c| self.province_code(c))
                .collect::<Result<Vec<String>, _>>()?;
            parts.push(any_of("province_code", &codes));
        }
        if !f.regions.is_empty() {
            self.need("region", "a region filter")?;
            parts.push(any_of("region", &f.regions));
        }
        if !f.distance_bands.is_empty() {
            self.need("capital_distance_km", "a distance-band filter")?;
            let bands = f
                .distance_bands
                .iter()
                .map(|b| self.band_predicate(b))
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(format!("({})", bands.join(" OR ")));
        }
        if let Some(p) = f.min_geo_precision {
            parts.push(format!("geo_precision <= {p}"));
        }
        if let Some(p) = f.min_date_precision {
            parts.push(format!("date_precision <= {p}"));
        }
        if !f.sources.is_empty() {
            parts.push(any_of("source", &f.sources));
        }
        if !f.attribution.is_empty() {
            if !self.columns.contains("attribution") {
                return Err(AnalysisError::NoAttribution);
            }
            let a: Vec<String> = f
                .attribution
                .iter()
                .map(|a| a.as_str().to_string())
                .collect();
            parts.push(any_of("attribution", &a));
        }
        Ok(if parts.is_empty() {
            "TRUE".into()
        } else {
            parts.join(" AND ")
        })
    }

    /// A subquery with one row per (record, group): `record_id`, `date_start`, `g`
    /// (the group key, NULL when unknown) and the measure columns. Under
    /// [`GroupBy::Actor`] a record appears once per distinct actor id on the sides the
    /// role allows; under [`GroupBy::DistanceBand`] records without a band are left out.
    pub fn grouped(&self, pred: &str, by: GroupBy, f: &Filters) -> Result<String, AnalysisError> {
        const COLS: &str =
            "record_id, date_start, fatalities_low, fatalities_best, fatalities_high, civilian_deaths";
        const PREAGG_COLS: &str = "date_start, n, lo, best, hi, hi_missing, civ, civ_known";
        let (cols, table) = if self.preagg {
            (PREAGG_COLS, "rollup")
        } else {
            (COLS, "incidents")
        };
        let simple = |g: &str, extra: &str| {
            format!("SELECT {cols}, {g} AS g FROM {table} WHERE ({pred}){extra}")
        };
        Ok(match by {
            GroupBy::None => simple("CAST(NULL AS VARCHAR)", ""),
            GroupBy::EventType => simple("event_type", ""),
            GroupBy::Source => simple("source", ""),
            GroupBy::Attribution => {
                if !self.columns.contains("attribution") {
                    return Err(AnalysisError::NoAttribution);
                }
                simple("attribution", "")
            }
            GroupBy::Province => {
                self.need("province_name", "grouping by province")?;
                simple("province_name", "")
            }
            GroupBy::Region => {
                self.need("region", "grouping by region")?;
                simple("region", "")
            }
            GroupBy::DistanceBand => {
                self.need("capital_distance_km", "grouping by distance band")?;
                if self.edges.is_empty() {
                    return Err(AnalysisError::Invalid(
                        "grouping by distance band needs band edges, e.g. [0, 5, 25, 50, 100]"
                            .into(),
                    ));
                }
                let e = self.band_expr();
                simple(&e, &format!(" AND ({e}) IS NOT NULL"))
            }
            GroupBy::Actor => {
                let (c1, c2) = self.actor_columns(f.rollup);
                self.need(c1, "grouping by actor")?;
                self.need(c2, "grouping by actor")?;
                match f.role {
                    Role::A => simple(c1, ""),
                    Role::B => simple(c2, ""),
                    Role::Any => format!(
                        "{} UNION ALL {}",
                        simple(c1, ""),
                        simple(c2, &format!(" AND {c2} IS DISTINCT FROM {c1}"))
                    ),
                }
            }
        })
    }
}

/// Edit distance, for "did you mean".
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

// ---- reading results ----

fn cast_to(col: &ArrayRef, t: &DataType) -> ArrayRef {
    if col.data_type() == t {
        std::sync::Arc::clone(col)
    } else {
        cast(col, t).expect("castable column")
    }
}

/// Column `i` of a batch as optional strings.
pub(crate) fn strings(b: &RecordBatch, i: usize) -> Vec<Option<String>> {
    let a = cast_to(b.column(i), &DataType::Utf8);
    let a = a.as_string::<i32>();
    (0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k).to_string()))
        .collect()
}

/// Column `i` as optional i64.
pub(crate) fn ints(b: &RecordBatch, i: usize) -> Vec<Option<i64>> {
    let a = cast_to(b.column(i), &DataType::Int64);
    let a = a.as_primitive::<Int64Type>();
    (0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k)))
        .collect()
}

/// Column `i` as optional f64.
pub(crate) fn floats(b: &RecordBatch, i: usize) -> Vec<Option<f64>> {
    let a = cast_to(b.column(i), &DataType::Float64);
    let a = a.as_primitive::<Float64Type>();
    (0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k)))
        .collect()
}

/// Column `i` as optional dates.
pub(crate) fn dates(b: &RecordBatch, i: usize) -> Vec<Option<NaiveDate>> {
    let a = cast_to(b.column(i), &DataType::Date32);
    let a = a.as_primitive::<Date32Type>();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid");
    (0..a.len())
        .map(|k| (!a.is_null(k)).then(|| epoch + chrono::Duration::days(a.value(k).into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_quote_and_check() {
        let cols: HashSet<String> = [
            "actor1_id",
            "actor2_id",
            "capital_distance_km",
            "province_code",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let edges = [0.0, 5.0, 25.0];
        let c = Compiler {
            columns: &cols,
            edges: &edges,
            registry: None,
            gazetteer: None,
            preagg: false,
        };
        let f = Filters {
            actors: vec!["o'brien".into()],
            role: Role::B,
            distance_bands: vec!["25+ km".into(), "0-5 km".into()],
            provinces: vec!["af_kab".into()],
            ..Filters::default()
        };
        let p = c.predicate(&f, true).unwrap();
        assert_eq!(
            p,
            "actor2_id IN ('o''brien') AND province_code IN ('AF-KAB') AND (capital_distance_km >= 25.0 OR (capital_distance_km >= 0.0 AND capital_distance_km < 5.0))"
        );
        let bad = Filters {
            distance_bands: vec!["5-10 km".into()],
            ..Filters::default()
        };
        let e = c.predicate(&bad, true).unwrap_err();
        assert!(e.is_input() && e.to_string().contains("0–5 km"), "{e}");
        let need = Filters {
            regions: vec!["East".into()],
            ..Filters::default()
        };
        assert!(matches!(
            c.predicate(&need, true),
            Err(AnalysisError::MissingColumn { .. })
        ));
        assert_eq!(levenshtein("is-kp", "iskp"), 1);
    }
}
