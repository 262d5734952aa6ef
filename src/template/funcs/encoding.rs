//! sprig's encodings and checksums: `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum
//! adler32sum` (docker-gen's `sha1` is `sha1sum`). SHA-256 comes from RustCrypto's `sha2`,
//! which `derivePassword` links anyway; the rest is hand-written because the crates cost
//! more than they save (release bytes on x86_64: sha1 and sha2's SHA-512 about 23 KB, base64
//! 4.8 KB, base32 1.9 KB, adler2 0.6 KB) and because Go's decoding rules (`\r` and `\n`
//! skipped, non-zero trailing bits accepted, the offset of the first bad byte in the error)
//! are what templates see. Decoding errors are returned as the function's string result, as
//! sprig does.

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::Value;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes `bytes` in `bits`-bit groups with `=` padding to a multiple of `block` characters.
fn encode(bytes: &[u8], alphabet: &[u8], bits: u32, block: usize) -> String {
    let mut out = String::new();
    let mut buffer: u64 = 0;
    let mut held = 0u32;
    let mask = (1u64 << bits) - 1;
    for byte in bytes {
        buffer = (buffer << 8) | u64::from(*byte);
        held += 8;
        while held >= bits {
            held -= bits;
            out.push(alphabet[((buffer >> held) & mask) as usize] as char);
        }
    }
    if held > 0 {
        out.push(alphabet[((buffer << (bits - held)) & mask) as usize] as char);
    }
    while out.len() % block != 0 {
        out.push('=');
    }
    out
}

/// Decodes a padded `bits`-bit encoding; the error names the first bad input byte like Go.
fn decode(
    text: &str,
    alphabet: &[u8],
    bits: u32,
    block: usize,
    name: &str,
) -> Result<Vec<u8>, String> {
    let cleaned: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\n' && *b != b'\r')
        .collect();
    let illegal = |at: usize| format!("illegal {name} data at input byte {at}");
    let mut out = Vec::new();
    let mut buffer: u64 = 0;
    let mut held = 0u32;
    let mut data_length = cleaned.len();
    for (index, (_, byte)) in cleaned.iter().enumerate() {
        if *byte == b'=' {
            data_length = index;
            break;
        }
    }
    for (_, byte) in &cleaned[..data_length] {
        match alphabet.iter().position(|a| a == byte) {
            Some(value) => {
                buffer = (buffer << bits) | value as u64;
                held += bits;
                if held >= 8 {
                    held -= 8;
                    out.push((buffer >> held) as u8);
                }
            }
            None => {
                let at = cleaned
                    .iter()
                    .find(|(_, b)| b == byte)
                    .map_or(0, |(at, _)| *at);
                return Err(illegal(at));
            }
        }
    }
    let padding = &cleaned[data_length..];
    if padding.iter().any(|(_, b)| *b != b'=') {
        let at = padding
            .iter()
            .find(|(_, b)| *b != b'=')
            .map_or(0, |(at, _)| *at);
        return Err(illegal(at));
    }
    if cleaned.len() % block != 0 {
        let at = cleaned.len() - cleaned.len() % block;
        return Err(illegal(cleaned.get(at).map_or(text.len(), |(at, _)| *at)));
    }
    let remainder_chars = data_length % block;
    let valid = match bits {
        6 => matches!(remainder_chars, 0 | 2 | 3),
        _ => matches!(remainder_chars, 0 | 2 | 4 | 5 | 7),
    };
    if !valid || (remainder_chars == 0 && !padding.is_empty()) {
        let at = cleaned.get(data_length).map_or(text.len(), |(at, _)| *at);
        return Err(illegal(at));
    }
    Ok(out)
}

fn string_fn(name: &str, values: &[Value], apply: impl Fn(&str) -> String) -> FuncResult {
    arity(name, values, 1)?;
    Ok(Value::str(apply(&args::string(&values[0])?)))
}

/// Standard base64 (with padding) of raw bytes.
pub fn base64_of(bytes: &[u8]) -> String {
    encode(bytes, BASE64, 6, 4)
}

/// Go's `base64.StdEncoding.DecodeString`.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    decode(text, BASE64, 6, 4, "base64")
}

