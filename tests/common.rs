//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The shared data folder (`../shared/data` beside the repository), if present.
pub fn shared_data() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
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
