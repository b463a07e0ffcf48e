//! Coverage in the analysis layer: which buckets, periods and map periods the
//! selected sources cover, so that a value is `None` ("no data") where they do not,
//! never a zero. One rule for series, comparisons, maps and tables.

use crate::engine::Analysis;
use crate::AnalysisError;
use chrono::{Duration, NaiveDate};
use sitrep_model::bucket::bucket_end;
use sitrep_model::coverage::{BucketCoverage, Coverage, CoverageIndex, CoverageSpan};
use sitrep_model::figure::{Bucket, Filters, Period};
use sitrep_model::CoverageStatus;

/// How the period a set of filters speaks for is covered.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodCoverage {
    /// The filters' dates, an open end closed by the data's first or last day.
    pub period: Period,
    /// Its coverage by the selected sources and countries.
    pub coverage: BucketCoverage,
    /// The sentence for a subtitle or footer when not fully covered.
    pub note: Option<String>,
}

/// One source's coverage as the store records it.
#[derive(Debug, Clone)]
pub struct SourceCoverage {
    /// The source name.
    pub source: String,
    /// The union of its batches' statements (the default when none was recorded).
    pub coverage: Coverage,
}

impl Analysis {
    /// Coverage of every source the filters select (all when `sources` is empty),
    /// from the batches' statements; a source whose batches predate coverage
    /// statements falls back to complete between its first and last event date.
    /// Scoped spans (thematic or curated sources) count when the filters name their
    /// source or no selected source is general: next to a general source they neither
    /// cover a period nor fill its gaps.
    pub async fn source_coverage(
        &self,
        filters: &Filters,
    ) -> Result<Vec<SourceCoverage>, AnalysisError> {
        let selected =
            |s: &str| filters.sources.is_empty() || filters.sources.iter().any(|f| f == s);
        let mut out: Vec<SourceCoverage> = Vec::new();
        let mut fallback: Vec<String> = Vec::new();
        for (source, cov) in self.batch_coverage.iter() {
            if !selected(source) {
                continue;
            }
            let i = match out.iter().position(|o| &o.source == source) {
                Some(i) => i,
                None => {
                    out.push(SourceCoverage {
                        source: source.clone(),
                        coverage: Coverage::default(),
                    });
                    out.len() - 1
                }
            };
            match cov {
                Some(c) => {
                    let o = &mut out[i].coverage;
                    if o.spans.is_empty() {
                        o.origin = c.origin;
                    }
                    o.spans.extend(c.spans.iter().cloned());
                }
                None => fallback.push(source.clone()),
            }
        }
        // A thematic or curated source's scoped spans speak for it when it is named
        // in the filters, or when no selected source is general; next to a general
        // source they neither cover a period nor fill its gaps.
        let general = out
            .iter()
            .any(|o| o.coverage.spans.iter().any(|s| s.scope.is_none()))
            || !fallback.is_empty();
        if general {
            for o in &mut out {
                let named = filters.sources.contains(&o.source);
                if !named {
                    o.coverage.spans.retain(|s| s.scope.is_none());
                }
            }
        }
        fallback.sort();
        fallback.dedup();
        for source in fallback {
            let i = out
                .iter()
                .position(|o| o.source == source)
                .expect("listed above");
            if !out[i].coverage.spans.is_empty() {
                continue;
            }
            if let Some((a, b)) = self.data_range(std::slice::from_ref(&source)).await? {
                out[i].coverage = Coverage::default_for(a, b, Vec::new());
            }
        }
        Ok(out)
    }

