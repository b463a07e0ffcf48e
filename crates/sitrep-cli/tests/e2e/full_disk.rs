//! Issue 21 item 2: a full disk. The store lives on a small tmpfs the test mounts
//! (the machine's tests run as root, as `scripts/test` installs packages); every
//! write path then fails with ENOSPC from the kernel itself. Each must fail cleanly —
//! exit code 4 (I/O), a message naming the file and the cause — and leave the store
//! unchanged and verifiable; freeing space makes it writable again.

use crate::common::{data, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `mib` MiB mounted on `at`, unmounted when dropped.
struct SmallFs(PathBuf);

impl SmallFs {
    fn mount(at: &Path, mib: u32) -> SmallFs {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(at)
            .output()
            .expect("the mount command");
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallFs(at.to_path_buf())
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system with one file until the kernel says it is full.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 << 10];
    loop {
        match f.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected, got {e}");
                break;
            }
        }
    }
    let _ = f.sync_all();
    path
}

fn fails_cleanly(out: &std::process::Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{what}: exit code 4 (I/O); stderr: {err}"
    );
    assert!(err.contains("No space left on device"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

/// A journal write: one claim about a stored record.
const ADD_CLAIM: [&str; 10] = [
    "claims",
    "add",
    "--incident",
    "second:300380",
    "--claimant",
    "IS-KP",
    "--stance",
    "claims",
    "--reason",
    "disk test",
];

fn verifies(env: &Env) {
    let out = env.run(&["verify"]);
    assert!(
        out.status.success(),
        "the store must verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_write_path_fails_cleanly_on_a_full_disk_and_loses_nothing() {
    let env = Env::new();
    let _fs = SmallFs::mount(&env.store(), 4);
    let small = data("ucdp/hdx_conflict_data_bgd.csv");
    env.ok(&["ingest", "--source", "first", small.to_str().unwrap()]);
    env.ok(&[
        "ingest",
        "--source",
        "second",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    env.ok(&["match", "--sources", "first,second"]);
    let records = env.count("SELECT count(*) FROM records");
    assert_eq!(records, 601 + 1000);
    let manifest = std::fs::read(env.store().join("manifest.json")).unwrap();

    // 1. An ingest larger than the disk: 176,579 real rows.
    let big = data("ucdp/ged211_global_subset.csv.gz");
    let out = env.run(&["ingest", "--source", "big", big.to_str().unwrap()]);
    fails_cleanly(&out, "ingest");
    verifies(&env);
    assert_eq!(env.count("SELECT count(*) FROM records"), records);
    assert_eq!(
        std::fs::read(env.store().join("manifest.json")).unwrap(),
        manifest
    );

    // 2. With the disk full to the last byte: a matching run, a journal write and a
    // small ingest.
    let filler = fill(&env.store());
    let out = env.run(&["match", "--sources", "first,second", "--days", "3"]);
    fails_cleanly(&out, "match");
    let out = env.run(&ADD_CLAIM);
    fails_cleanly(&out, "journal write");
    let out = env.run(&["ingest", "--source", "third", small.to_str().unwrap()]);
    fails_cleanly(&out, "small ingest");
    std::fs::remove_file(&filler).unwrap();
    verifies(&env);
    assert_eq!(env.count("SELECT count(*) FROM records"), records);
    assert_eq!(
        std::fs::read(env.store().join("manifest.json")).unwrap(),
        manifest
    );
    let journal = env.run(&["journal", "verify"]);
    assert!(
        journal.status.success(),
        "{}",
        String::from_utf8_lossy(&journal.stderr)
    );
    assert!(
        String::from_utf8_lossy(&journal.stdout).starts_with("journal ok: 0 entries"),
        "{}",
        String::from_utf8_lossy(&journal.stdout)
    );

    // 3. Space again: every write works, and nothing of the failed ones lingers.
    env.ok(&["ingest", "--source", "third", small.to_str().unwrap()]);
    assert_eq!(env.count("SELECT count(*) FROM records"), records + 601);
    env.ok(&ADD_CLAIM);
    verifies(&env);
    let leftovers: Vec<String> = std::fs::read_dir(env.store().join("batches"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
