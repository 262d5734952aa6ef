//! sprig's defaults (`default empty coalesce all any ternary fail`), reflection (`typeOf
//! kindOf ...`), environment (`env expandenv`) and slash-path functions (`base dir clean ext
//! isAbs`, also the `os*` forms, which are the same on Unix). Reads the process environment;
//! writes nothing.

use crate::template::funcs::args::{self, arity, arity_min, FuncResult};
use crate::template::Value;

/// `default(d, given ...)`: `given[0]` unless absent or empty.
pub fn default(values: &[Value]) -> FuncResult {
    // The usual two arguments without the general checks (measured: 96 -> 68 instructions).
    if let [fallback, given] = values {
        return Ok(if args::empty(given) {
            args::ret(fallback.clone())
        } else {
            given.clone()
        });
    }
    arity_min("default", values, 1)?;
    match values.get(1) {
        Some(given) if !args::empty(given) => Ok(given.clone()),
        _ => Ok(args::ret(values[0].clone())),
    }
}

/// `empty(v)`.
pub fn empty(values: &[Value]) -> FuncResult {
    arity("empty", values, 1)?;
    Ok(Value::Bool(args::empty(&values[0])))
}

/// sprig's `coalesce` (docker-gen's `sprigCoalesce`): the first non-empty argument.
pub fn coalesce(values: &[Value]) -> FuncResult {
    Ok(values
        .iter()
        .find(|value| !args::empty(value))
        .cloned()
        .unwrap_or(Value::Missing))
}

/// `all(v ...)`: no argument is empty.
pub fn all(values: &[Value]) -> FuncResult {
    Ok(Value::Bool(values.iter().all(|value| !args::empty(value))))
}

/// `any(v ...)`: some argument is not empty.
pub fn any(values: &[Value]) -> FuncResult {
    Ok(Value::Bool(values.iter().any(|value| !args::empty(value))))
}

/// `ternary(vt, vf any, cond bool)`.
pub fn ternary(values: &[Value]) -> FuncResult {
    arity("ternary", values, 3)?;
    let condition = args::boolean(&values[2])?;
    Ok(args::ret(
        if condition { &values[0] } else { &values[1] }.clone(),
    ))
}

/// `fail(msg string)`: always an error with that message.
pub fn fail(values: &[Value]) -> FuncResult {
    arity("fail", values, 1)?;
    Err(args::string(&values[0])?.to_string())
}

/// `typeOf(v)`: Go's `%T`.
pub fn type_of(values: &[Value]) -> FuncResult {
    arity("typeOf", values, 1)?;
    Ok(Value::str(args::type_name(&values[0])))
}

/// `typeIs(target string, v)`.
pub fn type_is(values: &[Value]) -> FuncResult {
    arity("typeIs", values, 2)?;
    let target = args::string(&values[0])?;
    Ok(Value::Bool(*target == *args::type_name(&values[1])))
}

/// `typeIsLike(target string, v)`: also matches a pointer to `target`.
pub fn type_is_like(values: &[Value]) -> FuncResult {
    arity("typeIsLike", values, 2)?;
    let target = args::string(&values[0])?;
    let actual = args::type_name(&values[1]);
    Ok(Value::Bool(
        *target == *actual || format!("*{target}") == actual,
    ))
}

/// `kindOf(v)`: Go's `reflect.Kind` name.
pub fn kind_of(values: &[Value]) -> FuncResult {
    arity("kindOf", values, 1)?;
    Ok(Value::str(args::kind_name(&values[0])))
}

/// `kindIs(target string, v)`.
pub fn kind_is(values: &[Value]) -> FuncResult {
    arity("kindIs", values, 2)?;
    let target = args::string(&values[0])?;
    Ok(Value::Bool(*target == *args::kind_name(&values[1])))
}

/// `deepEqual(a, b)`: Go `reflect.DeepEqual`.
pub fn deep_equal(values: &[Value]) -> FuncResult {
    arity("deepEqual", values, 2)?;
    Ok(Value::Bool(args::deep_equal(&values[0], &values[1])))
}

/// `env(name string)`: the variable's value or "".
pub fn env(values: &[Value]) -> FuncResult {
    arity("env", values, 1)?;
    let name = args::string(&values[0])?;
    Ok(Value::str(lookup_env(&name)))
}

fn lookup_env(name: &str) -> String {
    if name.is_empty() || name.contains(['=', '\0']) {
        return String::new();
    }
    std::env::var_os(name)
        .map(|value| value.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Go's `os.Expand` with a lookup function.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'$' && index + 1 < bytes.len() {
            out.push_str(&text[copied_to..index]);
            let (name, width) = shell_name(&text[index + 1..]);
            if name.is_empty() && width > 0 {
                // Bad syntax such as `${}`: the characters are eaten.
            } else if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&lookup(name));
            }
            index += width;
            copied_to = index + 1;
        }
        index += 1;
    }
    out.push_str(&text[copied_to.min(text.len())..]);
    out
}

