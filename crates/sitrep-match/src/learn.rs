//! Matching that learns: candidate pairs from the same index as [`crate::run`], each
//! described by a comparison vector ([`crate::compare`]), Fellegi–Sunter weights fitted
//! by EM per pair of sources ([`Model`]), analysts' decisions as labels, one-to-one
//! aware probabilities, a threshold chosen for a target precision, and the model's own
//! estimate of its precision and recall.

use crate::compare::{compare, pack, unpack, Field, Vector};
use crate::em::{probability_of_weight, Counts, Fit, Model};
use crate::prep::NONE;
use crate::{decided, finish, index, prep, score, Config, Outcome, Progress, Scored};
use rayon::prelude::*;
use sitrep_model::{Decision, MatchRecord, PairStatus};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

/// How the link threshold is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Link pairs whose probability is at least this.
    Probability(f64),
    /// The lowest probability (never below 0.5) at which the model expects the links
    /// to reach this precision (the mean probability of the links above it).
    TargetPrecision(f64),
}

/// Where EM starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// From [`Model::prior`] (or `EmConfig::start`).
    Prior,
    /// From soft labels given by the hand-weighted score ([`crate::run`]'s): a pair is
    /// counted as a match when it is both records' best candidate and scores at least
    /// `Config::threshold`. EM on the candidates' vectors alone can settle on a wrong
    /// optimum (a class of near-identical neighbours rather than the same events) when
    /// the windows hold many similar events; this start avoids it.
    HandScore,
}

/// Settings of [`run_em`] (windows and `dedupe` come from [`Config`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EmConfig {
    /// EM settings.
    pub fit: Fit,
    /// Where links start.
    pub threshold: Threshold,
    /// One-to-one aware probabilities: a pair's odds are weighed against the other
    /// candidates of both its records (each record is at most one event of the other
    /// source), and EM is re-run on these probabilities for `rounds` rounds. Exact twins
    /// (records identical in every compared field) do not compete with each other.
    /// These are the reported probabilities; the assignment itself maximises the sum of
    /// the independent ones.
    pub one_to_one: bool,
    /// Rounds of one-to-one aware EM after the plain EM (default 0: on the perturbed
    /// benchmark they drive λ towards 0, each round's lower probabilities lowering the
    /// next round's prior).
    pub rounds: u32,
    /// How many unlabelled pairs one analyst decision counts as when fitting m and u.
    pub label_weight: f64,
    /// A pair of sources with fewer candidate pairs than this uses the model fitted on
    /// all pairs of sources together.
    pub min_pairs: usize,
    /// Unlinked candidates with at least this probability are kept in the outcome
    /// (for review); the rest are only counted.
    pub keep: f64,
    /// Precision-aware windows ([`Config::precision_windows`]).
    pub precision_windows: bool,
    /// Where EM starts (ignored when `start` is given).
    pub init: Init,
    /// Term-frequency adjustment of exact actor-name agreement (after fitting; the m/u
    /// tables are unadjusted).
    pub term_frequency: bool,
    /// Estimate u of the fields the windows do not select on (type, actors, deaths,
    /// province) from this many random pairs of records of the two sources (seeded),
    /// and keep it fixed while EM fits the rest (as Splink does). `None`: EM fits u on
    /// the candidates. Random pairs share actors and deaths far less often than
    /// neighbours in one window do, so this makes agreement look like stronger
    /// evidence than it is among candidates.
    pub u_from_random_pairs: Option<(usize, u64)>,
    /// Bound λ by one-to-one matching ([`Fit::max_lambda`]): per pair of sources, the
    /// smaller side's records with candidates over the candidate pairs. Without it, EM
    /// in dense windows can settle on "same dyad nearby" (λ 0.89 at 100k perturbed
    /// records, bound 0.20) instead of "same event". Off by default: on the two GED
    /// releases of Mexico it costs recall (twin-aware 0.992 → 0.965), where exact twins
    /// make many non-matching pairs look perfect (see `bench/MATCHING.md`).
    pub one_to_one_lambda: bool,
    /// Count the candidate pairs between two groups of exact twins as one pair when
    /// fitting (and their records as one record in the λ bound): twins carry no more
    /// evidence than one of them, and without this, their many equal vectors make
    /// agreement look common among non-matches (UCDP codes a dozen identical killings
    /// a day in one city as separate events).
    pub collapse_twins: bool,
    /// The assignment maximises the sum of MAP weights (each pair's log2 Bayes factor
    /// plus its records' prior log odds for it, log2 π / ((1 − π)·k), π the share of the
    /// side's records that have a match and k the record's candidates; averaged over
    /// the two records), linking pairs whose weight is positive (above the threshold's
    /// log odds). Off: it maximises the sum of the fields-only probabilities at even odds
    /// among pairs at least at the threshold (before December 2026).
    pub map_assignment: bool,
    /// With the MAP assignment and `one_to_one`: report each pair's posterior marginal
    /// under the same model the assignment maximises (matchings weighted by the product
    /// of their pairs' MAP odds; see `matching_marginals`), so that the reported
    /// probabilities, the model's expected precision and recall, and the threshold for a
    /// target precision agree with the links made. Off: the smaller of the two records'
    /// one-sided probabilities, each with its own side's prior (before issue 20's
    /// calibration; it said 0.83 where the Mexico links were 0.965 true).
    pub matching_marginals: bool,
    /// Starting parameters (default: [`Model::prior`]); with `fit.max_iter == 0` and
    /// `rounds == 0` they are used as they are.
    pub start: Option<Model>,
}

impl Default for EmConfig {
    fn default() -> Self {
        EmConfig {
            fit: Fit::default(),
            threshold: Threshold::Probability(0.5),
            one_to_one: true,
            rounds: 0,
            label_weight: 1.0,
            min_pairs: 200,
            keep: 0.05,
            precision_windows: true,
            init: Init::HandScore,
            term_frequency: true,
            u_from_random_pairs: None,
            one_to_one_lambda: false,
            collapse_twins: false,
            map_assignment: true,
            matching_marginals: true,
            start: None,
        }
    }
}

