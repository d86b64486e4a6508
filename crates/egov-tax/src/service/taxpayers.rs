//! Taxpayers' use cases: the pre-filled return, entries, submission, versions, the account
//! and certificates.

use egov_core::error::FieldError;
use egov_core::{DbConnection, Error};
use serde_json::{Map, Value, json};

use super::{Acknowledgement, ReturnView, StatementSource, Taxpayer, rules_for};
use crate::domain::RuleSet;
use crate::store::{self, CertificateRow, LedgerRow, VersionRow};
use crate::{Tax, errors};

/// My return for a year, opened (pre-filled) on first sight.
pub async fn return_view(tax: &Tax, who: Taxpayer, year: i32) -> Result<ReturnView, Error> {
    let rules = rules_for(tax, year)?;
    let code = rules.tax.clone();
    let now = tax.now();
    let (row, statements, all) = tax
        .db()
        .transaction(move |c| {
            let st = store::statements_of(c, &who.key, year)?;
            let row = super::open_return(c, &who, &code, year, &st, now)?;
            let all = store::statements_about(c, &who.key, year)?;
            Ok((row, st, all))
        })
        .await?;
    let mut view = super::view(tax, &rules, &row, &statements);
    view.sources = all.iter().map(StatementSource::from).collect();
    Ok(view)
}

/// Checks my entries against the rules' declarations (`null` removes an entry): every
/// problem as rule TAX-R0001 at `/entries/<input>`, or the entries to keep.
pub fn check_entries(
    rules: &RuleSet,
    entries: Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let entries: Map<String, Value> = entries.into_iter().filter(|(_, v)| !v.is_null()).collect();
    match rules.prepare(&entries) {
        Ok(_) => Ok(entries),
        Err(errs) => Err(Error::new(errors::INVALID_INPUTS).with_errors(
            errs.into_iter()
                .map(|e| FieldError {
                    pointer: format!("/entries{}", e.pointer),
                    detail: e.message.prefixed("TAX-R0001: "),
                })
                .collect(),
        )),
    }
}

/// Saves my entries over the pre-fill, replacing the earlier ones, and answers the recomputed
/// return. Entries that do not meet their declarations are refused ([`check_entries`]) and
/// nothing is saved.
pub async fn save_entries(
    tax: &Tax,
    who: Taxpayer,
    rules: &RuleSet,
    entries: Map<String, Value>,
) -> Result<ReturnView, Error> {
    let entries = check_entries(rules, entries)?;
    let (code, year) = (rules.tax.clone(), rules.year);
    let draft = Value::Object(entries).to_string();
    let w = who.clone();
    let now = tax.now();
    tax.db()
        .transaction(move |c| {
            let st = store::statements_of(c, &w.key, year)?;
            let row = super::open_return(c, &w, &code, year, &st, now)?;
            store::set_draft(c, &row.id, &draft, now)
        })
        .await?;
    return_view(tax, who, year).await
}

/// Submits my return under an idempotency key. `true`: a new version.
pub async fn submit_return(
    tax: &Tax,
    who: Taxpayer,
    rules: std::sync::Arc<RuleSet>,
    key: String,
    actor: String,
) -> Result<(Acknowledgement, bool), Error> {
    let t = tax.clone();
    let (ack, created) = tax
        .db()
        .transaction(move |c| super::submit(&t, c, &who, &rules, &key, &actor, None))
        .await?;
    if created {
        tax.count("return_filed");
    }
    Ok((ack, created))
}

/// Every filed version of my return for a year, oldest first.
pub async fn versions(tax: &Tax, who: Taxpayer, rules: &RuleSet) -> Result<Vec<VersionRow>, Error> {
    let (code, year) = (rules.tax.clone(), rules.year);
    tax.db()
        .run(move |c| match store::return_of(c, &who.key, &code, year)? {
            Some(r) => store::versions(c, &r.id),
            None => Ok(Vec::new()),
        })
        .await
}

/// My ledger.
pub async fn ledger(tax: &Tax, who: Taxpayer) -> Result<Vec<LedgerRow>, Error> {
    tax.db().run(move |c| store::ledger_of(c, &who.key)).await
}

/// My certificates, newest first.
pub async fn certificates(tax: &Tax, who: Taxpayer) -> Result<Vec<CertificateRow>, Error> {
    tax.db()
        .run(move |c| store::certificates_of(c, &who.key))
        .await
}

