//! A TLS front for the real Docker daemon: a server on 127.0.0.1 that requires a client
//! certificate and forwards each connection's bytes to the daemon's Unix socket, as a
//! daemon started with `--tlsverify -H tcp://...` would answer. The certificates come from
//! openssl (`Pki::make`), like the ones `docker` users generate.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`.
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    /// Makes the certificates with openssl; `Err` when openssl is not installed.
    pub fn make(dir: &Path) -> Result<Pki, String> {
        let run = |args: &[&str]| -> Result<(), String> {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .map_err(|error| format!("openssl is not installed: {error}"))?;
            assert!(
                output.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Ok(())
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=tinygen test CA",
        ]);
        run(&ca)?;
        // The client's files have the names docker uses: cert.pem and key.pem.
        for (name, key, extensions) in [
            (
                "server",
                "server-key.pem",
                "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
            ),
            (
                "cert",
                "key.pem",
                "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
            ),
        ] {
            let mut request = vec!["req"];
            request.extend(ec);
            let csr = format!("{name}.csr");
            request.extend(["-keyout", key, "-out", &csr, "-subj", "/CN=127.0.0.1"]);
            run(&request)?;
            let extfile = format!("{name}.ext");
            std::fs::write(dir.join(&extfile), extensions).unwrap();
            let pem = format!("{name}.pem");
            run(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "1",
                "-extfile",
                &extfile,
            ])?;
        }
        Ok(Pki {
            dir: dir.to_path_buf(),
        })
    }

    /// tinygen's flags for this PKI: `-tlsverify` with the CA, client certificate and key.
    pub fn flags(&self) -> Vec<String> {
        let path = |name: &str| self.dir.join(name).display().to_string();
        vec![
            "-tlsverify".to_string(),
            "-tlscacert".to_string(),
            path("ca.pem"),
            "-tlscert".to_string(),
            path("cert.pem"),
            "-tlskey".to_string(),
            path("key.pem"),
        ]
    }
}

/// Starts the front for `socket` with the server certificate of `pki`; returns its port.
/// It serves until the test process ends.
pub fn start(pki: &Pki, socket: &str) -> u16 {
    let pem = |name: &str| std::fs::read(pki.dir.join(name)).unwrap();
    let certificates = |name: &str| -> Vec<CertificateDer<'static>> {
        ureq::tls::parse_pem(&pem(name))
            .filter_map(|item| match item.unwrap() {
                ureq::tls::PemItem::Certificate(certificate) => {
                    Some(certificate.der().to_vec().into())
                }
                _ => None,
            })
            .collect()
    };
    let key = ureq::tls::PrivateKey::from_pem(&pem("server-key.pem")).unwrap();
    let key = PrivateKeyDer::try_from(key.der().to_vec()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for certificate in certificates("ca.pem") {
        roots.add(certificate).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(certificates("server.pem"), key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let socket = socket.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (config, socket) = (config.clone(), socket.clone());
            std::thread::spawn(move || forward(stream, config, &socket));
        }
    });
    port
}

/// Carries one connection: TLS records from the client to the daemon's socket and back.
/// Two threads share the TLS stream; the reading one waits in short slices so that the
/// writing one gets its turn.
fn forward(stream: TcpStream, config: Arc<rustls::ServerConfig>, socket: &str) {
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let Ok(daemon) = UnixStream::connect(socket) else {
        return;
    };
    stream
        .set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let tls = Arc::new(Mutex::new(rustls::StreamOwned::new(connection, stream)));
    let (mut to_daemon, mut from_daemon) = (daemon.try_clone().unwrap(), daemon);
    let back = {
        let tls = tls.clone();
        std::thread::spawn(move || {
            let mut buffer = vec![0; 16 * 1024];
            while let Ok(count) = from_daemon.read(&mut buffer) {
                if count == 0 {
                    break;
                }
                let mut tls = tls.lock().unwrap();
                if tls
                    .write_all(&buffer[..count])
                    .and_then(|()| tls.flush())
                    .is_err()
                {
                    break;
                }
            }
            let mut tls = tls.lock().unwrap();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        })
    };
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = tls.lock().unwrap().read(&mut buffer);
        match read {
            Ok(0) => break,
            Ok(count) => {
                if to_daemon.write_all(&buffer[..count]).is_err() {
                    break;
                }
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => break,
        }
    }
    let _ = to_daemon.shutdown(std::net::Shutdown::Both);
    let _ = back.join();
}
