//! sprig's string functions (`trim upper lower title substr trunc abbrev wrap indent quote cat
//! join split ...`). Go slices strings by byte; where that could cut a UTF-8 sequence the
//! result is repaired lossily instead of panicking.

use std::rc::Rc;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::dockergen::{go_lower, go_replace, go_split, go_split_each, go_upper};
use crate::template::funcs::sprig_lists::strslice;
use crate::template::value::{Key, Pairs};
use crate::template::Value;

/// `text[start..end]` by byte, repaired if it cuts a character.
fn byte_slice(text: &str, start: usize, end: usize) -> String {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let start = start.min(end);
    String::from_utf8_lossy(&bytes[start..end]).into_owned()
}

fn one_string(name: &str, values: &[Value]) -> Result<Rc<str>, String> {
    arity(name, values, 1)?;
    args::string(&values[0])
}

fn two_strings(name: &str, values: &[Value]) -> Result<(Rc<str>, Rc<str>), String> {
    arity(name, values, 2)?;
    Ok((args::string(&values[0])?, args::string(&values[1])?))
}

/// `trim(s)`: Go `strings.TrimSpace`.
pub fn trim(values: &[Value]) -> FuncResult {
    let text = one_string("trim", values)?;
    // Nothing to trim when both ends are ASCII and not white space: no call to the Unicode
    // trimming (measured: 239 -> 164 instructions per call).
    let kept = |byte: Option<&u8>| matches!(byte, Some(b) if b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' '));
    if kept(text.as_bytes().first()) && kept(text.as_bytes().last()) {
        return Ok(Value::Str(text));
    }
    let trimmed = text.trim();
    Ok(if trimmed.len() == text.len() {
        Value::Str(text)
    } else {
        Value::str(trimmed)
    })
}

/// `upper(s)`.
pub fn upper(values: &[Value]) -> FuncResult {
    Ok(Value::str(go_upper(&one_string("upper", values)?)))
}

/// `lower(s)`.
pub fn lower(values: &[Value]) -> FuncResult {
    Ok(Value::str(go_lower(&one_string("lower", values)?)))
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// `title(s)`: Go `strings.Title` (first letter of each word upper-cased).
pub fn title(values: &[Value]) -> FuncResult {
    let text = one_string("title", values)?;
    let mut previous = ' ';
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_separator(previous) {
            out.push_str(&go_upper(&c.to_string()));
        } else {
            out.push(c);
        }
        previous = c;
    }
    Ok(Value::str(out))
}

