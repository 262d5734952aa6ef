//! sprig's date functions (`now date dateInZone htmlDate unixEpoch toDate dateModify duration
//! durationRound ago`) with Go's reference-layout formatting (`2006-01-02 15:04:05`).
//!
//! Zones come from the system's zone files as Go finds them (`zoneinfo`): `date` and
//! `htmlDate` print in the local zone (`$TZ`, else `/etc/localtime`), `dateInZone` in a named
//! zone (UTC when it cannot be loaded, as in sprig), `now` is local and `toDate` reads a time
//! without a zone as local, as Go's `time.ParseInLocation(.., time.Local)`. A time value
//! keeps its offset and zone name and whether it is in Go's `time.Local` (which also a time
//! matching the local zone at its instant is taken to be), so `Add`, `AddDate` and
//! `dateModify` follow the local daylight-saving rules and `.Location` says `Local` as in Go.
//! `.Location` is a `*time.Location` value (a record printing as its name, with Go's
//! unexported fields for `%#v`: its zones, transitions and cache) that `.In` takes.
//! The executor calls time methods like other value methods (`time_method_params` first).
//! `now` carries Go's monotonic clock reading (` m=+0.001234567` when printed), which only
//! `Add` and `dateModify` keep. Reads the clock; nothing else.

use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::log::{civil_from_days, days_from_civil};
use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::zoneinfo::{self, Location};
use crate::template::value::{
    IntType, List, NamedInt, Record, Time, MONTH_NAMES as MONTHS, WEEKDAY_NAMES as DAYS,
};
use crate::template::Value;

/// The broken-down UTC form of an instant.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    weekday: usize,
    year_day: u32,
}

fn civil(unix_seconds: i64, nanos: u32) -> Civil {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    let year_day = (days - days_from_civil(year, 1, 1) + 1) as u32;
    Civil {
        year,
        month,
        day,
        hour: second_of_day / 3600,
        minute: second_of_day / 60 % 60,
        second: second_of_day % 60,
        nanos,
        weekday: (days + 4).rem_euclid(7) as usize,
        year_day,
    }
}

/// A `time.Time` value in UTC.
#[cfg(test)]
pub fn time_value(unix_seconds: i64, nanos: u32) -> Value {
    let display = format_layout(
        "2006-01-02 15:04:05.999999999 -0700 MST",
        unix_seconds,
        nanos,
    );
    let rfc3339 = format_layout("2006-01-02T15:04:05.999999999Z07:00", unix_seconds, nanos);
    Value::Time(Rc::new(Time {
        display,
        rfc3339,
        unix_seconds,
        nanos,
        local: false,
        monotonic: None,
    }))
}

/// The instant tinygen's monotonic clock counts from (Go's process start): set when the
/// function table is built, else by the first `now`.
static CLOCK_START: OnceLock<Instant> = OnceLock::new();

/// Starts the monotonic clock that `now` reads (`funcs::register` calls it).
pub fn start_clock() {
    CLOCK_START.get_or_init(Instant::now);
}

/// Go's monotonic reading of `time.Now()`: nanoseconds since the start, at least 1.
fn monotonic_now() -> i64 {
    let start = CLOCK_START.get_or_init(Instant::now);
    i64::try_from(start.elapsed().as_nanos())
        .unwrap_or(i64::MAX)
        .saturating_add(1)
}

/// Go's ` m=+0.000012345` after a time's String form.
fn monotonic_text(reading: i64) -> String {
    let sign = if reading < 0 { '-' } else { '+' };
    let magnitude = reading.unsigned_abs();
    format!(
        " m={sign}{}.{:09}",
        magnitude / 1_000_000_000,
        magnitude % 1_000_000_000
    )
}

fn now() -> (i64, u32) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => (elapsed.as_secs() as i64, elapsed.subsec_nanos()),
        Err(_) => (0, 0),
    }
}

/// The layout tokens Go recognises, longest first where prefixes overlap.
const TOKENS: &[&str] = &[
    "January",
    "Monday",
    "2006",
    "-07:00:00",
    "-070000",
    "-0700",
    "-07:00",
    "-07",
    "Z07:00:00",
    "Z070000",
    "Z0700",
    "Z07:00",
    "Z07",
    "Jan",
    "Mon",
    "MST",
    "002",
    "__2",
    "_2",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "15",
    "PM",
    "pm",
    "1",
    "2",
    "3",
    "4",
    "5",
];

/// Splits off the next token of a layout: a known element, a fraction, or one literal char.
fn next_token(layout: &str) -> (&str, &str) {
    for prefix in [".000", ".999", ",000", ",999"] {
        if layout.starts_with(prefix) {
            let digit = layout.as_bytes()[1];
            let length = 1 + layout[1..].bytes().take_while(|b| *b == digit).count();
            let next = layout.as_bytes().get(length);
            if !next.is_some_and(u8::is_ascii_digit) {
                return (&layout[..length], &layout[length..]);
            }
        }
    }
    for token in TOKENS {
        if let Some(rest) = layout.strip_prefix(token) {
            // "Jan"/"Mon" only when not followed by a lower-case letter (Go's rule).
            if matches!(*token, "Jan" | "Mon") && rest.starts_with(|c: char| c.is_ascii_lowercase())
            {
                continue;
            }
            return (&layout[..token.len()], rest);
        }
    }
    let width = layout.chars().next().map_or(0, char::len_utf8);
    (&layout[..width], &layout[width..])
}

/// Go's `Time.Format` for a UTC instant.
#[cfg(test)]
pub fn format_layout(layout: &str, unix_seconds: i64, nanos: u32) -> String {
    format_in_zone(layout, unix_seconds, nanos, 0, "UTC")
}

/// Go's `appendInt(b, number, width)`: the digits zero-padded to `width`, after the sign.
fn padded(number: i64, width: usize) -> String {
    let sign = if number < 0 { "-" } else { "" };
    format!("{sign}{:0width$}", number.unsigned_abs())
}

/// Go's zero `time.Time` (January 1, year 1, UTC) in seconds since the Unix epoch.
const GO_ZERO_TIME: i64 = -62_135_596_800;

/// The instant of a time value. The context marks Go's zero time by its text only (its
/// `unix_seconds` is 0), so that is recognised here.
pub fn instant_of(time: &Time) -> (i64, u32) {
    if time.unix_seconds == 0 && time.nanos == 0 && time.rfc3339 == "0001-01-01T00:00:00Z" {
        (GO_ZERO_TIME, 0)
    } else {
        (time.unix_seconds, time.nanos)
    }
}

/// The number of parameters of a method of `time.Time`, `None` when Go's time has no such
/// method. (Methods that change their receiver, `GobDecode` and the `Unmarshal`s, are left
/// out: a template's time is never addressable.)
pub fn time_method_params(name: &str) -> Option<usize> {
    match name {
        "String" | "GoString" | "MarshalJSON" | "MarshalText" | "MarshalBinary" | "GobEncode"
        | "Unix" | "UnixMilli" | "UnixMicro" | "UnixNano" | "Year" | "Month" | "Day" | "Hour"
        | "Minute" | "Second" | "Nanosecond" | "YearDay" | "Weekday" | "IsZero" | "UTC"
        | "Local" | "Location" | "IsDST" | "Zone" | "ISOWeek" | "ZoneBounds" | "Date" | "Clock" => {
            Some(0)
        }
        "Format" | "Add" | "Sub" | "After" | "Before" | "Equal" | "Compare" | "Truncate"
        | "Round" | "In" => Some(1),
        "AddDate" => Some(3),
        "AppendFormat" => Some(2),
        _ => None,
    }
}

/// The fields of Go's `time.Time` struct: all unexported.
pub const TIME_FIELDS: [&str; 3] = ["wall", "ext", "loc"];

/// Calls method `name` of a time value (a `Value::Time`) with arguments of the count
/// `time_method_params` gives; for the executor's method calls.
pub fn call_time_method(receiver: &Value, name: &str, values: &[Value]) -> Result<Value, String> {
    match receiver {
        Value::Time(time) => time_method(time, name, values)
            .unwrap_or_else(|| Err(format!("can't evaluate field {name} in type time.Time"))),
        other => Err(format!("{name}: not a time.Time but {}", other.go_type())),
    }
}

