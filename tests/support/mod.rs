//! Helpers shared by the integration tests: a real Docker daemon (`docker`), an in-process
//! fake one (`fake_daemon`), a TLS front for the real one (`tls_proxy`), and release builds
//! for other targets (`build`).
//!
//! Every test crate includes this module with `mod support;` and uses only part of it, so
//! items unused by one crate are allowed to be dead there (`fake_daemon` says so itself).

#[allow(dead_code)]
pub mod build;
#[allow(dead_code)]
pub mod docker;
pub mod fake_daemon;
#[cfg(feature = "tls")]
#[allow(dead_code)]
pub mod tls_proxy;
