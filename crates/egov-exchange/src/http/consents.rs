//! The consent ledger in numbers, for platform administrators: how many people let each
//! client use each service for each purpose, and how many withdrew or let their consent run
//! out. Counts only — who consented is the person's own business (their "my consents" page).

use crate::Exchange;
use crate::store;
use actix_web::{get, web};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// Consents of one client, service and purpose, counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentCount {
    /// The client the people let use their data.
    pub client: String,
    pub service: String,
    pub purpose: String,
    /// Neither withdrawn nor expired.
    pub active: i64,
    pub withdrawn: i64,
    /// Ran out without being withdrawn.
    pub expired: i64,
}

/// The consent ledger counted per client, service and purpose.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentOverview {
    pub consents: Vec<ConsentCount>,
}

/// The consent ledger counted per client, service and purpose (no person is named).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Counts, by client and service", body = ConsentOverview)),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/admin/consents")]
pub async fn consent_overview(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<ConsentOverview>, Error> {
    Ok(web::Json(overview(&exchange).await?))
}

/// The counts (the API's and the exchange console's way).
pub(crate) async fn overview(exchange: &Exchange) -> Result<ConsentOverview, Error> {
    let now = chrono::Utc::now();
    let rows = exchange
        .db()
        .run(move |c| store::consent_counts(c, now))
        .await?;
    Ok(ConsentOverview {
        consents: rows
            .into_iter()
            .map(|t| ConsentCount {
                client: t.client,
                service: t.service,
                purpose: t.purpose,
                active: t.active,
                withdrawn: t.withdrawn,
                expired: t.expired,
            })
            .collect(),
    })
}
