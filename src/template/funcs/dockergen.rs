//! docker-gen's own template functions (spec §4.3), except `eval`, which the executor owns.
//!
//! Each follows docker-gen's Go code to the letter, including its quirks, with one deliberate
//! change: orders that are random in Go (`keys`, `groupByKeys`, `intersect`) are sorted. File
//! access is limited to `dir`, `exists` and `include`; nothing here writes anything.

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::deepget::deep_get;
use crate::template::funcs::stat;
use crate::template::go::fmt::sprint_value;
use crate::template::value::{sorted_position, Containers, Key, Pairs};
use crate::template::Value;

/// docker-gen's `getArrayValues`: the items of a slice (or pointer to one), else an error.
fn array_values<'a>(name: &str, entries: &'a Value) -> Result<&'a [Value], String> {
    match args::items(entries) {
        Some(items) => Ok(items),
        None => {
            // Go's `reflect.Indirect` first: a nil pointer is the invalid value.
            let kind = match entries {
                Value::Record(_) => "struct",
                Value::NilPointer(_) => "invalid",
                other => args::kind_name(other),
            };
            Err(format!(
                "must pass an array or slice to '{name}'; received {}; kind {kind}",
                sprint_value(&args::iface(entries))
            ))
        }
    }
}

/// The panic text of Go's `value.(string)` on a non-string.
fn not_a_string(value: &Value) -> String {
    format!(
        "interface conversion: interface {{}} is {}, not string",
        args::type_name(value)
    )
}

/// `closest(values []string, input string)`: the longest element that is a substring.
pub fn closest(values: &[Value]) -> FuncResult {
    arity("closest", values, 2)?;
    let candidates = args::string_slice(&values[0])?;
    let input = args::string(&values[1])?;
    let mut best: &str = "";
    for candidate in &candidates {
        if input.contains(&**candidate) && candidate.len() > best.len() {
            best = candidate;
        }
    }
    Ok(Value::str(best))
}

/// Whether a value is a `*RuntimeContainer` (also a nil one).
pub fn is_runtime_container(value: &Value) -> bool {
    match value {
        Value::Record(record) => record.type_name == "RuntimeContainer",
        Value::NilPointer(pointee) => *pointee == "RuntimeContainer",
        _ => false,
    }
}

/// `(*RuntimeContainer).Equals(o RuntimeContainer) bool`: the same ID and image. The
/// argument is a struct, so Go dereferences a pointer passed to it (a nil one is an error);
/// a nil receiver panics reading its ID.
pub fn container_equals(receiver: &Value, _: &str, values: &[Value]) -> FuncResult {
    const TYPE: &str = "context.RuntimeContainer";
    let other = match values.first() {
        Some(Value::Record(record)) if record.type_name == "RuntimeContainer" => record,
        Some(Value::NilPointer("RuntimeContainer")) => {
            return Err(format!("dereference of nil pointer of type {TYPE}"))
        }
        other => return Err(args::wrong_type(TYPE, other.unwrap_or(&Value::Nil))),
    };
    let Value::Record(this) = receiver else {
        return Err("runtime error: invalid memory address or nil pointer dereference".to_string());
    };
    let same = |name: &str| match (this.field(name), other.field(name)) {
        (Some(a), Some(b)) => args::deep_equal(a, b),
        (a, b) => a.is_none() && b.is_none(),
    };
    Ok(Value::Bool(same("ID") && same("Image")))
}

/// `coalesce(args ...any)`: the first argument that is not nil.
pub fn coalesce(values: &[Value]) -> FuncResult {
    Ok(values
        .iter()
        .find(|value| !args::is_nil(value))
        .cloned()
        .unwrap_or(Value::Missing))
}

/// `comment(delim, src string)`: `delim` at the start of every line, as `(?m)^` matches.
pub fn comment(values: &[Value]) -> FuncResult {
    arity("comment", values, 2)?;
    let delimiter = args::string(&values[0])?;
    let source = args::string(&values[1])?;
    let mut out = String::with_capacity(source.len() + delimiter.len());
    out.push_str(&delimiter);
    for c in source.chars() {
        out.push(c);
        if c == '\n' {
            out.push_str(&delimiter);
        }
    }
    Ok(Value::str(out))
}

/// `contains(m any, key any)`: true iff `m` is a map that has `key` (same type).
pub fn contains(values: &[Value]) -> FuncResult {
    arity("contains", values, 2)?;
    let found = match (&values[0], &values[1]) {
        (Value::Map(map), Value::Str(key)) => args::map_has(map, key),
        _ => false,
    };
    Ok(Value::Bool(found))
}

/// `dir(path string)`: sorted entry names; errors are logged and give an empty list.
pub fn dir(values: &[Value]) -> FuncResult {
    arity("dir", values, 1)?;
    let path = args::string(&values[0])?;
    let mut names = Vec::new();
    match std::fs::read_dir(&*path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Err(error) => {
            crate::log::write_line(format_args!(
                "Template error: {}",
                args::go_io_error("open", &path, &error)
            ));
        }
    }
    names.sort();
    Ok(Value::string_list(names))
}

/// `exists(path string)`: stat (following links); missing is false, other errors are errors.
/// During a render the answers come from directory listings (`stat.rs`).
pub fn exists(values: &[Value]) -> FuncResult {
    arity("exists", values, 1)?;
    let path = args::string(&values[0])?;
    match stat::exists(&path) {
        Ok(found) => Ok(Value::Bool(found)),
        Err(error) => Err(args::go_io_error("stat", &path, &error)),
    }
}

/// Groups by name in key order. A vector: templates make few groups per call (one or two
/// in nginx-proxy's), where a tree's nodes and the conversion to a map cost more.
type Groups = Vec<(Key, Vec<Value>)>;

/// What is kept in name order: a group, or a name alone (`groupByKeys`, as a string value).
trait GroupName {
    fn group_name(&self) -> &str;
}

impl GroupName for (Key, Vec<Value>) {
    fn group_name(&self) -> &str {
        &self.0
    }
}

impl GroupName for Value {
    fn group_name(&self) -> &str {
        match self {
            Value::Str(text) => text,
            _ => "",
        }
    }
}

/// Where group `name` is (`Ok`) or would go (`Err`).
fn group_position<T: GroupName>(groups: &[T], name: &str) -> Result<usize, usize> {
    sorted_position(groups.len(), |index| groups[index].group_name(), name)
}

