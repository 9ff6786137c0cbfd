//! Node attribute columns and the account → person mapping.
//!
//! Attributes are columns, not structs: one vector per attribute, indexed by dense account id.
//!
//! | column | meaning | default |
//! |---|---|---|
//! | `platform` | the platform an account is on | none |
//! | `person` | cross-platform identity: accounts of one person share it | each account its own person |
//! | `jurisdiction` | e.g. a US state or district | none |
//! | `target_weight` | worth of reaching this account's person; 0 outside the target | 1 |
//! | `cost` | price of hiring the account | not for hire (NaN) |
//! | `followers` | real-world follower count (sets the tier) | the graph out-degree |
//! | `tier` | nano/micro/mid/macro/mega | from followers: 10k / 100k / 500k / 1M |
//! | `lean` | P(the person votes for side A when voting), margin simulation | the jurisdiction's average |
//! | `turnout` | P(the person votes), margin simulation | the jurisdiction's turnout |
//! | `eligible` | share of the person's voters eligible to vote (0/1 for one) | 1 |
//! | `effect_multiplier` | scales the effect of the account's posts (an assumption) | 1 |
//!
//! Memory per account: the numeric columns that usually hold their default (`target_weight`,
//! `lean`, `turnout`, `eligible`, `effect_multiplier`) are [`Column`]s, one value until an
//! account gets another (or, loaded from a `.rgraph` file, the file's section read in place);
//! `followers` is a [`Counts`] (8 bytes per account, nothing until set, nothing on the heap when
//! read from a file).
//! Read them as slices are read (`col[i]`, `get`, `iter`, `len`; `followers.get(i)` is an
//! `Option<u64>`), write `col[i] = x` or `followers.set(i, Some(x))`.
//!
//! Reach is counted in people: a person is reached when any of their accounts is. A person's
//! target weight is the largest of their accounts' weights (reaching a person counts once), and
//! their jurisdiction is the one their accounts name (accounts of one person naming two
//! jurisdictions is an error).

use crate::buf::{Buf, Pod};
use crate::error::{Error, Result};
pub use crate::names::Names;
use crate::topology::Topology;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Code for "no value" in a [`Categorical`] column.
pub const NONE: u32 = u32::MAX;

/// Creator tier, by follower count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Tier {
    /// Under 10,000 followers.
    Nano = 0,
    /// 10,000 to 99,999.
    Micro = 1,
    /// 100,000 to 499,999.
    Mid = 2,
    /// 500,000 to 999,999.
    Macro = 3,
    /// 1,000,000 and more.
    Mega = 4,
}

impl Tier {
    /// All tiers, smallest first.
    pub const ALL: [Tier; 5] = [Tier::Nano, Tier::Micro, Tier::Mid, Tier::Macro, Tier::Mega];
    /// Lower follower-count bounds of micro, mid, macro and mega.
    pub const THRESHOLDS: [u64; 4] = [10_000, 100_000, 500_000, 1_000_000];

    /// The tier of a follower count.
    pub fn from_followers(followers: u64) -> Tier {
        let k = Tier::THRESHOLDS.partition_point(|&t| t <= followers);
        Tier::ALL[k]
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Nano => "nano",
            Tier::Micro => "micro",
            Tier::Mid => "mid",
            Tier::Macro => "macro",
            Tier::Mega => "mega",
        }
    }

    /// Parses a tier name (case-insensitive).
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A categorical column: a code per account (or [`NONE`]) and the code names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Categorical {
    /// Code per account; [`NONE`] for no value. One value, unallocated, while no account has
    /// one; read in place from a mapped `.rgraph` file (see [`Column`]).
    pub codes: Column<u32>,
    /// Name of each code (read in place from a mapped `.rgraph` file; see [`Names`]).
    pub names: Names,
}

impl Categorical {
    /// A column of `n` missing values.
    pub fn none(n: usize) -> Self {
        Categorical {
            codes: Column::filled(NONE, n),
            names: Names::new(),
        }
    }

    /// A column from optional labels, codes in order of first appearance.
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut names = Names::new();
        let mut index = crate::names::NameIndex::default();
        let codes: Column<u32> = labels
            .into_iter()
            .map(|l| l.map_or(NONE, |l| index.code_of(&mut names, l)))
            .collect();
        Categorical { codes, names }
    }

    /// Code of a name, adding it if new.
    ///
    /// A linear search of the names: to code many values, use [`Categorical::interner`], which
    /// looks each up in a hash map.
    pub fn code_of(&mut self, name: &str) -> u32 {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                self.names.push(name);
                (self.names.len() - 1) as u32
            }
        }
    }

    /// A hash-map view of this column for setting many values: each lookup is O(1) where
    /// [`Categorical::code_of`] scans every name, so coding n values with k distinct names
    /// costs O(n) instead of O(n k). Codes already present keep their numbers; new names are
    /// appended in order of first appearance, as `code_of` would.
    pub fn interner(&mut self) -> Interner<'_> {
        let index = crate::names::NameIndex::of(&self.names);
        Interner {
            column: self,
            index,
        }
    }

    /// Name of the value at account `i`, if any.
    pub fn get(&self, i: u32) -> Option<&str> {
        match self.codes[i as usize] {
            NONE => None,
            c => Some(&self.names[c as usize]),
        }
    }

    /// True when no account has a value.
    pub fn is_empty(&self) -> bool {
        match self.codes.as_held() {
            None => self.codes.is_empty() || self.codes[0] == NONE,
            Some(codes) => first_bad_in(codes, |c| c != NONE).is_none(),
        }
    }
}

/// A [`Categorical`] column with a name index, from [`Categorical::interner`].
#[derive(Debug)]
pub struct Interner<'a> {
    column: &'a mut Categorical,
    index: crate::names::NameIndex,
}

impl Interner<'_> {
    /// Code of a name, adding it if new.
    pub fn code_of(&mut self, name: &str) -> u32 {
        self.index.code_of(&mut self.column.names, name)
    }

    /// Sets account `i`'s value: the code of `name`, or [`NONE`] for `None`.
    pub fn set(&mut self, i: usize, name: Option<&str>) {
        let c = name.map_or(NONE, |s| self.code_of(s));
        self.column.codes[i] = c;
    }
}

