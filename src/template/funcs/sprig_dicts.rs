//! sprig's dictionary functions (`dict get set unset hasKey pluck pick omit merge values dig
//! deepCopy`) over `map[string]interface{}` values.
//!
//! sprig's `set`, `unset`, `merge` and `mergeOverwrite` mutate their first argument, as in
//! Go: every holder of the map sees the change (`args::map_insert`, `args::map_store`).

use std::rc::Rc;

use crate::template::funcs::args::{self, arity, arity_min, FuncResult};
use crate::template::funcs::sprig_date;
use crate::template::value::{key_order, Key, List, Map, Pairs};
use crate::template::Value;

/// `dict(k1, v1, k2, v2, ...)`: keys via `strval`; a missing last value is "".
pub fn dict(values: &[Value]) -> FuncResult {
    // Each pair goes where it belongs in a vector sized once (a later equal key replaces the
    // value): measured about half the cost of collecting the pairs and sorting them.
    let mut entries: Vec<(Key, Value)> = Vec::with_capacity(values.len().div_ceil(2));
    let mut index = 0;
    while index < values.len() {
        // `strval` prints "no value" as nil already: no `iface` copy needed.
        let key = args::strval_key(&values[index]);
        let value = values
            .get(index + 1)
            .map_or_else(|| Value::str(""), args::iface);
        index += 2;
        let mut at = entries.len();
        while at > 0 && key_order(&key, &entries[at - 1].0).is_lt() {
            at -= 1;
        }
        match entries.get_mut(at.wrapping_sub(1)) {
            Some(entry) if entry.0 == key => entry.1 = value,
            _ => entries.insert(at, (key, value)),
        }
    }
    Ok(args::new_dict(Pairs::from_sorted(entries)))
}

/// `get(d, key)`: the value or "".
pub fn get(values: &[Value]) -> FuncResult {
    arity("get", values, 2)?;
    let map = args::dict(&values[0])?;
    let key = args::string(&values[1])?;
    Ok(args::ret(
        args::map_get(&map, &key).unwrap_or_else(|| Value::str("")),
    ))
}

/// `set(d, key, value)`.
pub fn set(values: &[Value]) -> FuncResult {
    // The usual call, a dict and a string key, without the general conversions (measured:
    // 633 -> 548 instructions per call, most of the rest is the insertion itself).
    if let [Value::Map(map), Value::Str(key), value] = values {
        if !map.is_nil && args::is_iface_elem(map.elem) {
            args::map_insert(map, key.clone(), args::iface(value));
            return Ok(Value::Map(map.clone()));
        }
    }
    arity("set", values, 3)?;
    let map = args::dict(&values[0])?;
    if map.is_nil {
        return Err("assignment to entry in nil map".to_string());
    }
    let key = args::string(&values[1])?;
    let value = args::iface(&values[2]);
    args::map_insert(&map, key, value);
    Ok(Value::Map(map))
}

/// `unset(d, key)`.
pub fn unset(values: &[Value]) -> FuncResult {
    arity("unset", values, 2)?;
    let map = args::dict(&values[0])?;
    let key = args::string(&values[1])?;
    if map.is_nil {
        return Ok(Value::Map(map));
    }
    args::map_remove(&map, &key);
    Ok(Value::Map(map))
}

/// `hasKey(d, key)`.
pub fn has_key(values: &[Value]) -> FuncResult {
    arity("hasKey", values, 2)?;
    let map = args::dict(&values[0])?;
    let key = args::string(&values[1])?;
    Ok(Value::Bool(args::map_has(&map, &key)))
}

/// `pluck(key, dicts ...)`: the key's value from every dict that has it.
pub fn pluck(values: &[Value]) -> FuncResult {
    arity_min("pluck", values, 1)?;
    let key = args::string(&values[0])?;
    let mut out = Vec::new();
    for value in &values[1..] {
        if let Some(found) = args::map_get(&*args::dict(value)?, &key) {
            out.push(found);
        }
    }
    Ok(args::new_list(out))
}

