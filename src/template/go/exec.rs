//! The executor: runs the lowered templates (`code.rs`) over `Value` the way Go's
//! `text/template` walks its tree over `reflect.Value` (`exec.go`): variables in frame
//! slots, `missing` versus nil, field and map lookups, short-circuit `and`/`or`, `range` with
//! `break`/`continue`, template calls, and error messages naming the file, line, column,
//! template and node like Go's.
//!
//! It owns evaluation and must never panic on any template or value: every failure is an
//! error value. Functions come from the `FuncTable`; printing from `fmt.rs`.

use super::builtins::from_interface;
use super::code::{Arg, ArgKind, Body, Branch, Field, Op, Pipe, Program, Slot};
use super::fmt::{action_text, printable_sprint, quote};
use super::func::{Entry, Kind};
use super::node::{
    command_string, expr_offset, expr_string, go_location, pipe_string, template_offset,
    template_string,
};
use super::{GoTemplate, Tree};
use crate::template::funcs::sprig_date::{self, time_method_params};
use crate::template::funcs::{method_of, Method};
use crate::template::value::{is_interface_elem, struct_fields, IntType, NamedInt};
use crate::template::Value;
use gotmpl::parse::{ActionNode, CommandNode, Expr, PipeNode, TemplateNode};
use std::rc::Rc;

/// The deepest nesting of `{{template}}` calls (and `eval`s). Go allows 100000 on its
/// growable stacks; tinygen runs on fixed thread stacks, so it stops much earlier.
pub(super) const MAX_DEPTH: usize = 300;

/// The deepest nesting of template bodies, `if`/`range`/`with` bodies included, across
/// template calls. It bounds the executor's stack use (under 1 KiB per level in release
/// builds) whatever the template does.
pub(super) const MAX_NESTING: usize = 1500;

/// Why a walk stopped early.
pub(super) enum Flow {
    Break,
    Continue,
    /// An execution error with its complete message. Boxed for a thin pointer: a `Run<Value>`
    /// is then no larger than a `Value` (the error in the tag's spare values; 24 bytes instead
    /// of 32 on 64-bit targets), which every evaluation step returns; the extra allocation is
    /// on the error path only.
    #[allow(clippy::box_collection)]
    Error(Box<String>),
}

type Run<T> = Result<T, Flow>;

// Every evaluation step returns one; see `Flow::Error`.
const _: () = assert!(std::mem::size_of::<Run<Value>>() == std::mem::size_of::<Value>());

/// A variable's slot: its value, whether it is addressable (see `Exec::addressable`) and
/// whether it holds an element of a `[]interface{}` or `map[string]interface{}` that `range`
/// gave it (see `Exec::dot_in_interface`).
struct Var {
    value: Value,
    addressable: bool,
    in_interface: bool,
}

impl Var {
    fn unset() -> Var {
        Var {
            value: Value::Missing,
            addressable: false,
            in_interface: false,
        }
    }
}

