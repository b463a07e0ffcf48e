"""Reference values for sitrep-stats' changepoint.rs.

Run with the oracle venv (numpy, scipy, ruptures):
`python changepoint.py > changepoint_values.rs`. The output is committed; the Rust
tests compare against it. Nothing here is copied from the Rust code: the references
are brute force (exact optimal partitioning, segment neighbourhood) or a transcription
of R changepoint's documented C logic (PELT with K = 0 pruning, BinSeg with Q splits).

R is not installed here, so "R cpt.meanvar(test.stat='Poisson', method='PELT',
penalty='MBIC')" is reproduced by:
  * the cost R uses for MBIC, `mbic_meanvar_poisson`: 2 x (log n - log x) + log n,
    and 0 (no log n term) when the segment sum x is 0;
  * the penalty (diffparam + 1) log n with diffparam = 1 for Poisson, i.e. 2 log n;
  * minimum segment length 2.
Both an exact DP (optimal partitioning, no pruning) and a transcription of R's PELT
loop (prune s when F(s) + C(s, t) > F(t)) are run; the script asserts they agree on
every fixture, so the Rust PELT (which prunes safely) is compared with both.
"""
import math

import numpy as np
import ruptures as rpt
from scipy import optimize, stats


# ---------------------------------------------------------------- fixtures
def fixtures():
    fx = []
    rng = np.random.default_rng(20240601)
    anchor = np.concatenate([rng.poisson(3, 24), rng.poisson(15, 24), rng.poisson(5, 12)])
    fx.append(("anchor_3_15_5", anchor))
    rng = np.random.default_rng(7)
    fx.append(("two_level_100", np.concatenate([rng.poisson(2, 50), rng.poisson(6, 50)])))
    rng = np.random.default_rng(11)
    # conflict-like: negative binomial regimes with many zeros
    def nb(mu, size, n):
        return rng.negative_binomial(size, size / (size + mu), n)
    fx.append(("nb_zeros_80", np.concatenate([nb(0.5, 0.4, 30), nb(8, 1.5, 20), nb(1, 0.5, 30)])))
    rng = np.random.default_rng(3)
    fx.append(("spike_40", np.concatenate([rng.poisson(10, 15), rng.poisson(60, 4), rng.poisson(10, 21)])))
    rng = np.random.default_rng(5)
    fx.append(("flat_poisson_60", rng.poisson(7, 60)))
    rng = np.random.default_rng(9)
    fx.append(("four_steps_120", np.concatenate([rng.poisson(l, 30) for l in (1, 4, 12, 3)])))
    fx.append(("all_zeros_30", np.zeros(30, dtype=int)))
    fx.append(("constant_4_x30", np.full(30, 4)))
    fx.append(("short_5", np.array([0, 9, 0, 9, 1])))
    return [(name, [int(v) for v in xs]) for name, xs in fx]


# ---------------------------------------------------------------- costs
def poisson_cost(cs, s, e, mbic):
    x = cs[e] - cs[s]
    n = e - s
    if x == 0:
        return 0.0
    c = 2.0 * x * (math.log(n) - math.log(x))
    return c + math.log(n) if mbic else c


def nb_size(xs):
    xs = np.asarray(xs, dtype=float)
    if len(xs) < 2:
        return None
    m = xs.mean()
    v = xs.var(ddof=1)
    if m > 0 and v > m:
        return m * m / (v - m)
    return None


def nb_cost_factory(xs):
    r = nb_size(xs)
    cs = np.concatenate([[0], np.cumsum(xs)])

    def cost(s, e):
        # -2 log-likelihood at the segment MLE mean, dropping per-observation terms
        # (they are the same for every segmentation).
        if r is None:
            return poisson_cost(cs, s, e, False)
        x = cs[e] - cs[s]
        n = e - s
        if x == 0:
            return 0.0
        mu = x / n
        ll = n * r * math.log(r / (r + mu)) + x * math.log(mu / (r + mu))
        return -2.0 * ll
    return cost, r


# ---------------------------------------------------------------- exact OP
def optimal_partition(n, cost, pen, m):
    """F(t) = min over s in {0} U [m, t-m] of F(s) + cost(s, t) + pen, F(0) = -pen."""
    if n < 2 * m:
        return []
    F = [math.inf] * (n + 1)
    last = [0] * (n + 1)
    F[0] = -pen
    for t in range(m, n + 1):
        best, arg = math.inf, 0
        for s in [0] + list(range(m, t - m + 1)):
            if F[s] == math.inf:
                continue
            v = F[s] + cost(s, t) + pen
            if v < best:
                best, arg = v, s
        F[t], last[t] = best, arg
    cps = []
    t = n
    while t > 0:
        t = last[t]
        if t > 0:
            cps.append(t)
    return sorted(cps)


