//! Writing one batch: classification of incoming records, Parquet files, the commit.

use crate::enrich::{derived_name, enrichment_props, EnrichColumns};
use crate::manifest::{sync_dir, BatchEntry, Counts, DerivedEntry, FileEntry, InputEntry};
use crate::{schema, Store, StoreError};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, Date32Builder, Float64Builder, Int32Builder, Int64Builder,
    PrimitiveBuilder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::ArrowPrimitiveType;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::schema::types::ColumnPath;
use sitrep_ingest::{Mapped, RecordSink, RowError};
use sitrep_model::{Coverage, Enrichment, Record, VersionKind};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Test hook: when the environment variable `SITREP_CRASH_AT` names this point, the
/// process aborts here (as a power cut would stop it). Used by the crash-safety tests.
pub(crate) fn crash_point(name: &str) {
    if std::env::var("SITREP_CRASH_AT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// What a batch is.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Source name stored on every record.
    pub source: String,
    /// Adapter name.
    pub adapter: String,
    /// The input file as named by the user.
    pub file: String,
    /// Commit good rows and quarantine bad ones, instead of refusing the batch.
    pub quarantine: bool,
    /// Treat repairable problems (a disordered fatality range) as errors.
    pub strict: bool,
    /// What the source covers (from the mapping or a coverage file); `None` gives
    /// the default: complete between the batch's first and last event date, for the
    /// countries it has events in.
    pub coverage: Option<Coverage>,
}

/// What a committed (or no-op) batch did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The batch number, or `None` when nothing changed and nothing was written.
    pub batch: Option<u64>,
    /// Counts.
    pub counts: Counts,
    /// Bad rows (quarantined).
    pub errors: Vec<RowError>,
    /// Rows stored with a repair, as `file:line:column (name): what`.
    pub warnings: Vec<String>,
}

/// A row hash: the first 16 bytes of the BLAKE3 hash of `source \0 raw`; stored in
/// `records.row_hash` as their 32 lowercase hex digits.
type RowHash = [u8; 16];

/// The row hash of a record (same bytes as [`Record::hash_input`], hashed without
/// copying them).
fn row_hash(source: &str, raw: &str) -> RowHash {
    let mut h = blake3::Hasher::new();
    h.update(source.as_bytes());
    h.update(&[0]);
    h.update(raw.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// A stored `row_hash` (32 hex digits). `None` for anything else, which then equals
/// no computed hash.
fn parse_hash(s: &str) -> Option<RowHash> {
    if s.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| char::from(b).to_digit(16);
        let (hi, lo) = (digit(pair[0])?, digit(pair[1])?);
        out[i] = (hi * 16 + lo) as u8;
    }
    // Only the lowercase form is ever written; anything else must not compare equal.
    (hex(&out) == s.as_bytes()).then_some(out)
}

/// The 32 lowercase hex digits of a row hash (as `blake3::Hash::to_hex` writes them).
fn hex(h: &RowHash) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, b) in h.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
    }
    out
}

#[derive(Debug, Clone)]
struct Stored {
    version: i64,
    /// `None` when the stored hash is not one sitrep writes (then no row equals it).
    hash: Option<RowHash>,
    /// `None` for versions written by this batch: their id is `source:event:version`.
    record_id: Option<Box<str>>,
    current: bool,
}

impl Stored {
    fn record_id(&self, source: &str, event: &str) -> String {
        match &self.record_id {
            Some(id) => id.to_string(),
            None => record_id(source, event, self.version),
        }
    }
}

fn record_id(source: &str, event: &str, version: i64) -> String {
    format!("{source}:{event}:{version}")
}

