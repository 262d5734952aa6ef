//! sprig's password and cipher functions: `bcrypt htpasswd encryptAES decryptAES
//! derivePassword`, over RustCrypto's crates (bcrypt, aes with cbc, scrypt with hmac and
//! sha2). Salts and IVs come from the kernel's random source, as Go's `crypto/rand`.
//!
//! Results and errors are sprig's: bcrypt uses Go's `DefaultCost` (10) and the `$2a$`
//! prefix and refuses passwords over 72 bytes; `encryptAES` is AES-256-CBC with the password
//! zero-padded or cut to 32 bytes as the key, PKCS#7 padding and a random IV before the
//! ciphertext, all in standard base64; where sprig's `decryptAES` would panic on malformed
//! input, the error is the runtime error Go's template reports. Only `derivePassword`'s
//! last master key is kept (per thread), as scrypt is deliberately slow.

use std::cell::RefCell;

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::{encoding, sprig_random};
use crate::template::Value;

/// Go's `bcrypt.DefaultCost`.
const BCRYPT_COST: u32 = 10;

/// The AES block size, also the IV's length.
const BLOCK: usize = 16;

/// sprig's `bcrypt(input)`: the hash, or the error as the result text.
fn bcrypt_text(password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&sprig_random::random_bytes(16));
    match bcrypt::hash_with_salt(password, BCRYPT_COST, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(error) => format!("failed to encrypt string with bcrypt: {error}"),
    }
}

/// `bcrypt(input string) string`.
pub fn bcrypt(values: &[Value]) -> FuncResult {
    arity("bcrypt", values, 1)?;
    Ok(Value::str(bcrypt_text(&args::string(&values[0])?)))
}

/// `htpasswd(username, password string) string`: an Apache `user:bcrypt` line.
pub fn htpasswd(values: &[Value]) -> FuncResult {
    arity("htpasswd", values, 2)?;
    let user = args::string(&values[0])?;
    let password = args::string(&values[1])?;
    if user.contains(':') {
        return Ok(Value::str(format!("invalid username: {user}")));
    }
    Ok(Value::str(format!("{user}:{}", bcrypt_text(&password))))
}

/// The AES-256 key sprig makes of a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let length = password.len().min(32);
    key[..length].copy_from_slice(&password.as_bytes()[..length]);
    key
}

/// AES-256-CBC with PKCS#7 padding; the IV comes first in the result.
pub fn encrypt(password: &str, plaintext: &[u8], iv: [u8; BLOCK]) -> Vec<u8> {
    let padding = BLOCK - plaintext.len() % BLOCK;
    let mut content = plaintext.to_vec();
    content.resize(plaintext.len() + padding, padding as u8);
    let mut encryptor = cbc::Encryptor::<Aes256>::new(&aes_key(password).into(), &iv.into());
    let mut out = iv.to_vec();
    for chunk in content.chunks(BLOCK) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        encryptor.encrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    out
}

/// sprig's decryption of IV and ciphertext, failing where sprig's code panics. `capacity`
/// is that of Go's decoded slice (which its panic message names).
pub fn decrypt(password: &str, data: &[u8], capacity: usize) -> Result<Vec<u8>, String> {
    if data.len() < BLOCK {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {capacity}"
        ));
    }
    let (iv, ciphertext) = data.split_at(BLOCK);
    if ciphertext.len() % BLOCK != 0 {
        return Err("crypto/cipher: input not full blocks".to_string());
    }
    let mut iv_block = [0u8; BLOCK];
    iv_block.copy_from_slice(iv);
    let mut decryptor = cbc::Decryptor::<Aes256>::new(&aes_key(password).into(), &iv_block.into());
    let mut out = Vec::with_capacity(ciphertext.len());
    for chunk in ciphertext.chunks(BLOCK) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        decryptor.decrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    // sprig trusts the last byte as the padding length, unchecked.
    let Some(&padding) = out.last() else {
        return Err("runtime error: index out of range [-1]".to_string());
    };
    let keep = out.len() as i64 - i64::from(padding);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    out.truncate(keep as usize);
    Ok(out)
}

/// `encryptAES(password, plaintext string) (string, error)`.
pub fn encrypt_aes(values: &[Value]) -> FuncResult {
    arity("encryptAES", values, 2)?;
    let password = args::string(&values[0])?;
    let plaintext = args::string(&values[1])?;
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let mut iv = [0u8; BLOCK];
    iv.copy_from_slice(&sprig_random::random_bytes(BLOCK));
    Ok(Value::str(encoding::base64_of(&encrypt(
        &password,
        plaintext.as_bytes(),
        iv,
    ))))
}

/// `decryptAES(password, crypt64 string) (string, error)`.
pub fn decrypt_aes(values: &[Value]) -> FuncResult {
    arity("decryptAES", values, 2)?;
    let password = args::string(&values[0])?;
    let crypt64 = args::string(&values[1])?;
    if crypt64.is_empty() {
        return Ok(Value::str(""));
    }
    let data = encoding::base64_decode(&crypt64)?;
    // Go's DecodeString allocates DecodedLen of the whole input.
    let plaintext = decrypt(&password, &data, crypt64.len() / 4 * 3)?;
    Ok(Value::str(String::from_utf8_lossy(&plaintext).into_owned()))
}

