//! Real ground truth: UCDP GED 24.1 Mexico against the Mexico rows of the GED 21.1
//! subset, matched without looking at `id`; the shared `id` is the truth.

use sitrep_ingest::{read_file, CollectSink, Format};
use sitrep_match::{evaluate, run, Config, NoProgress, Outcome};
use sitrep_model::{MatchRecord, Record};
use std::collections::HashMap;
use std::path::Path;

fn read(rel: &str, source: &str, keep: impl Fn(&Record) -> bool) -> Vec<MatchRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel);
    let mut sink = CollectSink::default();
    read_file(&path, &Format::Auto, &mut sink).expect("reads");
    assert!(sink.errors.is_empty(), "{rel}: {:?}", sink.errors.first());
    sink.records
        .into_iter()
        .filter(|r| keep(r))
        .map(|mut r| {
            r.source = source.to_string();
            MatchRecord::from_record(&r)
        })
        .collect()
}

/// Both files, restricted to records starting in `years` (inclusive). The files are
/// read once per test binary.
fn mexico(years: std::ops::RangeInclusive<i32>) -> Vec<MatchRecord> {
    use chrono::Datelike;
    static ALL: std::sync::OnceLock<Vec<MatchRecord>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut recs = read("ucdp/ged241_mexico.csv.gz", "ged241", |_| true);
        recs.extend(read(
            "ucdp/ged211_global_subset.csv.gz",
            "ged211",
            |r: &Record| r.country.as_deref() == Some("Mexico"),
        ));
        recs
    });
    all.iter()
        .filter(|r| years.contains(&r.date_start.year()))
        .cloned()
        .collect()
}

/// The fields both files carry (the 14-column subset's), without the id.
fn content(r: &MatchRecord) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?} {:?}",
        r.date_start, r.latitude, r.longitude, r.sub_event_type, r.actors, r.fatalities
    )
}

/// Like [`score`], but a link also counts as true when it joins a record to a record
/// identical in every compared field to its true partner: such twins (UCDP codes
/// several identical events on one day in one town) cannot be told apart without ids.
fn score_twin_aware(recs: &[MatchRecord], out: &Outcome) -> sitrep_match::Evaluation {
    let mut partner: HashMap<(&str, &str), String> = HashMap::new();
    for r in recs {
        partner.insert((&r.event.source, &r.event.source_event_id), content(r));
    }
    let strict = score(recs, out);
    evaluate(out, strict.truth, |a, b| {
        let (ra, rb) = (&recs[a], &recs[b]);
        partner
            .get(&(rb.event.source.as_str(), ra.event.source_event_id.as_str()))
            .is_some_and(|c| *c == content(rb))
    })
}

fn score(recs: &[MatchRecord], out: &Outcome) -> sitrep_match::Evaluation {
    let mut by_id: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in recs {
        by_id
            .entry(&r.event.source_event_id)
            .or_default()
            .push(&r.event.source);
    }
    let truth = by_id.values().filter(|s| s.len() == 2).count() as u64;
    evaluate(out, truth, |a, b| {
        recs[a].event.source_event_id == recs[b].event.source_event_id
    })
}

/// The naive matcher the issue compares against: each record of `a` takes the nearest
/// point of `b` on the same day (one-to-one, first come first served).
fn naive_same_day_nearest(recs: &[MatchRecord], a: &str) -> Outcome {
    let mut by_day: HashMap<chrono::NaiveDate, Vec<usize>> = HashMap::new();
    for (i, r) in recs.iter().enumerate() {
        if r.event.source != a {
            by_day.entry(r.date_start).or_default().push(i);
        }
    }
    let mut used = std::collections::HashSet::new();
    let mut pairs = Vec::new();
    for (i, r) in recs.iter().enumerate().filter(|(_, r)| r.event.source == a) {
        let d = |j: usize| {
            let o = &recs[j];
            (o.latitude.unwrap_or(0.0) - r.latitude.unwrap_or(0.0)).powi(2)
                + (o.longitude.unwrap_or(0.0) - r.longitude.unwrap_or(0.0)).powi(2)
        };
        let best = by_day
            .get(&r.date_start)
            .into_iter()
            .flatten()
            .copied()
            .filter(|j| !used.contains(j))
            .min_by(|&x, &y| d(x).total_cmp(&d(y)));
        if let Some(j) = best {
            used.insert(j);
            pairs.push(sitrep_match::Pair {
                a: i,
                b: j,
                score: 1.0,
                parts: Default::default(),
                runner_up: None,
                status: sitrep_model::PairStatus::Matched,
            });
        }
    }
    Outcome {
        considered: 0,
        pairs,
        clusters: Vec::new(),
    }
}

