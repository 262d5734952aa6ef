//! The value type templates see: a model of the Go values docker-gen hands to text/template.
//!
//! It owns the shape of template data (records with declared field order and an optional
//! String form, maps with sorted keys, lists, int versus float versus Go's other integer
//! types, nil versus "no value", times) and must never know where the data came from:
//! `context.rs` builds it, the engines read it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A template value. Cloning is cheap: compound values are reference counted.
#[derive(Clone, Debug)]
#[repr(u64)]
pub enum Value {
    /// Go's nil (an untyped nil interface, a nil pointer, a nil map or slice that was asked for).
    Nil,
    /// A typed nil pointer to the struct named like `Record::type_name` (docker-gen's
    /// `$.CurrentContainer` outside a container, a `*context.RuntimeContainer`): false and
    /// `<nil>` like `Nil`, but it keeps its type through variables, `interface{}` slots and
    /// function calls (`%T`, `kindOf`, `eq` with other types, field errors).
    NilPointer(&'static str),
    /// The result of a missing map key: prints `<no value>`, is false, becomes nil as an argument.
    Missing,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<List>),
    Map(Rc<Map>),
    Record(Rc<Record>),
    Time(Rc<Time>),
    /// A Go integer of a type other than `int`: a named type with a String method
    /// (`time.Month`, `time.Weekday`, `time.Duration`), an int to `eq`, `lt`, `%d` and JSON,
    /// its String form to `print`, `%v` and `%s`; or an `int64` or `uint64` (`%T`, `%#v`).
    Named(NamedInt),
    /// docker-gen's root: the container list that also answers `.Env`, `.Docker` and
    /// `.CurrentContainer` (Go's `Context` type with methods).
    Containers(Rc<Containers>),
}

/// A Go slice. `elem` names the Go element type where it matters (`string` for `[]string`,
/// `any` for `[]interface{}`, a record type name for struct slices).
#[derive(Clone, Debug, Default)]
pub struct List {
    pub elem: &'static str,
    pub items: Vec<Value>,
    /// A nil slice (prints `[]`, JSON `null`).
    pub is_nil: bool,
}

/// A Go map with string keys (`map[string]string`, `map[string]any`, ...), iterated sorted.
/// Like a Go map it is a reference: sprig's `set` changes it for every holder.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub elem: &'static str,
    pub entries: Entries,
    /// A nil map (prints `map[]`, JSON `null`).
    pub is_nil: bool,
}

/// A map key: shared, so copying a map or handing out its keys allocates nothing.
pub type Key = Rc<str>;

/// Map entries sorted by key, without duplicates: lookups are binary searches and iteration
/// is in Go's printing order. Template maps are small (a container's labels, a dict of a
/// few settings), where a sorted vector beats a tree; bulk builders collect, which sorts once.
#[derive(Clone, Debug, Default)]
pub struct Pairs(Vec<(Key, Value)>);

/// The order of two keys (byte order, as Go sorts map keys). The first bytes decide most
/// comparisons without a call to memcmp.
#[inline]
pub fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

/// Where `key` is (`Ok`) or would go (`Err`) among `len` names in key order, `name_at`
/// giving each. A plain loop, always inlined: `binary_search_by` calls its closure out of
/// line at opt-level "z", which doubled the cost of a lookup.
#[inline(always)]
pub fn sorted_position<'a>(
    len: usize,
    name_at: impl Fn(usize) -> &'a str,
    key: &str,
) -> Result<usize, usize> {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low + (high - low) / 2;
        match key_order(name_at(middle), key) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return Ok(middle),
        }
    }
    Err(low)
}

