//! sprig's regular-expression functions over `regex-lite` (Go's RE2 syntax is close to the
//! Rust regex syntax; Unicode classes such as `\pL` are not supported by regex-lite and give
//! an error). Bad patterns are errors, never panics.

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::Value;
use regex_lite::Regex;

/// Compiles a pattern with Go's error prefix.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|error| format!("error parsing regexp: {error}"))
}

fn pattern_and_text(name: &str, values: &[Value], count: usize) -> Result<(Regex, String), String> {
    arity(name, values, count)?;
    let pattern = args::string(&values[0])?;
    let text = args::string(&values[1])?;
    Ok((compile(&pattern)?, text.to_string()))
}

/// `regexMatch(regex, s string)`: a bad pattern gives false.
pub fn regex_match(values: &[Value]) -> FuncResult {
    arity("regexMatch", values, 2)?;
    let pattern = args::string(&values[0])?;
    let text = args::string(&values[1])?;
    Ok(Value::Bool(
        compile(&pattern)
            .map(|regex| regex.is_match(&text))
            .unwrap_or(false),
    ))
}

/// `mustRegexMatch(regex, s string)`.
pub fn must_regex_match(values: &[Value]) -> FuncResult {
    let (regex, text) = pattern_and_text("mustRegexMatch", values, 2)?;
    Ok(Value::Bool(regex.is_match(&text)))
}

/// Go's `FindAllStringIndex(s, n)`: `n < 0` means all; empty matches right after a match
/// are skipped as in Go.
fn find_all(regex: &Regex, text: &str, limit: i64) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if limit == 0 {
        return found;
    }
    let mut previous_end: Option<usize> = None;
    for matched in regex.find_iter(text) {
        if limit > 0 && found.len() as i64 >= limit {
            break;
        }
        if matched.start() == matched.end() && previous_end == Some(matched.start()) {
            continue;
        }
        previous_end = Some(matched.end());
        found.push((matched.start(), matched.end()));
    }
    found
}

fn find_all_strings(name: &str, values: &[Value]) -> FuncResult {
    let (regex, text) = pattern_and_text(name, values, 3)?;
    let limit = args::int(&values[2])?;
    let found = find_all(&regex, &text, limit);
    if found.is_empty() {
        return Ok(Value::nil_list("string"));
    }
    Ok(Value::string_list(
        found
            .into_iter()
            .map(|(start, end)| text[start..end].to_string()),
    ))
}

/// `regexFindAll(regex, s string, n int)`.
pub fn regex_find_all(values: &[Value]) -> FuncResult {
    find_all_strings("regexFindAll", values)
}

/// `mustRegexFindAll(regex, s string, n int)`.
pub fn must_regex_find_all(values: &[Value]) -> FuncResult {
    find_all_strings("mustRegexFindAll", values)
}

fn find_one(name: &str, values: &[Value]) -> FuncResult {
    let (regex, text) = pattern_and_text(name, values, 2)?;
    Ok(Value::str(
        regex.find(&text).map(|m| m.as_str()).unwrap_or(""),
    ))
}

/// `regexFind(regex, s string)`.
pub fn regex_find(values: &[Value]) -> FuncResult {
    find_one("regexFind", values)
}

/// `mustRegexFind(regex, s string)`.
pub fn must_regex_find(values: &[Value]) -> FuncResult {
    find_one("mustRegexFind", values)
}

fn replace_all(name: &str, values: &[Value], literal: bool) -> FuncResult {
    let (regex, text) = pattern_and_text(name, values, 3)?;
    let replacement = args::string(&values[2])?;
    let replaced = if literal {
        regex.replace_all(&text, regex_lite::NoExpand(&replacement))
    } else {
        regex.replace_all(&text, &*replacement)
    };
    Ok(Value::str(replaced.into_owned()))
}

/// `regexReplaceAll(regex, s, repl string)`: `$1`/`${name}` expand.
pub fn regex_replace_all(values: &[Value]) -> FuncResult {
    replace_all("regexReplaceAll", values, false)
}

/// `mustRegexReplaceAll(regex, s, repl string)`.
pub fn must_regex_replace_all(values: &[Value]) -> FuncResult {
    replace_all("mustRegexReplaceAll", values, false)
}