/// Go's `time.Time` methods that a template can call (one result, simple arguments):
/// `None` when there is no such method. `Month`, `Weekday` and `Sub` give Go's named
/// integers (`time.Month`, `time.Weekday`, `time.Duration`). The argument count is checked
/// here too, although the executor checks it first against `time_method_params`.
pub fn time_method(time: &Time, name: &str, values: &[Value]) -> Option<Result<Value, String>> {
    let (seconds, nanos) = instant_of(time);
    let (offset, zone) = zone_of(time);
    let want = |count: usize| -> Result<(), String> {
        if values.len() == count {
            Ok(())
        } else {
            Err(format!(
                "wrong number of args for {name}: want {count} got {}",
                values.len()
            ))
        }
    };
    // A `time.Duration` parameter takes a duration; a number constant in the template is
    // one (`takes_duration`), an `int` computed at run time is not.
    let int_arg = |index: usize, type_name: &str| -> Result<i64, String> {
        match values.get(index) {
            Some(Value::Int(number)) if type_name == "int" => Ok(*number),
            Some(Value::Named(duration))
                if duration.of == IntType::Duration && type_name == "time.Duration" =>
            {
                Ok(duration.number)
            }
            Some(Value::Nil | Value::Missing) | None => {
                Err(format!("invalid value; expected {type_name}"))
            }
            Some(other) => Err(format!(
                "wrong type for value; expected {type_name}; got {}",
                other.go_type()
            )),
        }
    };
    let time_arg_at = |index: usize| -> Result<(i64, u32), String> {
        match values.get(index) {
            Some(value) => time_arg(value),
            None => Err("invalid value; expected time.Time".to_string()),
        }
    };
    let local = civil(seconds.saturating_add(offset), nanos);
    let result = match name {
        "String" => want(0).map(|()| Value::str(time.display.as_str())),
        "GoString" => want(0).map(|()| Value::str(go_string(time))),
        "MarshalJSON" | "MarshalText" => want(0).and_then(|()| {
            let year = civil(seconds.saturating_add(offset), nanos).year;
            if !(0..=9999).contains(&year) {
                return Err(format!("Time.{name}: year outside of range [0,9999]"));
            }
            let mut text = String::new();
            if name == "MarshalJSON" {
                text.push('"');
            }
            text.push_str(&time.rfc3339);
            if name == "MarshalJSON" {
                text.push('"');
            }
            Ok(bytes_value(text.as_bytes()))
        }),
        "MarshalBinary" => want(0).and_then(|()| marshal_binary(time).map(|b| bytes_value(&b))),
        "Format" => want(1).and_then(|()| {
            let layout = args::string(&values[0])?;
            Ok(Value::str(format_in_zone(
                &layout, seconds, nanos, offset, &zone,
            )))
        }),
        // A `[]byte` (nil, or one a Marshal method made) with the formatted time after it.
        "AppendFormat" => want(2).and_then(|()| {
            let (mut bytes, nil) = match &values[0] {
                Value::Nil | Value::Missing => (Vec::new(), true),
                Value::List(list) if list.elem == "uint8" => (list.items.clone(), list.is_nil),
                other => {
                    return Err(format!(
                        "wrong type for value; expected []uint8; got {}",
                        other.go_type()
                    ))
                }
            };
            let layout = args::string(&values[1])?;
            let text = format_in_zone(&layout, seconds, nanos, offset, &zone);
            // Appending nothing to a nil slice leaves it nil.
            if nil && text.is_empty() {
                return Ok(Value::nil_list("uint8"));
            }
            bytes.extend(text.bytes().map(|byte| Value::Int(i64::from(byte))));
            Ok(Value::list("uint8", bytes))
        }),
        "Unix" => want(0).map(|()| named(IntType::Int64, seconds)),
        "UnixMilli" => want(0).map(|()| {
            named(
                IntType::Int64,
                seconds
                    .wrapping_mul(1000)
                    .wrapping_add(i64::from(nanos / 1_000_000)),
            )
        }),
        "UnixMicro" => want(0).map(|()| {
            named(
                IntType::Int64,
                seconds
                    .wrapping_mul(1_000_000)
                    .wrapping_add(i64::from(nanos / 1000)),
            )
        }),
        "UnixNano" => want(0).map(|()| {
            named(
                IntType::Int64,
                seconds
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(nanos)),
            )
        }),
        "Year" => want(0).map(|()| Value::Int(local.year)),
        "Month" => want(0).map(|()| named(IntType::Month, i64::from(local.month))),
        "Day" => want(0).map(|()| Value::Int(i64::from(local.day))),
        "Hour" => want(0).map(|()| Value::Int(i64::from(local.hour))),
        "Minute" => want(0).map(|()| Value::Int(i64::from(local.minute))),
        "Second" => want(0).map(|()| Value::Int(i64::from(local.second))),
        "Nanosecond" => want(0).map(|()| Value::Int(i64::from(nanos))),
        "YearDay" => want(0).map(|()| Value::Int(i64::from(local.year_day))),
        "Weekday" => want(0).map(|()| named(IntType::Weekday, local.weekday as i64)),
        "IsZero" => want(0).map(|()| Value::Bool(seconds == GO_ZERO_TIME && nanos == 0)),
        "UTC" => want(0).map(|()| zoned_time_value(seconds, nanos, 0, "UTC")),
        "Local" => want(0).map(|()| local_time_value(seconds, nanos)),
        "Add" => want(1).and_then(|()| {
            let delta = i128::from(int_arg(0, "time.Duration")?);
            let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos) + delta;
            Ok(moved(
                time,
                total.div_euclid(1_000_000_000) as i64,
                total.rem_euclid(1_000_000_000) as u32,
            ))
        }),
        "AddDate" => want(3).and_then(|()| {
            let (years, months, days) =
                (int_arg(0, "int")?, int_arg(1, "int")?, int_arg(2, "int")?);
            // Go normalises month and day overflow (October 31 + 1 month = December 1).
            let month0 = i64::from(local.month) - 1 + months;
            let year = local.year + years + month0.div_euclid(12);
            let month = month0.rem_euclid(12) as u32 + 1;
            let day_number = days_from_civil(year, month, 1) + i64::from(local.day) - 1 + days;
            let second_of_day = i64::from(local.hour) * 3600
                + i64::from(local.minute) * 60
                + i64::from(local.second);
            // Go's Date in the time's location: a local wall time resolves in the local zone.
            let wall = day_number * 86_400 + second_of_day;
            if is_local(time) {
                let instant = zoneinfo::local().instant_of_wall(wall);
                return Ok(local_time_value(instant, nanos));
            }
            Ok(zoned_time_value(wall - offset, nanos, offset, &zone))
        }),
        "Location" => want(0).map(|()| location_value(&zone_kind(time))),
        "In" => want(1).and_then(|()| match &values[0] {
            Value::Record(record) if record.type_name == LOCATION_TYPE => {
                Ok(match location_kind(record) {
                    ZoneKind::Local => local_time_value(seconds, nanos),
                    ZoneKind::Utc => zoned_time_value(seconds, nanos, 0, "UTC"),
                    ZoneKind::Fixed(offset, name) => {
                        zoned_time_value(seconds, nanos, offset, &name)
                    }
                })
            }
            // A nil pointer (also what "no value" converts to): Go's `In` panics.
            Value::Nil | Value::Missing => {
                Err("time: missing Location in call to Time.In".to_string())
            }
            other => Err(format!(
                "wrong type for value; expected {LOCATION_TYPE}; got {}",
                other.go_type()
            )),
        }),
        "IsDST" => want(0).map(|()| Value::Bool(is_local(time) && zoneinfo::local().lookup(seconds).is_dst)),
        "Truncate" | "Round" => want(1).and_then(|()| {
            let step = i128::from(int_arg(0, "time.Duration")?);
            if step <= 0 {
                return Ok(in_zone_of(time, seconds, nanos, None));
            }
            // Go measures from its zero time, not from the Unix epoch.
            let since_zero = (i128::from(seconds) - i128::from(GO_ZERO_TIME)) * 1_000_000_000
                + i128::from(nanos);
            let remainder = since_zero.rem_euclid(step);
            let mut rounded = since_zero - remainder;
            if name == "Round" && remainder + remainder >= step {
                rounded += step;
            }
            let total = rounded + i128::from(GO_ZERO_TIME) * 1_000_000_000;
            Ok(in_zone_of(
                time,
                total.div_euclid(1_000_000_000) as i64,
                total.rem_euclid(1_000_000_000) as u32,
                None,
            ))
        }),
        "Sub" => want(1).and_then(|()| {
            let (other_seconds, other_nanos) = time_arg_at(0)?;
            let between = (i128::from(seconds) - i128::from(other_seconds)) * 1_000_000_000
                + i128::from(nanos)
                - i128::from(other_nanos);
            let clamped = between.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
            Ok(named(IntType::Duration, clamped as i64))
        }),
        "After" | "Before" | "Equal" | "Compare" => want(1).and_then(|()| {
            let order = (seconds, nanos).cmp(&time_arg_at(0)?);
            Ok(match name {
                "After" => Value::Bool(order.is_gt()),
                "Before" => Value::Bool(order.is_lt()),
                "Equal" => Value::Bool(order.is_eq()),
                _ => Value::Int(order as i64),
            })
        }),
        "GobEncode" => want(0).and_then(|()| marshal_binary(time).map(|b| bytes_value(&b))),
        // Methods with more than one result cannot be called from a template.
        "Zone" | "ISOWeek" => Err(format!(
            "invalid function signature for {name}: second return value should be error; is int"
        )),
        "ZoneBounds" => Err(format!(
            "invalid function signature for {name}: second return value should be error; is time.Time"
        )),
        "Date" | "Clock" => Err(format!(
            "function {name} has 3 return values; should be 1 or 2"
        )),
        _ => return None,
    };
    Some(result)
}