/// One attribute column: a value per account, or one default for all of them held as a single
/// value (a file or table without the column allocates nothing for it: 8 bytes per account
/// for each of `lean`, `turnout`, `eligible` and `effect_multiplier`), or a section of a
/// mapped `.rgraph` file read in place (nothing copied to the heap; its pages are the page
/// cache's, faulted in when read).
///
/// Read it as a slice is read: `col[i]`, [`Column::get`], [`Column::iter`], [`Column::len`];
/// `col[i] = x` (or [`Column::make_mut`]) allocates the values on the first write.
/// [`Column::as_slice`] gives a slice when one is needed (copied only for a default column).
/// It serializes as the list of its values and compares by values, whichever form it holds.
#[derive(Clone)]
pub struct Column<T: Pod> {
    repr: ColumnRepr<T>,
}

#[derive(Clone)]
enum ColumnRepr<T: Pod> {
    Default { value: T, len: usize },
    Owned(Vec<T>),
    Mapped(Buf<T>),
}

impl<T: Pod> Column<T> {
    /// `len` accounts holding `value` (nothing allocated).
    pub fn filled(value: T, len: usize) -> Self {
        Column {
            repr: ColumnRepr::Default { value, len },
        }
    }
    /// Number of accounts.
    pub fn len(&self) -> usize {
        match &self.repr {
            ColumnRepr::Default { len, .. } => *len,
            ColumnRepr::Owned(v) => v.len(),
            ColumnRepr::Mapped(b) => b.len(),
        }
    }
    /// True for zero accounts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The value of account `i`. Panics if `i >= len()`, like slice indexing.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        self[i]
    }
    /// The values in account order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        let (slice, value, len): (&[T], Option<&T>, usize) = match &self.repr {
            ColumnRepr::Default { value, len } => (&[], Some(value), *len),
            ColumnRepr::Owned(v) => (v, None, v.len()),
            ColumnRepr::Mapped(b) => (b, None, b.len()),
        };
        (0..len).map(move |i| value.unwrap_or_else(|| &slice[i]))
    }
    /// True when no value has been set (every account holds the default, unallocated).
    pub fn is_default(&self) -> bool {
        matches!(self.repr, ColumnRepr::Default { .. })
    }
    /// True when the values are read in place from a mapped file.
    pub fn is_mapped(&self) -> bool {
        matches!(&self.repr, ColumnRepr::Mapped(b) if b.is_mapped())
    }
    /// The values as a slice: borrowed when held, a copy of the default otherwise.
    pub fn as_slice(&self) -> std::borrow::Cow<'_, [T]> {
        match &self.repr {
            ColumnRepr::Default { value, len } => std::borrow::Cow::Owned(vec![*value; *len]),
            ColumnRepr::Owned(v) => std::borrow::Cow::Borrowed(v),
            ColumnRepr::Mapped(b) => std::borrow::Cow::Borrowed(b),
        }
    }
    /// The values when they are held (`None` for a default column).
    pub fn as_held(&self) -> Option<&[T]> {
        match &self.repr {
            ColumnRepr::Default { .. } => None,
            ColumnRepr::Owned(v) => Some(v),
            ColumnRepr::Mapped(b) => Some(b),
        }
    }
    /// The values for writing (allocated on the first call for a default column, copied from
    /// the file for a mapped one).
    pub fn make_mut(&mut self) -> &mut Vec<T> {
        match &self.repr {
            ColumnRepr::Default { value, len } => {
                self.repr = ColumnRepr::Owned(vec![*value; *len]);
            }
            ColumnRepr::Mapped(b) => self.repr = ColumnRepr::Owned(b.to_vec()),
            ColumnRepr::Owned(_) => {}
        }
        match &mut self.repr {
            ColumnRepr::Owned(v) => v,
            _ => unreachable!("made owned above"),
        }
    }
}

/// An empty column (no accounts).
impl<T: Pod> Default for Column<T> {
    fn default() -> Self {
        Column::from(Vec::new())
    }
}

impl<T: Pod> rayon::iter::FromParallelIterator<T> for Column<T> {
    fn from_par_iter<I: rayon::iter::IntoParallelIterator<Item = T>>(iter: I) -> Self {
        Column::from(Vec::from_par_iter(iter))
    }
}

impl<T: Pod> FromIterator<T> for Column<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Column::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<'a, T: Pod> IntoIterator for &'a Column<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn ExactSizeIterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: Pod> From<Vec<T>> for Column<T> {
    fn from(v: Vec<T>) -> Self {
        Column {
            repr: ColumnRepr::Owned(v),
        }
    }
}

/// A column read in place from its array (a section of a mapped file: nothing copied).
impl<T: Pod> From<Buf<T>> for Column<T> {
    fn from(b: Buf<T>) -> Self {
        Column {
            repr: ColumnRepr::Mapped(b),
        }
    }
}

impl<T: Pod> std::ops::Index<usize> for Column<T> {
    type Output = T;
    #[inline]
    fn index(&self, i: usize) -> &T {
        match &self.repr {
            ColumnRepr::Default { value, len } => {
                assert!(i < *len, "account {i} of a column of {len}");
                value
            }
            ColumnRepr::Owned(v) => &v[i],
            ColumnRepr::Mapped(b) => &b[i],
        }
    }
}

impl<T: Pod> std::ops::IndexMut<usize> for Column<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.make_mut()[i]
    }
}

/// Equal values (NaN never equals NaN, as for `Vec<f64>`), whichever form either holds.
impl<T: Pod + PartialEq> PartialEq for Column<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            ColumnRepr::Default { value, len } => write!(f, "Column([{value:?}; {len}])"),
            ColumnRepr::Owned(v) => f.debug_list().entries(v).finish(),
            ColumnRepr::Mapped(b) => f.debug_list().entries(b.iter()).finish(),
        }
    }
}

impl<T: Pod + Serialize> Serialize for Column<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Pod + Deserialize<'de>> Deserialize<'de> for Column<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Column::from)
    }
}

/// A column of optional counts (the `followers` column): 8 bytes per account where
/// `Vec<Option<u64>>` takes 16, and nothing when no account has a value.
///
/// Read with [`Counts::get`] (`Option<u64>`), write with [`Counts::set`]; [`Counts::iter`]
/// gives the values in account order. A value is held as a `u64` with [`Counts::NOT_GIVEN`]
/// (`u64::MAX`, the `.rgraph` file's own marker) for "no value", so the largest count it holds
/// is `u64::MAX − 1`: [`Counts::set`] stores a larger one as that (no account has 1.8·10^19
/// followers). It serializes as the list of its optional values, as `Vec<Option<u64>>` did.
#[derive(Clone, PartialEq)]
pub struct Counts {
    raw: Column<u64>,
}

