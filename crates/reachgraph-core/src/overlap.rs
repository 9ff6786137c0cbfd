//! Audience overlap of accounts: shared followers, Jaccard, containment, and the overlap graph.
//!
//! The audience `F_i` of account `i` is the set of **people** following it (a person following
//! through two of their accounts counts once). For a list of accounts, [`overlap`] computes
//! the exact matrices
//!
//! - `shared[i][j] = |F_i ∩ F_j|` (the diagonal is the audience size `|F_i|`),
//! - `jaccard[i][j] = |F_i ∩ F_j| / |F_i ∪ F_j|`,
//! - `containment[i][j] = |F_i ∩ F_j| / |F_i|`: the share of `i`'s audience that `j` also
//!   reaches (asymmetric: a mega account contains much of a nano account's audience, not the
//!   reverse),
//!
//! and [`overlap_graph`] turns them into a petgraph graph of accounts for clustering audiences.

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ids::NodeKey;
use crate::progress::Progress;
use ndarray::{Array1, Array2};
use petgraph::graph::{NodeIndex, UnGraph};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Pair increments between progress reports (and cancellation checks) of one worker.
const PROGRESS_EVERY: u64 = 1 << 24;
/// Rows of a k² pass (merging, mirroring, ratios) between cancellation checks.
const CHECK_ROWS: usize = 64;

/// Selected accounts a person must follow for the person to go to the dense (bit-matrix) path:
/// there, a person costs `k²/128` word operations (a 64th of a pair per pair of accounts, in
/// the upper triangle) instead of `d²/2` scattered increments, which wins once `d > k/8`.
fn dense_threshold(k: usize) -> usize {
    (k / 8).max(64)
}

/// Overlap matrices of a list of accounts. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// The accounts (dense ids), in the order of the matrices' rows and columns.
    pub accounts: Vec<u32>,
    /// Distinct people following each account.
    pub audience: Array1<u64>,
    /// `|F_i ∩ F_j|` in people; the diagonal is `audience`.
    pub shared: Array2<u64>,
    /// `|F_i ∩ F_j| / |F_i ∪ F_j|`; 0 when both audiences are empty (so the diagonal is 1
    /// except for accounts without followers).
    pub jaccard: Array2<f64>,
    /// `[i][j] = |F_i ∩ F_j| / |F_i|` (asymmetric); 0 when `F_i` is empty.
    pub containment: Array2<f64>,
}

/// Person → selected-account incidence, in CSR form over the people who follow at least one
/// selected account. Each list is sorted by account index and has no repeats.
pub(crate) struct Incidence {
    /// `offsets[l]..offsets[l + 1]` indexes the accounts of local person `l`.
    pub(crate) offsets: Vec<usize>,
    /// Account indexes (into the selected list), sorted within each person.
    pub(crate) accounts: Vec<u32>,
    /// Distinct people of each selected account.
    pub(crate) audience: Vec<u64>,
}

fn incidence(graph: &Graph, accounts: &[u32]) -> Incidence {
    let of_account = &graph.people().of_account;
    let n_people = graph.people().count;
    const UNSEEN: u32 = u32::MAX;
    // Local (compact) ids of the people met, so the later arrays scale with them, not with all
    // people.
    let mut local = vec![UNSEEN; n_people];
    let mut last = Vec::<u32>::new();
    let mut count = Vec::<u32>::new();
    let mut audience = vec![0u64; accounts.len()];
    // Accounts are walked in order, so a person's repeated (person, account) pairs are
    // adjacent in time: remembering the last account index per person dedups them.
    for (i, &a) in accounts.iter().enumerate() {
        for &v in graph.followers(a) {
            let p = of_account[v as usize] as usize;
            let l = match local[p] {
                UNSEEN => {
                    local[p] = count.len() as u32;
                    count.push(0);
                    last.push(UNSEEN);
                    count.len() - 1
                }
                l => l as usize,
            };
            if last[l] != i as u32 {
                last[l] = i as u32;
                count[l] += 1;
                audience[i] += 1;
            }
        }
    }
    let mut offsets = Vec::with_capacity(count.len() + 1);
    offsets.push(0usize);
    let mut acc = 0usize;
    for &c in &count {
        acc += c as usize;
        offsets.push(acc);
    }
    drop(count);
    let mut cursor: Vec<usize> = offsets[..offsets.len() - 1].to_vec();
    let mut lists = vec![0u32; acc];
    last.iter_mut().for_each(|x| *x = UNSEEN);
    for (i, &a) in accounts.iter().enumerate() {
        for &v in graph.followers(a) {
            let l = local[of_account[v as usize] as usize] as usize;
            if last[l] != i as u32 {
                last[l] = i as u32;
                lists[cursor[l]] = i as u32;
                cursor[l] += 1;
            }
        }
    }
    Incidence {
        offsets,
        accounts: lists,
        audience,
    }
}

