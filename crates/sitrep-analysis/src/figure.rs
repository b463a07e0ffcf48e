//! Figure data: everything a [`FigureSpec`] asks for, with its provenance.

use crate::engine::{Analysis, RawLine, SeriesQuery};
use crate::sql::{dates, floats, ints, strings};
use crate::AnalysisError;
use chrono::{DateTime, Utc};
use sitrep_model::figure::{
    AreaValue, AreaValues, ChartBreak, FigureData, FigureKind, FigureProvenance, FigureSpec,
    Filters, GroupBy, MapLevel, MapPoint, Measure, SeriesFrame, SourceRef,
};
use sitrep_model::BucketCoverage;
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
        let c = self.compiler(edges);
        let preds = lines
            .iter()
            .map(|(_, f)| c.predicate(f, true))
            .collect::<Result<Vec<_>, _>>()?;
        let any = format!("(({}))", preds.join(") OR ("));
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
                let (mut areas, missing) = self.areas(&any, map.level, spec.series.measure).await?;
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
                let (pts, no_coords, coarse) = self.points(&any, &spec.filters, m).await?;
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
        let record_count = self.count(&any).await?;
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
        pred: &str,
        level: MapLevel,
        measure: Measure,
    ) -> Result<(AreaValues, u64), AnalysisError> {
        let (key, name, what) = match level {
            MapLevel::Province => ("province_code", "province_name", "a province map"),
            MapLevel::District => ("district", "district", "a district map"),
        };
        let c = self.compiler(&[]);
        c.need(key, what)?;
        c.need(name, what)?;
        let sql = format!(
            "SELECT {key}, MIN({name}), COUNT(*), {fatalities}, \
             SUM(COALESCE(civilian_deaths, 0)) \
             FROM incidents WHERE {pred} GROUP BY {key}",
            fatalities = sitrep_store::query::fatality_sums(sitrep_store::query::Table::Incidents),
        );
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
        for b in self.run(&sql).await? {
            let codes = strings(&b, 0);
            let names = strings(&b, 1);
            let n: Vec<Vec<Option<i64>>> = (2..8).map(|i| ints(&b, i)).collect();
            for r in 0..b.num_rows() {
                let v = |i: usize| n[i][r].unwrap_or(0).max(0) as u64;
                let Some(code) = &codes[r] else {
                    missing += v(0);
                    continue;
                };
                let row = rows
                    .entry(code.clone())
                    .or_insert_with(|| zero_area(code, names[r].as_deref().unwrap_or(code)));
                row.incidents = v(0);
                row.fatalities_low = Some(v(1));
                row.fatalities_best = Some(v(2));
                row.fatalities_high = (v(4) == 0).then_some(v(3));
                row.value = Some(match measure {
                    Measure::Incidents => v(0) as f64,
                    Measure::FatalitiesLow => v(1) as f64,
                    Measure::FatalitiesBest => v(2) as f64,
                    Measure::FatalitiesHigh => row.fatalities_high.map_or(f64::NAN, |h| h as f64),
                    Measure::CivilianDeaths => v(5) as f64,
                })
                .filter(|v| v.is_finite());
            }
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
        pred: &str,
        filters: &Filters,
        measure: Measure,
    ) -> Result<(Vec<MapPoint>, u64, u64), AnalysisError> {
        let max_prec = filters
            .coarsest_geo
            .map_or(MAP_POINT_PRECISION, |p| p.code());
        let place = if self.has_column("province_name") {
            "COALESCE(province_name, admin1, country)"
        } else {
            "COALESCE(admin1, country)"
        };
        let sql = format!(
            "SELECT latitude, longitude, date_start, {place}, \
             COALESCE(fatalities_best, fatalities_low, 0), COALESCE(fatalities_low, 0), \
             fatalities_high, COALESCE(civilian_deaths, 0), record_id \
             FROM incidents WHERE {pred} AND latitude IS NOT NULL AND longitude IS NOT NULL \
             AND geo_precision <= {max_prec} ORDER BY date_start, record_id"
        );
        let mut pts = Vec::new();
        for b in self.run(&sql).await? {
            let (lat, lon, day, place) =
                (floats(&b, 0), floats(&b, 1), dates(&b, 2), strings(&b, 3));
            let (best, low, high, civ) = (ints(&b, 4), ints(&b, 5), ints(&b, 6), ints(&b, 7));
            for r in 0..b.num_rows() {
                let (Some(la), Some(lo)) = (lat[r], lon[r]) else {
                    continue;
                };
                let best = best[r].unwrap_or(0);
                let value = match measure {
                    Measure::Incidents => 1.0,
                    Measure::FatalitiesBest => best as f64,
                    Measure::FatalitiesLow => low[r].unwrap_or(0) as f64,
                    Measure::FatalitiesHigh => high[r].unwrap_or(best) as f64,
                    Measure::CivilianDeaths => civ[r].unwrap_or(0) as f64,
                };
                let when = day[r].map(|d| d.to_string()).unwrap_or_default();
                let label = format!(
                    "{} {when}: {best} killed (best estimate)",
                    place[r].as_deref().unwrap_or("?")
                );
                pts.push(MapPoint {
                    lat: la,
                    lon: lo,
                    value,
                    label,
                });
            }
        }
        let no_coords = self
            .count(&format!(
                "{pred} AND (latitude IS NULL OR longitude IS NULL)"
            ))
            .await?;
        let coarse = self
            .count(&format!(
                "{pred} AND latitude IS NOT NULL AND longitude IS NOT NULL AND geo_precision > {max_prec}"
            ))
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
        let c = self.compiler(&spec.distance_bands);
        let mut base = Vec::new();
        for (_, f) in lines {
            let mut f = f.clone();
            f.coarsest_geo = None;
            f.coarsest_date = None;
            f.distance_bands.clear();
            base.push(c.predicate(&f, true)?);
        }
        let base = format!("(({}))", base.join(") OR ("));
        let mut out = Vec::new();
        let geo = spec.filters.coarsest_geo.map(|p| p.code());
        if distance {
            c.need("capital_distance_km", "a distance analysis")?;
            out.push((
                "located only to province or coarser (no distance to a capital)".to_string(),
                self.count(&format!("{base} AND geo_precision >= 4"))
                    .await?,
            ));
            out.push((
                "no distance to a capital (no coordinates, or outside every province)".to_string(),
                self.count(&format!(
                    "{base} AND geo_precision < 4 AND capital_distance_km IS NULL"
                ))
                .await?,
            ));
            if let Some(n) = geo.filter(|n| *n < 3) {
                out.push((
                    format!("coarser than geo precision {n}"),
                    self.count(&format!(
                        "{base} AND geo_precision > {n} AND geo_precision < 4"
                    ))
                    .await?,
                ));
            }
        } else if let Some(n) = geo {
            out.push((
                format!("coarser than geo precision {n}"),
                self.count(&format!("{base} AND geo_precision > {n}"))
                    .await?,
            ));
        }
        if let Some(n) = spec.filters.coarsest_date.map(|p| p.code()) {
            out.push((
                format!("dated less precisely than date precision {n}"),
                self.count(&format!("{base} AND date_precision > {n}"))
                    .await?,
            ));
        }
        Ok(out)
    }

    async fn provenance(
        &self,
        spec: &FigureSpec,
        lines: &[(Option<String>, Filters)],
        pred: &str,
        record_count: u64,
        excluded: Vec<(String, u64)>,
    ) -> Result<FigureProvenance, AnalysisError> {
        // Sources of the counted records; if none were counted, those the filters name
        // (or every source in the store).
        let mut names: Vec<String> = Vec::new();
        for b in self
            .run(&format!(
                "SELECT DISTINCT source FROM incidents WHERE {pred} ORDER BY source"
            ))
            .await?
        {
            names.extend(strings(&b, 0).into_iter().flatten());
        }
        if names.is_empty() {
            names = spec.filters.sources.clone();
        }
        let mut batches: BTreeMap<String, (String, String)> = BTreeMap::new();
        for b in self
            .run("SELECT source, committed_at, file FROM batches ORDER BY batch")
            .await?
        {
            for ((s, at), file) in strings(&b, 0)
                .into_iter()
                .zip(strings(&b, 1))
                .zip(strings(&b, 2))
            {
                if let (Some(s), Some(at), Some(file)) = (s, at, file) {
                    batches.insert(s, (at, file)); // the latest batch wins
                }
            }
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
