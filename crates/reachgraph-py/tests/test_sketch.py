"""Sketches from Python: bounds against exact answers, merges, files, typed errors, and the
same answers as the JSON API."""

import json

import numpy as np
import pytest

import reachgraph as rg


def creator_graph(seed, creators=40, people=6000, max_followers=2500):
    """Creators 0..creators-1 with skewed audiences drawn from people ids 10_000.."""
    rng = np.random.default_rng(seed)
    src, dst = [], []
    for c in range(creators):
        n = int(max_followers / (1 + c) ** 0.7) + 20
        followers = rng.choice(people, size=n, replace=False) + 10_000
        src.append(np.full(n, c, dtype=np.int64))
        dst.append(followers.astype(np.int64))
    return np.concatenate(src), np.concatenate(dst)


@pytest.fixture(scope="module")
def big():
    src, dst = creator_graph(1)
    return rg.Graph.from_arrays(src, dst), src, dst


def test_reach_within_bound_of_exact_across_hash_seeds(big):
    g, _, _ = big
    accounts = list(range(40))
    exact = g.unique_reach(accounts)
    hits = 0
    for seed in range(20):
        sk = g.sketches(lg_k=8, seed=seed, accounts=accounts)
        r = sk.reach(accounts)
        assert r.confidence == 0.95 and not r.exact
        assert r.lower <= r.unique_reach <= r.upper
        assert r.error_bound == pytest.approx(max(r.upper - r.unique_reach, r.unique_reach - r.lower))
        hits += abs(r.unique_reach - exact) <= r.error_bound
    # 95% intervals: 20 draws, at most a few outside.
    assert hits >= 16, hits


def test_small_audiences_are_exact_and_match_the_graph():
    g = rg.Graph.from_edges(["a", "a", "b", "b", "c"], ["x", "y", "y", "z", "x"])
    sk = g.sketches()
    assert sk.lg_k == 14 and sk.seed == 9001
    r = sk.reach(["a", "b", "c"])
    assert (r.unique_reach, r.error_bound, r.exact) == (3.0, 0.0, True)
    assert r.summed_followers == 5
    ov = sk.overlap(["a", "b"])
    assert isinstance(ov["jaccard"], np.ndarray) and ov["jaccard"].shape == (2, 2)
    exact = g.overlap(["a", "b"])
    np.testing.assert_allclose(ov["jaccard"], exact["jaccard"])
    np.testing.assert_allclose(ov["shared"], exact["shared"])
    np.testing.assert_allclose(ov["jaccard_error"], 0.0)
    df = ov.to_pandas("containment")
    assert list(df.index) == ["a", "b"] and df.loc["a", "b"] == pytest.approx(0.5)


def test_overlap_bounds_cover_exact_jaccard(big):
    g, _, _ = big
    accounts = list(range(15))
    sk = g.sketches(lg_k=9, seed=3, accounts=accounts)
    ov = sk.overlap(accounts)
    ex = g.overlap(accounts)
    iu = np.triu_indices(len(accounts), 1)
    inside = np.abs(ov["jaccard"] - ex["jaccard"])[iu] <= ov["jaccard_error"][iu] + 1e-12
    assert inside.mean() >= 0.85, inside.mean()
    assert ov["accounts"] == accounts
    for name in ("shared", "shared_error", "containment", "containment_error"):
        assert ov[name].shape == (15, 15)


