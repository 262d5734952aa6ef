//! The parse-time checks Go's parser makes and gotmpl's does not: unknown functions,
//! undefined variables, `{{break}}`/`{{continue}}` outside `{{range}}` and literals used as
//! later pipeline stages. Variables are scoped as in Go's parser: declarations live until the
//! `{{end}}` of the enclosing control structure, and every template starts with only `$`.
//!
//! It owns these checks over one parsed file and must never execute anything.

use super::func::FuncTable;
use gotmpl::parse::{Expr, ListNode, Node, PipeNode};

/// A check failure: the byte offset it concerns and Go's message.
pub(super) struct CheckError {
    pub offset: usize,
    pub message: String,
}

struct Checker<'a> {
    funcs: &'a FuncTable,
    vars: Vec<String>,
    range_depth: usize,
}

/// Checks one template body (a file's top level or a `define`), starting with only `$`.
pub(super) fn check_tree(list: &ListNode, funcs: &FuncTable) -> Result<(), CheckError> {
    let mut checker = Checker {
        funcs,
        vars: vec!["$".to_string()],
        range_depth: 0,
    };
    checker.list(list)
}

impl Checker<'_> {
    fn list(&mut self, list: &ListNode) -> Result<(), CheckError> {
        for node in &list.nodes {
            self.node(node)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node) -> Result<(), CheckError> {
        match node {
            Node::List(list) => self.list(list),
            Node::Text(_) | Node::Define(_) => Ok(()),
            Node::Action(action) => self.pipe(&action.pipe),
            Node::If(branch) | Node::With(branch) | Node::Range(branch) => {
                let is_range = matches!(node, Node::Range(_));
                let mark = self.vars.len();
                self.pipe(&branch.pipe)?;
                if is_range {
                    self.range_depth += 1;
                }
                let body = self.list(&branch.body);
                if is_range {
                    self.range_depth -= 1;
                }
                body?;
                if let Some(else_body) = &branch.else_body {
                    self.list(else_body)?;
                }
                self.vars.truncate(mark);
                Ok(())
            }
            Node::Template(template) => match &template.pipe {
                Some(pipe) => self.pipe(pipe),
                None => Ok(()),
            },
            Node::Break(pos) | Node::Continue(pos) => {
                if self.range_depth == 0 {
                    let word = if matches!(node, Node::Break(_)) {
                        "break"
                    } else {
                        "continue"
                    };
                    return Err(CheckError {
                        offset: pos.offset,
                        message: format!("{{{{{word}}}}} outside {{{{range}}}}"),
                    });
                }
                Ok(())
            }
        }
    }

    fn pipe(&mut self, pipe: &PipeNode) -> Result<(), CheckError> {
        // Go's parser declares the variables before it reads the commands.
        for name in &pipe.decl {
            self.vars.push(name.to_string());
        }
        for (stage, command) in pipe.commands.iter().enumerate() {
            if stage > 0 {
                if let Some(
                    first @ (Expr::Bool(..)
                    | Expr::Dot(_)
                    | Expr::Nil(_)
                    | Expr::Number(..)
                    | Expr::String(..)),
                ) = command.args.first()
                {
                    return Err(CheckError {
                        offset: first.pos().offset,
                        message: format!("non executable command in pipeline stage {}", stage + 1),
                    });
                }
            }
            for arg in &command.args {
                self.expr(arg)?;
            }
        }
        Ok(())
    }

    fn expr(&mut self, expr: &Expr) -> Result<(), CheckError> {
        match expr {
            Expr::Identifier(pos, name) => {
                if self.funcs.contains(name) {
                    Ok(())
                } else {
                    Err(CheckError {
                        offset: pos.offset,
                        message: format!("function {:?} not defined", name.as_str()),
                    })
                }
            }
            Expr::Variable(pos, name, _) => {
                if self.vars.iter().any(|var| var == name.as_str()) {
                    Ok(())
                } else {
                    Err(CheckError {
                        offset: pos.offset,
                        message: format!("undefined variable {:?}", name.as_str()),
                    })
                }
            }
            Expr::Pipe(_, pipe) => self.pipe(pipe),
            Expr::Chain(_, inner, _) => self.expr(inner),
            _ => Ok(()),
        }
    }
}

/// An open control structure during the structure scan.
struct Open {
    keyword: &'static str,
    seen_else: bool,
}

