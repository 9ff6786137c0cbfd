//! A set of per-account bottom-k sketches in flat storage.

use super::kmv::{bottom_k, check_list, estimate_of, merge_bottom_k, CardinalityEstimate, Kmv};
use super::{check_confidence, SketchParams};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Per-account bottom-k sketches of the people following each account, in flat storage.
///
/// Account `i` (an index `0..len()`) has an external id ([`SketchSet::account`]), the number
/// of follow records seen for it ([`SketchSet::records`]: its follower count, with repeats)
/// and its sketch ([`SketchSet::hashes`]). Build one with [`SketchSet::from_graph`] or a
/// [`super::StreamBuilder`]; combine two with [`SketchSet::merge`]; store one with
/// [`SketchSet::write`] or serde.
#[derive(Debug, Clone)]
pub struct SketchSet {
    pub(crate) params: SketchParams,
    /// Account ids, concatenated; `name_off[i]..name_off[i + 1]` is account `i`'s.
    pub(crate) names: String,
    pub(crate) name_off: Vec<usize>,
    pub(crate) records: Vec<u64>,
    /// `offsets[i]..offsets[i + 1]` indexes account `i`'s hashes.
    pub(crate) offsets: Vec<usize>,
    pub(crate) hashes: Vec<u64>,
    /// Account indexes sorted by id, built on the first lookup.
    order: OnceLock<Vec<u32>>,
}

impl PartialEq for SketchSet {
    fn eq(&self, o: &Self) -> bool {
        self.params == o.params
            && self.names == o.names
            && self.name_off == o.name_off
            && self.records == o.records
            && self.offsets == o.offsets
            && self.hashes == o.hashes
    }
}

/// One account's sketch, as serde and the merge see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AccountSketch {
    pub(crate) account: String,
    pub(crate) records: u64,
    pub(crate) hashes: Vec<u64>,
}

#[derive(Deserialize)]
struct SetRepr {
    params: SketchParams,
    accounts: Vec<AccountSketch>,
}

impl Serialize for SketchSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let accounts: Vec<AccountSketch> = (0..self.len()).map(|i| self.entry(i)).collect();
        let mut st = s.serialize_struct("SketchSet", 2)?;
        st.serialize_field("params", &self.params)?;
        st.serialize_field("accounts", &accounts)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for SketchSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let r = SetRepr::deserialize(d)?;
        SketchSet::from_entries(r.params, r.accounts, "serde").map_err(serde::de::Error::custom)
    }
}

impl SketchSet {
    /// Assembles a set from its parts (checked by the callers that read untrusted data).
    pub(crate) fn from_parts(
        params: SketchParams,
        names: String,
        name_off: Vec<usize>,
        records: Vec<u64>,
        offsets: Vec<usize>,
        hashes: Vec<u64>,
    ) -> Self {
        SketchSet {
            params,
            names,
            name_off,
            records,
            offsets,
            hashes,
            order: OnceLock::new(),
        }
    }

    /// A set from per-account entries; checks the lists and that ids are distinct.
    pub(crate) fn from_entries(
        params: SketchParams,
        entries: Vec<AccountSketch>,
        input: &str,
    ) -> Result<Self> {
        params.validate()?;
        let mut names = String::new();
        let mut name_off = vec![0];
        let mut records = Vec::with_capacity(entries.len());
        let mut offsets = vec![0];
        let mut hashes = Vec::new();
        for e in entries {
            check_list(
                &e.hashes,
                params.k(),
                input,
                &|| format!("account {}", super::format::shown(&e.account)),
                0,
            )?;
            names.push_str(&e.account);
            name_off.push(names.len());
            records.push(e.records);
            hashes.extend_from_slice(&e.hashes);
            offsets.push(hashes.len());
        }
        let set = SketchSet::from_parts(params, names, name_off, records, offsets, hashes);
        set.check_distinct(input)?;
        Ok(set)
    }

