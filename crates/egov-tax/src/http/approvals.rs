//! Four eyes: assessments and refunds at or above the year's
//! `administration.second_officer_from` wait here until an officer other than the one who
//! raised them approves (they are then posted) or rejects them. Both officers are recorded on
//! the posting and on the taxpayer's access log.

use super::officers::{field, officer_scope, reason_ok, reason_rule};
use super::{Officer, reader};
use crate::Tax;
use crate::http::taxpayers::Entry;
use crate::service::approvals;
use crate::store::ApprovalRow;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use egov_auth::Authorized;
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
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub requested_at: NaiveDateTime,
    /// The second officer.
    pub decided_by: Option<String>,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
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
    let rows = approvals::pending(&tax, 200).await?;
    Ok(web::Json(
        rows.into_iter().map(ApprovalView::from).collect(),
    ))
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
    let posted = approvals::approve(&tax, &reader(&tax, &req, &auth), id.into_inner()).await?;
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
        return Err(Error::validation(vec![field("/reason", reason_rule())]));
    }
    let decided =
        approvals::reject(&tax, &reader(&tax, &req, &auth), id.into_inner(), reason).await?;
    Ok(web::Json(ApprovalView::from(decided)))
}