def r_pelt(n, cost, pen, m):
    """Transcription of the logic of R changepoint's PELT loop (K = 0 pruning)."""
    if n < 2 * m:
        return []
    F = [0.0] * (n + 1)
    last = [0] * (n + 1)
    F[0] = -pen
    for j in range(m, 2 * m):
        F[j] = cost(0, j)
        last[j] = 0
    check = [0, m]
    for t in range(2 * m, n + 1):
        like = [F[s] + cost(s, t) + pen for s in check]
        i = int(np.argmin(like))
        F[t], last[t] = like[i], check[i]
        check = [s for s, v in zip(check, like) if v <= F[t] + pen]
        check.append(t - m + 1)
    cps = []
    t = n
    while t > 0:
        t = last[t]
        if t > 0:
            cps.append(t)
    return sorted(cps)


def r_binseg(n, cost, pen, m, Q):
    """Binary segmentation as R's changepoint: Q greedy splits (each the best over all
    current segments, both sides at least m long), the gain sequence made
    non-increasing, then the leading splits whose gain (cost reduction) >= pen kept."""
    taus = [0, n]
    cpts, gains = [], []
    oldmax = math.inf
    for _ in range(Q):
        best, arg = -math.inf, None
        for a, b in zip(taus[:-1], taus[1:]):
            whole = cost(a, b)
            for j in range(a + m, b - m + 1):
                g = whole - cost(a, j) - cost(j, b)
                if g > best:
                    best, arg = g, j
        if arg is None:
            break
        g = min(oldmax, best)
        oldmax = g
        cpts.append(arg)
        gains.append(g)
        taus = sorted(taus + [arg])
    k = 0
    while k < len(gains) and gains[k] >= pen:
        k += 1
    return sorted(cpts[:k])


# ------------------------------------------------------- segment neighbourhood
def seg_neigh(n, cost, m, kmax):
    """Q[k] = minimal unpenalised cost with exactly k change points (exact DP)."""
    INF = math.inf
    D = [[INF] * (n + 1) for _ in range(kmax + 2)]
    for t in range(m, n + 1):
        D[1][t] = cost(0, t)
    for k in range(2, kmax + 2):
        for t in range(k * m, n + 1):
            best = INF
            for s in range((k - 1) * m, t - m + 1):
                if D[k - 1][s] < INF:
                    v = D[k - 1][s] + cost(s, t)
                    if v < best:
                        best = v
            D[k][t] = best
    return [D[k + 1][n] for k in range(kmax + 1)]


def crops_exact(n, cost, m, pmin, pmax, kmax):
    """Penalty path from the lower convex hull of (k, Q_k): segmentation with k change
    points is optimal for penalties in [lo_k, hi_k]; clipped to [pmin, pmax]."""
    Qk = seg_neigh(n, cost, m, kmax)
    pts = [(k, q) for k, q in enumerate(Qk) if q < math.inf]
    out = []
    for k, q in pts:
        # optimal at beta iff q + k beta <= q' + k' beta for all k'
        lo, hi = 0.0, math.inf
        ok = True
        for k2, q2 in pts:
            if k2 == k:
                continue
            if k2 > k:
                lo = max(lo, (q - q2) / (k2 - k))
            else:
                hi = min(hi, (q2 - q) / (k - k2))
        if lo > hi + 1e-12:
            ok = False
        lo2, hi2 = max(lo, pmin), min(hi, pmax)
        # segmentations optimal for a single penalty only (or none in range) are skipped
        if ok and hi2 - lo2 > 1e-12:
            out.append((k, lo2, hi2))
    return sorted(out, key=lambda r: -r[0])


# ---------------------------------------------------------------- ruptures check
class PoissonMbicCost(rpt.base.BaseCost):
    model = "poisson_mbic"
    min_size = 2

    def fit(self, signal):
        self.signal = np.asarray(signal).reshape(-1, 1)
        self.cs = np.concatenate([[0], np.cumsum(self.signal.ravel())])
        return self

    def error(self, start, end):
        return poisson_cost(self.cs, start, end, True)


