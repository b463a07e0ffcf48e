//! The verification cache: which data files were hashed and found whole, with the file
//! metadata they had then, so that opening a store re-hashes only files that changed.
//!
//! Opening a store checks every file the manifest names against its BLAKE3 checksum.
//! Hashing a 10M-record store (about 1 GB) on every command cost most of a command's
//! time, so `verified.json` (beside the manifest; derived, never needed) remembers,
//! per file, the checksum it was verified against and its length, modification and
//! status-change times and inode when it was hashed. A file whose metadata all match
//! is not hashed again; any write to it (which moves its mtime and ctime, and the
//! ctime cannot be set back by user tools) makes it hashed on the next open. What the
//! cache cannot see is damage that leaves the metadata as it was (media decay under
//! an unchanged file): [`crate::Store::verify`] always hashes every file, and
//! `sitrep verify` runs it.

use crate::manifest::Manifest;
use crate::writer::hash_file;
use crate::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const FILE: &str = "verified.json";
const VERSION: u32 = 1;

/// A file as it was when its hash was found to match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    blake3: String,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    files: BTreeMap<String, Stamp>,
}

#[cfg(unix)]
fn stamp(path: &Path, blake3: &str) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        blake3: blake3.to_string(),
        len: m.len(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        ino: m.ino(),
    })
}

#[cfg(not(unix))]
fn stamp(_path: &Path, _blake3: &str) -> Option<Stamp> {
    None
}

fn load(root: &Path) -> Cache {
    std::fs::read(root.join(FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<Cache>(&b).ok())
        .filter(|c| c.version == VERSION)
        .unwrap_or_default()
}

/// Best effort: a store on a read-only medium, or a race with another reader, only
/// means the next open hashes again.
fn save(root: &Path, cache: &Cache) {
    let Ok(bytes) = serde_json::to_vec(cache) else {
        return;
    };
    let tmp = root.join(format!(".{FILE}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, root.join(FILE)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Checks every file of `manifest` under `root`: hashes those the cache does not
/// vouch for (all of them when `full`), fails on the first mismatch, and records the
/// files found whole. Returns the number of files hashed.
pub(crate) fn verify(root: &Path, manifest: &Manifest, full: bool) -> Result<usize, StoreError> {
    let cache = if full { Cache::default() } else { load(root) };
    let mut now = Cache {
        version: VERSION,
        files: BTreeMap::new(),
    };
    let mut hashed = 0;
    for f in manifest.all_files() {
        let path = root.join(&f.path);
        let before = stamp(&path, &f.blake3);
        if let (Some(b), Some(known)) = (&before, cache.files.get(&f.path)) {
            if b == known {
                now.files.insert(f.path.clone(), b.clone());
                continue;
            }
        }
        let (found, _) = hash_file(&path)?;
        hashed += 1;
        if found != f.blake3 {
            return Err(StoreError::Checksum {
                path,
                expected: f.blake3.clone(),
                found,
            });
        }
        // Only a file that did not change while it was read is vouched for.
        if let Some(b) = before.filter(|b| stamp(&path, &f.blake3).as_ref() == Some(b)) {
            now.files.insert(f.path.clone(), b);
        }
    }
    if hashed > 0 || now.files.len() != cache.files.len() {
        save(root, &now);
    }
    Ok(hashed)
}
