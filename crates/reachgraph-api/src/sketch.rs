//! Sketch requests: build per-account sketches from a graph, and answer reach, overlap and
//! ladder questions from stored sketches with stated error.
//!
//! A sketch directory holds `sketches.rgsk` (the binary format of
//! [`reachgraph_core::sketch::format`]) and `manifest.json`, which records what the sketch
//! file holds (its name, size, checksum, accounts, `lg_k`, seed and kind) beside what it was
//! built from. Both are written whole or not at all ([`reachgraph_core::output`]), the sketch
//! file first; a writer then checks that the pair agrees and writes it again if a concurrent
//! writer tore it, so racing builders leave one builder's consistent pair. Every reader of a
//! directory checks the manifest against the file ([`ApiError::ManifestMismatch`]).

use crate::load::{GraphSpec, IdList};
use crate::{ApiError, Result};
use reachgraph_core::io;
use reachgraph_core::output::write_bytes_atomic;
use reachgraph_core::sketch::{self, prior, SketchParams, SketchSet};
use reachgraph_core::Progress;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// File name of the sketches inside a sketch directory.
pub const SKETCH_FILE: &str = "sketches.rgsk";
/// File name of the manifest inside a sketch directory.
pub const MANIFEST_FILE: &str = "manifest.json";

fn default_confidence() -> f64 {
    0.95
}

/// Build sketches of every account (or the listed ones) of a graph into a directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchBuildRequest {
    /// The graph.
    pub graph: GraphSpec,
    /// Output directory (created if missing).
    pub out: String,
    /// `log2` of the hashes kept per account (default 14: 16,384, the smallest size whose
    /// reach error bound at 95% is under 2%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lg_k: Option<u8>,
    /// Hash seed (default 9001); sketches combine only with the same seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Accounts to sketch (all accounts when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<IdList>,
    /// Memory limit in bytes (the default limit when absent): the build holds 8 bytes per
    /// account for the person hashes and one part of the sketches sized from it
    /// ([`sketch::part_bytes`]), besides the graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
}

/// Build sketches from a file of `account follower` pairs read in chunks (a file too large
/// for memory), into a directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchStreamRequest {
    /// The pair file: `account follower` lines (whitespace or comma separated, `#` comments,
    /// gzip detected); the follower is a person id.
    pub pairs: String,
    /// Output directory (created if missing).
    pub out: String,
    /// `log2` of the hashes kept per account (default 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lg_k: Option<u8>,
    /// Hash seed (default 9001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Bytes read per chunk (default 16 MiB; 1 byte to 1 GiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_bytes: Option<usize>,
    /// Memory limit in bytes (the default limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
}

/// Unique reach of a set of accounts from stored sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchReachRequest {
    /// A sketch directory (or a `.rgsk` file).
    pub sketches: String,
    /// The accounts.
    pub accounts: IdList,
    /// Confidence of the error bound (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// Overlap matrices of a list of accounts from stored sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchOverlapRequest {
    /// A sketch directory (or a `.rgsk` file).
    pub sketches: String,
    /// The accounts, in the order of the matrices' rows.
    pub accounts: IdList,
    /// Confidence of the error bounds (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// The greedy reach ladder from stored sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchLadderRequest {
    /// A sketch directory (or a `.rgsk` file).
    pub sketches: String,
    /// Number of steps.
    pub k: usize,
    /// Candidate accounts (all sketched accounts when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// Confidence of the error bounds (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// Budgeted pick from stored sketches: the accounts reaching the most (estimated) people for a
/// budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchPickRequest {
    /// A sketch directory (or a `.rgsk` file).
    pub sketches: String,
    /// Per-account costs: a CSV with `id` and `cost` columns, or inline `{"id": cost}`.
    /// Accounts without a cost are not for hire.
    pub costs: CostList,
    /// The budget, in the unit of the costs.
    pub budget: f64,
    /// Candidate accounts (all accounts with a cost when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// Confidence of the error bounds (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// Costs of accounts: inline, or a CSV file with `id` and `cost` columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CostList {
    /// `{"account id": cost}` in the request.
    Inline(std::collections::BTreeMap<String, f64>),
    /// A CSV with a header naming an `id` (or `account`) and a `cost` column; a node-attribute
    /// CSV works as it is.
    File {
        /// Path of the CSV.
        file: String,
    },
}

