//! The one compiler from the query model ([`sitrep_model::Filters`]) to SQL over the
//! store's `incidents` view or its `rollup` table.
//!
//! Every caller — series and figures (sitrep-analysis), the HTTP API and pages
//! (sitrep-server), `sitrep export` — compiles its filters here, so one filter counts
//! the same incidents everywhere. The filters must be canonical (province ISO codes,
//! actor registry ids): `sitrep-resolve` canonicalises names first. Values are always
//! quoted with [`quote`], never spliced raw.
//!
//! ```
//! use sitrep_model::Filters;
//! use sitrep_store::query::{predicate, Target};
//! let f = Filters { actors: vec!["taliban".into()], ..Filters::default() };
//! let cols = ["actor1_id", "actor2_id", "actor1_root", "actor2_root"];
//! let has = |c: &str| cols.contains(&c);
//! let t = Target::incidents(&has, &[]);
//! assert_eq!(
//!     predicate(&f, &t, true).unwrap(),
//!     "((actor1_id IN ('taliban') OR actor1_root IN ('taliban')) OR (actor2_id IN ('taliban') OR actor2_root IN ('taliban')))"
//! );
//! ```

use sitrep_model::figure::distance_band_labels;
use sitrep_model::query::{ActorMatch, Filters, Role};

/// Why filters cannot be compiled against a table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// The table lacks a column the filter or grouping needs (e.g. a store without
    /// places has no `province_code`).
    #[error("this store has no `{column}` column, needed for {needed_for}")]
    MissingColumn {
        /// The column.
        column: String,
        /// What needed it.
        needed_for: String,
    },
    /// A distance band label that is not one of the edges' bands.
    #[error("unknown distance band `{label}`; the bands are: {}", known.join(", "))]
    UnknownDistanceBand {
        /// The label given.
        label: String,
        /// The bands there are.
        known: Vec<String>,
    },
    /// A column asked for by name (an export's `--columns`) that the table lacks.
    #[error("`incidents` has no column `{column}`; it has: {}", known.join(", "))]
    UnknownColumn {
        /// The name given.
        column: String,
        /// The columns there are.
        known: Vec<String>,
    },
    /// An export asked for no column at all.
    #[error("no columns named; name at least one column of `incidents`")]
    NoColumns,
    /// A grouping by distance band with no band edges set.
    #[error("grouping by distance band needs band edges, e.g. [0, 5, 25, 50, 100]")]
    NoBandEdges,
    /// An attribution filter on a store without a claims ledger.
    #[error("this store has no claims ledger, so incidents have no attribution verdicts; import claims first (`sitrep claims import`)")]
    NoAttribution,
}

/// Which table a predicate is compiled against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The `incidents` view: one row per incident, every column.
    Incidents,
    /// The pre-aggregated `rollup` table: the same dimension columns, distance bands
    /// precomputed as `distance_band` labels.
    Rollup,
}

/// What the compiler knows about its target: the table, the columns it has and the
/// distance-band edges in force.
pub struct Target<'a> {
    /// The table.
    pub table: Table,
    /// Whether the table has a column.
    pub has: &'a dyn Fn(&str) -> bool,
    /// Distance band edges in km (`[0, 5, 25, 50, 100]`); empty when none are set.
    pub edges: &'a [f64],
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("table", &self.table)
            .field("edges", &self.edges)
            .finish_non_exhaustive()
    }
}

