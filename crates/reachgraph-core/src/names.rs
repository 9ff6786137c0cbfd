//! The names of a categorical attribute column's codes ([`Names`]): owned, or the names
//! section of a mapped `.rgraph` file read in place.
//!
//! Both forms hold the names in the `.rgraph` section's layout: one buffer in which each name is
//! a little-endian `u32` byte length followed by its UTF-8 bytes, and where each one starts. A
//! billion-edge population has tens of millions of person names; holding each as its own
//! `String` would cost a heap allocation and 24 bytes of header per name (building them was a
//! large share of a `.rgraph` load, and of the memory of reading an attribute CSV). A mapped
//! file's names stay in the page cache, with one 4-byte offset per name; owned names are one
//! growing buffer with one 8-byte offset per name, and are written to a file as they are.

use crate::buf::Buf;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The names of a categorical column's codes, code `i` named by `names[i]`.
///
/// Read it as a list of `&str`: `names[i]`, [`Names::get`], [`Names::iter`], [`Names::len`].
/// [`Names::push`] adds a name (a mapped list is copied to owned strings on the first push).
/// It serializes as the list of its names and compares by names, whichever form it holds.
#[derive(Clone, Default)]
pub struct Names {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    /// `text` holds each name as a little-endian `u32` byte length followed by its UTF-8 bytes
    /// (written by [`Names::push`] from `&str`s only); name `i`'s length sits at `starts[i]`.
    Owned { text: Vec<u8>, starts: Vec<usize> },
    /// `text` holds each name as a little-endian `u32` byte length followed by its UTF-8
    /// bytes (the `.rgraph` names section, checked when the file was loaded); name `i`'s length
    /// sits at `starts[i]`.
    Mapped { text: Buf<u8>, starts: Arc<[u32]> },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Owned {
            text: Vec::new(),
            starts: Vec::new(),
        }
    }
}

impl Names {
    /// No names.
    pub fn new() -> Self {
        Names::default()
    }

    /// Names read in place from `text` (a checked `.rgraph` names section, each name a
    /// little-endian `u32` length then that many bytes of UTF-8), name `i` at `starts[i]`.
    pub(crate) fn mapped(text: Buf<u8>, starts: Vec<u32>) -> Self {
        Names {
            repr: Repr::Mapped {
                text,
                starts: starts.into(),
            },
        }
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Owned { starts, .. } => starts.len(),
            Repr::Mapped { starts, .. } => starts.len(),
        }
    }

    /// True when there are no names.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the names are read in place from a mapped file.
    pub fn is_mapped(&self) -> bool {
        matches!(&self.repr, Repr::Mapped { text, .. } if text.is_mapped())
    }

    /// The name of code `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        // Checked as UTF-8 at load (and written from `&str`s when owned); read again here (a
        // few bytes) rather than assumed, so a file changed under its map cannot make an
        // invalid `&str`.
        std::str::from_utf8(self.bytes(i)?).ok()
    }

    /// The bytes of name `i`, unchecked as UTF-8 (enough to compare it with a `&str`).
    #[inline]
    pub(crate) fn bytes(&self, i: usize) -> Option<&[u8]> {
        let (text, at): (&[u8], usize) = match &self.repr {
            Repr::Owned { text, starts } => (text, *starts.get(i)?),
            Repr::Mapped { text, starts } => (text, *starts.get(i)? as usize),
        };
        let len = u32::from_le_bytes(text.get(at..at + 4)?.try_into().ok()?) as usize;
        text.get(at + 4..at + 4 + len)
    }

    /// The names in the `.rgraph` names section's layout (per name a little-endian `u32` byte
    /// length, then its bytes), as held: nothing is copied.
    pub(crate) fn section_bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Owned { text, .. } => text,
            Repr::Mapped { text, .. } => text,
        }
    }

    /// The names in code order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            names: self,
            next: 0,
            end: self.len(),
        }
    }

    /// The code of `name`, by a linear search.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.iter().position(|n| n == name)
    }

    /// Adds a name as the next code (copying a mapped list to owned names first).
    ///
    /// # Panics
    /// If `name` is 4 GiB long or more, which the `.rgraph` layout cannot hold (the attribute
    /// readers refuse such a cell with an error naming its line).
    pub fn push(&mut self, name: impl AsRef<str>) {
        let name = name.as_ref();
        let len = u32::try_from(name.len()).expect("a name under 4 GiB");
        let (text, starts) = self.make_owned();
        starts.push(text.len());
        text.extend_from_slice(&len.to_le_bytes());
        text.extend_from_slice(name.as_bytes());
    }

    /// Names in the `.rgraph` section layout, owned: `text` as [`Names::section_bytes`], name
    /// `i` at `starts[i]` (a section too long for the 4-byte offsets of [`Names::mapped`]).
    pub(crate) fn owned_section(text: Vec<u8>, starts: Vec<usize>) -> Self {
        Names {
            repr: Repr::Owned { text, starts },
        }
    }

    /// The names as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    fn make_owned(&mut self) -> (&mut Vec<u8>, &mut Vec<usize>) {
        if let Repr::Mapped { text, starts } = &self.repr {
            self.repr = Repr::Owned {
                text: text.to_vec(),
                starts: starts.iter().map(|&s| s as usize).collect(),
            };
        }
        match &mut self.repr {
            Repr::Owned { text, starts } => (text, starts),
            Repr::Mapped { .. } => unreachable!("made owned above"),
        }
    }
}

