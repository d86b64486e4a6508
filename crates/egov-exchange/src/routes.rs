//! The exchange's HTTP surface: the gateway (`/r1/...`, authenticated by message signatures)
//! and `/exchange/v1`: published keys and discovery (public), administration (platform
//! admins), the message log and evidence (auditors), consents and "who used my data"
//! (citizens).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Duration, Utc};
use egov_auth::principal::policies::{Citizen, PlatformAdmin};
use egov_auth::{AccessEntry, Action, Authorized, Kind, Policy, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::codes;
use egov_core::request::RawBody;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::Exchange;
use crate::catalogue::ServiceInfo;
use crate::consent::ConsentView;
use crate::errors;
use crate::evidence::{self, Bundle};
use crate::keys::{Jwk, JwkSet, parse_jwk};
use crate::log::{Record, Verification};
use crate::provider::Incoming;
use crate::store::{self, ConsentRow, GrantRow, KeyRow, MemberRow, SubscriptionRow};
use crate::xroad::{ClientId, ServiceId};

/// Auditors, and platform admins, with a second factor.
#[derive(Debug)]
pub struct LogReader;
impl Policy for LogReader {
    const RULE: Rule = Rule::kinds(&[Kind::PlatformAdmin, Kind::Auditor]).aal2();
}

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(gateway_get).service(gateway_post).service(
        scope::scope("/exchange/v1")
            .service(published_keys)
            .service(list_members)
            .service(list_services)
            .service(service_openapi)
            .service(put_member)
            .service(rotate_key)
            .service(create_grant)
            .service(list_grants)
            .service(revoke_grant)
            .service(create_subscription)
            .service(list_subscriptions)
            .service(delete_subscription)
            .service(list_deliveries)
            .service(replay_delivery)
            .service(verify_log)
            .service(search_log)
            .service(export_evidence)
            .service(grant_consent)
            .service(my_consents)
            .service(withdraw_consent)
            .service(data_use),
    );
}

fn bad(pointer: &str, detail: impl Into<String>) -> Error {
    Error::invalid_field(pointer, detail)
}

// ------------------------------------------------------------------ gateway

