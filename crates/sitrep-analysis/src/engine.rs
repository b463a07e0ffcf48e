//! The series engine: [`Analysis`] (a session over a store), [`SeriesQuery`], series,
//! period comparisons and tracing values back to records.

use crate::bucket::{bucket_end, bucket_start, bucket_starts};
use crate::cube::Cube;
use crate::sql::{dates, ints, strings, Compiler};
use crate::stats::rate_ratio;
use crate::transform::{cumulative_known, moving_average_known};
use crate::AnalysisError;
use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::context::SessionContext;
use sitrep_model::coverage::{BucketCoverage, Coverage};
use sitrep_model::figure::{
    Bucket, Comparison, Filters, GroupBy, Measure, Period, SeriesFrame, SeriesLine, SeriesSpec,
    SmoothKind,
};
use sitrep_model::{CountPoint, Counts, EventType};
use sitrep_resolve::{Gazetteer, Registry};
use sitrep_store::query::{fatality_sums, Table};
use sitrep_store::Store;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// A series to compute: which records ([`Filters`]), how they are bucketed, measured,
/// grouped and transformed. Built from a figure's [`SeriesSpec`] with
/// [`SeriesQuery::from_spec`], or field by field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesQuery {
    /// Which records count. `from`/`to` also set the bucket range; when open, the
    /// range runs from the first to the last matching record.
    pub filters: Filters,
    /// Time bucket.
    pub bucket: Bucket,
    /// What is summed per bucket.
    pub measure: Measure,
    /// One line per group.
    pub by: GroupBy,
    /// Keep the N largest groups (by total of the measure), sum the rest as `Other`.
    pub top: Option<usize>,
    /// Moving average over k buckets (None or 1: none).
    pub smooth: Option<usize>,
    /// Trailing or centred average.
    pub smooth_kind: SmoothKind,
    /// Running totals.
    pub cumulative: bool,
    /// Values as a percentage of the same measure over these filters (their own date
    /// range is replaced by `filters`'). The denominator is not grouped.
    pub share_of: Option<Filters>,
    /// Distance-band edges in km (`[0, 5, 25, 50, 100]`), for `by = distance_band`
    /// and distance-band filters.
    pub distance_bands: Vec<f64>,
}

impl SeriesQuery {
    /// A plain weekly incident count over `filters`.
    pub fn new(filters: Filters) -> Self {
        SeriesQuery {
            filters,
            ..SeriesQuery::default()
        }
    }

    /// The query a figure's `[series]` asks for, over `filters`.
    pub fn from_spec(spec: &SeriesSpec, filters: &Filters, distance_bands: &[f64]) -> Self {
        SeriesQuery {
            filters: filters.clone(),
            bucket: spec.bucket,
            measure: spec.measure,
            by: spec.by,
            top: spec.top,
            smooth: spec.smooth,
            smooth_kind: spec.smooth_kind,
            cumulative: spec.cumulative,
            share_of: spec.share_of.clone(),
            distance_bands: distance_bands.to_vec(),
        }
    }
}

/// Per-bucket sums of one group, following [`sitrep_model::Fatalities`]' addition:
/// a missing low counts 0, a missing best falls back to low then 0, and any missing
/// high makes the high unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Acc {
    pub n: u64,
    pub low: u64,
    pub best: u64,
    pub high: u64,
    pub high_missing: u64,
    pub civ: u64,
    pub civ_known: u64,
    /// Counted records that give a best estimate (the rest are counted by their low).
    pub best_known: u64,
}

impl Acc {
    pub(crate) fn add(&mut self, o: &Acc) {
        self.n += o.n;
        self.low += o.low;
        self.best += o.best;
        self.high += o.high;
        self.high_missing += o.high_missing;
        self.civ += o.civ;
        self.civ_known += o.civ_known;
        self.best_known += o.best_known;
    }
    /// The measure; NaN for an unknown high (plotted values stay `f64`; renderers
    /// leave non-finite values out — a gap, an empty cell).
    pub fn value(&self, m: Measure) -> f64 {
        match m {
            Measure::Incidents => self.n as f64,
            Measure::FatalitiesLow => self.low as f64,
            Measure::FatalitiesBest => self.best as f64,
            Measure::FatalitiesHigh => self.high().unwrap_or(f64::NAN),
            Measure::CivilianDeaths => self.civ as f64,
        }
    }
    /// The summed high; `None` when one counted record has no high estimate.
    pub fn high(&self) -> Option<f64> {
        (self.high_missing == 0).then_some(self.high as f64)
    }
    /// As the model's [`Counts`].
    pub fn counts(&self) -> Counts {
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Counts {
            incidents: i(self.n),
            fatalities_low: i(self.low),
            fatalities_best: i(self.best),
            fatalities_high: (self.high_missing == 0).then_some(i(self.high)),
            fatalities_unknown: i(self.n.saturating_sub(self.best_known)),
        }
    }
}

