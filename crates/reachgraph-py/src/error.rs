//! Every reachgraph error kind as its own Python exception class, all under `ReachgraphError`.
//!
//! Classes are chosen by matching the error enums' variants with no catch-all arm, so a new
//! variant in `reachgraph_core::Error` or `reachgraph_api::ApiError` does not compile until it
//! has a class here.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::PyType;
use reachgraph_api::ApiError;
use reachgraph_core::Error;

create_exception!(
    reachgraph,
    ReachgraphError,
    PyException,
    "Base class of every reachgraph error."
);

macro_rules! classes {
    ($( $class:ident : $doc:literal ),* $(,)?) => {
        $( create_exception!(reachgraph, $class, ReachgraphError, $doc); )*

        /// Adds the exception classes to the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            let py = m.py();
            m.add("ReachgraphError", py.get_type::<ReachgraphError>())?;
            $( m.add(stringify!($class), py.get_type::<$class>())?; )*
            m.add_function(wrap_pyfunction!(_error_kinds, m)?)?;
            Ok(())
        }
    };
}

classes! {
    ParseError: "A line of an input file could not be parsed (the message names file and line).",
    ReachgraphIOError: "An input could not be read.",
    InvalidProbabilityError: "An edge probability is NaN or outside [0, 1].",
    LtWeightsError: "Linear-threshold in-weights of a node sum to more than 1.",
    UnknownNodeError: "An account id is not in the graph.",
    DuplicateNodeError: "An account appears twice in a seed or account list.",
    DuplicateEdgeError: "A duplicate edge under duplicates='error'.",
    EmptyInputError: "A seed or account list is empty.",
    KTooLargeError: "k is larger than the number of candidates.",
    BudgetTooSmallError: "The budget is below every candidate's cost.",
    InvalidParameterError: "A parameter is out of its allowed range.",
    InvalidAttributeError: "A node attribute is invalid.",
    LengthMismatchError: "Arrays or columns have different lengths.",
    MissingAttributeError: "A required attribute (e.g. cost) is missing.",
    MemoryLimitError: "An allocation would exceed the configured memory limit.",
    InvalidRequestError: "A JSON request is malformed.",
    IncompatibleSketchesError: "Sketches of different lg_k, hash seed or kind were combined.",
    CorruptSketchError: "Sketch bytes are not a valid sketch set (bad magic, version, checksum or entry).",
    TruncatedSketchError: "Sketch bytes end before the length their header announces.",
    RankFailedError: "Another rank of a distributed run failed.",
    RankMismatchError: "Ranks of a distributed run hold different graphs or configurations.",
    CommunicationError: "A collective operation of a distributed run failed or timed out.",
    BuiltWithoutMpiError: "A distributed run was asked of a build without MPI.",
    CorruptGraphFileError: "A .rgraph file is not a valid graph file (bad magic, version, checksum or arrays).",
    TruncatedGraphFileError: "A .rgraph file ends before the data its header announces.",
}

/// Converts a core error into its Python exception (`cancelled` is a `KeyboardInterrupt`).
pub fn core_err(e: Error) -> PyErr {
    raise(&e, e.to_string())
}

/// The exception of `e`'s class with message `m`.
fn raise(e: &Error, m: String) -> PyErr {
    match e {
        Error::Parse { .. } => ParseError::new_err(m),
        Error::Io { .. } => ReachgraphIOError::new_err(m),
        Error::InvalidProbability { .. } => InvalidProbabilityError::new_err(m),
        Error::LtWeightsExceedOne { .. } => LtWeightsError::new_err(m),
        Error::UnknownNode { .. } => UnknownNodeError::new_err(m),
        Error::DuplicateNode { .. } => DuplicateNodeError::new_err(m),
        Error::DuplicateEdge { .. } => DuplicateEdgeError::new_err(m),
        Error::Empty { .. } => EmptyInputError::new_err(m),
        Error::KTooLarge { .. } => KTooLargeError::new_err(m),
        Error::BudgetTooSmall { .. } => BudgetTooSmallError::new_err(m),
        Error::InvalidParameter { .. } => InvalidParameterError::new_err(m),
        Error::InvalidAttribute { .. } => InvalidAttributeError::new_err(m),
        Error::LengthMismatch { .. } => LengthMismatchError::new_err(m),
        Error::MissingAttribute { .. } => MissingAttributeError::new_err(m),
        Error::MemoryLimit { .. } => MemoryLimitError::new_err(m),
        Error::Cancelled => PyKeyboardInterrupt::new_err(m),
        Error::IncompatibleSketches { .. } => IncompatibleSketchesError::new_err(m),
        Error::CorruptSketch { .. } => CorruptSketchError::new_err(m),
        Error::TruncatedSketch { .. } => TruncatedSketchError::new_err(m),
        Error::RankFailed { .. } => RankFailedError::new_err(m),
        Error::RankMismatch { .. } => RankMismatchError::new_err(m),
        Error::Communication { .. } => CommunicationError::new_err(m),
        Error::Table { .. } => ParseError::new_err(m),
        Error::CorruptGraphFile { .. } => CorruptGraphFileError::new_err(m),
        Error::TruncatedGraphFile { .. } => TruncatedGraphFileError::new_err(m),
    }
}

