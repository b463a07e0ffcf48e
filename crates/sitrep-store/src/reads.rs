//! Typed reads: questions other crates ask the store, answered with Rust values
//! rather than SQL text and Arrow batches. Their SQL is this crate's business.

use crate::query::quote;
use crate::{Store, StoreError};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use sitrep_model::{IncidentMember, RecordRef};

/// Column `i` of every batch as strings (NULLs left out).
fn strings(batches: &[RecordBatch], i: usize) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for b in batches {
        let col = cast(b.column(i), &DataType::Utf8)?;
        let col = col.as_string::<i32>();
        out.extend(
            (0..col.len())
                .filter(|&k| !col.is_null(k))
                .map(|k| col.value(k).to_string()),
        );
    }
    Ok(out)
}

/// The first value of column 0 as an integer (0 when there is none).
fn first_int(batches: &[RecordBatch]) -> Result<i64, StoreError> {
    for b in batches {
        if b.num_rows() > 0 {
            let col = cast(b.column(0), &DataType::Int64)?;
            let col = col.as_primitive::<Int64Type>();
            return Ok(if col.is_null(0) { 0 } else { col.value(0) });
        }
    }
    Ok(0)
}

impl Store {
    /// The names of the sources with records (any version), sorted.
    pub async fn source_names(&self) -> Result<Vec<String>, StoreError> {
        let b = self
            .sql("SELECT DISTINCT source FROM records ORDER BY source")
            .await?;
        strings(&b, 0)
    }

    /// True when the store holds a record (any version) with this source and event id.
    pub async fn has_record(&self, r: &RecordRef) -> Result<bool, StoreError> {
        let b = self
            .sql(&format!(
                "SELECT count(*) FROM records WHERE source = {} AND source_event_id = {}",
                quote(&r.source),
                quote(&r.source_event_id)
            ))
            .await?;
        Ok(first_int(&b)? > 0)
    }

    /// The records of the incident `r` belongs to (just `r` when it is not linked),
    /// primary first, then by source and event id. Superseded versions are left out.
    pub async fn incident_members(&self, r: &RecordRef) -> Result<Vec<IncidentMember>, StoreError> {
        let this = format!(
            "SELECT record_id FROM records WHERE source = {} AND source_event_id = {} \
             AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = records.record_id)",
            quote(&r.source),
            quote(&r.source_event_id)
        );
        let sql = format!(
            "WITH me AS ({this}), \
             inc AS (SELECT incident_id FROM match_members WHERE record_id IN (SELECT record_id FROM me)), \
             ids AS (SELECT record_id, incident_id, is_primary FROM match_members WHERE incident_id IN (SELECT incident_id FROM inc) \
                     UNION ALL SELECT record_id, NULL, true FROM me WHERE NOT EXISTS (SELECT 1 FROM inc)) \
             SELECT COALESCE(ids.incident_id, concat(r.source, ':', r.source_event_id)) AS incident, r.source, r.source_event_id, \
                    CAST(ids.is_primary AS VARCHAR) AS is_primary_text, \
                    CAST(r.date_start AS VARCHAR), COALESCE(e.province_name, ''), COALESCE(r.actor1, ''), COALESCE(r.actor2, ''), \
                    COALESCE(CAST(r.fatalities_best AS VARCHAR), '') \
             FROM ids JOIN records r ON r.record_id = ids.record_id LEFT JOIN enrichment e ON e.record_id = r.record_id \
             ORDER BY ids.is_primary DESC, r.source, r.source_event_id"
        );
        let batches = self.sql(&sql).await?;
        let cols: Vec<Vec<String>> = (0..9)
            .map(|i| strings_with_nulls(&batches, i))
            .collect::<Result<_, _>>()?;
        Ok((0..cols[0].len())
            .map(|k| IncidentMember {
                incident_id: cols[0][k].clone(),
                source: cols[1][k].clone(),
                source_event_id: cols[2][k].clone(),
                primary: cols[3][k] == "true",
                date: cols[4][k].clone(),
                province: cols[5][k].clone(),
                side_a: cols[6][k].clone(),
                side_b: cols[7][k].clone(),
                deaths_best: cols[8][k].clone(),
            })
            .collect())
    }
}

/// Column `i` of every batch as strings, a NULL as ''.
fn strings_with_nulls(batches: &[RecordBatch], i: usize) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for b in batches {
        let col = cast(b.column(i), &DataType::Utf8)?;
        let col = col.as_string::<i32>();
        out.extend((0..col.len()).map(|k| {
            if col.is_null(k) {
                String::new()
            } else {
                col.value(k).to_string()
            }
        }));
    }
    Ok(out)
}
