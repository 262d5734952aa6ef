//! Go text/template's builtin functions over `Value`: `not len index print printf println
//! html js urlquery eq ne lt le gt ge`, with Go's error texts. `and`, `or`, `call` and
//! docker-gen's `eval` are registered here so parsing knows them, but the executor runs them
//! (they need unevaluated arguments or the template set). `slice` is left out: docker-gen replaces it with sprig's.
//!
//! It owns the builtins' semantics and must never touch template syntax or variables.

use super::fmt::{is_print, printable_sprint, sprint, sprintf, sprintln};
use super::func::{Func, FuncTable};
use crate::template::value::is_interface_elem;
use crate::template::Value;

/// The builtins the executor runs itself; registered here so that parsing knows them.
pub(super) const EXECUTOR_FUNCS: [&str; 4] = ["and", "or", "call", "eval"];

/// Registers the plain Go builtins (and the executor-run names) into `table`.
#[allow(dead_code)]
pub fn builtins(table: &mut FuncTable) {
    let plain: [(&'static str, Func); 15] = [
        ("not", not),
        ("len", len),
        ("index", index),
        ("print", print),
        ("printf", printf),
        ("println", println),
        ("html", html),
        ("js", js),
        ("urlquery", urlquery),
        ("eq", eq),
        ("ne", ne),
        ("lt", lt),
        ("le", le),
        ("gt", gt),
        ("ge", ge),
    ];
    for (name, func) in plain {
        table.insert(name, func);
    }
    for name in EXECUTOR_FUNCS {
        table.insert(name, executor_only);
    }
}

/// How many arguments the executor checks a name's function for, `(fixed, variadic)`, so
/// that the error names the function as called: Go's builtins, and the sprig and docker-gen
/// aliases whose implementation tinygen shares with another name (`json` is `mustToJson`,
/// `osBase` is `base`, ...). `None` for other names (their functions check themselves).
pub(super) fn arity(name: &str) -> Option<(usize, bool)> {
    Some(match name {
        "not" | "len" => (1, false),
        "ne" | "lt" | "le" | "gt" | "ge" => (2, false),
        "index" | "printf" | "eq" | "and" | "or" | "call" | "eval" => (1, true),
        "print" | "println" | "html" | "js" | "urlquery" => (0, true),
        "json" | "parseJson" | "sha1" | "osBase" | "osClean" | "osDir" | "osExt" | "osIsAbs"
        | "sprigDir" | "mustCompact" | "mustDeepCopy" | "mustFirst" | "mustInitial"
        | "mustLast" | "mustRest" | "mustReverse" | "mustUniq" => (1, false),
        "date_modify" | "must_date_modify" | "mustAppend" | "mustChunk" | "mustHas"
        | "mustPrepend" | "sprigContains" | "sprigSplit" | "trimall" => (2, false),
        "date_in_zone" | "sprigReplace" | "sprigSplitn" => (3, false),
        // Its first argument is converted by the executor, after Go's count check.
        "derivePassword" => (5, false),
        _ => return None,
    })
}

fn executor_only(_: &[Value]) -> Result<Value, String> {
    Err("must be run by the template executor".to_string())
}

fn not(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(!args.first().is_some_and(Value::is_true)))
}

fn len(args: &[Value]) -> Result<Value, String> {
    let length = match args.first().unwrap_or(&Value::Missing) {
        Value::Missing => {
            return Err("reflect: call of reflect.Value.Type on zero Value".to_string())
        }
        Value::Nil | Value::NilPointer(_) => return Err("len of nil pointer".to_string()),
        Value::Str(text) => text.len(),
        Value::List(list) => list.items.len(),
        Value::Map(map) => map.entries.len(),
        Value::Containers(containers) => containers.items.len(),
        // Go's `indirect` first: a pointer's error names the struct.
        other => {
            let type_name = other.go_type();
            return Err(format!("len of type {}", type_name.trim_start_matches('*')));
        }
    };
    Ok(Value::Int(length as i64))
}

/// Go's `indexArg`: an int index checked against `cap` (note: `cap` itself passes).
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let number = match index {
        Value::Int(number) => *number,
        Value::Named(named) => named.number,
        Value::Nil | Value::Missing => return Err("cannot index slice/array with nil".to_string()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.go_type()
            ))
        }
    };
    if number < 0 || number as u64 > cap as u64 {
        return Err(format!("index out of range: {number}"));
    }
    Ok(number as usize)
}

