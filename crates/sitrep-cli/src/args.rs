//! Command-line arguments (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// sitrep turns violent-incident data (UCDP GED, ACLED, your own logs) into
/// evidence-based situation reports: every number traceable to source rows.
#[derive(Debug, Parser)]
#[command(name = "sitrep", version, about, long_about = None, after_help = "Exit codes: 0 ok, 1 input refused, 2 usage, 3 store damaged or locked, 4 internal/IO, 5 bug, 6 `check`: a claim is contradicted, 7 `watch`: an indicator fired.\nWith no --store, read-only commands use the bundled Afghanistan data (UCDP GED 1989-2022, Insecurity Insight, a curated log; see `sitrep sources`).")]
pub struct Cli {
    /// The store directory (default: $SITREP_STORE; read-only commands fall back to the bundled data).
    #[arg(long, global = true, env = "SITREP_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Don't draw progress bars.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read incident files into the store (UCDP GED, ACLED, ACLED deletions, mapped CSV).
    Ingest(IngestArgs),
    /// List the store's batches: sources, files, hashes, counts, dates.
    Sources(SourcesArgs),
    /// Hash every file of the store against its checksum (every command checks the
    /// files that changed since they were last found whole; this checks them all).
    Verify,
    /// Run read-only SQL over records, incidents, changes, quarantine and batches.
    Query(QueryArgs),
    /// Write incidents (filtered) to CSV, Parquet, GeoJSON or JSON.
    Export(ExportArgs),
    /// The gazetteer: provinces, districts, capitals, regions; locate a point; geocoding quality.
    Places(PlacesArgs),
    /// The actor registry: list, show, resolve a name, unresolved names in the store.
    Actors(ActorsArgs),
    /// A time series of incidents or fatalities: buckets, groups, moving averages, shares.
    Series(SeriesArgs),
    /// The weekly rate in period A against period B, with a 95% interval.
    Compare(CompareArgs),
    /// Render a figure spec (bundled by name, or a TOML file) to SVG and CSV.
    Figure(FigureArgs),
    /// Render a report spec to one self-contained HTML file.
    Report(ReportArgs),
    /// Serve the dashboard and the HTTP API (read-only) on loopback.
    Serve(ServeArgs),
    /// Claims of responsibility and attribution verdicts: list, show, import, add, edit, override.
    Claims(crate::cmd::claims::ClaimsArgs),
    /// The analyst journal: list entries, verify, undo.
    Journal(crate::cmd::claims::JournalArgs),
    /// Users who may write through the server: add, list, remove, token.
    Users(crate::cmd::users::UsersArgs),
    /// Check an article's claims against the data: each checkable claim with a verdict
    /// (supported, contradicted, mixed, not enough data) and the evidence. Exit code 6
    /// when any claim is contradicted.
    Check(CheckArgs),
    /// Match records across sources into incidents; review, confirm or reject pairs.
    Match(MatchArgs),
    /// Incidents (clusters of records): show one, merge records, split one out.
    Incidents(IncidentsArgs),
    /// Change points of a count series (PELT, binary segmentation, BOCPD): each break
    /// with its date interval, the rates before and after and their ratio with a 95% CI.
    Changes(ChangesArgs),
    /// Evaluate indicators and scenarios now; alerts for status changes; webhooks.
    /// Exit code 0: nothing fired in the latest bucket; 7: something fired.
    #[command(
        after_help = "Exit codes: 0 nothing fired, 7 at least one indicator fired in its latest bucket, 1 a bad indicator/scenario/webhooks file or filter, 2 usage, 3 store damaged or locked, 4 I/O."
    )]
    Watch(WatchArgs),
    /// Forecast incidents per province-month (1–6 months ahead) by the forecaster that
    /// wins a rolling-origin back-test against the standard baselines.
    Forecast(ForecastArgs),
}

