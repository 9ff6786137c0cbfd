//! Bitsets held as `[u64]`: one bit per account or per set id.

/// The word of a `[u64]` bitset that holds bit `i`, and the mask of the bit within it.
#[inline(always)]
pub(crate) fn word_bit(i: u32) -> (usize, u64) {
    ((i >> 6) as usize, 1 << (i & 63))
}

#[cfg(test)]
mod tests {
    use super::word_bit;

    #[test]
    fn bits_fill_words_from_the_low_end() {
        assert_eq!(word_bit(0), (0, 1));
        assert_eq!(word_bit(63), (0, 1 << 63));
        assert_eq!(word_bit(64), (1, 1));
        assert_eq!(word_bit(130), (2, 4));
        assert_eq!(word_bit(u32::MAX), ((u32::MAX >> 6) as usize, 1 << 63));
    }
}