/// SQL aggregate columns matching [`Acc`] (count, the store's [`fatality_sums`],
/// civilian deaths), over `incidents` or the store's pre-summed `rollup`.
fn aggs(table: Table) -> String {
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

fn acc_at(b: &RecordBatch, first: usize) -> Vec<Acc> {
    let cols: Vec<Vec<Option<i64>>> = (first..first + ACC_COLUMNS.len())
        .map(|i| ints(b, i))
        .collect();
    accs_from(&cols, b.num_rows())
}

/// The measure columns behind an [`Acc`], in its order (the rollup's names).
pub(crate) const ACC_COLUMNS: [&str; 8] = [
    "n",
    "lo",
    "best",
    "hi",
    "hi_missing",
    "civ",
    "civ_known",
    "best_known",
];

/// Accumulators from the [`ACC_COLUMNS`] (n, low, best, high, high missing, civilian
/// deaths, civilian deaths known, best known); NULL and negative sums count 0.
pub(crate) fn accs_from(cols: &[Vec<Option<i64>>], rows: usize) -> Vec<Acc> {
    (0..rows)
        .map(|r| {
            let v = |c: usize| cols[c][r].unwrap_or(0).max(0) as u64;
            Acc {
                n: v(0),
                low: v(1),
                best: v(2),
                high: v(3),
                high_missing: v(4),
                civ: v(5),
                civ_known: v(6),
                best_known: v(7),
            }
        })
        .collect()
}

/// Aggregated rows of one selection: per group key, per day.
#[derive(Debug, Default)]
pub(crate) struct Agg {
    pub groups: BTreeMap<Option<String>, BTreeMap<NaiveDate, Acc>>,
}

impl Agg {
    /// Every group's accumulators added per day.
    fn by_day(&self) -> BTreeMap<NaiveDate, Acc> {
        let mut days: BTreeMap<NaiveDate, Acc> = BTreeMap::new();
        for g in self.groups.values() {
            for (d, a) in g {
                days.entry(*d).or_default().add(a);
            }
        }
        days
    }
    fn day_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut r: Option<(NaiveDate, NaiveDate)> = None;
        for days in self.groups.values() {
            if let (Some((a, _)), Some((b, _))) = (days.first_key_value(), days.last_key_value()) {
                r = Some(match r {
                    None => (*a, *b),
                    Some((x, y)) => (x.min(*a), y.max(*b)),
                });
            }
        }
        r
    }

    fn total(&self) -> Acc {
        let mut t = Acc::default();
        for days in self.groups.values() {
            for a in days.values() {
                t.add(a);
            }
        }
        t
    }
}

/// Sums one group's days into buckets over `starts`.
fn bucketed(days: &BTreeMap<NaiveDate, Acc>, starts: &[NaiveDate], bucket: Bucket) -> Vec<Acc> {
    let index: HashMap<NaiveDate, usize> =
        starts.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut out = vec![Acc::default(); starts.len()];
    for (day, a) in days {
        if let Some(i) = index.get(&bucket_start(*day, bucket)) {
            out[*i].add(a);
        }
    }
    out
}

fn registry_bundled() -> Option<Arc<Registry>> {
    static R: OnceLock<Option<Arc<Registry>>> = OnceLock::new();
    R.get_or_init(|| Registry::bundled().ok().map(Arc::new))
        .clone()
}

pub(crate) fn gazetteer_bundled() -> Option<Arc<Gazetteer>> {
    static G: OnceLock<Option<Arc<Gazetteer>>> = OnceLock::new();
    G.get_or_init(|| Gazetteer::bundled().ok().map(Arc::new))
        .clone()
}

