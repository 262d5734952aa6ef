//! Go's `fmt` printing of template values: `{{ . }}`, `print`, `println`, `printf` and the
//! `%!verb(type=value)` error forms, byte for byte as Go prints them.
//!
//! It owns value-to-text formatting (verbs, flags, width, precision, Go's float and quoting
//! rules) and must never evaluate templates or fail: bad input becomes Go's `%!` text.

use std::rc::Rc;

use crate::template::funcs::sprig_date::{LOCATION_TYPE, ZONE_POINTER_TYPE};
use crate::template::value::{IntType, NamedInt, Record};
use crate::template::Value;

/// The bytes of a `[]byte` value (a list of `uint8` numbers).
pub fn byte_items(items: &[Value]) -> Vec<u8> {
    items
        .iter()
        .map(|item| match item {
            Value::Int(byte) => *byte as u8,
            _ => 0,
        })
        .collect()
}

/// The address Go prints for a pointer that tinygen keeps as a shared record (a
/// `*time.Location`, a location's `*time.zone`): the record's own, 0 for a nil `*time.zone`
/// (one without fields). `None` for the other records.
fn pointer_address(record: &Rc<Record>) -> Option<u64> {
    match record.type_name {
        ZONE_POINTER_TYPE if record.fields.is_empty() => Some(0),
        LOCATION_TYPE | ZONE_POINTER_TYPE => Some(Rc::as_ptr(record) as usize as u64),
        _ => None,
    }
}

/// `fmt.Sprint` of one value as an action prints it: `<no value>` for a missing value.
pub fn sprint_value(value: &Value) -> String {
    match value {
        Value::Missing => "<no value>".to_string(),
        other => sprint(std::slice::from_ref(other)),
    }
}

/// What an action (`{{ pipeline }}`) prints, like Go's `printableValue` then `fmt.Fprint`:
/// a pointer to a struct prints the struct (no `&`), and a String method with a pointer
/// receiver applies only when the value is `addressable` (a field reached through a pointer,
/// or a variable or dot holding one), never to a copy.
pub fn action_text(value: &Value, addressable: bool) -> String {
    match value {
        Value::Missing => "<no value>".to_string(),
        Value::Record(record) if addressable && record.string_needs_address() => {
            record.string_form.clone().unwrap_or_default()
        }
        other => printable_sprint(std::slice::from_ref(other)),
    }
}

/// `fmt.Sprint` of operands that went through Go's `printableValue` first (a pointer to a
/// struct prints without `&`), as text/template's `html`, `js` and `urlquery` do.
pub fn printable_sprint(values: &[Value]) -> String {
    let mut printer = Printer {
        indirect_top: true,
        ..Printer::default()
    };
    printer.sprint(values);
    printer.buf
}

/// `fmt.Sprint(values...)`: operands separated by a space when neither side is a string.
pub fn sprint(values: &[Value]) -> String {
    let mut printer = Printer::default();
    printer.sprint(values);
    printer.buf
}

impl Printer {
    fn sprint(&mut self, values: &[Value]) {
        let mut previous_string = false;
        for (index, value) in values.iter().enumerate() {
            let is_string = matches!(value, Value::Str(_));
            if index > 0 && !is_string && !previous_string {
                self.buf.push(' ');
            }
            self.print_arg(value, 'v');
            previous_string = is_string;
        }
    }
}

/// `fmt.Sprintln(values...)`: operands always separated by a space, then a newline.
pub fn sprintln(values: &[Value]) -> String {
    let mut printer = Printer::default();
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            printer.buf.push(' ');
        }
        printer.print_arg(value, 'v');
    }
    printer.buf.push('\n');
    printer.buf
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut printer = Printer::default();
    // Sized for the common case, strings put in a format, so the buffer grows at most once
    // more: growing it step by step cost more than the formatting.
    let strings: usize = args
        .iter()
        .map(|arg| match arg {
            Value::Str(text) => text.len(),
            _ => 8,
        })
        .sum();
    printer.buf.reserve(format.len() + strings);
    printer.do_printf(format, args);
    printer.buf
}

/// `strconv.Quote`: a double-quoted Go string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    append_quoted(&mut out, text, '"', false);
    out
}

