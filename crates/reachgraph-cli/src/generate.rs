//! `reachgraph generate`: a generated campaign population written as files (not a request).

use crate::progress::Bar;
use reachgraph_api::load::GraphSpec;
use reachgraph_api::load::ScenarioSpec;
use reachgraph_api::ApiError;
use reachgraph_core::output::{check_output_path, AtomicFile};
use reachgraph_core::WeightScheme;
use std::path::Path;

/// Writes the population as an edge list at `out` and attributes beside it; says what it wrote.
///
/// Both files are written whole or not at all: a killed or failed run leaves the files that
/// were there before (or none), never a truncated edge list that loads without complaint.
pub fn generate(
    edges: Option<usize>,
    seed: Option<u64>,
    out: &str,
    weights: Option<&str>,
    memory_limit: Option<u64>,
    bar: &Bar,
) -> Result<String, ApiError> {
    let attrs_path = format!("{out}.attrs.csv");
    // Checked before generating, so that a bad path fails at once rather than after the work.
    check_output_path(Path::new(out))
        .map_err(|e| ApiError::invalid(format!("generate --out {out:?}: {e}")))?;
    let rgraph = out.to_ascii_lowercase().ends_with(".rgraph");
    let scheme = match weights {
        Some(_) if !rgraph => return Err(ApiError::invalid(
            "generate --weights applies to a .rgraph output only (an edge list holds no scheme)",
        )),
        Some(w) => Some(w.parse::<WeightScheme>()?),
        None => None,
    };
    let spec = ScenarioSpec { edges, seed };
    let mut sc = reachgraph_core::scenario::generate(&spec.config(memory_limit)?, bar)?;
    if rgraph {
        if let Some(s) = &scheme {
            sc.graph.set_weights(s)?;
        }
        reachgraph_core::rgraph::write(&sc.graph, Path::new(out))?;
        return Ok(format!(
            "wrote {out} ({} accounts, {} edges, attributes inside)",
            sc.graph.node_count(),
            sc.graph.edge_count()
        ));
    }
    let io_err = |path: &str, e: std::io::Error| ApiError::io(format!("write {path}"), e);
    let mut edge_file = AtomicFile::create(out).map_err(|e| io_err(out, e))?;
    reachgraph_core::io::write_edge_list(&sc.graph, &mut edge_file).map_err(|e| io_err(out, e))?;
    let mut attrs_file = AtomicFile::create(&attrs_path).map_err(|e| io_err(&attrs_path, e))?;
    let isolated = reachgraph_core::io::write_edge_list_attributes(&sc.graph, &mut attrs_file)
        .map_err(|e| io_err(&attrs_path, e))?;
    // The attributes go into place first: an edge list present means its attributes are too.
    attrs_file.commit().map_err(|e| io_err(&attrs_path, e))?;
    edge_file.commit().map_err(|e| io_err(out, e))?;
    let left_out = if isolated > 0 {
        format!(
            "; {isolated} generated accounts without edges are left out of both (an edge list \
             cannot hold them)"
        )
    } else {
        String::new()
    };
    Ok(format!(
        "wrote {} ({} accounts, {} edges) and {attrs_path}{left_out}",
        out,
        sc.graph.node_count() - isolated,
        sc.graph.edge_count()
    ))
}

/// `reachgraph convert`: loads `spec` (any format the readers take, or a `.rgraph` file) and
/// writes it to `out` as a `.rgraph` file, whole or not at all.
///
/// The graph is built in memory as any command builds it (peak memory is that of loading the
/// input), then written section by section.
pub fn convert(spec: &GraphSpec, out: &str, bar: &Bar) -> Result<String, ApiError> {
    check_output_path(Path::new(out))
        .map_err(|e| ApiError::invalid(format!("convert output {out:?}: {e}")))?;
    let loaded = spec.load(bar)?;
    let g = &loaded.graph;
    reachgraph_core::rgraph::write(g, Path::new(out))?;
    let r = &loaded.report;
    Ok(format!(
        "wrote {out} ({} accounts, {} edges; {} records read, {} self-loops dropped, {} duplicates merged; weights {:?})",
        g.node_count(),
        g.edge_count(),
        r.records,
        r.self_loops_dropped,
        r.duplicates_merged,
        g.weight_scheme()
    ))
}
