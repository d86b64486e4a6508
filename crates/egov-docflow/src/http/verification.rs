//! Signatures, the hash-chained history, records packages and the PDF with stamps.

use super::{PurposeQuery, Reader, content_read, personal_access, visible};
use crate::service::{self, status};
use crate::{Docflow, errors};
use actix_web::{HttpRequest, HttpResponse, get, web};
use egov_auth::Authorized;
use egov_core::Error;

egov_core::problems!(VerifySignaturesErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// Checks every approval signature of a document: the signature itself, and whether the
/// digest it signed is that of the version it names as stored now and of the current
/// version. An edit after signing, or a stored version changed behind the system's back,
/// shows here.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "One result per signature", body = service::SignatureCheck),
        VerifySignaturesErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/signatures")]
pub async fn verify_signatures(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let v = service::check_signatures(&d, doc).await?;
    Ok(HttpResponse::Ok().json(v))
}

egov_core::problems!(DocHistoryErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// The decision history (hash-chained), with its verification: every action, opinion, edit
/// and read.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "Events, oldest first, and whether the chain holds", body = service::HistoryCheck),
        DocHistoryErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/history")]
pub async fn doc_history(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    Ok(HttpResponse::Ok().json(service::history(&d, doc).await?))
}

egov_core::problems!(PackageErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::PURPOSE_REQUIRED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// The records package of a document: metadata (with ISO 15489 process metadata), every
/// version with its attachments, every approval signature, the hash-chained history and the
/// keys, signed as a whole. Verifies offline (`egov docflow verify-package FILE`).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), PurposeQuery),
    responses(
        (status = 200, description = "The package", body = service::RecordsPackage),
        PackageErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/package")]
pub async fn package(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    personal_access(&d, &req, &auth, &doc, q.purpose.as_deref(), "package").await?;
    let pkg = service::export_package(&d, doc, auth.subject.clone(), q.purpose.clone()).await?;
    Ok(HttpResponse::Ok().json(pkg))
}

egov_core::problems!(PdfErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::PURPOSE_REQUIRED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
    crate::errors::PDF_FONT,
    crate::errors::NOT_CONFIGURED,
);

/// The approved document as PDF with its approval stamps.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), PurposeQuery),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        PdfErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/pdf")]
pub async fn pdf(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    web: Option<web::Data<egov_web::Web>>,
    directory: Option<web::Data<egov_auth::Service>>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    if doc.registration_no.is_none() || doc.status == status::DISPOSED {
        return Err(Error::with_detail(
            errors::ILLEGAL_STATE,
            "only a registered document (not disposed of) is rendered",
        ));
    }
    content_read(&d, &req, &auth, &doc, q.purpose.as_deref(), "pdf").await?;
    let words = crate::pdf::words(web.as_ref().map(|w| w.get_ref()), &d);
    let bytes =
        service::render_pdf(&d, doc, words, directory.as_ref().map(|x| x.get_ref())).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}
