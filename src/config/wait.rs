//! `-wait min[:max]` and Go durations (spec §2.1 `ParseWait`, Go's `time.ParseDuration`).
//!
//! Pure text to values; error messages are Go's, so a user sees what docker-gen would say.
//! One deliberate difference: Go accepts negative durations (`-1s`); tinygen refuses them
//! with `time: negative duration "-1s" is not supported` (a negative wait only made Go's
//! timers fire at once, and `-wait -1s` failed anyway because max = 4×min < min).
//! Negative zero (`-0`, `-0s`) is zero, as in Go.

use std::time::Duration;

/// Debounce bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wait {
    pub min: Duration,
    pub max: Duration,
}

/// Parses `min[:max]`; empty text gives a zero wait; `min` alone gives max = 4×min.
///
/// Only the first two `:`-separated parts are read (Go ignores the rest too).
pub fn parse_wait(text: &str) -> Result<Wait, String> {
    if text.trim().is_empty() {
        return Ok(Wait::default());
    }
    let mut parts = text.split(':');
    let min = parse_go_duration(parts.next().unwrap_or("").trim())?;
    let max = match parts.next() {
        Some(part) => {
            let max = parse_go_duration(part.trim())?;
            if max < min {
                return Err("invalid wait interval: max must be larger than min".to_string());
            }
            max
        }
        None => min
            .checked_mul(4)
            .ok_or_else(|| format!("time: invalid duration {}", quote(text)))?,
    };
    Ok(Wait { min, max })
}

/// Go's largest duration: 2^63-1 nanoseconds.
const MAX_NANOS: u128 = (1 << 63) - 1;

/// Parses a Go duration (`300ms`, `1.5h`, `1m30s`, `0`): `[-+]?([0-9]*(\.[0-9]*)?unit)+`
/// with units ns, us, µs, μs, ms, s, m, h.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration {}", quote(text));
    let mut rest = text;
    let mut negative = false;
    if let Some(first) = rest.chars().next() {
        if first == '-' || first == '+' {
            negative = first == '-';
            rest = &rest[1..];
        }
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (whole, after) = rest.split_at(digits);
        rest = after;
        let mut fraction = "";
        if let Some(after_point) = rest.strip_prefix('.') {
            let digits = after_point.bytes().take_while(u8::is_ascii_digit).count();
            fraction = &after_point[..digits];
            rest = &after_point[digits..];
            if whole.is_empty() && fraction.is_empty() {
                return Err(invalid());
            }
        } else if whole.is_empty() {
            return Err(invalid());
        }
        let unit_length = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_length == 0 {
            return Err(format!("time: missing unit in duration {}", quote(text)));
        }
        let (unit, after) = rest.split_at(unit_length);
        rest = after;
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit),
                    quote(text)
                ))
            }
        };
        // Go reads the whole part into a u64 and rejects overflow there.
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse::<u64>().map_err(|_| invalid())?.into()
        };
        let mut value = whole
            .checked_mul(unit_nanos)
            .filter(|v| *v <= 1 << 63)
            .ok_or_else(invalid)?;
        value += fraction_nanos(fraction, unit_nanos);
        total += value;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    if negative && total != 0 {
        return Err(format!(
            "time: negative duration {} is not supported",
            quote(text)
        ));
    }
    if total > MAX_NANOS {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total as u64))
}

/// `unit × 0.fraction` in whole nanoseconds, computed as Go does: the digits are read into a
/// u64 until it would overflow, then `float64(f) * (float64(unit) / scale)` is truncated.
fn fraction_nanos(fraction: &str, unit_nanos: u128) -> u128 {
    let mut numerator: u64 = 0;
    let mut scale: f64 = 1.0;
    for byte in fraction.bytes() {
        if numerator > ((1u64 << 63) - 1) / 10 {
            break;
        }
        let next = numerator * 10 + u64::from(byte - b'0');
        if next > 1 << 63 {
            break;
        }
        numerator = next;
        scale *= 10.0;
    }
    if numerator == 0 {
        return 0;
    }
    (numerator as f64 * (unit_nanos as f64 / scale)) as u128
}

