//! # sitrep-check
//!
//! The claim checker: paste an article, get each checkable claim with a verdict —
//! **supported**, **contradicted**, **mixed** or **not enough data** — and the evidence
//! that decides it: the numbers claimed and measured (with intervals), the coverage
//! they rest on, every query variant, the query to re-run (an `/explore` URL and a
//! `sitrep series` command), record ids and a small figure's data.
//!
//! [`check`] runs the pipeline: sitrep-extract splits and classifies sentences (with
//! [`NameLexicon`] resolving actors and places against the registry and gazetteer);
//! each assertion candidate becomes a query in the one query model
//! ([`sitrep_model::query::Filters`]) plus a comparison, evaluated by sitrep-analysis
//! and judged by the rules in [`rules`].
//!
//! ## Map
//!
//! - [`lexicon`]: [`NameLexicon`], the extractor's `Lexicon` over the actor registry
//!   (names, aliases, spellings, date scope) and the gazetteer (provinces, capitals,
//!   districts, compass regions).
//! - [`query`]: assertion → filters, periods, variants, explore URL and command line.
//! - [`rules`]: **the verdict rules**, in one documented and tested place.
//! - [`evaluate`]: one candidate → one [`ClaimCheck`] (queries, numbers, verdict).
//! - [`country_year`]: UCDP country-year totals, the basis for country-level deaths
//!   per year.
//! - [`present`]: the report as Markdown, HTML and a terminal table.
//!
//! ## What it may not touch
//!
//! It reads the store only through sitrep-analysis (no SQL of its own), writes
//! nothing, and knows no HTTP or command line (sitrep-server and sitrep-cli call
//! [`check`] once and present the [`CheckReport`]). It sits after sitrep-analysis in
//! the crate path; sitrep-extract and sitrep-stats are pure.

pub mod country_year;
pub mod evaluate;
pub mod lexicon;
pub mod present;
pub mod query;
pub mod rules;

pub use evaluate::{ClaimCheck, Figure, Measured, Records, VariantResult};
pub use lexicon::NameLexicon;
pub use rules::Verdict;

use chrono::NaiveDate;
use serde::Serialize;
use sitrep_analysis::{Analysis, AnalysisError};
use sitrep_extract::Class;
use sitrep_model::ErrorClass;
use sitrep_resolve::{Gazetteer, Registry};
use std::time::{Duration, Instant};

/// Largest article accepted by the server (the CLI takes any size).
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The store or a query failed (not the text's fault).
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The time budget ran out before every claim was checked.
    #[error("the check ran out of its time budget of {budget_ms} ms after {checked} of {total} checkable sentences; send a shorter text (about 1,000 words checks in well under the budget)")]
    TimeBudget {
        /// The budget.
        budget_ms: u64,
        /// Sentences with claims checked before it ran out.
        checked: usize,
        /// Sentences with claims.
        total: usize,
    },
}

impl CheckError {
    /// The failure class (exit code, HTTP status).
    pub fn class(&self) -> ErrorClass {
        match self {
            CheckError::Analysis(e) => e.class(),
            CheckError::TimeBudget { .. } => ErrorClass::Input,
        }
    }
}

/// How to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The article's date: "this year", "the past ten months" resolve against it, and
    /// date-scoped actor names are read as of it.
    pub article_date: NaiveDate,
    /// Stop with [`CheckError::TimeBudget`] when checking takes longer.
    pub time_budget: Option<Duration>,
}

/// One sentence: checkable (with its claims) or not (with the reason).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceCheck {
    /// Position in the text, from 1.
    pub index: usize,
    /// The sentence as cleaned.
    pub text: String,
    /// Whether it carries a claim sitrep can check.
    pub checkable: bool,
    /// Why not: "no measure for it", "no number, trend or comparison", …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// E.g. the unmeasured topic: "food insecurity".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The claims, the primary one first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimCheck>,
}

