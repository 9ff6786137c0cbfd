"""Graph.compare (paired comparison on common RR sets), select(runs=...), provenance and plot()."""
import builtins
import copy
import pickle

import numpy as np
import pytest

import reachgraph as rg


def _graph(tmp_path, text):
    p = tmp_path / "edges.txt"
    p.write_text(text)
    return rg.read_edgelist(str(p))


# hub reaches a, b, c (p = 0.5 each) and d through a; x reaches y and a.
EDGES = "hub a 0.5\nhub b 0.5\nhub c 0.5\na d 0.5\nx y 0.5\nx a 0.5\n"


def test_compare_matches_exact_spreads_and_pairs_the_error(tmp_path):
    g = _graph(tmp_path, EDGES)
    c = g.compare([["x"], ["hub"]], model="ic", samples=200_000, seed=3, labels=["x", "hub"])
    assert isinstance(c, rg.Comparison)
    # Exact: x reaches 1 + 0.5 (y) + 0.5 (a) + 0.25 (d) = 2.25; hub 1 + 1.5 + 0.25 = 2.75.
    (sx, sh) = c.sets
    assert abs(sx["mean"] - 2.25) < 4 * sx["stderr"]
    assert abs(sh["mean"] - 2.75) < 4 * sh["stderr"]
    d = c.difference
    assert d == c.differences[0]
    assert d["label"] == "hub minus x"
    assert abs(d["mean"] - 0.5) < 4 * d["stderr"]
    assert d["mean"] == pytest.approx(sh["mean"] - sx["mean"], abs=1e-9)
    assert c.rr_sets == 200_000 and c.rule == "fixed"
    assert c.unit == "graph people"
    # Provenance: the graph's content hash, as a JSON response records it.
    assert c.provenance["version"] == rg.__version__
    assert len(c.provenance["graph_hash"]) == 32
    assert c.provenance["parameters"]["seed_sets"] == [["x"], ["hub"]]
    # Same numbers on one and two threads.
    c1 = g.compare([["x"], ["hub"]], samples=50_000, seed=3, threads=1)
    c2 = g.compare([["x"], ["hub"]], samples=50_000, seed=3, threads=2)
    assert c1.sets == c2.sets and c1.differences == c2.differences
    # A table and a notebook view.
    t = c.to_pandas()
    assert list(t["kind"]) == ["set", "set", "difference"]
    assert "paired" in c._repr_html_()
    assert pickle.loads(pickle.dumps(c)) == c and copy.copy(c) == c


def test_identical_sets_differ_by_zero_and_overlap_pairs_tighter(tmp_path):
    g = _graph(tmp_path, EDGES)
    c = g.compare([["hub", "x"], ["x", "hub"], ["hub", "a"]], samples=50_000, seed=1)
    same, other = c.differences
    assert same["mean"] == 0.0 and same["stderr"] == 0.0
    assert other["stderr"] < other["unpaired_stderr"]
    # The same sets in a two-set comparison: the same RR sets, so the same numbers.
    two = rg.compare(g, [["hub", "x"], ["hub", "a"]], samples=50_000, seed=1).difference
    assert (two["mean"], two["stderr"], two["unpaired_stderr"]) == (
        other["mean"], other["stderr"], other["unpaired_stderr"])


def test_compare_bad_input_raises_typed_errors(tmp_path):
    g = _graph(tmp_path, EDGES)
    with pytest.raises(rg.UnknownNodeError, match="nobody"):
        g.compare([["hub"], ["nobody"]], samples=1000)
    with pytest.raises(rg.ReachgraphError, match="at least 2"):
        g.compare([["hub"]], samples=1000)
    with pytest.raises(rg.ReachgraphError, match="labels"):
        g.compare([["hub"], ["x"]], samples=1000, labels=["one"])
    with pytest.raises(rg.ReachgraphError, match="rr_sets"):
        g.compare([["hub"], ["x"]], samples=1)
    with pytest.raises(rg.InvalidParameterError):
        g.compare("hub", samples=1000)


def test_select_runs_adds_stability(tmp_path):
    g = _graph(tmp_path, EDGES)
    one = g.select(k=2, seed=4)
    sel = g.select(k=2, seed=4, runs=3)
    assert sel.seeds == one.seeds
    assert "stability" not in one
    st = sel.stability
    assert st["runs"] == 3 and st["seeds"] == [4, 5, 6]
    assert st["spread"]["min"] <= st["spread"]["mean"] <= st["spread"]["max"]
    assert 0.0 <= st["jaccard"]["min"] <= st["jaccard"]["mean"] <= 1.0
    for f in st["frequency"]:
        assert f["share"] == pytest.approx(f["runs"] / 3)
    with pytest.raises(rg.ReachgraphError, match="runs"):
        g.select(k=2, runs=0)


