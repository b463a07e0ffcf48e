use crate::common::{date, ged211, ged231, registry, root};
use sitrep_resolve::{Method, NameCount, Registry};
use std::collections::BTreeMap;

fn id(name: &str, country: Option<&str>, day: Option<&str>) -> Option<String> {
    registry().resolve(name, country, day.map(date)).actor_id
}

#[test]
fn taleban_is_the_taliban_on_any_date() {
    for day in [
        None,
        Some("1995-01-01"),
        Some("2010-06-01"),
        Some("2022-05-01"),
    ] {
        assert_eq!(
            id("Taleban", None, day).as_deref(),
            Some("taliban"),
            "{day:?}"
        );
        assert_eq!(
            id("Taleban", Some("Afghanistan"), day).as_deref(),
            Some("taliban")
        );
    }
    let r = registry().resolve("Taleban", None, None);
    assert_eq!(r.method, Method::Exact);
    assert_eq!(
        registry().resolve("TALEBAN ", None, None).method,
        Method::Normalised
    );
    assert_eq!(
        id("Talebaan", None, None).as_deref(),
        Some("taliban"),
        "transliteration"
    );
}

#[test]
fn government_of_afghanistan_depends_on_the_date() {
    let gov = |day: &str| id("Government of Afghanistan", Some("Afghanistan"), Some(day));
    assert_eq!(gov("2020-05-01").as_deref(), Some("afg-republic"));
    assert_eq!(gov("2022-05-01").as_deref(), Some("taliban"));
    assert_eq!(gov("2021-08-14").as_deref(), Some("afg-republic"));
    assert_eq!(gov("2021-08-15").as_deref(), Some("taliban"));
    assert_eq!(gov("1990-01-01").as_deref(), Some("afg-pdpa"));
    assert_eq!(gov("1994-01-01").as_deref(), Some("afg-isa"));
    assert_eq!(gov("1998-01-01").as_deref(), Some("taliban"));
    let r = registry().resolve(
        "Government of Afghanistan",
        Some("Afghanistan"),
        Some(date("2022-05-01")),
    );
    assert_eq!(r.method, Method::Scoped);
    // Without a date the name is ambiguous: unresolved, with the candidates suggested.
    let r = registry().resolve("Government of Afghanistan", Some("Afghanistan"), None);
    assert_eq!(r.method, Method::Unresolved);
    assert!(
        r.suggestions.iter().any(|s| s.id == "taliban")
            && r.suggestions.iter().any(|s| s.id == "afg-republic")
    );
}

#[test]
fn is_means_is_kp_only_in_afghanistan() {
    assert_eq!(
        id("IS", Some("Afghanistan"), Some("2021-10-01")).as_deref(),
        Some("is-kp")
    );
    assert_eq!(
        id("IS", Some("Afghanistan"), None).as_deref(),
        Some("is-kp")
    );
    let syria = id("IS", Some("Syria"), Some("2017-01-01"));
    assert_ne!(syria.as_deref(), Some("is-kp"));
    assert_eq!(syria.as_deref(), Some("is"));
    assert_eq!(id("Daesh", Some("Iraq"), None).as_deref(), Some("is"));
    assert_eq!(
        id("Daish", Some("Afghanistan"), None).as_deref(),
        Some("is-kp")
    );
    for n in [
        "ISKP",
        "ISIS-K",
        "ISIL-K",
        "Daesh-Khorasan",
        "Daesh Khurasan",
        "Islamic State (Afghanistan)",
        "Islamic State Khurasan Province",
    ] {
        assert_eq!(id(n, None, None).as_deref(), Some("is-kp"), "{n}");
    }
}