/// The whole of both files: matching takes well under a second; reading the 176,579-row
/// global subset dominates the test's time.
#[test]
fn mexico_ged241_against_ged211_reaches_precision_and_recall() {
    let recs = mexico(1989..=2023);
    let out = run(&recs, &[], &Config::default(), &NoProgress);
    let e = score(&recs, &out);
    let t = score_twin_aware(&recs, &out);
    let naive = naive_same_day_nearest(&recs, "ged211");
    let (ne, nt) = (score(&recs, &naive), score_twin_aware(&recs, &naive));
    eprintln!(
        "Mexico: {} records, {} candidates\n  strict: {e}\n  twin-aware: {t}\n\
         naive same-day nearest point:\n  strict: {ne}\n  twin-aware: {nt}",
        recs.len(),
        out.considered
    );
    assert_eq!(
        e.truth, 5262,
        "5,262 events share an id across the two files"
    );
    // Strict figures are capped by twins: 1,071 of the subset's 5,317 Mexico rows have
    // an identical row (same day, place, actors, deaths) that only the id tells apart.
    // Twins are paired in the order the files list them, which agrees with the ids for
    // 921 of the 1,065 twins that have a partner; no id-blind matcher can know the rest
    // (see `relabelled_ids_give_the_same_links`).
    assert!(e.precision() >= 0.965, "{e}");
    assert!(e.recall() >= 0.965, "{e}");
    assert!(t.precision() >= 0.99, "{t}");
    assert!(t.recall() >= 0.99, "{t}");
    assert!(
        t.f1() > nt.f1() && e.f1() > ne.f1(),
        "matcher {t}, naive {nt}"
    );
}

/// The matcher never reads event ids: giving every record of one source a new id (and
/// keeping where the file lists it) links exactly the same records. Before this test,
/// records were put in canonical order by a hash of their id, so exact twins were
/// paired by id after all (strict precision 0.98 instead of 0.967).
#[test]
fn relabelled_ids_give_the_same_links() {
    let recs = mexico(2008..=2012);
    let cfg = Config::default();
    let links = |out: &Outcome| {
        let mut v: Vec<(usize, usize)> =
            out.links().map(|p| (p.a.min(p.b), p.a.max(p.b))).collect();
        v.sort_unstable();
        v
    };
    let before = links(&run(&recs, &[], &cfg, &NoProgress));
    let relabelled: Vec<MatchRecord> = recs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if r.event.source == "ged211" {
                // A different id of a different shape, in reverse order of the old ones.
                let n: u64 = r.event.source_event_id.parse().unwrap();
                r.event.source_event_id = format!("R{}", 10_000_000 - n);
                r.record_id = format!("ged211:{}:1", r.event.source_event_id);
            }
            r
        })
        .collect();
    let after = links(&run(&relabelled, &[], &cfg, &NoProgress));
    assert!(before.len() > 500, "{}", before.len());
    assert_eq!(before, after);
}

/// Clusters as sets of event references, for comparison across runs.
fn named_clusters(recs: &[MatchRecord], out: &Outcome) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = out
        .clusters
        .iter()
        .map(|c| {
            let mut m: Vec<String> = c.iter().map(|&i| recs[i].event.to_string()).collect();
            m.sort();
            m
        })
        .collect();
    v.sort();
    v
}

