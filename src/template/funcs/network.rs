//! sprig's `getHostByName`: one address of a host name, chosen at random among all of them as
//! sprig does, through the C library's resolver (`/etc/hosts`, then DNS per nsswitch or
//! `resolv.conf`; it works in static musl builds). It never opens a connection itself.
//!
//! Like Go, an IP literal is its own answer and a name that is not a valid domain name fails
//! without a lookup. A failed lookup is the error Go's template reports for sprig's
//! unchecked `rand.Intn(0)`. Unit tests resolve only IP literals and names in `/etc/hosts`
//! (no DNS traffic from the test suite).

use std::net::{IpAddr, ToSocketAddrs};

use crate::template::funcs::args::{self, arity, FuncResult};
use crate::template::funcs::sprig_random;
use crate::template::Value;

/// Go's `isDomainName`: labels of letters, digits, `_` and `-` (not at a label's ends), at
/// most 63 bytes each and 254 in all, at least one character not a digit or dot.
fn is_domain_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let mut non_numeric = false;
    for label in name.split('.') {
        let bytes = label.as_bytes();
        if bytes.is_empty()
            || bytes.len() > 63
            || bytes.first() == Some(&b'-')
            || bytes.last() == Some(&b'-')
        {
            return false;
        }
        for byte in bytes {
            match byte {
                b'0'..=b'9' => {}
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'-' => non_numeric = true,
                _ => return false,
            }
        }
    }
    non_numeric
}

/// Whether a name may be looked up: always in the binary; in unit tests only names that
/// `/etc/hosts` answers, so the suite sends no DNS queries.
#[cfg(not(test))]
fn may_resolve(_name: &str) -> bool {
    true
}

#[cfg(test)]
fn may_resolve(name: &str) -> bool {
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    hosts.lines().any(|line| {
        let line = line.split('#').next().unwrap_or("");
        line.split_whitespace()
            .skip(1)
            .any(|alias| alias.eq_ignore_ascii_case(name))
    })
}

/// Go's `net.LookupHost`: every address of `name`, without duplicates.
pub fn lookup_host(name: &str) -> Vec<String> {
    if name.parse::<IpAddr>().is_ok() {
        return vec![name.to_string()];
    }
    if !is_domain_name(name) || !may_resolve(name) {
        return Vec::new();
    }
    let mut addresses: Vec<String> = Vec::new();
    if let Ok(found) = (name, 0u16).to_socket_addrs() {
        for address in found {
            let text = address.ip().to_string();
            if !addresses.contains(&text) {
                addresses.push(text);
            }
        }
    }
    addresses
}

/// `getHostByName(name string) string`.
pub fn get_host_by_name(values: &[Value]) -> FuncResult {
    arity("getHostByName", values, 1)?;
    let name = args::string(&values[0])?;
    let addresses = lookup_host(&name);
    if addresses.is_empty() {
        return Err("invalid argument to Intn".to_string());
    }
    let index = sprig_random::random_below(addresses.len() as u64) as usize;
    Ok(Value::str(addresses[index].as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_like_go() {
        assert!(is_domain_name("localhost"));
        assert!(is_domain_name("a-b.example_x.org."));
        assert!(!is_domain_name(""));
        assert!(!is_domain_name("1.2.3"));
        assert!(!is_domain_name("-a.b"));
        assert!(!is_domain_name("a..b"));
        assert!(!is_domain_name("h\u{e9}llo"));
        assert!(!is_domain_name(&"a".repeat(64)));
    }

    #[test]
    fn resolves_literals_and_localhost_only() {
        assert_eq!(lookup_host("::0001"), ["::0001"]);
        assert_eq!(lookup_host("10.1.2.3"), ["10.1.2.3"]);
        assert!(lookup_host("no-such-host.invalid").is_empty());
        let local = lookup_host("localhost");
        assert!(!local.is_empty());
        assert!(local.iter().all(|a| a == "127.0.0.1" || a == "::1"));
    }
}
