//! egov behind an X-Road Security Server. The requests are written from the X-Road Message
//! Protocol for REST (PR-REST 1.0.3) and the Service Metadata Protocol for REST (PR-MREST),
//! not with egov's client: only `X-Road-Client` (a member or a subsystem), optionally
//! `X-Road-Id`, `X-Road-UserId`; refusals in X-Road's error body `{type, message, detail}`;
//! `listMethods`, `allowedMethods` and `getOpenAPI` in X-Road's shapes. Both backends.

use crate::common::*;

use egov_exchange::store;
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

/// A request as a provider's Security Server delivers it: no egov signature headers.
async fn xroad(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app.client.request(
        Method::from_bytes(method.as_bytes()).expect("method"),
        app.url(path),
    );
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

/// PR-REST 4.6: the status, `Content-Type` with a charset, and exactly `type`, `message` and
/// `detail` (here the `X-Road-Request-Id`); no `X-Road-Error`, which marks the Security
/// Servers' own errors, not the provider's.
async fn xroad_error(res: reqwest::Response, status: u16, xroad_type: &str) -> Value {
    assert_eq!(res.status(), status, "{xroad_type}");
    let h = res.headers().clone();
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json; charset=utf-8")
    );
    assert!(h.get("x-road-error").is_none(), "{xroad_type}");
    let body: Value = res.json().await.expect("json");
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["detail", "message", "type"], "{body}");
    assert_eq!(body["type"], xroad_type);
    assert!(!body["message"].as_str().unwrap_or("").is_empty());
    assert_eq!(
        body["detail"].as_str(),
        h.get("x-road-request-id").and_then(|v| v.to_str().ok())
    );
    body
}

/// A call of the residence service about the test person, with the grant's purpose.
async fn ask(
    app: &TestApp,
    method: &str,
    residence: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![("X-Egov-Purpose", "petition.review")];
    all.extend_from_slice(headers);
    xroad(
        app,
        method,
        &format!("/r1/{residence}/v1"),
        &all,
        Some(&json!({"national_id": NID})),
    )
    .await
}

async fn grant(app: &TestApp, client: &str, service: &str, items: &[&str]) {
    let res = send(
        app,
        Method::POST,
        "/exchange/v1/admin/grants",
        &admin(app),
        Some(&json!({"client": client, "service": service, "purpose": "petition.review", "items": items})),
    )
    .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
}

async fn behind_security_server(addresses: &str) -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "registry"],
        settings: &[("EGOV__EXCHANGE__SECURITY_SERVERS", addresses)],
    })
    .await
}

