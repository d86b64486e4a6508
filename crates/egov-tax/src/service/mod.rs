//! The filing service: pre-fill, computation with explanation, business rules, submission,
//! the taxpayer ledger, payments, refunds and certificates. Handlers call these; these call
//! the store.

pub mod approvals;
pub mod certificates;
pub mod officers;
pub mod statements;
pub mod taxpayers;

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use egov_core::error::FieldError;
use egov_core::{DbConnection, Error};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::Tax;
use crate::domain::eval::to_json;
use crate::domain::{Outcome, RuleSet};
use crate::errors;
use crate::store::{self, LedgerRow, ReturnRow, StatementRow, VersionRow};
use egov_auth::{Action, Reader, SubjectKey};

/// Where a pre-filled value came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Provenance {
    /// The input it fills.
    pub input: String,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// `withholding_statement`.
    pub source: String,
    /// The statements summed: `<employer>/<statement id>`.
    pub documents: Vec<String>,
    pub received_at: NaiveDateTime,
}

/// A business rule that fired.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RuleHit {
    /// Rule number, e.g. `TAX-R0002`.
    pub rule: String,
    /// `reject` (blocks submission) or `alert` (recorded on the acknowledgement).
    pub severity: String,
    pub message: String,
    /// JSON pointer of the offending input.
    pub pointer: String,
    /// The offending value.
    pub value: Option<String>,
}

/// The catalogue of business rules (numbered, with severity), published in the docs.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "TAX-R0001",
        "reject",
        "An input does not meet its declaration in the rules (type, sign, range, people fields).",
    ),
    (
        "TAX-R0002",
        "reject",
        "Wages are lower than the total of the employers' withholding statements.",
    ),
    (
        "TAX-R0003",
        "reject",
        "Tax claimed as withheld exceeds what employers' statements report as withheld.",
    ),
    (
        "TAX-R0004",
        "reject",
        "The tax year has not ended: a final return cannot be filed yet.",
    ),
    (
        "TAX-R0005",
        "alert",
        "Filed after the due date: late-filing penalties may apply.",
    ),
    (
        "TAX-R0006",
        "alert",
        "A pre-filled value was changed by the filer (recorded with the pre-filled value).",
    ),
];

fn hit(rule: &str, pointer: &str, value: Option<String>, message: String) -> RuleHit {
    let severity = RULES
        .iter()
        .find(|r| r.0 == rule)
        .map_or("reject", |r| r.1)
        .to_owned();
    RuleHit {
        rule: rule.to_owned(),
        severity,
        message,
        pointer: pointer.to_owned(),
        value,
    }
}

/// Sums a taxpayer's statements for a year into the pack's inputs, with provenance.
pub fn prefill(
    rules: &RuleSet,
    statements: &[StatementRow],
) -> (Map<String, Value>, Vec<Provenance>) {
    let mut sums: BTreeMap<String, (Decimal, Vec<String>, NaiveDateTime)> = BTreeMap::new();
    for s in statements {
        let amounts: BTreeMap<String, Decimal> =
            serde_json::from_str(&s.amounts).unwrap_or_default();
        for (field, value) in amounts {
            let Some(input) = rules.prefill.get(&field) else {
                continue;
            };
            let e = sums
                .entry(input.clone())
                .or_insert((Decimal::ZERO, Vec::new(), s.received_at));
            e.0 += value;
            e.1.push(format!("{}/{}", s.employer, s.statement_id));
            e.2 = e.2.max(s.received_at);
        }
    }
    let mut map = Map::new();
    let mut prov = Vec::new();
    for (input, (value, documents, received_at)) in sums {
        map.insert(input.clone(), to_json(value));
        prov.push(Provenance {
            input,
            value,
            source: "withholding_statement".into(),
            documents,
            received_at,
        });
    }
    (map, prov)
}

/// The filer's entries over the pre-fill.
pub fn merge(prefill: &Map<String, Value>, draft: &Map<String, Value>) -> Map<String, Value> {
    let mut m = prefill.clone();
    for (k, v) in draft {
        m.insert(k.clone(), v.clone());
    }
    m
}