/// The grouping core shared by the `groupBy*` functions: `key_of` gives the group value of an
/// item (nil skips it), `separator` splits it into several group names.
fn group(
    name: &str,
    entries: &Value,
    key_of: &dyn Fn(&Value) -> Result<Value, String>,
    separator: Option<&str>,
) -> Result<Groups, String> {
    let mut groups = Groups::new();
    let mut add = |piece: &str, whole: &Key, item: &Value| match group_position(&groups, piece) {
        Ok(at) => groups[at].1.push(item.clone()),
        // The first group (often the only one) in a vector of its own size: the growth path
        // of `insert` into an empty vector cost 370 instructions.
        Err(_) if groups.is_empty() => groups = vec![(group_key(piece, whole), vec![item.clone()])],
        Err(at) => groups.insert(at, (group_key(piece, whole), vec![item.clone()])),
    };
    visit_groups(name, entries, key_of, separator, &mut add)?;
    Ok(groups)
}

/// A group name as a map key: the item's whole value shared when the name is all of it.
fn group_key(piece: &str, whole: &Key) -> Key {
    // `piece` is a part of `whole`: the same length means the same string.
    if piece.len() == whole.len() {
        whole.clone()
    } else {
        piece.into()
    }
}

/// Hands each item to `add` with each of its group names (and the whole value they come
/// from), in list order.
fn visit_groups(
    name: &str,
    entries: &Value,
    key_of: &dyn Fn(&Value) -> Result<Value, String>,
    separator: Option<&str>,
    add: &mut dyn FnMut(&str, &Key, &Value),
) -> Result<(), String> {
    let items = array_values(name, entries)?;
    for item in items {
        let value = key_of(item)?;
        if args::is_nil(&value) {
            continue;
        }
        let Value::Str(text) = &value else {
            return Err(not_a_string(&value));
        };
        match separator {
            // Go's strings.Split with a separator is Rust's split.
            Some(separator) if !separator.is_empty() => {
                text.split(separator)
                    .for_each(|piece| add(piece, text, item));
            }
            Some(_) => go_split(text, "", -1)
                .iter()
                .for_each(|piece| add(piece, text, item)),
            None => add(text, text, item),
        }
    }
    Ok(())
}

fn groups_value(groups: Groups) -> Value {
    // No groups (`groupByLabel` of a label none of the containers has): measured 160
    // instructions of empty vector handling saved.
    if groups.is_empty() {
        return Value::map("[]interface {}", Pairs::default());
    }
    let mut entries = Vec::with_capacity(groups.len());
    for (key, items) in groups {
        entries.push((key, args::new_list(items)));
    }
    Value::map("[]interface {}", Pairs::from_sorted(entries))
}

/// `groupBy(list, path string)`.
pub fn group_by(values: &[Value]) -> FuncResult {
    arity("groupBy", values, 2)?;
    let path = args::string(&values[1])?;
    let groups = group(
        "groupBy",
        &values[0],
        &|item| Ok(deep_get(item, &path)),
        None,
    )?;
    Ok(groups_value(groups))
}

/// `groupByWithDefault(list, path, default string)`: nil values go to the default group.
pub fn group_by_with_default(values: &[Value]) -> FuncResult {
    arity("groupByWithDefault", values, 3)?;
    let path = args::string(&values[1])?;
    let default = args::string(&values[2])?;
    let key_of = |item: &Value| match deep_get(item, &path) {
        Value::Nil => Ok(Value::Str(default.clone())),
        found => Ok(found),
    };
    Ok(groups_value(group(
        "groupByWithDefault",
        &values[0],
        &key_of,
        None,
    )?))
}

/// `groupByKeys(list, path)`: the group names, sorted (random order in docker-gen).
pub fn group_by_keys(values: &[Value]) -> FuncResult {
    arity("groupByKeys", values, 2)?;
    let path = args::string(&values[1])?;
    // Only the names, kept as the string values of the result: no member lists are built.
    let mut names: Vec<Value> = Vec::new();
    let mut add = |piece: &str, whole: &Key, _: &Value| {
        if let Err(at) = group_position(&names, piece) {
            names.insert(at, Value::Str(group_key(piece, whole)));
        }
    };
    visit_groups(
        "groupByKeys",
        &values[0],
        &|item| Ok(deep_get(item, &path)),
        None,
        &mut add,
    )?;
    Ok(Value::list("string", names))
}

/// `groupByMulti(list, path, sep string)`: the value split by `sep`, one group per piece.
pub fn group_by_multi(values: &[Value]) -> FuncResult {
    arity("groupByMulti", values, 3)?;
    let path = args::string(&values[1])?;
    let separator = args::string(&values[2])?;
    let groups = group(
        "groupByMulti",
        &values[0],
        &|item| Ok(deep_get(item, &path)),
        Some(&separator),
    )?;
    Ok(groups_value(groups))
}

fn label_of(item: &Value, label: &str, default: Option<&Rc<str>>) -> Result<Value, String> {
    match item {
        Value::Record(record) if record.type_name == "RuntimeContainer" => {
            match record.field("Labels") {
                Some(Value::Map(labels)) => match args::map_get(labels, label) {
                    Some(found) => Ok(found),
                    None => Ok(default.map_or(Value::Nil, |text| Value::Str(text.clone()))),
                },
                _ => Ok(default.map_or(Value::Nil, |text| Value::Str(text.clone()))),
            }
        }
        // docker-gen reads `.Labels` through the nil `*RuntimeContainer`.
        Value::NilPointer("RuntimeContainer") => {
            Err("runtime error: invalid memory address or nil pointer dereference".to_string())
        }
        other => Err(format!(
            "must pass an array or slice of *RuntimeContainer to 'groupByLabel'; received {}",
            sprint_value(&args::iface(other))
        )),
    }
}

/// `groupByLabel(list, label string)`: absent labels are skipped.
pub fn group_by_label(values: &[Value]) -> FuncResult {
    arity("groupByLabel", values, 2)?;
    let label = args::string(&values[1])?;
    let groups = group(
        "groupByLabel",
        &values[0],
        &|item| label_of(item, &label, None),
        None,
    )?;
    Ok(groups_value(groups))
}

/// `groupByLabelWithDefault(list, label, default string)`.
pub fn group_by_label_with_default(values: &[Value]) -> FuncResult {
    arity("groupByLabelWithDefault", values, 3)?;
    let label = args::string(&values[1])?;
    let default = args::string(&values[2])?;
    let key_of = |item: &Value| label_of(item, &label, Some(&default));
    Ok(groups_value(group(
        "groupByLabelWithDefault",
        &values[0],
        &key_of,
        None,
    )?))
}

