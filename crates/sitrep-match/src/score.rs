//! Scoring a candidate pair: date, place, event type, actors, fatalities.

use crate::prep::{Class, Item, Prepared, NONE};
use crate::{Config, TypeScore};
use sitrep_model::{DatePrecision, ScoreParts};

/// Great-circle distance in km (haversine, mean Earth radius).
pub(crate) fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// Days between two intervals (0 when they overlap).
pub(crate) fn gap(a: &Item, b: &Item) -> i32 {
    (a.start.max(b.start) - a.end.min(b.end)).max(0)
}

fn precision_factor(p: DatePrecision) -> f32 {
    match p {
        DatePrecision::Day => 1.0,
        DatePrecision::Week => 0.8,
        DatePrecision::Month => 0.6,
        DatePrecision::Longer => 0.4,
    }
}

/// True when `a` and `b` may be one event: dates within the window and places compatible.
pub(crate) fn compatible(a: &Item, b: &Item, cfg: &Config) -> bool {
    if gap(a, b) > cfg.days as i32 {
        return false;
    }
    if a.class == Class::Point && b.class == Class::Point {
        let window = cfg.km + a.slack + b.slack;
        // Cheap test first: a degree of latitude is at least 110.5 km everywhere.
        if (a.lat - b.lat).abs() * 110.5 > window {
            return false;
        }
        return km(a.lat, a.lon, b.lat, b.lon) <= window;
    }
    space(a, b, cfg).is_some()
}

/// The place score, or `None` when the places are incompatible.
fn space(a: &Item, b: &Item, cfg: &Config) -> Option<f32> {
    let point = if a.has_point && b.has_point {
        let d = km(a.lat, a.lon, b.lat, b.lon);
        let window = cfg.km + a.slack + b.slack;
        // Inside the window, closeness is evidence but not proof: 1 at the same point,
        // 0.5 at the window's edge.
        (d <= window).then(|| (1.0 - 0.5 * d / window.max(1e-9)) as f32)
    } else {
        None
    };
    let coarse = |c: Class| c == Class::Region || c == Class::Country;
    if !coarse(a.class) && !coarse(b.class) {
        return point;
    }
    let shared = if a.class == Class::Country || b.class == Class::Country {
        (a.country != NONE && a.country == b.country).then_some(0.25f32)
    } else {
        (a.region != NONE && a.region == b.region).then_some(0.5f32)
    };
    // A coarse record against a record that names no province/country: its centroid.
    let unnamed = |x: &Item, other: &Item| match other.class {
        Class::Country => x.country == NONE,
        _ => x.region == NONE,
    };
    let by_point = if unnamed(a, b) || unnamed(b, a) {
        point
    } else {
        point.filter(|_| shared.is_some())
    };
    match (shared, by_point) {
        (Some(s), Some(p)) => Some(s.max(p)),
        (s, p) => s.or(p),
    }
}

fn dice(a: &[u32], b: &[u32]) -> f32 {
    // Dice coefficient: 2|A∩B| / (|A|+|B|); kinder than Jaccard to one-letter variants.
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0u32);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * both as f32 / (a.len() + b.len()) as f32
}

/// The present values of a two-slot field, without allocating.
fn present(v: &[u32; 2]) -> ([u32; 2], usize) {
    match (v[0] != NONE, v[1] != NONE) {
        (true, true) => (*v, 2),
        (true, false) => ([v[0], NONE], 1),
        (false, true) => ([v[1], NONE], 1),
        (false, false) => ([NONE, NONE], 0),
    }
}

