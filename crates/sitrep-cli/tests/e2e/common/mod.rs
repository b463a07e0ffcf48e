//! Shared helpers: running the binary, temporary stores, reading JSON query results.
#![allow(dead_code)]

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project's `data/` directory.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

/// A temporary store and cache for one test.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// `sitrep --store STORE <args>` with a private cache directory.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sitrep"));
        c.arg("--store").arg(self.store()).arg("--quiet").args(args);
        c.env("SITREP_CACHE_DIR", self.dir.path().join("cache"));
        c.env_remove("SITREP_STORE");
        c
    }
    /// `sitrep <args>` without a store (bundled data), private cache.
    pub fn bundled(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sitrep"));
        c.arg("--quiet").args(args);
        c.env("SITREP_CACHE_DIR", self.dir.path().join("cache"));
        c.env_remove("SITREP_STORE");
        c
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("runs")
    }
    /// Runs and asserts success; returns stderr (where summaries go).
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "sitrep {args:?} failed ({:?}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
    /// Runs a query and returns its rows as JSON objects.
    pub fn query(&self, sql: &str) -> Vec<serde_json::Value> {
        let out = self.run(&["query", "--sql", sql, "--format", "json"]);
        assert!(
            out.status.success(),
            "query failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value =
            serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("bad JSON {e}: {text}"));
        v.as_array().expect("array").clone()
    }
    /// One number from a single-row, single-column query.
    pub fn count(&self, sql: &str) -> i64 {
        let rows = self.query(sql);
        let obj = rows[0].as_object().expect("object");
        obj.values()
            .next()
            .and_then(|v| v.as_i64())
            .expect("integer")
    }
    pub fn manifest(&self) -> String {
        std::fs::read_to_string(self.store().join("manifest.json")).unwrap_or_default()
    }
}

/// Parses the `read N, new N, updated N, unchanged N, rejected N` summary of the last file.
pub fn summary(stderr: &str) -> [u64; 5] {
    let line = stderr
        .lines()
        .rfind(|l| l.contains("read "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let mut out = [0u64; 5];
    for (i, key) in ["read ", "new ", "updated ", "unchanged ", "rejected "]
        .iter()
        .enumerate()
    {
        let at = line
            .find(key)
            .unwrap_or_else(|| panic!("no {key} in {line}"))
            + key.len();
        out[i] = line[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .expect("number");
    }
    out
}

/// A running `sitrep serve` on the bundled data, on a loopback port.
pub struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    /// Starts `sitrep serve` on the bundled data and reads the address it prints.
    pub fn start(env: &Env) -> Server {
        Server::spawn(env.bundled(&["serve", "--bind", "127.0.0.1:0"]))
    }

    /// Starts `sitrep serve` on the test's store.
    pub fn start_store(env: &Env) -> Server {
        Server::spawn(env.cmd(&["serve", "--bind", "127.0.0.1:0"]))
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// The whole answer (status line, headers, body) to `GET path`.
    pub fn get_raw(&self, path: &str) -> String {
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The body of a 200 answer to `GET path` (panics on any other status).
    pub fn get(&self, path: &str) -> String {
        let out = self.get_raw(path);
        assert!(
            out.starts_with("HTTP/1.1 200"),
            "GET {path}:\n{}",
            &out[..out.len().min(600)]
        );
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_string()
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
}
