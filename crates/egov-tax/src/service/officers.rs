//! Officers' use cases: a taxpayer's file, corrections, bank settlement, refunds,
//! assessments, certificate revocation and filing reminders. Every one that touches a
//! taxpayer's data records it on the access log first (through the caller's [`Reader`]).

use chrono::NaiveDate;
use egov_auth::{Action, Reader};
use egov_core::Error;
use egov_core::error::codes;
use egov_core::outbox::Notification;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::str::FromStr;

use super::{Acknowledgement, Taxpayer, record};
use crate::domain::RuleSet;
use crate::store::{
    self, ApprovalRow, CertificateRow, LedgerRow, ReturnRow, TransferRow, VersionRow,
};
use crate::{Tax, errors};

/// A taxpayer's returns and ledger, recorded with the officer's purpose.
pub async fn taxpayer_file(
    tax: &Tax,
    reader: &Reader,
    key: &str,
    purpose: &str,
) -> Result<(Vec<ReturnRow>, Vec<LedgerRow>), Error> {
    record(reader, key, Action::View, purpose, None).await?;
    let k = key.to_owned();
    let (returns, ledger) = tax
        .db()
        .run(move |c| Ok((store::returns_of(c, &k)?, store::ledger_of(c, &k)?)))
        .await?;
    if returns.is_empty() && ledger.is_empty() {
        return Err(Error::new(errors::TAXPAYER_NOT_FOUND));
    }
    Ok((returns, ledger))
}

/// A return by id (`tax.return_not_found` when there is none).
pub async fn find_return(tax: &Tax, id: &str) -> Result<ReturnRow, Error> {
    let i = id.to_owned();
    tax.db()
        .run(move |c| store::return_by_id(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::RETURN_NOT_FOUND))
}

/// Every version of a return, recorded with the officer's purpose.
pub async fn return_versions(
    tax: &Tax,
    reader: &Reader,
    id: &str,
    purpose: &str,
) -> Result<Vec<VersionRow>, Error> {
    let ret = find_return(tax, id).await?;
    record(
        reader,
        &ret.taxpayer,
        Action::View,
        purpose,
        Some(id.to_owned()),
    )
    .await?;
    let id = id.to_owned();
    tax.db().run(move |c| store::versions(c, &id)).await
}

/// An officer's correction of a return: a new version with the reason. `true`: created now.
pub async fn correct_return(
    tax: &Tax,
    reader: &Reader,
    id: &str,
    correction_id: String,
    reason: String,
    changes: Map<String, Value>,
) -> Result<(Acknowledgement, bool), Error> {
    let ret = find_return(tax, id).await?;
    let rules = crate::http::rules_for(tax, ret.year)?;
    record(
        reader,
        &ret.taxpayer,
        Action::Change,
        "tax.correction",
        Some(id.to_owned()),
    )
    .await?;
    let who = Taxpayer {
        key: ret.taxpayer.clone(),
        masked: ret.masked_id.clone(),
    };
    let actor = reader.actor.clone();
    let t = tax.clone();
    tax.db()
        .transaction(move |c| {
            super::submit(
                &t,
                c,
                &who,
                &rules,
                &format!("correction:{correction_id}"),
                &actor,
                Some((&reason, &changes)),
            )
        })
        .await
}

/// One valid line of a bank settlement file.
#[derive(Debug)]
pub struct Transfer {
    pub bank_txn_id: String,
    pub reference: String,
    pub amount: Decimal,
    pub paid_on: NaiveDate,
}

/// What a settlement file did.
#[derive(Debug, Default)]
pub struct Settlement {
    pub matched: usize,
    pub duplicates: usize,
    pub unmatched: Vec<String>,
}

