//! End-to-end tests of the `sitrep` binary, on the real files in `data/`.
//!
//! Each test gets a fresh temporary store (see `common::Env`). Modules:

mod common;

/// ACLED versions and deletions (synthetic fixtures in the ACLED layout).
mod acled;
/// Issue 16: the multi-source bundled store, its coverage, no false zeros.
mod bundle;
/// Issue 18: claim check through `sitrep check`, `POST /api/v1/check` and `/check`.
mod check;
/// Issue 7: claims ledger, verdicts, overrides, undo, --as-of, journal crash safety, GTD, users.
mod claims;
/// Crash safety: SIGKILL and injected aborts leave a store that opens and verifies.
mod crash;
/// Issue 19: forecasts with rolling-origin back-tests, CLI and API.
mod forecast;
/// Issue 21: a full disk (a small tmpfs): every write fails cleanly, nothing is lost.
mod full_disk;
/// Issue 22: the actor graph on a day (JSON, GraphML, DOT, CSV) and figures as PNG.
mod graph;
/// Every UCDP layout ingests with its exact row count and the right values.
mod ingest_ucdp;
/// Malformed input: precise messages, store unchanged, quarantine.
mod malformed;
/// Cross-source matching: Mexico GED releases, pairs CSV, incidents as clusters, review decisions.
mod matching;
/// Places and actors: gazetteer, resolution, enrichment of incidents.
mod places_actors;
/// Query, sources and export, and the bundled default data.
mod query_export;
/// Issue 15: one filter counts the same through CLI, API, pages and figures.
mod query_model;
mod rollup;
/// Series, comparisons and figures through the CLI.
mod series_figures;
/// Issue 17: `sitrep watch` exit codes, webhooks with retries and a delivery log,
/// `sitrep changes`, alerts JSON and Atom, bad indicator files.
mod watch;