/// The model fitted for one pair of sources.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceModel {
    /// The two sources (sorted).
    pub sources: (String, String),
    /// Fitted parameters.
    pub model: Model,
    /// Candidate pairs it was fitted on (unlabelled).
    pub pairs: u64,
    /// Analyst decisions among them.
    pub labelled: u64,
    /// True when it is the model fitted on all pairs of sources (too few pairs here).
    pub pooled: bool,
}

/// The model's own estimate of how good the run is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    /// Links made.
    pub links: u64,
    /// Expected true links: the sum of the links' probabilities.
    pub true_links: f64,
    /// Expected true pairs among all candidates: the sum of every candidate's
    /// probability (with `EmConfig::matching_marginals`, the plain matching marginals,
    /// before summing over exact twins: the expected size of the matching); true pairs
    /// outside the windows are not counted.
    pub matches: f64,
    /// `true_links / links`.
    pub precision: f64,
    /// `true_links / matches`.
    pub recall: f64,
}

/// What the model knows of one output pair (same position as in `Outcome::pairs`).
#[derive(Debug, Clone, PartialEq)]
pub struct PairDetail {
    /// Its comparison vector.
    pub vector: Vector,
    /// Its match weight (log2 odds, fields independent, before one-to-one).
    pub weight: f64,
    /// Candidate pairs of its two sources with the same vector.
    pub pattern_pairs: u64,
    /// Index of its model in `Linkage::models`.
    pub model: usize,
}

/// The outcome of [`run_em`].
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    /// Pairs and clusters, as [`crate::run`] gives them, but each pair's score is its
    /// one-to-one aware probability (no runner-up).
    pub outcome: Outcome,
    /// Per pair of `outcome.pairs`, what the model knows of it.
    pub details: Vec<PairDetail>,
    /// One model per pair of sources.
    pub models: Vec<SourceModel>,
    /// The probability links start at.
    pub threshold: f64,
    /// The model's own precision and recall.
    pub expected: Expected,
}

/// One field's part of a pair's match weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The field.
    pub field: Field,
    /// Its level for this pair.
    pub level: u8,
    /// What the level means.
    pub label: &'static str,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
    /// log2(m / u) (0 for null).
    pub weight: f64,
}

/// Why a pair gets its probability: the prior plus each field's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct PairExplanation {
    /// log2(λ / (1 − λ)).
    pub prior_weight: f64,
    /// Each field's contribution.
    pub fields: Vec<Contribution>,
    /// Total match weight.
    pub weight: f64,
    /// P(match) from the weight alone (fields independent, no one-to-one competition).
    pub probability: f64,
}

/// Explains a vector under a model.
pub fn explain_vector(model: &Model, v: &Vector) -> PairExplanation {
    let fields: Vec<Contribution> = Field::ALL
        .iter()
        .map(|&f| {
            let l = v[f.index()];
            let (m, u) = if l == 0 {
                (1.0, 1.0)
            } else {
                (
                    model.m[f.index()][l as usize],
                    model.u[f.index()][l as usize],
                )
            };
            Contribution {
                field: f,
                level: l,
                label: f.levels()[l as usize],
                m,
                u,
                weight: (m / u).log2(),
            }
        })
        .collect();
    let weight = model.prior_weight() + fields.iter().map(|c| c.weight).sum::<f64>();
    PairExplanation {
        prior_weight: model.prior_weight(),
        fields,
        weight,
        probability: probability_of_weight(weight),
    }
}

/// The comparison vector of any two records (precision-aware windows as `precise`).
pub fn compare_records(a: &MatchRecord, b: &MatchRecord, precise: bool) -> Vector {
    let p = prep::prepare(&[a.clone(), b.clone()], precise);
    compare(&p.items[0], &p.items[1], &p)
}

/// Explains any two records under a model.
pub fn explain_pair(a: &MatchRecord, b: &MatchRecord, model: &Model) -> PairExplanation {
    explain_vector(model, &compare_records(a, b, true))
}

impl Linkage {
    /// Explains `outcome.pairs[k]`.
    pub fn explain(&self, k: usize) -> PairExplanation {
        let d = &self.details[k];
        explain_vector(&self.models[d.model].model, &d.vector)
    }
}

/// Review order: indices into `outcome.pairs` (analyst-confirmed pairs left out), the
/// pairs whose decision should teach most first. Expected information = the entropy of
/// the pair's probability (uncertain pairs first: 1 bit at 0.5) times its influence,
/// 1 + log2(1 + the number of candidate pairs sharing its comparison vector) (a label
/// moves the m/u of every such pair). Ties by position.
pub fn review_order(l: &Linkage) -> Vec<usize> {
    let info = |k: usize| {
        let p = (l.outcome.pairs[k].score as f64).clamp(1e-12, 1.0 - 1e-12);
        let h = -(p * p.log2() + (1.0 - p) * (1.0 - p).log2());
        h * (1.0 + (1.0 + l.details[k].pattern_pairs as f64).log2())
    };
    let mut ks: Vec<(f64, usize)> = (0..l.outcome.pairs.len())
        .filter(|&k| l.outcome.pairs[k].status != PairStatus::Confirmed)
        .map(|k| (info(k), k))
        .collect();
    ks.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    ks.into_iter().map(|(_, k)| k).collect()
}

/// One bin of a reliability table ([`calibration`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityBin {
    /// Lower end of the bin's probabilities (inclusive).
    pub lo: f64,
    /// Upper end (exclusive, except for the last bin, which holds 1).
    pub hi: f64,
    /// Links whose reported probability falls in the bin.
    pub links: u64,
    /// Of them, true ones.
    pub true_links: u64,
    /// Their mean reported probability.
    pub mean_predicted: f64,
    /// `true_links / links` (0 when empty).
    pub observed: f64,
}

/// How well the reported probabilities of a run's links agree with the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Reliability table: links binned by reported probability.
    pub bins: Vec<ReliabilityBin>,
    /// Links made.
    pub links: u64,
    /// True links among them.
    pub true_links: u64,
    /// Mean reported probability of the links (the model's expected precision).
    pub expected_precision: f64,
    /// `true_links / links`.
    pub precision: f64,
    /// Expected calibration error: the links-weighted mean over bins of
    /// |mean reported probability − observed precision|.
    pub ece: f64,
}

