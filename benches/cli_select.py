#!/usr/bin/env python3
"""Cold single-run times of `reachgraph select`, as the acceptance checks measure them.

Each run is a fresh process (graph loading excluded: `time_s` starts after it), so allocator
and page-fault costs that an in-process benchmark amortizes are included. Prints a markdown
table of the median and the fastest `time_s` over `--runs` runs per graph and mode.

    cargo build --release -p reachgraph-cli
    python3 benches/cli_select.py --runs 11 [--data ../shared/data] [--threads 2]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

GRAPHS = ["soc-Epinions1.txt", "nethept.txt", "wiki-Vote.txt"]
# The reference OPIM-C ε = 0.1 time per graph on this machine (issue 4), in seconds.
BARS = {"soc-Epinions1.txt": 0.064, "nethept.txt": 0.066, "wiki-Vote.txt": 0.014}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.environ.get("REACHGRAPH_DATA", "../shared/data"))
    ap.add_argument("--bin", default="target/release/reachgraph")
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        print(f"skipped: shared data folder {a.data} not found")
        return 0
    print("| graph | mode | runs | time_s median | fastest | RR sets | estimate | bar (OPIM-C ε=0.1) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for g in GRAPHS:
        path = os.path.join(a.data, g)
        if not os.path.exists(path):
            print(f"| {g} | skipped: not found | | | | | | |")
            continue
        for mode in ["guarantee", "quality"]:
            times, last = [], None
            for _ in range(a.runs):
                out = subprocess.run(
                    [a.bin, "select", "--graph", path, "--weights", "wc", "--model", "ic",
                     "-k", "50", "--epsilon", "0.1", "--mode", mode, "--seed", "1",
                     "--threads", str(a.threads), "--json"],
                    check=True, capture_output=True, text=True).stdout
                last = json.loads(out)
                times.append(last["time_s"])
            print(f"| {g} | {mode} | {a.runs} | {statistics.median(times) * 1e3:.1f} ms "
                  f"| {min(times) * 1e3:.1f} ms | {last['rr_sets']} | {last['estimate']['mean']:.0f} "
                  f"| {BARS[g] * 1e3:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