fn key_list(values: &[Value]) -> Result<Vec<Rc<str>>, String> {
    values.iter().map(args::string).collect()
}

/// `pick(d, keys ...)`.
pub fn pick(values: &[Value]) -> FuncResult {
    arity_min("pick", values, 1)?;
    let map = args::dict(&values[0])?;
    let keys = key_list(&values[1..])?;
    let entries = keys
        .iter()
        .filter_map(|key| args::map_get(&map, key).map(|value| (key.clone(), value)))
        .collect::<Pairs>();
    Ok(args::new_dict(entries))
}

/// `omit(d, keys ...)`.
pub fn omit(values: &[Value]) -> FuncResult {
    arity_min("omit", values, 1)?;
    let map = args::dict(&values[0])?;
    let keys = key_list(&values[1..])?;
    let entries = args::map_entries(&map)
        .iter()
        .filter(|(key, _)| !keys.contains(key))
        .cloned()
        .collect::<Pairs>();
    Ok(args::new_dict(entries))
}

/// `values(d)`: the values, in key order (random order in Go).
pub fn values(values: &[Value]) -> FuncResult {
    arity("values", values, 1)?;
    let map = args::dict(&values[0])?;
    Ok(args::new_list(
        args::map_entries(&map)
            .iter()
            .map(|(_, value)| value.clone())
            .collect(),
    ))
}

/// mergo's notion of an empty value.
fn mergo_empty(value: &Value) -> bool {
    match value {
        Value::Record(_) | Value::Time(_) => false,
        other => args::empty(other),
    }
}

/// mergo's deep merge of `source` into `target`: nested dicts merge, other values fill keys
/// missing or empty in the target (or always, with `overwrite`). Without `overwrite` a nil
/// source entry is skipped, also when the target lacks the key, as mergo does.
fn merge_into(target: &mut Pairs, source: &Map, overwrite: bool, depth: usize) {
    // Both sides are sorted by key: one pass over them, no insertion shifts.
    let source = args::map_entries(source);
    let mut old = std::mem::take(target).into_vec().into_iter();
    let mut merged = Vec::with_capacity(old.len() + source.len());
    // The next target entry not yet placed. Plain loops: `Peekable::next_if` called its
    // closures out of line at opt-level "z" (measured: 67 instructions per step).
    let mut pending = old.next();
    for (key, incoming) in source.iter() {
        let mut existing = None;
        while let Some(entry) = pending.take() {
            if key_order(&entry.0, key).is_lt() {
                merged.push(entry);
                pending = old.next();
                continue;
            }
            if entry.0 == *key {
                existing = Some(entry);
                pending = old.next();
            } else {
                pending = Some(entry);
            }
            break;
        }
        if !overwrite && args::is_nil(incoming) {
            merged.extend(existing);
            continue;
        }
        let value = match (existing, incoming) {
            (Some((_, Value::Map(existing))), Value::Map(nested))
                if depth < 100
                    && args::is_iface_elem(existing.elem)
                    && args::is_iface_elem(nested.elem) =>
            {
                let mut entries = args::map_clone_entries(&existing);
                merge_into(&mut entries, nested, overwrite, depth + 1);
                args::map_store(&existing, entries)
            }
            (Some((_, existing)), _) if !overwrite && !mergo_empty(&existing) => existing,
            _ => incoming.clone(),
        };
        merged.push((key.clone(), value));
    }
    merged.extend(pending);
    merged.extend(old);
    *target = Pairs::from_sorted(merged);
}

fn merge_all(name: &str, values: &[Value], overwrite: bool) -> FuncResult {
    arity_min(name, values, 1)?;
    let target = args::dict(&values[0])?;
    let mut entries = args::map_clone_entries(&target);
    for source in &values[1..] {
        merge_into(&mut entries, &*args::dict(source)?, overwrite, 0);
    }
    Ok(args::map_store(&target, entries))
}

/// `merge(dst, srcs ...)`: fills keys missing or empty in `dst`.
pub fn merge(values: &[Value]) -> FuncResult {
    merge_all("merge", values, false)
}

