//! The list of ended sessions that processes verifying tokens elsewhere poll, as they fetch
//! the JWKS: a token of a session ended here stops working everywhere within
//! `auth.revocation_poll_secs`.

use actix_web::{get, web};
use egov_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::Service;

/// Sessions ended within the last access-token lifetime.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedSessions {
    /// How far back the list reaches, in seconds (access-token lifetime plus leeway): a token
    /// of an older session has expired anyway.
    pub window_secs: u64,
    /// SHA-256 (hex) of each ended session's id (`sid` claim); ids themselves are not shown.
    pub sessions: Vec<String>,
}

/// Ended sessions (signed out, revoked, refresh token reused, account disabled).
///
/// Public like the JWKS: a module that verifies tokens in another process polls it every
/// `auth.revocation_poll_secs` and refuses tokens whose `sid` hashes to an entry.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Digests of ended sessions' ids", body = RevokedSessions)),
    security(()),
)]
#[get("/revoked-sessions")]
pub async fn revoked_sessions(
    service: web::Data<Service>,
) -> Result<web::Json<RevokedSessions>, Error> {
    let sessions = service.auth().revoked_sessions().await?;
    Ok(web::Json(RevokedSessions {
        window_secs: service.auth().revocation_window_secs(),
        sessions,
    }))
}
