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

import html
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _reachgraph as _rs
from ._reachgraph import (  # noqa: F401  (re-exported exception classes)
    BudgetTooSmallError,
    BuiltWithoutMpiError,
    CommunicationError,
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
    TruncatedSketchError,
    UnknownNodeError,
)

__version__ = _rs.__version__

Id = Union[int, str]
Ids = Union[Sequence[Id], np.ndarray]
ProgressCallback = Callable[[str, int, int], Any]

__all__ = [
    "Graph",
    "Sketches",
    "sketch_error",
    "Result",
    "Selection",
    "MarginResult",
    "margin",
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


def _ids_arg(ids: Any) -> Any:
    """Integer numpy arrays go to Rust as int64 (read in place); anything else as a list."""
    if isinstance(ids, np.ndarray):
        if ids.dtype.kind in "iu":
            return np.ascontiguousarray(ids, dtype=np.int64)
        return ids.tolist()
    if hasattr(ids, "to_numpy"):  # pandas Series / Index
        return _ids_arg(ids.to_numpy())
    if isinstance(ids, (str, bytes)):
        return ids  # rejected by the extension with a clear message
    return ids if isinstance(ids, (list, tuple)) else list(ids)


class Result:
    """A result: attribute access to its fields, a dict view, and a readable notebook table."""

    _title = "result"

    def __init__(self, data: Dict[str, Any]):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def keys(self) -> Iterable[str]:
        return self._data.keys()

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a plain dict."""
        return dict(self._data)

    def _scalars(self) -> List[tuple]:
        return [(k, v) for k, v in self._data.items() if isinstance(v, (int, float, str, bool))]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._scalars())
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in self._scalars()
        )
        return f"<table><caption>{html.escape(self._title)}</caption>{rows}</table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


class ReachResult(Result):
    """Distinct people reached by a seed set, with breakdowns by jurisdiction and platform."""

    _title = "reach"

    def by_jurisdiction_frame(self):
        """The jurisdiction breakdown as a DataFrame (a dict of lists without pandas)."""
        return _table(self._data["by_jurisdiction"])

    def by_platform_frame(self):
        """The platform breakdown as a DataFrame (a dict of lists without pandas)."""
        return _table(self._data["by_platform"])


class ExpectedReach(Result):
    """Expected reach under edge probabilities and the exposure-frequency distribution."""

    _title = "expected reach"


class Overlap(Result):
    """Overlap matrices (numpy) of a list of accounts: shared, Jaccard, containment."""

    _title = "overlap"

    def to_pandas(self, matrix: str = "jaccard"):
        """One matrix as a labelled DataFrame (a dict of arrays without pandas)."""
        m = self._data[matrix]
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


class Ladder(Result):
    """A greedy reach ladder or budgeted pick: accounts in pick order with marginal gains."""

    _title = "reach ladder"

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

    def _scalars(self) -> List[tuple]:
        out = super()._scalars()
        for k in ("people", "accounts", "target_weight"):
            e = self._data.get(k)
            if isinstance(e, dict):
                out.append((f"{k} 95% CI", f"[{e['ci95_low']:,.2f}, {e['ci95_high']:,.2f}]"))
        return out


class Selection(Result):
    """Chosen seeds (``seeds``, external ids in pick order) with ``mean``/``stderr`` of their
    out-of-sample spread estimate, the certified ``approximation`` ratio, ``rr_sets`` drawn and
    ``timings`` per phase; ``steps`` gives marginal gains in pick order."""

    _title = "seed selection"

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

    def _scalars(self) -> List[tuple]:
        out = super()._scalars()
        e = self._data["estimate"]
        out.append(("estimate 95% CI", f"[{e['ci95_low']:,.2f}, {e['ci95_high']:,.2f}]"))
        out.append(("seeds", ", ".join(str(s) for s in self._data["seeds"][:20]) + (" …" if len(self._data["seeds"]) > 20 else "")))
        return out


class Evaluation(Result):
    """A seed set's spread estimate on fresh RR sets: ``mean``, ``stderr``, ``estimate``."""

    _title = "spread estimate (RR sets)"


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

    def _repr_html_(self) -> str:
        head = super()._repr_html_()
        cols = ["id", "margin_a_without", "margin_a_with", "p_win_a_without", "p_win_a_with", "break_even_effect"]
        rows = sorted(self._data["jurisdictions"], key=lambda j: abs(j.get("margin_a_without", 0.0)))[:10]
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(j.get(c)))}</td>" for c in cols) + "</tr>" for j in rows)
        th = "".join(f"<th>{c}</th>" for c in cols)
        return head + f"<table><caption>closest jurisdictions</caption><tr>{th}</tr>{body}</table>"