/// Go's type name of the value `Time.Location` returns.
pub const LOCATION_TYPE: &str = "*time.Location";

/// Go's type of a location's `cacheZone` field, a pointer into its zones. A record of this
/// type without fields is a nil pointer.
pub const ZONE_POINTER_TYPE: &str = "*time.zone";

/// Go's first and last instants (`alpha`, `omega`), where a location's rules begin and end.
const ALPHA: i64 = i64::MIN;
const OMEGA: i64 = i64::MAX;

/// Where a time's clock is read, as far as a template can tell: Go's `time.Local`, UTC, or a
/// fixed zone (its offset east of UTC and its zone name, empty for a bare offset).
enum ZoneKind {
    Local,
    Utc,
    Fixed(i64, String),
}

/// The location of a time. A fixed zone named like an offset (`+0100`) is one Go made for
/// a bare offset, with an empty name.
fn zone_kind(time: &Time) -> ZoneKind {
    if is_local(time) {
        return ZoneKind::Local;
    }
    let (offset, name) = zone_of(time);
    if offset == 0 && name == "UTC" {
        return ZoneKind::Utc;
    }
    let bare = name.len() == 5
        && name.starts_with(['+', '-'])
        && name.bytes().skip(1).all(|b| b.is_ascii_digit());
    ZoneKind::Fixed(offset, if bare { String::new() } else { name })
}

thread_local! {
    /// Go's `time.Local`, made once: `Time.In` knows it by identity.
    static LOCAL_LOCATION: Value = new_location(&ZoneKind::Local);
}

/// A `*time.Location` value: a record with Go's (unexported) fields, which `%#v` and `%d`
/// show and JSON and YAML leave out, that prints as its name (`Location.String`).
///
/// A location is a pointer in Go and `eq` compares pointers: the same location is the same
/// value here too (kept per thread, a few per template at most). Go also shares one
/// location among the times parsed with the same whole-hour offset.
fn location_value(kind: &ZoneKind) -> Value {
    type Key = (i64, String);
    thread_local! {
        static LOCATIONS: std::cell::RefCell<Vec<(Key, Value)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let key: Key = match kind {
        ZoneKind::Local => return LOCAL_LOCATION.with(Value::clone),
        ZoneKind::Utc => (0, "UTC".to_string()),
        ZoneKind::Fixed(offset, name) => (*offset, name.clone()),
    };
    LOCATIONS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, found)) = cache.iter().find(|(known, _)| *known == key) {
            return found.clone();
        }
        let made = new_location(kind);
        if cache.len() < 64 {
            cache.push((key, made.clone()));
        }
        made
    })
}

/// Go's `time.zone` (`name`, `offset`, `isDST`), as a record of `type_name`.
fn zone_record(type_name: &'static str, name: &str, offset: i64, is_dst: bool) -> Value {
    Value::Record(Rc::new(Record {
        type_name,
        fields: vec![
            ("name", Value::str(name)),
            ("offset", Value::Int(offset)),
            ("isDST", Value::Bool(is_dst)),
        ],
        string_form: None,
    }))
}

/// Go's `time.zoneTrans`: a transition instant, the index of the zone from then, and the
/// zone file's standard/wall and UT/local indicators.
fn transition_record((when, index, isstd, isutc): (i64, usize, bool, bool)) -> Value {
    Value::Record(Rc::new(Record {
        type_name: "time.zoneTrans",
        fields: vec![
            ("when", named(IntType::Int64, when)),
            ("index", named(IntType::Uint64, index as i64)),
            ("isstd", Value::Bool(isstd)),
            ("isutc", Value::Bool(isutc)),
        ],
        string_form: None,
    }))
}

/// The fields of Go's location: UTC has no zones (and an empty cache); a fixed zone has one
/// zone from Go's first instant on; the local zone holds its zone file, with the cache Go
/// fills for the time it loads it.
fn new_location(kind: &ZoneKind) -> Value {
    let list = |elem: &'static str, items: Vec<Value>| {
        let is_nil = items.is_empty();
        Value::List(Rc::new(List {
            elem,
            items,
            is_nil,
        }))
    };
    let no_zone = || {
        Value::Record(Rc::new(Record {
            type_name: ZONE_POINTER_TYPE,
            fields: Vec::new(),
            string_form: None,
        }))
    };
    let (name, zones, transitions, extend, cache) = match kind {
        ZoneKind::Utc => (
            "UTC".to_string(),
            Vec::new(),
            Vec::new(),
            String::new(),
            (0, 0, no_zone()),
        ),
        ZoneKind::Fixed(offset, name) => (
            name.clone(),
            vec![zone_record("time.zone", name, *offset, false)],
            vec![transition_record((ALPHA, 0, false, false))],
            String::new(),
            (
                ALPHA,
                OMEGA,
                zone_record(ZONE_POINTER_TYPE, name, *offset, false),
            ),
        ),
        ZoneKind::Local => {
            let local = zoneinfo::local();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs() as i64);
            // Go caches the zone of the moment it loads the file, if one holds then.
            let cache = match local.transition_parts().next() {
                Some((first, ..)) if first <= now => {
                    let found = local.lookup(now);
                    let zone =
                        zone_record(ZONE_POINTER_TYPE, &found.name, found.offset, found.is_dst);
                    (found.start, found.end, zone)
                }
                _ => (0, 0, no_zone()),
            };
            (
                zoneinfo::local_name().to_string(),
                local
                    .zone_parts()
                    .map(|(name, offset, is_dst)| zone_record("time.zone", name, offset, is_dst))
                    .collect(),
                local.transition_parts().map(transition_record).collect(),
                local.extend().to_string(),
                cache,
            )
        }
    };
    let (cache_start, cache_end, cache_zone) = cache;
    Value::Record(Rc::new(Record {
        type_name: LOCATION_TYPE,
        fields: vec![
            ("name", Value::str(name.as_str())),
            ("zone", list("time.zone", zones)),
            ("tx", list("time.zoneTrans", transitions)),
            ("extend", Value::str(extend)),
            ("cacheStart", named(IntType::Int64, cache_start)),
            ("cacheEnd", named(IntType::Int64, cache_end)),
            ("cacheZone", cache_zone),
        ],
        string_form: Some(name),
    }))
}

/// A new `*time.Location` with Go's zero fields (what sprig's `deepCopy` makes of one): it
/// prints as an empty name and works as UTC.
pub fn zero_location() -> Value {
    let Value::Record(utc) = new_location(&ZoneKind::Utc) else {
        return Value::Nil;
    };
    let mut record = (*utc).clone();
    for (field, value) in &mut record.fields {
        if *field == "name" {
            *value = Value::str("");
        }
    }
    record.string_form = Some(String::new());
    Value::Record(Rc::new(record))
}

