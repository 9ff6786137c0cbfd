//! `.rgraph`: the compact binary graph file, loaded by a memory map rather than a parse.
//!
//! A text edge list has to be parsed, its ids interned and its CSR arrays sorted on every
//! load, by every process (and every MPI rank). A `.rgraph` file holds the frozen arrays of a
//! [`Graph`] byte for byte as the kernels read them, so loading maps the file and checks it.
//! Pages are read from disk (or shared from the page cache) only when a kernel touches them:
//! reverse-reachable sampling never touches the out-edge arrays, and processes on one machine
//! that map one file share one copy of it.
//!
//! # Layout (version 4, little-endian; versions 1 to 3 are read too)
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..8 | magic `\x89RGRAPH\n` |
//! | 8..12 | version (`u32`, 4; 3, 2 and 1 for files written by earlier builds) |
//! | 12..16 | flags (`u32`; bit 0: the given probabilities, one per edge, are the out-order probabilities in force) |
//! | 16..24 | accounts `n` (`u64`, at most `u32::MAX`) |
//! | 24..32 | edges `m` (`u64`, at most `u32::MAX`) |
//! | 32..36 | number of sections (`u32`) |
//! | 36..40 | CRC-32 of bytes 0..36, 40..64 and the section table |
//! | 40..64 | zero |
//! | 64.. | section table: per section `kind u32, element size u32, offset u64, length u64, CRC-32 u32, zero u32` |
//!
//! Each section starts at a multiple of 64 bytes; the bytes between sections are zero and the
//! file ends where its last section does. Sections ([`SectionKind`]): the CSR arrays
//! (`out_offsets`, `in_offsets` as `u64`; `out_targets`, `in_sources` as `u32`), the in → out
//! slot map `in_to_out` (`u32`; from version 3 present exactly when the file holds given
//! probabilities one per edge, flag bit 0 or a `given_probs` section, the one use of the map;
//! in versions 1 and 2 always), the probabilities in force in both edge orders (`f32`, absent
//! when every edge has one probability: a constant scheme, or the given probabilities when
//! they are one value; those are computed at load), the probabilities the input gave, one per
//! edge (when they are not the ones in force) or, from version 4, as `given_same` (one `f32`)
//! when the input gave every edge the same one, the weight scheme in force (text), the external
//! ids (`i64` when every id is an `i64` integer; else text with `u64` offsets; absent when the
//! ids are `0..n` themselves) and the node attributes: from version 2 one typed column per
//! attribute (`attr_*`: codes `u32`, numbers `f32`/`f64`/`u64`, tiers `u8`, plus the names of
//! each categorical column), each absent when every account has that attribute's default; in
//! version 1 one section holding the CSV of [`io::write_attributes`].
//!
//! Version 3 differs from version 2 only in leaving `in_to_out` out of files without given
//! probabilities (4 bytes per edge: 4.0 GB of a billion-edge file); the version was raised
//! because a version-2 reader requires the section. A graph read without the map builds it
//! from the two CSR directions on first use ([`Topology::in_to_out`]).
//!
//! Version 4 adds the `given_same` section: an edge list whose given probabilities are all one
//! value, bit for bit (the constant `1` that `generate` writes in an edge list's third column),
//! is stored with that value once instead of a per-edge column, without `in_to_out`, and,
//! when the given probabilities are in force, without the two arrays of probabilities in force
//! (12 bytes per edge fewer than version 3 under the given probabilities: 1.2 GB at 100M
//! edges). The graph read back holds the value once ([`Graph::has_per_edge_given_probabilities`]
//! is false) and its kernels read it as they read a constant scheme, with the same answers as
//! from per-edge arrays of that value. Files whose given probabilities differ are laid out as
//! in version 3. Every writer (this module's, and the streamed one of
//! [`rgraph_build`](crate::rgraph_build), which tracks whether the merged probabilities are one
//! value as it writes them) makes the same bytes. Version 4 also adds `ids_int_order` (`u32`
//! per account) beside integer ids that are not increasing (those `convert` writes in the order
//! it met them): the dense ids in increasing id order, which the load checks in one pass
//! instead of sorting a copy of the ids, and which lookups then binary-search instead of
//! building a hash map (see Checks). The version was raised because a version-3 reader rejects
//! the unknown sections. Compatibility rule: a change that an older reader would
//! misread or reject raises the version; this build reads every version from
//! [`OLDEST_VERSION`] to [`VERSION`] and writes [`VERSION`] only.
//!
//! Version 2 reads attributes by dense id, in place: no CSV parse, no id lookup (so the id
//! index stays unbuilt), no copy of a column, no default columns or identity people built
//! first and then replaced. Version 1's CSV is parsed as an attribute file is (each row's id looked up,
//! which builds the id index).
//!
//! # Checks
//! Structure is always checked on load: every section inside the file, of the length the
//! counts give, aligned; offsets non-decreasing from 0 to `m`; every id below `n`; adjacency
//! lists strictly increasing without self-loops; the in-arrays the out-arrays' transpose (and,
//! when the file holds `in_to_out`, every in-edge slot naming an out-edge slot below `m` with
//! the same source and target); every probability in [0, 1] (`given_same` too, and never beside
//! a per-edge given column). Each array is read once, in order
//! (it touches every page once, and gives the pages back behind each window), and it is what
//! lets the kernels index the arrays without a bounds failure.
//!
//! The transpose rule is checked without a random access per edge: the pass over the
//! out-arrays sums a keyed 64-bit hash of every out-edge's `(source, target)` and the pass over
//! the in-arrays sums the same hash of every in-edge's `(source, target)` (wrapping sums). The
//! key is drawn fresh per load from the operating system's randomness, after the file was
//! written. Each side is a set of `m` distinct pairs (lists strictly increasing), so the sums of
//! a file whose in-side is not the out-side's transpose differ unless the hash collides: for a
//! hash modelled as a random function, a bad file is accepted with probability 2^-64 per load
//! (see `EdgeKey`; the hash is one round of a 64-bit mixing finaliser over the keyed pair:
//! fast, not cryptographic). This fingerprint alone is the proof that the in-CSR is the
//! transpose; no per-edge map is needed for it. When the file holds `in_to_out`, the hash is
//! of `(source, target, slot)` instead (a second round folds in each out-edge's own slot, and
//! `in_to_out[j]` on the in side), which proves the map too. When the sums differ, a second
//! pass (random access, only on bad files) finds the first in-edge that breaks the rule, and
//! the error names its byte in `in_to_out` (or, without the map, in `in_sources`).
//!
//! CRC-32 checksums of the header and every section are verified as well unless
//! [`ReadOptions::verify_checksums`] is false. The CSR arrays and the probabilities are
//! checksummed inside their structural pass, chunk by chunk (about 64 Ki rows plus edges)
//! right after the chunk's checks while it is in cache, and the chunks' CRCs are combined in
//! order, so each of their pages is faulted in and read from memory once; the other sections
//! get a streaming pass of their own first. Any error met after that first pass is reported as
//! the first section (in table order) whose checksum differs, if one does, so a corrupt file
//! gets the same error as when every checksum was verified before any structure. A truncated
//! or corrupt file is an [`Error::TruncatedGraphFile`] or [`Error::CorruptGraphFile`] naming
//! the byte.
//!
//! Every attribute column a version-2 file holds is read in place from the map, not copied:
//! the numbers (`target_weight`, `cost`, `followers`, `lean`, `turnout`, `eligible`,
//! `effect_multiplier`) and the three code columns as [`Column`](crate::Column)s, the tiers as
//! [`Tiers`](crate::attrs::Tiers), and the names of each categorical column as
//! [`Names`] (the file's text, with one 4-byte offset per name: no
//! `String` per name). Their values are checked as copied ones were.
//!
//! Integer and text ids stay sections of the mapped file: the id → dense id hash map is built
//! on the first lookup (a seed list, a candidate file), not at load, so a run that only prints
//! ids never holds it; integer ids with `ids_int_order` never build it (lookups search the
//! order). Distinct ids are checked at load: integer ids that are strictly increasing (what
//! `generate` writes when it stores ids) by one pass; integer ids with `ids_int_order` by one
//! pass that checks every entry is below `n` and the ids strictly increasing along it (so its
//! `n` entries are each dense id once and the ids are distinct: nothing of the section is
//! trusted beyond that check, and a file that fails it is sorted to tell a repeated id from a
//! bad order, each a typed error); others (text ids too) by sorting a temporary copy. The names of the attribute columns (platforms, people, jurisdictions) are
//! checked distinct by sorting keyed 64-bit hashes of them: when no two hashes are equal the
//! names are distinct; otherwise the names whose hashes are equal are compared as text.
//!
//! The file must not be modified while it is mapped (writers replace it by a rename, which
//! leaves mapped readers on the old file).

use crate::attrs::first_index;
use crate::attrs::{Attributes, Categorical, Names, Tier, NONE};
use crate::buf::{Backing, Buf, Pod};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ids::{NodeIds, NodeKey};
use crate::io;
use crate::output::AtomicFile;
use crate::topology::Topology;
use crate::weights::{Given, TierRates, WeightScheme};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The first eight bytes of every `.rgraph` file.
pub const MAGIC: [u8; 8] = *b"\x89RGRAPH\n";
/// The format version this build writes. It reads this one and every one back to
/// [`OLDEST_VERSION`] (see the module docs for what each changed).
pub const VERSION: u32 = 4;
/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 1;
pub(crate) const HEADER_LEN: usize = 64;
pub(crate) const ENTRY_LEN: usize = 32;
pub(crate) const ALIGN: usize = 64;
const MAX_SECTIONS: usize = 32;
/// Flag: the given probabilities are the out-order probabilities in force.
pub(crate) const FLAG_GIVEN_IN_FORCE: u32 = 1;

/// The sections of a file (each kind's versions are in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SectionKind {
    /// `u64 × (n + 1)`: out-edge offsets.
    OutOffsets = 1,
    /// `u32 × m`: out-edge targets (followers), grouped by source.
    OutTargets = 2,
    /// `u64 × (n + 1)`: in-edge offsets.
    InOffsets = 3,
    /// `u32 × m`: in-edge sources, grouped by target.
    InSources = 4,
    /// `u32 × m`: for each in-edge slot, its out-edge slot (from version 3 only in files with
    /// given probabilities).
    InToOut = 5,
    /// `f32 × m`: probabilities in force, out-edge order.
    OutProbs = 6,
    /// `f32 × m`: probabilities in force, in-edge order.
    InProbs = 7,
    /// `f32 × m`: the input's probabilities (out-edge order) when not the ones in force.
    GivenProbs = 8,
    /// Text: the weight scheme in force.
    Scheme = 9,
    /// `i64 × n`: external integer ids.
    IdsInt = 10,
    /// `u64 × (n + 1)`: offsets of the text ids in [`SectionKind::IdsText`].
    IdsTextOffsets = 11,
    /// Bytes: the text ids, concatenated.
    IdsText = 12,
    /// Text: the node-attribute CSV (version 1 only; version 2 stores typed columns).
    Attributes = 13,
    /// `u32 × n`: platform code per account (`u32::MAX`: none). Version 2 on, as every
    /// attribute column below; a column absent holds its default for every account.
    AttrPlatform = 14,
    /// Names of the platform codes (see [`SectionKind::AttrPersonNames`] for the encoding).
    AttrPlatformNames = 15,
    /// `u32 × n`: person code per account (`u32::MAX`: its own person).
    AttrPerson = 16,
    /// Names of the person codes: per name a `u32` byte length, then its UTF-8 bytes.
    AttrPersonNames = 17,
    /// `u32 × n`: jurisdiction code per account (`u32::MAX`: none).
    AttrJurisdiction = 18,
    /// Names of the jurisdiction codes.
    AttrJurisdictionNames = 19,
    /// `f32 × n`: target weight.
    AttrTargetWeight = 20,
    /// `f64 × n`: cost (NaN: not for hire).
    AttrCost = 21,
    /// `u64 × n`: follower count (`u64::MAX`: not given).
    AttrFollowers = 22,
    /// `u8 × n`: tier (0 nano .. 4 mega; 255: not given).
    AttrTier = 23,
    /// `f64 × n`: lean (NaN: not given).
    AttrLean = 24,
    /// `f64 × n`: turnout (NaN: not given).
    AttrTurnout = 25,
    /// `f64 × n`: eligible share (NaN: not given).
    AttrEligible = 26,
    /// `f64 × n`: effect multiplier (NaN: not given).
    AttrEffectMultiplier = 27,
    /// `f32 × 1`: the one probability the input gave every edge, in place of a per-edge
    /// column (version 4 on).
    GivenSame = 28,
    /// `u32 × n`: the dense ids in strictly increasing order of their [`SectionKind::IdsInt`]
    /// ids, when those are not increasing themselves (version 4 on). Checked at load, it proves
    /// the ids distinct in one pass and serves lookups by binary search.
    IdsIntOrder = 29,
}

impl SectionKind {
    fn from_u32(k: u32) -> Option<SectionKind> {
        use SectionKind::*;
        Some(match k {
            1 => OutOffsets,
            2 => OutTargets,
            3 => InOffsets,
            4 => InSources,
            5 => InToOut,
            6 => OutProbs,
            7 => InProbs,
            8 => GivenProbs,
            9 => Scheme,
            10 => IdsInt,
            11 => IdsTextOffsets,
            12 => IdsText,
            13 => Attributes,
            14 => AttrPlatform,
            15 => AttrPlatformNames,
            16 => AttrPerson,
            17 => AttrPersonNames,
            18 => AttrJurisdiction,
            19 => AttrJurisdictionNames,
            20 => AttrTargetWeight,
            21 => AttrCost,
            22 => AttrFollowers,
            23 => AttrTier,
            24 => AttrLean,
            25 => AttrTurnout,
            26 => AttrEligible,
            27 => AttrEffectMultiplier,
            28 => GivenSame,
            29 => IdsIntOrder,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        use SectionKind::*;
        match self {
            OutOffsets => "out_offsets",
            OutTargets => "out_targets",
            InOffsets => "in_offsets",
            InSources => "in_sources",
            InToOut => "in_to_out",
            OutProbs => "out_probs",
            InProbs => "in_probs",
            GivenProbs => "given_probs",
            Scheme => "scheme",
            IdsInt => "ids_int",
            IdsTextOffsets => "ids_text_offsets",
            IdsText => "ids_text",
            Attributes => "attributes",
            AttrPlatform => "attr_platform",
            AttrPlatformNames => "attr_platform_names",
            AttrPerson => "attr_person",
            AttrPersonNames => "attr_person_names",
            AttrJurisdiction => "attr_jurisdiction",
            AttrJurisdictionNames => "attr_jurisdiction_names",
            AttrTargetWeight => "attr_target_weight",
            AttrCost => "attr_cost",
            AttrFollowers => "attr_followers",
            AttrTier => "attr_tier",
            AttrLean => "attr_lean",
            AttrTurnout => "attr_turnout",
            AttrEligible => "attr_eligible",
            AttrEffectMultiplier => "attr_effect_multiplier",
            GivenSame => "given_same",
            IdsIntOrder => "ids_int_order",
        }
    }

    /// True for the sections whose checksum the structural checks compute in their own pass
    /// over the section (the CSR arrays and the probabilities), so each page is read once.
    fn checked_in_pass(self) -> bool {
        use SectionKind::*;
        matches!(
            self,
            OutOffsets
                | OutTargets
                | InOffsets
                | InSources
                | InToOut
                | OutProbs
                | InProbs
                | GivenProbs
        )
    }

    /// The format versions that may hold this section.
    fn versions(self) -> std::ops::RangeInclusive<u32> {
        use SectionKind::*;
        match self {
            Attributes => 1..=1,
            AttrPlatform
            | AttrPlatformNames
            | AttrPerson
            | AttrPersonNames
            | AttrJurisdiction
            | AttrJurisdictionNames
            | AttrTargetWeight
            | AttrCost
            | AttrFollowers
            | AttrTier
            | AttrLean
            | AttrTurnout
            | AttrEligible
            | AttrEffectMultiplier => 2..=VERSION,
            GivenSame | IdsIntOrder => 4..=VERSION,
            _ => 1..=VERSION,
        }
    }

    /// Element size and, for arrays, the element count the header's counts give.
    fn shape(self, n: u64, m: u64) -> (u32, Option<u64>) {
        use SectionKind::*;
        match self {
            OutOffsets | InOffsets | IdsTextOffsets => (8, Some(n + 1)),
            OutTargets | InSources | InToOut => (4, Some(m)),
            OutProbs | InProbs | GivenProbs => (4, Some(m)),
            GivenSame => (4, Some(1)),
            IdsInt => (8, Some(n)),
            IdsIntOrder => (4, Some(n)),
            AttrPlatform | AttrPerson | AttrJurisdiction | AttrTargetWeight => (4, Some(n)),
            AttrCost | AttrFollowers | AttrLean | AttrTurnout | AttrEligible
            | AttrEffectMultiplier => (8, Some(n)),
            AttrTier => (1, Some(n)),
            Scheme
            | IdsText
            | Attributes
            | AttrPlatformNames
            | AttrPersonNames
            | AttrJurisdictionNames => (1, None),
        }
    }
}

/// How to read a `.rgraph` file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// Verify the CRC-32 of the header and of every section (default true). Structure is
    /// checked either way.
    pub verify_checksums: bool,
    /// The weight scheme wanted. When it is the one stored, the stored probabilities are
    /// mapped; otherwise they are computed for it directly (never first filled with the stored
    /// ones). `None`: the stored scheme.
    pub weights: Option<WeightScheme>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            verify_checksums: true,
            weights: None,
        }
    }
}

/// True when `bytes` begin with the `.rgraph` magic.
pub fn has_magic(bytes: &[u8]) -> bool {
    bytes.len() >= MAGIC.len() && bytes[..MAGIC.len()] == MAGIC
}

