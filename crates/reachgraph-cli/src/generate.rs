//! `reachgraph generate`: a generated campaign population written as files (not a request).

use crate::progress::Bar;
use reachgraph_api::load::GraphSpec;
use reachgraph_api::load::ScenarioSpec;
use reachgraph_api::ApiError;
use reachgraph_core::output::{check_output_path, AtomicFile};
use reachgraph_core::scenario::Scenario;
use reachgraph_core::WeightScheme;
use std::io::Write;
use std::path::Path;

/// Writes the population as an edge list at `out`, its attributes (tier filled in for every
/// account) at `OUT.attrs.csv`, its creator accounts at `OUT.creators.csv` and their prices at
/// `OUT.costs.csv` (`id,cost`, as `pick --costs` and `select --costs` read it); says what it
/// wrote, with the account count the edge list's header gives.
///
/// Every file is written whole or not at all: a killed or failed run leaves the files that
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
    let creators_path = format!("{out}.creators.csv");
    let costs_path = format!("{out}.costs.csv");
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
    fill_tiers(&mut sc)?;
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
    let mut creators_file =
        AtomicFile::create(&creators_path).map_err(|e| io_err(&creators_path, e))?;
    let mut costs_file = AtomicFile::create(&costs_path).map_err(|e| io_err(&costs_path, e))?;
    let (listed, priced) = write_creators(&sc, &mut creators_file, &mut costs_file)
        .map_err(|e| io_err(&format!("{creators_path} or {costs_path}"), e))?;
    // The side files go into place first: an edge list present means the others are too.
    attrs_file.commit().map_err(|e| io_err(&attrs_path, e))?;
    creators_file
        .commit()
        .map_err(|e| io_err(&creators_path, e))?;
    costs_file.commit().map_err(|e| io_err(&costs_path, e))?;
    edge_file.commit().map_err(|e| io_err(out, e))?;
    let left_out = if isolated > 0 {
        format!(
            "; {isolated} generated accounts without edges are left out of the edge list and \
             the attributes (an edge list cannot hold them)"
        )
    } else {
        String::new()
    };
    Ok(format!(
        "wrote {out} ({} accounts, {} follow edges), {attrs_path}, {creators_path} ({listed} \
         creator accounts held by {} creators) and {costs_path} ({priced} prices, USD per \
         account-month){left_out}; each graph person stands for {} real people",
        sc.graph.node_count() - isolated,
        sc.graph.edge_count(),
        creator_people(&sc),
        crate::render::thousands(sc.scale.round() as u64)
    ))
}

/// Gives every account its tier (the one derived from its follower count when none is set), so
/// the attribute file's tier column is filled.
fn fill_tiers(sc: &mut Scenario) -> Result<(), ApiError> {
    let mut attrs = sc.graph.attributes().clone();
    for u in 0..sc.graph.node_count() as u32 {
        if attrs.tier[u as usize].is_none() {
            attrs.tier[u as usize] = Some(attrs.tier(u, &sc.graph));
        }
    }
    sc.graph.set_attributes(attrs)?;
    Ok(())
}

/// Distinct people holding the creator accounts.
fn creator_people(sc: &Scenario) -> usize {
    let of = &sc.graph.people().of_account;
    let mut p: Vec<u32> = sc.creators.iter().map(|&c| of[c as usize]).collect();
    p.sort_unstable();
    p.dedup();
    p.len()
}

/// Writes the creator list (largest stated audience first) and the costs file; returns how many
/// rows each got. Creator accounts without edges are left out, as from the edge list.
fn write_creators(
    sc: &Scenario,
    creators: impl Write,
    costs: impl Write,
) -> std::io::Result<(usize, usize)> {
    let g = &sc.graph;
    let a = g.attributes();
    let mut cw = csv::Writer::from_writer(creators);
    let mut pw = csv::Writer::from_writer(costs);
    cw.write_record([
        "id",
        "creator",
        "platform",
        "niche",
        "jurisdiction",
        "tier",
        "followers",
        "graph_followers",
        "cost",
    ])?;
    pw.write_record(["id", "cost"])?;
    let (mut listed, mut priced) = (0, 0);
    for (i, &c) in sc.creators.iter().enumerate() {
        if g.out_degree(c) + g.in_degree(c) == 0 {
            continue;
        }
        let cost = a.cost[c as usize];
        let cost_text = if cost.is_nan() {
            String::new()
        } else {
            cost.to_string()
        };
        let niche = sc
            .creator_niches
            .get(i)
            .and_then(|&n| sc.niches.get(n as usize))
            .cloned()
            .unwrap_or_default();
        cw.write_record([
            g.label(c),
            g.people().name(g.people().of_account[c as usize], g),
            a.platform.get(c).unwrap_or_default().to_string(),
            niche,
            a.jurisdiction.get(c).unwrap_or_default().to_string(),
            a.tier(c, g).name().to_string(),
            a.follower_count(c, g).to_string(),
            g.out_degree(c).to_string(),
            cost_text.clone(),
        ])?;
        listed += 1;
        if !cost.is_nan() {
            pw.write_record([g.label(c), cost_text])?;
            priced += 1;
        }
    }
    cw.flush()?;
    pw.flush()?;
    Ok((listed, priced))
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