def test_merge_equals_build_on_the_union_and_is_commutative(big):
    _, src, dst = big
    half = len(src) // 2
    a = rg.Sketches.from_pairs(src[:half], dst[:half], lg_k=8, seed=5)
    b = rg.Sketches.from_pairs(src[half:], dst[half:], lg_k=8, seed=5)
    whole = rg.Sketches.from_pairs(src, dst, lg_k=8, seed=5)
    ab, ba = a.merge(b), b.merge(a)
    assert ab == ba
    # A merge lists accounts in id order; merging the whole with an empty set does the same.
    empty = rg.Sketches.from_pairs(np.array([], dtype=np.int64), np.array([], dtype=np.int64), lg_k=8, seed=5)
    assert len(empty) == 0
    assert ab.to_bytes() == whole.merge(empty).to_bytes()
    r1, r2 = ab.reach(list(range(40))), whole.reach(list(range(40)))
    # The answers are equal; provenance names each object's own bytes (accounts in another order).
    assert {**r1.to_dict(), "provenance": None} == {**r2.to_dict(), "provenance": None}
    assert sorted(zip(ab.accounts(), ab.records())) == sorted(zip(whole.accounts(), whole.records()))


def test_from_pairs_equals_build_from_graph(big):
    g, src, dst = big
    accounts = list(range(40))
    from_graph = g.sketches(lg_k=8, seed=5, accounts=accounts)
    from_pairs = rg.Sketches.from_pairs(src, dst, lg_k=8, seed=5)
    assert from_pairs.accounts() == accounts
    assert from_graph == from_pairs
    lists = rg.Sketches.from_pairs(src.tolist(), dst.tolist(), lg_k=8, seed=5)
    assert lists.reach(accounts).to_dict() == from_pairs.reach(accounts).to_dict()


def test_from_stream_reads_a_pair_file(tmp_path, big):
    _, src, dst = big
    p = tmp_path / "pairs.txt"
    p.write_text("# creator follower\n" + "".join(f"{a} {f}\n" for a, f in zip(src, dst)))
    streamed = rg.Sketches.from_stream(str(p), lg_k=8, seed=5, chunk_bytes=4096)
    pairs = rg.Sketches.from_pairs(src, dst, lg_k=8, seed=5)
    assert streamed.reach(list(range(40))).to_dict() == pairs.reach(list(range(40))).to_dict()
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n3\n")
    with pytest.raises(rg.ParseError, match="bad.txt:2"):
        rg.Sketches.from_stream(str(bad))
    with pytest.raises(rg.ReachgraphIOError):
        rg.Sketches.from_stream(str(tmp_path / "absent.txt"))


def test_save_load_round_trip(tmp_path, big):
    g, _, _ = big
    sk = g.sketches(lg_k=8, seed=2)
    info = sk.save(str(tmp_path / "sk"))
    assert info["accounts"] == len(sk) == g.node_count
    assert (tmp_path / "sk" / "manifest.json").exists()
    back = rg.Sketches.load(str(tmp_path / "sk"))
    assert back == sk and back.lg_k == 8 and back.seed == 2
    assert rg.Sketches.from_bytes(sk.to_bytes()) == sk
    assert back.reach([0, 1, 2]).to_dict() == sk.reach([0, 1, 2]).to_dict()
    with pytest.raises(rg.ReachgraphIOError, match="absent"):
        rg.Sketches.load(str(tmp_path / "absent"))


def test_corrupt_truncated_and_incompatible_sketches_raise_typed_errors(big):
    g, _, _ = big
    sk = g.sketches(lg_k=8, seed=2, accounts=[0, 1, 2])
    data = bytearray(sk.to_bytes())
    with pytest.raises(rg.TruncatedSketchError):
        rg.Sketches.from_bytes(bytes(data[:-10]))
    with pytest.raises(rg.TruncatedSketchError):
        rg.Sketches.from_bytes(bytes(data[:20]))
    flipped = bytearray(data)
    flipped[60] ^= 0xFF
    with pytest.raises(rg.CorruptSketchError, match="checksum"):
        rg.Sketches.from_bytes(bytes(flipped), "flipped.rgsk")
    with pytest.raises(rg.CorruptSketchError, match="magic"):
        rg.Sketches.from_bytes(b"NOTASKETCH" + bytes(data[10:]))
    other_k = g.sketches(lg_k=9, seed=2, accounts=[0, 1, 2])
    other_seed = g.sketches(lg_k=8, seed=3, accounts=[0, 1, 2])
    with pytest.raises(rg.IncompatibleSketchesError, match="lg_k"):
        sk.merge(other_k)
    with pytest.raises(rg.IncompatibleSketchesError, match="seed"):
        sk.merge(other_seed)
    # Merging a set with (a downsampled copy of) itself keeps its sketches, and its records:
    # identical entries are the same data seen twice, counted once (issue 14).
    again = sk.merge(other_k.downsample(8))
    assert again.reach([0, 1, 2]).unique_reach == sk.reach([0, 1, 2]).unique_reach
    np.testing.assert_array_equal(again.records(), sk.records())
    for cls in (rg.IncompatibleSketchesError, rg.CorruptSketchError, rg.TruncatedSketchError):
        assert issubclass(cls, rg.ReachgraphError)


