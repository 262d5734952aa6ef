//! Time zones as Go's `time` package finds them: `LoadLocation(name)` reads a TZif file from
//! `$ZONEINFO` (a directory, or a zip of stored entries like Go's `zoneinfo.zip`), then `/usr/share/zoneinfo/`,
//! `/usr/share/lib/zoneinfo/`, `/usr/lib/locale/TZ/` and `/etc/zoneinfo`; the local zone
//! comes from `$TZ` or `/etc/localtime` (Go's `initLocal`). docker-gen embeds no zone
//! database (no `time/tzdata` import), so a host without these files has only UTC, in both.
//!
//! Hand-written rather than the `tz-rs` crate: Go's own lookup rules (the zone before the
//! first transition, the POSIX TZ footer for later times, the two-letter-name quirks) are
//! what templates observe, and they fit in this module. It only reads files; it never
//! writes, and a file it cannot use is a zone that does not exist (Go's error, which sprig
//! turns into UTC).

use std::sync::OnceLock;

use crate::log::days_from_civil;

/// One local time type of a zone: its offset east of UTC, abbreviation and DST flag.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ZoneType {
    offset: i64,
    is_dst: bool,
    name: String,
}

/// A loaded location: Go's `time.Location` (without its cache).
#[derive(Clone, Debug, Default)]
pub struct Location {
    zones: Vec<ZoneType>,
    /// Transition instants (Unix seconds) and the zone type in force from each.
    transitions: Vec<(i64, usize)>,
    /// The POSIX TZ rule for instants after the last transition.
    extend: String,
    /// The file's standard/wall and UT/local indicators, which Go gives to the transitions
    /// in order (only printed).
    indicators: Vec<(bool, bool)>,
}

/// A transition as Go's `zoneTrans` holds it: instant, zone index, `isstd`, `isutc`.
pub type Transition = (i64, usize, bool, bool);

/// The zone in force at an instant: abbreviation, offset, and the instants it holds from and
/// until (Go's `lookup`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneAt {
    pub name: String,
    pub offset: i64,
    pub start: i64,
    pub end: i64,
    pub is_dst: bool,
}

const ALPHA: i64 = i64::MIN;
const OMEGA: i64 = i64::MAX;
const DAY: i64 = 86_400;

impl Location {
    /// UTC (also Go's location without zones).
    pub fn utc() -> Location {
        Location::default()
    }

    /// Go's `Location.lookup` for Unix second `sec`.
    pub fn lookup(&self, sec: i64) -> ZoneAt {
        if self.zones.is_empty() {
            return ZoneAt {
                name: "UTC".to_string(),
                offset: 0,
                start: ALPHA,
                end: OMEGA,
                is_dst: false,
            };
        }
        let zone_at = |index: usize, start: i64, end: i64| {
            let zone = &self.zones[index];
            ZoneAt {
                name: zone.name.clone(),
                offset: zone.offset,
                start,
                end,
                is_dst: zone.is_dst,
            }
        };
        if self.transitions.first().is_none_or(|first| sec < first.0) {
            let end = self.transitions.first().map_or(OMEGA, |first| first.0);
            return zone_at(self.first_zone(), ALPHA, end);
        }
        // The last transition at or before `sec`.
        let index = self.transitions.partition_point(|(when, _)| *when <= sec) - 1;
        let (start, zone) = self.transitions[index];
        let end = self.transitions.get(index + 1).map_or(OMEGA, |next| next.0);
        if index + 1 == self.transitions.len() && !self.extend.is_empty() {
            if let Some(found) = tzset(&self.extend, start, sec) {
                return found;
            }
        }
        zone_at(zone, start, end)
    }

    /// The zones (abbreviation, offset, DST flag) as Go's `Location` holds them (printed).
    pub fn zone_parts(&self) -> impl Iterator<Item = (&str, i64, bool)> {
        self.zones
            .iter()
            .map(|z| (z.name.as_str(), z.offset, z.is_dst))
    }

