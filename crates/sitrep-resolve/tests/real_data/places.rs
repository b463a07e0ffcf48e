use crate::common::{gazetteer, root};
use sitrep_model::PlaceFlag;
use sitrep_resolve::gazetteer::{haversine_km, DistrictJoin};
use sitrep_resolve::Gazetteer;
use std::collections::HashSet;

#[test]
fn all_34_provinces_and_398_districts_load_each_district_in_exactly_one_province() {
    let g = gazetteer();
    assert_eq!(g.provinces().len(), 34);
    assert_eq!(g.districts().len(), 398);
    let codes: HashSet<&str> = g.provinces().iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), 34, "province codes are unique");
    // Each district is listed under exactly one province, the one it records.
    let mut seen = vec![0; g.districts().len()];
    for (pi, p) in g.provinces().iter().enumerate() {
        assert!(!g.districts_of(pi).is_empty(), "{} has no district", p.code);
        for &d in g.districts_of(pi) {
            seen[d] += 1;
            assert_eq!(g.districts()[d].province, pi);
        }
    }
    assert!(
        seen.iter().all(|&n| n == 1),
        "every district in exactly one province"
    );
    // The join is by area majority; report how clear-cut it is.
    let shares: Vec<(f64, &str)> = g
        .districts()
        .iter()
        .map(|d| match d.join {
            DistrictJoin::Majority { share } => (share, d.name.as_str()),
            DistrictJoin::Nearest { .. } => (0.0, d.name.as_str()),
        })
        .collect();
    let clear = shares.iter().filter(|(s, _)| *s >= 0.8).count();
    let mut weakest = shares.clone();
    weakest.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "district joins: {clear}/398 with >= 80% of their area in one province; weakest {:?}",
        &weakest[..5]
    );
    assert!(shares.iter().all(|(s, _)| *s > 0.3), "{:?}", &weakest[..5]);
    assert!(clear >= 360, "{clear}");
    // Known districts (AIMS names) and their provinces.
    let province_of = |name: &str| {
        let d = g
            .districts()
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("district {name}"));
        g.provinces()[d.province].code.as_str()
    };
    assert_eq!(province_of("Paghman"), "AF-KAB");
    // Known issue (data/geo/README.md): geoBoundaries' ADM1 Kapisa is displaced to the
    // north-east of the AIMS districts, so Mahmudi Raqi district (Kapisa) falls mostly
    // in ADM1 Parwan. Pinned here so a boundary fix shows up as a test change.
    assert_eq!(province_of("Mahmudi Raqi"), "AF-PAR");
    assert_eq!(province_of("Bazarak"), "AF-PAN");
    let kabul = g.province_index("Kabul").unwrap();
    assert_eq!(g.districts_of(kabul).len(), 15, "Kabul's districts");
}

#[test]
fn known_points_land_in_their_provinces() {
    let g = gazetteer();
    let cases = [
        ("Kabul city", 34.528, 69.172, "AF-KAB"),
        ("Jalalabad", 34.42647, 70.45153, "AF-NAN"),
        ("Bazarak", 35.31, 69.52, "AF-PAN"),
        ("Mazar-i-Sharif", 36.70904, 67.11087, "AF-BAL"),
        ("Kandahar", 31.61332, 65.71013, "AF-KAN"),
        ("Herat", 34.34817, 62.19967, "AF-HER"),
        ("Fayzabad", 37.11664, 70.58002, "AF-BDS"),
    ];
    for (name, lat, lon, code) in cases {
        let l = g.locate(lat, lon);
        assert_eq!(l.flag, PlaceFlag::Inside, "{name}");
        assert_eq!(
            l.province.as_ref().map(|p| p.code.as_str()),
            Some(code),
            "{name}"
        );
        assert!(l.district.is_some(), "{name} has a district");
    }
    let kabul = g.locate(34.528, 69.172);
    assert_eq!(kabul.region.as_deref(), Some("Capital"));
    assert_eq!(kabul.capital_name.as_deref(), Some("Kabul"));
    let peshawar = g.locate(34.01, 71.58);
    assert_eq!(peshawar.flag, PlaceFlag::Outside);
    assert_eq!(
        (peshawar.province, peshawar.capital_distance_km),
        (None, None)
    );
}