/// My returns, every year I have opened one.
pub async fn returns(tax: &Tax, who: Taxpayer) -> Result<Vec<store::ReturnRow>, Error> {
    tax.db().run(move |c| store::returns_of(c, &who.key)).await
}

/// One of my certificates by its number (anyone else's is not found).
pub async fn own_certificate(
    tax: &Tax,
    who: Taxpayer,
    number: String,
) -> Result<CertificateRow, Error> {
    tax.db()
        .run(move |c| store::certificate(c, &number))
        .await?
        .filter(|r| r.holder == who.key)
        .ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))
}

/// Issues the certificate asked for: `tax_clearance` (valid `clearance_valid_days`) or
/// `income` for a `year` (valid `income_certificate_valid_days`).
pub async fn request_certificate(
    tax: &Tax,
    who: Taxpayer,
    kind: &str,
    year: Option<i32>,
) -> Result<CertificateRow, Error> {
    let settings = &tax.0.config;
    let (days, rules) = match kind {
        "tax_clearance" => (settings.clearance_valid_days, None),
        "income" => {
            let year = year.ok_or_else(|| {
                Error::invalid_field(
                    "/year",
                    egov_core::text!(
                        "detail-year-for-income",
                        "required for an income certificate"
                    ),
                )
            })?;
            if !(2000..=2100).contains(&year) {
                return Err(Error::invalid_field(
                    "/year",
                    egov_core::text!("detail-year", "must be a year from 2000 to 2100"),
                ));
            }
            (
                settings.income_certificate_valid_days,
                Some(rules_for(tax, year)?),
            )
        }
        _ => {
            return Err(Error::invalid_field(
                "/kind",
                egov_core::text!("detail-certificate-kind", "must be tax_clearance or income"),
            ));
        }
    };
    issue_certificate(tax, who, kind.to_owned(), rules, days).await
}

/// Issues a signed certificate valid for `days`: a tax clearance (no `rules`; refused while
/// tax is overdue) or an income certificate for the rules' year (refused when not filed).
pub async fn issue_certificate(
    tax: &Tax,
    who: Taxpayer,
    kind: String,
    rules: Option<std::sync::Arc<RuleSet>>,
    days: u32,
) -> Result<CertificateRow, Error> {
    let now = tax.now();
    let today = now.date();
    let t = tax.clone();
    tax.db()
        .transaction(move |c| {
            let document = match &rules {
                None => {
                    if super::arrears(c, &who.key, today)? {
                        return Err(Error::new(errors::ARREARS));
                    }
                    json!({"holder": holder_label(&who, c)?, "statement": "No national tax is overdue as of the date of issue.",
                           "as_of": today, "issuer": t.0.config.agency})
                }
                Some(rules) => {
                    let ret = store::return_of(c, &who.key, &rules.tax, rules.year)?
                        .ok_or_else(|| Error::new(errors::NOT_FILED))?;
                    let v = store::latest_version(c, &ret.id)?
                        .ok_or_else(|| Error::new(errors::NOT_FILED))?;
                    let mut d = super::income_document(rules, &v, &ret.masked_id)?;
                    d["issuer"] = json!(t.0.config.agency);
                    d
                }
            };
            let number = super::certificate_number();
            let valid_until = now + chrono::Duration::days(i64::from(days));
            let mut doc = document;
            doc["number"] = json!(number);
            doc["kind"] = json!(kind);
            doc["issued_at"] = json!(now);
            doc["valid_until"] = json!(valid_until);
            let row = CertificateRow {
                number,
                kind: kind.clone(),
                holder: who.key.clone(),
                signature: t.sign(&doc),
                document: doc.to_string(),
                issued_at: now,
                valid_until,
                revoked_at: None,
                revoke_reason: None,
            };
            store::insert_certificate(c, &row)?;
            Ok(row)
        })
        .await
}

/// How a certificate names its holder: the business number, or the masked national ID.
pub(crate) fn holder_label(who: &Taxpayer, c: &mut DbConnection) -> Result<String, Error> {
    if let Some(b) = who.key.strip_prefix("business:") {
        return Ok(b.to_owned());
    }
    Ok(store::returns_of(c, &who.key)?
        .into_iter()
        .map(|r| r.masked_id)
        .find(|m| !m.is_empty())
        .unwrap_or_else(|| "(registered taxpayer)".into()))
}
