//! Figure data: everything a [`FigureSpec`] asks for, with its provenance.

use crate::engine::{Analysis, RawLine, SeriesQuery};
use crate::AnalysisError;
use chrono::{DateTime, Utc};
use sitrep_model::figure::{
    AreaValue, AreaValues, ChartBreak, FigureData, FigureKind, FigureProvenance, FigureSpec,
    Filters, GroupBy, MapLevel, MapPoint, Measure, SeriesFrame, SourceRef,
};
use sitrep_model::BucketCoverage;
use sitrep_store::Condition;
use std::collections::BTreeMap;

/// Geo precision code of points drawn on maps unless the spec's filters say
/// otherwise: district or finer (coarser records sit on centroids).
const MAP_POINT_PRECISION: u8 = 3;

impl Analysis {
    /// Computes everything `spec` asks for:
    ///
    /// * **series** for chart kinds: one line per `[[lines]]` entry (the figure's
    ///   filters with the line's laid over them, [`Filters::merged`]) or per group of
    ///   `series.by`, on shared buckets covering every line's range;
    /// * **areas** for choropleths and shaded point maps: every province (or district)
    ///   of the gazetteer, zeros included, with incidents and fatality sums; `value` is
    ///   `series.measure`;
    /// * **points** for point maps (or a choropleth with `map.points`): one per record
    ///   with coordinates located to the district or better (geo precision ≤ 3, or the
    ///   filters' own `coarsest_geo`), sized by `map.points` (best fatalities by
    ///   default; 1 for incidents);
    /// * **comparisons** for `compare` annotations, with the figure's filters except
    ///   their date range. A comparison whose period lies outside the data is left out
    ///   and the reason listed in `provenance.excluded` (with count 0), so the figure
    ///   still draws;
    /// * **provenance**: sources with citation, version and ingest time (from
    ///   `batches`), the filters, the records counted, the records left out by reason,
    ///   and the data date (the last event day of the sources).
    pub async fn figure_data(&self, spec: &FigureSpec) -> Result<FigureData, AnalysisError> {
        let edges = spec.distance_bands.as_slice();
        let lines: Vec<(Option<String>, Filters)> = if spec.lines.is_empty() {
            vec![(None, spec.filters.clone())]
        } else {
            spec.lines
                .iter()
                .map(|l| (Some(l.label.clone()), spec.filters.merged(&l.filters)))
                .collect()
        };
        // Every line's filters, names made canonical: the records the figure counts
        // are those any line selects.
        let c = self.compiler();
        let any = lines
            .iter()
            .map(|(_, f)| c.canonical(f))
            .collect::<Result<Vec<_>, _>>()?;
        let mut data = FigureData::default();
        let mut excluded: Vec<(String, u64)> = Vec::new();

        if !spec.kind.is_map() {
            let frame = self.figure_series(spec, &lines).await?;
            if spec.series.changes {
                // One rule with `sitrep changes`: Poisson PELT, MBIC, on raw values,
                // each covered stretch on its own.
                let q = crate::watch::changes::ChangesQuery {
                    bucket: frame.bucket,
                    measure: frame.measure,
                    ..Default::default()
                };
                for line in &frame.lines {
                    let seg = crate::watch::changes::segment(
                        &q,
                        frame.starts.clone(),
                        line.raw_values.clone(),
                    );
                    data.breaks
                        .extend(seg.breaks.into_iter().map(|b| ChartBreak {
                            line: line.label.clone(),
                            date: b.date,
                            ratio: b.ratio,
                        }));
                }
            }
            data.series = Some(frame);
        } else {
            let map = spec.map_or_default();
            let shade = spec.kind == FigureKind::Choropleth || map.shade;
            if shade {
                let (mut areas, missing) = self
                    .areas(&any, edges, map.level, spec.series.measure)
                    .await?;
                // A period no selected source covers is "no data" everywhere, never
                // the 0 class.
                if let Some(pc) = self.filters_coverage(&spec.filters).await? {
                    areas.coverage = pc.coverage;
                    if !areas.coverage.is_covered() {
                        for r in &mut areas.rows {
                            r.value = None;
                        }
                    }
                }
                data.areas = Some(areas);
                let what = match map.level {
                    MapLevel::Province => "no province",
                    MapLevel::District => "no district",
                };
                excluded.push((format!("{what} (not shaded)"), missing));
            }
            let points = match (spec.kind, map.points) {
                (FigureKind::Points, m) => Some(m.unwrap_or(Measure::FatalitiesBest)),
                (_, Some(m)) => Some(m),
                _ => None,
            };
            if let Some(m) = points {
                let (pts, no_coords, coarse) = self.points(&any, edges, &spec.filters, m).await?;
                data.points = pts;
                excluded.push(("no coordinates (not drawn as points)".into(), no_coords));
                if coarse > 0 || spec.filters.coarsest_geo.is_none() {
                    excluded.push((
                        "located only to province or coarser (not drawn as points)".into(),
                        coarse,
                    ));
                }
            }
        }

        for (a, b, label) in spec.comparisons() {
            match self
                .compare_labelled(&spec.filters, spec.series.measure, edges, *a, *b, label)
                .await
            {
                Ok(cmp) => data.comparisons.push(cmp),
                Err(e @ AnalysisError::PeriodNotCovered { .. }) => {
                    excluded.push((format!("comparison \"{label}\" not computed: {e}"), 0));
                }
                Err(e) => return Err(e),
            }
        }

        excluded.extend(self.precision_exclusions(spec, &lines).await?);
        let record_count = self.snap.count_where(&any, edges, &[]).await?;
        data.provenance = self
            .provenance(spec, &lines, &any, record_count, excluded)
            .await?;
        Ok(data)
    }

