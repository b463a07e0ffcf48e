//! Cross-source event matching: which records from different sources (UCDP GED
//! releases, ACLED, an analyst's log) report the same event. It owns the algorithm
//! only: plain [`MatchRecord`]s and analyst [`Decision`]s in, scored pairs and clusters
//! out ([`Outcome`]). It does no I/O and knows nothing of DataFusion; the store
//! (sitrep-store) reads the records and persists the outcome, the CLI drives both.
//!
//! The method is MELTT's (Donnay et al. 2019, *Journal of Conflict Resolution*):
//! records are candidates when their dates lie within a window of days and their places
//! within a window of km; candidates are scored; each record is matched at most once per
//! other source. Where sitrep departs from MELTT, and why:
//!
//! * **Candidates come from an index** (a grid of km-wide cells with day-sorted
//!   buckets, plus per-province and per-country lists for coarse records; see
//!   `index.rs`), never from all pairs. Windows follow each record's precision: a
//!   record dated only to a month spans the month, one located only to a province
//!   meets every record of that province.
//! * **The score keeps its parts** ([`ScoreParts`]): date and place closeness,
//!   event-type agreement through the common taxonomy ([`TypeScore::Taxonomy`] is
//!   MELTT's level score over type and subtype), actors (resolved ids, else spelling
//!   similarity) and fatality compatibility. The score is their weighted mean over the
//!   parts both records inform ([`Weights`]).
//! * **Selection is optimal, not greedy**: between each pair of sources, a max-weight
//!   one-to-one assignment (Hungarian method) per connected component of the candidate
//!   graph. MELTT merges datasets sequentially, so its result depends on their order;
//!   here every pair of sources is matched on its own and clusters are then built from
//!   all links, strongest first, never putting two records of one source in a cluster
//!   (unless `dedupe` links them). Records are put in a canonical order first, so the
//!   outcome is the same for any order of sources or records.
//! * **Analysts decide**: a confirmed pair is always linked, a rejected pair never ends
//!   up in one cluster; decisions name events by `source:id`, so they survive
//!   re-ingest and re-matching.
//!
//! [`run_em`] is the learning matcher (issue 20). The same index gives the candidates;
//! each is described by a comparison vector of discrete levels ([`Field`]: date gap,
//! distance less district slack or province agreement, type, actor ids, actor names by
//! Jaro–Winkler, deaths, province; level 0 = a side has no value). Per pair of sources a
//! Fellegi–Sunter [`Model`] (m and u per level, λ) is fitted by EM over the distinct
//! vectors, started from the hand-weighted one-to-one links ([`Init::HandScore`]:
//! started from neutral values, EM can settle on "near-identical neighbours" rather
//! than "same event" where windows hold many similar events). Analysts' decisions are
//! labels: their pairs' probabilities are fixed (1 or 0) and they count in the M step
//! (`label_weight` pairs each). The assignment (Hungarian, per component) maximises the
//! sum of MAP weights (log2 Bayes factor plus the records' prior log odds for the pair,
//! from the share of records that have a match and their number of candidates) over
//! pairs whose weight is positive; the reported probability of a pair is one-to-one aware (its Bayes factor against its
//! records' other candidates and a per-record prior); the threshold can be set for a
//! target precision, and every run reports the model's expected precision and recall
//! ([`Expected`]). [`Model::table`], [`Linkage::explain`] and [`explain_pair`] show
//! the m/u tables and each field's part of a pair's weight; [`review_order`] lists the
//! pairs whose decision would teach most first. `bench/MATCHING.md` has the figures.
//!
//! ```
//! use sitrep_match::{run, Config, NoProgress};
//! use sitrep_model::*;
//! let day = chrono::NaiveDate::from_ymd_opt(2022, 5, 1).unwrap();
//! let rec = |src: &str, lat: f64| MatchRecord {
//!     record_id: format!("{src}:1:1"), event: RecordRef::new(src, "1"),
//!     date_start: day, date_end: day, date_precision: DatePrecision::Day,
//!     latitude: Some(lat), longitude: Some(69.2), geo_precision: GeoPrecision::Point,
//!     country: Some("Afghanistan".into()), province: None,
//!     event_type: EventType::Battle, sub_event_type: None,
//!     actors: [Some("Taliban".into()), None], actor_ids: [None, None],
//!     fatalities: Fatalities::range(2, 3, 4).unwrap(), order: 1,
//! };
//! let out = run(&[rec("a", 34.50), rec("b", 34.52)], &[], &Config::default(), &NoProgress);
//! assert_eq!(out.clusters, vec![vec![0, 1]]);
//! assert!(out.pairs[0].score > 0.9);
//! ```
#![deny(missing_docs)]

