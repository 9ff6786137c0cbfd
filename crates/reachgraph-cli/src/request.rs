//! Parsed arguments → the [`Request`] the API answers, and whether to print it as JSON.

use crate::args::{CascadeArgs, Command, GraphArgs, MarginArgs, SketchCommand};
use reachgraph_api::load::{GraphSpec, IdList};
use reachgraph_api::margin::{MarginRequest, VotersPerPerson};
use reachgraph_api::{
    parse_request, sketch, ApiError, BudgetPickRequest, CompareRequest, DemoRequest,
    EvaluateRequest, LadderRequest, OverlapRequest, ReachRequest, Request, SelectRequest,
    SpreadRequest,
};
use reachgraph_core::cascade::Model;
use reachgraph_core::io::EdgeFormat;
use reachgraph_core::limits;
use reachgraph_core::margin::{Mapping, Prior};
use reachgraph_core::select::{Algorithm, Mode};

fn prior(flag: &str, v: &Option<String>) -> Result<Option<Prior>, ApiError> {
    let Some(t) = v else { return Ok(None) };
    let (m, sd) = match t.split_once(':') {
        Some((m, sd)) => (m, sd),
        None => (t.as_str(), "0"),
    };
    match (m.trim().parse::<f64>(), sd.trim().parse::<f64>()) {
        (Ok(mean), Ok(sd)) => Ok(Some(Prior { mean, sd })),
        _ => Err(ApiError::invalid(format!(
            "--{flag} {:?}: expected MEAN or MEAN:SD, e.g. 0.002:0.001",
            reachgraph_core::error::echo(t)
        ))),
    }
}

impl MarginArgs {
    /// The margin request these flags describe.
    fn request(&self) -> Result<MarginRequest, ApiError> {
        let graph = self.graph.as_ref().map(|g| GraphSpec {
            path: Some(g.clone()),
            undirected: self.undirected,
            attributes: self.attributes.clone(),
            weights: self.weights.clone(),
            ..Default::default()
        });
        if graph.is_none()
            && (self.attributes.is_some() || self.weights.is_some() || self.undirected)
        {
            return Err(ApiError::invalid(
                "--attributes, --weights and --undirected describe --graph; give --graph too",
            ));
        }
        let voters_per_person = self.voters_per_person.as_ref().map(|v| match v.parse() {
            Ok(x) => VotersPerPerson::Global(x),
            Err(_) => VotersPerPerson::Named(v.clone()),
        });
        let list = |f: &Option<String>| f.clone().map(|file| IdList::File { file });
        Ok(MarginRequest {
            electorate: self.electorate.clone(),
            side: Some(self.side.clone()),
            graph,
            seeds: list(&self.seeds),
            exposure: Some(self.exposure.clone()),
            hops: self.hops,
            posts_per_creator: self.posts,
            cost: self.cost,
            voters_per_person,
            mapping: match self.mapping.as_deref() {
                Some("attribute") => Some(Mapping::Attribute),
                Some("drawn") => Some(Mapping::Drawn),
                Some(_) => Some(Mapping::Auto),
                None => None,
            },
            persuasion: prior("persuasion", &self.persuasion)?,
            mobilization: prior("mobilization", &self.mobilization)?,
            backlash: prior("backlash", &self.backlash)?,
            saturation: self.saturation,
            baseline_error: self.baseline_error,
            national_share: self.national_share,
            state_correlation: self.state_correlation,
            correlation_matrix: self.correlation_matrix.clone(),
            draws: self.draws,
            seed: self.seed,
            threads: self.threads,
            exposure_trials: self.exposure_trials,
            memory_limit_bytes: None,
            sensitivity: self.sensitivity,
            budgets: self.budgets.clone(),
            candidates: list(&self.candidates),
            swing_margin: self.swing_margin,
            tipping_share: self.tipping_share,
            targets: (!self.targets.is_empty()).then(|| self.targets.clone()),
            creators: self.creators.clone(),
            audience: self.audience.clone(),
            overlaps: self.overlaps.clone(),
            ensemble: self.ensemble,
            scale: self.scale,
            // per person through the --attributes columns lean, turnout, eligible,
            // effect_multiplier
            lean: None,
            turnout: None,
            eligible: None,
            effect_multiplier: None,
        })
    }
}

impl CascadeArgs {
    /// The graph spec with the weights set, and the parsed model.
    fn resolve(self) -> Result<(GraphSpec, Model), ApiError> {
        let mut spec = self.graph.spec();
        spec.weights = Some(self.weights);
        let model = self.model.parse().map_err(ApiError::from)?;
        Ok((spec, model))
    }
}

