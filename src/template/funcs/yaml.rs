//! YAML as docker-gen's `fromYaml`/`toYaml` see it (gopkg.in/yaml.v3), for the common subset:
//! block mappings and sequences, flow collections on one line, plain, quoted and block
//! scalars, comments. The encoder writes yaml.v3's layout (4-space indent, `-   ` before a
//! nested block, sorted map keys, quoting of strings that would read back as something else).
//! Anchors, tags and multi-document streams are not supported (they are errors).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::semver;
use crate::template::funcs::sprig_date;
use crate::template::value::IntType;
use crate::template::Value;

// ---------------------------------------------------------------------------------------------
// Encoding.

/// yaml.v3's `Marshal` of a value.
pub fn to_yaml(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    match node(value) {
        Node::Map(entries) if !entries.is_empty() => emit_map(&mut out, &entries, 0, false, 0)?,
        Node::List(items) if !items.is_empty() => emit_list(&mut out, &items, 0, false, 0)?,
        other => {
            // A top-level scalar is indented like a flow node: by the best indent, four.
            let (text, block) = scalar_text(&other, 4);
            out.push_str(&text);
            if !block {
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// A value as yaml.v3 sees it: records become maps with lower-cased field names.
enum Node {
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
    Scalar(Value),
}

fn node(value: &Value) -> Node {
    match value {
        // yaml.v3 writes a nil map as `{}` and a nil slice as `[]`; only nil pointers and
        // interfaces are `null`.
        Value::Map(map) => {
            let mut entries: Vec<(String, Value)> = args::map_entries(map)
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect();
            entries.sort_by(|a, b| natural_order(&a.0, &b.0));
            Node::Map(entries)
        }
        // A semantic version is a TextMarshaler: its String form.
        Value::Record(record) if semver::is_version(record) => Node::Scalar(Value::str(
            record.string_form.as_deref().unwrap_or_default(),
        )),
        // Unexported fields (a `*time.Location`'s) are left out.
        Value::Record(record) => Node::Map(
            record
                .fields
                .iter()
                .filter(|(name, _)| !name.starts_with(|c: char| c.is_ascii_lowercase()))
                .map(|(name, v)| (name.to_ascii_lowercase(), v.clone()))
                .collect(),
        ),
        Value::List(list) => Node::List(list.items.clone()),
        Value::Containers(containers) => Node::List(containers.items.clone()),
        other => Node::Scalar(other.clone()),
    }
}

/// yaml.v3's key order: letters by code point, digit runs by numeric value.
fn natural_order(left: &str, right: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let a: Vec<char> = left.chars().collect();
    let b: Vec<char> = right.chars().collect();
    let mut digits = false;
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] == b[i] {
            digits = a[i].is_numeric();
            i += 1;
            continue;
        }
        let (al, bl) = (a[i].is_alphabetic(), b[i].is_alphabetic());
        if al && bl {
            return a[i].cmp(&b[i]);
        }
        if al || bl {
            let a_first = if digits { al } else { bl };
            return if a_first {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn): (i128, i128) = (0, 0);
        if a[i] == '0' || b[i] == '0' {
            let mut j = i;
            while j > 0 && a[j - 1].is_ascii_digit() {
                j -= 1;
                if a[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && a[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i128::from(a[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && b[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i128::from(b[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return a[i].cmp(&b[i]);
    }
    a.len().cmp(&b.len())
}

fn column(out: &str) -> usize {
    out.rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
}

/// Moves to `indent`: a new line unless `inline` (then pads the current line).
fn position(out: &mut String, indent: usize, inline: bool) {
    if inline {
        let current = column(out);
        for _ in current..indent {
            out.push(' ');
        }
    } else {
        if !out.is_empty() {
            out.push('\n');
        }
        for _ in 0..indent {
            out.push(' ');
        }
    }
}

/// yaml.v3's indentation of a node nested in one indented by `parent`: two more inside a
/// sequence item (the content follows "- "), else the next multiple of four.
fn child_indent(parent: usize, in_sequence: bool) -> usize {
    if in_sequence {
        parent + 2
    } else {
        4 * ((parent + 4) / 4)
    }
}

/// Writes a value after `key:` or `-` of a node indented by `parent`.
fn emit_value(
    out: &mut String,
    value: &Value,
    parent: usize,
    in_sequence: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > 500 {
        return Err("yaml: exceeded max depth".to_string());
    }
    let indent = child_indent(parent, in_sequence);
    match node(value) {
        Node::Map(entries) if !entries.is_empty() => {
            emit_map(out, &entries, indent, in_sequence, depth + 1)
        }
        Node::List(items) if !items.is_empty() => {
            emit_list(out, &items, indent, in_sequence, depth + 1)
        }
        other => {
            let (text, _) = scalar_text(&other, indent);
            out.push(' ');
            out.push_str(&text);
            if text.ends_with('\n') {
                out.pop();
            }
            Ok(())
        }
    }
}

fn emit_map(
    out: &mut String,
    entries: &[(String, Value)],
    indent: usize,
    inline: bool,
    depth: usize,
) -> Result<(), String> {
    for (index, (key, value)) in entries.iter().enumerate() {
        position(out, indent, inline && index == 0);
        out.push_str(&string_scalar(key, indent, true).0);
        out.push(':');
        emit_value(out, value, indent, false, depth)?;
    }
    if depth == 0 {
        out.push('\n');
    }
    Ok(())
}

fn emit_list(
    out: &mut String,
    items: &[Value],
    indent: usize,
    inline: bool,
    depth: usize,
) -> Result<(), String> {
    for (index, item) in items.iter().enumerate() {
        position(out, indent, inline && index == 0);
        out.push('-');
        emit_value(out, item, indent, true, depth)?;
    }
    if depth == 0 {
        out.push('\n');
    }
    Ok(())
}

/// The text of a scalar node; the flag says it is a block scalar ending in a newline.
fn scalar_text(node: &Node, indent: usize) -> (String, bool) {
    match node {
        Node::Map(_) => ("{}".to_string(), false),
        Node::List(_) => ("[]".to_string(), false),
        Node::Scalar(value) => match value {
            Value::Nil | Value::Missing => ("null".to_string(), false),
            Value::Bool(flag) => (flag.to_string(), false),
            Value::Int(number) => (number.to_string(), false),
            // A named integer (`time.Month`) is written as its number.
            // yaml.v3 writes a Duration as its String form.
            Value::Named(named) if named.of == IntType::Duration => {
                (named.text().unwrap_or_default(), false)
            }
            Value::Named(named) => (named.number.to_string(), false),
            Value::Float(number) => (format_float(*number), false),
            Value::Str(text) => string_scalar(text, indent, false),
            Value::Time(time) => (time.rfc3339.clone(), false),
            _ => ("null".to_string(), false),
        },
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` with YAML's names for the special values.
fn format_float(number: f64) -> String {
    if number.is_nan() {
        return ".nan".to_string();
    }
    if number.is_infinite() {
        return if number > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    if number == 0.0 {
        return if number.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let scientific = format!("{number:e}");
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // 'g' with the shortest precision switches to an exponent from 1e6 on.
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{number}")
}

/// How a string is written: plain when it reads back as the same string, else quoted, or a
/// literal block when it has line breaks.
fn string_scalar(text: &str, indent: usize, is_key: bool) -> (String, bool) {
    let flags = analyze(text);
    if text.contains('\n') {
        if flags.block_allowed && !is_key {
            return (literal_block(text, indent), true);
        }
        return (double_quoted(text), false);
    }
    if !resolves_to_string(text) {
        return (double_quoted(text), false);
    }
    if flags.block_plain_allowed && !(text.is_empty() && is_key) {
        return (text.to_string(), false);
    }
    if flags.single_quoted_allowed {
        return (format!("'{}'", text.replace('\'', "''")), false);
    }
    (double_quoted(text), false)
}

fn literal_block(text: &str, indent: usize) -> String {
    let chomp = if !text.ends_with('\n') {
        "-"
    } else if text == "\n" || text.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let indicator = if text.starts_with([' ', '\n']) {
        "4"
    } else {
        ""
    };
    let mut out = format!("|{indicator}{chomp}\n");
    let body = text.strip_suffix('\n').unwrap_or(text);
    for line in body.split('\n') {
        if !line.is_empty() {
            for _ in 0..indent {
                out.push(' ');
            }
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !is_printable(c) => {
                let code = c as u32;
                let _ = if code <= 0xFF {
                    write!(out, "\\x{code:02X}")
                } else if code <= 0xFFFF {
                    write!(out, "\\u{code:04X}")
                } else {
                    write!(out, "\\U{code:08X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What libyaml's `analyze_scalar` allows for a string in block context.
struct ScalarFlags {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `is_printable` (in Unicode mode).
fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
        && c != '\u{feff}'
}

/// libyaml's `yaml_emitter_analyze_scalar`, for block context.
fn analyze(text: &str) -> ScalarFlags {
    if text.is_empty() {
        return ScalarFlags {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let (mut line_breaks, mut special, mut tabs) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (index, c) in chars.iter().copied().enumerate() {
        let followed_by_whitespace = chars
            .get(index + 1)
            .is_none_or(|n| *n == ' ' || *n == '\t' || is_break(*n));
        if index == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        let last = index + 1 == chars.len();
        if c == ' ' {
            leading_space |= index == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= index == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
    }
    let mut flags = ScalarFlags {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space
        || leading_break
        || trailing_space
        || trailing_break
        || line_breaks
        || block_indicators
    {
        flags.block_plain_allowed = false;
    }
    if trailing_space || space_break || special {
        flags.block_allowed = false;
    }
    if break_space || space_break || tabs || special {
        flags.block_plain_allowed = false;
        flags.single_quoted_allowed = false;
    }
    flags
}

/// True when a plain scalar `text` resolves to a string (not null, bool, number, timestamp).
fn resolves_to_string(text: &str) -> bool {
    if matches!(
        text,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) {
        return false;
    }
    if matches!(resolve_plain(text), Value::Str(_)) {
        !looks_like_timestamp(text) && !is_base60(text)
    } else {
        false
    }
}

fn looks_like_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
}

fn is_base60(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let Some((head, tail)) = body.split_once(':') else {
        return false;
    };
    !head.is_empty()
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && tail.split(':').all(|part| {
            let digits = part.split('.').next().unwrap_or("");
            !digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit())
        })
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/// Resolves a plain scalar as yaml.v3 does into `interface{}`.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Nil,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(time) = resolve_timestamp(text) {
        return time;
    }
    let plain = text.replace('_', "");
    let body = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
    let integer_like = !body.is_empty()
        && (body.bytes().all(|b| b.is_ascii_digit())
            || body.starts_with("0x")
            || body.starts_with("0o")
            || body.starts_with("0b"));
    if integer_like {
        let parsed = if let Some(octal) = body.strip_prefix("0o") {
            i64::from_str_radix(octal, 8)
                .ok()
                .map(|n| if plain.starts_with('-') { -n } else { n })
        } else {
            args::parse_go_int(&plain)
        };
        if let Some(number) = parsed {
            return Value::Int(number);
        }
        if body.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(number) = plain.parse::<f64>() {
                return Value::Float(number);
            }
        }
    }
    let float_like = !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().all(|b| {
            b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'+' || b == b'-'
        })
        && !body.starts_with(['e', 'E']);
    if float_like {
        if let Ok(number) = plain.parse::<f64>() {
            return Value::Float(number);
        }
    }
    Value::str(text)
}

/// yaml.v3's `parseTimestamp`: text starting `YYYY-` in one of its four layouts becomes a
/// `time.Time` (in UTC, or a fixed zone for a parsed non-zero offset).
fn resolve_timestamp(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    [
        "2006-1-2T15:4:5.999999999Z07:00",
        "2006-1-2t15:4:5.999999999Z07:00",
        "2006-1-2 15:4:5.999999999",
        "2006-1-2",
    ]
    .iter()
    .find_map(|layout| sprig_date::parse_layout_zoned(layout, text).ok())
    .map(|(_, _, time)| time)
}

struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    position: usize,
}

fn error(line: usize, message: &str) -> String {
    format!("yaml: line {line}: {message}")
}

/// Removes a trailing comment (` #...`) outside quotes.
fn strip_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    let (mut single, mut double) = (false, false);
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single
                && !double
                && (index == 0 || bytes[index - 1] == b' ' || bytes[index - 1] == b'\t') =>
            {
                return text[..index].trim_end();
            }
            _ => {}
        }
    }
    text.trim_end()
}

/// Decodes one YAML document into a generic value (yaml.v3 into `interface{}`).
pub fn from_yaml(source: &str) -> Result<Value, String> {
    let mut lines = Vec::new();
    let mut raw_lines: Vec<&str> = source.split('\n').collect();
    if raw_lines.last() == Some(&"") {
        raw_lines.pop();
    }
    for (index, raw) in raw_lines.iter().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.contains('\t') && raw.trim_start_matches(' ').starts_with('\t') {
            return Err(error(
                index + 1,
                "found character that cannot start any token",
            ));
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        lines.push(Line {
            number: index + 1,
            indent,
            text: &raw[indent..],
        });
    }
    let mut parser = Parser { lines, position: 0 };
    parser.skip_blank();
    if let Some(line) = parser.lines.get(parser.position) {
        if line.indent == 0 && (line.text == "---" || line.text.starts_with("--- ")) {
            let rest = line.text[3..].trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(error(
                    line.number,
                    "inline content after document start is not supported",
                ));
            }
            parser.position += 1;
        }
    }
    parser.skip_blank();
    if parser.position >= parser.lines.len() {
        return Ok(Value::Nil);
    }
    let value = parser.block(0, 0)?;
    parser.skip_blank();
    if let Some(line) = parser.lines.get(parser.position) {
        if line.text.starts_with("---") || line.text.starts_with("...") {
            return Ok(value);
        }
        return Err(error(line.number, "did not find expected <document start>"));
    }
    Ok(value)
}

impl<'a> Parser<'a> {
    fn skip_blank(&mut self) {
        while let Some(line) = self.lines.get(self.position) {
            if strip_comment(line.text).is_empty() {
                self.position += 1;
            } else {
                break;
            }
        }
    }

    /// Parses the block node starting at the current line, which is indented by `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Result<Value, String> {
        if depth > 200 {
            return Err("yaml: exceeded max depth".to_string());
        }
        self.skip_blank();
        let Some(line) = self.lines.get(self.position) else {
            return Ok(Value::Nil);
        };
        let text = strip_comment(line.text);
        if text == "-" || text.starts_with("- ") {
            return self.sequence(line.indent, depth);
        }
        if split_key(text).is_some() {
            return self.mapping(line.indent, depth);
        }
        let number = line.number;
        let _ = indent;
        self.position += 1;
        // A multi-line plain scalar: following more-indented lines are folded with spaces.
        let mut folded = text.to_string();
        while let Some(next) = self.lines.get(self.position) {
            let next_text = strip_comment(next.text);
            if next_text.is_empty() || next.indent <= line_indent_of(&self.lines, number) {
                break;
            }
            folded.push(' ');
            folded.push_str(next_text);
            self.position += 1;
        }
        inline_value(&folded, number, depth)
    }

    fn sequence(&mut self, indent: usize, depth: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            let Some(line) = self.lines.get(self.position) else {
                break;
            };
            let text = strip_comment(line.text);
            if line.indent != indent || !(text == "-" || text.starts_with("- ")) {
                if line.indent > indent {
                    return Err(error(line.number, "did not find expected '-' indicator"));
                }
                break;
            }
            let number = line.number;
            let rest = text[1..].trim_start();
            if rest.is_empty() {
                self.position += 1;
                self.skip_blank();
                match self.lines.get(self.position) {
                    Some(next) if next.indent > indent => {
                        items.push(self.block(next.indent, depth + 1)?)
                    }
                    _ => items.push(Value::Nil),
                }
                continue;
            }
            // The item's content starts on this line at column indent + offset.
            let offset = text.len() - rest.len();
            let inner_indent = indent + offset;
            if rest.starts_with("- ") || rest == "-" || split_key(rest).is_some() {
                let original = &self.lines[self.position];
                let shifted = Line {
                    number: original.number,
                    indent: inner_indent,
                    text: &original.text[offset..],
                };
                self.lines[self.position] = shifted;
                items.push(self.block(inner_indent, depth + 1)?);
            } else if rest.starts_with('|') || rest.starts_with('>') {
                self.position += 1;
                items.push(Value::str(self.block_scalar(rest, indent, number)?));
            } else {
                self.position += 1;
                items.push(inline_value(rest, number, depth)?);
            }
        }
        Ok(args::new_list(items))
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Result<Value, String> {
        let mut entries = BTreeMap::new();
        loop {
            self.skip_blank();
            let Some(line) = self.lines.get(self.position) else {
                break;
            };
            if line.indent < indent {
                break;
            }
            let number = line.number;
            let text = strip_comment(line.text);
            if line.indent > indent {
                return Err(error(
                    number,
                    "mapping values are not allowed in this context",
                ));
            }
            if text == "-"
                || text.starts_with("- ")
                || text.starts_with("---")
                || text.starts_with("...")
            {
                break;
            }
            let Some((key, rest)) = split_key(text) else {
                return Err(error(number, "could not find expected ':'"));
            };
            let key = key_text(key, number)?;
            self.position += 1;
            let value = if rest.is_empty() {
                self.skip_blank();
                match self.lines.get(self.position) {
                    Some(next) if next.indent > indent => self.block(next.indent, depth + 1)?,
                    Some(next)
                        if next.indent == indent && {
                            let t = strip_comment(next.text);
                            t == "-" || t.starts_with("- ")
                        } =>
                    {
                        self.sequence(indent, depth + 1)?
                    }
                    _ => Value::Nil,
                }
            } else if rest.starts_with('|') || rest.starts_with('>') {
                Value::str(self.block_scalar(rest, indent, number)?)
            } else {
                let mut folded = rest.to_string();
                while let Some(next) = self.lines.get(self.position) {
                    let next_text = strip_comment(next.text);
                    if next_text.is_empty()
                        || next.indent <= indent
                        || split_key(next_text).is_some()
                    {
                        break;
                    }
                    folded.push(' ');
                    folded.push_str(next_text);
                    self.position += 1;
                }
                inline_value(&folded, number, depth)?
            };
            if entries.insert(key.clone(), value).is_some() {
                return Err(error(
                    number,
                    &format!("mapping key {} already defined", args::go_quote(&key)),
                ));
            }
        }
        Ok(args::new_dict(entries))
    }

    /// A `|` or `>` block scalar whose lines follow, more indented than `parent`.
    fn block_scalar(
        &mut self,
        header: &str,
        parent: usize,
        number: usize,
    ) -> Result<String, String> {
        let folded = header.starts_with('>');
        let flags = &header[1..];
        let chomp = if flags.contains('-') {
            '-'
        } else if flags.contains('+') {
            '+'
        } else {
            ' '
        };
        let explicit: Option<usize> = flags
            .chars()
            .find(|c| c.is_ascii_digit())
            .and_then(|c| c.to_digit(10))
            .map(|d| d as usize);
        let mut body: Vec<String> = Vec::new();
        let mut block_indent: Option<usize> = explicit.map(|d| parent + d);
        while let Some(line) = self.lines.get(self.position) {
            if line.text.is_empty() {
                body.push(String::new());
                self.position += 1;
                continue;
            }
            let wanted = *block_indent.get_or_insert(line.indent);
            if line.indent < wanted || line.indent <= parent {
                break;
            }
            let raw_line = &self.lines[self.position];
            let full = " ".repeat(raw_line.indent - wanted) + raw_line.text;
            body.push(full);
            self.position += 1;
        }
        if block_indent.is_none() && body.is_empty() && number == 0 {
            return Ok(String::new());
        }
        let trailing_blank = body.iter().rev().take_while(|l| l.is_empty()).count();
        let content = &body[..body.len() - trailing_blank];
        let mut text = if folded {
            let mut out = String::new();
            for (index, line) in content.iter().enumerate() {
                if index > 0 {
                    let previous = &content[index - 1];
                    if line.is_empty()
                        || previous.is_empty()
                        || line.starts_with(' ')
                        || previous.starts_with(' ')
                    {
                        out.push('\n');
                    } else {
                        out.push(' ');
                    }
                }
                out.push_str(line);
            }
            out
        } else {
            content.join("\n")
        };
        if content.is_empty() {
            return Ok(String::new());
        }
        match chomp {
            '-' => {}
            '+' => {
                text.push('\n');
                for _ in 0..trailing_blank {
                    text.push('\n');
                }
            }
            _ => text.push('\n'),
        }
        Ok(text)
    }
}

fn line_indent_of(lines: &[Line<'_>], number: usize) -> usize {
    lines
        .iter()
        .find(|line| line.number == number)
        .map_or(0, |line| line.indent)
}

/// Splits `key: value` (or `key:`) outside quotes and brackets.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    if matches!(bytes.first(), Some(b'[' | b'{')) {
        return None;
    }
    let mut index = 0;
    if matches!(bytes.first(), Some(b'"' | b'\'')) {
        let quote = bytes[0];
        index = 1;
        while index < bytes.len() {
            if bytes[index] == b'\\' && quote == b'"' {
                index += 2;
                continue;
            }
            if bytes[index] == quote {
                if quote == b'\'' && bytes.get(index + 1) == Some(&b'\'') {
                    index += 2;
                    continue;
                }
                break;
            }
            index += 1;
        }
        index += 1;
    }
    while index < bytes.len() {
        if bytes[index] == b':' && (index + 1 == bytes.len() || bytes[index + 1] == b' ') {
            return Some((text[..index].trim_end(), text[index + 1..].trim()));
        }
        index += 1;
    }
    None
}

fn key_text(key: &str, number: usize) -> Result<String, String> {
    match inline_value(key, number, 0)? {
        Value::Str(text) => Ok(text.to_string()),
        Value::Nil => Ok(if key.is_empty() {
            String::new()
        } else {
            key.to_string()
        }),
        Value::Int(n) => Ok(n.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        _ => Ok(key.to_string()),
    }
}

/// A scalar or flow collection written on one line.
fn inline_value(text: &str, number: usize, depth: usize) -> Result<Value, String> {
    let mut reader = Flow {
        bytes: text.as_bytes(),
        text,
        index: 0,
        number,
    };
    let value = reader.value(depth)?;
    reader.skip_spaces();
    if reader.index < reader.bytes.len() {
        return Err(error(number, "did not find expected <document start>"));
    }
    Ok(value)
}

struct Flow<'a> {
    bytes: &'a [u8],
    text: &'a str,
    index: usize,
    number: usize,
}

impl Flow<'_> {
    fn skip_spaces(&mut self) {
        while self.index < self.bytes.len() && matches!(self.bytes[self.index], b' ' | b'\t') {
            self.index += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > 200 {
            return Err("yaml: exceeded max depth".to_string());
        }
        self.skip_spaces();
        match self.bytes.get(self.index) {
            Some(b'[') => self.flow_sequence(depth),
            Some(b'{') => self.flow_mapping(depth),
            Some(b'"') => self.double_quoted().map(Value::str),
            Some(b'\'') => self.single_quoted().map(Value::str),
            Some(b'&' | b'*' | b'!') => Err(error(
                self.number,
                "anchors, aliases and tags are not supported",
            )),
            Some(b'|' | b'>') => Err(error(self.number, "unexpected block scalar")),
            _ => {
                let plain = self.plain(false);
                if plain.contains(": ") || plain.ends_with(':') {
                    return Err(error(
                        self.number,
                        "mapping values are not allowed in this context",
                    ));
                }
                Ok(resolve_plain(&plain))
            }
        }
    }

    fn plain(&mut self, in_flow: bool) -> String {
        let start = self.index;
        while self.index < self.bytes.len() {
            let byte = self.bytes[self.index];
            if in_flow && matches!(byte, b',' | b']' | b'}') {
                break;
            }
            if in_flow
                && byte == b':'
                && matches!(
                    self.bytes.get(self.index + 1),
                    None | Some(b' ' | b',' | b']' | b'}')
                )
            {
                break;
            }
            self.index += 1;
        }
        self.text[start..self.index].trim().to_string()
    }

    fn double_quoted(&mut self) -> Result<String, String> {
        self.index += 1;
        let mut out = String::new();
        let mut chars = self.text[self.index..].char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '"' => {
                    self.index += offset + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, escape)) = chars.next() else {
                        break;
                    };
                    match escape {
                        'n' => out.push('\n'),
                        't' | '\t' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'a' => out.push('\u{7}'),
                        'b' => out.push('\u{8}'),
                        'e' => out.push('\u{1b}'),
                        'f' => out.push('\u{c}'),
                        'v' => out.push('\u{b}'),
                        ' ' => out.push(' '),
                        '/' => out.push('/'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'N' => out.push('\u{85}'),
                        '_' => out.push('\u{a0}'),
                        'L' => out.push('\u{2028}'),
                        'P' => out.push('\u{2029}'),
                        'x' | 'u' | 'U' => {
                            let width = match escape {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let mut code = String::new();
                            for _ in 0..width {
                                if let Some((_, digit)) = chars.next() {
                                    code.push(digit);
                                }
                            }
                            let decoded =
                                u32::from_str_radix(&code, 16).ok().and_then(char::from_u32);
                            match decoded {
                                Some(c) => out.push(c),
                                None => return Err(error(
                                    self.number,
                                    "found unknown escape character while parsing a quoted scalar",
                                )),
                            }
                        }
                        _ => {
                            return Err(error(
                                self.number,
                                "found unknown escape character while parsing a quoted scalar",
                            ))
                        }
                    }
                }
                c => out.push(c),
            }
        }
        Err(error(
            self.number,
            "found unexpected end of stream while scanning a quoted scalar",
        ))
    }

    fn single_quoted(&mut self) -> Result<String, String> {
        self.index += 1;
        let mut out = String::new();
        let rest = &self.text[self.index..];
        let mut chars = rest.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            if c == '\'' {
                if let Some((_, '\'')) = chars.peek() {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                self.index += offset + 1;
                return Ok(out);
            }
            out.push(c);
        }
        Err(error(
            self.number,
            "found unexpected end of stream while scanning a quoted scalar",
        ))
    }

    fn flow_sequence(&mut self, depth: usize) -> Result<Value, String> {
        self.index += 1;
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            match self.bytes.get(self.index) {
                Some(b']') => {
                    self.index += 1;
                    return Ok(args::new_list(items));
                }
                None => return Err(error(self.number, "did not find expected ',' or ']'")),
                _ => {}
            }
            let item = match self.bytes.get(self.index) {
                Some(b'[' | b'{' | b'"' | b'\'') => self.value(depth + 1)?,
                _ => resolve_plain(&self.plain(true)),
            };
            items.push(item);
            self.skip_spaces();
            match self.bytes.get(self.index) {
                Some(b',') => self.index += 1,
                Some(b']') => {}
                _ => return Err(error(self.number, "did not find expected ',' or ']'")),
            }
        }
    }

    fn flow_mapping(&mut self, depth: usize) -> Result<Value, String> {
        self.index += 1;
        let mut entries = BTreeMap::new();
        loop {
            self.skip_spaces();
            match self.bytes.get(self.index) {
                Some(b'}') => {
                    self.index += 1;
                    return Ok(args::new_dict(entries));
                }
                None => return Err(error(self.number, "did not find expected ',' or '}'")),
                _ => {}
            }
            let key = match self.bytes.get(self.index) {
                Some(b'"') => self.double_quoted()?,
                Some(b'\'') => self.single_quoted()?,
                _ => self.plain(true),
            };
            self.skip_spaces();
            let value = if self.bytes.get(self.index) == Some(&b':') {
                self.index += 1;
                self.skip_spaces();
                match self.bytes.get(self.index) {
                    Some(b'[' | b'{' | b'"' | b'\'') => self.value(depth + 1)?,
                    _ => resolve_plain(&self.plain(true)),
                }
            } else {
                Value::Nil
            };
            entries.insert(key, value);
            self.skip_spaces();
            match self.bytes.get(self.index) {
                Some(b',') => self.index += 1,
                Some(b'}') => {}
                _ => return Err(error(self.number, "did not find expected ',' or '}'")),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Template functions.

/// `fromYaml(s string)`: errors give nil.
pub fn from_yaml_fn(values: &[Value]) -> FuncResult {
    arity("fromYaml", values, 1)?;
    let text = args::string(&values[0])?;
    Ok(args::ret(from_yaml(&text).unwrap_or(Value::Nil)))
}

/// `mustFromYaml(s string)`.
pub fn must_from_yaml(values: &[Value]) -> FuncResult {
    arity("mustFromYaml", values, 1)?;
    from_yaml(&args::string(&values[0])?).map(args::ret)
}

/// `toYaml(v)`: errors give "".
pub fn to_yaml_fn(values: &[Value]) -> FuncResult {
    arity("toYaml", values, 1)?;
    Ok(Value::str(to_yaml(&values[0]).unwrap_or_default()))
}

/// `mustToYaml(v)`.
pub fn must_to_yaml(values: &[Value]) -> FuncResult {
    arity("mustToYaml", values, 1)?;
    to_yaml(&values[0]).map(Value::str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::json::to_json;

    fn json_of(yaml: &str) -> String {
        to_json(&from_yaml(yaml).unwrap(), false, true)
    }

    #[test]
    fn decodes_block_structures() {
        let text = "# comment\na: 1\nb:\n  c: two\n  d: [1, 'x', \"y\\n\"]\nlist:\n- one\n- k: v\n  k2: 2.5\n-\n  - nested\nempty:\nflag: true\nnull_value: ~\nquoted: \"1\"\n";
        assert_eq!(
            json_of(text),
            r#"{"a":1,"b":{"c":"two","d":[1,"x","y\n"]},"empty":null,"flag":true,"list":["one",{"k":"v","k2":2.5},["nested"]],"null_value":null,"quoted":"1"}"#
        );
    }

    #[test]
    fn decodes_scalars_and_blocks() {
        assert_eq!(json_of("hello"), r#""hello""#);
        assert_eq!(json_of("0x10"), "16");
        assert_eq!(json_of("1e3"), "1000");
        // yaml.v3 decodes an unquoted timestamp into interface{} as a time.Time.
        assert_eq!(json_of("2001-12-14"), r#""2001-12-14T00:00:00Z""#);
        assert_eq!(
            json_of("a: |\n  line1\n  line2\nb: x\n"),
            r#"{"a":"line1\nline2\n","b":"x"}"#
        );
        assert_eq!(json_of("a: >-\n  one\n  two\n"), r#"{"a":"one two"}"#);
        assert_eq!(
            json_of("a: {x: 1, y: [a, b]}"),
            r#"{"a":{"x":1,"y":["a","b"]}}"#
        );
        assert_eq!(json_of("- a: 1\n  b: 2\n- c"), r#"[{"a":1,"b":2},"c"]"#);
        assert!(matches!(from_yaml(""), Ok(Value::Nil)));
        assert!(from_yaml("a: 1\na: 2").is_err());
        assert!(from_yaml("a: [1, 2").is_err());
        assert!(from_yaml("a: 'x").is_err());
    }

    #[test]
    fn encodes_like_yaml_v3() {
        let value = from_yaml("b:\n  - 1\n  - x: 1\n    y: true\na: hello\nc: {}\nd: []\ne: ''\nf: 'true'\ng: '- x'\nh: \"a\\nb\"\n").unwrap();
        assert_eq!(
            to_yaml(&value).unwrap(),
            "a: hello\nb:\n    - 1\n    - x: 1\n      \"y\": true\nc: {}\nd: []\ne: \"\"\nf: \"true\"\ng: '- x'\nh: |-\n    a\n    b\n"
        );
        assert_eq!(to_yaml(&Value::str("x")).unwrap(), "x\n");
        assert_eq!(to_yaml(&Value::Nil).unwrap(), "null\n");
        assert_eq!(to_yaml(&Value::Float(1.5)).unwrap(), "1.5\n");
        assert_eq!(to_yaml(&Value::Float(1e6)).unwrap(), "1e+06\n");
        assert_eq!(
            to_yaml(&args::new_list(vec![args::new_list(vec![Value::Int(1)])])).unwrap(),
            "- - 1\n"
        );
    }

    #[test]
    fn nested_indentation() {
        let value = from_yaml("a:\n  - b:\n      c: [1, 2]\n    d: x\n  - - z\n").unwrap();
        assert_eq!(
            to_yaml(&value).unwrap(),
            "a:\n    - b:\n        c:\n            - 1\n            - 2\n      d: x\n    - - z\n"
        );
        let list = from_yaml("- k: |\n    l1\n    l2\n").unwrap();
        assert_eq!(to_yaml(&list).unwrap(), "- k: |\n    l1\n    l2\n");
    }

    #[test]
    fn string_quoting_styles() {
        let yaml = |text: &str| to_yaml(&Value::str(text)).unwrap();
        assert_eq!(yaml("a: b"), "'a: b'\n");
        assert_eq!(yaml("#x"), "'#x'\n");
        assert_eq!(yaml("x #y"), "'x #y'\n");
        assert_eq!(yaml("x#y"), "x#y\n");
        assert_eq!(yaml("a\tb"), "\"a\\tb\"\n");
        assert_eq!(yaml(" lead"), "' lead'\n");
        assert_eq!(yaml("it's"), "it's\n");
        assert_eq!(yaml("- x"), "'- x'\n");
        assert_eq!(yaml("-x"), "-x\n");
        assert_eq!(yaml("1.5"), "\"1.5\"\n");
        assert_eq!(yaml("yes"), "\"yes\"\n");
        assert_eq!(yaml("a\nb"), "|-\n    a\n    b\n");
        assert_eq!(yaml("trailing \nline"), "\"trailing \\nline\"\n");
    }

    #[test]
    fn decodes_nginx_proxy_multiport_values() {
        let text = "host1.example.com:\n  \"/\":\n    port: 8080\n  \"/api\":\n    port: 9000\n    dest: \"/\"\nhost2.example.com:\n";
        assert_eq!(
            json_of(text),
            r#"{"host1.example.com":{"/":{"port":8080},"/api":{"dest":"/","port":9000}},"host2.example.com":null}"#
        );
        assert_eq!(
            json_of("{a.example.com: {}, b.example.com: {\"/x\": {port: 81}}}"),
            r#"{"a.example.com":{},"b.example.com":{"/x":{"port":81}}}"#
        );
        assert_eq!(json_of("  a:\n    b: 1\n"), r#"{"a":{"b":1}}"#);
        assert!(from_yaml("a: b: c").is_err());
        assert!(from_yaml("a: 1\n b: 2").is_err());
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec!["a10", "a2", "b", "a1"];
        keys.sort_by(|a, b| natural_order(a, b));
        assert_eq!(keys, ["a1", "a2", "a10", "b"]);
    }
}
