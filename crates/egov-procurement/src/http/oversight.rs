//! The agency's tenders and a tender's audit trail.

use super::{Officer, tender};
use crate::http::public::ListQuery;
use crate::http::public::TenderPage;
use crate::http::public::page;
use crate::service;
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, web};
use egov_auth::{Authorized, Kind, Policy, Rule};
use egov_core::Error;
use serde_json::Value;

egov_core::problems!(AgencyTendersErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The officer's agency's tenders, drafts included.
#[utoipa::path(
    tag = "procurement",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tenders", body = TenderPage),
        AgencyTendersErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[get("/officer/tenders")]
pub async fn agency_tenders(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    q: web::Query<ListQuery>,
) -> Result<web::Json<TenderPage>, Error> {
    let agency = auth.agency.clone().unwrap_or_default();
    Ok(web::Json(
        page(&p, Some(agency), true, q.into_inner()).await?,
    ))
}

egov_core::problems!(HistoryErrors:
    crate::errors::TENDER_NOT_FOUND,
);

/// A tender's audit trail: every action, by whom (the scheduler included) and when — for the
/// buying agency's officers and auditors.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "Events, oldest first", body = crate::service::TenderEvents),
        HistoryErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])),
)]
#[get("/tenders/{id}/history")]
pub async fn history(
    auth: Authorized<HistoryReader>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = tender(&p, &id).await?;
    if auth.kind == Kind::Officer
        && !(auth.has_role(crate::OFFICER_ROLE)
            && auth.agency.as_deref() == Some(row.agency.as_str()))
    {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let rows = service::events(&p, row.id).await?;
    Ok(HttpResponse::Ok().json(crate::service::TenderEvents {
        events: rows
            .into_iter()
            .map(|e| crate::service::TenderEvent {
                detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
                at: e.at.and_utc(),
                actor: e.actor,
                action: e.action,
                from: e.from_status,
                to: e.to_status,
                reason: e.reason,
            })
            .collect(),
    }))
}

/// An officer (of the tender's agency, checked per route) or an auditor.
#[derive(Debug)]
pub struct HistoryReader;
impl Policy for HistoryReader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::Auditor]);
}
