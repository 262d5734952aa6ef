//! tinytemplate, the design card's engine for small logic-free templates (`*.tt` files).
//!
//! It owns the translation of the shared context into tinytemplate's JSON context and the
//! formatters. Output is never HTML-escaped. It must never panic on a bad template: the text
//! is checked for the shapes tinytemplate 1.2 panics on before it is compiled.

use crate::error::{Error, Result};
use crate::template::value::Value;
use serde_json::{Map as JsonMap, Value as Json};
use tinytemplate::TinyTemplate;

/// A loaded `.tt` template; compiled once to check it, again for each render (tinytemplate
/// borrows its text, so a compiled template cannot outlive a reload).
pub struct TtTemplate {
    name: String,
    text: String,
}

impl TtTemplate {
    pub fn parse(name: &str, text: String) -> Result<TtTemplate> {
        let template = TtTemplate {
            name: name.to_string(),
            text,
        };
        check_tags(&template.name, &template.text)?;
        template.compile()?;
        Ok(template)
    }

    fn compile(&self) -> Result<TinyTemplate<'_>> {
        let mut engine = TinyTemplate::new();
        engine.set_default_formatter(&tinytemplate::format_unescaped);
        engine.add_formatter("json", |value, out| {
            out.push_str(&serde_json::to_string(value).unwrap_or_default());
            Ok(())
        });
        engine.add_formatter("upper", |value, out| {
            out.push_str(&plain(value).to_uppercase());
            Ok(())
        });
        engine.add_formatter("lower", |value, out| {
            out.push_str(&plain(value).to_lowercase());
            Ok(())
        });
        engine.add_formatter("short_id", |value, out| {
            out.push_str(&plain(value).chars().take(12).collect::<String>());
            Ok(())
        });
        engine
            .add_template(&self.name, &self.text)
            .map_err(|error| {
                Error::template(format!("{}: {}", self.name, one_line(&error.to_string())))
            })?;
        Ok(engine)
    }

    pub fn execute(&self, root: &Value) -> Result<String> {
        let engine = self.compile()?;
        engine.render(&self.name, &to_json(root)).map_err(|error| {
            Error::template(format!("{}: {}", self.name, one_line(&error.to_string())))
        })
    }
}

/// A JSON scalar as text (strings without quotes).
fn plain(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rejects the tags tinytemplate 1.2 panics on instead of reporting (an empty value tag such
/// as `{}` or `{ - }`, and a trailing backslash), with the line and column of the tag.
fn check_tags(name: &str, text: &str) -> Result<()> {
    // tinytemplate reads a trailing backslash as an escape of a byte past the end.
    if text.ends_with('\\') {
        return Err(Error::template(format!(
            "{name}:{}: the template ends with a backslash",
            position(text, text.len() - 1)
        )));
    }
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            // A backslash right before `{` makes it literal.
            b'\\' if bytes.get(index + 1) == Some(&b'{') => index += 2,
            b'{' if bytes
                .get(index + 1)
                .is_some_and(|b| !matches!(b, b'{' | b'#')) =>
            {
                let end = text[index..].find('}').map(|offset| index + offset);
                let inner = end
                    .map(|end| text[index + 1..end].trim().trim_matches('-').trim())
                    .unwrap_or("x");
                if inner.is_empty() || inner.split('.').any(str::is_empty) {
                    return Err(Error::template(format!(
                        "{name}:{}: empty or malformed value path in tag",
                        position(text, index)
                    )));
                }
                index = end.unwrap_or(bytes.len());
            }
            _ => index += 1,
        }
    }
    Ok(())
}

/// `line:column` (1-based, column in bytes) of a byte offset.
fn position(text: &str, offset: usize) -> String {
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map(|n| n + 1).unwrap_or(0) + 1;
    format!("{line}:{column}")
}