/// What the batch knows of one source event id.
#[derive(Debug, Default)]
struct Known {
    /// Its latest version in the store (or written by this batch).
    stored: Option<Stored>,
    /// Where and with which hash it was first seen in this file.
    seen: Option<(u64, RowHash)>,
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

const FLUSH_ROWS: usize = 32 * 1024;

/// Receives one file's rows, classifies them against the store and writes new versions.
/// Nothing is visible until [`BatchWriter::commit`].
pub struct BatchWriter {
    root: PathBuf,
    batch: u64,
    opts: BatchOptions,
    /// Every event id of this source in the store or in this file.
    ids: FastMap<String, Known>,
    cols: Columns,
    /// The thread encoding Parquet, from the first flush on.
    encoder: Option<Encoder>,
    records_tmp: PathBuf,
    written: u64,
    changes: Vec<(String, String, i64)>,
    errors: Vec<RowError>,
    warnings: Vec<String>,
    counts: Counts,
    /// First and last event day and the countries of the rows read, for the
    /// default coverage.
    extent: Option<(NaiveDate, NaiveDate)>,
    countries: std::collections::BTreeSet<String>,
    failure: Option<StoreError>,
    /// Enrichment written beside the records (see [`BatchWriter::enrich_inline`]).
    inline: Option<Inline>,
    _lock: File,
}

/// The enrichment of the batch's records, written as they are: the batch's derived
/// file, committed with it, so that no second pass re-reads the records.
struct Inline {
    /// The enricher's version.
    version: String,
    cols: EnrichColumns,
    tmp: PathBuf,
    written: u64,
}

/// What the writer hands the encoding thread.
enum Job {
    Records(RecordBatch),
    Enrichment(RecordBatch),
    /// Inline enrichment was given up: delete its file.
    DropEnrichment,
}

/// Encodes and writes the batch's Parquet files (zstd for records) on a thread of its
/// own, so that the thread classifying rows does not wait for compression. Closing it
/// ([`Encoder::finish`]) fsyncs the files.
struct Encoder {
    tx: Option<std::sync::mpsc::SyncSender<Job>>,
    thread: Option<std::thread::JoinHandle<Result<Written, StoreError>>>,
}

/// The checksum (BLAKE3, hex) and length of each file the encoder wrote.
#[derive(Default)]
struct Written {
    records: Option<(String, u64)>,
    enrichment: Option<(String, u64)>,
}

/// A file that hashes every byte written to it, so that a new batch file's checksum
/// costs no second read of the file. The Parquet writer only appends.
struct HashingFile {
    file: File,
    hasher: blake3::Hasher,
    bytes: u64,
}

impl HashingFile {
    fn create(path: &Path) -> Result<HashingFile, StoreError> {
        Ok(HashingFile {
            file: File::create(path).map_err(StoreError::io(path))?,
            hasher: blake3::Hasher::new(),
            bytes: 0,
        })
    }
}

impl std::io::Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Encoder {
    fn spawn(records: PathBuf, enrichment: Option<PathBuf>) -> Encoder {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(2);
        let thread = std::thread::Builder::new()
            .name("sitrep-parquet".into())
            .spawn(move || encode(rx, records, enrichment))
            .expect("spawn the Parquet thread");
        Encoder {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    /// Hands over a job; the thread's error if it has stopped.
    fn send(&mut self, job: Job) -> Result<(), StoreError> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(job).is_ok());
        if sent {
            Ok(())
        } else {
            self.finish().map(|_| ())
        }
    }

