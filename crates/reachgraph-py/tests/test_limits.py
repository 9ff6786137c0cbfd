"""Resources bounded before they are spent (issue 14, class 2): every parameter that sizes work,
at its extremes, raises a ``ReachgraphError`` subclass at once, naming the parameter; none
aborts or kills the interpreter, none runs on.

Each case runs in a fresh interpreter under a 2 GiB address-space limit
(``resource.setrlimit``) and a deadline, so an abort, an out-of-memory kill or a hang fails
the case instead of taking the test run down with it.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap

import pytest

ADDRESS_LIMIT = 2 << 30
DEADLINE_S = 30
MAX = 2**64 - 1

PRELUDE = """
import reachgraph as rg
g = rg.read_edgelist("tests/fixtures/graphs/campaign.txt",
                     attributes="tests/fixtures/graphs/campaign.attrs.csv", weights="const:0.5")
seeds = ["ig_star", "ig_c"]
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))


def outcome(call: str, tmp_path) -> tuple[str, str]:
    """Runs ``call`` after the prelude in a limited interpreter; returns the class name of what
    it raised (``"ok"`` for nothing) and the message."""
    script = PRELUDE + textwrap.dedent(
        f"""
        import sys
        try:
            {call}
        except rg.ReachgraphError as e:
            print(type(e).__name__); print(e)
        except BaseException as e:
            print("NOT-REACHGRAPH:" + type(e).__name__); print(e)
        else:
            print("ok")
        """
    )
    (tmp_path / "pairs.txt").write_text("a x\nb y\nc z\n")
    script = script.replace("TMP", str(tmp_path))
    p = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        preexec_fn=_limit,
    )
    assert p.returncode == 0, f"interpreter died ({p.returncode}) on {call}: {p.stderr[-2000:]}"
    lines = p.stdout.strip().splitlines()
    return lines[0], "\n".join(lines[1:])


CASES = [
    # (call, exception class, text the message holds)
    ("g.spread(seeds, trials=0)", "InvalidParameterError", "trials"),
    (f"g.spread(seeds, trials={MAX})", "InvalidParameterError", "trials"),
    ("g.spread(seeds, trials=10**13)", "InvalidParameterError", "trials"),
    ("g.spread(seeds, threads=0)", "InvalidParameterError", "threads"),
    ("g.spread(seeds, threads=10000)", "InvalidParameterError", "threads"),
    ("g.select(k=2, epsilon=1e-9)", "InvalidParameterError", "epsilon"),
    ("g.select(k=2, mode='quality', tolerance=0)", "InvalidParameterError", "tolerance"),
    ("g.select(k=2, mode='quality', tolerance=1e-12)", "InvalidParameterError", "tolerance"),
    ("g.select(k=2, threads=10000)", "InvalidParameterError", "threads"),
    ("g.select(k=2, memory_limit_bytes=0)", "InvalidParameterError", "memory_limit"),
    ("g.evaluate(seeds, rr_sets=0)", "InvalidParameterError", "rr_sets"),
    (f"g.evaluate(seeds, rr_sets={MAX})", "InvalidParameterError", "rr_sets"),
    ("g.evaluate(seeds, rr_sets=10**10)", "MemoryLimitError", "10000000000 RR sets"),
    ("g.evaluate(seeds, rr_sets=200000, memory_limit_bytes=1024)", "MemoryLimitError", "1024"),
    ("g.evaluate(seeds, threads=10000)", "InvalidParameterError", "threads"),
    ("g.margin(seeds, posts_per_creator=0)", "InvalidParameterError", "posts"),
    ("g.margin(seeds, posts_per_creator=2**32-1)", "InvalidParameterError", "posts"),
    ("g.margin(seeds, draws=0)", "InvalidParameterError", "draws"),
    (f"g.margin(seeds, draws={MAX})", "InvalidParameterError", "draws"),
    ("g.margin(seeds, draws=10**8)", "MemoryLimitError", "draws"),
    ("g.margin(seeds, threads=10000)", "InvalidParameterError", "threads"),
    ("rg.Sketches.from_stream('TMP/pairs.txt', chunk_bytes=0)", "InvalidParameterError", "chunk_bytes"),
    ("rg.Sketches.from_stream('TMP/pairs.txt', chunk_bytes=20000 << 20)", "InvalidParameterError", "chunk_bytes"),
    (f"rg.Sketches.from_stream('TMP/pairs.txt', chunk_bytes={MAX})", "InvalidParameterError", "chunk_bytes"),
    ("rg.Sketches.from_stream('TMP/pairs.txt', chunk_bytes=1 << 30)", "MemoryLimitError", "read chunk"),
    ("rg.generate_scenario(edges=10**8)", "MemoryLimitError", "edges"),
    (f"rg.generate_scenario(edges={MAX})", "MemoryLimitError", "edges"),
    (
        "rg.run_request({'version': 1, 'type': 'evaluate', 'graph': {'path': "
        "'tests/fixtures/graphs/campaign.txt', 'weights': 'const:0.5'}, 'model': 'ic', "
        "'seeds': ['ig_star'], 'rr_sets': 10**10})",
        "MemoryLimitError",
        "RR sets",
    ),
]


@pytest.mark.parametrize("call,kind,text", CASES, ids=[c[0][:60] for c in CASES])
def test_extreme_sizes_raise_typed_errors(call, kind, text, tmp_path):
    got, message = outcome(call, tmp_path)
    assert got == kind, f"{call}: {got}: {message}"
    assert text in message, f"{call}: {message}"


def test_ordinary_sizes_still_run(tmp_path):
    for call in [
        "g.spread(seeds, trials=1000, threads=2)",
        "g.evaluate(seeds, rr_sets=1000, memory_limit_bytes=64 << 20)",
        "rg.Sketches.from_stream('TMP/pairs.txt', chunk_bytes=1 << 20)",
    ]:
        assert outcome(call, tmp_path)[0] == "ok", call
