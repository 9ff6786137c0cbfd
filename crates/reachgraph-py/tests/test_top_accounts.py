"""Graph.top_accounts: the largest accounts by followers, accounts followed or PageRank."""
import numpy as np
import pytest

import reachgraph as rg


def _graph(tmp_path, text):
    p = tmp_path / "edges.txt"
    p.write_text(text)
    return rg.read_edgelist(str(p))


def test_top_accounts_by_followers_and_following(tmp_path):
    # An edge "u v" means v follows u. Followers: hub 3; a, b, c and x 1 each (ties go to the
    # earlier account: ids are in order hub, a, b, c, d, x, y); d and y none.
    g = _graph(tmp_path, "hub a\nhub b\nhub c\na d\nx y\nb a\nc a\n")
    assert g.top_accounts(3) == ["hub", "a", "b"]
    assert g.top_accounts(5, by="out_degree") == ["hub", "a", "b", "c", "x"]
    # a follows hub, b and c: 3 accounts followed.
    assert g.top_accounts(1, by="in_degree") == ["a"]
    # Accounts with no followers come last, never first (the uint64 negation bug).
    last = g.top_accounts(g.node_count)[-1]
    assert g.out_degrees([last])[0] == 0


def test_top_accounts_pagerank_matches_dense_power_iteration(tmp_path):
    g = _graph(tmp_path, "0 1\n0 2\n1 2\n2 0\n3 2\n1 4\n4 3\n")
    src, dst, _ = g.edge_arrays()
    ids = g.ids()
    n = len(ids)
    # The follower graph's transition matrix: dst follows src, so dst passes rank to src;
    # accounts following nobody spread theirs evenly.
    m = np.zeros((n, n))
    for s, d in zip(src, dst):
        m[s, d] += 1.0
    cols = m.sum(axis=0)
    m = np.where(cols > 0, m / np.where(cols > 0, cols, 1.0), 1.0 / n)
    want = np.full(n, 1.0 / n)
    for _ in range(2000):
        want = 0.15 / n + 0.85 * m @ want
    got = rg._pagerank(n, np.asarray(src, np.int64), np.asarray(dst, np.int64))
    assert np.abs(got - want).max() < 1e-9
    assert abs(got.sum() - 1.0) < 1e-12
    best = [ids[i] for i in np.lexsort((np.arange(n), -want))[:2]]
    assert g.top_accounts(2, by="pagerank") == best


def test_top_accounts_refuses_bad_arguments(tmp_path):
    g = _graph(tmp_path, "a b\n")
    with pytest.raises(rg.InvalidParameterError, match="between 1 and the 2 accounts"):
        g.top_accounts(3)
    with pytest.raises(rg.InvalidParameterError, match="k must be an integer"):
        g.top_accounts(1.5)
    with pytest.raises(rg.InvalidParameterError, match="by = 'size'"):
        g.top_accounts(1, by="size")


def test_top_accounts_on_a_directed_graph_reach_people(shared_data):
    path = shared_data / "wiki-Vote.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    g = rg.read_edgelist(str(path))
    top = g.top_accounts(50)
    deg = g.out_degrees(top).astype(np.int64)
    # Best first, and every one of the 50 has followers (the lexsort idiom put zeros first).
    assert (deg > 0).all() and (np.diff(deg) <= 0).all()
    assert deg[0] == g.out_degrees(g.ids()).max()
