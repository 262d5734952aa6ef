//! The function interface shared by the executor and the function library: a function takes
//! its evaluated arguments and returns a value or an error message. It owns only the name
//! table; it must never evaluate template syntax (the executor does that).

use crate::template::Value;
use std::collections::HashMap;

/// A template function. Missing-key values arrive as `Value::Missing`; the error string
/// becomes `... error calling NAME: <msg>`.
pub type Func = fn(&[Value]) -> Result<Value, String>;

/// Name to function; later inserts override earlier ones (docker-gen overrides sprig overrides Go builtins).
#[derive(Clone, Default)]
pub struct FuncTable {
    map: HashMap<&'static str, Func>,
}

#[allow(dead_code)]
impl FuncTable {
    pub fn new() -> FuncTable {
        FuncTable {
            map: HashMap::new(),
        }
    }

    pub fn insert(&mut self, name: &'static str, func: Func) {
        self.map.insert(name, func);
    }

    pub fn get(&self, name: &str) -> Option<Func> {
        self.map.get(name).copied()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }
}