/// Matches bank transfers to returns by payment reference and posts the payments; a
/// transfer already received (same bank transaction id) is counted, not posted again.
pub async fn settle(tax: &Tax, lines: Vec<Transfer>) -> Result<Settlement, Error> {
    let now = tax.now();
    tax.db()
        .transaction(move |c| {
            let mut out = Settlement::default();
            for l in lines {
                let ret = if super::reference_ok(&l.reference) {
                    store::return_by_reference(c, &l.reference)?
                } else {
                    None
                };
                let row = TransferRow {
                    bank_txn_id: l.bank_txn_id.clone(),
                    reference: l.reference.clone(),
                    amount: l.amount.to_string(),
                    paid_on: l.paid_on,
                    matched_return: ret.as_ref().map(|r| r.id.clone()),
                    received_at: now,
                };
                if !store::insert_transfer(c, &row)? {
                    out.duplicates += 1;
                    continue;
                }
                match ret {
                    Some(r) => {
                        store::insert_ledger(
                            c,
                            &LedgerRow {
                                id: uuid::Uuid::now_v7().to_string(),
                                taxpayer: r.taxpayer,
                                tax: r.tax,
                                year: r.year,
                                kind: "payment".into(),
                                amount: (-l.amount).to_string(),
                                due_date: None,
                                source: l.bank_txn_id,
                                reference: Some(l.reference),
                                note: None,
                                created_at: now,
                            },
                        )?;
                        out.matched += 1;
                    }
                    None => out.unmatched.push(l.bank_txn_id),
                }
            }
            Ok(out)
        })
        .await
}

/// What an officer's posting led to.
#[derive(Debug)]
pub enum Posting {
    /// On the ledger (`true`: just now; `false`: the same request again).
    Posted(LedgerRow, bool),
    /// At or above the year's `second_officer_from`: waiting for a second officer.
    Waiting(ApprovalRow),
}

/// A pending approval row for a posting that needs a second officer.
fn approval_row(
    kind: &str,
    source: String,
    posting: &LedgerRow,
    return_id: String,
    officer: String,
) -> ApprovalRow {
    ApprovalRow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: kind.into(),
        source,
        taxpayer: posting.taxpayer.clone(),
        tax: posting.tax.clone(),
        year: posting.year,
        amount: posting.amount.clone(),
        due_date: posting.due_date,
        return_id: Some(return_id),
        note: posting.note.clone(),
        status: "pending".into(),
        requested_by: officer,
        requested_at: posting.created_at,
        decided_by: None,
        decided_at: None,
        decision_note: None,
    }
}

/// Pays the refund due on a return's period, or waits for a second officer from the
/// year's threshold. Idempotent by `refund_id`.
pub async fn refund(
    tax: &Tax,
    reader: &Reader,
    return_id: &str,
    refund_id: String,
) -> Result<Posting, Error> {
    let ret = find_return(tax, return_id).await?;
    record(
        reader,
        &ret.taxpayer,
        Action::Change,
        "tax.refund",
        Some(ret.id.clone()),
    )
    .await?;
    let now = tax.now();
    let admin = crate::http::rules_for(tax, ret.year)
        .map(|r| r.administration.clone())
        .unwrap_or_default();
    let officer = reader.actor.clone();
    tax.db()
        .transaction(move |c| {
            if let Some(done) = store::ledger_entry(c, "refund", &refund_id)? {
                return Ok(Posting::Posted(done, false));
            }
            if let Some(waiting) = store::approval_of(c, "refund", &refund_id)? {
                return Ok(Posting::Waiting(waiting));
            }
            let due = super::refund_due(c, &ret.taxpayer, &ret.tax, ret.year, now.date())?;
            if due <= Decimal::ZERO {
                return Err(Error::new(errors::NO_REFUND_DUE));
            }
            let row = LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: ret.taxpayer,
                tax: ret.tax,
                year: ret.year,
                kind: "refund".into(),
                amount: due.to_string(),
                due_date: None,
                source: refund_id.clone(),
                reference: Some(ret.payment_reference),
                note: None,
                created_at: now,
            };
            if admin.needs_second_officer(due) {
                let a = approval_row("refund", refund_id, &row, ret.id, officer);
                store::insert_approval(c, &a)?;
                return Ok(Posting::Waiting(a));
            }
            store::insert_ledger(c, &row)?;
            Ok(Posting::Posted(row, true))
        })
        .await
}

/// An assessment notice, checked by the handler against the year's rules.
#[derive(Debug)]
pub struct Notice {
    pub assessment_id: String,
    pub amount: Decimal,
    pub due_date: NaiveDate,
    pub reason: String,
}

