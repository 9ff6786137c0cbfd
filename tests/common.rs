//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The shared data folder, if present: `$REACHGRAPH_DATA`, else `../shared/data` beside the
/// repository (the override serves worktrees kept elsewhere).
pub fn shared_data() -> Option<PathBuf> {
    let p = std::env::var_os("REACHGRAPH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipping: shared data folder {} is absent (clone the repository with ../shared beside it)",
            p.display()
        );
        None
    }
}
