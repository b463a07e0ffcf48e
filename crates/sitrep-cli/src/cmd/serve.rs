//! `sitrep serve`.

use super::read_store;
use crate::args::{Cli, ServeArgs};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn serve(cli: &Cli, a: &ServeArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let resolver = Arc::new(super::build_resolver(cli.store.as_deref())?);
    let state = sitrep_server::AppState::new(store, resolver)
        .await?
        .with_rollup(!a.no_rollup)
        .with_cache((!a.no_cache).then(|| a.cache_mib.saturating_mul(1 << 20)));
    sitrep_server::serve(state, a.bind).await?;
    Ok(ExitCode::SUCCESS)
}
