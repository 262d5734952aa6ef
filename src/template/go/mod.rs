//! Go text/template: gotmpl's parser, tinygen's executor over `Value`.

pub mod fmt;
pub mod func;