/// A confirmed pair outside the windows is linked; a rejected true pair never is.
#[test]
fn decisions_override_scores() {
    use sitrep_model::{Decision, DecisionKind, RecordRef};
    let recs = mexico(2016..=2016);
    let before = run(&recs, &[], &Config::default(), &NoProgress);
    let linked = |out: &Outcome, a: &RecordRef, b: &RecordRef| {
        out.links().any(|p| {
            let (x, y) = (&recs[p.a].event, &recs[p.b].event);
            (x == a && y == b) || (x == b && y == a)
        })
    };
    // A true pair the matcher links, and a pair of unrelated records.
    let p = before.links().next().expect("links");
    let (a, b) = (recs[p.a].event.clone(), recs[p.b].event.clone());
    let far = recs
        .iter()
        .find(|r| r.event.source == "ged241" && r.date_start.format("%m").to_string() == "12")
        .unwrap()
        .event
        .clone();
    let other = recs
        .iter()
        .find(|r| r.event.source == "ged211" && r.date_start.format("%m").to_string() == "01")
        .map(|r| r.event.clone())
        .expect("a ged211 record in January");
    assert!(linked(&before, &a, &b) && !linked(&before, &far, &other));
    let d = |kind, a: &RecordRef, b: &RecordRef| Decision {
        kind,
        a: a.clone(),
        b: b.clone(),
        by: "analyst".into(),
        at: "2026-11-22T05:00:00Z".into(),
        why: "test".into(),
    };
    let decisions = [
        d(DecisionKind::Reject, &a, &b),
        d(DecisionKind::Confirm, &far, &other),
    ];
    let after = run(&recs, &decisions, &Config::default(), &NoProgress);
    assert!(!linked(&after, &a, &b), "rejected");
    assert!(linked(&after, &far, &other), "confirmed");
    let c = after
        .pairs
        .iter()
        .find(|p| recs[p.a].event == far || recs[p.b].event == far)
        .unwrap();
    assert_eq!(c.status, sitrep_model::PairStatus::Confirmed);
    // The latest decision wins: confirming the rejected pair again links it.
    let decisions = [
        d(DecisionKind::Reject, &a, &b),
        d(DecisionKind::Confirm, &a, &b),
    ];
    assert!(linked(
        &run(&recs, &decisions, &Config::default(), &NoProgress),
        &a,
        &b
    ));
}

#[test]
fn clusters_do_not_depend_on_the_order_of_sources_or_records() {
    // Three sources: the two real files (2015-2016) and a synthetic third made from the
    // GED 21.1 rows with every date moved one day later and the deaths raised by one,
    // so that clusters of three form and compete.
    let mut recs = mexico(2015..=2016);
    let third: Vec<MatchRecord> = recs
        .iter()
        .filter(|r| r.event.source == "ged211")
        .map(|r| {
            let mut c = r.clone();
            c.event.source = "synthetic".into();
            c.record_id = format!("synthetic:{}:1", c.event.source_event_id);
            c.date_start = c.date_start.succ_opt().unwrap();
            c.date_end = c.date_end.succ_opt().unwrap();
            c.fatalities.best = c.fatalities.best.map(|b| b + 1);
            c.fatalities.high = c.fatalities.high.map(|b| b + 1);
            c
        })
        .collect();
    recs.extend(third);
    let cfg = Config {
        days: 2,
        ..Config::default()
    };
    let first = run(&recs, &[], &cfg, &NoProgress);
    let expected = named_clusters(&recs, &first);
    assert!(
        expected.iter().filter(|c| c.len() == 3).count() > 100,
        "three-source clusters form"
    );
    // Sources in every order (records grouped by source), then a shuffle of all records.
    let sources = ["ged211", "ged241", "synthetic"];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let mut v: Vec<MatchRecord> = Vec::new();
        for k in order {
            v.extend(
                recs.iter()
                    .filter(|r| r.event.source == sources[k])
                    .cloned(),
            );
        }
        let out = run(&v, &[], &cfg, &NoProgress);
        assert_eq!(
            named_clusters(&v, &out),
            expected,
            "sources in order {order:?}"
        );
    }
    let mut v = recs.clone();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let out = run(&v, &[], &cfg, &NoProgress);
    assert_eq!(named_clusters(&v, &out), expected, "shuffled records");
}