/// Checks the nesting of `if`/`range`/`with`/`define`/`block`, `else` and `end` over the
/// raw source, which gotmpl's parser does not: it accepts a stray `{{end}}` or `{{else}}`
/// and a missing `{{end}}` at the end of input. Runs after gotmpl lexed the text, so
/// actions are well formed. Offsets point at the action's `{{` (or the end of input).
pub(super) fn check_structure(source: &str) -> Result<(), CheckError> {
    let bytes = source.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    let mut index = 0;
    while let Some(found) = source[index..].find("{{") {
        let action_start = index + found;
        let mut at = action_start + 2;
        if bytes.get(at) == Some(&b'-') && bytes.get(at + 1).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if source[at..].starts_with("/*") {
            let close = source[at..]
                .find("*/")
                .map_or(source.len(), |end| at + end + 2);
            index = source[close..]
                .find("}}")
                .map_or(source.len(), |end| close + end + 2);
            continue;
        }
        let word_start = at;
        while bytes
            .get(at)
            .is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
        {
            at += 1;
        }
        let word = &source[word_start..at];
        let mut rest = at;
        while bytes.get(rest).is_some_and(u8::is_ascii_whitespace) {
            rest += 1;
        }
        let next_word: String = source[rest..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let problem = |message: String| {
            Err(CheckError {
                offset: action_start,
                message,
            })
        };
        match word {
            "if" => open.push(Open {
                keyword: "if",
                seen_else: false,
            }),
            "range" => open.push(Open {
                keyword: "range",
                seen_else: false,
            }),
            "with" => open.push(Open {
                keyword: "with",
                seen_else: false,
            }),
            "define" => open.push(Open {
                keyword: "define",
                seen_else: false,
            }),
            "block" => open.push(Open {
                keyword: "block",
                seen_else: false,
            }),
            "end" if open.pop().is_none() => return problem("unexpected {{end}}".to_string()),
            "else" => match open.last_mut() {
                None => return problem("unexpected {{else}}".to_string()),
                Some(top) if matches!(top.keyword, "define" | "block") => {
                    let clause = if top.keyword == "define" {
                        "define clause"
                    } else {
                        "block clause"
                    };
                    return problem(format!("unexpected {{{{else}}}} in {clause}"));
                }
                Some(top) if top.seen_else => {
                    return problem("expected end; found {{else}}".to_string())
                }
                // `{{else if}}` and `{{else with}}` open a nested branch that shares the `{{end}}`.
                Some(top) if next_word == "if" || next_word == "with" => top.seen_else = false,
                Some(top) => top.seen_else = true,
            },
            _ => {}
        }
        index = skip_action(source, at);
    }
    if !open.is_empty() {
        return Err(CheckError {
            offset: source.len(),
            message: "unexpected EOF".to_string(),
        });
    }
    Ok(())
}

/// The offset after the `}}` closing the action that continues at `at`, skipping literals.
fn skip_action(source: &str, mut at: usize) -> usize {
    let bytes = source.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b'}' if bytes.get(at + 1) == Some(&b'}') => return at + 2,
            quote @ (b'"' | b'\'') => {
                at += 1;
                while at < bytes.len() && bytes[at] != quote {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b'`' => {
                at += 1 + source[at + 1..].find('`').unwrap_or(source.len() - at - 1) + 1;
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Works around gotmpl trimming the text after `{{- /* comment */}}` (Go trims it only
/// when the comment closes with `-}}`): such a comment becomes the same-length action
/// `{{- ""      }}`, which prints nothing and trims the same way. Newlines are kept, so
/// positions do not move.
pub(super) fn neutralize_left_trim_comments(source: &str) -> std::borrow::Cow<'_, str> {
    let bytes = source.as_bytes();
    let mut spans = Vec::new();
    let mut index = 0;
    while let Some(found) = source[index..].find("{{-") {
        let mut at = index + found + 3;
        index = at;
        if !bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            continue;
        }
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if !source[at..].starts_with("/*") {
            continue;
        }
        let Some(close) = source[at + 2..].find("*/").map(|end| at + 2 + end + 2) else {
            break;
        };
        let mut after = close;
        while bytes.get(after).is_some_and(u8::is_ascii_whitespace) {
            after += 1;
        }
        if source[after..].starts_with("}}") {
            spans.push((at, after));
        }
        index = after;
    }
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = bytes.to_vec();
    for (start, end) in spans {
        for byte in &mut out[start..end] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
        out[start] = b'"';
        out[start + 1] = b'"';
    }
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| source.to_string()))
}