/// `include(file string)`: the file's content, "" on any error.
pub fn include(values: &[Value]) -> FuncResult {
    arity("include", values, 1)?;
    let path = args::string(&values[0])?;
    let text = match std::fs::read(&*path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    Ok(Value::str(text))
}

fn intersection(first: &[Rc<str>], second: &[Rc<str>]) -> BTreeSet<Rc<str>> {
    let wanted: BTreeSet<&Rc<str>> = second.iter().collect();
    first
        .iter()
        .filter(|item| wanted.contains(item))
        .cloned()
        .collect()
}

/// `intersect(a, b []string)`: unique common strings, sorted (random order in docker-gen).
pub fn intersect(values: &[Value]) -> FuncResult {
    arity("intersect", values, 2)?;
    let first = args::string_slice(&values[0])?;
    let second = args::string_slice(&values[1])?;
    Ok(Value::string_list(intersection(&first, &second)))
}

/// `keys(m any)`: a map's keys as `[]interface{}`, sorted; nil gives nil.
pub fn keys(values: &[Value]) -> FuncResult {
    arity("keys", values, 1)?;
    match &values[0] {
        Value::Nil | Value::Missing => Ok(Value::Missing),
        Value::Map(map) => {
            // A plain loop: the collected `map` adaptor was out of line at opt-level "z".
            let entries = args::map_borrow(map);
            let mut keys = Vec::with_capacity(entries.len());
            for (key, _) in entries.iter() {
                keys.push(Value::Str(key.clone()));
            }
            Ok(args::new_list(keys))
        }
        other => Err(format!(
            "cannot call keys on a non-map value: {}",
            sprint_value(other)
        )),
    }
}

/// Go's `strings.Replace`.
pub fn go_replace(text: &str, old: &str, new: &str, limit: i64) -> String {
    if old == new || limit == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut done: i64 = 0;
    if old.is_empty() {
        for c in text.chars() {
            if limit < 0 || done < limit {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if limit < 0 || done < limit {
            out.push_str(new);
        }
        return out;
    }
    let mut rest = text;
    while limit < 0 || done < limit {
        match rest.find(old) {
            Some(at) => {
                out.push_str(&rest[..at]);
                out.push_str(new);
                rest = &rest[at + old.len()..];
                done += 1;
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// `replace(s, old, new string, n int)`: Go `strings.Replace`.
pub fn replace(values: &[Value]) -> FuncResult {
    arity("replace", values, 4)?;
    let text = args::string(&values[0])?;
    let old = args::string(&values[1])?;
    let new = args::string(&values[2])?;
    let limit = args::int(&values[3])?;
    Ok(Value::str(go_replace(&text, &old, &new, limit)))
}

/// `parseBool(s string)`: Go `strconv.ParseBool`.
pub fn parse_bool(values: &[Value]) -> FuncResult {
    arity("parseBool", values, 1)?;
    let text = args::string(&values[0])?;
    // Byte patterns: a string comparison is a call to memcmp at opt-level "z" (measured: 233
    // -> 115 instructions per call).
    match text.as_bytes() {
        [b'1' | b't' | b'T'] | [b'T', b'R', b'U', b'E'] | [b't' | b'T', b'r', b'u', b'e'] => {
            Ok(Value::Bool(true))
        }
        [b'0' | b'f' | b'F']
        | [b'F', b'A', b'L', b'S', b'E']
        | [b'f' | b'F', b'a', b'l', b's', b'e'] => Ok(Value::Bool(false)),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            args::go_quote(&text)
        )),
    }
}

/// `queryEscape(s string)`: Go `url.QueryEscape`.
pub fn query_escape(values: &[Value]) -> FuncResult {
    arity("queryEscape", values, 1)?;
    let text = args::string(&values[0])?;
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
    Ok(Value::str(out))
}

/// Go's `strings.SplitN` (`limit < 0` means all pieces; 0 gives no pieces).
pub fn go_split(text: &str, separator: &str, limit: i64) -> Vec<String> {
    let mut pieces = Vec::new();
    go_split_each(text, separator, limit, &mut |piece| {
        pieces.push(piece.to_string())
    });
    pieces
}

/// Go's `strings.SplitN`, handing the pieces to `piece` in order instead of collecting
/// them (callers that keep them as shared strings copy each piece once).
pub fn go_split_each(text: &str, separator: &str, limit: i64, piece: &mut dyn FnMut(&str)) {
    if limit == 0 {
        return;
    }
    let max = if limit < 0 {
        usize::MAX
    } else {
        usize::try_from(limit).unwrap_or(usize::MAX)
    };
    // The pieces handed out so far and the one being cut.
    let mut count = 1;
    if separator.is_empty() {
        for (at, c) in text.char_indices() {
            if count == max {
                piece(&text[at..]);
                return;
            }
            piece(&text[at..at + c.len_utf8()]);
            count += 1;
        }
        return;
    }
    let mut rest = text;
    while count < max {
        let found = match separator.as_bytes() {
            // One byte (`.`, `,`), so ASCII: a plain loop, as the substring search's setup
            // costs more than the scan of a host name (measured: splitting one cost 500
            // instructions a piece).
            [byte] => {
                let bytes = rest.as_bytes();
                let mut at = 0;
                while at < bytes.len() && bytes[at] != *byte {
                    at += 1;
                }
                (at < bytes.len()).then_some(at)
            }
            _ => rest.find(separator),
        };
        match found {
            Some(at) => {
                piece(&rest[..at]);
                rest = &rest[at + separator.len()..];
                count += 1;
            }
            None => break,
        }
    }
    piece(rest);
}

/// `split(s, sep string)`: Go `strings.Split`.
pub fn split(values: &[Value]) -> FuncResult {
    arity("split", values, 2)?;
    let text = args::string(&values[0])?;
    let separator = args::string(&values[1])?;
    Ok(Value::string_list(go_split(&text, &separator, -1)))
}

/// `splitN(s, sep string, n int)`: Go `strings.SplitN`.
pub fn split_n(values: &[Value]) -> FuncResult {
    arity("splitN", values, 3)?;
    let text = args::string(&values[0])?;
    let separator = args::string(&values[1])?;
    let limit = args::int(&values[2])?;
    if limit == 0 {
        return Ok(Value::nil_list("string"));
    }
    Ok(Value::string_list(go_split(&text, &separator, limit)))
}

/// `sortStringsAsc([]string)`.
pub fn sort_strings_asc(values: &[Value]) -> FuncResult {
    arity("sortStringsAsc", values, 1)?;
    let mut strings = args::string_slice(&values[0])?;
    strings.sort();
    Ok(Value::string_list(strings))
}

/// `sortStringsDesc([]string)`.
pub fn sort_strings_desc(values: &[Value]) -> FuncResult {
    arity("sortStringsDesc", values, 1)?;
    let mut strings = args::string_slice(&values[0])?;
    strings.sort_by(|a, b| b.cmp(a));
    Ok(Value::string_list(strings))
}

/// docker-gen's `getFieldAsString`: the sort key of an item.
fn sort_key(item: &Value, path: &str) -> String {
    match deep_get(item, path) {
        Value::Int(number) => number.to_string(),
        Value::Str(text) => text.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Time(time) => time.display.clone(),
        _ => String::new(),
    }
}

fn sort_objects(name: &str, values: &[Value], descending: bool) -> FuncResult {
    arity(name, values, 2)?;
    let go_name = if descending {
        "sortObjsByKey"
    } else {
        "sortObjsByKeys"
    };
    // Go converts the string argument before the call can look at the list.
    let path = args::string(&values[1])?;
    let items = array_values(go_name, &values[0])?;
    // Nothing to sort (a container's one network): a copy of the list, as Go makes.
    if items.len() <= 1 {
        return Ok(args::new_list(items.to_vec()));
    }
    let mut keyed: Vec<(String, Option<i64>, Value)> = items
        .iter()
        .map(|item| {
            let key = sort_key(item, &path);
            let number = args::parse_decimal_int(&key);
            (key, number, item.clone())
        })
        .collect();
    let less = |a: &(String, Option<i64>, Value), b: &(String, Option<i64>, Value)| match (a.1, b.1)
    {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.0.cmp(&b.0),
    };
    if descending {
        keyed.sort_by(|a, b| less(b, a));
    } else {
        keyed.sort_by(less);
    }
    Ok(args::new_list(
        keyed.into_iter().map(|(_, _, item)| item).collect(),
    ))
}

/// `sortObjectsByKeysAsc(list, path)`: a new, stably sorted list.
pub fn sort_objects_by_keys_asc(values: &[Value]) -> FuncResult {
    sort_objects("sortObjectsByKeysAsc", values, false)
}

/// `sortObjectsByKeysDesc(list, path)`: stable reverse (equal keys keep their order).
pub fn sort_objects_by_keys_desc(values: &[Value]) -> FuncResult {
    sort_objects("sortObjectsByKeysDesc", values, true)
}

/// Go's `strings.ToLower` (simple per-rune mapping).
pub fn go_lower(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lowered = c.to_lowercase();
            match (lowered.next(), lowered.next()) {
                (Some(single), None) => single,
                (Some(first), Some(_)) if c == '\u{130}' => first,
                _ => c,
            }
        })
        .collect()
}

/// Go's `strings.ToUpper` (simple per-rune mapping).
pub fn go_upper(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut raised = c.to_uppercase();
            match (raised.next(), raised.next()) {
                (Some(single), None) => single,
                _ => c,
            }
        })
        .collect()
}

/// `toLower(string)`.
pub fn to_lower(values: &[Value]) -> FuncResult {
    arity("toLower", values, 1)?;
    Ok(Value::str(go_lower(&args::string(&values[0])?)))
}

/// `toUpper(string)`.
pub fn to_upper(values: &[Value]) -> FuncResult {
    arity("toUpper", values, 1)?;
    Ok(Value::str(go_upper(&args::string(&values[0])?)))
}

/// `when(cond bool, a, b any)`.
pub fn when(values: &[Value]) -> FuncResult {
    arity("when", values, 3)?;
    let condition = args::boolean(&values[0])?;
    Ok(args::ret(
        if condition { &values[1] } else { &values[2] }.clone(),
    ))
}

fn select(
    name: &str,
    entries: &Value,
    path: &str,
    keep: &dyn Fn(&Value) -> Result<bool, String>,
) -> FuncResult {
    let items = array_values(name, entries)?;
    let mut selection = Vec::new();
    for item in items {
        if keep(&deep_get(item, path))? {
            selection.push(item.clone());
        }
    }
    Ok(args::new_list(selection))
}

/// `where(list, path string, value any)`: items whose value is deeply equal to `value`.
pub fn where_(values: &[Value]) -> FuncResult {
    arity("where", values, 3)?;
    let path = args::string(&values[1])?;
    let wanted = &values[2];
    select("where", &values[0], &path, &|found| {
        Ok(args::deep_equal(found, wanted))
    })
}

/// `whereNot(list, path string, value any)`.
pub fn where_not(values: &[Value]) -> FuncResult {
    arity("whereNot", values, 3)?;
    let path = args::string(&values[1])?;
    let wanted = &values[2];
    select("whereNot", &values[0], &path, &|found| {
        Ok(!args::deep_equal(found, wanted))
    })
}

/// `whereExist(list, path string)`: the value is not nil.
pub fn where_exist(values: &[Value]) -> FuncResult {
    arity("whereExist", values, 2)?;
    let path = args::string(&values[1])?;
    select("whereExist", &values[0], &path, &|found| {
        Ok(!args::is_nil(found))
    })
}

/// `whereNotExist(list, path string)`: the value is nil.
pub fn where_not_exist(values: &[Value]) -> FuncResult {
    arity("whereNotExist", values, 2)?;
    let path = args::string(&values[1])?;
    select("whereNotExist", &values[0], &path, &|found| {
        Ok(args::is_nil(found))
    })
}

fn where_split(name: &str, values: &[Value], all: bool) -> FuncResult {
    arity(name, values, 4)?;
    let path = args::string(&values[1])?;
    let separator = args::string(&values[2])?;
    let wanted = args::string_slice(&values[3])?;
    let keep = |found: &Value| -> Result<bool, String> {
        match found {
            Value::Nil | Value::Missing => Ok(false),
            Value::Str(text) => {
                let pieces: Vec<Rc<str>> = go_split(text, &separator, -1)
                    .into_iter()
                    .map(Rc::from)
                    .collect();
                let common = intersection(&wanted, &pieces).len();
                Ok(if all {
                    common == wanted.len()
                } else {
                    common > 0
                })
            }
            other => Err(not_a_string(other)),
        }
    };
    select(name, &values[0], &path, &keep)
}

/// `whereAny(list, path, sep string, values []string)`.
pub fn where_any(values: &[Value]) -> FuncResult {
    where_split("whereAny", values, false)
}

/// `whereAll(list, path, sep string, values []string)`.
pub fn where_all(values: &[Value]) -> FuncResult {
    where_split("whereAll", values, true)
}

fn containers_arg(value: &Value) -> Result<&Rc<Containers>, String> {
    match value {
        Value::Containers(containers) => Ok(containers),
        Value::Nil | Value::Missing => Err("invalid value; expected context.Context".to_string()),
        other => Err(format!(
            "wrong type for value; expected context.Context; got {}",
            args::type_name(other)
        )),
    }
}

fn label_value(container: &Value, label: &str) -> Option<Value> {
    match container.field("Labels") {
        Some(Value::Map(labels)) => args::map_get(labels, label),
        _ => None,
    }
}

fn select_containers(
    containers: &Rc<Containers>,
    label: &str,
    keep: &dyn Fn(Option<Value>) -> bool,
) -> Value {
    let items = containers
        .items
        .iter()
        .filter(|item| keep(label_value(item, label)))
        .cloned()
        .collect();
    Value::Containers(Rc::new(Containers {
        items,
        globals: containers.globals.clone(),
    }))
}

/// `whereLabelExists(containers Context, label string)`.
pub fn where_label_exists(values: &[Value]) -> FuncResult {
    arity("whereLabelExists", values, 2)?;
    let containers = containers_arg(&values[0])?;
    let label = args::string(&values[1])?;
    Ok(select_containers(containers, &label, &|found| {
        found.is_some()
    }))
}

/// `whereLabelDoesNotExist(containers Context, label string)`.
pub fn where_label_does_not_exist(values: &[Value]) -> FuncResult {
    arity("whereLabelDoesNotExist", values, 2)?;
    let containers = containers_arg(&values[0])?;
    let label = args::string(&values[1])?;
    Ok(select_containers(containers, &label, &|found| {
        found.is_none()
    }))
}

/// `whereLabelValueMatches(containers Context, label, pattern string)`.
pub fn where_label_value_matches(values: &[Value]) -> FuncResult {
    arity("whereLabelValueMatches", values, 3)?;
    let containers = containers_arg(&values[0])?;
    let label = args::string(&values[1])?;
    let pattern = args::string(&values[2])?;
    let regex = crate::template::funcs::regex::compile(&pattern)?;
    Ok(select_containers(
        containers,
        &label,
        &|found| match found {
            Some(Value::Str(text)) => regex.is_match(&text),
            _ => false,
        },
    ))
}

/// `mustBeOneOf(allowed []any, value string)`.
pub fn must_be_one_of(values: &[Value]) -> FuncResult {
    arity("mustBeOneOf", values, 2)?;
    let allowed = match &values[0] {
        Value::List(list) if args::is_iface_elem(list.elem) => list.items.clone(),
        Value::Nil | Value::Missing => Vec::new(),
        other => {
            return Err(format!(
                "wrong type for value; expected []interface {{}}; got {}",
                args::type_name(other)
            ))
        }
    };
    let value = args::string(&values[1])?;
    let mut strings = Vec::with_capacity(allowed.len());
    for candidate in &allowed {
        match candidate {
            Value::Str(text) => strings.push(text.clone()),
            other => {
                return Err(format!(
                    "allowed value {} (type {}) is not a string",
                    sprint_value(&args::iface(other)),
                    args::type_name(other)
                ))
            }
        }
    }
    if strings.contains(&value) {
        return Ok(Value::Str(value));
    }
    let quoted: Vec<String> = strings.iter().map(|text| args::go_quote(text)).collect();
    Err(format!(
        "value must be one of [{}]; got {}",
        quoted.join(" "),
        args::go_quote(&value)
    ))
}

fn int_in_range(min: i64, max: i64, value: &Rc<str>) -> FuncResult {
    if min > max {
        return Err(format!("invalid allowed range {min}..{max}"));
    }
    if value.is_empty() {
        return Err("value must be an integer; got an empty value".to_string());
    }
    let Some(parsed) = args::parse_decimal_int(value) else {
        return Err(format!(
            "value must be an integer; got {}",
            args::go_quote(value)
        ));
    };
    if parsed < min || parsed > max {
        return Err(format!(
            "value must be an integer between {min} and {max}; got {}",
            args::go_quote(value)
        ));
    }
    Ok(Value::Str(value.clone()))
}

/// `mustBeInt(value string)`.
pub fn must_be_int(values: &[Value]) -> FuncResult {
    arity("mustBeInt", values, 1)?;
    int_in_range(i64::MIN, i64::MAX, &args::string(&values[0])?)
}

/// `mustBeIntInRange(min, max int, value string)`.
pub fn must_be_int_in_range(values: &[Value]) -> FuncResult {
    arity("mustBeIntInRange", values, 3)?;
    let min = args::int(&values[0])?;
    let max = args::int(&values[1])?;
    int_in_range(min, max, &args::string(&values[2])?)
}

/// True when byte `index` is preceded by an odd run of backslashes.
fn escaped_at(value: &[u8], index: usize) -> bool {
    if index == 0 || index >= value.len() {
        return false;
    }
    let run = value[..index]
        .iter()
        .rev()
        .take_while(|byte| **byte == b'\\')
        .count();
    run % 2 == 1
}

fn quoted_with(value: &[u8], quote: u8) -> bool {
    value.len() >= 2
        && value[0] == quote
        && value[value.len() - 1] == quote
        && !escaped_at(value, value.len() - 1)
}

fn has_unescaped_quote(value: &[u8], quote: u8) -> bool {
    let length = value.len();
    for (index, byte) in value.iter().enumerate() {
        if *byte != quote {
            continue;
        }
        if index == 0 {
            if length < 2 || value[length - 1] != quote || escaped_at(value, length - 1) {
                return true;
            }
        } else if index == length - 1 {
            if !escaped_at(value, index) && value[0] != quote {
                return true;
            }
        } else if !escaped_at(value, index) {
            let other = if quote == b'"' { b'\'' } else { b'"' };
            return !quoted_with(value, other);
        }
    }
    false
}

fn has_unescaped_special(value: &[u8]) -> bool {
    for (index, byte) in value.iter().enumerate() {
        if matches!(byte, b'{' | b'}' | b';' | b'#' | b' ' | b'\t') {
            if index == 0 {
                return true;
            } else if !escaped_at(value, index) {
                return !(quoted_with(value, b'\'') || quoted_with(value, b'"'));
            }
        }
    }
    false
}

/// docker-gen's `nginxQuote` algorithm (spec §4.3).
pub fn nginx_quote_text(raw: &str) -> Result<String, String> {
    let value = raw.trim_matches(|c: char| c.is_whitespace());
    if value.is_empty() {
        return Ok(String::new());
    }
    if value.contains('\n') || value.contains('\r') {
        return Err(format!(
            "value must not contain line breaks: {}",
            args::go_quote(value)
        ));
    }
    let bytes = value.as_bytes();
    let single = has_unescaped_quote(bytes, b'\'');
    let double = has_unescaped_quote(bytes, b'"');
    if single && double {
        return Err(format!(
            "value has both unescaped single and double quotes: {}",
            args::go_quote(value)
        ));
    }
    if has_unescaped_special(bytes) || single || double {
        let quote = if double { '\'' } else { '"' };
        let mut body = value.to_string();
        if value.ends_with('\\') && !escaped_at(bytes, bytes.len() - 1) {
            body.push('\\');
        }
        return Ok(format!("{quote}{body}{quote}"));
    }
    Ok(value.to_string())
}

/// `nginxQuote(value string)`.
pub fn nginx_quote(values: &[Value]) -> FuncResult {
    arity("nginxQuote", values, 1)?;
    nginx_quote_text(&args::string(&values[0])?).map(Value::str)
}

/// docker-gen's `nginxMustParseHSTS` (spec §4.3).
pub fn parse_hsts(raw: &str) -> Result<String, String> {
    let value = go_lower(raw.trim_matches(|c: char| c.is_whitespace()));
    if value.is_empty() {
        return Err("HSTS value cannot be empty".to_string());
    }
    let (mut max_age, mut subdomains, mut preload) = (0i64, false, false);
    for directive in value.split(';') {
        let directive = directive.trim_matches(|c: char| c.is_whitespace());
        if let Some(digits) = directive.strip_prefix("max-age=") {
            let invalid =
                || format!("invalid Strict-Transport-Security max-age directive: {directive}");
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            max_age = digits.parse::<i64>().map_err(|_| invalid())?;
        } else if directive == "includesubdomains" {
            subdomains = true;
        } else if directive == "preload" {
            preload = true;
        } else {
            return Err(format!(
                "unknown Strict-Transport-Security directive: {directive}"
            ));
        }
    }
    if max_age <= 0 {
        return Err(
            "Strict-Transport-Security max-age directive must be greater than 0".to_string(),
        );
    }
    if preload {
        if !subdomains {
            return Err(
                "Strict-Transport-Security preload directive requires includeSubDomains to be set"
                    .to_string(),
            );
        }
        if max_age < 31_536_000 {
            return Err("Strict-Transport-Security preload directive requires max-age to be at least 31536000 seconds (1 year)".to_string());
        }
        return Ok(format!("max-age={max_age}; includeSubDomains; preload"));
    }
    if subdomains {
        return Ok(format!("max-age={max_age}; includeSubDomains"));
    }
    Ok(format!("max-age={max_age}"))
}

/// `nginxMustParseHSTS(value string)`.
pub fn nginx_must_parse_hsts(values: &[Value]) -> FuncResult {
    arity("nginxMustParseHSTS", values, 1)?;
    parse_hsts(&args::string(&values[0])?).map(Value::str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::Globals;

    fn text(result: FuncResult) -> String {
        match result {
            Ok(Value::Str(text)) => text.to_string(),
            other => format!("{other:?}"),
        }
    }

    fn strs(value: &Value) -> Vec<String> {
        match args::items(value) {
            Some(items) => items
                .iter()
                .map(|item| match item {
                    Value::Str(text) => text.to_string(),
                    other => deep_get(other, "ID").to_owned_text(),
                })
                .collect(),
            None => vec![format!("{value:?}")],
        }
    }

    trait OwnedText {
        fn to_owned_text(&self) -> String;
    }

    impl OwnedText for Value {
        fn to_owned_text(&self) -> String {
            match self {
                Value::Str(text) => text.to_string(),
                other => format!("{other:?}"),
            }
        }
    }

    fn container(id: &str, env: &[(&str, &str)], labels: &[(&str, &str)]) -> Value {
        let map = |pairs: &[(&str, &str)]| {
            Value::string_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        };
        Value::record(
            "RuntimeContainer",
            vec![
                ("ID", Value::str(id)),
                ("Env", map(env)),
                ("Labels", map(labels)),
                ("Port", Value::Int(id.len() as i64)),
            ],
        )
    }

    fn root(items: Vec<Value>) -> Value {
        let globals = Globals {
            env: Value::nil_map("string"),
            docker: Value::Nil,
            current_container: Value::NilPointer("RuntimeContainer"),
        };
        Value::Containers(Rc::new(Containers {
            items,
            globals: Rc::new(globals),
        }))
    }

    fn sample() -> Value {
        root(vec![
            container(
                "a",
                &[("VIRTUAL_HOST", "a.com"), ("PORT", "80")],
                &[("x", "1")],
            ),
            container(
                "b",
                &[("VIRTUAL_HOST", "b.com,a.com"), ("PORT", "8080")],
                &[],
            ),
            container(
                "c",
                &[("VIRTUAL_HOST", "a.com")],
                &[("x", ""), ("y", "yes")],
            ),
        ])
    }

    #[test]
    fn nginx_quote_examples() {
        let q = |s: &str| nginx_quote_text(s);
        assert_eq!(q("foo;bar").unwrap(), "\"foo;bar\"");
        assert_eq!(q("foo\\;bar").unwrap(), "foo\\;bar");
        assert_eq!(q("foo\\\\;bar").unwrap(), "\"foo\\\\;bar\"");
        assert_eq!(q("\"foo;bar\"").unwrap(), "\"foo;bar\"");
        assert_eq!(q("foo\"bar").unwrap(), "'foo\"bar'");
        assert_eq!(q("foo'bar").unwrap(), "\"foo'bar\"");
        assert_eq!(q("  plain  ").unwrap(), "plain");
        assert_eq!(q("").unwrap(), "");
        assert_eq!(q("{a").unwrap(), "\"{a\"");
        assert_eq!(q("a b\\").unwrap(), "\"a b\\\\\"");
        assert!(q("a\nb")
            .unwrap_err()
            .starts_with("value must not contain line breaks"));
        assert_eq!(
            q("a'b\"c").unwrap_err(),
            "value has both unescaped single and double quotes: \"a'b\\\"c\""
        );
    }

    #[test]
    fn hsts_parsing() {
        assert_eq!(parse_hsts("max-age=31536000").unwrap(), "max-age=31536000");
        assert_eq!(
            parse_hsts(" Max-Age=63072000; includeSubDomains; Preload ").unwrap(),
            "max-age=63072000; includeSubDomains; preload"
        );
        assert_eq!(parse_hsts("max-age=1; max-age=5").unwrap(), "max-age=5");
        assert_eq!(parse_hsts("").unwrap_err(), "HSTS value cannot be empty");
        assert_eq!(
            parse_hsts("max-age=5;").unwrap_err(),
            "unknown Strict-Transport-Security directive: "
        );
        assert_eq!(
            parse_hsts("off").unwrap_err(),
            "unknown Strict-Transport-Security directive: off"
        );
        assert_eq!(
            parse_hsts("max-age=-1").unwrap_err(),
            "invalid Strict-Transport-Security max-age directive: max-age=-1"
        );
        assert!(parse_hsts("max-age=0")
            .unwrap_err()
            .contains("greater than 0"));
        assert!(parse_hsts("max-age=100; preload")
            .unwrap_err()
            .contains("includeSubDomains"));
        assert!(parse_hsts("max-age=100; includesubdomains; preload")
            .unwrap_err()
            .contains("31536000"));
        assert!(parse_hsts("max-age=99999999999999999999").is_err());
    }

    #[test]
    fn must_be_validators() {
        let allowed = args::new_list(vec![Value::str("a"), Value::str("b")]);
        assert_eq!(
            text(must_be_one_of(&[allowed.clone(), Value::str("a")])),
            "a"
        );
        assert_eq!(
            must_be_one_of(&[allowed, Value::str("d")]).unwrap_err(),
            "value must be one of [\"a\" \"b\"]; got \"d\""
        );
        assert!(must_be_one_of(&[Value::string_list(["a"]), Value::str("a")]).is_err());
        assert_eq!(text(must_be_int(&[Value::str("-12")])), "-12");
        assert_eq!(
            must_be_int(&[Value::str("")]).unwrap_err(),
            "value must be an integer; got an empty value"
        );
        assert_eq!(
            must_be_int(&[Value::str("1.5")]).unwrap_err(),
            "value must be an integer; got \"1.5\""
        );
        assert_eq!(
            must_be_int_in_range(&[Value::Int(1), Value::Int(10), Value::str("11")]).unwrap_err(),
            "value must be an integer between 1 and 10; got \"11\""
        );
        assert_eq!(
            must_be_int_in_range(&[Value::Int(5), Value::Int(1), Value::str("3")]).unwrap_err(),
            "invalid allowed range 5..1"
        );
    }

    #[test]
    fn small_string_helpers() {
        assert_eq!(
            text(comment(&[Value::str("# "), Value::str("a\nb\n")])),
            "# a\n# b\n# "
        );
        assert_eq!(text(comment(&[Value::str("# "), Value::str("")])), "# ");
        let candidates = Value::string_list(["a.com", "b.a.com", "a"]);
        assert_eq!(
            text(closest(&[candidates.clone(), Value::str("x.b.a.com")])),
            "b.a.com"
        );
        assert_eq!(text(closest(&[candidates, Value::str("zzz")])), "");
        assert_eq!(
            text(query_escape(&[Value::str("a b&c=d/é~")])),
            "a+b%26c%3Dd%2F%C3%A9~"
        );
        assert_eq!(go_split("a,b,,c", ",", 2), ["a", "b,,c"]);
        assert_eq!(go_split("", ",", -1), [""]);
        assert_eq!(go_split("abc", "", -1), ["a", "b", "c"]);
        assert_eq!(go_split("abc", "", 2), ["a", "bc"]);
        assert!(
            matches!(split_n(&[Value::str("a"), Value::str(","), Value::Int(0)]), Ok(Value::List(l)) if l.is_nil)
        );
        assert_eq!(go_replace("aaaa", "a", "b", 2), "bbaa");
        assert_eq!(go_replace("ab", "", "-", -1), "-a-b-");
        assert_eq!(go_replace("ab", "", "-", 2), "-a-b");
        assert!(parse_bool(&[Value::str("yes")])
            .unwrap_err()
            .contains("invalid syntax"));
        assert!(matches!(
            parse_bool(&[Value::str("T")]),
            Ok(Value::Bool(true))
        ));
        for (text, want) in [
            ("1", true),
            ("t", true),
            ("TRUE", true),
            ("true", true),
            ("True", true),
            ("0", false),
            ("f", false),
            ("F", false),
            ("FALSE", false),
            ("false", false),
            ("False", false),
        ] {
            assert!(
                matches!(parse_bool(&[Value::str(text)]), Ok(Value::Bool(b)) if b == want),
                "{text}"
            );
        }
        for text in ["", "tRUE", "TRue", "fALSE", "falsE", "2", "true ", "yes"] {
            assert!(parse_bool(&[Value::str(text)]).is_err(), "{text:?}");
        }
    }

    #[test]
    fn coalesce_versus_sprig_coalesce() {
        let values = [Value::Missing, Value::str(""), Value::Int(3)];
        assert_eq!(text(coalesce(&values)), "");
        assert!(matches!(
            crate::template::funcs::sprig_misc::coalesce(&values),
            Ok(Value::Int(3))
        ));
        assert!(matches!(
            coalesce(&[Value::Nil, Value::Missing]),
            Ok(Value::Missing)
        ));
    }

    #[test]
    fn contains_needs_a_map_with_the_key() {
        let map = Value::string_map([("k".to_string(), "v".to_string())]);
        assert!(matches!(
            contains(&[map.clone(), Value::str("k")]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            contains(&[map, Value::Int(1)]),
            Ok(Value::Bool(false))
        ));
        assert!(matches!(
            contains(&[Value::string_list(["k"]), Value::str("k")]),
            Ok(Value::Bool(false))
        ));
        assert!(matches!(
            contains(&[Value::Nil, Value::str("k")]),
            Ok(Value::Bool(false))
        ));
    }

    #[test]
    fn where_is_type_sensitive() {
        let found = where_(&[
            sample(),
            Value::str("Env.VIRTUAL_HOST"),
            Value::str("a.com"),
        ])
        .unwrap();
        assert_eq!(strs(&found), ["a", "c"]);
        let none = where_(&[sample(), Value::str("Env.PORT"), Value::Int(80)]).unwrap();
        assert!(strs(&none).is_empty());
        let by_int = where_(&[sample(), Value::str("Port"), Value::Int(1)]).unwrap();
        assert_eq!(strs(&by_int).len(), 3);
        let missing = where_(&[sample(), Value::str("Env.PORT"), Value::Nil]).unwrap();
        assert_eq!(strs(&missing), ["c"]);
        let not = where_not(&[sample(), Value::str("Env.PORT"), Value::str("80")]).unwrap();
        assert_eq!(strs(&not), ["b", "c"]);
        assert_eq!(
            strs(&where_exist(&[sample(), Value::str("Env.PORT")]).unwrap()),
            ["a", "b"]
        );
        assert_eq!(
            strs(&where_not_exist(&[sample(), Value::str("Env.PORT")]).unwrap()),
            ["c"]
        );
        assert!(where_(&[Value::str("x"), Value::str("a"), Value::Nil])
            .unwrap_err()
            .starts_with("must pass an array or slice to 'where'"));
    }

    #[test]
    fn where_any_and_all() {
        let wanted = Value::string_list(["a.com", "b.com"]);
        let any = where_any(&[
            sample(),
            Value::str("Env.VIRTUAL_HOST"),
            Value::str(","),
            wanted.clone(),
        ]);
        assert_eq!(strs(&any.unwrap()), ["a", "b", "c"]);
        let all = where_all(&[
            sample(),
            Value::str("Env.VIRTUAL_HOST"),
            Value::str(","),
            wanted,
        ]);
        assert_eq!(strs(&all.unwrap()), ["b"]);
        let doubled = Value::string_list(["a.com", "a.com"]);
        let never = where_all(&[
            sample(),
            Value::str("Env.VIRTUAL_HOST"),
            Value::str(","),
            doubled,
        ]);
        assert!(strs(&never.unwrap()).is_empty());
        let not_string = where_any(&[
            sample(),
            Value::str("Port"),
            Value::str(","),
            Value::string_list(["1"]),
        ]);
        assert!(not_string.unwrap_err().contains("is int, not string"));
    }

    #[test]
    fn where_label_keeps_the_container_list() {
        let exists = where_label_exists(&[sample(), Value::str("x")]).unwrap();
        assert!(matches!(&exists, Value::Containers(c) if c.items.len() == 2));
        let chained = where_label_does_not_exist(&[exists, Value::str("y")]).unwrap();
        assert_eq!(strs(&chained), ["a"]);
        let matches =
            where_label_value_matches(&[sample(), Value::str("y"), Value::str("^y")]).unwrap();
        assert_eq!(strs(&matches), ["c"]);
        assert!(where_label_value_matches(&[sample(), Value::str("y"), Value::str("(")]).is_err());
        let list = args::new_list(vec![]);
        assert_eq!(
            where_label_exists(&[list, Value::str("x")]).unwrap_err(),
            "wrong type for value; expected context.Context; got []interface {}"
        );
    }

    #[test]
    fn group_by_variants() {
        let groups = group_by(&[sample(), Value::str("Env.VIRTUAL_HOST")]).unwrap();
        match &groups {
            Value::Map(map) => {
                assert_eq!(
                    args::map_entries(map)
                        .keys()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>(),
                    ["a.com", "b.com,a.com"]
                );
                assert_eq!(strs(&args::map_get(map, "a.com").unwrap()), ["a", "c"]);
            }
            _ => panic!("not a map"),
        }
        let multi =
            group_by_multi(&[sample(), Value::str("Env.VIRTUAL_HOST"), Value::str(",")]).unwrap();
        match &multi {
            Value::Map(map) => {
                assert_eq!(strs(&args::map_get(map, "a.com").unwrap()), ["a", "b", "c"])
            }
            _ => panic!("not a map"),
        }
        let dup = root(vec![container("d", &[("H", "x,x")], &[])]);
        match group_by_multi(&[dup, Value::str("Env.H"), Value::str(",")]).unwrap() {
            Value::Map(map) => assert_eq!(strs(&args::map_get(&map, "x").unwrap()), ["d", "d"]),
            _ => panic!("not a map"),
        }
        let keys = group_by_keys(&[sample(), Value::str("Env.PORT")]).unwrap();
        assert_eq!(strs(&keys), ["80", "8080"]);
        match group_by_with_default(&[sample(), Value::str("Env.PORT"), Value::str("none")])
            .unwrap()
        {
            Value::Map(map) => assert_eq!(strs(&args::map_get(&map, "none").unwrap()), ["c"]),
            _ => panic!("not a map"),
        }
        match group_by_label(&[sample(), Value::str("x")]).unwrap() {
            Value::Map(map) => {
                assert_eq!(strs(&args::map_get(&map, "").unwrap()), ["c"]);
                assert_eq!(args::map_len(&map), 2);
            }
            _ => panic!("not a map"),
        }
        assert!(group_by(&[sample(), Value::str("Port")])
            .unwrap_err()
            .contains("is int, not string"));
        let bad = args::new_list(vec![Value::str("x")]);
        assert!(group_by_label(&[bad, Value::str("x")])
            .unwrap_err()
            .contains("*RuntimeContainer"));
    }

    #[test]
    fn sort_objects_numeric_stable_and_descending() {
        let item = |id: &str, port: &str| {
            Value::record(
                "Address",
                vec![("ID", Value::str(id)), ("Port", Value::str(port))],
            )
        };
        let list = args::new_list(vec![
            item("a", "443"),
            item("b", "80"),
            item("c", "80"),
            item("d", "8080"),
        ]);
        let asc = sort_objects_by_keys_asc(&[list.clone(), Value::str("Port")]).unwrap();
        assert_eq!(strs(&asc), ["b", "c", "a", "d"]);
        let desc = sort_objects_by_keys_desc(&[list.clone(), Value::str("Port")]).unwrap();
        assert_eq!(strs(&desc), ["d", "a", "b", "c"]);
        let by_missing = sort_objects_by_keys_asc(&[list, Value::str("Nope")]).unwrap();
        assert_eq!(strs(&by_missing), ["a", "b", "c", "d"]);
        let mixed = args::new_list(vec![item("x", "b"), item("y", "10"), item("z", "a")]);
        assert_eq!(
            strs(&sort_objects_by_keys_asc(&[mixed, Value::str("Port")]).unwrap()),
            ["y", "z", "x"]
        );
    }

    #[test]
    fn keys_and_intersect_are_sorted() {
        let map = Value::string_map([
            ("b".to_string(), String::new()),
            ("a".to_string(), String::new()),
        ]);
        assert_eq!(strs(&keys(&[map]).unwrap()), ["a", "b"]);
        assert!(matches!(keys(&[Value::Missing]), Ok(Value::Missing)));
        assert!(keys(&[Value::str("x")]).is_err());
        let common = intersect(&[
            Value::string_list(["c", "a", "b", "a"]),
            Value::string_list(["a", "c"]),
        ]);
        assert_eq!(strs(&common.unwrap()), ["a", "c"]);
    }

    #[test]
    fn files() {
        let dir_path = std::env::temp_dir().join(format!("tinygen-funcs-{}", std::process::id()));
        std::fs::create_dir_all(&dir_path).unwrap();
        std::fs::write(dir_path.join("b.txt"), "hello").unwrap();
        std::fs::write(dir_path.join("a.txt"), "").unwrap();
        let path = |name: &str| Value::str(dir_path.join(name).to_string_lossy().into_owned());
        assert!(matches!(exists(&[path("b.txt")]), Ok(Value::Bool(true))));
        assert!(matches!(exists(&[path("nope")]), Ok(Value::Bool(false))));
        assert_eq!(text(include(&[path("b.txt")])), "hello");
        assert_eq!(text(include(&[path("nope")])), "");
        assert_eq!(
            strs(&dir(&[Value::str(dir_path.to_string_lossy().into_owned())]).unwrap()),
            ["a.txt", "b.txt"]
        );
        assert!(strs(&dir(&[path("nope")]).unwrap()).is_empty());
        std::fs::remove_dir_all(&dir_path).unwrap();
    }
}
