//! The search for long runs of base64-alphabet bytes, the first step of decoding (see
//! `decode::encoded_runs`). It exists on its own because it reads every byte of every blob: in
//! a tree of code and lock files about a quarter of the bytes sit in runs of 20 or more letters,
//! digits and `+/-_`, so a byte-at-a-time search cost about a tenth of the whole scan.
//!
//! Here each 64-byte block is classified at once into a membership bitmask (vector compares and
//! a `movemask`, through the `wide` crate because this crate forbids `unsafe`: SSE2 on x86-64),
//! and runs of at least [`MIN_RUN`] members are found by shifting and
//! AND-ing the mask, so bytes outside long runs are never looked at one by one and a run costs
//! a few bit operations however long it is.

use wide::{i8x16, CmpEq, CmpGt};

/// Shortest run reported by [`long_runs`].
pub const MIN_RUN: usize = 20;

/// Whether `b` belongs to a base64 alphabet (standard or URL-safe): letters, digits, `+/-_`.
pub fn is_member(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Membership bitmask of a block: bit `i` set when `block[i]` [`is_member`] (byte loop: the
/// tail of the data, and the reference for the vector form).
fn member_mask_scalar(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0u64, |m, (i, &b)| m | u64::from(is_member(b)) << i)
}

/// [`member_mask_scalar`] of a full block, 16 bytes per vector operation (`wide`: SSE2 on
/// x86-64, NEON on aarch64, lane loops elsewhere): 13 operations per 16 bytes.
#[inline]
fn member_mask(block: &[u8; 64]) -> u64 {
    let splat = |b: u8| i8x16::splat(b.cast_signed());
    // `x` in `lo..lo + n` as one signed compare: `x + (0x80 - lo) < 0x80 + n` (as i8).
    let in_range =
        |x: i8x16, lo: u8, n: u8| splat(0x80u8.wrapping_add(n)).cmp_gt(x + splat(0x80u8.wrapping_sub(lo)));
    let mut mask = 0u64;
    for (k, c) in block.chunks_exact(16).enumerate() {
        let bytes: [u8; 16] = c.try_into().expect("16-byte chunk of a 64-byte block");
        let v = i8x16::new(bytes.map(u8::cast_signed));
        // Letters: `b | 0x20` in `a..=z` (`@[\]^` land outside it, and so do bytes >= 0x80).
        let alpha = in_range(v | splat(0x20), b'a', 26);
        // Digits and `+,-./` are one range (0x2B..=0x39); `,` and `.` (`b | 2 == b'.'`) leave it.
        let comma_dot = (v | splat(2)).cmp_eq(splat(b'.'));
        let digit_sign = in_range(v, b'+', 15) ^ comma_dot;
        let member = alpha | digit_sign | v.cmp_eq(splat(b'_'));
        let bits = u64::from(member.move_mask().cast_unsigned() & 0xffff);
        mask |= bits << (16 * k);
    }
    mask
}

/// Calls `f(start, end)` for every maximal run of [`is_member`] bytes of at least [`MIN_RUN`]
/// bytes in `data`, in order.
pub fn long_runs(data: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut search = Search { carry: 0 };
    let mut blocks = data.chunks_exact(64);
    let mut base = 0;
    for block in blocks.by_ref() {
        let mask = member_mask(block.try_into().expect("64-byte chunk"));
        search.block(mask, base, &mut f);
        base += 64;
    }
    // The tail (possibly empty) as a block whose missing bytes are not members: it ends the
    // run still open at the end of the data.
    search.block(member_mask_scalar(blocks.remainder()), base, &mut f);
}

/// State carried from one block to the next.
struct Search {
    /// Length of the run of members that reaches the end of the blocks seen so far.
    carry: usize,
}

impl Search {
    /// Reports the long runs that end in the 64-byte block at `base` with membership `mask`.
    #[inline]
    fn block(&mut self, mask: u64, base: usize, f: &mut impl FnMut(usize, usize)) {
        let mut m = mask;
        if self.carry > 0 {
            // The run open at the block start continues through the block's first members.
            let t = m.trailing_ones() as usize;
            if t == 64 {
                self.carry += 64;
                return;
            }
            if self.carry + t >= MIN_RUN {
                f(base - self.carry, base + t);
            }
            self.carry = 0;
            m &= !0u64 << t; // bit `t` is a non-member: the other runs start after it
        }
        // `r` bit `i`: bits `i - 19 ..= i` of `m` all set (a member run of 20 ends at or after `i`;
        // runs begin inside the block, so zeros shifted in are right).
        let mut r = m & m << 1;
        r &= r << 2;
        r &= r << 4;
        r &= r << 8;
        r &= r << 4;
        // Ends of long runs inside the block: a non-member right after a set `r` bit.
        let mut ends = !m & r << 1;
        while ends != 0 {
            let e = ends.trailing_zeros();
            let before = !m & ((1u64 << e) - 1);
            let s = if before == 0 {
                0
            } else {
                64 - before.leading_zeros()
            };
            f(base + s as usize, base + e as usize);
            ends &= ends - 1;
        }
        self.carry = m.leading_ones() as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::{is_member, long_runs, member_mask, member_mask_scalar, MIN_RUN};

    /// The definition read plainly: maximal runs of members, kept when long enough.
    fn reference(data: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let s = i;
            while i < data.len() && is_member(data[i]) {
                i += 1;
            }
            if i - s >= MIN_RUN {
                out.push((s, i));
            }
            i += 1;
        }
        out
    }

    fn fast(data: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        long_runs(data, |s, e| out.push((s, e)));
        out
    }

    /// xorshift64: fixed seed, no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn vector_mask_matches_the_definition_for_every_byte() {
        // Every byte value at every lane, next to members and non-members.
        for b in 0..=255u8 {
            for fill in [b'a', b' '] {
                for lane in 0..64 {
                    let mut block = [fill; 64];
                    block[lane] = b;
                    assert_eq!(
                        member_mask(&block),
                        member_mask_scalar(&block),
                        "byte {b:#04x} lane {lane}"
                    );
                }
            }
        }
        let members: Vec<u8> = (0..=255u8).filter(|&b| is_member(b)).collect();
        assert_eq!(members.len(), 66, "62 alphanumerics and + / - _");
    }

    #[test]
    fn runs_at_thresholds_and_block_edges() {
        let member = b'Q';
        for len in [1, 19, 20, 21, 63, 64, 65, 127, 128, 129, 200] {
            for at in [0, 1, 19, 20, 43, 44, 45, 63, 64, 65, 100, 127, 128] {
                for total_extra in [0, 1, 30] {
                    let mut data = vec![b' '; at + len + total_extra];
                    data[at..at + len].fill(member);
                    let want = reference(&data);
                    assert_eq!(fast(&data), want, "len {len} at {at} +{total_extra}");
                    assert_eq!(want.len(), usize::from(len >= MIN_RUN));
                }
            }
        }
        // The whole input one run, of each length up to a few blocks.
        for len in 0..300 {
            let data = vec![b'z'; len];
            assert_eq!(fast(&data), reference(&data), "all members, {len}");
        }
    }

    #[test]
    fn random_inputs_match_the_reference() {
        let mut rng = Rng(0x2026_1206_0000_0011);
        // Byte pools: mostly members with rare breaks (long runs), mixed, mostly breaks; the
        // breaks include the bytes next to the alphabet ranges.
        let members = b"AZaz09+/-_QmX7";
        let others = b" \n=.,:@[`{\x7f\x80\xff\"*";
        for round in 0..4000 {
            let len = rng.below(400);
            let p_break = [2, 10, 40, 90][round % 4];
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(100) < p_break {
                        others[rng.below(others.len())]
                    } else {
                        members[rng.below(members.len())]
                    }
                })
                .collect();
            assert_eq!(fast(&data), reference(&data), "{data:?}");
        }
        // Fully random bytes.
        for _ in 0..500 {
            let len = rng.below(2000);
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            assert_eq!(fast(&data), reference(&data));
        }
    }
}
