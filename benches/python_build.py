"""Python binding costs: per-call overhead and building a graph from numpy arrays.

Run (from the repository root, with reachgraph built into the environment):

    python benches/python_build.py [--edges 20000000] [--ids 2000000] [--reps 3]

Builds the same 20M random int64 edges over 2M ids that `cargo bench --bench runner -- load`
feeds to the Rust loader (`Graph::from_id_arrays`, splitmix64 of the edge index, seed 42), so the two rows
compare the binding with the Rust call on identical input; then sketches of the same pairs
(`Sketches.from_pairs`) and of the built graph (`Graph.sketches`). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import reachgraph


def splitmix_arrays(m: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The runner's `random_id_arrays`: src[i] = splitmix64(seed + 2i) mod n and
    dst[i] = splitmix64(seed + 2i + 1) mod n, with `reachgraph_core::rng::splitmix64`
    (vectorised; uint64 arithmetic wraps as in Rust)."""

    def splitmix64(z: np.ndarray) -> np.ndarray:
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    i = np.arange(m, dtype=np.uint64) * np.uint64(2) + np.uint64(seed)
    with np.errstate(over="ignore"):
        src = (splitmix64(i) % np.uint64(n)).astype(np.int64)
        dst = (splitmix64(i + np.uint64(1)) % np.uint64(n)).astype(np.int64)
    return src, dst


def median_time(reps: int, f) -> float:
    f()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edges", type=int, default=20_000_000)
    ap.add_argument("--ids", type=int, default=2_000_000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()

    tiny = reachgraph.Graph.from_arrays(np.array([1, 1, 2], dtype=np.int64), np.array([2, 3, 4], dtype=np.int64))
    calls = 100_000
    t = time.perf_counter()
    for _ in range(calls):
        tiny.unique_reach([1, 4])
    per_call = (time.perf_counter() - t) / calls

    src, dst = splitmix_arrays(args.edges, args.ids, 42)
    build = median_time(args.reps, lambda: reachgraph.Graph.from_arrays(src, dst))
    # Sketches (issue 7) of the same pairs: src[i] is the account, dst[i] its follower.
    pairs = median_time(args.reps, lambda: reachgraph.Sketches.from_pairs(src, dst))
    g = reachgraph.Graph.from_arrays(src, dst)
    from_graph = median_time(args.reps, lambda: g.sketches())

    print("| what | measured | target (issue 6) |")
    print("|---|---:|---|")
    print(f"| per-call overhead, `g.unique_reach([1, 4])` on a 4-node graph | {per_call * 1e6:.1f} µs | < 50 µs |")
    print(
        f"| `Graph.from_arrays`, {args.edges:,} random int64 edges over {args.ids:,} ids | {build:.2f} s | < 2 s, within 1.3× of the Rust loader |"
    )
    print(f"| `Sketches.from_pairs` (lg_k 14) on the same arrays as (account, follower) pairs | {pairs:.2f} s | |")
    print(f"| `Graph.sketches()` (lg_k 14) of that graph | {from_graph:.2f} s | |")


if __name__ == "__main__":
    main()
