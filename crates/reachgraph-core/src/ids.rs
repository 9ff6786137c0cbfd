//! External node ids (integers or strings) and their mapping to dense `u32` ids.
//!
//! Inputs name accounts by their own ids: the integers of a SNAP edge list, or strings such as
//! `"tiktok:@alice"`. The graph works on dense ids `0..n` and maps back for every output.
//!
//! # The id rule
//!
//! An id is its text, trimmed of surrounding whitespace; two ids name the same account exactly
//! when their texts are equal byte for byte. Nothing else is equal: `"007"`, `"+7"` and `"7"`
//! are three accounts, as are `"-0"` and `"0"`. The rule is the same in every reader (edge
//! lists, CSV edges, attributes, costs, seeds and other id lists, JSON requests) and for ids
//! given from Python, whatever the order or mix of the ids.
//!
//! An id whose text is a *canonical integer* — `0`, or an optional `-` and a digit other than
//! `0` followed by digits, with a value in `-2^63 ..= 2^64 - 1` — is stored as an integer. That
//! is only a saving of memory: such an integer is equal to its decimal text and to nothing else,
//! so it never changes which ids are equal. A number given as a number (a Python `int`, a numpy
//! `int64` or `uint64`, a JSON number) is the id whose text is its decimal spelling, so `7`
//! and `"7"` are one account and `2**64 - 1` round-trips exactly.
//!
//! Outputs give ids as integers while every id of the graph is a canonical integer; once any
//! other id is present, every id is given as its text (integers keep their decimal spelling).

use crate::buf::Buf;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

/// An external node id: what the user's files call an account.
///
/// Build keys with [`NodeKey::parse`] or the `From` impls: they keep the invariant that
/// [`NodeKey::UInt`] holds only values above `i64::MAX`, so equal ids compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NodeKey {
    /// An integer id that fits an `i64`.
    Int(i64),
    /// An integer id above `i64::MAX` (up to `u64::MAX`).
    UInt(u64),
    /// Any other id: its text.
    Str(String),
}

impl NodeKey {
    /// Parses a token by the [id rule](self): a canonical integer in range becomes an integer
    /// key, anything else a string key holding the token as given.
    pub fn parse(token: &str) -> NodeKey {
        match parse_int_id(token.as_bytes()) {
            Some(v) => NodeKey::from_wide(v),
            None => NodeKey::Str(token.to_string()),
        }
    }

    fn from_wide(v: i128) -> NodeKey {
        match i64::try_from(v) {
            Ok(v) => NodeKey::Int(v),
            Err(_) => NodeKey::UInt(v as u64),
        }
    }
}

impl fmt::Display for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeKey::Int(v) => write!(f, "{v}"),
            NodeKey::UInt(v) => write!(f, "{v}"),
            NodeKey::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for NodeKey {
    fn from(v: i64) -> Self {
        NodeKey::Int(v)
    }
}
impl From<u64> for NodeKey {
    fn from(v: u64) -> Self {
        NodeKey::from_wide(v as i128)
    }
}
impl From<u32> for NodeKey {
    fn from(v: u32) -> Self {
        NodeKey::Int(v as i64)
    }
}
impl From<&str> for NodeKey {
    fn from(v: &str) -> Self {
        NodeKey::Str(v.to_string())
    }
}
impl From<String> for NodeKey {
    fn from(v: String) -> Self {
        NodeKey::Str(v)
    }
}

/// The smallest and largest integer an id may be stored as.
const INT_ID_MIN: i128 = i64::MIN as i128;
const INT_ID_MAX: i128 = u64::MAX as i128;

/// Parses a canonical decimal integer id (see the [id rule](self)); `None` for any other text,
/// including leading zeros, a `+` sign, `-0` and values outside `-2^63 ..= 2^64 - 1`.
pub(crate) fn parse_int_id(b: &[u8]) -> Option<i128> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    match digits {
        [] => return None,
        [b'0'] => return (!neg).then_some(0),
        [b'0', ..] => return None,
        _ if digits.len() > 20 => return None,
        _ => {}
    }
    let mut v: i128 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as i128;
    }
    let v = if neg { -v } else { v };
    (INT_ID_MIN..=INT_ID_MAX).contains(&v).then_some(v)
}

