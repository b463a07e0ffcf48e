//! `run_em` on hand-built records (synthetic): precision-aware windows, decisions as
//! fixed labels, review order. EM is not fitted here (a handful of pairs says nothing):
//! the neutral starting model is used as it is (`fit.max_iter = 0`).

use chrono::NaiveDate;
use sitrep_match::{
    review_order, run_em, Config, EmConfig, Fit, Linkage, Model, NoProgress, Threshold,
};
use sitrep_model::*;

fn rec(src: &str, id: &str, day: u32, prec: DatePrecision, lat: f64) -> MatchRecord {
    let d = NaiveDate::from_ymd_opt(2022, 5, day).unwrap();
    MatchRecord {
        record_id: format!("{src}:{id}:1"),
        event: RecordRef::new(src, id),
        date_start: d,
        date_end: d,
        date_precision: prec,
        latitude: Some(lat),
        longitude: Some(69.2),
        geo_precision: GeoPrecision::Point,
        country: Some("Afghanistan".into()),
        province: None,
        event_type: EventType::Battle,
        sub_event_type: Some("state-based".into()),
        actors: [Some("Taliban".into()), Some("NRF".into())],
        actor_ids: [None, None],
        fatalities: Fatalities::range(3, 3, 3).unwrap(),
        order: 0,
    }
}

fn fixed() -> EmConfig {
    EmConfig {
        fit: Fit {
            max_iter: 0,
            ..Fit::default()
        },
        start: Some(Model::prior()),
        ..EmConfig::default()
    }
}

fn linked(l: &Linkage, recs: &[MatchRecord], a: &str, b: &str) -> bool {
    l.outcome.links().any(|p| {
        let (x, y) = (recs[p.a].event.to_string(), recs[p.b].event.to_string());
        (x == a && y == b) || (x == b && y == a)
    })
}

/// A record dated only to May 2022 (given as 1 May) meets a day-precise one on 21 May
/// (20 days later) with the default 1-day window; two day-precise records 20 days apart
/// are not even candidates.
#[test]
fn month_precision_widens_the_window_and_day_precision_does_not() {
    let recs = [
        rec("a", "1", 1, DatePrecision::Month, 34.5),
        rec("b", "1", 21, DatePrecision::Day, 34.5),
    ];
    let l = run_em(&recs, &[], &Config::default(), &fixed(), &NoProgress);
    assert_eq!(l.outcome.considered, 1);
    assert!(linked(&l, &recs, "a:1", "b:1"), "{:?}", l.outcome);
    assert_eq!(l.details[0].vector[0], 5, "the coarse-overlap date level");
    let day = [
        rec("a", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "1", 21, DatePrecision::Day, 34.5),
    ];
    let l = run_em(&day, &[], &Config::default(), &fixed(), &NoProgress);
    assert_eq!(l.outcome.considered, 0);
    assert!(l.outcome.links().next().is_none());
}

/// A point placed only to a district is 25 km further reachable: 30 km apart with
/// `--km 10` is a candidate with precision-aware windows, not without.
#[test]
fn district_precision_widens_the_place_window() {
    let mut b = rec("b", "1", 1, DatePrecision::Day, 34.5 + 30.0 / 111.2);
    b.geo_precision = GeoPrecision::District;
    let recs = [rec("a", "1", 1, DatePrecision::Day, 34.5), b];
    let on = run_em(&recs, &[], &Config::default(), &fixed(), &NoProgress);
    assert_eq!(on.outcome.considered, 1);
    let off = EmConfig {
        precision_windows: false,
        ..fixed()
    };
    let off = run_em(&recs, &[], &Config::default(), &off, &NoProgress);
    assert_eq!(off.outcome.considered, 0);
}

/// A confirmed pair gets probability 1 and is linked even far outside the windows; a
/// rejected pair is never linked and its competitor takes its place.
#[test]
fn decisions_fix_their_pairs_probabilities() {
    let recs = [
        rec("a", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "2", 1, DatePrecision::Day, 34.52),
        rec("a", "9", 1, DatePrecision::Day, 10.0),
        rec("b", "9", 30, DatePrecision::Day, 50.0),
    ];
    let before = run_em(&recs, &[], &Config::default(), &fixed(), &NoProgress);
    assert!(linked(&before, &recs, "a:1", "b:1"));
    assert!(!linked(&before, &recs, "a:9", "b:9"));
    let d = |kind, a: &str, b: &str| Decision {
        kind,
        a: RecordRef::new(&a[..1], &a[2..]),
        b: RecordRef::new(&b[..1], &b[2..]),
        by: "analyst".into(),
        at: "2026-12-02T00:00:00Z".into(),
        why: "test".into(),
    };
    let decisions = [
        d(DecisionKind::Reject, "a:1", "b:1"),
        d(DecisionKind::Confirm, "a:9", "b:9"),
    ];
    let after = run_em(&recs, &decisions, &Config::default(), &fixed(), &NoProgress);
    assert!(!linked(&after, &recs, "a:1", "b:1"));
    assert!(linked(&after, &recs, "a:1", "b:2"));
    assert!(linked(&after, &recs, "a:9", "b:9"));
    let confirmed = after
        .outcome
        .pairs
        .iter()
        .find(|p| recs[p.a].event.source_event_id == "9")
        .unwrap();
    assert_eq!(confirmed.score, 1.0);
    assert_eq!(confirmed.status, PairStatus::Confirmed);
    assert!(after
        .outcome
        .pairs
        .iter()
        .all(|p| !(recs[p.a].event.to_string() == "a:1" && recs[p.b].event.to_string() == "b:1")));
    assert_eq!(after.models[0].labelled, 2);
}

