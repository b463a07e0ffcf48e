//! The store's rollup: built on ingest, rebuilt when the store changes, checksummed,
//! and giving the same series as the raw records.

use crate::common::{data, Env};

#[test]
fn rollup_follows_the_store_and_is_verified() {
    let env = Env::new();
    let sum_n = |env: &Env| env.count("SELECT CAST(SUM(n) AS BIGINT) AS n FROM rollup");
    let err = env.ok(&[
        "ingest",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    assert!(err.is_empty() || !err.contains("error"), "{err}");
    let first = env.count("SELECT count(*) AS n FROM incidents");
    assert_eq!(first, 1000);
    assert_eq!(
        sum_n(&env),
        first,
        "every incident counted once in the rollup"
    );

    // A new batch makes it stale; ingest rebuilds it.
    env.ok(&[
        "ingest",
        data("ucdp/ged241_myanmar.csv.gz").to_str().unwrap(),
    ]);
    let both = env.count("SELECT count(*) AS n FROM incidents");
    assert!(both > first);
    assert_eq!(sum_n(&env), both);
    let manifest: serde_json::Value = serde_json::from_str(&env.manifest()).unwrap();
    let file = manifest["rollup"]["file"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(manifest["rollup"]["records"].as_i64(), Some(both));

    // Series over the rollup equal the records' own count.
    let out = env.run(&[
        "series",
        "--bucket",
        "year",
        "--country",
        "Myanmar (Burma)",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: f64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["raw_value"].as_f64().unwrap())
        .sum();
    let myanmar =
        env.count("SELECT count(*) AS n FROM incidents WHERE country = 'Myanmar (Burma)'");
    assert!(myanmar > 0);
    assert_eq!(total as i64, myanmar);

    // Opening the store left a verification cache naming the files found whole, and
    // `verify` hashes them all.
    let cache = std::fs::read_to_string(env.store().join("verified.json")).unwrap();
    assert!(cache.contains(&file), "{cache}");
    let ok = env.run(&["verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("files"));

    // A damaged rollup file is caught when the store opens, even when the damage puts
    // the file's modification time back (its status-change time still moves).
    let path = env.store().join(&file);
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    for cmd in ["sources", "verify"] {
        let out = env.run(&[cmd]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains(&file));
    }
}
