//! Where notices reach me (`/my/contact`): the page shows the account's contact details, saves
//! new ones, and brings a mistake back with the error summary and nothing saved. Runs on SQLite
//! and PostgreSQL (EGOV_TEST_BACKEND).

use egov_testing::browser::{Browser, text};
use egov_testing::{Spawn, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";

#[tokio::test]
async fn a_citizen_sets_where_notices_reach_them_from_the_page() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await;
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": "kim.minji", "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": "900101-1234567",
                    "email": "minji@example.kr"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let page = b.sign_in("/my/contact", "kim.minji", PASSWORD, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.field("email").as_deref(), Some("minji@example.kr"));
    assert!(text(&page.body).contains("Where notices reach me"));
    // The pack's languages, each named in itself, the page's own chosen.
    assert!(page.body.contains(r#"lang="ko">한국어"#), "{}", page.body);
    assert!(page.body.contains(r#"value="en" checked"#), "{}", page.body);
    let csrf = page.field("csrf").expect("csrf");

    // Without the form's token: refused.
    let no_csrf = b
        .post(
            "/my/contact",
            &[("email", "x@example.kr"), ("phone", ""), ("language", "en")],
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    // A mistake: the summary links to the field, the values stay, nothing is saved.
    let wrong = b
        .post(
            "/my/contact",
            &[
                ("csrf", &csrf),
                ("email", "minji@example.kr"),
                ("phone", "010-1234-5678"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains(r##"href="#phone""##), "{}", wrong.body);
    assert!(wrong.body.contains(r#"aria-invalid="true""#));
    assert_eq!(wrong.field("phone").as_deref(), Some("010-1234-5678"));
    let again = b.get("/my/contact").await;
    assert_eq!(again.field("phone").as_deref(), Some(""));

    // Saved: the page says so and shows the values as the provider keeps them.
    let saved = b
        .post(
            "/my/contact",
            &[
                ("csrf", &csrf),
                ("email", "minji@example.kr"),
                ("phone", "+82 10-1234-5678"),
                ("language", "ko"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = b.follow("/my/contact?done=saved").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(text(&page.body).contains("Saved"), "{}", page.body);
    assert_eq!(page.field("phone").as_deref(), Some("+821012345678"));
    assert!(page.body.contains(r#"value="ko" checked"#), "{}", page.body);
    // My page links here.
    let my = b.get("/my").await;
    assert!(my.body.contains(r#"href="/my/contact""#));
}
