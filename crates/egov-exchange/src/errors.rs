//! Errors. Exchange messages fail with X-Road error types (`Client.*` — the client's request
//! is at fault; `Server.ServerProxy.*` — the provider's side refused or failed;
//! `Server.ClientProxy.*` — the calling side could not complete the exchange), carried in the
//! problem's `type` (`urn:egov:problem:xroad:<type>`) and in the `X-Road-Error` header. The
//! exchange's own REST API (admin, citizens, auditors) uses ordinary egov codes.

use serde_json::json;

use crate::check::Refusal;

/// A refusal or failure of an exchange message, with its X-Road error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    pub xroad_type: &'static str,
    pub detail: String,
}

impl Fault {
    pub fn new(status: u16, xroad_type: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            xroad_type,
            detail: detail.into(),
        }
    }

    /// The problem+json body.
    pub fn body(&self, instance: &str) -> Vec<u8> {
        let title = TYPES
            .iter()
            .find(|(t, _, _)| *t == self.xroad_type)
            .map_or("Exchange error", |(_, _, title)| *title);
        serde_json::to_vec(&json!({
            "type": format!("urn:egov:problem:xroad:{}", self.xroad_type),
            "title": title,
            "status": self.status,
            "detail": self.detail,
            "code": self.xroad_type,
            "xroadErrorType": self.xroad_type,
            "instance": instance,
        }))
        .unwrap_or_default()
    }
}

impl Fault {
    /// X-Road's error body (PR-REST 4.6): the type, a message, and in `detail` the request id
    /// (`X-Road-Request-Id`) to find the exchange by in the logs.
    pub fn xroad_body(&self, request_id: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": self.xroad_type,
            "message": self.detail,
            "detail": request_id,
        }))
        .unwrap_or_default()
    }
}

impl From<Refusal> for Fault {
    fn from(r: Refusal) -> Self {
        Fault::new(r.status(), r.xroad_type(), r.to_string())
    }
}

/// The OpenAPI error responses of the gateway: every X-Road fault type, from [`TYPES`].
#[derive(Debug)]
pub struct GatewayFaults;

impl utoipa::IntoResponses for GatewayFaults {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        egov_core::problems::grouped(TYPES.iter().map(|(t, status, title)| {
            egov_core::problems::Documented {
                status: *status,
                code: t,
                title,
                type_uri: format!("urn:egov:problem:xroad:{t}"),
            }
        }))
    }
}

/// Every X-Road error type egov answers with: (type, status, title). `docs/exchange/README.md`
/// lists them.
pub const TYPES: &[(&str, u16, &str)] = &[
    (
        "Client.MissingHeader",
        400,
        "A required exchange header is missing",
    ),
    (
        "Client.InvalidClientIdentifier",
        400,
        "X-Road-Client is not a client identifier",
    ),
    (
        "Client.InvalidServiceIdentifier",
        400,
        "The request path does not name a service",
    ),
    (
        "Client.InvalidMessageId",
        400,
        "X-Road-Id is not acceptable",
    ),
    ("Client.BadRequest", 400, "The request is malformed"),
    (
        "Client.MethodNotAllowed",
        405,
        "The service is not called with this method",
    ),
    (
        "Client.StaleTimestamp",
        400,
        "The request's timestamp is outside the allowed clock skew",
    ),
    (
        "Client.InvalidPayload",
        400,
        "The payload does not match the service's schema",
    ),
    (
        "Client.InvalidSubject",
        400,
        "The payload's national ID is not valid",
    ),
    (
        "Client.UnknownSigningKey",
        401,
        "The signing key is not a registered key of the client's member",
    ),
    (
        "Client.InvalidSignatureValue",
        401,
        "The signature does not match the message",
    ),
    (
        "Client.ConsentRequired",
        403,
        "The request is about a person and carries no consent reference",
    ),
    (
        "Client.ConsentInvalid",
        403,
        "The consent does not cover this request",
    ),
    ("Client.ConsentExpired", 403, "The consent has expired"),
    ("Client.ConsentWithdrawn", 403, "The consent was withdrawn"),
    (
        "Client.DuplicateMessageId",
        409,
        "The X-Road-Id was already used by this client within the replay window",
    ),
    (
        "Server.ServerProxy.UnknownMember",
        404,
        "This gateway does not serve that member",
    ),
    ("Server.ServerProxy.UnknownService", 404, "No such service"),
    (
        "Server.ServerProxy.AccessDenied",
        403,
        "The client has no grant for this service, purpose or item",
    ),
    (
        "Server.ServerProxy.ConsentLedgerUnavailable",
        503,
        "The consent ledger could not be asked",
    ),
    (
        "Server.ServerProxy.InternalError",
        500,
        "The provider's gateway failed",
    ),
    (
        "Server.ClientProxy.UnknownMember",
        502,
        "The provider's member is not registered with a gateway address",
    ),
    (
        "Server.ClientProxy.NetworkError",
        502,
        "The provider could not be reached",
    ),
    (
        "Server.ClientProxy.Timeout",
        504,
        "The provider did not answer in time",
    ),
    (
        "Server.ClientProxy.CircuitOpen",
        503,
        "Calls to the provider are paused after repeated failures",
    ),
    (
        "Server.ClientProxy.InvalidResponseSignature",
        502,
        "The response's signature could not be verified",
    ),
    (
        "Server.ClientProxy.RequestHashMismatch",
        502,
        "The response answers another request",
    ),
    (
        "Server.ClientProxy.InternalError",
        500,
        "The client's side failed",
    ),
];

egov_core::error_codes! {
    GRANT_NOT_FOUND = ("exchange.grant_not_found", 404, "No such active grant", "revoking an unknown or already revoked grant");
    CONSENT_NOT_FOUND = ("exchange.consent_not_found", 404, "No such active consent of yours", "withdrawing a consent that is not the caller's, unknown or already withdrawn");
    NO_PERSON_KEY = ("exchange.no_person", 403, "This account is not linked to a person (national ID)", "consent and data-use routes with a token without a person key");
    RECORD_NOT_FOUND = ("exchange.record_not_found", 404, "No such message log record", "evidence of an unknown sequence number");
    SUBSCRIPTION_NOT_FOUND = ("exchange.subscription_not_found", 404, "No such subscription", "ending an unknown subscription");
    DELIVERY_NOT_FOUND = ("exchange.delivery_not_found", 404, "No such dead-lettered delivery", "replaying a delivery that is not in the dead-letter list");
    SERVICE_NOT_FOUND = ("exchange.service_not_found", 404, "No such service", "the OpenAPI of an unknown service");
    KEY_NOT_FOUND = ("exchange.key_not_found", 404, "No such unrevoked key", "revoking a key that is unknown or revoked already");
}
