//! Alerts: changes of an indicator's status between consecutive buckets, and their
//! delivery to webhooks (at least once, with a delivery log in the store directory
//! checked before each send, so nothing is delivered twice after a restart).

use super::eval::{IndicatorRun, WatchEvidence, WatchStatus};
use super::WatchError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A change of an indicator's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Stable id: the same indicator, rule, bucket and new status give the same id on
    /// every run (webhook receivers may use it to drop repeats: it is sent as
    /// `Idempotency-Key`).
    pub id: String,
    /// `fired` (to fired), `cleared` (fired to quiet or ineligible), `no_data` (data
    /// stopped covering what the rule reads).
    pub kind: String,
    /// Indicator id.
    pub indicator: String,
    /// Indicator title.
    pub title: String,
    /// Where the signal comes from.
    pub citation: String,
    /// Scenarios the indicator belongs to.
    pub scenarios: Vec<String>,
    /// First day of the bucket.
    pub bucket_start: NaiveDate,
    /// Last day.
    pub bucket_end: NaiveDate,
    /// Status in the bucket before.
    pub from: WatchStatus,
    /// Status now.
    pub to: WatchStatus,
    /// The numbers that decided it.
    pub evidence: WatchEvidence,
    /// The rule's words.
    pub note: String,
    /// Last day the selected sources cover.
    pub data_through: Option<NaiveDate>,
    /// When the data were committed to the store (latest batch of the sources).
    pub vintage: String,
    /// The bucket is the indicator's latest.
    pub latest: bool,
    /// The bucket runs past the data's last day or is only partly covered: counts may
    /// still rise ("latest bucket incomplete").
    pub incomplete: bool,
    /// Record ids behind the value, when this is the indicator's deciding bucket.
    pub records: Vec<String>,
}

fn class(s: WatchStatus) -> u8 {
    match s {
        WatchStatus::Fired => 2,
        WatchStatus::Quiet | WatchStatus::Ineligible => 1,
        WatchStatus::NoData => 0,
    }
}

/// The alerts of one evaluated indicator: every bucket whose status moves into
/// `fired`, out of `fired`, or into `no_data` from a status with data (a move from
/// no data to quiet, e.g. the start of a window, is not an alert).
pub fn derive_alerts(run: &IndicatorRun, scenarios: &[String], vintage: &str) -> Vec<Alert> {
    let mut out = Vec::new();
    let spec_digest = blake3::hash(
        format!(
            "{}\n{}",
            toml::to_string(&run.spec.query).unwrap_or_default(),
            toml::to_string(&run.spec.rule).unwrap_or_default()
        )
        .as_bytes(),
    );
    let n = run.buckets.len();
    for (i, b) in run.buckets.iter().enumerate() {
        let prev = if i == 0 {
            WatchStatus::NoData
        } else {
            run.buckets[i - 1].status
        };
        let (a, c) = (class(prev), class(b.status));
        let kind = if c == 2 && a != 2 {
            "fired"
        } else if a == 2 && c == 1 {
            "cleared"
        } else if a > 0 && c == 0 {
            "no_data"
        } else {
            continue;
        };
        let id = blake3::hash(
            format!(
                "{}|{}|{}|{}",
                run.spec.id,
                spec_digest,
                b.start,
                b.status.as_str()
            )
            .as_bytes(),
        )
        .to_hex()[..16]
            .to_string();
        out.push(Alert {
            id,
            kind: kind.to_string(),
            indicator: run.spec.id.clone(),
            title: run.spec.title.clone(),
            citation: run.spec.citation.clone(),
            scenarios: scenarios.to_vec(),
            bucket_start: b.start,
            bucket_end: b.end,
            from: prev,
            to: b.status,
            evidence: b.evidence,
            note: b.note.clone(),
            data_through: run.data_through,
            vintage: vintage.to_string(),
            latest: i + 1 == n,
            incomplete: b.incomplete,
            records: if run.deciding == Some(i) {
                run.records.clone()
            } else {
                Vec::new()
            },
        });
    }
    out
}

/// Webhook URLs configured for a store: `webhooks.toml` in its directory, with
/// `urls = ["http://…", …]`. No file: none.
pub fn configured_webhooks(store_root: &Path) -> Result<Vec<String>, WatchError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        urls: Vec<String>,
    }
    let path = store_root.join("webhooks.toml");
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(WatchError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        }
    };
    let f: File = toml::from_str(&src).map_err(|e| {
        let s = sitrep_model::figure::SpecError::from_toml(&src, e);
        let (line, column, message) = match s {
            sitrep_model::figure::SpecError::Parse {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => (1, 1, other.to_string()),
        };
        WatchError::Spec {
            file: path.display().to_string(),
            line,
            column,
            key: None,
            message,
            hint: "write `urls = [\"http://127.0.0.1:9000/hook\"]`".into(),
        }
    })?;
    for u in &f.urls {
        parse_url(u)?;
    }
    Ok(f.urls)
}

