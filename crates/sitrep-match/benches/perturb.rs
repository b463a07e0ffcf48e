//! Perturbation benchmark (not a test): real UCDP GED 21.1 rows copied into two
//! sources with known truth, the second jittered; precision, recall, time and memory.
//!
//! Side A is N real rows of the 176,579-row global subset (`data/ucdp`); beyond 176,579
//! rows the rows repeat, each repetition moved 40 years later so that copies never meet.
//! Side B is A with every record jittered (synthetic, seeded): dates ±0–3 days,
//! coordinates 0–25 km in a random direction, actor names re-spelt in 30% of records
//! (a dropped or doubled letter, "Government of" → "Govt. of", case), and fatalities
//! changed in 30% of records (best ±1–30%, range kept around it). Matching uses
//! `--days 3 --km 25`.
//!
//! Run: `cargo bench -p sitrep-match --bench perturb -- 20000` (one size per process,
//! so that peak memory is the size's own); `bench/matching.sh` runs every size and
//! writes `bench/MATCHING.md`.

use sitrep_ingest::{read_file, CollectSink, Format};
use sitrep_match::{evaluate, run, Config, EmConfig, NoProgress};
use sitrep_model::{MatchRecord, RecordRef};
use std::path::Path;
use std::time::Instant;

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn respell(name: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 if name.contains("Government of") => name.replace("Government of", "Govt. of"),
        1 => name.to_uppercase(),
        2 if name.len() > 4 => {
            // Drop one letter.
            let chars: Vec<char> = name.chars().collect();
            let k = 1 + rng.below(chars.len() as u64 - 2) as usize;
            chars[..k].iter().chain(&chars[k + 1..]).collect()
        }
        _ => {
            // Double one letter.
            let chars: Vec<char> = name.chars().collect();
            let k = rng.below(chars.len().max(1) as u64) as usize;
            let mut s: String = chars[..=k.min(chars.len() - 1)].iter().collect();
            s.extend(&chars[k.min(chars.len() - 1)..]);
            s
        }
    }
}

