//! The manifest: the single file whose atomic replacement commits a batch.

use crate::StoreError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Counts of what a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Data rows read.
    pub read: u64,
    /// Events not stored before.
    pub new: u64,
    /// Events stored before whose content changed (a new version).
    pub updated: u64,
    /// Rows identical to the stored version (or older than it).
    pub unchanged: u64,
    /// Rows that repeat an earlier row of the same file exactly (same event id, same
    /// content): folded into that row, not stored twice. Not counted in `unchanged`.
    #[serde(default)]
    pub folded: u64,
    /// Of `unchanged`: rows older than the stored version (ACLED timestamp).
    #[serde(default)]
    pub stale: u64,
    /// Bad rows (quarantined, or the reason the batch was refused).
    pub rejected: u64,
    /// Of the stored rows: those stored with a repair (see the `quality` column).
    #[serde(default)]
    pub flagged: u64,
    /// Events marked deleted by a deletion list.
    #[serde(default)]
    pub deleted: u64,
    /// Deletion notices for events not in the store.
    #[serde(default)]
    pub not_found: u64,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "read {}, new {}, updated {}, unchanged {}, rejected {}",
            self.read, self.new, self.updated, self.unchanged, self.rejected
        )?;
        if self.folded > 0 {
            write!(
                f,
                ", folded {} (exact repeats of an earlier row of this file, same id and content: stored once)",
                self.folded
            )?;
        }
        if self.flagged > 0 {
            write!(f, ", flagged {}", self.flagged)?;
        }
        if self.deleted > 0 || self.not_found > 0 {
            write!(
                f,
                ", deleted {}, not found {}",
                self.deleted, self.not_found
            )?;
        }
        Ok(())
    }
}

impl std::ops::AddAssign<&Counts> for Counts {
    fn add_assign(&mut self, o: &Counts) {
        self.read += o.read;
        self.new += o.new;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.folded += o.folded;
        self.stale += o.stale;
        self.rejected += o.rejected;
        self.flagged += o.flagged;
        self.deleted += o.deleted;
        self.not_found += o.not_found;
    }
}

/// A data file of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Table it belongs to (`records`, `changes`, `quarantine`).
    pub table: String,
    /// Path relative to the store root.
    pub path: String,
    /// Rows in the file.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// BLAKE3 of the file, hex.
    pub blake3: String,
}

/// An input file of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputEntry {
    /// The file as named on the command line.
    pub file: String,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// BLAKE3 of the bytes read, hex.
    pub blake3: String,
}

/// One committed batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchEntry {
    /// Batch number, from 1.
    pub id: u64,
    /// Source name (`--source`).
    pub source: String,
    /// Adapter that read the input.
    pub adapter: String,
    /// The input.
    pub input: InputEntry,
    /// When it was committed (RFC 3339, UTC).
    pub committed_at: String,
    /// What it did.
    pub counts: Counts,
    /// Its data files.
    pub files: Vec<FileEntry>,
    /// What the batch's source covers (days and countries; see
    /// [`sitrep_model::coverage`]). Absent in stores written before coverage was
    /// recorded: readers then fall back to the source's first and last event date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<sitrep_model::Coverage>,
}

/// The store's manifest (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `sitrep-store`.
    pub format: String,
    /// Layout version.
    pub layout: u32,
    /// Next batch number.
    pub next_batch: u64,
    /// Committed batches, oldest first.
    pub batches: Vec<BatchEntry>,
    /// Derived tables (enrichment by places and actors), rebuilt when their inputs change.
    #[serde(default)]
    pub derived: Vec<DerivedEntry>,
    /// The rollup (pre-aggregated counts; see `rollup.rs`), when one was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup: Option<crate::RollupEntry>,
    /// The last matching run (pairs, clusters), if any; dropped when a batch changes
    /// stored records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<crate::MatchingEntry>,
    /// Analysts' matching decisions (append-only JSON lines), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<FileEntry>,
}

/// A derived file: the enrichment of one batch's records by one enricher version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedEntry {
    /// The enricher's version (a hash of its data files).
    pub version: String,
    /// The batch whose records it enriches.
    pub batch: u64,
    /// The file.
    pub file: FileEntry,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format: "sitrep-store".into(),
            layout: 1,
            next_batch: 1,
            batches: Vec::new(),
            derived: Vec::new(),
            rollup: None,
            matching: None,
            decisions: None,
        }
    }
}

impl Manifest {
    /// Reads and parses `manifest.json` under `root`.
    pub fn load(root: &Path) -> Result<Manifest, StoreError> {
        let path = root.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::NotAStore {
                    path: root.to_path_buf(),
                }
            } else {
                StoreError::Io {
                    path: path.clone(),
                    source: e,
                }
            }
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::BadManifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if m.format != "sitrep-store" || m.layout != 1 {
            return Err(StoreError::BadManifest {
                path,
                message: format!("unsupported format {} layout {}", m.format, m.layout),
            });
        }
        Ok(m)
    }

    /// Writes the manifest atomically: a temporary file, fsync, rename, fsync of the
    /// directory. This rename is the commit point of every batch.
    pub fn save(&self, root: &Path) -> Result<(), StoreError> {
        let text = serde_json::to_vec_pretty(self).map_err(|e| StoreError::BadManifest {
            path: root.into(),
            message: e.to_string(),
        })?;
        write_atomic(&root.join("manifest.json"), &text)
    }

    /// Every file the manifest names: batch files, derived files, the matching run's
    /// files and the decisions file.
    pub fn all_files(&self) -> impl Iterator<Item = &FileEntry> {
        self.batches
            .iter()
            .flat_map(|b| b.files.iter())
            .chain(self.derived.iter().map(|d| &d.file))
            .chain(self.matching.iter().flat_map(|m| m.files.iter()))
            .chain(self.decisions.iter())
            .chain(self.rollup.iter().map(|r| &r.file))
    }

    /// Every data file of one table, in batch order.
    pub fn files(&self, table: &str) -> impl Iterator<Item = &FileEntry> {
        let table = table.to_string();
        self.all_files().filter(move |f| f.table == table)
    }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename, directory fsync).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut f = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
    f.write_all(bytes).map_err(StoreError::io(&tmp))?;
    f.sync_all().map_err(StoreError::io(&tmp))?;
    drop(f);
    crate::writer::crash_point("before-manifest-rename");
    std::fs::rename(&tmp, path).map_err(StoreError::io(path))?;
    sync_dir(dir)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}
