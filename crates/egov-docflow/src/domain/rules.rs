//! The country pack's document rules: `docflow/docflow.toml` — ranks, document types,
//! retention classes, disclosure classes, the default delegation table (위임전결), acting
//! approval (대결) chain limit, whether post-hoc approval (후결) is enabled, and the
//! registration number's format, each with its legal citation. Checked at load; every problem
//! is reported as `file: field: message` and a pack with problems does not start.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A rank in the hierarchy (1 = head of the agency).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rank {
    pub level: i32,
    pub name: String,
}

/// A document type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocType {
    pub code: String,
    pub name: String,
    /// An acting approval (대결) of an important document creates a post-report task.
    pub important: bool,
    /// Default retention class code.
    pub retention: String,
}

/// A retention class (보존기간): `years` absent means permanent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionClass {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub years: Option<u32>,
    pub citation: String,
}

/// A disclosure class, set when a document is created.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub code: String,
    pub name: String,
    pub citation: String,
    /// The document must name the legal ground for withholding.
    #[serde(default)]
    pub ground_required: bool,
}

/// One row of a delegation table (위임전결): documents of `doc_type` up to `max_amount` (minor
/// units; none = any amount) may be finally approved by `rank` or a higher rank.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowDelegationRule)]
pub struct Delegation {
    pub doc_type: String,
    #[serde(default)]
    pub max_amount: Option<i64>,
    pub rank: i32,
    pub effective_from: NaiveDate,
    #[serde(default)]
    pub effective_to: Option<NaiveDate>,
    pub citation: String,
}

impl Delegation {
    /// Whether the row is in force on `day`.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day < to)
    }
}

/// The rule that decides the lowest rank that may finally approve a document of `doc_type`
/// and `amount` on `day`: among the rows in force for the type whose `max_amount` covers the
/// amount, the one with the smallest cover. A document without an amount is covered only by
/// rows without a limit (an amount-limited row never stands for an unknown amount). `None`:
/// nothing is delegated (the head approves).
pub fn delegation_for<'a>(
    rows: &'a [Delegation],
    doc_type: &str,
    amount: Option<i64>,
    day: NaiveDate,
) -> Option<&'a Delegation> {
    rows.iter()
        .filter(|r| r.doc_type == doc_type && r.in_force(day))
        .filter(|r| match (amount, r.max_amount) {
            (_, None) => true,
            (Some(a), Some(m)) => a <= m,
            (None, Some(_)) => false,
        })
        .min_by_key(|r| (r.max_amount.unwrap_or(i64::MAX), -r.rank))
}

/// Whether the delegation of `doc_type` in force on `day` depends on the amount (some row has
/// a limit): then a document of the type must state its amount.
pub fn amount_required(rows: &[Delegation], doc_type: &str, day: NaiveDate) -> bool {
    rows.iter()
        .any(|r| r.doc_type == doc_type && r.in_force(day) && r.max_amount.is_some())
}

/// The pack's document rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowRules)]
pub struct Rules {
    pub default_handling_days: u32,
    pub acting_chain_limit: u32,
    pub acting_citation: String,
    pub post_hoc_approval: bool,
    pub post_hoc_citation: String,
    pub registration_format: String,
    pub registration_citation: String,
    pub ranks: Vec<Rank>,
    pub doc_types: Vec<DocType>,
    pub retention: Vec<RetentionClass>,
    pub disclosure: Vec<Disclosure>,
    pub delegations: Vec<Delegation>,
}

impl Rules {
    pub fn doc_type(&self, code: &str) -> Option<&DocType> {
        self.doc_types.iter().find(|t| t.code == code)
    }

    pub fn retention_class(&self, code: &str) -> Option<&RetentionClass> {
        self.retention.iter().find(|t| t.code == code)
    }

    pub fn disclosure(&self, code: &str) -> Option<&Disclosure> {
        self.disclosure.iter().find(|t| t.code == code)
    }