/// The kind of a `location_value`: the local one is known by identity, UTC has no zones.
fn location_kind(record: &Record) -> ZoneKind {
    let is_local = LOCAL_LOCATION.with(|local| match local {
        Value::Record(local) => std::ptr::eq(Rc::as_ptr(local), record),
        _ => false,
    });
    if is_local {
        return ZoneKind::Local;
    }
    let name = match record.field("name") {
        Some(Value::Str(name)) => name.to_string(),
        _ => String::new(),
    };
    let offset = match record.field("zone") {
        Some(Value::List(zones)) => zones.items.first().and_then(|zone| match zone {
            Value::Record(zone) => match zone.field("offset") {
                Some(Value::Int(offset)) => Some(*offset),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    };
    match offset {
        Some(offset) => ZoneKind::Fixed(offset, name),
        None => ZoneKind::Utc,
    }
}

fn named(of: IntType, number: i64) -> Value {
    Value::Named(NamedInt { of, number })
}

/// Whether the first parameter of method `name` of `receiver` is a `[]byte`
/// (`Time.AppendFormat`): the executor passes nil to it as a nil `[]uint8`.
pub fn takes_bytes(receiver: &Value, name: &str) -> bool {
    matches!(receiver, Value::Time(_)) && name == "AppendFormat"
}

/// The number of parameters of a method of `time.Duration`, `None` when there is none.
pub fn duration_method_params(name: &str) -> Option<usize> {
    match name {
        "String" | "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds"
        | "Nanoseconds" | "Abs" => Some(0),
        "Round" | "Truncate" => Some(1),
        _ => None,
    }
}

/// Whether the parameter of method `name` of `receiver` is a `time.Duration` (`Time.Add`,
/// `Duration.Round`, ...): the executor passes a number constant to it as a duration, as
/// Go converts a constant to the parameter's type; any other `int` is a type error.
pub fn takes_duration(receiver: &Value, name: &str) -> bool {
    match receiver {
        Value::Time(_) => matches!(name, "Add" | "Round" | "Truncate"),
        Value::Named(named) if named.of == IntType::Duration => {
            matches!(name, "Round" | "Truncate")
        }
        _ => false,
    }
}

/// Whether the parameters of method `name` of `receiver` are `int`s (`Time.AddDate`): a
/// whole number constant written as a float (`1e3`) is one, as Go converts constants.
pub fn takes_int(receiver: &Value, name: &str) -> bool {
    matches!(receiver, Value::Time(_)) && name == "AddDate"
}

/// Calls a method of a `time.Duration` with arguments of the count `duration_method_params`
/// gives, as Go computes it (`Round` saturates, `Abs` of the minimum is the maximum).
pub fn duration_method(receiver: &Value, name: &str, values: &[Value]) -> Result<Value, String> {
    let Value::Named(NamedInt { number: d, .. }) = receiver else {
        return Err(format!("{name}: not a time.Duration"));
    };
    let d = *d;
    // Whole units and the rest, as Go splits them to keep the float precise.
    let float = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
    let step = || match values.first() {
        Some(Value::Named(named)) if named.of == IntType::Duration => Ok(named.number),
        Some(Value::Nil | Value::Missing) | None => {
            Err("invalid value; expected time.Duration".to_string())
        }
        Some(other) => Err(format!(
            "wrong type for value; expected time.Duration; got {}",
            other.go_type()
        )),
    };
    let duration = |number: i64| named(IntType::Duration, number);
    Ok(match name {
        "String" => Value::str(format_duration(i128::from(d))),
        "Hours" => Value::Float(float(3_600_000_000_000)),
        "Minutes" => Value::Float(float(60_000_000_000)),
        "Seconds" => Value::Float(float(1_000_000_000)),
        "Milliseconds" => named(IntType::Int64, d / 1_000_000),
        "Microseconds" => named(IntType::Int64, d / 1_000),
        "Nanoseconds" => named(IntType::Int64, d),
        "Abs" => duration(if d == i64::MIN { i64::MAX } else { d.abs() }),
        "Truncate" => {
            let m = step()?;
            duration(if m <= 0 { d } else { d - d % m })
        }
        "Round" => {
            let m = step()?;
            if m <= 0 {
                return Ok(duration(d));
            }
            let less_than_half = |r: i64| (r as u64).wrapping_add(r as u64) < m as u64;
            let r = d % m;
            duration(if d < 0 {
                let r = -r;
                let d1 = d.wrapping_sub(m).wrapping_add(r);
                if less_than_half(r) {
                    d + r
                } else if d1 < d {
                    d1
                } else {
                    i64::MIN
                }
            } else {
                let d1 = d.wrapping_add(m).wrapping_sub(r);
                if less_than_half(r) {
                    d - r
                } else if d1 > d {
                    d1
                } else {
                    i64::MAX
                }
            })
        }
        _ => return Err(format!("can't evaluate field {name} in type time.Duration")),
    })
}

/// A Go `[]byte` (`[]uint8`).
fn bytes_value(bytes: &[u8]) -> Value {
    Value::list(
        "uint8",
        bytes
            .iter()
            .map(|byte| Value::Int(i64::from(*byte)))
            .collect(),
    )
}

/// Go's `Time.MarshalBinary`: version, seconds since year 1, nanoseconds, zone offset in
/// minutes (-1 for UTC) and, in version 2, its leftover seconds.
fn marshal_binary(time: &Time) -> Result<Vec<u8>, String> {
    let (seconds, nanos) = instant_of(time);
    let (offset, zone) = zone_of(time);
    let (mut version, mut offset_seconds, offset_minutes) =
        if !is_local(time) && offset == 0 && zone == "UTC" {
            (1u8, 0i8, -1i16)
        } else {
            let minutes = offset / 60;
            if minutes == -1 || i16::try_from(minutes).is_err() {
                return Err("Time.MarshalBinary: unexpected zone offset".to_string());
            }
            (1, 0, minutes as i16)
        };
    if offset_minutes != -1 && offset % 60 != 0 {
        version = 2;
        offset_seconds = (offset % 60) as i8;
    }
    let since_year_one = seconds.wrapping_sub(GO_ZERO_TIME);
    let mut out = vec![version];
    out.extend_from_slice(&since_year_one.to_be_bytes());
    out.extend_from_slice(&(nanos as i32).to_be_bytes());
    out.extend_from_slice(&offset_minutes.to_be_bytes());
    if version == 2 {
        out.push(offset_seconds as u8);
    }
    Ok(out)
}

/// Go's `Time.GoString`: `time.Date(2024, time.January, 2, 3, 4, 5, 0, time.UTC)`.
pub fn go_string(time: &Time) -> String {
    let (seconds, nanos) = instant_of(time);
    let (offset, zone) = zone_of(time);
    let c = civil(seconds.saturating_add(offset), nanos);
    let location = if is_local(time) {
        "time.Local".to_string()
    } else if zone == "UTC" {
        "time.UTC".to_string()
    } else {
        // A parsed offset is a fixed zone without a name.
        "time.Location(\"\")".to_string()
    };
    format!(
        "time.Date({}, time.{}, {}, {}, {}, {}, {}, {location})",
        c.year,
        MONTHS[c.month as usize - 1],
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.nanos
    )
}

/// A time's zone: its offset east of UTC in seconds and the name Go prints for `MST`. A
/// local time's come from the local zone (to the second, as a local mean time has them);
/// another time's offset from its RFC 3339 form and its name is the last word of its String
/// form (`UTC`, or `+0100` for a fixed zone without a name).
pub fn zone_of(time: &Time) -> (i64, String) {
    if time.local {
        let found = zoneinfo::local().lookup(instant_of(time).0);
        return (found.offset, found.name);
    }
    let zone = time
        .rfc3339
        .len()
        .checked_sub(6)
        .and_then(|at| time.rfc3339.get(at..));
    let offset = match zone {
        Some(zone) if !time.rfc3339.ends_with('Z') => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let hours: i64 = zone.get(1..3).and_then(|h| h.parse().ok()).unwrap_or(0);
            let minutes: i64 = zone.get(4..6).and_then(|m| m.parse().ok()).unwrap_or(0);
            sign * (hours * 3600 + minutes * 60)
        }
        _ => 0,
    };
    let shown = time.display.split(" m=").next().unwrap_or_default();
    let name = shown.rsplit(' ').next().unwrap_or("UTC").to_string();
    (offset, name)
}

/// A `time.Time` at an instant in the zone `(offset, name)` of `zone_of`.
pub fn zoned_time_value(unix_seconds: i64, nanos: u32, offset: i64, name: &str) -> Value {
    make_time(unix_seconds, nanos, (offset, name), false, None)
}

/// A `time.Time` at an instant in a zone, in Go's `time.Local` or not, with or without a
/// monotonic clock reading.
fn make_time(
    unix_seconds: i64,
    nanos: u32,
    (offset, name): (i64, &str),
    local: bool,
    monotonic: Option<i64>,
) -> Value {
    let mut display = format_in_zone(
        "2006-01-02 15:04:05.999999999 -0700 MST",
        unix_seconds,
        nanos,
        offset,
        name,
    );
    let rfc3339 = format_in_zone(
        "2006-01-02T15:04:05.999999999Z07:00",
        unix_seconds,
        nanos,
        offset,
        name,
    );
    if let Some(reading) = monotonic {
        display.push_str(&monotonic_text(reading));
    }
    Value::Time(Rc::new(Time {
        display,
        rfc3339,
        unix_seconds,
        nanos,
        local,
        monotonic,
    }))
}

/// Go's `Time.Format` for an instant shown in a zone `offset` seconds east of UTC, named
/// `name` (empty: the numeric offset).
pub fn format_in_zone(
    layout: &str,
    unix_seconds: i64,
    nanos: u32,
    offset: i64,
    name: &str,
) -> String {
    let c = civil(unix_seconds.saturating_add(offset), nanos);
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes, seconds) = (
        offset.abs() / 3600,
        offset.abs() / 60 % 60,
        offset.abs() % 60,
    );
    let mut out = String::new();
    let mut rest = layout;
    while !rest.is_empty() {
        let (token, after) = next_token(rest);
        rest = after;
        let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
        match token {
            // Go pads the digits after a minus sign (`-0292`); `06` drops the sign.
            "2006" => out.push_str(&padded(c.year, 4)),
            "06" => out.push_str(&format!("{:02}", c.year.unsigned_abs() % 100)),
            "January" => out.push_str(MONTHS[c.month as usize - 1]),
            "Jan" => out.push_str(&MONTHS[c.month as usize - 1][..3]),
            "01" => out.push_str(&format!("{:02}", c.month)),
            "1" => out.push_str(&c.month.to_string()),
            "Monday" => out.push_str(DAYS[c.weekday]),
            "Mon" => out.push_str(&DAYS[c.weekday][..3]),
            "02" => out.push_str(&format!("{:02}", c.day)),
            "_2" => out.push_str(&format!("{:>2}", c.day)),
            "2" => out.push_str(&c.day.to_string()),
            "002" => out.push_str(&format!("{:03}", c.year_day)),
            "__2" => out.push_str(&format!("{:>3}", c.year_day)),
            "15" => out.push_str(&format!("{:02}", c.hour)),
            "03" => out.push_str(&format!("{hour12:02}")),
            "3" => out.push_str(&hour12.to_string()),
            "04" => out.push_str(&format!("{:02}", c.minute)),
            "4" => out.push_str(&c.minute.to_string()),
            "05" => out.push_str(&format!("{:02}", c.second)),
            "5" => out.push_str(&c.second.to_string()),
            "PM" => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            "pm" => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            "MST" if !name.is_empty() => out.push_str(name),
            "MST" => out.push_str(&format!("{sign}{hours:02}{minutes:02}")),
            "Z0700" | "Z07:00" | "Z07" | "Z07:00:00" | "Z070000" if offset == 0 => out.push('Z'),
            "-0700" | "Z0700" => out.push_str(&format!("{sign}{hours:02}{minutes:02}")),
            "-07:00" | "Z07:00" => out.push_str(&format!("{sign}{hours:02}:{minutes:02}")),
            "-07" | "Z07" => out.push_str(&format!("{sign}{hours:02}")),
            "-07:00:00" | "Z07:00:00" => {
                out.push_str(&format!("{sign}{hours:02}:{minutes:02}:{seconds:02}"))
            }
            "-070000" | "Z070000" => {
                out.push_str(&format!("{sign}{hours:02}{minutes:02}{seconds:02}"))
            }
            fraction
                if fraction.len() > 1
                    && (fraction.starts_with('.') || fraction.starts_with(',')) =>
            {
                let digits = format!("{:09}", c.nanos);
                let width = (fraction.len() - 1).min(9);
                let mut shown = digits[..width].to_string();
                if fraction.as_bytes()[1] == b'9' {
                    shown = shown.trim_end_matches('0').to_string();
                    if shown.is_empty() {
                        continue;
                    }
                }
                out.push_str(&fraction[..1]);
                out.push_str(&shown);
            }
            literal => out.push_str(literal),
        }
    }
    out
}

/// Go's `time.ParseInLocation` in UTC for the layout elements above.
#[cfg(test)]
pub fn parse_layout(layout: &str, text: &str) -> Result<(i64, u32), String> {
    parse_layout_zoned(layout, text).map(|(seconds, nanos, _)| (seconds, nanos))
}

/// `parse_layout` that also gives the parsed time as Go keeps it: in UTC (also for a zero
/// offset or the name `UTC`), in a fixed zone for another offset, or in a zone named as
/// parsed (with offset 0) for an unknown abbreviation.
pub fn parse_layout_zoned(layout: &str, text: &str) -> Result<(i64, u32, Value), String> {
    let fail = || {
        format!(
            "parsing time {} as {}: cannot parse",
            args::go_quote(text),
            args::go_quote(layout)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut minute, mut second, mut nanos) =
        (0i64, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: i64 = 0;
    // A `Z` or `UTC` in the text means UTC; a numeric offset is kept (Go's `z` and
    // `zoneOffset`).
    let mut is_utc = false;
    let mut has_offset = false;
    let mut zone_name: Option<String> = None;
    let mut rest_layout = layout;
    let mut input = text;
    let number = |input: &mut &str, min: usize, max: usize| -> Option<i64> {
        let digits = input
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if digits < min {
            return None;
        }
        let value = input[..digits].parse().ok()?;
        *input = &input[digits..];
        Some(value)
    };
    while !rest_layout.is_empty() {
        let (token, after) = next_token(rest_layout);
        rest_layout = after;
        match token {
            "2006" => year = number(&mut input, 4, 4).ok_or_else(fail)?,
            "06" => {
                let short = number(&mut input, 2, 2).ok_or_else(fail)?;
                year = if short >= 69 {
                    1900 + short
                } else {
                    2000 + short
                };
            }
            "01" => month = number(&mut input, 2, 2).ok_or_else(fail)? as u32,
            "1" => month = number(&mut input, 1, 2).ok_or_else(fail)? as u32,
            "January" | "Jan" => {
                let found = MONTHS.iter().position(|name| {
                    let name = if token == "Jan" { &name[..3] } else { name };
                    input
                        .get(..name.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(name))
                });
                let index = found.ok_or_else(fail)?;
                let length = if token == "Jan" {
                    3
                } else {
                    MONTHS[index].len()
                };
                input = &input[length..];
                month = index as u32 + 1;
            }
            "Monday" | "Mon" => {
                let found = DAYS.iter().find(|name| {
                    let name = if token == "Mon" { &name[..3] } else { name };
                    input
                        .get(..name.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(name))
                });
                let name = found.ok_or_else(fail)?;
                input = &input[if token == "Mon" { 3 } else { name.len() }..];
            }
            "02" => day = number(&mut input, 2, 2).ok_or_else(fail)? as u32,
            "_2" => {
                input = input.strip_prefix(' ').unwrap_or(input);
                day = number(&mut input, 1, 2).ok_or_else(fail)? as u32;
            }
            "2" => day = number(&mut input, 1, 2).ok_or_else(fail)? as u32,
            "15" => hour = number(&mut input, 1, 2).ok_or_else(fail)? as u32,
            "03" | "3" => hour = number(&mut input, 1, 2).ok_or_else(fail)? as u32,
            "04" | "4" => minute = number(&mut input, 1, 2).ok_or_else(fail)? as u32,
            "05" | "5" => {
                second = number(&mut input, 1, 2).ok_or_else(fail)? as u32;
                // Go accepts a fraction after seconds even when the layout has none.
                if rest_layout.is_empty() || !rest_layout.starts_with(['.', ',']) {
                    if let Some(after_dot) = input.strip_prefix('.') {
                        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
                        if digits > 0 {
                            nanos = fraction_nanos(&after_dot[..digits]);
                            input = &after_dot[digits..];
                        }
                    }
                }
            }
            "PM" | "pm" => {
                let marker = input.get(..2).ok_or_else(fail)?.to_ascii_uppercase();
                pm = Some(match marker.as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(fail()),
                });
                input = &input[2..];
            }
            "MST" => {
                let length = input.bytes().take_while(u8::is_ascii_uppercase).count();
                if length < 3 {
                    return Err(fail());
                }
                if input.starts_with("UTC") {
                    is_utc = true;
                    input = &input[3..];
                } else {
                    zone_name = Some(input[..length].to_string());
                    input = &input[length..];
                }
            }
            "Z0700" | "Z07:00" | "Z07" | "Z07:00:00" | "Z070000" | "-0700" | "-07:00" | "-07"
            | "-07:00:00" | "-070000" => {
                if token.starts_with('Z') && input.starts_with('Z') {
                    input = &input[1..];
                    is_utc = true;
                } else {
                    has_offset = true;
                    let sign = match input.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(fail()),
                    };
                    input = &input[1..];
                    // Go's fixed shapes: hours, then minutes and seconds as the token has
                    // them, each two digits, with colons where the token has one.
                    let shape = &token[1..];
                    let colon = shape.contains(':');
                    let parts = match shape {
                        "07" => 1,
                        "0700" | "07:00" => 2,
                        _ => 3,
                    };
                    let mut fields = [0i64; 3];
                    for (index, field) in fields.iter_mut().enumerate().take(parts) {
                        if index > 0 && colon {
                            input = input.strip_prefix(':').ok_or_else(fail)?;
                        }
                        let digits = input
                            .get(..2)
                            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
                        *field = digits.and_then(|d| d.parse().ok()).ok_or_else(fail)?;
                        input = &input[2..];
                    }
                    let [hours, minutes, secs] = fields;
                    if hours > 24 || minutes > 60 || secs > 60 {
                        return Err(fail());
                    }
                    offset = sign * (hours * 3600 + minutes * 60 + secs);
                }
            }
            fraction
                if fraction.len() > 1
                    && (fraction.starts_with('.') || fraction.starts_with(',')) =>
            {
                if let Some(after_dot) = input.strip_prefix(['.', ',']) {
                    let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
                    nanos = fraction_nanos(&after_dot[..digits]);
                    input = &after_dot[digits..];
                } else if fraction.as_bytes()[1] == b'0' {
                    return Err(fail());
                }
            }
            literal => {
                input = input.strip_prefix(literal).ok_or_else(fail)?;
            }
        }
    }
    if !input.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            args::go_quote(text),
            args::go_quote(input)
        ));
    }
    if let Some(pm) = pm {
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    let month_days = if (1..=12).contains(&month) {
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1)
    } else {
        0
    };
    if !(1..=12).contains(&month)
        || day < 1
        || i64::from(day) > month_days
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(format!(
            "parsing time {}: day out of range",
            args::go_quote(text)
        ));
    }
    let days = days_from_civil(year, month, day);
    // The wall-clock time read as if it were UTC.
    let wall = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    let local = zoneinfo::local();
    let (seconds, offset, zone, in_local) = if is_utc {
        (wall, 0, "UTC".to_string(), false)
    } else if has_offset {
        // The local zone when it has that offset (and name) then, else a fixed zone.
        let seconds = wall - offset;
        let found = local.lookup(seconds);
        if found.offset == offset && zone_name.as_ref().is_none_or(|name| *name == found.name) {
            (seconds, offset, found.name, true)
        } else {
            (seconds, offset, zone_name.unwrap_or_default(), false)
        }
    } else if let Some(name) = zone_name {
        // A known abbreviation of the local zone gives its offset; another one is a zone
        // of that name at offset 0 (`GMT+h` at h hours).
        match local.lookup_name(&name, wall) {
            Some(known) => {
                let found = local.lookup(wall - known);
                (wall - known, found.offset, found.name, true)
            }
            None => {
                let hours = name
                    .strip_prefix("GMT")
                    .and_then(|h| h.parse::<i64>().ok())
                    .unwrap_or(0);
                (wall - hours * 3600, hours * 3600, name, false)
            }
        }
    } else {
        let seconds = local.instant_of_wall(wall);
        let found = local.lookup(seconds);
        (seconds, found.offset, found.name, true)
    };
    Ok((
        seconds,
        nanos,
        make_time(seconds, nanos, (offset, &zone), in_local, None),
    ))
}

