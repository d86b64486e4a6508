//! The auth service end to end over HTTP, on SQLite or PostgreSQL (`EGOV_TEST_BACKEND`).

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use egov_auth::Kind;
use egov_testing::{Spawn, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn bootstrap_with_the_one_time_setup_token() {
    let app = spawn_app().await;
    let s = service(&app);
    let token = s
        .setup_token_if_empty()
        .await
        .expect("db")
        .expect("a token");
    let body = |t: &str| {
        json!({"setup_token": t, "username": "root.admin", "display_name": "Root Admin",
               "password": PASSWORD})
    };
    problem(
        app.post_json("/auth/setup", &body("wrong")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let weak = json!({"setup_token": token, "username": "root.admin",
                      "display_name": "Root Admin", "password": "password1234"});
    problem(
        app.post_json("/auth/setup", &weak).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let res = app.post_json("/auth/setup", &body(&token)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let admin: Value = res.json().await.expect("json");
    assert_eq!(admin["kind"], "platform_admin");
    problem(
        app.post_json("/auth/setup", &body(&token)).await,
        StatusCode::CONFLICT,
        "setup_completed",
    )
    .await;
    assert!(s.setup_token_if_empty().await.expect("db").is_none());
    login_tokens(&app, "root.admin").await;
}

#[tokio::test]
async fn citizens_register_with_a_national_id_that_is_stored_sealed_and_shown_masked() {
    let app = spawn_app().await;
    let reg = |user: &str, id: &str, pw: &str| {
        json!({"kind": "citizen", "username": user, "display_name": "Kim Minji",
               "password": pw, "national_id": id})
    };
    problem(
        app.post_json(
            "/auth/register",
            &reg("kim.minji", "901301-1234567", PASSWORD),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let res = app
        .post_json(
            "/auth/register",
            &reg("kim.minji", "900101-1234567", PASSWORD),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let text = res.text().await.expect("text");
    assert!(!text.contains("1234567"), "{text}");
    // The same national ID again: the same answer, and no second account.
    let res = app
        .post_json(
            "/auth/register",
            &reg("kim.other", "9001011234567", PASSWORD),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .post_json(
            "/auth/register",
            &reg("kim.weak", "0002293234567", "kimminji1234"),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // The database holds no clear national ID.
    let rows: Vec<(Option<String>, Option<String>)> = service(&app)
        .db()
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::schema::auth_accounts as a;
            Ok(a::table
                .select((a::national_id_sealed, a::national_id_masked))
                .load(c)?)
        })
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    let (sealed, masked) = &rows[0];
    assert!(!sealed.as_deref().unwrap_or_default().contains("1234567"));
    assert_eq!(masked.as_deref(), Some("900101-*******"));

    let t = login_tokens(&app, "kim.minji").await;
    let me: Value = bearer_get(&app, "/auth/me", t["access_token"].as_str().expect("t"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["national_id"], "900101-*******");
    assert_eq!(me["kind"], "citizen");

    // Businesses register with a valid registration number.
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "business", "username": "acme.co", "display_name": "ACME",
                    "password": PASSWORD, "business_id": "124-81-00998"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // The business asks the citizen to represent it, by national ID; the citizen accepts.
    let biz = login_tokens(&app, "acme.co").await;
    let biz = biz["access_token"].as_str().expect("a").to_owned();
    let res = bearer_post(
        &app,
        "/auth/me/representatives",
        &biz,
        &json!({"national_id": "9001011234567"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let asked: Value = res.json().await.expect("json");
    assert_eq!(asked["national_id"], "900101-*******");
    assert_eq!(asked["status"], "pending");
    let citizen = t["access_token"].as_str().expect("t");
    let waiting: Value = bearer_get(&app, "/auth/me/representation-requests", citizen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting[0]["business_name"], "ACME", "{waiting}");
    let res = bearer_post(
        &app,
        &format!(
            "/auth/me/representation-requests/{}/accept",
            waiting[0]["id"].as_str().expect("id")
        ),
        citizen,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reps: Value = bearer_get(&app, "/auth/me/representatives", &biz)
        .await
        .json()
        .await
        .expect("json");
    let rep = reps[0].clone();
    assert_eq!(rep["national_id"], "900101-*******");
    problem(
        bearer_post(
            &app,
            "/auth/me/representatives",
            &biz,
            &json!({"national_id": "900101-1234567"}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let citizen = t["access_token"].as_str().expect("t");
    let mine: Value = bearer_get(&app, "/auth/me/businesses", citizen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine[0]["business_id"], "1248100998", "{mine}");
    problem(
        bearer_get(&app, "/auth/me/representatives", citizen).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let res = app
        .client
        .delete(app.url(&format!(
            "/auth/me/representatives/{}",
            rep["account_id"].as_str().expect("id")
        )))
        .bearer_auth(&biz)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let officer = json!({"kind": "officer", "username": "sneaky", "display_name": "S",
                         "password": PASSWORD});
    problem(
        app.post_json("/auth/register", &officer).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn lockout_after_five_failures_spares_known_devices_and_admins_unlock() {
    let app = spawn_app().await;
    let id = account(&app, "park.officer", Kind::Officer, Some("MOIS")).await;
    // A device that signed in before.
    let res = login(&app, "park.officer", PASSWORD).await;
    let known: Value = res.json().await.expect("json");
    let device = known["device_token"].as_str().expect("device").to_owned();

    for _ in 0..5 {
        problem(
            login(&app, "park.officer", "wrong password here").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    // Locked: even the right password is refused, with Retry-After.
    let res = login(&app, "park.officer", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;
    // An unknown name locks the same way (no account enumeration through locks).
    for _ in 0..5 {
        login(&app, "nobody.here", "wrong password here").await;
    }
    problem(
        login(&app, "nobody.here", "wrong password here").await,
        StatusCode::TOO_MANY_REQUESTS,
        "login_locked",
    )
    .await;
    // The owner's known device is not locked out by failures from elsewhere.
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": "park.officer", "password": PASSWORD, "device_token": device}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A forged device token does not help.
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": "park.officer", "password": PASSWORD,
                    "device_token": "00112233445566778899aabbccddeeff.00"}),
        )
        .await;
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;

    // A platform admin (aal2) unlocks.
    account(&app, "root.admin", Kind::PlatformAdmin, None).await;
    let (admin, _) = aal2_tokens(&app, "root.admin").await;
    let admin = admin["access_token"].as_str().expect("token");
    let res = bearer_post(
        &app,
        &format!("/auth/accounts/{id}/unlock"),
        admin,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        login(&app, "park.officer", PASSWORD).await.status(),
        StatusCode::OK
    );

    // Locks and unlocks are on the audit chain.
    let actions: Vec<String> = service(&app)
        .db()
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::store::auth_access_log as l;
            Ok(l::table.select(l::action).load(c)?)
        })
        .await
        .expect("log");
    for a in ["login", "login_failed", "lock", "unlock"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
    assert!(
        egov_auth::verify(&app.state.db)
            .await
            .expect("verify")
            .intact()
    );
}

#[tokio::test]
async fn a_source_address_gets_a_bounded_number_of_attempts_an_hour() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__AUTH__LOCKOUT__MAX_ATTEMPTS_PER_HOUR", "8")],
        ..Spawn::default()
    })
    .await;
    for i in 0..8 {
        let res = login(&app, &format!("user{i}"), "wrong password here").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = login(&app, "user9", "wrong password here").await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_throttled").await;
    // A forwarded address from an untrusted peer changes nothing.
    let res = app
        .client
        .post(app.url("/auth/login"))
        .header("x-forwarded-for", "198.51.100.20")
        .json(&json!({"username": "user10", "password": "wrong password here"}))
        .send()
        .await
        .expect("req");
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_throttled").await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_budget() {
    let app = spawn_app_with(Spawn {
        settings: &[
            ("EGOV__AUTH__LOCKOUT__MAX_ATTEMPTS_PER_HOUR", "3"),
            ("EGOV__SERVER__TRUSTED_PROXIES", "127.0.0.1"),
        ],
        ..Spawn::default()
    })
    .await;
    let attempt = |client: &'static str, user: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/auth/login"))
                .header("x-forwarded-for", format!("203.0.113.250, {client}"))
                .json(&json!({"username": user, "password": "wrong password here"}))
                .send()
                .await
                .expect("req")
                .status()
        }
    };
    for i in 0..3 {
        assert_eq!(
            attempt("198.51.100.1", format!("a{i}user")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("198.51.100.1", "a9user".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt("198.51.100.2", "b1user".into()).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    account(&app, "lee.citizen", Kind::Citizen, None).await;
    let t = login_tokens(&app, "lee.citizen").await;
    let first = t["refresh_token"].as_str().expect("refresh").to_owned();
    let res = app
        .post_json("/auth/refresh", &json!({"refresh_token": first}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t2: Value = res.json().await.expect("json");
    let second = t2["refresh_token"].as_str().expect("refresh").to_owned();
    assert_ne!(first, second);
    // The first token again: reuse. The family is revoked, the second token dies with it.
    problem(
        app.post_json("/auth/refresh", &json!({"refresh_token": first}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    problem(
        app.post_json("/auth/refresh", &json!({"refresh_token": second}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;

    // Logout ends a session's refresh tokens.
    let t = login_tokens(&app, "lee.citizen").await;
    let access = t["access_token"].as_str().expect("a");
    let res = bearer_post(&app, "/auth/logout", access, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.post_json(
            "/auth/refresh",
            &json!({"refresh_token": t["refresh_token"]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn second_factor_sign_in_step_up_and_the_totp_window() {
    let app = spawn_app().await;
    account(&app, "choi.officer", Kind::Officer, Some("NTS")).await;
    let t = login_tokens(&app, "choi.officer").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    // An aal2 route refuses an aal1 token with a step-up challenge.
    let res = app
        .client
        .delete(app.url("/auth/me/mfa/totp"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("req");
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_user_authentication\"")
            && challenge.contains("acr_values=\"aal2\""),
        "{challenge}"
    );
    problem(
        res,
        StatusCode::UNAUTHORIZED,
        "insufficient_user_authentication",
    )
    .await;

    let (secret, recovery) = enrol_totp(&app, &access).await;
    assert_eq!(recovery.len(), 10);
    // Step-up: a code two steps old is outside the window; the current one works once.
    problem(
        bearer_post(
            &app,
            "/auth/step-up",
            &access,
            &json!({"code": totp(&secret, -3)}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;
    let code = totp(&secret, 0);
    let res = bearer_post(&app, "/auth/step-up", &access, &json!({"code": code})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let up: Value = res.json().await.expect("json");
    assert_eq!(up["acr"], "aal2");
    problem(
        bearer_post(&app, "/auth/step-up", &access, &json!({"code": code})).await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;

    // Sign-in now needs the second factor.
    let res = login(&app, "choi.officer", PASSWORD).await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "second_factor_required");
    let challenge = body["challenge"].as_str().expect("challenge").to_owned();
    problem(
        app.post_json(
            "/auth/login/second-factor",
            &json!({"challenge": challenge, "code": "000000"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;
    // A recovery code works once.
    let res = app
        .post_json(
            "/auth/login/second-factor",
            &json!({"challenge": challenge, "code": recovery[0]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.expect("json");
    assert_eq!(t["acr"], "aal2");
    problem(
        app.post_json(
            "/auth/login/second-factor",
            &json!({"challenge": challenge, "code": recovery[0]}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
    )
    .await;
    // The challenge is not an access token.
    problem(
        bearer_get(&app, "/auth/me", &challenge).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

#[tokio::test]
async fn forged_and_misused_tokens_are_refused() {
    use hmac::{Hmac, Mac};
    let app = spawn_app().await;
    let id = account(&app, "jung.officer", Kind::Officer, Some("MOIS")).await;
    let t = login_tokens(&app, "jung.officer").await;
    let good = t["access_token"].as_str().expect("a").to_owned();
    assert_eq!(
        bearer_get(&app, "/auth/me", &good).await.status(),
        StatusCode::OK
    );
    let parts: Vec<&str> = good.split('.').collect();
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    let kid = header["kid"].as_str().expect("kid");

    let mut forged = Vec::new();
    // alg none.
    forged.push(format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": kid})),
        parts[1]
    ));
    // HS256 "signed" with the public key as the secret.
    let jwks = app.get_json("/auth/jwks").await;
    let x = jwks["keys"][0]["x"].as_str().expect("x").to_owned();
    let signing_input = format!("{}.{}", b64(&json!({"alg": "HS256", "kid": kid})), parts[1]);
    for secret in [
        x.clone().into_bytes(),
        URL_SAFE_NO_PAD.decode(&x).expect("x"),
    ] {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&secret).expect("key");
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        forged.push(format!("{signing_input}.{sig}"));
    }
    // Another key with the same kid.
    let other = egov_auth::tokens::SigningKey::generate().expect("key");
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    h.kid = Some(kid.to_owned());
    let other_enc = jsonwebtoken::EncodingKey::from_ed_der(other.pkcs8());
    forged.push(jsonwebtoken::encode(&h, &claims, &other_enc).expect("sign"));
    // Tampered claims under the original signature.
    let mut escalated = claims.clone();
    escalated["kind"] = json!("platform_admin");
    forged.push(format!("{}.{}.{}", parts[0], b64(&escalated), parts[2]));
    // Valid signatures, wrong content: expired, wrong audience, wrong issuer, wrong purpose.
    let s = service(&app);
    let now = egov_auth::service::now_secs();
    for (field, value) in [
        ("exp", json!(now - 120)),
        ("aud", json!("another-api")),
        ("iss", json!("https://evil.example/auth")),
        ("purpose", json!("invitation")),
        ("nbf", json!(now + 600)),
    ] {
        let mut c = claims.clone();
        c[field] = value;
        forged.push(s.sign(&c).expect("sign"));
    }
    for (i, token) in forged.iter().enumerate() {
        let res = bearer_get(&app, "/auth/me", token).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "forged token #{i} accepted"
        );
        let challenge = res
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(challenge.contains("invalid_token"), "#{i}: {challenge}");
    }
    // An invitation token is refused as an access token, and an access token as an invitation.
    let row = s.account(&id).await.expect("row");
    let invitation = s
        .purpose_token(&row, egov_auth::tokens::Purpose::Invitation, 600)
        .expect("token");
    problem(
        bearer_get(&app, "/auth/me", &invitation).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    problem(
        app.post_json(
            "/auth/invitations/accept",
            &json!({"token": good, "password": "a whole new passphrase 77"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn key_rotation_keeps_earlier_tokens_valid() {
    let app = spawn_app().await;
    account(&app, "root.admin", Kind::PlatformAdmin, None).await;
    let (admin, _) = aal2_tokens(&app, "root.admin").await;
    let before = admin["access_token"].as_str().expect("a").to_owned();
    let res = bearer_post(&app, "/auth/keys/rotate", &before, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let jwks = app.get_json("/auth/jwks").await;
    assert_eq!(jwks["keys"].as_array().expect("keys").len(), 2);
    assert_eq!(
        bearer_get(&app, "/auth/me", &before).await.status(),
        StatusCode::OK
    );
    let res = app
        .post_json(
            "/auth/refresh",
            &json!({"refresh_token": admin["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.expect("json");
    let after = after["access_token"].as_str().expect("a");
    assert_ne!(
        before.split('.').next(),
        after.split('.').next(),
        "new tokens carry the new kid"
    );
    assert_eq!(
        bearer_get(&app, "/auth/me", after).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn agencies_partition_administration() {
    let app = spawn_app().await;
    account(&app, "root.admin", Kind::PlatformAdmin, None).await;
    let (root, _) = aal2_tokens(&app, "root.admin").await;
    let root = root["access_token"].as_str().expect("a").to_owned();
    for (id, name) in [("MOIS", "Interior"), ("NTS", "Tax")] {
        let res = bearer_post(
            &app,
            "/auth/agencies",
            &root,
            &json!({"id": id, "name": name}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    problem(
        bearer_post(
            &app,
            "/auth/agencies",
            &root,
            &json!({"id": "mois lower", "name": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // The platform admin invites an agency admin of MOIS; the invitation sets the password.
    let res = bearer_post(
        &app,
        "/auth/agencies/MOIS/accounts",
        &root,
        &json!({"kind": "agency_admin", "username": "mois.admin", "display_name": "MOIS Admin"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let inv: Value = res.json().await.expect("json");
    assert_eq!(inv["account"]["status"], "invited");
    problem(
        login(&app, "mois.admin", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let accept = json!({"token": inv["invitation_token"], "password": PASSWORD});
    assert_eq!(
        app.post_json("/auth/invitations/accept", &accept)
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        app.post_json("/auth/invitations/accept", &accept).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    )
    .await;
    let (mois, _) = aal2_tokens(&app, "mois.admin").await;
    let mois = mois["access_token"].as_str().expect("a").to_owned();
    // Officers of their own agency only.
    let officer = json!({"kind": "officer", "username": "kang.officer", "display_name": "Kang",
                         "roles": ["petition.officer"]});
    let res = bearer_post(&app, "/auth/agencies/MOIS/accounts", &mois, &officer).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("json");
    let officer_id = created["account"]["id"].as_str().expect("id").to_owned();
    problem(
        bearer_post(&app, "/auth/agencies/NTS/accounts", &mois, &officer).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let admin2 = json!({"kind": "agency_admin", "username": "mois.admin2", "display_name": "A2"});
    problem(
        bearer_post(&app, "/auth/agencies/MOIS/accounts", &mois, &admin2).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Roles change, audited; another agency's or a platform admin's account is invisible.
    let res = app
        .client
        .put(app.url(&format!("/auth/accounts/{officer_id}/roles")))
        .bearer_auth(&mois)
        .json(&json!({"roles": ["petition.officer", "petition.supervisor"]}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    // A role no module defines (a typo) is refused, naming it, and changes nothing.
    let res = app
        .client
        .put(app.url(&format!("/auth/accounts/{officer_id}/roles")))
        .bearer_auth(&mois)
        .json(&json!({"roles": ["petition.officer", "petition.officr"]}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["errors"][0]["pointer"], "/roles/1", "{body}");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("petition.officer")),
        "the known roles are named: {body}"
    );
    let mut typo = officer.clone();
    typo["username"] = json!("kang.typo");
    typo["roles"] = json!(["tax.oficer"]);
    let res = bearer_post(&app, "/auth/agencies/MOIS/accounts", &mois, &typo).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nts_officer = account(&app, "nts.officer", Kind::Officer, Some("NTS")).await;
    problem(
        bearer_get(&app, &format!("/auth/accounts/{nts_officer}"), &mois).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let listed: Value = bearer_get(&app, "/auth/agencies/MOIS/accounts", &mois)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["accounts"].as_array().expect("list").len(), 2);
    problem(
        bearer_get(&app, "/auth/agencies/NTS/accounts", &mois).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Disabling ends sessions and sign-in.
    let res = bearer_post(
        &app,
        &format!("/auth/accounts/{nts_officer}/disable"),
        &root,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        login(&app, "nts.officer", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    // A reset token sets a new password once.
    let res = bearer_post(
        &app,
        &format!("/auth/accounts/{officer_id}/password-reset"),
        &mois,
        &json!(null),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "invited accounts accept their invitation"
    );
}

#[tokio::test]
async fn citizens_see_who_accessed_their_data_and_auditors_search_the_log() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": "yoon.citizen", "display_name": "Yoon",
                    "password": PASSWORD, "national_id": "850505-2345678"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // A module records an officer's view of the citizen's data, keyed by national ID.
    let s = service(&app);
    let pack = app.state.packs.active();
    let nid = pack.parse_national_id("850505-2345678").expect("id");
    egov_auth::record(
        &app.state.db,
        egov_auth::AccessEntry {
            actor: "officer-42".into(),
            source_ip: "192.0.2.7".into(),
            subject: s.secrets().index.national_id(&nid),
            action: egov_auth::Action::View,
            purpose: "petition 2026-000123 review".into(),
            module: "petition".into(),
            record_ref: Some("2026-000123".into()),
            request_id: None,
        },
    )
    .await
    .expect("record");

    let t = login_tokens(&app, "yoon.citizen").await;
    let log: Value = bearer_get(
        &app,
        "/auth/me/access-log",
        t["access_token"].as_str().expect("a"),
    )
    .await
    .json()
    .await
    .expect("json");
    let records = log["records"].as_array().expect("records");
    assert!(
        records.iter().any(|r| r["actor"] == "officer-42"
            && r["action"] == "view"
            && r["module"] == "petition"),
        "{log}"
    );
    assert!(records.iter().any(|r| r["action"] == "login"), "{log}");

    account(&app, "audit.kim", Kind::Auditor, None).await;
    let (aud, _) = aal2_tokens(&app, "audit.kim").await;
    let aud = aud["access_token"].as_str().expect("a");
    let res = bearer_post(
        &app,
        "/auth/audit/access-log/search",
        aud,
        &json!({"national_id": "8505052345678", "purpose": "monthly review 2026-11"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let found: Value = res.json().await.expect("json");
    assert!(
        found["records"]
            .as_array()
            .expect("r")
            .iter()
            .any(|r| r["actor"] == "officer-42")
    );
    let v: Value = bearer_get(&app, "/auth/audit/verify", aud)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["intact"], true, "{v}");
    // The auditor's search is itself on the citizen's log.
    let log: Value = bearer_get(
        &app,
        "/auth/me/access-log",
        t["access_token"].as_str().expect("a"),
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(
        log["records"]
            .as_array()
            .expect("r")
            .iter()
            .any(|r| r["purpose"]
                .as_str()
                .is_some_and(|p| p.starts_with("audit: monthly review"))),
        "{log}"
    );
}

#[tokio::test]
async fn a_remembered_token_still_expires() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__AUTH__LEEWAY_SECS", "0")],
        ..Spawn::default()
    })
    .await;
    let s = service(&app);
    let now = egov_auth::service::now_secs();
    let token = s
        .sign(&egov_auth::tokens::Claims {
            iss: s.auth().issuer().to_owned(),
            sub: "short-lived".into(),
            aud: s.auth().audience().to_owned(),
            exp: now + 2,
            nbf: now,
            iat: now,
            jti: "j".into(),
            purpose: egov_auth::tokens::Purpose::Access,
            kind: "citizen".into(),
            roles: Vec::new(),
            agency: None,
            acr: "aal1".into(),
            sid: "s".into(),
            auth_time: None,
            amr: Vec::new(),
            pid: None,
            bid: None,
        })
        .expect("sign");
    for _ in 0..3 {
        assert_eq!(
            bearer_get(&app, "/api/v1/whoami", &token).await.status(),
            StatusCode::OK
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    problem(
        bearer_get(&app, "/api/v1/whoami", &token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}

#[tokio::test]
async fn stale_throttle_buckets_are_pruned_and_locks_kept() {
    let app = spawn_app().await;
    for i in 0..3 {
        login(&app, &format!("prune{i}"), "wrong password here").await;
    }
    for _ in 0..5 {
        login(&app, "locked.name", "wrong password here").await;
    }
    let db = app.state.db.clone();
    let (pruned, left) = db
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::schema::auth_throttle as th;
            let two_hours_ago = chrono::Utc::now().naive_utc() - chrono::Duration::hours(2);
            diesel::update(th::table)
                .set(th::window_start.eq(two_hours_ago))
                .execute(c)?;
            let p = egov_auth::sessions::prune(c, chrono::Duration::days(1))?;
            let left: Vec<String> = th::table.select(th::bucket).load(c)?;
            Ok((p, left))
        })
        .await
        .expect("prune");
    assert!(pruned.throttle >= 4, "{pruned:?}");
    assert_eq!(left, vec!["name:locked.name@127.0.0.1".to_owned()]);
}
