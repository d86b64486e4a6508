//! Opened bids (access-logged), ranking and award.

use super::{Officer, Staff, access, agency_tender, public_tender, purpose_ok, view};
use crate::service::{self, list_of};
use crate::{Procurement, errors};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why the bids are read (recorded in the access log with every supplier's bid).
    pub purpose: String,
}

egov_core::problems!(OpenedBidsErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::NOT_ISSUED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The opened bids with their contents (documents included) for the buying officer and the
/// tender's evaluators; every supplier's bid read is written to the access log.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), PurposeQuery),
    responses(
        (status = 200, description = "Opened bids", body = crate::service::OpenedBids),
        OpenedBidsErrors,
    ),
    security(("bearer" = ["kind:officer", "aal:2"])),
)]
#[get("/tenders/{id}/opened-bids")]
pub async fn opened_bids(
    auth: Authorized<Staff>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    purpose_ok(&q.purpose)?;
    let row = public_tender(&p, &id).await?;
    let is_officer =
        auth.has_role(crate::OFFICER_ROLE) && auth.agency.as_deref() == Some(row.agency.as_str());
    let is_evaluator =
        auth.has_role(crate::EVALUATOR_ROLE) && list_of(&row.evaluators).contains(&auth.subject);
    if !is_officer && !is_evaluator {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    if row.opening.is_none() {
        return Err(Error::new(errors::NOT_ISSUED));
    }
    let t = row.id.clone();
    let bids = service::opened_bids(&p, t).await?;
    let mut suppliers: Vec<&str> = bids.iter().map(|b| b.supplier.as_str()).collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    for s in suppliers {
        access(&p, &req, &auth, s, &row.id, &q.purpose).await?;
    }
    Ok(HttpResponse::Ok().json(crate::service::OpenedBids {
        bids: bids
            .into_iter()
            .map(|b| crate::service::OpenedBidView {
                contents: b
                    .opened
                    .as_deref()
                    .and_then(|o| serde_json::from_str(o).ok()),
                rejection: b
                    .rejection
                    .as_deref()
                    .and_then(|r| serde_json::from_str(r).ok()),
                eligibility: serde_json::from_str(&b.eligibility).unwrap_or(Value::Null),
                bid_id: b.id,
                lot: b.lot_id,
                supplier: b.supplier,
                status: b.status,
                received_at: b.received_at.and_utc(),
                digest: b.digest,
                price: b.price,
            })
            .collect(),
    }))
}

egov_core::problems!(RankErrors:
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::SCORES_MISSING,
    crate::errors::PROCEDURE_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// Computes the ranking of every lot by the procedure's rule (evaluation → award pending),
/// with a full explanation per bidder.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The ranking per lot", body = crate::service::Rankings),
        RankErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/rank")]
pub async fn rank(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let r = rank_bids(&p, &auth, &id).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Ranks the agency's tender's valid bids (the API's and the desk's way).
pub(crate) async fn rank_bids(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
) -> Result<crate::service::Rankings, Error> {
    let row = agency_tender(p, who, id).await?;
    let q = p.clone();
    let by = who.subject.clone();
    let r = p
        .db()
        .transaction(move |c| service::rank(&q, c, &row.id, &by))
        .await?;
    Ok(crate::service::Rankings { rankings: r })
}

egov_core::problems!(AwardErrors:
    crate::errors::BID_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::PROCEDURE_NOT_FOUND,
    crate::errors::NOT_CONFIGURED,
);

/// Decides the award by the ranking: pending awards, and the standstill starts.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The tender in its standstill", body = crate::service::TenderView),
        AwardErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/award")]
pub async fn award(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = decide_award(&p, &auth, &id).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// Decides the award of the agency's tender by its ranking (the API's and the desk's way).
pub(crate) async fn decide_award(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
) -> Result<crate::store::TenderRow, Error> {
    let row = agency_tender(p, who, id).await?;
    let q = p.clone();
    let by = who.subject.clone();
    p.db()
        .transaction(move |c| service::award(&q, c, &row.id, &by))
        .await
}
