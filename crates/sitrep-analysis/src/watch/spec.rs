//! Indicator and scenario files: TOML read into [`IndicatorSpec`] / [`ScenarioSpec`],
//! checked, with errors that name the file, line, column, key and a fix.

use super::WatchError;
use serde::{Deserialize, Serialize};
use sitrep_model::figure::{Bucket, Filters, Measure, SpecError};
use std::path::Path;

/// An indicator: what to count (a query of the query model) and the rule that says
/// whether it fired, bucket by bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Short id (`nrf-overtakes-iskp`): letters, digits and `-`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What it watches and why.
    #[serde(default)]
    pub description: String,
    /// Where the signal comes from (the report's section and paragraph).
    #[serde(default)]
    pub citation: String,
    /// What is counted.
    pub query: QuerySpec,
    /// When it fires.
    pub rule: RuleSpec,
}

/// An indicator's query: the query model's filters, a bucket and a measure; for a
/// crossing the two series `a` and `b`, for a share `numerator` and `denominator`
/// (each merged onto `filters`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    /// Time bucket (default month).
    #[serde(default = "default_bucket")]
    pub bucket: Bucket,
    /// What is summed per bucket (default incidents).
    #[serde(default)]
    pub measure: Measure,
    /// Which incidents count (the query model's [`Filters`]).
    #[serde(default)]
    pub filters: Filters,
    /// Crossing: the series that overtakes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<Filters>,
    /// Crossing: the series overtaken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<Filters>,
    /// Share: what is counted on top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Filters>,
    /// Share: what it is a share of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Filters>,
}

fn default_bucket() -> Bucket {
    Bucket::Month
}

fn default_alpha() -> f64 {
    0.05
}

/// Which tail decides an anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyModel {
    /// Poisson with the baseline mean.
    Poisson,
    /// Negative binomial fitted by moments on the baseline (Poisson when the baseline
    /// is not over-dispersed).
    #[default]
    Negbin,
}

/// The 95 % interval a share rule tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareIntervalSpec {
    /// Wilson score interval.
    #[default]
    Wilson,
    /// Clopper–Pearson.
    Exact,
}

/// The rule of an indicator (`kind = "…"` in the `[rule]` table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// Fires when the value is `≥ at_least` (or `≤ at_most`).
    Threshold {
        /// Lower threshold.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Upper threshold.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
    /// Fires on the bucket where series `a` overtakes series `b`.
    Crossing,
    /// Fires when a Poisson log-linear trend over the last `k` buckets rises with
    /// likelihood-ratio p < `alpha`.
    Trend {
        /// Buckets in the window.
        k: usize,
        /// Significance level.
        #[serde(default = "default_alpha")]
        alpha: f64,
    },
    /// Fires when the bucket's upper-tail probability against the `window` buckets
    /// before it is below `alpha`.
    Anomaly {
        /// Baseline buckets.
        window: usize,
        /// Poisson or negative binomial tail.
        #[serde(default)]
        model: AnomalyModel,
        /// Significance level.
        #[serde(default = "default_alpha")]
        alpha: f64,
    },
    /// ACLED's change level against the 4- or 52-bucket average (fires on "large
    /// increase").
    AcledChange {
        /// 4 (previous month) or 52 (previous year).
        reference: u32,
    },
    /// ACLED's Subnational Surge Tracker (weekly).
    AcledSurge,
    /// ACLED's Subnational Threat Tracker (weekly).
    AcledThreat,
    /// ACLED's Emerging Actor Tracker (monthly).
    EmergingActor {
        /// Months an actor must have been inactive (default 12, ACLED's "past year");
        /// absent: never active before.
        #[serde(default = "default_lookback")]
        lookback: Option<usize>,
    },
    /// Fires when the lower end of the 95 % interval of numerator / denominator is at
    /// least `threshold`.
    Share {
        /// A share in 0..1.
        threshold: f64,
        /// Interval.
        #[serde(default)]
        interval: ShareIntervalSpec,
    },
}

fn default_lookback() -> Option<usize> {
    Some(12)
}