# ---------------------------------------------------------------- BOCPD
def bocpd_map(xs, lam, a0, b0):
    """Adams & MacKay with a Poisson-Gamma(a0 shape, b0 rate) model. P[t][l-1] is the
    posterior probability that the run ending at t has length l (l observations,
    the first of them at t + 1 - l); a new run's first point is predicted by the prior.
    MAP walk backwards: at t take the most probable length l, record the start
    t + 1 - l, continue at start - 1."""
    H = 1.0 / lam
    probs = []
    prev = None
    sums = []  # sums[l-1] = sum of the last l observations (for the current t)
    for t, x in enumerate(xs):
        if prev is None:
            cur = np.array([1.0])
            sums = [x]
        else:
            L = len(prev)
            grow = np.empty(L)
            for l in range(1, L + 1):
                a = a0 + sums[l - 1]
                b = b0 + l
                grow[l - 1] = prev[l - 1] * (1 - H) * stats.nbinom.pmf(x, a, b / (b + 1))
            new = prev.sum() * H * stats.nbinom.pmf(x, a0, b0 / (b0 + 1))
            cur = np.concatenate([[new], grow])
            cur = cur / cur.sum()
            sums = [x] + [s + x for s in sums]
        probs.append(cur)
        prev = cur
    starts = []
    t = len(xs) - 1
    while t >= 0:
        l = int(np.argmax(probs[t])) + 1
        s = t + 1 - l
        starts.append(s)
        t = s - 1
    starts.reverse()
    return starts, probs


# ---------------------------------------------------------------- TCPDBench metrics
def true_positives(T, X, margin):
    X = set(X)
    TP = set()
    for tau in sorted(T):
        close = sorted((abs(tau - x), x) for x in X if abs(tau - x) <= margin)
        if not close:
            continue
        TP.add(tau)
        X.remove(close[0][1])
    return TP


def f_measure(annotations, predictions, margin=5, alpha=0.5):
    Tks = [set(a) | {0} for a in annotations]
    X = set(predictions) | {0}
    Tstar = set().union(*Tks)
    P = len(true_positives(Tstar, X, margin)) / len(X)
    R = sum(len(true_positives(Tk, X, margin)) / len(Tk) for Tk in Tks) / len(Tks)
    return P * R / (alpha * R + (1 - alpha) * P)


def partition(cps, n):
    parts, cur = [], set()
    cps = sorted(set(cps))
    for i in range(n):
        if i in cps and cur:
            parts.append(cur)
            cur = set()
        cur.add(i)
    parts.append(cur)
    return parts


def covering(annotations, predictions, n):
    pX = partition(predictions, n)
    cs = []
    for a in annotations:
        S = partition(a, n)
        c = sum(len(R) * max(len(R & Rp) / len(R | Rp) for Rp in pX) for R in S) / n
        cs.append(c)
    return sum(cs) / len(cs)


# ---------------------------------------------------------------- output
def rs_list(v):
    return "&[" + ", ".join(str(int(x)) for x in v) + "]"


def f(x):
    if x == math.inf:
        return "f64::INFINITY"
    return repr(float(x))


