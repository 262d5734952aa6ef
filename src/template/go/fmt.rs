//! Go's `fmt` printing of template values.

use crate::template::Value;

/// `fmt.Sprint` of one value (what `{{ . }}` prints).
pub fn sprint_value(value: &Value) -> String {
    format!("{value:?}")
}

/// `fmt.Sprint(values...)`: operands separated by a space when neither side is a string.
pub fn sprint(values: &[Value]) -> String {
    values
        .iter()
        .map(sprint_value)
        .collect::<Vec<_>>()
        .join(" ")
}