fn jitter(r: &MatchRecord, rng: &mut Rng) -> MatchRecord {
    let mut b = r.clone();
    b.event.source = "b".into();
    b.record_id = format!("b:{}:1", b.event.source_event_id);
    let shift = rng.below(7) as i64 - 3;
    b.date_start += chrono::Duration::days(shift);
    b.date_end += chrono::Duration::days(shift);
    if let (Some(lat), Some(lon)) = (b.latitude, b.longitude) {
        let d = rng.unit() * 25.0;
        let bearing = rng.unit() * std::f64::consts::TAU;
        let dlat = d * bearing.cos() / 111.2;
        let dlon = d * bearing.sin() / (111.2 * lat.to_radians().cos().max(0.05));
        // Keep the displacement within 25 km on the sphere (the haversine of the move).
        b.latitude = Some((lat + dlat * 0.98).clamp(-89.9, 89.9));
        b.longitude = Some(lon + dlon * 0.98);
    }
    if rng.unit() < 0.3 {
        for a in b.actors.iter_mut().flatten() {
            *a = respell(a, rng);
        }
    }
    if rng.unit() < 0.3 {
        if let Some(best) = b.fatalities.best {
            let pct = 0.01 + rng.unit() * 0.29;
            let delta = ((best as f64 * pct).round() as u64).max(1);
            let nb = if rng.below(2) == 0 {
                best + delta
            } else {
                best.saturating_sub(delta)
            };
            b.fatalities.best = Some(nb);
            b.fatalities.low = b.fatalities.low.map(|l| l.min(nb));
            b.fatalities.high = b.fatalities.high.map(|h| h.max(nb));
        }
    }
    b
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn current_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The real ground truth in release mode: GED 24.1 Mexico against the Mexico rows of
/// the GED 21.1 subset, default settings, truth = shared id (strict and twin-aware, as
/// in `tests/mexico.rs`).
fn mexico() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ucdp");
    let mut recs = Vec::new();
    for (file, source) in [
        ("ged241_mexico.csv.gz", "ged241"),
        ("ged211_global_subset.csv.gz", "ged211"),
    ] {
        let mut sink = CollectSink::default();
        read_file(&dir.join(file), &Format::Auto, &mut sink).expect("reads");
        for mut r in sink.records {
            if r.country.as_deref() == Some("Mexico") {
                r.source = source.into();
                recs.push(MatchRecord::from_record(&r));
            }
        }
    }
    let t = Instant::now();
    let out = run(&recs, &[], &Config::default(), &NoProgress);
    let took = t.elapsed();
    let content = |r: &MatchRecord| {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?}",
            r.date_start, r.latitude, r.longitude, r.sub_event_type, r.actors, r.fatalities
        )
    };
    let mut by_key = std::collections::HashMap::new();
    for r in &recs {
        by_key.insert(
            (r.event.source.clone(), r.event.source_event_id.clone()),
            content(r),
        );
    }
    let truth = recs
        .iter()
        .filter(|r| r.event.source == "ged211")
        .filter(|r| by_key.contains_key(&("ged241".to_string(), r.event.source_event_id.clone())))
        .count() as u64;
    let strict = evaluate(&out, truth, |a, b| {
        recs[a].event.source_event_id == recs[b].event.source_event_id
    });
    let twin = evaluate(&out, truth, |a, b| {
        by_key
            .get(&(
                recs[b].event.source.clone(),
                recs[a].event.source_event_id.clone(),
            ))
            .is_some_and(|c| *c == content(&recs[b]))
    });
    let row = |name: &str, out: &sitrep_match::Outcome, took: f64| {
        let strict = evaluate(out, truth, |a, b| {
            recs[a].event.source_event_id == recs[b].event.source_event_id
        });
        let twin = evaluate(out, truth, |a, b| {
            by_key
                .get(&(
                    recs[b].event.source.clone(),
                    recs[a].event.source_event_id.clone(),
                ))
                .is_some_and(|c| *c == content(&recs[b]))
        });
        println!(
            "| {name} | {:.4} / {:.4} / {:.4} | {:.4} / {:.4} / {:.4} | {} | {:.3} s |",
            strict.precision(),
            strict.recall(),
            strict.f1(),
            twin.precision(),
            twin.recall(),
            twin.f1(),
            out.considered,
            took
        );
    };
    let t = Instant::now();
    let l = sitrep_match::run_em(
        &recs,
        &[],
        &Config::default(),
        &EmConfig {
            one_to_one_lambda: std::env::args().any(|a| a == "o2ol=1"),
            collapse_twins: std::env::args().any(|a| a == "collapse=1"),
            map_assignment: !std::env::args().any(|a| a == "map=0"),
            matching_marginals: !std::env::args().any(|a| a == "calib=0"),
            term_frequency: !std::env::args().any(|a| a == "tf=0"),
            u_from_random_pairs: std::env::args()
                .any(|a| a == "randomu=1")
                .then_some((1_000_000, 7)),
            ..EmConfig::default()
        },
        &NoProgress,
    );
    if std::env::var_os("SITREP_EXPLAIN").is_some() {
        explain(&l);
        let mut missed = std::collections::BTreeMap::new();
        for (k, p) in l.outcome.pairs.iter().enumerate() {
            if p.status == sitrep_model::PairStatus::Unselected
                && recs[p.a].event.source_event_id == recs[p.b].event.source_event_id
            {
                let v = l.details[k].vector;
                let linked = |x: usize| l.outcome.links().any(|q| q.a == x || q.b == x);
                *missed
                    .entry((v, (p.score * 10.0) as u32, linked(p.a), linked(p.b)))
                    .or_insert(0) += 1;
            }
        }
        for (k, c) in missed {
            eprintln!("missed {k:?}: {c}");
        }
    }
    reliability("Mexico EM, strict", &l.outcome, |a, b| {
        recs[a].event.source_event_id == recs[b].event.source_event_id
    });
    reliability("Mexico EM, twin-aware", &l.outcome, |a, b| {
        by_key
            .get(&(
                recs[b].event.source.clone(),
                recs[a].event.source_event_id.clone(),
            ))
            .is_some_and(|c| *c == content(&recs[b]))
    });
    row(
        &format!(
            "EM (run_em defaults; expected P {:.4} R {:.4})",
            l.expected.precision, l.expected.recall
        ),
        &l.outcome,
        t.elapsed().as_secs_f64(),
    );
    println!(
        "| Mexico, GED 24.1 × GED 21.1 ({} records) | {:.4} / {:.4} / {:.4} | {:.4} / {:.4} / {:.4} | {} | {:.3} s |",
        recs.len(),
        strict.precision(),
        strict.recall(),
        strict.f1(),
        twin.precision(),
        twin.recall(),
        twin.f1(),
        out.considered,
        took.as_secs_f64()
    );
}