/// `untitle(s)`: the first letter of every whitespace-separated word lower-cased.
pub fn untitle(values: &[Value]) -> FuncResult {
    let text = one_string("untitle", values)?;
    // goutils.Uncapitalize: the first letter of every whitespace-separated word.
    let mut out = String::with_capacity(text.len());
    let mut word_start = true;
    for c in text.chars() {
        if c.is_whitespace() {
            word_start = true;
            out.push(c);
        } else if word_start {
            word_start = false;
            out.push_str(&go_lower(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push(c);
        }
    }
    Ok(Value::str(out))
}

/// `substr(start, end int, s)`: Go slicing; out-of-range slices are errors as in Go.
pub fn substr(values: &[Value]) -> FuncResult {
    arity("substr", values, 3)?;
    let start = args::int(&values[0])?;
    let end = args::int(&values[1])?;
    let text = args::string(&values[2])?;
    let length = text.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > length {
        (start, length)
    } else {
        (start, end)
    };
    if from < 0 || to < from || to > length {
        return Err(format!(
            "runtime error: slice bounds out of range [{from}:{to}]"
        ));
    }
    Ok(Value::str(byte_slice(&text, from as usize, to as usize)))
}

/// The largest string `repeat`, `indent` and friends may build.
const MAX_OUTPUT: usize = 64 << 20;

/// `repeat(count int, s)`.
pub fn repeat(values: &[Value]) -> FuncResult {
    arity("repeat", values, 2)?;
    let count = args::int(&values[0])?;
    let text = args::string(&values[1])?;
    if count < 0 {
        return Err("strings: negative Repeat count".to_string());
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if text
        .len()
        .checked_mul(count)
        .is_none_or(|total| total > MAX_OUTPUT)
    {
        return Err("strings: Repeat output length overflow".to_string());
    }
    Ok(Value::str(text.repeat(count)))
}

/// `trimAll(cutset, s)` (also `trimall`): Go `strings.Trim(s, cutset)`.
pub fn trim_all(values: &[Value]) -> FuncResult {
    let (cutset, text) = two_strings("trimAll", values)?;
    Ok(Value::str(text.trim_matches(|c: char| cutset.contains(c))))
}

/// `trimSuffix(suffix, s)`.
pub fn trim_suffix(values: &[Value]) -> FuncResult {
    let (suffix, text) = two_strings("trimSuffix", values)?;
    Ok(Value::str(text.strip_suffix(&*suffix).unwrap_or(&text)))
}

/// `trimPrefix(prefix, s)`.
pub fn trim_prefix(values: &[Value]) -> FuncResult {
    let (prefix, text) = two_strings("trimPrefix", values)?;
    Ok(Value::str(text.strip_prefix(&*prefix).unwrap_or(&text)))
}

/// `nospace(s)`: all white space removed (byte-wise, as goutils does).
pub fn nospace(values: &[Value]) -> FuncResult {
    let text = one_string("nospace", values)?;
    // goutils.DeleteWhiteSpace walks bytes, each taken as a Latin-1 rune; a string without
    // white-space bytes comes back unchanged.
    let kept: String = text
        .bytes()
        .map(char::from)
        .filter(|c| !c.is_whitespace())
        .collect();
    if kept.chars().count() == text.len() {
        return Ok(Value::str(&*text));
    }
    Ok(Value::str(kept))
}

/// `initials(s)`: the first byte of each white-space separated word, taken as a Latin-1
/// rune like goutils.Initials (so a non-ASCII first letter gives its lead byte, `é` → `Ã`).
pub fn initials(values: &[Value]) -> FuncResult {
    let text = one_string("initials", values)?;
    let mut out = String::new();
    let mut after_gap = true;
    for c in text.bytes().map(char::from) {
        if c.is_whitespace() {
            after_gap = true;
        } else if after_gap {
            out.push(c);
            after_gap = false;
        }
    }
    Ok(Value::str(out))
}

/// `swapcase(s)`.
pub fn swapcase(values: &[Value]) -> FuncResult {
    let text = one_string("swapcase", values)?;
    let swapped = text
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                go_lower(&c.to_string())
            } else if c.is_lowercase() {
                go_upper(&c.to_string())
            } else {
                c.to_string()
            }
        })
        .collect::<String>();
    Ok(Value::str(swapped))
}

/// The word classes of xstrings' case conversion.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `isAlphabet`: a letter that is not CJK.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && !matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// An approximation of Go's `unicode.IsPunct`.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c as u32, 0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011)
}

/// xstrings' `nextWord`: the class and length of the word at the start of `chars`.
fn next_word(chars: &[char]) -> (Word, usize) {
    let Some(&first) = chars.first() else {
        return (Word::Invalid, 0);
    };
    let run = |from: usize, test: &dyn Fn(char) -> bool| {
        from + chars[from..].iter().take_while(|c| test(**c)).count()
    };
    if is_connector(first) {
        (Word::Connector, run(1, &is_connector))
    } else if is_punct(first) {
        (Word::Punct, run(1, &is_punct))
    } else if first.is_uppercase() {
        match chars.get(1) {
            Some(second) if second.is_uppercase() => {
                let end = run(1, &|c: char| c.is_uppercase());
                // The last capital starts the next word when a lower-case letter follows it.
                if end < chars.len() && is_alphabet(chars[end]) {
                    (Word::Upper, end - 1)
                } else {
                    (Word::Upper, end)
                }
            }
            Some(second) if is_alphabet(*second) => (
                Word::Upper,
                run(1, &|c: char| is_alphabet(c) && !c.is_uppercase()),
            ),
            _ => (Word::Upper, 1),
        }
    } else if is_alphabet(first) {
        (
            Word::Alphabet,
            run(1, &|c: char| is_alphabet(c) && !c.is_uppercase()),
        )
    } else if first.is_numeric() {
        (Word::Number, run(1, &|c: char| c.is_numeric()))
    } else {
        let other = |c: char| !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c));
        (Word::Other, run(1, &other))
    }
}

