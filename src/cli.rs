//! The command line as typed, in Go `flag` syntax (spec §1.1): `-name`, `--name`,
//! `-name=value`, `-name value`, booleans only as `-name` or `-name=false`; parsing stops at
//! the first positional argument or `--`.
//!
//! It turns argv into raw `Args` and nothing more: no environment, no files, no defaults that
//! depend on the machine. `config.rs` decides what the arguments mean.

use crate::error::{Error, Result};
use std::ffi::OsString;

/// What was typed, flag by flag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub version: bool,
    pub help: bool,
    pub watch: bool,
    pub wait: Option<String>,
    pub configs: Vec<String>,
    pub keep_blank_lines: bool,
    pub only_exposed: bool,
    pub only_published: bool,
    pub include_stopped: bool,
    pub container_filters: Vec<String>,
    pub notify: Option<String>,
    pub notify_output: bool,
    pub interval: Option<i64>,
    pub notify_sighup: Vec<String>,
    pub notify_container: Vec<String>,
    pub notify_filter: Vec<String>,
    pub notify_signal: Option<i64>,
    pub notify_pidfile: Option<String>,
    pub endpoint: Option<String>,
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
    pub tls_ca_cert: Option<String>,
    pub tls_verify: Option<bool>,
    pub event_filters: Vec<String>,
    pub check: Option<String>,
    pub dry_run: bool,
    pub dump_context: Option<String>,
    pub context: Option<String>,
    pub check_template: bool,
    pub explain: bool,
    /// Positional arguments: template, then dest; extra ones are ignored as docker-gen does.
    pub positionals: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Text,
    Int,
}

/// One flag: name, kind, default as shown in the help, help text.
struct Flag {
    name: &'static str,
    kind: Kind,
    default: &'static str,
    help: &'static str,
}

const FLAGS: &[Flag] = &[
    Flag { name: "check", kind: Kind::Text, default: "", help: "validate a new output with this command before it stays (`{dest}` and $TINYGEN_DEST name the file); on failure the previous file is restored and nothing is notified" },
    Flag { name: "check-template", kind: Kind::Bool, default: "false", help: "parse every configured template, report errors with file, line and column, and exit (no daemon needed)" },
    Flag { name: "config", kind: Kind::Text, default: "", help: "config files with template directives (repeatable; see README for how several files combine)" },
    Flag { name: "container-filter", kind: Kind::Text, default: "", help: "container filter key=value for listing containers (repeatable); default from DOCKER_CONTAINER_FILTERS" },
    Flag { name: "context", kind: Kind::Text, default: "", help: "render from this context file (written by -dump-context) instead of a Docker daemon" },
    Flag { name: "dry-run", kind: Kind::Bool, default: "false", help: "render every template once and print a unified diff per dest without writing or notifying; exit 0 unchanged, 1 changed, 2 error" },
    Flag { name: "dump-context", kind: Kind::Text, default: "", help: "write the live template context to this JSON file and exit" },
    Flag { name: "endpoint", kind: Kind::Text, default: "", help: "docker api endpoint (tcp|unix://..); default DOCKER_HOST, then unix:///var/run/docker.sock" },
    Flag { name: "event-filter", kind: Kind::Text, default: "event=start,stop,die,health_status", help: "additional event filter key=value (repeatable; added to the default)" },
    Flag { name: "explain", kind: Kind::Bool, default: "false", help: "log which containers each render includes, and which filter excludes the others" },
    Flag { name: "include-stopped", kind: Kind::Bool, default: "false", help: "include stopped containers (without it only running containers are listed)" },
    Flag { name: "interval", kind: Kind::Int, default: "0", help: "notify command interval (secs)" },
    Flag { name: "keep-blank-lines", kind: Kind::Bool, default: "false", help: "keep blank lines in the output file" },
    Flag { name: "notify", kind: Kind::Text, default: "", help: "run command after template is regenerated (e.g. `restart xyz`)" },
    Flag { name: "notify-container", kind: Kind::Text, default: "", help: "container to send a signal to after a change (repeatable; see -notify-signal)" },
    Flag { name: "notify-filter", kind: Kind::Text, default: "", help: "running containers matching key=value get -notify-signal after a change (repeatable)" },
    Flag { name: "notify-output", kind: Kind::Bool, default: "false", help: "log the output(stdout/stderr) of notify command" },
    Flag { name: "notify-pidfile", kind: Kind::Text, default: "", help: "send -notify-signal to the process whose PID is in this file after a change" },
    Flag { name: "notify-sighup", kind: Kind::Text, default: "", help: "send HUP signal to container after a change (repeatable)" },
    Flag { name: "notify-signal", kind: Kind::Int, default: "1", help: "signal for -notify-container, -notify-filter and -notify-pidfile; -1 restarts the container" },
    Flag { name: "only-exposed", kind: Kind::Bool, default: "false", help: "only include containers with exposed ports" },
    Flag { name: "only-published", kind: Kind::Bool, default: "false", help: "only include containers with published ports (implies -only-exposed)" },
    Flag { name: "tlscacert", kind: Kind::Text, default: "$DOCKER_CERT_PATH/ca.pem, else ~/.docker/ca.pem", help: "path to TLS CA certificate file" },
    Flag { name: "tlscert", kind: Kind::Text, default: "$DOCKER_CERT_PATH/cert.pem, else ~/.docker/cert.pem", help: "path to TLS client certificate file" },
    Flag { name: "tlskey", kind: Kind::Text, default: "$DOCKER_CERT_PATH/key.pem, else ~/.docker/key.pem", help: "path to TLS client key file" },
    Flag { name: "tlsverify", kind: Kind::Bool, default: "true if DOCKER_TLS_VERIFY is set", help: "verify docker daemon's TLS certificate" },
    Flag { name: "version", kind: Kind::Bool, default: "false", help: "show version" },
    Flag { name: "wait", kind: Kind::Text, default: "", help: "minimum and maximum durations to wait (e.g. \"500ms:2s\") before triggering generate" },
    Flag { name: "watch", kind: Kind::Bool, default: "false", help: "watch for container changes" },
];