class Graph:
    """The frozen follower graph. Build it with :func:`read_edgelist`, :meth:`from_arrays`,
    :meth:`from_pandas` or :meth:`from_networkx`."""

    __slots__ = ("_g",)

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
        s = np.asarray(src)
        d = np.asarray(dst)
        if s.dtype.kind not in "iu" or d.dtype.kind not in "iu":
            return cls.from_edges(s.tolist(), d.tolist(), probabilities, undirected, duplicates)
        p = None if probabilities is None else np.ascontiguousarray(probabilities, dtype=np.float32)
        return cls(
            _rs.Graph.from_arrays(
                np.ascontiguousarray(s, dtype=np.int64),
                np.ascontiguousarray(d, dtype=np.int64),
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
        p = None if probabilities is None else [float(x) for x in probabilities]
        return cls(_rs.Graph.from_id_lists(list(src), list(dst), p, undirected, duplicates))

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
        p = None if probability is None else df[probability].to_numpy()
        return cls.from_arrays(df[source].to_numpy(), df[target].to_numpy(), p, undirected, duplicates)

    @classmethod
    def from_networkx(cls, g: Any, probability: Optional[str] = None, duplicates: str = "max") -> "Graph":
        """A networkx graph; undirected graphs add both directions. Node ids must be ints or strs."""
        edges = list(g.edges(data=True))
        src = [u for u, _, _ in edges]
        dst = [v for _, v, _ in edges]
        p = None if probability is None else [float(d[probability]) for _, _, d in edges]
        undirected = not g.is_directed()
        if src and all(isinstance(x, (int, np.integer)) for x in src + dst):
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

    def ids(self) -> List[Id]:
        """External ids of all accounts, in internal order."""
        return self._g.ids()

    def edge_arrays(self):
        """Edges as (source index, target index, probability) numpy arrays; indexes into ids()."""
        return self._g.edge_arrays()

    def out_degrees(self, accounts: Ids) -> np.ndarray:
        """Follower counts of the accounts."""
        return self._g.out_degrees(_ids_arg(accounts))

    def __repr__(self) -> str:
        return repr(self._g)

    # ---- attributes and weights ------------------------------------------------------------
    def set_weights(self, scheme: str) -> "Graph":
        """Sets edge probabilities: 'given', 'wc', 'const:P', 'trivalency[:SEED]' or 'tier'."""
        self._g.set_weights(scheme)
        return self

    def read_attributes(self, path: str) -> "Graph":
        """Reads node attributes from a CSV keyed by ``id``."""
        self._g.read_attributes(path)
        return self

    def set_attributes(self, data: Any = None, *, id: str = "id", **columns: Any) -> "Graph":
        """Sets node attributes from a DataFrame (or dict of columns) keyed by an id column.

        Columns: platform, person, jurisdiction, target_weight, cost, followers, tier.
        """
        if data is not None:
            cols = {c: data[c] for c in ("platform", "person", "jurisdiction", "target_weight", "cost", "followers", "tier") if c in data}
            ids = data[id]
        else:
            ids = columns.pop("ids")
            cols = columns

        def clean(v: Any, kind: str) -> List[Any]:
            vals = v.tolist() if hasattr(v, "tolist") else list(v)
            out = []
            for x in vals:
                missing = x is None or (isinstance(x, float) and np.isnan(x))
                if missing:
                    out.append(None)
                elif kind == "str":
                    out.append(str(x))
                elif kind == "int":
                    out.append(int(x))
                else:
                    out.append(float(x))
            return out

        kinds = {"platform": "str", "person": "str", "jurisdiction": "str", "tier": "str", "target_weight": "float", "cost": "float", "followers": "int"}
        unknown = set(cols) - set(kinds)
        if unknown:
            raise InvalidParameterError(f"unknown attribute columns: {sorted(unknown)}")
        args = {k: clean(v, kinds[k]) for k, v in cols.items()}
        self._g.set_attributes(_ids_arg(ids), **args)
        return self

    def attributes(self):
        """The attribute columns as a DataFrame (a dict of columns without pandas)."""
        d = self._g.attributes()
        pd = _pandas()
        return pd.DataFrame(d) if pd is not None else d

    # ---- reach ---------------------------------------------------------------------------
    def unique_reach(self, seeds: Ids, include_seeds: bool = False, target_only: bool = False) -> int:
        """Number of distinct people following at least one seed."""
        return self._g.unique_reach(_ids_arg(seeds), include_seeds, target_only)

    def reach(self, seeds: Ids, include_seeds: bool = False, target_only: bool = False) -> ReachResult:
        """Reach with summed followers, distinct accounts and people, and breakdowns."""
        return ReachResult(self._g.reach(_ids_arg(seeds), include_seeds, target_only))

    def expected_reach(
        self, seeds: Ids, posts_per_seed: int = 1, include_seeds: bool = False, target_only: bool = False
    ) -> ExpectedReach:
        """Expected people reached under the edge probabilities (closed form) and the exact
        distribution of exposures per person."""
        return ExpectedReach(self._g.expected_reach(_ids_arg(seeds), posts_per_seed, include_seeds, target_only))

    def overlap(
        self,
        accounts: Ids,
        min_jaccard: Optional[float] = None,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> Overlap:
        """Shared followers, Jaccard and containment matrices of the accounts (numpy)."""
        return Overlap(self._g.overlap(_ids_arg(accounts), min_jaccard, threads, progress))

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
        c = None if candidates is None else _ids_arg(candidates)
        return Ladder(self._g.reach_ladder(k, c, include_seeds, target_only))

    def budget_pick(
        self, budget: float, candidates: Optional[Ids] = None, include_seeds: bool = False, target_only: bool = False
    ) -> BudgetPick:
        """The accounts that reach the most distinct people within the budget (costs from the
        ``cost`` attribute); guaranteed at least 1 - 1/sqrt(e) of the optimum."""
        c = None if candidates is None else _ids_arg(candidates)
        return BudgetPick(self._g.budget_pick(budget, c, include_seeds, target_only))

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
    ) -> SpreadResult:
        """Expected spread of the seeds under Independent Cascade (``"ic"``) or Linear Threshold
        (``"lt"``), by Monte Carlo. ``weights`` (e.g. ``"wc"``) sets the graph's edge probabilities
        first, as :meth:`set_weights` does. The same ``seed`` gives the same numbers for any
        ``threads``. Releases the GIL; Ctrl-C stops it with KeyboardInterrupt."""
        return SpreadResult(
            self._g.spread(
                _ids_arg(seeds), model, weights, trials, seed, threads, hops, target_rse, node_probabilities, histogram, progress
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
    ) -> Selection:
        """The accounts that maximize expected spread: ``k`` of them, or within a ``budget``
        (costs from the ``cost`` attribute). OPIM-C (default) or IMM stop with a certified ratio
        of at least 1 - 1/e - epsilon (1 - 1/sqrt(e) - epsilon with a budget); ``mode="quality"``
        keeps sampling while the out-of-sample estimate still improves. ``objective`` is
        ``"people"`` (default), ``"uniform"`` (accounts) or ``"target_weighted"`` (the
        ``target_weight`` attribute). Same ``seed``, same seeds on any ``threads``; equals
        ``reachgraph select`` with the same flags.

        >>> g = Graph.from_arrays(np.array([1, 1, 2]), np.array([2, 3, 4]), probabilities=np.array([1.0, 1.0, 1.0], dtype=np.float32))
        >>> g.select(k=1, seed=1).seeds
        [1]
        """
        c = None if candidates is None else _ids_arg(candidates)
        return Selection(
            self._g.select(
                k, budget, model, weights, epsilon, delta, mode, algorithm, objective, c, seed, threads,
                hops, tolerance, max_rr_sets, time_limit_s, memory_limit_bytes, progress,
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
                _ids_arg(seeds),
                model,
                weights,
                objective,
                rr_sets,
                seed,
                threads,
                hops,
                progress,
                memory_limit_bytes,
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
        see docs/margin.md). The answer equals ``reachgraph margin`` on the same graph."""
        import json

        return MarginResult(self._g.margin(_ids_arg(seeds), json.dumps(options), threads, progress))


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

    __slots__ = ("_s",)

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
        a = None if accounts is None else _ids_arg(accounts)
        return cls(_rs.Sketches.build_from_graph(graph._g, lg_k, seed, a, threads, progress))

    @classmethod
    def from_pairs(
        cls, accounts: Any, followers: Any, lg_k: int = 14, seed: int = 9001, threads: Optional[int] = None
    ) -> "Sketches":
        """Sketches from aligned ``(account, follower)`` pairs: ``followers[i]`` follows
        ``accounts[i]`` and names a person. Integer numpy arrays are read in place (accounts
        then come in ascending id order); lists of ints or strs work too."""
        a, f = _ids_arg(accounts), _ids_arg(followers)
        return cls(_rs.Sketches.from_pairs(a, f, lg_k, seed, threads))

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
        return cls(_rs.Sketches.from_stream(path, lg_k, seed, chunk_bytes, threads, progress, memory_limit_bytes))

    @classmethod
    def load(cls, path: str) -> "Sketches":
        """Reads a sketch directory (``save``, ``reachgraph sketch build``) or ``.rgsk`` file."""
        return cls(_rs.Sketches.load(path))

    def save(self, directory: str) -> Dict[str, Any]:
        """Writes ``sketches.rgsk`` and ``manifest.json`` into ``directory``."""
        return self._s.save(directory)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "<bytes>") -> "Sketches":
        """Parses the binary format; corrupt or truncated bytes raise typed errors."""
        return cls(_rs.Sketches.from_bytes(data, name))

    def to_bytes(self) -> bytes:
        """The set in the versioned, checksummed binary format."""
        return self._s.to_bytes()

    def merge(self, other: "Sketches") -> "Sketches":
        """The union: an account in both gets the sketch of the union of its followers and the
        sum of its records. Sets of different ``lg_k`` or ``seed`` raise IncompatibleSketchesError."""
        return Sketches(self._s.merge(other._s))

    def downsample(self, lg_k: int) -> "Sketches":
        """Every sketch reduced to a smaller ``lg_k`` (to merge with sets built smaller)."""
        return Sketches(self._s.downsample(lg_k))

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

    def accounts(self) -> List[Id]:
        """Account ids, in set order."""
        return self._s.accounts()

    def records(self) -> np.ndarray:
        """Follow records per account (follower counts, repeats included), in set order."""
        return self._s.records()

    def reach(self, accounts: Ids, confidence: float = 0.95) -> SketchReach:
        """Unique reach of the accounts with its error bound (people) at ``confidence``."""
        return SketchReach(self._s.reach(_ids_arg(accounts), confidence))

    def overlap(
        self,
        accounts: Ids,
        confidence: float = 0.95,
        threads: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> SketchOverlap:
        """Shared people, Jaccard and containment matrices (numpy) with error bounds."""
        return SketchOverlap(self._s.overlap(_ids_arg(accounts), confidence, threads, progress))

    def ladder(self, k: int, candidates: Optional[Ids] = None, confidence: float = 0.95) -> SketchLadder:
        """Greedy reach ladder: k accounts, each adding the most (estimated) people."""
        c = None if candidates is None else _ids_arg(candidates)
        return SketchLadder(self._s.ladder(k, c, confidence))

    def budget_pick(
        self, budget: float, costs: Any, candidates: Optional[Ids] = None, confidence: float = 0.95
    ) -> SketchLadder:
        """The accounts reaching the most (estimated) people within ``budget``. ``costs``: a dict
        ``{id: cost}``, a float array aligned with :meth:`accounts` (NaN: not for hire) or the
        path of a CSV with ``id`` and ``cost`` columns."""
        if hasattr(costs, "to_dict") and not isinstance(costs, dict):  # pandas Series
            costs = costs.to_dict()
        elif isinstance(costs, np.ndarray):
            costs = np.ascontiguousarray(costs, dtype=np.float64)
        c = None if candidates is None else _ids_arg(candidates)
        r = SketchLadder(self._s.budget_pick(budget, costs, c, confidence))
        r._title = "budgeted pick (sketches)"
        return r

    def error_report(self, set_size: Optional[int] = None, confidence: float = 0.95) -> Result:
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
        return SketchCheck(self._s.check(graph._g, _ids_arg(accounts), confidence, threads, progress))


def sketch_error(lg_k: int = 14, set_size: Optional[int] = None, confidence: float = 0.95) -> Result:
    """Expected relative error of a reach estimate, worst-case Jaccard error and bytes per
    sketch for ``lg_k`` (and a set of ``set_size`` people), as ``reachgraph sketch error``."""
    r = Result(_rs.sketch_error(lg_k, set_size, confidence))
    r._title = "sketch error"
    return r


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
    return Graph(_rs.read_edgelist(path, undirected, format, duplicates, attributes, weights))


def generate_scenario(
    edges: Optional[int] = None, seed: Optional[int] = None, memory_limit_bytes: Optional[int] = None
):
    """A generated multi-platform campaign population (the demo's when no size is given).

    Returns ``(graph, creators, scale)``: creators largest first; scale is the number of real
    people one graph person stands for. Generating must fit ``memory_limit_bytes`` (default:
    half the machine's memory), about 48 bytes per edge.
    """
    g, creators, scale = _rs.generate_scenario(edges, seed, memory_limit_bytes)
    return Graph(g), creators, scale


def margin(**options: Any) -> MarginResult:
    """Margin simulation of the demo campaign (or of ``graph``/``seeds`` given as JSON request
    fields), exactly as ``reachgraph margin --json``."""
    return MarginResult(run_request({"version": 1, "type": "margin", **options}))


def run_request(request: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Answers a JSON API request (as ``reachgraph run``); dicts are serialized for you."""
    import json

    text = request if isinstance(request, str) else json.dumps(request)
    return json.loads(_rs.run_request(text))
