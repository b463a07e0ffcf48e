//! Derived enrichment: places and actors for every record, per batch and enricher version.

use crate::manifest::{sync_dir, DerivedEntry, FileEntry, Manifest};
use crate::writer::hash_file;
use crate::{schema, Store, StoreError};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Float64Builder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::{Date32Type, Float64Type, Int32Type};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::{ArrowWriter, ProjectionMask};
use datafusion::parquet::file::properties::WriterProperties;
use sitrep_model::{
    DatePrecision, Enricher, Enrichment, EventType, Fatalities, GeoPrecision, Provenance, Record,
    VersionKind,
};
use std::fs::File;
use std::sync::Arc;

/// What [`Store::enrich`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrichOutcome {
    /// Batches (re)enriched.
    pub batches: u64,
    /// Records enriched.
    pub rows: u64,
}

/// Rows per row group of batch files (records and enrichment). Small in this crate's
/// unit tests, so that a few hundred real rows make several row groups.
pub(crate) const ROW_GROUP_ROWS: usize = if cfg!(test) { 256 } else { 128 * 1024 };

const COLS: [&str; 11] = [
    "record_id",
    "source",
    "source_event_id",
    "date_start",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "actor1",
    "actor2",
];

impl Store {
    /// True when some batch has no enrichment by this enricher version.
    pub fn enrichment_stale(&self, version: &str) -> bool {
        let m = self.manifest();
        m.batches.iter().any(|b| {
            b.files.iter().any(|f| f.table == "records")
                && !m
                    .derived
                    .iter()
                    .any(|d| d.batch == b.id && d.version == version)
        }) || m.derived.iter().any(|d| d.version != version)
    }

    /// Enriches every batch that lacks enrichment by `enricher`'s version, replacing
    /// enrichment by older versions, and commits through the manifest like a batch.
    pub fn enrich(&mut self, enricher: &dyn Enricher) -> Result<EnrichOutcome, StoreError> {
        let version = enricher.version();
        let _lock = self.lock()?;
        let mut manifest = Manifest::load(self.root())?;
        let dir = self.root().join("batches");
        let mut out = EnrichOutcome::default();
        let mut fresh: Vec<DerivedEntry> = manifest
            .derived
            .iter()
            .filter(|d| d.version == version)
            .cloned()
            .collect();
        for b in &manifest.batches {
            let Some(rec) = b.files.iter().find(|f| f.table == "records") else {
                continue;
            };
            if fresh.iter().any(|d| d.batch == b.id) {
                continue;
            }
            let name = derived_name(&version, b.id);
            let tmp = dir.join(format!(".{name}.tmp"));
            let rows = enrich_file(&self.root().join(&rec.path), &tmp, enricher)?;
            let dest = dir.join(&name);
            std::fs::rename(&tmp, &dest).map_err(StoreError::io(&dest))?;
            let (blake3, bytes) = hash_file(&dest)?;
            fresh.push(DerivedEntry {
                version: version.clone(),
                batch: b.id,
                file: FileEntry {
                    table: "enrichment".into(),
                    path: format!("batches/{name}"),
                    rows,
                    bytes,
                    blake3,
                },
            });
            out.batches += 1;
            out.rows += rows;
        }
        let stale: Vec<DerivedEntry> = manifest
            .derived
            .iter()
            .filter(|d| d.version != version)
            .cloned()
            .collect();
        if out.batches == 0 && stale.is_empty() {
            return Ok(out);
        }
        sync_dir(&dir)?;
        fresh.sort_by_key(|d| d.batch);
        manifest.derived = fresh;
        manifest.save(self.root())?;
        for d in stale {
            let _ = std::fs::remove_file(self.root().join(&d.file.path));
        }
        self.replace_manifest(manifest);
        Ok(out)
    }
}

