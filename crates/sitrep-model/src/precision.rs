//! Date and location precision on common scales, with each source's codes mapped once.

use serde::{Deserialize, Serialize};

/// How precisely a record is dated. Smaller is finer.
///
/// | code | meaning | UCDP `date_prec` | ACLED `time_precision` | curated |
/// |---|---|---|---|---|
/// | 1 | the day is known | 1 | 1 | `day` |
/// | 2 | within a window of up to ~2 weeks | 2, 3 | 2 | `week` |
/// | 3 | within a month | 4 | 3 | `month` |
/// | 4 | longer than a month | 5 | — | — |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum DatePrecision {
    /// The exact day is known.
    Day = 1,
    /// Known to within a window of days (up to about two weeks).
    Week = 2,
    /// Known to within a month.
    Month = 3,
    /// Known only to a period longer than a month.
    Longer = 4,
}

impl DatePrecision {
    /// The common code (1 finest … 4 coarsest).
    pub fn code(self) -> u8 {
        self as u8
    }
    /// From the common code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::Day,
            2 => Self::Week,
            3 => Self::Month,
            4 => Self::Longer,
            _ => return None,
        })
    }
    /// From UCDP GED's `date_prec` (1–5).
    pub fn from_ucdp(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Day,
            2 | 3 => Self::Week,
            4 => Self::Month,
            5 => Self::Longer,
            _ => return None,
        })
    }
    /// From ACLED's `time_precision` (1–3).
    pub fn from_acled(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Day,
            2 => Self::Week,
            3 => Self::Month,
            _ => return None,
        })
    }
    /// From a word: `day`, `week`, `month`, `year`/`longer`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "day" | "1" => Self::Day,
            "week" | "days" | "2" => Self::Week,
            "month" | "3" => Self::Month,
            "year" | "longer" | "4" => Self::Longer,
            _ => return None,
        })
    }
}

/// How precisely a record is located. Smaller is finer.
///
/// | code | meaning | UCDP `where_prec` | ACLED `geo_precision` |
/// |---|---|---|---|
/// | 1 | the exact place (town, village, site) | 1 | 1 |
/// | 2 | near a known place (within ~25 km) | 2 | 2 |
/// | 3 | only the district (admin 2) | 3 | — |
/// | 4 | only the province (admin 1), or a linear feature | 4, 5 | 3 |
/// | 5 | only the country, or international waters/airspace | 6, 7 | — |
///
/// Records at code 4 or coarser sit on a capital's or a centroid's coordinates: they
/// keep their province but say nothing about distance to a city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum GeoPrecision {
    /// The exact place is known.
    Point = 1,
    /// Near a known place.
    Near = 2,
    /// Only the district is known.
    District = 3,
    /// Only the province is known.
    Province = 4,
    /// Only the country is known.
    Country = 5,
}

impl GeoPrecision {
    /// The common code (1 finest … 5 coarsest).
    pub fn code(self) -> u8 {
        self as u8
    }
    /// From the common code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::Point,
            2 => Self::Near,
            3 => Self::District,
            4 => Self::Province,
            5 => Self::Country,
            _ => return None,
        })
    }
    /// From UCDP GED's `where_prec` (1–7).
    pub fn from_ucdp(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Point,
            2 => Self::Near,
            3 => Self::District,
            4 | 5 => Self::Province,
            6 | 7 => Self::Country,
            _ => return None,
        })
    }
    /// From ACLED's `geo_precision` (1–3).
    pub fn from_acled(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Point,
            2 => Self::Near,
            3 => Self::Province,
            _ => return None,
        })
    }
    /// True when the point is good enough for distance analyses (code 3 or finer).
    pub fn locates_within_province(self) -> bool {
        self <= Self::District
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn source_codes_map() {
        assert_eq!(GeoPrecision::from_ucdp(4), Some(GeoPrecision::Province));
        assert_eq!(GeoPrecision::from_acled(3), Some(GeoPrecision::Province));
        assert!(!GeoPrecision::Province.locates_within_province());
        assert_eq!(DatePrecision::from_ucdp(3), Some(DatePrecision::Week));
        assert_eq!(DatePrecision::from_ucdp(9), None);
        assert_eq!(DatePrecision::parse("Month"), Some(DatePrecision::Month));
    }
}
