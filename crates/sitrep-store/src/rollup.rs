//! The rollup: counts and fatality sums of the `incidents` view per day × actors ×
//! province × event type × precision × source × distance band, kept next to the data
//! so dashboard queries read thousands of rows instead of millions.
//!
//! It is derived, never edited: [`Store::build_rollup`] computes it from `incidents`
//! (after ingest and enrichment) and records in the manifest the *state* it was built
//! from — a hash of the manifest without the rollup entry, so any new batch, new
//! enrichment or new derived table makes it stale. A stale rollup is not registered
//! as a table, and readers fall back to `incidents` (the raw path). Its measures add
//! up as sitrep-analysis sums records: a missing low counts 0, a missing best falls
//! back to low then 0, a missing high is counted in `hi_missing`.

use crate::manifest::{sync_dir, FileEntry, Manifest};
use crate::writer::hash_file;
use crate::{Store, StoreError};
use datafusion::parquet::arrow::ArrowWriter;
use serde::{Deserialize, Serialize};

/// Distance-band edges (km) the rollup's `distance_band` column uses; a query with
/// other edges takes the raw path.
pub const ROLLUP_BAND_EDGES: [f64; 5] = [0.0, 5.0, 25.0, 50.0, 100.0];

/// The rollup's dimension columns (same names and meanings as in `incidents`, plus
/// `distance_band`, the label of [`ROLLUP_BAND_EDGES`]' band).
pub const ROLLUP_DIMS: [&str; 14] = [
    "date_start",
    "country",
    "source",
    "event_type",
    "geo_precision",
    "date_precision",
    "province_code",
    "province_name",
    "region",
    "actor1_id",
    "actor2_id",
    "actor1_root",
    "actor2_root",
    "distance_band",
];

/// The rollup's string dimensions, in the order of [`ROLLUP_DIMS`] (less the
/// others), and whether each comes from the enrichment file (else the records
/// file): the native build writes them and the in-memory cube reads them by these
/// names.
pub(crate) const STRING_DIMS: [(&str, bool); 10] = [
    ("country", false),
    ("source", false),
    ("event_type", false),
    ("province_code", true),
    ("province_name", true),
    ("region", true),
    ("actor1_id", true),
    ("actor2_id", true),
    ("actor1_root", true),
    ("actor2_root", true),
];

/// The rollup's measure columns: `n` records, sums `lo`, `best` (a record without a
/// best counts its low), `hi`, records without a high `hi_missing`, civilian deaths
/// `civ` and records that give them `civ_known`, the sum of best figures alone
/// `best_given` and records that give one `best_known`.
pub const ROLLUP_MEASURES: [&str; 9] = [
    "n",
    "lo",
    "best",
    "hi",
    "hi_missing",
    "civ",
    "civ_known",
    "best_given",
    "best_known",
];

/// Changes whenever the rollup's columns or rules change, so that rollups written by
/// an older build count as stale and are rebuilt.
const ROLLUP_VERSION: &str = "rollup-2";

/// The rollup file and the store state it summarises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupEntry {
    /// Hash of the manifest (without this entry) it was built from.
    pub state: String,
    /// Records of `incidents` it summarises.
    pub records: u64,
    /// The file (`rows` is the number of rollup rows).
    pub file: FileEntry,
}

/// What [`Store::build_rollup`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollupOutcome {
    /// Records summarised.
    pub records: u64,
    /// Rollup rows written (0 when it was current already or the store is empty).
    pub rows: u64,
    /// True when an existing rollup was current and nothing was written.
    pub current: bool,
}

/// The band label SQL for [`ROLLUP_BAND_EDGES`], labelled as sitrep-model labels bands.
fn band_sql() -> String {
    let labels = sitrep_model::figure::distance_band_labels(&ROLLUP_BAND_EDGES);
    let mut s = String::from("CASE");
    for (i, l) in labels.iter().enumerate().rev() {
        s.push_str(&format!(
            " WHEN capital_distance_km >= {:?} THEN '{}'",
            ROLLUP_BAND_EDGES[i],
            l.replace('\'', "''")
        ));
    }
    s.push_str(" END");
    s
}

/// The state hash of a manifest: everything but the rollup entry.
pub(crate) fn state_of(m: &Manifest) -> String {
    let mut m = m.clone();
    m.rollup = None;
    let mut text = ROLLUP_VERSION.as_bytes().to_vec();
    text.extend(serde_json::to_vec(&m).unwrap_or_default());
    blake3::hash(&text).to_hex()[..16].to_string()
}

impl Store {
    /// The rollup's rows, summed natively ([`Store::native_rollup`]) when `native` is
    /// set and the store allows it, else by SQL over `incidents`; `None` on a store
    /// without the enrichment columns.
    pub(crate) async fn rollup_rows(
        &self,
        native: bool,
    ) -> Result<Option<Vec<datafusion::arrow::array::RecordBatch>>, StoreError> {
        let ctx = self.context().await?;
        let cols = crate::snapshot::incident_columns(&ctx).await?;
        if !cols.contains("capital_distance_km") || !cols.contains("actor1_root") {
            return Ok(None);
        }
        let dims: Vec<String> = ROLLUP_DIMS[..13].iter().map(|d| d.to_string()).collect();
        let sql = format!(
            "SELECT {dims}, {band} AS distance_band, \
             COUNT(*) AS n, \
             {fatalities}, \
             SUM(COALESCE(civilian_deaths, 0)) AS civ, \
             COUNT(civilian_deaths) AS civ_known, \
             SUM(COALESCE(fatalities_best, 0)) AS best_given, \
             COUNT(fatalities_best) AS best_known \
             FROM incidents GROUP BY {dims}, {band} ORDER BY date_start",
            dims = dims.join(", "),
            band = band_sql(),
            fatalities = crate::query::fatality_sums(crate::query::Table::Incidents),
        );
        let df = ctx.sql(&sql).await?;
        if native {
            let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
            if let Some(rows) = self.native_rollup(&schema)? {
                return Ok(Some(rows));
            }
        }
        Ok(Some(df.collect().await?))
    }