def test_bad_arguments_raise_typed_errors(big):
    g, _, _ = big
    sk = g.sketches(lg_k=8, accounts=[0, 1, 2])
    with pytest.raises(rg.UnknownNodeError, match="999"):
        sk.reach([0, 999])
    with pytest.raises(rg.DuplicateNodeError):
        sk.reach([0, 0])
    with pytest.raises(rg.EmptyInputError):
        sk.reach([])
    with pytest.raises(rg.InvalidParameterError):
        sk.reach([0], confidence=1.5)
    with pytest.raises(rg.InvalidParameterError, match="lg_k"):
        g.sketches(lg_k=3)
    with pytest.raises(rg.InvalidParameterError):
        sk.reach("0")
    with pytest.raises(rg.LengthMismatchError):
        rg.Sketches.from_pairs(np.array([1, 2]), np.array([1]))
    with pytest.raises(rg.KTooLargeError):
        sk.ladder(4)
    with pytest.raises(rg.BudgetTooSmallError):
        sk.budget_pick(10.0, {0: 50.0})
    with pytest.raises(rg.MissingAttributeError):
        sk.budget_pick(10.0, {})
    with pytest.raises(rg.UnknownNodeError):
        sk.budget_pick(10.0, {77: 1.0})
    with pytest.raises(rg.InvalidAttributeError):
        sk.budget_pick(10.0, {0: -1.0})
    with pytest.raises(rg.LengthMismatchError):
        sk.budget_pick(10.0, np.array([1.0]))


def test_people_count_once_across_platforms(campaign):
    # ig_star and tt_star are one creator; their followers hash by person: 6 follows, 4 people.
    sk = campaign.sketches()
    stars = ["ig_star", "tt_star"]
    r = sk.reach(stars)
    assert (r.summed_followers, r.unique_reach) == (6, 4.0)
    assert r.unique_reach == campaign.unique_reach(stars)


def test_ladder_and_pick_on_exact_sketches_equal_the_exact_greedy(campaign):
    sk = campaign.sketches()
    creators = ["ig_star", "tt_star", "ig_c", "x_d"]
    lad = sk.ladder(3, candidates=creators)
    ex = campaign.reach_ladder(3, candidates=creators)
    assert lad.accounts == ex.accounts
    assert [s["cumulative_reach"] for s in lad.steps] == [float(s["cumulative_people"]) for s in ex.steps]
    assert lad.exact and list(lad.to_pandas()["account"]) == lad.accounts
    costs = {"ig_star": 8000, "tt_star": 8000, "ig_c": 3000, "x_d": 2000}
    pick = sk.budget_pick(10_000, costs)
    exact_pick = campaign.budget_pick(10_000)
    assert pick.accounts == exact_pick.accounts
    assert pick.unique_reach == float(exact_pick.people)
    assert pick.total_cost == exact_pick.total_cost
    # Costs as an array aligned with accounts(), and from the attribute CSV.
    arr = np.array([costs.get(a, np.nan) for a in sk.accounts()])
    assert sk.budget_pick(10_000, arr).accounts == pick.accounts
    assert sk.budget_pick(10_000, "tests/fixtures/graphs/campaign.attrs.csv").accounts == pick.accounts


