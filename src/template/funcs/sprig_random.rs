//! sprig's non-deterministic functions (`randAlphaNum randAlpha randNumeric randAscii randInt
//! randBytes shuffle uuidv4`) over the kernel's random source, and the URL functions
//! (`urlParse urlJoin`). Nothing here is used by docker-gen's shipped templates; it exists so
//! that templates calling these still parse and run.

use std::collections::BTreeMap;
use std::io::Read;

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::encoding;
use crate::template::Value;

/// The most random characters one call may produce.
const MAX_RANDOM: i64 = 1 << 20;

/// `count` random bytes from /dev/urandom (a time-seeded generator if it cannot be read).
pub(crate) fn random_bytes(count: usize) -> Vec<u8> {
    let mut buffer = vec![0u8; count];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut buffer))
        .is_ok();
    if !filled {
        let mut seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |elapsed| elapsed.as_nanos() as u64)
            | 1;
        for byte in &mut buffer {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *byte = seed as u8;
        }
    }
    buffer
}

/// A uniformly chosen index below `bound` (rejection sampling over 32-bit draws).
pub(crate) fn random_below(bound: u64) -> u64 {
    if bound <= 1 {
        return 0;
    }
    let limit = u64::MAX - u64::MAX % bound;
    loop {
        let bytes = random_bytes(8);
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes);
        let draw = u64::from_le_bytes(word);
        if draw < limit {
            return draw % bound;
        }
    }
}

fn random_from(name: &str, values: &[Value], alphabet: &[u8]) -> FuncResult {
    arity(name, values, 1)?;
    let count = args::int(&values[0])?;
    if count <= 0 {
        return Ok(Value::str(""));
    }
    if count > MAX_RANDOM {
        return Err(format!("{name}: count {count} is too large"));
    }
    let text: String = (0..count)
        .map(|_| alphabet[random_below(alphabet.len() as u64) as usize] as char)
        .collect();
    Ok(Value::str(text))
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const DIGITS: &[u8] = b"0123456789";

/// `randAlphaNum(count int)`.
pub fn rand_alpha_num(values: &[Value]) -> FuncResult {
    random_from("randAlphaNum", values, ALPHANUMERIC)
}

/// `randAlpha(count int)`.
pub fn rand_alpha(values: &[Value]) -> FuncResult {
    random_from("randAlpha", values, LETTERS)
}

/// `randNumeric(count int)`.
pub fn rand_numeric(values: &[Value]) -> FuncResult {
    random_from("randNumeric", values, DIGITS)
}

/// `randAscii(count int)`: printable ASCII, space to tilde.
pub fn rand_ascii(values: &[Value]) -> FuncResult {
    let printable: Vec<u8> = (32u8..=126).collect();
    random_from("randAscii", values, &printable)
}

/// `randInt(min, max int)`: in `[min, max)`.
pub fn rand_int(values: &[Value]) -> FuncResult {
    arity("randInt", values, 2)?;
    let min = args::int(&values[0])?;
    let max = args::int(&values[1])?;
    let span = i128::from(max) - i128::from(min);
    if span <= 0 || span > i128::from(i64::MAX) {
        return Err("invalid argument to Intn".to_string());
    }
    Ok(Value::Int(
        (i128::from(min) + i128::from(random_below(span as u64))) as i64,
    ))
}

/// `randBytes(count int)`: base64 of that many random bytes.
pub fn rand_bytes(values: &[Value]) -> FuncResult {
    arity("randBytes", values, 1)?;
    let count = args::int(&values[0])?;
    if count < 0 {
        return Err("runtime error: makeslice: len out of range".to_string());
    }
    if count > MAX_RANDOM {
        return Err(format!("randBytes: count {count} is too large"));
    }
    let bytes = random_bytes(count as usize);
    Ok(Value::str(encoding::base64_of(&bytes)))
}

/// `shuffle(s string)`: the characters in random order.
pub fn shuffle(values: &[Value]) -> FuncResult {
    arity("shuffle", values, 1)?;
    let text = args::string(&values[0])?;
    let mut chars: Vec<char> = text.chars().collect();
    for index in (1..chars.len()).rev() {
        let other = random_below(index as u64 + 1) as usize;
        chars.swap(index, other);
    }
    Ok(Value::str(chars.into_iter().collect::<String>()))
}

/// `uuidv4()`: a random (version 4) UUID.
pub fn uuidv4(values: &[Value]) -> FuncResult {
    arity("uuidv4", values, 0)?;
    let mut bytes = random_bytes(16);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Value::str(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )))
}

/// Percent-decoding as Go's URL parser applies it to paths and fragments.
fn unescape(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text
                .get(index + 1..index + 3)
                .ok_or_else(|| format!("invalid URL escape {}", args::go_quote(&text[index..])))?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| {
                format!("invalid URL escape {}", args::go_quote(&format!("%{hex}")))
            })?;
            out.push(byte);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The parts of a URL as Go's `url.Parse` splits them (common forms).
struct Url {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    query: String,
    fragment: String,
}

