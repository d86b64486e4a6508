//! Record files, legal holds and disposal.

use super::{
    Disposer, Officer, Reader, Records, agency, code_ok, doc_id, field, fields, text_ok, visible,
};
use crate::domain::evidence::Attachment;
use crate::domain::lifecycle::{self, Action};
use crate::domain::rules::Rules;
use crate::http::approvals::ReasonInput;
use crate::service::{self, status};
use crate::store::{self, DocumentRow};
use crate::{Docflow, errors};
use actix_web::{HttpResponse, get, post, put, web};
use egov_auth::{Authorized, Kind};
use egov_core::Error;
use serde::Deserialize;
use serde_json::{Value, json};
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
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if !code_ok(&b.classification) {
        e.push(field("/classification", "a function classification code"));
    }
    if !text_ok(&b.title, 1, 300) {
        e.push(field("/title", "1-300 characters"));
    }
    if !(1900..=9999).contains(&b.year) {
        e.push(field("/year", "1900-9999"));
    }
    if rules.retention_class(&b.retention).is_none() {
        e.push(field("/retention", "a retention class of the country pack"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::FileRow {
        id: service::new_id(),
        agency: ag.clone(),
        unit_id: b.unit_id,
        classification: b.classification,
        title: b.title,
        year: b.year,
        retention: b.retention,
        created_by: auth.subject.clone(),
        created_at: service::now(),
    };
    let r = row.clone();
    d.db()
        .transaction(move |c| {
            if store::unit(c, &r.unit_id)?
                .filter(|u| u.agency == ag)
                .is_none()
            {
                return Err(Error::invalid_field(
                    "/unit_id",
                    "no such unit of your agency",
                ));
            }
            store::insert_file(c, &r)
        })
        .await?;
    Ok(HttpResponse::Created().json(service::FileView::from(&row)))
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
    let rows = d.db().run(move |c| store::files(c, &ag)).await?;
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
    let doc = d
        .db()
        .transaction(move |c| {
            let mut doc = service::locked(c, &id, &ag)?;
            let f = store::file(c, &file)?
                .filter(|f| f.agency == ag)
                .ok_or_else(|| Error::new(errors::FILE_NOT_FOUND))?;
            if doc.completed_at.is_none() || doc.status == status::DISPOSED {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "only a registered or received document is filed",
                ));
            }
            doc.file_id = Some(f.id.clone());
            doc.retention = f.retention.clone();
            doc.updated_at = service::now();
            store::save_document(c, &doc)?;
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "filed",
                json!({"file": f.id, "classification": f.classification, "retention": f.retention}),
                service::now(),
            )?;
            Ok(doc)
        })
        .await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

