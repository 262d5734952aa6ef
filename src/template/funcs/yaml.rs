//! YAML (placeholder).
use crate::template::funcs::args::FuncResult;
use crate::template::Value;
pub fn from_yaml_fn(_values: &[Value]) -> FuncResult { Ok(Value::Nil) }
pub fn to_yaml_fn(_values: &[Value]) -> FuncResult { Ok(Value::Nil) }
pub fn must_from_yaml(_values: &[Value]) -> FuncResult { Ok(Value::Nil) }
pub fn must_to_yaml(_values: &[Value]) -> FuncResult { Ok(Value::Nil) }
