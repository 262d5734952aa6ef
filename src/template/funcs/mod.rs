//! The function library: docker-gen's functions and sprig's, over `Value` (spec §4).
//!
//! `register` fills the executor's table in Go's order of precedence: sprig first, then
//! docker-gen's own functions (which mask sprig's `coalesce contains dir replace split keys`),
//! then docker-gen's aliases to the masked sprig originals. `eval` is the executor's. Functions
//! never panic: every failure is an error value the executor reports.
//!
//! Deliberate differences from docker-gen (document them in the README): `keys`,
//! `groupByKeys`, `intersect` and sprig's `values` return sorted results (random in Go);
//! `sortStringsAsc/Desc` return a sorted copy instead of sorting their argument in place;
//! regular expressions use regex-lite (no `\pL` classes); a `semver` value lacks the methods
//! that change it (`Scan`, `UnmarshalJSON`, `UnmarshalText`). Time zones come from the
//! system's zone files as in Go (`zoneinfo`). sprig's certificate functions (`genPrivateKey
//! buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey
//! genSignedCert genSignedCertWithKey`) are names only: templates naming them parse, and
//! calling one is an error. `method_of` gives the methods of values other than times.

pub mod args;
pub mod crypto;
pub mod deepget;
pub mod dockergen;
pub mod encoding;
pub mod json;
pub mod network;
pub mod regex;
pub mod semver;
pub mod sprig_dicts;
pub mod sprig_lists;
pub mod sprig_date;
pub mod sprig_math;
pub mod sprig_random;
pub mod sprig_misc;
pub mod sprig_strings;
pub mod stat;
pub mod yaml;
pub mod zoneinfo;

use crate::template::go::func::{Func, FuncTable};
use crate::template::value::IntType;
use crate::template::Value;

/// A method of a template value: its parameter count and how to call it with arguments
/// of that count (`receiver`, method name, arguments).
#[derive(Clone, Copy)]
pub struct Method {
    pub params: usize,
    pub call: fn(&Value, &str, &[Value]) -> Result<Value, String>,
}

/// The method `name` of a value other than a `time.Time` (those are
/// `sprig_date::time_method`), as Go's method sets have them: `String` of a named integer
/// (`time.Month`), the methods of sprig's semantic versions, docker-gen's
/// `RuntimeContainer.Equals`. `None` when Go's value has no
/// such method; record fields are not methods.
pub fn method_of(receiver: &Value, name: &str) -> Option<Method> {
    match receiver {
        Value::Named(named) if named.of == IntType::Duration => Some(Method {
            params: sprig_date::duration_method_params(name)?,
            call: sprig_date::duration_method,
        }),
        Value::Named(named) if name == "String" && named.text().is_some() => Some(Method {
            params: 0,
            call: |receiver, _, _| match receiver {
                Value::Named(named) => Ok(Value::str(named.text().unwrap_or_default())),
                _ => Ok(Value::Missing),
            },
        }),
        Value::Record(record) if semver::is_version(record) => Some(Method {
            params: semver::method_params(record.type_name == semver::VERSION_TYPE, name)?,
            call: semver::call_method,
        }),
        // docker-gen's `(*RuntimeContainer).Equals`, also of a nil pointer.
        Value::Record(_) | Value::NilPointer(_)
            if name == "Equals" && dockergen::is_runtime_container(receiver) =>
        {
            Some(Method {
                params: 1,
                call: dockergen::container_equals,
            })
        }
        _ => None,
    }
}

