//! Every reachgraph error kind as its own Python exception class, all under `ReachgraphError`.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use reachgraph_api::ApiError;

create_exception!(
    reachgraph,
    ReachgraphError,
    PyException,
    "Base class of every reachgraph error."
);

macro_rules! kinds {
    ($( $class:ident = $kind:literal : $doc:literal ),* $(,)?) => {
        $( create_exception!(reachgraph, $class, ReachgraphError, $doc); )*

        /// The exception for an error kind (see `reachgraph_core::Error::kind`).
        fn raise(kind: &str, message: String) -> PyErr {
            match kind {
                "cancelled" => PyKeyboardInterrupt::new_err(message),
                $( $kind => $class::new_err(message), )*
                _ => ReachgraphError::new_err(message),
            }
        }

        /// Adds the exception classes to the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            let py = m.py();
            m.add("ReachgraphError", py.get_type::<ReachgraphError>())?;
            $( m.add(stringify!($class), py.get_type::<$class>())?; )*
            Ok(())
        }
    };
}

kinds! {
    ParseError = "parse": "A line of an input file could not be parsed (the message names file and line).",
    ReachgraphIOError = "io": "An input could not be read.",
    InvalidProbabilityError = "invalid_probability": "An edge probability is NaN or outside [0, 1].",
    LtWeightsError = "lt_weights_exceed_one": "Linear-threshold in-weights of a node sum to more than 1.",
    UnknownNodeError = "unknown_node": "An account id is not in the graph.",
    DuplicateNodeError = "duplicate_node": "An account appears twice in a seed or account list.",
    DuplicateEdgeError = "duplicate_edge": "A duplicate edge under duplicates='error'.",
    EmptyInputError = "empty": "A seed or account list is empty.",
    KTooLargeError = "k_too_large": "k is larger than the number of candidates.",
    BudgetTooSmallError = "budget_too_small": "The budget is below every candidate's cost.",
    InvalidParameterError = "invalid_parameter": "A parameter is out of its allowed range.",
    InvalidAttributeError = "invalid_attribute": "A node attribute is invalid.",
    LengthMismatchError = "length_mismatch": "Arrays or columns have different lengths.",
    MissingAttributeError = "missing_attribute": "A required attribute (e.g. cost) is missing.",
    MemoryLimitError = "memory_limit": "An allocation would exceed the configured memory limit.",
    InvalidRequestError = "invalid_request": "A JSON request is malformed.",
    IncompatibleSketchesError = "incompatible_sketches": "Sketches of different lg_k, hash seed or kind were combined.",
    CorruptSketchError = "corrupt_sketch": "Sketch bytes are not a valid sketch set (bad magic, version, checksum or entry).",
    TruncatedSketchError = "truncated_sketch": "Sketch bytes end before the length their header announces.",
}

/// Converts a core error into its Python exception.
pub fn core_err(e: reachgraph_core::Error) -> PyErr {
    raise(e.kind(), e.to_string())
}

/// Converts an API error into its Python exception.
pub fn api_err(e: ApiError) -> PyErr {
    raise(&e.kind, e.message)
}

/// An `InvalidParameterError` with a message.
pub fn invalid(message: impl Into<String>) -> PyErr {
    InvalidParameterError::new_err(message.into())
}
