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

/// Issue 21 item 1: the crash loop. Each operation is started again and again and
/// killed with SIGKILL at a seeded random moment of its run (`SITREP_CRASH_KILLS` per
/// operation, 12 by default; `SITREP_CRASH_SEED`; `scripts/crash-test` runs 100+).
/// After every kill the store must verify, every acknowledged write (a command that
/// exited 0, a journal entry whose number was printed) must be there, and nothing
/// half-written may be visible (a batch is all of its file's rows or absent; a
/// matching run is all of its pairs or absent).
mod crash_loop {
    use crate::common::{data, Env};
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Stdio};
    use std::time::{Duration, Instant};

    /// SplitMix64: reproducible kill points from the seed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n.max(1)
        }
    }

    fn setting(name: &str, default: u64) -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn rng(op: u64) -> Rng {
        Rng(setting("SITREP_CRASH_SEED", 20_261_202) ^ op.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }

    /// Kills `child` after `delay` unless it ended first; true when it exited 0
    /// (the write was acknowledged).
    fn kill_after(mut child: Child, delay: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < delay {
            if let Some(status) = child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        false
    }

    /// How long `run` takes when left alone (ms, at least 50).
    fn time_of(run: impl FnOnce()) -> u64 {
        let t = Instant::now();
        run();
        (t.elapsed().as_millis() as u64).max(50)
    }

    fn verifies(env: &Env) {
        let out = env.run(&["verify"]);
        assert!(
            out.status.success(),
            "the store must verify after a kill: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn rows_by_source(env: &Env) -> Vec<(String, i64)> {
        env.query("SELECT source, count(*) AS n FROM records GROUP BY source ORDER BY source")
            .iter()
            .map(|r| {
                (
                    r["source"].as_str().unwrap().to_string(),
                    r["n"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn ingest_killed_anywhere_keeps_every_acknowledged_batch_whole() {
        let kills = setting("SITREP_CRASH_KILLS", 12);
        let mut rng = rng(1);
        let file = data("ucdp/ged231_sample1000.csv");
        let file = file.to_str().unwrap();
        let env = Env::new();
        let t = time_of(|| {
            env.ok(&["ingest", "--source", "base", file]);
        });
        let mut acked = vec!["base".to_string()];
        let mut completed = 0;
        for k in 0..kills {
            let source = format!("s{k:03}");
            let child = env
                .cmd(&["ingest", "--source", &source, file])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            if kill_after(child, Duration::from_millis(rng.below(t * 6 / 5))) {
                acked.push(source);
                completed += 1;
            }
            verifies(&env);
            let rows = rows_by_source(&env);
            // A batch is the file's 1,000 rows or nothing.
            assert!(rows.iter().all(|(_, n)| *n == 1000), "{rows:?}");
            let present: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
            assert!(
                acked.iter().all(|s| present.contains(&s.as_str())),
                "acknowledged {acked:?}, present {present:?}"
            );
        }
        // The store still takes writes after the last kill.
        env.ok(&["ingest", "--source", "after", file]);
        eprintln!("crash loop, ingest: {kills} kills, {completed} runs completed first, 0 acknowledged batches lost");
    }

    #[test]
    fn match_killed_anywhere_leaves_the_old_run_or_the_new_one() {
        let kills = setting("SITREP_CRASH_KILLS", 12);
        let mut rng = rng(2);
        let file = data("ucdp/ged231_sample1000.csv");
        let file = file.to_str().unwrap();
        let env = Env::new();
        env.ok(&["ingest", "--source", "a", file]);
        env.ok(&["ingest", "--source", "b", file]);
        // Each window's run, measured whole first: its pair count.
        env.ok(&["match", "--sources", "a,b", "--days", "2"]);
        let pairs_2 = env.count("SELECT count(*) FROM match_pairs");
        let t = time_of(|| {
            env.ok(&["match", "--sources", "a,b", "--days", "1"]);
        });
        let pairs_1 = env.count("SELECT count(*) FROM match_pairs");
        assert_eq!(env.count("SELECT count(*) FROM match_members"), 2000);
        let mut in_force = pairs_1;
        let mut completed = 0;
        for k in 0..kills {
            // Alternate the windows so that a completed run replaces the one in force.
            let (days, pairs) = if k % 2 == 0 {
                ("2", pairs_2)
            } else {
                ("1", pairs_1)
            };
            let child = env
                .cmd(&["match", "--sources", "a,b", "--days", days])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let done = kill_after(child, Duration::from_millis(rng.below(t * 6 / 5)));
            verifies(&env);
            let now = env.count("SELECT count(*) FROM match_pairs");
            if done {
                completed += 1;
                assert_eq!(now, pairs, "an acknowledged run is the one in force");
            } else {
                assert!(
                    now == in_force || now == pairs,
                    "{now} pairs: neither run whole"
                );
            }
            in_force = now;
            // Whichever run is in force, it is whole: every record in one cluster of two.
            assert_eq!(env.count("SELECT count(*) FROM match_members"), 2000);
            assert_eq!(env.count("SELECT count(*) FROM incidents"), 1000);
        }
        eprintln!(
            "crash loop, match: {kills} kills, {completed} runs completed first, every run whole"
        );
    }

    #[test]
    fn journal_killed_anywhere_keeps_every_acknowledged_entry() {
        let kills = setting("SITREP_CRASH_KILLS", 12);
        let mut rng = rng(3);
        let env = Env::new();
        env.ok(&[
            "ingest",
            "--source",
            "base",
            data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
        ]);
        let mut acked = 0u64;
        for _ in 0..kills {
            let mut child = env
                .cmd(&["journal", "append-test", "--count", "1000000"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            // Read acknowledgements on a thread; kill at a random moment.
            let reader = std::thread::spawn(move || {
                BufReader::new(stdout)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| l.trim().parse::<u64>().ok())
                    .max()
            });
            let delay = Duration::from_millis(100 + rng.below(400));
            kill_after(child, delay);
            if let Some(seq) = reader.join().unwrap() {
                acked = acked.max(seq);
            }
            let out = env.run(&["journal", "verify"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let n: u64 = text
                .split("journal ok: ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{text}"));
            assert!(n >= acked, "{n} entries, {acked} acknowledged");
        }
        assert!(acked > 0, "some entries were acknowledged");
        eprintln!("crash loop, journal: {kills} kills, {acked} entries acknowledged, 0 lost");
    }

    /// POSTs one claim with the analyst's token; the status code, or `None` when the
    /// connection failed (the server was killed).
    fn post_claim(addr: &str, token: &str, claimant: &str) -> Option<u16> {
        use std::io::{Read, Write};
        let body = format!(
            r#"{{"incident":"curated-afg:AFG-CUR-0006","claimant":"{claimant}","stance":"claims","reason":"crash loop"}}"#
        );
        let mut s = std::net::TcpStream::connect(addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "POST /api/v1/claims HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).ok()?;
        std::str::from_utf8(out.get(9..12)?).ok()?.parse().ok()
    }

    #[test]
    fn server_killed_anywhere_keeps_every_acknowledged_api_write() {
        let kills = setting("SITREP_CRASH_KILLS", 12);
        let mut rng = rng(4);
        let env = Env::new();
        env.ok(&[
            "ingest",
            data("curated/afg_incidents_2021_2023.csv")
                .to_str()
                .unwrap(),
        ]);
        let users = sitrep_claims::Ledger::for_store(&env.store())
            .users()
            .clone();
        users
            .add("ana", sitrep_model::Role::Analyst, "a long enough password")
            .unwrap();
        let token = users.new_token("ana").unwrap();
        let mut acked: Vec<String> = Vec::new();
        let mut refused = 0;
        for k in 0..kills {
            let server = crate::common::Server::start_store(&env);
            let (addr, token) = (server.addr.clone(), token.clone());
            // One analyst writing claims back to back until the server dies.
            let writer = std::thread::spawn(move || {
                let mut ok = Vec::new();
                let mut other = 0;
                for i in 0.. {
                    let name = format!("crash-{k:03}-{i:04}");
                    match post_claim(&addr, &token, &name) {
                        Some(200..=299) => ok.push(name),
                        Some(_) => other += 1,
                        None => break,
                    }
                }
                (ok, other)
            });
            std::thread::sleep(Duration::from_millis(50 + rng.below(600)));
            drop(server); // SIGKILL
            let (ok, other) = writer.join().unwrap();
            acked.extend(ok);
            refused += other;
            let out = env.run(&["journal", "verify"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(refused, 0, "no write was refused while the server ran");
        assert!(!acked.is_empty(), "some writes were acknowledged");
        // Every acknowledged claim is in the ledger.
        let out = env.run(&["claims", "list", "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let claimants: std::collections::HashSet<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["claimant"].as_str())
            .collect();
        let lost: Vec<&String> = acked
            .iter()
            .filter(|c| !claimants.contains(c.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "{} acknowledged writes lost: {lost:?}",
            lost.len()
        );
        eprintln!(
            "crash loop, server: {kills} kills, {} API writes acknowledged, 0 lost",
            acked.len()
        );
    }
}
