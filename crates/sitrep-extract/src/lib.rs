//! # sitrep-extract
//!
//! Turns article text into structured, checkable assertion candidates: "violence per
//! week had fallen fivefold" becomes {measure: events per week, relation: change ×4–6
//! downwards, period A: the first ten months of Taliban rule, period B: a year earlier}.
//! Rule-based and deterministic; the verdict layer (elsewhere) runs the queries.
//!
//! ## Map
//!
//! - [`text`]: clean plain text / Markdown / HTML, strip footnote markers, split sentences.
//! - [`tokens`]: the word tokenizer every parser works on (so nothing matches inside a word).
//! - [`numbers`]: digits, number words, vague quantities, hedges, ranges, percentages.
//! - [`measure`]: measure words (events, fatalities, wounded, casualties), rates, and the
//!   documented list of topics sitrep has no measure for.
//! - [`compare`]: multipliers ("fivefold", "doubled", "by 40%"), shares ("more than half"),
//!   comparisons ("surpassed") and records ("highest since").
//! - [`trend`]: trend words with direction, strength and negation.
//! - [`period`]: time expressions resolved to half-open date intervals against the article date.
//! - [`lexicon`]: the [`Lexicon`] trait through which the caller resolves actors and places,
//!   and a small in-memory implementation.
//! - [`tolerance`]: the one table of tolerances (what interval each expression commits to).
//! - [`analyse()`]: per-sentence classification into checkable candidates or reasons.
//!
//! ## What it may not touch
//!
//! No store, no files, no network, no clock (the article date is given), and no other
//! sitrep crate (names are resolved by the caller through [`Lexicon`]). Dependencies:
//! `chrono` and `serde` only.

pub mod analyse;
pub mod compare;
pub mod lexicon;
pub mod measure;
pub mod numbers;
pub mod period;
pub mod text;
pub mod tokens;
pub mod tolerance;
pub mod trend;

pub use analyse::{
    analyse, analyse_sentence, analyse_with, ActorRef, AssertionCandidate, Class, Reason, Relation,
    Role, SentenceAnalysis,
};
pub use lexicon::{Lexicon, Match, MatchKind, MemoryLexicon, NoLexicon};
pub use measure::{Measure, MeasureKind, Per};
pub use period::{DateContext, Period, PeriodValue, Precision};
pub use tolerance::{Hedge, Magnitude};
pub use trend::{Direction, Strength};