/// Go's `unicode.IsPrint`, approximated without Unicode tables: graphic characters and the
/// ASCII space; controls, other spaces, format characters and private use are not printable.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// Formats a float like `strconv.FormatFloat(value, format, precision, 64)`; a negative
/// precision asks for the shortest representation that reads back the same.
pub fn format_float(value: f64, format: char, precision: i64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let negative = value.is_sign_negative();
    let magnitude = value.abs();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if matches!(format, 'x' | 'X' | 'b') {
        binary_float(&mut out, magnitude, format, precision);
        return out;
    }
    match format {
        'f' | 'F' if precision >= 0 => {
            out.push_str(&format!("{:.*}", precision as usize, magnitude));
        }
        'e' | 'E' if precision >= 0 => {
            let text = format!("{:.*e}", precision as usize, magnitude);
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            out.push_str(mantissa);
            push_exponent(&mut out, format, exponent.parse().unwrap_or(0));
        }
        _ => {
            let shortest = precision < 0;
            let (digits, point) = if shortest {
                decimal_digits(&format!("{magnitude:e}"))
            } else {
                let significant = match format {
                    'g' | 'G' => precision.max(1),
                    _ => precision + 1,
                };
                let text = format!("{:.*e}", (significant - 1) as usize, magnitude);
                decimal_digits(&text)
            };
            let count = digits.len() as i64;
            match format {
                'e' | 'E' => fmt_e(&mut out, &digits, point, count - 1, format),
                'f' | 'F' => fmt_f(&mut out, &digits, point, (count - point).max(0)),
                _ => {
                    let mut precision = if shortest { count } else { precision.max(1) };
                    let mut exponent_precision = precision;
                    if exponent_precision > count && count >= point {
                        exponent_precision = count;
                    }
                    if shortest {
                        exponent_precision = 6;
                    }
                    let exponent = point - 1;
                    let letter = if format == 'G' { 'E' } else { 'e' };
                    if exponent < -4 || exponent >= exponent_precision {
                        if precision > count {
                            precision = count;
                        }
                        fmt_e(&mut out, &digits, point, precision - 1, letter);
                    } else {
                        if precision > point {
                            precision = count;
                        }
                        fmt_f(&mut out, &digits, point, (precision - point).max(0));
                    }
                }
            }
        }
    }
    out
}

/// strconv's `%b` (`7881299347898368p-51`) and `%x`/`%X` (`0x1.cp+01`) forms of a
/// non-negative finite float, precision counting hex digits after the point.
fn binary_float(out: &mut String, magnitude: f64, format: char, precision: i64) {
    const MANT_BITS: u32 = 52;
    let bits = magnitude.to_bits();
    let mut exponent = ((bits >> MANT_BITS) & 0x7ff) as i64;
    let mut mantissa = bits & ((1u64 << MANT_BITS) - 1);
    if exponent == 0 {
        exponent += 1;
    } else {
        mantissa |= 1u64 << MANT_BITS;
    }
    exponent -= 1023;
    if format == 'b' {
        let exponent = exponent - i64::from(MANT_BITS);
        out.push_str(&format!(
            "{mantissa}p{}{exponent}",
            if exponent >= 0 { "+" } else { "" }
        ));
        return;
    }
    if mantissa == 0 {
        exponent = 0;
    }
    mantissa <<= 60 - MANT_BITS;
    while mantissa != 0 && mantissa & (1 << 60) == 0 {
        mantissa <<= 1;
        exponent -= 1;
    }
    if (0..15).contains(&precision) {
        let shift = (precision * 4) as u32;
        let extra = (mantissa << shift) & ((1u64 << 60) - 1);
        mantissa >>= 60 - shift;
        if extra | (mantissa & 1) > 1 << 59 {
            mantissa += 1;
        }
        mantissa <<= 60 - shift;
        if mantissa & (1 << 61) != 0 {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    let digits: &[u8] = if format == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push('0');
    out.push(format);
    out.push(char::from(b'0' + ((mantissa >> 60) & 1) as u8));
    mantissa <<= 4;
    let hex_digit = |mantissa: u64| char::from(digits[((mantissa >> 60) & 15) as usize]);
    if precision < 0 && mantissa != 0 {
        out.push('.');
        while mantissa != 0 {
            out.push(hex_digit(mantissa));
            mantissa <<= 4;
        }
    } else if precision > 0 {
        out.push('.');
        for _ in 0..precision {
            out.push(hex_digit(mantissa));
            mantissa <<= 4;
        }
    }
    out.push(if format == 'X' { 'P' } else { 'p' });
    out.push(if exponent < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exponent.abs()));
}

/// Splits Rust's `{:e}` form (`1.25e-7`) into significant digits without trailing zeros
/// and the decimal point position (`dp` in Go's decimal type).
fn decimal_digits(text: &str) -> (Vec<u8>, i64) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (digits, 0);
    }
    (digits, exponent + 1)
}

fn push_exponent(out: &mut String, letter: char, exponent: i64) {
    out.push(if letter.is_ascii_uppercase() {
        'E'
    } else {
        'e'
    });
    out.push(if exponent < 0 { '-' } else { '+' });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 {
        out.push('0');
    }
    out.push_str(&magnitude.to_string());
}

/// Go's `%e` layout: `d.ddddde±dd`.
fn fmt_e(out: &mut String, digits: &[u8], point: i64, precision: i64, letter: char) {
    out.push(digits.first().map_or('0', |digit| *digit as char));
    if precision > 0 {
        out.push('.');
        for index in 1..=precision as usize {
            out.push(digits.get(index).map_or('0', |digit| *digit as char));
        }
    }
    let exponent = if digits.is_empty() { 0 } else { point - 1 };
    push_exponent(out, letter, exponent);
}

