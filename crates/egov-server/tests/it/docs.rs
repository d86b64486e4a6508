//! The error codes, their documentation and their use stay in step, both ways:
//! - `docs/errors.md` is what `egov_server::error_docs` generates from the modules' tables
//!   (`EGOV_BLESS=1 cargo test -p egov-server --test it docs::` rewrites it);
//! - every code in a table is registered by its module, and every registered code is in a table;
//! - every code in a table is produced somewhere (its constant is used outside the table);
//! - no code is produced outside the tables (no ad-hoc `ErrorCode::new`, no string codes in
//!   exchange refusals).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use egov_server::registered_modules;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every crate's `src/` files with their text.
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .flatten()
    {
        let src = krate.path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("source");
            (p, text)
        })
        .collect()
}

/// `text` without its `problems!(…);` declarations: listing a code among an operation's
/// documented answers does not produce it.
fn without_declarations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("problems!(") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(");").map_or(rest.len(), |n| at + n + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A row of an `error_codes!` table.
#[derive(Debug)]
struct Row {
    file: PathBuf,
    name: String,
    code: String,
}

/// The rows of every `error_codes!` table, and the byte range of each table in its file.
fn tables(sources: &[(PathBuf, String)]) -> (Vec<Row>, BTreeMap<PathBuf, (usize, usize)>) {
    let mut rows = Vec::new();
    let mut spans = BTreeMap::new();
    for (path, text) in sources {
        // The invocation (not the macro's own definition, which says `macro_rules! error_codes`).
        let Some(begin) = text.find("error_codes! {") else {
            continue;
        };
        let open = begin + "error_codes! ".len();
        let mut depth = 0usize;
        let mut end = text.len();
        for (i, ch) in text[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        for line in text[begin..end].lines() {
            let line = line.trim();
            if let Some((name, rest)) = line.split_once(" = (\"")
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                rows.push(Row {
                    file: path.clone(),
                    name: name.to_owned(),
                    code: rest.split('"').next().unwrap_or_default().to_owned(),
                });
            }
        }
        spans.insert(path.clone(), (begin, end));
    }
    (rows, spans)
}

#[test]
fn docs_errors_md_is_generated_from_the_code_tables() {
    let path = root().join("docs/errors.md");
    let doc = std::fs::read_to_string(&path).expect("docs/errors.md");
    let fresh =
        egov_server::error_docs::regenerate(&doc, &registered_modules()).expect("regenerate");
    if std::env::var("EGOV_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write docs/errors.md");
        return;
    }
    assert!(
        doc == fresh,
        "docs/errors.md is not what the error tables generate: run \
         `EGOV_BLESS=1 cargo test -p egov-server --test it docs::` and commit the result"
    );
    for module in registered_modules() {
        if !module.error_codes().is_empty() {
            assert!(
                doc.contains(&format!("error codes of {} ", module.name())),
                "docs/errors.md has no generated block for {}",
                module.name()
            );
        }
    }
}

#[test]
fn every_table_code_is_registered_and_every_registered_code_is_in_a_table() {
    let sources = sources();
    let (rows, _) = tables(&sources);
    let in_tables: BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(in_tables.len(), rows.len(), "a code appears in two tables");
    let mut registered = BTreeSet::new();
    for module in registered_modules() {
        for code in module.error_codes() {
            assert!(
                registered.insert(code.code),
                "{} registered twice",
                code.code
            );
            assert!(!code.when.is_empty(), "{} does not say when", code.code);
            assert!(
                in_tables.contains(code.code),
                "{} is registered but not declared in an error_codes! table",
                code.code
            );
        }
    }
    for r in &rows {
        assert!(
            registered.contains(r.code.as_str()),
            "{} ({}) is in a table but no module registers it",
            r.code,
            r.file.display()
        );
    }
    assert!(registered.len() > 100);
}

#[test]
fn every_documented_code_is_produced_somewhere() {
    let sources = sources();
    let (rows, spans) = tables(&sources);
    let word = |text: &str, name: &str| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + name.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    let mut unused = Vec::new();
    let sources: Vec<(PathBuf, String)> = sources
        .into_iter()
        .map(|(p, t)| {
            let t = if p.ends_with("egov-core/src/problems.rs") {
                t
            } else {
                without_declarations(&t)
            };
            (p, t)
        })
        .collect();
    for r in &rows {
        let used = sources.iter().any(|(path, text)| {
            if *path == r.file {
                let (a, b) = spans[path];
                word(&text[..a], &r.name) || word(&text[b..], &r.name)
            } else {
                word(text, &r.name)
            }
        });
        if !used {
            unused.push(format!("{} ({})", r.code, r.name));
        }
    }
    assert!(
        unused.is_empty(),
        "documented codes that nothing produces: {unused:?}"
    );
}

#[test]
fn no_code_is_produced_outside_the_tables() {
    for (path, text) in sources() {
        let p = path.display().to_string();
        if p.ends_with("egov-core/src/error.rs") {
            continue;
        }
        assert!(
            !text.contains("ErrorCode::new("),
            "{p} makes an error code outside an error_codes! table"
        );
        // Exchange refusals name a documented code (`ServiceError::coded`); only the test
        // fixtures' made-up registry may use a string.
        if !p.contains("egov-testing") {
            for (i, _) in text.match_indices("ServiceError::new(") {
                let call = &text[i..text.len().min(i + 200)];
                assert!(
                    !call.contains(".\""),
                    "{p}: an exchange refusal with a code written as a string: {}",
                    call.lines().take(4).collect::<Vec<_>>().join(" ")
                );
            }
        }
    }
}

