//! Helpers for the exchange tests: tokens, a client member with its own key, signed requests.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use egov_exchange::canonical::{Kind, Message};
use egov_exchange::signature;
use egov_testing::{As, TestApp};
use serde_json::{Value, json};

pub const NID: &str = "900101-1234567";

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A token for a made-up principal, signed by the app's auth service.
pub fn token(app: &TestApp, kind: &str, pid: Option<String>) -> String {
    app.token(As {
        kind,
        pid: pid.as_deref(),
        ..As::default()
    })
}

pub fn admin(app: &TestApp) -> String {
    token(app, "platform_admin", None)
}

pub fn auditor(app: &TestApp) -> String {
    token(app, "auditor", None)
}

/// The person key of `nid` in this deployment.
pub fn person_key(app: &TestApp, nid: &str) -> String {
    app.person_key(nid)
}

pub fn citizen(app: &TestApp, nid: &str) -> String {
    token(app, "citizen", Some(person_key(app, nid)))
}

pub fn member(app: &TestApp) -> String {
    app.state
        .exchange
        .as_ref()
        .expect("exchange")
        .member()
        .to_string()
}

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

/// A member outside egov (another country's system, a Python client): its own key, pinned at
/// the app by the admin.
pub struct Outsider {
    pub member: String,
    pub kid: String,
    pub key: ed25519_dalek::SigningKey,
}

impl Outsider {
    pub async fn register(app: &TestApp, member: &str) -> Self {
        let key = ed25519_dalek::SigningKey::from_bytes(&rand_seed());
        let kid = format!("{member}#1");
        let res = send(
            app,
            reqwest::Method::PUT,
            "/exchange/v1/admin/members",
            &admin(app),
            Some(&json!({
                "id": member,
                "name": "Outside system",
                "keys": [{"kty": "OKP", "crv": "Ed25519", "kid": kid,
                          "x": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes())}]
            })),
        )
        .await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
        Self {
            member: member.to_owned(),
            kid,
            key,
        }
    }

    /// Headers of a signed request (`extra` are signed too), with `sign_body` signed but
    /// possibly another body sent.
    pub fn sign(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Vec<(String, String)> {
        let m = Message {
            kind: Kind::Request,
            method,
            path,
            headers: headers.iter().map(|(n, v)| (*n, v.as_str())).collect(),
            body,
        };
        let sig = signature::sign(&self.key, &self.kid, m.canonical().expect("canonical"));
        let mut out: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        out.push(("x-egov-signature".into(), sig));
        out
    }
}

pub fn rand_seed() -> [u8; 32] {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    let mut s = [0u8; 32];
    s[..16].copy_from_slice(a.as_bytes());
    s[16..].copy_from_slice(b.as_bytes());
    s
}

/// Sends a raw request to the app's gateway.
pub async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> reqwest::Response {
    let mut req = app.client.request(
        reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
        app.url(path),
    );
    for (n, v) in headers {
        req = req.header(n, v);
    }
    req.body(body.to_vec()).send().await.expect("request")
}
