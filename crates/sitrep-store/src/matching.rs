//! Matching in the store: the records a matcher reads, the pairs and clusters it
//! produced, and analysts' decisions, each committed through the manifest.
//!
//! A matching run is stored as three Parquet files (`match_pairs`, `match_clusters`,
//! `match_members`) named by the manifest's `matching` entry, written and synced before
//! the manifest is renamed into place, checksummed like batch files. A new run replaces
//! the previous one in the same commit. A batch that supersedes or deletes records
//! drops the run (its clusters name versions no longer current): every record is its
//! own incident again until `sitrep match` runs.
//!
//! Decisions (confirm / reject a pair; who, when, why) are an append-only JSON-lines
//! file. Appending writes a new file holding every earlier line plus the new one
//! (temporary file, fsync, rename), then commits the manifest that names it and its
//! checksum; a crash leaves the previous file in force. Decisions survive re-matching
//! and re-ingest: they name events as `source:source_event_id`, not record versions.
//! (A claims/journal system will take decisions over; until then they live here.)

use crate::manifest::{sync_dir, FileEntry, Manifest};
use crate::writer::hash_file;
use crate::{Store, StoreError};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder,
    RecordBatch, StringArray, StringBuilder,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Field, Float64Type, Int32Type, Int64Type, Schema, SchemaRef,
};
use datafusion::parquet::arrow::ArrowWriter;
use serde::{Deserialize, Serialize};
use sitrep_model::{
    Cluster, DatePrecision, Decision, EventType, Fatalities, GeoPrecision, MatchPair, MatchRecord,
    PairStatus, RecordRef, ScoreParts,
};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The stored matching run (manifest entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchingEntry {
    /// Run number, from 1.
    pub run: u64,
    /// When it was committed (RFC 3339, UTC).
    pub committed_at: String,
    /// The settings, as the matcher describes them.
    pub settings: String,
    /// Candidate pairs considered.
    pub considered: u64,
    /// Its files (`match_pairs`, `match_clusters`, `match_members`).
    pub files: Vec<FileEntry>,
}

/// One matching run to store.
#[derive(Debug, Clone, Default)]
pub struct MatchingRun {
    /// The settings, described (stored as given).
    pub settings: String,
    /// Candidate pairs considered.
    pub considered: u64,
    /// Linked pairs and unchosen candidates near the threshold.
    pub pairs: Vec<MatchPair>,
    /// Clusters of two or more records.
    pub clusters: Vec<Cluster>,
}

fn f64f(name: &str) -> Field {
    Field::new(name, DataType::Float64, true)
}
fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// Schema of `match_pairs`: one row per linked pair or near-threshold candidate.
pub fn match_pairs_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("source_a", false),
            utf8("source_event_id_a", false),
            utf8("source_b", false),
            utf8("source_event_id_b", false),
            Field::new("score", DataType::Float64, false),
            f64f("score_date"),
            f64f("score_space"),
            f64f("score_event_type"),
            f64f("score_actor"),
            f64f("score_fatalities"),
            f64f("runner_up"),
            utf8("status", false),
        ]))
    }))
}

/// Schema of `match_clusters`: one row per cluster of two or more records.
pub fn match_clusters_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("incident_id", false),
            utf8("primary_record_id", false),
            utf8("members", false),
            Field::new("n_records", DataType::Int64, false),
            Field::new("corroboration", DataType::Int64, false),
            Field::new("date_start", DataType::Date32, false),
            Field::new("date_end", DataType::Date32, false),
            Field::new("fatalities_low", DataType::Int64, true),
            Field::new("fatalities_high", DataType::Int64, true),
            Field::new("fatalities_best_min", DataType::Int64, true),
            Field::new("fatalities_best_max", DataType::Int64, true),
            utf8("disagreements", true),
        ]))
    }))
}

/// Schema of `match_members`: which cluster each clustered record belongs to.
pub fn match_members_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("record_id", false),
            utf8("incident_id", false),
            Field::new("is_primary", DataType::Boolean, false),
        ]))
    }))
}

/// Schema of `match_decisions` (analysts' decisions, oldest first).
pub fn match_decisions_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("decision", false),
            utf8("a", false),
            utf8("b", false),
            utf8("by", false),
            utf8("at", false),
            utf8("why", false),
        ]))
    }))
}

