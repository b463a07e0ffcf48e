//! The series engine: [`Analysis`] (a session over a store), [`SeriesQuery`], series,
//! period comparisons and tracing values back to records.

use crate::canonical::Compiler;
use crate::stats::rate_ratio;
use crate::transform::{cumulative_known, moving_average_known};
use crate::AnalysisError;
use chrono::NaiveDate;
use sitrep_model::bucket::{bucket_end, bucket_start, bucket_starts};
use sitrep_model::coverage::{BucketCoverage, Coverage};
use sitrep_model::figure::{
    Bucket, Comparison, Filters, GroupBy, Measure, Period, SeriesFrame, SeriesLine, SeriesSpec,
    SmoothKind,
};
use sitrep_model::{CountPoint, EventType, Sums};
use sitrep_resolve::{Gazetteer, Registry};
use sitrep_store::{CountedFrom, Snapshot, Store};
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

/// Aggregated rows of one selection: per group key, per day.
#[derive(Debug, Default)]
pub(crate) struct Agg {
    pub groups: BTreeMap<Option<String>, BTreeMap<NaiveDate, Sums>>,
}

impl Agg {
    /// Every group's accumulators added per day.
    fn by_day(&self) -> BTreeMap<NaiveDate, Sums> {
        let mut days: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
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

    fn total(&self) -> Sums {
        let mut t = Sums::default();
        for days in self.groups.values() {
            for a in days.values() {
                t.add(a);
            }
        }
        t
    }
}

/// Sums one group's days into buckets over `starts`.
fn bucketed(days: &BTreeMap<NaiveDate, Sums>, starts: &[NaiveDate], bucket: Bucket) -> Vec<Sums> {
    let index: HashMap<NaiveDate, usize> =
        starts.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut out = vec![Sums::default(); starts.len()];
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

/// A session over a store: a [`Snapshot`] (the store's typed reads as of when it
/// was taken) and the actor registry and gazetteer used to canonicalise names and
/// list areas (the bundled ones unless replaced). Build one to run several queries;
/// the free functions ([`crate::series`] …) build one per call. Cloning is cheap (the
/// snapshot, registry and gazetteer are shared).
#[derive(Clone)]
pub struct Analysis {
    pub(crate) snap: Snapshot,
    pub(crate) registry: Option<Arc<Registry>>,
    pub(crate) gazetteer: Option<Arc<Gazetteer>>,
    /// Each batch's source and coverage statement, oldest first (from the manifest).
    pub(crate) batch_coverage: Vec<(String, Option<Coverage>)>,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("snapshot", &self.snap)
            .finish_non_exhaustive()
    }
}

impl Analysis {
    /// Opens a session on `store` with the bundled registry and gazetteer.
    pub async fn new(store: &Store) -> Result<Analysis, AnalysisError> {
        Ok(Analysis::on(store.snapshot().await?))
    }

    /// A session over `snapshot` (e.g. the one a server holds for the current store
    /// version) with the bundled registry and gazetteer.
    pub fn on(snapshot: Snapshot) -> Analysis {
        Analysis {
            batch_coverage: snapshot
                .batch_entries()
                .iter()
                .map(|b| (b.source.clone(), b.coverage.clone()))
                .collect(),
            snap: snapshot,
            registry: registry_bundled(),
            gazetteer: gazetteer_bundled(),
        }
    }

    /// The snapshot this session reads.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
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

    /// True when the store's `incidents` view has `column` (e.g. `actor1_id` once
    /// places and actors are added).
    pub fn has_column(&self, column: &str) -> bool {
        self.snap.has_column(column)
    }

    pub(crate) fn compiler(&self) -> Compiler<'_> {
        Compiler {
            registry: self.registry.as_deref(),
            gazetteer: self.gazetteer.as_deref(),
        }
    }

    /// Uses the store's rollup when `on` and the store has a current one (the
    /// default), or always the raw `incidents` when not: both give the same numbers
    /// (tests prove it); the rollup is faster.
    pub fn with_rollup(mut self, on: bool) -> Self {
        self.snap = self.snap.with_rollup(on);
        self
    }

    /// Keeps the store's rollup in memory for this session (see
    /// [`Snapshot::hold_rollup_in_memory`]): for long-lived callers that run many
    /// queries, such as the server or a notebook. Series, comparisons and data ranges
    /// the rollup can answer are then summed from it natively, with no SQL per call.
    pub async fn hold_rollup_in_memory(mut self) -> Result<Self, AnalysisError> {
        self.snap.hold_rollup_in_memory().await?;
        Ok(self)
    }

    /// True when the rollup is held decoded in memory and series it can answer are
    /// summed from it natively ([`Analysis::hold_rollup_in_memory`]).
    pub fn scans_rollup_natively(&self) -> bool {
        self.snap.scans_rollup_natively()
    }

    /// True when series will be read from the store's rollup where they can.
    pub fn uses_rollup(&self) -> bool {
        self.snap.uses_rollup()
    }

    /// True when [`Self::count_series`] over `filters` reads the store's rollup (its
    /// filters use only the rollup's dimensions) rather than `incidents`.
    pub fn counts_from_rollup(&self, filters: &Filters) -> bool {
        self.snap
            .sums_from(filters, GroupBy::None, &sitrep_store::ROLLUP_BAND_EDGES)
            == CountedFrom::Rollup
    }

    /// Per group and day sums of the records matching `filters` (names made
    /// canonical first, then read through the store's one compiler).
    ///
    /// Days may be keyed by the start of their `bucket` instead (the held rollup does
    /// so): bucketing a bucket start leaves it unchanged, so series come out the same.
    pub(crate) async fn aggregate(
        &self,
        filters: &Filters,
        by: GroupBy,
        edges: &[f64],
        bucket: Bucket,
    ) -> Result<Agg, AnalysisError> {
        let f = self.compiler().canonical(filters)?;
        let mut agg = Agg::default();
        for d in self.snap.day_sums(&f, by, edges, bucket).await? {
            agg.groups
                .entry(d.group)
                .or_default()
                .entry(d.day)
                .or_default()
                .add(&d.sums);
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
            let mut all = Sums::default();
            let mut days: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
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
        let mut groups: Vec<(String, Vec<Sums>, f64)> = agg
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
                let mut other = vec![Sums::default(); starts.len()];
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
        let mut days: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
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

/// Label of the lines holding the groups beyond `top`.
pub const OTHER: &str = "Other";

/// A line before transforms: per-bucket accumulators.
#[derive(Debug, Clone)]
pub(crate) struct RawLine {
    pub label: String,
    pub accs: Vec<Sums>,
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
        Ok(self.snap.date_range(&f).await?)
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
        // The bucket within the query's own dates.
        let mut f = self.compiler().canonical(&q.filters)?;
        f.from = Some(f.from.map_or(start, |d| d.max(start)));
        f.to = Some(f.to.map_or(end, |d| d.min(end)));
        let rows = self.snap.record_groups(&f, q.by, &q.distance_bands).await?;
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
        let mut ids: Vec<String> = rows
            .into_iter()
            .filter(|(_, g)| keep(&group_label(q.by, g.as_deref())))
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}