/// Evaluates with explanation; input problems become rule TAX-R0001 hits.
pub fn compute(rules: &RuleSet, inputs: &Map<String, Value>) -> Result<Outcome, Vec<RuleHit>> {
    match rules.prepare(inputs) {
        Ok(p) => Ok(rules.evaluate(&p, true)),
        Err(errs) => Err(errs
            .into_iter()
            .map(|e| {
                let value = e
                    .pointer
                    .strip_prefix('/')
                    .and_then(|k| inputs.get(k.split('/').next().unwrap_or(k)))
                    .map(|v| v.to_string());
                hit("TAX-R0001", &e.pointer, value, e.message.to_string())
            })
            .collect()),
    }
}

/// The filing due date: the last date of the rules' calendar, moved to the next working day
/// by the country calendar when it falls on a weekend or holiday of a covered year.
pub fn due_date(tax: &Tax, rules: &RuleSet) -> Option<NaiveDate> {
    let due = rules.calendar.iter().map(|d| d.due).max()?;
    Some(adjust(tax, due))
}

pub fn adjust(tax: &Tax, date: NaiveDate) -> NaiveDate {
    tax.0
        .packs
        .active()
        .calendar
        .on_or_after(date)
        .unwrap_or(date)
}

/// Business rules over a computed return.
pub fn business_rules(
    tax: &Tax,
    rules: &RuleSet,
    prefill: &Map<String, Value>,
    inputs: &Map<String, Value>,
    outcome: &Outcome,
    today: NaiveDate,
) -> Vec<RuleHit> {
    let mut hits = Vec::new();
    let dec = |m: &Map<String, Value>, k: &str| -> Decimal {
        m.get(k)
            .and_then(|v| match v {
                Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
                Value::String(s) => Decimal::from_str(s).ok(),
                _ => None,
            })
            .unwrap_or_default()
    };
    if let Some(w) = rules.prefill.get("wages") {
        let reported = dec(prefill, w);
        if outcome.get(w) < reported {
            hits.push(hit(
                "TAX-R0002",
                &format!("/{w}"),
                Some(outcome.get(w).to_string()),
                format!(
                    "wages must be at least {reported}, the total of the employers' statements"
                ),
            ));
        }
    }
    for field in ["withheld_income_tax", "withheld_local_tax"] {
        if let Some(input) = rules.prefill.get(field) {
            let reported = dec(prefill, input);
            if outcome.get(input) > reported {
                hits.push(hit(
                    "TAX-R0003",
                    &format!("/{input}"),
                    Some(outcome.get(input).to_string()),
                    format!("at most {reported} was reported as withheld by employers"),
                ));
            }
        }
    }
    let year_end = NaiveDate::from_ymd_opt(rules.year, 12, 31).unwrap_or(today);
    if today <= year_end && !tax.0.config.allow_early_filing {
        hits.push(hit(
            "TAX-R0004",
            "/year",
            Some(rules.year.to_string()),
            format!("the {} tax year ends on {year_end}", rules.year),
        ));
    }
    if let Some(due) = due_date(tax, rules)
        && today > due
    {
        hits.push(hit(
            "TAX-R0005",
            "/year",
            Some(today.to_string()),
            format!("the return was due on {due}"),
        ));
    }
    for (k, v) in inputs {
        if let Some(p) = prefill.get(k)
            && p != v
        {
            hits.push(hit(
                "TAX-R0006",
                &format!("/{k}"),
                Some(v.to_string()),
                format!("pre-filled as {p}"),
            ));
        }
    }
    hits
}

/// A taxpayer as the service knows them.
#[derive(Debug, Clone)]
pub struct Taxpayer {
    /// Subject key: a person's blind index or `business:<number>`.
    pub key: String,
    pub masked: String,
}

/// A random payment reference with an ISO 7064 mod 97-10 check: `YYYY` + 8 digits + 2.
pub fn payment_reference(year: i32) -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap_or_default();
    let n = u64::from_le_bytes(b) % 100_000_000;
    let body = format!("{year:04}{n:08}");
    let r = (body.parse::<u128>().unwrap_or(0) * 100) % 97;
    format!("{body}{:02}", 98 - r)
}

