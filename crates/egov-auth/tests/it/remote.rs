//! A module deployed apart from the auth service: its process is configured with nothing but
//! the issuer URL, finds the keys through discovery, and follows a key rotation.

use crate::common;

use common::*;
use egov_auth::Kind;
use egov_testing::{Spawn, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_separately_deployed_module_accepts_the_issuers_tokens() {
    let issuer_app = spawn_app().await;
    let issuer = issuer_app.state.auth.issuer().to_owned();
    let module_app = spawn_app_with(Spawn {
        modules: &["platform"],
        settings: &[("EGOV__AUTH__ISSUER", issuer.as_str())],
    })
    .await;
    assert!(module_app.state.auth_service.is_none());
    assert!(module_app.get("/auth/jwks").await.status() == StatusCode::NOT_FOUND);

    account(&issuer_app, "seo.admin", Kind::PlatformAdmin, None).await;
    let (t, _) = aal2_tokens(&issuer_app, "seo.admin").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    let res = bearer_get(&module_app, "/api/v1/whoami", &access).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["kind"], "platform_admin");
    assert_eq!(me["aal"], "aal2");

    // A token of another issuer (another installation, own keys) is refused.
    let other = spawn_app().await;
    account(&other, "seo.admin", Kind::PlatformAdmin, None).await;
    let foreign = login_tokens(&other, "seo.admin").await;
    let res = bearer_get(
        &module_app,
        "/api/v1/whoami",
        foreign["access_token"].as_str().expect("a"),
    )
    .await;
    problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;

    // Rotation at the issuer reaches the module through the JWKS.
    let res = bearer_post(&issuer_app, "/auth/keys/rotate", &access, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = issuer_app
        .post_json(
            "/auth/refresh",
            &json!({"refresh_token": t["refresh_token"]}),
        )
        .await;
    let fresh: Value = res.json().await.expect("json");
    let res = bearer_get(
        &module_app,
        "/api/v1/whoami",
        fresh["access_token"].as_str().expect("a"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The old key's tokens still verify until they expire.
    assert_eq!(
        bearer_get(&module_app, "/api/v1/whoami", &access)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_separately_deployed_module_refuses_tokens_of_sessions_ended_at_the_issuer() {
    let issuer_app = spawn_app().await;
    let issuer = issuer_app.state.auth.issuer().to_owned();
    let module_app = spawn_app_with(Spawn {
        modules: &["platform"],
        settings: &[
            ("EGOV__AUTH__ISSUER", issuer.as_str()),
            ("EGOV__AUTH__REVOCATION_POLL_SECS", "1"),
        ],
    })
    .await;
    account(&issuer_app, "ahn.citizen", Kind::Citizen, None).await;
    let t = login_tokens(&issuer_app, "ahn.citizen").await;
    let access = t["access_token"].as_str().expect("a").to_owned();
    assert_eq!(
        bearer_get(&module_app, "/api/v1/whoami", &access)
            .await
            .status(),
        StatusCode::OK
    );
    let res = bearer_post(&issuer_app, "/auth/logout", &access, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The module polls the issuer's list of ended sessions every second.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut status = StatusCode::OK;
    while std::time::Instant::now() < until && status == StatusCode::OK {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        status = bearer_get(&module_app, "/api/v1/whoami", &access)
            .await
            .status();
    }
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
