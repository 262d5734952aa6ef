//! Output: the only module that writes rendered files.
//!
//! It strips blank lines (spec §5.3), compares before writing, and replaces a dest atomically
//! (temp file in the same directory, fsync, rename) keeping the old file's mode and owner.
//! A dest that cannot be renamed over (a bind-mounted single file: EBUSY or EXDEV; a
//! directory that is not writable; an owner we cannot give the new file) is rewritten in
//! place instead, which keeps its inode. A symlinked dest is followed. It knows nothing of
//! templates, containers or notifications.

mod diff;

pub use diff::unified_diff;

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// What a write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The dest now holds the new content (or it went to stdout).
    Written,
    /// The dest already held exactly this content; nothing was written.
    Unchanged,
    /// The check refused the new content; the previous file was put back.
    Rejected(Error),
}

/// Validates a candidate that is in place at the given path.
pub type Check<'a> = &'a mut dyn FnMut(&Path) -> Result<()>;

/// One destination and what tinygen last wrote there.
#[derive(Debug)]
pub struct Output {
    dest: Option<PathBuf>,
    last: Option<Fingerprint>,
}

/// The state of a file right after tinygen wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    modified: Option<SystemTime>,
    size: u64,
    inode: u64,
    hash: u64,
}

impl Output {
    /// An output to `dest`, or to stdout when `None`.
    pub fn new(dest: Option<PathBuf>) -> Output {
        Output { dest, last: None }
    }

    /// The dest path, if any.
    pub fn dest(&self) -> Option<&Path> {
        self.dest.as_deref()
    }

    /// Writes `content` unless the dest already holds it. Stdout always counts as written.
    pub fn write(&mut self, content: &[u8]) -> Result<Outcome> {
        self.write_checked(content, None)
    }

    /// Like `write`, and when the content changed, runs `check` with the new file in place
    /// (so that a check such as `nginx -t` sees it where it will live). When the check fails
    /// the previous bytes are put back (atomically, same mode and owner; a dest that did not
    /// exist is removed) and the outcome is `Rejected`.
    pub fn write_checked(&mut self, content: &[u8], check: Option<Check<'_>>) -> Result<Outcome> {
        let Some(dest) = &self.dest else {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(content)
                .and_then(|()| stdout.flush())
                .map_err(|error| Error::io("stdout", error))?;
            return Ok(Outcome::Written);
        };
        let target = resolve_symlink(dest);
        let hash = hash(content);
        let metadata = match fs::metadata(&target) {
            Ok(metadata) => Some(metadata),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(Error::io(dest.display(), error)),
        };
        if let (Some(metadata), Some(last)) = (&metadata, self.last) {
            // Untouched since our last write and the same content: no need to read it.
            if last.hash == hash && Fingerprint::of(metadata, hash) == last {
                return Ok(Outcome::Unchanged);
            }
        }
        let current = match &metadata {
            Some(_) => fs::read(&target).map_err(|error| Error::io(dest.display(), error))?,
            // docker-gen compares a missing file as empty: empty output creates nothing.
            None => Vec::new(),
        };
        if current == content {
            self.last = metadata.map(|metadata| Fingerprint::of(&metadata, hash));
            return Ok(Outcome::Unchanged);
        }
        replace(&target, content, metadata.as_ref())
            .map_err(|error| Error::io(dest.display(), error))?;
        if let Some(check) = check {
            if let Err(error) = check(&target) {
                let restored = match &metadata {
                    Some(_) => replace(&target, &current, metadata.as_ref()),
                    None => fs::remove_file(&target),
                };
                restored.map_err(|restore| {
                    let message = format!("restoring the previous content: {restore}");
                    Error::io(dest.display(), io::Error::new(restore.kind(), message))
                })?;
                let previous = self::hash(&current);
                self.last = fs::metadata(&target)
                    .ok()
                    .map(|metadata| Fingerprint::of(&metadata, previous));
                return Ok(Outcome::Rejected(error));
            }
        }
        self.last = fs::metadata(&target)
            .ok()
            .map(|metadata| Fingerprint::of(&metadata, hash));
        Ok(Outcome::Written)
    }

