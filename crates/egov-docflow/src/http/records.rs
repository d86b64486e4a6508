//! Record files, legal holds and disposal.

use super::{
    Disposer, Officer, Reader, Records, agency, code_ok, doc_id, field, fields, text_ok, visible,
};
use crate::Docflow;
use crate::http::approvals::ReasonInput;
use crate::service::{self};
use crate::store::{self};
use actix_web::{HttpResponse, get, post, put, web};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use serde::Deserialize;
use utoipa::ToSchema;

/// A record file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub unit_id: String,
    /// Function classification (unit task).
    pub classification: String,
    pub title: String,
    pub year: i32,
    /// A retention class of the pack.
    pub retention: String,
}

egov_core::problems!(AddFileErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Creates a record file (기록물철) for a unit task and year.
#[utoipa::path(tag = "docflow", request_body = FileInput,
    responses(
        (status = 201, description = "Created", body = service::FileView),
        AddFileErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/records/files")]
pub async fn add_file(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    body: web::Json<FileInput>,
) -> Result<HttpResponse, Error> {
    let row = new_file(&d, &auth, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(service::FileView::from(&row)))
}

/// Checks and creates a record file (the API's and the records page's way).
pub(crate) async fn new_file(
    d: &Docflow,
    who: &Principal,
    b: FileInput,
) -> Result<store::FileRow, Error> {
    let rules = d.rules()?;
    let mut e = Vec::new();
    if !code_ok(&b.classification) {
        e.push(field(
            "/classification",
            egov_core::text!(
                "detail-docflow-classification",
                "a function classification code"
            ),
        ));
    }
    if !text_ok(&b.title, 1, 300) {
        e.push(field("/title", crate::http::chars(1, 300)));
    }
    if !(1900..=9999).contains(&b.year) {
        e.push(field(
            "/year",
            egov_core::text!("detail-docflow-year", "1900-9999"),
        ));
    }
    if rules.retention_class(&b.retention).is_none() {
        e.push(field(
            "/retention",
            egov_core::text!(
                "detail-docflow-retention",
                "a retention class of the country pack"
            ),
        ));
    }
    fields(e)?;
    let row = store::FileRow {
        id: service::new_id(),
        agency: agency(who),
        unit_id: b.unit_id,
        classification: b.classification,
        title: b.title,
        year: b.year,
        retention: b.retention,
        created_by: who.subject.clone(),
        created_at: d.now(),
    };
    service::add_file(d, row.clone()).await?;
    Ok(row)
}

/// The agency's record files.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Files", body = service::Files)),
    security(("bearer" = ["kind:officer"])))]
#[get("/records/files")]
pub async fn files(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let rows = service::files(&d, ag).await?;
    Ok(HttpResponse::Ok().json(service::Files {
        files: rows.iter().map(service::FileView::from).collect(),
    }))
}

/// Which file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileDocumentInput {
    pub file_id: String,
}

egov_core::problems!(FileDocumentErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::FILE_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
);

/// Files a registered or received document in a record file; the document takes the file's
/// retention class.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = FileDocumentInput,
    responses(
        (status = 200, description = "Filed", body = service::DocumentView),
        FileDocumentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[put("/documents/{id}/file")]
pub async fn file_document(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<FileDocumentInput>,
) -> Result<HttpResponse, Error> {
    let id = doc_id(&id)?;
    let (acc, ag, file) = (
        auth.subject.clone(),
        agency(&auth),
        body.into_inner().file_id,
    );
    let doc = service::file_document(&d, id, acc, ag, file).await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

egov_core::problems!(RecordsStatusErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// A document's records status: retention class and end, legal holds, disposal certificate.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "Records status", body = service::RecordsStatus),
        RecordsStatusErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/records")]
pub async fn records_status(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let v = service::records_status(&d, doc).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A legal hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    pub reason: String,
    /// The order, case or request that requires it.
    pub authority: String,
}

egov_core::problems!(AddHoldErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Places a legal hold: while in force, no one — records managers, agency or platform
/// administrators — can dispose of the document.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = HoldInput,
    responses(
        (status = 201, description = "Placed", body = service::HoldPlaced),
        AddHoldErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/documents/{id}/holds")]
pub async fn add_hold(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<HoldInput>,
) -> Result<HttpResponse, Error> {
    let row = place_hold(&d, &auth, &id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(service::HoldPlaced {
        id: row.id,
        document: row.document_id,
        reason: row.reason,
        authority: row.authority,
        placed_at: row.placed_at.and_utc(),
    }))
}

/// Checks and places a legal hold on document `id`.
pub(crate) async fn place_hold(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: HoldInput,
) -> Result<store::HoldRow, Error> {
    egov_core::text::reason("/reason", &b.reason)?;
    if !text_ok(&b.authority, 3, 300) {
        return Err(Error::invalid_field(
            "/authority",
            crate::http::chars(3, 300),
        ));
    }
    let id = doc_id(id)?;
    service::place_hold(
        d,
        id,
        who.subject.clone(),
        agency(who),
        b.reason,
        b.authority,
    )
    .await
}

egov_core::problems!(ReleaseHoldErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::HOLD_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Releases a legal hold (a records manager of the agency, with a reason; administrators
/// cannot).
#[utoipa::path(tag = "docflow", params(("hold" = String, Path, description = "Hold id")), request_body = ReasonInput,
    responses(
        (status = 200, description = "Released", body = service::HoldReleased),
        ReleaseHoldErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/holds/{hold}/release")]
pub async fn release_hold(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    hold: web::Path<String>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    release(&d, &auth, &hold, body.into_inner().reason).await?;
    Ok(HttpResponse::Ok().json(service::HoldReleased { released: true }))
}

/// Checks the reason and releases legal hold `hold`.
pub(crate) async fn release(
    d: &Docflow,
    who: &Principal,
    hold: &str,
    reason: String,
) -> Result<(), Error> {
    egov_core::text::reason("/reason", &reason)?;
    service::release_hold(d, hold.to_owned(), who.subject.clone(), agency(who), reason).await
}

egov_core::problems!(DisposeErrors:
    egov_core::error::codes::FORBIDDEN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::LEGAL_HOLD,
    crate::errors::RETENTION_RUNNING,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Disposes of a document whose retention period has ended and that no legal hold covers:
/// the contents of every version and the attachments are destroyed; the metadata, the
/// signatures, the history and a signed disposal certificate remain. Allowed to the records
/// manager and to administrators — and refused to all of them while a hold is in force.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReasonInput,
    responses(
        (status = 200, description = "Disposed, with the certificate", body = service::Disposed),
        DisposeErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:agency_admin", "kind:platform_admin", "aal:2"])))]
#[post("/documents/{id}/dispose")]
pub async fn dispose(
    auth: Authorized<Disposer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    Ok(HttpResponse::Ok().json(dispose_document(&d, &auth, &id, body.into_inner().reason).await?))
}

/// Checks the reason and disposes of document `id`.
pub(crate) async fn dispose_document(
    d: &Docflow,
    who: &Principal,
    id: &str,
    reason: String,
) -> Result<service::Disposed, Error> {
    egov_core::text::reason("/reason", &reason)?;
    let id = doc_id(id)?;
    service::dispose(d, who.clone(), id, reason).await
}