/// The usage text: synopsis and every flag with its default.
pub fn usage() -> String {
    let mut text = String::from(
        "Usage: tinygen [options] template [dest]\n\n\
         Generate files from docker container meta-data\n\nOptions:\n",
    );
    for flag in FLAGS {
        let value = match flag.kind {
            Kind::Bool => "",
            Kind::Text => " string",
            Kind::Int => " int",
        };
        text.push_str(&format!("  -{}{value}\n    \t{}", flag.name, flag.help));
        if !flag.default.is_empty() {
            text.push_str(&format!(" (default {})", flag.default));
        }
        text.push('\n');
    }
    text.push_str(
        "\nArguments:\n  template - path to a template to generate (Go text/template; *.tt files use tinytemplate)\n  \
         dest - path to write the template to; if not specified, STDOUT is used\n\n\
         Environment Variables:\n  DOCKER_HOST - default value for -endpoint\n  \
         DOCKER_CERT_PATH - directory path containing key.pem, cert.pem and ca.pem\n  \
         DOCKER_TLS_VERIFY - enable client TLS verification\n  \
         DOCKER_CONTAINER_FILTERS - comma separated list of container filters, used when no -container-filter is given\n",
    );
    text
}

/// Parses argv (without the program name).
pub fn parse<I, S>(args: I) -> Result<Args>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut parser = lexopt::Parser::from_args(normalize(args));
    let mut parsed = Args::default();
    while let Some(argument) = parser
        .next()
        .map_err(|error| Error::usage(error.to_string()))?
    {
        let name = match argument {
            lexopt::Arg::Long(name) => name.to_string(),
            lexopt::Arg::Short(short) => short.to_string(),
            lexopt::Arg::Value(value) => {
                parsed.positionals.push(os_to_string(value)?);
                parsed.positionals.extend(
                    parser
                        .raw_args()
                        .map_err(|e| Error::usage(e.to_string()))?
                        .map(|arg| arg.to_string_lossy().into_owned()),
                );
                break;
            }
        };
        if name == "h" || name == "help" {
            parsed.help = true;
            continue;
        }
        let Some(flag) = FLAGS.iter().find(|flag| flag.name == name) else {
            return Err(Error::usage(format!(
                "flag provided but not defined: -{name}"
            )));
        };
        match flag.kind {
            Kind::Bool => {
                let value = match parser.optional_value() {
                    Some(value) => parse_bool(flag.name, &os_to_string(value)?)?,
                    None => true,
                };
                set_bool(&mut parsed, flag.name, value);
            }
            Kind::Text | Kind::Int => {
                let value = parser
                    .value()
                    .map_err(|_| Error::usage(format!("flag needs an argument: -{name}")))?;
                let value = os_to_string(value)?;
                if flag.kind == Kind::Int {
                    let number = parse_go_int(&value).ok_or_else(|| {
                        Error::usage(format!(
                            "invalid value \"{value}\" for flag -{name}: parse error"
                        ))
                    })?;
                    set_int(&mut parsed, flag.name, number);
                } else {
                    set_text(&mut parsed, flag.name, value);
                }
            }
        }
    }
    Ok(parsed)
}

