//! The rollup summed in one pass over the Parquet files, without SQL: for a store whose
//! `incidents` are its current records (no match clusters) and whose every batch has
//! one enrichment file, written in the order of its records. Each batch's records and
//! enrichment are read side by side (their `record_id`s are checked row by row), so no
//! join is built; records named in `changes` are skipped as the view skips them. When a
//! condition does not hold it returns `None` and the caller takes the SQL path, which
//! defines the result (tests hold the two equal).

use crate::rollup::ROLLUP_BAND_EDGES;
use crate::{Store, StoreError};
use datafusion::arrow::array::Int32Array;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, Int32Builder, Int64Builder, RecordBatch, StringArray,
    StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::datatypes::{Date32Type, Float64Type, Int32Type, Int64Type, SchemaRef};
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use datafusion::parquet::arrow::ProjectionMask;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use crate::rollup::STRING_DIMS;

const RECORD_COLS: [&str; 11] = [
    "record_id",
    "source",
    "date_start",
    "country",
    "event_type",
    "geo_precision",
    "date_precision",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "civilian_deaths",
];

const ENRICH_COLS: [&str; 9] = [
    "record_id",
    "province_code",
    "province_name",
    "region",
    "actor1_id",
    "actor2_id",
    "actor1_root",
    "actor2_root",
    "capital_distance_km",
];

/// One group: day, interned string codes (0 = null), precisions, distance band.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    day: i32,
    strings: [u32; 10],
    geo_precision: i32,
    date_precision: i32,
    /// 0 = no band, else 1 + the band's index.
    band: u8,
}

/// Interns one column's strings; code 0 is null.
#[derive(Default)]
struct Interner {
    codes: FastMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Interner {
    fn code(&mut self, a: &StringArray, i: usize) -> u32 {
        if a.is_null(i) {
            return 0;
        }
        self.intern(a.value(i))
    }
    fn intern(&mut self, v: &str) -> u32 {
        if let Some(c) = self.codes.get(v) {
            return *c;
        }
        self.values.push(v.into());
        let c = self.values.len() as u32;
        self.codes.insert(v.into(), c);
        c
    }
    fn value(&self, code: u32) -> Option<&str> {
        (code > 0).then(|| &*self.values[code as usize - 1])
    }
}

/// A reader of `cols` of a Parquet file, of the row groups `groups` (all if `None`).
fn reader(
    path: &Path,
    cols: &[&str],
    groups: Option<Vec<usize>>,
) -> Result<ParquetRecordBatchReader, StoreError> {
    let f = File::open(path).map_err(StoreError::io(path))?;
    // The string dimensions come as dictionaries (as Parquet stores them), so that a
    // batch's distinct values are interned once rather than every row's.
    let plain =
        ParquetRecordBatchReaderBuilder::try_new(f.try_clone().map_err(StoreError::io(path))?)?;
    let hint: Vec<Field> = plain
        .schema()
        .fields()
        .iter()
        .map(|fd| {
            if STRING_DIMS.iter().any(|(n, _)| n == fd.name()) && fd.data_type() == &DataType::Utf8
            {
                Field::new(
                    fd.name(),
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                    fd.is_nullable(),
                )
            } else {
                fd.as_ref().clone()
            }
        })
        .collect();
    drop(plain);
    let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(hint)));
    let mut b = ParquetRecordBatchReaderBuilder::try_new_with_options(f, options)?;
    let mask = ProjectionMask::columns(b.parquet_schema(), cols.iter().copied());
    if let Some(g) = groups {
        b = b.with_row_groups(g);
    }
    Ok(b.with_projection(mask).with_batch_size(32 * 1024).build()?)
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, StoreError> {
    b.column_by_name(name)
        .ok_or_else(|| StoreError::Query(format!("rollup: a batch file lacks {name}")))
}

/// The band index (1-based) of a distance, as the SQL `CASE` labels it; 0 for none.
fn band(km: f64) -> u8 {
    for (i, edge) in ROLLUP_BAND_EDGES.iter().enumerate().rev() {
        if km >= *edge {
            return i as u8 + 1;
        }
    }
    0
}