    /// True when the manifest names a rollup built from the store as it is now.
    pub fn rollup_current(&self) -> bool {
        self.manifest()
            .rollup
            .as_ref()
            .is_some_and(|r| r.state == state_of(self.manifest()))
    }

    /// Builds (or rebuilds) the rollup from `incidents` when it is missing or stale.
    /// Needs the enrichment columns (places and actors); on a store without them it
    /// does nothing. Written like every derived file: temporary file, fsync, rename,
    /// then the manifest.
    pub async fn build_rollup(&mut self) -> Result<RollupOutcome, StoreError> {
        if self.rollup_current() {
            let r = self.manifest().rollup.as_ref().map_or(0, |r| r.records);
            return Ok(RollupOutcome {
                records: r,
                rows: 0,
                current: true,
            });
        }
        let Some(batches) = self.rollup_rows(true).await? else {
            return Ok(RollupOutcome::default());
        };
        let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
        let records: u64 = batches
            .iter()
            .map(|b| {
                use datafusion::arrow::array::AsArray;
                use datafusion::arrow::datatypes::Int64Type;
                let c = b.column(14);
                let c = datafusion::arrow::compute::cast(
                    c,
                    &datafusion::arrow::datatypes::DataType::Int64,
                )
                .expect("count casts to i64");
                c.as_primitive::<Int64Type>().iter().flatten().sum::<i64>() as u64
            })
            .sum();
        let _lock = self.lock()?;
        let mut manifest = Manifest::load(self.root())?;
        let state = state_of(&manifest);
        let dir = self.root().join("batches");
        std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let name = format!("rollup-{state}.parquet");
        let tmp = dir.join(format!(".{name}.tmp"));
        {
            let f = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
            let schema = match batches.first() {
                Some(b) => b.schema(),
                None => return Ok(RollupOutcome::default()),
            };
            let at = StoreError::parquet_at(&tmp);
            let mut w = ArrowWriter::try_new(f, schema, None).map_err(&at)?;
            for b in &batches {
                w.write(b).map_err(&at)?;
            }
            let f = w.into_inner().map_err(&at)?;
            f.sync_all().map_err(StoreError::io(&tmp))?;
        }
        let dest = dir.join(&name);
        std::fs::rename(&tmp, &dest).map_err(StoreError::io(&dest))?;
        sync_dir(&dir)?;
        let (blake3, bytes) = hash_file(&dest)?;
        let old = manifest.rollup.take();
        manifest.rollup = Some(RollupEntry {
            state,
            records,
            file: FileEntry {
                table: "rollup".into(),
                path: format!("batches/{name}"),
                rows,
                bytes,
                blake3,
            },
        });
        manifest.save(self.root())?;
        if let Some(old) = old {
            if old.file.path != format!("batches/{name}") {
                let _ = std::fs::remove_file(self.root().join(&old.file.path));
            }
        }
        self.replace_manifest(manifest);
        Ok(RollupOutcome {
            records,
            rows,
            current: false,
        })
    }
}

/// Registers in `to` the `rollup` table `from` holds (in memory after
/// [`hold_rollup_in_memory`]), so a new session over the same store version (a claims
/// write changes the `attribution` column, not the rollup) shares it instead of
/// reading and splitting it again. False when `from` has no rollup.
pub(crate) async fn share_rollup(
    from: &datafusion::prelude::SessionContext,
    to: &datafusion::prelude::SessionContext,
) -> Result<bool, StoreError> {
    if !from.table_exist("rollup")? {
        return Ok(false);
    }
    let table = from.table_provider("rollup").await?;
    to.deregister_table("rollup")?;
    to.register_table("rollup", table)?;
    Ok(true)
}

/// Replaces the `rollup` table of `ctx` (registered by [`Store::context`] when the
/// rollup is current) with an in-memory copy split into one partition per core, so
/// that queries stop decoding Parquet on every call: what a long-lived reader (the
/// server, a notebook) wants; a one-shot command does not. Costs memory about the
/// size of the decoded rollup. Returns the rollup's rows, or `None` when `ctx` has
/// no rollup.
pub(crate) async fn hold_rollup_in_memory(
    ctx: &datafusion::prelude::SessionContext,
) -> Result<Option<Vec<datafusion::arrow::array::RecordBatch>>, StoreError> {
    if !ctx.table_exist("rollup")? {
        return Ok(None);
    }
    let df = ctx.table("rollup").await?;
    let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await?;
    let n = ctx.state().config().target_partitions().max(1);
    let mut parts: Vec<Vec<datafusion::arrow::array::RecordBatch>> = vec![Vec::new(); n];
    // Round-robin over slices of at most 64k rows, so partitions stay even.
    let mut k = 0;
    for b in &batches {
        let mut off = 0;
        while off < b.num_rows() {
            let len = (b.num_rows() - off).min(65_536);
            parts[k % n].push(b.slice(off, len));
            k += 1;
            off += len;
        }
    }
    let table = datafusion::datasource::MemTable::try_new(schema, parts)?;
    ctx.deregister_table("rollup")?;
    ctx.register_table("rollup", std::sync::Arc::new(table))?;
    Ok(Some(batches))
}
