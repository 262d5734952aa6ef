//! sprig's `semver` and `semverCompare`, with the version and constraint grammar of
//! Masterminds/semver v3.3.0 (the version sprig v3.3.0 requires).
//!
//! Masterminds' grammar is defined by regular expressions run with Go's leftmost-first
//! semantics, and its quirks (a constraint like `1.2.3 1.4` is an AND, `=>` is `>=`, a range
//! `1 - 2` is rewritten textually before splitting at `||`, metadata is dropped from
//! wildcard constraints) follow from how those expressions match. No crate implements that
//! grammar, so it is written here as equivalent regex-lite patterns (also leftmost-first),
//! built from named pieces, with Go's `\s` (`[\t\n\f\r ]`) spelled out. This module never
//! prints anything; errors are the strings Masterminds returns.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::OnceLock;

use regex_lite::Regex;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::value::{IntType, NamedInt, Record};
use crate::template::Value;

/// Go's `\s`.
const WS: &str = r"[\t\n\f\r ]";

/// The comparison operators, in Masterminds' order (it matters for leftmost-first matching:
/// the empty operator comes second).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

/// Go's type name of the value `semver` returns.
pub const VERSION_TYPE: &str = "*semver.Version";

/// Go's type name of a version by value (what `IncMajor` returns).
pub const VERSION_VALUE_TYPE: &str = "semver.Version";

/// A constraint's version: wildcards allowed in the three numbers. `prefix` names its groups.
fn constraint_version(prefix: &str) -> String {
    let number = r"[0-9|x|X|\*]+";
    let ident = r"[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*";
    format!(
        r"(?P<{prefix}>v?(?P<{prefix}major>{number})(?P<{prefix}minor>\.{number})?(?P<{prefix}patch>\.{number})?(?P<{prefix}pre>-{ident})?(?:\+{ident})?)"
    )
}

struct Patterns {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let ident = r"[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*";
            // The same shape as `constraint_version`, without group names (it repeats).
            let number = r"[0-9|x|X|\*]+";
            let plain = format!(
                r"v?{number}(?:\.{number})?(?:\.{number})?(?:-{ident})?(?:\+{ident})?"
            );
            let version = format!(
                r"^v?(?P<major>[0-9]+)(?P<minor>\.[0-9]+)?(?P<patch>\.[0-9]+)?(?:-(?P<pre>{ident}))?(?:\+(?P<meta>{ident}))?$"
            );
            let constraint = format!(
                r"^{WS}*(?P<op>{OPS}){WS}*{}{WS}*$",
                constraint_version("v")
            );
            let range = format!(
                r"{WS}*{}{WS}+-{WS}+{}{WS}*",
                constraint_version("low"),
                constraint_version("high")
            );
            let find = format!(r"(?:{OPS}){WS}*{}", plain);
            let valid = format!(
                r"^(?:{WS}*(?:{OPS}){WS}*{}{WS}*)(?:(?:{WS}+|,{WS}*)(?:{OPS}){WS}*{}{WS}*)*$",
                plain,
                plain
            );
            Some(Patterns {
                version: Regex::new(&version).ok()?,
                constraint: Regex::new(&constraint).ok()?,
                range: Regex::new(&range).ok()?,
                find: Regex::new(&find).ok()?,
                valid: Regex::new(&valid).ok()?,
            })
        })
        .as_ref()
}

fn no_patterns() -> String {
    "semver: internal pattern error".to_string()
}

/// A parsed semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn parse_segment(digits: &str) -> Result<u64, String> {
    digits.parse().map_err(|_| {
        format!(
            "Error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
            args::go_quote(digits)
        )
    })
}

