//! The series engine's reads: what sitrep-analysis asks of a [`Snapshot`] to draw
//! series, maps and figures — sums per day and group ([`Snapshot::day_sums`]), a
//! selection's first and last day, the records behind a group, sums per area,
//! located records, counts under a [`Condition`], the sources present — answered as
//! model values ([`Sums`], days, group keys), so no SQL or Arrow leaves this crate.
//!
//! Every read takes filters whose names are already canonical (sitrep-analysis
//! canonicalises actor ids and place names against the registry and gazetteer) and
//! compiles them with [`crate::query`], the one compiler. Sums read the rollup
//! whenever the selection uses only its dimensions ([`Snapshot::sums_from`]): from
//! the [`Cube`] when the snapshot holds it in memory, else the `rollup` table;
//! otherwise `incidents`. The numbers are the same (tests compare every kind of
//! query on both paths).

use crate::cube::Cube;
use crate::query::{actor_group_columns, fatality_sums, predicate, QueryError, Table, Target};
use crate::{CountedFrom, Snapshot, StoreError, ROLLUP_BAND_EDGES};
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use sitrep_model::figure::{Bucket, Filters, GroupBy, MapLevel, Role};
use sitrep_model::Sums;
use std::sync::Arc;

/// The sums of one group on one day (or, from the held cube, one bucket start:
/// bucketing a bucket start leaves it unchanged, so series come out the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySums {
    /// The group key; `None` when the record has none (an unresolved actor, no
    /// province) or when not grouped.
    pub group: Option<String>,
    /// The day.
    pub day: NaiveDate,
    /// The sums.
    pub sums: Sums,
}

/// The sums of one area (province or district) of a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaSums {
    /// The area's key (province code, district name); `None` for records in no area.
    pub code: Option<String>,
    /// The area's name as the data has it.
    pub name: Option<String>,
    /// The sums.
    pub sums: Sums,
}

/// One record of a selection with coordinates, for drawing it as a point.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedRecord {
    /// The incident's record id.
    pub record_id: String,
    /// Its first day.
    pub day: Option<NaiveDate>,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Where, in words: the province (when placed), else the source's admin1, else
    /// the country.
    pub place: Option<String>,
    /// Low fatality estimate.
    pub fatalities_low: Option<i64>,
    /// Best fatality estimate.
    pub fatalities_best: Option<i64>,
    /// High fatality estimate.
    pub fatalities_high: Option<i64>,
    /// Civilian deaths.
    pub civilian_deaths: Option<i64>,
}

/// A condition on a record beyond its filters, for counting what a figure leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Geo precision code above `n` (located more coarsely).
    GeoPrecisionAbove(u8),
    /// Geo precision code below `n` (located more finely).
    GeoPrecisionBelow(u8),
    /// Date precision code above `n`.
    DatePrecisionAbove(u8),
    /// No distance to a capital.
    NoCapitalDistance,
    /// Latitude or longitude missing.
    NoCoordinates,
    /// Both coordinates given.
    Coordinates,
}

impl Condition {
    fn sql(self) -> &'static str {
        match self {
            Condition::GeoPrecisionAbove(_) => "geo_precision >",
            Condition::GeoPrecisionBelow(_) => "geo_precision <",
            Condition::DatePrecisionAbove(_) => "date_precision >",
            Condition::NoCapitalDistance => "capital_distance_km IS NULL",
            Condition::NoCoordinates => "(latitude IS NULL OR longitude IS NULL)",
            Condition::Coordinates => "latitude IS NOT NULL AND longitude IS NOT NULL",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Condition::GeoPrecisionAbove(_) | Condition::GeoPrecisionBelow(_) => "geo_precision",
            Condition::DatePrecisionAbove(_) => "date_precision",
            Condition::NoCapitalDistance => "capital_distance_km",
            Condition::NoCoordinates | Condition::Coordinates => "latitude",
        }
    }

    fn to_sql(self) -> String {
        match self {
            Condition::GeoPrecisionAbove(n)
            | Condition::GeoPrecisionBelow(n)
            | Condition::DatePrecisionAbove(n) => format!("{} {n}", self.sql()),
            _ => self.sql().to_string(),
        }
    }
}