impl Pairs {
    /// Where `key` is (`Ok`) or would go (`Err`). A plain loop: `binary_search_by` calls its
    /// closure out of line at opt-level "z", which doubled the cost of a lookup.
    fn position(&self, key: &str) -> Result<usize, usize> {
        // Indexing a slice, not the vector: `Vec`'s `Index` is a call at opt-level "z".
        let entries = self.0.as_slice();
        sorted_position(entries.len(), |index| &entries[index].0, key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|index| &self.0[index].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// `get`, trying the index in `hint` first and leaving the key's index there.
    pub fn get_hinted(&self, key: &str, hint: &Cell<u32>) -> Option<&Value> {
        let guess = hint.get() as usize;
        if let Some((probe, value)) = self.0.get(guess) {
            if **probe == *key {
                return Some(value);
            }
        }
        let index = self.position(key).ok()?;
        hint.set(u32::try_from(index).unwrap_or(0));
        Some(&self.0[index].1)
    }

    /// Sets `key`, returning the value it replaced.
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        match self.position(&key) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, value)),
            Err(index) => {
                self.0.insert(index, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.position(key).ok()?;
        Some(self.0.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entry at `index` in key order.
    pub fn entry_at(&self, index: usize) -> Option<&(Key, Value)> {
        self.0.get(index)
    }

    /// Pairs from entries already sorted by key without duplicates (a merge of two maps'
    /// entries); debug builds check it.
    pub fn from_sorted(entries: Vec<(Key, Value)>) -> Pairs {
        debug_assert!(entries.windows(2).all(|pair| pair[0].0 < pair[1].0));
        Pairs(entries)
    }

    /// The entries in key order, taken out.
    pub fn into_vec(self) -> Vec<(Key, Value)> {
        self.0
    }

    /// The entries in key order.
    pub fn iter(&self) -> std::slice::Iter<'_, (Key, Value)> {
        self.0.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.0.iter().map(|(key, _)| key)
    }
}

impl<'p> IntoIterator for &'p Pairs {
    type Item = &'p (Key, Value);
    type IntoIter = std::slice::Iter<'p, (Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Pairs {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Collects pairs in any order; of equal keys the last one stays, as when inserting them in
/// turn.
impl<K: Into<Key>> FromIterator<(K, Value)> for Pairs {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Pairs {
        let mut pairs: Vec<(Key, Value)> = iter.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Sorted stably, so equal keys keep their order; of each run the last one stays. A
        // plain insertion sort for the maps templates build (`dict`, mostly a few keys, often
        // nearly in order): the standard sort calls its comparison closure out of line at
        // opt-level "z".
        // Indexing a slice, not the vector: `Vec`'s `Index` is a call at opt-level "z".
        let slice = pairs.as_mut_slice();
        if slice.len() <= 32 {
            for end in 1..slice.len() {
                let mut at = end;
                while at > 0 && key_order(&slice[at - 1].0, &slice[at].0).is_gt() {
                    slice.swap(at - 1, at);
                    at -= 1;
                }
            }
        } else {
            slice.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let mut kept = 0;
        for index in 0..slice.len() {
            if kept > 0 && key_order(&slice[kept - 1].0, &slice[index].0).is_eq() {
                slice.swap(kept - 1, index);
            } else {
                if kept != index {
                    slice.swap(kept, index);
                }
                kept += 1;
            }
        }
        pairs.truncate(kept);
        Pairs(pairs)
    }
}

impl<K: Into<Key>> From<BTreeMap<K, Value>> for Pairs {
    fn from(entries: BTreeMap<K, Value>) -> Pairs {
        // Already sorted and unique.
        Pairs(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// The entries of a map, shared and mutable like a Go map's. Reads hand out clones or
/// snapshots, so no borrow outlives a call and a template may change a map it ranges over.
/// A snapshot shares the entries until the map next changes (copy on write), so reading a
/// map whole, or copying it, copies nothing.
#[derive(Debug, Default)]
pub struct Entries(RefCell<Rc<Pairs>>);

impl Clone for Entries {
    /// A copy of the entries (a new map), as sprig's `deepCopy` or building a new map needs.
    fn clone(&self) -> Entries {
        Entries(RefCell::new(self.snapshot()))
    }
}

impl From<Pairs> for Entries {
    fn from(pairs: Pairs) -> Entries {
        Entries(RefCell::new(Rc::new(pairs)))
    }
}

impl Entries {
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.borrow().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.borrow().contains_key(key)
    }

    /// The entries, borrowed in place until the guard is dropped (a read of a field chain
    /// that clones only the value it ends in). Nothing may change the map meanwhile.
    pub fn borrow(&self) -> std::cell::Ref<'_, Pairs> {
        std::cell::Ref::map(self.0.borrow(), |pairs| &**pairs)
    }

    /// `get` with a hint of where the key is (see `Pairs::get_hinted`).
    pub fn get_hinted(&self, key: &str, hint: &Cell<u32>) -> Option<Value> {
        self.0.borrow().get_hinted(key, hint).cloned()
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    /// The entries as they are now, in key order. Later changes to the map do not show.
    pub fn snapshot(&self) -> Rc<Pairs> {
        Rc::clone(&self.0.borrow())
    }

    pub fn insert(&self, key: Key, value: Value) -> Option<Value> {
        Rc::make_mut(&mut self.0.borrow_mut()).insert(key, value)
    }

    /// Replaces all entries at once (in place: every holder of the map sees the new ones).
    pub fn replace(&self, entries: Pairs) {
        *self.0.borrow_mut() = Rc::new(entries);
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        let mut entries = self.0.borrow_mut();
        if !entries.contains_key(key) {
            return None;
        }
        Rc::make_mut(&mut entries).remove(key)
    }
}

/// A Go struct: fields in declaration order; `string_form` is what its String method prints.
#[derive(Clone, Debug)]
pub struct Record {
    pub type_name: &'static str,
    pub fields: Vec<(&'static str, Value)>,
    pub string_form: Option<String>,
}

/// A Go `time.Time`, kept in both of the forms templates can observe. Equal values are
/// equal in Go's `==` too (same instant, location and monotonic reading).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Time {
    /// `time.Time.String()`: `2024-01-02 03:04:05.12 +0000 UTC`, with the monotonic clock
    /// reading of `time.Now()` after it (` m=+0.000012345`).
    pub display: String,
    /// `encoding/json` form: RFC 3339 with nanoseconds, trailing zeros trimmed.
    pub rfc3339: String,
    /// Seconds since the Unix epoch and the nanosecond part, for ordering and arithmetic.
    pub unix_seconds: i64,
    pub nanos: u32,
    /// Whether the location is Go's `time.Local` (`now`, `.Local`, `toDate`): its
    /// `.Location` and `%#v` say so even when the local zone is UTC.
    pub local: bool,
    /// Go's monotonic clock reading, in nanoseconds since the process started: only
    /// `time.Now()` has one, and `.Add` (sprig's `dateModify`) keeps it.
    pub monotonic: Option<i64>,
}

/// A value of a Go integer type other than `int`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedInt {
    pub of: IntType,
    pub number: i64,
}

/// The integer types other than `int` that templates meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntType {
    Month,
    Weekday,
    /// Nanoseconds (`Time.Sub`).
    Duration,
    /// `Time.Unix`, `Duration.Milliseconds` and the like.
    Int64,
    /// A semantic version's numbers.
    Uint64,
}

/// Go's month names, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Go's weekday names, Sunday first.
pub const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl NamedInt {
    /// Go's name of the type (`%T`, error messages).
    pub fn type_name(&self) -> &'static str {
        match self.of {
            IntType::Month => "time.Month",
            IntType::Weekday => "time.Weekday",
            IntType::Duration => "time.Duration",
            IntType::Int64 => "int64",
            IntType::Uint64 => "uint64",
        }
    }

    /// Go's `reflect.Kind` name of the type.
    pub fn kind_name(&self) -> &'static str {
        match self.of {
            IntType::Month | IntType::Weekday => "int",
            IntType::Duration | IntType::Int64 => "int64",
            IntType::Uint64 => "uint64",
        }
    }

    /// What the String method returns (`None`: the type has none); Go's `%!Month(13)`
    /// outside the names.
    pub fn text(&self) -> Option<String> {
        let (names, short): (&[&str], &str) = match self.of {
            IntType::Month => (&MONTH_NAMES, "Month"),
            IntType::Weekday => (&WEEKDAY_NAMES, "Weekday"),
            IntType::Duration => {
                return Some(crate::template::funcs::sprig_date::format_duration(
                    i128::from(self.number),
                ))
            }
            IntType::Int64 | IntType::Uint64 => return None,
        };
        let first = i64::from(self.of == IntType::Month);
        Some(
            usize::try_from(self.number - first)
                .ok()
                .and_then(|index| names.get(index))
                .map_or_else(
                    || format!("%!{short}({})", self.number),
                    |name| name.to_string(),
                ),
        )
    }
}

/// The root list with its methods (spec §3.1).
#[derive(Clone, Debug)]
pub struct Containers {
    pub items: Vec<Value>,
    pub globals: Rc<Globals>,
}

/// What every view of the root shares, also a filtered one (`whereLabelExists $ ...`).
#[derive(Clone, Debug)]
pub struct Globals {
    pub env: Value,
    pub docker: Value,
    pub current_container: Value,
}

#[allow(dead_code)]
impl Value {
    pub fn str(text: impl Into<Rc<str>>) -> Value {
        Value::Str(text.into())
    }

    /// A Go `int64` (sprig's arithmetic results, `Time.Unix`).
    pub fn int64(number: i64) -> Value {
        Value::Named(NamedInt {
            of: IntType::Int64,
            number,
        })
    }

    /// A `[]string`.
    pub fn string_list<I: IntoIterator<Item = S>, S: Into<Rc<str>>>(items: I) -> Value {
        Value::list(
            "string",
            items
                .into_iter()
                .map(|item| Value::Str(item.into()))
                .collect(),
        )
    }

    pub fn list(elem: &'static str, items: Vec<Value>) -> Value {
        Value::List(Rc::new(List {
            elem,
            items,
            is_nil: false,
        }))
    }

    pub fn nil_list(elem: &'static str) -> Value {
        Value::List(Rc::new(List {
            elem,
            items: Vec::new(),
            is_nil: true,
        }))
    }

    pub fn map(elem: &'static str, entries: impl Into<Pairs>) -> Value {
        Value::Map(Rc::new(Map {
            elem,
            entries: entries.into().into(),
            is_nil: false,
        }))
    }

    pub fn nil_map(elem: &'static str) -> Value {
        Value::Map(Rc::new(Map {
            elem,
            entries: Entries::default(),
            is_nil: true,
        }))
    }

    /// A `map[string]string`.
    pub fn string_map<I, K, V>(entries: I) -> Value
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Key>,
        V: Into<Rc<str>>,
    {
        Value::map(
            "string",
            entries
                .into_iter()
                .map(|(k, v)| (k, Value::str(v)))
                .collect::<Pairs>(),
        )
    }

    pub fn record(type_name: &'static str, fields: Vec<(&'static str, Value)>) -> Value {
        Value::Record(Rc::new(Record {
            type_name,
            fields,
            string_form: None,
        }))
    }

    /// Looks up a record field by its exact name.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Record(record) => record.field(name),
            _ => None,
        }
    }
}

