//! Go text/template: gotmpl's parser, tinygen's executor over `Value`.
//!
//! This module owns the template set (files parsed into named trees, `define`s, Go's
//! replacement rules), the parse-time checks Go makes (unknown functions, undefined
//! variables, `break` outside `range`), execution and Go's printing. It must never read
//! files or know Docker: it is handed file names with their text and a root value.

pub mod builtins;
mod check;
mod code;
mod exec;
pub mod fmt;
pub mod func;
mod node;

#[cfg(test)]
mod golden_tests;

#[allow(unused_imports)]
pub use func::{Func, FuncTable};

use crate::error::Error;
use crate::template::Value;
use code::Program;
use gotmpl::parse::{ListNode, Parser};
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

/// A parsed template set.
pub struct GoTemplate {
    /// The template execution starts at (the first file's name).
    entry: String,
    /// The set's own name, which `eval` errors mention (Go: the base name of the path list).
    owner: String,
    /// The trees by name, lowered once for the executor.
    trees: Lowered,
    /// The length of the last output: the next render starts with that much room, instead
    /// of growing its output from nothing and copying it each time (watch mode renders the
    /// same template again and again, and nginx-proxy's template writes about 1 MB for 500
    /// containers).
    last_len: Cell<usize>,
}

self_cell::self_cell!(
    /// The parsed trees and their lowered form, which refers to them for error messages.
    struct Lowered {
        owner: HashMap<String, Tree>,
        #[covariant]
        dependent: Program,
    }
);

/// One named template: a file's top level or a `define`/`block` body.
struct Tree {
    name: String,
    file: Rc<SourceFile>,
    root: ListNode,
}

/// A parsed file; trees keep it for error positions.
struct SourceFile {
    name: String,
    text: String,
}

// Entry points for template/mod.rs, which does not call them yet.
#[allow(dead_code)]
impl GoTemplate {
    /// Parses files (name = file base name, text) into one set; execution starts at files[0]'s name.
    /// Later files with the same name replace earlier ones. Unknown functions are parse errors.
    pub fn parse(files: &[(String, String)], funcs: &FuncTable) -> Result<GoTemplate, Error> {
        let Some((entry, _)) = files.first() else {
            return Err(Error::template("template: no files named"));
        };
        let mut trees: HashMap<String, Tree> = HashMap::new();
        for (name, text) in files {
            let file = Rc::new(SourceFile {
                name: name.clone(),
                text: text.clone(),
            });
            for tree in parse_file(&file, funcs)? {
                // Go's `associate`: an empty body never replaces an existing template.
                if tree.root.is_empty_tree() && trees.contains_key(&tree.name) {
                    continue;
                }
                trees.insert(tree.name.clone(), tree);
            }
        }
        let owner = files
            .last()
            .map_or_else(|| entry.clone(), |(name, _)| name.clone());
        Ok(GoTemplate {
            entry: entry.clone(),
            owner,
            trees: Lowered::new(trees, |trees| {
                Program::lower(
                    trees.iter().map(|(name, tree)| (name.as_str(), tree)),
                    funcs,
                )
            }),
            last_len: Cell::new(0),
        })
    }

    /// Executes with `root` as `.` and `$`.
    pub fn execute(&self, root: &Value) -> Result<String, Error> {
        let program = self.trees.borrow_dependent();
        let Some(body) = program
            .index(&self.entry)
            .and_then(|index| program.bodies.get(index))
        else {
            return Err(Error::template(format!(
                "template: no template {} associated with template {}",
                fmt::quote(&self.entry),
                fmt::quote(&self.owner)
            )));
        };
        let _answers = crate::template::funcs::stat::Scope::start();
        let mut exec = exec::Exec::new(self, program, body, root.clone(), (0, 0));
        exec.out.reserve(self.last_len.get());
        let result = exec.run();
        self.last_len.set(exec.out.len());
        match result {
            Ok(()) => Ok(exec.out),
            Err(exec::Flow::Error(message)) => Err(Error::template(*message)),
            Err(exec::Flow::Break | exec::Flow::Continue) => Ok(exec.out),
        }
    }
}

