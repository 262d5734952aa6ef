//! TLS policy and material for `tcp://` endpoints (spec §6.1): whether to use TLS, loading
//! the CA, client certificate and key from PEM files, and checking that the certificate and
//! key belong together before ureq sees them (ureq panics on a mismatch). Without the `tls`
//! feature it only decides, and reports that TLS is not built in.

use crate::config::TlsOptions;
#[cfg(feature = "tls")]
use crate::error::{Error, Result};

/// Whether a `tcp://` endpoint uses TLS: `-tlsverify`, or any of the three files exists.
pub fn wanted(options: &TlsOptions) -> bool {
    options.verify || options.ca_cert.is_file() || options.cert.is_file() || options.key.is_file()
}

/// Builds ureq's TLS configuration from the options (TLS already decided on).
#[cfg(feature = "tls")]
pub fn config(options: &TlsOptions) -> Result<ureq::tls::TlsConfig> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::sync::Arc;
    use ureq::tls::{ClientCert, RootCerts, TlsConfig, TlsProvider};

    let ca_exists = options.ca_cert.is_file();
    if options.verify && !ca_exists {
        return Err(Error::docker(format!(
            "{}: TLS verification was requested, but CA cert does not exist",
            options.ca_cert.display()
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut builder = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(provider.clone());

    if ca_exists {
        let certificates = read_certificates(&options.ca_cert)?;
        // ureq drops CA certificates it cannot parse without a word; check them here.
        let mut store = rustls::RootCertStore::empty();
        let (added, _ignored) = store
            .add_parsable_certificates(certificates.iter().map(|c| CertificateDer::from(c.der())));
        if added == 0 {
            return Err(Error::docker(format!(
                "{}: no usable CA certificate in the file",
                options.ca_cert.display()
            )));
        }
        builder = builder.root_certs(RootCerts::new_with_certs(&certificates));
    } else {
        // docker-gen: without a CA file the server certificate is not verified.
        builder = builder.disable_verification(true);
    }

    if options.cert.is_file() && options.key.is_file() {
        let chain = read_certificates(&options.cert)?;
        let key = read_key(&options.key)?;
        let chain_der: Vec<CertificateDer<'static>> = chain
            .iter()
            .map(|c| CertificateDer::from(c.der().to_vec()))
            .collect();
        let key_der = PrivateKeyDer::try_from(key.der().to_vec())
            .map_err(|error| Error::docker(format!("{}: {error}", options.key.display())))?;
        rustls::sign::CertifiedKey::from_der(chain_der, key_der, &provider).map_err(|error| {
            Error::docker(format!(
                "{} and {}: client certificate and key do not match: {error}",
                options.cert.display(),
                options.key.display()
            ))
        })?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    // Both a hostname and an IP address work as the server name; Docker's certificates
    // usually carry the IP address as a subject alternative name.
    Ok(builder.build())
}

#[cfg(feature = "tls")]
fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| Error::docker(format!("{}: {error}", path.display())))
}

#[cfg(feature = "tls")]
fn read_certificates(path: &std::path::Path) -> Result<Vec<ureq::tls::Certificate<'static>>> {
    use ureq::tls::PemItem;
    let pem = read_file(path)?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => {
                return Err(Error::docker(format!(
                    "{}: bad PEM: {error}",
                    path.display()
                )))
            }
        }
    }
    if certificates.is_empty() {
        return Err(Error::docker(format!(
            "{}: no certificate found",
            path.display()
        )));
    }
    Ok(certificates)
}

#[cfg(feature = "tls")]
fn read_key(path: &std::path::Path) -> Result<ureq::tls::PrivateKey<'static>> {
    use ureq::tls::PemItem;
    let pem = read_file(path)?;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::PrivateKey(key)) => return Ok(key),
            Ok(_) => {}
            Err(error) => {
                return Err(Error::docker(format!(
                    "{}: bad PEM: {error}",
                    path.display()
                )))
            }
        }
    }
    Err(Error::docker(format!(
        "{}: no private key found",
        path.display()
    )))
}
