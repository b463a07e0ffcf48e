//! End-to-end tests of sitrep-resolve on real data: the bundled gazetteer and registry
//! against UCDP GED rows. Geometry and registry load once per test binary.

#[path = "real_data/actors.rs"]
mod actors; // resolution rules, every source name resolves, registry integrity
#[path = "real_data/common.rs"]
mod common; // shared fixtures: bundled gazetteer/registry/resolver, UCDP rows as records
#[path = "real_data/enrich.rs"]
mod enrich;
#[path = "real_data/places.rs"]
mod places; // provinces, districts, known points, capitals, spellings, groupings // the Enricher over 16,038 UCDP events: shares assigned, admin agreement