    /// Waits for every job, closes and fsyncs the files; their checksums.
    fn finish(&mut self) -> Result<Written, StoreError> {
        self.tx = None;
        match self.thread.take().map(|t| t.join()) {
            None => Ok(Written::default()),
            Some(Ok(done)) => done,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        }
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // A discarded batch: let the thread stop before its files are removed.
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The encoding thread: writes each file as its first batch comes, fsyncs at the end.
fn encode(
    rx: std::sync::mpsc::Receiver<Job>,
    records_tmp: PathBuf,
    mut enrichment_tmp: Option<PathBuf>,
) -> Result<Written, StoreError> {
    let open = |path: &Path, schema, props| -> Result<ArrowWriter<HashingFile>, StoreError> {
        ArrowWriter::try_new(HashingFile::create(path)?, schema, Some(props))
            .map_err(StoreError::parquet_at(path))
    };
    let mut records: Option<ArrowWriter<HashingFile>> = None;
    let mut enrichment: Option<ArrowWriter<HashingFile>> = None;
    for job in rx {
        match job {
            Job::Records(b) => {
                if records.is_none() {
                    records = Some(open(&records_tmp, schema::records(), props())?);
                }
                records
                    .as_mut()
                    .expect("opened")
                    .write(&b)
                    .map_err(StoreError::parquet_at(&records_tmp))?;
            }
            Job::Enrichment(b) => {
                let Some(path) = &enrichment_tmp else {
                    continue;
                };
                if enrichment.is_none() {
                    enrichment = Some(open(path, schema::enrichment(), enrichment_props())?);
                }
                enrichment
                    .as_mut()
                    .expect("opened")
                    .write(&b)
                    .map_err(StoreError::parquet_at(path))?;
            }
            Job::DropEnrichment => {
                enrichment = None;
                if let Some(path) = enrichment_tmp.take() {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
    let close = |w: Option<ArrowWriter<HashingFile>>, path: Option<&PathBuf>| match (w, path) {
        (Some(w), Some(path)) => {
            let f = w.into_inner().map_err(StoreError::parquet_at(path))?;
            f.file.sync_all().map_err(StoreError::io(path))?;
            Ok(Some((f.hasher.finalize().to_hex().to_string(), f.bytes)))
        }
        _ => Ok::<_, StoreError>(None),
    };
    Ok(Written {
        records: close(records, Some(&records_tmp))?,
        enrichment: close(enrichment, enrichment_tmp.as_ref())?,
    })
}

impl BatchWriter {
    pub(crate) fn new(
        store: &Store,
        opts: BatchOptions,
        stored_rows: Vec<(String, i64, String, String, bool)>,
        lock: File,
    ) -> Result<Self, StoreError> {
        let batch = store.manifest().next_batch;
        let root = store.root().to_path_buf();
        let dir = root.join("batches");
        std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let mut ids: FastMap<String, Known> =
            FastMap::with_capacity_and_hasher(stored_rows.len(), Default::default());
        for (id, version, hash, record_id, current) in stored_rows {
            let k = ids.entry(id).or_default();
            let keep = k.stored.as_ref().is_none_or(|s| version > s.version);
            if keep {
                k.stored = Some(Stored {
                    version,
                    hash: parse_hash(&hash),
                    record_id: Some(record_id.into_boxed_str()),
                    current,
                });
            }
        }
        Ok(BatchWriter {
            records_tmp: dir.join(format!(".b{batch:06}-records.parquet.tmp")),
            root,
            batch,
            opts,
            ids,
            cols: Columns::default(),
            encoder: None,
            written: 0,
            changes: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            extent: None,
            countries: Default::default(),
            counts: Counts::default(),
            failure: None,
            inline: None,
            _lock: lock,
        })
    }

    /// Expects every record with its enrichment by the enricher of version `version`
    /// (through [`RecordSink::accept_enriched`], as
    /// `sitrep_ingest::Prepared::run_enriched` hands them over), and commits that
    /// enrichment as the batch's derived file. If a record arrives without it, the
    /// writer drops what it has, and [`Store::enrich`] enriches the batch after the
    /// commit as it would have without this call.
    pub fn enrich_inline(&mut self, version: String) {
        let name = derived_name(&version, self.batch);
        self.inline = Some(Inline {
            version,
            cols: EnrichColumns::default(),
            tmp: self.root.join("batches").join(format!(".{name}.tmp")),
            written: 0,
        });
    }

    /// Gives up the inline enrichment (a record came without one).
    fn drop_inline(&mut self) {
        if self.inline.take().is_some() {
            if let Some(enc) = &mut self.encoder {
                if let Err(e) = enc.send(Job::DropEnrichment) {
                    self.failure.get_or_insert(e);
                }
            }
        }
    }

    /// Counts so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Takes the record boxed, as it came: moving hundreds of bytes per row out of the
    /// box showed in profiles.
    fn add_record(&mut self, mut r: Box<Record>, enrichment: Option<Box<Enrichment>>) {
        self.counts.read += 1;
        r.source.clone_from(&self.opts.source);
        if !r.quality.is_empty() {
            let at = |n: &sitrep_model::QualityNote| {
                sitrep_ingest::FieldError::at(&n.column, Some(n.column_index), n.message.clone())
            };
            if self.opts.strict {
                self.counts.rejected += 1;
                for n in &r.quality {
                    self.errors.push(RowError {
                        file: r.provenance.file.clone(),
                        line: r.provenance.line,
                        field: at(n),
                        raw: r.raw.clone(),
                    });
                }
                return;
            }
            for n in &r.quality {
                let e = RowError {
                    file: r.provenance.file.clone(),
                    line: r.provenance.line,
                    field: at(n),
                    raw: String::new(),
                };
                self.warnings.push(e.to_string());
            }
        }
        let last = r.date_end.max(r.date_start);
        self.extent = Some(match self.extent {
            None => (r.date_start, last),
            Some((a, b)) => (a.min(r.date_start), b.max(last)),
        });
        if let Some(c) = &r.country {
            if !self.countries.contains(c) {
                self.countries.insert(c.clone());
            }
        }
        let hash = row_hash(&r.source, &r.raw);
        let known = self.ids.get(&r.source_event_id);
        if let Some((line, h)) = known.and_then(|k| k.seen) {
            if h == hash {
                // The same row twice in one file: one event, said in the summary.
                self.counts.folded += 1;
            } else if !matches!(r.version, VersionKind::Timestamp(_)) {
                self.counts.rejected += 1;
                self.errors.push(RowError {
                    file: r.provenance.file.clone(),
                    line: r.provenance.line,
                    field: sitrep_ingest::FieldError::row(format!(
                        "event id {:?} appears twice in this file with different content (first at line {line}); a source event can have one row per release",
                        r.source_event_id
                    )),
                    raw: r.raw.clone(),
                });
                return;
            }
            if h == hash || !matches!(r.version, VersionKind::Timestamp(_)) {
                return;
            }
        }
        let prior = known.and_then(|k| k.stored.as_ref());
        let (version, kind) = match (r.version, prior) {
            (VersionKind::Sequence, None) => (1, "sequence"),
            (VersionKind::Sequence, Some(p)) => {
                if p.hash == Some(hash) {
                    self.counts.unchanged += 1;
                    self.mark_seen(&r.source_event_id, r.provenance.line, hash);
                    return;
                }
                (p.version + 1, "sequence")
            }
            (VersionKind::Timestamp(ts), None) => (ts, "timestamp"),
            (VersionKind::Timestamp(ts), Some(p)) => {
                if ts < p.version || (ts == p.version && p.hash == Some(hash)) {
                    self.counts.unchanged += 1;
                    if ts < p.version {
                        self.counts.stale += 1;
                    }
                    self.mark_seen(&r.source_event_id, r.provenance.line, hash);
                    return;
                }
                if ts == p.version {
                    self.counts.rejected += 1;
                    self.errors.push(RowError {
                        file: r.provenance.file.clone(),
                        line: r.provenance.line,
                        field: sitrep_ingest::FieldError::at("timestamp", None, format!(
                            "event {:?} has the stored timestamp {ts} but different content; the source must raise the timestamp when it changes a row",
                            r.source_event_id
                        )),
                        raw: r.raw.clone(),
                    });
                    return;
                }
                (ts, "timestamp")
            }
        };
        if !r.quality.is_empty() {
            self.counts.flagged += 1;
        }
        match prior {
            None => self.counts.new += 1,
            Some(p) => {
                self.counts.updated += 1;
                if p.current {
                    let id = p.record_id(&r.source, &r.source_event_id);
                    self.changes.push((id, "superseded".into(), version));
                }
            }
        }
        let rid = record_id(&r.source, &r.source_event_id, version);
        self.cols.push(
            &r,
            &rid,
            version,
            kind,
            self.batch as i64,
            std::str::from_utf8(&hex(&hash)).expect("hex digits"),
        );
        match (&mut self.inline, enrichment) {
            (Some(inl), Some(e)) => inl.cols.push(&rid, &e),
            (Some(_), None) => self.drop_inline(),
            (None, _) => {}
        }
        let now = Stored {
            version,
            hash: Some(hash),
            record_id: None,
            current: true,
        };
        let seen = Some((r.provenance.line, hash));
        match self.ids.get_mut(&r.source_event_id) {
            Some(k) => {
                k.seen = seen;
                k.stored = Some(now);
            }
            None => {
                self.ids.insert(
                    std::mem::take(&mut r.source_event_id),
                    Known {
                        stored: Some(now),
                        seen,
                    },
                );
            }
        }
        if self.cols.len >= FLUSH_ROWS {
            self.flush();
        }
    }

    /// Records that an event id was seen in this file (at `line`, with `hash`).
    fn mark_seen(&mut self, id: &str, line: u64, hash: RowHash) {
        if let Some(k) = self.ids.get_mut(id) {
            k.seen = Some((line, hash));
        } else {
            self.ids.insert(
                id.to_string(),
                Known {
                    stored: None,
                    seen: Some((line, hash)),
                },
            );
        }
    }

    fn add_deletion(&mut self, id: String, at: i64, line: u64) {
        let _ = line;
        match self.ids.get_mut(&id).and_then(|k| k.stored.as_mut()) {
            Some(s) if s.current && s.version <= at => {
                s.current = false;
                let record_id = s.record_id(&self.opts.source, &id);
                self.changes.push((record_id, "deleted".into(), at));
                self.counts.deleted += 1;
            }
            Some(_) => self.counts.unchanged += 1,
            None => self.counts.not_found += 1,
        }
    }

    fn flush(&mut self) {
        if self.failure.is_some() || self.cols.len == 0 {
            return;
        }
        let batch = match self.cols.finish() {
            Ok(b) => b,
            Err(e) => {
                self.failure = Some(e);
                return;
            }
        };
        let enrichment = match self.inline.as_mut().map(|i| i.cols.finish()) {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                self.failure = Some(e);
                return;
            }
            None => None,
        };
        let enc = self.encoder.get_or_insert_with(|| {
            Encoder::spawn(
                self.records_tmp.clone(),
                self.inline.as_ref().map(|i| i.tmp.clone()),
            )
        });
        self.written += batch.num_rows() as u64;
        let mut sent = enc.send(Job::Records(batch));
        if let (Ok(()), Some(b), Some(inl)) = (&sent, enrichment, &mut self.inline) {
            inl.written += b.num_rows() as u64;
            sent = enc.send(Job::Enrichment(b));
        }
        if let Err(e) = sent {
            self.failure = Some(e);
        }
    }

    fn discard(&mut self) {
        self.encoder = None;
        let _ = std::fs::remove_file(&self.records_tmp);
        if let Some(inl) = self.inline.take() {
            let _ = std::fs::remove_file(&inl.tmp);
        }
    }

    /// The batch's coverage: as given, or the default from the rows read.
    fn coverage(&self) -> Option<Coverage> {
        if let Some(c) = &self.opts.coverage {
            // A statement that names no country speaks for the countries the batch
            // has events in (a week list of an Afghanistan extract says nothing of
            // Pakistan).
            let mut c = c.clone();
            for s in &mut c.spans {
                if s.countries.is_empty() {
                    s.countries = self.countries.iter().cloned().collect();
                }
            }
            return Some(c);
        }
        let (a, b) = self.extent?;
        Some(Coverage::default_for(
            a,
            b,
            self.countries.iter().cloned().collect(),
        ))
    }

    /// Makes the batch durable and visible, or refuses it. With bad rows and without
    /// `quarantine`, nothing is written and [`StoreError::Rejected`] lists them all.
    pub fn commit(mut self, store: &mut Store, input: InputEntry) -> Result<Outcome, StoreError> {
        self.flush();
        if let Some(e) = self.failure.take() {
            self.discard();
            return Err(e);
        }
        if !self.errors.is_empty() && !self.opts.quarantine {
            self.discard();
            return Err(StoreError::Rejected {
                errors: std::mem::take(&mut self.errors),
            });
        }
        let nothing = self.written == 0 && self.changes.is_empty() && self.errors.is_empty();
        if nothing {
            self.discard();
            return Ok(Outcome {
                batch: None,
                counts: self.counts.clone(),
                errors: Vec::new(),
                warnings: std::mem::take(&mut self.warnings),
            });
        }
        let dir = self.root.join("batches");
        let mut files = Vec::new();
        let mut sums = Written::default();
        if let Some(mut enc) = self.encoder.take() {
            match enc.finish() {
                Ok(w) => sums = w,
                Err(e) => {
                    self.discard();
                    return Err(e);
                }
            }
        }
        if self.written > 0 {
            crash_point("after-records-write");
            files.push(self.install(&dir, "records", self.written, sums.records)?);
        }
        let derived = match self.inline.take() {
            Some(inl) if self.written > 0 => {
                Some(inl.commit(&dir, self.batch, self.written, sums.enrichment)?)
            }
            other => {
                self.inline = other;
                self.drop_inline();
                None
            }
        };
        if !self.changes.is_empty() {
            let b = changes_batch(&self.changes, self.batch as i64)?;
            files.push(self.write_small(&dir, "changes", b)?);
        }
        if !self.errors.is_empty() {
            let b = quarantine_batch(&self.errors, self.batch as i64)?;
            files.push(self.write_small(&dir, "quarantine", b)?);
        }
        sync_dir(&dir)?;
        let entry = BatchEntry {
            id: self.batch,
            source: self.opts.source.clone(),
            adapter: self.opts.adapter.clone(),
            input,
            committed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            counts: self.counts.clone(),
            files,
            coverage: self.coverage(),
        };
        let mut manifest = store.manifest().clone();
        manifest.batches.push(entry);
        manifest.derived.extend(derived);
        manifest.next_batch = self.batch + 1;
        if !self.changes.is_empty() {
            // The run's clusters name versions that are no longer current.
            manifest.matching = None;
        }
        manifest.save(&self.root)?;
        store.replace_manifest(manifest);
        Ok(Outcome {
            batch: Some(self.batch),
            counts: self.counts.clone(),
            errors: std::mem::take(&mut self.errors),
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    /// Renames the written file into place. `sum` is its checksum and length when the
    /// writer hashed it while writing; else the file is read to hash it.
    fn install(
        &self,
        dir: &Path,
        table: &str,
        rows: u64,
        sum: Option<(String, u64)>,
    ) -> Result<FileEntry, StoreError> {
        let name = format!("b{:06}-{table}.parquet", self.batch);
        let dest = dir.join(&name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::rename(&tmp, &dest).map_err(StoreError::io(&dest))?;
        let (blake3, bytes) = match sum {
            Some(s) => s,
            None => hash_file(&dest)?,
        };
        Ok(FileEntry {
            table: table.into(),
            path: format!("batches/{name}"),
            rows,
            bytes,
            blake3,
        })
    }

    fn write_small(
        &self,
        dir: &Path,
        table: &str,
        batch: RecordBatch,
    ) -> Result<FileEntry, StoreError> {
        let name = format!("b{:06}-{table}.parquet", self.batch);
        let tmp = dir.join(format!(".{name}.tmp"));
        let f = File::create(&tmp).map_err(StoreError::io(&tmp))?;
        let at = StoreError::parquet_at(&tmp);
        let mut w = ArrowWriter::try_new(f, batch.schema(), Some(props())).map_err(&at)?;
        w.write(&batch).map_err(&at)?;
        let f = w.into_inner().map_err(&at)?;
        f.sync_all().map_err(StoreError::io(&tmp))?;
        self.install(dir, table, batch.num_rows() as u64, None)
    }
}

impl Inline {
    /// Puts the (written and fsynced) file under its name; the manifest entry that
    /// names it.
    fn commit(
        self,
        dir: &Path,
        batch: u64,
        records: u64,
        sum: Option<(String, u64)>,
    ) -> Result<DerivedEntry, StoreError> {
        if self.written != records {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(StoreError::Query(format!(
                "inline enrichment has {} rows for {records} records",
                self.written
            )));
        }
        let name = derived_name(&self.version, batch);
        let dest = dir.join(&name);
        std::fs::rename(&self.tmp, &dest).map_err(StoreError::io(&dest))?;
        let (blake3, bytes) = match sum {
            Some(s) => s,
            None => hash_file(&dest)?,
        };
        Ok(DerivedEntry {
            version: self.version,
            batch,
            file: FileEntry {
                table: "enrichment".into(),
                path: format!("batches/{name}"),
                rows: records,
                bytes,
                blake3,
            },
        })
    }
}

impl RecordSink for BatchWriter {
    fn accept_enriched(&mut self, record: Box<Record>, enrichment: Box<Enrichment>) {
        self.add_record(record, Some(enrichment));
    }
    fn accept(&mut self, item: Mapped) {
        match item {
            Mapped::Record(r) => self.add_record(r, None),
            Mapped::Deletion {
                source_event_id,
                deleted_at,
                line,
            } => {
                self.counts.read += 1;
                self.add_deletion(source_event_id, deleted_at, line)
            }
        }
    }
    fn reject(&mut self, error: RowError) {
        // One bad row may yield several field errors; count the row once.
        let same_row = self
            .errors
            .last()
            .is_some_and(|e| e.line == error.line && e.file == error.file);
        if !same_row {
            self.counts.read += 1;
            self.counts.rejected += 1;
        }
        self.errors.push(error);
    }
}

fn props() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("valid level"),
        ))
        .set_max_row_group_row_count(Some(crate::enrich::ROW_GROUP_ROWS))
        // Columns with a different value on (nearly) every row: a dictionary would only
        // cost an interning hash per value before the writer falls back to plain pages.
        .set_column_dictionary_enabled(ColumnPath::from("record_id"), false)
        .set_column_dictionary_enabled(ColumnPath::from("source_event_id"), false)
        .set_column_dictionary_enabled(ColumnPath::from("row_hash"), false)
        .set_column_dictionary_enabled(ColumnPath::from("raw"), false)
        .build()
}

pub(crate) fn hash_file(path: &Path) -> Result<(String, u64), StoreError> {
    let mut h = blake3::Hasher::new();
    let f = File::open(path).map_err(StoreError::io(path))?;
    let n = std::io::copy(&mut std::io::BufReader::with_capacity(1 << 20, f), &mut h)
        .map_err(StoreError::io(path))?;
    Ok((h.finalize().to_hex().to_string(), n))
}

fn changes_batch(changes: &[(String, String, i64)], batch: i64) -> Result<RecordBatch, StoreError> {
    let mut id = StringBuilder::new();
    let mut b = Int64Builder::new();
    let mut c = StringBuilder::new();
    let mut at = Int64Builder::new();
    for (r, ch, t) in changes {
        id.append_value(r);
        b.append_value(batch);
        c.append_value(ch);
        at.append_value(*t);
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(b.finish()),
        Arc::new(c.finish()),
        Arc::new(at.finish()),
    ];
    Ok(RecordBatch::try_new(schema::changes(), cols)?)
}

fn quarantine_batch(errors: &[RowError], batch: i64) -> Result<RecordBatch, StoreError> {
    let mut b = Int64Builder::new();
    let mut file = StringBuilder::new();
    let mut line = Int64Builder::new();
    let mut col = StringBuilder::new();
    let mut reason = StringBuilder::new();
    let mut raw = StringBuilder::new();
    for e in errors {
        b.append_value(batch);
        file.append_value(&e.file);
        line.append_value(e.line as i64);
        col.append_option(e.field.column.as_deref());
        reason.append_value(e.to_string());
        raw.append_value(&e.raw);
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(b.finish()),
        Arc::new(file.finish()),
        Arc::new(line.finish()),
        Arc::new(col.finish()),
        Arc::new(reason.finish()),
        Arc::new(raw.finish()),
    ];
    Ok(RecordBatch::try_new(schema::quarantine(), cols)?)
}

/// Column builders for `records`, in schema order.
#[derive(Default)]
struct Columns {
    len: usize,
    record_id: StringBuilder,
    source: StringBuilder,
    source_event_id: StringBuilder,
    version: Int64Builder,
    version_kind: StringBuilder,
    batch: Int64Builder,
    file: StringBuilder,
    line: Int64Builder,
    format: StringBuilder,
    row_hash: StringBuilder,
    date_start: Date32Builder,
    date_end: Date32Builder,
    date_precision: Int32Builder,
    latitude: Float64Builder,
    longitude: Float64Builder,
    geo_precision: Int32Builder,
    country: StringBuilder,
    admin1: StringBuilder,
    admin2: StringBuilder,
    location: StringBuilder,
    event_type: StringBuilder,
    sub_event_type: StringBuilder,
    source_event_type: StringBuilder,
    actor1: StringBuilder,
    actor2: StringBuilder,
    assoc_actor1: StringBuilder,
    assoc_actor2: StringBuilder,
    conflict: StringBuilder,
    f_low: Int64Builder,
    f_best: Int64Builder,
    f_high: Int64Builder,
    civilian: Int64Builder,
    notes: StringBuilder,
    quality: StringBuilder,
    raw: StringBuilder,
}

/// A column's builder for the next batch, sized like the one it replaces.
trait Refill: ArrayBuilder + Sized {
    fn refill(&self) -> Self;
}

impl Refill for StringBuilder {
    fn refill(&self) -> Self {
        let bytes = self.values_slice().len();
        StringBuilder::with_capacity(self.len().max(FLUSH_ROWS), bytes + bytes / 8)
    }
}

impl<T: ArrowPrimitiveType> Refill for PrimitiveBuilder<T> {
    fn refill(&self) -> Self {
        PrimitiveBuilder::with_capacity(self.len().max(FLUSH_ROWS))
    }
}

/// The builder's array; the builder is replaced by a presized empty one.
fn take<B: Refill>(b: &mut B) -> ArrayRef {
    let next = b.refill();
    std::mem::replace(b, next).finish()
}

fn days(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

impl Columns {
    fn push(
        &mut self,
        r: &Record,
        record_id: &str,
        version: i64,
        kind: &str,
        batch: i64,
        hash: &str,
    ) {
        self.len += 1;
        self.record_id.append_value(record_id);
        self.source.append_value(&r.source);
        self.source_event_id.append_value(&r.source_event_id);
        self.version.append_value(version);
        self.version_kind.append_value(kind);
        self.batch.append_value(batch);
        self.file.append_value(&r.provenance.file);
        self.line.append_value(r.provenance.line as i64);
        self.format.append_value(&r.provenance.format);
        self.row_hash.append_value(hash);
        self.date_start.append_value(days(r.date_start));
        self.date_end.append_value(days(r.date_end));
        self.date_precision
            .append_value(r.date_precision.code() as i32);
        self.latitude.append_option(r.latitude);
        self.longitude.append_option(r.longitude);
        self.geo_precision
            .append_value(r.geo_precision.code() as i32);
        self.country.append_option(r.country.as_deref());
        self.admin1.append_option(r.admin1.as_deref());
        self.admin2.append_option(r.admin2.as_deref());
        self.location.append_option(r.location.as_deref());
        self.event_type.append_value(r.event_type.as_str());
        self.sub_event_type
            .append_option(r.sub_event_type.as_deref());
        self.source_event_type.append_value(&r.source_event_type);
        self.actor1.append_option(r.actor1.as_deref());
        self.actor2.append_option(r.actor2.as_deref());
        self.assoc_actor1.append_option(r.assoc_actor1.as_deref());
        self.assoc_actor2.append_option(r.assoc_actor2.as_deref());
        self.conflict.append_option(r.conflict.as_deref());
        self.f_low.append_option(r.fatalities.low.map(|v| v as i64));
        self.f_best
            .append_option(r.fatalities.best.map(|v| v as i64));
        self.f_high
            .append_option(r.fatalities.high.map(|v| v as i64));
        self.civilian
            .append_option(r.civilian_deaths.map(|v| v as i64));
        self.notes.append_option(r.notes.as_deref());
        if r.quality.is_empty() {
            self.quality.append_null();
        } else {
            let q: Vec<String> = r
                .quality
                .iter()
                .map(|n| format!("{}: {}", n.column, n.message))
                .collect();
            self.quality.append_value(q.join("; "));
        }
        self.raw.append_value(&r.raw);
    }

    fn finish(&mut self) -> Result<RecordBatch, StoreError> {
        self.len = 0;
        // Builders start again with the room the last batch needed: they do not grow
        // from nothing (and copy their bytes at each doubling) for every batch.
        let cols: Vec<ArrayRef> = vec![
            take(&mut self.record_id),
            take(&mut self.source),
            take(&mut self.source_event_id),
            take(&mut self.version),
            take(&mut self.version_kind),
            take(&mut self.batch),
            take(&mut self.file),
            take(&mut self.line),
            take(&mut self.format),
            take(&mut self.row_hash),
            take(&mut self.date_start),
            take(&mut self.date_end),
            take(&mut self.date_precision),
            take(&mut self.latitude),
            take(&mut self.longitude),
            take(&mut self.geo_precision),
            take(&mut self.country),
            take(&mut self.admin1),
            take(&mut self.admin2),
            take(&mut self.location),
            take(&mut self.event_type),
            take(&mut self.sub_event_type),
            take(&mut self.source_event_type),
            take(&mut self.actor1),
            take(&mut self.actor2),
            take(&mut self.assoc_actor1),
            take(&mut self.assoc_actor2),
            take(&mut self.conflict),
            take(&mut self.f_low),
            take(&mut self.f_best),
            take(&mut self.f_high),
            take(&mut self.civilian),
            take(&mut self.notes),
            take(&mut self.quality),
            take(&mut self.raw),
        ];
        Ok(RecordBatch::try_new(schema::records(), cols)?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sitrep_ingest::{read_file, CollectSink, Format};
    use sitrep_model::Enricher;

    /// Real rows: the first 200 of the GED 23.1 sample.
    pub(crate) fn records() -> Vec<Record> {
        let mut all = sample();
        all.truncate(200);
        all
    }

    /// Real rows: the 1,000 of the GED 23.1 sample.
    pub(crate) fn sample() -> Vec<Record> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ucdp/ged231_sample1000.csv");
        let mut sink = CollectSink::default();
        read_file(&path, &Format::Auto, &mut sink).expect("the sample reads");
        sink.records
    }

    /// An enricher that names the record it was given.
    struct Tagger;

    impl Enricher for Tagger {
        fn version(&self) -> String {
            "tagger-1".into()
        }
        fn enrich(&self, r: &Record) -> Enrichment {
            Enrichment {
                province_code: Some(r.source_event_id.clone()),
                ..Enrichment::default()
            }
        }
    }

    pub(crate) fn opts() -> BatchOptions {
        BatchOptions {
            source: "ged".into(),
            adapter: "ucdp-ged".into(),
            file: "sample.csv".into(),
            quarantine: false,
            strict: false,
            coverage: None,
        }
    }

    pub(crate) fn input() -> InputEntry {
        InputEntry {
            file: "sample.csv".into(),
            bytes: 0,
            blake3: String::new(),
        }
    }

    /// Files left in `batches/` whose name starts with a dot (temporary).
    fn temporaries(root: &Path) -> Vec<String> {
        std::fs::read_dir(root.join("batches"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn issue16_exact_repeats_of_a_row_are_folded_and_said_so() {
        // Real rows with declared ids (GED 23.1 sample, first 200); rows 6 and 18 come
        // again later in the same file, exactly.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(dir.path()).unwrap();
        let recs = records();
        let mut file = recs.clone();
        file.push(recs[5].clone());
        file.push(recs[17].clone());
        let distinct: std::collections::HashSet<&str> =
            file.iter().map(|r| r.raw.as_str()).collect();
        let repeats = (file.len() - distinct.len()) as u64;
        assert_eq!(repeats, 2);
        for round in 1..=2u64 {
            let mut w = store.begin(opts()).await.unwrap();
            for r in &file {
                w.accept(Mapped::Record(Box::new(r.clone())));
            }
            let c = w.commit(&mut store, input()).unwrap().counts;
            let (new, unchanged) = if round == 1 { (200, 0) } else { (0, 200) };
            assert_eq!(
                (c.read, c.new, c.unchanged, c.folded, c.rejected),
                (file.len() as u64, new, unchanged, repeats, 0),
                "round {round}: {c}"
            );
            // Rows stored with a repair are listed after; only the first round stores.
            let flagged = match recs.iter().filter(|r| !r.quality.is_empty()).count() {
                n if round == 1 && n > 0 => format!(", flagged {n}"),
                _ => String::new(),
            };
            assert_eq!(
                c.to_string(),
                format!("read 202, new {new}, updated 0, unchanged {unchanged}, rejected 0, folded 2 (exact repeats of an earlier row of this file, same id and content: stored once){flagged}")
            );
        }
    }

    #[tokio::test]
    async fn issue16_a_file_without_ids_keeps_identical_rows_and_reingests_as_unchanged() {
        // Real rows without ids: the GED 21.1 Afghanistan subset, `id` column cut off,
        // through the bundled subset mapping without `source_event_id`. Without ids, 49
        // rows equal an earlier row; each must still be an event.
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../data/ucdp/ged211_afghanistan_subset.csv"),
        )
        .unwrap();
        // No field of the subset spans lines and `id` (first) has no comma.
        let lines: Vec<&str> = text.lines().map(|l| l.split_once(',').unwrap().1).collect();
        let rows = (lines.len() - 1) as u64;
        let distinct: std::collections::HashSet<&str> = lines[1..].iter().copied().collect();
        assert_eq!(rows - distinct.len() as u64, 49);
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("subset_no_id.csv");
        std::fs::write(&data, lines.join("\n") + "\n").unwrap();
        let mapping = tmp.path().join("no-id.toml");
        let toml_text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../mappings/ucdp-ged-subset14.toml"),
        )
        .unwrap()
        .replace("source_event_id = \"id\"\n", "");
        assert!(!toml_text.contains("source_event_id"));
        std::fs::write(&mapping, toml_text).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(dir.path()).unwrap();
        for round in 1..=2 {
            let mut sink = CollectSink::default();
            read_file(&data, &Format::Mapping(mapping.clone()), &mut sink).unwrap();
            assert!(sink.errors.is_empty());
            let mut w = store.begin(opts()).await.unwrap();
            for r in sink.records {
                w.accept(Mapped::Record(Box::new(r)));
            }
            let c = w.commit(&mut store, input()).unwrap().counts;
            let (new, unchanged) = if round == 1 { (rows, 0) } else { (0, rows) };
            assert_eq!(
                (c.read, c.new, c.unchanged, c.folded, c.rejected),
                (rows, new, unchanged, 0, 0),
                "round {round}: {c}"
            );
        }
    }

    #[tokio::test]
    async fn inline_enrichment_is_committed_with_the_batch_or_dropped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(dir.path()).unwrap();
        let recs = records();

        // Every record enriched: one derived file, one row per record, in order.
        let mut w = store.begin(opts()).await.unwrap();
        w.enrich_inline(Tagger.version());
        for r in &recs {
            let e = Tagger.enrich(r);
            w.accept_enriched(Box::new(r.clone()), Box::new(e));
        }
        let out = w.commit(&mut store, input()).unwrap();
        assert_eq!(out.counts.new, 200);
        let d = &store.manifest().derived;
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].batch, d[0].file.rows), (1, 200));
        assert_eq!(d[0].version, "tagger-1");
        assert!(!store.enrichment_stale("tagger-1"));
        // Checksums taken while writing are those of the files on disk.
        let files: Vec<FileEntry> = store.manifest().all_files().cloned().collect();
        assert_eq!(files.len(), 2, "{files:?}");
        for f in files {
            let (sum, len) = hash_file(&dir.path().join(&f.path)).unwrap();
            assert_eq!((sum, len), (f.blake3.clone(), f.bytes), "{}", f.path);
        }
        let ctx = store.context().await.unwrap();
        let rows = ctx
            .sql("SELECT count(*) FROM incidents WHERE province_code = source_event_id")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let n = rows[0]
            .column(0)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Int64Array>()
            .unwrap()
            .value(0);
        assert_eq!(n, 200, "each record joined to its own enrichment");
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());

        // A record without enrichment in a batch of more than one flush: the writer
        // drops the partial file, and the batch is left to the post pass.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(dir.path()).unwrap();
        let mut w = store.begin(opts()).await.unwrap();
        w.enrich_inline(Tagger.version());
        let mut k = 0u64;
        for _ in 0..200 {
            for r in &recs {
                let mut r = r.clone();
                k += 1;
                r.source_event_id = format!("{}-{k}", r.source_event_id);
                if k == 39_000 {
                    w.accept(Mapped::Record(Box::new(r)));
                } else {
                    let e = Tagger.enrich(&r);
                    w.accept_enriched(Box::new(r), Box::new(e));
                }
            }
        }
        let out = w.commit(&mut store, input()).unwrap();
        assert_eq!(out.counts.new, 40_000);
        assert!(store.manifest().derived.is_empty());
        assert!(store.enrichment_stale("tagger-1"));
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());
        let e = store.enrich(&Tagger).unwrap();
        assert_eq!(e.rows, 40_000);
    }
}