/// sprig v3.3.0's functions that tinygen implements.
const SPRIG: &[(&str, Func)] = &[
    // Dates.
    ("ago", sprig_date::ago),
    ("date", sprig_date::date),
    ("date_in_zone", sprig_date::date_in_zone),
    ("date_modify", sprig_date::date_modify),
    ("dateInZone", sprig_date::date_in_zone),
    ("dateModify", sprig_date::date_modify),
    ("duration", sprig_date::duration),
    ("durationRound", sprig_date::duration_round),
    ("htmlDate", sprig_date::html_date),
    ("htmlDateInZone", sprig_date::html_date_in_zone),
    ("must_date_modify", sprig_date::must_date_modify),
    ("mustDateModify", sprig_date::must_date_modify),
    ("mustToDate", sprig_date::must_to_date),
    ("now", sprig_date::now_fn),
    ("toDate", sprig_date::to_date),
    ("unixEpoch", sprig_date::unix_epoch),
    // Strings.
    ("abbrev", sprig_strings::abbrev),
    ("abbrevboth", sprig_strings::abbrevboth),
    ("trunc", sprig_strings::trunc),
    ("trim", sprig_strings::trim),
    ("upper", sprig_strings::upper),
    ("lower", sprig_strings::lower),
    ("title", sprig_strings::title),
    ("untitle", sprig_strings::untitle),
    ("substr", sprig_strings::substr),
    ("repeat", sprig_strings::repeat),
    ("trimall", sprig_strings::trim_all),
    ("trimAll", sprig_strings::trim_all),
    ("trimSuffix", sprig_strings::trim_suffix),
    ("trimPrefix", sprig_strings::trim_prefix),
    ("nospace", sprig_strings::nospace),
    ("initials", sprig_strings::initials),
    ("swapcase", sprig_strings::swapcase),
    ("snakecase", sprig_strings::snakecase),
    ("camelcase", sprig_strings::camelcase),
    ("kebabcase", sprig_strings::kebabcase),
    ("wrap", sprig_strings::wrap),
    ("wrapWith", sprig_strings::wrap_with),
    ("contains", sprig_strings::contains),
    ("hasPrefix", sprig_strings::has_prefix),
    ("hasSuffix", sprig_strings::has_suffix),
    ("quote", sprig_strings::quote),
    ("squote", sprig_strings::squote),
    ("cat", sprig_strings::cat),
    ("indent", sprig_strings::indent),
    ("nindent", sprig_strings::nindent),
    ("replace", sprig_strings::replace),
    ("plural", sprig_strings::plural),
    ("sha1sum", encoding::sha1sum),
    ("sha256sum", encoding::sha256sum),
    ("sha512sum", encoding::sha512sum),
    ("adler32sum", encoding::adler32sum),
    ("toString", sprig_strings::to_string),
    ("hello", sprig_strings::hello),
    // Numbers.
    ("atoi", sprig_math::atoi),
    ("int64", sprig_math::to_int64),
    ("int", sprig_math::to_int),
    ("float64", sprig_math::to_float64),
    ("seq", sprig_math::seq),
    ("toDecimal", sprig_math::to_decimal),
    ("split", sprig_strings::split),
    ("splitList", sprig_strings::split_list),
    ("splitn", sprig_strings::splitn),
    ("toStrings", sprig_strings::to_strings),
    ("until", sprig_lists::until),
    ("untilStep", sprig_lists::until_step),
    ("add1", sprig_math::add1),
    ("add", sprig_math::add),
    ("sub", sprig_math::sub),
    ("div", sprig_math::div),
    ("mod", sprig_math::modulo),
    ("mul", sprig_math::mul),
    ("add1f", sprig_math::add1f),
    ("addf", sprig_math::addf),
    ("subf", sprig_math::subf),
    ("divf", sprig_math::divf),
    ("mulf", sprig_math::mulf),
    ("biggest", sprig_math::max),
    ("max", sprig_math::max),
    ("min", sprig_math::min),
    ("maxf", sprig_math::maxf),
    ("minf", sprig_math::minf),
    ("ceil", sprig_math::ceil),
    ("floor", sprig_math::floor),
    ("round", sprig_math::round),
    ("join", sprig_strings::join),
    ("sortAlpha", sprig_lists::sort_alpha),
    // Defaults and JSON.
    ("default", sprig_misc::default),
    ("empty", sprig_misc::empty),
    ("coalesce", sprig_misc::coalesce),
    ("all", sprig_misc::all),
    ("any", sprig_misc::any),
    ("compact", sprig_lists::compact),
    ("mustCompact", sprig_lists::compact),
    ("fromJson", json::from_json_fn),
    ("toJson", json::to_json_fn),
    ("toPrettyJson", json::to_pretty_json),
    ("toRawJson", json::to_raw_json),
    ("mustFromJson", json::must_from_json),
    ("mustToJson", json::must_to_json),
    ("mustToPrettyJson", json::must_to_pretty_json),
    ("mustToRawJson", json::must_to_raw_json),
    ("ternary", sprig_misc::ternary),
    ("deepCopy", sprig_dicts::deep_copy),
    ("mustDeepCopy", sprig_dicts::deep_copy),
    // Reflection.
    ("typeOf", sprig_misc::type_of),
    ("typeIs", sprig_misc::type_is),
    ("typeIsLike", sprig_misc::type_is_like),
    ("kindOf", sprig_misc::kind_of),
    ("kindIs", sprig_misc::kind_is),
    ("deepEqual", sprig_misc::deep_equal),
    // OS and paths.
    ("env", sprig_misc::env),
    ("expandenv", sprig_misc::expandenv),
    ("base", sprig_misc::base),
    ("dir", sprig_misc::dir),
    ("clean", sprig_misc::clean),
    ("ext", sprig_misc::ext),
    ("isAbs", sprig_misc::is_abs),
    ("osBase", sprig_misc::base),
    ("osClean", sprig_misc::clean),
    ("osDir", sprig_misc::dir),
    ("osExt", sprig_misc::ext),
    ("osIsAbs", sprig_misc::is_abs),
    // Encoding.
    ("b64enc", encoding::b64enc),
    ("b64dec", encoding::b64dec),
    ("b32enc", encoding::b32enc),
    ("b32dec", encoding::b32dec),
    // Data structures.
    ("tuple", sprig_lists::list),
    ("list", sprig_lists::list),
    ("dict", sprig_dicts::dict),
    ("get", sprig_dicts::get),
    ("set", sprig_dicts::set),
    ("unset", sprig_dicts::unset),
    ("hasKey", sprig_dicts::has_key),
    ("pluck", sprig_dicts::pluck),
    ("pick", sprig_dicts::pick),
    ("omit", sprig_dicts::omit),
    ("merge", sprig_dicts::merge),
    ("mergeOverwrite", sprig_dicts::merge_overwrite),
    ("mustMerge", sprig_dicts::merge),
    ("mustMergeOverwrite", sprig_dicts::merge_overwrite),
    ("values", sprig_dicts::values),
    ("append", sprig_lists::push),
    ("push", sprig_lists::push),
    ("mustAppend", sprig_lists::push),
    ("mustPush", sprig_lists::push),
    ("prepend", sprig_lists::prepend),
    ("mustPrepend", sprig_lists::prepend),
    ("first", sprig_lists::first),
    ("mustFirst", sprig_lists::first),
    ("rest", sprig_lists::rest),
    ("mustRest", sprig_lists::rest),
    ("last", sprig_lists::last),
    ("mustLast", sprig_lists::last),
    ("initial", sprig_lists::initial),
    ("mustInitial", sprig_lists::initial),
    ("reverse", sprig_lists::reverse),
    ("mustReverse", sprig_lists::reverse),
    ("uniq", sprig_lists::uniq),
    ("mustUniq", sprig_lists::uniq),
    ("without", sprig_lists::without),
    ("mustWithout", sprig_lists::without),
    ("has", sprig_lists::has),
    ("mustHas", sprig_lists::has),
    ("slice", sprig_lists::slice),
    ("mustSlice", sprig_lists::slice),
    ("concat", sprig_lists::concat),
    ("dig", sprig_dicts::dig),
    ("chunk", sprig_lists::chunk),
    ("mustChunk", sprig_lists::chunk),
    // Randomness and URLs.
    ("randAlphaNum", sprig_random::rand_alpha_num),
    ("randAlpha", sprig_random::rand_alpha),
    ("randAscii", sprig_random::rand_ascii),
    ("randNumeric", sprig_random::rand_numeric),
    ("randInt", sprig_random::rand_int),
    ("randBytes", sprig_random::rand_bytes),
    // Passwords and ciphers.
    ("bcrypt", crypto::bcrypt),
    ("htpasswd", crypto::htpasswd),
    ("derivePassword", crypto::derive_password),
    ("encryptAES", crypto::encrypt_aes),
    ("decryptAES", crypto::decrypt_aes),
    ("genPrivateKey", crypto::gen_private_key),
    ("buildCustomCert", crypto::build_custom_cert),
    ("genCA", crypto::gen_ca),
    ("genCAWithKey", crypto::gen_ca_with_key),
    ("genSelfSignedCert", crypto::gen_self_signed_cert),
    (
        "genSelfSignedCertWithKey",
        crypto::gen_self_signed_cert_with_key,
    ),
    ("genSignedCert", crypto::gen_signed_cert),
    ("genSignedCertWithKey", crypto::gen_signed_cert_with_key),
    ("shuffle", sprig_random::shuffle),
    ("uuidv4", sprig_random::uuidv4),
    ("urlParse", sprig_random::url_parse),
    ("urlJoin", sprig_random::url_join),
    ("getHostByName", network::get_host_by_name),
    // Flow control.
    ("fail", sprig_misc::fail),
    // Regular expressions.
    ("regexMatch", regex::regex_match),
    ("mustRegexMatch", regex::must_regex_match),
    ("regexFindAll", regex::regex_find_all),
    ("mustRegexFindAll", regex::must_regex_find_all),
    ("regexFind", regex::regex_find),
    ("mustRegexFind", regex::must_regex_find),
    ("regexReplaceAll", regex::regex_replace_all),
    ("mustRegexReplaceAll", regex::must_regex_replace_all),
    ("regexReplaceAllLiteral", regex::regex_replace_all_literal),
    (
        "mustRegexReplaceAllLiteral",
        regex::must_regex_replace_all_literal,
    ),
    ("regexSplit", regex::regex_split),
    ("mustRegexSplit", regex::must_regex_split),
    ("regexQuoteMeta", regex::regex_quote_meta),
    // Semantic versions.
    ("semver", semver::semver),
    ("semverCompare", semver::semver_compare),
];

