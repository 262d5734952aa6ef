//! sprig's number functions: integer arithmetic over `cast.ToInt64` (wrapping like Go's
//! int64), the float functions `addf subf mulf divf` over exact decimals (shopspring/decimal:
//! `addf 0.1 0.2` is 0.3), and conversions (`atoi int int64 float64 toDecimal seq`).
//! Division by zero is an error, as Go's runtime panic is.

use crate::template::funcs::args::{self, arity, arity_min, FuncResult};
use crate::template::funcs::sprig_lists::untils;
use crate::template::Value;

fn int_fold(values: &[Value], start: i64, step: fn(i64, i64) -> i64) -> i64 {
    values
        .iter()
        .fold(start, |total, value| step(total, args::cast_int64(value)))
}

/// `add(v ...)`.
pub fn add(values: &[Value]) -> FuncResult {
    Ok(Value::int64(int_fold(values, 0, i64::wrapping_add)))
}

/// `add1(v)`.
pub fn add1(values: &[Value]) -> FuncResult {
    arity("add1", values, 1)?;
    Ok(Value::int64(args::cast_int64(&values[0]).wrapping_add(1)))
}

/// `sub(a, b)`.
pub fn sub(values: &[Value]) -> FuncResult {
    arity("sub", values, 2)?;
    Ok(Value::int64(
        args::cast_int64(&values[0]).wrapping_sub(args::cast_int64(&values[1])),
    ))
}

/// `mul(a, v ...)`.
pub fn mul(values: &[Value]) -> FuncResult {
    arity_min("mul", values, 1)?;
    Ok(Value::int64(int_fold(
        &values[1..],
        args::cast_int64(&values[0]),
        i64::wrapping_mul,
    )))
}

const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

/// `div(a, b)`: truncating integer division.
pub fn div(values: &[Value]) -> FuncResult {
    arity("div", values, 2)?;
    let divisor = args::cast_int64(&values[1]);
    if divisor == 0 {
        return Err(DIVIDE_BY_ZERO.to_string());
    }
    Ok(Value::int64(
        args::cast_int64(&values[0]).wrapping_div(divisor),
    ))
}

/// `mod(a, b)`.
pub fn modulo(values: &[Value]) -> FuncResult {
    arity("mod", values, 2)?;
    let divisor = args::cast_int64(&values[1]);
    if divisor == 0 {
        return Err(DIVIDE_BY_ZERO.to_string());
    }
    Ok(Value::int64(
        args::cast_int64(&values[0]).wrapping_rem(divisor),
    ))
}

/// `max(a, v ...)` (also `biggest`).
pub fn max(values: &[Value]) -> FuncResult {
    arity_min("max", values, 1)?;
    Ok(Value::int64(int_fold(
        &values[1..],
        args::cast_int64(&values[0]),
        i64::max,
    )))
}

/// `min(a, v ...)`.
pub fn min(values: &[Value]) -> FuncResult {
    arity_min("min", values, 1)?;
    Ok(Value::int64(int_fold(
        &values[1..],
        args::cast_int64(&values[0]),
        i64::min,
    )))
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            b
        } else {
            a
        }
    } else if a > b {
        a
    } else {
        b
    }
}

/// Go's `math.Min`: NaN wins, -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else if a < b {
        a
    } else {
        b
    }
}

/// `maxf(a, v ...)`.
pub fn maxf(values: &[Value]) -> FuncResult {
    arity_min("maxf", values, 1)?;
    let start = args::cast_float64(&values[0]);
    Ok(Value::Float(
        values[1..]
            .iter()
            .fold(start, |m, v| go_max(m, args::cast_float64(v))),
    ))
}

/// `minf(a, v ...)`.
pub fn minf(values: &[Value]) -> FuncResult {
    arity_min("minf", values, 1)?;
    let start = args::cast_float64(&values[0]);
    Ok(Value::Float(
        values[1..]
            .iter()
            .fold(start, |m, v| go_min(m, args::cast_float64(v))),
    ))
}

