#!/usr/bin/env python3
"""Issue 18's scaling table: one release binary, generated populations of N edges, one row per step.

For each size N (`generate --edges N --seed 1`) the script runs, each as a fresh process of the
release CLI in the work folder (`--dir`):

    generate  generate --edges N --seed 1 --out gN.txt          (text + gN.txt.attrs.csv; at 1B
              generate --out gN.rgraph instead: text is refused there by design, and the convert
              row is skipped)
    convert   convert gN.txt gN.rgraph --attributes gN.txt.attrs.csv
    load      reach --graph gN.rgraph --seeds first.N           (one existing id: the account with
              dense id 0, a few milliseconds of reach; the process is the load)
    reach5000 reach --graph gN.rgraph --seeds top5000.N --json  (exact reach of the 5,000 largest)
    sketch    sketch build --graph gN.rgraph --out gN.sketch --json   (all accounts, default size)
    guarantee select --graph gN.rgraph --weights wc -k 50 --epsilon 0.1 --mode guarantee
              --threads 2 --seed 1 --json
    quality   the same with --mode quality
    ic        spread --graph gN.rgraph --weights wc --seeds top50.N --trials T --threads 2 --seed 1
              --json; T = 10,000 when a 128-trial pilot (two chunks of 64 trials, one per thread:
              a 64-trial pilot would run on one thread) says it fits in --ic-budget seconds, else
              the pilot itself, and the 10,000-trial time is extrapolated linearly (marked so)

`top5000.N` / `top50.N` are the 5,000 / 50 accounts with the most out-edges (the most followers
in the graph), ties by the smaller id, read from the `.rgraph` file's out-offsets section (the
file layout is in crates/reachgraph-core/src/rgraph.rs). Every row records wall time, user and
system CPU and peak RSS of the child (`os.wait4`), and the answer. Each command has a timeout
(`--timeout`) and an RSS guard (`--max-rss-gib`, polled from /proc every 0.2 s): a killed row
says so. Growth exponents between consecutive sizes are log10(ratio) / log10(edge ratio).

Sizes whose files exist are reused with `--reuse` (their generate/convert rows are then not
run); without it, a selected generate or convert row runs again. Results merge into the
`--json-out` file, so one row can be measured again and the whole table reprinted
(`--table-only`).

    cargo build --release -p reachgraph-cli
    python3 benches/scaling.py --dir DIR --sizes 1e6,1e7,1e8 --delete-text --json-out scaling.json
    flock /tmp/rg/1b.lock python3 benches/scaling.py --dir DIR --sizes 1e9 \
        --link 1e9=/path/g1b.rgraph --only load,reach5000,sketch,guarantee,quality,ic --json-out scaling.json
    python3 benches/scaling.py --dir DIR --sizes 1e8 --direct --json-out scaling.json  # generated .rgraph
    python3 benches/scaling.py --dir DIR --sizes 1e6,1e7,1e8 --only convert --json-out scaling.json
    python3 benches/scaling.py --json-out scaling.json --table-only
"""
import argparse
import json
import math
import mmap
import operator
import os
import signal
import struct
import subprocess
import sys
import threading
import time

ROWS = ["generate", "convert", "load", "reach5000", "sketch", "guarantee", "quality", "ic"]
TITLES = {
    "generate": "generate (text + attributes, or the `.rgraph` directly)",
    "convert": "convert text → `.rgraph` (`--attributes`)",
    "load": "load (`reach` of one account)",
    "reach5000": "exact reach of the 5,000 largest",
    "sketch": "sketch build (all accounts, lg_k 14)",
    "guarantee": "select guarantee, k = 50, ε = 0.1, 2 threads",
    "quality": "select quality, k = 50, ε = 0.1, 2 threads",
    "ic": "10,000 IC trials (wc, the 50 largest), 2 threads",
}
IC_FULL = 10_000
KIND_OUT_OFFSETS, KIND_IDS_INT, KIND_IDS_TEXT_OFFSETS, KIND_IDS_TEXT = 1, 10, 11, 12