#[test]
fn points_just_over_the_border_snap_and_farther_ones_do_not() {
    let g = gazetteer();
    // Torkham crossing: the border post sits on the line; a point 2 km into Pakistan.
    let near = g.locate(34.115, 71.1);
    assert!(
        matches!(near.flag, PlaceFlag::Snapped | PlaceFlag::Inside),
        "{near:?}"
    );
    assert_eq!(near.province.map(|p| p.code), Some("AF-NAN".into()));
    // Islamabad is far outside.
    assert_eq!(g.locate(33.6844, 73.0479).flag, PlaceFlag::Outside);
    let mut strict = Gazetteer::bundled().unwrap();
    strict.set_snap_tolerance_km(0.0);
    let l = strict.locate(34.115, 71.1);
    assert!(
        matches!(l.flag, PlaceFlag::Outside | PlaceFlag::Inside),
        "{l:?}"
    );
}

#[test]
fn each_capital_is_its_own_nearest_capital_and_lies_in_its_province() {
    let g = gazetteer();
    for p in g.provinces() {
        let c = p
            .capital
            .as_ref()
            .unwrap_or_else(|| panic!("{} has a capital", p.code));
        let (nearest, km) = g.nearest_capital(c.lat, c.lon).unwrap();
        assert_eq!(nearest.name, c.name);
        assert!(km < 0.5, "{}: {km} km", c.name);
        let l = g.locate(c.lat, c.lon);
        assert!(l.capital_distance_km.unwrap() < 0.5);
        if p.code == "AF-KAP" {
            // Known boundary disagreement (data/geo/README.md): geoBoundaries' ADM1
            // polygon of Kapisa stops ~5.7 km east of Mahmud-i-Raqi, which the ADM2
            // layer (AIMS) places in Mahmudi Raqi district, Kapisa.
            assert_eq!(l.province.map(|x| x.code).as_deref(), Some("AF-PAR"));
            continue;
        }
        assert_eq!(
            l.province.map(|x| x.code),
            Some(p.code.clone()),
            "capital {} of {}",
            c.name,
            p.name
        );
    }
}

#[test]
fn kabul_to_jalalabad_is_about_117_km() {
    let g = gazetteer();
    let cap = |n: &str| g.province_by_name(n).unwrap().capital.clone().unwrap();
    let (k, j) = (cap("Kabul"), cap("Nangarhar"));
    let km = haversine_km(k.lat, k.lon, j.lat, j.lon);
    assert!((115.0..=120.0).contains(&km), "{km}");
}

