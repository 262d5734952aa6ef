//! Placeholder: the fake Docker daemon for the integration tests is written on another branch.
