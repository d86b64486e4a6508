//! The OpenID Connect code flow through the login page, as a browser and a client would drive
//! it: PKCE S256 only, exact redirect URIs, CSRF on the form, single-use codes.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use egov_auth::Kind;
use egov_testing::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

async fn client(app: &TestApp) -> String {
    let c = egov_auth::clients::register(
        &app.state.db,
        egov_auth::clients::NewClient {
            name: "Minwon portal".into(),
            redirect_uris: vec![REDIRECT.into()],
            confidential: false,
            id_token_signed_response_alg: Default::default(),
        },
    )
    .await
    .expect("client");
    c.client.client_id
}

fn pkce() -> (String, String) {
    let verifier = format!("{}{}", egov_auth::random::token(), "-._~abc");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

struct Page {
    handle: String,
    csrf: String,
    cookie: String,
    html: String,
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("field") + marker.len();
    html[start..].split('"').next().expect("value").to_owned()
}

async fn open(app: &TestApp, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/auth/authorize?{query}")))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("request")
}

async fn login_page(app: &TestApp, client_id: &str, challenge: &str, extra: &str) -> Page {
    let res = open(
        app,
        &format!(
            "response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20profile\
             &state=st-1&nonce=n-0S6_WzA2Mj&code_challenge={challenge}&code_challenge_method=S256{extra}",
            urlencode(REDIRECT)
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("egov_csrf="))
        .expect("csrf cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let html = res.text().await.expect("html");
    Page {
        handle: field(&html, "handle"),
        csrf: field(&html, "csrf"),
        cookie,
        html,
    }
}

/// The `name=value` of the first cookie the answer sets whose text starts with `prefix`.
fn set_cookie(res: &reqwest::Response, prefix: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(prefix))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn submit(app: &TestApp, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/auth/authorize"))
        .header("accept-language", "en")
        .form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("request")
}

/// The login page's form submitted with `username` and the test password.
async fn sign_in(app: &TestApp, page: &Page, username: &str) -> reqwest::Response {
    submit(
        app,
        Some(&page.cookie),
        &[
            ("handle", &page.handle),
            ("csrf", &page.csrf),
            ("username", username),
            ("password", PASSWORD),
        ],
    )
    .await
}

fn code_from(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    let u = url::Url::parse(loc).expect("url");
    assert!(loc.starts_with(REDIRECT));
    let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), Some("st-1"));
    assert!(q.get("iss").is_some_and(|i| i.ends_with("/auth")));
    q.get("code")
        .cloned()
        .unwrap_or_else(|| panic!("no code in {loc}"))
}

async fn exchange(app: &TestApp, client_id: &str, code: &str, verifier: &str) -> reqwest::Response {
    app.client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("request")
}

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

#[tokio::test]
async fn code_flow_with_pkce_csrf_and_single_use_codes() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    account(&app, "han.citizen", Kind::Citizen, None).await;
    let (verifier, challenge) = pkce();
    let page = login_page(&app, &client_id, &challenge, "").await;
    assert!(page.html.contains("<label for=\"password\">") && page.html.contains("lang=\"en\""));
    let creds = |p: &Page| {
        vec![
            ("handle".to_owned(), p.handle.clone()),
            ("csrf".to_owned(), p.csrf.clone()),
            ("username".to_owned(), "han.citizen".to_owned()),
            ("password".to_owned(), PASSWORD.to_owned()),
        ]
    };
    let form = creds(&page);
    let form_ref: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    // CSRF: no cookie, or a token that does not match the cookie, is refused.
    problem(
        submit(&app, None, &form_ref).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    )
    .await;
    let mut forged = form_ref.clone();
    forged[1] = ("csrf", "00");
    problem(
        submit(&app, Some(&page.cookie), &forged).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    )
    .await;
    problem(
        submit(
            &app,
            Some("egov_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            &form_ref,
        )
        .await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    )
    .await;
    // A wrong password shows the page again.
    let mut wrong = form_ref.clone();
    wrong[3] = ("password", "not the password at all");
    let res = submit(&app, Some(&page.cookie), &wrong).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("role=\"alert\"") && html.contains("is wrong"),
        "{html}"
    );

    let res = submit(&app, Some(&page.cookie), &form_ref).await;
    let code = code_from(&res);
    // A wrong verifier is refused, and spends the code.
    oauth_error(
        exchange(&app, &client_id, &code, &pkce().0).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    oauth_error(
        exchange(&app, &client_id, &code, &verifier).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;

    // Again, properly.
    let page = login_page(&app, &client_id, &challenge, "").await;
    let form = creds(&page);
    let form_ref: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = submit(&app, Some(&page.cookie), &form_ref).await;
    let sso = set_cookie(&res, "egov_sso=").expect("single-sign-on cookie");
    let code = code_from(&res);
    let res = exchange(&app, &client_id, &code, &verifier).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let t: Value = res.json().await.expect("json");
    let id = claims(t["id_token"].as_str().expect("id_token"));
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["acr"], "aal1");
    assert_eq!(id["preferred_username"], "han.citizen");
    let access = t["access_token"].as_str().expect("access");
    let info: Value = bearer_get(&app, "/auth/userinfo", access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(info["sub"], id["sub"]);
    // POST as well (OpenID Connect Core 5.3.1).
    let res = app
        .client
        .post(app.url("/auth/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .expect("POST userinfo");
    assert_eq!(res.status(), 200);
    let posted: Value = res.json().await.expect("json");
    assert_eq!(posted, info);
    // Single sign-on: the same browser comes back without a password; `prompt=login` or a
    // higher level than the sign-on had asks again.
    let again = format!(
        "response_type=code&client_id={client_id}&redirect_uri={}&scope=openid&state=st-1\
         &nonce=n2&code_challenge={challenge}&code_challenge_method=S256",
        urlencode(REDIRECT)
    );
    let get = |q: String| {
        let (app, sso) = (&app, sso.clone());
        async move {
            app.client
                .get(app.url(&format!("/auth/authorize?{q}")))
                .header("cookie", sso)
                .send()
                .await
                .expect("req")
        }
    };
    let sso_code = code_from(&get(again.clone()).await);
    let t3: Value = exchange(&app, &client_id, &sso_code, &verifier)
        .await
        .json()
        .await
        .expect("json");
    let id3 = claims(t3["id_token"].as_str().expect("id_token"));
    assert_eq!(id3["sub"], id["sub"]);
    assert_eq!(
        id3["auth_time"], id["auth_time"],
        "the original sign-in time"
    );
    assert_eq!(
        get(format!("{again}&prompt=login")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        get(format!("{again}&acr_values=aal2")).await.status(),
        StatusCode::OK
    );
    // The sign-on cookie is not a refresh token.
    let value = sso.trim_start_matches("egov_sso=");
    problem(
        app.post_json(
            "/auth/refresh",
            &serde_json::json!({"refresh_token": value}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    // The refresh token rotates for this client.
    let refresh = |token: String| {
        let app = &app;
        let client_id = client_id.clone();
        async move {
            app.client
                .post(app.url("/auth/token"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token.as_str()),
                    ("client_id", client_id.as_str()),
                ])
                .send()
                .await
                .expect("req")
        }
    };
    let res = refresh(t["refresh_token"].as_str().expect("r").to_owned()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let t2: Value = res.json().await.expect("json");
    // The code is single use: a replay fails and ends the session it started (RFC 6749
    // §4.1.2), so the refresh token stops working too.
    let body = oauth_error(
        exchange(&app, &client_id, &code, &verifier).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");
    let res = refresh(t2["refresh_token"].as_str().expect("r").to_owned()).await;
    oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn bad_authorization_requests() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    let (_, challenge) = pkce();
    let base = |redirect: &str, method: &str| {
        format!(
            "response_type=code&client_id={client_id}&redirect_uri={}&scope=openid&state=s\
             &code_challenge={challenge}&code_challenge_method={method}",
            urlencode(redirect)
        )
    };
    // Not redirected anywhere: unknown redirect URI (exact match only) or client.
    for q in [
        base("http://127.0.0.1:9/callback/", "S256"),
        base("http://127.0.0.1:9/other", "S256"),
        base(REDIRECT, "S256").replace(&client_id, "c-unknown"),
    ] {
        problem(
            open(&app, &q).await,
            StatusCode::BAD_REQUEST,
            "invalid_authorization_request",
        )
        .await;
    }
    // PKCE `plain` or none: back to the client with an error.
    for q in [
        base(REDIRECT, "plain"),
        base(REDIRECT, "S256").replace("&code_challenge_method=S256", ""),
    ] {
        let res = open(&app, &q).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("loc");
        assert!(loc.contains("error=invalid_request"), "{loc}");
    }
    let res = open(
        &app,
        &base(REDIRECT, "S256").replace("scope=openid", "scope=email"),
    )
    .await;
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("loc");
    assert!(loc.contains("error=invalid_scope"), "{loc}");
}

#[tokio::test]
async fn services_asking_for_aal2_get_a_second_factor_step() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    account(&app, "oh.officer", Kind::Officer, Some("MOIS")).await;
    account(&app, "no.factor", Kind::Citizen, None).await;
    let t = login_tokens(&app, "oh.officer").await;
    let (secret, _) = enrol_totp(&app, t["access_token"].as_str().expect("a")).await;
    let (verifier, challenge) = pkce();

    // Without an enrolled factor, an aal2 request ends with an error for the client.
    let page = login_page(&app, &client_id, &challenge, "&acr_values=aal2").await;
    let res = sign_in(&app, &page, "no.factor").await;
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("loc");
    assert!(
        loc.contains("error=unmet_authentication_requirements"),
        "{loc}"
    );

    let page = login_page(&app, &client_id, &challenge, "&acr_values=aal2").await;
    let res = sign_in(&app, &page, "oh.officer").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("html").contains("name=\"code\""));
    let res = submit(
        &app,
        Some(&page.cookie),
        &[
            ("handle", &page.handle),
            ("csrf", &page.csrf),
            ("code", "000000"),
        ],
    )
    .await;
    assert!(res.text().await.expect("html").contains("not right"));
    let code = totp(&secret, 0);
    let res = submit(
        &app,
        Some(&page.cookie),
        &[
            ("handle", &page.handle),
            ("csrf", &page.csrf),
            ("code", &code),
        ],
    )
    .await;
    let code = code_from(&res);
    let t: Value = exchange(&app, &client_id, &code, &verifier)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(claims(t["id_token"].as_str().expect("id"))["acr"], "aal2");
    assert_eq!(
        claims(t["access_token"].as_str().expect("a"))["acr"],
        "aal2"
    );
}

#[tokio::test]
async fn a_browser_signed_in_with_a_password_steps_up_with_the_code_alone() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    account(&app, "han.citizen", Kind::Citizen, None).await;
    let (verifier, challenge) = pkce();
    // Signed in with the password (no second factor yet): the browser's sign-on is aal1.
    let page = login_page(&app, &client_id, &challenge, "").await;
    let res = sign_in(&app, &page, "han.citizen").await;
    let sso = set_cookie(&res, "egov_sso=").expect("single-sign-on cookie");
    let t: Value = exchange(&app, &client_id, &code_from(&res), &verifier)
        .await
        .json()
        .await
        .expect("json");
    let first = claims(t["id_token"].as_str().expect("id"));
    // Then an authenticator app is enrolled (from the account's pages).
    let (secret, _) = enrol_totp(&app, t["access_token"].as_str().expect("a")).await;

    // A service asks for aal2: the same browser is asked for the code only.
    let res = app
        .client
        .get(app.url(&format!(
            "/auth/authorize?response_type=code&client_id={client_id}&redirect_uri={}\
             &scope=openid&state=st-1&nonce=n3&code_challenge={challenge}\
             &code_challenge_method=S256&acr_values=aal2",
            urlencode(REDIRECT)
        )))
        .header("accept-language", "en")
        .header("cookie", &sso)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let csrf_cookie = set_cookie(&res, "egov_csrf=").unwrap_or_else(|| page.cookie.clone());
    let html = res.text().await.expect("html");
    assert!(html.contains("name=\"code\""), "{html}");
    assert!(!html.contains("name=\"password\""), "{html}");
    let (handle, csrf) = (field(&html, "handle"), field(&html, "csrf"));
    let cookies = format!("{csrf_cookie}; {sso}");
    // A wrong code is refused as on any second-factor page; the right one signs in at aal2.
    let res = submit(
        &app,
        Some(&cookies),
        &[("handle", &handle), ("csrf", &csrf), ("code", "000000")],
    )
    .await;
    assert!(res.text().await.expect("html").contains("not right"));
    let code = totp(&secret, 0);
    let res = submit(
        &app,
        Some(&cookies),
        &[("handle", &handle), ("csrf", &csrf), ("code", &code)],
    )
    .await;
    let t: Value = exchange(&app, &client_id, &code_from(&res), &verifier)
        .await
        .json()
        .await
        .expect("json");
    let id = claims(t["id_token"].as_str().expect("id"));
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["sub"], first["sub"], "the same account");
}

#[tokio::test]
async fn the_login_page_speaks_the_country_packs_languages() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    let (_, challenge) = pkce();
    let q = format!(
        "response_type=code&client_id={client_id}&redirect_uri={}&scope=openid&state=s\
         &code_challenge={challenge}&code_challenge_method=S256",
        urlencode(REDIRECT)
    );
    let page = |lang: Option<&'static str>| {
        let (app, q) = (&app, q.clone());
        async move {
            let mut req = app.client.get(app.url(&format!("/auth/authorize?{q}")));
            if let Some(l) = lang {
                req = req.header("accept-language", l);
            }
            req.send().await.expect("req").text().await.expect("html")
        }
    };
    // The Korean pack's default, English on request, and never a language the pack lacks.
    let ko = page(None).await;
    assert!(
        ko.contains("lang=\"ko\"") && ko.contains("비밀번호"),
        "{ko}"
    );
    let en = page(Some("en-US,en;q=0.9")).await;
    assert!(
        en.contains("lang=\"en\"") && en.contains(">Password<"),
        "{en}"
    );
    let es = page(Some("es")).await;
    assert!(es.contains("lang=\"ko\""), "{es}");
}

/// The token endpoint's errors are RFC 6749 §5.2's: `application/json` with `error` and
/// `error_description`, 400 (401 for a client that fails to authenticate), whatever is wrong:
/// a body that is not a form, a repeated or missing parameter, an unknown grant type or client.
#[tokio::test]
async fn token_endpoint_errors_are_oauth_json() {
    let app = spawn_app().await;
    let client_id = client(&app).await;
    let post = |body: &'static str, content_type: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/auth/token"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("request")
        }
    };
    const FORM: &str = "application/x-www-form-urlencoded";
    let json = post(r#"{"grant_type":"refresh_token"}"#, "application/json").await;
    oauth_error(json, StatusCode::BAD_REQUEST, "invalid_request").await;
    let missing = post("code=abc", FORM).await;
    let body = oauth_error(missing, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert_eq!(body["code"], "malformed_body", "{body}");
    let twice = post(
        "grant_type=refresh_token&grant_type=authorization_code",
        FORM,
    )
    .await;
    let body = oauth_error(twice, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("grant_type")),
        "{body}"
    );
    let unknown = post("grant_type=refresh_token&client_id=nobody", FORM).await;
    assert!(unknown.headers().contains_key("www-authenticate"));
    oauth_error(unknown, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let body = format!("grant_type=password&client_id={client_id}");
    let res = app
        .client
        .post(app.url("/auth/token"))
        .header("content-type", FORM)
        .body(body)
        .send()
        .await
        .expect("request");
    oauth_error(res, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
}

#[tokio::test]
async fn a_client_registered_for_rs256_gets_rs256_id_tokens_and_access_tokens_stay_eddsa() {
    let app = spawn_app().await;
    let client_id = egov_auth::clients::register(
        &app.state.db,
        egov_auth::clients::NewClient {
            name: "RS256-only relying party".into(),
            redirect_uris: vec![REDIRECT.into()],
            confidential: false,
            id_token_signed_response_alg: egov_auth::clients::IdTokenAlg::RS256,
        },
    )
    .await
    .expect("client")
    .client
    .client_id;
    account(&app, "rs.citizen", Kind::Citizen, None).await;
    let (verifier, challenge) = pkce();
    let page = login_page(&app, &client_id, &challenge, "").await;
    let res = sign_in(&app, &page, "rs.citizen").await;
    let code = code_from(&res);
    let res = exchange(&app, &client_id, &code, &verifier).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("tokens");
    let id_token = body["id_token"].as_str().expect("id token");
    let access = body["access_token"].as_str().expect("access token");

    let jwks: jsonwebtoken::jwk::JwkSet = app
        .client
        .get(app.url("/auth/jwks"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks json");
    let header = jsonwebtoken::decode_header(id_token).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks.find(&header.kid.expect("kid")).expect("published");
    assert!(matches!(
        jwk.algorithm,
        jsonwebtoken::jwk::AlgorithmParameters::RSA(_)
    ));
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[&client_id]);
    v.set_issuer(&[service(&app).auth().issuer()]);
    let verified = jsonwebtoken::decode::<Value>(
        id_token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).expect("key"),
        &v,
    )
    .expect("the ID token verifies with the published RSA key");
    assert_eq!(verified.claims["azp"], client_id.as_str());
    assert_eq!(
        jsonwebtoken::decode_header(access).expect("header").alg,
        jsonwebtoken::Algorithm::EdDSA,
        "access tokens stay EdDSA"
    );
    // The RS256 ID token is accepted as an id_token_hint; an ID token re-signed with HS256
    // over the RSA key's id is not.
    let res = app
        .client
        .get(app.url(&format!("/auth/end-session?id_token_hint={id_token}")))
        .send()
        .await
        .expect("end session");
    assert!(res.status().is_success(), "{}", res.status());
    let mut forged = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    forged.kid = Some(jwk.common.key_id.clone().expect("kid"));
    let forged = jsonwebtoken::encode(
        &forged,
        &verified.claims,
        &jsonwebtoken::EncodingKey::from_secret(b"the public key"),
    )
    .expect("forged");
    let res = app
        .client
        .get(app.url(&format!("/auth/end-session?id_token_hint={forged}")))
        .send()
        .await
        .expect("end session");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