// By hand, not `untagged`: both forms are JSON objects, and the derived reader took
// `{"file": F, "extra": 1}` as a file reference, silently dropping `extra`.
impl<'de> Deserialize<'de> for CostList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let map = std::collections::BTreeMap::<String, serde_json::Value>::deserialize(d)?;
        if let Some(file) = map.get("file").and_then(serde_json::Value::as_str) {
            if let Some(extra) = map.keys().find(|k| k.as_str() != "file") {
                return Err(D::Error::custom(format!(
                    "unknown field `{}` beside `file`: a cost list is {{\"file\": PATH}} or \
                     {{\"account id\": cost, ...}}",
                    reachgraph_core::error::echo(extra)
                )));
            }
            return Ok(CostList::File {
                file: file.to_string(),
            });
        }
        let mut costs = std::collections::BTreeMap::new();
        for (id, v) in map {
            let Some(cost) = v.as_f64() else {
                return Err(D::Error::custom(format!(
                    "the cost of `{}` is {}, not a number (a cost list is \
                     {{\"account id\": cost, ...}} or {{\"file\": PATH}})",
                    reachgraph_core::error::echo(&id),
                    reachgraph_core::error::echo(&v.to_string())
                )));
            };
            costs.insert(id, cost);
        }
        Ok(CostList::Inline(costs))
    }
}

/// Merge stored sketch sets (of the same `lg_k` and seed) into a new directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchMergeRequest {
    /// Sketch directories (or `.rgsk` files), at least two.
    pub inputs: Vec<String>,
    /// Output directory (created if missing).
    pub out: String,
}

/// Sketch answers against exact ones on a graph (sketches built in memory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchCheckRequest {
    /// The graph.
    pub graph: GraphSpec,
    /// The accounts whose reach and pairwise Jaccard are compared.
    pub accounts: IdList,
    /// `lg_k` of the sketches (default 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lg_k: Option<u8>,
    /// Hash seed (default 9001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Confidence of the bounds (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// The expected error of sketch answers for a sketch size and set size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchErrorRequest {
    /// `lg_k` of the sketches.
    pub lg_k: u8,
    /// People in the set, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_size: Option<u64>,
    /// Confidence of the bounds (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

/// Reach of accounts known only by follower counts, under an explicit overlap model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SketchModelRequest {
    /// Follower counts (people) of the accounts.
    pub counts: Vec<u64>,
    /// People the followers are drawn from.
    pub population: f64,
    /// Shared followers relative to independence (absent: independence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lift: Option<f64>,
}

/// What `sketch_build` wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchBuildResponse {
    /// The sketch file written.
    pub file: String,
    /// Accounts sketched.
    pub accounts: usize,
    /// `lg_k`.
    pub lg_k: u8,
    /// Hash seed.
    pub seed: u64,
    /// Accounts whose sketch holds their whole audience (exact).
    pub exact_accounts: usize,
    /// Hashes stored.
    pub total_hashes: usize,
    /// Bytes of the sketch file.
    pub bytes: usize,
}

/// What `sketch_stream` read and wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchStreamResponse {
    /// Pairs read (comment and blank lines not counted).
    pub pairs: u64,
    /// The sketch set as written.
    #[serde(flatten)]
    pub written: SketchBuildResponse,
}

/// What `sketch_merge` wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchMergeResponse {
    /// The sketch sets merged, in the order given.
    pub inputs: Vec<String>,
    /// Accounts in each input.
    pub input_accounts: Vec<usize>,
    /// The merged set as written.
    #[serde(flatten)]
    pub written: SketchBuildResponse,
}

/// Unique reach from sketches (see [`sketch::SketchReach`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchReachResponse {
    /// The estimate with its error bound.
    #[serde(flatten)]
    pub reach: sketch::SketchReach,
}

/// Overlap matrices from sketches, rows and columns in the order of `accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchOverlapResponse {
    /// Account ids.
    pub accounts: Vec<String>,
    /// Estimated audience (people) of each account.
    pub audience: Vec<f64>,
    /// Error bound of each audience (people).
    pub audience_error: Vec<f64>,
    /// Estimated shared people.
    pub shared: Vec<Vec<f64>>,
    /// Error bounds of `shared` (people).
    pub shared_error: Vec<Vec<f64>>,
    /// Estimated Jaccard similarity.
    pub jaccard: Vec<Vec<f64>>,
    /// Error bounds of `jaccard` (absolute).
    pub jaccard_error: Vec<Vec<f64>>,
    /// Estimated containment `[i][j] = |F_i ∩ F_j| / |F_i|`.
    pub containment: Vec<Vec<f64>>,
    /// Error bounds of `containment` (absolute).
    pub containment_error: Vec<Vec<f64>>,
    /// Confidence of the error bounds.
    pub confidence: f64,
    /// True when every value is exact.
    pub exact: bool,
}