#[test]
fn nrf_in_afghanistan_is_not_nrf_in_sudan() {
    let afg = id("NRF", Some("Afghanistan"), Some("2022-05-01"));
    let sdn = id("NRF", Some("Sudan"), Some("2006-08-01"));
    assert_eq!(afg.as_deref(), Some("nrf"));
    assert_eq!(sdn.as_deref(), Some("nrf-sudan"));
    assert_ne!(afg, sdn);
    // With no country the acronym is ambiguous.
    let r = registry().resolve("NRF", None, None);
    assert_eq!(r.method, Method::Unresolved);
    assert_eq!(r.suggestions.len().min(2), 2);
    assert_eq!(
        id("NRF: National Resistance Front", None, None).as_deref(),
        Some("nrf")
    );
}

#[test]
fn acled_spellings_resolve() {
    let cases = [
        ("Taliban", "taliban", "taliban"),
        ("Islamic State (Afghanistan)", "is-kp", "is-kp"),
        ("NRF: National Resistance Front", "nrf", "nrf"),
        (
            "Military Forces of Afghanistan (2021-)",
            "iea-military",
            "taliban",
        ),
        (
            "Military Forces of Afghanistan (2004-2021)",
            "andsf",
            "afg-republic",
        ),
        (
            "Police Forces of Afghanistan (2021-)",
            "iea-police",
            "taliban",
        ),
        (
            "Police Forces of Afghanistan (2004-2021)",
            "anp",
            "afg-republic",
        ),
        (
            "Unidentified Armed Group (Afghanistan)",
            "unidentified",
            "unidentified",
        ),
        ("Civilians (Afghanistan)", "civilians", "civilians"),
        ("Haqqani Network", "haqqani", "taliban"),
    ];
    for (name, want, root) in cases {
        let r = registry().resolve(name, Some("Afghanistan"), Some(date("2022-03-01")));
        assert_eq!(
            (r.actor_id.as_deref(), r.root_id.as_deref()),
            (Some(want), Some(root)),
            "{name}"
        );
    }
}

#[test]
fn every_side_name_of_the_bundled_ucdp_file_resolves() {
    // Distinct (name, country, date bucket) combinations, with counts.
    let mut names: BTreeMap<(String, String, u32), NameCount> = BTreeMap::new();
    for r in ged211() {
        for n in [&r.actor1, &r.actor2].into_iter().flatten() {
            let country = r.country.clone().unwrap_or_default();
            let key = (
                n.clone(),
                country.clone(),
                registry().date_bucket(Some(r.date_start)),
            );
            names
                .entry(key)
                .or_insert_with(|| NameCount {
                    name: n.clone(),
                    country: Some(country),
                    date: Some(r.date_start),
                    count: 0,
                })
                .count += 1;
        }
    }
    let items: Vec<NameCount> = names.into_values().collect();
    let report = registry().unresolved(&items);
    assert_eq!(report.records_checked, 2 * 16_038);
    let listing: Vec<String> = report
        .unresolved
        .iter()
        .map(|u| {
            format!(
                "{:?} ({:?}, {} records) suggestions {:?}",
                u.name, u.country, u.count, u.suggestions
            )
        })
        .collect();
    assert!(
        listing.is_empty(),
        "unresolved side names:\n{}",
        listing.join("\n")
    );
}

#[test]
fn ucdp_dyads_2021_to_2024_resolve() {
    // Names of UCDP Organized Violence v25.1 dyads listed for Afghanistan, 2021-2024.
    let cases = [
        ("Government of Afghanistan", "2021-03-01", "afg-republic"),
        ("Government of Afghanistan", "2022-06-01", "taliban"),
        ("IS", "2022-06-01", "is-kp"),
        ("NRF", "2022-06-01", "nrf"),
        ("AFF", "2023-06-01", "aff"),
        ("Taleban", "2021-03-01", "taliban"),
        (
            "High Council of Afghanistan Islamic Emirate",
            "2021-03-01",
            "hcaie",
        ),
        ("Government of Iraq", "2021-03-01", "gov-iraq"),
        ("Government of Pakistan", "2022-06-01", "gov-pakistan"),
        ("TTP", "2022-06-01", "ttp"),
        ("HGB", "2023-06-01", "hgb"),
        (
            "Government of Russia (Soviet Union)",
            "2022-06-01",
            "gov-russia",
        ),
        (
            "Government of United States of America",
            "2022-06-01",
            "gov-usa",
        ),
        ("al-Qaida", "2022-06-01", "al-qaeda"),
        ("Civilians", "2022-06-01", "civilians"),
    ];
    for (name, day, want) in cases {
        assert_eq!(
            id(name, Some("Afghanistan"), Some(day)).as_deref(),
            Some(want),
            "{name} on {day}"
        );
    }
}

