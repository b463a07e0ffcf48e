//! Reads incident files into [`sitrep_model::Record`]s, every field verbatim beside its
//! normalised form, with the file and line it came from.
//!
//! An [`Adapter`] knows one source layout (UCDP GED in its 49-, 43- and 42-column
//! layouts, HDX with its HXL tag row and header-less candidate files; ACLED exports and
//! deletion lists; any CSV through a [`Mapping`] file). [`detect`] picks the adapter for
//! a file from its header; [`read_file`] runs it and hands every row to a
//! [`RecordSink`]: either a [`Mapped`] value or a [`RowError`] saying
//! `file:line:column (name): what is wrong`. No row disappears without a trace: the
//! sink decides whether bad rows refuse the batch or go to quarantine.
//!
//! Out of scope: storage, versions and supersession (sitrep-store), places and actors
//! (sitrep-resolve).
//!
//! ```
//! use sitrep_ingest::{read_reader, Format, CollectSink};
//! let csv = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n\
//! AFG1,2022-05-01,2022,1,Political violence,Battles,Armed clash,Taliban,,2,NRF: National Resistance Front,,2,22,,4,Caucasus and Central Asia,Afghanistan,Panjshir,Bazarak,,Bazarak,35.31,69.52,1,Synthetic,National,synthetic example,3,,1651400000\n";
//! let mut sink = CollectSink::default();
//! let summary = read_reader("example.csv", csv.as_bytes(), &Format::Auto, &mut sink).unwrap();
//! assert_eq!(summary.adapter, "acled");
//! assert_eq!(sink.records.len(), 1);
//! assert!(sink.errors.is_empty());
//! ```
#![deny(missing_docs)]

mod acled;
mod adapter;
pub mod coverage;
mod error;
mod fields;
mod input;
mod lines;
mod mapping;
mod ucdp;

pub use adapter::{
    adapters, detect, prepare, read_file, read_reader, Adapter, CollectSink, Confidence, Format,
    Header, Mapped, Prepared, RecordSink, Row, RowMapper, Summary,
};
pub use error::{FieldError, IngestError, RowError};
pub use input::{decompress, open_input};
pub use lines::LineTracker;
pub use mapping::{bundled_mappings, Mapping};
