//! Lowering: gotmpl's AST of a template set turned, once per execution, into the form the
//! executor runs. Variables become slots of their template's frame, function names their
//! table entries, template names indexes, constants values and field names plain strings,
//! so running a node looks nothing up by name.
//!
//! Each lowered node keeps the AST node it came from, which Go's error messages quote. This
//! module owns the lowering and the variable scoping it resolves (the executor's scoping,
//! which is Go's); it must never evaluate anything.

use super::func::{Entry, FuncTable};
use super::Tree;
use crate::template::Value;
use gotmpl::parse::{
    ActionNode, BranchNode, CommandNode, Expr, ListNode, Node, Number, PipeNode, SmolStr,
    TemplateNode,
};
use rustc_hash::FxBuildHasher;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

/// A lowered template set.
pub(super) struct Program<'t> {
    pub bodies: Vec<Body<'t>>,
    names: HashMap<&'t str, usize, FxBuildHasher>,
}

/// One named template, lowered.
pub(super) struct Body<'t> {
    pub tree: &'t Tree,
    pub ops: Vec<Op<'t>>,
    /// The size of its variable frame; slot 0 is `$`.
    pub slots: usize,
}

pub(super) enum Op<'t> {
    Text(&'t str),
    Action(&'t ActionNode, Box<Pipe<'t>>),
    If(Box<Branch<'t>>),
    With(Box<Branch<'t>>),
    Range(Box<Branch<'t>>),
    /// `{{template}}` with the index of the called body, if the set has it.
    Template(&'t TemplateNode, Option<usize>, Option<Box<Pipe<'t>>>),
    List(Vec<Op<'t>>),
    Break,
    Continue,
}

pub(super) struct Branch<'t> {
    pub pipe: Pipe<'t>,
    pub body: Vec<Op<'t>>,
    pub else_body: Option<Vec<Op<'t>>>,
}

pub(super) struct Pipe<'t> {
    pub node: &'t PipeNode,
    /// The declared or assigned variables, in source order.
    pub decl: Vec<Slot<'t>>,
    pub commands: Vec<Command<'t>>,
}

pub(super) struct Command<'t> {
    pub node: &'t CommandNode,
    /// The command's words; the first is the function, field or operand.
    pub args: Box<[Arg<'t>]>,
}

pub(super) struct Arg<'t> {
    pub expr: &'t Expr,
    pub kind: ArgKind<'t>,
}

/// What an argument is. Kept small (see the test below): a template has thousands.
pub(super) enum ArgKind<'t> {
    Dot,
    Nil,
    /// A boolean, number or string constant.
    Constant(Value),
    /// A number constant that does not fit an int (Go reports it when evaluated).
    Overflow,
    Field(Box<[Field<'t>]>),
    Variable(Slot<'t>, Box<[Field<'t>]>),
    /// A function, with its table entry if the table has the name (the name is the node's).
    Function(Option<Entry>),
    Pipe(Box<Pipe<'t>>),
    Chain(Box<Arg<'t>>, Box<[Field<'t>]>),
}

/// One name of a field chain (`.Name`), with where it was found in a map last time: the
/// maps a template reads a key of are mostly the same map or maps of the same keys
/// (`$globals.config.x`, `.Env.VIRTUAL_HOST`), so the next lookup tries there first.
pub(super) struct Field<'t> {
    pub name: &'t str,
    pub hint: Cell<u32>,
}

/// A variable reference: its slot, or its name when no declaration is in scope where it is
/// used (Go's parser allows a variable of an `if` body in the `else` body; running it fails).
#[derive(Clone, Copy)]
pub(super) enum Slot<'t> {
    At(usize),
    Undefined(&'t SmolStr),
}

impl<'t> Program<'t> {
    /// Lowers every template of the set.
    pub fn lower<'a>(
        trees: impl Iterator<Item = (&'t str, &'t Tree)> + Clone,
        funcs: &'a FuncTable,
    ) -> Program<'t> {
        let names: HashMap<&'t str, usize, FxBuildHasher> = trees
            .clone()
            .enumerate()
            .map(|(index, (name, _))| (name, index))
            .collect();
        let bodies = trees
            .map(|(_, tree)| {
                let mut lowering = Lowering {
                    funcs,
                    names: &names,
                    vars: vec!["$"],
                    scope: 0,
                    slots: 1,
                };
                let ops = lowering.list(&tree.root);
                Body {
                    tree,
                    ops,
                    slots: lowering.slots,
                }
            })
            .collect();
        Program { bodies, names }
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }
}

/// The state of lowering one template: the variables in scope where the walk is (a
/// variable's slot is its index here) and where the innermost scope starts.
struct Lowering<'t, 'a> {
    funcs: &'a FuncTable,
    names: &'a HashMap<&'t str, usize, FxBuildHasher>,
    vars: Vec<&'t str>,
    /// Where the innermost scope starts; `usize::MAX` while a range pipeline declares, whose
    /// variables are always new.
    scope: usize,
    slots: usize,
}

