//! Selection: one-to-one between each pair of sources by optimal assignment per
//! connected component, then clusters across all sources, independent of their order.

use rayon::prelude::*;
use std::collections::HashMap;

/// A scored candidate between canonical positions `a < b`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub a: u32,
    pub b: u32,
    pub score: f32,
    /// Confirmed by an analyst: always selected first.
    pub forced: bool,
}

impl Edge {
    /// The weight the assignment maximises: confirmed pairs outweigh any sum of scores.
    fn weight(&self) -> f64 {
        if self.forced {
            1e6
        } else {
            self.score as f64
        }
    }
}

/// Max-weight assignment on a dense `rows × cols` matrix (rows ≤ cols) of weights ≥ 0,
/// where 0 means "no edge". Returns, per row, the column assigned (if its weight > 0).
/// The Hungarian method with potentials, O(rows² · cols).
pub(crate) fn hungarian(w: &[f64], rows: usize, cols: usize) -> Vec<Option<usize>> {
    debug_assert!(rows <= cols);
    let inf = f64::INFINITY;
    // Minimise cost = -weight; 1-based arrays as in the classical formulation.
    let cost = |i: usize, j: usize| -w[(i - 1) * cols + (j - 1)];
    let mut u = vec![0.0; rows + 1];
    let mut v = vec![0.0; cols + 1];
    let mut p = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    for i in 1..=rows {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; cols + 1];
        let mut used = vec![false; cols + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=cols {
                if !used[j] {
                    let cur = cost(i0, j) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=cols {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for j in 1..=cols {
        if p[j] != 0 && w[(p[j] - 1) * cols + (j - 1)] > 0.0 {
            out[p[j] - 1] = Some(j - 1);
        }
    }
    out
}

struct Dsu {
    parent: Vec<u32>,
}

impl Dsu {
    fn new(n: usize) -> Dsu {
        Dsu {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }
}

/// Components larger than this (rows × cols) fall back to greedy selection.
const DENSE_LIMIT: usize = 250_000;

/// One-to-one selection among `edges`, which all join one source (`a` side) to one other
/// (`b` side). Returns the indices of the selected edges, sorted.
pub(crate) fn one_to_one(edges: &[Edge]) -> Vec<usize> {
    assign(edges, true)
}

/// Max-weight one-to-one assignment of weighted pairs `(left, right, weight)` (left and
/// right are ids of two disjoint sets; weights > 0): the Hungarian method per connected
/// component, components of more than 4,096 cells pruned first to each record's four
/// best pairs, as [`crate::run`] selects. Returns the indices of the chosen pairs,
/// sorted. For evaluations and oracles that bring their own weights.
pub fn assign_pairs(pairs: &[(u32, u32, f64)]) -> Vec<usize> {
    let edges: Vec<Edge> = pairs
        .iter()
        .map(|&(a, b, w)| Edge {
            a,
            b,
            score: w as f32,
            forced: false,
        })
        .collect();
    one_to_one(&edges)
}

/// Components with more cells than this (rows × cols) are pruned to each record's best
/// candidates before assignment.
const PRUNE_ABOVE: usize = 4096;

fn assign(edges: &[Edge], may_prune: bool) -> Vec<usize> {
    if edges.len() <= 1 {
        return (0..edges.len()).collect();
    }
    // Local node numbers (records are canonical positions; a map from the sorted list).
    let mut nodes: Vec<u32> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
    nodes.par_sort_unstable();
    nodes.dedup();
    let local = |x: u32| nodes.binary_search(&x).expect("node") as u32;
    let ends: Vec<(u32, u32)> = edges.par_iter().map(|e| (local(e.a), local(e.b))).collect();
    let mut dsu = Dsu::new(nodes.len());
    for &(a, b) in &ends {
        let (x, y) = (dsu.find(a), dsu.find(b));
        if x != y {
            dsu.parent[x.max(y) as usize] = x.min(y);
        }
    }
    // Edges grouped by component (sorted by root, then edge index).
    let mut by_comp: Vec<(u32, usize)> = ends
        .iter()
        .enumerate()
        .map(|(k, &(a, _))| (dsu.find(a), k))
        .collect();
    by_comp.par_sort_unstable();
    let mut bounds = vec![0usize];
    for i in 1..by_comp.len() {
        if by_comp[i].0 != by_comp[i - 1].0 {
            bounds.push(i);
        }
    }
    bounds.push(by_comp.len());
    // Components are independent: solve them in parallel (results merged in root order).
    let mut chosen: Vec<usize> = bounds
        .par_windows(2)
        .flat_map_iter(|w| {
            let ks: Vec<usize> = by_comp[w[0]..w[1]].iter().map(|&(_, k)| k).collect();
            solve(edges, &ks, may_prune)
        })
        .collect();
    chosen.sort_unstable();
    chosen
}

/// One connected component (`ks`: its edges): the selected edges.
fn solve(edges: &[Edge], ks: &[usize], may_prune: bool) -> Vec<usize> {
    if ks.len() == 1 {
        return vec![ks[0]];
    }
    let mut left: Vec<u32> = ks.iter().map(|&k| edges[k].a).collect();
    let mut right: Vec<u32> = ks.iter().map(|&k| edges[k].b).collect();
    left.sort_unstable();
    left.dedup();
    right.sort_unstable();
    right.dedup();
    let transpose = left.len() > right.len();
    let (rows, cols) = if transpose {
        (&right, &left)
    } else {
        (&left, &right)
    };
    let cells = rows.len() * cols.len();
    if may_prune && cells > PRUNE_ABOVE {
        let sub: Vec<Edge> = ks.iter().map(|&k| edges[k]).collect();
        let kept = prune(&sub, 4);
        let pruned: Vec<Edge> = kept.iter().map(|&i| sub[i]).collect();
        return assign(&pruned, false)
            .into_iter()
            .map(|i| ks[kept[i]])
            .collect();
    }
    if cells > DENSE_LIMIT {
        return greedy(edges, ks);
    }
    let mut w = vec![0.0; cells];
    let mut at: HashMap<(usize, usize), usize> = HashMap::new();
    for &k in ks {
        let e = &edges[k];
        let (r, c) = if transpose { (e.b, e.a) } else { (e.a, e.b) };
        let (r, c) = (
            rows.binary_search(&r).expect("row"),
            cols.binary_search(&c).expect("col"),
        );
        w[r * cols.len() + c] = e.weight();
        at.insert((r, c), k);
    }
    hungarian(&w, rows.len(), cols.len())
        .into_iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| at[&(r, c)]))
        .collect()
}

/// Greedy one-to-one by weight (ties by positions), for very large components.
fn greedy(edges: &[Edge], ks: &[usize]) -> Vec<usize> {
    let mut order = ks.to_vec();
    order.sort_by(|&x, &y| {
        edges[y]
            .weight()
            .total_cmp(&edges[x].weight())
            .then((edges[x].a, edges[x].b).cmp(&(edges[y].a, edges[y].b)))
    });
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for k in order {
        if !used.contains(&edges[k].a) && !used.contains(&edges[k].b) {
            used.insert(edges[k].a);
            used.insert(edges[k].b);
            out.push(k);
        }
    }
    out
}

/// Clusters from links, strongest first: two clusters merge only when they share no
/// source (a within-source duplicate link may join two clusters that share exactly its
/// own source) and no rejected pair would end up inside one cluster. Depends only on the
/// links and their scores, never on the order of sources or records.
/// Returns, per link, whether it was used; and the clusters with ≥ 2 members.
pub(crate) fn cluster(
    n: usize,
    src: &[u32],
    links: &[Edge],
    rejected: &[(u32, u32)],
) -> (Vec<bool>, Vec<Vec<u32>>) {
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.sort_by(|&x, &y| {
        let (ex, ey) = (&links[x], &links[y]);
        ey.weight()
            .total_cmp(&ex.weight())
            .then((ex.a, ex.b).cmp(&(ey.a, ey.b)))
    });
    let mut dsu = Dsu::new(n);
    // Members of each cluster of two or more, by root.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut no: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(a, b) in rejected {
        no.entry(a).or_default().push(b);
        no.entry(b).or_default().push(a);
    }
    let mut used = vec![false; links.len()];
    for k in order {
        let e = &links[k];
        let (ra, rb) = (dsu.find(e.a), dsu.find(e.b));
        if ra == rb {
            used[k] = true;
            continue;
        }
        let one_a = [ra];
        let one_b = [rb];
        let ma: &[u32] = if members[ra as usize].is_empty() {
            &one_a
        } else {
            &members[ra as usize]
        };
        let mb: &[u32] = if members[rb as usize].is_empty() {
            &one_b
        } else {
            &members[rb as usize]
        };
        let own = (src[e.a as usize] == src[e.b as usize]).then_some(src[e.a as usize]);
        let clash = ma.iter().any(|&x| {
            mb.iter()
                .any(|&y| src[x as usize] == src[y as usize] && Some(src[x as usize]) != own)
        });
        if clash {
            continue;
        }
        let partners: Vec<u32> = ma
            .iter()
            .filter_map(|x| no.get(x))
            .flatten()
            .copied()
            .collect();
        if partners.into_iter().any(|y| dsu.find(y) == rb) {
            continue;
        }
        let (root, other) = (ra.min(rb), ra.max(rb));
        let mut all = std::mem::take(&mut members[ra as usize]);
        if all.is_empty() {
            all.push(ra);
        }
        let mut more = std::mem::take(&mut members[rb as usize]);
        if more.is_empty() {
            more.push(rb);
        }
        all.append(&mut more);
        all.sort_unstable();
        dsu.parent[other as usize] = root;
        members[root as usize] = all;
        used[k] = true;
    }
    let mut clusters: Vec<Vec<u32>> = members.into_iter().filter(|m| !m.is_empty()).collect();
    clusters.sort_unstable();
    (used, clusters)
}

/// Keeps, besides forced edges, the edges among the `k` best of either endpoint, ties
/// with the k-th best included: an optimal assignment almost never uses a record's k-th
/// best candidate, and pruning keeps components small in dense places (dozens of events
/// a day in one city). Ties matter: in a group of m identical records against m
/// identical records every edge weighs the same, and keeping only the first k of each
/// by position would leave all but 2k of them without a partner.
pub(crate) fn prune(edges: &[Edge], k: u8) -> Vec<usize> {
    let mut by_node: HashMap<u32, Vec<f64>> = HashMap::new();
    for e in edges {
        by_node.entry(e.a).or_default().push(e.weight());
        by_node.entry(e.b).or_default().push(e.weight());
    }
    let kth: HashMap<u32, f64> = by_node
        .into_iter()
        .map(|(x, mut w)| {
            let k = (k as usize).max(1);
            let t = if w.len() < k {
                f64::NEG_INFINITY
            } else {
                w.select_nth_unstable_by(k - 1, |x, y| y.total_cmp(x));
                w[k - 1]
            };
            (x, t)
        })
        .collect();
    (0..edges.len())
        .filter(|&i| {
            let e = &edges[i];
            e.forced || e.weight() >= kth[&e.a] || e.weight() >= kth[&e.b]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn e(a: u32, b: u32, score: f32) -> Edge {
        Edge {
            a,
            b,
            score,
            forced: false,
        }
    }
    #[test]
    fn optimal_assignment_beats_greedy() {
        // Greedy takes 0-10 (0.95) and leaves 1 and 11 unmatched; the optimum takes the
        // two 0.9 links (1.8 > 0.95).
        let edges = [e(0, 10, 0.95), e(0, 11, 0.9), e(1, 10, 0.9)];
        assert_eq!(one_to_one(&edges), vec![1, 2]);
        assert_eq!(greedy(&edges, &[0, 1, 2]), vec![0]);
    }
    /// Twelve identical records against twelve identical records: every edge weighs
    /// the same, the component (144 cells × pruning threshold lowered by a wide fan of
    /// weaker edges) is pruned, and all twelve still find a partner.
    #[test]
    fn pruning_keeps_tied_edges() {
        let mut edges = Vec::new();
        for a in 0..12u32 {
            for b in 100..112u32 {
                edges.push(e(a, b, 0.9));
            }
        }
        // A fan of weak edges makes the component larger than the pruning limit.
        for a in 0..12u32 {
            for b in 200..600u32 {
                edges.push(e(a, b, 0.1));
            }
        }
        let kept = prune(&edges, 4);
        assert!(kept.iter().filter(|&&k| edges[k].score == 0.9).count() == 144);
        let chosen = one_to_one(&edges);
        let strong = chosen.iter().filter(|&&k| edges[k].score == 0.9).count();
        assert_eq!(strong, 12, "{chosen:?}");
    }
    #[test]
    fn hungarian_handles_rectangles() {
        let w = [0.5, 0.9, 0.0, 0.8, 0.7, 0.0];
        assert_eq!(hungarian(&w, 2, 3), vec![Some(1), Some(0)]);
    }
    #[test]
    fn clusters_never_hold_two_records_of_one_source() {
        // Sources: 0,1 → s0; 2 → s1; 3 → s2. Links 0-2, 2-3, 1-3: the third would put 0
        // and 1 (both s0) in one cluster.
        let src = [0, 0, 1, 2];
        let links = [e(0, 2, 0.9), e(2, 3, 0.8), e(1, 3, 0.7)];
        let (used, clusters) = cluster(4, &src, &links, &[]);
        assert_eq!(used, vec![true, true, false]);
        assert_eq!(clusters, vec![vec![0, 2, 3]]);
        // A rejection of 0-3 keeps 3 out of 0's cluster, and 1-3 can then form.
        let (used, clusters) = cluster(4, &src, &links, &[(0, 3)]);
        assert_eq!(used, vec![true, false, true]);
        assert_eq!(clusters, vec![vec![0, 2], vec![1, 3]]);
    }
}
