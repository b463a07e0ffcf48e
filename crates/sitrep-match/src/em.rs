//! Fellegi–Sunter match weights fitted by expectation–maximisation (EM), without labels
//! or with a few (semi-supervised): per field and level, `m` = P(level | same event) and
//! `u` = P(level | different events), and `λ` = the share of candidate pairs that match.
//! Fields are taken as independent given match status; a null level (a side has no
//! value) carries no evidence. The method is the textbook one (Fellegi & Sunter 1969;
//! Winkler 1988; as Splink documents it); the code is this crate's own.

use crate::compare::{Field, Vector, FIELDS};

/// Fitted (or starting) Fellegi–Sunter parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Prior share of candidate pairs that are the same event.
    pub lambda: f64,
    /// `m[field][level]`: P(level | match); the null level (0) is unused.
    pub m: [Vec<f64>; FIELDS],
    /// `u[field][level]`: P(level | non-match); the null level (0) is unused.
    pub u: [Vec<f64>; FIELDS],
    /// EM iterations run.
    pub iterations: u32,
    /// Whether the parameters moved less than the tolerance at the end.
    pub converged: bool,
}

/// One row of the m/u table ([`Model::table`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelRow {
    /// The field.
    pub field: Field,
    /// The level (0 = null).
    pub level: u8,
    /// What the level means.
    pub label: &'static str,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
    /// Match weight, log2(m / u): evidence for (> 0) or against (< 0) a match.
    pub weight: f64,
}

/// Settings of one EM fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Iteration limit.
    pub max_iter: u32,
    /// Stop when no parameter moves more than this.
    pub tolerance: f64,
    /// Pseudo-count added to every level of m and u (keeps unseen levels possible).
    pub smoothing: f64,
    /// Keep λ where it starts (only m and u are fitted).
    pub fixed_lambda: bool,
    /// Keep these fields' u where they start (e.g. estimated from random pairs).
    pub fixed_u: [bool; FIELDS],
    /// Upper bound on λ (1: none). One-to-one matching bounds it: at most as many
    /// candidate pairs match as the smaller side has records with candidates.
    pub max_lambda: f64,
}

impl Default for Fit {
    fn default() -> Self {
        Fit {
            max_iter: 200,
            tolerance: 1e-6,
            smoothing: 0.1,
            fixed_lambda: false,
            fixed_u: [false; FIELDS],
            max_lambda: 1.0,
        }
    }
}

/// Soft counts per pattern: how much of each pattern is match and non-match.
pub(crate) struct Counts {
    /// Pattern (vector) of each row.
    pub keys: Vec<Vector>,
    /// Weight of the row counted as match.
    pub as_match: Vec<f64>,
    /// Weight of the row counted as non-match.
    pub as_non: Vec<f64>,
}

impl Model {
    /// Neutral starting values: better levels likelier among matches (m falls with the
    /// level, u rises), coarse levels equally likely under both; λ = 0.1.
    pub fn prior() -> Model {
        let mut m: [Vec<f64>; FIELDS] = Default::default();
        let mut u: [Vec<f64>; FIELDS] = Default::default();
        for f in Field::ALL {
            let n = f.levels().len();
            // Ordinal levels: all but the coarse ones of date and place.
            let ordinal = match f {
                Field::Date => 4,
                Field::Distance => 6,
                _ => n - 1,
            };
            let mut mf = vec![0.0; n];
            let mut uf = vec![0.0; n];
            for l in 1..n {
                if l <= ordinal {
                    mf[l] = 0.5f64.powi(l as i32 - 1);
                    uf[l] = 0.5f64.powi((ordinal - l) as i32);
                } else {
                    mf[l] = 0.1;
                    uf[l] = 0.1;
                }
            }
            normalise(&mut mf);
            normalise(&mut uf);
            m[f.index()] = mf;
            u[f.index()] = uf;
        }
        Model {
            lambda: 0.1,
            m,
            u,
            iterations: 0,
            converged: false,
        }
    }

    /// The Bayes factor m/u of one field's level (1 for null).
    pub fn bayes_factor(&self, field: Field, level: u8) -> f64 {
        let f = field.index();
        if level == 0 {
            return 1.0;
        }
        let l = level as usize;
        self.m[f][l] / self.u[f][l]
    }

    /// The prior's weight, log2(λ / (1 − λ)).
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// Match weight of a vector: the prior's weight plus each field's log2(m / u).
    pub fn weight(&self, v: &Vector) -> f64 {
        self.prior_weight()
            + Field::ALL
                .iter()
                .map(|&f| self.bayes_factor(f, v[f.index()]).log2())
                .sum::<f64>()
    }

    /// P(match | vector), assuming fields independent given match status.
    pub fn probability(&self, v: &Vector) -> f64 {
        probability_of_weight(self.weight(v))
    }

