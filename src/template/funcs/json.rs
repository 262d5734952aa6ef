//! Go `encoding/json` for template values: the encoder behind `toJson`, `toPrettyJson`,
//! `toRawJson`, `json` (and `-dump-context`), and the decoder behind `fromJson`/`parseJson`.
//!
//! Output must be byte-identical to Go's: record fields in declaration order, map keys sorted,
//! HTML characters escaped unless raw, floats in Go's shortest form. It never panics; values it
//! cannot encode (NaN, infinities) are errors as in Go.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::{encoding, semver};
use crate::template::Value;

/// Encodes `value` like Go's `json.Marshal` (or `MarshalIndent(v, "", "  ")` when `pretty`);
/// `escape_html` off gives the `SetEscapeHTML(false)` form of `toRawJson`. Unencodable values
/// (NaN or infinite floats) give an empty string.
pub fn to_json(value: &Value, pretty: bool, escape_html: bool) -> String {
    try_to_json(value, pretty, escape_html).unwrap_or_default()
}

/// Like [`to_json`], with Go's error for unencodable values.
pub fn try_to_json(value: &Value, pretty: bool, escape_html: bool) -> Result<String, String> {
    let mut encoder = Encoder {
        out: String::new(),
        pretty,
        escape_html,
    };
    encoder.value(value, 0)?;
    Ok(encoder.out)
}

struct Encoder {
    out: String,
    pretty: bool,
    escape_html: bool,
}

impl Encoder {
    fn newline(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn value(&mut self, value: &Value, depth: usize) -> Result<(), String> {
        if depth > 1000 {
            return Err("json: exceeded max depth".to_string());
        }
        match value {
            Value::Nil | Value::Missing | Value::NilPointer(_) => self.out.push_str("null"),
            Value::Bool(flag) => self.out.push_str(if *flag { "true" } else { "false" }),
            Value::Int(number) => {
                let _ = write!(self.out, "{number}");
            }
            Value::Named(named) => {
                let _ = write!(self.out, "{}", named.number);
            }
            Value::Float(number) => {
                if !number.is_finite() {
                    return Err(format!(
                        "json: unsupported value: {}",
                        crate::template::go::fmt::sprint_value(value)
                    ));
                }
                self.out.push_str(&format_float(*number));
            }
            Value::Str(text) => write_string(&mut self.out, text, self.escape_html),
            Value::Time(time) => write_string(&mut self.out, &time.rfc3339, self.escape_html),
            // A `[]byte` is its base64 text.
            Value::List(list) if list.elem == "uint8" && !list.is_nil => {
                let bytes = crate::template::go::fmt::byte_items(&list.items);
                write_string(&mut self.out, &encoding::base64_of(&bytes), false);
            }
            Value::List(list) => {
                if list.is_nil {
                    self.out.push_str("null");
                } else {
                    self.array(&list.items, depth)?;
                }
            }
            Value::Containers(containers) => self.array(&containers.items, depth)?,
            Value::Map(map) => {
                if map.is_nil {
                    self.out.push_str("null");
                } else {
                    let pairs = args::map_entries(map);
                    let entries: Vec<(&str, &Value)> =
                        pairs.iter().map(|(key, value)| (&**key, value)).collect();
                    self.object(&entries, depth)?;
                }
            }
            // A semantic version marshals as its String form (its MarshalJSON method).
            Value::Record(record) if semver::is_version(record) => {
                let form = record.string_form.as_deref().unwrap_or_default();
                write_string(&mut self.out, form, self.escape_html);
            }
            // Unexported fields (a `*time.Location`'s) are left out.
            Value::Record(record) => {
                let entries: Vec<(&str, &Value)> = record
                    .fields
                    .iter()
                    .filter(|(key, _)| !key.starts_with(|c: char| c.is_ascii_lowercase()))
                    .map(|(key, value)| (*key, value))
                    .collect();
                self.object(&entries, depth)?;
            }
        }
        Ok(())
    }

    fn array(&mut self, items: &[Value], depth: usize) -> Result<(), String> {
        self.out.push('[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.value(item, depth + 1)?;
        }
        if !items.is_empty() {
            self.newline(depth);
        }
        self.out.push(']');
        Ok(())
    }

    fn object(&mut self, entries: &[(&str, &Value)], depth: usize) -> Result<(), String> {
        self.out.push('{');
        for (index, (key, item)) in entries.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            write_string(&mut self.out, key, self.escape_html);
            self.out.push(':');
            if self.pretty {
                self.out.push(' ');
            }
            self.value(item, depth + 1)?;
        }
        if !entries.is_empty() {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }
}

/// Go's float64 encoding: shortest representation, exponent form below 1e-6 or from 1e21 on.
pub fn format_float(number: f64) -> String {
    let magnitude = number.abs();
    if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
        let text = format!("{number:e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) if !exponent.starts_with('-') => {
                format!("{mantissa}e+{exponent}")
            }
            _ => text,
        }
    } else {
        format!("{number}")
    }
}

