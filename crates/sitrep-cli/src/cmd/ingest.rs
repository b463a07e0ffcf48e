//! `sitrep ingest`.

use crate::args::{Cli, IngestArgs};
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use sitrep_ingest::Format;
use sitrep_model::Enricher;
use sitrep_store::{BatchOptions, Counts, InputEntry, Store, StoreError};
use std::io::Read;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// Hashes and counts the bytes read from the input file, and drives the progress bar.
struct Tap<R> {
    inner: R,
    state: Arc<Mutex<(blake3::Hasher, u64)>>,
    bar: ProgressBar,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.state.lock().expect("not poisoned");
        s.0.update(&buf[..n]);
        s.1 += n as u64;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// Phase timings on standard error when `SITREP_INGEST_TIMING` is set (to anything but
/// `0`): where an ingest spends its time, for profiling.
struct Timing {
    on: bool,
    last: std::time::Instant,
}

impl Timing {
    fn new() -> Self {
        Timing {
            on: std::env::var("SITREP_INGEST_TIMING").is_ok_and(|v| !v.is_empty() && v != "0"),
            last: std::time::Instant::now(),
        }
    }
    /// Reports the time since the previous mark as `phase`.
    fn mark(&mut self, phase: &str) {
        let now = std::time::Instant::now();
        if self.on {
            // Peak resident memory so far (Linux), to see which phase sets it.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
                })
                .unwrap_or_default();
            eprintln!(
                "timing: {phase:<28} {:>8.3} s  peak RSS {peak}",
                (now - self.last).as_secs_f64()
            );
        }
        self.last = now;
    }
}

