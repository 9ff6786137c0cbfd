"""Every entry point over a table of bad arguments: each raises the class docs/python.md names
for that mistake (a ReachgraphError subclass; TypeError only for a call Python itself rejects),
never OverflowError, KeyError, ValueError or a TypeError from inside a conversion.

Run as a script (`python crates/reachgraph-py/tests/test_bad_arguments.py`) it prints how many
calls were tried and which exception each ended in.
"""

from __future__ import annotations

import collections
import math
import pathlib
import sys

import numpy as np
import pytest

import reachgraph as rg

BIG = 2**64  # one past u64::MAX
NAN = math.nan
ROOT = pathlib.Path(__file__).resolve().parents[3]
EDGES = ROOT / "tests" / "fixtures" / "graphs" / "campaign.txt"


def _graph():
    g = rg.Graph.from_arrays(np.array([1, 1, 2, 3]), np.array([2, 3, 3, 4]), probabilities=np.full(4, 0.5, dtype=np.float32))
    g.set_attributes(ids=[1, 2, 3, 4], cost=[1.0, 2.0, 3.0, 4.0])
    return g


def _table():
    """(entry point, label, call, expected exception class) for every bad call."""
    g = _graph()
    sk = g.sketches(lg_k=6)
    P, E, L, A, M = (
        rg.InvalidParameterError,
        rg.EmptyInputError,
        rg.LengthMismatchError,
        rg.InvalidAttributeError,
        rg.MissingAttributeError,
    )
    rows = []

    def add(entry, label, call, cls):
        rows.append((entry, label, call, cls))

    # Counts given as negative, too large, float, str, bool, NaN; each entry point with counts.
    def counts(entry, call_with, cls=P):
        for label, v in [("-1", -1), ("2**64", BIG), ("1.5", 1.5), ("'3'", "3"), ("True", True), ("nan", NAN)]:
            add(entry, f"{call_with.__name__}={label}", lambda v=v, f=call_with: f(v), cls)

    def numbers(entry, call_with, cls=P):
        for label, v in [("nan", NAN), ("'0.5'", "0.5"), ("None-like []", []), ("True", True)]:
            add(entry, f"{call_with.__name__}={label}", lambda v=v, f=call_with: f(v), cls)

    # ---- Graph construction
    add("Graph.from_arrays", "2-D src", lambda: rg.Graph.from_arrays(np.ones((2, 2), dtype=np.int64), np.ones((2, 2), dtype=np.int64)), P)
    add("Graph.from_arrays", "ragged src", lambda: rg.Graph.from_arrays([[1], [1, 2]], [1, 2]), P)
    add("Graph.from_arrays", "float ids", lambda: rg.Graph.from_arrays(np.array([1.5]), np.array([2.5])), P)
    add("Graph.from_arrays", "short dst", lambda: rg.Graph.from_arrays(np.array([1, 2]), np.array([1])), L)
    add("Graph.from_arrays", "short probabilities", lambda: rg.Graph.from_arrays(np.array([1, 2]), np.array([2, 3]), probabilities=[0.5]), L)
    add("Graph.from_arrays", "str probabilities", lambda: rg.Graph.from_arrays(np.array([1]), np.array([2]), probabilities=["x"]), P)
    add("Graph.from_arrays", "2-D probabilities", lambda: rg.Graph.from_arrays(np.array([1]), np.array([2]), probabilities=[[0.5]]), P)
    add("Graph.from_arrays", "NaN probability", lambda: rg.Graph.from_arrays(np.array([1]), np.array([2]), probabilities=[NAN]), rg.InvalidProbabilityError)
    add("Graph.from_arrays", "undirected=1", lambda: rg.Graph.from_arrays(np.array([1]), np.array([2]), undirected=1), P)
    add("Graph.from_arrays", "duplicates=None", lambda: rg.Graph.from_arrays(np.array([1]), np.array([2]), duplicates=None), P)
    add("Graph.from_edges", "src=5", lambda: rg.Graph.from_edges(5, [1]), P)
    add("Graph.from_edges", "src=None", lambda: rg.Graph.from_edges(None, [1]), P)
    add("Graph.from_edges", "src='ab'", lambda: rg.Graph.from_edges("ab", "cd"), P)
    add("Graph.from_edges", "float id", lambda: rg.Graph.from_edges([1.5], [2]), P)
    add("Graph.from_edges", "probability 'x'", lambda: rg.Graph.from_edges([1], [2], probabilities=["x"]), P)
    add("Graph.from_edges", "probability NaN", lambda: rg.Graph.from_edges([1], [2], probabilities=[NAN]), rg.InvalidProbabilityError)
    add("Graph.from_edges", "probabilities=0.5", lambda: rg.Graph.from_edges([1], [2], probabilities=0.5), P)
    add("Graph.from_edges", "short dst", lambda: rg.Graph.from_edges([1, 2], [2]), L)
    add("Graph.from_pandas", "missing source column", lambda: rg.Graph.from_pandas({"a": [1]}, source="x", target="a"), P)
    add("Graph.from_pandas", "missing probability column", lambda: rg.Graph.from_pandas({"source": [1], "target": [2]}, probability="p"), P)

    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is optional
        nx = None
    if nx is not None:
        h = nx.DiGraph()
        h.add_edge(1, 2, p="x")
        h.add_edge(2, 3)
        add("Graph.from_networkx", "edge without the probability", lambda: rg.Graph.from_networkx(h, probability="q"), M)
        add("Graph.from_networkx", "probability 'x'", lambda: rg.Graph.from_networkx(h, probability="p"), (P, M))

    # ---- attributes and weights
    add("Graph.set_weights", "scheme=1", lambda: g.set_weights(1), P)
    add("Graph.set_weights", "scheme='nope'", lambda: g.set_weights("nope"), P)
    add("Graph.read_attributes", "path=None", lambda: g.read_attributes(None), P)
    add("Graph.read_attributes", "missing file", lambda: g.read_attributes("/nonexistent/attrs.csv"), rg.ReachgraphIOError)
    add("Graph.set_attributes", "no ids", lambda: g.set_attributes(cost=[1.0]), P)
    add("Graph.set_attributes", "data without id column", lambda: g.set_attributes({"cost": [1.0]}), P)
    add("Graph.set_attributes", "unknown column", lambda: g.set_attributes(ids=[1], colour=["red"]), P)
    add("Graph.set_attributes", "cost 'abc'", lambda: g.set_attributes(ids=[1], cost=["abc"]), A)
    add("Graph.set_attributes", "followers -1", lambda: g.set_attributes(ids=[1], followers=[-1]), A)
    add("Graph.set_attributes", "followers 2**64", lambda: g.set_attributes(ids=[1], followers=[BIG]), A)
    add("Graph.set_attributes", "followers 1.5", lambda: g.set_attributes(ids=[1], followers=[1.5]), A)
    add("Graph.set_attributes", "cost=5 (not a column)", lambda: g.set_attributes(ids=[1], cost=5), P)
    add("Graph.set_attributes", "short column", lambda: g.set_attributes(ids=[1, 2], cost=[1.0]), L)
    add("Graph.set_attributes", "tier 'huge'", lambda: g.set_attributes(ids=[1], tier=["huge"]), P)
    add("Graph.set_attributes", "unknown id", lambda: g.set_attributes(ids=[99], cost=[1.0]), rg.UnknownNodeError)

    # ---- reach family
    for name in ["unique_reach", "reach"]:
        m = getattr(g, name)
        add(f"Graph.{name}", "seeds=5", lambda m=m: m(5), P)
        add(f"Graph.{name}", "seeds=None", lambda m=m: m(None), P)
        add(f"Graph.{name}", "2-D seeds", lambda m=m: m(np.array([[1, 2]])), P)
        add(f"Graph.{name}", "float seeds", lambda m=m: m(np.array([1.5])), P)
        add(f"Graph.{name}", "empty seeds", lambda m=m: m([]), E)
        add(f"Graph.{name}", "unknown seed", lambda m=m: m([99]), rg.UnknownNodeError)
        add(f"Graph.{name}", "include_seeds='yes'", lambda m=m: m([1], include_seeds="yes"), P)

    def posts_per_seed(v):
        return g.expected_reach([1], posts_per_seed=v)

    counts("Graph.expected_reach", posts_per_seed)
    add("Graph.expected_reach", "posts_per_seed=2**32", lambda: g.expected_reach([1], posts_per_seed=2**32), P)

    def min_jaccard(v):
        return g.overlap([1, 2], min_jaccard=v)

    numbers("Graph.overlap", min_jaccard)
    add("Graph.overlap", "empty accounts", lambda: g.overlap([]), E)
    add("Graph.overlap", "progress=3", lambda: g.overlap([1, 2], progress=3), P)

    def threads(v):
        return g.overlap([1, 2], threads=v)

    counts("Graph.overlap", threads)

    def k(v):
        return g.reach_ladder(v)

    counts("Graph.reach_ladder", k)
    add("Graph.reach_ladder", "k larger than candidates", lambda: g.reach_ladder(3, candidates=[1]), rg.KTooLargeError)
    add("Graph.reach_ladder", "candidates=7", lambda: g.reach_ladder(1, candidates=7), P)

    def budget(v):
        return g.budget_pick(v)

    numbers("Graph.budget_pick", budget)
    add("Graph.budget_pick", "budget below every cost", lambda: g.budget_pick(0.5), rg.BudgetTooSmallError)

    # ---- cascades and selection
    def trials(v):
        return g.spread([1], trials=v)

    def seed(v):
        return g.spread([1], trials=10, seed=v)

    def hops(v):
        return g.spread([1], trials=10, hops=v)

    for f in (trials, seed, hops):
        counts("Graph.spread", f)
    add("Graph.spread", "hops=2**32", lambda: g.spread([1], trials=10, hops=2**32), P)

    def target_rse(v):
        return g.spread([1], trials=10, target_rse=v)

    numbers("Graph.spread", target_rse)
    add("Graph.spread", "model=3", lambda: g.spread([1], model=3), P)
    add("Graph.spread", "model='sir'", lambda: g.spread([1], model="sir"), P)
    add("Graph.spread", "weights=0.5", lambda: g.spread([1], weights=0.5), P)
    add("Graph.spread", "histogram='no'", lambda: g.spread([1], histogram="no"), P)
    add("Graph.spread", "progress='x'", lambda: g.spread([1], trials=10, progress="x"), P)
    add("Graph.spread", "empty seeds", lambda: g.spread([]), E)

    def select_k(v):
        return g.select(k=v)

    def max_rr_sets(v):
        return g.select(k=1, max_rr_sets=v)

    def memory_limit_bytes(v):
        return g.select(k=1, memory_limit_bytes=v)

    for f in (select_k, max_rr_sets, memory_limit_bytes):
        counts("Graph.select", f)

    def epsilon(v):
        return g.select(k=1, epsilon=v)

    def time_limit_s(v):
        return g.select(k=1, time_limit_s=v)

    for f in (epsilon, time_limit_s):
        numbers("Graph.select", f)
    add("Graph.select", "neither k nor budget", lambda: g.select(), P)
    add("Graph.select", "mode='fast'", lambda: g.select(k=1, mode="fast"), P)
    add("Graph.select", "algorithm=1", lambda: g.select(k=1, algorithm=1), P)
    add("Graph.select", "candidates=[]", lambda: g.select(k=1, candidates=[]), E)

    def rr_sets(v):
        return g.evaluate([1], rr_sets=v)

    counts("Graph.evaluate", rr_sets)
    add("Graph.evaluate", "objective='likes'", lambda: g.evaluate([1], objective="likes", rr_sets=100), P)
    add("Graph.evaluate", "empty seeds", lambda: g.evaluate([], rr_sets=100), E)

    add("Graph.margin", "unknown option", lambda: g.margin([1], colour="red"), P)
    add("Graph.margin", "NaN option", lambda: g.margin([1], baseline_error=NAN), P)
    add("Graph.margin", "set option", lambda: g.margin([1], budgets={1, 2}), P)
    add("Graph.margin", "object option", lambda: g.margin([1], electorate=object()), P)
    add("Graph.margin", "draws=-1", lambda: g.margin([1], draws=-1), P)
    add("Graph.margin", "draws=2**64", lambda: g.margin([1], draws=BIG), P)
    add("Graph.margin", "threads=-1", lambda: g.margin([1], threads=-1), P)
    add("Graph.margin", "graph given", lambda: g.margin([1], graph={"path": "x"}), P)

    # ---- sketches
    def lg_k(v):
        return rg.Sketches.build_from_graph(g, lg_k=v)

    counts("Sketches.build_from_graph", lg_k)
    add("Sketches.build_from_graph", "lg_k=256", lambda: rg.Sketches.build_from_graph(g, lg_k=256), P)
    add("Sketches.build_from_graph", "graph=None", lambda: rg.Sketches.build_from_graph(None), P)
    add("Sketches.from_pairs", "accounts=5", lambda: rg.Sketches.from_pairs(5, [1]), P)
    add("Sketches.from_pairs", "accounts='ab'", lambda: rg.Sketches.from_pairs("ab", "cd"), P)
    add("Sketches.from_pairs", "float ids", lambda: rg.Sketches.from_pairs([1.5], [2]), P)
    add("Sketches.from_pairs", "short followers", lambda: rg.Sketches.from_pairs(np.array([1, 2]), np.array([1])), L)
    add("Sketches.from_pairs", "seed=-1", lambda: rg.Sketches.from_pairs([1], [2], seed=-1), P)

    def chunk_bytes(v):
        return rg.Sketches.from_stream(str(EDGES), chunk_bytes=v)

    counts("Sketches.from_stream", chunk_bytes)
    add("Sketches.from_stream", "path=3", lambda: rg.Sketches.from_stream(3), P)
    add("Sketches.load", "path=None", lambda: rg.Sketches.load(None), P)
    add("Sketches.load", "missing", lambda: rg.Sketches.load("/nonexistent/sketches"), rg.ReachgraphIOError)
    add("Sketches.save", "dir=1", lambda: sk.save(1), P)
    add("Sketches.from_bytes", "data='abc'", lambda: rg.Sketches.from_bytes("abc"), P)
    add("Sketches.from_bytes", "garbage", lambda: rg.Sketches.from_bytes(b"not a sketch"), (rg.CorruptSketchError, rg.TruncatedSketchError))
    add("Sketches.merge", "other=1", lambda: sk.merge(1), P)
    add("Sketches.downsample", "lg_k=-1", lambda: sk.downsample(-1), P)
    add("Sketches.downsample", "lg_k=2.0", lambda: sk.downsample(2.0), P)

    def confidence(v):
        return sk.reach([1], confidence=v)

    numbers("Sketches.reach", confidence)
    add("Sketches.reach", "seeds=None", lambda: sk.reach(None), P)
    add("Sketches.reach", "empty", lambda: sk.reach([]), E)
    add("Sketches.overlap", "threads=-1", lambda: sk.overlap([1, 2], threads=-1), P)
    add("Sketches.overlap", "confidence=nan", lambda: sk.overlap([1, 2], confidence=NAN), P)
    add("Sketches.ladder", "k=-1", lambda: sk.ladder(-1), P)
    add("Sketches.ladder", "k=2**64", lambda: sk.ladder(BIG), P)
    add("Sketches.ladder", "k=1.0", lambda: sk.ladder(1.0), P)
    add("Sketches.budget_pick", "cost 'x' in dict", lambda: sk.budget_pick(5.0, {1: "x"}), A)
    add("Sketches.budget_pick", "cost NaN in dict", lambda: sk.budget_pick(5.0, {1: NAN}), A)
    add("Sketches.budget_pick", "str costs array", lambda: sk.budget_pick(5.0, np.array(["a", "b", "c", "d"])), P)
    add("Sketches.budget_pick", "short costs array", lambda: sk.budget_pick(5.0, np.array([1.0])), L)
    add("Sketches.budget_pick", "costs=5", lambda: sk.budget_pick(5.0, 5), P)
    add("Sketches.budget_pick", "budget=nan", lambda: sk.budget_pick(NAN, {1: 1.0}), P)
    add("Sketches.budget_pick", "budget='5'", lambda: sk.budget_pick("5", {1: 1.0}), P)
    add("Sketches.check", "graph='g'", lambda: sk.check("g", [1]), P)
    add("Sketches.check", "threads=2**64", lambda: sk.check(g, [1], threads=BIG), P)

    # ---- module functions
    add("sketch_error", "lg_k=-1", lambda: rg.sketch_error(-1), P)
    add("sketch_error", "lg_k=300", lambda: rg.sketch_error(300), P)
    add("sketch_error", "set_size=-5", lambda: rg.sketch_error(14, set_size=-5), P)
    add("sketch_error", "confidence=nan", lambda: rg.sketch_error(14, confidence=NAN), P)
    add("read_edgelist", "path=None", lambda: rg.read_edgelist(None), P)
    add("read_edgelist", "format='xml'", lambda: rg.read_edgelist(str(EDGES), format="xml"), P)
    add("read_edgelist", "format=1", lambda: rg.read_edgelist(str(EDGES), format=1), P)
    add("read_edgelist", "undirected='no'", lambda: rg.read_edgelist(str(EDGES), undirected="no"), P)
    add("read_edgelist", "missing file", lambda: rg.read_edgelist("/nonexistent.txt"), rg.ReachgraphIOError)
    add("generate_scenario", "edges=-1", lambda: rg.generate_scenario(edges=-1), P)
    add("generate_scenario", "seed=2**64", lambda: rg.generate_scenario(seed=BIG), P)
    add("generate_scenario", "edges=1.5", lambda: rg.generate_scenario(edges=1.5), P)
    add("run_request", "request=5", lambda: rg.run_request(5), rg.InvalidRequestError)
    add("run_request", "NaN field", lambda: rg.run_request({"version": 1, "type": "sketch_error", "confidence": NAN}), rg.InvalidRequestError)
    add("run_request", "object field", lambda: rg.run_request({"version": 1, "type": "reach", "seeds": object()}), rg.InvalidRequestError)
    add("run_request", "not JSON", lambda: rg.run_request("{"), rg.InvalidRequestError)
    add("run_request", "progress=1", lambda: rg.run_request({"version": 1, "type": "sketch_error"}, progress=1), P)
    add("margin", "unknown field", lambda: rg.margin(colour="red"), rg.InvalidRequestError)
    add("margin", "NaN field", lambda: rg.margin(baseline_error=NAN), rg.InvalidRequestError)

    # ---- result methods
    ov = g.overlap([1, 2])
    add("Overlap.to_pandas", "matrix='nope'", lambda: ov.to_pandas("nope"), P)
    return rows