fn enrich_file(
    src: &std::path::Path,
    tmp: &std::path::Path,
    enricher: &dyn Enricher,
) -> Result<u64, StoreError> {
    let file = File::open(src).map_err(StoreError::io(src))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), COLS);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(16 * 1024)
        .build()?;
    let out = File::create(tmp).map_err(StoreError::io(tmp))?;
    let at = StoreError::parquet_at(tmp);
    let mut w =
        ArrowWriter::try_new(out, schema::enrichment(), Some(enrichment_props())).map_err(&at)?;
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch?;
        let col = |n: &str| {
            batch
                .column_by_name(n)
                .ok_or_else(|| StoreError::Query(format!("records file lacks {n}")))
        };
        let (rid, src_, eid) = (
            col("record_id")?.as_string::<i32>(),
            col("source")?.as_string::<i32>(),
            col("source_event_id")?.as_string::<i32>(),
        );
        let ds = col("date_start")?.as_primitive::<Date32Type>();
        let (lat, lon) = (
            col("latitude")?.as_primitive::<Float64Type>(),
            col("longitude")?.as_primitive::<Float64Type>(),
        );
        let gp = col("geo_precision")?.as_primitive::<Int32Type>();
        let (country, admin1, a1, a2) = (
            col("country")?.as_string::<i32>(),
            col("admin1")?.as_string::<i32>(),
            col("actor1")?.as_string::<i32>(),
            col("actor2")?.as_string::<i32>(),
        );
        let s = |a: &datafusion::arrow::array::StringArray, i: usize| {
            (!a.is_null(i)).then(|| a.value(i).to_string())
        };
        let mut cols = EnrichColumns::default();
        for i in 0..batch.num_rows() {
            let date = ds.value_as_date(i).unwrap_or_default();
            let rec = Record {
                source: src_.value(i).to_string(),
                source_event_id: eid.value(i).to_string(),
                version: VersionKind::Sequence,
                date_start: date,
                date_end: date,
                date_precision: DatePrecision::Day,
                latitude: (!lat.is_null(i)).then(|| lat.value(i)),
                longitude: (!lon.is_null(i)).then(|| lon.value(i)),
                geo_precision: GeoPrecision::from_code(gp.value(i) as u8)
                    .unwrap_or(GeoPrecision::Country),
                country: s(country, i),
                admin1: s(admin1, i),
                admin2: None,
                location: None,
                event_type: EventType::Other,
                sub_event_type: None,
                source_event_type: String::new(),
                actor1: s(a1, i),
                actor2: s(a2, i),
                assoc_actor1: None,
                assoc_actor2: None,
                conflict: None,
                fatalities: Fatalities::UNKNOWN,
                civilian_deaths: None,
                notes: None,
                raw: String::new(),
                quality: Vec::new(),
                provenance: Provenance {
                    file: String::new(),
                    line: 0,
                    format: String::new(),
                },
            };
            cols.push(rid.value(i), &enricher.enrich(&rec));
        }
        let out = cols.finish()?;
        rows += out.num_rows() as u64;
        w.write(&out).map_err(&at)?;
    }
    let f = w.into_inner().map_err(&at)?;
    f.sync_all().map_err(StoreError::io(tmp))?;
    Ok(rows)
}

/// The file name of batch `batch`'s enrichment by enricher `version`.
pub(crate) fn derived_name(version: &str, batch: u64) -> String {
    let tag = &blake3::hash(version.as_bytes()).to_hex()[..8];
    format!("e{tag}-b{batch:06}-enrichment.parquet")
}

/// How enrichment files are written. Bounded row groups: the writer buffers one row
/// group in memory, so peak memory does not grow with the batch.
pub(crate) fn enrichment_props() -> WriterProperties {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build()
}

/// Column builders for the `enrichment` table, in schema order.
#[derive(Default)]
pub(crate) struct EnrichColumns {
    /// `record_id`, then the five place names.
    text: [StringBuilder; 6],
    dist: Float64Builder,
    flag: StringBuilder,
    agrees: BooleanBuilder,
    actors: [StringBuilder; 4],
}

impl EnrichColumns {
    /// Appends the enrichment of record `record_id`.
    pub(crate) fn push(&mut self, record_id: &str, e: &Enrichment) {
        self.text[0].append_value(record_id);
        for (k, v) in [
            &e.province_code,
            &e.province_name,
            &e.district,
            &e.region,
            &e.capital_name,
        ]
        .into_iter()
        .enumerate()
        {
            self.text[k + 1].append_option(v.as_deref());
        }
        self.dist.append_option(e.capital_distance_km);
        self.flag.append_value(e.place_flag.as_str());
        self.agrees.append_option(e.admin1_agrees);
        for (k, v) in [&e.actor1_id, &e.actor2_id, &e.actor1_root, &e.actor2_root]
            .into_iter()
            .enumerate()
        {
            self.actors[k].append_option(v.as_deref());
        }
    }

    /// The rows appended so far, as one batch; the builders start empty again.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, StoreError> {
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(13);
        for b in &mut self.text {
            cols.push(Arc::new(b.finish()));
        }
        cols.push(Arc::new(self.dist.finish()));
        cols.push(Arc::new(self.flag.finish()));
        cols.push(Arc::new(self.agrees.finish()));
        for b in &mut self.actors {
            cols.push(Arc::new(b.finish()));
        }
        Ok(RecordBatch::try_new(schema::enrichment(), cols)?)
    }
}
