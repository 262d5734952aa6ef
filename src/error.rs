//! The one error type of tinygen: a kind that decides the exit status, and a message that
//! starts with the thing it concerns (a file with line and column, an endpoint, a flag).

use std::fmt;

/// What went wrong, as far as the process exit status is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad flag or flag value (Go's flag package exits 2).
    Usage,
    /// A config file, environment variable or cross-flag rule that cannot be honoured.
    Config,
    /// The Docker endpoint: unreachable, bad answer, bad TLS material.
    Docker,
    /// A template that fails to load, parse or execute.
    Template,
    /// Reading or writing a file, running a command.
    Io,
}

/// An error with its kind and a message that names what it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    pub fn docker(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Docker, message)
    }

    pub fn template(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Template, message)
    }

    /// An I/O error about `path`: `path: message`.
    pub fn io(path: impl fmt::Display, error: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("{path}: {error}"))
    }

    /// The process exit status for this error (spec §1.5).
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Usage => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