/// A ladder step from sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchStepOut {
    /// Account id.
    pub account: String,
    /// Estimated people it adds.
    pub marginal_reach: f64,
    /// Estimated people reached so far.
    pub cumulative_reach: f64,
    /// Error bound of `cumulative_reach`.
    pub cumulative_error: f64,
    /// Cost of the account (budgeted pick only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Summed cost so far (budgeted pick only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cumulative_cost: Option<f64>,
}

/// The budgeted pick from sketches: the core's [`sketch::SketchPickSummary`] beside the
/// accounts by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchPickResponse {
    /// Picked account ids in pick order.
    pub accounts: Vec<String>,
    /// Steps in pick order.
    pub steps: Vec<SketchStepOut>,
    /// Budget, cost, reach with its bound, method and sample (readable as
    /// `response.unique_reach` through [`Deref`](std::ops::Deref)).
    #[serde(flatten)]
    pub summary: sketch::SketchPickSummary,
}

impl std::ops::Deref for SketchPickResponse {
    type Target = sketch::SketchPickSummary;

    fn deref(&self) -> &sketch::SketchPickSummary {
        &self.summary
    }
}

/// The greedy reach ladder from sketches: the core's [`sketch::SketchLadderSummary`] beside
/// the steps by account id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchLadderResponse {
    /// Steps in pick order.
    pub steps: Vec<SketchStepOut>,
    /// Sample, confidence and exactness (readable as `response.sample_rate` through
    /// [`Deref`](std::ops::Deref)).
    #[serde(flatten)]
    pub summary: sketch::SketchLadderSummary,
}

impl std::ops::Deref for SketchLadderResponse {
    type Target = sketch::SketchLadderSummary;

    fn deref(&self) -> &sketch::SketchLadderSummary {
        &self.summary
    }
}

/// Sketch answers against exact ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchCheckResponse {
    /// `lg_k` of the sketches.
    pub lg_k: u8,
    /// The comparison.
    #[serde(flatten)]
    pub report: sketch::CheckReport,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> ApiError {
    ApiError::io(format!("{what} {}", path.display()), e)
}

/// What a manifest promises about its sketch file, and what a sketch file's header and
/// trailer say about itself: the fields a reader compares.
#[derive(Debug, Clone, PartialEq)]
struct FileFacts {
    bytes: u64,
    checksum: String,
    accounts: u64,
    lg_k: u64,
    seed: u64,
    kind: String,
}

impl FileFacts {
    /// The facts of sketch bytes, from their header and stored checksum (the full checksum is
    /// verified when the bytes are parsed). `None` for bytes too short to have them.
    fn of_bytes(b: &[u8]) -> Option<FileFacts> {
        use reachgraph_core::sketch::format::{kind_name, HEADER_BYTES};
        if b.len() < HEADER_BYTES + 4 {
            return None;
        }
        let u64_at = |o: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[o..o + 8]);
            u64::from_le_bytes(w)
        };
        let n = b.len();
        let crc = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        Some(FileFacts {
            bytes: n as u64,
            checksum: format!("crc32:{crc:08x}"),
            accounts: u64_at(24),
            lg_k: b[11] as u64,
            seed: u64_at(16),
            kind: kind_name(b[10]).to_string(),
        })
    }

    /// The facts of a sketch file, reading only its header and trailer. `None` for a file
    /// too short to have them.
    fn of_file(path: &Path) -> std::io::Result<Option<FileFacts>> {
        use reachgraph_core::sketch::format::HEADER_BYTES;
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(path)?;
        let len = f.metadata()?.len();
        if len < (HEADER_BYTES + 4) as u64 {
            return Ok(None);
        }
        // The header, and the trailer placed right after it: the facts read no byte between.
        let mut b = vec![0u8; HEADER_BYTES + 4];
        f.read_exact(&mut b[..HEADER_BYTES])?;
        f.seek(SeekFrom::Start(len - 4))?;
        f.read_exact(&mut b[HEADER_BYTES..])?;
        Ok(FileFacts::of_bytes(&b).map(|facts| FileFacts {
            bytes: len,
            ..facts
        }))
    }

    fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("bytes".into(), self.bytes.into());
        m.insert("checksum".into(), self.checksum.clone().into());
        m.insert("accounts".into(), self.accounts.into());
        m.insert("lg_k".into(), self.lg_k.into());
        m.insert("seed".into(), self.seed.into());
        m.insert("kind".into(), self.kind.clone().into());
        m
    }
}