    /// The m/u table, field by field, null levels included (m = u = 1 there, by
    /// convention: they carry no evidence).
    pub fn table(&self) -> Vec<LevelRow> {
        let mut rows = Vec::new();
        for f in Field::ALL {
            for (l, label) in f.levels().iter().enumerate() {
                let (m, u) = if l == 0 {
                    (1.0, 1.0)
                } else {
                    (self.m[f.index()][l], self.u[f.index()][l])
                };
                rows.push(LevelRow {
                    field: f,
                    level: l as u8,
                    label,
                    m,
                    u,
                    weight: (m / u).log2(),
                });
            }
        }
        rows
    }

    /// EM from `self` as the start. `patterns`: distinct vectors with their number of
    /// unlabelled pairs; `labelled`: vectors with a fixed P(match) and a weight (how
    /// many pairs each label counts as). Returns the fitted model.
    pub fn fit(
        &self,
        patterns: &[(Vector, f64)],
        labelled: &[(Vector, f64, f64)],
        fit: &Fit,
    ) -> Model {
        let mut model = self.clone();
        let total: f64 =
            patterns.iter().map(|p| p.1).sum::<f64>() + labelled.iter().map(|l| l.2).sum::<f64>();
        if total <= 0.0 {
            return model;
        }
        for it in 1..=fit.max_iter {
            let mut counts = Counts {
                keys: Vec::with_capacity(patterns.len() + labelled.len()),
                as_match: Vec::with_capacity(patterns.len() + labelled.len()),
                as_non: Vec::with_capacity(patterns.len() + labelled.len()),
            };
            for (v, c) in patterns {
                let p = model.probability(v);
                counts.keys.push(*v);
                counts.as_match.push(c * p);
                counts.as_non.push(c * (1.0 - p));
            }
            for (v, p, w) in labelled {
                counts.keys.push(*v);
                counts.as_match.push(w * p);
                counts.as_non.push(w * (1.0 - p));
            }
            let next = model.m_step(&counts, fit);
            let moved = model.distance(&next);
            model = Model {
                iterations: it,
                converged: moved < fit.tolerance,
                ..next
            };
            if model.converged {
                break;
            }
        }
        model
    }

    /// The M step: parameters from soft counts.
    pub(crate) fn m_step(&self, c: &Counts, fit: &Fit) -> Model {
        let mut m: [Vec<f64>; FIELDS] = Default::default();
        let mut u: [Vec<f64>; FIELDS] = Default::default();
        for f in Field::ALL {
            let n = f.levels().len();
            m[f.index()] = vec![0.0; n];
            u[f.index()] = vec![0.0; n];
        }
        let (mut sm, mut sn) = (0.0, 0.0);
        for ((v, &pm), &pn) in c.keys.iter().zip(&c.as_match).zip(&c.as_non) {
            sm += pm;
            sn += pn;
            for f in 0..FIELDS {
                let l = v[f] as usize;
                if l > 0 {
                    m[f][l] += pm;
                    u[f][l] += pn;
                }
            }
        }
        for f in 0..FIELDS {
            for l in 1..m[f].len() {
                m[f][l] += fit.smoothing;
                u[f][l] += fit.smoothing;
            }
            normalise(&mut m[f]);
            normalise(&mut u[f]);
            if fit.fixed_u[f] {
                u[f] = self.u[f].clone();
            }
        }
        let lambda = if fit.fixed_lambda {
            self.lambda
        } else {
            (sm / (sm + sn).max(1e-300)).clamp(1e-9, fit.max_lambda.clamp(1e-9, 1.0 - 1e-9))
        };
        Model {
            lambda,
            m,
            u,
            iterations: self.iterations,
            converged: false,
        }
    }

    /// Largest absolute change of any parameter.
    pub(crate) fn distance(&self, o: &Model) -> f64 {
        let mut d = (self.lambda - o.lambda).abs();
        for f in 0..FIELDS {
            for (x, y) in self.m[f].iter().zip(&o.m[f]) {
                d = d.max((x - y).abs());
            }
            for (x, y) in self.u[f].iter().zip(&o.u[f]) {
                d = d.max((x - y).abs());
            }
        }
        d
    }
}

/// Probability from a match weight (log2 odds).
pub fn probability_of_weight(w: f64) -> f64 {
    let o = w.clamp(-1000.0, 1000.0).exp2();
    o / (1.0 + o)
}

fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().skip(1).sum();
    if s > 0.0 {
        for x in v.iter_mut().skip(1) {
            *x /= s;
        }
    }
    v[0] = 0.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*, seeded.
    struct Rng(u64);
    impl Rng {
        fn unit(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        }
        fn pick(&mut self, dist: &[f64]) -> u8 {
            let mut x = self.unit();
            for (l, &p) in dist.iter().enumerate().skip(1) {
                if x < p {
                    return l as u8;
                }
                x -= p;
            }
            (dist.len() - 1) as u8
        }
    }

    /// Synthetic: a known model (m/u below, λ = 0.2); 20,000 vectors drawn from it with a
    /// seeded RNG; EM from the neutral prior, with no labels, recovers every m, u and λ
    /// within 0.03.
    #[test]
    fn em_recovers_known_parameters_from_synthetic_vectors() {
        let mut truth = Model::prior();
        truth.lambda = 0.2;
        let set = |t: &mut Model, f: Field, m: &[f64], u: &[f64]| {
            t.m[f.index()] = m.to_vec();
            t.u[f.index()] = u.to_vec();
        };
        set(
            &mut truth,
            Field::Date,
            &[0.0, 0.6, 0.2, 0.1, 0.05, 0.05],
            &[0.0, 0.1, 0.15, 0.2, 0.5, 0.05],
        );
        set(
            &mut truth,
            Field::Distance,
            &[0.0, 0.3, 0.2, 0.3, 0.1, 0.05, 0.02, 0.02, 0.01],
            &[0.0, 0.01, 0.01, 0.08, 0.15, 0.4, 0.3, 0.03, 0.02],
        );
        set(
            &mut truth,
            Field::EventType,
            &[0.0, 0.85, 0.1, 0.03, 0.02],
            &[0.0, 0.3, 0.2, 0.3, 0.2],
        );
        set(
            &mut truth,
            Field::ActorName,
            &[0.0, 0.7, 0.2, 0.05, 0.05],
            &[0.0, 0.2, 0.05, 0.15, 0.6],
        );
        set(
            &mut truth,
            Field::Fatalities,
            &[0.0, 0.6, 0.3, 0.05, 0.05],
            &[0.0, 0.15, 0.25, 0.3, 0.3],
        );
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut counts: std::collections::HashMap<Vector, f64> = Default::default();
        for _ in 0..20_000 {
            let is_match = rng.unit() < truth.lambda;
            let mut v = [0u8; FIELDS];
            for f in [
                Field::Date,
                Field::Distance,
                Field::EventType,
                Field::ActorName,
                Field::Fatalities,
            ] {
                let d = if is_match {
                    &truth.m[f.index()]
                } else {
                    &truth.u[f.index()]
                };
                v[f.index()] = rng.pick(d);
            }
            *counts.entry(v).or_default() += 1.0;
        }
        let mut patterns: Vec<(Vector, f64)> = counts.into_iter().collect();
        patterns.sort_by_key(|p| p.0);
        let fit = Fit {
            smoothing: 0.0,
            ..Fit::default()
        };
        let got = Model::prior().fit(&patterns, &[], &fit);
        assert!(got.converged, "{} iterations", got.iterations);
        assert!((got.lambda - 0.2).abs() < 0.03, "λ {}", got.lambda);
        for f in [
            Field::Date,
            Field::Distance,
            Field::EventType,
            Field::ActorName,
            Field::Fatalities,
        ] {
            for l in 1..f.levels().len() {
                let (m, u) = (got.m[f.index()][l], got.u[f.index()][l]);
                let (tm, tu) = (truth.m[f.index()][l], truth.u[f.index()][l]);
                assert!((m - tm).abs() < 0.03, "{f:?} level {l}: m {m} vs {tm}");
                assert!((u - tu).abs() < 0.03, "{f:?} level {l}: u {u} vs {tu}");
            }
        }
    }

    /// Probability is a strictly increasing function of the match weight, and every
    /// vector's probability equals that function of its weight.
    #[test]
    fn probability_is_monotone_in_weight() {
        let model = Model::prior();
        let mut vs: Vec<(f64, f64)> = Vec::new();
        for d in 1..=5u8 {
            for s in 1..=8u8 {
                for f in 0..=4u8 {
                    let v: Vector = [d, s, 1, 0, 2, f, 0];
                    let (w, p) = (model.weight(&v), model.probability(&v));
                    assert!((p - probability_of_weight(w)).abs() < 1e-12);
                    vs.push((w, p));
                }
            }
        }
        vs.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in vs.windows(2) {
            if pair[1].0 > pair[0].0 + 1e-9 {
                assert!(pair[1].1 > pair[0].1, "{pair:?}");
            }
        }
        assert!(probability_of_weight(-3.0) < probability_of_weight(-2.0));
        assert_eq!(probability_of_weight(0.0), 0.5);
    }

    /// Labels pull the fit: the same unlabelled patterns with 200 pairs labelled as
    /// matches at a "3+ days apart" vector raise m for that date level.
    #[test]
    fn labels_adjust_m_and_u() {
        let patterns: Vec<(Vector, f64)> = vec![
            ([1, 1, 1, 0, 1, 1, 0], 300.0),
            ([4, 5, 4, 0, 4, 4, 0], 700.0),
            ([2, 2, 1, 0, 1, 2, 0], 100.0),
            ([4, 4, 2, 0, 4, 3, 0], 400.0),
        ];
        let fit = Fit::default();
        let plain = Model::prior().fit(&patterns, &[], &fit);
        let labelled = Model::prior().fit(&patterns, &[([4, 1, 1, 0, 1, 1, 0], 1.0, 200.0)], &fit);
        let d = Field::Date.index();
        assert!(
            labelled.m[d][4] > plain.m[d][4] + 0.1,
            "{} vs {}",
            labelled.m[d][4],
            plain.m[d][4]
        );
    }
}