mod compare;
mod em;
mod index;
mod learn;
mod prep;
mod reconcile;
mod score;
mod select;

pub use compare::{jaro_winkler, Field, Vector, FIELDS};
pub use em::{probability_of_weight, Fit, LevelRow, Model};
pub use learn::{
    calibration, compare_records, explain_pair, explain_vector, review_order, run_em, Calibration,
    Contribution, EmConfig, Expected, Init, Linkage, PairDetail, PairExplanation, ReliabilityBin,
    SourceModel, Threshold,
};
use rayon::prelude::*;
pub use reconcile::reconcile;
pub use select::assign_pairs;
use select::Edge;
use sitrep_model::{
    Decision, DecisionKind, MatchPair, MatchRecord, PairStatus, RecordRef, ScoreParts,
};
use std::collections::{BTreeMap, HashMap};

/// How event types are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TypeScore {
    /// 1 when the common types agree, else 0.
    #[default]
    Common,
    /// MELTT's taxonomy score over two levels: 1 when subtypes agree, 0.5 when only
    /// the common type does, else 0.
    Taxonomy,
}

/// Weights of the score's parts (they need not sum to 1: the score is a weighted mean).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Date closeness.
    pub date: f32,
    /// Place closeness.
    pub space: f32,
    /// Event-type agreement.
    pub event_type: f32,
    /// Actor agreement.
    pub actor: f32,
    /// Fatality compatibility.
    pub fatalities: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            date: 0.25,
            space: 0.25,
            event_type: 0.15,
            actor: 0.2,
            fatalities: 0.3,
        }
    }
}

/// Matching settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Date window: intervals at most this many days apart are candidates.
    pub days: u32,
    /// Place window in km between points.
    pub km: f64,
    /// Candidates scoring at least this are linked (subject to one-to-one selection).
    pub threshold: f32,
    /// Scores this close to the threshold are uncertain and listed for review.
    pub review_band: f32,
    /// A winner this close to its runner-up is uncertain too.
    pub review_margin: f32,
    /// Score weights.
    pub weights: Weights,
    /// How event types are compared.
    pub type_score: TypeScore,
    /// Also link records of one source (within-source duplicates).
    pub dedupe: bool,
    /// Precision-aware windows beyond the month and province rules that always apply:
    /// a single day known only to the week is widened by three days either side, and a
    /// point placed only to a district (its centroid) may be 25 km further
    /// off than `km`. Off by default for [`run`] (its hand-set weights were tuned
    /// without it); on by default for [`run_em`].
    pub precision_windows: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            days: 1,
            km: 10.0,
            threshold: 0.7,
            review_band: 0.1,
            review_margin: 0.05,
            weights: Weights::default(),
            type_score: TypeScore::Common,
            dedupe: false,
            precision_windows: false,
        }
    }
}

/// Receives progress while candidates are found (records done out of `total`).
pub trait Progress: Sync {
    /// Called once before the work, with the number of records.
    fn start(&self, total: u64);
    /// Called as records are done.
    fn advance(&self, done: u64);
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _done: u64) {}
}

/// A scored pair of records, by index into the input slice (`a` comes first in the
/// matcher's canonical order: by source name, then by a hash of the event id).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// First record.
    pub a: usize,
    /// Second record.
    pub b: usize,
    /// Weighted score.
    pub score: f32,
    /// Its parts.
    pub parts: ScoreParts,
    /// The best competing candidate's score for either record (same two sources).
    pub runner_up: Option<f32>,
    /// Linked by the matcher, confirmed by an analyst, or a candidate not chosen.
    pub status: PairStatus,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Candidate pairs found in the windows and scored.
    pub considered: u64,
    /// Linked pairs, then unchosen candidates within the review band of the threshold,
    /// each group in canonical order.
    pub pairs: Vec<Pair>,
    /// Clusters of two or more records (input indices, sorted); other records are
    /// singletons.
    pub clusters: Vec<Vec<usize>>,
}