/// Retry settings: `attempts` tries, waiting `first_delay`, then twice as long each
/// time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Tries per alert and URL.
    pub attempts: u32,
    /// Wait before the second try; doubles after each failure.
    pub first_delay: Duration,
    /// Connect / read / write timeout of one try.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_delay: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// One line of the delivery log (`<store>/watch/deliveries.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Alert id.
    pub alert: String,
    /// Webhook URL.
    pub url: String,
    /// `delivered` (a 2xx answer), `failed` (every try failed) or `skipped` (the log
    /// already had it delivered; not written to the log).
    pub outcome: String,
    /// Tries made.
    pub attempts: u32,
    /// The last HTTP status, if any answer came.
    pub http_status: Option<u16>,
    /// The last error, if any.
    pub error: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// The delivery log of a store.
pub fn delivery_log_path(store_root: &Path) -> PathBuf {
    store_root.join("watch").join("deliveries.jsonl")
}

/// The (alert, URL) pairs the log records as delivered. Lines that do not parse (a
/// torn last line after a crash) are skipped.
pub fn delivered(log: &Path) -> Result<HashSet<(String, String)>, WatchError> {
    let text = match std::fs::read_to_string(log) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => {
            return Err(WatchError::Io {
                path: log.display().to_string(),
                message: e.to_string(),
            })
        }
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<Delivery>(l).ok())
        .filter(|d| d.outcome == "delivered")
        .map(|d| (d.alert, d.url))
        .collect())
}

/// Appends one line to the log and syncs it to disk before returning.
fn append(log: &Path, d: &Delivery) -> Result<(), WatchError> {
    let io = |e: std::io::Error| WatchError::Io {
        path: log.display().to_string(),
        message: e.to_string(),
    };
    if let Some(dir) = log.parent() {
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(io)?;
            if let Some(parent) = dir.parent() {
                if let Ok(f) = std::fs::File::open(parent) {
                    let _ = f.sync_all();
                }
            }
        }
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(log)
        .map_err(io)?;
    // A torn last line (a crash mid-write) must not swallow this one.
    let len = f.metadata().map_err(io)?.len();
    let mut line = serde_json::to_string(d).map_err(|e| WatchError::Io {
        path: log.display().to_string(),
        message: e.to_string(),
    })?;
    line.push('\n');
    if len > 0 {
        use std::io::{Seek, SeekFrom};
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1)).map_err(io)?;
        f.read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            line.insert(0, '\n');
        }
    }
    f.write_all(line.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(())
}

/// `(host:port, host header, path)` of an `http://` URL.
fn parse_url(url: &str) -> Result<(String, String, String), WatchError> {
    let bad = |why: &str| WatchError::Webhook {
        url: url.to_string(),
        message: why.to_string(),
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("only http:// URLs are supported (no TLS); put a local relay in front of https endpoints"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    let addr = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok((addr, authority.to_string(), path.to_string()))
}

/// One HTTP/1.1 POST of `body`; the answer's status code.
fn post(url: &str, body: &str, key: &str, timeout: Duration) -> Result<u16, String> {
    use std::net::ToSocketAddrs;
    let (addr, host, path) = parse_url(url).map_err(|e| e.to_string())?;
    let sock = addr
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or_else(|| format!("{addr} does not resolve"))?;
    let mut s = std::net::TcpStream::connect_timeout(&sock, timeout).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nIdempotency-Key: {key}\r\nUser-Agent: sitrep-watch\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > 8192 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or_default();
    let mut parts = line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => Ok(code),
        _ => Err(format!("not an HTTP answer: {line:?}")),
    }
}

/// Sends each alert to each URL (one POST of the alert as JSON), unless the log
/// already records it delivered there; retries with exponential back-off; logs the
/// outcome (fsynced) after each alert and URL. Returns what happened to each pair.
pub fn deliver(
    alerts: &[Alert],
    urls: &[String],
    log: &Path,
    policy: &RetryPolicy,
) -> Result<Vec<Delivery>, WatchError> {
    for u in urls {
        parse_url(u)?;
    }
    let done = delivered(log)?;
    let mut out = Vec::new();
    for a in alerts {
        let body = serde_json::to_string(a).map_err(|e| WatchError::Io {
            path: log.display().to_string(),
            message: e.to_string(),
        })?;
        for u in urls {
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            if done.contains(&(a.id.clone(), u.clone())) {
                out.push(Delivery {
                    alert: a.id.clone(),
                    url: u.clone(),
                    outcome: "skipped".into(),
                    attempts: 0,
                    http_status: None,
                    error: None,
                    at: now,
                });
                continue;
            }
            let mut delay = policy.first_delay;
            let mut d = Delivery {
                alert: a.id.clone(),
                url: u.clone(),
                outcome: "failed".into(),
                attempts: 0,
                http_status: None,
                error: None,
                at: now,
            };
            for attempt in 1..=policy.attempts.max(1) {
                d.attempts = attempt;
                match post(u, &body, &a.id, policy.timeout) {
                    Ok(code) if (200..300).contains(&code) => {
                        d.http_status = Some(code);
                        d.error = None;
                        d.outcome = "delivered".into();
                        break;
                    }
                    Ok(code) => {
                        d.http_status = Some(code);
                        d.error = Some(format!("HTTP {code}"));
                    }
                    Err(e) => d.error = Some(e),
                }
                if attempt < policy.attempts {
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                }
            }
            d.at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            append(log, &d)?;
            out.push(d);
        }
    }
    Ok(out)
}
