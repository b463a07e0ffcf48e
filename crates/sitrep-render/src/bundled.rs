//! What sitrep ships compiled in: the figure specs of the Crisis Group report
//! (`specs/fig1.toml` … `fig7.toml`), the example report over the bundled data
//! (`specs/reports/bundled.toml`) and the Afghan province outlines (geoBoundaries
//! ADM1). The CLI and the server both read them from here, so a spec name means the
//! same figure everywhere.

use crate::{MapGeometry, RenderError};
use sitrep_model::figure::{FigureSpec, ReportSpec};

/// The bundled figure specs, `(id, TOML text)`, in the report's order.
pub const FIGURES: [(&str, &str); 7] = [
    ("fig1", include_str!("../../../specs/fig1.toml")),
    ("fig2", include_str!("../../../specs/fig2.toml")),
    ("fig3", include_str!("../../../specs/fig3.toml")),
    ("fig4", include_str!("../../../specs/fig4.toml")),
    ("fig5", include_str!("../../../specs/fig5.toml")),
    ("fig6", include_str!("../../../specs/fig6.toml")),
    ("fig7", include_str!("../../../specs/fig7.toml")),
];

/// The example report over the bundled 1989–2020 data.
pub const REPORT: &str = include_str!("../../../specs/reports/bundled.toml");

/// Province outlines of Afghanistan (geoBoundaries ADM1, CC BY 4.0; see
/// `data/geo/README.md`).
pub const AFG_PROVINCES_GEOJSON: &str =
    include_str!("../../../data/geo/afg_adm1_provinces.geojson");

/// The ids of the bundled figure specs.
pub fn figure_ids() -> Vec<&'static str> {
    FIGURES.iter().map(|(id, _)| *id).collect()
}

/// The bundled figure spec `id`, parsed; `None` for an unknown id.
pub fn figure(id: &str) -> Option<Result<FigureSpec, String>> {
    FIGURES
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| FigureSpec::from_toml_str(text).map_err(|e| e.to_string()))
}

/// The bundled report spec, parsed.
pub fn report() -> Result<ReportSpec, String> {
    ReportSpec::from_toml_str(REPORT).map_err(|e| e.to_string())
}

/// The province outlines, each area's code replaced by what `code_for(name, code)`
/// returns when it returns something. geoBoundaries' codes differ from ISO 3166-2 for
/// some provinces (Badakhshan is `AF-BDN` there, `AF-BDS` in ISO): pass the
/// gazetteer's lookup so outlines carry the codes incidents carry.
pub fn afghanistan_provinces(
    code_for: impl Fn(&str, &str) -> Option<String>,
) -> Result<MapGeometry, RenderError> {
    let mut geo = MapGeometry::from_geojson(AFG_PROVINCES_GEOJSON, "shapeISO", "shapeName")?;
    for area in &mut geo.areas {
        if let Some(code) = code_for(&area.name, &area.code) {
            area.code = code;
        }
    }
    Ok(geo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_spec_parses_and_ids_match() {
        for (id, _) in FIGURES {
            let spec = figure(id).expect("listed").expect("parses");
            assert_eq!(spec.id, id, "spec file {id}.toml declares id {}", spec.id);
        }
        assert!(figure("fig99").is_none());
        let r = report().expect("report parses");
        for s in &r.sections {
            for f in &s.figures {
                assert!(figure(f).is_some(), "report names unknown figure {f}");
            }
        }
    }

    #[test]
    fn recoding_replaces_codes() {
        let geo =
            afghanistan_provinces(|name, _| (name == "Badakhshan").then(|| "AF-BDS".to_string()))
                .unwrap();
        assert_eq!(geo.areas.len(), 34);
        assert!(geo.areas.iter().any(|a| a.code == "AF-BDS"));
        assert!(!geo.areas.iter().any(|a| a.code == "AF-BDN"));
    }
}