/// `sitrep forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Unit: province or country.
    #[arg(long, default_value = "province", value_parser = enum_arg::<sitrep_model::forecast::ForecastLevel>)]
    pub level: sitrep_model::forecast::ForecastLevel,
    /// What to forecast: incidents or fatalities_best.
    #[arg(long, default_value = "incidents", value_parser = enum_arg::<sitrep_model::figure::Measure>)]
    pub measure: sitrep_model::figure::Measure,
    /// Months ahead (1–6).
    #[arg(long, default_value_t = 6)]
    pub horizons: usize,
    /// Back-test origins: the last N months of data.
    #[arg(long, default_value_t = 72, value_name = "N")]
    pub backtest_months: usize,
    /// Predictive samples per back-test cell.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Bootstrap replicates for the skill intervals.
    #[arg(long, default_value_t = 500)]
    pub bootstrap: usize,
    /// Seed of every random draw (results are reproducible).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the back-test scores and skills instead of the forecasts.
    #[arg(long)]
    pub scores: bool,
    /// Also write the map of next month's expected counts (SVG).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Also write the back-tested panel (units × months, CSV) for bench/forecast.sh.
    #[arg(long, value_name = "FILE")]
    pub panel_out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Filters (dates bound the training data).
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `sitrep changes`.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Time bucket: week, acled_week, month, quarter, year.
    #[arg(long, default_value = "month", value_parser = enum_arg::<sitrep_model::figure::Bucket>)]
    pub bucket: sitrep_model::figure::Bucket,
    /// What to sum: incidents, fatalities_best, fatalities_low, fatalities_high.
    #[arg(long, default_value = "incidents", value_parser = enum_arg::<sitrep_model::figure::Measure>)]
    pub measure: sitrep_model::figure::Measure,
    /// Method: pelt, binseg or bocpd.
    #[arg(long, default_value = "pelt", value_parser = |s: &str| sitrep_analysis::watch::Method::parse(s).ok_or_else(|| "expected pelt, binseg or bocpd".to_string()))]
    pub method: sitrep_analysis::watch::Method,
    /// Penalty per change point (PELT, BinSeg): mbic (R's default), bic, aic, hq or a number.
    #[arg(long, default_value = "mbic", value_parser = |s: &str| sitrep_analysis::watch::changes::parse_penalty(s).ok_or_else(|| "expected mbic, bic, aic, hq or a number >= 0".to_string()))]
    pub penalty: sitrep_analysis::watch::changes::Penalty,
    /// Segment cost: poisson or negbin.
    #[arg(long, default_value = "poisson", value_parser = |s: &str| sitrep_analysis::watch::CostKind::parse(s).ok_or_else(|| "expected poisson or negbin".to_string()))]
    pub cost: sitrep_analysis::watch::CostKind,
    /// Shortest segment, in buckets.
    #[arg(long, default_value_t = 2)]
    pub min_seg_len: usize,
    /// BinSeg: at most this many splits.
    #[arg(long, default_value_t = 5)]
    pub max_cps: usize,
    /// BOCPD: expected run length in buckets (hazard 1/λ).
    #[arg(long, default_value_t = 24.0)]
    pub lambda: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `sitrep watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// More indicator and scenario files: a directory of *.toml or one file (repeatable);
    /// an indicator with a bundled id replaces it.
    #[arg(long, value_name = "PATH")]
    pub indicators: Vec<PathBuf>,
    /// Only these scenarios (ids, repeatable or comma-separated) and their indicators.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub scenario: Vec<String>,
    /// First day shown (default: each indicator's own `from`).
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day (default: each indicator's own `to`, else --as-of).
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// "Now" (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// POST the latest buckets' alerts as JSON to this URL (http:// only; repeatable);
    /// added to the store's webhooks.toml (`urls = [...]`).
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
    /// Webhook tries per alert and URL.
    #[arg(long, default_value_t = 5)]
    pub webhook_attempts: u32,
    /// Wait before the second try, in ms (doubles after each failure).
    #[arg(long, default_value_t = 500)]
    pub webhook_backoff_ms: u64,
    /// Print every alert over the whole period, not only the latest buckets'.
    #[arg(long)]
    pub all_alerts: bool,
    /// Output format: table (scenarios, indicators, alerts) or json (the whole report).
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// `sitrep match`: without an action, runs the matcher over the store.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MatchArgs {
    /// Review, confirm or reject instead of matching.
    #[command(subcommand)]
    pub action: Option<MatchAction>,
    /// Matching settings.
    #[command(flatten)]
    pub run: MatchRunArgs,
}

/// Settings of a matching run.
#[derive(Debug, Args, Clone)]
pub struct MatchRunArgs {
    /// Sources to match, comma-separated (default: every source in the store).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub sources: Vec<String>,
    /// Date window in days: records whose dates lie at most this far apart are candidates.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub days: u32,
    /// Place window in km between points (records located only to a province match within it).
    #[arg(long, default_value_t = 10.0, value_name = "N")]
    pub km: f64,
    /// Minimum score (0-1) for a link.
    #[arg(long, default_value_t = 0.7, value_name = "SCORE")]
    pub threshold: f32,
    /// Also link duplicates within one source.
    #[arg(long)]
    pub dedupe: bool,
    /// Score event types with MELTT's two-level taxonomy score (type, then subtype).
    #[arg(long)]
    pub taxonomy: bool,
    /// Write the linked pairs with their scores and score parts to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub pairs_out: Option<PathBuf>,
    /// Which matcher links: `scored` (hand-weighted score against --threshold) or
    /// `learned` (Fellegi–Sunter weights fitted by EM per pair of sources, analysts'
    /// decisions as labels; each pair's score is its probability, and the run reports
    /// the model's own expected precision and recall).
    #[arg(long, default_value = "scored", value_parser = enum_arg::<sitrep_workspace::MatchModel>)]
    pub model: sitrep_workspace::MatchModel,
    /// With --model learned: link at the lowest probability at which the model expects
    /// this precision (default: link at probability 0.5).
    #[arg(long, value_name = "P")]
    pub target_precision: Option<f64>,
}

/// `sitrep match …`.
#[derive(Debug, Subcommand)]
pub enum MatchAction {
    /// List uncertain decisions of the last run: scores near the threshold, winners close to their runner-up.
    Review {
        /// Show at most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Record that two records report the same event (applied by every later `sitrep match`).
    Confirm(DecideArgs),
    /// Record that two records report different events (applied by every later `sitrep match`).
    Reject(DecideArgs),
    /// Fit the learning matcher (Fellegi–Sunter weights by EM, decisions as labels) on the
    /// store's records; show its m/u tables per pair of sources, its expected precision and
    /// recall, and, given two records, each field's part of their match weight.
    Explain {
        /// First record: SOURCE:EVENT_ID (optional).
        a: Option<String>,
        /// Second record: SOURCE:EVENT_ID (optional).
        b: Option<String>,
        /// Sources to match, comma-separated (default: every source in the store).
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        sources: Vec<String>,
        /// Date window in days.
        #[arg(long, default_value_t = 1, value_name = "N")]
        days: u32,
        /// Place window in km.
        #[arg(long, default_value_t = 10.0, value_name = "N")]
        km: f64,
    },
}

/// A decision about a pair.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// First record: SOURCE:EVENT_ID (or a record_id).
    pub a: String,
    /// Second record: SOURCE:EVENT_ID (or a record_id).
    pub b: String,
    /// Who decides.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub why: String,
}

/// `sitrep check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every claim checked and none contradicted (supported, mixed or not enough data); 6 at least one claim is contradicted by the data; 1 input refused (unreadable file, bad date); 3 store damaged; 4 I/O.\nVerdict rules: crates/sitrep-check/src/rules.rs; wording tolerances: crates/sitrep-extract/src/tolerance.rs."
)]
pub struct CheckArgs {
    /// The article: a file (plain text, Markdown or HTML), or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    pub file: String,
    /// The article's date (YYYY-MM-DD): "this year", "the past ten months" resolve
    /// against it, and date-scoped actor names are read as of it. Default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<chrono::NaiveDate>,
    /// Output: md (Markdown), html (one self-contained page), json, or table (a
    /// terminal summary). Default: table on a terminal, md otherwise.
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
}

