//! Maps: area outlines from GeoJSON, choropleths with classed breaks, points sized by
//! value. Equirectangular projection scaled by cos(mean latitude), which is accurate
//! enough for a country the size of Afghanistan and needs no projection library.

use crate::chart::fmt_value;
use crate::layout::{footer, header, swatch, Swatch, PAD};
use crate::svg::{esc, n, text_width, Anchor, Font, Svg};
use crate::RenderError;
use geojson::{GeoJson, GeometryValue};
use sitrep_model::figure::{
    Breaks, FigureData, FigureKind, FigureSpec, MapPoint, MapSpec, Measure,
};
use std::collections::HashMap;
use std::fmt::Write;

/// One area (province, district): code, name and outline rings in lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct MapArea {
    /// Code, normalised to ISO 3166-2 form (`AF-KAB`: upper case, `-` separator).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Outer rings and holes alike, each a list of (lon, lat); drawn with the
    /// even-odd rule, so holes need no marking.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// Area outlines for maps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapGeometry {
    /// The areas, in file order.
    pub areas: Vec<MapArea>,
}

/// Normalises an area code: trimmed, upper case, `_` → `-` (geoBoundaries writes
/// Kandahar as `AF_KAN`; ISO 3166-2 uses `-`).
pub fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase().replace('_', "-")
}

impl MapGeometry {
    /// Reads a GeoJSON FeatureCollection of Polygon / MultiPolygon features, taking
    /// each area's code and name from the given properties (for geoBoundaries files:
    /// `shapeISO` and `shapeName`). A feature without a code falls back to the name.
    pub fn from_geojson(
        text: &str,
        code_property: &str,
        name_property: &str,
    ) -> Result<MapGeometry, RenderError> {
        let gj: GeoJson = text
            .parse()
            .map_err(|e: geojson::Error| RenderError::GeoJson(e.to_string()))?;
        let features = match gj {
            GeoJson::FeatureCollection(fc) => fc.features,
            GeoJson::Feature(f) => vec![f],
            GeoJson::Geometry(_) => return Err(RenderError::GeoJson(
                "expected a FeatureCollection with code and name properties, found a bare geometry"
                    .into(),
            )),
        };
        let mut areas = Vec::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let prop = |key: &str| -> Option<String> {
                let v = f.properties.as_ref()?.get(key)?;
                let s = match v.as_str() {
                    Some(s) => s.to_string(),
                    None => v.to_string(),
                };
                (!s.trim().is_empty()).then_some(s)
            };
            let name = prop(name_property).ok_or_else(|| RenderError::GeometryProperty {
                feature: i,
                property: name_property.to_string(),
            })?;
            let code = prop(code_property)
                .map(|c| normalise_code(&c))
                .unwrap_or_else(|| name.clone());
            let mut rings = Vec::new();
            if let Some(g) = &f.geometry {
                collect_rings(&g.value, &mut rings);
            }
            if rings.is_empty() {
                return Err(RenderError::GeoJson(format!(
                    "feature {i} ({name}) has no polygon geometry"
                )));
            }
            areas.push(MapArea { code, name, rings });
        }
        Ok(MapGeometry { areas })
    }

    /// (min lon, min lat, max lon, max lat) of every ring.
    pub fn bbox(&self) -> Option<(f64, f64, f64, f64)> {
        bbox(
            self.areas
                .iter()
                .flat_map(|a| a.rings.iter().flatten().copied()),
        )
    }
}

fn collect_rings(g: &GeometryValue, out: &mut Vec<Vec<(f64, f64)>>) {
    let ring = |r: &Vec<geojson::Position>| -> Vec<(f64, f64)> {
        r.iter()
            .filter(|p| p.len() >= 2)
            .map(|p| (p[0], p[1]))
            .collect()
    };
    match g {
        GeometryValue::Polygon { coordinates } => out.extend(coordinates.iter().map(ring)),
        GeometryValue::MultiPolygon { coordinates } => {
            out.extend(coordinates.iter().flat_map(|poly| poly.iter().map(ring)))
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                collect_rings(&g.value, out);
            }
        }
        _ => {}
    }
}