/// Review order puts the pair nearest probability 0.5 (weighted by how common its
/// vector is) first and leaves confirmed pairs out; a target precision of 0.9999
/// links nothing the model cannot promise.
#[test]
fn review_order_is_by_expected_information() {
    let mut far = rec("b", "2", 2, DatePrecision::Day, 34.58);
    far.fatalities = Fatalities::range(5, 5, 5).unwrap();
    let recs = [
        rec("a", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "1", 1, DatePrecision::Day, 34.5),
        far,
    ];
    let l = run_em(&recs, &[], &Config::default(), &fixed(), &NoProgress);
    let order = review_order(&l);
    assert_eq!(order.len(), l.outcome.pairs.len());
    let info = |k: usize| {
        let p = l.outcome.pairs[k].score as f64;
        -(p * p.log2() + (1.0 - p) * (1.0 - p).log2())
            * (1.0 + (1.0 + l.details[k].pattern_pairs as f64).log2())
    };
    for w in order.windows(2) {
        assert!(info(w[0]) >= info(w[1]));
    }
    let strict = EmConfig {
        threshold: Threshold::TargetPrecision(0.9999),
        ..fixed()
    };
    let s = run_em(&recs, &[], &Config::default(), &strict, &NoProgress);
    assert!(s.threshold > 0.5);
    assert!(s.outcome.links().all(|p| p.score as f64 >= s.threshold));
}

/// The model's own estimate is the sum of probabilities: over the links for expected
/// true links, over every candidate for expected matches; a confirmed pair counts 1.
#[test]
fn expected_precision_and_recall_are_sums_of_probabilities() {
    let recs = [
        rec("a", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "2", 2, DatePrecision::Day, 34.55),
        rec("a", "2", 3, DatePrecision::Day, 34.6),
    ];
    let l = run_em(&recs, &[], &Config::default(), &fixed(), &NoProgress);
    let links: Vec<f64> = l.outcome.links().map(|p| p.score as f64).collect();
    assert_eq!(l.expected.links, links.len() as u64);
    assert!(!links.is_empty());
    let sum: f64 = links.iter().sum();
    assert!(
        (l.expected.true_links - sum).abs() < 1e-5,
        "{:?}",
        l.expected
    );
    assert!((l.expected.precision - sum / links.len() as f64).abs() < 1e-5);
    assert!(l.expected.matches >= l.expected.true_links - 1e-9);
    assert!((l.expected.recall - l.expected.true_links / l.expected.matches).abs() < 1e-9);
}

/// Review order lists every output pair but the confirmed ones, each once, and a
/// confirmed pair's neighbours keep their order by expected information (synthetic).
#[test]
fn review_order_leaves_out_confirmed_pairs_and_lists_the_rest_once() {
    let recs = [
        rec("a", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "1", 1, DatePrecision::Day, 34.5),
        rec("b", "2", 1, DatePrecision::Day, 34.52),
        rec("a", "2", 2, DatePrecision::Day, 34.56),
    ];
    let confirm = Decision {
        kind: DecisionKind::Confirm,
        a: RecordRef::new("a", "1"),
        b: RecordRef::new("b", "1"),
        by: "analyst".into(),
        at: "2026-12-02T00:00:00Z".into(),
        why: "test".into(),
    };
    let l = run_em(&recs, &[confirm], &Config::default(), &fixed(), &NoProgress);
    let order = review_order(&l);
    let confirmed: Vec<usize> = (0..l.outcome.pairs.len())
        .filter(|&k| l.outcome.pairs[k].status == PairStatus::Confirmed)
        .collect();
    assert_eq!(confirmed.len(), 1, "{:?}", l.outcome.pairs);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    let expected: Vec<usize> = (0..l.outcome.pairs.len())
        .filter(|k| !confirmed.contains(k))
        .collect();
    assert_eq!(sorted, expected);
    assert!(order.len() >= 2, "{:?}", l.outcome.pairs);
}
