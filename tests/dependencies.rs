//! The dependency allowlist: every crate in Cargo.lock must be named below, so that a new
//! dependency (direct or pulled in by an update) needs a conscious edit of this file, and no
//! async runtime may appear at all (the design card forbids one). Crates come only from
//! crates.io: no git or path dependencies besides tinygen itself.
//!
//! When this fails after adding a crate: check what it costs in binary size (the release
//! binary's budget) and why hand-written code would not do, then add it here with a note.

use std::fs;
use std::path::Path;

/// Crate names allowed in Cargo.lock, with the reason each is there.
const ALLOWED: &[(&str, &str)] = &[
    ("tinygen", "this crate"),
    // Direct dependencies (Cargo.toml).
    ("ureq", "HTTP/1.1 client for the Engine API"),
    ("serde", "JSON and TOML data model"),
    ("serde_json", "Engine API answers, template values"),
    ("tinytemplate", "the tinytemplate dialect"),
    ("lexopt", "command line parsing"),
    ("signal-hook", "SIGHUP/SIGTERM/SIGINT/SIGQUIT to a thread"),
    ("libc", "kill(2), process groups, pipes"),
    ("gotmpl", "the Go template dialect"),
    ("toml", "docker-gen's -config files"),
    ("rustls", "TLS to tcp:// endpoints (feature tls)"),
    (
        "regex-lite",
        "the regex template functions, without regex's size",
    ),
    (
        "rustc-hash",
        "a fast hasher for the template executor's name tables",
    ),
    (
        "self_cell",
        "the Go template set keeps its lowered form beside the parsed trees it refers to",
    ),
    ("bcrypt", "sprig's bcrypt and htpasswd"),
    ("aes", "sprig's encryptAES and decryptAES (AES-256)"),
    ("cbc", "sprig's encryptAES and decryptAES (CBC mode)"),
    ("scrypt", "sprig's derivePassword (Master Password key)"),
    ("hmac", "sprig's derivePassword (HMAC-SHA256)"),
    ("sha2", "derivePassword's HMAC, sprig's sha256sum"),
    (
        "sha1",
        "docker-gen's sha1 and sprig's sha1sum (nginx-proxy's upstream and location names)",
    ),
    // Pulled in by the above.
    ("base64", "ureq"),
    ("bytes", "ureq-proto / http"),
    ("block-buffer", "sha2 / digest"),
    ("blowfish", "bcrypt"),
    ("byteorder", "blowfish"),
    ("cc", "ring's build script (C and assembly)"),
    ("cfg-if", "ring, getrandom"),
    (
        "cipher",
        "aes, cbc, blowfish, salsa20 (block cipher traits)",
    ),
    ("cmov", "ctutils (constant-time selection)"),
    ("cpubits", "aes, sha2 (word size selection)"),
    ("cpufeatures", "aes, sha2 (run-time CPU feature detection)"),
    ("crypto-common", "cipher, digest"),
    ("ctutils", "digest, hmac (constant-time helpers)"),
    ("digest", "sha2, hmac"),
    ("equivalent", "indexmap"),
    ("errno", "signal-hook-registry"),
    ("find-msvc-tools", "cc (Windows only)"),
    (
        "getrandom",
        "ring; bcrypt's alloc feature (salts come from tinygen)",
    ),
    ("hashbrown", "indexmap"),
    ("hybrid-array", "cipher, digest (fixed-size arrays)"),
    ("http", "ureq"),
    ("httparse", "ureq-proto"),
    ("indexmap", "toml"),
    ("inout", "cipher"),
    ("itoa", "serde_json, http"),
    ("log", "ureq"),
    ("memchr", "serde_json, bstr"),
    ("once_cell", "rustls"),
    ("pbkdf2", "scrypt"),
    ("percent-encoding", "ureq"),
    (
        "proc-macro2",
        "serde_derive, thiserror-impl (build time only)",
    ),
    ("quote", "serde_derive, thiserror-impl (build time only)"),
    ("r-efi", "getrandom on UEFI only"),
    ("ring", "rustls' crypto provider (feature tls)"),
    ("rustls-pki-types", "rustls, ureq"),
    ("rustls-webpki", "rustls"),
    ("salsa20", "scrypt"),
    ("serde_core", "serde"),
    ("serde_derive", "serde"),
    ("serde_spanned", "toml"),
    ("shlex", "cc"),
    ("signal-hook-registry", "signal-hook"),
    ("smol_str", "gotmpl"),
    ("subtle", "rustls, bcrypt"),
    ("syn", "serde_derive, thiserror-impl (build time only)"),
    ("thiserror", "gotmpl"),
    ("thiserror-impl", "thiserror"),
    ("toml_datetime", "toml"),
    ("typenum", "hybrid-array (type-level sizes)"),
    ("toml_parser", "toml"),
    ("toml_writer", "toml"),
    ("unicode-ident", "proc-macro2"),
    ("untrusted", "ring, rustls-webpki"),
    ("ureq-proto", "ureq"),
    ("utf8-zero", "ureq"),
    ("winnow", "toml_parser"),
    ("zeroize", "rustls-pki-types"),
    ("zmij", "serde_json's float formatting"),
    // Platform crates that are locked but never built on Linux.
    ("wasi", "getrandom on WASI"),
    ("windows-link", "Windows only"),
    ("windows-sys", "Windows only"),
    ("windows-targets", "Windows only"),
    ("windows_aarch64_gnullvm", "Windows only"),
    ("windows_aarch64_msvc", "Windows only"),
    ("windows_i686_gnu", "Windows only"),
    ("windows_i686_gnullvm", "Windows only"),
    ("windows_i686_msvc", "Windows only"),
    ("windows_x86_64_gnu", "Windows only"),
    ("windows_x86_64_gnullvm", "Windows only"),
    ("windows_x86_64_msvc", "Windows only"),
];

