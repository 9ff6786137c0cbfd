//! `reachgraph`: the command-line tool. JSON goes to stdout, progress and errors to stderr.
//!
//! Exit status: 0 on success, 2 on any error (including a failed write to stdout, such as a
//! full disk), and 141 (128 + SIGPIPE, what a shell reports for a process ended by a closed
//! pipe) without a message when the reader of stdout went away (`reachgraph … | head`): the
//! output was cut short, so not 0, yet nothing went wrong that the user must be told about.
//!
//! - [`args`]: the flags, as clap parses them;
//! - [`request`]: flags → the API's [`reachgraph_api::Request`];
//! - [`render`] and [`plot`]: a response as text tables and SVG charts;
//! - [`csv_table`]: a response's table as CSV (`--csv`);
//! - [`progress`]: the bar on stderr, or progress lines when stderr is not a terminal;
//! - [`launch`]: `--distributed`, on the ranks of an MPI job;
//! - [`generate`]: `reachgraph generate`, which writes files rather than answer a request.

mod args;
mod csv_table;
mod generate;
mod launch;
mod plan;
mod plot;
mod progress;
mod render;
mod request;

use args::{Cli, Command};
use clap::Parser;
use progress::Bar;
use reachgraph_api::{run, ApiError, Response};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    let bar = Bar::new(cli.quiet);
    let limit = cli
        .memory_limit
        .as_deref()
        .map(|m| reachgraph_core::limits::parse_memory_size("memory_limit", m))
        .transpose()
        .map_err(|e| CliError::Api(e.into()));
    match limit.and_then(|limit| answer(cli.command, limit, cli.csv, &bar)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BrokenPipe) => {
            bar.finish();
            ExitCode::from(BROKEN_PIPE_STATUS)
        }
        Err(e) => {
            bar.finish();
            if !e.reported() {
                report_line(&format!("reachgraph: error: {e}"));
            }
            ExitCode::from(2)
        }
    }
}

/// Prints a usage error, `--help` or `--version` as clap would, but a failed write to stdout
/// is an error here too (clap's own `exit` ignores it).
fn usage(e: &clap::Error) -> ExitCode {
    let printed = e.print().and_then(|()| std::io::stdout().lock().flush());
    if e.use_stderr() {
        return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    }
    match printed {
        Ok(()) => ExitCode::from(e.exit_code().clamp(0, 255) as u8),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(BROKEN_PIPE_STATUS)
        }
        Err(err) => {
            report_line(&format!(
                "reachgraph: error: cannot write the help to stdout: {err}"
            ));
            ExitCode::from(2)
        }
    }
}

/// The exit status when stdout's reader has gone away: a shell's status for a process ended by
/// SIGPIPE (Rust ignores the signal, so the write fails with `BrokenPipe` instead).
const BROKEN_PIPE_STATUS: u8 = 128 + 13;

/// Writes one line to stderr in a single write, so the reports of MPI ranks that fail
/// together reach mpirun's merged stream whole instead of interleaved piece by piece
/// (`eprintln!` writes each formatted piece separately).
pub(crate) fn report_line(line: &str) {
    use std::io::Write;
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    // Nothing is left to tell the user if stderr itself fails.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Plot(#[from] plot::PlotError),
    /// Stdout's reader closed the pipe before the answer was written.
    #[error("stdout was closed")]
    BrokenPipe,
    /// A rank of a distributed run has printed its error already.
    #[cfg(feature = "mpi")]
    #[error("reported")]
    Reported,
}

impl CliError {
    /// Whether this was printed already, by the rank of a distributed run that met it.
    fn reported(&self) -> bool {
        #[cfg(feature = "mpi")]
        if matches!(self, CliError::Reported) {
            return true;
        }
        false
    }
}

