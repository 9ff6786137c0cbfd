"""Side-by-side: reachgraph's IC Monte Carlo against the Python peers that install here.

Same task for every library: Independent Cascade on soc-Epinions1 (edges as listed, `u v`
meaning v follows u), weighted-cascade probabilities p(u, v) = 1/indeg(v), the 50 accounts with
the most followers as seeds; wall time per cascade and the mean spread (with its standard error).

Run (from the repository root, with reachgraph built into the environment):

    python -m pip install cynetdiff ndlib six networkx
    python benches/python_peers.py [--trials 2000] [--ndlib-trials 20]

Prints a Markdown table for docs/BENCHMARKS.md. Libraries that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import math
import pathlib
import statistics
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "soc-Epinions1.txt"


def load_edges():
    src, dst = np.loadtxt(DATA, dtype=np.int64, comments="#", unpack=True)
    return src, dst


def top_seeds(src: np.ndarray, k: int) -> list[int]:
    ids, counts = np.unique(src, return_counts=True)
    order = np.lexsort((ids, -counts))  # most followers first, ties by id
    return [int(x) for x in ids[order[:k]]]


def row(name: str, per_cascade_s: float, spreads: list[float], note: str = "") -> str:
    mean = statistics.fmean(spreads)
    se = statistics.stdev(spreads) / math.sqrt(len(spreads)) if len(spreads) > 1 else float("nan")
    return f"| {name} | {per_cascade_s * 1e3:.3f} ms | {mean:,.1f} ± {se:.1f} | {len(spreads):,} | {note} |"


def bench_reachgraph(src, dst, seeds, trials):
    import reachgraph as rg

    out = []
    g = rg.Graph.from_arrays(src, dst)
    g.set_weights("wc")
    for threads in (1, 2):
        g.spread(seeds, trials=200, seed=99, threads=threads)  # warm-up
        t = time.perf_counter()
        r = g.spread(seeds, trials=trials, seed=1, threads=threads)
        el = time.perf_counter() - t
        mean, se = r.mean, r.stderr
        out.append(
            f"| reachgraph ({threads} thread{'s' if threads > 1 else ''}) | {el / trials * 1e3:.3f} ms | "
            f"{mean:,.1f} ± {se:.1f} | {trials:,} | Rust, from Python; GIL released |"
        )
    return out


def networkx_graph(src, dst):
    import networkx as nx

    g = nx.DiGraph()
    g.add_edges_from(zip(src.tolist(), dst.tolist()))
    return g


def bench_cynetdiff(g, seeds, trials):
    from cynetdiff.utils import networkx_to_ic_model, set_activation_weighted_cascade

    set_activation_weighted_cascade(g)
    model, mapping = networkx_to_ic_model(g, rng=np.random.default_rng(1))
    model.set_seeds([mapping[s] for s in seeds])
    spreads = []
    t = time.perf_counter()
    for _ in range(trials):
        model.reset_model()
        model.advance_until_completion()
        spreads.append(model.get_num_activated_nodes())
    el = time.perf_counter() - t
    return row("cynetdiff", el / trials, spreads, "Cython, one thread")


def bench_ndlib(g, seeds, trials):
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep

    # Configuration (one threshold per edge) is done once, outside the timed loop.
    cfg = mc.Configuration()
    for u, v in g.edges():
        cfg.add_edge_configuration("threshold", (u, v), 1.0 / g.in_degree(v))
    cfg.add_model_initial_configuration("Infected", seeds)
    model = ep.IndependentCascadesModel(g, seed=1)
    model.set_initial_status(cfg)
    spreads = []
    t = time.perf_counter()
    for _ in range(trials):
        model.reset()
        model.iteration_bunch(1000, node_status=False)
        spreads.append(sum(1 for s in model.status.values() if s != 0))
    el = time.perf_counter() - t
    return row("NDlib", el / trials, spreads, "pure Python; configured once, reset per cascade")


def bench_reach_workflows(src, dst, g):
    """Deduplicated reach of the 1,000 largest accounts and the 200 × 200 Jaccard matrix: reachgraph
    against the networkx workflow (set unions and intersections of successor sets in Python)."""
    import reachgraph as rg

    acc1000 = top_seeds(src, 1000)
    acc200 = acc1000[:200]
    rgg = rg.Graph.from_arrays(src, dst)
    rows = []

    def timed(f, reps=5):
        f()
        t = time.perf_counter()
        for _ in range(reps):
            out = f()
        return (time.perf_counter() - t) / reps, out

    t_rg, reach_rg = timed(lambda: rgg.unique_reach(acc1000))
    t_ov_rg, ov = timed(lambda: rgg.overlap(acc200)["jaccard"])
    rows.append(f"| reachgraph | {t_rg * 1e3:.3f} ms | {reach_rg:,} | {t_ov_rg * 1e3:.2f} ms | Rust, from Python |")
    if g is not None:
        t_nx, reach_nx = timed(lambda: len(set().union(*(g.successors(a) for a in acc1000))))

        def jaccard_nx():
            fs = [set(g.successors(a)) for a in acc200]
            m = np.eye(len(fs))
            for i in range(len(fs)):
                for j in range(i + 1, len(fs)):
                    u = len(fs[i] | fs[j])
                    m[i, j] = m[j, i] = len(fs[i] & fs[j]) / u if u else 0.0
            return m

        t_ov_nx, m_nx = timed(jaccard_nx, reps=1)
        assert reach_nx == reach_rg, (reach_nx, reach_rg)
        assert np.allclose(m_nx, ov), "Jaccard matrices differ"
        rows.append(
            f"| networkx (Python sets) | {t_nx * 1e3:.3f} ms | {reach_nx:,} | {t_ov_nx * 1e3:.2f} ms | same answers, checked |"
        )
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=2000)
    ap.add_argument("--ndlib-trials", type=int, default=10)
    args = ap.parse_args()
    if not DATA.exists():
        raise SystemExit(f"skipping: {DATA} is absent")
    src, dst = load_edges()
    seeds = top_seeds(src, 50)
    print("| library | time per cascade | mean spread ± se | cascades | note |")
    print("|---|---:|---:|---:|---|")
    for line in bench_reachgraph(src, dst, seeds, args.trials):
        print(line, flush=True)
    try:
        g = networkx_graph(src, dst)
    except ImportError:
        print("| networkx-based peers | — | — | — | networkx not installed |")
        return
    print()
    print("| workflow | unique reach, top 1,000 accounts | people | Jaccard 200 × 200 | note |")
    print("|---|---:|---:|---:|---|")
    for line in bench_reach_workflows(src, dst, g):
        print(line, flush=True)
    print()
    for name, fn, n in (("cynetdiff", bench_cynetdiff, args.trials), ("ndlib", bench_ndlib, args.ndlib_trials)):
        try:
            print(fn(g, seeds, n), flush=True)
        except ImportError:
            print(f"| {name} | — | — | — | not installed |")


if __name__ == "__main__":
    main()
