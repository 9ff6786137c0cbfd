"""Type stubs of the private extension module (checked by mypy.stubtest)."""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
from typing_extensions import final

__version__: str

_Id = Union[int, str]

class ReachgraphError(Exception): ...
class ParseError(ReachgraphError): ...
class ReachgraphIOError(ReachgraphError): ...
class InvalidProbabilityError(ReachgraphError): ...
class LtWeightsError(ReachgraphError): ...
class UnknownNodeError(ReachgraphError): ...
class DuplicateNodeError(ReachgraphError): ...
class DuplicateEdgeError(ReachgraphError): ...
class EmptyInputError(ReachgraphError): ...
class KTooLargeError(ReachgraphError): ...
class BudgetTooSmallError(ReachgraphError): ...
class InvalidParameterError(ReachgraphError): ...
class InvalidAttributeError(ReachgraphError): ...
class LengthMismatchError(ReachgraphError): ...
class MissingAttributeError(ReachgraphError): ...
class MemoryLimitError(ReachgraphError): ...
class InvalidRequestError(ReachgraphError): ...
class IncompatibleSketchesError(ReachgraphError): ...
class CorruptSketchError(ReachgraphError): ...
class TruncatedSketchError(ReachgraphError): ...

@final
class Graph:
    @staticmethod
    def from_arrays(
        src: npt.NDArray[np.int64],
        dst: npt.NDArray[np.int64],
        probabilities: Optional[npt.NDArray[np.float32]] = None,
        undirected: bool = False,
        duplicates: str = "max",
    ) -> Graph: ...
    @staticmethod
    def from_id_lists(
        src: Sequence[Any],
        dst: Sequence[Any],
        probabilities: Optional[Sequence[float]] = None,
        undirected: bool = False,
        duplicates: str = "max",
    ) -> Graph: ...
    @property
    def node_count(self) -> int: ...
    @property
    def edge_count(self) -> int: ...
    @property
    def people_count(self) -> int: ...
    @property
    def build_report(self) -> Dict[str, int]: ...
    @property
    def weights(self) -> Dict[str, Any]: ...
    def ids(self) -> List[_Id]: ...
    def edge_arrays(
        self,
    ) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.float32]]: ...
    def out_degrees(self, accounts: Any) -> npt.NDArray[np.uint64]: ...
    def set_weights(self, scheme: str) -> None: ...
    def read_attributes(self, path: str) -> None: ...
    def set_attributes(
        self,
        ids: Any,
        platform: Optional[List[Optional[str]]] = None,
        person: Optional[List[Optional[str]]] = None,
        jurisdiction: Optional[List[Optional[str]]] = None,
        target_weight: Optional[List[Optional[float]]] = None,
        cost: Optional[List[Optional[float]]] = None,
        followers: Optional[List[Optional[int]]] = None,
        tier: Optional[List[Optional[str]]] = None,
    ) -> None: ...
    def attributes(self) -> Dict[str, Any]: ...
    def unique_reach(self, seeds: Any, include_seeds: bool = False, target_only: bool = False) -> int: ...
    def reach(self, seeds: Any, include_seeds: bool = False, target_only: bool = False) -> Dict[str, Any]: ...
    def expected_reach(
        self, seeds: Any, posts_per_seed: int = 1, include_seeds: bool = False, target_only: bool = False
    ) -> Dict[str, Any]: ...
    def overlap(
        self,
        accounts: Any,
        min_jaccard: Optional[float] = None,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...
    def reach_ladder(
        self, k: int, candidates: Optional[Any] = None, include_seeds: bool = False, target_only: bool = False
    ) -> Dict[str, Any]: ...
    def budget_pick(
        self, budget: float, candidates: Optional[Any] = None, include_seeds: bool = False, target_only: bool = False
    ) -> Dict[str, Any]: ...

    def spread(
        self,
        seeds: Any,
        model: str = "ic",
        weights: Optional[str] = None,
        trials: int = 10000,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        target_rse: Optional[float] = None,
        node_probabilities: bool = False,
        histogram: bool = False,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...

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
        candidates: Any = None,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        tolerance: Optional[float] = None,
        max_rr_sets: Optional[int] = None,
        time_limit_s: Optional[float] = None,
        memory_limit_bytes: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...
    def evaluate(
        self,
        seeds: Any,
        model: str = "ic",
        weights: Optional[str] = None,
        objective: Optional[str] = None,
        rr_sets: int = 200000,
        seed: int = 0,
        threads: Optional[int] = None,
        hops: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...

    def margin(
        self,
        seeds: Any,
        options: str,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...

@final
class Sketches:
    @staticmethod
    def build_from_graph(
        graph: Graph,
        lg_k: int = 14,
        seed: int = 9001,
        accounts: Optional[Any] = None,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Sketches: ...
    @staticmethod
    def from_pairs(
        accounts: Any, followers: Any, lg_k: int = 14, seed: int = 9001, threads: Optional[int] = None
    ) -> Sketches: ...
    @staticmethod
    def from_stream(
        path: str,
        lg_k: int = 14,
        seed: int = 9001,
        chunk_bytes: int = 16777216,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Sketches: ...
    @staticmethod
    def load(path: str) -> Sketches: ...
    def save(self, dir: str) -> Dict[str, Any]: ...
    @staticmethod
    def from_bytes(data: bytes, name: str = "<bytes>") -> Sketches: ...
    def to_bytes(self) -> bytes: ...
    def merge(self, other: Sketches) -> Sketches: ...
    def downsample(self, lg_k: int) -> Sketches: ...
    @property
    def lg_k(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def total_hashes(self) -> int: ...
    def __len__(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def accounts(self) -> List[_Id]: ...
    def records(self) -> npt.NDArray[np.uint64]: ...
    def reach(self, accounts: Any, confidence: float = 0.95) -> Dict[str, Any]: ...
    def overlap(
        self,
        accounts: Any,
        confidence: float = 0.95,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...
    def ladder(self, k: int, candidates: Optional[Any] = None, confidence: float = 0.95) -> Dict[str, Any]: ...
    def budget_pick(
        self, budget: float, costs: Any, candidates: Optional[Any] = None, confidence: float = 0.95
    ) -> Dict[str, Any]: ...
    def check(
        self,
        graph: Graph,
        accounts: Any,
        confidence: float = 0.95,
        threads: Optional[int] = None,
        progress: Optional[Callable[[str, int, int], Any]] = None,
    ) -> Dict[str, Any]: ...

def sketch_error(lg_k: int = 14, set_size: Optional[int] = None, confidence: float = 0.95) -> Dict[str, Any]: ...
def read_edgelist(
    path: str,
    undirected: bool = False,
    format: Optional[str] = None,
    duplicates: str = "max",
    attributes: Optional[str] = None,
    weights: Optional[str] = None,
) -> Graph: ...
def generate_scenario(edges: Optional[int] = None, seed: Optional[int] = None) -> Tuple[Graph, List[_Id], float]: ...
def run_request(request: str) -> str: ...
