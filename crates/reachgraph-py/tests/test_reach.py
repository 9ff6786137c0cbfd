"""Reach, overlap, ladder and budgeted pick agree with the JSON API and with hand-worked answers."""

import numpy as np
import pytest

import reachgraph as rg

STARS = ["ig_star", "tt_star"]
CREATORS = ["ig_star", "tt_star", "ig_c", "x_d"]
GRAPH = {"path": "tests/fixtures/graphs/campaign.txt", "attributes": "tests/fixtures/graphs/campaign.attrs.csv"}


def test_unique_reach_counts_people(campaign):
    assert campaign.unique_reach(STARS) == 4
    r = campaign.reach(STARS)
    assert (r.summed_followers, r.unique_people, r.unique_accounts) == (6, 4, 6)
    api = rg.run_request({"version": 1, "type": "reach", "graph": GRAPH, "seeds": STARS})
    assert api["unique_reach"] == r.unique_people
    assert "<table>" in r._repr_html_()


def test_numpy_seed_arrays():
    g = rg.Graph.from_arrays(np.array([1, 1, 4]), np.array([2, 3, 3]))
    assert g.unique_reach(np.array([1, 4])) == 2
    assert g.unique_reach([4], include_seeds=True) == 2


def test_expected_reach(campaign):
    campaign.set_weights("const:0.5")
    e = campaign.expected_reach(CREATORS)
    assert e.expected_people == pytest.approx(3.875)
    assert isinstance(e.frequency, np.ndarray)
    assert e.frequency.sum() == pytest.approx(9.0)


def test_overlap_matrices(campaign):
    ov = campaign.overlap(CREATORS, min_jaccard=0.2)
    np.testing.assert_array_equal(ov.shared, [[3, 2, 1, 1], [2, 3, 0, 1], [1, 0, 2, 0], [1, 1, 0, 2]])
    assert ov.jaccard[0, 1] == 0.5
    assert len(ov.overlap_edges) == 4
    api = rg.run_request({"version": 1, "type": "overlap", "graph": GRAPH, "accounts": CREATORS})
    np.testing.assert_allclose(ov.jaccard, np.array(api["jaccard"]))
    assert ov.to_pandas().shape == (4, 4) if _has_pandas() else True


def _has_pandas():
    try:
        import pandas  # noqa: F401

        return True
    except ImportError:
        return False


def test_ladder_and_pick(campaign):
    ladder = campaign.reach_ladder(4, candidates=CREATORS)
    assert ladder.accounts == ["ig_star", "tt_star", "ig_c", "x_d"]
    pick = campaign.budget_pick(10_000)
    assert pick.accounts == ["x_d", "ig_c"]
    assert pick.people == 4
    api = rg.run_request({"version": 1, "type": "budget_pick", "graph": GRAPH, "budget": 10000})
    assert api["accounts"] == pick.accounts


def test_scenario_is_reproducible():
    g1, c1, s1 = rg.generate_scenario(seed=3)
    g2, c2, _ = rg.generate_scenario(seed=3)
    assert c1 == c2 and g1.edge_count == g2.edge_count and s1 > 1
    assert g1.unique_reach(c1[:50]) == g2.unique_reach(c2[:50])