def label(n: int) -> str:
    for div, suf in ((10**9, "b"), (10**6, "m"), (10**3, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{suf}"
    return str(n)


def read_rgraph(path):
    """Header counts and sections {kind: (elem, offset, length)} of a `.rgraph` file."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:8] != b"\x89RGRAPH\n":
            raise SystemExit(f"{path}: not a .rgraph file")
        version, _flags, n, m, nsec = struct.unpack_from("<IIQQI", head, 8)
        table = f.read(32 * nsec)
    secs = {}
    for i in range(nsec):
        kind, elem, off, length, _crc, _z = struct.unpack_from("<IIQQII", table, 32 * i)
        secs[kind] = (elem, off, length)
    return version, n, m, secs


def top_accounts(path, k):
    """The k accounts with the most out-edges (ties by the smaller id), as (id text, out-degree).

    Ties by id: integer ids numerically, text ids (what `generate --out X.txt` writes, e.g.
    `ig:p4`) in byte order; every account tied with the k-th largest degree is kept until the
    ids are known.

    Reads the out-offsets section by a memory map, a million rows at a time; the degrees and the
    comparisons run inside C iterators (map, itertools.compress), so 133M accounts take seconds.
    """
    import itertools

    _v, n, m, secs = read_rgraph(path)
    _e, off, length = secs[KIND_OUT_OFFSETS]
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        offs = memoryview(mm)[off:off + length].cast("Q")
        best = []  # (-deg, dense): the k largest degrees so far and every account tied with the k-th
        thr = 0
        step = 1 << 20
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            degs = list(map(operator.sub, offs[lo + 1:hi + 1], offs[lo:hi]))
            keep = itertools.compress(range(lo, hi), map(thr.__le__, degs))
            best.extend((-degs[i - lo], i) for i in keep)
            if len(best) > k:
                best.sort()
                thr = -best[k - 1][0]
                while -best[-1][0] < thr:
                    best.pop()
        offs.release()
        ids = external_ids(mm, secs, [d for _, d in best])
    # Ties by id (integers numerically, text ids in byte order), then the first k.
    rows = sorted(zip(ids, (-g for g, _ in best)), key=lambda r: (-r[1], id_key(r[0])))[:k]
    return rows, n, m


def first_account(path):
    _v, _n, _m, secs = read_rgraph(path)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return external_ids(mm, secs, [0])[0]


def id_key(s):
    try:
        return (0, int(s), "")
    except ValueError:
        return (1, 0, s)


def external_ids(mm, secs, dense):
    if KIND_IDS_INT in secs:
        _e, off, _l = secs[KIND_IDS_INT]
        return [str(struct.unpack_from("<q", mm, off + 8 * d)[0]) for d in dense]
    if KIND_IDS_TEXT_OFFSETS in secs:
        _e, toff, _l = secs[KIND_IDS_TEXT_OFFSETS]
        _e, text, _l = secs[KIND_IDS_TEXT]
        out = []
        for d in dense:
            a, b = struct.unpack_from("<QQ", mm, toff + 8 * d)
            out.append(mm[text + a:text + b].decode())
        return out
    return [str(d) for d in dense]


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(cmd, cwd, timeout, max_rss_kib, stdout_path):
    """Run cmd; wall, user, sys, peak RSS (MiB), exit status and why it was killed (if it was)."""
    with open(stdout_path, "wb") as out, open(stdout_path + ".err", "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        killed = []
        done = threading.Event()

        def guard():  # the timeout and the RSS guard, beside the blocking wait
            while not done.wait(0.2):
                el = time.monotonic() - t0
                if el > timeout:
                    killed.append(f"killed at the {timeout:.0f} s timeout")
                elif rss_kib(p.pid) > max_rss_kib:
                    killed.append(f"killed above {max_rss_kib / 2**20:.1f} GiB RSS")
                else:
                    continue
                os.kill(p.pid, signal.SIGKILL)
                return

        g = threading.Thread(target=guard, daemon=True)
        g.start()
        _pid, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        done.set()
        g.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        killed = killed[0] if killed else None
    r = {"cmd": " ".join(cmd), "wall_s": round(wall, 3), "user_s": round(ru.ru_utime, 3),
         "sys_s": round(ru.ru_stime, 3), "rss_mib": round(ru.ru_maxrss / 1024, 1),
         "exit": p.returncode}
    if killed:
        r["killed"] = killed
    elif p.returncode != 0:
        with open(stdout_path + ".err", "rb") as e:
            r["error"] = e.read().decode(errors="replace").strip().splitlines()[-1:]
    return r


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fmt_num(x):
    return f"{x:,.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/reachgraph")
    ap.add_argument("--dir", default=".", help="work folder (created)")
    ap.add_argument("--sizes", default="1e6,1e7,1e8", help="edge counts, e.g. 1e6,1e7,1e8,1e9")
    ap.add_argument("--only", default=",".join(ROWS), help="rows to run: " + ",".join(ROWS))
    ap.add_argument("--reuse", action="store_true",
                    help="reuse gN.txt / gN.rgraph files that exist (their generate/convert rows are then not run)")
    ap.add_argument("--link", action="append", default=[],
                    help="SIZE=PATH: use an existing .rgraph for that size (symlinked as gN.rgraph)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per command")
    ap.add_argument("--max-rss-gib", type=float, default=20)
    ap.add_argument("--ic-budget", type=float, default=600,
                    help="run 10,000 IC trials only when the pilot predicts at most this many seconds")
    ap.add_argument("--ic-pilot", type=int, default=128,
                    help="pilot trials (a multiple of 64, a chunk of trials; at least one chunk per "
                         "thread, or the pilot runs on fewer threads than the full run)")
    ap.add_argument("--direct", action="store_true",
                    help="generate the .rgraph directly (generate --out gN-rg.rgraph, as at 1B) and skip convert")
    ap.add_argument("--delete-text", action="store_true", help="delete gN.txt and its attributes after convert")
    ap.add_argument("--json-out")
    ap.add_argument("--table-only", action="store_true", help="print the table of --json-out and run nothing")
    a = ap.parse_args()
    if a.table_only:
        print_table(load_json(a.json_out))
        return 0

    binary = os.path.abspath(a.bin)
    os.makedirs(a.dir, exist_ok=True)
    only = [r.strip() for r in a.only.split(",") if r.strip()]
    for r in only:
        if r not in ROWS:
            raise SystemExit(f"unknown row {r}; rows: {','.join(ROWS)}")
    sizes = [int(float(s)) for s in a.sizes.split(",")]
    links = {int(float(k)): os.path.abspath(v) for k, v in (s.split("=", 1) for s in a.link)}
    max_rss = int(a.max_rss_gib * 2**20)
    rev = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    results = {"binary": binary, "version": rev, "sizes": []}
    if a.json_out and os.path.exists(a.json_out):
        prev = load_json(a.json_out)
        if prev:
            results = prev
            results["binary"], results["version"] = binary, rev

    def size_entry(n, direct):
        for s in results["sizes"]:
            if s["edges_asked"] == n and s.get("direct", n >= 10**9) == direct:
                return s
        s = {"edges_asked": n, "direct": direct, "rows": {}}
        results["sizes"].append(s)
        return s

    for n in sizes:
        big = n >= 10**9
        direct = a.direct or big
        L = label(n) + ("-rg" if direct and not big else "")
        S = size_entry(n, direct)
        S.setdefault("runs", []).append({"start_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                                         "loadavg_start": loadavg(), "rows": only})
        rows = S["rows"]
        txt, rg = f"g{L}.txt", f"g{L}.rgraph"
        p = lambda f: os.path.join(a.dir, f)  # noqa: E731
        log = lambda msg: print(f"[{time.strftime('%H:%M:%S', time.gmtime())} {L}] {msg}",  # noqa: E731
                                file=sys.stderr, flush=True)
        if n in links:
            if not os.path.lexists(p(rg)):
                os.symlink(links[n], p(rg))
        q = [binary, "--quiet"]

        def step(name, cmd, out=None):
            la = loadavg()
            log(f"{name}: {' '.join(cmd[2:])} (load {la})")
            r = run(cmd, a.dir, a.timeout, max_rss, p(out or f"out.{name}.{L}"))
            r["loadavg_start"] = la
            r["start_utc"] = time.strftime("%H:%M:%S", time.gmtime(time.time() - r["wall_s"]))
            rows[name] = r
            log(f"{name}: {r['wall_s']} s, {r['rss_mib']} MiB{', ' + r.get('killed', '') if 'killed' in r else ''}")
            return r

        # generate
        need_txt = ("convert" in only or "generate" in only) and not direct
        if direct:
            rows["convert"] = {"skipped": ("not run: no text file at 1B" if big else "not run")
                               + " (generate writes the .rgraph directly)"}
            if not os.path.exists(p(rg)) or (not a.reuse and n not in links and "generate" in only):
                step("generate", q + ["generate", "--edges", str(n), "--seed", "1", "--out", rg])
            elif "generate" in only:
                rows.setdefault("generate", {"skipped": f"reused {os.path.realpath(p(rg))}"})
        else:
            have_txt = os.path.exists(p(txt)) and os.path.exists(p(txt + ".attrs.csv"))
            if ("generate" in only and not (a.reuse and have_txt)) or (need_txt and not have_txt
                                                                       and not (a.reuse and os.path.exists(p(rg)))):
                step("generate", q + ["generate", "--edges", str(n), "--seed", "1", "--out", txt])
                rows["generate"]["bytes"] = os.path.getsize(p(txt)) + os.path.getsize(p(txt + ".attrs.csv"))
            elif "generate" in only:
                rows.setdefault("generate", {"skipped": "reused"})
            if ("convert" in only and not (a.reuse and os.path.exists(p(rg)))) or not os.path.exists(p(rg)):
                r = step("convert", q + ["convert", txt, rg, "--attributes", txt + ".attrs.csv"])
                if os.path.exists(p(rg)):
                    r["bytes"] = os.path.getsize(p(rg))
            elif "convert" in only:
                rows.setdefault("convert", {"skipped": "reused"})
            if a.delete_text and os.path.exists(p(rg)):
                for f in (txt, txt + ".attrs.csv", txt + ".costs.csv", txt + ".creators.csv"):
                    if os.path.exists(p(f)):
                        os.remove(p(f))
        if not os.path.exists(p(rg)):
            log("no .rgraph file; size skipped")
            continue

        _v, accounts, edges, _s = read_rgraph(p(rg))
        S.update(accounts=accounts, edges=edges, rgraph_bytes=os.path.getsize(p(rg)))
        t0 = time.monotonic()
        top, _, _ = top_accounts(p(rg), 5000)
        S["top_seconds"] = round(time.monotonic() - t0, 1)
        with open(p(f"top5000.{L}"), "w") as f:
            f.write("".join(i + "\n" for i, _ in top))
        with open(p(f"top50.{L}"), "w") as f:
            f.write("".join(i + "\n" for i, _ in top[:50]))
        with open(p(f"first.{L}"), "w") as f:
            f.write(first_account(p(rg)) + "\n")
        S["top5000_summed_out_edges"] = sum(d for _, d in top)
        log(f"{accounts} accounts, {edges} edges; top lists in {S['top_seconds']} s")

        if "load" in only:
            step("load", q + ["reach", "--graph", rg, "--seeds", f"first.{L}", "--json"])
        if "reach5000" in only:
            r = step("reach5000", q + ["reach", "--graph", rg, "--seeds", f"top5000.{L}", "--json"])
            j = load_json(p(f"out.reach5000.{L}"))
            if j:
                r["answer"] = {k: j.get(k) for k in ("unique_reach", "summed_followers", "seeds") if k in j}
        if "sketch" in only:
            sk = f"g{L}.sketch"
            r = step("sketch", q + ["sketch", "build", "--graph", rg, "--out", sk, "--json"])
            if os.path.isdir(p(sk)):
                r["bytes"] = sum(os.path.getsize(os.path.join(p(sk), f)) for f in os.listdir(p(sk)))
                for f in os.listdir(p(sk)):
                    os.remove(os.path.join(p(sk), f))
                os.rmdir(p(sk))
            j = load_json(p(f"out.sketch.{L}"))
            if j:
                r["answer"] = {k: v for k, v in j.items() if not isinstance(v, (list, dict))}
        for mode in ("guarantee", "quality"):
            if mode in only:
                r = step(mode, q + ["select", "--graph", rg, "--weights", "wc", "-k", "50", "--epsilon", "0.1",
                                    "--mode", mode, "--threads", "2", "--seed", "1", "--json"])
                j = load_json(p(f"out.{mode}.{L}"))
                if j:
                    r["answer"] = {k: j.get(k) for k in ("time_s", "rr_sets", "estimate", "stopped_by",
                                                         "approximation", "guarantee", "peak_rr_bytes")
                                   if k in j}
        if "ic" in only:
            def ic(trials, name):
                r = step(name, q + ["spread", "--graph", rg, "--weights", "wc", "--seeds", f"top50.{L}",
                                    "--trials", str(trials), "--threads", "2", "--seed", "1", "--json"])
                r["trials"] = trials
                j = load_json(p(f"out.{name}.{L}"))
                if j:
                    r["answer"] = {k: j.get(k) for k in ("trials", "mean", "stderr", "accounts") if k in j}
                return r
            pilot = ic(a.ic_pilot, "ic_pilot")
            # `spread` reports no time of its own: the trials' share of the pilot is its wall time
            # less this size's load row (same file, same page cache), when that row was measured.
            load_wall = (rows.get("load") or {}).get("wall_s", 0.0) if "load" in only else 0.0
            trials_wall = max(pilot["wall_s"] - load_wall, 0.0)
            predicted = load_wall + trials_wall * IC_FULL / a.ic_pilot
            pilot["predicted_10000_wall_s"] = round(predicted, 1)
            if "killed" not in pilot and pilot.get("exit") == 0 and predicted <= a.ic_budget:
                ic(IC_FULL, "ic")
            else:
                cpu = pilot["user_s"] + pilot["sys_s"]
                load_cpu = 0.0
                if load_wall:
                    load_cpu = rows["load"]["user_s"] + rows["load"]["sys_s"]
                rows["ic"] = dict(pilot, extrapolated=True, extrapolated_wall_s=round(predicted, 1),
                                  extrapolated_cpu_s=round(load_cpu + max(cpu - load_cpu, 0) * IC_FULL
                                                           / a.ic_pilot, 1))
        if a.json_out:
            with open(a.json_out, "w") as f:
                json.dump(results, f, indent=1)

    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(results, f, indent=1)
    print_table(results)
    return 0


def answer_text(name, r):
    ans = r.get("answer") or {}
    if name == "reach5000":
        v = ans.get("unique_reach")
        return (f"{fmt_num(v)} graph people ({fmt_num(ans.get('summed_followers', 0))} summed followers)"
                if isinstance(v, (int, float)) else "")
    if name in ("guarantee", "quality"):
        est = ans.get("estimate") or {}
        s = f"{fmt_num(ans.get('rr_sets', 0))} sets, {fmt_num(est.get('mean', 0))} ± {fmt_num(est.get('stderr', 0))}"
        if ans.get("approximation") is not None:
            s += f", approximation {ans['approximation']:.3f}"
        if ans.get("stopped_by"):
            s += f", stopped by `{ans['stopped_by']}`"
        return s
    if name in ("ic", "ic_pilot"):
        m, se = ans.get("mean"), ans.get("stderr")
        return f"{fmt_num(m)} ± {fmt_num(se)} ({r.get('trials')} trials)" if m is not None else ""
    return ""


def secs(x):
    return f"{x:.2f} s" if x < 10 else f"{x:,.1f} s"


def cell(name, r):
    if r is None:
        return "not run"
    if "skipped" in r:
        return r["skipped"]
    if "killed" in r:
        return f"{r['killed']} after {r['wall_s']:.1f} s ({r['rss_mib']:,.0f} MiB)"
    if r.get("exit", 0) != 0:
        return f"failed (exit {r['exit']}): {' '.join(r.get('error', []))}"
    if r.get("extrapolated"):
        s = (f"**{r['extrapolated_wall_s']:,.0f} s, {r['extrapolated_cpu_s']:,.0f} s CPU: extrapolated** "
             f"from {r['trials']} trials measured at {r['wall_s']:.1f} s ({r['user_s'] + r['sys_s']:.1f} s CPU), "
             f"{r['rss_mib']:,.0f} MiB")
    else:
        s = f"{r['wall_s']:.2f} s ({secs(r['user_s'] + r['sys_s'])} CPU), {r['rss_mib']:,.0f} MiB"
    ts = (r.get("answer") or {}).get("time_s")
    if ts is not None:
        s += f"; `time_s` {ts:.2f}"
    return s


def measure(r):
    """(wall time, CPU time, RSS) for growth exponents, or None."""
    if not r or "skipped" in r or "killed" in r or r.get("exit", 0) != 0:
        return None
    if r.get("extrapolated"):
        return r["extrapolated_wall_s"], r["extrapolated_cpu_s"], r["rss_mib"]
    return r["wall_s"], r["user_s"] + r["sys_s"], r["rss_mib"]


def print_table(results):
    def is_direct(s):
        return s.get("direct", s["edges_asked"] >= 10**9)

    def colname(s):
        return label(s["edges_asked"]).upper() + (" generated `.rgraph`" if is_direct(s) and s["edges_asked"] < 10**9
                                                  else "")

    sizes = sorted((s for s in results["sizes"] if "edges" in s), key=lambda s: (s["edges_asked"], is_direct(s)))
    if not sizes:
        return
    head = ["step"] + [f"{colname(s)}: {s['edges']:,} edges, {s['accounts']:,} accounts" for s in sizes]
    # Growth from the next smaller size made the same way (text + convert, or generated `.rgraph`);
    # 1B (always generated) falls back to the text-made size when no generated one is there.
    pairs = []
    for y in sizes:
        smaller = [x for x in sizes if x["edges_asked"] < y["edges_asked"]]
        if not smaller:
            continue
        prev = [x for x in smaller if x["edges_asked"] == smaller[-1]["edges_asked"]]
        same = [x for x in prev if is_direct(x) == is_direct(y)]
        if same or y["edges_asked"] >= 10**9:
            pairs.append(((same or prev)[0], y))
    head += [f"growth {colname(x)} → {colname(y)}" for x, y in pairs]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name in ROWS:
        cells = [TITLES[name]] + [cell(name, s["rows"].get(name)) for s in sizes]
        for x, y in pairs:
            mx, my = measure(x["rows"].get(name)), measure(y["rows"].get(name))
            if mx and my and min(mx + my) > 0:
                e = math.log10(y["edges"] / x["edges"])
                ex = any((z["rows"].get(name) or {}).get("extrapolated") for z in (x, y))
                g = [math.log10(b / a) / e for a, b in zip(mx, my)]
                cells.append(f"time {g[0]:.2f}, CPU {g[1]:.2f}, RSS {g[2]:.2f}{' (extrapolated)' if ex else ''}")
            else:
                cells.append("")
        print("| " + " | ".join(cells) + " |")
    print()
    print("| answer | " + " | ".join(head[1:1 + len(sizes)]) + " |")
    print("|" + "---|" * (1 + len(sizes)))
    for name in ("reach5000", "sketch", "guarantee", "quality", "ic"):
        cells = [TITLES[name]]
        for s in sizes:
            r = s["rows"].get(name) or {}
            if name == "sketch":
                a = r.get("answer") or {}
                cells.append(f"{r['bytes'] / 1e6:,.0f} MB written, {fmt_num(a.get('total_hashes', 0))} hashes"
                             if "bytes" in r else "")
            else:
                cells.append(answer_text(name, r))
        print("| " + " | ".join(cells) + " |")
    print()
    for s in sizes:
        runs = s.get("runs") or [{"start_utc": s.get("start_utc"), "loadavg_start": s.get("loadavg_start")}]
        starts = "; ".join(f"{r['start_utc']} UTC, load average {r['loadavg_start']}" for r in runs)
        print(f"- {colname(s)}: `.rgraph` {s['rgraph_bytes']:,} bytes; started {starts}")


if __name__ == "__main__":
    sys.exit(main())
