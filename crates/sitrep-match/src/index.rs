//! Candidate pairs from a spatio-temporal index, never all pairs.
//!
//! Points go into a grid of cells about `km` wide (a hash of latitude/longitude cell
//! numbers); each cell keeps its records sorted by first day, so a query reads the 3×k
//! neighbouring cells and, in each, only the records whose dates can fall within the
//! window (binary search, bounded by the cell's longest record). Records located only
//! to a province (or a country) are listed by that name, sorted the same way: they meet
//! every record of their province within the date window, plus the points that name no
//! province within `km` of their centroid. Each pair is produced once: grid pairs by
//! the smaller index, name-list pairs by the coarser record.

use crate::prep::{Class, Item, Prepared, NONE};
use crate::score::compatible;
use crate::Config;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher for integer keys (the standard SipHash is 3x slower here).
#[derive(Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u32(n as u32)
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Records sorted by first day, with the longest span among them.
#[derive(Default)]
struct Bucket {
    items: Vec<u32>,
    starts: Vec<i32>,
    max_span: i32,
}

impl Bucket {
    fn finish(&mut self, items: &[Item]) {
        self.items.sort_by_key(|&i| (items[i as usize].start, i));
        self.starts = self
            .items
            .iter()
            .map(|&i| items[i as usize].start)
            .collect();
        self.max_span = self
            .items
            .iter()
            .map(|&i| items[i as usize].end - items[i as usize].start)
            .max()
            .unwrap_or(0);
    }
    /// Records whose dates may fall within `days` of `q`.
    fn around<'a>(&'a self, q: &Item, days: i32) -> impl Iterator<Item = u32> + 'a {
        let lo = q.start - days - self.max_span;
        let hi = q.end + days;
        let from = self.starts.partition_point(|&s| s < lo);
        let to = self.starts.partition_point(|&s| s <= hi);
        self.items[from..to].iter().copied()
    }
}

pub(crate) struct Index {
    dlat: f64,
    cells: IntMap<(i32, i32), Bucket>,
    regions: IntMap<u32, Bucket>,
    countries: IntMap<u32, Bucket>,
}

impl Index {
    pub(crate) fn build(items: &[Item], cfg: &Config) -> Index {
        let dlat = (cfg.km / 111.2).max(0.005);
        let mut cells: IntMap<(i32, i32), Bucket> = IntMap::default();
        let mut regions: IntMap<u32, Bucket> = IntMap::default();
        let mut countries: IntMap<u32, Bucket> = IntMap::default();
        for (i, it) in items.iter().enumerate() {
            let i = i as u32;
            if it.has_point {
                let key = (
                    (it.lat / dlat).floor() as i32,
                    (it.lon / dlat).floor() as i32,
                );
                cells.entry(key).or_default().items.push(i);
            }
            if it.region != NONE && it.class != Class::Country {
                regions.entry(it.region).or_default().items.push(i);
            }
            if it.country != NONE {
                countries.entry(it.country).or_default().items.push(i);
            }
        }
        for b in cells
            .values_mut()
            .chain(regions.values_mut())
            .chain(countries.values_mut())
        {
            b.finish(items);
        }
        Index {
            dlat,
            cells,
            regions,
            countries,
        }
    }

    /// Points in the grid near `q` (within the date window; distance not yet checked).
    /// With precision-aware windows the query reaches `2 * q.slack` km further, enough
    /// for every record at most as imprecise as `q`.
    fn near<'a>(&'a self, q: &'a Item, days: i32) -> impl Iterator<Item = u32> + 'a {
        let r0 = (q.lat / self.dlat).floor() as i32;
        let c0 = (q.lon / self.dlat).floor() as i32;
        let rings = 1 + (2.0 * q.slack / (self.dlat * 110.5)).ceil() as i32;
        let reach = self.dlat * rings as f64;
        let maxlat = (q.lat.abs() + reach).min(89.9).to_radians();
        let lon_deg = reach / maxlat.cos().max(1e-3);
        let k = ((lon_deg / self.dlat).ceil() as i32).min((360.0 / self.dlat) as i32);
        (r0 - rings..=r0 + rings)
            .flat_map(move |r| (c0 - k..=c0 + k).map(move |c| (r, c)))
            .filter_map(move |key| self.cells.get(&key))
            .flat_map(move |b| b.around(q, days))
    }

    /// Candidate pairs `(i, j)` for query `i`, each pair produced by exactly one query.
    fn query(&self, i: u32, p: &Prepared, cfg: &Config, out: &mut Vec<(u32, u32)>) {
        let items = &p.items;
        let q = &items[i as usize];
        let days = cfg.days as i32;
        let allowed = |j: u32| {
            let o = &items[j as usize];
            j != i && (o.src != q.src || cfg.dedupe)
        };
        let mut emit = |j: u32| {
            if allowed(j) && compatible(q, &items[j as usize], cfg) {
                out.push((i.min(j), i.max(j)));
            }
        };
        match q.class {
            Class::Point => {
                // Each pair once: from the more imprecise record's query (it reaches
                // further), between equals from the smaller index.
                for j in self.near(q, days) {
                    let o = &items[j as usize];
                    if o.class == Class::Point
                        && (o.slack < q.slack || (o.slack == q.slack && j > i))
                    {
                        emit(j);
                    }
                }
            }
            Class::Region => {
                if let Some(b) = self.regions.get(&q.region) {
                    for j in b.around(q, days) {
                        let c = items[j as usize].class;
                        if c == Class::Point || (c == Class::Region && j > i) {
                            emit(j);
                        }
                    }
                }
                if q.has_point {
                    for j in self.near(q, days) {
                        let o = &items[j as usize];
                        if o.class == Class::Point && o.region == NONE {
                            emit(j);
                        }
                    }
                }
            }
            Class::Country => {
                if let Some(b) = self.countries.get(&q.country) {
                    for j in b.around(q, days) {
                        let c = items[j as usize].class;
                        if c != Class::Country || j > i {
                            emit(j);
                        }
                    }
                }
                if q.has_point {
                    for j in self.near(q, days) {
                        let o = &items[j as usize];
                        if o.class != Class::Country && o.country == NONE {
                            emit(j);
                        }
                    }
                }
            }
            Class::Nowhere => {}
        }
    }

    /// Every candidate pair, in parallel; `tick` is called with the records done.
    pub(crate) fn candidates(
        &self,
        p: &Prepared,
        cfg: &Config,
        tick: &(dyn Fn(u64) + Sync),
    ) -> Vec<(u32, u32)> {
        const CHUNK: usize = 4096;
        let n = p.items.len();
        let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut out = Vec::new();
                let hi = ((c + 1) * CHUNK).min(n);
                for i in c * CHUNK..hi {
                    self.query(i as u32, p, cfg, &mut out);
                }
                tick((hi - c * CHUNK) as u64);
                out
            })
            .collect();
        let mut all: Vec<(u32, u32)> = chunks.into_iter().flatten().collect();
        // A coarse record can reach the same point twice (its name list and its centroid).
        all.par_sort_unstable();
        all.dedup();
        all
    }
}