/// Go's `time.quote`: double quotes, `"` and `\` escaped, bytes below space and non-ASCII
/// characters as `\xNN` per byte.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                quoted.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                quoted.push('\\');
            }
            quoted.push(c);
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn wait_cases_from_docker_gen() {
        assert_eq!(
            parse_wait(""),
            Ok(Wait {
                min: ms(0),
                max: ms(0)
            })
        );
        assert_eq!(parse_wait("  "), Ok(Wait::default()));
        assert_eq!(
            parse_wait("1ms"),
            Ok(Wait {
                min: ms(1),
                max: ms(4)
            })
        );
        assert_eq!(
            parse_wait("1ms:111ms"),
            Ok(Wait {
                min: ms(1),
                max: ms(111)
            })
        );
        assert_eq!(
            parse_wait("500x"),
            Err("time: unknown unit \"x\" in duration \"500x\"".to_string())
        );
        assert_eq!(
            parse_wait("500s:4x"),
            Err("time: unknown unit \"x\" in duration \"4x\"".to_string())
        );
        assert_eq!(
            parse_wait("1m:1s"),
            Err("invalid wait interval: max must be larger than min".to_string())
        );
    }

    #[test]
    fn wait_trims_and_ignores_extra_parts() {
        assert_eq!(
            parse_wait(" 500ms : 2s "),
            Ok(Wait {
                min: ms(500),
                max: ms(2000)
            })
        );
        assert_eq!(
            parse_wait("1s:2s:junk"),
            Ok(Wait {
                min: ms(1000),
                max: ms(2000)
            })
        );
        assert_eq!(
            parse_wait("1s:1s"),
            Ok(Wait {
                min: ms(1000),
                max: ms(1000)
            })
        );
        assert_eq!(parse_wait("0"), Ok(Wait::default()));
        assert_eq!(
            parse_wait("0:1s"),
            Ok(Wait {
                min: ms(0),
                max: ms(1000)
            })
        );
        assert_eq!(
            parse_wait("1s:"),
            Err("time: invalid duration \"\"".to_string())
        );
        assert_eq!(
            parse_wait("5"),
            Err("time: missing unit in duration \"5\"".to_string())
        );
    }

    #[test]
    fn go_durations() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("-0", 0),
            ("+0", 0),
            ("0s", 0),
            ("-0s", 0),
            ("5s", 5_000_000_000),
            ("+5s", 5_000_000_000),
            ("30s", 30_000_000_000),
            ("1478s", 1_478_000_000_000),
            ("1.5s", 1_500_000_000),
            ("1.s", 1_000_000_000),
            (".5s", 500_000_000),
            ("1.0s", 1_000_000_000),
            ("1.004s", 1_004_000_000),
            ("100.00100s", 100_001_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12\u{b5}s", 12_000),
            ("12\u{3bc}s", 12_000),
            ("13ms", 13_000_000),
            ("15m", 900_000_000_000),
            ("16h", 57_600_000_000_000),
            ("3h30m", 12_600_000_000_000),
            ("10.5s4m", 250_500_000_000),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425_000_000),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 1_200_000_000_000),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", 9_223_372_036_854_775_807),
            ("9223372036854775.807us", 9_223_372_036_854_775_807),
            ("9223372036s854ms775us807ns", 9_223_372_036_854_775_807),
            ("0.100000000000000000000h", 360_000_000_000),
            ("0.830103483285477580700h", 2_988_372_539_827),
        ];
        for (text, nanos) in cases {
            assert_eq!(
                parse_go_duration(text),
                Ok(Duration::from_nanos(*nanos)),
                "{text}"
            );
        }
    }

    #[test]
    fn go_duration_errors() {
        let cases: &[(&str, &str)] = &[
            ("", "time: invalid duration \"\""),
            ("3", "time: missing unit in duration \"3\""),
            ("-", "time: invalid duration \"-\""),
            ("s", "time: invalid duration \"s\""),
            (".", "time: invalid duration \".\""),
            ("-.", "time: invalid duration \"-.\""),
            (".s", "time: invalid duration \".s\""),
            ("+.s", "time: invalid duration \"+.s\""),
            ("1d", "time: unknown unit \"d\" in duration \"1d\""),
            ("1 s", "time: unknown unit \" s\" in duration \"1 s\""),
            (
                "1\u{e9}",
                "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"",
            ),
            ("\"1s", "time: invalid duration \"\\\"1s\""),
            (
                "9223372036854775808ns",
                "time: invalid duration \"9223372036854775808ns\"",
            ),
            (
                "9223372036854775.808us",
                "time: invalid duration \"9223372036854775.808us\"",
            ),
            ("3000000h", "time: invalid duration \"3000000h\""),
            (
                "99999999999999999999s",
                "time: invalid duration \"99999999999999999999s\"",
            ),
            ("-1s", "time: negative duration \"-1s\" is not supported"),
        ];
        for (text, message) in cases {
            assert_eq!(parse_go_duration(text), Err(message.to_string()), "{text}");
        }
    }
}
