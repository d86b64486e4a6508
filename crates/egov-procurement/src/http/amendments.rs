//! Amend, postpone, resume and cancel a published tender.

use super::{Officer, agency_tender, reason_ok, view};
use crate::Procurement;
use crate::service::{self, Changes};
use actix_web::{HttpResponse, post, web};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendInput {
    /// Why: 5 to 1000 characters, published.
    pub reason: String,
    pub changes: Changes,
}

/// Amends the agency's tender, or resumes it when postponed or when a complaint ordered the
/// terms amended (the API's and the desk's way).
pub(crate) async fn amending(
    auth: &Principal,
    p: &Procurement,
    id: &str,
    input: AmendInput,
    resuming: bool,
) -> Result<crate::store::TenderRow, Error> {
    reason_ok("/reason", &input.reason)?;
    if let Some(d) = &input.changes.description
        && !text_ok(d, 0, 20_000)
    {
        return Err(Error::invalid_field(
            "/changes/description",
            "up to 20000 characters",
        ));
    }
    let row = agency_tender(p, auth, id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    p.db()
        .transaction(move |c| {
            if resuming {
                service::resume(&q, c, &row.id, &by, &input.reason, &input.changes)
            } else {
                service::amend(&q, c, &row.id, &by, &input.reason, &input.changes)
            }
        })
        .await
}

egov_core::problems!(AmendErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::DEADLINE_SLOT_FULL,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Amends a published tender before its deadline: a numbered, published amendment; times
/// only move forward.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = AmendInput,
    responses(
        (status = 200, description = "The amended tender", body = crate::service::TenderView),
        AmendErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/amendments")]
pub async fn amend(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<AmendInput>,
) -> Result<HttpResponse, Error> {
    let row = amending(&auth, &p, &id, input.into_inner(), false).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

egov_core::problems!(ResumeErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::DEADLINE_SLOT_FULL,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Resumes a postponed tender with a later deadline (an amendment).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = AmendInput,
    responses(
        (status = 200, description = "The resumed tender", body = crate::service::TenderView),
        ResumeErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/resume")]
pub async fn resume(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<AmendInput>,
) -> Result<HttpResponse, Error> {
    let row = amending(&auth, &p, &id, input.into_inner(), true).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProcurementReason)]
pub struct ReasonInput {
    /// 5 to 1000 characters, published.
    pub reason: String,
}

egov_core::problems!(PostponeErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Postpones a tender in its enquiry or tendering period (no bids until resumed).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The tender", body = crate::service::TenderView),
        PostponeErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/postpone")]
pub async fn postpone(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let row = stop_tender(&p, &auth, &id, input.into_inner().reason, false).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// Postpones (`cancelling` false) or cancels the agency's tender with a published reason (the
/// API's and the desk's way).
pub(crate) async fn stop_tender(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    reason: String,
    cancelling: bool,
) -> Result<crate::store::TenderRow, Error> {
    reason_ok("/reason", &reason)?;
    let row = agency_tender(p, who, id).await?;
    let q = p.clone();
    let by = who.subject.clone();
    p.db()
        .transaction(move |c| {
            if cancelling {
                service::cancel(&q, c, &row.id, &by, &reason)
            } else {
                service::postpone(&q, c, &row.id, &by, &reason)
            }
        })
        .await
}

egov_core::problems!(CancelErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Cancels a tender (before the award is final) with a published reason.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The cancelled tender", body = crate::service::TenderView),
        CancelErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/cancel")]
pub async fn cancel(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let row = stop_tender(&p, &auth, &id, input.into_inner().reason, true).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}
