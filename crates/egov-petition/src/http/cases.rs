//! Officers' case views (access-logged with a purpose) and actions.

use super::{Officer, access, agency_case, purpose_ok, reason_ok};
use crate::domain::lifecycle::{Action, Actor};
use crate::http::documents::document_number;
use crate::http::documents::issue;
use crate::http::views::CaseView;
use crate::http::views::case_view;
use crate::service::{self, By, status_of};
use crate::store::{self, CaseRow};
use crate::{Petition, errors};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_rule;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why you read this case: recorded in the access log.
    pub purpose: String,
}

egov_core::problems!(OfficerCaseErrors:
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// A case of the officer's agency with everything in it. Recorded in the access log with
/// the purpose.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), PurposeQuery),
    responses(
        (status = 200, body = CaseView),
        OfficerCaseErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases/{id}")]
pub async fn officer_case(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    query: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<web::Json<CaseView>, Error> {
    purpose_ok(&query.purpose)?;
    let row = agency_case(&p, &auth, &id).await?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::View,
        &query.purpose,
    )
    .await?;
    Ok(web::Json(case_view(&p, row, true).await?))
}

egov_core::problems!(OfficerAttachmentErrors:
    crate::errors::ATTACHMENT_NOT_FOUND,
    crate::errors::CASE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// An attachment's bytes. Recorded in the access log with the purpose.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), ("attachment" = String, Path, description = "Attachment id"), PurposeQuery),
    responses(
        (status = 200, description = "The bytes, with their detected content type", content_type = "application/octet-stream"),
        OfficerAttachmentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases/{id}/attachments/{attachment}")]
pub async fn officer_attachment(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    path: web::Path<(String, String)>,
    query: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    purpose_ok(&query.purpose)?;
    let (id, att) = path.into_inner();
    let row = agency_case(&p, &auth, &id).await?;
    let case_id = row.id.clone();
    let a = p
        .db()
        .run(move |c| store::attachment(c, &att))
        .await?
        .filter(|a| a.case_id == case_id)
        .ok_or_else(|| Error::new(errors::ATTACHMENT_NOT_FOUND))?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Download,
        &query.purpose,
    )
    .await?;
    let blobs = p.0.blobs.clone();
    let sha = a.sha256.clone();
    let bytes = web::block(move || blobs.get(&sha))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type)
        .insert_header(egov_core::request::attachment_disposition(&a.filename))
        .insert_header(("x-content-sha256", a.sha256))
        .body(bytes))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Rejected,
}

/// What an officer does to a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OfficerAction {
    /// Acknowledge receipt (submitted → received).
    Receive { note: Option<String> },
    /// Start (or resume) the review.
    Review { note: Option<String> },
    /// Assign a handler (officer account id).
    Assign { assignee: String },
    /// Ask the applicant for missing information: the clock pauses.
    RequestSupplement { reason: String },
    /// Extend the due date by working days; the applicant is notified.
    Extend { working_days: u32, reason: String },
    /// Decide: approval, or rejection with reasons and the remedies available.
    Decide {
        decision: Decision,
        reason: String,
        remedies: Option<String>,
    },
    /// Issue the document of an approved application (signed by the agency's key).
    Issue {},
    /// Close a decided case that issues no document.
    Close { note: Option<String> },
    /// Not ours: move the case to the competent agency, with the reason.
    Transfer { agency: String, reason: String },
    /// Duplicate: merge this complaint into another open case (its receipt number).
    Merge { into: String, reason: String },
}

egov_core::problems!(OfficerActionErrors:
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::MERGE_TARGET,
    crate::errors::NOT_DELEGATED,
    crate::errors::UNKNOWN_AGENCY,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Acts on a case of the officer's agency: every action is a lifecycle transition (an
/// illegal one is refused and changes nothing), recorded with the officer, time and reason,
/// notified to the applicant, and recorded in the access log.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = OfficerAction,
    responses(
        (status = 200, body = CaseView),
        OfficerActionErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[post("/officer/cases/{id}/actions")]
pub async fn officer_action(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<OfficerAction>,
    req: HttpRequest,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    check_action(&p, &input)?;
    let row = agency_case(&p, &auth, &id).await?;
    let (action, reason) = describe(&input);
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Change,
        &format!("petition.{}", action.as_str()),
    )
    .await?;
    let by = By {
        account: auth.subject.clone(),
        role: Actor::Officer,
        source_ip: Some(p.0.recorder.source_ip(&req)),
    };
    let pp = p.get_ref().clone();
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| apply(&pp, c, &id, &by, input, action, reason))
        .await?;
    Ok(web::Json(case_view(&p, row, true).await?))
}

