//! The one error type of the core crate.
//!
//! Every variant carries what a user needs to find and fix the problem: the input and line,
//! the node or edge (by its external id), the offending value. Nothing in the core panics on
//! bad input; it returns one of these.

use std::fmt;

/// Longest input value, in bytes, that an error message echoes whole.
pub const ECHO_MAX_BYTES: usize = 100;

/// An input value as an error message shows it: whole when it is at most [`ECHO_MAX_BYTES`]
/// long, else its first bytes, an ellipsis and its length, so that a 50 MB id does not make a
/// 50 MB message. `{}` shows the text, `{:?}` quotes it. Every message that echoes a value
/// read from input goes through [`echo`].
#[derive(Clone, Copy)]
pub struct Echo<'a>(&'a str);

/// Wraps an input value for an error message; see [`Echo`].
pub fn echo(value: &str) -> Echo<'_> {
    Echo(value)
}

impl Echo<'_> {
    /// The shown prefix and, when cut, the full length in bytes.
    fn parts(&self) -> (&str, Option<usize>) {
        let s = self.0;
        if s.len() <= ECHO_MAX_BYTES {
            return (s, None);
        }
        let mut end = ECHO_MAX_BYTES;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        (&s[..end], Some(s.len()))
    }
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (s, None) => f.write_str(s),
            (s, Some(n)) => write!(f, "{s}… ({n} bytes)"),
        }
    }
}

