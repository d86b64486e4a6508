//! Issue 18's findings against common auth, one test per finding, named after it; each failed
//! on the main of 2026-12-05 and runs on SQLite and PostgreSQL (`EGOV_TEST_BACKEND`).

use crate::common;

use common::*;
use egov_auth::Kind;
use egov_testing::{Spawn, TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The access-log actions and purposes recorded about `subject_account`.
async fn audited(app: &TestApp) -> Vec<(String, String)> {
    service(app)
        .db()
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::store::auth_access_log as l;
            Ok(l::table.select((l::action, l::purpose)).load(c)?)
        })
        .await
        .expect("log")
}

async fn metrics(app: &TestApp) -> String {
    app.client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text")
}

fn from(app: &TestApp, path: &str, address: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url(path))
        .header("x-forwarded-for", address)
}

#[tokio::test]
async fn finding_1_step_up_second_factor_cannot_be_brute_forced() {
    let app = spawn_app().await;
    account(&app, "han.officer", Kind::Officer, Some("MOIS")).await;
    let t = login_tokens(&app, "han.officer").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    let (secret, _) = enrol_totp(&app, &access).await;
    // Five wrong codes at step-up, from a session at aal1 ...
    for _ in 0..5 {
        problem(
            bearer_post(&app, "/auth/step-up", &access, &json!({"code": "000000"})).await,
            StatusCode::UNAUTHORIZED,
            "invalid_second_factor",
        )
        .await;
    }
    // ... lock second-factor checks: a valid code is refused now, with Retry-After.
    let res = bearer_post(
        &app,
        "/auth/step-up",
        &access,
        &json!({"code": totp(&secret, 0)}),
    )
    .await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;
    // The counter is the sign-in second-factor step's too (shared, not a copy).
    let res = login(&app, "han.officer", PASSWORD).await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "second_factor_required");
    problem(
        app.post_json(
            "/auth/login/second-factor",
            &json!({"challenge": body["challenge"], "code": totp(&secret, 0)}),
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "login_locked",
    )
    .await;
    // An audit record of the lockout, and the alerting metric.
    let log = audited(&app).await;
    assert!(
        log.iter()
            .any(|(a, p)| a == "lock" && p.contains("second-factor")),
        "{log:?}"
    );
    assert_eq!(
        log.iter()
            .filter(|(a, p)| a == "login_failed" && p == "step-up refused")
            .count(),
        5
    );
    let m = metrics(&app).await;
    assert!(
        m.contains("egov_security_events_total{event=\"second_factor_locked\"} 1"),
        "{m}"
    );
}

