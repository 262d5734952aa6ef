//! sprig's encodings and checksums: `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum
//! adler32sum` (docker-gen's `sha1` is `sha1sum`). SHA-256 comes from RustCrypto's `sha2`,
//! which `derivePassword` links anyway; the rest is hand-written because the crates cost
//! more than they save (release bytes on x86_64: sha1 and sha2's SHA-512 about 23 KB, base64
//! 4.8 KB, base32 1.9 KB, adler2 0.6 KB) and because Go's decoding rules (`\r` and `\n`
//! skipped, non-zero trailing bits accepted, the offset of the first bad byte in the error)
//! are what templates see. Decoding errors are returned as the function's string result, as
//! sprig does.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // Indexing a buffer of the final size: pushing chars or slices costs 40 to 50
    // instructions a byte at opt-level z, this about 10.
    let mut out = vec![0u8; bytes.len() * 2];
    for (index, byte) in bytes.iter().enumerate() {
        out[2 * index] = DIGITS[usize::from(byte >> 4)];
        out[2 * index + 1] = DIGITS[usize::from(byte & 0x0f)];
    }
    String::from_utf8(out).unwrap_or_default()
}

/// SHA-1 of `data` (RustCrypto's `sha1`, built for speed in Cargo.toml: nginx-proxy's
/// template hashes every location path).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// SHA-256 of `data` (RustCrypto's `sha2`, also behind `derivePassword`).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-512 of `data` (RustCrypto's `sha2`).
pub fn sha512(data: &[u8]) -> [u8; 64] {
    Sha512::digest(data).into()
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
    string_fn("sha1sum", values, |text| hex(&sha1(text.as_bytes())))
}

/// `sha256sum(s)`.
pub fn sha256sum(values: &[Value]) -> FuncResult {
    string_fn("sha256sum", values, |text| hex(&sha256(text.as_bytes())))
}

/// `sha512sum(s)`.
pub fn sha512sum(values: &[Value]) -> FuncResult {
    string_fn("sha512sum", values, |text| hex(&sha512(text.as_bytes())))
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