impl Store {
    /// The rollup rows, summed natively, in the schema `schema` (the SQL query's), or
    /// `None` when this store needs the SQL path.
    pub(crate) fn native_rollup(
        &self,
        schema: &SchemaRef,
    ) -> Result<Option<Vec<RecordBatch>>, StoreError> {
        let m = self.manifest();
        if m.files("match_clusters").next().is_some() {
            return Ok(None);
        }
        // Each batch with records: exactly one enrichment file.
        let mut pairs = Vec::new();
        for b in &m.batches {
            let Some(rec) = b.files.iter().find(|f| f.table == "records") else {
                continue;
            };
            let mut d = m.derived.iter().filter(|d| d.batch == b.id);
            match (d.next(), d.next()) {
                (Some(e), None) => pairs.push((rec.path.clone(), e.file.path.clone())),
                _ => return Ok(None),
            }
        }
        if m.derived.len() != pairs.len() {
            return Ok(None);
        }
        let mut changed: HashSet<String> = HashSet::new();
        for f in m.files("changes") {
            for b in reader(&self.root().join(&f.path), &["record_id"], None)? {
                let b = b?;
                let a = column(&b, "record_id")?.as_string::<i32>();
                changed.extend(a.iter().flatten().map(str::to_string));
            }
        }
        // Each batch in two pieces (at a row-group boundary both files share), one
        // per thread; the threads' sums are merged.
        let mut halves: [Vec<Piece>; 2] = Default::default();
        for (rec, enr) in &pairs {
            let (a, b) = Piece::split(&self.root().join(rec), &self.root().join(enr))?;
            halves[0].push(a);
            halves[1].extend(b);
        }
        let changed = &changed;
        let parts = std::thread::scope(|scope| {
            let [first, second] = &halves;
            let other = scope.spawn(move || sum(second, changed));
            let mine = sum(first, changed);
            let theirs = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (mine, theirs)
        });
        let (Some(mut whole), Some(theirs)) = (parts.0?, parts.1?) else {
            return Ok(None);
        };
        whole.merge(theirs);
        let mut keys: Vec<(Key, [i64; 9])> = whole.groups.into_iter().collect();
        keys.sort_unstable_by_key(|(k, _)| *k);
        Ok(Some(finish(schema, &keys, &whole.strings)?))
    }
}

/// Rows of one batch: row groups of its records file and the same rows' row groups
/// of its enrichment file (`None`: the whole file).
struct Piece {
    records: std::path::PathBuf,
    enrichment: std::path::PathBuf,
    groups: Option<(Vec<usize>, Vec<usize>)>,
}

impl Piece {
    /// The batch in two halves when both files have a row-group boundary at the same
    /// row near the middle; else the whole batch and nothing.
    fn split(records: &Path, enrichment: &Path) -> Result<(Piece, Option<Piece>), StoreError> {
        let bounds = |p: &Path| -> Result<Vec<i64>, StoreError> {
            let f = File::open(p).map_err(StoreError::io(p))?;
            let b = ParquetRecordBatchReaderBuilder::try_new(f)?;
            let mut at = 0;
            Ok(b.metadata()
                .row_groups()
                .iter()
                .map(|g| {
                    at += g.num_rows();
                    at
                })
                .collect())
        };
        let (r, e) = (bounds(records)?, bounds(enrichment)?);
        let whole = |groups| Piece {
            records: records.to_path_buf(),
            enrichment: enrichment.to_path_buf(),
            groups,
        };
        let total = r.last().copied().unwrap_or(0);
        // The shared boundary closest to half the rows.
        let cut = r
            .iter()
            .enumerate()
            .filter_map(|(i, at)| e.iter().position(|x| x == at).map(|j| (i, j, *at)))
            .filter(|(_, _, at)| *at < total)
            .min_by_key(|(_, _, at)| (total - 2 * at).abs());
        Ok(match cut {
            Some((i, j, _)) => (
                whole(Some(((0..=i).collect(), (0..=j).collect()))),
                Some(whole(Some((
                    (i + 1..r.len()).collect(),
                    (j + 1..e.len()).collect(),
                )))),
            ),
            None => (whole(None), None),
        })
    }

