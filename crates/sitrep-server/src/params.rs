//! Query parameters: parsed and validated once, so user values reach SQL only as
//! quoted literals, validated enums or numbers.
//!
//! Lists (`province`, `actor`, …) take repeated keys or commas
//! (`province=AF-KAB,AF-NAN`). Empty values count as absent (HTML forms send every
//! field). Unknown keys are an error that names the accepted ones, so a typo never
//! silently widens a query.
//!
//! Every parameter is declared once as a [`Param`] (name, [`Kind`]: choices, bounds,
//! default; description, example): the parsers below read their choices and bounds
//! from it, and the OpenAPI document describes it. An API route's [`Accepts`] (the
//! filter keys or not, and its own parameters) is its entry's in the route table
//! (`api/endpoints.rs`): the router answers 400 to any key outside it before the
//! handler runs, and the document lists exactly it, so a route cannot take a
//! parameter it does not document.

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

/// What a query parameter takes: the rule its parser applies and the schema the
/// OpenAPI document gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Free text (names, ids), and what an absent value means.
    Text {
        /// The value assumed when absent.
        default: Option<&'static str>,
    },
    /// A day, `YYYY-MM-DD`.
    Date,
    /// One of `choices` (for list keys: comma-separated choices).
    Choice {
        /// Accepted values.
        choices: &'static [&'static str],
        /// The value assumed when absent.
        default: Option<&'static str>,
    },
    /// A whole number from `min` to `max`.
    Int {
        /// Smallest accepted.
        min: u64,
        /// Largest accepted (none: no bound).
        max: Option<u64>,
        /// The value assumed when absent.
        default: Option<u64>,
    },
    /// `true` or `false`.
    Bool {
        /// The value assumed when absent.
        default: bool,
    },
    /// A number above 0 and at most `max`.
    Positive {
        /// Largest accepted.
        max: f64,
        /// The value assumed when absent.
        default: f64,
    },
}

/// A query parameter, declared once: its parser reads the choices, bounds and
/// default from here and the OpenAPI document describes it from here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The key in the query string.
    pub name: &'static str,
    /// The key under `components/parameters` when several routes share the
    /// parameter (`format_table` for a `format` of json or csv); none: described
    /// inline in its route.
    pub component: Option<&'static str>,
    /// What it takes.
    pub kind: Kind,
    /// What it does, for the document.
    pub description: &'static str,
    /// A value that works on the bundled data, as written in a URL (the tests call
    /// every one).
    pub example: &'static str,
}

impl Param {
    /// A parameter of one route.
    pub const fn new(
        name: &'static str,
        kind: Kind,
        description: &'static str,
        example: &'static str,
    ) -> Param {
        Param {
            name,
            component: None,
            kind,
            description,
            example,
        }
    }

    /// The parameter shared by several routes, under `components/parameters/{key}`.
    pub const fn shared(self, key: &'static str) -> Param {
        Param {
            component: Some(key),
            ..self
        }
    }

    /// Whether `v` is a value this parameter accepts (syntax only: a name is checked
    /// against the gazetteer or registry later).
    pub fn accepts(&self, v: &str) -> bool {
        match self.kind {
            Kind::Text { .. } => !v.is_empty(),
            Kind::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
            Kind::Choice { choices, .. } => v.split(',').all(|c| choices.contains(&c.trim())),
            Kind::Int { min, max, .. } => v
                .parse::<u64>()
                .is_ok_and(|n| n >= min && max.is_none_or(|m| n <= m)),
            Kind::Bool { .. } => v == "true" || v == "false",
            Kind::Positive { max, .. } => v.parse::<f64>().is_ok_and(|n| n > 0.0 && n <= max),
        }
    }
}

/// The query parameters a route accepts: the filter keys ([`FILTER_PARAMS`]) or not,
/// and its own. Each API route's is its entry's in the route table; the router
/// answers 400 to every other key before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accepts {
    /// Whether the filter keys are accepted.
    pub filters: bool,
    /// The route's own parameters, in the order the document lists them.
    pub params: &'static [Param],
}

impl Accepts {
    /// No parameters.
    pub const NONE: Accepts = Accepts {
        filters: false,
        params: &[],
    };
    /// The filter keys only.
    pub const FILTERS: Accepts = Accepts {
        filters: true,
        params: &[],
    };

    /// Every key accepted besides the filter keys.
    pub fn names(&self) -> Vec<&'static str> {
        self.params.iter().map(|p| p.name).collect()
    }

    /// Fails on a key this route does not take, naming those it does.
    pub fn check(&self, p: &Params) -> Result<(), ApiError> {
        p.check(self.filters, &self.names())
    }
}

const fn text(name: &'static str, description: &'static str, example: &'static str) -> Param {
    Param::new(name, Kind::Text { default: None }, description, example).shared(name)
}