async fn gateway(
    req: HttpRequest,
    body: web::Bytes,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    let incoming = Incoming {
        method: req.method().as_str().to_owned(),
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned()),
        headers: req
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (n.as_str().to_owned(), v.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let out = exchange.handle(incoming).await;
    let mut res = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(out.status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (n, v) in out.headers {
        res.insert_header((n, v));
    }
    res.body(out.body)
}

/// Calls a service through this deployment's gateway (X-Road message protocol for REST):
/// `GET|POST /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]`. Authenticated by the
/// message signature (`X-Egov-Signature`), not by a bearer token; see
/// `docs/exchange/README.md`. Refusals carry `X-Road-Error` and an X-Road error type.
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        (status = 400, description = "Malformed request (Client.*)", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Signature not verified", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No grant or consent", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown member or service", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Repeated X-Road-Id", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/r1/{service_path:.*}")]
pub async fn gateway_get(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

/// Calls a service through this deployment's gateway with a JSON payload (see the GET form).
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        (status = 400, description = "Malformed request (Client.*)", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Signature not verified", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No grant or consent", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown member or service", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Repeated X-Road-Id", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[post("/r1/{service_path:.*}")]
pub async fn gateway_post(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

// ------------------------------------------------------------------ discovery

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KeysQuery {
    /// The member (`INSTANCE/CLASS/MEMBER`); default: this deployment's.
    pub member: Option<String>,
}

/// A member's published public keys (JWKS of Ed25519 keys, rotated-out keys with `exp`).
#[utoipa::path(
    tag = "exchange",
    params(KeysQuery),
    responses((status = 200, description = "The keys", body = JwkSet)),
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

/// One service's OpenAPI document, as clients call it through the exchange (`getOpenAPI`).
#[utoipa::path(
    tag = "exchange",
    params(
        ("subsystem" = String, Path, description = "The providing module"),
        ("code" = String, Path, description = "The service code"),
    ),
    responses(
        (status = 200, description = "OpenAPI 3.1 document", body = Object),
        (status = 404, description = "No such service", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
    Ok(web::Json(
        exchange.catalogue().openapi(exchange.member(), entry),
    ))
}

// ------------------------------------------------------------------ administration

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// `INSTANCE/CLASS/MEMBER`.
    pub id: String,
    pub name: String,
    /// The member's gateway (its `/r1` and `/exchange/v1/keys` are under it).
    pub base_url: Option<String>,
    /// Public keys to pin (for members that publish none, such as a system in another
    /// language); `kid` must be `<member>#<n>`.
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

/// Registers or updates another member: its gateway address and, optionally, pinned keys.
#[utoipa::path(
    tag = "exchange",
    request_body = MemberInput,
    responses(
        (status = 200, description = "Registered", body = MemberInfo),
        (status = 400, description = "Invalid input", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[put("/admin/members")]
pub async fn put_member(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<MemberInput>,
) -> Result<web::Json<MemberInfo>, Error> {
    let input = input.into_inner();
    let id = ClientId::parse(&input.id).map_err(|e| bad("/id", e.to_string()))?;
    if id.subsystem.is_some() {
        return Err(bad(
            "/id",
            "a member is INSTANCE/CLASS/MEMBER, without a subsystem",
        ));
    }
    if id == *exchange.member() {
        return Err(bad(
            "/id",
            "this deployment's own member is managed by its settings",
        ));
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad("/name", "must be 1 to 200 characters"));
    }
    if let Some(u) = &input.base_url {
        let parsed = url::Url::parse(u).map_err(|e| bad("/base_url", e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
            return Err(bad("/base_url", "must be an http(s) URL without a query"));
        }
    }
    let mut rows = Vec::new();
    for (i, jwk) in input.keys.iter().enumerate() {
        let key = parse_jwk(jwk).map_err(|e| bad(&format!("/keys/{i}"), e))?;
        if crate::keys::member_of(&jwk.kid).as_ref() != Some(&id) {
            return Err(bad(
                &format!("/keys/{i}/kid"),
                "must be <member>#<n> of this member",
            ));
        }
        rows.push(KeyRow {
            kid: jwk.kid.clone(),
            member: id.to_string(),
            public_key: base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                key.to_bytes(),
            ),
            private_sealed: None,
            created_at: Utc::now().naive_utc(),
            retire_at: None,
        });
    }
    let row = MemberRow {
        id: id.to_string(),
        name,
        base_url: input.base_url,
        local: false,
        created_at: Utc::now().naive_utc(),
    };
    let saved = row.clone();
    exchange
        .db()
        .transaction(move |c| {
            store::put_member(c, &row)?;
            for k in &rows {
                store::add_key(c, k)?;
            }
            Ok(())
        })
        .await?;
    exchange.keys().reload().await?;
    Ok(web::Json(saved.into()))
}

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
pub struct GrantInput {
    /// The client subsystem, `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
    pub client: String,
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    pub service: String,
    /// The purpose code the client must state (`[a-z0-9._-]`, at most 64).
    pub purpose: String,
    /// The items the client may receive.
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

fn check_purpose(p: &str, pointer: &str) -> Result<(), Error> {
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

fn check_items(items: &[String], pointer: &str) -> Result<Vec<String>, Error> {
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

/// Grants a client access to a service for a purpose and a set of items (deny by default).
#[utoipa::path(
    tag = "exchange",
    request_body = GrantInput,
    responses(
        (status = 201, description = "Granted", body = Grant),
        (status = 400, description = "Invalid input", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/grants")]
pub async fn create_grant(
    auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<GrantInput>,
) -> Result<HttpResponse, Error> {
    let input = input.into_inner();
    let client = ClientId::parse(&input.client).map_err(|e| bad("/client", e.to_string()))?;
    if client.subsystem.is_none() {
        return Err(bad(
            "/client",
            "a client is a subsystem: INSTANCE/CLASS/MEMBER/SUBSYSTEM",
        ));
    }
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
        created_by: auth.subject.clone(),
        created_at: Utc::now().naive_utc(),
        revoked_at: None,
    };
    let saved = exchange
        .db()
        .run(move |c| store::add_grant(c, row, &items))
        .await?;
    tracing::info!(grant = %saved.id, client = %saved.client, service = %saved.service, "exchange grant created");
    Ok(HttpResponse::Created().json(Grant::from(saved)))
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

/// Revokes a grant (from the next request on).
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such active grant", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[delete("/admin/grants/{id}")]
pub async fn revoke_grant(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let done = exchange
        .db()
        .run(move |c| store::revoke_grant(c, &id, Utc::now()))
        .await?;
    if !done {
        return Err(Error::new(errors::GRANT_NOT_FOUND));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// The subscriber's webhook (http or https).
    pub url: String,
    /// Event types to receive; empty: all.
    #[serde(default)]
    pub types: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub types: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<SubscriptionRow> for Subscription {
    fn from(s: SubscriptionRow) -> Self {
        Self {
            types: s.type_list(),
            id: s.id,
            url: s.url,
            created_at: s.created_at.and_utc(),
        }
    }
}

/// Subscribes a webhook to this deployment's events (signed CloudEvents, at least once).
#[utoipa::path(
    tag = "exchange",
    request_body = SubscriptionInput,
    responses(
        (status = 201, description = "Subscribed", body = Subscription),
        (status = 400, description = "Invalid input", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/subscriptions")]
pub async fn create_subscription(
    auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<SubscriptionInput>,
) -> Result<HttpResponse, Error> {
    let input = input.into_inner();
    let url = url::Url::parse(&input.url).map_err(|e| bad("/url", e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("/url", "must be an http(s) URL"));
    }
    if input.types.len() > 50
        || input
            .types
            .iter()
            .any(|t| t.is_empty() || t.len() > 128 || t.contains(char::is_whitespace))
    {
        return Err(bad(
            "/types",
            "at most 50 types of 1 to 128 characters, no spaces",
        ));
    }
    let row = SubscriptionRow {
        id: uuid::Uuid::now_v7().to_string(),
        url: url.to_string(),
        types: serde_json::to_string(&input.types).unwrap_or_else(|_| "[]".into()),
        created_by: auth.subject.clone(),
        created_at: Utc::now().naive_utc(),
        active: true,
    };
    let saved = row.clone();
    exchange
        .db()
        .run(move |c| store::add_subscription(c, &row))
        .await?;
    Ok(HttpResponse::Created().json(Subscription::from(saved)))
}

/// Active subscriptions.
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Subscriptions", body = Vec<Subscription>)),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/admin/subscriptions")]
pub async fn list_subscriptions(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Vec<Subscription>>, Error> {
    let rows = exchange.db().run(store::subscriptions).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Ends a subscription (pending deliveries to it go to the dead-letter list).
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "No such subscription", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[delete("/admin/subscriptions/{id}")]
pub async fn delete_subscription(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    if !exchange
        .db()
        .run(move |c| store::deactivate_subscription(c, &id))
        .await?
    {
        return Err(Error::new(errors::SUBSCRIPTION_NOT_FOUND));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `dead` (the dead-letter list); default: all.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub source: String,
    pub event_id: String,
    pub event_type: String,
    pub subscription_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Event deliveries; `status=dead` is the dead-letter list.
#[utoipa::path(
    tag = "exchange",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "Deliveries, newest first (at most 500)", body = Vec<Delivery>),
        (status = 400, description = "Unknown status", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/admin/deliveries")]
pub async fn list_deliveries(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    q: web::Query<DeliveryQuery>,
) -> Result<web::Json<Vec<Delivery>>, Error> {
    let status = q.into_inner().status;
    if let Some(s) = &status
        && !["pending", "delivered", "dead"].contains(&s.as_str())
    {
        return Err(Error::with_detail(
            codes::INVALID_PARAMETER,
            "status must be pending, delivered or dead",
        ));
    }
    let rows = exchange
        .db()
        .run(move |c| store::deliveries(c, status.as_deref(), 500))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(d, e)| Delivery {
                source: d.source,
                event_id: d.event_id,
                event_type: e.event_type,
                subscription_id: d.subscription_id,
                status: d.status,
                attempts: d.attempts,
                next_attempt_at: d.next_attempt_at.and_utc(),
                last_error: d.last_error,
                delivered_at: d.delivered_at.map(|t| t.and_utc()),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayInput {
    pub source: String,
    pub event_id: String,
    pub subscription_id: String,
}

/// Puts a dead-lettered delivery back in the queue (attempts start again).
#[utoipa::path(
    tag = "exchange",
    request_body = ReplayInput,
    responses(
        (status = 204, description = "Queued again"),
        (status = 404, description = "No such dead delivery", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/deliveries/replay")]
pub async fn replay_delivery(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<ReplayInput>,
) -> Result<HttpResponse, Error> {
    let i = input.into_inner();
    for (pointer, v) in [
        ("/source", &i.source),
        ("/event_id", &i.event_id),
        ("/subscription_id", &i.subscription_id),
    ] {
        if v.is_empty() || v.len() > 200 || v.chars().any(char::is_control) {
            return Err(bad(pointer, "1 to 200 characters, no control characters"));
        }
    }
    let done = exchange
        .db()
        .run(move |c| store::replay(c, &i.source, &i.event_id, &i.subscription_id, Utc::now()))
        .await?;
    if !done {
        return Err(Error::new(errors::DELIVERY_NOT_FOUND));
    }
    Ok(HttpResponse::NoContent().finish())
}

// ------------------------------------------------------------------ message log (auditors)

/// Verifies the message log's hash chain (the same check as `egov exchange verify-log`).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "The result", body = Object)),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/verify")]
pub async fn verify_log(
    _auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Verification>, Error> {
    Ok(web::Json(exchange.db().run(store::verify).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Only records of this `X-Road-Id`.
    pub message_id: Option<String>,
    /// Records before this sequence number (paging, newest first).
    pub before: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

/// A log record without bodies, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogLine {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    pub side: String,
    pub message_id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub basis: Option<String>,
    pub consent: Option<String>,
    pub response_status: u16,
    pub outcome: String,
    pub error_type: Option<String>,
    pub items_released: Vec<String>,
    pub items_stripped: Vec<String>,
    pub mode: String,
    pub hash: String,
}

impl From<Record> for LogLine {
    fn from(r: Record) -> Self {
        let e = r.entry;
        Self {
            seq: r.seq,
            recorded_at: r.recorded_at,
            side: e.side.as_str().to_owned(),
            message_id: e.message_id,
            client: e.client,
            service: e.service,
            purpose: e.purpose,
            basis: e.basis,
            consent: e.consent,
            response_status: e.response_status,
            outcome: e.outcome,
            error_type: e.error_type,
            items_released: e.items_released,
            items_stripped: e.items_stripped,
            mode: e.mode,
            hash: r.hash,
        }
    }
}

fn limit_of(limit: Option<i64>) -> Result<i64, Error> {
    let l = limit.unwrap_or(50);
    if !(1..=500).contains(&l) {
        return Err(Error::with_detail(
            codes::INVALID_PARAMETER,
            "limit must be between 1 and 500",
        ));
    }
    Ok(l)
}

/// Message log records (metadata, no bodies), newest first.
#[utoipa::path(
    tag = "exchange",
    params(LogQuery),
    responses(
        (status = 200, description = "Records", body = Vec<LogLine>),
        (status = 400, description = "Bad parameter", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/log")]
pub async fn search_log(
    _auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
    q: web::Query<LogQuery>,
) -> Result<web::Json<Vec<LogLine>>, Error> {
    let q = q.into_inner();
    let limit = limit_of(q.limit)?;
    let rows = exchange
        .db()
        .run(move |c| store::records(c, q.message_id.as_deref(), None, q.before, limit))
        .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Builds the evidence bundle of record `seq` (also used by the CLI).
pub async fn bundle(exchange: &Exchange, seq: i64) -> Result<Bundle, Error> {
    let (record, chain_head) = exchange
        .db()
        .run(move |c| Ok((store::record(c, seq)?, store::head(c)?)))
        .await?;
    let record = record.ok_or_else(|| Error::new(errors::RECORD_NOT_FOUND))?;
    let mut keys = Vec::new();
    for sig in [
        &record.entry.request_signature,
        &record.entry.response_signature,
    ]
    .into_iter()
    .flatten()
    {
        let Ok(h) = crate::signature::header(sig) else {
            continue;
        };
        if let Some((_, key)) = exchange.keys().resolve(&h.kid).await
            && !keys.iter().any(|k: &Jwk| k.kid == h.kid)
        {
            keys.push(Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                kid: h.kid.clone(),
                x: base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    key.to_bytes(),
                ),
                exp: None,
            });
        }
    }
    Ok(Bundle {
        format: evidence::FORMAT.into(),
        exported_by: exchange.member().to_string(),
        exported_at: Utc::now(),
        chain_head,
        record,
        keys,
    })
}

/// The evidence bundle of one exchange: the full log record with the keys that signed it,
/// verifiable offline (`egov exchange verify-evidence`). Recorded on the person's access log.
#[utoipa::path(
    tag = "exchange",
    params(("seq" = i64, Path, description = "Log record sequence number")),
    responses(
        (status = 200, description = "The bundle", body = Bundle),
        (status = 404, description = "No such record", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/evidence/{seq}")]
pub async fn export_evidence(
    auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
    seq: web::Path<i64>,
    req: HttpRequest,
) -> Result<web::Json<Bundle>, Error> {
    let b = bundle(&exchange, seq.into_inner()).await?;
    if let Some(subject) = &b.record.entry.subject
        && exchange.0.access_log_here
    {
        egov_auth::record(
            exchange.db(),
            AccessEntry {
                actor: auth.subject.clone(),
                source_ip: source_ip(&exchange, &req),
                subject: SubjectKey::from_stored(subject.clone()),
                action: Action::Download,
                purpose: "exchange.evidence".into(),
                module: crate::NAME.into(),
                record_ref: Some(b.record.entry.message_id.clone()),
                request_id: None,
            },
        )
        .await?;
    }
    Ok(web::Json(b))
}

fn source_ip(exchange: &Exchange, req: &HttpRequest) -> String {
    egov_core::request::source_ip(req, &exchange.0.trusted)
}

// ------------------------------------------------------------------ citizens

/// The data subject a citizen or business account speaks for: the citizen's person key, or
/// the business's subject key.
fn person(p: &egov_auth::Principal) -> Result<String, Error> {
    if p.kind == Kind::Business {
        return p
            .business
            .as_deref()
            .map(egov_core::exchange::business_subject)
            .ok_or_else(|| Error::new(errors::NO_PERSON_KEY));
    }
    p.person
        .clone()
        .ok_or_else(|| Error::new(errors::NO_PERSON_KEY))
}

/// Citizens, and business accounts for the data about their business.
#[derive(Debug)]
pub struct DataSubject;
impl Policy for DataSubject {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// Who may have the data: a client subsystem or a whole member.
    pub client: String,
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    pub service: String,
    pub purpose: String,
    pub items: Vec<String>,
    /// How long the consent lasts, 1 to 365 days.
    pub days: u32,
}

/// Gives consent: this client may have these items of my data from this service for this
/// purpose until it expires or I withdraw it. The answer's `id` is the consent reference.
#[utoipa::path(
    tag = "exchange",
    request_body = ConsentInput,
    responses(
        (status = 201, description = "Given", body = ConsentView),
        (status = 400, description = "Invalid input", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/me/consents")]
pub async fn grant_consent(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
    input: web::Json<ConsentInput>,
) -> Result<HttpResponse, Error> {
    let subject = person(&auth)?;
    let input = input.into_inner();
    let client = ClientId::parse(&input.client).map_err(|e| bad("/client", e.to_string()))?;
    let service = ServiceId::parse(&input.service).map_err(|e| bad("/service", e.to_string()))?;
    check_purpose(&input.purpose, "/purpose")?;
    let items = check_items(&input.items, "/items")?;
    if !(1..=365).contains(&input.days) {
        return Err(bad("/days", "must be 1 to 365"));
    }
    let now = Utc::now();
    let row = ConsentRow {
        id: uuid::Uuid::now_v7().to_string(),
        subject,
        client: client.to_string(),
        service: service.to_string(),
        purpose: input.purpose,
        items: String::new(),
        granted_at: crate::log::record_time(now).naive_utc(),
        expires_at: crate::log::record_time(now + Duration::days(i64::from(input.days)))
            .naive_utc(),
        withdrawn_at: None,
    };
    let saved = exchange
        .db()
        .run(move |c| store::add_consent(c, row, &items))
        .await?;
    Ok(HttpResponse::Created().json(ConsentView::from(saved)))
}

/// My consents, newest first, with withdrawn and expired ones (the history).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "Consents", body = Vec<ConsentView>)),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/consents")]
pub async fn my_consents(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Vec<ConsentView>>, Error> {
    let subject = person(&auth)?;
    let rows = exchange
        .db()
        .run(move |c| store::consents_of(c, &subject))
        .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Withdraws one of my consents; providers refuse requests citing it from now on.
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Consent reference")),
    responses(
        (status = 200, description = "Withdrawn", body = ConsentView),
        (status = 404, description = "No such active consent of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/me/consents/{id}/withdraw")]
pub async fn withdraw_consent(
    auth: Authorized<DataSubject>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<web::Json<ConsentView>, Error> {
    let subject = person(&auth)?;
    let id = id.into_inner();
    let row = exchange
        .db()
        .run(move |c| {
            if !store::withdraw_consent(c, &id, &subject, Utc::now())? {
                return Err(Error::new(errors::CONSENT_NOT_FOUND));
            }
            store::consent(c, &id)
        })
        .await?
        .ok_or_else(|| Error::new(errors::CONSENT_NOT_FOUND))?;
    Ok(web::Json(row.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DataUseQuery {
    /// 1 to 500, default 100 (of each source).
    pub limit: Option<i64>,
}

/// One use of my data.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataUse {
    pub at: DateTime<Utc>,
    /// `exchange` (an agency's request through the exchange) or `access_log` (an official's
    /// view or change in a module, or an authentication event).
    pub source: String,
    /// The client agency's subsystem (exchange) or the module (access log).
    pub by: String,
    pub purpose: String,
    /// The service asked (exchange).
    pub service: Option<String>,
    /// The items released (exchange).
    pub items: Vec<String>,
    /// `ok` / `refused` (exchange), or the action (access log).
    pub outcome: String,
    /// The statute cited instead of consent, or the consent reference.
    pub basis: Option<String>,
    /// The message id or record reference.
    pub reference: Option<String>,
}

/// Who used my data: every exchange that involved my data (both sides' log records in this
/// deployment) joined with the access log of officials' views and changes, newest first.
/// Officials are shown by agency or module, not by name.
#[utoipa::path(
    tag = "exchange",
    params(DataUseQuery),
    responses(
        (status = 200, description = "Uses, newest first", body = Vec<DataUse>),
        (status = 400, description = "Bad parameter", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[get("/me/data-use")]
pub async fn data_use(
    auth: Authorized<Citizen>,
    exchange: web::Data<Exchange>,
    q: web::Query<DataUseQuery>,
) -> Result<web::Json<Vec<DataUse>>, Error> {
    let subject = person(&auth)?;
    let limit = limit_of(q.limit.or(Some(100)))?;
    let account_key = exchange.0.index.account(&auth.subject);
    let with_access_log = exchange.0.access_log_here;
    let key = subject.clone();
    let (exchanges, accesses) = exchange
        .db()
        .run(move |c| {
            let ex = store::records(c, None, Some(&key), None, limit)?;
            let acc = if with_access_log {
                egov_auth::store::for_subjects(
                    c,
                    &[SubjectKey::from_stored(key.clone()), account_key],
                    None,
                    limit,
                )?
            } else {
                Vec::new()
            };
            Ok((ex, acc))
        })
        .await?;
    let mut uses: Vec<DataUse> = exchanges
        .into_iter()
        .map(|r| {
            let e = r.entry;
            DataUse {
                at: r.recorded_at,
                source: "exchange".into(),
                by: e.client,
                purpose: e.purpose,
                service: Some(e.service),
                items: e.items_released,
                outcome: e.outcome,
                basis: e.basis.or(e.consent),
                reference: Some(e.message_id),
            }
        })
        .collect();
    uses.extend(accesses.into_iter().map(|r| DataUse {
        at: r.occurred_at,
        source: "access_log".into(),
        by: r.entry.module,
        purpose: r.entry.purpose,
        service: None,
        items: Vec::new(),
        outcome: r.entry.action.as_str().to_owned(),
        basis: None,
        reference: r.entry.record_ref,
    }));
    uses.sort_by_key(|u| std::cmp::Reverse(u.at));
    Ok(web::Json(uses))
}