#[allow(dead_code)]
impl Record {
    /// Whether Go holds this struct through a pointer (docker-gen's `*RuntimeContainer`,
    /// sprig's `*semver.Version`, `Time.Location`'s `*time.Location`).
    pub fn is_pointer(&self) -> bool {
        self.type_name == "RuntimeContainer"
            || self.type_name == "*semver.Version"
            || self.type_name == "*time.Location"
    }

    /// Whether the String method has a pointer receiver (docker-gen's `DockerImage`): then
    /// only an addressable value (a field reached through a pointer) prints through it;
    /// `fmt` and copies (function results, list and map elements) print the struct.
    pub fn string_needs_address(&self) -> bool {
        self.type_name == "DockerImage" && self.string_form.is_some()
    }

    pub fn field(&self, name: &str) -> Option<&Value> {
        self.field_named(name.as_bytes())
    }

    /// `field` by the name's bytes (`deepGet` reads a part of its path without slicing a
    /// `str`). A plain loop, the lengths first: most fields differ there, and a comparison
    /// of the bytes is a call to memcmp (measured: `deepGet "Env.X"` on a container 610 ->
    /// 510 instructions).
    pub fn field_named(&self, name: &[u8]) -> Option<&Value> {
        for (field, value) in &self.fields {
            if field.len() == name.len() && field.as_bytes() == name {
                return Some(value);
            }
        }
        None
    }
}

