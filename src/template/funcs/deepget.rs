//! docker-gen's `deepGet` (spec §4.2): the dotted-path lookup behind `where*`, `groupBy*` and
//! `sortObjectsByKeys*`. It only reads; a path that cannot be followed gives nil, never an
//! error (docker-gen logs those cases; we stay silent).

use crate::template::funcs::args::{self, is_iface_elem};
use crate::template::Value;

/// Looks `path` up in `item`: one leading `.` is stripped, the rest split on `.`; an empty
/// path gives the item itself. Nil (`Value::Nil`) stands for "not found".
pub fn deep_get(item: &Value, path: &str) -> Value {
    if path.is_empty() {
        return descend(item, None, false);
    }
    // Byte tests, not `strip_prefix`/`split_once`: at opt-level "z" their pattern machinery
    // is not inlined and cost more than the rest of the lookup.
    let path = match path.as_bytes() {
        [b'.', ..] => &path[1..],
        _ => path,
    };
    descend(item, Some(path), false)
}

/// The first part of a path and the rest (`None`: it was the last part).
fn split_part(path: &str) -> (&str, Option<&str>) {
    let end = part_end(path.as_bytes(), 0);
    (&path[..end], path.get(end + 1..))
}

/// The index of the first `.` at or after `from`, or the length of the path.
fn part_end(bytes: &[u8], from: usize) -> usize {
    // A plain loop: `position` calls its closure out of line at opt-level "z", 160
    // instructions for `Env.VIRTUAL_HOST`.
    let mut at = from;
    while at < bytes.len() && bytes[at] != b'.' {
        at += 1;
    }
    at
}

/// One step of the walk over the parts left (`None`: none). `boxed` says the value came out
/// of a `map[string]interface{}` or `[]interface{}`: Go's reflection then sees an interface
/// kind, which docker-gen cannot descend into (a faithful quirk: nested sprig dicts are
/// opaque to `where`).
fn descend(value: &Value, path: Option<&str>, boxed: bool) -> Value {
    if matches!(value, Value::Nil | Value::Missing) {
        return Value::Nil;
    }
    let Some(path) = path else {
        return value.clone();
    };
    if boxed {
        return Value::Nil;
    }
    match value {
        Value::Record(record) => {
            let bytes = path.as_bytes();
            let end = part_end(bytes, 0);
            match record.field_named(&bytes[..end]) {
                Some(field) => descend(field, path.get(end + 1..), false),
                None => Value::Nil,
            }
        }
        Value::Map(map) => {
            // A key may hold dots: try the parts joined, the shortest first
            // (`Labels.com.example.role`). The entries are read in place (descending only
            // reads), so only the value found is cloned; the path is scanned once.
            let boxed = is_iface_elem(map.elem);
            let entries = args::map_borrow(map);
            let bytes = path.as_bytes();
            let mut end = part_end(bytes, 0);
            loop {
                let rest = path.get(end + 1..);
                if let Some(found) = entries.get(&path[..end]) {
                    return descend(found, rest, boxed);
                }
                if rest.is_none() {
                    return Value::Nil;
                }
                end = part_end(bytes, end + 1);
            }
        }
        Value::List(list) => {
            let (first, rest) = split_part(path);
            match slice_index(first) {
                Some(index) if index < list.items.len() => {
                    descend(&list.items[index], rest, is_iface_elem(list.elem))
                }
                _ => Value::Nil,
            }
        }
        Value::Containers(containers) => {
            let (first, rest) = split_part(path);
            match slice_index(first) {
                Some(index) if index < containers.items.len() => {
                    descend(&containers.items[index], rest, false)
                }
                _ => Value::Nil,
            }
        }
        _ => Value::Nil,
    }
}