pub fn reference_ok(r: &str) -> bool {
    r.len() == 14
        && r.bytes().all(|b| b.is_ascii_digit())
        && r.parse::<u128>().is_ok_and(|n| n % 97 == 1)
}

/// Creates the return row (a write first) and loads it.
/// The taxpayer's return for the year, created (as a pre-filled draft) on first use.
/// `statements` are the taxpayer's statements for the year (the masked ID shown to officers
/// comes from the first).
/// The refund due on a taxpayer's period (the negative balance, as a positive amount; zero or
/// less when none is due).
pub fn refund_due(
    c: &mut DbConnection,
    taxpayer: &str,
    tax: &str,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<rust_decimal::Decimal, Error> {
    let period = account(&store::ledger_of(c, taxpayer)?, today)
        .into_iter()
        .find(|p| p.tax == tax && p.year == year);
    Ok(period.map(|p| -p.balance).unwrap_or_default())
}

pub fn open_return(
    c: &mut DbConnection,
    taxpayer: &Taxpayer,
    tax_code: &str,
    year: i32,
    statements: &[StatementRow],
    now: NaiveDateTime,
) -> Result<ReturnRow, Error> {
    if let Some(row) = store::return_of(c, &taxpayer.key, tax_code, year)? {
        return Ok(row);
    }
    let masked = statements
        .first()
        .map_or_else(|| taxpayer.masked.clone(), |s| s.masked_id.clone());
    store::ensure_return(
        c,
        &ReturnRow {
            id: uuid::Uuid::now_v7().to_string(),
            taxpayer: taxpayer.key.clone(),
            masked_id: masked,
            tax: tax_code.to_owned(),
            year,
            status: "draft".into(),
            draft: "{}".into(),
            payment_reference: payment_reference(year),
            latest_version: 0,
            created_at: now,
            updated_at: now,
        },
    )?;
    store::return_of(c, &taxpayer.key, tax_code, year)?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("return row missing after insert")))
}

/// A return as the filer (or an officer) sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnView {
    pub id: String,
    pub tax: String,
    pub year: i32,
    /// `prefilled` (nothing entered yet), `draft`, or `submitted`.
    pub status: String,
    pub latest_version: i32,
    pub payment_reference: String,
    /// Pre-filled values with their provenance.
    pub prefill: Vec<Provenance>,
    /// The filer's own entries (over the pre-fill).
    #[schema(value_type = Object)]
    pub entries: Map<String, Value>,
    /// The computed result with the explanation of every value ("why this number").
    pub outcome: Option<Outcome>,
    /// Business rules that fire now (rejections block submission).
    pub rules_fired: Vec<RuleHit>,
    #[schema(value_type = Option<String>)]
    pub due_date: Option<NaiveDate>,
    /// Every withholding statement filed about the filer for the year, each flagged: only
    /// `counted` ones pre-fill the return; `held` (an outlier) and `disputed` ones wait for an
    /// officer; `void` ones never count. Dispute one at
    /// `POST /tax/v1/me/statements/{id}/dispute`.
    pub sources: Vec<StatementSource>,
}

/// One withholding statement as the filer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementSource {
    pub id: String,
    /// The employer's business registration number.
    pub employer: String,
    pub statement_id: String,
    /// `counted`, `held`, `disputed` or `void`.
    pub status: String,
    /// Counted in the pre-filled return.
    pub counted: bool,
    #[schema(value_type = Object)]
    pub amounts: Value,
    /// Why it is held, the filer's dispute, or the officer's resolution.
    pub note: Option<String>,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub received_at: NaiveDateTime,
}

impl From<&StatementRow> for StatementSource {
    fn from(s: &StatementRow) -> Self {
        Self {
            id: s.id.clone(),
            employer: s.employer.clone(),
            statement_id: s.statement_id.clone(),
            status: s.status.clone(),
            counted: s.status == "counted",
            amounts: serde_json::from_str(&s.amounts).unwrap_or(Value::Null),
            note: s.note.clone(),
            received_at: s.received_at,
        }
    }
}

