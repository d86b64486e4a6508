//! The rules file as written (TOML), before it is checked and compiled.

use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) meta: RawMeta,
    #[serde(default)]
    pub(super) calendar: BTreeMap<String, Spanned<RawDue>>,
    #[serde(default)]
    pub(super) inputs: BTreeMap<String, Spanned<RawInput>>,
    #[serde(default)]
    pub(super) values: BTreeMap<String, Spanned<RawValue>>,
    /// Named tables (rows, bands or brackets) that several values use with `table = "…"`.
    #[serde(default)]
    pub(super) tables: BTreeMap<String, Spanned<RawTable>>,
    #[serde(default)]
    pub(super) administration: Option<RawAdministration>,
    #[serde(default)]
    pub(super) statements: Option<RawStatements>,
}

/// A table written once and used by several values (`table = "<name>"`): what the value
/// does not say itself it takes from here.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTable {
    pub(super) cite: String,
    #[serde(default)]
    pub(super) bands: Option<Vec<RawBand>>,
    #[serde(default)]
    pub(super) brackets: Option<Vec<RawBracket>>,
    #[serde(default)]
    pub(super) rows: Option<Vec<Vec<RawNum>>>,
    #[serde(rename = "match", default)]
    pub(super) matching: Option<RawMatch>,
    #[serde(default)]
    pub(super) default: Option<RawNum>,
}

/// How employers' withholding statements are checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStatements {
    /// The largest amount any field of a statement may hold.
    pub(super) max_amount: RawNum,
    /// Wages from this amount are held for an officer's review before they count.
    #[serde(default)]
    pub(super) hold_wages_from: Option<RawNum>,
    /// Withheld income tax may be at most this share of the wages (0 to 1).
    #[serde(default)]
    pub(super) max_withheld_share: Option<RawNum>,
    pub(super) cite: String,
}

/// What officers may post for the year without and with a second officer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdministration {
    /// The largest assessment (either sign) an officer may raise.
    pub(super) assessment_max: RawNum,
    /// Assessments and refunds of at least this much (either sign) wait for a second officer.
    pub(super) second_officer_from: RawNum,
    pub(super) cite: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    /// The file this one builds on (a previous year's), relative to this one: everything it
    /// declares holds unless this file declares the same name again.
    #[serde(default)]
    pub(super) extends: Option<String>,
    /// Inputs, values, tables and calendar entries of the extended file that no longer hold.
    #[serde(default)]
    pub(super) remove: Vec<String>,
    #[serde(default)]
    pub(super) tax: Option<String>,
    #[serde(default)]
    pub(super) title: Option<String>,
    #[serde(default)]
    pub(super) year: Option<i32>,
    #[serde(default)]
    pub(super) period: Option<String>,
    #[serde(default)]
    pub(super) currency: Option<String>,
    #[serde(default)]
    pub(super) law: Option<String>,
    #[serde(default)]
    pub(super) outputs: Option<Vec<String>>,
    /// The value a filer owes (positive) or is refunded (negative) after prepayments.
    #[serde(default)]
    pub(super) balance: Option<String>,
    /// The value that is the year's income, for income certificates.
    #[serde(default)]
    pub(super) income: Option<String>,
    /// The value that is the year's determined tax.
    #[serde(default)]
    pub(super) tax_due: Option<String>,
    /// Which input each withholding-statement field pre-fills.
    #[serde(default)]
    pub(super) prefill: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDue {
    pub(super) title: String,
    pub(super) due: chrono::NaiveDate,
    #[serde(default)]
    pub(super) opens: Option<chrono::NaiveDate>,
    pub(super) cite: String,
    /// Days before the due date on which reminders go out.
    #[serde(default)]
    pub(super) remind_days: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    #[serde(rename = "type")]
    pub(super) ty: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) cite: Option<String>,
    #[serde(default)]
    pub(super) period: Option<String>,
    #[serde(default)]
    pub(super) default: Option<RawNum>,
    #[serde(default)]
    pub(super) max: Option<RawNum>,
    #[serde(default)]
    pub(super) relations: Vec<String>,
    #[serde(default)]
    pub(super) flags: Vec<String>,
    /// A person's own amounts: field name → `money`, `count` or `number`.
    #[serde(default)]
    pub(super) fields: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) max_people: Option<usize>,
    /// For `choice`: the named values, in order.
    #[serde(default)]
    pub(super) choices: Vec<String>,
}

/// How a lookup key picks its row: one mode for every key, or one per key.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawMatch {
    One(String),
    PerKey(Vec<String>),
}

