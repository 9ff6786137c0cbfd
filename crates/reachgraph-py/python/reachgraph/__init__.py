"""reachgraph: social-graph reach analytics for notebooks.

How many distinct people a set of accounts really reaches, how much their audiences overlap,
and which creators to pick for a budget. A thin layer over the Rust library ``reachgraph-core``:
heavy calls release the GIL, take ``threads=``, and stop on Ctrl-C.

An edge ``u -> v`` means *v follows u*: what u posts can reach v.

>>> import numpy as np, reachgraph as rg
>>> g = rg.Graph.from_arrays(np.array([1, 1, 4]), np.array([2, 3, 3]))
>>> g.unique_reach([1, 4])
2
"""

from __future__ import annotations

import functools
import html
import inspect
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _reachgraph as _rs
from ._reachgraph import (  # noqa: F401  (re-exported exception classes)
    BudgetTooSmallError,
    BuiltWithoutMpiError,
    CommunicationError,
    CorruptGraphFileError,
    CorruptSketchError,
    DuplicateEdgeError,
    DuplicateNodeError,
    EmptyInputError,
    IncompatibleSketchesError,
    InvalidAttributeError,
    InvalidParameterError,
    InvalidProbabilityError,
    InvalidRequestError,
    KTooLargeError,
    LengthMismatchError,
    LtWeightsError,
    MemoryLimitError,
    MissingAttributeError,
    ParseError,
    RankFailedError,
    RankMismatchError,
    ReachgraphError,
    ReachgraphIOError,
    TruncatedGraphFileError,
    TruncatedSketchError,
    UnknownNodeError,
)

__version__ = _rs.__version__

Id = Union[int, str]
Ids = Union[Sequence[Id], np.ndarray]
ProgressCallback = Callable[[str, int, int], Any]

__all__ = [
    "Graph",
    "Comparison",
    "compare",
    "Sketches",
    "sketch_error",
    "Result",
    "Selection",
    "MarginResult",
    "margin",
    "report",
    "ReportResult",
    "plan",
    "PlanResult",
    "Evaluation",
    "read_edgelist",
    "generate_scenario",
    "run_request",
    "ReachgraphError",
]


def _pandas():
    try:
        import pandas  # type: ignore

        return pandas
    except ImportError:  # pragma: no cover - exercised only without pandas
        return None


# ---- argument conversion ------------------------------------------------------------------
# Every mistake in an argument's value raises a ReachgraphError subclass naming the argument
# (docs/python.md, "Errors"): the checks below run before the extension sees a value, so that
# pyo3's own conversions (OverflowError for a negative count, TypeError for a float) never
# reach the user. Ranges that depend on the work (trials, RR sets, threads) are the core's.

_UINT_MAX = {"u8": 2**8 - 1, "u32": 2**32 - 1, "u64": 2**64 - 1}


def _whole(name: str, value: Any, kind: str = "u64") -> int:
    """A whole number in the range of an unsigned Rust integer type (numpy integers welcome)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidParameterError(f"{name}={value!r}: expected a whole number, got {type(value).__name__}")
    v = int(value)
    if not 0 <= v <= _UINT_MAX[kind]:
        raise InvalidParameterError(f"{name}={v}: expected a whole number from 0 to {_UINT_MAX[kind]}")
    return v


def _opt_whole(name: str, value: Any, kind: str = "u64") -> Optional[int]:
    return None if value is None else _whole(name, value, kind)


def _number(name: str, value: Any) -> float:
    """A real number, never NaN (infinities are left to the parameter's own range check)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"{name}={value!r}: expected a number, got {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:
        raise InvalidParameterError(f"{name}={value!r}: too large for a float") from None
    if v != v:
        raise InvalidParameterError(f"{name}=nan: expected a number, not NaN")
    return v


def _opt_number(name: str, value: Any) -> Optional[float]:
    return None if value is None else _number(name, value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name}={value!r}: expected True or False")
    return bool(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name}={value!r}: expected a str, got {type(value).__name__}")
    return value


def _opt_text(name: str, value: Any) -> Optional[str]:
    return None if value is None else _text(name, value)


def _path(name: str, value: Any) -> str:
    """A file path: a str or an ``os.PathLike``."""
    import os

    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name}={value!r}: expected a path (str or os.PathLike)")
    return value


def _opt_path(name: str, value: Any) -> Optional[str]:
    return None if value is None else _path(name, value)


def _callback(progress: Any) -> Any:
    if progress is not None and not callable(progress):
        raise InvalidParameterError(f"progress={progress!r}: expected a callable progress(stage, done, total)")
    return progress


def _json_ready(value: Any) -> Any:
    """json.dumps's fallback: numpy scalars and arrays become plain numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        raise TypeError("sets have no order; pass a list")
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _dumps(what: str, value: Any, error: type) -> str:
    """JSON text of a request or options; NaN, infinities and non-JSON values raise ``error``."""
    import json

    try:
        return json.dumps(value, default=_json_ready, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise error(f"{what}: {e}") from None


_PERSON_ARRAYS = ("lean", "turnout", "eligible", "effect_multiplier")


def _person_arrays(options: Dict[str, Any]) -> Dict[str, Any]:
    """The per-person margin arrays (``lean``, ``turnout``, ``eligible``; per account
    ``effect_multiplier``) as JSON lists: one-dimensional, numbers, NaN or None for "not
    given" (sent as null). Ranges and lengths are checked by the extension, which names the
    field, index and value."""
    out = dict(options)
    for name in _PERSON_ARRAYS:
        if name not in out or out[name] is None:
            continue
        value = out[name]
        if hasattr(value, "to_numpy"):  # pandas Series
            value = value.to_numpy()
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as e:
            raise InvalidParameterError(f"{name}: expected a one-dimensional array of numbers ({e})") from None
        if arr.ndim != 1:
            raise InvalidParameterError(f"{name}: expected a one-dimensional array of numbers, got shape {arr.shape}")
        bad = np.flatnonzero(np.isinf(arr))
        if bad.size:
            i = int(bad[0])
            raise InvalidParameterError(f"{name}[{i}] = {arr[i]} is not a finite number")
        out[name] = [None if np.isnan(x) else float(x) for x in arr.tolist()]
    return out


def _id_array(ids: Any) -> Any:
    """An integer numpy array as Rust reads it: signed as int64 (in place), unsigned as uint64,
    so that ids at or above 2**63 keep their value instead of wrapping to negative ones."""
    if ids.dtype.kind == "u" and ids.size and ids.max() >= 2**63:
        return np.ascontiguousarray(ids, dtype=np.uint64)
    return np.ascontiguousarray(ids, dtype=np.int64)


def _ids_arg(ids: Any, name: str = "ids") -> Any:
    """Integer numpy arrays go to Rust as int64 or uint64 arrays; anything else as a list."""
    if isinstance(ids, np.ndarray):
        if ids.ndim != 1:
            raise InvalidParameterError(f"{name}: expected a one-dimensional array of ids, got shape {ids.shape}")
        if ids.dtype.kind in "iu":
            return _id_array(ids)
        return ids.tolist()
    if hasattr(ids, "to_numpy"):  # pandas Series / Index
        return _ids_arg(ids.to_numpy(), name)
    if isinstance(ids, (str, bytes)):
        return ids  # rejected by the extension with a clear message
    if isinstance(ids, (list, tuple)):
        return ids
    try:
        return list(ids)
    except TypeError:
        raise InvalidParameterError(f"{name}: expected a list or array of ids, got {type(ids).__name__}") from None


def _opt_ids(ids: Any, name: str) -> Any:
    return None if ids is None else _ids_arg(ids, name)


def _as_id_array(name: str, value: Any) -> np.ndarray:
    try:
        a = np.asarray(value)
    except ValueError as e:  # ragged nested lists
        raise InvalidParameterError(f"{name}: not an array of ids ({e})") from None
    if a.ndim != 1:
        raise InvalidParameterError(f"{name}: expected a one-dimensional array of ids, got shape {a.shape}")
    return a


def _probability_array(value: Any, dtype: Any = np.float32) -> np.ndarray:
    """Probabilities as a flat float array; NaN passes, for the core's InvalidProbabilityError."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise InvalidParameterError(f"probabilities: expected a list or array of numbers, got {type(value).__name__}")
    try:
        a = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise InvalidParameterError(f"probabilities: not an array of numbers ({e})") from None
    if a.ndim != 1:
        raise InvalidParameterError(f"probabilities: expected a one-dimensional array, got shape {a.shape}")
    return np.ascontiguousarray(a)


def _column(table: Any, column: Any, role: str) -> Any:
    """A column of a DataFrame (or dict of columns) as an array; a missing one is named."""
    try:
        col = table[column]
    except (KeyError, IndexError, TypeError):
        raise InvalidParameterError(f"{role}={column!r}: no such column") from None
    return col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)