    /// The transitions as Go's `Location` holds them (printed).
    pub fn transition_parts(&self) -> impl Iterator<Item = Transition> + '_ {
        self.transitions
            .iter()
            .enumerate()
            .map(|(i, (when, zone))| {
                let (std, utc) = self.indicators.get(i).copied().unwrap_or_default();
                (*when, *zone, std, utc)
            })
    }

    /// The POSIX TZ rule for instants after the last transition.
    pub fn extend(&self) -> &str {
        &self.extend
    }

    /// Go's `lookupFirstZone`: the zone for instants before the first transition.
    fn first_zone(&self) -> usize {
        if !self.transitions.iter().any(|(_, zone)| *zone == 0) {
            return 0;
        }
        if let Some(&(_, first)) = self.transitions.first() {
            if self.zones[first].is_dst {
                if let Some(standard) = (0..first).rev().find(|&z| !self.zones[z].is_dst) {
                    return standard;
                }
            }
        }
        self.zones.iter().position(|z| !z.is_dst).unwrap_or(0)
    }

    /// Go's `lookupName`: the offset of the zone abbreviated `name` near `unix` (a wall
    /// time taken as UTC), preferring one actually in force then.
    pub fn lookup_name(&self, name: &str, unix: i64) -> Option<i64> {
        for zone in self.zones.iter().filter(|z| z.name == name) {
            let found = self.lookup(unix.saturating_sub(zone.offset));
            if found.name == zone.name {
                return Some(found.offset);
            }
        }
        self.zones.iter().find(|z| z.name == name).map(|z| z.offset)
    }

    /// Go's `Date` in this location: the instant of a wall-clock time given as seconds
    /// since the epoch as if it were UTC.
    pub fn instant_of_wall(&self, wall: i64) -> i64 {
        let found = self.lookup(wall);
        if found.offset == 0 {
            return wall;
        }
        let mut offset = found.offset;
        let utc = wall.saturating_sub(offset);
        if utc < found.start || utc >= found.end {
            offset = self.lookup(utc).offset;
        }
        wall.saturating_sub(offset)
    }
}

/// Big-endian reads over a byte slice, as Go's `dataIO`.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.data.len() {
            return None;
        }
        let (head, rest) = self.data.split_at(count);
        self.data = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Option<i64> {
        let b = self.take(8)?;
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(b);
        Some(i64::from_be_bytes(bytes))
    }
}

/// Go's `LoadLocationFromTZData`: a TZif file (versions 1 to 3) with its footer.
pub fn parse_tzif(data: &[u8]) -> Option<Location> {
    let mut reader = Reader { data };
    if reader.take(4)? != b"TZif" {
        return None;
    }
    let version = match reader.take(16)?[0] {
        0 => 1,
        b'2' => 2,
        b'3' => 3,
        _ => return None,
    };
    let mut counts = [0usize; 6];
    for count in &mut counts {
        *count = reader.u32()? as usize;
    }
    // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
    let [mut utc_count, mut std_count, mut leap_count, mut time_count, mut zone_count, mut char_count] =
        counts;
    let mut wide = false;
    if version > 1 {
        // Skip the 32-bit data and the second header's magic and version.
        // In u64: the counts come from the file, and usize may have 32 bits.
        let skip = [
            (time_count, 5),
            (zone_count, 6),
            (char_count, 1),
            (leap_count, 8),
            (std_count, 1),
            (utc_count, 1),
            (20, 1),
        ]
        .iter()
        .map(|(count, size)| *count as u64 * size)
        .sum::<u64>();
        reader.take(usize::try_from(skip).ok()?)?;
        for count in &mut counts {
            *count = reader.u32()? as usize;
        }
        [
            utc_count, std_count, leap_count, time_count, zone_count, char_count,
        ] = counts;
        wide = true;
    }
    let size = if wide { 8 } else { 4 };
    let times = reader.take(time_count.checked_mul(size)?)?;
    let indexes = reader.take(time_count)?;
    let zone_data = reader.take(zone_count.checked_mul(6)?)?;
    let abbreviations = reader.take(char_count)?;
    reader.take(leap_count.checked_mul(size + 4)?)?;
    let std_flags = reader.take(std_count)?;
    let utc_flags = reader.take(utc_count)?;
    let rest = reader.data;
    let extend = if rest.len() > 2 && rest[0] == b'\n' && rest[rest.len() - 1] == b'\n' {
        String::from_utf8_lossy(&rest[1..rest.len() - 1]).into_owned()
    } else {
        String::new()
    };
    if zone_count == 0 {
        return None;
    }
    let mut zones = Vec::with_capacity(zone_count);
    for entry in zone_data.chunks(6) {
        let offset = i32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]);
        let at = usize::from(entry[5]);
        if at >= abbreviations.len() {
            return None;
        }
        let tail = &abbreviations[at..];
        let end = tail.iter().position(|b| *b == 0).unwrap_or(tail.len());
        zones.push(ZoneType {
            offset: i64::from(offset),
            is_dst: entry[4] != 0,
            name: String::from_utf8_lossy(&tail[..end]).into_owned(),
        });
    }
    let mut time_reader = Reader { data: times };
    let mut transitions = Vec::with_capacity(time_count);
    for index in indexes {
        let when = if wide {
            time_reader.i64()?
        } else {
            i64::from(time_reader.u32()? as i32)
        };
        let zone = usize::from(*index);
        if zone >= zones.len() {
            return None;
        }
        transitions.push((when, zone));
    }
    if transitions.is_empty() {
        transitions.push((ALPHA, 0));
    }
    let flag = |flags: &[u8], i: usize| flags.get(i).is_some_and(|f| *f != 0);
    let indicators = (0..time_count)
        .map(|i| (flag(std_flags, i), flag(utc_flags, i)))
        .collect();
    Some(Location {
        zones,
        transitions,
        extend,
        indicators,
    })
}

