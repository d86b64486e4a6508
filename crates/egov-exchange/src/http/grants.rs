//! Grants: which client may call which service, for what purpose.

use super::bad;
use crate::Exchange;
use crate::errors;
use crate::store::{self, GrantRow};
use crate::xroad::{ClientId, ServiceId};
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// The client: a subsystem, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`, or (for requests an X-Road
    /// Security Server delivers, whose client may be a whole member) `INSTANCE/CLASS/MEMBER`.
    #[schema(schema_with = crate::xroad::schema::client)]
    pub client: String,
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    #[schema(schema_with = crate::xroad::schema::service)]
    pub service: String,
    /// The purpose code the client must state (`[a-z0-9._-]`, at most 64).
    #[schema(pattern = "^[a-z0-9._-]{1,64}$")]
    pub purpose: String,
    /// The items the client may receive.
    #[schema(schema_with = items)]
    pub items: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Grant {
    pub id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub items: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<GrantRow> for Grant {
    fn from(g: GrantRow) -> Self {
        Self {
            items: g.item_list(),
            id: g.id,
            client: g.client,
            service: g.service,
            purpose: g.purpose,
            created_by: g.created_by,
            created_at: g.created_at.and_utc(),
        }
    }
}

pub(crate) fn check_purpose(p: &str, pointer: &str) -> Result<(), Error> {
    if p.is_empty()
        || p.len() > 64
        || !p
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(bad(pointer, "must be 1 to 64 of a-z 0-9 . _ -"));
    }
    Ok(())
}

/// `items` as [`check_items`] takes them: 1 to 100 names of 1 to 64 of `A-Z a-z 0-9 _ -`.
fn items() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z0-9_-]{1,64}$")),
        )
        .min_items(Some(1))
        .max_items(Some(100))
        .build()
}

pub(crate) fn check_items(items: &[String], pointer: &str) -> Result<Vec<String>, Error> {
    if items.is_empty() || items.len() > 100 {
        return Err(bad(pointer, "must name 1 to 100 items"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.is_empty()
            || item.len() > 64
            || !item
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
        {
            return Err(bad(
                &format!("{pointer}/{i}"),
                "an item name is 1 to 64 of A-Z a-z 0-9 _ -",
            ));
        }
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(out)
}

egov_core::problems!(CreateGrantErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Grants a client access to a service for a purpose and a set of items (deny by default).
#[utoipa::path(
    tag = "exchange",
    request_body = GrantInput,
    responses(
        (status = 201, description = "Granted", body = Grant),
        CreateGrantErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/grants")]
pub async fn create_grant(
    auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<GrantInput>,
) -> Result<HttpResponse, Error> {
    let saved = grant(&exchange, &auth.subject, input.into_inner()).await?;
    tracing::info!(grant = %saved.id, client = %saved.client, service = %saved.service, "exchange grant created");
    Ok(HttpResponse::Created().json(Grant::from(saved)))
}

/// A grant, checked (a service of this deployment offers the items): stored and answered. A
/// grant to a whole member is used only by requests whose `X-Road-Client` names that member,
/// which only a Security Server delivers (signed requests name a subsystem).
pub(crate) async fn grant(
    exchange: &Exchange,
    by: &str,
    input: GrantInput,
) -> Result<GrantRow, Error> {
    let client = ClientId::parse(&input.client).map_err(|e| bad("/client", e.to_string()))?;
    let service = ServiceId::parse(&input.service).map_err(|e| bad("/service", e.to_string()))?;
    check_purpose(&input.purpose, "/purpose")?;
    let items = check_items(&input.items, "/items")?;
    if service.provider.member() == *exchange.member() {
        let sub = service.provider.subsystem.clone().unwrap_or_default();
        let entry = exchange
            .catalogue()
            .get(&sub, &service.service_code)
            .ok_or_else(|| bad("/service", "this deployment provides no such service"))?;
        for (i, item) in items.iter().enumerate() {
            if !entry.def.items.iter().any(|d| d.name == item) {
                return Err(bad(&format!("/items/{i}"), "the service has no such item"));
            }
        }
    }
    let row = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        client: client.to_string(),
        service: service.to_string(),
        purpose: input.purpose,
        items: String::new(),
        created_by: by.to_owned(),
        created_at: Utc::now().naive_utc(),
        revoked_at: None,
    };
    let saved = exchange
        .db()
        .run(move |c| store::add_grant(c, row, &items))
        .await?;
    Ok(saved)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GrantQuery {
    /// Only this client's grants (what it may call: X-Road `allowedMethods`).
    pub client: Option<String>,
}

/// Active grants, optionally of one client.
#[utoipa::path(
    tag = "exchange",
    params(GrantQuery),
    responses((status = 200, description = "Grants", body = Vec<Grant>)),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/admin/grants")]
pub async fn list_grants(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    q: web::Query<GrantQuery>,
) -> Result<web::Json<Vec<Grant>>, Error> {
    let client = q.into_inner().client;
    let rows = exchange
        .db()
        .run(move |c| store::grants(c, client.as_deref()))
        .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

egov_core::problems!(RevokeGrantErrors:
    crate::errors::GRANT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revokes a grant (from the next request on).
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        RevokeGrantErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[delete("/admin/grants/{id}")]
pub async fn revoke_grant(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    revoke(&exchange, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes a grant in force (`exchange.grant_not_found` otherwise).
pub(crate) async fn revoke(exchange: &Exchange, id: String) -> Result<(), Error> {
    let done = exchange
        .db()
        .run(move |c| store::revoke_grant(c, &id, Utc::now()))
        .await?;
    if !done {
        return Err(Error::new(errors::GRANT_NOT_FOUND));
    }
    Ok(())
}
