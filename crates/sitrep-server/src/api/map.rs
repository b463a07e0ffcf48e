//! `GET /api/v1/map/provinces`: counts and fatalities per province, every province
//! of the gazetteer present (zeros included), plus the records with no province.

use super::{csv, json, Counts};
use crate::error::ApiError;
use crate::params::{Filters, FiltersExt, Format, Params};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;

sitrep_model::answer_struct! {
    /// One province's numbers.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct ProvinceCounts {
        /// ISO 3166-2 code.
        pub code: String,
        /// Name.
        pub name: String,
        /// Region.
        pub region: Option<String>,
        /// Counts.
        #[serde(flatten)]
        pub counts: Counts,
    }
}

/// Per-province counts (gazetteer order) and the unlocated remainder.
pub(crate) async fn provinces(
    state: &AppState,
    f: &Filters,
) -> Result<(Vec<ProvinceCounts>, Counts), ApiError> {
    let mut by_code: HashMap<Option<String>, Counts> = state
        .reads()
        .await?
        .counts_by_province(f)
        .await?
        .into_iter()
        .map(|p| (p.place, p.counts))
        .collect();
    let out = sitrep_resolve::views::place_list(state.resolver().gazetteer())
        .into_iter()
        .map(|p| ProvinceCounts {
            counts: by_code.remove(&Some(p.code.clone())).unwrap_or_default(),
            code: p.code,
            name: p.name,
            region: p.region,
        })
        .collect();
    // Codes the gazetteer does not know cannot occur (enrichment writes its codes),
    // so everything left is the no-province group.
    let mut unlocated = Counts::default();
    for c in by_code.into_values() {
        unlocated += c;
    }
    Ok((out, unlocated))
}

/// `GET /api/v1/map/provinces?format=json|csv&…filters`.
pub async fn provinces_index(
    State(state): State<AppState>,
    p: Params,
) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let format = Format::parse(&p, &crate::params::FORMAT_TABLE)?;
    let (rows, unlocated) = provinces(&state, &f).await?;
    if format == Format::Csv {
        let mut out = String::from(
            "code,name,region,incidents,fatalities_low,fatalities_best,fatalities_high,fatalities_unknown\n",
        );
        for r in &rows {
            let c = r.counts;
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.code,
                r.name.replace(',', " "),
                r.region.as_deref().unwrap_or("").replace(',', " "),
                c.incidents,
                c.fatalities_low,
                c.fatalities_best,
                c.high_cell(),
                c.fatalities_unknown
            ));
        }
        return Ok(csv(out, "provinces.csv"));
    }
    Ok(json(serde_json::json!({
        "level": "province",
        "filters": f.to_json(),
        "counted_from": state.reads().await?.counted_from(&f).as_str(),
        "provinces": rows,
        "unlocated": unlocated,
    })))
}
