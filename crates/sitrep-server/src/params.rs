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
use sitrep_model::EventType;

/// Longest query string accepted, in bytes (longer: 414).
pub const MAX_QUERY_BYTES: usize = 2048;
/// Largest `page_size`.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Default `page_size`.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest `page` (keeps offsets far from overflow).
pub const MAX_PAGE: u64 = 1_000_000;

/// The filter keys every incident-based endpoint accepts.
pub const FILTER_KEYS: [&str; 12] = [
    "from",
    "to",
    "source",
    "country",
    "type",
    "province",
    "region",
    "district",
    "actor",
    "min_geo_precision",
    "min_date_precision",
    "attribution",
];

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
            let ok =
                allowed.contains(&k.as_str()) || (filters && FILTER_KEYS.contains(&k.as_str()));
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

/// Quotes a string as a SQL literal (`'` doubled), as `sitrep_store::Filter` does.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn any_of(col: &str, values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| {
        let v: Vec<String> = values.iter().map(|v| quote(v)).collect();
        format!("{col} IN ({})", v.join(", "))
    })
}

/// Which incidents an endpoint or page counts: a conjunction of conditions, each
/// list meaning "any of". Values are canonical (province codes, actor ids, event
/// type names) after [`IncidentFilter::parse`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// First day included (by `date_start`).
    pub from: Option<NaiveDate>,
    /// Last day included (by `date_start`).
    pub to: Option<NaiveDate>,
    /// Source names.
    pub sources: Vec<String>,
    /// Countries as the source writes them.
    pub countries: Vec<String>,
    /// Common event types (`battle`, `explosion`, …).
    pub types: Vec<String>,
    /// ISO 3166-2 province codes.
    pub provinces: Vec<String>,
    /// Regions of the gazetteer's grouping.
    pub regions: Vec<String>,
    /// District names from the gazetteer.
    pub districts: Vec<String>,
    /// Actor ids; an incident matches when either side is the actor or one of its factions.
    pub actors: Vec<String>,
    /// Keep records located at least this precisely (geo_precision ≤ N, 1–5).
    pub min_geo_precision: Option<u8>,
    /// Keep records dated at least this precisely (date_precision ≤ N, 1–4).
    pub min_date_precision: Option<u8>,
    /// Attribution verdicts (from the claims ledger, current as of the request).
    pub attributions: Vec<String>,
}