/// Prints a run's reliability table (stderr): links binned by reported probability,
/// mean probability against the share that is true.
fn reliability(name: &str, out: &sitrep_match::Outcome, is_true: impl Fn(usize, usize) -> bool) {
    let c = sitrep_match::calibration(out, &[0.5, 0.7, 0.8, 0.9, 0.95, 0.99], is_true);
    eprintln!(
        "calibration {name}: {} links, expected P {:.4}, true P {:.4}, ECE {:.4}",
        c.links, c.expected_precision, c.precision, c.ece
    );
    for b in c.bins.iter().filter(|b| b.links > 0) {
        eprintln!(
            "  [{:.2}, {:.2}) links {:6} mean predicted {:.4} observed {:.4}",
            b.lo, b.hi, b.links, b.mean_predicted, b.observed
        );
    }
}

/// Prints each fitted model's m/u table (stderr).
fn explain(l: &sitrep_match::Linkage) {
    for m in &l.models {
        eprintln!(
            "{:?}: λ {:.4}, {} pairs, {} iterations",
            m.sources, m.model.lambda, m.pairs, m.model.iterations
        );
        for r in m.model.table().iter().filter(|r| r.level > 0) {
            eprintln!(
                "  {:10} {:40} m {:.4} u {:.4} w {:+.2}",
                r.field.name(),
                r.label,
                r.m,
                r.u,
                r.weight
            );
        }
    }
}

/// Settings of the perturbed benchmark (`key=value` arguments; each has a default).
struct Setting {
    n: usize,
    shift: i64,
    jitter: f64,
    respell: f64,
    deaths: f64,
    drop: f64,
    add: f64,
    days: u32,
    km: f64,
    seed: u64,
    decisions: usize,
    iter: u32,
    rounds: u32,
    prior: bool,
    o2o: bool,
    lw: f64,
    target: f64,
    tf: bool,
    randomu: usize,
    oracle: bool,
    o2ol: bool,
    collapse: bool,
    map: bool,
    calib: bool,
    random_labels: bool,
}

impl Setting {
    fn parse() -> Setting {
        let mut s = Setting {
            n: 10_000,
            shift: 3,
            jitter: 25.0,
            respell: 0.3,
            deaths: 0.3,
            drop: 0.0,
            add: 0.0,
            days: 3,
            km: 25.0,
            seed: 0x9e37_79b9_7f4a_7c15,
            decisions: 50,
            iter: EmConfig::default().fit.max_iter,
            rounds: EmConfig::default().rounds,
            prior: false,
            o2o: true,
            lw: EmConfig::default().label_weight,
            target: 0.9,
            tf: true,
            randomu: 0,
            oracle: false,
            o2ol: EmConfig::default().one_to_one_lambda,
            collapse: EmConfig::default().collapse_twins,
            map: EmConfig::default().map_assignment,
            calib: EmConfig::default().matching_marginals,
            random_labels: false,
        };
        for a in std::env::args().skip(1) {
            let Some((k, v)) = a.split_once('=') else {
                continue;
            };
            let v = v.replace('_', "");
            match k {
                "n" => s.n = v.parse().expect("n"),
                "shift" => s.shift = v.parse().expect("shift"),
                "jitter" => s.jitter = v.parse().expect("jitter"),
                "respell" => s.respell = v.parse().expect("respell"),
                "deaths" => s.deaths = v.parse().expect("deaths"),
                "drop" => s.drop = v.parse().expect("drop"),
                "add" => s.add = v.parse().expect("add"),
                "days" => s.days = v.parse().expect("days"),
                "km" => s.km = v.parse().expect("km"),
                "seed" => s.seed = v.parse().expect("seed"),
                "decisions" => s.decisions = v.parse().expect("decisions"),
                "iter" => s.iter = v.parse().expect("iter"),
                "rounds" => s.rounds = v.parse().expect("rounds"),
                "prior" => s.prior = v == "1",
                "o2o" => s.o2o = v == "1",
                "lw" => s.lw = v.parse().expect("lw"),
                "target" => s.target = v.parse().expect("target"),
                "tf" => s.tf = v == "1",
                "randomu" => s.randomu = v.parse().expect("randomu"),
                "oracle" => s.oracle = v == "1",
                "o2ol" => s.o2ol = v == "1",
                "collapse" => s.collapse = v == "1",
                "map" => s.map = v == "1",
                "calib" => s.calib = v == "1",
                "labels" => s.random_labels = v == "random",
                _ => panic!("unknown setting {k}"),
            }
        }
        s
    }
}

