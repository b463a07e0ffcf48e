//! Claims that arrive with data: a mapping's `[[claims]]` rules turned into claims
//! of the source's current records and recorded in the journal.

use crate::{Workspace, WorkspaceError};
use sitrep_claims::ClaimRules;
use sitrep_ingest::Format;

/// What importing a source's claims did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimImport {
    /// The source whose records made the claims.
    pub source: String,
    /// Claims made.
    pub made: usize,
    /// Claims new to the ledger.
    pub added: usize,
    /// Claims whose content changed.
    pub changed: usize,
    /// Claims already there as given.
    pub unchanged: usize,
    /// The journal entry recording the import (none when nothing changed).
    pub entry: Option<u64>,
}

impl Workspace {
    /// Makes the claims `rules` give for the current records of `source` and records
    /// them in the journal as one entry signed by `user` with `reason`; re-importing
    /// the same records changes nothing.
    pub async fn import_claims(
        &self,
        source: &str,
        rules: &ClaimRules,
        user: &str,
        reason: &str,
    ) -> Result<ClaimImport, WorkspaceError> {
        let claims = sitrep_claims::claims_from_records(
            &self.store,
            source,
            rules,
            self.resolver.registry(),
        )
        .await?;
        let made = claims.len();
        let o = self.ledger.import(claims, user, reason)?;
        Ok(ClaimImport {
            source: source.to_string(),
            made,
            added: o.added,
            changed: o.changed,
            unchanged: o.unchanged,
            entry: o.entry,
        })
    }
}

/// The `[[claims]]` rules of the mapping an ingest reads with (`adapter` is
/// `mapping:NAME`), if it has any; checked before anything is stored.
pub fn mapping_claim_rules(
    format: &Format,
    adapter: &str,
) -> Result<Option<ClaimRules>, WorkspaceError> {
    let Some(name) = adapter.strip_prefix("mapping:") else {
        return Ok(None);
    };
    let mapping = match format {
        Format::Mapping(path) => sitrep_ingest::Mapping::resolve(path)?,
        _ => match sitrep_ingest::bundled_mappings()
            .into_iter()
            .find(|m| m.name == name)
        {
            Some(m) => m,
            None => return Ok(None),
        },
    };
    if mapping.claims.is_empty() {
        return Ok(None);
    }
    Ok(Some(ClaimRules::from_tables(&mapping.claims, adapter)?))
}
