//! Query parameters: parsed and validated once, so user values reach SQL only as
//! quoted literals, validated enums or numbers.
//!
//! Lists (`province`, `actor`, …) take repeated keys or commas
//! (`province=AF-KAB,AF-NAN`). Empty values count as absent (HTML forms send every
//! field). Unknown keys are an error that names the accepted ones, so a typo never
//! silently widens a query.

use crate::error::ApiError;
use crate::links::encode;
use crate::AppState;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::NaiveDate;
use sitrep_model::query::QUERY_KEY_ALIASES;
pub use sitrep_model::Filters;
use sitrep_store::query::Target;

/// Longest query string accepted, in bytes (longer: 414).
pub const MAX_QUERY_BYTES: usize = 2048;
/// Largest `page_size`.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Default `page_size`.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest `page` (keeps offsets far from overflow).
pub const MAX_PAGE: u64 = 1_000_000;

/// The filter keys every incident-based endpoint accepts: the query model's own
/// ([`sitrep_model::query::QUERY_KEYS`]), read by [`filters`].
pub const FILTER_KEYS: [&str; 16] = sitrep_model::query::QUERY_KEYS;

/// Whether `k` is a filter key (or an older spelling of one, such as `min_geo_precision`).
pub fn is_filter_key(k: &str) -> bool {
    FILTER_KEYS.contains(&k) || QUERY_KEY_ALIASES.iter().any(|(old, _)| *old == k)
}

/// The attribution verdicts a filter may name.
pub const ATTRIBUTIONS: [&str; 4] = ["attributed", "claimed", "contested", "unattributed"];

/// The raw key/value pairs of a query string, in order. As an extractor it turns a
/// malformed or overlong query string into a problem+json 400/414 rather than
/// axum's plain-text rejection.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let len = parts.uri.query().map_or(0, str::len);
        if len > MAX_QUERY_BYTES {
            return Err(ApiError::UriTooLong {
                len,
                limit: MAX_QUERY_BYTES,
            });
        }
        let Query(pairs) =
            Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map_err(|e| {
                ApiError::BadRequest(format!("malformed query string: {}", e.body_text()))
            })?;
        Ok(Params(
            pairs
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        ))
    }
}

impl Params {
    /// Parameters from pairs (for tests and internal links).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// Fails on any key not in `allowed` (filter keys are always allowed when
    /// `filters` is true), naming the accepted keys.
    pub fn check(&self, filters: bool, allowed: &[&str]) -> Result<(), ApiError> {
        for (k, _) in &self.0 {
            let ok = allowed.contains(&k.as_str()) || (filters && is_filter_key(k));
            if !ok {
                let mut keys: Vec<&str> = allowed.to_vec();
                if filters {
                    keys.extend(FILTER_KEYS);
                }
                return Err(ApiError::BadRequest(if keys.is_empty() {
                    format!("unknown parameter `{k}`; this endpoint takes no parameters")
                } else {
                    format!(
                        "unknown parameter `{k}`; expected one of: {}",
                        keys.join(", ")
                    )
                }));
            }
        }
        Ok(())
    }

    /// A single-valued parameter (an error if given twice).
    pub fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut it = self
            .0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        let first = it.next();
        if it.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "`{key}` is given more than once; it takes one value"
            )));
        }
        Ok(first)
    }

    /// A list parameter: every occurrence, split on commas, trimmed, de-duplicated.
    pub fn list(&self, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, v) in self.0.iter().filter(|(k, _)| k == key) {
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !out.iter().any(|o| o == part) {
                    out.push(part.to_string());
                }
            }
        }
        out
    }

    fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
        &self,
        key: &str,
        min: T,
        max: T,
    ) -> Result<Option<T>, ApiError> {
        let Some(v) = self.one(key)? else {
            return Ok(None);
        };
        match v.parse::<T>() {
            Ok(n) if n >= min && n <= max => Ok(Some(n)),
            _ => Err(ApiError::BadRequest(format!(
                "`{key}` must be an integer from {min} to {max}, found `{}`",
                clip(v)
            ))),
        }
    }

    /// An enum-like parameter: one of `choices`, or `default` when absent.
    pub fn choice(
        &self,
        key: &str,
        choices: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, ApiError> {
        match self.one(key)? {
            None => Ok(default),
            Some(v) => choices.iter().copied().find(|c| *c == v).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "`{key}` must be one of {}, found `{}`",
                    choices.join(", "),
                    clip(v)
                ))
            }),
        }
    }
}