/// A session over a store: its DataFusion context, the columns its `incidents` view
/// has, and the actor registry and gazetteer used to check ids and list areas (the
/// bundled ones unless replaced). Build one to run several queries; the free
/// functions ([`crate::series`] …) build one per call. Cloning is cheap (the
/// context, registry, gazetteer and held rollup are shared).
#[derive(Clone)]
pub struct Analysis {
    pub(crate) ctx: SessionContext,
    pub(crate) columns: HashSet<String>,
    pub(crate) registry: Option<Arc<Registry>>,
    pub(crate) gazetteer: Option<Arc<Gazetteer>>,
    /// The store's `rollup` table is registered (current) and may be used.
    pub(crate) preagg: bool,
    /// The rollup decoded in memory ([`Analysis::hold_rollup_in_memory`]): series
    /// the rollup can answer are summed from it natively, without SQL.
    pub(crate) cube: Option<Arc<Cube>>,
    /// Each batch's source and coverage statement, oldest first (from the manifest).
    pub(crate) batch_coverage: Vec<(String, Option<Coverage>)>,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("columns", &self.columns.len())
            .finish_non_exhaustive()
    }
}

impl Analysis {
    /// Opens a session on `store` with the bundled registry and gazetteer.
    pub async fn new(store: &Store) -> Result<Analysis, AnalysisError> {
        let ctx = store.context().await?;
        let schema = ctx
            .table("incidents")
            .await
            .map_err(|e| AnalysisError::Query {
                message: e.to_string(),
                sql: "incidents".into(),
            })?
            .schema()
            .clone();
        let columns = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut a = Analysis {
            ctx,
            columns,
            registry: registry_bundled(),
            gazetteer: gazetteer_bundled(),
            preagg: false,
            cube: None,
            batch_coverage: store
                .manifest()
                .batches
                .iter()
                .map(|b| (b.source.clone(), b.coverage.clone()))
                .collect(),
        };
        a.preagg = a.ctx.table_exist("rollup").unwrap_or(false);
        // A store whose `incidents` view has the enrichment columns but no enrichment
        // rows (never enriched) must not answer an actor filter with silent zeros:
        // treat the columns as absent, so such queries fail with `MissingColumn`.
        if a.columns.contains("actor1_id") && a.ctx.table_exist("enrichment").unwrap_or(false) {
            let enriched = a.count_in("enrichment").await?;
            let records = a.count_in("records").await?;
            if enriched == 0 && records > 0 {
                for c in ENRICHMENT_COLUMNS {
                    a.columns.remove(*c);
                }
            }
        }
        Ok(a)
    }

