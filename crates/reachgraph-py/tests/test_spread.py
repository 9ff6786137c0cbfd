"""Spread: same numbers as the CLI/JSON API, deterministic across threads, GIL released,
stoppable with Ctrl-C or a progress callback."""

import _thread
import threading
import time

import numpy as np
import pytest

import reachgraph as rg


@pytest.fixture(scope="module")
def big():
    g, creators, _ = rg.generate_scenario(edges=1_000_000, seed=5)
    g.set_weights("wc")
    return g, creators[:50]


def test_spread_matches_api_and_is_thread_independent(tmp_path):
    src = np.array([0, 0, 1, 2, 2, 3, 4, 5])
    dst = np.array([1, 2, 3, 3, 4, 5, 5, 6])
    path = tmp_path / "g.txt"
    path.write_text("".join(f"{a} {b}\n" for a, b in zip(src, dst)))
    g = rg.read_edgelist(str(path))
    a = g.spread([0], model="ic", weights="wc", trials=20_000, seed=1, threads=1)
    b = g.spread([0], model="ic", weights="wc", trials=20_000, seed=1, threads=2)
    assert (a.mean, a.stderr) == (b.mean, b.stderr)
    api = rg.run_request(
        {"version": 1, "type": "spread", "graph": {"path": str(path), "weights": "wc"}, "seeds": [0],
         "model": "ic", "trials": 20_000, "seed": 1}
    )
    assert (api["mean"], api["stderr"]) == (a.mean, a.stderr)
    # Nodes 1 and 2 have in-degree 1 (p = 1), so the spread is at least {0, 1, 2}.
    assert 3 <= a.mean <= 7 and a.stderr > 0
    assert a.people["ci95_low"] <= a.mean <= a.people["ci95_high"]


def test_spread_on_arrays_equals_file(tmp_path):
    src = np.array([10, 10, 20, 30])
    dst = np.array([20, 30, 40, 40])
    path = tmp_path / "g.txt"
    path.write_text("".join(f"{a} {b}\n" for a, b in zip(src, dst)))
    x = rg.Graph.from_arrays(src, dst).spread([10], weights="const:0.5", trials=5000, seed=3)
    y = rg.read_edgelist(str(path)).spread([10], weights="const:0.5", trials=5000, seed=3)
    assert (x.mean, x.stderr) == (y.mean, y.stderr)
    # Exact: 1 + 0.5 + 0.5 + P(40) where 40 needs 20 or 30 active and its edge live: 1 - (1 - 1/4)^2.
    exact = 1 + 0.5 + 0.5 + (1 - 0.75 ** 2)
    assert abs(x.mean - exact) < 4 * x.stderr


def test_gil_is_released_during_a_long_call(big):
    g, seeds = big
    ticks = 0
    done = threading.Event()

    def work():
        g.spread(seeds, trials=200, seed=1)
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    # A call holding the GIL would let this loop run at most a couple of times.
    assert elapsed > 0.05, "call too short to tell; enlarge the workload"
    assert ticks > 10


def test_ctrl_c_stops_a_long_call(big):
    g, seeds = big
    timer = threading.Timer(0.2, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        g.spread(seeds, trials=10_000_000, seed=1)
    timer.cancel()
    # Ten million cascades take minutes; the interrupt must stop it within a second or two.
    assert time.perf_counter() - start < 5


def test_progress_callback_sees_progress_and_can_cancel(big):
    g, seeds = big
    seen = []

    def cb(stage, done, total):
        seen.append((stage, done, total))
        if len(seen) >= 2:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        g.spread(seeds, trials=10_000_000, seed=1, progress=cb)
    assert seen and seen[0][2] > 0


def test_spread_errors(big):
    g, seeds = big
    with pytest.raises(rg.InvalidParameterError):
        g.spread(seeds, trials=0)
    with pytest.raises(rg.InvalidParameterError):
        g.spread(seeds, model="sir")
    with pytest.raises(rg.InvalidParameterError):
        g.spread(seeds, threads=0)
    with pytest.raises(rg.EmptyInputError):
        g.spread([])
    h = rg.Graph.from_arrays(np.array([0, 1]), np.array([2, 2]), probabilities=np.array([0.7, 0.7]))
    with pytest.raises(rg.LtWeightsError, match="2"):
        h.spread([0], model="lt")


def test_spread_checkpoint_resumes_to_the_same_answer_and_refuses_other_files(tmp_path):
    g, creators, _ = rg.generate_scenario(edges=100_000, seed=2)
    seeds = creators[:10]
    whole = g.spread(seeds, weights="wc", trials=3_000, seed=3, threads=2)
    ckpt = tmp_path / "spread.ckpt"

    class Stop(Exception):
        pass

    def stop(stage, done, total):
        if done >= 500:
            raise Stop

    with pytest.raises(Stop):
        g.spread(seeds, weights="wc", trials=3_000, seed=3, threads=2, progress=stop, checkpoint=ckpt)
    assert ckpt.exists(), "the interrupted run left no checkpoint"
    resumed = g.spread(seeds, weights="wc", trials=3_000, seed=3, threads=1, checkpoint=str(ckpt))
    assert (resumed.mean, resumed.stderr, resumed.trials) == (whole.mean, whole.stderr, whole.trials)
    assert not ckpt.exists(), "the checkpoint of a finished run is removed"
    # Another run's file, or not a checkpoint at all: refused by name, left as it was.
    ckpt.write_text("source,target\n")
    with pytest.raises(rg.InvalidParameterError, match="checkpoint"):
        g.spread(seeds, weights="wc", trials=3_000, seed=3, checkpoint=ckpt)
    assert ckpt.read_text() == "source,target\n"
    with pytest.raises(rg.InvalidParameterError, match="checkpoint"):
        g.spread(seeds, weights="wc", trials=3_000, seed=3, checkpoint=12)