/// The manifest of a directory, parsed; a malformed one is a mismatch naming the manifest.
fn read_manifest(dir: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mpath = dir.join(MANIFEST_FILE);
    let text = std::fs::read(&mpath).map_err(|e| ApiError::Io {
        what: format!("open {}", mpath.display()),
        source: e,
        hint: " (a sketch directory holds sketches.rgsk and manifest.json; pass the .rgsk \
               file itself to read it without a manifest)",
    })?;
    match serde_json::from_slice(&text) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(ApiError::ManifestMismatch {
            manifest: mpath.display().to_string(),
            file: dir.join(SKETCH_FILE).display().to_string(),
            field: "manifest".into(),
            manifest_value: "not a JSON object".into(),
            file_value: "a sketch file".into(),
        }),
    }
}

/// The sketch file a manifest names (`sketches.rgsk` in every manifest written so far).
fn manifest_file(dir: &Path, m: &serde_json::Map<String, serde_json::Value>) -> Result<PathBuf> {
    match m.get("file") {
        None => Ok(dir.join(SKETCH_FILE)),
        Some(serde_json::Value::String(name))
            if !name.is_empty()
                && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name)) =>
        {
            Ok(dir.join(name))
        }
        Some(other) => Err(ApiError::ManifestMismatch {
            manifest: dir.join(MANIFEST_FILE).display().to_string(),
            file: dir.join(SKETCH_FILE).display().to_string(),
            field: "file".into(),
            manifest_value: other.to_string(),
            file_value: "a file name inside the directory".into(),
        }),
    }
}

/// Compares a manifest with the bytes of the file it names; the first field that differs
/// (or is missing from the manifest) is the error.
fn check_manifest(
    m: &serde_json::Map<String, serde_json::Value>,
    mpath: &Path,
    file: &Path,
    bytes: &[u8],
) -> Result<()> {
    check_facts(
        m,
        mpath,
        file,
        FileFacts::of_bytes(bytes),
        bytes.len() as u64,
    )
}

/// [`check_manifest`] given the file's facts (`None`: too short to have them) and length.
fn check_facts(
    m: &serde_json::Map<String, serde_json::Value>,
    mpath: &Path,
    file: &Path,
    facts: Option<FileFacts>,
    len: u64,
) -> Result<()> {
    let mismatch = |field: &str, mv: String, fv: String| ApiError::ManifestMismatch {
        manifest: mpath.display().to_string(),
        file: file.display().to_string(),
        field: field.into(),
        manifest_value: mv,
        file_value: fv,
    };
    let Some(facts) = facts else {
        return Err(mismatch(
            "bytes",
            m.get("bytes")
                .map_or("(absent)".into(), ToString::to_string),
            len.to_string(),
        ));
    };
    for (field, fv) in facts.to_json() {
        match m.get(&field) {
            Some(mv) if *mv == fv => {}
            Some(mv) => return Err(mismatch(&field, mv.to_string(), fv.to_string())),
            None => return Err(mismatch(&field, "(absent)".into(), fv.to_string())),
        }
    }
    Ok(())
}

/// Reads a directory's manifest and the bytes of the file it names, checked against each
/// other. A writer replaces the two files one after the other, so a reader that meets a
/// disagreement looks again a few times before reporting it.
fn read_checked_dir(dir: &Path) -> Result<(PathBuf, Vec<u8>)> {
    let mut attempt = 0;
    loop {
        let m = read_manifest(dir)?;
        let file = manifest_file(dir, &m)?;
        let bytes = std::fs::read(&file).map_err(|e| io_error("open", &file, e))?;
        match check_manifest(&m, &dir.join(MANIFEST_FILE), &file, &bytes) {
            Ok(()) => return Ok((file, bytes)),
            Err(e) if attempt >= 4 => return Err(e),
            Err(_) => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(5 << attempt));
            }
        }
    }
}