    /// Checks actor ids against `registry` instead of the bundled one.
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = Some(Arc::new(registry));
        self
    }

    /// Lists areas from `gazetteer` instead of the bundled one.
    pub fn with_gazetteer(mut self, gazetteer: Gazetteer) -> Self {
        self.gazetteer = Some(Arc::new(gazetteer));
        self
    }

    /// The filters as a SQL predicate over `incidents` (`TRUE` when empty), with
    /// actor ids and provinces checked: for commands that select rows themselves
    /// (`sitrep export`) and must honour every filter the series do.
    pub fn predicate(&self, f: &Filters) -> Result<String, AnalysisError> {
        self.compiler(&[]).predicate(f, true)
    }

    /// True when the store's `incidents` view has `column` (e.g. `actor1_id` once
    /// places and actors are added).
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.contains(column)
    }

    pub(crate) fn compiler<'a>(&'a self, edges: &'a [f64]) -> Compiler<'a> {
        Compiler {
            columns: &self.columns,
            edges,
            registry: self.registry.as_deref(),
            gazetteer: self.gazetteer.as_deref(),
            preagg: false,
        }
    }

    /// Uses the store's rollup when `on` and the store has a current one (the
    /// default), or always the raw `incidents` when not: both give the same numbers
    /// (tests prove it); the rollup is faster.
    pub fn with_rollup(mut self, on: bool) -> Self {
        self.preagg = on && self.ctx.table_exist("rollup").unwrap_or(false);
        self
    }

    /// Keeps the store's rollup in memory for this session (see
    /// [`sitrep_store::hold_rollup_in_memory`]): for long-lived callers that run many
    /// queries, such as the server or a notebook.
    ///
    /// The session also decodes the rollup into a columnar cube and answers every
    /// series, comparison and data range the rollup can answer by scanning it
    /// natively, with no SQL per call; the results are the SQL path's (tests prove
    /// it).
    pub async fn hold_rollup_in_memory(mut self) -> Result<Self, AnalysisError> {
        if sitrep_store::hold_rollup_in_memory(&self.ctx).await? {
            let batches = self.run("SELECT * FROM rollup").await?;
            self.cube = Some(Arc::new(Cube::from_batches(&batches)?));
        }
        Ok(self)
    }

    /// [`Analysis::hold_rollup_in_memory`] for a session over the same store version
    /// as `other` (the rollup does not depend on the claims ledger's `attribution`):
    /// shares `other`'s in-memory rollup and decoded cube instead of reading and
    /// decoding them again. Falls back to reading when `other` holds none.
    pub async fn share_rollup_held_by(mut self, other: &Analysis) -> Result<Self, AnalysisError> {
        match &other.cube {
            Some(cube) if sitrep_store::share_rollup(&other.ctx, &self.ctx).await? => {
                self.cube = Some(Arc::clone(cube));
                Ok(self)
            }
            _ => self.hold_rollup_in_memory().await,
        }
    }

    /// The cube, when held and the session may use the rollup.
    fn cube(&self) -> Option<&Cube> {
        self.cube.as_deref().filter(|_| self.preagg)
    }

    /// True when the rollup is held decoded in memory and series it can answer are
    /// summed from it natively ([`Analysis::hold_rollup_in_memory`]).
    pub fn scans_rollup_natively(&self) -> bool {
        self.cube().is_some()
    }

    /// True when series will be read from the store's rollup where they can.
    pub fn uses_rollup(&self) -> bool {
        self.preagg
    }

    /// True when [`Self::count_series`] over `filters` reads the store's rollup (its
    /// filters use only the rollup's dimensions) rather than `incidents`.
    pub fn counts_from_rollup(&self, filters: &Filters) -> bool {
        self.preagg_ok(filters, GroupBy::None, &sitrep_store::ROLLUP_BAND_EDGES)
    }

    /// Whether a selection can be answered from the rollup: its filters and grouping
    /// use only the rollup's dimensions, and distance bands (when used) are the
    /// rollup's.
    fn preagg_ok(&self, filters: &Filters, by: GroupBy, edges: &[f64]) -> bool {
        let bands_used = by == GroupBy::DistanceBand || !filters.distance_bands.is_empty();
        self.preagg
            && by != GroupBy::Attribution
            && filters.source_types.is_empty()
            && filters.districts.is_empty()
            && filters.attribution.is_empty()
            && (!bands_used || edges == sitrep_store::ROLLUP_BAND_EDGES.as_slice())
    }

    /// Runs one read-only statement this crate built.
    pub(crate) async fn run(&self, sql: &str) -> Result<Vec<RecordBatch>, AnalysisError> {
        let opts = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let err = |e: datafusion::error::DataFusionError| AnalysisError::Query {
            message: e.to_string(),
            sql: sql.to_string(),
        };
        self.ctx
            .sql_with_options(sql, opts)
            .await
            .map_err(err)?
            .collect()
            .await
            .map_err(err)
    }

    async fn count_in(&self, table: &str) -> Result<u64, AnalysisError> {
        let b = self.run(&format!("SELECT COUNT(*) FROM {table}")).await?;
        Ok(b.iter().flat_map(|b| ints(b, 0)).flatten().sum::<i64>() as u64)
    }

    /// One count.
    pub(crate) async fn count(&self, pred: &str) -> Result<u64, AnalysisError> {
        let b = self
            .run(&format!("SELECT COUNT(*) FROM incidents WHERE {pred}"))
            .await?;
        Ok(b.iter().flat_map(|b| ints(b, 0)).flatten().sum::<i64>() as u64)
    }

    /// Per group and day sums of the records matching `filters`.
    ///
    /// Days may be keyed by the start of their `bucket` instead (the cube does so):
    /// bucketing a bucket start leaves it unchanged, so series come out the same.
    pub(crate) async fn aggregate(
        &self,
        filters: &Filters,
        by: GroupBy,
        edges: &[f64],
        bucket: Bucket,
    ) -> Result<Agg, AnalysisError> {
        let mut c = self.compiler(edges);
        c.preagg = self.preagg_ok(filters, by, edges);
        let pred = c.predicate(filters, true)?;
        let sub = c.grouped(&pred, by, filters)?;
        if let Some(cube) = self.cube().filter(|_| c.preagg) {
            return cube.aggregate(&c, filters, by, bucket);
        }
        let aggs = aggs(if c.preagg {
            Table::Rollup
        } else {
            Table::Incidents
        });
        let sql = format!("SELECT date_start, g, {aggs} FROM ({sub}) t GROUP BY date_start, g");
        let mut agg = Agg::default();
        for b in self.run(&sql).await? {
            let days = dates(&b, 0);
            let gs = strings(&b, 1);
            let accs = acc_at(&b, 2);
            for ((d, g), a) in days.into_iter().zip(gs).zip(accs) {
                if let Some(d) = d {
                    agg.groups
                        .entry(g)
                        .or_default()
                        .entry(d)
                        .or_default()
                        .add(&a);
                }
            }
        }
        Ok(agg)
    }

    /// The series `q` asks for. See [`crate::series`].
    pub async fn series(&self, q: &SeriesQuery) -> Result<SeriesFrame, AnalysisError> {
        let agg = self
            .aggregate(&q.filters, q.by, &q.distance_bands, q.bucket)
            .await?;
        let starts = self.starts_for(&[(&q.filters, &agg)], q.bucket);
        let raw = self.group_lines(q, &agg, &starts, None)?;
        let coverage = self.bucket_coverage(&q.filters, &starts, q.bucket).await?;
        let lines = self.finish(q, &raw, &starts, &coverage).await?;
        Ok(SeriesFrame {
            bucket: q.bucket,
            measure: q.measure,
            starts,
            lines,
            coverage,
        })
    }

    /// Counts and fatality sums of the incidents `filters` select, per `bucket`: the
    /// dashboard's series (`/api/v1/series`) and the same numbers as [`Self::series`]
    /// gives measure by measure (one aggregation here for all of them). Buckets span
    /// the filters' `from`/`to`, or the selection's first/last day when open; a
    /// covered bucket without incidents holds zeros, one no selected source covers
    /// holds `None`. Distance-band filters use the store's rollup edges.
    pub async fn count_series(
        &self,
        filters: &Filters,
        bucket: Bucket,
    ) -> Result<Vec<CountPoint>, AnalysisError> {
        let edges = sitrep_store::ROLLUP_BAND_EDGES;
        let agg = self
            .aggregate(filters, GroupBy::None, &edges, bucket)
            .await?;
        let starts = self.starts_for(&[(filters, &agg)], bucket);
        let accs = bucketed(&agg.by_day(), &starts, bucket);
        let coverage = self.bucket_coverage(filters, &starts, bucket).await?;
        Ok(starts
            .iter()
            .zip(accs)
            .zip(coverage)
            .map(|((start, a), coverage)| CountPoint {
                start: *start,
                end: bucket_end(*start, bucket),
                counts: coverage.is_covered().then(|| a.counts()),
                coverage,
            })
            .collect())
    }

    /// Bucket starts covering every selection: each one's `from`/`to`, or its data's
    /// first/last day when open.
    pub(crate) fn starts_for(&self, sel: &[(&Filters, &Agg)], bucket: Bucket) -> Vec<NaiveDate> {
        let mut range: Option<(NaiveDate, NaiveDate)> = None;
        for (f, agg) in sel {
            let data = agg.day_range();
            let from = f.from.or(data.map(|d| d.0));
            let to = f.to.or(data.map(|d| d.1));
            if let (Some(a), Some(b)) = (from, to) {
                range = Some(match range {
                    None => (a, b),
                    Some((x, y)) => (x.min(a), y.max(b)),
                });
            }
        }
        match range {
            Some((a, b)) => bucket_starts(a, b, bucket),
            None => Vec::new(),
        }
    }

    /// Raw lines (bucketed accumulators turned into values and bands) of one
    /// aggregation; `label` names the single line when `q.by` is none.
    pub(crate) fn group_lines(
        &self,
        q: &SeriesQuery,
        agg: &Agg,
        starts: &[NaiveDate],
        label: Option<&str>,
    ) -> Result<Vec<RawLine>, AnalysisError> {
        if q.measure == Measure::CivilianDeaths {
            let t = agg.total();
            if t.n > 0 && t.civ_known == 0 {
                return Err(AnalysisError::NoCivilianDeaths);
            }
        }
        if q.top == Some(0) {
            return Err(AnalysisError::Invalid(
                "`top` must be 1 or more groups".into(),
            ));
        }
        if q.by == GroupBy::None {
            let mut all = Acc::default();
            let mut days: BTreeMap<NaiveDate, Acc> = BTreeMap::new();
            for g in agg.groups.values() {
                for (d, a) in g {
                    days.entry(*d).or_default().add(a);
                    all.add(a);
                }
            }
            let label = label.unwrap_or(q.measure.human()).to_string();
            return Ok(vec![RawLine {
                label,
                accs: bucketed(&days, starts, q.bucket),
            }]);
        }
        let mut groups: Vec<(String, Vec<Acc>, f64)> = agg
            .groups
            .iter()
            .map(|(g, days)| {
                let accs = bucketed(days, starts, q.bucket);
                let total: f64 = accs
                    .iter()
                    .map(|a| match q.measure {
                        Measure::FatalitiesHigh => a.best as f64,
                        m => a.value(m),
                    })
                    .sum();
                (group_label(q.by, g.as_deref()), accs, total)
            })
            .filter(|(_, accs, _)| accs.iter().any(|a| a.n > 0))
            .collect();
        groups.sort_by(|a, b| {
            order_key(q.by, &a.0)
                .cmp(&order_key(q.by, &b.0))
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        if let Some(top) = q.top {
            if groups.len() > top {
                // Rank by total regardless of display order, keep display order.
                let mut by_total: Vec<usize> = (0..groups.len()).collect();
                by_total.sort_by(|&i, &j| groups[j].2.total_cmp(&groups[i].2).then(i.cmp(&j)));
                let keep: HashSet<usize> = by_total[..top].iter().copied().collect();
                let mut other = vec![Acc::default(); starts.len()];
                let mut kept = Vec::new();
                for (i, g) in groups.into_iter().enumerate() {
                    if keep.contains(&i) {
                        kept.push(g);
                    } else {
                        for (o, a) in other.iter_mut().zip(&g.1) {
                            o.add(a);
                        }
                    }
                }
                kept.push((OTHER.to_string(), other, 0.0));
                groups = kept;
            }
        }
        Ok(groups
            .into_iter()
            .map(|(label, accs, _)| RawLine { label, accs })
            .collect())
    }

    /// The share denominator per bucket: the measure over `share_of` (with the
    /// query's date range), not grouped.
    pub(crate) async fn share_denominator(
        &self,
        q: &SeriesQuery,
        share_of: &Filters,
        starts: &[NaiveDate],
    ) -> Result<Vec<f64>, AnalysisError> {
        let mut f = share_of.clone();
        f.from = q.filters.from;
        f.to = q.filters.to;
        let agg = self
            .aggregate(&f, GroupBy::None, &q.distance_bands, q.bucket)
            .await?;
        let mut days: BTreeMap<NaiveDate, Acc> = BTreeMap::new();
        for g in agg.groups.values() {
            for (d, a) in g {
                days.entry(*d).or_default().add(a);
            }
        }
        Ok(bucketed(&days, starts, q.bucket)
            .iter()
            .map(|a| a.value(q.measure))
            .collect())
    }

    /// Raw lines → plotted lines, with the share denominator when `share_of` is set.
    pub(crate) async fn finish(
        &self,
        q: &SeriesQuery,
        raw: &[RawLine],
        starts: &[NaiveDate],
        cov: &[BucketCoverage],
    ) -> Result<Vec<SeriesLine>, AnalysisError> {
        if q.smooth == Some(0) {
            return Err(AnalysisError::Invalid(
                "`smooth` must be 1 or more buckets".into(),
            ));
        }
        let den = match &q.share_of {
            Some(s) => Some(self.share_denominator(q, s, starts).await?),
            None => None,
        };
        Ok(raw
            .iter()
            .map(|r| transform_line(q, r, den.as_deref(), cov))
            .collect())
    }
}

/// Applies share, cumulation and smoothing to one line, in that order; `raw_values`
/// are the values before smoothing. Fatality measures carry low/high bands, dropped
/// when they never differ (and for shares).
pub(crate) fn transform_line(
    q: &SeriesQuery,
    raw: &RawLine,
    den: Option<&[f64]>,
    cov: &[BucketCoverage],
) -> SeriesLine {
    // A bucket no selected source covers has no value: `None`, never 0.
    let covered = |i: usize| cov.get(i).is_none_or(BucketCoverage::is_covered);
    let mut values: Vec<Option<f64>> = raw
        .accs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            covered(i)
                .then(|| a.value(q.measure))
                .filter(|v| v.is_finite())
        })
        .collect();
    let fatal = matches!(
        q.measure,
        Measure::FatalitiesLow | Measure::FatalitiesBest | Measure::FatalitiesHigh
    );
    let (mut low, mut high) = if fatal {
        (
            Some(
                raw.accs
                    .iter()
                    .enumerate()
                    .map(|(i, a)| covered(i).then_some(a.low as f64))
                    .collect::<Vec<_>>(),
            ),
            Some(
                raw.accs
                    .iter()
                    .enumerate()
                    .map(|(i, a)| if covered(i) { a.high() } else { None })
                    .collect::<Vec<_>>(),
            ),
        )
    } else {
        (None, None)
    };
    if let Some(den) = den {
        let mut den: Vec<Option<f64>> = den
            .iter()
            .enumerate()
            .map(|(i, d)| covered(i).then_some(*d))
            .collect();
        let mut num = values;
        if q.cumulative {
            num = cumulative_known(&num);
            den = cumulative_known(&den);
        }
        values = num
            .iter()
            .zip(&den)
            .map(|(n, d)| match (n, d) {
                (Some(n), Some(d)) if *d > 0.0 => Some(100.0 * n / d),
                (Some(_), Some(_)) => Some(0.0),
                _ => None,
            })
            .collect();
        low = None;
        high = None;
    } else if q.cumulative {
        values = cumulative_known(&values);
        low = low.map(|v| cumulative_known(&v));
        high = high.map(|v| cumulative_known(&v));
    }
    let raw_values = values.clone();
    if let Some(k) = q.smooth.filter(|k| *k > 1) {
        values = moving_average_known(&values, k, q.smooth_kind);
        low = low.map(|v| moving_average_known(&v, k, q.smooth_kind));
        high = high.map(|v| moving_average_known(&v, k, q.smooth_kind));
    }
    if let (Some(l), Some(h)) = (&low, &high) {
        if l.iter().zip(h).all(|(a, b)| a == b) {
            low = None;
            high = None;
        }
    }
    SeriesLine {
        label: raw.label.clone(),
        values,
        low,
        high,
        raw_values,
    }
}