    fn readers(&self) -> Result<(ParquetRecordBatchReader, ParquetRecordBatchReader), StoreError> {
        let (rg, eg) = match &self.groups {
            Some((r, e)) => (Some(r.clone()), Some(e.clone())),
            None => (None, None),
        };
        Ok((
            reader(&self.records, &RECORD_COLS, rg)?,
            reader(&self.enrichment, &ENRICH_COLS, eg)?,
        ))
    }
}

/// One thread's sums: its interned strings and its groups (keys in its own codes).
#[derive(Default)]
struct Part {
    strings: [Interner; 10],
    groups: FastMap<Key, [i64; 9]>,
}

impl Part {
    /// Adds `other`'s groups, its string codes translated into this part's.
    fn merge(&mut self, other: Part) {
        let maps: Vec<Vec<u32>> = (0..10)
            .map(|k| {
                let mut m = vec![0u32];
                for v in &other.strings[k].values {
                    m.push(self.strings[k].intern(v));
                }
                m
            })
            .collect();
        for (mut key, acc) in other.groups {
            for (k, c) in key.strings.iter_mut().enumerate() {
                *c = maps[k][*c as usize];
            }
            let mine = self.groups.entry(key).or_insert([0; 9]);
            for (a, b) in mine.iter_mut().zip(acc) {
                *a += b;
            }
        }
    }
}

/// Sums pieces; `None` when some piece's two files are not row-aligned.
fn sum(pieces: &[Piece], changed: &HashSet<String>) -> Result<Option<Part>, StoreError> {
    let mut part = Part::default();
    for piece in pieces {
        let (mut records, mut enrichment) = piece.readers()?;
        let (mut r, mut e): (Option<RecordBatch>, Option<RecordBatch>) = (None, None);
        loop {
            if r.as_ref().is_none_or(|b| b.num_rows() == 0) {
                r = records.next().transpose()?;
            }
            if e.as_ref().is_none_or(|b| b.num_rows() == 0) {
                e = enrichment.next().transpose()?;
            }
            let (rb, eb) = match (&r, &e) {
                (None, None) => break,
                (Some(rb), Some(eb)) => (rb, eb),
                // One file has rows the other lacks: not row-aligned.
                _ => return Ok(None),
            };
            let n = rb.num_rows().min(eb.num_rows());
            let (rs, es) = (rb.slice(0, n), eb.slice(0, n));
            if !self::add(&rs, &es, changed, &mut part.strings, &mut part.groups)? {
                return Ok(None);
            }
            r = Some(rb.slice(n, rb.num_rows() - n));
            e = Some(eb.slice(n, eb.num_rows() - n));
        }
    }
    Ok(Some(part))
}

/// Adds aligned slices of a records and an enrichment file to the groups; false when
/// their record ids differ.
fn add(
    r: &RecordBatch,
    e: &RecordBatch,
    changed: &HashSet<String>,
    strings: &mut [Interner; 10],
    groups: &mut FastMap<Key, [i64; 9]>,
) -> Result<bool, StoreError> {
    let (rid, eid) = (
        column(r, "record_id")?.as_string::<i32>(),
        column(e, "record_id")?.as_string::<i32>(),
    );
    // Per dimension: each row's dictionary key, and each key's code in `strings`.
    let mut cols: Vec<(&Int32Array, Vec<u32>)> = Vec::with_capacity(10);
    for (k, (name, enriched)) in STRING_DIMS.into_iter().enumerate() {
        let a = column(if enriched { e } else { r }, name)?;
        let d = a.as_dictionary_opt::<Int32Type>().ok_or_else(|| {
            StoreError::Query(format!("rollup: {name} was not read as a dictionary"))
        })?;
        let values = d.values().as_string::<i32>();
        let codes = (0..values.len())
            .map(|v| strings[k].code(values, v))
            .collect();
        cols.push((d.keys(), codes));
    }
    let day = column(r, "date_start")?.as_primitive::<Date32Type>();
    let gp = column(r, "geo_precision")?.as_primitive::<Int32Type>();
    let dp = column(r, "date_precision")?.as_primitive::<Int32Type>();
    let lo = column(r, "fatalities_low")?.as_primitive::<Int64Type>();
    let best = column(r, "fatalities_best")?.as_primitive::<Int64Type>();
    let hi = column(r, "fatalities_high")?.as_primitive::<Int64Type>();
    let civ = column(r, "civilian_deaths")?.as_primitive::<Int64Type>();
    let km = column(e, "capital_distance_km")?.as_primitive::<Float64Type>();
    let get =
        |a: &datafusion::arrow::array::Int64Array, i: usize| a.is_valid(i).then(|| a.value(i));
    for i in 0..r.num_rows() {
        if rid.value(i) != eid.value(i) {
            return Ok(false);
        }
        if !changed.is_empty() && changed.contains(rid.value(i)) {
            continue;
        }
        let mut codes = [0u32; 10];
        for (k, (keys, map)) in cols.iter().enumerate() {
            codes[k] = if keys.is_valid(i) {
                map[keys.value(i) as usize]
            } else {
                0
            };
        }
        let key = Key {
            day: day.value(i),
            strings: codes,
            geo_precision: gp.value(i),
            date_precision: dp.value(i),
            band: if km.is_valid(i) { band(km.value(i)) } else { 0 },
        };
        let (l, b, h, c) = (get(lo, i), get(best, i), get(hi, i), get(civ, i));
        let acc = groups.entry(key).or_insert([0; 9]);
        acc[0] += 1;
        acc[1] += l.unwrap_or(0);
        acc[2] += b.or(l).unwrap_or(0);
        acc[3] += h.unwrap_or(0);
        acc[4] += i64::from(h.is_none());
        acc[5] += c.unwrap_or(0);
        acc[6] += i64::from(c.is_some());
        acc[7] += b.unwrap_or(0);
        acc[8] += i64::from(b.is_some());
    }
    Ok(true)
}