/// docker-gen's functions (spec §4.3), masking sprig's of the same name.
const DOCKER_GEN: &[(&str, Func)] = &[
    ("closest", dockergen::closest),
    ("coalesce", dockergen::coalesce),
    ("comment", dockergen::comment),
    ("contains", dockergen::contains),
    ("dir", dockergen::dir),
    ("exists", dockergen::exists),
    ("groupBy", dockergen::group_by),
    ("groupByWithDefault", dockergen::group_by_with_default),
    ("groupByKeys", dockergen::group_by_keys),
    ("groupByMulti", dockergen::group_by_multi),
    ("groupByLabel", dockergen::group_by_label),
    (
        "groupByLabelWithDefault",
        dockergen::group_by_label_with_default,
    ),
    ("include", dockergen::include),
    ("intersect", dockergen::intersect),
    ("keys", dockergen::keys),
    ("replace", dockergen::replace),
    ("parseBool", dockergen::parse_bool),
    ("fromYaml", yaml::from_yaml_fn),
    ("toYaml", yaml::to_yaml_fn),
    ("mustFromYaml", yaml::must_from_yaml),
    ("mustToYaml", yaml::must_to_yaml),
    ("queryEscape", dockergen::query_escape),
    ("split", dockergen::split),
    ("splitN", dockergen::split_n),
    ("sortStringsAsc", dockergen::sort_strings_asc),
    ("sortStringsDesc", dockergen::sort_strings_desc),
    ("sortObjectsByKeysAsc", dockergen::sort_objects_by_keys_asc),
    (
        "sortObjectsByKeysDesc",
        dockergen::sort_objects_by_keys_desc,
    ),
    ("toLower", dockergen::to_lower),
    ("toUpper", dockergen::to_upper),
    ("when", dockergen::when),
    ("where", dockergen::where_),
    ("whereNot", dockergen::where_not),
    ("whereExist", dockergen::where_exist),
    ("whereNotExist", dockergen::where_not_exist),
    ("whereAny", dockergen::where_any),
    ("whereAll", dockergen::where_all),
    ("whereLabelExists", dockergen::where_label_exists),
    (
        "whereLabelDoesNotExist",
        dockergen::where_label_does_not_exist,
    ),
    (
        "whereLabelValueMatches",
        dockergen::where_label_value_matches,
    ),
    ("mustBeOneOf", dockergen::must_be_one_of),
    ("mustBeInt", dockergen::must_be_int),
    ("mustBeIntInRange", dockergen::must_be_int_in_range),
    ("nginxMustParseHSTS", dockergen::nginx_must_parse_hsts),
    ("nginxQuote", dockergen::nginx_quote),
    // Legacy names aliased to sprig functions.
    ("json", json::must_to_json),
    ("parseJson", json::must_from_json),
    ("sha1", encoding::sha1sum),
    // The sprig originals of masked names.
    ("sprigCoalesce", sprig_misc::coalesce),
    ("sprigContains", sprig_strings::contains),
    ("sprigDir", sprig_misc::dir),
    ("sprigReplace", sprig_strings::replace),
    ("sprigSplit", sprig_strings::split),
    ("sprigSplitn", sprig_strings::splitn),
];

