"""Issue 14, class 3: one id rule in Python as in files (ids are their text; ints are the ids
of their decimal spelling, of any size)."""

import numpy as np
import pytest

import reachgraph as rg

BIG = [2**63, 2**64 - 1, 2**63 + 5]


def test_uint64_arrays_at_and_above_2_63_round_trip():
    src = np.array(BIG, dtype=np.uint64)
    dst = np.array([5, 2**63, 2**64 - 1], dtype=np.uint64)
    g = rg.Graph.from_arrays(src, dst)
    assert sorted(g.ids()) == sorted([5] + BIG)
    assert all(isinstance(x, int) and x >= 0 for x in g.ids())
    # The same ids as Python ints, as a uint64 array and as strings name the same accounts.
    assert g.unique_reach([2**63]) == g.unique_reach(np.array([2**63], dtype=np.uint64))
    assert g.unique_reach(["9223372036854775808"]) == g.unique_reach([2**63])
    assert g.unique_reach([2**63], include_seeds=True) == 2  # 2**63 -> 5
    # 2**63 is not -2**63, what a cast through int64 would make it.
    with pytest.raises(rg.UnknownNodeError):
        g.unique_reach([-(2**63)])


def test_python_ints_at_and_above_2_63_from_lists():
    g = rg.Graph.from_edges([2**64 - 1, 2**63], [2**63, 1])
    assert sorted(g.ids()) == [1, 2**63, 2**64 - 1]
    # Past 2**64 - 1 an int is the id of its digits, as the same token in a file is.
    h = rg.Graph.from_edges([2**64, "x"], ["18446744073709551616", 2**64 - 1])
    assert h.node_count == 3
    assert "18446744073709551616" in h.ids()


def test_leading_zeros_and_signs_are_text():
    g = rg.Graph.from_edges(["007", 7, "+7"], [7, "-0", 0])
    assert g.node_count == 5
    assert g.unique_reach(["7"], include_seeds=True) == 2  # 7 -> -0
    assert g.unique_reach([7], include_seeds=True) == 2
    assert g.unique_reach(["007"], include_seeds=True) == 2  # 007 -> 7


def test_mixed_signed_and_unsigned_arrays():
    g = rg.Graph.from_arrays(np.array([-1, 3], dtype=np.int64), np.array([2**64 - 1, 4], dtype=np.uint64))
    assert sorted(g.ids()) == [-1, 3, 4, 2**64 - 1]


def test_networkx_with_big_ids():
    nx = pytest.importorskip("networkx")
    d = nx.DiGraph()
    d.add_edge(2**63, 1)
    g = rg.Graph.from_networkx(d)
    assert sorted(g.ids()) == [1, 2**63]
