//! Comparison vectors: each candidate pair described by one discrete level per field
//! (Fellegi–Sunter's γ), level 0 meaning "a side has no value" (no evidence).

use crate::prep::{Class, Item, Prepared, NONE};
use crate::score::{gap, km};
use sitrep_model::{DatePrecision, EventType};

/// Number of compared fields.
pub const FIELDS: usize = 7;

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Days between the two records' dates as given; a coarse date overlapping the
    /// other only once widened to its precision is its own level.
    Date,
    /// Great-circle distance, less each side's precision slack; or province agreement
    /// when a side is placed only to a province or country.
    Distance,
    /// Event type through the common taxonomy, then the source subtype.
    EventType,
    /// Resolved actor ids (registry), when both records have them.
    ActorId,
    /// Actor names by Jaro–Winkler similarity, when ids are not on both sides.
    ActorName,
    /// Death counts.
    Fatalities,
    /// Province (admin 1) names.
    Admin,
}

impl Field {
    /// Every field, in vector order.
    pub const ALL: [Field; FIELDS] = [
        Field::Date,
        Field::Distance,
        Field::EventType,
        Field::ActorId,
        Field::ActorName,
        Field::Fatalities,
        Field::Admin,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Distance => "place",
            Field::EventType => "type",
            Field::ActorId => "actor id",
            Field::ActorName => "actor name",
            Field::Fatalities => "deaths",
            Field::Admin => "province",
        }
    }

    /// The levels' labels; index 0 is the null level (a side has no value).
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Date => &[
                "null",
                "same day",
                "1 day apart",
                "2 days apart",
                "3+ days apart",
                "overlap, a side dated coarsely",
            ],
            Field::Distance => &[
                "null",
                "≤ 100 m",
                "100 m – 1 km",
                "1–5 km",
                "5–10 km",
                "10–25 km",
                "> 25 km",
                "same province (a side placed coarsely)",
                "coarse, province not shared",
            ],
            Field::EventType => &["null", "subtype agrees", "type agrees", "related", "differ"],
            Field::ActorId => &["null", "all agree", "some agree", "none agree"],
            Field::ActorName => &[
                "null",
                "exact",
                "Jaro–Winkler ≥ 0.95",
                "Jaro–Winkler ≥ 0.85",
                "differ",
            ],
            Field::Fatalities => &[
                "null",
                "equal",
                "close (ranges overlap or within 10%)",
                "within 50%",
                "differ",
            ],
            Field::Admin => &["null", "same", "differ"],
        }
    }

    /// Position in a [`Vector`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One level per field ([`Field::ALL`] order); 0 is null.
pub type Vector = [u8; FIELDS];

/// Packs a vector into a key (4 bits a field).
pub(crate) fn pack(v: &Vector) -> u32 {
    v.iter().fold(0u32, |k, &l| (k << 4) | l as u32)
}

/// Unpacks [`pack`].
pub(crate) fn unpack(mut k: u32) -> Vector {
    let mut v = [0u8; FIELDS];
    for f in (0..FIELDS).rev() {
        v[f] = (k & 15) as u8;
        k >>= 4;
    }
    v
}