/// The groups as batches of `schema` (columns matched by name, cast to its types).
fn finish(
    schema: &SchemaRef,
    groups: &[(Key, [i64; 9])],
    strings: &[Interner; 10],
) -> Result<Vec<RecordBatch>, StoreError> {
    let labels = sitrep_model::figure::distance_band_labels(&ROLLUP_BAND_EDGES);
    let mut out = Vec::new();
    for chunk in groups.chunks(64 * 1024) {
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for f in schema.fields() {
            let name = f.name().as_str();
            let a: ArrayRef = if let Some(k) = STRING_DIMS.iter().position(|(n, _)| *n == name) {
                let mut b = StringBuilder::new();
                for (key, _) in chunk {
                    b.append_option(strings[k].value(key.strings[k]));
                }
                Arc::new(b.finish())
            } else if let Some(k) = crate::rollup::ROLLUP_MEASURES
                .iter()
                .position(|n| *n == name)
            {
                let mut b = Int64Builder::with_capacity(chunk.len());
                b.append_slice(&chunk.iter().map(|(_, m)| m[k]).collect::<Vec<_>>());
                Arc::new(b.finish())
            } else {
                match name {
                    "date_start" => {
                        let mut b = Date32Builder::with_capacity(chunk.len());
                        b.append_slice(&chunk.iter().map(|(k, _)| k.day).collect::<Vec<_>>());
                        Arc::new(b.finish())
                    }
                    "geo_precision" | "date_precision" => {
                        let mut b = Int32Builder::with_capacity(chunk.len());
                        for (k, _) in chunk {
                            b.append_value(if name == "geo_precision" {
                                k.geo_precision
                            } else {
                                k.date_precision
                            });
                        }
                        Arc::new(b.finish())
                    }
                    "distance_band" => {
                        let mut b = StringBuilder::new();
                        for (k, _) in chunk {
                            b.append_option(
                                (k.band > 0).then(|| labels[usize::from(k.band) - 1].as_str()),
                            );
                        }
                        Arc::new(b.finish())
                    }
                    other => {
                        return Err(StoreError::Query(format!(
                            "rollup: no native column for {other}"
                        )))
                    }
                }
            };
            let a = if a.data_type() == f.data_type() {
                a
            } else {
                cast(&a, f.data_type())?
            };
            cols.push(a);
        }
        out.push(RecordBatch::try_new(Arc::clone(schema), cols)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::writer::tests::{input, opts, sample};
    use crate::Store;
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::util::display::array_value_to_string;
    use sitrep_ingest::RecordSink;
    use sitrep_model::{Enricher, Enrichment, Record};

    /// Places and actors from the record's own fields, with distances across every
    /// band (and none), nulls included.
    struct Fields;

    impl Enricher for Fields {
        fn version(&self) -> String {
            "fields-1".into()
        }
        fn enrich(&self, r: &Record) -> Enrichment {
            let lat = r.latitude.unwrap_or(0.0);
            Enrichment {
                province_code: r.admin1.clone(),
                province_name: r.admin1.as_ref().map(|a| a.to_uppercase()),
                region: r.country.clone(),
                // On the band edges, below the first, between them, and none.
                capital_distance_km: match (lat.abs() * 100.0) as i64 % 11 {
                    0 => None,
                    k @ 1..=5 => Some(crate::ROLLUP_BAND_EDGES[k as usize - 1]),
                    6 => Some(-1.0),
                    k => Some(k as f64 * 17.3),
                },
                actor1_id: r.actor1.clone(),
                actor2_id: r.actor2.clone(),
                actor1_root: r.actor1.as_ref().map(|a| a.chars().take(3).collect()),
                actor2_root: r.actor2.as_ref().map(|a| a.chars().take(3).collect()),
                ..Enrichment::default()
            }
        }
    }

    /// Every row as text, sorted: the rollup as a multiset.
    fn rows(batches: &[RecordBatch]) -> Vec<String> {
        let mut out = Vec::new();
        for b in batches {
            for i in 0..b.num_rows() {
                let cells: Vec<String> = b
                    .columns()
                    .iter()
                    .map(|c| array_value_to_string(c, i).unwrap())
                    .collect();
                out.push(cells.join("|"));
            }
        }
        out.sort();
        out
    }

    #[tokio::test]
    async fn the_native_rollup_equals_the_sql_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(dir.path()).unwrap();
        let recs = sample();
        // Batch 1 enriched inline; batch 2 revises 150 events (their first versions
        // leave `incidents`) and is enriched by the post pass.
        let mut w = store.begin(opts()).await.unwrap();
        w.enrich_inline(Fields.version());
        for r in &recs {
            w.accept_enriched(Box::new(r.clone()), Box::new(Fields.enrich(r)));
        }
        let first = w.commit(&mut store, input()).unwrap();
        let mut w = store.begin(opts()).await.unwrap();
        for r in recs.iter().step_by(7).take(150) {
            let mut r = r.clone();
            r.raw.push(' ');
            r.fatalities.best = r.fatalities.best.map(|b| b + 1);
            r.fatalities.high = None;
            w.accept(sitrep_ingest::Mapped::Record(Box::new(r)));
        }
        let out = w.commit(&mut store, input()).unwrap();
        assert!(out.counts.updated > 100, "{:?}", out.counts);
        store.enrich(&Fields).unwrap();

        let schema = {
            let sql = store.rollup_rows(false).await.unwrap().unwrap();
            sql[0].schema()
        };
        let native = store
            .native_rollup(&schema)
            .unwrap()
            .expect("this store takes the native path");
        let sql = store.rollup_rows(false).await.unwrap().unwrap();
        // Batch 1 was summed in two halves, one per thread.
        let m = store.manifest();
        for (b, d) in m.batches.iter().zip(&m.derived) {
            let rec = &b.files.iter().find(|f| f.table == "records").unwrap().path;
            let (_, second) =
                super::Piece::split(&dir.path().join(rec), &dir.path().join(&d.file.path)).unwrap();
            // Batch 2 (the revisions) fits in one row group and stays whole.
            assert_eq!(second.is_some(), b.id == 1, "batch {}", b.id);
        }
        let (a, b) = (rows(&native), rows(&sql));
        assert!(a.len() > 500, "{} groups", a.len());
        assert_eq!(a, b);
        // Every band occurs, and rows without one.
        for label in sitrep_model::figure::distance_band_labels(&crate::ROLLUP_BAND_EDGES) {
            assert!(
                a.iter().any(|r| r.contains(&format!("|{label}|"))),
                "{label}"
            );
        }
        let total: i64 = native
            .iter()
            .map(|b| {
                let n = b.column_by_name("n").unwrap();
                n.as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
                    .unwrap()
                    .iter()
                    .flatten()
                    .sum::<i64>()
            })
            .sum();
        assert_eq!(
            total as u64, first.counts.new,
            "one current version per event; superseded ones are not counted"
        );
    }
}
