//! Issuing and revoking signed documents.

use super::{Officer, reader, reason_ok};
use crate::http::submission::ReasonInput;
use crate::http::worklist::officer_agency;
use crate::service::documents;
use crate::service::views::DocumentView;
use crate::service::views::document_view;
use crate::{Petition, errors};
use actix_web::{HttpRequest, post, web};
use egov_auth::Authorized;
use egov_core::Error;

egov_core::problems!(RevokeDocumentErrors:
    egov_core::error::codes::FORBIDDEN,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::DOCUMENT_REVOKED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revokes an issued document of the officer's agency, with the reason: verification says
/// `revoked` from now on.
#[utoipa::path(
    tag = "petition",
    params(("number" = String, Path, description = "Document-confirmation number")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = DocumentView),
        RevokeDocumentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[post("/officer/documents/{number}/revoke")]
pub async fn revoke_document(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    number: web::Path<String>,
    input: web::Json<ReasonInput>,
    req: HttpRequest,
) -> Result<web::Json<DocumentView>, Error> {
    reason_ok("/reason", &input.reason)?;
    let agency = officer_agency(&auth)?;
    let n = number.into_inner();
    if n.len() != 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let reason = input.into_inner().reason;
    let doc = documents::revoke(&p, &reader(&p, &req, &auth), &auth, agency, n, reason).await?;
    Ok(web::Json(document_view(&p, doc)))
}