/// True when the file at `path` begins with the `.rgraph` magic (whatever its name).
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read.
pub fn is_rgraph_file(path: &Path) -> Result<bool> {
    use std::io::Read;
    let input = path.display().to_string();
    let io_err = |source| Error::Io {
        input: input.clone(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io_err)?;
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(e)),
        }
    }
    Ok(has_magic(&head[..got]))
}

/// Maps and checks the `.rgraph` file at `path`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or mapped; [`Error::TruncatedGraphFile`] and
/// [`Error::CorruptGraphFile`] for a file that is not a whole, valid graph file; the errors of
/// [`Graph::set_weights`] for `options.weights`.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Graph> {
    let input = path.display().to_string();
    let io_err = |source| Error::Io {
        input: input.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    // SAFETY: the map is read-only; the module docs require that the file is not modified
    // while mapped (writers replace files by rename, which leaves this mapping on the old one).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err)?;
    parse(Arc::new(Backing::Map(map)), &input, options)
}

/// Reads a graph from the bytes of a `.rgraph` file (copied into aligned memory); `input`
/// names them in errors.
///
/// # Errors
/// As [`read`].
pub fn from_bytes(bytes: &[u8], input: &str, options: &ReadOptions) -> Result<Graph> {
    let mut words = vec![0u64; bytes.len().div_ceil(8)];
    for (w, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        *w = u64::from_ne_bytes(b);
    }
    parse(Arc::new(Backing::Heap(words, bytes.len())), input, options)
}

/// Writes `graph` to `path` as a `.rgraph` file, whole or not at all (a temporary file renamed
/// into place).
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn write(graph: &Graph, path: &Path) -> Result<()> {
    let input = path.display().to_string();
    let io_err = |source| Error::Io {
        input: input.clone(),
        source,
    };
    let mut f = AtomicFile::create(path).map_err(io_err)?;
    write_to(graph, &mut f, VERSION).map_err(io_err)?;
    f.commit().map_err(io_err)
}

/// The bytes of `graph` as a `.rgraph` file.
pub fn to_bytes(graph: &Graph) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(graph, &mut out, VERSION).expect("writing to a Vec cannot fail");
    out
}

/// The bytes of `graph` as a version-1 file (attributes as CSV), to test reading old files.
#[cfg(test)]
pub(crate) fn to_bytes_v1(graph: &Graph) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(graph, &mut out, 1).expect("writing to a Vec cannot fail");
    out
}

/// The bytes of `graph` as a version-2 file (the in → out map always held), to test reading
/// old files.
#[cfg(test)]
pub(crate) fn to_bytes_v2(graph: &Graph) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(graph, &mut out, 2).expect("writing to a Vec cannot fail");
    out
}

/// The bytes of `graph` as a version-3 file (given probabilities always one per edge), to test
/// reading old files.
#[cfg(test)]
pub(crate) fn to_bytes_v3(graph: &Graph) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(graph, &mut out, 3).expect("writing to a Vec cannot fail");
    out
}

fn as_bytes<T: Pod>(s: &[T]) -> &[u8] {
    // SAFETY: `T` is a plain number type without padding; any initialised `T` is valid bytes.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

fn f64_bytes(s: &[f64]) -> &[u8] {
    // SAFETY: f64 has no padding and any initialised f64 is 8 valid bytes.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

/// The text of a weight scheme as stored (`tier:R0,R1,R2,R3,R4` keeps custom tier rates).
pub(crate) fn scheme_text(s: &WeightScheme) -> String {
    match s {
        WeightScheme::Given => "given".into(),
        WeightScheme::WeightedCascade => "wc".into(),
        WeightScheme::Constant { p } => format!("const:{p}"),
        WeightScheme::Trivalency { seed } => format!("trivalency:{seed}"),
        WeightScheme::TierRates { rates } => {
            let r: Vec<String> = rates.rates.iter().map(f32::to_string).collect();
            format!("tier:{}", r.join(","))
        }
    }
}

fn parse_scheme(text: &str) -> Option<WeightScheme> {
    if let Some(rest) = text.strip_prefix("tier:") {
        let mut rates = [0f32; 5];
        let parts: Vec<&str> = rest.split(',').collect();
        if parts.len() != rates.len() {
            return None;
        }
        for (r, p) in rates.iter_mut().zip(parts) {
            *r = p.parse().ok().filter(|x: &f32| (0.0..=1.0).contains(x))?;
        }
        return Some(WeightScheme::TierRates {
            rates: TierRates { rates },
        });
    }
    text.parse().ok()
}

fn write_to<W: Write>(graph: &Graph, w: &mut W, version: u32) -> std::io::Result<()> {
    if cfg!(target_endian = "big") || usize::BITS != 64 {
        return Err(std::io::Error::other(
            ".rgraph files are written on 64-bit little-endian machines only",
        ));
    }
    let topo = graph.topology();
    let scheme = graph.weight_scheme();
    let given = graph.given();
    // From version 4, given probabilities that are all one value are stored as that value
    // (`given_same`), and then neither as a column nor with the in -> out map.
    let same = given.filter(|_| version >= 4).and_then(Given::uniform);
    let per_edge_given: Option<std::borrow::Cow<'_, [f32]>> = match given {
        _ if same.is_some() => None,
        Some(Given::PerEdge(b)) => Some((&b[..]).into()),
        Some(Given::Same(p)) => Some(vec![*p; graph.edge_count()].into()),
        None => None,
    };
    let given_in_force = matches!(scheme, WeightScheme::Given);
    let stored_probs = stores_probabilities(scheme, same.is_some());
    let (out_probs, in_probs) = if stored_probs {
        graph.probability_arrays()
    } else {
        (&[][..], &[][..])
    };
    let mut flags = 0;
    let scheme_bytes = scheme_text(scheme).into_bytes();
    let mut sections: Vec<(SectionKind, u32, std::borrow::Cow<'_, [u8]>)> = vec![
        (
            SectionKind::OutOffsets,
            8,
            as_bytes(topo.out_offsets()).into(),
        ),
        (
            SectionKind::OutTargets,
            4,
            as_bytes(topo.out_targets()).into(),
        ),
        (
            SectionKind::InOffsets,
            8,
            as_bytes(topo.in_offsets()).into(),
        ),
        (
            SectionKind::InSources,
            4,
            as_bytes(topo.in_sources()).into(),
        ),
    ];
    // The in -> out map is read only by per-edge given probabilities: from version 3 a file
    // holds it only when it holds them (built here if the graph does not hold it).
    if version < 3 || per_edge_given.is_some() {
        sections.push((SectionKind::InToOut, 4, as_bytes(topo.in_to_out()).into()));
    }
    sections.push((SectionKind::Scheme, 1, scheme_bytes.into()));
    if stored_probs {
        sections.push((SectionKind::OutProbs, 4, as_bytes(out_probs).into()));
        sections.push((SectionKind::InProbs, 4, as_bytes(in_probs).into()));
    }
    if let Some(g) = &per_edge_given {
        if given_in_force {
            flags |= FLAG_GIVEN_IN_FORCE;
        } else {
            sections.push((SectionKind::GivenProbs, 4, as_bytes(&g[..]).into()));
        }
    }
    if let Some(p) = same {
        sections.push((SectionKind::GivenSame, 4, p.to_le_bytes().to_vec().into()));
    }
    let n = graph.node_count();
    let ids = graph.ids();
    if !ids.is_identity() {
        let keys: Vec<NodeKey> = (0..n as u32).map(|i| ids.key(i)).collect();
        if keys.iter().all(|k| matches!(k, NodeKey::Int(_))) {
            let ints: Vec<i64> = keys
                .iter()
                .map(|k| match k {
                    NodeKey::Int(v) => *v,
                    _ => unreachable!("checked above"),
                })
                .collect();
            let order = (version >= 4).then(|| int_id_order(&ints)).flatten();
            sections.push((SectionKind::IdsInt, 8, as_bytes(&ints).to_vec().into()));
            if let Some(order) = order {
                sections.push((
                    SectionKind::IdsIntOrder,
                    4,
                    as_bytes(&order).to_vec().into(),
                ));
            }
        } else {
            let mut offsets = Vec::with_capacity(n + 1);
            let mut text = Vec::new();
            offsets.push(0u64);
            for k in &keys {
                text.extend_from_slice(k.to_string().as_bytes());
                offsets.push(text.len() as u64);
            }
            sections.push((
                SectionKind::IdsTextOffsets,
                8,
                as_bytes(&offsets).to_vec().into(),
            ));
            sections.push((SectionKind::IdsText, 1, text.into()));
        }
    }
    if version == 1 {
        if *graph.attributes() != Attributes::new(n) {
            let mut csv = Vec::new();
            io::write_attributes(graph, &mut csv)?;
            sections.push((SectionKind::Attributes, 1, csv.into()));
        }
    } else {
        attribute_sections(graph.attributes(), &mut sections);
    }

    let table_end = HEADER_LEN + ENTRY_LEN * sections.len();
    let mut table = Vec::with_capacity(ENTRY_LEN * sections.len());
    let mut pos = table_end.next_multiple_of(ALIGN);
    let mut starts = Vec::with_capacity(sections.len());
    for (kind, size, bytes) in &sections {
        starts.push(pos);
        table.extend_from_slice(&(*kind as u32).to_le_bytes());
        table.extend_from_slice(&size.to_le_bytes());
        table.extend_from_slice(&(pos as u64).to_le_bytes());
        table.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        table.extend_from_slice(&crc_of(bytes).to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes());
        pos = (pos + bytes.len()).next_multiple_of(ALIGN);
    }
    let mut header = [0u8; HEADER_LEN];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&version.to_le_bytes());
    header[12..16].copy_from_slice(&flags.to_le_bytes());
    header[16..24].copy_from_slice(&(n as u64).to_le_bytes());
    header[24..32].copy_from_slice(&(graph.edge_count() as u64).to_le_bytes());
    header[32..36].copy_from_slice(&(sections.len() as u32).to_le_bytes());
    let crc = header_crc(&header, &table);
    header[36..40].copy_from_slice(&crc.to_le_bytes());
    w.write_all(&header)?;
    w.write_all(&table)?;
    let mut at = table_end;
    let zeros = [0u8; ALIGN];
    for ((_, _, bytes), start) in sections.iter().zip(starts) {
        w.write_all(&zeros[..start - at])?;
        w.write_all(bytes)?;
        at = start + bytes.len();
    }
    w.flush()
}

/// The dense ids in increasing order of their integer ids `ints` (distinct), or `None` when
/// `ints` are strictly increasing already (their order is `0..n`, and a file does not store it).
pub(crate) fn int_id_order(ints: &[i64]) -> Option<Vec<u32>> {
    if ints.windows(2).all(|w| w[0] < w[1]) {
        return None;
    }
    let mut order: Vec<u32> = (0..ints.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| ints[i as usize]);
    Some(order)
}

/// Whether a file stores the probabilities in force (`out_probs`, `in_probs`) under `scheme`:
/// not when they are computed at load, under a constant or under given probabilities that are
/// one value (`given_same`).
pub(crate) fn stores_probabilities(scheme: &WeightScheme, given_same: bool) -> bool {
    match scheme {
        WeightScheme::Constant { .. } => false,
        WeightScheme::Given => !given_same,
        _ => true,
    }
}

pub(crate) type Sections<'a> = Vec<(SectionKind, u32, std::borrow::Cow<'a, [u8]>)>;

/// The names of a categorical column: per name a `u32` byte length, then its bytes.
pub(crate) fn encode_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<u8> {
    let mut out = Vec::new();
    for s in names {
        let s = s.as_ref();
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out
}

/// The version-2 attribute sections of the columns that differ from their defaults.
pub(crate) fn attribute_sections<'a>(a: &'a Attributes, sections: &mut Sections<'a>) {
    use SectionKind::*;
    for (col, codes_kind, names_kind) in [
        (&a.platform, AttrPlatform, AttrPlatformNames),
        (&a.person, AttrPerson, AttrPersonNames),
        (&a.jurisdiction, AttrJurisdiction, AttrJurisdictionNames),
    ] {
        if !col.names.is_empty() || col.codes.iter().any(|&c| c != crate::attrs::NONE) {
            sections.push((codes_kind, 4, column_bytes(&col.codes)));
            sections.push((names_kind, 1, col.names.section_bytes().into()));
        }
    }
    if a.target_weight.iter().any(|&w| w != 1.0) {
        sections.push((AttrTargetWeight, 4, column_bytes(&a.target_weight)));
    }
    if a.followers.any() {
        sections.push((AttrFollowers, 8, column_bytes(a.followers.raw())));
    }
    if a.tier.any() {
        sections.push((AttrTier, 1, column_bytes(a.tier.raw())));
    }
    for (col, kind) in [
        (a.cost.as_held(), AttrCost),
        (a.lean.as_held(), AttrLean),
        (a.turnout.as_held(), AttrTurnout),
        (a.eligible.as_held(), AttrEligible),
        (a.effect_multiplier.as_held(), AttrEffectMultiplier),
    ] {
        let Some(col) = col else { continue };
        if col.iter().any(|x| !x.is_nan()) {
            sections.push((kind, 8, f64_bytes(col).into()));
        }
    }
}

/// A column's bytes: borrowed when it holds its values (in memory or mapped), else (one value
/// for every account) written out.
fn column_bytes<T: Pod>(c: &crate::attrs::Column<T>) -> std::borrow::Cow<'_, [u8]> {
    match c.as_held() {
        Some(v) => std::borrow::Cow::Borrowed(as_bytes(v)),
        None => std::borrow::Cow::Owned(as_bytes(&c.as_slice()).to_vec()),
    }
}

/// Bytes per block of the parallel CRC.
const CRC_BLOCK: usize = 64 << 20;

/// CRC-32 of a section, computed in parallel over 64 MiB blocks and combined.
fn crc_of(bytes: &[u8]) -> u32 {
    crc_blocks(bytes, |_, _| {})
}

/// CRC-32 of `bytes` in parallel blocks; `done(start, len)` is called behind each block.
fn crc_blocks(bytes: &[u8], done: impl Fn(usize, usize) + Sync) -> u32 {
    if bytes.len() <= CRC_BLOCK {
        let h = crc32fast::hash(bytes);
        done(0, bytes.len());
        return h;
    }
    let parts: Vec<(crc32fast::Hasher, u64)> = bytes
        .par_chunks(CRC_BLOCK)
        .enumerate()
        .map(|(i, c)| {
            let h = chunk_crc(c);
            done(i * CRC_BLOCK, c.len());
            (h, c.len() as u64)
        })
        .collect();
    let mut total = crc32fast::Hasher::new();
    for (h, _) in parts {
        total.combine(&h);
    }
    total.finalize()
}

/// The CRC-32 state of one chunk of a section, to be combined in order with the others.
fn chunk_crc(bytes: &[u8]) -> crc32fast::Hasher {
    let mut h = crc32fast::Hasher::new();
    h.update(bytes);
    h
}

pub(crate) fn header_crc(header: &[u8; HEADER_LEN], table: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&header[0..36]);
    h.update(&header[40..64]);
    h.update(table);
    h.finalize()
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

struct Section {
    kind: SectionKind,
    offset: usize,
    len: usize,
    /// Byte offset of its table entry (for error messages).
    entry: usize,
}