/// The tinytemplate context: the root becomes `{Containers, Env, Docker, CurrentContainer}`;
/// records become objects (a record with a String form also gets a `String` key); times
/// become their Go string form; map keys with dots also appear with `_` for `.` so that
/// `{Labels.com_example_role}` reaches `com.example.role`.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Nil | Value::Missing | Value::NilPointer(_) => Json::Null,
        Value::Bool(flag) => Json::Bool(*flag),
        Value::Int(number) => Json::from(*number),
        Value::Named(named) => Json::from(named.number),
        Value::Float(number) => serde_json::Number::from_f64(*number)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Str(text) => Json::String(text.to_string()),
        Value::Time(time) => Json::String(time.display.clone()),
        Value::List(list) => Json::Array(list.items.iter().map(to_json).collect()),
        Value::Map(map) => {
            let mut object = JsonMap::new();
            let entries = map.entries.snapshot();
            for (key, item) in entries.iter() {
                object.insert(key.to_string(), to_json(item));
            }
            for (key, item) in entries.iter() {
                let alias = key.replace('.', "_");
                if alias != **key && !object.contains_key(&alias) {
                    object.insert(alias, to_json(item));
                }
            }
            Json::Object(object)
        }
        Value::Record(record) => {
            let mut object: JsonMap<String, Json> = record
                .fields
                .iter()
                .map(|(name, item)| (name.to_string(), to_json(item)))
                .collect();
            if let Some(form) = &record.string_form {
                object.insert("String".to_string(), Json::String(form.clone()));
            }
            Json::Object(object)
        }
        Value::Containers(containers) => {
            let mut object = JsonMap::new();
            object.insert(
                "Containers".to_string(),
                Json::Array(containers.items.iter().map(to_json).collect()),
            );
            object.insert("Env".to_string(), to_json(&containers.globals.env));
            object.insert("Docker".to_string(), to_json(&containers.globals.docker));
            object.insert(
                "CurrentContainer".to_string(),
                to_json(&containers.globals.current_container),
            );
            Json::Object(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context;
    use crate::model::{Container, DockerInfo, Image};
    use std::collections::BTreeMap;

    fn root() -> Value {
        let container = Container {
            id: "0123456789abcdef".into(),
            name: "web".into(),
            image: Image::split("nginx:1.25"),
            labels: Some(BTreeMap::from([(
                "com.example.role".to_string(),
                "<front>".to_string(),
            )])),
            ..Container::default()
        };
        context::root(&[container], &BTreeMap::new(), &DockerInfo::default(), None)
    }

    #[test]
    fn renders_unescaped_with_dotted_label_alias_and_formatters() {
        let text = "{{ for c in Containers }}{c.Name} {c.ID | short_id} {c.Image.String} {c.Labels.com_example_role}\n{{ endfor }}";
        let template = TtTemplate::parse("hosts.tt", text.to_string()).unwrap();
        assert_eq!(
            template.execute(&root()).unwrap(),
            "web 0123456789ab nginx:1.25 <front>\n"
        );
    }

    #[test]
    fn bad_templates_are_errors_with_the_name() {
        for text in ["{ }", "{a..b}", "{{ if x }}", "{{ endfor }}", "{ - }"] {
            let error = TtTemplate::parse("bad.tt", text.to_string())
                .err()
                .unwrap_or_else(|| panic!("{text:?} parsed"));
            assert!(error.message.starts_with("bad.tt"), "{error}");
        }
    }

    #[test]
    fn missing_paths_are_render_errors() {
        let template = TtTemplate::parse("x.tt", "{nothing.here}".to_string()).unwrap();
        assert!(template
            .execute(&root())
            .unwrap_err()
            .message
            .starts_with("x.tt: "));
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "{", "}", "{{", "}}", "if", "for x in", "endif", "endfor", "else", "with", "as", " ",
            "a.b", "-", "|", "\\", "@index", "not ",
        ];
        let mut state: u64 = 7;
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..(state % 9) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let outcome = std::panic::catch_unwind(|| {
                if let Ok(template) = TtTemplate::parse("g.tt", text.clone()) {
                    let _ = template.execute(&root());
                }
            });
            assert!(outcome.is_ok(), "tinytemplate panicked on {text:?}");
        }
    }
}
