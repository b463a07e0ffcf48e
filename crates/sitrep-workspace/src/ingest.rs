//! The ingest workflow: files → batches (with coverage, places and actors, the
//! mapping's claims), then enrichment of older batches and the rollup.

use crate::{Progress, Workspace, WorkspaceError};
use sitrep_ingest::Format;
use sitrep_model::{Coverage, Enricher};
use sitrep_store::{BatchOptions, Counts, InputEntry, Outcome, StoreError};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;

/// One input of an ingest: a named byte stream and how to read it.
pub struct IngestInput {
    /// The name recorded in the batch and in every error (a path, `-` for standard
    /// input, a bundled file's path).
    pub name: String,
    /// The bytes (gzip-compressed or not: recognised by its magic bytes).
    pub reader: Box<dyn Read + Send>,
    /// Size in bytes when known (0 otherwise), for progress.
    pub size: u64,
    /// How rows are read (auto-detected, an adapter, a mapping).
    pub format: Format,
    /// The source name (default: the adapter's or mapping's).
    pub source: Option<String>,
    /// Where the coverage statement comes from.
    pub coverage: CoverageFrom,
    /// Store the good rows and quarantine bad ones (else a bad row refuses the file).
    pub quarantine: bool,
    /// Refuse rows that need a repair.
    pub strict: bool,
}

impl std::fmt::Debug for IngestInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestInput")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("format", &self.format)
            .field("source", &self.source)
            .field("coverage", &self.coverage)
            .finish_non_exhaustive()
    }
}

impl IngestInput {
    /// The file at `path` (`-`: standard input), read with `format`; coverage from a
    /// file beside it or the mapping.
    pub fn file(path: &std::path::Path, format: Format) -> Result<IngestInput, WorkspaceError> {
        let name = path.display().to_string();
        let (reader, size, coverage): (Box<dyn Read + Send>, u64, CoverageFrom) = if name == "-" {
            (Box::new(std::io::stdin()), 0, CoverageFrom::Mapping)
        } else {
            let f = std::fs::File::open(path)
                .map_err(|e| WorkspaceError::Input(format!("{name}: {e}")))?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let coverage = match sitrep_ingest::coverage::beside(path) {
                Some(c) => CoverageFrom::File(c),
                None => CoverageFrom::Mapping,
            };
            (Box::new(f), size, coverage)
        };
        Ok(IngestInput {
            name,
            reader,
            size,
            format,
            source: None,
            coverage,
            quarantine: false,
            strict: false,
        })
    }

    /// Bytes held in memory (a bundled file).
    pub fn bytes(name: &str, bytes: &'static [u8], format: Format) -> IngestInput {
        IngestInput {
            name: name.to_string(),
            reader: Box::new(bytes),
            size: bytes.len() as u64,
            format,
            source: None,
            coverage: CoverageFrom::Mapping,
            quarantine: false,
            strict: false,
        }
    }
}

/// Where a batch's coverage statement comes from (the first that exists wins:
/// a file given, a file beside the data, the mapping's `[coverage]` table, else the
/// store's default — complete between the batch's first and last event).
#[derive(Debug, Clone)]
pub enum CoverageFrom {
    /// A coverage file (TOML `[coverage]` or a `year,week` list).
    File(PathBuf),
    /// A coverage file's text held in memory (name, text).
    Text(String, String),
    /// The mapping's `[coverage]` table, if any.
    Mapping,
}

/// What happened to one input.
#[derive(Debug)]
pub struct FileReport {
    /// The input's name.
    pub name: String,
    /// The adapter that read it (`ucdp-ged`, `acled`, `mapping:NAME`).
    pub adapter: String,
    /// The source its records were stored under.
    pub source: String,
    /// Where its coverage came from and what it says.
    pub coverage: Option<(String, Coverage)>,
    /// Stored (with the batch's outcome), or refused with the rows that refused it
    /// (nothing from the file stored).
    pub result: Result<Outcome, Vec<sitrep_ingest::RowError>>,
    /// Claims the mapping's `[[claims]]` rules made, imported to the journal.
    pub claims: Option<crate::ClaimImport>,
}

/// What an ingest did.
#[derive(Debug, Default)]
pub struct IngestReport {
    /// One report per input, in order.
    pub files: Vec<FileReport>,
    /// The counts of every stored file added.
    pub total: Counts,
    /// Records of older batches (re)enriched afterwards.
    pub enriched: u64,
    /// The rebuilt rollup (records, rows).
    pub rollup: (u64, u64),
}

