"""Margin simulation from Python: equality with the JSON API (the CLI's path), exact arithmetic
with deterministic effects, zero effect, determinism across threads, and errors."""

from __future__ import annotations

import pytest

import reachgraph as rg

EXACT = dict(
    electorate="us-2020",
    side="R",
    exposure="ic",
    hops=1,
    voters_per_person=1000,
    persuasion={"mean": 0.1, "sd": 0},
    mobilization={"mean": 0, "sd": 0},
    baseline_error=0,
    draws=64,
    seed=3,
)


def campaign_graph():
    return rg.read_edgelist(
        "tests/fixtures/graphs/campaign.txt",
        attributes="tests/fixtures/graphs/campaign.attrs.csv",
        weights="const:1",
    )


def test_margin_equals_the_json_api():
    g = campaign_graph()
    got = g.margin(["ig_star"], **EXACT)
    want = rg.run_request(
        {
            "version": 1,
            "type": "margin",
            "graph": {
                "path": "tests/fixtures/graphs/campaign.txt",
                "attributes": "tests/fixtures/graphs/campaign.attrs.csv",
                "weights": "const:1",
            },
            "seeds": ["ig_star"],
            **EXACT,
        }
    )
    assert got.national == want["national"]
    assert got.jurisdictions == want["jurisdictions"]
    assert got.side_a == "R"


def test_zero_effect_changes_nothing_and_replays_2020():
    g = campaign_graph()
    r = g.margin(
        ["ig_star", "tt_star"],
        electorate="us-2020",
        persuasion={"mean": 0, "sd": 0},
        mobilization={"mean": 0, "sd": 0},
        baseline_error=0,
        draws=32,
        seed=1,
    )
    n = r.national
    assert n["ev_a"]["without"]["mean"] == n["ev_a"]["with"]["mean"] == 306.0  # Biden 2020
    for j in r.jurisdictions:
        assert j["margin_a_with"] == j["margin_a_without"]
    frame = r.jurisdictions_frame()
    assert len(frame["id"]) == len(r.jurisdictions)


def test_exact_persuasion_shift_in_pennsylvania():
    # ig_star reaches PA people p1 and p2 with certainty (const:1, one hop); each graph person
    # stands for 1,000 voters; persuasion 0.1 moves the margin by 2 × 0.1 per reached voter who
    # votes for the other side — the API golden file pins the same numbers.
    g = campaign_graph()
    r = g.margin(["ig_star"], **EXACT)
    pa = next(j for j in r.jurisdictions if j["id"] == "PA")
    assert pa["delta_votes"]["sd"] == 0.0
    assert pa["margin_a_with"] - pa["margin_a_without"] == pytest.approx(pa["delta_votes"]["mean"])
    assert pa["delta_votes"]["mean"] > 0


def test_margin_same_seed_same_answer_on_any_thread_count():
    g = campaign_graph()
    opts = dict(electorate="us-2024", baseline_error=3.0, draws=500, seed=7)
    a = g.margin(["ig_star", "x_d"], threads=1, **opts)
    b = g.margin(["ig_star", "x_d"], threads=2, **opts)
    assert a.national == b.national


def test_margin_errors():
    g = campaign_graph()
    with pytest.raises(rg.InvalidParameterError):
        g.margin(["ig_star"], persuasion={"mean": 2, "sd": 0})
    with pytest.raises(rg.UnknownNodeError):
        g.margin(["nobody"])
    with pytest.raises(rg.ReachgraphError):
        g.margin(["ig_star"], exposure="sir")
    with pytest.raises(rg.ReachgraphError):
        g.margin(["ig_star"], no_such_option=1)
    with pytest.raises(rg.EmptyInputError):
        g.margin([])


def test_margin_options_unknown_at_any_depth_name_their_path():
    # A misspelt field inside a nested option used to be ignored silently.
    g = campaign_graph()
    with pytest.raises(rg.ReachgraphError, match=r"persuasion\.sdd: unknown field `sdd`"):
        g.margin(["ig_star"], persuasion={"mean": 0.1, "sd": 0, "sdd": 1})
    with pytest.raises(rg.ReachgraphError, match=r"candidates\.fiel: unknown field `fiel`"):
        g.margin(["ig_star"], budgets=[100.0], candidates={"fiel": "c.txt"})
    with pytest.raises(rg.ReachgraphError, match=r"budgets\[1\]: invalid type"):
        g.margin(["ig_star"], budgets=[100.0, "x"])


