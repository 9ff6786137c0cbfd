//! External node ids (integers or strings) and their mapping to dense `u32` ids.
//!
//! Inputs name accounts by their own ids: the integers of a SNAP edge list, or strings such as
//! `"tiktok:@alice"`. The graph works on dense ids `0..n` and maps back for every output.
//! Ids are integers while every id seen is an integer; the first non-integer id turns the whole
//! map into strings (integers keep their decimal spelling), so mixed inputs still work.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An external node id: what the user's files call an account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NodeKey {
    /// An integer id.
    Int(i64),
    /// A string id.
    Str(String),
}

impl NodeKey {
    /// Parses a token: an integer when it is one, else a string.
    pub fn parse(token: &str) -> NodeKey {
        match parse_i64(token.as_bytes()) {
            Some(v) => NodeKey::Int(v),
            None => NodeKey::Str(token.to_string()),
        }
    }
}

impl fmt::Display for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeKey::Int(v) => write!(f, "{v}"),
            NodeKey::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for NodeKey {
    fn from(v: i64) -> Self {
        NodeKey::Int(v)
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

/// Parses a decimal integer (optional sign) from bytes; `None` if it is not exactly one.
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
    Str {
        labels: Vec<String>,
        index: FxHashMap<String, u32>,
    },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Int {
            labels: Vec::new(),
            index: FxHashMap::default(),
        }
    }
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

    /// Number of ids.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Identity(n) => *n as usize,
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => labels.len(),
            Repr::Str { labels, .. } => labels.len(),
        }
    }

    /// True when no id is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when ids are strings.
    pub fn is_string(&self) -> bool {
        matches!(self.repr, Repr::Str { .. })
    }

    fn switch_to_strings(&mut self) {
        let labels: Vec<String> = (0..self.len() as u32)
            .map(|i| self.key(i).to_string())
            .collect();
        let index = labels
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        self.repr = Repr::Str { labels, index };
    }

    fn int_mode(&mut self) {
        match &mut self.repr {
            Repr::Identity(n) => {
                let labels: Vec<i64> = (0..*n as i64).collect();
                let index = labels.iter().map(|&v| (v, v as u32)).collect();
                self.repr = Repr::Int { labels, index };
            }
            Repr::Table { labels, .. } => {
                let labels = std::mem::take(labels);
                let index = labels
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (v, i as u32))
                    .collect();
                self.repr = Repr::Int { labels, index };
            }
            Repr::Int { .. } | Repr::Str { .. } => {}
        }
    }

    /// Dense id of an integer id, adding it if new.
    pub fn intern_int(&mut self, v: i64) -> u32 {
        self.int_mode();
        match &mut self.repr {
            Repr::Int { labels, index } => *index.entry(v).or_insert_with(|| {
                labels.push(v);
                (labels.len() - 1) as u32
            }),
            Repr::Str { labels, index } => {
                let s = v.to_string();
                if let Some(&i) = index.get(&s) {
                    return i;
                }
                labels.push(s.clone());
                index.insert(s, (labels.len() - 1) as u32);
                (labels.len() - 1) as u32
            }
            Repr::Identity(_) | Repr::Table { .. } => {
                unreachable!("int_mode leaves neither an identity map nor a table")
            }
        }
    }

    /// Dense id of a token: integer tokens as integers, others as strings.
    pub fn intern_token(&mut self, token: &str) -> u32 {
        if let Some(v) = parse_i64(token.as_bytes()) {
            if !self.is_string() {
                return self.intern_int(v);
            }
        }
        self.intern_str(token)
    }

    /// Dense id of a string id, adding it if new (turns the map into strings).
    pub fn intern_str(&mut self, s: &str) -> u32 {
        if !self.is_string() {
            self.int_mode();
            self.switch_to_strings();
        }
        match &mut self.repr {
            Repr::Str { labels, index } => {
                if let Some(&i) = index.get(s) {
                    return i;
                }
                labels.push(s.to_string());
                index.insert(s.to_string(), (labels.len() - 1) as u32);
                (labels.len() - 1) as u32
            }
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

    /// Dense id of a key, adding it if new.
    pub fn intern(&mut self, key: &NodeKey) -> u32 {
        match key {
            NodeKey::Int(v) => self.intern_int(*v),
            NodeKey::Str(s) => self.intern_token(s),
        }
    }

    /// Dense id of a key, if known.
    pub fn get(&self, key: &NodeKey) -> Option<u32> {
        match key {
            NodeKey::Int(v) => self.get_int(*v),
            NodeKey::Str(s) => self.lookup(s),
        }
    }

    fn get_int(&self, v: i64) -> Option<u32> {
        match &self.repr {
            Repr::Identity(n) => (v >= 0 && v < *n as i64).then_some(v as u32),
            Repr::Int { index, .. } => index.get(&v).copied(),
            Repr::Table { table, .. } => usize::try_from(v)
                .ok()
                .and_then(|v| table.get(v))
                .copied()
                .filter(|&i| i != u32::MAX),
            Repr::Str { index, .. } => index.get(&v.to_string()).copied(),
        }
    }

    /// Dense id of an id written as text (as in a seeds file), if known.
    pub fn lookup(&self, token: &str) -> Option<u32> {
        let token = token.trim();
        match &self.repr {
            Repr::Str { index, .. } => index.get(token).copied(),
            _ => parse_i64(token.as_bytes()).and_then(|v| self.get_int(v)),
        }
    }

    /// External id of dense id `i` (panics if out of range; callers pass valid ids).
    pub fn key(&self, i: u32) -> NodeKey {
        match &self.repr {
            Repr::Identity(_) => NodeKey::Int(i as i64),
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => {
                NodeKey::Int(labels[i as usize])
            }
            Repr::Str { labels, .. } => NodeKey::Str(labels[i as usize].clone()),
        }
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        match &self.repr {
            Repr::Identity(_) => i.to_string(),
            Repr::Int { labels, .. } | Repr::Table { labels, .. } => labels[i as usize].to_string(),
            Repr::Str { labels, .. } => labels[i as usize].clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