fn fraction_nanos(digits: &str) -> u32 {
    let mut padded = digits.chars().take(9).collect::<String>();
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse().unwrap_or(0)
}

/// Go's `Time.In(location).Format(layout)`.
fn format_in_location(layout: &str, (seconds, nanos): (i64, u32), location: &Location) -> String {
    let zone = location.lookup(seconds);
    format_in_zone(layout, seconds, nanos, zone.offset, &zone.name)
}

/// sprig's zone argument: Go's `LoadLocation`, UTC when that fails.
fn location_named(name: &str) -> Location {
    zoneinfo::load_location(name).unwrap_or_else(Location::utc)
}

/// A time value at an instant in the local zone (Go's `time.Now()`, `Time.Local()`).
pub fn local_time_value(seconds: i64, nanos: u32) -> Value {
    let zone = zoneinfo::local().lookup(seconds);
    make_time(seconds, nanos, (zone.offset, &zone.name), true, None)
}

/// An instant from sprig's `date` argument: a time, unix seconds (an `int` or `int64`),
/// else now.
fn instant(value: &Value) -> (i64, u32) {
    match value {
        Value::Time(time) => instant_of(time),
        Value::Int(seconds) => (*seconds, 0),
        Value::Named(NamedInt {
            of: IntType::Int64,
            number,
        }) => (*number, 0),
        _ => now(),
    }
}