pub(crate) fn status_of(
    rules: &Rules,
    doc: &DocumentRow,
    holds: &[store::HoldRow],
    disposal: Option<&store::DisposalRow>,
) -> service::RecordsStatus {
    let class = rules.retention_class(&doc.retention);
    service::RecordsStatus {
        document: doc.id.clone(),
        status: doc.status.clone(),
        retention: doc.retention.clone(),
        retention_name: class.map(|r| r.name.clone()),
        completed_at: doc.completed_at.map(|t| t.and_utc()),
        retain_until: doc
            .completed_at
            .and_then(|t| service::retain_until(rules, &doc.retention, t)),
        permanent: class.is_some_and(|r| r.years.is_none()),
        holds: holds.iter().map(service::HoldView::from).collect(),
        disposal: disposal.map(|x| service::DisposalView {
            id: x.id.clone(),
            certificate: serde_json::from_str(&x.certificate).unwrap_or(Value::Null),
            signature: x.signature.clone(),
            authorised_by: x.authorised_by.clone(),
            at: x.at.and_utc(),
        }),
    }
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
    let rules = d.rules()?.clone();
    let v = d
        .db()
        .run(move |c| {
            let holds = store::holds(c, &doc.id)?;
            let disposal = store::disposal(c, &doc.id)?;
            Ok(status_of(&rules, &doc, &holds, disposal.as_ref()))
        })
        .await?;
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
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    if !text_ok(&b.authority, 3, 300) {
        return Err(Error::invalid_field("/authority", "3-300 characters"));
    }
    let id = doc_id(&id)?;
    let (acc, ag) = (auth.subject.clone(), agency(&auth));
    let row = d
        .db()
        .transaction(move |c| {
            let doc = service::locked(c, &id, &ag)?;
            if !lifecycle::permits(&doc.status, Action::Hold) {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "the document was disposed of",
                ));
            }
            let at = service::now();
            let row = store::HoldRow {
                id: service::new_id(),
                document_id: doc.id.clone(),
                reason: b.reason,
                authority: b.authority,
                placed_by: acc.clone(),
                placed_at: at,
                released_by: None,
                released_at: None,
                release_reason: None,
            };
            store::insert_hold(c, &row)?;
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_placed",
                json!({"hold": row.id, "reason": row.reason, "authority": row.authority}),
                at,
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(service::HoldPlaced {
        id: row.id,
        document: row.document_id,
        reason: row.reason,
        authority: row.authority,
        placed_at: row.placed_at.and_utc(),
    }))
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
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let (acc, ag, hold) = (auth.subject.clone(), agency(&auth), hold.into_inner());
    d.db()
        .transaction(move |c| {
            let h = store::hold(c, &hold)?.ok_or_else(|| Error::new(errors::HOLD_NOT_FOUND))?;
            let doc = service::locked(c, &h.document_id, &ag)
                .map_err(|_| Error::new(errors::HOLD_NOT_FOUND))?;
            let at = service::now();
            if store::release_hold(c, &h.id, &acc, at, &b.reason)? == 0 {
                return Err(Error::new(errors::HOLD_NOT_FOUND));
            }
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_released",
                json!({"hold": h.id, "reason": b.reason}),
                at,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(service::HoldReleased { released: true }))
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
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(&id)?;
    let rules = d.rules()?.clone();
    let (dd, who) = (d.get_ref().clone(), auth.clone());
    let v = d
        .db()
        .transaction(move |c| {
            let mut doc = store::lock_document(c, &id)?
                .filter(|x| who.kind == Kind::PlatformAdmin || who.agency.as_deref() == Some(x.agency.as_str()))
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            let holds = store::holds(c, &doc.id)?;
            if let Some(h) = holds.iter().find(|h| h.released_at.is_none()) {
                return Err(Error::with_detail(errors::LEGAL_HOLD, format!("hold {} ({}) is in force", h.id, h.authority)));
            }
            if who.kind == Kind::Officer && !who.has_role(crate::RECORDS_ROLE) {
                return Err(Error::with_detail(egov_core::error::codes::FORBIDDEN, "disposal needs the docflow.records role"));
            }
            if !lifecycle::permits(&doc.status, Action::Dispose) {
                return Err(Error::with_detail(errors::ILLEGAL_STATE, "already disposed of"));
            }
            let at = service::now();
            let until = doc.completed_at.and_then(|t| service::retain_until(&rules, &doc.retention, t));
            match until {
                Some(u) if u <= at.date() => {}
                _ => return Err(Error::with_detail(errors::RETENTION_RUNNING,
                    format!("retention {} {}", doc.retention, until.map(|u| format!("runs until {u}")).unwrap_or_else(|| "is permanent (or the matter is not complete)".into())))),
            }
            let versions = store::versions(c, &doc.id)?;
            let head = store::last_event(c, &doc.id)?.map(|e| e.1);
            let cert = json!({
                "certificate": "disposal", "document": doc.id, "agency": doc.agency,
                "registration_no": doc.registration_no, "title": versions.last().map(|v| v.title.clone()),
                "retention": doc.retention, "completed_at": doc.completed_at.map(|t| t.and_utc()),
                "retain_until": until, "reason": b.reason, "authorised_by": who.subject, "authorised_kind": who.kind.as_str(),
                "at": service::stamp(at), "versions": versions.iter().map(|v| json!({"version": v.version, "digest": v.digest})).collect::<Vec<_>>(),
                "history_head": head,
            });
            let signature = dd.sign(c, &cert)?;
            let atts: Vec<String> = versions
                .iter()
                .flat_map(|v| serde_json::from_str::<Vec<Attachment>>(&v.attachments).unwrap_or_default())
                .map(|a| a.sha256)
                .collect();
            store::clear_versions(c, &doc.id)?;
            for a in atts {
                store::delete_blob(c, &a)?;
            }
            let row = store::DisposalRow { id: service::new_id(), document_id: doc.id.clone(), certificate: cert.to_string(),
                signature: signature.clone(), authorised_by: who.subject.clone(), at };
            store::insert_disposal(c, &row)?;
            doc.status = status::DISPOSED.into();
            doc.disposed_at = Some(at);
            doc.updated_at = at;
            store::save_document(c, &doc)?;
            service::append(c, &doc.id, &who.subject, None, "disposed", json!({"disposal": row.id, "reason": b.reason}), at)?;
            Ok(service::Disposed {
                disposal: row.id,
                certificate: cert,
                signature,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
