//! The seeded fuzz harness shared by the parsers' fuzz tests (included with
//! `#[path = "../../../fuzz/support.rs"] mod support;`). Stable Rust, no dependencies.
//!
//! Every case draws its input from its own generator, seeded by the run's seed and the
//! case's number, so one failing case reproduces alone:
//!
//! * `SITREP_FUZZ_CASES=N`: cases per target (default: each target's short run, for
//!   `cargo test`);
//! * `SITREP_FUZZ_SECS=S`: instead, run each target for S seconds;
//! * `SITREP_FUZZ_SEED=S`: the run's seed (default fixed, so `cargo test` is
//!   deterministic);
//! * `SITREP_FUZZ_CASE=K`: run only case K (to reproduce a failure).
//!
//! A case that panics is written to `$CARGO_TARGET_TMPDIR/fuzz-failures/` (its input as
//! `Debug`) and reported with the command that replays it. A case that runs longer than
//! `SITREP_FUZZ_HANG_SECS` (default 20) is a hang: a watchdog prints the case and aborts.
//! Each target prints one line `FUZZ <target> cases=… secs=… per_sec=… seed=…`, which
//! `scripts/fuzz` collects.
#![allow(dead_code)]

use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// SplitMix64: small, fast, good enough for input generation, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    /// The generator of case `case` of a run seeded `seed`.
    pub fn for_case(seed: u64, case: u64) -> Rng {
        let mut r = Rng::new(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ case);
        r.next_u64();
        r
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo) as u64 + 1)) as i64
    }
    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    /// One of `items` (copied).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// One of `items`, by reference.
    pub fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A size skewed towards small values (most bugs need little input).
    pub fn size(&mut self, max: usize) -> usize {
        let bits = self.below(usize::BITS as usize - max.leading_zeros() as usize + 1);
        self.below((1usize << bits).min(max) + 1)
    }
}

/// Tokens that break parsers: delimiters, quotes, line ends, BOMs, signs, huge and
/// special numbers, odd dates, invalid UTF-8, TOML and URL syntax.
pub const HOSTILE: &[&[u8]] = &[
    b",",
    b",,",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\t",
    b";",
    b"|",
    b" ",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\0",
    b"#",
    b"-",
    b"-1",
    b"0",
    b"1",
    b"99",
    b"1e400",
    b"-1e400",
    b"NaN",
    b"inf",
    b"-0",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"18446744073709551616",
    b"12.0",
    b"0.5",
    b"2021-08-15",
    b"2021-02-29",
    b"2020-02-29",
    b"0000-01-01",
    b"9999-12-31",
    b"+262143-12-31",
    b"-262144-01-01",
    b"14 May 2022",
    b"2021-13-40",
    b"=",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b"'",
    b"'''",
    b"\"\"\"",
    b"\\",
    b"\\u0000",
    b"%",
    b"%Y",
    b"%-",
    b"%.",
    b"%:z",
    b"%+",
    b"&",
    b"?",
    b"../",
    b"%2e%2e%2f",
    b"<script>",
    b"' OR 1=1 --",
    b"\xd8\xa7\xd9\x84",
    b"\xe2\x80\xae",
    b"\xf0\x9f\x92\xa5",
    b"\xcc\x81",
];

/// One random mutation of `input`: flip, insert, delete, duplicate, splice a hostile
/// token or a piece of `other`, or truncate.
pub fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], dict: &[&[u8]]) {
    let at = |rng: &mut Rng, len: usize| rng.below(len + 1);
    match rng.below(9) {
        0 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = at(rng, input.len());
            input.insert(i, rng.next_u64() as u8);
        }
        2 if !input.is_empty() => {
            let i = rng.below(input.len());
            let n = rng.size(64).min(input.len() - i);
            input.drain(i..i + n);
        }
        3 if !input.is_empty() => {
            let i = rng.below(input.len());
            let n = rng.size(256).min(input.len() - i);
            let piece: Vec<u8> = input[i..i + n].to_vec();
            let j = at(rng, input.len());
            input.splice(j..j, piece);
        }
        4 | 5 => {
            let tok = if !dict.is_empty() && rng.one_in(2) {
                rng.pick(dict)
            } else {
                rng.pick(HOSTILE)
            };
            let i = at(rng, input.len());
            if rng.one_in(2) && i < input.len() {
                // Replace a run up to the next delimiter-like byte (a field value).
                let end = input[i..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'\n' | b'"' | b'=' | b'&'))
                    .map_or(input.len(), |p| i + p);
                input.splice(i..end, tok.iter().copied());
            } else {
                input.splice(i..i, tok.iter().copied());
            }
        }
        6 if !other.is_empty() => {
            let i = rng.below(other.len());
            let n = rng.size(512).min(other.len() - i);
            let j = at(rng, input.len());
            input.splice(j..j, other[i..i + n].iter().copied());
        }
        7 if !input.is_empty() => {
            let n = rng.below(input.len() + 1);
            input.truncate(n);
        }
        _ => {
            let i = at(rng, input.len());
            let n = rng.size(16);
            let b = rng.pick(b"aZ09,\"\n\r-.: #=");
            input.splice(i..i, std::iter::repeat_n(b, n));
        }
    }
}