impl Counts {
    /// The held value meaning "not given".
    pub const NOT_GIVEN: u64 = u64::MAX;

    /// `len` accounts without a value (nothing allocated).
    pub fn none(len: usize) -> Self {
        Counts {
            raw: Column::filled(Self::NOT_GIVEN, len),
        }
    }

    /// A column from held values ([`Counts::NOT_GIVEN`]: no value), as the `.rgraph` file
    /// stores them.
    pub fn from_raw(raw: Vec<u64>) -> Self {
        Counts { raw: raw.into() }
    }

    /// A column read in place from held values ([`Counts::NOT_GIVEN`]: no value), e.g. the
    /// `.rgraph` file's section (nothing copied).
    pub fn from_raw_buf(raw: Buf<u64>) -> Self {
        Counts { raw: raw.into() }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// True for zero accounts.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The value of account `i`, when given. Panics if `i >= len()`, like slice indexing.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u64> {
        let x = self.raw[i];
        (x != Self::NOT_GIVEN).then_some(x)
    }

    /// Sets (or, with `None`, clears) the value of account `i`; allocates the column on the
    /// first write. A count of `u64::MAX` is stored as `u64::MAX − 1`.
    pub fn set(&mut self, i: usize, value: Option<u64>) {
        self.raw[i] = value.map_or(Self::NOT_GIVEN, |x| x.min(Self::NOT_GIVEN - 1));
    }

    /// The values in account order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<u64>> + '_ {
        self.raw
            .iter()
            .map(|&x| (x != Self::NOT_GIVEN).then_some(x))
    }

    /// True when some account has a value.
    pub fn any(&self) -> bool {
        !self.raw.is_default() && self.raw.iter().any(|&x| x != Self::NOT_GIVEN)
    }

    /// The held values ([`Counts::NOT_GIVEN`]: no value), as the `.rgraph` file stores them.
    pub fn raw(&self) -> &Column<u64> {
        &self.raw
    }
}

/// The list of optional values, whichever form the column holds (as `Vec<Option<u64>>`).
impl fmt::Debug for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Counts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Vec::<Option<u64>>::deserialize(d)?;
        let mut c = Counts::none(v.len());
        for (i, x) in v.into_iter().enumerate() {
            if x.is_some() {
                c.set(i, x);
            }
        }
        Ok(c)
    }
}

/// A column of optional tiers (the `tier` column): one byte per account, the `.rgraph` file's
/// own encoding ([`Tiers::NOT_GIVEN`] for "no value", else the tier's number), so a mapped
/// file's section is read in place; nothing is allocated while no account has a value.
///
/// Read with [`Tiers::get`], write with [`Tiers::set`]; it serializes as the list of its
/// optional values, as `Vec<Option<Tier>>` did.
#[derive(Clone, PartialEq)]
pub struct Tiers {
    raw: Column<u8>,
}

impl Tiers {
    /// The held byte meaning "not given".
    pub const NOT_GIVEN: u8 = 255;

    /// `len` accounts without a tier (nothing allocated).
    pub fn none(len: usize) -> Self {
        Tiers {
            raw: Column::filled(Self::NOT_GIVEN, len),
        }
    }

    /// A column read in place from held bytes, each [`Tiers::NOT_GIVEN`] or a tier's number
    /// (checked by the caller: [`Tiers::get`] panics on any other byte).
    pub(crate) fn from_raw_buf(raw: Buf<u8>) -> Self {
        Tiers { raw: raw.into() }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// True for zero accounts.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The tier of account `i`, when given. Panics if `i >= len()`, like slice indexing.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Tier> {
        match self.raw[i] {
            Self::NOT_GIVEN => None,
            t => Some(Tier::ALL[t as usize]),
        }
    }

    /// Sets (or, with `None`, clears) the tier of account `i`; allocates the column on the
    /// first write.
    pub fn set(&mut self, i: usize, tier: Option<Tier>) {
        self.raw[i] = tier.map_or(Self::NOT_GIVEN, |t| t as u8);
    }

    /// The values in account order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<Tier>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// True when some account has a tier.
    pub fn any(&self) -> bool {
        match self.raw.as_held() {
            None => !self.raw.is_empty() && self.raw[0] != Self::NOT_GIVEN,
            Some(raw) => first_bad_in(raw, |t| t != Self::NOT_GIVEN).is_some(),
        }
    }

    /// The held bytes ([`Tiers::NOT_GIVEN`]: no value), as the `.rgraph` file stores them.
    pub fn raw(&self) -> &Column<u8> {
        &self.raw
    }
}

/// The list of optional tiers, whichever form the column holds (as `Vec<Option<Tier>>`).
impl fmt::Debug for Tiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Tiers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tiers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Vec::<Option<Tier>>::deserialize(d)?;
        let mut t = Tiers::none(v.len());
        for (i, x) in v.into_iter().enumerate() {
            if x.is_some() {
                t.set(i, x);
            }
        }
        Ok(t)
    }
}

/// Node attribute columns. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attributes {
    /// Platform of each account.
    pub platform: Categorical,
    /// Person of each account ([`NONE`]: its own person).
    pub person: Categorical,
    /// Jurisdiction of each account.
    pub jurisdiction: Categorical,
    /// Target weight of each account (finite, ≥ 0); one value, unallocated, while every
    /// account holds the default 1.
    pub target_weight: Column<f32>,
    /// Cost of hiring each account (≥ 0; NaN: not for hire); one value, unallocated, while no
    /// account has one.
    pub cost: Column<f64>,
    /// Real-world follower count, when known (8 bytes per account; see [`Counts`]).
    pub followers: Counts,
    /// Tier, when given (else derived); 1 byte per account (see [`Tiers`]).
    pub tier: Tiers,
    /// Probability that the account's person votes for side A when voting, in [0, 1]; NaN:
    /// not given (the margin simulation then uses its jurisdiction's average).
    pub lean: Column<f64>,
    /// Probability that the account's person votes, in [0, 1]; NaN: not given.
    pub turnout: Column<f64>,
    /// Share of the voters the account's person stands for who are eligible, in [0, 1] (0/1
    /// for one voter); NaN: not given (eligible).
    pub eligible: Column<f64>,
    /// Effect multiplier of the account's posts in the margin simulation (>= 0, an
    /// assumption); NaN: not given (1).
    pub effect_multiplier: Column<f64>,
}