/// SQL aggregate columns in [`Sums::COLUMNS`] order, over `incidents` or the
/// rollup's pre-summed columns.
fn sums_sql(table: Table) -> String {
    let (n, civ, civ_known, best_known) = match table {
        Table::Incidents => (
            "COUNT(*)",
            "SUM(COALESCE(civilian_deaths, 0))",
            "COUNT(civilian_deaths)",
            "COUNT(fatalities_best)",
        ),
        Table::Rollup => ("SUM(n)", "SUM(civ)", "SUM(civ_known)", "SUM(best_known)"),
    };
    format!(
        "{n} AS n, {}, {civ} AS civ, {civ_known} AS civ_known, {best_known} AS best_known",
        fatality_sums(table)
    )
}

// ---- reading result columns ----

pub(crate) fn cast_to(
    b: &RecordBatch,
    i: usize,
    t: &DataType,
) -> Result<Arc<dyn Array>, StoreError> {
    let col = b.column(i);
    Ok(if col.data_type() == t {
        Arc::clone(col)
    } else {
        cast(col, t)?
    })
}

fn strings(b: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, StoreError> {
    let a = cast_to(b, i, &DataType::Utf8)?;
    let a = a.as_string::<i32>();
    Ok((0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k).to_string()))
        .collect())
}

pub(crate) fn ints(b: &RecordBatch, i: usize) -> Result<Vec<Option<i64>>, StoreError> {
    let a = cast_to(b, i, &DataType::Int64)?;
    let a = a.as_primitive::<Int64Type>();
    Ok((0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k)))
        .collect())
}

fn floats(b: &RecordBatch, i: usize) -> Result<Vec<Option<f64>>, StoreError> {
    let a = cast_to(b, i, &DataType::Float64)?;
    let a = a.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|k| (!a.is_null(k)).then(|| a.value(k)))
        .collect())
}

fn dates(b: &RecordBatch, i: usize) -> Result<Vec<Option<NaiveDate>>, StoreError> {
    let a = cast_to(b, i, &DataType::Date32)?;
    let a = a.as_primitive::<Date32Type>();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid");
    Ok((0..a.len())
        .map(|k| (!a.is_null(k)).then(|| epoch + chrono::Duration::days(a.value(k).into())))
        .collect())
}

/// The [`Sums`] in columns `first..first + 8` of a batch.
fn sums_at(b: &RecordBatch, first: usize) -> Result<Vec<Sums>, StoreError> {
    let cols = (first..first + Sums::COLUMNS.len())
        .map(|i| ints(b, i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..b.num_rows())
        .map(|r| Sums::from_columns(std::array::from_fn(|c| cols[c][r])))
        .collect())
}

impl Snapshot {
    /// Where sums of a selection are read: the rollup when the snapshot may use it
    /// and the filters and grouping use only its dimensions (and distance bands, when
    /// used, are the rollup's), else `incidents`.
    pub fn sums_from(&self, f: &Filters, by: GroupBy, edges: &[f64]) -> CountedFrom {
        let bands_used = by == GroupBy::DistanceBand || !f.distance_bands.is_empty();
        if self.rollup_current
            && by != GroupBy::Attribution
            && f.source_types.is_empty()
            && f.districts.is_empty()
            && f.attribution.is_empty()
            && (!bands_used || edges == ROLLUP_BAND_EDGES.as_slice())
        {
            CountedFrom::Rollup
        } else {
            CountedFrom::Incidents
        }
    }

    /// True when the rollup is held decoded in memory and sums it can answer are
    /// added up from it natively, with no SQL per call.
    pub fn scans_rollup_natively(&self) -> bool {
        self.cube.is_some()
    }