const fn choice(
    name: &'static str,
    choices: &'static [&'static str],
    default: Option<&'static str>,
    description: &'static str,
    example: &'static str,
) -> Param {
    Param::new(
        name,
        Kind::Choice { choices, default },
        description,
        example,
    )
    .shared(name)
}

const fn int(
    name: &'static str,
    min: u64,
    max: u64,
    description: &'static str,
    example: &'static str,
) -> Param {
    let kind = Kind::Int {
        min,
        max: Some(max),
        default: None,
    };
    Param::new(name, kind, description, example).shared(name)
}

/// `from`: a filter key, and a figure's period.
pub const FROM: Param = Param::new(
    "from",
    Kind::Date,
    "First day included (by date_start)",
    "2019-01-01",
)
.shared("from");

/// `to`: a filter key, and a figure's period.
pub const TO: Param = Param::new(
    "to",
    Kind::Date,
    "Last day included (by date_start)",
    "2020-12-31",
)
.shared("to");

/// The filter keys, described: one per [`FILTER_KEYS`], in its order (a unit test
/// holds them together; the model's parser reads them,
/// [`Filters::from_query_pairs`]).
pub const FILTER_PARAMS: [Param; 16] = [
    FROM,
    TO,
    text("source", "Source names (see /sources)", "ucdp"),
    text("country", "Countries as the source writes them", "Afghanistan"),
    choice("type", &EVENT_TYPES, None, "Common event types", "battle"),
    text(
        "source_type",
        "The source's own event types, verbatim",
        "State-based",
    ),
    text(
        "province",
        "Provinces: ISO 3166-2 codes (or names)",
        "AF-KAB",
    ),
    text(
        "region",
        "Regions of the gazetteer's grouping (see /places)",
        "Capital",
    ),
    text(
        "district",
        "District names (see /places/{code})",
        "Kabul",
    ),
    text(
        "distance_band",
        "Distance bands to the nearest provincial capital (the rollup's: 0–5 km, 5–25 km, 25–50 km, 50–100 km, 100+ km)",
        "0–5 km",
    ),
    text(
        "actor",
        "Actor ids or names; matches either side, factions included unless actor_match=exact (see /actors)",
        "taliban",
    ),
    choice(
        "role",
        &["any", "a", "b"],
        Some("any"),
        "Which side the actors must be on (a: side A / actor 1)",
        "a",
    ),
    choice(
        "actor_match",
        &["with_factions", "exact"],
        Some("with_factions"),
        "Whether a faction's incidents count for its parent (the Haqqani network for the Taliban); the same rule as the CLI and figures",
        "exact",
    ),
    int(
        "coarsest_geo",
        1,
        5,
        "Coarsest location kept (1 point … 5 country); `min_geo_precision` is read too",
        "3",
    ),
    int(
        "coarsest_date",
        1,
        4,
        "Coarsest date kept (1 day … 4 longer than a month); `min_date_precision` is read too",
        "2",
    ),
    choice(
        "attribution",
        &ATTRIBUTIONS,
        None,
        "Attribution verdicts, comma-separated. Needs a claims ledger (400 without one); follows the journal as analysts write to it",
        "contested",
    ),
];

/// `page` of a list.
pub const PAGE: Param = Param::new(
    "page",
    Kind::Int {
        min: 1,
        max: Some(MAX_PAGE),
        default: Some(1),
    },
    "1-based page",
    "1",
)
.shared("page");

/// `page_size` of a list.
pub const PAGE_SIZE: Param = Param::new(
    "page_size",
    Kind::Int {
        min: 1,
        max: Some(MAX_PAGE_SIZE as u64),
        default: Some(DEFAULT_PAGE_SIZE as u64),
    },
    "Rows per page",
    "20",
)
.shared("page_size");

/// `sort` of the incident list ([`Sort`]).
pub const SORT: Param = choice(
    "sort",
    &Sort::NAMES,
    Some("-date_start"),
    "Order; `-` for descending",
    "-fatalities_best",
);

/// `bucket` of a series ([`Bucket`]).
pub const BUCKET: Param = choice(
    "bucket",
    &Bucket::NAMES,
    Some("month"),
    "Time bucket (weeks start on Monday)",
    "year",
);

/// `format` of the incident list.
pub const FORMAT_INCIDENTS: Param = Param::new(
    "format",
    Kind::Choice {
        choices: &["json", "csv", "geojson"],
        default: Some("json"),
    },
    "Output format",
    "json",
)
.shared("format_incidents");

