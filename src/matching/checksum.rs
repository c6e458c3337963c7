//! Token checksums: formats that carry one let us drop look-alikes that merely have the shape.
//!
//! GitHub's prefixed tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) end in a CRC32 of the 30
//! random characters before it, in Base62 padded to 6 digits; npm's `npm_` tokens use the same
//! scheme. Public write-ups disagree on two details (the Base62 alphabet's case order, and, for
//! npm, whether the prefix is hashed), so a token is accepted if any of those readings matches:
//! a random look-alike still passes with probability ~4 / 62⁶ ≈ 7·10⁻¹¹, while no reading of a
//! real token is ever rejected.

/// A checksum scheme a rule can ask for (`checksum = "…"` in the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// `<prefix>_<30 random><6 Base62 CRC32>` (GitHub, npm).
    Crc32Base62,
}

impl Checksum {
    /// Parses the rule field.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "crc32-base62" | "github-crc32" | "npm-crc32" => Some(Self::Crc32Base62),
            _ => None,
        }
    }

    /// `token` with its checksum recomputed (for generating test data: the quality harness
    /// regenerates tokens' random parts). Tokens not in the checksummed shape are returned as is.
    pub fn repair(self, token: &[u8]) -> Vec<u8> {
        let mut out = token.to_vec();
        match self {
            Self::Crc32Base62 => {
                if let Some(us) = token.iter().position(|&b| b == b'_') {
                    if token.len() == us + 1 + 36 {
                        let check = base62(crc32(&token[us + 1..us + 31]), UPPER_FIRST);
                        out[us + 31..].copy_from_slice(&check);
                    }
                }
            }
        }
        out
    }

    /// Whether `token` carries a valid checksum. Tokens not in the checksummed shape (another
    /// length) are not judged and pass.
    pub fn verify(self, token: &[u8]) -> bool {
        match self {
            Self::Crc32Base62 => verify_crc32_base62(token),
        }
    }
}

const UPPER_FIRST: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_FIRST: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn verify_crc32_base62(token: &[u8]) -> bool {
    let Some(us) = token.iter().position(|&b| b == b'_') else {
        return true;
    };
    let rest = &token[us + 1..];
    if rest.len() != 36 || !rest.iter().all(u8::is_ascii_alphanumeric) {
        return true;
    }
    let (body, check) = rest.split_at(30);
    let with_prefix = &token[..us + 1 + 30];
    [crc32(body), crc32(with_prefix)]
        .iter()
        .any(|&c| [UPPER_FIRST, LOWER_FIRST].iter().any(|a| base62(c, a) == check))
}

/// `n` in Base62 with `alphabet`, left-padded with `0` to 6 digits.
fn base62(mut n: u32, alphabet: &[u8; 62]) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = alphabet[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// CRC-32 (IEEE 802.3, as zlib), bitwise: tokens are 30 bytes, a table is not worth it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn github_tokens() {
        // From tests/data/checksum-fixtures.tsv, computed by scripts/checksum_fixtures.py with
        // Python's binascii.crc32 (tests/checksum.rs checks every line of it).
        for good in [
            "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", // leakless:allow
            "ghp_VS5hBgtEzCyUlb1bjKbdWZrmhEu4Dg2Vunxd", // leakless:allow
            "npm_04MFw6xeL3tRiH3QJPgPWFDSqn9Vcn2bJP35", // leakless:allow
            "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", // leakless:allow
        ] {
            assert!(Checksum::Crc32Base62.verify(good.as_bytes()), "{good}");
        }
        for bad in [
            "ghp_ghnRMTboVpnClmGswB9TmOOkyhHEVe2V9zT2", // leakless:allow
            "ghp_hOAs1MQbVMoify1NF9sl9Cn1LhRJ1ZIwIbF2", // leakless:allow
        ] {
            assert!(!Checksum::Crc32Base62.verify(bad.as_bytes()), "{bad}");
            assert!(Checksum::Crc32Base62.verify(&Checksum::Crc32Base62.repair(bad.as_bytes())));
        }
        // Other shapes are not judged.
        assert!(Checksum::Crc32Base62.verify(b"ghr_short"));
        assert_eq!(&base62(0, UPPER_FIRST), b"000000");
        assert_eq!(&base62(u32::MAX, UPPER_FIRST), b"4gfFC3");
    }
}