/// `b64enc(s)`.
pub fn b64enc(values: &[Value]) -> FuncResult {
    string_fn("b64enc", values, |text| {
        encode(text.as_bytes(), BASE64, 6, 4)
    })
}

/// `b64dec(s)`: the decoded text, or the error text.
pub fn b64dec(values: &[Value]) -> FuncResult {
    string_fn("b64dec", values, |text| {
        match decode(text, BASE64, 6, 4, "base64") {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) => error,
        }
    })
}

/// `b32enc(s)`.
pub fn b32enc(values: &[Value]) -> FuncResult {
    string_fn("b32enc", values, |text| {
        encode(text.as_bytes(), BASE32, 5, 8)
    })
}

/// `b32dec(s)`: the decoded text, or the error text.
pub fn b32dec(values: &[Value]) -> FuncResult {
    string_fn("b32dec", values, |text| {
        match decode(text, BASE32, 5, 8, "base32") {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) => error,
        }
    })
}

fn hex(bytes: &[u8]) -> String {
    // 64 bytes at a time through the stack buffer of `hex_digits` (one digest is one chunk).
    let mut text = String::with_capacity(2 * bytes.len());
    let mut digits = [0u8; 128];
    for chunk in bytes.chunks(64) {
        text.push_str(hex_digits(chunk, &mut digits).unwrap_or_default());
    }
    text
}