class Result:
    """A result: attribute access to its fields, a dict view, and a readable notebook table."""

    _title = "result"
    #: The unit of each field, shown beside it by ``repr`` and the notebook table: "graph
    #: people" (people of the graph as loaded; an account without a person link is its own
    #: person), "accounts", "follows (graph)", "usd", "share", "target weight".
    _units: Dict[str, str] = {}

    def __init__(self, data: Dict[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        # Only fields are looked up here. Private and dunder names never are: copy and pickle
        # probe them (`__setstate__`, `__deepcopy__`) on an instance whose `_data` is not set
        # yet, and looking `_data` up through `__getattr__` would recurse without end.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.__dict__["_data"][name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __reduce__(self):
        # The fields (plain values and numpy arrays) and any per-instance title rebuild it.
        extra = {k: v for k, v in self.__dict__.items() if k != "_data"}
        return (_rebuild_result, (type(self), self._data, extra))

    def __copy__(self):
        return _rebuild_result(type(self), dict(self._data), dict(self.__dict__, _data=None))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and _same(self._data, other._data)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def keys(self) -> Iterable[str]:
        return self._data.keys()

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a plain dict."""
        return dict(self._data)

    @property
    def units(self) -> Dict[str, str]:
        """The unit of each field that has one (e.g. ``{"unique_people": "graph people"}``)."""
        return {k: u for k, u in self._units.items() if k in self._data}

    @property
    def provenance(self) -> Optional[Dict[str, Any]]:
        """Where the result came from: package ``version``, ``graph_hash``, ``weights``,
        ``model``, ``seed`` and ``parameters`` (the request, or the Graph method's name and
        arguments). Every JSON response, every Graph and Sketches method's result and
        ``sketch_error`` carry it (sketch results: ``sketches_hash``, ``lg_k`` and the hash
        seed instead of a graph); None only for a result built by hand."""
        return self._data.get("provenance")

    def _unit(self, key: str) -> str:
        u = self._units.get(key)
        return f" {u}" if u else ""

    def _scalars(self) -> List[tuple]:
        return [(k, v) for k, v in self._data.items() if isinstance(v, (int, float, str, bool))]

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{k}={v!r}" + (f" [{self._units[k]}]" if k in self._units else "") for k, v in self._scalars()
        )
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(_fmt(v) + self._unit(k))}</td></tr>"
            for k, v in self._scalars()
        )
        return f"<table><caption>{html.escape(self._title)}</caption>{rows}</table>"


def _pyplot():
    """matplotlib's pyplot, or a clear error naming the install command (plots are optional)."""
    try:
        import matplotlib.pyplot as plt  # noqa: WPS433 (optional dependency, imported on use)
    except ImportError as e:  # pragma: no branch
        raise ImportError(
            "plot() needs matplotlib, which reachgraph does not install: pip install matplotlib"
        ) from e
    return plt


def _axes(ax: Any) -> Any:
    """``ax``, or a new figure's axes."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _ladder_plot(ax: Any, added: List[float], reached: List[float], err: Optional[List[float]],
                 unit: str, title: str) -> Any:
    ax = _axes(ax)
    x = list(range(0, len(reached) + 1))
    y = [0.0] + list(reached)
    ax.plot(x, y, marker="o", label="distinct reach")
    if err is not None:
        lo = [0.0] + [r - e for r, e in zip(reached, err)]
        hi = [0.0] + [r + e for r, e in zip(reached, err)]
        ax.fill_between(x, lo, hi, alpha=0.25, label="error bound")
    ax.plot(x, [0.0] + list(np.cumsum(added)), linestyle="--", color="grey",
            label="sum of each account's own gain")
    ax.set_xlabel("accounts added (pick order)")
    ax.set_ylabel(f"distinct {unit} reached")
    ax.set_title(title)
    ax.legend()
    return ax


def _rebuild_result(cls: type, data: Dict[str, Any], extra: Dict[str, Any]) -> "Result":
    r = cls.__new__(cls)
    r.__dict__.update(extra)
    r.__dict__["_data"] = data
    return r


def _same(a: Any, b: Any) -> bool:
    """Equality of result fields: nested dicts and lists, numpy arrays by value (NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return bool(a == b)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


#: The unit RR-set spread estimates count, by objective.
_OBJECTIVE_UNITS = {"uniform": "accounts", "people": "graph people", "target_weighted": "target weight"}


class ReachResult(Result):
    """Distinct people reached by a seed set, with breakdowns by jurisdiction and platform."""

    _title = "reach"
    _units = {
        "seeds": "accounts",
        "summed_followers": "follows (graph)",
        "unique_people": "graph people",
        "unique_accounts": "accounts",
        "target_weight": "target weight",
    }

    def by_jurisdiction_frame(self):
        """The jurisdiction breakdown as a DataFrame (a dict of lists without pandas)."""
        return _table(self._data["by_jurisdiction"])

    def by_platform_frame(self):
        """The platform breakdown as a DataFrame (a dict of lists without pandas)."""
        return _table(self._data["by_platform"])


class ExpectedReach(Result):
    """Expected reach under edge probabilities and the exposure-frequency distribution."""

    _title = "expected reach"
    _units = {"expected_people": "expected graph people", "people_counted": "graph people", "posts_per_seed": "posts"}


class Overlap(Result):
    """Overlap matrices (numpy) of a list of accounts: shared, Jaccard, containment."""

    _title = "overlap"

    def to_pandas(self, matrix: str = "jaccard"):
        """One matrix as a labelled DataFrame (a dict of arrays without pandas)."""
        m = self._data.get(matrix) if isinstance(matrix, str) else None
        if not isinstance(m, np.ndarray) or m.ndim != 2:
            names = sorted(k for k, v in self._data.items() if isinstance(v, np.ndarray) and v.ndim == 2)
            raise InvalidParameterError(f"matrix={matrix!r}: expected one of {names}")
        labels = [str(a) for a in self._data["accounts"]]
        pd = _pandas()
        if pd is None:
            return {"accounts": labels, matrix: m}
        return pd.DataFrame(m, index=labels, columns=labels)

    def _repr_html_(self) -> str:
        labels = [html.escape(str(a)) for a in self._data["accounts"]][:20]
        m = self._data["jaccard"]
        head = "".join(f"<th>{a}</th>" for a in labels)
        body = "".join(
            f"<tr><th>{labels[i]}</th>" + "".join(f"<td>{m[i, j]:.3f}</td>" for j in range(len(labels))) + "</tr>"
            for i in range(len(labels))
        )
        return f"<table><caption>Jaccard overlap</caption><tr><th></th>{head}</tr>{body}</table>"

    def plot(self, ax: Any = None, matrix: str = "jaccard") -> Any:
        """A heatmap of one overlap matrix (``jaccard``, ``containment`` or ``shared``) with the
        accounts as labels; returns the matplotlib Axes (needs matplotlib)."""
        m = self._data.get(matrix) if isinstance(matrix, str) else None
        if not isinstance(m, np.ndarray) or m.ndim != 2:
            names = sorted(k for k, v in self._data.items() if isinstance(v, np.ndarray) and v.ndim == 2)
            raise InvalidParameterError(f"matrix={matrix!r}: expected one of {names}")
        ax = _axes(ax)
        im = ax.imshow(m, cmap="viridis")
        labels = [str(a) for a in self._data["accounts"]]
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=90)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels)
        unit = {"jaccard": "share of the union", "containment": "share of the row's followers",
                "shared": "graph people"}.get(matrix, "")
        ax.figure.colorbar(im, ax=ax, label=f"{matrix} ({unit})" if unit else matrix)
        ax.set_title(f"audience overlap: {matrix}")
        return ax


class Ladder(Result):
    """A greedy reach ladder or budgeted pick: accounts in pick order with marginal gains."""

    _title = "reach ladder"
    _units = {
        "budget": "usd",
        "total_cost": "usd",
        "people": "graph people",
        "target_weight": "target weight",
        "guarantee": "share of the best possible",
    }

    def to_pandas(self):
        """The steps as a DataFrame (a dict of lists without pandas), with account ids."""
        steps = [dict(s) for s in self._data["steps"]]
        for s, a in zip(steps, self._data["accounts"]):
            s["account"] = a
        return _table(steps)

    def _repr_html_(self) -> str:
        cols = ["account", "marginal_people", "cumulative_people", "cost"]
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(s.get(c) if c != 'account' else a))}</td>" for c in cols) + "</tr>"
            for s, a in zip(self._data["steps"], self._data["accounts"])
        )
        head = "".join(f"<th>{c}</th>" for c in cols)
        return f"<table><caption>{html.escape(self._title)}</caption><tr>{head}</tr>{rows}</table>"

    def plot(self, ax: Any = None) -> Any:
        """Distinct graph people reached against accounts added in pick order (measured), with
        the sum of each account's own gain for contrast; returns the matplotlib Axes."""
        steps = self._data["steps"]
        return _ladder_plot(ax, [s["marginal_people"] for s in steps],
                            [s["cumulative_people"] for s in steps], None, "graph people",
                            self._title)


class BudgetPick(Ladder):
    """The best accounts for a budget."""

    _title = "budgeted pick"


def _table(rows: List[Dict[str, Any]]):
    pd = _pandas()
    if pd is not None:
        return pd.DataFrame(rows)
    keys: List[str] = []
    for r in rows:
        keys.extend(k for k in r if k not in keys)
    return {k: [r.get(k) for r in rows] for k in keys}


class SpreadResult(Result):
    """Monte Carlo spread: ``mean``/``stderr`` in people; ``people``, ``accounts`` and
    ``target_weight`` as estimates with 95% intervals; optional ``node_probabilities``."""

    _title = "spread"
    _units = {"mean": "graph people", "stderr": "graph people", "trials": "trials"}

    def plot(self, ax: Any = None) -> Any:
        """A bar of the expected spread in graph people with its 95% interval (Monte Carlo);
        returns the matplotlib Axes."""
        e = self._data["people"]
        return _estimate_bar(ax, [("seed set", e["mean"], e["stderr"])], "graph people",
                             "Monte Carlo spread")

    def _scalars(self) -> List[tuple]:
        out = super()._scalars()
        for k in ("people", "accounts", "target_weight"):
            e = self._data.get(k)
            if isinstance(e, dict):
                unit = {"people": "graph people", "accounts": "accounts", "target_weight": "target weight"}[k]
                out.append((f"{k} 95% CI", f"[{e['ci95_low']:,.2f}, {e['ci95_high']:,.2f}] {unit}"))
        return out


def _estimate_bar(ax: Any, bars: List[tuple], unit: str, title: str) -> Any:
    """Bars of estimates ``(label, mean, stderr)`` with 95% intervals."""
    ax = _axes(ax)
    labels = [b[0] for b in bars]
    ax.bar(range(len(bars)), [b[1] for b in bars], yerr=[1.96 * b[2] for b in bars], capsize=6,
           color="tab:blue", alpha=0.8)
    ax.set_xticks(range(len(bars)))
    ax.set_xticklabels(labels)
    ax.set_ylabel(f"expected spread ({unit}, modelled)")
    ax.set_title(title + " (bars: 95% interval)")
    return ax


def _spread_plot(self: Result, ax: Any, unit: str, title: str) -> Any:
    curve = self._data.get("steps")
    if curve:
        ax = _axes(ax)
        cum = [s["cumulative"] for s in curve]
        ax.plot(range(0, len(cum) + 1), [0.0] + cum, marker="o", label="in-sample spread (greedy)")
        e = self._data["estimate"]
        ax.errorbar([len(cum)], [e["mean"]], yerr=[1.96 * e["stderr"]], fmt="s", color="tab:red",
                    capsize=6, label="out-of-sample estimate, 95% interval")
        ax.set_xlabel("seeds added (pick order)")
        ax.set_ylabel(f"expected spread ({unit}, modelled)")
        ax.set_title(title)
        ax.legend()
        return ax
    e = self._data.get("estimate") or self._data.get("people")
    return _estimate_bar(ax, [("seed set", e["mean"], e["stderr"])], unit, title)


class Selection(Result):
    """Chosen seeds (``seeds``, external ids in pick order) with ``mean``/``stderr`` of their
    out-of-sample spread estimate, the certified ``approximation`` ratio, ``rr_sets`` drawn and
    ``timings`` per phase; ``steps`` gives marginal gains in pick order."""

    _title = "seed selection"

    @property
    def _units(self) -> Dict[str, str]:  # type: ignore[override]
        u = _OBJECTIVE_UNITS.get(str(self._data.get("objective")), "objective units")
        return {"mean": u, "stderr": u, "in_sample": u, "total_cost": "usd",
                "approximation": "share of the optimum", "rr_sets": "RR sets"}

    def to_pandas(self):
        """Seeds in pick order with marginal gain and cumulative in-sample spread."""
        rows = []
        cum = 0.0
        costs = self._data.get("costs")
        for i, (a, m) in enumerate(zip(self._data["seeds"], self._data["marginal_gains"])):
            cum += m
            row = {"account": a, "marginal_gain": m, "cumulative": cum}
            if costs is not None:
                row["cost"] = costs[i]
            rows.append(row)
        return _table(rows)

    def plot(self, ax: Any = None) -> Any:
        """The spread curve (cumulative in-sample spread per seed in pick order, with the
        out-of-sample estimate and its 95% interval at the end); returns the matplotlib Axes."""
        steps = None
        if "marginal_gains" in self._data:
            cum = np.cumsum(self._data["marginal_gains"]).tolist()
            steps = [{"cumulative": c} for c in cum]
        view = Result(dict(self._data, steps=steps))
        return _spread_plot(view, ax, self._units["mean"], "seed selection")

    def _scalars(self) -> List[tuple]:
        out = super()._scalars()
        e = self._data["estimate"]
        out.append(("estimate 95% CI", f"[{e['ci95_low']:,.2f}, {e['ci95_high']:,.2f}]"))
        out.append(("seeds", ", ".join(str(s) for s in self._data["seeds"][:20]) + (" …" if len(self._data["seeds"]) > 20 else "")))
        return out


