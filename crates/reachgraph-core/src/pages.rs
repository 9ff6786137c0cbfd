//! Large per-account scratch arrays on transparent huge pages.
//!
//! The kernels that jump around a large graph (RR sampling's visited bits, the cascade's bit
//! lanes and per-target probabilities, the RR index's offsets) touch one entry of an array of
//! tens or hundreds of megabytes at a random place per edge. With 4 KiB pages nearly every such touch also misses
//! the TLB and walks the page table; with 2 MiB pages a few hundred entries cover the array.
//! Linux backs an anonymous region with huge pages when asked (`madvise(MADV_HUGEPAGE)`),
//! which is the only way where transparent huge pages are set to `madvise` (the default of
//! Debian and Ubuntu). Nothing else changes: the same values, the same answers.

/// Arrays smaller than this stay on ordinary pages (two huge pages: below it the TLB covers
/// the array anyway, and a huge page would round a small array's memory up).
const MIN_BYTES: usize = 4 << 20;

/// Asks for huge pages under `v`, a vector not yet written (as `vec![0; n]` leaves it: the
/// allocator hands large zeroed blocks out as fresh pages, and the pages fault in as huge ones
/// on first touch). Returns `v` unchanged. Pages already touched keep their size. A refusal
/// by the kernel (no transparent huge pages, or another system) changes nothing but speed.
pub(crate) fn huge<T>(v: Vec<T>) -> Vec<T> {
    advise(&v);
    v
}

#[cfg(all(target_os = "linux", not(miri)))]
fn advise<T>(v: &[T]) {
    const PAGE: usize = 4096;
    let bytes = std::mem::size_of_val(v);
    if bytes < MIN_BYTES {
        return;
    }
    let start = v.as_ptr() as usize;
    // The whole pages inside the vector's block (madvise takes a page-aligned start).
    let lo = start.next_multiple_of(PAGE);
    let hi = (start + bytes) / PAGE * PAGE;
    if hi > lo {
        // SAFETY: `[lo, hi)` lies inside `v`'s allocation, which this process owns and which
        // stays mapped while `v` lives; MADV_HUGEPAGE only changes how the kernel backs those
        // pages, never their contents, and its failure is harmless (the result is ignored).
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(any(not(target_os = "linux"), miri))]
fn advise<T>(_: &[T]) {}
