//! This member's signing keys: rotation, revocation and the signed key status list.

use crate::Exchange;
use crate::keys::{REVOCATION_REASONS, RevokedKey, StatusList};
use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRevocationInput {
    /// The key (`<member>#<n>`): one of this member's, or another member's pinned key.
    #[schema(min_length = 1, max_length = 200)]
    pub kid: String,
    /// `key_compromise`, `superseded` or `cessation_of_operation`.
    #[schema(pattern = "^(key_compromise|superseded|cessation_of_operation)$")]
    pub reason: String,
    /// From when its signatures are not to be believed (RFC 3339; default now): for a key
    /// known to have been compromised since an earlier time. Not before the key was made.
    pub since: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: RevokedKey,
    /// This member's signing key afterwards (a new one when the signing key was revoked).
    pub signing_kid: String,
}

egov_core::problems!(RevokeKeyErrors:
    crate::errors::KEY_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revokes a key before its time: it is refused from `since` on, leaves the published key set,
/// and is listed in the signed status list (`GET /exchange/v1/keys/status`) that offline
/// verifiers check evidence against. Revoking this member's signing key makes a new one at once.
#[utoipa::path(
    tag = "exchange",
    request_body = KeyRevocationInput,
    responses(
        (status = 200, description = "Revoked", body = Revoked),
        RevokeKeyErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/keys/revoke")]
pub async fn revoke_key(
    auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<KeyRevocationInput>,
) -> Result<web::Json<Revoked>, Error> {
    let input = input.into_inner();
    if input.kid.is_empty() || input.kid.len() > 200 || input.kid.chars().any(char::is_control) {
        return Err(super::bad(
            "/kid",
            "1 to 200 characters, no control characters",
        ));
    }
    if !REVOCATION_REASONS.contains(&input.reason.as_str()) {
        return Err(super::bad(
            "/reason",
            "key_compromise, superseded or cessation_of_operation",
        ));
    }
    let (revoked, signing_kid) = exchange
        .keys()
        .revoke(&input.kid, &input.reason, input.since)
        .await?;
    tracing::warn!(kid = %revoked.kid, reason = %revoked.reason, since = %revoked.revoked_at,
        by = %auth.subject, "exchange key revoked");
    Ok(web::Json(Revoked {
        revoked,
        signing_kid,
    }))
}

/// This member's key status list: every key it revoked, from when and why, signed by its
/// current key. Give it (or let the verifier fetch it) to
/// `egov exchange verify-evidence --status`.
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "The signed status list", body = StatusList)),
    security(()),
)]
#[get("/keys/status")]
pub async fn key_status(exchange: web::Data<Exchange>) -> Result<web::Json<StatusList>, Error> {
    Ok(web::Json(exchange.keys().status_list().await?))
}