def test_error_report_and_check(big):
    g, _, _ = big
    e = rg.sketch_error(14, set_size=5_000_000)
    assert e.k == 16384 and e.relative_error_bound < 0.02 and e.lg_k_for_2_percent == 14
    assert rg.sketch_error(12).relative_error_bound > 0.02
    sk = g.sketches(lg_k=9, seed=4, accounts=list(range(8)))
    assert sk.error_report().lg_k == 9
    c = sk.check(g, list(range(8)))
    assert len(c.rows) == 1 + 8 * 7 // 2
    reach_row = c.rows[0]
    assert reach_row["exact"] == g.unique_reach(list(range(8)))
    assert c.within >= 0.8 * len(c.rows)
    assert len(c.to_pandas()["what"]) == len(c.rows)


def test_answers_equal_the_json_api(campaign):
    sketches = "tests/fixtures/sketches/campaign"
    sk = rg.Sketches.load(sketches)
    creators = ["ig_star", "tt_star", "ig_c", "x_d"]
    api = rg.run_request({"version": 1, "type": "sketch_reach", "sketches": sketches, "accounts": creators})
    mine = sk.reach(creators).to_dict()
    for k, v in mine.items():
        if k != "provenance":  # the API records the request, Python the sketches' hash and the call
            assert api[k] == v, k
    api = rg.run_request({"version": 1, "type": "sketch_overlap", "sketches": sketches, "accounts": creators})
    ov = sk.overlap(creators)
    for name in ("shared", "jaccard", "containment", "jaccard_error"):
        np.testing.assert_array_equal(np.array(api[name]), ov[name])
    assert api["accounts"] == ov["accounts"]
    api = rg.run_request(
        {
            "version": 1,
            "type": "sketch_pick",
            "sketches": "tests/fixtures/sketches/merged",
            "costs": {"ig_star": 8000, "ig_c": 3000, "x_d": 2000, "new_creator": 1500},
            "budget": 5000,
            "candidates": ["ig_c", "x_d", "new_creator"],
        }
    )
    merged = rg.Sketches.load("tests/fixtures/sketches/campaign").merge(
        rg.Sketches.load("tests/fixtures/sketches/campaign_week2")
    )
    assert merged == rg.Sketches.load("tests/fixtures/sketches/merged")
    pick = merged.budget_pick(5000, {"ig_star": 8000, "ig_c": 3000, "x_d": 2000, "new_creator": 1500}, ["ig_c", "x_d", "new_creator"])
    assert api["accounts"] == pick.accounts
    assert api["unique_reach"] == pick.unique_reach
    assert [s["cumulative_reach"] for s in api["steps"]] == [s["cumulative_reach"] for s in pick.steps]
    # Built from the same graph as the fixture: the same bytes as the CLI wrote.
    assert campaign.sketches(lg_k=4) == sk
    json.dumps(sk.reach(creators).to_dict())  # plain Python values


def test_result_classes_name_what_they_hold():
    # A budgeted pick is not a ladder and the error table is not a bare Result: their reprs and
    # notebook titles say which answer they are.
    import reachgraph as rg

    g = rg.Graph.from_edges(["a", "a", "b"], ["x", "y", "y"])
    sk = g.sketches(lg_k=6)
    pick = sk.budget_pick(3.0, {"a": 1.0, "b": 2.0})
    assert type(pick) is rg.SketchPick and repr(pick).startswith("SketchPick(")
    assert "budgeted pick (sketches)" in pick._repr_html_()
    assert list(pick.accounts)[0] == "a"
    err = sk.error_report()
    assert type(err) is rg.SketchError and repr(err).startswith("SketchError(")
    assert err == rg.sketch_error(6)
    assert repr(sk.ladder(1)).startswith("SketchLadder(")