/// `sitrep check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Markdown: verdict table and each claim's evidence.
    Md,
    /// A self-contained HTML page with a small figure per claim.
    Html,
    /// The full report as JSON (as `POST /api/v1/check` answers).
    Json,
    /// An aligned terminal table.
    Table,
}

/// `sitrep serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Count from `incidents` on every request, never from the store's rollup (to
    /// compare the two paths; answers are the same).
    #[arg(long)]
    pub no_rollup: bool,
    /// Answer every request afresh: no response cache (to measure what it saves).
    #[arg(long, env = "SITREP_SERVE_NO_CACHE")]
    pub no_cache: bool,
    /// Bound of the response cache, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub cache_mib: usize,
}

fn actor_match_arg(s: &str) -> Result<sitrep_model::ActorMatch, String> {
    sitrep_model::ActorMatch::parse(s)
        .ok_or_else(|| format!("`{s}`: expected with-factions or exact"))
}

fn enum_arg<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| e.to_string())
}

/// `sitrep series`.
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Time bucket: day, week (ISO, Monday start), acled_week (Saturday–Friday), month, quarter, year.
    #[arg(long, default_value = "week", value_parser = enum_arg::<sitrep_model::figure::Bucket>)]
    pub bucket: sitrep_model::figure::Bucket,
    /// What to sum: incidents, fatalities_best, fatalities_low, fatalities_high, civilian_deaths.
    #[arg(long, default_value = "incidents", value_parser = enum_arg::<sitrep_model::figure::Measure>)]
    pub measure: sitrep_model::figure::Measure,
    /// One line per: none, actor, event_type, province, region, distance_band, source.
    #[arg(long, default_value = "none", value_parser = enum_arg::<sitrep_model::figure::GroupBy>)]
    pub by: sitrep_model::figure::GroupBy,
    /// Keep the N largest groups; the rest are summed as `Other`.
    #[arg(long)]
    pub top: Option<usize>,
    /// Moving average over K buckets.
    #[arg(long, value_name = "K")]
    pub smooth: Option<usize>,
    /// Moving average kind: trailing or centred.
    #[arg(long, default_value = "trailing", value_parser = enum_arg::<sitrep_model::figure::SmoothKind>)]
    pub smooth_kind: sitrep_model::figure::SmoothKind,
    /// Running totals.
    #[arg(long)]
    pub cumulative: bool,
    /// Distance-band edges in km for --by distance_band, e.g. 0,5,25,50,100.
    #[arg(long, value_delimiter = ',', default_value = "0,5,25,50,100")]
    pub bands: Vec<f64>,
    /// Values as shares (%) of all incidents matching the filters without --attribution
    /// (e.g. --attribution unattributed --share: the share that cannot be attributed).
    /// Give --from/--to: otherwise the buckets span only the selected incidents.
    #[arg(long)]
    pub share: bool,
    /// Attribution verdicts as of YYYY-MM-DD, an RFC 3339 time or #N (journal entry).
    #[arg(long, value_name = "WHEN", value_parser = sitrep_claims::AsOf::parse)]
    pub as_of: Option<sitrep_claims::AsOf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `sitrep compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Period of interest, FROM..TO (both included), e.g. 2021-08-15..2022-06-15.
    #[arg(long)]
    pub a: sitrep_model::figure::Period,
    /// Baseline period, FROM..TO, e.g. 2020-08-15..2021-06-15.
    #[arg(long)]
    pub b: sitrep_model::figure::Period,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Filters (their date range is ignored: the periods set it).
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `sitrep figure`.
#[derive(Debug, Args)]
pub struct FigureArgs {
    /// A bundled spec (fig1 … fig7) or a spec file (TOML).
    #[arg(required_unless_present = "list")]
    pub spec: Option<String>,
    /// List the bundled specs.
    #[arg(long)]
    pub list: bool,
    /// Output file (default: <id>.svg, or <id>.png with --format png).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// svg, or png (rasterised in-process, fonts bundled).
    #[arg(long, value_enum, default_value_t = FigureFormat::Svg)]
    pub format: FigureFormat,
    /// PNG only: multiply the figure's size (above 0, at most 4).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Also write the plotted values as CSV.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Replace the spec's first day (the bundled data ends in 2020: try --from 2019-09-01 --to 2020-12-31).
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Replace the spec's last day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Drop the spec's period comparisons (when they fall outside the data).
    #[arg(long)]
    pub no_compare: bool,
}

/// Output formats of `sitrep figure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FigureFormat {
    /// SVG (the drawing as written).
    Svg,
    /// PNG (the SVG rasterised, text in the bundled DejaVu Sans).
    Png,
}