/// `floor(v)`.
pub fn floor(values: &[Value]) -> FuncResult {
    arity("floor", values, 1)?;
    Ok(Value::Float(args::cast_float64(&values[0]).floor()))
}

/// `ceil(v)`.
pub fn ceil(values: &[Value]) -> FuncResult {
    arity("ceil", values, 1)?;
    Ok(Value::Float(args::cast_float64(&values[0]).ceil()))
}

/// `round(v, places int, roundOn ...float64)`.
pub fn round(values: &[Value]) -> FuncResult {
    arity_min("round", values, 2)?;
    let value = args::cast_float64(&values[0]);
    let places = args::int(&values[1])? as f64;
    let round_on = match values.get(2) {
        Some(Value::Float(number)) => *number,
        Some(Value::Int(number)) => *number as f64,
        Some(other) => {
            return Err(format!(
                "wrong type for value; expected float64; got {}",
                args::type_name(other)
            ))
        }
        None => 0.5,
    };
    let power = 10f64.powf(places);
    let digit = power * value;
    let fraction = digit.fract();
    let rounded = if fraction >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / power))
}

/// `atoi(s string)`: Go `strconv.Atoi`, errors give 0 (range errors the clamped value).
pub fn atoi(values: &[Value]) -> FuncResult {
    arity("atoi", values, 1)?;
    let text = args::string(&values[0])?;
    let body = text.strip_prefix(['+', '-']).unwrap_or(&text);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Value::Int(0));
    }
    Ok(Value::Int(text.parse::<i64>().unwrap_or(
        if text.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        },
    )))
}

/// `int(v)`: `cast.ToInt`.
pub fn to_int(values: &[Value]) -> FuncResult {
    arity("int", values, 1)?;
    Ok(Value::Int(args::cast_int64(&values[0])))
}

/// `int64(v)`: `cast.ToInt64`.
pub fn to_int64(values: &[Value]) -> FuncResult {
    arity("int64", values, 1)?;
    Ok(Value::int64(args::cast_int64(&values[0])))
}

/// `float64(v)`: `cast.ToFloat64`.
pub fn to_float64(values: &[Value]) -> FuncResult {
    arity("float64", values, 1)?;
    Ok(Value::Float(args::cast_float64(&values[0])))
}

/// `toDecimal(v)`: the value printed, then read as an octal number (0 on error).
pub fn to_decimal(values: &[Value]) -> FuncResult {
    arity("toDecimal", values, 1)?;
    let text = args::strval(&args::iface(&values[0]));
    let body = text.strip_prefix(['+', '-']).unwrap_or(&text);
    if body.is_empty() || !body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Ok(Value::int64(0));
    }
    let parsed = i64::from_str_radix(&text, 8).unwrap_or(0);
    Ok(Value::int64(parsed))
}

/// `seq(params ...int)`: numbers separated by spaces, like the GNU tool.
pub fn seq(values: &[Value]) -> FuncResult {
    let params: Vec<i64> = values.iter().map(args::int).collect::<Result<_, _>>()?;
    let numbers = match params.as_slice() {
        [end] => {
            let increment = if *end < 1 { -1 } else { 1 };
            untils(1, end.saturating_add(increment), increment)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            untils(*start, end.saturating_add(step), step)?
        }
        [start, step, end] => {
            let increment = if end < start { -1 } else { 1 };
            if end < start && *step > 0 {
                return Ok(Value::str(""));
            }
            untils(*start, end.saturating_add(increment), *step)?
        }
        _ => return Ok(Value::str("")),
    };
    let text: Vec<String> = numbers.iter().map(i64::to_string).collect();
    Ok(Value::str(text.join(" ")))
}

/// A decimal `coefficient × 10^exponent`, exact for the values sprig's float functions meet.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    coefficient: i128,
    exponent: i32,
}