/// Rewrites Go-style single-dash long flags to `--name` so lexopt does not read `-watch` as
/// `-w -a -t -c -h`. Values of text and int flags (`-notify-signal -1`) and everything from
/// the first positional or `--` on are left alone.
fn normalize(args: Vec<OsString>) -> Vec<OsString> {
    let mut normalized = Vec::with_capacity(args.len());
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy().into_owned();
        if text == "--" || !text.starts_with('-') || text == "-" {
            normalized.push(arg);
            normalized.extend(iter);
            break;
        }
        let body = text.trim_start_matches('-');
        let dashes = text.len() - body.len();
        if dashes > 2 || body.starts_with('=') {
            // Go: "bad flag syntax"; keep it so lexopt and our checks report it.
            normalized.push(arg);
            continue;
        }
        let (name, has_value) = match body.split_once('=') {
            Some((name, _)) => (name, true),
            None => (body, false),
        };
        normalized.push(OsString::from(format!("--{body}")));
        let takes_value = FLAGS
            .iter()
            .any(|flag| flag.name == name && flag.kind != Kind::Bool);
        if takes_value && !has_value {
            if let Some(value) = iter.next() {
                normalized.push(value);
            }
        }
    }
    normalized
}

fn os_to_string(value: OsString) -> Result<String> {
    value.into_string().map_err(|value| {
        Error::usage(format!(
            "argument is not valid UTF-8: {}",
            value.to_string_lossy()
        ))
    })
}