impl Outcome {
    /// The linked pairs (matched or confirmed).
    pub fn links(&self) -> impl Iterator<Item = &Pair> {
        self.pairs
            .iter()
            .filter(|p| p.status != PairStatus::Unselected)
    }

    /// Number of clusters by size, singletons included (`n` records in all).
    pub fn sizes(&self, n: usize) -> BTreeMap<usize, usize> {
        let mut m = BTreeMap::new();
        let clustered: usize = self.clusters.iter().map(Vec::len).sum();
        if n > clustered {
            m.insert(1, n - clustered);
        }
        for c in &self.clusters {
            *m.entry(c.len()).or_insert(0) += 1;
        }
        m
    }

    /// The pairs as domain values.
    pub fn model_pairs(&self, records: &[MatchRecord]) -> Vec<MatchPair> {
        self.pairs
            .iter()
            .map(|p| MatchPair {
                a: records[p.a].event.clone(),
                b: records[p.b].event.clone(),
                score: p.score,
                parts: p.parts,
                runner_up: p.runner_up,
                status: p.status,
            })
            .collect()
    }
}

/// True when a decision about this pair is uncertain: a link scoring near the
/// threshold or barely above its runner-up, or an unchosen candidate near the threshold
/// (an unchosen candidate well above it lost to a better pair, which its winner's
/// runner-up score already shows).
pub fn is_uncertain(p: &MatchPair, cfg: &Config) -> bool {
    match p.status {
        PairStatus::Confirmed => false,
        PairStatus::Matched => {
            p.score < cfg.threshold + cfg.review_band
                || p.runner_up.is_some_and(|r| p.score - r < cfg.review_margin)
        }
        PairStatus::Unselected => (p.score - cfg.threshold).abs() < cfg.review_band,
    }
}

/// The latest decision about each pair (decisions are in the order they were made).
pub fn latest_decisions(decisions: &[Decision]) -> HashMap<(RecordRef, RecordRef), &Decision> {
    let mut m = HashMap::new();
    for d in decisions {
        m.insert(d.key(), d);
    }
    m
}

/// Exact twins: records of one source that agree in every field the score reads (UCDP
/// codes several identical events on one day in one town). Any pairing of two groups of
/// twins scores the same, so the assignment's choice among them is arbitrary; this pairs
/// them in the order their sources list them (`MatchRecord::order`) instead, which is
/// how both releases of one dataset list the same events. Scores, and so the selection's
/// total, are unchanged.
fn realign_twins(
    p: &prep::Prepared,
    scored: &[Scored],
    selected: &mut [bool],
    runner_up: &mut [Option<f32>],
) {
    let key = |i: u32| p.items[i as usize].twin_key();
    let mut groups: HashMap<([u64; 16], [u64; 16]), Vec<usize>> = HashMap::new();
    for (k, c) in scored.iter().enumerate() {
        if selected[k] && !c.4 && p.items[c.0 as usize].src != p.items[c.1 as usize].src {
            groups.entry((key(c.0), key(c.1))).or_default().push(k);
        }
    }
    groups.retain(|_, ks| ks.len() > 1);
    if groups.is_empty() {
        return;
    }
    let at: HashMap<(u32, u32), usize> = scored
        .iter()
        .enumerate()
        .map(|(k, c)| ((c.0, c.1), k))
        .collect();
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_unstable();
    for ks in groups {
        let by_order = |mut v: Vec<u32>| {
            v.sort_unstable_by_key(|&i| (p.items[i as usize].order, i));
            v
        };
        let left = by_order(ks.iter().map(|&k| scored[k].0).collect());
        let right = by_order(ks.iter().map(|&k| scored[k].1).collect());
        let Some(new): Option<Vec<usize>> = left
            .iter()
            .zip(&right)
            .map(|(&a, &b)| at.get(&(a, b)).copied())
            .collect()
        else {
            continue;
        };
        let runners: Vec<Option<f32>> = ks.iter().map(|&k| runner_up[k]).collect();
        for &k in &ks {
            selected[k] = false;
            runner_up[k] = None;
        }
        for (&k, r) in new.iter().zip(runners) {
            selected[k] = true;
            runner_up[k] = r;
        }
    }
}