    async fn figure_series(
        &self,
        spec: &FigureSpec,
        lines: &[(Option<String>, Filters)],
    ) -> Result<SeriesFrame, AnalysisError> {
        let by = if spec.lines.is_empty() {
            spec.series.by
        } else {
            GroupBy::None
        };
        let mut aggs = Vec::new();
        for (_, f) in lines {
            aggs.push(
                self.aggregate(f, by, &spec.distance_bands, spec.series.bucket)
                    .await?,
            );
        }
        let sel: Vec<(&Filters, &crate::engine::Agg)> =
            lines.iter().map(|(_, f)| f).zip(aggs.iter()).collect();
        let starts = self.starts_for(&sel, spec.series.bucket);
        let mut out = Vec::new();
        // The frame's coverage is, per bucket, the best of its lines' (each line is
        // masked by its own sources' coverage).
        let mut coverage: Vec<BucketCoverage> = Vec::new();
        for ((label, f), agg) in lines.iter().zip(&aggs) {
            let mut q = SeriesQuery::from_spec(&spec.series, f, &spec.distance_bands);
            q.by = by;
            let raw: Vec<RawLine> = self.group_lines(&q, agg, &starts, label.as_deref())?;
            let cov = self.bucket_coverage(f, &starts, spec.series.bucket).await?;
            out.extend(self.finish(&q, &raw, &starts, &cov).await?);
            if coverage.is_empty() {
                coverage = cov;
            } else {
                for (c, n) in coverage.iter_mut().zip(cov) {
                    if (n.status, n.share.unwrap_or(0.0)) > (c.status, c.share.unwrap_or(0.0)) {
                        *c = n;
                    }
                }
            }
        }
        Ok(SeriesFrame {
            bucket: spec.series.bucket,
            measure: spec.series.measure,
            starts,
            lines: out,
            coverage,
        })
    }

    /// Area rows (every gazetteer area, zeros included, plus any other code in the
    /// data) and the number of selected records with no area.
    async fn areas(
        &self,
        any: &[Filters],
        edges: &[f64],
        level: MapLevel,
        measure: Measure,
    ) -> Result<(AreaValues, u64), AnalysisError> {
        let mut rows: BTreeMap<String, AreaValue> = BTreeMap::new();
        if let Some(g) = &self.gazetteer {
            match level {
                MapLevel::Province => {
                    for p in g.provinces() {
                        rows.insert(p.code.clone(), zero_area(&p.code, &p.name));
                    }
                }
                MapLevel::District => {
                    for d in g.districts() {
                        rows.insert(d.name.clone(), zero_area(&d.name, &d.name));
                    }
                }
            }
        }
        let mut missing = 0;
        for a in self.snap.area_sums(any, edges, level).await? {
            let Some(code) = &a.code else {
                missing += a.sums.n;
                continue;
            };
            let row = rows
                .entry(code.clone())
                .or_insert_with(|| zero_area(code, a.name.as_deref().unwrap_or(code)));
            let s = a.sums;
            row.incidents = s.n;
            row.fatalities_low = Some(s.low);
            row.fatalities_best = Some(s.best);
            row.fatalities_high = (s.high_missing == 0).then_some(s.high);
            row.value = Some(s.value(measure)).filter(|v| v.is_finite());
        }
        Ok((
            AreaValues {
                level,
                rows: rows.into_values().collect(),
                coverage: BucketCoverage::default(),
            },
            missing,
        ))
    }

