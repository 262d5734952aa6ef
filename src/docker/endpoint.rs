//! Docker endpoint strings: parsing and validation exactly as docker-gen's `parseHost`
//! (spec §6.1). Pure: no I/O, no knowledge of TLS files or HTTP.

use crate::error::{Error, Result};
use std::fmt;
use std::path::PathBuf;

/// The socket used when the endpoint is `unix://` or empty.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Where the daemon listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix domain socket path.
    Unix(PathBuf),
    /// A TCP host and port (plain HTTP or TLS, decided by the TLS options).
    Tcp { host: String, port: u16 },
}

impl Endpoint {
    /// Parses an endpoint as `parseHost` does; errors name the endpoint:
    /// `bad endpoint "http://x": invalid bind address protocol`.
    pub fn parse(text: &str) -> Result<Endpoint> {
        let bad = |reason: &str| Error::docker(format!("bad endpoint {text:?}: {reason}"));
        let address = text.trim();
        if address == "tcp://" {
            return Err(bad("invalid bind address format"));
        }
        let tcp_address = if let Some(path) = address.strip_prefix("unix://") {
            let path = if path.is_empty() {
                DEFAULT_SOCKET
            } else {
                path
            };
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        } else if address.is_empty() {
            return Ok(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET)));
        } else if let Some(rest) = address.strip_prefix("tcp://") {
            rest
        } else if address.starts_with("fd://") {
            // docker-gen's parseHost lets `fd://` through and its client then rejects it.
            return Err(bad(
                "invalid bind address protocol (fd:// is not supported)",
            ));
        } else if address.contains("://") {
            return Err(bad("invalid bind address protocol"));
        } else {
            // A bare `host:port`; `unix:/path` (one slash) also lands here and fails below.
            address
        };
        let Some((host, port)) = tcp_address.split_once(':') else {
            return Err(bad("invalid bind address format"));
        };
        if port.contains(':') {
            return Err(bad("invalid bind address format"));
        }
        let port = match port.parse::<u16>() {
            Ok(port) if port != 0 => port,
            _ => return Err(bad("invalid bind address format")),
        };
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        Ok(Endpoint::Tcp {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for Endpoint {
    /// The canonical form: `unix:///var/run/docker.sock` or `tcp://host:port`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(path: &str) -> Endpoint {
        Endpoint::Unix(PathBuf::from(path))
    }

    fn tcp(host: &str, port: u16) -> Endpoint {
        Endpoint::Tcp {
            host: host.to_string(),
            port,
        }
    }

    fn error(text: &str) -> String {
        match Endpoint::parse(text) {
            Ok(endpoint) => panic!("{text:?} parsed as {endpoint:?}"),
            Err(error) => error.message,
        }
    }

    #[test]
    fn unix_forms() {
        assert_eq!(
            Endpoint::parse("unix:///var/run/docker.sock").unwrap(),
            unix("/var/run/docker.sock")
        );
        assert_eq!(
            Endpoint::parse("unix:///tmp/x.sock").unwrap(),
            unix("/tmp/x.sock")
        );
        assert_eq!(Endpoint::parse("unix://").unwrap(), unix(DEFAULT_SOCKET));
        assert_eq!(Endpoint::parse("").unwrap(), unix(DEFAULT_SOCKET));
        assert_eq!(
            Endpoint::parse("  unix:///a.sock ").unwrap(),
            unix("/a.sock")
        );
        assert!(matches!(
            Endpoint::parse("unix://").unwrap(),
            Endpoint::Unix(_)
        ));
    }

    #[test]
    fn tcp_forms() {
        assert_eq!(
            Endpoint::parse("tcp://10.0.0.1:2376").unwrap(),
            tcp("10.0.0.1", 2376)
        );
        assert_eq!(
            Endpoint::parse("tcp://docker.example:2375").unwrap(),
            tcp("docker.example", 2375)
        );
        assert_eq!(
            Endpoint::parse("tcp://:2375").unwrap(),
            tcp("127.0.0.1", 2375)
        );
        assert_eq!(
            Endpoint::parse("localhost:2375").unwrap(),
            tcp("localhost", 2375)
        );
        assert_eq!(Endpoint::parse(":4243").unwrap(), tcp("127.0.0.1", 4243));
        assert!(matches!(
            Endpoint::parse(":4243").unwrap(),
            Endpoint::Tcp { .. }
        ));
    }

    #[test]
    fn invalid_tcp_forms() {
        for text in [
            "tcp://",
            "tcp://host",
            "tcp://host:",
            "tcp://host:0",
            "tcp://host:70000",
            "tcp://host:x",
            "tcp://host:2375:1",
            "tcp://host:2375/path",
            "host",
            "host:2375:1",
            "unix:/var/run/docker.sock",
        ] {
            assert_eq!(
                error(text),
                format!("bad endpoint {text:?}: invalid bind address format"),
                "{text}"
            );
        }
    }

    #[test]
    fn other_protocols() {
        assert_eq!(
            error("http://x"),
            "bad endpoint \"http://x\": invalid bind address protocol"
        );
        assert_eq!(
            error("npipe:////./pipe/docker_engine"),
            "bad endpoint \"npipe:////./pipe/docker_engine\": invalid bind address protocol"
        );
        assert_eq!(
            error("https://x:1"),
            "bad endpoint \"https://x:1\": invalid bind address protocol"
        );
        assert!(error("fd://").contains("not supported"));
    }

    #[test]
    fn display_is_canonical() {
        assert_eq!(
            Endpoint::parse("unix://").unwrap().to_string(),
            "unix:///var/run/docker.sock"
        );
        assert_eq!(
            Endpoint::parse(":2375").unwrap().to_string(),
            "tcp://127.0.0.1:2375"
        );
    }
}