impl IncidentFilter {
    /// Parses and validates the filter keys of `p`: dates, known event types,
    /// provinces (code or any spelling), regions, actors (id or name), precisions.
    pub fn parse(p: &Params, state: &AppState) -> Result<IncidentFilter, ApiError> {
        let from = date(p, "from")?;
        let to = date(p, "to")?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(ApiError::BadRequest(format!(
                    "`from` ({a}) is after `to` ({b})"
                )));
            }
        }
        let types = p
            .list("type")
            .iter()
            .map(|t| {
                EventType::parse(t)
                    .map(|e| e.as_str().to_string())
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "unknown event type `{}`; expected one of: {}",
                            clip(t),
                            EVENT_TYPES.join(", ")
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let g = state.resolver().gazetteer();
        let provinces = p
            .list("province")
            .iter()
            .map(|v| {
                g.province_index(v)
                    .map(|i| g.provinces()[i].code.clone())
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "unknown province `{}`; use an ISO 3166-2 code such as AF-KAB (list: /api/v1/places)",
                            clip(v)
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let known_regions = regions(state);
        let regions = p
            .list("region")
            .iter()
            .map(|v| {
                known_regions
                    .iter()
                    .find(|r| r.eq_ignore_ascii_case(v))
                    .cloned()
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "unknown region `{}`; expected one of: {}",
                            clip(v),
                            known_regions.join(", ")
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let districts = p
            .list("district")
            .iter()
            .map(|v| {
                g.districts()
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(v))
                    .map(|d| d.name.clone())
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "unknown district `{}`; districts are listed under /api/v1/places/{{code}}",
                            clip(v)
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reg = state.resolver().registry();
        let actors = p
            .list("actor")
            .iter()
            .map(|v| {
                reg.get(v)
                    .map(|a| a.id.clone())
                    .or_else(|| reg.resolve_ids(v, None, None).map(|(id, _)| id.to_string()))
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "unknown actor `{}`; use an actor id such as `taliban` (list: /api/v1/actors)",
                            clip(v)
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let attributions = p.list("attribution");
        if !attributions.is_empty() && !state.store().has_attribution() {
            return Err(ApiError::BadRequest(
                "`attribution`: this store has no claims ledger, so incidents have no verdicts; import claims first (`sitrep claims import`)".into(),
            ));
        }
        for a in &attributions {
            if !ATTRIBUTIONS.contains(&a.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "unknown attribution `{}`; expected one of: {}",
                    clip(a),
                    ATTRIBUTIONS.join(", ")
                )));
            }
        }
        Ok(IncidentFilter {
            from,
            to,
            sources: p.list("source"),
            countries: p.list("country"),
            types,
            provinces,
            regions,
            districts,
            actors,
            min_geo_precision: p.number("min_geo_precision", 1, 5)?,
            min_date_precision: p.number("min_date_precision", 1, 4)?,
            attributions,
        })
    }

    /// The SQL predicate over `incidents` (`TRUE` when empty).
    pub fn to_sql(&self) -> String {
        let base = sitrep_store::Filter {
            from: self.from,
            to: self.to,
            sources: self.sources.clone(),
            countries: self.countries.clone(),
            event_types: self.types.clone(),
            min_geo_precision: self.min_geo_precision,
            min_date_precision: self.min_date_precision,
        };
        let mut parts = vec![base.to_sql()];
        parts.extend(any_of("province_code", &self.provinces));
        parts.extend(any_of("region", &self.regions));
        parts.extend(any_of("district", &self.districts));
        parts.extend(any_of("attribution", &self.attributions));
        if !self.actors.is_empty() {
            let ors: Vec<String> = ["actor1_id", "actor2_id", "actor1_root", "actor2_root"]
                .iter()
                .filter_map(|c| any_of(c, &self.actors))
                .collect();
            parts.push(format!("({})", ors.join(" OR ")));
        }
        parts.retain(|p| p != "TRUE");
        if parts.is_empty() {
            "TRUE".into()
        } else {
            parts.join(" AND ")
        }
    }

    /// The filter as `key=value` pairs, in [`FILTER_KEYS`] order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(d) = self.from {
            out.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            out.push(("to", d.to_string()));
        }
        let lists: [(&'static str, &Vec<String>); 7] = [
            ("source", &self.sources),
            ("country", &self.countries),
            ("type", &self.types),
            ("province", &self.provinces),
            ("region", &self.regions),
            ("district", &self.districts),
            ("actor", &self.actors),
        ];
        for (k, v) in lists {
            if !v.is_empty() {
                out.push((k, v.join(",")));
            }
        }
        if let Some(n) = self.min_geo_precision {
            out.push(("min_geo_precision", n.to_string()));
        }
        if let Some(n) = self.min_date_precision {
            out.push(("min_date_precision", n.to_string()));
        }
        if !self.attributions.is_empty() {
            out.push(("attribution", self.attributions.join(",")));
        }
        out
    }

    /// The filter as a URL query string (no leading `?`).
    pub fn query(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The filter as a JSON object, echoed in API answers.
    pub fn to_json(&self) -> serde_json::Value {
        let m: serde_json::Map<String, serde_json::Value> = self
            .pairs()
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
    let mut out: Vec<String> = Vec::new();
    for p in sitrep_resolve::views::place_list(state.resolver().gazetteer()) {
        if let Some(r) = p.region {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Incident list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Oldest first.
    DateAsc,
    /// Newest first (default).
    DateDesc,
    /// Fewest fatalities first.
    FatalitiesAsc,
    /// Most fatalities first.
    FatalitiesDesc,
    /// By province name.
    Province,
}

impl Sort {
    /// The accepted `sort` values.
    pub const NAMES: [&'static str; 5] = [
        "date_start",
        "-date_start",
        "fatalities_best",
        "-fatalities_best",
        "province_name",
    ];

    /// Reads `sort` (default `-date_start`).
    pub fn parse(p: &Params) -> Result<Sort, ApiError> {
        Ok(match p.choice("sort", &Self::NAMES, "-date_start")? {
            "date_start" => Sort::DateAsc,
            "fatalities_best" => Sort::FatalitiesAsc,
            "-fatalities_best" => Sort::FatalitiesDesc,
            "province_name" => Sort::Province,
            _ => Sort::DateDesc,
        })
    }

    /// The name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::DateAsc => "date_start",
            Sort::DateDesc => "-date_start",
            Sort::FatalitiesAsc => "fatalities_best",
            Sort::FatalitiesDesc => "-fatalities_best",
            Sort::Province => "province_name",
        }
    }

    /// The ORDER BY clause; `record_id` breaks ties so pages are stable.
    pub fn to_sql(self) -> &'static str {
        match self {
            Sort::DateAsc => "date_start ASC, record_id ASC",
            Sort::DateDesc => "date_start DESC, record_id ASC",
            Sort::FatalitiesAsc => "fatalities_best ASC NULLS LAST, record_id ASC",
            Sort::FatalitiesDesc => "fatalities_best DESC NULLS LAST, record_id ASC",
            Sort::Province => "province_name ASC NULLS LAST, date_start DESC, record_id ASC",
        }
    }
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
    fn quotes_double() {
        assert_eq!(quote("a'b"), "'a''b'");
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
