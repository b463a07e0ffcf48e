//! [`Snapshot`]: one read session over a store as it was when it was taken, and the
//! typed reads the dashboard, the API and the CLI ask of it: a page of incidents,
//! totals, counts per province or district, incidents per actor and per source, map
//! points, one incident with its versions and members. Filters compile through
//! [`crate::query`], the one compiler; counts come from the rollup when it is current
//! and the filter only touches its dimensions, else from `incidents` (same numbers,
//! tested). Callers get model values ([`sitrep_model::incident`]) or JSON objects
//! for the few answers whose columns depend on the store (`SELECT *` of a record);
//! SQL and Arrow stay inside this crate.

use crate::query::{fatality_totals, predicate, quote, QueryError, Table, Target};
use crate::{Store, StoreError, ROLLUP_BAND_EDGES};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::json::{writer::JsonArray, WriterBuilder};
use datafusion::execution::context::SessionContext;
use serde::de::DeserializeOwned;
use sitrep_model::figure::GroupBy;
use sitrep_model::{
    Counts, Filters, IncidentOrder, IncidentPage, IncidentRow, MapPoint, NameCount, PlaceCheck,
    PlaceCounts, RecordSide, SourceRow, Totals,
};
use std::collections::{BTreeMap, HashSet};

/// A JSON object: one row whose columns depend on the store (e.g. a whole record).
pub type Fields = serde_json::Map<String, serde_json::Value>;

/// One incident with every version of its source record and the records matched
/// into it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentDetail {
    /// The incident as the `incidents` view has it (enriched), or the stored version
    /// when `current` is false (superseded or deleted).
    pub incident: Fields,
    /// False when the id names a superseded or deleted version.
    pub current: bool,
    /// The source of the record asked for (that of `versions`; the incident's own
    /// `source` is its primary record's, which may be another).
    pub source: String,
    /// Every version of the same source event, oldest first, with its batch's
    /// provenance (`adapter`, `batch_file`, `input_blake3`, `committed_at`) and, when
    /// superseded, its `change`.
    pub versions: Vec<Fields>,
    /// The records matched into this incident, primary first (empty when it stands
    /// alone).
    pub members: Vec<Fields>,
}

/// Which columns of `incidents` an export writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExportColumns {
    /// Every column but the verbatim `raw` row.
    #[default]
    AllButRaw,
    /// Every column, `raw` included.
    All,
    /// These columns, in this order (a GeoJSON export adds the coordinates).
    Only(Vec<String>),
}

/// The order of an export's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportOrder {
    /// Oldest first (by first day, then source and the source's event id): the
    /// same file for the same store and filters.
    #[default]
    OldestFirst,
    /// As the store holds them: no sort, faster for large exports.
    AsStored,
}

/// The rows of a SQL statement, to show as a table, CSV or JSON (what
/// `sitrep query` prints).
#[derive(Debug, Clone)]
pub struct QueryResult {
    batches: Vec<RecordBatch>,
}

impl QueryResult {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows as a text table with a header and borders.
    pub fn to_table(&self) -> Result<String, StoreError> {
        Ok(datafusion::arrow::util::pretty::pretty_format_batches(&self.batches)?.to_string())
    }

    /// Writes the rows as CSV with a header.
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> Result<W, StoreError> {
        crate::write_csv(&self.batches, w)
    }

    /// Writes the rows as a JSON array of objects (nulls left out).
    pub fn write_json<W: std::io::Write>(&self, w: W) -> Result<(), StoreError> {
        let mut w = datafusion::arrow::json::ArrayWriter::new(w);
        for b in &self.batches {
            w.write(b)?;
        }
        w.finish()?;
        Ok(())
    }
}

impl From<Vec<RecordBatch>> for QueryResult {
    fn from(batches: Vec<RecordBatch>) -> QueryResult {
        QueryResult { batches }
    }
}

/// Where counts of a filter were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedFrom {
    /// The pre-aggregated `rollup` table.
    Rollup,
    /// The `incidents` view.
    Incidents,
}