/// [`parse_int_id`] for the edge readers' fast path: a canonical integer that fits an `i64`.
#[inline]
pub(crate) fn parse_i64_id(b: &[u8]) -> Option<i64> {
    parse_int_id(b).and_then(|v| i64::try_from(v).ok())
}

/// Parses a decimal integer (optional sign, leading zeros allowed) from bytes; `None` if it is
/// not exactly one. Only the sketch hash uses it: its reading of tokens is part of the sketch
/// file format (version 1) and predates the [id rule](self).
pub(crate) fn parse_i64(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as i64)?;
    }
    Some(if neg { -v } else { v })
}

/// The mapping between external ids and dense ids `0..len`.
#[derive(Debug, Clone, Default)]
pub struct NodeIds {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// Dense ids are their own external ids (`0..n`); no table kept.
    Identity(u32),
    Int {
        labels: Vec<i64>,
        index: FxHashMap<i64, u32>,
    },
    /// Small non-negative integer ids: `table[v]` is the dense id of `v` (`u32::MAX`: none).
    /// Bulk interning builds it; interning one more id turns it into [`Repr::Int`].
    Table { labels: Vec<i64>, table: Vec<u32> },
    /// Integer ids of which some lie above `i64::MAX`; kept apart from [`Repr::Int`] so the
    /// common case stores 8 bytes per id, not 16.
    Wide {
        labels: Vec<i128>,
        index: FxHashMap<i128, u32>,
    },
    Str {
        labels: Vec<String>,
        index: FxHashMap<String, u32>,
    },
    /// Distinct integer ids read from a `.rgraph` file (mapped, not copied); the id → dense id
    /// index is built on the first lookup, so a run that only prints ids never holds it. With
    /// `order` (the dense ids in increasing id order, mapped from the file and checked at
    /// load), lookups are binary searches of it and the index is never built.
    Mapped {
        labels: Buf<i64>,
        index: Arc<OnceLock<FxHashMap<i64, u32>>>,
        order: Option<Buf<u32>>,
    },
    /// Distinct text ids read from a `.rgraph` file: id `i` is
    /// `text[offsets[i]..offsets[i + 1]]` (mapped, checked UTF-8); indexed on first lookup.
    MappedText {
        offsets: Buf<u64>,
        text: Buf<u8>,
        index: Arc<OnceLock<FxHashMap<String, u32>>>,
    },
}

/// Text id `i` of a [`Repr::MappedText`] map.
fn mapped_text<'a>(offsets: &[u64], text: &'a [u8], i: usize) -> &'a str {
    let bytes = &text[offsets[i] as usize..offsets[i + 1] as usize];
    // The reader checked every id is UTF-8 before building the map.
    std::str::from_utf8(bytes).unwrap_or_default()
}

fn text_index(offsets: &[u64], text: &[u8]) -> FxHashMap<String, u32> {
    (0..offsets.len() - 1)
        .map(|i| (mapped_text(offsets, text, i).to_string(), i as u32))
        .collect()
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Int {
            labels: Vec::new(),
            index: FxHashMap::default(),
        }
    }
}

fn insert<K: Hash + Eq + Clone>(labels: &mut Vec<K>, index: &mut FxHashMap<K, u32>, k: K) -> u32 {
    *index.entry(k).or_insert_with_key(|k| {
        labels.push(k.clone());
        (labels.len() - 1) as u32
    })
}

fn indexed<K: Hash + Eq + Clone>(labels: &[K]) -> FxHashMap<K, u32> {
    labels
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i as u32))
        .collect()
}

impl NodeIds {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ids `0..n` that stand for themselves (graphs built from dense arrays).
    pub fn identity(n: u32) -> Self {
        NodeIds {
            repr: Repr::Identity(n),
        }
    }

    /// Integer ids given by a mapped array of distinct values (`labels[i]` is the id of dense
    /// id `i`); the caller has checked they are distinct. No index is built until a lookup.
    pub(crate) fn mapped(labels: Buf<i64>) -> Self {
        NodeIds {
            repr: Repr::Mapped {
                labels,
                index: Arc::new(OnceLock::new()),
                order: None,
            },
        }
    }

