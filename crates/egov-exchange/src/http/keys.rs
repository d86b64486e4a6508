//! Rotation of this member's signing key.

use crate::Exchange;
use actix_web::{post, web};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Rotated {
    /// The new signing key's id.
    pub kid: String,
}

/// Rotates this member's signing key; the old keys stay published for the overlap period.
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Rotated", body = Rotated)),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/keys/rotate")]
pub async fn rotate_key(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Rotated>, Error> {
    let kid = exchange.keys().rotate().await?;
    tracing::info!(kid = %kid, "exchange key rotated");
    Ok(web::Json(Rotated { kid }))
}