fn index(args: &[Value]) -> Result<Value, String> {
    let Some((first, indexes)) = args.split_first() else {
        return Err("index of untyped nil".to_string());
    };
    let mut item = first.clone();
    if matches!(item, Value::Nil | Value::Missing) {
        return Err("index of untyped nil".to_string());
    }
    for index in indexes {
        item = match &item {
            Value::Nil | Value::Missing | Value::NilPointer(_) => {
                return Err("index of nil pointer".to_string())
            }
            Value::List(list) => {
                let at = index_arg(index, list.items.len())?;
                let element = list
                    .items
                    .get(at)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?;
                from_interface(element, list.elem)
            }
            Value::Containers(containers) => {
                let at = index_arg(index, containers.items.len())?;
                containers
                    .items
                    .get(at)
                    .cloned()
                    .ok_or("reflect: slice index out of range")?
            }
            Value::Str(text) => {
                let at = index_arg(index, text.len())?;
                let byte = text
                    .as_bytes()
                    .get(at)
                    .ok_or("reflect: string index out of range")?;
                Value::Int(i64::from(*byte))
            }
            Value::Map(map) => {
                let key = match index {
                    Value::Str(key) => key,
                    Value::Nil | Value::Missing => {
                        return Err("value is nil; should be of type string".to_string())
                    }
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.go_type()
                        ))
                    }
                };
                match map.entries.get(key) {
                    Some(found) => from_interface(found.clone(), map.elem),
                    None => Value::zero_of(map.elem),
                }
            }
            // Go's `indirect` first: a pointer's error names the struct.
            other => {
                let type_name = other.go_type();
                let type_name = type_name.trim_start_matches('*');
                return Err(format!("can't index item of type {type_name}"));
            }
        };
    }
    Ok(item)
}

/// A nil held in an `interface{}` slot is Go's invalid value once taken out.
#[inline(always)]
pub(super) fn from_interface(value: Value, elem: &str) -> Value {
    match value {
        Value::Nil if is_interface_elem(elem) => Value::Missing,
        other => other,
    }
}

fn print(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(sprint(args)))
}

fn println(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(sprintln(args)))
}

fn printf(args: &[Value]) -> Result<Value, String> {
    match args.split_first() {
        Some((Value::Str(format), rest)) => {
            Ok(printf_strings(format, rest).unwrap_or_else(|| Value::str(sprintf(format, rest))))
        }
        Some((other, _)) => Err(format!(
            "wrong type for value; expected string; got {}",
            other.go_type()
        )),
        None => Err("wrong number of args for printf: want at least 1 got 0".to_string()),
    }
}

/// `printf` of a short format whose verbs are all `%s` with a string argument each (file
/// names and `%s-%s` in nginx-proxy's template), written on the stack and copied once into
/// the result; `None` for anything else, which goes through `sprintf`. Measured: 1027
/// instructions per call through `sprintf` and a `String`.
fn printf_strings(format: &str, args: &[Value]) -> Option<Value> {
    // Room for nginx-proxy's longest paths (a host name and a location's hash); clearing a
    // larger buffer costs on every call.
    let mut buffer = [0u8; 128];
    let mut length = 0;
    let mut append = |piece: &[u8]| -> Option<()> {
        buffer
            .get_mut(length..length + piece.len())?
            .copy_from_slice(piece);
        length += piece.len();
        Some(())
    };
    let bytes = format.as_bytes();
    let mut next = 0;
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        if bytes[at] != b'%' {
            at += 1;
            continue;
        }
        let Some(Value::Str(text)) = args.get(next) else {
            return None;
        };
        if bytes.get(at + 1) != Some(&b's') {
            return None;
        }
        append(&bytes[start..at])?;
        append(text.as_bytes())?;
        next += 1;
        at += 2;
        start = at;
    }
    append(&bytes[start..])?;
    // Arguments left over are Go's `%!(EXTRA ...)`: `sprintf` writes those.
    if next != args.len() {
        return None;
    }
    let text = std::str::from_utf8(&buffer[..length]).ok()?;
    Some(Value::str(text))
}

/// Go's `evalArgs`: one string as is, otherwise `fmt.Sprint` with nil shown as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::Str(text)] = args {
        return text.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|arg| match arg {
            Value::Nil | Value::Missing => Value::str("<no value>"),
            other => other.clone(),
        })
        .collect();
    printable_sprint(&printable)
}

/// Go's `HTMLEscapeString`.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

/// Go's `JSEscapeString`.
pub fn js_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn html(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(html_escape(&eval_args(args))))
}

fn js(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(js_escape(&eval_args(args))))
}

fn urlquery(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(query_escape(&eval_args(args))))
}

/// Go's comparison kinds; `Invalid` is nil, `Other` any non-basic type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Invalid,
    Other,
}

