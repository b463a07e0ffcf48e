//! `GET /api/v1/incidents` (filtered, paginated, sorted; JSON, CSV or GeoJSON) and
//! `GET /api/v1/incidents/{record_id}` (one incident with every version of its
//! source record and their provenance).

use super::{csv, geojson, json, not_found};
use crate::error::ApiError;
use crate::params::{Filters, FiltersExt, Format, Page, Params, Sort, FORMAT_INCIDENTS};
use crate::table::{self, s, Row};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

/// Columns of the incident list (everything but the verbatim `raw` and `notes`).
pub const LIST_COLUMNS: [&str; 34] = sitrep_model::IncidentRow::COLUMNS;

/// One page of incidents.
#[derive(Debug, Clone)]
pub(crate) struct IncidentPage {
    pub total: i64,
    pub page: Page,
    pub sort: Sort,
    pub rows: Vec<sitrep_model::IncidentRow>,
}

impl IncidentPage {
    pub fn pages(&self) -> u64 {
        (self.total.max(0) as u64).div_ceil(u64::from(self.page.size))
    }
}

pub(crate) async fn list(
    state: &AppState,
    f: &Filters,
    page: Page,
    sort: Sort,
) -> Result<IncidentPage, ApiError> {
    let res = state
        .reads()
        .await?
        .incidents(f, sort, u64::from(page.size), page.offset())
        .await?;
    Ok(IncidentPage {
        total: res.total,
        page,
        sort,
        rows: res.rows,
    })
}

/// The rows as JSON objects (for CSV and GeoJSON).
fn objects(rows: &[sitrep_model::IncidentRow]) -> Result<Vec<Row>, ApiError> {
    rows.iter()
        .map(|r| match serde_json::to_value(r) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::Internal(
                "an incident row is not an object".into(),
            )),
            Err(e) => Err(ApiError::internal(e)),
        })
        .collect()
}

/// `GET /api/v1/incidents`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let page = Page::parse(&p)?;
    let sort = crate::params::sort(&p)?;
    let format = Format::parse(&p, &FORMAT_INCIDENTS)?;
    let res = list(&state, &f, page, sort).await?;
    Ok(match format {
        Format::Csv => csv(
            table::csv(&LIST_COLUMNS, &objects(&res.rows)?),
            "incidents.csv",
        ),
        Format::GeoJson => {
            let mut v = table::geojson(&objects(&res.rows)?);
            v["sitrep:total"] = res.total.into();
            v["sitrep:page"] = res.page.page.into();
            v["sitrep:page_size"] = res.page.size.into();
            geojson(v)
        }
        Format::Json => {
            let link = |n: u64| -> Value {
                let fq = f.query();
                let sep = if fq.is_empty() { "" } else { "&" };
                format!(
                    "/api/v1/incidents?{fq}{sep}page={n}&page_size={}&sort={}",
                    page.size,
                    sort.as_str()
                )
                .into()
            };
            let pages = res.pages();
            json(serde_json::json!({
                "total": res.total,
                "page": page.page,
                "page_size": page.size,
                "pages": pages,
                "sort": res.sort.as_str(),
                "filters": f.to_json(),
                "links": {
                    "next": if page.page < pages { link(page.page + 1) } else { Value::Null },
                    "prev": if page.page > 1 { link(page.page - 1) } else { Value::Null },
                },
                "items": res.rows,
            }))
        }
    })
}

/// One incident with its record versions.
#[derive(Debug, Clone)]
pub(crate) struct IncidentDetail {
    /// The record as the `incidents` view has it (enriched), or the stored version
    /// when it has been superseded or deleted.
    pub incident: Row,
    /// False when `record_id` names a superseded or deleted version.
    pub current: bool,
    /// Every version of the same source event, oldest first, with batch provenance.
    pub versions: Vec<Row>,
    /// True for ACLED-sourced records: `raw` and `notes` are withheld.
    pub acled: bool,
    /// The records matched into this incident, primary first (empty when the record
    /// stands alone): what each source says, side by side.
    pub members: Vec<Row>,
}

/// The licence note for ACLED-sourced records.
pub const ACLED_LICENCE: &str = "ACLED's terms of use do not allow re-serving its rows publicly, \
     so the verbatim source row (`raw`) and ACLED's `notes` are left out. Aggregates of these \
     records (counts, series, maps) are served; cite ACLED with your access date.";

pub(crate) async fn detail(state: &AppState, id: &str) -> Result<IncidentDetail, ApiError> {
    let Some(d) = state.reads().await?.incident_detail(id).await? else {
        return Err(not_found("incident", id, "/api/v1/incidents"));
    };
    let sitrep_store::IncidentDetail {
        mut incident,
        current,
        source,
        mut versions,
        members,
    } = d;
    // ACLED's rows are withheld wherever they appear: the incident's primary record
    // and the versions of the record asked for may come from different sources.
    let primary_acled = s(&incident, "source").is_some_and(|src| state.is_acled(src));
    let own_acled = state.is_acled(&source);
    if primary_acled {
        incident.remove("raw");
        incident.remove("notes");
    }
    if own_acled {
        for v in &mut versions {
            v.remove("raw");
            v.remove("notes");
        }
    }
    let acled = primary_acled || own_acled;
    Ok(IncidentDetail {
        incident,
        current,
        versions,
        acled,
        members,
    })
}

/// `GET /api/v1/incidents/{record_id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = detail(&state, &id).await?;
    let source = s(&d.incident, "source").unwrap_or_default().to_string();
    // `raw` is served exactly as stored: the source row as a JSON object, in a string.
    let versions: Vec<Value> = d.versions.into_iter().map(Value::Object).collect();
    Ok(json(serde_json::json!({
        "record_id": id,
        "current": d.current,
        "incident": d.incident,
        "versions": versions,
        "members": d.members,
        "licence": if d.acled { Value::String(ACLED_LICENCE.into()) } else { Value::Null },
        "citation": sitrep_model::figure::SourceRef::standard_citation(&source, None),
    })))
}