    /// What the dest holds now (empty when it does not exist), for a dry run.
    pub fn current(&self) -> Result<Vec<u8>> {
        let Some(dest) = &self.dest else {
            return Ok(Vec::new());
        };
        match fs::read(resolve_symlink(dest)) {
            Ok(content) => Ok(content),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(error) => Err(Error::io(dest.display(), error)),
        }
    }
}

impl Fingerprint {
    fn of(metadata: &fs::Metadata, hash: u64) -> Fingerprint {
        Fingerprint {
            modified: metadata.modified().ok(),
            size: metadata.len(),
            inode: metadata.ino(),
            hash,
        }
    }
}

fn hash(content: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(content);
    hasher.finish()
}

/// The file a symlinked dest points to (followed to the end); the dest itself otherwise.
fn resolve_symlink(dest: &Path) -> PathBuf {
    let mut path = dest.to_path_buf();
    // A bounded walk: a symlink loop is left for the open to report.
    for _ in 0..40 {
        match fs::read_link(&path) {
            Ok(link) => {
                path = match path.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Err(_) => break,
        }
    }
    path
}

/// Replaces `target` with `content`: atomically when possible, in place otherwise.
fn replace(target: &Path, content: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    match write_atomically(target, content, existing) {
        Ok(()) => Ok(()),
        Err(error) if existing.is_some() && needs_in_place(&error) => {
            write_in_place(target, content)
        }
        Err(error) => Err(error),
    }
}

/// Errors after which rewriting the existing file in place still works: the dest is a mount
/// point (EBUSY), on another device than its directory (EXDEV), or its directory refuses a
/// new file (EACCES, EPERM, EROFS).
fn needs_in_place(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EBUSY | libc::EXDEV | libc::EACCES | libc::EPERM | libc::EROFS)
    )
}

