//! The bundled default store: real Afghanistan data from five files, compiled into the
//! binary and built once into a cache directory, so every read-only command works with
//! no set-up. Licences and provenance: `data/README.md`.
//!
//! | source | file | covers |
//! |---|---|---|
//! | `ucdp-ged211-subset` | GED 21.1 Afghanistan subset, 1989–2020 | partly: a non-random subset |
//! | `ucdp-ged231` | GED 23.1 Afghanistan 2020 (Tableau extract, no ids) | 2020 completely |
//! | `ucdp-ged231` | GED 23.1 Afghanistan 2018–2022, partial | its listed ISO weeks: complete or cut short |
//! | `insecurity-insight` | SiND Afghanistan 2016–2024 | thematic (health, education, aid, explosive weapons, CRSV) |
//! | `curated-afg` | the curated log Aug 2021 – Nov 2023, with its claims | notable incidents only |
//!
//! The two GED releases report many of the same events: they are matched (1 day,
//! 10 km) so that one event is one incident. Thematic and curated sources carry
//! scoped coverage: counting all sources, they fill no gap (see
//! `sitrep_model::coverage`).

use crate::{IngestInput, MatchSettings, NoProgress, Workspace, WorkspaceError};
use sitrep_ingest::Format;
use sitrep_store::Store;
use std::path::{Path, PathBuf};

/// One bundled file and how it is read.
pub struct BundledFile {
    /// Its path in the repository (and name in provenance).
    pub name: &'static str,
    /// The bytes, verbatim.
    pub bytes: &'static [u8],
    /// The bundled mapping that reads it, or `None` for the detected adapter.
    pub mapping: Option<&'static str>,
    /// The source name (`None`: the adapter's or mapping's default).
    pub source: Option<&'static str>,
    /// A coverage file read with it (name, bytes), or `None` for the mapping's.
    pub coverage: Option<(&'static str, &'static [u8])>,
    /// Keep good rows and quarantine repeats (Insecurity Insight lists one incident
    /// in several thematic datasets).
    pub quarantine: bool,
}

/// The bundled files, in ingest order.
pub const FILES: [BundledFile; 5] = [
    BundledFile {
        name: "data/ucdp/ged211_afghanistan_subset.csv",
        bytes: include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.csv"),
        mapping: None,
        source: None,
        coverage: Some((
            "data/ucdp/ged211_afghanistan_subset.coverage.toml",
            include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.coverage.toml"),
        )),
        quarantine: false,
    },
    BundledFile {
        name: "data/ucdp/ged231_afg_2020_tableau.csv",
        bytes: include_bytes!("../../../data/ucdp/ged231_afg_2020_tableau.csv"),
        mapping: Some("ucdp-ged231-tableau"),
        source: Some("ucdp-ged231"),
        coverage: None,
        quarantine: false,
    },
    BundledFile {
        name: "data/ucdp/ged231_afg_2018_2022_partial.csv",
        bytes: include_bytes!("../../../data/ucdp/ged231_afg_2018_2022_partial.csv"),
        mapping: None,
        source: Some("ucdp-ged231"),
        coverage: Some((
            "data/ucdp/ged231_afg_2018_2022_partial_weeks.csv",
            include_bytes!("../../../data/ucdp/ged231_afg_2018_2022_partial_weeks.csv"),
        )),
        quarantine: false,
    },
    BundledFile {
        name: "data/insecurity_insight/afg_incidents_2016_2024.csv",
        bytes: include_bytes!("../../../data/insecurity_insight/afg_incidents_2016_2024.csv"),
        mapping: Some("insecurity-insight-afg"),
        source: None,
        coverage: None,
        quarantine: true,
    },
    BundledFile {
        name: "data/curated/afg_incidents_2021_2023.csv",
        bytes: include_bytes!("../../../data/curated/afg_incidents_2021_2023.csv"),
        mapping: Some("curated-afg"),
        source: None,
        coverage: None,
        quarantine: false,
    },
];

