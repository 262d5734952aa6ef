//! `exists` answers for one render, from directory listings: nginx-proxy's `nginx.tmpl` asks
//! whether a file exists about 13 times per virtual host (1,309 `stat` calls at 50
//! containers, about 900 distinct paths, nearly all missing, in four directories), which
//! cost about 0.6 ms of system time per render on the development machine. With a
//! [`Scope`] active, the first question about a directory lists it once; a name that is not
//! listed does not exist, and a file of a missing directory is missing; a listed name is
//! still `stat`ed (a dangling link does not exist), once.
//!
//! The answers hold for the render that asked: a file created during a render shows in the
//! next one, as if it had been created just after this one. Without a scope (outside a
//! render) every question is a `stat`, as in docker-gen. This module never caches an error
//! other than "not found", so errors reach the template as they would without it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::ErrorKind;

use rustc_hash::FxBuildHasher;

/// What a directory listing said.
enum Listing {
    /// The directory does not exist: neither does anything in it.
    Missing,
    /// The names in it.
    Names(HashSet<Box<str>, FxBuildHasher>),
    /// It could not be listed (not a directory, no read permission): ask `stat`.
    Unknown,
}

#[derive(Default)]
struct Answers {
    listings: HashMap<Box<str>, Listing, FxBuildHasher>,
    paths: HashMap<Box<str>, bool, FxBuildHasher>,
}

thread_local! {
    static ANSWERS: RefCell<Option<Answers>> = const { RefCell::new(None) };
}

/// Keeps `exists` answers while it lives (one render). Scopes do not nest: an inner one
/// leaves the outer one's answers alone.
pub struct Scope {
    owner: bool,
}

impl Scope {
    pub fn start() -> Scope {
        let owner = ANSWERS.with(|answers| {
            let mut answers = answers.borrow_mut();
            let owner = answers.is_none();
            if owner {
                *answers = Some(Answers::default());
            }
            owner
        });
        Scope { owner }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if self.owner {
            ANSWERS.with(|answers| *answers.borrow_mut() = None);
        }
    }
}

/// Whether `path` exists (following links), as Go's `os.Stat` decides: not found is
/// `Ok(false)`, other failures are errors.
pub fn exists(path: &str) -> std::io::Result<bool> {
    ANSWERS.with(|answers| match answers.borrow_mut().as_mut() {
        Some(answers) => match answers.lookup(path) {
            Some(answer) => Ok(answer),
            None => {
                let answer = stat(path)?;
                answers.paths.insert(path.into(), answer);
                Ok(answer)
            }
        },
        None => stat(path),
    })
}

fn stat(path: &str) -> std::io::Result<bool> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// The directory part and the name of a path whose last part names an entry of a listing
/// (not `.`, `..` or empty, as in `a/`, `a/.`).
fn split(path: &str) -> Option<(&str, &str)> {
    let (directory, name) = match last_slash(path.as_bytes()) {
        Some(0) => ("/", &path[1..]),
        Some(at) => (&path[..at], &path[at + 1..]),
        None => (".", path),
    };
    // Byte patterns: a string comparison is a call to memcmp at opt-level "z".
    if matches!(name.as_bytes(), [] | [b'.'] | [b'.', b'.']) {
        return None;
    }
    Some((directory, name))
}

/// The index of the last `/` in `bytes`. Eight bytes at a time, then a plain loop over the
/// last eight: `rposition` called its closure out of line at opt-level "z" and `rfind`'s
/// setup cost more (measured per path in /etc/nginx/certs: `rposition` 270 instructions, a
/// byte loop 198, this about 90).
fn last_slash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const SLASHES: u64 = u64::from_le_bytes([b'/'; 8]);
    let mut end = bytes.len();
    while end >= 8 {
        let Ok(chunk) = <[u8; 8]>::try_from(&bytes[end - 8..end]) else {
            break;
        };
        // A zero byte in `word` is a slash in the chunk (the classic "has a zero byte" test,
        // exact as a yes or no).
        let word = u64::from_le_bytes(chunk) ^ SLASHES;
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        end -= 8;
    }
    while end > 0 {
        if bytes[end - 1] == b'/' {
            return Some(end - 1);
        }
        end -= 1;
    }
    None
}

