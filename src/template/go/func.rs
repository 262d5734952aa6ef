//! The function interface shared by the executor and the function library: a function takes
//! its evaluated arguments and returns a value or an error message. It owns only the name
//! table; it must never evaluate template syntax (the executor does that).
//!
//! Each entry also carries what the executor needs to know about the name before calling it
//! (Go's argument count for a builtin, whether the executor runs it itself), worked out once
//! when the table is built so a call costs one hash lookup and no string comparisons.

use super::builtins::arity;
use crate::template::Value;
use rustc_hash::FxBuildHasher;
use std::collections::HashMap;

/// A template function. Missing-key values arrive as `Value::Missing`; the error string
/// becomes `... error calling NAME: <msg>`.
pub type Func = fn(&[Value]) -> Result<Value, String>;

/// What the executor does with a call of a name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Evaluate the arguments and call the function.
    Plain,
    /// `printf`: the first argument must be a string.
    Printf,
    /// `and`/`or`: short-circuit evaluation by the executor.
    And,
    Or,
    /// `call`: tinygen has no function values, so every call is an error.
    Call,
    /// docker-gen's `eval`: the executor runs a template of the set.
    Eval,
    /// sprig's `derivePassword`: the first parameter is a `uint32`, which the executor
    /// converts a number constant to.
    Uint32First,
}

/// One function of the table.
#[derive(Clone, Copy)]
pub struct Entry {
    pub func: Func,
    pub kind: Kind,
    /// Go's argument count for a builtin: `(fixed, variadic)`.
    pub arity: Option<(u8, bool)>,
}

/// Name to function; later inserts override earlier ones (docker-gen overrides sprig overrides Go builtins).
#[derive(Clone, Default)]
pub struct FuncTable {
    map: HashMap<&'static str, Entry, FxBuildHasher>,
}

#[allow(dead_code)]
impl FuncTable {
    pub fn new() -> FuncTable {
        FuncTable::default()
    }

    pub fn insert(&mut self, name: &'static str, func: Func) {
        let kind = match name {
            "printf" => Kind::Printf,
            "and" => Kind::And,
            "or" => Kind::Or,
            "call" => Kind::Call,
            "eval" => Kind::Eval,
            "derivePassword" => Kind::Uint32First,
            _ => Kind::Plain,
        };
        let entry = Entry {
            func,
            kind,
            arity: arity(name)
                .map(|(fixed, variadic)| (u8::try_from(fixed).unwrap_or(u8::MAX), variadic)),
        };
        self.map.insert(name, entry);
    }

    pub fn get(&self, name: &str) -> Option<Func> {
        self.entry(name).map(|entry| entry.func)
    }

    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.map.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }
}