fn actors(a: &Item, b: &Item, p: &Prepared) -> Option<f32> {
    let ((ia, na), (ib, nb)) = (present(&a.ids), present(&b.ids));
    if na > 0 && nb > 0 {
        // Resolved ids: share of ids in common (either side's roles).
        let common = ia[..na].iter().filter(|i| ib[..nb].contains(i)).count();
        return Some(common as f32 / na.max(nb) as f32);
    }
    let ((xa, na), (xb, nb)) = (present(&a.names), present(&b.names));
    if na == 0 || nb == 0 {
        return None;
    }
    let sim = |x: u32, y: u32| {
        if x == y {
            1.0
        } else {
            dice(&p.trigrams[x as usize], &p.trigrams[y as usize])
        }
    };
    // Each name's best match among the other record's names, averaged both ways.
    let mut m = [[0.0f32; 2]; 2];
    for i in 0..na {
        for j in 0..nb {
            m[i][j] = sim(xa[i], xb[j]);
        }
    }
    let rows: f32 = (0..na)
        .map(|i| m[i][..nb].iter().copied().fold(0.0, f32::max))
        .sum();
    let cols: f32 = (0..nb)
        .map(|j| (0..na).map(|i| m[i][j]).fold(0.0, f32::max))
        .sum();
    Some((rows / na as f32 + cols / nb as f32) / 2.0)
}

fn fatalities(a: &Item, b: &Item) -> Option<f32> {
    let best = |x: &Item| {
        [x.f_best, x.f_low, x.f_high]
            .into_iter()
            .find(|&v| v != NONE)
    };
    let (ba, bb) = (best(a)?, best(b)?);
    if ba == bb {
        return Some(1.0);
    }
    let range = |x: &Item| {
        let lo = if x.f_low != NONE {
            x.f_low
        } else {
            best(x).unwrap_or(0)
        };
        let hi = if x.f_high != NONE {
            x.f_high
        } else {
            best(x).unwrap_or(0)
        };
        (lo.min(hi), hi.max(lo))
    };
    let ((la, ha), (lb, hb)) = (range(a), range(b));
    let diff = ba.abs_diff(bb) as f32 / (ba.max(bb) as f32 + 1.0);
    let base = 1.0 - diff;
    Some(if la <= hb && lb <= ha {
        base.max(0.75)
    } else {
        base * 0.8
    })
}

fn event_type(a: &Item, b: &Item, how: TypeScore) -> f32 {
    match how {
        TypeScore::Common => (a.etype == b.etype) as u8 as f32,
        TypeScore::Taxonomy => {
            if a.etype != b.etype {
                0.0
            } else if a.sub != NONE && a.sub == b.sub {
                1.0
            } else {
                0.5
            }
        }
    }
}

/// Scores a pair whatever the windows say (analysts may confirm any pair).
pub(crate) fn score(a: &Item, b: &Item, p: &Prepared, cfg: &Config) -> (f32, ScoreParts) {
    let g = gap(a, b) as f32;
    // 1 when the dates overlap, 0.5 at the window's edge (or one day apart with no window).
    let date = (1.0 - 0.5 * g / (cfg.days.max(1) as f32)).max(0.0)
        * precision_factor(a.dprec.max(b.dprec));
    let parts = ScoreParts {
        date,
        space: space(a, b, cfg).unwrap_or(0.0),
        event_type: event_type(a, b, cfg.type_score),
        actor: actors(a, b, p),
        fatalities: fatalities(a, b),
    };
    (combine(&parts, cfg), parts)
}

/// The weighted mean of the parts present.
pub(crate) fn combine(parts: &ScoreParts, cfg: &Config) -> f32 {
    let w = &cfg.weights;
    let mut num = w.date * parts.date + w.space * parts.space + w.event_type * parts.event_type;
    let mut den = w.date + w.space + w.event_type;
    if let Some(x) = parts.actor {
        num += w.actor * x;
        den += w.actor;
    }
    if let Some(x) = parts.fatalities {
        num += w.fatalities * x;
        den += w.fatalities;
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn distance_is_great_circle() {
        // Kabul to Jalalabad: about 116 km as the crow flies.
        let d = km(34.5281, 69.1723, 34.4265, 70.4515);
        assert!((d - 117.0).abs() < 3.0, "{d}");
        assert_eq!(km(10.0, 10.0, 10.0, 10.0), 0.0);
    }
}
