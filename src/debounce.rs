//! debounce (in progress).
