//! Where a request's graph and id lists come from: files, inline text, or a generated scenario.

use crate::{ApiError, Result};
use reachgraph_core::io::{self, EdgeFormat};
use reachgraph_core::scenario::{self, ScenarioConfig};
use reachgraph_core::{BuildReport, DuplicatePolicy, Graph, GraphOptions, NodeKey, Progress};
use serde::{Deserialize, Serialize};
use std::fs::File;

/// A graph to load: exactly one of `path`, `inline` or `scenario`, plus options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphSpec {
    /// An edge file (edge list or CSV, gzip detected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The edge list itself, as text (small graphs, tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<String>,
    /// A generated campaign population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioSpec>,
    /// File format; by default `.csv`/`.csv.gz` is CSV, anything else an edge list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<EdgeFormat>,
    /// Add both directions of every edge.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undirected: bool,
    /// How duplicate edges are merged (default: keep one, largest probability).
    #[serde(default, skip_serializing_if = "is_default_policy")]
    pub duplicates: DuplicatePolicy,
    /// A node-attribute CSV keyed by account id (platform, person, jurisdiction, cost, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
    /// Edge-probability scheme: `given`, `wc`, `const:P`, `trivalency[:SEED]`, `tier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_default_policy(p: &DuplicatePolicy) -> bool {
    *p == DuplicatePolicy::default()
}

/// A generated scenario: the demo preset, or a size in edges, with a seed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Approximate number of follow edges (the demo preset when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edges: Option<usize>,
    /// Generator seed (the preset's when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl ScenarioSpec {
    /// The generator configuration this spec stands for.
    ///
    /// # Errors
    /// [`ApiError`] wrapping [`reachgraph_core::Error::MemoryLimit`] when generating `edges`
    /// edges would not fit `memory_limit` (`None`: the default limit).
    pub fn config(&self, memory_limit: Option<u64>) -> Result<ScenarioConfig> {
        let demo = ScenarioConfig::demo();
        Ok(match self.edges {
            Some(e) => {
                reachgraph_core::limits::check_memory(
                    format!("edges = {e}"),
                    reachgraph_core::limits::bytes_of(
                        e as u64,
                        reachgraph_core::limits::SCENARIO_BYTES_PER_EDGE,
                    ),
                    memory_limit,
                )?;
                ScenarioConfig::with_edges(e, self.seed.unwrap_or(demo.seed))
            }
            None => {
                let mut c = demo;
                if let Some(s) = self.seed {
                    c.seed = s;
                }
                c
            }
        })
    }
}

/// A loaded graph and what loading did.
#[derive(Debug, Clone)]
pub struct LoadedGraph {
    /// The graph, with attributes and weights applied.
    pub graph: Graph,
    /// What building it did.
    pub report: BuildReport,
}

fn open(path: &str) -> Result<File> {
    File::open(path).map_err(|e| ApiError::io(format!("open {path}"), e))
}

impl GraphSpec {
    /// A spec for an edge file.
    pub fn file(path: impl Into<String>) -> Self {
        GraphSpec {
            path: Some(path.into()),
            ..Default::default()
        }
    }

    /// Loads the graph, its attributes and its weights.
    pub fn load(&self, progress: &dyn Progress) -> Result<LoadedGraph> {
        let options = GraphOptions {
            undirected: self.undirected,
            duplicates: self.duplicates,
        };
        let sources = [
            self.path.is_some(),
            self.inline.is_some(),
            self.scenario.is_some(),
        ];
        if sources.iter().filter(|&&b| b).count() != 1 {
            return Err(ApiError::invalid(
                "graph needs exactly one of \"path\", \"inline\" or \"scenario\"",
            ));
        }
        if let Some(path) = self.path.as_ref().filter(|p| is_rgraph(p)) {
            return self.load_rgraph(path, progress);
        }
        let (mut graph, report) = if let Some(path) = &self.path {
            progress.update("loading graph", 0, 1);
            let format = self.format.unwrap_or_else(|| EdgeFormat::from_path(path));
            let r = io::read_graph(open(path)?, path, format, options)?;
            progress.update("loading graph", 1, 1);
            r
        } else if let Some(text) = &self.inline {
            let format = self.format.unwrap_or_default();
            io::read_graph(text.as_bytes(), "<inline graph>", format, options)?
        } else {
            let spec = self.scenario.as_ref().expect("checked above");
            if self.undirected || self.format.is_some() {
                return Err(ApiError::invalid(
                    "\"undirected\" and \"format\" do not apply to a generated scenario",
                ));
            }
            let sc = scenario::generate(&spec.config(None)?, progress)?;
            let report = BuildReport {
                nodes: sc.graph.node_count(),
                edges: sc.graph.edge_count(),
                records: sc.graph.edge_count(),
                ..Default::default()
            };
            (sc.graph, report)
        };
        if let Some(path) = &self.attributes {
            let attrs = io::read_attributes(open(path)?, path, &graph)?;
            graph.set_attributes(attrs)?;
        }
        if let Some(w) = &self.weights {
            graph.set_weights(&w.parse()?)?;
        }
        crate::provenance::record(&graph);
        Ok(LoadedGraph { graph, report })
    }
}