/// The two releases of UCDP GED matched into incidents.
pub const MATCHED: [&str; 2] = ["ucdp-ged211-subset", "ucdp-ged231"];

fn cache_root() -> PathBuf {
    if let Some(d) = std::env::var_os("SITREP_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("sitrep");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("sitrep");
    }
    std::env::temp_dir().join("sitrep-cache")
}

/// A hash of every bundled byte and of the build's recipe: a new bundle gets a new
/// cache directory.
fn bundle_hash() -> String {
    let mut h = blake3::Hasher::new();
    for f in &FILES {
        h.update(f.name.as_bytes());
        h.update(f.bytes);
        if let Some((n, b)) = f.coverage {
            h.update(n.as_bytes());
            h.update(b);
        }
        h.update(f.mapping.unwrap_or("").as_bytes());
        h.update(f.source.unwrap_or("").as_bytes());
    }
    for m in sitrep_ingest::bundled_mappings() {
        h.update(m.name.as_bytes());
        h.update(format!("{:?}", m.coverage).as_bytes());
    }
    h.update(MATCHED.join(",").as_bytes());
    // How the bundle is built (bump when the build steps change).
    h.update(b"build: sitrep-workspace ingest, claims at ingest, match settings v2");
    h.finalize().to_hex()[..12].to_string()
}

/// Opens the bundled store for reading, building it first into the cache directory
/// (`SITREP_CACHE_DIR`, else `$XDG_CACHE_HOME/sitrep`, else `~/.cache/sitrep`) if this
/// version has not built it yet. Concurrent first runs each build into a temporary
/// directory; the first rename wins.
pub async fn open() -> Result<Workspace, WorkspaceError> {
    let dir = cache_root().join(format!(
        "bundled-{}-{}",
        env!("CARGO_PKG_VERSION"),
        bundle_hash()
    ));
    if dir.join("manifest.json").exists() {
        if let Ok(s) = Store::open(&dir) {
            return Workspace::read(s).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    build(&tmp).await?;
    let _ = std::fs::remove_file(tmp.join(".lock"));
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => {}
        Err(_) if dir.join("manifest.json").exists() => {
            let _ = std::fs::remove_dir_all(&tmp); // another process built it first
        }
        Err(e) => return Err(WorkspaceError::io(dir.display(), e)),
    }
    Workspace::open(&dir).await
}

/// Builds the bundled store in `dir`: every file with its coverage, places and actors,
/// the GED releases matched, the curated log's claims, the rollup.
pub async fn build(dir: &Path) -> Result<(), WorkspaceError> {
    let mut ws = Workspace::create(dir)?;
    let inputs = FILES
        .iter()
        .map(|f| {
            let format = match f.mapping {
                Some(m) => Format::Mapping(PathBuf::from(m)),
                None => Format::Auto,
            };
            let mut input = IngestInput::bytes(f.name, f.bytes, format);
            input.source = f.source.map(str::to_string);
            input.quarantine = f.quarantine;
            if let Some((name, bytes)) = f.coverage {
                let text = std::str::from_utf8(bytes).map_err(|e| {
                    WorkspaceError::Internal(format!("bundled {name} is not UTF-8: {e}"))
                })?;
                input.coverage = crate::CoverageFrom::Text(name.to_string(), text.to_string());
            }
            Ok(input)
        })
        .collect::<Result<Vec<_>, WorkspaceError>>()?;
    // The curated log's claims come with its mapping's [[claims]] rules.
    let report = ws.ingest(inputs, "sitrep-bundle", &NoProgress).await?;
    if let Some(f) = report.files.iter().find(|f| f.result.is_err()) {
        return Err(WorkspaceError::Internal(format!(
            "a bundled file was refused: {}",
            f.name
        )));
    }
    ws.run_matching(&MatchSettings::new(&MATCHED), &NoProgress)
        .await?;
    Ok(())
}