/// Inserts sprig's functions, then docker-gen's (which override same-named sprig ones).
#[allow(dead_code)] // Called by the executor once the branches are merged.
pub fn register(table: &mut FuncTable) {
    sprig_date::start_clock();
    for (name, func) in SPRIG.iter().chain(DOCKER_GEN) {
        table.insert(name, *func);
    }
}

/// Every registered function name, sorted and without duplicates (for the README).
#[allow(dead_code)] // For the README list and the executor's checks.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SPRIG
        .iter()
        .chain(DOCKER_GEN)
        .map(|(name, _)| *name)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::{Containers, Globals, Time};
    use crate::template::Value;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    #[test]
    fn docker_gen_masks_sprig_and_aliases_exist() {
        let mut table = FuncTable::new();
        register(&mut table);
        let contains = table.get("contains").unwrap();
        let map = Value::string_map([("k".to_string(), "v".to_string())]);
        assert!(matches!(
            contains(&[map, Value::str("k")]),
            Ok(Value::Bool(true))
        ));
        let sprig_contains = table.get("sprigContains").unwrap();
        assert!(matches!(
            sprig_contains(&[Value::str("b"), Value::str("abc")]),
            Ok(Value::Bool(true))
        ));
        for name in [
            "json",
            "parseJson",
            "sha1",
            "sprigCoalesce",
            "sprigDir",
            "sprigReplace",
            "sprigSplit",
            "sprigSplitn",
            "splitn",
            "splitN",
        ] {
            assert!(table.contains(name), "{name} missing");
        }
        let names = names();
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(names.len() > 200);
    }

    fn pool() -> Vec<Value> {
        let mut nested = BTreeMap::new();
        nested.insert(
            "a".to_string(),
            args::new_list(vec![Value::Int(1), Value::Nil]),
        );
        nested.insert(
            "b.c".to_string(),
            Value::string_map([("d".to_string(), "e".to_string())]),
        );
        nested.insert("".to_string(), Value::Missing);
        let time = Value::Time(Rc::new(Time {
            display: "2024-01-02 03:04:05 +0000 UTC".to_string(),
            rfc3339: "2024-01-02T03:04:05Z".to_string(),
            unix_seconds: 1_704_164_645,
            nanos: 0,
            local: false,
            monotonic: None,
        }));
        let container = Value::record(
            "RuntimeContainer",
            vec![
                ("ID", Value::str("abc")),
                ("Created", time.clone()),
                (
                    "Labels",
                    Value::string_map([("x".to_string(), "1".to_string())]),
                ),
                ("Env", Value::nil_map("string")),
                ("Mounts", Value::nil_list("Mount")),
            ],
        );
        let globals = Rc::new(Globals {
            env: Value::nil_map("string"),
            docker: Value::Nil,
            current_container: Value::NilPointer("RuntimeContainer"),
        });
        let containers = Value::Containers(Rc::new(Containers {
            items: vec![container.clone(), Value::Nil],
            globals,
        }));
        vec![
            Value::Nil,
            Value::Missing,
            Value::Bool(true),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(3),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(f64::NAN),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(-2.5e300),
            Value::Float(0.1),
            Value::str(""),
            Value::str("héllo ✓ wörld"),
            Value::str("a,b,,c"),
            Value::str("(["),
            Value::str("/tmp"),
            Value::str("Europe/Berlin"),
            Value::str("0x1f"),
            Value::str("\\'\"{;#\n"),
            Value::str("k: [1, {a: 'b'}]\n- x"),
            Value::str("Jan\u{e9} 2006-01-02T15:04:05Z %e9%zz ${X:-y} 1:2:3"),
            Value::str("\u{e9}\u{e9}\u{e9}"),
            Value::str("|\n  a\n b: \"\\x"),
            Value::string_list(["b", "a", ""]),
            args::new_list(vec![
                Value::Int(1),
                Value::str("x"),
                args::new_list(vec![]),
                Value::Missing,
            ]),
            Value::nil_list("string"),
            args::new_dict(nested),
            Value::string_map([("k".to_string(), "v".to_string())]),
            Value::nil_map("any"),
            container,
            Value::NilPointer("RuntimeContainer"),
            containers,
            time,
            sprig_date::now_fn(&[]).unwrap(),
            Value::Named(crate::template::value::NamedInt {
                of: crate::template::value::IntType::Month,
                number: 13,
            }),
            semver::version_value(&semver::parse_version("v1.2.3-rc.1+b").unwrap(), true),
        ]
    }

    /// Every argument list the property test tries: none, one and two arguments from the
    /// pool, and a fixed pseudo-random sample of three and four.
    fn calls(pool: &[Value]) -> Vec<Vec<Value>> {
        let mut calls: Vec<Vec<Value>> = vec![Vec::new()];
        for a in pool {
            calls.push(vec![a.clone()]);
            for b in pool {
                calls.push(vec![a.clone(), b.clone()]);
            }
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % pool.len() as u64) as usize
        };
        for _ in 0..1500 {
            calls.push(vec![
                pool[next()].clone(),
                pool[next()].clone(),
                pool[next()].clone(),
            ]);
            calls.push(vec![
                pool[next()].clone(),
                pool[next()].clone(),
                pool[next()].clone(),
                pool[next()].clone(),
            ]);
        }
        calls
    }

    /// Every function, called with many argument combinations, returns instead of panicking.
    #[test]
    fn no_function_panics() {
        let mut table = FuncTable::new();
        register(&mut table);
        let mut panicked = Vec::new();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        // bcrypt is slow by design (about 0.1 s a hash in a debug build): those functions get
        // every call with fewer than two arguments and a fixed sample of the others.
        let slow = ["bcrypt", "htpasswd"];
        for name in names() {
            let func = table.get(name).unwrap();
            // A fresh pool for each function: maps are shared references, and `set` or
            // `merge` may leave one containing itself, which printing would follow forever
            // (as in Go).
            let pool = pool();
            let calls = calls(&pool);
            let sampled = calls
                .iter()
                .enumerate()
                .filter(|(index, _)| {
                    !slow.contains(&name) || *index <= pool.len() || index % 11 == 0
                })
                .map(|(_, arguments)| arguments);
            for arguments in sampled {
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| func(arguments)));
                if outcome.is_err() {
                    panicked.push(format!("{name}({arguments:?})"));
                    break;
                }
            }
        }
        std::panic::set_hook(hook);
        assert!(
            panicked.is_empty(),
            "functions panicked:\n{}",
            panicked.join("\n")
        );
    }

    /// Every value method (`method_of`), called with any arguments of its count, returns
    /// instead of panicking; unknown names and non-method values have none.
    #[test]
    fn no_method_panics() {
        let pool = pool();
        let calls = calls(&pool);
        let names = [
            "String",
            "Original",
            "Major",
            "Minor",
            "Patch",
            "Prerelease",
            "Metadata",
            "IncPatch",
            "IncMinor",
            "IncMajor",
            "SetPrerelease",
            "SetMetadata",
            "LessThan",
            "LessThanEqual",
            "GreaterThan",
            "GreaterThanEqual",
            "Equal",
            "Compare",
            "MarshalJSON",
            "MarshalText",
            "Value",
            "Scan",
            "Equals",
            "Nope",
        ];
        let mut receivers = pool.clone();
        receivers.push(semver::version_value(
            &semver::parse_version("18446744073709551615").unwrap(),
            false,
        ));
        let mut found = 0;
        for receiver in &receivers {
            for name in names {
                let Some(method) = method_of(receiver, name) else {
                    continue;
                };
                found += 1;
                for arguments in calls.iter().filter(|a| a.len() == method.params) {
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        (method.call)(receiver, name, arguments)
                    }));
                    assert!(outcome.is_ok(), "{name} on {receiver:?}({arguments:?})");
                }
            }
        }
        // Month's String, the pointer's 21 methods and the value's 14, a container's Equals
        // and a nil container's.
        assert_eq!(found, 1 + 21 + 14 + 2);
        assert!(method_of(&Value::Int(1), "String").is_none());
    }
}