PEOPLE = dict(
    electorate="us-2024",
    voters_per_person=1000,
    persuasion={"mean": 0.02, "sd": 0},
    mobilization={"mean": 0.05, "sd": 0},
    baseline_error=0,
    draws=16,
    seed=5,
)


def test_per_person_arrays_reproduce_hand_computed_votes():
    import numpy as np

    g = campaign_graph()
    people = g.people()
    assert people == ["star", "p1", "p2", "p3", "p4", "ig_c", "p5", "x_d", "p6"]
    nan = np.nan
    lean = np.full(len(people), nan)
    turnout = np.full(len(people), nan)
    eligible = np.full(len(people), nan)
    for name, (l, t, e) in {"p1": (0.9, 0.3, 1.0), "p2": (0.2, 0.8, 0.5), "p3": (0.6, 0.5, 1.0)}.items():
        i = people.index(name)
        lean[i], turnout[i], eligible[i] = l, t, e
    mult = np.full(g.node_count, nan)
    mult[g.ids().index("ig_star")] = 1.5
    r = g.margin(["ig_star"], lean=lean, turnout=turnout, eligible=eligible, effect_multiplier=mult, **PEOPLE)
    # e·(2θp·t(1−l)π + θm·(1−t)(2l−1)) per reached person, π = 1 − |2l − 1|, × 1,000 voters × 1.5
    p1 = 2 * 0.02 * 0.3 * 0.1 * 0.2 + 0.05 * 0.7 * 0.8
    p2 = 0.5 * (2 * 0.02 * 0.8 * 0.8 * 0.4 + 0.05 * 0.2 * -0.6)
    p3 = 2 * 0.02 * 0.5 * 0.4 * 0.8 + 0.05 * 0.5 * 0.2
    by_id = {j["id"]: j for j in r.jurisdictions}
    assert by_id["PA"]["delta_votes"]["mean"] == pytest.approx(1500 * (p1 + p2), abs=1e-9)
    assert by_id["MI"]["delta_votes"]["mean"] == pytest.approx(1500 * p3, abs=1e-9)
    assert by_id["PA"]["delta_votes"]["sd"] == 0.0
    # The same as the JSON request (and its golden file), arrays given as lists with nulls.
    want = rg.run_request(
        {
            "version": 1,
            "type": "margin",
            "graph": {
                "path": "tests/fixtures/graphs/campaign.txt",
                "attributes": "tests/fixtures/graphs/campaign.attrs.csv",
                "weights": "const:1",
            },
            "seeds": ["ig_star"],
            "lean": [None if np.isnan(x) else x for x in lean],
            "turnout": [None if np.isnan(x) else x for x in turnout],
            "eligible": [None if np.isnan(x) else x for x in eligible],
            "effect_multiplier": [None if np.isnan(x) else x for x in mult],
            **PEOPLE,
        }
    )
    assert r.jurisdictions == want["jurisdictions"]


def test_per_person_arrays_are_checked():
    import numpy as np

    g = campaign_graph()
    with pytest.raises(rg.ReachgraphError, match=r"lean has 2 values; the graph has 9 people"):
        g.margin(["ig_star"], lean=np.array([0.5, 0.5]), **PEOPLE)
    bad = np.full(9, np.nan)
    bad[3] = 1.5
    with pytest.raises(rg.ReachgraphError, match=r'turnout\[3\] = 1.5 \(person "p3"\)'):
        g.margin(["ig_star"], turnout=bad, **PEOPLE)
    bad[3] = np.inf
    with pytest.raises(rg.InvalidParameterError, match=r"eligible\[3\] = inf is not a finite number"):
        g.margin(["ig_star"], eligible=bad, **PEOPLE)
    with pytest.raises(rg.InvalidParameterError, match=r"lean: expected a one-dimensional array"):
        g.margin(["ig_star"], lean=np.zeros((3, 3)), **PEOPLE)
    with pytest.raises(rg.InvalidParameterError, match=r"lean: expected a one-dimensional array of numbers"):
        g.margin(["ig_star"], lean=["a", "b"], **PEOPLE)
    with pytest.raises(rg.ReachgraphError, match=r"effect_multiplier has 9 values; the graph has 13 accounts"):
        g.margin(["ig_star"], effect_multiplier=np.ones(9), **PEOPLE)