pub(crate) fn optional_note(pointer: &str, n: Option<&String>) -> Result<(), Error> {
    match n {
        Some(n) if !text_rule(n, 0, 1000) => Err(Error::invalid_field(
            pointer,
            "at most 1000 characters, no control characters",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn check_action(p: &Petition, a: &OfficerAction) -> Result<(), Error> {
    match a {
        OfficerAction::Receive { note }
        | OfficerAction::Review { note }
        | OfficerAction::Close { note } => optional_note("/note", note.as_ref()),
        OfficerAction::Assign { assignee } => {
            if text_rule(assignee, 1, 100) && !assignee.contains('\n') {
                Ok(())
            } else {
                Err(Error::invalid_field("/assignee", "an account id"))
            }
        }
        OfficerAction::RequestSupplement { reason } => reason_ok("/reason", reason),
        OfficerAction::Extend {
            working_days,
            reason,
        } => {
            reason_ok("/reason", reason)?;
            let max = p.catalogue().policy.max_extension_working_days;
            if (1..=max).contains(working_days) {
                Ok(())
            } else {
                Err(Error::invalid_field("/working_days", format!("1 to {max}")))
            }
        }
        OfficerAction::Decide {
            decision,
            reason,
            remedies,
        } => {
            reason_ok("/reason", reason)?;
            match (decision, remedies) {
                (Decision::Rejected, None) => Err(Error::invalid_field(
                    "/remedies",
                    "a rejection states the remedies available (appeal, administrative trial)",
                )),
                (_, Some(r)) => reason_ok("/remedies", r),
                _ => Ok(()),
            }
        }
        OfficerAction::Issue {} => Ok(()),
        OfficerAction::Transfer { agency, reason } => {
            reason_ok("/reason", reason)?;
            if p.catalogue().agencies.contains_key(agency) {
                Ok(())
            } else {
                Err(Error::with_detail(
                    errors::UNKNOWN_AGENCY,
                    "no such agency in the country pack",
                ))
            }
        }
        OfficerAction::Merge { into, reason } => {
            reason_ok("/reason", reason)?;
            if text_rule(into, 1, 64) {
                Ok(())
            } else {
                Err(Error::invalid_field("/into", "a receipt number"))
            }
        }
    }
}

pub(crate) fn describe(a: &OfficerAction) -> (Action, Option<String>) {
    match a {
        OfficerAction::Receive { note } => (Action::Receive, note.clone()),
        OfficerAction::Review { note } => (Action::Review, note.clone()),
        OfficerAction::Assign { .. } => (Action::Assign, None),
        OfficerAction::RequestSupplement { reason } => {
            (Action::RequestSupplement, Some(reason.clone()))
        }
        OfficerAction::Extend { reason, .. } => (Action::Extend, Some(reason.clone())),
        OfficerAction::Decide { reason, .. } => (Action::Decide, Some(reason.clone())),
        OfficerAction::Issue {} => (Action::Issue, None),
        OfficerAction::Close { note } => (Action::Close, note.clone()),
        OfficerAction::Transfer { reason, .. } => (Action::Transfer, Some(reason.clone())),
        OfficerAction::Merge { reason, .. } => (Action::Merge, Some(reason.clone())),
    }
}

pub(crate) fn apply(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    id: &str,
    by: &By,
    input: OfficerAction,
    action: Action,
    reason: Option<String>,
) -> Result<CaseRow, Error> {
    let row = store::case(c, id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
    let now = p.now();
    let reason = reason.as_deref();
    match input {
        OfficerAction::Receive { .. } | OfficerAction::Review { .. } => {
            service::transition(p, c, row, by, action, reason, json!({}), |_| Ok(()))
        }
        OfficerAction::Assign { assignee } => service::transition(
            p,
            c,
            row,
            by,
            action,
            reason,
            json!({"assignee": assignee}),
            |r| {
                r.assignee = Some(assignee.clone());
                Ok(())
            },
        ),
        OfficerAction::RequestSupplement { .. } => {
            service::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.paused_at = Some(now);
                Ok(())
            })
        }
        OfficerAction::Extend { working_days, .. } => {
            let due = row.due_at;
            let new_due = match due {
                Some(d) => Some(p.clock().extend(d, working_days)?),
                None => None,
            };
            service::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"working_days": working_days, "from": due, "to": new_due}),
                |r| {
                    r.due_at = new_due;
                    Ok(())
                },
            )
        }
        OfficerAction::Decide {
            decision, remedies, ..
        } => {
            let d = match decision {
                Decision::Approved => "approved",
                Decision::Rejected => "rejected",
            };
            let paused = row.paused_at.is_some();
            service::transition(p, c, row, by, action, reason, json!({"decision": d}), |r| {
                if paused {
                    service::resume_clock(p, r, now)?;
                }
                r.decision = Some(d.into());
                r.decision_reason = reason.map(str::to_owned);
                r.remedies = remedies.clone();
                Ok(())
            })
        }
        OfficerAction::Issue {} => {
            let number = document_number();
            let row2 = service::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"document": number}),
                |r| {
                    r.closed_at = Some(now);
                    Ok(())
                },
            )?;
            issue(p, c, &row2, &number, by, now)?;
            Ok(row2)
        }
        OfficerAction::Close { .. } => {
            service::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.closed_at = Some(now);
                Ok(())
            })
        }
        OfficerAction::Transfer { agency, .. } => {
            if agency == row.agency {
                return Err(Error::invalid_field(
                    "/agency",
                    "the case is already at this agency",
                ));
            }
            let from = row.agency.clone();
            service::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"from_agency": from, "to_agency": agency}),
                |r| {
                    r.agency = agency.clone();
                    r.assignee = None;
                    service::transfer_clock(p, r, now)
                },
            )
        }
        OfficerAction::Merge { into, .. } => {
            let target = store::case_by_receipt(c, &into)?
                .filter(|t| {
                    t.id != row.id
                        && t.agency == row.agency
                        && t.service == row.service
                        && status_of(t).is_open()
                })
                .ok_or_else(|| Error::new(errors::MERGE_TARGET))?;
            service::transition(p, c, row, by, action, reason, json!({"into": into}), |r| {
                r.merged_into = Some(target.id.clone());
                r.closed_at = Some(now);
                r.paused_at = None;
                Ok(())
            })
        }
    }
}
