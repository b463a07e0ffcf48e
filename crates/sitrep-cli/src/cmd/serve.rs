//! `sitrep serve`.

use crate::args::{Cli, ServeArgs};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn serve(cli: &Cli, a: &ServeArgs) -> anyhow::Result<ExitCode> {
    let ws = super::workspace(&cli.store).await?;
    let resolver = Arc::clone(ws.resolver());
    let state = sitrep_server::AppState::new(ws.into_store(), resolver)
        .await?
        .with_rollup(!a.no_rollup)
        .with_cache((!a.no_cache).then(|| a.cache_mib.saturating_mul(1 << 20)));
    sitrep_server::serve(state, a.bind).await?;
    Ok(ExitCode::SUCCESS)
}
