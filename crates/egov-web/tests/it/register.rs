//! Registration from the portal (`/register`): a person and a business open accounts from the
//! page without script; mistakes come back with the error summary, the values kept and the
//! password never echoed, and nothing registered; the form needs its token; the provider's
//! login page links here; the new account signs in. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND).

use egov_testing::browser::{Browser, text};
use egov_testing::{Spawn, kr_business_number, spawn_app_with};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery staple 9";

#[tokio::test]
async fn a_person_and_a_business_register_from_the_portal() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let page = b.get("/register").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(text(&page.body).contains("Create an account"));
    assert!(page.body.contains(r#"autocomplete="new-password""#));
    let csrf = page.field("csrf").expect("csrf");
    assert!(b.cookie("egov_form").is_some(), "the form's cookie is set");

    // Without the form's token: refused, nothing registered.
    let forged = b
        .post(
            "/register",
            &[
                ("kind", "citizen"),
                ("display_name", "Kim Minji"),
                ("username", "kim.minji"),
                ("password", PASSWORD),
                ("national_id", "900101-1234567"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Mistakes: each named and linked, the values kept, the password not sent back.
    let wrong = b
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("kind", "citizen"),
                ("display_name", "Kim Minji"),
                ("username", "kim.minji"),
                ("password", "short"),
                ("national_id", "901301-1234567"),
                ("email", ""),
                ("phone", ""),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(
        wrong.body.contains(r##"href="#national_id""##),
        "{}",
        wrong.body
    );
    assert_eq!(wrong.field("username").as_deref(), Some("kim.minji"));
    assert_eq!(wrong.field("password").as_deref(), Some(""));
    assert!(!wrong.body.contains("short"), "the password is not echoed");
    let (s, _) = app
        .send(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(&serde_json::json!({"username": "kim.minji", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, 401, "nothing was registered");
    let weak = b
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("kind", "citizen"),
                ("display_name", "Kim Minji"),
                ("username", "kim.minji"),
                ("password", "short"),
                ("national_id", "900101-1234567"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains(r##"href="#password""##), "{}", weak.body);

    // Registered: the confirmation names the login name; the account signs in.
    let done = b
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("kind", "citizen"),
                ("display_name", "Kim Minji"),
                ("username", "Kim.Minji"),
                ("password", PASSWORD),
                ("national_id", "900101-1234567"),
                ("email", "minji@example.kr"),
                ("phone", "+82 10-1234-5678"),
                ("language", "ko"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(text(&done.body).contains("kim.minji"), "{}", done.body);
    // The same login name again: taken.
    let taken = b
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("kind", "citizen"),
                ("display_name", "Lee Seoyeon"),
                ("username", "kim.minji"),
                ("password", PASSWORD),
                ("national_id", "850505-2345678"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{}", taken.body);
    assert!(
        text(&taken.body).contains("This login name is taken"),
        "{}",
        taken.body
    );

    let mut person = Browser::new(&app);
    person.language = Some("en".into());
    let signed = person
        .sign_in("/my/contact", "kim.minji", PASSWORD, None)
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.field("phone").as_deref(), Some("+821012345678"));
    assert!(signed.body.contains(r#"value="ko" checked"#));

    // A business, from its own form.
    let page = b.get("/register?kind=business").await;
    assert!(text(&page.body).contains("Create a business account"));
    assert!(page.body.contains(r#"name="business_id""#));
    assert!(!page.body.contains(r#"name="national_id""#));
    let brn = kr_business_number(7);
    let done = b
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("kind", "business"),
                ("display_name", "Hangang Books"),
                ("username", "hangang.books"),
                ("password", PASSWORD),
                ("business_id", &brn),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);

    // The provider's login page links to the registration page.
    let mut c = Browser::new(&app);
    c.language = Some("en".into());
    let login = c.follow("/signin?return=%2Fmy").await;
    assert!(
        login
            .body
            .contains(&format!(r#"href="{}/register""#, app.address)),
        "{}",
        login.body
    );
    // The portal's header offers it to visitors.
    let home = c.get("/").await;
    assert!(home.body.contains(r#"href="/register""#));

    // Pages served apart from the provider register through its API.
    let issuer = app.state.auth.issuer().to_owned();
    let peer = spawn_app_with(Spawn {
        modules: &["petition"],
        settings: &[("EGOV__AUTH__ISSUER", issuer.as_str())],
    })
    .await;
    assert!(peer.state.auth_service.is_none());
    let mut d = Browser::new(&peer);
    d.language = Some("en".into());
    let page = d.get("/register").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.field("csrf").expect("csrf");
    let form = |user: &'static str, nid: &'static str| {
        vec![
            ("kind", "citizen"),
            ("display_name", "Park Jiwoo"),
            ("username", user),
            ("password", PASSWORD),
            ("national_id", nid),
            ("language", "en"),
        ]
    };
    let mut bad = form("park.jiwoo", "901301-1234567");
    bad.push(("csrf", &csrf));
    let wrong = d.post("/register", &bad).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(
        wrong.body.contains(r##"href="#national_id""##),
        "{}",
        wrong.body
    );
    let mut good = form("park.jiwoo", "850505-1234562");
    good.push(("csrf", &csrf));
    let done = d.post("/register", &good).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(text(&done.body).contains("park.jiwoo"));
    let (s, _) = app
        .send(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(&serde_json::json!({"username": "park.jiwoo", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, 200, "registered at the provider");
}