/// `mergeOverwrite(dst, srcs ...)`: source values win (also empty ones, as sprig documents).
pub fn merge_overwrite(values: &[Value]) -> FuncResult {
    merge_all("mergeOverwrite", values, true)
}

/// A deep copy of a value (lists and maps are rebuilt).
pub fn copy_value(value: &Value, depth: usize) -> Value {
    if depth > 1000 {
        return value.clone();
    }
    match value {
        Value::List(list) => Value::List(Rc::new(List {
            elem: list.elem,
            items: list
                .items
                .iter()
                .map(|item| copy_value(item, depth + 1))
                .collect(),
            is_nil: list.is_nil,
        })),
        Value::Map(map) => Value::Map(Rc::new(Map {
            elem: map.elem,
            entries: args::map_entries(map)
                .iter()
                .map(|(key, item)| (key.clone(), copy_value(item, depth + 1)))
                .collect::<Pairs>()
                .into(),
            is_nil: map.is_nil,
        })),
        Value::Missing => Value::Nil,
        // copystructure leaves a struct's unexported fields zero: a new, empty location.
        Value::Record(record) if record.type_name == sprig_date::LOCATION_TYPE => {
            sprig_date::zero_location()
        }
        other => other.clone(),
    }
}

/// `deepCopy(v)` and `mustDeepCopy(v)`.
pub fn deep_copy(values: &[Value]) -> FuncResult {
    arity("deepCopy", values, 1)?;
    if args::is_nil(&values[0]) {
        return Err(
            "deepCopy error: reflect: call of reflect.Value.Type on zero Value".to_string(),
        );
    }
    Ok(copy_value(&values[0], 0))
}

/// `dig(keys ..., default, dict)`.
pub fn dig(values: &[Value]) -> FuncResult {
    if values.len() < 3 {
        return Err("dig needs at least three arguments".to_string());
    }
    let last = &values[values.len() - 1];
    let default = args::iface(&values[values.len() - 2]);
    let mut current = match last {
        Value::Map(map) if args::is_iface_elem(map.elem) => map.clone(),
        other => return Err(conversion_panic(other, "map[string]interface {}")),
    };
    let keys = &values[..values.len() - 2];
    for (index, key) in keys.iter().enumerate() {
        let Value::Str(key) = key else {
            return Err(conversion_panic(key, "string"));
        };
        let Some(step) = args::map_get(&current, key) else {
            return Ok(args::ret(default));
        };
        if index == keys.len() - 1 {
            return Ok(args::ret(step));
        }
        current = match step {
            Value::Map(map) if args::is_iface_elem(map.elem) => map,
            other => return Err(conversion_panic(&other, "map[string]interface {}")),
        };
    }
    Ok(default)
}

