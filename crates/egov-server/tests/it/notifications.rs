//! Notices reach people: a real SMTP server (mailin-embedded, in this test) and a local HTTP
//! text-message gateway (actix-web, in this test) receive what the petition module's outbox
//! sends when applications change, in each applicant's language; a gateway that fails is
//! retried, then dead-lettered, listed for the platform admin and sent again without sending
//! the e-mail twice; a mailbox the server refuses is dead-lettered at once; an applicant with
//! no address is `unreachable`. SQLite or PostgreSQL (`EGOV_TEST_BACKEND`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egov_testing::{As, Spawn, TestApp, spawn_app_with};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// One message the SMTP server took.
#[derive(Debug, Clone, Default)]
struct Mail {
    to: Vec<String>,
    data: Vec<u8>,
}

impl Mail {
    /// The message as sent, with quoted-printable soft line breaks joined.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.data)
            .replace("=\r\n", "")
            .replace("=\n", "")
    }
}

/// The SMTP server's handler: refuses `bounce@` mailboxes (550), keeps every other message.
#[derive(Clone, Default)]
struct Sink {
    mails: Arc<Mutex<Vec<Mail>>>,
    current: Mail,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.starts_with("bounce@") {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Mail {
            to: to.to_vec(),
            data: Vec::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.mails
            .lock()
            .expect("mails")
            .push(std::mem::take(&mut self.current));
        response::OK
    }
}

/// Starts an SMTP server on a free port: (port, the messages it took).
fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    let sink = Sink::default();
    let mails = sink.mails.clone();
    let mut server = Server::new(sink);
    server
        .with_name("mail.test")
        .with_ssl(SslConfig::None)
        .expect("ssl config")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, mails)
}

/// The text-message gateway: answers 503 while `failing` is above zero (counting down),
/// otherwise keeps the message and its `Authorization` header.
#[derive(Default)]
struct Gateway {
    failing: AtomicUsize,
    texts: Mutex<Vec<(Option<String>, Value)>>,
}

async fn gateway_endpoint(
    req: actix_web::HttpRequest,
    g: actix_web::web::Data<Gateway>,
    body: actix_web::web::Json<Value>,
) -> actix_web::HttpResponse {
    if g.failing
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return actix_web::HttpResponse::ServiceUnavailable().finish();
    }
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    g.texts
        .lock()
        .expect("texts")
        .push((auth, body.into_inner()));
    actix_web::HttpResponse::Accepted().json(json!({"id": "gw-1"}))
}

fn sms_gateway() -> (u16, Arc<Gateway>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind gateway");
    let port = listener.local_addr().expect("addr").port();
    let g = actix_web::web::Data::new(Gateway::default());
    let state = g.clone();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .route("/send", actix_web::web::post().to(gateway_endpoint))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    (port, g.into_inner())
}