/// Parses one file into its trees (the top level first), with Go's parse-time checks.
fn parse_file(file: &Rc<SourceFile>, funcs: &FuncTable) -> Result<Vec<Tree>, Error> {
    // Go names only the line of a parse error, not the column.
    let parse_error = |error: gotmpl::TemplateError| match error {
        gotmpl::TemplateError::Parse {
            line, col, message, ..
        }
        | gotmpl::TemplateError::Lex {
            line, col, message, ..
        } => {
            let message = go_parse_message(&file.text, line, col, &message);
            Error::template(format!("{}:{line}: {message}", file.name))
        }
        other => Error::template(format!("{}: {other}", file.name)),
    };
    let structure_error = || {
        check::check_structure(&file.text).err().map(|problem| {
            let (line, _) = node::line_column(&file.text, problem.offset);
            Error::template(format!("{}:{line}: {}", file.name, problem.message))
        })
    };
    let prepared = check::neutralize_left_trim_comments(&file.text);
    let parser = Parser::with_name(Some(&file.name), &prepared, "{{", "}}").map_err(parse_error)?;
    // A misplaced `else` or `end` is better told in Go's words than in gotmpl's.
    let (root, defines) = match parser.parse() {
        Ok(parsed) => parsed,
        Err(error) => return Err(structure_error().unwrap_or_else(|| parse_error(error))),
    };
    if let Some(error) = structure_error() {
        return Err(error);
    }

    // Go reports the first problem in source order; each tree yields its first one.
    let mut first_problem: Option<check::CheckError> = None;
    let bodies = std::iter::once(&root).chain(defines.iter().map(|define| &define.body));
    for body in bodies {
        if let Err(problem) = check::check_tree(body, funcs) {
            if first_problem
                .as_ref()
                .is_none_or(|first| problem.offset < first.offset)
            {
                first_problem = Some(problem);
            }
        }
    }
    if let Some(problem) = first_problem {
        let (line, _) = node::line_column(&file.text, problem.offset);
        return Err(Error::template(format!(
            "{}:{line}: {}",
            file.name, problem.message
        )));
    }

    let mut trees: Vec<Tree> = Vec::with_capacity(defines.len() + 1);
    let top = Tree {
        name: file.name.clone(),
        file: file.clone(),
        root,
    };
    for define in defines
        .into_iter()
        .map(|define| Tree {
            name: define.name.to_string(),
            file: file.clone(),
            root: define.body,
        })
        .chain(std::iter::once(top))
    {
        match trees.iter_mut().find(|tree| tree.name == define.name) {
            Some(existing) if existing.root.is_empty_tree() => *existing = define,
            Some(_) if define.root.is_empty_tree() => {}
            Some(_) => {
                let (line, _) = node::line_column(&file.text, define.root.pos.offset);
                return Err(Error::template(format!(
                    "{}:{line}: template: multiple definition of template {}",
                    file.name,
                    fmt::quote(&define.name)
                )));
            }
            None => trees.push(define),
        }
    }
    Ok(trees)
}

/// gotmpl's parse error message in Go's words where they differ (`{{if}}` is "missing value
/// for if", an unterminated string is "unterminated quoted string", ...). `line` and `col`
/// (1-based, characters) are where gotmpl stopped.
fn go_parse_message(source: &str, line: usize, col: usize, message: &str) -> String {
    let offset = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let offset = source[offset..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(source.len(), |(index, _)| offset + index);
    let before = &source[..offset];
    match message {
        "empty command" => {
            let action = before.rfind("{{").map_or("", |start| &before[start + 2..]);
            let action = action.strip_prefix('-').unwrap_or(action).trim_start();
            let keyword = ["if", "range", "with"]
                .into_iter()
                .find(|keyword| {
                    action.strip_prefix(keyword).is_some_and(|rest| {
                        rest.is_empty() || rest.starts_with(char::is_whitespace)
                    })
                })
                .unwrap_or("command");
            format!("missing value for {keyword}")
        }
        "unterminated string" => "unterminated quoted string".to_string(),
        _ if message.starts_with("expected RightParen") => "unclosed left paren".to_string(),
        _ if message.contains("overflows") => {
            let start = before
                .trim_end()
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "._+-".contains(c)))
                .map_or(0, |index| index + 1);
            format!(
                "integer overflow: {}",
                fmt::quote(before[start..].trim_end())
            )
        }
        other => other.to_string(),
    }
}
