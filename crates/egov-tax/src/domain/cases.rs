//! Test cases written in the pack beside the rules (`tax/<year>.tests.toml`), in the shape of
//! OpenFisca's YAML tests: a name, inputs, expected outputs and an error margin (absolute,
//! or relative, or per variable). `egov tax test <file>` runs them; CI runs every pack's.
//!
//! ```toml
//! rules = "2026.toml"
//!
//! [[case]]
//! name = "Single wage earner at the first bracket edge"
//! absolute_error_margin = 0
//! input = { wages = 30_000_000, pension_contributions = 4_750_000 }
//! output = { taxable_income = 14_000_000, computed_tax = 840_000 }
//!
//! [[case]]
//! name = "Won have no minor units"
//! input = { wages = "30000000.5" }
//! refused = ["/wages"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::{LoadError, LoadIssue, RuleSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCases {
    rules: String,
    #[serde(default)]
    absolute_error_margin: Option<toml::Value>,
    #[serde(rename = "case", default)]
    cases: Vec<toml::Spanned<RawCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    absolute_error_margin: Option<toml::Value>,
    #[serde(default)]
    relative_error_margin: Option<toml::Value>,
    input: toml::Table,
    #[serde(default)]
    output: toml::Table,
    /// The inputs (JSON pointers) the case expects to be refused, instead of outputs.
    #[serde(default)]
    refused: Vec<String>,
}

/// One failed expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub case: String,
    pub line: usize,
    pub name: String,
    pub expected: Decimal,
    pub actual: Option<Decimal>,
    pub message: String,
}

/// What a run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rules: PathBuf,
    pub rules_hash: String,
    pub cases: usize,
    pub checks: usize,
    pub failures: Vec<Mismatch>,
    /// What the rules' loading warns of (see [`RuleSet::warnings`]).
    pub warnings: Vec<LoadIssue>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.cases > 0
    }
}

fn margin(v: &Option<toml::Value>, name: &str) -> Result<Option<Decimal>, String> {
    let value = match v {
        None => return Ok(None),
        Some(toml::Value::Table(t)) => match t.get(name).or_else(|| t.get("default")) {
            Some(v) => v.clone(),
            None => return Ok(None),
        },
        Some(v) => v.clone(),
    };
    decimal(&value).map(Some)
}

fn decimal(v: &toml::Value) -> Result<Decimal, String> {
    match v {
        toml::Value::Integer(i) => Ok(Decimal::from(*i)),
        toml::Value::Float(f) => format!("{f}")
            .parse()
            .map_err(|_| format!("{f} is out of range")),
        toml::Value::String(s) => s.parse().map_err(|_| format!("{s:?} is not a number")),
        toml::Value::Boolean(b) => Ok(Decimal::from(u8::from(*b))),
        other => Err(format!("{other} is not a number")),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Runs a test file: loads the rules it names (relative to the file) and checks every case.
pub fn run(path: &Path) -> Result<Report, LoadError> {
    let fail = |line: usize, message: String| {
        LoadError(vec![LoadIssue {
            file: path.to_owned(),
            line,
            message,
        }])
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(0, format!("cannot read: {e}")))?;
    let raw: RawCases = toml::from_str(&text).map_err(|e| {
        fail(
            e.span().map_or(0, |s| line_of(&text, s.start)),
            e.message().to_owned(),
        )
    })?;
    let rules_path = path.parent().unwrap_or(Path::new(".")).join(&raw.rules);
    let rules = RuleSet::load(&rules_path)?;
    let mut report = Report {
        rules: rules_path,
        rules_hash: rules.hash.clone(),
        warnings: rules.warnings(),
        ..Report::default()
    };
    for spanned in &raw.cases {
        let line = line_of(&text, spanned.span().start);
        let case = spanned.get_ref();
        report.cases += 1;
        let input: serde_json::Map<String, serde_json::Value> =
            match serde_json::to_value(&case.input) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => {
                    return Err(fail(
                        line,
                        format!("case {:?}: input is not a table", case.name),
                    ));
                }
            };
        if !case.refused.is_empty() {
            if !case.output.is_empty() {
                return Err(fail(
                    line,
                    format!("case {:?}: `refused` or `output`, not both", case.name),
                ));
            }
            report.checks += 1;
            let mut got: Vec<String> = match rules.prepare(&input) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.into_iter().map(|e| e.pointer).collect(),
            };
            got.sort();
            got.dedup();
            let mut want = case.refused.clone();
            want.sort();
            if got != want {
                report.failures.push(Mismatch {
                    case: case.name.clone(),
                    line,
                    name: want.join(", "),
                    expected: Decimal::ZERO,
                    actual: None,
                    message: format!(
                        "expected these inputs refused; refused: [{}]",
                        got.join(", ")
                    ),
                });
            }
            continue;
        }
        let prepared = match rules.prepare(&input) {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    report.failures.push(Mismatch {
                        case: case.name.clone(),
                        line,
                        name: e.pointer.clone(),
                        expected: Decimal::ZERO,
                        actual: None,
                        message: format!("input refused: {}", e.message),
                    });
                }
                continue;
            }
        };
        let outcome = rules.evaluate(&prepared, false);
        let expected: BTreeMap<&String, &toml::Value> = case.output.iter().collect();
        for (name, value) in expected {
            report.checks += 1;
            let want = decimal(value)
                .map_err(|m| fail(line, format!("case {:?}: {name}: {m}", case.name)))?;
            let abs = margin(&case.absolute_error_margin, name)
                .and_then(|m| match m {
                    Some(m) => Ok(Some(m)),
                    None => margin(&raw.absolute_error_margin, name),
                })
                .map_err(|m| fail(line, m))?;
            let rel = margin(&case.relative_error_margin, name).map_err(|m| fail(line, m))?;
            let Some(got) = outcome.values.get(name.as_str()).copied() else {
                report.failures.push(Mismatch {
                    case: case.name.clone(),
                    line,
                    name: name.clone(),
                    expected: want,
                    actual: None,
                    message: "no such input or value in the rules".into(),
                });
                continue;
            };
            let diff = (got - want).abs();
            let allowed = abs
                .unwrap_or_default()
                .max(rel.map_or(Decimal::ZERO, |r| r * want.abs()));
            if diff > allowed {
                report.failures.push(Mismatch {
                    case: case.name.clone(),
                    line,
                    name: name.clone(),
                    expected: want,
                    actual: Some(got),
                    message: format!("off by {diff} (allowed {allowed})"),
                });
            }
        }
        let _ = (&case.description, &case.keywords);
    }
    Ok(report)
}