/// `regexReplaceAllLiteral(regex, s, repl string)`.
pub fn regex_replace_all_literal(values: &[Value]) -> FuncResult {
    replace_all("regexReplaceAllLiteral", values, true)
}

/// `mustRegexReplaceAllLiteral(regex, s, repl string)`.
pub fn must_regex_replace_all_literal(values: &[Value]) -> FuncResult {
    replace_all("mustRegexReplaceAllLiteral", values, true)
}

fn split(name: &str, values: &[Value]) -> FuncResult {
    let (regex, text) = pattern_and_text(name, values, 3)?;
    let limit = args::int(&values[2])?;
    if limit == 0 {
        return Ok(Value::nil_list("string"));
    }
    if !regex.as_str().is_empty() && text.is_empty() {
        return Ok(Value::string_list([""]));
    }
    let mut pieces: Vec<String> = Vec::new();
    let (mut begin, mut end) = (0usize, 0usize);
    for (start, stop) in find_all(&regex, &text, limit) {
        if limit > 0 && pieces.len() as i64 == limit - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            pieces.push(text[begin..end].to_string());
        }
        begin = stop;
    }
    if end != text.len() {
        pieces.push(text[begin..].to_string());
    }
    Ok(Value::string_list(pieces))
}

/// `regexSplit(regex, s string, n int)`: Go `Regexp.Split`.
pub fn regex_split(values: &[Value]) -> FuncResult {
    split("regexSplit", values)
}

/// `mustRegexSplit(regex, s string, n int)`.
pub fn must_regex_split(values: &[Value]) -> FuncResult {
    split("mustRegexSplit", values)
}

/// `regexQuoteMeta(s string)`: Go `regexp.QuoteMeta`.
pub fn regex_quote_meta(values: &[Value]) -> FuncResult {
    arity("regexQuoteMeta", values, 1)?;
    let text = args::string(&values[0])?;
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(value: &Value) -> Vec<String> {
        match value {
            Value::List(list) => list
                .items
                .iter()
                .map(|item| match item {
                    Value::Str(text) => text.to_string(),
                    _ => String::new(),
                })
                .collect(),
            _ => vec!["<not a list>".to_string()],
        }
    }

    #[test]
    fn split_like_go() {
        let call = |pattern: &str, text: &str, n: i64| {
            strings(&regex_split(&[Value::str(pattern), Value::str(text), Value::Int(n)]).unwrap())
        };
        assert_eq!(call("z+", "pizza", -1), ["pi", "a"]);
        assert_eq!(call("z+", "pizza", 1), ["pizza"]);
        assert_eq!(call("a", "banana", -1), ["b", "n", "n", ""]);
        assert_eq!(call("", "abc", -1), ["a", "b", "c"]);
        assert_eq!(call("x", "", -1), [""]);
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(must_regex_match(&[Value::str("("), Value::str("x")]).is_err());
        assert!(matches!(
            regex_match(&[Value::str("("), Value::str("x")]),
            Ok(Value::Bool(false))
        ));
        assert!(regex_find(&[Value::str("["), Value::str("x")]).is_err());
    }

    #[test]
    fn replace_expands_groups() {
        let out = regex_replace_all(&[
            Value::str("a(x*)b"),
            Value::str("-ab-axxb-"),
            Value::str("${1}W"),
        ]);
        assert_eq!(
            strings(&Value::string_list([match out.unwrap() {
                Value::Str(t) => t.to_string(),
                _ => String::new(),
            }])),
            ["-W-xxW-"]
        );
        let literal = regex_replace_all_literal(&[
            Value::str("a(x*)b"),
            Value::str("-ab-"),
            Value::str("$1"),
        ]);
        assert!(matches!(literal, Ok(Value::Str(t)) if &*t == "-$1-"));
    }

    #[test]
    fn quote_meta() {
        let out = regex_quote_meta(&[Value::str("1.5-2.0?")]).unwrap();
        assert!(matches!(out, Value::Str(t) if &*t == "1\\.5-2\\.0\\?"));
    }
}
