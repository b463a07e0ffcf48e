//! The bundled default dataset: UCDP GED 21.1's Afghanistan subset (16,038 events,
//! 1989–2020; CC BY 4.0, see data/README.md), compiled into the binary and built once
//! into a store in the cache directory, so every read-only command works with no set-up.

use sitrep_ingest::Format;
use sitrep_store::{BatchOptions, InputEntry, Store};
use std::path::PathBuf;

/// The bundled file, verbatim.
pub const BUNDLED_CSV: &[u8] = include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.csv");
/// Its name in provenance.
pub const BUNDLED_NAME: &str = "data/ucdp/ged211_afghanistan_subset.csv";

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

/// Opens the bundled store, building it first if this version has not built it yet.
pub async fn open() -> anyhow::Result<Store> {
    let hash = blake3::hash(BUNDLED_CSV).to_hex()[..12].to_string();
    let dir = cache_root().join(format!("bundled-{}-{hash}", env!("CARGO_PKG_VERSION")));
    if dir.join("manifest.json").exists() {
        if let Ok(s) = Store::open(&dir) {
            return Ok(s);
        }
        // Damaged cache: rebuild it (it holds nothing that is not in the binary).
        let _ = std::fs::remove_dir_all(&dir);
    }
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut store = Store::open_or_create(&tmp)?;
    let prepared = sitrep_ingest::prepare(BUNDLED_NAME, BUNDLED_CSV, &Format::Auto)?;
    let opts = BatchOptions {
        source: prepared.default_source().to_string(),
        adapter: prepared.adapter().to_string(),
        file: BUNDLED_NAME.into(),
        quarantine: false,
        strict: false,
        coverage: None,
    };
    let mut writer = store.begin(opts).await?;
    prepared.run(&mut writer)?;
    let input = InputEntry {
        file: BUNDLED_NAME.into(),
        bytes: BUNDLED_CSV.len() as u64,
        blake3: blake3::hash(BUNDLED_CSV).to_hex().to_string(),
    };
    writer.commit(&mut store, input)?;
    store.enrich(crate::cmd::resolver()?)?;
    store.build_rollup().await?;
    drop(store);
    let _ = std::fs::remove_file(tmp.join(".lock"));
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => {}
        Err(_) if dir.join("manifest.json").exists() => {
            let _ = std::fs::remove_dir_all(&tmp); // another process built it first
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Store::open(&dir)?)
}