fn write_atomically(
    target: &Path,
    content: &[u8],
    existing: Option<&fs::Metadata>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = directory.join(format!(
        ".{file_name}.tinygen-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    // New files get 0644 minus the umask, as docker-gen's os.WriteFile.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&temp)?;
    let result = (|| {
        if let Some(metadata) = existing {
            std::os::unix::fs::fchown(&file, Some(metadata.uid()), Some(metadata.gid()))?;
            file.set_permissions(fs::Permissions::from_mode(metadata.mode() & 0o7777))?;
        }
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
        return result;
    }
    // Make the rename itself durable; a directory that cannot be synced is not an error.
    if let Ok(directory) = File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// Truncates and rewrites the file itself (same inode, mode and owner).
fn write_in_place(target: &Path, content: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).truncate(true).open(target)?;
    file.write_all(content)?;
    file.sync_all()
}

/// Drops lines made only of whitespace (Unicode `IsSpace`), keeping other lines byte for
/// byte, `\r\n` included (spec §5.3).
pub fn remove_blank_lines(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut kept = String::with_capacity(text.len());
    // One pass over the bytes with plain loops (at opt-level "z" `find` and `split_inclusive`
    // cost about 200 instructions per line of nginx-proxy's output); runs of kept lines are
    // copied at once.
    let (mut run, mut at) = (0, 0);
    while at < bytes.len() {
        // Whether the line so far is ASCII whitespace, has a visible ASCII character, or
        // has non-ASCII characters to be judged as characters (Unicode spaces).
        let (mut visible, mut unicode) = (false, false);
        let mut end = at;
        while end < bytes.len() && !visible {
            match bytes[end] {
                b'\n' => break,
                b'\t' | 0x0B | 0x0C | b'\r' | b' ' => {}
                0x80.. => unicode = true,
                _ => visible = true,
            }
            end += 1;
        }
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
        }
        end = (end + 1).min(bytes.len());
        let blank = !visible && (!unicode || text[at..end].chars().all(is_go_space));
        if blank {
            kept.push_str(&text[run..at]);
            run = end;
        }
        at = end;
    }
    kept.push_str(&text[run..]);
    kept
}

/// Go's `unicode.IsSpace`.
fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    ) || (c > '\u{FF}' && c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::process::Command;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn temp_dir(name: &str) -> PathBuf {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tinygen-output-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn blank_lines_follow_docker_gen() {
        assert_eq!(remove_blank_lines("\n\n\n\nline1\n\nline2"), "line1\nline2");
        assert_eq!(remove_blank_lines("line1\n"), "line1\n");
        assert_eq!(remove_blank_lines("\r\n\r\n"), "");
        assert_eq!(remove_blank_lines("a\r\n \t\n\u{a0}\u{2003}\nb"), "a\r\nb");
        assert_eq!(remove_blank_lines("  x  \n"), "  x  \n");
        assert_eq!(remove_blank_lines(""), "");
        // Non-ASCII lines are decided by characters; a blank last line without its newline
        // goes too.
        assert_eq!(remove_blank_lines("é\n\u{a0}x\n\u{3000}\n"), "é\n\u{a0}x\n");
        assert_eq!(remove_blank_lines("a\n  "), "a\n");
        assert_eq!(remove_blank_lines("a\nb\n\nc\nd"), "a\nb\nc\nd");
    }

    #[test]
    fn writes_new_file_then_skips_unchanged_content() {
        let dir = temp_dir("unchanged");
        let dest = dir.join("out.conf");
        let mut output = Output::new(Some(dest.clone()));
        assert_eq!(output.write(b"one\n").unwrap(), Outcome::Written);
        assert_eq!(fs::read(&dest).unwrap(), b"one\n");
        assert_eq!(
            fs::metadata(&dest).unwrap().mode() & 0o777,
            0o644 & !current_umask()
        );
        let before = fs::metadata(&dest).unwrap();
        assert_eq!(output.write(b"one\n").unwrap(), Outcome::Unchanged);
        // A fresh Output (a new process) compares bytes and still does not rewrite.
        assert_eq!(
            Output::new(Some(dest.clone())).write(b"one\n").unwrap(),
            Outcome::Unchanged
        );
        let after = fs::metadata(&dest).unwrap();
        assert_eq!(
            (before.ino(), before.modified().unwrap()),
            (after.ino(), after.modified().unwrap())
        );
        assert_eq!(output.write(b"two\n").unwrap(), Outcome::Written);
        assert_eq!(fs::read(&dest).unwrap(), b"two\n");
    }

    #[test]
    fn notices_a_dest_changed_behind_its_back() {
        let dir = temp_dir("external");
        let dest = dir.join("out");
        let mut output = Output::new(Some(dest.clone()));
        output.write(b"ours\n").unwrap();
        fs::write(&dest, b"someone else's longer text\n").unwrap();
        assert_eq!(output.write(b"ours\n").unwrap(), Outcome::Written);
        assert_eq!(fs::read(&dest).unwrap(), b"ours\n");
    }

    #[test]
    fn empty_output_does_not_create_the_dest() {
        let dir = temp_dir("empty");
        let dest = dir.join("never");
        assert_eq!(
            Output::new(Some(dest.clone())).write(b"").unwrap(),
            Outcome::Unchanged
        );
        assert!(!dest.exists());
    }

    #[test]
    fn keeps_mode_and_owner() {
        let dir = temp_dir("mode");
        let dest = dir.join("secret.conf");
        fs::write(&dest, b"old").unwrap();
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o600)).unwrap();
        let owner = (1234, 2345);
        let is_root = fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        if is_root {
            std::os::unix::fs::chown(&dest, Some(owner.0), Some(owner.1)).unwrap();
        }
        let inode = fs::metadata(&dest).unwrap().ino();
        Output::new(Some(dest.clone())).write(b"new").unwrap();
        let metadata = fs::metadata(&dest).unwrap();
        assert_eq!(metadata.mode() & 0o7777, 0o600);
        assert_ne!(
            metadata.ino(),
            inode,
            "an ordinary file is replaced by rename"
        );
        if is_root {
            assert_eq!((metadata.uid(), metadata.gid()), owner);
        }
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "temp files left behind: {leftovers:?}");
    }

    #[test]
    fn follows_a_symlinked_dest() {
        let dir = temp_dir("symlink");
        fs::create_dir(dir.join("real")).unwrap();
        let target = dir.join("real/target.conf");
        fs::write(&target, b"old").unwrap();
        let link = dir.join("link.conf");
        symlink("real/target.conf", &link).unwrap();
        Output::new(Some(link.clone())).write(b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn readers_never_see_a_partial_file() {
        let dir = temp_dir("atomic");
        let dest = dir.join("big.conf");
        let first = vec![b'a'; 512 * 1024];
        let second = vec![b'b'; 256 * 1024];
        fs::write(&dest, &first).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (dest, done, first, second) =
                (dest.clone(), done.clone(), first.clone(), second.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::Relaxed) {
                    let content = fs::read(&dest).unwrap();
                    assert!(
                        content == first || content == second,
                        "partial read of {} bytes",
                        content.len()
                    );
                    reads += 1;
                }
                reads
            })
        };
        let mut output = Output::new(Some(dest.clone()));
        for round in 0..60 {
            output
                .write(if round % 2 == 0 { &second } else { &first })
                .unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    }

    #[test]
    fn rewrites_a_bind_mounted_file_in_place() {
        let is_root = fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        if !is_root {
            eprintln!("skipped: bind mounts need root");
            return;
        }
        let dir = temp_dir("bind");
        let source = dir.join("host.conf");
        let dest = dir.join("mounted.conf");
        fs::write(&source, b"old\n").unwrap();
        fs::write(&dest, b"").unwrap();
        let status = Command::new("mount")
            .arg("--bind")
            .arg(&source)
            .arg(&dest)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mount --bind failed: tinygen's tests run as root and need bind mounts"
        );
        let result = Output::new(Some(dest.clone())).write(b"new content\n");
        let read_back = fs::read(&source);
        let _ = Command::new("umount").arg(&dest).status();
        assert_eq!(result.unwrap(), Outcome::Written);
        assert_eq!(
            read_back.unwrap(),
            b"new content\n",
            "the bind-mount source must see the new content"
        );
    }

    #[test]
    fn unwritable_dest_is_an_error_naming_it_and_leaves_the_file() {
        let dir = temp_dir("unwritable");
        let dest = dir.join("sub");
        fs::create_dir(&dest).unwrap();
        let error = Output::new(Some(dest.clone())).write(b"x").unwrap_err();
        assert!(
            error.message.starts_with(&dest.display().to_string()),
            "{error}"
        );
        assert!(dest.is_dir());
    }

    #[test]
    fn a_failed_check_restores_the_previous_file() {
        let dir = temp_dir("check");
        let dest = dir.join("site.conf");
        fs::write(&dest, b"good\n").unwrap();
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o640)).unwrap();
        let mut output = Output::new(Some(dest.clone()));
        let mut seen = Vec::new();
        let mut refuse = |path: &Path| {
            seen.push(fs::read(path).unwrap());
            Err(Error::new(crate::error::ErrorKind::Io, "check failed"))
        };
        let outcome = output.write_checked(b"bad\n", Some(&mut refuse)).unwrap();
        assert!(matches!(outcome, Outcome::Rejected(_)));
        assert_eq!(
            seen,
            [b"bad\n".to_vec()],
            "the check sees the candidate at the real path"
        );
        assert_eq!(fs::read(&dest).unwrap(), b"good\n");
        assert_eq!(fs::metadata(&dest).unwrap().mode() & 0o777, 0o640);
        let mut accept = |_: &Path| Ok(());
        assert_eq!(
            output
                .write_checked(b"better\n", Some(&mut accept))
                .unwrap(),
            Outcome::Written
        );
        assert_eq!(fs::read(&dest).unwrap(), b"better\n");
        // A rejected first file leaves nothing behind.
        let fresh = dir.join("fresh.conf");
        let mut refuse = |_: &Path| Err(Error::new(crate::error::ErrorKind::Io, "no"));
        let outcome = Output::new(Some(fresh.clone()))
            .write_checked(b"x\n", Some(&mut refuse))
            .unwrap();
        assert!(matches!(outcome, Outcome::Rejected(_)));
        assert!(!fresh.exists());
    }

    #[test]
    fn unified_diff_names_the_dest() {
        let diff = unified_diff("/etc/hosts", "a\nb\nc\n", "a\nB\nc\n");
        assert!(
            diff.starts_with("--- /etc/hosts (current)\n+++ /etc/hosts (new)\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+B\n"), "{diff}");
    }

    fn current_umask() -> u32 {
        let probe = temp_dir("umask").join("probe");
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o777)
            .open(&probe)
            .unwrap();
        !fs::metadata(&probe).unwrap().mode() & 0o777
    }
}