/// The exported fields of a struct type a `Value::NilPointer` points to, in declaration
/// order (docker-gen's `RuntimeContainer`; `context.rs` builds its records with them).
pub fn struct_fields(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "RuntimeContainer" => &RUNTIME_CONTAINER_FIELDS,
        _ => &[],
    }
}

/// docker-gen's `RuntimeContainer` fields.
pub const RUNTIME_CONTAINER_FIELDS: [&str; 19] = [
    "ID",
    "Created",
    "Addresses",
    "Networks",
    "Devices",
    "Gateway",
    "Name",
    "Hostname",
    "NetworkMode",
    "Image",
    "Env",
    "Volumes",
    "Node",
    "Labels",
    "IP",
    "IP6LinkLocal",
    "IP6Global",
    "Mounts",
    "State",
];

/// Whether a list or map element type name stands for Go's `interface{}`.
pub fn is_interface_elem(elem: &str) -> bool {
    // Byte patterns: a string comparison is a call to memcmp at opt-level "z".
    match elem.as_bytes() {
        [] | [b'a', b'n', b'y'] => true,
        [b'i', b'n', b't', ..] => elem == "interface{}" || elem == "interface {}",
        _ => false,
    }
}

/// Go's spelling of an element type name as it appears inside a composite type.
fn go_elem_type(elem: &str) -> String {
    if is_interface_elem(elem) {
        "interface {}".to_string()
    } else if elem.starts_with(|c: char| c.is_ascii_uppercase()) {
        go_record_type(elem)
    } else {
        elem.to_string()
    }
}