fn basic_kind(value: &Value) -> Kind {
    match value {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Named(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        Value::Nil | Value::Missing => Kind::Invalid,
        _ => Kind::Other,
    }
}

/// Go's reflect kind name, for deciding whether two non-basic values can be compared.
fn reflect_kind(value: &Value) -> &'static str {
    match value {
        Value::Nil | Value::Missing => "invalid",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Record(record) if record.is_pointer() => "ptr",
        Value::Containers(_) | Value::NilPointer(_) => "ptr",
        Value::Record(_) | Value::Time(_) => "struct",
        _ => "basic",
    }
}

fn is_nil(value: &Value) -> bool {
    match value {
        Value::Nil | Value::Missing | Value::NilPointer(_) => true,
        Value::List(list) => list.is_nil,
        Value::Map(map) => map.is_nil,
        _ => false,
    }
}

/// `==` of two Go values of the same non-basic kind.
fn equal_other(left: &Value, right: &Value) -> Result<bool, String> {
    match (left, right) {
        (Value::Record(a), Value::Record(b)) if a.is_pointer() || b.is_pointer() => {
            Ok(std::rc::Rc::ptr_eq(a, b))
        }
        (Value::Containers(a), Value::Containers(b)) => Ok(std::rc::Rc::ptr_eq(a, b)),
        (Value::Time(a), Value::Time(b)) => Ok(a == b),
        (Value::Record(a), Value::Record(b)) => {
            if a.type_name != b.type_name {
                return Ok(false);
            }
            for ((_, x), (_, y)) in a.fields.iter().zip(b.fields.iter()) {
                let same = match (basic_kind(x), basic_kind(y)) {
                    (Kind::Other, Kind::Other) => equal_other(x, y)?,
                    (kx, ky) if kx == ky => basic_equal(x, y),
                    _ => false,
                };
                if !same {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Err(format!(
            "non-comparable type {}: {}",
            sprintf("%s", std::slice::from_ref(right)),
            right.go_type()
        )),
    }
}

fn basic_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        (a, b) => match (int_of(a), int_of(b)) {
            (Some(a), Some(b)) => a == b,
            _ => is_nil(a) && is_nil(b),
        },
    }
}

/// Go's `eq arg1 arg2...`: true when arg1 equals any of the others.
fn eq(args: &[Value]) -> Result<Value, String> {
    // Two strings, the template's usual comparison, without the kind checks (measured: 118 ->
    // 73 instructions per call).
    if let [Value::Str(first), Value::Str(other)] = args {
        return Ok(Value::Bool(first == other));
    }
    let Some((first, others)) = args.split_first() else {
        return Err("missing argument for comparison".to_string());
    };
    if others.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    // Go's `basicKind` puts nil and the non-basic kinds together: nil compares with a nil
    // pointer, map or slice; only two valid values of different kinds are an error.
    let group = |kind| match kind {
        Kind::Invalid => Kind::Other,
        other => other,
    };
    let first_kind = basic_kind(first);
    for other in others {
        let other_kind = basic_kind(other);
        let truth = if group(first_kind) != group(other_kind) {
            if first_kind != Kind::Invalid && other_kind != Kind::Invalid {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    first.go_type(),
                    other.go_type()
                ));
            }
            false
        } else if group(first_kind) == Kind::Other {
            let can_compare = reflect_kind(first) == reflect_kind(other)
                || first_kind == Kind::Invalid
                || other_kind == Kind::Invalid;
            if !can_compare {
                return Err(format!(
                    "non-comparable types {}: {}, {}: {}",
                    sprintf("%s", std::slice::from_ref(first)),
                    first.go_type(),
                    other.go_type(),
                    sprintf("%v", std::slice::from_ref(other))
                ));
            }
            if is_nil(first) || is_nil(other) {
                is_nil(first) == is_nil(other)
            } else {
                equal_other(first, other)?
            }
        } else {
            basic_equal(first, other)
        };
        if truth {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(args: &[Value]) -> Result<Value, String> {
    let equal = eq(args)?;
    Ok(Value::Bool(!equal.is_true()))
}

fn two(args: &[Value]) -> (&Value, &Value) {
    (
        args.first().unwrap_or(&Value::Missing),
        args.get(1).unwrap_or(&Value::Missing),
    )
}

/// Go's `lt`: basic kinds only, both of the same kind.
fn less(left: &Value, right: &Value) -> Result<bool, String> {
    let (left_kind, right_kind) = (basic_kind(left), basic_kind(right));
    for kind in [left_kind, right_kind] {
        if matches!(kind, Kind::Invalid | Kind::Other) {
            return Err("invalid type for comparison".to_string());
        }
    }
    if left_kind != right_kind {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            left.go_type(),
            right.go_type()
        ));
    }
    match (left, right) {
        (Value::Float(a), Value::Float(b)) => Ok(a < b),
        (Value::Str(a), Value::Str(b)) => Ok(a.as_bytes() < b.as_bytes()),
        (a, b) => match (int_of(a), int_of(b)) {
            (Some(a), Some(b)) => Ok(a < b),
            _ => Err("invalid type for comparison".to_string()),
        },
    }
}