    /// Day-by-day coverage of the selected sources and countries over `from..=to`.
    pub async fn coverage_index(
        &self,
        filters: &Filters,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<CoverageIndex, AnalysisError> {
        let sources = self.source_coverage(filters).await?;
        let spans: Vec<&CoverageSpan> = sources.iter().flat_map(|s| &s.coverage.spans).collect();
        Ok(CoverageIndex::new(spans, &filters.countries, from, to))
    }

    /// Coverage of each bucket starting at `starts`.
    pub(crate) async fn bucket_coverage(
        &self,
        filters: &Filters,
        starts: &[NaiveDate],
        bucket: Bucket,
    ) -> Result<Vec<BucketCoverage>, AnalysisError> {
        let (Some(first), Some(last)) = (starts.first(), starts.last()) else {
            return Ok(Vec::new());
        };
        let end = bucket_end(*last, bucket);
        let idx = self.coverage_index(filters, *first, end).await?;
        Ok(starts
            .iter()
            .map(|s| idx.bucket(*s, bucket_end(*s, bucket) + Duration::days(1)))
            .collect())
    }

    /// Coverage of one period (both ends inclusive).
    pub async fn period_coverage(
        &self,
        filters: &Filters,
        p: Period,
    ) -> Result<BucketCoverage, AnalysisError> {
        let idx = self.coverage_index(filters, p.from, p.to).await?;
        Ok(idx.bucket(p.from, p.to + Duration::days(1)))
    }

    /// The period `filters` speak for (their dates, open ends closed by the data's
    /// first or last day) and how it is covered; `None` when there is no period
    /// (no data and no dates).
    pub async fn filters_coverage(
        &self,
        filters: &Filters,
    ) -> Result<Option<PeriodCoverage>, AnalysisError> {
        let data = self.data_range(&filters.sources).await?;
        let from = filters.from.or(data.map(|d| d.0));
        let to = filters.to.or(data.map(|d| d.1));
        let (Some(from), Some(to)) = (from, to) else {
            return Ok(None);
        };
        if from > to {
            return Ok(None);
        }
        let idx = self.coverage_index(filters, from, to).await?;
        let coverage = idx.bucket(from, to + Duration::days(1));
        let stops_early = idx.last_covered().filter(|d| *d < to);
        Ok(Some(PeriodCoverage {
            period: Period { from, to },
            note: coverage_note(&coverage, stops_early),
            coverage,
        }))
    }

    /// One line for people saying what the selected sources cover.
    pub(crate) async fn coverage_extent(&self, filters: &Filters) -> Result<String, AnalysisError> {
        let sources = self.source_coverage(filters).await?;
        if sources.is_empty() {
            return Ok("nothing (no source selected has data)".into());
        }
        // Thematic and curated sources (only scoped spans) cover nothing here.
        let parts: Vec<String> = sources
            .iter()
            .filter(|s| !s.coverage.spans.is_empty())
            .map(|s| format!("{}: {}", s.source, s.coverage.describe()))
            .collect();
        if parts.is_empty() {
            return Ok(
                "nothing (the selected sources are thematic: select one on its own to count it)"
                    .into(),
            );
        }
        Ok(parts.join("; "))
    }

    /// Refuses a period with uncovered days; warns (returned sentences) about partly
    /// covered ones.
    pub(crate) async fn check_period(
        &self,
        filters: &Filters,
        p: Period,
    ) -> Result<(BucketCoverage, Option<String>), AnalysisError> {
        let c = self.period_coverage(filters, p).await?;
        let uncovered = c.days - c.complete_days - c.partial_days;
        if uncovered > 0 {
            return Err(AnalysisError::PeriodNotCovered {
                period: p,
                uncovered,
                days: c.days,
                extent: self.coverage_extent(filters).await?,
            });
        }
        let warning = (c.status == CoverageStatus::Partial).then(|| {
            let share = c
                .share
                .map(|s| format!("an estimated {:.0}% of events", 100.0 * s))
                .unwrap_or_else(|| "an unknown share of events".into());
            format!(
                "period {p} is only partly covered: {} of its {} days by sources that record {share}; the rate is a lower bound",
                c.partial_days, c.days
            )
        });
        Ok((c, warning))
    }
}

/// The subtitle/footer sentence for a figure whose period is not fully covered;
/// `last_covered` is the last covered day when coverage stops before the period ends.
pub fn coverage_note(c: &BucketCoverage, last_covered: Option<NaiveDate>) -> Option<String> {
    match c.status {
        CoverageStatus::Complete => None,
        CoverageStatus::None => Some("No selected source covers this period: no data.".into()),
        CoverageStatus::Partial => {
            let mut s = format!(
                "Sources cover {:.0}% of this period",
                100.0 * c.covered_fraction()
            );
            if c.partial_days > 0 {
                s.push_str(&format!(
                    " ({} days only partly{})",
                    c.partial_days,
                    match c.share {
                        Some(x) if x < 1.0 => format!(", ~{:.0}% of events overall", 100.0 * x),
                        _ => String::new(),
                    }
                ));
            }
            if let Some(d) = last_covered {
                s.push_str(&format!("; no data after {}", d.format("%-d %b %Y")));
            }
            s.push('.');
            Some(s)
        }
    }
}