/// Go's type of a record: docker-gen's containers are pointers, other structs are values.
fn go_record_type(name: &str) -> String {
    if name.contains('.') {
        name.to_string()
    } else if name == "RuntimeContainer" {
        "*context.RuntimeContainer".to_string()
    } else {
        format!("context.{name}")
    }
}

impl Value {
    /// Go text/template truth: false, 0, "", nil and empty lists and maps are false;
    /// structs are true. A container list is true when it has items.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil | Value::Missing | Value::NilPointer(_) => false,
            Value::Bool(flag) => *flag,
            Value::Int(number) => *number != 0,
            Value::Named(named) => named.number != 0,
            Value::Float(number) => *number != 0.0,
            Value::Str(text) => !text.is_empty(),
            Value::List(list) => !list.items.is_empty(),
            Value::Map(map) => !map.entries.is_empty(),
            Value::Record(_) | Value::Time(_) => true,
            Value::Containers(containers) => !containers.items.is_empty(),
        }
    }

    /// Go's name of the value's type, as `%T` and error messages print it
    /// (`string`, `[]string`, `map[string]interface {}`, `*context.RuntimeContainer`).
    pub fn go_type(&self) -> String {
        match self {
            Value::Nil | Value::Missing => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::Str(_) => "string".to_string(),
            Value::List(list) => format!("[]{}", go_elem_type(list.elem)),
            Value::Map(map) => format!("map[string]{}", go_elem_type(map.elem)),
            Value::Record(record) => go_record_type(record.type_name),
            Value::NilPointer(type_name) => go_record_type(type_name),
            Value::Time(_) => "time.Time".to_string(),
            Value::Named(named) => named.type_name().to_string(),
            Value::Containers(_) => "*context.Context".to_string(),
        }
    }

    /// The Go zero value of an element type name (what a missing map key indexes to).
    /// `interface{}` elements give `Missing`, Go's invalid value.
    pub fn zero_of(elem: &str) -> Value {
        match elem {
            "string" => Value::str(""),
            "int" | "int64" | "int32" | "uint" | "uint16" | "uint64" => Value::Int(0),
            "float64" | "float32" => Value::Float(0.0),
            "bool" => Value::Bool(false),
            _ if is_interface_elem(elem) => Value::Missing,
            _ if elem.starts_with("[]") => Value::nil_list("any"),
            _ if elem.starts_with("map[") => Value::nil_map("any"),
            _ => Value::Nil,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_collect_sorted_with_the_last_of_equal_keys() {
        let keys = |pairs: &Pairs| pairs.keys().map(|key| key.to_string()).collect::<Vec<_>>();
        let number = |pairs: &Pairs, key: &str| match pairs.get(key) {
            Some(Value::Int(number)) => *number,
            _ => -1,
        };
        // Small (insertion sort) and large (library sort) inputs, unsorted, with repeats.
        for count in [5, 40] {
            let pairs: Pairs = (0..count)
                .map(|index| (format!("k{}", (index * 7) % 10), Value::Int(index)))
                .collect();
            let mut want: Vec<String> = (0..count).map(|i| format!("k{}", (i * 7) % 10)).collect();
            want.sort();
            want.dedup();
            assert_eq!(keys(&pairs), want, "{count} pairs");
            for key in &want {
                let last = (0..count)
                    .filter(|index| format!("k{}", (index * 7) % 10) == *key)
                    .max()
                    .unwrap();
                assert_eq!(number(&pairs, key), last, "{key} of {count} pairs");
            }
        }
        let mut pairs: Pairs = [("b", Value::Int(1)), ("a", Value::Int(2))]
            .into_iter()
            .collect();
        assert!(pairs.insert("c".into(), Value::Int(3)).is_none());
        assert!(matches!(
            pairs.insert("a".into(), Value::Int(4)),
            Some(Value::Int(2))
        ));
        assert!(matches!(pairs.remove("b"), Some(Value::Int(1))));
        assert_eq!(keys(&pairs), ["a", "c"]);
        let hint = Cell::new(7);
        assert!(matches!(pairs.get_hinted("c", &hint), Some(Value::Int(3))));
        assert_eq!(hint.get(), 1);
        assert!(matches!(pairs.get_hinted("c", &hint), Some(Value::Int(3))));
        assert!(pairs.get_hinted("zz", &hint).is_none());
    }

    #[test]
    fn map_snapshots_do_not_see_later_changes() {
        let entries = Entries::from([("a", Value::Int(1))].into_iter().collect::<Pairs>());
        let before = entries.snapshot();
        entries.insert("b".into(), Value::Int(2));
        assert_eq!(before.len(), 1);
        assert_eq!(entries.len(), 2);
        let copy = entries.clone();
        entries.remove("a");
        assert!(copy.contains_key("a"));
        assert!(!entries.contains_key("a"));
    }

    #[test]
    fn named_ints_print_and_stay_small() {
        let month = |number| NamedInt {
            of: IntType::Month,
            number,
        };
        assert_eq!(month(3).text().as_deref(), Some("March"));
        assert_eq!(month(13).text().as_deref(), Some("%!Month(13)"));
        assert_eq!(month(0).text().as_deref(), Some("%!Month(0)"));
        let weekday = NamedInt {
            of: IntType::Weekday,
            number: 0,
        };
        assert_eq!(weekday.text().as_deref(), Some("Sunday"));
        let duration = NamedInt {
            of: IntType::Duration,
            number: 90_000_000_000,
        };
        assert_eq!(duration.text().as_deref(), Some("1m30s"));
        let major = Value::Named(NamedInt {
            of: IntType::Uint64,
            number: 1,
        });
        assert_eq!(major.go_type(), "uint64");
        assert!(major.is_true());
        // A named integer fits beside the other variants: values stay three words.
        assert!(std::mem::size_of::<Value>() <= 3 * std::mem::size_of::<usize>());
    }
}