/// A dated value of a parameter: in force from `from` until the next one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDated {
    pub(super) from: chrono::NaiveDate,
    pub(super) value: RawNum,
    #[serde(default)]
    pub(super) cite: Option<String>,
}

/// A condition on a person's own field (or `age`, or a flag as 1 or 0), for allowances,
/// counts and sums; or `any` of several such conditions.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawWhere {
    One(RawCondition),
    Any(RawAny),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAny {
    pub(super) any: Vec<RawCondition>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    pub(super) field: String,
    pub(super) cmp: String,
    pub(super) than: RawOperand,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawNum {
    Int(i64),
    Float(f64),
    Str(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawOperand {
    Int(i64),
    Float(f64),
    Name(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawOperands {
    One(RawOperand),
    Many(Vec<RawOperand>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub(super) from: RawNum,
    #[serde(default)]
    pub(super) base: Option<RawNum>,
    pub(super) rate: RawNum,
    #[serde(default)]
    pub(super) floor: Option<RawNum>,
    #[serde(default)]
    pub(super) cap: Option<RawNum>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBracket {
    #[serde(default)]
    pub(super) upto: Option<RawNum>,
    pub(super) rate: RawNum,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRound {
    pub(super) mode: String,
    pub(super) unit: RawNum,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawValue {
    pub(super) kind: String,
    #[serde(default)]
    pub(super) label: Option<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) cite: Option<String>,
    #[serde(default)]
    pub(super) of: Option<RawOperands>,
    #[serde(default)]
    pub(super) value: Option<RawNum>,
    /// A parameter that changes within the year: each value from its date.
    #[serde(default)]
    pub(super) dated: Option<Vec<RawDated>>,
    /// For `dated`: `"days"` weighs each value by the days it is in force in the period;
    /// without it the value in force on the period's first day holds.
    #[serde(default)]
    pub(super) apportion: Option<String>,
    #[serde(default)]
    pub(super) rate: Option<RawNum>,
    #[serde(default)]
    pub(super) bands: Option<Vec<RawBand>>,
    #[serde(default)]
    pub(super) brackets: Option<Vec<RawBracket>>,
    #[serde(default)]
    pub(super) people: Option<String>,
    #[serde(default)]
    pub(super) relations: Option<Vec<String>>,
    #[serde(default)]
    pub(super) ages: Option<Vec<(u32, u32)>>,
    #[serde(default)]
    pub(super) flag: Option<String>,
    #[serde(default)]
    pub(super) not_flag: Option<String>,
    #[serde(default)]
    pub(super) any_age_if: Option<String>,
    /// Conditions on the person's own fields.
    #[serde(rename = "where", default)]
    pub(super) conditions: Option<Vec<RawWhere>>,
    /// For `people_sum`: the person's field to add up.
    #[serde(default)]
    pub(super) field: Option<String>,
    /// A named table from `[tables]` supplying rows, bands or brackets.
    #[serde(default)]
    pub(super) table: Option<String>,
    #[serde(rename = "match", default)]
    pub(super) matching: Option<RawMatch>,
    /// For `threshold` on a `choice` input: the choice (or choices) that take `then`.
    #[serde(default)]
    pub(super) is: Option<RawChoices>,
    #[serde(default)]
    pub(super) amount: Option<RawOperand>,
    #[serde(default)]
    pub(super) max_count: Option<u32>,
    #[serde(default)]
    pub(super) key: Option<RawOperand>,
    #[serde(default)]
    pub(super) keys: Option<Vec<RawOperand>>,
    #[serde(default)]
    pub(super) rows: Option<Vec<Vec<RawNum>>>,
    #[serde(default)]
    pub(super) exact: Option<bool>,
    #[serde(default)]
    pub(super) default: Option<RawNum>,
    #[serde(rename = "if", default)]
    pub(super) test: Option<RawOperand>,
    #[serde(default)]
    pub(super) cmp: Option<String>,
    #[serde(default)]
    pub(super) than: Option<RawOperand>,
    #[serde(default)]
    pub(super) then: Option<RawOperand>,
    #[serde(rename = "else", default)]
    pub(super) otherwise: Option<RawOperand>,
    #[serde(default)]
    pub(super) floor: Option<RawOperand>,
    #[serde(default)]
    pub(super) cap: Option<RawOperand>,
    #[serde(default)]
    pub(super) round: Option<RawRound>,
    #[serde(default)]
    pub(super) period: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawChoices {
    One(String),
    Many(Vec<String>),
}

impl RawChoices {
    pub(super) fn list(&self) -> Vec<String> {
        match self {
            RawChoices::One(s) => vec![s.clone()],
            RawChoices::Many(v) => v.clone(),
        }
    }
}
