//! Golden cases for the Go engine: every directory under `tests/data/go/` holds a
//! `template.tmpl`, an optional `context.json` (conventions in `tests/data/go/README.md`) or
//! `snapshot.json` (a `-context` file, read as tinygen reads it) and either `expected.txt` (the exact output) or `expected_error.txt` (a substring of the
//! error). `TINYGEN_BLESS=1` rewrites the expected files from what the engine produces.
//! Also a robustness test: garbled templates must parse or fail, never panic or hang.

use super::{builtins, FuncTable, GoTemplate};
use crate::template::value::{Containers, Globals, List, Map, Pairs, Record, Time};
use crate::template::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// JSON to `Value`, with the typed forms of `tests/data/go/README.md`.
fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(number) => match number.as_i64() {
            Some(int) => Value::Int(int),
            None => Value::Float(number.as_f64().unwrap_or(0.0)),
        },
        Json::String(text) => Value::str(text.as_str()),
        Json::Array(items) => Value::list("any", items.iter().map(to_value).collect()),
        Json::Object(object) => {
            let text = |key: &str| object.get(key).and_then(Json::as_str).unwrap_or("");
            if let Some(type_name) = object.get("$record").and_then(Json::as_str) {
                let fields = object
                    .get("fields")
                    .and_then(Json::as_array)
                    .map(|pairs| {
                        pairs
                            .iter()
                            .filter_map(|pair| {
                                let pair = pair.as_array()?;
                                Some((leak(pair.first()?.as_str()?), to_value(pair.get(1)?)))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let string_form = object
                    .get("string")
                    .and_then(Json::as_str)
                    .map(str::to_string);
                return Value::Record(Rc::new(Record {
                    type_name: leak(type_name),
                    fields,
                    string_form,
                }));
            }
            if let Some(elem) = object.get("$map").and_then(Json::as_str) {
                let entries = object
                    .get("entries")
                    .and_then(Json::as_object)
                    .map(|entries| {
                        entries
                            .iter()
                            .map(|(key, item)| (key.as_str(), to_value(item)))
                            .collect::<Pairs>()
                            .into()
                    })
                    .unwrap_or_default();
                let is_nil = object.get("nil").and_then(Json::as_bool).unwrap_or(false);
                return Value::Map(Rc::new(Map {
                    elem: leak(elem),
                    entries,
                    is_nil,
                }));
            }
            if let Some(elem) = object.get("$list").and_then(Json::as_str) {
                let items = object
                    .get("items")
                    .and_then(Json::as_array)
                    .map(|items| items.iter().map(to_value).collect())
                    .unwrap_or_default();
                let is_nil = object.get("nil").and_then(Json::as_bool).unwrap_or(false);
                return Value::List(Rc::new(List {
                    elem: leak(elem),
                    items,
                    is_nil,
                }));
            }
            if let Some(display) = object.get("$time").and_then(Json::as_str) {
                return Value::Time(Rc::new(Time {
                    display: display.to_string(),
                    rfc3339: text("rfc3339").to_string(),
                    unix_seconds: object.get("unix").and_then(Json::as_i64).unwrap_or(0),
                    nanos: 0,
                    local: false,
                    monotonic: None,
                }));
            }
            let entries: BTreeMap<String, Value> = object
                .iter()
                .map(|(key, item)| (key.clone(), to_value(item)))
                .collect();
            Value::map("any", entries)
        }
    }
}

/// The root value of a case: a docker-gen container list when the JSON has `containers`.
fn root_value(json: &Json) -> Value {
    let Some(containers) = json.get("containers").and_then(Json::as_array) else {
        return to_value(json);
    };
    let env = match json.get("env").and_then(Json::as_object) {
        Some(env) => Value::string_map(
            env.iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or("").to_string())),
        ),
        None => Value::string_map(Vec::<(String, String)>::new()),
    };
    let globals = Globals {
        env,
        docker: json.get("docker").map_or(Value::Nil, to_value),
        // Absent or null: docker-gen's nil `*RuntimeContainer`.
        current_container: json
            .get("current")
            .filter(|current| !current.is_null())
            .map_or(Value::NilPointer("RuntimeContainer"), to_value),
    };
    Value::Containers(Rc::new(Containers {
        items: containers.iter().map(to_value).collect(),
        globals: Rc::new(globals),
    }))
}

fn builtin_table() -> FuncTable {
    let mut table = FuncTable::new();
    builtins::builtins(&mut table);
    table
}