/// A JSON string literal as Go writes it.
pub fn write_string(out: &mut String, text: &str, escape_html: bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decodes JSON like Go's `json.Unmarshal` into `interface{}`: numbers are float64, objects
/// `map[string]interface{}`, arrays `[]interface{}`, `null` nil.
pub fn from_json(text: &str) -> Result<Value, String> {
    match decode(text)? {
        (value, None) => Ok(value),
        (_, Some(error)) => Err(error),
    }
}

/// Decodes JSON; a number beyond float64's range decodes as 0 and is reported beside the
/// value, as Go's decoder stores the rest and returns the error.
fn decode(text: &str) -> Result<(Value, Option<String>), String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(parsed) => Ok((convert(&parsed), None)),
        Err(error) => {
            let Some((zeroed, literal)) = zero_huge_numbers(text) else {
                return Err(go_json_error(text, &error));
            };
            let parsed: serde_json::Value =
                serde_json::from_str(&zeroed).map_err(|error| go_json_error(text, &error))?;
            let message =
                format!("json: cannot unmarshal number {literal} into Go value of type float64");
            Ok((convert(&parsed), Some(message)))
        }
    }
}

/// `text` with every number literal outside float64's range replaced by `0`, and the first
/// such literal; `None` when there is none.
fn zero_huge_numbers(text: &str) -> Option<(String, String)> {
    let mut out = String::with_capacity(text.len());
    let mut first = None;
    let mut chars = text.char_indices().peekable();
    let mut in_string = false;
    while let Some((index, c)) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some((_, escaped)) = chars.next() {
                    out.push(escaped);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            continue;
        }
        if c == '-' || c.is_ascii_digit() {
            let mut end = index + c.len_utf8();
            while let Some(&(next_index, next)) = chars.peek() {
                if next.is_ascii_digit() || matches!(next, '.' | 'e' | 'E' | '+' | '-') {
                    end = next_index + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let literal = &text[index..end];
            if literal.parse::<f64>().is_ok_and(f64::is_infinite) {
                first.get_or_insert_with(|| literal.to_string());
                out.push('0');
            } else {
                out.push_str(literal);
            }
            continue;
        }
        out.push(c);
    }
    first.map(|literal| (out, literal))
}

fn go_json_error(text: &str, error: &serde_json::Error) -> String {
    if text.trim().is_empty() || error.is_eof() {
        "unexpected end of JSON input".to_string()
    } else {
        error.to_string()
    }
}

fn convert(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(flag) => Value::Bool(*flag),
        serde_json::Value::Number(number) => Value::Float(number.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(text) => Value::str(text.as_str()),
        serde_json::Value::Array(items) => args::new_list(items.iter().map(convert).collect()),
        serde_json::Value::Object(entries) => {
            let map: BTreeMap<String, Value> = entries
                .iter()
                .map(|(key, value)| (key.clone(), convert(value)))
                .collect();
            args::new_dict(map)
        }
    }
}

fn one_arg<'a>(name: &str, values: &'a [Value]) -> Result<&'a Value, String> {
    arity(name, values, 1)?;
    Ok(&values[0])
}

/// sprig `toJson`: errors give "".
pub fn to_json_fn(values: &[Value]) -> FuncResult {
    let value = one_arg("toJson", values)?;
    Ok(Value::str(to_json(value, false, true)))
}

/// sprig `mustToJson` (docker-gen's `json`).
pub fn must_to_json(values: &[Value]) -> FuncResult {
    let value = one_arg("mustToJson", values)?;
    try_to_json(value, false, true).map(Value::str)
}

/// sprig `toPrettyJson`.
pub fn to_pretty_json(values: &[Value]) -> FuncResult {
    let value = one_arg("toPrettyJson", values)?;
    Ok(Value::str(to_json(value, true, true)))
}