impl CountedFrom {
    /// The table's name, as answers report it.
    pub fn as_str(self) -> &'static str {
        match self {
            CountedFrom::Rollup => "rollup",
            CountedFrom::Incidents => "incidents",
        }
    }
}

/// A read session over a store as it was when taken (later commits are not seen:
/// take a new snapshot). Cheap to share between requests and to clone; every read is
/// a method.
#[derive(Clone)]
pub struct Snapshot {
    ctx: SessionContext,
    /// Columns of `incidents` (without the enrichment columns when the store was
    /// never enriched: filters on them fail rather than match nothing).
    pub(crate) columns: std::sync::Arc<HashSet<String>>,
    /// The rollup is current and may be read (series sums come from it).
    pub(crate) rollup_current: bool,
    /// The rollup decoded in memory, when held.
    pub(crate) cube: Option<std::sync::Arc<crate::cube::Cube>>,
    /// The manifest's batches, oldest first.
    batches: std::sync::Arc<Vec<crate::BatchEntry>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("rollup", &self.rollup_current)
            .field("held", &self.cube.is_some())
            .finish_non_exhaustive()
    }
}

/// The aggregate columns of one group of `incidents`: `incidents`, the fatality
/// totals ([`fatality_totals`]) and `fatalities_unknown`.
fn aggregates(table: Table) -> String {
    match table {
        Table::Incidents => format!(
            "count(*) AS incidents, {}, \
             sum(CASE WHEN fatalities_best IS NULL THEN 1 ELSE 0 END) AS fatalities_unknown",
            fatality_totals(Table::Incidents)
        ),
        Table::Rollup => format!(
            "sum(n) AS incidents, {}, sum(n) - sum(best_known) AS fatalities_unknown",
            fatality_totals(Table::Rollup)
        ),
    }
}

/// One row of [`aggregates`] (with a group key or other columns around it).
#[derive(serde::Deserialize)]
struct CountsRow {
    #[serde(default)]
    key: Option<String>,
    incidents: Option<i64>,
    fatalities_low: Option<i64>,
    fatalities_best: Option<i64>,
    fatalities_high: Option<i64>,
    fatalities_unknown: Option<i64>,
    #[serde(default)]
    first: Option<String>,
    #[serde(default)]
    last: Option<String>,
    #[serde(default)]
    sources: Option<i64>,
}

impl CountsRow {
    fn counts(&self) -> Counts {
        Counts {
            incidents: self.incidents.unwrap_or(0),
            fatalities_low: self.fatalities_low.unwrap_or(0),
            fatalities_best: self.fatalities_best.unwrap_or(0),
            fatalities_high: self.fatalities_high,
            fatalities_unknown: self.fatalities_unknown.unwrap_or(0),
        }
    }
}

/// Batches as JSON objects (dates `YYYY-MM-DD`, nulls explicit).
fn json_rows(batches: &[RecordBatch], sql: &str) -> Result<Vec<Fields>, StoreError> {
    if batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(Vec::new());
    }
    let mut w = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(Vec::new());
    for b in batches {
        w.write(b)?;
    }
    w.finish()?;
    serde_json::from_slice(&w.into_inner()).map_err(|e| StoreError::Internal {
        message: format!("decoding a result as JSON: {e}"),
        sql: sql.to_string(),
    })
}

/// The columns of the session's `incidents` view.
pub(crate) async fn incident_columns(ctx: &SessionContext) -> Result<HashSet<String>, StoreError> {
    Ok(ctx
        .table("incidents")
        .await?
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect())
}

