"""Every result class survives copy.copy, copy.deepcopy and a pickle round trip as an equal
object (issue 14: these recursed without end through `__getattr__`); Sketches pickle through
their binary format; a Graph copies (copy-on-write) and refuses pickling with a clear TypeError."""

from __future__ import annotations

import copy
import functools
import pickle

import numpy as np
import pytest

import reachgraph as rg

from test_margin import EXACT, campaign_graph


def _graph():
    g = rg.Graph.from_arrays(
        np.array([1, 1, 2, 3, 3]), np.array([2, 3, 3, 4, 5]), probabilities=np.full(5, 0.5, dtype=np.float32)
    )
    g.set_attributes(ids=[1, 2, 3], cost=[1.0, 2.0, 3.0])
    return g


@functools.lru_cache(maxsize=None)
def _results():
    g = _graph()
    sk = g.sketches(lg_k=6)
    return {
        "ReachResult": g.reach([1, 3]),
        "ExpectedReach": g.expected_reach([1]),
        "Overlap": g.overlap([1, 3], min_jaccard=0.0),
        "Ladder": g.reach_ladder(2),
        "BudgetPick": g.budget_pick(3.0),
        "SpreadResult": g.spread([1], trials=200, seed=1, node_probabilities=True, histogram=True),
        "Selection": g.select(k=1, seed=1),
        "Evaluation": g.evaluate([1], rr_sets=1000, seed=1),
        "MarginResult": campaign_graph().margin(["ig_star"], **EXACT),
        "SketchReach": sk.reach([1, 3]),
        "SketchOverlap": sk.overlap([1, 3]),
        "SketchLadder": sk.ladder(2),
        "SketchPick": sk.budget_pick(3.0, {1: 1.0, 3: 2.0}),
        "SketchCheck": sk.check(g, [1, 3]),
        "SketchError": rg.sketch_error(10),
        "ReportResult": rg.report(
            "docs/examples/posts.csv",
            graph="docs/examples/report-graph.txt",
            attributes="docs/examples/report-attributes.csv",
            draws=50,
            seed=1,
        ),
        "Comparison": g.compare([[1], [1, 3]], samples=20_000, seed=1),
        "PlanResult": rg.plan(
            "docs/examples/creators.csv", overlaps="docs/examples/overlaps.csv", draws=20, seed=1
        ),
    }


NAMES = [
    "ReachResult", "ExpectedReach", "Overlap", "Ladder", "BudgetPick", "SpreadResult", "Selection", "Evaluation",
    "MarginResult", "SketchReach", "SketchOverlap", "SketchLadder", "SketchPick", "SketchCheck",
    "SketchError", "ReportResult", "Comparison", "PlanResult",
]


def test_every_result_class_is_covered():
    assert sorted(_results()) == sorted(NAMES)
    covered = {type(r) for r in _results().values()}
    # Every concrete result class (the base `Result` itself is no call's answer).
    defined = {c for c in vars(rg).values() if isinstance(c, type) and issubclass(c, rg.Result) and c is not rg.Result}
    assert defined <= covered, defined - covered


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "how",
    [copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r)), lambda r: pickle.loads(pickle.dumps(r, 0))],
    ids=["copy", "deepcopy", "pickle", "pickle-protocol-0"],
)
def test_result_round_trips_equal(name, how):
    r = _results()[name]
    c = how(r)
    assert type(c) is type(r)
    assert c == r
    assert c.to_dict().keys() == r.to_dict().keys()
    assert c._title == r._title
    assert repr(c) == repr(r)
    assert c._repr_html_() == r._repr_html_()


def test_deepcopy_is_independent_and_copy_has_its_own_dict():
    r = _results()["SpreadResult"]
    d = copy.deepcopy(r)
    d["node_probabilities"][0] = -1.0
    assert r["node_probabilities"][0] != -1.0
    c = copy.copy(r)
    c._data["extra"] = 1
    assert "extra" not in r
    assert d != c


def test_results_of_different_values_differ():
    g = _graph()
    assert g.reach([1]) != g.reach([1, 3])
    assert g.reach([1]) == g.reach([1])
    assert g.reach([1]) != rg.ExpectedReach(g.reach([1]).to_dict())  # another class


def test_missing_fields_are_attribute_errors():
    r = _results()["ReachResult"]
    with pytest.raises(AttributeError, match="no field 'nope'"):
        r.nope
    with pytest.raises(AttributeError):
        r._private
    assert not hasattr(r, "__setstate__") or callable(getattr(r, "__setstate__"))


def test_sketches_pickle_through_their_binary_format():
    sk = _graph().sketches(lg_k=6)
    for c in [pickle.loads(pickle.dumps(sk)), copy.copy(sk), copy.deepcopy(sk)]:
        assert isinstance(c, rg.Sketches)
        assert c == sk
        assert c.reach([1, 3]) == sk.reach([1, 3])


def test_graph_copies_are_independent_and_pickling_says_why_not():
    g = _graph()
    before = g.edge_arrays()[2].copy()
    for c in [copy.copy(g), copy.deepcopy(g)]:
        assert c.ids() == g.ids() and c.edge_count == g.edge_count
        c.set_weights("const:0.25")
        assert np.all(c.edge_arrays()[2] == np.float32(0.25))
        np.testing.assert_array_equal(g.edge_arrays()[2], before)
        c.set_attributes(ids=[1], cost=[9.0])
        assert g.attributes()["cost"][0] == 1.0
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(g)