impl Answers {
    /// The answer without a `stat`, if the listings give one.
    fn lookup(&mut self, path: &str) -> Option<bool> {
        // The listing first: most paths asked about are not there.
        if let Some((directory, name)) = split(path) {
            let listing = match self.listings.get(directory) {
                Some(listing) => listing,
                None => self
                    .listings
                    .entry(directory.into())
                    .or_insert_with(|| list(directory)),
            };
            match listing {
                Listing::Missing => return Some(false),
                Listing::Names(names) if !names.contains(name) => return Some(false),
                Listing::Names(_) | Listing::Unknown => {}
            }
        }
        self.paths.get(path).copied()
    }
}

fn list(directory: &str) -> Listing {
    match std::fs::read_dir(directory) {
        Ok(entries) => {
            let mut names = HashSet::default();
            for entry in entries {
                match entry {
                    Ok(entry) => {
                        names.insert(entry.file_name().to_string_lossy().into());
                    }
                    Err(_) => return Listing::Unknown,
                }
            }
            Listing::Names(names)
        }
        Err(error) if error.kind() == ErrorKind::NotFound => Listing::Missing,
        Err(_) => Listing::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_listed_name() {
        assert_eq!(
            split("/etc/nginx/certs/a.crt"),
            Some(("/etc/nginx/certs", "a.crt"))
        );
        assert_eq!(split("/a"), Some(("/", "a")));
        assert_eq!(split("a"), Some((".", "a")));
        assert_eq!(split("a/"), None);
        assert_eq!(split("a/.."), None);
        assert_eq!(split("a/."), None);
        assert_eq!(split("/etc/nginx/certs/"), None);
        assert_eq!(
            split("/etc/nginx/vhost.d/a-very-long-host-name.example.com_location"),
            Some((
                "/etc/nginx/vhost.d",
                "a-very-long-host-name.example.com_location"
            ))
        );
        // Every position of the last slash, in paths around the eight-byte steps.
        for length in 0..40 {
            for slash in 0..length {
                let mut path = vec![b'x'; length];
                path[slash] = b'/';
                if slash > 3 {
                    path[slash - 3] = b'/';
                }
                assert_eq!(last_slash(&path), Some(slash), "{length} {slash}");
                path[slash] = b'\xaf';
                let want = (slash > 3).then(|| slash - 3);
                assert_eq!(last_slash(&path), want, "{length} {slash}");
            }
            assert_eq!(last_slash(&vec![b'/' ^ 0x80; length]), None);
        }
    }

    #[test]
    fn answers_in_a_scope_match_stat_and_last_for_the_scope() {
        let dir = std::env::temp_dir().join(format!("tinygen-stat-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("present"), "x").unwrap();
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("dangling")).unwrap();
        std::fs::write(dir.join("file"), "x").unwrap();
        let path = |name: &str| format!("{}/{name}", dir.display());
        let cases = [
            ("present", true),
            ("absent", false),
            ("dangling", false),
            ("sub", true),
            ("sub/", true),
            ("sub/..", true),
            ("missing-dir/x", false),
        ];
        {
            let _scope = Scope::start();
            for (name, want) in cases {
                assert_eq!(exists(&path(name)).unwrap(), want, "{name} in a scope");
            }
            // A file under a regular file is ENOTDIR for stat: an error, with or without scope.
            assert!(exists(&path("file/x")).is_err());
            // Within the scope the listing stands: a file created now is not seen yet.
            std::fs::write(dir.join("absent"), "x").unwrap();
            assert!(!exists(&path("absent")).unwrap());
        }
        // A new scope lists again.
        let _scope = Scope::start();
        assert!(exists(&path("absent")).unwrap());
        drop(_scope);
        for (name, want) in cases {
            let want = want || name == "absent";
            assert_eq!(exists(&path(name)).unwrap(), want, "{name} without a scope");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