/// Masterminds' `NewVersion`: the loose form (`v` prefix, missing minor and patch).
pub fn parse_version(text: &str) -> Result<Version, String> {
    let patterns = patterns().ok_or_else(no_patterns)?;
    let captures = patterns
        .version
        .captures(text)
        .ok_or_else(|| "Invalid Semantic Version".to_string())?;
    let group = |name: &str| captures.name(name).map_or("", |m| m.as_str());
    let major = parse_segment(group("major"))?;
    let minor = match group("minor") {
        "" => 0,
        dotted => parse_segment(&dotted[1..])?,
    };
    let patch = match group("patch") {
        "" => 0,
        dotted => parse_segment(&dotted[1..])?,
    };
    let pre = group("pre").to_string();
    // The pattern admits only valid identifiers; numeric ones must not start with 0.
    for part in pre.split('.').filter(|_| !pre.is_empty()) {
        if part.len() > 1 && part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()) {
            return Err("Version segment starts with 0".to_string());
        }
    }
    Ok(Version {
        major,
        minor,
        patch,
        pre,
        metadata: group("meta").to_string(),
        original: text.to_string(),
    })
}

/// One dot-separated prerelease identifier against another (the empty one is smaller).
fn compare_pre_part(left: &str, right: &str) -> Ordering {
    if left == right {
        return Ordering::Equal;
    }
    if left.is_empty() {
        return Ordering::Less;
    }
    if right.is_empty() {
        return Ordering::Greater;
    }
    match (left.parse::<u64>(), right.parse::<u64>()) {
        (Err(_), Err(_)) => left.cmp(right),
        // A number sorts before text; equal numbers spelt differently (`+1`?) cannot occur.
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(l), Ok(r)) if l > r => Ordering::Greater,
        (Ok(_), Ok(_)) => Ordering::Less,
    }
}

fn compare_prerelease(left: &str, right: &str) -> Ordering {
    let left: Vec<&str> = left.split('.').collect();
    let right: Vec<&str> = right.split('.').collect();
    for index in 0..left.len().max(right.len()) {
        let order = compare_pre_part(
            left.get(index).copied().unwrap_or(""),
            right.get(index).copied().unwrap_or(""),
        );
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

impl Version {
    /// Masterminds' `Compare`: numbers, then a release above its prereleases; metadata is
    /// ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        let numbers =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if numbers != Ordering::Equal {
            return numbers;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prerelease(&self.pre, &other.pre),
        }
    }
}

/// The operator of a single constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// One parsed constraint such as `>= 1.2.x`.
#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    version: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_wildcard(text: &str) -> bool {
    matches!(text, "x" | "X" | "*")
}

