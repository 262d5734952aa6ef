//! `-wait min[:max]` and Go durations (spec §2.1 `ParseWait`).

use std::time::Duration;

/// Debounce bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wait {
    pub min: Duration,
    pub max: Duration,
}

/// Parses `min[:max]`; empty text gives a zero wait.
pub fn parse_wait(_text: &str) -> Result<Wait, String> {
    Err("not implemented".to_string())
}
