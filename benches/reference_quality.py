#!/usr/bin/env python3
"""Speed at equal quality: SUBSIM at several ε and quality mode at several tolerances, every
seed set scored against IMM ε = 0.1's on common RR sets.

The issue-18 target compares quality mode's time with SUBSIM ε = 0.1's. This runner also asks
what that time buys: each run's seeds are scored against IMM's with `reachgraph compare` (one
set of common RR sets per graph, so the ratios carry standard errors of hundredths of a
percent), and SUBSIM is run at smaller ε too, to see whether it reaches IMM's quality at any
setting and at what cost.

Build the reference codes from their public sources, outside this repository (never commit
their code):

    git clone https://github.com/qtguo/subsim && (cd subsim && g++ -std=c++14 -O3 subsim.cpp -o subsim)
    git clone https://github.com/SongYifanCN/IMM_nok && (cd IMM_nok && make imm_discrete)

then

    cargo build --release -p reachgraph-cli
    python3 benches/reference_quality.py --subsim PATH/subsim --imm PATH/imm_discrete_nok \\
        --runs 20 [--eps 0.1,0.05,0.02,0.01,0.001] [--tolerances 0.005,0.0070711] [--threads 1]

Every code reads the same graphs: the files of `--data` with self-loops dropped and repeated
edges merged, weighted cascade (1/in-degree), ids made dense in order of first appearance for
SUBSIM and IMM (`-func=format -pdist=wc`; `graph_ic.inf`) and mapped back for scoring;
reachgraph reads a `.rgraph` copy (`reachgraph convert`). Runs are interleaved (one round of
every setting, then the next), so all settings see the same machine. SUBSIM seeds its
generator from the clock, so its runs differ; reachgraph's i-th run uses `--seed` i, counted
from `--first-seed` (1 by default). IMM is deterministic and runs once per graph.

Columns: sets drawn (median); CPU, the whole process's user + system time (median), and its
multiple of SUBSIM ε = 0.1's; "own", each program's own figure with loading left out
(SUBSIM `Time (sec)`, IMM `InfluenceMaximize(Total Time)`, reachgraph `time_s`); wall, the
whole process's (with `--threads 2` the one that shows reachgraph's second thread); the mean and
lowest spread as a percentage of IMM's; the runs below 99.5% of IMM's, and of those the runs
more than two standard errors of the paired difference below it; how many of the runs' seed
sets differ (SUBSIM's draws depend on the clock in whole seconds, so some of its runs repeat).
"""
import argparse
import collections
import glob
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

GRAPHS = ["soc-Epinions1", "nethept", "wiki-Vote"]
TOLERANCE_FLOOR = 0.75  # quality mode's covered-set floor times tolerance² (select/opim.rs)
COMPARE_MAX_SETS = 64  # `reachgraph compare` scores 2 to 64 seed sets per call


