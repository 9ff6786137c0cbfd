"""reachgraph.plan: planning from a creator table (issue 15)."""

import json

import pytest

import reachgraph as rg

EX = "docs/examples/"


def _creators():
    pd = pytest.importorskip("pandas")
    return pd.read_csv(EX + "creators.csv")


def test_plan_equals_the_json_api():
    pd = pytest.importorskip("pandas")
    got = rg.plan(_creators(), audience=EX + "audience.csv", overlaps=pd.read_csv(EX + "overlaps.csv"),
                  budget=20000, target="swing", draws=50, seed=15)
    want = rg.run_request(json.load(open("tests/fixtures/api/plan_example.request.json")))
    # The DataFrames travel as CSV text; every figure is the same as from the files.
    for k in ("summed_followers", "unique_reach", "outside_reach", "jurisdictions", "target",
              "pick", "parameters", "fit", "assumptions"):
        assert got[k] == want[k], k
    assert got.inputs["targets_rule"] == want["inputs"]["targets_rule"]
    assert got.provenance["parameters"]["type"] == "plan"
    u = got.unique_reach
    assert 0 < u["low"] <= u["mean"] <= u["high"] < got.summed_followers


def test_plan_tables():
    pd = pytest.importorskip("pandas")
    r = rg.plan(_creators(), budget=5000, target=["PA", "MI"], draws=20, seed=2)
    t = r.to_pandas()
    assert isinstance(t, pd.DataFrame)
    assert len(t) == 51
    assert sorted(t.loc[t["target"], "jurisdiction"]) == ["MI", "PA"]
    assert (t["eligible_voters_low"] <= t["eligible_voters_mean"]).all()
    assert (t["eligible_voters_mean"] <= t["eligible_voters_high"]).all()
    # The rows add up to the reach in the targets.
    in_targets = t.loc[t["target"], "eligible_voters_mean"].sum()
    assert in_targets == pytest.approx(r.target["unique_reach"]["mean"], rel=1e-9)
    pick = r.pick_frame()
    assert list(pick["creator"]) == [c["creator"] for c in r.pick["creators"]]
    assert pick["price"].sum() == pytest.approx(r.pick["spent"]) and r.pick["spent"] <= 5000
    html = r._repr_html_()
    assert "plan from a creator table" in html and "summed followers (measured)" in html
    assert list(r.parameters_frame()["name"]) == [p["name"] for p in r.parameters]


def test_plan_independence_by_hand():
    # Two creators on different platforms with national audiences, independence: the union of
    # two independent samples of N people, F1 + F2 - F1 F2 / N.
    c = {"creator": ["ann", "bob"], "platform": ["tiktok", "youtube"], "followers": [100000, 50000]}
    r = rg.plan(c, independence=True, population=1_000_000)
    assert r.unique_reach["mean"] == pytest.approx(145_000, rel=1e-9)
    r = rg.plan(c, independence=True, population=1_000_000, accounts=["ann:tiktok"])
    assert r.unique_reach["mean"] == pytest.approx(100_000, rel=1e-9)


def test_plan_population_counts_sets_the_zero_share_prior():
    # Same request as the JSON golden with "population_counts": "everyone"; the default counts
    # a platform's users (zero-share prior U[0, 0.1]), everyone widens it to U[0, 0.7].
    want = rg.run_request(json.load(open("tests/fixtures/api/plan_population_counts.request.json")))
    c = {"creator": ["ann", "ann", "bob", "cat"], "platform": ["tiktok", "youtube", "instagram", "tiktok"],
         "followers": [100000, 40000, 50000, 20000], "price": [500, 500, 300, 100],
         "state": ["PA", "PA", "WI", "AZ"]}
    kw = dict(accounts=["ann:tiktok", "bob:instagram", "cat:tiktok"], population=1_000_000,
              budget=600, target=["PA", "WI"], draws=20, seed=3)
    got = rg.plan(c, population_counts="everyone", **kw)
    assert got["unique_reach"] == want["unique_reach"]
    users = rg.plan(c, **kw)
    zero = {r["name"]: r for r in got.parameters}["zero_share"]
    zero_u = {r["name"]: r for r in users.parameters}["zero_share"]
    assert "[0, 0.7]" in zero["source"] and "[0, 0.1]" in zero_u["source"]
    assert zero_u["high"] <= 0.1 < zero["high"]
    with pytest.raises(Exception):
        rg.plan(c, population_counts="adults", **kw)


def test_plan_bad_rows_name_the_line_and_value():
    creators = _creators()
    bad = creators.copy()
    bad.loc[2, "followers"] = -40
    with pytest.raises(rg.ParseError, match=r"<creators_csv>:4: column followers.*-40"):
        rg.plan(bad)
    bad = creators.copy()
    bad.loc[5, "state"] = "ZZ"
    with pytest.raises(rg.ParseError, match=r"<creators_csv>:7: column state.*ZZ"):
        rg.plan(bad)
    overlaps = {"a": [creators.account[0]], "b": ["nobody@x"], "shared": [0.2]}
    with pytest.raises(rg.ParseError, match=r"<overlaps_csv>:2: .*nobody@x"):
        rg.plan(creators, overlaps=overlaps)
    audience = {"account": [creators.account[0]], "jurisdiction": ["PA"], "share": [1.2]}
    with pytest.raises(rg.ParseError, match=r"<audience_csv>:2: column share.*1.2"):
        rg.plan(creators, audience=audience)
    with pytest.raises(rg.InvalidParameterError, match="budget"):
        rg.plan(creators, budget="lots")
    with pytest.raises(rg.ReachgraphError, match="XX"):
        rg.plan(creators, target=["PA", "XX"])