    /// Points of records with coordinates located precisely enough, and the counts of
    /// records without coordinates and of records too coarsely located.
    async fn points(
        &self,
        any: &[Filters],
        edges: &[f64],
        filters: &Filters,
        measure: Measure,
    ) -> Result<(Vec<MapPoint>, u64, u64), AnalysisError> {
        let max_prec = filters
            .coarsest_geo
            .map_or(MAP_POINT_PRECISION, |p| p.code());
        let pts = self
            .snap
            .located_records(any, edges, max_prec)
            .await?
            .into_iter()
            .map(|r| {
                let best = r.fatalities_best.or(r.fatalities_low).unwrap_or(0);
                let value = match measure {
                    Measure::Incidents => 1.0,
                    Measure::FatalitiesBest => best as f64,
                    Measure::FatalitiesLow => r.fatalities_low.unwrap_or(0) as f64,
                    Measure::FatalitiesHigh => r.fatalities_high.unwrap_or(best) as f64,
                    Measure::CivilianDeaths => r.civilian_deaths.unwrap_or(0) as f64,
                };
                let when = r.day.map(|d| d.to_string()).unwrap_or_default();
                MapPoint {
                    lat: r.lat,
                    lon: r.lon,
                    value,
                    label: format!(
                        "{} {when}: {best} killed (best estimate)",
                        r.place.as_deref().unwrap_or("?")
                    ),
                }
            })
            .collect();
        let no_coords = self
            .snap
            .count_where(any, edges, &[Condition::NoCoordinates])
            .await?;
        let coarse = self
            .snap
            .count_where(
                any,
                edges,
                &[
                    Condition::Coordinates,
                    Condition::GeoPrecisionAbove(max_prec),
                ],
            )
            .await?;
        Ok((pts, no_coords, coarse))
    }

    /// Records left out by a precision filter or, for distance analyses, for having no
    /// distance to a capital; counted within the rest of each line's filters.
    async fn precision_exclusions(
        &self,
        spec: &FigureSpec,
        lines: &[(Option<String>, Filters)],
    ) -> Result<Vec<(String, u64)>, AnalysisError> {
        let distance = spec.series.by == GroupBy::DistanceBand
            || lines.iter().any(|(_, f)| !f.distance_bands.is_empty());
        let c = self.compiler();
        let mut base = Vec::new();
        for (_, f) in lines {
            let mut f = c.canonical(f)?;
            f.coarsest_geo = None;
            f.coarsest_date = None;
            f.distance_bands.clear();
            base.push(f);
        }
        let edges = spec.distance_bands.as_slice();
        let count = |conditions: Vec<Condition>| {
            let base = &base;
            async move { self.snap.count_where(base, edges, &conditions).await }
        };
        let mut out = Vec::new();
        let geo = spec.filters.coarsest_geo.map(|p| p.code());
        if distance {
            use Condition::{GeoPrecisionAbove, GeoPrecisionBelow, NoCapitalDistance};
            if !self.has_column("capital_distance_km") {
                return Err(AnalysisError::MissingColumn {
                    column: "capital_distance_km".into(),
                    needed_for: "a distance analysis".into(),
                });
            }
            out.push((
                "located only to province or coarser (no distance to a capital)".to_string(),
                count(vec![GeoPrecisionAbove(3)]).await?,
            ));
            out.push((
                "no distance to a capital (no coordinates, or outside every province)".to_string(),
                count(vec![GeoPrecisionBelow(4), NoCapitalDistance]).await?,
            ));
            if let Some(n) = geo.filter(|n| *n < 3) {
                out.push((
                    format!("coarser than geo precision {n}"),
                    count(vec![GeoPrecisionAbove(n), GeoPrecisionBelow(4)]).await?,
                ));
            }
        } else if let Some(n) = geo {
            out.push((
                format!("coarser than geo precision {n}"),
                count(vec![Condition::GeoPrecisionAbove(n)]).await?,
            ));
        }
        if let Some(n) = spec.filters.coarsest_date.map(|p| p.code()) {
            out.push((
                format!("dated less precisely than date precision {n}"),
                count(vec![Condition::DatePrecisionAbove(n)]).await?,
            ));
        }
        Ok(out)
    }

