//! `GET /api/v1/incidents` (filtered, paginated, sorted; JSON, CSV or GeoJSON) and
//! `GET /api/v1/incidents/{record_id}` (one incident with every version of its
//! source record and their provenance).

use super::{csv, geojson, json, not_found};
use crate::error::ApiError;
use crate::params::{Filters, FiltersExt, Format, Page, Params, Sort};
use crate::table::{self, s, Row};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use sitrep_store::query::quote;

/// Columns of the incident list (everything but the verbatim `raw` and `notes`).
pub const LIST_COLUMNS: [&str; 34] = [
    "record_id",
    "source",
    "source_event_id",
    "version",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "admin2",
    "location",
    "event_type",
    "sub_event_type",
    "source_event_type",
    "actor1",
    "actor2",
    "conflict",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "civilian_deaths",
    "province_code",
    "province_name",
    "district",
    "region",
    "capital_name",
    "capital_distance_km",
    "actor1_id",
    "actor2_id",
    "actor1_root",
    "actor2_root",
];

/// One page of incidents.
#[derive(Debug, Clone)]
pub(crate) struct IncidentPage {
    pub total: i64,
    pub page: Page,
    pub sort: Sort,
    pub rows: Vec<Row>,
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
    let w = f.to_sql();
    let total = state
        .count(&format!("SELECT count(*) AS n FROM incidents WHERE {w}"))
        .await?;
    let rows = state
        .rows(&format!(
            "SELECT {} FROM incidents WHERE {w} ORDER BY {} LIMIT {} OFFSET {}",
            LIST_COLUMNS.join(", "),
            sort.to_sql(),
            page.size,
            page.offset()
        ))
        .await?;
    Ok(IncidentPage {
        total,
        page,
        sort,
        rows,
    })
}

/// `GET /api/v1/incidents`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.check(true, &["page", "page_size", "sort", "format"])?;
    let f = crate::params::filters(&p, &state)?;
    let page = Page::parse(&p)?;
    let sort = Sort::parse(&p)?;
    let format = Format::parse(&p, &["json", "csv", "geojson"])?;
    let res = list(&state, &f, page, sort).await?;
    Ok(match format {
        Format::Csv => csv(table::csv(&LIST_COLUMNS, &res.rows), "incidents.csv"),
        Format::GeoJson => {
            let mut v = table::geojson(&res.rows);
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
    let q = quote(id);
    let mut current = true;
    // A record matched into another record's cluster is shown as that cluster's
    // incident (its `members` list the record); its own versions are listed below.
    let mut rows = state
        .rows(&format!(
            "SELECT * FROM incidents WHERE record_id = {q} \
             OR incident_id IN (SELECT incident_id FROM match_members WHERE record_id = {q})"
        ))
        .await?;
    if rows.is_empty() {
        current = false;
        rows = state
            .rows(&format!("SELECT * FROM records WHERE record_id = {q}"))
            .await?;
    }
    let Some(mut incident) = rows.into_iter().next() else {
        return Err(not_found("incident", id, "/api/v1/incidents"));
    };
    let own = if s(&incident, "record_id") == Some(id) {
        incident.clone()
    } else {
        state
            .rows(&format!(
                "SELECT source, source_event_id FROM records WHERE record_id = {q}"
            ))
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| incident.clone())
    };
    let source = s(&own, "source").unwrap_or_default().to_string();
    let event = s(&own, "source_event_id").unwrap_or_default().to_string();
    let mut versions = state
        .rows(&format!(
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
    let acled = state.is_acled(&source);
    if acled {
        incident.remove("raw");
        incident.remove("notes");
        for v in &mut versions {
            v.remove("raw");
            v.remove("notes");
        }
    }
    let members = match s(&incident, "incident_id") {
        Some(inc) if current && incident.get("n_records").and_then(Value::as_i64) > Some(1) => {
            state
                .rows(&format!(
                    "SELECT r.record_id, r.source, r.source_event_id, m.is_primary, \
                     CAST(r.date_start AS VARCHAR) AS date_start, CAST(r.date_end AS VARCHAR) AS date_end, \
                     e.province_name, r.latitude, r.longitude, r.event_type, r.actor1, r.actor2, \
                     r.fatalities_low, r.fatalities_best, r.fatalities_high \
                     FROM match_members m JOIN records r ON r.record_id = m.record_id \
                     LEFT JOIN enrichment e ON e.record_id = r.record_id \
                     WHERE m.incident_id = {} ORDER BY m.is_primary DESC, r.source, r.source_event_id",
                    quote(inc)
                ))
                .await?
        }
        _ => Vec::new(),
    };
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
    p: Params,
) -> Result<Response, ApiError> {
    p.check(false, &[])?;
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
