//! Opening a store, verifying it, and querying it with DataFusion.

use crate::manifest::Manifest;
use crate::{schema, BatchOptions, BatchWriter, StoreError};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SQLOptions, SessionConfig, SessionContext};
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open store directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    manifest: Manifest,
    attribution: Option<Arc<Vec<[String; 3]>>>,
}

impl Store {
    /// Opens an existing store and verifies every data file against its checksum
    /// (files unchanged since they were last found whole are trusted without being
    /// hashed again: see [`Store::verify`] for the full check).
    pub fn open(root: impl AsRef<Path>) -> Result<Store, StoreError> {
        let root = root.as_ref().to_path_buf();
        let manifest = Manifest::load(&root)?;
        let store = Store {
            root,
            manifest,
            attribution: None,
        };
        // Files unchanged since they were last hashed and found whole are not hashed
        // again (see the `verified` module); `verify` hashes everything.
        crate::verified::verify(&store.root, &store.manifest, false)?;
        Ok(store)
    }

    /// Opens a store, creating an empty one if the directory has no manifest.
    pub fn open_or_create(root: impl AsRef<Path>) -> Result<Store, StoreError> {
        let root = root.as_ref().to_path_buf();
        if !root.join("manifest.json").exists() {
            std::fs::create_dir_all(&root).map_err(StoreError::io(&root))?;
            if root
                .read_dir()
                .map_err(StoreError::io(&root))?
                .next()
                .is_some()
                && !root.join("batches").exists()
            {
                // Refuse to scatter store files into an unrelated, non-empty directory.
                let stray = root
                    .read_dir()
                    .map_err(StoreError::io(&root))?
                    .filter_map(|e| e.ok())
                    .any(|e| e.file_name() != ".lock");
                if stray {
                    return Err(StoreError::Io {
                        path: root,
                        source: std::io::Error::other("directory exists, is not empty and is not a sitrep store; choose a new or empty directory"),
                    });
                }
            }
            Manifest::default().save(&root)?;
        }
        Store::open(root)
    }

    /// Checks that every file named by the manifest exists and matches its BLAKE3,
    /// hashing every one of them whatever the verification cache says. Returns the
    /// number of files hashed.
    pub fn verify(&self) -> Result<usize, StoreError> {
        crate::verified::verify(&self.root, &self.manifest, true)
    }

    /// Sets the attribution verdict of incidents, as `[source, source_event_id,
    /// verdict]` rows: sessions made after this have an `attribution` table and an
    /// `attribution` column in `incidents` (NULL for incidents without a row).
    /// Verdicts are derived (sitrep-claims computes them from records and the claims
    /// journal), so they live in memory, never in the manifest.
    pub fn set_attribution(&mut self, rows: Vec<[String; 3]>) {
        self.attribution = Some(Arc::new(rows));
    }

    /// True when [`Store::set_attribution`] was called.
    pub fn has_attribution(&self) -> bool {
        self.attribution.is_some()
    }

