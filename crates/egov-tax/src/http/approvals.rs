//! Four eyes: assessments and refunds at or above the year's
//! `administration.second_officer_from` wait here until an officer other than the one who
//! raised them approves (they are then posted) or rejects them. Both officers are recorded on
//! the posting and on the taxpayer's access log.

use super::officers::{REASON_RULE, field, officer_scope, reason_ok};
use super::{Officer, access};
use crate::http::taxpayers::Entry;
use crate::service;
use crate::store::{self, ApprovalRow, LedgerRow};
use crate::{Tax, errors};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use egov_auth::{Action, Authorized};
use egov_core::Error;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// A posting waiting for (or decided by) a second officer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    pub id: String,
    /// `assessment` or `refund`.
    pub kind: String,
    /// The notice (`notice:<assessment_id>`) or the refund's transfer id.
    pub source: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub tax: String,
    pub year: i32,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub due_date: Option<NaiveDate>,
    /// The assessment's ground.
    pub note: Option<String>,
    /// The officer who raised it.
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    /// The second officer.
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    /// Why it was rejected.
    pub decision_note: Option<String>,
}

impl From<ApprovalRow> for ApprovalView {
    fn from(a: ApprovalRow) -> Self {
        Self {
            amount: Decimal::from_str(&a.amount).unwrap_or_default(),
            id: a.id,
            kind: a.kind,
            source: a.source,
            status: a.status,
            tax: a.tax,
            year: a.year,
            due_date: a.due_date,
            note: a.note,
            requested_by: a.requested_by,
            requested_at: a.requested_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            decision_note: a.decision_note,
        }
    }
}

/// Postings waiting for a second officer, oldest first (at most 200).
#[utoipa::path(
    tag = "tax",
    responses((status = 200, body = [ApprovalView])),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/approvals")]
pub async fn list_approvals(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
) -> Result<web::Json<Vec<ApprovalView>>, Error> {
    officer_scope(&tax, &auth)?;
    let rows = tax.db().run(|c| store::pending_approvals(c, 200)).await?;
    Ok(web::Json(
        rows.into_iter().map(ApprovalView::from).collect(),
    ))
}

/// A pending approval that the caller may decide: not their own.
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

egov_core::problems!(ApproveErrors:
    crate::errors::SAME_OFFICER,
    crate::errors::APPROVAL_NOT_FOUND,
    crate::errors::NO_REFUND_DUE,
);

/// Approve a posting another officer raised: it is posted to the taxpayer's account now.
/// A refund is posted only if at least that much is still due.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Approval id")),
    responses(
        (status = 201, description = "Posted", body = Entry),
        ApproveErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/approvals/{id}/approve")]
pub async fn approve(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    let row = decidable(&tax, &auth.subject, id.into_inner()).await?;
    access(
        &tax,
        &req,
        &auth,
        &row.taxpayer,
        Action::Change,
        &format!("tax.{}.approval", row.kind),
        Some(row.source.clone()),
    )
    .await?;
    let now = tax.now();
    let officer = auth.subject.clone();
    let posted = tax
        .db()
        .transaction(move |c| {
            if !store::decide_approval(c, &row.id, "approved", &officer, now, None)? {
                return Err(Error::new(errors::APPROVAL_NOT_FOUND));
            }
            let amount = Decimal::from_str(&row.amount).unwrap_or_default();
            if row.kind == "refund" {
                let due = service::refund_due(c, &row.taxpayer, &row.tax, row.year, now.date())?;
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
        .await?;
    Ok(HttpResponse::Created().json(Entry::from(posted)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    /// Why: 5 to 500 characters, kept with the decision.
    pub reason: String,
}

egov_core::problems!(RejectErrors:
    crate::errors::SAME_OFFICER,
    crate::errors::APPROVAL_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Reject a posting another officer raised: it is not posted.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Approval id")),
    request_body = RejectInput,
    responses(
        (status = 200, description = "Rejected", body = ApprovalView),
        RejectErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/approvals/{id}/reject")]
pub async fn reject(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    input: web::Json<RejectInput>,
    req: HttpRequest,
) -> Result<web::Json<ApprovalView>, Error> {
    officer_scope(&tax, &auth)?;
    let reason = input.into_inner().reason;
    if !reason_ok(&reason) {
        return Err(Error::validation(vec![field("/reason", REASON_RULE)]));
    }
    let row = decidable(&tax, &auth.subject, id.into_inner()).await?;
    access(
        &tax,
        &req,
        &auth,
        &row.taxpayer,
        Action::Change,
        &format!("tax.{}.rejection", row.kind),
        Some(row.source.clone()),
    )
    .await?;
    let now = tax.now();
    let officer = auth.subject.clone();
    let id = row.id.clone();
    let decided = tax
        .db()
        .transaction(move |c| {
            if !store::decide_approval(c, &id, "rejected", &officer, now, Some(&reason))? {
                return Err(Error::new(errors::APPROVAL_NOT_FOUND));
            }
            store::approval(c, &id)?.ok_or_else(|| Error::new(errors::APPROVAL_NOT_FOUND))
        })
        .await?;
    Ok(web::Json(ApprovalView::from(decided)))
}