impl RuleSpec {
    /// The rule's name as written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            RuleSpec::Threshold { .. } => "threshold",
            RuleSpec::Crossing => "crossing",
            RuleSpec::Trend { .. } => "trend",
            RuleSpec::Anomaly { .. } => "anomaly",
            RuleSpec::AcledChange { .. } => "acled_change",
            RuleSpec::AcledSurge => "acled_surge",
            RuleSpec::AcledThreat => "acled_threat",
            RuleSpec::EmergingActor { .. } => "emerging_actor",
            RuleSpec::Share { .. } => "share",
        }
    }
}

/// The line of `key = ` (or `[table]`) in `src`, for errors found after parsing.
fn line_of(src: &str, key: &str) -> (usize, usize) {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    for (i, line) in src.lines().enumerate() {
        let t = line.trim_start();
        let header = format!("[{key}]");
        if t.starts_with(&header)
            || (t.starts_with(leaf) && t[leaf.len()..].trim_start().starts_with('='))
        {
            return (i + 1, line.len() - t.len() + 1);
        }
    }
    (1, 1)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn parse_err(file: &str, src: &str, e: toml::de::Error, hint: &str) -> WatchError {
    match SpecError::from_toml(src, e) {
        SpecError::Parse {
            key,
            line,
            column,
            message,
        } => WatchError::Spec {
            file: file.to_string(),
            line,
            column,
            key,
            message,
            hint: hint.to_string(),
        },
        SpecError::Invalid { key, message } => {
            let (line, column) = line_of(src, &key);
            WatchError::Spec {
                file: file.to_string(),
                line,
                column,
                key: Some(key),
                message,
                hint: hint.to_string(),
            }
        }
    }
}

fn invalid(file: &str, src: &str, key: &str, message: String, hint: &str) -> WatchError {
    let (line, column) = line_of(src, key);
    WatchError::Spec {
        file: file.to_string(),
        line,
        column,
        key: Some(key.to_string()),
        message,
        hint: hint.to_string(),
    }
}

const INDICATOR_HINT: &str = "an indicator has id, title, description, citation, a [query] (bucket, measure, [query.filters]; [query.a]/[query.b] for a crossing, [query.numerator]/[query.denominator] for a share) and a [rule] with kind = threshold | crossing | trend | anomaly | acled_change | acled_surge | acled_threat | emerging_actor | share (see specs/indicators/README.md)";

impl IndicatorSpec {
    /// Reads and checks an indicator; `file` names it in errors.
    pub fn from_toml_str(file: &str, src: &str) -> Result<IndicatorSpec, WatchError> {
        let spec: IndicatorSpec =
            toml::from_str(src).map_err(|e| parse_err(file, src, e, INDICATOR_HINT))?;
        spec.validate(file, src)?;
        Ok(spec)
    }

    /// Reads an indicator file.
    pub fn from_path(path: &Path) -> Result<IndicatorSpec, WatchError> {
        let src = std::fs::read_to_string(path).map_err(|e| WatchError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        IndicatorSpec::from_toml_str(&path.display().to_string(), &src)
    }

    fn validate(&self, file: &str, src: &str) -> Result<(), WatchError> {
        let bad = |key: &str, message: String, hint: &str| invalid(file, src, key, message, hint);
        if !is_id(&self.id) {
            return Err(bad(
                "id",
                format!("`{}` is not an id", self.id),
                "use lowercase letters, digits and `-` (e.g. `nrf-overtakes-iskp`)",
            ));
        }
        if let (Some(f), Some(t)) = (self.query.filters.from, self.query.filters.to) {
            if f > t {
                return Err(bad(
                    "from",
                    format!("`from` {f} is after `to` {t}"),
                    "swap the dates",
                ));
            }
        }
        let q = &self.query;
        let weekly = matches!(q.bucket, Bucket::Week | Bucket::AcledWeek);
        match &self.rule {
            RuleSpec::Threshold { at_least, at_most } => {
                if at_least.is_some() == at_most.is_some() {
                    return Err(bad(
                        "rule",
                        "a threshold rule needs exactly one of `at_least` and `at_most`".into(),
                        "write e.g. `at_least = 10`",
                    ));
                }
            }
            RuleSpec::Crossing => {
                if q.a.is_none() || q.b.is_none() {
                    return Err(bad(
                        "query",
                        "a crossing needs two series, [query.a] and [query.b]".into(),
                        "add `[query.a]` with e.g. `actors = [\"nrf\"]` and `[query.b]` with `actors = [\"is-kp\"]`",
                    ));
                }
            }
            RuleSpec::Trend { k, alpha } => {
                if *k < 3 {
                    return Err(bad(
                        "k",
                        format!("a trend needs at least 3 buckets, found {k}"),
                        "use e.g. `k = 6`",
                    ));
                }
                check_alpha(*alpha, &bad)?;
            }
            RuleSpec::Anomaly { window, alpha, .. } => {
                if *window < 2 {
                    return Err(bad(
                        "window",
                        format!("a baseline needs at least 2 buckets, found {window}"),
                        "use e.g. `window = 12`",
                    ));
                }
                check_alpha(*alpha, &bad)?;
            }
            RuleSpec::AcledChange { reference } => {
                if *reference != 4 && *reference != 52 {
                    return Err(bad(
                        "reference",
                        format!("ACLED's change level compares with 4 or 52 weeks, found {reference}"),
                        "write `reference = 4` (previous month) or `reference = 52` (previous year)",
                    ));
                }
                if !weekly {
                    return Err(bad(
                        "bucket",
                        format!(
                            "ACLED's change level is weekly, found bucket `{}`",
                            q.bucket.as_str()
                        ),
                        "write `bucket = \"acled_week\"` (or \"week\") in [query]",
                    ));
                }
            }
            RuleSpec::AcledSurge | RuleSpec::AcledThreat => {
                if !weekly {
                    return Err(bad(
                        "bucket",
                        format!(
                            "ACLED's {} tracker is weekly, found bucket `{}`",
                            if matches!(self.rule, RuleSpec::AcledSurge) {
                                "surge"
                            } else {
                                "threat"
                            },
                            q.bucket.as_str()
                        ),
                        "write `bucket = \"acled_week\"` (or \"week\") in [query]",
                    ));
                }
            }
            RuleSpec::EmergingActor { .. } => {
                if q.bucket != Bucket::Month {
                    return Err(bad(
                        "bucket",
                        format!(
                            "ACLED's emerging-actor rule is monthly, found bucket `{}`",
                            q.bucket.as_str()
                        ),
                        "write `bucket = \"month\"` in [query]",
                    ));
                }
            }
            RuleSpec::Share { threshold, .. } => {
                if !(0.0..=1.0).contains(threshold) {
                    return Err(bad(
                        "threshold",
                        format!("a share threshold lies in 0..1, found {threshold}"),
                        "write e.g. `threshold = 0.5` for 50 %",
                    ));
                }
                if q.numerator.is_none() {
                    return Err(bad(
                        "query",
                        "a share needs [query.numerator] (and optionally [query.denominator])"
                            .into(),
                        "add `[query.numerator]` with e.g. `attribution = [\"contested\"]`",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn check_alpha(
    alpha: f64,
    bad: &dyn Fn(&str, String, &str) -> WatchError,
) -> Result<(), WatchError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(bad(
            "alpha",
            format!("a significance level lies strictly between 0 and 1, found {alpha}"),
            "use e.g. `alpha = 0.05`",
        ));
    }
    Ok(())
}

/// A scenario: indicators with weights, a narrative and citations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Short id (`taliban-fragmentation`).
    pub id: String,
    /// Title.
    pub title: String,
    /// What would happen and why it matters.
    #[serde(default)]
    pub narrative: String,
    /// Sources (the report's section and paragraphs).
    #[serde(default)]
    pub citations: Vec<String>,
    /// Share of the weight (of indicators with data) that must fire for the scenario
    /// to be "fired" in a bucket (default 0.5).
    #[serde(default = "default_scenario_threshold")]
    pub threshold: f64,
    /// A condition over the indicators' ids (`and`, `or`, parentheses) that replaces
    /// the weighted share as the month's test (see [`super::condition`]); the share is
    /// still reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Months in a row the test must hold before the scenario is elevated (status
    /// `fired`); default 1.
    #[serde(default = "default_persist")]
    pub persist: usize,
    /// The signposts.
    pub indicators: Vec<ScenarioIndicator>,
}

fn default_persist() -> usize {
    1
}

/// Longest persistence accepted (ten years of months).
pub const MAX_PERSIST: usize = 120;

fn default_scenario_threshold() -> f64 {
    0.5
}

fn default_weight() -> f64 {
    1.0
}

/// One signpost of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioIndicator {
    /// The indicator's id.
    pub id: String,
    /// Its weight (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Why it belongs here (the report's paragraph).
    #[serde(default)]
    pub citation: String,
    /// Buckets in a row (of the indicator's own bucket) it must fire before it counts
    /// as fired in this scenario; default 1.
    #[serde(default = "default_persist")]
    pub persist: usize,
}

const SCENARIO_HINT: &str = "a scenario has id, title, narrative, citations, threshold, optional when (indicator ids with and / or) and persist, and [[indicators]] tables with id, weight, citation and optional persist (see specs/scenarios/README.md)";

/// Line and column (1-based) of byte `pos` in `src`.
fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let before = &src[..pos.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte position in `src` of offset `at` inside the string value of top-level key
/// `key` (the `when = "…"` line; a multi-line `"""` string starts after its quotes
/// and the newline TOML trims). Escapes are not undone: an offset after one may be
/// off by its length.
fn value_pos(src: &str, key: &str, at: usize) -> usize {
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
            let eq = start + line.find('=').unwrap_or(0);
            let rest = &src[eq + 1..];
            let q = rest.find(['"', '\'']).map_or(eq + 1, |i| eq + 1 + i);
            let mut content = q + 1;
            for triple in ["\"\"\"", "'''"] {
                if src[q..].starts_with(triple) {
                    content = q + 3;
                    if src[content..].starts_with("\r\n") {
                        content += 2;
                    } else if src[content..].starts_with('\n') {
                        content += 1;
                    }
                }
            }
            return (content + at).min(src.len());
        }
        start += line.len();
    }
    0
}

fn at_offset(
    file: &str,
    src: &str,
    key: &str,
    at: usize,
    message: String,
    hint: &str,
) -> WatchError {
    let (line, column) = line_col(src, value_pos(src, key, at));
    WatchError::Spec {
        file: file.to_string(),
        line,
        column,
        key: Some(key.to_string()),
        message,
        hint: hint.to_string(),
    }
}

const WHEN_HINT: &str = "write indicator ids of this scenario's [[indicators]] joined by `and` / `or`, e.g. `when = \"opposition-rising and (nrf-overtakes-iskp or joint-claims-share)\"`";

impl ScenarioSpec {
    /// Reads and checks a scenario; `file` names it in errors.
    pub fn from_toml_str(file: &str, src: &str) -> Result<ScenarioSpec, WatchError> {
        let spec: ScenarioSpec =
            toml::from_str(src).map_err(|e| parse_err(file, src, e, SCENARIO_HINT))?;
        if !is_id(&spec.id) {
            return Err(invalid(
                file,
                src,
                "id",
                format!("`{}` is not an id", spec.id),
                "use lowercase letters, digits and `-`",
            ));
        }
        if spec.indicators.is_empty() {
            return Err(invalid(
                file,
                src,
                "indicators",
                "a scenario needs at least one [[indicators]]".into(),
                SCENARIO_HINT,
            ));
        }
        if let Some(i) = spec
            .indicators
            .iter()
            .find(|i| !(i.weight.is_finite() && i.weight > 0.0))
        {
            return Err(invalid(
                file,
                src,
                "weight",
                format!(
                    "indicator `{}` has weight {}; weights are positive",
                    i.id, i.weight
                ),
                "write e.g. `weight = 1`",
            ));
        }
        if !(spec.threshold > 0.0 && spec.threshold <= 1.0) {
            return Err(invalid(
                file,
                src,
                "threshold",
                format!(
                    "a scenario threshold lies in (0, 1], found {}",
                    spec.threshold
                ),
                "write e.g. `threshold = 0.5`",
            ));
        }
        let persist_hint = "write e.g. `persist = 3` (three buckets in a row); 1 is the default";
        if !(1..=MAX_PERSIST).contains(&spec.persist) {
            return Err(invalid(
                file,
                src,
                "persist",
                format!(
                    "persist counts buckets in a row, 1 to {MAX_PERSIST}; found {}",
                    spec.persist
                ),
                persist_hint,
            ));
        }
        if let Some(i) = spec
            .indicators
            .iter()
            .find(|i| !(1..=MAX_PERSIST).contains(&i.persist))
        {
            // The `persist = ` line inside that [[indicators]] table.
            let (line, column) = indicator_key_pos(src, &i.id, "persist");
            return Err(WatchError::Spec {
                file: file.to_string(),
                line,
                column,
                key: Some("indicators.persist".into()),
                message: format!(
                    "indicator `{}`: persist counts buckets in a row, 1 to {MAX_PERSIST}; found {}",
                    i.id, i.persist
                ),
                hint: persist_hint.to_string(),
            });
        }
        if let Some(w) = &spec.when {
            let c = super::condition::Condition::parse(w)
                .map_err(|e| at_offset(file, src, "when", e.at, e.message, WHEN_HINT))?;
            for (id, at) in c.ids() {
                if !spec.indicators.iter().any(|i| i.id == id) {
                    return Err(at_offset(
                        file,
                        src,
                        "when",
                        at,
                        format!(
                            "`{id}` is not one of this scenario's [[indicators]] ({})",
                            spec.indicators
                                .iter()
                                .map(|i| i.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        WHEN_HINT,
                    ));
                }
            }
        }
        Ok(spec)
    }

    /// The parsed `when` condition (checked when the file was read).
    pub fn condition(&self) -> Option<super::condition::Condition> {
        self.when
            .as_deref()
            .and_then(|w| super::condition::Condition::parse(w).ok())
    }

    /// Reads a scenario file.
    pub fn from_path(path: &Path) -> Result<ScenarioSpec, WatchError> {
        let src = std::fs::read_to_string(path).map_err(|e| WatchError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        ScenarioSpec::from_toml_str(&path.display().to_string(), &src)
    }
}

/// Line and column of `key = ` inside the `[[indicators]]` table whose id is `id`
/// (the table's header when the key is not written there).
fn indicator_key_pos(src: &str, id: &str, key: &str) -> (usize, usize) {
    let lines: Vec<&str> = src.lines().collect();
    let is_key = |t: &str, k: &str| t.starts_with(k) && t[k.len()..].trim_start().starts_with('=');
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with("[[indicators]]"))
        .collect();
    for (n, &h) in headers.iter().enumerate() {
        let end = headers.get(n + 1).copied().unwrap_or(lines.len());
        let table = h + 1..end;
        let mine = lines[table.clone()].iter().any(|l| {
            let t = l.trim_start();
            is_key(t, "id") && (t.contains(&format!("\"{id}\"")) || t.contains(&format!("'{id}'")))
        });
        if mine {
            for i in table {
                let t = lines[i].trim_start();
                if is_key(t, key) {
                    return (i + 1, lines[i].len() - t.len() + 1);
                }
            }
            return (h + 1, 1);
        }
    }
    (1, 1)
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../../specs/", $name)))),*]
    };
}

/// The bundled indicator files (path under `specs/`, text).
pub const BUNDLED_INDICATORS: &[(&str, &str)] = bundled![
    "indicators/taliban-ruptures-faryab-bamyan.toml",
    "indicators/new-armed-groups.toml",
    "indicators/taliban-battles-change.toml",
    "indicators/nrf-overtakes-iskp.toml",
    "indicators/opposition-rising.toml",
    "indicators/joint-claims-share.toml",
    "indicators/jihadist-groups-active.toml",
    "indicators/iskp-surge.toml",
    "indicators/opposition-threat.toml",
    "indicators/foreign-state-strikes.toml",
];

/// The bundled scenario files: the report's four scenarios for destabilisation.
pub const BUNDLED_SCENARIOS: &[(&str, &str)] = bundled![
    "scenarios/taliban-fragmentation.toml",
    "scenarios/opposition-coalescing.toml",
    "scenarios/jihadist-insurrection.toml",
    "scenarios/external-support.toml",
];

/// Indicators and scenarios to watch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchSet {
    /// Indicators, ids distinct.
    pub indicators: Vec<IndicatorSpec>,
    /// Scenarios; every indicator they name is in `indicators`.
    pub scenarios: Vec<ScenarioSpec>,
}

impl WatchSet {
    /// The bundled indicators and scenarios.
    pub fn bundled() -> Result<WatchSet, WatchError> {
        let mut w = WatchSet::default();
        for (name, src) in BUNDLED_INDICATORS {
            w.add_indicator(IndicatorSpec::from_toml_str(&format!("specs/{name}"), src)?)?;
        }
        for (name, src) in BUNDLED_SCENARIOS {
            w.scenarios
                .push(ScenarioSpec::from_toml_str(&format!("specs/{name}"), src)?);
        }
        w.check()?;
        Ok(w)
    }

    /// Adds an indicator; a second one with the same id replaces the first (a user's
    /// file overrides a bundled one).
    pub fn add_indicator(&mut self, spec: IndicatorSpec) -> Result<(), WatchError> {
        self.indicators.retain(|i| i.id != spec.id);
        self.indicators.push(spec);
        Ok(())
    }

    /// Adds a scenario (replacing one with the same id).
    pub fn add_scenario(&mut self, spec: ScenarioSpec) {
        self.scenarios.retain(|s| s.id != spec.id);
        self.scenarios.push(spec);
    }

    /// Reads every `*.toml` in `dir`: files with `[rule]` are indicators, files with
    /// `[[indicators]]` scenarios (sorted by name).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), WatchError> {
        let io = |e: std::io::Error| WatchError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            self.add_path(&p)?;
        }
        Ok(())
    }

    /// Reads one indicator or scenario file (a scenario has `[[indicators]]`).
    pub fn add_path(&mut self, path: &Path) -> Result<(), WatchError> {
        let src = std::fs::read_to_string(path).map_err(|e| WatchError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let name = path.display().to_string();
        if src
            .lines()
            .any(|l| l.trim_start().starts_with("[[indicators]]"))
        {
            self.add_scenario(ScenarioSpec::from_toml_str(&name, &src)?);
        } else {
            self.add_indicator(IndicatorSpec::from_toml_str(&name, &src)?)?;
        }
        Ok(())
    }

    /// Every scenario's indicators exist.
    pub fn check(&self) -> Result<(), WatchError> {
        for s in &self.scenarios {
            for i in &s.indicators {
                if self.indicator(&i.id).is_none() {
                    return Err(WatchError::UnknownIndicator {
                        id: i.id.clone(),
                        scenario: s.id.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&IndicatorSpec> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Keeps only the scenarios named (and the indicators they use); empty keeps all.
    pub fn only_scenarios(&mut self, ids: &[String]) -> Result<(), WatchError> {
        if ids.is_empty() {
            return Ok(());
        }
        for id in ids {
            if !self.scenarios.iter().any(|s| &s.id == id) {
                return Err(WatchError::UnknownScenario {
                    id: id.clone(),
                    known: self.scenarios.iter().map(|s| s.id.clone()).collect(),
                });
            }
        }
        self.scenarios.retain(|s| ids.contains(&s.id));
        let keep: Vec<String> = self
            .scenarios
            .iter()
            .flat_map(|s| s.indicators.iter().map(|i| i.id.clone()))
            .collect();
        self.indicators.retain(|i| keep.contains(&i.id));
        Ok(())
    }
}