/// True when `path` is a `.rgraph` file, told by its magic bytes (whatever its name). A file
/// that cannot be opened is not one here; the edge-list reader reports the open error.
fn is_rgraph(path: &str) -> bool {
    reachgraph_core::rgraph::is_rgraph_file(std::path::Path::new(path)).unwrap_or(false)
}

impl GraphSpec {
    /// Maps a `.rgraph` file: its attributes and weights come from the file unless the spec
    /// names others. Options that shape edges as they are read (`undirected`, `duplicates`,
    /// `format`) are errors: the file holds a built graph.
    fn load_rgraph(&self, path: &str, progress: &dyn Progress) -> Result<LoadedGraph> {
        if self.undirected || self.format.is_some() || self.duplicates != DuplicatePolicy::default()
        {
            return Err(ApiError::invalid(format!(
                "{path} is a .rgraph file (a built graph): \"undirected\", \"duplicates\" and \"format\" do not apply; give them to `reachgraph convert` instead"
            )));
        }
        progress.update("mapping graph", 0, 1);
        let weights = match &self.weights {
            Some(w) => Some(w.parse::<reachgraph_core::WeightScheme>()?),
            None => None,
        };
        // With an attribute file, weights wait for it (tier rates read the attributes).
        let options = reachgraph_core::rgraph::ReadOptions {
            weights: if self.attributes.is_none() {
                weights.clone()
            } else {
                None
            },
            ..Default::default()
        };
        let mut graph = reachgraph_core::rgraph::read(std::path::Path::new(path), &options)?;
        if let Some(a) = &self.attributes {
            let attrs = io::read_attributes(open(a)?, a, &graph)?;
            graph.set_attributes(attrs)?;
            if let Some(w) = &weights {
                graph.set_weights(w)?;
            }
        }
        progress.update("mapping graph", 1, 1);
        let report = BuildReport {
            nodes: graph.node_count(),
            edges: graph.edge_count(),
            records: graph.edge_count(),
            ..Default::default()
        };
        Ok(LoadedGraph { graph, report })
    }
}

/// A list of account ids: inline, or a file with one id per line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IdList {
    /// Ids given in the request.
    Inline(Vec<NodeKey>),
    /// A file with one id per line (`#` comments).
    File {
        /// Path of the file.
        file: String,
    },
}

/// Read by hand rather than as an untagged enum: an untagged enum takes `{"file": F, "fiel":
/// G}` as the file (it cannot deny unknown fields per variant), and its only error is "did not
/// match any variant", which names neither the field nor the position at fault.
impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};

        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FileRef {
            file: String,
        }

        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = IdList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of account ids or {\"file\": PATH}")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<IdList, A::Error> {
                Vec::<NodeKey>::deserialize(SeqAccessDeserializer::new(seq)).map(IdList::Inline)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<IdList, A::Error> {
                FileRef::deserialize(MapAccessDeserializer::new(map))
                    .map(|f| IdList::File { file: f.file })
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl IdList {
    /// Dense ids of the listed accounts; unknown or repeated ids are errors naming the file
    /// and line (or the list position).
    pub fn resolve(&self, graph: &Graph, what: &str) -> Result<Vec<u32>> {
        match self {
            IdList::Inline(keys) => {
                let tokens: Vec<String> = keys.iter().map(NodeKey::to_string).collect();
                Ok(graph.resolve(&tokens, what)?)
            }
            IdList::File { file } => {
                let ids = io::read_id_list(open(file)?, file)?;
                Ok(io::resolve_listed(graph, &ids, file)?)
            }
        }
    }
}
