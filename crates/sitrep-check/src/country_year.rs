//! UCDP country-year totals (Organized Violence v25.1; Davies et al. 2025, CC BY 4.0):
//! the evidence for country-level deaths per year, where a subset of events cannot
//! decide. The file `data/ucdp/organizedviolence_cy_v25_1.csv` is compiled in.
//!
//! Deaths are UCDP's best estimates with their low–high range: **battle-related
//! deaths** are state-based plus non-state conflict deaths (`sb_total_deaths_*` +
//! `ns_total_deaths_*`); **all organised-violence deaths** add one-sided violence
//! (`os_total_deaths_*`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

const CSV: &str = include_str!("../../../data/ucdp/organizedviolence_cy_v25_1.csv");

/// How the basis is named in verdicts.
pub const BASIS: &str = "UCDP country-year totals (Organized Violence v25.1, Davies et al. 2025)";

/// One country-year's deaths (best, low, high).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Deaths {
    /// Best estimate.
    pub best: f64,
    /// Low estimate.
    pub low: f64,
    /// High estimate.
    pub high: f64,
}

impl std::ops::Add for Deaths {
    type Output = Deaths;
    fn add(self, o: Deaths) -> Deaths {
        Deaths {
            best: self.best + o.best,
            low: self.low + o.low,
            high: self.high + o.high,
        }
    }
}

/// A country-year row: battle-related and one-sided deaths.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Year {
    /// State-based plus non-state conflict deaths.
    pub battle: Deaths,
    /// One-sided violence deaths.
    pub one_sided: Deaths,
}

impl Year {
    /// All organised-violence deaths.
    pub fn all(&self) -> Deaths {
        self.battle + self.one_sided
    }
}

type Table = BTreeMap<(String, i32), Year>;

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut out = Table::new();
        let mut r = csv::Reader::from_reader(CSV.as_bytes());
        let Ok(h) = r.headers().cloned() else {
            return out;
        };
        let col = |name: &str| h.iter().position(|c| c == name);
        let need = [
            "country_cy",
            "year_cy",
            "sb_total_deaths_best_cy",
            "sb_total_deaths_low_cy",
            "sb_total_deaths_high_cy",
            "ns_total_deaths_best_cy",
            "ns_total_deaths_low_cy",
            "ns_total_deaths_high_cy",
            "os_total_deaths_best_cy",
            "os_total_deaths_low_cy",
            "os_total_deaths_high_cy",
        ];
        let Some(ix) = need.iter().map(|n| col(n)).collect::<Option<Vec<usize>>>() else {
            return out;
        };
        for row in r.records().flatten() {
            let f = |i: usize| {
                row.get(ix[i])
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            let d = |i: usize| Deaths {
                best: f(i),
                low: f(i + 1),
                high: f(i + 2),
            };
            let (Some(country), Some(year)) = (
                row.get(ix[0]),
                row.get(ix[1]).and_then(|y| y.parse::<i32>().ok()),
            ) else {
                continue;
            };
            out.insert(
                (country.to_string(), year),
                Year {
                    battle: d(2) + d(5),
                    one_sided: d(8),
                },
            );
        }
        out
    })
}

/// The row for `country` in `year`, if UCDP has one.
pub fn year(country: &str, year: i32) -> Option<Year> {
    table().get(&(country.to_string(), year)).copied()
}

/// The years UCDP covers for `country` (first, last).
pub fn years(country: &str) -> Option<(i32, i32)> {
    let ys: Vec<i32> = table()
        .keys()
        .filter(|(c, _)| c == country)
        .map(|(_, y)| *y)
        .collect();
    Some((*ys.iter().min()?, *ys.iter().max()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn afghanistan_2019_and_2022() {
        // From the file: sb 29,940 + ns 113 (+ os 382) best; 2022: 932 + 0 (+ 642).
        let y = year("Afghanistan", 2019).unwrap();
        assert_eq!(y.battle.best, 30_053.0);
        assert_eq!(y.all().best, 30_435.0);
        let y = year("Afghanistan", 2022).unwrap();
        assert_eq!((y.battle.best, y.all().best), (932.0, 1_574.0));
        assert_eq!(years("Afghanistan"), Some((1989, 2024)));
    }
}