    fn check_distinct(&self, input: &str) -> Result<()> {
        let order = self.order();
        if let Some(w) = order
            .windows(2)
            .find(|w| self.account(w[0]) == self.account(w[1]))
        {
            return Err(Error::CorruptSketch {
                input: input.to_string(),
                offset: 0,
                reason: format!(
                    "account {} appears twice",
                    super::format::shown(self.account(w[0]))
                ),
            });
        }
        Ok(())
    }

    pub(crate) fn entry(&self, i: usize) -> AccountSketch {
        AccountSketch {
            account: self.account(i as u32).to_string(),
            records: self.records[i],
            hashes: self.hashes(i as u32).to_vec(),
        }
    }

    /// The parameters all sketches share.
    pub fn params(&self) -> SketchParams {
        self.params
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the set has no accounts.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// External id of account `i` (panics when `i` is out of range).
    pub fn account(&self, i: u32) -> &str {
        &self.names[self.name_off[i as usize]..self.name_off[i as usize + 1]]
    }

    /// Follow records seen for account `i`: its follower count, repeats included.
    pub fn records(&self, i: u32) -> u64 {
        self.records[i as usize]
    }

    /// Account `i`'s retained hashes, ascending.
    pub fn hashes(&self, i: u32) -> &[u64] {
        &self.hashes[self.offsets[i as usize]..self.offsets[i as usize + 1]]
    }

    /// Total hashes retained.
    pub fn total_hashes(&self) -> usize {
        self.hashes.len()
    }

    /// Account `i`'s sketch as a standalone [`Kmv`].
    pub fn kmv(&self, i: u32) -> Kmv {
        Kmv::from_hashes(self.params, self.hashes(i).to_vec())
    }

    /// Estimated audience (distinct people) of account `i`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad confidence; [`Error::UnknownNode`] for `i` out
    /// of range.
    pub fn audience(&self, i: u32, confidence: f64) -> Result<CardinalityEstimate> {
        check_confidence(confidence)?;
        self.check_indexes(&[i], "account")?;
        Ok(estimate_of(self.hashes(i), self.params.k(), confidence))
    }

    fn order(&self) -> &[u32] {
        self.order.get_or_init(|| {
            let mut o: Vec<u32> = (0..self.len() as u32).collect();
            o.par_sort_unstable_by(|&a, &b| self.account(a).cmp(self.account(b)));
            o
        })
    }

    /// Index of the account with external id `id`, if sketched.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        let id = id.trim();
        let order = self.order();
        order
            .binary_search_by(|&i| self.account(i).cmp(id))
            .ok()
            .map(|p| order[p])
    }

    /// Indexes of a list of external ids.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] for an id without a sketch; [`Error::DuplicateNode`] for a
    /// repeat.
    pub fn resolve<S: AsRef<str>>(&self, ids: &[S], what: &str) -> Result<Vec<u32>> {
        let out = ids
            .iter()
            .map(|id| {
                self.index_of(id.as_ref())
                    .ok_or_else(|| Error::UnknownNode {
                        id: id.as_ref().to_string(),
                        context: format!(" ({what}: no sketch for this account)"),
                    })
            })
            .collect::<Result<Vec<u32>>>()?;
        self.check_indexes(&out, what)?;
        Ok(out)
    }

