//! `GET /api/v1/sources`: the ingested batches (the store's manifest as a table),
//! with current incidents per source.

use super::json;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;

/// `GET /api/v1/sources`.
pub async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    let reads = state.reads().await?;
    let batches = reads.batches().await?;
    let counts = reads.incidents_per_source().await?;
    let mut names: Vec<&str> = batches
        .iter()
        .filter_map(|b| b.get("source").and_then(serde_json::Value::as_str))
        .collect();
    names.dedup();
    // What each source covers on its own (scoped spans included), as the analysis
    // layer combines its batches.
    let analysis = state.analysis().await?;
    let mut coverage: HashMap<String, sitrep_model::Coverage> = HashMap::new();
    for n in &names {
        let f = sitrep_model::Filters {
            sources: vec![n.to_string()],
            ..Default::default()
        };
        for c in analysis.source_coverage(&f).await? {
            coverage.insert(c.source, c.coverage);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let sources: Vec<serde_json::Value> = names
        .into_iter()
        .filter(|n| seen.insert(*n))
        .map(|n| {
            serde_json::json!({
                "source": n,
                "incidents": counts.get(n).copied().unwrap_or(0),
                "citation": sitrep_model::figure::SourceRef::standard_citation(n, None),
                "raw_rows_served": !state.is_acled(n),
                "coverage": coverage.get(n).map(|c| serde_json::json!({
                    "summary": c.describe(),
                    "spans": c.spans,
                })),
                "records": format!("/api/v1/incidents?source={}", crate::links::encode(n)),
            })
        })
        .collect();
    Ok(json(
        serde_json::json!({ "sources": sources, "batches": batches }),
    ))
}