/// Per group of two sources: the chosen candidates, and each one's runner-up score.
type GroupResult = (Vec<usize>, Vec<(usize, Option<f32>)>);

/// Analyst decisions by canonical position: (confirmed, rejected), each sorted.
type Decided = (Vec<(u32, u32)>, Vec<(u32, u32)>);

fn decided(records: &[MatchRecord], p: &prep::Prepared, decisions: &[Decision]) -> Decided {
    let mut confirmed: Vec<(u32, u32)> = Vec::new();
    let mut rejected: Vec<(u32, u32)> = Vec::new();
    if !decisions.is_empty() {
        let pos: HashMap<&RecordRef, u32> = p
            .input
            .iter()
            .enumerate()
            .map(|(k, &i)| (&records[i as usize].event, k as u32))
            .collect();
        for ((a, b), d) in latest_decisions(decisions) {
            if let (Some(&x), Some(&y)) = (pos.get(&a), pos.get(&b)) {
                let pair = (x.min(y), x.max(y));
                match d.kind {
                    DecisionKind::Confirm => confirmed.push(pair),
                    DecisionKind::Reject => rejected.push(pair),
                }
            }
        }
        confirmed.sort_unstable();
        rejected.sort_unstable();
    }
    (confirmed, rejected)
}

/// A scored candidate: canonical positions, score, parts, confirmed by an analyst.
pub(crate) type Scored = (u32, u32, f32, ScoreParts, bool);

/// Matches `records` (current versions, any number of sources), honouring `decisions`.
pub fn run(
    records: &[MatchRecord],
    decisions: &[Decision],
    cfg: &Config,
    progress: &dyn Progress,
) -> Outcome {
    let timing = std::env::var_os("SITREP_MATCH_TIMING").is_some();
    let clock = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("match: {what} at {:.2?}", clock.elapsed());
        }
    };
    let p = prep::prepare(records, cfg.precision_windows);
    let n = p.items.len();
    lap("prepared");
    let (confirmed, rejected) = decided(records, &p, decisions);
    progress.start(n as u64);
    let index = index::Index::build(&p.items, cfg);
    let cands = index.candidates(&p, cfg, &|k| progress.advance(k));
    let considered = cands.len() as u64;
    lap("candidates");
    let keep = cfg.threshold - cfg.review_band;
    let mut scored: Vec<Scored> = cands
        .par_iter()
        .filter(|pair| rejected.binary_search(pair).is_err())
        .filter_map(|&(a, b)| {
            let (s, parts) = score::score(&p.items[a as usize], &p.items[b as usize], &p, cfg);
            let forced = confirmed.binary_search(&(a, b)).is_ok();
            (s >= keep || forced).then_some((a, b, s, parts, forced))
        })
        .collect();
    for &(a, b) in &confirmed {
        if cands.binary_search(&(a, b)).is_err() {
            let (s, parts) = score::score(&p.items[a as usize], &p.items[b as usize], &p, cfg);
            scored.push((a, b, s, parts, true));
        }
    }
    drop(cands);
    lap("scored");
    finish(&p, &scored, &rejected, cfg.threshold, considered, &lap).0
}

