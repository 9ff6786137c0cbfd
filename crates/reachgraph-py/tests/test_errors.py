"""Every bad input raises its own exception class under ReachgraphError; nothing panics."""

import numpy as np
import pytest

import reachgraph as rg


@pytest.fixture
def g():
    return rg.Graph.from_edges(["a", "a", "b"], ["b", "c", "c"])


def test_exception_hierarchy():
    for cls in [rg.ParseError, rg.UnknownNodeError, rg.InvalidParameterError, rg.BudgetTooSmallError]:
        assert issubclass(cls, rg.ReachgraphError)


def test_unknown_and_duplicate_seeds(g):
    with pytest.raises(rg.UnknownNodeError, match="zz"):
        g.unique_reach(["zz"])
    with pytest.raises(rg.DuplicateNodeError):
        g.unique_reach(["a", "a"])
    with pytest.raises(rg.EmptyInputError):
        g.unique_reach([])
    with pytest.raises(rg.InvalidParameterError):
        g.unique_reach("a")
    with pytest.raises(rg.InvalidParameterError):
        g.unique_reach([1.5])


def test_malformed_file_names_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("1 2\n3\n")
    with pytest.raises(rg.ParseError, match=r"bad.txt:2"):
        rg.read_edgelist(str(p))
    with pytest.raises(rg.ReachgraphIOError):
        rg.read_edgelist(str(tmp_path / "missing.txt"))


def test_bad_arrays():
    with pytest.raises(rg.LengthMismatchError):
        rg.Graph.from_arrays(np.array([1, 2]), np.array([1]))
    with pytest.raises(rg.InvalidProbabilityError):
        rg.Graph.from_arrays(np.array([1]), np.array([2]), probabilities=np.array([np.nan]))
    with pytest.raises(rg.InvalidProbabilityError):
        rg.Graph.from_arrays(np.array([1]), np.array([2]), probabilities=np.array([1.5]))
    with pytest.raises(rg.InvalidParameterError):
        rg.Graph.from_arrays(np.array([1]), np.array([2]), duplicates="sometimes")
    with pytest.raises(rg.DuplicateEdgeError):
        rg.Graph.from_arrays(np.array([1, 1]), np.array([2, 2]), duplicates="error")


def test_selection_errors(g):
    with pytest.raises(rg.KTooLargeError):
        g.reach_ladder(5, candidates=["a"])
    with pytest.raises(rg.MissingAttributeError):
        g.budget_pick(100.0)
    g.set_attributes(ids=["a"], cost=[50.0])
    with pytest.raises(rg.BudgetTooSmallError):
        g.budget_pick(10.0)
    with pytest.raises(rg.InvalidParameterError):
        g.budget_pick(float("nan"))


def test_bad_requests():
    with pytest.raises(rg.InvalidRequestError):
        rg.run_request("{}")
    with pytest.raises(rg.InvalidRequestError):
        rg.run_request({"version": 1, "type": "nope"})


def test_every_error_kind_has_its_own_class():
    pairs = rg._reachgraph._error_kinds()
    # The kinds of reachgraph_core::Error and reachgraph_api::ApiError.
    assert {kind for kind, _ in pairs} == {
        "parse", "io", "invalid_probability", "lt_weights_exceed_one", "unknown_node",
        "duplicate_node", "duplicate_edge", "empty", "k_too_large", "budget_too_small",
        "invalid_parameter", "invalid_attribute", "length_mismatch", "missing_attribute",
        "memory_limit", "cancelled", "incompatible_sketches", "corrupt_sketch",
        "truncated_sketch", "rank_failed", "rank_mismatch", "communication",
        "invalid_request", "built_without_mpi", "manifest_mismatch",
        "corrupt_graph_file", "truncated_graph_file", "table",
    }
    for kind, cls in pairs:
        if kind == "cancelled":
            assert cls is KeyboardInterrupt
            continue
        assert issubclass(cls, rg.ReachgraphError) and cls is not rg.ReachgraphError, kind
        assert getattr(rg, cls.__name__) is cls, f"{cls.__name__} is not exported"


def test_duplicate_policies_take_the_cli_spellings_and_the_old_python_ones():
    src, dst, p = np.array([1, 1]), np.array([2, 2]), np.array([0.5, 0.5])
    for spelling in ["noisy-or", "noisy_or"]:
        g = rg.Graph.from_arrays(src, dst, probabilities=p, duplicates=spelling)
        assert g.edge_count == 1
        assert g.edge_arrays()[2][0] == pytest.approx(0.75)
    for spelling in ["max", "first", "last"]:
        g = rg.Graph.from_arrays(src, dst, probabilities=p, duplicates=spelling)
        assert g.edge_arrays()[2][0] == pytest.approx(0.5)


def test_request_dicts_refuse_unknown_fields_at_every_level_with_the_path():
    base = {"version": 1, "type": "reach", "graph": {"inline": "a b\n"}, "seeds": ["a"]}
    cases = [
        ({**base, "sedes": 1}, r"sedes: unknown field"),
        ({**base, "graph": {"inline": "a b\n", "wieghts": "wc"}}, r"graph\.wieghts: unknown field"),
        ({**base, "graph": {"scenario": {"edges": 100, "sede": 1}}}, r"graph\.scenario\.sede: unknown field"),
        ({**base, "seeds": {"file": "s.txt", "fiel": "t.txt"}}, r"seeds\.fiel: unknown field"),
    ]
    for request, message in cases:
        with pytest.raises(rg.InvalidRequestError, match=message):
            rg.run_request(request)
