//! ureq over a Unix domain socket: a connector that opens `std::os::unix::net::UnixStream`,
//! its transport, and a resolver that skips DNS (requests carry the placeholder authority
//! `docker`). Knows nothing of the Engine API.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::{fmt, time};

use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
};

/// Opens a new connection to the socket at `path` for every pooled connection ureq asks for.
pub struct UnixConnector {
    pub path: PathBuf,
}

impl fmt::Debug for UnixConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixConnector")
            .field("path", &self.path)
            .finish()
    }
}

impl Connector<()> for UnixConnector {
    type Out = UnixTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<UnixTransport>, ureq::Error> {
        // A local connect either succeeds at once or fails at once (ENOENT, ECONNREFUSED,
        // EAGAIN when the backlog is full), so the connect timeout needs no enforcing here.
        let stream = UnixStream::connect(&self.path)?;
        let config = details.config;
        let transport = UnixTransport {
            stream: Arc::new(SharedStream(stream)),
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
        };
        // Registering lets `Agent::shutdown` close this socket from another thread.
        (details.register_shutdown)(Arc::downgrade(&transport.stream) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(transport))
    }
}

/// The socket, shared with ureq's shutdown registry.
struct SharedStream(UnixStream);

impl ShutdownHandle for SharedStream {
    fn shutdown(&self) {
        // An error means the socket is already closed.
        let _ = self.0.shutdown(std::net::Shutdown::Both);
    }
}

/// One open connection to the daemon's socket.
pub struct UnixTransport {
    stream: Arc<SharedStream>,
    buffers: LazyBuffers,
    read_timeout: Option<time::Duration>,
    write_timeout: Option<time::Duration>,
}

impl fmt::Debug for UnixTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixTransport").finish()
    }
}

/// The remaining time budget as a socket timeout; `None` blocks forever.
fn socket_timeout(timeout: NextTimeout) -> Result<Option<time::Duration>, ureq::Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|duration| *duration))
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl Transport for UnixTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let duration = socket_timeout(timeout)?;
        if duration != self.write_timeout {
            self.stream.0.set_write_timeout(duration)?;
            self.write_timeout = duration;
        }
        let output = &self.buffers.output()[..amount];
        match (&self.stream.0).write_all(output) {
            Ok(()) => Ok(()),
            Err(error) if is_timeout(&error) => Err(ureq::Error::Timeout(timeout.reason)),
            Err(error) => Err(error.into()),
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let duration = socket_timeout(timeout)?;
        if duration != self.read_timeout {
            self.stream.0.set_read_timeout(duration)?;
            self.read_timeout = duration;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&self.stream.0).read(input) {
                Ok(amount) => break amount,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) if is_timeout(&error) => {
                    return Err(ureq::Error::Timeout(timeout.reason))
                }
                Err(error) => return Err(error.into()),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // A pooled connection is reusable when a non-blocking read finds nothing waiting:
        // data or EOF means the daemon closed it or sent something unasked.
        let stream = &self.stream.0;
        if stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8; 1];
        let open = matches!((&*stream).read(&mut byte), Err(error) if error.kind() == io::ErrorKind::WouldBlock);
        open && stream.set_nonblocking(false).is_ok()
    }
}

/// A resolver that never resolves: the connector ignores addresses on Unix sockets.
#[derive(Debug, Default)]
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(
        &self,
        _uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addresses = self.empty();
        // ureq expects at least one address; this one is never dialled.
        addresses.push(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        Ok(addresses)
    }
}
