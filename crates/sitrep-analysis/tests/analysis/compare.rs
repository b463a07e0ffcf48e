use crate::common::{day, rows, store};
use sitrep_analysis::{compare, rate_ratio, AnalysisError};
use sitrep_model::figure::{Filters, Period};
use sitrep_model::EventType;

fn period(s: &str) -> Period {
    s.parse().unwrap()
}

fn count(p: &Period, pick: impl Fn(&crate::common::Row) -> bool) -> u64 {
    rows()
        .iter()
        .filter(|r| p.contains(r.date) && pick(r))
        .count() as u64
}

#[tokio::test]
async fn weekly_rate_ratio_against_the_csv() {
    let st = store();
    let (a, b) = (
        period("2020-03-01..2020-12-31"),
        period("2019-03-01..2019-12-31"),
    );
    let filters = Filters {
        event_types: vec![EventType::Battle],
        // The figure's own dates are ignored by comparisons.
        from: Some(day("2020-06-01")),
        to: Some(day("2020-06-30")),
        ..Filters::default()
    };
    let c = compare(&st, &filters, a, b).await.unwrap();
    let battle = |r: &crate::common::Row| r.violence != "One-sided violence";
    let (na, nb) = (count(&a, battle), count(&b, battle));
    assert_eq!((c.count_a, c.count_b), (na as f64, nb as f64));
    assert_eq!((c.weeks_a, c.weeks_b), (306.0 / 7.0, 306.0 / 7.0));
    let by_hand = (na as f64 / (306.0 / 7.0)) / (nb as f64 / (306.0 / 7.0));
    assert!((c.ratio - by_hand).abs() < 1e-12);
    assert!((c.rate_a - na as f64 * 7.0 / 306.0).abs() < 1e-12);
    let (_, lo, hi) = rate_ratio(na, c.weeks_a, nb, c.weeks_b);
    assert_eq!((c.ci_low, c.ci_high), (lo, hi));
    assert!(c.ci_low < c.ratio && c.ratio < c.ci_high);
    // With thousands of events the exact interval is close to the log-normal one.
    let se = (1.0 / na as f64 + 1.0 / nb as f64).sqrt();
    assert!((c.ci_low - by_hand * (-1.96 * se).exp()).abs() < 0.01);
    assert!((c.ci_high - by_hand * (1.96 * se).exp()).abs() < 0.01);
    assert_eq!(c.a, a);
    assert!(c
        .describe()
        .starts_with("Weekly rate 1 Mar 2020–31 Dec 2020 vs a year earlier"));
}

#[tokio::test]
async fn zero_counts_and_periods_outside_the_data() {
    let st = store();
    // IS-KP had no events before 2015 in the file: period a is empty, no panic.
    let f = Filters {
        actors: vec!["is-kp".into()],
        ..Filters::default()
    };
    let c = compare(
        &st,
        &f,
        period("2010-01-01..2010-12-31"),
        period("2019-01-01..2019-12-31"),
    )
    .await
    .unwrap();
    assert_eq!(c.count_a, 0.0);
    assert!(c.count_b > 0.0);
    assert_eq!((c.ratio, c.ci_low), (0.0, 0.0));
    assert!(c.ci_high.is_finite());
    // The report's own periods lie after the bundled data: an input error, not a 0.
    let e = compare(
        &st,
        &Filters::default(),
        period("2021-08-15..2022-06-15"),
        period("2020-08-15..2021-06-15"),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AnalysisError::PeriodNotCovered { .. }), "{e}");
    assert!(e.is_input());
    assert!(e.to_string().contains("2020-12-31"), "{e}");
}
