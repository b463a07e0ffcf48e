//! Records in compact form: interned strings, day numbers, coarse dates widened.

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use sitrep_model::{DatePrecision, GeoPrecision, MatchRecord};
use std::collections::HashMap;

/// No value (interned id or fatality figure).
pub(crate) const NONE: u32 = u32::MAX;

/// How a record's place is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A point (or a coarse record without a province/country name): distance in km.
    Point,
    /// Located only to a province it names: matches within that province.
    Region,
    /// Located only to a country it names: matches within that country.
    Country,
    /// No coordinates and no names: never a candidate.
    Nowhere,
}

impl Item {
    /// Every field the score reads, so two items with equal keys are indistinguishable
    /// to the matcher (exact twins) whatever else their records hold.
    pub(crate) fn twin_key(&self) -> [u64; 16] {
        [
            self.src as u64,
            self.start as u64,
            self.end as u64,
            self.dprec as u64,
            self.class as u64,
            self.lat.to_bits(),
            self.lon.to_bits(),
            ((self.region as u64) << 32) | self.country as u64,
            self.etype as u64,
            self.sub as u64,
            ((self.names[0] as u64) << 32) | self.names[1] as u64,
            ((self.ids[0] as u64) << 32) | self.ids[1] as u64,
            self.f_low as u64,
            self.f_best as u64,
            self.f_high as u64,
            self.has_point as u64,
        ]
    }
}

/// One record, compact. Indexes are positions in the canonical order (see [`Prepared`]).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub src: u32,
    /// Day numbers (days since 1970-01-01), widened to the month / year for coarse dates.
    pub start: i32,
    pub end: i32,
    /// The dates as the source gives them (not widened).
    pub raw: (i32, i32),
    pub dprec: DatePrecision,
    pub class: Class,
    pub lat: f64,
    pub lon: f64,
    pub has_point: bool,
    pub region: u32,
    pub country: u32,
    pub etype: u8,
    pub sub: u32,
    pub names: [u32; 2],
    pub ids: [u32; 2],
    pub f_low: u32,
    pub f_best: u32,
    pub f_high: u32,
    /// Where its source lists it (see `MatchRecord::order`).
    pub order: u64,
    /// Extra km its place may be off by (precision-aware windows: a record placed near a
    /// known point or only to a district); 0 unless `Config::precision_windows`.
    pub slack: f64,
}

/// Every record in canonical order (by source name, then where the source lists it:
/// `MatchRecord::order`, then the event id) with interned strings.
/// Matching on this order makes every result independent of the input order.
pub(crate) struct Prepared {
    pub items: Vec<Item>,
    /// Canonical position → input index.
    pub input: Vec<u32>,
    /// Character-trigram sets of each interned actor name, sorted.
    pub trigrams: Vec<Vec<u32>>,
    /// Each interned actor name, normalised, as characters (for Jaro–Winkler).
    pub chars: Vec<Vec<char>>,
}

#[derive(Default)]
struct Interner {
    map: HashMap<String, u32, std::hash::BuildHasherDefault<crate::index::IntHasher>>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
            return NONE;
        };
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.map.insert(s.to_string(), i);
        self.names.push(s.to_string());
        i
    }
}

/// Latin letters with diacritics folded to their base letter (Peña → Pena).
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        c => c,
    }
}

/// Lowercase letters and digits (diacritics folded), words separated by one space.
pub(crate) fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase).map(fold) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

