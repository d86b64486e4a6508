//! Event subscriptions (webhooks) and their deliveries, with replay of dead letters.

use super::bad;
use crate::Exchange;
use crate::errors;
use crate::store::{self, SubscriptionRow};
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// The subscriber's webhook (http or https).
    #[schema(schema_with = egov_core::text::schema::web_url)]
    pub url: String,
    /// Event types to receive; empty: all.
    #[serde(default)]
    #[schema(schema_with = event_types)]
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

egov_core::problems!(CreateSubscriptionErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Subscribes a webhook to this deployment's events (signed CloudEvents, at least once).
#[utoipa::path(
    tag = "exchange",
    request_body = SubscriptionInput,
    responses(
        (status = 201, description = "Subscribed", body = Subscription),
        CreateSubscriptionErrors,
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
    if !egov_core::text::web_url(&input.url) {
        return Err(bad("/url", "must be an http(s) URL with a host name"));
    }
    if input.types.len() > 50 || input.types.iter().any(|t| !printable(t, 128)) {
        return Err(bad(
            "/types",
            "at most 50 types of 1 to 128 printable ASCII characters, no spaces",
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

egov_core::problems!(DeleteSubscriptionErrors:
    crate::errors::SUBSCRIPTION_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Ends a subscription (pending deliveries to it go to the dead-letter list).
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Ended"),
        DeleteSubscriptionErrors,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct PingQueued {
    /// The test event's id (its `source` is `/<member>/exchange`).
    pub event_id: String,
    /// Always `egov.exchange.subscription.ping`.
    pub event_type: String,
}

egov_core::problems!(PingSubscriptionErrors:
    crate::errors::SUBSCRIPTION_NOT_FOUND,
);

/// Sends a test event (`egov.exchange.subscription.ping`, signed like every event) to one
/// subscription, whatever types it asked for: check that the subscriber receives, verifies and
/// acknowledges this deployment's events. Delivered by the outbox like any event (see
/// `GET /admin/deliveries`).
#[utoipa::path(
    tag = "exchange",
    params(("id" = String, Path, description = "Subscription id")),
    responses(
        (status = 202, description = "Queued for delivery", body = PingQueued),
        PingSubscriptionErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/subscriptions/{id}/ping")]
pub async fn ping_subscription(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let x = exchange.get_ref().clone();
    let event_id = exchange
        .db()
        .run(move |c| crate::events::ping(c, &x, &id))
        .await?
        .ok_or_else(|| Error::new(errors::SUBSCRIPTION_NOT_FOUND))?;
    Ok(HttpResponse::Accepted().json(PingQueued {
        event_id,
        event_type: crate::events::PING.to_owned(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `dead` (the dead-letter list); default: all.
    #[param(inline, value_type = Option<String>, pattern = "^(pending|delivered|dead)$")]
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

egov_core::problems!(ListDeliveriesErrors:
    egov_core::error::codes::INVALID_PARAMETER,
);

/// Event deliveries; `status=dead` is the dead-letter list.
#[utoipa::path(
    tag = "exchange",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "Deliveries, newest first (at most 500)", body = Vec<Delivery>),
        ListDeliveriesErrors,
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
    #[schema(schema_with = identifier)]
    pub source: String,
    #[schema(schema_with = identifier)]
    pub event_id: String,
    #[schema(schema_with = identifier)]
    pub subscription_id: String,
}

/// 1 to `max` printable ASCII characters, no spaces (as [`identifier`] and [`event_types`]
/// state them).
fn printable(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

/// What [`replay`] takes of each part of a delivery's key (stated as printable ASCII).
fn identifier() -> utoipa::openapi::schema::Object {
    egov_core::text::schema::printable(200)
}

/// `types`: at most 50 event types of 1 to 128 characters without spaces.
fn event_types() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(egov_core::text::schema::printable(128))
        .max_items(Some(50))
        .build()
}

egov_core::problems!(ReplayDeliveryErrors:
    crate::errors::DELIVERY_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Puts a dead-lettered delivery back in the queue (attempts start again).
#[utoipa::path(
    tag = "exchange",
    request_body = ReplayInput,
    responses(
        (status = 204, description = "Queued again"),
        ReplayDeliveryErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/deliveries/replay")]
pub async fn replay_delivery(
    _auth: Authorized<PlatformAdmin>,
    exchange: web::Data<Exchange>,
    input: web::Json<ReplayInput>,
) -> Result<HttpResponse, Error> {
    replay(&exchange, input.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Puts a dead-lettered delivery back in the queue (`exchange.delivery_not_found` otherwise).
pub(crate) async fn replay(exchange: &Exchange, i: ReplayInput) -> Result<(), Error> {
    for (pointer, v) in [
        ("/source", &i.source),
        ("/event_id", &i.event_id),
        ("/subscription_id", &i.subscription_id),
    ] {
        if !printable(v, 200) {
            return Err(bad(
                pointer,
                "1 to 200 printable ASCII characters, no spaces",
            ));
        }
    }
    let done = exchange
        .db()
        .run(move |c| store::replay(c, &i.source, &i.event_id, &i.subscription_id, Utc::now()))
        .await?;
    if !done {
        return Err(Error::new(errors::DELIVERY_NOT_FOUND));
    }
    Ok(())
}
