//! Public procurement routes: tenders, their notices and keys.

use super::{public_tender, view};
use crate::Procurement;
use crate::domain::lifecycle::Status;
use crate::domain::rules::Rules;
use crate::service::{self, status_of};
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use egov_core::Error;
use egov_core::cursor::{Cursor, next_page, page_limit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

egov_core::problems!(GetRulesErrors:
    crate::errors::NOT_CONFIGURED,
);

/// The country pack's procurement rules: procedures, evaluation rules with their legal
/// citations, deadline slots, eligibility basis.
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, body = Rules),
        GetRulesErrors,
    ),
    security(()),
)]
#[get("/rules")]
pub async fn get_rules(p: web::Data<Procurement>) -> Result<web::Json<Rules>, Error> {
    Ok(web::Json(p.rules()?.clone()))
}

/// The module's public keys (receipts, score records, contract signatures) as a JWK set, for
/// checking them offline.
#[utoipa::path(tag = "procurement", responses((status = 200, description = "JWK set", body = egov_core::jwk::JwkSet)), security(()))]
#[get("/keys")]
pub async fn keys(p: web::Data<Procurement>) -> Result<HttpResponse, Error> {
    let _q = p.clone();
    let rows = service::signing_keys(&p).await?;
    let keys: Vec<egov_core::jwk::Jwk> = rows
        .iter()
        .map(|k| egov_core::jwk::Jwk::ed25519(k.kid.clone(), k.public_key.clone()))
        .collect();
    Ok(HttpResponse::Ok().json(egov_core::jwk::JwkSet { keys }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only tenders in this status.
    #[param(inline)]
    pub status: Option<Status>,
    /// Only tenders of this category (the pack's procedures cover goods, works, services).
    #[param(inline)]
    pub category: Option<Category>,
    /// The cursor from the previous page.
    pub after: Option<String>,
    /// Page size (at most the configured maximum).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// What a tender buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Goods,
    Works,
    Services,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Goods, Category::Works, Category::Services];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Goods => "goods",
            Self::Works => "works",
            Self::Services => "services",
        }
    }
}

/// One tender in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderSummary {
    pub id: String,
    /// The Open Contracting id of the tender's process.
    pub ocid: String,
    /// The buying agency's code.
    pub agency: String,
    pub title: String,
    /// The pack's procedure id.
    pub procedure: String,
    pub category: String,
    pub status: Status,
    pub deadline: DateTime<Utc>,
    /// Bids received (after the opening; absent before it).
    pub bid_count: Option<i32>,
}

/// A page of tenders.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderPage {
    pub items: Vec<TenderSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

pub(crate) async fn page(
    p: &Procurement,
    agency: Option<String>,
    drafts: bool,
    q: ListQuery,
) -> Result<TenderPage, Error> {
    let limit = page_limit(
        q.limit.map(i64::from),
        50,
        i64::from(p.config().max_page_size),
    )?;
    let after = q
        .after
        .as_deref()
        .map(Cursor::decode)
        .transpose()?
        .map(|c| (c.at, c.id));
    let status = q.status.map(|s| s.as_str());
    let category = q.category.map(|c| c.as_str().to_owned());
    let rows = service::tenders_page(p, agency, drafts, status, category, after, limit).await?;
    Ok(TenderPage {
        next: next_page(&rows, limit, |r| {
            Some(Cursor::new(r.created_at, r.id.clone()))
        }),
        items: rows
            .into_iter()
            .map(|r| TenderSummary {
                status: status_of(&r),
                deadline: r.deadline.and_utc(),
                id: r.id,
                ocid: r.ocid,
                agency: r.agency,
                title: r.title,
                procedure: r.procedure_id,
                category: r.category,
                bid_count: r.bid_count,
            })
            .collect(),
    })
}

egov_core::problems!(ListTendersErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Published tenders, newest first (keyset pagination).
#[utoipa::path(
    tag = "procurement",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tenders", body = TenderPage),
        ListTendersErrors,
    ),
    security(()),
)]
#[get("/tenders")]
pub async fn list_tenders(
    p: web::Data<Procurement>,
    q: web::Query<ListQuery>,
) -> Result<web::Json<TenderPage>, Error> {
    if q.status == Some(Status::Draft) {
        return Err(Error::invalid_field("status", "drafts are not public"));
    }
    Ok(web::Json(page(&p, None, false, q.into_inner()).await?))
}

egov_core::problems!(ShowTenderErrors:
    crate::errors::TENDER_NOT_FOUND,
);

/// A published tender: the notice, lots, amendments, questions and answers; at the deadline
/// the number of bids and their commitments; at the opening the transcript (seed, reserve
/// prices, estimated price, every bid's price and validity); after the award decision the
/// ranking with its explanation; awards and contracts.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The tender", body = crate::service::TenderView),
        ShowTenderErrors,
    ),
    security(()),
)]
#[get("/tenders/{id}")]
pub async fn show_tender(
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = public_tender(&p, &id).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}