    /// The store directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest as last committed.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub(crate) fn replace_manifest(&mut self, m: Manifest) {
        self.manifest = m;
    }

    /// Takes the store's write lock (released when the writer is dropped or the process
    /// dies) and removes files a crashed writer left behind.
    pub(crate) fn lock(&self) -> Result<File, StoreError> {
        let path = self.root.join(".lock");
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(StoreError::io(&path))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: self.root.clone(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::Io { path, source: e }),
        }
        self.sweep()?;
        Ok(f)
    }

    /// Deletes files in `batches/` that the manifest does not name (left by a crash).
    fn sweep(&self) -> Result<(), StoreError> {
        let dir = self.root.join("batches");
        let Ok(entries) = dir.read_dir() else {
            return Ok(());
        };
        // Under the lock, the manifest on disk is the truth (another process may have
        // committed since this handle was opened).
        let fresh = Manifest::load(&self.root)?;
        let known: HashSet<String> = fresh.all_files().map(|f| f.path.clone()).collect();
        for e in entries.flatten() {
            let rel = format!("batches/{}", e.file_name().to_string_lossy());
            if !known.contains(&rel) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(())
    }

    /// Starts a batch. Loads the stored versions of `opts.source` to classify rows.
    pub async fn begin(&self, opts: BatchOptions) -> Result<BatchWriter, StoreError> {
        let lock = self.lock()?;
        // Re-read the manifest under the lock: another process may have committed.
        let fresh = Store {
            root: self.root.clone(),
            manifest: Manifest::load(&self.root)?,
            attribution: None,
        };
        let stored = fresh.stored_versions(&opts.source).await?;
        BatchWriter::new(&fresh, opts, stored, lock)
    }

    async fn stored_versions(
        &self,
        source: &str,
    ) -> Result<Vec<(String, i64, String, String, bool)>, StoreError> {
        if !self.manifest.batches.iter().any(|b| b.source == source) {
            return Ok(Vec::new());
        }
        let ctx = self.context().await?;
        let df = ctx
            .table("records")
            .await?
            .filter(datafusion::prelude::col("source").eq(datafusion::prelude::lit(source)))?
            .select_columns(&["source_event_id", "version", "row_hash", "record_id"])?;
        let changed: HashSet<String> = {
            let mut s = HashSet::new();
            for b in ctx
                .table("changes")
                .await?
                .select_columns(&["record_id"])?
                .collect()
                .await?
            {
                let a = b.column(0).as_string::<i32>();
                for i in 0..a.len() {
                    s.insert(a.value(i).to_string());
                }
            }
            s
        };
        let mut out = Vec::new();
        for b in df.collect().await? {
            let id = b.column(0).as_string::<i32>();
            let v = b.column(1).as_primitive::<Int64Type>();
            let h = b.column(2).as_string::<i32>();
            let r = b.column(3).as_string::<i32>();
            for i in 0..b.num_rows() {
                let rid = r.value(i).to_string();
                let current = !changed.contains(&rid);
                out.push((
                    id.value(i).to_string(),
                    v.value(i),
                    h.value(i).to_string(),
                    rid,
                    current,
                ));
            }
        }
        Ok(out)
    }

    fn table(
        &self,
        name: &str,
        schema: SchemaRef,
    ) -> Result<Arc<dyn datafusion::catalog::TableProvider>, StoreError> {
        let files: Vec<&crate::FileEntry> = self.manifest.files(name).collect();
        if files.is_empty() {
            return Ok(Arc::new(MemTable::try_new(
                Arc::clone(&schema),
                vec![vec![]],
            )?));
        }
        let mut urls = Vec::new();
        for f in files {
            let abs =
                std::path::absolute(self.root.join(&f.path)).map_err(StoreError::io(&self.root))?;
            urls.push(ListingTableUrl::parse(abs.to_string_lossy())?);
        }
        let opts =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(opts)
            .with_schema(schema);
        Ok(Arc::new(ListingTable::try_new(config)?))
    }

    /// A DataFusion session with the store's tables and views registered.
    pub async fn context(&self) -> Result<SessionContext, StoreError> {
        let config = SessionConfig::new().with_information_schema(true);
        let ctx = SessionContext::new_with_config(config);
        ctx.register_table("records", self.table("records", schema::records())?)?;
        ctx.register_table("changes", self.table("changes", schema::changes())?)?;
        ctx.register_table(
            "quarantine",
            self.table("quarantine", schema::quarantine())?,
        )?;
        ctx.register_table("batches", Arc::new(self.batches_table()?))?;
        ctx.register_table(
            "enrichment",
            self.table("enrichment", schema::enrichment())?,
        )?;
        for (name, schema) in [
            ("match_pairs", crate::matching::match_pairs_schema()),
            ("match_clusters", crate::matching::match_clusters_schema()),
            ("match_members", crate::matching::match_members_schema()),
        ] {
            ctx.register_table(name, self.table(name, schema)?)?;
        }
        let decisions = self.decisions_table()?;
        ctx.register_table(
            "match_decisions",
            Arc::new(MemTable::try_new(
                decisions.schema(),
                vec![vec![decisions]],
            )?),
        )?;
        if let Some(rows) = &self.attribution {
            ctx.register_table("attribution", Arc::new(attribution_table(rows)?))?;
        }
        ctx.sql(&crate::matching::incidents_view_sql(
            self.attribution.is_some(),
            self.manifest.files("match_clusters").next().is_some(),
        ))
        .await?;
        // The rollup is a table only while it matches the store; stale, readers take
        // the raw path.
        if self.rollup_current() {
            if let Some(r) = &self.manifest.rollup {
                let abs = std::path::absolute(self.root.join(&r.file.path))
                    .map_err(StoreError::io(&self.root))?;
                ctx.register_parquet(
                    "rollup",
                    abs.to_string_lossy().as_ref(),
                    datafusion::prelude::ParquetReadOptions::default(),
                )
                .await?;
            }
        }
        Ok(ctx)
    }

    fn batches_table(&self) -> Result<MemTable, StoreError> {
        use datafusion::arrow::array::{Int64Builder, StringBuilder};
        let schema = Arc::new(Schema::new(vec![
            Field::new("batch", DataType::Int64, false),
            Field::new("source", DataType::Utf8, false),
            Field::new("adapter", DataType::Utf8, false),
            Field::new("file", DataType::Utf8, false),
            Field::new("input_blake3", DataType::Utf8, false),
            Field::new("committed_at", DataType::Utf8, false),
            Field::new("read", DataType::Int64, false),
            Field::new("new", DataType::Int64, false),
            Field::new("updated", DataType::Int64, false),
            Field::new("unchanged", DataType::Int64, false),
            Field::new("rejected", DataType::Int64, false),
            Field::new("deleted", DataType::Int64, false),
            Field::new("folded", DataType::Int64, false),
            // What the batch covers, for people (`complete 2020-01-01 – 2020-12-31
            // (Afghanistan)`) and as JSON spans; null in stores that predate it.
            Field::new("coverage", DataType::Utf8, true),
            Field::new("coverage_json", DataType::Utf8, true),
        ]));
        let mut id = Int64Builder::new();
        let (mut src, mut ad, mut file, mut h, mut at) = (
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
        );
        let mut n: Vec<Int64Builder> = (0..7).map(|_| Int64Builder::new()).collect();
        let (mut cov, mut cov_json) = (StringBuilder::new(), StringBuilder::new());
        for b in &self.manifest.batches {
            id.append_value(b.id as i64);
            src.append_value(&b.source);
            ad.append_value(&b.adapter);
            file.append_value(&b.input.file);
            h.append_value(&b.input.blake3);
            at.append_value(&b.committed_at);
            let c = &b.counts;
            for (builder, v) in n.iter_mut().zip([
                c.read,
                c.new,
                c.updated,
                c.unchanged,
                c.rejected,
                c.deleted,
                c.folded,
            ]) {
                builder.append_value(v as i64);
            }
            cov.append_option(b.coverage.as_ref().map(|c| c.describe()));
            cov_json.append_option(
                b.coverage
                    .as_ref()
                    .and_then(|c| serde_json::to_string(c).ok()),
            );
        }
        let mut cols: Vec<Arc<dyn Array>> = vec![
            Arc::new(id.finish()),
            Arc::new(src.finish()),
            Arc::new(ad.finish()),
            Arc::new(file.finish()),
            Arc::new(h.finish()),
            Arc::new(at.finish()),
        ];
        for mut b in n {
            cols.push(Arc::new(b.finish()));
        }
        cols.push(Arc::new(cov.finish()));
        cols.push(Arc::new(cov_json.finish()));
        let batch = RecordBatch::try_new(Arc::clone(&schema), cols)?;
        Ok(MemTable::try_new(schema, vec![vec![batch]])?)
    }

    /// Runs one read-only SQL statement that sitrep built (no DDL, DML or `SET`) and
    /// collects the result. A failure is [`StoreError::Internal`]: sitrep's own query
    /// failing is a bug, not the user's input. A user's own SQL goes through
    /// [`Store::user_sql`].
    pub async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, StoreError> {
        let ctx = self.context().await?;
        Self::sql_on(&ctx, sql).await
    }

    /// [`Store::sql`] on an existing session.
    pub async fn sql_on(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, StoreError> {
        Self::run_on(ctx, sql)
            .await
            .map_err(|e| StoreError::Internal {
                message: e.to_string(),
                sql: sql.to_string(),
            })
    }

    /// Runs one read-only statement the user wrote (`sitrep query --sql`): a failure
    /// is [`StoreError::Query`], the user's input to fix.
    pub async fn user_sql(&self, sql: &str) -> Result<crate::QueryResult, StoreError> {
        let ctx = self.context().await?;
        Self::run_on(&ctx, sql)
            .await
            .map(crate::QueryResult::from)
            .map_err(|e| StoreError::Query(e.to_string()))
    }

    async fn run_on(
        ctx: &SessionContext,
        sql: &str,
    ) -> Result<Vec<RecordBatch>, datafusion::error::DataFusionError> {
        let opts = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        ctx.sql_with_options(sql, opts).await?.collect().await
    }
}

/// The in-memory `attribution` table: `source`, `source_event_id`, `attribution`.
fn attribution_table(rows: &[[String; 3]]) -> Result<MemTable, StoreError> {
    use datafusion::arrow::array::StringBuilder;
    let schema = Arc::new(Schema::new(vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("source_event_id", DataType::Utf8, false),
        Field::new("attribution", DataType::Utf8, false),
    ]));
    let mut cols = [
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    ];
    for row in rows {
        for (b, v) in cols.iter_mut().zip(row) {
            b.append_value(v);
        }
    }
    let arrays: Vec<Arc<dyn Array>> = cols
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as Arc<dyn Array>)
        .collect();
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}