class Evaluation(Result):
    """A seed set's spread estimate on fresh RR sets: ``mean``, ``stderr``, ``estimate``."""

    _title = "spread estimate (RR sets)"

    @property
    def _units(self) -> Dict[str, str]:  # type: ignore[override]
        u = _OBJECTIVE_UNITS.get(str(self._data.get("objective")), "objective units")
        return {"mean": u, "stderr": u, "rr_sets": "RR sets"}


class Comparison(Result):
    """Seed sets compared on common RR sets (as ``reachgraph compare --json``): ``sets`` (per
    set ``label``, ``seeds``, ``mean``, ``stderr``, 95% interval), ``difference`` (the second
    set minus the first: ``mean``, paired ``stderr``, ``unpaired_stderr`` for contrast) and
    ``differences`` (every later set minus the first), ``rr_sets`` and the ``rule`` that chose
    their number. Spreads are modelled expected graph people (RR-set estimates, seeds
    included) unless ``objective`` says otherwise."""

    _title = "paired comparison (common RR sets)"

    @property
    def _units(self) -> Dict[str, str]:  # type: ignore[override]
        return {"rr_sets": "RR sets", "time_s": "seconds"}

    @property
    def unit(self) -> str:
        """The unit of every spread and difference (e.g. ``"graph people"``)."""
        return _OBJECTIVE_UNITS.get(str(self._data.get("objective")), "objective units")

    def to_pandas(self):
        """One row per seed set, then one per difference (``kind`` says which)."""
        rows = []
        for x in self._data["sets"]:
            rows.append({"kind": "set", "label": x["label"], "seeds": len(x["seeds"]),
                         "mean": x["mean"], "stderr": x["stderr"], "ci95_low": x["ci95_low"],
                         "ci95_high": x["ci95_high"], "unpaired_stderr": None, "unit": self.unit})
        for d in self._data["differences"]:
            rows.append({"kind": "difference", "label": d["label"], "seeds": None,
                         "mean": d["mean"], "stderr": d["stderr"], "ci95_low": d["ci95_low"],
                         "ci95_high": d["ci95_high"], "unpaired_stderr": d["unpaired_stderr"],
                         "unit": self.unit})
        return _table(rows)

    def _scalars(self) -> List[tuple]:
        out = [(k, v) for k, v in super()._scalars() if k not in ("time_s",)]
        u = self.unit
        for x in self._data["sets"]:
            out.append((x["label"], f"{x['mean']:,.2f} ± {x['stderr']:,.2f} {u}"))
        for d in self._data["differences"]:
            out.append((d["label"], f"{d['mean']:+,.2f} ± {d['stderr']:,.2f} {u} (paired; unpaired ± {d['unpaired_stderr']:,.2f})"))
        return out

    def plot(self, ax: Any = None) -> Any:
        """Each set's spread with its 95% interval (left) and each difference to the first set
        with its paired 95% interval beside the unpaired one (right; only this panel when
        ``ax`` is given); returns the Axes of the differences. Needs matplotlib."""
        return _comparison_plot(self, ax)

    def _repr_html_(self) -> str:
        u = html.escape(self.unit)
        head = ("<tr><th style='text-align:left'>seed set</th><th>seeds</th><th>mean</th>"
                "<th>stderr</th><th>95% interval</th><th>unpaired stderr</th></tr>")
        rows = []
        for x in self._data["sets"]:
            rows.append(f"<tr><td style='text-align:left'>{html.escape(str(x['label']))}</td>"
                        f"<td>{len(x['seeds'])}</td><td>{x['mean']:,.2f}</td><td>{x['stderr']:,.2f}</td>"
                        f"<td>{x['ci95_low']:,.2f} – {x['ci95_high']:,.2f}</td><td></td></tr>")
        for d in self._data["differences"]:
            rows.append(f"<tr><td style='text-align:left'>{html.escape(str(d['label']))}</td><td></td>"
                        f"<td>{d['mean']:+,.2f}</td><td>{d['stderr']:,.2f}</td>"
                        f"<td>{d['ci95_low']:,.2f} – {d['ci95_high']:,.2f}</td><td>{d['unpaired_stderr']:,.2f}</td></tr>")
        cap = html.escape(f"{self._title}: {u}, {self._data['rr_sets']:,} RR sets")
        return f"<table><caption>{cap}</caption>{head}{''.join(rows)}</table>"


def _comparison_plot(self: "Comparison", ax: Any = None) -> Any:
    """Left: each set's spread with its 95% interval. Right (a second Axes beside it when
    ``ax`` is None): each difference to the first set with its paired 95% interval and, lighter,
    the unpaired one. Returns the Axes of the differences (or ``ax``)."""
    plt = _pyplot()
    u = self.unit
    if ax is None:
        fig, (left, ax) = plt.subplots(1, 2, figsize=(10, 4))
        sets = self._data["sets"]
        _estimate_bar(left, [(x["label"], x["mean"], x["stderr"]) for x in sets], u, "seed sets")
    diffs = self._data["differences"]
    x = np.arange(len(diffs))
    ax.bar(x, [d["mean"] for d in diffs], color="tab:green", alpha=0.8)
    ax.errorbar(x - 0.1, [d["mean"] for d in diffs], yerr=[1.96 * d["unpaired_stderr"] for d in diffs],
                fmt="none", ecolor="grey", capsize=5, label="unpaired 95% interval")
    ax.errorbar(x + 0.1, [d["mean"] for d in diffs], yerr=[1.96 * d["stderr"] for d in diffs],
                fmt="none", ecolor="black", capsize=5, label="paired 95% interval (common RR sets)")
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([d["label"] for d in diffs])
    ax.set_ylabel(f"difference in expected spread ({u}, modelled)")
    ax.set_title("paired differences")
    ax.legend()
    return ax


class MarginResult(Result):
    """A margin simulation (as ``reachgraph margin --json``): ``national`` (electoral-vote
    distributions with and without the campaign, P(majority)), ``jurisdictions`` (margins,
    P(win), P(flip), break-even effect per state), ``assumptions`` (every modelled quantity with
    its source). Effects default to the field evidence (persuasion near zero): read
    ``break_even_effect`` as the effect a state would need, not a promise."""

    _title = "margin simulation"

    def jurisdictions_frame(self):
        """Per-jurisdiction table (a DataFrame, or a dict of lists without pandas), closest first."""
        rows = [dict(j) for j in self._data["jurisdictions"]]
        rows.sort(key=lambda j: abs(j.get("margin_a_without", 0.0)))
        return _table(rows)

    def _scalars(self) -> List[tuple]:
        n = self._data["national"]
        out = [("side_a", self._data.get("side_a"))]
        for k in ("without", "with"):
            out.append((f"EV for side A ({k} campaign), mean", f"{n['ev_a'][k]['mean']:.1f}"))
            out.append((f"P(majority) {k}", f"{n['p_majority'][k]:.4f}"))
        return out

    def plot(self, ax: Any = None) -> Any:
        """Side A's electoral-vote distribution over the draws without and with the campaign
        (modelled), with the majority line; returns the matplotlib Axes."""
        ax = _axes(ax)
        ev = self._data["national"]["ev_a"]
        for k, color in (("without", "tab:grey"), ("with", "tab:blue")):
            counts = np.asarray(ev[k]["counts"], dtype=float)
            share = counts / max(counts.sum(), 1.0)
            ax.step(np.arange(len(counts)), share, where="mid", color=color,
                    label=f"{k} campaign (mean {ev[k]['mean']:.1f})")
        total = len(ev["without"]["counts"]) - 1
        ax.axvline(total // 2 + 1, color="red", linestyle=":", label=f"majority ({total // 2 + 1})")
        ax.set_xlabel("electoral votes for side A")
        ax.set_ylabel("share of draws")
        ax.set_title("electoral votes (modelled)")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        head = super()._repr_html_()
        cols = ["id", "margin_a_without", "margin_a_with", "p_win_a_without", "p_win_a_with", "break_even_effect"]
        rows = sorted(self._data["jurisdictions"], key=lambda j: abs(j.get("margin_a_without", 0.0)))[:10]
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(j.get(c)))}</td>" for c in cols) + "</tr>" for j in rows)
        th = "".join(f"<th>{c}</th>" for c in cols)
        return head + f"<table><caption>closest jurisdictions</caption><tr>{th}</tr>{body}</table>"


def _pagerank(n: int, src: np.ndarray, dst: np.ndarray, damping: float = 0.85,
              tolerance: float = 1e-12, max_iterations: int = 1000) -> np.ndarray:
    """PageRank on the follower graph of influence edges ``src -> dst`` (``dst`` follows
    ``src``, so rank flows from ``dst`` to ``src``); the core's formula and constants."""
    following = np.bincount(dst, minlength=n).astype(np.float64)
    dangling = following == 0
    pr = np.full(n, 1.0 / n)
    for _ in range(max_iterations):
        share = np.where(dangling, 0.0, pr / np.where(dangling, 1.0, following))
        nxt = (1.0 - damping) / n + damping * pr[dangling].sum() / n
        nxt = nxt + damping * np.bincount(src, weights=share[dst], minlength=n)
        change = np.abs(nxt - pr).sum()
        pr = nxt
        if change <= tolerance:
            break
    return pr