/// Go's `strconv.ParseBool`.
fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(Error::usage(format!(
            "invalid boolean value \"{value}\" for -{name}: parse error"
        ))),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b` prefixes, leading-zero octal,
/// underscores only with a prefix.
pub fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if digits.contains('_') && (!prefixed || digits.ends_with('_') || digits.contains("__")) {
        return None;
    }
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

fn set_bool(args: &mut Args, name: &str, value: bool) {
    match name {
        "version" => args.version = value,
        "watch" => args.watch = value,
        "keep-blank-lines" => args.keep_blank_lines = value,
        "only-exposed" => args.only_exposed = value,
        "only-published" => args.only_published = value,
        "include-stopped" => args.include_stopped = value,
        "notify-output" => args.notify_output = value,
        "tlsverify" => args.tls_verify = Some(value),
        "dry-run" => args.dry_run = value,
        "check-template" => args.check_template = value,
        "explain" => args.explain = value,
        _ => unreachable!("boolean flag {name} has no field"),
    }
}

fn set_int(args: &mut Args, name: &str, value: i64) {
    match name {
        "interval" => args.interval = Some(value),
        "notify-signal" => args.notify_signal = Some(value),
        _ => unreachable!("integer flag {name} has no field"),
    }
}

fn set_text(args: &mut Args, name: &str, value: String) {
    match name {
        "wait" => args.wait = Some(value),
        "config" => args.configs.push(value),
        "container-filter" => args.container_filters.push(value),
        "notify" => args.notify = Some(value),
        "notify-sighup" => args.notify_sighup.push(value),
        "notify-container" => args.notify_container.push(value),
        "notify-filter" => args.notify_filter.push(value),
        "notify-pidfile" => args.notify_pidfile = Some(value),
        "endpoint" => args.endpoint = Some(value),
        "tlscert" => args.tls_cert = Some(value),
        "tlskey" => args.tls_key = Some(value),
        "tlscacert" => args.tls_ca_cert = Some(value),
        "event-filter" => args.event_filters.push(value),
        "check" => args.check = Some(value),
        "dump-context" => args.dump_context = Some(value),
        "context" => args.context = Some(value),
        _ => unreachable!("text flag {name} has no field"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(args: &[&str]) -> Args {
        parse(args.iter().copied()).unwrap_or_else(|error| panic!("{args:?}: {error}"))
    }

    #[test]
    fn single_and_double_dash_forms() {
        let args = parse_ok(&[
            "-watch",
            "--only-exposed",
            "-wait=500ms:2s",
            "--notify",
            "nginx -s reload",
            "t.tmpl",
            "out",
        ]);
        assert!(args.watch && args.only_exposed);
        assert_eq!(args.wait.as_deref(), Some("500ms:2s"));
        assert_eq!(args.notify.as_deref(), Some("nginx -s reload"));
        assert_eq!(args.positionals, ["t.tmpl", "out"]);
    }

    #[test]
    fn booleans_take_values_only_with_equals() {
        let args = parse_ok(&["-watch=false", "-keep-blank-lines=1", "t"]);
        assert!(!args.watch && args.keep_blank_lines);
        // `-watch false` makes `false` the template, as Go's flag package does.
        let args = parse_ok(&["-watch", "false", "t"]);
        assert!(args.watch);
        assert_eq!(args.positionals, ["false", "t"]);
        assert_eq!(
            parse(["-watch=maybe"]).unwrap_err().kind,
            crate::error::ErrorKind::Usage
        );
    }

    #[test]
    fn parsing_stops_at_first_positional_and_double_dash() {
        let args = parse_ok(&["t.tmpl", "out", "-watch"]);
        assert!(!args.watch);
        assert_eq!(args.positionals, ["t.tmpl", "out", "-watch"]);
        let args = parse_ok(&["-only-exposed", "--", "-weird.tmpl"]);
        assert_eq!(args.positionals, ["-weird.tmpl"]);
    }

    #[test]
    fn repeatable_flags_and_negative_values() {
        let args = parse_ok(&[
            "-container-filter",
            "label=a",
            "-container-filter=status=running",
            "-notify-signal",
            "-1",
            "-notify-sighup",
            "nginx",
            "-event-filter",
            "event=connect",
            "t",
        ]);
        assert_eq!(args.container_filters, ["label=a", "status=running"]);
        assert_eq!(args.notify_signal, Some(-1));
        assert_eq!(args.notify_sighup, ["nginx"]);
        assert_eq!(args.event_filters, ["event=connect"]);
    }

    #[test]
    fn errors_name_the_flag() {
        let error = parse(["-bogus", "t"]).unwrap_err();
        assert_eq!(error.message, "flag provided but not defined: -bogus");
        assert_eq!(error.exit_code(), 2);
        let error = parse(["-interval", "ten"]).unwrap_err();
        assert!(
            error.message.contains("\"ten\"") && error.message.contains("-interval"),
            "{error}"
        );
        let error = parse(["-wait"]).unwrap_err();
        assert_eq!(error.message, "flag needs an argument: -wait");
    }

    #[test]
    fn help_and_version() {
        assert!(parse_ok(&["-h"]).help);
        assert!(parse_ok(&["--help"]).help);
        assert!(parse_ok(&["-version"]).version);
        let usage = usage();
        for flag in FLAGS {
            assert!(
                usage.contains(&format!("  -{}", flag.name)),
                "usage misses -{}",
                flag.name
            );
        }
        assert!(usage.contains("(default event=start,stop,die,health_status)"));
    }

    #[test]
    fn go_integer_syntax() {
        assert_eq!(parse_go_int("10"), Some(10));
        assert_eq!(parse_go_int("-1"), Some(-1));
        assert_eq!(parse_go_int("0x1f"), Some(31));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("0b101"), Some(5));
        assert_eq!(parse_go_int("0o17"), Some(15));
        assert_eq!(parse_go_int("1_000"), None);
        assert_eq!(parse_go_int("0x_ff"), Some(255));
        assert_eq!(parse_go_int(""), None);
        assert_eq!(parse_go_int("9223372036854775808"), None);
    }
}