impl<'t> Lowering<'t, '_> {
    fn list(&mut self, list: &'t ListNode) -> Vec<Op<'t>> {
        list.nodes
            .iter()
            .filter_map(|node| self.node(node))
            .collect()
    }

    fn node(&mut self, node: &'t Node) -> Option<Op<'t>> {
        Some(match node {
            Node::Text(text) => Op::Text(&text.text),
            Node::Action(action) => Op::Action(action, Box::new(self.pipe(&action.pipe))),
            Node::If(branch) => Op::If(Box::new(self.if_or_with(branch))),
            Node::With(branch) => Op::With(Box::new(self.if_or_with(branch))),
            Node::Range(branch) => Op::Range(Box::new(self.range(branch))),
            Node::Template(template) => {
                let index = self.names.get(template.name.as_str()).copied();
                let pipe = template.pipe.as_ref().map(|pipe| Box::new(self.pipe(pipe)));
                Op::Template(template, index, pipe)
            }
            Node::List(list) => Op::List(self.list(list)),
            Node::Define(_) => return None,
            Node::Break(_) => Op::Break,
            Node::Continue(_) => Op::Continue,
        })
    }

    /// `if` and `with`: the pipeline's variables live until `{{end}}`; only one of the
    /// bodies runs, so the body's own variables are gone in `else`.
    fn if_or_with(&mut self, branch: &'t BranchNode) -> Branch<'t> {
        let mark = self.vars.len();
        let saved_scope = std::mem::replace(&mut self.scope, mark);
        let pipe = self.pipe(&branch.pipe);
        let after_pipe = self.vars.len();
        let body = self.list(&branch.body);
        self.vars.truncate(after_pipe);
        let else_body = branch.else_body.as_ref().map(|list| self.list(list));
        self.scope = saved_scope;
        self.vars.truncate(mark);
        Branch {
            pipe,
            body,
            else_body,
        }
    }

    /// `range`: its pipeline's variables are new even where a name repeats, and each
    /// iteration starts with only them.
    fn range(&mut self, branch: &'t BranchNode) -> Branch<'t> {
        let outer_mark = self.vars.len();
        let outer_scope = std::mem::replace(&mut self.scope, usize::MAX);
        let pipe = self.pipe(&branch.pipe);
        let mark = self.vars.len();
        self.scope = mark;
        let body = self.list(&branch.body);
        self.vars.truncate(mark);
        let else_body = branch.else_body.as_ref().map(|list| self.list(list));
        self.vars.truncate(outer_mark);
        self.scope = outer_scope;
        Branch {
            pipe,
            body,
            else_body,
        }
    }

    fn pipe(&mut self, pipe: &'t PipeNode) -> Pipe<'t> {
        let commands = pipe
            .commands
            .iter()
            .map(|command| Command {
                node: command,
                args: command
                    .args
                    .iter()
                    .map(|arg| self.arg(arg))
                    .collect::<Vec<_>>()
                    .into(),
            })
            .collect();
        let decl = pipe
            .decl
            .iter()
            .map(|name| {
                if pipe.is_assign {
                    self.find(name)
                } else {
                    Slot::At(self.declare(name))
                }
            })
            .collect();
        Pipe {
            node: pipe,
            decl,
            commands,
        }
    }

    /// `$name :=`: a name already declared in the innermost scope keeps its slot (the older
    /// variable could never be seen again), any other gets a new one.
    fn declare(&mut self, name: &'t str) -> usize {
        let in_scope = self.vars.get(self.scope..).unwrap_or(&[]);
        if let Some(index) = in_scope.iter().rposition(|var| *var == name) {
            return self.scope + index;
        }
        self.vars.push(name);
        self.slots = self.slots.max(self.vars.len());
        self.vars.len() - 1
    }

    fn find(&self, name: &'t SmolStr) -> Slot<'t> {
        match self.vars.iter().rposition(|var| *var == name.as_str()) {
            Some(slot) => Slot::At(slot),
            None => Slot::Undefined(name),
        }
    }

    fn arg(&mut self, expr: &'t Expr) -> Arg<'t> {
        let fields = |fields: &'t [SmolStr]| -> Box<[Field<'t>]> {
            fields
                .iter()
                .map(|field| Field {
                    name: field.as_str(),
                    hint: Cell::new(0),
                })
                .collect()
        };
        let kind = match expr {
            Expr::Dot(_) => ArgKind::Dot,
            Expr::Nil(_) => ArgKind::Nil,
            Expr::Bool(_, flag) => ArgKind::Constant(Value::Bool(*flag)),
            Expr::Number(_, Number::Int(number)) => ArgKind::Constant(Value::Int(*number)),
            Expr::Number(_, Number::Float(number)) => ArgKind::Constant(Value::Float(*number)),
            Expr::Number(..) => ArgKind::Overflow,
            Expr::String(_, text) => ArgKind::Constant(Value::Str(Rc::from(&**text))),
            Expr::Field(_, names) => ArgKind::Field(fields(names)),
            Expr::Variable(_, name, names) => ArgKind::Variable(self.find(name), fields(names)),
            Expr::Identifier(_, name) => ArgKind::Function(self.funcs.entry(name).copied()),
            Expr::Pipe(_, pipe) => ArgKind::Pipe(Box::new(self.pipe(pipe))),
            Expr::Chain(_, inner, names) => {
                ArgKind::Chain(Box::new(self.arg(inner)), fields(names))
            }
        };
        Arg { expr, kind }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// nginx-proxy's template has about 5,000 arguments: each byte here is 5 KB of memory.
    #[test]
    fn arguments_stay_small() {
        assert!(
            std::mem::size_of::<Arg>() <= 40,
            "{}",
            std::mem::size_of::<Arg>()
        );
        assert!(
            std::mem::size_of::<Op>() <= 40,
            "{}",
            std::mem::size_of::<Op>()
        );
    }
}