    /// As [`NodeIds::mapped`], with `order`: the `n` dense ids in strictly increasing order of
    /// their ids (the caller has checked it, which also proves the ids distinct). Lookups search
    /// it; no index is ever built.
    pub(crate) fn mapped_ordered(labels: Buf<i64>, order: Buf<u32>) -> Self {
        NodeIds {
            repr: Repr::Mapped {
                labels,
                index: Arc::new(OnceLock::new()),
                order: Some(order),
            },
        }
    }

    /// Text ids given by mapped offsets (`n + 1`, from 0 to `text.len()`, non-decreasing) into
    /// mapped UTF-8 text; the caller has checked that and that the ids are distinct and trimmed.
    pub(crate) fn mapped_text(offsets: Buf<u64>, text: Buf<u8>) -> Self {
        NodeIds {
            repr: Repr::MappedText {
                offsets,
                text,
                index: Arc::new(OnceLock::new()),
            },
        }
    }

    /// True when the id → dense id index is held (always, except for the ids of a `.rgraph`
    /// file before their first lookup, and ever for integer ids whose file lists them in order:
    /// those are looked up by binary search).
    pub fn index_built(&self) -> bool {
        match &self.repr {
            Repr::Mapped { index, .. } => index.get().is_some(),
            Repr::MappedText { index, .. } => index.get().is_some(),
            _ => true,
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Identity(n) => *n as usize,
            Repr::Mapped { labels, .. } => labels.len(),
            Repr::MappedText { offsets, .. } => offsets.len() - 1,
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => labels.len(),
            Repr::Wide { labels, .. } => labels.len(),
            Repr::Str { labels, .. } => labels.len(),
        }
    }

    /// True when no id is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the dense ids are their own external ids (`0..n`, no table kept).
    pub fn is_identity(&self) -> bool {
        matches!(self.repr, Repr::Identity(_))
    }

    /// True when ids are strings.
    pub fn is_string(&self) -> bool {
        matches!(self.repr, Repr::Str { .. } | Repr::MappedText { .. })
    }

    fn switch_to_strings(&mut self) {
        let labels: Vec<String> = (0..self.len() as u32).map(|i| self.label(i)).collect();
        let index = match &self.repr {
            Repr::MappedText { index, .. } if index.get().is_some() => {
                index.get().cloned().unwrap_or_default()
            }
            _ => indexed(&labels),
        };
        self.repr = Repr::Str { labels, index };
    }

    /// Leaves the map as [`Repr::Int`], [`Repr::Wide`] or [`Repr::Str`].
    fn int_mode(&mut self) {
        match &mut self.repr {
            Repr::Identity(n) => {
                let labels: Vec<i64> = (0..*n as i64).collect();
                let index = indexed(&labels);
                self.repr = Repr::Int { labels, index };
            }
            Repr::Table { labels, .. } => {
                let labels = std::mem::take(labels);
                let index = indexed(&labels);
                self.repr = Repr::Int { labels, index };
            }
            Repr::Mapped { labels, index, .. } => {
                let index = match index.get() {
                    Some(i) => i.clone(),
                    None => indexed(labels),
                };
                self.repr = Repr::Int {
                    labels: labels.to_vec(),
                    index,
                };
            }
            Repr::MappedText { .. } => self.switch_to_strings(),
            Repr::Int { .. } | Repr::Wide { .. } | Repr::Str { .. } => {}
        }
    }

    /// Dense id of an integer id, adding it if new.
    pub fn intern_int(&mut self, v: i64) -> u32 {
        self.int_mode();
        match &mut self.repr {
            Repr::Int { labels, index } => insert(labels, index, v),
            Repr::Wide { labels, index } => insert(labels, index, v as i128),
            Repr::Str { labels, index } => insert(labels, index, v.to_string()),
            Repr::Identity(_)
            | Repr::Table { .. }
            | Repr::Mapped { .. }
            | Repr::MappedText { .. } => {
                unreachable!("int_mode leaves neither an identity map, a table nor a mapped array")
            }
        }
    }