pub fn view(
    tax: &Tax,
    rules: &RuleSet,
    row: &ReturnRow,
    statements: &[StatementRow],
) -> ReturnView {
    let draft: Map<String, Value> = serde_json::from_str(&row.draft).unwrap_or_default();
    let (pre, prov) = prefill(rules, statements);
    let inputs = merge(&pre, &draft);
    let (outcome, fired) = match compute(rules, &inputs) {
        Ok(o) => {
            let hits = business_rules(tax, rules, &pre, &draft, &o, tax.now().date());
            (Some(o), hits)
        }
        Err(hits) => (None, hits),
    };
    let status = if row.status == "draft" && draft.is_empty() {
        "prefilled".to_owned()
    } else {
        row.status.clone()
    };
    ReturnView {
        id: row.id.clone(),
        tax: row.tax.clone(),
        year: row.year,
        status,
        latest_version: row.latest_version,
        payment_reference: row.payment_reference.clone(),
        prefill: prov,
        entries: draft,
        outcome,
        rules_fired: fired,
        due_date: due_date(tax, rules),
        sources: statements.iter().map(StatementSource::from).collect(),
    }
}

/// What a submission returns: the signed acknowledgement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Acknowledgement {
    /// The submission id.
    pub submission_id: String,
    pub return_id: String,
    pub tax: String,
    pub year: i32,
    pub version: i32,
    /// `original`, `amended` or `correction`.
    pub kind: String,
    /// `accepted`.
    pub status: String,
    pub received_at: NaiveDateTime,
    pub engine_version: String,
    pub rules_hash: String,
    /// The return's outputs as assessed.
    #[schema(value_type = Object)]
    pub amounts: Map<String, Value>,
    /// Owed (positive) or refundable (negative) after prepayments, for this version.
    #[schema(value_type = String)]
    pub balance: Decimal,
    /// Change to the account that this version makes (difference from the previous version).
    #[schema(value_type = String)]
    pub assessed_change: Decimal,
    pub payment_reference: String,
    /// Alerts that fired (they do not block).
    pub alerts: Vec<RuleHit>,
    /// Detached JWS (EdDSA) over the canonical JSON of this acknowledgement without this
    /// field, by the key published at `/tax/v1/keys`.
    #[serde(default)]
    pub signature: String,
}