fn parse(file: Arc<Backing>, input: &str, options: &ReadOptions) -> Result<Graph> {
    let bytes = file.bytes();
    let corrupt = |offset: usize, reason: String| Error::CorruptGraphFile {
        input: input.to_string(),
        offset: offset as u64,
        reason,
    };
    let truncated = |what: &str, expected: u64| Error::TruncatedGraphFile {
        input: input.to_string(),
        what: what.to_string(),
        expected,
        found: bytes.len() as u64,
    };
    if bytes.len() < MAGIC.len() || !has_magic(bytes) {
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Err(truncated("the magic", MAGIC.len() as u64));
        }
        return Err(corrupt(0, "not a .rgraph file (wrong magic bytes)".into()));
    }
    if bytes.len() < HEADER_LEN {
        return Err(truncated("the header", HEADER_LEN as u64));
    }
    if cfg!(target_endian = "big") || usize::BITS != 64 {
        return Err(corrupt(
            0,
            ".rgraph files are read on 64-bit little-endian machines only".into(),
        ));
    }
    let version = le_u32(bytes, 8);
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(corrupt(
            8,
            format!(
                "format version {version}; this build reads versions {OLDEST_VERSION} to {VERSION}"
            ),
        ));
    }
    let flags = le_u32(bytes, 12);
    if flags & !FLAG_GIVEN_IN_FORCE != 0 {
        return Err(corrupt(12, format!("unknown flags {flags:#x}")));
    }
    let n = le_u64(bytes, 16);
    let m = le_u64(bytes, 24);
    if n > u32::MAX as u64 {
        return Err(corrupt(
            16,
            format!("{n} accounts; at most {} fit", u32::MAX),
        ));
    }
    if m > u32::MAX as u64 {
        return Err(corrupt(24, format!("{m} edges; at most {} fit", u32::MAX)));
    }
    let count = le_u32(bytes, 32) as usize;
    if count > MAX_SECTIONS {
        return Err(corrupt(
            32,
            format!("{count} sections; a version-{VERSION} file has at most {MAX_SECTIONS}"),
        ));
    }
    if bytes[40..64].iter().any(|&b| b != 0) {
        return Err(corrupt(40, "reserved header bytes are not zero".into()));
    }
    let table_end = HEADER_LEN + ENTRY_LEN * count;
    if bytes.len() < table_end {
        return Err(truncated("the section table", table_end as u64));
    }
    if options.verify_checksums {
        let header: &[u8; HEADER_LEN] = bytes[..HEADER_LEN].try_into().expect("64 bytes");
        let stored = le_u32(bytes, 36);
        let found = header_crc(header, &bytes[HEADER_LEN..table_end]);
        if stored != found {
            return Err(corrupt(
                36,
                format!("header checksum {found:08x} does not match the stored {stored:08x}"),
            ));
        }
    }
    let mut sections: Vec<Section> = Vec::with_capacity(count);
    for i in 0..count {
        let e = HEADER_LEN + ENTRY_LEN * i;
        let Some(kind) = SectionKind::from_u32(le_u32(bytes, e)) else {
            return Err(corrupt(
                e,
                format!("unknown section kind {}", le_u32(bytes, e)),
            ));
        };
        if sections.iter().any(|s| s.kind == kind) {
            return Err(corrupt(e, format!("section {} appears twice", kind.name())));
        }
        if !kind.versions().contains(&version) {
            return Err(corrupt(
                e,
                format!(
                    "section {} cannot appear in a version-{version} file",
                    kind.name()
                ),
            ));
        }
        let (size, elems) = kind.shape(n, m);
        if le_u32(bytes, e + 4) != size {
            return Err(corrupt(
                e + 4,
                format!(
                    "section {} has element size {}, expected {size}",
                    kind.name(),
                    le_u32(bytes, e + 4)
                ),
            ));
        }
        let offset = le_u64(bytes, e + 8);
        let len = le_u64(bytes, e + 16);
        if let Some(elems) = elems {
            if len != elems * size as u64 {
                return Err(corrupt(
                    e + 16,
                    format!(
                        "section {} is {len} bytes; {elems} elements of {size} bytes expected",
                        kind.name()
                    ),
                ));
            }
        }
        if offset % ALIGN as u64 != 0 || offset < table_end as u64 {
            return Err(corrupt(
                e + 8,
                format!(
                    "section {} starts at byte {offset}, not a multiple of {ALIGN} after the table",
                    kind.name()
                ),
            ));
        }
        let end = offset
            .checked_add(len)
            .ok_or_else(|| corrupt(e + 16, format!("section {} length overflows", kind.name())))?;
        if end > bytes.len() as u64 {
            return Err(truncated(&format!("section {}", kind.name()), end));
        }
        if le_u32(bytes, e + 28) != 0 {
            return Err(corrupt(e + 28, "reserved table bytes are not zero".into()));
        }
        sections.push(Section {
            kind,
            offset: offset as usize,
            len: len as usize,
            entry: e,
        });
    }
    // Sections in file order: no overlap, zero padding between, nothing after the last.
    let mut order: Vec<&Section> = sections.iter().collect();
    order.sort_by_key(|s| s.offset);
    let mut at = table_end;
    for s in &order {
        if s.offset < at {
            return Err(corrupt(
                s.entry + 8,
                format!("section {} overlaps the one before it", s.kind.name()),
            ));
        }
        if let Some(i) = bytes[at..s.offset].iter().position(|&b| b != 0) {
            return Err(corrupt(
                at + i,
                "padding between sections is not zero".into(),
            ));
        }
        at = s.offset + s.len;
    }
    if at != bytes.len() {
        return Err(corrupt(
            at,
            format!(
                "{} bytes after the last section",
                bytes.len().saturating_sub(at)
            ),
        ));
    }
    // The sections the structural checks read in order (the CSR arrays and the probabilities)
    // have their checksums computed in the same pass, chunk by chunk while the chunk is in
    // cache, so each of their pages is faulted in once; the others are verified here. Any error
    // found after this point is first checked against every section's checksum in table order
    // (`first_checksum_error`), so a corrupt file gets the error it got when all checksums were
    // verified before any structure.
    if options.verify_checksums {
        let unfused = sections.iter().filter(|s| !s.kind.checked_in_pass());
        if unfused
            .clone()
            .any(|s| section_crc(&file, s) != le_u32(bytes, s.entry + 24))
        {
            return Err(first_checksum_error(&file, &sections, &corrupt)
                .expect("a checksum differs, so the first one that differs is found"));
        }
    }
    let checked = parse_checked(
        &file, input, options, &sections, version, flags, n, m, &corrupt,
    );
    match checked {
        Err(e) if options.verify_checksums => {
            Err(first_checksum_error(&file, &sections, &corrupt).unwrap_or(e))
        }
        r => r,
    }
}

/// CRC-32 of a section, its pages given back behind each block (see `Backing::release`).
fn section_crc(file: &Backing, s: &Section) -> u32 {
    crc_blocks(&file.bytes()[s.offset..s.offset + s.len], |at, len| {
        file.release(s.offset + at, len)
    })
}

/// The error of the first section (in table order) whose checksum differs from the stored one.
fn first_checksum_error(
    file: &Backing,
    sections: &[Section],
    corrupt: &dyn Fn(usize, String) -> Error,
) -> Option<Error> {
    sections
        .iter()
        .find_map(|s| checksum_error(s, section_crc(file, s), file.bytes(), corrupt))
}

/// The error for a section whose checksum, computed by a check pass, is not the stored one
/// (`None` when it is).
fn checksum_error(
    s: &Section,
    found: u32,
    bytes: &[u8],
    corrupt: &dyn Fn(usize, String) -> Error,
) -> Option<Error> {
    let stored = le_u32(bytes, s.entry + 24);
    (stored != found).then(|| {
        corrupt(
            s.offset,
            format!(
                "section {} checksum {found:08x} does not match the stored {stored:08x}",
                s.kind.name()
            ),
        )
    })
}

/// The load after the header, the table and the checksums of the sections not checked in a
/// pass: the structural checks (with the other checksums when `options.verify_checksums`),
/// ids, attributes, weights.
#[allow(clippy::too_many_arguments)]
fn parse_checked(
    file: &Arc<Backing>,
    input: &str,
    options: &ReadOptions,
    sections: &[Section],
    version: u32,
    flags: u32,
    n: u64,
    m: u64,
    corrupt: &dyn Fn(usize, String) -> Error,
) -> Result<Graph> {
    let bytes = file.bytes();
    let crc = options.verify_checksums;
    let find = |k: SectionKind| sections.iter().find(|s| s.kind == k);
    let need = |k: SectionKind| {
        find(k).ok_or_else(|| corrupt(32, format!("the file has no {} section", k.name())))
    };
    let (n, m) = (n as usize, m as usize);
    let arr_u32 = |s: &Section| Buf::<u32>::mapped(file, s.offset, s.len / 4);
    let arr_usize = |s: &Section| Buf::<usize>::mapped(file, s.offset, s.len / 8);
    let arr_f32 = |s: &Section| Buf::<f32>::mapped(file, s.offset, s.len / 4);
    let text = |s: &Section| {
        std::str::from_utf8(&bytes[s.offset..s.offset + s.len])
            .map_err(|e| {
                corrupt(
                    s.offset + e.valid_up_to(),
                    format!("section {} is not UTF-8", s.kind.name()),
                )
            })
            .map(str::to_string)
    };

    let out_offsets_s = need(SectionKind::OutOffsets)?;
    let out_targets_s = need(SectionKind::OutTargets)?;
    let in_offsets_s = need(SectionKind::InOffsets)?;
    let in_sources_s = need(SectionKind::InSources)?;
    // The in -> out map: in every version-1 and version-2 file; from version 3 only in a file
    // with per-edge given probabilities (the one use of the map), and never in another (from
    // version 4 given probabilities that are one value, `given_same`, go without it).
    let has_given = flags & FLAG_GIVEN_IN_FORCE != 0 || find(SectionKind::GivenProbs).is_some();
    let in_to_out_s = find(SectionKind::InToOut);
    let map_wanted = version < 3 || has_given;
    if map_wanted {
        need(SectionKind::InToOut)?;
    } else if let Some(s) = in_to_out_s {
        return Err(corrupt(
            s.entry,
            format!(
                "section in_to_out in a version-{version} file without per-edge given probabilities"
            ),
        ));
    }
    let out_offsets = arr_usize(out_offsets_s);
    let out_targets = arr_u32(out_targets_s);
    let in_offsets = arr_usize(in_offsets_s);
    let in_sources = arr_u32(in_sources_s);
    let in_to_out = in_to_out_s.map(arr_u32);
    // The in-arrays must be the transpose of the out-arrays (and in -> out, when the file
    // holds it, must map each in-slot to the out-slot of the same edge). Checked without a
    // random access per edge: each CSR pass below reads its arrays once, in order, and sums a
    // keyed hash of every edge's (source, target) pair, or (source, target, out-slot) triple
    // with the map; the two sums agree exactly when the in-side multiset is the out-side one
    // (see `EdgeKey`), which is the rule. Only when they differ does a second, random-access
    // pass find the slot to name.
    let key = EdgeKey::fresh();
    let out_sum = check_csr(
        file,
        &out_offsets,
        &out_targets,
        if in_to_out.is_some() {
            Slots::OutTriples
        } else {
            Slots::OutPairs
        },
        m,
        (out_offsets_s, out_targets_s, None),
        &key,
        crc,
        corrupt,
    )?;
    let in_sum = check_csr(
        file,
        &in_offsets,
        &in_sources,
        match &in_to_out {
            Some(map) => Slots::InTriples(map),
            None => Slots::InPairs,
        },
        m,
        (in_offsets_s, in_sources_s, in_to_out_s),
        &key,
        crc,
        corrupt,
    )?;
    if in_sum != out_sum {
        // The first in-slot `j` (of target row `v`) for which `bad(j, v)` holds.
        let first_in_edge = |bad: &(dyn Fn(usize, usize) -> bool + Sync)| {
            (0..n)
                .into_par_iter()
                .find_map_first(|v| (in_offsets[v]..in_offsets[v + 1]).find(|&j| bad(j, v)))
        };
        let j = match (&in_to_out, in_to_out_s) {
            (Some(in_to_out), Some(map_s)) => {
                let named = |j: usize, v: usize| {
                    let e = in_to_out[j] as usize;
                    e >= m || out_targets[e] as usize != v || {
                        let u = in_sources[j] as usize;
                        !(out_offsets[u] <= e && e < out_offsets[u + 1])
                    }
                };
                first_in_edge(&named).map(|j| {
                    corrupt(
                        map_s.offset + 4 * j,
                        format!("in-edge slot {j} does not name the out-edge it stands for"),
                    )
                })
            }
            _ => {
                // Both sides hold m distinct pairs (lists strictly increasing), so some in-edge
                // is missing from the out-edges: the first one is named in in_sources.
                let missing = |j: usize, v: usize| {
                    let u = in_sources[j] as usize;
                    out_targets[out_offsets[u]..out_offsets[u + 1]]
                        .binary_search(&(v as u32))
                        .is_err()
                };
                first_in_edge(&missing).map(|j| {
                    corrupt(
                        in_sources_s.offset + 4 * j,
                        format!(
                            "in-edge {j} ({} -> {}) is not among the out-edges",
                            in_sources[j],
                            in_offsets.partition_point(|&o| o <= j) - 1
                        ),
                    )
                })
            }
        };
        file.release(0, bytes.len());
        // `None` is unreachable when the sums differ (they differ only if some slot is wrong);
        // kept as a typed error rather than a panic.
        return Err(j.unwrap_or_else(|| {
            corrupt(
                in_sources_s.offset,
                "the in-edges are not the transpose of the out-edges".into(),
            )
        }));
    }

    let stored_text = text(need(SectionKind::Scheme)?)?;
    let stored = parse_scheme(&stored_text).ok_or_else(|| {
        corrupt(
            need(SectionKind::Scheme).map(|s| s.offset).unwrap_or(0),
            format!(
                "unknown weight scheme {:?}",
                crate::error::echo(&stored_text)
            ),
        )
    })?;
    let probs = |k: SectionKind| -> Result<Option<Buf<f32>>> {
        let Some(s) = find(k) else { return Ok(None) };
        let b = arr_f32(s);
        // In [0, 1], and the checksum, per chunk while it is in cache.
        scan_section(
            file,
            s,
            &b,
            crc,
            true,
            corrupt,
            |i| !(0.0..=1.0).contains(&b[i]),
            |i| {
                corrupt(
                    s.offset + 4 * i,
                    format!("{} holds {}, not a probability in [0, 1]", k.name(), b[i]),
                )
            },
        )?;
        Ok(Some(b))
    };
    let out_probs = probs(SectionKind::OutProbs)?;
    let in_probs = probs(SectionKind::InProbs)?;
    let given_sec = probs(SectionKind::GivenProbs)?;
    // The one probability of every edge, when the input gave one value (version 4 on).
    let same = match find(SectionKind::GivenSame) {
        Some(s) => {
            let p = f32::from_le_bytes(bytes[s.offset..s.offset + 4].try_into().expect("4 bytes"));
            if !(0.0..=1.0).contains(&p) {
                return Err(corrupt(
                    s.offset,
                    format!("given_same holds {p}, not a probability in [0, 1]"),
                ));
            }
            Some((s, p))
        }
        None => None,
    };
    let given_is_scheme = matches!(stored, WeightScheme::Given);
    // No probabilities in force are stored when they are computed at load: one constant, or
    // the one given value in force.
    let computed = !stores_probabilities(&stored, same.is_some());
    if out_probs.is_some() != in_probs.is_some() || out_probs.is_some() == computed {
        return Err(corrupt(
            32,
            format!(
                "scheme {stored_text:?}{} needs {} probability sections",
                if same.is_some() {
                    " with given_same"
                } else {
                    ""
                },
                if computed { "no" } else { "both" }
            ),
        ));
    }
    let given_in_force = flags & FLAG_GIVEN_IN_FORCE != 0;
    if let Some((s, _)) = same.filter(|_| given_in_force || given_sec.is_some()) {
        return Err(corrupt(
            s.entry,
            "section given_same beside per-edge given probabilities".into(),
        ));
    }
    if given_in_force != (given_is_scheme && same.is_none())
        || (given_in_force && given_sec.is_some())
    {
        return Err(corrupt(
            12,
            "the given-probabilities flag disagrees with the stored scheme".into(),
        ));
    }
    let given = match same {
        Some((_, p)) => Some(Given::Same(p)),
        None => if given_in_force {
            out_probs.clone()
        } else {
            given_sec
        }
        .map(Given::PerEdge),
    };

    if let (Some(o), None) = (find(SectionKind::IdsIntOrder), find(SectionKind::IdsInt)) {
        return Err(corrupt(o.entry, "ids_int_order without ids_int".into()));
    }
    let ids = if let Some(s) = find(SectionKind::IdsInt) {
        let labels = Buf::<i64>::mapped(file, s.offset, n);
        // Distinct ids: strictly increasing ids (what `generate` and `convert` of a sorted
        // input write) are distinct, checked in one sequential pass. So are ids along which
        // `ids_int_order` is strictly increasing, with every entry below `n` (two equal
        // entries would name one id twice, so the `n` entries are each dense id once): one
        // pass, and nothing of the section is trusted beyond it. Otherwise by sorting a copy
        // that is freed at once. The id → dense id index is built only when a lookup needs
        // it, and never with the order, which lookups search (see `NodeIds::index_built`).
        let order =
            find(SectionKind::IdsIntOrder).map(|o| (o, Buf::<u32>::mapped(file, o.offset, n)));
        let ordered = order.as_ref().is_some_and(|(_, o)| {
            first_index(n, CHECK_CHUNK, |i| o[i] as usize >= n).is_none()
                && first_index(n.saturating_sub(1), CHECK_CHUNK, |i| {
                    labels[o[i] as usize] >= labels[o[i + 1] as usize]
                })
                .is_none()
        });
        let increasing = ordered
            || first_index(n.saturating_sub(1), CHECK_CHUNK, |i| {
                labels[i] >= labels[i + 1]
            })
            .is_none();
        let mut sorted = if increasing {
            Vec::new()
        } else {
            labels.to_vec()
        };
        sorted.par_sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            let v = w[0];
            let i = labels
                .iter()
                .enumerate()
                .filter(|&(_, &x)| x == v)
                .nth(1)
                .map_or(0, |(i, _)| i);
            return Err(corrupt(s.offset + 8 * i, format!("id {v} appears twice")));
        }
        drop(sorted);
        match order {
            Some((_, o)) if ordered => NodeIds::mapped_ordered(labels, o),
            // The ids are distinct (sorted above), so the section is what is wrong.
            Some((o, _)) => {
                return Err(corrupt(
                    o.offset,
                    "ids_int_order does not list the ids in increasing order".into(),
                ))
            }
            None => NodeIds::mapped(labels),
        }
    } else if let Some(s) = find(SectionKind::IdsTextOffsets) {
        let t = need(SectionKind::IdsText)?;
        let offs = Buf::<u64>::mapped(file, s.offset, n + 1);
        let text = &bytes[t.offset..t.offset + t.len];
        // Distinct ids, checked by sorting references that are freed at once: the id → dense
        // id index is built only when a lookup needs it (see `NodeIds::index_built`).
        let mut seen: Vec<(&str, u32)> = Vec::with_capacity(n);
        let mut all_int = true;
        for i in 0..n {
            let (a, b) = (offs[i], offs[i + 1]);
            if a > b || b > text.len() as u64 || (i == 0 && a != 0) {
                return Err(corrupt(
                    s.offset + 8 * i,
                    "text id offsets out of order".into(),
                ));
            }
            let label = std::str::from_utf8(&text[a as usize..b as usize])
                .map_err(|_| corrupt(t.offset + a as usize, format!("id {i} is not UTF-8")))?;
            if label.trim() != label {
                return Err(corrupt(
                    t.offset + a as usize,
                    format!("id {:?} is not trimmed", crate::error::echo(label)),
                ));
            }
            all_int &= crate::ids::parse_int_id(label.as_bytes()).is_some();
            seen.push((label, i as u32));
        }
        if offs[n] != text.len() as u64 {
            return Err(corrupt(
                s.offset + 8 * n,
                "text ids do not fill their section".into(),
            ));
        }
        // Two ids are one account exactly when their texts are equal (the id rule).
        seen.par_sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0].0 == w[1].0) {
            let i = w[0].1.max(w[1].1) as usize;
            return Err(corrupt(
                t.offset + offs[i] as usize,
                format!("id {:?} appears twice", crate::error::echo(w[0].0)),
            ));
        }
        drop(seen);
        if all_int {
            // Integer ids too wide for an i64 section: interned, so outputs keep them integers.
            let mut ids = NodeIds::new();
            for i in 0..n {
                let label = std::str::from_utf8(&text[offs[i] as usize..offs[i + 1] as usize])
                    .unwrap_or_default();
                ids.intern(&NodeKey::parse(label));
            }
            ids
        } else {
            NodeIds::mapped_text(offs, Buf::<u8>::mapped(file, t.offset, t.len))
        }
    } else {
        if find(SectionKind::IdsText).is_some() {
            return Err(corrupt(32, "ids_text without ids_text_offsets".into()));
        }
        NodeIds::identity(n as u32)
    };

    let topo = Topology::from_bufs(
        out_offsets,
        out_targets,
        in_offsets,
        in_sources,
        in_to_out,
        ids,
    );
    let stored_probs = out_probs.zip(in_probs);
    // Version 2: typed columns (read in place from the map) indexed by dense id
    // (no id lookup, so the id index stays unbuilt); people derived once, from them.
    let attrs = typed_attributes(sections, file, n, corrupt)?;
    let attrs_at = sections
        .iter()
        .filter(|s| s.kind as u32 >= SectionKind::AttrPlatform as u32)
        .map(|s| s.offset)
        .min()
        .unwrap_or(32);
    let mut graph = Graph::from_parts(topo, stored_probs.clone(), given, stored.clone(), attrs)
        .map_err(|e| corrupt(attrs_at, format!("attribute columns: {e}")))?;
    if let Some(s) = find(SectionKind::Attributes) {
        let csv = text(s)?;
        let attrs = io::read_attributes(csv.as_bytes(), &format!("{input} (attributes)"), &graph)?;
        graph.set_attributes(attrs)?;
    }
    let wanted = options.weights.as_ref().unwrap_or(&stored);
    if stored_probs.is_none() || *wanted != stored {
        graph.set_weights(wanted)?;
    }
    // Whatever the checks and the attribute copy touched last: the kernels fault in only the
    // sections they read.
    file.release(0, bytes.len());
    Ok(graph)
}

