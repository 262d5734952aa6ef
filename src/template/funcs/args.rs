//! Argument conversion for template functions: how Go's text/template hands a value to a typed
//! parameter (`string`, `int`, `bool`, `[]string`, `map[string]interface{}`), the `cast`
//! conversions sprig applies to `interface{}` parameters, and the Go type/kind names and
//! equality (`reflect.DeepEqual`) the functions observe.
//!
//! It never prints values itself beyond Go's `%v` via `go::fmt`, and never panics on odd input.

use std::rc::Rc;

use crate::template::go::fmt::sprint_value;
use crate::template::value::{IntType, Key, List, Map, Pairs};
use crate::template::Value;

/// The result type every template function returns.
pub type FuncResult = Result<Value, String>;

/// Checks a fixed argument count: `wrong number of args for NAME: want N got M`.
pub fn arity(name: &str, args: &[Value], want: usize) -> Result<(), String> {
    if args.len() == want {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        ))
    }
}

/// Checks a variadic argument count: at least `want` arguments.
pub fn arity_min(name: &str, args: &[Value], want: usize) -> Result<(), String> {
    if args.len() >= want {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want at least {want} got {}",
            args.len()
        ))
    }
}

/// Go's `interface{}` parameter: "no value" becomes nil.
pub fn iface(value: &Value) -> Value {
    match value {
        Value::Missing => Value::Nil,
        other => other.clone(),
    }
}

/// A Go `interface{}` result: a nil interface prints `<no value>` in a template, which the
/// executor does for `Value::Missing`.
pub fn ret(value: Value) -> Value {
    match value {
        Value::Nil => Value::Missing,
        other => other,
    }
}

/// True for Go's nil interface (also "no value" passed to an `interface{}` parameter).
pub fn is_nil(value: &Value) -> bool {
    matches!(value, Value::Nil | Value::Missing)
}

/// True when a Go element type name means `interface{}`.
pub fn is_iface_elem(elem: &str) -> bool {
    crate::template::value::is_interface_elem(elem)
}

/// Go's error for a value its parameter type `expected` cannot take (nil, or another type).
pub fn wrong_type(expected: &str, value: &Value) -> String {
    if is_nil(value) {
        format!("invalid value; expected {expected}")
    } else {
        format!(
            "wrong type for value; expected {expected}; got {}",
            type_name(value)
        )
    }
}

/// A Go `string` parameter.
pub fn string(value: &Value) -> Result<Rc<str>, String> {
    match value {
        Value::Str(text) => Ok(text.clone()),
        other => Err(wrong_type("string", other)),
    }
}

/// A Go `int` parameter.
pub fn int(value: &Value) -> Result<i64, String> {
    match value {
        Value::Int(number) => Ok(*number),
        other => Err(wrong_type("int", other)),
    }
}

/// A Go `bool` parameter.
pub fn boolean(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        other => Err(wrong_type("bool", other)),
    }
}

/// A Go `[]string` parameter (a nil slice converts from nil).
pub fn string_slice(value: &Value) -> Result<Vec<Rc<str>>, String> {
    match value {
        Value::Nil | Value::Missing => Ok(Vec::new()),
        Value::List(list) if list.elem == "string" => Ok(list
            .items
            .iter()
            .map(|item| match item {
                Value::Str(text) => text.clone(),
                _ => Rc::from(""),
            })
            .collect()),
        other => Err(wrong_type("[]string", other)),
    }
}

