//! Crash safety: an abort at any commit stage, or SIGKILL mid-ingest, leaves a store
//! that opens, verifies, and holds exactly the batches committed before.

use crate::common::{data, summary, Env};
use std::time::{Duration, Instant};

fn assert_only_first_batch(env: &Env, first_rows: i64) {
    // `sources` opens the store, which verifies every checksum.
    let out = env.run(&["sources", "--format", "json"]);
    assert!(
        out.status.success(),
        "store must open and verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let batches: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(batches.as_array().unwrap().len(), 1, "{batches}");
    assert_eq!(env.count("SELECT count(*) FROM records"), first_rows);
}

#[test]
fn aborts_at_each_commit_stage_leave_the_store_as_before() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        "--source",
        "first",
        data("ucdp/hdx_conflict_data_bgd.csv").to_str().unwrap(),
    ]);
    for point in ["after-records-write", "before-manifest-rename"] {
        let out = env
            .cmd(&[
                "ingest",
                "--source",
                "second",
                data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
            ])
            .env("SITREP_CRASH_AT", point)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "{point}: the process must have aborted"
        );
        assert_only_first_batch(&env, 601);
    }
    // The store is still writable: the lock died with the process, leftovers are swept.
    let err = env.ok(&[
        "ingest",
        "--source",
        "second",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    assert_eq!(summary(&err)[1], 1000);
    let names: Vec<String> = std::fs::read_dir(env.store().join("batches"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn sigkill_in_the_middle_of_a_large_ingest() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        "--source",
        "first",
        data("ucdp/hdx_conflict_data_bgd.csv").to_str().unwrap(),
    ]);
    // 176,579 real rows: long enough to be killed while writing.
    let mut child = env
        .cmd(&[
            "ingest",
            "--source",
            "big",
            data("ucdp/ged211_global_subset.csv.gz").to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let tmp = env
        .store()
        .join("batches")
        .join(".b000002-records.parquet.tmp");
    let start = Instant::now();
    while !tmp.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        tmp.exists(),
        "the ingest should have started writing its batch"
    );
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_only_first_batch(&env, 601);
}
