//! Bitsets held as `[u64]`: one bit per account, per slot or per set id.

/// The word of a `[u64]` bitset that holds bit `i`, and the mask of the bit within it.
#[inline(always)]
pub(crate) fn word_bit(i: usize) -> (usize, u64) {
    (i >> 6, 1 << (i & 63))
}

/// The positions (0..64) of the set bits of `word`, from the highest down.
#[inline(always)]
pub(crate) fn high_to_low(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let b = 63 - word.leading_zeros() as usize;
            word ^= 1 << b;
            b
        })
    })
}

/// The positions (0..64) of the set bits of `word`, from the lowest up.
#[inline(always)]
pub(crate) fn low_to_high(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let b = word.trailing_zeros() as usize;
            word &= word - 1;
            b
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{high_to_low, low_to_high, word_bit};

    #[test]
    fn bits_fill_words_from_the_low_end() {
        assert_eq!(word_bit(0), (0, 1));
        assert_eq!(word_bit(63), (0, 1 << 63));
        assert_eq!(word_bit(64), (1, 1));
        assert_eq!(word_bit(130), (2, 4));
        let top = u32::MAX as usize;
        assert_eq!(word_bit(top), (top >> 6, 1 << 63));
    }

    #[test]
    fn set_bits_come_in_order_both_ways() {
        let word = (1u64 << 63) | (1 << 40) | (1 << 5) | 1;
        assert_eq!(high_to_low(word).collect::<Vec<_>>(), [63, 40, 5, 0]);
        assert_eq!(low_to_high(word).collect::<Vec<_>>(), [0, 5, 40, 63]);
        assert_eq!(high_to_low(0).count(), 0);
        assert_eq!(
            low_to_high(u64::MAX).collect::<Vec<_>>(),
            (0..64).collect::<Vec<_>>()
        );
        // Each position is a set bit, once: the word rebuilt from them is the word.
        for w in [word, u64::MAX, 0x8000_0000_0000_0001, 0x0123_4567_89ab_cdef] {
            assert_eq!(high_to_low(w).fold(0u64, |a, b| a | 1 << b), w);
            assert_eq!(high_to_low(w).count(), w.count_ones() as usize);
        }
    }
}