#[tokio::test]
async fn finding_2_businesses_cannot_look_up_citizens_by_national_id() {
    let app = spawn_app().await;
    for (user, body) in [
        (
            "song.citizen",
            json!({"kind": "citizen", "username": "song.citizen", "display_name": "Song Jiwoo",
                   "password": PASSWORD, "national_id": "900101-1234567"}),
        ),
        (
            "nosy.co",
            json!({"kind": "business", "username": "nosy.co", "display_name": "Nosy Co",
                   "password": PASSWORD, "business_id": "124-81-00998"}),
        ),
    ] {
        let res = app.post_json("/auth/register", &body).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{user}");
    }
    let biz = login_tokens(&app, "nosy.co").await["access_token"]
        .as_str()
        .expect("a")
        .to_owned();
    let ask = |id: &'static str| {
        let (app, biz) = (&app, biz.clone());
        async move {
            let res = bearer_post(
                app,
                "/auth/me/representatives",
                &biz,
                &json!({"national_id": id}),
            )
            .await;
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    // A registered and an unregistered national ID get the same answer: a pending request,
    // no name, no account id.
    let (s1, known) = ask("900101-1234567").await;
    let (s2, unknown) = ask("850505-1234567").await;
    assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known["status"], "pending");
    assert_eq!(unknown["status"], "pending");
    for v in [&known, &unknown] {
        let text = v.to_string();
        assert!(
            !text.contains("Song") && !text.contains("account_id"),
            "{text}"
        );
    }
    // Nothing is linked until the person answers.
    let reps: Value = bearer_get(&app, "/auth/me/representatives", &biz)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(reps, json!([]));
    // The person sees the request in their own account and refuses it.
    let citizen = login_tokens(&app, "song.citizen").await["access_token"]
        .as_str()
        .expect("c")
        .to_owned();
    let waiting: Value = bearer_get(&app, "/auth/me/representation-requests", &citizen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");
    assert_eq!(waiting[0]["business_name"], "Nosy Co");
    let id = waiting[0]["id"].as_str().expect("id");
    let res = bearer_post(
        &app,
        &format!("/auth/me/representation-requests/{id}/refuse"),
        &citizen,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Answered once only; the business sees the refusal, and has no representative.
    problem(
        bearer_post(
            &app,
            &format!("/auth/me/representation-requests/{id}/accept"),
            &citizen,
            &json!(null),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let sent: Value = bearer_get(&app, "/auth/me/representative-invitations", &biz)
        .await
        .json()
        .await
        .expect("json");
    let statuses: Vec<&str> = sent
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["status"].as_str().expect("status"))
        .collect();
    assert!(
        statuses.contains(&"refused") && statuses.contains(&"pending"),
        "{sent}"
    );
    let reps: Value = bearer_get(&app, "/auth/me/representatives", &biz)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(reps, json!([]));
    // Another business cannot answer or withdraw someone else's request.
    problem(
        app.client
            .delete(app.url(&format!(
                "/auth/me/representative-invitations/{}",
                unknown["id"].as_str().expect("id")
            )))
            .bearer_auth(&citizen)
            .send()
            .await
            .expect("req"),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The request is on the person's access log.
    let log: Value = bearer_get(&app, "/auth/me/access-log", &citizen)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        log.to_string().contains("asked to represent a business"),
        "{log}"
    );
}

#[tokio::test]
async fn finding_5_failed_passwords_from_elsewhere_do_not_lock_the_owner_out() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__SERVER__TRUSTED_PROXIES", "127.0.0.1")],
        ..Spawn::default()
    })
    .await;
    account(&app, "jang.officer", Kind::Officer, Some("MOIS")).await;
    let t = login_tokens(&app, "jang.officer").await;
    let (secret, recovery) = enrol_totp(&app, t["access_token"].as_str().expect("a")).await;
    let sign_in = |address: &'static str, password: &'static str| {
        let app = &app;
        async move {
            from(app, "/auth/login", address)
                .json(&json!({"username": "jang.officer", "password": password}))
                .send()
                .await
                .expect("req")
        }
    };
    // An attacker fails five times from their address: that address is locked ...
    for _ in 0..5 {
        assert_eq!(
            sign_in("198.51.100.66", "wrong password here")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    problem(
        sign_in("198.51.100.66", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "login_locked",
    )
    .await;
    // ... the owner, elsewhere, signs in with password and second factor.
    let res = sign_in("203.0.113.7", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    let res = from(&app, "/auth/login/second-factor", "203.0.113.7")
        .json(&json!({"challenge": body["challenge"], "code": totp(&secret, 0)}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    // Locked where the owner is too (the attacker shares their address): the owner lifts
    // the lock with their second factor and signs in.
    for _ in 0..5 {
        sign_in("203.0.113.7", "wrong password here").await;
    }
    problem(
        sign_in("203.0.113.7", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "login_locked",
    )
    .await;
    // A wrong code or an unknown name get the same answer.
    for (user, code) in [("jang.officer", "000000"), ("no.such.user", "123456")] {
        problem(
            from(&app, "/auth/unlock", "203.0.113.7")
                .json(&json!({"username": user, "code": code}))
                .send()
                .await
                .expect("req"),
            StatusCode::UNAUTHORIZED,
            "invalid_second_factor",
        )
        .await;
    }
    // (A recovery code: this step's TOTP code was used by the sign-in above.)
    let res = from(&app, "/auth/unlock", "203.0.113.7")
        .json(&json!({"username": "jang.officer", "code": recovery[0]}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = sign_in("203.0.113.7", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let log = audited(&app).await;
    assert!(
        log.iter()
            .any(|(a, p)| a == "unlock" && p.contains("second factor")),
        "{log:?}"
    );
}

#[tokio::test]
async fn finding_6_an_ended_session_s_access_token_stops_working_everywhere() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__AUTH__REVOCATION_POLL_SECS", "1")],
        ..Spawn::default()
    })
    .await;
    let officer = account(&app, "yoon.officer", Kind::Officer, Some("MOIS")).await;
    account(&app, "root.admin", Kind::PlatformAdmin, None).await;
    let (admin, _) = aal2_tokens(&app, "root.admin").await;
    let admin = admin["access_token"].as_str().expect("admin").to_owned();
    let t = login_tokens(&app, "yoon.officer").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    assert_eq!(
        bearer_get(&app, "/auth/me", &access).await.status(),
        StatusCode::OK
    );
    // Disabling the account ends its sessions: its access token is refused within the poll
    // interval (1 s here; `auth.revocation_poll_secs`), not at its expiry.
    let res = bearer_post(
        &app,
        &format!("/auth/accounts/{officer}/disable"),
        &admin,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let refused = refused_within(&app, &access, 10).await;
    assert!(refused, "the disabled officer's token still works");
    // Sign-out too, for the holder's own session.
    account(&app, "kwon.citizen", Kind::Citizen, None).await;
    let t = login_tokens(&app, "kwon.citizen").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    let res = bearer_post(&app, "/auth/logout", &access, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(refused_within(&app, &access, 10).await);
    // Other sessions keep working.
    assert_eq!(
        bearer_get(&app, "/auth/me", &admin).await.status(),
        StatusCode::OK
    );
    // The list other processes poll holds digests, not session ids.
    let list: Value = app
        .client
        .get(app.url("/auth/revoked-sessions"))
        .send()
        .await
        .expect("req")
        .json()
        .await
        .expect("json");
    assert_eq!(list["sessions"].as_array().map(Vec::len), Some(2), "{list}");
    assert!(
        !list
            .to_string()
            .contains(t["session_id"].as_str().expect("sid"))
    );
}

/// Whether `access` is refused with `invalid_token` within `secs` seconds (polling).
async fn refused_within(app: &TestApp, access: &str, secs: u64) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        let res = bearer_get(app, "/auth/me", access).await;
        if res.status() == StatusCode::UNAUTHORIZED {
            problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    false
}

#[test]
fn finding_6_access_tokens_live_at_most_five_minutes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let load = |vars: &[(&str, &str)]| {
        egov_core::Settings::load_from(
            &dir,
            "local",
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    };
    assert_eq!(load(&[]).expect("defaults").auth.access_token_secs, 300);
    assert!(load(&[("EGOV__AUTH__ACCESS_TOKEN_SECS", "600")]).is_err());
    assert!(load(&[("EGOV__AUTH__LEEWAY_SECS", "120")]).is_err());
}

#[tokio::test]
async fn finding_7_registration_does_not_tell_whether_a_national_id_is_registered() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__AUTH__LOCKOUT__REGISTRATIONS_PER_HOUR", "3")],
        ..Spawn::default()
    })
    .await;
    let reg = |user: &str| {
        json!({"kind": "citizen", "username": user, "display_name": "Oh Seojin",
               "password": PASSWORD, "national_id": "900101-1234567"})
    };
    let first = app.post_json("/auth/register", &reg("oh.seojin")).await;
    let again = app.post_json("/auth/register", &reg("oh.prober")).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    let (first, again): (Value, Value) = (
        first.json().await.expect("json"),
        again.json().await.expect("json"),
    );
    assert_eq!(first["status"], again["status"]);
    assert_eq!(first["next"], again["next"]);
    // No second account; the holder finds the attempt in their access log.
    assert_eq!(
        login(&app, "oh.prober", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let t = login_tokens(&app, "oh.seojin").await;
    let log: Value = bearer_get(
        &app,
        "/auth/me/access-log",
        t["access_token"].as_str().expect("t"),
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(
        log.to_string().contains("someone tried to register"),
        "{log}"
    );
    // Throttled per address.
    let res = app.post_json("/auth/register", &reg("oh.third")).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app.post_json("/auth/register", &reg("oh.fourth")).await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS, "login_throttled").await;
    assert!(
        metrics(&app)
            .await
            .contains("egov_security_events_total{event=\"registration_throttled\"} 1")
    );
}

#[tokio::test]
async fn low_a_password_reset_token_works_once_even_when_used_concurrently() {
    let app = spawn_app().await;
    let id = account(&app, "baek.officer", Kind::Officer, Some("MOIS")).await;
    account(&app, "root.admin", Kind::PlatformAdmin, None).await;
    let (admin, _) = aal2_tokens(&app, "root.admin").await;
    let admin = admin["access_token"].as_str().expect("admin").to_owned();
    let res = bearer_post(
        &app,
        &format!("/auth/accounts/{id}/password-reset"),
        &admin,
        &json!(null),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let token: Value = res.json().await.expect("json");
    let token = token["reset_token"].as_str().expect("token").to_owned();
    let uses = (0..8).map(|i| {
        let (app, token) = (&app, token.clone());
        async move {
            app.post_json(
                "/auth/password-reset",
                &json!({"token": token, "password": format!("a brand new passphrase {i}")}),
            )
            .await
            .status()
        }
    });
    let statuses = futures_util::future::join_all(uses).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
}