#[test]
fn capitals_match_geonames_except_mahmud_i_raqi() {
    let g = gazetteer();
    let mut rd = csv::Reader::from_path(root().join("data/geo/geonames_af_places.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let mut from_geonames = 0;
    for p in g.provinces() {
        let c = p.capital.as_ref().unwrap();
        match c.source.strip_prefix("GeoNames ") {
            Some(id) => {
                let row = rows
                    .iter()
                    .find(|r| &r[0] == id)
                    .unwrap_or_else(|| panic!("GeoNames {id} not in CSV"));
                assert_eq!(
                    (
                        row[2].parse::<f64>().unwrap(),
                        row[3].parse::<f64>().unwrap()
                    ),
                    (c.lat, c.lon),
                    "{}",
                    c.name
                );
                from_geonames += 1;
            }
            None => {
                assert_eq!(
                    (p.code.as_str(), c.name.as_str()),
                    ("AF-KAP", "Mahmud-i-Raqi")
                );
                assert!(c.source.contains("Wikipedia"));
            }
        }
    }
    assert_eq!(from_geonames, 33);
}

#[test]
fn province_spellings_resolve() {
    let g = gazetteer();
    let cases = [
        (
            "AF-PAN",
            &["Panjshir", "Panjsher", "Panjsher province", "PANJSHIR"][..],
        ),
        ("AF-NAN", &["Nangarhar", "Ningarhar", "Nangarhar Province"]),
        (
            "AF-DAY",
            &["Daykundi", "Daikundi", "Dai Kundi", "Day Kundi"],
        ),
        (
            "AF-SAR",
            &[
                "Sar-e Pul",
                "Sari Pul",
                "Sar-i-Pul",
                "Sar-e Pol",
                "Sari Pul province",
                "Sar-e-Pol",
            ],
        ),
        ("AF-URU", &["Uruzgan", "Oruzgan", "Urozgan", "Orūzgān"]),
        ("AF-PIA", &["Paktya", "Paktia", "Paktiya province"]),
        ("AF-PKA", &["Paktika"]),
        ("AF-HEL", &["Helmand", "Hilmand", "Hilmand province"]),
        ("AF-HER", &["Herat", "Hirat", "Herāt"]),
        ("AF-KNR", &["Kunar", "Konar"]),
        (
            "AF-WAR",
            &[
                "Wardak",
                "Maidan Wardak",
                "Maydan Wardak",
                "Wardak province",
            ],
        ),
        ("AF-JOW", &["Jawzjan", "Jowzjan"]),
        ("AF-BDG", &["Badghis", "Badghes"]),
        ("AF-FYB", &["Faryab"]),
        ("AF-NIM", &["Nimroz", "Nimruz"]),
        ("AF-BAM", &["Bamyan", "Bamian"]),
        ("AF-NUR", &["Nuristan", "Nooristan"]),
        ("AF-LOG", &["Logar", "Lowgar"]),
        ("AF-KHO", &["Khost", "Khowst"]),
        ("AF-KAN", &["Kandahar", "Qandahar", "AF_KAN"]),
        ("AF-GHO", &["Ghor", "Ghowr"]),
        ("AF-KDZ", &["Kunduz", "Kondoz"]),
        ("AF-PAR", &["Parwan", "Parvan"]),
        ("AF-GHA", &["Ghazni", "Ghanzi"]),
        ("AF-BDS", &["Badakhshan", "AF-BDS", "bds"]),
        ("AF-KAB", &["Kabul", "Kabul province", "af-kab", "KAB"]),
    ];
    for (code, names) in cases {
        for n in names {
            assert_eq!(
                g.province_by_name(n).map(|p| p.code.as_str()),
                Some(code),
                "{n:?}"
            );
        }
    }
    assert!(g.province_by_name("Peshawar").is_none());
    assert!(g.province_by_name("").is_none());
    // Every configured name and variant resolves to its own province.
    for p in g.provinces() {
        for n in std::iter::once(&p.name).chain(&p.variants) {
            assert_eq!(
                g.province_by_name(n).map(|x| &x.code),
                Some(&p.code),
                "{n:?}"
            );
        }
    }
}

#[test]
fn ocha_regions_are_the_default_grouping_and_custom_groupings_load() {
    let g = gazetteer();
    let expected = [
        ("Capital", 6),
        ("Eastern", 4),
        ("North-Eastern", 4),
        ("Northern", 5),
        ("South-Eastern", 4),
        ("Southern", 5),
        ("Western", 4),
        ("Central Highlands", 2),
    ];
    for (region, n) in expected {
        let count = (0..g.provinces().len())
            .filter(|&i| g.region_of(i) == Some(region))
            .count();
        assert_eq!(count, n, "{region}");
    }
    assert_eq!(g.groups().len(), 8);
    let mut custom = Gazetteer::bundled().unwrap();
    custom
        .set_grouping_file(root().join("data/geo/groupings/crisis_group_2022_theatres.toml"))
        .unwrap();
    assert_eq!(
        custom.locate(35.31, 69.52).region.as_deref(),
        Some("NRF heartland")
    );
    assert_eq!(
        custom.locate(34.42647, 70.45153).region.as_deref(),
        Some("IS-KP east")
    );
    custom.reset_grouping();
    assert_eq!(
        custom.locate(35.31, 69.52).region.as_deref(),
        Some("Capital")
    );
}

#[test]
fn a_gazetteer_loads_from_files_on_disk_like_the_bundled_one() {
    let g = Gazetteer::load(root().join("data/geo/afg_gazetteer.toml")).unwrap();
    assert_eq!(g.provinces().len(), 34);
    assert_eq!(g.version(), gazetteer().version());
    assert!(g.is_country("afghanistan") && g.is_country("AFG") && !g.is_country("Pakistan"));
}