impl Decimal {
    /// shopspring's `NewFromFloat`: the shortest decimal that reads back as `number`.
    fn from_float(number: f64) -> Option<Decimal> {
        if !number.is_finite() {
            return None;
        }
        let text = format!("{number:e}");
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}");
        let coefficient: i128 = digits.parse().ok()?;
        Some(Decimal {
            coefficient,
            exponent: exponent - fraction.len() as i32,
        })
    }

    fn to_float(self) -> f64 {
        format!("{}e{}", self.coefficient, self.exponent)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn scaled(self, exponent: i32) -> Option<i128> {
        let shift = u32::try_from(self.exponent - exponent).ok()?;
        self.coefficient.checked_mul(10i128.checked_pow(shift)?)
    }

    fn add(self, other: Decimal) -> Option<Decimal> {
        let exponent = self.exponent.min(other.exponent);
        let sum = self
            .scaled(exponent)?
            .checked_add(other.scaled(exponent)?)?;
        Some(Decimal {
            coefficient: sum,
            exponent,
        })
    }

    fn negate(self) -> Decimal {
        Decimal {
            coefficient: -self.coefficient,
            exponent: self.exponent,
        }
    }

    fn mul(self, other: Decimal) -> Option<Decimal> {
        Some(Decimal {
            coefficient: self.coefficient.checked_mul(other.coefficient)?,
            exponent: self.exponent.checked_add(other.exponent)?,
        })
    }

    /// shopspring's `Div`: rounded (half away from zero) to 16 decimal places.
    fn div(self, other: Decimal) -> Option<Decimal> {
        if other.coefficient == 0 {
            return None;
        }
        let shift = self.exponent - other.exponent + 16;
        let (numerator, denominator) = if shift >= 0 {
            (
                self.coefficient
                    .checked_mul(10i128.checked_pow(shift as u32)?)?,
                other.coefficient,
            )
        } else {
            (
                self.coefficient,
                other
                    .coefficient
                    .checked_mul(10i128.checked_pow((-shift) as u32)?)?,
            )
        };
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        let rounded = if remainder.checked_mul(2)?.abs() >= denominator.abs() {
            quotient
                + if (numerator < 0) != (denominator < 0) {
                    -1
                } else {
                    1
                }
        } else {
            quotient
        };
        Some(Decimal {
            coefficient: rounded,
            exponent: -16,
        })
    }
}

/// sprig's `execDecimalOp`, with plain float arithmetic where the decimal would overflow.
fn decimal_fold(
    first: &Value,
    rest: &[Value],
    op: fn(Decimal, Decimal) -> Option<Decimal>,
    float_op: fn(f64, f64) -> f64,
) -> Result<f64, String> {
    let mut total = args::cast_float64(first);
    let mut exact = Decimal::from_float(total);
    for value in rest {
        let operand = args::cast_float64(value);
        exact = match (exact, Decimal::from_float(operand)) {
            (Some(left), Some(right)) => op(left, right),
            _ => None,
        };
        total = match exact {
            Some(decimal) => decimal.to_float(),
            None => float_op(total, operand),
        };
        exact = exact.or_else(|| Decimal::from_float(total));
    }
    Ok(total)
}

/// `addf(v ...)`.
pub fn addf(values: &[Value]) -> FuncResult {
    let total = decimal_fold(&Value::Float(0.0), values, Decimal::add, |a, b| a + b)?;
    Ok(Value::Float(total))
}

/// `add1f(v)`.
pub fn add1f(values: &[Value]) -> FuncResult {
    arity("add1f", values, 1)?;
    Ok(Value::Float(decimal_fold(
        &values[0],
        &[Value::Int(1)],
        Decimal::add,
        |a, b| a + b,
    )?))
}

/// `subf(a, v ...)`.
pub fn subf(values: &[Value]) -> FuncResult {
    arity_min("subf", values, 1)?;
    let sub = |a: Decimal, b: Decimal| a.add(b.negate());
    Ok(Value::Float(decimal_fold(
        &values[0],
        &values[1..],
        sub,
        |a, b| a - b,
    )?))
}