fn is_special_var(byte: u8) -> bool {
    matches!(
        byte,
        b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9'
    )
}

fn shell_name(text: &str) -> (&str, usize) {
    let bytes = text.as_bytes();
    if bytes[0] == b'{' {
        if bytes.len() > 2 && is_special_var(bytes[1]) && bytes[2] == b'}' {
            return (&text[1..2], 3);
        }
        for (index, byte) in bytes.iter().enumerate().skip(1) {
            if *byte == b'}' {
                if index == 1 {
                    return ("", 2);
                }
                return (&text[1..index], index + 1);
            }
        }
        return ("", 1);
    }
    if is_special_var(bytes[0]) {
        return (&text[0..1], 1);
    }
    let length = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (&text[..length], length)
}

/// `expandenv(s string)`: Go `os.ExpandEnv`.
pub fn expandenv(values: &[Value]) -> FuncResult {
    arity("expandenv", values, 1)?;
    let text = args::string(&values[0])?;
    Ok(Value::str(expand(&text, &lookup_env)))
}

/// Go's `path.Clean`.
pub fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base_path(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(at) => trimmed[at + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`.
pub fn dir_path(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |at| at + 1);
    clean_path(&path[..cut])
}

/// Go's `path.Ext`.
pub fn ext_path(path: &str) -> String {
    for (index, byte) in path.bytes().enumerate().rev() {
        match byte {
            b'/' => break,
            b'.' => return path[index..].to_string(),
            _ => {}
        }
    }
    String::new()
}

fn path_fn(name: &str, values: &[Value], apply: fn(&str) -> String) -> FuncResult {
    arity(name, values, 1)?;
    Ok(Value::str(apply(&args::string(&values[0])?)))
}

/// `base(path string)`.
pub fn base(values: &[Value]) -> FuncResult {
    path_fn("base", values, base_path)
}

/// sprig's `dir` (docker-gen's `sprigDir`): Go `path.Dir`.
pub fn dir(values: &[Value]) -> FuncResult {
    path_fn("dir", values, dir_path)
}

/// `clean(path string)`.
pub fn clean(values: &[Value]) -> FuncResult {
    path_fn("clean", values, clean_path)
}

/// `ext(path string)`.
pub fn ext(values: &[Value]) -> FuncResult {
    path_fn("ext", values, ext_path)
}

/// `isAbs(path string)`.
pub fn is_abs(values: &[Value]) -> FuncResult {
    arity("isAbs", values, 1)?;
    Ok(Value::Bool(args::string(&values[0])?.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_like_go() {
        assert_eq!(clean_path("a//b/./../c/"), "a/c");
        assert_eq!(clean_path("/../a"), "/a");
        assert_eq!(clean_path("../../a"), "../../a");
        assert_eq!(clean_path(""), ".");
        assert_eq!(base_path("/a/b/"), "b");
        assert_eq!(base_path("///"), "/");
        assert_eq!(dir_path("/a/b/c"), "/a/b");
        assert_eq!(dir_path("abc"), ".");
        assert_eq!(dir_path("/"), "/");
        assert_eq!(ext_path("a/b.tar.gz"), ".gz");
        assert_eq!(ext_path("a.b/c"), "");
    }

    #[test]
    fn expand_like_go() {
        let lookup = |name: &str| match name {
            "HOME" => "/root".to_string(),
            "1" => "one".to_string(),
            _ => String::new(),
        };
        assert_eq!(
            expand("$HOME/x ${HOME} $1 $ ${} $", &lookup),
            "/root/x /root one $  $"
        );
        assert_eq!(expand("a${", &lookup), "a");
        assert_eq!(expand("plain", &lookup), "plain");
    }

    #[test]
    fn default_and_ternary() {
        assert!(
            matches!(default(&[Value::str("d"), Value::str("")]), Ok(Value::Str(t)) if &*t == "d")
        );
        assert!(matches!(
            default(&[Value::str("d"), Value::Int(3)]),
            Ok(Value::Int(3))
        ));
        assert!(matches!(default(&[Value::str("d")]), Ok(Value::Str(t)) if &*t == "d"));
        assert!(ternary(&[Value::Int(1), Value::Int(2), Value::str("true")]).is_err());
        assert!(matches!(
            ternary(&[Value::Int(1), Value::Int(2), Value::Bool(false)]),
            Ok(Value::Int(2))
        ));
    }
}
