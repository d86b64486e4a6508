//! What a module declares to the data exchange: the services it provides to other agencies and
//! modules. The exchange (`egov-exchange`) does everything around the handler — signatures,
//! replay protection, grants, consent, item stripping, the message log — so that a handler only
//! answers with its data, and the same checks run whether the caller is in this process or on
//! another host.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

use crate::Db;

/// One data item a service can return (a top-level member of its JSON answer) and why it may.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub name: &'static str,
    pub description: &'static str,
    /// The statute and article that allow providing it (for example "Income Tax Act art. 145").
    pub legal_basis: &'static str,
}

/// Why a service may answer about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "citation", rename_all = "snake_case")]
pub enum Basis {
    /// Only with the person's consent, verified on every request.
    Consent,
    /// A statute allows it without consent; the citation is logged with every exchange.
    Statute(&'static str),
}

/// What the message log keeps of a service's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogMode {
    /// Headers, signatures, digests and the bodies: usable as evidence.
    Full,
    /// Everything but the bodies (digests only).
    Metadata,
}

impl LogMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LogMode::Full => "full",
            LogMode::Metadata => "metadata",
        }
    }
}

/// A call as the providing module's handler sees it, after every check passed.
#[derive(Debug, Clone)]
pub struct ServiceCall {
    /// The calling client (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`).
    pub client: String,
    /// `X-Road-Id`.
    pub message_id: String,
    pub purpose: String,
    /// `X-Road-UserId`: the official on whose behalf the client asks, if given.
    pub user_id: Option<String>,
    /// `X-Road-Issue`: the case that caused the request, if given.
    pub issue: Option<String>,
    /// The person key (blind index of the national ID) when the service is about a person.
    pub subject: Option<String>,
    /// The request payload (already validated against the service's schema).
    pub payload: serde_json::Value,
    /// The items the answer may contain; others are stripped.
    pub items: Vec<String>,
    /// The providing module's database.
    pub db: Db,
    /// When the provider took the call, from the process's clock: the handler's "now".
    pub at: chrono::NaiveDateTime,
}

/// A handler's refusal, passed to the client as the provider's own problem (no `X-Road-Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    /// Stable code, prefixed by the module (`tax.no_income_record`).
    pub code: String,
    pub detail: String,
}

impl ServiceError {
    /// A refusal with a documented code, at the code's status.
    pub fn coded(code: crate::error::ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(code.status, code.code, detail)
    }

    pub fn new(status: u16, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
        }
    }
}

pub type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<serde_json::Value, ServiceError>> + Send>>;

/// A module's answer to a service request.
pub trait ServiceHandler: Send + Sync + 'static {
    fn call(&self, call: ServiceCall) -> ServiceFuture;
}

impl<F, Fut> ServiceHandler for F
where
    F: Fn(ServiceCall) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<serde_json::Value, ServiceError>> + Send + 'static,
{
    fn call(&self, call: ServiceCall) -> ServiceFuture {
        Box::pin(self(call))
    }
}

/// A service a module provides through the exchange, addressed as
/// `<member>/<module>/<code>` with version path `/<version>`: for example
/// `KR/GOV/1210000/tax/income-certificate` + `/v1`.
/// Who a service answers about: a person (national ID; consent given by the citizen) or a
/// business (business registration number; consent given by the business account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    #[default]
    Person,
    Business,
}

/// The subject key of a business in consents and logs: its registration number is public,
/// so it is not blinded like a national ID.
pub fn business_subject(canonical_business_id: &str) -> String {
    format!("business:{canonical_business_id}")
}

#[derive(Clone)]
pub struct ServiceDef {
    /// The providing module (the subsystem).
    pub module: &'static str,
    pub code: &'static str,
    pub version: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// JSON Schema (2020-12) of the request payload.
    pub request_schema: serde_json::Value,
    /// Every item the answer can contain.
    pub items: Vec<Item>,
    /// JSON pointer to the national ID in the payload, for services about a person (or to the
    /// business registration number, with `subject_kind` `Business`).
    pub subject: Option<&'static str>,
    /// Whether the subject is a person or a business.
    pub subject_kind: SubjectKind,
    pub basis: Basis,
    pub log: LogMode,
    pub handler: Arc<dyn ServiceHandler>,
}

impl std::fmt::Debug for ServiceDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceDef")
            .field("module", &self.module)
            .field("code", &self.code)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}
