//! The progress bar on stderr.

use indicatif::{ProgressBar, ProgressStyle};
use reachgraph_core::Progress;
use std::sync::Mutex;

/// Draws progress on stderr (hidden when stderr is not a terminal or with --quiet).
pub struct Bar {
    bar: ProgressBar,
    stage: Mutex<String>,
    quiet: bool,
}

impl Bar {
    /// A bar drawn unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        bar.set_style(
            ProgressStyle::with_template("{msg:>20} [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("static template")
                .progress_chars("=> "),
        );
        Bar {
            bar,
            stage: Mutex::new(String::new()),
            quiet,
        }
    }

    /// Clears the bar, before anything else is written to the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// `--quiet`: the distributed summary line obeys it too.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }
}

impl Progress for Bar {
    fn update(&self, stage: &str, done: u64, total: u64) -> bool {
        if let Ok(mut s) = self.stage.lock() {
            if *s != stage {
                *s = stage.to_string();
                self.bar.set_message(stage.to_string());
                self.bar.reset();
            }
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
        true
    }
}