/// sprig `mustToPrettyJson`.
pub fn must_to_pretty_json(values: &[Value]) -> FuncResult {
    let value = one_arg("mustToPrettyJson", values)?;
    try_to_json(value, true, true).map(Value::str)
}

/// sprig `toRawJson`: panics in Go on error, which the template reports as an error.
pub fn to_raw_json(values: &[Value]) -> FuncResult {
    let value = one_arg("toRawJson", values)?;
    try_to_json(value, false, false).map(Value::str)
}

/// sprig `mustToRawJson`.
pub fn must_to_raw_json(values: &[Value]) -> FuncResult {
    let value = one_arg("mustToRawJson", values)?;
    try_to_json(value, false, false).map(Value::str)
}

/// sprig `fromJson`: errors give nil.
pub fn from_json_fn(values: &[Value]) -> FuncResult {
    let text = args::string(one_arg("fromJson", values)?)?;
    let value = decode(&text).map_or(Value::Nil, |(value, _)| value);
    Ok(args::ret(value))
}

/// sprig `mustFromJson` (docker-gen's `parseJson`).
pub fn must_from_json(values: &[Value]) -> FuncResult {
    let text = args::string(one_arg("mustFromJson", values)?)?;
    from_json(&text).map(args::ret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(value: &Value) -> String {
        to_json(value, false, true)
    }

    #[test]
    fn floats_as_go_prints_them() {
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(1e20), "100000000000000000000");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(5.0), "5");
        assert_eq!(format_float(0.000001), "0.000001");
        assert_eq!(format_float(0.0000001), "1e-7");
        assert_eq!(format_float(-1.5e-7), "-1.5e-7");
        assert_eq!(format_float(123456789.125), "123456789.125");
        assert_eq!(format_float(0.0), "0");
    }

    #[test]
    fn strings_escape_html_and_separators() {
        let value = Value::str("<a href=\"x\">&</a>\u{2028}\n\u{1}");
        assert_eq!(
            compact(&value),
            "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\n\\u0001\""
        );
        assert_eq!(
            to_json(&value, false, false),
            "\"<a href=\\\"x\\\">&</a>\\u2028\\n\\u0001\""
        );
    }

    #[test]
    fn records_keep_field_order_maps_sort() {
        let mut entries = BTreeMap::new();
        entries.insert("b".to_string(), Value::Int(2));
        entries.insert("a".to_string(), Value::Nil);
        let record = Value::record(
            "X",
            vec![
                ("Zed", Value::map("any", entries)),
                ("Alpha", Value::nil_list("string")),
                ("Labels", Value::nil_map("string")),
                ("Empty", Value::list("any", vec![])),
            ],
        );
        assert_eq!(
            compact(&record),
            r#"{"Zed":{"a":null,"b":2},"Alpha":null,"Labels":null,"Empty":[]}"#
        );
    }

    #[test]
    fn pretty_uses_two_spaces() {
        let mut entries = BTreeMap::new();
        entries.insert(
            "a".to_string(),
            args::new_list(vec![Value::Int(1), Value::Bool(true)]),
        );
        entries.insert(
            "b".to_string(),
            args::new_dict(BTreeMap::<String, Value>::new()),
        );
        let text = to_json(&Value::map("any", entries), true, true);
        assert_eq!(
            text,
            "{\n  \"a\": [\n    1,\n    true\n  ],\n  \"b\": {}\n}"
        );
    }

    #[test]
    fn nan_is_an_error() {
        assert!(try_to_json(&Value::Float(f64::NAN), false, true).is_err());
        assert_eq!(to_json(&Value::Float(f64::INFINITY), false, true), "");
    }

    #[test]
    fn decoding_gives_floats_and_any_maps() {
        let value = from_json(r#"{"b":[1,2.5],"a":null}"#).unwrap();
        assert_eq!(compact(&value), r#"{"a":null,"b":[1,2.5]}"#);
        match &value {
            Value::Map(map) => {
                assert_eq!(map.elem, "any");
                match args::map_get(map, "b") {
                    Some(Value::List(list)) => assert!(matches!(list.items[0], Value::Float(_))),
                    _ => panic!("b is not a list"),
                }
            }
            _ => panic!("not a map"),
        }
        assert_eq!(from_json("").unwrap_err(), "unexpected end of JSON input");
        assert!(from_json("{").is_err());
        assert!(matches!(from_json("null"), Ok(Value::Nil)));
    }
}