/// docker-gen's `parseAllocateInt`: a decimal that fits in int32 and is not negative.
fn slice_index(text: &str) -> Option<usize> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i64 = text.parse().ok()?;
    if !(0..=i64::from(i32::MAX)).contains(&number) {
        return None;
    }
    usize::try_from(number).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::Pairs;
    use std::collections::BTreeMap;

    fn smap(entries: &[(&str, Value)], elem: &'static str) -> Value {
        Value::map(
            elem,
            entries
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect::<Pairs>(),
        )
    }

    fn container() -> Value {
        Value::record(
            "RuntimeContainer",
            vec![
                ("ID", Value::str("expected")),
                (
                    "Env",
                    Value::string_map([("key".to_string(), "value".to_string())]),
                ),
                (
                    "Labels",
                    Value::string_map([(
                        "com.docker.compose.project".to_string(),
                        "proj".to_string(),
                    )]),
                ),
                ("Name", Value::str("")),
            ],
        )
    }

    fn text(value: &Value) -> Option<String> {
        match value {
            Value::Str(text) => Some(text.to_string()),
            _ => None,
        }
    }

    #[test]
    fn empty_path_is_the_item() {
        assert!(matches!(deep_get(&container(), ""), Value::Record(_)));
    }

    #[test]
    fn struct_fields_with_and_without_dot() {
        assert_eq!(
            text(&deep_get(&container(), "ID")).as_deref(),
            Some("expected")
        );
        assert_eq!(
            text(&deep_get(&container(), ".ID")).as_deref(),
            Some("expected")
        );
        assert_eq!(text(&deep_get(&container(), "Name")).as_deref(), Some(""));
        assert!(matches!(deep_get(&container(), "Nope"), Value::Nil));
    }

    #[test]
    fn map_keys_plain_and_dotted() {
        assert_eq!(
            text(&deep_get(&container(), "Env.key")).as_deref(),
            Some("value")
        );
        assert!(matches!(deep_get(&container(), "Env.nope"), Value::Nil));
        assert_eq!(
            text(&deep_get(&container(), "Labels.com.docker.compose.project")).as_deref(),
            Some("proj")
        );
        let simple = smap(&[("Env", Value::str("quux"))], "string");
        assert_eq!(text(&deep_get(&simple, "Env")).as_deref(), Some("quux"));
        let dotted = smap(
            &[(
                "Env",
                smap(&[("foo.bar.baz.qux", Value::str("quux"))], "string"),
            )],
            "map[string]string",
        );
        assert_eq!(
            text(&deep_get(&dotted, "Env.foo.bar.baz.qux")).as_deref(),
            Some("quux")
        );
        let nested = smap(
            &[(
                "Env",
                smap(
                    &[(
                        "foo.bar",
                        smap(&[("baz.qux", Value::str("quux"))], "string"),
                    )],
                    "map[string]string",
                ),
            )],
            "map[string]map[string]string",
        );
        assert_eq!(
            text(&deep_get(&nested, "Env.foo.bar.baz.qux")).as_deref(),
            Some("quux")
        );
    }

    #[test]
    fn empty_keys() {
        let inner = smap(&[("", Value::str("foo"))], "string");
        let middle = smap(&[("", inner)], "map[string]string");
        let outer = smap(&[("", middle)], "map[string]map[string]string");
        assert_eq!(text(&deep_get(&outer, "...")).as_deref(), Some("foo"));
    }

    #[test]
    fn slice_indexes() {
        let list = Value::string_list(["foo", "bar"]);
        assert_eq!(text(&deep_get(&list, "1")).as_deref(), Some("bar"));
        assert!(matches!(deep_get(&list, "2"), Value::Nil));
        assert!(matches!(deep_get(&list, "-1"), Value::Nil));
        assert!(matches!(deep_get(&list, "foo"), Value::Nil));
        assert!(matches!(deep_get(&list, "99999999999"), Value::Nil));
        assert!(matches!(
            deep_get(&Value::string_list(Vec::<String>::new()), "0"),
            Value::Nil
        ));
    }

    #[test]
    fn scalars_and_nil() {
        assert!(matches!(deep_get(&Value::str("x"), "a"), Value::Nil));
        assert!(matches!(deep_get(&Value::Nil, ""), Value::Nil));
        assert!(matches!(
            deep_get(&Value::nil_map("string"), "a"),
            Value::Nil
        ));
    }

    #[test]
    fn interface_boxed_values_are_opaque() {
        let inner = smap(&[("b", Value::Int(1))], "any");
        let outer = smap(&[("a", inner)], "any");
        assert!(matches!(deep_get(&outer, "a.b"), Value::Nil));
        assert!(matches!(deep_get(&outer, "a"), Value::Map(_)));
        let mut entries = BTreeMap::new();
        entries.insert("b".to_string(), Value::Int(1));
        let typed = smap(
            &[("a", Value::map("any", entries))],
            "map[string]interface {}",
        );
        assert!(matches!(deep_get(&typed, "a.b"), Value::Int(1)));
    }
}
