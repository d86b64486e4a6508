//! Attachments (content-checked) and evidence fetched from other agencies through the exchange.

use super::{ApplicantPolicy, own_case};
use crate::service::applications::Similar;
use crate::service::uploads;
use crate::service::views::AttachmentView;
use crate::service::views::CaseView;
use crate::service::views::EvidenceView;
use crate::{Petition, errors};
use actix_web::{HttpResponse, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_exchange::Exchange;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// The file's name as the applicant knows it (1-200 characters; the type is decided by the
    /// content, not by this name).
    pub filename: String,
    /// The evidence key this upload provides, if any.
    pub evidence: Option<String>,
}

egov_core::problems!(UploadAttachmentErrors:
    egov_core::error::codes::BAD_REQUEST,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::ATTACHMENT_TOO_LARGE,
    crate::errors::ATTACHMENT_TYPE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Uploads an attachment (the raw bytes as the body). The size limit comes from the
/// configuration; the type is recognised from the content and must be an accepted one;
/// the SHA-256 is recorded. Allowed while a draft or while a supplement is requested.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = AttachmentView),
        UploadAttachmentErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/attachments")]
pub async fn upload_attachment(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    query: web::Query<AttachmentQuery>,
    body: web::Payload,
) -> Result<HttpResponse, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let query = query.into_inner();
    let body = body.map(|chunk| {
        chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => Error::with_detail(
                errors::ATTACHMENT_TOO_LARGE,
                egov_core::text!(
                    "detail-at-most-bytes",
                    "at most {max} bytes",
                    max = p.0.config.attachment_max_bytes
                ),
            ),
            other => Error::with_detail(
                egov_core::error::codes::BAD_REQUEST,
                egov_core::text!(
                    "detail-upload-broke-off",
                    "the upload broke off: {why}",
                    why = other.to_string()
                ),
            ),
        })
    });
    let att = uploads::upload(
        &p,
        &auth.subject,
        &row,
        query.filename,
        query.evidence,
        body,
    )
    .await?;
    Ok(HttpResponse::Created().json(AttachmentView::from(att)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// The reference of the consent you gave at `POST /exchange/v1/me/consents` for this
    /// evidence (the service page names its client, service, purpose and items).
    pub consent: String,
}

egov_core::problems!(FetchEvidenceErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::EVIDENCE_REFUSED,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::NOT_DELEGATED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::EVIDENCE_UNAVAILABLE,
);

/// Fetches a piece of evidence from the agency that holds it, through the exchange, with
/// the consent you gave: the agency's signed answer is kept with the case (what, from whom,
/// when, and the exchange message). Without consent the exchange refuses and nothing is
/// kept: upload the document instead.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), ("key" = String, Path, description = "Evidence key")),
    request_body = EvidenceInput,
    responses(
        (status = 201, body = EvidenceView),
        FetchEvidenceErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/evidence/{key}")]
pub async fn fetch_evidence(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    x: Option<web::Data<Exchange>>,
    path: web::Path<(String, String)>,
    input: web::Json<EvidenceInput>,
) -> Result<HttpResponse, Error> {
    let (id, key) = path.into_inner();
    let row = own_case(&p, &auth, &id).await?;
    let x = x.ok_or_else(|| {
        Error::with_detail(
            errors::EVIDENCE_UNAVAILABLE,
            egov_core::text!(
                "detail-no-exchange",
                "the exchange is not served in this process"
            ),
        )
    })?;
    let ev = uploads::fetch_evidence(&p, &x, &auth.subject, &row, key, &input.consent).await?;
    Ok(HttpResponse::Created().json(EvidenceView::from(ev)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitView {
    pub case: CaseView,
    /// Open cases like this one (same service and agency, nearby, recent): the officer may
    /// merge them. Shown without anyone's content.
    pub similar: Vec<Similar>,
}