/// Lower-case hex of a digest as a template string: written on the stack and copied once
/// into the string (measured: a `String` first cost 470 more instructions per `sha1`).
fn hex_value(bytes: &[u8]) -> Value {
    let mut digits = [0u8; 128];
    match hex_digits(bytes, &mut digits) {
        Some(text) => Value::str(text),
        None => Value::str(hex(bytes)),
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes` written into `digits`, `None` when it does not fit.
fn hex_digits<'a>(bytes: &[u8], digits: &'a mut [u8; 128]) -> Option<&'a str> {
    // Digests (up to SHA-512's 64 bytes) are written into an array on the stack: indexing a
    // Vec is a call at opt-level "z", and pushing chars costs 40 to 50 instructions a byte.
    if bytes.len() > digits.len() / 2 {
        return None;
    }
    for (index, byte) in bytes.iter().enumerate() {
        digits[2 * index] = HEX_DIGITS[usize::from(byte >> 4)];
        digits[2 * index + 1] = HEX_DIGITS[usize::from(byte & 0x0f)];
    }
    std::str::from_utf8(&digits[..2 * bytes.len()]).ok()
}

/// The blocks of a message padded as the SHA family pads it (`0x80`, zeros, then the bit
/// length), handed to `each` in order. Only the tail is copied, into a buffer on the stack.
fn for_each_block(data: &[u8], block: usize, length_bytes: usize, each: &mut dyn FnMut(&[u8])) {
    let whole = data.len() - data.len() % block;
    data[..whole].chunks_exact(block).for_each(&mut *each);
    let tail = &data[whole..];
    let mut last = [0u8; 256];
    let total = if tail.len() + 1 + length_bytes <= block {
        block
    } else {
        2 * block
    };
    last[..tail.len()].copy_from_slice(tail);
    last[tail.len()] = 0x80;
    let bits = (data.len() as u128).wrapping_mul(8);
    last[total - length_bytes..total].copy_from_slice(&bits.to_be_bytes()[16 - length_bytes..]);
    last[..total].chunks_exact(block).for_each(each);
}

/// SHA-1 of `data` (RustCrypto's `sha1`, built for speed in Cargo.toml: nginx-proxy's
/// template hashes every location path).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// SHA-256 of `data` (RustCrypto's `sha2`, linked anyway for `derivePassword`).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// SHA-512 of `data`. Our own rounds: `sha2`'s SHA-512 (with its CPU feature detection)
/// made the x86_64 musl build 20 KB larger (measured 2026-11-28).
pub fn sha512(data: &[u8]) -> [u8; 64] {
    let mut state: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    for_each_block(data, 128, 16, &mut |chunk| {
        let mut w = [0u64; 80];
        for (i, word) in chunk.chunks(8).enumerate() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            w[i] = u64::from_be_bytes(bytes);
        }
        for i in 16..80 {
            let s0 = w[i - 15].rotate_right(1) ^ w[i - 15].rotate_right(8) ^ (w[i - 15] >> 7);
            let s1 = w[i - 2].rotate_right(19) ^ w[i - 2].rotate_right(61) ^ (w[i - 2] >> 6);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = state;
        for i in 0..80 {
            let s1 = v[4].rotate_right(14) ^ v[4].rotate_right(18) ^ v[4].rotate_right(41);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K512[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(28) ^ v[0].rotate_right(34) ^ v[0].rotate_right(39);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (slot, value) in state.iter_mut().zip(v) {
            *slot = slot.wrapping_add(value);
        }
    });
    let mut out = [0u8; 64];
    for (i, word) in state.iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Adler-32 of `data`.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// `sha1sum(s)` (docker-gen's `sha1`).
pub fn sha1sum(values: &[Value]) -> FuncResult {
    arity("sha1sum", values, 1)?;
    Ok(hex_value(&sha1(args::string(&values[0])?.as_bytes())))
}

/// `sha256sum(s)`.
pub fn sha256sum(values: &[Value]) -> FuncResult {
    arity("sha256sum", values, 1)?;
    Ok(hex_value(&sha256(args::string(&values[0])?.as_bytes())))
}

/// `sha512sum(s)`.
pub fn sha512sum(values: &[Value]) -> FuncResult {
    arity("sha512sum", values, 1)?;
    Ok(hex_value(&sha512(args::string(&values[0])?.as_bytes())))
}

/// `adler32sum(s)`: the checksum in decimal.
pub fn adler32sum(values: &[Value]) -> FuncResult {
    string_fn("adler32sum", values, |text| {
        adler32(text.as_bytes()).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        // Longer than a digest: the general path gives the same digits.
        let long: Vec<u8> = (0..=255).collect();
        let text = hex(&long);
        assert_eq!(text.len(), 512);
        assert!(text.starts_with("000102") && text.ends_with("fdfeff"));
        assert_eq!(&text[..128], hex(&long[..64]));
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
        assert_eq!(
            hex(&sha512(b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(adler32(b"Wikipedia"), 300286872);
    }

    #[test]
    fn padding_is_right_at_block_boundaries() {
        // Lengths where the 0x80 byte and the bit length just fit, or spill into a new block.
        let cases = [
            (
                55,
                "c1c8bbdc22796e28c0e15163d20899b65621d65a",
                "b0220c772cbf6c1822e2cb38a437d0e1",
            ),
            (
                56,
                "c2db330f6083854c99d4b5bfb6e8f29f201be699",
                "962b64aae357d2a4fee3ded8b539bdc9",
            ),
            (
                64,
                "0098ba824b5c16427bd7a1122a5a442a25ec644d",
                "01d35c10c6c38c2dcf48f7eebb3235fb",
            ),
            (
                119,
                "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56",
                "130396a75cb483f2eee8c56d8a668bb3",
            ),
        ];
        for (length, sha1_hex, sha512_prefix) in cases {
            let data = vec![b'a'; length];
            assert_eq!(hex(&sha1(&data)), sha1_hex, "sha1 of {length} bytes");
            assert!(
                hex(&sha512(&data)).starts_with(sha512_prefix),
                "sha512 of {length} bytes"
            );
        }
    }

    #[test]
    fn base64_and_base32() {
        assert_eq!(encode(b"hello", BASE64, 6, 4), "aGVsbG8=");
        assert_eq!(encode(b"", BASE64, 6, 4), "");
        assert_eq!(encode(b"hello", BASE32, 5, 8), "NBSWY3DP");
        assert_eq!(encode(b"a", BASE32, 5, 8), "ME======");
        assert_eq!(
            decode("aGVsbG8=", BASE64, 6, 4, "base64").unwrap(),
            b"hello"
        );
        assert_eq!(
            decode("NBSWY3DP", BASE32, 5, 8, "base32").unwrap(),
            b"hello"
        );
        assert_eq!(decode("ME======", BASE32, 5, 8, "base32").unwrap(), b"a");
        assert_eq!(
            decode("a!", BASE64, 6, 4, "base64").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
        assert!(decode("aGVsbG8", BASE64, 6, 4, "base64").is_err());
    }
}