/// Submits (or corrects) a return in one transaction: idempotent by `key`; rejections change
/// nothing.
#[allow(clippy::too_many_arguments)]
pub fn submit(
    tax: &Tax,
    c: &mut DbConnection,
    taxpayer: &Taxpayer,
    rules: &RuleSet,
    key: &str,
    actor: &str,
    kind_override: Option<(&str, &Map<String, Value>)>,
) -> Result<(Acknowledgement, bool), Error> {
    let statements = store::statements_of(c, &taxpayer.key, rules.year)?;
    let row = open_return(c, taxpayer, &rules.tax, rules.year, &statements, tax.now())?;
    if let Some(existing) = store::version_by_key(c, &row.id, key)? {
        let ack: Acknowledgement =
            serde_json::from_str(&existing.acknowledgement).map_err(Error::internal)?;
        return Ok((ack, false));
    }
    let (pre, prov) = prefill(rules, &statements);
    let previous = store::latest_version(c, &row.id)?;
    let (entries, kind, reason) = match kind_override {
        Some((reason, changes)) => {
            // An officer's correction: the latest filed inputs with the officer's changes.
            let base: Map<String, Value> = previous
                .as_ref()
                .and_then(|v| serde_json::from_str(&v.inputs).ok())
                .unwrap_or_else(|| pre.clone());
            (merge(&base, changes), "correction", Some(reason.to_owned()))
        }
        None => {
            let draft: Map<String, Value> = serde_json::from_str(&row.draft).unwrap_or_default();
            let kind = if previous.is_some() {
                "amended"
            } else {
                "original"
            };
            (merge(&pre, &draft), kind, None)
        }
    };
    let outcome = compute(rules, &entries).map_err(reject)?;
    let filer_entries: Map<String, Value> = entries
        .iter()
        .filter(|(k, v)| pre.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let hits = business_rules(tax, rules, &pre, &filer_entries, &outcome, tax.now().date());
    let (rejects, alerts): (Vec<RuleHit>, Vec<RuleHit>) =
        hits.into_iter().partition(|h| h.severity == "reject");
    // Officers may correct a past year's assessment even when a filer could not file it.
    let rejects: Vec<RuleHit> = rejects
        .into_iter()
        .filter(|h| !(kind == "correction" && h.rule == "TAX-R0004"))
        .collect();
    if !rejects.is_empty() {
        return Err(reject(rejects));
    }
    let balance = rules
        .balance
        .as_deref()
        .map_or(Decimal::ZERO, |b| outcome.get(b));
    let before = previous
        .as_ref()
        .and_then(|v| Decimal::from_str(&v.balance).ok())
        .unwrap_or_default();
    let version = row.latest_version + 1;
    let now = tax.now();
    let id = uuid::Uuid::now_v7().to_string();
    let amounts: Map<String, Value> = rules
        .outputs
        .iter()
        .map(|o| (o.clone(), to_json(outcome.get(o))))
        .collect();
    let mut ack = Acknowledgement {
        submission_id: id.clone(),
        return_id: row.id.clone(),
        tax: rules.tax.clone(),
        year: rules.year,
        version,
        kind: kind.into(),
        status: "accepted".into(),
        received_at: now,
        engine_version: outcome.engine_version.clone(),
        rules_hash: outcome.rules_hash.clone(),
        amounts,
        balance,
        assessed_change: balance - before,
        payment_reference: row.payment_reference.clone(),
        alerts: alerts.clone(),
        signature: String::new(),
    };
    let unsigned = serde_json::to_value(&ack).map_err(Error::internal)?;
    ack.signature = tax.sign(&strip_signature(unsigned));
    store::insert_version(
        c,
        &VersionRow {
            id: id.clone(),
            return_id: row.id.clone(),
            version,
            kind: kind.into(),
            idempotency_key: key.to_owned(),
            inputs: Value::Object(entries).to_string(),
            prefill: serde_json::to_string(&prov).map_err(Error::internal)?,
            outcome: serde_json::to_string(&outcome).map_err(Error::internal)?,
            rules_hash: outcome.rules_hash.clone(),
            engine_version: outcome.engine_version.clone(),
            balance: balance.to_string(),
            alerts: serde_json::to_string(&alerts).map_err(Error::internal)?,
            actor: actor.to_owned(),
            reason,
            acknowledgement: serde_json::to_string(&ack).map_err(Error::internal)?,
            signature: ack.signature.clone(),
            submitted_at: now,
        },
    )
    .map_err(|_| Error::new(errors::CONCURRENT_SUBMISSION))?;
    if !store::advance_version(c, &row.id, row.latest_version, version, now)? {
        return Err(Error::new(errors::CONCURRENT_SUBMISSION));
    }
    if ack.assessed_change != Decimal::ZERO {
        store::insert_ledger(
            c,
            &LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: taxpayer.key.clone(),
                tax: rules.tax.clone(),
                year: rules.year,
                kind: "assessment".into(),
                amount: ack.assessed_change.to_string(),
                due_date: due_date(tax, rules),
                source: id,
                reference: Some(row.payment_reference.clone()),
                note: None,
                created_at: now,
            },
        )?;
    }
    Ok((ack, true))
}

pub fn strip_signature(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.remove("signature");
    }
    v
}

fn reject(hits: Vec<RuleHit>) -> Error {
    let detail = hits
        .iter()
        .map(|h| format!("{} {}", h.rule, h.pointer))
        .collect::<Vec<_>>()
        .join(", ");
    Error::with_detail(errors::RETURN_REJECTED, format!("rules fired: {detail}")).with_errors(
        hits.into_iter()
            .map(|h| FieldError {
                pointer: h.pointer,
                detail: format!(
                    "{} ({}): {}{}",
                    h.rule,
                    h.severity,
                    h.message,
                    h.value
                        .map(|v| format!(" [value: {v}]"))
                        .unwrap_or_default()
                )
                .into(),
            })
            .collect(),
    )
}

