//! Officers' case views (access-logged with a purpose) and actions.

use super::{Officer, purpose_ok, reader, reason_ok};
use crate::service::cases;
pub use crate::service::cases::{Decision, OfficerAction};
use crate::service::views::CaseView;
use crate::{Petition, errors};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_rule;
use serde::Deserialize;
use utoipa::IntoParams;

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
    let view =
        cases::officer_case(&p, &reader(&p, &req, &auth), &auth, &id, &query.purpose).await?;
    Ok(web::Json(view))
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
    let (a, bytes) = cases::officer_attachment(
        &p,
        &reader(&p, &req, &auth),
        &auth,
        &id,
        att,
        &query.purpose,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type)
        .insert_header(egov_core::request::attachment_disposition(&a.filename))
        .insert_header(("x-content-sha256", a.sha256))
        .body(bytes))
}

egov_core::problems!(OfficerActionErrors:
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::EXTENSION_LIMIT,
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
    directory: Option<web::Data<egov_auth::Service>>,
    input: web::Json<OfficerAction>,
    req: HttpRequest,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    check_action(&p, &input)?;
    cases::check_assignee(directory.as_ref().map(|d| d.get_ref()), &auth, &input).await?;
    let view = cases::act(&p, &reader(&p, &req, &auth), &auth, &id, input).await?;
    Ok(web::Json(view))
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