/// Reads a sketch set from a directory (checked against its manifest) or a `.rgsk` file.
///
/// # Errors
/// [`ApiError::Io`] when a file cannot be read (a directory without a manifest included);
/// [`ApiError::ManifestMismatch`] naming both files when the manifest does not describe the
/// sketch file; the core's sketch errors for a malformed sketch file.
pub fn load_sketches(path: &str) -> Result<SketchSet> {
    let p = Path::new(path);
    let (file, bytes) = if p.is_dir() {
        read_checked_dir(p)?
    } else {
        let bytes = std::fs::read(p).map_err(|e| io_error("open", p, e))?;
        (p.to_path_buf(), bytes)
    };
    Ok(SketchSet::from_bytes(&bytes, &file.display().to_string())?)
}

/// Indexes of listed accounts in a sketch set; errors name the file and line.
pub fn resolve_ids(set: &SketchSet, list: &IdList, what: &str) -> Result<Vec<u32>> {
    match list {
        IdList::Inline(keys) => {
            let tokens: Vec<String> = keys.iter().map(ToString::to_string).collect();
            Ok(set.resolve(&tokens, what)?)
        }
        IdList::File { file } => {
            let f = std::fs::File::open(file).map_err(|e| io_error("open", Path::new(file), e))?;
            let ids = io::read_id_list(f, file)?;
            let mut out = Vec::with_capacity(ids.len());
            for l in &ids {
                let Some(i) = set.index_of(&l.id) else {
                    return Err(reachgraph_core::Error::parse(
                        file,
                        l.line,
                        format!("account id {:?} has no sketch", l.id),
                    )
                    .into());
                };
                out.push(i);
            }
            set.check_indexes(&out, what)?;
            Ok(out)
        }
    }
}

fn params(lg_k: Option<u8>, seed: Option<u64>) -> Result<SketchParams> {
    let d = SketchParams::default();
    Ok(SketchParams::new(
        lg_k.unwrap_or(d.lg_k),
        seed.unwrap_or(d.seed),
    )?)
}

/// How many times a writer writes its pair again after finding it torn by a concurrent
/// writer before giving up.
const WRITE_ATTEMPTS: u32 = 16;

/// Counts pauses taken, to vary them between writers of one process.
static WRITERS: AtomicU64 = AtomicU64::new(0);

/// Writes a sketch set into a directory: `sketches.rgsk` and a `manifest.json` recording what
/// the file holds and `source` (what the sketches were built from).
///
/// Both files are written whole or not at all, the sketch file first. Two writers racing on
/// one directory can still interleave their renames (A's sketches with B's manifest), so the
/// writer then reads the pair back: when it disagrees, it writes its own pair again (a
/// bounded number of times, with a growing pause). The last writer to check leaves the
/// pair it found consistent, so the directory ends as one writer's whole pair.
///
/// # Errors
/// [`ApiError::InvalidRequest`] for an empty `out`; [`ApiError::Io`] naming the path that
/// could not be created or written; [`ApiError::ManifestMismatch`] when concurrent writers
/// kept tearing the pair through every attempt.
pub fn save_sketches(
    set: &SketchSet,
    out: &str,
    source: serde_json::Value,
) -> Result<SketchBuildResponse> {
    let dir = sketch_dir(out)?;
    let file = dir.join(SKETCH_FILE);
    let bytes = set.to_bytes();
    let params = set.params();
    let k = params.k();
    let resp = SketchBuildResponse {
        file: file.display().to_string(),
        accounts: set.len(),
        lg_k: params.lg_k,
        seed: params.seed,
        exact_accounts: (0..set.len() as u32)
            .filter(|&i| set.hashes(i).len() < k)
            .count(),
        total_hashes: set.total_hashes(),
        bytes: bytes.len(),
    };
    let facts = FileFacts::of_bytes(&bytes).expect("a written set has a header and checksum");
    publish(dir, resp, &facts, source, || {
        write_bytes_atomic(&file, &bytes).map_err(|e| io_error("write", &file, e))
    })
}

/// The output directory `out`, created if missing.
fn sketch_dir(out: &str) -> Result<&Path> {
    if out.trim().is_empty() {
        return Err(ApiError::invalid(
            "the sketch output directory is empty; name a directory",
        ));
    }
    let dir = Path::new(out);
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    Ok(dir)
}