    pub fn rank(&self, level: i32) -> Option<&Rank> {
        self.ranks.iter().find(|r| r.level == level)
    }

    /// The registration number as shown.
    pub fn registration_number(&self, unit: &str, year: i32, serial: i64) -> String {
        self.registration_format
            .replace("{unit}", unit)
            .replace("{year}", &year.to_string())
            .replace("{serial}", &serial.to_string())
    }
}

/// Problems found in the pack's file, one line each.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct RulesError(pub Vec<String>);

fn citation(issues: &mut Vec<String>, file: &str, field: &str, c: &str) {
    if c.trim().is_empty() || c.len() > 300 {
        issues.push(format!(
            "{file}: {field}: a legal citation (1-300 characters)"
        ));
    }
}

/// Loads and checks `docflow/docflow.toml` of the pack; `Ok(None)` when the pack has none.
pub fn load(pack_dir: &Path) -> Result<Option<Rules>, RulesError> {
    let path = pack_dir.join("docflow").join("docflow.toml");
    if !path.exists() {
        return Ok(None);
    }
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| RulesError(vec![format!("{file}: cannot be read: {e}")]))?;
    let r: Rules =
        toml::from_str(&text).map_err(|e| RulesError(vec![format!("{file}: {}", e.message())]))?;
    let issues = check(&file, &r);
    if issues.is_empty() {
        Ok(Some(r))
    } else {
        Err(RulesError(issues))
    }
}

