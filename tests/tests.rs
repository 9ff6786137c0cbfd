//! The integration test binary: one module per area.

mod api;
mod common;
mod real_graphs;