/// The names of [`Names::iter`].
#[derive(Clone)]
pub struct Iter<'a> {
    names: &'a Names,
    next: usize,
    end: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        Some(&self.names[self.next - 1])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        Some(&self.names[self.end])
    }
}

impl<'a> IntoIterator for &'a Names {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// `names[i]`: panics if `i >= len()`, like slice indexing.
impl std::ops::Index<usize> for Names {
    type Output = str;
    #[inline]
    fn index(&self, i: usize) -> &str {
        assert!(i < self.len(), "name {i} of a list of {}", self.len());
        // A mapped name that no longer reads (its file changed under the map) is U+FFFD.
        self.get(i).unwrap_or("\u{fffd}")
    }
}

impl From<Vec<String>> for Names {
    fn from(v: Vec<String>) -> Self {
        v.into_iter().collect()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Names {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut names = Names::new();
        for s in iter {
            names.push(s);
        }
        names
    }
}

/// Equal names in the same order, whichever form either holds.
impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Names {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Names {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Names {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Names {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<String>::deserialize(d).map(Names::from)
    }
}

/// A hash index of a [`Names`] list: the codes alone, hashed by the names they stand for, so
/// the names are held once (in the list) rather than again as the index's keys. Equal hashes
/// are told apart by comparing the names.
#[derive(Default)]
pub(crate) struct NameIndex {
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameIndex({} names)", self.table.len())
    }
}

impl NameIndex {
    /// The index of `names` as they are (their codes are their positions).
    pub(crate) fn of(names: &Names) -> Self {
        let mut index = NameIndex::default();
        let NameIndex { table, hasher } = &mut index;
        let rehash = |&c: &u32| hasher.hash_one(&names[c as usize]);
        table.reserve(names.len(), rehash);
        for (c, name) in names.iter().enumerate() {
            table.insert_unique(hasher.hash_one(name), c as u32, rehash);
        }
        index
    }

    /// Code of `name` in `names`, if it has one.
    pub(crate) fn get(&self, names: &Names, name: &str) -> Option<u32> {
        let h = self.hasher.hash_one(name);
        self.table
            .find(h, |&c| names.bytes(c as usize) == Some(name.as_bytes()))
            .copied()
    }

    /// Code of `name` in `names`, pushing it as the next code if new.
    pub(crate) fn code_of(&mut self, names: &mut Names, name: &str) -> u32 {
        if let Some(c) = self.get(names, name) {
            return c;
        }
        let c = names.len() as u32;
        names.push(name);
        let (hasher, names) = (&self.hasher, &*names);
        self.table.insert_unique(hasher.hash_one(name), c, |&c| {
            hasher.hash_one(&names[c as usize])
        });
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.rgraph` encoding of `names` and where each one starts.
    fn encoded(names: &[&str]) -> (Vec<u8>, Vec<u32>) {
        let (mut text, mut starts) = (Vec::new(), Vec::new());
        for n in names {
            starts.push(text.len() as u32);
            text.extend_from_slice(&(n.len() as u32).to_le_bytes());
            text.extend_from_slice(n.as_bytes());
        }
        (text, starts)
    }

    #[test]
    fn mapped_names_read_and_compare_as_owned_ones() {
        let list = ["PA", "Michigan", "é", "x y"];
        let (text, starts) = encoded(&list);
        let mapped = Names::mapped(Buf::from(text), starts);
        let owned: Names = list.iter().copied().collect();
        assert_eq!(mapped, owned);
        assert_eq!(mapped.len(), 4);
        assert_eq!(&mapped[1], "Michigan");
        assert_eq!(mapped.get(2), Some("é"));
        assert_eq!(mapped.get(4), None);
        assert_eq!(mapped.position("x y"), Some(3));
        assert_eq!(mapped.position("y"), None);
        assert_eq!(mapped.iter().next_back(), Some("x y"));
        assert_eq!(mapped.iter().len(), 4);
        assert_eq!(format!("{mapped:?}"), format!("{:?}", list));
        assert_eq!(
            serde_json::to_string(&mapped).unwrap(),
            serde_json::to_string(&list).unwrap()
        );
        let back: Names = serde_json::from_str(&serde_json::to_string(&mapped).unwrap()).unwrap();
        assert_eq!(back, mapped);
        assert!(mapped == vec!["PA", "Michigan", "é", "x y"]);
    }

    #[test]
    fn pushing_onto_mapped_names_copies_them_first() {
        let (text, starts) = encoded(&["a", "b"]);
        let mut names = Names::mapped(Buf::from(text), starts);
        let before = names.clone();
        names.push("c");
        assert_eq!(names, vec!["a", "b", "c"]);
        assert_eq!(before, vec!["a", "b"], "a clone made before is unchanged");
    }

    #[test]
    fn a_bad_offset_or_bad_utf8_reads_as_no_name_not_a_panic() {
        let (mut text, mut starts) = encoded(&["ok", "zz"]);
        let last = text.len() - 1;
        text[last] = 0xff; // "z\xff": not UTF-8
        starts.push(1000); // past the end
        let names = Names::mapped(Buf::from(text), starts);
        assert_eq!(names.get(0), Some("ok"));
        assert_eq!(names.get(1), None);
        assert_eq!(names.get(2), None);
    }
}