/// Splits people `0..len` into at most `parts` contiguous ranges of about equal `cost`.
fn balanced(cost: &[u64], parts: usize) -> Vec<(usize, usize)> {
    let total: u64 = cost.iter().sum();
    let parts = parts.max(1) as u64;
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0u64;
    let mut next = 1u64;
    for (i, &c) in cost.iter().enumerate() {
        acc += c;
        if next < parts && acc * parts >= total * next {
            out.push((start, i + 1));
            start = i + 1;
            while next < parts && acc * parts >= total * next {
                next += 1;
            }
        }
    }
    if start < cost.len() {
        out.push((start, cost.len()));
    }
    out
}

/// Exact audience overlap of a list of accounts, counted in people.
///
/// No pairwise list intersections: for each person, the selected accounts they follow form a
/// list, and every pair in the list gets one count — `Σ_person d²/2` work for a person following
/// `d` selected accounts, which touches each follow edge's person once. People following many
/// of the selected accounts (`d > k/8`) are counted instead as a bit matrix (one bit per
/// account and such person) with popcounts, which costs `k²/128` word operations per person.
///
/// # Arguments
/// - `graph`: the follower graph with its attributes (people);
/// - `accounts`: dense ids of the accounts (distinct), in the order of the result's rows;
/// - `progress`: receives `("overlap", done, total)` in pair-count units; returning `false`
///   cancels.
///
/// # Returns
/// An [`Overlap`] with the audience sizes and the shared, Jaccard and containment matrices.
///
/// # Errors
/// [`Error::Empty`] for an empty list; [`Error::UnknownNode`] / [`Error::DuplicateNode`] for a
/// bad id; [`Error::Cancelled`] when `progress` cancels.
///
/// # Complexity
/// O(P + E + Σ_p min(d_p², k²/64) + k²) time for P people, E follow edges of the selected
/// accounts and `d_p` selected accounts followed by person `p`; O(P + E + t·k²) memory for `t`
/// threads (one `u32` upper-triangle counter matrix per thread). Parallel over contiguous
/// ranges of people; the per-thread counts are integers, so the result does not depend on the
/// thread count.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress, overlap::overlap};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z"), ("b", "w")] {
///     b.add_edge(u, v, None).unwrap(); // v follows u
/// }
/// let (g, _) = b.build().unwrap();
/// let acc = g.resolve(&["a", "b"], "account list").unwrap();
/// let ov = overlap(&g, &acc, &NoProgress).unwrap();
/// assert_eq!(ov.shared[[0, 1]], 1);           // y follows both
/// assert_eq!(ov.jaccard[[0, 1]], 1.0 / 4.0);  // {y} / {x, y, z, w}
/// assert_eq!(ov.containment[[0, 1]], 0.5);    // half of a's audience also follows b
/// assert_eq!(ov.containment[[1, 0]], 1.0 / 3.0);
/// ```
pub fn overlap(graph: &Graph, accounts: &[u32], progress: &dyn Progress) -> Result<Overlap> {
    if accounts.is_empty() {
        return Err(Error::Empty {
            what: "account list".into(),
        });
    }
    graph.check_nodes(accounts, "account list")?;
    let k = accounts.len();
    let inc = incidence(graph, accounts);
    let (shared, total) = pair_counts(inc, k, progress)?;
    let audience: Array1<u64> = shared.diag().to_owned();
    let mut jaccard = Array2::<f64>::zeros((k, k));
    let mut containment = Array2::<f64>::zeros((k, k));
    for i in 0..k {
        // k² work after the pairs (seconds for tens of thousands of accounts): Ctrl-C and
        // cancellation are heard between blocks of rows.
        if !row_alive(progress, i, total, total) {
            return Err(Error::Cancelled);
        }
        for j in 0..k {
            let s = shared[[i, j]];
            let union = audience[i] + audience[j] - s;
            if union > 0 {
                jaccard[[i, j]] = s as f64 / union as f64;
            }
            if audience[i] > 0 {
                containment[[i, j]] = s as f64 / audience[i] as f64;
            }
        }
    }
    Ok(Overlap {
        accounts: accounts.to_vec(),
        audience,
        shared,
        jaccard,
        containment,
    })
}

