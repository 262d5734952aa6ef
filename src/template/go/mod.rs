//! Go text/template: gotmpl's parser, tinygen's executor over `Value`. (Placeholder until
//! the executor lands.)

pub mod fmt;

use crate::error::{Error, Result};
use crate::template::Value;
use std::collections::HashMap;

pub type Func = fn(&[Value]) -> Result<Value, String>;

pub struct FuncTable {
    map: HashMap<&'static str, Func>,
}

impl FuncTable {
    pub fn new() -> FuncTable {
        FuncTable { map: HashMap::new() }
    }
    pub fn insert(&mut self, name: &'static str, func: Func) {
        self.map.insert(name, func);
    }
}

pub fn builtins(_table: &mut FuncTable) {}

pub struct GoTemplate;

impl GoTemplate {
    pub fn parse(files: &[(String, String)], _funcs: &FuncTable) -> Result<GoTemplate> {
        Err(Error::template(format!("{}: Go templates are not available yet", files[0].0)))
    }
    pub fn execute(&self, _root: &Value) -> Result<String> {
        Err(Error::template("Go templates are not available yet"))
    }
}