    /// Dense id of an integer id of any stored width (see [`parse_int_id`]), adding it if new.
    fn intern_wide(&mut self, v: i128) -> u32 {
        if let Ok(v) = i64::try_from(v) {
            return self.intern_int(v);
        }
        self.int_mode();
        if let Repr::Int { labels, .. } = &mut self.repr {
            let labels: Vec<i128> = labels.iter().map(|&v| v as i128).collect();
            let index = indexed(&labels);
            self.repr = Repr::Wide { labels, index };
        }
        match &mut self.repr {
            Repr::Wide { labels, index } => insert(labels, index, v),
            Repr::Str { labels, index } => insert(labels, index, v.to_string()),
            _ => unreachable!("an integer map was widened above"),
        }
    }

    /// Dense id of a token, adding it if new; the token is read by the [id rule](self).
    pub fn intern_token(&mut self, token: &str) -> u32 {
        let token = token.trim();
        if !self.is_string() {
            if let Some(v) = parse_int_id(token.as_bytes()) {
                return self.intern_wide(v);
            }
        }
        self.intern_str(token)
    }

    /// Dense id of a string id, adding it if new (turns the map into strings).
    pub fn intern_str(&mut self, s: &str) -> u32 {
        if !matches!(self.repr, Repr::Str { .. }) {
            self.switch_to_strings();
        }
        match &mut self.repr {
            Repr::Str { labels, index } => match index.get(s) {
                Some(&i) => i,
                None => insert(labels, index, s.to_string()),
            },
            _ => unreachable!("switch_to_strings leaves a string map"),
        }
    }

    /// Interns integer ids in bulk, in the order `a[0], b[0], a[1], b[1], …` (the order an
    /// edge reader meets them), and returns their dense ids. Equivalent to calling
    /// [`NodeIds::intern_int`] in that order, but uses a direct table instead of hashing when the
    /// ids are small non-negative integers (the common case of benchmark files and arrays).
    pub fn intern_int_pairs(&mut self, a: &[i64], b: &[i64]) -> (Vec<u32>, Vec<u32>) {
        debug_assert_eq!(a.len(), b.len());
        let (lo, hi) = a
            .iter()
            .chain(b)
            .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let direct = self.is_empty()
            && !a.is_empty()
            && lo >= 0
            && (hi as u64) < (4 * (a.len() as u64 + 1)).max(1 << 16)
            && hi < u32::MAX as i64;
        if !direct {
            let da = a
                .iter()
                .zip(b)
                .map(|(&x, &y)| (self.intern_int(x), self.intern_int(y)));
            return da.unzip();
        }
        let mut table = vec![u32::MAX; hi as usize + 1];
        let mut labels: Vec<i64> = Vec::new();
        let mut id = |v: i64| {
            let slot = &mut table[v as usize];
            if *slot == u32::MAX {
                *slot = labels.len() as u32;
                labels.push(v);
            }
            *slot
        };
        let mut da = Vec::with_capacity(a.len());
        let mut db = Vec::with_capacity(b.len());
        for (&x, &y) in a.iter().zip(b) {
            da.push(id(x));
            db.push(id(y));
        }
        self.repr = Repr::Table { labels, table };
        (da, db)
    }

    /// Dense id of a key, adding it if new. A string key is read by the [id rule](self), so
    /// `NodeKey::Str("7")` and `NodeKey::Int(7)` are one account.
    pub fn intern(&mut self, key: &NodeKey) -> u32 {
        match key {
            NodeKey::Int(v) => self.intern_int(*v),
            NodeKey::UInt(v) => self.intern_wide(*v as i128),
            NodeKey::Str(s) => self.intern_token(s),
        }
    }

    /// Dense id of a key, if known.
    pub fn get(&self, key: &NodeKey) -> Option<u32> {
        match key {
            NodeKey::Int(v) => self.get_int(*v as i128),
            NodeKey::UInt(v) => self.get_int(*v as i128),
            NodeKey::Str(s) => self.lookup(s),
        }
    }

