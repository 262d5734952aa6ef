//! Templates: the one place that knows the engines. Go text/template (gotmpl's parser, our
//! executor and values in `go/`, the function library in `funcs/`) is the default;
//! tinytemplate (`tt.rs`) serves files ending in `.tt`. Both take the same context value.
//! Nothing here knows Docker beyond the `Value` it is given.

pub mod value;
pub mod go;
pub mod funcs;

pub use value::Value;