/// `input` with between 1 and `max` mutations.
pub fn mutated(rng: &mut Rng, input: &[u8], other: &[u8], dict: &[&[u8]], max: usize) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.size(max - 1) {
        mutate(rng, &mut v, other, dict);
    }
    v
}

/// Random bytes from an alphabet skewed to `alphabet` and the hostile tokens.
pub fn noise(rng: &mut Rng, max: usize, alphabet: &[u8]) -> Vec<u8> {
    let n = rng.size(max);
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        match rng.below(8) {
            0 => v.extend_from_slice(rng.pick(HOSTILE)),
            1 => v.push(rng.next_u64() as u8),
            _ => v.push(rng.pick(alphabet)),
        }
    }
    v
}

/// Random text: ASCII words and punctuation, digits, and now and then any `char`.
pub fn text(rng: &mut Rng, max: usize, words: &[&str]) -> String {
    let n = rng.size(max);
    let mut s = String::with_capacity(n);
    while s.len() < n {
        match rng.below(10) {
            0 => {
                if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                    s.push(c);
                }
            }
            1 => s.push_str(&rng.range(0, 100_000).to_string()),
            2 => s.push(rng.pick(&[' ', ',', '.', '-', '%', '"', '\n', '(', ')', '–', '½'])),
            3 => s.push_str(&String::from_utf8_lossy(rng.pick(HOSTILE))),
            _ if !words.is_empty() => {
                s.push_str(rng.pick(words));
                s.push(' ');
            }
            _ => s.push('x'),
        }
    }
    s
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a whole number"),
    }
}

/// Runs `check` on `default_cases` inputs from `gen` (see the module docs for the
/// environment variables). Panics, naming the case and how to replay it, when a case
/// panics.
pub fn fuzz<T: Debug>(
    target: &str,
    default_cases: u64,
    mut gen: impl FnMut(&mut Rng) -> T,
    mut check: impl FnMut(&T),
) {
    let seed = env_u64("SITREP_FUZZ_SEED").unwrap_or(0x0051_75e9);
    let only = env_u64("SITREP_FUZZ_CASE");
    let secs = env_u64("SITREP_FUZZ_SECS");
    let cases = env_u64("SITREP_FUZZ_CASES").unwrap_or(if secs.is_some() {
        u64::MAX
    } else {
        default_cases
    });
    let hang = Duration::from_secs(env_u64("SITREP_FUZZ_HANG_SECS").unwrap_or(20));
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs(s));

    // The watchdog: a case running longer than `hang` is reported and the process ends
    // (a hang cannot be unwound from another thread).
    let current = Arc::new(AtomicU64::new(u64::MAX));
    let started = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let watchdog = {
        let (current, started, done) = (
            Arc::clone(&current),
            Arc::clone(&started),
            Arc::clone(&done),
        );
        let target = target.to_string();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let case = current.load(Ordering::Relaxed);
                if case == u64::MAX {
                    continue;
                }
                let since = t0.elapsed().as_millis() as u64 - started.load(Ordering::Relaxed);
                if Duration::from_millis(since) > hang && current.load(Ordering::Relaxed) == case {
                    eprintln!(
                        "FUZZ HANG {target}: case {case} ran over {hang:?}; replay with SITREP_FUZZ_SEED={seed} SITREP_FUZZ_CASE={case}"
                    );
                    std::process::abort();
                }
            }
        })
    };

    let mut run = 0u64;
    let range: Box<dyn Iterator<Item = u64>> = match only {
        Some(k) => Box::new(std::iter::once(k)),
        None => Box::new(0..cases),
    };
    for case in range {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let mut rng = Rng::for_case(seed, case);
        let input = gen(&mut rng);
        started.store(t0.elapsed().as_millis() as u64, Ordering::Relaxed);
        current.store(case, Ordering::Relaxed);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
        current.store(u64::MAX, Ordering::Relaxed);
        run += 1;
        if let Err(panic) = outcome {
            done.store(true, Ordering::Relaxed);
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let dir = std::path::Path::new(option_env!("CARGO_TARGET_TMPDIR").unwrap_or("."))
                .join("fuzz-failures");
            let file = dir.join(format!("{target}-{seed}-{case}.txt"));
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(&file, format!("{input:#?}\n"));
            panic!(
                "fuzz target {target}: case {case} failed: {msg}\ninput: {}\nreplay: SITREP_FUZZ_SEED={seed} SITREP_FUZZ_CASE={case} cargo test … {target}",
                file.display()
            );
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "FUZZ {target} cases={run} secs={secs:.2} per_sec={:.0} seed={seed}",
        run as f64 / secs.max(1e-9)
    );
}
