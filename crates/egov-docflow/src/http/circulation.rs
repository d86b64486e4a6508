//! Circulation (공람) to readers.

use super::{Officer, agency, doc_id, field, fields, text_ok};
use crate::http::dispatch::Recipient;
use crate::http::dispatch::recipients_ok;
use crate::service::{self};
use crate::{Docflow, exchange};
use actix_web::{HttpResponse, post, web};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use serde::Deserialize;
use utoipa::ToSchema;

/// Readers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CirculateInput {
    /// Account ids of the agency's readers.
    #[serde(default)]
    pub readers: Vec<String>,
    /// Other agencies to circulate to (through the exchange).
    #[serde(default)]
    pub agencies: Vec<Recipient>,
}

egov_core::problems!(CirculateErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Circulates a registered or received document (공람): readers are recorded when they read
/// it. Other agencies receive it through the exchange.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = CirculateInput,
    responses(
        (status = 200, description = "Readers added and dispatches", body = service::Circulated),
        CirculateErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/circulate")]
pub async fn circulate(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<CirculateInput>,
) -> Result<HttpResponse, Error> {
    Ok(HttpResponse::Ok().json(circulate_document(&d, &auth, &id, body.into_inner()).await?))
}

/// Circulates document `id` to readers of the agency and to other agencies.
pub(crate) async fn circulate_document(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: CirculateInput,
) -> Result<service::Circulated, Error> {
    let mut e = Vec::new();
    if b.readers.is_empty() && b.agencies.is_empty()
        || b.readers.len() > 500
        || b.agencies.len() > 50
    {
        e.push(field(
            "/readers",
            egov_core::text!("detail-docflow-readers", "1-500 readers or 1-50 agencies"),
        ));
    }
    for (i, r) in b.readers.iter().enumerate() {
        if !text_ok(r, 1, 128) {
            e.push(field(&format!("/readers/{i}"), crate::http::account_id()));
        }
    }
    recipients_ok(&b.agencies, "/agencies", &mut e);
    fields(e)?;
    let id = doc_id(id)?;
    let dd = d.clone();
    let (acc, ag, office) = (
        who.subject.clone(),
        agency(who),
        who.has_role(crate::OFFICE_ROLE),
    );
    let readers = b.readers.clone();
    let id2 = id.clone();
    let added = if readers.is_empty() {
        Vec::new()
    } else {
        d.db()
            .transaction(move |c| service::circulate(c, &dd, &acc, &ag, &id2, &readers, office))
            .await?
    };
    let sent = if b.agencies.is_empty() {
        Vec::new()
    } else {
        exchange::dispatch(
            d,
            &who.subject,
            &agency(who),
            &id,
            b.agencies
                .into_iter()
                .map(|r| (r.member, r.agency))
                .collect(),
            "circulation",
            office,
        )
        .await?
    };
    Ok(service::Circulated {
        readers: added,
        dispatches: sent,
    })
}