class Graph:
    """The frozen follower graph. Build it with :func:`read_edgelist`, :meth:`from_arrays`,
    :meth:`from_pandas` or :meth:`from_networkx`."""

    __slots__ = ("_g", "_rw")

    def __init__(self, inner: "_rs.Graph"):
        self._g = inner

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        src: Any,
        dst: Any,
        probabilities: Optional[Any] = None,
        undirected: bool = False,
        duplicates: str = "max",
    ) -> "Graph":
        """Edges ``src[i] -> dst[i]`` (dst follows src) from integer id arrays; ids as given.

        Copies nothing per edge in Python: int64 arrays are read in place.
        """
        s = _as_id_array("src", src)
        d = _as_id_array("dst", dst)
        if s.dtype.kind not in "iu" or d.dtype.kind not in "iu":
            return cls.from_edges(s.tolist(), d.tolist(), probabilities, undirected, duplicates)
        p = None if probabilities is None else _probability_array(probabilities)
        undirected, duplicates = _flag("undirected", undirected), _text("duplicates", duplicates)
        return cls(
            _rs.Graph.from_arrays(
                _id_array(s),
                _id_array(d),
                p,
                undirected,
                duplicates,
            )
        )

    @classmethod
    def from_edges(
        cls,
        src: Sequence[Id],
        dst: Sequence[Id],
        probabilities: Optional[Sequence[float]] = None,
        undirected: bool = False,
        duplicates: str = "max",
    ) -> "Graph":
        """Edges from two lists of ids (ints or strings)."""
        s, d = _ids_arg(src, "src"), _ids_arg(dst, "dst")
        if isinstance(s, (str, bytes)) or isinstance(d, (str, bytes)):
            raise InvalidParameterError("src and dst must be lists of ids, not single strings")
        s = s.tolist() if isinstance(s, np.ndarray) else list(s)
        d = d.tolist() if isinstance(d, np.ndarray) else list(d)
        p = None if probabilities is None else _probability_array(probabilities, np.float64).tolist()
        undirected, duplicates = _flag("undirected", undirected), _text("duplicates", duplicates)
        return cls(_rs.Graph.from_id_lists(s, d, p, undirected, duplicates))

    @classmethod
    def from_pandas(
        cls,
        df: Any,
        source: str = "source",
        target: str = "target",
        probability: Optional[str] = None,
        undirected: bool = False,
        duplicates: str = "max",
    ) -> "Graph":
        """Edges from a DataFrame's source and target columns (and optional probability)."""
        p = None if probability is None else _column(df, probability, "probability")
        return cls.from_arrays(_column(df, source, "source"), _column(df, target, "target"), p, undirected, duplicates)

    @classmethod
    def from_networkx(cls, g: Any, probability: Optional[str] = None, duplicates: str = "max") -> "Graph":
        """A networkx graph; undirected graphs add both directions. Node ids must be ints or strs."""
        edges = list(g.edges(data=True))
        src = [u for u, _, _ in edges]
        dst = [v for _, v, _ in edges]
        p = None
        if probability is not None:
            p = []
            for u, v, d in edges:
                if probability not in d:
                    raise MissingAttributeError(f"edge {u!r} -> {v!r} has no attribute {probability!r}")
                p.append(_number(f"probability of edge {u!r} -> {v!r}", d[probability]))
        undirected = not g.is_directed()
        if src and all(isinstance(x, (int, np.integer)) and -(2**63) <= x < 2**63 for x in src + dst):
            out = cls.from_arrays(np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), p, undirected, duplicates)
        else:
            out = cls.from_edges(src, dst, p, undirected, duplicates)
        return out

    def to_networkx(self):
        """The graph as a networkx DiGraph with edge attribute ``p``."""
        import networkx as nx  # type: ignore

        ids = self.ids()
        s, d, p = self._g.edge_arrays()
        h = nx.DiGraph()
        h.add_nodes_from(ids)
        h.add_weighted_edges_from(((ids[a], ids[b], float(w)) for a, b, w in zip(s, d, p)), weight="p")
        return h

    # ---- properties ----------------------------------------------------------------------
    @property
    def node_count(self) -> int:
        """Number of accounts."""
        return self._g.node_count

    @property
    def edge_count(self) -> int:
        """Number of directed follow edges."""
        return self._g.edge_count

    @property
    def people_count(self) -> int:
        """Number of people (accounts linked by the person attribute count once)."""
        return self._g.people_count

    @property
    def build_report(self) -> Dict[str, int]:
        """What building did: records read, self-loops dropped, duplicates merged."""
        return self._g.build_report

    @property
    def weights(self) -> Dict[str, Any]:
        """The edge-probability scheme in force."""
        return self._g.weights

    @property
    def content_hash(self) -> str:
        """Content hash of the graph as it is now (structure and edge probabilities): the
        ``provenance["graph_hash"]`` of every result computed on it, equal to the JSON API's for
        the same graph. Computed once per change of the graph."""
        return self._g.content_hash

    def ids(self) -> List[Id]:
        """External ids of all accounts, in internal order."""
        return self._g.ids()

    def people(self) -> List[str]:
        """Names of the graph's people in person order (each person at the place of their first
        account in :meth:`ids` order): the ``person`` attribute, or the account id of an account
        linked to no person. The per-person margin arrays follow this order."""
        return self._g.people()

    def edge_arrays(self):
        """Edges as (source index, target index, probability) numpy arrays; indexes into ids()."""
        return self._g.edge_arrays()

    def out_degrees(self, accounts: Ids) -> np.ndarray:
        """Follower counts of the accounts."""
        return self._g.out_degrees(_ids_arg(accounts, "accounts"))

    def top_accounts(self, k: int, by: str = "followers") -> List[Id]:
        """The ``k`` accounts with the highest score, best first (ties: the earlier account).

        ``by``: ``"followers"`` or ``"out_degree"`` (followers in the graph, measured),
        ``"in_degree"`` (accounts followed), or ``"pagerank"`` (PageRank on the follower
        graph: a follower passes rank to the accounts it follows; damping 0.85, stopping at an
        L1 change of 1e-12 or 1,000 iterations, the parameters of ``select(algorithm=
        "pagerank")``). Scores are counted in int64 / float64, so unlike negating the uint64
        ``out_degrees()``, accounts without followers sort last.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise InvalidParameterError(f"k must be an integer number of accounts, got {k!r}")
        n = self.node_count
        if not 1 <= int(k) <= n:
            raise InvalidParameterError(f"k = {k} must be between 1 and the {n} accounts of the graph")
        src, dst, _ = self.edge_arrays()
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if by in ("followers", "out_degree"):
            score = np.bincount(src, minlength=n).astype(np.float64)
        elif by == "in_degree":
            score = np.bincount(dst, minlength=n).astype(np.float64)
        elif by == "pagerank":
            score = _pagerank(n, src, dst)
        else:
            raise InvalidParameterError(
                f"by = {by!r}: use 'followers', 'out_degree', 'in_degree' or 'pagerank'"
            )
        order = np.lexsort((np.arange(n), -score))[: int(k)]
        ids = self.ids()
        return [ids[i] for i in order]

    def __repr__(self) -> str:
        return repr(self._g)

    def __copy__(self) -> "Graph":
        # The graph is shared copy-on-write: changing weights or attributes of either Graph
        # afterwards leaves the other as it was, so a shallow copy is as independent as a deep one.
        return Graph(self._g.__copy__())

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Graph":
        return self.__copy__()

    def __reduce__(self):
        raise TypeError(
            "a reachgraph.Graph cannot be pickled: keep its edge list (read_edgelist, from_arrays) "
            "and attributes, and build it again; copy.copy and copy.deepcopy work"
        )

    # ---- attributes and weights ------------------------------------------------------------
    def set_weights(self, scheme: str) -> "Graph":
        """Sets edge probabilities: 'given', 'wc', 'const:P', 'trivalency[:SEED]' or 'tier'."""
        self._g.set_weights(_text("scheme", scheme))
        return self

    def read_attributes(self, path: str) -> "Graph":
        """Reads node attributes from a CSV keyed by ``id``."""
        self._g.read_attributes(_path("path", path))
        return self

    def set_attributes(self, data: Any = None, *, id: str = "id", **columns: Any) -> "Graph":
        """Sets node attributes from a DataFrame (or dict of columns) keyed by an id column.

        Columns: platform, person, jurisdiction, target_weight, cost, followers, tier.
        """
        if data is not None:
            if columns:
                raise InvalidParameterError(f"give the columns in data or as keywords, not both: {sorted(columns)}")
            cols = {c: data[c] for c in ("platform", "person", "jurisdiction", "target_weight", "cost", "followers", "tier") if c in data}
            if id not in data:
                raise InvalidParameterError(f"data has no id column {id!r} (name it with id=)")
            ids = data[id]
        else:
            if "ids" not in columns:
                raise InvalidParameterError("give data= (a DataFrame or dict of columns) or ids= with the columns")
            ids = columns.pop("ids")
            cols = columns

        def clean(v: Any, kind: str, name: str) -> List[Any]:
            if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
                raise InvalidParameterError(f"attribute column {name!r}: expected a list or array, got {type(v).__name__}")
            vals = v.tolist() if hasattr(v, "tolist") else list(v)
            out: List[Any] = []
            for i, x in enumerate(vals):
                missing = x is None or (isinstance(x, float) and np.isnan(x))
                if missing:
                    out.append(None)
                elif kind == "str":
                    out.append(str(x))
                elif kind == "int":
                    if isinstance(x, float) and x.is_integer():
                        x = int(x)  # pandas stores an int column with gaps as floats
                    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < 2**64:
                        raise InvalidAttributeError(f"attribute {name!r}, entry {i + 1}: {x!r} is not a whole number >= 0")
                    out.append(x)
                else:
                    if isinstance(x, bool) or not isinstance(x, (int, float)):
                        raise InvalidAttributeError(f"attribute {name!r}, entry {i + 1}: {x!r} is not a number")
                    out.append(float(x))
            return out

        kinds = {"platform": "str", "person": "str", "jurisdiction": "str", "tier": "str", "target_weight": "float", "cost": "float", "followers": "int"}
        unknown = set(cols) - set(kinds)
        if unknown:
            raise InvalidParameterError(f"unknown attribute columns: {sorted(unknown)}")
        args = {k: clean(v, kinds[k], k) for k, v in cols.items()}
        self._g.set_attributes(_ids_arg(ids, "ids"), **args)
        return self

    def attributes(self):
        """The attribute columns as a DataFrame (a dict of columns without pandas)."""
        d = self._g.attributes()
        pd = _pandas()
        return pd.DataFrame(d) if pd is not None else d

    # ---- reach ---------------------------------------------------------------------------
    def unique_reach(self, seeds: Ids, include_seeds: bool = False, target_only: bool = False) -> int:
        """Number of distinct people following at least one seed."""
        return self._g.unique_reach(_ids_arg(seeds, "seeds"), _flag("include_seeds", include_seeds), _flag("target_only", target_only))

    def reach(self, seeds: Ids, include_seeds: bool = False, target_only: bool = False) -> ReachResult:
        """Reach with summed followers, distinct accounts and people, and breakdowns."""
        return ReachResult(self._g.reach(_ids_arg(seeds, "seeds"), _flag("include_seeds", include_seeds), _flag("target_only", target_only)))

    def expected_reach(
        self, seeds: Ids, posts_per_seed: int = 1, include_seeds: bool = False, target_only: bool = False
    ) -> ExpectedReach:
        """Expected people reached under the edge probabilities (closed form) and the exact
        distribution of exposures per person."""
        return ExpectedReach(
            self._g.expected_reach(
                _ids_arg(seeds, "seeds"),
                _whole("posts_per_seed", posts_per_seed, "u32"),
                _flag("include_seeds", include_seeds),
                _flag("target_only", target_only),
            )
        )

    def overlap(
        self,
        accounts: Ids,
        min_jaccard: Optional[float] = None,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> Overlap:
        """Shared followers, Jaccard and containment matrices of the accounts (numpy)."""
        return Overlap(
            self._g.overlap(
                _ids_arg(accounts, "accounts"),
                _opt_number("min_jaccard", min_jaccard),
                _opt_whole("threads", threads),
                _callback(progress),
            )
        )

    def overlap_graph(self, accounts: Ids, min_jaccard: float = 0.1):
        """The overlap graph as a networkx Graph: accounts joined when Jaccard >= min_jaccard."""
        import networkx as nx  # type: ignore

        ov = self.overlap(accounts, min_jaccard=min_jaccard)
        h = nx.Graph()
        acc = ov["accounts"]
        h.add_nodes_from(acc)
        h.add_weighted_edges_from(((acc[i], acc[j], w) for i, j, w in ov["overlap_edges"]), weight="jaccard")
        return h

    def reach_ladder(
        self, k: int, candidates: Optional[Ids] = None, include_seeds: bool = False, target_only: bool = False
    ) -> Ladder:
        """Greedy reach ladder: k accounts, each adding the most new people."""
        c = _opt_ids(candidates, "candidates")
        return Ladder(
            self._g.reach_ladder(_whole("k", k), c, _flag("include_seeds", include_seeds), _flag("target_only", target_only))
        )

    def budget_pick(
        self, budget: float, candidates: Optional[Ids] = None, include_seeds: bool = False, target_only: bool = False
    ) -> BudgetPick:
        """The accounts that reach the most distinct people within the budget (costs from the
        ``cost`` attribute); guaranteed at least 1 - 1/sqrt(e) of the optimum."""
        c = _opt_ids(candidates, "candidates")
        return BudgetPick(
            self._g.budget_pick(_number("budget", budget), c, _flag("include_seeds", include_seeds), _flag("target_only", target_only))
        )

    def sketches(
        self,
        lg_k: int = 14,
        seed: int = 9001,
        accounts: Optional[Ids] = None,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> "Sketches":
        """Per-account audience sketches of this graph (see :class:`Sketches`): all accounts, or
        the listed ones. The default ``lg_k=14`` keeps reach within 2% at 95% confidence."""
        return Sketches.build_from_graph(self, lg_k=lg_k, seed=seed, accounts=accounts, threads=threads, progress=progress)

    def spread(
        self,
        seeds: Ids,
        model: str = "ic",
        weights: Optional[str] = None,
        trials: int = 10_000,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        target_rse: Optional[float] = None,
        node_probabilities: bool = False,
        histogram: bool = False,
        progress: Optional[ProgressCallback] = None,
        checkpoint: Optional[Any] = None,
    ) -> SpreadResult:
        """Expected spread of the seeds under Independent Cascade (``"ic"``) or Linear Threshold
        (``"lt"``), by Monte Carlo. ``weights`` (e.g. ``"wc"``) sets the graph's edge probabilities
        first, as :meth:`set_weights` does. The same ``seed`` gives the same numbers for any
        ``threads``. Releases the GIL; Ctrl-C stops it with KeyboardInterrupt. With
        ``checkpoint=PATH`` the run keeps its progress in that file (at least once a minute):
        call again with the same arguments after an interruption and it resumes from there,
        with the same answer; the file is removed when the run completes."""
        return SpreadResult(
            self._g.spread(
                _ids_arg(seeds, "seeds"),
                _text("model", model),
                _opt_text("weights", weights),
                _whole("trials", trials),
                _whole("seed", seed),
                _opt_whole("threads", threads),
                _opt_whole("hops", hops, "u32"),
                _opt_number("target_rse", target_rse),
                _flag("node_probabilities", node_probabilities),
                _flag("histogram", histogram),
                _callback(progress),
                _opt_path("checkpoint", checkpoint),
            )
        )


    def select(
        self,
        k: Optional[int] = None,
        budget: Optional[float] = None,
        model: str = "ic",
        weights: Optional[str] = None,
        epsilon: float = 0.1,
        delta: Optional[float] = None,
        mode: str = "guarantee",
        algorithm: str = "opim_c",
        objective: Optional[str] = None,
        candidates: Optional[Ids] = None,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        tolerance: Optional[float] = None,
        max_rr_sets: Optional[int] = None,
        time_limit_s: Optional[float] = None,
        memory_limit_bytes: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
        runs: Optional[int] = None,
    ) -> Selection:
        """The accounts that maximize expected spread: ``k`` of them, or within a ``budget``
        (costs from the ``cost`` attribute). OPIM-C (default) or IMM stop with a certified ratio
        of at least 1 - 1/e - epsilon (1 - 1/sqrt(e) - epsilon with a budget); ``mode="quality"``
        keeps sampling past the guarantee until greedy's seeds cover 0.75 / tolerance**2
        selection sets (30,000 at the default ``tolerance`` of 0.005; 1.125 / tolerance**2
        where people hold several accounts and the objective counts people, or where the
        graph is too large for it to pay) and picks with the first-hop control variate. ``objective`` is
        ``"people"`` (default), ``"uniform"`` (accounts) or ``"target_weighted"`` (the
        ``target_weight`` attribute). Same ``seed``, same seeds on any ``threads``; equals
        ``reachgraph select`` with the same flags. With ``runs=R`` (2 to 64) the selection is
        also run with seeds ``seed + 1`` ... ``seed + R - 1`` and the result gains
        ``stability``: every run's spread on common RR sets (``spread``: mean, sd, min, max),
        the seed sets' pairwise ``jaccard`` overlap, ``in_every_run`` and each account's
        ``frequency``; the seeds returned are those of ``seed``.

        >>> g = Graph.from_arrays(np.array([1, 1, 2]), np.array([2, 3, 4]), probabilities=np.array([1.0, 1.0, 1.0], dtype=np.float32))
        >>> g.select(k=1, seed=1).seeds
        [1]
        """
        c = _opt_ids(candidates, "candidates")
        return Selection(
            self._g.select(
                _opt_whole("k", k),
                _opt_number("budget", budget),
                _text("model", model),
                _opt_text("weights", weights),
                _number("epsilon", epsilon),
                _opt_number("delta", delta),
                _text("mode", mode),
                _text("algorithm", algorithm),
                _opt_text("objective", objective),
                c,
                _whole("seed", seed),
                _opt_whole("threads", threads),
                _opt_whole("hops", hops, "u32"),
                _opt_number("tolerance", tolerance),
                _opt_whole("max_rr_sets", max_rr_sets),
                _opt_number("time_limit_s", time_limit_s),
                _opt_whole("memory_limit_bytes", memory_limit_bytes),
                _callback(progress),
                _opt_whole("runs", runs),
            )
        )

    def compare(
        self,
        sets: Sequence[Ids],
        model: str = "ic",
        weights: Optional[str] = None,
        objective: Optional[str] = None,
        samples: Optional[int] = None,
        relative_stderr: Optional[float] = None,
        max_samples: Optional[int] = None,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        labels: Optional[Sequence[str]] = None,
        progress: Optional[ProgressCallback] = None,
        memory_limit_bytes: Optional[int] = None,
    ) -> Comparison:
        """Compares two or more seed sets on common RR sets, as ``reachgraph compare``: each
        set's expected spread and every later set minus the first with its *paired* standard
        error (only RR sets met by exactly one of the two sets add to it, so it is far tighter
        than two separate estimates; ``unpaired_stderr`` is given for contrast). ``samples``
        fixes the number of RR sets; by default it doubles from 131,072 until every paired
        standard error is at most ``relative_stderr`` (0.002) of the larger spread, at most
        ``max_samples`` (8,388,608). Same ``seed``, same numbers on any ``threads``.

        >>> g = Graph.from_arrays(np.array([1, 1, 2]), np.array([2, 3, 4]), probabilities=np.array([1.0, 1.0, 1.0], dtype=np.float32))
        >>> c = g.compare([[2], [1]], samples=10_000)
        >>> round(c.difference["mean"]), c.rr_sets
        (2, 10000)
        """
        if isinstance(sets, (str, bytes)) or not isinstance(sets, Sequence):
            raise InvalidParameterError(f"sets: expected a list of seed lists, got {type(sets).__name__}")
        if labels is not None and (isinstance(labels, str) or not all(isinstance(x, str) for x in labels)):
            raise InvalidParameterError("labels: expected a list of strings, one per seed set")
        return Comparison(
            self._g.compare(
                [_ids_arg(s, f"sets[{i}]") for i, s in enumerate(sets)],
                _text("model", model),
                _opt_text("weights", weights),
                _opt_text("objective", objective),
                _opt_whole("samples", samples),
                _opt_number("relative_stderr", relative_stderr),
                _opt_whole("max_samples", max_samples),
                _whole("seed", seed),
                _opt_whole("threads", threads),
                _opt_whole("hops", hops, "u32"),
                None if labels is None else list(labels),
                _callback(progress),
                _opt_whole("memory_limit_bytes", memory_limit_bytes),
            )
        )

    def evaluate(
        self,
        seeds: Ids,
        model: str = "ic",
        weights: Optional[str] = None,
        objective: Optional[str] = None,
        rr_sets: int = 200_000,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
        memory_limit_bytes: Optional[int] = None,
    ) -> Evaluation:
        """Estimates the expected spread of any seed set on fresh RR sets, as ``select`` reports
        its own (and as ``reachgraph evaluate``). The RR sets must fit ``memory_limit_bytes``
        (default: half the machine's memory); ``MemoryLimitError`` is raised before sampling
        otherwise."""
        return Evaluation(
            self._g.evaluate(
                _ids_arg(seeds, "seeds"),
                _text("model", model),
                _opt_text("weights", weights),
                _opt_text("objective", objective),
                _whole("rr_sets", rr_sets),
                _whole("seed", seed),
                _opt_whole("threads", threads),
                _opt_whole("hops", hops, "u32"),
                _callback(progress),
                _opt_whole("memory_limit_bytes", memory_limit_bytes),
            )
        )


    def margin(
        self,
        seeds: Ids,
        *,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
        **options: Any,
    ) -> MarginResult:
        """Margin simulation with the seeds as the campaign. ``options`` are the fields of the
        JSON ``margin`` request (``electorate="us-2024"``, ``exposure="one_hop"|"ic"|"lt"``,
        ``hops``, ``posts_per_creator``, ``voters_per_person``, ``persuasion={"mean": .., "sd": ..}``,
        ``mobilization``, ``backlash``, ``baseline_error``, ``draws``, ``seed``, ``budgets``, …;
        see docs/margin.md). Per person, numpy arrays (NaN: not given): ``lean`` (P(votes for
        side A) when voting), ``turnout``, ``eligible`` (a share or 0/1), one value per person in
        :meth:`people` order; per account ``effect_multiplier`` (>= 0, in :meth:`ids` order).
        The answer equals ``reachgraph margin`` on the same graph."""
        text = _dumps("margin options", _person_arrays(options), InvalidParameterError)
        return MarginResult(self._g.margin(_ids_arg(seeds, "seeds"), text, _opt_whole("threads", threads), _callback(progress)))


def _provenance_value(value: Any) -> Any:
    """A call argument as provenance records it: JSON values as they are, numpy arrays and
    pandas objects as lists, anything else (a callback, a DataFrame of many columns) by type."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _provenance_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_provenance_value(v) for v in value]
    if hasattr(value, "to_numpy") and getattr(value, "ndim", 2) == 1:  # a pandas Series
        return _provenance_value(value.to_numpy())
    return f"<{type(value).__name__}>"


class _GraphLock:
    """Readers-writer lock of one Graph, held by Python calls around a Rust call and the
    provenance read after it: calls that change the graph's weights (``weights=`` given, the
    setters) are exclusive, the others run together. Reentrant per thread (a call made inside
    another call on the same thread does not lock again).

    Phase-fair between readers and writers: readers waiting when a writer leaves go in before
    the next writer, so a thread that sets weights in a loop cannot starve the readers (the
    writer would otherwise take the lock again before a waiting reader wakes)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        # Readers blocked on a writer, and whether they go before the next writer.
        self._waiting = 0
        self._readers_first = False
        self._mine = threading.local()

    def hold(self, exclusive: bool) -> "_Held":
        return _Held(self, exclusive)


class _Held:
    def __init__(self, lock: _GraphLock, exclusive: bool) -> None:
        self.lock, self.exclusive, self.taken = lock, exclusive, False

    def __enter__(self) -> None:
        lk = self.lock
        if getattr(lk._mine, "depth", 0):
            lk._mine.depth += 1
            return
        with lk._cond:
            if self.exclusive:
                while lk._writer or lk._readers or lk._readers_first:
                    lk._cond.wait()
                lk._writer = True
            else:
                lk._waiting += 1
                try:
                    while lk._writer:
                        lk._cond.wait()
                finally:
                    lk._waiting -= 1
                    if lk._waiting == 0 and lk._readers_first:
                        lk._readers_first = False
                        lk._cond.notify_all()
                lk._readers += 1
        lk._mine.depth = 1
        self.taken = True

    def __exit__(self, *exc: Any) -> None:
        lk = self.lock
        lk._mine.depth -= 1
        if not self.taken:
            return
        with lk._cond:
            if self.exclusive:
                lk._writer = False
                lk._readers_first = lk._waiting > 0
            else:
                lk._readers -= 1
            lk._cond.notify_all()


_LOCKS_LOCK = threading.Lock()


def _lock_of(graph: "Graph") -> _GraphLock:
    try:
        return graph._rw
    except AttributeError:
        with _LOCKS_LOCK:
            try:
                return graph._rw
            except AttributeError:
                graph._rw = _GraphLock()
                return graph._rw


def _locked(method: Callable[..., Any], exclusive_always: bool = False) -> Callable[..., Any]:
    """Wraps a Graph method in the graph's lock (exclusive when it sets weights)."""

    @functools.wraps(method)
    def call(self: "Graph", *args: Any, **kwargs: Any) -> Any:
        exclusive = exclusive_always or kwargs.get("weights") is not None
        with _lock_of(self).hold(exclusive):
            return method(self, *args, **kwargs)

    return call


def _records_provenance(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a Graph method so its result carries ``provenance`` as a JSON response does:
    package version, the graph's content hash and weight scheme after the call, model, seed,
    and the call's arguments (``parameters.type`` = the method's name)."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: "Graph", *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        # The weights the call runs with and the graph hash read after it belong to one
        # version of the graph: no other thread changes the weights in between.
        exclusive = bound.arguments.get("weights") is not None or kwargs.get("weights") is not None
        with _lock_of(self).hold(exclusive):
            result = method(self, *args, **kwargs)
            graph_hash, weights = self.content_hash, self.weights
        if isinstance(result, Result) and result._data.get("provenance") is None:
            bound.apply_defaults()
            params: Dict[str, Any] = {"type": method.__name__}
            for name, value in bound.arguments.items():
                kind = signature.parameters[name].kind
                if name in ("self", "progress", "threads"):
                    continue
                if kind is inspect.Parameter.VAR_KEYWORD:
                    params.update({k: _provenance_value(v) for k, v in value.items() if k not in ("progress", "threads")})
                else:
                    params[name] = _provenance_value(value)
            result._data["provenance"] = {
                "version": __version__,
                "graph_hash": graph_hash,
                "weights": weights,
                "model": params.get("model"),
                "seed": params.get("seed"),
                "parameters": params,
            }
        return result

    return call


for _name in ("reach", "expected_reach", "overlap", "reach_ladder", "budget_pick", "spread", "select",
              "evaluate", "margin"):
    setattr(Graph, _name, _records_provenance(getattr(Graph, _name)))
for _name in ("set_weights", "read_attributes", "set_attributes"):
    setattr(Graph, _name, _locked(getattr(Graph, _name), exclusive_always=True))
for _name in ("compare", "sketches"):
    setattr(Graph, _name, _locked(getattr(Graph, _name)))
del _name


class SketchReach(Result):
    """Unique reach estimated from sketches: ``unique_reach`` with ``error_bound`` (people) at
    ``confidence``, ``lower``/``upper``, ``relative_error``, ``exact`` and ``summed_followers``."""

    _title = "unique reach (sketches)"


class SketchOverlap(Overlap):
    """Overlap matrices estimated from sketches (numpy): ``shared``, ``jaccard``, ``containment``
    and their ``*_error`` bounds at ``confidence``; ``to_pandas(matrix)`` labels one."""

    _title = "overlap (sketches)"


class SketchLadder(Result):
    """A greedy ladder or budgeted pick on sketches: ``steps`` (account, marginal and
    cumulative reach with its error bound) and ``accounts`` in pick order."""

    _title = "reach ladder (sketches)"

    def to_pandas(self):
        """The steps as a DataFrame (a dict of lists without pandas)."""
        return _table([dict(s) for s in self._data["steps"]])

    def plot(self, ax: Any = None) -> Any:
        """Distinct people reached (sketch estimate, shaded by its error bound) against accounts
        added in pick order; returns the matplotlib Axes."""
        steps = self._data["steps"]
        return _ladder_plot(ax, [s["marginal_reach"] for s in steps],
                            [s["cumulative_reach"] for s in steps],
                            [s["cumulative_error"] for s in steps], "people (sketch estimate)",
                            self._title)


class SketchPick(SketchLadder):
    """A budgeted pick on sketches (:meth:`Sketches.budget_pick`): ``accounts`` in pick order,
    ``steps`` with each account's cost and the cumulative reach and cost, and the ``summary``."""

    _title = "budgeted pick (sketches)"


class SketchError(Result):
    """The expected error of answers from sketches of one size (:func:`sketch_error`,
    :meth:`Sketches.error_report`): the relative error of a reach estimate, the worst-case
    Jaccard error and the bytes per sketch, at ``confidence``."""

    _title = "sketch error"


class SketchCheck(Result):
    """Sketch answers against exact ones: one row per comparison (``rows``), ``within`` their
    bounds, ``max_reach_error`` and ``max_jaccard_error``."""

    _title = "sketch check"

    def to_pandas(self):
        """The comparison rows as a DataFrame (a dict of lists without pandas)."""
        return _table([dict(r) for r in self._data["rows"]])


class Sketches:
    """Mergeable per-account audience sketches: unique reach and overlap of thousands of
    accounts from compact bottom-k sketches, each answer with its error bound.

    Build them with :meth:`Graph.sketches` / :meth:`build_from_graph`, :meth:`from_pairs`
    (numpy arrays of account and follower ids), :meth:`from_stream` (a pair file read in
    chunks) or :meth:`load`; combine sets built elsewhere with :meth:`merge`.

    >>> g = Graph.from_edges(["a", "a", "b"], ["x", "y", "y"])
    >>> sk = g.sketches()
    >>> sk.reach(["a", "b"]).unique_reach
    2.0
    """

    __slots__ = ("_s", "_hash")

    def __init__(self, inner: "_rs.Sketches"):
        self._s = inner

    @classmethod
    def build_from_graph(
        cls,
        graph: "Graph",
        lg_k: int = 14,
        seed: int = 9001,
        accounts: Optional[Ids] = None,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> "Sketches":
        """Sketches of the people following each account of ``graph`` (followers are mapped to
        their person), in one parallel pass; the same sketches for any ``threads``."""
        a = _opt_ids(accounts, "accounts")
        return cls(
            _rs.Sketches.build_from_graph(
                _graph_arg(graph), _whole("lg_k", lg_k, "u8"), _whole("seed", seed), a, _opt_whole("threads", threads), _callback(progress)
            )
        )

    @classmethod
    def from_pairs(
        cls, accounts: Any, followers: Any, lg_k: int = 14, seed: int = 9001, threads: Optional[int] = None
    ) -> "Sketches":
        """Sketches from aligned ``(account, follower)`` pairs: ``followers[i]`` follows
        ``accounts[i]`` and names a person. Integer numpy arrays are read in place (accounts
        then come in ascending id order); lists of ints or strs work too."""
        a, f = _ids_arg(accounts, "accounts"), _ids_arg(followers, "followers")
        if isinstance(a, (str, bytes)) or isinstance(f, (str, bytes)):
            raise InvalidParameterError("accounts and followers must be lists of ids, not single strings")
        return cls(_rs.Sketches.from_pairs(a, f, _whole("lg_k", lg_k, "u8"), _whole("seed", seed), _opt_whole("threads", threads)))

    @classmethod
    def from_stream(
        cls,
        path: str,
        lg_k: int = 14,
        seed: int = 9001,
        chunk_bytes: int = 16 << 20,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
        memory_limit_bytes: Optional[int] = None,
    ) -> "Sketches":
        """Sketches from a file of ``account follower`` lines (gzip detected), read in chunks of
        ``chunk_bytes`` (1 byte to 1 GiB, twice of it within ``memory_limit_bytes``): the file
        never has to fit in memory."""
        return cls(
            _rs.Sketches.from_stream(
                _path("path", path),
                _whole("lg_k", lg_k, "u8"),
                _whole("seed", seed),
                _whole("chunk_bytes", chunk_bytes),
                _opt_whole("threads", threads),
                _callback(progress),
                _opt_whole("memory_limit_bytes", memory_limit_bytes),
            )
        )

    @classmethod
    def load(cls, path: str) -> "Sketches":
        """Reads a sketch directory (``save``, ``reachgraph sketch build``) or ``.rgsk`` file."""
        return cls(_rs.Sketches.load(_path("path", path)))

    def save(self, directory: str) -> Dict[str, Any]:
        """Writes ``sketches.rgsk`` and ``manifest.json`` into ``directory``."""
        return self._s.save(_path("directory", directory))

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "<bytes>") -> "Sketches":
        """Parses the binary format; corrupt or truncated bytes raise typed errors."""
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise InvalidParameterError(f"data: expected bytes, got {type(data).__name__}")
        return cls(_rs.Sketches.from_bytes(data, _text("name", name)))

    def to_bytes(self) -> bytes:
        """The set in the versioned, checksummed binary format."""
        return self._s.to_bytes()

    def merge(self, other: "Sketches") -> "Sketches":
        """The union: an account in both gets the sketch of the union of its followers and the
        sum of its records. Sets of different ``lg_k`` or ``seed`` raise IncompatibleSketchesError."""
        if not isinstance(other, Sketches):
            raise InvalidParameterError(f"other: expected a reachgraph.Sketches, got {type(other).__name__}")
        return Sketches(self._s.merge(other._s))

    def downsample(self, lg_k: int) -> "Sketches":
        """Every sketch reduced to a smaller ``lg_k`` (to merge with sets built smaller)."""
        return Sketches(self._s.downsample(_whole("lg_k", lg_k, "u8")))

    @property
    def lg_k(self) -> int:
        """``log2`` of the hashes kept per account."""
        return self._s.lg_k

    @property
    def seed(self) -> int:
        """Hash seed; sets combine only with the same seed."""
        return self._s.seed

    @property
    def total_hashes(self) -> int:
        """Hashes kept over all accounts."""
        return self._s.total_hashes

    def __len__(self) -> int:
        return len(self._s)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sketches) and self._s == other._s

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._s)

    def __reduce__(self):
        # Pickled as the versioned, checksummed binary format of to_bytes.
        return (_sketches_from_bytes, (self.to_bytes(),))

    def __copy__(self) -> "Sketches":
        return Sketches(self._s)  # the set itself is immutable

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Sketches":
        return Sketches(self._s)

    def accounts(self) -> List[Id]:
        """Account ids, in set order."""
        return self._s.accounts()

    def records(self) -> np.ndarray:
        """Follow records per account (follower counts, repeats included), in set order."""
        return self._s.records()

    def reach(self, accounts: Ids, confidence: float = 0.95) -> SketchReach:
        """Unique reach of the accounts with its error bound (people) at ``confidence``."""
        return SketchReach(self._s.reach(_ids_arg(accounts, "accounts"), _number("confidence", confidence)))

    def overlap(
        self,
        accounts: Ids,
        confidence: float = 0.95,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> SketchOverlap:
        """Shared people, Jaccard and containment matrices (numpy) with error bounds."""
        return SketchOverlap(
            self._s.overlap(
                _ids_arg(accounts, "accounts"), _number("confidence", confidence), _opt_whole("threads", threads), _callback(progress)
            )
        )

    def ladder(self, k: int, candidates: Optional[Ids] = None, confidence: float = 0.95) -> SketchLadder:
        """Greedy reach ladder: k accounts, each adding the most (estimated) people."""
        c = _opt_ids(candidates, "candidates")
        return SketchLadder(self._s.ladder(_whole("k", k), c, _number("confidence", confidence)))

    def budget_pick(
        self, budget: float, costs: Any, candidates: Optional[Ids] = None, confidence: float = 0.95
    ) -> SketchPick:
        """The accounts reaching the most (estimated) people within ``budget``. ``costs``: a dict
        ``{id: cost}``, a float array aligned with :meth:`accounts` (NaN: not for hire) or the
        path of a CSV with ``id`` and ``cost`` columns."""
        import os

        if hasattr(costs, "to_dict") and not isinstance(costs, dict):  # pandas Series
            costs = costs.to_dict()
        elif isinstance(costs, os.PathLike):
            costs = os.fspath(costs)
        elif isinstance(costs, np.ndarray):
            if costs.ndim != 1:
                raise InvalidParameterError(f"costs: expected a one-dimensional array, got shape {costs.shape}")
            try:
                costs = np.ascontiguousarray(costs, dtype=np.float64)
            except (TypeError, ValueError) as e:
                raise InvalidParameterError(f"costs: not an array of numbers ({e})") from None
        c = _opt_ids(candidates, "candidates")
        return SketchPick(self._s.budget_pick(_number("budget", budget), costs, c, _number("confidence", confidence)))

    def error_report(self, set_size: Optional[int] = None, confidence: float = 0.95) -> "SketchError":
        """The expected error of answers from sketches of this size (see :func:`sketch_error`)."""
        return sketch_error(self.lg_k, set_size, confidence)

    def check(
        self,
        graph: "Graph",
        accounts: Ids,
        confidence: float = 0.95,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> SketchCheck:
        """Compares these sketches' answers (reach of ``accounts``, Jaccard of each pair) with
        the exact ones on ``graph``."""
        return SketchCheck(
            self._s.check(
                _graph_arg(graph),
                _ids_arg(accounts, "accounts"),
                _number("confidence", confidence),
                _opt_whole("threads", threads),
                _callback(progress),
            )
        )


def sketch_error(lg_k: int = 14, set_size: Optional[int] = None, confidence: float = 0.95) -> SketchError:
    """Expected relative error of a reach estimate, worst-case Jaccard error and bytes per
    sketch for ``lg_k`` (and a set of ``set_size`` people), as ``reachgraph sketch error``."""
    r = SketchError(
        _rs.sketch_error(_whole("lg_k", lg_k, "u8"), _opt_whole("set_size", set_size), _number("confidence", confidence))
    )
    r._data["provenance"] = {
        "version": __version__,
        "parameters": {"type": "sketch_error", "lg_k": lg_k, "set_size": set_size, "confidence": confidence},
    }
    return r


def _sketches_hash(sk: "Sketches") -> str:
    """Content hash of a Sketches object (its binary format; Sketches never change in place)."""
    try:
        return sk._hash
    except AttributeError:
        import hashlib  # noqa: WPS433

        sk._hash = hashlib.blake2b(sk.to_bytes(), digest_size=16).hexdigest()
        return sk._hash


def _records_sketch_provenance(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a Sketches method so its result carries ``provenance``: package version, the
    sketches' content hash (``sketches_hash``), ``lg_k`` and hash ``seed``, and the call's
    arguments; ``check`` also records the graph's ``graph_hash``."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: "Sketches", *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, Result) and result._data.get("provenance") is None:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            params: Dict[str, Any] = {"type": "sketch_" + method.__name__}
            graph_hash = None
            for name, value in bound.arguments.items():
                if name == "self":
                    continue
                if isinstance(value, Graph):
                    graph_hash = value.content_hash
                    continue
                params[name] = _provenance_value(value)
            result._data["provenance"] = {
                "version": __version__,
                "graph_hash": graph_hash,
                "sketches_hash": _sketches_hash(self),
                "lg_k": self.lg_k,
                "seed": self.seed,
                "parameters": params,
            }
        return result

    return call


for _name in ("reach", "overlap", "ladder", "budget_pick", "error_report", "check"):
    setattr(Sketches, _name, _records_sketch_provenance(getattr(Sketches, _name)))
del _name


def read_edgelist(
    path: str,
    undirected: bool = False,
    format: Optional[str] = None,
    duplicates: str = "max",
    attributes: Optional[str] = None,
    weights: Optional[str] = None,
) -> Graph:
    """Reads an edge file: ``u v [p]`` lines (v follows u) or CSV ``source,target[,p]``; gzip
    detected. The same loader as the CLI."""
    return Graph(
        _rs.read_edgelist(
            _path("path", path),
            _flag("undirected", undirected),
            _opt_text("format", format),
            _text("duplicates", duplicates),
            _opt_path("attributes", attributes),
            _opt_text("weights", weights),
        )
    )


def generate_scenario(
    edges: Optional[int] = None, seed: Optional[int] = None, memory_limit_bytes: Optional[int] = None
):
    """A generated multi-platform campaign population (the demo's when no size is given).

    Returns ``(graph, creators, scale)``: creators largest first; scale is the number of real
    people one graph person stands for. Generating must fit ``memory_limit_bytes`` (default:
    half the machine's memory), about 48 bytes per edge.
    """
    g, creators, scale = _rs.generate_scenario(
        _opt_whole("edges", edges),
        _opt_whole("seed", seed),
        _opt_whole("memory_limit_bytes", memory_limit_bytes),
    )
    return Graph(g), creators, scale


def margin(*, progress: Optional[ProgressCallback] = None, **options: Any) -> MarginResult:
    """Margin simulation of the demo campaign (or of ``graph``/``seeds`` given as JSON request
    fields), exactly as ``reachgraph margin --json``. ``progress`` is called as for
    :meth:`Graph.margin`; it is not a request field. ``lean``, ``turnout``, ``eligible`` and
    ``effect_multiplier`` may be numpy arrays (NaN: not given), as for :meth:`Graph.margin`."""
    return MarginResult(run_request({"version": 1, "type": "margin", **_person_arrays(options)}, progress=progress))


class ReportResult(Result):
    """A campaign read back (as ``reachgraph report --json``): ``unique_reach``,
    ``eligible_reach`` and ``target_reach`` (modelled distinct people: graph people on a
    follower graph, real people and eligible voters on a creators table, as ``units`` says:
    ``mean``, ``low``, ``high`` of a 90% interval), ``model`` (creators table only: the
    audience model's outside reach, reach by jurisdiction, parameters, fit and population), ``roi`` (``cpm``, ``cost_per_person``,
    ``cost_per_target_person``, ``cost_per_engagement``, ``total_cost``), ``creators`` (per
    creator: ``reach_rate`` with ``reach_rate_se``, impressions, cost, own reach and ROI),
    ``accounts`` (per-account calibration), ``assumptions``, and with lift results ``effects``
    (``prior``, ``evidence``, ``posterior`` per effect) and ``margin_command``."""

    _title = "campaign report"

    def creators_frame(self):
        """One row per creator (a DataFrame, or a dict of lists without pandas)."""
        rows = []
        for c in self._data["creators"]:
            rows.append(
                {
                    "creator": c["creator"],
                    "posts": c["posts"],
                    "impressions": c["impressions"],
                    "engagements": c["engagements"],
                    "reach_rate": c["reach_rate"],
                    "reach_rate_se": c["reach_rate_se"],
                    "unique_reach": c["unique_reach"]["mean"],
                    "cost": c["roi"]["total_cost"],
                    "cpm": c["roi"]["cpm"],
                    "cost_per_person": c["roi"]["cost_per_person"],
                }
            )
        return _table(rows)

    def to_pandas(self):
        """The per-creator table, as :meth:`creators_frame`."""
        return self.creators_frame()

    def _scalars(self) -> List[tuple]:
        u = self._data["unique_reach"]
        roi = self._data["roi"]
        out = [
            ("impressions (measured)", self._data["impressions"]),
            ("distinct people (modelled), mean", u["mean"]),
            ("90% interval", f"{_fmt(u['low'])} to {_fmt(u['high'])}"),
            ("target people (modelled), mean", self._data["target_reach"]["mean"]),
        ]
        for k in ("total_cost", "cpm", "cost_per_person", "cost_per_target_person", "cost_per_engagement"):
            out.append((k, "n/a" if roi.get(k) is None else roi[k]))
        if "margin_command" in self._data:
            out.append(("next margin run", self._data["margin_command"]))
        return out


def _csv_text(name: str, value: Any, counts: Sequence[str] = ()) -> Dict[str, str]:
    """A DataFrame (or dict of columns) as CSV text for ``NAME_csv``; a path as ``NAME``."""
    import os

    if isinstance(value, (str, os.PathLike)):
        return {name: _path(name, value)}
    pd = _pandas()
    if isinstance(value, dict):
        if pd is None:
            import csv
            import io

            cols = list(value)
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(cols)
            w.writerows(zip(*(["" if x is None else x for x in value[c]] for c in cols)))
            return {f"{name}_csv": out.getvalue()}
        value = pd.DataFrame(value)
    if not hasattr(value, "to_csv"):
        raise InvalidParameterError(f"{name}: expected a pandas DataFrame, a dict of columns or a path, got {type(value).__name__}")
    df = value.copy()
    for c in counts:
        # Whole-number float columns (pandas makes them when a cell is missing) are written as
        # integers; anything else is left for the reader to reject with its line.
        if c in df.columns and df[c].dtype.kind == "f":
            try:
                df[c] = df[c].astype("Int64")
            except (TypeError, ValueError):
                pass
    return {f"{name}_csv": df.to_csv(index=False)}


def _prior_arg(name: str, value: Any) -> Optional[Dict[str, float]]:
    if value is None:
        return None
    if isinstance(value, dict):
        return {"mean": _number(f"{name}.mean", value.get("mean")), "sd": _number(f"{name}.sd", value.get("sd"))}
    try:
        mean, sd = value
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name}: expected (mean, sd) or {{'mean': .., 'sd': ..}}, got {value!r}") from None
    return {"mean": _number(f"{name} mean", mean), "sd": _number(f"{name} sd", sd)}


def report(
    posts: Any,
    *,
    graph: Optional[Any] = None,
    attributes: Optional[Any] = None,
    creators: Optional[Any] = None,
    audience: Optional[Any] = None,
    overlaps: Optional[Any] = None,
    population: Optional[float] = None,
    population_counts: Optional[str] = None,
    target: Optional[Any] = None,
    lift: Optional[Any] = None,
    targets: Optional[Sequence[str]] = None,
    persuasion: Optional[Any] = None,
    mobilization: Optional[Any] = None,
    draws: int = 400,
    seed: int = 0,
    write_creators: Optional[Any] = None,
    write_prior: Optional[Any] = None,
    progress: Optional[ProgressCallback] = None,
) -> ReportResult:
    """A campaign's own results read back, exactly as ``reachgraph report --json``.

    ``posts``: a DataFrame (or dict of columns, or a CSV path) with columns ``account, post,
    date, impressions, reach, engagements`` and optionally ``views_non_followers, cost``; rows of
    one account in date order. Give exactly one audience source: ``graph``, the follower
    graph's edge file (``attributes``: its attribute CSV with ``followers``, ``person``,
    ``jurisdiction``, ``cost``; reach in graph people), or ``creators``, the creators table
    ``plan`` reads (a DataFrame or path; ``audience``: ``account, jurisdiction, share``;
    ``overlaps``: ``a, b, shared``; ``population``: real people the audiences are drawn from;
    ``population_counts``: ``"users"`` (the default) or ``"everyone"``, as :func:`plan`'s;
    reach in real people through the planning model's audience overlap, the result's ``model``
    holding its parameters and fit). ``target`` (creators only): ``"swing"``, a path, or a
    list of jurisdiction ids; ``targets``: a list of ids. ``lift``: a DataFrame or path with
    ``effect, estimate, se`` (``persuasion``/``mobilization``, rates).
    ``persuasion``/``mobilization``: the priors the lift updates, ``(mean, sd)``. Bad rows raise
    :class:`ParseError` naming the line (the header is line 1, DataFrame row ``i`` is line
    ``i + 2``) and the value, an account not in the creators table included."""
    import os

    req: Dict[str, Any] = {"version": 1, "type": "report"}
    req.update(_csv_text("posts", posts, ("impressions", "reach", "engagements", "views_non_followers")))
    if (graph is None) == (creators is None):
        raise InvalidParameterError("report needs exactly one of graph (a follower graph) and creators (a creators table)")
    if graph is not None:
        for name, value in (("audience", audience), ("overlaps", overlaps), ("population", population), ("population_counts", population_counts), ("target", target)):
            if value is not None:
                raise InvalidParameterError(f"{name} applies to a creators table, not to a graph")
        g: Dict[str, Any] = {"path": _path("graph", graph)}
        if attributes is not None:
            g["attributes"] = _path("attributes", attributes)
        req["graph"] = g
    else:
        if attributes is not None:
            raise InvalidParameterError("attributes applies to a graph; a creators table carries its own columns")
        req.update(_csv_text("creators", creators, ("followers",)))
        if audience is not None:
            req.update(_csv_text("audience", audience))
        if overlaps is not None:
            req.update(_csv_text("overlaps", overlaps, ("shared_count",)))
        if population is not None:
            req["population"] = _number("population", population)
        if population_counts is not None:
            req["population_counts"] = _text("population_counts", population_counts)
        if target is not None:
            if targets is not None:
                raise InvalidParameterError("give target or targets, not both")
            if isinstance(target, str) and target == "swing":
                req["target"] = "swing"
            elif isinstance(target, (str, os.PathLike)):
                req["target"] = _path("target", target)
            else:
                targets = list(target)
    if lift is not None:
        req.update(_csv_text("lift", lift))
    if targets is not None:
        if isinstance(targets, str):
            targets = [targets]
        req["targets"] = [_text("targets", t) for t in targets]
    for name, value in (("persuasion", persuasion), ("mobilization", mobilization)):
        pr = _prior_arg(name, value)
        if pr is not None:
            req[name] = pr
    req["draws"] = _whole("draws", draws)
    req["seed"] = _whole("seed", seed)
    if write_creators is not None:
        req["write_creators"] = _path("write_creators", write_creators)
    if write_prior is not None:
        req["write_prior"] = _path("write_prior", write_prior)
    return ReportResult(run_request(req, progress=progress))


class PlanResult(Result):
    """A plan from a creator table (as ``reachgraph plan --json``): ``summed_followers``
    (followers, measured), ``unique_reach`` and ``outside_reach`` (real people, modelled:
    ``mean``, ``low``, ``high`` of a 90% interval), ``jurisdictions`` (eligible voters reached
    per jurisdiction, modelled), ``target`` (the target jurisdictions and their reach),
    ``pick`` (with a budget: the creators to hire and what each adds), ``parameters`` and
    ``fit`` (the model's parameters and their fit to the measured overlaps), ``assumptions``
    (each with its source), ``inputs``, ``units``, ``provenance`` and, when asked,
    ``ensemble`` (exact answers on synthetic follower graphs)."""

    _title = "plan from a creator table"
    _units = {
        "summed_followers": "followers (measured)",
        "accounts": "accounts",
        "creators": "creators",
    }

    def to_pandas(self):
        """One row per jurisdiction: eligible voters reached (modelled) with the 90% interval
        and whether it is a target (a DataFrame, or a dict of lists without pandas)."""
        targets = set((self._data.get("target") or {}).get("ids", []))
        rows = []
        for j in self._data["jurisdictions"]:
            u = j["unique_reach"]
            rows.append(
                {
                    "jurisdiction": j["id"],
                    "eligible_voters_mean": u["mean"],
                    "eligible_voters_low": u["low"],
                    "eligible_voters_high": u["high"],
                    "target": j["id"] in targets,
                }
            )
        return _table(rows)

    def pick_frame(self):
        """The creators to hire, in the order picked: price, accounts and the real people each
        adds (modelled, with the 90% interval); empty without a budget."""
        rows = []
        for c in (self._data.get("pick") or {}).get("creators", []):
            rows.append(
                {
                    "creator": c["creator"],
                    "price": c["price"],
                    "accounts": len(c["accounts"]),
                    "adds_mean": c["adds"]["mean"],
                    "adds_low": c["adds"]["low"],
                    "adds_high": c["adds"]["high"],
                }
            )
        return _table(rows)

    def parameters_frame(self):
        """The model's parameters: value, 90% interval, fitted or prior, and source."""
        return _table([dict(p) for p in self._data["parameters"]])

    def _scalars(self) -> List[tuple]:
        u = self._data["unique_reach"]
        out = [
            ("accounts", self._data["accounts"]),
            ("creators", self._data["creators"]),
            ("summed followers (measured)", self._data["summed_followers"]),
            ("distinct real people (modelled), mean", u["mean"]),
            ("90% interval", f"{_fmt(u['low'])} to {_fmt(u['high'])}"),
            ("fit", self._data["fit"]["status"]),
        ]
        t = self._data.get("target")
        if t:
            out.append((f"eligible voters in {','.join(t['ids'])} (modelled), mean", t["unique_reach"]["mean"]))
        rule = self._data["inputs"].get("targets_rule")
        if rule:
            out.append(("targets", rule))
        p = self._data.get("pick")
        if p:
            out.append(("creators to hire", ", ".join(c["creator"] for c in p["creators"])))
            out.append(("spent (per month)", p["spent"]))
        return out


def plan(
    creators: Any,
    *,
    audience: Optional[Any] = None,
    overlaps: Optional[Any] = None,
    accounts: Optional[Any] = None,
    population: Optional[float] = None,
    population_counts: Optional[str] = None,
    budget: Optional[float] = None,
    target: Optional[Any] = None,
    tipping_share: Optional[float] = None,
    draws: int = 200,
    seed: int = 0,
    independence: bool = False,
    ensemble: Optional[int] = None,
    scale: Optional[float] = None,
    progress: Optional[ProgressCallback] = None,
) -> PlanResult:
    """Plans from a creator table, exactly as ``reachgraph plan --json``.

    ``creators``: a DataFrame (or dict of columns, or a CSV path) with columns ``creator,
    platform, followers`` and optionally ``account, price, state, lean_a, eligible, posts,
    reach_rate``. ``audience``: ``account, jurisdiction, share``; ``overlaps``: ``a, b, shared``
    (or ``shared_count``). ``accounts``: a list of account ids or a path (only they count).
    ``target``: ``"swing"`` (margin's tipping-point rule, no hindsight), a list of jurisdiction
    ids, or a path. ``budget``: per month; the result's ``pick`` names the creators to hire.
    ``population_counts``: ``"users"`` (the default: the population is a platform's users, who
    follow someone; zero-share prior near zero) or ``"everyone"`` (followers or not; wide
    zero-share prior). ``independence=True`` uses the named independence assumption. ``ensemble=N`` also draws N
    synthetic follower graphs (``scale`` real people per graph person). Bad rows raise
    :class:`ParseError` naming the table, line (the header is line 1, DataFrame row ``i`` is
    line ``i + 2``), column and value."""
    import os

    req: Dict[str, Any] = {"version": 1, "type": "plan"}
    req.update(_csv_text("creators", creators, ("followers",)))
    if audience is not None:
        req.update(_csv_text("audience", audience))
    if overlaps is not None:
        req.update(_csv_text("overlaps", overlaps, ("shared_count",)))
    if accounts is not None:
        if isinstance(accounts, (str, os.PathLike)):
            req["accounts"] = {"file": _path("accounts", accounts)}
        else:
            req["accounts"] = [_text("accounts", str(a) if isinstance(a, (int, np.integer)) else a) for a in accounts]
    if population is not None:
        req["population"] = _number("population", population)
    if population_counts is not None:
        req["population_counts"] = _text("population_counts", population_counts)
    if budget is not None:
        req["budget"] = _number("budget", budget)
    if target is not None:
        if isinstance(target, str) and target == "swing":
            req["target"] = "swing"
        elif isinstance(target, (str, os.PathLike)):
            req["target"] = _path("target", target)
        else:
            req["targets"] = [_text("target", t) for t in target]
    if tipping_share is not None:
        req["tipping_share"] = _number("tipping_share", tipping_share)
    req["draws"] = _whole("draws", draws)
    req["seed"] = _whole("seed", seed)
    req["independence"] = _flag("independence", independence)
    if ensemble is not None:
        req["ensemble"] = _whole("ensemble", ensemble)
    if scale is not None:
        req["scale"] = _number("scale", scale)
    return PlanResult(run_request(req, progress=progress))


def run_request(request: Union[str, Dict[str, Any]], progress: Optional[ProgressCallback] = None) -> Dict[str, Any]:
    """Answers a JSON API request (as ``reachgraph run``); dicts are serialized for you.
    ``progress(stage, done, total)`` is called from this thread while the work runs."""
    import json

    if isinstance(request, str):
        text = request
    elif isinstance(request, dict):
        text = _dumps("request", request, InvalidRequestError)
    else:
        raise InvalidRequestError(f"request: expected a dict or JSON text, got {type(request).__name__}")
    return json.loads(_rs.run_request(text, _callback(progress)))


def compare(graph: "Graph", sets: Sequence[Ids], **options: Any) -> Comparison:
    """``graph.compare(sets, **options)``: seed sets compared on common RR sets (see
    :meth:`Graph.compare`)."""
    _graph_arg(graph)
    return graph.compare(sets, **options)


def _graph_arg(graph: Any) -> Any:
    if not isinstance(graph, Graph):
        raise InvalidParameterError(f"graph: expected a reachgraph.Graph, got {type(graph).__name__}")
    return graph._g


def _sketches_from_bytes(data: bytes) -> Sketches:
    return Sketches(_rs.Sketches.from_bytes(data, "<pickle>"))