/// Async runtimes and their reactors: refused whatever the allowlist says.
const ASYNC_RUNTIMES: &[&str] = &[
    "tokio",
    "async-std",
    "async-io",
    "async-executor",
    "async-global-executor",
    "smol",
    "mio",
    "futures-executor",
    "hyper",
    "actix-rt",
    "glommio",
    "monoio",
    "embassy-executor",
];

/// One `[[package]]` of Cargo.lock.
#[derive(Debug)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
}

/// Reads the `[[package]]` tables of a Cargo.lock (format versions 3 and 4): their `name`,
/// `version` and `source` keys, which are always plain one-line strings.
fn packages(lock: &str) -> Vec<Package> {
    let mut packages: Vec<Package> = Vec::new();
    let mut in_package = false;
    for line in lock.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[[package]]";
            if in_package {
                packages.push(Package {
                    name: String::new(),
                    version: String::new(),
                    source: None,
                });
            }
            continue;
        }
        let Some(package) = packages.last_mut().filter(|_| in_package) else {
            continue;
        };
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "name" => package.name = value,
            "version" => package.version = value,
            "source" => package.source = Some(value),
            _ => {}
        }
    }
    packages
}

fn lockfile() -> Vec<Package> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let packages = packages(&text);
    assert!(
        packages.len() > 10 && packages.iter().all(|p| !p.name.is_empty()),
        "{}: could not read its [[package]] tables",
        path.display()
    );
    packages
}

fn is_async_runtime(name: &str) -> bool {
    ASYNC_RUNTIMES
        .iter()
        .any(|runtime| name == *runtime || name.starts_with(&format!("{runtime}-")))
}

#[test]
fn every_locked_crate_is_on_the_allowlist() {
    let unexpected: Vec<String> = lockfile()
        .iter()
        .filter(|p| !ALLOWED.iter().any(|(name, _)| *name == p.name))
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert!(
        unexpected.is_empty(),
        "Cargo.lock has crates that are not on the allowlist in tests/dependencies.rs: \
         {unexpected:?}. A new dependency needs a reason (binary size, why not hand-written): \
         add it to ALLOWED with that reason."
    );
}

#[test]
fn no_async_runtime_is_locked() {
    let runtimes: Vec<String> = lockfile()
        .iter()
        .filter(|p| is_async_runtime(&p.name))
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert!(
        runtimes.is_empty(),
        "Cargo.lock pulls in an async runtime, which the design card forbids: {runtimes:?}"
    );
    for (name, _) in ALLOWED {
        assert!(
            !is_async_runtime(name),
            "the allowlist names an async runtime: {name}"
        );
    }
}

#[test]
fn crates_come_only_from_crates_io() {
    for package in lockfile() {
        match &package.source {
            None => assert_eq!(package.name, "tinygen", "a path dependency: {package:?}"),
            Some(source) => assert_eq!(
                source, "registry+https://github.com/rust-lang/crates.io-index",
                "{} {} does not come from crates.io",
                package.name, package.version
            ),
        }
    }
}

#[test]
fn the_checks_catch_what_they_should() {
    let lock = "version = 4\n\n[[package]]\nname = \"tokio\"\nversion = \"1.40.0\"\n\
                source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
                dependencies = [\n \"mio\",\n]\n\n[[package]]\nname = \"mio\"\nversion = \"1.0.2\"\n\n\
                [[package]]\nname = \"tokio-util\"\nversion = \"0.7.12\"\n\n[[package]]\n\
                name = \"serde\"\nversion = \"1.0.229\"\n";
    let found = packages(lock);
    let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["tokio", "mio", "tokio-util", "serde"]);
    assert_eq!(found[0].version, "1.40.0");
    assert!(found[0]
        .source
        .as_deref()
        .is_some_and(|s| s.starts_with("registry+")));
    assert!(found[1].source.is_none());
    let runtimes: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| is_async_runtime(n))
        .collect();
    assert_eq!(runtimes, ["tokio", "mio", "tokio-util"]);
    assert!(!is_async_runtime("serde") && !is_async_runtime("smol_str"));
    assert!(!ALLOWED.iter().any(|(name, _)| *name == "tokio"));
}