ROWS = _table()


@pytest.mark.parametrize("entry,label,call,cls", ROWS, ids=[f"{e}:{l}" for e, l, _, _ in ROWS])
def test_bad_argument_raises_its_documented_class(entry, label, call, cls):
    with pytest.raises(cls):
        call()


def test_every_entry_point_is_in_the_table():
    entries = {e.split(".")[-1] for e, _, _, _ in ROWS}
    graph_methods = {"from_arrays", "from_edges", "from_pandas", "set_weights", "read_attributes", "set_attributes",
                     "unique_reach", "reach", "expected_reach", "overlap", "reach_ladder", "budget_pick", "spread",
                     "select", "evaluate", "margin"}
    sketch_methods = {"build_from_graph", "from_pairs", "from_stream", "load", "save", "from_bytes", "merge",
                      "downsample", "ladder", "check"}
    functions = {"sketch_error", "read_edgelist", "generate_scenario", "run_request"}
    assert graph_methods | sketch_methods | functions <= entries


def test_call_signature_mistakes_stay_type_errors():
    g = _graph()
    with pytest.raises(TypeError):
        g.spread([1], trails=10)  # misspelt keyword: Python's own rule for calls
    with pytest.raises(TypeError):
        g.unique_reach()


def tally():
    """Outcome of every call in the table: exception class name -> count."""
    out = collections.Counter()
    wrong = []
    for entry, label, call, cls in _table():
        try:
            call()
            name = "no error"
        except BaseException as e:  # noqa: B902 - the tally wants every outcome
            name = type(e).__name__
            ok = isinstance(e, cls)
        else:
            ok = False
        out[name] += 1
        if not ok:
            wrong.append(f"{entry} {label}: {name}")
    return out, wrong


if __name__ == "__main__":
    counts, wrong = tally()
    total = sum(counts.values())
    print(f"{total} bad calls: {total - len(wrong)} raised the documented class, {len(wrong)} did not")
    for name, n in counts.most_common():
        print(f"  {n:4d} {name}")
    for w in wrong:
        print("  wrong:", w)
    sys.exit(1 if wrong else 0)
