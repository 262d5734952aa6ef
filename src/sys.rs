//! The few operating-system calls std does not offer: sending signals to processes and
//! process groups, and creating a pipe. This is the only module with `unsafe`; each block
//! says why it is sound. It never decides policy (whom to signal, when): callers do.

use std::fs::File;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Sends `signal` to the process `pid`.
///
/// Only positive PIDs are accepted: `kill(2)` reads 0 as "my process group" and -1 as "every
/// process I may signal", which a PID file with bad content must never reach.
pub fn kill(pid: i32, signal: i32) -> io::Result<()> {
    if pid <= 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid process ID {pid}"),
        ));
    }
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    let status = unsafe { libc::kill(pid, signal) };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sends `signal` to every process of the process group `pgid`.
///
/// Group IDs 0 and 1 are refused: 0 is our own group and 1 is init's.
pub fn kill_process_group(pgid: i32, signal: i32) -> io::Result<()> {
    if pgid <= 1 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid process group {pgid}"),
        ));
    }
    // SAFETY: kill(2) with a negative PID signals that process group; it takes plain
    // integers and touches no memory of ours.
    let status = unsafe { libc::kill(-pgid, signal) };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A pipe with both ends close-on-exec: (read end, write end).
///
/// `std::io::pipe` needs Rust 1.87, above this crate's `rust-version`.
pub fn pipe() -> io::Result<(File, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is a valid, writable array of two c_ints, which is what pipe2(2) fills.
    let status = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if status != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else; each
    // is wrapped exactly once and will be closed exactly once.
    let (read, write) = unsafe { (File::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((read, write))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::process::Command;

    #[test]
    fn kill_refuses_non_positive_pids() {
        assert_eq!(kill(0, 0).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(kill(-1, 0).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            kill_process_group(1, 0).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            kill_process_group(0, 0).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn kill_signals_a_child() {
        let mut child = Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn sleep");
        let pid = child.id() as i32;
        kill(pid, 0).expect("signal 0 probes a live process");
        kill(pid, libc::SIGTERM).expect("SIGTERM");
        let status = child.wait().expect("wait");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        // Reaped: the PID is gone now.
        assert_eq!(kill(pid, 0).unwrap_err().raw_os_error(), Some(libc::ESRCH));
    }

    #[test]
    fn pipe_carries_bytes() {
        let (mut read, write) = pipe().expect("pipe");
        let mut write = File::from(write);
        write.write_all(b"hello").expect("write");
        drop(write);
        let mut text = String::new();
        read.read_to_string(&mut text).expect("read");
        assert_eq!(text, "hello");
    }
}