impl GraphArgs {
    fn spec(&self) -> GraphSpec {
        GraphSpec {
            path: Some(self.graph.clone()),
            format: self.format.as_deref().map(|f| match f {
                "csv" => EdgeFormat::Csv,
                _ => EdgeFormat::EdgeList,
            }),
            undirected: self.undirected,
            // clap admits only the spellings `DuplicatePolicy` parses.
            duplicates: self.duplicates.parse().unwrap_or_default(),
            attributes: self.attributes.clone(),
            ..Default::default()
        }
    }
}

/// The request a command asks for, and whether to print its answer as JSON.
pub fn request_of(command: Command) -> Result<(Request, bool), ApiError> {
    let list = |f: String| IdList::File { file: f };
    Ok(match command {
        Command::Demo {
            json,
            seed,
            budget,
            creators,
            price_per_creator,
        } => (
            Request::Demo(DemoRequest {
                seed,
                budget,
                creators,
                price_per_creator,
                ..DemoRequest::DEFAULT
            }),
            json,
        ),
        Command::Reach {
            graph,
            seeds,
            include_seeds,
            target_only,
            posts_per_seed,
            json,
        } => (
            Request::Reach(ReachRequest {
                graph: graph.spec(),
                seeds: list(seeds),
                include_seeds,
                target_only,
                posts_per_seed,
            }),
            json,
        ),
        Command::Overlap {
            graph,
            accounts,
            min_jaccard,
            json,
        } => (
            Request::Overlap(OverlapRequest {
                graph: graph.spec(),
                accounts: list(accounts),
                min_jaccard,
            }),
            json,
        ),
        Command::Ladder {
            graph,
            k,
            candidates,
            target_only,
            json,
        } => (
            Request::Ladder(LadderRequest {
                graph: graph.spec(),
                k,
                candidates: candidates.map(list),
                include_seeds: false,
                target_only,
            }),
            json,
        ),
        Command::Pick {
            graph,
            budget,
            costs,
            candidates,
            target_only,
            json,
        } => {
            let mut spec = graph.spec();
            if let Some(c) = costs {
                if spec.attributes.is_some() {
                    return Err(ApiError::invalid(
                        "give costs either with --costs or in --attributes, not both",
                    ));
                }
                spec.attributes = Some(c);
            }
            (
                Request::BudgetPick(BudgetPickRequest {
                    graph: spec,
                    budget,
                    candidates: candidates.map(list),
                    include_seeds: false,
                    target_only,
                }),
                json,
            )
        }
        Command::Spread {
            cascade,
            seeds,
            trials,
            seed,
            threads,
            hops,
            target_rse,
            node_probabilities,
            histogram,
            checkpoint,
            distributed: _,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            (
                Request::Spread(SpreadRequest {
                    graph: spec,
                    seeds: list(seeds),
                    model,
                    trials,
                    seed,
                    threads,
                    hops,
                    target_rse,
                    node_probabilities,
                    histogram,
                    checkpoint,
                }),
                json,
            )
        }
        Command::Select {
            cascade,
            k,
            budget,
            costs,
            target,
            candidates,
            epsilon,
            delta,
            mode,
            algorithm,
            tolerance,
            seed,
            threads,
            hops,
            max_rr_sets,
            time_limit,
            runs,
            distributed: _,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            if budget.is_some() && costs.is_none() && spec.attributes.is_none() {
                return Err(ApiError::invalid(
                    "--budget needs account costs: give --costs PATH (a CSV id,cost)",
                ));
            }
            (
                Request::Select(SelectRequest {
                    graph: spec,
                    model,
                    k,
                    budget,
                    costs,
                    target: target.map(list),
                    objective: None,
                    candidates: candidates.map(list),
                    epsilon,
                    delta,
                    mode: if mode == "quality" {
                        Mode::Quality
                    } else {
                        Mode::Guarantee
                    },
                    algorithm: match algorithm.as_str() {
                        "imm" => Algorithm::Imm,
                        "degree" => Algorithm::Degree,
                        "degree-discount" => Algorithm::DegreeDiscount,
                        "pagerank" => Algorithm::PageRank,
                        "random" => Algorithm::Random,
                        _ => Algorithm::OpimC,
                    },
                    seed,
                    threads,
                    hops,
                    tolerance,
                    max_rr_sets,
                    time_limit_s: time_limit,
                    memory_limit_bytes: None,
                    runs,
                }),
                json,
            )
        }
        Command::Evaluate {
            cascade,
            seeds,
            target,
            rr_sets,
            seed,
            threads,
            hops,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            (
                Request::Evaluate(EvaluateRequest {
                    graph: spec,
                    model,
                    seeds: list(seeds),
                    target: target.map(list),
                    objective: None,
                    rr_sets,
                    seed,
                    threads,
                    hops,
                    memory_limit_bytes: None,
                }),
                json,
            )
        }
        Command::Compare {
            cascade,
            seeds,
            target,
            samples,
            relative_stderr,
            max_samples,
            seed,
            threads,
            hops,
            json,
        } => {
            if seeds.len() < 2 {
                return Err(ApiError::invalid(format!(
                    "compare needs at least two seed files (--seeds A.txt --seeds B.txt); got {}",
                    seeds.len()
                )));
            }
            let (spec, model) = cascade.resolve()?;
            (
                Request::Compare(CompareRequest {
                    graph: spec,
                    model,
                    seed_sets: seeds.into_iter().map(list).collect(),
                    labels: None,
                    target: target.map(list),
                    objective: None,
                    rr_sets: samples,
                    max_rr_sets: max_samples,
                    relative_stderr,
                    seed,
                    threads,
                    hops,
                    memory_limit_bytes: None,
                }),
                json,
            )
        }
        Command::Run { request } => {
            let text = if request == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .map_err(|e| ApiError::io("read the request from stdin", e))?;
                s
            } else {
                std::fs::read_to_string(&request)
                    .map_err(|e| ApiError::io(format!("read {request}"), e))?
            };
            (parse_request(&text)?, true)
        }
        Command::Sketch { command } => sketch_request(command)?,
        Command::Margin(m) => (Request::Margin(Box::new(m.request()?)), m.json),
        Command::Report(r) => (Request::Report(Box::new(r.request()?)), r.json),
        Command::Generate { .. } | Command::Convert { .. } => {
            return Err(ApiError::invalid(
                "generate and convert write files; they are not requests",
            ))
        }
        Command::Plan(p) => {
            if p.materialize.is_some() {
                return Err(ApiError::invalid(
                    "plan --materialize writes files; it is not a request",
                ));
            }
            (Request::Plan(Box::new(p.request())), p.json)
        }
    })
}

