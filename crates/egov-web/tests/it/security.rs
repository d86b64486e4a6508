//! Sign-in and security in the browser: an authenticator app enrolled from the page (the QR
//! code and the key, a wrong code refused with the same key, the recovery codes once), the
//! next sign-in asking for its code, and the sessions listed and ended; a session served by two
//! processes at once stays signed in while its tokens are refreshed. Runs on SQLite and
//! PostgreSQL (EGOV_TEST_BACKEND).

use egov_testing::browser::{Browser, text};
use egov_testing::mfa::totp;
use egov_testing::{Spawn, spawn_app_with, spawn_peer};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";

/// Kim Minji registers (a citizen, no second factor yet).
async fn register(app: &egov_testing::TestApp) {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": "kim.minji", "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": "900101-1234567"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_citizen_enrols_an_authenticator_app_and_ends_a_session() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await;
    register(&app).await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let page = b.sign_in("/my/security", "kim.minji", PASSWORD, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let words = text(&page.body);
    assert!(words.contains("No second factor is set up yet"), "{words}");
    assert!(words.contains("The pages of this portal"), "{words}");
    let csrf = page.field("csrf").expect("csrf");

    // Enrol: the QR code (SVG drawn here, no script, no image from elsewhere) and the key.
    assert_eq!(
        b.post("/my/security/totp", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let enrol = b.post("/my/security/totp", &[("csrf", &csrf)]).await;
    assert_eq!(enrol.status, StatusCode::OK, "{}", enrol.body);
    assert!(
        enrol.body.contains("<svg class=\"egov-qr\""),
        "{}",
        enrol.body
    );
    let key: String = enrol
        .body
        .split(r#"id="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .split_whitespace()
        .collect();
    let sealed = enrol.field("sealed").expect("sealed");
    assert!(!sealed.contains(&key), "the key is sealed in the form");
    // A wrong code: the same key again with the error.
    let wrong = b
        .post(
            "/my/security/totp/confirm",
            &[("csrf", &csrf), ("sealed", &sealed), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains(r##"href="#code""##));
    let again: String = wrong
        .body
        .split(r#"id="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .split_whitespace()
        .collect();
    assert_eq!(again, key);
    let tampered = b
        .post(
            "/my/security/totp/confirm",
            &[("csrf", &csrf), ("sealed", "nope"), ("code", "123456")],
        )
        .await;
    assert_eq!(tampered.status, StatusCode::BAD_REQUEST);
    let done = b
        .post(
            "/my/security/totp/confirm",
            &[
                ("csrf", &csrf),
                ("sealed", &sealed),
                ("code", &totp(&key, -1)),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(text(&done.body).contains("Your authenticator app is set up"));
    assert_eq!(
        done.body.matches("<li><code class=\"egov-code\">").count(),
        10
    );
    let page = b.get("/my/security?done=enrolled").await;
    let words = text(&page.body);
    assert!(words.contains("Your second factor is on"), "{words}");
    assert!(words.contains("An authenticator app is set up"), "{words}");

    // Another browser: the sign-in now asks for the code; then the first one ends it.
    let mut other = Browser::new(&app);
    other.language = Some("en".into());
    let code = totp(&key, 0);
    let theirs = other
        .sign_in("/my/security", "kim.minji", PASSWORD, Some(&code))
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(text(&theirs.body).contains("password and second factor"));
    let page = b.get("/my/security").await;
    let ends: Vec<&str> = page
        .body
        .split(r#"action="/my/security/sessions/"#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(ends.len() >= 2, "{}", page.body);
    let before = ends.len();
    let target = format!("/my/security/sessions/{}", ends[ends.len() - 1]);
    let ended = b.post(&target, &[("csrf", &csrf)]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    let page = other.get("/my/security").await;
    let after = page
        .body
        .split(r#"action="/my/security/sessions/"#)
        .count()
        .saturating_sub(1);
    assert!(
        page.status != StatusCode::OK || after < before,
        "the session is gone: {}",
        page.body
    );
    // Not a session of this account: not found.
    let none = b
        .post(
            "/my/security/sessions/00000000-0000-0000-0000-000000000000/end",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_processes_serving_one_browser_refresh_its_tokens_once_and_keep_it_signed_in() {
    // Access tokens of 31 s: the pages refresh one that has less than 30 s left, so from a
    // second after each refresh every request needs a new one.
    let modules = &["auth", "exchange", "petition"];
    let app = spawn_app_with(Spawn {
        modules,
        settings: &[("EGOV__AUTH__ACCESS_TOKEN_SECS", "31")],
    })
    .await;
    let peer = spawn_peer(
        &app,
        Spawn {
            modules,
            settings: &[],
        },
    )
    .await;
    register(&app).await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let page = b.sign_in("/my/contact", "kim.minji", PASSWORD, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for round in 0..4 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        // Four requests at once, two to each process, all needing a refresh. A refresh token
        // is single use: spent twice, the provider would end the session (reuse = theft).
        let mut tabs = [b.tab(&app), b.tab(&peer), b.tab(&app), b.tab(&peer)];
        let answers =
            futures_util::future::join_all(tabs.iter_mut().map(|t| t.get("/my/contact"))).await;
        for (i, a) in answers.iter().enumerate() {
            assert_eq!(
                a.status,
                StatusCode::OK,
                "round {round}, request {i}: {:?} {}",
                a.location,
                a.body
            );
        }
    }
    // The provider saw no reuse: the account's session is still live.
    let sessions = b.get("/my/security").await;
    assert_eq!(sessions.status, StatusCode::OK, "{}", sessions.body);
}
