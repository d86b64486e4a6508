//! Dispatch to other agencies through the exchange, the document office's inbox and receipt.

use super::{Office, Officer, Reader, agency, code_ok, doc_id, field, fields, text_ok, visible};
use crate::domain::lifecycle::{self, Action};
use crate::http::worklists::PageQuery;
use crate::http::worklists::WorkPage;
use crate::http::worklists::page_request;
use crate::http::worklists::work_page;
use crate::service::{self};
use crate::{Docflow, errors, exchange};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::error::FieldError;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A receiving agency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Its exchange member (`KR/GOV/1310000`; this deployment's own for a local agency).
    pub member: String,
    /// Its agency code.
    pub agency: String,
}

pub(crate) fn recipients_ok(r: &[Recipient], ptr: &str, e: &mut Vec<FieldError>) {
    for (i, x) in r.iter().enumerate() {
        if x.member.split('/').count() != 3 || !code_ok(&x.member) {
            e.push(field(
                &format!("{ptr}/{i}/member"),
                "an exchange member INSTANCE/CLASS/CODE",
            ));
        }
        if !code_ok(&x.agency) || x.agency.len() > 32 {
            e.push(field(
                &format!("{ptr}/{i}/agency"),
                egov_core::text!("detail-docflow-agency", "an agency code"),
            ));
        }
    }
}

/// Recipients.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchInput {
    pub recipients: Vec<Recipient>,
}

egov_core::problems!(DispatchDocumentErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Dispatches a registered document (시행) to other agencies through the exchange; each
/// delivery is confirmed by the recipient (or kept as failed, to retry), and the receipt
/// confirmation comes back when the recipient registers it.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = DispatchInput,
    responses(
        (status = 200, description = "Delivered to every recipient: one dispatch each", body = service::Dispatches),
        (status = 202, description = "Not delivered to every recipient: the failed dispatches \
            (`status` `failed`, with the `error`) are kept and retried; `GET …/dispatches` \
            shows them later", body = service::Dispatches),
        DispatchDocumentErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/dispatch")]
pub async fn dispatch_document(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<DispatchInput>,
) -> Result<HttpResponse, Error> {
    let out = dispatch_to(&d, &auth, &id, body.into_inner()).await?;
    // A failed delivery is kept to retry: accepted, not done.
    let mut res = if out.iter().any(|x| x.status == "failed") {
        HttpResponse::Accepted()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(service::Dispatches { dispatches: out }))
}

/// Dispatches document `id` to the recipients (the API's and the workspace page's way).
pub(crate) async fn dispatch_to(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: DispatchInput,
) -> Result<Vec<service::DispatchView>, Error> {
    let mut e = Vec::new();
    if b.recipients.is_empty() || b.recipients.len() > 50 {
        e.push(field(
            "/recipients",
            egov_core::text!("detail-docflow-recipients", "1-50 recipients"),
        ));
    }
    recipients_ok(&b.recipients, "/recipients", &mut e);
    fields(e)?;
    let id = doc_id(id)?;
    exchange::dispatch(
        d,
        &who.subject,
        &agency(who),
        &id,
        b.recipients
            .into_iter()
            .map(|r| (r.member, r.agency))
            .collect(),
        "dispatch",
        who.has_role(crate::OFFICE_ROLE),
    )
    .await
}

egov_core::problems!(DispatchesErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// A document's dispatches with their delivery and receipt confirmations.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "Dispatches", body = service::Dispatches),
        DispatchesErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/dispatches")]
pub async fn dispatches(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let rows = service::dispatches_of(&d, doc.id).await?;
    Ok(HttpResponse::Ok().json(service::Dispatches {
        dispatches: rows.iter().map(service::DispatchView::from).collect(),
    }))
}

egov_core::problems!(RetryErrors:
    crate::errors::DISPATCH_NOT_FOUND,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
);

/// Retries a failed dispatch.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("dispatch" = String, Path, description = "Dispatch id")),
    responses(
        (status = 200, description = "The dispatch", body = service::DispatchView),
        RetryErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/dispatches/{dispatch}/retry")]
pub async fn retry(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, dispatch) = path.into_inner();
    let id = doc_id(&id)?;
    Ok(HttpResponse::Ok()
        .json(exchange::retry(&d, &auth.subject, &agency(&auth), &id, &dispatch).await?))
}

egov_core::problems!(InboxErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The document office's inbox: documents delivered by other agencies, not yet received.
#[utoipa::path(tag = "docflow", params(PageQuery),
    responses(
        (status = 200, description = "A page", body = WorkPage),
        InboxErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[get("/inbox")]
pub async fn inbox(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    q: web::Query<PageQuery>,
) -> Result<web::Json<WorkPage>, Error> {
    let (after, limit) = page_request(&d, &q)?;
    let ag = agency(&auth);
    let rows = service::inbox(&d, ag, after, limit).await?;
    Ok(web::Json(work_page(rows, limit)))
}

/// The document office's receipt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    /// The processing unit that registers it (its receipt ledger).
    pub unit_id: String,
    /// The handler's account.
    pub handler: String,
    pub doc_type: Option<String>,
    pub retention: Option<String>,
    #[serde(default, deserialize_with = "egov_core::dates::instant_opt")]
    pub due_at: Option<DateTime<Utc>>,
}

egov_core::problems!(ReceiveErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::UNIT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Receives a delivered document (접수): a receipt registration number (gapless per unit
/// and year), a handler (circulated it), and the receipt confirmation sent back to the
/// sender through the exchange.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReceiveInput,
    responses(
        (status = 200, description = "Received", body = service::Received),
        ReceiveErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[post("/documents/{id}/receive")]
pub async fn receive(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReceiveInput>,
) -> Result<HttpResponse, Error> {
    Ok(HttpResponse::Ok().json(receive_document(&d, &auth, &id, body.into_inner()).await?))
}

/// Receives delivered document `id` (the document office).
pub(crate) async fn receive_document(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: ReceiveInput,
) -> Result<service::Received, Error> {
    if !text_ok(&b.handler, 1, 128) {
        return Err(Error::invalid_field("/handler", crate::http::account_id()));
    }
    let id = doc_id(id)?;
    let r = exchange::Receipt {
        unit: b.unit_id,
        handler: b.handler,
        doc_type: b.doc_type,
        retention: b.retention,
        due_at: b.due_at.map(|t| t.naive_utc()),
    };
    exchange::receive(d, &who.subject, &agency(who), &id, r).await
}

egov_core::problems!(ConfirmReceiptErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::NOT_CONFIGURED,
);

/// Sends the receipt confirmation of a received document again (after a failure).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses(
        (status = 200, description = "Sent or failed", body = service::ConfirmationSent),
        ConfirmReceiptErrors,
    ),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[post("/documents/{id}/confirm-receipt")]
pub async fn confirm_receipt(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    if !lifecycle::permits(&doc.status, Action::ConfirmReceipt) {
        return Err(Error::with_detail(
            errors::ILLEGAL_STATE,
            "only a received document is confirmed",
        ));
    }
    let sender: Value = doc
        .sender
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    Ok(HttpResponse::Ok().json(exchange::confirm_receipt(&d, &auth.subject, &doc, &sender).await?))
}
