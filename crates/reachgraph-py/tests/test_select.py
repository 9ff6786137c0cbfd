"""Seed selection from Python: exact small cases, equality with the JSON API (the CLI's path),
determinism across threads, and errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import reachgraph as rg


def star_graph():
    # 1 -> {2, 3, 4}, 5 -> {6}, 7 -> {3, 8, 9}: with certain edges the best pair is {1, 7}
    # (reaches 1,2,3,4,7,8,9 = 7 accounts; {1, 5} reaches 6) — checked by brute force below.
    src = np.array([1, 1, 1, 5, 7, 7, 7], dtype=np.int64)
    dst = np.array([2, 3, 4, 6, 3, 8, 9], dtype=np.int64)
    return rg.Graph.from_arrays(src, dst, probabilities=np.ones(7, dtype=np.float32))


def test_select_matches_brute_force_optimum():
    g = star_graph()
    ids = g.ids()
    best = max(itertools.combinations(ids, 2), key=lambda s: g.unique_reach(list(s), include_seeds=True))
    s = g.select(k=2, epsilon=0.1, seed=3)
    assert sorted(s.seeds) == sorted(best) == [1, 7]
    assert s.approximation >= 1 - 1 / np.e - 0.1
    # Deterministic edges: every RR set is exact, so the estimate equals the true spread (7).
    assert abs(s.mean - 7.0) <= 4 * s.stderr + 1e-9
    df = s.to_pandas()
    assert list(df["account"]) == s.seeds


def test_select_equals_the_json_api(campaign):
    req = {
        "version": 1,
        "type": "select",
        "graph": {
            "path": "tests/fixtures/graphs/campaign.txt",
            "attributes": "tests/fixtures/graphs/campaign.attrs.csv",
            "weights": "const:0.5",
        },
        "model": "ic",
        "k": 2,
        "epsilon": 0.1,
        "seed": 3,
    }
    want = rg.run_request(req)
    got = campaign.select(k=2, model="ic", weights="const:0.5", epsilon=0.1, seed=3)
    assert got.seeds == want["seeds"]
    assert got.estimate["mean"] == want["estimate"]["mean"]
    assert got.estimate["stderr"] == want["estimate"]["stderr"]
    assert got.rr_sets == want["rr_sets"]
    assert got.approximation == want["approximation"]
    ev = campaign.evaluate(got.seeds, weights="const:0.5", rr_sets=5_000, seed=9)
    want_ev = rg.run_request(
        {"version": 1, "type": "evaluate", "graph": req["graph"], "model": "ic", "seeds": got.seeds, "rr_sets": 5_000, "seed": 9}
    )
    assert ev.mean == want_ev["estimate"]["mean"]


def test_select_same_seed_same_answer_on_any_thread_count(shared_data):
    g = rg.read_edgelist(str(shared_data / "wiki-Vote.txt"))
    a = g.select(k=10, weights="wc", seed=5, threads=1)
    b = g.select(k=10, weights="wc", seed=5, threads=2)
    assert a.seeds == b.seeds and a.mean == b.mean and a.rr_sets == b.rr_sets


def test_budgeted_select_respects_the_budget(campaign):
    s = campaign.select(budget=3000.0, weights="const:0.3", seed=1)
    assert s.total_cost <= 3000.0
    assert len(s.seeds) >= 1


def test_select_errors():
    g = star_graph()
    with pytest.raises(rg.KTooLargeError):
        g.select(k=50)
    with pytest.raises(rg.InvalidParameterError):
        g.select(k=1, epsilon=-1)
    with pytest.raises(rg.InvalidParameterError):
        g.select()
    with pytest.raises(rg.InvalidParameterError):
        g.select(k=1, mode="fastest")
    with pytest.raises(rg.UnknownNodeError):
        g.select(k=1, candidates=[1, 999])
    with pytest.raises(rg.MissingAttributeError):
        g.select(budget=10.0)
    with pytest.raises(rg.EmptyInputError):
        g.evaluate([])