/// The reliability of `outcome`'s links (each pair's score is read as its
/// probability, as [`run_em`] reports it) against `is_true`, in bins with the given
/// inner edges (e.g. `[0.5, 0.9]` gives [0, 0.5), [0.5, 0.9), [0.9, 1]).
pub fn calibration(
    outcome: &Outcome,
    edges: &[f64],
    is_true: impl Fn(usize, usize) -> bool,
) -> Calibration {
    let mut bounds = vec![0.0];
    bounds.extend_from_slice(edges);
    bounds.push(1.0);
    let mut bins: Vec<ReliabilityBin> = bounds
        .windows(2)
        .map(|w| ReliabilityBin {
            lo: w[0],
            hi: w[1],
            links: 0,
            true_links: 0,
            mean_predicted: 0.0,
            observed: 0.0,
        })
        .collect();
    let (mut links, mut true_links, mut sum) = (0u64, 0u64, 0.0f64);
    for p in outcome.links() {
        let x = (p.score as f64).clamp(0.0, 1.0);
        let k = edges.iter().filter(|&&e| x >= e).count();
        let t = is_true(p.a, p.b);
        let b = &mut bins[k];
        b.links += 1;
        b.true_links += t as u64;
        b.mean_predicted += x;
        links += 1;
        true_links += t as u64;
        sum += x;
    }
    let mut ece = 0.0;
    for b in &mut bins {
        if b.links > 0 {
            b.mean_predicted /= b.links as f64;
            b.observed = b.true_links as f64 / b.links as f64;
            ece += b.links as f64 * (b.mean_predicted - b.observed).abs();
        }
    }
    let n = links.max(1) as f64;
    Calibration {
        bins,
        links,
        true_links,
        expected_precision: sum / n,
        precision: true_links as f64 / n,
        ece: ece / n,
    }
}

/// Fields whose u `EmConfig::u_from_random_pairs` estimates (the windows do not
/// select on them).
const RANDOM_U_FIELDS: [Field; 5] = [
    Field::EventType,
    Field::ActorId,
    Field::ActorName,
    Field::Fatalities,
    Field::Admin,
];

/// A hash of every field the comparison reads: equal for exact twins.
fn twin_hash(it: &prep::Item) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    it.twin_key().hash(&mut h);
    it.slack.to_bits().hash(&mut h);
    h.finish()
}