/// `sitrep report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report spec (TOML).
    pub spec: PathBuf,
    /// HTML output.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace every figure's first day.
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Replace every figure's last day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Drop period comparisons.
    #[arg(long)]
    pub no_compare: bool,
}

/// `sitrep places`.
#[derive(Debug, Args)]
pub struct PlacesArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PlacesAction,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table, global = true)]
    pub format: OutFormat,
}

/// `sitrep places …`.
#[derive(Debug, Subcommand)]
pub enum PlacesAction {
    /// The 34 provinces with region, capital and district count.
    List,
    /// One province: spellings, region, capital, districts (by name, spelling variant or ISO code).
    Show {
        /// Name or code, e.g. Panjsher, AF-PAN.
        name: String,
    },
    /// Which province, district and region a point lies in, and its nearest provincial capital.
    Locate {
        /// Latitude (WGS84).
        #[arg(allow_hyphen_values = true)]
        lat: f64,
        /// Longitude (WGS84).
        #[arg(allow_hyphen_values = true)]
        lon: f64,
    },
    /// Geocoding of the store's incidents: assigned, snapped, outside, and disagreements with the source's admin1.
    Check,
}

/// `sitrep actors`.
#[derive(Debug, Args)]
pub struct ActorsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ActorsAction,
    /// Output format (dot and graphml: `sitrep actors graph` only).
    #[arg(long, value_enum, default_value_t = ActorsFormat::Table, global = true)]
    pub format: ActorsFormat,
}