/// EM-fitted Fellegi–Sunter matching (`run_em`, defaults: term-frequency adjustment
/// on, MAP assignment) on the whole of both files, truth = shared id. Exact counts as
/// found: twin-aware precision and recall reach the 0.99 (0.9901 / 0.9920,
/// 5,220 of 5,272 links); the assignment on summed probabilities used before
/// (`map_assignment: false`) gives 0.9911 / 0.9911 (5,215 of 5,262; 5,212 of 5,259
/// before pruning kept tied edges), the same F1 to four places; the hand-weighted
/// scorer gives 0.9926 / 0.9941. Strict figures (0.9647 / 0.9666) are capped by exact
/// twins as above.
#[test]
fn mexico_em_reaches_precision_and_recall() {
    use sitrep_match::{run_em, EmConfig, Field};
    let recs = mexico(1989..=2023);
    let l = run_em(
        &recs,
        &[],
        &Config::default(),
        &EmConfig::default(),
        &NoProgress,
    );
    let e = score(&recs, &l.outcome);
    let t = score_twin_aware(&recs, &l.outcome);
    let old = run(&recs, &[], &Config::default(), &NoProgress);
    eprintln!(
        "EM: strict {e}\n    twin-aware {t}\n    expected P {:.4} R {:.4} ({} links)\n\
         hand-weighted: twin-aware {}",
        l.expected.precision,
        l.expected.recall,
        l.expected.links,
        score_twin_aware(&recs, &old)
    );
    for m in &l.models {
        eprintln!("{:?} λ {:.4} {} pairs", m.sources, m.model.lambda, m.pairs);
        for r in m.model.table() {
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
    assert_eq!(l.models.len(), 1, "one pair of sources");
    assert!(t.precision() >= 0.99 && t.recall() >= 0.99, "{t}");
    assert_eq!((t.true_positives, t.linked, t.truth), (5220, 5272, 5262));
    assert_eq!((e.true_positives, e.linked), (5086, 5272));
    let before = run_em(
        &recs,
        &[],
        &Config::default(),
        &EmConfig {
            map_assignment: false,
            ..EmConfig::default()
        },
        &NoProgress,
    );
    let tb = score_twin_aware(&recs, &before.outcome);
    assert_eq!((tb.true_positives, tb.linked), (5215, 5262));
    assert!(tb.precision() >= 0.99 && tb.recall() >= 0.99, "{tb}");
    // The fitted model says what matters: same day is evidence for, 3+ days against.
    let m = &l.models[0].model;
    assert!(m.bayes_factor(Field::Date, 1) > 1.0 && m.bayes_factor(Field::Date, 4) < 1.0);
    // Explanations add up to the weight.
    let x = l.explain(0);
    let sum: f64 = x.prior_weight + x.fields.iter().map(|c| c.weight).sum::<f64>();
    assert!((sum - x.weight).abs() < 1e-9);
}

/// Issue 20: the reported probabilities are calibrated. Links binned by reported
/// probability (reliability table); the model's expected precision (the links' mean
/// probability) against the true precision from the shared ids. Measured (2026-12-04):
/// expected P 0.9415 against strict 0.9647 and twin-aware 0.9901; expected calibration
/// error 0.036 strict. The residual is the model's own doubt in dense Ciudad Juárez
/// days (same day and ±1 day differ by 1.45 bits), not the combination of the two
/// sides. The probabilities before (`matching_marginals: false`, the smaller of the
/// two one-sided probabilities) said 0.8283 (ECE 0.141) and fail every bound here.
#[test]
fn mexico_em_probabilities_are_calibrated() {
    use sitrep_match::{calibration, run_em, Calibration, EmConfig, Linkage};
    let recs = mexico(1989..=2023);
    let edges = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99];
    let same_id =
        |a: usize, b: usize| recs[a].event.source_event_id == recs[b].event.source_event_id;
    let check = |l: &Linkage| -> Result<Calibration, String> {
        let c = calibration(&l.outcome, &edges, same_id);
        let e = score(&recs, &l.outcome);
        let t = score_twin_aware(&recs, &l.outcome);
        eprintln!(
            "expected P {:.4} R {:.4}; strict P {:.4} R {:.4}; twin-aware P {:.4} R {:.4}; \
             ECE {:.4}",
            l.expected.precision,
            l.expected.recall,
            e.precision(),
            e.recall(),
            t.precision(),
            t.recall(),
            c.ece
        );
        for b in c.bins.iter().filter(|b| b.links > 0) {
            eprintln!(
                "  [{:.2}, {:.2}) {:5} links, mean {:.4}, observed {:.4}",
                b.lo, b.hi, b.links, b.mean_predicted, b.observed
            );
        }
        assert!((c.expected_precision - l.expected.precision).abs() < 1e-6);
        assert!((c.precision - e.precision()).abs() < 1e-9);
        let mut why = Vec::new();
        if (l.expected.precision - e.precision()).abs() > 0.03 {
            why.push("expected precision more than 0.03 from the strict precision");
        }
        if l.expected.precision > t.precision() + 0.01 {
            why.push("expected precision above the twin-aware precision");
        }
        if (l.expected.recall - e.recall()).abs() > 0.03 {
            why.push("expected recall more than 0.03 from the strict recall");
        }
        if c.ece > 0.045 {
            why.push("expected calibration error above 0.045");
        }
        // The links the model is surest of (≥ 0.99, two thirds of them) are as true as
        // it says.
        let top = c.bins.last().expect("bins");
        if top.links * 3 < c.links * 2 || (top.observed - top.mean_predicted).abs() > 0.01 {
            why.push("top bin not two thirds of the links or off by more than 0.01");
        }
        if why.is_empty() {
            Ok(c)
        } else {
            Err(why.join("; "))
        }
    };
    let l = run_em(
        &recs,
        &[],
        &Config::default(),
        &EmConfig::default(),
        &NoProgress,
    );
    check(&l).expect("calibrated");
    let before = run_em(
        &recs,
        &[],
        &Config::default(),
        &EmConfig {
            matching_marginals: false,
            ..EmConfig::default()
        },
        &NoProgress,
    );
    assert_eq!(
        before.outcome.links().count(),
        l.outcome.links().count(),
        "the probabilities change, not the links"
    );
    let err = check(&before).expect_err("the old probabilities are not calibrated");
    assert!(err.contains("0.03 from the strict precision"), "{err}");
}

/// Issue 20: a target precision is met about as asked, on the real files: the strict
/// precision (shared ids) within 0.01 of the target, the twin-aware one (which of two
/// identical rows is the partner is not in the data) at least the target. Measured
/// (2026-12-04), target → strict P / R, twin-aware P: 0.98 → 0.9796 / 0.8856, 0.9979;
/// 0.99 → 0.9841 / 0.8339, 0.9982; 0.995 → 0.9884 / 0.7902, 0.9983. Targets below the
/// precision of the links at probability ≥ 0.5 (0.9646 strict here) are met with room:
/// the threshold never goes below 0.5. The probabilities before
/// (`matching_marginals: false`) overshoot: asked 0.98, they gave strict 0.9920 at
/// recall 0.6157.
#[test]
fn mexico_em_target_precision_is_reached() {
    use sitrep_match::{run_em, EmConfig, Threshold};
    let recs = mexico(1989..=2023);
    let run_at = |target: f64, calibrated: bool| {
        let l = run_em(
            &recs,
            &[],
            &Config::default(),
            &EmConfig {
                threshold: Threshold::TargetPrecision(target),
                matching_marginals: calibrated,
                ..EmConfig::default()
            },
            &NoProgress,
        );
        let e = score(&recs, &l.outcome);
        let t = score_twin_aware(&recs, &l.outcome);
        eprintln!(
            "target {target} (calibrated {calibrated}): threshold {:.3}, expected P {:.4}, \
             strict P {:.4} R {:.4}, twin-aware P {:.4} R {:.4}",
            l.threshold,
            l.expected.precision,
            e.precision(),
            e.recall(),
            t.precision(),
            t.recall()
        );
        (l.expected.precision, e.precision(), t.precision())
    };
    for target in [0.98, 0.99, 0.995] {
        let (expected, strict, twin) = run_at(target, true);
        assert!(
            (expected - target).abs() < 0.002,
            "{target}: expected {expected}"
        );
        assert!((strict - target).abs() <= 0.01, "{target}: strict {strict}");
        assert!(twin >= target, "{target}: twin-aware {twin}");
    }
    let (_, strict, _) = run_at(0.98, false);
    assert!(strict - 0.98 > 0.01, "before: {strict}");
}
