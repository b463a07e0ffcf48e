//! The append-only, hash-chained journal file.
//!
//! Layout of `<store>/ledger/journal.log`: the 8-byte magic `SRJRNL01`, then one frame
//! per entry:
//!
//! ```text
//! [len: u32 LE] [payload: len bytes, the entry as JSON] [hash: 32 bytes]
//! hash = BLAKE3(previous frame's hash (32 zero bytes for the first) ‖ payload)
//! ```
//!
//! An append takes an exclusive lock on the file, re-reads and verifies it, writes the
//! whole frame with one `write_all`, then `fsync`s; only then is the entry
//! acknowledged (returned). A crash can therefore leave at most one unfinished frame,
//! and only at the end: a short frame, or a last frame whose hash does not verify.
//! Opening ignores such a tail (and the next append cuts it off): it was never
//! acknowledged. A frame that fails anywhere before the last one means the file was
//! damaged after it was written, and opening fails with [`JournalError::Corrupt`].

use crate::ClaimsError;
use chrono::Utc;
use sitrep_model::JournalEntry;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"SRJRNL01";
/// Largest entry (a frame header claiming more is damage; an append of more is
/// refused). 1 GiB holds an import of a few million claims.
const MAX_FRAME: u32 = 1 << 30;

/// What can go wrong with the journal file.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file is damaged before its last frame, or its frames are out of order.
    #[error("{path}: journal damaged at byte {offset} (entry {seq}): {what}; restore the ledger directory from a backup")]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// Byte offset of the bad frame.
        offset: u64,
        /// Sequence number expected there.
        seq: u64,
        /// What failed.
        what: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl JournalError {
    pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
        move |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What [`Journal::open`] found.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// The acknowledged entries, in order.
    pub entries: Vec<JournalEntry>,
    /// Bytes of an unfinished last frame that were ignored (0 when clean).
    pub torn_tail: u64,
    /// Hex hash of the last entry (the chain head), empty when there is none.
    pub head: String,
}

/// The journal of one store. Cheap to clone; every call reads the file afresh, so
/// several processes can share it (appends are serialised by a file lock).
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

struct Scan {
    entries: Vec<JournalEntry>,
    /// Offset just past the last good frame.
    good_end: u64,
    file_len: u64,
    head: [u8; 32],
}

impl Journal {
    /// The journal at `path` (created on first append).
    pub fn at(path: impl Into<PathBuf>) -> Journal {
        Journal { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and verifies the whole journal (an absent file is an empty journal).
    pub fn open(&self) -> Result<Verified, JournalError> {
        let mut f = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verified::default()),
            Err(e) => return Err(JournalError::io(&self.path)(e)),
        };
        let scan = self.scan(&mut f)?;
        Ok(Verified {
            torn_tail: scan.file_len - scan.good_end,
            head: if scan.entries.is_empty() {
                String::new()
            } else {
                blake3::Hash::from(scan.head).to_hex().to_string()
            },
            entries: scan.entries,
        })
    }

