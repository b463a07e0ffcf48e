//! End-to-end tests of the server on real data: the bundled UCDP GED Afghanistan
//! file plus a small SYNTHETIC ACLED export (ACLED's rows cannot be redistributed),
//! ingested and enriched as `sitrep` does, then queried through
//! `app(state).oneshot(request)` with no socket.

mod analyst; // issue 22: actor graph (JSON, GraphML, page), map points, names, assets, PNG
mod api; // every /api/v1 endpoint against direct SQL counts
mod cache; // the response cache: hits, ETags, gzip, no stale reads, the bound, sessions
mod claims; // claims, verdicts, journal; tokens, roles, sessions, CSRF (curated log)
mod common; // the shared store and request helpers
mod errors; // bad parameters, unknown ids, limits
mod fatalities; // a fatality figure over UCDP and ACLED-layout rows: golden SVG and CSV
mod figures; // bundled figures: data, SVG, CSV, HTML, pages
mod forecast_page; // issue 19: /forecast and the province panel against /api/v1/forecast
mod hostile; // ASVS level-1 checks (SECURITY.md): headers, limits, traversal, injection, CSRF, sessions
mod incidents; // matched incidents: member records on the API and the page
mod openapi; // the OpenAPI document and every documented path
mod pages; // HTML pages
