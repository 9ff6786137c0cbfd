//! `reachgraph generate`: a generated campaign population written as files (not a request).

use crate::progress::Bar;
use reachgraph_api::load::ScenarioSpec;
use reachgraph_api::ApiError;

/// Writes the population as an edge list at `out` and attributes beside it; says what it wrote.
pub fn generate(
    edges: Option<usize>,
    seed: Option<u64>,
    out: &str,
    memory_limit: Option<u64>,
    bar: &Bar,
) -> Result<String, ApiError> {
    let spec = ScenarioSpec { edges, seed };
    let sc = reachgraph_core::scenario::generate(&spec.config(memory_limit)?, bar)?;
    let io_err = |path: &str, e: std::io::Error| ApiError::io(format!("write {path}"), e);
    let attrs_path = format!("{out}.attrs.csv");
    let f = std::fs::File::create(out).map_err(|e| io_err(out, e))?;
    reachgraph_core::io::write_edge_list(&sc.graph, std::io::BufWriter::new(f))
        .map_err(|e| io_err(out, e))?;
    let f = std::fs::File::create(&attrs_path).map_err(|e| io_err(&attrs_path, e))?;
    let isolated =
        reachgraph_core::io::write_edge_list_attributes(&sc.graph, std::io::BufWriter::new(f))
            .map_err(|e| io_err(&attrs_path, e))?;
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
