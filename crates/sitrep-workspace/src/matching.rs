//! Matching workflows: a run of the matcher over chosen sources (its whole
//! configuration persisted with the run), a re-run with the decisions now in force,
//! and analysts' confirm/reject decisions (store list and journal, then re-applied).

use crate::{Progress, Workspace, WorkspaceError};
use serde::{Deserialize, Serialize};
use sitrep_claims::AsOf;
use sitrep_match::{Config, TypeScore, Weights};
use sitrep_model::{Action, Cluster, Decision, MatchPair, MatchRecord, PairStatus, RecordRef};
use sitrep_store::MatchingRun;

/// The matcher's whole configuration, stored with each run (so `rematch` and
/// `match review` use exactly what the run used). Fields added later default to
/// their old behaviour when an older run's settings are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchSettings {
    /// The sources matched.
    pub sources: Vec<String>,
    /// Date window in days.
    pub days: u32,
    /// Place window in km.
    pub km: f64,
    /// Link threshold (0..1).
    pub threshold: f32,
    /// Scores this close to the threshold are uncertain.
    pub review_band: f32,
    /// A winner this close to its runner-up is uncertain.
    pub review_margin: f32,
    /// Also link records of one source.
    pub dedupe: bool,
    /// Compare event types by the full taxonomy rather than the common types.
    pub taxonomy: bool,
    /// Precision-aware windows (see [`sitrep_match::Config::precision_windows`]).
    #[serde(default)]
    pub precision_windows: bool,
    /// Score weights: date, space, event type, actor, fatalities.
    #[serde(default = "default_weights")]
    pub weights: [f32; 5],
    /// Which matcher decides the links.
    #[serde(default)]
    pub model: MatchModel,
    /// With the learned model: link at the lowest probability at which the model
    /// expects this precision (else at probability ½). The run stores the probability
    /// it linked at as its `threshold`.
    #[serde(default)]
    pub target_precision: Option<f64>,
}

/// Which matcher decides the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchModel {
    /// The hand-weighted score (the weights above) against the threshold.
    #[default]
    Scored,
    /// The learning matcher: Fellegi–Sunter weights fitted by EM per pair of sources,
    /// analysts' decisions as labels, a calibrated probability per pair, one-to-one
    /// links, and the model's own expected precision and recall.
    Learned,
}

fn default_weights() -> [f32; 5] {
    let w = Weights::default();
    [w.date, w.space, w.event_type, w.actor, w.fatalities]
}

impl MatchSettings {
    /// The defaults over `sources`: 1 day, 10 km, threshold 0.7 (how the bundled
    /// store makes one event of two releases).
    pub fn new(sources: &[&str]) -> MatchSettings {
        let c = Config::default();
        MatchSettings {
            sources: sources.iter().map(|s| s.to_string()).collect(),
            days: c.days,
            km: c.km,
            threshold: c.threshold,
            review_band: c.review_band,
            review_margin: c.review_margin,
            dedupe: c.dedupe,
            taxonomy: false,
            precision_windows: c.precision_windows,
            weights: default_weights(),
            model: MatchModel::Scored,
            target_precision: None,
        }
    }

    /// Refuses windows and thresholds the matcher cannot use.
    pub fn check(&self) -> Result<(), WorkspaceError> {
        if !(self.km > 0.0 && self.km.is_finite()) {
            return Err(WorkspaceError::Input(format!(
                "--km {}: must be a positive number",
                self.km
            )));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(WorkspaceError::Input(format!(
                "--threshold {}: must lie in 0..1",
                self.threshold
            )));
        }
        if let Some(p) = self.target_precision {
            if self.model != MatchModel::Learned {
                return Err(WorkspaceError::Input(
                    "--target-precision needs --model learned (the hand-weighted score has no precision of its own)".into(),
                ));
            }
            if !(p > 0.5 && p < 1.0) {
                return Err(WorkspaceError::Input(format!(
                    "--target-precision {p}: must lie strictly between 0.5 and 1"
                )));
            }
        }
        Ok(())
    }

    /// As the matcher's [`Config`].
    pub fn config(&self) -> Config {
        let [date, space, event_type, actor, fatalities] = self.weights;
        Config {
            days: self.days,
            km: self.km,
            threshold: self.threshold,
            review_band: self.review_band,
            review_margin: self.review_margin,
            weights: Weights {
                date,
                space,
                event_type,
                actor,
                fatalities,
            },
            type_score: if self.taxonomy {
                TypeScore::Taxonomy
            } else {
                TypeScore::Common
            },
            dedupe: self.dedupe,
            precision_windows: self.precision_windows,
        }
    }
}