/// A Go `map[string]interface{}` parameter (nil converts to a nil map).
pub fn dict(value: &Value) -> Result<Rc<Map>, String> {
    match value {
        Value::Nil | Value::Missing => Ok(Rc::new(Map {
            elem: "any",
            entries: Default::default(),
            is_nil: true,
        })),
        Value::Map(map) if is_iface_elem(map.elem) => Ok(map.clone()),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

// Map access. Go maps are references, and sprig's `set`, `unset` and `merge` change them in
// place; every read and write of a map's entries in the function library goes through these
// helpers, so that maps can become shared-mutable by changing only them (and `value.rs`).

/// The value stored under `key`.
pub fn map_get(map: &Map, key: &str) -> Option<Value> {
    map.entries.get(key)
}

/// Whether `key` is present.
pub fn map_has(map: &Map, key: &str) -> bool {
    map.entries.contains_key(key)
}

/// The number of entries.
pub fn map_len(map: &Map) -> usize {
    map.entries.len()
}

/// The entries, sorted by key (a snapshot).
pub fn map_entries(map: &Map) -> Rc<Pairs> {
    map.entries.snapshot()
}

/// The entries read in place, without a snapshot, while the guard lives: nothing may change
/// the map meanwhile (a read that clones only what it keeps).
pub fn map_borrow(map: &Map) -> std::cell::Ref<'_, Pairs> {
    map.entries.borrow()
}

/// Sets one entry in place (every holder of the map sees it), as Go's `m[key] = value`.
pub fn map_insert(map: &Map, key: impl Into<Key>, value: Value) {
    map.entries.insert(key.into(), value);
}

/// Removes one entry in place.
pub fn map_remove(map: &Map, key: &str) {
    map.entries.remove(key);
}

/// A copy of the entries to change and hand to [`map_store`].
pub fn map_clone_entries(map: &Map) -> Pairs {
    Rc::unwrap_or_clone(map.entries.snapshot())
}

/// Replaces the entries of `map` in place, as Go changes a map every holder shares, and
/// returns the map. A nil map cannot hold entries: it becomes a new map.
pub fn map_store(map: &Rc<Map>, entries: Pairs) -> Value {
    if map.is_nil {
        return Value::map(map.elem, entries);
    }
    map.entries.replace(entries);
    Value::Map(map.clone())
}

/// A new `map[string]interface{}` value.
pub fn new_dict(entries: impl Into<Pairs>) -> Value {
    Value::map("any", entries)
}

/// A new `[]interface{}` value.
pub fn new_list(items: Vec<Value>) -> Value {
    Value::list("any", items)
}

/// The items of a slice or array value (Go kinds Slice/Array), `None` for any other kind.
/// A container list counts as a slice.
pub fn items(value: &Value) -> Option<&[Value]> {
    match value {
        Value::List(list) => Some(&list.items),
        Value::Containers(containers) => Some(&containers.items),
        _ => None,
    }
}

/// The element type name of a slice value (`interface {}` for `[]interface{}`).
pub fn elem_of(value: &Value) -> &'static str {
    match value {
        Value::List(list) => list.elem,
        Value::Containers(_) => "*context.RuntimeContainer",
        _ => "any",
    }
}

/// Go's `%T` of a value passed as `interface{}`.
pub fn type_name(value: &Value) -> String {
    value.go_type()
}

/// Go's `reflect.Kind` name of a value passed as `interface{}`.
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Nil | Value::Missing => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Named(named) => named.kind_name(),
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Record(record) if record.is_pointer() => "ptr",
        Value::NilPointer(_) => "ptr",
        Value::Record(_) | Value::Time(_) => "struct",
        Value::Containers(_) => "ptr",
    }
}

/// Go's `reflect.DeepEqual` of two values held in interfaces (type-sensitive).
pub fn deep_equal(left: &Value, right: &Value) -> bool {
    deep_equal_at(left, right, 0)
}