impl Attributes {
    /// Defaults for `n` accounts.
    pub fn new(n: usize) -> Self {
        Attributes {
            platform: Categorical::none(n),
            person: Categorical::none(n),
            jurisdiction: Categorical::none(n),
            target_weight: Column::filled(1.0, n),
            cost: Column::filled(f64::NAN, n),
            followers: Counts::none(n),
            tier: Tiers::none(n),
            lean: Column::filled(f64::NAN, n),
            turnout: Column::filled(f64::NAN, n),
            eligible: Column::filled(f64::NAN, n),
            effect_multiplier: Column::filled(f64::NAN, n),
        }
    }

    /// Number of accounts the columns describe.
    pub fn len(&self) -> usize {
        self.target_weight.len()
    }

    /// True for zero accounts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when some account has a cost.
    pub fn has_costs(&self) -> bool {
        match self.cost.as_held() {
            None => !self.cost.is_empty() && !self.cost[0].is_nan(),
            Some(c) => first_bad_in(c, |c| !c.is_nan()).is_some(),
        }
    }

    /// The tier of account `u`: given, else from its follower count, else from its out-degree.
    ///
    /// `graph` is a [`Graph`](crate::Graph) or its [`Topology`].
    pub fn tier(&self, u: u32, graph: impl AsRef<Topology>) -> Tier {
        self.tier
            .get(u as usize)
            .unwrap_or_else(|| Tier::from_followers(self.follower_count(u, graph)))
    }

    /// The follower count of `u`: given, else its out-degree in the graph.
    ///
    /// `graph` is a [`Graph`](crate::Graph) or its [`Topology`].
    pub fn follower_count(&self, u: u32, graph: impl AsRef<Topology>) -> u64 {
        self.followers
            .get(u as usize)
            .unwrap_or_else(|| graph.as_ref().out_degree(u) as u64)
    }