#[test]
fn ged231_sample_sides_resolve_with_dates() {
    // GED 23.1 rows: 2021 "Government of Afghanistan - Taleban" before the fall of
    // Kabul is the Republic; "Government of Afghanistan - NRF" after it is the Taliban.
    let rows = ged231();
    let mut checked = 0;
    for r in &rows {
        for n in [&r.actor1, &r.actor2].into_iter().flatten() {
            let res = registry().resolve(n, r.country.as_deref(), Some(r.date_start));
            assert!(
                res.actor_id.is_some(),
                "{n} on {}: {:?}",
                r.date_start,
                res.suggestions
            );
            checked += 1;
        }
        if r.actor1.as_deref() == Some("Government of Afghanistan")
            && r.actor2.as_deref() == Some("NRF")
        {
            let a = registry().resolve(
                "Government of Afghanistan",
                Some("Afghanistan"),
                Some(r.date_start),
            );
            assert_eq!(a.actor_id.as_deref(), Some("taliban"), "{}", r.date_start);
        }
    }
    assert_eq!(checked, 2 * 135);
}

#[test]
fn the_report_s_actors_are_all_in_the_registry() {
    let ids = [
        "taliban",
        "haqqani",
        "is-kp",
        "nrf",
        "hcnr",
        "aff",
        "ainlm",
        "alf",
        "freedom-corps-front",
        "unknown-soldiers-hazaristan",
        "fdf-hazaristan",
        "western-nuristan-front",
        "south-turkestan-front",
        "al-qaeda",
        "aqis",
        "ttp",
        "imu",
        "jamaat-ansarullah",
        "jem",
        "let",
        "etim",
        "bla",
        "gov-pakistan",
        "gov-iran",
        "gov-tajikistan",
        "gov-uzbekistan",
        "gov-china",
        "gov-russia",
        "gov-india",
        "gov-usa",
        "afg-republic",
        "is",
    ];
    for i in ids {
        assert!(registry().get(i).is_some(), "missing actor {i}");
    }
    assert_eq!(registry().root_of("haqqani").unwrap().id, "taliban");
    assert!(registry()
        .get("taliban")
        .unwrap()
        .factions
        .contains(&"haqqani".to_string()));
    let leaders: Vec<&str> = registry()
        .get("nrf")
        .unwrap()
        .leaders
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert!(leaders.contains(&"Ahmad Massoud"));
    assert_eq!(
        registry()
            .get("taliban")
            .unwrap()
            .kind_on(date("2010-01-01"))
            .as_str(),
        "rebel"
    );
    assert_eq!(
        registry()
            .get("taliban")
            .unwrap()
            .kind_on(date("2022-01-01"))
            .as_str(),
        "state"
    );
}

#[test]
fn every_relation_cites_its_source() {
    let mut n = 0;
    for a in registry().actors() {
        for r in &a.relations {
            assert!(
                !r.citation.trim().is_empty(),
                "{} {} {}",
                a.id,
                r.kind.as_str(),
                r.with
            );
            if r.citation.starts_with("Crisis Group 2022") {
                n += 1;
                assert!(r.citation.contains("section "), "{}: {}", a.id, r.citation);
            }
        }
    }
    assert!(n >= 25, "{n} relations cite the report");
}

#[test]
fn registry_loads_from_the_directory_like_the_bundled_one() {
    let disk = Registry::load(root().join("data/actors")).unwrap();
    assert_eq!(disk.actors().len(), registry().actors().len());
    assert!(disk.actors().len() >= 70, "{}", disk.actors().len());
}