/// xstrings' `toLower` of one word.
fn push_lower(out: &mut String, word: Word, text: &[char], connector: char) {
    if word != Word::Upper && word != Word::Connector {
        out.extend(text.iter());
        return;
    }
    for c in text {
        if is_connector(*c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push_str(&go_lower(&c.to_string()));
        } else {
            out.push(*c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (`snakecase`, `kebabcase`).
fn lower_case_words(text: &str, connector: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    let mut position = 0;
    let take = |position: &mut usize| -> (Word, Vec<char>) {
        let (word, length) = next_word(&chars[*position..]);
        let text = chars[*position..*position + length].to_vec();
        *position += length;
        (word, text)
    };
    let (mut word, mut current) = take(&mut position);
    while position < chars.len() {
        if word != Word::Connector {
            push_lower(&mut out, word, &current, connector);
        }
        let (previous, last) = (word, current);
        (word, current) = take(&mut position);
        match previous {
            Word::Number => {
                while word == Word::Alphabet || word == Word::Number {
                    push_lower(&mut out, word, &current, connector);
                    (word, current) = take(&mut position);
                }
                if !matches!(word, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, previous, &last, connector),
            Word::Punct => {}
            _ => {
                if word != Word::Number {
                    if !matches!(word, Word::Connector | Word::Punct) {
                        out.push(connector);
                    }
                    continue;
                }
                if position >= chars.len() {
                    continue;
                }
                let number = current;
                (word, current) = take(&mut position);
                if word != Word::Alphabet {
                    push_lower(&mut out, Word::Number, &number, connector);
                    if !matches!(word, Word::Connector | Word::Punct) {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, &number, connector);
                while word == Word::Alphabet || word == Word::Number {
                    push_lower(&mut out, word, &current, connector);
                    (word, current) = take(&mut position);
                }
                if !matches!(word, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, word, &current, connector);
    out
}

/// `snakecase(s)`: `FirstName` ⇒ `first_name`, `HTTPServer` ⇒ `http_server`.
pub fn snakecase(values: &[Value]) -> FuncResult {
    Ok(Value::str(lower_case_words(
        &one_string("snakecase", values)?,
        '_',
    )))
}

/// `kebabcase(s)`: `FirstName` ⇒ `first-name`.
pub fn kebabcase(values: &[Value]) -> FuncResult {
    Ok(Value::str(lower_case_words(
        &one_string("kebabcase", values)?,
        '-',
    )))
}

/// `camelcase(s)`: `http_server` ⇒ `HttpServer` (xstrings' ToPascalCase: the first letter and
/// each letter after a connector upper-cased, single connectors dropped).
pub fn camelcase(values: &[Value]) -> FuncResult {
    let text = one_string("camelcase", values)?;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < chars.len() && is_connector(chars[index]) {
        out.push(chars[index]);
        index += 1;
    }
    if index == chars.len() {
        return Ok(Value::str(out));
    }
    let mut current = go_upper(&chars[index].to_string())
        .chars()
        .next()
        .unwrap_or(chars[index]);
    index += 1;
    while index < chars.len() {
        let previous = current;
        current = chars[index];
        index += 1;
        if is_connector(current) && is_connector(previous) {
            out.push(previous);
            continue;
        }
        if is_connector(previous) {
            current = go_upper(&current.to_string())
                .chars()
                .next()
                .unwrap_or(current);
        } else {
            out.push(previous);
        }
    }
    out.push(current);
    Ok(Value::str(out))
}

/// goutils' `WrapCustom` (byte-based, as in Go).
fn wrap_custom(text: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = usize::try_from(width.max(1))
        .unwrap_or(usize::MAX / 4)
        .min(usize::MAX / 4);
    let bytes = text.as_bytes();
    let length = bytes.len();
    let mut out: Vec<u8> = Vec::with_capacity(length + 16);
    let mut offset = 0usize;
    while length - offset > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(length);
        let window = &bytes[offset..end];
        if let Some(space) = window.iter().rposition(|b| *b == b' ') {
            let wrap_at = space + offset;
            out.extend_from_slice(&bytes[offset..wrap_at]);
            out.extend_from_slice(newline.as_bytes());
            offset = wrap_at + 1;
        } else if wrap_long {
            let end = width + offset;
            out.extend_from_slice(&bytes[offset..end]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match bytes[end..].iter().position(|b| *b == b' ') {
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = length;
                }
                Some(index) => {
                    let wrap_at = index + end;
                    out.extend_from_slice(&bytes[offset..wrap_at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = wrap_at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset.min(length)..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// `wrap(width int, s)`.
pub fn wrap(values: &[Value]) -> FuncResult {
    arity("wrap", values, 2)?;
    let width = args::int(&values[0])?;
    let text = args::string(&values[1])?;
    Ok(Value::str(wrap_custom(&text, width, "\n", false)))
}

/// `wrapWith(width int, sep, s)`.
pub fn wrap_with(values: &[Value]) -> FuncResult {
    arity("wrapWith", values, 3)?;
    let width = args::int(&values[0])?;
    let separator = args::string(&values[1])?;
    let text = args::string(&values[2])?;
    Ok(Value::str(wrap_custom(&text, width, &separator, true)))
}

/// goutils' `AbbreviateFull`.
fn abbreviate(text: &str, offset: i64, width: i64) -> String {
    let length = text.len() as i64;
    if text.is_empty() || width < 4 || length <= width {
        return text.to_string();
    }
    let mut offset = offset.min(length);
    if length - offset < width - 3 {
        offset = length - (width - 3);
    }
    if offset <= 4 {
        return byte_slice(text, 0, (width - 3) as usize) + "...";
    }
    if width < 7 {
        return text.to_string();
    }
    if offset + width - 3 < length {
        let rest = byte_slice(text, offset as usize, text.len());
        return "...".to_string() + &abbreviate(&rest, 0, width - 3);
    }
    "...".to_string() + &byte_slice(text, (length - (width - 3)) as usize, text.len())
}

/// `abbrev(width int, s)`.
pub fn abbrev(values: &[Value]) -> FuncResult {
    arity("abbrev", values, 2)?;
    let width = args::int(&values[0])?;
    let text = args::string(&values[1])?;
    Ok(Value::str(abbreviate(&text, 0, width)))
}

/// `abbrevboth(left, right int, s)`.
pub fn abbrevboth(values: &[Value]) -> FuncResult {
    arity("abbrevboth", values, 3)?;
    let left = args::int(&values[0])?;
    let right = args::int(&values[1])?;
    let text = args::string(&values[2])?;
    if right < 4 || (left > 0 && right < 7) {
        return Ok(Value::Str(text));
    }
    Ok(Value::str(abbreviate(&text, left, right)))
}

/// `trunc(n int, s)`: the first n bytes, or the last -n.
pub fn trunc(values: &[Value]) -> FuncResult {
    arity("trunc", values, 2)?;
    let count = args::int(&values[0])?;
    let text = args::string(&values[1])?;
    let length = text.len() as i64;
    if count < 0 && length + count > 0 {
        return Ok(Value::str(byte_slice(
            &text,
            (length + count) as usize,
            text.len(),
        )));
    }
    if count >= 0 && length > count {
        return Ok(Value::str(byte_slice(&text, 0, count as usize)));
    }
    Ok(Value::Str(text))
}

fn string_pair_test(name: &str, values: &[Value], test: fn(&str, &str) -> bool) -> FuncResult {
    let (needle, text) = two_strings(name, values)?;
    Ok(Value::Bool(test(&text, &needle)))
}

/// sprig's `contains(substr, s)` (docker-gen's `sprigContains`).
pub fn contains(values: &[Value]) -> FuncResult {
    string_pair_test("contains", values, |text, needle| text.contains(needle))
}

/// `hasPrefix(prefix, s)`.
pub fn has_prefix(values: &[Value]) -> FuncResult {
    string_pair_test("hasPrefix", values, |text, needle| text.starts_with(needle))
}

/// `hasSuffix(suffix, s)`.
pub fn has_suffix(values: &[Value]) -> FuncResult {
    string_pair_test("hasSuffix", values, |text, needle| text.ends_with(needle))
}

/// `quote(v ...)`: each non-nil argument as a Go double-quoted string.
pub fn quote(values: &[Value]) -> FuncResult {
    let quoted: Vec<String> = values
        .iter()
        .filter(|value| !args::is_nil(value))
        .map(|value| args::go_quote(&args::strval(value)))
        .collect();
    Ok(Value::str(quoted.join(" ")))
}

/// `squote(v ...)`: each non-nil argument in single quotes.
pub fn squote(values: &[Value]) -> FuncResult {
    let quoted: Vec<String> = values
        .iter()
        .filter(|value| !args::is_nil(value))
        .map(|value| format!("'{}'", crate::template::go::fmt::sprint_value(value)))
        .collect();
    Ok(Value::str(quoted.join(" ")))
}

/// `cat(v ...)`: the non-nil arguments printed with `%v`, separated by spaces.
pub fn cat(values: &[Value]) -> FuncResult {
    let printed: Vec<String> = values
        .iter()
        .filter(|value| !args::is_nil(value))
        .map(crate::template::go::fmt::sprint_value)
        .collect();
    Ok(Value::str(printed.join(" ")))
}

fn indent_text(spaces: i64, text: &str) -> Result<String, String> {
    if spaces < 0 {
        return Err("strings: negative Repeat count".to_string());
    }
    let spaces = usize::try_from(spaces).unwrap_or(usize::MAX);
    let lines = text.matches('\n').count() + 1;
    if spaces
        .checked_mul(lines)
        .is_none_or(|total| total > MAX_OUTPUT)
    {
        return Err("strings: Repeat output length overflow".to_string());
    }
    let pad = " ".repeat(spaces);
    Ok(format!("{pad}{}", text.replace('\n', &format!("\n{pad}"))))
}

/// `indent(n int, s)`.
pub fn indent(values: &[Value]) -> FuncResult {
    arity("indent", values, 2)?;
    let spaces = args::int(&values[0])?;
    Ok(Value::str(indent_text(spaces, &args::string(&values[1])?)?))
}

/// `nindent(n int, s)`: a newline, then `indent`.
pub fn nindent(values: &[Value]) -> FuncResult {
    arity("nindent", values, 2)?;
    let spaces = args::int(&values[0])?;
    Ok(Value::str(format!(
        "\n{}",
        indent_text(spaces, &args::string(&values[1])?)?
    )))
}

/// sprig's `replace(old, new, s)` (docker-gen's `sprigReplace`).
pub fn replace(values: &[Value]) -> FuncResult {
    arity("replace", values, 3)?;
    let old = args::string(&values[0])?;
    let new = args::string(&values[1])?;
    let text = args::string(&values[2])?;
    Ok(Value::str(go_replace(&text, &old, &new, -1)))
}

/// `plural(one, many string, count int)`.
pub fn plural(values: &[Value]) -> FuncResult {
    arity("plural", values, 3)?;
    let one = args::string(&values[0])?;
    let many = args::string(&values[1])?;
    let count = args::int(&values[2])?;
    Ok(Value::Str(if count == 1 { one } else { many }))
}

/// `toString(v)`: sprig's `strval`.
pub fn to_string(values: &[Value]) -> FuncResult {
    arity("toString", values, 1)?;
    // `strval_key` shares a string argument instead of copying it (and prints "no value" as
    // nil, as `iface` then `strval` do).
    Ok(Value::Str(args::strval_key(&values[0])))
}

/// `toStrings(v)`: sprig's `strslice`.
pub fn to_strings(values: &[Value]) -> FuncResult {
    arity("toStrings", values, 1)?;
    Ok(Value::string_list(strslice(&values[0])))
}

/// `_0`, `_1`, ...: without `format!`, which costs more than the split at opt-level "z".
fn index_key(index: usize) -> Key {
    let mut digits = [0u8; 21];
    let mut at = digits.len();
    let mut rest = index;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    at -= 1;
    digits[at] = b'_';
    Key::from(std::str::from_utf8(&digits[at..]).unwrap_or_default())
}

/// sprig's `{_0: ..., _1: ...}` map of the pieces of Go's `strings.SplitN`.
fn indexed_map(text: &str, separator: &str, limit: i64) -> Value {
    let mut entries: Vec<(Key, Value)> = Vec::new();
    go_split_each(text, separator, limit, &mut |piece| {
        entries.push((index_key(entries.len()), Value::Str(piece.into())))
    });
    // `_0` to `_9` are in key order already; more need sorting (`_10` before `_2`).
    let entries = if entries.len() <= 10 {
        Pairs::from_sorted(entries)
    } else {
        entries.into_iter().collect()
    };
    Value::map("string", entries)
}

/// sprig's `split(sep, s)` (docker-gen's `sprigSplit`): `{_0: ..., _1: ...}`.
pub fn split(values: &[Value]) -> FuncResult {
    let (separator, text) = two_strings("split", values)?;
    Ok(indexed_map(&text, &separator, -1))
}

/// `splitn(sep string, n int, s string)`: `{_0: ..., _1: ...}`.
pub fn splitn(values: &[Value]) -> FuncResult {
    arity("splitn", values, 3)?;
    let separator = args::string(&values[0])?;
    let limit = args::int(&values[1])?;
    let text = args::string(&values[2])?;
    Ok(indexed_map(&text, &separator, limit))
}

/// `splitList(sep, s)`: Go `strings.Split`.
pub fn split_list(values: &[Value]) -> FuncResult {
    let (separator, text) = two_strings("splitList", values)?;
    Ok(Value::string_list(go_split(&text, &separator, -1)))
}

/// `join(sep string, list)`.
pub fn join(values: &[Value]) -> FuncResult {
    arity("join", values, 2)?;
    let separator = args::string(&values[0])?;
    Ok(Value::str(strslice(&values[1]).join(&separator)))
}

/// `hello()`.
pub fn hello(values: &[Value]) -> FuncResult {
    arity("hello", values, 0)?;
    Ok(Value::str("Hello!"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keys_are_go_decimal() {
        assert_eq!(&*index_key(0), "_0");
        assert_eq!(&*index_key(9), "_9");
        assert_eq!(&*index_key(10), "_10");
        assert_eq!(&*index_key(1234567), "_1234567");
        assert_eq!(*index_key(usize::MAX), format!("_{}", usize::MAX));
    }

    fn text(result: FuncResult) -> String {
        match result {
            Ok(Value::Str(text)) => text.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn trim_matches_rust_trim() {
        for input in [
            "",
            "a",
            " a",
            "a ",
            "\ta\n",
            "a\u{b}",
            "\u{c}a",
            "a b",
            "a\u{85}",
            "\u{a0}a",
            "é",
            "\u{3000}x\u{2003}",
        ] {
            assert_eq!(text(trim(&[Value::str(input)])), input.trim(), "{input:?}");
        }
    }

    #[test]
    fn truncation_and_abbreviation() {
        assert_eq!(text(trunc(&[Value::Int(3), Value::str("hello")])), "hel");
        assert_eq!(text(trunc(&[Value::Int(-3), Value::str("hello")])), "llo");
        assert_eq!(text(trunc(&[Value::Int(9), Value::str("hello")])), "hello");
        assert_eq!(
            text(abbrev(&[Value::Int(5), Value::str("hello world")])),
            "he..."
        );
        assert_eq!(
            text(abbrevboth(&[
                Value::Int(5),
                Value::Int(10),
                Value::str("1234 5678 9123")
            ])),
            "...5678..."
        );
        assert_eq!(
            text(substr(&[
                Value::Int(0),
                Value::Int(5),
                Value::str("hello world")
            ])),
            "hello"
        );
        assert!(substr(&[Value::Int(5), Value::Int(2), Value::str("hello")]).is_err());
    }

    #[test]
    fn titles_and_cases() {
        assert_eq!(
            text(title(&[Value::str("hello wORLD-x_y")])),
            "Hello WORLD-X_y"
        );
        assert_eq!(text(untitle(&[Value::str("Hello World")])), "hello world");
        assert_eq!(text(snakecase(&[Value::str("FirstName")])), "first_name");
        assert_eq!(text(snakecase(&[Value::str("HTTPServer")])), "http_server");
        for (input, expected) in [
            ("NoHTTPS", "no_https"),
            ("ALL", "all"),
            ("http2xx", "http_2xx"),
            ("HTTP2XX", "http2_xx"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("abc_123_def", "abc_123_def"),
            ("Hello World", "hello_world"),
            ("_x", "_x"),
            ("", ""),
        ] {
            assert_eq!(text(snakecase(&[Value::str(input)])), expected, "{input}");
        }
        assert_eq!(text(camelcase(&[Value::str("__a_b-c d")])), "__ABCD");
        assert_eq!(text(camelcase(&[Value::str("a__b_")])), "A_B_");
        assert_eq!(text(kebabcase(&[Value::str("FirstName")])), "first-name");
        assert_eq!(text(camelcase(&[Value::str("http_server")])), "HttpServer");
        assert_eq!(text(swapcase(&[Value::str("Hello")])), "hELLO");
        assert_eq!(text(initials(&[Value::str("First Try")])), "FT");
    }

    #[test]
    fn wrapping_and_indenting() {
        assert_eq!(
            text(wrap(&[Value::Int(5), Value::str("Hello World")])),
            "Hello\nWorld"
        );
        assert_eq!(
            text(wrap_with(&[
                Value::Int(5),
                Value::str("\t"),
                Value::str("Hello World")
            ])),
            "Hello\tWorld"
        );
        assert_eq!(
            text(indent(&[Value::Int(2), Value::str("a\nb")])),
            "  a\n  b"
        );
        assert_eq!(text(nindent(&[Value::Int(2), Value::str("a")])), "\n  a");
        assert!(repeat(&[Value::Int(i64::MAX), Value::str("ab")]).is_err());
    }

    #[test]
    fn splitting_into_maps() {
        match split(&[Value::str("$"), Value::str("foo$bar$baz")]).unwrap() {
            Value::Map(map) => {
                assert_eq!(args::map_len(&map), 3);
                assert!(matches!(args::map_get(&map, "_1"), Some(Value::Str(t)) if &*t == "bar"));
            }
            _ => panic!("not a map"),
        }
        match splitn(&[Value::str("$"), Value::Int(2), Value::str("foo$bar$baz")]).unwrap() {
            Value::Map(map) => {
                assert!(
                    matches!(args::map_get(&map, "_1"), Some(Value::Str(t)) if &*t == "bar$baz")
                )
            }
            _ => panic!("not a map"),
        }
        // More than ten pieces: the keys sort as strings (`_10` before `_2`), every piece
        // under its own index; a multi-byte separator and text.
        let text = "a\u{e9}.b\u{e9}.c\u{e9}.d.e.f.g.h.i.j.k\u{e9}.l";
        for separator in [".", "\u{e9}."] {
            let Value::Map(map) = split(&[Value::str(separator), Value::str(text)]).unwrap() else {
                panic!("not a map");
            };
            let pieces: Vec<&str> = text.split(separator).collect();
            assert_eq!(args::map_len(&map), pieces.len(), "{separator}");
            for (index, piece) in pieces.iter().enumerate() {
                let key = format!("_{index}");
                assert!(
                    matches!(args::map_get(&map, &key), Some(Value::Str(t)) if &*t == *piece),
                    "{separator} {key}"
                );
            }
            let keys: Vec<String> = args::map_entries(&map)
                .keys()
                .map(|k| k.to_string())
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted);
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(
            text(quote(&[
                Value::str("a\"b"),
                Value::Missing,
                Value::str("c")
            ])),
            "\"a\\\"b\" \"c\""
        );
    }
}