/// Sets `--memory-limit` on a request that sizes memory by it, unless the request (a JSON
/// file) sets its own; an error for the others, so the flag is never dropped silently.
pub fn set_memory_limit(req: &mut Request, limit: u64) -> Result<(), ApiError> {
    let slot = match req {
        Request::Select(r) => &mut r.memory_limit_bytes,
        Request::Evaluate(r) => &mut r.memory_limit_bytes,
        Request::Compare(r) => &mut r.memory_limit_bytes,
        Request::SketchStream(r) => &mut r.memory_limit_bytes,
        Request::SketchBuild(r) => &mut r.memory_limit_bytes,
        Request::Margin(r) => &mut r.memory_limit_bytes,
        _ => {
            return Err(ApiError::invalid(
                "--memory-limit applies to select, evaluate, compare, margin, sketch build, sketch stream and                  generate; this command does not use it",
            ))
        }
    };
    slot.get_or_insert(limit);
    Ok(())
}

fn sketch_request(command: SketchCommand) -> Result<(Request, bool), ApiError> {
    let list = |f: String| IdList::File { file: f };
    Ok(match command {
        SketchCommand::Build {
            graph,
            out,
            lg_k,
            seed,
            accounts,
            json,
        } => (
            Request::SketchBuild(sketch::SketchBuildRequest {
                graph: graph.spec(),
                out,
                lg_k,
                seed,
                accounts: accounts.map(list),
                memory_limit_bytes: None,
            }),
            json,
        ),
        SketchCommand::Reach {
            sketches,
            accounts,
            confidence,
            json,
        } => (
            Request::SketchReach(sketch::SketchReachRequest {
                sketches,
                accounts: list(accounts),
                confidence,
            }),
            json,
        ),
        SketchCommand::Overlap {
            sketches,
            accounts,
            confidence,
            json,
        } => (
            Request::SketchOverlap(sketch::SketchOverlapRequest {
                sketches,
                accounts: list(accounts),
                confidence,
            }),
            json,
        ),
        SketchCommand::Ladder {
            sketches,
            k,
            candidates,
            confidence,
            json,
        } => (
            Request::SketchLadder(sketch::SketchLadderRequest {
                sketches,
                k,
                candidates: candidates.map(list),
                confidence,
            }),
            json,
        ),
        SketchCommand::Stream {
            pairs,
            out,
            lg_k,
            seed,
            chunk_mb,
            json,
        } => (
            Request::SketchStream(sketch::SketchStreamRequest {
                pairs,
                out,
                lg_k,
                seed,
                chunk_bytes: chunk_mb
                    .map(|m| {
                        // Checked as the user spelled it, before it becomes bytes.
                        limits::check_range(
                            "chunk_mb",
                            m as u64,
                            1,
                            limits::MAX_CHUNK_BYTES >> 20,
                        )?;
                        Ok::<_, ApiError>(m << 20)
                    })
                    .transpose()?,
                memory_limit_bytes: None,
            }),
            json,
        ),
        SketchCommand::Pick {
            sketches,
            costs,
            budget,
            candidates,
            confidence,
            json,
        } => (
            Request::SketchPick(sketch::SketchPickRequest {
                sketches,
                costs: sketch::CostList::File { file: costs },
                budget,
                candidates: candidates.map(list),
                confidence,
            }),
            json,
        ),
        SketchCommand::Merge { out, inputs, json } => (
            Request::SketchMerge(sketch::SketchMergeRequest { inputs, out }),
            json,
        ),
        SketchCommand::Check {
            graph,
            accounts,
            lg_k,
            confidence,
            json,
        } => (
            Request::SketchCheck(sketch::SketchCheckRequest {
                graph: graph.spec(),
                accounts: list(accounts),
                lg_k,
                seed: None,
                confidence,
            }),
            json,
        ),
        SketchCommand::Error {
            lg_k,
            set_size,
            confidence,
            json,
        } => (
            Request::SketchError(sketch::SketchErrorRequest {
                lg_k,
                set_size,
                confidence,
            }),
            json,
        ),
    })
}