/// Shortens a user value for an error message.
fn clip(v: &str) -> String {
    if v.chars().count() > 60 {
        format!("{}…", v.chars().take(60).collect::<String>())
    } else {
        v.to_string()
    }
}

pub(crate) fn date(p: &Params, key: &str) -> Result<Option<NaiveDate>, ApiError> {
    p.one(key)?
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::BadRequest(format!(
                    "`{key}` must be a date as YYYY-MM-DD (e.g. 2021-08-15), found `{}`",
                    clip(v)
                ))
            })
        })
        .transpose()
}

/// Reads the filter keys of `p` into the query model's [`Filters`], every name made
/// canonical (province codes, actor ids, regions, districts) by the same rule the CLI
/// and figures use ([`sitrep_resolve::filters::canonical`]). A bad date, unknown
/// type, name or band is a 400 naming the key.
pub fn filters(p: &Params, state: &AppState) -> Result<Filters, ApiError> {
    let raw = Filters::from_query_pairs(&p.0).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let r = state.resolver();
    let f = sitrep_resolve::filters::canonical(&raw, Some(r.registry()), Some(r.gazetteer()))
        .map_err(|e| ApiError::BadRequest(format!("`{}`: {e}", e.key())))?;
    if !f.attribution.is_empty() && !state.store().has_attribution() {
        return Err(ApiError::BadRequest(
            "`attribution`: this store has no claims ledger, so incidents have no verdicts; import claims first (`sitrep claims import`)".into(),
        ));
    }
    compile(&f).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(f)
}

fn compile(f: &Filters) -> Result<String, sitrep_store::query::QueryError> {
    // The served store's `incidents` has places and actors; a missing column would
    // fail in DataFusion with its name. Distance bands are the rollup's.
    let has = |_: &str| true;
    let t = Target::incidents(&has, &sitrep_store::ROLLUP_BAND_EDGES);
    sitrep_store::query::predicate(f, &t, true)
}

/// What the server does with a [`Filters`]: its SQL predicate (by the store's one
/// compiler), its URL query string and its JSON echo.
pub trait FiltersExt {
    /// The SQL predicate over `incidents` (`TRUE` when empty).
    fn to_sql(&self) -> String;
    /// The filters as a URL query string (no leading `?`).
    fn query(&self) -> String;
    /// The filters as a JSON object of query keys, echoed in API answers.
    fn to_json(&self) -> serde_json::Value;
}

impl FiltersExt for Filters {
    fn to_sql(&self) -> String {
        // Filters from requests were compiled once by `filters`; those the server
        // builds itself (a province, an actor) always compile.
        compile(self).unwrap_or_else(|e| {
            debug_assert!(false, "filters built by the server must compile: {e}");
            "FALSE".into()
        })
    }

    fn query(&self) -> String {
        self.to_query_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn to_json(&self) -> serde_json::Value {
        let m: serde_json::Map<String, serde_json::Value> = self
            .to_query_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
            .collect();
        serde_json::Value::Object(m)
    }
}

/// The common event type names.
pub const EVENT_TYPES: [&str; 7] = [
    "battle",
    "explosion",
    "violence_against_civilians",
    "protest",
    "riot",
    "strategic_development",
    "other",
];

/// The regions of the gazetteer's active grouping, in province order, de-duplicated.
pub fn regions(state: &AppState) -> Vec<String> {
    sitrep_resolve::filters::regions(state.resolver().gazetteer())
}

/// Incident list order: the model's one definition.
pub type Sort = sitrep_model::IncidentOrder;

/// Reads `sort` (default `-date_start`).
pub fn sort(p: &Params) -> Result<Sort, ApiError> {
    let name = p.choice("sort", &Sort::NAMES, "-date_start")?;
    Ok(Sort::from_name(name).unwrap_or_default())
}

/// A page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub page: u64,
    /// Rows per page (1–[`MAX_PAGE_SIZE`]).
    pub size: u32,
}