/// The columns places and actors add to `incidents`.
const ENRICHMENT_COLUMNS: &[&str] = &[
    "province_code",
    "province_name",
    "district",
    "region",
    "capital_name",
    "capital_distance_km",
    "place_flag",
    "admin1_agrees",
    "actor1_id",
    "actor2_id",
    "actor1_root",
    "actor2_root",
];

/// Label of the lines holding the groups beyond `top`.
pub const OTHER: &str = "Other";

/// A line before transforms: per-bucket accumulators.
#[derive(Debug, Clone)]
pub(crate) struct RawLine {
    pub label: String,
    pub accs: Vec<Acc>,
}

/// The label of a group key; unknown keys get a bracketed label.
pub(crate) fn group_label(by: GroupBy, g: Option<&str>) -> String {
    match g {
        Some(g) => g.to_string(),
        None => match by {
            GroupBy::Actor => "(unresolved)",
            GroupBy::Province => "(no province)",
            GroupBy::Region => "(no region)",
            _ => "(unknown)",
        }
        .to_string(),
    }
}

/// Display order: event types in taxonomy order, distance bands by edge, others by
/// total (the caller breaks ties).
fn order_key(by: GroupBy, label: &str) -> (usize, i64) {
    match by {
        GroupBy::EventType => (
            EventType::parse(label)
                .and_then(|t| EventType::ALL.iter().position(|x| *x == t))
                .unwrap_or(99),
            0,
        ),
        GroupBy::Attribution => (
            ["attributed", "claimed", "contested", "unattributed"]
                .iter()
                .position(|x| *x == label)
                .unwrap_or(99),
            0,
        ),
        GroupBy::DistanceBand => (
            0,
            label
                .split(['–', '+', '-', ' '])
                .next()
                .and_then(|s| s.parse::<f64>().ok())
                .map_or(i64::MAX, |km| (km * 1000.0) as i64),
        ),
        _ => (0, 0),
    }
}