impl IngestReport {
    /// True when some file was refused.
    pub fn refused(&self) -> bool {
        self.files.iter().any(|f| f.result.is_err())
    }
}

/// Hashes and counts the bytes read, and reports them as progress.
struct Tap<'a, R> {
    inner: R,
    state: &'a Mutex<(blake3::Hasher, u64)>,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.state.lock().expect("not poisoned");
        s.0.update(&buf[..n]);
        s.1 += n as u64;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

impl Workspace {
    /// Ingests `inputs` in order, each as one atomic batch: a file with a bad row is
    /// refused whole (unless it quarantines) and the others still stored; a mapping's
    /// `[[claims]]` rules are checked before anything is stored and their claims
    /// imported after. Then older batches are enriched and the rollup rebuilt.
    /// `user` signs the journal entries of imported claims.
    pub async fn ingest(
        &mut self,
        inputs: Vec<IngestInput>,
        user: &str,
        progress: &dyn Progress,
    ) -> Result<IngestReport, WorkspaceError> {
        let mut report = IngestReport::default();
        for input in inputs {
            let r = self.ingest_one(input, user, progress).await?;
            if let Ok(o) = &r.result {
                report.total += &o.counts;
            }
            report.files.push(r);
        }
        let e = self.store.enrich(self.resolver.as_ref())?;
        report.enriched = e.rows;
        let r = self.store.build_rollup().await?;
        report.rollup = (r.records, r.rows);
        Ok(report)
    }

    async fn ingest_one(
        &mut self,
        input: IngestInput,
        user: &str,
        progress: &dyn Progress,
    ) -> Result<FileReport, WorkspaceError> {
        let IngestInput {
            name,
            reader,
            size,
            format,
            source,
            coverage,
            quarantine,
            strict,
        } = input;
        progress.start(&name, size);
        let state = Mutex::new((blake3::Hasher::new(), 0u64));
        let tap: Box<dyn Read + Send + '_> = Box::new(Tap {
            inner: reader,
            state: &state,
            progress,
        });
        let reader =
            sitrep_ingest::decompress(tap).map_err(|e| sitrep_ingest::IngestError::Io {
                file: name.clone(),
                source: e,
            })?;
        let prepared = sitrep_ingest::prepare(&name, reader, &format)?;
        let source = source.unwrap_or_else(|| prepared.default_source().to_string());
        let coverage = match coverage {
            CoverageFrom::File(f) => Some((
                f.display().to_string(),
                sitrep_ingest::coverage::read_coverage_file(&f)?,
            )),
            CoverageFrom::Text(n, text) => Some((
                n.clone(),
                sitrep_ingest::coverage::parse_coverage(&n, &text)?,
            )),
            CoverageFrom::Mapping => prepared
                .coverage()
                .cloned()
                .map(|c| ("the mapping".to_string(), c)),
        };
        let adapter = prepared.adapter().to_string();
        let opts = BatchOptions {
            source: source.clone(),
            adapter: adapter.clone(),
            file: name.clone(),
            quarantine,
            strict,
            coverage: coverage.as_ref().map(|c| c.1.clone()),
        };
        // A mapping with [[claims]] rules: check them before anything is stored.
        let claim_rules = crate::claims::mapping_claim_rules(&format, &adapter)?;
        let mut writer = self.store.begin(opts).await?;
        writer.enrich_inline(self.resolver.version());
        // Parsing, mapping and enrichment on one thread, classification and Parquet on
        // this one.
        prepared.run_enriched(self.resolver.as_ref(), &mut writer)?;
        progress.finish();
        let input = {
            let s = state.lock().expect("not poisoned");
            InputEntry {
                file: name.clone(),
                bytes: s.1,
                blake3: s.0.finalize().to_hex().to_string(),
            }
        };
        let result = match writer.commit(&mut self.store, input) {
            Ok(o) => Ok(o),
            Err(StoreError::Rejected { errors }) => Err(errors),
            Err(e) => return Err(e.into()),
        };
        let claims = match (&result, &claim_rules) {
            (Ok(_), Some(rules)) => Some(
                self.import_claims(
                    &source,
                    rules,
                    user,
                    &format!(
                        "ingest {name} via mapping:{}",
                        adapter.trim_start_matches("mapping:")
                    ),
                )
                .await?,
            ),
            _ => None,
        };
        Ok(FileReport {
            name,
            adapter,
            source,
            coverage,
            result,
            claims,
        })
    }
}