def test_provenance_of_json_results(campaign):
    r = rg.margin(draws=200, seed=1)
    assert r.provenance["version"] == rg.__version__
    assert campaign.reach(["ig_star"]).provenance["graph_hash"] == campaign.content_hash


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plots_return_axes(tmp_path, campaign):
    from matplotlib.axes import Axes

    g = _graph(tmp_path, EDGES)
    c = g.compare([["x"], ["hub"]], samples=10_000, seed=1)
    assert isinstance(c.plot(), Axes)
    sel = g.select(k=2, seed=1)
    ax = sel.plot()
    assert isinstance(ax, Axes)
    # The curve: 0, then the cumulative in-sample spread after each seed.
    ys = ax.lines[0].get_ydata()
    assert len(ys) == 3 and ys[0] == 0.0
    assert isinstance(g.spread(["hub"], trials=2000, seed=1).plot(), Axes)
    accounts = ["ig_star", "tt_star", "ig_c", "x_d"]
    assert isinstance(campaign.overlap(accounts).plot(), Axes)
    ladder = campaign.reach_ladder(3)
    ax = ladder.plot()
    assert list(ax.lines[0].get_ydata()[1:]) == [s["cumulative_people"] for s in ladder.steps]
    assert isinstance(rg.margin(draws=200, seed=1).plot(), Axes)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_plot_without_matplotlib_names_the_install(tmp_path, monkeypatch):
    g = _graph(tmp_path, EDGES)
    c = g.compare([["x"], ["hub"]], samples=1000, seed=1)
    real = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        c.plot()


def test_every_graph_result_records_provenance_that_tracks_the_graph():
    """Every Graph method's result says which graph (content hash), weights, seed and
    arguments produced it; the hash is the JSON API's for the same edges and changes with
    the graph's probabilities."""
    g = rg.Graph.from_edges(["a", "b", "a", "c"], ["b", "c", "c", "d"], probabilities=[0.5] * 4)
    results = {
        "reach": g.reach(["a"]),
        "expected_reach": g.expected_reach(["a"]),
        "overlap": g.overlap(["a", "b"], min_jaccard=0.0),
        "reach_ladder": g.reach_ladder(2),
        "spread": g.spread(["a"], trials=100, seed=3),
        "select": g.select(k=1, seed=4),
        "evaluate": g.evaluate(["a"], rr_sets=500, seed=5),
    }
    h = g.content_hash
    assert isinstance(h, str) and h
    for name, r in results.items():
        p = r.provenance
        assert p is not None, name
        assert p["version"] == rg.__version__
        assert p["graph_hash"] == h, name
        assert p["parameters"]["type"] == name
    assert results["spread"].provenance["seed"] == 3
    assert results["select"].provenance["parameters"]["k"] == 1
    assert results["reach"].provenance["parameters"]["seeds"] == ["a"]
    # The same edges through the JSON API hash the same.
    resp = rg.run_request({"version": 1, "type": "reach", "graph": {"inline": "a b\nb c\na c\nc d\n",
                           "weights": "const:0.5"}, "seeds": ["a"]})
    assert resp["provenance"]["graph_hash"] == h
    # Other probabilities, another hash; and the results computed before keep theirs.
    g.set_weights("wc")
    assert g.content_hash != h
    assert results["reach"].provenance["graph_hash"] == h
    assert g.reach(["a"]).provenance["weights"] == g.weights


def test_sketch_results_record_the_sketches_they_came_from():
    g = rg.Graph.from_edges(["a", "b", "a", "c"], ["b", "c", "c", "d"])
    sk = g.sketches(lg_k=6)
    r = sk.reach(["a", "b"])
    p = r.provenance
    assert p["version"] == rg.__version__ and p["lg_k"] == 6 and p["seed"] == sk.seed
    assert p["parameters"]["type"] == "sketch_reach" and p["parameters"]["accounts"] == ["a", "b"]
    # The same sketches hash the same; other sketches differently.
    assert rg.Sketches.from_bytes(sk.to_bytes()).reach(["a"]).provenance["sketches_hash"] == p["sketches_hash"]
    assert g.sketches(lg_k=7).reach(["a"]).provenance["sketches_hash"] != p["sketches_hash"]
    assert sk.check(g, ["a"]).provenance["graph_hash"] == g.content_hash
    assert rg.sketch_error(10).provenance["parameters"]["lg_k"] == 10