#[tokio::test]
async fn requests_a_security_server_delivers_are_served_and_answered_in_x_roads_shapes() {
    let app = behind_security_server("10.20.0.0/24,127.0.0.1").await;
    let m = member(&app);
    let residence = format!("{m}/registry/residence");
    // X-Road access rights may name a whole member (PR-REST 4.1: the subsystem is optional).
    grant(&app, "KR/GOV/1310000", &residence, &["resident", "since"]).await;

    // PR-REST 6.4: a POST with X-Road-Client (a member) and no X-Road-Id.
    let res = ask(
        &app,
        "POST",
        &residence,
        &[
            ("X-Road-Client", "KR/GOV/1310000"),
            ("X-Road-UserId", "KR9001011234567"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-road-error").is_none());
    let id = res.headers()["x-road-id"].to_str().expect("id").to_owned();
    assert!(
        !id.is_empty(),
        "an X-Road-Id is made up when the client sent none"
    );
    let answer: Value = res.json().await.expect("json");
    assert_eq!(answer["resident"], true, "{answer}");
    // Logged like any exchange, with the client the Security Server named.
    let records = app
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("records");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entry.client, "KR/GOV/1310000");
    assert_eq!(records[0].entry.outcome, "ok");
    assert!(records[0].entry.request_signature.is_none());

    // The same message id again is a replay.
    let replay_id = uuid::Uuid::new_v4().to_string();
    for expected in [200, 409] {
        let res = ask(
            &app,
            "GET",
            &residence,
            &[
                ("x-road-client", "KR/GOV/1310000"),
                ("x-road-id", &replay_id),
            ],
        )
        .await;
        if expected == 200 {
            assert_eq!(res.status(), 200);
        } else {
            xroad_error(res, 409, "Client.DuplicateMessageId").await;
        }
    }

    // PR-MREST 4: listMethods of a provider subsystem, in annex B's shape.
    let res = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/listMethods"),
        &[("X-Road-Client", "KR/GOV/1310000/app")],
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.expect("json");
    let services = list["service"].as_array().expect("service array");
    let mut codes: Vec<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().expect("code"))
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["person", "residence"],
        "no metaservices listed: {list}"
    );
    let (instance, rest) = m.split_once('/').expect("member");
    let (class, code) = rest.split_once('/').expect("member");
    for s in services {
        let mut keys: Vec<&str> = s
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "endpoint_list",
                "member_class",
                "member_code",
                "object_type",
                "service_code",
                "service_type",
                "subsystem_code",
                "xroad_instance"
            ]
        );
        assert_eq!(s["object_type"], "SERVICE");
        assert_eq!(s["xroad_instance"], instance);
        assert_eq!(s["member_class"], class);
        assert_eq!(s["member_code"], code);
        assert_eq!(s["subsystem_code"], "registry");
        assert!(
            s["endpoint_list"]
                .as_array()
                .expect("endpoints")
                .contains(&json!({"method": "POST", "path": "/v1"}))
        );
    }

    // allowedMethods: only what the calling client has an access right for.
    let res = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/allowedMethods"),
        &[("X-Road-Client", "KR/GOV/1310000")],
        None,
    )
    .await;
    let allowed: Value = res.json().await.expect("json");
    assert_eq!(allowed["service"].as_array().map(Vec::len), Some(1));
    assert_eq!(allowed["service"][0]["service_code"], "residence");
    let res = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/allowedMethods"),
        &[("X-Road-Client", "KR/GOV/7777777/other")],
        None,
    )
    .await;
    let none: Value = res.json().await.expect("json");
    assert_eq!(none, json!({"service": []}));

    // getOpenAPI?serviceCode=: the service's description, as called behind a Security Server.
    let res = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/getOpenAPI?serviceCode=residence"),
        &[("X-Road-Client", "KR/GOV/1310000")],
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let op = &doc["paths"][format!("/r1/{residence}/v1")]["post"];
    let headers: Vec<&str> = op["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(headers.contains(&"X-Road-Client"));
    assert!(!headers.contains(&"X-Egov-Signature"), "{headers:?}");
    let unknown = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/getOpenAPI?serviceCode=nothing"),
        &[("X-Road-Client", "KR/GOV/1310000")],
        None,
    )
    .await;
    xroad_error(unknown, 404, "Server.ServerProxy.UnknownService").await;

    // Refusals in X-Road's error body.
    let res = xroad(
        &app,
        "GET",
        &format!("/r1/{m}/registry/nothing/v1"),
        &[("X-Road-Client", "KR/GOV/1310000")],
        None,
    )
    .await;
    xroad_error(res, 404, "Server.ServerProxy.UnknownService").await;
    for method in ["PUT", "DELETE"] {
        let res = ask(
            &app,
            method,
            &residence,
            &[("X-Road-Client", "KR/GOV/1310000")],
        )
        .await;
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("GET, POST")
        );
        xroad_error(res, 405, "Client.MethodNotAllowed").await;
    }
    let res = ask(
        &app,
        "POST",
        &residence,
        &[("X-Road-Client", "KR/GOV/9999999/app")],
    )
    .await;
    let body = xroad_error(res, 403, "Server.ServerProxy.AccessDenied").await;
    assert!(body.get("resident").is_none());
    let res = ask(&app, "POST", &residence, &[]).await;
    xroad_error(res, 400, "Client.MissingHeader").await;
    let res = ask(&app, "POST", &residence, &[("X-Road-Client", "KR/GOV")]).await;
    xroad_error(res, 400, "Client.InvalidClientIdentifier").await;

    // A request that carries egov's signature is checked as a signed one, even from the
    // Security Server's address: a bad signature is not waved through.
    let res = ask(
        &app,
        "POST",
        &residence,
        &[
            ("X-Road-Client", "KR/GOV/1310000/app"),
            ("X-Road-Id", "a-signed-one"),
            ("X-Egov-Timestamp", &now().to_string()),
            (
                "X-Egov-Signature",
                "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ..AAAA",
            ),
        ],
    )
    .await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()
            .get("x-road-error")
            .and_then(|v| v.to_str().ok()),
        Some("Client.UnknownSigningKey")
    );
}

#[tokio::test]
async fn unsigned_requests_from_anyone_but_the_security_server_are_refused() {
    let app = behind_security_server("10.20.0.5").await;
    let m = member(&app);
    let residence = format!("{m}/registry/residence");
    grant(&app, "KR/GOV/1310000", &residence, &["resident"]).await;
    let res = ask(
        &app,
        "POST",
        &residence,
        &[("X-Road-Client", "KR/GOV/1310000")],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers()
            .get("x-road-error")
            .and_then(|v| v.to_str().ok()),
        Some("Client.MissingHeader")
    );
    let problem: Value = res.json().await.expect("problem");
    assert!(problem.get("resident").is_none());
    assert_eq!(problem["code"], "Client.MissingHeader");
}