/// The columns a read may rely on: those of `incidents`, less the enrichment
/// columns when the store has records but was never enriched (they are all NULL
/// there, so an actor or province filter would answer silent zeros; without them
/// such a filter fails with [`QueryError::MissingColumn`] instead).
async fn usable_columns(ctx: &SessionContext) -> Result<HashSet<String>, StoreError> {
    let mut columns = incident_columns(ctx).await?;
    if columns.contains("actor1_id") && ctx.table_exist("enrichment")? {
        let count = |table: &'static str| async move {
            let b = Store::sql_on(ctx, &format!("SELECT COUNT(*) AS n FROM {table}")).await?;
            Ok::<i64, StoreError>(
                b.iter()
                    .filter(|b| b.num_rows() > 0)
                    .map(|b| {
                        b.column(0)
                            .as_any()
                            .downcast_ref::<datafusion::arrow::array::Int64Array>()
                            .map_or(0, |a| a.value(0))
                    })
                    .sum(),
            )
        };
        if count("enrichment").await? == 0 && count("records").await? > 0 {
            for c in crate::schema::ENRICHMENT_COLUMNS {
                columns.remove(c);
            }
        }
    }
    Ok(columns)
}

impl Store {
    /// A read session over the store as it is now, with typed reads. Counts come
    /// from the rollup only after [`Snapshot::hold_rollup_in_memory`] (or
    /// [`Snapshot::share_rollup_of`]); until then from `incidents`.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let ctx = self.context().await?;
        let columns = usable_columns(&ctx).await?;
        let rollup_current = ctx.table_exist("rollup")?;
        Ok(Snapshot {
            ctx,
            columns: std::sync::Arc::new(columns),
            rollup_current,
            cube: None,
            batches: std::sync::Arc::new(self.manifest().batches.clone()),
        })
    }
}

impl Snapshot {
    /// Loads the rollup (when current) into memory so counts read it there: for a
    /// server answering many requests.
    ///
    /// The snapshot also decodes the rollup into a columnar cube and answers every
    /// sum the rollup can answer ([`Snapshot::day_sums`], [`Snapshot::date_range`])
    /// by scanning it natively, with no SQL per call; the results are the SQL path's
    /// (tests prove it).
    pub async fn hold_rollup_in_memory(&mut self) -> Result<(), StoreError> {
        if !self.rollup_current {
            return Ok(());
        }
        if let Some(batches) = crate::rollup::hold_rollup_in_memory(&self.ctx).await? {
            self.cube = Some(std::sync::Arc::new(crate::cube::Cube::from_batches(
                &batches,
            )?));
        }
        Ok(())
    }

    /// Shares the in-memory rollup of `other`, a snapshot of the same store state
    /// (e.g. one taken before a claims journal write, which does not change it).
    pub async fn share_rollup_of(&mut self, other: &Snapshot) -> Result<(), StoreError> {
        if other.cube.is_none() {
            return self.hold_rollup_in_memory().await;
        }
        crate::rollup::share_rollup(&other.ctx, &self.ctx).await?;
        self.rollup_current = other.rollup_current;
        self.cube = other.cube.clone();
        Ok(())
    }

    /// This snapshot with counts read from the rollup only when `on` (and it is held):
    /// off, every count scans `incidents` (to compare the two paths).
    pub fn with_rollup(mut self, on: bool) -> Snapshot {
        self.rollup_current &= on;
        if !on {
            self.cube = None;
        }
        self
    }

    /// The committed batches the snapshot sees, oldest first (source, input file,
    /// commit time, coverage statement).
    pub fn batch_entries(&self) -> &[crate::BatchEntry] {
        &self.batches
    }

    /// True when sums may be read from the store's rollup (it is current and not
    /// turned off with [`Snapshot::with_rollup`]).
    pub fn uses_rollup(&self) -> bool {
        self.rollup_current
    }

