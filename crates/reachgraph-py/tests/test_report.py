"""reachgraph.report: a campaign's own results read back (issue 16)."""

import json

import pytest

import reachgraph as rg

GRAPH = "docs/examples/report-graph.txt"
ATTRS = "docs/examples/report-attributes.csv"


def _posts():
    pd = pytest.importorskip("pandas")
    return pd.read_csv("docs/examples/posts.csv", comment="#")


def test_report_equals_the_json_api():
    got = rg.report(_posts(), graph=GRAPH, attributes=ATTRS, lift="docs/examples/lift.csv",
                    targets=["PA", "MI", "WI", "AZ"], seed=16)
    want = rg.run_request(json.load(open("tests/fixtures/api/report_example.request.json")))
    # The DataFrame travels as CSV text; every figure is the same as from the file.
    for k in ("unique_reach", "roi", "creators", "effects", "target_reach", "accounts"):
        assert got[k] == want[k], k
    assert got.unique_reach["low"] <= got.unique_reach["mean"] <= got.unique_reach["high"]
    assert got.margin_command.startswith("reachgraph margin --persuasion ")
    table = got.creators_frame()
    assert list(table["creator"]) == [c["creator"] for c in got.creators]
    assert "campaign report" in got._repr_html_()


def test_report_normal_update_by_hand():
    pd = pytest.importorskip("pandas")
    lift = pd.DataFrame({"effect": ["persuasion"], "estimate": [0.004], "se": [0.002]})
    r = rg.report(_posts(), graph=GRAPH, attributes=ATTRS, lift=lift, persuasion=(0.0, 0.005))
    post = r.effects["persuasion"]["posterior"]
    assert post["mean"] == pytest.approx(0.004 * 250_000 / 290_000, rel=1e-12)
    assert post["sd"] == pytest.approx(290_000 ** -0.5, rel=1e-12)
    assert r.effects["mobilization"]["evidence"] is None


def test_report_bad_rows_name_the_line_and_value():
    posts = _posts()
    bad = posts.copy()
    bad.loc[3, "reach"] = bad.loc[3, "impressions"] + 1
    with pytest.raises(rg.ParseError, match=r"<posts_csv>:5: column reach: .* is above impressions"):
        rg.report(bad, graph=GRAPH, attributes=ATTRS)
    bad = posts.copy()
    bad.loc[0, "account"] = "nobody"
    with pytest.raises(rg.UnknownNodeError, match=r"nobody.*<posts_csv> line 2"):
        rg.report(bad, graph=GRAPH, attributes=ATTRS)
    bad = posts.copy()
    bad.loc[1, "date"] = "2026-09-01"
    with pytest.raises(rg.ParseError, match=r"<posts_csv>:3: column date: 2026-09-01 is before"):
        rg.report(bad, graph=GRAPH, attributes=ATTRS)
    lift = {"effect": ["mobilization"], "estimate": [0.01], "se": [0.0]}
    with pytest.raises(rg.ParseError, match=r"<lift_csv>:2: column se: 0.0 must be above 0"):
        rg.report(posts, graph=GRAPH, attributes=ATTRS, lift=lift)
    with pytest.raises(rg.InvalidParameterError, match="persuasion"):
        rg.report(posts, graph=GRAPH, persuasion="wide")


CREATORS = "docs/examples/creators.csv"


def _creator_posts():
    pd = pytest.importorskip("pandas")
    return pd.read_csv("docs/examples/posts-creators.csv", comment="#")


def test_report_on_a_creators_table_equals_the_json_api():
    pd = pytest.importorskip("pandas")
    table = pd.read_csv(CREATORS)
    got = rg.report(_creator_posts(), creators=table, audience="docs/examples/audience.csv",
                    overlaps=pd.read_csv("docs/examples/overlaps.csv"), target="swing",
                    lift="docs/examples/lift.csv", draws=200, seed=16)
    want = rg.run_request(json.load(open("tests/fixtures/api/report_creators.request.json")))
    for k in ("unique_reach", "eligible_reach", "target_reach", "roi", "creators", "effects", "model"):
        assert got[k] == want[k], k
    assert got["units"].startswith("reach in real people")
    assert got.model["fit"]["status"] == "fitted"
    assert got.unique_reach["high"] <= got.summed_reach


def test_report_on_a_creators_table_bad_input():
    posts = _creator_posts()
    bad = posts.copy()
    bad.loc[2, "account"] = "nobody@tiktok"
    with pytest.raises(rg.ParseError, match=r'<posts_csv>:4: column account = "nobody@tiktok": not an account of the creators table'):
        rg.report(bad, creators=CREATORS, draws=5)
    with pytest.raises(rg.InvalidParameterError, match="exactly one of graph"):
        rg.report(posts, graph=GRAPH, creators=CREATORS)
    with pytest.raises(rg.InvalidParameterError, match="exactly one of graph"):
        rg.report(posts)
    with pytest.raises(rg.InvalidParameterError, match="overlaps applies to a creators table"):
        rg.report(posts, graph=GRAPH, overlaps="docs/examples/overlaps.csv")


def test_report_on_a_creators_table_takes_what_the_population_counts():
    pd = pytest.importorskip("pandas")
    got = rg.report(_creator_posts(), creators=pd.read_csv(CREATORS), audience="docs/examples/audience.csv",
                    overlaps=pd.read_csv("docs/examples/overlaps.csv"), target="swing",
                    lift="docs/examples/lift.csv", population_counts="everyone", draws=200, seed=16)
    want = rg.run_request(json.load(open("tests/fixtures/api/report_creators_everyone.request.json")))
    for k in ("unique_reach", "eligible_reach", "target_reach", "model"):
        assert got[k] == want[k], k
    z = next(p for p in got.model["parameters"] if p["name"] == "zero_share")
    assert "[0, 0.7]" in z["source"]
    with pytest.raises(rg.InvalidParameterError, match="population_counts applies to a creators table"):
        rg.report(_creator_posts(), graph=GRAPH, population_counts="everyone")
    with pytest.raises(rg.InvalidRequestError, match="adults"):
        rg.report(_creator_posts(), creators=CREATORS, population_counts="adults", draws=5)
