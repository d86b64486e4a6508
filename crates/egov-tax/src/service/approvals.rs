//! Four eyes: postings at or above the year's `second_officer_from` wait for an officer
//! other than the one who raised them.

use egov_auth::{Action, Reader};
use egov_core::Error;
use rust_decimal::Decimal;
use std::str::FromStr;

use super::record;
use crate::store::{self, ApprovalRow, LedgerRow};
use crate::{Tax, errors};

/// Postings waiting for a second officer, oldest first.
pub async fn pending(tax: &Tax, limit: i64) -> Result<Vec<ApprovalRow>, Error> {
    tax.db()
        .run(move |c| store::pending_approvals(c, limit))
        .await
}

/// A pending approval that the reader may decide: not their own.
async fn decidable(tax: &Tax, officer: &str, id: String) -> Result<ApprovalRow, Error> {
    let row = tax
        .db()
        .run(move |c| store::approval(c, &id))
        .await?
        .filter(|a| a.status == "pending")
        .ok_or_else(|| Error::new(errors::APPROVAL_NOT_FOUND))?;
    if row.requested_by == officer {
        return Err(Error::new(errors::SAME_OFFICER));
    }
    Ok(row)
}

/// Approves a posting another officer raised and posts it; a refund only if at least that
/// much is still due.
pub async fn approve(tax: &Tax, reader: &Reader, id: String) -> Result<LedgerRow, Error> {
    let row = decidable(tax, &reader.actor, id).await?;
    record(
        reader,
        &row.taxpayer,
        Action::Change,
        &format!("tax.{}.approval", row.kind),
        Some(row.source.clone()),
    )
    .await?;
    let now = tax.now();
    let officer = reader.actor.clone();
    tax.db()
        .transaction(move |c| {
            if !store::decide_approval(c, &row.id, "approved", &officer, now, None)? {
                return Err(Error::new(errors::APPROVAL_NOT_FOUND));
            }
            let amount = Decimal::from_str(&row.amount).unwrap_or_default();
            if row.kind == "refund" {
                let due = super::refund_due(c, &row.taxpayer, &row.tax, row.year, now.date())?;
                if due < amount {
                    return Err(Error::with_detail(
                        errors::NO_REFUND_DUE,
                        format!(
                            "{due} is due now, less than the {amount} asked for: raise it again"
                        ),
                    ));
                }
            }
            let reference = match &row.return_id {
                Some(r) => store::return_by_id(c, r)?.map(|r| r.payment_reference),
                None => None,
            };
            let ledger = LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: row.taxpayer,
                tax: row.tax,
                year: row.year,
                kind: row.kind,
                amount: amount.to_string(),
                due_date: row.due_date,
                source: row.source,
                reference,
                note: row.note,
                created_at: now,
            };
            store::insert_ledger(c, &ledger)?;
            Ok(ledger)
        })
        .await
}

/// Rejects a posting another officer raised: it is not posted.
pub async fn reject(
    tax: &Tax,
    reader: &Reader,
    id: String,
    reason: String,
) -> Result<ApprovalRow, Error> {
    let row = decidable(tax, &reader.actor, id).await?;
    record(
        reader,
        &row.taxpayer,
        Action::Change,
        &format!("tax.{}.rejection", row.kind),
        Some(row.source.clone()),
    )
    .await?;
    let now = tax.now();
    let officer = reader.actor.clone();
    let id = row.id;
    tax.db()
        .transaction(move |c| {
            if !store::decide_approval(c, &id, "rejected", &officer, now, Some(&reason))? {
                return Err(Error::new(errors::APPROVAL_NOT_FOUND));
            }
            store::approval(c, &id)?.ok_or_else(|| Error::new(errors::APPROVAL_NOT_FOUND))
        })
        .await
}
