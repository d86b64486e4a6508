//! The auth error codes (see `docs/errors.md`) and the challenges that go with them.

use egov_core::Error;
use egov_core::error::codes;

use crate::principal::Aal;

egov_core::error_codes! {
    INVALID_TOKEN = ("invalid_token", 401, "The access token is not valid", "bad signature, unknown key, expired, wrong `iss`/`aud`/purpose; `WWW-Authenticate: Bearer error=\"invalid_token\"`");
    INSUFFICIENT_AAL = ("insufficient_user_authentication", 401, "A stronger sign-in is required", "the route needs `aal2`; `WWW-Authenticate` names `acr_values=\"aal2\"`; answer with `POST /auth/step-up`");
    INVALID_CREDENTIALS = ("invalid_credentials", 401, "The login name or password is wrong", "sign-in refused (also for unknown names and disabled accounts)");
    INVALID_SECOND_FACTOR = ("invalid_second_factor", 401, "The one-time code or recovery code is wrong", "a wrong, replayed or expired TOTP code or used recovery code");
    LOGIN_LOCKED = ("login_locked", 429, "Too many failed sign-ins: sign-in is locked for a while", "`auth.lockout.max_failures` failed passwords for a login name from one address or known device, or wrong second-factor codes for an account; `Retry-After` says how long");
    LOGIN_THROTTLED = ("login_throttled", 429, "Too many attempts from this address", "over `auth.lockout.max_attempts_per_hour` sign-in or unlock attempts, or `auth.lockout.registrations_per_hour` registrations, from one address in an hour; `Retry-After` says how long");
    CSRF_FAILED = ("csrf_failed", 403, "The form is stale or was not sent by us", "the login form without its cookie or with a wrong CSRF token");
    INVALID_GRANT = ("invalid_grant", 400, "The grant is invalid, expired, used or revoked", "codes, refresh tokens, invitation and reset tokens; carries OAuth `error`");
    INVALID_CLIENT = ("invalid_client", 401, "Client authentication failed", "unknown client or wrong secret at `/auth/token`; carries OAuth `error`");
    INVALID_AUTHORIZATION_REQUEST = ("invalid_authorization_request", 400, "The authorization request is invalid", "unknown client or redirect URI at `/auth/authorize` (not redirected)");
    UNSUPPORTED_GRANT_TYPE = ("unsupported_grant_type", 400, "The grant type is not supported", "`/auth/token` with another grant; carries OAuth `error`");
    SETUP_COMPLETED = ("setup_completed", 409, "The installation already has a platform admin", "`POST /auth/setup` after bootstrap");
    ACCESS_LOG_UNAVAILABLE = ("access_log_unavailable", 503, "The privacy access log cannot record this access; nothing was shown", "the privacy access log cannot be written (its database is unavailable): the personal data is not shown (fail closed); retry after `Retry-After`");
}

/// No bearer token: 401 with a bare challenge (RFC 6750 §3).
pub fn unauthenticated() -> Error {
    Error::with_detail(
        codes::UNAUTHORIZED,
        egov_core::text!(
            "detail-send-token",
            "send an access token: Authorization: Bearer <token>"
        ),
    )
    .www_authenticate("Bearer realm=\"egov\"")
}

/// A token that does not verify. The reason is logged, not shown.
pub fn invalid_token(reason: &str) -> Error {
    tracing::info!(reason, "access token refused");
    Error::with_detail(
        INVALID_TOKEN,
        egov_core::text!(
            "detail-token-invalid",
            "the access token is invalid or expired"
        ),
    )
    .www_authenticate("Bearer realm=\"egov\", error=\"invalid_token\"")
}

/// Step-up needed (RFC 9470): the caller must sign in again at `level`.
pub fn step_up(level: Aal) -> Error {
    Error::with_detail(
        INSUFFICIENT_AAL,
        egov_core::text!(
            "detail-step-up",
            "this operation needs assurance level {level}: verify a second factor (POST /auth/step-up) and retry",
            level = level.as_str()
        ),
    )
    .www_authenticate(format!(
        "Bearer realm=\"egov\", error=\"insufficient_user_authentication\", \
         error_description=\"A second factor is required\", acr_values=\"{}\"",
        level.as_str()
    ))
}