def main():
    print("// Generated by tests/oracle/changepoint.py (numpy", np.__version__, ", scipy",
          __import__("scipy").__version__, ", ruptures", rpt.__version__, "); do not edit.")
    fx = fixtures()
    print("/// (name, series, R-PELT/OP Poisson MBIC cps, OP Poisson BIC cps, R-BinSeg Poisson MBIC Q=5 cps,")
    print("///  OP negative-binomial MBIC cps (fixed size, ln length per segment), fitted size or -1)")
    print("pub const ORACLE_SEGMENT: &[(&str, &[u64], &[usize], &[usize], &[usize], &[usize], f64)] = &[")
    for name, xs in fx:
        n = len(xs)
        cs = np.concatenate([[0], np.cumsum(xs)])
        mb = lambda s, e: poisson_cost(cs, s, e, True)  # noqa: E731
        plain = lambda s, e: poisson_cost(cs, s, e, False)  # noqa: E731
        pen_mbic = 2 * math.log(n) if n > 1 else 0.0
        op = optimal_partition(n, mb, pen_mbic, 2)
        rp = r_pelt(n, mb, pen_mbic, 2)
        assert op == rp, (name, op, rp)
        if n >= 4 and sum(xs) > 0:
            algo = rpt.Pelt(custom_cost=PoissonMbicCost(), min_size=2, jump=1).fit(np.array(xs, dtype=float))
            rr = algo.predict(pen=pen_mbic)[:-1]
            assert rr == op, (name, "ruptures", rr, op)
        bic = optimal_partition(n, plain, 1 * math.log(n) if n > 1 else 0.0, 2)
        bs = r_binseg(n, mb, pen_mbic, 2, 5)
        nbc, size = nb_cost_factory(xs)
        # MBIC for the NB cost: 2 log n per change plus log(length) per segment
        nbcp = optimal_partition(n, lambda s, e: nbc(s, e) + math.log(e - s), pen_mbic, 2)
        print(f"    ({name!r:s}, {rs_list(xs)}, {rs_list(op)}, {rs_list(bic)}, {rs_list(bs)}, {rs_list(nbcp)}, {f(size if size is not None else -1.0)}),".replace("'", '"'))
    print("];")

    name, xs = fx[0]
    rb = rpt.Binseg(model="l2", min_size=2, jump=1).fit(np.array(xs, dtype=float)).predict(n_bkps=2)
    rpl = rpt.Pelt(model="l2", min_size=2, jump=1).fit(np.array(xs, dtype=float)).predict(pen=50)
    print(f"/// ruptures on the anchor series: Binseg(l2, n_bkps=2) ends {rb}, Pelt(l2, pen=50) ends {rpl}")
    print(f"pub const ORACLE_RUPTURES_ANCHOR_ENDS: &[usize] = {rs_list(rb)};")
    assert rb == rpl

    # CROPS: exact penalty path on three fixtures, Poisson cost without the MBIC term.
    print("/// (fixture index, penalty min, penalty max, [(n change points, penalty lo, penalty hi)])")
    print("pub const ORACLE_CROPS: &[(usize, f64, f64, &[(usize, f64, f64)])] = &[")
    for idx, pmin, pmax in [(0, 1.0, 200.0), (3, 2.0, 100.0), (5, 3.0, 60.0)]:
        name, xs = fx[idx]
        n = len(xs)
        cs = np.concatenate([[0], np.cumsum(xs)])
        plain = lambda s, e: poisson_cost(cs, s, e, False)  # noqa: E731
        path = crops_exact(n, plain, 2, pmin, pmax, kmax=n // 2 - 1)
        body = ", ".join(f"({k}, {f(lo)}, {f(hi)})" for k, lo, hi in path)
        print(f"    ({idx}, {f(pmin)}, {f(pmax)}, &[{body}]),")
    print("];")

    # BOCPD
    print("/// (fixture index, lambda, prior shape, prior rate, MAP segment starts, final run-length posterior head)")
    print("pub const ORACLE_BOCPD: &[(usize, f64, f64, f64, &[usize], &[f64])] = &[")
    for idx, lam, a0, b0 in [(0, 24.0, 1.0, 0.2), (1, 50.0, 1.0, 0.2), (5, 30.0, 1.0, 0.5), (3, 20.0, 1.0, 0.1)]:
        name, xs = fx[idx]
        starts, probs = bocpd_map(xs, lam, a0, b0)
        head = ", ".join(f(p) for p in probs[-1][:8])
        print(f"    ({idx}, {f(lam)}, {f(a0)}, {f(b0)}, {rs_list(starts)}, &[{head}]),")
    print("];")

    # rate intervals: exact Poisson (Garwood) and conditional-binomial ratio interval
    print("/// (total count, length, rate lo, rate hi) exact 95 % Poisson interval via chi-square quantiles")
    print("pub const ORACLE_RATE_CI: &[(f64, f64, f64, f64)] = &[")
    for x, n in [(0, 12), (1, 1), (5, 10), (72, 24), (360, 24), (3, 2), (1000, 52)]:
        lo = 0.0 if x == 0 else stats.chi2.ppf(0.025, 2 * x) / 2 / n
        hi = stats.chi2.ppf(0.975, 2 * x + 2) / 2 / n
        print(f"    ({f(x)}, {f(n)}, {f(lo)}, {f(hi)}),")
    print("];")
    print("/// (x1, n1, x2, n2, ratio lo, ratio hi): rate ratio (after / before) by Clopper-Pearson")
    print("/// on x2 | x1 + x2 ~ Bin(x1 + x2, p), ratio = p / (1 - p) * n1 / n2")
    print("pub const ORACLE_RATIO_CI: &[(f64, f64, f64, f64, f64, f64)] = &[")
    for x1, n1, x2, n2 in [(72, 24, 360, 24), (10, 5, 3, 7), (0, 10, 5, 10), (40, 20, 38, 20)]:
        N = x1 + x2
        plo = 0.0 if x2 == 0 else stats.beta.ppf(0.025, x2, N - x2 + 1)
        phi = 1.0 if x2 == N else stats.beta.ppf(0.975, x2 + 1, N - x2)
        rlo = plo / (1 - plo) * n1 / n2
        rhi = math.inf if phi >= 1.0 else phi / (1 - phi) * n1 / n2
        print(f"    ({f(x1)}, {f(n1)}, {f(x2)}, {f(n2)}, {f(rlo)}, {f(rhi)}),")
    print("];")

    # TCPDBench doctests, recomputed
    print("/// TCPDBench doctest vectors recomputed by this script's transcription of metrics.py")
    print("pub const ORACLE_TCPD: &[f64] = &[")
    for v in [
        f_measure([[10, 20], [11, 20], [10], [0, 5]], [10, 20]),
        f_measure([[], [10], [50]], [10]),
        f_measure([[], [10], [50]], []),
        covering([[10, 20], [10], [0, 5]], [10, 20], 45),
        covering([[], [10], [40]], [10], 45),
    ]:
        print(f"    {f(v)},")
    print("];")


if __name__ == "__main__":
    main()