/// What a matching run did.
#[derive(Debug, Clone)]
pub struct MatchReport {
    /// The run's number in the store.
    pub run: u64,
    /// Records matched.
    pub records: usize,
    /// Distinct sources among them.
    pub sources: usize,
    /// Candidate pairs scored.
    pub considered: u64,
    /// Pairs linked (selected or confirmed).
    pub linked: usize,
    /// Pairs confirmed by analysts.
    pub confirmed: usize,
    /// Decisions in force when it ran.
    pub decisions: usize,
    /// Pairs left uncertain (for `match review`).
    pub uncertain: usize,
    /// Clusters by size: (size, how many).
    pub sizes: Vec<(usize, usize)>,
    /// Every scored pair with its status (with the learned model, its score is the
    /// pair's probability).
    pub pairs: Vec<MatchPair>,
    /// With the learned model: its own expected precision and recall of the links,
    /// and the probability it linked at.
    pub expected: Option<(sitrep_match::Expected, f64)>,
}

/// What recording decisions did.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The journal entry that records them.
    pub entry: u64,
    /// The re-applied matching, or `None` when the store has no run to repeat.
    pub rematched: Option<MatchReport>,
}

/// One uncertain pair waiting for an analyst, and why it is uncertain.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    /// The pair as the last run scored it.
    pub pair: MatchPair,
    /// Why it is listed (near the threshold, a close runner-up, lost to a better pair).
    pub why: String,
    /// The learned model's probability that the two records are one event (EM
    /// Fellegi–Sunter over the run's records and the decisions in force), when the
    /// model scored the pair.
    pub learned: Option<f64>,
    /// The pair's place in the learned model's review order (0 = most informative:
    /// its probability nearest ½, its comparison pattern most common).
    pub rank: Option<usize>,
}

/// The pairs of the last run that need an analyst, closest calls first.
#[derive(Debug, Clone)]
pub struct ReviewQueue {
    /// Uncertain pairs without a decision.
    pub total: usize,
    /// The first `limit` of them.
    pub items: Vec<ReviewItem>,
}

/// A review candidate: the learned model's (rank, probability) when it scored the
/// pair, the distance of the run's call, the pair.
type Ranked = (Option<(usize, f64)>, f32, MatchPair);

/// Adapts a workflow progress to the matcher's.
struct MatchProgress<'a>(&'a dyn Progress);

impl sitrep_match::Progress for MatchProgress<'_> {
    fn start(&self, total: u64) {
        self.0.start("matching", total);
    }
    fn advance(&self, done: u64) {
        self.0.advance(done);
    }
}

impl Workspace {
    /// Matches the records of `settings.sources` with the decisions in force,
    /// commits the run (settings included) and rebuilds the rollup: `incidents` then
    /// has one row per cluster. Every named source must have records.
    pub async fn run_matching(
        &mut self,
        settings: &MatchSettings,
        progress: &dyn Progress,
    ) -> Result<MatchReport, WorkspaceError> {
        settings.check()?;
        let records = self.store.match_records(&settings.sources).await?;
        let mut present: Vec<&str> = records.iter().map(|r| r.event.source.as_str()).collect();
        present.sort_unstable();
        present.dedup();
        let missing: Vec<&str> = settings
            .sources
            .iter()
            .map(String::as_str)
            .filter(|s| !present.contains(s))
            .collect();
        if !missing.is_empty() {
            let known = self.store.source_names().await?;
            return Err(WorkspaceError::Input(format!(
                "--sources: no records from {}; the store has: {}",
                missing.join(", "),
                known.join(", ")
            )));
        }
        self.apply(settings, &records, progress).await
    }

    /// Re-applies the last run's settings with the decisions now in force, so a
    /// decision shows in `incidents` at once; `None` when the store has no run.
    pub async fn rematch(
        &mut self,
        progress: &dyn Progress,
    ) -> Result<Option<MatchReport>, WorkspaceError> {
        let Some(entry) = self.store.manifest().matching.clone() else {
            return Ok(None);
        };
        let settings: MatchSettings = serde_json::from_str(&entry.settings).map_err(|e| {
            WorkspaceError::Internal(format!("the stored matching settings do not parse: {e}"))
        })?;
        let records = self.store.match_records(&settings.sources).await?;
        Ok(Some(self.apply(&settings, &records, progress).await?))
    }