impl Page {
    /// Reads `page` and `page_size`.
    pub fn parse(p: &Params) -> Result<Page, ApiError> {
        Ok(Page {
            page: p.number("page", 1, MAX_PAGE)?.unwrap_or(1),
            size: p
                .number("page_size", 1, MAX_PAGE_SIZE)?
                .unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }

    /// Rows skipped.
    pub fn offset(self) -> u64 {
        (self.page - 1) * u64::from(self.size)
    }
}

/// Time bucket of `/series`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// ISO week, starting Monday.
    Week,
    /// Calendar month.
    Month,
    /// Calendar year.
    Year,
}

impl Bucket {
    /// Accepted names.
    pub const NAMES: [&'static str; 3] = ["week", "month", "year"];

    /// Reads `bucket` (default `default`).
    pub fn parse(p: &Params, default: Bucket) -> Result<Bucket, ApiError> {
        Ok(match p.choice("bucket", &Self::NAMES, default.as_str())? {
            "week" => Bucket::Week,
            "year" => Bucket::Year,
            _ => Bucket::Month,
        })
    }

    /// Name (also the `date_trunc` unit).
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Week => "week",
            Bucket::Month => "month",
            Bucket::Year => "year",
        }
    }

    /// The bucket's first day for a day.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        match self {
            Bucket::Week => d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday())),
            Bucket::Month => d.with_day(1).unwrap_or(d),
            Bucket::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        }
    }

    /// The next bucket's first day.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Week => start + chrono::Days::new(7),
            Bucket::Month => start + chrono::Months::new(1),
            Bucket::Year => start + chrono::Months::new(12),
        }
    }

    /// The last day of the bucket starting at `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        self.next(start).pred_opt().unwrap_or(start)
    }

    /// The model's bucket, for rendering.
    pub fn model(self) -> sitrep_model::figure::Bucket {
        match self {
            Bucket::Week => sitrep_model::figure::Bucket::Week,
            Bucket::Month => sitrep_model::figure::Bucket::Month,
            Bucket::Year => sitrep_model::figure::Bucket::Year,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (default).
    Json,
    /// CSV with a header.
    Csv,
    /// GeoJSON FeatureCollection of points.
    GeoJson,
}

impl Format {
    /// Reads `format`, accepting only `allowed`.
    pub fn parse(p: &Params, allowed: &[&'static str]) -> Result<Format, ApiError> {
        Ok(match p.choice("format", allowed, "json")? {
            "csv" => Format::Csv,
            "geojson" => Format::GeoJson,
            _ => Format::Json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_and_repeat() {
        let p = Params::from_pairs(&[("province", "AF-KAB, AF-NAN"), ("province", "AF-KAB")]);
        assert_eq!(p.list("province"), ["AF-KAB", "AF-NAN"]);
    }

    #[test]
    fn buckets_step() {
        let d = NaiveDate::from_ymd_opt(2021, 8, 15).unwrap();
        assert_eq!(Bucket::Week.start_of(d).to_string(), "2021-08-09");
        assert_eq!(
            Bucket::Month.end(Bucket::Month.start_of(d)).to_string(),
            "2021-08-31"
        );
        assert_eq!(
            Bucket::Year.next(Bucket::Year.start_of(d)).to_string(),
            "2022-01-01"
        );
    }

    #[test]
    fn bad_numbers_name_the_key() {
        let p = Params::from_pairs(&[("page_size", "100000")]);
        let e = Page::parse(&p).unwrap_err().to_string();
        assert!(e.contains("page_size") && e.contains("500"), "{e}");
    }
}