/// The integer of a value of Go's int kind (an `int` or a named type like `time.Month`).
fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Int(number) => Some(*number),
        Value::Named(named) => Some(named.number),
        _ => None,
    }
}

fn lt(args: &[Value]) -> Result<Value, String> {
    let (left, right) = two(args);
    Ok(Value::Bool(less(left, right)?))
}

fn le(args: &[Value]) -> Result<Value, String> {
    let (left, right) = two(args);
    if less(left, right)? {
        return Ok(Value::Bool(true));
    }
    eq(&[left.clone(), right.clone()])
}

fn gt(args: &[Value]) -> Result<Value, String> {
    let lower_or_equal = le(args)?;
    Ok(Value::Bool(!lower_or_equal.is_true()))
}

fn ge(args: &[Value]) -> Result<Value, String> {
    let (left, right) = two(args);
    Ok(Value::Bool(!less(left, right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_of_strings_matches_sprintf() {
        let text = |value: Value| match value {
            Value::Str(text) => text.to_string(),
            other => panic!("not a string: {other:?}"),
        };
        let long = "x".repeat(130);
        let cases: [(&str, Vec<Value>); 9] = [
            ("/etc/nginx/certs/%s.crt", vec![Value::str("a.example")]),
            ("%s-%s", vec![Value::str("é"), Value::str("")]),
            ("[%s]", vec![Value::str("::1")]),
            ("plain", vec![]),
            ("%s %s", vec![Value::str("one")]),
            ("%s", vec![Value::str("a"), Value::str("b")]),
            ("%d%%%s", vec![Value::Int(3), Value::str("b")]),
            ("%s:%s", vec![Value::str("a"), Value::Int(1)]),
            ("<%s>", vec![Value::str(long.as_str())]),
        ];
        for (format, args) in cases {
            let mut all = vec![Value::str(format)];
            all.extend(args.iter().cloned());
            assert_eq!(
                text(printf(&all).unwrap()),
                sprintf(format, &args),
                "{format}"
            );
        }
        assert!(printf_strings("%s.crt", &[Value::str("a")]).is_some());
        assert!(printf_strings("%d", &[Value::Int(1)]).is_none());
        assert!(printf_strings("<%s>", &[Value::str(long.as_str())]).is_none());
    }

    #[test]
    fn escapers_match_go() {
        assert_eq!(
            html_escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"
        );
        assert_eq!(
            js_escape("a'b\"c<d>=&\\\n"),
            "a\\'b\\\"c\\u003Cd\\u003E\\u003D\\u0026\\\\\\u000A"
        );
        assert_eq!(query_escape("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn comparisons_follow_go_kinds() {
        assert!(eq(&[Value::Int(1), Value::Int(2), Value::Int(1)])
            .unwrap()
            .is_true());
        assert!(eq(&[Value::Int(1), Value::Float(1.0)])
            .unwrap_err()
            .contains("incompatible types for comparison: int and float64"));
        assert!(!eq(&[Value::Missing, Value::str("")]).unwrap().is_true());
        assert!(eq(&[Value::str("ab"), Value::str("ab")]).unwrap().is_true());
        assert!(!eq(&[Value::str("ab"), Value::str("ac")]).unwrap().is_true());
        assert!(ne(&[Value::str("ab"), Value::str("a")]).unwrap().is_true());
        assert!(eq(&[Value::str("a"), Value::str("b"), Value::str("a")])
            .unwrap()
            .is_true());
        assert!(eq(&[Value::str("1"), Value::Int(1)]).is_err());
        assert!(eq(&[Value::Nil, Value::Missing]).unwrap().is_true());
        assert!(lt(&[Value::str("a"), Value::str("b")]).unwrap().is_true());
        assert_eq!(
            lt(&[Value::Bool(true), Value::Bool(false)]).unwrap_err(),
            "invalid type for comparison"
        );
        assert!(ge(&[Value::Int(2), Value::Int(2)]).unwrap().is_true());
        assert!(!gt(&[Value::Int(2), Value::Int(2)]).unwrap().is_true());
    }
}