/// Raises an assessment outside a return (or waits for a second officer). Idempotent by
/// `assessment_id`; the same id for another assessment is a conflict.
pub async fn assess(
    tax: &Tax,
    reader: &Reader,
    who: Taxpayer,
    rules: &RuleSet,
    notice: Notice,
) -> Result<Posting, Error> {
    let source = format!("notice:{}", notice.assessment_id);
    record(
        reader,
        &who.key,
        Action::Change,
        "tax.assessment",
        Some(source.clone()),
    )
    .await?;
    let (code, year) = (rules.tax.clone(), rules.year);
    let admin = rules.administration.clone();
    let now = tax.now();
    let officer = reader.actor.clone();
    tax.db()
        .transaction(move |c| {
            let same = |taxpayer: &str, y: i32, amount: &str| {
                taxpayer == who.key
                    && y == year
                    && Decimal::from_str(amount).ok() == Some(notice.amount)
            };
            let conflict = || {
                Error::with_detail(
                    codes::CONFLICT,
                    "this assessment_id was used for another assessment",
                )
            };
            if let Some(done) = store::ledger_entry(c, "assessment", &source)? {
                return if same(&done.taxpayer, done.year, &done.amount) {
                    Ok(Posting::Posted(done, false))
                } else {
                    Err(conflict())
                };
            }
            if let Some(waiting) = store::approval_of(c, "assessment", &source)? {
                return if same(&waiting.taxpayer, waiting.year, &waiting.amount) {
                    Ok(Posting::Waiting(waiting))
                } else {
                    Err(conflict())
                };
            }
            let statements = store::statements_of(c, &who.key, year)?;
            let ret = super::open_return(c, &who, &code, year, &statements, now)?;
            let row = LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: who.key.clone(),
                tax: code,
                year,
                kind: "assessment".into(),
                amount: notice.amount.to_string(),
                due_date: Some(notice.due_date),
                source: source.clone(),
                reference: Some(ret.payment_reference),
                note: Some(notice.reason),
                created_at: now,
            };
            if admin.needs_second_officer(notice.amount) {
                let a = approval_row("assessment", source, &row, ret.id, officer);
                store::insert_approval(c, &a)?;
                return Ok(Posting::Waiting(a));
            }
            store::insert_ledger(c, &row)?;
            Ok(Posting::Posted(row, true))
        })
        .await
}

/// A certificate by its verification number.
pub async fn certificate(tax: &Tax, number: &str) -> Result<CertificateRow, Error> {
    let n = number.to_owned();
    tax.db()
        .run(move |c| store::certificate(c, &n))
        .await?
        .ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))
}

/// Revokes a certificate (recorded on the holder's access log).
pub async fn revoke_certificate(
    tax: &Tax,
    reader: &Reader,
    number: &str,
    reason: String,
) -> Result<CertificateRow, Error> {
    let row = certificate(tax, number).await?;
    record(
        reader,
        &row.holder,
        Action::Change,
        "tax.certificate.revoke",
        Some(number.to_owned()),
    )
    .await?;
    let now = tax.now();
    let number = number.to_owned();
    tax.db()
        .transaction(move |c| {
            if !store::revoke_certificate(c, &number, &reason, now)? {
                return Err(Error::new(errors::CERTIFICATE_REVOKED));
            }
            store::certificate(c, &number)?.ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))
        })
        .await
}

/// Reminders queued: (queued now, taxpayers with statements and no filed return).
pub async fn queue_reminders(tax: &Tax, rules: &RuleSet) -> Result<(usize, usize), Error> {
    let due = super::due_date(tax, rules)
        .ok_or_else(|| Error::with_detail(codes::CONFLICT, "the rules have no filing calendar"))?;
    let (code, year) = (rules.tax.clone(), rules.year);
    let now = tax.now();
    tax.db()
        .transaction(move |c| {
            let people = store::statement_taxpayers(c, year)?;
            let (mut queued, mut pending) = (0, 0);
            for p in people {
                let filed =
                    store::return_of(c, &p, &code, year)?.is_some_and(|r| r.latest_version > 0);
                if filed {
                    continue;
                }
                pending += 1;
                let notice = Notification::queued(
                    format!("due:{code}:{year}:{p}:{}", now.date()),
                    "email",
                    p,
                    "tax.filing_due",
                    &json!({"tax": code, "year": year, "due": due,
                        "path": format!("/my/tax/returns/{year}")}),
                    now,
                );
                if store::OUTBOX.queue(c, &notice)? {
                    queued += 1;
                }
            }
            Ok((queued, pending))
        })
        .await
}
