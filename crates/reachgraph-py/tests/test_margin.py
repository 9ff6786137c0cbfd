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