impl crate::args::ReportArgs {
    /// The report request these flags describe. `--target`: `swing`, an existing file (with
    /// --creators) or a comma-separated list of jurisdiction ids.
    ///
    /// The flags of the other audience source are refused (the table flags by the API, which
    /// names them; the graph's here), so that none is silently ignored.
    fn request(&self) -> Result<reachgraph_api::report::ReportRequest, ApiError> {
        let creators = self.table.creators.is_some();
        if self.graph.is_none() {
            for (flag, given) in [
                ("--attributes", self.attributes.is_some()),
                ("--undirected", self.undirected),
            ] {
                if given {
                    return Err(ApiError::invalid(format!(
                        "{flag} applies to a follower graph (--graph), not to a creators table"
                    )));
                }
            }
        }
        let (target, targets) = match self.target.as_deref() {
            None => (None, Vec::new()),
            Some("swing") => (Some("swing".to_string()), Vec::new()),
            Some(t) if creators && std::path::Path::new(t).is_file() => {
                (Some(t.to_string()), Vec::new())
            }
            Some(t) => (
                None,
                t.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect(),
            ),
        };
        Ok(reachgraph_api::report::ReportRequest {
            posts: Some(self.posts.clone()),
            posts_csv: None,
            graph: self.graph.as_ref().map(|g| GraphSpec {
                path: Some(g.clone()),
                undirected: self.undirected,
                attributes: self.attributes.clone(),
                ..Default::default()
            }),
            creators: self.table.creators.clone(),
            creators_csv: None,
            audience: self.table.audience.clone(),
            audience_csv: None,
            overlaps: self.table.overlaps.clone(),
            overlaps_csv: None,
            population: self.population,
            population_counts: self.table.population_counts.as_deref().map(population_kind),
            target,
            tipping_share: self.tipping_share,
            lift: self.lift.clone(),
            lift_csv: None,
            targets,
            persuasion: prior("persuasion", &self.persuasion)?,
            mobilization: prior("mobilization", &self.mobilization)?,
            draws: self.draws,
            seed: self.seed,
            write_creators: self.write_creators.clone(),
            write_prior: self.write_prior.clone(),
        })
    }
}

impl crate::args::PlanArgs {
    /// The plan request these flags describe (without --materialize).
    fn request(&self) -> reachgraph_api::plan::PlanRequest {
        reachgraph_api::plan::PlanRequest {
            creators: Some(self.creators.clone()),
            audience: self.audience.clone(),
            overlaps: self.overlaps.clone(),
            accounts: self
                .accounts
                .clone()
                .map(|file| reachgraph_api::load::IdList::File { file }),
            population: self.population,
            population_counts: self.population_counts.as_deref().map(population_kind),
            budget: self.budget,
            target: self.target.clone(),
            tipping_share: self.tipping_share,
            draws: self.draws,
            seed: self.seed,
            independence: self.independence,
            ensemble: self.ensemble,
            scale: self.scale,
            ..Default::default()
        }
    }
}

/// `--population-counts` of `plan` and `report` (clap has checked it is `users` or `everyone`).
fn population_kind(s: &str) -> reachgraph_core::plan::PopulationKind {
    if s == "everyone" {
        reachgraph_core::plan::PopulationKind::Everyone
    } else {
        reachgraph_core::plan::PopulationKind::Users
    }
}
