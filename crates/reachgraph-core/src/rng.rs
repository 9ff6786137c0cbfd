//! Seeded random streams that do not depend on the number of threads.
//!
//! Every random result takes a `seed`. Work is cut into fixed-size chunks (of trials, RR sets,
//! draws); chunk `c` draws from [`stream`]`(seed, c)`, chunks run in parallel, and results are
//! combined in chunk order. So the same seed gives the same answer on 1 or N threads (and, later,
//! on 1 or N processes, since a chunk's stream depends on its global index only).
//!
//! The generator is Xoshiro256++ (Blackman & Vigna), whose output sequence is fixed by its
//! definition, seeded through SplitMix64 so that nearby `(seed, chunk)` pairs give unrelated
//! streams.

use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus as Rng;

/// SplitMix64 finaliser: a bijective mix of 64 bits.
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of chunk `chunk` under master seed `seed`.
pub fn stream(seed: u64, chunk: u64) -> Rng {
    let mut s = [0u8; 32];
    let mut x = splitmix64(seed ^ 0x5EED_0F4E_AC4D_1234_u64);
    x ^= splitmix64(chunk.wrapping_add(0x2545_F491_4F6C_DD1D));
    for k in 0..4 {
        x = splitmix64(x.wrapping_add(k));
        s[k as usize * 8..k as usize * 8 + 8].copy_from_slice(&x.to_le_bytes());
    }
    Rng::from_seed(s)
}

/// A sub-seed for a named purpose (e.g. a scenario's people vs. its edges), so that changing
/// how much one part draws does not shift another's randomness.
pub fn derive(seed: u64, purpose: u64) -> u64 {
    splitmix64(seed ^ splitmix64(purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// Uniform `f64` in [0, 1) from 53 random bits.
#[inline]
pub fn unit_f64(rng: &mut Rng) -> f64 {
    use rand::RngCore;
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform integer in `0..n` (`n > 0`) by Lemire's multiply-shift (bias below 2^-32 for the
/// sizes used here, and the same on every platform).
#[inline]
pub fn below(rng: &mut Rng, n: u64) -> u64 {
    use rand::RngCore;
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| stream(1, 0).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(stream(1, 0).next_u64(), stream(1, 1).next_u64());
        assert_ne!(stream(1, 0).next_u64(), stream(2, 0).next_u64());
    }

    #[test]
    fn unit_and_below_in_range() {
        let mut r = stream(9, 9);
        for _ in 0..10_000 {
            let u = unit_f64(&mut r);
            assert!((0.0..1.0).contains(&u));
            assert!(below(&mut r, 7) < 7);
        }
    }
}
