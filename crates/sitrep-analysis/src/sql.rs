//! Filters compiled to SQL over the `incidents` view, and reading results back.

use crate::AnalysisError;
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use sitrep_model::figure::{Filters, GroupBy, Role};
use sitrep_resolve::filters::FilterNameError;
use sitrep_resolve::{Gazetteer, Registry};
use sitrep_store::query::{self, Target};
use std::collections::HashSet;

/// What a compiler knows: the columns `incidents` has, the distance-band edges in
/// force, the actor registry and gazetteer used to canonicalise names
/// ([`sitrep_resolve::filters::canonical`]). Predicates come from the one compiler,
/// [`sitrep_store::query::predicate`]; this adds the grouped subqueries series need.
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

    /// Runs `with` on the store compiler's target for this compiler's table.
    fn with_target<T>(&self, with: impl FnOnce(&Target<'_>) -> T) -> T {
        let has = |c: &str| self.columns.contains(c) || (self.preagg && c == "distance_band");
        let t = if self.preagg {
            Target::rollup(&has, self.edges)
        } else {
            Target::incidents(&has, self.edges)
        };
        with(&t)
    }

    /// The filters with names made canonical (actor ids, province codes, regions,
    /// districts): an unknown name is an input error, never a silent zero.
    pub fn canonical(&self, f: &Filters) -> Result<Filters, AnalysisError> {
        sitrep_resolve::filters::canonical(f, self.registry, self.gazetteer).map_err(|e| match e {
            FilterNameError::UnknownActor { given, closest } => {
                AnalysisError::UnknownActor { id: given, closest }
            }
            other => AnalysisError::Invalid(other.to_string()),
        })
    }

    /// The index of a distance band among the edges' bands, by its label (`-` may
    /// stand for `–`), and the band's own label.
    pub fn band_index(&self, label: &str) -> Result<(usize, String), AnalysisError> {
        Ok(self.with_target(|t| t.band_index(label))?)
    }

    /// The filters as a SQL predicate over `incidents` (or `rollup`), `TRUE` when
    /// empty: names canonicalised, then compiled by the store's one compiler.
    pub fn predicate(&self, f: &Filters, with_dates: bool) -> Result<String, AnalysisError> {
        let f = self.canonical(f)?;
        Ok(self.with_target(|t| query::predicate(&f, t, with_dates))?)
    }

    /// A subquery with one row per (record, group): `record_id`, `date_start`, `g`
    /// (the group key, NULL when unknown) and the measure columns. Under
    /// [`GroupBy::Actor`] a record appears once per distinct actor (or faction root,
    /// see [`sitrep_model::ActorMatch`]) on the sides the role allows; under
    /// [`GroupBy::DistanceBand`] records without a band are left out.
    pub fn grouped(&self, pred: &str, by: GroupBy, f: &Filters) -> Result<String, AnalysisError> {
        const COLS: &str =
            "record_id, date_start, fatalities_low, fatalities_best, fatalities_high, civilian_deaths";
        const PREAGG_COLS: &str =
            "date_start, n, lo, best, hi, hi_missing, civ, civ_known, best_known";
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
                let e = self.with_target(|t| t.band_expr());
                simple(&e, &format!(" AND ({e}) IS NOT NULL"))
            }
            GroupBy::Actor => {
                let (c1, c2) = query::actor_group_columns(f.actor_match);
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
    fn predicates_canonicalise_then_compile_once() {
        let cols: HashSet<String> = [
            "actor1_id",
            "actor2_id",
            "actor1_root",
            "actor2_root",
            "province_code",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let reg = Registry::bundled().unwrap();
        let g = Gazetteer::bundled().unwrap();
        let c = Compiler {
            columns: &cols,
            edges: &[],
            registry: Some(&reg),
            gazetteer: Some(&g),
            preagg: false,
        };
        let f = Filters {
            actors: vec!["Taleban".into()],
            role: Role::A,
            provinces: vec!["Ningarhar".into()],
            ..Filters::default()
        };
        assert_eq!(
            c.predicate(&f, true).unwrap(),
            "(actor1_id IN ('taliban') OR actor1_root IN ('taliban')) AND province_code IN ('AF-NAN')"
        );
        let e = c
            .predicate(
                &Filters {
                    actors: vec!["iskp-x".into()],
                    ..Filters::default()
                },
                true,
            )
            .unwrap_err();
        assert!(e.is_input(), "{e}");
        let need = Filters {
            regions: vec!["Eastern".into()],
            ..Filters::default()
        };
        assert!(matches!(
            c.predicate(&need, true),
            Err(AnalysisError::MissingColumn { .. })
        ));
    }
}