/// Writes the manifest of `facts` beside the sketch file that `place` puts in place (whole
/// or not at all), checks the pair, and does both again while a concurrent writer tears it
/// (see [`save_sketches`]).
fn publish(
    dir: &Path,
    resp: SketchBuildResponse,
    facts: &FileFacts,
    source: serde_json::Value,
    mut place: impl FnMut() -> Result<()>,
) -> Result<SketchBuildResponse> {
    let mut manifest = serde_json::Map::new();
    manifest.insert(
        "format".into(),
        "reachgraph sketch set, binary format version 1 (see docs/sketch.md)".into(),
    );
    manifest.insert("file".into(), SKETCH_FILE.into());
    manifest.extend(facts.to_json());
    manifest.insert("exact_accounts".into(), resp.exact_accounts.into());
    manifest.insert("total_hashes".into(), resp.total_hashes.into());
    if let serde_json::Value::Object(src) = source {
        // What the file holds is not for the source to override.
        for (key, v) in src {
            manifest.entry(key).or_insert(v);
        }
    }
    let text = serde_json::to_string_pretty(&manifest).expect("json") + "\n";
    let mpath = dir.join(MANIFEST_FILE);
    let mut attempt = 0;
    loop {
        place()?;
        write_bytes_atomic(&mpath, text.as_bytes()).map_err(|e| io_error("write", &mpath, e))?;
        match read_checked_once(dir) {
            Ok(()) => return Ok(resp),
            Err(e) if attempt + 1 >= WRITE_ATTEMPTS => return Err(e),
            Err(_) => {
                attempt += 1;
                // A pause that differs between writers, so two of them stop colliding.
                let jitter = u64::from(std::process::id() % 7) + WRITERS.fetch_add(1, Relaxed) % 5;
                std::thread::sleep(std::time::Duration::from_millis(
                    (1 << attempt.min(6)) + jitter,
                ));
            }
        }
    }
}

/// A sketch file being built in a sketch directory under a name of its own (hidden, with
/// the process id and a counter), removed when dropped. [`BuildFile::place`] puts a copy of
/// it in place as the directory's sketch file atomically: a hard link (no bytes copied)
/// renamed over the destination, or a full copy where the file system has no hard links.
struct BuildFile {
    path: PathBuf,
}

impl BuildFile {
    fn create(dir: &Path) -> Result<(BuildFile, std::fs::File)> {
        let n = WRITERS.fetch_add(1, Relaxed);
        let path = dir.join(format!(".{SKETCH_FILE}.build-{}-{n}", std::process::id()));
        let f = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error("create", &path, e))?;
        Ok((BuildFile { path }, f))
    }

    fn place(&self, dest: &Path) -> Result<()> {
        let n = WRITERS.fetch_add(1, Relaxed);
        let dir = dest.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(format!(".{SKETCH_FILE}.place-{}-{n}", std::process::id()));
        if std::fs::hard_link(&self.path, &tmp).is_err() {
            std::fs::copy(&self.path, &tmp).map_err(|e| io_error("write", &tmp, e))?;
        }
        let placed = std::fs::rename(&tmp, dest);
        // When `dest` is already a link to this build file (an earlier attempt placed it),
        // rename does nothing and leaves both names: the link made here must still go.
        let _ = std::fs::remove_file(&tmp);
        placed.map_err(|e| io_error("write", dest, e))
    }
}

impl Drop for BuildFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One look at a directory's pair: the manifest against the header and trailer of the file.
fn read_checked_once(dir: &Path) -> Result<()> {
    let m = read_manifest(dir)?;
    let file = manifest_file(dir, &m)?;
    let facts = FileFacts::of_file(&file).map_err(|e| io_error("open", &file, e))?;
    let len = std::fs::metadata(&file)
        .map_err(|e| io_error("open", &file, e))?
        .len();
    check_facts(&m, &dir.join(MANIFEST_FILE), &file, facts, len)
}