    /// True when the snapshot's `incidents` has `column` (e.g. `attribution` only
    /// with a claims ledger attached).
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.contains(column)
    }

    /// Checks that `f` compiles against this snapshot (every column it needs is
    /// there, its distance bands exist).
    pub fn check(&self, f: &Filters) -> Result<(), QueryError> {
        self.predicate(f).map(|_| ())
    }

    fn predicate(&self, f: &Filters) -> Result<String, QueryError> {
        let has = |c: &str| self.columns.contains(c);
        predicate(f, &Target::incidents(&has, &ROLLUP_BAND_EDGES), true)
    }

    fn compiled(&self, f: &Filters) -> Result<String, StoreError> {
        Ok(self.predicate(f)?)
    }

    /// Where counts of `f` are read from: the rule of every sum
    /// ([`Snapshot::sums_from`], with the rollup's distance bands) — the rollup when
    /// it is current and `f` only filters on its dimensions, else `incidents`.
    pub fn counted_from(&self, f: &Filters) -> CountedFrom {
        self.sums_from(f, GroupBy::None, &ROLLUP_BAND_EDGES)
    }

    /// The table, aggregate expressions and compiled `f` that counts of `f` read.
    fn counts_source(&self, f: &Filters) -> Result<(&'static str, String, String), StoreError> {
        Ok(match self.counted_from(f) {
            CountedFrom::Rollup => (
                "rollup",
                aggregates(Table::Rollup),
                self.with_target(Table::Rollup, &ROLLUP_BAND_EDGES, |t| predicate(f, t, true))?,
            ),
            CountedFrom::Incidents => {
                ("incidents", aggregates(Table::Incidents), self.compiled(f)?)
            }
        })
    }

    pub(crate) async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, StoreError> {
        Store::sql_on(&self.ctx, sql).await
    }

    async fn fields(&self, sql: &str) -> Result<Vec<Fields>, StoreError> {
        json_rows(&self.sql(sql).await?, sql)
    }

    async fn typed<T: DeserializeOwned>(&self, sql: &str) -> Result<Vec<T>, StoreError> {
        self.fields(sql)
            .await?
            .into_iter()
            .map(|r| {
                serde_json::from_value(serde_json::Value::Object(r)).map_err(|e| {
                    StoreError::Internal {
                        message: format!("decoding a result row: {e}"),
                        sql: sql.to_string(),
                    }
                })
            })
            .collect()
    }

    /// Counts, fatality totals, first and last day and number of sources of `f`.
    pub async fn totals(&self, f: &Filters) -> Result<Totals, StoreError> {
        let (table, aggregates, w) = self.counts_source(f)?;
        let rows: Vec<CountsRow> = self
            .typed(&format!(
                "SELECT {aggregates}, CAST(min(date_start) AS VARCHAR) AS first, \
                 CAST(max(date_start) AS VARCHAR) AS last, count(DISTINCT source) AS sources \
                 FROM {table} WHERE {w}"
            ))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|r| Totals {
                counts: r.counts(),
                first: r.first,
                last: r.last,
                sources: r.sources.unwrap_or(0),
            })
            .unwrap_or_default())
    }

    /// Counts of `f` per province code (`place` None: incidents with no province),
    /// only the provinces with incidents, by code.
    pub async fn counts_by_province(&self, f: &Filters) -> Result<Vec<PlaceCounts>, StoreError> {
        let (table, aggregates, w) = self.counts_source(f)?;
        self.place_counts(&format!(
            "SELECT province_code AS key, {aggregates} FROM {table} WHERE {w} \
             GROUP BY province_code ORDER BY province_code"
        ))
        .await
    }

    /// Counts of `f` per district (`place` None: no district), most incidents first.
    pub async fn counts_by_district(&self, f: &Filters) -> Result<Vec<PlaceCounts>, StoreError> {
        let w = self.compiled(f)?;
        self.place_counts(&format!(
            "SELECT district AS key, {} FROM incidents WHERE {w} \
             GROUP BY district ORDER BY incidents DESC, district",
            aggregates(Table::Incidents)
        ))
        .await
    }

    async fn place_counts(&self, sql: &str) -> Result<Vec<PlaceCounts>, StoreError> {
        let rows: Vec<CountsRow> = self.typed(sql).await?;
        Ok(rows
            .into_iter()
            .map(|r| PlaceCounts {
                counts: r.counts(),
                place: r.key,
            })
            .collect())
    }

    /// Incidents of `f` per actor registry id, an actor counting the incidents it is
    /// a side of by its own id or as a faction's root (an incident counts once per
    /// actor).
    pub async fn incidents_per_actor(
        &self,
        f: &Filters,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let w = self.compiled(f)?;
        let parts: Vec<String> = ["actor1_id", "actor2_id", "actor1_root", "actor2_root"]
            .iter()
            .map(|c| {
                format!("SELECT {c} AS key, record_id FROM incidents WHERE {w} AND {c} IS NOT NULL")
            })
            .collect();
        self.key_counts(&format!(
            "SELECT key, count(DISTINCT record_id) AS n FROM ({}) GROUP BY key",
            parts.join(" UNION ALL ")
        ))
        .await
    }

    /// Current incidents per source.
    pub async fn incidents_per_source(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        self.key_counts("SELECT source AS key, count(*) AS n FROM incidents GROUP BY source")
            .await
    }

    async fn key_counts(&self, sql: &str) -> Result<BTreeMap<String, i64>, StoreError> {
        #[derive(serde::Deserialize)]
        struct KeyCount {
            key: Option<String>,
            n: i64,
        }
        let rows: Vec<KeyCount> = self.typed(sql).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.key?, r.n)))
            .collect())
    }

    /// One page of the incidents of `f` in `order`: `limit` rows after `offset`, and
    /// the total.
    pub async fn incidents(
        &self,
        f: &Filters,
        order: IncidentOrder,
        limit: u64,
        offset: u64,
    ) -> Result<IncidentPage, StoreError> {
        let w = self.compiled(f)?;
        #[derive(serde::Deserialize)]
        struct N {
            n: i64,
        }
        let total = self
            .typed::<N>(&format!("SELECT count(*) AS n FROM incidents WHERE {w}"))
            .await?
            .first()
            .map_or(0, |r| r.n);
        let rows = self
            .typed(&format!(
                "SELECT {} FROM incidents WHERE {w} ORDER BY {} LIMIT {limit} OFFSET {offset}",
                IncidentRow::COLUMNS.join(", "),
                order_by(order),
            ))
            .await?;
        Ok(IncidentPage { total, rows })
    }

    /// Every incident of `f` as a map point, oldest first.
    pub async fn map_points(&self, f: &Filters) -> Result<Vec<MapPoint>, StoreError> {
        let w = self.compiled(f)?;
        self.typed(&format!(
            "SELECT record_id, date_start AS date, latitude AS lat, longitude AS lon, event_type, \
             fatalities_best, actor1_id, actor2_id, location FROM incidents WHERE {w} \
             ORDER BY date_start, record_id"
        ))
        .await
    }

    /// How well the incidents are placed: with a province, inside or snapped to an
    /// outline, compared with the source's admin1.
    pub async fn place_check(&self) -> Result<PlaceCheck, StoreError> {
        let sql = "SELECT count(*) AS incidents, \
            count(province_code) AS with_province, \
            COALESCE(round(100.0 * count(province_code) / count(*), 2), 0.0) AS pct_with_province, \
            COALESCE(sum(CASE WHEN place_flag = 'inside' THEN 1 ELSE 0 END), 0) AS inside, \
            COALESCE(sum(CASE WHEN place_flag = 'snapped' THEN 1 ELSE 0 END), 0) AS snapped, \
            COALESCE(sum(CASE WHEN place_flag = 'outside' THEN 1 ELSE 0 END), 0) AS outside, \
            COALESCE(sum(CASE WHEN place_flag = 'no_point' THEN 1 ELSE 0 END), 0) AS no_point, \
            count(admin1_agrees) AS admin1_comparable, \
            COALESCE(sum(CASE WHEN admin1_agrees = false THEN 1 ELSE 0 END), 0) AS admin1_disagrees, \
            count(capital_distance_km) AS with_capital_distance \
            FROM incidents";
        self.typed(sql)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Internal {
                message: "an aggregate without a row".into(),
                sql: sql.into(),
            })
    }

    /// The actor names of the incidents that have no registry id, by name and
    /// country, with their first day and number of records (most frequent first), and
    /// the number of actor names in all.
    pub async fn unresolved_actor_names(&self) -> Result<(Vec<NameCount>, i64), StoreError> {
        let names = self
            .typed(
                "SELECT name, country, min(d) AS date, count(*) AS count FROM ( \
                 SELECT actor1 AS name, country, date_start AS d FROM incidents WHERE actor1 IS NOT NULL AND actor1_id IS NULL \
                 UNION ALL SELECT actor2, country, date_start FROM incidents WHERE actor2 IS NOT NULL AND actor2_id IS NULL) \
                 GROUP BY name, country ORDER BY count DESC, name, country",
            )
            .await?;
        #[derive(serde::Deserialize)]
        struct N {
            n: i64,
        }
        let total = self
            .typed::<N>("SELECT count(actor1) + count(actor2) AS n FROM incidents")
            .await?
            .first()
            .map_or(0, |r| r.n);
        Ok((names, total))
    }

    /// The verbatim rows of the current records of `source`, by event id.
    pub async fn source_rows(&self, source: &str) -> Result<Vec<SourceRow>, StoreError> {
        self.typed(&format!(
            "SELECT source_event_id, raw, date_start AS date, country FROM incidents \
             WHERE source = {} ORDER BY source_event_id",
            quote(source)
        ))
        .await
    }

    /// Side A of every current record, by registry id.
    pub async fn record_sides(&self) -> Result<Vec<RecordSide>, StoreError> {
        self.typed("SELECT source, source_event_id, actor1_id FROM incidents")
            .await
    }

    /// Writes the incidents of `f` in `order` with `columns` to `out` in `format`,
    /// atomically (a temporary file renamed into place). Returns the rows written
    /// and those left out of GeoJSON for lack of coordinates.
    pub async fn export_incidents(
        &self,
        f: &Filters,
        columns: &ExportColumns,
        order: ExportOrder,
        format: crate::ExportFormat,
        out: &std::path::Path,
    ) -> Result<(u64, u64), StoreError> {
        let w = self.compiled(f)?;
        let cols = match columns {
            ExportColumns::All => "*".to_string(),
            ExportColumns::AllButRaw => "* EXCLUDE (raw)".to_string(),
            ExportColumns::Only(wanted) => self.select_list(wanted, format)?,
        };
        let order = match order {
            ExportOrder::OldestFirst => " ORDER BY date_start, source, source_event_id",
            ExportOrder::AsStored => "",
        };
        let batches = self
            .sql(&format!("SELECT {cols} FROM incidents WHERE {w}{order}"))
            .await?;
        crate::export(&batches, format, out)
    }

    /// The SELECT list of named columns: each checked against `incidents`, quoted,
    /// repeated names dropped, and for GeoJSON the coordinates added when missing.
    fn select_list(
        &self,
        wanted: &[String],
        format: crate::ExportFormat,
    ) -> Result<String, QueryError> {
        let mut cols: Vec<String> = Vec::new();
        for w in wanted.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
            if !self.columns.contains(w) {
                let mut known: Vec<String> = self.columns.iter().cloned().collect();
                known.sort();
                return Err(QueryError::UnknownColumn {
                    column: w.to_string(),
                    known,
                });
            }
            if !cols.iter().any(|c| c == w) {
                cols.push(w.to_string());
            }
        }
        if cols.is_empty() {
            return Err(QueryError::NoColumns);
        }
        if format == crate::ExportFormat::GeoJson {
            for c in ["latitude", "longitude"] {
                if !cols.iter().any(|x| x == c) {
                    cols.push(c.to_string());
                }
            }
        }
        Ok(cols
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// The store's batches with their current incidents and first and last day, for
    /// `sitrep sources`.
    pub async fn sources_report(&self) -> Result<QueryResult, StoreError> {
        Ok(self
            .sql(
                "SELECT b.batch, b.source, b.adapter, b.file, substr(b.input_blake3, 1, 16) AS input_blake3, b.committed_at, \
                 b.read, b.new, b.updated, b.unchanged, b.folded, b.rejected, b.deleted, \
                 s.current_incidents, s.first_date, s.last_date, b.coverage \
                 FROM batches b LEFT JOIN (SELECT batch, count(*) AS current_incidents, min(date_start) AS first_date, max(date_start) AS last_date \
                 FROM incidents GROUP BY batch) s ON s.batch = b.batch ORDER BY b.batch",
            )
            .await?
            .into())
    }

    /// The store's batches (its manifest as a table: source, adapter, file, input
    /// hash, counts, coverage), oldest first.
    pub async fn batches(&self) -> Result<Vec<Fields>, StoreError> {
        self.fields("SELECT * FROM batches ORDER BY batch").await
    }

    /// The incident `record_id` belongs to, with every version of its source record
    /// and the records matched into it; `None` when no record has that id.
    pub async fn incident_detail(
        &self,
        record_id: &str,
    ) -> Result<Option<IncidentDetail>, StoreError> {
        let q = quote(record_id);
        let mut current = true;
        // A record matched into another record's cluster is shown as that cluster's
        // incident (its members list the record); its own versions are listed.
        let mut rows = self
            .fields(&format!(
                "SELECT * FROM incidents WHERE record_id = {q} \
                 OR incident_id IN (SELECT incident_id FROM match_members WHERE record_id = {q})"
            ))
            .await?;
        if rows.is_empty() {
            current = false;
            rows = self
                .fields(&format!("SELECT * FROM records WHERE record_id = {q}"))
                .await?;
        }
        let Some(incident) = rows.into_iter().next() else {
            return Ok(None);
        };
        let text = |r: &Fields, k: &str| r.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let own = if text(&incident, "record_id").as_deref() == Some(record_id) {
            incident.clone()
        } else {
            self.fields(&format!(
                "SELECT source, source_event_id FROM records WHERE record_id = {q}"
            ))
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| incident.clone())
        };
        let source = text(&own, "source").unwrap_or_default();
        let event = text(&own, "source_event_id").unwrap_or_default();
        let versions = self
            .fields(&format!(
                "SELECT r.record_id, r.version, r.version_kind, r.batch, r.file, r.line, r.format, \
                 r.row_hash, r.notes, r.raw, b.adapter, b.file AS batch_file, b.input_blake3, \
                 b.committed_at, c.change, c.batch AS change_batch, c.at AS change_at \
                 FROM records r LEFT JOIN batches b ON b.batch = r.batch \
                 LEFT JOIN changes c ON c.record_id = r.record_id \
                 WHERE r.source = {} AND r.source_event_id = {} ORDER BY r.version, r.record_id",
                quote(&source),
                quote(&event)
            ))
            .await?;
        let several = incident
            .get("n_records")
            .and_then(serde_json::Value::as_i64)
            .is_some_and(|n| n > 1);
        let members = match text(&incident, "incident_id") {
            Some(inc) if current && several => {
                self.fields(&format!(
                    "SELECT r.record_id, r.source, r.source_event_id, m.is_primary, \
                     CAST(r.date_start AS VARCHAR) AS date_start, CAST(r.date_end AS VARCHAR) AS date_end, \
                     e.province_name, r.latitude, r.longitude, r.event_type, r.actor1, r.actor2, \
                     r.fatalities_low, r.fatalities_best, r.fatalities_high \
                     FROM match_members m JOIN records r ON r.record_id = m.record_id \
                     LEFT JOIN enrichment e ON e.record_id = r.record_id \
                     WHERE m.incident_id = {} ORDER BY m.is_primary DESC, r.source, r.source_event_id",
                    quote(&inc)
                ))
                .await?
            }
            _ => Vec::new(),
        };
        Ok(Some(IncidentDetail {
            incident,
            current,
            source,
            versions,
            members,
        }))
    }
}

/// The `ORDER BY` of an incident order; the record id breaks ties.
fn order_by(o: IncidentOrder) -> &'static str {
    match o {
        IncidentOrder::DateAsc => "date_start ASC, record_id ASC",
        IncidentOrder::DateDesc => "date_start DESC, record_id ASC",
        IncidentOrder::FatalitiesAsc => "fatalities_best ASC NULLS LAST, record_id ASC",
        IncidentOrder::FatalitiesDesc => "fatalities_best DESC NULLS LAST, record_id ASC",
        IncidentOrder::Province => "province_name ASC NULLS LAST, date_start DESC, record_id ASC",
    }
}