def timed(cmd, cwd=None):
    """Runs `cmd`; returns its stdout, wall seconds and CPU seconds (user + system)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p.stdout, wall, cpu


def dense_copy(src):
    """The graph of `src` as (names in order of first appearance, edges in dense ids)."""
    ids, seen, edges = {}, set(), []
    with open(src) as f:
        for line in f:
            if not line.strip() or line[0] in "#%":
                continue
            a, b = line.split()[:2]
            if a == b:
                continue
            for x in (a, b):
                if x not in ids:
                    ids[x] = len(ids)
            e = (ids[a], ids[b])
            if e not in seen:
                seen.add(e)
                edges.append(e)
    return list(ids), edges


def prepare(a, g):
    """Writes SUBSIM's, IMM's and reachgraph's copies of graph `g`; returns the id names."""
    names, edges = dense_copy(os.path.join(a.data, g + ".txt"))
    gi = os.path.join(a.work, "graphInfo")
    os.makedirs(gi, exist_ok=True)
    with open(os.path.join(gi, g), "w") as f:
        f.write(f"{len(names)} {len(edges)}\n")
        f.writelines(f"{u}\t{v}\n" for u, v in edges)
    timed([a.subsim, "-func=format", f"-gname={g}", "-pdist=wc", "-dir=graphInfo"], a.work)
    indeg = collections.Counter(v for _, v in edges)
    d = os.path.join(a.work, f"imm_{g}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "attribute.txt"), "w") as f:
        f.write(f"n={len(names)}\nm={len(edges)}\n")
    with open(os.path.join(d, "graph_ic.inf"), "w") as f:
        f.writelines(f"{u} {v} {1.0 / indeg[v]:.10g}\n" for u, v in edges)
    rgraph = os.path.join(a.work, g + ".rgraph")
    timed([a.bin, "--quiet", "convert", os.path.join(a.data, g + ".txt"), rgraph])
    return names


def write_seeds(a, name, seeds):
    path = os.path.join(a.work, "seeds", name)
    with open(path, "w") as f:
        f.write("\n".join(seeds) + "\n")
    return path


def run_graph(a, g, names, rows):
    out, wall, cpu = timed(
        [a.imm, "-dataset", f"imm_{g}/", "-k", str(a.k), "-model", "IC", "-epsilon", "0.1",
         "-epsilon1", "0.001"],
        a.work,
    )
    seeds = re.search(r"g\.seedSet=([\d ]+)", out).group(1).split()
    own = float(re.search(r"Spend\s+([\d.e+-]+) seconds on InfluenceMaximize", out).group(1))
    imm = write_seeds(a, f"{g}.imm", [names[int(x)] for x in seeds])
    rows.append(dict(g=g, code="IMM", par="0.1", cpu=cpu, wall=wall, own=own, sets=None,
                     file=imm))
    for i in range(a.runs):
        for eps in a.eps:
            out, wall, cpu = timed(
                [a.subsim, "-func=im", f"-gname={g}", f"-seedsize={a.k}", f"-eps={eps}",
                 "-dir=graphInfo", "-outpath=result"],
                a.work,
            )
            with open(os.path.join(a.work, "result", "seed", f"seed_{g}_subsim_k{a.k}_wc")) as f:
                seeds = [names[int(x)] for x in f.read().split()]
            rows.append(dict(
                g=g, code="SUBSIM", par=f"ε = {eps}", cpu=cpu, wall=wall,
                own=float(re.search(r"Time \(sec\): ([\d.e+-]+)", out).group(1)),
                sets=int(re.findall(r"#RR sets: (\d+)", out)[-1]),
                seeds=seeds, file=write_seeds(a, f"{g}.subsim{eps}.{i}", seeds),
            ))
        for tol in a.tolerances:
            out, wall, cpu = timed([
                a.bin, "--quiet", "select", "--graph", os.path.join(a.work, g + ".rgraph"),
                "--weights", "wc", "-k", str(a.k), "--epsilon", "0.1", "--mode", "quality",
                "--tolerance", str(tol), "--seed", str(a.first_seed + i),
                "--threads", str(a.threads), "--json",
            ])
            d = json.loads(out)
            seeds = [str(x) for x in d["seeds"]]
            floor = -(-TOLERANCE_FLOOR // (tol * tol))
            rows.append(dict(
                g=g, code="quality", par=f"tolerance {tol} ({floor / 1000:.0f}k)", cpu=cpu, wall=wall,
                own=d["time_s"], sets=d["rr_sets"],
                seeds=seeds, file=write_seeds(a, f"{g}.rg{tol}.{i}", seeds),
            ))


def score(a, g, rows):
    """Each run's spread over IMM's on one set of common RR sets (`compare` takes 64 sets)."""
    imm = next(r["file"] for r in rows if r["g"] == g and r["code"] == "IMM")
    rest = [r for r in rows if r["g"] == g and r["code"] != "IMM"]
    # IMM's seeds head every call; the same --seed gives every call the same common sets.
    step = COMPARE_MAX_SETS - 1
    for b in range(0, len(rest), step):
        batch = rest[b:b + step]
        cmd = [a.bin, "--quiet", "compare", "--graph", os.path.join(a.work, g + ".rgraph"),
               "--weights", "wc", "--samples", str(a.samples), "--seed", "9001", "--json",
               "--seeds", imm]
        for r in batch:
            cmd += ["--seeds", r["file"]]
        d = json.loads(timed(cmd)[0])
        base = d["sets"][0]["mean"]
        for r, s, diff in zip(batch, d["sets"][1:], d["differences"]):
            r["ratio"] = s["mean"] / base
            # Below 99.5% by more than two standard errors of the paired difference.
            r["clear_miss"] = s["mean"] - 0.995 * base < -2 * diff["stderr"]


def table(rows):
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault((r["g"], r["code"], r["par"]), []).append(r)
    med = statistics.median
    print("| graph | code | setting | sets | CPU | × SUBSIM ε = 0.1 CPU | own time | × SUBSIM own "
          "| wall | × SUBSIM wall | % of IMM: mean | lowest | runs below 99.5% (clearly) "
          "| distinct seed sets |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- "
          "| ---: |")
    for g in GRAPHS:
        base = groups.get((g, "SUBSIM", "ε = 0.1"))
        for (gg, code, par), v in groups.items():
            if gg != g:
                continue
            cpu, own, wall = (med(r[c] for r in v) for c in ("cpu", "own", "wall"))
            xs = tuple(f"{x / med(r[c] for r in base):.2f}×" if base else ""
                       for x, c in ((cpu, "cpu"), (own, "own"), (wall, "wall")))
            if code == "IMM":
                print(f"| {g} | IMM | ε = 0.1 | | {cpu * 1e3:.1f} ms | {xs[0]} | {own * 1e3:.1f} ms "
                      f"| {xs[1]} | {wall * 1e3:.1f} ms | {xs[2]} | 100 (reference) | | | 1 |")
                continue
            pct = [r["ratio"] * 100 for r in v]
            below = sum(r["ratio"] < 0.995 for r in v)
            clear = sum(r["clear_miss"] for r in v)
            distinct = len({tuple(r["seeds"]) for r in v})
            print(f"| {g} | {code} | {par} | {med(r['sets'] for r in v):,.0f} | {cpu * 1e3:.1f} ms "
                  f"| {xs[0]} | {own * 1e3:.1f} ms | {xs[1]} | {wall * 1e3:.1f} ms | {xs[2]} "
                  f"| {statistics.mean(pct):.2f} "
                  f"| {min(pct):.2f} | {below} of {len(v)} ({clear}) | {distinct} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subsim", required=True, help="SUBSIM's binary")
    ap.add_argument("--imm", required=True, help="IMM's imm_discrete_nok binary")
    ap.add_argument("--data", default=os.environ.get("REACHGRAPH_DATA", "../shared/data"))
    ap.add_argument("--bin", default="target/release/reachgraph")
    ap.add_argument("--work", default="/tmp/reachgraph-reference-quality")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1,
                    help="reachgraph's seed of the first run (run i uses this plus i)")
    ap.add_argument("-k", dest="k", type=int, default=50)
    ap.add_argument("--eps", default="0.1,0.05,0.02,0.01,0.001",
                    help="SUBSIM's ε values, comma-separated (0.1 is the baseline)")
    ap.add_argument("--tolerances", default="0.005,0.0070711",
                    help="quality mode's --tolerance values, comma-separated")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--samples", type=int, default=134_217_728,
                    help="common RR sets per graph for the scores")
    ap.add_argument("--json", help="also write every run's row to this file")
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        print(f"skipped: the data folder {a.data} is absent (set --data or REACHGRAPH_DATA)")
        return 0
    a.eps = [float(x) for x in a.eps.split(",")]
    if 0.1 not in a.eps:
        a.eps.insert(0, 0.1)
    a.tolerances = [float(x) for x in a.tolerances.split(",")]
    a.subsim, a.imm, a.bin = (os.path.abspath(p) for p in (a.subsim, a.imm, a.bin))
    a.data = os.path.abspath(a.data)
    for d in ("seeds", "result/seed"):
        os.makedirs(os.path.join(a.work, d), exist_ok=True)
    for f in glob.glob(os.path.join(a.work, "seeds", "*")):
        os.remove(f)
    rows = []
    for g in GRAPHS:
        names = prepare(a, g)
        run_graph(a, g, names, rows)
        score(a, g, rows)
        print(f"{g}: {sum(r['g'] == g for r in rows)} runs scored", file=sys.stderr, flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