/// The Master Password templates of each password type (letters name character classes).
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for.
fn template_characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

const SEED: &[u8] = b"com.lyndir.masterpassword";

thread_local! {
    /// The last master key: scrypt costs 32 MiB and about 0.1 s, and a template renders
    /// again on every Docker event, usually with the same password and user.
    static LAST_KEY: RefCell<Option<(String, String, [u8; 64])>> = const { RefCell::new(None) };
}

/// scrypt(N=32768, r=8, p=2) of the password, salted with the seed and the user name.
fn master_key(password: &str, user: &str) -> Result<[u8; 64], String> {
    let cached = LAST_KEY.with_borrow(|last| match last {
        Some((p, u, key)) if p == password && u == user => Some(*key),
        _ => None,
    });
    if let Some(key) = cached {
        return Ok(key);
    }
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2).map_err(|error| error.to_string())?;
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
        .map_err(|error| error.to_string())?;
    LAST_KEY.set(Some((password.to_string(), user.to_string(), key)));
    Ok(key)
}

/// The Master Password algorithm (v3) as sprig implements it: scrypt(N=32768, r=8, p=2) of
/// the password salted with the user name, then HMAC-SHA256 over the site and counter picks
/// a template and its characters.
pub fn master_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let key = match master_key(password, user) {
        Ok(key) => key,
        Err(error) => return format!("failed to derive password: {error}"),
    };
    let mut message = SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&key) else {
        return "failed to derive password: bad key".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(index, class)| {
            let characters = template_characters(class);
            characters[usize::from(seed[index + 1]) % characters.len()] as char
        })
        .collect()
}

/// `derivePassword(counter uint32, passwordType, password, user, site string) string`.
/// Go converts an integer constant to `uint32` by truncation and refuses a negative one.
pub fn derive_password(values: &[Value]) -> FuncResult {
    arity("derivePassword", values, 5)?;
    let counter = match &values[0] {
        Value::Int(number) if *number < 0 => {
            return Err(format!("expected unsigned integer; found {number}"))
        }
        Value::Int(number) => *number as u32,
        Value::Nil | Value::Missing => return Err("invalid value; expected uint32".to_string()),
        other => {
            return Err(format!(
                "wrong type for value; expected uint32; got {}",
                args::type_name(other)
            ))
        }
    };
    let kind = args::string(&values[1])?;
    let password = args::string(&values[2])?;
    let user = args::string(&values[3])?;
    let site = args::string(&values[4])?;
    Ok(Value::str(master_password(
        counter, &kind, &password, &user, &site,
    )))
}

/// sprig's certificate functions are not implemented (RSA, DSA, ECDSA and X.509 would cost
/// more than the rest of the library). They exist so that templates naming them parse, as
/// in Go, and fail only when called: after Go's argument count check, with this message.
macro_rules! not_in_this_build {
    ($($func:ident $name:literal $count:literal),* $(,)?) => {$(
        #[doc = concat!("`", $name, "`: not in this build; always an error.")]
        pub fn $func(values: &[Value]) -> FuncResult {
            arity($name, values, $count)?;
            Err(concat!(
                "sprig's certificate functions are not in this build of tinygen (",
                $name,
                ")"
            )
            .to_string())
        }
    )*};
}

not_in_this_build! {
    gen_private_key "genPrivateKey" 1,
    build_custom_cert "buildCustomCert" 2,
    gen_ca "genCA" 2,
    gen_ca_with_key "genCAWithKey" 3,
    gen_self_signed_cert "genSelfSignedCert" 4,
    gen_self_signed_cert_with_key "genSelfSignedCertWithKey" 5,
    gen_signed_cert "genSignedCert" 5,
    gen_signed_cert_with_key "genSignedCertWithKey" 6,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_round_trip_and_go_ciphertext() {
        let iv = [7u8; 16];
        for plaintext in ["", "a", "exactly sixteen!", "a longer text spanning blocks"] {
            let data = encrypt("key", plaintext.as_bytes(), iv);
            assert_eq!(data.len() % 16, 0);
            assert_eq!(decrypt("key", &data, 0).unwrap(), plaintext.as_bytes());
        }
        // Made by sprig's encryptAES "secretkey" "plain text" (Go reference).
        let go = encoding::base64_decode("osw3d4GGr/KBzsvPdeaS7fkfInKQnZDFiKY5TlZvOeM=").unwrap();
        assert_eq!(decrypt("secretkey", &go, 0).unwrap(), b"plain text");
        assert!(decrypt("key", &[0; 20], 0).is_err());
    }

    #[test]
    fn bcrypt_verifies_and_reads_go_hashes() {
        let hash = bcrypt_text("pass");
        assert!(hash.starts_with("$2a$10$") && hash.len() == 60, "{hash}");
        assert!(bcrypt::verify("pass", &hash).unwrap());
        assert!(!bcrypt::verify("pasS", &hash).unwrap());
        // Made by sprig's htpasswd "user" "pass" (Go reference).
        let go = "$2a$10$cL1l7E32NpybfTuo4CWdWuPSYVT6XXlbZUurfExNaL6.xzajHIdWa";
        assert!(bcrypt::verify("pass", go).unwrap());
    }
}