fn days(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

fn pairs_batch(pairs: &[MatchPair]) -> Result<RecordBatch, StoreError> {
    let mut s: Vec<StringBuilder> = (0..5).map(|_| StringBuilder::new()).collect();
    let mut f: Vec<Float64Builder> = (0..7).map(|_| Float64Builder::new()).collect();
    for p in pairs {
        s[0].append_value(&p.a.source);
        s[1].append_value(&p.a.source_event_id);
        s[2].append_value(&p.b.source);
        s[3].append_value(&p.b.source_event_id);
        let r = |x: f32| (x as f64 * 1e4).round() / 1e4;
        f[0].append_value(r(p.score));
        f[1].append_value(r(p.parts.date));
        f[2].append_value(r(p.parts.space));
        f[3].append_value(r(p.parts.event_type));
        f[4].append_option(p.parts.actor.map(r));
        f[5].append_option(p.parts.fatalities.map(r));
        f[6].append_option(p.runner_up.map(r));
        s[4].append_value(p.status.as_str());
    }
    let mut cols: Vec<ArrayRef> = Vec::new();
    for b in s.iter_mut().take(4) {
        cols.push(Arc::new(b.finish()));
    }
    for b in f.iter_mut() {
        cols.push(Arc::new(b.finish()));
    }
    cols.push(Arc::new(s[4].finish()));
    Ok(RecordBatch::try_new(match_pairs_schema(), cols)?)
}

fn clusters_batches(clusters: &[Cluster]) -> Result<(RecordBatch, RecordBatch), StoreError> {
    let (mut id, mut primary, mut members, mut dis) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut n, mut corr) = (Int64Builder::new(), Int64Builder::new());
    let (mut ds, mut de) = (Date32Builder::new(), Date32Builder::new());
    let mut fat: Vec<Int64Builder> = (0..4).map(|_| Int64Builder::new()).collect();
    let (mut m_rec, mut m_id, mut m_primary) = (
        StringBuilder::new(),
        StringBuilder::new(),
        BooleanBuilder::new(),
    );
    for c in clusters {
        id.append_value(&c.id);
        primary.append_value(&c.primary);
        members.append_value(c.members.join(","));
        n.append_value(c.members.len() as i64);
        corr.append_value(c.corroboration as i64);
        ds.append_value(days(c.date_start));
        de.append_value(days(c.date_end));
        fat[0].append_option(c.fatalities.low.map(|v| v as i64));
        fat[1].append_option(c.fatalities.high.map(|v| v as i64));
        fat[2].append_option(c.best_range.map(|r| r.0 as i64));
        fat[3].append_option(c.best_range.map(|r| r.1 as i64));
        if c.disagreements.is_empty() {
            dis.append_null();
        } else {
            dis.append_value(c.disagreements.join("; "));
        }
        for m in &c.members {
            m_rec.append_value(m);
            m_id.append_value(&c.id);
            m_primary.append_value(*m == c.primary);
        }
    }
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(primary.finish()),
        Arc::new(members.finish()),
        Arc::new(n.finish()),
        Arc::new(corr.finish()),
        Arc::new(ds.finish()),
        Arc::new(de.finish()),
    ];
    for mut b in fat {
        cols.push(Arc::new(b.finish()));
    }
    cols.push(Arc::new(dis.finish()));
    let c = RecordBatch::try_new(match_clusters_schema(), cols)?;
    let m = RecordBatch::try_new(
        match_members_schema(),
        vec![
            Arc::new(m_rec.finish()),
            Arc::new(m_id.finish()),
            Arc::new(m_primary.finish()),
        ],
    )?;
    Ok((c, m))
}

/// Writes `batch` to `dir/name` (temporary file, fsync, rename) and describes it.
fn write_parquet(
    root: &Path,
    name: &str,
    table: &str,
    batch: &RecordBatch,
) -> Result<FileEntry, StoreError> {
    let dir = root.join("batches");
    std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let f = File::create(&tmp).map_err(StoreError::io(&tmp))?;
    let at = StoreError::parquet_at(&tmp);
    let mut w = ArrowWriter::try_new(f, batch.schema(), None).map_err(&at)?;
    w.write(batch).map_err(&at)?;
    let f = w.into_inner().map_err(&at)?;
    f.sync_all().map_err(StoreError::io(&tmp))?;
    let dest = dir.join(name);
    std::fs::rename(&tmp, &dest).map_err(StoreError::io(&dest))?;
    let (blake3, bytes) = hash_file(&dest)?;
    Ok(FileEntry {
        table: table.into(),
        path: format!("batches/{name}"),
        rows: batch.num_rows() as u64,
        bytes,
        blake3,
    })
}