/// `mulf(a, v ...)`.
pub fn mulf(values: &[Value]) -> FuncResult {
    arity_min("mulf", values, 1)?;
    Ok(Value::Float(decimal_fold(
        &values[0],
        &values[1..],
        Decimal::mul,
        |a, b| a * b,
    )?))
}

/// `divf(a, v ...)`.
pub fn divf(values: &[Value]) -> FuncResult {
    arity_min("divf", values, 1)?;
    if values[1..]
        .iter()
        .any(|value| args::cast_float64(value) == 0.0)
    {
        return Err("decimal division by 0".to_string());
    }
    Ok(Value::Float(decimal_fold(
        &values[0],
        &values[1..],
        Decimal::div,
        |a, b| a / b,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(result: FuncResult) -> f64 {
        match result {
            Ok(Value::Float(number)) => number,
            other => panic!("not a float: {other:?}"),
        }
    }

    fn int64(result: FuncResult) -> i64 {
        match result {
            Ok(Value::Named(named)) if named.of == crate::template::value::IntType::Int64 => {
                named.number
            }
            other => panic!("not an int64: {other:?}"),
        }
    }

    #[test]
    fn integer_arithmetic_casts() {
        // sprig's integer arithmetic returns int64.
        assert_eq!(
            int64(add(&[Value::Int(1), Value::str("2"), Value::Float(3.9)])),
            6
        );
        assert_eq!(int64(add1(&[Value::Int(i64::MAX)])), i64::MIN);
        assert_eq!(int64(mul(&[Value::Int(3), Value::Int(4)])), 12);
        assert!(div(&[Value::Int(1), Value::Int(0)]).is_err());
        assert_eq!(
            int64(div(&[Value::Int(i64::MIN), Value::Int(-1)])),
            i64::MIN
        );
        assert_eq!(
            int64(max(&[Value::Int(1), Value::str("7"), Value::Int(3)])),
            7
        );
        assert_eq!(int64(to_int64(&[Value::str("12")])), 12);
        assert!(matches!(to_int(&[Value::str("12")]), Ok(Value::Int(12))));
    }

    #[test]
    fn decimal_float_arithmetic() {
        assert_eq!(float(addf(&[Value::Float(0.1), Value::Float(0.2)])), 0.3);
        assert_eq!(float(subf(&[Value::Float(1.0), Value::Float(0.9)])), 0.1);
        assert_eq!(float(mulf(&[Value::Float(1.1), Value::Int(3)])), 3.3);
        assert_eq!(float(divf(&[Value::Int(10), Value::Int(4)])), 2.5);
        assert_eq!(
            float(divf(&[Value::Int(1), Value::Int(3)])),
            0.3333333333333333
        );
        assert!(divf(&[Value::Int(1), Value::Int(0)]).is_err());
        assert!(addf(&[Value::Float(1e300), Value::Float(1e-300)]).is_ok());
    }

    #[test]
    fn rounding_and_conversions() {
        assert_eq!(
            float(round(&[Value::Float(123.5555), Value::Int(3)])),
            123.556
        );
        assert!(matches!(atoi(&[Value::str("42")]), Ok(Value::Int(42))));
        assert!(matches!(atoi(&[Value::str("4x")]), Ok(Value::Int(0))));
        assert_eq!(int64(to_decimal(&[Value::str("0777")])), 511);
        assert!(matches!(seq(&[Value::Int(3)]), Ok(Value::Str(t)) if &*t == "1 2 3"));
        assert!(
            matches!(seq(&[Value::Int(5), Value::Int(3)]), Ok(Value::Str(t)) if &*t == "5 4 3")
        );
        assert!(
            matches!(seq(&[Value::Int(0), Value::Int(2), Value::Int(5)]), Ok(Value::Str(t)) if &*t == "0 2 4")
        );
    }
}