    pub(crate) fn check_len(&self, n: usize) -> Result<()> {
        let lens = [
            ("platform", self.platform.codes.len()),
            ("person", self.person.codes.len()),
            ("jurisdiction", self.jurisdiction.codes.len()),
            ("target_weight", self.target_weight.len()),
            ("cost", self.cost.len()),
            ("followers", self.followers.len()),
            ("tier", self.tier.len()),
            ("lean", self.lean.len()),
            ("turnout", self.turnout.len()),
            ("eligible", self.eligible.len()),
            ("effect_multiplier", self.effect_multiplier.len()),
        ];
        for (column, got) in lens {
            if got != n {
                return Err(Error::LengthMismatch {
                    column: column.into(),
                    got,
                    expected: n,
                });
            }
        }
        for (name, col) in [
            ("platform", &self.platform),
            ("person", &self.person),
            ("jurisdiction", &self.jurisdiction),
        ] {
            let k = col.names.len();
            if let Some(c) =
                first_bad(&col.codes, |c| c != NONE && c as usize >= k).map(|i| col.codes[i])
            {
                return Err(Error::invalid_parameter(
                    name,
                    c,
                    format!(
                        "code out of range: the column names {} values",
                        col.names.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks the values an account may hold, naming the account by `label(i)`.
    pub(crate) fn validate_values(&self, label: &dyn Fn(u32) -> String) -> Result<()> {
        if let Some(i) = first_bad(&self.target_weight, |w| !w.is_finite() || w < 0.0) {
            return Err(Error::InvalidAttribute {
                column: "target_weight".into(),
                node: label(i as u32),
                reason: format!("{} is not a finite number >= 0", self.target_weight[i]),
            });
        }
        if let Some(i) = first_bad(&self.cost, |c| c.is_infinite() || c < 0.0) {
            return Err(Error::InvalidAttribute {
                column: "cost".into(),
                node: label(i as u32),
                reason: format!("{} is not a finite number >= 0", self.cost[i]),
            });
        }
        for (name, col) in [
            ("lean", &self.lean),
            ("turnout", &self.turnout),
            ("eligible", &self.eligible),
        ] {
            if let Some(i) = first_bad(col, |x| !x.is_nan() && !(0.0..=1.0).contains(&x)) {
                return Err(Error::InvalidAttribute {
                    column: name.into(),
                    node: label(i as u32),
                    reason: format!("{} is not a probability in [0, 1]", col[i]),
                });
            }
        }
        if let Some(i) = first_bad(&self.effect_multiplier, |x| {
            !(x.is_nan() || (x.is_finite() && x >= 0.0))
        }) {
            return Err(Error::InvalidAttribute {
                column: "effect_multiplier".into(),
                node: label(i as u32),
                reason: format!("{} is not a finite number >= 0", self.effect_multiplier[i]),
            });
        }
        Ok(())
    }
}

/// `len` copies of `value`, written in parallel (each thread faults in its own share of the new
/// pages, where `vec![value; len]` writes them all on one).
fn par_filled<T: Pod>(value: T, len: usize) -> Vec<T> {
    use rayon::prelude::*;
    (0..len)
        .into_par_iter()
        .with_min_len(DERIVE_CHUNK)
        .map(|_| value)
        .collect()
}

/// The first account whose value in `col` is `bad`: one test for a default column, else
/// [`first_bad_in`].
fn first_bad<T: Pod>(col: &Column<T>, bad: impl Fn(T) -> bool + Sync) -> Option<usize> {
    match col.as_held() {
        None => (!col.is_empty() && bad(col.get(0))).then_some(0),
        Some(values) => first_bad_in(values, bad),
    }
}

/// The first `i` with `bad(values[i])` ([`first_index`] over chunks of [`DERIVE_CHUNK`]).
fn first_bad_in<T: Pod>(values: &[T], bad: impl Fn(T) -> bool + Sync) -> Option<usize> {
    first_index(values.len(), DERIVE_CHUNK, |i| bad(values[i]))
}

/// The first `i` in `0..len` with `bad(i)`, searched in parallel chunks of `chunk` indices,
/// each read in order (a parallel search element by element costs more than the test). Shared
/// by the attribute checks here and the `.rgraph` load's.
pub(crate) fn first_index(
    len: usize,
    chunk: usize,
    bad: impl Fn(usize) -> bool + Sync,
) -> Option<usize> {
    use rayon::prelude::*;
    (0..len.div_ceil(chunk))
        .into_par_iter()
        .find_map_first(|c| (c * chunk..((c + 1) * chunk).min(len)).find(|&i| bad(i)))
}

/// Accounts per chunk of the parallel passes of [`People::derive`] (tests: 3, so small
/// tables span several chunks).
const DERIVE_CHUNK: usize = if cfg!(test) { 3 } else { 1 << 16 };

/// The account → person mapping and per-person columns, derived from [`Attributes`].
///
/// A person is named by their code in [`Attributes::person`], read from the attributes they
/// were derived from (shared, not copied: the names are held once).
#[derive(Clone)]
pub struct People {
    /// Person of each account (dense ids `0..count`).
    pub of_account: Vec<u32>,
    /// Number of people.
    pub count: usize,
    /// Target weight of each person (max over their accounts).
    pub weight: Vec<f32>,
    /// Jurisdiction code of each person (codes of [`Attributes::jurisdiction`]), or [`NONE`].
    pub jurisdiction: Vec<u32>,
    /// Code of each person in `attrs.person`, or [`NONE`] for an unlinked account.
    code: Vec<u32>,
    /// First account of each person (for naming unlinked people).
    first_account: Vec<u32>,
    /// The attributes the people were derived from (`None`: identity people).
    attrs: Option<Arc<Attributes>>,
}

impl People {
    /// The person label of `p`, if they have one.
    fn label(&self, p: usize) -> Option<&str> {
        match (self.code[p], &self.attrs) {
            (c, Some(a)) if c != NONE => Some(&a.person.names[c as usize]),
            _ => None,
        }
    }
}

/// Equal people: the same accounts, weights, jurisdictions and names (whichever attributes
/// the names are read from).
impl PartialEq for People {
    fn eq(&self, other: &People) -> bool {
        self.of_account == other.of_account
            && self.count == other.count
            && self.weight == other.weight
            && self.jurisdiction == other.jurisdiction
            && self.first_account == other.first_account
            && (0..self.count).all(|p| self.label(p) == other.label(p))
    }
}

impl std::fmt::Debug for People {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("People")
            .field("count", &self.count)
            .field("accounts", &self.of_account.len())
            .finish_non_exhaustive()
    }
}

impl People {
    /// Each account its own person, weight 1, no jurisdiction.
    pub fn identity(n: usize) -> Self {
        People {
            of_account: (0..n as u32).collect(),
            count: n,
            weight: vec![1.0; n],
            jurisdiction: vec![NONE; n],
            code: vec![NONE; n],
            first_account: (0..n as u32).collect(),
            attrs: None,
        }
    }

    /// Derives the people of the accounts of `topo` from `attrs`.
    ///
    /// People are numbered in the order of their first account, exactly as one pass in account
    /// order numbers them (`derive_serial`, which the tests compare against); the passes here
    /// run over chunks of accounts in parallel: the first account of each person code, the
    /// people each chunk starts, their numbers, then every account's person and the
    /// per-person weight and jurisdiction. A conflict of jurisdictions is reported by the
    /// account-order pass, so the error is the one it names.
    pub(crate) fn derive(shared: &Arc<Attributes>, topo: &Topology) -> Result<Self> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
        let attrs: &Attributes = shared;
        attrs.validate_values(&|i| topo.label(i))?;
        let n = attrs.len();
        let codes = attrs.person.codes.as_slice();
        let codes = &codes[..];
        let atomics = |len: usize, v: u32| -> Vec<AtomicU32> {
            (0..len)
                .into_par_iter()
                .with_min_len(DERIVE_CHUNK)
                .map(|_| AtomicU32::new(v))
                .collect()
        };
        // The first account of each code (a load first: most accounts find a smaller one).
        let first = atomics(attrs.person.names.len(), NONE);
        let chunks: Vec<(usize, usize)> = (0..n)
            .step_by(DERIVE_CHUNK)
            .map(|a| (a, (a + DERIVE_CHUNK).min(n)))
            .collect();
        chunks.par_iter().for_each(|&(a, b)| {
            for (u, &c) in (a..b).zip(&codes[a..b]) {
                if c != NONE {
                    let f = &first[c as usize];
                    if f.load(Relaxed) > u as u32 {
                        f.fetch_min(u as u32, Relaxed);
                    }
                }
            }
        });
        // Which accounts start a person (no code, or the first account of theirs), as a
        // bitmap, so the numbering pass reads bits in order instead of `first` at random; and
        // the people each chunk starts, so each chunk knows the number of its first person.
        let start_bits: Vec<AtomicU64> = (0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        let started: Vec<usize> = chunks
            .par_iter()
            .map(|&(a, b)| {
                let mut k = 0;
                let (mut word, mut bits) = (a / 64, 0u64);
                for (u, &c) in (a..b).zip(&codes[a..b]) {
                    if u / 64 != word {
                        start_bits[word].fetch_or(bits, Relaxed);
                        (word, bits) = (u / 64, 0);
                    }
                    if c == NONE || first[c as usize].load(Relaxed) == u as u32 {
                        bits |= 1 << (u % 64);
                        k += 1;
                    }
                }
                start_bits[word].fetch_or(bits, Relaxed);
                k
            })
            .collect();
        drop(first);
        let starts_person = |u: usize| start_bits[u / 64].load(Relaxed) & (1 << (u % 64)) != 0;
        let count: usize = started.iter().sum();
        // Filled in parallel: each thread faults in its share of the new pages.
        let mut of_account = par_filled(NONE, n);
        let mut person_code = par_filled(NONE, count);
        let mut first_account = par_filled(0u32, count);
        let pid_of_code = atomics(attrs.person.names.len(), NONE);
        // Jurisdiction: the one every account of the person that names one names. Set by the
        // person's first account as it is numbered, then checked (and set, if the first
        // account named none) by the person's other accounts as they are filled in.
        let has_jur = !attrs.jurisdiction.names.is_empty();
        // Read only with jurisdictions (a default column would be copied out to a slice).
        let jur_codes = match has_jur {
            true => attrs.jurisdiction.codes.as_slice(),
            false => std::borrow::Cow::Borrowed(&[][..]),
        };
        let jur = atomics(if has_jur { count } else { 0 }, NONE);
        let conflict = AtomicBool::new(false);
        {
            // Each chunk owns its accounts' slots and its people's slots.
            let mut parts = Vec::with_capacity(chunks.len());
            let (mut acc, mut pc, mut fa) = (
                &mut of_account[..],
                &mut person_code[..],
                &mut first_account[..],
            );
            let mut base = 0u32;
            for (&(a, b), &k) in chunks.iter().zip(&started) {
                let (acc_h, acc_t) = std::mem::take(&mut acc).split_at_mut(b - a);
                let (pc_h, pc_t) = std::mem::take(&mut pc).split_at_mut(k);
                let (fa_h, fa_t) = std::mem::take(&mut fa).split_at_mut(k);
                parts.push((a, base, acc_h, pc_h, fa_h));
                (acc, pc, fa) = (acc_t, pc_t, fa_t);
                base += k as u32;
            }
            parts.into_par_iter().for_each(|(a, base, acc, pc, fa)| {
                let mut i = 0;
                for (x, slot) in acc.iter_mut().enumerate() {
                    let u = a + x;
                    if starts_person(u) {
                        let c = codes[u];
                        let pid = base + i as u32;
                        pc[i] = c;
                        fa[i] = u as u32;
                        if c != NONE {
                            pid_of_code[c as usize].store(pid, Relaxed);
                        }
                        if has_jur {
                            jur[pid as usize].store(jur_codes[u], Relaxed);
                        }
                        *slot = pid;
                        i += 1;
                    }
                }
            });
        }
        of_account
            .par_chunks_mut(DERIVE_CHUNK)
            .enumerate()
            .for_each(|(ci, acc)| {
                for (x, slot) in acc.iter_mut().enumerate() {
                    if *slot == NONE {
                        let u = ci * DERIVE_CHUNK + x;
                        let p = pid_of_code[codes[u] as usize].load(Relaxed);
                        *slot = p;
                        let j = if has_jur { jur_codes[u] } else { NONE };
                        if j != NONE && jur[p as usize].load(Relaxed) != j {
                            if let Err(had) =
                                jur[p as usize].compare_exchange(NONE, j, Relaxed, Relaxed)
                            {
                                if had != j {
                                    conflict.store(true, Relaxed);
                                }
                            }
                        }
                    }
                }
            });
        drop(pid_of_code);
        drop(start_bits);
        if conflict.into_inner() {
            return Self::derive_serial(shared, topo);
        }
        let per_account = |f: &(dyn Fn(usize, usize) + Sync)| {
            of_account
                .par_chunks(DERIVE_CHUNK)
                .enumerate()
                .for_each(|(ci, acc)| {
                    for (x, &p) in acc.iter().enumerate() {
                        f(ci * DERIVE_CHUNK + x, p as usize)
                    }
                })
        };
        // Weight: the largest over the person's accounts, from 0. Weights are finite and not
        // below 0 (checked above; -0 counts as 0), so their bits order as their values.
        let weight: Vec<f32> = match attrs.target_weight.is_default() {
            true => par_filled(
                0f32.max(attrs.target_weight.iter().next().map_or(0.0, |&w| w)),
                count,
            ),
            false => {
                let bits = atomics(count, 0f32.to_bits());
                per_account(&|u, p| {
                    let w = (attrs.target_weight[u] + 0.0).to_bits();
                    if bits[p].load(Relaxed) < w {
                        bits[p].fetch_max(w, Relaxed);
                    }
                });
                // In place: the atomics' buffer becomes the weights'.
                bits.into_iter()
                    .map(|b| f32::from_bits(b.into_inner()))
                    .collect()
            }
        };
        let jurisdiction: Vec<u32> = if has_jur {
            // In place: the atomics' buffer becomes the codes'.
            jur.into_iter().map(AtomicU32::into_inner).collect()
        } else {
            par_filled(NONE, count)
        };
        Ok(People {
            of_account,
            count,
            weight,
            jurisdiction,
            code: person_code,
            first_account,
            attrs: Some(Arc::clone(shared)),
        })
    }

    /// [`People::derive`] in one account-order pass: the reference the parallel derivation is
    /// tested against, and the pass that names the first conflict when there is one.
    #[allow(clippy::needless_range_loop)] // indexes three parallel columns
    fn derive_serial(shared: &Arc<Attributes>, topo: &Topology) -> Result<Self> {
        let attrs: &Attributes = shared;
        let n = attrs.len();
        let mut of_account = Vec::with_capacity(n);
        let mut pid_of_code = vec![NONE; attrs.person.names.len()];
        let mut codes: Vec<u32> = Vec::new();
        let mut first_account = Vec::new();
        for u in 0..n as u32 {
            let code = attrs.person.codes[u as usize];
            let pid = if code == NONE {
                codes.push(NONE);
                first_account.push(u);
                (codes.len() - 1) as u32
            } else if pid_of_code[code as usize] != NONE {
                pid_of_code[code as usize]
            } else {
                codes.push(code);
                first_account.push(u);
                pid_of_code[code as usize] = (codes.len() - 1) as u32;
                (codes.len() - 1) as u32
            };
            of_account.push(pid);
        }
        let count = codes.len();
        let name = |p: usize| match codes[p] {
            NONE => topo.label(first_account[p]),
            c => attrs.person.names[c as usize].to_string(),
        };
        let mut weight = vec![0f32; count];
        let mut jurisdiction = vec![NONE; count];
        for u in 0..n {
            let p = of_account[u] as usize;
            weight[p] = weight[p].max(attrs.target_weight[u]);
            let j = attrs.jurisdiction.codes[u];
            if j != NONE {
                if jurisdiction[p] != NONE && jurisdiction[p] != j {
                    return Err(Error::InvalidAttribute {
                        column: "jurisdiction".into(),
                        node: name(p),
                        reason: format!(
                            "this person's accounts name two jurisdictions, {} and {}",
                            &attrs.jurisdiction.names[jurisdiction[p] as usize],
                            &attrs.jurisdiction.names[j as usize]
                        ),
                    });
                }
                jurisdiction[p] = j;
            }
        }
        Ok(People {
            of_account,
            count,
            weight,
            jurisdiction,
            code: codes,
            first_account,
            attrs: Some(Arc::clone(shared)),
        })
    }

    /// A readable name for person `p`: their person label, or their account's id.
    ///
    /// `graph` is a [`Graph`](crate::Graph) or its [`Topology`].
    pub fn name(&self, p: u32, graph: impl AsRef<Topology>) -> String {
        match self.label(p as usize) {
            Some(s) => s.to_string(),
            None => graph.as_ref().label(self.first_account[p as usize]),
        }
    }

    /// The first (smallest) account of each person: people are numbered in the order of
    /// their first account, so the list increases.
    pub(crate) fn first_accounts(&self) -> &[u32] {
        &self.first_account
    }

    /// Total target weight of all people.
    pub fn total_weight(&self) -> f64 {
        self.weight.iter().map(|&w| w as f64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_read_and_write_as_optional_tiers_in_one_byte_each() {
        let mut t = Tiers::none(4);
        assert!(!t.any() && t.raw().is_default());
        assert_eq!(t.get(3), None);
        t.set(1, Some(Tier::Mega));
        t.set(3, Some(Tier::Nano));
        assert!(t.any());
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [None, Some(Tier::Mega), None, Some(Tier::Nano)]
        );
        assert_eq!(
            t.raw().iter().copied().collect::<Vec<u8>>(),
            [255, 4, 255, 0]
        );
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"[null,"mega",null,"nano"]"#);
        assert_eq!(serde_json::from_str::<Tiers>(&json).unwrap(), t);
        assert_eq!(format!("{t:?}"), "[None, Some(Mega), None, Some(Nano)]");
        // The file's bytes read in place give the same column.
        let mapped = Tiers::from_raw_buf(Buf::from(vec![255u8, 4, 255, 0]));
        assert_eq!(mapped, t);
        t.set(1, None);
        t.set(3, None);
        assert!(!t.any());
    }

    /// The parallel derivation gives the people of one pass in account order (numbers,
    /// codes, first accounts, weights, jurisdictions) or the same error, on 1 and 2 threads,
    /// for tables with and without person codes, weights and jurisdictions, conflicts included.
    #[test]
    fn parallel_people_are_the_account_order_people() {
        use crate::graph::{GraphBuilder, GraphOptions};
        use crate::rng::{self, Rng};
        let mut errors = 0;
        for seed in 0..200u64 {
            let mut r: Rng = rng::stream(seed, 0);
            let mut below = |k: usize| rng::below(&mut r, k as u64) as usize;
            let n = 1 + below(40);
            let mut b = GraphBuilder::new(GraphOptions::default());
            for i in 0..n {
                b.add_node(i.to_string().as_str());
            }
            let g = b.build().unwrap().0;
            let mut a = Attributes::new(n);
            let k = below(9);
            let codes: Vec<u32> = (0..n)
                .map(|_| match k == 0 || below(3) == 0 {
                    true => NONE,
                    false => below(k) as u32,
                })
                .collect();
            a.person = Categorical {
                codes: codes.clone().into(),
                names: (0..k).map(|i| format!("p{i}")).collect(),
            };
            if seed % 2 == 1 {
                for i in 0..n {
                    a.target_weight[i] = [0.0, 0.5, 2.0, -0.0, 7.25][below(5)];
                }
            }
            if seed % 3 != 0 {
                // One jurisdiction per person code (or none), except now and then an account
                // that names another one: a conflict when its person has other accounts.
                let of_code: Vec<u32> = (0..k.max(1)).map(|_| [NONE, 0, 1, 2][below(4)]).collect();
                let j: Vec<u32> = (0..n)
                    .map(|u| match (codes[u], below(30)) {
                        (_, 0) => below(3) as u32,
                        (NONE, _) => [NONE, 0, 1, 2][below(4)],
                        (c, _) => of_code[c as usize],
                    })
                    .collect();
                a.jurisdiction = Categorical {
                    codes: j.into(),
                    names: vec!["x".to_string(), "y".into(), "z".into()].into(),
                };
            }
            let shared = Arc::new(a);
            let slow = People::derive_serial(&shared, g.topology());
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let fast = pool.install(|| People::derive(&shared, g.topology()));
                match (&fast, &slow) {
                    (Ok(f), Ok(s)) => {
                        assert_eq!(f, s, "seed {seed}");
                        assert_eq!(f.code, s.code, "seed {seed}");
                        assert_eq!(f.first_account, s.first_account, "seed {seed}");
                    }
                    (Err(f), Err(s)) => assert_eq!(f.to_string(), s.to_string()),
                    _ => panic!("seed {seed}: {fast:?} against {slow:?}"),
                }
            }
            errors += slow.is_err() as usize;
        }
        // Both outcomes are exercised.
        assert!(
            (10..190).contains(&errors),
            "{errors} conflicts in 200 tables"
        );
    }

    /// Follower counts: nothing allocated until a value is set, then 8 bytes per account;
    /// `get`, `iter`, equality and JSON read as the `Vec<Option<u64>>` they replace.
    #[test]
    fn counts_hold_optional_values_in_eight_bytes() {
        let mut c = Counts::none(4);
        assert!(c.raw().is_default() && !c.any() && c.len() == 4);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![None; 4]);
        c.set(1, Some(0));
        c.set(2, Some(12_345));
        c.set(3, Some(u64::MAX));
        assert!(c.any() && !c.raw().is_default());
        let want = vec![None, Some(0), Some(12_345), Some(u64::MAX - 1)];
        assert_eq!(c.iter().collect::<Vec<_>>(), want);
        assert_eq!((0..4).map(|i| c.get(i)).collect::<Vec<_>>(), want);
        assert_eq!(c.raw().as_slice()[..], [u64::MAX, 0, 12_345, u64::MAX - 1]);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, serde_json::to_string(&want).unwrap());
        assert_eq!(serde_json::from_str::<Counts>(&json).unwrap(), c);
        c.set(2, None);
        assert_eq!(c.get(2), None);
        assert_eq!(
            Counts::from_raw(vec![u64::MAX, 7])
                .iter()
                .collect::<Vec<_>>(),
            [None, Some(7)]
        );
        // A cleared column equals one never written.
        let mut d = Counts::none(2);
        d.set(0, Some(3));
        d.set(0, None);
        assert_eq!(d, Counts::none(2));
        assert!(std::panic::catch_unwind(|| Counts::none(2).get(2)).is_err());
    }

    #[test]
    fn default_columns_hold_one_value_and_read_like_slices() {
        let mut c = Column::filled(f64::NAN, 4);
        assert!(c.is_default() && c.as_held().is_none() && c.len() == 4);
        assert!(c[3].is_nan() && c.get(0).is_nan() && c.iter().all(|x| x.is_nan()));
        assert_eq!(c.iter().len(), 4);
        let d = Column::filled(0.5, 3);
        assert_eq!(d, Column::from(vec![0.5, 0.5, 0.5]));
        assert_ne!(d, Column::from(vec![0.5, 0.5]));
        assert_eq!(d.as_slice().as_ref(), &[0.5, 0.5, 0.5]);
        // A write allocates the values, keeping the others.
        c[1] = 0.25;
        assert!(!c.is_default());
        assert_eq!(c.as_held().unwrap()[1], 0.25);
        assert!(c[0].is_nan() && c[2].is_nan());
        // Serialized as the list of values, whichever form it holds.
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            serde_json::to_string(&vec![0.5, 0.5, 0.5]).unwrap()
        );
        let back: Column<f64> = serde_json::from_str("[1.0,2.0]").unwrap();
        assert_eq!(back, Column::from(vec![1.0, 2.0]));
        let a = Attributes::new(5);
        assert!(a.lean.is_default() && a.turnout.is_default());
        assert!(a.eligible.is_default() && a.effect_multiplier.is_default());
    }

    #[test]
    #[should_panic(expected = "account 3 of a column of 3")]
    fn default_columns_are_bounds_checked() {
        let _ = Column::filled(1.0, 3)[3];
    }
    use crate::graph::{Graph, GraphBuilder, GraphOptions};

    fn graph4() -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [("a", "b"), ("a", "c"), ("d", "c")] {
            b.add_edge(u, v, None).unwrap();
        }
        b.build().unwrap().0
    }

    #[test]
    fn interner_codes_as_code_of_does() {
        // Existing codes keep their numbers, new names append in order of first appearance,
        // `None` is NONE: the same column as a `code_of` loop would build.
        let start = Categorical::from_labels([Some("x"), None, Some("y"), None, None]);
        let values = [Some("y"), Some("z"), None, Some("x"), Some("z")];
        let mut slow = start.clone();
        for (i, v) in values.iter().enumerate() {
            slow.codes[i] = v.map_or(NONE, |s| slow.code_of(s));
        }
        let mut fast = start.clone();
        let mut it = fast.interner();
        for (i, v) in values.iter().enumerate() {
            it.set(i, *v);
        }
        assert_eq!(it.code_of("w"), 3);
        assert_eq!(fast.codes, vec![1, 2, NONE, 0, 2].into());
        assert_eq!(fast.names, vec!["x", "y", "z", "w"]);
        assert_eq!(&fast.codes, &slow.codes);
        assert_eq!(fast.names.to_vec()[..3], slow.names.to_vec()[..]);
    }

    #[test]
    fn tiers_by_threshold() {
        assert_eq!(Tier::from_followers(0), Tier::Nano);
        assert_eq!(Tier::from_followers(9_999), Tier::Nano);
        assert_eq!(Tier::from_followers(10_000), Tier::Micro);
        assert_eq!(Tier::from_followers(499_999), Tier::Mid);
        assert_eq!(Tier::from_followers(500_000), Tier::Macro);
        assert_eq!(Tier::from_followers(1_000_000), Tier::Mega);
        assert_eq!(Tier::parse(" MEGA "), Some(Tier::Mega));
    }

    #[test]
    fn people_merge_accounts_and_take_max_weight() {
        let mut g = graph4();
        let mut a = Attributes::new(4);
        // accounts a, b, c, d in order of first appearance
        a.person = Categorical::from_labels([Some("p1"), None, Some("p2"), Some("p1")]);
        a.target_weight = vec![0.0, 1.0, 2.0, 3.0].into();
        a.jurisdiction = Categorical::from_labels([Some("PA"), None, Some("MI"), None]);
        g.set_attributes(a).unwrap();
        let p = g.people();
        assert_eq!(p.count, 3);
        assert_eq!(p.of_account, vec![0, 1, 2, 0]);
        assert_eq!(p.weight, vec![3.0, 1.0, 2.0]);
        assert_eq!(p.name(0, &g), "p1");
        assert_eq!(p.name(1, &g), "b");
        assert_eq!(p.name(2, &g), "p2");
        assert_eq!(p.jurisdiction[0], 0);
        // Names are read from the graph's attributes (one copy), and people compare by them.
        assert!(Arc::ptr_eq(p.attrs.as_ref().unwrap(), &g.attributes_arc()));
        let mut h = graph4();
        let mut b = Attributes::new(4);
        b.person = Categorical::from_labels([Some("p1"), None, Some("p3"), Some("p1")]);
        b.target_weight = vec![0.0, 1.0, 2.0, 3.0].into();
        b.jurisdiction = Categorical::from_labels([Some("PA"), None, Some("MI"), None]);
        h.set_attributes(b.clone()).unwrap();
        assert_ne!(g.people(), h.people(), "p2 and p3 differ");
        b.person = Categorical::from_labels([Some("p1"), None, Some("p2"), Some("p1")]);
        h.set_attributes(b).unwrap();
        assert_eq!(g.people(), h.people());
    }

    #[test]
    fn conflicting_jurisdictions_name_the_person() {
        let mut g = graph4();
        let mut a = Attributes::new(4);
        a.person = Categorical::from_labels([Some("p1"), None, None, Some("p1")]);
        a.jurisdiction = Categorical::from_labels([Some("PA"), None, None, Some("MI")]);
        let e = g.set_attributes(a).unwrap_err();
        assert!(e.to_string().contains("p1"), "{e}");
    }

    #[test]
    fn bad_values_are_typed_errors() {
        let mut g = graph4();
        let mut a = Attributes::new(4);
        a.target_weight[2] = f32::NAN;
        let e = g.set_attributes(a).unwrap_err();
        assert!(matches!(e, Error::InvalidAttribute { ref node, .. } if node == "c"));
        let mut a = Attributes::new(4);
        a.cost[1] = -5.0;
        assert!(g.set_attributes(a).is_err());
        let a = Attributes::new(3);
        assert!(matches!(
            g.set_attributes(a).unwrap_err(),
            Error::LengthMismatch { .. }
        ));
    }
}
