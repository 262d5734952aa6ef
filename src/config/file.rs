//! docker-gen's TOML config files (spec §2).

use super::TemplateConfig;
use crate::error::Result;
use std::path::PathBuf;

/// Loads config files into template entries.
pub fn load(_paths: &[PathBuf]) -> Result<Vec<TemplateConfig>> {
    Err(crate::error::Error::config(
        "config files are not implemented yet",
    ))
}