/// Go caps zone files at 10 MB.
const MAX_FILE: u64 = 10 << 20;

fn read_zone_file(path: &str) -> Option<Location> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut data = Vec::new();
    file.take(MAX_FILE).read_to_end(&mut data).ok()?;
    parse_tzif(&data)
}

/// Go's system zone directories (`platformZoneSources` on Unix).
const ZONE_SOURCES: [&str; 4] = [
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
    "/etc/zoneinfo",
];

/// The stored (uncompressed) entry `name` of a zip file, as Go reads `$ZONEINFO` when it
/// names one (Go's `loadTzinfoFromZip`: no archive comment, stored entries only).
fn zip_entry(zip: &[u8], name: &str) -> Option<Vec<u8>> {
    let u16_at = |data: &[u8], at: usize| -> Option<usize> {
        let bytes = data.get(at..at + 2)?;
        Some(usize::from(u16::from_le_bytes([bytes[0], bytes[1]])))
    };
    let u32_at = |data: &[u8], at: usize| -> Option<usize> {
        let bytes = data.get(at..at + 4)?;
        usize::try_from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])).ok()
    };
    let tail = zip.get(zip.len().checked_sub(22)?..)?;
    if u32_at(tail, 0)? != 0x0605_4b50 {
        return None;
    }
    let (count, size, offset) = (u16_at(tail, 10)?, u32_at(tail, 12)?, u32_at(tail, 16)?);
    let mut directory = zip.get(offset..offset.checked_add(size)?)?;
    for _ in 0..count {
        if u32_at(directory, 0)? != 0x0201_4b50 {
            break;
        }
        let method = u16_at(directory, 10)?;
        let length = u32_at(directory, 24)?;
        let name_length = u16_at(directory, 28)?;
        let skip = 46 + name_length + u16_at(directory, 30)? + u16_at(directory, 32)?;
        let at = u32_at(directory, 42)?;
        let entry_name = directory.get(46..46 + name_length)?;
        directory = directory.get(skip..)?;
        if entry_name != name.as_bytes() {
            continue;
        }
        if method != 0 {
            return None;
        }
        let header = zip.get(at..at.checked_add(30 + name_length)?)?;
        if u32_at(header, 0)? != 0x0403_4b50
            || u16_at(header, 8)? != method
            || u16_at(header, 26)? != name_length
            || header.get(30..)? != name.as_bytes()
        {
            return None;
        }
        let start = at + 30 + name_length + u16_at(header, 28)?;
        return zip
            .get(start..start.checked_add(length)?)
            .map(<[u8]>::to_vec);
    }
    None
}