impl fmt::Debug for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (s, None) => write!(f, "{s:?}"),
            (s, Some(n)) => write!(f, "{s:?}… ({n} bytes)"),
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in reachgraph-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A line of an input file could not be parsed.
    #[error("{input}:{line}: {message}")]
    Parse {
        /// Name of the input (a path, or a label such as `<stdin>`).
        input: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong with the line.
        message: String,
    },

    /// Reading an input failed.
    #[error("cannot read {input}: {source}")]
    Io {
        /// Name of the input.
        input: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// An edge probability is NaN or outside [0, 1].
    #[error(
        "edge {} -> {}: probability {value} is not in [0, 1]",
        echo(from),
        echo(to)
    )]
    InvalidProbability {
        /// External id of the edge's source account.
        from: String,
        /// External id of the edge's target account.
        to: String,
        /// The offending value.
        value: f64,
    },

    /// Linear-threshold in-weights of a node sum to more than 1.
    #[error(
        "node {}: linear-threshold in-weights sum to {sum}, more than 1",
        echo(node)
    )]
    LtWeightsExceedOne {
        /// External id of the node.
        node: String,
        /// The sum of its in-edge weights.
        sum: f64,
    },

    /// A node id does not exist in the graph.
    #[error("unknown node id {:?}{context}", echo(id))]
    UnknownNode {
        /// The id as given.
        id: String,
        /// Where it came from (for example `" (seeds file line 3)"`); may be empty.
        context: String,
    },

    /// A node appears twice where a set is expected.
    #[error("node {:?} appears more than once in the {what}", echo(id))]
    DuplicateNode {
        /// External id.
        id: String,
        /// Which list (for example `"seed set"`).
        what: String,
    },

    /// A duplicate edge was met while the duplicate policy is [`crate::DuplicatePolicy::Error`].
    #[error("{}duplicate edge {} -> {}", at.as_deref().unwrap_or(""), echo(from), echo(to))]
    DuplicateEdge {
        /// External id of the edge's source.
        from: String,
        /// External id of the edge's target.
        to: String,
        /// Where the second copy is, as `"input:line: "` (set by the readers; `None` for
        /// edges given in memory).
        at: Option<String>,
    },

    /// A seed or account list is empty where at least one account is needed.
    #[error("the {what} is empty")]
    Empty {
        /// Which list.
        what: String,
    },

    /// `k` exceeds the number of candidates.
    #[error("k = {k} is larger than the {candidates} candidate accounts")]
    KTooLarge {
        /// Requested number of accounts.
        k: usize,
        /// Number of candidates available.
        candidates: usize,
    },

    /// No candidate is affordable under the budget.
    #[error("budget {budget} is below the cheapest candidate's cost {min_cost}")]
    BudgetTooSmall {
        /// The budget.
        budget: f64,
        /// The cheapest candidate's cost.
        min_cost: f64,
    },

    /// A parameter is out of its allowed range.
    #[error("invalid {name} = {}: {reason}", echo(value))]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// The value given, as text.
        value: String,
        /// The allowed range or why it is wrong.
        reason: String,
    },

    /// A node attribute is invalid (NaN weight, negative cost, conflicting person data, ...).
    #[error("attribute {column} of node {}: {reason}", echo(node))]
    InvalidAttribute {
        /// Column name.
        column: String,
        /// External id of the node (or person).
        node: String,
        /// What is wrong.
        reason: String,
    },

    /// An attribute column has the wrong length.
    #[error("attribute column {column} has {got} values, the graph has {expected} nodes")]
    LengthMismatch {
        /// Column name.
        column: String,
        /// Length given.
        got: usize,
        /// Length expected.
        expected: usize,
    },

    /// A required attribute is missing (for example costs for a budgeted pick).
    #[error("missing attribute {column}: {reason}")]
    MissingAttribute {
        /// Column name.
        column: String,
        /// What needed it.
        reason: String,
    },

    /// An allocation would exceed the configured memory limit.
    #[error("{what} needs an estimated {estimate_bytes} bytes, over the limit of {limit_bytes} bytes; raise the limit or lower the work")]
    MemoryLimit {
        /// What was about to be allocated.
        what: String,
        /// Estimated bytes.
        estimate_bytes: u64,
        /// Configured limit.
        limit_bytes: u64,
    },

    /// A long computation was cancelled through its progress callback.
    #[error("cancelled")]
    Cancelled,

    /// Sketches built with different parameters (size, hash seed, kind) were combined.
    #[error("incompatible sketches: {what} differs ({left} vs {right}); rebuild one side with the other's parameters")]
    IncompatibleSketches {
        /// The parameter that differs (`lg_k`, `hash seed`, `kind`).
        what: String,
        /// Its value on the left-hand side.
        left: String,
        /// Its value on the right-hand side.
        right: String,
    },

    /// Sketch bytes are not a valid sketch (bad magic, checksum, ordering, ...).
    #[error("{input}: corrupt sketch data at byte {offset}: {reason}")]
    CorruptSketch {
        /// Name of the input.
        input: String,
        /// Byte offset where the problem was found.
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// Sketch bytes end before the data their header announces.
    #[error("{input}: truncated sketch data: {what} needs {expected} bytes, only {found} remain")]
    TruncatedSketch {
        /// Name of the input.
        input: String,
        /// What was being read.
        what: String,
        /// Bytes needed.
        expected: u64,
        /// Bytes available.
        found: u64,
    },

    /// Another rank of a distributed run failed; this rank stopped with it instead of waiting.
    #[error("rank {rank} of the distributed run failed ({kind}): {message}")]
    RankFailed {
        /// The first rank that reported a failure.
        rank: usize,
        /// Its error kind ([`Error::kind`]).
        kind: String,
        /// Its error message.
        message: String,
    },

    /// Ranks of a distributed run hold different inputs (graph or configuration checksums).
    #[error("rank {rank} has a different {what} from rank 0 (checksum {found:016x} vs {expected:016x}); give every rank the same files and flags")]
    RankMismatch {
        /// What differs (`graph`, `configuration`).
        what: String,
        /// The first rank that differs from rank 0.
        rank: usize,
        /// That rank's checksum.
        found: u64,
        /// Rank 0's checksum.
        expected: u64,
    },

    /// A collective operation of a distributed run failed or did not complete in time.
    #[error("distributed {operation} on rank {rank}: {reason}")]
    Communication {
        /// The collective (`all-reduce`, `broadcast`, ...).
        operation: String,
        /// This rank.
        rank: usize,
        /// What went wrong (a timeout names its seconds).
        reason: String,
    },

    /// A cell of a creator table (creators, audience or overlaps CSV) is invalid.
    #[error("{file}:{line}: column {column} = {:?}: {reason}", echo(value))]
    Table {
        /// Name of the input file.
        file: Box<str>,
        /// 1-based line (the header is line 1).
        line: u64,
        /// The column (or `header`).
        column: Box<str>,
        /// The offending value as written.
        value: String,
        /// What is wrong, naming the other line when two rows conflict.
        reason: String,
    },
    /// A `.rgraph` file is not a valid graph file (bad magic or version, a checksum that does
    /// not match, a section out of bounds, arrays that do not describe a graph).
    #[error("{input}: corrupt .rgraph file at byte {offset}: {reason}")]
    CorruptGraphFile {
        /// Name of the input.
        input: String,
        /// Byte offset where the problem was found.
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// A `.rgraph` file ends before the data its header announces.
    #[error("{input}: truncated .rgraph file: {what} needs bytes up to {expected}, the file has {found}")]
    TruncatedGraphFile {
        /// Name of the input.
        input: String,
        /// What was being read.
        what: String,
        /// Bytes needed (the end offset).
        expected: u64,
        /// Bytes in the file.
        found: u64,
    },
}

impl Error {
    /// Shorthand for an [`Error::InvalidParameter`].
    pub fn invalid_parameter(
        name: impl Into<String>,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Names where a [`Error::DuplicateEdge`] was found (`input`, 1-based `line`); other
    /// errors pass through.
    pub fn at_line(self, input: &str, line: u64) -> Self {
        match self {
            Error::DuplicateEdge { from, to, .. } => Error::DuplicateEdge {
                from,
                to,
                at: Some(format!("{input}:{line}: ")),
            },
            other => other,
        }
    }

    /// Shorthand for an [`Error::Parse`].
    pub fn parse(input: &str, line: u64, message: impl Into<String>) -> Self {
        Error::Parse {
            input: input.to_string(),
            line,
            message: message.into(),
        }
    }

    /// A short machine-readable name of the error kind (stable; used by the API and Python).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Parse { .. } => "parse",
            Error::Io { .. } => "io",
            Error::InvalidProbability { .. } => "invalid_probability",
            Error::LtWeightsExceedOne { .. } => "lt_weights_exceed_one",
            Error::UnknownNode { .. } => "unknown_node",
            Error::DuplicateNode { .. } => "duplicate_node",
            Error::DuplicateEdge { .. } => "duplicate_edge",
            Error::Empty { .. } => "empty",
            Error::KTooLarge { .. } => "k_too_large",
            Error::BudgetTooSmall { .. } => "budget_too_small",
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::InvalidAttribute { .. } => "invalid_attribute",
            Error::LengthMismatch { .. } => "length_mismatch",
            Error::MissingAttribute { .. } => "missing_attribute",
            Error::MemoryLimit { .. } => "memory_limit",
            Error::Cancelled => "cancelled",
            Error::IncompatibleSketches { .. } => "incompatible_sketches",
            Error::CorruptSketch { .. } => "corrupt_sketch",
            Error::TruncatedSketch { .. } => "truncated_sketch",
            Error::RankFailed { .. } => "rank_failed",
            Error::RankMismatch { .. } => "rank_mismatch",
            Error::Communication { .. } => "communication",
            Error::Table { .. } => "table",
            Error::CorruptGraphFile { .. } => "corrupt_graph_file",
            Error::TruncatedGraphFile { .. } => "truncated_graph_file",
        }
    }
}