/// Renders a case directory: the output or the error message.
fn render_case(dir: &Path, table: &FuncTable) -> Result<String, String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let template = read("template.tmpl").ok_or("no template.tmpl")?;
    let mut files = vec![("template.tmpl".to_string(), template)];
    let mut extra: Vec<_> = std::fs::read_dir(dir)
        .map_err(|error| error.to_string())?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("extra-") && name.ends_with(".tmpl"))
        .collect();
    extra.sort();
    for name in extra {
        let text = read(&name).unwrap_or_default();
        files.push((name.trim_start_matches("extra-").to_string(), text));
    }
    let root = match (read("snapshot.json"), read("context.json")) {
        (Some(text), _) => {
            let snapshot = crate::snapshot::Snapshot::parse(&text)
                .map_err(|error| format!("snapshot.json: {error}"))?;
            crate::context::root(
                &snapshot.containers,
                &snapshot.env,
                &snapshot.docker,
                snapshot.current.as_ref(),
            )
        }
        (None, Some(text)) => root_value(
            &serde_json::from_str(&text).map_err(|error| format!("context.json: {error}"))?,
        ),
        (None, None) => Value::Missing,
    };
    let template = GoTemplate::parse(&files, table).map_err(|error| error.message)?;
    template.execute(&root).map_err(|error| error.message)
}

fn line_diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.split('\n').collect();
    let actual: Vec<&str> = actual.split('\n').collect();
    let mut out = String::new();
    for index in 0..expected.len().max(actual.len()) {
        match (expected.get(index), actual.get(index)) {
            (Some(e), Some(a)) if e == a => out.push_str(&format!("  {e:?}\n")),
            (e, a) => {
                if let Some(e) = e {
                    out.push_str(&format!("- {e:?}\n"));
                }
                if let Some(a) = a {
                    out.push_str(&format!("+ {a:?}\n"));
                }
            }
        }
    }
    out
}

/// The Go engine's own cases run with Go's builtins only; the function library's cases with
/// the whole table tinygen uses (builtins, sprig, docker-gen).
#[test]
fn golden_cases() {
    golden_suite("go", &builtin_table());
}

#[test]
fn golden_function_cases() {
    golden_suite("funcs", crate::template::functions());
}

fn golden_suite(suite: &str, table: &FuncTable) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(suite);
    let bless = std::env::var_os("TINYGEN_BLESS").is_some_and(|value| value == "1");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("{}: {error}", root.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let case = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = render_case(dir, table);
        let expected_ok = std::fs::read_to_string(dir.join("expected.txt")).ok();
        let expected_error = std::fs::read_to_string(dir.join("expected_error.txt")).ok();
        if bless {
            match &result {
                Ok(output) if expected_error.is_none() => {
                    std::fs::write(dir.join("expected.txt"), output).expect("write")
                }
                Err(message) if expected_ok.is_none() => {
                    std::fs::write(dir.join("expected_error.txt"), message).expect("write")
                }
                _ => failures.push(format!(
                    "{case}: outcome kind changed, not blessed: {result:?}"
                )),
            }
            continue;
        }
        match (&result, expected_ok, expected_error) {
            (Ok(output), Some(expected), _) if *output == expected => {}
            (Ok(output), Some(expected), _) => failures.push(format!(
                "{case}: output differs\n{}",
                line_diff(&expected, output)
            )),
            (Err(message), _, Some(expected))
                if message.contains(expected.trim_end_matches('\n')) => {}
            (Err(message), _, Some(expected)) => failures.push(format!(
                "{case}: error {message:?} does not contain {expected:?}"
            )),
            (Ok(output), None, Some(expected)) => failures.push(format!(
                "{case}: expected error {expected:?}, got output {output:?}"
            )),
            (Err(message), Some(_), None) => {
                failures.push(format!("{case}: unexpected error {message}"))
            }
            (_, None, None) => {
                failures.push(format!("{case}: no expected.txt or expected_error.txt"))
            }
        }
    }
    assert!(dirs.len() >= 10, "too few golden cases: {}", dirs.len());
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