impl Analysis {
    /// First and last event day in the store, for `sources` (all when empty).
    pub async fn data_range(
        &self,
        sources: &[String],
    ) -> Result<Option<(NaiveDate, NaiveDate)>, AnalysisError> {
        let f = Filters {
            sources: sources.to_vec(),
            ..Filters::default()
        };
        let mut c = self.compiler(&[]);
        c.preagg = self.preagg_ok(&f, GroupBy::None, &[]);
        let pred = c.predicate(&f, false)?;
        if let Some(cube) = self.cube().filter(|_| c.preagg) {
            return Ok(cube.data_range(sources));
        }
        // The rollup has every incident's day: its range is the data's, read from
        // thousands of rows rather than the whole `incidents` view.
        let table = if c.preagg { "rollup" } else { "incidents" };
        let b = self
            .run(&format!(
                "SELECT MIN(date_start), MAX(date_start) FROM {table} WHERE {pred}"
            ))
            .await?;
        Ok(b.iter()
            .find(|b| b.num_rows() > 0)
            .and_then(|b| Some((dates(b, 0)[0]?, dates(b, 1)[0]?))))
    }

    /// The weekly rate of `measure` in period `a` against period `b`. See
    /// [`crate::compare`].
    pub async fn compare(
        &self,
        filters: &Filters,
        measure: Measure,
        a: Period,
        b: Period,
    ) -> Result<Comparison, AnalysisError> {
        self.compare_labelled(filters, measure, &[], a, b, "").await
    }