fn bbox(points: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64, f64, f64)> {
    let mut b: Option<(f64, f64, f64, f64)> = None;
    for (x, y) in points {
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        b = Some(match b {
            None => (x, y, x, y),
            Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
        });
    }
    b
}

/// Sequential colours (ColorBrewer YlOrRd, 9 classes).
const SEQ: [&str; 9] = [
    "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
    "#800026",
];

/// Colours for `k` classes, light to dark.
pub fn class_colours(k: usize) -> Vec<&'static str> {
    if k <= 1 {
        return vec![SEQ[4]];
    }
    (0..k)
        .map(|i| SEQ[(i * 8 + (k - 1) / 2) / (k - 1)])
        .collect()
}

/// Upper bounds of the classes (ascending, the last is the maximum, duplicates
/// removed). A value belongs to the first class whose bound it does not exceed.
pub fn class_breaks(values: &[f64], map: &MapSpec) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let Some(&max) = v.last() else {
        return Vec::new();
    };
    let min = v[0];
    let k = map.classes.max(1);
    let mut b: Vec<f64> = match map.breaks {
        Breaks::Quantile => (1..=k)
            .map(|i| v[(i * v.len()).div_ceil(k).max(1) - 1])
            .collect(),
        Breaks::Equal => (1..=k)
            .map(|i| min + (max - min) * i as f64 / k as f64)
            .collect(),
        Breaks::JenksLite => jenks(&v, k),
        Breaks::Manual => {
            let mut m = map.manual_breaks.clone();
            m.push(max.max(*map.manual_breaks.last().unwrap_or(&max)));
            m
        }
    };
    if let Some(last) = b.last_mut() {
        *last = last.max(max);
    }
    b.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    b
}

/// Fisher–Jenks natural breaks by dynamic programming, O(k·n²): fine for ~400
/// districts; larger inputs are sampled down to 1000 sorted values first.
fn jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    let v: Vec<f64> = if sorted.len() > 1000 {
        (0..1000)
            .map(|i| sorted[i * (sorted.len() - 1) / 999])
            .collect()
    } else {
        sorted.to_vec()
    };
    let nv = v.len();
    let k = k.min(nv).max(1);
    // Prefix sums for within-class squared deviation of v[i..j].
    let mut s1 = vec![0.0; nv + 1];
    let mut s2 = vec![0.0; nv + 1];
    for (i, x) in v.iter().enumerate() {
        s1[i + 1] = s1[i] + x;
        s2[i + 1] = s2[i] + x * x;
    }
    let ssd = |i: usize, j: usize| {
        let (s, q, m) = (s1[j] - s1[i], s2[j] - s2[i], (j - i) as f64);
        q - s * s / m
    };
    // cost[c][j]: best cost of splitting v[..j] into c+1 classes; cut[c][j]: start of the last.
    let mut cost = vec![vec![f64::INFINITY; nv + 1]; k];
    let mut cut = vec![vec![0usize; nv + 1]; k];
    for (j, c) in cost[0].iter_mut().enumerate().skip(1) {
        *c = ssd(0, j);
    }
    for c in 1..k {
        for j in (c + 1)..=nv {
            for i in c..j {
                let cand = cost[c - 1][i] + ssd(i, j);
                if cand < cost[c][j] {
                    cost[c][j] = cand;
                    cut[c][j] = i;
                }
            }
        }
    }
    let mut bounds = Vec::with_capacity(k);
    let mut j = nv;
    for c in (0..k).rev() {
        bounds.push(v[j - 1]);
        if c > 0 {
            j = cut[c][j];
        }
    }
    bounds.reverse();
    bounds
}

/// Fill of an area with no value: "no data", distinct from every class colour.
pub const NO_DATA: &str = "#d4d4d4";

