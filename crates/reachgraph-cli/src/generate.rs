//! `reachgraph generate`: a generated campaign population written as files (not a request).

use crate::progress::Bar;
use reachgraph_api::load::GraphSpec;
use reachgraph_api::load::ScenarioSpec;
use reachgraph_api::ApiError;
use reachgraph_core::output::{check_output_path, AtomicFile};
use reachgraph_core::progress::Progress;
use reachgraph_core::rgraph_build::{StreamOptions, DEFAULT_MEMORY};
use reachgraph_core::scenario::{Scenario, ScenarioConfig};
use reachgraph_core::WeightScheme;
use std::io::Write;
use std::path::Path;

/// Bytes per edge a streamed `generate --out X.rgraph` holds beyond the edge budget: the
/// person and account columns of the generator (about 30 B per account, 7.5 edges per
/// account) and the writer's offsets (8 B per account), rounded up.
const STREAM_BYTES_PER_EDGE: u64 = 6;

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
    memory: Option<u64>,
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
    // A `.rgraph` output streams its edges to the file (bounded memory) unless the scheme
    // needs the whole graph (trivalency, tier rates: built in memory as before).
    let streamable = matches!(
        scheme,
        None | Some(WeightScheme::WeightedCascade) | Some(WeightScheme::Constant { .. })
    );
    if rgraph && streamable {
        let budget = memory.unwrap_or(DEFAULT_MEMORY as u64);
        let config = match edges {
            Some(e) => {
                reachgraph_core::limits::check_memory(
                    format!("edges = {e} (streamed to {out})"),
                    (e as u64)
                        .saturating_mul(STREAM_BYTES_PER_EDGE)
                        .saturating_add(budget),
                    memory_limit,
                )?;
                ScenarioConfig::with_edges(e, seed.unwrap_or(ScenarioConfig::demo().seed))
            }
            None => spec.config(memory_limit)?,
        };
        let options = StreamOptions {
            memory: usize::try_from(budget).unwrap_or(usize::MAX),
            ..StreamOptions::default()
        };
        let scheme = scheme.unwrap_or(WeightScheme::Constant { p: 1.0 });
        let done = reachgraph_core::scenario::generate_rgraph(
            &config,
            &scheme,
            Path::new(out),
            options,
            bar,
        )?;
        return Ok(format!(
            "wrote {out} ({} accounts, {} edges, attributes inside)",
            done.accounts, done.edges
        ));
    }
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
        if attrs.tier.get(u as usize).is_none() {
            let t = attrs.tier(u, &sc.graph);
            attrs.tier.set(u as usize, Some(t));
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

/// `reachgraph convert`: writes `spec` (any format the readers take, or a `.rgraph` file) to
/// `out` as a `.rgraph` file, whole or not at all.
///
/// A whitespace edge list (integer or text ids) is streamed to the file in bounded memory
/// (`memory` bytes of edge buffers, 2 GiB by default, beside the ids; see `reachgraph_core::io::
/// convert_edge_list`). Other inputs (CSV, `duplicates = error`, an integer id beyond 64 bits
/// among integer ids, the trivalency and tier schemes) are built in memory as any command
/// builds them, then written.
pub fn convert(
    spec: &GraphSpec,
    out: &str,
    memory: Option<u64>,
    bar: &Bar,
) -> Result<String, ApiError> {
    check_output_path(Path::new(out))
        .map_err(|e| ApiError::invalid(format!("convert output {out:?}: {e}")))?;
    let streamable_path = spec.path.as_deref().filter(|p| {
        !reachgraph_core::rgraph::is_rgraph_file(Path::new(p)).unwrap_or(false)
            && spec
                .format
                .unwrap_or_else(|| reachgraph_core::EdgeFormat::from_path(p))
                == reachgraph_core::EdgeFormat::EdgeList
    });
    if let Some(path) = streamable_path {
        let weights = spec
            .weights
            .as_deref()
            .map(str::parse::<WeightScheme>)
            .transpose()?;
        let file =
            std::fs::File::open(path).map_err(|e| ApiError::io(format!("open {path}"), e))?;
        let options = StreamOptions {
            memory: usize::try_from(memory.unwrap_or(DEFAULT_MEMORY as u64)).unwrap_or(usize::MAX),
            ..StreamOptions::default()
        };
        let graph = reachgraph_core::GraphOptions {
            undirected: spec.undirected,
            duplicates: spec.duplicates,
        };
        let _ = bar.update("converting (streamed)", 0, 1);
        let done = reachgraph_core::io::convert_edge_list(
            file,
            path,
            graph,
            spec.attributes.as_deref(),
            weights.as_ref(),
            Path::new(out),
            options,
        )?;
        if let reachgraph_core::io::Streamed::Written(r, scheme) = done {
            let _ = bar.update("converting (streamed)", 1, 1);
            return Ok(convert_message(out, &r, &scheme));
        }
    }
    let loaded = spec.load(bar)?;
    let g = &loaded.graph;
    reachgraph_core::rgraph::write(g, Path::new(out))?;
    let mut r = loaded.report.clone();
    r.nodes = g.node_count();
    r.edges = g.edge_count();
    Ok(convert_message(out, &r, g.weight_scheme()))
}

fn convert_message(
    out: &str,
    r: &reachgraph_core::graph::BuildReport,
    scheme: &WeightScheme,
) -> String {
    format!(
        "wrote {out} ({} accounts, {} edges; {} records read, {} self-loops dropped, {} duplicates merged; weights {:?})",
        r.nodes, r.edges, r.records, r.self_loops_dropped, r.duplicates_merged, scheme
    )
}