/// Like [`jitter`], with every perturbation a parameter.
fn perturb(r: &MatchRecord, s: &Setting, rng: &mut Rng) -> MatchRecord {
    let mut b = r.clone();
    b.event.source = "b".into();
    b.record_id = format!("b:{}:1", b.event.source_event_id);
    let shift = rng.below(2 * s.shift as u64 + 1) as i64 - s.shift;
    b.date_start += chrono::Duration::days(shift);
    b.date_end += chrono::Duration::days(shift);
    if let (Some(lat), Some(lon)) = (b.latitude, b.longitude) {
        let d = rng.unit() * s.jitter;
        let bearing = rng.unit() * std::f64::consts::TAU;
        let dlat = d * bearing.cos() / 111.2;
        let dlon = d * bearing.sin() / (111.2 * lat.to_radians().cos().max(0.05));
        b.latitude = Some((lat + dlat * 0.98).clamp(-89.9, 89.9));
        b.longitude = Some(lon + dlon * 0.98);
    }
    if rng.unit() < s.respell {
        for a in b.actors.iter_mut().flatten() {
            *a = respell(a, rng);
        }
    }
    if rng.unit() < s.deaths {
        if let Some(best) = b.fatalities.best {
            let pct = 0.01 + rng.unit() * 0.29;
            let delta = ((best as f64 * pct).round() as u64).max(1);
            let nb = if rng.below(2) == 0 {
                best + delta
            } else {
                best.saturating_sub(delta)
            };
            b.fatalities.best = Some(nb);
            b.fatalities.low = b.fatalities.low.map(|l| l.min(nb));
            b.fatalities.high = b.fatalities.high.map(|h| h.max(nb));
        }
    }
    b
}

/// Precision when links are taken in decreasing score until recall reaches `r`
/// (`None` when it never does).
fn precision_at_recall(
    out: &sitrep_match::Outcome,
    truth: u64,
    r: f64,
    is_true: impl Fn(usize, usize) -> bool,
) -> Option<f64> {
    let mut links: Vec<(f32, bool)> = out.links().map(|p| (p.score, is_true(p.a, p.b))).collect();
    links.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut tp = 0u64;
    for (k, (_, t)) in links.iter().enumerate() {
        tp += *t as u64;
        if tp as f64 / truth as f64 >= r {
            return Some(tp as f64 / (k + 1) as f64);
        }
    }
    None
}

