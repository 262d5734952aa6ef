//! The function interface shared by the executor and the function library.
use crate::template::Value;
pub type Func = fn(&[Value]) -> Result<Value, String>;
/// Name to function; later inserts override earlier ones (docker-gen overrides sprig overrides Go builtins).
pub struct FuncTable { map: std::collections::HashMap<&'static str, Func> }
impl FuncTable {
    pub fn new() -> FuncTable { FuncTable { map: std::collections::HashMap::new() } }
    pub fn insert(&mut self, name: &'static str, func: Func) { self.map.insert(name, func); }
    pub fn get(&self, name: &str) -> Option<Func> { self.map.get(name).copied() }
    pub fn contains(&self, name: &str) -> bool { self.map.contains_key(name) }
}