/// False when a k² pass at row `i` must stop: every `CHECK_ROWS` rows it asks `progress`
/// (with the pair counting's `done` of `total`), which returns `false` to cancel (Ctrl-C in
/// Python).
fn row_alive(progress: &dyn Progress, i: usize, done: u64, total: u64) -> bool {
    i % CHECK_ROWS != 0 || progress.update("overlap", done, total)
}

/// Pair counts of an incidence over `k` accounts: `[i][j]` the people listing both `i` and `j`,
/// the diagonal the audiences, and the total of the progress units reported (the last
/// `("overlap", total, total)`, for callers that go on checking for cancellation). Shared by
/// [`overlap`] and the sketch overlap (whose "people" are sampled hashes).
pub(crate) fn pair_counts(
    inc: Incidence,
    k: usize,
    progress: &dyn Progress,
) -> Result<(Array2<u64>, u64)> {
    let n_local = inc.offsets.len() - 1;
    let degree = |l: usize| inc.offsets[l + 1] - inc.offsets[l];
    let dense_min = dense_threshold(k);

    // Sparse people: pair counting in per-worker upper-triangle matrices.
    let cost: Vec<u64> = (0..n_local)
        .map(|l| {
            let d = degree(l) as u64;
            if d >= dense_min as u64 {
                0
            } else {
                d * d.saturating_sub(1) / 2
            }
        })
        .collect();
    let dense_people: Vec<usize> = (0..n_local).filter(|&l| degree(l) >= dense_min).collect();
    let words = dense_people.len().div_ceil(64);
    let sparse_total: u64 = cost.iter().sum();
    let dense_total = (k as u64 * (k as u64 - 1) / 2) * words as u64;
    let total = sparse_total + dense_total;
    let done = AtomicU64::new(0);
    let cancelled = AtomicBool::new(false);
    let report = |units: u64| {
        let d = done.fetch_add(units, Relaxed) + units;
        if !progress.update("overlap", d, total) {
            cancelled.store(true, Relaxed);
        }
    };
    if !progress.update("overlap", 0, total) {
        return Err(Error::Cancelled);
    }

    let ranges = balanced(&cost, rayon::current_num_threads());
    let partial: Vec<Vec<u32>> = ranges
        .into_par_iter()
        .map(|(a, b)| {
            let mut m = vec![0u32; k * k];
            let mut since = 0u64;
            // Zero cost: fewer than two accounts, or a dense person counted below.
            for (l, &c) in (a..b).zip(&cost[a..b]).filter(|(_, &c)| c > 0) {
                let list = &inc.accounts[inc.offsets[l]..inc.offsets[l + 1]];
                for (x, &i) in list.iter().enumerate() {
                    let row = &mut m[i as usize * k..(i as usize + 1) * k];
                    for &j in &list[x + 1..] {
                        row[j as usize] += 1;
                    }
                }
                since += c;
                if since >= PROGRESS_EVERY {
                    report(std::mem::take(&mut since));
                    if cancelled.load(Relaxed) {
                        break;
                    }
                }
            }
            report(since);
            m
        })
        .collect();
    if cancelled.load(Relaxed) {
        return Err(Error::Cancelled);
    }
    // The k² passes below hear cancellation between blocks of rows, as the pair counting does
    // every `PROGRESS_EVERY` pairs.
    let alive = |i: usize| row_alive(progress, i, done.load(Relaxed), total);
    let mut shared = Array2::<u64>::zeros((k, k));
    for m in &partial {
        for i in 0..k {
            if !alive(i) {
                return Err(Error::Cancelled);
            }
            for j in i + 1..k {
                shared[[i, j]] += m[i * k + j] as u64;
            }
        }
    }
    drop(partial);

    // Dense people: a bit per (account, dense person); pair counts are popcounts of ANDs.
    if !dense_people.is_empty() {
        let mut bits = vec![0u64; k * words];
        for (w, &l) in dense_people.iter().enumerate() {
            for &i in &inc.accounts[inc.offsets[l]..inc.offsets[l + 1]] {
                bits[i as usize * words + w / 64] |= 1u64 << (w % 64);
            }
        }
        let rows: Vec<Vec<u64>> = (0..k)
            .into_par_iter()
            .map(|i| {
                if cancelled.load(Relaxed) {
                    return Vec::new();
                }
                let bi = &bits[i * words..(i + 1) * words];
                let row: Vec<u64> = (i + 1..k)
                    .map(|j| {
                        let bj = &bits[j * words..(j + 1) * words];
                        bi.iter()
                            .zip(bj)
                            .map(|(x, y)| (x & y).count_ones() as u64)
                            .sum()
                    })
                    .collect();
                report(row.len() as u64 * words as u64);
                row
            })
            .collect();
        if cancelled.load(Relaxed) {
            return Err(Error::Cancelled);
        }
        for (i, row) in rows.iter().enumerate() {
            for (x, &c) in row.iter().enumerate() {
                shared[[i, i + 1 + x]] += c;
            }
        }
    }

    for i in 0..k {
        if !alive(i) {
            return Err(Error::Cancelled);
        }
        shared[[i, i]] = inc.audience[i];
        for j in 0..i {
            shared[[i, j]] = shared[[j, i]];
        }
    }
    Ok((shared, total))
}