/// Jaro–Winkler similarity (prefix scale 0.1, up to 4 characters).
pub fn jaro_winkler(a: &[char], b: &[char]) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_hit = [false; 128];
    let mut b_hit = [false; 128];
    let (a, b) = (&a[..a.len().min(128)], &b[..b.len().min(128)]);
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_hit[j] && b[j] == *ca {
                a_hit[i] = true;
                b_hit[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, ca) in a.iter().enumerate() {
        if a_hit[i] {
            while !b_hit[j] {
                j += 1;
            }
            if *ca != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

fn present(v: &[u32; 2]) -> Vec<u32> {
    v.iter().copied().filter(|&x| x != NONE).collect()
}

fn date_level(a: &Item, b: &Item) -> u8 {
    // Days between the dates as given; a coarsely dated record whose widened interval
    // overlaps the other's, but whose given dates do not, is its own level.
    let raw = (a.raw.0.max(b.raw.0) - a.raw.1.min(b.raw.1)).max(0);
    let coarse = a.dprec != DatePrecision::Day || b.dprec != DatePrecision::Day;
    match raw {
        0 => 1,
        1 => 2,
        2 => 3,
        _ if coarse && gap(a, b) == 0 => 5,
        _ => 4,
    }
}

fn distance_level(a: &Item, b: &Item) -> u8 {
    let coarse = |c: Class| c == Class::Region || c == Class::Country;
    if coarse(a.class) || coarse(b.class) {
        return if a.region != NONE && a.region == b.region {
            7
        } else {
            8
        };
    }
    if !(a.has_point && b.has_point) {
        return 0;
    }
    let d = (km(a.lat, a.lon, b.lat, b.lon) - a.slack - b.slack).max(0.0);
    match d {
        d if d <= 0.1 => 1,
        d if d <= 1.0 => 2,
        d if d <= 5.0 => 3,
        d if d <= 10.0 => 4,
        d if d <= 25.0 => 5,
        _ => 6,
    }
}

fn family(t: u8) -> u8 {
    const BATTLE: u8 = EventType::Battle as u8;
    const EXPLOSION: u8 = EventType::Explosion as u8;
    const CIVILIANS: u8 = EventType::ViolenceAgainstCivilians as u8;
    const PROTEST: u8 = EventType::Protest as u8;
    const RIOT: u8 = EventType::Riot as u8;
    match t {
        BATTLE | EXPLOSION | CIVILIANS => 0,
        PROTEST | RIOT => 1,
        _ => 2,
    }
}

fn type_level(a: &Item, b: &Item) -> u8 {
    if a.etype == b.etype {
        if a.sub != NONE && a.sub == b.sub {
            1
        } else {
            2
        }
    } else if family(a.etype) == family(b.etype) {
        3
    } else {
        4
    }
}

fn actor_levels(a: &Item, b: &Item, p: &Prepared) -> (u8, u8) {
    let (ia, ib) = (present(&a.ids), present(&b.ids));
    if !ia.is_empty() && !ib.is_empty() {
        let common = ia.iter().filter(|i| ib.contains(i)).count();
        let level = if common == ia.len().max(ib.len()) {
            1
        } else if common > 0 {
            2
        } else {
            3
        };
        return (level, 0);
    }
    let (na, nb) = (present(&a.names), present(&b.names));
    if na.is_empty() || nb.is_empty() {
        return (0, 0);
    }
    let (small, large) = if na.len() <= nb.len() {
        (&na, &nb)
    } else {
        (&nb, &na)
    };
    if small.len() == large.len() && small.iter().all(|x| large.contains(x)) {
        return (0, 1);
    }
    let sim = |x: u32, y: u32| {
        if x == y {
            1.0
        } else {
            jaro_winkler(&p.chars[x as usize], &p.chars[y as usize])
        }
    };
    // Each name of the side with fewer names, against its best match on the other side.
    let mean = small
        .iter()
        .map(|&x| large.iter().map(|&y| sim(x, y)).fold(0.0, f64::max))
        .sum::<f64>()
        / small.len() as f64;
    let level = if mean >= 0.95 {
        2
    } else if mean >= 0.85 {
        3
    } else {
        4
    };
    (0, level)
}

fn fatality_level(a: &Item, b: &Item) -> u8 {
    let best = |x: &Item| {
        [x.f_best, x.f_low, x.f_high]
            .into_iter()
            .find(|&v| v != NONE)
    };
    let (Some(ba), Some(bb)) = (best(a), best(b)) else {
        return 0;
    };
    if ba == bb {
        return 1;
    }
    let range = |x: &Item, b: u32| {
        let lo = if x.f_low != NONE { x.f_low } else { b };
        let hi = if x.f_high != NONE { x.f_high } else { b };
        (lo.min(hi), hi.max(lo))
    };
    let ((la, ha), (lb, hb)) = (range(a, ba), range(b, bb));
    let diff = ba.abs_diff(bb) as f64;
    let top = ba.max(bb) as f64;
    if (la <= hb && lb <= ha) || diff <= (0.1 * top).max(1.0) {
        2
    } else if diff <= 0.5 * top {
        3
    } else {
        4
    }
}

/// The comparison vector of a pair.
pub(crate) fn compare(a: &Item, b: &Item, p: &Prepared) -> Vector {
    let (id, name) = actor_levels(a, b, p);
    let admin = if a.region == NONE || b.region == NONE {
        0
    } else if a.region == b.region {
        1
    } else {
        2
    };
    [
        date_level(a, b),
        distance_level(a, b),
        type_level(a, b),
        id,
        name,
        fatality_level(a, b),
        admin,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn jaro_winkler_known_values() {
        let c = |s: &str| s.chars().collect::<Vec<char>>();
        // Classical examples (Winkler 1990): MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84.
        assert!((jaro_winkler(&c("martha"), &c("marhta")) - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(&c("dwayne"), &c("duane")) - 0.84).abs() < 1e-3);
        assert_eq!(jaro_winkler(&c("abc"), &c("xyz")), 0.0);
        assert_eq!(jaro_winkler(&c("same"), &c("same")), 1.0);
    }
    #[test]
    fn vectors_pack_and_unpack() {
        let v: Vector = [1, 8, 4, 0, 3, 2, 1];
        assert_eq!(unpack(pack(&v)), v);
    }
}