/// The first of `sources` that holds a usable zone file `name`; a source ending in `.zip`
/// is a zip file.
fn load_from(name: &str, sources: &[&str]) -> Option<Location> {
    sources.iter().find_map(|source| {
        if source.len() > 4 && source.ends_with(".zip") {
            let zip = std::fs::read(source).ok()?;
            return parse_tzif(&zip_entry(&zip, name)?);
        }
        let path = if source.is_empty() {
            name.to_string()
        } else {
            format!("{source}/{name}")
        };
        read_zone_file(&path)
    })
}

/// Go's `time.LoadLocation`: `None` where Go returns an error. `Local` is the local zone.
pub fn load_location(name: &str) -> Option<Location> {
    match name {
        "" | "UTC" => return Some(Location::utc()),
        "Local" => return Some(local().clone()),
        _ => {}
    }
    if name.contains("..") || name.starts_with(['/', '\\']) {
        return None;
    }
    if let Some(directory) = std::env::var_os("ZONEINFO") {
        let directory = directory.to_string_lossy();
        if !directory.is_empty() {
            if let Some(location) = load_from(name, &[&directory]) {
                return Some(location);
            }
        }
    }
    load_from(name, &ZONE_SOURCES)
}

/// Go's `time.Local`, found once: `$TZ` (unset: `/etc/localtime`; empty or unusable: UTC).
pub fn local() -> &'static Location {
    &local_zone().0
}

/// The name Go gives the local location (`Location.String()`): `Local` for
/// `/etc/localtime`, the `$TZ` text for another zone, `UTC` when there is none.
pub fn local_name() -> &'static str {
    &local_zone().1
}

fn local_zone() -> &'static (Location, String) {
    static LOCAL: OnceLock<(Location, String)> = OnceLock::new();
    LOCAL.get_or_init(|| {
        local_from(std::env::var("TZ").ok().as_deref())
            .unwrap_or_else(|| (Location::utc(), "UTC".to_string()))
    })
}

fn local_from(tz: Option<&str>) -> Option<(Location, String)> {
    let Some(tz) = tz else {
        return Some((load_from("localtime", &["/etc"])?, "Local".to_string()));
    };
    let tz = tz.strip_prefix(':').unwrap_or(tz);
    let name = if tz == "/etc/localtime" { "Local" } else { tz };
    let location = if tz.starts_with('/') {
        load_from(tz, &[""])
    } else if !tz.is_empty() && tz != "UTC" {
        load_from(tz, &ZONE_SOURCES)
    } else {
        None
    }?;
    Some((location, name.to_string()))
}

/// A POSIX TZ rule: when a change happens within a year.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(i64, i64),
    /// `n`: day 0 to 365, February 29 counted.
    DayOfYear(i64, i64),
    /// `Mm.w.d`: weekday `d` of week `w` (5 = last) of month `m`.
    MonthWeekDay(i64, i64, i64, i64),
}

/// Parses a number within `min..=max` at the start of `text` (Go's `tzsetNum`).
fn tz_number(text: &str, min: i64, max: i64) -> Option<(i64, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut number: i64 = 0;
    for byte in text[..digits].bytes() {
        number = number * 10 + i64::from(byte - b'0');
        if number > max {
            return None;
        }
    }
    (number >= min).then_some((number, &text[digits..]))
}

/// A zone name: three or more characters up to a digit, sign or comma, or `<...>`.
fn tz_name(text: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = text.strip_prefix('<') {
        let end = quoted.find('>')?;
        return Some((&quoted[..end], &quoted[end + 1..]));
    }
    match text.find(|c: char| c.is_ascii_digit() || matches!(c, ',' | '-' | '+')) {
        Some(end) if end < 3 => None,
        Some(end) => Some((&text[..end], &text[end..])),
        None if text.len() < 3 => None,
        None => Some((text, "")),
    }
}