    async fn provenance(
        &self,
        spec: &FigureSpec,
        lines: &[(Option<String>, Filters)],
        any: &[Filters],
        record_count: u64,
        excluded: Vec<(String, u64)>,
    ) -> Result<FigureProvenance, AnalysisError> {
        // Sources of the counted records; if none were counted, those the filters name
        // (or every source in the store).
        let mut names = self.snap.sources_of(any, &spec.distance_bands).await?;
        if names.is_empty() {
            names = spec.filters.sources.clone();
        }
        let mut batches: BTreeMap<String, (String, String)> = BTreeMap::new();
        for b in self.snap.batch_entries() {
            // The latest batch of a source wins.
            batches.insert(
                b.source.clone(),
                (b.committed_at.clone(), b.input.file.clone()),
            );
        }
        if names.is_empty() {
            names = batches.keys().cloned().collect();
        }
        let sources = names
            .iter()
            .map(|name| {
                let batch = batches.get(name);
                let at = batch
                    .and_then(|(at, _)| DateTime::parse_from_rfc3339(at).ok())
                    .map(|d| d.with_timezone(&Utc));
                SourceRef {
                    name: name.clone(),
                    citation: SourceRef::standard_citation(name, at.map(|d| d.date_naive())),
                    version: batch.and_then(|(_, file)| version_from_file(name, file)),
                    ingested_at: at,
                }
            })
            .collect();
        let mut filters = spec.filters.describe();
        for (label, f) in lines {
            if let Some(l) = label {
                filters.push_str(&format!(" | {l}: {}", f.describe()));
            }
        }
        let data_date = self
            .data_range(&spec.filters.sources)
            .await?
            .map(|(_, last)| last);
        let pc = self.filters_coverage(&spec.filters).await?;
        let coverage = pc.as_ref().map(|p| p.coverage);
        let coverage_note = pc.and_then(|p| p.note);
        Ok(FigureProvenance {
            sources,
            filters,
            record_count,
            excluded,
            data_date,
            coverage,
            coverage_note,
            generated_at: Some(Utc::now()),
        })
    }
}

fn zero_area(code: &str, name: &str) -> AreaValue {
    AreaValue {
        code: code.to_string(),
        name: name.to_string(),
        value: Some(0.0),
        incidents: 0,
        fatalities_low: Some(0),
        fatalities_best: Some(0),
        fatalities_high: Some(0),
    }
}

/// A dataset version read from the ingested file's name: UCDP GED files are named
/// `ged211…` (21.1) or `GEDEvent_v25_1…` (25.1). `None` when the name says nothing.
fn version_from_file(source: &str, file: &str) -> Option<String> {
    let base = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .to_ascii_lowercase();
    let s = source.to_ascii_lowercase();
    if !(s.contains("ucdp") || s.contains("ged") || base.contains("ged")) {
        return None;
    }
    let digits = |t: &str| -> Option<String> {
        let d: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        (d.len() == 3).then(|| format!("{}.{}", &d[..2], &d[2..]))
    };
    if let Some(i) = base.find("_v") {
        let rest: String = base[i + 2..].replace('_', "");
        if let Some(v) = digits(&rest) {
            return Some(v);
        }
    }
    base.find("ged").and_then(|i| digits(&base[i + 3..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_file_names() {
        assert_eq!(
            version_from_file("ucdp", "data/ucdp/ged211_afghanistan_subset.csv").as_deref(),
            Some("21.1")
        );
        assert_eq!(
            version_from_file("ucdp-ged251", "GEDEvent_v25_1.csv").as_deref(),
            Some("25.1")
        );
        assert_eq!(version_from_file("acled", "export.csv"), None);
    }
}