#[test]
fn no_error_response_is_written_by_hand() {
    for (path, text) in sources() {
        let p = path.display().to_string();
        if let Some(i) = text.find("body = egov_core::error::Problem") {
            let line = text[..i].lines().count();
            panic!(
                "{p}:{line}: an OpenAPI error row written by hand; list the codes with \
                 `egov_core::problems!` instead"
            );
        }
    }
}

#[test]
fn every_openapi_error_response_names_documented_codes() {
    let doc = serde_json::to_value(egov_server::openapi::merged_document(&registered_modules()))
        .expect("openapi");
    let mut documented: BTreeSet<String> = registered_modules()
        .iter()
        .flat_map(|m| m.error_codes().iter().map(|c| c.code.to_owned()))
        .collect();
    documented.extend(
        egov_exchange::errors::TYPES
            .iter()
            .map(|(t, _, _)| (*t).to_owned()),
    );
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(responses) = op.get("responses").and_then(|r| r.as_object()) else {
                continue;
            };
            operations += 1;
            for (status, response) in responses {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                // Problems; an OAuth token endpoint's are `application/json` (RFC 6749 §5.2).
                let content = &response["content"];
                let examples = content["application/problem+json"]["examples"]
                    .as_object()
                    .or_else(|| content["application/json"]["examples"].as_object())
                    .unwrap_or_else(|| {
                        panic!("{method} {path} {status}: no problem codes are listed")
                    });
                assert!(!examples.is_empty(), "{method} {path} {status}: no codes");
                for (code, example) in examples {
                    assert!(
                        documented.contains(code),
                        "{method} {path} {status}: `{code}` is not in docs/errors.md"
                    );
                    assert_eq!(
                        example["value"]["status"].as_u64(),
                        status.parse::<u64>().ok(),
                        "{method} {path}: `{code}` listed under the wrong status"
                    );
                }
            }
        }
    }
    assert!(operations > 200, "only {operations} operations");
}

#[test]
fn unsafe_code_is_allowed_in_one_place_only() {
    // `unsafe_code` is denied workspace-wide; the only exception is glibc's `malloc_trim`.
    let mut allowed = Vec::new();
    for (path, text) in sources() {
        if text.contains("allow(unsafe_code)") || text.contains("expect(unsafe_code)") {
            allowed.push(path.display().to_string());
        }
    }
    assert_eq!(allowed.len(), 1, "unsafe code allowed in {allowed:?}");
    assert!(
        allowed[0].ends_with("egov-server/src/memory.rs"),
        "{allowed:?}"
    );
}

#[test]
fn no_two_modules_define_a_schema_of_the_same_name_differently() {
    // The merged document keeps one schema per name: a second, different definition would
    // silently replace the first for the other module's operations.
    let mut seen: BTreeMap<String, (String, serde_json::Value)> = BTreeMap::new();
    let mut clashes = Vec::new();
    for module in registered_modules() {
        let doc =
            serde_json::to_value(egov_server::openapi::module_document(module)).expect("openapi");
        let Some(schemas) = doc["components"]["schemas"].as_object() else {
            continue;
        };
        for (name, schema) in schemas {
            match seen.get(name) {
                Some((first, earlier)) if earlier != schema => {
                    clashes.push(format!("{name}: {first} and {}", module.name()));
                }
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), (module.name().to_owned(), schema.clone()));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "schemas defined twice: {clashes:?}");
}

/// The module crates (their `src/` trees), by crate directory name.
const MODULE_CRATES: &[&str] = &[
    "egov-petition",
    "egov-tax",
    "egov-docflow",
    "egov-procurement",
];

fn module_sources() -> Vec<(PathBuf, String)> {
    sources()
        .into_iter()
        .filter(|(p, _)| {
            MODULE_CRATES
                .iter()
                .any(|m| p.components().any(|c| c.as_os_str() == *m))
        })
        .collect()
}

#[test]
fn handlers_call_the_service_never_the_store() {
    // A handler parses, authorizes, calls one use case and shapes the answer: the store is
    // the service's. Row types may be named (they are data); store functions may not be called.
    let mut calls = Vec::new();
    for (path, text) in module_sources() {
        let in_http = path.components().any(|c| c.as_os_str() == "http");
        if !in_http {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("store::") {
                let after = &rest[at + "store::".len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let called = after[name.len()..].trim_start().starts_with('(');
                if called && name.starts_with(|c: char| c.is_ascii_lowercase()) {
                    calls.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
                rest = after;
            }
        }
    }
    assert!(calls.is_empty(), "store calls in http/: {calls:#?}");
}

#[test]
fn modules_read_the_time_from_their_clock() {
    // Tests move the process's clock instead of sleeping: a module that asks the system for
    // the time escapes them (and the pilots' sandbox clock).
    let mut escapes = Vec::new();
    for (path, text) in module_sources() {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("Utc::now()") || code.contains("now_micros()") {
                escapes.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(escapes.is_empty(), "system time in a module: {escapes:#?}");
}
