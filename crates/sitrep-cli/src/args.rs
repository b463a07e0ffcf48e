//! Command-line arguments (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// sitrep turns violent-incident data (UCDP GED, ACLED, your own logs) into
/// evidence-based situation reports: every number traceable to source rows.
#[derive(Debug, Parser)]
#[command(name = "sitrep", version, about, long_about = None, after_help = "Exit codes: 0 ok, 1 input refused, 2 usage, 3 store damaged or locked, 4 internal/IO.\nWith no --store, read-only commands use the bundled Afghanistan data (UCDP GED 21.1 subset, 1989-2020).")]
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
    /// Run read-only SQL over records, incidents, changes, quarantine and batches.
    Query(QueryArgs),
    /// Write incidents (filtered) to CSV, Parquet, GeoJSON or JSON.
    Export(ExportArgs),
    /// The gazetteer: provinces, districts, capitals, regions; locate a point; geocoding quality.
    Places(PlacesArgs),
    /// The actor registry: list, show, resolve a name, unresolved names in the store.
    Actors(ActorsArgs),
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table, global = true)]
    pub format: OutFormat,
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
    /// Source name (repeatable).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Country as the source writes it (repeatable).
    #[arg(long = "country", value_name = "NAME")]
    pub countries: Vec<String>,
    /// Common event type (repeatable): battle, explosion, violence_against_civilians, protest, riot, strategic_development, other.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Keep records located at least this precisely: 1 point, 2 near, 3 district, 4 province, 5 country.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub min_geo_precision: Option<u8>,
    /// Keep records dated at least this precisely: 1 day, 2 week, 3 month, 4 longer.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    pub min_date_precision: Option<u8>,
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
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

impl FilterArgs {
    /// The store filter these flags describe.
    pub fn to_filter(&self) -> anyhow::Result<sitrep_store::Filter> {
        for t in &self.types {
            if sitrep_model::EventType::parse(t).is_none() {
                return Err(crate::Failure::Input(format!(
                    "--type {t}: not a common event type; expected one of {}",
                    sitrep_model::EventType::ALL.map(|t| t.as_str()).join(", ")
                ))
                .into());
            }
        }
        if let (Some(a), Some(b)) = (self.from, self.to) {
            if a > b {
                return Err(crate::Failure::Input(format!("--from {a} is after --to {b}")).into());
            }
        }
        Ok(sitrep_store::Filter {
            from: self.from,
            to: self.to,
            sources: self.sources.clone(),
            countries: self.countries.clone(),
            event_types: self
                .types
                .iter()
                .filter_map(|t| sitrep_model::EventType::parse(t))
                .map(|t| t.as_str().to_string())
                .collect(),
            min_geo_precision: self.min_geo_precision,
            min_date_precision: self.min_date_precision,
        })
    }
}