pub(crate) fn run_build(
    r: &SketchBuildRequest,
    progress: &dyn Progress,
) -> Result<SketchBuildResponse> {
    let params = params(r.lg_k, r.seed)?;
    let g = r.graph.load(progress)?;
    let accounts = r
        .accounts
        .as_ref()
        .map(|l| l.resolve(&g.graph, "account list"))
        .transpose()?;
    let dir = sketch_dir(&r.out)?;
    let dest = dir.join(SKETCH_FILE);
    // Built into a file of its own, one part of the accounts at a time: neither the whole set
    // nor its bytes are ever in memory.
    let (build, f) = BuildFile::create(dir)?;
    let build_name = build.path.display().to_string();
    let w = SketchSet::write_from_graph(
        &g.graph,
        accounts.as_deref(),
        params,
        r.memory_limit_bytes,
        &f,
        &build_name,
        progress,
    )?;
    f.sync_all()
        .map_err(|e| io_error("write", &build.path, e))?;
    drop(f);
    drop(g);
    let facts = FileFacts::of_file(&build.path)
        .map_err(|e| io_error("open", &build.path, e))?
        .ok_or_else(|| ApiError::invalid("the sketch file written is shorter than a header"))?;
    let resp = SketchBuildResponse {
        file: dest.display().to_string(),
        accounts: w.accounts as usize,
        lg_k: params.lg_k,
        seed: params.seed,
        exact_accounts: w.exact_accounts as usize,
        total_hashes: w.total_hashes as usize,
        bytes: w.bytes as usize,
    };
    let source = serde_json::json!({ "graph": r.graph });
    publish(dir, resp, &facts, source, || build.place(&dest))
}

pub(crate) fn run_stream(
    r: &SketchStreamRequest,
    progress: &dyn Progress,
) -> Result<SketchStreamResponse> {
    let params = params(r.lg_k, r.seed)?;
    let path = Path::new(&r.pairs);
    let f = std::fs::File::open(path).map_err(|e| io_error("open", path, e))?;
    let mut b = sketch::StreamBuilder::new(params)?;
    let chunk = r.chunk_bytes.unwrap_or(sketch::DEFAULT_STREAM_CHUNK);
    let pairs = b.read_pairs_limited(f, &r.pairs, chunk, r.memory_limit_bytes, progress)?;
    let written = save_sketches(&b.finish(), &r.out, serde_json::json!({ "pairs": r.pairs }))?;
    Ok(SketchStreamResponse { pairs, written })
}

/// Merges sketch sets read from `inputs` (directories or files), naming the two inputs whose
/// parameters differ when they cannot be combined.
pub fn merge_sketches(inputs: &[String]) -> Result<(SketchSet, Vec<usize>)> {
    if inputs.len() < 2 {
        return Err(ApiError::TooFewSketchSets { got: inputs.len() });
    }
    let mut sizes = Vec::with_capacity(inputs.len());
    let mut merged = load_sketches(&inputs[0])?;
    sizes.push(merged.len());
    for path in &inputs[1..] {
        let next = load_sketches(path)?;
        sizes.push(next.len());
        merged = merged.merge(&next).map_err(|source| ApiError::Context {
            context: format!("{} and {path}", inputs[0]),
            source,
        })?;
    }
    Ok((merged, sizes))
}

pub(crate) fn run_merge(r: &SketchMergeRequest) -> Result<SketchMergeResponse> {
    let (set, input_accounts) = merge_sketches(&r.inputs)?;
    let written = save_sketches(&set, &r.out, serde_json::json!({ "merged_from": r.inputs }))?;
    Ok(SketchMergeResponse {
        inputs: r.inputs.clone(),
        input_accounts,
        written,
    })
}

/// Per-account costs of a sketch set (NaN: not for hire) from a cost list.
pub fn resolve_costs(set: &SketchSet, costs: &CostList) -> Result<Vec<f64>> {
    match costs {
        CostList::File { file } => {
            let f = std::fs::File::open(file).map_err(|e| io_error("open", Path::new(file), e))?;
            Ok(set.read_costs(std::io::BufReader::new(f), file)?)
        }
        CostList::Inline(map) => {
            let mut out = vec![f64::NAN; set.len()];
            for (id, &c) in map {
                let i = set
                    .index_of(id)
                    .ok_or_else(|| reachgraph_core::Error::UnknownNode {
                        id: id.clone(),
                        context: " (costs: no sketch for this account)".into(),
                    })?;
                if !(c.is_finite() && c >= 0.0) {
                    return Err(reachgraph_core::Error::InvalidAttribute {
                        column: "cost".into(),
                        node: id.clone(),
                        reason: format!("{c} is not a finite number >= 0"),
                    }
                    .into());
                }
                out[i as usize] = c;
            }
            Ok(out)
        }
    }
}