/// Counts over the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Sentences.
    pub sentences: usize,
    /// Sentences with at least one claim.
    pub checkable: usize,
    /// Claims (primary and further) by verdict.
    pub supported: usize,
    /// Contradicted claims.
    pub contradicted: usize,
    /// Mixed claims.
    pub mixed: usize,
    /// Claims without enough data.
    pub not_enough_data: usize,
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The article date used.
    pub article_date: NaiveDate,
    /// Words in the text.
    pub words: usize,
    /// What the verdicts rest on: the store's sources and their coverage.
    pub evidence: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// Every sentence.
    pub sentences: Vec<SentenceCheck>,
}

impl CheckReport {
    /// True when any claim is contradicted (the CLI's exit code says so).
    pub fn any_contradicted(&self) -> bool {
        self.summary.contradicted > 0
    }
}

/// Checks `text` against the store behind `analysis`. Sentences are classified by
/// sitrep-extract with a [`NameLexicon`] over `registry` and `gazetteer`; each claim is
/// judged by [`rules`].
pub async fn check(
    analysis: &Analysis,
    registry: &Registry,
    gazetteer: &Gazetteer,
    text: &str,
    opts: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let started = Instant::now();
    let lexicon = NameLexicon::new(registry, gazetteer, opts.article_date);
    let analysed = sitrep_extract::analyse(text, opts.article_date, &lexicon);
    let sources = analysis.source_coverage(&Default::default()).await?;
    let evidence: Vec<String> = sources
        .iter()
        .map(|s| format!("{}: {}", s.source, s.coverage.describe()))
        .chain(std::iter::once(format!(
            "for country-level deaths per calendar year: {}",
            country_year::BASIS
        )))
        .collect();
    let ctx = evaluate::Ctx {
        analysis,
        gazetteer,
        sources: sources.iter().map(|s| s.source.clone()).collect(),
        country: lexicon::COUNTRY,
        article_date: opts.article_date,
    };
    let total = analysed.iter().filter(|a| a.candidate().is_some()).count();
    let mut checked = 0;
    let mut out = Vec::with_capacity(analysed.len());
    let mut summary = Summary {
        sentences: analysed.len(),
        ..Summary::default()
    };
    for (i, a) in analysed.iter().enumerate() {
        let mut s = SentenceCheck {
            index: i + 1,
            text: a.sentence.text.clone(),
            checkable: false,
            reason: None,
            detail: None,
            claims: Vec::new(),
        };
        match &a.class {
            Class::NotCheckable { reason, detail } => {
                s.reason = Some(reason.text().to_string());
                s.detail = detail.clone();
            }
            Class::Checkable { candidate, others } => {
                if let Some(b) = opts.time_budget {
                    if started.elapsed() > b {
                        return Err(CheckError::TimeBudget {
                            budget_ms: b.as_millis() as u64,
                            checked,
                            total,
                        });
                    }
                }
                s.checkable = true;
                summary.checkable += 1;
                for c in std::iter::once(&**candidate).chain(others) {
                    // A name inside a time expression ("the first ten months of
                    // Taliban government") dates the claim; it does not scope it.
                    let mut c = c.clone();
                    let inside = |sp: &sitrep_extract::text::Span| {
                        a.periods
                            .iter()
                            .any(|p| p.span.start <= sp.start && sp.end <= p.span.end)
                    };
                    c.actors.retain(|x| !inside(&x.span));
                    c.places.retain(|x| !inside(&x.span));
                    let r = evaluate::evaluate(&ctx, &c, &a.sentence.text).await?;
                    match r.verdict {
                        Verdict::Supported => summary.supported += 1,
                        Verdict::Contradicted => summary.contradicted += 1,
                        Verdict::Mixed => summary.mixed += 1,
                        Verdict::NotEnoughData => summary.not_enough_data += 1,
                    }
                    s.claims.push(r);
                }
                checked += 1;
            }
        }
        out.push(s);
    }
    Ok(CheckReport {
        article_date: opts.article_date,
        words: text.split_whitespace().count(),
        evidence,
        summary,
        sentences: out,
    })
}