/// The attribute columns of a version-2 file (`None` when it stores none: the defaults).
/// Codes are checked against their names, names for being distinct non-empty UTF-8, tiers for
/// being tiers; value ranges and the person → jurisdiction rule are checked by
/// [`Graph::from_parts`] as [`Graph::set_attributes`] checks them.
fn typed_attributes(
    sections: &[Section],
    file: &Arc<Backing>,
    n: usize,
    corrupt: &dyn Fn(usize, String) -> Error,
) -> Result<Option<Attributes>> {
    use SectionKind::*;
    let find = |k: SectionKind| sections.iter().find(|s| s.kind == k);
    if !sections
        .iter()
        .any(|s| s.kind as u32 >= AttrPlatform as u32)
    {
        return Ok(None);
    }
    let bytes = file.bytes();
    let u64s = |s: &Section| Buf::<u64>::mapped(file, s.offset, n);
    // Columns the file leaves out hold their default without allocating it; columns it holds
    // are read in place from the map (their values are checked by `Graph::from_parts`).
    let f64_column = |k: SectionKind| -> crate::attrs::Column<f64> {
        match find(k) {
            Some(s) => Buf::<f64>::mapped(file, s.offset, n).into(),
            None => crate::attrs::Column::filled(f64::NAN, n),
        }
    };
    let categorical = |codes_k: SectionKind, names_k: SectionKind| -> Result<Categorical> {
        let (codes_s, names_s) = match (find(codes_k), find(names_k)) {
            (None, None) => return Ok(Categorical::none(n)),
            (Some(c), Some(m)) => (c, m),
            (Some(c), None) | (None, Some(c)) => {
                return Err(corrupt(
                    c.entry,
                    format!(
                        "sections {} and {} come together",
                        codes_k.name(),
                        names_k.name()
                    ),
                ))
            }
        };
        let raw = &bytes[names_s.offset..names_s.offset + names_s.len];
        // Where each name's length sits (one pass over the lengths), then the names checked as
        // UTF-8 in parallel; the first bad one, in order, is the one named. The names are then
        // read in place (`Names::mapped`: one 4-byte offset per name, no `String`s), or copied
        // with 8-byte offsets in the rare section too long for 4-byte ones.
        let mut starts: Vec<usize> = Vec::new();
        let mut at = 0usize;
        while at < raw.len() {
            let here = names_s.offset + at;
            if raw.len() - at < 4 {
                return Err(corrupt(
                    here,
                    format!("{} ends inside a length", names_k.name()),
                ));
            }
            let len = le_u32(raw, at) as usize;
            if len == 0 || len > raw.len() - at - 4 {
                return Err(corrupt(
                    here,
                    format!("{} holds a name of {len} bytes", names_k.name()),
                ));
            }
            starts.push(at);
            at += 4 + len;
        }
        let name_at = |at: usize| {
            let len = le_u32(raw, at) as usize;
            std::str::from_utf8(&raw[at + 4..at + 4 + len])
        };
        if let Some(i) = first_index(starts.len(), CHECK_CHUNK, |i| name_at(starts[i]).is_err()) {
            return Err(corrupt(
                names_s.offset + starts[i],
                format!("a name in {} is not UTF-8", names_k.name()),
            ));
        }
        let names: Names = if raw.len() <= u32::MAX as usize {
            Names::mapped(
                Buf::<u8>::mapped(file, names_s.offset, names_s.len),
                starts.par_iter().map(|&at| at as u32).collect(),
            )
        } else {
            Names::owned_section(raw.to_vec(), starts)
        };
        if names.len() >= NONE as usize {
            return Err(corrupt(
                names_s.offset,
                format!("too many names in {}", names_k.name()),
            ));
        }
        let twice = repeated_name(&names);
        if let Some(i) = twice {
            return Err(corrupt(
                names_s.offset,
                format!(
                    "{} names {:?} twice",
                    names_k.name(),
                    crate::error::echo(&names[i])
                ),
            ));
        }
        // Read in place from the map (nothing copied), after the range check.
        let codes = Buf::<u32>::mapped(file, codes_s.offset, n);
        let k = names.len() as u32;
        if let Some(i) = first_index(n, CHECK_CHUNK, |i| codes[i] != NONE && codes[i] >= k) {
            return Err(corrupt(
                codes_s.offset + 4 * i,
                format!("{} holds code {} for {k} names", codes_k.name(), codes[i]),
            ));
        }
        Ok(Categorical {
            codes: codes.into(),
            names,
        })
    };
    let platform = categorical(AttrPlatform, AttrPlatformNames)?;
    let person = categorical(AttrPerson, AttrPersonNames)?;
    let jurisdiction = categorical(AttrJurisdiction, AttrJurisdictionNames)?;
    let target_weight = match find(AttrTargetWeight) {
        Some(s) => Buf::<f32>::mapped(file, s.offset, n).into(),
        None => crate::attrs::Column::filled(1.0, n),
    };
    // Held as the file stores it (u64::MAX: none), 8 bytes per account.
    let followers = match find(AttrFollowers) {
        Some(s) => crate::attrs::Counts::from_raw_buf(u64s(s)),
        None => crate::attrs::Counts::none(n),
    };
    // Read in place (`Tiers` holds the file's encoding), after one parallel check.
    let tier = match find(AttrTier) {
        Some(s) => {
            let raw = &bytes[s.offset..s.offset + n];
            if let Some(i) = first_index(n, CHECK_CHUNK, |i| {
                raw[i] != crate::attrs::Tiers::NOT_GIVEN && raw[i] as usize >= Tier::ALL.len()
            }) {
                return Err(corrupt(
                    s.offset + i,
                    format!(
                        "{} holds {}, not a tier (0 to 4, 255: none)",
                        s.kind.name(),
                        raw[i]
                    ),
                ));
            }
            crate::attrs::Tiers::from_raw_buf(Buf::<u8>::mapped(file, s.offset, n))
        }
        None => crate::attrs::Tiers::none(n),
    };
    Ok(Some(crate::attrs::Attributes {
        platform,
        person,
        jurisdiction,
        target_weight,
        cost: f64_column(AttrCost),
        followers,
        tier,
        lean: f64_column(AttrLean),
        turnout: f64_column(AttrTurnout),
        eligible: f64_column(AttrEligible),
        effect_multiplier: f64_column(AttrEffectMultiplier),
    }))
}

/// A name that appears twice in `names` (the first of its kind in hash order), if any.
///
/// Names are compared by a keyed 64-bit hash (its key fresh per load, so a file cannot aim at
/// collisions): the hashes alone are sorted (8-byte integers sort far faster than strings or
/// pairs) and, in the common case, no two are equal, which proves the names distinct. Only
/// when two hashes are equal are the names sorted by (hash, code) and each run of equal
/// hashes compared as text, which tells a repeated name from a collision.
fn repeated_name(names: &Names) -> Option<usize> {
    use std::hash::BuildHasher;
    let hasher = std::collections::hash_map::RandomState::new();
    let hash = |i: usize| hasher.hash_one(&names[i]);
    let mut hashes: Vec<u64> = (0..names.len())
        .into_par_iter()
        .with_min_len(CHECK_CHUNK)
        .map(hash)
        .collect();
    hashes.par_sort_unstable();
    // No two hashes equal: the names are distinct.
    first_index(hashes.len().saturating_sub(1), CHECK_CHUNK, |i| {
        hashes[i] == hashes[i + 1]
    })?;
    drop(hashes);
    let mut sorted: Vec<(u64, u32)> = (0..names.len())
        .into_par_iter()
        .with_min_len(CHECK_CHUNK)
        .map(|i| (hash(i), i as u32))
        .collect();
    sorted.par_sort_unstable();
    // Equal names have equal hashes, so they sit in one run of equal hashes: each run is
    // compared pair by pair from its first entry (runs longer than one are rare, and longer
    // than two rarer still). One parallel pass over chunks, each read in order.
    let same_hash_names = |i: usize| -> Option<usize> {
        let h = sorted[i].0;
        if (i > 0 && sorted[i - 1].0 == h) || sorted.get(i + 1).is_none_or(|x| x.0 != h) {
            return None;
        }
        let end = i + sorted[i..].iter().take_while(|x| x.0 == h).count();
        (i..end).find_map(|a| {
            let x = sorted[a].1 as usize;
            (a + 1..end)
                .any(|b| names[x] == names[sorted[b].1 as usize])
                .then_some(x)
        })
    };
    (0..sorted.len().div_ceil(CHECK_CHUNK))
        .into_par_iter()
        .find_map_first(|c| {
            let hi = ((c + 1) * CHECK_CHUNK).min(sorted.len());
            (c * CHECK_CHUNK..hi).find_map(same_hash_names)
        })
}

/// Edges (or array elements) per window of the load checks: each window's pages of a mapped
/// file are given back once it is checked, so a check holds about this many elements of each
/// array it reads in order (64 MiB of `u32`s) rather than the whole file.
/// Tests use windows of 3 so that their small graphs are checked across several windows.
const CHECK_WINDOW: usize = if cfg!(test) { 3 } else { 1 << 24 };

/// A keyed hash of edges for the load's transpose check, its key drawn fresh per load from the
/// operating system's randomness (through [`std::collections::hash_map::RandomState`]), so a
/// file, written before the key exists, cannot aim at a collision.
///
/// Without the in → out map (version-3 files without given probabilities) the check compares
/// `Σ h(u, v)` over the out-edges (source `u` the row, target `v`) with the same sum over the
/// in-edges (target `v` the row, source `u`), wrapping in `u64`. Each list is strictly
/// increasing, so each side is a set of `m` distinct pairs (the offsets are checked to end at
/// `m`); if the sets differ, some pair lies in one and not the other, so its coefficient in the
/// difference of the sums is ±1, an odd number. With the map (older files, and files with given
/// probabilities) the sums are of `h(u, v, k)` over the out-slots `k` and over the in-slots
/// with `k = in_to_out[j]`: both sides hold `m` triples and the out side holds each slot `k`
/// once, so if the multisets differ some triple's count differs by an odd number (every out
/// triple would otherwise appear an odd number of times, hence once, on the in side, filling
/// all `m`). Either way, for `h` a random function the sums then agree with probability 2^-64
/// per load (an odd coefficient is invertible modulo 2^64, so exactly one value of that
/// pair's hash cancels the rest).
///
/// `h(u, v)` is one round of a 64-bit finaliser (murmur3's `fmix64`, which has full avalanche:
/// every input bit flips every output bit with probability close to 1/2) over the keyed word
/// `(u << 32 | v) ^ key`, a bijection of the pair; `h(u, v, k)` is a second round over
/// `h(u, v) + (k ^ key')`. Both are models of a random function, not proofs of one.
struct EdgeKey(u64, u64);

/// murmur3's 64-bit finaliser.
#[inline]
fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl EdgeKey {
    fn fresh() -> Self {
        use std::hash::BuildHasher;
        let s = std::collections::hash_map::RandomState::new();
        EdgeKey(s.hash_one(0x5eed_u64), s.hash_one(0xfeed_u64))
    }

    /// The hash of the edge `u → v` at out-slot `k`.
    #[inline]
    fn triple(&self, u: u32, v: u32, k: u32) -> u64 {
        let a = fmix64((((u as u64) << 32) | v as u64) ^ self.0);
        fmix64(a.wrapping_add(k as u64 ^ self.1))
    }
}

/// What a CSR check pass hashes besides each edge's endpoints.
#[derive(Clone, Copy)]
enum Slots<'a> {
    /// Out side, pairs `(source, target)`.
    OutPairs,
    /// In side, pairs `(source, target)`.
    InPairs,
    /// Out side, triples with each edge's own out-slot.
    OutTriples,
    /// In side, triples with the out-slot the in → out map gives.
    InTriples(&'a [u32]),
}