/// `[+-]hh[:mm[:ss]]` in seconds, hours up to 167.
fn tz_offset(text: &str) -> Option<(i64, &str)> {
    let (negative, text) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let (hours, mut rest) = tz_number(text, 0, 24 * 7)?;
    let mut offset = hours * 3600;
    for scale in [60, 1] {
        let Some(after) = rest.strip_prefix(':') else {
            break;
        };
        let (value, after) = tz_number(after, 0, 59)?;
        offset += value * scale;
        rest = after;
    }
    Some((if negative { -offset } else { offset }, rest))
}

fn tz_rule(text: &str) -> Option<(Rule, &str)> {
    let (mut rule, rest) = if let Some(after) = text.strip_prefix('J') {
        let (day, rest) = tz_number(after, 1, 365)?;
        (Rule::Julian(day, 0), rest)
    } else if let Some(after) = text.strip_prefix('M') {
        let (month, rest) = tz_number(after, 1, 12)?;
        let (week, rest) = tz_number(rest.strip_prefix('.')?, 1, 5)?;
        let (day, rest) = tz_number(rest.strip_prefix('.')?, 0, 6)?;
        (Rule::MonthWeekDay(month, week, day, 0), rest)
    } else {
        let (day, rest) = tz_number(text, 0, 365)?;
        (Rule::DayOfYear(day, 0), rest)
    };
    let (time, rest) = match rest.strip_prefix('/') {
        Some(after) => tz_offset(after)?,
        None => (2 * 3600, rest),
    };
    match &mut rule {
        Rule::Julian(_, t) | Rule::DayOfYear(_, t) | Rule::MonthWeekDay(_, _, _, t) => *t = time,
    }
    Some((rule, rest))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Seconds from the start of `year` (UTC) to the change `rule` names, for a zone `offset`
/// east of UTC before it (Go's `tzruleTime`).
fn rule_time(year: i64, rule: Rule, offset: i64) -> i64 {
    let (day, time) = match rule {
        Rule::Julian(day, time) => {
            let leap_day = i64::from(is_leap(year) && day >= 60);
            (day - 1 + leap_day, time)
        }
        Rule::DayOfYear(day, time) => (day, time),
        Rule::MonthWeekDay(month, week, weekday, time) => {
            let first = days_from_civil(year, month as u32, 1);
            // 1970-01-01 was a Thursday (weekday 4).
            let first_weekday = (first + 4).rem_euclid(7);
            let mut day = (weekday - first_weekday).rem_euclid(7);
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month as u32 + 1)
            };
            let month_days = days_from_civil(next_year, next_month, 1) - first;
            for _ in 1..week {
                if day + 7 >= month_days {
                    break;
                }
                day += 7;
            }
            (first - days_from_civil(year, 1, 1) + day, time)
        }
    };
    day * DAY + time - offset
}