/// Runs one command and prints its answer.
fn answer(
    command: Command,
    memory_limit: Option<u64>,
    csv: bool,
    bar: &Bar,
) -> Result<(), CliError> {
    if csv && matches!(command, Command::Generate { .. }) {
        return Err(ApiError::invalid("--csv: `generate` writes files and prints no table").into());
    }
    if csv && matches!(command, Command::Convert { .. }) {
        return Err(ApiError::invalid("--csv: `convert` writes a file and prints no table").into());
    }
    if let Command::Plan(p) = &command {
        if let Some(dir) = &p.materialize {
            if csv {
                return Err(ApiError::invalid(
                    "--csv: `plan --materialize` writes files and prints no table",
                )
                .into());
            }
            let msg = plan::materialize(&plan::MaterializeArgs {
                creators: &p.creators,
                audience: p.audience.as_deref(),
                overlaps: p.overlaps.as_deref(),
                population: p.population,
                population_counts: match p.population_counts.as_deref() {
                    Some("everyone") => reachgraph_core::plan::PopulationKind::Everyone,
                    _ => reachgraph_core::plan::PopulationKind::Users,
                },
                ensemble: p.ensemble.unwrap_or(1),
                seed: p.seed,
                scale: p.scale,
                independence: p.independence,
                dir,
            })?;
            bar.finish();
            report_line(&msg);
            return Ok(());
        }
    }
    if let Command::Convert {
        input,
        output,
        undirected,
        format,
        attributes,
        duplicates,
        weights,
        memory,
    } = command
    {
        let memory = memory
            .map(|m| reachgraph_core::limits::parse_memory_size("memory", &m))
            .transpose()
            .map_err(ApiError::from)?;
        let spec = reachgraph_api::load::GraphSpec {
            path: Some(input),
            format: format.as_deref().map(|f| match f {
                "csv" => reachgraph_core::EdgeFormat::Csv,
                _ => reachgraph_core::EdgeFormat::EdgeList,
            }),
            undirected,
            duplicates: duplicates.parse().map_err(ApiError::from)?,
            attributes,
            weights,
            ..Default::default()
        };
        let msg = generate::convert(&spec, &output, memory, bar)?;
        bar.finish();
        report_line(&msg);
        return Ok(());
    }
    if let Command::Generate {
        edges,
        seed,
        out,
        weights,
        memory,
    } = command
    {
        let memory = memory
            .map(|m| reachgraph_core::limits::parse_memory_size("memory", &m))
            .transpose()
            .map_err(ApiError::from)?;
        let msg = generate::generate(
            edges,
            seed,
            &out,
            weights.as_deref(),
            memory_limit,
            memory,
            bar,
        )?;
        bar.finish();
        report_line(&msg);
        return Ok(());
    }
    let (plot_dir, rows, table) = match &command {
        Command::Margin(m) => (m.plot.clone(), m.rows, m.table.clone()),
        _ => (None, 15, None),
    };
    if table.is_some() && !csv {
        return Err(ApiError::invalid(
            "--table chooses the table --csv prints; give --csv too (the text output shows both)",
        )
        .into());
    }
    let distributed = match &command {
        Command::Select { distributed, .. } | Command::Spread { distributed, .. } => *distributed,
        Command::Margin(m) => m.distributed,
        _ => false,
    };
    if let Some(dir) = &plot_dir {
        plot::check_dir(std::path::Path::new(dir))?;
    }
    let is_run = matches!(command, Command::Run { .. });
    let (mut req, json) = request::request_of(command)?;
    let json = json && !(csv && is_run);
    if csv && json {
        return Err(ApiError::invalid("--csv and --json: choose one").into());
    }
    if let Some(limit) = memory_limit {
        request::set_memory_limit(&mut req, limit)?;
    }
    let resp: Response = if distributed {
        match launch::run_mpi(&req, bar)? {
            Some(resp) => resp,
            // Rank 0 alone writes the result.
            None => return Ok(()),
        }
    } else {
        run(&req, bar)?
    };
    bar.finish();
    if let (Some(dir), Response::Margin(m)) = (&plot_dir, &resp) {
        for path in plot::write_charts(&m.body, std::path::Path::new(dir))? {
            report_line(&format!("wrote {path}"));
        }
    }
    let text = if csv {
        match (&resp, table.as_deref()) {
            (Response::Margin(m), Some("cost-curve")) => csv_table::margin_cost_curve(&m.body),
            _ => csv_table::render(&resp)?,
        }
    } else if json {
        serde_json::to_string_pretty(&resp).expect("responses serialize") + "\n"
    } else if let Response::Margin(m) = &resp {
        render::margin(&m.body, rows)
    } else {
        render::render(&resp)
    };
    print(&text)
}

/// Writes the answer to stdout; a failed write is an error (a full disk must not pass for an
/// answer), a closed pipe a quiet [`CliError::BrokenPipe`].
fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(CliError::BrokenPipe),
        Err(e) => Err(ApiError::io("write the answer to stdout", e).into()),
    }
}