/// One in-order pass over section `s`, mapped as `elems`: windows of [`CHECK_WINDOW`]
/// elements, each cut into chunks of [`CHECK_CHUNK`] searched in parallel for an element `i`
/// with `bad(i)`; with `crc`, each chunk's checksum is computed right after its search while
/// its bytes are in cache, and the chunks' checksums are combined in order and compared with
/// the stored one at the end. The first bad element is reported by `on_bad` (before any
/// checksum error of a later window or of the whole section). With `release`, each window's
/// pages are given back behind it.
#[allow(clippy::too_many_arguments)]
fn scan_section<T: Sync>(
    file: &Backing,
    s: &Section,
    elems: &[T],
    crc: bool,
    release: bool,
    corrupt: &dyn Fn(usize, String) -> Error,
    bad: impl Fn(usize) -> bool + Sync,
    on_bad: impl Fn(usize) -> Error,
) -> Result<()> {
    let bytes = file.bytes();
    let (len, width) = (elems.len(), std::mem::size_of::<T>());
    let mut h = crc32fast::Hasher::new();
    for lo in (0..len).step_by(CHECK_WINDOW) {
        let hi = (lo + CHECK_WINDOW).min(len);
        let parts: Vec<(Option<usize>, Option<crc32fast::Hasher>)> = (lo..hi)
            .step_by(CHECK_CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|c| {
                let d = (c + CHECK_CHUNK).min(hi);
                let first = (c..d).find(|&i| bad(i));
                let part =
                    crc.then(|| chunk_crc(&bytes[s.offset + width * c..s.offset + width * d]));
                (first, part)
            })
            .collect();
        for (first, part) in parts {
            if let Some(i) = first {
                return Err(on_bad(i));
            }
            if let Some(part) = part {
                h.combine(&part);
            }
        }
        if release {
            file.release(s.offset + width * lo, width * (hi - lo));
        }
    }
    match crc.then(|| checksum_error(s, h.finalize(), bytes, corrupt)) {
        Some(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

/// The pair pass of [`check_csr`] over rows `a..b`: whether some row breaks a rule (an id not
/// below `n`, a self-loop, a list not strictly increasing) and the wrapping sum of
/// `fmix64((source << 32 | target) ^ key)` over the rows' edges (`out`: the row is the
/// source).
///
/// Rows are short (7.5 edges on average in the generated graphs), so a loop per row runs
/// scalar. Here each edge's row is first written beside it (a buffer of the chunk's size, in
/// cache), then one flat loop over the chunk's edges checks and hashes them: the loop has no
/// dependency from edge to edge but the sums, so it vectorises. Its 64-bit multiplies run eight
/// at a time with AVX-512 and four at a time with AVX2 (each made of three 32-bit ones), picked
/// at run time by what the CPU has.
fn pair_pass(
    offsets: &[usize],
    neighbors: &[u32],
    (a, b): (usize, usize),
    n: usize,
    out: bool,
    key: u64,
) -> (bool, u64) {
    let (lo, hi) = (offsets[a], offsets[b]);
    ROWS.with_borrow_mut(|rows| {
        edge_rows(offsets, (a, b), rows);
        let (rows, nb) = (&rows[..hi - lo], &neighbors[lo..hi]);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                // SAFETY: the CPU has the features `pair_flat_avx512` is compiled for.
                return unsafe { pair_flat_avx512(rows, nb, n, out, key) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has the feature `pair_flat_avx2` is compiled for.
                return unsafe { pair_flat_avx2(rows, nb, n, out, key) };
            }
        }
        pair_flat(rows, nb, n, out, key)
    })
}

thread_local! {
    /// [`pair_pass`]'s row of each edge, kept per thread from chunk to chunk (a chunk's worth,
    /// about 256 KiB) so that no chunk allocates or zeroes it.
    static ROWS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Fills `rows[..hi - lo]` (`lo..hi` the edges of rows `a..b`) with each edge's row, in
/// strides of [`ROW_STRIDE`] rather than an edge at a time: rows are short (7.5 edges on
/// average), so each is one or two wide stores. Row `u` writes its id from its first edge on,
/// a stride at a time, until it has covered its own edges; what it writes past them belongs to
/// later rows, which write it again after it (rows come in order), or to the slack at the end.
/// An empty row writes one stride that the next row covers. So every edge ends up holding the
/// one row whose range holds it. The buffer keeps [`ROW_STRIDE`] slots of slack past the edges.
fn edge_rows(offsets: &[usize], (a, b): (usize, usize), rows: &mut Vec<u32>) {
    let lo = offsets[a];
    let need = offsets[b] - lo + ROW_STRIDE;
    if rows.len() < need {
        rows.resize(need, 0);
    }
    for (u, w) in (a..b).zip(offsets[a..=b].windows(2)) {
        let (mut p, end) = (w[0] - lo, w[1] - lo);
        loop {
            rows[p..p + ROW_STRIDE].fill(u as u32);
            p += ROW_STRIDE;
            if p >= end {
                break;
            }
        }
    }
}

/// Slots [`edge_rows`] writes at a time: eight `u32`, 32 bytes (one store with AVX).
const ROW_STRIDE: usize = 8;

/// [`pair_flat`] compiled for AVX-512 (64-bit lane multiplies).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn pair_flat_avx512(rows: &[u32], nb: &[u32], n: usize, out: bool, key: u64) -> (bool, u64) {
    pair_flat(rows, nb, n, out, key)
}

/// [`pair_flat`] compiled for AVX2 (64-bit lane multiplies made of 32-bit ones, four lanes).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn pair_flat_avx2(rows: &[u32], nb: &[u32], n: usize, out: bool, key: u64) -> (bool, u64) {
    pair_flat(rows, nb, n, out, key)
}

/// The flat loop of [`pair_pass`]: edge `i` joins row `rows[i]` and neighbour `nb[i]`; an edge
/// whose row is the one before's must have a larger neighbour.
#[inline(always)]
fn pair_flat(rows: &[u32], nb: &[u32], n: usize, out: bool, key: u64) -> (bool, u64) {
    let len = nb.len().min(rows.len());
    let (rows, nb) = (&rows[..len], &nb[..len]);
    let shift = if out { (32, 0) } else { (0, 32) };
    let hash = |r: u32, v: u32| fmix64((((r as u64) << shift.0) | ((v as u64) << shift.1)) ^ key);
    let Some((&r0, &v0)) = rows.first().zip(nb.first()) else {
        return (false, 0);
    };
    let mut bad = (v0 as usize >= n) | (v0 == r0);
    let mut sum = hash(r0, v0);
    for i in 1..len {
        let (r, v) = (rows[i], nb[i]);
        bad |= (v as usize >= n) | (v == r) | ((rows[i - 1] == r) & (nb[i - 1] >= v));
        sum = sum.wrapping_add(hash(r, v));
    }
    (bad, sum)
}

/// Rows plus edges per chunk of a check pass: a chunk's slices (about 256 KiB of each array)
/// are still in the core's cache when its checksum is computed right after its checks, so each
/// byte comes from memory once. Tests use tiny chunks so that their small graphs span several.
const CHECK_CHUNK: usize = if cfg!(test) { 2 } else { 1 << 16 };

/// Row ranges `[a, b)` covering `0..n` in which `rows + edges` is about [`CHECK_CHUNK`]
/// (a row's cost is its offsets entry plus its list), for offsets already known to be
/// non-decreasing from 0 to `m`. Counting rows as well as edges keeps long runs of accounts
/// without edges from becoming one chunk.
fn check_chunks(offsets: &[usize]) -> Vec<(usize, usize)> {
    let n = offsets.len() - 1;
    let total = n + offsets[n];
    let mut out = Vec::with_capacity(total / CHECK_CHUNK + 1);
    let mut a = 0;
    while a < n {
        // The first row b > a with b + offsets[b] >= goal, else n (b + offsets[b] increases).
        let goal = a + offsets[a] + CHECK_CHUNK;
        let (mut lo, mut hi) = (a + 1, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if mid + offsets[mid] >= goal {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let b = lo;
        out.push((a, b));
        a = b;
    }
    out
}

/// Checks one CSR direction: offsets from 0 to `m`, non-decreasing; every neighbour below
/// `n`, each list strictly increasing, no self-loop; with the in-side's in -> out map
/// ([`Slots::InTriples`]) every slot below `m`. Returns the sum of the [`EdgeKey`] hash over
/// the direction's edges as `(source, target)` pairs or, with slots, `(source, target,
/// out-slot)` triples (the out side's slot is its own position). With `crc`, the
/// checksums of its sections are computed in the same pass (per chunk, while the chunk is in
/// cache) and compared with the stored ones. Reads every array once, in order, in windows, and
/// gives back the pages of each window of `file` behind it.
#[allow(clippy::too_many_arguments)]
fn check_csr(
    file: &Backing,
    offsets: &[usize],
    neighbors: &[u32],
    slots: Slots<'_>,
    m: usize,
    (off_s, nb_s, slot_s): (&Section, &Section, Option<&Section>),
    key: &EdgeKey,
    crc: bool,
    corrupt: &dyn Fn(usize, String) -> Error,
) -> Result<u64> {
    let n = offsets.len() - 1;
    let bytes = file.bytes();
    if offsets[0] != 0 || offsets[n] != m {
        return Err(corrupt(
            off_s.offset,
            format!("{} must run from 0 to the {m} edges", off_s.kind.name()),
        ));
    }
    // Offsets: non-decreasing, and their checksum, in one pass (the pages stay mapped: the
    // lists' pass reads them again).
    scan_section(
        file,
        off_s,
        offsets,
        crc,
        false,
        corrupt,
        |i| i > 0 && offsets[i - 1] > offsets[i],
        |i| {
            corrupt(
                off_s.offset + 8 * i,
                format!("{} decreases after account {}", off_s.kind.name(), i - 1),
            )
        },
    )?;
    // Offsets are now known to be in order, so chunks can be cut by edge counts. One chunk of
    // rows: its lists' checks (`true`: some row breaks a rule), its share of the sum and the
    // checksums of its slices of the neighbour and slot arrays.
    let nb_bytes = &bytes[nb_s.offset..nb_s.offset + nb_s.len];
    let slot_bytes = slot_s.map(|ss| &bytes[ss.offset..ss.offset + ss.len]);
    // The triple passes, row by row: lists strictly increasing (each id above the one before,
    // -1 before the first), each edge hashed with its out-slot.
    let triples = |(a, b): (usize, usize)| {
        let (mut bad, mut sum) = (false, 0u64);
        for u in a..b {
            let (lo, hi) = (offsets[u], offsets[u + 1]);
            let list = &neighbors[lo..hi];
            let mut prev = -1i64;
            if let Slots::InTriples(s) = slots {
                // In side with the map: row u is the target, v the source.
                for (&v, &k) in list.iter().zip(&s[lo..hi]) {
                    bad |= (v as usize >= n)
                        | (v as usize == u)
                        | (v as i64 <= prev)
                        | (k as usize >= m);
                    prev = v as i64;
                    sum = sum.wrapping_add(key.triple(v, u as u32, k));
                }
            } else {
                for (i, &v) in list.iter().enumerate() {
                    bad |= (v as usize >= n) | (v as usize == u) | (v as i64 <= prev);
                    prev = v as i64;
                    sum = sum.wrapping_add(key.triple(u as u32, v, (lo + i) as u32));
                }
            }
        }
        (bad, sum)
    };
    let chunk = |(a, b): (usize, usize)| {
        let (bad, sum) = match slots {
            // Pairs: one flat pass over the chunk's edges, which vectorises.
            Slots::OutPairs | Slots::InPairs => pair_pass(
                offsets,
                neighbors,
                (a, b),
                n,
                matches!(slots, Slots::OutPairs),
                key.0,
            ),
            Slots::OutTriples | Slots::InTriples(_) => triples((a, b)),
        };
        let (lo, hi) = (offsets[a], offsets[b]);
        let hashes = crc.then(|| {
            (
                chunk_crc(&nb_bytes[4 * lo..4 * hi]),
                slot_bytes.map(|sb| chunk_crc(&sb[4 * lo..4 * hi])),
            )
        });
        (bad, sum, hashes)
    };
    let chunks = check_chunks(offsets);
    let mut total = 0u64;
    let mut nb_crc = crc32fast::Hasher::new();
    let mut slot_crc = crc32fast::Hasher::new();
    let per_window = (CHECK_WINDOW / CHECK_CHUNK).max(1);
    for window in chunks.chunks(per_window) {
        let (a, b) = (window[0].0, window[window.len() - 1].1);
        let (lo, hi) = (offsets[a], offsets[b]);
        let parts: Vec<_> = window.par_iter().map(|&c| chunk(c)).collect();
        if let Some(((a, b), _)) = window.iter().zip(&parts).find(|(_, p)| p.0) {
            // The first row of the first bad chunk that breaks a rule.
            let u = (*a..*b)
                .find(|&u| {
                    let list = &neighbors[offsets[u]..offsets[u + 1]];
                    let ids_bad = list.iter().any(|&v| v as usize >= n || v as usize == u)
                        || list.windows(2).any(|w| w[0] >= w[1]);
                    ids_bad
                        || match slots {
                            Slots::InTriples(s) => s[offsets[u]..offsets[u + 1]]
                                .iter()
                                .any(|&k| k as usize >= m),
                            _ => false,
                        }
                })
                .unwrap_or(*a);
            let list = &neighbors[offsets[u]..offsets[u + 1]];
            let slot_bad = list.iter().all(|&v| (v as usize) < n && v as usize != u)
                && list.windows(2).all(|w| w[0] < w[1]);
            if let (true, Slots::InTriples(s), Some(ss)) = (slot_bad, slots, slot_s) {
                let j = (offsets[u]..offsets[u + 1])
                    .find(|&j| s[j] as usize >= m)
                    .unwrap_or(offsets[u]);
                return Err(corrupt(
                    ss.offset + 4 * j,
                    format!("in-edge slot {j} does not name the out-edge it stands for"),
                ));
            }
            return Err(corrupt(
                nb_s.offset + 4 * offsets[u],
                format!(
                    "{} of account {u}: an id out of range, a self-loop or a list out of order",
                    nb_s.kind.name()
                ),
            ));
        }
        for (_, sum, hashes) in parts {
            total = total.wrapping_add(sum);
            if let Some((h, hs)) = hashes {
                nb_crc.combine(&h);
                if let Some(hs) = hs {
                    slot_crc.combine(&hs);
                }
            }
        }
        file.release(off_s.offset + 8 * a, 8 * (b - a + 1));
        file.release(nb_s.offset + 4 * lo, 4 * (hi - lo));
        if let Some(ss) = slot_s {
            file.release(ss.offset + 4 * lo, 4 * (hi - lo));
        }
    }
    if crc {
        let found = [(nb_s, nb_crc.finalize())]
            .into_iter()
            .chain(slot_s.map(|ss| (ss, slot_crc.finalize())));
        for (s, f) in found {
            if let Some(e) = checksum_error(s, f, bytes, corrupt) {
                return Err(e);
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::{simulate, Model, SpreadConfig};
    use crate::graph::{GraphBuilder, GraphOptions};
    use crate::progress::NoProgress;
    use crate::reach::{unique_reach, ReachOptions};
    use crate::select::{select, SelectConfig};

    /// A small graph with string ids, given probabilities and attributes.
    fn rich() -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        let edges = [
            ("alice", "bob", 0.5),
            ("alice", "carol", 0.25),
            ("bob", "carol", 1.0),
            ("carol", "dave", 0.125),
            ("dave", "alice", 0.75),
            ("7", "alice", 0.0),
            ("erin", "7", 0.375),
        ];
        for (u, v, p) in edges {
            b.add_edge(u, v, Some(p)).unwrap();
        }
        let (mut g, _) = b.build().unwrap();
        let csv = "id,platform,person,cost\nalice,tiktok,p1,10\nbob,x,p1,\ncarol,x,,2.5\n";
        let attrs = io::read_attributes(csv.as_bytes(), "a.csv", &g).unwrap();
        g.set_attributes(attrs).unwrap();
        g
    }

    /// The given probabilities in out-edge order, however held.
    fn given_of(g: &Graph) -> Option<Vec<f32>> {
        g.has_given_probabilities().then(|| {
            g.with_weights(&WeightScheme::Given)
                .unwrap()
                .out_csr()
                .probs
                .to_vec()
        })
    }

    fn same(a: &Graph, b: &Graph) {
        assert_eq!(a.node_count(), b.node_count());
        assert_eq!(a.edge_count(), b.edge_count());
        for i in 0..a.node_count() as u32 {
            assert_eq!(a.ids().key(i), b.ids().key(i));
        }
        assert_eq!(a.topology().out_offsets(), b.topology().out_offsets());
        assert_eq!(a.topology().out_targets(), b.topology().out_targets());
        assert_eq!(a.topology().in_offsets(), b.topology().in_offsets());
        assert_eq!(a.topology().in_sources(), b.topology().in_sources());
        assert_eq!(a.topology().in_to_out(), b.topology().in_to_out());
        assert_eq!(a.out_csr().probs, b.out_csr().probs);
        assert_eq!(a.in_csr().probs, b.in_csr().probs);
        assert_eq!(given_of(a), given_of(b));
        assert_eq!(a.weight_scheme(), b.weight_scheme());
        // Compared as the attribute CSV each writes (values by name): a categorical column's
        // codes follow the order the reader meets the names in, which may differ from the
        // generator's, and a cost of NaN (not for hire) is not `==` to itself.
        let csv = |g: &Graph| {
            let mut out = Vec::new();
            io::write_attributes(g, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(csv(a), csv(b));
    }

    fn back(g: &Graph) -> Graph {
        from_bytes(&to_bytes(g), "mem", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn round_trip_keeps_ids_edges_probabilities_and_attributes() {
        let g = rich();
        same(&g, &back(&g));
        // Re-weighted: the given probabilities travel beside the ones in force.
        for s in ["wc", "const:0.3", "trivalency:5", "tier"] {
            let w = g.with_weights(&s.parse().unwrap()).unwrap();
            let r = back(&w);
            same(&w, &r);
            // ... and the given ones can be restored after the round trip.
            same(
                &w.with_weights(&WeightScheme::Given).unwrap(),
                &r.with_weights(&WeightScheme::Given).unwrap(),
            );
        }
        // Integer ids, dense ids, no probabilities.
        let (ints, _) =
            Graph::from_id_arrays(&[10, 3, -4], &[3, -4, 10], None, GraphOptions::default())
                .unwrap();
        same(&ints, &back(&ints));
        let (dense, _) = Graph::from_edges(
            4,
            &[0, 1, 2],
            &[1, 2, 3],
            None,
            NodeIds::identity(4),
            GraphOptions::default(),
        )
        .unwrap();
        let r = back(&dense);
        same(&dense, &r);
        assert!(r.ids().is_identity());
    }

    #[test]
    fn pair_pass_matches_the_row_by_row_rules_and_hash() {
        // Row by row, as the check read each list before the flat pass.
        let reference = |offsets: &[usize], nb: &[u32], (a, b): (usize, usize), n, out, key| {
            let (mut bad, mut sum) = (false, 0u64);
            for u in a..b {
                let mut prev = -1i64;
                for &v in &nb[offsets[u]..offsets[u + 1]] {
                    bad |= (v as usize >= n) | (v as usize == u) | (v as i64 <= prev);
                    prev = v as i64;
                    let (s, t) = if out {
                        (u as u64, v as u64)
                    } else {
                        (v as u64, u as u64)
                    };
                    sum = sum.wrapping_add(fmix64(((s << 32) | t) ^ key));
                }
            }
            (bad, sum)
        };
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = |k: u64| {
            state = fmix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            state % k
        };
        let (mut seen_bad, mut seen_good) = (0, 0);
        for trial in 0..400 {
            let n = 1 + next(40) as usize;
            // Sorted distinct lists, then (in some trials) one rule broken somewhere.
            let mut offsets = vec![0usize];
            let mut nb = Vec::new();
            for u in 0..n {
                let mut list: Vec<u32> = (0..n as u32)
                    .filter(|&v| v as usize != u && next(4) == 0)
                    .collect();
                if trial % 3 == 0 && !list.is_empty() && next(n as u64) == 0 {
                    match next(4) {
                        0 => list.push(*list.last().unwrap()),
                        1 => {
                            let last = list.len() - 1;
                            list.swap(0, last)
                        }
                        2 => list.push(u as u32),
                        _ => list.push(n as u32 + next(3) as u32),
                    }
                }
                nb.extend(list);
                offsets.push(nb.len());
            }
            let a = next(n as u64 + 1) as usize;
            let b = a + next((n - a) as u64 + 1) as usize;
            let key = next(u64::MAX);
            for out in [true, false] {
                let want = reference(&offsets, &nb, (a, b), n, out, key);
                assert_eq!(pair_pass(&offsets, &nb, (a, b), n, out, key), want);
                if want.0 {
                    seen_bad += 1;
                } else {
                    seen_good += 1;
                }
                // The plain loop, whichever one `pair_pass` picked on this machine.
                let (lo, hi) = (offsets[a], offsets[b]);
                let rows: Vec<u32> = (a..b)
                    .flat_map(|u| std::iter::repeat_n(u as u32, offsets[u + 1] - offsets[u]))
                    .collect();
                assert_eq!(pair_flat(&rows, &nb[lo..hi], n, out, key), want);
                // Each compiled copy the CPU can run, whichever `pair_pass` prefers.
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2.
                    let got = unsafe { pair_flat_avx2(&rows, &nb[lo..hi], n, out, key) };
                    assert_eq!(got, want);
                }
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                {
                    // SAFETY: the CPU has AVX-512 F and DQ.
                    let got = unsafe { pair_flat_avx512(&rows, &nb[lo..hi], n, out, key) };
                    assert_eq!(got, want);
                }
            }
        }
        assert!(
            seen_bad > 20 && seen_good > 200,
            "{seen_bad} bad, {seen_good} good"
        );
    }

    #[test]
    fn edge_rows_give_each_edge_its_row_whatever_the_buffer_held() {
        // Rows of every length from 0 to 3 strides, empty runs at the start, middle and end,
        // and a buffer left full of junk (and too short, then long enough) between calls.
        let mut state = 0x0dd_ba11_u64;
        let mut next = |k: u64| {
            state = fmix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            state % k
        };
        let mut rows = Vec::new();
        for trial in 0..300 {
            let n = 1 + next(60) as usize;
            let mut offsets = vec![0usize];
            for _ in 0..n {
                let len = match next(4) {
                    0 => 0,
                    1 => next(3 * ROW_STRIDE as u64 + 1) as usize,
                    _ => 1 + next(ROW_STRIDE as u64) as usize,
                };
                offsets.push(offsets.last().unwrap() + len);
            }
            let a = next(n as u64 + 1) as usize;
            let b = a + next((n - a) as u64 + 1) as usize;
            let want: Vec<u32> = (a..b)
                .flat_map(|u| std::iter::repeat_n(u as u32, offsets[u + 1] - offsets[u]))
                .collect();
            if trial % 2 == 0 {
                rows.iter_mut().for_each(|r| *r = u32::MAX);
            }
            edge_rows(&offsets, (a, b), &mut rows);
            assert_eq!(
                &rows[..want.len()],
                &want[..],
                "offsets {offsets:?}, rows {a}..{b}"
            );
        }
    }

    #[test]
    fn repeated_names_are_found_and_distinct_ones_pass() {
        let names = |v: &[&str]| -> Names { v.iter().copied().collect() };
        assert_eq!(repeated_name(&names(&[])), None);
        assert_eq!(repeated_name(&names(&["a"])), None);
        assert_eq!(repeated_name(&names(&["a", "b", "ab", "ba"])), None);
        let twice = names(&["a", "b", "a"]);
        let i = repeated_name(&twice).expect("a repeats");
        assert_eq!(&twice[i], "a");
        // Many names (several check chunks in test builds), one repeated far apart.
        let mut many: Vec<String> = (0..5000).map(|i| format!("person {i}")).collect();
        let distinct: Names = many.clone().into();
        assert_eq!(repeated_name(&distinct), None);
        many.push("person 17".into());
        let repeated: Names = many.into();
        let i = repeated_name(&repeated).expect("person 17 repeats");
        assert_eq!(&repeated[i], "person 17");
    }

    #[test]
    fn mapped_file_gives_the_same_answers() {
        let sc = crate::scenario::generate(
            &crate::scenario::ScenarioConfig::with_edges(20_000, 3),
            &NoProgress,
        )
        .unwrap();
        let g = sc
            .graph
            .with_weights(&WeightScheme::WeightedCascade)
            .unwrap();
        let dir = std::env::temp_dir().join(format!("rgraph-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.rgraph");
        write(&g, &path).unwrap();
        let r = read(&path, &ReadOptions::default()).unwrap();
        assert!(r.topology().is_mapped() && r.out_csr().probs.len() == g.edge_count());
        same(&g, &r);
        // The attribute columns are read in place from the map, not copied: codes, names, cost
        // and (when the file holds them) tiers; the people derived from them are the same.
        let (ga, ra) = (g.attributes(), r.attributes());
        for (col, held) in [
            (&ra.platform, &ga.platform),
            (&ra.person, &ga.person),
            (&ra.jurisdiction, &ga.jurisdiction),
        ] {
            assert!(!held.names.is_empty());
            assert!(col.codes.is_mapped() && col.names.is_mapped());
            assert_eq!(col.names, held.names);
        }
        assert!(ga.has_costs() && ra.cost.is_mapped());
        assert_eq!(*g.people(), *r.people());
        let seeds = [0u32, 5, 17];
        let opts = ReachOptions::default();
        assert_eq!(
            format!("{:?}", unique_reach(&g, &seeds, &opts).unwrap()),
            format!("{:?}", unique_reach(&r, &seeds, &opts).unwrap())
        );
        let sc_cfg = SpreadConfig::builder().trials(500).build().unwrap();
        let (a, b) = (
            simulate(&g, &seeds, Model::IndependentCascade, &sc_cfg, &NoProgress).unwrap(),
            simulate(&r, &seeds, Model::IndependentCascade, &sc_cfg, &NoProgress).unwrap(),
        );
        assert_eq!(format!("{:?}", a.accounts), format!("{:?}", b.accounts));
        let cfg = SelectConfig::builder().k(5).epsilon(0.3).build().unwrap();
        let (a, b) = (
            select(&g, Model::IndependentCascade, &cfg, &NoProgress).unwrap(),
            select(&r, Model::IndependentCascade, &cfg, &NoProgress).unwrap(),
        );
        assert_eq!(a.seeds, b.seeds);
        assert_eq!(a.marginal_gains, b.marginal_gains);
        // Asking for another scheme computes it; asking for the stored one maps it.
        let c = read(
            &path,
            &ReadOptions {
                weights: Some("const:0.5".parse().unwrap()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(c.out_csr().probs.iter().all(|&p| p == 0.5));
        assert!(is_rgraph_file(&path).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        let bytes = to_bytes(&rich());
        for len in 0..bytes.len() {
            for verify in [true, false] {
                let o = ReadOptions {
                    verify_checksums: verify,
                    weights: None,
                };
                match from_bytes(&bytes[..len], "cut", &o) {
                    Err(Error::TruncatedGraphFile { .. } | Error::CorruptGraphFile { .. }) => {}
                    other => panic!("cut at {len}: {other:?}"),
                }
            }
        }
        // One byte more is an error too.
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            from_bytes(&long, "long", &ReadOptions::default()),
            Err(Error::CorruptGraphFile { .. })
        ));
    }

    /// The `(offset, length)` of section `kind` in `bytes`.
    fn section_of(bytes: &[u8], kind: SectionKind) -> (usize, usize) {
        let count = le_u32(bytes, 32) as usize;
        (0..count)
            .map(|i| HEADER_LEN + ENTRY_LEN * i)
            .find(|&e| le_u32(bytes, e) == kind as u32)
            .map(|e| {
                (
                    le_u64(bytes, e + 8) as usize,
                    le_u64(bytes, e + 16) as usize,
                )
            })
            .expect("section present")
    }

    #[test]
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
    fn mapped_ids_are_indexed_on_first_lookup_and_duplicates_are_rejected_at_load() {
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        for text in [false, true] {
            let mut b = GraphBuilder::new(GraphOptions::default());
            let name = |i: i64| {
                if text {
                    format!("x{i}")
                } else {
                    (i * 10).to_string()
                }
            };
            for (u, v) in [(1, 2), (2, 3), (3, 1)] {
                b.add_edge(name(u).as_str(), name(v).as_str(), None)
                    .unwrap();
            }
            let g = b.build().unwrap().0;
            let bytes = to_bytes(&g);
            let r = from_bytes(&bytes, "ids", &ReadOptions::default()).unwrap();
            assert_eq!(r.label(1), name(2));
            assert_eq!(r.node(&name(3)).unwrap(), g.node(&name(3)).unwrap());
            assert!(r.ids().index_built());
            assert!(r.node(&name(4)).is_err());
            // The second id made equal to the first: a typed error naming it, at load.
            let mut bad = bytes.clone();
            let want = if text {
                let (off, _) = section_of(&bad, SectionKind::IdsText);
                // "x1x2x3" (ids in dense order) becomes "x1x1x3".
                bad[off + 3] = b'1';
                "\"x1\" appears twice"
            } else {
                let (off, _) = section_of(&bad, SectionKind::IdsInt);
                let first: [u8; 8] = bad[off..off + 8].try_into().unwrap();
                bad[off + 8..off + 16].copy_from_slice(&first);
                "id 10 appears twice"
            };
            match from_bytes(&bad, "dup", &no_crc) {
                Err(Error::CorruptGraphFile { reason, .. }) => {
                    assert!(reason.contains(want), "{reason}")
                }
                other => panic!("text {text}: {other:?}"),
            }
        }
    }

    /// The transpose check (the keyed fingerprint of `check_csr`, then the slow pass naming the
    /// slot): files whose every array passes its own checks but whose in-side is not the
    /// out-side's transpose, or whose in -> out map names the wrong out-edges, are typed errors.
    #[test]
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
    fn in_side_that_is_not_the_transpose_is_caught() {
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        let graph = |edges: &[(u32, u32)]| {
            let mut b = GraphBuilder::new(GraphOptions::default());
            for v in 0..6u32 {
                b.add_node(v.to_string().as_str());
            }
            for &(u, v) in edges {
                b.add_edge(u.to_string().as_str(), v.to_string().as_str(), None)
                    .unwrap();
            }
            b.build().unwrap().0
        };
        let edges = [
            (0, 1),
            (0, 2),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 0),
            (1, 4),
        ];
        // A version-2 file holds the in -> out map (files written before version 3, and
        // version-3 files with given probabilities, are checked by (source, target, slot)).
        let good = to_bytes_v2(&graph(&edges));
        let r = from_bytes(&good, "good", &no_crc).unwrap();
        assert_eq!(r.edge_count(), 8);
        let expect_slot_error = |b: &[u8], what: &str| match from_bytes(b, what, &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                let (at, len) = section_of(b, SectionKind::InToOut);
                assert!(
                    (at as u64..(at + len) as u64).contains(&offset),
                    "{what}: {offset} {reason}"
                );
                assert!(
                    reason.contains("does not name the out-edge it stands for"),
                    "{what}: {reason}"
                );
            }
            other => panic!("{what}: {other:?}"),
        };
        // Two in -> out entries swapped: each array alone is still well formed.
        let (at, _) = section_of(&good, SectionKind::InToOut);
        for (j1, j2) in [(0usize, 1usize), (2, 7), (3, 5)] {
            let mut bad = good.clone();
            let (a, b) = (at + 4 * j1, at + 4 * j2);
            let x: [u8; 4] = bad[a..a + 4].try_into().unwrap();
            let y: [u8; 4] = bad[b..b + 4].try_into().unwrap();
            assert_ne!(x, y);
            bad[a..a + 4].copy_from_slice(&y);
            bad[b..b + 4].copy_from_slice(&x);
            expect_slot_error(&bad, &format!("swap {j1} {j2}"));
        }
        // One edge transposed: the in-side sections of a graph with 1 -> 4 reversed to 4 -> 1
        // (a valid in-CSR and slot map of its own) beside the out-side of the original.
        let mut flipped = edges;
        flipped[7] = (4, 1);
        let other = to_bytes_v2(&graph(&flipped));
        let mut bad = good.clone();
        for kind in [
            SectionKind::InOffsets,
            SectionKind::InSources,
            SectionKind::InToOut,
        ] {
            let (a, len) = section_of(&good, kind);
            let (b, len2) = section_of(&other, kind);
            assert_eq!(len, len2);
            bad[a..a + len].copy_from_slice(&other[b..b + len]);
        }
        expect_slot_error(&bad, "transposed edge");
        // Version 3 without the map, checked by (source, target) pairs: the same transposed
        // edge is caught and named in in_sources (the first in-edge missing from the out-side).
        let good3 = to_bytes(&graph(&edges));
        assert_eq!(le_u32(&good3, 8), VERSION);
        let other3 = to_bytes(&graph(&flipped));
        let mut bad = good3.clone();
        for kind in [SectionKind::InOffsets, SectionKind::InSources] {
            let (a, len) = section_of(&good3, kind);
            let (b, len2) = section_of(&other3, kind);
            assert_eq!(len, len2);
            bad[a..a + len].copy_from_slice(&other3[b..b + len]);
        }
        // The in-side of the flipped graph: 4 follows 1 instead of 1 following 4, so vertex 1's
        // in-list is [0, 4]; its slot 1 (in-edge 2 overall: vertex 0 has one in-edge, from 5)
        // is the first pair the out-side lacks.
        let (src_at, _) = section_of(&good3, SectionKind::InSources);
        match from_bytes(&bad, "transposed edge, v3", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset, (src_at + 4 * 2) as u64, "{reason}");
                assert!(
                    reason.contains("in-edge 2 (4 -> 1) is not among the out-edges"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // One source rewritten: vertex 4's in-list [1, 3] becomes [1, 2] (still sorted, no
        // self-loop, the counts kept), so 2 -> 4 stands where 3 -> 4 was.
        let mut bad = good3.clone();
        let src = |b: &[u8], j: usize| le_u32(b, src_at + 4 * j);
        let in_at = section_of(&good3, SectionKind::InOffsets).0;
        let j4 = le_u64(&good3, in_at + 8 * 4) as usize;
        assert_eq!((src(&good3, j4), src(&good3, j4 + 1)), (1, 3));
        bad[src_at + 4 * (j4 + 1)..src_at + 4 * (j4 + 2)].copy_from_slice(&2u32.to_le_bytes());
        match from_bytes(&bad, "moved source, v3", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset, (src_at + 4 * (j4 + 1)) as u64, "{reason}");
                assert!(reason.contains("(2 -> 4) is not among"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // An in -> out entry past the last edge.
        let mut bad = good.clone();
        bad[at + 8..at + 12].copy_from_slice(&8u32.to_le_bytes());
        match from_bytes(&bad, "past", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset, (at + 8) as u64, "{reason}");
                assert!(reason.contains("in-edge slot 2"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // Integer ids out of order but distinct load (the sort path); a duplicate among
        // them does not.
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [(30, 20), (20, 10), (10, 40)] {
            b.add_edge(u.to_string().as_str(), v.to_string().as_str(), None)
                .unwrap();
        }
        let g = b.build().unwrap().0;
        let bytes = to_bytes(&g);
        let r = from_bytes(&bytes, "unsorted", &no_crc).unwrap();
        assert_eq!(r.label(0), "30");
        let (off, _) = section_of(&bytes, SectionKind::IdsInt);
        let mut bad = bytes.clone();
        let last: [u8; 8] = bad[off + 24..off + 32].try_into().unwrap();
        bad[off..off + 8].copy_from_slice(&last);
        match from_bytes(&bad, "dup", &no_crc) {
            Err(Error::CorruptGraphFile { reason, .. }) => {
                assert!(reason.contains("id 40 appears twice"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Bytes the file spends on `ids_int_order` (with its padding): what older versions lack.
    fn order_len(bytes: &[u8]) -> usize {
        if has_section(bytes, SectionKind::IdsIntOrder) {
            section_of(bytes, SectionKind::IdsIntOrder)
                .1
                .next_multiple_of(ALIGN)
        } else {
            0
        }
    }

    fn has_section(bytes: &[u8], kind: SectionKind) -> bool {
        (0..le_u32(bytes, 32) as usize)
            .any(|i| le_u32(bytes, HEADER_LEN + ENTRY_LEN * i) == kind as u32)
    }

    /// A graph without given probabilities (integer ids, dense ids in order of appearance).
    fn plain() -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [
            (0, 2),
            (1, 2),
            (2, 3),
            (3, 0),
            (0, 1),
            (4, 1),
            (2, 4),
            (4, 0),
        ] {
            b.add_edge_ints(u, v, None).unwrap();
        }
        b.build().unwrap().0
    }

    /// The in -> out map by definition: in-slot `j` (target `v`, source `u`) names the slot of
    /// `v` in `u`'s out-list.
    fn brute_in_to_out(t: &Topology) -> Vec<u32> {
        (0..t.node_count())
            .flat_map(|v| {
                (t.in_offsets()[v]..t.in_offsets()[v + 1]).map(move |j| {
                    let u = t.in_sources()[j] as usize;
                    let lo = t.out_offsets()[u];
                    let at = t.followers(u as u32).iter().position(|&x| x as usize == v);
                    (lo + at.expect("the in-edge is an out-edge")) as u32
                })
            })
            .collect()
    }

    #[test]
    fn version_3_holds_the_in_to_out_map_only_with_given_probabilities() {
        let opts = ReadOptions::default();
        // Without given probabilities: neither the built graph nor the file holds the map, nor
        // the graph read back; built on first use, it is the map by definition, and clones of
        // the topology made before share it.
        let g = plain();
        assert!(g.topology().in_to_out_if_held().is_none());
        let bytes = to_bytes(&g);
        assert_eq!(le_u32(&bytes, 8), VERSION);
        assert!(!has_section(&bytes, SectionKind::InToOut));
        assert!(bytes.len() + 4 * g.edge_count() < to_bytes_v2(&g).len() + order_len(&bytes));
        let r = from_bytes(&bytes, "v3", &opts).unwrap();
        let t = r.topology().clone();
        assert!(t.in_to_out_if_held().is_none());
        let brute = brute_in_to_out(&t);
        assert_eq!(r.topology().in_to_out(), &brute[..]);
        assert_eq!(t.in_to_out_if_held(), Some(&brute[..]));
        assert!(t.shares_arrays(r.topology()));
        same(&g, &r);
        // Given probabilities set after the load are read in in-edge order through that map;
        // written again, the file holds it, and it is read back as held.
        let mut g2 = from_bytes(&bytes, "v3", &opts).unwrap();
        let m = g2.edge_count();
        let probs: Vec<f32> = (0..m).map(|e| (e + 1) as f32 / (m + 1) as f32).collect();
        g2.set_probabilities(probs.clone()).unwrap();
        let expect: Vec<f32> = brute.iter().map(|&e| probs[e as usize]).collect();
        assert_eq!(g2.in_csr().probs.to_vec(), expect);
        let again = to_bytes(&g2);
        assert!(has_section(&again, SectionKind::InToOut));
        let r2 = from_bytes(&again, "v3 given", &opts).unwrap();
        assert_eq!(r2.topology().in_to_out_if_held(), Some(&brute[..]));
        same(&g2, &r2);
        // Given probabilities from the input (in force or beside a scheme): the map is built
        // with the graph and written.
        for g in [
            rich(),
            rich().with_weights(&WeightScheme::WeightedCascade).unwrap(),
        ] {
            assert!(g.topology().in_to_out_if_held().is_some());
            let b = to_bytes(&g);
            assert!(has_section(&b, SectionKind::InToOut));
            let r = from_bytes(&b, "v3 rich", &opts).unwrap();
            assert_eq!(
                r.topology().in_to_out_if_held(),
                Some(&brute_in_to_out(g.topology())[..])
            );
        }
        // Version-2 files hold the map whatever the probabilities: they still load, give the
        // same graph, and write the version-3 bytes a direct write gives.
        for g in [plain(), rich(), g2] {
            let v2 = to_bytes_v2(&g);
            assert_eq!(le_u32(&v2, 8), 2);
            assert!(has_section(&v2, SectionKind::InToOut));
            for verify_checksums in [true, false] {
                let o = ReadOptions {
                    verify_checksums,
                    weights: None,
                };
                let r = from_bytes(&v2, "v2", &o).unwrap();
                same(&g, &r);
                assert!(r.topology().in_to_out_if_held().is_some());
                assert_eq!(to_bytes(&r), to_bytes(&g));
            }
        }
    }

    #[test]
    fn a_misplaced_or_missing_in_to_out_section_is_a_typed_error() {
        let with_header_crc = |mut b: Vec<u8>| {
            let end = HEADER_LEN + ENTRY_LEN * le_u32(&b, 32) as usize;
            let header: [u8; HEADER_LEN] = b[..HEADER_LEN].try_into().unwrap();
            let crc = header_crc(&header, &b[HEADER_LEN..end]);
            b[36..40].copy_from_slice(&crc.to_le_bytes());
            b
        };
        let entry_of = |b: &[u8], kind: SectionKind| {
            (0..le_u32(b, 32) as usize)
                .map(|i| HEADER_LEN + ENTRY_LEN * i)
                .find(|&e| le_u32(b, e) == kind as u32)
                .unwrap()
        };
        // A version-2 file without given probabilities relabelled version 3: it holds a map a
        // version-3 file holds only with given probabilities.
        let mut b = to_bytes_v2(&plain());
        b[8..12].copy_from_slice(&3u32.to_le_bytes());
        let b = with_header_crc(b);
        // A version-3 file without the map that claims given probabilities in force.
        let mut c = to_bytes(&plain());
        c[12..16].copy_from_slice(&FLAG_GIVEN_IN_FORCE.to_le_bytes());
        let c = with_header_crc(c);
        for verify_checksums in [true, false] {
            let o = ReadOptions {
                verify_checksums,
                weights: None,
            };
            match from_bytes(&b, "extra map", &o) {
                Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                    assert_eq!(offset as usize, entry_of(&b, SectionKind::InToOut));
                    assert!(
                        reason.contains("in_to_out in a version-3 file without per-edge given"),
                        "{reason}"
                    );
                }
                other => panic!("{other:?}"),
            }
            match from_bytes(&c, "no map", &o) {
                Err(Error::CorruptGraphFile { reason, .. }) => {
                    assert!(reason.contains("no in_to_out section"), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
        // A version this build does not know is refused by the version field, as a version-2
        // build refuses a version-3 file.
        let mut d = to_bytes(&plain());
        d[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
        match from_bytes(&with_header_crc(d), "future", &ReadOptions::default()) {
            Err(Error::CorruptGraphFile {
                offset: 8, reason, ..
            }) => {
                assert!(reason.contains("reads versions 1 to 4"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// A graph whose input gave every edge probability `p` (integer and text ids, a duplicate
    /// and a self-loop dropped), about 3,000 edges over 300 accounts.
    fn uniform_given(p: f32, text_ids: bool) -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        let mut r: crate::rng::Rng = crate::rng::stream(11, 0);
        for _ in 0..3000 {
            let u = crate::rng::below(&mut r, 300);
            let v = crate::rng::below(&mut r, 300);
            if text_ids {
                b.add_edge(
                    format!("ig:p{u}").as_str(),
                    format!("ig:p{v}").as_str(),
                    Some(p as f64),
                )
                .unwrap();
            } else {
                b.add_edge_ints(u as i64, v as i64, Some(p as f64)).unwrap();
            }
        }
        b.build().unwrap().0
    }

    #[test]
    fn given_probabilities_that_are_one_value_are_stored_once() {
        let opts = ReadOptions::default();
        for (p, text_ids) in [(1.0f32, true), (1.0, false), (0.25, false)] {
            let g = uniform_given(p, text_ids);
            let m = g.edge_count();
            assert!(m > 2500);
            // Built in memory: one value, no per-edge array and no in -> out map.
            assert!(g.has_given_probabilities() && !g.has_per_edge_given_probabilities());
            assert!(g.topology().in_to_out_if_held().is_none());
            assert_eq!(g.weight_scheme(), &WeightScheme::Given);
            let bytes = to_bytes(&g);
            assert_eq!(le_u32(&bytes, 8), 4);
            assert_eq!(
                le_u32(&bytes, 12),
                0,
                "no flag: no per-edge column is in force"
            );
            let (at, len) = section_of(&bytes, SectionKind::GivenSame);
            assert_eq!(len, 4);
            assert_eq!(f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()), p);
            for k in [
                SectionKind::InToOut,
                SectionKind::OutProbs,
                SectionKind::InProbs,
                SectionKind::GivenProbs,
            ] {
                assert!(!has_section(&bytes, k), "{k:?}");
            }
            // Against the per-edge layout of version 3 (the map and both orders of the
            // probabilities in force, 4 bytes per edge each): 12 bytes per edge fewer.
            let v3 = to_bytes_v3(&g);
            assert_eq!(le_u32(&v3, 8), 3);
            assert_eq!(le_u32(&v3, 12), FLAG_GIVEN_IN_FORCE);
            assert!(has_section(&v3, SectionKind::InToOut));
            assert!(bytes.len() + 12 * m <= v3.len() + 2 * ALIGN + order_len(&bytes));
            let new = from_bytes(&bytes, "v4", &opts).unwrap();
            let old = from_bytes(&v3, "v3", &opts).unwrap();
            assert!(!new.has_per_edge_given_probabilities());
            assert!(old.has_per_edge_given_probabilities());
            assert_eq!(new.probabilities_held(), (false, false));
            assert_eq!(old.probabilities_held(), (true, true));
            same(&g, &new);
            same(&old, &new);
            assert!(new
                .out_csr()
                .probs
                .iter()
                .all(|&q| q.to_bits() == p.to_bits()));
            // Written again, each gives the version-4 bytes (the old file's per-edge column
            // is found to be one value).
            assert_eq!(to_bytes(&new), bytes);
            assert_eq!(to_bytes(&old), bytes);
            // Every scheme: the same probabilities from either file, and the files a scheme
            // in force writes keep the one given value beside the stored probabilities.
            for scheme in [
                WeightScheme::WeightedCascade,
                WeightScheme::Constant { p: 0.3 },
                WeightScheme::Trivalency { seed: 2 },
            ] {
                let a = new.with_weights(&scheme).unwrap();
                let b = old.with_weights(&scheme).unwrap();
                assert_eq!(a.out_csr().probs, b.out_csr().probs, "{scheme:?}");
                assert_eq!(a.in_csr().probs, b.in_csr().probs, "{scheme:?}");
                let w = to_bytes(&a);
                assert!(has_section(&w, SectionKind::GivenSame));
                assert!(!has_section(&w, SectionKind::GivenProbs));
                assert!(!has_section(&w, SectionKind::InToOut));
                assert_eq!(
                    has_section(&w, SectionKind::OutProbs),
                    !matches!(scheme, WeightScheme::Constant { .. })
                );
                let r = from_bytes(&w, "v4 scheme", &opts).unwrap();
                same(&a, &r);
                // Read back under the given probabilities again.
                let given = from_bytes(
                    &w,
                    "v4 scheme",
                    &ReadOptions {
                        weights: Some(WeightScheme::Given),
                        ..ReadOptions::default()
                    },
                )
                .unwrap();
                same(&new, &given);
            }
        }
        // A per-edge list whose values differ keeps its column and its map.
        let g = rich();
        let b = to_bytes(&g);
        assert!(has_section(&b, SectionKind::InToOut) && !has_section(&b, SectionKind::GivenSame));
        assert!(from_bytes(&b, "rich", &opts)
            .unwrap()
            .has_per_edge_given_probabilities());
        // Probabilities set by hand that are one value are held as one.
        let mut h = plain();
        h.set_probabilities(vec![0.5; h.edge_count()]).unwrap();
        assert!(!h.has_per_edge_given_probabilities());
        let b = to_bytes(&h);
        assert!(has_section(&b, SectionKind::GivenSame));
        same(&h, &from_bytes(&b, "set", &opts).unwrap());
    }

    /// Reach, spread and selection under the given probabilities give the same answers from a
    /// file that stores the one given value and from the version-3 file that stores it per edge
    /// (where the kernels read the mapped arrays), for the same seeds.
    #[test]
    fn one_given_value_gives_the_answers_of_the_per_edge_layout() {
        use crate::cascade::Model;
        // LT needs in-weights summing to at most 1: a smaller value there.
        for (model, p) in [
            (Model::IndependentCascade, 0.2),
            (Model::LinearThreshold, 0.04),
        ] {
            let g = uniform_given(p, true);
            let new = from_bytes(&to_bytes(&g), "v4", &ReadOptions::default()).unwrap();
            let old = from_bytes(&to_bytes_v3(&g), "v3", &ReadOptions::default()).unwrap();
            answers_agree(&new, &old, model);
        }
    }

    fn answers_agree(new: &Graph, old: &Graph, model: crate::cascade::Model) {
        use crate::cascade::{simulate, SpreadConfig};
        use crate::select::{select, SelectConfig};
        assert!(!new.has_per_edge_given_probabilities() && old.has_per_edge_given_probabilities());
        let seeds: Vec<u32> = ["ig:p1", "ig:p17", "ig:p250"]
            .iter()
            .map(|s| new.node(s).unwrap())
            .collect();
        assert_eq!(
            seeds,
            ["ig:p1", "ig:p17", "ig:p250"]
                .iter()
                .map(|s| old.node(s).unwrap())
                .collect::<Vec<_>>()
        );
        let reach = |g: &Graph| {
            let r = crate::reach::expected_reach(g, &seeds, 3, &Default::default()).unwrap();
            (r.expected_people, r.frequency)
        };
        assert_eq!(reach(new), reach(old));
        {
            for threads in [1, 2] {
                let cfg = SpreadConfig::builder()
                    .trials(2000)
                    .seed(3)
                    .threads(threads)
                    .build()
                    .unwrap();
                let spread = |g: &Graph| {
                    let r = simulate(g, &seeds, model, &cfg, &NoProgress).unwrap();
                    (r.accounts.mean, r.accounts.stderr, r.people.mean)
                };
                let (a, b) = (spread(new), spread(old));
                assert_eq!(a, b, "{model:?} {threads}");
                // A cascade that reached past its seeds (so the comparison saw live edges).
                assert!(a.0 > seeds.len() as f64 + 0.5, "{a:?}");
                let cfg = SelectConfig::builder()
                    .k(4)
                    .epsilon(0.3)
                    .seed(5)
                    .threads(threads)
                    .build()
                    .unwrap();
                let pick = |g: &Graph| {
                    let s = select(g, model, &cfg, &NoProgress).unwrap();
                    (
                        s.seeds,
                        s.summary.estimate.mean,
                        s.summary.rr_sets,
                        s.marginal_gains,
                    )
                };
                assert_eq!(pick(new), pick(old), "{model:?} {threads}");
            }
        }
        // Sampling read the one value: the graph never held the in-order array.
        assert!(!new.probabilities_held().1);
    }

    #[test]
    fn a_bad_given_same_section_is_a_typed_error() {
        let with_header_crc = |mut b: Vec<u8>| {
            let end = HEADER_LEN + ENTRY_LEN * le_u32(&b, 32) as usize;
            let header: [u8; HEADER_LEN] = b[..HEADER_LEN].try_into().unwrap();
            let crc = header_crc(&header, &b[HEADER_LEN..end]);
            b[36..40].copy_from_slice(&crc.to_le_bytes());
            b
        };
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        let expect =
            |b: &[u8], o: &ReadOptions, offset: usize, text: &str| match from_bytes(b, "bad", o) {
                Err(Error::CorruptGraphFile {
                    offset: got,
                    reason,
                    ..
                }) => {
                    assert_eq!(got as usize, offset, "{reason}");
                    assert!(reason.contains(text), "{reason}");
                }
                other => panic!("{text}: {other:?}"),
            };
        let g = uniform_given(1.0, false);
        let bytes = to_bytes(&g);
        let (at, _) = section_of(&bytes, SectionKind::GivenSame);
        // Not a probability: caught by the checksum, and without it by the range check.
        for bad in [1.5f32, -0.25, f32::NAN, f32::INFINITY] {
            let mut b = bytes.clone();
            b[at..at + 4].copy_from_slice(&bad.to_le_bytes());
            expect(&b, &ReadOptions::default(), at, "given_same checksum");
            expect(&b, &no_crc, at, "not a probability in [0, 1]");
        }
        // Another value in range is a different graph, loaded as such without checksums.
        let mut b = bytes.clone();
        b[at..at + 4].copy_from_slice(&0.5f32.to_le_bytes());
        let r = from_bytes(&b, "half", &no_crc).unwrap();
        assert!(r.in_csr().probs.iter().all(|&p| p == 0.5));
        // The flag of a per-edge column in force beside the one value.
        let mut b = bytes.clone();
        b[12..16].copy_from_slice(&FLAG_GIVEN_IN_FORCE.to_le_bytes());
        let b = with_header_crc(b);
        for o in [&ReadOptions::default(), &no_crc] {
            match from_bytes(&b, "flag", o) {
                Err(Error::CorruptGraphFile { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
        // The section in a file that says version 3.
        let mut b = bytes.clone();
        b[8..12].copy_from_slice(&3u32.to_le_bytes());
        let b = with_header_crc(b);
        let entry = (0..le_u32(&b, 32) as usize)
            .map(|i| HEADER_LEN + ENTRY_LEN * i)
            .find(|&e| le_u32(&b, e) == SectionKind::GivenSame as u32)
            .unwrap();
        expect(
            &b,
            &ReadOptions::default(),
            entry,
            "cannot appear in a version-3 file",
        );
        // The entry renamed to a kind this build does not know.
        let mut b = bytes.clone();
        b[entry..entry + 4].copy_from_slice(&99u32.to_le_bytes());
        expect(
            &with_header_crc(b),
            &no_crc,
            entry,
            "unknown section kind 99",
        );
        // Every truncation of the new layout is a typed error.
        for len in 0..bytes.len() {
            for o in [&ReadOptions::default(), &no_crc] {
                match from_bytes(&bytes[..len], "cut", o) {
                    Err(Error::TruncatedGraphFile { .. } | Error::CorruptGraphFile { .. }) => {}
                    other => panic!("cut at {len}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn ids_int_order_proves_distinct_ids_and_serves_lookups() {
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        // Integer ids out of order (negative, large, in the order met).
        let mut r: crate::rng::Rng = crate::rng::stream(4, 0);
        let id = |r: &mut crate::rng::Rng| crate::rng::below(r, 1 << 40) as i64 - (1 << 39);
        let src: Vec<i64> = (0..600).map(|_| id(&mut r)).collect();
        let dst: Vec<i64> = (0..600).map(|_| id(&mut r)).collect();
        let g = Graph::from_id_arrays(&src, &dst, None, GraphOptions::default())
            .unwrap()
            .0;
        let n = g.node_count();
        let bytes = to_bytes(&g);
        let (at, len) = section_of(&bytes, SectionKind::IdsIntOrder);
        assert_eq!(len, 4 * n);
        let order: Vec<u32> = (0..n).map(|i| le_u32(&bytes, at + 4 * i)).collect();
        let mut want: Vec<u32> = (0..n as u32).collect();
        want.sort_by_key(|&i| g.ids().key(i).to_string().parse::<i64>().unwrap());
        assert_eq!(order, want);
        let back = from_bytes(&bytes, "order", &ReadOptions::default()).unwrap();
        same(&g, &back);
        for i in 0..n as u32 {
            assert_eq!(back.node(&g.label(i)).unwrap(), i);
            // Ids beside each one are not found (the ids are far apart).
            let v: i64 = g.label(i).parse().unwrap();
            assert!(back.node(&(v + 1).to_string()).is_err());
        }
        assert!(back.node("x").is_err());
        assert!(!back.ids().index_built());
        // Increasing ids need no order.
        let inc = Graph::from_id_arrays(&[1, 2, 3], &[2, 3, 5], None, GraphOptions::default())
            .unwrap()
            .0;
        assert!(!has_section(&to_bytes(&inc), SectionKind::IdsIntOrder));
        // Corrupt orders: an entry past the last account, two entries swapped, an entry
        // repeated. Each is caught by the checksum, and without it by the load's one pass,
        // which names the section (the ids themselves are distinct).
        let put = |b: &mut Vec<u8>, i: usize, v: u32| {
            b[at + 4 * i..at + 4 * i + 4].copy_from_slice(&v.to_le_bytes())
        };
        let mut past = bytes.clone();
        put(&mut past, 7, n as u32);
        let mut swapped = bytes.clone();
        put(&mut swapped, 3, order[4]);
        put(&mut swapped, 4, order[3]);
        let mut repeated = bytes.clone();
        put(&mut repeated, 5, order[6]);
        let mut huge = bytes.clone();
        put(&mut huge, 0, u32::MAX);
        for (b, what) in [
            (&past, "past"),
            (&swapped, "swapped"),
            (&repeated, "repeated"),
            (&huge, "huge"),
        ] {
            match from_bytes(b, what, &ReadOptions::default()) {
                Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                    assert_eq!(offset as usize, at, "{what}: {reason}");
                    assert!(
                        reason.contains("ids_int_order checksum"),
                        "{what}: {reason}"
                    );
                }
                other => panic!("{what}: {other:?}"),
            }
            match from_bytes(b, what, &no_crc) {
                Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                    assert_eq!(offset as usize, at, "{what}: {reason}");
                    assert!(
                        reason.contains("ids_int_order does not list the ids in increasing order"),
                        "{what}: {reason}"
                    );
                }
                other => panic!("{what}: {other:?}"),
            }
        }
        // A repeated id is named as such, whatever the order says.
        let (ids_at, _) = section_of(&bytes, SectionKind::IdsInt);
        let mut dup = bytes.clone();
        let first: [u8; 8] = dup[ids_at..ids_at + 8].try_into().unwrap();
        dup[ids_at + 8 * 9..ids_at + 8 * 10].copy_from_slice(&first);
        match from_bytes(&dup, "dup", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset as usize, ids_at + 8 * 9, "{reason}");
                assert!(reason.contains("appears twice"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // Not in a version-3 file.
        let mut v3 = bytes.clone();
        v3[8..12].copy_from_slice(&3u32.to_le_bytes());
        let crc = header_crc(
            &v3[..HEADER_LEN].try_into().unwrap(),
            &v3[HEADER_LEN..HEADER_LEN + ENTRY_LEN * le_u32(&v3, 32) as usize],
        );
        v3[36..40].copy_from_slice(&crc.to_le_bytes());
        match from_bytes(&v3, "v3", &ReadOptions::default()) {
            Err(Error::CorruptGraphFile { reason, .. }) => {
                assert!(
                    reason.contains("cannot appear in a version-3 file"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn version_1_files_still_read_and_give_the_same_graph() {
        let g = rich();
        let v1 = to_bytes_v1(&g);
        assert_eq!(le_u32(&v1, 8), 1);
        same(&g, &from_bytes(&v1, "v1", &ReadOptions::default()).unwrap());
        let w = g.with_weights(&WeightScheme::WeightedCascade).unwrap();
        same(
            &w,
            &from_bytes(&to_bytes_v1(&w), "v1", &ReadOptions::default()).unwrap(),
        );
        // Every attribute column the writer stores, with values away from the defaults.
        let mut a = g.attributes().clone();
        for i in 0..g.node_count() {
            a.followers.set(i, Some(1000 * i as u64));
            a.tier.set(i, Some(Tier::ALL[i % 5]));
            a.lean[i] = 0.1 * i as f64;
            a.turnout[i] = 0.05 * i as f64;
            a.eligible[i] = 1.0 - 0.1 * i as f64;
            a.effect_multiplier[i] = i as f64;
            a.target_weight[i] = 0.5 * i as f32;
        }
        let mut full = g.clone();
        full.set_attributes(a).unwrap();
        let v2 = back(&full);
        same(&full, &v2);
        // Column for column, bit for bit (NaN, not given, is not `==` to itself).
        assert_eq!(
            format!("{:?}", full.attributes()),
            format!("{:?}", v2.attributes())
        );
        same(
            &full,
            &from_bytes(&to_bytes_v1(&full), "v1", &ReadOptions::default()).unwrap(),
        );
    }

    #[test]
    fn attribute_columns_load_without_building_the_id_index() {
        // Integer ids with attributes: version 2 reads the columns by dense id, so the id →
        // dense id index is not built by the load (version 1 parses a CSV keyed by id, which
        // builds it: that was why a converted file held the index right after loading).
        let (mut g, _) =
            Graph::from_id_arrays(&[10, 30, -4], &[30, -4, 10], None, GraphOptions::default())
                .unwrap();
        let csv = "id,person,jurisdiction,cost\n10,p,TX,5\n30,p,,\n-4,q,CA,1\n";
        let attrs = io::read_attributes(csv.as_bytes(), "a.csv", &g).unwrap();
        g.set_attributes(attrs).unwrap();
        let r = from_bytes(&to_bytes(&g), "ints", &ReadOptions::default()).unwrap();
        assert!(!r.ids().index_built(), "the load built the id index");
        same(&g, &r);
        assert_eq!(r.people().count, 2);
        let old = from_bytes(&to_bytes_v1(&g), "v1", &ReadOptions::default()).unwrap();
        assert!(old.ids().index_built());
        // Ids out of order are listed in order (version 4): lookups search that list, and no
        // index is ever built.
        assert!(has_section(&to_bytes(&g), SectionKind::IdsIntOrder));
        for id in ["10", "30", "-4"] {
            assert_eq!(r.node(id).unwrap(), g.node(id).unwrap());
        }
        assert!(r.node("11").is_err() && r.node("-5").is_err() && r.node("31").is_err());
        assert!(!r.ids().index_built());
        // A version-3 file (no order): the index is built on the first lookup.
        let v3 = from_bytes(&to_bytes_v3(&g), "v3", &ReadOptions::default()).unwrap();
        assert!(!v3.ids().index_built());
        assert_eq!(v3.node("-4").unwrap(), g.node("-4").unwrap());
        assert!(v3.ids().index_built());
    }

    #[test]
    fn bad_attribute_columns_are_typed_errors_naming_the_byte() {
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        let mut g = rich();
        let mut a = g.attributes().clone();
        a.tier.set(0, Some(Tier::Mid));
        g.set_attributes(a).unwrap();
        let bytes = to_bytes(&g);
        let expect = |b: &[u8], at: usize, needle: &str| match from_bytes(b, "bad", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset as usize, at, "{reason}");
                assert!(reason.contains(needle), "{reason}");
            }
            other => panic!("{needle}: {other:?}"),
        };
        // A tier that is not one.
        let (off, _) = section_of(&bytes, SectionKind::AttrTier);
        let mut b = bytes.clone();
        b[off + 1] = 7;
        expect(&b, off + 1, "not a tier");
        // A person code past the names.
        let (off, _) = section_of(&bytes, SectionKind::AttrPerson);
        let mut b = bytes.clone();
        b[off + 4..off + 8].copy_from_slice(&9u32.to_le_bytes());
        expect(&b, off + 4, "code 9");
        // A name length past the section.
        let (off, _) = section_of(&bytes, SectionKind::AttrPlatformNames);
        let mut b = bytes.clone();
        b[off..off + 4].copy_from_slice(&1000u32.to_le_bytes());
        expect(&b, off, "name of 1000 bytes");
        // The names encoding: a u32 length, then the bytes.
        let (off, len) = section_of(&bytes, SectionKind::AttrPersonNames);
        assert_eq!(&bytes[off..off + len], b"\x02\0\0\0p1");
        // A value out of range, caught where the attributes are checked.
        let (off, _) = section_of(&bytes, SectionKind::AttrCost);
        let mut b = bytes.clone();
        b[off..off + 8].copy_from_slice(&(-1f64).to_bits().to_le_bytes());
        match from_bytes(&b, "bad", &no_crc) {
            Err(Error::CorruptGraphFile { reason, .. }) => assert!(reason.contains("cost")),
            other => panic!("{other:?}"),
        }
        // A version-2 column in a file that says version 1.
        let mut b = bytes.clone();
        b[8..12].copy_from_slice(&1u32.to_le_bytes());
        match from_bytes(&b, "bad", &no_crc) {
            Err(Error::CorruptGraphFile { reason, .. }) => {
                assert!(
                    reason.contains("cannot appear in a version-1 file"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
        // Duplicate names.
        let mut g2 = rich();
        let mut a = g2.attributes().clone();
        a.platform.names = vec!["x".to_string(), "x".into()].into();
        a.platform.codes = vec![0, 1, NONE, NONE, NONE, NONE].into();
        g2.set_attributes(a).unwrap();
        let b = to_bytes(&g2);
        let (off, _) = section_of(&b, SectionKind::AttrPlatformNames);
        expect(&b, off, "\"x\" twice");
    }

    #[test]
    fn every_flipped_byte_is_caught_by_checksums_and_never_crashes_without() {
        // Per-edge given probabilities, and one given value for every edge.
        let mut one = plain();
        one.set_probabilities(vec![1.0; one.edge_count()]).unwrap();
        for g in [rich(), one] {
            flip_every_byte(&g);
        }
    }

    fn flip_every_byte(g: &Graph) {
        let bytes = to_bytes(g);
        for i in 0..bytes.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= mask;
                match from_bytes(&b, "flip", &ReadOptions::default()) {
                    Err(Error::TruncatedGraphFile { .. } | Error::CorruptGraphFile { .. }) => {}
                    other => panic!("byte {i} ^ {mask:#x}: {other:?}"),
                }
                // Without checksums: a typed error, or a graph that passed the structural
                // checks (a changed probability, id or attribute): never a panic.
                let o = ReadOptions {
                    verify_checksums: false,
                    weights: None,
                };
                if let Ok(r) = from_bytes(&b, "flip", &o) {
                    assert_eq!(r.edge_count(), g.edge_count());
                    assert!(r.out_csr().probs.iter().all(|p| (0.0..=1.0).contains(p)));
                }
            }
        }
    }

    /// The checksums of the CSR arrays and the probabilities are computed inside the
    /// structural pass; a corrupt file must still get the error of the first section (in table
    /// order) whose checksum differs, as when every checksum was verified before any structure,
    /// even where the flipped byte also breaks a structural rule the pass meets first.
    #[test]
    fn checksums_checked_in_the_pass_name_the_section_as_before() {
        let g = rich();
        let bytes = to_bytes(&g);
        let mut fused = 0;
        for kind in [
            SectionKind::OutOffsets,
            SectionKind::OutTargets,
            SectionKind::InOffsets,
            SectionKind::InSources,
            SectionKind::InToOut,
            SectionKind::OutProbs,
            SectionKind::InProbs,
            SectionKind::AttrCost,
            SectionKind::AttrPlatform,
        ] {
            let (off, len) = section_of(&bytes, kind);
            assert!(len > 0, "{kind:?}");
            fused += kind.checked_in_pass() as usize;
            for i in off..off + len {
                for mask in [0x01u8, 0x80, 0xff] {
                    let mut b = bytes.clone();
                    b[i] ^= mask;
                    match from_bytes(&b, "flip", &ReadOptions::default()) {
                        Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                            assert_eq!(offset as usize, off, "{kind:?} byte {i}: {reason}");
                            assert!(
                                reason.contains(&format!("section {} checksum", kind.name())),
                                "{reason}"
                            );
                        }
                        other => panic!("{kind:?} byte {i} ^ {mask:#x}: {other:?}"),
                    }
                }
            }
        }
        assert_eq!(fused, 7);
    }

    /// Check chunks cover every row once, in order, each about `CHECK_CHUNK` rows plus edges,
    /// including long runs of rows without edges and rows with many.
    #[test]
    fn check_chunks_cover_every_row_once() {
        for offsets in [
            vec![0usize],
            vec![0, 0],
            vec![0, 9],
            vec![0, 0, 0, 0, 0, 0, 0, 1],
            vec![0, 5, 5, 5, 5, 5, 6, 20, 20, 21],
            (0..50).map(|i| i / 7).collect(),
        ] {
            let n = offsets.len() - 1;
            let chunks = check_chunks(&offsets);
            let mut at = 0;
            for &(a, b) in &chunks {
                assert_eq!(a, at, "{offsets:?}: {chunks:?}");
                assert!(b > a);
                // A chunk ends at the first row reaching its budget (or at n).
                let cost = |r: usize| r + offsets[r];
                assert!(b == n || cost(b) >= cost(a) + CHECK_CHUNK);
                assert!((a + 1..b).all(|r| cost(r) < cost(a) + CHECK_CHUNK));
                at = b;
            }
            assert_eq!(at, n);
        }
    }

    /// Numeric attribute columns a file holds are read in place from the map, not copied; they
    /// read, compare and serialize as the columns written, and a write copies them first.
    #[test]
    fn attribute_columns_are_read_in_place_from_a_mapped_file() {
        let mut g = rich();
        let mut a = g.attributes().clone();
        a.followers.set(1, Some(12_345));
        a.target_weight[2] = 0.5;
        a.lean[0] = 0.25;
        a.effect_multiplier[3] = 2.0;
        g.set_attributes(a).unwrap();
        let dir = std::env::temp_dir().join(format!("rgraph-cols-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.rgraph");
        write(&g, &path).unwrap();
        let r = read(&path, &ReadOptions::default()).unwrap();
        let ra = r.attributes();
        assert!(ra.followers.raw().is_mapped());
        assert!(ra.target_weight.is_mapped() && ra.lean.is_mapped());
        assert!(ra.effect_multiplier.is_mapped());
        assert!(ra.turnout.is_default() && !ra.turnout.is_mapped());
        // Equal bit for bit (NaN marks "not given", so `==` on the columns would fail).
        let bits =
            |c: &crate::attrs::Column<f64>| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let ga = g.attributes();
        for (x, y) in [
            (&ra.lean, &ga.lean),
            (&ra.turnout, &ga.turnout),
            (&ra.eligible, &ga.eligible),
            (&ra.effect_multiplier, &ga.effect_multiplier),
        ] {
            assert_eq!(bits(x), bits(y));
        }
        assert_eq!(ra.target_weight, ga.target_weight);
        assert_eq!(ra.followers, ga.followers);
        assert_eq!(r.people(), g.people());
        assert_eq!(ra.followers.get(1), Some(12_345));
        assert_eq!(ra.target_weight[2], 0.5);
        assert_eq!(ra.lean.get(0), 0.25);
        assert_eq!(
            serde_json::to_string(ra).unwrap(),
            serde_json::to_string(g.attributes()).unwrap()
        );
        let mut copy = ra.clone();
        copy.target_weight[2] = 0.75;
        assert!(!copy.target_weight.is_mapped());
        assert_eq!(copy.target_weight[2], 0.75);
        assert_eq!(r.attributes().target_weight[2], 0.5);
        drop(r);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A mapped column is checked as a copied one was: a flipped byte is the section's checksum
    /// error, and without checksums a value out of range is a typed error naming the column.
    #[test]
    fn decreasing_offsets_and_bad_probabilities_name_their_byte() {
        // Without checksums, so the scans' own errors are met: an out-offset above the next
        // one names the entry after it, a probability outside [0, 1] its own entry, each in
        // a later window and chunk than the first (test windows of 3, chunks of 2 elements).
        let g = rich();
        let bytes = to_bytes(&g);
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        let offsets = g.topology().out_offsets();
        let m = offsets[offsets.len() - 1];
        let u = (1..offsets.len() - 1)
            .rev()
            .find(|&u| offsets[u + 1] < m && u >= 4)
            .expect("a row past the first window ending before the last edge");
        let (off, _) = section_of(&bytes, SectionKind::OutOffsets);
        let mut b = bytes.clone();
        b[off + 8 * u..off + 8 * u + 8].copy_from_slice(&(m as u64).to_le_bytes());
        match from_bytes(&b, "bad", &no_crc) {
            Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                assert_eq!(offset as usize, off + 8 * (u + 1), "{reason}");
                assert_eq!(reason, format!("out_offsets decreases after account {u}"));
            }
            other => panic!("{other:?}"),
        }
        for kind in [SectionKind::OutProbs, SectionKind::InProbs] {
            let (off, len) = section_of(&bytes, kind);
            let j = len / 4 - 1;
            assert!(j >= 4, "{kind:?}: {len} bytes");
            for bad in [1.5f32, -0.25, f32::NAN] {
                let mut b = bytes.clone();
                b[off + 4 * j..off + 4 * j + 4].copy_from_slice(&bad.to_bits().to_le_bytes());
                match from_bytes(&b, "bad", &no_crc) {
                    Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                        assert_eq!(offset as usize, off + 4 * j, "{reason}");
                        assert_eq!(
                            reason,
                            format!("{} holds {bad}, not a probability in [0, 1]", kind.name())
                        );
                    }
                    other => panic!("{kind:?} {bad}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn bad_values_in_mapped_columns_are_caught() {
        let mut g = rich();
        let mut a = g.attributes().clone();
        a.target_weight[2] = 0.5;
        a.turnout[1] = 0.5;
        g.set_attributes(a).unwrap();
        let bytes = to_bytes(&g);
        let no_crc = ReadOptions {
            verify_checksums: false,
            weights: None,
        };
        for (kind, at, bad, column) in [
            (
                SectionKind::AttrTargetWeight,
                8,
                (-1f32).to_bits().to_le_bytes().to_vec(),
                "target_weight",
            ),
            (
                SectionKind::AttrTargetWeight,
                0,
                f32::NAN.to_bits().to_le_bytes().to_vec(),
                "target_weight",
            ),
            (
                SectionKind::AttrTurnout,
                8,
                1.5f64.to_bits().to_le_bytes().to_vec(),
                "turnout",
            ),
        ] {
            let (off, _) = section_of(&bytes, kind);
            let mut b = bytes.clone();
            b[off + at..off + at + bad.len()].copy_from_slice(&bad);
            match from_bytes(&b, "bad", &ReadOptions::default()) {
                Err(Error::CorruptGraphFile { offset, reason, .. }) => {
                    assert_eq!(offset as usize, off, "{reason}");
                    assert!(reason.contains("checksum"), "{reason}");
                }
                other => panic!("{kind:?}: {other:?}"),
            }
            match from_bytes(&b, "bad", &no_crc) {
                Err(Error::CorruptGraphFile { reason, .. }) => {
                    assert!(reason.contains(column), "{reason}")
                }
                other => panic!("{kind:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_files_are_not_graph_files() {
        for bad in [&b""[..], b"1 2\n2 3\n", b"\x89RGRAPH", b"\x89RGRAPH\nxx"] {
            assert!(from_bytes(bad, "x", &ReadOptions::default()).is_err());
        }
        assert!(!has_magic(b"1 2\n"));
    }
}
