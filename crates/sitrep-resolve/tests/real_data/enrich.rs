use crate::common::{date, ged211, ged231, record, resolver};
use sitrep_model::{Enricher, GeoPrecision, PlaceFlag};
use std::time::Instant;

#[test]
fn over_99_percent_of_the_16038_ucdp_events_get_a_province() {
    let rows = ged211();
    assert_eq!(rows.len(), 16_038);
    let t = Instant::now();
    let (mut inside, mut snapped, mut outside, mut no_point) = (0, 0, 0, 0);
    let (mut actors_resolved, mut with_district, mut with_capital) = (0, 0, 0);
    for r in rows {
        let e = resolver().enrich(r);
        match e.place_flag {
            PlaceFlag::Inside => inside += 1,
            PlaceFlag::Snapped => snapped += 1,
            PlaceFlag::Outside => outside += 1,
            _ => no_point += 1,
        }
        assert_eq!(
            e.province_code.is_some(),
            matches!(e.place_flag, PlaceFlag::Inside | PlaceFlag::Snapped)
        );
        actors_resolved += usize::from(e.actor1_id.is_some()) + usize::from(e.actor2_id.is_some());
        with_district += usize::from(e.district.is_some());
        with_capital += usize::from(e.capital_distance_km.is_some());
    }
    let n = rows.len() as f64;
    let assigned = (inside + snapped) as f64 / n;
    println!(
        "ged211 Afghanistan: {} events in {:?}; inside {inside}, snapped {snapped}, outside {outside}, no point {no_point}; \
         assigned to a province {:.2}%; with district {:.2}%; with capital distance {:.2}%; actor names resolved {actors_resolved}/{}",
        rows.len(),
        t.elapsed(),
        100.0 * assigned,
        100.0 * with_district as f64 / n,
        100.0 * with_capital as f64 / n,
        2 * rows.len()
    );
    assert!(assigned > 0.99, "assigned share {assigned}");
    assert_eq!(actors_resolved, 2 * rows.len());
    assert_eq!(no_point, 0);
}

#[test]
fn source_admin1_agreement_on_the_ged231_sample() {
    let rows = ged231();
    let (mut agree, mut disagree, mut unknown) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for r in &rows {
        let e = resolver().enrich(r);
        match e.admin1_agrees {
            Some(true) => agree += 1,
            Some(false) => {
                disagree += 1;
                disagreements.push(format!(
                    "{} {:?} -> {:?}",
                    r.source_event_id, r.admin1, e.province_name
                ));
            }
            None => unknown += 1,
        }
        // Every non-empty adm_1 of the sample names a known province.
        if let Some(a) = &r.admin1 {
            assert!(resolver().gazetteer().province_by_name(a).is_some(), "{a}");
        }
    }
    println!(
        "ged231 sample, Afghanistan: {} rows; admin1 agrees {agree}, disagrees {disagree} ({:.1}%), not comparable {unknown}; {:?}",
        rows.len(),
        100.0 * disagree as f64 / (agree + disagree) as f64,
        disagreements
    );
    assert_eq!(agree + disagree + unknown, 135);
    assert!(agree as f64 / (agree + disagree) as f64 > 0.9);
}

#[test]
fn province_precision_keeps_the_province_but_no_capital_distance() {
    let day = date("2022-05-01");
    let mk = |geo| {
        record(
            "x",
            day,
            Some(35.31),
            Some(69.52),
            geo,
            "Afghanistan",
            Some("Panjsher province"),
            "Government of Afghanistan",
            "NRF",
        )
    };
    let fine = resolver().enrich(&mk(GeoPrecision::Point));
    assert_eq!(fine.province_code.as_deref(), Some("AF-PAN"));
    assert_eq!(fine.capital_name.as_deref(), Some("Bazarak"));
    assert!(fine.capital_distance_km.unwrap() < 1.0);
    assert_eq!(fine.admin1_agrees, Some(true));
    assert_eq!(
        (fine.actor1_id.as_deref(), fine.actor2_id.as_deref()),
        (Some("taliban"), Some("nrf"))
    );
    for geo in [GeoPrecision::Province, GeoPrecision::Country] {
        let coarse = resolver().enrich(&mk(geo));
        assert_eq!(coarse.province_code.as_deref(), Some("AF-PAN"));
        assert_eq!(
            (coarse.capital_name, coarse.capital_distance_km),
            (None, None),
            "{geo:?}"
        );
    }
    let district = resolver().enrich(&mk(GeoPrecision::District));
    assert!(district.capital_distance_km.is_some());
}

#[test]
fn enrichment_flags_disagreement_and_missing_points() {
    let day = date("2020-05-01");
    // A point in Kabul city whose source says Logar.
    let r = record(
        "y",
        day,
        Some(34.528),
        Some(69.172),
        GeoPrecision::Point,
        "Afghanistan",
        Some("Logar"),
        "Government of Afghanistan",
        "Taleban",
    );
    let e = resolver().enrich(&r);
    assert_eq!(e.admin1_agrees, Some(false));
    assert_eq!(
        (e.actor1_id.as_deref(), e.actor1_root.as_deref()),
        (Some("afg-republic"), Some("afg-republic"))
    );
    assert_eq!(e.region.as_deref(), Some("Capital"));
    // No coordinates: the province comes from admin1, the flag says no point.
    let r = record(
        "z",
        day,
        None,
        None,
        GeoPrecision::Province,
        "Afghanistan",
        Some("Hilmand"),
        "Taliban",
        "Civilians",
    );
    let e = resolver().enrich(&r);
    assert_eq!(
        (e.place_flag, e.province_code.as_deref()),
        (PlaceFlag::NoPoint, Some("AF-HEL"))
    );
    assert_eq!((e.admin1_agrees, e.capital_distance_km), (None, None));
    // The version names both data hashes and is stable.
    let v = resolver().version();
    assert!(v.starts_with("resolve-g") && v.contains("-a"), "{v}");
    assert_eq!(v, resolver().version());
}
