//! Go text/template: gotmpl's parser, tinygen's executor over `Value`. (Placeholder until
//! the executor lands.)

pub mod fmt;
pub mod func;

pub use func::FuncTable;

use crate::error::{Error, Result};
use crate::template::Value;

pub fn builtins(_table: &mut FuncTable) {}

pub struct GoTemplate;

impl GoTemplate {
    pub fn parse(files: &[(String, String)], _funcs: &FuncTable) -> Result<GoTemplate> {
        Err(Error::template(format!(
            "{}: Go templates are not available yet",
            files[0].0
        )))
    }
    pub fn execute(&self, _root: &Value) -> Result<String> {
        Err(Error::template("Go templates are not available yet"))
    }
}
