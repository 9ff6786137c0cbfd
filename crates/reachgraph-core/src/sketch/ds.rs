//! Apache DataSketches CPC, HLL and Theta sketches per account (the `datasketches` crate).

use super::build::{account_list, person_hashes};
use super::format::{self, kind_name, Header};
use super::{check_confidence, SketchParams};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::progress::Progress;
use datasketches::common::NumStdDev;
use datasketches::cpc::{CpcSketch, CpcUnion};
use datasketches::hll::{HllSketch, HllType, HllUnion};
use datasketches::theta::{
    CompactThetaSketch, ThetaJaccardSimilarity, ThetaSketchBuilder, ThetaUnionBuilder,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Which DataSketches family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DsKind {
    /// Compressed Probabilistic Counting (Lang 2017): smallest for its accuracy.
    Cpc,
    /// HyperLogLog with 8-bit registers (fastest HLL to update).
    Hll,
    /// Theta sketch (KMV family, with set operations and Jaccard).
    Theta,
}

impl DsKind {
    fn byte(self) -> u8 {
        match self {
            DsKind::Cpc => format::KIND_CPC,
            DsKind::Hll => format::KIND_HLL,
            DsKind::Theta => format::KIND_THETA,
        }
    }

    /// Relative standard error of a union estimate at `lg_k`, as DataSketches documents it:
    /// HLL `1.04/√k`, CPC `0.69/√k` (after merging), Theta `1/√(k − 1)`.
    pub fn rse(self, lg_k: u8) -> f64 {
        let k = (1u64 << lg_k) as f64;
        match self {
            DsKind::Cpc => 0.69 / k.sqrt(),
            DsKind::Hll => 1.04 / k.sqrt(),
            DsKind::Theta => 1.0 / (k - 1.0).sqrt(),
        }
    }
}

#[derive(Debug, Clone)]
enum DsSketch {
    Cpc(CpcSketch),
    Hll(HllSketch),
    Theta(CompactThetaSketch),
}

/// A union estimate from DataSketches, with the library's own bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DsReach {
    /// The sketch family.
    pub kind: DsKind,
    /// Accounts in the union.
    pub accounts: usize,
    /// Estimated distinct people.
    pub unique_reach: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Confidence of the bounds: DataSketches gives 1, 2 or 3 standard deviations (68.3%,
    /// 95.4%, 99.7%); the smallest that reaches the requested confidence is used.
    pub confidence: f64,
}

/// Per-account DataSketches sketches, fed the same person hashes as the bottom-k sketches.
#[derive(Debug, Clone)]
pub struct DsSketchSet {
    kind: DsKind,
    params: SketchParams,
    names: Vec<String>,
    records: Vec<u64>,
    sketches: Vec<DsSketch>,
}

fn ds_err(what: &str, e: datasketches::error::Error) -> Error {
    Error::invalid_parameter(what, e.kind(), e.message().to_string())
}

fn num_std_dev(confidence: f64) -> (NumStdDev, f64) {
    if confidence <= 0.682_689_492_137_086 {
        (NumStdDev::One, 0.682_689_492_137_086)
    } else if confidence <= 0.954_499_736_103_642 {
        (NumStdDev::Two, 0.954_499_736_103_642)
    } else {
        (NumStdDev::Three, 0.997_300_203_936_740)
    }
}

impl DsSketchSet {
    /// Sketches of the people following each account (all accounts for `None`), as
    /// [`super::SketchSet::from_graph`] but with a DataSketches family. `params.lg_k` must be
    /// in the family's range (CPC 4–26, HLL 4–21, Theta 5–26).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an `lg_k` the family rejects; as
    /// [`super::SketchSet::from_graph`] otherwise.
    pub fn from_graph(
        graph: &Graph,
        accounts: Option<&[u32]>,
        kind: DsKind,
        params: SketchParams,
        progress: &dyn Progress,
    ) -> Result<DsSketchSet> {
        let accounts = account_list(graph, accounts)?;
        let accounts = &accounts[..];
        let lg_k = params.lg_k;
        // Fail on a bad lg_k before the pass.
        new_sketch(kind, lg_k)?;
        let ph = person_hashes(graph, params.seed);
        let total = accounts.len() as u64;
        let done = AtomicU64::new(0);
        let cancelled = AtomicBool::new(false);
        let sketches: Vec<DsSketch> = accounts
            .par_iter()
            .with_min_len(64)
            .map(|&a| {
                let mut s = new_sketch(kind, lg_k).expect("lg_k checked above");
                if cancelled.load(Relaxed) {
                    return s;
                }
                for &v in graph.followers(a) {
                    let h = ph[v as usize];
                    match &mut s {
                        Builder::Cpc(x) => x.update(h),
                        Builder::Hll(x) => x.update(h),
                        Builder::Theta(x) => x.update(h),
                    }
                }
                let d = done.fetch_add(1, Relaxed) + 1;
                if d % 4096 == 0 && !progress.update("sketch", d, total) {
                    cancelled.store(true, Relaxed);
                }
                s
            })
            .map(Builder::finish)
            .collect();
        if cancelled.load(Relaxed) {
            return Err(Error::Cancelled);
        }
        Ok(DsSketchSet {
            kind,
            params,
            names: accounts.iter().map(|&a| graph.label(a)).collect(),
            records: accounts
                .iter()
                .map(|&a| graph.out_degree(a) as u64)
                .collect(),
            sketches,
        })
    }

    /// The family.
    pub fn kind(&self) -> DsKind {
        self.kind
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// External id of account `i`.
    pub fn account(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    fn check(&self, idx: &[u32]) -> Result<()> {
        if idx.is_empty() {
            return Err(Error::Empty {
                what: "account list".into(),
            });
        }
        if let Some(&i) = idx.iter().find(|&&i| i as usize >= self.len()) {
            return Err(Error::UnknownNode {
                id: format!("#{i}"),
                context: format!(" (the sketch set has {} accounts)", self.len()),
            });
        }
        Ok(())
    }

    /// Estimated distinct people following any of `accounts`, by the family's union.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::UnknownNode`] for bad indexes; [`Error::InvalidParameter`]
    /// for a bad confidence.
    pub fn union_reach(&self, accounts: &[u32], confidence: f64) -> Result<DsReach> {
        check_confidence(confidence)?;
        self.check(accounts)?;
        let (nsd, conf) = num_std_dev(confidence);
        let lg_k = self.params.lg_k;
        let (est, lo, hi) = match self.kind {
            DsKind::Cpc => {
                let mut u = CpcUnion::new(lg_k).map_err(|e| ds_err("lg_k", e))?;
                for &i in accounts {
                    if let DsSketch::Cpc(s) = &self.sketches[i as usize] {
                        u.update(s).map_err(|e| ds_err("cpc union", e))?;
                    }
                }
                let s = u.to_sketch();
                (s.estimate(), s.lower_bound(nsd), s.upper_bound(nsd))
            }
            DsKind::Hll => {
                let mut u = HllUnion::new(lg_k).map_err(|e| ds_err("lg_k", e))?;
                for &i in accounts {
                    if let DsSketch::Hll(s) = &self.sketches[i as usize] {
                        u.update(s);
                    }
                }
                (u.estimate(), u.lower_bound(nsd), u.upper_bound(nsd))
            }
            DsKind::Theta => {
                let mut u = ThetaUnionBuilder::default()
                    .lg_k(lg_k)
                    .build()
                    .map_err(|e| ds_err("lg_k", e))?;
                for &i in accounts {
                    if let DsSketch::Theta(s) = &self.sketches[i as usize] {
                        u.update(s).map_err(|e| ds_err("theta union", e))?;
                    }
                }
                let s = u.to_sketch(true);
                (s.estimate(), s.lower_bound(nsd), s.upper_bound(nsd))
            }
        };
        Ok(DsReach {
            kind: self.kind,
            accounts: accounts.len(),
            unique_reach: est,
            lower: lo,
            upper: hi,
            confidence: conf,
        })
    }

    /// Jaccard similarity of accounts `i` and `j` as `(lower, estimate, upper)` (Theta only;
    /// DataSketches' bounds at about 95%).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a family other than Theta; [`Error::UnknownNode`].
    pub fn jaccard(&self, i: u32, j: u32) -> Result<(f64, f64, f64)> {
        self.check(&[i, j])?;
        match (&self.sketches[i as usize], &self.sketches[j as usize]) {
            (DsSketch::Theta(a), DsSketch::Theta(b)) => {
                let r = ThetaJaccardSimilarity::default()
                    .compute(a, b)
                    .map_err(|e| ds_err("theta jaccard", e))?;
                Ok((r.lower_bound(), r.estimate(), r.upper_bound()))
            }
            _ => Err(Error::invalid_parameter(
                "kind",
                kind_name(self.kind.byte()),
                "Jaccard needs Theta sketches",
            )),
        }
    }

    /// Bytes of the serialized sketches (the DataSketches serializations).
    pub fn serialized_bytes(&self) -> usize {
        self.sketches.iter().map(|s| payload(s).len()).sum()
    }

    /// The set in the binary format of [`super::format`] (payloads in DataSketches' own
    /// serialization).
    pub fn to_bytes(&self) -> Vec<u8> {
        let payloads: Vec<Vec<u8>> = self.sketches.iter().map(payload).collect();
        let header = Header {
            kind: self.kind.byte(),
            lg_k: self.params.lg_k,
            seed: self.params.seed,
            accounts: self.len() as u64,
        };
        let entries =
            (0..self.len()).map(|i| (&self.names[i][..], self.records[i], payloads[i].len()));
        format::write_container(header, entries, |i, out| {
            out.extend_from_slice(&payloads[i])
        })
    }

    /// Parses a set written by [`DsSketchSet::to_bytes`].
    ///
    /// # Errors
    /// As [`super::SketchSet::from_bytes`]; a payload DataSketches rejects is
    /// [`Error::CorruptSketch`].
    pub fn from_bytes(bytes: &[u8], input: &str) -> Result<DsSketchSet> {
        let (h, entries) = format::read_container(bytes, input)?;
        let kind = match h.kind {
            format::KIND_CPC => DsKind::Cpc,
            format::KIND_HLL => DsKind::Hll,
            format::KIND_THETA => DsKind::Theta,
            other => {
                return Err(Error::IncompatibleSketches {
                    what: "sketch kind".into(),
                    left: "a DataSketches family".into(),
                    right: kind_name(other).into(),
                })
            }
        };
        // An lg_k the family cannot build would only fail later, at the first union.
        new_sketch(kind, h.lg_k).map_err(|e| Error::CorruptSketch {
            input: input.to_string(),
            offset: 11,
            reason: format!("lg_k {} is not one {:?} sketches take: {e}", h.lg_k, kind),
        })?;
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        if let Some(e) = entries.iter().find(|e| !seen.insert(e.name)) {
            return Err(Error::CorruptSketch {
                input: input.to_string(),
                offset: e.offset,
                reason: format!("account {} appears twice", format::shown(e.name)),
            });
        }
        let mut out = DsSketchSet {
            kind,
            params: SketchParams {
                lg_k: h.lg_k,
                seed: h.seed,
            },
            names: Vec::with_capacity(entries.len()),
            records: Vec::with_capacity(entries.len()),
            sketches: Vec::with_capacity(entries.len()),
        };
        for e in entries {
            let bad = |err: datasketches::error::Error| Error::CorruptSketch {
                input: input.to_string(),
                offset: e.offset,
                reason: format!("account {}: {err}", format::shown(e.name)),
            };
            let s = match kind {
                DsKind::Cpc => DsSketch::Cpc(CpcSketch::deserialize(e.payload).map_err(bad)?),
                DsKind::Hll => DsSketch::Hll(HllSketch::deserialize(e.payload).map_err(bad)?),
                DsKind::Theta => {
                    DsSketch::Theta(CompactThetaSketch::deserialize(e.payload).map_err(bad)?)
                }
            };
            out.names.push(e.name.to_string());
            out.records.push(e.records);
            out.sketches.push(s);
        }
        Ok(out)
    }
}

fn payload(s: &DsSketch) -> Vec<u8> {
    match s {
        DsSketch::Cpc(x) => x.serialize(),
        DsSketch::Hll(x) => x.serialize(),
        DsSketch::Theta(x) => x.serialize(),
    }
}

enum Builder {
    Cpc(CpcSketch),
    Hll(HllSketch),
    Theta(datasketches::theta::ThetaSketch),
}

impl Builder {
    fn finish(self) -> DsSketch {
        match self {
            Builder::Cpc(x) => DsSketch::Cpc(x),
            Builder::Hll(x) => DsSketch::Hll(x),
            Builder::Theta(x) => DsSketch::Theta(x.compact(true)),
        }
    }
}

fn new_sketch(kind: DsKind, lg_k: u8) -> Result<Builder> {
    Ok(match kind {
        DsKind::Cpc => Builder::Cpc(CpcSketch::new(lg_k).map_err(|e| ds_err("lg_k", e))?),
        DsKind::Hll => {
            Builder::Hll(HllSketch::new(lg_k, HllType::Hll8).map_err(|e| ds_err("lg_k", e))?)
        }
        DsKind::Theta => Builder::Theta(
            ThetaSketchBuilder::default()
                .lg_k(lg_k)
                .build()
                .map_err(|e| ds_err("lg_k", e))?,
        ),
    })
}