/// Converts an API error into its Python exception.
pub fn api_err(e: ApiError) -> PyErr {
    match e {
        ApiError::Core(c) => core_err(c),
        // The message keeps the inputs in front; the class is the core error's.
        ApiError::Context { ref source, .. } => raise(source, e.to_string()),
        ApiError::Io { .. } => ReachgraphIOError::new_err(e.to_string()),
        ApiError::InvalidRequest(m) => InvalidRequestError::new_err(m),
        ApiError::TooFewSketchSets { .. } => InvalidParameterError::new_err(e.to_string()),
        ApiError::ManifestMismatch { .. } => CorruptSketchError::new_err(e.to_string()),
        ApiError::BuiltWithoutMpi => BuiltWithoutMpiError::new_err(e.to_string()),
    }
}

/// An `InvalidParameterError` with a message.
pub fn invalid(message: impl Into<String>) -> PyErr {
    InvalidParameterError::new_err(message.into())
}

/// Every error kind with an example of its error, for `_error_kinds` (one per variant).
fn examples() -> Vec<ApiError> {
    let s = String::new;
    let core = vec![
        Error::parse("f", 1, "m"),
        Error::Io {
            input: s(),
            source: std::io::Error::other("x"),
        },
        Error::InvalidProbability {
            from: s(),
            to: s(),
            value: 2.0,
        },
        Error::LtWeightsExceedOne {
            node: s(),
            sum: 2.0,
        },
        Error::UnknownNode {
            id: s(),
            context: s(),
        },
        Error::DuplicateNode { id: s(), what: s() },
        Error::DuplicateEdge {
            from: s(),
            to: s(),
            at: None,
        },
        Error::Empty { what: s() },
        Error::KTooLarge {
            k: 2,
            candidates: 1,
        },
        Error::BudgetTooSmall {
            budget: 1.0,
            min_cost: 2.0,
        },
        Error::invalid_parameter("p", 0, "r"),
        Error::InvalidAttribute {
            column: s(),
            node: s(),
            reason: s(),
        },
        Error::LengthMismatch {
            column: s(),
            got: 1,
            expected: 2,
        },
        Error::MissingAttribute {
            column: s(),
            reason: s(),
        },
        Error::MemoryLimit {
            what: s(),
            estimate_bytes: 2,
            limit_bytes: 1,
        },
        Error::Cancelled,
        Error::IncompatibleSketches {
            what: s(),
            left: s(),
            right: s(),
        },
        Error::CorruptSketch {
            input: s(),
            offset: 0,
            reason: s(),
        },
        Error::TruncatedSketch {
            input: s(),
            what: s(),
            expected: 2,
            found: 1,
        },
        Error::RankFailed {
            rank: 1,
            kind: s(),
            message: s(),
        },
        Error::RankMismatch {
            what: s(),
            rank: 1,
            found: 1,
            expected: 2,
        },
        Error::Communication {
            operation: s(),
            rank: 1,
            reason: s(),
        },
        Error::Table {
            file: s().into(),
            line: 2,
            column: s().into(),
            value: s(),
            reason: s(),
        },
        Error::CorruptGraphFile {
            input: s(),
            offset: 0,
            reason: s(),
        },
        Error::TruncatedGraphFile {
            input: s(),
            what: s(),
            expected: 2,
            found: 1,
        },
    ];
    let mut all: Vec<ApiError> = core.into_iter().map(ApiError::Core).collect();
    all.extend([
        ApiError::Context {
            context: s(),
            source: Error::Empty { what: s() },
        },
        ApiError::io("open f", std::io::Error::other("x")),
        ApiError::invalid("m"),
        ApiError::TooFewSketchSets { got: 1 },
        ApiError::ManifestMismatch {
            manifest: s(),
            file: s(),
            field: s(),
            manifest_value: s(),
            file_value: s(),
        },
        ApiError::BuiltWithoutMpi,
    ]);
    all
}

/// `(kind, exception class)` for one error of every variant, so tests can check that no kind
/// falls back to the base class.
#[pyfunction]
fn _error_kinds(py: Python<'_>) -> Vec<(&'static str, Bound<'_, PyType>)> {
    examples()
        .into_iter()
        .map(|e| (e.kind(), api_err(e).get_type(py)))
        .collect()
}