    /// Checks a list of indexes: each in range, none repeated.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] for an index out of range; [`Error::DuplicateNode`] naming the
    /// repeated account.
    pub fn check_indexes(&self, idx: &[u32], what: &str) -> Result<()> {
        if let Some(&i) = idx.iter().find(|&&i| i as usize >= self.len()) {
            return Err(Error::UnknownNode {
                id: format!("#{i}"),
                context: format!(" ({what}: the sketch set has {} accounts)", self.len()),
            });
        }
        let mut s = idx.to_vec();
        s.sort_unstable();
        if let Some(w) = s.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateNode {
                id: self.account(w[0]).to_string(),
                what: what.to_string(),
            });
        }
        Ok(())
    }

    /// The sketches of some accounts, as a new set (in the order given).
    ///
    /// # Errors
    /// As [`SketchSet::check_indexes`]: unknown or repeated indexes.
    pub fn subset(&self, idx: &[u32]) -> Result<SketchSet> {
        self.check_indexes(idx, "subset")?;
        let entries = idx.iter().map(|&i| self.entry(i as usize)).collect();
        SketchSet::from_entries(self.params, entries, "subset")
    }

    /// The union of two sketch sets: an account in both gets the merge of its two sketches
    /// (the sketch of the union of its followers) and the sum of its records; accounts in one
    /// only are copied. The result lists accounts in id order, so `a.merge(b) == b.merge(a)`,
    /// and merges of sets built from disjoint data associate.
    ///
    /// **Records and double counting.** The sketches are idempotent (a person seen in both
    /// counts once), records are not: they add up, which is right for sets built from
    /// disjoint parts of the follow data (days, shards). An account whose two entries are
    /// identical, the same records and the same sketch, is taken to be the same data seen
    /// twice (a set merged with itself or a copy of itself, a directory listed twice) and
    /// counted once, so `a.merge(a) == a`. Overlap that is not an identical entry (shards
    /// of overlapping days) cannot be told from new data: merge disjoint parts.
    ///
    /// # Errors
    /// [`Error::IncompatibleSketches`] when the parameters differ;
    /// [`Error::InvalidAttribute`] (naming the account and both counts) when an account's
    /// records would sum past `u64::MAX`.
    pub fn merge(&self, other: &SketchSet) -> Result<SketchSet> {
        self.params.check_compatible(&other.params)?;
        let (oa, ob) = (self.order(), other.order());
        let k = self.params.k();
        let mut entries = Vec::with_capacity(oa.len().max(ob.len()));
        let (mut i, mut j) = (0, 0);
        let mut buf = Vec::new();
        while i < oa.len() || j < ob.len() {
            let a = oa.get(i).map(|&x| (self.account(x), x));
            let b = ob.get(j).map(|&x| (other.account(x), x));
            let e = match (a, b) {
                (Some((na, x)), Some((nb, y))) if na == nb => {
                    i += 1;
                    j += 1;
                    let (ra, rb) = (self.records(x), other.records(y));
                    let (ha, hb) = (self.hashes(x), other.hashes(y));
                    let records = if ra == rb && ha == hb {
                        ra
                    } else {
                        ra.checked_add(rb).ok_or_else(|| Error::InvalidAttribute {
                            column: "records".into(),
                            node: na.to_string(),
                            reason: format!(
                                "merging {ra} and {rb} follow records passes the largest \
                                 count, {}",
                                u64::MAX
                            ),
                        })?
                    };
                    merge_bottom_k(ha, hb, k, &mut buf);
                    AccountSketch {
                        account: na.to_string(),
                        records,
                        hashes: buf.clone(),
                    }
                }
                (Some((na, x)), Some((nb, _))) if na < nb => {
                    i += 1;
                    self.entry(x as usize)
                }
                (Some((_, x)), None) => {
                    i += 1;
                    self.entry(x as usize)
                }
                (_, Some((_, y))) => {
                    j += 1;
                    other.entry(y as usize)
                }
                (None, None) => break,
            };
            entries.push(e);
        }
        SketchSet::from_entries(self.params, entries, "merge")
    }

    /// This set with every sketch reduced to a smaller `lg_k`, to combine with sets built
    /// smaller.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `lg_k` is larger than this set's or out of range.
    pub fn downsample(&self, lg_k: u8) -> Result<SketchSet> {
        if lg_k > self.params.lg_k {
            return Err(Error::invalid_parameter(
                "lg_k",
                lg_k,
                format!("cannot grow sketches of lg_k {}", self.params.lg_k),
            ));
        }
        let params = SketchParams::new(lg_k, self.params.seed)?;
        let entries = (0..self.len())
            .map(|i| {
                let mut e = self.entry(i);
                bottom_k(&mut e.hashes, params.k());
                e
            })
            .collect();
        SketchSet::from_entries(params, entries, "downsample")
    }
}

