//! What is being counted: measure words (attacks, killed, wounded …), rates (per week)
//! and the documented list of topics sitrep has no measure for.

use serde::Serialize;

use crate::tokens::{any_seq, Token};

/// A quantity sitrep can compute from incident data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MeasureKind {
    /// Counts of events: attacks, incidents, clashes, violence, fighting, operations.
    Events,
    /// People killed: killed, dead, deaths, fatalities, death toll.
    Fatalities,
    /// People wounded (kept apart from fatalities).
    Wounded,
    /// "Casualties": killed and wounded together, as usually meant.
    Casualties,
}

/// A hint about the kind of event, for the query layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventHint {
    Battles,
    Explosions,
    Attacks,
    Violence,
}

/// A rate denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Per {
    Day,
    Week,
    Month,
    Year,
}

/// What a claim counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub kind: MeasureKind,
    pub per: Option<Per>,
    pub hints: Vec<EventHint>,
}

/// The measure a single word names, if any.
pub fn measure_word(w: &str) -> Option<(MeasureKind, Option<EventHint>)> {
    use EventHint::*;
    use MeasureKind::*;
    Some(match w {
        "attack" | "attacks" | "strikes" | "assaults" | "ambushes" | "raids" | "assassinations" => {
            (Events, Some(Attacks))
        }
        "incident" | "incidents" | "events" | "violence" | "hostilities" | "activity"
        | "active" => (Events, Some(Violence)),
        "clash" | "clashes" | "fighting" | "battle" | "battles" | "skirmishes" | "skirmishing"
        | "firefights" | "engagements" | "offensives" => (Events, Some(Battles)),
        "explosions" | "bombings" | "bombing" | "blasts" | "airstrikes" | "ieds" | "shelling" => {
            (Events, Some(Explosions))
        }
        "operations" => (Events, Some(Battles)),
        "killed" | "dead" | "deaths" | "death" | "fatalities" | "died" | "killings" | "toll"
        | "lives" | "deadly" | "deadlier" | "lethal" => (Fatalities, None),
        "wounded" | "injured" | "injuries" | "wounding" => (Wounded, None),
        "casualties" => (Casualties, None),
        _ => return None,
    })
}

/// People nouns after which "killed"/"wounded" may follow: "50 civilians killed".
pub fn people_word(w: &str) -> bool {
    matches!(
        w,
        "people"
            | "persons"
            | "civilians"
            | "soldiers"
            | "fighters"
            | "members"
            | "militants"
            | "insurgents"
            | "police"
            | "policemen"
            | "officers"
            | "personnel"
            | "troops"
            | "children"
            | "women"
            | "men"
            | "combatants"
    )
}

/// A rate right at `i`: "per week", "a week", "each month", "weekly", "annually".
pub fn per_at(toks: &[Token], i: usize) -> Option<(Per, usize)> {
    for (unit, per) in [
        ("day", Per::Day),
        ("week", Per::Week),
        ("month", Per::Month),
        ("year", Per::Year),
    ] {
        if let Some(e) = any_seq(
            toks,
            i,
            &[
                &["per", unit],
                &["a", unit],
                &["each", unit],
                &["every", unit],
            ],
        ) {
            return Some((per, e));
        }
    }
    let w = toks.get(i).map(|t| t.lower.as_str()).unwrap_or("");
    let per = match w {
        "daily" => Per::Day,
        "weekly" => Per::Week,
        "monthly" => Per::Month,
        "annually" | "yearly" | "annual" => Per::Year,
        _ => return None,
    };
    Some((per, i + 1))
}

/// Topics that sitrep has no measure for: a claim about them is not checkable against
/// incident data. Each entry: (topic, trigger words). Documented list:
/// food insecurity, training camps, the economy, refugees and displacement, crime,
/// drugs, humanitarian aid, checkpoints, force size and recruitment, weapons and
/// smuggling, information and media, prisoners, governance and rights.
pub const UNMEASURED_TOPICS: &[(&str, &[&str])] = &[
    (
        "food insecurity",
        &["food", "hunger", "famine", "malnutrition", "starvation"],
    ),
    ("training camps", &["camp", "camps", "training"]),
    (
        "economy",
        &[
            "economy",
            "economic",
            "inflation",
            "prices",
            "unemployment",
            "gdp",
            "poverty",
            "revenue",
            "trade",
        ],
    ),
    (
        "refugees and displacement",
        &[
            "refugees",
            "refugee",
            "displacement",
            "displaced",
            "returnees",
            "migrants",
            "migration",
            "asylum",
        ],
    ),
    ("crime", &["crime", "criminality", "kidnappings", "theft"]),
    ("drugs", &["opium", "poppy", "drugs", "narcotics", "heroin"]),
    (
        "humanitarian aid",
        &["aid", "humanitarian", "assistance", "funding", "funds"],
    ),
    ("checkpoints", &["checkpoints", "checks"]),
    (
        "force size",
        &[
            "recruits",
            "recruit",
            "recruitment",
            "manpower",
            "army",
            "personnel",
        ],
    ),
    (
        "weapons",
        &["weapons", "firearms", "ammunition", "smuggling", "caches"],
    ),
    (
        "information",
        &[
            "journalists",
            "media",
            "reports",
            "datasets",
            "information",
            "picture",
        ],
    ),
    (
        "prisoners",
        &["prisoners", "detainees", "arrests", "escapees"],
    ),
    (
        "governance",
        &["schools", "education", "rights", "women", "girls"],
    ),
];

/// The unmeasured topic a word belongs to.
pub fn unmeasured_topic(w: &str) -> Option<&'static str> {
    UNMEASURED_TOPICS
        .iter()
        .find(|(_, words)| words.contains(&w))
        .map(|(t, _)| *t)
}