fn conversion_panic(value: &Value, wanted: &str) -> String {
    if args::is_nil(value) {
        format!("interface conversion: interface {{}} is nil, not {wanted}")
    } else {
        format!(
            "interface conversion: interface {{}} is {}, not {wanted}",
            args::type_name(value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(map: &Value, key: &str) -> Option<Value> {
        match map {
            Value::Map(map) => args::map_get(map, key),
            _ => None,
        }
    }

    #[test]
    fn dict_get_set() {
        let d = dict(&[Value::str("a"), Value::Int(1), Value::str("k")]).unwrap();
        assert!(matches!(entry(&d, "a"), Some(Value::Int(1))));
        assert!(matches!(entry(&d, "k"), Some(Value::Str(t)) if t.is_empty()));
        let d2 = set(&[d.clone(), Value::str("b"), Value::Missing]).unwrap();
        assert!(matches!(entry(&d2, "b"), Some(Value::Nil)));
        // In place: the first handle sees the change; a replaced key keeps one entry.
        set(&[d.clone(), Value::str("a"), Value::Int(9)]).unwrap();
        assert!(matches!(entry(&d, "a"), Some(Value::Int(9))));
        assert!(matches!(entry(&d, "b"), Some(Value::Nil)));
        assert!(matches!(&d, Value::Map(map) if args::map_len(map) == 3));
        let nil_map = set(&[Value::nil_map("any"), Value::str("a"), Value::Int(1)]);
        assert_eq!(nil_map.unwrap_err(), "assignment to entry in nil map");
        let string_map = Value::string_map([("a", "b")]);
        assert!(set(&[string_map, Value::str("a"), Value::Int(1)])
            .unwrap_err()
            .contains("expected map[string]interface {}"));
        assert!(set(&[d.clone(), Value::Int(1), Value::Int(1)]).is_err());
        assert!(matches!(get(&[d2.clone(), Value::str("zz")]), Ok(Value::Str(t)) if t.is_empty()));
        assert!(matches!(
            has_key(&[d2, Value::str("b")]),
            Ok(Value::Bool(true))
        ));
        assert!(get(&[Value::string_map::<_, &str, &str>([]), Value::str("a")]).is_err());
    }

    #[test]
    fn merge_keeps_existing_unless_empty() {
        let dst = dict(&[
            Value::str("a"),
            Value::Int(1),
            Value::str("e"),
            Value::str(""),
        ])
        .unwrap();
        let src = dict(&[
            Value::str("a"),
            Value::Int(2),
            Value::str("e"),
            Value::str("x"),
            Value::str("n"),
            Value::Bool(true),
        ])
        .unwrap();
        let merged = merge(&[dst.clone(), src.clone()]).unwrap();
        assert!(matches!(entry(&merged, "a"), Some(Value::Int(1))));
        assert!(matches!(entry(&merged, "e"), Some(Value::Str(t)) if &*t == "x"));
        assert!(matches!(entry(&merged, "n"), Some(Value::Bool(true))));
        let over = merge_overwrite(&[dst, src]).unwrap();
        assert!(matches!(entry(&over, "a"), Some(Value::Int(2))));
        // Interleaved keys, shared first bytes, target keys before, between and after the
        // source's.
        let number = |key: &str, value: i64| [Value::str(key), Value::Int(value)];
        let dst = dict(&[number("ab", 1), number("b", 0), number("z", 3)].concat()).unwrap();
        let src = dict(&[number("aa", 4), number("b", 5), number("c", 6)].concat()).unwrap();
        let merged = merge(&[dst, src]).unwrap();
        assert_eq!(keys_and_numbers(&merged), "aa=4 ab=1 b=5 c=6 z=3");
    }

    fn keys_and_numbers(map: &Value) -> String {
        let Value::Map(map) = map else {
            return "not a map".to_string();
        };
        let pairs: Vec<String> = args::map_entries(map)
            .iter()
            .map(|(key, value)| match value {
                Value::Int(number) => format!("{key}={number}"),
                _ => format!("{key}=?"),
            })
            .collect();
        pairs.join(" ")
    }

    #[test]
    fn dict_sorts_its_keys_and_keeps_the_last_of_equal_ones() {
        let number = |key: &str, value: i64| [Value::str(key), Value::Int(value)];
        let pairs = [
            number("m", 1),
            number("b", 2),
            number("ba", 3),
            number("m", 4),
            number("a", 5),
            number("b", 6),
        ];
        let made = dict(&pairs.concat()).unwrap();
        assert_eq!(keys_and_numbers(&made), "a=5 b=6 ba=3 m=4");
    }

    #[test]
    fn dig_walks_nested_dicts() {
        let inner = dict(&[Value::str("b"), Value::Int(7)]).unwrap();
        let outer = dict(&[Value::str("a"), inner]).unwrap();
        let found = dig(&[
            Value::str("a"),
            Value::str("b"),
            Value::str("dflt"),
            outer.clone(),
        ])
        .unwrap();
        assert!(matches!(found, Value::Int(7)));
        let missing = dig(&[Value::str("a"), Value::str("x"), Value::str("dflt"), outer]).unwrap();
        assert!(matches!(missing, Value::Str(t) if &*t == "dflt"));
        assert!(dig(&[Value::str("a")]).is_err());
    }
}
