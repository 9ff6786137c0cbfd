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
            Repr::Int { labels, .. } => labels.len(),
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

    #[allow(clippy::wrong_self_convention)] // converts in place
    fn to_strings(&mut self) {
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
        if let Repr::Identity(n) = self.repr {
            let labels: Vec<i64> = (0..n as i64).collect();
            let index = labels.iter().map(|&v| (v, v as u32)).collect();
            self.repr = Repr::Int { labels, index };
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
            Repr::Identity(_) => unreachable!("int_mode leaves no identity map"),
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
            self.to_strings();
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
            _ => unreachable!("to_strings leaves a string map"),
        }
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
            Repr::Int { labels, .. } => NodeKey::Int(labels[i as usize]),
            Repr::Str { labels, .. } => NodeKey::Str(labels[i as usize].clone()),
        }
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        match &self.repr {
            Repr::Identity(_) => i.to_string(),
            Repr::Int { labels, .. } => labels[i as usize].to_string(),
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
