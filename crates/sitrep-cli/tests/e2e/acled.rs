//! ACLED versions and deletions. The fixtures are SYNTHETIC: small files written here in
//! ACLED's export layouts (ACLED's terms forbid redistributing its rows).

use crate::common::{summary, Env};

const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

// One positional argument per varied ACLED column keeps the fixture rows readable.
#[allow(clippy::too_many_arguments)]
fn row(
    id: &str,
    date: &str,
    etype: &str,
    a1: &str,
    a2: &str,
    admin1: &str,
    lat: f64,
    lon: f64,
    fat: u32,
    ts: i64,
) -> String {
    format!("{id},{date},2022,1,Political violence,{etype},Armed clash,{a1},,2,{a2},,2,22,,4,Caucasus and Central Asia,Afghanistan,{admin1},,,Somewhere,{lat},{lon},1,Synthetic,National,\"synthetic fixture, not ACLED data\",{fat},,{ts}")
}

fn v1() -> String {
    [
        HEADER.to_string(),
        row(
            "AFG001",
            "2022-05-01",
            "Battles",
            "Taliban",
            "NRF: National Resistance Front",
            "Panjshir",
            35.31,
            69.52,
            3,
            1651500000,
        ),
        row(
            "AFG002",
            "2022-05-02",
            "Explosions/Remote violence",
            "Islamic State (Afghanistan)",
            "Civilians (Afghanistan)",
            "Kabul",
            34.52,
            69.17,
            10,
            1651500000,
        ),
        row(
            "AFG003",
            "2022-05-03",
            "Battles",
            "Taliban",
            "Unidentified Armed Group (Afghanistan)",
            "Baghlan",
            36.13,
            68.70,
            0,
            1651500000,
        ),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn newer_export_supersedes_and_keeps_history_and_deletions_mark_rows() {
    let env = Env::new();
    std::fs::write(env.path("v1.csv"), v1()).unwrap();
    let err = env.ok(&["ingest", env.path("v1.csv").to_str().unwrap()]);
    assert_eq!(summary(&err), [3, 3, 0, 0, 0], "{err}");
    assert!(err.contains("acled → source acled"), "{err}");

    // Same export again: nothing changes.
    let before = env.manifest();
    let err = env.ok(&["ingest", env.path("v1.csv").to_str().unwrap()]);
    assert_eq!(summary(&err), [3, 0, 0, 3, 0]);
    assert_eq!(env.manifest(), before);

    // A newer export: AFG002 re-coded (fatalities 10 → 12, timestamp raised), AFG004 new,
    // AFG003 present with an OLDER timestamp than stored (stale: ignored).
    let v2 = [
        HEADER.to_string(),
        row(
            "AFG001",
            "2022-05-01",
            "Battles",
            "Taliban",
            "NRF: National Resistance Front",
            "Panjshir",
            35.31,
            69.52,
            3,
            1651500000,
        ),
        row(
            "AFG002",
            "2022-05-02",
            "Explosions/Remote violence",
            "Islamic State (Afghanistan)",
            "Civilians (Afghanistan)",
            "Kabul",
            34.52,
            69.17,
            12,
            1652000000,
        ),
        row(
            "AFG003",
            "2022-05-03",
            "Battles",
            "Taliban",
            "Unidentified Armed Group (Afghanistan)",
            "Baghlan",
            36.13,
            68.70,
            7,
            1651000000,
        ),
        row(
            "AFG004",
            "2022-05-09",
            "Battles",
            "Taliban",
            "NRF: National Resistance Front",
            "Panjshir",
            35.40,
            69.60,
            2,
            1652000000,
        ),
    ]
    .join("\n");
    std::fs::write(env.path("v2.csv"), v2).unwrap();
    let err = env.ok(&["ingest", env.path("v2.csv").to_str().unwrap()]);
    assert_eq!(summary(&err), [4, 1, 1, 2, 0], "{err}");

    assert_eq!(
        env.count("SELECT count(*) FROM records WHERE source = 'acled'"),
        5,
        "history kept"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM incidents WHERE source = 'acled'"),
        4
    );
    assert_eq!(
        env.count("SELECT fatalities_best FROM incidents WHERE source_event_id = 'AFG002'"),
        12
    );
    assert_eq!(
        env.count(
            "SELECT fatalities_best FROM records WHERE record_id = 'acled:AFG002:1651500000'"
        ),
        10,
        "old version kept"
    );
    assert_eq!(
        env.count("SELECT fatalities_best FROM incidents WHERE source_event_id = 'AFG003'"),
        0,
        "stale row ignored"
    );
    let ch = env.query("SELECT record_id, change FROM changes");
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0]["record_id"], "acled:AFG002:1651500000");
    assert_eq!(ch[0]["change"], "superseded");
    // ACLED's single figure is a conservative estimate: low = best, high unknown.
    let r = env.query("SELECT fatalities_low, fatalities_high, event_type FROM incidents WHERE source_event_id = 'AFG002'");
    assert_eq!(r[0]["fatalities_low"], 12);
    assert!(
        r[0].get("fatalities_high").is_none_or(|v| v.is_null()),
        "{r:?}"
    );
    assert_eq!(r[0]["event_type"], "explosion");

    // A deletion list marks AFG001 deleted (without erasing it); unknown ids are counted.
    std::fs::write(
        env.path("del.csv"),
        "event_id_cnty,deleted_timestamp\nAFG001,1653000000\nAFG999,1653000000\n",
    )
    .unwrap();
    let err = env.ok(&["ingest", env.path("del.csv").to_str().unwrap()]);
    assert!(err.contains("acled-deletions → source acled"), "{err}");
    assert!(err.contains("deleted 1, not found 1"), "{err}");
    assert_eq!(
        env.count("SELECT count(*) FROM incidents WHERE source = 'acled'"),
        3
    );
    assert_eq!(
        env.count("SELECT count(*) FROM records WHERE source_event_id = 'AFG001'"),
        1,
        "deleted rows stay as history"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM changes WHERE change = 'deleted'"),
        1
    );
}

#[test]
fn pre_2023_layout_with_text_dates_reads() {
    let env = Env::new();
    // SYNTHETIC, in ACLED's older 31-column layout (data_id, event_id_no_cnty, iso3; "14 May 2022").
    let text = "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3\n\
        9001,4,AFG100,100,14 May 2022,2022,2,Violence against civilians,Attack,Taliban,,1,Civilians (Afghanistan),,7,17,Caucasus and Central Asia,Afghanistan,Kandahar,,,Kandahar,31.61,65.71,3,Synthetic,Local,synthetic,1,1652600000,AFG\n";
    std::fs::write(env.path("old.csv"), text).unwrap();
    let err = env.ok(&[
        "ingest",
        "--source",
        "acled-old",
        env.path("old.csv").to_str().unwrap(),
    ]);
    assert_eq!(summary(&err), [1, 1, 0, 0, 0], "{err}");
    let r = env.query("SELECT CAST(date_start AS VARCHAR) AS d, date_precision, geo_precision, event_type FROM incidents");
    assert_eq!(r[0]["d"], "2022-05-14");
    assert_eq!(r[0]["date_precision"], 2);
    assert_eq!(
        r[0]["geo_precision"], 4,
        "ACLED geo_precision 3 is province level"
    );
    assert_eq!(r[0]["event_type"], "violence_against_civilians");
}
