//! Go's view of gotmpl's AST nodes for error messages: the `String()` form of a node
//! (`.A.B`, `index .L 5`, `{{template "x" .}}`) and the byte position Go reports for it,
//! which differs from gotmpl's for chained fields and `template` names.
//!
//! It owns only rendering and position arithmetic over the source text; it must never
//! evaluate anything.

use super::fmt::quote;
use gotmpl::parse::{CommandNode, Expr, PipeNode, TemplateNode};

/// Go's `ErrorContext` location: 1-based line and 0-based byte column of `offset`.
pub(super) fn go_location(source: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_boundary(source, offset);
    let before = &source[..offset];
    let line = 1 + before.matches('\n').count();
    let column = match before.rfind('\n') {
        Some(newline) => offset - newline - 1,
        None => offset,
    };
    (line, column)
}

/// A 1-based line and 1-based character column, for parse errors.
pub(super) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_boundary(source, offset);
    let before = &source[..offset];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn clamp_to_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The source text of the literal token at `offset` (a number, string or char constant).
pub(super) fn token_text(source: &str, offset: usize) -> &str {
    let offset = clamp_to_boundary(source, offset);
    let bytes = &source.as_bytes()[offset..];
    let end = match bytes.first() {
        Some(quote @ (b'"' | b'\'')) => {
            let mut index = 1;
            while index < bytes.len() {
                match bytes[index] {
                    b'\\' => index += 2,
                    byte if byte == *quote => break,
                    _ => index += 1,
                }
            }
            (index + 1).min(bytes.len())
        }
        Some(b'`') => bytes[1..]
            .iter()
            .position(|byte| *byte == b'`')
            .map_or(bytes.len(), |at| at + 2),
        _ => {
            let hex = bytes.len() > 2 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'X');
            let mut index = 0;
            while index < bytes.len() {
                let byte = bytes[index];
                let sign_ok = index == 0
                    || (index > 0
                        && (matches!(bytes[index - 1], b'p' | b'P')
                            || (!hex && matches!(bytes[index - 1], b'e' | b'E'))));
                if byte.is_ascii_alphanumeric()
                    || byte == b'_'
                    || byte == b'.'
                    || (matches!(byte, b'+' | b'-') && sign_ok)
                {
                    index += 1;
                } else {
                    break;
                }
            }
            index
        }
    };
    let text = &source[offset..];
    let mut end = end.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The offset just after the `)` matching the `(` at `offset`.
fn after_matching_paren(source: &str, offset: usize) -> usize {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut index = offset;
    while index < bytes.len() {
        match bytes[index] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return index + 1;
                }
            }
            b'"' | b'\'' | b'`' => {
                index += token_text(source, index).len();
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    offset
}

/// The position Go gives an expression node: for `.A.B`, `$x.A` and `(p).A` Go's parser
/// rebuilds the node at the position of the second token.
pub(super) fn expr_offset(expr: &Expr, source: &str) -> usize {
    match expr {
        Expr::Field(pos, fields) if fields.len() > 1 => pos.offset + 1 + fields[0].len(),
        Expr::Variable(pos, name, fields) if !fields.is_empty() => pos.offset + name.len(),
        Expr::Chain(pos, inner, _) => match &**inner {
            Expr::Pipe(..) => after_matching_paren(source, pos.offset),
            Expr::Identifier(_, name) => pos.offset + name.len(),
            _ => pos.offset,
        },
        other => other.pos().offset,
    }
}

/// Go's `Node.String()` of an expression.
pub(super) fn expr_string(expr: &Expr, source: &str) -> String {
    match expr {
        Expr::Dot(_) => ".".to_string(),
        Expr::Nil(_) => "nil".to_string(),
        Expr::Bool(_, flag) => flag.to_string(),
        Expr::Field(_, fields) => fields.iter().map(|field| format!(".{field}")).collect(),
        Expr::Variable(_, name, fields) => {
            let mut text = name.to_string();
            for field in fields {
                text.push('.');
                text.push_str(field);
            }
            text
        }
        Expr::Identifier(_, name) => name.to_string(),
        Expr::String(pos, _) | Expr::Number(pos, _) => token_text(source, pos.offset).to_string(),
        Expr::Pipe(_, pipe) => pipe_string(pipe, source),
        Expr::Chain(_, inner, fields) => {
            let mut text = match &**inner {
                Expr::Pipe(_, pipe) => format!("({})", pipe_string(pipe, source)),
                other => expr_string(other, source),
            };
            for field in fields {
                text.push('.');
                text.push_str(field);
            }
            text
        }
    }
}

/// Go's `CommandNode.String()`: arguments separated by spaces, sub-pipelines in parentheses.
pub(super) fn command_string(command: &CommandNode, source: &str) -> String {
    let parts: Vec<String> = command
        .args
        .iter()
        .map(|arg| match arg {
            Expr::Pipe(_, pipe) => format!("({})", pipe_string(pipe, source)),
            other => expr_string(other, source),
        })
        .collect();
    parts.join(" ")
}

/// Go's `PipeNode.String()`.
pub(super) fn pipe_string(pipe: &PipeNode, source: &str) -> String {
    let mut text = String::new();
    if !pipe.decl.is_empty() {
        text.push_str(
            &pipe
                .decl
                .iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        text.push_str(if pipe.is_assign { " = " } else { " := " });
    }
    let commands: Vec<String> = pipe
        .commands
        .iter()
        .map(|command| command_string(command, source))
        .collect();
    text.push_str(&commands.join(" | "));
    text
}

/// Go's `TemplateNode.String()`.
pub(super) fn template_string(node: &TemplateNode, source: &str) -> String {
    match &node.pipe {
        Some(pipe) => format!(
            "{{{{template {} {}}}}}",
            quote(&node.name),
            pipe_string(pipe, source)
        ),
        None => format!("{{{{template {}}}}}", quote(&node.name)),
    }
}

/// Go positions a `{{template "x"}}` node at its name string, gotmpl at the keyword.
pub(super) fn template_offset(node: &TemplateNode, source: &str) -> usize {
    let start = node.pos.offset.min(source.len());
    source[start..]
        .find(['"', '`'])
        .map_or(start, |at| start + at)
}
