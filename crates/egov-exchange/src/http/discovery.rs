//! Discovery: published keys, members, services and their OpenAPI.

use crate::Exchange;
use crate::catalogue::ServiceInfo;
use crate::errors;
use crate::keys::JwkSet;
use crate::store::MemberRow;
use crate::xroad::ClientId;
use actix_web::{get, web};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KeysQuery {
    /// The member (`INSTANCE/CLASS/MEMBER`); default: this deployment's.
    pub member: Option<String>,
}

egov_core::problems!(PublishedKeysErrors:
    egov_core::error::codes::INVALID_PARAMETER,
);

/// A member's published public keys (JWKS of Ed25519 keys, rotated-out keys with `exp`).
#[utoipa::path(
    tag = "exchange",
    params(KeysQuery),
    responses(
        (status = 200, description = "The keys", body = JwkSet),
        PublishedKeysErrors,
    ),
    security(()),
)]
#[get("/keys")]
pub async fn published_keys(
    exchange: web::Data<Exchange>,
    q: web::Query<KeysQuery>,
) -> Result<web::Json<JwkSet>, Error> {
    let member = match &q.member {
        Some(m) => ClientId::parse(m)
            .map_err(|e| Error::with_detail(codes::INVALID_PARAMETER, format!("member: {e}")))?,
        None => exchange.member().clone(),
    };
    Ok(web::Json(exchange.keys().jwks(&member.to_string())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberInfo {
    pub id: String,
    pub name: String,
    pub base_url: Option<String>,
    /// Whether this deployment is the member.
    pub local: bool,
}

impl From<MemberRow> for MemberInfo {
    fn from(m: MemberRow) -> Self {
        Self {
            id: m.id,
            name: m.name,
            base_url: m.base_url,
            local: m.local,
        }
    }
}

/// The members this deployment exchanges with (X-Road `listClients`).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Members", body = Vec<MemberInfo>)),
    security(()),
)]
#[get("/members")]
pub async fn list_members(exchange: web::Data<Exchange>) -> web::Json<Vec<MemberInfo>> {
    web::Json(
        exchange
            .keys()
            .members()
            .into_iter()
            .map(Into::into)
            .collect(),
    )
}

/// The services this deployment provides, with their items and legal bases (X-Road
/// `listMethods`).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Services", body = Vec<ServiceInfo>)),
    security(()),
)]
#[get("/services")]
pub async fn list_services(exchange: web::Data<Exchange>) -> web::Json<Vec<ServiceInfo>> {
    web::Json(exchange.catalogue().list(exchange.member()))
}

egov_core::problems!(ServiceOpenapiErrors:
    crate::errors::SERVICE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// One service's OpenAPI document, as clients call it through the exchange (`getOpenAPI`).
#[utoipa::path(
    tag = "exchange",
    params(
        ("subsystem" = String, Path, description = "The providing module"),
        ("code" = String, Path, description = "The service code"),
    ),
    responses(
        (status = 200, description = "OpenAPI 3.1 document", body = Object),
        ServiceOpenapiErrors,
    ),
    security(()),
)]
#[get("/services/{subsystem}/{code}/openapi.json")]
pub async fn service_openapi(
    exchange: web::Data<Exchange>,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Value>, Error> {
    let (sub, code) = path.into_inner();
    let entry = exchange
        .catalogue()
        .get(&sub, &code)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))?;
    Ok(web::Json(exchange.catalogue().openapi(
        exchange.member(),
        entry,
        false,
    )))
}