    pub(crate) async fn compare_labelled(
        &self,
        filters: &Filters,
        measure: Measure,
        edges: &[f64],
        a: Period,
        b: Period,
        label: &str,
    ) -> Result<Comparison, AnalysisError> {
        if self.data_range(&filters.sources).await?.is_none() {
            return Err(AnalysisError::NoData {
                sources: filters.sources.clone(),
            });
        }
        let (coverage_a, warn_a) = self.check_period(filters, a).await?;
        let (coverage_b, warn_b) = self.check_period(filters, b).await?;
        let mut totals = [0.0; 2];
        for (t, p) in totals.iter_mut().zip([a, b]) {
            let mut f = filters.clone();
            f.from = Some(p.from);
            f.to = Some(p.to);
            *t = self
                .aggregate(&f, GroupBy::None, edges, Bucket::Day)
                .await?
                .total()
                .value(measure);
        }
        let [count_a, count_b] = totals;
        let (weeks_a, weeks_b) = (a.weeks(), b.weeks());
        let (ratio, ci_low, ci_high) = if count_a.is_finite() && count_b.is_finite() {
            rate_ratio(
                count_a.round() as u64,
                weeks_a,
                count_b.round() as u64,
                weeks_b,
            )
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        };
        Ok(Comparison {
            label: label.to_string(),
            a,
            b,
            rate_a: count_a / weeks_a,
            rate_b: count_b / weeks_b,
            ratio,
            ci_low,
            ci_high,
            count_a,
            count_b,
            weeks_a,
            weeks_b,
            coverage_a,
            coverage_b,
            warnings: warn_a.into_iter().chain(warn_b).collect(),
        })
    }

