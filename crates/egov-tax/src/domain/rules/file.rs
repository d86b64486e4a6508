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
    #[serde(default)]
    pub(super) administration: Option<RawAdministration>,
    #[serde(default)]
    pub(super) statements: Option<RawStatements>,
}

/// How employers' withholding statements are checked.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdministration {
    /// The largest assessment (either sign) an officer may raise.
    pub(super) assessment_max: RawNum,
    /// Assessments and refunds of at least this much (either sign) wait for a second officer.
    pub(super) second_officer_from: RawNum,
    pub(super) cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) tax: String,
    pub(super) title: String,
    pub(super) year: i32,
    #[serde(default = "annual")]
    pub(super) period: String,
    pub(super) currency: String,
    #[serde(default)]
    pub(super) law: String,
    #[serde(default)]
    pub(super) outputs: Vec<String>,
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
    pub(super) prefill: BTreeMap<String, String>,
}

pub(super) fn annual() -> String {
    "annual".into()
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

#[derive(Debug, Deserialize)]
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
    #[serde(default)]
    pub(super) max_people: Option<usize>,
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

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBracket {
    #[serde(default)]
    pub(super) upto: Option<RawNum>,
    pub(super) rate: RawNum,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRound {
    pub(super) mode: String,
    pub(super) unit: RawNum,
}

#[derive(Debug, Deserialize)]
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
