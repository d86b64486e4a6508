//! The auth error codes (see `docs/errors.md`) and the challenges that go with them.

use egov_core::Error;
use egov_core::error::{ErrorCode, codes};

use crate::principal::Aal;

pub const INVALID_TOKEN: ErrorCode =
    ErrorCode::new("invalid_token", 401, "The access token is not valid");
pub const INSUFFICIENT_AAL: ErrorCode = ErrorCode::new(
    "insufficient_user_authentication",
    401,
    "A stronger sign-in is required",
);
pub const INVALID_CREDENTIALS: ErrorCode = ErrorCode::new(
    "invalid_credentials",
    401,
    "The login name or password is wrong",
);
pub const INVALID_SECOND_FACTOR: ErrorCode = ErrorCode::new(
    "invalid_second_factor",
    401,
    "The one-time code or recovery code is wrong",
);
pub const LOGIN_LOCKED: ErrorCode = ErrorCode::new(
    "login_locked",
    429,
    "Too many failed sign-ins: sign-in is locked for a while",
);
pub const LOGIN_THROTTLED: ErrorCode = ErrorCode::new(
    "login_throttled",
    429,
    "Too many sign-in attempts from this address",
);
pub const CSRF_FAILED: ErrorCode = ErrorCode::new(
    "csrf_failed",
    403,
    "The form is stale or was not sent by us",
);
pub const INVALID_GRANT: ErrorCode = ErrorCode::new(
    "invalid_grant",
    400,
    "The grant is invalid, expired, used or revoked",
);
pub const INVALID_CLIENT: ErrorCode =
    ErrorCode::new("invalid_client", 401, "Client authentication failed");
pub const INVALID_AUTHORIZATION_REQUEST: ErrorCode = ErrorCode::new(
    "invalid_authorization_request",
    400,
    "The authorization request is invalid",
);
pub const UNSUPPORTED_GRANT_TYPE: ErrorCode = ErrorCode::new(
    "unsupported_grant_type",
    400,
    "The grant type is not supported",
);
pub const SETUP_COMPLETED: ErrorCode = ErrorCode::new(
    "setup_completed",
    409,
    "The installation already has a platform admin",
);
pub const ACCESS_LOG_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "access_log_unavailable",
    503,
    "The privacy access log cannot record this access; nothing was shown",
);

/// Every auth error code, for documentation.
pub const ALL: &[ErrorCode] = &[
    INVALID_TOKEN,
    INSUFFICIENT_AAL,
    INVALID_CREDENTIALS,
    INVALID_SECOND_FACTOR,
    LOGIN_LOCKED,
    LOGIN_THROTTLED,
    CSRF_FAILED,
    INVALID_GRANT,
    INVALID_CLIENT,
    INVALID_AUTHORIZATION_REQUEST,
    UNSUPPORTED_GRANT_TYPE,
    SETUP_COMPLETED,
    ACCESS_LOG_UNAVAILABLE,
];

/// No bearer token: 401 with a bare challenge (RFC 6750 §3).
pub fn unauthenticated() -> Error {
    Error::with_detail(
        codes::UNAUTHORIZED,
        "send an access token: Authorization: Bearer <token>",
    )
    .www_authenticate("Bearer realm=\"egov\"")
}

/// A token that does not verify. The reason is logged, not shown.
pub fn invalid_token(reason: &str) -> Error {
    tracing::info!(reason, "access token refused");
    Error::with_detail(INVALID_TOKEN, "the access token is invalid or expired")
        .www_authenticate("Bearer realm=\"egov\", error=\"invalid_token\"")
}

/// Step-up needed (RFC 9470): the caller must sign in again at `level`.
pub fn step_up(level: Aal) -> Error {
    Error::with_detail(
        INSUFFICIENT_AAL,
        format!(
            "this operation needs assurance level {}: verify a second factor (POST /auth/step-up) and retry",
            level.as_str()
        ),
    )
    .www_authenticate(format!(
        "Bearer realm=\"egov\", error=\"insufficient_user_authentication\", \
         error_description=\"A second factor is required\", acr_values=\"{}\"",
        level.as_str()
    ))
}