/// `now()`.
pub fn now_fn(values: &[Value]) -> FuncResult {
    arity("now", values, 0)?;
    let (seconds, nanos) = now();
    let zone = zoneinfo::local().lookup(seconds);
    Ok(make_time(
        seconds,
        nanos,
        (zone.offset, &zone.name),
        true,
        Some(monotonic_now()),
    ))
}

/// `date(layout string, date)`: in the local zone.
pub fn date(values: &[Value]) -> FuncResult {
    arity("date", values, 2)?;
    let layout = args::string(&values[0])?;
    let when = instant(&values[1]);
    Ok(Value::str(format_in_location(
        &layout,
        when,
        zoneinfo::local(),
    )))
}

/// `dateInZone(layout string, date, zone string)`: an unknown zone is UTC, as in sprig.
pub fn date_in_zone(values: &[Value]) -> FuncResult {
    arity("dateInZone", values, 3)?;
    let layout = args::string(&values[0])?;
    let zone = args::string(&values[2])?;
    let when = instant(&values[1]);
    Ok(Value::str(format_in_location(
        &layout,
        when,
        &location_named(&zone),
    )))
}

/// `htmlDate(date)`: in the local zone.
pub fn html_date(values: &[Value]) -> FuncResult {
    arity("htmlDate", values, 1)?;
    let when = instant(&values[0]);
    Ok(Value::str(format_in_location(
        "2006-01-02",
        when,
        zoneinfo::local(),
    )))
}

/// `htmlDateInZone(date, zone string)`.
pub fn html_date_in_zone(values: &[Value]) -> FuncResult {
    arity("htmlDateInZone", values, 2)?;
    let zone = args::string(&values[1])?;
    let when = instant(&values[0]);
    Ok(Value::str(format_in_location(
        "2006-01-02",
        when,
        &location_named(&zone),
    )))
}

fn time_arg(value: &Value) -> Result<(i64, u32), String> {
    match value {
        Value::Time(time) => Ok(instant_of(time)),
        Value::Nil | Value::Missing => Err("invalid value; expected time.Time".to_string()),
        other => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            args::type_name(other)
        )),
    }
}

/// `unixEpoch(date time.Time)`: seconds since 1970 as a string.
pub fn unix_epoch(values: &[Value]) -> FuncResult {
    arity("unixEpoch", values, 1)?;
    Ok(Value::str(time_arg(&values[0])?.0.to_string()))
}

/// `toDate(layout, text string)`: the zero time on a parse error.
pub fn to_date(values: &[Value]) -> FuncResult {
    arity("toDate", values, 2)?;
    let layout = args::string(&values[0])?;
    let text = args::string(&values[1])?;
    match parse_layout_zoned(&layout, &text) {
        Ok((_, _, time)) => Ok(time),
        Err(_) => Ok(zoned_time_value(GO_ZERO_TIME, 0, 0, "UTC")),
    }
}