/// Selection, clusters and output from scored candidates: one-to-one per pair of
/// sources among those scoring at least `threshold` (or confirmed). Also returns, per
/// output pair, its index in `scored`.
pub(crate) fn finish(
    p: &prep::Prepared,
    scored: &[Scored],
    rejected: &[(u32, u32)],
    threshold: f32,
    considered: u64,
    lap: &dyn Fn(&str),
) -> (Outcome, Vec<usize>) {
    let n = p.items.len();
    // Group by pair of sources; select one-to-one within each group.
    let src = |i: u32| p.items[i as usize].src;
    let mut groups: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
    for (k, c) in scored.iter().enumerate() {
        let (sa, sb) = (src(c.0), src(c.1));
        groups.entry((sa.min(sb), sa.max(sb))).or_default().push(k);
    }
    let mut selected = vec![false; scored.len()];
    let mut runner_up: Vec<Option<f32>> = vec![None; scored.len()];
    let group_list: Vec<(&(u32, u32), &Vec<usize>)> = groups.iter().collect();
    let results: Vec<GroupResult> = group_list
        .par_iter()
        .map(|((sa, sb), ks)| {
            let eligible: Vec<usize> = ks
                .iter()
                .copied()
                .filter(|&k| scored[k].4 || scored[k].2 >= threshold)
                .collect();
            let chosen: Vec<usize> = if sa == sb {
                eligible.clone()
            } else {
                let edges: Vec<Edge> = eligible
                    .iter()
                    .map(|&k| Edge {
                        a: scored[k].0,
                        b: scored[k].1,
                        score: scored[k].2,
                        forced: scored[k].4,
                    })
                    .collect();
                select::one_to_one(&edges)
                    .into_iter()
                    .map(|e| eligible[e])
                    .collect()
            };
            // Runner-up: each record's two best candidates in this group.
            let mut top: Vec<[(f32, u32); 2]> = vec![[(f32::MIN, u32::MAX); 2]; n];
            for &k in ks.iter() {
                let (a, b, s) = (scored[k].0, scored[k].1, scored[k].2);
                for (x, y) in [(a, b), (b, a)] {
                    let t = &mut top[x as usize];
                    if s > t[0].0 {
                        t[1] = t[0];
                        t[0] = (s, y);
                    } else if s > t[1].0 {
                        t[1] = (s, y);
                    }
                }
            }
            let other = |x: u32, partner: u32| {
                let t = top[x as usize];
                let best = if t[0].1 == partner { t[1] } else { t[0] };
                (best.1 != u32::MAX).then_some(best.0)
            };
            let runners = chosen
                .iter()
                .map(|&k| {
                    let (a, b) = (scored[k].0, scored[k].1);
                    let r = match (other(a, b), other(b, a)) {
                        (Some(x), Some(y)) => Some(x.max(y)),
                        (x, y) => x.or(y),
                    };
                    (k, r)
                })
                .collect();
            (chosen, runners)
        })
        .collect();
    for (chosen, runners) in results {
        for k in chosen {
            selected[k] = true;
        }
        for (k, r) in runners {
            runner_up[k] = r;
        }
    }
    realign_twins(p, scored, &mut selected, &mut runner_up);
    lap("selected");
    let link_ks: Vec<usize> = (0..scored.len()).filter(|&k| selected[k]).collect();
    let links: Vec<Edge> = link_ks
        .iter()
        .map(|&k| Edge {
            a: scored[k].0,
            b: scored[k].1,
            score: scored[k].2,
            forced: scored[k].4,
        })
        .collect();
    let srcs: Vec<u32> = p.items.iter().map(|it| it.src).collect();
    let (used, clusters) = select::cluster(n, &srcs, &links, rejected);
    let mut linked = vec![false; scored.len()];
    for (j, &k) in link_ks.iter().enumerate() {
        linked[k] = used[j];
    }
    // Back to input indices, `a` the smaller reference (canonical order is by reference).
    lap("clustered");
    let to_input = |i: u32| p.input[i as usize] as usize;
    // Linked pairs first, each group in canonical order (positions, not strings: fast).
    let mut keyed: Vec<(bool, u32, u32, usize)> = scored
        .iter()
        .enumerate()
        .map(|(k, c)| (!linked[k], c.0, c.1, k))
        .collect();
    keyed.par_sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, _, _, k)| k).collect();
    let pairs: Vec<Pair> = order
        .iter()
        .map(|&k| (k, &scored[k]))
        .map(|(k, c)| Pair {
            a: to_input(c.0),
            b: to_input(c.1),
            score: c.2,
            parts: c.3,
            runner_up: runner_up[k],
            status: match (linked[k], c.4) {
                (true, true) => PairStatus::Confirmed,
                (true, false) => PairStatus::Matched,
                _ => PairStatus::Unselected,
            },
        })
        .collect();
    let mut clusters: Vec<Vec<usize>> = clusters
        .into_iter()
        .map(|c| {
            let mut v: Vec<usize> = c.into_iter().map(to_input).collect();
            v.sort_unstable();
            v
        })
        .collect();
    clusters.sort_unstable();
    lap("output");
    (
        Outcome {
            considered,
            pairs,
            clusters,
        },
        order,
    )
}