/// Waits (real time, the outbox's worker polls every 100 ms) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..150 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn register(app: &TestApp, user: &str, nid: &str, contact: &Value) {
    let mut body = json!({"kind": "citizen", "username": user, "display_name": user,
        "password": PASSWORD, "national_id": nid});
    for (k, v) in contact.as_object().expect("object") {
        body[k] = v.clone();
    }
    let res = app.post_json("/auth/register", &body).await;
    assert_eq!(
        res.status(),
        202,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

/// A citizen applies for a copy of their resident registration: the receipt number.
async fn apply(app: &TestApp, nid: &str) -> String {
    let me = app.citizen(nid);
    let (s, draft) = app
        .send(
            Method::POST,
            "/petition/v1/applications",
            Some(&me),
            Some(&json!({"service": "resident-registration-copy",
                "form": {"purpose": "bank", "national_id": nid, "include_history": "no"}})),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    let id = draft["id"].as_str().expect("id");
    let (s, sub) = app
        .send(
            Method::POST,
            &format!("/petition/v1/applications/{id}/submit"),
            Some(&me),
            None,
        )
        .await;
    assert_eq!(s, 200, "{sub}");
    sub["case"]["receipt_no"]
        .as_str()
        .expect("receipt")
        .to_owned()
}

async fn notices(app: &TestApp, admin: &str, status: &str) -> Vec<Value> {
    let (s, list) = app
        .send(
            Method::GET,
            &format!("/petition/v1/admin/notifications?status={status}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    list.as_array().expect("array").clone()
}

#[tokio::test]
async fn notices_reach_applicants_by_e_mail_and_text_in_their_language_and_failures_are_dead_lettered()
 {
    let (smtp_port, mails) = smtp_server();
    let (gw_port, gateway) = sms_gateway();
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("sms-token");
    std::fs::write(&token, "gw-secret\n").expect("token");
    let smtp_port = smtp_port.to_string();
    let gw_url = format!("http://127.0.0.1:{gw_port}/send");
    let token = token.display().to_string();
    let app = spawn_app_with(Spawn {
        settings: &[
            ("EGOV__NOTIFY__EMAIL", "smtp"),
            ("EGOV__NOTIFY__SMS", "http"),
            ("EGOV__NOTIFY__SMTP__HOST", "127.0.0.1"),
            ("EGOV__NOTIFY__SMTP__PORT", &smtp_port),
            ("EGOV__NOTIFY__SMTP__SECURITY", "none"),
            (
                "EGOV__NOTIFY__SMTP__FROM",
                "Jongno-gu <no-reply@jongno.test>",
            ),
            ("EGOV__NOTIFY__SMS_GATEWAY__URL", &gw_url),
            ("EGOV__NOTIFY__SMS_GATEWAY__TOKEN_FILE", &token),
            ("EGOV__NOTIFY__SMS_GATEWAY__SENDER", "1588-0000"),
            ("EGOV__PETITION__NOTIFY_POLL_MS", "100"),
            ("EGOV__PETITION__NOTIFY_MAX_ATTEMPTS", "2"),
        ],
        ..Spawn::default()
    })
    .await;
    let admin = app.token(As {
        kind: "platform_admin",
        ..As::default()
    });

    // Bad contact details are refused with the field named, and nothing is registered.
    let (s, p) = app
        .send(
            Method::POST,
            "/auth/register",
            None,
            Some(
                &json!({"kind": "citizen", "username": "bad.phone", "display_name": "x",
                "password": PASSWORD, "national_id": "850505-1234562", "phone": "010-1234"}),
            ),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["pointer"].as_str()),
        (422, Some("/phone")),
        "{p}"
    );
    let (s, p) = app
        .send(
            Method::POST,
            "/auth/register",
            None,
            Some(
                &json!({"kind": "citizen", "username": "bad.lang", "display_name": "x",
                "password": PASSWORD, "national_id": "850505-1234562", "language": "fr"}),
            ),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["pointer"].as_str()),
        (422, Some("/language")),
        "{p}"
    );

    // Minji reads English and has both an e-mail address and a mobile number; the gateway is
    // down for her first two attempts (the module's maximum).
    register(
        &app,
        "kim.minji",
        "900101-1234567",
        &json!({"email": "minji@example.kr", "phone": "+82 10-1234-5678", "language": "en"}),
    )
    .await;
    gateway.failing.store(2, Ordering::SeqCst);
    let receipt = apply(&app, "900101-1234567").await;
    until("Minji's e-mail", || {
        mails
            .lock()
            .expect("mails")
            .iter()
            .any(|m| m.to == ["minji@example.kr"])
    })
    .await;
    let mail = mails.lock().expect("mails")[0].clone();
    let text = mail.text();
    assert!(
        text.contains(&format!(
            "Subject: [Application {receipt}] We have your application"
        )),
        "{text}"
    );
    assert!(text.contains("Content-Language: en"), "{text}");
    assert!(
        text.contains("From: Jongno-gu <no-reply@jongno.test>"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Your receipt number is {receipt}")),
        "{text}"
    );
    assert!(text.contains("/my/applications/"), "{text}");

    // The text message failed once: retried after its backoff (the clock moves, not the test).
    for _ in 0..100 {
        let queued = notices(&app, &admin, "queued").await;
        if queued
            .iter()
            .any(|n| n["attempts"] == 1 && n["last_error"].is_string())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.state.clock.advance(chrono::Duration::minutes(2));
    until("the dead letter", || {
        gateway.failing.load(Ordering::SeqCst) == 0
    })
    .await;
    let failed = {
        let mut failed = Vec::new();
        for _ in 0..100 {
            failed = notices(&app, &admin, "failed").await;
            if !failed.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        failed
    };
    assert_eq!(failed.len(), 1, "{failed:?}");
    let dead = &failed[0];
    assert_eq!(dead["template"], "petition.submit");
    assert_eq!(dead["channel"], "email+sms");
    assert_eq!(dead["delivered"], "email");
    assert_eq!(dead["attempts"], 2);
    assert!(
        dead["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{dead}"
    );
    assert!(gateway.texts.lock().expect("texts").is_empty());

    // Only a platform admin at aal2 sees the list; a bad status is a 422.
    let citizen = app.citizen("900101-1234567");
    let (s, _) = app
        .send(
            Method::GET,
            "/petition/v1/admin/notifications",
            Some(&citizen),
            None,
        )
        .await;
    assert_eq!(s, 403);
    let (s, p) = app
        .send(
            Method::GET,
            "/petition/v1/admin/notifications?status=lost",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(s, 422, "{p}");

    // Sent again once the gateway is back: the text goes out, the e-mail is not sent twice.
    let id = dead["id"].as_str().expect("id");
    let (s, again) = app
        .send(
            Method::POST,
            &format!("/petition/v1/admin/notifications/{id}/retry"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (s, again["status"].as_str()),
        (200, Some("queued")),
        "{again}"
    );
    until("Minji's text message", || {
        !gateway.texts.lock().expect("texts").is_empty()
    })
    .await;
    let (auth, sms) = gateway.texts.lock().expect("texts")[0].clone();
    assert_eq!(auth.as_deref(), Some("Bearer gw-secret"));
    assert_eq!(sms["to"], "+821012345678");
    assert_eq!(sms["from"], "1588-0000");
    assert_eq!(sms["reference"], id);
    let body = sms["text"].as_str().expect("text");
    assert!(
        body.starts_with(&format!("[Application {receipt}]")),
        "{body}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/petition/v1/admin/notifications/{id}/retry"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        s, 404,
        "a notice that is not dead-lettered cannot be sent again"
    );
    let to_minji = mails
        .lock()
        .expect("mails")
        .iter()
        .filter(|m| m.to == ["minji@example.kr"])
        .count();
    assert_eq!(to_minji, 1);

    // Seo-yeon set no language: the pack's default (Korean); e-mail only.
    register(
        &app,
        "lee.seoyeon",
        "850505-2345678",
        &json!({"email": "seoyeon@example.kr"}),
    )
    .await;
    apply(&app, "850505-2345678").await;
    until("Seo-yeon's e-mail", || {
        mails
            .lock()
            .expect("mails")
            .iter()
            .any(|m| m.to == ["seoyeon@example.kr"])
    })
    .await;
    let text = mails
        .lock()
        .expect("mails")
        .iter()
        .find(|m| m.to == ["seoyeon@example.kr"])
        .expect("mail")
        .text();
    assert!(text.contains("Content-Language: ko"), "{text}");
    // The Korean subject is encoded (RFC 2047); the body is UTF-8.
    assert!(text.contains("Subject: =?utf-8?"), "{text}");

    // A mailbox the server refuses (550): dead-lettered at once, not retried.
    register(
        &app,
        "park.bounce",
        "850505-1234562",
        &json!({"email": "bounce@example.kr"}),
    )
    .await;
    apply(&app, "850505-1234562").await;
    // No address at all: unreachable.
    register(&app, "choi.nobody", "000229-3234567", &json!({})).await;
    apply(&app, "000229-3234567").await;
    let mut seen = (Vec::new(), Vec::new());
    for _ in 0..100 {
        seen = (
            notices(&app, &admin, "failed").await,
            notices(&app, &admin, "unreachable").await,
        );
        if seen.0.len() == 1 && seen.1.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (failed, unreachable) = seen;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["attempts"], 1, "a refusal is not retried");
    assert!(
        failed[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("refused") && e.contains("550")),
        "{failed:?}"
    );
    assert_eq!(unreachable.len(), 1, "{unreachable:?}");
    assert!(
        unreachable[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no e-mail address") && e.contains("no mobile number")),
        "{unreachable:?}"
    );

    // The deliveries are counted by channel and outcome.
    let metrics = app.get("/metrics").await.text().await.expect("text");
    for line in [
        "egov_notifications_total{channel=\"email\",outcome=\"sent\"}",
        "egov_notifications_total{channel=\"sms\",outcome=\"retry\"}",
        "egov_notifications_total{channel=\"email\",outcome=\"refused\"}",
        "egov_notifications_total{channel=\"sms\",outcome=\"no_address\"}",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

#[tokio::test]
async fn citizens_set_where_notices_reach_them() {
    let app = spawn_app_with(Spawn::default()).await;
    register(&app, "kim.minji", "900101-1234567", &json!({})).await;
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": "kim.minji", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let login: Value = res.json().await.expect("json");
    let token = login["tokens"]["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (s, me) = app
        .send(
            Method::PUT,
            "/auth/me/contact",
            Some(&token),
            Some(&json!({"email": " minji@example.kr ", "phone": "+82 (10) 1234-5678", "language": "en"})),
        )
        .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(
        (
            me["email"].as_str(),
            me["phone"].as_str(),
            me["language"].as_str()
        ),
        (Some("minji@example.kr"), Some("+821012345678"), Some("en"))
    );
    // Bad input changes nothing.
    let (s, p) = app
        .send(
            Method::PUT,
            "/auth/me/contact",
            Some(&token),
            Some(&json!({"email": "minji@example.kr", "phone": "+0101234"})),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["pointer"].as_str()),
        (422, Some("/phone")),
        "{p}"
    );
    let (_, me) = app.send(Method::GET, "/auth/me", Some(&token), None).await;
    assert_eq!(me["phone"], "+821012345678");
    // Only an object: an array of values is refused, nothing changes.
    let (s, _) = app
        .send(
            Method::PUT,
            "/auth/me/contact",
            Some(&token),
            Some(&json!([null, null])),
        )
        .await;
    assert_eq!(s, 422);
    // Clearing them is allowed.
    let (s, me) = app
        .send(
            Method::PUT,
            "/auth/me/contact",
            Some(&token),
            Some(&json!({})),
        )
        .await;
    assert_eq!(s, 200, "{me}");
    assert!(me["email"].is_null() && me["phone"].is_null() && me["language"].is_null());
    // Without a token: 401.
    let (s, _) = app
        .send(Method::PUT, "/auth/me/contact", None, Some(&json!({})))
        .await;
    assert_eq!(s, 401);
}