/// Log-likelihood of `b` being `a` perturbed by [`perturb`] with settings `s` (`None`:
/// impossible). The generator's own model, known here only because the data are
/// synthetic: an oracle no matcher can have, giving a ceiling for the benchmark.
fn oracle_loglik(a: &MatchRecord, b: &MatchRecord, s: &Setting) -> Option<f64> {
    if a.event_type != b.event_type
        || a.sub_event_type != b.sub_event_type
        || a.country != b.country
        || a.province != b.province
        || a.date_precision != b.date_precision
        || a.geo_precision != b.geo_precision
    {
        return None;
    }
    let shift = (b.date_start - a.date_start).num_days();
    if shift.abs() > s.shift || (b.date_end - a.date_end).num_days() != shift {
        return None;
    }
    let mut ll = -((2 * s.shift + 1) as f64).ln();
    match (a.latitude, a.longitude, b.latitude, b.longitude) {
        (Some(y1), Some(x1), Some(y2), Some(x2)) => {
            let d = haversine(y1, x1, y2, x2);
            let r = 0.98 * s.jitter;
            if d > r + 0.05 {
                return None;
            }
            // Radius uniform on [0, r]: density 1 / (r · 2π d) per km².
            ll -= (r.max(1e-3) * std::f64::consts::TAU * d.max(0.01)).ln();
        }
        (None, None, None, None) => {}
        _ => return None,
    }
    if a.actors == b.actors {
        ll += (1.0 - s.respell).max(1e-9).ln();
    } else {
        ll += s.respell.max(1e-9).ln();
        for (x, y) in a.actors.iter().zip(&b.actors) {
            match (x, y) {
                (Some(x), Some(y)) => {
                    let (cx, cy) = (x.chars().count(), y.chars().count());
                    let one_letter = (cx + 1 == cy || cy + 1 == cx) && {
                        let (short, long) = if cx < cy { (x, y) } else { (y, x) };
                        let (s1, l1): (Vec<char>, Vec<char>) =
                            (short.chars().collect(), long.chars().collect());
                        (0..l1.len()).any(|k| l1[..k] == s1[..k] && l1[k + 1..] == s1[k..])
                    };
                    let ok = x == y
                        || *y == x.to_uppercase()
                        || *y == x.replace("Government of", "Govt. of")
                        || one_letter;
                    if !ok {
                        return None;
                    }
                    ll -= (4.0 * cx.max(1) as f64).ln();
                }
                (None, None) => {}
                _ => return None,
            }
        }
    }
    let (fa, fb) = (&a.fatalities, &b.fatalities);
    if fa == fb {
        ll += (1.0 - s.deaths).max(1e-9).ln();
    } else {
        let (Some(x), Some(y)) = (fa.best, fb.best) else {
            return None;
        };
        if fb.low != fa.low.map(|l| l.min(y)) || fb.high != fa.high.map(|h| h.max(y)) {
            return None;
        }
        // delta = max(1, round(x · pct)), pct uniform on [0.01, 0.30]; either direction.
        let k = x.abs_diff(y) as f64;
        let xf = (x as f64).max(1e-9);
        let (lo, hi) = if k == 1.0 {
            (0.01, 1.5 / xf)
        } else {
            ((k - 0.5) / xf, (k + 0.5) / xf)
        };
        let p = ((hi.min(0.30) - lo.max(0.01)) / 0.29).max(0.0);
        if p <= 0.0 {
            return None;
        }
        ll += (s.deaths * 0.5 * p).max(1e-12).ln();
    }
    Some(ll)
}

fn haversine(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// The oracle: every pair the generator could have made, weighted by its
/// log-likelihood ([`oracle_loglik`]), then the crate's one-to-one assignment
/// maximising the sum of log-likelihoods. Links carry their log-likelihood as score.
fn oracle(recs: &[MatchRecord], s: &Setting) -> sitrep_match::Outcome {
    use std::collections::HashMap;
    let mut by_day: HashMap<chrono::NaiveDate, Vec<usize>> = HashMap::new();
    for (i, r) in recs.iter().enumerate() {
        if r.event.source == "a" {
            by_day.entry(r.date_start).or_default().push(i);
        }
    }
    let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
    for (j, b) in recs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.event.source == "b")
    {
        for d in -s.shift..=s.shift {
            let day = b.date_start - chrono::Duration::days(d);
            for &i in by_day.get(&day).into_iter().flatten() {
                if let Some(ll) = oracle_loglik(&recs[i], b, s) {
                    pairs.push((i as u32, j as u32, ll));
                }
            }
        }
    }
    // Positive weights: shift every log-likelihood by the same constant (every pair is
    // worth linking: the generator gives each B record a partner unless dropped).
    let low = pairs.iter().map(|p| p.2).fold(0.0f64, f64::min);
    let weighted: Vec<(u32, u32, f64)> = pairs
        .iter()
        .map(|&(i, j, ll)| (i, j, ll - low + 1.0))
        .collect();
    let chosen = sitrep_match::assign_pairs(&weighted);
    sitrep_match::Outcome {
        considered: pairs.len() as u64,
        pairs: chosen
            .into_iter()
            .map(|k| sitrep_match::Pair {
                a: pairs[k].0 as usize,
                b: pairs[k].1 as usize,
                score: pairs[k].2 as f32,
                parts: Default::default(),
                runner_up: None,
                status: sitrep_model::PairStatus::Matched,
            })
            .collect(),
        clusters: Vec::new(),
    }
}