/// Go's `%f` layout: `ddd.ddd`.
fn fmt_f(out: &mut String, digits: &[u8], point: i64, precision: i64) {
    if point > 0 {
        for index in 0..point as usize {
            out.push(digits.get(index).map_or('0', |digit| *digit as char));
        }
    } else {
        out.push('0');
    }
    if precision > 0 {
        out.push('.');
        for index in 1..=precision {
            let position = point + index - 1;
            let digit = if position >= 0 {
                digits.get(position as usize)
            } else {
                None
            };
            out.push(digit.map_or('0', |digit| *digit as char));
        }
    }
}

fn append_quoted(out: &mut String, text: &str, quote: char, ascii_only: bool) {
    out.push(quote);
    for c in text.chars() {
        append_escaped(out, c, quote, ascii_only);
    }
    out.push(quote);
}

fn append_escaped(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        _ if c < ' ' || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        _ if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        _ => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

fn can_backquote(text: &str) -> bool {
    text.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !c.is_control()))
}

/// Go's `tooLarge`: widths and precisions beyond a million are refused.
fn too_large(number: i64) -> bool {
    !(-1_000_000..=1_000_000).contains(&number)
}

#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    flags: Flags,
    erroring: bool,
    reordered: bool,
    good_arg_num: bool,
    /// Print a top-level pointer to a struct as the struct (Go's `printableValue`).
    indirect_top: bool,
}

impl Printer {
    fn write_padding(&mut self, count: usize) {
        let pad = if self.flags.zero && !self.flags.minus {
            '0'
        } else {
            ' '
        };
        self.buf.extend(std::iter::repeat_n(pad, count));
    }