/// The overlap graph: accounts as nodes, an edge wherever two audiences overlap enough.
///
/// # Arguments
/// - `graph`: the graph the overlap was computed on (for the accounts' external ids);
/// - `ov`: an [`Overlap`] from [`overlap`];
/// - `min_jaccard`: keep edges with `jaccard ≥ min_jaccard` (in [0, 1]; 0 keeps every pair).
///
/// # Returns
/// An undirected petgraph graph whose node `i` is `ov.accounts[i]` (node weight: its external
/// id) and whose edges `i — j` (`i < j`, added in row order) carry the Jaccard similarity.
///
/// # Errors
/// [`Error::InvalidParameter`] when `min_jaccard` is not in [0, 1] or the matrices do not match
/// the account list; [`Error::UnknownNode`] when an account is not in `graph`.
///
/// # Complexity
/// O(k²) for `k` accounts.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress, overlap::{overlap, overlap_graph}};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("c", "z")] {
///     b.add_edge(u, v, None).unwrap();
/// }
/// let (g, _) = b.build().unwrap();
/// let acc = g.resolve(&["a", "b", "c"], "account list").unwrap();
/// let ov = overlap(&g, &acc, &NoProgress).unwrap();
/// let og = overlap_graph(&g, &ov, 0.1).unwrap();
/// assert_eq!((og.node_count(), og.edge_count()), (3, 1)); // only a — b share anyone
/// ```
pub fn overlap_graph(
    graph: &Graph,
    ov: &Overlap,
    min_jaccard: f64,
) -> Result<UnGraph<NodeKey, f64>> {
    if !(0.0..=1.0).contains(&min_jaccard) {
        return Err(Error::invalid_parameter(
            "min_jaccard",
            min_jaccard,
            "must be in [0, 1]",
        ));
    }
    let k = ov.accounts.len();
    if ov.jaccard.dim() != (k, k) {
        return Err(Error::invalid_parameter(
            "overlap",
            format!("{:?}", ov.jaccard.dim()),
            format!("the Jaccard matrix must be {k} x {k}, one row per account"),
        ));
    }
    if let Some(&a) = ov
        .accounts
        .iter()
        .find(|&&a| a as usize >= graph.node_count())
    {
        return Err(Error::UnknownNode {
            id: a.to_string(),
            context: format!(
                " (overlap accounts; dense ids run 0..{})",
                graph.node_count()
            ),
        });
    }
    let mut g = UnGraph::with_capacity(k, 0);
    for &a in &ov.accounts {
        g.add_node(graph.ids().key(a));
    }
    for i in 0..k {
        for j in i + 1..k {
            let w = ov.jaccard[[i, j]];
            if w >= min_jaccard {
                g.add_edge(NodeIndex::new(i), NodeIndex::new(j), w);
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Attributes, Categorical};
    use crate::graph::{GraphBuilder, GraphOptions};
    use crate::ids::NodeIds;
    use crate::progress::NoProgress;
    use std::collections::BTreeSet;

    /// The graph of `n` accounts (ids 0..n) and the edges `src[i] -> dst[i]`.
    fn edge_graph(n: u32, src: &[u32], dst: &[u32]) -> Graph {
        Graph::from_edges(
            n,
            src,
            dst,
            None,
            NodeIds::identity(n),
            GraphOptions::default(),
        )
        .unwrap()
        .0
    }

    fn brute(graph: &Graph, accounts: &[u32]) -> Vec<BTreeSet<u32>> {
        let people = graph.people();
        accounts
            .iter()
            .map(|&a| {
                graph
                    .followers(a)
                    .iter()
                    .map(|&v| people.of_account[v as usize])
                    .collect()
            })
            .collect()
    }

    fn check_against_brute(graph: &Graph, accounts: &[u32]) {
        let ov = overlap(graph, accounts, &NoProgress).unwrap();
        let sets = brute(graph, accounts);
        for i in 0..accounts.len() {
            assert_eq!(ov.audience[i], sets[i].len() as u64);
            for j in 0..accounts.len() {
                let s = sets[i].intersection(&sets[j]).count() as u64;
                let u = sets[i].union(&sets[j]).count() as u64;
                assert_eq!(ov.shared[[i, j]], s, "shared {i} {j}");
                let jac = if u == 0 { 0.0 } else { s as f64 / u as f64 };
                assert_eq!(ov.jaccard[[i, j]], jac);
                let con = if sets[i].is_empty() {
                    0.0
                } else {
                    s as f64 / sets[i].len() as f64
                };
                assert_eq!(ov.containment[[i, j]], con);
            }
        }
    }

    #[test]
    fn people_are_deduplicated() {
        let mut b = GraphBuilder::new(GraphOptions::default());
        // ann follows a with two accounts and b with one; bob follows b.
        for (u, v) in [("a", "ann1"), ("a", "ann2"), ("b", "ann2"), ("b", "bob")] {
            b.add_edge(u, v, None).unwrap();
        }
        b.add_node("c");
        let (mut g, _) = b.build().unwrap();
        let mut a = Attributes::new(g.node_count());
        let labels: Vec<Option<&str>> = (0..g.node_count() as u32)
            .map(|i| match g.label(i).as_str() {
                "ann1" | "ann2" => Some("ann"),
                _ => None,
            })
            .collect();
        a.person = Categorical::from_labels(labels);
        g.set_attributes(a).unwrap();
        let acc = g.resolve(&["a", "b", "c"], "account list").unwrap();
        let ov = overlap(&g, &acc, &NoProgress).unwrap();
        assert_eq!(ov.audience.to_vec(), vec![1, 2, 0]);
        assert_eq!(ov.shared[[0, 1]], 1);
        assert_eq!(ov.jaccard[[0, 1]], 0.5);
        assert_eq!(ov.containment[[0, 1]], 1.0);
        assert_eq!(ov.containment[[1, 0]], 0.5);
        assert_eq!(ov.jaccard[[0, 0]], 1.0);
        assert_eq!(ov.jaccard[[2, 2]], 0.0);
        assert_eq!(ov.containment[[2, 0]], 0.0);
        check_against_brute(&g, &acc);
    }

    #[test]
    fn dense_people_path_matches_brute_force() {
        // 300 accounts; people 0..40 follow nearly all of them (dense path), the rest few.
        let k = 300u32;
        let n = k + 2_000;
        let mut src = Vec::new();
        let mut dst = Vec::new();
        let mut x = 12345u64;
        let mut rnd = |m: u64| {
            x = crate::rng::splitmix64(x);
            x % m
        };
        for a in 0..k {
            for p in 0..40 {
                if rnd(10) < 8 {
                    src.push(a);
                    dst.push(k + p);
                }
            }
            for _ in 0..30 {
                src.push(a);
                dst.push(k + 40 + rnd((n - k - 40) as u64) as u32);
            }
        }
        let g = edge_graph(n, &src, &dst);
        let acc: Vec<u32> = (0..k).rev().collect();
        assert!(dense_threshold(acc.len()) < 200);
        check_against_brute(&g, &acc);
    }

    #[test]
    fn cancel_is_heard_after_the_pairs_are_counted() {
        // 3 × CHECK_ROWS accounts with two followers each: the pair counting is short and the
        // k² passes after it (merging, mirroring, ratios) are where a large overlap spends its
        // time. A progress that cancels on any call after it has seen the pairs done must stop
        // the call there (before, those passes never asked, and Ctrl-C waited seconds).
        let k = 3 * CHECK_ROWS as u32;
        let src: Vec<u32> = (0..k).flat_map(|a| [a, a]).collect();
        let dst: Vec<u32> = (0..k).flat_map(|a| [k + a % 7, k + 7 + a % 5]).collect();
        let n = k + 12;
        let g = edge_graph(n, &src, &dst);
        let acc: Vec<u32> = (0..k).collect();
        let seen_done = std::sync::atomic::AtomicBool::new(false);
        let stop_after_pairs = |_: &str, done: u64, total: u64| {
            if seen_done.load(Relaxed) {
                return false;
            }
            if done == total && total > 0 {
                seen_done.store(true, Relaxed);
            }
            true
        };
        // One worker, so the pair phase ends with exactly one report of `done == total`.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let r = pool.install(|| overlap(&g, &acc, &stop_after_pairs));
        assert!(seen_done.load(Relaxed));
        assert!(
            matches!(r, Err(Error::Cancelled)),
            "{:?}",
            r.map(|o| o.audience.len())
        );
        // Without cancelling, the same call answers.
        let ov = pool.install(|| overlap(&g, &acc, &NoProgress)).unwrap();
        assert_eq!(ov.audience.len(), k as usize);
        assert!(ov.audience.iter().all(|&a| a == 2));
    }

    #[test]
    fn cancel_and_bad_input() {
        let mut b = GraphBuilder::new(GraphOptions::default());
        b.add_edge("a", "x", None).unwrap();
        b.add_edge("b", "x", None).unwrap();
        let (g, _) = b.build().unwrap();
        assert!(matches!(
            overlap(&g, &[], &NoProgress),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            overlap(&g, &[7], &NoProgress),
            Err(Error::UnknownNode { .. })
        ));
        assert!(matches!(
            overlap(&g, &[0, 0], &NoProgress),
            Err(Error::DuplicateNode { .. })
        ));
        let stop = |_: &str, _: u64, _: u64| false;
        assert!(matches!(overlap(&g, &[0, 2], &stop), Err(Error::Cancelled)));
        let ov = overlap(&g, &[0, 2], &NoProgress).unwrap();
        for bad in [-0.1, 1.5, f64::NAN] {
            assert!(matches!(
                overlap_graph(&g, &ov, bad),
                Err(Error::InvalidParameter { .. })
            ));
        }
        let mut wrong = ov.clone();
        wrong.accounts.push(1);
        assert!(matches!(
            overlap_graph(&g, &wrong, 0.5),
            Err(Error::InvalidParameter { .. })
        ));
        let mut unknown = ov.clone();
        unknown.accounts[1] = 99;
        assert!(matches!(
            overlap_graph(&g, &unknown, 0.5),
            Err(Error::UnknownNode { .. })
        ));
        let og = overlap_graph(&g, &ov, 1.0).unwrap();
        assert_eq!(og.edge_count(), 1);
        assert_eq!(og[NodeIndex::new(0)], NodeKey::from("a"));
        assert_eq!(og.raw_edges()[0].weight, 1.0);
    }

    #[test]
    fn balanced_covers_everything() {
        let cost = [5, 0, 0, 9, 1, 1, 1, 20, 0];
        for parts in 1..6 {
            let r = balanced(&cost, parts);
            assert!(r.len() <= parts);
            assert_eq!(r[0].0, 0);
            assert_eq!(r.last().unwrap().1, cost.len());
            for w in r.windows(2) {
                assert_eq!(w[0].1, w[1].0);
            }
        }
        assert!(balanced(&[], 3).is_empty());
    }
}