    /// The settings of the store's last matching run, if any.
    pub fn match_settings(&self) -> Result<Option<MatchSettings>, WorkspaceError> {
        match &self.store.manifest().matching {
            None => Ok(None),
            Some(e) => serde_json::from_str(&e.settings).map(Some).map_err(|e| {
                WorkspaceError::Internal(format!("the stored matching settings do not parse: {e}"))
            }),
        }
    }

    /// The analysts' match decisions in force: the journal's `match:` subjects once
    /// the journal holds any (so an undone decision stops applying), else the store's
    /// list.
    pub fn decisions_in_force(&self) -> Result<Vec<Decision>, WorkspaceError> {
        if self.ledger.exists() && self.ledger.has_match_history()? {
            return Ok(self.ledger.view(AsOf::Now)?.match_decisions());
        }
        Ok(self.store.decisions()?)
    }

    /// Fails unless every record is in the store (naming the first that is not).
    pub async fn check_records_exist(&self, refs: &[&RecordRef]) -> Result<(), WorkspaceError> {
        for r in refs {
            if !self.store.has_record(r).await? {
                return Err(WorkspaceError::Input(format!(
                    "{r}: no such record in the store"
                )));
            }
        }
        Ok(())
    }

    /// Records analysts' decisions (confirm, reject, merge, split): each checked
    /// (both records exist, not paired with itself, signed and explained), stored in
    /// the store's list and, as one entry, the journal (which is what applies), then
    /// the matching re-applied so `incidents` shows them at once.
    pub async fn decide(
        &mut self,
        action: Action,
        decisions: &[Decision],
        progress: &dyn Progress,
    ) -> Result<Decided, WorkspaceError> {
        let Some(first) = decisions.first() else {
            return Err(WorkspaceError::Input("no decision to record".into()));
        };
        for d in decisions {
            if d.a == d.b {
                return Err(WorkspaceError::Input(format!(
                    "{}: a record cannot be paired with itself",
                    d.a
                )));
            }
            if d.by.trim().is_empty() || d.why.trim().is_empty() {
                return Err(WorkspaceError::Input(
                    "--by and --why must not be empty".into(),
                ));
            }
            self.check_records_exist(&[&d.a, &d.b]).await?;
        }
        for d in decisions {
            self.store.append_decision(d)?;
        }
        let entry = self
            .ledger
            .decide_matches(action, decisions, &first.by, &first.why)?;
        let rematched = self.rematch(progress).await?;
        Ok(Decided {
            entry: entry.seq,
            rematched,
        })
    }