/// Go's `tzset`: the zone a POSIX TZ string gives at `sec`, after a last transition at
/// `last_transition`. `None` when the string does not parse.
fn tzset(text: &str, last_transition: i64, sec: i64) -> Option<ZoneAt> {
    let (std_name, rest) = tz_name(text)?;
    let (std_offset, rest) = tz_offset(rest)?;
    let std_offset = -std_offset;
    if rest.is_empty() || rest.starts_with(',') {
        return Some(ZoneAt {
            name: std_name.to_string(),
            offset: std_offset,
            start: last_transition,
            end: OMEGA,
            is_dst: false,
        });
    }
    let (dst_name, rest) = tz_name(rest)?;
    let (dst_offset, rest) = if rest.is_empty() || rest.starts_with(',') {
        (std_offset + 3600, rest)
    } else {
        let (offset, rest) = tz_offset(rest)?;
        (-offset, rest)
    };
    let rules = if rest.is_empty() {
        ",M3.2.0,M11.1.0"
    } else {
        rest
    };
    let rules = rules.strip_prefix([',', ';'])?;
    let (start_rule, rest) = tz_rule(rules)?;
    let (end_rule, rest) = tz_rule(rest.strip_prefix(',')?)?;
    if !rest.is_empty() {
        return None;
    }
    let days = sec.div_euclid(DAY);
    let (year, _, _) = crate::log::civil_from_days(days);
    // Go computes the second of the year with a truncating remainder.
    let year_second = (days - days_from_civil(year, 1, 1)) * DAY + sec % DAY;
    let year_start = sec.saturating_sub(year_second);
    let mut start = rule_time(year, start_rule, std_offset);
    let mut end = rule_time(year, end_rule, dst_offset);
    let (mut std_name, mut dst_name) = (std_name, dst_name);
    let (mut std_offset, mut dst_offset) = (std_offset, dst_offset);
    // Which of the two is daylight time, after a southern-hemisphere swap.
    let mut dst_is_dst = true;
    if end < start {
        std::mem::swap(&mut start, &mut end);
        std::mem::swap(&mut std_name, &mut dst_name);
        std::mem::swap(&mut std_offset, &mut dst_offset);
        dst_is_dst = false;
    }
    let zone = |name: &str, offset: i64, from: i64, until: i64, is_dst: bool| ZoneAt {
        name: name.to_string(),
        offset,
        start: from,
        end: until,
        is_dst,
    };
    // Near the ends of i64 the bounds saturate (Go's wrap there is not worth copying).
    let at = |offset_in_year: i64| year_start.saturating_add(offset_in_year);
    Some(if year_second < start {
        zone(std_name, std_offset, year_start, at(start), !dst_is_dst)
    } else if year_second >= end {
        zone(std_name, std_offset, at(end), at(365 * DAY), !dst_is_dst)
    } else {
        zone(dst_name, dst_offset, at(start), at(end), dst_is_dst)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TZif v2 file with no transitions: only a footer rule (as `zic` writes for
    /// zones whose rules never changed).
    fn footer_only(footer: &str, zones: &[(i32, bool, &str)]) -> Vec<u8> {
        let mut abbreviations = Vec::new();
        let mut zone_data = Vec::new();
        for (offset, dst, name) in zones {
            zone_data.extend_from_slice(&offset.to_be_bytes());
            zone_data.push(u8::from(*dst));
            zone_data.push(abbreviations.len() as u8);
            abbreviations.extend_from_slice(name.as_bytes());
            abbreviations.push(0);
        }
        let header = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"TZif2");
            out.extend_from_slice(&[0; 15]);
            for count in [0, 0, 0, 0, zones.len() as u32, abbreviations.len() as u32] {
                out.extend_from_slice(&count.to_be_bytes());
            }
            out.extend_from_slice(&zone_data);
            out.extend_from_slice(&abbreviations);
        };
        let mut out = Vec::new();
        header(&mut out);
        header(&mut out);
        out.extend_from_slice(format!("\n{footer}\n").as_bytes());
        out
    }

    #[test]
    fn footer_rules_like_go() {
        let data = footer_only("CET-1CEST,M3.5.0,M10.5.0/3", &[(3600, false, "CET")]);
        let berlin = parse_tzif(&data).unwrap();
        // 2024-07-01 12:00 UTC is summer time, 2024-01-15 is winter time.
        assert_eq!(berlin.lookup(1_719_835_200).name, "CEST");
        assert_eq!(berlin.lookup(1_719_835_200).offset, 7200);
        assert_eq!(berlin.lookup(1_705_320_000).name, "CET");
        // Summer time began 2024-03-31 01:00 UTC.
        assert_eq!(berlin.lookup(1_711_846_799).offset, 3600);
        assert_eq!(berlin.lookup(1_711_846_800).offset, 7200);
        // Southern hemisphere: the rules cross the new year.
        let sydney = tzset("AEST-10AEDT,M10.1.0,M4.1.0/3", ALPHA, 1_705_320_000).unwrap();
        assert_eq!((sydney.name.as_str(), sydney.offset), ("AEDT", 39_600));
        let fixed = tzset("<+0530>-5:30", 0, 1_705_320_000).unwrap();
        assert_eq!((fixed.name.as_str(), fixed.offset), ("+0530", 19_800));
        assert!(tzset("AB-1", 0, 0).is_none());
        for instant in [i64::MIN, i64::MIN + 1, i64::MAX] {
            assert!(tzset("CET-1CEST,M3.5.0,M10.5.0/3", ALPHA, instant).is_some());
            assert!(tzset("AEST-10AEDT,J60/167,300/-167", ALPHA, instant).is_some());
        }
        assert!(parse_tzif(b"TZif").is_none());
        assert!(parse_tzif(&data[..60]).is_none());
    }

    #[test]
    fn wall_times_resolve_in_the_zone() {
        let data = footer_only("EST5EDT,M3.2.0,M11.1.0", &[(-18000, false, "EST")]);
        let new_york = parse_tzif(&data).unwrap();
        // 2024-07-01 12:00 wall time is 16:00 UTC.
        assert_eq!(new_york.instant_of_wall(1_719_835_200), 1_719_849_600);
        assert_eq!(new_york.lookup_name("EDT", 1_719_835_200), None);
        assert_eq!(new_york.lookup_name("EST", 1_719_835_200), Some(-18000));
    }

    /// Truncated and corrupted zone files are refused or read, never a panic.
    #[test]
    fn damaged_files_never_panic() {
        let mut data = footer_only("CET-1CEST,M3.5.0,M10.5.0/3", &[(3600, false, "CET")]);
        if let Ok(system) = std::fs::read("/usr/share/zoneinfo/Europe/Berlin") {
            data = system;
        }
        for length in 0..data.len() {
            if let Some(location) = parse_tzif(&data[..length]) {
                location.lookup(1_719_835_200);
            }
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut damaged = data.clone();
            let at = (seed % damaged.len() as u64) as usize;
            damaged[at] ^= (seed >> 32) as u8 | 1;
            if let Some(location) = parse_tzif(&damaged) {
                for instant in [i64::MIN, -1, 0, 1_719_835_200, i64::MAX] {
                    let zone = location.lookup(instant);
                    location.instant_of_wall(instant);
                    location.lookup_name(&zone.name, instant);
                }
            }
        }
    }

    /// A zip of stored entries, as Go's `zoneinfo.zip` (method 8 marks one deflated).
    fn zip_of(entries: &[(&str, &[u8], u16)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for (name, data, method) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0]);
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
            directory.extend_from_slice(&method.to_le_bytes());
            directory.extend_from_slice(&[0; 8]);
            directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_offset = out.len() as u32;
        out.extend_from_slice(&directory);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn reads_stored_zip_entries_like_go() {
        let berlin = footer_only("CET-1CEST,M3.5.0,M10.5.0/3", &[(3600, false, "CET")]);
        let zip = zip_of(&[
            ("Asia/Tokyo", b"not a zone", 0),
            ("Europe/Berlin", &berlin, 0),
            ("Packed/Zone", &berlin, 8),
        ]);
        assert_eq!(zip_entry(&zip, "Europe/Berlin").unwrap(), berlin);
        assert_eq!(zip_entry(&zip, "Asia/Tokyo").unwrap(), b"not a zone");
        assert!(zip_entry(&zip, "Packed/Zone").is_none());
        assert!(zip_entry(&zip, "Europe").is_none());
        let path = std::env::temp_dir().join(format!("tinygen-zones-{}.zip", std::process::id()));
        std::fs::write(&path, &zip).unwrap();
        let source = path.to_string_lossy().into_owned();
        let found = load_from("Europe/Berlin", &[&source]).map(|l| l.lookup(1_719_835_200));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(found.unwrap().name, "CEST");
        for length in 0..zip.len() {
            zip_entry(&zip[..length], "Europe/Berlin");
            let mut damaged = zip.clone();
            damaged[length] ^= 0xa5;
            zip_entry(&damaged, "Europe/Berlin");
        }
    }

    #[test]
    fn names_are_checked_like_go() {
        assert!(load_location("../etc/passwd").is_none());
        assert!(load_location("/etc/localtime").is_none());
        assert!(load_location("No/Such_Zone").is_none());
        assert!(load_location("UTC").unwrap().zones.is_empty());
    }
}