/// Every problem of the rules.
pub fn check(file: &str, r: &Rules) -> Vec<String> {
    let mut issues = Vec::new();
    if r.default_handling_days == 0 || r.default_handling_days > 365 {
        issues.push(format!("{file}: default_handling_days: 1-365"));
    }
    if r.acting_chain_limit == 0 || r.acting_chain_limit > 5 {
        issues.push(format!("{file}: acting_chain_limit: 1-5"));
    }
    citation(&mut issues, file, "acting_citation", &r.acting_citation);
    citation(&mut issues, file, "post_hoc_citation", &r.post_hoc_citation);
    citation(
        &mut issues,
        file,
        "registration_citation",
        &r.registration_citation,
    );
    if !r.registration_format.contains("{serial}") || r.registration_format.len() > 64 {
        issues.push(format!(
            "{file}: registration_format: must contain {{serial}} (at most 64 characters)"
        ));
    }
    let mut levels = BTreeSet::new();
    for (i, k) in r.ranks.iter().enumerate() {
        if k.level < 1 || !levels.insert(k.level) {
            issues.push(format!("{file}: ranks[{i}].level: unique, at least 1"));
        }
    }
    if !levels.contains(&1) {
        issues.push(format!(
            "{file}: ranks: level 1 (head of agency) is required"
        ));
    }
    let mut codes = BTreeSet::new();
    for (i, c) in r.retention.iter().enumerate() {
        if !codes.insert(c.code.as_str()) {
            issues.push(format!("{file}: retention[{i}].code: duplicate"));
        }
        if c.years == Some(0) {
            issues.push(format!(
                "{file}: retention[{i}].years: at least 1 (leave out for permanent)"
            ));
        }
        citation(
            &mut issues,
            file,
            &format!("retention[{i}].citation"),
            &c.citation,
        );
    }
    let mut types = BTreeSet::new();
    for (i, t) in r.doc_types.iter().enumerate() {
        if t.code.is_empty() || !types.insert(t.code.as_str()) {
            issues.push(format!("{file}: doc_types[{i}].code: unique, not empty"));
        }
        if !codes.contains(t.retention.as_str()) {
            issues.push(format!(
                "{file}: doc_types[{i}].retention: no retention class {:?}",
                t.retention
            ));
        }
    }
    let mut disc = BTreeSet::new();
    for (i, d) in r.disclosure.iter().enumerate() {
        if !disc.insert(d.code.as_str()) {
            issues.push(format!("{file}: disclosure[{i}].code: duplicate"));
        }
        citation(
            &mut issues,
            file,
            &format!("disclosure[{i}].citation"),
            &d.citation,
        );
    }
    if r.disclosure.is_empty() {
        issues.push(format!("{file}: disclosure: at least one class"));
    }
    for (i, d) in r.delegations.iter().enumerate() {
        if !types.contains(d.doc_type.as_str()) {
            issues.push(format!(
                "{file}: delegations[{i}].doc_type: no document type {:?}",
                d.doc_type
            ));
        }
        if !levels.contains(&d.rank) || d.rank == 1 {
            issues.push(format!(
                "{file}: delegations[{i}].rank: a rank of the pack below the head (not 1)"
            ));
        }
        if d.max_amount.is_some_and(|m| m < 0) {
            issues.push(format!("{file}: delegations[{i}].max_amount: not negative"));
        }
        if d.effective_to.is_some_and(|to| to <= d.effective_from) {
            issues.push(format!(
                "{file}: delegations[{i}].effective_to: after effective_from"
            ));
        }
        citation(
            &mut issues,
            file,
            &format!("delegations[{i}].citation"),
            &d.citation,
        );
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(max: Option<i64>, rank: i32, from: &str, to: Option<&str>) -> Delegation {
        Delegation {
            doc_type: "expenditure".into(),
            max_amount: max,
            rank,
            effective_from: from.parse().expect("date"),
            effective_to: to.map(|t| t.parse().expect("date")),
            citation: "x".into(),
        }
    }

    #[test]
    fn the_smallest_cover_in_force_on_the_day_decides() {
        let rows = vec![
            row(Some(1_000), 4, "2024-01-01", Some("2025-01-01")),
            row(Some(1_000), 3, "2025-01-01", None),
            row(Some(100_000), 2, "2024-01-01", None),
        ];
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let f = |amount, day| {
            delegation_for(&rows, "expenditure", Some(amount), d(day)).map(|r| r.rank)
        };
        assert_eq!(f(500, "2024-06-01"), Some(4));
        assert_eq!(f(500, "2025-06-01"), Some(3));
        assert_eq!(f(5_000, "2025-06-01"), Some(2));
        assert_eq!(f(500_000, "2025-06-01"), None);
        assert_eq!(f(500, "2023-06-01"), None);
    }

    #[test]
    fn a_document_without_an_amount_is_never_covered_by_a_limited_row() {
        let limited = vec![
            row(Some(1_000), 4, "2024-01-01", None),
            row(Some(100_000), 3, "2024-01-01", None),
        ];
        let day: NaiveDate = "2025-06-01".parse().expect("date");
        assert_eq!(delegation_for(&limited, "expenditure", None, day), None);
        assert!(amount_required(&limited, "expenditure", day));
        assert!(!amount_required(&limited, "other", day));
        let mut with_open_row = limited.clone();
        with_open_row.push(row(None, 2, "2024-01-01", None));
        assert_eq!(
            delegation_for(&with_open_row, "expenditure", None, day).map(|r| r.rank),
            Some(2),
            "only the row without a limit covers an unknown amount"
        );
        let unlimited = vec![row(None, 3, "2024-01-01", None)];
        assert!(!amount_required(&unlimited, "expenditure", day));
        assert_eq!(
            delegation_for(&unlimited, "expenditure", None, day).map(|r| r.rank),
            Some(3)
        );
        // A limited row no longer in force does not make the amount required.
        let expired = vec![row(Some(1_000), 4, "2020-01-01", Some("2021-01-01"))];
        assert!(!amount_required(&expired, "expenditure", day));
    }

    #[test]
    fn the_packs_load() {
        for code in ["kr", "py"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../config/countries")
                .join(code);
            let r = load(&dir).expect("valid").expect("present");
            assert!(!r.doc_types.is_empty());
        }
    }
}