impl SketchSet {
    /// The set in the binary format of [`super::format`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = super::format::Header {
            kind: super::format::KIND_KMV,
            lg_k: self.params.lg_k,
            seed: self.params.seed,
            accounts: self.len() as u64,
        };
        let entries = (0..self.len() as u32)
            .map(|i| (self.account(i), self.records(i), 8 * self.hashes(i).len()));
        super::format::write_container(header, entries, |i, out| {
            for h in self.hashes(i as u32) {
                out.extend_from_slice(&h.to_le_bytes());
            }
        })
    }

    /// Writes the set in the binary format of [`super::format`].
    ///
    /// # Errors
    /// [`Error::Io`] naming `output` when writing fails.
    pub fn write<W: std::io::Write>(&self, mut w: W, output: &str) -> Result<()> {
        w.write_all(&self.to_bytes())
            .and_then(|_| w.flush())
            .map_err(|e| Error::Io {
                input: output.to_string(),
                source: e,
            })
    }

    /// Reads a set written by [`SketchSet::write`].
    ///
    /// # Errors
    /// [`Error::Io`] when reading fails; [`Error::TruncatedSketch`] when the data end early;
    /// [`Error::CorruptSketch`] for bad magic, version, checksum, or an entry that is not a
    /// valid sketch; [`Error::IncompatibleSketches`] for a file of another sketch kind.
    pub fn read<R: std::io::Read>(reader: R, input: &str) -> Result<SketchSet> {
        SketchSet::from_bytes(&super::format::read_all(reader, input)?, input)
    }

    /// Parses a set from the bytes of [`SketchSet::to_bytes`]; errors as [`SketchSet::read`].
    pub fn from_bytes(bytes: &[u8], input: &str) -> Result<SketchSet> {
        use super::format::{kind_name, read_container, KIND_KMV};
        let (h, entries) = read_container(bytes, input)?;
        if h.kind != KIND_KMV {
            return Err(Error::IncompatibleSketches {
                what: "sketch kind".into(),
                left: kind_name(KIND_KMV).into(),
                right: kind_name(h.kind).into(),
            });
        }
        let params = SketchParams::new(h.lg_k, h.seed).map_err(|e| Error::CorruptSketch {
            input: input.to_string(),
            offset: 11,
            reason: e.to_string(),
        })?;
        let k = params.k();
        let mut names = String::new();
        let mut name_off = Vec::with_capacity(entries.len() + 1);
        let mut records = Vec::with_capacity(entries.len());
        let mut offsets = Vec::with_capacity(entries.len() + 1);
        let total: usize = entries.iter().map(|e| e.payload.len() / 8).sum();
        let mut hashes = Vec::with_capacity(total);
        name_off.push(0);
        offsets.push(0);
        for e in &entries {
            if e.payload.len() % 8 != 0 {
                return Err(Error::CorruptSketch {
                    input: input.to_string(),
                    offset: e.offset,
                    reason: format!(
                        "account {}: payload of {} bytes is not a list of 64-bit hashes",
                        super::format::shown(e.name),
                        e.payload.len()
                    ),
                });
            }
            let start = hashes.len();
            hashes.extend(
                e.payload
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8"))),
            );
            check_list(
                &hashes[start..],
                k,
                input,
                &|| format!("account {}", super::format::shown(e.name)),
                e.offset,
            )?;
            names.push_str(e.name);
            name_off.push(names.len());
            records.push(e.records);
            offsets.push(hashes.len());
        }
        let set = SketchSet::from_parts(params, names, name_off, records, offsets, hashes);
        set.check_distinct(input)?;
        Ok(set)
    }
}
