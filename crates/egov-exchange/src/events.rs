//! Events: a transactional outbox delivering signed CloudEvents 1.0 to subscribers (webhooks).
//!
//! A module calls [`publish`] on the connection of its own transaction, so an event exists
//! exactly when the change it reports does. The delivery loop claims due deliveries (a lease,
//! so two instances never send the same attempt), POSTs each event in structured mode
//! (`application/cloudevents+json`) with a detached Ed25519 JWS of the body in
//! `X-Egov-Signature`, and on anything but a 2xx retries with exponential backoff; after
//! `exchange.outbox_max_attempts` the delivery goes to the dead-letter list, which admins list
//! and replay. Delivery is at least once; subscribers de-duplicate on `source` + `id`
//! ([`accept_once`] does it for egov subscribers).

use std::time::Duration;

use chrono::{DateTime, Utc};
use egov_core::{DbConnection, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::Exchange;
use crate::signature;
use crate::store::{self, EventRow};

/// A CloudEvent as delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloudEvent {
    pub specversion: String,
    pub id: String,
    /// `/<member>/<module>`.
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    pub data: Value,
}

/// Stores an event from `module` on `conn` (inside the caller's transaction) and queues one
/// delivery per matching subscription. Returns the event id.
pub fn publish(
    conn: &mut DbConnection,
    exchange: &Exchange,
    module: &str,
    event_type: &str,
    subject: Option<&str>,
    data: &Value,
) -> Result<String, Error> {
    let id = uuid::Uuid::now_v7().to_string();
    store::enqueue(
        conn,
        &event_row(exchange, module, &id, event_type, subject, data),
        None,
    )?;
    Ok(id)
}

/// The type of the test event that an admin sends to one subscription.
pub const PING: &str = "egov.exchange.subscription.ping";

/// Queues a test event ([`PING`]) for one subscription only, whatever types it asked for: an
/// operator checks that a subscriber receives and verifies this deployment's events. Returns
/// the event id, or `None` when there is no such active subscription.
pub fn ping(
    conn: &mut DbConnection,
    exchange: &Exchange,
    subscription: &str,
) -> Result<Option<String>, Error> {
    let Some(sub) = store::subscription(conn, subscription)?.filter(|s| s.active) else {
        return Ok(None);
    };
    let id = uuid::Uuid::now_v7().to_string();
    let data =
        serde_json::json!({"subscription": sub.id, "url": sub.url, "types": sub.type_list()});
    store::enqueue(
        conn,
        &event_row(exchange, "exchange", &id, PING, Some(&sub.id), &data),
        Some(&sub.id),
    )?;
    Ok(Some(id))
}

fn event_row(
    exchange: &Exchange,
    module: &str,
    id: &str,
    event_type: &str,
    subject: Option<&str>,
    data: &Value,
) -> EventRow {
    EventRow {
        source: format!("/{}/{module}", exchange.member()),
        id: id.to_owned(),
        event_type: event_type.to_owned(),
        subject: subject.map(str::to_owned),
        time: crate::log::record_time(Utc::now()).naive_utc(),
        data: data.to_string(),
    }
}

impl From<&EventRow> for CloudEvent {
    fn from(e: &EventRow) -> Self {
        Self {
            specversion: "1.0".into(),
            id: e.id.clone(),
            source: e.source.clone(),
            event_type: e.event_type.clone(),
            subject: e.subject.clone(),
            time: e.time.and_utc(),
            datacontenttype: "application/json".into(),
            data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
        }
    }
}

/// Signs an event body: a detached JWS (RFC 7515 appendix F) whose payload is the exact body
/// bytes, so that any JWS library verifies it once the base64url body is put back between the
/// header and the signature.
pub fn sign_body(key: &ed25519_dalek::SigningKey, kid: &str, body: &[u8]) -> String {
    signature::sign(key, kid, body)
}

/// Verifies an event body's signature with the publishing member's key.
pub fn verify_body(
    key: &ed25519_dalek::VerifyingKey,
    kid: &str,
    body: &[u8],
    detached: &str,
) -> Result<(), signature::SignatureError> {
    signature::verify(key, kid, body, detached)
}

/// Consumer-side de-duplication: true the first time an event's `source` + `id` is seen.
pub fn accept_once(conn: &mut DbConnection, source: &str, id: &str) -> Result<bool, Error> {
    store::accept_once(conn, source, id, Utc::now())
}

fn backoff(base_ms: u64, attempts: i32) -> chrono::Duration {
    let exp = u32::try_from(attempts.clamp(0, 30)).unwrap_or(0);
    let ms = base_ms
        .saturating_mul(2u64.saturating_pow(exp))
        .min(3_600_000);
    chrono::Duration::milliseconds(ms as i64)
}

/// The delivery loop (runs for the life of the process).
pub async fn run(exchange: Exchange) {
    let poll = Duration::from_millis(exchange.0.settings.exchange.outbox_poll_ms.max(10));
    loop {
        match deliver_due(&exchange).await {
            Ok(0) => tokio::time::sleep(poll).await,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "outbox delivery pass failed");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// One pass: claims and attempts every due delivery; returns how many were attempted.
pub async fn deliver_due(exchange: &Exchange) -> Result<usize, Error> {
    let now = Utc::now();
    let claimed = exchange
        .0
        .db
        .run(move |c| store::claim_due(c, now, 60, 32))
        .await?;
    let n = claimed.len();
    for (delivery, event) in claimed {
        let sub_id = delivery.subscription_id.clone();
        let sub = exchange
            .0
            .db
            .run(move |c| store::subscription(c, &sub_id))
            .await?;
        let result = match sub {
            Some(s) if s.active => attempt(exchange, &s.url, &event).await,
            _ => Err("the subscription was removed".to_owned()),
        };
        let settings = &exchange.0.settings.exchange;
        let now = Utc::now();
        let (status, next, error) = match result {
            Ok(()) => ("delivered", now, None),
            Err(e) if delivery.attempts + 1 >= settings.outbox_max_attempts as i32 => {
                tracing::warn!(event = %event.id, subscription = %delivery.subscription_id, error = %e,
                    "event delivery dead-lettered");
                ("dead", now, Some(e))
            }
            Err(e) => (
                "pending",
                now + backoff(settings.outbox_backoff_ms, delivery.attempts),
                Some(e),
            ),
        };
        let status = status.to_owned();
        exchange
            .0
            .db
            .run(move |c| store::finish_attempt(c, &delivery, &status, next, error, now))
            .await?;
    }
    Ok(n)
}

async fn attempt(exchange: &Exchange, url: &str, event: &EventRow) -> Result<(), String> {
    let body = serde_json::to_vec(&CloudEvent::from(event)).map_err(|e| e.to_string())?;
    let (kid, key) = exchange
        .keys()
        .signing()
        .ok_or_else(|| "no signing key".to_owned())?;
    let res = exchange
        .0
        .http
        .post(url)
        .header(
            "content-type",
            "application/cloudevents+json; charset=utf-8",
        )
        .header(signature::SIGNATURE_HEADER, sign_body(&key, &kid, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("not delivered: {e}"))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("the subscriber answered {}", res.status()))
    }
}
