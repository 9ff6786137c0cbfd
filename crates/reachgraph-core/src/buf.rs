//! Immutable arrays shared between graphs: owned in memory or mapped from a `.rgraph` file.
//!
//! [`Buf`] is what the CSR arrays of a [`Topology`](crate::Topology) and the probability
//! arrays of a [`Graph`](crate::Graph) are: it dereferences to a slice, whichever it holds,
//! so kernels never know whether a graph was built or mapped.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
    impl Sealed for usize {}
    impl Sealed for i64 {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// Element types an array section can hold: plain numbers for which every bit pattern is a
/// valid value, so mapped bytes can be read as them.
pub trait Pod: Copy + Send + Sync + 'static + sealed::Sealed {}
impl Pod for u8 {}
impl Pod for u32 {}
impl Pod for u64 {}
impl Pod for usize {}
impl Pod for i64 {}
impl Pod for f32 {}
impl Pod for f64 {}

/// The bytes a loaded file's arrays point into.
pub(crate) enum Backing {
    /// A mapped file.
    Map(memmap2::Mmap),
    /// A copy in 8-byte words (in-memory input: tests, fuzzing), so sections stay aligned.
    Heap(Vec<u64>, usize),
}

impl Backing {
    /// Gives back the resident pages of `offset..offset + len` of a mapped file; they are read
    /// again from the page cache when next touched. The load checks call it behind each pass,
    /// so checking a file does not leave all of it counted in the process's resident memory
    /// (a billion-edge file is about 14 GB). A no-op for a heap copy, and best effort: a failed
    /// advice only leaves the pages resident.
    pub(crate) fn release(&self, offset: usize, len: usize) {
        #[cfg(unix)]
        if let Backing::Map(m) = self {
            let end = offset.saturating_add(len).min(m.len());
            if offset < end {
                // SAFETY: the map is private and read-only and is never written, so its pages
                // are clean copies of the file: MADV_DONTNEED drops them and the next read
                // faults the same bytes in again, so every slice into the map stays valid and
                // unchanged (the module docs require that the file is not modified while mapped).
                let _ = unsafe {
                    m.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        offset,
                        end - offset,
                    )
                };
            }
        }
        #[cfg(not(unix))]
        let _ = (offset, len);
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Backing::Map(m) => m,
            Backing::Heap(words, len) => {
                // SAFETY: `words` holds at least `len` initialised bytes; u8 has alignment 1.
                unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), *len) }
            }
        }
    }
}

/// An immutable array shared between graphs: owned in memory, or a section of a mapped
/// `.rgraph` file. It dereferences to a slice; cloning copies a pointer.
pub struct Buf<T: Pod> {
    repr: BufRepr<T>,
}

enum BufRepr<T: Pod> {
    Owned(Arc<[T]>),
    Mapped {
        file: Arc<Backing>,
        offset: usize,
        len: usize,
    },
}

impl<T: Pod> Clone for Buf<T> {
    fn clone(&self) -> Self {
        Buf {
            repr: match &self.repr {
                BufRepr::Owned(a) => BufRepr::Owned(Arc::clone(a)),
                BufRepr::Mapped { file, offset, len } => BufRepr::Mapped {
                    file: Arc::clone(file),
                    offset: *offset,
                    len: *len,
                },
            },
        }
    }
}

impl<T: Pod> fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.repr {
            BufRepr::Owned(_) => "owned",
            BufRepr::Mapped { .. } => "mapped",
        };
        write!(f, "Buf({kind}, {} elements)", self.len())
    }
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.repr {
            BufRepr::Owned(a) => a,
            BufRepr::Mapped { file, offset, len } => {
                // SAFETY: `Buf::mapped` checked that `offset..offset + len * size_of::<T>()`
                // lies inside the backing bytes and that `offset` is aligned for `T` (the
                // backing starts on a page or 8-byte boundary); every bit pattern is a valid
                // `T` (`Pod`); the backing is never written while shared.
                unsafe {
                    std::slice::from_raw_parts(file.bytes().as_ptr().add(*offset).cast::<T>(), *len)
                }
            }
        }
    }
}

impl<T: Pod> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf {
            repr: BufRepr::Owned(v.into()),
        }
    }
}

impl<T: Pod> From<Arc<[T]>> for Buf<T> {
    fn from(a: Arc<[T]>) -> Self {
        Buf {
            repr: BufRepr::Owned(a),
        }
    }
}

impl<T: Pod> Buf<T> {
    /// True when both are one array (not merely equal ones).
    pub fn ptr_eq(a: &Buf<T>, b: &Buf<T>) -> bool {
        a.as_ptr() == b.as_ptr() && a.len() == b.len()
    }

    /// True when the array is a section of a mapped file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.repr, BufRepr::Mapped { .. })
    }

    pub(crate) fn mapped(file: &Arc<Backing>, offset: usize, len: usize) -> Buf<T> {
        let size = std::mem::size_of::<T>();
        let bytes = file.bytes();
        assert!(
            offset % std::mem::align_of::<T>() == 0
                && (bytes.as_ptr() as usize + offset) % std::mem::align_of::<T>() == 0
                && len
                    .checked_mul(size)
                    .and_then(|b| b.checked_add(offset))
                    .is_some_and(|end| end <= bytes.len()),
            "section bounds are checked before mapping"
        );
        Buf {
            repr: BufRepr::Mapped {
                file: Arc::clone(file),
                offset,
                len,
            },
        }
    }
}