fn deep_equal_at(left: &Value, right: &Value, depth: usize) -> bool {
    if depth > 200 {
        return false;
    }
    match (left, right) {
        (Value::Nil | Value::Missing, Value::Nil | Value::Missing) => true,
        (Value::NilPointer(a), Value::NilPointer(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Named(a), Value::Named(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::List(a), Value::List(b)) => {
            Rc::ptr_eq(a, b) || (a.elem == b.elem && lists_equal(a, b, depth))
        }
        (Value::Map(a), Value::Map(b)) => {
            Rc::ptr_eq(a, b)
                || (a.elem == b.elem
                    && a.is_nil == b.is_nil
                    && map_len(a) == map_len(b)
                    && map_entries(a)
                        .iter()
                        .zip(map_entries(b).iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && deep_equal_at(va, vb, depth + 1)))
        }
        (Value::Record(a), Value::Record(b)) => {
            Rc::ptr_eq(a, b)
                || (a.type_name == b.type_name
                    && a.fields.len() == b.fields.len()
                    && a.fields
                        .iter()
                        .zip(b.fields.iter())
                        .all(|((na, va), (nb, vb))| na == nb && deep_equal_at(va, vb, depth + 1)))
        }
        (Value::Time(a), Value::Time(b)) => a == b,
        (Value::Containers(a), Value::Containers(b)) => {
            Rc::ptr_eq(a, b)
                || (a.items.len() == b.items.len()
                    && a.items
                        .iter()
                        .zip(b.items.iter())
                        .all(|(x, y)| deep_equal_at(x, y, depth + 1)))
        }
        _ => false,
    }
}

fn lists_equal(a: &List, b: &List, depth: usize) -> bool {
    a.is_nil == b.is_nil
        && a.items.len() == b.items.len()
        && a.items
            .iter()
            .zip(b.items.iter())
            .all(|(x, y)| deep_equal_at(x, y, depth + 1))
}

/// `strval` as a map key: a string key is shared, not copied.
pub fn strval_key(value: &Value) -> Key {
    match value {
        Value::Str(text) => text.clone(),
        other => strval(other).into(),
    }
}

/// Sprig's `empty`: nil, zero numbers, false, empty strings/lists/maps; structs never.
pub fn empty(value: &Value) -> bool {
    match value {
        Value::Nil | Value::Missing | Value::NilPointer(_) => true,
        Value::Bool(flag) => !flag,
        Value::Int(number) => *number == 0,
        Value::Named(named) => named.number == 0,
        Value::Float(number) => *number == 0.0,
        Value::Str(text) => text.is_empty(),
        Value::List(list) => list.items.is_empty(),
        Value::Map(map) => map_len(map) == 0,
        Value::Record(_) | Value::Time(_) => false,
        // The root is a pointer in Go (never empty); a filtered view is a slice.
        Value::Containers(containers) => containers.items.is_empty(),
    }
}

/// Sprig's `strval`: strings and `[]byte` as they are, Stringers via String, anything else
/// via `%v`.
pub fn strval(value: &Value) -> String {
    match value {
        Value::Str(text) => text.to_string(),
        Value::List(list) if list.elem == "uint8" => {
            String::from_utf8_lossy(&crate::template::go::fmt::byte_items(&list.items)).into_owned()
        }
        Value::Missing => sprint_value(&Value::Nil),
        other => sprint_value(other),
    }
}

/// spf13/cast `ToInt64`: numbers truncate, strings parse (base prefixes allowed, a `.0`
/// fraction tolerated), bools are 0/1, anything else 0.
pub fn cast_int64(value: &Value) -> i64 {
    match value {
        Value::Int(number) => *number,
        // cast knows Month and Weekday (and uint64) but not Duration.
        Value::Named(named) if named.of == IntType::Duration => 0,
        Value::Named(named) => named.number,
        Value::Float(number) => float_to_i64(*number),
        Value::Bool(flag) => i64::from(*flag),
        Value::Str(text) => parse_go_int(&trim_zero_decimal(text)).unwrap_or(0),
        _ => 0,
    }
}

/// Go's conversion `int64(f)` for a float: truncation, saturating instead of undefined.
pub fn float_to_i64(number: f64) -> i64 {
    if number.is_nan() {
        i64::MIN
    } else {
        number as i64
    }
}

/// spf13/cast `ToFloat64`.
pub fn cast_float64(value: &Value) -> f64 {
    match value {
        Value::Int(number) => *number as f64,
        Value::Named(named) if named.of == IntType::Duration => 0.0,
        Value::Named(named) => named.number as f64,
        Value::Float(number) => *number,
        Value::Bool(flag) => f64::from(u8::from(*flag)),
        Value::Str(text) => parse_go_float(text).unwrap_or(0.0),
        _ => 0.0,
    }
}

fn trim_zero_decimal(text: &str) -> String {
    if let Some(dot) = text.find('.') {
        let (whole, fraction) = text.split_at(dot);
        if fraction.len() > 1 && fraction[1..].bytes().all(|b| b == b'0') {
            return whole.to_string();
        }
    }
    text.to_string()
}

/// Go's `underscoreOK`: underscores only between digits, or after a base prefix.
fn underscore_ok(text: &str) -> bool {
    let bytes = text.strip_prefix(['+', '-']).unwrap_or(text).as_bytes();
    let mut saw = b'^';
    let mut index = 0;
    let mut hex = false;
    if bytes.len() >= 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        index = 2;
        saw = b'0';
        hex = bytes[1].eq_ignore_ascii_case(&b'x');
    }
    for &byte in &bytes[index..] {
        if byte.is_ascii_digit() || (hex && byte.is_ascii_hexdigit()) {
            saw = b'0';
        } else if byte == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-zero octal, underscores
/// between digits (Go syntax).
pub fn parse_go_int(text: &str) -> Option<i64> {
    if text.contains('_') && !underscore_ok(text) {
        return None;
    }
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string())
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string())
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
pub fn parse_decimal_int(text: &str) -> Option<i64> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (with a `p` exponent) forms,
/// `inf`/`infinity`/`nan`, underscores between digits; out of range is an error.
pub fn parse_go_float(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        // Go takes no sign before NaN.
        "nan" if body.len() == text.len() => f64::NAN,
        _ => {
            if lower.contains('_') && !underscore_ok(text) {
                return None;
            }
            let clean = lower.replace('_', "");
            let number = match clean.strip_prefix("0x") {
                Some(hex) => parse_hex_float(hex)?,
                None if !clean.is_empty()
                    && !clean.starts_with(['+', '-'])
                    && clean
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b".e+-".contains(&b)) =>
                {
                    clean.parse::<f64>().ok()?
                }
                None => return None,
            };
            if number.is_infinite() {
                return None;
            }
            number
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The part of a Go hexadecimal float after `0x`: hex digits with an optional point, then
/// a required binary exponent (`1.8p3`).
fn parse_hex_float(text: &str) -> Option<f64> {
    let (mantissa, exponent) = text.split_once('p')?;
    let exponent: i32 = match exponent.strip_prefix('+') {
        Some(rest) if !rest.starts_with(['+', '-']) => rest.parse().ok()?,
        _ if !exponent.is_empty() => exponent.parse().ok()?,
        _ => return None,
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for digit in whole.chars().chain(fraction.chars()) {
        value = value * 16.0 + f64::from(digit.to_digit(16)?);
    }
    let scale = exponent.checked_sub(4 * i32::try_from(fraction.len()).ok()?)?;
    Some(value * 2f64.powi(scale))
}

/// Go's `strconv.Quote` (the `%q` verb on a string).
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint`.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32, 0xad | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2064 | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff)
}

/// The Go-style text of an I/O error: `open PATH: no such file or directory`.
pub fn go_io_error(operation: &str, path: &str, error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(end) => &text[..end],
        None => &text,
    };
    let mut chars = text.chars();
    let lowered = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    format!("{operation} {path}: {lowered}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arity_messages() {
        let args = [Value::Int(1)];
        assert_eq!(
            arity("trim", &args, 2).unwrap_err(),
            "wrong number of args for trim: want 2 got 1"
        );
        assert!(arity("trim", &args, 1).is_ok());
        assert!(arity_min("add", &[], 1).is_err());
    }

    #[test]
    fn typed_string_parameter() {
        assert_eq!(
            string(&Value::Missing).unwrap_err(),
            "invalid value; expected string"
        );
        assert_eq!(
            string(&Value::Int(3)).unwrap_err(),
            "wrong type for value; expected string; got int"
        );
        assert_eq!(&*string(&Value::str("x")).unwrap(), "x");
    }

    #[test]
    fn deep_equal_is_type_sensitive() {
        assert!(!deep_equal(&Value::str("80"), &Value::Int(80)));
        assert!(!deep_equal(&Value::Int(5), &Value::Float(5.0)));
        assert!(deep_equal(&Value::Missing, &Value::Nil));
        assert!(deep_equal(
            &Value::string_list(["a"]),
            &Value::string_list(["a"])
        ));
        assert!(!deep_equal(
            &Value::string_list(["a"]),
            &new_list(vec![Value::str("a")])
        ));
        assert!(!deep_equal(
            &Value::nil_list("string"),
            &Value::string_list(Vec::<String>::new())
        ));
    }

    #[test]
    fn cast_rules() {
        assert_eq!(cast_int64(&Value::str("0x10")), 16);
        assert_eq!(cast_int64(&Value::str("010")), 8);
        assert_eq!(cast_int64(&Value::str("5.0")), 5);
        assert_eq!(cast_int64(&Value::str("5.5")), 0);
        assert_eq!(cast_int64(&Value::Float(-2.9)), -2);
        assert_eq!(cast_int64(&Value::Bool(true)), 1);
        assert_eq!(cast_int64(&Value::str("-9223372036854775808")), i64::MIN);
        assert_eq!(cast_int64(&Value::str("9223372036854775808")), 0);
        assert_eq!(cast_float64(&Value::str("1.5")), 1.5);
        assert_eq!(cast_float64(&Value::str("x")), 0.0);
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    }

    #[test]
    fn empty_rules() {
        assert!(empty(&Value::Missing));
        assert!(empty(&Value::str("")));
        assert!(empty(&Value::Int(0)));
        assert!(!empty(&Value::record("X", vec![])));
        assert!(!empty(&Value::Bool(true)));
        assert!(empty(&new_list(vec![])));
    }
}
