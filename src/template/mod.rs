//! Templates: the one place that knows the engines. Go text/template (gotmpl's parser, our
//! executor and values in `go/`, the function library in `funcs/`) is the default;
//! tinytemplate (`tt.rs`) serves files ending in `.tt`. Both take the same context value.
//! Nothing here knows Docker beyond the `Value` it is given.

pub mod value;
pub mod go;
pub mod funcs;
pub mod tt;

pub use value::Value;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A loaded template (one or several `;`-separated files) and what it was loaded from.
pub struct Template {
    engine: Engine,
    sources: Vec<Source>,
    texts: Vec<String>,
}

enum Engine {
    Go(go::GoTemplate),
    Tt(tt::TtTemplate),
}

/// A template file with the mtime and size it had when it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Source {
    path: PathBuf,
    modified: Option<SystemTime>,
    size: u64,
}

impl Source {
    fn stat(path: &Path) -> Source {
        let metadata = std::fs::metadata(path).ok();
        Source {
            path: path.to_path_buf(),
            modified: metadata.as_ref().and_then(|m| m.modified().ok()),
            size: metadata.map(|m| m.len()).unwrap_or(0),
        }
    }
}

/// The (mtime, size) of each file of a template spec, to notice edits of a broken template.
pub fn stamp(spec: &str) -> Vec<(Option<SystemTime>, u64)> {
    spec.split(';')
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| {
            let source = Source::stat(Path::new(path));
            (source.modified, source.size)
        })
        .collect()
}

impl Template {
    /// Reads and parses `spec`: one path, or several joined with `;` (spec §5.3). The first
    /// file's extension chooses the dialect: `.tt` is tinytemplate, anything else Go.
    pub fn load(spec: &str) -> Result<Template> {
        let paths: Vec<PathBuf> = spec
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        let Some(first) = paths.first() else {
            return Err(Error::template("no template file given"));
        };
        let mut sources = Vec::with_capacity(paths.len());
        let mut files = Vec::with_capacity(paths.len());
        let mut texts = Vec::with_capacity(paths.len());
        for path in &paths {
            let source = Source::stat(path);
            let text = std::fs::read_to_string(path)
                .map_err(|error| Error::template(format!("{}: {error}", path.display())))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            texts.push(text.clone());
            files.push((name, text));
            sources.push(source);
        }
        let engine = if first.extension().is_some_and(|ext| ext == "tt") {
            let (name, text) = files.swap_remove(0);
            Engine::Tt(tt::TtTemplate::parse(&name, text)?)
        } else {
            Engine::Go(go::GoTemplate::parse(&files, functions())?)
        };
        Ok(Template {
            engine,
            sources,
            texts,
        })
    }

    /// Whether a file changed (mtime or size) since it was loaded.
    pub fn is_stale(&self) -> bool {
        self.sources
            .iter()
            .any(|source| Source::stat(&source.path) != *source)
    }

    /// Whether any of the template's files contains `word` (used to skip API calls for data
    /// a template never mentions, such as `$.Docker`).
    pub fn mentions(&self, word: &str) -> bool {
        self.texts.iter().any(|text| text.contains(word))
    }

    /// Renders with `root` as the data.
    pub fn render(&self, root: &Value) -> Result<String> {
        match &self.engine {
            Engine::Go(template) => template.execute(root),
            Engine::Tt(template) => template.execute(root),
        }
    }
}

/// The function table for Go templates: Go's builtins, then sprig's, then docker-gen's.
pub(crate) fn functions() -> &'static go::FuncTable {
    use std::sync::OnceLock;
    static TABLE: OnceLock<go::FuncTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = go::FuncTable::new();
        go::builtins::builtins(&mut table);
        funcs::register(&mut table);
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn render(name: &str, text: &str) -> Result<String> {
        let dir =
            std::env::temp_dir().join(format!("tinygen-template-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let root = crate::context::root(&[], &BTreeMap::new(), &Default::default(), None);
        Template::load(&path.display().to_string())?.render(&root)
    }

    #[test]
    fn dicts_are_references_as_go_maps_are() {
        // nginx-proxy keeps its state in dicts changed with `set` through other variables.
        let text = r#"{{ $globals := dict "config" (dict) }}{{ $config := $globals.config }}{{ $_ := set $config "a" 1 }}{{ $_ := unset $globals "missing" }}{{ $globals.config.a }} {{ hasKey $globals.config "a" }}
{{ $d := dict "x" 1 }}{{ $copy := deepCopy $d }}{{ $_ := set $copy "x" 2 }}{{ $d.x }} {{ $copy.x }}
{{ $m := dict "a" (dict "b" 1) }}{{ $_ := merge $m (dict "a" (dict "c" 2) "d" 3) }}{{ $m }}
{{ range $k, $v := $d }}{{ $_ := set $d "y" 5 }}{{ $k }}{{ end }} {{ len $d }}"#;
        assert_eq!(
            render("dicts.tmpl", text).unwrap(),
            "1 true\n1 2\nmap[a:map[b:1 c:2] d:3]\nx 2"
        );
    }

    #[test]
    fn the_dialect_follows_the_extension() {
        assert_eq!(render("x.tt", "{ Docker.Name }|").unwrap(), "|");
        assert_eq!(render("x.tmpl", "{{ len $ }}|").unwrap(), "0|");
        let error = render("bad.tmpl", "line\n{{ nosuchfunction 1 }}")
            .err()
            .unwrap();
        assert!(
            error.message.contains("bad.tmpl:2") && error.message.contains("nosuchfunction"),
            "{error}"
        );
    }
}

#[cfg(test)]
mod readme_tests {
    /// The README lists every function templates can call; this keeps the list true.
    #[test]
    fn readme_lists_the_functions() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- functions -->")
            .expect("README has a functions list");
        let end = readme
            .find("<!-- /functions -->")
            .expect("README's functions list ends");
        let listed: Vec<&str> = readme[start + "<!-- functions -->".len()..end]
            .split(|c: char| c.is_whitespace() || c == ',')
            .map(|word| word.trim_matches('`'))
            .filter(|word| !word.is_empty())
            .collect();
        let mut known = super::funcs::names();
        for builtin in [
            "and", "call", "eval", "html", "index", "js", "len", "not", "or", "print", "printf",
            "println", "urlquery", "eq", "ne", "lt", "le", "gt", "ge",
        ] {
            known.push(builtin);
        }
        known.sort_unstable();
        known.dedup();
        let mut listed_sorted = listed.clone();
        listed_sorted.sort_unstable();
        let expected: Vec<String> = known.iter().map(|name| format!("`{name}`")).collect();
        assert_eq!(
            listed_sorted,
            known,
            "README functions list should be:\n{}",
            expected.join(" ")
        );
    }
}