/// Precision, recall and F1 of linked pairs against a truth test (for evaluations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Linked pairs that are true.
    pub true_positives: u64,
    /// Linked pairs.
    pub linked: u64,
    /// True pairs.
    pub truth: u64,
}

impl Evaluation {
    /// Share of linked pairs that are true.
    pub fn precision(&self) -> f64 {
        self.true_positives as f64 / self.linked.max(1) as f64
    }
    /// Share of true pairs linked.
    pub fn recall(&self) -> f64 {
        self.true_positives as f64 / self.truth.max(1) as f64
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "precision {:.4}, recall {:.4}, F1 {:.4} ({} of {} links true; {} true pairs)",
            self.precision(),
            self.recall(),
            self.f1(),
            self.true_positives,
            self.linked,
            self.truth
        )
    }
}

/// Scores the outcome's links against `truth` (number of true pairs) and `is_true`.
pub fn evaluate(out: &Outcome, truth: u64, is_true: impl Fn(usize, usize) -> bool) -> Evaluation {
    let mut e = Evaluation {
        true_positives: 0,
        linked: 0,
        truth,
    };
    for p in out.links() {
        e.linked += 1;
        if is_true(p.a, p.b) {
            e.true_positives += 1;
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::{DatePrecision, EventType, Fatalities, GeoPrecision};

    fn rec(src: &str, id: &str, lat: f64) -> MatchRecord {
        let day = chrono::NaiveDate::from_ymd_opt(2022, 5, 1).unwrap();
        MatchRecord {
            record_id: format!("{src}:{id}:1"),
            event: RecordRef::new(src, id),
            date_start: day,
            date_end: day,
            date_precision: DatePrecision::Day,
            latitude: Some(lat),
            longitude: Some(69.2),
            geo_precision: GeoPrecision::Point,
            country: Some("Afghanistan".into()),
            province: None,
            event_type: EventType::Battle,
            sub_event_type: None,
            actors: [Some("Taliban".into()), Some("NRF".into())],
            actor_ids: [None, None],
            fatalities: Fatalities::range(2, 3, 4).unwrap(),
            order: 0,
        }
    }

    #[test]
    fn dedupe_links_duplicates_within_a_source() {
        // Source a reports one clash twice; source b once.
        let recs = [
            rec("a", "1", 34.50),
            rec("a", "2", 34.501),
            rec("b", "1", 34.502),
        ];
        let off = run(&recs, &[], &Config::default(), &NoProgress);
        assert_eq!(off.clusters.len(), 1);
        assert_eq!(
            off.clusters[0].len(),
            2,
            "one-to-one across sources: {off:?}"
        );
        let on = run(
            &recs,
            &[],
            &Config {
                dedupe: true,
                ..Config::default()
            },
            &NoProgress,
        );
        assert_eq!(on.clusters, vec![vec![0, 1, 2]]);
        let c = reconcile(&recs, &on.clusters[0]);
        assert_eq!(c.corroboration, 2, "two distinct sources");
        assert_eq!(c.members.len(), 3);
    }

    #[test]
    fn reconcile_lists_ranges_and_disagreements() {
        let mut b = rec("b", "9", 34.5);
        b.actors[1] = Some("ISKP".into());
        b.fatalities = Fatalities::range(5, 6, 9).unwrap();
        let recs = [rec("a", "1", 34.5), b];
        let c = reconcile(&recs, &[0, 1]);
        assert_eq!((c.fatalities.low, c.fatalities.high), (Some(2), Some(9)));
        assert_eq!(c.best_range, Some((3, 6)));
        assert!(
            c.disagreements
                .iter()
                .any(|d| d == "actor2: a=NRF | b=ISKP"),
            "{:?}",
            c.disagreements
        );
    }
}