/// `mustToDate(layout, text string)`.
pub fn must_to_date(values: &[Value]) -> FuncResult {
    arity("mustToDate", values, 2)?;
    let layout = args::string(&values[0])?;
    let text = args::string(&values[1])?;
    parse_layout_zoned(&layout, &text).map(|(_, _, time)| time)
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", args::go_quote(text));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let length = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if length == 0 {
            return Err(invalid());
        }
        let amount: f64 = rest[..length].parse().map_err(|_| invalid())?;
        rest = &rest[length..];
        let unit_length = rest
            .bytes()
            .take_while(|b| !b.is_ascii_digit() && *b != b'.')
            .count();
        let unit = &rest[..unit_length];
        rest = &rest[unit_length..];
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    args::go_quote(text)
                ))
            }
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    args::go_quote(unit),
                    args::go_quote(text)
                ))
            }
        };
        total += amount * scale;
    }
    if total > 9.223_372_036_854_776e18 {
        return Err(invalid());
    }
    Ok(if negative {
        -(total.round() as i128)
    } else {
        total.round() as i128
    })
}

/// Go's `time.Duration.String()`.
pub fn format_duration(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let magnitude = nanos.unsigned_abs();
    if magnitude < 1_000_000_000 {
        let (unit, scale) = if magnitude < 1_000 {
            ("ns", 1)
        } else if magnitude < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", decimal(magnitude, scale));
    }
    let seconds = magnitude / 1_000_000_000;
    let fraction = magnitude % 1_000_000_000;
    let (hours, minutes, secs) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let secs_text = decimal(secs * 1_000_000_000 + fraction, 1_000_000_000);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{secs_text}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{secs_text}s")
    } else {
        format!("{sign}{secs_text}s")
    }
}

fn decimal(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `dateModify(duration string, date time.Time)`: the date unchanged on a bad duration.
pub fn date_modify(values: &[Value]) -> FuncResult {
    arity("dateModify", values, 2)?;
    let text = args::string(&values[0])?;
    let (seconds, nanos) = time_arg(&values[1])?;
    match parse_duration(&text) {
        Ok(delta) => Ok(shifted(&values[1], seconds, nanos, delta)),
        Err(_) => Ok(values[1].clone()),
    }
}

/// `mustDateModify(duration string, date time.Time)`.
pub fn must_date_modify(values: &[Value]) -> FuncResult {
    arity("mustDateModify", values, 2)?;
    let text = args::string(&values[0])?;
    let (seconds, nanos) = time_arg(&values[1])?;
    Ok(shifted(&values[1], seconds, nanos, parse_duration(&text)?))
}

/// `original` moved by `delta` nanoseconds, in its own zone (Go's `Time.Add`).
fn shifted(original: &Value, seconds: i64, nanos: u32, delta: i128) -> Value {
    let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos) + delta;
    let seconds = total.div_euclid(1_000_000_000);
    let nanos = total.rem_euclid(1_000_000_000) as u32;
    let seconds = seconds.clamp(i128::from(i64::MIN / 2), i128::from(i64::MAX / 2)) as i64;
    match original {
        Value::Time(time) => moved(time, seconds, nanos),
        _ => zoned_time_value(seconds, nanos, 0, "UTC"),
    }
}

/// Whether a time is in the local zone: a time value keeps only its offset and zone name,
/// and the ones in a named non-UTC zone come from `now`, `.Local` and `toDate`, which are
/// all local (Go's parse also picks the local zone for a matching offset and name).
fn is_local(time: &Time) -> bool {
    if time.local {
        return true;
    }
    let (offset, name) = zone_of(time);
    if offset == 0 && name == "UTC" {
        return false;
    }
    let found = zoneinfo::local().lookup(instant_of(time).0);
    found.offset == offset && found.name == name
}

/// `time` moved by Go's `Add` to another instant in its own zone. A monotonic reading
/// moves along, unless it would overflow or the instant leaves the range Go keeps one
/// for (1885 to 2157).
fn moved(time: &Time, seconds: i64, nanos: u32) -> Value {
    let (old_seconds, old_nanos) = instant_of(time);
    let delta = (i128::from(seconds) - i128::from(old_seconds)) * 1_000_000_000 + i128::from(nanos)
        - i128::from(old_nanos);
    let first = days_from_civil(1885, 1, 1) * 86_400;
    let monotonic = time.monotonic.and_then(|reading| {
        let next = i64::try_from(i128::from(reading) + delta).ok()?;
        (first..=first + (1 << 33) - 1)
            .contains(&seconds)
            .then_some(next)
    });
    in_zone_of(time, seconds, nanos, monotonic)
}

/// Another instant in the location of `time`: a local time takes the local zone's offset
/// there (across a daylight-saving change), a fixed zone keeps its offset.
fn in_zone_of(time: &Time, seconds: i64, nanos: u32, monotonic: Option<i64>) -> Value {
    if is_local(time) {
        let zone = zoneinfo::local().lookup(seconds);
        return make_time(seconds, nanos, (zone.offset, &zone.name), true, monotonic);
    }
    let (offset, zone) = zone_of(time);
    make_time(seconds, nanos, (offset, &zone), false, monotonic)
}

/// `duration(seconds)`: Go's Duration string of whole seconds.
pub fn duration(values: &[Value]) -> FuncResult {
    arity("duration", values, 1)?;
    let seconds: i64 = match &values[0] {
        // strconv.ParseInt: out of range gives the nearest bound (with an error sprig drops).
        Value::Str(text) => args::parse_decimal_int(text).unwrap_or_else(|| {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                0
            } else if text.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            }
        }),
        Value::Named(NamedInt {
            of: IntType::Int64,
            number,
        }) => *number,
        _ => 0,
    };
    // Go's `time.Duration(n) * time.Second` wraps around.
    Ok(Value::str(format_duration(i128::from(
        seconds.wrapping_mul(1_000_000_000),
    ))))
}

/// `durationRound(duration)`: the largest whole unit (`2h`, `3mo`, `1y`).
pub fn duration_round(values: &[Value]) -> FuncResult {
    arity("durationRound", values, 1)?;
    let nanos: i128 = match &values[0] {
        Value::Str(text) => parse_duration(text).unwrap_or(0),
        Value::Named(NamedInt {
            of: IntType::Int64,
            number,
        }) => i128::from(*number),
        Value::Time(time) => {
            let (seconds, nanos) = now();
            (i128::from(seconds) - i128::from(time.unix_seconds)) * 1_000_000_000
                + i128::from(nanos)
                - i128::from(time.nanos)
        }
        _ => 0,
    };
    let magnitude = nanos.unsigned_abs();
    let second: u128 = 1_000_000_000;
    let units: [(u128, &str); 6] = [
        (second * 3600 * 24 * 365, "y"),
        (second * 3600 * 24 * 30, "mo"),
        (second * 3600 * 24, "d"),
        (second * 3600, "h"),
        (second * 60, "m"),
        (second, "s"),
    ];
    for (size, name) in units {
        if magnitude > size {
            return Ok(Value::str(format!("{}{name}", magnitude / size)));
        }
    }
    Ok(Value::str("0s"))
}