    /// The uncertain pairs of the last run that no decision settles yet, at most
    /// `limit`, in order of expected information: the learning matcher
    /// ([`sitrep_match::run_em`] over the run's records and the decisions in force)
    /// ranks them by [`sitrep_match::review_order`] — uncertain and influential first,
    /// so each decision teaches the model most; pairs it did not score follow, closest
    /// calls first (distance to the threshold, or to the runner-up).
    pub async fn review_queue(&self, limit: usize) -> Result<ReviewQueue, WorkspaceError> {
        let Some(settings) = self.match_settings()? else {
            return Err(WorkspaceError::Input(
                "no matching run in this store (or a later ingest changed records): run `sitrep match` first".into(),
            ));
        };
        let cfg = settings.config();
        let decided = self.store.decisions()?;
        let latest = sitrep_match::latest_decisions(&decided);
        let rows: Vec<(f32, MatchPair)> = self
            .store
            .match_pairs()
            .await?
            .into_iter()
            .filter(|p| sitrep_match::is_uncertain(p, &cfg))
            .filter(|p| {
                let key = if p.a <= p.b {
                    (p.a.clone(), p.b.clone())
                } else {
                    (p.b.clone(), p.a.clone())
                };
                !latest.contains_key(&key)
            })
            .map(|p| {
                // How close the call was: distance to the threshold or to the runner-up.
                let to_threshold = (p.score - cfg.threshold).abs();
                let to_runner = match (p.status, p.runner_up) {
                    (PairStatus::Matched, Some(r)) => p.score - r,
                    _ => f32::INFINITY,
                };
                (to_threshold.min(to_runner), p)
            })
            .collect();
        // The learned model's order over the same records.
        let records = self.store.match_records(&settings.sources).await?;
        let decisions = self.decisions_in_force()?;
        let em = sitrep_match::EmConfig::default();
        let l = tokio::task::block_in_place(|| {
            sitrep_match::run_em(&records, &decisions, &cfg, &em, &sitrep_match::NoProgress)
        });
        let key = |a: &RecordRef, b: &RecordRef| {
            if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        };
        let learned: std::collections::HashMap<(RecordRef, RecordRef), (usize, f64)> =
            sitrep_match::review_order(&l)
                .into_iter()
                .enumerate()
                .map(|(rank, k)| {
                    let p = &l.outcome.pairs[k];
                    (
                        key(&records[p.a].event, &records[p.b].event),
                        (rank, f64::from(p.score)),
                    )
                })
                .collect();
        let mut rows: Vec<Ranked> = rows
            .into_iter()
            .map(|(close, p)| (learned.get(&key(&p.a, &p.b)).copied(), close, p))
            .collect();
        rows.sort_by(|x, y| match (x.0, y.0) {
            (Some(a), Some(b)) => a.0.cmp(&b.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => x.1.total_cmp(&y.1).then_with(|| x.2.a.cmp(&y.2.a)),
        });
        let total = rows.len();
        let items = rows
            .into_iter()
            .take(limit)
            .map(|(learned, _, p)| {
                let why = match p.status {
                    PairStatus::Matched
                        if p.runner_up.is_some_and(|r| p.score - r < cfg.review_margin) =>
                    {
                        format!("runner-up within {}", cfg.review_margin)
                    }
                    PairStatus::Matched => format!(
                        "linked, score within {} of the threshold {}",
                        cfg.review_band, cfg.threshold
                    ),
                    _ if p.score >= cfg.threshold => "not linked: lost to a better pair".into(),
                    _ => format!(
                        "not linked: score within {} below the threshold",
                        cfg.review_band
                    ),
                };
                ReviewItem {
                    pair: p,
                    why,
                    learned: learned.map(|l| l.1),
                    rank: learned.map(|l| l.0),
                }
            })
            .collect();
        Ok(ReviewQueue { total, items })
    }

    async fn apply(
        &mut self,
        settings: &MatchSettings,
        records: &[MatchRecord],
        progress: &dyn Progress,
    ) -> Result<MatchReport, WorkspaceError> {
        let mut present: Vec<&str> = records.iter().map(|r| r.event.source.as_str()).collect();
        present.sort_unstable();
        present.dedup();
        let cfg = settings.config();
        let decisions = self.decisions_in_force()?;
        let mp = MatchProgress(progress);
        let mut stored = settings.clone();
        let (out, expected) = match settings.model {
            MatchModel::Scored => (
                tokio::task::block_in_place(|| sitrep_match::run(records, &decisions, &cfg, &mp)),
                None,
            ),
            MatchModel::Learned => {
                let em = sitrep_match::EmConfig {
                    threshold: match settings.target_precision {
                        Some(p) => sitrep_match::Threshold::TargetPrecision(p),
                        None => sitrep_match::Threshold::Probability(0.5),
                    },
                    ..sitrep_match::EmConfig::default()
                };
                let l = tokio::task::block_in_place(|| {
                    sitrep_match::run_em(records, &decisions, &cfg, &em, &mp)
                });
                // Review and re-runs read the probability the run linked at.
                stored.threshold = l.threshold as f32;
                (l.outcome, Some((l.expected, l.threshold)))
            }
        };
        progress.finish();
        let clusters: Vec<Cluster> = out
            .clusters
            .iter()
            .map(|c| sitrep_match::reconcile(records, c))
            .collect();
        let pairs = out.model_pairs(records);
        let count = |f: &dyn Fn(&MatchPair) -> bool| pairs.iter().filter(|p| f(p)).count();
        let linked = count(&|p| p.status != PairStatus::Unselected);
        let confirmed = count(&|p| p.status == PairStatus::Confirmed);
        let uncertain = count(&|p| sitrep_match::is_uncertain(p, &cfg));
        let run = MatchingRun {
            settings: serde_json::to_string(&stored)
                .map_err(|e| WorkspaceError::Internal(e.to_string()))?,
            considered: out.considered,
            pairs: pairs.clone(),
            clusters,
        };
        let entry = self.store.commit_matching(&run)?;
        // Incidents are now clusters: the rollup counts them afresh.
        self.store.build_rollup().await?;
        Ok(MatchReport {
            run: entry.run,
            records: records.len(),
            sources: present.len(),
            considered: out.considered,
            linked,
            confirmed,
            decisions: decisions.len(),
            uncertain,
            sizes: out.sizes(records.len()).into_iter().collect(),
            pairs,
            expected,
        })
    }
}