/// A small deterministic generator (an LCG) for garbled templates.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn garbled_templates_never_panic() {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        "x",
        "\n",
        ".",
        ".A",
        ".B.C",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "2.5",
        "-3",
        "0x1F",
        "1e3",
        "nil",
        "true",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "and",
        "or",
        "not",
        "len",
        "index",
        "print",
        "printf",
        "println",
        "eq",
        "lt",
        "html",
        "js",
        "urlquery",
        "call",
        "eval",
        "\"%d %s %v\"",
        "$.Env",
        ".Labels",
        "{{/*",
        "*/}}",
        ",",
        "$i, $v := range .",
        "{{end}}",
        "{{else}}",
        "{{range .}}",
        "{{if .}}",
        "{{with .A}}",
        "{{define \"t\"}}",
        "{{template \"t\" .}}",
        "{{block \"b\" .}}",
        "ü",
        "\u{0}",
        "%",
        "[",
        "]",
    ];
    let funcs = builtin_table();
    let labels = Value::string_map([
        ("a".to_string(), "1".to_string()),
        ("b".to_string(), "2".to_string()),
    ]);
    let item = Value::record(
        "RuntimeContainer",
        vec![
            ("A", Value::Int(1)),
            ("B", Value::Nil),
            ("Labels", labels.clone()),
        ],
    );
    let globals = Globals {
        env: labels.clone(),
        docker: Value::Nil,
        current_container: Value::NilPointer("RuntimeContainer"),
    };
    let root = Value::Containers(Rc::new(Containers {
        items: vec![item.clone(), item],
        globals: Rc::new(globals),
    }));
    let others = [
        Value::Missing,
        Value::list("any", vec![Value::Int(3), Value::str("s"), Value::Nil]),
        labels,
    ];
    let mut lcg = Lcg(0x5eed);
    let started = std::time::Instant::now();
    let mut parsed = 0;
    for round in 0..4000 {
        let length = 1 + lcg.next() % 24;
        let text: String = (0..length).map(|_| lcg.pick(PIECES)).collect();
        let files = [("fuzz.tmpl".to_string(), text.clone())];
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Ok(template) = GoTemplate::parse(&files, &funcs) {
                let data = if round % 4 == 0 {
                    root.clone()
                } else {
                    others[round % 3].clone()
                };
                let _ = template.execute(&data);
                true
            } else {
                false
            }
        }));
        match result {
            Ok(true) => parsed += 1,
            Ok(false) => {}
            Err(_) => panic!("panic on template {text:?}"),
        }
    }
    assert!(
        parsed > 50,
        "too few garbled templates parsed ({parsed}); the generator is broken"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "garbled templates took {:?}",
        started.elapsed()
    );
}

/// Deeply nested and recursive templates end in an error, not a stack overflow, within the
/// smallest stack tinygen runs templates on (a 2 MiB test thread in a debug build).
#[test]
fn deep_nesting_is_an_error_not_an_overflow() {
    let nested_ifs = "{{if true}}".repeat(90) + "{{template \"r\" .}}" + &"{{end}}".repeat(90);
    let cases = [
        format!("{{{{define \"r\"}}}}{nested_ifs}{{{{end}}}}{{{{template \"r\" .}}}}"),
        "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}".to_string(),
        "{{define \"r\"}}{{eval \"r\" .}}{{end}}{{template \"r\" .}}".to_string(),
    ];
    for text in cases {
        let outcome = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let files = [("deep.tmpl".to_string(), text)];
                let template =
                    GoTemplate::parse(&files, &builtin_table()).map_err(|error| error.message)?;
                template
                    .execute(&Value::Missing)
                    .map_err(|error| error.message)
            })
            .expect("spawn")
            .join()
            .expect("no stack overflow");
        let message = outcome.expect_err("deep recursion must fail");
        assert!(message.contains("exceeded maximum"), "{message}");
    }
}

#[test]
fn garbled_printf_formats_never_panic() {
    const PIECES: &[&str] = &[
        "%", "%%", "d", "s", "v", "+v", "#v", "q", "x", "X", "c", "U", "e", "E", "f", "F", "g",
        "G", "t", "T", "p", "o", "O", "b", "*", ".", "[", "]", "1", "2", "0", "-", "+", " ", "#",
        "9999999", "é", "日", "[1]", "[9]", ".*", "z", "\n",
    ];
    let args = [
        Value::Int(-7),
        Value::Int(3),
        Value::Float(-0.0),
        Value::Float(1e300),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::str("é日\u{0}\u{7f}`"),
        Value::Bool(true),
        Value::Missing,
        Value::Nil,
        Value::string_list(["a", "b"]),
        Value::string_map([("k".to_string(), "v".to_string())]),
        Value::Int(i64::MIN),
        Value::Int(0x10FFFF + 1),
    ];
    let mut lcg = Lcg(42);
    for _ in 0..5000 {
        let length = lcg.next() % 12;
        let format: String = (0..length).map(|_| lcg.pick(PIECES)).collect();
        let start = (lcg.next() % args.len() as u64) as usize;
        let count = (lcg.next() % 5) as usize;
        let chosen: Vec<Value> = args
            .iter()
            .cycle()
            .skip(start)
            .take(count)
            .cloned()
            .collect();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::fmt::sprintf(&format, &chosen)
        }));
        assert!(result.is_ok(), "panic on format {format:?}");
    }
}
