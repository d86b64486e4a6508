//! The caller as this process sees them: a module developer's check that a token from the
//! issuer is accepted here (in-process keys, or the issuer's JWKS when auth runs elsewhere).

use actix_web::{get, web};
use egov_auth::principal::policies::SignedIn;
use egov_auth::{Authorized, Principal};

/// The verified principal of the bearer token.
#[utoipa::path(
    tag = "platform",
    responses((status = 200, description = "The caller", body = Principal)),
    security(("bearer" = ["aal:1"])),
)]
#[get("/api/v1/whoami")]
pub async fn whoami(auth: Authorized<SignedIn>) -> web::Json<Principal> {
    web::Json(auth.principal)
}