/// `ago(date)`: the time since `date`, rounded to seconds.
pub fn ago(values: &[Value]) -> FuncResult {
    arity("ago", values, 1)?;
    let (then, then_nanos) = instant(&values[0]);
    let (seconds, nanos) = now();
    let elapsed = (i128::from(seconds) - i128::from(then)) * 1_000_000_000 + i128::from(nanos)
        - i128::from(then_nanos);
    let rounded = (elapsed
        + if elapsed >= 0 {
            500_000_000
        } else {
            -500_000_000
        })
        / 1_000_000_000
        * 1_000_000_000;
    Ok(Value::str(format_duration(rounded)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_go_layouts() {
        // 2024-03-05 14:07:09.120 UTC, a Tuesday, day 65 of a leap year.
        let (s, n) = (1_709_647_629, 120_000_000);
        assert_eq!(
            format_layout("2006-01-02 15:04:05", s, n),
            "2024-03-05 14:07:09"
        );
        assert_eq!(
            format_layout("Mon Jan _2 3:04PM 2006", s, n),
            "Tue Mar  5 2:07PM 2024"
        );
        assert_eq!(
            format_layout("Monday, January 2 06 002", s, n),
            "Tuesday, March 5 24 065"
        );
        assert_eq!(
            format_layout("15:04:05.000 .999 Z07:00 -0700 MST", s, n),
            "14:07:09.120 .12 Z +0000 UTC"
        );
        assert_eq!(
            format_layout("2006-01-02T15:04:05.999999999Z07:00", 0, 0),
            "1970-01-01T00:00:00Z"
        );
        match time_value(s, n) {
            Value::Time(time) => assert_eq!(time.display, "2024-03-05 14:07:09.12 +0000 UTC"),
            _ => panic!("not a time"),
        }
    }

    #[test]
    fn parses_go_layouts() {
        assert_eq!(
            parse_layout("2006-01-02", "2024-03-05").unwrap(),
            (1_709_596_800, 0)
        );
        assert_eq!(
            parse_layout("2006-01-02T15:04:05Z07:00", "2024-03-05T14:07:09+01:00")
                .unwrap()
                .0,
            1_709_644_029
        );
        assert_eq!(
            parse_layout("02 Jan 06 15:04", "05 Mar 24 14:07")
                .unwrap()
                .0,
            1_709_647_620
        );
        assert!(parse_layout("2006-01-02", "2024-3-05").is_err());
        assert!(parse_layout("2006-01-02", "2024-03-05x").is_err());
        assert!(parse_layout("Jan 2006", "Ja\u{e9} 2006").is_err());
        assert!(parse_layout("Monday", "Mo\u{e9}\u{e9}\u{e9}\u{e9}").is_err());
    }

    #[test]
    fn now_is_local_with_a_monotonic_reading() {
        let Ok(Value::Time(now)) = now_fn(&[]) else {
            panic!("now is not a time");
        };
        let reading = now.monotonic.expect("a monotonic reading");
        assert!(reading > 0);
        assert!(now.display.ends_with(&monotonic_text(reading)));
        assert_eq!(monotonic_text(1), " m=+0.000000001");
        assert_eq!(monotonic_text(-7_199_995_810_714), " m=-7199.995810714");
        assert_eq!(
            monotonic_text(4_102_444_800_004_435_207),
            " m=+4102444800.004435207"
        );
        let method =
            |time: &Time, name: &str, values: &[Value]| match time_method(time, name, values) {
                Some(Ok(value)) => value,
                other => panic!("{name}: {other:?}"),
            };
        let text = |value: Value| match value {
            Value::Str(text) => text.to_string(),
            Value::Time(time) => time.display.clone(),
            // A `*time.Location` prints as its name.
            Value::Record(record) if record.type_name == LOCATION_TYPE => {
                record.string_form.clone().unwrap_or_default()
            }
            other => panic!("not text: {other:?}"),
        };
        // Go's `Local` location, whatever its zone (`Local` for /etc/localtime, `UTC` for TZ="").
        assert_eq!(text(method(&now, "Location", &[])), zoneinfo::local_name());
        let Value::Time(utc) = method(&now, "UTC", &[]) else {
            panic!("UTC is not a time");
        };
        assert_eq!(text(method(&utc, "Location", &[])), "UTC");
        assert!(!utc.local && utc.monotonic.is_none());
        assert!(go_string(&now).ends_with(", time.Local)"));
        assert!(go_string(&utc).ends_with(", time.UTC)"));
        // Add keeps the reading, moved along; Round(0) drops it but stays local.
        let Value::Time(later) = method(&now, "Add", &[named(IntType::Duration, 1_000_000_000)])
        else {
            panic!("Add is not a time");
        };
        assert_eq!(later.monotonic, Some(reading + 1_000_000_000));
        let Value::Time(rounded) = method(&now, "Round", &[named(IntType::Duration, 0)]) else {
            panic!("Round is not a time");
        };
        assert!(rounded.local && rounded.monotonic.is_none());
        assert!(!rounded.display.contains(" m="));
        assert_eq!(zone_of(&now), zone_of(&rounded));
        let Ok(Value::Time(parsed)) =
            to_date(&[Value::str("2006-01-02"), Value::str("2024-01-02")])
        else {
            panic!("toDate is not a time");
        };
        assert_eq!(
            text(method(&parsed, "Location", &[])),
            zoneinfo::local_name()
        );
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5s").unwrap(), -1_500_000_000);
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("1x").is_err());
        assert_eq!(format_duration(5_400_000_000_000), "1h30m0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(-61_000_000_000), "-1m1s");
        assert_eq!(format_duration(0), "0s");
        assert!(matches!(duration(&[Value::str("95")]), Ok(Value::Str(t)) if &*t == "1m35s"));
        assert!(matches!(duration_round(&[Value::str("2h5m")]), Ok(Value::Str(t)) if &*t == "2h"));
    }

    #[test]
    fn method_counts_agree_with_the_methods() {
        let Value::Time(time) = zoned_time_value(1_709_247_599, 500_000_000, 3600, "") else {
            panic!("not a time");
        };
        let names = [
            "String",
            "Format",
            "Add",
            "AddDate",
            "Sub",
            "In",
            "Location",
            "Zone",
            "Date",
            "Year",
            "Round",
            "Equal",
            "GobEncode",
            "Nope",
            "wall",
            "AppendFormat",
        ];
        for name in names {
            let params = time_method_params(name);
            let args = vec![Value::Nil; params.unwrap_or(0)];
            assert_eq!(
                params.is_some(),
                time_method(&time, name, &args).is_some(),
                "{name}"
            );
        }
        // A plain `int` is no `time.Duration` (a constant is made one by the executor).
        assert!(time_method(&time, "Add", &[Value::Int(1)]).is_some_and(|r| r.is_err()));
        assert!(takes_duration(&Value::Time(time.clone()), "Round"));
        assert!(!takes_duration(&Value::Time(time.clone()), "AddDate"));
    }

    #[test]
    fn locations_round_trip_through_in() {
        let Value::Time(fixed) = zoned_time_value(1_709_247_599, 0, -19_800, "") else {
            panic!("not a time");
        };
        let Value::Time(utc) = zoned_time_value(1_704_067_200, 0, 0, "UTC") else {
            panic!("not a time");
        };
        let location = |time: &Time| match time_method(time, "Location", &[]) {
            Some(Ok(value)) => value,
            other => panic!("Location: {other:?}"),
        };
        let fixed_location = location(&fixed);
        assert_eq!(fixed_location.go_type(), LOCATION_TYPE);
        let Value::Record(record) = &fixed_location else {
            panic!("not a record");
        };
        assert_eq!(record.string_form.as_deref(), Some(""));
        match time_method(&utc, "In", std::slice::from_ref(&fixed_location)) {
            Some(Ok(Value::Time(moved))) => {
                assert_eq!(moved.display, "2023-12-31 18:30:00 -0530 -0530");
                assert!(!moved.local);
            }
            other => panic!("In: {other:?}"),
        }
        let wrong = time_method(&utc, "In", &[Value::str("UTC")]);
        assert!(
            matches!(wrong, Some(Err(m)) if m.ends_with("expected *time.Location; got string"))
        );
    }

    #[test]
    fn locations_keep_their_kind_and_identity() {
        let kind_of = |value: &Value| match value {
            Value::Record(record) => match location_kind(record) {
                ZoneKind::Local => "Local".to_string(),
                ZoneKind::Utc => "UTC".to_string(),
                ZoneKind::Fixed(offset, name) => format!("{offset} {name:?}"),
            },
            other => panic!("not a location: {other:?}"),
        };
        let local = location_value(&ZoneKind::Local);
        let utc = location_value(&ZoneKind::Utc);
        let fixed = location_value(&ZoneKind::Fixed(-19_800, String::new()));
        assert_eq!(kind_of(&local), "Local");
        assert_eq!(kind_of(&utc), "UTC");
        assert_eq!(kind_of(&fixed), "-19800 \"\"");
        assert_eq!(kind_of(&zero_location()), "UTC");
        // The same location is the same value (Go compares pointers).
        let (Value::Record(a), Value::Record(b)) = (&local, &location_value(&ZoneKind::Local))
        else {
            panic!("not records");
        };
        assert!(Rc::ptr_eq(a, b));
        // A copy of the local location's fields is not the local location.
        let copy = Value::Record(Rc::new((**a).clone()));
        assert_ne!(kind_of(&copy), "Local");
        // UTC has no zones and a nil cache; a fixed zone one zone from Go's first instant.
        let field = |value: &Value, name: &str| match value {
            Value::Record(record) => record.field(name).cloned(),
            _ => None,
        };
        assert!(matches!(field(&utc, "zone"), Some(Value::List(list)) if list.is_nil));
        assert!(matches!(field(&utc, "cacheZone"), Some(Value::Record(r)) if r.fields.is_empty()));
        assert!(matches!(field(&fixed, "tx"), Some(Value::List(list)) if list.items.len() == 1));
    }
}
