"""Python and the JSON API translate arguments by one route (the API's request types), so a bad
argument is rejected by both with the same exception class and message."""

import pytest

import reachgraph as rg

EDGES = (["a", "a", "b", "c"], ["b", "c", "c", "d"])
INLINE = {"inline": "a b\na c\nb c\nc d\n"}


def _raised(call):
    with pytest.raises(rg.ReachgraphError) as info:
        call()
    return type(info.value), str(info.value)


def _request(kind, **fields):
    return {"version": 1, "type": kind, "graph": INLINE, **fields}


@pytest.mark.parametrize(
    "python, wire",
    [
        ({"k": 0}, {"k": 0}),
        ({"k": 1, "threads": 0}, {"k": 1, "threads": 0}),
        ({"k": 1, "epsilon": 0.0}, {"k": 1, "epsilon": 0.0}),
        ({"k": 1, "hops": 0}, {"k": 1, "hops": 0}),
        ({"k": 1, "memory_limit_bytes": 0}, {"k": 1, "memory_limit_bytes": 0}),
    ],
)
def test_select_rejects_like_the_json_api(python, wire):
    g = rg.Graph.from_edges(*EDGES)
    got = _raised(lambda: g.select(**python))
    want = _raised(lambda: rg.run_request(_request("select", model="ic", **wire)))
    assert got == want
    assert issubclass(got[0], rg.InvalidParameterError) or got[0] is rg.KTooLargeError


@pytest.mark.parametrize("bad", [{"threads": 0}, {"trials": 0}, {"hops": 0}, {"target_rse": -1.0}])
def test_spread_rejects_like_the_json_api(bad):
    g = rg.Graph.from_edges(*EDGES)
    got = _raised(lambda: g.spread(["a"], **bad))
    want = _raised(lambda: rg.run_request(_request("spread", model="ic", seeds=["a"], **bad)))
    assert got == want


@pytest.mark.parametrize("bad", [{"threads": 0}, {"rr_sets": 0}, {"hops": 0}])
def test_evaluate_rejects_like_the_json_api(bad):
    g = rg.Graph.from_edges(*EDGES)
    got = _raised(lambda: g.evaluate(["a"], **bad))
    want = _raised(lambda: rg.run_request(_request("evaluate", model="ic", seeds=["a"], **bad)))
    assert got == want


@pytest.mark.parametrize("bad", [{"threads": 0}, {"draws": 0}])
def test_margin_rejects_like_the_json_api(bad):
    g = rg.Graph.from_edges(*EDGES)
    got = _raised(lambda: g.margin(["a"], **bad))
    want = _raised(lambda: rg.run_request(_request("margin", seeds=["a"], **bad)))
    assert got == want
