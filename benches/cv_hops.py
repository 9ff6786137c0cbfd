#!/usr/bin/env python3
"""How much of greedy's noise a control variate on the first `h` reverse hops would remove.

Quality mode's greedy (crates/reachgraph-core/src/select/cv.rs) scores an account by the RR
sets that contain it and miss the seeds, minus the sets whose first reverse hop does, plus that
hop's exact expectation. This script measures, on a model of the weighted-cascade RR sampler,
what a variate on more hops would buy: for h = 0 (the root alone), 1 (the landed variate), 2
and 3, the variance of `A − B_h` over the variance of `A`, where for one RR set

    A   = 1 when the set meets the quantity's event anywhere,
    B_h = 1 when the set meets it within h reverse hops of its root,

for three quantities greedy compares: the spread of the 50 seeds, the gain of the 50th seed
given the first 49, and the summed gains of seeds 26–50 (each given the seeds before it). The
variate's exact term carries no variance, so the ratio is the variance left per set; the sets
a floor needs scale with it.

The seeds are `reachgraph select --graph G --weights wc -k 50 --epsilon 0.1 --mode quality
--seed 1` on the graph, run by this script with the release binary (`--bin`). The sampler is a
plain Python breadth-first search with one coin per in-edge (`1/in-degree`), not the library's.

    python3 benches/cv_hops.py [--data ../shared/data] [--sets 200000] [--seed 2]
        [--bin target/release/reachgraph] [GRAPH ...]

GRAPH is a file name in the data folder without `.txt` (default: soc-Epinions1, nethept,
wiki-Vote). Needs numpy. Results: docs/BENCHMARKS.md, issue 18, "A control variate on two
reverse hops".
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

HOPS = (0, 1, 2, 3)


def load(path):
    """In-lists of the graph at `path` (dense ids by sorted label, self-loops and repeats out)."""
    a = np.loadtxt(path, dtype=np.int64, comments="#", ndmin=2)[:, :2]
    a = np.unique(a[a[:, 0] != a[:, 1]], axis=0)
    labels = np.unique(a)
    src = np.searchsorted(labels, a[:, 0])
    dst = np.searchsorted(labels, a[:, 1])
    ins = [[] for _ in range(len(labels))]
    for s, d in zip(src.tolist(), dst.tolist()):
        ins[d].append(s)
    return labels, ins


def seeds_of(binary, path):
    """The 50 seeds of quality mode at seed 1, as labels, in greedy's order."""
    with tempfile.TemporaryDirectory() as tmp:
        rgraph = os.path.join(tmp, "g.rgraph")
        subprocess.run([binary, "--quiet", "convert", path, rgraph], check=True,
                       capture_output=True)
        out = subprocess.run(
            [binary, "--quiet", "select", "--graph", rgraph, "--weights", "wc", "-k", "50",
             "--epsilon", "0.1", "--mode", "quality", "--seed", "1", "--json"],
            check=True, capture_output=True, text=True).stdout
    return [int(s) for s in json.loads(out)["seeds"]]


def sample(ins, seeds, sets, seed):
    """Per RR set: (position in `seeds`, depth) of every seed the set holds."""
    pos = {s: i for i, s in enumerate(seeds)}
    rnd = random.Random(seed)
    n = len(ins)
    out = []
    for _ in range(sets):
        r = rnd.randrange(n)
        depth = {r: 0}
        front, d = [r], 0
        while front:
            d += 1
            nxt = []
            for u in front:
                k = len(ins[u])
                for w in ins[u]:
                    if rnd.random() * k < 1.0 and w not in depth:
                        depth[w] = d
                        nxt.append(w)
            front = nxt
        out.append([(pos[x], dd) for x, dd in depth.items() if x in pos])
    return out


def left(recs, k, h):
    """Variance of A − B_h over that of A, for the spread, the last gain, gains 26..k."""
    def ind(pred):
        return np.fromiter((1.0 if pred(rr) else 0.0 for rr in recs), float, len(recs))

    def ratio(a, b):
        return (a - b).var() / a.var()

    spread = ratio(ind(bool), ind(lambda rr: any(d <= h for _, d in rr)))
    sum_a, sum_b = np.zeros(len(recs)), np.zeros(len(recs))
    for j in range(k // 2, k):
        a = ind(lambda rr: any(q == j for q, _ in rr) and not any(q < j for q, _ in rr))
        b = ind(lambda rr: any(q == j and d <= h for q, d in rr)
                and not any(q < j and d <= h for q, d in rr))
        sum_a += a
        sum_b += b
        if j == k - 1:
            last = ratio(a, b)
    return spread, last, ratio(sum_a, sum_b)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("graphs", nargs="*", default=["soc-Epinions1", "nethept", "wiki-Vote"])
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                  "shared", "data"))
    p.add_argument("--sets", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target",
                                                 "release", "reachgraph"))
    args = p.parse_args()
    if not os.path.isdir(args.data):
        sys.exit(f"skipped: the data folder {args.data} is absent (pass --data)")
    print("| graph | quantity | " + " | ".join(f"h = {h}" for h in HOPS) + " | h = 2 over h = 1 |")
    print("| --- | --- |" + " --- |" * (len(HOPS) + 1))
    for g in args.graphs:
        path = os.path.join(args.data, g + ".txt")
        labels, ins = load(path)
        index = {int(x): i for i, x in enumerate(labels)}
        seeds = [index[s] for s in seeds_of(args.bin, path)]
        recs = sample(ins, seeds, args.sets, args.seed)
        rows = list(zip(*(left(recs, len(seeds), h) for h in HOPS)))
        covered = sum(1 for rr in recs if rr)
        for name, row in zip(("spread of 50", "gain of the 50th", "gains of 26–50"), rows):
            cells = " | ".join(f"{x:.3f}" for x in row)
            print(f"| {g} ({args.sets:,} sets, {covered:,} covered) | {name} | {cells} | "
                  f"{row[2] / row[1]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