/// The class of a value given upper bounds.
pub fn class_of(v: f64, bounds: &[f64]) -> usize {
    bounds
        .iter()
        .position(|b| v <= *b + 1e-12)
        .unwrap_or(bounds.len().saturating_sub(1))
}

/// Legend labels for classes: integer data gets `0`, `1–3`, `4–10`; other data `0.5–1.2`.
pub fn class_labels(bounds: &[f64], min: f64, integers: bool, manual: bool) -> Vec<String> {
    let f = |v: f64| {
        if integers {
            format!("{}", v.round() as i64)
        } else {
            trim_num(v)
        }
    };
    let mut out = Vec::new();
    let mut lower = min;
    for (i, b) in bounds.iter().enumerate() {
        let last = i + 1 == bounds.len();
        let label = if manual && last && i > 0 {
            format!("> {}", f(bounds[i - 1]))
        } else if (b - lower).abs() < 1e-12 {
            f(*b)
        } else {
            format!("{}–{}", f(lower), f(*b))
        };
        out.push(label);
        lower = if integers { b.floor() + 1.0 } else { *b };
    }
    out
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Projection from lon/lat to the map box.
struct Proj {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Proj {
    fn new(b: (f64, f64, f64, f64), x0: f64, y0: f64, w: f64, h: f64) -> Proj {
        let (lon0, lat0, lon1, lat1) = b;
        let kx = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
        let dx = ((lon1 - lon0) * kx).max(1e-6);
        let dy = (lat1 - lat0).max(1e-6);
        let scale = (w / dx).min(h / dy);
        let ox = x0 + (w - dx * scale) / 2.0;
        let oy = y0 + (h - dy * scale) / 2.0;
        Proj {
            lon0,
            lat1,
            kx,
            scale,
            ox,
            oy,
        }
    }
    fn p(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.ox + (lon - self.lon0) * self.kx * self.scale,
            self.oy + (self.lat1 - lat) * self.scale,
        )
    }
}

/// SVG path data for rings, dropping vertices closer than half a pixel to the last
/// kept one (keeps district maps small).
fn ring_path(rings: &[Vec<(f64, f64)>], proj: &Proj) -> String {
    let mut d = String::new();
    for ring in rings {
        let mut last: Option<(f64, f64)> = None;
        let mut count = 0;
        for (i, (lon, lat)) in ring.iter().enumerate() {
            let (x, y) = proj.p(*lon, *lat);
            let is_last = i + 1 == ring.len();
            if let Some((lx, ly)) = last {
                if !is_last && (x - lx).abs() < 0.5 && (y - ly).abs() < 0.5 {
                    continue;
                }
            }
            let _ = write!(d, "{}{} {}", if count == 0 { "M" } else { "L" }, n(x), n(y));
            last = Some((x, y));
            count += 1;
        }
        if count > 0 {
            d.push('Z');
        }
    }
    d
}

/// A label point for an area: the mean vertex of its largest ring.
fn label_point(area: &MapArea) -> Option<(f64, f64)> {
    let ring = area.rings.iter().max_by_key(|r| r.len())?;
    let k = ring.len() as f64;
    Some((
        ring.iter().map(|p| p.0).sum::<f64>() / k,
        ring.iter().map(|p| p.1).sum::<f64>() / k,
    ))
}

/// Draws a choropleth or point map; each area whose code `link` maps to a URL is
/// drawn inside `<a href="…">`.
pub fn render(
    spec: &FigureSpec,
    data: &FigureData,
    geometry: Option<&MapGeometry>,
    link: Option<crate::AreaLink<'_>>,
) -> Result<String, RenderError> {
    let map = spec.map_or_default();
    let shade = spec.kind == FigureKind::Choropleth || map.shade;
    if spec.kind == FigureKind::Choropleth && geometry.is_none() {
        return Err(RenderError::MissingGeometry {
            figure: spec.id.clone(),
        });
    }
    if shade && data.areas.is_none() {
        return Err(RenderError::MissingData {
            figure: spec.id.clone(),
            needed: "areas",
        });
    }
    let (w, h) = (spec.width as f64, spec.height as f64);
    let measure_name = data
        .series
        .as_ref()
        .map(|s| s.measure)
        .unwrap_or(spec.series.measure)
        .human();
    let point_measure = map.points.unwrap_or(Measure::FatalitiesBest).human();
    // A choropleth shows points only when the spec asks for them (`map.points`).
    let points: &[MapPoint] = if spec.kind == FigureKind::Points || map.points.is_some() {
        &data.points
    } else {
        &[]
    };
    let desc = format!(
        "map of {} by {}",
        measure_name.to_lowercase(),
        map.level.as_str()
    );
    let mut svg = Svg::new(&spec.id, w, h, &spec.title, &desc);
    let top = header(
        &mut svg,
        spec,
        &data.comparisons,
        &[],
        data.provenance.coverage_note.as_deref(),
    ) + 6.0;
    let bottom = footer(&mut svg, spec, &data.provenance) - 4.0;

    let legend_w = 190.0;
    let (mx0, mx1) = (PAD, w - PAD - legend_w);
    let b = geometry
        .and_then(MapGeometry::bbox)
        .or_else(|| bbox(points.iter().map(|p| (p.lon, p.lat))))
        .unwrap_or((60.0, 29.0, 75.0, 39.0));
    let proj = Proj::new(b, mx0, top, mx1 - mx0, bottom - top);

    // Values by normalised code.
    let values: HashMap<String, &sitrep_model::figure::AreaValue> = data
        .areas
        .iter()
        .flat_map(|a| a.rows.iter())
        .map(|r| (normalise_code(&r.code), r))
        .collect();
    // Areas without a value ("no data": the period is not covered, or an unknown
    // high) are left out of the classes: they are grey, never the 0 class.
    let area_values: Vec<f64> = data
        .areas
        .iter()
        .flat_map(|a| a.rows.iter().filter_map(|r| r.value))
        .collect();
    let uncovered = data
        .areas
        .as_ref()
        .is_some_and(|a| !a.coverage.is_covered() && a.coverage.days > 0);
    let bounds = if shade && geometry.is_some() {
        class_breaks(&area_values, &map)
    } else {
        Vec::new()
    };
    let colours = class_colours(bounds.len());

    let stroke = if map.level == sitrep_model::figure::MapLevel::District {
        "0.3"
    } else {
        "0.7"
    };
    svg.raw("\n<g class=\"areas\">");
    let mut missing = false;
    if let Some(geo) = geometry {
        for area in &geo.areas {
            let d = ring_path(&area.rings, &proj);
            let row = values.get(&normalise_code(&area.code));
            let (fill, title, value_attr) = match (shade, row) {
                // No coverage, or the summed high where a record gives none: shown as
                // "no data" / unknown, never as a class.
                (_, Some(r)) if r.value.is_none() => {
                    missing |= shade;
                    let why = if uncovered {
                        "no data (no selected source covers this period)"
                    } else {
                        "unknown (a record gives no high estimate)"
                    };
                    (
                        if shade { NO_DATA } else { "#f1f1f1" },
                        format!("{}: {why}", area.name),
                        r#" class="no-data""#.to_string(),
                    )
                }
                (true, Some(r)) => {
                    let v = r.value.unwrap_or_default();
                    let c = colours[class_of(v, &bounds)];
                    let t = format!(
                        "{}: {} {}",
                        area.name,
                        fmt_value(v),
                        measure_name.to_lowercase()
                    );
                    (c, t, format!(r#" data-value="{v}""#))
                }
                (true, None) => {
                    missing = true;
                    (
                        NO_DATA,
                        format!("{}: no data", area.name),
                        r#" class="no-data""#.to_string(),
                    )
                }
                (false, Some(r)) => (
                    "#f1f1f1",
                    format!(
                        "{}: {} {}",
                        area.name,
                        r.value.map_or_else(|| "no data".to_string(), fmt_value),
                        measure_name.to_lowercase()
                    ),
                    String::new(),
                ),
                (false, None) => ("#f1f1f1", area.name.clone(), String::new()),
            };
            let line_colour = if shade { "#ffffff" } else { "#9a9a9a" };
            let href = link.and_then(|l| l(&area.code));
            if let Some(href) = &href {
                svg.raw(&format!("\n<a href=\"{}\">", esc(href)));
            }
            svg.path(
                &d,
                &format!(
                    r#" data-code="{}"{value_attr} fill="{fill}" stroke="{line_colour}" stroke-width="{stroke}" fill-rule="evenodd""#,
                    esc(&area.code)
                ),
                Some(&title),
            );
            if href.is_some() {
                svg.raw("</a>");
            }
        }
        // A darker outline of the whole country on top of the white borders.
        if shade {
            let d: String = geo
                .areas
                .iter()
                .map(|a| ring_path(&a.rings, &proj))
                .collect();
            svg.path(
                &d,
                r##" fill="none" stroke="#8c8c8c" stroke-width="0.4" pointer-events="none""##,
                None,
            );
        }
    }
    svg.raw("\n</g>");

    // Points, largest first so small ones stay visible on top.
    let pmax = points
        .iter()
        .map(|p| p.value)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let rmax = ((mx1 - mx0).min(bottom - top) / 22.0).clamp(8.0, 22.0);
    let radius = |v: f64| {
        if pmax > 0.0 {
            (rmax * (v.max(0.0) / pmax).sqrt()).max(1.8)
        } else {
            2.5
        }
    };
    if !points.is_empty() {
        let mut pts: Vec<_> = points
            .iter()
            .filter(|p| p.lat.is_finite() && p.lon.is_finite())
            .collect();
        pts.sort_by(|a, b| b.value.total_cmp(&a.value));
        svg.raw("\n<g class=\"points\">");
        for p in pts {
            let (x, y) = proj.p(p.lon, p.lat);
            let _ = write!(
                svg.out,
                "\n<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#b2182b\" fill-opacity=\"0.5\" stroke=\"#67001f\" stroke-width=\"0.6\"><title>{}</title></circle>",
                n(x),
                n(y),
                n(radius(p.value)),
                esc(&format!("{}: {} {}", p.label, fmt_value(p.value), point_measure.to_lowercase()))
            );
        }
        svg.raw("\n</g>");
    }

    // Names of the five areas with the highest values.
    if let (true, Some(geo)) = (shade, geometry) {
        let mut ranked: Vec<(&MapArea, f64)> = geo
            .areas
            .iter()
            .filter_map(|a| {
                values
                    .get(&normalise_code(&a.code))
                    .and_then(|r| r.value.map(|v| (a, v)))
            })
            .filter(|(_, v)| *v > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        svg.raw("\n<g class=\"labels\">");
        for (area, _) in ranked.iter().take(5) {
            if let Some((lon, lat)) = label_point(area) {
                let (x, y) = proj.p(lon, lat);
                svg.text(
                    x,
                    y + 4.0,
                    Font::new(10.5)
                        .bold()
                        .fill("#222")
                        .anchor(Anchor::Middle)
                        .halo(),
                    &area.name,
                );
            }
        }
        svg.raw("\n</g>");
    }

    // Legend on the right.
    let lx = w - PAD - legend_w + 14.0;
    let mut ly = top + 10.0;
    svg.raw("\n<g class=\"legend\">");
    if shade && (!bounds.is_empty() || missing) {
        svg.text(lx, ly, Font::new(12.0).bold(), measure_name);
        ly += 6.0;
        let min = area_values.iter().copied().fold(f64::INFINITY, f64::min);
        let integers = area_values.iter().all(|v| v.fract() == 0.0);
        let labels = class_labels(&bounds, min, integers, map.breaks == Breaks::Manual);
        for (c, label) in colours.iter().zip(&labels) {
            ly += 20.0;
            svg.rect(
                lx,
                ly - 11.0,
                22.0,
                14.0,
                c,
                r##" stroke="#999" stroke-width="0.5""##,
            );
            svg.text(lx + 30.0, ly, Font::new(12.0), label);
        }
        if missing {
            ly += 20.0;
            svg.rect(
                lx,
                ly - 11.0,
                22.0,
                14.0,
                NO_DATA,
                r##" stroke="#999" stroke-width="0.5" class="legend-no-data""##,
            );
            let label = if uncovered {
                "No data (not covered)"
            } else {
                "No data"
            };
            svg.text(lx + 30.0, ly, Font::new(12.0), label);
        }
        let how = match map.breaks {
            Breaks::Quantile => "quantile classes",
            Breaks::Equal => "equal-interval classes",
            Breaks::JenksLite => "natural-break classes",
            Breaks::Manual => "fixed classes",
        };
        ly += 18.0;
        svg.text(lx, ly, Font::new(10.5).fill("#666"), how);
        ly += 20.0;
    }
    if !points.is_empty() && pmax > 0.0 {
        ly += 8.0;
        for line in crate::svg::wrap(point_measure, 12.0, legend_w - 20.0) {
            svg.text(lx, ly, Font::new(12.0).bold(), &line);
            ly += 15.0;
        }
        let refs = [pmax, pmax / 4.0, pmax / 16.0];
        for v in refs {
            let r = radius(v);
            ly += r.max(6.0) + 4.0;
            swatch(&mut svg, &Swatch::Circle(r), lx + rmax - 8.0, ly);
            svg.text(
                lx + 2.0 * rmax + 10.0,
                ly + 4.0,
                Font::new(12.0),
                &round_ref(v),
            );
            ly += r.max(6.0);
        }
        let _ = text_width;
    }
    svg.raw("\n</g>");
    Ok(svg.finish())
}

/// A reference value for the size legend, rounded to two significant digits.
fn round_ref(v: f64) -> String {
    if v >= 10.0 {
        let mag = 10f64.powf(v.log10().floor() - 1.0);
        format!("{}", ((v / mag).round() * mag) as i64)
    } else {
        trim_num(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks() {
        let v = [0.0, 0.0, 1.0, 2.0, 3.0, 10.0, 12.0, 50.0, 51.0, 52.0];
        let q = class_breaks(
            &v,
            &MapSpec {
                classes: 5,
                ..MapSpec::default()
            },
        );
        assert_eq!(q, [0.0, 2.0, 10.0, 50.0, 52.0]);
        let e = class_breaks(
            &v,
            &MapSpec {
                classes: 4,
                breaks: Breaks::Equal,
                ..MapSpec::default()
            },
        );
        assert_eq!(e, [13.0, 26.0, 39.0, 52.0]);
        let j = class_breaks(
            &v,
            &MapSpec {
                classes: 3,
                breaks: Breaks::JenksLite,
                ..MapSpec::default()
            },
        );
        assert_eq!(j, [3.0, 12.0, 52.0]);
        let m = class_breaks(
            &v,
            &MapSpec {
                breaks: Breaks::Manual,
                manual_breaks: vec![5.0, 20.0],
                ..MapSpec::default()
            },
        );
        assert_eq!(m, [5.0, 20.0, 52.0]);
        assert_eq!(class_of(0.0, &q), 0);
        assert_eq!(class_of(2.5, &q), 2);
        assert_eq!(class_of(99.0, &q), 4);
        assert_eq!(
            class_labels(&q, 0.0, true, false),
            ["0", "1–2", "3–10", "11–50", "51–52"]
        );
        assert_eq!(class_labels(&m, 0.0, true, true), ["0–5", "6–20", "> 20"]);
        assert_eq!(
            class_colours(5),
            ["#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026"]
        );
    }
}