/// The node execution is at, for error messages (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    Nothing,
    Expr(&'t Expr),
    Pipe(&'t PipeNode),
    Command(&'t CommandNode),
    Action(&'t ActionNode),
    Template(&'t TemplateNode),
}

pub(super) struct Exec<'t> {
    set: &'t GoTemplate,
    program: &'t Program<'t>,
    body: &'t Body<'t>,
    tree: &'t Tree,
    /// The variable frames of the running template calls; each starts with its `$`.
    vars: Vec<Var>,
    /// Where the running template's frame starts: a `{{template}}` call pushes its own frame
    /// above the caller's and sees only its own.
    vars_base: usize,
    /// Whether dot is addressable.
    dot_addressable: bool,
    /// Whether dot is an element of a `[]interface{}` or `map[string]interface{}` that
    /// `range` set: Go then names its type `interface {}` in field errors.
    dot_in_interface: bool,
    /// Whether the value evaluated last is addressable in Go (a struct field reached through
    /// a pointer, or a variable or dot holding one); only a String method with a pointer
    /// receiver cares (`{{ .Image }}` prints `repo:tag`, `{{ coalesce .Image }}` the struct).
    addressable: bool,
    depth: usize,
    nesting: usize,
    node: At<'t>,
    /// The arguments of the calls being evaluated, one run per call on top of the runs of
    /// the calls it is an argument of; a call pops its own when it returns.
    stack: Vec<Value>,
    pub out: String,
}

impl<'t> Exec<'t> {
    pub(super) fn new(
        set: &'t GoTemplate,
        program: &'t Program<'t>,
        body: &'t Body<'t>,
        dot: Value,
        (depth, nesting): (usize, usize),
    ) -> Exec<'t> {
        let mut vars: Vec<Var> = std::iter::repeat_with(Var::unset)
            .take(body.slots.max(1))
            .collect();
        vars[0].value = dot;
        Exec {
            set,
            program,
            body,
            tree: body.tree,
            vars,
            vars_base: 0,
            dot_addressable: false,
            dot_in_interface: false,
            addressable: false,
            depth,
            nesting,
            node: At::Nothing,
            stack: Vec::new(),
            out: String::new(),
        }
    }

    /// Runs the tree with `$` as dot.
    pub(super) fn run(&mut self) -> Run<()> {
        let dot = self.vars[self.vars_base].value.clone();
        let body = self.body;
        match self.walk_list(&dot, &body.ops) {
            Err(Flow::Break | Flow::Continue) => Ok(()),
            other => other,
        }
    }

    /// An execution error at the current node, worded like Go's `state.errorf`.
    fn error(&self, message: impl Into<String>) -> Flow {
        let message = message.into();
        let source = self.tree.file.text.as_str();
        let (offset, context) = match self.node {
            At::Nothing => return Flow::Error(Box::new(format!("{}: {message}", self.tree.name))),
            At::Expr(expr) => (expr_offset(expr, source), expr_string(expr, source)),
            At::Pipe(pipe) => (pipe.pos.offset, pipe_string(pipe, source)),
            At::Command(command) => (command.pos.offset, command_string(command, source)),
            At::Action(action) => (
                action.pos.offset,
                format!("{{{{{}}}}}", pipe_string(&action.pipe, source)),
            ),
            At::Template(template) => (
                template_offset(template, source),
                template_string(template, source),
            ),
        };
        let (line, column) = go_location(source, offset);
        Flow::Error(Box::new(format!(
            "{}:{line}:{column}: executing {} at <{context}>: {message}",
            self.tree.file.name,
            quote(&self.tree.name)
        )))
    }

    // Always inlined in optimised builds (it is a store); in debug builds that would grow
    // the frames of the recursive walk past the nesting test's stack.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn at(&mut self, node: At<'t>) {
        self.node = node;
    }

    fn walk_list(&mut self, dot: &Value, list: &'t [Op<'t>]) -> Run<()> {
        if self.nesting >= MAX_NESTING {
            return Err(self.error(format!("exceeded maximum nesting depth ({MAX_NESTING})")));
        }
        self.nesting += 1;
        let result = list.iter().try_for_each(|op| self.walk(dot, op));
        self.nesting -= 1;
        result
    }

    /// `walk_list` with a new dot, its addressability and whether it sits in an interface.
    fn walk_list_at(
        &mut self,
        dot: &Value,
        (addressable, in_interface): (bool, bool),
        list: &'t [Op<'t>],
    ) -> Run<()> {
        let saved = std::mem::replace(&mut self.dot_addressable, addressable);
        let saved_interface = std::mem::replace(&mut self.dot_in_interface, in_interface);
        let result = self.walk_list(dot, list);
        self.dot_addressable = saved;
        self.dot_in_interface = saved_interface;
        result
    }

    fn walk(&mut self, dot: &Value, op: &'t Op<'t>) -> Run<()> {
        match op {
            Op::Text(text) => {
                self.out.push_str(text);
                Ok(())
            }
            Op::Action(action, pipe) => self.walk_action(dot, action, pipe),
            Op::If(branch) => self.walk_if_or_with(false, dot, branch),
            Op::With(branch) => self.walk_if_or_with(true, dot, branch),
            Op::Range(branch) => self.walk_range(dot, branch),
            Op::Template(template, index, pipe) => {
                self.walk_template(dot, template, *index, pipe.as_deref())
            }
            Op::List(list) => self.walk_list(dot, list),
            Op::Break => Err(Flow::Break),
            Op::Continue => Err(Flow::Continue),
        }
    }

    fn walk_action(&mut self, dot: &Value, action: &'t ActionNode, pipe: &'t Pipe<'t>) -> Run<()> {
        self.at(At::Action(action));
        // A declaration's value moves into its variable; an action prints its value.
        let value = self.eval_pipeline(dot, pipe, pipe.decl.is_empty())?;
        if pipe.decl.is_empty() {
            match &value {
                Value::Str(text) => self.out.push_str(text),
                other => self.out.push_str(&action_text(other, self.addressable)),
            }
        }
        Ok(())
    }

    /// `if` and `with`. Their variables need no popping: each has its own slots (`code.rs`).
    fn walk_if_or_with(&mut self, with: bool, dot: &Value, branch: &'t Branch<'t>) -> Run<()> {
        let value = self.eval_pipeline(dot, &branch.pipe, true)?;
        if value.is_true() {
            if with {
                self.walk_list_at(&value, (self.addressable, false), &branch.body)
            } else {
                self.walk_list(dot, &branch.body)
            }
        } else if let Some(else_body) = &branch.else_body {
            self.walk_list(dot, else_body)
        } else {
            Ok(())
        }
    }

    fn walk_range(&mut self, dot: &Value, branch: &'t Branch<'t>) -> Run<()> {
        let value = self.eval_pipeline(dot, &branch.pipe, true)?;
        let pipe = &branch.pipe;
        let decl = &pipe.decl;
        // Elements of a typed slice are addressable; map values and interfaces are not.
        let element_addressable =
            matches!(&value, Value::List(list) if !is_interface_elem(list.elem));
        let in_interface = match &value {
            Value::List(list) => is_interface_elem(list.elem),
            Value::Map(map) => is_interface_elem(map.elem),
            _ => false,
        };
        // Lists never change and a map is ranged over as a snapshot, so the elements are
        // read in place, one per turn.
        let map_entries = match &value {
            Value::Map(map) => Some(map.entries.snapshot()),
            _ => None,
        };
        match &value {
            Value::List(_) | Value::Containers(_) | Value::Map(_) => {}
            Value::Int(_) | Value::Named(_) => {
                if decl.len() > 1 {
                    // Go prints the value with %v (`Friday` for a time.Weekday).
                    let text = printable_sprint(std::slice::from_ref(&value));
                    return Err(self.error(format!(
                        "can't use {text} to iterate over more than one variable"
                    )));
                }
            }
            Value::Nil | Value::Missing => {}
            other => {
                // Go ranges over the value with pointers followed, so a container prints as `{...}`.
                let text = printable_sprint(std::slice::from_ref(other));
                return Err(self.error(format!("range can't iterate over {text}")));
            }
        }
        let mut count = 0;
        loop {
            let index = Value::Int(count as i64);
            let (key, element) = match (&value, &map_entries) {
                (Value::Int(limit), _) if (count as i64) < *limit => (Value::Missing, index),
                // Go 1.22 ranges over any integer kind; the elements keep its type.
                (Value::Named(limit), _) if (count as i64) < limit.number => {
                    let element = NamedInt {
                        number: count as i64,
                        ..*limit
                    };
                    (Value::Missing, Value::Named(element))
                }
                (Value::List(list), _) => match list.items.get(count) {
                    Some(item) => (index, from_interface(item.clone(), list.elem)),
                    None => break,
                },
                (Value::Containers(containers), _) => match containers.items.get(count) {
                    Some(item) => (index, item.clone()),
                    None => break,
                },
                (Value::Map(map), Some(entries)) => match entries.entry_at(count) {
                    Some((key, item)) => (
                        Value::Str(key.clone()),
                        from_interface(item.clone(), map.elem),
                    ),
                    None => break,
                },
                _ => break,
            };
            count += 1;
            // One variable gets the element; two get the key and the element.
            match decl.as_slice() {
                [] => {}
                [only] => self.assign(*only, element.clone(), element_addressable)?,
                [first, second, ..] => {
                    self.assign(*first, key, false)?;
                    self.assign(*second, element.clone(), element_addressable)?;
                }
            }
            if in_interface {
                if let Some(Slot::At(index)) = decl.last() {
                    if let Some(var) = self.vars.get_mut(self.vars_base + index) {
                        var.in_interface = true;
                    }
                }
            }
            let element_at = (element_addressable, in_interface);
            let result = self.walk_list_at(&element, element_at, &branch.body);
            match result {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(error) => return Err(error),
            }
        }
        match &branch.else_body {
            Some(else_body) if count == 0 => self.walk_list(dot, else_body),
            _ => Ok(()),
        }
    }

    fn walk_template(
        &mut self,
        dot: &Value,
        template: &'t TemplateNode,
        index: Option<usize>,
        pipe: Option<&'t Pipe<'t>>,
    ) -> Run<()> {
        self.at(At::Template(template));
        let Some(body) = index.and_then(|index| self.program.bodies.get(index)) else {
            return Err(self.error(format!("template {} not defined", quote(&template.name))));
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("exceeded maximum template depth ({MAX_DEPTH})")));
        }
        let (new_dot, addressable) = match pipe {
            Some(pipe) => (self.eval_pipeline(dot, pipe, true)?, self.addressable),
            None => (Value::Missing, false),
        };
        let base = self.vars.len();
        self.vars
            .extend(std::iter::repeat_with(Var::unset).take(body.slots.max(1)));
        self.vars[base] = Var {
            value: new_dot.clone(),
            addressable,
            in_interface: false,
        };
        let saved_base = std::mem::replace(&mut self.vars_base, base);
        let saved_tree = std::mem::replace(&mut self.tree, body.tree);
        self.depth += 1;
        let result = self.walk_list_at(&new_dot, (addressable, false), &body.ops);
        self.depth -= 1;
        self.tree = saved_tree;
        self.vars_base = saved_base;
        self.vars.truncate(base);
        match result {
            Err(Flow::Break | Flow::Continue) => Ok(()),
            other => other,
        }
    }

    /// Sets a variable (`$x := v`, `$x = v` or a range variable).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn assign(&mut self, slot: Slot<'t>, value: Value, addressable: bool) -> Run<()> {
        let var = match slot {
            Slot::At(index) => self.vars.get_mut(self.vars_base + index),
            Slot::Undefined(_) => None,
        };
        match var {
            Some(var) => {
                var.value = value;
                var.addressable = addressable;
                var.in_interface = false;
                Ok(())
            }
            None => Err(self.undefined(slot)),
        }
    }

    fn undefined(&self, slot: Slot<'t>) -> Flow {
        match slot {
            Slot::Undefined(name) => self.error(format!("undefined variable: {name}")),
            Slot::At(index) => self.error(format!("variable slot {index} outside its frame")),
        }
    }

    /// A variable's value and whether it is addressable.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn var_value(&self, slot: Slot<'t>) -> Run<(Value, bool)> {
        let var = match slot {
            Slot::At(index) => self.vars.get(self.vars_base + index),
            Slot::Undefined(_) => None,
        };
        match var {
            Some(var) => Ok((var.value.clone(), var.addressable)),
            None => Err(self.undefined(slot)),
        }
    }

    /// Whether a variable holds an element `range` took out of an interface slot.
    fn var_in_interface(&self, slot: Slot<'t>) -> bool {
        match slot {
            Slot::At(index) => self
                .vars
                .get(self.vars_base + index)
                .is_some_and(|var| var.in_interface),
            Slot::Undefined(_) => false,
        }
    }

    /// A pipeline's value, also assigned to its variables; without `keep` the last variable
    /// gets it and the caller gets `Value::Missing`.
    fn eval_pipeline(&mut self, dot: &Value, pipe: &'t Pipe<'t>, keep: bool) -> Run<Value> {
        self.at(At::Pipe(pipe.node));
        let mut value = None;
        for command in &pipe.commands {
            value = Some(self.eval_command(dot, command.node, &command.args, value)?);
        }
        let value = match value {
            Some(value) => value,
            None => Value::Missing,
        };
        let addressable = self.addressable;
        let Some((last, others)) = pipe.decl.split_last() else {
            return Ok(value);
        };
        for slot in others {
            self.assign(*slot, value.clone(), addressable)?;
        }
        self.addressable = addressable;
        if keep {
            self.assign(*last, value.clone(), addressable)?;
            Ok(value)
        } else {
            self.assign(*last, value, addressable)?;
            Ok(Value::Missing)
        }
    }

    #[inline(always)]
    fn not_a_function(&self, args: &'t [Arg<'t>], last: &Option<Value>) -> Run<()> {
        if args.len() > 1 || last.is_some() {
            return Err(self.argument_to_non_function(args));
        }
        Ok(())
    }

    #[cold]
    fn argument_to_non_function(&self, args: &'t [Arg<'t>]) -> Flow {
        let first = args
            .first()
            .map(|arg| expr_string(arg.expr, &self.tree.file.text))
            .unwrap_or_default();
        self.error(format!("can't give argument to non-function {first}"))
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        command: &'t CommandNode,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        let Some(first) = args.first() else {
            return Err(self.error("empty command"));
        };
        match &first.kind {
            ArgKind::Field(_) => return self.eval_field_node(dot, first, args, last),
            ArgKind::Chain(..) => return self.eval_chain_node(dot, first, args, last),
            ArgKind::Function(Some(entry)) if entry.kind == Kind::Plain => {
                return self.eval_plain_call(dot, first, entry, command, args, last);
            }
            ArgKind::Function(entry) => {
                let callee = (first, *entry);
                return self.eval_function(dot, callee, At::Command(command), args, last);
            }
            ArgKind::Pipe(pipe) => {
                self.not_a_function(args, &last)?;
                return self.eval_pipeline(dot, pipe, true);
            }
            ArgKind::Variable(..) => return self.eval_variable_node(dot, first, args, last),
            _ => {}
        }
        self.at(At::Expr(first.expr));
        self.not_a_function(args, &last)?;
        self.addressable = matches!(first.kind, ArgKind::Dot) && self.dot_addressable;
        match &first.kind {
            ArgKind::Constant(value) => Ok(value.clone()),
            ArgKind::Dot => Ok(dot.clone()),
            ArgKind::Nil => Err(self.error("nil is not a command")),
            ArgKind::Overflow => Err(self.overflow(first)),
            _ => Err(self.error(format!(
                "can't evaluate command {}",
                quote(&expr_string(first.expr, &self.tree.file.text))
            ))),
        }
    }

    /// A number constant that fits no int.
    fn overflow(&mut self, arg: &'t Arg<'t>) -> Flow {
        self.at(At::Expr(arg.expr));
        self.error(format!(
            "{} overflows int",
            expr_string(arg.expr, &self.tree.file.text)
        ))
    }

    fn eval_field_node(
        &mut self,
        dot: &Value,
        arg: &'t Arg<'t>,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        let ArgKind::Field(fields) = &arg.kind else {
            return Ok(Value::Missing);
        };
        let addressable = self.dot_addressable;
        if !has_args(args, &last) {
            if let Some(found) = read_in_place(dot, addressable, self.dot_in_interface, fields) {
                return Ok(self.chain_result(found));
            }
        }
        let receiver = (dot.clone(), addressable, self.dot_in_interface);
        self.eval_field_chain(dot, receiver, fields, args, last)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Value,
        arg: &'t Arg<'t>,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        let ArgKind::Chain(inner, fields) = &arg.kind else {
            return Ok(Value::Missing);
        };
        if let ArgKind::Nil = inner.kind {
            let text = expr_string(arg.expr, &self.tree.file.text);
            return Err(self.error(format!("indirection through explicit nil in {text}")));
        }
        // Like Go, field errors are then reported at the last node evaluated inside.
        let receiver = self.eval_arg(dot, inner)?;
        let addressable = self.addressable;
        self.eval_field_chain(dot, (receiver, addressable, false), fields, args, last)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Value,
        arg: &'t Arg<'t>,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        let ArgKind::Variable(slot, fields) = &arg.kind else {
            return Ok(Value::Missing);
        };
        if let (Slot::At(index), false) = (slot, fields.is_empty() || has_args(args, &last)) {
            if let Some(var) = self.vars.get(self.vars_base + index) {
                let (value, addressable) = (&var.value, var.addressable);
                if let Some(found) = read_in_place(value, addressable, var.in_interface, fields) {
                    return Ok(self.chain_result(found));
                }
            }
        }
        let (value, addressable) = self.var_value(*slot)?;
        if fields.is_empty() {
            self.not_a_function(args, &last)?;
            self.addressable = addressable;
            return Ok(value);
        }
        let in_interface = self.var_in_interface(*slot);
        self.eval_field_chain(dot, (value, addressable, in_interface), fields, args, last)
    }

    /// The value a field chain ends in, as `eval_field_chain` leaves it: the result's
    /// addressability in `self.addressable`, a nil read from an `interface{}` slot unwrapped.
    #[inline(always)]
    fn chain_result(&mut self, (value, addressable, in_interface): (Value, bool, bool)) -> Value {
        self.addressable = addressable && !in_interface;
        if in_interface {
            from_interface(value, "any")
        } else {
            value
        }
    }

    /// Evaluates `.A.B.C` on `receiver` (with its addressability and whether it sits in an
    /// interface); leaves the result's addressability in `self.addressable`.
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        (mut receiver, mut addressable, mut in_interface): (Value, bool, bool),
        fields: &'t [Field<'t>],
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        let Some((final_field, leading)) = fields.split_last() else {
            self.addressable = addressable;
            return Ok(receiver);
        };
        for field in leading {
            (receiver, in_interface, addressable) =
                self.eval_field(dot, field, &[], None, (receiver, addressable), in_interface)?;
        }
        let (value, in_interface, final_addressable) = self.eval_field(
            dot,
            final_field,
            args,
            last,
            (receiver, addressable),
            in_interface,
        )?;
        // Go unwraps an `interface{}` result: a nil held there is the invalid value.
        Ok(self.chain_result((value, final_addressable, in_interface)))
    }

    /// Go's `evalField`: a method of the root or a time, a struct field or a map key. The
    /// flag says whether the receiver (in) or the result (out) sits in an `interface{}` slot,
    /// which changes Go's type names in errors and turns a nil result into "no value". The
    /// result's last flag says whether it is addressable: a struct field is when the struct
    /// is reached through a pointer or is itself addressable; map values and method results
    /// never are.
    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Value,
        field: &Field<'t>,
        args: &'t [Arg<'t>],
        last: Option<Value>,
        (receiver, addressable): (Value, bool),
        in_interface: bool,
    ) -> Run<(Value, bool, bool)> {
        let name = field.name;
        let has_args = args.len() > 1 || last.is_some();
        let method_args = args.len().saturating_sub(1) + usize::from(last.is_some());
        let method = |this: &Self, value: Value| -> Run<(Value, bool, bool)> {
            if method_args > 0 {
                return Err(this.error(format!(
                    "wrong number of args for {name}: want 0 got {method_args}"
                )));
            }
            Ok((value, false, false))
        };
        let type_name = |value: &Value| {
            if in_interface {
                "interface {}".to_string()
            } else {
                value.go_type()
            }
        };
        match &receiver {
            Value::Missing => Ok((Value::Missing, false, false)),
            Value::Nil => Err(self.error(format!("nil pointer evaluating interface {{}}.{name}"))),
            // A typed nil (docker-gen's `.CurrentContainer` outside a container): its struct's
            // fields are nil dereferences; its methods are called (`Equals`).
            Value::NilPointer(pointee) if struct_fields(pointee).contains(&name) => Err(self
                .error(format!(
                    "nil pointer evaluating {}.{name}",
                    type_name(&receiver)
                ))),
            Value::Containers(containers) => match name {
                "Env" => method(self, containers.globals.env.clone()),
                "Docker" => method(self, containers.globals.docker.clone()),
                "CurrentContainer" => method(self, containers.globals.current_container.clone()),
                _ => Err(self.error(format!(
                    "can't evaluate field {name} in type {}",
                    type_name(&receiver)
                ))),
            },
            Value::Record(record) => {
                // An unexported (lower-case) field is an error, in `call_value_method`.
                let exported = name.starts_with(char::is_uppercase);
                if let Some(value) = record.field(name).filter(|_| exported) {
                    if has_args {
                        return Err(self.error(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    let addressable = addressable || record.is_pointer();
                    return Ok((value.clone(), false, addressable));
                }
                // A pointer-receiver method needs an addressable struct, as in Go.
                let has_method = !record.string_needs_address() || addressable;
                match (&record.string_form, name) {
                    (Some(form), "String") if has_method => method(self, Value::str(form.as_str())),
                    _ => self
                        .call_value_method(dot, (&receiver, type_name(&receiver)), name, args, last)
                        .map(|(value, in_interface)| (value, in_interface, false)),
                }
            }
            Value::Map(map) => {
                if has_args {
                    return Err(self.error(format!("{name} is not a method but has arguments")));
                }
                Ok(match map.entries.get_hinted(name, &field.hint) {
                    Some(value) => (value, is_interface_elem(map.elem), false),
                    None => (Value::Missing, false, false),
                })
            }
            // Everything else, a time included, has methods only.
            other => self
                .call_value_method(dot, (other, type_name(other)), name, args, last)
                .map(|(value, in_interface)| (value, in_interface, false)),
        }
    }

    /// A method of a value (`.Created.Month.String`, `(semver "1.2.3").Compare $v`,
    /// `.Created.Format "2006"`) from `funcs::method_of` or, for a time,
    /// `sprig_date::time_method_params`, called like Go's `evalCall`: the argument count is
    /// checked first, then the arguments are evaluated, and a failed call is reported like
    /// a function's. Without such a method, an unexported field of Go's struct is an error
    /// of its own, as in Go's `evalField`.
    fn call_value_method(
        &mut self,
        dot: &Value,
        (receiver, receiver_type): (&Value, String),
        name: &str,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<(Value, bool)> {
        let method = match receiver {
            Value::Time(_) => time_method_params(name).map(|params| Method {
                params,
                call: sprig_date::call_time_method,
            }),
            other => method_of(other, name),
        };
        let Some(method) = method else {
            let exported = name.starts_with(char::is_uppercase);
            let unexported = !exported
                && match receiver {
                    Value::Time(_) => sprig_date::TIME_FIELDS.contains(&name),
                    Value::Record(record) => record.field(name).is_some(),
                    _ => false,
                };
            return Err(self.error(if unexported {
                format!("{name} is an unexported field of struct type {receiver_type}")
            } else {
                format!("can't evaluate field {name} in type {receiver_type}")
            }));
        };
        let explicit = args.get(1..).unwrap_or(&[]);
        let count = explicit.len() + usize::from(last.is_some());
        if count != method.params {
            return Err(self.error(format!(
                "wrong number of args for {name}: want {} got {count}",
                method.params
            )));
        }
        let piped_only = explicit.is_empty() && last.is_some();
        let duration = sprig_date::takes_duration(receiver, name);
        let integer = duration || sprig_date::takes_int(receiver, name);
        let mut values = Vec::with_capacity(count);
        for arg in explicit {
            if integer && matches!(arg.kind, ArgKind::Overflow) {
                self.at(At::Expr(arg.expr));
                let text = expr_string(arg.expr, &self.tree.file.text);
                return Err(self.error(format!("expected integer; found {text}")));
            }
            values.push(match (self.eval_arg(dot, arg)?, &arg.kind) {
                // Go converts a number constant to the parameter's type.
                (Value::Int(number), ArgKind::Constant(_)) if duration => Value::Named(NamedInt {
                    of: IntType::Duration,
                    number,
                }),
                // One written as a float is an integer constant too when it is whole.
                (Value::Float(float), ArgKind::Constant(_))
                    if integer && float.fract() == 0.0 && float.abs() < 9.2e18 =>
                {
                    let number = float as i64;
                    if duration {
                        Value::Named(NamedInt {
                            of: IntType::Duration,
                            number,
                        })
                    } else {
                        Value::Int(number)
                    }
                }
                // Go converts nil to a `[]byte` parameter's nil slice (`Time.AppendFormat`).
                (Value::Nil | Value::Missing, _)
                    if values.is_empty() && sprig_date::takes_bytes(receiver, name) =>
                {
                    Value::nil_list("uint8")
                }
                (value, _) => value,
            });
        }
        values.extend(last);
        // Like Go, an error after the call is at the argument evaluated last (a chain
        // on this result reports its errors there too) unless it says otherwise.
        match ((method.call)(receiver, name, &values), args.first()) {
            (Ok(value), _) => Ok((value, false)),
            // Go rejects a method it cannot call (more than one result) before calling it.
            (Err(message), _)
                if message.starts_with("invalid function signature for ")
                    || message.ends_with("return values; should be 1 or 2") =>
            {
                Err(self.error(message))
            }
            // Go converts a piped argument before the call, where it stands.
            (Err(message), _)
                if piped_only
                    && (message.starts_with("wrong type for value; ")
                        || message.starts_with("invalid value; ")
                        || message.starts_with("dereference of nil pointer ")) =>
            {
                Err(self.error(message))
            }
            (Err(message), Some(node)) => {
                let node = node.expr;
                Err(self.call_error((At::Expr(node), node), name, explicit, &values, &message))
            }
            (Err(message), None) => Err(self.error(format!("error calling {name}: {message}"))),
        }
    }

    /// Evaluates an argument as Go does for an `interface{}` parameter.
    fn eval_arg(&mut self, dot: &Value, arg: &'t Arg<'t>) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        self.addressable = matches!(arg.kind, ArgKind::Dot) && self.dot_addressable;
        match &arg.kind {
            ArgKind::Dot => Ok(dot.clone()),
            ArgKind::Nil => Ok(Value::Nil),
            ArgKind::Field(_) => self.eval_field_node(dot, arg, std::slice::from_ref(arg), None),
            ArgKind::Variable(..) => self.eval_variable_node(dot, arg, &[], None),
            ArgKind::Pipe(pipe) => self.eval_pipeline(dot, pipe, true),
            ArgKind::Function(entry) => self.eval_function(
                dot,
                (arg, *entry),
                At::Expr(arg.expr),
                std::slice::from_ref(arg),
                None,
            ),
            ArgKind::Chain(..) => self.eval_chain_node(dot, arg, &[], None),
            ArgKind::Constant(value) => Ok(value.clone()),
            ArgKind::Overflow => Err(self.overflow(arg)),
        }
    }

    /// The arguments most calls have, read without `eval_arg`'s bookkeeping: a constant,
    /// dot, a variable, or a field chain `read_in_place` can follow. `None` for anything
    /// else, also where an error is due, which `eval_arg` then reports. The argument's
    /// addressability is not kept: a function's arguments never need it.
    #[inline(always)]
    fn read_arg(&self, dot: &Value, arg: &'t Arg<'t>) -> Option<Value> {
        let found = match &arg.kind {
            ArgKind::Constant(value) => return Some(copy(value)),
            ArgKind::Dot => return Some(dot.clone()),
            ArgKind::Variable(Slot::At(index), fields) => {
                let var = self.vars.get(self.vars_base + index)?;
                if fields.is_empty() {
                    return Some(copy(&var.value));
                }
                read_in_place(&var.value, var.addressable, var.in_interface, fields)?
            }
            ArgKind::Field(fields) => {
                read_in_place(dot, self.dot_addressable, self.dot_in_interface, fields)?
            }
            _ => return None,
        };
        let (value, _, in_interface) = found;
        Some(if in_interface {
            from_interface(value, "any")
        } else {
            value
        })
    }

    /// A call's argument for an `interface{}` parameter: read in place when `read_arg` can,
    /// evaluated otherwise.
    #[inline(always)]
    fn call_arg(&mut self, dot: &Value, arg: &'t Arg<'t>) -> Run<Value> {
        // Go's errors after a call name the node evaluated last.
        self.at(At::Expr(arg.expr));
        match self.read_arg(dot, arg) {
            Some(value) => Ok(value),
            None => self.eval_arg(dot, arg),
        }
    }

    /// Go's check of a value passed to a `string` parameter.
    fn validate_string(&self, value: Value) -> Run<Value> {
        match value {
            Value::Str(_) => Ok(value),
            Value::Missing | Value::Nil => Err(self.error("invalid value; expected string")),
            other => Err(self.error(format!(
                "wrong type for value; expected string; got {}",
                other.go_type()
            ))),
        }
    }

    /// Evaluates an argument for a `string` parameter (`printf`'s format, `eval`'s name).
    fn eval_string_arg(&mut self, dot: &Value, arg: &'t Arg<'t>) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        match &arg.kind {
            ArgKind::Constant(value @ Value::Str(_)) => Ok(value.clone()),
            ArgKind::Nil => Err(self.error("cannot assign nil to string")),
            ArgKind::Constant(_) | ArgKind::Overflow => Err(self.error(format!(
                "expected string; found {}",
                expr_string(arg.expr, &self.tree.file.text)
            ))),
            _ => {
                let value = self.eval_arg(dot, arg)?;
                self.validate_string(value)
            }
        }
    }

    /// Evaluates an argument for a `uint32` parameter (`derivePassword`'s counter) as Go's
    /// `evalUnsignedInteger`: a number constant with a non-negative integer value is
    /// converted (truncated to 32 bits, even one beyond int); any other constant is an
    /// error, and so is every other value (none is a `uint32`).
    fn eval_uint32_arg(&mut self, dot: &Value, arg: &'t Arg<'t>) -> Run<Value> {
        self.at(At::Expr(arg.expr));
        let text = || expr_string(arg.expr, &self.tree.file.text);
        let number = match &arg.kind {
            ArgKind::Constant(Value::Int(number)) => u64::try_from(*number).ok(),
            ArgKind::Constant(Value::Float(float))
                if float.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(float) =>
            {
                Some(*float as u64)
            }
            ArgKind::Constant(_) => None,
            ArgKind::Overflow => parse_uint(&text()),
            ArgKind::Nil => return Err(self.error("cannot assign nil to uint32")),
            _ => {
                return Err(match self.eval_arg(dot, arg)? {
                    Value::Nil | Value::Missing => self.error("invalid value; expected uint32"),
                    other => self.error(format!(
                        "wrong type for value; expected uint32; got {}",
                        other.go_type()
                    )),
                })
            }
        };
        match number {
            Some(number) => Ok(Value::Int(i64::from(number as u32))),
            None => Err(self.error(format!("expected unsigned integer; found {}", text()))),
        }
    }

    /// Calls a function: `callee` is its word in the command, its name and its table entry.
    fn eval_function(
        &mut self,
        dot: &Value,
        (callee, entry): (&'t Arg<'t>, Option<Entry>),
        command: At<'t>,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        let ident = callee.expr;
        self.at(At::Expr(ident));
        let explicit = args.get(1..).unwrap_or(&[]);
        let count = explicit.len() + usize::from(last.is_some());
        let Some(Entry { func, kind, arity }) = entry else {
            return Err(self.error(format!(
                "{} is not a defined function",
                quote(ident_name(ident))
            )));
        };
        if let Some(arity) = arity {
            self.check_arity(arity, explicit.len(), count, ident)?;
        }
        if kind == Kind::And || kind == Kind::Or {
            // The chosen operand keeps its addressability, as Go returns it unchanged.
            let last_addressable = self.addressable;
            let mut value = Value::Missing;
            for arg in explicit {
                value = self.eval_arg(dot, arg)?;
                if value.is_true() == (kind == Kind::Or) {
                    return Ok(value);
                }
            }
            if let Some(last) = last {
                value = last;
                self.addressable = last_addressable;
            }
            return Ok(value);
        }
        let base = self.stack.len();
        if let Err(flow) = self.eval_args(dot, explicit, last, kind) {
            self.stack.truncate(base);
            return Err(flow);
        }
        let result = match kind {
            Kind::Call => Err(match self.stack.get(base) {
                Some(Value::Nil | Value::Missing) | None => "call of nil".to_string(),
                Some(other) => {
                    let callee = match explicit.first() {
                        Some(arg) => expr_string(arg.expr, &self.tree.file.text),
                        None => match other {
                            Value::Str(text) => text.to_string(),
                            value => format!("<{} Value>", value.go_type()),
                        },
                    };
                    format!("non-function {callee} of type {}", other.go_type())
                }
            }),
            Kind::Eval => {
                let values = self.stack.split_off(base);
                let result = self.eval_template(&values);
                self.stack.extend(values);
                result
            }
            _ => func(&self.stack[base..]),
        };
        self.end_call(result, base, (command, ident), explicit)
    }

    /// After a call: its arguments dropped, its error worded as Go words it. Inline, its
    /// error out of line: as a call of its own it cost 2.7 % more instructions of the render
    /// at opt-level "z".
    #[inline(always)]
    fn end_call(
        &mut self,
        result: Result<Value, String>,
        base: usize,
        at: (At<'t>, &'t Expr),
        explicit: &'t [Arg<'t>],
    ) -> Run<Value> {
        self.addressable = false;
        let result = match result {
            Ok(value) => Ok(value),
            Err(message) => Err(self.failed_call(&message, base, at, explicit)),
        };
        self.stack.truncate(base);
        result
    }

    #[cold]
    fn failed_call(
        &mut self,
        message: &str,
        base: usize,
        at: (At<'t>, &'t Expr),
        explicit: &'t [Arg<'t>],
    ) -> Flow {
        let values = self.stack.split_off(base);
        self.call_error(at, ident_name(at.1), explicit, &values, message)
    }

    /// Go's check of a builtin's argument count (`count` includes the piped value), made
    /// before any argument is evaluated.
    #[inline(always)]
    fn check_arity(
        &self,
        (fixed, variadic): (u8, bool),
        explicit: usize,
        count: usize,
        ident: &'t Expr,
    ) -> Run<()> {
        let fixed = usize::from(fixed);
        if (variadic && count >= fixed) || (!variadic && count == fixed) {
            return Ok(());
        }
        Err(self.arity_error((fixed, variadic), explicit, count, ident))
    }

    #[cold]
    fn arity_error(
        &self,
        (fixed, variadic): (usize, bool),
        explicit: usize,
        count: usize,
        ident: &'t Expr,
    ) -> Flow {
        let name = ident_name(ident);
        self.error(if variadic {
            format!("wrong number of args for {name}: want at least {fixed} got {explicit}")
        } else {
            format!("wrong number of args for {name}: want {fixed} got {count}")
        })
    }

    /// `eval_function` for the calls most templates make: a function of the library or a
    /// builtin with Go's argument count, not one the executor runs itself, in a command.
    /// The same steps without the branches for those.
    fn eval_plain_call(
        &mut self,
        dot: &Value,
        callee: &'t Arg<'t>,
        entry: &Entry,
        command: &'t CommandNode,
        args: &'t [Arg<'t>],
        last: Option<Value>,
    ) -> Run<Value> {
        self.at(At::Expr(callee.expr));
        let explicit = args.get(1..).unwrap_or(&[]);
        if let Some(arity) = entry.arity {
            let count = explicit.len() + usize::from(last.is_some());
            self.check_arity(arity, explicit.len(), count, callee.expr)?;
        }
        let base = self.stack.len();
        // `eval_args`' loop without its cases for the first argument: sharing that function
        // cost 7 % more instructions of the whole render at opt-level "z".
        for arg in explicit {
            match self.call_arg(dot, arg) {
                Ok(value) => self.stack.push(value),
                Err(flow) => {
                    self.stack.truncate(base);
                    return Err(flow);
                }
            }
        }
        if let Some(last) = last {
            self.stack.push(last);
        }
        let result = (entry.func)(&self.stack[base..]);
        self.end_call(result, base, (At::Command(command), callee.expr), explicit)
    }

    /// Pushes a call's arguments on the stack: the explicit ones, then the piped one.
    fn eval_args(
        &mut self,
        dot: &Value,
        explicit: &'t [Arg<'t>],
        last: Option<Value>,
        kind: Kind,
    ) -> Run<()> {
        let string_first = kind == Kind::Printf || kind == Kind::Eval;
        for (index, arg) in explicit.iter().enumerate() {
            let value = if index == 0 && string_first {
                self.eval_string_arg(dot, arg)?
            } else if index == 0 && kind == Kind::Uint32First {
                self.eval_uint32_arg(dot, arg)?
            } else {
                self.call_arg(dot, arg)?
            };
            self.stack.push(value);
        }
        if let Some(last) = last {
            let last = if explicit.is_empty() && string_first {
                self.validate_string(last)?
            } else {
                last
            };
            self.stack.push(last);
        }
        Ok(())
    }

    /// The error of a failed call. A wrong argument type is reported as Go's argument
    /// conversion does it: at the node evaluated last for that argument, without "error
    /// calling", and in the parser's words for a constant.
    fn call_error(
        &mut self,
        (command, ident): (At<'t>, &'t Expr),
        name: &str,
        explicit: &'t [Arg<'t>],
        values: &[Value],
        message: &str,
    ) -> Flow {
        let conversion = message
            .strip_prefix("wrong type for value; expected ")
            .and_then(|rest| rest.split_once("; got "))
            .map(|(expected, got)| (expected, Some(got)))
            .or_else(|| {
                message
                    .strip_prefix("invalid value; expected ")
                    .map(|expected| (expected, None))
            });
        let culprit = conversion.and_then(|(_, got)| {
            explicit
                .iter()
                .zip(values)
                .position(|(_, value)| match got {
                    Some(got) => value.go_type() == got,
                    None => matches!(value, Value::Nil | Value::Missing),
                })
        });
        // Go dereferences a pointer passed to a struct parameter where the argument stands.
        if message.starts_with("dereference of nil pointer of type ") {
            let nil = values
                .iter()
                .position(|v| matches!(v, Value::NilPointer(_)));
            if let Some(arg) = nil.and_then(|index| explicit.get(index)) {
                self.at(At::Expr(last_evaluated(arg.expr)));
                return self.error(message);
            }
        }
        // Go checks the argument count at the function's name before calling it, and
        // converts a piped final value where the explicit arguments left it.
        let piped = conversion.is_some() && culprit.is_none() && values.len() > explicit.len();
        if piped || message.starts_with("wrong number of args for ") {
            self.at(match explicit.last() {
                Some(arg) if piped => At::Expr(last_evaluated(arg.expr)),
                _ => At::Expr(ident),
            });
            return self.error(message);
        }
        let (Some((expected, _)), Some(index)) = (conversion, culprit) else {
            self.at(command);
            return self.error(format!("error calling {name}: {message}"));
        };
        let arg = explicit[index].expr;
        let source = &self.tree.file.text;
        let text = expr_string(arg, source);
        let message = match arg {
            Expr::Nil(_) => format!("cannot assign nil to {expected}"),
            Expr::Bool(..) | Expr::Number(..) | Expr::String(..) => match expected {
                "string" => format!("expected string; found {text}"),
                "int" | "int64" | "int32" | "time.Duration" => {
                    format!("expected integer; found {text}")
                }
                "uint" | "uint64" | "uint32" => format!("expected unsigned integer; found {text}"),
                "bool" => format!("expected bool; found {text}"),
                "float64" | "float32" => format!("expected float; found {text}"),
                _ => format!("can't handle {text} for arg of type {expected}"),
            },
            _ => message.to_string(),
        };
        self.at(At::Expr(last_evaluated(arg)));
        self.error(message)
    }

    /// docker-gen's `eval name [data]`: executes a template of the set into a string.
    fn eval_template(&mut self, values: &[Value]) -> Result<Value, String> {
        let Some((Value::Str(name), data)) = values.split_first() else {
            return Err("missing template name".to_string());
        };
        if data.len() > 1 {
            return Err("too many arguments".to_string());
        }
        let Some(body) = self
            .program
            .index(name)
            .and_then(|index| self.program.bodies.get(index))
        else {
            return Err(format!(
                "template: no template {} associated with template {}",
                quote(name),
                quote(&self.set.owner)
            ));
        };
        if self.depth >= MAX_DEPTH {
            return Err(format!(
                "template: exceeded maximum template depth ({MAX_DEPTH})"
            ));
        }
        let dot = data.first().cloned().unwrap_or(Value::Missing);
        let mut inner = Exec::new(
            self.set,
            self.program,
            body,
            dot,
            (self.depth + 1, self.nesting),
        );
        match inner.run() {
            Ok(()) => Ok(Value::str(inner.out)),
            Err(Flow::Error(message)) => Err(format!("template: {message}")),
            Err(Flow::Break | Flow::Continue) => Ok(Value::str(inner.out)),
        }
    }
}