fn trigrams(name: &str) -> Vec<u32> {
    let padded: Vec<char> = format!("  {} ", normalise(name)).chars().collect();
    let mut v: Vec<u32> = padded
        .windows(3)
        .map(|w| {
            // FNV-1a over the three characters.
            let mut h: u32 = 0x811c_9dc5;
            for c in w {
                h ^= *c as u32;
                h = h.wrapping_mul(0x0100_0193);
            }
            h
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

pub(crate) fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The first and last day a record may mean: a month-precise record dated to one day
/// means its whole month, a coarser one its whole year.
fn widened(r: &MatchRecord, precise: bool) -> (i32, i32) {
    let (s, e) = (r.date_start.min(r.date_end), r.date_end.max(r.date_start));
    let (s, e) = if s != e {
        (s, e)
    } else {
        match r.date_precision {
            DatePrecision::Month => {
                let first = s.with_day(1).unwrap_or(s);
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                };
                (first, next.and_then(|n| n.pred_opt()).unwrap_or(e))
            }
            DatePrecision::Longer => (
                NaiveDate::from_ymd_opt(s.year(), 1, 1).unwrap_or(s),
                NaiveDate::from_ymd_opt(s.year(), 12, 31).unwrap_or(e),
            ),
            // Precision-aware windows: a single day known only to the week means the
            // three days either side.
            DatePrecision::Week if precise => {
                (s - chrono::Duration::days(3), e + chrono::Duration::days(3))
            }
            _ => (s, e),
        }
    };
    (day_number(s), day_number(e))
}

/// Extra km a point may be off by, by its precision (precision-aware windows).
pub(crate) fn geo_slack(g: GeoPrecision) -> f64 {
    match g {
        GeoPrecision::Point => 0.0,
        // Sources place "near" records at the known place itself (GED where_prec 2;
        // GED subsets without where_prec read as Near): no slack.
        GeoPrecision::Near => 0.0,
        GeoPrecision::District => 25.0,
        GeoPrecision::Province | GeoPrecision::Country => 0.0,
    }
}

/// Puts `records` in canonical order; `precise` turns on precision-aware windows
/// (week-dated records widened by three days each side, km slack for imprecise points).
pub(crate) fn prepare(records: &[MatchRecord], precise: bool) -> Prepared {
    // By source, then by a hash of the event id: deterministic whatever the input order,
    // but not in id order. Ties between records that agree in every field fall to this
    // order; in id order they would follow the sources' numbering, which leaks the
    // truth into evaluations where both sources share ids (UCDP releases).
    // Sorted on precomputed keys (source rank, id hash); strings only break hash ties.
    let mut names: Vec<&str> = records.iter().map(|r| r.event.source.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let rank = |s: &str| names.binary_search(&s).expect("source") as u32;
    let mut keyed: Vec<(u32, u64, u32)> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| (rank(&r.event.source), r.order, i as u32))
        .collect();
    keyed.par_sort_unstable_by(|x, y| {
        (x.0, x.1).cmp(&(y.0, y.1)).then_with(|| {
            let (ra, rb) = (&records[x.2 as usize], &records[y.2 as usize]);
            (&ra.event.source_event_id, &ra.record_id)
                .cmp(&(&rb.event.source_event_id, &rb.record_id))
        })
    });
    let order: Vec<u32> = keyed.into_iter().map(|k| k.2).collect();
    let mut sources = Interner::default();
    let mut places = Interner::default();
    let mut subs = Interner::default();
    let mut names = Interner::default();
    let mut ids = Interner::default();
    let mut items = Vec::with_capacity(records.len());
    for &i in &order {
        let r = &records[i as usize];
        let (start, end) = widened(r, precise);
        let raw = (
            day_number(r.date_start.min(r.date_end)),
            day_number(r.date_end.max(r.date_start)),
        );
        let region = places.id(r.province.as_deref().map(normalise).as_deref());
        let country = places.id(r.country.as_deref().map(normalise).as_deref());
        let (lat, lon) = (
            r.latitude.unwrap_or(f64::NAN),
            r.longitude.unwrap_or(f64::NAN),
        );
        let has_point = lat.is_finite() && lon.is_finite();
        let class = match r.geo_precision {
            GeoPrecision::Country if country != NONE => Class::Country,
            GeoPrecision::Province | GeoPrecision::Country if region != NONE => Class::Region,
            _ if has_point => Class::Point,
            _ if region != NONE => Class::Region,
            _ if country != NONE => Class::Country,
            _ => Class::Nowhere,
        };
        let fat = |v: Option<u64>| v.map_or(NONE, |v| v.min(NONE as u64 - 1) as u32);
        items.push(Item {
            src: sources.id(Some(&r.event.source)),
            start,
            end,
            raw,
            dprec: r.date_precision,
            class,
            lat,
            lon,
            has_point,
            region,
            country,
            etype: r.event_type as u8,
            sub: subs.id(r.sub_event_type.as_deref().map(normalise).as_deref()),
            names: [
                names.id(r.actors[0].as_deref()),
                names.id(r.actors[1].as_deref()),
            ],
            ids: [
                ids.id(r.actor_ids[0].as_deref()),
                ids.id(r.actor_ids[1].as_deref()),
            ],
            f_low: fat(r.fatalities.low),
            f_best: fat(r.fatalities.best),
            f_high: fat(r.fatalities.high),
            order: r.order,
            slack: if precise && class == Class::Point {
                geo_slack(r.geo_precision)
            } else {
                0.0
            },
        });
    }
    let trigrams = names.names.iter().map(|n| trigrams(n)).collect();
    let chars = names
        .names
        .iter()
        .map(|n| normalise(n).chars().collect())
        .collect();
    Prepared {
        items,
        input: order,
        trigrams,
        chars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn normalise_and_trigrams() {
        assert_eq!(normalise("  Govt. of  MEXICO "), "govt of mexico");
        assert_eq!(normalise("Peña Rojas clan"), "pena rojas clan");
        let a = trigrams("Sinaloa Cartel");
        let b = trigrams("sinaloa  cartel");
        assert_eq!(a, b);
        assert_ne!(a, trigrams("Gulf Cartel"));
    }
    #[test]
    fn month_dates_widen_to_the_month() {
        let d = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
        let r = MatchRecord {
            record_id: "s:1:1".into(),
            event: sitrep_model::RecordRef::new("s", "1"),
            date_start: d,
            date_end: d,
            date_precision: DatePrecision::Month,
            latitude: None,
            longitude: None,
            geo_precision: GeoPrecision::Point,
            country: None,
            province: None,
            event_type: sitrep_model::EventType::Battle,
            sub_event_type: None,
            actors: [None, None],
            actor_ids: [None, None],
            fatalities: sitrep_model::Fatalities::UNKNOWN,
            order: 0,
        };
        let (s, e) = widened(&r, false);
        assert_eq!(e - s, 28, "February 2020 has 29 days");
    }
}