/// Posterior marginals of a one-to-one matching: the probability that each edge is in
/// the matching when matchings M are weighted by the product over M's edges of
/// 2^`weight` (each record of the edges either unmatched, weight 1, or matched to one of
/// its edges' partners). The MAP assignment of [`run_em`] is the heaviest such matching
/// with positive weights, so these marginals are its links' probabilities under the same
/// model. Computed by belief propagation for matchings (exact when the edges form a
/// forest: an isolated pair gets 2^w / (1 + 2^w); a record with candidates of weights
/// w₁, w₂ that have no other candidates gets 2^w₁ / (1 + 2^w₁ + 2^w₂)), damped by half,
/// until the messages move less than 1e-4 or after 50 sweeps (dense theatres may not
/// settle; at 100,000 perturbed records per side this step took 2 s with 50 sweeps and
/// 3.4 s with 200 on the shared machine, for the same calibration to 0.006). Edges below 2^-20 do not
/// take part in propagation; theirs is read off the converged messages.
fn matching_marginals(n: usize, edges: &[(u32, u32)], weight: &[f64]) -> Vec<f64> {
    const ACTIVE: f64 = -20.0;
    const SWEEPS: usize = 50;
    let w: Vec<f64> = weight
        .iter()
        .map(|&x| x.clamp(-60.0, 60.0).exp2())
        .collect();
    let active: Vec<usize> = (0..edges.len()).filter(|&i| weight[i] > ACTIVE).collect();
    // Local record ids and, per record, its active edges (CSR): (edge, is the a side).
    let mut slot = vec![u32::MAX; n];
    let mut local = 0u32;
    for &(a, b) in edges {
        for x in [a, b] {
            if slot[x as usize] == u32::MAX {
                slot[x as usize] = local;
                local += 1;
            }
        }
    }
    let r = local as usize;
    let mut start = vec![0usize; r + 1];
    for &i in &active {
        let (a, b) = edges[i];
        start[slot[a as usize] as usize + 1] += 1;
        start[slot[b as usize] as usize + 1] += 1;
    }
    for k in 0..r {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut adj = vec![(0u32, false); start[r]];
    for (k, &i) in active.iter().enumerate() {
        let (a, b) = edges[i];
        for (x, side_a) in [(a, true), (b, false)] {
            let s = slot[x as usize] as usize;
            adj[fill[s]] = (k as u32, side_a);
            fill[s] += 1;
        }
    }
    // Messages along active edge k: into its a record (from b) and into its b record.
    let m = active.len();
    let mut to_a = vec![1.0f64; m];
    let mut to_b = vec![1.0f64; m];
    // Per record: its largest incoming term, that term's edge, and the sum of the rest
    // (the cavity sum leaving out the largest term is then exact, not a difference of
    // two large numbers).
    let sums = |to_a: &[f64], to_b: &[f64]| -> Vec<(f64, u32, f64)> {
        (0..r)
            .into_par_iter()
            .map(|s| {
                let (mut top, mut at, mut rest) = (0.0f64, u32::MAX, 0.0f64);
                for &(k, side_a) in &adj[start[s]..start[s + 1]] {
                    let t = w[active[k as usize]]
                        * if side_a {
                            to_a[k as usize]
                        } else {
                            to_b[k as usize]
                        };
                    if t > top {
                        rest += top;
                        top = t;
                        at = k;
                    } else {
                        rest += t;
                    }
                }
                (top, at, rest)
            })
            .collect()
    };
    let cavity = |sum: &(f64, u32, f64), k: usize, term: f64| {
        if sum.1 as usize == k {
            sum.2
        } else {
            sum.0 + (sum.2 - term).max(0.0)
        }
    };
    let slot_of = |x: u32| slot[x as usize] as usize;
    for _ in 0..SWEEPS {
        let sum = sums(&to_a, &to_b);
        let next: Vec<(f64, f64)> = (0..m)
            .into_par_iter()
            .map(|k| {
                let i = active[k];
                let (a, b) = edges[i];
                // From a to b: a takes b only if it takes none of its other candidates.
                let ab = 1.0 / (1.0 + cavity(&sum[slot_of(a)], k, w[i] * to_a[k]));
                let ba = 1.0 / (1.0 + cavity(&sum[slot_of(b)], k, w[i] * to_b[k]));
                (0.5 * (to_a[k] + ba), 0.5 * (to_b[k] + ab))
            })
            .collect();
        let moved = next
            .par_iter()
            .zip(to_a.par_iter().zip(to_b.par_iter()))
            .map(|(&(x, y), (&u, &v))| (x - u).abs().max((y - v).abs()))
            .reduce(|| 0.0, f64::max);
        for (k, (x, y)) in next.into_iter().enumerate() {
            to_a[k] = x;
            to_b[k] = y;
        }
        if moved < 1e-4 {
            break;
        }
    }
    let sum = sums(&to_a, &to_b);
    let mut pos = vec![usize::MAX; edges.len()];
    for (k, &i) in active.iter().enumerate() {
        pos[i] = k;
    }
    (0..edges.len())
        .into_par_iter()
        .map(|i| {
            let (a, b) = edges[i];
            let (ab, ba) = match pos[i] {
                usize::MAX => {
                    let all = |s: &(f64, u32, f64)| 1.0 / (1.0 + s.0 + s.2);
                    (all(&sum[slot_of(a)]), all(&sum[slot_of(b)]))
                }
                k => (
                    1.0 / (1.0 + cavity(&sum[slot_of(a)], k, w[i] * to_a[k])),
                    1.0 / (1.0 + cavity(&sum[slot_of(b)], k, w[i] * to_b[k])),
                ),
            };
            let x = w[i] * ab * ba;
            x / (1.0 + x)
        })
        .collect()
}

/// Matches `records` with Fellegi–Sunter probabilities fitted by EM, honouring and
/// learning from `decisions`.
pub fn run_em(
    records: &[MatchRecord],
    decisions: &[Decision],
    cfg: &Config,
    em: &EmConfig,
    progress: &dyn Progress,
) -> Linkage {
    let timing = std::env::var_os("SITREP_MATCH_TIMING").is_some();
    let clock = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("match-em: {what} at {:.2?}", clock.elapsed());
        }
    };
    let cfg = Config {
        precision_windows: em.precision_windows,
        ..cfg.clone()
    };
    let p = prep::prepare(records, cfg.precision_windows);
    let items = &p.items;
    let n = items.len();
    lap("prepared");
    let (confirmed, rejected) = decided(records, &p, decisions);
    progress.start(n as u64);
    let index = index::Index::build(items, &cfg);
    let mut cands = index.candidates(&p, &cfg, &|k| progress.advance(k));
    let considered = cands.len() as u64;
    let extra: Vec<(u32, u32)> = confirmed
        .iter()
        .copied()
        .filter(|c| cands.binary_search(c).is_err())
        .collect();
    cands.extend(extra);
    lap("candidates");
    // 1 confirmed, -1 rejected, 0 unlabelled.
    let label: Vec<i8> = cands
        .par_iter()
        .map(|c| {
            if confirmed.binary_search(c).is_ok() {
                1
            } else if rejected.binary_search(c).is_ok() {
                -1
            } else {
                0
            }
        })
        .collect();
    let keys: Vec<u32> = cands
        .par_iter()
        .map(|&(a, b)| pack(&compare(&items[a as usize], &items[b as usize], &p)))
        .collect();
    lap("compared");
    // Groups: pairs of sources.
    let src = |i: u32| items[i as usize].src;
    let mut group_of: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for &(a, b) in &cands {
        let (x, y) = (src(a), src(b));
        let len = group_of.len() as u32;
        group_of.entry((x.min(y), x.max(y))).or_insert(len);
    }
    let gid: Vec<u32> = cands
        .iter()
        .map(|&(a, b)| {
            let (x, y) = (src(a), src(b));
            group_of[&(x.min(y), x.max(y))]
        })
        .collect();
    let groups = group_of.len();
    // Patterns: (group, vector) → dense id.
    let pkey: Vec<u64> = gid
        .iter()
        .zip(&keys)
        .map(|(&g, &k)| ((g as u64) << 32) | k as u64)
        .collect();
    let mut uniq = pkey.clone();
    uniq.par_sort_unstable();
    uniq.dedup();
    let pid: Vec<u32> = pkey
        .par_iter()
        .map(|k| uniq.binary_search(k).expect("pattern") as u32)
        .collect();
    drop(pkey);
    let pattern_group: Vec<u32> = uniq.iter().map(|k| (k >> 32) as u32).collect();
    let pattern_vec: Vec<Vector> = uniq.iter().map(|k| unpack(*k as u32)).collect();
    // Exact twins (records of one source identical in every compared field): they do
    // not compete with each other, and when fitting, the pairs between two groups of
    // twins count as one pair (`EmConfig::collapse_twins`).
    let twin: Vec<u64> = items.par_iter().map(twin_hash).collect();
    let mut twin_count: HashMap<u64, u32> = HashMap::new();
    for &t in &twin {
        *twin_count.entry(t).or_insert(0) += 1;
    }
    let twins: Vec<f64> = twin.iter().map(|t| twin_count[t] as f64).collect();
    drop(twin_count);
    let fitw = |i: usize| {
        if em.collapse_twins {
            let (a, b) = cands[i];
            1.0 / (twins[a as usize] * twins[b as usize])
        } else {
            1.0
        }
    };
    let mut unlabelled = vec![0.0f64; uniq.len()];
    let mut fitted = vec![0.0f64; uniq.len()];
    let mut labelled_pm = vec![0.0f64; uniq.len()];
    let mut labelled_w = vec![0.0f64; uniq.len()];
    for (i, &k) in pid.iter().enumerate() {
        match label[i] {
            0 => {
                unlabelled[k as usize] += 1.0;
                fitted[k as usize] += fitw(i);
            }
            l => {
                labelled_w[k as usize] += em.label_weight;
                if l > 0 {
                    labelled_pm[k as usize] += em.label_weight;
                }
            }
        }
    }
    // Starting soft labels: each record's best hand-weighted candidate (both ways),
    // when it scores at least the hand threshold, counts as a match.
    let init: Option<Vec<f64>> = (em.init == Init::HandScore && em.start.is_none()).then(|| {
        let hand: Vec<f32> = cands
            .par_iter()
            .map(|&(a, b)| score::score(&items[a as usize], &items[b as usize], &p, &cfg).0)
            .collect();
        let mut best = vec![(f32::MIN, usize::MAX); n];
        for (i, &(a, b)) in cands.iter().enumerate() {
            for x in [a, b] {
                if hand[i] > best[x as usize].0 {
                    best[x as usize] = (hand[i], i);
                }
            }
        }
        let mut as_match = vec![0.0f64; uniq.len()];
        for (i, &(a, b)) in cands.iter().enumerate() {
            if label[i] == 0
                && hand[i] >= cfg.threshold
                && best[a as usize].1 == i
                && best[b as usize].1 == i
            {
                as_match[pid[i] as usize] += fitw(i);
            }
        }
        as_match
    });
    // u from random pairs of records (all pairs of sources together), if asked.
    let random_u: Option<Vec<Vec<f64>>> = em.u_from_random_pairs.map(|(count, seed)| {
        let mut by_src: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            by_src.entry(it.src).or_default().push(i as u32);
        }
        let lists: Vec<&Vec<u32>> = by_src.values().collect();
        let mut u: Vec<Vec<f64>> = Field::ALL
            .iter()
            .map(|f| vec![0.0; f.levels().len()])
            .collect();
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        if lists.len() >= 2 {
            for _ in 0..count {
                let s1 = (next() % lists.len() as u64) as usize;
                let s2 = (s1 + 1 + (next() % (lists.len() as u64 - 1)) as usize) % lists.len();
                let a = lists[s1][(next() % lists[s1].len() as u64) as usize];
                let b = lists[s2][(next() % lists[s2].len() as u64) as usize];
                let v = compare(&items[a as usize], &items[b as usize], &p);
                for f in 0..v.len() {
                    if v[f] > 0 {
                        u[f][v[f] as usize] += 1.0;
                    }
                }
            }
        }
        for uf in &mut u {
            for c in uf.iter_mut().skip(1) {
                *c += em.fit.smoothing;
            }
            let total: f64 = uf.iter().skip(1).sum();
            for c in uf.iter_mut().skip(1) {
                *c /= total;
            }
        }
        u
    });
    let fit_on = |which: &dyn Fn(u32) -> bool, start: &Model, max_lambda: f64| {
        let fit = Fit {
            max_lambda: if em.one_to_one_lambda {
                max_lambda.min(em.fit.max_lambda)
            } else {
                em.fit.max_lambda
            },
            ..em.fit
        };
        let start = match &init {
            Some(as_match) => {
                let keep: Vec<usize> = (0..uniq.len())
                    .filter(|&k| which(pattern_group[k]))
                    .collect();
                let c = Counts {
                    keys: keep.iter().map(|&k| pattern_vec[k]).collect(),
                    as_match: keep.iter().map(|&k| as_match[k] + labelled_pm[k]).collect(),
                    as_non: keep
                        .iter()
                        .map(|&k| fitted[k] - as_match[k] + labelled_w[k] - labelled_pm[k])
                        .collect(),
                };
                // The start's λ: the hand-weighted one-to-one links' share.
                let unfixed = Fit {
                    fixed_lambda: false,
                    ..fit
                };
                start.m_step(&c, &unfixed)
            }
            None => start.clone(),
        };
        let pats: Vec<(Vector, f64)> = (0..uniq.len())
            .filter(|&k| which(pattern_group[k]) && fitted[k] > 0.0)
            .map(|k| (pattern_vec[k], fitted[k]))
            .collect();
        let labs: Vec<(Vector, f64, f64)> = (0..uniq.len())
            .filter(|&k| which(pattern_group[k]) && labelled_w[k] > 0.0)
            .map(|k| {
                (
                    pattern_vec[k],
                    labelled_pm[k] / labelled_w[k],
                    labelled_w[k],
                )
            })
            .collect();
        match random_u.as_ref() {
            Some(u) => {
                let mut start = start;
                let mut fit = fit;
                for f in RANDOM_U_FIELDS {
                    start.u[f.index()] = u[f.index()].clone();
                    fit.fixed_u[f.index()] = true;
                }
                start.fit(&pats, &labs, &fit)
            }
            None => start.fit(&pats, &labs, &fit),
        }
    };
    let mut per_group = vec![0u64; groups];
    let mut per_group_labels = vec![0u64; groups];
    for (i, &g) in gid.iter().enumerate() {
        per_group[g as usize] += 1;
        if label[i] != 0 {
            per_group_labels[g as usize] += 1;
        }
    }
    // λ to start from: one-to-one allows at most as many matches as the smaller side
    // has records with candidates.
    let start = em.start.clone().unwrap_or_else(|| {
        let mut seen = vec![false; n];
        let mut sides: HashMap<u32, u64> = HashMap::new();
        for &(a, b) in &cands {
            for x in [a, b] {
                if !seen[x as usize] {
                    seen[x as usize] = true;
                    *sides.entry(src(x)).or_insert(0) += 1;
                }
            }
        }
        let smaller = sides.values().copied().min().unwrap_or(0) as f64;
        Model {
            lambda: (smaller / cands.len().max(1) as f64).clamp(0.01, 0.5),
            ..Model::prior()
        }
    });
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for (i, &g) in gid.iter().enumerate() {
        by_group[g as usize].push(i);
    }
    // One-to-one bounds λ: per pair of sources, at most as many of its candidate pairs
    // match as its smaller side has records with candidates (confirmed pairs included).
    // Per pair of sources: its candidate pairs and each side's records with candidates,
    // weighted as in fitting (exact twins collapsed when asked).
    let per_group_w: Vec<f64> = by_group
        .iter()
        .map(|m| m.iter().map(|&i| fitw(i)).sum())
        .collect();
    let side_w: Vec<[f64; 2]> = {
        let mut stamp = vec![u32::MAX; n];
        by_group
            .iter()
            .enumerate()
            .map(|(g, members)| {
                if members
                    .first()
                    .is_some_and(|&i| src(cands[i].0) == src(cands[i].1))
                {
                    // Within one source (dedupe): no one-to-one bound.
                    return [per_group_w[g]; 2];
                }
                let mut sides = [0.0f64; 2];
                for &i in members {
                    let (a, b) = cands[i];
                    for x in [a, b] {
                        if stamp[x as usize] != g as u32 {
                            stamp[x as usize] = g as u32;
                            let w = if em.collapse_twins {
                                1.0 / twins[x as usize]
                            } else {
                                1.0
                            };
                            sides[(src(x) != src(a)) as usize] += w;
                        }
                    }
                }
                sides
            })
            .collect()
    };
    let smaller: Vec<f64> = side_w.iter().map(|s| s[0].min(s[1])).collect();
    let bound = |g: usize| smaller[g] / per_group_w[g].max(1e-9);
    let needs_pool = per_group.iter().any(|&c| (c as usize) < em.min_pairs);
    let pooled = needs_pool.then(|| {
        let all = smaller.iter().sum::<f64>() / per_group_w.iter().sum::<f64>().max(1e-9);
        fit_on(&|_| true, &start, all)
    });
    let mut models: Vec<(Model, bool)> = (0..groups)
        .map(|g| {
            if (per_group[g] as usize) < em.min_pairs {
                (pooled.clone().expect("pooled"), true)
            } else {
                (fit_on(&|x| x == g as u32, &start, bound(g)), false)
            }
        })
        .collect();
    lap("fitted");
    // Per pair of sources and side, π: the share of its records (with candidates) that
    // have a match. With the MAP assignment: the fitted λ times the pairs over the side's
    // records (twins collapsed as in fitting). Otherwise: the links the hand-weighted
    // start makes (else EM's λ times the pairs) over the side's records.
    let start_links: Vec<f64> = (0..groups)
        .map(|g| match &init {
            _ if em.map_assignment => models[g].0.lambda * per_group_w[g],
            Some(as_match) => (0..uniq.len())
                .filter(|&k| pattern_group[k] == g as u32)
                .map(|k| as_match[k] + labelled_pm[k])
                .sum(),
            None => models[g].0.lambda * per_group[g] as f64,
        })
        .collect();
    let group_keys: Vec<(u32, u32)> = {
        let mut v = vec![(0, 0); groups];
        for (&k, &g) in &group_of {
            v[g as usize] = k;
        }
        v
    };
    // Final probabilities per pair: `prob` one-to-one aware (reported, thresholded for
    // target precision); `indep` from the fields' Bayes factors alone, at even prior
    // odds (the assignment maximises their sum and needs them ≥ 0.5, i.e. evidence for
    // a match: λ is the share of all candidates that match, the wrong prior for a
    // record's best candidate; competition is the assignment's job).
    // Term-frequency adjustment (optional): an exact actor-name agreement on a common
    // pair of names is weaker evidence than on a rare one. Its Bayes factor is scaled
    // by (the chance two random records share their names) / (this pair's names'
    // frequency), so that it averages out over random pairs.
    let tf: Vec<f64> = if em.term_frequency {
        let key = |it: &prep::Item| {
            let mut v = it.names;
            v.sort_unstable();
            ((v[0] as u64) << 32) | v[1] as u64
        };
        let mut freq: HashMap<u64, f64> = HashMap::new();
        for it in items.iter().filter(|it| it.names != [NONE, NONE]) {
            *freq.entry(key(it)).or_insert(0.0) += 1.0;
        }
        let total: f64 = freq.values().sum::<f64>().max(1.0);
        let chance: f64 = freq.values().map(|c| (c / total).powi(2)).sum();
        cands
            .par_iter()
            .zip(&pid)
            .map(|(&(a, _), &k)| {
                if pattern_vec[k as usize][Field::ActorName.index()] == 1 {
                    let f = freq.get(&key(&items[a as usize])).copied().unwrap_or(1.0) / total;
                    (chance / f).clamp(0.01, 100.0)
                } else {
                    1.0
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let tf_of = |i: usize| tf.get(i).copied().unwrap_or(1.0);
    // Each pair's weight at even prior odds: log2 of its Bayes factor.
    let bf: Vec<f64> = (0..cands.len())
        .into_par_iter()
        .map(|i| match label[i] {
            1 => 1000.0,
            -1 => -1000.0,
            _ => {
                let m = &models[gid[i] as usize].0;
                m.weight(&pattern_vec[pid[i] as usize]) - m.prior_weight() + tf_of(i).log2()
            }
        })
        .collect();
    let indep: Vec<f64> = bf.par_iter().map(|&w| probability_of_weight(w)).collect();
    let mut prob = vec![0.0f64; cands.len()];
    let mut link_w: Vec<f64> = bf.clone();
    let mut sums = vec![0.0f64; n];
    let mut counts = vec![0.0f64; n];
    // Plain matching marginals (empty unless `EmConfig::matching_marginals` applies).
    let mut mass: Vec<f64> = Vec::new();
    let rounds = if em.one_to_one { em.rounds + 1 } else { 1 };
    for round in 0..rounds {
        let last = round + 1 == rounds;
        for (g, members) in by_group.iter().enumerate() {
            let model = &models[g].0;
            // Bayes factors (no prior: the prior is per record here).
            let odds_of: Vec<f64> = (0..uniq.len())
                .map(|k| {
                    if pattern_group[k] == g as u32 {
                        (model.weight(&pattern_vec[k]) - model.prior_weight())
                            .clamp(-200.0, 200.0)
                            .exp2()
                    } else {
                        0.0
                    }
                })
                .collect();
            let odds = |i: usize| match label[i] {
                1 => 1e30,
                -1 => 0.0,
                _ => odds_of[pid[i] as usize] * tf_of(i),
            };
            // Per record: the sum of its candidates' Bayes factors and their number;
            // per side: the share of its records (with candidates) that have a match.
            let mut side_records = [0.0f64; 2];
            if em.one_to_one {
                for &i in members {
                    let (a, b) = cands[i];
                    let o = odds(i);
                    for x in [a as usize, b as usize] {
                        if counts[x] == 0.0 {
                            side_records[(items[x].src != group_keys[g].0) as usize] += 1.0;
                        }
                        sums[x] += o;
                        counts[x] += 1.0;
                    }
                }
            }
            let share = |x: usize| {
                let side = (items[x].src != group_keys[g].0) as usize;
                let records = if em.map_assignment {
                    side_w[g][side]
                } else {
                    side_records[side]
                };
                (start_links[g] / records.max(1e-9)).clamp(0.01, 0.99)
            };
            for &i in members {
                prob[i] = match label[i] {
                    1 => 1.0,
                    -1 => 0.0,
                    _ => {
                        let o = odds(i);
                        if em.one_to_one {
                            // From each record's side: it has a match with prior `π`,
                            // equally likely any of its k candidates; so P(this one) =
                            // BF / ((1 − π)·k/π + Σ BF of its candidates), exact twins of
                            // the partner counted once. The smaller of the two sides'.
                            let (a, b) = (cands[i].0 as usize, cands[i].1 as usize);
                            let from = |x: usize, partner: usize| {
                                let pi = share(x);
                                let rest = (sums[x] - twins[partner] * o).max(0.0) + o;
                                o / ((1.0 - pi) * counts[x] / pi + rest)
                            };
                            if last {
                                // MAP weight: the Bayes factor and the records' prior odds
                                // for this candidate, π / ((1 − π)·k).
                                let prior = |x: usize| {
                                    let pi = share(x);
                                    (pi / ((1.0 - pi) * counts[x].max(1.0))).log2()
                                };
                                // The mean of the two records' prior log odds (the
                                // smaller is too strict where one source is much larger:
                                // GED 24.1 has 3.6 Mexico rows per GED 21.1 row).
                                link_w[i] = bf[i] + 0.5 * (prior(a) + prior(b));
                            }
                            from(a, b).min(from(b, a))
                        } else {
                            let l = model.lambda / (1.0 - model.lambda);
                            l * o / (1.0 + l * o)
                        }
                    }
                };
            }
            if last && em.one_to_one && em.map_assignment && em.matching_marginals {
                let edges: Vec<(u32, u32)> = members.iter().map(|&i| cands[i]).collect();
                let weights: Vec<f64> = members
                    .iter()
                    .map(|&i| match label[i] {
                        1 => 60.0,
                        -1 => -60.0,
                        _ => link_w[i],
                    })
                    .collect();
                let marginal = matching_marginals(n, &edges, &weights);
                // Exact twins are indistinguishable: which of them a record is linked to
                // is arbitrary (the assignment pairs them in file order), so a pair's
                // reported probability is that of its records being matched to each
                // other's twin class (the sum of the marginals over the partner's exact
                // twins; the larger of the two records' sums: with twins on one side only,
                // the record without twins is sure of its class). `mass` keeps the plain
                // marginals: their sum is the expected number of matched pairs.
                if mass.is_empty() {
                    mass = vec![0.0; cands.len()];
                }
                let mut class: HashMap<(u32, u64), f64> = HashMap::new();
                for (&i, &x) in members.iter().zip(&marginal) {
                    let (a, b) = cands[i];
                    *class.entry((a, twin[b as usize])).or_insert(0.0) += x;
                    *class.entry((b, twin[a as usize])).or_insert(0.0) += x;
                }
                for (&i, x) in members.iter().zip(marginal) {
                    let (a, b) = cands[i];
                    if label[i] == 0 {
                        mass[i] = x;
                        prob[i] = class[&(a, twin[b as usize])]
                            .max(class[&(b, twin[a as usize])])
                            .min(1.0);
                    } else {
                        mass[i] = prob[i];
                    }
                }
            }
            if em.one_to_one {
                for &i in members {
                    let (a, b) = cands[i];
                    sums[a as usize] = 0.0;
                    sums[b as usize] = 0.0;
                    counts[a as usize] = 0.0;
                    counts[b as usize] = 0.0;
                }
            }
            if !last && !models[g].1 {
                let mut c = Counts {
                    keys: pattern_vec.clone(),
                    as_match: vec![0.0; uniq.len()],
                    as_non: vec![0.0; uniq.len()],
                };
                for &i in members {
                    let (w, pm) = match label[i] {
                        0 => (1.0, prob[i]),
                        l => (em.label_weight, if l > 0 { 1.0 } else { 0.0 }),
                    };
                    c.as_match[pid[i] as usize] += w * pm;
                    c.as_non[pid[i] as usize] += w * (1.0 - pm);
                }
                let next = models[g].0.m_step(&c, &em.fit);
                let iterations = models[g].0.iterations + 1;
                models[g].0 = Model {
                    iterations,
                    converged: models[g].0.distance(&next) < em.fit.tolerance,
                    ..next
                };
            }
        }
    }
    lap("probabilities");
    let threshold = match em.threshold {
        Threshold::Probability(t) => t.min(1.0),
        Threshold::TargetPrecision(target) => {
            // Each pair counts as much as its share of its twin class's mass (1 without
            // twins), so that a class of t exact twins, all at the class's probability,
            // counts about once, as it is linked once.
            let share = |i: usize| {
                if mass.is_empty() || prob[i] <= 0.0 {
                    1.0
                } else {
                    (mass[i] / prob[i]).clamp(0.0, 1.0)
                }
            };
            let mut ps: Vec<(f64, f64)> = (0..prob.len())
                .filter(|&i| prob[i] >= 0.5)
                .map(|i| (prob[i], share(i)))
                .collect();
            ps.par_sort_unstable_by(|x, y| y.0.total_cmp(&x.0));
            let (mut sum, mut count) = (0.0, 0.0);
            let mut t = 1.0;
            for &(x, c) in &ps {
                sum += x * c;
                count += c;
                if count > 0.0 && sum / count >= target {
                    t = x;
                }
            }
            t
        }
    };
    // Eligible for links: with the MAP assignment, the MAP weight exceeds the threshold's
    // log odds (0 at 0.5), and the assignment maximises the sum of MAP weights; without
    // it, the weight alone says match (independent probability ≥ the threshold) and the
    // assignment maximises the sum of independent probabilities. Either way, for a
    // target precision, the one-to-one aware probability must reach the threshold.
    let (floor, aware) = match em.threshold {
        Threshold::Probability(t) => (t, 0.0),
        Threshold::TargetPrecision(_) => (0.5, threshold),
    };
    let keep = em.keep.min(floor);
    let kept: Vec<usize> = (0..cands.len())
        .filter(|&i| {
            label[i] == 1
                || (label[i] == 0
                    && (indep[i] >= keep
                        || prob[i] >= keep
                        || (em.map_assignment && link_w[i] > (floor / (1.0 - floor)).log2())))
        })
        .collect();
    let scored: Vec<Scored> = kept
        .par_iter()
        .map(|&i| {
            let (a, b) = cands[i];
            let (hand, parts) = score::score(&items[a as usize], &items[b as usize], &p, &cfg);
            let map = em.map_assignment;
            let eligible = if map {
                link_w[i] > (floor / (1.0 - floor)).log2() && prob[i] >= aware
            } else {
                indep[i] >= floor && prob[i] >= aware
            };
            // Pairs the levels cannot tell apart (equal vectors) are told apart by the
            // hand-weighted closeness, a thousandth of the weight.
            let s = if eligible {
                if map {
                    let w = link_w[i] - (floor / (1.0 - floor)).log2();
                    (w.max(0.0) + 1e-2 + 1e-3 * hand as f64) as f32
                } else {
                    (indep[i] + 1e-3 * hand as f64) as f32
                }
            } else {
                0.0
            };
            (a, b, s, parts, label[i] == 1)
        })
        .collect();
    lap("kept");
    let (mut outcome, order) = finish(
        &p,
        &scored,
        &rejected,
        if em.map_assignment {
            1e-3
        } else {
            floor as f32
        },
        considered,
        &lap,
    );
    for (pair, &k) in outcome.pairs.iter_mut().zip(&order) {
        pair.score = prob[kept[k]] as f32;
        pair.runner_up = None;
    }
    let details: Vec<PairDetail> = order
        .iter()
        .map(|&k| {
            let i = kept[k];
            let g = gid[i] as usize;
            let v = unpack(keys[i]);
            PairDetail {
                vector: v,
                weight: models[g].0.weight(&v),
                pattern_pairs: unlabelled[pid[i] as usize] as u64,
                model: g,
            }
        })
        .collect();
    let mut true_links = 0.0;
    let mut links = 0u64;
    for (k, pr) in outcome.pairs.iter().enumerate() {
        if pr.status != PairStatus::Unselected {
            links += 1;
            true_links += prob[kept[order[k]]];
        }
    }
    let matches: f64 = if mass.is_empty() {
        prob.iter().sum()
    } else {
        mass.iter().sum()
    };
    let expected = Expected {
        links,
        true_links,
        matches,
        precision: true_links / (links.max(1) as f64),
        recall: true_links / matches.max(1e-12),
    };
    let names: Vec<&str> = {
        // Source names by interned id: the first record of each source.
        let mut v: Vec<&str> = Vec::new();
        for (k, it) in items.iter().enumerate() {
            if it.src as usize == v.len() {
                v.push(&records[p.input[k] as usize].event.source);
            }
        }
        v
    };
    let models = group_of
        .iter()
        .map(|(&(x, y), &g)| SourceModel {
            sources: (names[x as usize].to_string(), names[y as usize].to_string()),
            model: models[g as usize].0.clone(),
            pairs: per_group[g as usize] - per_group_labels[g as usize],
            labelled: per_group_labels[g as usize],
            pooled: models[g as usize].1,
        })
        .collect::<Vec<_>>();
    // `group_of` iterates in source order, but model indices in details are group ids.
    let mut ordered: Vec<Option<SourceModel>> = vec![None; groups];
    for (m, &g) in models.into_iter().zip(group_of.values()) {
        ordered[g as usize] = Some(m);
    }
    lap("done");
    Linkage {
        outcome,
        details,
        models: ordered.into_iter().map(|m| m.expect("model")).collect(),
        threshold,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::matching_marginals;

    /// Exact where the edges form a forest: an isolated pair, a record with two
    /// candidates that have no others. (Synthetic: hand-made weights.)
    #[test]
    fn matching_marginals_are_exact_on_forests() {
        // Records 0–1 alone; record 2 with candidates 3 and 4.
        let edges = [(0, 1), (2, 3), (2, 4)];
        let w = [1.0, 2.0, 0.0];
        let p = matching_marginals(5, &edges, &w);
        let (w1, w2, w3) = (2.0f64, 4.0, 1.0);
        assert!((p[0] - w1 / (1.0 + w1)).abs() < 1e-6, "{p:?}");
        assert!((p[1] - w2 / (1.0 + w2 + w3)).abs() < 1e-6, "{p:?}");
        assert!((p[2] - w3 / (1.0 + w2 + w3)).abs() < 1e-6, "{p:?}");
    }

    /// A 2 × 2 block of equal weights (a loop): by symmetry each edge holds half of the
    /// mass each record has, which is below one because either record may stay alone;
    /// and a record with a sure partner (2^60) leaves its other candidates near 0.
    #[test]
    fn matching_marginals_share_ties_and_yield_to_sure_pairs() {
        let edges = [(0, 2), (0, 3), (1, 2), (1, 3)];
        let p = matching_marginals(4, &edges, &[5.0; 4]);
        for x in &p {
            assert!((x - p[0]).abs() < 1e-9, "{p:?}");
        }
        assert!(p[0] > 0.45 && p[0] < 0.5, "{p:?}");
        let p = matching_marginals(4, &edges, &[60.0, 5.0, 5.0, 5.0]);
        assert!(p[0] > 0.999 && p[1] < 1e-3 && p[2] < 1e-3, "{p:?}");
        assert!(p[3] > 0.9, "{p:?}");
    }
}