/// The name of a function's identifier, for errors.
fn ident_name(ident: &Expr) -> &str {
    match ident {
        Expr::Identifier(_, name) => name.as_str(),
        _ => "",
    }
}

/// `Value::clone` with strings, most arguments, copied in line.
#[inline(always)]
fn copy(value: &Value) -> Value {
    match value {
        Value::Str(text) => Value::Str(Rc::clone(text)),
        other => other.clone(),
    }
}

/// Whether a command passes arguments to its first word (`.Method a`, `x | .Method`).
#[inline(always)]
fn has_args(args: &[Arg<'_>], last: &Option<Value>) -> bool {
    args.len() > 1 || last.is_some()
}

/// The common case of a field chain without arguments, read without copying what it passes
/// through: map keys, exported struct fields, the root's `Env`, `Docker` and
/// `CurrentContainer`. Gives the value it ends in, whether that is addressable and whether
/// it was read from an `interface{}` slot, as `Exec::eval_field` does step by step; `None`
/// for anything else (methods, nil receivers, errors), which `eval_field_chain` then decides.
fn read_in_place(
    receiver: &Value,
    addressable: bool,
    in_interface: bool,
    fields: &[Field<'_>],
) -> Option<(Value, bool, bool)> {
    let Some((field, rest)) = fields.split_first() else {
        return Some((receiver.clone(), addressable, in_interface));
    };
    match receiver {
        Value::Missing => Some((Value::Missing, false, false)),
        Value::Map(map) => {
            let pairs = map.entries.borrow();
            match pairs.get_hinted(field.name, &field.hint) {
                // Whether the value sits in an `interface{}` slot matters only at the end.
                Some(value) => {
                    let in_interface = rest.is_empty() && is_interface_elem(map.elem);
                    read_in_place(value, false, in_interface, rest)
                }
                None => Some((Value::Missing, false, false)),
            }
        }
        Value::Record(record) if field.name.as_bytes().first()?.is_ascii_uppercase() => {
            let value = record.field(field.name)?;
            read_in_place(value, addressable || record.is_pointer(), false, rest)
        }
        Value::Containers(containers) => {
            let globals = &containers.globals;
            let value = match field.name {
                "Env" => &globals.env,
                "Docker" => &globals.docker,
                "CurrentContainer" => &globals.current_container,
                _ => return None,
            };
            read_in_place(value, false, false, rest)
        }
        _ => None,
    }
}

/// Go's `strconv.ParseUint(text, 0, 64)` of a number constant's text (`0x`, `0o`, `0b`
/// and `0` prefixes, `_` separators).
fn parse_uint(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase().replace('_', "");
    let (radix, digits) = match lower.as_bytes() {
        [b'0', b'x', ..] => (16, &lower[2..]),
        [b'0', b'o', ..] => (8, &lower[2..]),
        [b'0', b'b', ..] => (2, &lower[2..]),
        [b'0', _, ..] => (8, &lower[1..]),
        _ => (10, lower.as_str()),
    };
    if digits.starts_with('+') {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// The node Go evaluates last for an argument (where its conversion error is reported): the
/// argument itself, or for a parenthesised pipeline the last argument of its last command
/// (also under a chain's fields).
fn last_evaluated(expr: &Expr) -> &Expr {
    match expr {
        Expr::Pipe(_, pipe) => match pipe.commands.last().and_then(|command| command.args.last()) {
            Some(inner) => last_evaluated(inner),
            None => expr,
        },
        // Go's chain evaluates its operand and then reads fields without moving on.
        Expr::Chain(_, inner, _) => last_evaluated(inner),
        other => other,
    }
}