/// The perturbed benchmark: real rows against a perturbed copy (synthetic, seeded), the
/// hand-weighted scorer beside EM, EM with analyst decisions (labels from the truth on
/// the first pairs of the review order).
fn learned() {
    use sitrep_match::{review_order, run_em, EmConfig, Threshold};
    let s = Setting::parse();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ucdp/ged211_global_subset.csv.gz");
    let mut sink = CollectSink::default();
    read_file(&path, &Format::Auto, &mut sink).expect("reads the global subset");
    let base: Vec<MatchRecord> = sink.records.iter().map(MatchRecord::from_record).collect();
    drop(sink);
    let mut rng = Rng(s.seed);
    let mut recs = Vec::with_capacity(2 * s.n);
    let real = |k: usize| {
        let mut a = base[k % base.len()].clone();
        let years = (k / base.len()) as i64 * 40;
        a.date_start += chrono::Duration::days(years * 365 + years / 4);
        a.date_end += chrono::Duration::days(years * 365 + years / 4);
        a
    };
    let mut truth = 0u64;
    for k in 0..s.n {
        let mut a = real(k);
        a.event = RecordRef::new("a", k.to_string());
        a.record_id = format!("a:{k}:1");
        if rng.unit() >= s.drop {
            recs.push(perturb(&a, &s, &mut rng));
            truth += 1;
        }
        recs.push(a);
    }
    // Added events: other real rows (from beyond the first n), perturbed, only in B.
    let added = (s.add * s.n as f64).round() as usize;
    for k in 0..added {
        let mut x = real(s.n + k);
        x.event = RecordRef::new("a", format!("x{k}"));
        recs.push(perturb(&x, &s, &mut rng));
    }
    drop(base);
    let cfg = Config {
        days: s.days,
        km: s.km,
        ..Config::default()
    };
    let is_true = |a: usize, b: usize| {
        recs[a].event.source != recs[b].event.source
            && recs[a].event.source_event_id == recs[b].event.source_event_id
    };
    let row = |name: &str, out: &sitrep_match::Outcome, took: f64, extra: &str| {
        let e = evaluate(out, truth, is_true);
        let p90 = precision_at_recall(out, truth, 0.9, is_true);
        let p95 = precision_at_recall(out, truth, 0.95, is_true);
        let f = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.4}"));
        println!(
            "| {} | {} | {} | {:.4} | {:.4} | {} | {} | {}/{} | {:.2} s | {extra} |",
            s.n,
            format_args!(
                "±{}d {}km respell {} deaths {} drop {} add {}",
                s.shift, s.jitter, s.respell, s.deaths, s.drop, s.add
            ),
            name,
            e.precision(),
            e.recall(),
            f(p90),
            f(p95),
            e.true_positives,
            e.linked,
            took,
        );
    };
    if s.oracle {
        let t = Instant::now();
        let o = oracle(&recs, &s);
        row(
            "oracle: the generator's likelihood",
            &o,
            t.elapsed().as_secs_f64(),
            "",
        );
    }
    let t = Instant::now();
    let old = run(&recs, &[], &cfg, &NoProgress);
    row("hand-weighted", &old, t.elapsed().as_secs_f64(), "");
    let em = EmConfig {
        fit: sitrep_match::Fit {
            max_iter: s.iter,
            ..EmConfig::default().fit
        },
        rounds: s.rounds,
        one_to_one: s.o2o,
        label_weight: s.lw,
        term_frequency: s.tf,
        one_to_one_lambda: s.o2ol,
        collapse_twins: s.collapse,
        map_assignment: s.map,
        matching_marginals: s.calib,
        u_from_random_pairs: (s.randomu > 0).then_some((s.randomu, 7)),
        init: if s.prior {
            sitrep_match::Init::Prior
        } else {
            sitrep_match::Init::HandScore
        },
        ..EmConfig::default()
    };
    let t = Instant::now();
    let l = run_em(&recs, &[], &cfg, &em, &NoProgress);
    let took = t.elapsed().as_secs_f64();
    let exp = |l: &sitrep_match::Linkage| {
        format!(
            "expected P {:.4} R {:.4}; threshold {:.3}",
            l.expected.precision, l.expected.recall, l.threshold
        )
    };
    row("EM", &l.outcome, took, &exp(&l));
    reliability("EM", &l.outcome, is_true);
    if std::env::var_os("SITREP_EXPLAIN").is_some() {
        explain(&l);
    }
    let em99 = EmConfig {
        threshold: Threshold::TargetPrecision(s.target),
        ..em.clone()
    };
    let t = Instant::now();
    let l99 = run_em(&recs, &[], &cfg, &em99, &NoProgress);
    row(
        &format!("EM, target precision {}", s.target),
        &l99.outcome,
        t.elapsed().as_secs_f64(),
        &exp(&l99),
    );
    reliability(
        &format!("EM, target precision {}", s.target),
        &l99.outcome,
        is_true,
    );
    if s.decisions > 0 {
        // Which pairs the analyst decides: the first of the review order, or (setting
        // `labels=random`) pairs drawn uniformly (seeded) from the run's output pairs.
        let picked: Vec<usize> = if s.random_labels {
            let mut r = Rng(s.seed ^ 0x1abe1);
            let mut ks: Vec<usize> = (0..l.outcome.pairs.len()).collect();
            for i in (1..ks.len()).rev() {
                ks.swap(i, r.below(i as u64 + 1) as usize);
            }
            ks.truncate(s.decisions);
            ks
        } else {
            review_order(&l).into_iter().take(s.decisions).collect()
        };
        let decisions: Vec<sitrep_model::Decision> = picked
            .into_iter()
            .map(|k| {
                let p = &l.outcome.pairs[k];
                sitrep_model::Decision {
                    kind: if is_true(p.a, p.b) {
                        sitrep_model::DecisionKind::Confirm
                    } else {
                        sitrep_model::DecisionKind::Reject
                    },
                    a: recs[p.a].event.clone(),
                    b: recs[p.b].event.clone(),
                    by: "benchmark".into(),
                    at: "2026-12-02T00:00:00Z".into(),
                    why: "ground truth".into(),
                }
            })
            .collect();
        let confirms = decisions
            .iter()
            .filter(|d| d.kind == sitrep_model::DecisionKind::Confirm)
            .count();
        let t = Instant::now();
        let ld = run_em(&recs, &decisions, &cfg, &em, &NoProgress);
        row(
            &format!(
                "EM + {} {} decisions ({confirms} confirm)",
                decisions.len(),
                if s.random_labels {
                    "random"
                } else {
                    "review-order"
                }
            ),
            &ld.outcome,
            t.elapsed().as_secs_f64(),
            &exp(&ld),
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "learned") {
        return learned();
    }
    if std::env::args().any(|a| a == "mexico") {
        return mexico();
    }
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(20_000);
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ucdp/ged211_global_subset.csv.gz");
    let t = Instant::now();
    let mut sink = CollectSink::default();
    read_file(&path, &Format::Auto, &mut sink).expect("reads the global subset");
    let base: Vec<MatchRecord> = sink.records.iter().map(MatchRecord::from_record).collect();
    drop(sink);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut recs = Vec::with_capacity(2 * n);
    for k in 0..n {
        let mut a = base[k % base.len()].clone();
        let years = (k / base.len()) as i64 * 40;
        a.date_start += chrono::Duration::days(years * 365 + years / 4);
        a.date_end += chrono::Duration::days(years * 365 + years / 4);
        a.event = RecordRef::new("a", k.to_string());
        a.record_id = format!("a:{k}:1");
        let b = jitter(&a, &mut rng);
        recs.push(a);
        recs.push(b);
    }
    drop(base);
    let prepared = t.elapsed();
    let rss_before = peak_rss_mb();
    // Reset the peak (Linux: "5" to clear_refs), so the peak below is the matcher's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_data = current_rss_mb();
    let cfg = Config {
        days: 3,
        km: 25.0,
        ..Config::default()
    };
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let out = run(&recs, &[], &cfg, &NoProgress);
    let took = t.elapsed();
    let e = evaluate(&out, n as u64, |a, b| {
        recs[a].event.source_event_id == recs[b].event.source_event_id
    });
    println!(
        "| {n} × {n} | {:.4} | {:.4} | {:.4} | {} | {:.2} s | {:.0} MB | {:.0} MB | {:.0} MB | {threads} |",
        e.precision(),
        e.recall(),
        e.f1(),
        out.considered,
        took.as_secs_f64(),
        rss_data,
        peak_rss_mb(),
        peak_rss_mb() - rss_data,
    );
    eprintln!("data prepared in {prepared:.2?} (peak while reading {rss_before:.0} MB); {e}");
}