/// `format` of a table (series, map).
pub const FORMAT_TABLE: Param = Param::new(
    "format",
    Kind::Choice {
        choices: &["json", "csv"],
        default: Some("json"),
    },
    "Output format",
    "json",
)
.shared("format_table");

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
        let p = Params(
            pairs
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        );
        // An API route's accepted keys, attached by the route table.
        if let Some(accepts) = parts.extensions.get::<Accepts>() {
            accepts.check(&p)?;
        }
        Ok(p)
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

    /// A [`Kind::Choice`] parameter: one of its choices, its default when absent
    /// (`""` when it has none).
    pub fn choice_of(&self, param: &Param) -> Result<&'static str, ApiError> {
        match param.kind {
            Kind::Choice { choices, default } => {
                self.choice(param.name, choices, default.unwrap_or_default())
            }
            _ => Err(ApiError::Internal(format!(
                "`{}` is not a choice",
                param.name
            ))),
        }
    }

    /// A [`Kind::Int`] parameter within its bounds, its default when absent.
    pub fn int_of(&self, param: &Param) -> Result<Option<u64>, ApiError> {
        match param.kind {
            Kind::Int { min, max, default } => Ok(self
                .number(param.name, min, max.unwrap_or(u64::MAX))?
                .or(default)),
            _ => Err(ApiError::Internal(format!(
                "`{}` is not a whole number",
                param.name
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
    let name = p.choice_of(&SORT)?;
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
        let size = p.int_of(&PAGE_SIZE)?.unwrap_or(DEFAULT_PAGE_SIZE.into());
        Ok(Page {
            page: p.int_of(&PAGE)?.unwrap_or(1),
            // Bounded by MAX_PAGE_SIZE.
            size: u32::try_from(size).unwrap_or(MAX_PAGE_SIZE),
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
        Ok(
            match p.choice(BUCKET.name, &Self::NAMES, default.as_str())? {
                "week" => Bucket::Week,
                "year" => Bucket::Year,
                _ => Bucket::Month,
            },
        )
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
    /// Reads `format` as `param` declares it ([`FORMAT_INCIDENTS`], [`FORMAT_TABLE`]).
    pub fn parse(p: &Params, param: &Param) -> Result<Format, ApiError> {
        Ok(match p.choice_of(param)? {
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

    /// The filter keys' descriptions are the model's keys, in order; every alias is
    /// named in its key's description; every example, choice and bound is the model
    /// parser's (which refuses what is outside them).
    #[test]
    fn filter_parameters_are_the_models_keys() {
        let names: Vec<&str> = FILTER_PARAMS.iter().map(|p| p.name).collect();
        assert_eq!(names, FILTER_KEYS);
        for (old, new) in QUERY_KEY_ALIASES {
            let p = FILTER_PARAMS.iter().find(|p| p.name == new).unwrap();
            assert!(p.description.contains(&format!("`{old}`")), "{old}");
        }
        let parses = |k: &str, v: &str| Filters::from_query_pairs(&[(k, v)]).is_ok();
        for p in FILTER_PARAMS {
            assert!(p.component == Some(p.name), "{}", p.name);
            assert!(parses(p.name, p.example), "{}={}", p.name, p.example);
            match p.kind {
                Kind::Choice { choices, .. } => {
                    for c in choices {
                        assert!(parses(p.name, c), "{}={c}", p.name);
                    }
                    assert!(!parses(p.name, "no_such_choice"), "{}", p.name);
                }
                Kind::Int { min, max, .. } => {
                    let max = max.unwrap();
                    assert!(parses(p.name, &min.to_string()) && parses(p.name, &max.to_string()));
                    assert!(!parses(p.name, &(max + 1).to_string()), "{}", p.name);
                    assert!(!parses(p.name, &(min - 1).to_string()), "{}", p.name);
                }
                Kind::Date => assert!(!parses(p.name, "2021-13-01"), "{}", p.name),
                _ => {}
            }
        }
    }

    #[test]
    fn parsers_read_their_declarations() {
        let p = Params::from_pairs(&[("page_size", "500"), ("sort", "date_start")]);
        assert_eq!(Page::parse(&p).unwrap().size, MAX_PAGE_SIZE);
        assert_eq!(p.choice_of(&SORT).unwrap(), "date_start");
        let none = Params::from_pairs(&[]);
        assert_eq!(
            Page::parse(&none).unwrap(),
            Page {
                page: 1,
                size: DEFAULT_PAGE_SIZE
            }
        );
        assert_eq!(p.choice_of(&FORMAT_TABLE).unwrap(), "json");
        let e = Params::from_pairs(&[("format", "geojson")])
            .choice_of(&FORMAT_TABLE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("json, csv"), "{e}");
        let accepts = Accepts {
            filters: true,
            params: &[PAGE],
        };
        assert!(accepts
            .check(&Params::from_pairs(&[
                ("page", "2"),
                ("min_geo_precision", "2")
            ]))
            .is_ok());
        let e = accepts
            .check(&Params::from_pairs(&[("pages", "2")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown parameter `pages`; expected one of: page, from"),
            "{e}"
        );
    }

    #[test]
    fn bad_numbers_name_the_key() {
        let p = Params::from_pairs(&[("page_size", "100000")]);
        let e = Page::parse(&p).unwrap_err().to_string();
        assert!(e.contains("page_size") && e.contains("500"), "{e}");
    }
}