fn parse_constraint(text: &str, patterns: &Patterns) -> Result<Constraint, String> {
    let captures = patterns
        .constraint
        .captures(text)
        .ok_or_else(|| format!("improper constraint: {text}"))?;
    let group = |name: &str| captures.name(name).map_or("", |m| m.as_str());
    let op = match group("op") {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (major, minor, patch, pre) = (
        group("vmajor"),
        group("vminor"),
        group("vpatch"),
        group("vpre"),
    );
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let text = if is_wildcard(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if minor.is_empty() || is_wildcard(&minor[1..]) {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{pre}")
    } else if patch.is_empty() || is_wildcard(&patch[1..]) {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        group("v").to_string()
    };
    let version = parse_version(&text).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Constraint {
        op,
        version,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        let c = &self.version;
        // Only a constraint with a prerelease admits prerelease versions (all but `!=`).
        let prerelease_refused = !v.pre.is_empty() && c.pre.is_empty();
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if prerelease_refused {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            _ if prerelease_refused => false,
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }
}

/// Masterminds' `rewriteRange`: each `a - b` becomes `>= a, <= b ` (replacing the first
/// occurrence of the matched text each time, as Go's `strings.Replace(.., 1)` does).
fn rewrite_ranges(text: &str, patterns: &Patterns) -> String {
    let mut out = text.to_string();
    for captures in patterns.range.captures_iter(text) {
        let (Some(whole), Some(low), Some(high)) =
            (captures.get(0), captures.name("low"), captures.name("high"))
        else {
            continue;
        };
        let replacement = format!(">= {}, <= {} ", low.as_str(), high.as_str());
        out = out.replacen(whole.as_str(), &replacement, 1);
    }
    out
}

/// Masterminds' `NewConstraint`: alternatives at `||`, each a list of constraints that must
/// all hold.
fn parse_constraints(text: &str) -> Result<Vec<Vec<Constraint>>, String> {
    let patterns = patterns().ok_or_else(no_patterns)?;
    let rewritten = rewrite_ranges(text, patterns);
    let mut alternatives = Vec::new();
    for alternative in rewritten.split("||") {
        if !patterns.valid.is_match(alternative) {
            return Err(format!("improper constraint: {alternative}"));
        }
        let mut all = Vec::new();
        for found in patterns.find.find_iter(alternative) {
            all.push(parse_constraint(found.as_str(), patterns)?);
        }
        if all.is_empty() {
            all.push(parse_constraint(alternative, patterns)?);
        }
        alternatives.push(all);
    }
    Ok(alternatives)
}

/// Whether `version` satisfies the constraint text.
pub fn satisfies(constraint: &str, version: &str) -> Result<bool, String> {
    let alternatives = parse_constraints(constraint)?;
    let version = parse_version(version)?;
    Ok(alternatives
        .iter()
        .any(|all| all.iter().all(|c| c.check(&version))))
}

/// The template value of a version: a `*semver.Version` (`pointer`), or a `semver.Version`
/// as `IncMajor` and friends return it. Like Go's struct it has only unexported fields
/// (`%#v` shows them); templates reach the version through its methods (`method`). It
/// prints as its String form.
pub fn version_value(version: &Version, pointer: bool) -> Value {
    let number = uint64_value;
    Value::Record(Rc::new(Record {
        type_name: if pointer {
            VERSION_TYPE
        } else {
            VERSION_VALUE_TYPE
        },
        fields: vec![
            ("major", number(version.major)),
            ("minor", number(version.minor)),
            ("patch", number(version.patch)),
            ("pre", Value::str(version.pre.as_str())),
            ("metadata", Value::str(version.metadata.as_str())),
            ("original", Value::str(version.original.as_str())),
        ],
        string_form: Some(version.to_string()),
    }))
}

/// A `uint64` version number; one beyond i64 is kept as its decimal text, which prints the
/// same (arithmetic on it fails).
fn uint64_value(number: u64) -> Value {
    i64::try_from(number).map_or_else(
        |_| Value::str(number.to_string()),
        |number| {
            Value::Named(NamedInt {
                of: IntType::Uint64,
                number,
            })
        },
    )
}

/// Whether a record is a version, by pointer or by value.
pub fn is_version(record: &Record) -> bool {
    record.type_name == VERSION_TYPE || record.type_name == VERSION_VALUE_TYPE
}

/// The version a template value holds (`None` for anything else).
fn version_of(value: &Value) -> Option<Version> {
    let Value::Record(record) = value else {
        return None;
    };
    if !is_version(record) {
        return None;
    }
    let number = |name: &str| match record.field(name) {
        Some(Value::Named(named)) => u64::try_from(named.number).ok(),
        Some(Value::Str(text)) => text.parse().ok(),
        _ => None,
    };
    let text = |name: &str| match record.field(name) {
        Some(Value::Str(text)) => Some(text.to_string()),
        _ => None,
    };
    Some(Version {
        major: number("major")?,
        minor: number("minor")?,
        patch: number("patch")?,
        pre: text("pre")?,
        metadata: text("metadata")?,
        original: text("original")?,
    })
}

/// The number of parameters of a method of `*semver.Version` (`pointer`) or
/// `semver.Version`, `None` when it has no such method. A `semver.Version` (a method
/// result, never addressable in a template) lacks the pointer-receiver methods.
/// (`Scan`, `UnmarshalJSON` and `UnmarshalText` change their receiver and are left out.)
pub fn method_params(pointer: bool, name: &str) -> Option<usize> {
    match name {
        "String" | "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "IncPatch"
        | "IncMinor" | "IncMajor" | "MarshalJSON" | "MarshalText" | "Value" => Some(0),
        "SetPrerelease" | "SetMetadata" => Some(1),
        "Original" if pointer => Some(0),
        "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" | "Equal" | "Compare"
            if pointer =>
        {
            Some(1)
        }
        _ => None,
    }
}

/// Masterminds' `containsOnly`: every character of `text` is in `allowed` (true if empty).
fn contains_only(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    text.chars().all(allowed)
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Calls method `name` of a version value with arguments of the right count (the
/// executor checks it against `method_params`). Errors are Go's: argument conversion
/// messages, Masterminds' errors, or the runtime's for a nil version argument.
pub fn call_method(receiver: &Value, name: &str, values: &[Value]) -> Result<Value, String> {
    let version = version_of(receiver).ok_or_else(|| format!("{name}: not a version"))?;
    let number = uint64_value;
    // Masterminds' `originalVPrefix`: only a lower-case `v` is kept.
    let renamed = |mut next: Version| {
        let prefix = if version.original.starts_with('v') {
            "v"
        } else {
            ""
        };
        next.original = format!("{prefix}{next}");
        version_value(&next, false)
    };
    let string_arg = || match values.first() {
        Some(Value::Str(text)) => Ok(text.to_string()),
        Some(Value::Nil | Value::Missing) | None => {
            Err("invalid value; expected string".to_string())
        }
        Some(other) => Err(format!(
            "wrong type for value; expected string; got {}",
            other.go_type()
        )),
    };
    // A `*Version` parameter: nil (or no value) is a nil pointer.
    let version_arg = || -> Result<Option<Version>, String> {
        match values.first() {
            Some(Value::Nil | Value::Missing) | None => Ok(None),
            Some(Value::Record(record)) if record.type_name == VERSION_TYPE => {
                Ok(version_of(&values[0]))
            }
            Some(other) => Err(format!(
                "wrong type for value; expected {VERSION_TYPE}; got {}",
                other.go_type()
            )),
        }
    };
    let nil_pointer =
        || "runtime error: invalid memory address or nil pointer dereference".to_string();
    let bytes = |text: String| {
        Value::list(
            "uint8",
            text.bytes()
                .map(|byte| Value::Int(i64::from(byte)))
                .collect(),
        )
    };
    Ok(match name {
        "String" => Value::str(version.to_string()),
        "Original" => Value::str(version.original.as_str()),
        "Major" => number(version.major),
        "Minor" => number(version.minor),
        "Patch" => number(version.patch),
        "Prerelease" => Value::str(version.pre.as_str()),
        "Metadata" => Value::str(version.metadata.as_str()),
        "IncPatch" => {
            let mut next = version.clone();
            if version.pre.is_empty() {
                next.patch = version.patch.wrapping_add(1);
            }
            next.pre.clear();
            next.metadata.clear();
            renamed(next)
        }
        "IncMinor" => {
            let mut next = version.clone();
            next.minor = version.minor.wrapping_add(1);
            next.patch = 0;
            next.pre.clear();
            next.metadata.clear();
            renamed(next)
        }
        "IncMajor" => {
            let mut next = version.clone();
            next.major = version.major.wrapping_add(1);
            next.minor = 0;
            next.patch = 0;
            next.pre.clear();
            next.metadata.clear();
            renamed(next)
        }
        "SetPrerelease" => {
            let pre = string_arg()?;
            for part in pre.split('.').filter(|_| !pre.is_empty()) {
                if contains_only(part, |c| c.is_ascii_digit()) {
                    if part.len() > 1 && part.starts_with('0') {
                        return Err("Version segment starts with 0".to_string());
                    }
                } else if !contains_only(part, is_identifier_char) {
                    return Err("Invalid Prerelease string".to_string());
                }
            }
            renamed(Version {
                pre,
                ..version.clone()
            })
        }
        "SetMetadata" => {
            let metadata = string_arg()?;
            if !metadata.is_empty()
                && !metadata
                    .split('.')
                    .all(|part| contains_only(part, is_identifier_char))
            {
                return Err("Invalid Metadata string".to_string());
            }
            renamed(Version {
                metadata,
                ..version.clone()
            })
        }
        "Equal" => Value::Bool(version_arg()?.is_some_and(|other| version.compare(&other).is_eq())),
        "Compare" | "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" => {
            let order = version.compare(&version_arg()?.ok_or_else(nil_pointer)?);
            match name {
                "Compare" => Value::Int(order as i64),
                "LessThan" => Value::Bool(order.is_lt()),
                "LessThanEqual" => Value::Bool(order.is_le()),
                "GreaterThan" => Value::Bool(order.is_gt()),
                _ => Value::Bool(order.is_ge()),
            }
        }
        "MarshalJSON" => {
            let mut text = String::new();
            crate::template::funcs::json::write_string(&mut text, &version.to_string(), true);
            bytes(text)
        }
        "MarshalText" => bytes(version.to_string()),
        "Value" => Value::str(version.to_string()),
        _ => {
            return Err(format!(
                "can't evaluate field {name} in type {}",
                receiver.go_type()
            ))
        }
    })
}

/// `semver(version string) (*semver.Version, error)`.
pub fn semver(values: &[Value]) -> FuncResult {
    arity("semver", values, 1)?;
    let text = args::string(&values[0])?;
    Ok(version_value(&parse_version(&text)?, true))
}

/// `semverCompare(constraint, version string) (bool, error)`.
pub fn semver_compare(values: &[Value]) -> FuncResult {
    arity("semverCompare", values, 2)?;
    let constraint = args::string(&values[0])?;
    let version = args::string(&values[1])?;
    satisfies(&constraint, &version).map(Value::Bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(constraint: &str, version: &str) -> bool {
        satisfies(constraint, version).unwrap_or_else(|e| panic!("{constraint} {version}: {e}"))
    }

    #[test]
    fn parses_loose_versions() {
        let v = parse_version("v1.2-beta.1+b.5").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 0));
        assert_eq!((v.pre.as_str(), v.metadata.as_str()), ("beta.1", "b.5"));
        assert_eq!(v.to_string(), "1.2.0-beta.1+b.5");
        assert_eq!(v.original, "v1.2-beta.1+b.5");
        assert_eq!(
            parse_version("1.2.3.4").unwrap_err(),
            "Invalid Semantic Version"
        );
        assert_eq!(
            parse_version("1.0.0-01").unwrap_err(),
            "Version segment starts with 0"
        );
        assert!(parse_version("99999999999999999999")
            .unwrap_err()
            .contains("value out of range"));
        assert!(parse_version("").is_err());
    }

    #[test]
    fn orders_prereleases() {
        let order = |a: &str, b: &str| {
            parse_version(a)
                .unwrap()
                .compare(&parse_version(b).unwrap())
        };
        assert_eq!(order("1.0.0-alpha", "1.0.0"), Ordering::Less);
        assert_eq!(order("1.0.0-alpha.1", "1.0.0-alpha"), Ordering::Greater);
        assert_eq!(order("1.0.0-2", "1.0.0-10"), Ordering::Less);
        assert_eq!(order("1.0.0-a", "1.0.0-1"), Ordering::Greater);
        assert_eq!(order("1.0.0+a", "1.0.0+b"), Ordering::Equal);
    }

    #[test]
    fn checks_constraints() {
        assert!(check("^1.2", "1.9.0"));
        assert!(!check("^1.2", "2.0.0"));
        assert!(check("~1.2.3", "1.2.9"));
        assert!(!check("~1.2.3", "1.3.0"));
        assert!(check("1.2.x", "1.2.7"));
        assert!(check(">= 1.2, < 3.0.0 || >= 4.2.3", "4.3.0"));
        assert!(!check(">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0"));
        assert!(check("1.2 - 1.4.5", "1.4.5"));
        assert!(!check("1.2 - 1.4.5", "1.4.6"));
        assert!(!check(">1.0", "1.5.0-beta"));
        assert!(check(">1.0-0", "1.5.0-beta"));
        assert!(check("!=1.2.3", "1.2.4"));
        assert!(check("*", "0.0.1"));
        assert!(check("^0.2.3", "0.2.9"));
        assert!(!check("^0.2.3", "0.3.0"));
        assert_eq!(
            satisfies("!! 1.2", "1.2.3").unwrap_err(),
            "improper constraint: !! 1.2"
        );
        assert_eq!(
            satisfies("1x.2", "1.2.3").unwrap_err(),
            "constraint Parser Error"
        );
    }
}