    /// Appends `text` padded to the width, on the left unless `-` was given.
    fn pad(&mut self, text: &str) {
        let Some(width) = self.flags.width.filter(|width| *width > 0) else {
            self.buf.push_str(text);
            return;
        };
        let padding = width.saturating_sub(text.chars().count());
        if self.flags.minus {
            self.buf.push_str(text);
            self.write_padding(padding);
        } else {
            self.write_padding(padding);
            self.buf.push_str(text);
        }
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        if matches!(arg, Value::Nil | Value::Missing) {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, None),
            }
            return;
        }
        match verb {
            'T' => {
                let type_name = arg.go_type();
                self.fmt_s(&type_name);
                return;
            }
            'p' => {
                let address = match arg {
                    Value::Record(record) => pointer_address(record),
                    Value::NilPointer(_) => Some(0),
                    _ => None,
                };
                match address {
                    Some(address) => self.fmt_pointer(arg, address, verb),
                    None => self.bad_verb(verb, Some(arg)),
                }
                return;
            }
            _ => {}
        }
        match arg {
            Value::Bool(flag) => self.fmt_bool(*flag, verb),
            Value::Int(number) => self.fmt_integer(*number, verb),
            Value::Float(number) => self.fmt_float(*number, verb),
            Value::Str(text) => self.fmt_string(text, verb),
            other => {
                if !self.handle_methods(other, verb) {
                    self.print_value(other, verb, 0);
                }
            }
        }
    }

    /// Uses a value's String method for the verbs that print strings.
    fn handle_methods(&mut self, value: &Value, verb: char) -> bool {
        if self.erroring || self.flags.sharp_v || !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        // A String method with a pointer receiver never applies here: fmt gets a copy.
        let form = match value {
            Value::Record(record) if record.string_needs_address() => return false,
            Value::Record(record) => match &record.string_form {
                Some(form) => form.clone(),
                None => return false,
            },
            Value::Time(time) => time.display.clone(),
            Value::Named(named) => match named.text() {
                Some(text) => text,
                None => return false,
            },
            _ => return false,
        };
        self.fmt_string(&form, verb);
        true
    }

    fn print_value(&mut self, value: &Value, verb: char, depth: usize) {
        if depth > 0 && self.handle_methods(value, verb) {
            return;
        }
        if let Value::Record(record) = value {
            match pointer_address(record) {
                Some(address) if depth > 0 || address == 0 => {
                    return self.fmt_pointer(value, address, verb);
                }
                _ => {}
            }
        }
        if self.flags.sharp_v && verb == 'v' && !self.erroring && self.go_syntax(value, depth) {
            return;
        }
        match value {
            Value::Nil | Value::Missing => {
                if depth == 0 {
                    self.buf.push_str("<invalid reflect.Value>");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            Value::NilPointer(_) => self.fmt_pointer(value, 0, verb),
            Value::Bool(flag) => self.fmt_bool(*flag, verb),
            Value::Int(number) => self.fmt_integer(*number, verb),
            Value::Named(named) => self.fmt_named(named, verb, value),
            Value::Float(number) => self.fmt_float(*number, verb),
            Value::Str(text) => self.fmt_string(text, verb),
            Value::Map(map) => {
                self.buf.push_str("map[");
                for (index, (key, item)) in map.entries.snapshot().iter().enumerate() {
                    if index > 0 {
                        self.buf.push(' ');
                    }
                    self.fmt_string(key, verb);
                    self.buf.push(':');
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(']');
            }
            Value::Record(record) => {
                // A pointer to a struct operand prints as `&{...}`; nested pointers would
                // print as addresses, which tinygen replaces with the struct (but for
                // locations, see `pointer_address`).
                let pointer = record.is_pointer() || record.type_name == ZONE_POINTER_TYPE;
                if depth == 0 && pointer && !self.indirect_top {
                    self.buf.push('&');
                }
                self.buf.push('{');
                for (index, (name, item)) in record.fields.iter().enumerate() {
                    if index > 0 {
                        self.buf.push(' ');
                    }
                    if self.flags.plus_v || self.flags.sharp_v {
                        self.buf.push_str(name);
                        self.buf.push(':');
                    }
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push('}');
            }
            // A `[]byte` prints as text for the string verbs (Go's `fmtBytes`).
            Value::List(list) if list.elem == "uint8" && matches!(verb, 's' | 'q' | 'x' | 'X') => {
                let bytes = byte_items(&list.items);
                match verb {
                    's' => self.fmt_s(&String::from_utf8_lossy(&bytes)),
                    'q' => self.fmt_q(&String::from_utf8_lossy(&bytes)),
                    _ => self.fmt_sx(&bytes, verb == 'X'),
                }
            }
            Value::List(list) => self.print_items(&list.items, verb, depth),
            // docker-gen's root is a pointer to a slice of pointers; Go would print the
            // element addresses, which no template can rely on. tinygen prints the structs.
            Value::Containers(containers) => self.print_items(&containers.items, verb, depth),
            Value::Time(time) => {
                let display = time.display.clone();
                if verb == 'v' {
                    self.fmt_s(&display);
                } else {
                    self.bad_verb(verb, Some(value));
                }
            }
        }
    }

    /// `%#v` of a composite value or time in Go syntax (`[]string{"a", "b"}`,
    /// `map[string]interface {}{"a":1}`, `context.Network{Name:"n"}`), written as Go's
    /// `printValue` does: the elements are printed with the same flags, so `%#08v` pads each
    /// scalar. False for scalars, which the ordinary verbs print.
    fn go_syntax(&mut self, value: &Value, depth: usize) -> bool {
        match value {
            // A `[]byte` operand is `[]byte{0x32, ...}`, one inside a composite `[]uint8{...}`.
            Value::List(list) if list.elem == "uint8" => {
                self.buf
                    .push_str(if depth == 0 { "[]byte" } else { "[]uint8" });
                if list.is_nil {
                    self.buf.push_str("(nil)");
                    return true;
                }
                self.buf.push('{');
                for (index, item) in list.items.iter().enumerate() {
                    if index > 0 {
                        self.buf.push_str(", ");
                    }
                    match item {
                        Value::Int(byte) => self.fmt_0x64(*byte, true),
                        other => self.print_value(other, 'v', depth + 1),
                    }
                }
                self.buf.push('}');
            }
            Value::List(list) if list.is_nil => {
                self.buf.push_str(&format!("{}(nil)", value.go_type()));
            }
            Value::Map(map) if map.is_nil => {
                self.buf.push_str(&format!("{}(nil)", value.go_type()));
            }
            Value::List(list) => {
                self.buf.push_str(&value.go_type());
                self.go_syntax_items(&list.items, depth);
            }
            Value::Containers(containers) => {
                self.buf.push_str("[]*context.RuntimeContainer");
                self.go_syntax_items(&containers.items, depth);
            }
            Value::Map(map) => {
                self.buf.push_str(&value.go_type());
                self.buf.push('{');
                for (index, (key, item)) in map.entries.snapshot().iter().enumerate() {
                    if index > 0 {
                        self.buf.push_str(", ");
                    }
                    self.fmt_string(key, 'v');
                    self.buf.push(':');
                    self.go_syntax_item(item, depth);
                }
                self.buf.push('}');
            }
            Value::Record(record) => {
                let type_name = value.go_type();
                if record.is_pointer() {
                    self.buf.push('&');
                }
                self.buf.push_str(type_name.trim_start_matches('*'));
                self.buf.push('{');
                for (index, (name, item)) in record.fields.iter().enumerate() {
                    if index > 0 {
                        self.buf.push_str(", ");
                    }
                    self.buf.push_str(name);
                    self.buf.push(':');
                    self.go_syntax_item(item, depth);
                }
                self.buf.push('}');
            }
            // Its GoString method, padded like a string.
            Value::Time(time) => self.fmt_s(&crate::template::funcs::sprig_date::go_string(time)),
            Value::Nil | Value::Missing if depth > 0 => self.buf.push_str("interface {}(nil)"),
            _ => return false,
        }
        true
    }

    /// Go's `fmtPointer`: a pointer inside a composite (or a nil one) prints as its address.
    fn fmt_pointer(&mut self, value: &Value, address: u64, verb: char) {
        let address = address as i64;
        match verb {
            'v' if self.flags.sharp_v => {
                self.buf.push('(');
                self.buf.push_str(&value.go_type());
                self.buf.push_str(")(");
                if address == 0 {
                    self.buf.push_str("nil");
                } else {
                    self.fmt_0x64(address, true);
                }
                self.buf.push(')');
            }
            'v' if address == 0 => self.pad("<nil>"),
            'v' | 'p' => self.fmt_0x64(address, !self.flags.sharp),
            'b' => self.integer(address, 2, verb, false),
            'o' => self.integer(address, 8, verb, false),
            'd' => self.integer(address, 10, verb, false),
            'x' | 'X' => self.integer(address, 16, verb, verb == 'X'),
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `fmt0x64`: hex digits, with `0x` in front when asked.
    fn fmt_0x64(&mut self, number: i64, leading_0x: bool) {
        let sharp = self.flags.sharp;
        self.flags.sharp = leading_0x;
        self.integer(number, 16, 'v', false);
        self.flags.sharp = sharp;
    }

    fn go_syntax_items(&mut self, items: &[Value], depth: usize) {
        self.buf.push('{');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.buf.push_str(", ");
            }
            self.go_syntax_item(item, depth);
        }
        self.buf.push('}');
    }

    /// An element in Go syntax: nil (in an `interface{}` slot) is `interface {}(nil)`.
    fn go_syntax_item(&mut self, item: &Value, depth: usize) {
        match item {
            Value::Nil | Value::Missing => self.buf.push_str("interface {}(nil)"),
            other => self.print_value(other, 'v', depth + 1),
        }
    }

    fn print_items(&mut self, items: &[Value], verb: char, depth: usize) {
        self.buf.push('[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.buf.push(' ');
            }
            self.print_value(item, verb, depth + 1);
        }
        self.buf.push(']');
    }

    fn bad_verb(&mut self, verb: char, value: Option<&Value>) {
        self.erroring = true;
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match value {
            Some(value) if !matches!(value, Value::Nil | Value::Missing) => {
                self.buf.push_str(&value.go_type());
                self.buf.push('=');
                match value {
                    Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => {
                        self.print_arg(value, 'v')
                    }
                    other => self.print_value(other, 'v', 0),
                }
            }
            _ => self.buf.push_str("<nil>"),
        }
        self.buf.push(')');
        self.erroring = false;
    }

    fn fmt_bool(&mut self, flag: bool, verb: char) {
        match verb {
            't' | 'v' => self.pad(if flag { "true" } else { "false" }),
            _ => self.bad_verb(verb, Some(&Value::Bool(flag))),
        }
    }

    /// A named integer (`time.Month`) with a verb its String method did not take: the
    /// integer verbs print the number, others are bad verbs naming the type.
    fn fmt_named(&mut self, named: &NamedInt, verb: char, value: &Value) {
        let number = named.number;
        // Go prints an unsigned integer in Go syntax as hex.
        if verb == 'v' && self.flags.sharp_v && named.of == IntType::Uint64 {
            self.pad(&format!("0x{number:x}"));
            return;
        }
        match verb {
            'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U' => {
                self.fmt_integer(number, verb)
            }
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    fn fmt_integer(&mut self, number: i64, verb: char) {
        match verb {
            'v' | 'd' => self.integer(number, 10, verb, false),
            'b' => self.integer(number, 2, verb, false),
            'o' | 'O' => self.integer(number, 8, verb, false),
            'x' => self.integer(number, 16, verb, false),
            'X' => self.integer(number, 16, verb, true),
            'c' => {
                let c = char_of(number);
                self.pad(c.encode_utf8(&mut [0; 4]));
            }
            'q' => {
                let mut text = String::new();
                append_quoted(
                    &mut text,
                    char_of(number).encode_utf8(&mut [0; 4]),
                    '\'',
                    self.flags.plus,
                );
                self.pad(&text);
            }
            'U' => self.unicode(number),
            _ => self.bad_verb(verb, Some(&Value::Int(number))),
        }
    }

    /// Go's `fmtInteger`: precision and zero padding as leading zeros, `#` prefixes, sign.
    fn integer(&mut self, number: i64, base: u32, verb: char, upper: bool) {
        let negative = number < 0;
        let magnitude = number.unsigned_abs();
        let mut precision: i64 = 0;
        if let Some(wanted) = self.flags.precision {
            precision = wanted as i64;
            if precision == 0 && magnitude == 0 {
                let zero = self.flags.zero;
                self.flags.zero = false;
                let width = self.flags.width.unwrap_or(0);
                self.write_padding(width);
                self.flags.zero = zero;
                return;
            }
        } else if let Some(width) = self
            .flags
            .width
            .filter(|_| self.flags.zero && !self.flags.minus)
        {
            precision = width as i64;
            if negative || self.flags.plus || self.flags.space {
                precision -= 1;
            }
        }
        let mut digits = match base {
            2 => format!("{magnitude:b}"),
            8 => format!("{magnitude:o}"),
            16 if upper => format!("{magnitude:X}"),
            16 => format!("{magnitude:x}"),
            _ => magnitude.to_string(),
        };
        let missing = precision - digits.len() as i64;
        if missing > 0 {
            digits.insert_str(0, &"0".repeat(missing as usize));
        }
        let mut prefix = String::new();
        if self.flags.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            // Go writes `0o` in front of `#`'s leading zero (`%#O` of 11 is `0o013`).
            prefix.insert_str(0, "0o");
        }
        let sign = if negative {
            "-"
        } else if self.flags.plus {
            "+"
        } else if self.flags.space {
            " "
        } else {
            ""
        };
        let text = format!("{sign}{prefix}{digits}");
        let zero = self.flags.zero;
        self.flags.zero = false;
        self.pad(&text);
        self.flags.zero = zero;
    }

    fn unicode(&mut self, number: i64) {
        let precision = self
            .flags
            .precision
            .filter(|precision| *precision > 4)
            .unwrap_or(4);
        let mut text = format!("U+{:0width$X}", number as u64, width = precision);
        if self.flags.sharp {
            if let Some(c) = u32::try_from(number)
                .ok()
                .and_then(char::from_u32)
                .filter(|c| is_print(*c))
            {
                text.push_str(&format!(" '{c}'"));
            }
        }
        let zero = self.flags.zero;
        self.flags.zero = false;
        self.pad(&text);
        self.flags.zero = zero;
    }

    fn fmt_float(&mut self, number: f64, verb: char) {
        match verb {
            'v' => self.float(number, 'g', -1),
            'g' | 'G' | 'x' | 'X' | 'b' => self.float(number, verb, -1),
            'f' | 'F' | 'e' | 'E' => self.float(number, verb, 6),
            _ => self.bad_verb(verb, Some(&Value::Float(number))),
        }
    }

    /// Go's `fmt.fmtFloat`: sign handling, `#` trailing zeros, zero padding after the sign.
    fn float(&mut self, number: f64, verb: char, default_precision: i64) {
        let precision = self
            .flags
            .precision
            .map_or(default_precision, |precision| precision as i64);
        let body = format_float(number, verb, precision);
        let mut num: Vec<char> = if body.starts_with(['-', '+']) {
            body.chars().collect()
        } else {
            std::iter::once('+').chain(body.chars()).collect()
        };
        if self.flags.space && num[0] == '+' && !self.flags.plus {
            num[0] = ' ';
        }
        if num.get(1).is_some_and(|c| *c == 'I' || *c == 'N') {
            let zero = self.flags.zero;
            self.flags.zero = false;
            if num[1] == 'N' && !self.flags.space && !self.flags.plus {
                num.remove(0);
            }
            let text: String = num.into_iter().collect();
            self.pad(&text);
            self.flags.zero = zero;
            return;
        }
        if self.flags.sharp && verb != 'b' {
            let mut digits: i64 = match verb {
                'v' | 'g' | 'G' | 'x' => {
                    if precision == -1 {
                        6
                    } else {
                        precision
                    }
                }
                _ => 0,
            };
            let mut tail = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut index = 1;
            while index < num.len() {
                match num[index] {
                    '.' => has_point = true,
                    'p' | 'P' => {
                        tail = num.split_off(index);
                        break;
                    }
                    'e' | 'E' if !matches!(verb, 'x' | 'X') => {
                        tail = num.split_off(index);
                        break;
                    }
                    digit => {
                        if digit != '0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                index += 1;
            }
            if !has_point {
                if num.len() == 2 && num[1] == '0' {
                    digits -= 1;
                }
                num.push('.');
            }
            while digits > 0 {
                num.push('0');
                digits -= 1;
            }
            num.extend(tail);
        }
        let text: String = num.iter().collect();
        if self.flags.plus || num[0] != '+' {
            if let Some(width) = self
                .flags
                .width
                .filter(|width| self.flags.zero && !self.flags.minus && *width > num.len())
            {
                self.buf.push(num[0]);
                self.write_padding(width - num.len());
                self.buf.push_str(&text[num[0].len_utf8()..]);
                return;
            }
            self.pad(&text);
            return;
        }
        self.pad(&text[1..]);
    }

    fn fmt_string(&mut self, text: &str, verb: char) {
        match verb {
            'v' if self.flags.sharp_v => self.fmt_q(text),
            'v' | 's' => self.fmt_s(text),
            'x' => self.fmt_sx(text.as_bytes(), false),
            'X' => self.fmt_sx(text.as_bytes(), true),
            'q' => self.fmt_q(text),
            _ => self.bad_verb(verb, Some(&Value::str(text))),
        }
    }

    fn truncate<'a>(&self, text: &'a str) -> &'a str {
        match self.flags.precision {
            Some(precision) => match text.char_indices().nth(precision) {
                Some((index, _)) => &text[..index],
                None => text,
            },
            None => text,
        }
    }

    fn fmt_s(&mut self, text: &str) {
        let text = self.truncate(text);
        self.pad(text);
    }

    fn fmt_q(&mut self, text: &str) {
        let text = self.truncate(text);
        if self.flags.sharp && can_backquote(text) {
            self.pad(&format!("`{text}`"));
            return;
        }
        let mut quoted = String::new();
        append_quoted(&mut quoted, text, '"', self.flags.plus);
        self.pad(&quoted);
    }

    fn fmt_sx(&mut self, bytes: &[u8], upper: bool) {
        let length = self
            .flags
            .precision
            .map_or(bytes.len(), |precision| precision.min(bytes.len()));
        let mut width = 2 * length;
        if width == 0 {
            if let Some(width) = self.flags.width {
                self.write_padding(width);
            }
            return;
        }
        if self.flags.space {
            if self.flags.sharp {
                width *= 2;
            }
            width += length - 1;
        } else if self.flags.sharp {
            width += 2;
        }
        let padding = self
            .flags
            .width
            .map_or(0, |wanted| wanted.saturating_sub(width));
        if !self.flags.minus {
            self.write_padding(padding);
        }
        let prefix = if upper { "0X" } else { "0x" };
        if self.flags.sharp {
            self.buf.push_str(prefix);
        }
        for (index, byte) in bytes[..length].iter().enumerate() {
            if self.flags.space && index > 0 {
                self.buf.push(' ');
                if self.flags.sharp {
                    self.buf.push_str(prefix);
                }
            }
            if upper {
                self.buf.push_str(&format!("{byte:02X}"));
            } else {
                self.buf.push_str(&format!("{byte:02x}"));
            }
        }
        if self.flags.minus {
            self.write_padding(padding);
        }
    }

    /// Go's `argNumber`: an explicit `[n]` argument index.
    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        index: usize,
        count: usize,
    ) -> (usize, usize, bool) {
        if format.get(index) != Some(&b'[') {
            return (arg_num, index, false);
        }
        self.reordered = true;
        let rest = &format[index..];
        let mut parsed = None;
        let mut width = 1;
        if rest.len() >= 3 {
            if let Some(close) = rest
                .iter()
                .skip(1)
                .position(|byte| *byte == b']')
                .map(|at| at + 1)
            {
                width = close + 1;
                let inner = &rest[1..close];
                parsed = Some(
                    if !inner.is_empty() && inner.iter().all(u8::is_ascii_digit) && inner.len() < 8
                    {
                        std::str::from_utf8(inner)
                            .ok()
                            .and_then(|text| text.parse::<usize>().ok())
                    } else {
                        None
                    },
                );
            }
        }
        match parsed {
            Some(Some(number)) if number >= 1 && number - 1 < count => {
                (number - 1, index + width, true)
            }
            Some(found) => {
                self.good_arg_num = false;
                (arg_num, index + width, found.is_some())
            }
            None => {
                self.good_arg_num = false;
                (arg_num, index + width, false)
            }
        }
    }

    fn int_from_arg(args: &[Value], arg_num: usize) -> (Option<i64>, usize) {
        match args.get(arg_num) {
            Some(value) => {
                let number = match value {
                    Value::Int(number) if !too_large(*number) => Some(*number),
                    // Go takes any integer kind by reflection (`time.Month`, `int64`).
                    Value::Named(named) if !too_large(named.number) => Some(named.number),
                    _ => None,
                };
                (number, arg_num + 1)
            }
            None => (None, arg_num),
        }
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let bytes = format.as_bytes();
        let end = bytes.len();
        let mut arg_num = 0;
        let mut after_index;
        self.reordered = false;
        let mut i = 0;
        while i < end {
            self.good_arg_num = true;
            let last = i;
            while i < end && bytes[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            // The common case, a plain `%s` or `%v` of a string, is the string itself.
            if let (Some(b's' | b'v'), Some(Value::Str(text))) = (bytes.get(i), args.get(arg_num)) {
                self.buf.push_str(text);
                arg_num += 1;
                i += 1;
                continue;
            }
            self.flags = Flags::default();
            while i < end {
                match bytes[i] {
                    b'#' => self.flags.sharp = true,
                    b'0' => self.flags.zero = !self.flags.minus,
                    b'+' => self.flags.plus = true,
                    b'-' => {
                        self.flags.minus = true;
                        self.flags.zero = false;
                    }
                    b' ' => self.flags.space = true,
                    _ => break,
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(arg_num, bytes, i, args.len());
            if i < end && bytes[i] == b'*' {
                i += 1;
                let (width, next) = Self::int_from_arg(args, arg_num);
                arg_num = next;
                match width {
                    Some(width) => {
                        if width < 0 {
                            self.flags.minus = true;
                            self.flags.zero = false;
                        }
                        self.flags.width = Some(width.unsigned_abs() as usize);
                    }
                    None => {
                        self.flags.width = None;
                        self.buf.push_str("%!(BADWIDTH)");
                    }
                }
                after_index = false;
            } else {
                let (width, next) = parse_number(bytes, i);
                self.flags.width = width;
                i = next;
                if after_index && width.is_some() {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && bytes[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, bytes, i, args.len());
                if i < end && bytes[i] == b'*' {
                    i += 1;
                    let (precision, next) = Self::int_from_arg(args, arg_num);
                    arg_num = next;
                    match precision {
                        Some(precision) if precision >= 0 => {
                            self.flags.precision = Some(precision as usize)
                        }
                        _ => {
                            self.flags.precision = None;
                            self.buf.push_str("%!(BADPREC)");
                        }
                    }
                    after_index = false;
                } else {
                    let (precision, next) = parse_number(bytes, i);
                    self.flags.precision = Some(precision.unwrap_or(0));
                    i = next;
                }
            }
            if !after_index {
                (arg_num, i, after_index) = self.arg_number(arg_num, bytes, i, args.len());
            }
            let _ = after_index;
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('%');
            i += verb.len_utf8();
            if verb == '%' {
                self.buf.push('%');
            } else if !self.good_arg_num {
                self.buf.push_str(&format!("%!{verb}(BADINDEX)"));
            } else if arg_num >= args.len() {
                self.buf.push_str(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' {
                    self.flags.sharp_v = self.flags.sharp;
                    self.flags.sharp = false;
                    self.flags.plus_v = self.flags.plus;
                    self.flags.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.flags = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (index, arg) in args[arg_num..].iter().enumerate() {
                if index > 0 {
                    self.buf.push_str(", ");
                }
                if matches!(arg, Value::Nil | Value::Missing) {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(&arg.go_type());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

/// Go's `parsenum`: a decimal number at `start`, with its end.
fn parse_number(bytes: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut number: i64 = 0;
    let mut found = false;
    let mut index = start;
    while index < bytes.len() && bytes[index].is_ascii_digit() {
        if too_large(number) {
            return (None, bytes.len());
        }
        number = number * 10 + i64::from(bytes[index] - b'0');
        found = true;
        index += 1;
    }
    (found.then_some(number as usize), index)
}

fn char_of(number: i64) -> char {
    u32::try_from(number)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        let cases = [
            (1e21, "1e+21"),
            (0.5, "0.5"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789.0, "1.23456789e+08"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (3.0, "3"),
        ];
        for (number, expected) in cases {
            assert_eq!(sprint_value(&Value::Float(number)), expected, "{number}");
        }
    }

    #[test]
    fn printf_verbs() {
        let s = |text: &str| Value::str(text);
        assert_eq!(
            sprintf(
                "%5.2f|%-5d|%05d|%x",
                &[
                    Value::Float(1.23456),
                    Value::Int(42),
                    Value::Int(-42),
                    Value::Int(255)
                ]
            ),
            " 1.23|42   |-0042|ff"
        );
        assert_eq!(
            sprintf("%q %v %s", &[s("a\"b"), Value::Bool(true), s("x")]),
            "\"a\\\"b\" true x"
        );
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%s %s", &[s("x")]), "x %!s(MISSING)");
        assert_eq!(sprintf("%s", &[s("x"), Value::Int(1)]), "x%!(EXTRA int=1)");
        assert_eq!(
            sprintf(
                "%.*s|%-*d|",
                &[Value::Int(2), s("abcdef"), Value::Int(4), Value::Int(7)]
            ),
            "ab|7   |"
        );
        assert_eq!(
            sprintf(
                "%e %E %g %.3g",
                &[
                    Value::Float(1234.5678),
                    Value::Float(0.000123),
                    Value::Float(1e-7),
                    Value::Float(1234.5678)
                ]
            ),
            "1.234568e+03 1.230000E-04 1e-07 1.23e+03"
        );
        assert_eq!(
            sprintf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]),
            "2 1"
        );
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(
            sprintf("%v %d", &[Value::Nil, Value::Missing]),
            "<nil> %!d(<nil>)"
        );
        assert_eq!(
            sprintf(
                "%c%c %U",
                &[Value::Int(72), Value::Int(0x263A), Value::Int(0x263A)]
            ),
            "H☺ U+263A"
        );
        assert_eq!(
            sprintf("%x % X %#x", &[s("hi"), s("hi"), s("hi")]),
            "6869 68 69 0x6869"
        );
        assert_eq!(
            sprintf(
                "%+d %+.1f % d %08.3f",
                &[
                    Value::Int(5),
                    Value::Float(2.0),
                    Value::Int(5),
                    Value::Float(-2.5)
                ]
            ),
            "+5 +2.0  5 -002.500"
        );
        assert_eq!(
            sprintf("%t %v", &[Value::Bool(false), Value::Float(2.5)]),
            "false 2.5"
        );
        assert_eq!(
            sprintf(
                "%6.2v|%-8q|%T",
                &[Value::Float(1.23456), s("a"), Value::Int(1)]
            ),
            "   1.2|\"a\"     |int"
        );
    }

    #[test]
    fn composites_print_like_go() {
        let list = Value::string_list(["a", "b"]);
        assert_eq!(sprint_value(&list), "[a b]");
        let map = Value::string_map([
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ]);
        assert_eq!(sprint_value(&map), "map[a:1 b:2]");
        let record = Value::record(
            "Network",
            vec![("Name", Value::str("n")), ("Port", Value::Int(80))],
        );
        assert_eq!(sprint_value(&record), "{n 80}");
        assert_eq!(sprintf("%+v", &[record]), "{Name:n Port:80}");
        assert_eq!(sprintf("%q", &[list]), "[\"a\" \"b\"]");
        assert_eq!(
            sprint(&[Value::Int(1), Value::Int(2), Value::str("x"), Value::Int(3)]),
            "1 2x3"
        );
        assert_eq!(sprintln(&[Value::Int(1), Value::str("x")]), "1 x\n");
        assert_eq!(sprint_value(&Value::Missing), "<no value>");
        assert_eq!(sprint_value(&Value::Nil), "<nil>");
        assert_eq!(sprint_value(&Value::nil_list("string")), "[]");
        assert_eq!(sprint_value(&Value::nil_map("string")), "map[]");
    }
}