impl Store {
    /// The current version of every record (of `sources`, or all when empty) as the
    /// matcher reads it: places and actors from the enrichment, the province as the
    /// gazetteer's code where known, else the source's admin1.
    pub async fn match_records(&self, sources: &[String]) -> Result<Vec<MatchRecord>, StoreError> {
        let filter = if sources.is_empty() {
            String::new()
        } else {
            format!(
                " AND r.source IN ({})",
                sources
                    .iter()
                    .map(|s| crate::query::quote(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let sql = format!(
            "SELECT r.record_id, r.source, r.source_event_id, r.date_start, r.date_end, \
             r.date_precision, r.latitude, r.longitude, r.geo_precision, r.country, \
             COALESCE(e.province_code, r.admin1) AS province, r.event_type, r.sub_event_type, \
             r.actor1, r.actor2, e.actor1_id, e.actor2_id, r.fatalities_low, \
             r.fatalities_best, r.fatalities_high, r.line \
             FROM records r LEFT JOIN enrichment e ON e.record_id = r.record_id \
             WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = r.record_id){filter}"
        );
        let ctx = self.context().await?;
        let batches = ctx.sql(&sql).await?.collect().await?;
        let mut out = Vec::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
        for b in &batches {
            let s = |k: usize| b.column(k).as_string::<i32>();
            let opt = |a: &StringArray, i: usize| (!a.is_null(i)).then(|| a.value(i).to_string());
            let (rid, src, eid) = (s(0), s(1), s(2));
            let (ds, de) = (
                b.column(3).as_primitive::<Date32Type>(),
                b.column(4).as_primitive::<Date32Type>(),
            );
            let dp = b.column(5).as_primitive::<Int32Type>();
            let (lat, lon) = (
                b.column(6).as_primitive::<Float64Type>(),
                b.column(7).as_primitive::<Float64Type>(),
            );
            let gp = b.column(8).as_primitive::<Int32Type>();
            let (country, province, et, sub) = (s(9), s(10), s(11), s(12));
            let (a1, a2, id1, id2) = (s(13), s(14), s(15), s(16));
            let fl = b.column(17).as_primitive::<Int64Type>();
            let fb = b.column(18).as_primitive::<Int64Type>();
            let fh = b.column(19).as_primitive::<Int64Type>();
            let line = b.column(20).as_primitive::<Int64Type>();
            let int = |a: &datafusion::arrow::array::Int64Array, i: usize| {
                (!a.is_null(i)).then(|| a.value(i).max(0) as u64)
            };
            for i in 0..b.num_rows() {
                let date_start = ds.value_as_date(i).unwrap_or_default();
                out.push(MatchRecord {
                    record_id: rid.value(i).to_string(),
                    event: RecordRef::new(src.value(i), eid.value(i)),
                    date_start,
                    date_end: de.value_as_date(i).unwrap_or(date_start),
                    date_precision: DatePrecision::from_code(dp.value(i) as u8)
                        .unwrap_or(DatePrecision::Longer),
                    latitude: (!lat.is_null(i)).then(|| lat.value(i)),
                    longitude: (!lon.is_null(i)).then(|| lon.value(i)),
                    geo_precision: GeoPrecision::from_code(gp.value(i) as u8)
                        .unwrap_or(GeoPrecision::Country),
                    country: opt(country, i),
                    province: opt(province, i),
                    event_type: EventType::parse(et.value(i)).unwrap_or(EventType::Other),
                    sub_event_type: opt(sub, i),
                    actors: [opt(a1, i), opt(a2, i)],
                    actor_ids: [opt(id1, i), opt(id2, i)],
                    fatalities: Fatalities {
                        low: int(fl, i),
                        best: int(fb, i),
                        high: int(fh, i),
                    },
                    order: line.value(i).max(0) as u64,
                });
            }
        }
        Ok(out)
    }

    /// Commits a matching run, replacing the previous one, atomically.
    pub fn commit_matching(&mut self, run: &MatchingRun) -> Result<MatchingEntry, StoreError> {
        let _lock = self.lock()?;
        let mut manifest = Manifest::load(self.root())?;
        let n = manifest.matching.as_ref().map_or(1, |m| m.run + 1);
        let (clusters, members) = clusters_batches(&run.clusters)?;
        let files = vec![
            write_parquet(
                self.root(),
                &format!("m{n:06}-match_pairs.parquet"),
                "match_pairs",
                &pairs_batch(&run.pairs)?,
            )?,
            write_parquet(
                self.root(),
                &format!("m{n:06}-match_clusters.parquet"),
                "match_clusters",
                &clusters,
            )?,
            write_parquet(
                self.root(),
                &format!("m{n:06}-match_members.parquet"),
                "match_members",
                &members,
            )?,
        ];
        sync_dir(&self.root().join("batches"))?;
        let entry = MatchingEntry {
            run: n,
            committed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            settings: run.settings.clone(),
            considered: run.considered,
            files,
        };
        let old = manifest.matching.replace(entry.clone());
        manifest.save(self.root())?;
        for f in old.iter().flat_map(|m| m.files.iter()) {
            let _ = std::fs::remove_file(self.root().join(&f.path));
        }
        self.replace_manifest(manifest);
        Ok(entry)
    }

    /// Every analyst decision, oldest first.
    pub fn decisions(&self) -> Result<Vec<Decision>, StoreError> {
        let Some(f) = &self.manifest().decisions else {
            return Ok(Vec::new());
        };
        let path = self.root().join(&f.path);
        let text = std::fs::read_to_string(&path).map_err(StoreError::io(&path))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(k, l)| {
                serde_json::from_str(l).map_err(|e| StoreError::BadManifest {
                    path: path.clone(),
                    message: format!("line {}: {e}", k + 1),
                })
            })
            .collect()
    }

    /// Appends a decision durably and atomically (see the module doc).
    pub fn append_decision(&mut self, d: &Decision) -> Result<(), StoreError> {
        let _lock = self.lock()?;
        let mut manifest = Manifest::load(self.root())?;
        let mut bytes = match &manifest.decisions {
            Some(f) => {
                let p = self.root().join(&f.path);
                let b = std::fs::read(&p).map_err(StoreError::io(&p))?;
                let (found, _) = hash_file(&p)?;
                if found != f.blake3 {
                    return Err(StoreError::Checksum {
                        path: p,
                        expected: f.blake3.clone(),
                        found,
                    });
                }
                b
            }
            None => Vec::new(),
        };
        let line = serde_json::to_string(d).map_err(|e| StoreError::Query(e.to_string()))?;
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        let count = bytes.iter().filter(|&&c| c == b'\n').count();
        let dir = self.root().join("batches");
        std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let name = format!("decisions-{count:08}.jsonl");
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut f = File::create(&tmp).map_err(StoreError::io(&tmp))?;
        f.write_all(&bytes).map_err(StoreError::io(&tmp))?;
        f.sync_all().map_err(StoreError::io(&tmp))?;
        drop(f);
        let dest = dir.join(&name);
        std::fs::rename(&tmp, &dest).map_err(StoreError::io(&dest))?;
        sync_dir(&dir)?;
        let (blake3, size) = hash_file(&dest)?;
        let old = manifest.decisions.replace(FileEntry {
            table: "match_decisions".into(),
            path: format!("batches/{name}"),
            rows: count as u64,
            bytes: size,
            blake3,
        });
        manifest.save(self.root())?;
        if let Some(o) = old {
            let _ = std::fs::remove_file(self.root().join(o.path));
        }
        self.replace_manifest(manifest);
        Ok(())
    }

    /// The stored run's pairs (empty when matching has not run).
    pub async fn match_pairs(&self) -> Result<Vec<MatchPair>, StoreError> {
        let ctx = self.context().await?;
        let batches = ctx
            .sql("SELECT * FROM match_pairs")
            .await?
            .collect()
            .await?;
        let mut out = Vec::new();
        for b in &batches {
            let s = |k: usize| b.column(k).as_string::<i32>();
            let f = |k: usize| b.column(k).as_primitive::<Float64Type>();
            let opt = |k: usize, i: usize| (!f(k).is_null(i)).then(|| f(k).value(i) as f32);
            for i in 0..b.num_rows() {
                out.push(MatchPair {
                    a: RecordRef::new(s(0).value(i), s(1).value(i)),
                    b: RecordRef::new(s(2).value(i), s(3).value(i)),
                    score: f(4).value(i) as f32,
                    parts: ScoreParts {
                        date: f(5).value(i) as f32,
                        space: f(6).value(i) as f32,
                        event_type: f(7).value(i) as f32,
                        actor: opt(8, i),
                        fatalities: opt(9, i),
                    },
                    runner_up: opt(10, i),
                    status: match s(11).value(i) {
                        "confirmed" => PairStatus::Confirmed,
                        "matched" => PairStatus::Matched,
                        _ => PairStatus::Unselected,
                    },
                });
            }
        }
        Ok(out)
    }

    /// The decisions as a table (`match_decisions`).
    pub(crate) fn decisions_table(&self) -> Result<RecordBatch, StoreError> {
        let ds = self.decisions()?;
        let mut b: Vec<StringBuilder> = (0..6).map(|_| StringBuilder::new()).collect();
        for d in &ds {
            b[0].append_value(match d.kind {
                sitrep_model::DecisionKind::Confirm => "confirm",
                sitrep_model::DecisionKind::Reject => "reject",
            });
            b[1].append_value(d.a.to_string());
            b[2].append_value(d.b.to_string());
            b[3].append_value(&d.by);
            b[4].append_value(&d.at);
            b[5].append_value(&d.why);
        }
        let cols: Vec<ArrayRef> = b
            .iter_mut()
            .map(|x| Arc::new(x.finish()) as ArrayRef)
            .collect();
        Ok(RecordBatch::try_new(match_decisions_schema(), cols)?)
    }
}

/// The `incidents` view: one row per cluster. A clustered record other than its
/// cluster's primary is hidden; the primary's row carries the reconciled dates and
/// fatality range, its members and their disagreements. Unclustered records are
/// singleton incidents with the same columns (corroboration 1).
///
/// When the store has no clusters (`clustered` false: no matching run, or one that
/// linked nothing) the view reads the records' own columns directly, without the
/// cluster joins: same rows, same columns and types (tested), but filters on dates
/// and fatalities reach the Parquet scan of `records` instead of running after a join.
pub fn incidents_view_sql(attribution: bool, clustered: bool) -> String {
    let overridden = [
        ("date_start", "COALESCE(m.date_start, r.date_start)"),
        ("date_end", "COALESCE(m.date_end, r.date_end)"),
        (
            "fatalities_low",
            "CASE WHEN m.incident_id IS NULL THEN r.fatalities_low ELSE m.fatalities_low END",
        ),
        (
            "fatalities_high",
            "CASE WHEN m.incident_id IS NULL THEN r.fatalities_high ELSE m.fatalities_high END",
        ),
    ];
    let mut cols: Vec<String> = crate::schema::records()
        .fields()
        .iter()
        .map(|f| {
            let n = f.name();
            match overridden.iter().find(|(c, _)| c == n) {
                Some((c, e)) if clustered => format!("{e} AS {c}"),
                _ => format!("r.{n}"),
            }
        })
        .collect();
    cols.extend(
        crate::schema::ENRICHMENT_COLUMNS
            .iter()
            .map(|c| format!("e.{c}")),
    );
    if clustered {
        cols.extend([
            "COALESCE(m.incident_id, concat(r.source, ':', r.source_event_id)) AS incident_id".into(),
            "COALESCE(m.members, r.record_id) AS members".into(),
            "COALESCE(m.n_records, 1) AS n_records".into(),
            "COALESCE(m.corroboration, 1) AS corroboration".into(),
            "CASE WHEN m.incident_id IS NULL THEN r.fatalities_best ELSE m.fatalities_best_min END AS fatalities_best_min".into(),
            "CASE WHEN m.incident_id IS NULL THEN r.fatalities_best ELSE m.fatalities_best_max END AS fatalities_best_max".into(),
            "m.disagreements AS disagreements".into(),
        ]);
    } else {
        cols.extend([
            "concat(r.source, ':', r.source_event_id) AS incident_id".into(),
            "r.record_id AS members".into(),
            "arrow_cast(1, 'Int64') AS n_records".into(),
            "arrow_cast(1, 'Int64') AS corroboration".into(),
            "r.fatalities_best AS fatalities_best_min".into(),
            "r.fatalities_best AS fatalities_best_max".into(),
            "arrow_cast(NULL, 'Utf8') AS disagreements".into(),
        ]);
    }
    // Attribution verdicts (sitrep-claims), per source event of the primary record.
    let join = if attribution {
        cols.push("at.attribution".into());
        " LEFT JOIN attribution at ON at.source = r.source AND at.source_event_id = r.source_event_id"
    } else {
        ""
    };
    let (clusters, members) = if clustered {
        (
            " LEFT JOIN match_clusters m ON m.primary_record_id = r.record_id",
            " AND NOT EXISTS (SELECT 1 FROM match_members x WHERE x.record_id = r.record_id AND NOT x.is_primary)",
        )
    } else {
        ("", "")
    };
    format!(
        "CREATE VIEW incidents AS SELECT {} FROM records r \
         LEFT JOIN enrichment e ON e.record_id = r.record_id{clusters}{join} \
         WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_id = r.record_id){members}",
        cols.join(", ")
    )
}