fn step_out(set: &SketchSet, s: &sketch::SketchStep, with_cost: bool) -> SketchStepOut {
    SketchStepOut {
        account: set.account(s.account).to_string(),
        marginal_reach: s.marginal_reach,
        cumulative_reach: s.cumulative_reach,
        cumulative_error: s.cumulative_error,
        cost: if with_cost { s.cost } else { None },
        cumulative_cost: with_cost.then_some(s.cumulative_cost),
    }
}

pub(crate) fn run_pick(r: &SketchPickRequest) -> Result<SketchPickResponse> {
    let set = load_sketches(&r.sketches)?;
    let costs = resolve_costs(&set, &r.costs)?;
    let cands = r
        .candidates
        .as_ref()
        .map(|l| resolve_ids(&set, l, "candidate list"))
        .transpose()?;
    let p = sketch::budget_pick(&set, cands.as_deref(), &costs, r.budget, r.confidence)?;
    Ok(SketchPickResponse {
        accounts: p
            .accounts
            .iter()
            .map(|&i| set.account(i).to_string())
            .collect(),
        steps: p.steps.iter().map(|s| step_out(&set, s, true)).collect(),
        summary: p.summary,
    })
}

pub(crate) fn run_reach(r: &SketchReachRequest) -> Result<SketchReachResponse> {
    let set = load_sketches(&r.sketches)?;
    let ids = resolve_ids(&set, &r.accounts, "account list")?;
    Ok(SketchReachResponse {
        reach: sketch::union_reach(&set, &ids, r.confidence)?,
    })
}

fn rows(m: &ndarray::Array2<f64>) -> Vec<Vec<f64>> {
    m.outer_iter().map(|r| r.to_vec()).collect()
}

pub(crate) fn run_overlap(
    r: &SketchOverlapRequest,
    progress: &dyn Progress,
) -> Result<SketchOverlapResponse> {
    let set = load_sketches(&r.sketches)?;
    let ids = resolve_ids(&set, &r.accounts, "account list")?;
    let ov = sketch::overlap(&set, &ids, r.confidence, progress)?;
    Ok(SketchOverlapResponse {
        accounts: ids.iter().map(|&i| set.account(i).to_string()).collect(),
        audience: ov.audience.clone(),
        audience_error: ov.audience_error.clone(),
        shared: rows(&ov.shared),
        shared_error: rows(&ov.shared_error),
        jaccard: rows(&ov.jaccard),
        jaccard_error: rows(&ov.jaccard_error),
        containment: rows(&ov.containment),
        containment_error: rows(&ov.containment_error),
        confidence: ov.confidence,
        exact: ov.exact,
    })
}

pub(crate) fn run_ladder(r: &SketchLadderRequest) -> Result<SketchLadderResponse> {
    let set = load_sketches(&r.sketches)?;
    let cands = r
        .candidates
        .as_ref()
        .map(|l| resolve_ids(&set, l, "candidate list"))
        .transpose()?;
    let l = sketch::ladder(&set, cands.as_deref(), r.k, r.confidence)?;
    Ok(SketchLadderResponse {
        steps: l.steps.iter().map(|s| step_out(&set, s, false)).collect(),
        summary: l.summary,
    })
}

pub(crate) fn run_check(
    r: &SketchCheckRequest,
    progress: &dyn Progress,
) -> Result<SketchCheckResponse> {
    let params = params(r.lg_k, r.seed)?;
    let g = r.graph.load(progress)?;
    let ids = r.accounts.resolve(&g.graph, "account list")?;
    let set = SketchSet::from_graph(&g.graph, Some(&ids), params, progress)?;
    let report = sketch::check(&g.graph, &set, &[ids], r.confidence, progress)?;
    Ok(SketchCheckResponse {
        lg_k: params.lg_k,
        report,
    })
}

pub(crate) fn run_error(r: &SketchErrorRequest) -> Result<sketch::ErrorReport> {
    Ok(sketch::expected_error(r.lg_k, r.set_size, r.confidence)?)
}

pub(crate) fn run_model(r: &SketchModelRequest) -> Result<prior::ModelledReach> {
    let p = match r.lift {
        None => prior::OverlapPrior::Independence,
        Some(lift) => prior::OverlapPrior::Correlated { lift },
    };
    Ok(prior::modelled_reach(&r.counts, r.population, p)?)
}