    fn get_int(&self, v: i128) -> Option<u32> {
        match &self.repr {
            Repr::Identity(n) => (v >= 0 && v < *n as i128).then_some(v as u32),
            Repr::Int { index, .. } => i64::try_from(v).ok().and_then(|v| index.get(&v)).copied(),
            Repr::Table { table, .. } => usize::try_from(v)
                .ok()
                .and_then(|v| table.get(v))
                .copied()
                .filter(|&i| i != u32::MAX),
            Repr::Wide { index, .. } => index.get(&v).copied(),
            Repr::Str { index, .. } => index.get(&v.to_string()).copied(),
            Repr::Mapped {
                labels,
                order: Some(order),
                ..
            } => {
                let v = i64::try_from(v).ok()?;
                let k = order.partition_point(|&i| labels[i as usize] < v);
                order.get(k).copied().filter(|&i| labels[i as usize] == v)
            }
            Repr::Mapped { labels, index, .. } => {
                let v = i64::try_from(v).ok()?;
                // Sequential, so a lookup from inside a rayon task cannot wait on itself.
                index.get_or_init(|| indexed(labels)).get(&v).copied()
            }
            Repr::MappedText {
                offsets,
                text,
                index,
            } => index
                .get_or_init(|| text_index(offsets, text))
                .get(&v.to_string())
                .copied(),
        }
    }

    /// Dense id of an id written as text (as in a seeds file), if known.
    pub fn lookup(&self, token: &str) -> Option<u32> {
        let token = token.trim();
        match &self.repr {
            Repr::Str { index, .. } => index.get(token).copied(),
            Repr::MappedText {
                offsets,
                text,
                index,
            } => index
                .get_or_init(|| text_index(offsets, text))
                .get(token)
                .copied(),
            _ => parse_int_id(token.as_bytes()).and_then(|v| self.get_int(v)),
        }
    }