/// Output formats of `sitrep actors`: the tabular ones, and graph formats for
/// `sitrep actors graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActorsFormat {
    /// Aligned text table.
    Table,
    /// CSV with a header.
    Csv,
    /// JSON (the graph: {at, nodes, links}).
    Json,
    /// Graphviz DOT (`sitrep actors graph` only).
    Dot,
    /// GraphML, for Gephi (`sitrep actors graph` only).
    Graphml,
}

impl ActorsFormat {
    /// The tabular format, or `None` for the graph-only formats.
    pub fn tabular(self) -> Option<OutFormat> {
        match self {
            ActorsFormat::Table => Some(OutFormat::Table),
            ActorsFormat::Csv => Some(OutFormat::Csv),
            ActorsFormat::Json => Some(OutFormat::Json),
            ActorsFormat::Dot | ActorsFormat::Graphml => None,
        }
    }
}

/// `sitrep actors …`.
#[derive(Debug, Subcommand)]
pub enum ActorsAction {
    /// Every actor of the registry.
    List,
    /// One actor with aliases, relations (with citations) and leaders.
    Show {
        /// Id or name, e.g. is-kp, "Islamic State Khorasan".
        id: String,
    },
    /// Resolve a source's actor name, scoped by country and date.
    Resolve {
        /// The name as the source writes it.
        name: String,
        /// Country of the record (scopes names like "IS" or "NRF").
        #[arg(long)]
        country: Option<String>,
        /// Date of the record (scopes names like "Government of Afghanistan").
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Actor names in the store that do not resolve, with counts and suggestions.
    Unresolved,
    /// The actor network from the registry's relations: the links holding on a day
    /// (every relation without --at), as a table, JSON, DOT or GraphML (Gephi).
    Graph {
        /// The day the relations hold on (YYYY-MM-DD).
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
    },
    /// Aliases analysts added to the store's journal: add one, list them.
    #[command(subcommand)]
    Alias(AliasAction),
}

/// `sitrep actors alias …`.
#[derive(Debug, Subcommand)]
pub enum AliasAction {
    /// Teach the store a name a source uses for a registry actor (a journal entry;
    /// undo it with `sitrep journal undo N`). Records are re-resolved on the next read.
    Add {
        /// The name as the source writes it, e.g. "Daesh Khorasan".
        name: String,
        /// The registry actor it means (id or name), e.g. is-kp.
        #[arg(long)]
        actor: String,
        /// Only for records in this country.
        #[arg(long)]
        country: Option<String>,
        /// Only from this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Only up to this day (YYYY-MM-DD, inclusive).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Why (required; kept in the journal).
        #[arg(long)]
        reason: String,
        /// Who (default: $SITREP_USER, $USER).
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// The aliases in force, with the journal entry that added each.
    List,
}

/// `sitrep incidents`: merge records into one incident or split one out, by hand.
#[derive(Debug, Args)]
pub struct IncidentsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: IncidentsAction,
}

/// `sitrep incidents …`.
#[derive(Debug, Subcommand)]
pub enum IncidentsAction {
    /// The incident a record belongs to: its member records and reconciled fields.
    Show {
        /// A record: SOURCE:EVENT_ID.
        record: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Put records into one incident (confirms each pair with the first record; the
    /// matching is re-applied at once).
    Merge {
        /// Two or more records: SOURCE:EVENT_ID.
        #[arg(num_args = 2.., required = true)]
        records: Vec<String>,
        /// Why (required; kept in the journal).
        #[arg(long)]
        reason: String,
        /// Who (default: $SITREP_USER, $USER).
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// Take a record out of its incident (rejects its pairs with the other members; the
    /// matching is re-applied at once).
    Split {
        /// The record to take out: SOURCE:EVENT_ID.
        record: String,
        /// Why (required; kept in the journal).
        #[arg(long)]
        reason: String,
        /// Who (default: $SITREP_USER, $USER).
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
}

/// `sitrep ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Input format: auto, ucdp, acled, acled-deletions or mapping:FILE (bundled: mapping:ucdp-ged-subset14).
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Source name stored on every record (default: the format's own, e.g. `ucdp`, `acled`).
    /// Name releases apart (`ucdp-ged241`) to keep them as separate sources.
    #[arg(long)]
    pub source: Option<String>,
    /// Commit the good rows and put bad rows in the `quarantine` table, instead of refusing the batch.
    #[arg(long)]
    pub quarantine: bool,
    /// Refuse rows with repairable problems too (a fatality range with low > best or
    /// best > high). By default they are stored repaired, flagged in the `quality`
    /// column and listed as warnings; the verbatim values stay in `raw`.
    #[arg(long)]
    pub strict: bool,
    /// What the files cover: a TOML file with a `[coverage]` table (spans of
    /// complete / partial / no coverage) or a CSV week list (`year,week[,complete]`).
    /// Default: `<file>.coverage.toml` or `<stem>_weeks.csv` beside the data, else the
    /// mapping's `[coverage]`, else complete between the batch's first and last event.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
    /// Files to read (`-` for standard input; .gz is detected). Each file is one batch.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `sitrep sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// Tabular output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Aligned text table.
    Table,
    /// CSV with a header.
    Csv,
    /// JSON array of objects.
    Json,
}

/// `sitrep query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// One SQL statement (SELECT / WITH / EXPLAIN). Tables: records, incidents, changes, quarantine, batches.
    #[arg(long)]
    pub sql: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// Filters shared by commands that select incidents.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// First day (YYYY-MM-DD), by date_start.
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD), by date_start.
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Source name (repeatable, or comma-separated).
    #[arg(long = "source", value_name = "NAME", value_delimiter = ',')]
    pub sources: Vec<String>,
    /// Country as the source writes it (repeatable).
    #[arg(long = "country", value_name = "NAME")]
    pub countries: Vec<String>,
    /// Common event type (repeatable, or comma-separated): battle, explosion, violence_against_civilians, protest, riot, strategic_development, other.
    #[arg(long = "type", value_name = "TYPE", value_delimiter = ',')]
    pub types: Vec<String>,
    /// Coarsest location kept: 1 point, 2 near, 3 district, 4 province, 5 country.
    #[arg(long, visible_alias = "min-geo-precision", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub coarsest_geo: Option<u8>,
    /// Coarsest date kept: 1 day, 2 week, 3 month, 4 longer.
    #[arg(long, visible_alias = "min-date-precision", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    pub coarsest_date: Option<u8>,
    /// Actor id (repeatable, or comma-separated), e.g. is-kp, nrf, taliban (see `sitrep actors list`).
    #[arg(long = "actor", value_name = "ID", value_delimiter = ',')]
    pub actors: Vec<String>,
    /// Which side the actor is on: any, a (actor1 / side_a) or b (actor2 / side_b).
    #[arg(long, default_value = "any", value_parser = enum_arg::<sitrep_model::figure::Role>)]
    pub role: sitrep_model::figure::Role,
    /// Whether a faction's incidents count for its parent (the Haqqani network for the
    /// Taliban): with-factions (default, as in the API and figures) or exact.
    #[arg(long, default_value = "with-factions", value_parser = actor_match_arg)]
    pub actor_match: sitrep_model::ActorMatch,
    /// District name from the gazetteer (repeatable, or comma-separated).
    #[arg(long = "district", value_name = "NAME", value_delimiter = ',')]
    pub districts: Vec<String>,
    /// Distance band to the nearest provincial capital (repeatable), e.g. "0-5 km".
    #[arg(long = "distance-band", value_name = "BAND")]
    pub distance_bands: Vec<String>,
    /// Province, by ISO 3166-2 code or name (repeatable, or comma-separated), e.g. AF-KAB.
    #[arg(long = "province", value_name = "CODE", value_delimiter = ',')]
    pub provinces: Vec<String>,
    /// Region of the default grouping (repeatable, or comma-separated), e.g. Eastern.
    #[arg(long = "region", value_name = "NAME", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// The source's own event type, verbatim (repeatable).
    #[arg(long = "source-type", value_name = "TYPE")]
    pub source_types: Vec<String>,
    /// Attribution verdict (repeatable): attributed, claimed, contested, unattributed (needs claims in the store).
    #[arg(long = "attribution", value_name = "STATUS", value_parser = crate::cmd::claims::parse_status)]
    pub attribution: Vec<sitrep_model::figure::Attribution>,
}

/// `sitrep export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format: csv, parquet, geojson or json.
    #[arg(long)]
    pub format: String,
    /// Output file (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Include the verbatim source row (`raw` column).
    #[arg(long)]
    pub raw: bool,
    /// Only these columns of `incidents`, in this order (comma-separated or
    /// repeated), e.g. `--columns record_id,date_start,province_code,fatalities_best`.
    /// GeoJSON always carries `latitude` and `longitude` in its geometry.
    #[arg(
        long,
        value_name = "COLUMN",
        value_delimiter = ',',
        conflicts_with = "raw"
    )]
    pub columns: Vec<String>,
    /// Write rows in the order the store holds them instead of oldest first:
    /// faster on large exports (no sort), the same rows.
    #[arg(long)]
    pub unordered: bool,
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

impl FilterArgs {
    /// The query model's filters these flags describe (names are canonicalised where
    /// they are compiled, by the same rule as the API's).
    pub fn to_filters(&self) -> anyhow::Result<sitrep_model::Filters> {
        let mut event_types = Vec::new();
        for t in &self.types {
            match sitrep_model::EventType::parse(t) {
                Some(e) => event_types.push(e),
                None => {
                    return Err(crate::Failure::Input(format!(
                        "--type {t}: not a common event type; expected one of {}",
                        sitrep_model::EventType::ALL.map(|t| t.as_str()).join(", ")
                    ))
                    .into())
                }
            }
        }
        if let (Some(a), Some(b)) = (self.from, self.to) {
            if a > b {
                return Err(crate::Failure::Input(format!("--from {a} is after --to {b}")).into());
            }
        }
        Ok(sitrep_model::Filters {
            from: self.from,
            to: self.to,
            countries: self.countries.clone(),
            actors: self.actors.clone(),
            role: self.role,
            actor_match: self.actor_match,
            event_types,
            source_types: self.source_types.clone(),
            provinces: self.provinces.clone(),
            regions: self.regions.clone(),
            districts: self.districts.clone(),
            distance_bands: self.distance_bands.clone(),
            coarsest_geo: self
                .coarsest_geo
                .and_then(sitrep_model::GeoPrecision::from_code),
            coarsest_date: self
                .coarsest_date
                .and_then(sitrep_model::DatePrecision::from_code),
            sources: self.sources.clone(),
            attribution: self.attribution.clone(),
        })
    }
}