fn parse_url(raw: &str) -> Result<Url, String> {
    let fail = |why: &str| format!("parse {}: {why}", args::go_quote(raw));
    let (rest, fragment) = match raw.split_once('#') {
        Some((rest, fragment)) => (rest, unescape(fragment).map_err(|e| fail(&e))?),
        None => (raw, String::new()),
    };
    let mut url = Url {
        scheme: String::new(),
        opaque: String::new(),
        userinfo: String::new(),
        host: String::new(),
        path: String::new(),
        query: String::new(),
        fragment,
    };
    let mut rest = rest;
    if let Some(colon) = rest.find(':') {
        let candidate = &rest[..colon];
        let valid = candidate
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if valid {
            url.scheme = candidate.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        } else if colon == 0 {
            return Err(fail("missing protocol scheme"));
        }
    }
    if let Some((before, query)) = rest.split_once('?') {
        url.query = query.to_string();
        rest = before;
    }
    if !url.scheme.is_empty() && !rest.starts_with('/') {
        url.opaque = rest.to_string();
        return Ok(url);
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        rest = &after[end..];
        let host = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                url.userinfo = userinfo.to_string();
                host
            }
            None => authority,
        };
        url.host = unescape(host).map_err(|e| fail(&e))?;
    }
    url.path = unescape(rest).map_err(|e| fail(&e))?;
    Ok(url)
}

/// `urlParse(s string)`: a dict of the URL's parts.
pub fn url_parse(values: &[Value]) -> FuncResult {
    arity("urlParse", values, 1)?;
    let text = args::string(&values[0])?;
    let url = parse_url(&text).map_err(|error| format!("unable to parse url: {error}"))?;
    let hostname = if let Some(inner) = url.host.strip_prefix('[') {
        inner.split(']').next().unwrap_or("").to_string()
    } else {
        url.host
            .rsplit_once(':')
            .map_or(url.host.clone(), |(name, _)| name.to_string())
    };
    let mut entries = BTreeMap::new();
    for (key, value) in [
        ("scheme", url.scheme),
        ("host", url.host),
        ("hostname", hostname),
        ("path", url.path),
        ("query", url.query),
        ("opaque", url.opaque),
        ("fragment", url.fragment),
        ("userinfo", url.userinfo),
    ] {
        entries.insert(key.to_string(), Value::str(value));
    }
    Ok(args::new_dict(entries))
}

fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `urlJoin(d)`: a URL string from a dict of parts.
pub fn url_join(values: &[Value]) -> FuncResult {
    arity("urlJoin", values, 1)?;
    let map = args::dict(&values[0])?;
    let part = |key: &str| -> Result<String, String> {
        match args::map_get(&map, key) {
            None => Ok(String::new()),
            Some(Value::Str(text)) => Ok(text.to_string()),
            Some(other) => Err(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                args::kind_name(&other)
            )),
        }
    };
    let (scheme, host, path) = (part("scheme")?, part("host")?, part("path")?);
    let (query, opaque, fragment, userinfo) = (
        part("query")?,
        part("opaque")?,
        part("fragment")?,
        part("userinfo")?,
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                out.push_str(&userinfo);
                out.push('@');
            }
            out.push_str(&host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&escape_path(&path));
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape_path(&fragment));
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(result: FuncResult) -> String {
        match result {
            Ok(Value::Str(text)) => text.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn random_strings_have_the_asked_shape() {
        let alnum = text(rand_alpha_num(&[Value::Int(32)]));
        assert_eq!(alnum.len(), 32);
        assert!(alnum.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(text(rand_numeric(&[Value::Int(8)]))
            .bytes()
            .all(|b| b.is_ascii_digit()));
        assert_eq!(text(rand_alpha(&[Value::Int(0)])), "");
        let uuid = text(uuidv4(&[]));
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(
            rand_int(&[Value::Int(5), Value::Int(6)]),
            Ok(Value::Int(5))
        ));
        assert!(rand_int(&[Value::Int(5), Value::Int(5)]).is_err());
        let mut shuffled: Vec<char> = text(shuffle(&[Value::str("abcdef")])).chars().collect();
        shuffled.sort();
        assert_eq!(shuffled.into_iter().collect::<String>(), "abcdef");
        assert_eq!(text(rand_bytes(&[Value::Int(3)])).len(), 4);
    }

    #[test]
    fn urls_parse_and_join() {
        let parsed = url_parse(&[Value::str(
            "https://user:pw@example.com:8443/a%20b?x=1#frag",
        )])
        .unwrap();
        let Value::Map(map) = &parsed else {
            panic!("not a map")
        };
        let get = |key: &str| text(Ok(args::map_get(map, key).unwrap()));
        assert_eq!(get("scheme"), "https");
        assert_eq!(get("host"), "example.com:8443");
        assert_eq!(get("hostname"), "example.com");
        assert_eq!(get("path"), "/a b");
        assert_eq!(get("query"), "x=1");
        assert_eq!(get("fragment"), "frag");
        assert_eq!(get("userinfo"), "user:pw");
        assert_eq!(
            text(url_join(&[parsed])),
            "https://user:pw@example.com:8443/a%20b?x=1#frag"
        );
        let opaque = url_parse(&[Value::str("mailto:someone@example.com")]).unwrap();
        let Value::Map(map) = &opaque else {
            panic!("not a map")
        };
        assert_eq!(
            text(Ok(args::map_get(map, "opaque").unwrap())),
            "someone@example.com"
        );
    }
}
