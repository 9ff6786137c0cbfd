//! Progress on stderr: a bar on a terminal, periodic lines when nobody watches one.
//!
//! When stderr is a terminal, an `indicatif` bar is drawn. When it is not (a script, a log
//! file, a batch job), a bar would either vanish or fill the log with control codes, so the
//! progress is written as plain lines instead:
//!
//! ```text
//! reachgraph: progress: monte carlo trials: 37.5% (3,750/10,000), elapsed 30.1 s, ETA 50.2 s
//! ```
//!
//! the first once the run has taken [`LINE_INTERVAL`] (a quick command prints none), then at
//! most one per interval, and a closing line with the total time when any was written. The
//! environment variable `REACHGRAPH_PROGRESS_SECONDS` sets another interval (`0`: a line at
//! every update). `--quiet` silences both bar and lines.

use indicatif::{ProgressBar, ProgressStyle};
use reachgraph_core::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shortest time between two progress lines when stderr is not a terminal (and before the
/// first), unless `REACHGRAPH_PROGRESS_SECONDS` says otherwise.
pub const LINE_INTERVAL: Duration = Duration::from_secs(5);

/// The environment variable that overrides [`LINE_INTERVAL`], in seconds.
pub const INTERVAL_VAR: &str = "REACHGRAPH_PROGRESS_SECONDS";

/// How progress is shown.
enum Mode {
    /// A bar (stderr is a terminal), or a hidden one (`--quiet`).
    Bar(ProgressBar),
    /// Plain lines (stderr is not a terminal).
    Lines(Mutex<LineState>),
}

/// What the line writer remembers between updates.
struct LineState {
    /// When the run started.
    start: Instant,
    /// The stage being reported, and when it started.
    stage: String,
    stage_start: Instant,
    /// Time between lines.
    interval: Duration,
    /// When the next line is due.
    next: Instant,
    /// Whether any line was written.
    wrote: bool,
}

/// Draws progress on stderr: a bar on a terminal, lines otherwise, nothing with `--quiet`.
pub struct Bar {
    mode: Mode,
    stage: Mutex<String>,
    quiet: bool,
}

impl Bar {
    /// A bar drawn unless `quiet`; progress lines instead when stderr is not a terminal.
    pub fn new(quiet: bool) -> Self {
        Self::with_terminal(quiet, std::io::stderr().is_terminal())
    }

    fn with_terminal(quiet: bool, terminal: bool) -> Self {
        let mode = if !quiet && !terminal {
            let now = Instant::now();
            let interval = interval(std::env::var(INTERVAL_VAR).ok().as_deref());
            Mode::Lines(Mutex::new(LineState {
                start: now,
                stage: String::new(),
                stage_start: now,
                interval,
                next: now + interval,
                wrote: false,
            }))
        } else {
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
            Mode::Bar(bar)
        };
        Bar {
            mode,
            stage: Mutex::new(String::new()),
            quiet,
        }
    }

    /// Clears the bar before anything else is written to the terminal; in line mode, closes
    /// the progress lines with the total time (when any line was written).
    pub fn finish(&self) {
        match &self.mode {
            Mode::Bar(bar) => bar.finish_and_clear(),
            Mode::Lines(state) => {
                if let Ok(mut s) = state.lock() {
                    if std::mem::take(&mut s.wrote) {
                        crate::report_line(&format!(
                            "reachgraph: progress: done, elapsed {}",
                            seconds(s.start.elapsed())
                        ));
                    }
                }
            }
        }
    }

    /// `--quiet`: the distributed summary line obeys it too.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }
}

/// The line interval from [`INTERVAL_VAR`]'s value: whole or fractional seconds, at least 0;
/// anything else (or nothing) is [`LINE_INTERVAL`].
fn interval(var: Option<&str>) -> Duration {
    var.and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
        .map_or(LINE_INTERVAL, Duration::from_secs_f64)
}

/// `12.3 s`, or `4 min 05 s` past a minute.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        let whole = s.round() as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

/// The progress line of `stage` at `done` of `total`, `elapsed` into the stage.
fn line(stage: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let stage = if stage.is_empty() { "working" } else { stage };
    if total == 0 {
        return format!(
            "reachgraph: progress: {stage}: elapsed {}",
            seconds(elapsed)
        );
    }
    let done = done.min(total);
    let share = done as f64 / total as f64;
    let eta = if done == 0 {
        "unknown".to_string()
    } else {
        seconds(elapsed.mul_f64((total - done) as f64 / done as f64))
    };
    format!(
        "reachgraph: progress: {stage}: {:.1}% ({}/{}), elapsed {}, ETA {eta}",
        100.0 * share,
        crate::render::thousands(done),
        crate::render::thousands(total),
        seconds(elapsed)
    )
}

impl Progress for Bar {
    fn update(&self, stage: &str, done: u64, total: u64) -> bool {
        match &self.mode {
            Mode::Bar(bar) => {
                if let Ok(mut s) = self.stage.lock() {
                    if *s != stage {
                        *s = stage.to_string();
                        bar.set_message(stage.to_string());
                        bar.reset();
                    }
                }
                bar.set_length(total);
                bar.set_position(done);
            }
            Mode::Lines(state) => {
                let Ok(mut s) = state.lock() else {
                    return true;
                };
                let now = Instant::now();
                if s.stage != stage {
                    s.stage = stage.to_string();
                    s.stage_start = now;
                }
                if now >= s.next {
                    s.next = now + s.interval;
                    s.wrote = true;
                    crate::report_line(&line(
                        stage,
                        done,
                        total,
                        now.duration_since(s.stage_start),
                    ));
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_gives_stage_percent_elapsed_and_eta() {
        let l = line("trials", 2_500, 10_000, Duration::from_secs(10));
        assert_eq!(
            l,
            "reachgraph: progress: trials: 25.0% (2,500/10,000), elapsed 10.0 s, ETA 30.0 s"
        );
        // Nothing done yet: no rate to extrapolate from.
        assert!(line("load", 0, 10, Duration::from_secs(1)).ends_with("ETA unknown"));
        // An unknown total: elapsed only.
        assert_eq!(
            line("load", 3, 0, Duration::from_secs(75)),
            "reachgraph: progress: load: elapsed 1 min 15 s"
        );
    }

    #[test]
    fn interval_from_the_environment() {
        assert_eq!(interval(None), LINE_INTERVAL);
        assert_eq!(interval(Some("0")), Duration::ZERO);
        assert_eq!(interval(Some(" 2.5 ")), Duration::from_millis(2500));
        for bad in ["", "-1", "NaN", "inf", "soon"] {
            assert_eq!(interval(Some(bad)), LINE_INTERVAL, "{bad:?}");
        }
    }

    #[test]
    fn line_mode_only_without_a_terminal_and_never_when_quiet() {
        assert!(matches!(
            Bar::with_terminal(false, false).mode,
            Mode::Lines(_)
        ));
        assert!(matches!(Bar::with_terminal(false, true).mode, Mode::Bar(_)));
        assert!(matches!(Bar::with_terminal(true, false).mode, Mode::Bar(_)));
    }
}