    fn cube(&self) -> Option<&Cube> {
        self.cube.as_deref().filter(|_| self.rollup_current)
    }

    /// Runs `with` on the compiler target for `table` with band `edges`.
    pub(crate) fn with_target<T>(
        &self,
        table: Table,
        edges: &[f64],
        with: impl FnOnce(&Target<'_>) -> T,
    ) -> T {
        let rollup = table == Table::Rollup;
        let has = |c: &str| self.columns.contains(c) || (rollup && c == "distance_band");
        let t = if rollup {
            Target::rollup(&has, edges)
        } else {
            Target::incidents(&has, edges)
        };
        with(&t)
    }

    /// Any of `filters` as one predicate over `incidents` (with their dates).
    fn any_of(&self, filters: &[Filters], edges: &[f64]) -> Result<String, StoreError> {
        if filters.is_empty() {
            return Ok("FALSE".into());
        }
        let preds = filters
            .iter()
            .map(|f| self.with_target(Table::Incidents, edges, |t| predicate(f, t, true)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("(({}))", preds.join(") OR (")))
    }

    /// Sums per group and day of the incidents `f` selects (with its dates), grouped
    /// `by`, distance bands cut at `edges` (km). Under [`GroupBy::Actor`] an incident
    /// counts once per distinct actor (or faction root, see
    /// [`sitrep_model::ActorMatch`]) on the sides the role allows; under
    /// [`GroupBy::DistanceBand`] incidents without a band are left out. From the held
    /// cube, days are keyed by the start of their `bucket`.
    pub async fn day_sums(
        &self,
        f: &Filters,
        by: GroupBy,
        edges: &[f64],
        bucket: Bucket,
    ) -> Result<Vec<DaySums>, StoreError> {
        let table = match self.sums_from(f, by, edges) {
            CountedFrom::Rollup => Table::Rollup,
            CountedFrom::Incidents => Table::Incidents,
        };
        // Compiled in every case: the compiler validates the query (columns, bands).
        let sub = self.with_target(table, edges, |t| -> Result<String, QueryError> {
            let pred = predicate(f, t, true)?;
            grouped(t, &pred, by, f)
        })?;
        if let Some(cube) = self.cube().filter(|_| table == Table::Rollup) {
            return self.with_target(table, edges, |t| cube.aggregate(t, f, by, bucket));
        }
        let sql = format!(
            "SELECT date_start, g, {} FROM ({sub}) t GROUP BY date_start, g",
            sums_sql(table)
        );
        let mut out = Vec::new();
        for b in self.sql(&sql).await? {
            let (days, groups, sums) = (dates(&b, 0)?, strings(&b, 1)?, sums_at(&b, 2)?);
            for ((day, group), sums) in days.into_iter().zip(groups).zip(sums) {
                if let Some(day) = day {
                    out.push(DaySums { group, day, sums });
                }
            }
        }
        Ok(out)
    }

    /// First and last day of the incidents `f` selects, its dates left out (`None`
    /// when it selects none).
    pub async fn date_range(
        &self,
        f: &Filters,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, StoreError> {
        let table = match self.sums_from(f, GroupBy::None, &[]) {
            CountedFrom::Rollup => Table::Rollup,
            CountedFrom::Incidents => Table::Incidents,
        };
        let pred = self.with_target(table, &[], |t| predicate(f, t, false))?;
        let only_sources = Filters {
            sources: f.sources.clone(),
            ..Filters::default()
        };
        if let Some(cube) = self
            .cube()
            .filter(|_| table == Table::Rollup && *f == only_sources)
        {
            return Ok(cube.data_range(&f.sources));
        }
        // The rollup has every incident's day: its range is the data's, read from
        // thousands of rows rather than the whole `incidents` view.
        let name = match table {
            Table::Rollup => "rollup",
            Table::Incidents => "incidents",
        };
        let b = self
            .sql(&format!(
                "SELECT MIN(date_start), MAX(date_start) FROM {name} WHERE {pred}"
            ))
            .await?;
        for b in b.iter().filter(|b| b.num_rows() > 0) {
            if let (Some(a), Some(z)) = (dates(b, 0)?[0], dates(b, 1)?[0]) {
                return Ok(Some((a, z)));
            }
        }
        Ok(None)
    }

    /// The distinct (record id, group key) pairs of the incidents `f` selects,
    /// grouped as [`Snapshot::day_sums`] groups: the records behind a plotted value.
    pub async fn record_groups(
        &self,
        f: &Filters,
        by: GroupBy,
        edges: &[f64],
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let sub = self.with_target(Table::Incidents, edges, |t| -> Result<String, QueryError> {
            let pred = predicate(f, t, true)?;
            grouped(t, &pred, by, f)
        })?;
        let mut out = Vec::new();
        for b in self
            .sql(&format!("SELECT DISTINCT record_id, g FROM ({sub}) t"))
            .await?
        {
            for (id, g) in strings(&b, 0)?.into_iter().zip(strings(&b, 1)?) {
                if let Some(id) = id {
                    out.push((id, g));
                }
            }
        }
        Ok(out)
    }

    /// Sums per province (by code) or district of the incidents any of `filters`
    /// selects; incidents in no area are one row with code `None`.
    pub async fn area_sums(
        &self,
        filters: &[Filters],
        edges: &[f64],
        level: MapLevel,
    ) -> Result<Vec<AreaSums>, StoreError> {
        let (key, name, what) = match level {
            MapLevel::Province => ("province_code", "province_name", "a province map"),
            MapLevel::District => ("district", "district", "a district map"),
        };
        self.with_target(Table::Incidents, edges, |t| -> Result<(), QueryError> {
            t.need(key, what)?;
            t.need(name, what)
        })?;
        let pred = self.any_of(filters, edges)?;
        let sql = format!(
            "SELECT {key}, MIN({name}), {} FROM incidents WHERE {pred} GROUP BY {key}",
            sums_sql(Table::Incidents)
        );
        let mut out = Vec::new();
        for b in self.sql(&sql).await? {
            let (codes, names, sums) = (strings(&b, 0)?, strings(&b, 1)?, sums_at(&b, 2)?);
            for ((code, name), sums) in codes.into_iter().zip(names).zip(sums) {
                out.push(AreaSums { code, name, sums });
            }
        }
        Ok(out)
    }

    /// The incidents any of `filters` selects that have coordinates and are located
    /// with geo precision `coarsest_geo` or finer, by day then record id.
    pub async fn located_records(
        &self,
        filters: &[Filters],
        edges: &[f64],
        coarsest_geo: u8,
    ) -> Result<Vec<LocatedRecord>, StoreError> {
        let pred = self.any_of(filters, edges)?;
        let place = if self.columns.contains("province_name") {
            "COALESCE(province_name, admin1, country)"
        } else {
            "COALESCE(admin1, country)"
        };
        let sql = format!(
            "SELECT record_id, date_start, latitude, longitude, {place}, fatalities_low, \
             fatalities_best, fatalities_high, civilian_deaths \
             FROM incidents WHERE {pred} AND latitude IS NOT NULL AND longitude IS NOT NULL \
             AND geo_precision <= {coarsest_geo} ORDER BY date_start, record_id"
        );
        let mut out = Vec::new();
        for b in self.sql(&sql).await? {
            let (ids, days, lat, lon) = (
                strings(&b, 0)?,
                dates(&b, 1)?,
                floats(&b, 2)?,
                floats(&b, 3)?,
            );
            let (place, low, best, high, civ) = (
                strings(&b, 4)?,
                ints(&b, 5)?,
                ints(&b, 6)?,
                ints(&b, 7)?,
                ints(&b, 8)?,
            );
            for r in 0..b.num_rows() {
                let (Some(id), Some(la), Some(lo)) = (&ids[r], lat[r], lon[r]) else {
                    continue;
                };
                out.push(LocatedRecord {
                    record_id: id.clone(),
                    day: days[r],
                    lat: la,
                    lon: lo,
                    place: place[r].clone(),
                    fatalities_low: low[r],
                    fatalities_best: best[r],
                    fatalities_high: high[r],
                    civilian_deaths: civ[r],
                });
            }
        }
        Ok(out)
    }

    /// How many incidents any of `filters` selects that meet every one of `conditions`.
    pub async fn count_where(
        &self,
        filters: &[Filters],
        edges: &[f64],
        conditions: &[Condition],
    ) -> Result<u64, StoreError> {
        self.with_target(Table::Incidents, edges, |t| -> Result<(), QueryError> {
            for c in conditions {
                t.need(c.column(), "counting what a figure leaves out")?;
            }
            Ok(())
        })?;
        let mut pred = self.any_of(filters, edges)?;
        for c in conditions {
            pred.push_str(" AND ");
            pred.push_str(&c.to_sql());
        }
        let b = self
            .sql(&format!("SELECT COUNT(*) FROM incidents WHERE {pred}"))
            .await?;
        let mut n = 0;
        for b in &b {
            n += ints(b, 0)?.into_iter().flatten().sum::<i64>();
        }
        Ok(n.max(0) as u64)
    }

    /// The sources of the incidents any of `filters` selects, sorted.
    pub async fn sources_of(
        &self,
        filters: &[Filters],
        edges: &[f64],
    ) -> Result<Vec<String>, StoreError> {
        let pred = self.any_of(filters, edges)?;
        let mut out = Vec::new();
        for b in self
            .sql(&format!(
                "SELECT DISTINCT source FROM incidents WHERE {pred} ORDER BY source"
            ))
            .await?
        {
            out.extend(strings(&b, 0)?.into_iter().flatten());
        }
        Ok(out)
    }
}

/// A subquery with one row per (record, group): the measure columns, `date_start`,
/// `record_id` (over `incidents`) and `g`, the group key (NULL when unknown).
fn grouped(t: &Target<'_>, pred: &str, by: GroupBy, f: &Filters) -> Result<String, QueryError> {
    const COLS: &str =
        "record_id, date_start, fatalities_low, fatalities_best, fatalities_high, civilian_deaths";
    const ROLLUP_COLS: &str = "date_start, n, lo, best, hi, hi_missing, civ, civ_known, best_known";
    let (cols, table) = match t.table {
        Table::Rollup => (ROLLUP_COLS, "rollup"),
        Table::Incidents => (COLS, "incidents"),
    };
    let simple = |g: &str, extra: &str| {
        format!("SELECT {cols}, {g} AS g FROM {table} WHERE ({pred}){extra}")
    };
    Ok(match by {
        GroupBy::None => simple("CAST(NULL AS VARCHAR)", ""),
        GroupBy::EventType => simple("event_type", ""),
        GroupBy::Source => simple("source", ""),
        GroupBy::Attribution => {
            if !(t.has)("attribution") {
                return Err(QueryError::NoAttribution);
            }
            simple("attribution", "")
        }
        GroupBy::Province => {
            t.need("province_name", "grouping by province")?;
            simple("province_name", "")
        }
        GroupBy::Region => {
            t.need("region", "grouping by region")?;
            simple("region", "")
        }
        GroupBy::DistanceBand => {
            t.need("capital_distance_km", "grouping by distance band")?;
            if t.edges.is_empty() {
                return Err(QueryError::NoBandEdges);
            }
            let e = t.band_expr();
            simple(&e, &format!(" AND ({e}) IS NOT NULL"))
        }
        GroupBy::Actor => {
            let (c1, c2) = actor_group_columns(f.actor_match);
            t.need(c1, "grouping by actor")?;
            t.need(c2, "grouping by actor")?;
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