    fn scan(&self, f: &mut File) -> Result<Scan, JournalError> {
        let io = JournalError::io(&self.path);
        let mut bytes = Vec::new();
        f.seek(SeekFrom::Start(0)).map_err(&io)?;
        f.read_to_end(&mut bytes).map_err(&io)?;
        let file_len = bytes.len() as u64;
        let mut scan = Scan {
            entries: Vec::new(),
            good_end: 0,
            file_len,
            head: [0u8; 32],
        };
        if bytes.is_empty() {
            return Ok(scan);
        }
        let corrupt = |offset: usize, seq: u64, what: String| JournalError::Corrupt {
            path: self.path.clone(),
            offset: offset as u64,
            seq,
            what,
        };
        if bytes.len() < MAGIC.len() {
            // A crash while creating the file: nothing was ever acknowledged.
            return Ok(scan);
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt(0, 1, "not a sitrep journal (bad magic)".into()));
        }
        let mut pos = MAGIC.len();
        scan.good_end = pos as u64;
        while pos < bytes.len() {
            let seq = scan.entries.len() as u64 + 1;
            // Anything that fails from here is either an unfinished last frame (ignored)
            // or damage (an error) — decided by whether a good frame could follow.
            let frame = (|| {
                let len_bytes: [u8; 4] = bytes.get(pos..pos + 4)?.try_into().ok()?;
                let len = u32::from_le_bytes(len_bytes);
                if len > MAX_FRAME {
                    return Some(Err(format!("frame length {len} is implausible")));
                }
                let start = pos + 4;
                let end = start + len as usize;
                let payload = bytes.get(start..end)?;
                let hash: [u8; 32] = bytes.get(end..end + 32)?.try_into().ok()?;
                let mut h = blake3::Hasher::new();
                h.update(&scan.head);
                h.update(payload);
                if *h.finalize().as_bytes() != hash {
                    return Some(Err("checksum mismatch".to_string()));
                }
                Some(Ok((payload, hash, end + 32)))
            })();
            match frame {
                None => break, // short frame at the end: unfinished
                Some(Err(what)) => {
                    if self.frame_follows(&bytes, pos) {
                        return Err(corrupt(pos, seq, what));
                    }
                    break; // last frame bad: unfinished write
                }
                Some(Ok((payload, hash, next))) => {
                    let entry: JournalEntry = serde_json::from_slice(payload)
                        .map_err(|e| corrupt(pos, seq, format!("entry is not valid: {e}")))?;
                    if entry.seq != seq {
                        return Err(corrupt(
                            pos,
                            seq,
                            format!("entry numbered {} where {seq} was expected", entry.seq),
                        ));
                    }
                    scan.entries.push(entry);
                    scan.head = hash;
                    pos = next;
                    scan.good_end = pos as u64;
                }
            }
        }
        Ok(scan)
    }

    /// True when a bad frame at `pos` is followed by bytes that cannot all belong to
    /// one unfinished write: its stated length ends before the file does.
    fn frame_follows(&self, bytes: &[u8], pos: usize) -> bool {
        let Some(len) = bytes
            .get(pos..pos + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
        else {
            return false;
        };
        if len > MAX_FRAME {
            return false;
        }
        pos + 4 + len as usize + 32 < bytes.len()
    }

    /// Appends entries as one durable unit: numbers them, stamps them with the current
    /// time, writes and `fsync`s. Returns them as stored. Nothing is appended when
    /// `entries` is empty.
    pub fn append(&self, entries: Vec<JournalEntry>) -> Result<Vec<JournalEntry>, ClaimsError> {
        self.append_with(|_| Ok(entries))
    }

    /// Appends the entries `make` builds from the journal as it is under the lock:
    /// the way to make a change that depends on the current state (an edit, an undo)
    /// without racing another writer.
    pub fn append_with(
        &self,
        make: impl FnOnce(&[JournalEntry]) -> Result<Vec<JournalEntry>, ClaimsError>,
    ) -> Result<Vec<JournalEntry>, ClaimsError> {
        let io = JournalError::io(&self.path);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(JournalError::io(dir))?;
        }
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
            .map_err(&io)?;
        f.lock().map_err(&io)?;
        let scan = self.scan(&mut f)?;
        let mut entries = make(&scan.entries)?;
        if entries.is_empty() {
            return Ok(entries);
        }
        let mut out = Vec::new();
        let mut good_end = scan.good_end;
        if good_end < MAGIC.len() as u64 {
            out.extend_from_slice(MAGIC);
            good_end = 0;
        }
        let mut head = scan.head;
        let mut seq = scan.entries.len() as u64;
        let now = Utc::now();
        for e in &mut entries {
            seq += 1;
            e.seq = seq;
            e.at = now;
            let payload =
                serde_json::to_vec(e).map_err(|e| ClaimsError::Internal(e.to_string()))?;
            if payload.len() > MAX_FRAME as usize {
                return Err(ClaimsError::Invalid(format!(
                    "a journal entry of {} bytes is larger than the limit of {MAX_FRAME}; import the file in parts",
                    payload.len()
                )));
            }
            let mut h = blake3::Hasher::new();
            h.update(&head);
            h.update(&payload);
            head = *h.finalize().as_bytes();
            out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            out.extend_from_slice(&payload);
            out.extend_from_slice(&head);
        }
        if scan.file_len != good_end {
            // Cut off an unfinished frame left by a crash (never acknowledged).
            f.set_len(good_end).map_err(&io)?;
        }
        f.seek(SeekFrom::Start(good_end)).map_err(&io)?;
        crash_point("journal-before-write");
        if std::env::var_os("SITREP_CRASH_AT").is_some_and(|v| v == "journal-half-write") {
            let half = out.len() / 2;
            f.write_all(&out[..half]).map_err(&io)?;
            let _ = f.sync_data();
            std::process::abort();
        }
        f.write_all(&out).map_err(&io)?;
        f.sync_data().map_err(&io)?;
        if good_end == 0 {
            // A new file: make its directory entry durable too.
            if let Some(dir) = self.path.parent() {
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        Ok(entries)
    }
}

/// Aborts the process when `SITREP_CRASH_AT` names this point (crash tests).
fn crash_point(name: &str) {
    if std::env::var_os("SITREP_CRASH_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::Action;

    fn entry(n: u64) -> JournalEntry {
        JournalEntry::new("tester", Action::ClaimAdded, format!("test {n}")).change(
            format!("claim:{n}"),
            None,
            Some(serde_json::json!({ "n": n })),
        )
    }

    #[test]
    fn appends_chain_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path().join("ledger/journal.log"));
        assert!(j.open().unwrap().entries.is_empty());
        j.append(vec![entry(1)]).unwrap();
        let stored = j.append(vec![entry(2), entry(3)]).unwrap();
        assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        let v = j.open().unwrap();
        assert_eq!(v.entries.len(), 3);
        assert_eq!(v.torn_tail, 0);
        assert_eq!(v.head.len(), 64);
    }

    #[test]
    fn an_unfinished_last_frame_is_ignored_and_cut_on_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.log");
        let j = Journal::at(&path);
        j.append(vec![entry(1), entry(2)]).unwrap();
        let good = std::fs::metadata(&path).unwrap().len();
        // Simulate a crash mid-write: half a frame at the end.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[200, 0, 0, 0, b'{', b'"']).unwrap();
        drop(f);
        let v = j.open().unwrap();
        assert_eq!((v.entries.len(), v.torn_tail), (2, 6));
        j.append(vec![entry(3)]).unwrap();
        let v = j.open().unwrap();
        assert_eq!((v.entries.len(), v.torn_tail), (3, 0));
        assert!(std::fs::metadata(&path).unwrap().len() > good);
    }

    #[test]
    fn damage_before_the_last_frame_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.log");
        let j = Journal::at(&path);
        j.append(vec![entry(1), entry(2), entry(3)]).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        // Flip one byte inside the first payload.
        bytes[MAGIC.len() + 10] ^= 0x20;
        std::fs::write(&path, &bytes).unwrap();
        let err = j.open().unwrap_err();
        assert!(matches!(err, JournalError::Corrupt { seq: 1, .. }), "{err}");
        assert!(j.append(vec![entry(4)]).is_err());
    }
}
