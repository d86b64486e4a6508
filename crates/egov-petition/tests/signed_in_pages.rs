//! Signed-in pages over HTTP, as a browser uses them: the pages' sign-in (the code flow with
//! PKCE against the platform's own provider, the page session, its cookie), the forms' tokens,
//! sign-out (here, at the provider, and of the browser's single sign-on), and "My
//! applications". Runs on SQLite and PostgreSQL.

use egov_testing::browser::Browser;
use egov_testing::clients::petition::Petition;
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 9";

async fn app(settings: &[(&str, &str)]) -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings,
    })
    .await
}

async fn register(app: &TestApp, username: &str, nid: &str) {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": username, "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": nid}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

/// An access token of `username` from the JSON login (for the API calls a test makes).
async fn api_token(app: &TestApp, username: &str) -> String {
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("json");
    v["tokens"]["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

fn text(html: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in html.chars() {
        match c {
            '<' => tag = true,
            '>' => {
                tag = false;
                out.push(' ');
            }
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_citizen_signs_in_sees_their_applications_and_signs_out_everywhere() {
    let app = app(&[]).await;
    register(&app, "kim.minji", "900101-1234567").await;
    let token = api_token(&app, "kim.minji").await;
    let (s, draft) = Petition(&app)
        .create(
            &token,
            &json!({"service": "business-registration", "form": {"business_name": "Hangang Books"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");

    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    // Not signed in: the page sends the browser to sign in, and the sign-in to the provider.
    let a = b.get("/my/applications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location.as_deref(),
        Some("/signin?return=%2Fmy%2Fapplications")
    );
    let a = b.get("/signin?return=%2Fmy%2Fapplications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let to = url::Url::parse(a.location.as_deref().expect("location")).expect("url");
    assert_eq!(to.path(), "/auth/authorize");
    let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "egov-web");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], app.url("/signin/callback"));
    assert!(!q.contains_key("acr_values"));
    assert!(
        b.cookie("egov_signin").is_some(),
        "the pending sign-in rides in a cookie"
    );
    let page = b
        .sign_in("/my/applications", "kim.minji", PASSWORD, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let words = text(&page.body);
    assert!(words.contains("My applications"), "{words}");
    assert!(
        words.contains("Kim Minji"),
        "the header names the account: {words}"
    );
    assert!(
        words.contains("Business registration"),
        "the draft is listed: {words}"
    );
    assert!(words.contains("Not sent yet (draft)"), "{words}");
    assert_eq!(page.headers["cache-control"], "no-store");
    let session = b.cookie("egov_session").expect("session cookie").to_owned();
    assert_eq!(session.len(), 43);
    assert!(
        b.cookie("egov_signin").is_none(),
        "the spent sign-in cookie is cleared"
    );

    // My page links to the module's signed-in pages.
    let my = b.get("/my").await;
    assert_eq!(my.status, StatusCode::OK);
    assert!(
        my.body.contains(r#"href="/my/applications""#),
        "{}",
        my.body
    );

    // Sign-out needs the form's token: a form from elsewhere is refused and changes nothing.
    let csrf = page.field("csrf").expect("the sign-out form's token");
    let a = b.post("/signout", &[("csrf", "forged")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        text(&a.body).contains("This form has expired"),
        "{}",
        a.body
    );
    let a = b.post("/signout", &[]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/my/applications").await.status, StatusCode::OK);
    // Unknown fields beside a good token: a clear 400 page.
    let a = b
        .post("/signout", &[("csrf", &csrf), ("surprise", "1")])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);

    let a = b.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        b.cookie("egov_session").is_none(),
        "the session cookie is cleared"
    );
    let end = a.location.expect("to the provider");
    assert!(
        end.starts_with(&app.url("/auth/end-session?id_token_hint=")),
        "{end}"
    );
    assert!(b.cookie("egov_sso").is_some());
    let a = b.get(&end).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some(app.url("/").as_str()));
    assert!(b.cookie("egov_sso").is_none(), "single sign-on ended too");

    // The old cookie opens nothing; the next sign-in asks for the password again.
    b.set_cookie("egov_session", &session);
    let a = b.get("/my/applications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let login = b.follow("/my/applications").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains(r#"name="password""#), "{}", login.body);
}

#[tokio::test]
async fn a_page_session_outlives_its_short_access_tokens_by_refreshing_them() {
    // Access tokens of 20 s are refreshed on every page (30 s before expiry).
    let app = app(&[("EGOV__AUTH__ACCESS_TOKEN_SECS", "20")]).await;
    register(&app, "lee.jun", "900101-1234567").await;
    let mut b = Browser::new(&app);
    let first = b.sign_in("/my", "lee.jun", PASSWORD, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // One after another: each page refreshes with the token the last refresh gave.
    for _ in 0..3 {
        assert_eq!(b.get("/my").await.status, StatusCode::OK);
    }
    // At the same time: one refresh, the others wait for it (a refresh token is single use;
    // using one twice would end the session).
    let cookie = format!(
        "egov_session={}",
        b.cookie("egov_session").expect("session")
    );
    let pages: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(
                app.client
                    .get(app.url("/my"))
                    .header("cookie", cookie.clone())
                    .send(),
            )
        })
        .collect();
    for p in pages {
        assert_eq!(
            p.await.expect("task").expect("page").status(),
            StatusCode::OK
        );
    }
    assert_eq!(b.get("/my").await.status, StatusCode::OK);
    // Every page above refreshed once, the four at once included, and none was refused as a
    // reuse: the refresh tokens were used in turn.
    let auth = app.state.auth_service.as_ref().expect("auth").clone();
    let (used, live): (i64, i64) = auth
        .db()
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::schema::{auth_refresh_tokens as rt, auth_sessions as s};
            let pages: Vec<String> = s::table
                .filter(s::client_id.eq("egov-web"))
                .select(s::id)
                .load(c)?;
            let used = rt::table
                .filter(rt::session_id.eq_any(&pages))
                .filter(rt::used_at.is_not_null())
                .count()
                .get_result(c)?;
            let live = rt::table
                .filter(rt::session_id.eq_any(&pages))
                .filter(rt::used_at.is_null())
                .count()
                .get_result(c)?;
            Ok((used, live))
        })
        .await
        .expect("count");
    assert!(used >= 5, "refreshed {used} times");
    assert_eq!(live, 1, "one refresh token is current");
}

#[tokio::test]
async fn sign_in_refuses_what_it_did_not_start_and_goes_back_only_to_this_site() {
    let app = app(&[]).await;
    let mut b = Browser::new(&app);
    // A callback without the pending sign-in (a link from elsewhere): refused, nothing starts.
    let a = b.get("/signin/callback?code=abc&state=xyz").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("Sign in again") || text(&a.body).contains("다시 로그인"));
    assert!(b.cookie("egov_session").is_none());
    // With the pending cookie but another state: refused, and the cookie is spent.
    b.get("/signin?return=/my").await;
    assert!(b.cookie("egov_signin").is_some());
    let a = b.get("/signin/callback?code=abc&state=forged").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(b.cookie("egov_signin").is_none());
    // The way back is a path of this site, never another site.
    register(&app, "choi.ara", "900101-1234567").await;
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let mut b = Browser::new(&app);
        let start = format!(
            "/signin?return={}",
            url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>()
        );
        let back = b.log_in(&start, "choi.ara", PASSWORD, None).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        assert_eq!(back.location.as_deref(), Some("/my"), "{evil}");
    }
    // A page that needs a second factor sends the browser to a step-up sign-in.
    let a = b.get("/signin?return=/my&acr=aal2").await;
    let to = a.location.expect("location");
    assert!(to.contains("acr_values=aal2"), "{to}");
}