impl<'a> Target<'a> {
    /// A target over `incidents`; `has` says whether it has a column.
    pub fn incidents(has: &'a dyn Fn(&str) -> bool, edges: &'a [f64]) -> Target<'a> {
        Target {
            table: Table::Incidents,
            has,
            edges,
        }
    }

    /// A target over the store's `rollup` table; `has` says whether it has a column.
    pub fn rollup(has: &'a dyn Fn(&str) -> bool, edges: &'a [f64]) -> Target<'a> {
        Target {
            table: Table::Rollup,
            has,
            edges,
        }
    }

    /// An error unless the target has `column` (needed for `what`).
    pub fn need(&self, column: &str, what: &str) -> Result<(), QueryError> {
        if (self.has)(column) {
            Ok(())
        } else {
            Err(QueryError::MissingColumn {
                column: column.to_string(),
                needed_for: what.to_string(),
            })
        }
    }

    /// The index of a distance band among the edges' bands, by its label (`-` may
    /// stand for `–`), and the band's own label.
    pub fn band_index(&self, label: &str) -> Result<(usize, String), QueryError> {
        let labels = distance_band_labels(self.edges);
        let i = labels
            .iter()
            .position(|l| l == label || l.replace('–', "-") == label.replace('–', "-"))
            .ok_or_else(|| QueryError::UnknownDistanceBand {
                label: label.to_string(),
                known: labels.clone(),
            })?;
        Ok((i, labels[i].clone()))
    }

    /// SQL for one distance band by its label.
    pub fn band_predicate(&self, label: &str) -> Result<String, QueryError> {
        let (i, label) = self.band_index(label)?;
        if self.table == Table::Rollup {
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
        if self.table == Table::Rollup {
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
}

/// The fatality sums, one per column: its name, its SQL over `incidents`, and its SQL
/// over the `rollup` (whose columns of the same names the rollup build summed with the
/// `incidents` expressions, so re-summing them gives the same totals).
///
/// They follow [`sitrep_model::Fatalities`]' addition rule: `lo` sums the lows with a
/// missing low as 0; `best` sums the bests with a missing best falling back to that
/// record's low, then 0; `hi` sums the known highs and `hi_missing` counts the records
/// without one — any such record makes the total's high unknown.
const FATALITY_SUMS: [(&str, &str, &str); 4] = [
    ("lo", "SUM(COALESCE(fatalities_low, 0))", "SUM(lo)"),
    (
        "best",
        "SUM(COALESCE(fatalities_best, fatalities_low, 0))",
        "SUM(best)",
    ),
    ("hi", "SUM(COALESCE(fatalities_high, 0))", "SUM(hi)"),
    (
        "hi_missing",
        "SUM(CASE WHEN fatalities_high IS NULL THEN 1 ELSE 0 END)",
        "SUM(hi_missing)",
    ),
];

/// The SQL of one of [`FATALITY_SUMS`] over `table`.
fn fatality_sum(table: Table, name: &str) -> &'static str {
    let (_, incidents, rollup) = FATALITY_SUMS
        .iter()
        .find(|(n, _, _)| *n == name)
        .expect("a fatality sum column");
    match table {
        Table::Incidents => incidents,
        Table::Rollup => rollup,
    }
}

/// Fatality partial sums over `table`, as aggregate select items named `lo`, `best`,
/// `hi` and `hi_missing` (in that order). Partial sums add up again (per day, then per
/// bucket); the high of a total is unknown when its `hi_missing` is above 0. Use
/// [`fatality_totals`] for the final figures of one group.
///
/// ```
/// use sitrep_store::query::{fatality_sums, Table};
/// assert!(fatality_sums(Table::Incidents).contains("COALESCE(fatalities_best, fatalities_low, 0)) AS best"));
/// assert_eq!(
///     fatality_sums(Table::Rollup),
///     "SUM(lo) AS lo, SUM(best) AS best, SUM(hi) AS hi, SUM(hi_missing) AS hi_missing"
/// );
/// ```
pub fn fatality_sums(table: Table) -> String {
    FATALITY_SUMS
        .iter()
        .map(|(name, _, _)| format!("{} AS {name}", fatality_sum(table, name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Final fatality totals of one group over `table`, as aggregate select items
/// `fatalities_low`, `fatalities_best` and `fatalities_high`: the [`fatality_sums`]
/// with an empty group as 0, and `fatalities_high` NULL (unknown) as soon as one
/// counted record has no high estimate.
pub fn fatality_totals(table: Table) -> String {
    let sum = |name| fatality_sum(table, name);
    format!(
        "COALESCE({lo}, 0) AS fatalities_low, COALESCE({best}, 0) AS fatalities_best, \
         CASE WHEN COALESCE({missing}, 0) > 0 THEN NULL ELSE COALESCE({hi}, 0) END AS fatalities_high",
        lo = sum("lo"),
        best = sum("best"),
        hi = sum("hi"),
        missing = sum("hi_missing"),
    )
}

/// Quotes a string as a SQL literal (`'` doubled).
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `col IN ('a', 'b')`, values quoted.
pub fn any_of(col: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("{col} IN ({})", list.join(", "))
}

/// The actor columns of side A and B a grouping by actor reads: the faction roots
/// under [`ActorMatch::WithFactions`], the actors' own ids under [`ActorMatch::Exact`].
pub fn actor_group_columns(m: ActorMatch) -> (&'static str, &'static str) {
    match m {
        ActorMatch::WithFactions => ("actor1_root", "actor2_root"),
        ActorMatch::Exact => ("actor1_id", "actor2_id"),
    }
}

/// The condition that one side (`1` or `2`) is one of `actors`.
fn side(n: u8, actors: &[String], m: ActorMatch) -> String {
    match m {
        ActorMatch::Exact => any_of(&format!("actor{n}_id"), actors),
        ActorMatch::WithFactions => format!(
            "({} OR {})",
            any_of(&format!("actor{n}_id"), actors),
            any_of(&format!("actor{n}_root"), actors)
        ),
    }
}

/// The filters as a SQL predicate over the target (`TRUE` when empty). `with_dates`
/// false leaves `from`/`to` out (callers that bucket a period themselves).
pub fn predicate(f: &Filters, t: &Target<'_>, with_dates: bool) -> Result<String, QueryError> {
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
        for c in ["actor1_id", "actor2_id"] {
            t.need(c, "an actor filter")?;
        }
        if f.actor_match == ActorMatch::WithFactions {
            for c in ["actor1_root", "actor2_root"] {
                t.need(c, "an actor filter with factions")?;
            }
        }
        let a = side(1, &f.actors, f.actor_match);
        let b = side(2, &f.actors, f.actor_match);
        parts.push(match f.role {
            Role::Any => format!("({a} OR {b})"),
            Role::A => a,
            Role::B => b,
        });
    }
    if !f.event_types.is_empty() {
        let v: Vec<String> = f
            .event_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        parts.push(any_of("event_type", &v));
    }
    if !f.source_types.is_empty() {
        t.need("source_event_type", "a source event type filter")?;
        parts.push(any_of("source_event_type", &f.source_types));
    }
    let lists: [(&str, &[String], &str); 3] = [
        ("province_code", &f.provinces, "a province filter"),
        ("region", &f.regions, "a region filter"),
        ("district", &f.districts, "a district filter"),
    ];
    for (col, values, what) in lists {
        if !values.is_empty() {
            t.need(col, what)?;
            parts.push(any_of(col, values));
        }
    }
    if !f.distance_bands.is_empty() {
        if t.table == Table::Rollup {
            t.need("distance_band", "a distance-band filter")?;
        } else {
            t.need("capital_distance_km", "a distance-band filter")?;
        }
        let bands = f
            .distance_bands
            .iter()
            .map(|b| t.band_predicate(b))
            .collect::<Result<Vec<_>, _>>()?;
        parts.push(format!("({})", bands.join(" OR ")));
    }
    if let Some(p) = f.coarsest_geo {
        parts.push(format!("geo_precision <= {}", p.code()));
    }
    if let Some(p) = f.coarsest_date {
        parts.push(format!("date_precision <= {}", p.code()));
    }
    if !f.sources.is_empty() {
        parts.push(any_of("source", &f.sources));
    }
    if !f.attribution.is_empty() {
        if !(t.has)("attribution") {
            return Err(QueryError::NoAttribution);
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

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::GeoPrecision;

    #[test]
    fn quotes_bands_and_sides() {
        let cols = [
            "actor1_id",
            "actor2_id",
            "capital_distance_km",
            "province_code",
        ];
        let edges = [0.0, 5.0, 25.0];
        let has = |c: &str| cols.contains(&c);
        let t = Target::incidents(&has, &edges);
        let f = Filters {
            actors: vec!["o'brien".into()],
            role: Role::B,
            actor_match: ActorMatch::Exact,
            distance_bands: vec!["25+ km".into(), "0-5 km".into()],
            provinces: vec!["AF-KAB".into()],
            coarsest_geo: Some(GeoPrecision::District),
            ..Filters::default()
        };
        assert_eq!(
            predicate(&f, &t, true).unwrap(),
            "actor2_id IN ('o''brien') AND province_code IN ('AF-KAB') AND (capital_distance_km >= 25.0 OR (capital_distance_km >= 0.0 AND capital_distance_km < 5.0)) AND geo_precision <= 3"
        );
        // With factions (the default) needs the root columns.
        let g = Filters {
            actor_match: ActorMatch::WithFactions,
            ..f.clone()
        };
        assert_eq!(
            predicate(&g, &t, true).unwrap_err(),
            QueryError::MissingColumn {
                column: "actor1_root".into(),
                needed_for: "an actor filter with factions".into()
            }
        );
        let bad = Filters {
            distance_bands: vec!["5-10 km".into()],
            ..Filters::default()
        };
        let e = predicate(&bad, &t, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown distance band `5-10 km`; the bands are: 0–5 km, 5–25 km, 25+ km"
        );
        let need = Filters {
            regions: vec!["East".into()],
            ..Filters::default()
        };
        assert!(matches!(
            predicate(&need, &t, true),
            Err(QueryError::MissingColumn { .. })
        ));
        assert_eq!(predicate(&Filters::default(), &t, true).unwrap(), "TRUE");
    }
}