    /// The ids of the records behind one plotted value. See [`crate::trace`].
    pub async fn trace(
        &self,
        q: &SeriesQuery,
        bucket: NaiveDate,
        group: Option<&str>,
    ) -> Result<Vec<String>, AnalysisError> {
        let start = bucket_start(bucket, q.bucket);
        let end = bucket_end(start, q.bucket);
        let c = self.compiler(&q.distance_bands);
        let pred = format!(
            "{} AND date_start >= DATE '{start}' AND date_start <= DATE '{end}'",
            c.predicate(&q.filters, true)?
        );
        let sub = c.grouped(&pred, q.by, &q.filters)?;
        let rows = self
            .run(&format!("SELECT DISTINCT record_id, g FROM ({sub}) t"))
            .await?;
        let keep: Box<dyn Fn(&str) -> bool> = match group {
            None => Box::new(|_| true),
            Some(_) if q.by == GroupBy::None => Box::new(|_| true),
            Some(OTHER) if q.top.is_some() => {
                let agg = self
                    .aggregate(&q.filters, q.by, &q.distance_bands, q.bucket)
                    .await?;
                let starts = self.starts_for(&[(&q.filters, &agg)], q.bucket);
                let kept: HashSet<String> = self
                    .group_lines(q, &agg, &starts, None)?
                    .into_iter()
                    .map(|l| l.label)
                    .filter(|l| l != OTHER)
                    .collect();
                Box::new(move |l: &str| !kept.contains(l))
            }
            Some(g) => {
                let g = g.to_string();
                Box::new(move |l: &str| l == g)
            }
        };
        let mut ids: Vec<String> = Vec::new();
        for b in &rows {
            for (id, g) in strings(b, 0).into_iter().zip(strings(b, 1)) {
                if let Some(id) = id {
                    if keep(&group_label(q.by, g.as_deref())) {
                        ids.push(id);
                    }
                }
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}
