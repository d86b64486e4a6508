//! Helpers shared by the auth tests: accounts of every kind, sign-in with and without a second
//! factor, and tokens minted with the app's own key.

use egov_auth::accounts::NewAccount;
use egov_auth::service::now_secs;
use egov_auth::tokens::{Claims, Purpose};
use egov_auth::{Kind, Service};
use egov_testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple 42";

pub fn service(app: &TestApp) -> Service {
    app.state.auth_service.clone().expect("auth service")
}

/// Creates an active account directly (as the CLI does), returning its id.
pub async fn account(app: &TestApp, username: &str, kind: Kind, agency: Option<&str>) -> String {
    let s = service(app);
    if let Some(a) = agency {
        let a = a.to_owned();
        let _ = s
            .db()
            .run(move |c| egov_auth::accounts::insert_agency(c, &a, "Test agency"))
            .await;
    }
    s.create_account(
        NewAccount {
            username: username.into(),
            kind: Some(kind),
            display_name: format!("{username} name"),
            agency_id: agency.map(str::to_owned),
            ..NewAccount::default()
        },
        Some(PASSWORD.into()),
    )
    .await
    .expect("account")
    .id
}

pub async fn bearer_get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

pub async fn bearer_post(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

/// Signs in with the JSON API (password only), returning the response body.
pub async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/auth/login",
        &json!({"username": username, "password": password}),
    )
    .await
}

/// Signs in and returns the token set (`tokens`).
pub async fn login_tokens(app: &TestApp, username: &str) -> Value {
    let res = login(app, username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "signed_in", "{body}");
    body["tokens"].clone()
}

pub use egov_testing::mfa::{enrol_totp, totp};

/// An account signed in at aal2 (TOTP enrolled, then stepped up): its token set.
pub async fn aal2_tokens(app: &TestApp, username: &str) -> (Value, String) {
    let t = login_tokens(app, username).await;
    let access = t["access_token"].as_str().expect("access").to_owned();
    let (secret, _) = enrol_totp(app, &access).await;
    let res = bearer_post(
        app,
        "/auth/step-up",
        &access,
        &json!({"code": totp(&secret, 0)}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    (res.json().await.expect("json"), secret)
}

/// A token signed with the app's key for a made-up principal (authorization matrix).
pub fn mint(app: &TestApp, kind: Kind, aal: &str, roles: &[&str], agency: Option<&str>) -> String {
    let s = service(app);
    let now = now_secs();
    s.sign(&Claims {
        iss: s.auth().issuer().to_owned(),
        sub: format!("matrix-{}", kind.as_str()),
        aud: s.auth().audience().to_owned(),
        exp: now + 300,
        nbf: now,
        iat: now,
        jti: format!("j-{now}"),
        purpose: Purpose::Access,
        kind: kind.as_str().to_owned(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        agency: agency.map(str::to_owned),
        acr: aal.to_owned(),
        sid: "matrix-session".into(),
        auth_time: Some(now),
        amr: vec!["pwd".into()],
        // Citizens carry a person key, as real citizen tokens do.
        pid: (kind == Kind::Citizen).then(|| format!("{:064x}", 7)),
        // Business accounts carry their registration number, as real ones do.
        bid: (kind == Kind::Business).then(|| "1248100998".to_owned()),
    })
    .expect("sign")
}

/// Asserts a problem response with `status` and `code`; returns the body.
/// An error of the OAuth token endpoint (RFC 6749 §5.2): `application/json`, not stored, with
/// `error` and `error_description` (and egov's problem members beside them).
pub async fn oauth_error(res: reqwest::Response, status: StatusCode, error: &str) -> Value {
    assert_eq!(res.status(), status, "{}", res.url());
    let header = |name| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header(reqwest::header::CONTENT_TYPE).as_deref(),
        Some("application/json")
    );
    assert_eq!(
        header(reqwest::header::CACHE_CONTROL).as_deref(),
        Some("no-store")
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"], error, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

pub async fn problem(res: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "{}", res.url());
    assert_eq!(
        res.headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], code, "{body}");
    body
}