pub async fn run(cli: &Cli, a: &IngestArgs) -> anyhow::Result<ExitCode> {
    let mut timing = Timing::new();
    let Some(dir) = &cli.store else {
        return Err(Failure::Input(
            "ingest needs a store: pass --store DIR (created if missing) or set SITREP_STORE; the bundled data is read-only".into(),
        )
        .into());
    };
    let format: Format = a.format.parse().map_err(Failure::Input)?;
    let mut store = Store::open_or_create(dir)?;
    // Places and actors are resolved on the parsing thread as rows are read, and
    // written beside each batch's records.
    let resolver = super::resolver()?;
    timing.mark("load resolver");
    let mut total = Counts::default();
    let mut code = ExitCode::SUCCESS;
    for path in &a.paths {
        let name = path.display().to_string();
        let (raw, size): (Box<dyn Read + Send>, u64) = if name == "-" {
            (Box::new(std::io::stdin()), 0)
        } else {
            let f =
                std::fs::File::open(path).map_err(|e| Failure::Input(format!("{name}: {e}")))?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            (Box::new(f), size)
        };
        let bar = if cli.quiet || size < (8 << 20) {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(size)
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template"),
        );
        bar.set_message(name.clone());
        let state = Arc::new(Mutex::new((blake3::Hasher::new(), 0u64)));
        let tap: Box<dyn Read + Send> = Box::new(Tap {
            inner: raw,
            state: Arc::clone(&state),
            bar: bar.clone(),
        });
        let reader =
            sitrep_ingest::decompress(tap).map_err(|e| sitrep_ingest::IngestError::Io {
                file: name.clone(),
                source: e,
            })?;
        let prepared = sitrep_ingest::prepare(&name, reader, &format)?;
        let source = a
            .source
            .clone()
            .unwrap_or_else(|| prepared.default_source().to_string());
        // Coverage: --coverage, else a file beside the data, else the mapping's.
        let coverage_file = a.coverage.clone().or_else(|| {
            (name != "-")
                .then(|| sitrep_ingest::coverage::beside(path))
                .flatten()
        });
        let coverage = match &coverage_file {
            Some(f) => Some(sitrep_ingest::coverage::read_coverage_file(f)?),
            None => prepared.coverage().cloned(),
        };
        if !cli.quiet {
            match (&coverage_file, &coverage) {
                (Some(f), Some(c)) => {
                    eprintln!("{name}: coverage from {}: {}", f.display(), c.describe())
                }
                (None, Some(c)) => eprintln!("{name}: coverage from the mapping: {}", c.describe()),
                _ => {}
            }
        }
        let opts = BatchOptions {
            source: source.clone(),
            adapter: prepared.adapter().to_string(),
            file: name.clone(),
            quarantine: a.quarantine,
            strict: a.strict,
            coverage,
        };
        let adapter = prepared.adapter().to_string();
        // A mapping with [[claims]] rules: check them before anything is stored.
        let claim_rules = mapping_claim_rules(&format, &adapter)?;
        timing.mark("open and detect");
        let mut writer = store.begin(opts).await?;
        writer.enrich_inline(resolver.version());
        timing.mark("begin (stored versions)");
        // Parsing, mapping and enrichment on one thread, classification and Parquet on
        // this one.
        prepared.run_enriched(resolver, &mut writer)?;
        bar.finish_and_clear();
        timing.mark("parse, classify, write");
        let input = {
            let s = state.lock().expect("not poisoned");
            InputEntry {
                file: name.clone(),
                bytes: s.1,
                blake3: s.0.finalize().to_hex().to_string(),
            }
        };
        let committed = writer.commit(&mut store, input);
        timing.mark("commit");
        match committed {
            Ok(outcome) => {
                for e in &outcome.errors {
                    eprintln!("quarantined: {e}");
                }
                const SHOW: usize = 10;
                for w in outcome.warnings.iter().take(SHOW) {
                    eprintln!("warning: {w}");
                }
                if outcome.warnings.len() > SHOW {
                    eprintln!(
                        "warning: … and {} more repaired rows; list them with: sitrep query --sql \"SELECT file, line, quality FROM records WHERE quality IS NOT NULL\"",
                        outcome.warnings.len() - SHOW
                    );
                }
                let what = match outcome.batch {
                    Some(b) => format!("batch {b}"),
                    None => "nothing to commit".into(),
                };
                eprintln!(
                    "{name}: {adapter} → source {source}: {} ({what})",
                    outcome.counts
                );
                if let Some(rules) = &claim_rules {
                    super::claims::import_mapped(
                        &store,
                        &source,
                        rules,
                        &name,
                        adapter.trim_start_matches("mapping:"),
                    )
                    .await?;
                }
                total += &outcome.counts;
            }
            Err(StoreError::Rejected { errors }) => {
                for e in &errors {
                    eprintln!("{e}");
                }
                eprintln!(
                    "{name}: refused: {} bad row(s); nothing from this file was stored. Fix the rows, or pass --quarantine to store the good rows and keep the bad ones in the quarantine table.",
                    errors.iter().map(|e| (e.file.clone(), e.line)).collect::<std::collections::BTreeSet<_>>().len()
                );
                code = ExitCode::from(1);
            }
            Err(e) => return Err(e.into()),
        }
    }
    if a.paths.len() > 1 {
        eprintln!("total: {total}");
    }
    // Batches stored before (or by another enricher version) are enriched now.
    let e = store.enrich(resolver)?;
    timing.mark("enrich");
    if e.rows > 0 && !cli.quiet {
        eprintln!("places and actors: {} records enriched", e.rows);
    }
    let r = store.build_rollup().await?;
    timing.mark("rollup");
    if r.rows > 0 && !cli.quiet {
        eprintln!(
            "rollup: {} incidents in {} rows (day × actors × province × type × precision × source × band)",
            r.records, r.rows
        );
    }
    Ok(code)
}

/// The `[[claims]]` rules of the mapping an ingest uses, if any.
fn mapping_claim_rules(
    format: &Format,
    adapter: &str,
) -> anyhow::Result<Option<sitrep_claims::ClaimRules>> {
    let Some(name) = adapter.strip_prefix("mapping:") else {
        return Ok(None);
    };
    let mapping = match format {
        Format::Mapping(path) => sitrep_ingest::Mapping::resolve(path)?,
        _ => match sitrep_ingest::bundled_mappings()
            .into_iter()
            .find(|m| m.name == name)
        {
            Some(m) => m,
            None => return Ok(None),
        },
    };
    if mapping.claims.is_empty() {
        return Ok(None);
    }
    let rules = sitrep_claims::ClaimRules::from_tables(&mapping.claims, adapter)
        .map_err(super::claims::ledger_err)?;
    Ok(Some(rules))
}
