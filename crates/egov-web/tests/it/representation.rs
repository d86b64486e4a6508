//! Who acts for whom, in the browser: a business asks a person (by national ID) on its page,
//! the person accepts on theirs, either side ends it; forms need their token; someone else's
//! request cannot be answered. Runs on SQLite and PostgreSQL (EGOV_TEST_BACKEND).

use egov_testing::browser::{Browser, text};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";

async fn register(app: &TestApp, body: serde_json::Value) {
    let res = app.post_json("/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

/// The first form action on the page that starts with `prefix`.
fn action(html: &str, prefix: &str) -> Option<String> {
    let needle = format!(r#"action="{prefix}"#);
    let start = html.find(&needle)? + r#"action=""#.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

#[tokio::test]
async fn a_business_asks_a_person_who_accepts_and_either_side_ends_it() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await;
    register(
        &app,
        json!({"kind": "business", "username": "hangang.books", "display_name": "Hangang Books",
        "password": PASSWORD, "business_id": "124-81-00998"}),
    )
    .await;
    register(
        &app,
        json!({"kind": "citizen", "username": "kim.minji", "display_name": "Kim Minji",
        "password": PASSWORD, "national_id": "900101-1234567"}),
    )
    .await;

    // The business: its page, a number that is not a national ID, then the person.
    let mut biz = Browser::new(&app);
    biz.language = Some("en".into());
    let page = biz
        .sign_in("/my/representatives", "hangang.books", PASSWORD, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(text(&page.body).contains("No one acts for your business yet"));
    let csrf = page.field("csrf").expect("csrf");
    let bad = biz
        .post(
            "/my/representatives",
            &[("csrf", &csrf), ("national_id", "12345")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains(r##"href="#national-id""##),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"value="12345""#));
    let forged = biz
        .post("/my/representatives", &[("national_id", "900101-1234567")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let asked = biz
        .post(
            "/my/representatives",
            &[("csrf", &csrf), ("national_id", "900101-1234567")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let page = biz.get("/my/representatives?done=asked").await;
    let words = text(&page.body);
    assert!(words.contains("The person is asked"), "{words}");
    assert!(words.contains("Waiting for an answer"), "{words}");
    assert!(
        words.contains("900101-*******"),
        "the number is masked: {words}"
    );

    // The person: the request on their page; accepting needs the form's token.
    let mut me = Browser::new(&app);
    me.language = Some("en".into());
    let page = me
        .sign_in("/my/representation", "kim.minji", PASSWORD, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let words = text(&page.body);
    assert!(
        words.contains("Hangang Books") && words.contains("1248100998"),
        "{words}"
    );
    let accept = action(&page.body, "/my/representation/requests/").expect("accept form");
    assert!(accept.ends_with("/accept"));
    let my_csrf = page.field("csrf").expect("csrf");
    assert_eq!(me.post(&accept, &[]).await.status, StatusCode::FORBIDDEN);
    // Another person cannot answer it.
    register(
        &app,
        json!({"kind": "citizen", "username": "lee.jun", "display_name": "Lee Jun",
        "password": PASSWORD, "national_id": "850505-1234562"}),
    )
    .await;
    let mut other = Browser::new(&app);
    other.language = Some("en".into());
    let theirs = other
        .sign_in("/my/representation", "lee.jun", PASSWORD, None)
        .await;
    let their_csrf = theirs.field("csrf").expect("csrf");
    assert_eq!(
        other.post(&accept, &[("csrf", &their_csrf)]).await.status,
        StatusCode::NOT_FOUND
    );
    let done = me.post(&accept, &[("csrf", &my_csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = me.get("/my/representation?done=accepted").await;
    let words = text(&page.body);
    assert!(words.contains("You now act for the business"), "{words}");
    assert!(words.contains("No business is asking you"), "{words}");
    // Answered once: not again.
    assert_eq!(
        me.post(&accept, &[("csrf", &my_csrf)]).await.status,
        StatusCode::NOT_FOUND
    );

    // The business sees the person; asking again is refused with the reason.
    let page = biz.get("/my/representatives").await;
    assert!(text(&page.body).contains("Kim Minji"), "{}", page.body);
    let again = biz
        .post(
            "/my/representatives",
            &[("csrf", &csrf), ("national_id", "900101-1234567")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(text(&again.body).contains("already acts for your business"));

    // The person stops; the business's list is empty again.
    let page = me.get("/my/representation").await;
    let stop = action(&page.body, "/my/representation/businesses/").expect("stop form");
    let done = me.post(&stop, &[("csrf", &my_csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = biz.get("/my/representatives").await;
    assert!(text(&page.body).contains("No one acts for your business yet"));

    // A request withdrawn before the answer.
    let asked = biz
        .post(
            "/my/representatives",
            &[("csrf", &csrf), ("national_id", "850505-1234562")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let page = biz.get("/my/representatives").await;
    let withdraw = action(&page.body, "/my/representatives/invitations/").expect("withdraw form");
    let done = biz.post(&withdraw, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = biz.get("/my/representatives?done=withdrawn").await;
    assert!(text(&page.body).contains("Your request is withdrawn"));
    let theirs = other.get("/my/representation").await;
    assert!(
        text(&theirs.body).contains("No business is asking you"),
        "{}",
        text(&theirs.body)
    );

    // A person's page is not a business's, and the other way round.
    assert_eq!(
        me.get("/my/representatives").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        biz.get("/my/representation").await.status,
        StatusCode::FORBIDDEN
    );
}
