//! The event outbox: at-least-once delivery of signed CloudEvents, de-duplication on the
//! subscriber's side, backoff, and the dead-letter list with replay. Both backends.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use common::*;
use egov_core::Db;
use egov_exchange::events::{self, CloudEvent};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Clone)]
struct Subscriber {
    attempts: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
    fail_first: usize,
    db: Db,
    key: ed25519_dalek::VerifyingKey,
    /// The types of the events accepted, in order.
    types: Arc<Mutex<Vec<String>>>,
}

/// Verifies a detached signature as any JWS library would (RFC 7515 appendix F): the
/// base64url body goes back between the header and the signature, and `jsonwebtoken` checks
/// the compact JWS with the member's public key. Not egov's own verification code.
fn verified_by_a_jws_library(key: &ed25519_dalek::VerifyingKey, body: &[u8], sig: &str) -> bool {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Some((header, signature)) = sig.split_once("..") else {
        return false;
    };
    let compact = format!("{header}.{}.{signature}", b64.encode(body));
    let public = b64.encode(key.as_bytes());
    let Ok(decoding) = jsonwebtoken::DecodingKey::from_ed_components(&public) else {
        return false;
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(&compact, &decoding, &validation).is_ok()
}

async fn receive(req: HttpRequest, body: web::Bytes, s: web::Data<Subscriber>) -> HttpResponse {
    let n = s.attempts.fetch_add(1, Ordering::SeqCst);
    if n < s.fail_first {
        return HttpResponse::InternalServerError().finish();
    }
    let sig = req
        .headers()
        .get("x-egov-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let kid = egov_exchange::signature::header(sig).expect("signed").kid;
    if events::verify_body(&s.key, &kid, &body, sig).is_err() {
        return HttpResponse::BadRequest().finish();
    }
    assert!(
        verified_by_a_jws_library(&s.key, &body, sig),
        "a standard detached-JWS check accepts the signature"
    );
    assert!(
        !verified_by_a_jws_library(&s.key, b"{}", sig),
        "and refuses another body"
    );
    let event: CloudEvent = serde_json::from_slice(&body).expect("cloudevent");
    assert_eq!(event.specversion, "1.0");
    s.types.lock().expect("lock").push(event.event_type.clone());
    let (source, id) = (event.source.clone(), event.id.clone());
    let fresh =
        s.db.run(move |c| events::accept_once(c, &source, &id))
            .await
            .expect("inbox");
    if fresh {
        s.accepted.fetch_add(1, Ordering::SeqCst);
    }
    HttpResponse::Ok().finish()
}

fn subscriber(app: &TestApp, fail_first: usize) -> (String, Subscriber) {
    let x = app.state.exchange.clone().expect("exchange");
    let (_, key) = x.keys().signing().expect("key");
    let s = Subscriber {
        attempts: Arc::new(AtomicUsize::new(0)),
        accepted: Arc::new(AtomicUsize::new(0)),
        fail_first,
        db: app.state.db.clone(),
        key: key.verifying_key(),
        types: Arc::default(),
    };
    let data = s.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(data.clone()))
            .route("/hook", web::post().to(receive))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/hook"), s)
}

async fn subscribe(app: &TestApp, url: &str) -> String {
    let res = send(
        app,
        Method::POST,
        "/exchange/v1/admin/subscriptions",
        &admin(app),
        Some(&json!({"url": url, "types": ["kr.egov.test.happened"]})),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn deliveries(app: &TestApp, status: &str) -> Vec<Value> {
    let res = send(
        app,
        Method::GET,
        &format!("/exchange/v1/admin/deliveries?status={status}"),
        &admin(app),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.expect("json")
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn events_are_delivered_once_after_retries_or_dead_lettered() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange"],
        settings: &[
            ("EGOV__EXCHANGE__OUTBOX_POLL_MS", "20"),
            ("EGOV__EXCHANGE__OUTBOX_BACKOFF_MS", "20"),
            ("EGOV__EXCHANGE__OUTBOX_MAX_ATTEMPTS", "3"),
        ],
    })
    .await;
    let x = app.state.exchange.clone().expect("exchange");
    let (flaky_url, flaky) = subscriber(&app, 2);
    let (dead_url, dead) = subscriber(&app, usize::MAX);
    let flaky_id = subscribe(&app, &flaky_url).await;
    let dead_id = subscribe(&app, &dead_url).await;

    // Published inside the module's transaction, next to the change it reports.
    let xx = x.clone();
    let event_id = app
        .state
        .db
        .transaction(move |c| {
            events::publish(
                c,
                &xx,
                "probe",
                "kr.egov.test.happened",
                Some("case-1"),
                &json!({"case": 1}),
            )
        })
        .await
        .expect("publish");
    // Another type: no subscriber wants it, nothing is queued.
    let xx = x.clone();
    app.state
        .db
        .transaction(move |c| events::publish(c, &xx, "probe", "kr.egov.other", None, &json!({})))
        .await
        .expect("publish");

    wait_for("the flaky subscriber's delivery", async || {
        deliveries(&app, "delivered")
            .await
            .iter()
            .any(|d| d["subscription_id"] == flaky_id)
    })
    .await;
    assert_eq!(
        flaky.attempts.load(Ordering::SeqCst),
        3,
        "two failures, then success"
    );
    assert_eq!(
        flaky.accepted.load(Ordering::SeqCst),
        1,
        "received exactly once"
    );
    let delivered = deliveries(&app, "delivered").await;
    let d = delivered
        .iter()
        .find(|d| d["subscription_id"] == flaky_id)
        .expect("delivered");
    assert_eq!(d["event_id"], event_id.as_str());
    assert_eq!(d["attempts"], 3);

    // A duplicate delivery (the admin replays, or an acknowledgement was lost) is absorbed.
    let source = d["source"].as_str().expect("source").to_owned();
    let (s2, e2) = (source.clone(), event_id.clone());
    let again = app
        .state
        .db
        .run(move |c| events::accept_once(c, &s2, &e2))
        .await
        .expect("inbox");
    assert!(!again, "source + id already accepted");

    // The permanently failing subscriber lands in the dead-letter list, nothing dropped.
    wait_for("the dead letter", async || {
        deliveries(&app, "dead")
            .await
            .iter()
            .any(|d| d["subscription_id"] == dead_id)
    })
    .await;
    assert_eq!(dead.attempts.load(Ordering::SeqCst), 3);
    let dl = deliveries(&app, "dead").await;
    let d = dl
        .iter()
        .find(|d| d["subscription_id"] == dead_id)
        .expect("dead");
    assert!(d["last_error"].as_str().is_some_and(|e| e.contains("500")));

    // Replay from the dead-letter list: attempted again from scratch.
    let res = send(
        &app,
        Method::POST,
        "/exchange/v1/admin/deliveries/replay",
        &admin(&app),
        Some(&json!({"source": source, "event_id": event_id, "subscription_id": dead_id})),
    )
    .await;
    assert_eq!(res.status(), 204);
    wait_for("the replayed attempts", async || {
        dead.attempts.load(Ordering::SeqCst) >= 6
    })
    .await;
    let res = send(
        &app,
        Method::POST,
        "/exchange/v1/admin/deliveries/replay",
        &admin(&app),
        Some(&json!({"source": "nope", "event_id": "nope", "subscription_id": dead_id})),
    )
    .await;
    assert_eq!(res.status(), 404);
    // A NUL character (which PostgreSQL text cannot hold) is refused alike on both backends.
    let res = send(
        &app,
        Method::POST,
        "/exchange/v1/admin/deliveries/replay",
        &admin(&app),
        Some(&json!({"source": "a\u{0}b", "event_id": "nope", "subscription_id": dead_id})),
    )
    .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_ping_reaches_the_one_subscription_whatever_its_types() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange"],
        settings: &[("EGOV__EXCHANGE__OUTBOX_POLL_MS", "20")],
    })
    .await;
    let (url, pinged) = subscriber(&app, 0);
    let (other_url, other) = subscriber(&app, 0);
    let id = subscribe(&app, &url).await;
    subscribe(&app, &other_url).await;
    let res = send(
        &app,
        Method::POST,
        &format!("/exchange/v1/admin/subscriptions/{id}/ping"),
        &admin(&app),
        None,
    )
    .await;
    assert_eq!(res.status(), 202);
    let queued: Value = res.json().await.expect("json");
    assert_eq!(queued["event_type"], events::PING);
    wait_for("the ping", async || {
        deliveries(&app, "delivered")
            .await
            .iter()
            .any(|d| d["event_id"] == queued["event_id"])
    })
    .await;
    assert_eq!(*pinged.types.lock().expect("lock"), vec![events::PING]);
    assert_eq!(
        other.attempts.load(Ordering::SeqCst),
        0,
        "only the one pinged"
    );
    // An unknown or ended subscription: 404, nothing queued.
    let res = send(
        &app,
        Method::POST,
        "/exchange/v1/admin/subscriptions/nope/ping",
        &admin(&app),
        None,
    )
    .await;
    assert_eq!(res.status(), 404);
    // Not for anyone but a platform admin.
    let res = send(
        &app,
        Method::POST,
        &format!("/exchange/v1/admin/subscriptions/{id}/ping"),
        "",
        None,
    )
    .await;
    assert_eq!(res.status(), 401);
}
