//! context (in progress).
