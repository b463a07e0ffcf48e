//! Places and actors: turns a record's coordinates into a province, district, region
//! and distance to the nearest provincial capital, and a source's actor names into
//! canonical actor ids, with the country and date deciding ambiguous names.
//!
//! A [`Gazetteer`] holds one country's provinces (polygons, ISO codes, spelling
//! variants, capitals, regions) and districts, built from GeoJSON and a small TOML
//! [`GazetteerConfig`]; [`Gazetteer::locate`] answers "where is this point".
//! A [`Registry`] holds canonical [`Actor`]s from reviewed TOML files (aliases with
//! country/date scope, parents and factions, relations with citations, leaders);
//! [`Registry::resolve`] answers "who is this name". A [`Resolver`] combines both as
//! the store's [`sitrep_model::Enricher`]. [`views`] has the plain structs the CLI
//! prints. [`filters::canonical`] turns the names in a query's
//! [`sitrep_model::Filters`] into the ids and codes incidents carry. Both come bundled for Afghanistan ([`Gazetteer::bundled`],
//! [`Registry::bundled`]): the data files under `data/geo` and `data/actors` are
//! compiled in, so the binary needs no files at run time.
//!
//! Out of scope: reading source files (sitrep-ingest), storing enriched columns and
//! querying them (sitrep-store), figures (sitrep-render). Nothing here does I/O after
//! loading; lookups never fail, they answer "not found".
//!
//! **Why date-scoped aliases.** UCDP names a country's government "Government of
//! Afghanistan" whoever holds Kabul: the Najibullah government to April 1992, the
//! mujahideen Islamic State to September 1996, the Taliban's first Emirate to
//! December 2001, the Islamic Republic to 14 August 2021, and the Taliban again from
//! 15 August 2021. The registry writes this as five aliases with date scopes rather
//! than as code, so analysts can review and extend it.
//!
//! **Why precision matters for distance.** Records located only to a province or the
//! country sit on a capital's or a centroid's coordinates, so their distance to a
//! capital is an artefact. [`Resolver`] keeps their province but leaves
//! `capital_distance_km` empty (see its doc).
//!
//! ```
//! use sitrep_resolve::{Gazetteer, Registry, Method};
//! use chrono::NaiveDate;
//!
//! let places = Gazetteer::bundled()?;
//! let kabul = places.locate(34.528, 69.172);
//! assert_eq!(kabul.province.unwrap().code, "AF-KAB");
//! assert_eq!(places.province_by_name("Ningarhar province").unwrap().code, "AF-NAN");
//!
//! let actors = Registry::bundled()?;
//! let day = NaiveDate::from_ymd_opt(2022, 5, 1);
//! let r = actors.resolve("Government of Afghanistan", Some("Afghanistan"), day);
//! assert_eq!((r.actor_id.as_deref(), r.method), (Some("taliban"), Method::Scoped));
//! assert_eq!(actors.resolve("Taleban", None, None).actor_id.as_deref(), Some("taliban"));
//! # Ok::<(), sitrep_resolve::ResolveError>(())
//! ```
#![deny(missing_docs)]

pub mod actors;
mod error;
pub mod filters;
pub mod gazetteer;
pub mod graph;
pub mod names;
mod resolver;
pub mod text;
pub mod views;

pub use actors::{
    Actor, ActorKind, Method, NameCount, Registry, Resolution, Suggestion, UnresolvedReport,
};
pub use error::ResolveError;
pub use gazetteer::{Gazetteer, GazetteerConfig, Location, ProvinceRef};
pub use resolver::Resolver;

/// 64-bit FNV-1a: a stable, dependency-free content hash for data versions (not
/// for security; it only has to change when the data files change).
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // Separate consecutive writes so ("ab","c") and ("a","bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}