/// One tax period of a taxpayer's account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub tax: String,
    pub year: i32,
    #[schema(value_type = String)]
    pub assessed: Decimal,
    #[schema(value_type = String)]
    pub paid: Decimal,
    #[schema(value_type = String)]
    pub refunded: Decimal,
    /// Owed (positive) or refund due (negative).
    #[schema(value_type = String)]
    pub balance: Decimal,
    #[schema(value_type = Option<String>)]
    pub due_date: Option<NaiveDate>,
    /// Owed and past the due date.
    pub overdue: bool,
    pub payment_reference: Option<String>,
}

pub fn account(rows: &[LedgerRow], today: NaiveDate) -> Vec<Period> {
    let mut periods: BTreeMap<(String, i32), Period> = BTreeMap::new();
    for r in rows {
        let amount = Decimal::from_str(&r.amount).unwrap_or_default();
        let p = periods
            .entry((r.tax.clone(), r.year))
            .or_insert_with(|| Period {
                tax: r.tax.clone(),
                year: r.year,
                assessed: Decimal::ZERO,
                paid: Decimal::ZERO,
                refunded: Decimal::ZERO,
                balance: Decimal::ZERO,
                due_date: None,
                overdue: false,
                payment_reference: None,
            });
        match r.kind.as_str() {
            "assessment" => {
                p.assessed += amount;
                p.due_date = p.due_date.max(r.due_date);
                if r.reference.is_some() {
                    p.payment_reference.clone_from(&r.reference);
                }
            }
            "payment" => p.paid -= amount,
            _ => p.refunded += amount,
        }
        p.balance += amount;
    }
    periods
        .into_values()
        .map(|mut p| {
            p.overdue = p.balance > Decimal::ZERO && p.due_date.is_some_and(|d| d < today);
            p
        })
        .collect()
}

/// Whether the taxpayer owes overdue tax today.
pub fn arrears(c: &mut DbConnection, taxpayer: &str, today: NaiveDate) -> Result<bool, Error> {
    Ok(account(&store::ledger_of(c, taxpayer)?, today)
        .iter()
        .any(|p| p.overdue))
}

/// A verification number: 16 random digits in groups of four.
pub fn certificate_number() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap_or_default();
    let n = u64::from_le_bytes(b) % 10_000_000_000_000_000;
    let s = format!("{n:016}");
    format!("{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// The document of an income certificate (소득금액증명) for a filed year.
pub fn income_document(
    rules: &RuleSet,
    version: &VersionRow,
    masked: &str,
) -> Result<Value, Error> {
    let outcome: Outcome = serde_json::from_str(&version.outcome).map_err(Error::internal)?;
    Ok(json!({
        "holder": masked,
        "year": rules.year,
        "tax": rules.tax,
        "income": rules.income.as_deref().map(|n| to_json(outcome.get(n))),
        "tax_determined": rules.tax_due.as_deref().map(|n| to_json(outcome.get(n))),
        "currency": rules.currency,
        "return_version": version.version,
        "filed_at": version.submitted_at,
    }))
}

/// The rules of a tax year (`tax.no_rules` when the pack has none).
pub fn rules_for(tax: &Tax, year: i32) -> Result<std::sync::Arc<RuleSet>, Error> {
    tax.rules(year).cloned().ok_or_else(|| {
        Error::with_detail(
            errors::NO_RULES,
            format!("the country pack has rules for {:?}", tax.years()),
        )
    })
}

/// Records a reader's access to a taxpayer's data (fails closed).
pub(crate) async fn record(
    reader: &Reader,
    subject: &str,
    action: Action,
    purpose: &str,
    record: Option<String>,
) -> Result<(), Error> {
    reader
        .record(
            SubjectKey::from_stored(subject.to_owned()),
            action,
            purpose,
            record,
        )
        .await
}