    /// External id of dense id `i` (panics if out of range; callers pass valid ids).
    pub fn key(&self, i: u32) -> NodeKey {
        match &self.repr {
            Repr::Identity(_) => NodeKey::Int(i as i64),
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => {
                NodeKey::Int(labels[i as usize])
            }
            Repr::Wide { labels, .. } => NodeKey::from_wide(labels[i as usize]),
            Repr::Str { labels, .. } => NodeKey::Str(labels[i as usize].clone()),
            Repr::Mapped { labels, .. } => NodeKey::Int(labels[i as usize]),
            Repr::MappedText { offsets, text, .. } => {
                NodeKey::Str(mapped_text(offsets, text, i as usize).to_string())
            }
        }
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        match &self.repr {
            Repr::Identity(_) => i.to_string(),
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => labels[i as usize].to_string(),
            Repr::Wide { labels, .. } => labels[i as usize].to_string(),
            Repr::Str { labels, .. } => labels[i as usize].clone(),
            Repr::Mapped { labels, .. } => labels[i as usize].to_string(),
            Repr::MappedText { offsets, text, .. } => {
                mapped_text(offsets, text, i as usize).to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ids_index_on_first_lookup_and_convert_on_interning() {
        let labels: Buf<i64> = vec![40i64, -7, 3, 1 << 40].into();
        let mut ids = NodeIds::mapped(labels);
        assert_eq!(ids.len(), 4);
        assert!(!ids.index_built());
        // Labels need no index.
        assert_eq!(ids.label(1), "-7");
        assert_eq!(ids.key(3), NodeKey::Int(1 << 40));
        assert!(!ids.index_built());
        // A lookup builds it, once, and answers as an interned map would.
        assert_eq!(ids.lookup("3"), Some(2));
        assert!(ids.index_built());
        assert_eq!(ids.get(&NodeKey::Int(40)), Some(0));
        assert_eq!(ids.lookup("4"), None);
        assert_eq!(ids.lookup("03"), None);
        // A clone shares the index; interning a new id turns the map into an owned one.
        let shared = ids.clone();
        assert!(shared.index_built());
        assert_eq!(ids.intern_int(-7), 1);
        assert_eq!(ids.intern_int(9), 4);
        assert_eq!(ids.intern_token("bob"), 5);
        assert_eq!(ids.lookup("40"), Some(0));
        assert_eq!(shared.len(), 4);
    }

    #[test]
    fn mapped_text_ids_index_on_first_lookup_and_convert_on_interning() {
        let text: Buf<u8> = b"ig:alice7tt:bob".to_vec().into();
        let offsets: Buf<u64> = vec![0u64, 8, 9, 15].into();
        let mut ids = NodeIds::mapped_text(offsets, text);
        assert_eq!(ids.len(), 3);
        assert!(ids.is_string() && !ids.index_built());
        assert_eq!(ids.label(0), "ig:alice");
        assert_eq!(ids.key(1), NodeKey::Str("7".into()));
        assert!(!ids.index_built());
        assert_eq!(ids.lookup(" tt:bob "), Some(2));
        assert!(ids.index_built());
        assert_eq!(ids.get(&NodeKey::Int(7)), Some(1));
        assert_eq!(ids.lookup("ig:bob"), None);
        assert_eq!(ids.intern_token("tt:bob"), 2);
        assert_eq!(ids.intern_token("x"), 3);
        assert_eq!(ids.intern_int(7), 1);
        assert_eq!(ids.lookup("x"), Some(3));
        let mut fresh = NodeIds::mapped_text(vec![0u64, 1].into(), b"a".to_vec().into());
        assert_eq!(fresh.intern_int(5), 1);
        assert_eq!(fresh.label(0), "a");
    }

    #[test]
    fn ints_then_string_switches_representation() {
        let mut ids = NodeIds::new();
        assert_eq!(ids.intern_token("10"), 0);
        assert_eq!(ids.intern_token("-3"), 1);
        assert!(!ids.is_string());
        assert_eq!(ids.intern_token("alice"), 2);
        assert!(ids.is_string());
        assert_eq!(ids.intern_token("10"), 0);
        assert_eq!(ids.lookup("-3"), Some(1));
        assert_eq!(ids.label(2), "alice");
        assert_eq!(ids.get(&NodeKey::Int(10)), Some(0));
    }

    #[test]
    fn bulk_interning_matches_one_by_one() {
        for (a, b) in [
            (vec![5i64, 0, 7, 5], vec![0i64, 9, 5, 3]),
            (vec![-1, 1 << 40], vec![3, -1]),
        ] {
            let mut one = NodeIds::new();
            let want: (Vec<u32>, Vec<u32>) = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| (one.intern_int(x), one.intern_int(y)))
                .unzip();
            let mut bulk = NodeIds::new();
            assert_eq!(bulk.intern_int_pairs(&a, &b), want);
            for i in 0..one.len() as u32 {
                assert_eq!(one.key(i), bulk.key(i));
            }
            assert_eq!(bulk.lookup("5").is_some(), a.contains(&5));
            for v in [-1i64, 0, 3, 5, 8, 9, 10, 1 << 40, i64::MAX] {
                assert_eq!(bulk.get(&NodeKey::Int(v)), one.get(&NodeKey::Int(v)), "{v}");
            }
            // Interning one more id after a bulk load (the direct table turns into a map).
            assert_eq!(bulk.intern_int(1 << 50), one.intern_int(1 << 50));
            assert_eq!(bulk.intern_int(9), one.intern_int(9));
            assert_eq!(bulk.intern_token("x"), one.intern_token("x"));
            assert_eq!(bulk.lookup("9"), one.lookup("9"));
        }
    }

    #[test]
    fn identity_ids() {
        let ids = NodeIds::identity(5);
        assert_eq!(ids.lookup("4"), Some(4));
        assert_eq!(ids.lookup("5"), None);
        assert_eq!(ids.lookup("x"), None);
        assert_eq!(ids.key(3), NodeKey::Int(3));
    }

    #[test]
    fn parse_i64_edges() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(parse_i64(b"1a"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"99999999999999999999"), None);
    }

    /// Canonical classes of the tokens below: equal ids share a class, whatever came before.
    const TOKENS: [&str; 14] = [
        "7",
        "007",
        "+7",
        "0",
        "-0",
        "-7",
        "x",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        " 7 ",
    ];

    #[test]
    fn equality_is_by_text_whatever_the_order() {
        // Every rotation and the reverse of the token list: the same ids must be equal.
        let mut orders: Vec<Vec<&str>> = (0..TOKENS.len())
            .map(|r| {
                let mut v = TOKENS.to_vec();
                v.rotate_left(r);
                v
            })
            .collect();
        orders.push(TOKENS.iter().rev().copied().collect());
        for order in orders {
            let mut ids = NodeIds::new();
            for t in &order {
                ids.intern_token(t);
            }
            // " 7 " trims to "7": 13 distinct ids.
            assert_eq!(ids.len(), TOKENS.len() - 1, "{order:?}");
            for a in TOKENS {
                for b in TOKENS {
                    let same = a.trim() == b.trim();
                    assert_eq!(
                        ids.lookup(a) == ids.lookup(b),
                        same,
                        "{a:?} {b:?} in {order:?}"
                    );
                }
                assert_eq!(ids.label(ids.lookup(a).unwrap()), a.trim());
            }
        }
    }

    #[test]
    fn leading_zeros_are_strings_even_among_integers() {
        let mut ids = NodeIds::new();
        assert_eq!(ids.intern_token("7"), 0);
        assert_eq!(ids.intern_token("007"), 1);
        assert!(ids.is_string());
        assert_eq!(ids.intern(&NodeKey::Int(7)), 0);
        assert_eq!(ids.get(&NodeKey::Int(7)), Some(0));
        assert_eq!(ids.lookup("007"), Some(1));
        let mut ints = NodeIds::new();
        ints.intern_int(7);
        assert_eq!(ints.lookup("007"), None);
        assert_eq!(ints.lookup("+7"), None);
        assert_eq!(ints.lookup("7"), Some(0));
    }

    #[test]
    fn ids_at_and_above_two_to_the_63_round_trip() {
        let big = [1u64 << 63, u64::MAX, (1 << 63) + 5];
        let mut ids = NodeIds::new();
        ids.intern_int(-1);
        ids.intern_int(5);
        for (i, &v) in big.iter().enumerate() {
            let d = ids.intern(&NodeKey::from(v));
            assert_eq!(d, i as u32 + 2);
            assert_eq!(ids.key(d), NodeKey::UInt(v));
            assert_eq!(ids.label(d), v.to_string());
            assert_eq!(ids.lookup(&v.to_string()), Some(d));
            assert_eq!(ids.intern_token(&v.to_string()), d);
        }
        assert!(!ids.is_string());
        // Widening keeps the earlier ids, negative ones included.
        assert_eq!(ids.get(&NodeKey::Int(-1)), Some(0));
        assert_eq!(ids.key(0), NodeKey::Int(-1));
        // 2^63 is not -2^63 (what a cast through i64 would make it).
        assert_eq!(ids.get(&NodeKey::Int(i64::MIN)), None);
        assert_eq!(NodeKey::from(5u64), NodeKey::Int(5));
        assert_eq!(
            NodeKey::parse("18446744073709551615"),
            NodeKey::UInt(u64::MAX)
        );
        assert_eq!(
            NodeKey::parse("18446744073709551616"),
            NodeKey::Str("18446744073709551616".into())
        );
        let json = serde_json::to_string(&ids.key(2)).unwrap();
        assert_eq!(json, "9223372036854775808");
        assert_eq!(
            serde_json::from_str::<NodeKey>(&json).unwrap(),
            NodeKey::UInt(1 << 63)
        );
        // A string id afterwards keeps every integer's decimal text.
        ids.intern_token("z");
        assert_eq!(ids.lookup("18446744073709551615"), Some(3));
        assert_eq!(ids.get(&NodeKey::UInt(u64::MAX)), Some(3));
    }

    #[test]
    fn canonical_integers() {
        assert_eq!(parse_int_id(b"0"), Some(0));
        assert_eq!(parse_int_id(b"-12"), Some(-12));
        for t in [
            "-0",
            "00",
            "01",
            "+1",
            "",
            "-",
            "1a",
            " 1",
            "18446744073709551616",
        ] {
            assert_eq!(parse_int_id(t.as_bytes()), None, "{t:?}");
        }
        assert_eq!(parse_int_id(b"-9223372036854775809"), None);
        assert_eq!(
            parse_int_id(b"-9223372036854775808"),
            Some(i64::MIN as i128)
        );
        assert_eq!(parse_int_id(b"99999999999999999999999999"), None);
    }
}
