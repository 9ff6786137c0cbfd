"""Building graphs from files, arrays, pandas and networkx gives the same graph."""

import numpy as np
import pytest

import reachgraph as rg


def test_from_arrays_matches_file(tmp_path):
    src = np.array([10, 10, 30, 20, 30, 30], dtype=np.int64)
    dst = np.array([20, 30, 20, 40, 40, 30], dtype=np.int64)  # one self-loop
    path = tmp_path / "g.txt"
    path.write_text("".join(f"{a} {b}\n" for a, b in zip(src, dst)))
    a = rg.Graph.from_arrays(src, dst)
    b = rg.read_edgelist(str(path))
    assert a.ids() == b.ids() == [10, 20, 30, 40]
    for x, y in zip(a.edge_arrays(), b.edge_arrays()):
        np.testing.assert_array_equal(x, y)
    assert a.build_report["self_loops_dropped"] == 1
    assert (a.node_count, a.edge_count) == (4, 5)


def test_int32_and_uint_arrays_are_accepted():
    g = rg.Graph.from_arrays(np.array([1, 2], dtype=np.int32), np.array([2, 3], dtype=np.uint16))
    assert g.edge_count == 2


def test_probabilities_and_undirected():
    g = rg.Graph.from_arrays(np.array([0, 1]), np.array([1, 2]), probabilities=np.array([0.5, 0.25]), undirected=True)
    assert g.edge_count == 4
    _, _, p = g.edge_arrays()
    assert sorted(p.tolist()) == [0.25, 0.25, 0.5, 0.5]


def test_string_ids_from_edges():
    g = rg.Graph.from_edges(["alice", "alice", "dave"], ["bob", "carol", "carol"])
    assert g.unique_reach(["alice", "dave"]) == 2
    assert g.ids() == ["alice", "bob", "carol", "dave"]


def test_pandas_round_trip():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": [1, 1, 4], "target": [2, 3, 3], "p": [0.5, 0.5, 1.0]})
    g = rg.Graph.from_pandas(df, probability="p")
    h = rg.Graph.from_arrays(df["source"].to_numpy(), df["target"].to_numpy(), df["p"].to_numpy())
    for x, y in zip(g.edge_arrays(), h.edge_arrays()):
        np.testing.assert_array_equal(x, y)
    sdf = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"]})
    assert rg.Graph.from_pandas(sdf).ids() == ["a", "b", "c"]


def test_networkx_round_trip():
    nx = pytest.importorskip("networkx")
    d = nx.DiGraph()
    d.add_edge(1, 2, p=0.5)
    d.add_edge(2, 3, p=0.25)
    g = rg.Graph.from_networkx(d, probability="p")
    back = g.to_networkx()
    assert sorted(back.edges(data="p")) == [(1, 2, 0.5), (2, 3, 0.25)]
    u = nx.Graph([("x", "y")])
    assert rg.Graph.from_networkx(u).edge_count == 2


def test_weights_schemes():
    g = rg.Graph.from_arrays(np.array([0, 1, 2]), np.array([2, 2, 3]))
    g.set_weights("wc")
    ids = g.ids()
    _, dst, p = g.edge_arrays()
    into = {ids[t]: w for t, w in zip(dst.tolist(), p.tolist())}
    assert into == {2: 0.5, 3: 1.0}
    assert g.weights == {"scheme": "weighted_cascade"}
    with pytest.raises(rg.InvalidParameterError):
        g.set_weights("const:2")
    with pytest.raises(rg.InvalidParameterError):
        g.set_weights("given")


def test_attributes_from_dataframe(campaign):
    pd = pytest.importorskip("pandas")
    a = campaign.attributes()
    assert list(a.columns)[:4] == ["id", "platform", "person", "jurisdiction"]
    g = rg.Graph.from_edges(["a", "a"], ["b", "c"])
    g.set_attributes(pd.DataFrame({"id": ["b", "c"], "person": ["p", "p"], "cost": [1.0, np.nan]}))
    assert g.people_count == 2
    assert g.unique_reach(["a"]) == 1
    # Like the CSV reader, a DataFrame's other columns are ignored; keyword columns are checked.
    g.set_attributes(pd.DataFrame({"id": ["b"], "colour": ["red"]}))
    with pytest.raises(rg.InvalidParameterError):
        g.set_attributes(ids=["b"], colour=["red"])
    with pytest.raises(rg.UnknownNodeError):
        g.set_attributes(ids=["zz"], cost=[1.0])
    with pytest.raises(rg.LengthMismatchError):
        g.set_attributes(ids=["b", "c"], cost=[1.0])
