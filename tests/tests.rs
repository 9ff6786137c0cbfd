//! The integration test binary: one module per area.

mod api;
mod cascade_core;
mod common;
mod compare_core;
mod distributed;
mod fuzz_harness;
mod fuzz_regressions;
mod margin_core;
mod plan_truth;
mod reach_core;
mod real_graphs;
mod scenario_core;
mod select_core;
mod sketch_build_file;
mod sketch_core;
mod sketch_hardening;
